//! Comparing a stated figure with an exact one, honouring the precision it was written
//! with (XBRL calculation 1.1 style): `1,743.86万元` stands for every amount that rounds
//! to it, 17,438,550 to 17,438,650 元; it agrees with an exact sum inside that interval.

use crate::model::{Money, StatedAmount};

/// A figure as stated, and the half-width of the interval it stands for, both in 元.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub value: Money,
    pub tolerance: Money,
}

impl Interval {
    /// A figure in 元 typed to the cent, taken as exact.
    pub fn exact(value: Money) -> Interval {
        Interval {
            value,
            tolerance: Money::ZERO,
        }
    }

    /// A figure as written (`1,743.86万元` → 17,438,600 ± 50 元).
    pub fn stated(amount: StatedAmount) -> Interval {
        // Figures in 元 are exact (DESIGN.md); only 万元 carries a rounding interval. Past
        // 26 decimals the interval is nil (and StatedAmount::tolerance could not build it).
        let tolerance = match amount.unit {
            crate::model::MoneyUnit::Wan if amount.value.scale() < 27 => amount.tolerance(),
            _ => Money::ZERO,
        };
        Interval {
            value: amount.money(),
            tolerance,
        }
    }
}

/// How far an exact figure is from a stated one that it does not agree with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    /// `exact − stated`, signed: negative when the exact figure is smaller.
    pub difference: Money,
    /// The stated figure's half-width (0 for exact figures).
    pub tolerance: Money,
}

impl Gap {
    /// The size of the difference, without sign.
    pub fn magnitude(self) -> Money {
        Money::from_yuan(self.difference.yuan().abs())
    }

    /// True when the exact figure is below the stated one.
    pub fn is_short(self) -> bool {
        self.difference.is_negative()
    }
}

/// `None` when `exact` lies within the stated interval, otherwise the gap. Figures too
/// large to subtract are not compared (the amount rules report them).
///
/// ```
/// use jixiao::model::{Money, MoneyUnit, StatedAmount};
/// use jixiao::validate::precision::{compare, Interval};
/// let cover = Interval::stated(StatedAmount::new("1743.86".parse().unwrap(), MoneyUnit::Wan));
/// assert_eq!(compare(cover, Money::from_cents(1_743_865_000)), None); // +50 元: rounds to it
/// let gap = compare(cover, Money::from_cents(1_743_870_000)).unwrap();
/// assert_eq!(gap.difference.to_string(), "100.00");
/// assert_eq!(gap.tolerance.to_string(), "50.00");
/// ```
pub fn compare(stated: Interval, exact: Money) -> Option<Gap> {
    let difference = Money::from_yuan(exact.yuan().checked_sub(stated.value.yuan())?);
    if difference.yuan().abs() <= stated.tolerance.yuan() {
        None
    } else {
        Some(Gap {
            difference,
            tolerance: stated.tolerance,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MoneyUnit;

    #[test]
    fn exact_figures_compare_to_the_cent() {
        let a = Interval::exact(Money::from_cents(100));
        assert_eq!(compare(a, Money::from_cents(100)), None);
        let g = compare(a, Money::from_cents(99)).unwrap();
        assert_eq!(g.difference, Money::from_cents(-1));
        assert!(g.is_short());
        assert_eq!(g.magnitude(), Money::from_cents(1));
    }

    #[test]
    fn wan_interval_edges() {
        let s = Interval::stated(StatedAmount::new(
            "1743.86".parse().unwrap(),
            MoneyUnit::Wan,
        ));
        assert_eq!(compare(s, Money::from_cents(1_743_855_000)), None);
        assert_eq!(compare(s, Money::from_cents(1_743_865_000)), None);
        assert!(compare(s, Money::from_cents(1_743_854_999)).is_some());
        assert!(compare(s, Money::from_cents(1_743_865_001)).is_some());
        // Yuan figures are exact even though StatedAmount::tolerance says ±0.005.
        let y = Interval::stated(StatedAmount::new(
            "1000.00".parse().unwrap(),
            MoneyUnit::Yuan,
        ));
        assert!(compare(y, "1000.004".parse().unwrap()).is_some());
    }
}
