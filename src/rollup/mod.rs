//! Rollups: one row per project for a CSV (and, for a folder, indicators, findings and a
//! summary workbook).

mod csv_out;
pub mod floor;
mod folder;
pub mod summary_book;

pub use csv_out::{CsvEncoding, CsvSink};
pub use folder::{
    discover, ordered_map, read_and_validate, rollup, unreadable_reason, Input, ReadFile,
    RollupOptions, RollupSummary, Totals, Unreadable, AMOUNT_COLUMNS, BLANK_KEY, FINDING_COLUMNS,
    INDICATOR_COLUMNS, WORKBOOK_EXTENSIONS,
};

use crate::model::{Date, Declaration, Finding, Money, Project, Severity};

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

fn money(m: Option<Money>) -> String {
    m.map(|m| m.plain()).unwrap_or_default()
}

fn date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The rollup row of project `index` of `decl`; `findings` are the file's findings (those
/// of this project are counted).
pub fn project_row(
    decl: &Declaration,
    index: usize,
    project: &Project,
    findings: &[Finding],
    file: &str,
) -> Vec<String> {
    let h = &project.header;
    let f = &project.funds;
    let count = |sev: Severity| {
        findings
            .iter()
            .filter(|x| x.location.project == Some(index) && x.severity == sev)
            .count()
            .to_string()
    };
    vec![
        decl.unit.clone().unwrap_or_default(),
        decl.year.map(|y| y.to_string()).unwrap_or_default(),
        h.name.clone().unwrap_or_default(),
        h.nature.clone().unwrap_or_default(),
        h.category.clone().unwrap_or_default(),
        h.department.clone().unwrap_or_default(),
        h.implementer.clone().unwrap_or_default(),
        date(h.start),
        date(h.end),
        money(f.total),
        money(f.fiscal),
        money(f.other),
        money(f.annual_total),
        money(f.annual_appropriation),
        money(f.annual_carryover),
        money(f.annual_other),
        project.indicators.len().to_string(),
        count(Severity::Error),
        count(Severity::Warning),
        file.to_string(),
        (index + 1).to_string(),
    ]
}

/// Writes the project rollup of one declaration to an open sink.
pub fn write_projects(
    sink: &mut CsvSink,
    decl: &Declaration,
    findings: &[Finding],
    file: &str,
) -> Result<(), crate::Error> {
    for (i, p) in decl.projects.iter().enumerate() {
        let row = project_row(decl, i, p, findings, file);
        sink.record(row.iter().map(String::as_str))?;
    }
    Ok(())
}
