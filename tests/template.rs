//! The committed template is what `jixiao template` writes today.

use std::collections::BTreeMap;
use std::io::Read;

fn parts(path: &std::path::Path) -> BTreeMap<String, String> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        out.insert(f.name().unwrap().to_string(), s);
    }
    out
}

#[test]
fn committed_template_equals_what_the_command_writes() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("t.xlsx");
    let code = jixiao::cli::template(&fresh, 3, None, None, false).unwrap();
    assert_eq!(code, 0);
    let committed = parts(std::path::Path::new("templates/jixiao-template.xlsx"));
    let now = parts(&fresh);
    assert_eq!(
        committed.keys().collect::<Vec<_>>(),
        now.keys().collect::<Vec<_>>()
    );
    for (name, text) in &committed {
        assert_eq!(
            text, &now[name],
            "{name} differs: regenerate with `cargo run -- template -o templates/jixiao-template.xlsx --force`"
        );
    }
    // The parts that carry the promises: dropdowns, formulas with cached results, protection.
    let sheet2 = &now["xl/worksheets/sheet2.xml"];
    assert!(sheet2.contains("<dataValidation"), "dropdowns on the form");
    assert!(sheet2.contains("<f>SUM("), "budget total is a formula");
    assert!(sheet2.contains("<sheetProtection"), "labels locked");
    assert!(sheet2.contains("paperSize=\"9\""), "A4");
    let summary = &now["xl/worksheets/sheet1.xml"];
    assert!(summary.contains("<f>IF('项目1'!$B$"), "{summary}");
}

#[test]
fn committed_sample_workbook_equals_what_build_writes() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("s.xlsx");
    jixiao::cli::build(
        std::path::Path::new("samples/songjiang-kcb-2024.json"),
        &fresh,
        false,
    )
    .unwrap();
    let committed = parts(std::path::Path::new("samples/songjiang-kcb-2024.xlsx"));
    let now = parts(&fresh);
    for (name, text) in &committed {
        assert_eq!(
            text, &now[name],
            "{name} differs: regenerate with `cargo run -- build samples/songjiang-kcb-2024.json -o samples/songjiang-kcb-2024.xlsx --force`"
        );
    }
    assert_eq!(committed.len(), now.len());
}
