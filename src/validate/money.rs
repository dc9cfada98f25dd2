//! Amounts as typed: to the cent, and not negative.

use std::borrow::Cow;

use super::{cell_then, finding, with_values, Proj};
use crate::model::{BudgetColumn, Finding, FundField, Money, ProjectField, Severity};

/// Runs the amount-format rules over the fund figures and the budget line amounts.
pub(crate) fn check(p: &Proj, out: &mut Vec<Finding>) {
    for (field, name, m) in amounts(p) {
        sub_cent(p, field, name, m, out);
    }
    for (field, name, m) in amounts(p) {
        negative(p, field, name, m, out);
    }
    for (field, name, m) in amounts(p) {
        in_range(p, field, name, m, out);
    }
}

/// What an amount is called in a message: a fund field's name, or a budget line's,
/// written out only for a finding (most amounts raise none).
#[derive(Clone, Copy)]
enum Name {
    Fund(&'static str, &'static str),
    Line(usize),
}

impl Name {
    fn zh(self) -> Cow<'static, str> {
        match self {
            Name::Fund(zh, _) => Cow::Borrowed(zh),
            Name::Line(i) => Cow::Owned(format!("年度预算安排第 {} 行金额", i + 1)),
        }
    }

    fn en(self) -> Cow<'static, str> {
        match self {
            Name::Fund(_, en) => Cow::Borrowed(en),
            Name::Line(i) => Cow::Owned(format!("budget line {} amount", i + 1)),
        }
    }
}

/// M003: an amount beyond 10^15 元 is a typing slip (digits typed twice, a pasted ID);
/// the other rules leave it out of their sums.
fn in_range(p: &Proj, field: ProjectField, name: Name, m: Money, out: &mut Vec<Finding>) {
    if super::in_range(m) {
        return;
    }
    let (zh, en) = (name.zh(), name.en());
    let cell = p.cell_name(field);
    let f = finding(
        "M003",
        Severity::Error,
        p.loc(field),
        format!(
            "{}{zh} {m} 元{}超出合理范围（超过 1,000万亿元），应是录入错误，未参与其他核对。请核对。",
            p.label_zh(),
            super::at_cell(&cell)
        ),
        format!(
            "{}: {zh} ({en}) {m} is beyond any budget (over 10^15 yuan), probably a typing slip; it is left out of the other checks.",
            p.label_en()
        ),
    );
    out.push(with_values(
        f,
        format!("≤ {}", super::max_amount().plain()),
        m.plain(),
    ));
}

/// M004: the sums written into a workbook (the summary sheet's 合计, each budget table's
/// 合计) add up every amount, in range or not; past Decimal's range (about 7.9×10^28 元)
/// they cannot be computed, and jixiao writes `#NUM!` there instead of crashing.
pub(crate) fn sums_computable(ctx: &super::Ctx, out: &mut Vec<Finding>) {
    use crate::model::{CoverField, FieldPath};
    let projects = &ctx.decl.projects;
    let all = |f: fn(&crate::model::Funds) -> Option<Money>| {
        Money::checked_sum(projects.iter().filter_map(|p| f(&p.funds))).is_some()
    };
    for (ok, zh, en) in [
        (all(|f| f.total), "项目资金总额", "total funds"),
        (
            all(|f| f.annual_total),
            "年度资金申请总额",
            "annual requests",
        ),
    ] {
        if !ok {
            out.push(finding(
                "M004",
                Severity::Error,
                ctx.loc(FieldPath::Cover(CoverField::StatedTotal)),
                format!("各项目{zh}之和超出可计算范围（约 7.9×10^28 元），无法求和，写出的合计显示为 #NUM!。请核对超出合理范围的金额（M003）。"),
                format!("The projects' {en} add up past the computable range (about 7.9×10^28 yuan): no sum, written totals show #NUM!. Check the amounts beyond range (M003)."),
            ));
        }
    }
    for (index, project) in projects.iter().enumerate() {
        if Money::checked_sum(project.budget_lines.iter().filter_map(|l| l.amount)).is_none() {
            let p = Proj {
                ctx,
                index,
                project,
            };
            out.push(finding(
                "M004",
                Severity::Error,
                p.loc(ProjectField::BudgetTotal),
                format!("{}年度预算安排各行金额之和超出可计算范围（约 7.9×10^28 元），无法求和，合计显示为 #NUM!。请核对超出合理范围的金额（M003）。", p.label_zh()),
                format!("{}: the budget lines add up past the computable range (about 7.9×10^28 yuan): no sum, the total shows #NUM!. Check the amounts beyond range (M003).", p.label_en()),
            ));
        }
    }
}

/// Every money figure of the project with its field and name.
fn amounts<'p>(p: &Proj<'p>) -> impl Iterator<Item = (ProjectField, Name, Money)> + 'p {
    let f = &p.project.funds;
    let funds = [
        (FundField::Total, f.total, "项目资金总额", "total funds"),
        (FundField::Fiscal, f.fiscal, "财政资金", "fiscal funds"),
        (FundField::Other, f.other, "其他资金", "other funds"),
        (
            FundField::AnnualTotal,
            f.annual_total,
            "年度资金申请总额",
            "annual request",
        ),
        (
            FundField::AnnualAppropriation,
            f.annual_appropriation,
            "当年财政拨款",
            "appropriation",
        ),
        (
            FundField::AnnualCarryover,
            f.annual_carryover,
            "上年结转资金",
            "carry-over",
        ),
        (
            FundField::AnnualOther,
            f.annual_other,
            "其他资金（年度）",
            "other funds (annual)",
        ),
    ];
    let funds = funds
        .into_iter()
        .filter_map(|(ff, m, zh, en)| m.map(|m| (ProjectField::Fund(ff), Name::Fund(zh, en), m)));
    let lines = p
        .project
        .budget_lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let field = ProjectField::BudgetLine {
                line: i,
                column: BudgetColumn::Amount,
            };
            l.amount.map(|m| (field, Name::Line(i), m))
        });
    funds.chain(lines)
}

/// M001: money is kept to the cent; a third decimal is a typing or formula slip.
fn sub_cent(p: &Proj, field: ProjectField, name: Name, m: Money, out: &mut Vec<Finding>) {
    if !m.has_sub_cent() {
        return;
    }
    let (zh, en) = (name.zh(), name.en());
    let cell = p.cell_name(field);
    let rounded = Money::from_yuan(
        m.yuan()
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
    );
    let f = finding(
        "M001",
        Severity::Warning,
        p.loc(field),
        format!(
            "{}{zh} {}{}有两位以上小数（不足一分）。金额应精确到分，请改为 {rounded} 元或核对公式。",
            p.label_zh(),
            m.plain(),
            cell_then(&cell)
        ),
        format!(
            "{}: {zh} ({en}) {} has more than two decimals (fractions of a cent). Round it to {rounded} or check the formula.",
            p.label_en(),
            m.plain()
        ),
    );
    out.push(with_values(f, rounded.plain(), m.plain()));
}

/// M002: no amount on the form can be negative.
fn negative(p: &Proj, field: ProjectField, name: Name, m: Money, out: &mut Vec<Finding>) {
    if !m.is_negative() {
        return;
    }
    let (zh, en) = (name.zh(), name.en());
    let cell = p.cell_name(field);
    let f = finding(
        "M002",
        Severity::Error,
        p.loc(field),
        format!(
            "{}{zh} {m} 元{}为负数。金额不能为负，请核对。",
            p.label_zh(),
            super::at_cell(&cell)
        ),
        format!(
            "{}: {zh} ({en}) {m} is negative; amounts cannot be negative.",
            p.label_en()
        ),
    );
    out.push(with_values(f, "≥ 0", m.plain()));
}

#[cfg(test)]
mod tests {
    use crate::validate::testkit::*;

    #[test]
    fn cents_pass() {
        let mut p = clean_project("甲");
        p.budget_lines[0].basis = None;
        p.budget_lines[0].amount = Some(yuan("102000.50"));
        p.budget_lines[1].amount = Some(yuan("897999.50"));
        assert!(run(p).is_empty());
    }

    #[test]
    fn sub_cent_amount_warns() {
        let mut p = clean_project("甲");
        p.budget_lines[0].basis = None;
        p.budget_lines[0].amount = Some(yuan("102000.005"));
        p.budget_lines[1].amount = Some(yuan("897999.995"));
        let f = run(p);
        assert_eq!(codes(&f), ["M001", "M001"]);
        assert_eq!(cell(&f[0]), "说明1!F20");
        assert_eq!(
            f[0].message,
            "项目「甲」年度预算安排第 1 行金额 102000.005（F20）有两位以上小数（不足一分）。金额应精确到分，请改为 102,000.01 元或核对公式。"
        );
        assert_eq!(f[1].expected.as_deref(), Some("898000.00"));
    }

    #[test]
    fn absurd_amount_is_an_error_and_breaks_no_sum() {
        let mut p = clean_project("甲");
        let huge = yuan("79228162514264337593543950335");
        p.funds.fiscal = Some(huge);
        p.funds.other = Some(huge);
        p.budget_lines[1].amount = Some(huge);
        p.budget_lines[1].basis = None;
        let f = run(p);
        // The budget lines, with one at Decimal's maximum, cannot be summed for the
        // workbook's 合计: M004 there.
        assert_eq!(codes(&f), ["M003", "M003", "M003", "M004"]);
        assert_eq!(cell(&f[3]), "说明1!F22");
        assert_eq!(cell(&f[0]), "项目1!C8");
        assert_eq!(
            f[0].message,
            "项目「甲」财政资金 79,228,162,514,264,337,593,543,950,335 元（C8）超出合理范围（超过 1,000万亿元），应是录入错误，未参与其他核对。请核对。"
        );
        // A stated cover total that large cannot be turned into 元: reported, not compared.
        let mut d = decl_with(vec![clean_project("甲")]);
        d.stated_total = Some(crate::model::StatedAmount::new(
            "79228162514264337593543950335".parse().unwrap(),
            crate::model::MoneyUnit::Wan,
        ));
        let f = crate::validate::validate(&d, &sources_for(&d));
        assert_eq!(codes(&f), ["M003"]);
        assert_eq!(cell(&f[0]), "封面!B5");
    }

    #[test]
    fn negative_amount_is_an_error() {
        let mut p = clean_project("甲");
        p.funds.annual_carryover = Some(yuan("-5"));
        p.funds.annual_other = Some(yuan("5"));
        let f = run(p);
        assert_eq!(codes(&f), ["M002"]);
        assert_eq!(cell(&f[0]), "项目1!F9");
        assert_eq!(
            f[0].message,
            "项目「甲」上年结转资金 -5.00 元（F9）为负数。金额不能为负，请核对。"
        );
    }
}
