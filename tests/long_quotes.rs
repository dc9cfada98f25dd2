//! Issue 12 item 3: a finding quotes a long cell text by its start, so one legal file with a
//! 20,000-character money cell is reported briefly and fix and rollup still write it.

mod common;

use std::path::Path;

use common::{jixiao, SAMPLE};
use jixiao::model::{FieldPath, FundField, ProjectField};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_20000_character_money_cell_is_quoted_short_and_every_output_is_written() {
    let d = tempfile::tempdir().unwrap();
    let read = jixiao::read::read_workbook(SAMPLE).unwrap();
    let total = read
        .sources
        .cell(&FieldPath::project(0, ProjectField::Fund(FundField::Total)))
        .unwrap()
        .clone();
    let long_text = "待定".repeat(10_000); // 20,000 characters, not an amount
    let file = common::sample_with_cells(
        d.path(),
        "long.xlsx",
        &[(&total.a1(), common::text_cell(&total.a1(), &long_text))],
    );

    let got = jixiao::read::read_workbook(&file).unwrap();
    let f = got
        .findings
        .iter()
        .find(|f| f.code == "R001" && f.location.cell.as_deref() == Some(&*total.a1()))
        .expect("R001 at the total cell");
    // The first 100 characters and "…" (the message and the parse reason each quote it);
    // the whole text stays in 实为.
    let quoted = format!("{}…", "待定".repeat(50));
    assert!(
        f.message.contains(&format!("「{quoted}」")),
        "{}",
        f.message
    );
    assert_eq!(f.message.matches("待定").count(), 100, "two short quotes");
    assert!(f.message.chars().count() < 300, "{}", f.message);
    assert!(f.message_en.chars().count() < 300, "{}", f.message_en);
    assert_eq!(f.actual.as_deref(), Some(&*long_text));

    let o = jixiao(&["check", s(&file)]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(o.out.contains(&quoted), "{}", o.out);
    assert!(!o.out.contains(&"待定".repeat(51)), "no full quote printed");

    let fixed = d.path().join("fixed.xlsx");
    let o = jixiao(&["fix", s(&file), "-o", s(&fixed)]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        jixiao::read::read_workbook(&fixed)
            .unwrap()
            .declaration
            .projects
            .len(),
        10
    );

    let out = d.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let book = out.join("s.xlsx");
    let o = jixiao(&[
        "rollup",
        s(&file),
        SAMPLE,
        "-o",
        s(&out.join("p.csv")),
        "--xlsx",
        s(&book),
    ]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(book.is_file() && out.join("p.csv").is_file(), "{o:?}");
    let xml: String = common::read_parts(&book)
        .into_iter()
        .filter(|(n, _)| n.starts_with("xl/"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert!(
        xml.contains(&quoted),
        "the finding is in the summary workbook"
    );
}
