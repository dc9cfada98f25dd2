//! Turning cells into model values, recording where each came from and reporting what
//! cannot be read (codes R0xx).

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::grid::Value;
use crate::model::{
    a1, CellKind, Date, FieldPath, Finding, Location, Money, MoneyUnit, Severity, SourceMap,
};
use crate::values::{
    clean_str, date_from_serial, date_from_serial_in, decimal_from_f64, parse_date_text,
    parse_money_text, quote_short,
};

/// Reader codes (documented in docs/rules.md).
pub mod codes {
    /// A money cell holds text that is not an amount, or a value of the wrong type.
    pub const MONEY_UNREADABLE: &str = "R001";
    /// A cell holds a formula error such as `#REF!`.
    pub const CELL_ERROR: &str = "R002";
    /// A date cell holds something that is not a real date.
    pub const DATE_UNREADABLE: &str = "R003";
    /// A sheet holds the form more than once.
    pub const FORM_TWICE: &str = "R004";
    /// An amount typed as text (read, but Excel cannot add it up).
    pub const MONEY_AS_TEXT: &str = "R005";
    /// A date typed as text.
    pub const DATE_AS_TEXT: &str = "R006";
    /// A project sheet is hidden.
    pub const HIDDEN_SHEET: &str = "R007";
    /// A part of the form (a label) was not found.
    pub const LABEL_MISSING: &str = "R008";
    /// A whole number (year, count) cannot be read.
    pub const NUMBER_UNREADABLE: &str = "R009";
}

/// What the reader collects besides the model.
pub struct Ctx {
    pub sources: SourceMap,
    pub findings: Vec<Finding>,
    /// The workbook's [`Grid::serial_offset`](super::grid::Grid): a plain number in a date
    /// field counts from the workbook's own day 0.
    pub serial_offset: i64,
}

impl Ctx {
    #[allow(clippy::too_many_arguments)]
    pub fn report(
        &mut self,
        code: &str,
        severity: Severity,
        sheet: &str,
        cell: Option<(u32, u16)>,
        project: Option<usize>,
        message: String,
        message_en: String,
        actual: Option<String>,
    ) {
        self.findings.push(Finding {
            code: code.to_string(),
            severity,
            location: Location {
                file: self.sources.file.clone(),
                sheet: Some(sheet.to_string()),
                cell: cell.map(|(r, c)| a1(r, c)),
                project,
            },
            message,
            message_en,
            expected: None,
            actual,
            waived: None,
        });
    }

    pub fn record(
        &mut self,
        path: FieldPath,
        sheet: &str,
        pos: (u32, u16),
        data: Option<Value<'_>>,
    ) {
        // The raw text is formatted straight into the map, as `describe` would show it.
        let rec = |s: &mut SourceMap, kind, raw: Option<&dyn std::fmt::Display>| {
            s.record(path, sheet, pos, kind, raw)
        };
        let s = &mut self.sources;
        match data {
            None => s.record_text(path, sheet, pos, CellKind::Empty, None),
            Some(Value::Text(t)) => s.record_text(path, sheet, pos, CellKind::Text, Some(t)),
            Some(Value::Float(f)) => match decimal_from_f64(f) {
                Some(d) => {
                    let mut buf = [0; DECIMAL_TEXT_MAX];
                    let t = decimal_text(&d, &mut buf);
                    s.record_text(path, sheet, pos, CellKind::Number, Some(t))
                }
                None => rec(s, CellKind::Number, Some(&f)),
            },
            Some(Value::Int(i)) => rec(s, CellKind::Number, Some(&i)),
            Some(Value::Bool(b)) => rec(s, CellKind::Bool, Some(&b)),
            Some(Value::DateTime(dt)) => match date_from_serial(dt.as_f64()) {
                Some(d) => {
                    let mut buf = [0; 10];
                    match date_text(d, &mut buf) {
                        Some(t) => s.record_text(path, sheet, pos, CellKind::Date, Some(t)),
                        None => rec(s, CellKind::Date, Some(&d)),
                    }
                }
                None => rec(s, CellKind::Date, Some(&dt.as_f64())),
            },
            Some(Value::DateTimeIso(t)) | Some(Value::DurationIso(t)) => {
                s.record_text(path, sheet, pos, CellKind::Date, Some(t))
            }
            Some(Value::Error(e)) => {
                s.record_text(path, sheet, pos, CellKind::Error, Some(&error_text(e)))
            }
        }
    }
}

/// `d` as its `Display` writes it (`2024-01-31`) for a year of four digits, without the
/// formatting machinery (900 instructions a date cell); `None` for any other year.
fn date_text(d: Date, buf: &mut [u8; 10]) -> Option<&str> {
    let (y, m, day) = (u32::try_from(d.year()).ok()?, d.month(), d.day());
    if y > 9999 || m > 99 || day > 99 {
        return None;
    }
    let digit = |n: u32| b'0' + (n % 10) as u8;
    *buf = [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        b'0' + m / 10,
        b'0' + m % 10,
        b'-',
        b'0' + day / 10,
        b'0' + day % 10,
    ];
    std::str::from_utf8(buf).ok()
}

/// Room for any `Decimal` as text: a sign, `0.`, and up to 29 digits.
const DECIMAL_TEXT_MAX: usize = 40;

/// `d` exactly as its `Display` writes it (`-0.05`, `1743.86`, `100`), without the
/// formatting machinery: that cost 670 instructions a number cell, most of the
/// recording of a number.
fn decimal_text<'b>(d: &Decimal, buf: &'b mut [u8; DECIMAL_TEXT_MAX]) -> &'b str {
    // Digits of the mantissa, last first, padded with zeros to the scale.
    let mut digits = [b'0'; 32];
    let mut n = 0;
    let m = d.mantissa().unsigned_abs();
    if let Ok(mut small) = u64::try_from(m) {
        // The usual case: no 128-bit division.
        while small > 0 {
            digits[n] = b'0' + (small % 10) as u8;
            small /= 10;
            n += 1;
        }
    } else {
        let mut m = m;
        while m > 0 {
            digits[n] = b'0' + (m % 10) as u8;
            m /= 10;
            n += 1;
        }
    }
    let scale = d.scale() as usize;
    n = n.max(scale);
    let mut len = 0;
    let mut put = |b: u8| {
        buf[len] = b;
        len += 1;
    };
    if d.is_sign_negative() {
        put(b'-');
    }
    let whole = n - scale;
    if whole == 0 {
        put(b'0');
    }
    for i in 0..n {
        if i == whole && scale > 0 {
            put(b'.');
        }
        put(digits[n - 1 - i]);
    }
    std::str::from_utf8(&buf[..len]).unwrap_or_default()
}

/// How a cell holds its value, and its content as text.
pub fn describe(data: Option<Value<'_>>) -> (CellKind, Option<String>) {
    match data {
        None => (CellKind::Empty, None),
        Some(Value::Text(s)) => (CellKind::Text, Some(s.to_string())),
        Some(Value::Float(f)) => (
            CellKind::Number,
            Some(
                decimal_from_f64(f)
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| f.to_string()),
            ),
        ),
        Some(Value::Int(i)) => (CellKind::Number, Some(i.to_string())),
        Some(Value::Bool(b)) => (CellKind::Bool, Some(b.to_string())),
        Some(Value::DateTime(dt)) => (
            CellKind::Date,
            Some(
                date_from_serial(dt.as_f64())
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| dt.as_f64().to_string()),
            ),
        ),
        Some(Value::DateTimeIso(s)) | Some(Value::DurationIso(s)) => {
            (CellKind::Date, Some(s.to_string()))
        }
        Some(Value::Error(e)) => (CellKind::Error, Some(error_text(e))),
    }
}

pub fn error_text(e: &calamine::CellErrorType) -> String {
    use calamine::CellErrorType as E;
    match e {
        E::Div0 => "#DIV/0!",
        E::NA => "#N/A",
        E::Name => "#NAME?",
        E::Null => "#NULL!",
        E::Num => "#NUM!",
        E::Ref => "#REF!",
        E::Value => "#VALUE!",
        E::GettingData => "#DATA!",
    }
    .to_string()
}

/// A location for messages: `工作表「X」D21`.
fn at(sheet: &str, (r, c): (u32, u16)) -> String {
    format!("工作表「{sheet}」{}", a1(r, c))
}

/// A cell error (`#REF!` …) is reported the same way wherever it appears.
fn report_cell_error(
    ctx: &mut Ctx,
    sheet: &str,
    pos: (u32, u16),
    project: Option<usize>,
    what: &str,
    e: &calamine::CellErrorType,
) {
    let t = error_text(e);
    ctx.report(
        codes::CELL_ERROR,
        Severity::Error,
        sheet,
        Some(pos),
        project,
        format!(
            "{}（{what}）是公式错误值 {t}，无法读取。请检查该单元格的公式或直接填写数值。",
            at(sheet, pos)
        ),
        format!(
            "{sheet}!{} ({what}) holds the formula error {t}; fix the formula or type the value.",
            a1(pos.0, pos.1)
        ),
        Some(t),
    );
}

/// Free text (names, narrative). Numbers and dates typed into text fields are kept as
/// their text.
pub fn text(
    ctx: &mut Ctx,
    sheet: &str,
    pos: (u32, u16),
    data: Option<Value<'_>>,
    project: Option<usize>,
    what: &str,
) -> Option<String> {
    text_cow(ctx, sheet, pos, data, project, what).map(Cow::into_owned)
}

/// [`text`] borrowing the cell's text when cleaning leaves it as it is: for text that is
/// joined or held for later rows rather than stored as it is.
pub fn text_cow<'v>(
    ctx: &mut Ctx,
    sheet: &str,
    pos: (u32, u16),
    data: Option<Value<'v>>,
    project: Option<usize>,
    what: &str,
) -> Option<Cow<'v, str>> {
    match data? {
        Value::Text(s) => clean_str(s),
        Value::Error(e) => {
            report_cell_error(ctx, sheet, pos, project, what, e);
            None
        }
        other => describe(Some(other)).1.map(Cow::Owned),
    }
}

/// An amount; `scale` is the unit the column or label states (元 or 万元).
pub fn money(
    ctx: &mut Ctx,
    sheet: &str,
    pos: (u32, u16),
    data: Option<Value<'_>>,
    project: Option<usize>,
    what: &str,
    scale: MoneyUnit,
) -> Option<Money> {
    // A number in 万元 so large that it has no value in 元 (beyond 7.9×10²⁸) is reported,
    // not multiplied (which would overflow).
    let in_unit = |d: Decimal, unit: MoneyUnit| match unit {
        MoneyUnit::Yuan => Some(Money::from_yuan(d)),
        MoneyUnit::Wan => d.checked_mul(Decimal::from(10_000)).map(Money::from_yuan),
    };
    let too_large = |ctx: &mut Ctx, shown: String| {
        ctx.report(
            codes::MONEY_UNREADABLE,
            Severity::Error,
            sheet,
            Some(pos),
            project,
            format!(
                "{}（{what}）填写的是「{}」，数额超出可处理范围。请核对金额。",
                at(sheet, pos),
                quote_short(&shown)
            ),
            format!(
                "{sheet}!{} ({what}) holds {}, too large to be an amount.",
                a1(pos.0, pos.1),
                quote_short(&shown)
            ),
            Some(shown),
        );
        None
    };
    match data? {
        Value::Float(f) => match decimal_from_f64(f).map(|d| in_unit(d, scale)) {
            Some(Some(m)) => Some(m),
            // Below 10⁻²⁸ (no Decimal holds it): nothing.
            None if f.is_finite() && f.abs() < 1.0 => Some(Money::ZERO),
            // Beyond a Decimal, or `inf`/`NaN` typed into the XML.
            Some(None) | None => too_large(ctx, f.to_string()),
        },
        Value::Int(i) => match in_unit(Decimal::from(i), scale) {
            Some(m) => Some(m),
            None => too_large(ctx, i.to_string()),
        },
        Value::Text(s) if s.trim().is_empty() => None,
        Value::Text(s) => match parse_money_text(s) {
            Ok(p) => {
                let m = if p.unit == MoneyUnit::Yuan && scale == MoneyUnit::Wan && !s.contains('元')
                {
                    match in_unit(p.value, MoneyUnit::Wan) {
                        Some(m) => m,
                        None => return too_large(ctx, s.trim().to_string()),
                    }
                } else {
                    p.money
                };
                ctx.report(
                    codes::MONEY_AS_TEXT,
                    Severity::Warning,
                    sheet,
                    Some(pos),
                    project,
                    format!(
                        "{}（{what}）的金额「{}」是以文本形式填写的，已按 {} 元读取。文本金额不参与 Excel 求和，建议改为数字（jixiao fix 会自动转换）。",
                        at(sheet, pos),
                        quote_short(s.trim()),
                        m
                    ),
                    format!(
                        "{sheet}!{} ({what}) holds the amount {:?} as text; read as {m} yuan. Type it as a number (jixiao fix converts it).",
                        a1(pos.0, pos.1),
                        quote_short(s.trim())
                    ),
                    Some(s.to_string()),
                );
                Some(m)
            }
            Err(e) => {
                ctx.report(
                    codes::MONEY_UNREADABLE,
                    Severity::Error,
                    sheet,
                    Some(pos),
                    project,
                    format!(
                        "{}（{what}）填写的是「{}」，不是可识别的金额（{e}）。请填写数字金额（单位：{}），例如 1000000.00。",
                        at(sheet, pos),
                        quote_short(s.trim()),
                        if scale == MoneyUnit::Wan { "万元" } else { "元" }
                    ),
                    format!(
                        "{sheet}!{} ({what}) holds {:?}, which is not an amount; type a number.",
                        a1(pos.0, pos.1),
                        quote_short(s.trim())
                    ),
                    Some(s.to_string()),
                );
                None
            }
        },
        Value::Error(e) => {
            report_cell_error(ctx, sheet, pos, project, what, e);
            None
        }
        other => {
            let shown = describe(Some(other)).1.unwrap_or_default();
            let q = quote_short(&shown);
            ctx.report(
                codes::MONEY_UNREADABLE,
                Severity::Error,
                sheet,
                Some(pos),
                project,
                format!(
                    "{}（{what}）填写的是「{q}」，不是金额。请填写数字金额。",
                    at(sheet, pos)
                ),
                format!(
                    "{sheet}!{} ({what}) holds {q:?}, not an amount.",
                    a1(pos.0, pos.1)
                ),
                Some(shown),
            );
            None
        }
    }
}

/// A date: a real Excel date, a serial number, or text in a common form.
pub fn date(
    ctx: &mut Ctx,
    sheet: &str,
    pos: (u32, u16),
    data: Option<Value<'_>>,
    project: Option<usize>,
    what: &str,
) -> Option<Date> {
    let bad = |ctx: &mut Ctx, shown: String, why: String| {
        let q = quote_short(&shown);
        ctx.report(
            codes::DATE_UNREADABLE,
            Severity::Error,
            sheet,
            Some(pos),
            project,
            format!(
                "{}（{what}）填写的是「{q}」，不是有效日期（{why}）。请填写日期，例如 2024-01-01。",
                at(sheet, pos)
            ),
            format!(
                "{sheet}!{} ({what}) holds {q:?}, not a valid date.",
                a1(pos.0, pos.1)
            ),
            Some(shown),
        );
        None
    };
    let d = date_any(ctx, sheet, pos, data, project, what, &bad)?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
        let why = if d.year() < FIRST_YEAR {
            "早于 1900 年，Excel 无法表示，应是录入错误".to_string()
        } else {
            format!("年份 {} 远在将来，应是录入错误", d.year())
        };
        return bad(ctx, d.to_string(), why);
    }
    Some(d)
}

/// Plan dates outside these years are typing slips (`1024`, `2924`); Excel itself holds
/// none before 1900.
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2099;

fn date_any(
    ctx: &mut Ctx,
    sheet: &str,
    pos: (u32, u16),
    data: Option<Value<'_>>,
    project: Option<usize>,
    what: &str,
    bad: &dyn Fn(&mut Ctx, String, String) -> Option<Date>,
) -> Option<Date> {
    match data? {
        Value::DateTime(dt) => match date_from_serial(dt.as_f64()) {
            Some(d) => Some(d),
            None => bad(ctx, dt.as_f64().to_string(), "日期序号超出范围".into()),
        },
        Value::Float(f) => match date_from_serial_in(f, ctx.serial_offset) {
            Some(d) => Some(d),
            None => bad(ctx, f.to_string(), "数字无法作为日期".into()),
        },
        Value::Int(i) => match date_from_serial_in(i as f64, ctx.serial_offset) {
            Some(d) => Some(d),
            None => bad(ctx, i.to_string(), "数字无法作为日期".into()),
        },
        Value::DateTimeIso(s) => match parse_date_text(s) {
            Ok(d) => Some(d),
            Err(e) => bad(ctx, s.to_string(), e.to_string()),
        },
        Value::Text(s) if s.trim().is_empty() => None,
        Value::Text(s) => match parse_date_text(s) {
            // Out of range: reported once, as R003, by the caller.
            Ok(d) if !(FIRST_YEAR..=LAST_YEAR).contains(&d.year()) => Some(d),
            Ok(d) => {
                ctx.report(
                    codes::DATE_AS_TEXT,
                    Severity::Warning,
                    sheet,
                    Some(pos),
                    project,
                    format!(
                        "{}（{what}）的日期「{}」是以文本形式填写的，已按 {d} 读取。建议改为日期格式（jixiao fix 会自动转换）。",
                        at(sheet, pos),
                        quote_short(s.trim())
                    ),
                    format!(
                        "{sheet}!{} ({what}) holds the date {:?} as text; read as {d}.",
                        a1(pos.0, pos.1),
                        quote_short(s.trim())
                    ),
                    Some(s.to_string()),
                );
                Some(d)
            }
            Err(e) => bad(ctx, s.trim().to_string(), e.to_string()),
        },
        Value::Error(e) => {
            report_cell_error(ctx, sheet, pos, project, what, e);
            None
        }
        other => {
            let shown = describe(Some(other)).1.unwrap_or_default();
            bad(ctx, shown, "类型不对".into())
        }
    }
}

/// A whole number such as a year or a count; text like `2024年` or `10个` is accepted.
pub fn whole_number(
    ctx: &mut Ctx,
    sheet: &str,
    pos: (u32, u16),
    data: Option<Value<'_>>,
    what: &str,
) -> Option<i64> {
    let parsed = match data? {
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e12 => Some(f as i64),
        Value::Int(i) => Some(i),
        Value::Text(s) => {
            let t = crate::values::to_halfwidth(s);
            let digits: String = t
                .trim()
                .trim_end_matches(['年', '个', '项', '度'])
                .trim()
                .to_string();
            if digits.is_empty() {
                return None;
            }
            digits.parse::<i64>().ok()
        }
        _ => None,
    };
    if parsed.is_none() {
        let shown = describe(data).1.unwrap_or_default();
        let q = quote_short(&shown);
        ctx.report(
            codes::NUMBER_UNREADABLE,
            Severity::Error,
            sheet,
            Some(pos),
            None,
            format!("{}（{what}）填写的是「{q}」，不是整数。", at(sheet, pos)),
            format!(
                "{sheet}!{} ({what}) holds {q:?}, not a whole number.",
                a1(pos.0, pos.1)
            ),
            Some(shown),
        );
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shown(d: Decimal) -> String {
        let mut buf = [0; DECIMAL_TEXT_MAX];
        decimal_text(&d, &mut buf).to_string()
    }

    #[test]
    fn decimals_as_display_writes_them() {
        for d in [
            Decimal::ZERO,
            Decimal::new(0, 2),
            Decimal::new(-5, 2),
            Decimal::new(174386, 2),
            Decimal::new(1000000, 0),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::from_parts(1, 0, 0, false, 28),
            Decimal::from_parts(0, 0, 0, true, 3),
        ] {
            assert_eq!(shown(d), d.to_string(), "{d:?}");
        }
    }

    proptest! {
        #[test]
        fn any_decimal_as_display_writes_it(
            lo: u32, mid: u32, hi: u32, negative: bool, scale in 0u32..=28
        ) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            prop_assert_eq!(shown(d), d.to_string());
        }

        /// Dates of cells (serials, far ones too) as `Display` writes them.
        #[test]
        fn cell_dates_as_display_writes_them(serial in -1e6f64..3e6) {
            if let Some(d) = date_from_serial(serial) {
                let mut buf = [0; 10];
                if let Some(t) = date_text(d, &mut buf) {
                    prop_assert_eq!(t, d.to_string());
                }
            }
        }

        #[test]
        fn cell_numbers_as_display_writes_them(x: f64) {
            if let Some(d) = decimal_from_f64(x) {
                prop_assert_eq!(shown(d), d.to_string());
            }
        }
    }
}
