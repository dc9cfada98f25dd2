//! Numbers from Excel cells, as Excel shows them.

use rust_decimal::Decimal;

/// Decimal's largest scale.
const MAX_SCALE: i32 = 28;

/// The exact decimal Excel displays for a cell's `f64`: the value rounded to 15 significant
/// digits (Excel's display precision), trailing zeros removed.
///
/// Binary noise disappears (`0.1 + 0.2` is `0.3`, `1743.86 * 10000` is `17438600`).
/// `None` for NaN, infinities, and values outside what a `Decimal` holds (magnitude at
/// or above about 7.9e28, or non-zero but below 1e-28).
///
/// ```
/// use jixiao::values::decimal_from_f64;
/// use rust_decimal::Decimal;
/// assert_eq!(decimal_from_f64(0.1 + 0.2), Some(Decimal::new(3, 1)));
/// assert_eq!(decimal_from_f64(1743.86 * 10000.0).unwrap().to_string(), "17438600");
/// assert_eq!(decimal_from_f64(1000000.0).unwrap().to_string(), "1000000");
/// assert_eq!(decimal_from_f64(f64::NAN), None);
/// ```
pub fn decimal_from_f64(x: f64) -> Option<Decimal> {
    if !x.is_finite() {
        return None;
    }
    whole_cents(x).or_else(|| round_to_15_digits(x))
}

/// What money cells hold, quickly: whole 元 or 分. When `x` is the double nearest to
/// m/100 with |m| < 10^15, m/100 has at most 15 significant digits and `x` is within half
/// an ulp of it, so rounding `x` to 15 digits gives m/100 itself.
fn whole_cents(x: f64) -> Option<Decimal> {
    let cents = (x * 100.0).round();
    (cents.abs() < 1e15 && cents / 100.0 == x).then(|| Decimal::new(cents as i64, 2).normalize())
}

/// Any finite `x` rounded to 15 significant digits, through its decimal text.
fn round_to_15_digits(x: f64) -> Option<Decimal> {
    // `{:.14e}` is the exact decimal rounding to 15 significant digits: `d.dddddddddddddde±x`.
    let s = format!("{x:.14e}");
    let (mantissa, exp) = s.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut m: i128 = digits.parse().ok()?;
    if m == 0 {
        return Some(Decimal::ZERO);
    }
    if negative {
        m = -m;
    }
    let mut scale = 14 - exp;
    if scale <= 0 {
        let factor = 10i128.checked_pow(u32::try_from(-scale).ok()?)?;
        let v = m.checked_mul(factor)?;
        return Decimal::try_from_i128_with_scale(v, 0).ok();
    }
    while scale > 0 && m % 10 == 0 {
        m /= 10;
        scale -= 1;
    }
    if scale > MAX_SCALE {
        // Beyond Decimal's 28 places: round half away from zero at the 28th.
        let drop = u32::try_from(scale - MAX_SCALE).ok()?;
        let Some(div) = 10i128.checked_pow(drop) else {
            return None; // every digit would go: too small to hold
        };
        let (q, r) = (m / div, m % div);
        m = if r.abs() * 2 >= div {
            q + m.signum()
        } else {
            q
        };
        scale = MAX_SCALE;
        if m == 0 {
            return None;
        }
    }
    Decimal::try_from_i128_with_scale(m, u32::try_from(scale).ok()?)
        .ok()
        .map(|d| d.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn shows_what_excel_shows() {
        assert_eq!(decimal_from_f64(0.1 + 0.2), Some(d("0.3")));
        assert_eq!(decimal_from_f64(1743.86 * 10000.0), Some(d("17438600")));
        assert_eq!(
            decimal_from_f64(1743.86 * 10000.0).unwrap().to_string(),
            "17438600"
        );
        assert_eq!(decimal_from_f64(1000000.0).unwrap().to_string(), "1000000");
        assert_eq!(decimal_from_f64(0.0).unwrap().to_string(), "0");
        assert_eq!(decimal_from_f64(-0.0).unwrap().to_string(), "0");
        assert_eq!(decimal_from_f64(1.5).unwrap().to_string(), "1.5");
        assert_eq!(decimal_from_f64(123.45).unwrap().to_string(), "123.45");
        assert_eq!(decimal_from_f64(1.005).unwrap().to_string(), "1.005");
        assert_eq!(decimal_from_f64(1.1 * 1.1).unwrap().to_string(), "1.21");
        assert_eq!(
            decimal_from_f64(100.0 / 3.0).unwrap().to_string(),
            "33.3333333333333"
        );
        assert_eq!(
            decimal_from_f64(2.0 / 3.0).unwrap().to_string(),
            "0.666666666666667"
        );
    }

    #[test]
    fn negatives() {
        assert_eq!(decimal_from_f64(-0.1 - 0.2), Some(d("-0.3")));
        assert_eq!(decimal_from_f64(-1234.56).unwrap().to_string(), "-1234.56");
        assert_eq!(
            decimal_from_f64(-1e20).unwrap().to_string(),
            "-100000000000000000000"
        );
    }

    #[test]
    fn large_and_tiny() {
        assert_eq!(
            decimal_from_f64(1e20).unwrap().to_string(),
            "100000000000000000000"
        );
        assert_eq!(
            decimal_from_f64(1.23456789012345e27),
            Some(d("1234567890123450000000000000"))
        );
        assert_eq!(
            decimal_from_f64(7e28),
            Some(d("70000000000000000000000000000"))
        );
        assert_eq!(decimal_from_f64(8e28), None);
        assert_eq!(decimal_from_f64(1e300), None);
        assert_eq!(decimal_from_f64(f64::MAX), None);
        assert_eq!(decimal_from_f64(f64::MIN), None);
        assert_eq!(decimal_from_f64(1e-20), Some(d("0.00000000000000000001")));
        assert_eq!(decimal_from_f64(-1e-20), Some(d("-0.00000000000000000001")));
        assert_eq!(decimal_from_f64(1e-28), Some(Decimal::new(1, 28)));
        // More digits than 28 places hold are rounded away.
        assert_eq!(
            decimal_from_f64(1.23456789012345e-20),
            Some(d("0.0000000000000000000123456789"))
        );
        assert_eq!(decimal_from_f64(1e-29), None);
        assert_eq!(decimal_from_f64(f64::MIN_POSITIVE), None);
        assert_eq!(decimal_from_f64(5e-324), None);
    }

    #[test]
    fn not_finite() {
        assert_eq!(decimal_from_f64(f64::NAN), None);
        assert_eq!(decimal_from_f64(f64::INFINITY), None);
        assert_eq!(decimal_from_f64(f64::NEG_INFINITY), None);
    }

    #[test]
    fn fifteen_digits() {
        assert_eq!(
            decimal_from_f64(123456789012345.0),
            Some(d("123456789012345"))
        );
        // The 16th digit is beyond Excel's display and rounds away.
        assert_eq!(
            decimal_from_f64(1234567890123456.0),
            Some(d("1234567890123460"))
        );
        assert_eq!(
            decimal_from_f64(0.1234567890123456),
            Some(d("0.123456789012346"))
        );
    }

    proptest! {
        #[test]
        fn cents_are_exact(c in -999_999_999_999_999i64..=999_999_999_999_999i64) {
            prop_assert_eq!(decimal_from_f64(c as f64 / 100.0), Some(Decimal::new(c, 2)));
        }

        #[test]
        fn the_fast_path_agrees(x in any::<f64>(), c in -999_999_999_999_999i64..=999_999_999_999_999i64) {
            for v in [x, c as f64 / 100.0, c as f64, x.round(), (x * 100.0).round() / 100.0] {
                if let Some(fast) = whole_cents(v) {
                    prop_assert_eq!(Some(fast.to_string()), round_to_15_digits(v).map(|d| d.to_string()), "{}", v);
                }
            }
        }

        #[test]
        fn never_panics(x in any::<f64>()) {
            let _ = decimal_from_f64(x);
        }

        #[test]
        fn sums_of_cents_are_exact(a in 0i64..1_000_000_000, b in 0i64..1_000_000_000) {
            let x = a as f64 / 100.0 + b as f64 / 100.0;
            prop_assert_eq!(decimal_from_f64(x), Some(Decimal::new(a + b, 2)));
        }
    }
}
