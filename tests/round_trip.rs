//! workbook → model → workbook → model is equal: for the sample and for generated models.

use jixiao::model::Declaration;
use jixiao::read::read_workbook;
use jixiao::write::{write_workbook, WriteOptions};

fn sample() -> Declaration {
    let text = std::fs::read_to_string("samples/songjiang-kcb-2024.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

fn build_and_read(decl: &Declaration) -> Declaration {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rt.xlsx");
    write_workbook(decl, &path, &WriteOptions::default()).unwrap();
    read_workbook(&path).unwrap().declaration
}

#[test]
fn sample_json_round_trips_through_a_workbook() {
    let decl = sample();
    let back = build_and_read(&decl);
    assert_eq!(back.projects.len(), 10);
    assert_eq!(back.projects_total().unwrap().wan_string(), "1,743.86万元");
    for (a, b) in decl.projects.iter().zip(&back.projects) {
        assert_eq!(a, b, "project {:?}", a.header.name);
    }
    assert_eq!(back, decl);
}

#[test]
fn committed_sample_workbook_reads_as_the_sample_json() {
    let out = read_workbook("samples/songjiang-kcb-2024.xlsx").unwrap();
    assert_eq!(out.declaration, sample());
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
}

#[test]
fn dump_of_build_is_stable_twice() {
    let once = build_and_read(&sample());
    let twice = build_and_read(&once);
    assert_eq!(once, twice);
}
