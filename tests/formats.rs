//! The sample workbook as LibreOffice saves it (.xls, .ods, and .xlsx re-saved) reads as
//! the same declaration as the sample JSON, with no findings. calamine gives LibreOffice's
//! .xls whole numbers as `Int` and .ods dates as ISO text, so these exercise those paths.
//! See tests/fixtures/README.md for how the fixtures were made.

use jixiao::model::Declaration;
use jixiao::read::read_workbook;

fn sample() -> Declaration {
    let text = std::fs::read_to_string("samples/songjiang-kcb-2024.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

fn reads_as_sample(path: &str) {
    let out = read_workbook(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let want = sample();
    assert_eq!(
        out.declaration.projects.len(),
        want.projects.len(),
        "{path}"
    );
    for (a, b) in want.projects.iter().zip(&out.declaration.projects) {
        assert_eq!(a, b, "{path}: project {:?}", a.header.name);
    }
    assert_eq!(out.declaration, want, "{path}");
    assert!(out.findings.is_empty(), "{path}: {:#?}", out.findings);
}

#[test]
fn libreoffice_xls_reads_as_the_sample_json() {
    reads_as_sample("tests/fixtures/songjiang-kcb-2024.xls");
}

#[test]
fn libreoffice_ods_reads_as_the_sample_json() {
    reads_as_sample("tests/fixtures/songjiang-kcb-2024.ods");
}

#[test]
fn libreoffice_resaved_xlsx_reads_as_the_sample_json() {
    reads_as_sample("tests/fixtures/songjiang-kcb-2024.lo.xlsx");
}

#[test]
fn ods_date_cells_with_a_time_of_day_read_as_their_day() {
    // calamine gives an .ods date cell as ISO text; LibreOffice writes a date that carries a
    // time (a serial such as 45292.5 formatted yyyy-mm-dd) as `2024-01-01T12:00:00`, and the
    // reader passes that text to parse_date_text.
    let day = jixiao::model::Date::new(2024, 1, 1).unwrap();
    for raw in ["2024-01-01", "2024-01-01T12:00:00", "2024-01-01T00:00:00"] {
        assert_eq!(jixiao::values::parse_date_text(raw), Ok(day), "{raw}");
    }
}
