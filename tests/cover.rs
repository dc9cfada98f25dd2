//! A cover that states its figures only in the published sentence still checks.

use jixiao::model::Declaration;

#[test]
fn cover_sentence_supplies_the_stated_figures() {
    let mut d: Declaration =
        serde_json::from_str(&std::fs::read_to_string("samples/songjiang-kcb-2024.json").unwrap())
            .unwrap();
    let sentence = d.summary_text.clone().unwrap();
    assert!(sentence.contains("编报绩效目标的项目10个，涉及项目预算资金1,743.86万元"));
    d.stated_total = None;
    d.stated_project_count = None;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cover.xlsx");
    jixiao::write::write_workbook(&d, &path, &Default::default()).unwrap();
    let out = jixiao::read::read_workbook(&path).unwrap();
    assert_eq!(out.declaration.stated_project_count, Some(10));
    assert_eq!(
        out.declaration.stated_total.map(|s| s.display()).as_deref(),
        Some("1,743.86万元")
    );
    let findings = jixiao::validate::validate(&out.declaration, &out.sources);
    assert!(
        !findings.iter().any(|f| f.code.starts_with('C')),
        "{findings:#?}"
    );

    // A sentence that disagrees is caught, and the finding points at the sentence's cell.
    d.summary_text = Some(sentence.replace("1,743.86万元", "1,843.86万元"));
    let path2 = dir.path().join("cover2.xlsx");
    jixiao::write::write_workbook(&d, &path2, &Default::default()).unwrap();
    let out = jixiao::read::read_workbook(&path2).unwrap();
    let findings = jixiao::validate::validate(&out.declaration, &out.sources);
    let c001 = findings.iter().find(|f| f.code == "C001").expect("C001");
    assert_eq!(c001.location.sheet.as_deref(), Some("单位汇总"));
    assert_eq!(c001.location.cell.as_deref(), Some("B7"));
    assert!(c001.message.contains("1,843.86万元"), "{}", c001.message);
}
