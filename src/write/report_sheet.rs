//! The 校验结果 sheet: one row per change or finding, its code linking to the cell.

use rust_xlsxwriter::{Url, Worksheet, XlsxError};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::formats::{format, wrapped_height, Style, MONEY_FORMAT};

/// Name of the sheet listing changes and findings.
pub const REPORT_SHEET: &str = "校验结果";

/// One row of the 校验结果 sheet.
#[derive(Clone, Debug, Default)]
pub struct ReportRow {
    /// 已更正 / 错误 / 警告
    pub kind: String,
    pub code: String,
    pub sheet: Option<String>,
    pub cell: Option<String>,
    pub project: String,
    pub message: String,
    pub expected: String,
    pub actual: String,
}

/// Columns and widths: printed landscape and fitted to the width, 说明 gets what is left
/// of A4 after the short columns.
const HEADERS: [(&str, f64); 8] = [
    ("序号", 6.0),
    ("类别", 8.0),
    ("代码", 7.0),
    ("位置", 26.0),
    ("项目", 20.0),
    ("说明", 62.0),
    ("应为", 16.0),
    ("实为", 16.0),
];

/// An amount written as `1000000.00` or `1,000,000.00`, as a number to show with
/// thousands separators; other figures (a year, a unit, a date) stay text.
fn amount(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', "");
    let (_, cents) = t.split_once('.')?;
    if cents.len() != 2 {
        return None;
    }
    Decimal::from_str_exact(&t).ok()?.to_f64()
}

/// Builds the sheet.
pub fn report_sheet(rows: &[ReportRow]) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(REPORT_SHEET)?;
    let head = format(Style::Label, false);
    for (c, (h, w)) in HEADERS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &head)?;
    }
    let text = format(Style::TextFormula, false);
    let link = format(Style::Link, false);
    let money = format(Style::TextFormula, false).set_num_format(MONEY_FORMAT);
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number_with_format(row, 0, (i + 1) as f64, &text)?;
        ws.write_string_with_format(row, 1, super::cell_text(&r.kind), &text)?;
        // The link sits on the code, which always fits its column: LibreOffice does not
        // wrap a linked cell, so a long sheet name in 位置 would print cut off.
        let place = match (&r.sheet, &r.cell) {
            (Some(s), Some(c)) => format!("{s}!{c}"),
            (Some(s), None) => s.clone(),
            _ => String::new(),
        };
        match &r.sheet {
            Some(s) => {
                let target = r.cell.as_deref().unwrap_or("A1");
                let q = format!("'{}'", s.replace('\'', "''"));
                ws.write_url_with_format(
                    row,
                    2,
                    Url::new(format!("internal:{q}!{target}")).set_text(&r.code),
                    &link,
                )?;
            }
            None => {
                ws.write_string_with_format(row, 2, &r.code, &text)?;
            }
        }
        ws.write_string_with_format(row, 3, super::cell_text(&place), &text)?;
        ws.write_string_with_format(row, 4, super::cell_text(&r.project), &text)?;
        ws.write_string_with_format(row, 5, super::cell_text(&r.message), &text)?;
        for (col, figure) in [(6u16, &r.expected), (7, &r.actual)] {
            match amount(figure) {
                Some(n) => ws.write_number_with_format(row, col, n, &money)?,
                None => ws.write_string_with_format(row, col, super::cell_text(figure), &text)?,
            };
        }
        // Wrapped text needs its row's height set: Excel does not fit rows when it opens
        // a file, and the default height shows one line over the next row.
        let height = [
            (3, place.as_str()),
            (4, r.project.as_str()),
            (5, r.message.as_str()),
            (6, r.expected.as_str()),
            (7, r.actual.as_str()),
        ]
        .iter()
        .map(|(c, t)| wrapped_height(t, HEADERS[*c].1))
        .fold(0.0, f64::max);
        ws.set_row_height(row, height)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as u32, HEADERS.len() as u16 - 1)?;
    super::page_setup(&mut ws, true, Some((0, 0)))?;
    Ok(ws)
}
