//! Money typed as text: `1,000,000.00`, `100万元`, `￥1,000.00`, `(1,000.00)`, and
//! 大写金额 such as `人民币壹拾万零伍佰元整`.

use std::fmt;

use rust_decimal::prelude::*;

use super::text::halfwidth_char;
use crate::model::{Money, MoneyUnit};

/// An amount read from text: the money, and the number and unit as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedMoney {
    /// The amount in 元, exact.
    pub money: Money,
    /// The unit the text was written in (大写 is always 元).
    pub unit: MoneyUnit,
    /// The number in that unit, with the decimals as written (`1,000.00` → `1000.00`).
    pub value: Decimal,
}

/// Why a text is not an amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoneyTextErrorKind {
    /// Nothing but whitespace.
    Empty,
    /// No digits at all: `待定`, `见附件`.
    NoNumber,
    /// Characters that belong to no amount, as found (`约`, `abc`).
    Unexpected(String),
    /// `1.2.3`
    MultiplePoints,
    /// Thousands separators not every three digits (`1,00,0`).
    BadGrouping,
    /// A unit with no [`MoneyUnit`] (`亿元`, `千元`).
    UnsupportedUnit(String),
    /// Arabic digits mixed with Chinese numerals (`1百万`, `10万零500元`).
    Mixed,
    /// 大写 that does not follow the rules; the detail says where.
    BadDaxie(String),
    /// Too many digits for an exact decimal, or an amount of 10²⁶ 元 or more (which could
    /// not be shown with its two decimals and read back).
    TooLarge,
}

/// A text that could not be read as an amount: the text as given, and why.
///
/// ```
/// use jixiao::values::parse_money_text;
/// let e = parse_money_text("待定").unwrap_err();
/// assert_eq!(e.text, "待定");
/// assert_eq!(e.to_string(), "「待定」不是有效金额：没有数字");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoneyTextError {
    /// The text exactly as given.
    pub text: String,
    pub kind: MoneyTextErrorKind,
}

impl MoneyTextError {
    /// The reason alone, in Chinese.
    ///
    /// ```
    /// use jixiao::values::parse_money_text;
    /// assert_eq!(parse_money_text("1.2.3").unwrap_err().reason(), "小数点不止一个");
    /// ```
    pub fn reason(&self) -> String {
        match &self.kind {
            MoneyTextErrorKind::Empty => "内容为空".into(),
            MoneyTextErrorKind::NoNumber => "没有数字".into(),
            MoneyTextErrorKind::Unexpected(s) => format!("含有无法识别的内容「{s}」"),
            MoneyTextErrorKind::MultiplePoints => "小数点不止一个".into(),
            MoneyTextErrorKind::BadGrouping => {
                "千分位分隔符位置不对（应每三位一个，如 1,000,000.00）".into()
            }
            MoneyTextErrorKind::UnsupportedUnit(u) => {
                format!("不支持以「{u}」为单位，请换算为元或万元")
            }
            MoneyTextErrorKind::Mixed => "阿拉伯数字与中文数字混写，请只用一种".into(),
            MoneyTextErrorKind::BadDaxie(d) => format!("大写金额写法不规范：{d}"),
            MoneyTextErrorKind::TooLarge => "数字位数过多，超出可处理范围".into(),
        }
    }
}

impl fmt::Display for MoneyTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Quoted by its start: the caller's message may quote the cell as well.
        write!(
            f,
            "「{}」不是有效金额：{}",
            super::quote_short(&self.text),
            self.reason()
        )
    }
}

impl std::error::Error for MoneyTextError {}

/// Half-width, and traditional or variant characters folded to the ones parsed below.
fn fold(c: char) -> char {
    match halfwidth_char(c) {
        '¥' => '￥',
        '\u{2212}' | '\u{FE63}' | '\u{2013}' => '-',
        '\u{FE59}' => '(',
        '\u{FE5A}' => ')',
        '貳' => '贰',
        '參' | '叁' => '叁',
        '陸' => '陆',
        '萬' => '万',
        '億' => '亿',
        '圓' => '圆',
        '兩' => '两',
        other => other,
    }
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '壹' | '一' => 1,
        '贰' | '二' | '两' => 2,
        '叁' | '三' => 3,
        '肆' | '四' => 4,
        '伍' | '五' => 5,
        '陆' | '六' => 6,
        '柒' | '七' => 7,
        '捌' | '八' => 8,
        '玖' | '九' => 9,
        _ => return None,
    })
}

fn cn_place(c: char) -> Option<u32> {
    Some(match c {
        '拾' | '十' => 10,
        '佰' | '百' => 100,
        '仟' | '千' => 1000,
        _ => return None,
    })
}

fn is_cn_numeral(c: char) -> bool {
    cn_digit(c).is_some() || cn_place(c).is_some()
}

/// Reads an amount typed as text.
///
/// Accepted:
/// - Arabic numbers, full-width or not, with `,` or space thousands separators placed every
///   three digits: `1,000,000.00`, `1 000 000`, `１，０００．５０`. Separators anywhere else
///   (`1,00,0`, `1,000,00`) are rejected: a slipped comma may hide a decimal point.
/// - A unit after the number: `元`, `万`, `万元`, optionally followed by `整`/`正`.
///   `亿元` and `千元` are rejected since amounts are kept in 元 or 万元.
/// - `￥`/`¥`/`人民币`/`RMB`/`CNY` before the number; `-` or accounting brackets
///   `(1,000.00)` for negatives.
/// - 大写金额 in capital or everyday numerals: `壹佰万元整`, `人民币壹拾万零伍佰元整`,
///   `壹仟贰佰叁拾肆元伍角陆分`, `叁万元正`, `零元整`, `伍角`, `一百万元`; `万`/`亿` are
///   magnitudes here, so the unit is 元. A bare final digit after a place above 拾
///   (`壹佰伍`, `一万二`) is rejected as ambiguous (150 or 105?); write `壹佰伍拾` or `壹佰零伍`.
///
/// ```
/// use jixiao::model::{Money, MoneyUnit};
/// use jixiao::values::parse_money_text;
/// let p = parse_money_text("100.5 万元").unwrap();
/// assert_eq!(p.money, Money::from_cents(100_500_000));
/// assert_eq!(p.unit, MoneyUnit::Wan);
/// assert_eq!(p.value.to_string(), "100.5");
/// let p = parse_money_text("人民币壹拾万零伍佰元整").unwrap();
/// assert_eq!(p.money, Money::from_cents(10_050_000));
/// assert_eq!(parse_money_text("(1,000.00)").unwrap().money, Money::from_cents(-100_000));
/// assert!(parse_money_text("1,00,0").is_err());
/// ```
pub fn parse_money_text(s: &str) -> Result<ParsedMoney, MoneyTextError> {
    let err = |kind| MoneyTextError {
        text: s.to_string(),
        kind,
    };
    let folded: String = s.chars().map(fold).collect();
    let mut rest = folded.trim_matches(is_blank);
    if rest.is_empty() {
        return Err(err(MoneyTextErrorKind::Empty));
    }

    // Decorations before the number, in any order, each at most once.
    let (mut paren, mut minus, mut currency) = (false, false, false);
    loop {
        rest = rest.trim_start_matches(is_blank);
        if !paren && !minus && rest.starts_with('(') {
            paren = true;
            rest = &rest[1..];
        } else if !minus && !paren && (rest.starts_with('-') || rest.starts_with('负')) {
            minus = true;
            rest = &rest[rest.chars().next().map_or(0, char::len_utf8)..];
        } else if let Some(r) = (!currency)
            .then(|| {
                ["人民币", "RMB", "CNY", "￥"]
                    .iter()
                    .find_map(|p| strip_prefix_ignore_case(rest, p))
            })
            .flatten()
        {
            currency = true;
            rest = r;
        } else {
            break;
        }
    }

    // The closing bracket may come before or after the unit: `(1,000.00)元`, `(1,000.00元)`.
    let owned;
    if paren {
        let Some(i) = rest.rfind(')') else {
            return Err(err(MoneyTextErrorKind::Unexpected("(".into())));
        };
        owned = format!("{}{}", &rest[..i], &rest[i + 1..]);
        rest = owned.as_str();
    }
    let negative = paren || minus;

    let first = rest.chars().next().unwrap_or(' ');
    let (value, unit) = if first.is_ascii_digit() || first == '.' {
        parse_arabic(rest).map_err(err)?
    } else if is_cn_numeral(first) {
        parse_daxie(rest).map_err(err)?
    } else if rest.chars().any(|c| c.is_ascii_digit() || is_cn_numeral(c)) {
        let junk: String = rest
            .chars()
            .take_while(|c| !(c.is_ascii_digit() || is_cn_numeral(*c)))
            .collect();
        return Err(err(MoneyTextErrorKind::Unexpected(junk)));
    } else {
        return Err(err(MoneyTextErrorKind::NoNumber));
    };

    let value = if negative && !value.is_zero() {
        -value
    } else {
        value
    };
    let yuan = match unit {
        MoneyUnit::Yuan => value,
        MoneyUnit::Wan => value
            .checked_mul(Decimal::from(10_000))
            // A product rounded to fit 28 digits is no longer the amount written.
            .filter(|y| y.checked_div(Decimal::from(10_000)) == Some(value))
            .ok_or_else(|| err(MoneyTextErrorKind::TooLarge))?,
    };
    if yuan.abs() >= max_yuan() {
        return Err(err(MoneyTextErrorKind::TooLarge));
    }
    Ok(ParsedMoney {
        money: Money::from_yuan(yuan),
        unit,
        value,
    })
}

/// 10²⁶ 元: above this an amount shown with two decimals no longer fits a `Decimal`.
fn max_yuan() -> Decimal {
    Decimal::from_i128_with_scale(10i128.pow(26), 0)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `1,000.00元`, `100.5 万元`: the number and its unit (sign already removed).
fn parse_arabic(s: &str) -> Result<(Decimal, MoneyUnit), MoneyTextErrorKind> {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ',' || is_blank(*c)))
        .map_or(s.len(), |(i, _)| i);
    let number = s[..end].trim_end_matches(is_blank);
    let suffix: String = s[end..].chars().filter(|c| !is_blank(*c)).collect();
    let unit = match suffix.as_str() {
        "" | "元" | "元整" | "元正" => MoneyUnit::Yuan,
        "万" | "万元" | "万元整" | "万元正" => MoneyUnit::Wan,
        _ => {
            for u in ["亿元", "亿", "千元"] {
                if suffix.starts_with(u) {
                    return Err(MoneyTextErrorKind::UnsupportedUnit(u.into()));
                }
            }
            if suffix.chars().any(is_cn_numeral) {
                return Err(MoneyTextErrorKind::Mixed);
            }
            return Err(MoneyTextErrorKind::Unexpected(suffix));
        }
    };

    let (int, frac) = match number.split_once('.') {
        Some((_, f)) if f.contains('.') => return Err(MoneyTextErrorKind::MultiplePoints),
        Some((i, f)) => (i, Some(f)),
        None => (number, None),
    };
    let digits = check_grouping(int)?;
    let frac = frac.unwrap_or("");
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(MoneyTextErrorKind::BadGrouping);
    }
    if digits.is_empty() && frac.is_empty() {
        return Err(MoneyTextErrorKind::Unexpected(number.to_string()));
    }
    let text = format!(
        "{}.{}",
        if digits.is_empty() { "0" } else { &digits },
        if frac.is_empty() { "0" } else { frac }
    );
    let mut value = Decimal::from_str_exact(&text).map_err(|_| MoneyTextErrorKind::TooLarge)?;
    // Keep the decimals as written: `1000` stays `1000`, `1000.00` stays `1000.00`.
    let scale = u32::try_from(frac.len()).map_err(|_| MoneyTextErrorKind::TooLarge)?;
    if value.scale() != scale {
        value.rescale(scale);
    }
    Ok((value, unit))
}

/// The digits of an integer part whose separators (`,` or spaces, one kind) fall every three
/// digits from the right.
fn check_grouping(int: &str) -> Result<String, MoneyTextErrorKind> {
    let has_comma = int.contains(',');
    let has_space = int.chars().any(is_blank);
    if !has_comma && !has_space {
        return Ok(int.to_string());
    }
    if has_comma && has_space {
        return Err(MoneyTextErrorKind::BadGrouping);
    }
    let groups: Vec<&str> = int.split(|c: char| c == ',' || is_blank(c)).collect();
    let ok = groups.iter().enumerate().all(|(i, g)| {
        if i == 0 {
            (1..=3).contains(&g.len())
        } else {
            g.len() == 3
        }
    });
    if !ok {
        return Err(MoneyTextErrorKind::BadGrouping);
    }
    Ok(groups.concat())
}

/// 大写金额 (sign and `人民币` already removed).
fn parse_daxie(s: &str) -> Result<(Decimal, MoneyUnit), MoneyTextErrorKind> {
    let bad = |d: &str| MoneyTextErrorKind::BadDaxie(d.to_string());
    let chars: Vec<char> = s.chars().filter(|c| !is_blank(*c)).collect();
    if chars.iter().any(char::is_ascii_digit) {
        return Err(MoneyTextErrorKind::Mixed);
    }
    if let Some(c) = chars.iter().find(|c| {
        !(is_cn_numeral(**c) || matches!(c, '万' | '亿' | '元' | '圆' | '角' | '分' | '整' | '正'))
    }) {
        return Err(MoneyTextErrorKind::Unexpected(c.to_string()));
    }
    let mut body: &[char] = &chars;
    if let [head @ .., '整' | '正'] = body {
        body = head;
    }
    if body.iter().any(|c| matches!(c, '整' | '正')) {
        return Err(bad("「整」只能写在最后"));
    }
    let yuan_marks = body.iter().filter(|c| matches!(c, '元' | '圆')).count();
    if yuan_marks > 1 {
        return Err(bad("「元」出现不止一次"));
    }
    let (int, frac): (&[char], &[char]) = match body.iter().position(|c| matches!(c, '元' | '圆'))
    {
        Some(i) => {
            if i == 0 {
                return Err(bad("「元」前面缺少数字"));
            }
            (&body[..i], &body[i + 1..])
        }
        None if body.iter().any(|c| matches!(c, '角' | '分')) => (&[], body),
        None => (body, &[]),
    };
    if int.is_empty() && frac.is_empty() {
        return Err(bad("没有数字"));
    }
    // Each 亿 multiplies everything before it; past three, no Decimal holds the result.
    if int.iter().filter(|c| **c == '亿').count() > 3 {
        return Err(MoneyTextErrorKind::TooLarge);
    }
    let yuan = if int.is_empty() {
        0
    } else {
        parse_cn_int(int).map_err(MoneyTextErrorKind::BadDaxie)?
    };
    let cents = parse_cn_frac(frac).map_err(MoneyTextErrorKind::BadDaxie)?;
    let total = yuan
        .checked_mul(100)
        .and_then(|y| y.checked_add(u128::from(cents)))
        .and_then(|t| i128::try_from(t).ok())
        .ok_or(MoneyTextErrorKind::TooLarge)?;
    let value = Decimal::try_from_i128_with_scale(total, 2)
        .map_err(|_| MoneyTextErrorKind::TooLarge)?
        .normalize();
    Ok((value, MoneyUnit::Yuan))
}

/// What came just before the current position, to judge a bare final digit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Nothing: the start of the number.
    Start,
    /// 零
    Zero,
    /// 万 or 亿 without a 零 after it.
    Big,
    /// 拾, 佰 or 仟.
    Place(u32),
}

/// An integer in Chinese numerals: `壹亿零伍佰万`, `一百万`, `零`.
fn parse_cn_int(s: &[char]) -> Result<u128, String> {
    if let [c] = s {
        if cn_digit(*c) == Some(0) {
            return Ok(0);
        }
    }
    match s.iter().rposition(|c| *c == '亿') {
        Some(i) => {
            if i == 0 {
                return Err("「亿」前面缺少数字".into());
            }
            let hi = parse_cn_int(&s[..i])?;
            let lo = parse_below_yi(&s[i + 1..], Prev::Big)?;
            hi.checked_mul(100_000_000)
                .and_then(|h| h.checked_add(lo))
                .ok_or_else(|| "数额过大".to_string())
        }
        None => parse_below_yi(s, Prev::Start),
    }
}

/// Below 亿: `[节 万] 节`.
fn parse_below_yi(s: &[char], prev: Prev) -> Result<u128, String> {
    match s.iter().position(|c| *c == '万') {
        Some(i) => {
            if i == 0 {
                return Err("「万」前面缺少数字".into());
            }
            let hi = parse_section(&s[..i], prev)?;
            if hi == 0 {
                return Err("「万」前面缺少数字".into());
            }
            let lo = parse_section(&s[i + 1..], Prev::Big)?;
            Ok(u128::from(hi) * 10_000 + u128::from(lo))
        }
        None => parse_section(s, prev).map(u128::from),
    }
}

/// A four-digit section: `[D仟] [零] [D佰] [零] [D拾|拾] [零] [D]`.
fn parse_section(s: &[char], mut prev: Prev) -> Result<u32, String> {
    let mut value = 0u32;
    let mut next_place_below = 10_000u32;
    let mut digit: Option<u32> = None;
    for &c in s {
        if let Some(p) = cn_place(c) {
            if p >= next_place_below {
                return Err(format!("「{c}」的位置不对"));
            }
            let d = match digit.take() {
                Some(d) => d,
                None if p == 10 => 1, // 拾元 = 10
                None => return Err(format!("「{c}」前面缺少数字")),
            };
            value += d * p;
            next_place_below = p;
            prev = Prev::Place(p);
        } else if let Some(d) = cn_digit(c) {
            if digit.is_some() {
                return Err("两个数字相连，缺少「拾」「佰」「仟」等位".into());
            }
            if d == 0 {
                match prev {
                    Prev::Start => return Err("开头多余的「零」".into()),
                    Prev::Zero => return Err("「零」重复".into()),
                    _ => prev = Prev::Zero,
                }
            } else {
                digit = Some(d);
            }
        } else {
            return Err(format!("「{c}」的位置不对"));
        }
    }
    match digit {
        Some(d) => {
            // `壹佰伍` may mean 150 (colloquial) or 105: refuse to guess.
            if !matches!(prev, Prev::Start | Prev::Zero | Prev::Place(10)) {
                return Err("末位数字前缺少「拾」或「零」，数额有歧义".into());
            }
            value += d;
        }
        None if prev == Prev::Zero => return Err("「零」后面缺少数字".into()),
        None => {}
    }
    Ok(value)
}

/// After 元: `[零] [D角] [零] [D分]` → cents.
fn parse_cn_frac(s: &[char]) -> Result<u32, String> {
    let mut cents = 0;
    let mut i = 0;
    let mut done_jiao = false;
    let mut done_fen = false;
    while i < s.len() {
        let c = s[i];
        let d = cn_digit(c).ok_or_else(|| format!("「{c}」的位置不对"))?;
        match s.get(i + 1) {
            Some('角') if !done_jiao && !done_fen => {
                cents += d * 10;
                done_jiao = true;
                i += 2;
            }
            Some('分') if !done_fen => {
                cents += d;
                done_fen = true;
                i += 2;
            }
            // A 零 standing for an empty place: `壹佰元零伍分`.
            Some('角' | '分') => return Err("「角」「分」重复或顺序不对".into()),
            Some(_) if d == 0 && (i == 0 || done_jiao) => i += 1,
            _ => return Err("元以下只能写「角」「分」".into()),
        }
    }
    Ok(cents)
}

const CN_DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// The standard 大写 of an amount, rounded to the 分: `壹佰万元整`, `壹佰元零伍分`,
/// `负伍角`.
///
/// ```
/// use jixiao::model::Money;
/// use jixiao::values::format_daxie;
/// assert_eq!(format_daxie(Money::from_cents(100_000_000)), "壹佰万元整");
/// assert_eq!(format_daxie(Money::from_cents(123_456)), "壹仟贰佰叁拾肆元伍角陆分");
/// assert_eq!(format_daxie(Money::from_cents(10_005)), "壹佰元零伍分");
/// assert_eq!(format_daxie(Money::ZERO), "零元整");
/// ```
pub fn format_daxie(m: Money) -> String {
    let r = m
        .yuan()
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let int = r.trunc().abs();
    let cents = ((r.abs() - int) * Decimal::ONE_HUNDRED)
        .to_u32()
        .unwrap_or(0);
    let int = int.to_u128().unwrap_or(0);
    if int == 0 && cents == 0 {
        return "零元整".into();
    }
    let mut out = String::new();
    if r.is_sign_negative() {
        out.push('负');
    }
    let (jiao, fen) = (cents / 10, cents % 10);
    if int > 0 {
        out.push_str(&format_cn_int(int));
        out.push('元');
        if cents == 0 {
            out.push('整');
            return out;
        }
        if jiao == 0 {
            out.push('零');
        }
    }
    if jiao > 0 {
        out.push(CN_DIGITS[jiao as usize]);
        out.push('角');
    }
    if fen > 0 {
        out.push(CN_DIGITS[fen as usize]);
        out.push('分');
    }
    out
}

/// A positive integer in capital numerals.
fn format_cn_int(n: u128) -> String {
    const YI: u128 = 100_000_000;
    if n >= YI {
        let (hi, lo) = (n / YI, n % YI);
        let mut s = format_cn_int(hi);
        s.push('亿');
        if lo > 0 {
            if lo < 10_000_000 {
                s.push('零');
            }
            s.push_str(&format_below_yi(lo));
        }
        s
    } else {
        format_below_yi(n)
    }
}

fn format_below_yi(n: u128) -> String {
    let (hi, lo) = (n / 10_000, n % 10_000);
    let mut s = String::new();
    if hi > 0 {
        s.push_str(&format_section(hi));
        s.push('万');
        if lo > 0 && lo < 1000 {
            s.push('零');
        }
    }
    if lo > 0 {
        s.push_str(&format_section(lo));
    }
    s
}

fn format_section(n: u128) -> String {
    let mut s = String::new();
    let mut started = false;
    let mut zero = false;
    for (p, name) in [
        (1000, Some('仟')),
        (100, Some('佰')),
        (10, Some('拾')),
        (1, None),
    ] {
        let d = (n / p % 10) as usize;
        if d == 0 {
            zero = started;
            continue;
        }
        if zero {
            s.push('零');
            zero = false;
        }
        s.push(CN_DIGITS[d]);
        s.extend(name);
        started = true;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(s: &str) -> Money {
        parse_money_text(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .money
    }

    fn yuan(s: &str) -> Money {
        s.parse().unwrap()
    }

    fn kind(s: &str) -> MoneyTextErrorKind {
        match parse_money_text(s) {
            Ok(p) => panic!("{s} parsed as {p:?}"),
            Err(e) => e.kind,
        }
    }

    #[test]
    fn arabic() {
        assert_eq!(money("1,000,000.00"), yuan("1000000"));
        assert_eq!(money("1000000"), yuan("1000000"));
        assert_eq!(money("１００００"), yuan("10000"));
        assert_eq!(money("1 000 000"), yuan("1000000"));
        assert_eq!(money("1\u{a0}000\u{a0}000.5"), yuan("1000000.5"));
        assert_eq!(money("￥1,000.00"), yuan("1000"));
        assert_eq!(money("¥1,000.00"), yuan("1000"));
        assert_eq!(money("￥ 1,000.00"), yuan("1000"));
        assert_eq!(money("1000元"), yuan("1000"));
        assert_eq!(money("1000 元整"), yuan("1000"));
        assert_eq!(money("100万元"), yuan("1000000"));
        assert_eq!(money("100万"), yuan("1000000"));
        assert_eq!(money("100.5 万元"), yuan("1005000"));
        assert_eq!(money("1,743.86万元"), yuan("17438600"));
        assert_eq!(money("-1,000.00"), yuan("-1000"));
        assert_eq!(money("−1,000.00"), yuan("-1000"));
        assert_eq!(money("(1,000.00)"), yuan("-1000"));
        assert_eq!(money("（1,000.00）"), yuan("-1000"));
        assert_eq!(money("(1,000.00)元"), yuan("-1000"));
        assert_eq!(money("(￥1,000.00)"), yuan("-1000"));
        assert_eq!(money("-100万元"), yuan("-1000000"));
        assert_eq!(money("１，０００．５０"), yuan("1000.5"));
        assert_eq!(money("RMB 1,000"), yuan("1000"));
        assert_eq!(money("人民币1000元"), yuan("1000"));
        assert_eq!(money("0"), Money::ZERO);
        assert_eq!(money("-0.00"), Money::ZERO);
        assert_eq!(money(".5"), yuan("0.5"));
        assert_eq!(money("1000.005"), yuan("1000.005"));
        assert_eq!(money("  1000\n"), yuan("1000"));
    }

    #[test]
    fn unit_and_value_as_written() {
        let p = parse_money_text("1,743.86万元").unwrap();
        assert_eq!(p.unit, MoneyUnit::Wan);
        assert_eq!(p.value.to_string(), "1743.86");
        let p = parse_money_text("1,000.00").unwrap();
        assert_eq!(p.unit, MoneyUnit::Yuan);
        assert_eq!(p.value.to_string(), "1000.00");
        let p = parse_money_text("1000").unwrap();
        assert_eq!(p.value.to_string(), "1000");
        let p = parse_money_text("-100.50万").unwrap();
        assert_eq!(p.value.to_string(), "-100.50");
        assert_eq!(p.money, yuan("-1005000"));
        let p = parse_money_text("壹佰万元整").unwrap();
        assert_eq!(p.unit, MoneyUnit::Yuan);
        assert_eq!(p.value.to_string(), "1000000");
    }

    #[test]
    fn daxie() {
        assert_eq!(money("壹佰万元整"), yuan("1000000"));
        assert_eq!(money("人民币壹拾万零伍佰元整"), yuan("100500"));
        assert_eq!(money("壹仟贰佰叁拾肆元伍角陆分"), yuan("1234.56"));
        assert_eq!(money("叁万元正"), yuan("30000"));
        assert_eq!(money("零元整"), Money::ZERO);
        assert_eq!(money("贰亿元整"), yuan("200000000"));
        assert_eq!(money("一百万元"), yuan("1000000"));
        assert_eq!(money("壹佰元零伍分"), yuan("100.05"));
        assert_eq!(money("壹佰元伍角"), yuan("100.5"));
        assert_eq!(money("壹佰元零伍角"), yuan("100.5"));
        assert_eq!(money("伍角陆分"), yuan("0.56"));
        assert_eq!(money("伍分"), yuan("0.05"));
        assert_eq!(money("零元伍角"), yuan("0.5"));
        assert_eq!(money("拾元整"), yuan("10"));
        assert_eq!(money("壹拾伍元"), yuan("15"));
        assert_eq!(money("壹仟零伍元"), yuan("1005"));
        assert_eq!(money("壹仟零伍拾元"), yuan("1050"));
        assert_eq!(money("壹万零伍佰元"), yuan("10500"));
        assert_eq!(money("壹佰万零伍元"), yuan("1000005"));
        assert_eq!(money("壹亿零伍佰万元整"), yuan("105000000"));
        assert_eq!(money("壹亿零伍元"), yuan("100000005"));
        assert_eq!(money("壹万亿元"), yuan("1000000000000"));
        assert_eq!(money("两百万元"), yuan("2000000"));
        // A 零 where the 万 place is empty is optional.
        assert_eq!(money("壹佰万零壹仟元整"), yuan("1001000"));
        assert_eq!(money("壹佰万壹仟元整"), yuan("1001000"));
        assert_eq!(money("十万元"), yuan("100000"));
        assert_eq!(money("一千零五十元"), yuan("1050"));
        assert_eq!(money("壹佰万"), yuan("1000000"));
        assert_eq!(money("壹元伍角整"), yuan("1.5"));
        assert_eq!(money("壹佰圆整"), yuan("100"));
        assert_eq!(money("貳萬圓整"), yuan("20000"));
        assert_eq!(money("负壹佰元整"), yuan("-100"));
        assert_eq!(money("人民币 壹佰 万元整"), yuan("1000000"));
    }

    #[test]
    fn daxie_rejects() {
        for s in [
            "壹佰伍元",   // 150 or 105?
            "一万二",     // 12000 colloquially
            "壹亿伍元",   // same after 亿
            "壹贰元",     // digits without place
            "壹拾壹佰元", // places out of order
            "佰元",       // place without digit
            "零零壹元",
            "壹佰零元",
            "壹佰元伍",
            "壹佰元伍分伍角",
            "壹佰元元",
            "元整",
            "万元",
            "壹整佰元",
            "壹万万元",
        ] {
            assert!(
                matches!(
                    kind(s),
                    MoneyTextErrorKind::BadDaxie(_) | MoneyTextErrorKind::NoNumber
                ),
                "{s}: {:?}",
                kind(s)
            );
        }
        assert_eq!(kind("壹亿亿亿亿亿元"), MoneyTextErrorKind::TooLarge);
        assert_eq!(kind("1百万"), MoneyTextErrorKind::Mixed);
        assert_eq!(kind("10万零500元"), MoneyTextErrorKind::Mixed);
        assert_eq!(kind("壹佰5元"), MoneyTextErrorKind::Mixed);
    }

    #[test]
    fn rejects() {
        assert_eq!(kind(""), MoneyTextErrorKind::Empty);
        assert_eq!(kind(" \u{3000}"), MoneyTextErrorKind::Empty);
        assert_eq!(kind("待定"), MoneyTextErrorKind::NoNumber);
        assert_eq!(kind("见附件"), MoneyTextErrorKind::NoNumber);
        assert_eq!(kind("1.2.3"), MoneyTextErrorKind::MultiplePoints);
        assert_eq!(kind("1,00,0"), MoneyTextErrorKind::BadGrouping);
        assert_eq!(kind("1,000,00"), MoneyTextErrorKind::BadGrouping);
        assert_eq!(kind("1000,000"), MoneyTextErrorKind::BadGrouping);
        assert_eq!(kind(",100"), MoneyTextErrorKind::Unexpected(",".into()));
        assert_eq!(kind("1 000,000"), MoneyTextErrorKind::BadGrouping);
        assert_eq!(kind("1.000,5"), MoneyTextErrorKind::BadGrouping);
        assert_eq!(kind("100abc"), MoneyTextErrorKind::Unexpected("abc".into()));
        assert_eq!(kind("约100万"), MoneyTextErrorKind::Unexpected("约".into()));
        assert_eq!(kind("100%"), MoneyTextErrorKind::Unexpected("%".into()));
        assert_eq!(
            kind("1.5亿元"),
            MoneyTextErrorKind::UnsupportedUnit("亿元".into())
        );
        assert_eq!(
            kind("15千元"),
            MoneyTextErrorKind::UnsupportedUnit("千元".into())
        );
        assert_eq!(kind("(1000"), MoneyTextErrorKind::Unexpected("(".into()));
        assert_eq!(kind("-(1000)"), MoneyTextErrorKind::Unexpected("(".into()));
        assert_eq!(kind("."), MoneyTextErrorKind::Unexpected(".".into()));
        assert_eq!(
            kind("1000元500"),
            MoneyTextErrorKind::Unexpected("元500".into())
        );
        assert_eq!(kind("1e5"), MoneyTextErrorKind::Unexpected("e5".into()));
        assert_eq!(kind(&"9".repeat(40)), MoneyTextErrorKind::TooLarge);
        // Found by fuzzing: read, but its display with two decimals could not be read back.
        assert_eq!(
            kind("1101101011020000310110000万"),
            MoneyTextErrorKind::TooLarge
        );
        assert_eq!(kind(&"9".repeat(27)), MoneyTextErrorKind::TooLarge);
        let big = money(&"9".repeat(26));
        assert_eq!(money(&big.to_string()), big);
        assert_eq!(
            kind(&format!("{}万", "9".repeat(27))),
            MoneyTextErrorKind::TooLarge
        );
        assert_eq!(
            kind(&format!("0.{}", "1".repeat(40))),
            MoneyTextErrorKind::TooLarge
        );
    }

    #[test]
    fn error_messages() {
        let e = parse_money_text("1,00,0").unwrap_err();
        assert_eq!(e.text, "1,00,0");
        assert_eq!(
            e.to_string(),
            "「1,00,0」不是有效金额：千分位分隔符位置不对（应每三位一个，如 1,000,000.00）"
        );
        let e = parse_money_text("壹佰伍元").unwrap_err();
        assert!(e.to_string().contains("歧义"), "{e}");
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed.to_string().starts_with("「壹佰伍元」"));
    }

    #[test]
    fn daxie_format() {
        let f = |c| format_daxie(Money::from_cents(c));
        assert_eq!(f(100_000_000), "壹佰万元整");
        assert_eq!(f(123_456), "壹仟贰佰叁拾肆元伍角陆分");
        assert_eq!(f(10_005), "壹佰元零伍分");
        assert_eq!(f(10_050), "壹佰元伍角");
        assert_eq!(f(0), "零元整");
        assert_eq!(f(5), "伍分");
        assert_eq!(f(56), "伍角陆分");
        assert_eq!(f(1_000), "壹拾元整");
        assert_eq!(f(10_050_000), "壹拾万零伍佰元整");
        assert_eq!(f(100_500_000), "壹佰万伍仟元整");
        assert_eq!(f(20_000_000_000), "贰亿元整");
        assert_eq!(f(10_500_000_000), "壹亿零伍佰万元整");
        assert_eq!(f(10_000_000_500), "壹亿零伍元整");
        assert_eq!(f(100_000_000_000_000), "壹万亿元整");
        assert_eq!(f(100_100_000), "壹佰万壹仟元整");
        assert_eq!(f(-12_345), "负壹佰贰拾叁元肆角伍分");
        // Sub-cent amounts round half away from zero.
        assert_eq!(format_daxie(yuan("1.005")), "壹元零壹分");
        assert_eq!(format_daxie(yuan("-0.004")), "零元整");
        assert_eq!(
            format_daxie(Money::from_yuan(Decimal::MAX)),
            format_daxie(Money::from_yuan(Decimal::MAX))
        );
    }

    proptest! {
        #[test]
        fn daxie_round_trip(c in 0i64..10_000_000_000_000) {
            let m = Money::from_cents(c);
            let text = format_daxie(m);
            prop_assert_eq!(parse_money_text(&text).map(|p| p.money), Ok(m), "{}", text);
        }

        #[test]
        fn daxie_round_trip_negative(c in -10_000_000_000_000i64..0) {
            let m = Money::from_cents(c);
            prop_assert_eq!(parse_money_text(&format_daxie(m)).map(|p| p.money), Ok(m));
        }

        #[test]
        fn display_round_trip(c in -10_000_000_000_000_000i64..10_000_000_000_000_000) {
            let m = Money::from_cents(c);
            prop_assert_eq!(parse_money_text(&m.to_string()).map(|p| p.money), Ok(m));
            prop_assert_eq!(parse_money_text(&m.plain()).map(|p| p.money), Ok(m));
        }

        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = parse_money_text(&s);
        }

        #[test]
        fn never_panics_on_near_misses(s in "[0-9,. ()￥元万亿整零壹贰叁肆伍陆柒捌玖拾佰仟角分一十百千负-]{0,16}") {
            if let Err(e) = parse_money_text(&s) {
                prop_assert_eq!(e.text, s);
            }
        }
    }
}
