//! `fix` on a workbook a user got wrong: derived figures recomputed, text numbers and
//! dates made real, the unreadable kept and reported, the input untouched.

use std::path::Path;

use jixiao::model::{
    CoverField, Declaration, FieldPath, FundField, HeaderField, Money, ProjectField,
};
use jixiao::read::read_workbook;
use jixiao::validate::validate;
use jixiao::write::{write_workbook, WriteOptions};

fn sample() -> Declaration {
    serde_json::from_str(&std::fs::read_to_string("samples/songjiang-kcb-2024.json").unwrap())
        .unwrap()
}

/// The sample with the mistakes people make, written as a workbook.
fn broken_workbook(dir: &Path) -> std::path::PathBuf {
    let mut d = sample();
    d.stated_project_count = Some(11);
    d.stated_total = Some(jixiao::model::StatedAmount::new(
        "1800.00".parse().unwrap(),
        jixiao::model::MoneyUnit::Wan,
    ));
    // Project 2: total typed wrong (fiscal 200,000 + other 0).
    d.projects[1].funds.total = Some(Money::from_cents(25_000_000));
    // Project 3: annual total left out.
    d.projects[2].funds.annual_total = None;
    let mut opts = WriteOptions::default();
    // Project 4: fiscal typed as text; start date typed as text.
    d.projects[3].funds.fiscal = None;
    opts.keep_text.insert(
        FieldPath::project(3, ProjectField::Fund(FundField::Fiscal)),
        "1,500,000.00".into(),
    );
    d.projects[3].header.start = None;
    opts.keep_text.insert(
        FieldPath::project(3, ProjectField::Header(HeaderField::Start)),
        "2024年1月1日".into(),
    );
    // Project 9: an amount nobody can read.
    d.projects[8].budget_lines[1].amount = None;
    opts.keep_text.insert(
        FieldPath::project(
            8,
            ProjectField::BudgetLine {
                line: 1,
                column: jixiao::model::BudgetColumn::Amount,
            },
        ),
        "待定".into(),
    );
    let path = dir.join("broken.xlsx");
    write_workbook(&d, &path, &opts).unwrap();
    path
}

#[test]
fn fix_recomputes_derived_figures_and_reports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let input = broken_workbook(dir.path());
    let before = std::fs::read(&input).unwrap();
    let output = dir.path().join("fixed.xlsx");
    let report = jixiao::fix::fix_file(&input, &output, false).unwrap();
    assert_eq!(std::fs::read(&input).unwrap(), before, "input untouched");

    let changed: Vec<(FieldPath, &str, &str)> = report
        .changes
        .iter()
        .map(|c| (c.path, c.before.as_str(), c.after.as_str()))
        .collect();
    let f = |p: usize, k: FundField| FieldPath::project(p, ProjectField::Fund(k));
    assert!(changed.contains(&(f(1, FundField::Total), "250,000.00", "200,000.00")));
    assert!(changed.contains(&(f(2, FundField::AnnualTotal), "（空）", "900,000.00")));
    assert!(changed.contains(&(
        f(3, FundField::Fiscal),
        "「1,500,000.00」（文本）",
        "1,500,000.00"
    )));
    assert!(changed.contains(&(
        FieldPath::project(3, ProjectField::Header(HeaderField::Start)),
        "「2024年1月1日」（文本）",
        "2024-01-01"
    )));
    assert!(changed.contains(&(FieldPath::Cover(CoverField::StatedCount), "11", "10")));
    // The cover total follows the projects once project 2 is corrected: 1,743.86万 minus
    // the unreadable 5万 line does not matter (cover sums project totals).
    assert!(changed.contains(&(
        FieldPath::Cover(CoverField::StatedTotal),
        "1,800.00万元",
        "1,743.86万元"
    )));

    // The corrected workbook reads back as the corrected model.
    let back = read_workbook(&output).unwrap();
    assert_eq!(back.declaration, report.declaration);
    // The unreadable amount is kept as the user wrote it, and still reported.
    let line = FieldPath::project(
        8,
        ProjectField::BudgetLine {
            line: 1,
            column: jixiao::model::BudgetColumn::Amount,
        },
    );
    assert_eq!(
        back.sources.get(&line).unwrap().raw.as_deref(),
        Some("待定")
    );
    assert!(back.findings.iter().any(|f| f.code == "R001"));
    // No text numbers or dates remain.
    assert!(!back
        .findings
        .iter()
        .any(|f| f.code == "R005" || f.code == "R006"));
    // check on the corrected workbook: no arithmetic error fix could have corrected.
    let findings = validate(&back.declaration, &back.sources);
    for code in ["F001", "F002", "F006", "C001", "C002"] {
        assert!(
            !findings.iter().any(|f| f.code == code),
            "{code} remains: {findings:#?}"
        );
    }
    // What fix cannot decide stays reported: project 1's lines still fall short.
    assert!(findings
        .iter()
        .any(|f| f.code == "B001" && f.location.project == Some(0)));
}

#[test]
fn fix_refuses_to_write_over_its_input_or_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = broken_workbook(dir.path());
    let err = jixiao::fix::fix_file(&input, &input, true).unwrap_err();
    assert!(err.to_string().contains("与输入文件相同"), "{err}");
    let out = dir.path().join("out.xlsx");
    std::fs::write(&out, b"keep me").unwrap();
    let err = jixiao::fix::fix_file(&input, &out, false).unwrap_err();
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
}

#[test]
fn fix_writes_a_findings_sheet_linking_to_cells() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("fixed.xlsx");
    jixiao::fix::fix_file(Path::new("samples/songjiang-kcb-2024.xlsx"), &output, false).unwrap();
    use calamine::{open_workbook_auto, Data, Reader};
    let mut wb = open_workbook_auto(&output).unwrap();
    let range = wb.worksheet_range("校验结果").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows[0][..4], ["序号", "类别", "代码", "位置"]);
    // The seed's four errors and four warnings, nothing changed.
    assert_eq!(rows.len(), 9, "{rows:#?}");
    assert!(rows
        .iter()
        .any(|r| r[2] == "B002" && r[3] == "6.展示馆物业管理、能源费、水电费!E15"));
}

#[test]
fn fix_carries_the_users_own_sheets_along() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("with-notes.xlsx");
    let (mut wb, _) =
        jixiao::write::build_workbook(&sample(), &WriteOptions::default(), "x").unwrap();
    let mut notes = rust_xlsxwriter::Worksheet::new();
    notes.set_name("测算底稿").unwrap();
    notes.write_string(0, 0, "物业费测算").unwrap();
    notes.write_number(1, 0, 282048.0).unwrap();
    notes.write_string(1, 1, "1469×16×12").unwrap();
    wb.push_worksheet(notes);
    wb.save(&input).unwrap();
    let output = dir.path().join("fixed.xlsx");
    jixiao::fix::fix_file(&input, &output, false).unwrap();
    use calamine::{open_workbook_auto, Data, Reader};
    let mut out = open_workbook_auto(&output).unwrap();
    assert!(out.sheet_names().contains(&"测算底稿".to_string()));
    let r = out.worksheet_range("测算底稿").unwrap();
    assert_eq!(
        r.get_value((0, 0)),
        Some(&Data::String("物业费测算".into()))
    );
    assert_eq!(r.get_value((1, 0)), Some(&Data::Float(282048.0)));
    assert_eq!(
        r.get_value((1, 1)),
        Some(&Data::String("1469×16×12".into()))
    );
    // Still exactly one summary, ten forms, one list and one findings sheet besides it.
    assert_eq!(out.sheet_names().len(), 1 + 10 + 1 + 1 + 1);
}
