//! Reading a filled workbook (xlsx, xlsm, xls, ods) into the model.
//!
//! Fields are found by their labels from [`crate::layout`], not by coordinates, so rows
//! inserted above or inside blocks, extra indicator rows, resized merges, labels typed with
//! spaces or full-width brackets, renamed or reordered sheets all still read. What cannot
//! be read as a value becomes a finding (code `R0xx`) with its cell; what is not a
//! workbook, or not this form, is an [`Error`] naming the file.

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
pub use open::{panic_is_caught, Limits, LIMITS};

use cell::Ctx;
use grid::{Grid, Value};
use labels::{form_keys, value_right};

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
/// assert_eq!(out.declaration.projects_total().unwrap().wan_string(), "1,743.86万元");
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

/// Which sheet is the unit's cover, among those that are not project forms. A cover laid
/// out as the template is preferred over a sheet with only inline labels, which may be
/// filling instructions (`单位名称：填写全称`).
fn cover_position(grids: &[Grid], is_project: &[bool]) -> Option<usize> {
    let pick = |inline| {
        grids
            .iter()
            .zip(is_project)
            .position(|(g, p)| !p && is_cover_sheet(g, inline))
    };
    pick(false).or_else(|| pick(true))
}

/// Whether `grid` looks like the unit's cover: the published sentence, or one of the
/// cover's key labels; with `inline`, also a label with its value in the same cell.
fn is_cover_sheet(grid: &Grid, inline: bool) -> bool {
    cover_sentence(grid).is_some()
        || layout::COVER_FIELDS
            .iter()
            .zip(&form_keys().cover)
            .filter(|(f, _)| {
                matches!(
                    f.key,
                    CoverField::Unit | CoverField::StatedCount | CoverField::StatedTotal
                )
            })
            .any(|(f, keys)| match cover_field_at(grid, f.key, keys) {
                Some(CoverAt::Label(_)) => true,
                Some(CoverAt::Inline(..)) => inline,
                None => false,
            })
}

/// Where a cover field is: its label alone in a cell, with the value to its right, or the
/// label and the value typed in one cell (`单位名称：XXX`, `预算年度：2024`).
enum CoverAt {
    Label((u32, u16)),
    Inline((u32, u16), String),
}

/// The first place `keys` (a cover field's label and aliases, normalized) appear on `grid`.
/// `单位：元` is a note of the money unit, not the unit's name, so it is passed over.
fn cover_field_at(grid: &Grid, field: CoverField, keys: &[String]) -> Option<CoverAt> {
    labels::find_label(grid, keys).into_iter().find_map(|pos| {
        match labels::inline_text(grid, pos, keys) {
            None => Some(CoverAt::Label(pos)),
            Some(text) if field == CoverField::Unit && is_money_unit_note(&text) => None,
            Some(text) if is_filling_instruction(&text) => None,
            Some(text) => Some(CoverAt::Inline(pos, text)),
        }
    })
}

/// Whether the sheets are those of the summary workbook `jixiao rollup --xlsx` writes:
/// its overview and all four totals sheets, by name.
fn is_rollup_summary(grids: &[Grid]) -> bool {
    let has = |name: &str| grids.iter().any(|g| g.name == name);
    has(layout::ROLLUP_OVERVIEW_SHEET) && layout::ROLLUP_GROUP_SHEETS.iter().all(|(s, _)| has(s))
}

/// `请填写单位全称`, `填写预算年度`, `如：2024`: a template's filling instructions after a
/// label, not a value.
fn is_filling_instruction(text: &str) -> bool {
    let t = crate::values::normalize_label(text);
    ["请", "填写", "如:", "例如", "按"]
        .iter()
        .any(|p| t.starts_with(p))
}

/// `元`, `万元`, `人民币元`, `元/万元`: what `单位：` says above a table of amounts.
fn is_money_unit_note(text: &str) -> bool {
    let t = crate::values::normalize_label(text);
    !t.is_empty() && t.chars().all(|c| "元万千百亿人民币()/、".contains(c))
}

/// A sheet holds one form, at most a few pasted twice; hundreds of 项目名称 labels on one
/// sheet are not a declaration, and reading them costs time that grows with their square.
fn check_form_counts(file: &str, sheets: &[&Grid]) -> Result<(), Error> {
    let name_keys = &form_keys().header[0];
    for g in sheets {
        let n = labels::find_label(g, name_keys).len();
        if n > LIMITS.max_forms_per_sheet {
            return Err(Error::Limit {
                file: file.to_string(),
                reason: format!(
                    "工作表「{}」中有 {n} 处「项目名称」，超过上限 {}（一张工作表应只有一份申报表）",
                    g.name,
                    LIMITS.max_forms_per_sheet
                ),
            });
        }
    }
    Ok(())
}

fn from_grids(file: &str, grids: Vec<Grid>) -> Result<ReadOutcome, Error> {
    let mut ctx = Ctx {
        sources: SourceMap::new(file),
        findings: Vec::new(),
        serial_offset: grids.first().map_or(0, |g| g.serial_offset),
    };
    let mut decl = Declaration::default();
    let is_project: Vec<bool> = grids.iter().map(project::is_project_sheet).collect();
    let project_sheets: Vec<&Grid> = grids
        .iter()
        .zip(&is_project)
        .filter_map(|(g, p)| p.then_some(g))
        .collect();
    let other_sheets = || {
        grids
            .iter()
            .zip(&is_project)
            .filter_map(|(g, p)| (!p).then_some(g))
    };
    if project_sheets.is_empty() && is_rollup_summary(&grids) {
        return Err(Error::NotAForm {
            file: file.to_string(),
            reason: format!(
                "这是 jixiao 汇总生成的汇总工作簿（有「{}」「{}」等工作表）。请不要把汇总结果放在要汇总的文件夹里。",
                layout::ROLLUP_OVERVIEW_SHEET,
                layout::ROLLUP_GROUP_SHEETS[0].0
            ),
        });
    }
    let cover = cover_position(&grids, &is_project).map(|i| &grids[i]);
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
    check_form_counts(file, &project_sheets)?;
    // A form records about a hundred fields with some 20 bytes of text each; bounded, so
    // a workbook of many sheets does not reserve much before anything is read.
    let forms = project_sheets.len().min(256);
    ctx.sources.reserve(forms * 128, forms * 2560);
    if let Some(cover) = cover {
        read_cover(&mut ctx, cover, &mut decl);
    }
    // A cover written as the published sentence (`编报绩效目标的项目 10 个，涉及项目预算资金
    // 1,743.86万元`) rather than in labelled cells.
    if decl.stated_total.is_none() || decl.stated_project_count.is_none() {
        if let Some((pos, grid, count, total)) =
            other_sheets().find_map(|g| cover_sentence(g).map(|(p, c, t)| (p, g, c, t)))
        {
            if decl.stated_project_count.is_none() && count.is_some() {
                decl.stated_project_count = count;
                let d = grid.get(pos.0, pos.1);
                ctx.record(
                    FieldPath::Cover(CoverField::StatedCount),
                    &grid.name,
                    pos,
                    d,
                );
            }
            if decl.stated_total.is_none() && total.is_some() {
                decl.stated_total = total;
                let d = grid.get(pos.0, pos.1);
                ctx.record(
                    FieldPath::Cover(CoverField::StatedTotal),
                    &grid.name,
                    pos,
                    d,
                );
            }
            if decl.summary_text.is_none() {
                if let Some(Value::Text(s)) = grid.get(pos.0, pos.1) {
                    decl.summary_text = crate::values::clean_text(s);
                }
            }
        }
    }
    // Usually a form a sheet: growing the list step by step copied every project
    // read so far at each step.
    decl.projects.reserve(project_sheets.len());
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

/// The first text cell stating the number of projects or the total the way the published
/// cover does, with what it states.
/// What a cover sentence states: its cell, the project count and the total.
type CoverSentence = ((u32, u16), Option<u32>, Option<StatedAmount>);

fn cover_sentence(grid: &Grid) -> Option<CoverSentence> {
    grid.rows(0, u32::MAX).find_map(|(pos, d)| match d {
        Value::Text(s) => {
            let (count, total) = parse_cover_sentence(s);
            (count.is_some() || total.is_some()).then_some((pos, count, total))
        }
        _ => None,
    })
}

/// Reads `编报绩效目标的项目 10 个` and `涉及项目预算资金 1,743.86万元` out of a sentence.
///
/// ```
/// use jixiao::read::parse_cover_sentence;
/// let (n, total) = parse_cover_sentence(
///     "本单位开展了 2024 年项目预算绩效目标编报工作，编报绩效目标的项目 10 个，涉及项目预算资金 1,743.86万元。",
/// );
/// assert_eq!(n, Some(10));
/// assert_eq!(total.unwrap().display(), "1,743.86万元");
/// ```
pub fn parse_cover_sentence(text: &str) -> (Option<u32>, Option<StatedAmount>) {
    let t: String = crate::values::to_halfwidth(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let after = |key: &str| t.find(key).map(|i| &t[i + key.len()..]);
    let count = after("绩效目标的项目").and_then(|rest| {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let tail = &rest[digits.len()..];
        (tail.starts_with('个') || tail.starts_with('项'))
            .then(|| digits.parse().ok())
            .flatten()
    });
    let total = after("项目预算资金").and_then(|rest| {
        let end = rest
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == ',' || *c == '.'))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let tail = &rest[end..];
        let unit = if tail.starts_with("万元") || tail.starts_with('万') {
            MoneyUnit::Wan
        } else if tail.starts_with('元') {
            MoneyUnit::Yuan
        } else {
            return None;
        };
        let p = crate::values::parse_money_text(&rest[..end]).ok()?;
        Some(StatedAmount::new(p.value, unit))
    });
    (count, total)
}

fn read_cover(ctx: &mut Ctx, grid: &Grid, decl: &mut Declaration) {
    let known = labels::known_labels();
    for (f, keys) in layout::COVER_FIELDS.iter().zip(&form_keys().cover) {
        let inline_value;
        let (label_pos, (pos, data)) = match cover_field_at(grid, f.key, keys) {
            None => continue,
            Some(CoverAt::Label(at)) => (at, value_right(grid, at, u16::MAX, known)),
            Some(CoverAt::Inline(at, text)) => {
                if f.key == CoverField::StatedTotal {
                    // Typed after its label, the amount can only be text: no R005 for it.
                    if let Some(total) = inline_total(&text, grid.label_at(at.0, at.1)) {
                        let data = grid.get(at.0, at.1);
                        ctx.record(FieldPath::Cover(f.key), &grid.name, at, data);
                        decl.stated_total = Some(total);
                        continue;
                    }
                }
                inline_value = text;
                (at, (at, Some(Value::Text(&inline_value))))
            }
        };
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

/// `项目预算资金合计（万元）：1,743.86`: the amount after the label, in the unit it names, or
/// else the label's (万元 unless the label says 元).
fn inline_total(text: &str, label: Option<&str>) -> Option<StatedAmount> {
    let p = crate::values::parse_money_text(text).ok()?;
    if text.contains('元') || text.contains('万') {
        return Some(StatedAmount::new(p.value, p.unit));
    }
    let in_yuan = label.is_some_and(|l| l.contains("(元)"));
    let unit = if in_yuan {
        MoneyUnit::Yuan
    } else {
        MoneyUnit::Wan
    };
    Some(StatedAmount::new(p.value, unit))
}

/// The cover total as the unit states it, keeping the unit it was written in.
fn stated_amount(
    ctx: &mut Ctx,
    sheet: &str,
    pos: (u32, u16),
    data: Option<Value<'_>>,
    unit: MoneyUnit,
) -> Option<StatedAmount> {
    match data? {
        Value::Text(s) => {
            // Reported like any amount typed as text (R005), or as unreadable (R001).
            cell::money(ctx, sheet, pos, data, None, "项目预算资金合计", unit)?;
            let p = crate::values::parse_money_text(s).ok()?;
            // Text without a unit is in the label's unit.
            let has_unit = s.contains('元') || s.contains('万');
            Some(if has_unit {
                StatedAmount::new(p.value, p.unit)
            } else {
                StatedAmount::new(p.value, unit)
            })
        }
        Value::Float(f) => crate::values::decimal_from_f64(f).map(|v| StatedAmount::new(v, unit)),
        Value::Int(i) => Some(StatedAmount::new(i.into(), unit)),
        _ => {
            cell::money(ctx, sheet, pos, data, None, "项目预算资金合计", unit);
            None
        }
    }
}

/// A cell value of a sheet that is not part of the form, kept as it is.
#[derive(Clone, Debug, PartialEq)]
pub enum PlainValue {
    Text(String),
    Number(f64),
    Bool(bool),
    /// An Excel date serial.
    Date(f64),
}

/// A sheet of the user's that is not part of the form (notes, attachments, their own
/// calculations): `fix` carries it into the corrected workbook, values only.
#[derive(Clone, Debug, PartialEq)]
pub struct PlainSheet {
    pub name: String,
    pub hidden: bool,
    pub cells: Vec<(u32, u16, PlainValue)>,
}

/// The sheets of a workbook that are neither project forms, nor the unit summary, nor
/// sheets jixiao writes itself (dropdown lists, 校验结果).
pub fn other_sheets(path: impl AsRef<Path>) -> Result<Vec<PlainSheet>, Error> {
    let grids = open::load(path.as_ref())?;
    let is_project: Vec<bool> = grids.iter().map(project::is_project_sheet).collect();
    let cover = cover_position(&grids, &is_project);
    let ours = [layout::LIST_SHEET, crate::write::REPORT_SHEET];
    Ok(grids
        .iter()
        .enumerate()
        .filter(|(i, g)| Some(*i) != cover && !is_project[*i] && !ours.contains(&g.name.as_str()))
        .map(|(_, g)| PlainSheet {
            name: g.name.clone(),
            hidden: g.hidden,
            cells: g
                .rows(0, u32::MAX)
                .map(|((r, c), d)| {
                    let v = match d {
                        Value::Text(s) => PlainValue::Text(s.to_string()),
                        Value::Float(f) => PlainValue::Number(f),
                        Value::Int(i) => PlainValue::Number(i as f64),
                        Value::Bool(b) => PlainValue::Bool(b),
                        Value::DateTime(dt) => PlainValue::Date(dt.as_f64()),
                        Value::DateTimeIso(s) | Value::DurationIso(s) => {
                            PlainValue::Text(s.to_string())
                        }
                        Value::Error(e) => PlainValue::Text(cell::error_text(e)),
                    };
                    (r, c, v)
                })
                .collect(),
        })
        .collect())
}
