//! Writing a declaration as a workbook: the unit summary sheet, one form sheet per project,
//! and a hidden sheet of dropdown lists. The same code writes the blank template (a
//! declaration of empty projects) and the corrected workbook of `fix` (with marks).

mod formats;
mod project;
mod report_sheet;
mod summary;

use std::collections::BTreeMap;
use std::path::Path;

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use crate::layout;
use crate::model::{framework, Declaration, FieldPath, SourceMap};

pub(crate) use formats::wrapped_height;
pub use formats::{MARK_COLOR, MONEY_FORMAT, PAGE_FOOTER};
pub use report_sheet::{report_sheet, ReportRow, REPORT_SHEET};

/// Cells to mark as changed, with the note that says what was there and why it changed.
pub type Marks = BTreeMap<FieldPath, String>;

/// How to write.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// Leave room to fill in: empty budget and indicator rows beyond the model's.
    pub template: bool,
    /// Cells `fix` changed: filled in the mark colour, with a note.
    pub marks: Marks,
    /// Text to keep in a cell whose value could not be read (`待定` in a money cell): the
    /// model holds nothing there, but the user's words are not dropped.
    pub keep_text: BTreeMap<FieldPath, String>,
    /// For submission (`fix --clean`): no fills and no notes, not even on kept text; the
    /// changes are recorded elsewhere (the 校验结果 sheet).
    pub clean: bool,
}

/// A worksheet being written, with the map of what went where.
pub(crate) struct Sheet<'a> {
    pub ws: &'a mut Worksheet,
    pub name: String,
    pub project: usize,
    pub map: &'a mut SourceMap,
    pub marks: &'a Marks,
    pub keep_text: &'a BTreeMap<FieldPath, String>,
    /// Kept text is written without the mark fill.
    pub clean: bool,
}

/// Lengths of the dropdown lists on the hidden list sheet.
pub(crate) struct Lists {
    pub natures: usize,
    pub categories: usize,
    pub level1: usize,
    pub level2: usize,
}

/// Names for the project sheets: `1.项目名称`, cut to Excel's 31 characters, without the
/// characters Excel forbids, and unique.
pub fn project_sheet_names(decl: &Declaration) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, p) in decl.projects.iter().enumerate() {
        let base: String = p
            .header
            .name
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(|c| {
                !matches!(
                    c,
                    '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\'' | '\n' | '\r' | '\t'
                )
            })
            .collect();
        let base = base.trim();
        let stem = if base.is_empty() {
            format!("项目{}", i + 1)
        } else {
            format!("{}.{}", i + 1, base)
        };
        let mut name = take_utf16(&stem, 31);
        let mut k = 2;
        while names.contains(&name) || name == layout::SUMMARY_SHEET || name == layout::LIST_SHEET {
            let suffix = format!("({k})");
            name = take_utf16(&stem, 31 - suffix.len()) + &suffix;
            k += 1;
        }
        names.push(name);
    }
    names
}

/// The longest prefix of `s` within `max` UTF-16 units: Excel's 31-character limit on
/// sheet names counts a character outside the BMP (such as 𠮷) as two.
fn take_utf16(s: &str, max: usize) -> String {
    let mut used = 0;
    s.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= max
        })
        .collect()
}

/// How every printed sheet jixiao writes is set up: A4, fitted to the page width, page
/// numbers in the footer, and `header_rows` (first and last, 0-based) repeated at the top
/// of each page.
pub(crate) fn page_setup(
    ws: &mut Worksheet,
    landscape: bool,
    header_rows: Option<(u32, u32)>,
) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    if landscape {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.5, 0.5, 0.6, 0.7, 0.3, 0.3);
    ws.set_footer(formats::PAGE_FOOTER);
    if let Some((first, last)) = header_rows {
        ws.set_repeat_rows(first, last)?;
    }
    Ok(())
}

/// Builds the workbook for `decl` in memory; returns it with the map of where each field
/// was written (used to link findings to cells).
pub fn build_workbook(
    decl: &Declaration,
    options: &WriteOptions,
    file_name: &str,
) -> Result<(Workbook, SourceMap), XlsxError> {
    let mut wb = Workbook::new();
    // A fixed creation time makes the same model give the same bytes (the committed
    // template and sample can be checked against what the tool writes today).
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 1, 1)?;
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_author("jixiao")
            .set_title(layout::FORM_TITLE)
            .set_creation_datetime(&created),
    );
    let mut map = SourceMap::new(file_name);
    let no_marks = Marks::new();
    let marks = if options.clean {
        &no_marks
    } else {
        &options.marks
    };
    let names = project_sheet_names(decl);

    // Summary first so it is the sheet that opens; it needs the project cells, so the
    // project sheets are written into the workbook's order after it.
    let mut summary_ws = Worksheet::new();
    summary_ws.set_name(layout::SUMMARY_SHEET)?;
    let mut project_ws = Vec::new();
    let lists = Lists {
        natures: layout::NATURES.len(),
        categories: layout::CATEGORIES.len(),
        level1: framework::FRAMEWORK.len(),
        level2: framework::level2_names().len(),
    };
    let mut cells = Vec::new();
    for (i, project) in decl.projects.iter().enumerate() {
        let mut ws = Worksheet::new();
        ws.set_name(&names[i])?;
        let mut sheet = Sheet {
            ws: &mut ws,
            name: names[i].clone(),
            project: i,
            map: &mut map,
            marks,
            keep_text: &options.keep_text,
            clean: options.clean,
        };
        let c = project::write_project(&mut sheet, project, decl.year, options.template, &lists)?;
        cells.push((names[i].clone(), c));
        project_ws.push(ws);
    }
    {
        let mut sheet = Sheet {
            ws: &mut summary_ws,
            name: layout::SUMMARY_SHEET.to_string(),
            project: usize::MAX,
            map: &mut map,
            marks,
            keep_text: &options.keep_text,
            clean: options.clean,
        };
        summary::write_summary(&mut sheet, decl, &cells)?;
    }
    wb.push_worksheet(summary_ws);
    for ws in project_ws {
        wb.push_worksheet(ws);
    }
    wb.push_worksheet(list_sheet()?);
    Ok((wb, map))
}

/// The hidden sheet with the dropdown lists (a list longer than 255 characters cannot be
/// written inline in a validation, so all of them live here).
fn list_sheet() -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(layout::LIST_SHEET)?;
    let head = formats::format(formats::Style::Label, false);
    let cols: [(&str, Vec<&str>); 4] = [
        ("项目性质", layout::NATURES.to_vec()),
        ("项目类别", layout::CATEGORIES.to_vec()),
        ("一级指标", framework::level1_names().collect()),
        ("二级指标", framework::level2_names()),
    ];
    for (c, (title, items)) in cols.iter().enumerate() {
        ws.set_column_width(c as u16, 22)?;
        ws.write_string_with_format(0, c as u16, *title, &head)?;
        for (r, item) in items.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *item)?;
        }
    }
    ws.set_hidden(true);
    Ok(ws)
}

/// Writes `decl` to `path` (atomically, see [`crate::output`]); returns where each field went.
///
/// ```
/// use jixiao::model::Declaration;
/// use jixiao::write::{write_workbook, WriteOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.xlsx");
/// write_workbook(&Declaration::default(), &path, &WriteOptions::default()).unwrap();
/// assert!(path.exists());
/// ```
pub fn write_workbook(
    decl: &Declaration,
    path: &Path,
    options: &WriteOptions,
) -> Result<SourceMap, crate::Error> {
    write_workbook_publishing(decl, path, options, crate::output::Existing::Replace)
}

/// [`write_workbook`], saying what to do with a file already at `path` (without
/// `--force`: keep it and fail, in one atomic step with the publish).
pub fn write_workbook_publishing(
    decl: &Declaration,
    path: &Path,
    options: &WriteOptions,
    existing: crate::output::Existing,
) -> Result<SourceMap, crate::Error> {
    let name = path.display().to_string();
    check_writable(decl).map_err(|reason| crate::Error::Write {
        file: name.clone(),
        reason,
    })?;
    let (mut wb, map) = build_workbook(decl, options, &name).map_err(|e| crate::Error::Write {
        file: name.clone(),
        reason: e.to_string(),
    })?;
    save_publishing(&mut wb, path, existing)?;
    Ok(map)
}

/// Excel's limit on the characters of one cell (rust_xlsxwriter refuses longer strings).
pub const MAX_CELL_CHARS: usize = 32_767;

/// `text` cut to what one cell holds: past [`MAX_CELL_CHARS`] characters, a first part and
/// `…`. For text jixiao composes (a finding quoting a long cell, twice): one long legal
/// cell must not make a whole workbook unwritable.
///
/// ```
/// let long = "甲".repeat(40_000);
/// let cut = jixiao::write::cell_text(&long);
/// assert_eq!(cut.chars().count(), 32_767);
/// assert!(cut.ends_with("甲…"));
/// assert_eq!(jixiao::write::cell_text("短"), "短");
/// ```
pub fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    // Bytes bound characters from above: most text is decided without counting.
    if text.len() <= MAX_CELL_CHARS || text.chars().count() <= MAX_CELL_CHARS {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut cut: String = text.chars().take(MAX_CELL_CHARS - 1).collect();
    cut.push('…');
    std::borrow::Cow::Owned(cut)
}

/// Sheets jixiao writes besides one per project: the unit summary and the hidden lists.
pub const FIXED_SHEETS: usize = 2;

/// The most projects one workbook holds: as many as the reader's sheet limit leaves.
pub const MAX_PROJECTS: usize = crate::read::LIMITS.max_sheets - FIXED_SHEETS;

/// Cells a project sheet holds at most besides its rows: title, header, funds, goals.
const CELLS_PER_SHEET: u64 = 200;
/// Cells of one budget line or indicator row, at most.
const CELLS_PER_ROW: u64 = 8;

/// Whether jixiao can read back what it would write for `decl` (the reader's
/// [`crate::read::LIMITS`]): at most [`MAX_PROJECTS`] projects and, counted generously,
/// the cells per sheet and per workbook. A workbook `check` would refuse is not written.
pub fn check_writable(decl: &Declaration) -> Result<(), String> {
    let limits = crate::read::LIMITS;
    let n = decl.projects.len();
    if n > MAX_PROJECTS {
        return Err(format!(
            "有 {n} 个项目，超过一个工作簿的上限 {MAX_PROJECTS} 个（每个项目一张工作表，工作簿最多 {} 张）：请分成几份申报表",
            limits.max_sheets
        ));
    }
    let mut total: u64 = 0;
    for (i, p) in decl.projects.iter().enumerate() {
        let rows = (p.budget_lines.len() + p.indicators.len()) as u64;
        let cells = CELLS_PER_SHEET.saturating_add(rows.saturating_mul(CELLS_PER_ROW));
        if cells > limits.max_cells_per_sheet as u64 {
            return Err(format!(
                "第 {} 个项目有 {rows} 行预算明细和绩效指标，写出的工作表会超过读取上限（每张工作表 {} 个单元格）",
                i + 1,
                limits.max_cells_per_sheet
            ));
        }
        total = total.saturating_add(cells);
    }
    if total > limits.max_cells_per_workbook as u64 {
        return Err(format!(
            "写出的工作簿约有 {total} 个单元格，超过读取上限 {} 个：请分成几份申报表",
            limits.max_cells_per_workbook
        ));
    }
    Ok(())
}

/// The cached result of a sum formula: the exact figure, or `#NUM!` (what Excel shows for
/// a number it cannot hold) when the amounts add up past Decimal's range.
pub(crate) fn sum_result(sum: Option<rust_decimal::Decimal>) -> String {
    sum.map_or_else(|| "#NUM!".into(), |d| d.normalize().to_string())
}

/// Saves a built workbook atomically, replacing a file at `path`.
pub fn save(wb: &mut Workbook, path: &Path) -> Result<(), crate::Error> {
    save_publishing(wb, path, crate::output::Existing::Replace)
}

/// [`save`], saying what to do with a file already at `path`.
pub fn save_publishing(
    wb: &mut Workbook,
    path: &Path,
    existing: crate::output::Existing,
) -> Result<(), crate::Error> {
    let name = path.display().to_string();
    let bytes = wb.save_to_buffer().map_err(|e| crate::Error::Write {
        file: name.clone(),
        reason: e.to_string(),
    })?;
    crate::output::write_new(path, &bytes, existing == crate::output::Existing::Replace)
}

/// A name Excel (and rust_xlsxwriter) accepts for a sheet the user called `wanted`, unique
/// among `taken` as Excel compares them (ignoring case). LibreOffice and WPS allow names
/// Excel refuses: `[]:*?/\` become `_`, apostrophes at either end go, the name is cut to
/// 31 UTF-16 units, and a clash gets `(2)`, `(3)`….
///
/// ```
/// use jixiao::write::legal_sheet_name;
/// assert_eq!(legal_sheet_name("计算[草稿]:1", &[]), "计算_草稿__1");
/// assert_eq!(legal_sheet_name("'备注'", &[]), "备注");
/// assert_eq!(legal_sheet_name("备注", &["备注".into()]), "备注(2)");
/// assert_eq!(legal_sheet_name(&"长".repeat(40), &[]).chars().count(), 31);
/// ```
pub fn legal_sheet_name(wanted: &str, taken: &[String]) -> String {
    let cleaned: String = wanted
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim_matches('\'');
    let stem = if cleaned.trim().is_empty() {
        "工作表"
    } else {
        cleaned
    };
    let clash = |n: &str| {
        // Excel reserves History for its change tracking.
        n.eq_ignore_ascii_case("History")
            || taken.iter().any(|t| t.to_lowercase() == n.to_lowercase())
    };
    let mut name = take_utf16(stem, 31);
    let mut k = 2;
    while clash(&name) {
        let suffix = format!("({k})");
        name = take_utf16(stem, 31 - suffix.len())
            .trim_end_matches('\'')
            .to_string()
            + &suffix;
        k += 1;
    }
    name
}

/// A sheet of the user's carried over as values (see [`crate::read::other_sheets`]),
/// renamed when Excel would refuse its name or it is taken ([`legal_sheet_name`]).
pub fn plain_sheet(
    sheet: &crate::read::PlainSheet,
    taken: &[String],
) -> Result<Worksheet, XlsxError> {
    plain_sheet_as(sheet, &legal_sheet_name(&sheet.name, taken))
}

/// [`plain_sheet`] under a name already made legal and unique.
pub fn plain_sheet_as(sheet: &crate::read::PlainSheet, name: &str) -> Result<Worksheet, XlsxError> {
    use crate::read::PlainValue;
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    let date = rust_xlsxwriter::Format::new().set_num_format(formats::DATE_FORMAT);
    for (r, c, v) in &sheet.cells {
        match v {
            PlainValue::Text(s) => ws.write_string(*r, *c, cell_text(s))?,
            PlainValue::Number(n) => ws.write_number(*r, *c, *n)?,
            PlainValue::Bool(b) => ws.write_boolean(*r, *c, *b)?,
            PlainValue::Date(d) => ws.write_number_with_format(*r, *c, *d, &date)?,
        };
    }
    if sheet.hidden {
        ws.set_hidden(true);
    }
    // Printed like every other sheet of the workbook: A4, page numbers; its scale is the
    // user's (a wide sheet fitted to the width could print too small to read).
    ws.set_paper_size(9);
    ws.set_footer(formats::PAGE_FOOTER);
    Ok(ws)
}
