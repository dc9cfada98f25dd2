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
use crate::write::cell_text;
use crate::Error;

const FONT: &str = "宋体";
const MONEY: &str = "#,##0.00";

/// Sheet names, in the order they appear (in `layout`, which the reader shares).
pub use crate::layout::{
    ROLLUP_FINDINGS_SHEET as FINDINGS_SHEET, ROLLUP_GROUP_SHEETS as GROUP_SHEETS,
    ROLLUP_OVERVIEW_SHEET as OVERVIEW_SHEET, ROLLUP_UNREADABLE_SHEET as UNREADABLE_SHEET,
    ROLLUP_WAIVED_SHEET as WAIVED_SHEET,
};

/// Excel keeps at most this many hyperlinks on one worksheet; past it, plain text.
const MAX_LINKS: usize = 65_530;
/// Findings rows given a height from their text. rust_xlsxwriter keeps every sized row's
/// options (a few hundred bytes, with a format) until the workbook is saved, even on a
/// constant-memory sheet, so past this many rows keep the default height and memory
/// stays bounded; a list this long is read on screen, not printed.
const MAX_SIZED_ROWS: u32 = 65_530;
/// Excel's last row (0-based); findings beyond it are only in the findings CSV.
const LAST_ROW: u32 = 1_048_575;

const FINDING_HEADERS: [(&str, f64); 9] = [
    ("序号", 7.0),
    ("来源文件", 30.0),
    ("单位名称", 22.0),
    ("项目序号", 6.0),
    ("项目名称", 22.0),
    ("位置", 22.0),
    ("代码", 7.0),
    ("级别", 6.0),
    ("说明", 60.0),
];
/// 已豁免 has 问题清单's columns and the reviewer's 理由.
const WAIVED_HEADERS: [(&str, f64); 10] = {
    let mut h = [("豁免理由", 30.0); 10];
    let mut i = 0;
    while i < FINDING_HEADERS.len() {
        h[i] = FINDING_HEADERS[i];
        i += 1;
    }
    h
};

/// A row's height for the texts in `cells` (column, text) of a sheet with these columns.
fn row_height(widths: &[f64], cells: &[(usize, &str)]) -> f64 {
    cells
        .iter()
        .map(|(c, t)| crate::write::wrapped_height(t, widths[*c]))
        .fold(0.0, f64::max)
}

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
        // Text and links wrap inside their columns (rows get heights from their text), so a
        // sheet printed fitted to the page width shows all of it.
        Formats {
            head: bold
                .clone()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xF2F2F2)),
            text: base.clone().set_text_wrap(),
            money: base.clone().set_num_format(MONEY),
            int: base.clone().set_num_format("0"),
            link: base
                .clone()
                .set_text_wrap()
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
    /// 问题清单's index; 已豁免 follows it.
    findings_index: usize,
    open: List,
    waived: List,
    /// Whether a file at `path` may be replaced when the book finishes.
    existing: crate::output::Existing,
}

impl SummaryBook {
    /// What finishing does with a file already at the path (replace, by default).
    pub fn publishing(mut self, existing: crate::output::Existing) -> SummaryBook {
        self.existing = existing;
        self
    }

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
        // Both findings sheets stream (constant memory): a broad waiver pattern can
        // waive a finding in every file of a city.
        let ws = wb.add_worksheet_with_constant_memory().map_err(&e)?;
        findings_sheet(ws, FINDINGS_SHEET, &FINDING_HEADERS, &formats).map_err(&e)?;
        let ws = wb.add_worksheet_with_constant_memory().map_err(&e)?;
        findings_sheet(ws, WAIVED_SHEET, &WAIVED_HEADERS, &formats).map_err(&e)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.canonicalize().ok(),
            _ => std::env::current_dir().ok(),
        };
        Ok(SummaryBook {
            existing: crate::output::Existing::Replace,
            path: path.to_path_buf(),
            dir,
            wb,
            formats,
            findings_index: 1 + GROUP_SHEETS.len() + 1,
            open: List::default(),
            waived: List::default(),
        })
    }

    /// Open (not waived) findings written to 问题清单 so far.
    pub fn findings_listed(&self) -> usize {
        self.open.listed
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
        // A failure here is about this input's findings: named, so the user knows which.
        let out = self.path.display().to_string();
        let e = move |err: XlsxError| Error::Write {
            file: out.clone(),
            reason: format!("{file} 的问题无法写入汇总工作簿：{err}"),
        };
        let target = self
            .dir
            .as_deref()
            .and_then(|d| relative_link(d, source))
            .filter(|t| !t.contains('#'));
        let unit = decl.unit.as_deref().unwrap_or("");
        let f = &self.formats;
        for finding in findings {
            // Waived findings go to their own sheet, so 问题清单 holds only what is still open.
            let (index, list) = match finding.waived {
                None => (self.findings_index, &mut self.open),
                Some(_) => (self.findings_index + 1, &mut self.waived),
            };
            if list.row >= LAST_ROW {
                continue;
            }
            let ws = self.wb.worksheet_from_index(index).map_err(&e)?;
            list.row += 1;
            list.listed += 1;
            let row = FindingRow {
                file,
                unit,
                decl,
                finding,
                target: target.as_deref(),
            };
            row.write(ws, list, f).map_err(&e)?;
        }
        Ok(())
    }

    /// Writes the overview, totals and unreadable sheets and saves the workbook
    /// (through a temporary file and a rename).
    pub fn finish(mut self, summary: &RollupSummary) -> Result<(), Error> {
        let path = self.path.clone();
        let e = xerr(&path);
        let f = &self.formats;
        for (index, last, columns) in [
            (self.findings_index, self.open.row, FINDING_HEADERS.len()),
            (
                self.findings_index + 1,
                self.waived.row,
                WAIVED_HEADERS.len(),
            ),
        ] {
            let ws = self.wb.worksheet_from_index(index).map_err(&e)?;
            ws.autofilter(0, 0, last, columns as u16 - 1).map_err(&e)?;
        }
        if !summary.stale_waivers.is_empty() {
            // Under the waived rows, so a reviewer sees which waivers no longer apply.
            let ws = self
                .wb
                .worksheet_from_index(self.findings_index + 1)
                .map_err(&e)?;
            let mut row = self.waived.row + 2;
            ws.write_string_with_format(
                row,
                1,
                "未匹配任何问题的豁免（可能已过时）",
                &f.total_label,
            )
            .map_err(&e)?;
            for w in &summary.stale_waivers {
                row += 1;
                let text = crate::waiver::stale_message(w);
                ws.set_row_height(row, row_height(&[60.0], &[(0, &text)]))
                    .map_err(&e)?;
                ws.merge_range(row, 1, row, 8, &text, &f.text).map_err(&e)?;
            }
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
                reason: crate::output::io_text(err.error()),
            })?;
            file.sync_all().map_err(|err| Error::Output {
                file: path.display().to_string(),
                reason: crate::output::io_text(&err),
            })?;
            crate::output::publish(&tmp, &path, self.existing)
        })();
        if result.is_err() {
            crate::output::discard_temp(&tmp);
        }
        result
    }
}

/// Where a findings sheet stands: its last row, rows listed, links placed.
#[derive(Default)]
struct List {
    row: u32,
    listed: usize,
    links: usize,
}

/// One finding's row in 问题清单 or 已豁免 (the latter adds the reviewer's 理由).
struct FindingRow<'a> {
    file: &'a str,
    unit: &'a str,
    decl: &'a Declaration,
    finding: &'a Finding,
    target: Option<&'a str>,
}

impl FindingRow<'_> {
    fn write(&self, ws: &mut Worksheet, list: &mut List, f: &Formats) -> Result<(), XlsxError> {
        let (file, unit, finding, row) = (self.file, self.unit, self.finding, list.row);
        let (number, name) = super::folder::project_label(self.decl, finding);
        let place = match (&finding.location.sheet, &finding.location.cell) {
            (Some(s), Some(c)) => format!("{s}!{c}"),
            (Some(s), None) => s.clone(),
            _ => String::new(),
        };
        let reason = finding.waived.as_deref();
        // Before the row's cells: a constant-memory sheet writes a row out when the
        // next one starts.
        if row <= MAX_SIZED_ROWS {
            let widths = WAIVED_HEADERS.map(|h| h.1);
            let height = row_height(
                &widths,
                &[
                    (1, file),
                    (2, unit),
                    (4, name),
                    (5, &place),
                    (8, &finding.message),
                    (9, reason.unwrap_or("")),
                ],
            );
            ws.set_row_height(row, height)?;
        }
        ws.write_number_with_format(row, 0, list.listed as f64, &f.int)?;
        ws.write_string_with_format(row, 1, cell_text(file), &f.text)?;
        ws.write_string_with_format(row, 2, cell_text(unit), &f.text)?;
        if number.is_empty() {
            ws.write_string_with_format(row, 3, "", &f.text)?;
        } else if let Some(i) = finding.location.project {
            ws.write_number_with_format(row, 3, (i + 1) as f64, &f.int)?;
        }
        ws.write_string_with_format(row, 4, cell_text(name), &f.text)?;
        ws.write_string_with_format(row, 5, cell_text(&place), &f.text)?;
        // The link sits on the code, which always fits its column: LibreOffice does
        // not wrap a linked cell, so a long path would print cut off.
        let mut linked = false;
        if let (Some(t), true) = (self.target, list.links < MAX_LINKS) {
            let anchor = match &finding.location.sheet {
                Some(s) => format!(
                    "#'{}'!{}",
                    s.replace('\'', "''"),
                    finding.location.cell.as_deref().unwrap_or("A1")
                ),
                None => String::new(),
            };
            let url = Url::new(format!("file:///{t}{anchor}")).set_text(&finding.code);
            if ws.write_url_with_format(row, 6, url, &f.link).is_ok() {
                list.links += 1;
                linked = true;
            }
        }
        if !linked {
            ws.write_string_with_format(row, 6, &finding.code, &f.text)?;
        }
        match reason {
            None => {
                ws.write_string_with_format(row, 7, finding.severity.zh(), &f.text)?;
                ws.write_string_with_format(row, 8, cell_text(&finding.message), &f.text)?;
            }
            Some(why) => {
                let level = format!("已豁免（{}）", finding.severity.zh());
                ws.write_string_with_format(row, 7, level, &f.text)?;
                ws.write_string_with_format(row, 8, cell_text(&finding.message), &f.text)?;
                ws.write_string_with_format(row, 9, cell_text(why), &f.text)?;
            }
        }
        Ok(())
    }
}

/// A findings sheet: headers, widths, frozen header row, printed landscape.
fn findings_sheet(
    ws: &mut Worksheet,
    name: &str,
    headers: &[(&str, f64)],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    for (c, (h, w)) in headers.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.head)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_row_height(0, 30)?;
    crate::write::page_setup(ws, true, Some((0, 0)))
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
    crate::write::page_setup(ws, false, Some((0, 0)))?;
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
    // A number like the figures above it (the label carries the unit), so it prints
    // with separators, right-aligned, and sums in Excel.
    let wan: f64 = s.all.total.wan().to_string().parse().unwrap_or(0.0);
    ws.write_number_with_format(row, 1, wan, &f.money)?;
    row += 1;
    // Apart from 错误 and 警告 (listed on their own sheet); last, so the cells above keep
    // their addresses.
    for (label, n) in [
        ("已豁免（未计入错误与警告）", s.waived),
        ("未匹配任何问题的豁免", s.stale_waivers.len()),
    ] {
        ws.write_string_with_format(row, 0, label, &f.text)?;
        ws.write_number_with_format(row, 1, n as f64, &f.int)?;
        row += 1;
    }
    let total_findings = s.errors() + s.warnings();
    if s.findings_listed < total_findings {
        let note = format!(
            "「{FINDINGS_SHEET}」列出前 {} 条（Excel 工作表的行数上限），全部 {total_findings} 条见 --findings 的 CSV。",
            s.findings_listed
        );
        ws.merge_range(row + 1, 0, row + 1, 1, &note, &f.text)?;
        ws.set_row_height(row + 1, row_height(&[54.0], &[(0, &note)]))?;
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
    ws.set_row_height(0, 30)?;
    let mut row = 0u32;
    for (name, t) in map {
        row += 1;
        ws.write_string_with_format(row, 0, name, &f.text)?;
        ws.set_row_height(row, row_height(&[headers[0].1], &[(0, name)]))?;
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
    // Each group's sums hold amounts within 10^15 元 only, so these cannot overflow short
    // of ~10^13 projects; checked all the same, `#NUM!` past Decimal's range.
    let mut amounts: [Option<Money>; 7] = [Some(Money::ZERO); 7];
    for t in map.values() {
        sum.files += t.files;
        sum.projects += t.projects;
        sum.errors += t.errors;
        sum.warnings += t.warnings;
        for (a, m) in amounts.iter_mut().zip(t.amounts()) {
            *a = a.and_then(|a| a.checked_add(m));
        }
    }
    ws.write_string_with_format(total_row, 0, "合计", &f.total_label)?;
    let mut values: Vec<(String, bool)> = Vec::new();
    if with_files {
        values.push((sum.files.to_string(), false));
    }
    values.push((sum.projects.to_string(), false));
    for m in amounts {
        values.push((m.map_or_else(|| "#NUM!".to_string(), Money::plain), true));
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
    crate::write::page_setup(ws, true, Some((0, 0)))?;
    Ok(())
}

fn unreadable_sheet(ws: &mut Worksheet, s: &RollupSummary, f: &Formats) -> Result<(), XlsxError> {
    let widths = [7.0, 50.0, 70.0];
    for (c, (h, w)) in ["序号", "文件", "原因"].iter().zip(widths).enumerate() {
        ws.set_column_width(c as u16, w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.head)?;
    }
    for (i, u) in s.unreadable.iter().enumerate() {
        let row = i as u32 + 1;
        let height = row_height(&widths, &[(1, &u.file), (2, &u.reason)]);
        ws.set_row_height(row, height)?;
        ws.write_number_with_format(row, 0, (i + 1) as f64, &f.int)?;
        ws.write_string_with_format(row, 1, &u.file, &f.text)?;
        ws.write_string_with_format(row, 2, &u.reason, &f.text)?;
    }
    if s.unreadable.is_empty() {
        ws.write_string_with_format(1, 1, "（所有文件均已读取）", &f.text)?;
    }
    ws.set_freeze_panes(1, 0)?;
    crate::write::page_setup(ws, true, Some((0, 0)))?;
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
