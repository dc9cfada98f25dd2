//! 项目总目标 and 年度总体目标: filled in, and planned for the declared year.

use super::years::{accepted, is_plan_year, normalize, scan};
use super::{at_cell, at_cell_en, finding, present, with_values, Proj};
use crate::model::{Finding, ProjectField, Severity};

/// Runs the goal rules.
pub(crate) fn check(p: &Proj, out: &mut Vec<Finding>) {
    goals_present(p, out);
    goal_plan_year(p, out);
}

fn goal_fields<'a>(
    p: &Proj<'a>,
) -> [(ProjectField, &'a Option<String>, &'static str, &'static str); 2] {
    let g = &p.project.goals;
    [
        (
            ProjectField::GoalOverall,
            &g.overall,
            "项目总目标",
            "overall goal",
        ),
        (
            ProjectField::GoalAnnual,
            &g.annual,
            "年度总体目标",
            "annual goal",
        ),
    ]
}

/// G002: both goals are written.
fn goals_present(p: &Proj, out: &mut Vec<Finding>) {
    for (field, text, zh, en) in goal_fields(p) {
        if present(text).is_some() {
            continue;
        }
        let cell = p.cell_name(field);
        out.push(finding(
            "G002",
            Severity::Error,
            p.loc(field),
            format!(
                "{}未填{zh}{}。请写明项目要达到的目标。",
                p.label_zh(),
                at_cell(&cell)
            ),
            format!(
                "{}: {zh} ({en}){} is empty. State what the project is to achieve.",
                p.label_en(),
                at_cell_en(&cell)
            ),
        ));
    }
}

/// G001: a goal that plans for a year (`2023年度`, `2023年底`, `完成2023年…计划`) plans for
/// the declared year. Years used otherwise (`2018年首届…`, `（2023-2025年）`) are history
/// or context and raise nothing; a multi-year project may name any year of its period.
fn goal_plan_year(p: &Proj, out: &mut Vec<Finding>) {
    let Some(year) = p.year() else { return };
    let planned = p.is_multi_year().then(|| p.planned_years()).flatten();
    for (field, text, zh, en) in goal_fields(p) {
        let Some(text) = present(text) else { continue };
        let chars = normalize(text);
        let Some(m) = scan(&chars)
            .into_iter()
            .find(|m| is_plan_year(&chars, m) && !accepted(m.span, year, planned))
        else {
            continue;
        };
        let named = m.span.text();
        let phrase = clause_around(&chars, m.start);
        let cell = p.cell_name(field);
        let f = finding(
            "G001",
            Severity::Warning,
            p.loc(field),
            format!(
                "{}{zh}{}写的是 {named} 年（「{phrase}」），而申报年度是 {year} 年。请核对是否沿用了往年的表述。",
                p.label_zh(),
                at_cell(&cell)
            ),
            format!(
                "{}: the {en} ({zh}){} plans for {named} (“{phrase}”), but the form is for {year}. Check for text carried over from an earlier year.",
                p.label_en(),
                at_cell_en(&cell)
            ),
        );
        out.push(with_values(f, year.to_string(), named));
    }
}

/// The clause holding position `at`, between punctuation marks, shortened to 30 characters.
fn clause_around(chars: &[char], at: usize) -> String {
    let stop = |c: &char| "。；;，,！？!?\n".contains(*c);
    let start = chars[..at]
        .iter()
        .rposition(stop)
        .map(|i| i + 1)
        .unwrap_or(0);
    let end = chars[at..]
        .iter()
        .position(stop)
        .map(|i| at + i)
        .unwrap_or(chars.len());
    let clause: String = chars[start..end].iter().take(30).collect();
    if end - start > 30 {
        format!("{clause}…")
    } else {
        clause
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testkit::*;

    #[test]
    fn seed_project_2_history_and_range_pass() {
        let mut p = clean_project("优化营商环境");
        p.goals.overall = Some(
            "2.贯彻落实习近平总书记在2018年首届中国国际进口博览会开幕式上关于“支持长江三角洲区域一体化发展并上升为国家战略”的指示精神；4.依据《长三角 G60 科创走廊加强协同创新持续优化营商环境行动方案（2023-2025年）》，开展优化营商环境系列工作举措。".into(),
        );
        p.goals.annual = Some(
            "2.贯彻落实习近平总书记在 2018 年首届中国国际进口博览会开幕式上关于“支持长江三角洲区域一体化发展并上升为国家战略”的指示精神；4.依据《长三角 G60 科创走廊加强协同创新持续优化营商环境行动方案（2023-2025 年）》。".into(),
        );
        assert!(run(p).is_empty());
    }

    #[test]
    fn stale_plan_year_warns() {
        let mut p = clean_project("甲");
        p.goals.annual = Some("完成2023年G60科创走廊年度工作计划和各项任务目标。".into());
        let f = run(p);
        assert_eq!(codes(&f), ["G001"]);
        assert_eq!(cell(&f[0]), "项目1!D13");
        assert_eq!(
            f[0].message,
            "项目「甲」年度总体目标（D13）写的是 2023 年（「完成2023年G60科创走廊年度工作计划和各项任务目标」），而申报年度是 2024 年。请核对是否沿用了往年的表述。"
        );
        assert_eq!(f[0].expected.as_deref(), Some("2024"));
        assert_eq!(f[0].actual.as_deref(), Some("2023"));
    }

    #[test]
    fn multi_year_goal_may_name_its_end_year() {
        let mut p = multi_year_project();
        p.goals.overall = Some("2025年底前完成全部改造。".into());
        assert!(run(p).is_empty());
        let mut p = multi_year_project();
        p.goals.overall = Some("2026年底前完成全部改造。".into());
        assert_eq!(codes(&run(p)), ["G001"]);
    }

    #[test]
    fn missing_goals_are_errors() {
        let mut p = clean_project("甲");
        p.goals.overall = None;
        p.goals.annual = Some(" ".into());
        let f = run(p);
        assert_eq!(codes(&f), ["G002", "G002"]);
        assert_eq!(cell(&f[0]), "项目1!A13");
        assert_eq!(
            f[0].message,
            "项目「甲」未填项目总目标（A13）。请写明项目要达到的目标。"
        );
    }
}
