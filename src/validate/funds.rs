//! 项目资金（元）: the two sides add up, and agree with each other for one-year projects.

use super::precision::{compare, Interval};
use super::{check_cells_en, check_cells_zh, checked_total, finding, with_values, Proj};
use crate::model::{Finding, FundField, Money, ProjectField, Severity};

/// Runs the fund rules.
pub(crate) fn check(p: &Proj, out: &mut Vec<Finding>) {
    total_identity(p, out);
    annual_identity(p, out);
    single_year_sides_agree(p, out);
    annual_within_total(p, out);
    totals_present(p, out);
}

fn field(f: FundField) -> ProjectField {
    ProjectField::Fund(f)
}

/// A part of a sum; a blank part counts as nothing.
fn part(m: Option<Money>) -> Money {
    m.unwrap_or(Money::ZERO)
}

/// F001: 项目资金总额 = 财政资金 + 其他资金, to the cent.
fn total_identity(p: &Proj, out: &mut Vec<Finding>) {
    let f = &p.project.funds;
    let Some(total) = f.total else { return };
    let (fiscal, other) = (part(f.fiscal), part(f.other));
    let Some(parts) = checked_total([fiscal, other]) else {
        return;
    };
    let Some(gap) = compare(Interval::exact(total), parts) else {
        return;
    };
    let cells =
        [FundField::Total, FundField::Fiscal, FundField::Other].map(|x| p.cell_name(field(x)));
    let finding = finding(
        "F001",
        Severity::Error,
        p.loc(field(FundField::Total)),
        format!(
            "{}项目资金总额 {total} 元 ≠ 财政资金 {fiscal} 元 + 其他资金 {other} 元，差 {} 元。{}",
            p.label_zh(),
            gap.magnitude(),
            check_cells_zh(&cells)
        ),
        format!(
            "{}: 项目资金总额 (total funds) {total} ≠ 财政资金 (fiscal) {fiscal} + 其他资金 (other) {other}; difference {} yuan. {}",
            p.label_en(),
            gap.magnitude(),
            check_cells_en(&cells)
        ),
    );
    out.push(with_values(finding, parts.plain(), total.plain()));
}

/// F002: 年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金, to the cent.
fn annual_identity(p: &Proj, out: &mut Vec<Finding>) {
    let f = &p.project.funds;
    let Some(annual) = f.annual_total else { return };
    let (approp, carry, other) = (
        part(f.annual_appropriation),
        part(f.annual_carryover),
        part(f.annual_other),
    );
    let Some(parts) = checked_total([approp, carry, other]) else {
        return;
    };
    let Some(gap) = compare(Interval::exact(annual), parts) else {
        return;
    };
    let cells = [
        FundField::AnnualTotal,
        FundField::AnnualAppropriation,
        FundField::AnnualCarryover,
        FundField::AnnualOther,
    ]
    .map(|x| p.cell_name(field(x)));
    let finding = finding(
        "F002",
        Severity::Error,
        p.loc(field(FundField::AnnualTotal)),
        format!(
            "{}年度资金申请总额 {annual} 元 ≠ 当年财政拨款 {approp} 元 + 上年结转资金 {carry} 元 + 其他资金 {other} 元，差 {} 元。{}",
            p.label_zh(),
            gap.magnitude(),
            check_cells_zh(&cells)
        ),
        format!(
            "{}: 年度资金申请总额 (annual request) {annual} ≠ 当年财政拨款 (appropriation) {approp} + 上年结转资金 (carry-over) {carry} + 其他资金 (other) {other}; difference {} yuan. {}",
            p.label_en(),
            gap.magnitude(),
            check_cells_en(&cells)
        ),
    );
    out.push(with_values(finding, parts.plain(), annual.plain()));
}

/// F003: a project planned within one year asks for all of its money in that year, so
/// 项目资金总额 = 年度资金申请总额. Multi-year projects (项目性质 阶段性/跨年度, or dates
/// spanning years) may have a larger total; a larger annual amount is F004's.
fn single_year_sides_agree(p: &Proj, out: &mut Vec<Finding>) {
    let f = &p.project.funds;
    let (Some(total), Some(annual)) = (f.total, f.annual_total) else {
        return;
    };
    if !p.is_single_year() || annual > total {
        return;
    }
    let Some(gap) = compare(Interval::exact(total), annual) else {
        return;
    };
    let h = &p.project.header;
    let year = h.start.map(|d| d.year()).unwrap_or_default();
    let nature = h.nature.as_deref().unwrap_or("未填");
    let cells = [FundField::Total, FundField::AnnualTotal].map(|x| p.cell_name(field(x)));
    let finding = finding(
        "F003",
        Severity::Error,
        p.loc(field(FundField::Total)),
        format!(
            "{}计划在 {year} 年内完成（项目性质：{nature}），项目资金总额 {total} 元应等于年度资金申请总额 {annual} 元，差 {} 元。{}如确为跨年度项目，请改项目性质并核对计划日期。",
            p.label_zh(),
            gap.magnitude(),
            check_cells_zh(&cells)
        ),
        format!(
            "{}: planned within {year} (nature: {nature}), so 项目资金总额 (total funds) {total} should equal 年度资金申请总额 (annual request) {annual}; difference {} yuan. {} If the project does span years, change its 项目性质 and check its dates.",
            p.label_en(),
            gap.magnitude(),
            check_cells_en(&cells)
        ),
    );
    out.push(with_values(finding, annual.plain(), total.plain()));
}

/// F004: no project may ask for more in a year than it costs in all.
fn annual_within_total(p: &Proj, out: &mut Vec<Finding>) {
    let f = &p.project.funds;
    let (Some(total), Some(annual)) = (f.total, f.annual_total) else {
        return;
    };
    if annual <= total {
        return;
    }
    let Some(excess) = compare(Interval::exact(total), annual).map(|g| g.magnitude()) else {
        return;
    };
    let cells = [FundField::AnnualTotal, FundField::Total].map(|x| p.cell_name(field(x)));
    let finding = finding(
        "F004",
        Severity::Error,
        p.loc(field(FundField::AnnualTotal)),
        format!(
            "{}年度资金申请总额 {annual} 元大于项目资金总额 {total} 元，多 {excess} 元。当年申请不能超过项目总额。{}",
            p.label_zh(),
            check_cells_zh(&cells)
        ),
        format!(
            "{}: 年度资金申请总额 (annual request) {annual} exceeds 项目资金总额 (total funds) {total} by {excess} yuan; a year cannot ask for more than the whole project. {}",
            p.label_en(),
            check_cells_en(&cells)
        ),
    );
    out.push(with_values(
        finding,
        format!("≤ {}", total.plain()),
        annual.plain(),
    ));
}

/// F005 / F006: both totals must be filled in, even when their parts are.
fn totals_present(p: &Proj, out: &mut Vec<Finding>) {
    let f = &p.project.funds;
    let sides = [
        (
            "F005",
            FundField::Total,
            f.total,
            [f.fiscal, f.other, None],
            "项目资金总额",
            "total funds",
        ),
        (
            "F006",
            FundField::AnnualTotal,
            f.annual_total,
            [f.annual_appropriation, f.annual_carryover, f.annual_other],
            "年度资金申请总额",
            "annual request",
        ),
    ];
    for (code, ff, value, parts, zh, en) in sides {
        if value.is_some() {
            continue;
        }
        let cell = p.cell_name(field(ff));
        let at = cell
            .as_ref()
            .map(|c| format!("在 {c} "))
            .unwrap_or_default();
        let at_en = cell
            .as_ref()
            .map(|c| format!(" in {c}"))
            .unwrap_or_default();
        let sum = checked_total(parts.iter().flatten().copied());
        let (hint, hint_en) = if let (true, Some(sum)) = (parts.iter().any(Option::is_some), sum) {
            (
                format!("其下各项合计 {sum} 元。"),
                format!(" Its parts add up to {sum}."),
            )
        } else {
            (String::new(), String::new())
        };
        out.push(finding(
            code,
            Severity::Error,
            p.loc(field(ff)),
            format!("{}未填{zh}。{hint}请{at}填写金额（元）。", p.label_zh()),
            format!(
                "{}: {zh} ({en}) is empty.{hint_en} Fill in the amount in yuan{at_en}.",
                p.label_en()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testkit::*;

    #[test]
    fn consistent_funds_pass() {
        assert!(run(clean_project("甲")).is_empty());
    }

    #[test]
    fn total_identity_broken() {
        let mut p = clean_project("派驻干部费用");
        p.funds.total = Some(yuan("1838600"));
        p.funds.fiscal = Some(yuan("1800000"));
        p.funds.annual_total = Some(yuan("1838600"));
        p.funds.annual_appropriation = Some(yuan("1838600"));
        p.budget_lines = vec![line("补贴", None, Some("1838600"))];
        let f = run(p);
        assert_eq!(codes(&f), ["F001"]);
        assert_eq!(cell(&f[0]), "项目1!C7");
        assert_eq!(
            f[0].message,
            "项目「派驻干部费用」项目资金总额 1,838,600.00 元 ≠ 财政资金 1,800,000.00 元 + 其他资金 0.00 元，差 38,600.00 元。请核对 C7、C8、C9。"
        );
        assert_eq!(f[0].expected.as_deref(), Some("1800000.00"));
        assert_eq!(f[0].actual.as_deref(), Some("1838600.00"));
    }

    #[test]
    fn annual_identity_broken_and_blank_parts_count_as_zero() {
        let mut p = clean_project("甲");
        p.funds.annual_appropriation = Some(yuan("900000"));
        p.funds.annual_carryover = None;
        p.funds.annual_other = None;
        let f = run(p);
        assert_eq!(codes(&f), ["F002"]);
        assert_eq!(cell(&f[0]), "项目1!F7");
        assert!(f[0].message.contains("上年结转资金 0.00 元"));
        assert!(f[0].message.contains("差 100,000.00 元"));
        assert!(f[0].message.ends_with("请核对 F7、F8、F9、F10。"));
        assert_eq!(f[0].expected.as_deref(), Some("900000.00"));
    }

    #[test]
    fn one_year_project_sides_must_agree() {
        let mut p = clean_project("甲");
        p.funds.total = Some(yuan("1100000"));
        p.funds.fiscal = Some(yuan("1100000"));
        let f = run(p);
        assert_eq!(codes(&f), ["F003"]);
        assert_eq!(cell(&f[0]), "项目1!C7");
        assert!(
            f[0].message.contains("差 100,000.00 元"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].expected.as_deref(), Some("1000000.00"));
        assert_eq!(f[0].actual.as_deref(), Some("1100000.00"));
    }

    #[test]
    fn multi_year_total_above_annual_is_fine() {
        assert!(run(multi_year_project()).is_empty());
        // 跨年度 by nature alone, dates within one year: still allowed.
        let mut p = multi_year_project();
        p.header.start = Some(date("2024-01-01"));
        p.header.end = Some(date("2024-12-31"));
        p.narrative.period = None;
        assert!(!codes(&run(p)).iter().any(|c| c.starts_with('F')));
        // Dates spanning years with an ordinary nature: allowed too.
        let mut p = multi_year_project();
        p.header.nature = Some("其他经常性项目".into());
        assert!(run(p).is_empty());
    }

    #[test]
    fn annual_above_total_is_an_error_for_any_project() {
        let mut p = multi_year_project();
        p.funds.total = Some(yuan("1000000"));
        p.funds.fiscal = Some(yuan("1000000"));
        let f = run(p);
        assert_eq!(codes(&f), ["F004"]);
        assert_eq!(cell(&f[0]), "项目1!F7");
        assert!(f[0].message.contains("多 200,000.00 元"));
        assert_eq!(f[0].actual.as_deref(), Some("1200000.00"));
    }

    #[test]
    fn missing_totals_are_errors() {
        let mut p = clean_project("甲");
        p.funds.total = None;
        p.funds.annual_total = None;
        let f = run(p);
        // The budget lines then check against nothing: only the two missing totals.
        assert_eq!(codes(&f), ["F005", "F006"]);
        assert_eq!(cell(&f[0]), "项目1!C7");
        assert_eq!(
            f[0].message,
            "项目「甲」未填项目资金总额。其下各项合计 1,000,000.00 元。请在 C7 填写金额（元）。"
        );
        assert_eq!(cell(&f[1]), "项目1!F7");
    }
}
