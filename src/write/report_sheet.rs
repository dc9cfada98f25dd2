//! The 校验结果 sheet: one row per change or finding, each linking to its cell.

use rust_xlsxwriter::{Url, Worksheet, XlsxError};

use super::formats::{format, Style};

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

const HEADERS: [(&str, f64); 8] = [
    ("序号", 6.0),
    ("类别", 8.0),
    ("代码", 8.0),
    ("位置", 28.0),
    ("项目", 22.0),
    ("说明", 70.0),
    ("应为", 16.0),
    ("实为", 16.0),
];

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
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number_with_format(row, 0, (i + 1) as f64, &text)?;
        ws.write_string_with_format(row, 1, super::cell_text(&r.kind), &text)?;
        ws.write_string_with_format(row, 2, super::cell_text(&r.code), &text)?;
        match (&r.sheet, &r.cell) {
            (Some(s), cell) => {
                let target = cell.clone().unwrap_or_else(|| "A1".into());
                let shown = match cell {
                    Some(c) => format!("{s}!{c}"),
                    None => s.clone(),
                };
                let q = format!("'{}'", s.replace('\'', "''"));
                ws.write_url_with_format(
                    row,
                    3,
                    Url::new(format!("internal:{q}!{target}")).set_text(shown),
                    &link,
                )?;
            }
            (None, _) => {
                ws.write_string_with_format(row, 3, "", &text)?;
            }
        }
        ws.write_string_with_format(row, 4, super::cell_text(&r.project), &text)?;
        ws.write_string_with_format(row, 5, super::cell_text(&r.message), &text)?;
        ws.write_string_with_format(row, 6, super::cell_text(&r.expected), &text)?;
        ws.write_string_with_format(row, 7, super::cell_text(&r.actual), &text)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as u32, HEADERS.len() as u16 - 1)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(ws)
}
