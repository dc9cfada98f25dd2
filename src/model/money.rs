//! Exact money in 元.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::*;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An exact amount of money in 元 (yuan).
///
/// Amounts keep the value as typed (a cell holding `1000.005` stays `1000.005`, so the
/// validator can report the third decimal); display rounds to the cent.
///
/// ```
/// use jixiao::model::Money;
/// let m: Money = "17438600".parse().unwrap();
/// assert_eq!(m.to_string(), "17,438,600.00");
/// assert_eq!(m.wan_string(), "1,743.86万元");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// An amount in 元.
    pub fn from_yuan(yuan: Decimal) -> Money {
        Money(yuan.normalize())
    }

    /// An amount given in 万元 (ten thousand 元).
    pub fn from_wan(wan: Decimal) -> Money {
        Money((wan * Decimal::from(10_000)).normalize())
    }

    /// Whole cents, for tests and literals.
    pub fn from_cents(cents: i64) -> Money {
        Money(Decimal::new(cents, 2).normalize())
    }

    pub fn yuan(self) -> Decimal {
        self.0
    }

    /// The amount in 万元, exact.
    pub fn wan(self) -> Decimal {
        (self.0 / Decimal::from(10_000)).normalize()
    }

    /// True when the amount has more than two decimals (fractions of a cent).
    pub fn has_sub_cent(self) -> bool {
        self.0.normalize().scale() > 2
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// Plain number with two decimals (more if typed with more): `1000000.00`.
    /// This is the form used in CSV files and JSON.
    pub fn plain(self) -> String {
        let mut out = String::new();
        self.write_plain(&mut out);
        out
    }

    /// [`Money::plain`] appended to `out`: the rollup writes seven amounts a project into
    /// reused buffers.
    pub fn write_plain(self, out: &mut String) {
        let scale = self.0.normalize().scale().max(2);
        let mut d = self.0;
        d.rescale(scale);
        if !plain_cents(d, out) {
            use std::fmt::Write;
            let _ = write!(out, "{d}");
        }
    }

    /// `1,743.86万元`: the amount in 万元 rounded half-up to two decimals, as forms show it.
    pub fn wan_string(self) -> String {
        let w = self
            .wan()
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        format!("{}万元", group_thousands(w, 2))
    }

    /// `1,000,000.00元`.
    pub fn yuan_string(self) -> String {
        format!("{self}元")
    }
}

/// `d.to_string()` appended to `out` for a value of exactly two decimals, written digit by
/// digit: the rollup writes seven amounts a project, and Decimal's Display costs ~800
/// instructions an amount. `false` (nothing written) for another scale, a negative zero or
/// more than 19 digits (left to Display).
fn plain_cents(d: Decimal, out: &mut String) -> bool {
    let m = d.mantissa();
    if d.scale() != 2 || (m == 0 && d.is_sign_negative()) {
        return false;
    }
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    // u64 digits: u128 division is a library call per digit.
    let Ok(mut rest) = u64::try_from(m.unsigned_abs()) else {
        return false;
    };
    // At least three digits: `0.05`, not `.05`.
    while rest > 0 || digits.len() - at < 3 {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let (int, frac) = digits[at..].split_at(digits.len() - at - 2);
    out.reserve(int.len() + 4);
    if m < 0 {
        out.push('-');
    }
    for part in [int, b".", frac] {
        out.extend(part.iter().map(|&b| char::from(b)));
    }
    true
}

/// `12345.6` with `dp` decimals → `12,345.60`.
pub fn group_thousands(value: Decimal, dp: u32) -> String {
    let mut v = value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(dp);
    let s = v.abs().to_string();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    if v.is_sign_negative() && !v.is_zero() {
        out.insert(0, '-');
    }
    out
}

impl fmt::Display for Money {
    /// `1,000,000.00` (thousands separators, two decimals, more if the value has them).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = self.0.normalize().scale().max(2);
        f.write_str(&group_thousands(self.0, scale))
    }
}

impl FromStr for Money {
    type Err = rust_decimal::Error;
    /// Plain decimal numbers only (`1000000.00`, `-5`); the reader handles 万元, 大写 and
    /// thousands separators before it gets here.
    fn from_str(s: &str) -> Result<Money, Self::Err> {
        Decimal::from_str_exact(s.trim()).map(Money::from_yuan)
    }
}

// No `+`, `-` or `Sum`: amounts come from files anyone can send, and two of 5E+28 元 overflow
// a Decimal. Every sum goes through the checked forms below and says what it does on
// overflow.
impl Money {
    /// `self + rhs`, or `None` past Decimal's range (about 7.9E+28).
    pub fn checked_add(self, rhs: Money) -> Option<Money> {
        self.0.checked_add(rhs.0).map(Money::from_yuan)
    }

    /// `self - rhs`, or `None` past Decimal's range.
    pub fn checked_sub(self, rhs: Money) -> Option<Money> {
        self.0.checked_sub(rhs.0).map(Money::from_yuan)
    }

    /// The sum of `amounts`, or `None` when it leaves Decimal's range.
    ///
    /// ```
    /// use jixiao::model::Money;
    /// let big: Money = "50000000000000000000000000000".parse().unwrap();
    /// assert_eq!(Money::checked_sum([big, big]), None);
    /// assert_eq!(Money::checked_sum([Money::from_cents(1), Money::from_cents(2)]), Some(Money::from_cents(3)));
    /// ```
    pub fn checked_sum(amounts: impl IntoIterator<Item = Money>) -> Option<Money> {
        let mut sum = Decimal::ZERO;
        for m in amounts {
            sum = sum.checked_add(m.0)?;
        }
        Some(Money::from_yuan(sum))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.plain())
    }
}

impl<'de> Deserialize<'de> for Money {
    /// Accepts `"1000000.00"` (preferred, exact) or a JSON number.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        decimal_str::deserialize(d).map(Money::from_yuan)
    }
}

/// The unit a stated figure was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MoneyUnit {
    /// 元
    Yuan,
    /// 万元
    Wan,
}

/// A figure as the form states it, in the unit it was written in, such as the cover's
/// `1,743.86万元`. Its precision follows from the unit and the decimals written: two decimals
/// of 万元 stand for ±50 元.
///
/// ```
/// use jixiao::model::{MoneyUnit, StatedAmount};
/// use rust_decimal::Decimal;
/// let s = StatedAmount::new("1743.86".parse().unwrap(), MoneyUnit::Wan);
/// assert_eq!(s.money().to_string(), "17,438,600.00");
/// assert_eq!(s.tolerance().to_string(), "50.00");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatedAmount {
    /// The number as written, in `unit`.
    #[serde(with = "decimal_str")]
    pub value: Decimal,
    pub unit: MoneyUnit,
}

impl StatedAmount {
    pub fn new(value: Decimal, unit: MoneyUnit) -> StatedAmount {
        StatedAmount { value, unit }
    }

    /// The amount in 元.
    pub fn money(self) -> Money {
        match self.unit {
            MoneyUnit::Yuan => Money::from_yuan(self.value),
            MoneyUnit::Wan => Money::from_wan(self.value),
        }
    }

    /// Half a unit of the last written decimal, in 元 (at least two decimals are assumed,
    /// since forms show two): `1,743.86万` → 50 元, `1,000.00元` → 0.005 元.
    pub fn tolerance(self) -> Money {
        let dp = self.value.scale().max(2);
        let half = Decimal::new(5, dp + 1);
        match self.unit {
            MoneyUnit::Yuan => Money::from_yuan(half),
            MoneyUnit::Wan => Money::from_wan(half),
        }
    }

    /// `1,743.86万元` or `1,000.00元`, as written.
    pub fn display(self) -> String {
        let dp = self.value.scale().max(2);
        match self.unit {
            MoneyUnit::Yuan => format!("{}元", group_thousands(self.value, dp)),
            MoneyUnit::Wan => format!("{}万元", group_thousands(self.value, dp)),
        }
    }
}

/// Serde helper: a `Decimal` as an exact string.
pub mod decimal_str {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::str::FromStr;

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Int(i64),
            Float(f64),
        }
        match Repr::deserialize(d)? {
            Repr::Text(s) => Decimal::from_str_exact(s.trim()).map_err(serde::de::Error::custom),
            Repr::Int(i) => Ok(Decimal::from(i)),
            Repr::Float(f) => Decimal::from_str(&f.to_string()).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The digit-by-digit path writes what Decimal's Display writes.
        #[test]
        fn plain_cents_is_display(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(), negative in any::<bool>(), scale in 0u32..29) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            // Appended after what the buffer holds.
            let mut s = String::from("x");
            match plain_cents(d, &mut s) {
                true => prop_assert_eq!(s, format!("x{d}")),
                false => prop_assert!(
                    s == "x" && (scale != 2 || d.is_zero() || d.mantissa().unsigned_abs() > u128::from(u64::MAX))
                ),
            }
            let small = Decimal::from_parts(lo % 1000, 0, 0, negative, 2);
            let mut s = String::new();
            if plain_cents(small, &mut s) {
                prop_assert_eq!(s, small.to_string());
            }
            let m = Money(d);
            let mut general = d;
            general.rescale(d.normalize().scale().max(2));
            prop_assert_eq!(m.plain(), general.to_string());
            let mut s = String::from("y");
            m.write_plain(&mut s);
            prop_assert_eq!(s, format!("y{general}"));
        }
    }

    #[test]
    fn display_and_wan() {
        let m = Money::from_cents(174_386_000);
        assert_eq!(m.to_string(), "1,743,860.00");
        assert_eq!(m.wan_string(), "174.39万元");
        assert_eq!(Money::from_cents(-123).to_string(), "-1.23");
        assert_eq!(Money::from_cents(0).plain(), "0.00");
        let sub: Money = "1000.005".parse().unwrap();
        assert!(sub.has_sub_cent());
        assert_eq!(sub.plain(), "1000.005");
    }

    #[test]
    fn stated_tolerance() {
        let s = StatedAmount::new(Decimal::new(174386, 2), MoneyUnit::Wan);
        assert_eq!(s.money(), Money::from_cents(1_743_860_000));
        assert_eq!(s.tolerance(), Money::from_cents(5000));
        assert_eq!(s.display(), "1,743.86万元");
    }

    #[test]
    fn serde_is_exact() {
        let m: Money = serde_json::from_str("\"0.30\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"0.30\"");
        let f: Money = serde_json::from_str("0.3").unwrap();
        assert_eq!(f, m);
    }
}

/// Serde helper: an optional `Decimal` as an exact string.
pub mod opt_decimal_str {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::decimal_str::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "super::decimal_str")] Decimal);
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}
