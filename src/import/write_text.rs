//! A model written as a disclosure's text, in the shape the importer reads: the cover
//! paragraph, then per project its 项目经费情况说明 and its form, one table row per line
//! (labels and values side by side, the goal columns one after the other). For tests and
//! for a published-text view of a workbook; budget lines are written as the 六 list.

use std::fmt::Write;

use crate::model::{Declaration, Money, MoneyUnit, Project};

/// The text of a disclosure holding `decl`.
///
/// ```
/// let decl: jixiao::model::Declaration = serde_json::from_str(
///     &std::fs::read_to_string("samples/songjiang-kcb-2024.json").unwrap()).unwrap();
/// let text = jixiao::import::disclosure_text(&decl);
/// assert!(text.contains("编报绩效目标的项目10个，涉及项目预算资金1,743.86万元"));
/// ```
pub fn disclosure_text(decl: &Declaration) -> String {
    let mut s = String::new();
    let year = decl.year.map(|y| y.to_string()).unwrap_or_default();
    let _ = writeln!(
        s,
        "{} {year} 年\n财政支出项目绩效目标申报表\n绩效目标设置情况",
        decl.unit.as_deref().unwrap_or("")
    );
    match &decl.summary_text {
        Some(t) => {
            let _ = writeln!(s, "{t}");
        }
        None => {
            let total = decl.stated_total.map(|t| match t.unit {
                MoneyUnit::Wan => format!("{}万元", crate::model::group_thousands(t.value, 2)),
                MoneyUnit::Yuan => format!("{}元", crate::model::group_thousands(t.value, 2)),
            });
            let _ = writeln!(
                s,
                "编报绩效目标的项目{}个，涉及项目预算资金{}。",
                decl.stated_project_count
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                total.unwrap_or_default()
            );
        }
    }
    for (i, p) in decl.projects.iter().enumerate() {
        narrative(&mut s, i + 1, p);
        form(&mut s, i + 1, p, &year);
    }
    s
}

fn narrative(s: &mut String, n: usize, p: &Project) {
    let _ = writeln!(s, "项目经费情况说明 {n}");
    let sections = [
        ("一、项目概述", &p.narrative.overview),
        ("二、立项依据", &p.narrative.rationale),
        ("三、实施主体", &p.narrative.executing_body),
        ("四、实施方案", &p.narrative.plan),
        ("五、实施周期", &p.narrative.period),
        ("六、年度预算安排", &p.narrative.budget),
        ("七、绩效目标", &p.narrative.goals),
    ];
    for (title, text) in sections {
        let _ = writeln!(s, "{title}");
        if let Some(t) = text {
            let _ = writeln!(s, "{t}");
        }
    }
}

fn money(m: Option<Money>) -> String {
    m.map(|m| m.to_string()).unwrap_or_default()
}

fn form(s: &mut String, n: usize, p: &Project, year: &str) {
    let h = &p.header;
    let f = &p.funds;
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let date = |d: Option<crate::model::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let _ = writeln!(s, "财政项目支出绩效目标申报表 {n}\n（{year} 年度）");
    let _ = writeln!(
        s,
        "项目名称 {} 项目性质 {} 项目类别 {}",
        opt(&h.name),
        opt(&h.nature),
        opt(&h.category)
    );
    let _ = writeln!(
        s,
        "主管部门 {} 实施单位 {}",
        opt(&h.department),
        opt(&h.implementer)
    );
    let _ = writeln!(
        s,
        "计划开始日期 {} 计划完成日期 {}",
        date(h.start),
        date(h.end)
    );
    let _ = writeln!(s, "项目资金\n（元）");
    let _ = writeln!(
        s,
        "项目资金总额 {} 年度资金申请总额 {}",
        money(f.total),
        money(f.annual_total)
    );
    let _ = writeln!(
        s,
        "其中：财政资金 {} 其中：当年财政拨款 {}",
        money(f.fiscal),
        money(f.annual_appropriation)
    );
    let _ = writeln!(s, "上年结转资金 {}", money(f.annual_carryover));
    let _ = writeln!(
        s,
        "其他资金 {} 其他资金 {}",
        money(f.other),
        money(f.annual_other)
    );
    let _ = writeln!(s, "项\n目\n绩\n效\n目\n标\n项目总目标 年度总体目标");
    for g in [&p.goals.overall, &p.goals.annual].into_iter().flatten() {
        let _ = writeln!(s, "{g}");
    }
    let _ = writeln!(
        s,
        "绩\n效\n指\n标\n一级指标 二级指标 三级指标 年度(/项目)指标值"
    );
    let (mut l1, mut l2) = (None, None);
    for ind in &p.indicators {
        let mut row = String::new();
        if ind.level1 != l1 {
            row.push_str(ind.level1.as_deref().unwrap_or(""));
            row.push(' ');
            l1 = ind.level1.clone();
            l2 = None;
        }
        if ind.level2 != l2 {
            row.push_str(ind.level2.as_deref().unwrap_or(""));
            row.push(' ');
            l2 = ind.level2.clone();
        }
        let _ = writeln!(
            s,
            "{row}{} {}",
            ind.name.as_deref().unwrap_or(""),
            ind.target.as_ref().map(|t| t.text()).unwrap_or("")
        );
    }
}
