//! The unit's cover: stated total and project count agree with the projects.

use super::precision::{compare, Interval};
use std::borrow::Cow;

use super::{checked_total, finding, max_amount, with_values, without_blanks, Ctx};
use crate::model::{CoverField, FieldPath, Finding, MoneyUnit, Severity, StatedAmount};
use crate::values::quote_short;

/// Runs the cover rules.
pub(crate) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    stated_total_matches(ctx, out);
    stated_total_in_range(ctx, out);
    stated_count_matches(ctx, out);
    cover_fields_present(ctx, out);
    has_projects(ctx, out);
    unique_project_names(ctx, out);
}

/// C001: the stated 项目预算资金 equals the sum of the projects' 项目资金总额, or the sum
/// of their 年度资金申请总额, within the precision it was written with (two decimals of
/// 万元 = ±50 元). Shanghai's published covers state the budget year's money, so a unit
/// with a multi-year project agrees on the annual basis; older covers add up the project
/// totals. Skipped while a project's total is missing: F005 reports that, and the sum
/// would mislead. The annual basis is offered only when every annual amount is given.
fn stated_total_matches(ctx: &Ctx, out: &mut Vec<Finding>) {
    let d = ctx.decl;
    let Some(stated) = d.stated_total else { return };
    if d.projects.is_empty() || !stated_in_range(stated) {
        return;
    }
    if d.projects.iter().any(|p| p.funds.total.is_none()) {
        return;
    }
    let Some(sum) = checked_total(d.projects.iter().filter_map(|p| p.funds.total)) else {
        return;
    };
    let Some(gap) = compare(Interval::stated(stated), sum) else {
        return;
    };
    let annual = if d.projects.iter().all(|p| p.funds.annual_total.is_some()) {
        checked_total(d.projects.iter().filter_map(|p| p.funds.annual_total))
    } else {
        None
    };
    // The annual basis, when it is a different figure: agreeing with it is agreeing.
    let annual = match annual {
        Some(a) if a != sum => match compare(Interval::stated(stated), a) {
            None => return,
            Some(g) => Some((a, g)),
        },
        _ => None,
    };
    let n = d.projects.len();
    let (means, means_en) = match stated.unit {
        MoneyUnit::Wan => (
            format!(
                "（即 {} 元；按所写小数位可差 ±{} 元）",
                stated.money(),
                gap.tolerance
            ),
            format!(
                " (= {}, give or take {} as written)",
                stated.money(),
                gap.tolerance
            ),
        ),
        MoneyUnit::Yuan => (String::new(), String::new()),
    };
    let (also, also_en) = match annual {
        Some((a, g)) => (
            format!(
                "，也 ≠ 年度资金申请总额之和 {a} 元（{}），差 {} 元。封面金额应等于两者之一",
                a.wan_string(),
                g.magnitude()
            ),
            format!(
                ", nor the sum of their 年度资金申请总额 (annual amounts) {a} ({}), difference {} yuan. The cover should equal one of them",
                a.wan_string(),
                g.magnitude()
            ),
        ),
        None => (String::new(), String::new()),
    };
    let f = finding(
        "C001",
        Severity::Error,
        ctx.loc(FieldPath::Cover(CoverField::StatedTotal)),
        format!(
            "封面所写项目预算资金 {}{means} ≠ {n} 个项目的项目资金总额之和 {sum} 元（{}），差 {} 元{also}。请核对封面金额或各项目的项目资金总额。",
            stated.display(),
            sum.wan_string(),
            gap.magnitude()
        ),
        format!(
            "Cover: the stated project budget {}{means_en} ≠ the sum of the {n} projects' 项目资金总额 (total funds) {sum} ({}); difference {} yuan{also_en}. Check the cover figure or the projects' totals.",
            stated.display(),
            sum.wan_string(),
            gap.magnitude()
        ),
    );
    out.push(with_values(f, sum.plain(), stated.money().plain()));
}

/// A stated total small enough to turn into 元 and compare; larger is M003's.
fn stated_in_range(s: StatedAmount) -> bool {
    let limit = match s.unit {
        MoneyUnit::Yuan => max_amount().yuan(),
        MoneyUnit::Wan => max_amount().wan(),
    };
    s.value.abs() <= limit
}

/// M003 (cover): a stated total beyond any budget is a typing slip.
fn stated_total_in_range(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(stated) = ctx.decl.stated_total else {
        return;
    };
    if stated_in_range(stated) {
        return;
    }
    out.push(finding(
        "M003",
        Severity::Error,
        ctx.loc(FieldPath::Cover(CoverField::StatedTotal)),
        format!(
            "封面所写项目预算资金 {} 超出合理范围（超过 1,000万亿元），应是录入错误。请核对。",
            stated.display()
        ),
        format!(
            "Cover: the stated project budget {} is beyond any budget (over 10^15 yuan); probably a typing slip.",
            stated.display()
        ),
    ));
}

/// C002: the stated number of projects equals the number of project forms.
fn stated_count_matches(ctx: &Ctx, out: &mut Vec<Finding>) {
    let d = ctx.decl;
    let Some(stated) = d.stated_project_count else {
        return;
    };
    let n = d.projects.len();
    if stated as usize == n {
        return;
    }
    let f = finding(
        "C002",
        Severity::Error,
        ctx.loc(FieldPath::Cover(CoverField::StatedCount)),
        format!("封面写编报绩效目标的项目 {stated} 个，实有项目表 {n} 个。请核对封面项目个数或补全项目表。"),
        format!("Cover: states {stated} projects, but there are {n} project forms. Check the count or the forms."),
    );
    out.push(with_values(f, n.to_string(), stated.to_string()));
}

/// C003 / C004 / C005: the cover states the total, the count and the year; without them
/// the cover cannot be checked, which a reviewer would ask about. Each message is
/// written only when its field is missing.
fn cover_fields_present(ctx: &Ctx, out: &mut Vec<Finding>) {
    let d = ctx.decl;
    let missing = |code, field, zh, en| {
        finding(
            code,
            Severity::Warning,
            ctx.loc(FieldPath::Cover(field)),
            zh,
            en,
        )
    };
    if d.stated_total.is_none() {
        let known = checked_total(d.projects.iter().filter_map(|p| p.funds.total));
        let sum = known
            .map(|s| format!("各项目资金总额之和为 {}", s.wan_string()))
            .unwrap_or_else(|| "按各项目资金总额之和".to_string());
        let sum_en = known
            .map(|s| format!(" (the projects add up to {s})"))
            .unwrap_or_default();
        out.push(missing(
            "C003",
            CoverField::StatedTotal,
            format!("封面未写明项目预算资金合计。请填写（{sum}）。"),
            format!("Cover: the total project budget is not stated{sum_en}."),
        ));
    }
    if d.stated_project_count.is_none() {
        out.push(missing(
            "C004",
            CoverField::StatedCount,
            format!(
                "封面未写明编报绩效目标的项目个数。请填写（实有 {} 个）。",
                d.projects.len()
            ),
            format!(
                "Cover: the number of projects is not stated (there are {}).",
                d.projects.len()
            ),
        ));
    }
    if d.year.is_none() {
        out.push(missing(
            "C005",
            CoverField::Year,
            "未写明预算年度，无法核对日期与指标中的年份。请填写预算年度。".to_string(),
            "The budget year is not stated, so dates and years in indicators cannot be checked."
                .to_string(),
        ));
    }
}

/// C006: a declaration has at least one project.
fn has_projects(ctx: &Ctx, out: &mut Vec<Finding>) {
    if ctx.decl.projects.is_empty() {
        out.push(finding(
            "C006",
            Severity::Error,
            ctx.loc(FieldPath::Cover(CoverField::StatedCount)),
            "没有读到任何项目表。请确认文件中包含财政项目支出绩效目标申报表。".to_string(),
            "No project forms were found. Check that the file holds the project forms.".to_string(),
        ));
    }
}

/// C007: two projects with the same name (blanks and spaces ignored): a sheet copied
/// and not renamed, or one project declared twice, which counts its money twice.
fn unique_project_names(ctx: &Ctx, out: &mut Vec<Finding>) {
    // Each name without blanks, borrowed when it has none (almost always), with its
    // project; sorted, equal names are side by side with the first project first. A
    // sort keeps thousands of projects fast and costs less than hashing a few dozen.
    let mut named: Vec<(Cow<str>, usize)> = ctx
        .decl
        .projects
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let key = without_blanks(p.header.name.as_deref()?);
            (!key.is_empty()).then_some((key, i))
        })
        .collect();
    named.sort_unstable();
    // (a project, the first project of its name), in project order.
    let mut repeats: Vec<(usize, usize, &str)> = Vec::new();
    for same in named.chunk_by(|a, b| a.0 == b.0) {
        let (name, first) = (&same[0].0, same[0].1);
        repeats.extend(same[1..].iter().map(|(_, i)| (*i, first, name.as_ref())));
    }
    repeats.sort_unstable();
    for (i, first, name) in repeats {
        let path = FieldPath::project(
            i,
            crate::model::ProjectField::Header(crate::model::HeaderField::Name),
        );
        let first_at = ctx
            .sources
            .locate(&FieldPath::project(
                first,
                crate::model::ProjectField::Header(crate::model::HeaderField::Name),
            ))
            .map(|c| format!("（{}!{}）", c.sheet, c.a1()))
            .unwrap_or_default();
        out.push(finding(
            "C007",
            Severity::Warning,
            ctx.loc(path),
            format!(
                "第 {} 个项目与第 {} 个项目{first_at}同名「{}」。如是重复申报，请删去一份；如是不同项目，请改用能区分的名称。",
                i + 1,
                first + 1,
                quote_short(name)
            ),
            format!(
                "Projects {} and {} are both named {:?}: delete the duplicate or rename one.",
                i + 1,
                first + 1,
                quote_short(name)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{MoneyUnit, StatedAmount};
    use crate::validate::testkit::*;
    use crate::validate::validate;

    fn seed_like() -> crate::model::Declaration {
        // Ten projects adding up to 17,438,600.00, as in the seed.
        let amounts = [
            "1000000", "200000", "900000", "1500000", "1838600", "1100000", "2100000", "8000000",
            "400000", "400000",
        ];
        let projects = amounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut p = clean_project(&format!("项目{i}"));
                let m = yuan(a);
                p.funds.total = Some(m);
                p.funds.fiscal = Some(m);
                p.funds.annual_total = Some(m);
                p.funds.annual_appropriation = Some(m);
                p.budget_lines = vec![line("明细", None, Some(a))];
                p
            })
            .collect();
        let mut d = decl_with(projects);
        d.stated_total = Some(StatedAmount::new(
            "1743.86".parse().unwrap(),
            MoneyUnit::Wan,
        ));
        d
    }

    #[test]
    fn seed_cover_agrees() {
        let d = seed_like();
        assert!(validate(&d, &sources_for(&d)).is_empty());
    }

    #[test]
    fn within_fifty_yuan_agrees_beyond_does_not() {
        let mut d = seed_like();
        d.stated_total = Some(StatedAmount::new(
            "1743.87".parse().unwrap(),
            MoneyUnit::Wan,
        ));
        let f = validate(&d, &sources_for(&d));
        assert_eq!(codes(&f), ["C001"]);
        assert_eq!(cell(&f[0]), "封面!B5");
        assert_eq!(f[0].location.project, None);
        assert_eq!(
            f[0].message,
            "封面所写项目预算资金 1,743.87万元（即 17,438,700.00 元；按所写小数位可差 ±50.00 元） ≠ 10 个项目的项目资金总额之和 17,438,600.00 元（1,743.86万元），差 100.00 元。请核对封面金额或各项目的项目资金总额。"
        );
        assert_eq!(f[0].expected.as_deref(), Some("17438600.00"));
        assert_eq!(f[0].actual.as_deref(), Some("17438700.00"));

        // 17,438,650 rounds to 1,743.87 万 at the half: inside the interval.
        let mut d = seed_like();
        d.projects[0].funds.total = Some(yuan("1000050"));
        d.projects[0].funds.fiscal = Some(yuan("1000050"));
        d.projects[0].funds.annual_total = Some(yuan("1000050"));
        d.projects[0].funds.annual_appropriation = Some(yuan("1000050"));
        d.projects[0].budget_lines = vec![line("明细", None, Some("1000050"))];
        d.stated_total = Some(StatedAmount::new(
            "1743.87".parse().unwrap(),
            MoneyUnit::Wan,
        ));
        assert!(validate(&d, &sources_for(&d)).is_empty());
    }

    /// Project 1 made a 阶段性项目 of 1,030.80万 asking 349.80万 this year.
    fn multi_year_unit(stated: &str) -> crate::model::Declaration {
        let mut d = seed_like();
        let p = &mut d.projects[0];
        p.header.nature = Some("阶段性项目".into());
        p.funds.total = Some(yuan("10308000"));
        p.funds.fiscal = Some(yuan("10308000"));
        p.funds.annual_total = Some(yuan("3498000"));
        p.funds.annual_appropriation = Some(yuan("3498000"));
        p.budget_lines = vec![line("明细", None, Some("3498000"))];
        d.stated_total = Some(StatedAmount::new(stated.parse().unwrap(), MoneyUnit::Wan));
        d
    }

    #[test]
    fn multi_year_unit_agrees_on_either_basis() {
        // Annual basis: 17,438,600 − 1,000,000 + 3,498,000 = 19,936,600.
        let d = multi_year_unit("1993.66");
        assert!(validate(&d, &sources_for(&d)).is_empty());
        // Project-total basis: 17,438,600 − 1,000,000 + 10,308,000 = 26,746,600.
        let d = multi_year_unit("2674.66");
        assert!(validate(&d, &sources_for(&d)).is_empty());
        // Neither: one error naming both bases and both gaps.
        let d = multi_year_unit("1993.76");
        let f = validate(&d, &sources_for(&d));
        assert_eq!(codes(&f), ["C001"]);
        assert_eq!(
            f[0].message,
            "封面所写项目预算资金 1,993.76万元（即 19,937,600.00 元；按所写小数位可差 ±50.00 元） ≠ 10 个项目的项目资金总额之和 26,746,600.00 元（2,674.66万元），差 6,809,000.00 元，也 ≠ 年度资金申请总额之和 19,936,600.00 元（1,993.66万元），差 1,000.00 元。封面金额应等于两者之一。请核对封面金额或各项目的项目资金总额。"
        );
        // An annual amount missing: only the project-total basis is offered.
        let mut d = multi_year_unit("1993.66");
        d.projects[0].funds.annual_total = None;
        let f = validate(&d, &sources_for(&d));
        assert!(codes(&f).contains(&"C001"), "{f:#?}");
    }

    #[test]
    fn yuan_figures_are_exact() {
        let mut d = seed_like();
        d.stated_total = Some(StatedAmount::new(
            "17438600.01".parse().unwrap(),
            MoneyUnit::Yuan,
        ));
        let f = validate(&d, &sources_for(&d));
        assert_eq!(codes(&f), ["C001"]);
        assert!(f[0]
            .message
            .starts_with("封面所写项目预算资金 17,438,600.01元 ≠"));
    }

    #[test]
    fn count_mismatch() {
        let mut d = seed_like();
        d.stated_project_count = Some(11);
        let f = validate(&d, &sources_for(&d));
        assert_eq!(codes(&f), ["C002"]);
        assert_eq!(cell(&f[0]), "封面!B4");
        assert_eq!(f[0].expected.as_deref(), Some("10"));
        assert_eq!(f[0].actual.as_deref(), Some("11"));
    }

    #[test]
    fn missing_cover_fields_and_no_projects() {
        let d = crate::model::Declaration::default();
        let f = validate(&d, &crate::model::SourceMap::new("x.json"));
        assert_eq!(codes(&f), ["C003", "C004", "C005", "C006"]);
        assert!(f.iter().all(|f| f.location.cell.is_none()));
    }

    #[test]
    fn missing_project_total_skips_the_cover_sum() {
        let mut d = seed_like();
        d.projects[0].funds.total = None;
        let f = validate(&d, &sources_for(&d));
        assert_eq!(codes(&f), ["F005"]);
    }

    #[test]
    fn duplicate_project_names_warn_at_the_second() {
        let mut d = seed_like();
        d.projects[3].header.name = d.projects[1].header.name.clone();
        let findings = validate(&d, &crate::model::SourceMap::new("a.xlsx"));
        let dup: Vec<_> = findings.iter().filter(|f| f.code == "C007").collect();
        assert_eq!(dup.len(), 1, "{findings:#?}");
        assert_eq!(dup[0].location.project, Some(3));
        assert!(
            dup[0].message.starts_with("第 4 个项目与第 2 个项目同名"),
            "{}",
            dup[0].message
        );
        let clean = validate(&seed_like(), &crate::model::SourceMap::new("a.xlsx"));
        assert!(!clean.iter().any(|f| f.code == "C007"));
    }
}
