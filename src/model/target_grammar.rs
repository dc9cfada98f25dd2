//! The grammar of 指标值 text. Kept apart from the type so it can grow (and be fuzzed).
//!
//! Recognised, after folding full-width characters and dropping whitespace:
//! - Quantitative: `[op] number [unit] [以上|以下|以内|内]`, where op is a symbol
//!   (`≥ ≤ = > < >= <= ≧ ≦ ⩾ ⩽`, full-width too) or a word (`不少于`, `不超过`, `达到` …),
//!   the number may have thousands commas and decimals, and the unit is bracketed
//!   (`(%)`, `（次）`) or trails (`85%`, `10次`). No op means `=`. A word after the number
//!   sets the op (`85%以上` is ≥) and overrides `达到`; conflicting ops are `Unparsed`.
//! - Deadline: a date followed by `前`/`之前`/`以前` (`2024年12月31日前`, `2024年底前`,
//!   `12月31日前`, `年底前`, `2024-12-31前`) or `2024年内`, optionally then `完成`. With
//!   an explicit year and month (or 年底) the `前` may be left out: `2024年12月31日`.
//!   `2024年前` is refused: it may mean before 2024 or within it; so is a bare `2024年`.
//! - Qualitative: text with no digits.
//!
//! Anything else with digits is `Unparsed`.

use super::date::days_in_month;
use super::target::{Op, TargetKind};
use rust_decimal::Decimal;

/// Parses the text of a 指标值. Never panics.
///
/// The module is private; [`Target::parse`](super::Target::parse) calls this.
///
/// ```
/// use jixiao::model::{Op, Target, TargetKind};
/// let parse = |s: &str| Target::parse(s).kind().clone();
/// assert!(matches!(parse("不低于85%"), TargetKind::Quantitative { op: Op::Ge, .. }));
/// assert_eq!(
///     parse("2024年底前"),
///     TargetKind::Deadline { year: Some(2024), month: Some(12), day: Some(31) }
/// );
/// assert_eq!(parse("及时"), TargetKind::Qualitative);
/// assert_eq!(parse("90%-100%"), TargetKind::Unparsed);
/// ```
pub fn parse(text: &str) -> TargetKind {
    // Most values need no folding (`≥95.00(%)`, `有效`): no copy for them.
    let t: std::borrow::Cow<str> = if text.chars().all(|c| halfwidth(c) == c && !is_blank(c)) {
        text.into()
    } else {
        text.chars()
            .map(halfwidth)
            .filter(|c| !is_blank(*c))
            .collect::<String>()
            .into()
    };
    if t.is_empty() {
        return TargetKind::Unparsed;
    }
    // A third of all values are words (`有效`, `完成`): with no digit there is no number,
    // so no quantity and none of its forty operator words need trying.
    if !t.bytes().any(|b| b.is_ascii_digit()) {
        return deadline(&t).unwrap_or(TargetKind::Qualitative);
    }
    if let Some(k) = deadline(&t) {
        return k;
    }
    if let Some(k) = quantitative(&t) {
        return k;
    }
    TargetKind::Unparsed
}

/// Full-width ASCII and the ideographic space to ASCII (the model does not depend on
/// `values`, so this small step is repeated here).
fn halfwidth(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

/// Operators before the number, longest first so `大于等于` wins over `大于`.
const PREFIX_OPS: &[(&str, Op)] = &[
    (">=", Op::Ge),
    ("≥", Op::Ge),
    ("≧", Op::Ge),
    ("⩾", Op::Ge),
    ("<=", Op::Le),
    ("≤", Op::Le),
    ("≦", Op::Le),
    ("⩽", Op::Le),
    ("=", Op::Eq),
    (">", Op::Gt),
    ("<", Op::Lt),
    ("大于或等于", Op::Ge),
    ("大于等于", Op::Ge),
    ("不少于", Op::Ge),
    ("不低于", Op::Ge),
    ("不小于", Op::Ge),
    ("至少", Op::Ge),
    ("小于或等于", Op::Le),
    ("小于等于", Op::Le),
    ("不超过", Op::Le),
    ("不高于", Op::Le),
    ("不多于", Op::Le),
    ("不大于", Op::Le),
    ("控制在", Op::Le),
    ("大于", Op::Gt),
    ("高于", Op::Gt),
    ("超过", Op::Gt),
    ("多于", Op::Gt),
    ("小于", Op::Lt),
    ("低于", Op::Lt),
    ("少于", Op::Lt),
    ("达到", Op::Eq),
    ("等于", Op::Eq),
];

/// Words after the number and unit; `以上`/`以下` include the number, as in Chinese usage.
const SUFFIX_OPS: &[(&str, Op)] = &[
    ("及以上", Op::Ge),
    ("以上", Op::Ge),
    ("及以下", Op::Le),
    ("以下", Op::Le),
    ("以内", Op::Le),
    ("之内", Op::Le),
    ("内", Op::Le),
];

fn quantitative(t: &str) -> Option<TargetKind> {
    let (prefix_op, rest) = PREFIX_OPS
        .iter()
        .find_map(|(p, op)| t.strip_prefix(p).map(|r| (Some(*op), r)))
        .unwrap_or((None, t));
    let (suffix_op, rest) = SUFFIX_OPS
        .iter()
        .find_map(|(s, op)| rest.strip_suffix(s).map(|r| (Some(*op), r)))
        .unwrap_or((None, rest));
    let op = match (prefix_op, suffix_op) {
        (None, None) => Op::Eq,
        (Some(p), None) => p,
        (None | Some(Op::Eq), Some(s)) => s,
        (Some(p), Some(s)) if p == s => p,
        _ => return None,
    };
    let (value, rest) = number(rest)?;
    let unit = unit(rest)?;
    // `2024年` is a calendar year (a deadline without 前/内), not 2024 years.
    if unit.as_deref() == Some("年")
        && value.fract().is_zero()
        && (Decimal::from(1900)..Decimal::from(3000)).contains(&value)
    {
        return None;
    }
    Some(TargetKind::Quantitative { op, value, unit })
}

/// A leading number (`1,000.00`, `85`, `-5`) and what follows it.
fn number(s: &str) -> Option<(Decimal, &str)> {
    let body = s.strip_prefix('-').unwrap_or(s);
    if !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let end = s.len() - body.len()
        + body
            .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
            .unwrap_or(body.len());
    let (num, rest) = s.split_at(end);
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if num.ends_with('.') || frac.contains(['.', ',']) {
        return None;
    }
    let digits = int.trim_start_matches('-');
    if digits.contains(',') {
        let groups: Vec<&str> = digits.split(',').collect();
        let ok = groups.iter().enumerate().all(|(i, g)| {
            if i == 0 {
                (1..=3).contains(&g.len())
            } else {
                g.len() == 3
            }
        });
        if !ok {
            return None;
        }
    }
    let value = if num.contains(',') {
        let clean: String = num.chars().filter(|c| *c != ',').collect();
        Decimal::from_str_exact(&clean)
    } else {
        Decimal::from_str_exact(num)
    };
    value.ok().map(|v| (v, rest))
}

/// The unit after the number: `(%)`, `（次）` or a bare `次`; `Some(None)` when there is none,
/// `None` when what follows is not a unit.
fn unit(s: &str) -> Option<Option<String>> {
    if s.is_empty() {
        return Some(None);
    }
    let inner = match s.strip_prefix('(') {
        Some(r) => r.strip_suffix(')')?,
        None => s,
    };
    let bad = |c: char| {
        c.is_ascii_digit()
            || matches!(
                c,
                '(' | ')'
                    | '['
                    | ']'
                    | '<'
                    | '>'
                    | '='
                    | '≥'
                    | '≤'
                    | '≧'
                    | '≦'
                    | '⩾'
                    | '⩽'
                    | ','
                    | ';'
                    | '、'
                    | '。'
                    | '，'
                    | '；'
                    // 前 and 底 only occur in dates gone wrong (`24年底前`).
                    | '前'
                    | '底'
            )
    };
    // Units are a few bytes: comparing windows beats building a substring searcher.
    let has = |w: &str| inner.as_bytes().windows(w.len()).any(|x| x == w.as_bytes());
    let prose = SUFFIX_OPS.iter().any(|(w, _)| *w != "内" && has(w));
    if inner.is_empty() || inner.chars().count() > 10 || inner.chars().any(bad) || prose {
        return None;
    }
    Some(Some(inner.to_string()))
}

fn deadline(t: &str) -> Option<TargetKind> {
    let t = t.strip_suffix("完成").unwrap_or(t);
    if let Some(y) = t.strip_suffix("年内") {
        let year = if y.is_empty() { None } else { Some(year(y)?) };
        return Some(TargetKind::Deadline {
            year,
            month: None,
            day: None,
        });
    }
    let (body, has_before) = match ["之前", "以前", "前"]
        .iter()
        .find_map(|s| t.strip_suffix(s))
    {
        Some(b) => (b, true),
        None => (t, false),
    };
    let (year, month, day) =
        if body.starts_with(|c: char| c.is_ascii_digit()) && !body.contains(['年', '月']) {
            iso_date(body)?
        } else {
            cn_date(body)?
        };
    // Without 前 only an unmistakable date counts: a year and a month.
    if !has_before && (year.is_none() || month.is_none()) {
        return None;
    }
    Some(TargetKind::Deadline { year, month, day })
}

type Ymd = (Option<i32>, Option<u8>, Option<u8>);

/// `2024-12-31`, `2024/12/31`, `2024.12.31`.
fn iso_date(s: &str) -> Option<Ymd> {
    let sep = s.chars().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, '-' | '/' | '.') {
        return None;
    }
    let parts: Vec<&str> = s.split(sep).collect();
    let [y, m, d] = parts[..] else {
        return None;
    };
    let (y, m) = (year(y)?, month(m)?);
    Some((Some(y), Some(m), Some(day(d, Some(y), m)?)))
}

/// `2024年12月31日`, `2024年12月底`, `2024年12月`, `2024年底`, `12月31日`, `年底`.
fn cn_date(s: &str) -> Option<Ymd> {
    let (y, rest) = match s.split_once('年') {
        Some((y, r)) => (if y.is_empty() { None } else { Some(year(y)?) }, Some(r)),
        None => (None, None),
    };
    let rest = match rest {
        Some("底" | "末") => return Some((y, Some(12), Some(31))),
        Some(r) => r,
        None => s,
    };
    let (m, d) = rest.split_once('月')?;
    let m = month(m)?;
    let d = match d {
        "" => None,
        "底" | "末" => match y {
            Some(y) => Some(days_in_month(y, m)),
            // February's end depends on the year.
            None if m == 2 => None,
            None => Some(days_in_month(2001, m)),
        },
        _ => {
            let d = d.strip_suffix('日').or_else(|| d.strip_suffix('号'))?;
            Some(day(d, y, m)?)
        }
    };
    Some((y, Some(m), d))
}

fn digits(s: &str, lens: std::ops::RangeInclusive<usize>) -> Option<u32> {
    if !lens.contains(&s.len()) || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn year(s: &str) -> Option<i32> {
    digits(s, 4..=4)
        .filter(|y| *y >= 1)
        .and_then(|y| i32::try_from(y).ok())
}

fn month(s: &str) -> Option<u8> {
    digits(s, 1..=2)
        .filter(|m| (1..=12).contains(m))
        .and_then(|m| u8::try_from(m).ok())
}

/// A day that exists in the month (29 February when the year is not known).
fn day(s: &str, year: Option<i32>, month: u8) -> Option<u8> {
    let max = days_in_month(year.unwrap_or(2000), month);
    digits(s, 1..=2)
        .and_then(|d| u8::try_from(d).ok())
        .filter(|d| (1..=max).contains(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Target;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn q(op: Op, value: &str, unit: Option<&str>) -> TargetKind {
        TargetKind::Quantitative {
            op,
            value: Decimal::from_str(value).unwrap(),
            unit: unit.map(str::to_string),
        }
    }

    fn dl(year: Option<i32>, month: Option<u8>, day: Option<u8>) -> TargetKind {
        TargetKind::Deadline { year, month, day }
    }

    #[track_caller]
    fn check(text: &str, want: TargetKind) {
        let got = parse(text);
        assert_eq!(got, want, "{text}");
        // Scale as written is kept: 85.00 stays 85.00.
        if let (
            TargetKind::Quantitative { value: a, .. },
            TargetKind::Quantitative { value: b, .. },
        ) = (&got, &want)
        {
            assert_eq!(a.to_string(), b.to_string(), "{text}");
        }
    }

    #[test]
    fn symbol_operators() {
        check("≥85%", q(Op::Ge, "85", Some("%")));
        check("≤2.00(万)", q(Op::Le, "2.00", Some("万")));
        check("=100%", q(Op::Eq, "100", Some("%")));
        check("＞90%", q(Op::Gt, "90", Some("%")));
        check("＜5%", q(Op::Lt, "5", Some("%")));
        check(">90%", q(Op::Gt, "90", Some("%")));
        check("<5%", q(Op::Lt, "5", Some("%")));
        check(">=85%", q(Op::Ge, "85", Some("%")));
        check("<=3天", q(Op::Le, "3", Some("天")));
        check("＝1个", q(Op::Eq, "1", Some("个")));
        check("≧85%", q(Op::Ge, "85", Some("%")));
        check("≦10次", q(Op::Le, "10", Some("次")));
        check("⩾85%", q(Op::Ge, "85", Some("%")));
        check("＞＝85％", q(Op::Ge, "85", Some("%")));
        check("≥ 85 %", q(Op::Ge, "85", Some("%")));
    }

    #[test]
    fn word_operators() {
        check("不少于10次", q(Op::Ge, "10", Some("次")));
        check("不低于85%", q(Op::Ge, "85", Some("%")));
        check("至少3个", q(Op::Ge, "3", Some("个")));
        check("大于等于90%", q(Op::Ge, "90", Some("%")));
        check("不超过100万元", q(Op::Le, "100", Some("万元")));
        check("不高于5%", q(Op::Le, "5", Some("%")));
        check("不多于2次", q(Op::Le, "2", Some("次")));
        check("小于等于3天", q(Op::Le, "3", Some("天")));
        check("控制在5%以内", q(Op::Le, "5", Some("%")));
        check("控制在100万元以内", q(Op::Le, "100", Some("万元")));
        check("大于80%", q(Op::Gt, "80", Some("%")));
        check("高于80%", q(Op::Gt, "80", Some("%")));
        check("超过1000人次", q(Op::Gt, "1000", Some("人次")));
        check("多于5家", q(Op::Gt, "5", Some("家")));
        check("小于1%", q(Op::Lt, "1", Some("%")));
        check("低于1%", q(Op::Lt, "1", Some("%")));
        check("少于3起", q(Op::Lt, "3", Some("起")));
        check("达到100%", q(Op::Eq, "100", Some("%")));
        check("等于1", q(Op::Eq, "1", None));
    }

    #[test]
    fn suffix_words() {
        check("85%以上", q(Op::Ge, "85", Some("%")));
        check("90分及以上", q(Op::Ge, "90", Some("分")));
        check("5%以下", q(Op::Le, "5", Some("%")));
        check("3个工作日内", q(Op::Le, "3", Some("个工作日")));
        check("达到95%以上", q(Op::Ge, "95", Some("%")));
        check("≥85%以上", q(Op::Ge, "85", Some("%")));
        // Contradictions are not guessed.
        check("≥85%以下", TargetKind::Unparsed);
        check("不超过5%以上", TargetKind::Unparsed);
    }

    #[test]
    fn numbers_and_units() {
        check("≥1,000.00(次)", q(Op::Ge, "1000.00", Some("次")));
        check("≥85.00(%)", q(Op::Ge, "85.00", Some("%")));
        check("≥85.00（%）", q(Op::Ge, "85.00", Some("%")));
        check("≥10次", q(Op::Ge, "10", Some("次")));
        check("100%", q(Op::Eq, "100", Some("%")));
        check("10次", q(Op::Eq, "10", Some("次")));
        check("１００％", q(Op::Eq, "100", Some("%")));
        check("100", q(Op::Eq, "100", None));
        check("≥85", q(Op::Ge, "85", None));
        check("≥12,345,678人", q(Op::Ge, "12345678", Some("人")));
        check("≤-5%", q(Op::Le, "-5", Some("%")));
        check("≥10次/年", q(Op::Ge, "10", Some("次/年")));
        check("≥85.5(%)", q(Op::Ge, "85.5", Some("%")));
    }

    #[test]
    fn deadlines() {
        let full = dl(Some(2024), Some(12), Some(31));
        check("2024年12月31日前", full.clone());
        check("2024年12月底前", full.clone());
        check("2024年底前", full.clone());
        check("2024-12-31前", full.clone());
        check("2024年12月31日之前", full.clone());
        check("2024年12月31日以前", full.clone());
        check("2024年12月31号前", full.clone());
        check("2024/12/31前", full.clone());
        check("2024.12.31前", full.clone());
        check("2024年末前", full.clone());
        check("2024 年 12 月 31 日前", full.clone());
        check("２０２４年１２月３１日前", full.clone());
        check("2024年12月31日前完成", full.clone());
        check("2024年12月31日", full.clone());
        check("2024年12月底", full.clone());
        check("2024年底", full);
        check("2024年12月前", dl(Some(2024), Some(12), None));
        check("2024年6月", dl(Some(2024), Some(6), None));
        check("12月31日前", dl(None, Some(12), Some(31)));
        check("6月底前", dl(None, Some(6), Some(30)));
        check("12月前", dl(None, Some(12), None));
        check("年底前", dl(None, Some(12), Some(31)));
        check("年末前", dl(None, Some(12), Some(31)));
        check("2024年内", dl(Some(2024), None, None));
        check("2024年内完成", dl(Some(2024), None, None));
        check("年内", dl(None, None, None));
        check("2024-12-31", dl(Some(2024), Some(12), Some(31)));
        check("2024年2月底前", dl(Some(2024), Some(2), Some(29)));
        check("2023年2月底前", dl(Some(2023), Some(2), Some(28)));
        check("2月底前", dl(None, Some(2), None));
        check("2月29日前", dl(None, Some(2), Some(29)));
    }

    #[test]
    fn not_deadlines() {
        // Impossible dates.
        check("2024年13月前", TargetKind::Unparsed);
        check("2023年2月29日前", TargetKind::Unparsed);
        check("2024-02-30前", TargetKind::Unparsed);
        check("12月32日前", TargetKind::Unparsed);
        // Before 2024, or within it? Not guessed.
        check("2024年前", TargetKind::Unparsed);
        check("24年底前", TargetKind::Unparsed);
        // Without 前 a month alone is not a date.
        check("12月31日", TargetKind::Unparsed);
        check("12月", q(Op::Eq, "12", Some("月")));
        check("2024年", TargetKind::Unparsed);
        check("≤2024年", TargetKind::Unparsed);
        check("3年", q(Op::Eq, "3", Some("年")));
        check("≥50年", q(Op::Ge, "50", Some("年")));
    }

    #[test]
    fn qualitative() {
        for s in [
            "优",
            "完成",
            "有效",
            "及时",
            "达成",
            "良好",
            "≥优",
            "年底",
            "逐步提高",
        ] {
            check(s, TargetKind::Qualitative);
        }
        // No digits means qualitative, even when an operator dangles.
        check("≥", TargetKind::Qualitative);
        check("≥%", TargetKind::Qualitative);
    }

    #[test]
    fn unparsed() {
        for s in [
            "",
            "   ",
            "90%-100%",
            "85%~95%",
            "1.2.3%",
            "≥1,00,0次",
            "≥85.%",
            "≥.5",
            "≥85%（满意度）",
            "约85%",
            "第3名",
            "10次以上完成培训",
            "≥10次，≤20次",
            "(85%)",
            "≥85(%",
            "99999999999999999999999999999999%",
        ] {
            check(s, TargetKind::Unparsed);
        }
    }

    /// The grammar as it was before the allocation-free changes, kept as an oracle: the
    /// proptests below check that the faster code gives the same answers.
    mod reference {
        use super::super::{deadline, halfwidth, is_blank, Op, TargetKind, PREFIX_OPS, SUFFIX_OPS};
        use rust_decimal::Decimal;

        pub fn parse(text: &str) -> TargetKind {
            let t: String = text
                .chars()
                .map(halfwidth)
                .filter(|c| !is_blank(*c))
                .collect();
            if t.is_empty() {
                return TargetKind::Unparsed;
            }
            if let Some(k) = deadline(&t) {
                return k;
            }
            if let Some(k) = quantitative(&t) {
                return k;
            }
            if t.chars().any(|c| c.is_ascii_digit()) {
                TargetKind::Unparsed
            } else {
                TargetKind::Qualitative
            }
        }

        fn quantitative(t: &str) -> Option<TargetKind> {
            let (prefix_op, rest) = PREFIX_OPS
                .iter()
                .find_map(|(p, op)| t.strip_prefix(p).map(|r| (Some(*op), r)))
                .unwrap_or((None, t));
            let (suffix_op, rest) = SUFFIX_OPS
                .iter()
                .find_map(|(s, op)| rest.strip_suffix(s).map(|r| (Some(*op), r)))
                .unwrap_or((None, rest));
            let op = match (prefix_op, suffix_op) {
                (None, None) => Op::Eq,
                (Some(p), None) => p,
                (None | Some(Op::Eq), Some(s)) => s,
                (Some(p), Some(s)) if p == s => p,
                _ => return None,
            };
            let (value, rest) = number(rest)?;
            let unit = unit(rest)?;
            if unit.as_deref() == Some("年")
                && value.fract().is_zero()
                && (Decimal::from(1900)..Decimal::from(3000)).contains(&value)
            {
                return None;
            }
            Some(TargetKind::Quantitative { op, value, unit })
        }

        fn number(s: &str) -> Option<(Decimal, &str)> {
            let body = s.strip_prefix('-').unwrap_or(s);
            if !body.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            let end = s.len() - body.len()
                + body
                    .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
                    .unwrap_or(body.len());
            let (num, rest) = s.split_at(end);
            let (int, frac) = num.split_once('.').unwrap_or((num, ""));
            if num.ends_with('.') || frac.contains(['.', ',']) {
                return None;
            }
            let digits = int.trim_start_matches('-');
            if digits.contains(',') {
                let groups: Vec<&str> = digits.split(',').collect();
                let ok = groups.iter().enumerate().all(|(i, g)| {
                    if i == 0 {
                        (1..=3).contains(&g.len())
                    } else {
                        g.len() == 3
                    }
                });
                if !ok {
                    return None;
                }
            }
            let clean: String = num.chars().filter(|c| *c != ',').collect();
            Decimal::from_str_exact(&clean).ok().map(|v| (v, rest))
        }

        fn unit(s: &str) -> Option<Option<String>> {
            if s.is_empty() {
                return Some(None);
            }
            let inner = match s.strip_prefix('(') {
                Some(r) => r.strip_suffix(')')?,
                None => s,
            };
            let bad = |c: char| c.is_ascii_digit() || "()[]<>=≥≤≧≦⩾⩽,;、。，；前底".contains(c);
            let prose = SUFFIX_OPS
                .iter()
                .any(|(w, _)| inner.contains(w) && *w != "内");
            if inner.is_empty() || inner.chars().count() > 10 || inner.chars().any(bad) || prose {
                return None;
            }
            Some(Some(inner.to_string()))
        }
    }

    /// Same kind, and the same scale for numbers (`85.00` is not `85` when shown).
    fn same(a: &TargetKind, b: &TargetKind) -> bool {
        match (a, b) {
            (
                TargetKind::Quantitative { value: x, .. },
                TargetKind::Quantitative { value: y, .. },
            ) => a == b && x.to_string() == y.to_string(),
            _ => a == b,
        }
    }
    proptest! {
        #[test]
        fn never_panics_and_keeps_text(s in any::<String>()) {
            let _ = parse(&s);
            let t = Target::parse(&s);
            prop_assert_eq!(t.text(), s.as_str());
        }

        #[test]
        fn never_panics_on_near_misses(
            s in "[0-9,.%()（）≥≤<>=＞＜年月日底前内之以上下次万元达到不超过控制在-]{0,16}"
        ) {
            let t = Target::parse(&s);
            prop_assert_eq!(t.text(), s.as_str());
        }

        #[test]
        fn same_as_reference_on_any_text(s in any::<String>()) {
            prop_assert!(same(&parse(&s), &reference::parse(&s)), "{:?}", s);
        }

        #[test]
        fn same_as_reference_on_near_misses(
            s in "[ 　0-9０-９,.%％()（）≥≤<>=＞＜年月日底前内之以上下及次人万元天个达到不超过控制在、；-]{0,16}"
        ) {
            prop_assert!(same(&parse(&s), &reference::parse(&s)), "{:?}", s);
        }

        #[test]
        fn same_as_reference_on_common_shapes(
            op in "(|≥|≤|＞|＜|=|>=|不低于|不超过|达到|控制在)",
            v in "[0-9]{1,4}(\\.[0-9]{1,2})?",
            unit in "(|%|％|\\(%\\)|（%）|次|人次|万元|\\(个\\)|个工作日|分|年|次/年|以上人)",
            tail in "(|以上|以下|以内|内|及以上| )",
        ) {
            let s = format!("{op}{v}{unit}{tail}");
            prop_assert!(same(&parse(&s), &reference::parse(&s)), "{:?}", s);
        }

        #[test]
        fn symbol_forms_parse(v in 0u32..1_000_000, dp in 0u32..3, unit in "[%次个人天]") {
            let value = Decimal::new(i64::from(v), dp);
            for (sym, op) in [("≥", Op::Ge), ("≤", Op::Le), ("＞", Op::Gt), ("＜", Op::Lt), ("=", Op::Eq)] {
                let want = TargetKind::Quantitative { op, value, unit: Some(unit.clone()) };
                prop_assert_eq!(parse(&format!("{sym}{value}{unit}")), want.clone());
                prop_assert_eq!(parse(&format!("{sym}{value}({unit})")), want);
            }
        }
    }
}
