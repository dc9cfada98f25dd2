//! The fuzz targets' properties (`jixiao::fuzzing`), run two ways in the normal suite:
//! every input a fuzzer ever crashed on (kept under `tests/fuzz_regressions/<target>/`, see
//! the README there), and short property tests, a few hundred cases each, cheap enough for CI.
//! The long runs are `cargo +nightly fuzz run <target>` (README, "模糊测试 / Fuzzing").

mod common;

use std::path::Path;

use proptest::prelude::*;

fn kept_inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new("tests/fuzz_regressions").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| {
                    e.path().is_file()
                        && e.file_name() != "README.md"
                        && e.file_name() != ".gitkeep"
                })
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// libfuzzer's `&str` input: the bytes when they are UTF-8 (otherwise the target is not run).
fn as_str(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

#[test]
fn kept_money_text_inputs() {
    for (name, bytes) in kept_inputs("money_text") {
        if let Some(s) = as_str(&bytes) {
            eprintln!("{name}");
            jixiao::fuzzing::money_text(s);
        }
    }
}

#[test]
fn kept_date_text_inputs() {
    for (name, bytes) in kept_inputs("date_text") {
        // `(&str, f64)` from arbitrary: the string, then the last 8 bytes as the f64.
        let (s, x) = split_str_f64(&bytes);
        eprintln!("{name}");
        jixiao::fuzzing::date_text(&s, x);
    }
}

fn split_str_f64(bytes: &[u8]) -> (String, f64) {
    let n = bytes.len().saturating_sub(8);
    let mut f = [0u8; 8];
    f[..bytes.len() - n].copy_from_slice(&bytes[n..]);
    (
        String::from_utf8_lossy(&bytes[..n]).into_owned(),
        f64::from_le_bytes(f),
    )
}

#[test]
fn kept_target_value_inputs() {
    for (name, bytes) in kept_inputs("target_value") {
        if let Some(s) = as_str(&bytes) {
            eprintln!("{name}");
            jixiao::fuzzing::target_value(s);
        }
    }
}

#[test]
fn kept_basis_inputs() {
    for (name, bytes) in kept_inputs("basis") {
        if let Some(s) = as_str(&bytes) {
            eprintln!("{name}");
            jixiao::fuzzing::basis(s);
        }
    }
}

#[test]
fn kept_workbook_inputs() {
    for (name, bytes) in kept_inputs("workbook") {
        eprintln!("{name}");
        jixiao::fuzzing::workbook(&bytes);
    }
}

#[test]
fn kept_xlsx_sheet_inputs() {
    // The target puts its input as project 1's sheet of the sample, zipped anew.
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in kept_inputs("xlsx_sheet") {
        eprintln!("{name}");
        let mut parts = common::read_parts(common::SAMPLE);
        parts.iter_mut().find(|(n, _)| n == common::P1).unwrap().1 = bytes;
        let path = dir.path().join("x.xlsx");
        common::write_parts(&path, &parts);
        jixiao::fuzzing::workbook(&std::fs::read(&path).unwrap());
    }
}

/// Text in the alphabet of amounts, dates, 指标值 and 计算依据, so that short runs reach
/// the parsers' deeper states, not only their first rejection.
const FORM_TEXT: &str = "[0-9０-９,，.． ()（）￥¥元万亿整正零〇壹贰叁肆伍陆柒捌玖拾佰仟角分一二三四五六七八九十百千两负人民币RMB年月日号前底内以上下之达到不超过≥≤＞＜>=<%％×xX*＊/÷+＋\\-−:T次个人天平方米]{0,40}";

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn money_text_property(s in FORM_TEXT) {
        jixiao::fuzzing::money_text(&s);
    }

    #[test]
    fn money_text_any_text(s in any::<String>()) {
        jixiao::fuzzing::money_text(&s);
    }

    #[test]
    fn date_text_property(s in FORM_TEXT, x in any::<f64>()) {
        jixiao::fuzzing::date_text(&s, x);
    }

    #[test]
    fn date_serials_in_range(x in -10.0f64..3_000_000.0) {
        jixiao::fuzzing::date_text("", x);
    }

    #[test]
    fn target_value_property(s in FORM_TEXT) {
        jixiao::fuzzing::target_value(&s);
    }

    #[test]
    fn target_value_any_text(s in any::<String>()) {
        jixiao::fuzzing::target_value(&s);
    }

    #[test]
    fn basis_property(s in FORM_TEXT) {
        jixiao::fuzzing::basis(&s);
    }

    #[test]
    fn basis_any_text(s in any::<String>()) {
        jixiao::fuzzing::basis(&s);
    }
}

proptest! {
    // Each case reads a whole workbook: fewer cases.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The LibreOffice .xls fixture with bytes overwritten: .xls has no checksums, so
    /// damage reaches calamine's BIFF parser and the pre-scan.
    #[test]
    fn damaged_xls(edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..40)) {
        let mut bytes = std::fs::read("tests/fixtures/songjiang-kcb-2024.xls").unwrap();
        let n = bytes.len();
        for (i, b) in edits {
            bytes[i.index(n)] = b;
        }
        jixiao::fuzzing::workbook(&bytes);
    }

    /// The same for the ods fixture, cut short at a random point.
    #[test]
    fn truncated_ods(cut in any::<prop::sample::Index>()) {
        let bytes = std::fs::read("tests/fixtures/songjiang-kcb-2024.ods").unwrap();
        let n = cut.index(bytes.len());
        jixiao::fuzzing::workbook(&bytes[..n]);
    }
}
