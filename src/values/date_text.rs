//! Dates typed as text (`2024/1/1`, `2024年1月1日`, `20240101` …) and Excel date serials.

use std::fmt;

use super::text::halfwidth_char;
use crate::model::{days_in_month, is_leap, Date};

/// Why a text is not a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateTextErrorKind {
    /// Nothing but whitespace.
    Empty,
    /// Not one of the accepted forms.
    Format,
    /// Year 0000.
    Year(u32),
    /// A month outside 1–12.
    Month(u32),
    /// A day the month does not have.
    Day { year: u32, month: u32, day: u32 },
}

/// A text that could not be read as a date: the text as given, and why.
///
/// ```
/// use jixiao::values::parse_date_text;
/// let e = parse_date_text("2024-02-30").unwrap_err();
/// assert_eq!(e.text, "2024-02-30");
/// assert_eq!(e.to_string(), "「2024-02-30」不是有效日期：2024年2月没有30日");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTextError {
    /// The text exactly as given.
    pub text: String,
    pub kind: DateTextErrorKind,
}

impl DateTextError {
    /// The reason alone, in Chinese.
    ///
    /// ```
    /// use jixiao::values::parse_date_text;
    /// assert_eq!(parse_date_text("2023-02-29").unwrap_err().reason(), "2023年2月没有29日（2023年不是闰年）");
    /// ```
    pub fn reason(&self) -> String {
        match self.kind {
            DateTextErrorKind::Empty => "内容为空".into(),
            DateTextErrorKind::Format => {
                "无法识别的日期格式（应写作 2024-01-01 或 2024年1月1日）".into()
            }
            DateTextErrorKind::Year(y) => format!("年份{y:04}无效"),
            DateTextErrorKind::Month(m) => format!("月份应为1到12，不是{m}"),
            DateTextErrorKind::Day { day: 0, .. } => "日应从1开始，不能为0".into(),
            DateTextErrorKind::Day { year, month, day } => {
                let leap_note =
                    if month == 2 && day == 29 && !is_leap(i32::try_from(year).unwrap_or(0)) {
                        format!("（{year}年不是闰年）")
                    } else {
                        String::new()
                    };
                format!("{year}年{month}月没有{day}日{leap_note}")
            }
        }
    }
}

impl fmt::Display for DateTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Quoted by its start: the caller's message may quote the cell as well.
        write!(
            f,
            "「{}」不是有效日期：{}",
            super::quote_short(&self.text),
            self.reason()
        )
    }
}

impl std::error::Error for DateTextError {}

/// Reads a date typed as text, year first.
///
/// Accepted: `2024-01-01`, `2024/1/1`, `2024.1.1`, `2024年1月1日` (also with `号`, spaces, or
/// no final `日`), `20240101`, full-width digits, and any of these followed by a time such as
/// `00:00:00` (ignored). The year must have four digits; `24/1/1`, and day-first or
/// month-first orders such as `1/1/2024`, are rejected as ambiguous.
///
/// ```
/// use jixiao::model::Date;
/// use jixiao::values::parse_date_text;
/// let d = Date::new(2024, 1, 1).unwrap();
/// assert_eq!(parse_date_text("2024年1月1日"), Ok(d));
/// assert_eq!(parse_date_text("２０２４/1/1 00:00:00"), Ok(d));
/// assert!(parse_date_text("2024-13-01").is_err());
/// ```
pub fn parse_date_text(s: &str) -> Result<Date, DateTextError> {
    let err = |kind| DateTextError {
        text: s.to_string(),
        kind,
    };
    let t: String = s.chars().map(halfwidth_char).collect();
    let t = t.trim();
    if t.is_empty() {
        return Err(err(DateTextErrorKind::Empty));
    }
    let date_part = strip_time(t).ok_or_else(|| err(DateTextErrorKind::Format))?;
    let compact: String = date_part.chars().filter(|c| !c.is_whitespace()).collect();
    let (y, m, d) = split_ymd(&compact).ok_or_else(|| err(DateTextErrorKind::Format))?;
    if y == 0 {
        return Err(err(DateTextErrorKind::Year(y)));
    }
    if !(1..=12).contains(&m) {
        return Err(err(DateTextErrorKind::Month(m)));
    }
    // Both fit: y has four digits, m ≤ 12, d two digits.
    let (year, month) = (y as i32, m as u8);
    if d == 0 || d > u32::from(days_in_month(year, month)) {
        return Err(err(DateTextErrorKind::Day {
            year: y,
            month: m,
            day: d,
        }));
    }
    Date::new(year, month, d as u8).ok_or_else(|| err(DateTextErrorKind::Format))
}

/// The text before a trailing time of day (`00:00`, `0:00:00`, `00:00:00.000`), or the whole
/// text when there is none; `None` when the time is malformed.
fn strip_time(t: &str) -> Option<&str> {
    if !t.contains(':') {
        return Some(t);
    }
    let (i, sep) = t
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || *c == 'T')?;
    let (date, time) = (&t[..i], &t[i + sep.len_utf8()..]);
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let parts: Vec<&str> = hms.split(':').collect();
    let ok_num = |p: &str, max: u32| {
        (1..=2).contains(&p.len())
            && p.chars().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= max)
    };
    let ok = (2..=3).contains(&parts.len())
        && ok_num(parts[0], 23)
        && parts[1..].iter().all(|p| p.len() == 2 && ok_num(p, 59))
        && !frac.is_empty()
        && frac.chars().all(|c| c.is_ascii_digit());
    ok.then_some(date.trim_end())
}

/// Year, month, day from the date text with whitespace removed.
fn split_ymd(t: &str) -> Option<(u32, u32, u32)> {
    let all_digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let num = |p: &str, lens: std::ops::RangeInclusive<usize>| {
        (all_digits(p) && lens.contains(&p.len()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    if t.len() == 8 && all_digits(t) {
        return Some((
            num(&t[..4], 4..=4)?,
            num(&t[4..6], 2..=2)?,
            num(&t[6..], 2..=2)?,
        ));
    }
    let parts: Vec<&str> = if t.contains('年') {
        let t = t
            .strip_suffix('日')
            .or_else(|| t.strip_suffix('号'))
            .unwrap_or(t);
        let (y, rest) = t.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        vec![y, m, d]
    } else {
        let sep = t.chars().find(|c| !c.is_ascii_digit())?;
        if !matches!(sep, '-' | '/' | '.') {
            return None;
        }
        t.split(sep).collect()
    };
    match parts[..] {
        [y, m, d] => Some((num(y, 4..=4)?, num(m, 1..=2)?, num(d, 1..=2)?)),
        _ => None,
    }
}

/// The date of an Excel (1900 system) serial as a cell holds it; the time of day is
/// ignored. Times are first rounded to the millisecond, as Excel displays them, so
/// `45292.99999999999` is 2024-01-02, not 2024-01-01. `None` for non-finite values, serials
/// below 1, and the phantom 1900-02-29 (serial 60).
///
/// ```
/// use jixiao::model::Date;
/// use jixiao::values::date_from_serial;
/// assert_eq!(date_from_serial(45292.0), Date::new(2024, 1, 1));
/// assert_eq!(date_from_serial(45292.75), Date::new(2024, 1, 1));
/// assert_eq!(date_from_serial(f64::NAN), None);
/// ```
pub fn date_from_serial(x: f64) -> Option<Date> {
    const MS_PER_DAY: f64 = 86_400_000.0;
    if !x.is_finite() || !(0.0..3_000_000.0).contains(&x) {
        return None;
    }
    let days = ((x * MS_PER_DAY).round() / MS_PER_DAY).floor();
    Date::from_excel_serial(days as i64)
}

/// [`date_from_serial`] for a workbook whose serials count from another day than the 1900
/// system's: `offset` days are added first ([`crate::model::EXCEL_1904_OFFSET`] for a
/// workbook on the 1904 date system, 0 for the 1900 system).
///
/// ```
/// use jixiao::model::{Date, EXCEL_1904_OFFSET};
/// use jixiao::values::date_from_serial_in;
/// assert_eq!(date_from_serial_in(43830.0, EXCEL_1904_OFFSET), Date::new(2024, 1, 1));
/// assert_eq!(date_from_serial_in(45292.0, 0), Date::new(2024, 1, 1));
/// ```
pub fn date_from_serial_in(x: f64, offset: i64) -> Option<Date> {
    date_from_serial(x + offset as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    fn kind(s: &str) -> DateTextErrorKind {
        match parse_date_text(s) {
            Ok(d) => panic!("{s} parsed as {d}"),
            Err(e) => e.kind,
        }
    }

    #[test]
    fn accepted_forms() {
        let d = date(2024, 1, 1);
        for s in [
            "2024-01-01",
            "2024-1-1",
            "2024/1/1",
            "2024/01/01",
            "2024.1.1",
            "2024年1月1日",
            "2024年01月01日",
            "2024 年 1 月 1 日",
            "2024年1月1号",
            "2024年1月1",
            "20240101",
            "２０２４－０１－０１",
            "２０２４年１月１日",
            "2024-01-01 00:00:00",
            "2024-01-01T00:00:00",
            "2024/1/1 0:00",
            "2024年1月1日 08:30",
            "2024-01-01 23:59:59.999",
            "2024-01-01\u{a0}00:00",
            "  2024-01-01\n",
            "2024\u{3000}年\u{3000}1\u{3000}月\u{3000}1\u{3000}日",
        ] {
            assert_eq!(parse_date_text(s), Ok(d), "{s}");
        }
        assert_eq!(parse_date_text("2024-12-31"), Ok(date(2024, 12, 31)));
        assert_eq!(parse_date_text("2024-02-29"), Ok(date(2024, 2, 29)));
        assert_eq!(parse_date_text("2000-02-29"), Ok(date(2000, 2, 29)));
    }

    #[test]
    fn impossible_dates() {
        let day = |year, month, day| DateTextErrorKind::Day { year, month, day };
        assert_eq!(kind("2024-02-30"), day(2024, 2, 30));
        assert_eq!(kind("2023-02-29"), day(2023, 2, 29));
        assert_eq!(kind("1900-02-29"), day(1900, 2, 29));
        assert_eq!(kind("2024-04-31"), day(2024, 4, 31));
        assert_eq!(kind("2024年6月0日"), day(2024, 6, 0));
        assert_eq!(kind("2024-13-01"), DateTextErrorKind::Month(13));
        assert_eq!(kind("2024年0月1日"), DateTextErrorKind::Month(0));
        assert_eq!(kind("0000-01-01"), DateTextErrorKind::Year(0));
    }

    #[test]
    fn messages() {
        let msg = |s: &str| parse_date_text(s).unwrap_err().to_string();
        assert_eq!(
            msg("2024-02-30"),
            "「2024-02-30」不是有效日期：2024年2月没有30日"
        );
        assert_eq!(
            msg("2023-02-29"),
            "「2023-02-29」不是有效日期：2023年2月没有29日（2023年不是闰年）"
        );
        assert_eq!(
            msg("2024-13-01"),
            "「2024-13-01」不是有效日期：月份应为1到12，不是13"
        );
        assert_eq!(
            msg("2024-01-00"),
            "「2024-01-00」不是有效日期：日应从1开始，不能为0"
        );
        assert_eq!(
            msg("明年"),
            "「明年」不是有效日期：无法识别的日期格式（应写作 2024-01-01 或 2024年1月1日）"
        );
        assert_eq!(msg(" "), "「 」不是有效日期：内容为空");
    }

    #[test]
    fn rejected_forms() {
        for s in [
            "24-1-1",
            "1/1/2024",
            "01/31/2024",
            "2024-1",
            "2024年1月",
            "2024",
            "202411",
            "2024-01-01-01",
            "2024-01/01",
            "2024-001-01",
            "2024年1月1日前",
            "2024-01-01 25:00",
            "2024-01-01 12:5",
            "2024-01-01 abc",
            "2024-01-01 00:00:",
            "二〇二四年一月一日",
            "明年",
            "-2024-01-01",
        ] {
            assert_eq!(kind(s), DateTextErrorKind::Format, "{s}");
        }
        assert_eq!(kind(""), DateTextErrorKind::Empty);
    }

    #[test]
    fn serials() {
        assert_eq!(date_from_serial(45292.0), Some(date(2024, 1, 1)));
        assert_eq!(date_from_serial(45657.0), Some(date(2024, 12, 31)));
        assert_eq!(date_from_serial(45292.5), Some(date(2024, 1, 1)));
        assert_eq!(date_from_serial(45_292.999_999), Some(date(2024, 1, 1)));
        assert_eq!(
            date_from_serial(45_292.999_999_999_99),
            Some(date(2024, 1, 2))
        );
        assert_eq!(date_from_serial(1.0), Some(date(1900, 1, 1)));
        assert_eq!(date_from_serial(61.0), Some(date(1900, 3, 1)));
        assert_eq!(date_from_serial(60.0), None);
        assert_eq!(date_from_serial(0.0), None);
        assert_eq!(date_from_serial(0.5), None);
        assert_eq!(date_from_serial(-1.0), None);
        assert_eq!(date_from_serial(2_958_465.0), Some(date(9999, 12, 31)));
        assert_eq!(date_from_serial(2_958_466.0), None);
        assert_eq!(date_from_serial(1e300), None);
        assert_eq!(date_from_serial(f64::INFINITY), None);
        assert_eq!(date_from_serial(f64::NAN), None);
    }

    fn fullwidth(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .collect()
    }

    fn valid_date() -> impl Strategy<Value = Date> {
        (1000i32..=9999, 1u8..=12, 1u8..=31)
            .prop_filter_map("no such day", |(y, m, d)| Date::new(y, m, d))
    }

    proptest! {
        #[test]
        fn every_style_round_trips(date in valid_date()) {
            let (y, m, d) = (date.year(), date.month(), date.day());
            let iso = date.to_string();
            for s in [
                iso.clone(),
                format!("{y}-{m}-{d}"),
                format!("{y}/{m}/{d}"),
                format!("{y}/{m:02}/{d:02}"),
                format!("{y}.{m}.{d}"),
                format!("{y}.{m:02}.{d:02}"),
                format!("{y}年{m}月{d}日"),
                format!("{y}年{m:02}月{d:02}日"),
                format!("{y} 年 {m} 月 {d} 日"),
                format!("{y}年{m}月{d}号"),
                format!("{y}{m:02}{d:02}"),
                fullwidth(&iso),
                fullwidth(&format!("{y}年{m}月{d}日")),
                format!("{iso} 00:00:00"),
                format!("{y}/{m}/{d} 0:00"),
            ] {
                prop_assert_eq!(parse_date_text(&s), Ok(date), "{}", s);
            }
        }

        #[test]
        fn serial_round_trips(date in valid_date(), frac in 0.0f64..0.999) {
            prop_assume!(date.year() >= 1901);
            let serial = date.excel_serial() as f64;
            prop_assert_eq!(date_from_serial(serial), Some(date));
            prop_assert_eq!(date_from_serial(serial + frac), Some(date));
        }

        #[test]
        fn never_panics(s in any::<String>(), x in any::<f64>()) {
            if let Err(e) = parse_date_text(&s) {
                prop_assert_eq!(e.text, s);
            }
            let _ = date_from_serial(x);
        }

        #[test]
        fn never_panics_on_near_misses(s in "[0-9年月日号 :./T-]{0,20}") {
            let _ = parse_date_text(&s);
        }
    }
}
