//! Rollups: one row per project for a CSV (and, for a folder, indicators, findings and a
//! summary workbook).

mod csv_out;
pub mod floor;
mod folder;
pub mod summary_book;

pub use csv_out::{neutral, CsvEncoding, CsvSink};
pub use folder::{
    discover, ordered_map, read_and_validate, rollup, rollup_waived, unreadable_reason, Input,
    ReadFile, RollupOptions, RollupSummary, Totals, Unreadable, AMOUNT_COLUMNS, BLANK_KEY,
    FINDING_COLUMNS, INDICATOR_COLUMNS, WORKBOOK_EXTENSIONS,
};

use crate::model::{Declaration, Finding, Project, Severity};

/// Columns of the project rollup: a stable contract for the next level (DuckDB, Spark,
/// a budget system). Amounts are in 元 as plain numbers with two decimals; 项目序号 is the
/// project's place in its file, from 1 (with 来源文件 it keys the indicator and findings
/// files). New columns are only ever added at the end.
pub const PROJECT_COLUMNS: [&str; 21] = [
    "单位名称",
    "预算年度",
    "项目名称",
    "项目性质",
    "项目类别",
    "主管部门",
    "实施单位",
    "计划开始日期",
    "计划完成日期",
    "项目资金总额",
    "财政资金",
    "其他资金",
    "年度资金申请总额",
    "当年财政拨款",
    "上年结转资金",
    "年度其他资金",
    "指标数",
    "错误数",
    "警告数",
    "来源文件",
    "项目序号",
];

/// The rollup row of project `index` of `decl`; `findings` are the file's findings (those
/// of this project are counted).
pub fn project_row(
    decl: &Declaration,
    index: usize,
    project: &Project,
    findings: &[Finding],
    file: &str,
) -> Vec<String> {
    let mut row = Vec::new();
    project_row_into(&mut row, decl, index, project, findings, file);
    row
}

/// [`project_row`] into `row`, reusing its strings: a folder rollup writes a row for every
/// project, and twenty-one allocations a row showed in its profile.
pub(crate) fn project_row_into(
    row: &mut Vec<String>,
    decl: &Declaration,
    index: usize,
    project: &Project,
    findings: &[Finding],
    file: &str,
) {
    use std::fmt::Write;
    row.resize_with(PROJECT_COLUMNS.len(), String::new);
    row.iter_mut().for_each(String::clear);
    let h = &project.header;
    let f = &project.funds;
    let count = |sev: Severity| {
        findings
            .iter()
            .filter(|x| {
                x.location.project == Some(index) && x.severity == sev && x.waived.is_none()
            })
            .count()
    };
    fn text(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or_default()
    }
    row[0].push_str(text(&decl.unit));
    if let Some(y) = decl.year {
        let _ = write!(row[1], "{y}");
    }
    row[2].push_str(text(&h.name));
    row[3].push_str(text(&h.nature));
    row[4].push_str(text(&h.category));
    row[5].push_str(text(&h.department));
    row[6].push_str(text(&h.implementer));
    for (i, d) in [(7, h.start), (8, h.end)] {
        if let Some(d) = d {
            let _ = write!(row[i], "{d}");
        }
    }
    let amounts = [
        f.total,
        f.fiscal,
        f.other,
        f.annual_total,
        f.annual_appropriation,
        f.annual_carryover,
        f.annual_other,
    ];
    for (i, m) in amounts.into_iter().enumerate() {
        if let Some(m) = m {
            m.write_plain(&mut row[9 + i]);
        }
    }
    let _ = write!(row[16], "{}", project.indicators.len());
    let _ = write!(row[17], "{}", count(Severity::Error));
    let _ = write!(row[18], "{}", count(Severity::Warning));
    row[19].push_str(file);
    let _ = write!(row[20], "{}", index + 1);
}

/// Writes the project rollup of one declaration to an open sink.
pub fn write_projects(
    sink: &mut CsvSink,
    decl: &Declaration,
    findings: &[Finding],
    file: &str,
) -> Result<(), crate::Error> {
    let mut row = Vec::new();
    for (i, p) in decl.projects.iter().enumerate() {
        project_row_into(&mut row, decl, i, p, findings, file);
        sink.record(row.iter().map(String::as_str))?;
    }
    Ok(())
}
