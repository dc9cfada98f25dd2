//! 六、年度预算安排: lines add up to the annual amount, and each line's calculation basis
//! gives its amount.
//!
//! Both comparisons are exact, to the cent. A basis is exact by nature (its figures are
//! multiplied out, `3.1524万元/月×12月` = 378,288.00), and a line amount is a figure in 元;
//! so when someone wrote the amount as a rounded 万 figure (66.04万 for 660,336.00), the
//! rounding is exactly what the check is there to show.

use super::basis::evaluate_basis;
use super::precision::{compare, Interval};
use super::{checked_total, finding, one_line, present, with_values, Proj};
use crate::model::{BudgetColumn, BudgetLine, Finding, FundField, ProjectField, Severity};
use crate::values::quote_short;

/// Runs the budget rules.
pub(crate) fn check(p: &Proj, out: &mut Vec<Finding>) {
    has_lines(p, out);
    lines_add_up(p, out);
    basis_gives_amount(p, out);
    unpriced_lines(p, out);
}

fn col(line: usize, column: BudgetColumn) -> ProjectField {
    ProjectField::BudgetLine { line, column }
}

/// A line someone filled in (a fully blank row is a reading artefact, not a line).
fn is_used(l: &BudgetLine) -> bool {
    present(&l.item).is_some() || present(&l.basis).is_some() || l.amount.is_some()
}

/// `第 13 行「其他办公室后勤保障」`
fn line_zh(i: usize, l: &BudgetLine) -> String {
    match present(&l.item).map(one_line) {
        Some(item) => format!("第 {} 行「{}」", i + 1, quote_short(&item)),
        None => format!("第 {} 行", i + 1),
    }
}

fn line_en(i: usize, l: &BudgetLine) -> String {
    match present(&l.item).map(one_line) {
        Some(item) => format!("line {} “{}”", i + 1, quote_short(&item)),
        None => format!("line {}", i + 1),
    }
}

/// `F7` when the cell is on `sheet`, `项目1!F7` when it is on another sheet.
fn cell_from(p: &Proj, field: ProjectField, sheet: Option<&str>) -> Option<String> {
    let c = p.ctx.sources.locate(&p.path(field))?;
    Some(if Some(c.sheet) == sheet {
        c.a1()
    } else {
        c.to_string()
    })
}

/// B005: a project lists its budget lines.
fn has_lines(p: &Proj, out: &mut Vec<Finding>) {
    if p.project.budget_lines.iter().any(is_used) {
        return;
    }
    out.push(finding(
        "B005",
        Severity::Warning,
        p.loc_any(&[
            ProjectField::Narrative(crate::model::Section::Budget),
            ProjectField::Title,
        ]),
        format!(
            "{}没有年度预算安排明细。请在「六、年度预算安排」列出明细项目、计算依据和金额。",
            p.label_zh()
        ),
        format!(
            "{}: no 年度预算安排 (annual budget) lines. List each item with its basis and amount.",
            p.label_en()
        ),
    ));
}

/// B001: the priced lines add up to 年度资金申请总额 (or 项目资金总额 when that is
/// missing), and the message says how many lines had no amount.
fn lines_add_up(p: &Proj, out: &mut Vec<Finding>) {
    let lines = &p.project.budget_lines;
    if !lines.iter().any(is_used) {
        return;
    }
    let funds = &p.project.funds;
    let (target, target_field, target_zh, note_zh, target_en) =
        match (funds.annual_total, funds.total) {
            (Some(a), _) => (
                a,
                FundField::AnnualTotal,
                "年度资金申请总额",
                "",
                "annual request",
            ),
            (None, Some(t)) => (
                t,
                FundField::Total,
                "项目资金总额",
                "（年度资金申请总额未填）",
                "total funds (the annual request is blank)",
            ),
            (None, None) => return,
        };
    let Some(sum) = checked_total(lines.iter().filter_map(|l| l.amount)) else {
        return;
    };
    let unpriced = lines
        .iter()
        .filter(|l| l.amount.is_none() && is_used(l))
        .count();
    let Some(gap) = compare(Interval::exact(target), sum) else {
        return;
    };
    let amount_cells: Vec<_> = (0..lines.len())
        .map(|i| p.path(col(i, BudgetColumn::Amount)))
        .collect();
    let (dir_zh, dir_en) = if gap.is_short() {
        ("少", "short")
    } else {
        ("多", "over")
    };
    let (unpriced_zh, unpriced_en) = if unpriced > 0 {
        (
            format!("；另有 {unpriced} 行金额为空，未计入合计"),
            if unpriced == 1 {
                "; 1 line has no amount and is not counted".to_string()
            } else {
                format!("; {unpriced} lines have no amount and are not counted")
            },
        )
    } else {
        (String::new(), String::new())
    };
    let location = p.ctx.loc_range(p.index, &amount_cells);
    let target_cell = cell_from(
        p,
        ProjectField::Fund(target_field),
        location.sheet.as_deref(),
    );
    let target_cell_en = target_cell
        .as_ref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    let target_cell = target_cell.map(|c| format!("（{c}）")).unwrap_or_default();
    let f = finding(
        "B001",
        Severity::Error,
        location,
        format!(
            "{}年度预算安排明细合计 {sum} 元 ≠ {target_zh} {target} 元{note_zh}，{dir_zh} {} 元{unpriced_zh}。请补全或核对各行金额，并核对{target_zh}{target_cell}。",
            p.label_zh(),
            gap.magnitude(),
        ),
        format!(
            "{}: the 年度预算安排 (annual budget) lines add up to {sum} ≠ {target_en} {target}, {} yuan {dir_en}{unpriced_en}. Complete or correct the line amounts and check the total{target_cell_en}.",
            p.label_en(),
            gap.magnitude(),
        ),
    );
    out.push(with_values(f, target.plain(), sum.plain()));
}

/// B002 / B004: a line whose basis states arithmetic has the amount the arithmetic gives;
/// a basis that cannot be computed is reported so someone rewrites it.
fn basis_gives_amount(p: &Proj, out: &mut Vec<Finding>) {
    for (i, l) in p.project.budget_lines.iter().enumerate() {
        let Some(basis_text) = present(&l.basis) else {
            continue;
        };
        match evaluate_basis(basis_text) {
            Ok(None) => {}
            Ok(Some(value)) => {
                let Some(amount) = l.amount else { continue };
                let Some(gap) = compare(Interval::exact(amount), value) else {
                    continue;
                };
                // Quoted only in a finding: most bases give their amount.
                let basis = one_line(basis_text);
                let basis = quote_short(&basis);
                let field = col(i, BudgetColumn::Amount);
                let cell = p.cell_name(field);
                let at = cell
                    .as_ref()
                    .map(|c| format!("（{c}）"))
                    .unwrap_or_default();
                let f = finding(
                    "B002",
                    Severity::Error,
                    p.loc(field),
                    format!(
                        "{}年度预算安排{}按计算依据「{basis}」计得 {value} 元，而金额为 {amount} 元，差 {} 元。请改正金额{at}或计算依据。",
                        p.label_zh(),
                        line_zh(i, l),
                        gap.magnitude()
                    ),
                    format!(
                        "{}: budget {} computes to {value} from its basis “{basis}”, but its amount is {amount}; difference {} yuan. Correct the amount or the basis.",
                        p.label_en(),
                        line_en(i, l),
                        gap.magnitude()
                    ),
                );
                out.push(with_values(f, value.plain(), amount.plain()));
            }
            Err(e) => {
                let basis = one_line(basis_text);
                let basis = quote_short(&basis);
                let field = col(i, BudgetColumn::Basis);
                out.push(finding(
                    "B004",
                    Severity::Warning,
                    p.loc(field),
                    format!(
                        "{}年度预算安排{}的计算依据「{basis}」无法计算：{}。请写成如「8500元/月×12月」的算式。",
                        p.label_zh(),
                        line_zh(i, l),
                        e.zh()
                    ),
                    format!(
                        "{}: the basis “{basis}” of budget {} cannot be computed: {e}. Write it as a product such as 8500元/月×12月.",
                        p.label_en(),
                        line_en(i, l)
                    ),
                ));
            }
        }
    }
}

/// B003: a line with an item or basis but no amount is not silently taken as zero.
fn unpriced_lines(p: &Proj, out: &mut Vec<Finding>) {
    for (i, l) in p.project.budget_lines.iter().enumerate() {
        if l.amount.is_some() || !is_used(l) {
            continue;
        }
        let field = col(i, BudgetColumn::Amount);
        let cell = p.cell_name(field);
        let at = cell
            .as_ref()
            .map(|c| format!("在 {c} "))
            .unwrap_or_default();
        out.push(finding(
            "B003",
            Severity::Warning,
            p.loc_any(&[field, col(i, BudgetColumn::Item)]),
            format!(
                "{}年度预算安排{}金额为空，未计入合计。请{at}填写金额，或删去该行。",
                p.label_zh(),
                line_zh(i, l)
            ),
            format!(
                "{}: budget {} has no amount and is not counted in the total. Fill in its amount or remove the line.",
                p.label_en(),
                line_en(i, l)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testkit::*;

    /// The seed's project 1, lines as its 六、年度预算安排 lists them.
    fn seed_office() -> crate::model::Project {
        let mut p = clean_project("G60日常办公经费");
        let monthly = |item: &str, per: &str, amount: &str| {
            line(item, Some(&format!("{per}元/月×12月")), Some(amount))
        };
        p.budget_lines = vec![
            monthly("办公室保洁服务", "8500", "102000"),
            monthly("办公室绿植养护", "1900", "22800"),
            monthly("办公室水电费", "8000", "96000"),
            monthly("电信电话费", "2000", "24000"),
            monthly("EMS费用、挂号信、机要通道邮寄费", "2000", "24000"),
            monthly("物料采购（办公用品等）", "6000", "72000"),
            line(
                "档案用品采购费、档案数字化制作费用",
                Some("全年1万（估）"),
                Some("10000"),
            ),
            monthly("公务接待", "5000", "60000"),
            monthly("租车费用", "8000", "96000"),
            monthly("市内市外差旅费", "13000", "156000"),
            line("采购台式计算机", Some("48000元（估）"), Some("48000")),
            line("办公室IT服务保障", None, Some("30000")),
            line("其他办公室后勤保障", None, None),
        ];
        p
    }

    #[test]
    fn lines_that_add_up_pass() {
        assert!(run(clean_project("甲")).is_empty());
    }

    #[test]
    fn seed_project_1_short_with_one_unpriced_line() {
        let f = run(seed_office());
        assert_eq!(codes(&f), ["B001", "B003"]);
        assert_eq!(cell(&f[0]), "说明1!F20:F32");
        assert_eq!(
            f[0].message,
            "项目「G60日常办公经费」年度预算安排明细合计 740,800.00 元 ≠ 年度资金申请总额 1,000,000.00 元，少 259,200.00 元；另有 1 行金额为空，未计入合计。请补全或核对各行金额，并核对年度资金申请总额（项目1!F7）。"
        );
        assert_eq!(f[0].expected.as_deref(), Some("1000000.00"));
        assert_eq!(f[0].actual.as_deref(), Some("740800.00"));
        assert_eq!(cell(&f[1]), "说明1!F32");
        assert_eq!(
            f[1].message,
            "项目「G60日常办公经费」年度预算安排第 13 行「其他办公室后勤保障」金额为空，未计入合计。请在 F32 填写金额，或删去该行。"
        );
    }

    #[test]
    fn falls_back_to_total_when_annual_is_missing() {
        let mut p = clean_project("甲");
        p.funds.annual_total = None;
        p.budget_lines[1].amount = Some(yuan("800000"));
        let f = run(p);
        assert_eq!(codes(&f), ["F006", "B001"]);
        assert!(
            f[1].message.contains(
                "≠ 项目资金总额 1,000,000.00 元（年度资金申请总额未填），少 98,000.00 元"
            ),
            "{}",
            f[1].message
        );
        assert!(f[1].message.ends_with("并核对项目资金总额（项目1!C7）。"));
    }

    #[test]
    fn seed_project_6_bases_and_sum() {
        let mut p = clean_project("展示馆物业管理、能源费、水电费");
        let m = yuan("1100000");
        p.funds.total = Some(m);
        p.funds.fiscal = Some(m);
        p.funds.annual_total = Some(m);
        p.funds.annual_appropriation = Some(m);
        p.budget_lines = vec![
            line(
                "展示馆物业管理、保洁保安费",
                Some("1469平方米×16元/平方米/月×12月+3.1524万元/月×12月"),
                Some("660400"),
            ),
            line(
                "展示馆能源费、水电费",
                Some("1469平方米×9元/平方米/月×12月+1.5万元/月×12月"),
                Some("339600"),
            ),
        ];
        let f = run(p);
        assert_eq!(codes(&f), ["B001", "B002", "B002"]);
        assert_eq!(cell(&f[0]), "说明1!F20:F21");
        assert!(f[0].message.contains(
            "明细合计 1,000,000.00 元 ≠ 年度资金申请总额 1,100,000.00 元，少 100,000.00 元。"
        ));
        assert_eq!(cell(&f[1]), "说明1!F20");
        assert_eq!(
            f[1].message,
            "项目「展示馆物业管理、能源费、水电费」年度预算安排第 1 行「展示馆物业管理、保洁保安费」按计算依据「1469平方米×16元/平方米/月×12月+3.1524万元/月×12月」计得 660,336.00 元，而金额为 660,400.00 元，差 64.00 元。请改正金额（F20）或计算依据。"
        );
        assert_eq!(f[1].expected.as_deref(), Some("660336.00"));
        assert_eq!(f[1].actual.as_deref(), Some("660400.00"));
        assert_eq!(cell(&f[2]), "说明1!F21");
        assert!(f[2]
            .message
            .contains("计得 338,652.00 元，而金额为 339,600.00 元，差 948.00 元"));
    }

    #[test]
    fn unreadable_basis_warns_at_the_basis_cell() {
        let mut p = clean_project("甲");
        p.budget_lines[0].basis = Some("8500元/月×".into());
        let f = run(p);
        assert_eq!(codes(&f), ["B004"]);
        assert_eq!(cell(&f[0]), "说明1!B20");
        assert!(f[0].message.contains("无法计算：运算符旁缺少数字。"));
    }

    #[test]
    fn no_lines_warns() {
        let mut p = clean_project("甲");
        p.budget_lines.clear();
        let f = run(p);
        assert_eq!(codes(&f), ["B005"]);
        assert_eq!(cell(&f[0]), "说明1!B12");
        // Fully blank rows are not lines.
        let mut p = clean_project("甲");
        p.budget_lines = vec![crate::model::BudgetLine::default()];
        assert_eq!(codes(&run(p)), ["B005"]);
    }

    #[test]
    fn without_a_map_the_sum_names_the_file_only() {
        let f = run_unmapped(seed_office());
        assert_eq!(codes(&f), ["B001", "B003"]);
        assert_eq!(f[0].location.cell, None);
        assert_eq!(f[0].location.project, Some(0));
        assert!(f[0]
            .message
            .ends_with("请补全或核对各行金额，并核对年度资金申请总额。"));
        assert_eq!(
            f[1].message,
            "项目「G60日常办公经费」年度预算安排第 13 行「其他办公室后勤保障」金额为空，未计入合计。请填写金额，或删去该行。"
        );
    }
}
