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

/// The cached results of the summary list, as a reader that does not recalculate sees them.
fn summary_list_cache(path: &std::path::Path) -> Vec<Vec<calamine::Data>> {
    use calamine::{open_workbook, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range("单位汇总").unwrap();
    (9..range.end().unwrap().0 + 1)
        .map(|r| {
            (1..5)
                .map(|c| range.get_value((r, c)).cloned().unwrap_or_default())
                .collect()
        })
        .collect()
}

#[test]
fn template_summary_caches_empty_names_not_zero() {
    // LibreOffice does not recalculate an xlsx on load by default: it shows these caches.
    use calamine::Data;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    jixiao::template::write_template(&path, 3, None, None).unwrap();
    let rows = summary_list_cache(&path);
    assert_eq!(rows.len(), 4, "{rows:?}");
    for row in &rows[..3] {
        assert!(
            matches!(&row[0], Data::Empty) || row[0] == Data::String(String::new()),
            "项目名称 caches {:?}",
            row[0]
        );
        assert_eq!(
            row[1..],
            [Data::Float(0.0), Data::Float(0.0), Data::Float(0.0)]
        );
    }
}
