//! Small hand-built declarations and source maps for the rule tests.
//!
//! Layout used by the tests (0-based rows in code, A1 names below):
//! - sheet `封面`: year B2, count B4, total B5;
//! - sheet `项目N`: title A1; name B3, nature D3, category F3, department B4,
//!   implementer D4, start B5, end D5; funds C7..C9 (total, fiscal, other) and
//!   F7..F10 (annual total, appropriation, carry-over, other); goals A13 / D13;
//!   indicators from row 16 (A level1, B level2, C name, D value);
//! - sheet `说明N`: period B10, budget prose B12, budget lines from row 20
//!   (A item, B basis, F amount, G note), 合计 in F after the last line.

use crate::model::{
    BudgetColumn, BudgetLine, CellKind, CellRef, CellSource, CoverField, Date, Declaration,
    FieldPath, Finding, FundField, Funds, Goals, HeaderField, Indicator, IndicatorColumn, Money,
    MoneyUnit, Narrative, Project, ProjectField, ProjectHeader, Section, SourceMap, StatedAmount,
    Target,
};

pub fn yuan(s: &str) -> Money {
    s.parse().unwrap()
}

pub fn date(s: &str) -> Date {
    s.parse().unwrap()
}

pub fn ind(level1: &str, level2: &str, name: &str, value: &str) -> Indicator {
    Indicator {
        level1: Some(level1.into()),
        level2: Some(level2.into()),
        name: Some(name.into()),
        target: Some(Target::parse(value)),
        ..Indicator::default()
    }
}

pub fn line(item: &str, basis: Option<&str>, amount: Option<&str>) -> BudgetLine {
    BudgetLine {
        item: Some(item.into()),
        basis: basis.map(Into::into),
        amount: amount.map(yuan),
        note: None,
    }
}

/// A one-year project of 1,000,000 元 in 2024 that breaks no rule.
pub fn clean_project(name: &str) -> Project {
    let m = yuan("1000000");
    Project {
        header: ProjectHeader {
            name: Some(name.into()),
            nature: Some("其他经常性项目".into()),
            category: Some("其他运转类".into()),
            department: Some("上海市松江区科创发展办公室".into()),
            implementer: Some("上海市松江区科创发展办公室".into()),
            start: Some(date("2024-01-01")),
            end: Some(date("2024-12-31")),
        },
        funds: Funds {
            total: Some(m),
            fiscal: Some(m),
            other: None,
            annual_total: Some(m),
            annual_appropriation: Some(m),
            annual_carryover: Some(Money::ZERO),
            annual_other: Some(Money::ZERO),
        },
        narrative: Narrative {
            period: Some("2024 年 1 月 1日至 2024 年 12 月 31日".into()),
            ..Narrative::default()
        },
        budget_lines: vec![
            line("办公室保洁服务", Some("8500元/月×12月"), Some("102000")),
            line("其他运转支出", Some("据实结算"), Some("898000")),
        ],
        goals: Goals {
            overall: Some("保障办公室日常运转。".into()),
            annual: Some("完成2024年度工作计划，保障办公室日常运转。".into()),
        },
        indicators: vec![
            ind("成本指标", "经济成本指标", "控制相关成本", "有效"),
            ind(
                "产出指标",
                "数量指标",
                "完成2024年年度工作计划",
                "=100.00(%)",
            ),
            ind("产出指标", "质量指标", "推进各项工作高质量完成", "完成"),
            ind("产出指标", "时效指标", "项目完成时间", "2024年12月31日前"),
            ind("效益指标", "社会效益指标", "推进跨区域合作", "完成"),
            ind(
                "满意度指标",
                "服务对象满意度指标",
                "相关方满意度",
                "≥85.00(%)",
            ),
        ],
    }
}

/// The brief's multi-year project: 跨年度, 2023-07-01 to 2025-06-30, 3,000,000 in all,
/// 1,200,000 requested for the year. Right in every respect.
pub fn multi_year_project() -> Project {
    let mut p = clean_project("展示馆改造");
    p.header.nature = Some("跨年度项目".into());
    p.header.start = Some(date("2023-07-01"));
    p.header.end = Some(date("2025-06-30"));
    p.funds = Funds {
        total: Some(yuan("3000000")),
        fiscal: Some(yuan("3000000")),
        other: Some(Money::ZERO),
        annual_total: Some(yuan("1200000")),
        annual_appropriation: Some(yuan("1000000")),
        annual_carryover: Some(yuan("200000")),
        annual_other: None,
    };
    p.narrative.period = Some("2023年7月至2025年6月".into());
    p.budget_lines = vec![
        line("展项改造", Some("2万元/项×50项"), Some("1000000")),
        line("监理费", None, Some("200000")),
    ];
    p.goals = Goals {
        overall: Some("2025年6月底前完成展示馆改造（2023-2025年）。".into()),
        annual: Some("2024年底前完成主要展项改造。".into()),
    };
    p.indicators = vec![
        ind("成本指标", "经济成本指标", "改造成本控制", "≤300.00(万元)"),
        ind("产出指标", "数量指标", "完成50项以上展项改造", "≥50.00(项)"),
        ind("产出指标", "时效指标", "项目完成时间", "2025年6月30日前"),
        ind("效益指标", "社会效益指标", "展示效果提升", "有效"),
        ind(
            "满意度指标",
            "服务对象满意度指标",
            "参观者满意度",
            "≥90.00(%)",
        ),
    ];
    p
}

/// A 2024 declaration whose cover agrees with its projects.
pub fn decl_with(projects: Vec<Project>) -> Declaration {
    let total = Money::checked_sum(projects.iter().filter_map(|p| p.funds.total)).unwrap();
    Declaration {
        unit: Some("上海市松江区科创发展办公室".into()),
        year: Some(2024),
        stated_total: Some(StatedAmount::new(total.wan(), MoneyUnit::Wan)),
        stated_project_count: Some(projects.len() as u32),
        summary_text: None,
        projects,
    }
}

fn put(map: &mut SourceMap, path: FieldPath, sheet: &str, row: u32, col: u16) {
    map.insert(
        path,
        CellSource {
            cell: CellRef::new(sheet, row, col),
            kind: CellKind::Text,
            raw: None,
        },
    );
}

/// Maps every field of `decl` to the test layout described at the top of this file.
pub fn sources_for(decl: &Declaration) -> SourceMap {
    let mut m = SourceMap::new("test.xlsx");
    put(&mut m, FieldPath::Cover(CoverField::Year), "封面", 1, 1);
    put(
        &mut m,
        FieldPath::Cover(CoverField::StatedCount),
        "封面",
        3,
        1,
    );
    put(
        &mut m,
        FieldPath::Cover(CoverField::StatedTotal),
        "封面",
        4,
        1,
    );
    for (i, p) in decl.projects.iter().enumerate() {
        let form = format!("项目{}", i + 1);
        let note = format!("说明{}", i + 1);
        let f = |field| FieldPath::project(i, field);
        put(&mut m, f(ProjectField::Title), &form, 0, 0);
        let header = [
            (HeaderField::Name, 2, 1),
            (HeaderField::Nature, 2, 3),
            (HeaderField::Category, 2, 5),
            (HeaderField::Department, 3, 1),
            (HeaderField::Implementer, 3, 3),
            (HeaderField::Start, 4, 1),
            (HeaderField::End, 4, 3),
        ];
        for (h, r, c) in header {
            put(&mut m, f(ProjectField::Header(h)), &form, r, c);
        }
        let funds = [
            (FundField::Total, 6, 2),
            (FundField::Fiscal, 7, 2),
            (FundField::Other, 8, 2),
            (FundField::AnnualTotal, 6, 5),
            (FundField::AnnualAppropriation, 7, 5),
            (FundField::AnnualCarryover, 8, 5),
            (FundField::AnnualOther, 9, 5),
        ];
        for (ff, r, c) in funds {
            put(&mut m, f(ProjectField::Fund(ff)), &form, r, c);
        }
        put(&mut m, f(ProjectField::GoalOverall), &form, 12, 0);
        put(&mut m, f(ProjectField::GoalAnnual), &form, 12, 3);
        for k in 0..p.indicators.len() {
            let row = 15 + k as u32;
            let cols = [
                (IndicatorColumn::Level1, 0),
                (IndicatorColumn::Level2, 1),
                (IndicatorColumn::Name, 2),
                (IndicatorColumn::Target, 3),
            ];
            for (column, c) in cols {
                put(
                    &mut m,
                    f(ProjectField::Indicator { index: k, column }),
                    &form,
                    row,
                    c,
                );
            }
        }
        put(
            &mut m,
            f(ProjectField::Narrative(Section::Period)),
            &note,
            9,
            1,
        );
        put(
            &mut m,
            f(ProjectField::Narrative(Section::Budget)),
            &note,
            11,
            1,
        );
        for l in 0..p.budget_lines.len() {
            let row = 19 + l as u32;
            let cols = [
                (BudgetColumn::Item, 0),
                (BudgetColumn::Basis, 1),
                (BudgetColumn::Amount, 5),
                (BudgetColumn::Note, 6),
            ];
            for (column, c) in cols {
                put(
                    &mut m,
                    f(ProjectField::BudgetLine { line: l, column }),
                    &note,
                    row,
                    c,
                );
            }
        }
        let total_row = 19 + p.budget_lines.len() as u32;
        put(&mut m, f(ProjectField::BudgetTotal), &note, total_row, 5);
    }
    m
}

/// Validates one project in a consistent 2024 declaration, with the test source map.
pub fn run(p: Project) -> Vec<Finding> {
    let d = decl_with(vec![p]);
    crate::validate::validate(&d, &sources_for(&d))
}

/// The same without a source map, as for a model built from JSON.
pub fn run_unmapped(p: Project) -> Vec<Finding> {
    let d = decl_with(vec![p]);
    crate::validate::validate(&d, &SourceMap::new("test.json"))
}

pub fn codes(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.code.as_str()).collect()
}

/// `项目1!D3`, or `-` when the finding has no cell.
pub fn cell(f: &Finding) -> String {
    match (&f.location.sheet, &f.location.cell) {
        (Some(s), Some(c)) => format!("{s}!{c}"),
        _ => "-".into(),
    }
}
