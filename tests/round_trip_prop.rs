//! Property: any declaration the form can hold survives model → workbook → model.
//!
//! The generator makes only what a filled form can represent; each restriction below says
//! which reader normalization it stands for:
//! - text has no surrounding whitespace and is never empty: the reader cleans free text
//!   with `clean_text`, which trims it and turns a blank cell into `None`;
//! - text has no `\r`: `clean_text` turns Windows line breaks into `\n`;
//! - a budget line has at least one filled cell: an all-blank row is no line;
//! - an indicator has its 一级 and 二级 and a 三级 name or a target: a row without either
//!   is no indicator, and a blank 一级/二级 cell means "same as the row above";
//! - only the columns the Shanghai layout writes are filled (content, scoring, weight …
//!   are for other provinces' layouts).

use jixiao::layout;
use jixiao::model::{
    framework, BudgetLine, Date, Declaration, FieldPath, Funds, Goals, HeaderField, Indicator,
    Money, MoneyUnit, Narrative, Project, ProjectField, ProjectHeader, StatedAmount, Target,
};
use jixiao::read::read_workbook;
use jixiao::write::{write_workbook, WriteOptions};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use rust_decimal::Decimal;

/// Characters people type into the form: CJK, ASCII letters and digits, punctuation of
/// both widths, inner spaces (and line breaks when `lines`).
fn text(max: usize, lines: bool) -> impl Strategy<Value = String> {
    let class = if lines {
        "[\u{4e00}-\u{9fa5}a-zA-Z0-9，。、；：（）()《》%≥≤=.\\-&<>\"'𠮷 \u{3000}\t\n]"
    } else {
        "[\u{4e00}-\u{9fa5}a-zA-Z0-9，。、；：（）()%≥.\\-&<>\"'𠮷 ]"
    };
    proptest::string::string_regex(&format!("{class}{{1,{max}}}"))
        .unwrap()
        .prop_map(|s| {
            // Normalization: surrounding whitespace is trimmed by `clean_text`.
            let t = s.trim();
            if t.is_empty() {
                "甲".to_string()
            } else {
                t.to_string()
            }
        })
}

fn opt_text(max: usize, lines: bool) -> impl Strategy<Value = Option<String>> {
    option::of(text(max, lines))
}

/// Money with two decimals, negatives (refunds typed by mistake) included.
fn money() -> impl Strategy<Value = Option<Money>> {
    option::of((-10_000_000i64..1_000_000_000_000).prop_map(Money::from_cents))
}

fn date() -> impl Strategy<Value = Option<Date>> {
    option::of(
        (1990i32..2100, 1u8..=12, 1u8..=31)
            .prop_map(|(y, m, d)| Date::new(y, m, d).or_else(|| Date::new(y, m, 28)).unwrap()),
    )
}

/// 指标值 as real forms write them, plus free text.
const TARGETS: &[&str] = &[
    "≥85.00(%)",
    "=100.00(%)",
    "≥1000.00(次)",
    "≤2.00(万)",
    ">=95%",
    "＞90(%)",
    "≤5(个工作日)",
    "完成",
    "优",
    "良",
    "有效",
    "及时",
    "达成",
    "2024年12月31日前",
    "2024年底前",
];

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        3 => select(TARGETS).prop_map(Target::parse),
        1 => text(20, false).prop_map(|t| Target::parse(&t)),
    ]
}

/// 一级/二级 from the framework mostly, so runs of equal values (merged cells) are common.
fn level(names: Vec<&'static str>) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(names).prop_map(str::to_string),
        1 => text(10, false),
    ]
}

fn indicator() -> impl Strategy<Value = Indicator> {
    (
        level(framework::level1_names().collect()),
        level(framework::level2_names()),
        opt_text(40, false),
        option::of(target()),
    )
        .prop_map(|(l1, l2, name, target)| {
            // Normalization: a row with neither name nor target is no indicator.
            let name = if name.is_none() && target.is_none() {
                Some("指标".to_string())
            } else {
                name
            };
            Indicator {
                level1: Some(l1),
                level2: Some(l2),
                name,
                target,
                ..Indicator::default()
            }
        })
}

fn budget_line() -> impl Strategy<Value = BudgetLine> {
    (
        opt_text(20, false),
        opt_text(30, false),
        money(),
        opt_text(20, false),
    )
        .prop_map(|(item, basis, amount, note)| {
            // Normalization: an all-blank row is no line.
            let item = if item.is_none() && basis.is_none() && amount.is_none() && note.is_none() {
                Some("其他".to_string())
            } else {
                item
            };
            BudgetLine {
                item,
                basis,
                amount,
                note,
            }
        })
}

fn header() -> impl Strategy<Value = ProjectHeader> {
    (
        opt_text(30, false),
        option::of(prop_oneof![
            select(layout::NATURES.to_vec()).prop_map(str::to_string),
            text(8, false)
        ]),
        option::of(prop_oneof![
            select(layout::CATEGORIES.to_vec()).prop_map(str::to_string),
            text(8, false)
        ]),
        opt_text(20, false),
        opt_text(20, false),
        date(),
        date(),
    )
        .prop_map(
            |(name, nature, category, department, implementer, start, end)| ProjectHeader {
                name,
                nature,
                category,
                department,
                implementer,
                start,
                end,
            },
        )
}

fn funds() -> impl Strategy<Value = Funds> {
    vec(money(), 7).prop_map(|m| Funds {
        total: m[0],
        fiscal: m[1],
        other: m[2],
        annual_total: m[3],
        annual_appropriation: m[4],
        annual_carryover: m[5],
        annual_other: m[6],
    })
}

fn narrative() -> impl Strategy<Value = Narrative> {
    vec(opt_text(120, true), 7).prop_map(|t| Narrative {
        overview: t[0].clone(),
        rationale: t[1].clone(),
        executing_body: t[2].clone(),
        plan: t[3].clone(),
        period: t[4].clone(),
        budget: t[5].clone(),
        goals: t[6].clone(),
    })
}

fn project() -> impl Strategy<Value = Project> {
    (
        header(),
        funds(),
        narrative(),
        vec(budget_line(), 0..=4),
        (opt_text(80, true), opt_text(80, true)),
        vec(indicator(), 1..=20),
    )
        .prop_map(
            |(header, funds, narrative, budget_lines, (overall, annual), indicators)| Project {
                header,
                funds,
                narrative,
                budget_lines,
                goals: Goals { overall, annual },
                indicators,
            },
        )
}

fn declaration() -> impl Strategy<Value = Declaration> {
    (
        opt_text(20, false),
        option::of(1990i32..2100),
        option::of((
            0i64..10_000_000_000,
            select(vec![MoneyUnit::Wan, MoneyUnit::Yuan]),
        )),
        option::of(0u32..200),
        opt_text(80, true),
        vec(project(), 0..=3),
    )
        .prop_map(
            |(unit, year, total, count, summary_text, projects)| Declaration {
                unit,
                year,
                stated_total: total.map(|(c, u)| StatedAmount::new(Decimal::new(c, 2), u)),
                stated_project_count: count,
                summary_text,
                projects,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Written as a finished workbook, or as the template would leave it (blank budget
    /// and indicator rows after the filled ones, as a person filling the template does).
    #[test]
    fn written_declarations_read_back_equal(decl in declaration(), template in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prop.xlsx");
        let options = WriteOptions { template, ..WriteOptions::default() };
        write_workbook(&decl, &path, &options).unwrap();
        let out = read_workbook(&path).unwrap();
        prop_assert!(out.findings.is_empty(), "{:#?}", out.findings);
        let back = out.declaration;
        prop_assert_eq!(back.projects.len(), decl.projects.len());
        for (b, d) in back.projects.iter().zip(&decl.projects) {
            prop_assert_eq!(&b.header, &d.header);
            prop_assert_eq!(&b.funds, &d.funds);
            prop_assert_eq!(&b.narrative, &d.narrative);
            prop_assert_eq!(&b.budget_lines, &d.budget_lines);
            prop_assert_eq!(&b.goals, &d.goals);
            prop_assert_eq!(&b.indicators, &d.indicators);
        }
        prop_assert_eq!(back, decl);
    }
}

/// Found by the property above: Excel's 31-character limit on sheet names counts UTF-16
/// units, so a name with characters outside the BMP (𠮷, common in personal and place
/// names) was cut too long and the workbook could not be written.
#[test]
fn long_project_name_with_characters_outside_the_bmp() {
    let name = "𠮷".repeat(40);
    let decl = Declaration {
        projects: vec![Project {
            header: ProjectHeader {
                name: Some(name.clone()),
                ..ProjectHeader::default()
            },
            indicators: vec![Indicator {
                level1: Some("产出指标".into()),
                level2: Some("数量指标".into()),
                name: Some("𠮷".into()),
                ..Indicator::default()
            }],
            ..Project::default()
        }],
        ..Declaration::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bmp.xlsx");
    write_workbook(&decl, &path, &WriteOptions::default()).unwrap();
    let out = read_workbook(&path).unwrap();
    assert_eq!(out.declaration, decl);
    let path = FieldPath::project(0, ProjectField::Header(HeaderField::Name));
    let sheet = &out.sources.get(&path).unwrap().cell.sheet;
    // "1." and fourteen 𠮷 (two units each): the most that fits.
    assert_eq!(sheet.encode_utf16().count(), 30, "{sheet}");
    assert!(sheet.starts_with("1.𠮷"));
}
