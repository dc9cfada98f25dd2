//! The rollup's summary workbook (`--xlsx`): an overview, totals by unit, 主管部门, 项目类别
//! and 项目性质 (each ending in a 合计 row that equals the project rollup's sum to the
//! cent), the files that could not be read, and every finding linking to its cell in the
//! source workbook.
//!
//! Findings stream to a constant-memory worksheet (rows go to a temporary file as they
//! come), so a city's hundreds of thousands of findings do not sit in memory; the other
//! sheets are small and written at the end.

use std::path::{Component, Path, PathBuf};

use rust_xlsxwriter::{
    Color, Format, FormatAlign, FormatBorder, Formula, Url, Workbook, Worksheet, XlsxError,
};

use super::folder::{RollupSummary, Totals, AMOUNT_COLUMNS};
use crate::model::{Declaration, Finding, Money};
use crate::Error;

const FONT: &str = "宋体";
const MONEY: &str = "#,##0.00";

/// Sheet names, in the order they appear (in `layout`, which the reader shares).
pub use crate::layout::{
    ROLLUP_FINDINGS_SHEET as FINDINGS_SHEET, ROLLUP_GROUP_SHEETS as GROUP_SHEETS,
    ROLLUP_OVERVIEW_SHEET as OVERVIEW_SHEET, ROLLUP_UNREADABLE_SHEET as UNREADABLE_SHEET,
};

/// Excel keeps at most this many hyperlinks on one worksheet; past it, plain text.
const MAX_LINKS: usize = 65_530;
/// Excel's last row (0-based); findings beyond it are only in the findings CSV.
const LAST_ROW: u32 = 1_048_575;

const FINDING_HEADERS: [(&str, f64); 9] = [
    ("序号", 8.0),
    ("来源文件", 40.0),
    ("单位名称", 28.0),
    ("项目序号", 8.0),
    ("项目名称", 26.0),
    ("位置", 24.0),
    ("代码", 7.0),
    ("级别", 6.0),
    ("说明", 80.0),
];

fn xerr(file: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::Write {
        file: file.display().to_string(),
        reason: e.to_string(),
    }
}

struct Formats {
    head: Format,
    text: Format,
    money: Format,
    int: Format,
    link: Format,
    total_label: Format,
    total_money: Format,
    total_int: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new()
            .set_font_name(FONT)
            .set_font_size(11)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let bold = base.clone().set_bold();
        Formats {
            head: bold
                .clone()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xF2F2F2)),
            text: base.clone(),
            money: base.clone().set_num_format(MONEY),
            int: base.clone().set_num_format("0"),
            link: base
                .clone()
                .set_font_color(Color::Blue)
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            total_label: bold.clone(),
            total_money: bold.clone().set_num_format(MONEY),
            total_int: bold.set_num_format("0"),
        }
    }
}

/// The summary workbook while a rollup runs.
pub struct SummaryBook {
    path: PathBuf,
    /// The folder the workbook goes to, absolute: links to sources are relative to it.
    dir: Option<PathBuf>,
    wb: Workbook,
    formats: Formats,
    findings_index: usize,
    row: u32,
    links: usize,
    listed: usize,
}

impl SummaryBook {
    /// Starts the workbook; nothing is written to `path` before [`SummaryBook::finish`].
    pub fn new(path: &Path) -> Result<SummaryBook, Error> {
        let e = xerr(path);
        let mut wb = Workbook::new();
        let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 1, 1).map_err(&e)?;
        wb.set_properties(
            &rust_xlsxwriter::DocProperties::new()
                .set_author("jixiao")
                .set_title("绩效目标申报汇总")
                .set_creation_datetime(&created),
        );
        for name in std::iter::once(OVERVIEW_SHEET)
            .chain(GROUP_SHEETS.iter().map(|g| g.0))
            .chain([UNREADABLE_SHEET])
        {
            wb.add_worksheet().set_name(name).map_err(&e)?;
        }
        let formats = Formats::new();
        let ws = wb.add_worksheet_with_constant_memory().map_err(&e)?;
        ws.set_name(FINDINGS_SHEET).map_err(&e)?;
        for (c, (h, w)) in FINDING_HEADERS.iter().enumerate() {
            ws.set_column_width(c as u16, *w).map_err(&e)?;
            ws.write_string_with_format(0, c as u16, *h, &formats.head)
                .map_err(&e)?;
        }
        ws.set_freeze_panes(1, 0).map_err(&e)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.canonicalize().ok(),
            _ => std::env::current_dir().ok(),
        };
        Ok(SummaryBook {
            path: path.to_path_buf(),
            dir,
            wb,
            formats,
            findings_index: 1 + GROUP_SHEETS.len() + 1,
            row: 0,
            links: 0,
            listed: 0,
        })
    }

    /// Findings written to the sheet so far.
    pub fn findings_listed(&self) -> usize {
        self.listed
    }

    /// Appends one file's findings.
    pub fn add_findings(
        &mut self,
        source: &Path,
        file: &str,
        decl: &Declaration,
        findings: &[Finding],
    ) -> Result<(), Error> {
        if findings.is_empty() {
            return Ok(());
        }
        let e = xerr(&self.path);
        let target = self
            .dir
            .as_deref()
            .and_then(|d| relative_link(d, source))
            .filter(|t| !t.contains('#'));
        let unit = decl.unit.as_deref().unwrap_or("");
        let f = &self.formats;
        let ws = self
            .wb
            .worksheet_from_index(self.findings_index)
            .map_err(&e)?;
        for finding in findings {
            if self.row >= LAST_ROW {
                break;
            }
            self.row += 1;
            self.listed += 1;
            let row = self.row;
            let (number, name) = super::folder::project_label(decl, finding);
            let place = match (&finding.location.sheet, &finding.location.cell) {
                (Some(s), Some(c)) => format!("{s}!{c}"),
                (Some(s), None) => s.clone(),
                _ => String::new(),
            };
            ws.write_number_with_format(row, 0, self.listed as f64, &f.int)
                .map_err(&e)?;
            let mut linked = false;
            if let (Some(t), true) = (&target, self.links < MAX_LINKS) {
                let anchor = match &finding.location.sheet {
                    Some(s) => format!(
                        "#'{}'!{}",
                        s.replace('\'', "''"),
                        finding.location.cell.as_deref().unwrap_or("A1")
                    ),
                    None => String::new(),
                };
                let url = Url::new(format!("file:///{t}{anchor}")).set_text(file);
                if ws.write_url_with_format(row, 1, url, &f.link).is_ok() {
                    self.links += 1;
                    linked = true;
                }
            }
            if !linked {
                ws.write_string_with_format(row, 1, file, &f.text)
                    .map_err(&e)?;
            }
            ws.write_string_with_format(row, 2, unit, &f.text)
                .map_err(&e)?;
            if number.is_empty() {
                ws.write_string_with_format(row, 3, "", &f.text)
                    .map_err(&e)?;
            } else if let Some(i) = finding.location.project {
                ws.write_number_with_format(row, 3, (i + 1) as f64, &f.int)
                    .map_err(&e)?;
            }
            ws.write_string_with_format(row, 4, name, &f.text)
                .map_err(&e)?;
            ws.write_string_with_format(row, 5, &place, &f.text)
                .map_err(&e)?;
            ws.write_string_with_format(row, 6, &finding.code, &f.text)
                .map_err(&e)?;
            let (level, message) = super::folder::waived_text(finding);
            ws.write_string_with_format(row, 7, level.as_ref(), &f.text)
                .map_err(&e)?;
            ws.write_string_with_format(row, 8, message.as_ref(), &f.text)
                .map_err(&e)?;
        }
        Ok(())
    }

    /// Writes the overview, totals and unreadable sheets and saves the workbook
    /// (through a temporary file and a rename).
    pub fn finish(mut self, summary: &RollupSummary) -> Result<(), Error> {
        let path = self.path.clone();
        let e = xerr(&path);
        let f = &self.formats;
        let last = self.row;
        {
            let ws = self
                .wb
                .worksheet_from_index(self.findings_index)
                .map_err(&e)?;
            ws.autofilter(0, 0, last, FINDING_HEADERS.len() as u16 - 1)
                .map_err(&e)?;
        }
        overview(self.wb.worksheet_from_index(0).map_err(&e)?, summary, f).map_err(&e)?;
        let groups = [
            &summary.by_unit,
            &summary.by_department,
            &summary.by_category,
            &summary.by_nature,
        ];
        for (k, ((_, label), map)) in GROUP_SHEETS.iter().zip(groups).enumerate() {
            let ws = self.wb.worksheet_from_index(1 + k).map_err(&e)?;
            group_sheet(ws, label, map, k == 0, f).map_err(&e)?;
        }
        unreadable_sheet(
            self.wb
                .worksheet_from_index(1 + GROUP_SHEETS.len())
                .map_err(&e)?,
            summary,
            f,
        )
        .map_err(&e)?;

        let (tmp, file) = crate::output::temp_beside(&path)?;
        let result = (|| {
            let mut w = std::io::BufWriter::new(file);
            self.wb.save_to_writer(&mut w).map_err(&e)?;
            let file = w.into_inner().map_err(|err| Error::Output {
                file: path.display().to_string(),
                reason: err.to_string(),
            })?;
            file.sync_all()
                .and_then(|_| crate::output::finish_temp(&tmp, &path))
                .map_err(|err| Error::Output {
                    file: path.display().to_string(),
                    reason: err.to_string(),
                })
        })();
        if result.is_err() {
            crate::output::discard_temp(&tmp);
        }
        result
    }
}

/// `source` relative to `dir` with `/` separators (Excel and LibreOffice follow relative
/// links, so the summary and the sources can move together); absolute when they share no
/// root.
fn relative_link(dir: &Path, source: &Path) -> Option<String> {
    let source = source.canonicalize().ok()?;
    let a: Vec<Component> = dir.components().collect();
    let b: Vec<Component> = source.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let parts: Vec<String> = if common == 0 {
        b.iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect()
    } else {
        std::iter::repeat_n("..".to_string(), a.len() - common)
            .chain(
                b[common..]
                    .iter()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned()),
            )
            .collect()
    };
    Some(parts.join("/").replace("//", "/"))
}

fn money_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    m: Money,
    f: &Format,
) -> Result<(), XlsxError> {
    let v: f64 = m.yuan().to_string().parse().unwrap_or(0.0);
    ws.write_number_with_format(row, col, v, f)?;
    Ok(())
}

fn overview(ws: &mut Worksheet, s: &RollupSummary, f: &Formats) -> Result<(), XlsxError> {
    ws.set_column_width(0, 30)?;
    ws.set_column_width(1, 24)?;
    ws.write_string_with_format(0, 0, "项目", &f.head)?;
    ws.write_string_with_format(0, 1, "数值", &f.head)?;
    let counts: [(&str, usize); 8] = [
        ("文件数", s.files),
        ("读取的文件", s.files - s.unreadable.len()),
        ("无法读取的文件", s.unreadable.len()),
        ("单位数", s.by_unit.len()),
        ("项目数", s.projects),
        ("指标数", s.indicators),
        ("错误", s.errors()),
        ("警告", s.warnings()),
    ];
    let mut row = 1;
    for (label, n) in counts {
        ws.write_string_with_format(row, 0, label, &f.text)?;
        ws.write_number_with_format(row, 1, n as f64, &f.int)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "含错误的文件", &f.text)?;
    ws.write_number_with_format(row, 1, s.files_with_errors as f64, &f.int)?;
    row += 1;
    for (label, m) in AMOUNT_COLUMNS.iter().zip(s.all.amounts()) {
        ws.write_string_with_format(row, 0, format!("{label}（元）"), &f.text)?;
        money_cell(ws, row, 1, m, &f.money)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "项目资金总额（万元）", &f.text)?;
    ws.write_string_with_format(row, 1, s.all.total.wan_string(), &f.text)?;
    row += 1;
    let total_findings = s.errors() + s.warnings();
    if s.findings_listed < total_findings {
        ws.write_string_with_format(
            row + 1,
            0,
            format!(
                "「{FINDINGS_SHEET}」列出前 {} 条（Excel 工作表的行数上限），全部 {total_findings} 条见 --findings 的 CSV。",
                s.findings_listed
            ),
            &f.text,
        )?;
    }
    Ok(())
}

fn group_sheet(
    ws: &mut Worksheet,
    label: &str,
    map: &std::collections::BTreeMap<String, Totals>,
    with_files: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    let mut headers: Vec<(&str, f64)> = vec![(label, 34.0)];
    if with_files {
        headers.push(("文件数", 8.0));
    }
    headers.push(("项目数", 8.0));
    for a in AMOUNT_COLUMNS {
        headers.push((a, 18.0));
    }
    headers.push(("错误数", 8.0));
    headers.push(("警告数", 8.0));
    for (c, (h, w)) in headers.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.head)?;
    }
    let mut row = 0u32;
    for (name, t) in map {
        row += 1;
        ws.write_string_with_format(row, 0, name, &f.text)?;
        let mut col = 1u16;
        if with_files {
            ws.write_number_with_format(row, col, t.files as f64, &f.int)?;
            col += 1;
        }
        ws.write_number_with_format(row, col, t.projects as f64, &f.int)?;
        col += 1;
        for m in t.amounts() {
            money_cell(ws, row, col, m, &f.money)?;
            col += 1;
        }
        ws.write_number_with_format(row, col, t.errors as f64, &f.int)?;
        ws.write_number_with_format(row, col + 1, t.warnings as f64, &f.int)?;
    }
    // 合计: formulas over the rows, with the exact sums as their cached results.
    let total_row = row + 1;
    let mut sum = Totals::default();
    for t in map.values() {
        sum.files += t.files;
        sum.projects += t.projects;
        sum.errors += t.errors;
        sum.warnings += t.warnings;
        sum.total = sum.total + t.total;
        sum.fiscal = sum.fiscal + t.fiscal;
        sum.other = sum.other + t.other;
        sum.annual_total = sum.annual_total + t.annual_total;
        sum.annual_appropriation = sum.annual_appropriation + t.annual_appropriation;
        sum.annual_carryover = sum.annual_carryover + t.annual_carryover;
        sum.annual_other = sum.annual_other + t.annual_other;
    }
    ws.write_string_with_format(total_row, 0, "合计", &f.total_label)?;
    let mut values: Vec<(String, bool)> = Vec::new();
    if with_files {
        values.push((sum.files.to_string(), false));
    }
    values.push((sum.projects.to_string(), false));
    for m in sum.amounts() {
        values.push((m.plain(), true));
    }
    values.push((sum.errors.to_string(), false));
    values.push((sum.warnings.to_string(), false));
    for (k, (value, is_money)) in values.iter().enumerate() {
        let col = k as u16 + 1;
        let letter = crate::model::column_name(col);
        let formula = if row == 0 {
            Formula::new("=0").set_result("0")
        } else {
            Formula::new(format!("=SUM({letter}2:{letter}{})", row + 1)).set_result(value)
        };
        let fmt = if *is_money {
            &f.total_money
        } else {
            &f.total_int
        };
        ws.write_formula_with_format(total_row, col, formula, fmt)?;
    }
    ws.set_freeze_panes(1, 1)?;
    ws.autofilter(0, 0, row, headers.len() as u16 - 1)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn unreadable_sheet(ws: &mut Worksheet, s: &RollupSummary, f: &Formats) -> Result<(), XlsxError> {
    for (c, (h, w)) in [("序号", 8.0), ("文件", 60.0), ("原因", 90.0)]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.head)?;
    }
    for (i, u) in s.unreadable.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number_with_format(row, 0, (i + 1) as f64, &f.int)?;
        ws.write_string_with_format(row, 1, &u.file, &f.text)?;
        ws.write_string_with_format(row, 2, &u.reason, &f.text)?;
    }
    if s.unreadable.is_empty() {
        ws.write_string_with_format(1, 1, "（所有文件均已读取）", &f.text)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_to_the_summary_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("in/松江区")).unwrap();
        std::fs::create_dir_all(root.join("out")).unwrap();
        let src = root.join("in/松江区/a.xlsx");
        std::fs::write(&src, b"").unwrap();
        assert_eq!(
            relative_link(&root.join("out"), &src).unwrap(),
            "../in/松江区/a.xlsx"
        );
        assert_eq!(relative_link(&root, &src).unwrap(), "in/松江区/a.xlsx");
    }
}
