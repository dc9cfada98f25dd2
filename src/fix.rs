//! `fix`: derived figures recomputed from their parts, text numbers and dates made real,
//! every change marked with a note; what cannot be decided is only reported.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;

use crate::model::{
    BudgetColumn, CellKind, CoverField, Declaration, FieldPath, Finding, FundField, HeaderField,
    Location, Money, MoneyUnit, ProjectField, Severity, SourceMap, StatedAmount,
};
use crate::write::{build_workbook, WriteOptions};
use crate::Error;

/// One cell `fix` changed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub path: FieldPath,
    /// What the cell held (as text), or `（空）`.
    pub before: String,
    pub after: String,
    /// Why, in Chinese.
    pub why: String,
    pub why_en: String,
}

impl Change {
    /// The note put on the changed cell; a long original text is quoted by its start.
    pub fn note(&self) -> String {
        format!(
            "jixiao 已更正\n原值：{}\n新值：{}\n原因：{}",
            quote_short(&self.before),
            self.after,
            self.why
        )
    }
}

/// Shared with the reader and the validator, so every quote is cut the same way.
pub use crate::values::quote_short;

const EMPTY: &str = "（空）";

fn money_text(m: Option<Money>) -> String {
    m.map(|m| m.to_string()).unwrap_or_else(|| EMPTY.into())
}

/// Whether a field holds a number or a date (so text there is converted).
fn is_numeric(path: &FieldPath) -> bool {
    match path {
        FieldPath::Cover(c) => matches!(
            c,
            CoverField::Year | CoverField::StatedCount | CoverField::StatedTotal
        ),
        FieldPath::Project { field, .. } => matches!(
            field,
            ProjectField::Fund(_)
                | ProjectField::Header(HeaderField::Start | HeaderField::End)
                | ProjectField::BudgetLine {
                    column: BudgetColumn::Amount,
                    ..
                }
        ),
    }
}

/// The model's value at a numeric field, as text; `None` when the model holds nothing.
fn numeric_value(decl: &Declaration, path: &FieldPath) -> Option<String> {
    match path {
        FieldPath::Cover(CoverField::Year) => decl.year.map(|y| y.to_string()),
        FieldPath::Cover(CoverField::StatedCount) => {
            decl.stated_project_count.map(|n| n.to_string())
        }
        FieldPath::Cover(CoverField::StatedTotal) => decl.stated_total.map(|s| s.display()),
        FieldPath::Cover(_) => None,
        FieldPath::Project { project, field } => {
            let p = decl.projects.get(*project)?;
            match field {
                ProjectField::Fund(k) => fund(&p.funds, *k).map(|m| m.to_string()),
                ProjectField::Header(HeaderField::Start) => p.header.start.map(|d| d.to_string()),
                ProjectField::Header(HeaderField::End) => p.header.end.map(|d| d.to_string()),
                ProjectField::BudgetLine { line, .. } => {
                    p.budget_lines.get(*line)?.amount.map(|m| m.to_string())
                }
                _ => None,
            }
        }
    }
}

fn fund(f: &crate::model::Funds, k: FundField) -> Option<Money> {
    match k {
        FundField::Total => f.total,
        FundField::Fiscal => f.fiscal,
        FundField::Other => f.other,
        FundField::AnnualTotal => f.annual_total,
        FundField::AnnualAppropriation => f.annual_appropriation,
        FundField::AnnualCarryover => f.annual_carryover,
        FundField::AnnualOther => f.annual_other,
    }
}

/// The corrected declaration and the list of changes. Only figures derived from other
/// figures on the form are recomputed; two disagreeing inputs are left for people.
///
/// ```
/// use jixiao::fix::corrections;
/// use jixiao::model::{Declaration, Money, Project, SourceMap};
/// let mut d = Declaration::default();
/// let mut p = Project::default();
/// p.funds.total = Some(Money::from_cents(100_000_00));
/// p.funds.fiscal = Some(Money::from_cents(90_000_00));
/// p.funds.other = Some(Money::from_cents(0));
/// d.projects.push(p);
/// let (fixed, changes) = corrections(&d, &SourceMap::new("a.xlsx"));
/// assert_eq!(fixed.projects[0].funds.total, Some(Money::from_cents(90_000_00)));
/// assert_eq!(changes[0].before, "100,000.00");
/// ```
pub fn corrections(decl: &Declaration, sources: &SourceMap) -> (Declaration, Vec<Change>) {
    let mut fixed = decl.clone();
    let mut changes = Vec::new();

    for (i, p) in fixed.projects.iter_mut().enumerate() {
        let f = &mut p.funds;
        // 项目资金总额 = 财政资金 + 其他资金, when the main part is there.
        // A sum past Decimal's range is not corrected (M003/M004 report the amounts).
        if let Some((fiscal, sum)) = f
            .fiscal
            .and_then(|x| Some((x, x.checked_add(f.other.unwrap_or(Money::ZERO))?)))
        {
            if f.total != Some(sum) {
                changes.push(Change {
                    path: FieldPath::project(i, ProjectField::Fund(FundField::Total)),
                    before: money_text(f.total),
                    after: sum.to_string(),
                    why: format!(
                        "项目资金总额应等于财政资金 {} + 其他资金 {}",
                        fiscal,
                        money_text(f.other.or(Some(Money::ZERO)))
                    ),
                    why_en: "total project funds must equal fiscal + other funds".into(),
                });
                f.total = Some(sum);
            }
        }
        // 年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金.
        if let Some((appr, sum)) = f.annual_appropriation.and_then(|x| {
            let sum = Money::checked_sum([
                x,
                f.annual_carryover.unwrap_or(Money::ZERO),
                f.annual_other.unwrap_or(Money::ZERO),
            ])?;
            Some((x, sum))
        }) {
            if f.annual_total != Some(sum) {
                changes.push(Change {
                    path: FieldPath::project(i, ProjectField::Fund(FundField::AnnualTotal)),
                    before: money_text(f.annual_total),
                    after: sum.to_string(),
                    why: format!(
                        "年度资金申请总额应等于当年财政拨款 {} + 上年结转资金 {} + 其他资金 {}",
                        appr,
                        money_text(f.annual_carryover.or(Some(Money::ZERO))),
                        money_text(f.annual_other.or(Some(Money::ZERO)))
                    ),
                    why_en: "annual request must equal appropriation + carry-over + other".into(),
                });
                f.annual_total = Some(sum);
            }
        }
        // The budget table's 合计 is a formula; its cached figure is rewritten.
        let total_path = FieldPath::project(i, ProjectField::BudgetTotal);
        let sum = Money::checked_sum(p.budget_lines.iter().filter_map(|l| l.amount));
        if let (Some(src), Some(sum)) = (sources.get(&total_path), sum) {
            let shown = src
                .raw
                .as_deref()
                .and_then(|r| Decimal::from_str_exact(r.trim()).ok())
                .map(Money::from_yuan);
            let has_lines = p.budget_lines.iter().any(|l| l.amount.is_some());
            if has_lines && shown != Some(sum) {
                changes.push(Change {
                    path: total_path,
                    before: money_text(shown),
                    after: sum.to_string(),
                    why: "合计应等于各明细金额之和（已改为求和公式）".into(),
                    why_en: "the total must be the sum of the lines (now a SUM formula)".into(),
                });
            }
        }
    }

    // Cover: count and total follow from the projects. The stated total keeps its unit;
    // a figure that agrees within its written precision is left as written.
    let count = fixed.projects.len() as u32;
    if fixed.stated_project_count != Some(count) {
        changes.push(Change {
            path: FieldPath::Cover(CoverField::StatedCount),
            before: fixed
                .stated_project_count
                .map(|n| n.to_string())
                .unwrap_or_else(|| EMPTY.into()),
            after: count.to_string(),
            why: format!("工作簿中实际有 {count} 个项目"),
            why_en: format!("the workbook holds {count} projects"),
        });
        fixed.stated_project_count = Some(count);
    }
    if let (Some(sum), false) = (fixed.projects_total(), fixed.projects.is_empty()) {
        let unit = fixed.stated_total.map(|s| s.unit).unwrap_or(MoneyUnit::Wan);
        let agrees = fixed.stated_total.is_some_and(|s| {
            let gap = (s.money().yuan() - sum.yuan()).abs();
            gap <= s.tolerance().yuan()
        });
        if !agrees {
            let value = match unit {
                MoneyUnit::Wan => sum.wan(),
                MoneyUnit::Yuan => sum.yuan(),
            };
            let mut value = value.normalize();
            if value.scale() < 2 {
                value.rescale(2);
            }
            let new = StatedAmount::new(value, unit);
            changes.push(Change {
                path: FieldPath::Cover(CoverField::StatedTotal),
                before: fixed
                    .stated_total
                    .map(|s| s.display())
                    .unwrap_or_else(|| EMPTY.into()),
                after: new.display(),
                why: format!("各项目资金总额合计为 {} 元", sum),
                why_en: format!("the projects' totals add up to {sum} yuan"),
            });
            fixed.stated_total = Some(new);
        }
    }

    // Numbers and dates typed as text become real numbers and dates.
    for (path, src) in sources.iter() {
        if src.kind != CellKind::Text || !is_numeric(path) {
            continue;
        }
        if changes.iter().any(|c| &c.path == path) {
            continue;
        }
        if let Some(v) = numeric_value(&fixed, path) {
            let is_date = matches!(
                path,
                FieldPath::Project {
                    field: ProjectField::Header(_),
                    ..
                }
            );
            changes.push(Change {
                path: *path,
                before: format!("「{}」（文本）", src.raw.clone().unwrap_or_default()),
                after: v,
                why: if is_date {
                    "日期以文本填写，已改为日期格式".into()
                } else {
                    "数字以文本填写，已改为数字，可参与求和".into()
                },
                why_en: if is_date {
                    "date typed as text, now a real date".into()
                } else {
                    "number typed as text, now a real number".into()
                },
            });
        }
    }
    (fixed, changes)
}

/// Text to keep in cells whose value could not be read (so `待定` is not dropped).
pub fn kept_text(decl: &Declaration, sources: &SourceMap) -> BTreeMap<FieldPath, String> {
    sources
        .iter()
        .filter(|(path, src)| {
            matches!(src.kind, CellKind::Text | CellKind::Error | CellKind::Bool)
                && is_numeric(path)
                && numeric_value(decl, path).is_none()
        })
        .filter_map(|(path, src)| src.raw.clone().map(|r| (*path, r)))
        .collect()
}

/// What `fix` did.
#[derive(Debug)]
pub struct FixReport {
    pub declaration: Declaration,
    pub changes: Vec<Change>,
    /// Findings that remain, located in the corrected workbook.
    pub findings: Vec<Finding>,
    /// Where each field sits in the corrected workbook.
    pub sources: SourceMap,
}

/// Reads `input`, corrects it and writes `output` (never the input; an existing output only
/// with `force`), with a 校验结果 sheet listing every change and remaining finding.
pub fn fix_file(input: &Path, output: &Path, force: bool) -> Result<FixReport, Error> {
    fix_file_with(input, output, force, false, &[], &mut [])
}

/// [`fix_file`]; with `clean`, the corrected cells carry no fill and no note (a workbook to
/// submit as it is; the 校验结果 sheet still lists every change). The findings the
/// `waivers` cover are marked 已豁免 (in the report and the 校验结果 sheet); `used` gets a
/// flag for each waiver that matched (see [`crate::waiver::apply`]). Waivers name the cells
/// `check` reports for the input.
pub fn fix_file_with(
    input: &Path,
    output: &Path,
    force: bool,
    clean: bool,
    waivers: &[crate::waiver::Waiver],
    used: &mut [bool],
) -> Result<FixReport, Error> {
    crate::output::check_output(output, &[input], force)?;
    let read = crate::read::read_workbook(input)?;
    let (fixed, changes) = corrections(&read.declaration, &read.sources);
    let options = WriteOptions {
        template: false,
        marks: changes.iter().map(|c| (c.path, c.note())).collect(),
        keep_text: kept_text(&fixed, &read.sources),
        clean,
    };
    let out_name = output.display().to_string();
    let write_err = |e: rust_xlsxwriter::XlsxError| Error::Write {
        file: out_name.clone(),
        reason: e.to_string(),
    };
    let (mut wb, out_map) = build_workbook(&fixed, &options, &out_name).map_err(write_err)?;
    let mut findings = crate::validate::validate(&fixed, &out_map);
    findings.extend(relocate_reader_findings(
        &read.findings,
        &read.sources,
        &out_map,
        &changes,
    ));
    crate::waiver::apply(waivers, used, &input.display().to_string(), &mut findings);
    let mut rows = report_rows(&fixed, &changes, &findings, &out_map);
    // The user's own sheets (notes, calculations) come along, values only; a name Excel
    // refuses (LibreOffice and WPS allow more) is changed, and the change listed.
    let mut taken: Vec<String> = wb.worksheets().iter().map(|w| w.name()).collect();
    taken.push(crate::write::REPORT_SHEET.to_string());
    let others = crate::read::other_sheets(input)?;
    // Names Excel takes as they are are kept first, so a changed name never takes one.
    let mut names: Vec<Option<String>> = Vec::new();
    for other in &others {
        let legal = crate::write::legal_sheet_name(&other.name, &taken) == other.name;
        names.push(legal.then(|| other.name.clone()));
        if legal {
            taken.push(other.name.clone());
        }
    }
    let mut user_sheets = Vec::new();
    for (other, kept) in others.iter().zip(names) {
        let name = kept.unwrap_or_else(|| {
            let n = crate::write::legal_sheet_name(&other.name, &taken);
            taken.push(n.clone());
            n
        });
        let ws = crate::write::plain_sheet_as(other, &name).map_err(write_err)?;
        if name != other.name {
            rows.push(crate::write::ReportRow {
                kind: "已改名".into(),
                code: "FIX".into(),
                sheet: Some(name.clone()),
                cell: None,
                project: String::new(),
                message: format!(
                    "工作表「{}」的名称 Excel 不接受（超过 31 个字符、含 []:*?/\\ 或首尾的单引号，或与其他工作表重名），已改名为「{name}」",
                    quote_short(&other.name)
                ),
                expected: name.clone(),
                actual: other.name.clone(),
            });
        }
        user_sheets.push(ws);
    }
    let sheet = crate::write::report_sheet(&rows).map_err(write_err)?;
    wb.push_worksheet(sheet);
    for ws in user_sheets {
        wb.push_worksheet(ws);
    }
    crate::write::save_publishing(&mut wb, output, crate::output::Existing::from_force(force))?;
    Ok(FixReport {
        declaration: fixed,
        changes,
        findings,
        sources: out_map,
    })
}

/// Reader findings that `fix` did not resolve, moved to where their cell is in the output.
fn relocate_reader_findings(
    findings: &[Finding],
    input: &SourceMap,
    output: &SourceMap,
    changes: &[Change],
) -> Vec<Finding> {
    findings
        .iter()
        .filter_map(|f| {
            let path = input.iter().find_map(|(path, src)| {
                (Some(&src.cell.sheet) == f.location.sheet.as_ref()
                    && Some(src.cell.a1()) == f.location.cell)
                    .then_some(*path)
            });
            if let Some(p) = path {
                if changes.iter().any(|c| c.path == p) {
                    return None; // converted from text: resolved
                }
            }
            let mut g = f.clone();
            g.location = match path.and_then(|p| output.cell(&p)) {
                Some(cell) => Location {
                    file: output.file.clone(),
                    sheet: Some(cell.sheet.clone()),
                    cell: Some(cell.a1()),
                    project: f.location.project,
                },
                None => Location {
                    file: output.file.clone(),
                    sheet: None,
                    cell: None,
                    project: f.location.project,
                },
            };
            // Text amounts and dates that fix converted are resolved whatever their path.
            let resolved = g.severity == Severity::Warning
                && matches!(
                    g.code.as_str(),
                    crate::read::codes::MONEY_AS_TEXT | crate::read::codes::DATE_AS_TEXT
                );
            (!resolved).then_some(g)
        })
        .collect()
}

fn project_name(decl: &Declaration, index: Option<usize>) -> String {
    index
        .and_then(|i| decl.projects.get(i))
        .and_then(|p| p.header.name.clone())
        .unwrap_or_default()
}

/// Rows of the 校验结果 sheet: changes first, then the findings that remain.
pub fn report_rows(
    decl: &Declaration,
    changes: &[Change],
    findings: &[Finding],
    out: &SourceMap,
) -> Vec<crate::write::ReportRow> {
    let mut rows = Vec::new();
    for c in changes {
        let cell = out.cell(&c.path);
        let project = match c.path {
            FieldPath::Project { project, .. } => Some(project),
            FieldPath::Cover(_) => None,
        };
        rows.push(crate::write::ReportRow {
            kind: "已更正".into(),
            code: "FIX".into(),
            sheet: cell.map(|c| c.sheet.clone()),
            cell: cell.map(|c| c.a1()),
            project: project_name(decl, project),
            message: format!("{}：{} → {}", c.why, quote_short(&c.before), c.after),
            expected: c.after.clone(),
            actual: c.before.clone(),
        });
    }
    for f in findings {
        let (kind, message) = match &f.waived {
            None => (f.severity.zh().to_string(), f.message.clone()),
            Some(why) => (
                "已豁免".to_string(),
                format!("{}（{}；豁免理由：{why}）", f.message, f.severity.zh()),
            ),
        };
        rows.push(crate::write::ReportRow {
            kind,
            code: f.code.clone(),
            sheet: f.location.sheet.clone(),
            cell: f.location.cell.clone(),
            project: project_name(decl, f.location.project),
            message,
            expected: f.expected.clone().unwrap_or_default(),
            actual: f.actual.clone().unwrap_or_default(),
        });
    }
    rows
}
