//! Reading a filled workbook (xlsx, xlsm, xls, ods) into the model.
//!
//! Fields are found by their labels from [`crate::layout`], not by coordinates, so rows
//! inserted above or inside blocks, extra indicator rows, resized merges, labels typed with
//! spaces or full-width brackets, renamed or reordered sheets all still read. What cannot
//! be read as a value becomes a finding (code `R0xx`) with its cell; what is not a
//! workbook, or not this form, is an [`Error`](crate::Error) naming the file.

mod cell;
mod grid;
mod guard;
mod labels;
mod open;
mod project;

use std::path::Path;

use crate::layout;
use crate::model::{
    CoverField, Declaration, FieldPath, Finding, MoneyUnit, SourceMap, StatedAmount,
};
use crate::Error;

pub use cell::codes;
pub use open::{Limits, LIMITS};

use cell::Ctx;
use grid::Grid;
use labels::{field_keys, value_right};

/// What reading a workbook gives: the model, where each field came from, and the problems
/// found in cell values while reading.
#[derive(Debug)]
pub struct ReadOutcome {
    pub declaration: Declaration,
    pub sources: SourceMap,
    pub findings: Vec<Finding>,
}

/// Reads a declaration workbook.
///
/// ```
/// let out = jixiao::read::read_workbook("samples/songjiang-kcb-2024.xlsx").unwrap();
/// assert_eq!(out.declaration.projects.len(), 10);
/// assert_eq!(out.declaration.projects_total().wan_string(), "1,743.86万元");
/// ```
pub fn read_workbook(path: impl AsRef<Path>) -> Result<ReadOutcome, Error> {
    let path = path.as_ref();
    let grids = open::load(path)?;
    from_grids(&path.display().to_string(), grids)
}

/// Reads a declaration from the bytes of a workbook; `file` names it in messages.
pub fn read_bytes(file: &str, bytes: Vec<u8>) -> Result<ReadOutcome, Error> {
    let grids = open::load_bytes(file, bytes)?;
    from_grids(file, grids)
}

fn is_cover_sheet(grid: &Grid) -> bool {
    layout::COVER_FIELDS
        .iter()
        .filter(|f| {
            matches!(
                f.key,
                CoverField::Unit | CoverField::StatedCount | CoverField::StatedTotal
            )
        })
        .any(|f| !grid.find_any(&field_keys(f)).is_empty())
}

fn from_grids(file: &str, grids: Vec<Grid>) -> Result<ReadOutcome, Error> {
    let mut ctx = Ctx {
        sources: SourceMap::new(file),
        findings: Vec::new(),
    };
    let mut decl = Declaration::default();
    let project_sheets: Vec<&Grid> = grids
        .iter()
        .filter(|g| project::is_project_sheet(g))
        .collect();
    let cover = grids
        .iter()
        .find(|g| !project::is_project_sheet(g) && is_cover_sheet(g));
    if project_sheets.is_empty() && cover.is_none() {
        let names: Vec<&str> = grids.iter().map(|g| g.name.as_str()).collect();
        return Err(Error::NotAForm {
            file: file.to_string(),
            reason: format!(
                "在工作表 {} 中都没有找到申报表的标签（「项目名称」与「项目资金总额」或「一级指标」，或汇总表的「单位名称」）。请使用标准模板（jixiao template）填写。",
                if names.is_empty() { "（无）".to_string() } else { names.iter().map(|n| format!("「{n}」")).collect::<Vec<_>>().join("、") }
            ),
        });
    }
    if let Some(cover) = cover {
        read_cover(&mut ctx, cover, &mut decl);
    }
    for g in &project_sheets {
        let first = decl.projects.len();
        let projects = project::read_sheet(&mut ctx, g, first);
        decl.projects.extend(projects);
    }
    if decl.year.is_none() {
        decl.year = project_sheets
            .iter()
            .find_map(|g| project::subtitle_year(g));
    }
    Ok(ReadOutcome {
        declaration: decl,
        sources: ctx.sources,
        findings: ctx.findings,
    })
}

fn read_cover(ctx: &mut Ctx, grid: &Grid, decl: &mut Declaration) {
    let known = labels::known_labels();
    for f in &layout::COVER_FIELDS {
        let keys = field_keys(f);
        let Some(&label_pos) = grid.find_any(&keys).first() else {
            continue;
        };
        let (pos, data) = value_right(grid, label_pos, u16::MAX, &known);
        ctx.record(FieldPath::Cover(f.key), &grid.name, pos, data);
        let sheet = grid.name.clone();
        match f.key {
            CoverField::Unit => decl.unit = cell::text(ctx, &sheet, pos, data, None, f.label),
            CoverField::SummaryText => {
                decl.summary_text = cell::text(ctx, &sheet, pos, data, None, f.label)
            }
            CoverField::Year => {
                decl.year = cell::whole_number(ctx, &sheet, pos, data, f.label)
                    .and_then(|y| i32::try_from(y).ok())
            }
            CoverField::StatedCount => {
                decl.stated_project_count = cell::whole_number(ctx, &sheet, pos, data, f.label)
                    .and_then(|n| u32::try_from(n).ok())
            }
            CoverField::StatedTotal => {
                let label = grid.label_at(label_pos.0, label_pos.1).unwrap_or_default();
                let unit = if label.contains("(元)") {
                    MoneyUnit::Yuan
                } else {
                    MoneyUnit::Wan
                };
                decl.stated_total = stated_amount(ctx, &sheet, pos, data, unit);
            }
        }
    }
}

/// The cover total as the unit states it, keeping the unit it was written in.
fn stated_amount(
    ctx: &mut Ctx,
    sheet: &str,
    pos: (u32, u16),
    data: Option<&calamine::Data>,
    unit: MoneyUnit,
) -> Option<StatedAmount> {
    use calamine::Data;
    match data? {
        Data::String(s) => match crate::values::parse_money_text(s) {
            Ok(p) => {
                // Text without a unit is in the label's unit.
                let has_unit = s.contains('元') || s.contains('万');
                Some(if has_unit {
                    StatedAmount::new(p.value, p.unit)
                } else {
                    StatedAmount::new(p.value, unit)
                })
            }
            Err(_) => {
                cell::money(ctx, sheet, pos, data, None, "项目预算资金合计", unit);
                None
            }
        },
        Data::Float(f) => crate::values::decimal_from_f64(*f).map(|v| StatedAmount::new(v, unit)),
        Data::Int(i) => Some(StatedAmount::new((*i).into(), unit)),
        _ => {
            cell::money(ctx, sheet, pos, data, None, "项目预算资金合计", unit);
            None
        }
    }
}
