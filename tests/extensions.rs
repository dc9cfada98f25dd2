//! An output's extension says what is written into it; the closing lines mention only
//! outputs that were asked for.

use std::path::Path;
use std::process::Command;

const SAMPLE: &str = "samples/songjiang-kcb-2024.xlsx";

fn jixiao(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Files in `dir`, hidden ones included (a left temporary file would show).
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_rollup_csv_named_xlsx_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("汇总.xlsx");
    let (code, err) = jixiao(&["rollup", SAMPLE, "-o", s(&out)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("扩展名 .xlsx 与内容不符：这里写出的是 CSV 文本，可用的扩展名：.csv"),
        "{err}"
    );
    assert!(err.contains("汇总.xlsx"), "{err}");
    assert!(files(dir.path()).is_empty());
    // The other CSV outputs likewise, and a summary workbook named .csv.
    for args in [
        vec!["--indicators", "指标.txt"],
        vec!["--findings", "问题"],
        vec!["--xlsx", "x.csv"],
    ] {
        let csv = dir.path().join("汇总.csv");
        let named = dir.path().join(args[1]);
        let (code, err) = jixiao(&["rollup", SAMPLE, "-o", s(&csv), args[0], s(&named)]);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("可用的扩展名"), "{err}");
        assert!(files(dir.path()).is_empty(), "{args:?}");
    }
    let (code, err) = jixiao(&[
        "rollup",
        SAMPLE,
        "-o",
        s(&dir.path().join("a.csv")),
        "--xlsx",
        s(&dir.path().join("x.csv")),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("这里写出的是 Excel 工作簿，可用的扩展名：.xlsx"),
        "{err}"
    );
}

#[test]
fn fix_template_and_build_write_only_xlsx_names_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = jixiao(&["fix", SAMPLE, "-o", s(&dir.path().join("out.csv"))]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("out.csv"), "{err}");
    assert!(err.contains("可用的扩展名：.xlsx"), "{err}");
    let (code, err) = jixiao(&[
        "fix",
        SAMPLE,
        "-o",
        s(&dir.path().join("ok.xlsx")),
        "--csv",
        s(&dir.path().join("p.xlsx")),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("可用的扩展名：.csv"), "{err}");
    let (code, err) = jixiao(&["template", "-o", s(&dir.path().join("t.xls"))]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("扩展名 .xls 与内容不符"), "{err}");
    let (code, err) = jixiao(&[
        "build",
        "samples/songjiang-kcb-2024.json",
        "-o",
        s(&dir.path().join("无扩展名")),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("文件名没有扩展名"), "{err}");
    assert!(files(dir.path()).is_empty());

    // Upper case is the same extension.
    let upper = dir.path().join("OUT.XLSX");
    let (code, err) = jixiao(&[
        "fix",
        SAMPLE,
        "-o",
        s(&upper),
        "--csv",
        s(&dir.path().join("P.CSV")),
    ]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(files(dir.path()), ["OUT.XLSX", "P.CSV"]);
}

#[test]
fn the_summary_workbook_is_mentioned_only_when_written() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("区");
    std::fs::create_dir(&folder).unwrap();
    // One unit in two files: the closing lines ask to check for a double submission.
    std::fs::copy(SAMPLE, folder.join("a.xlsx")).unwrap();
    std::fs::copy(SAMPLE, folder.join("b.xlsx")).unwrap();
    let csv = dir.path().join("p.csv");
    let (code, err) = jixiao(&["rollup", s(&folder), "-o", s(&csv)]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("其中 1 个单位出现在不止一个文件中，请确认没有重复报送。"),
        "{err}"
    );
    assert!(!err.contains("汇总工作簿"), "{err}");
    let xlsx = dir.path().join("s.xlsx");
    let (code, err) = jixiao(&[
        "rollup",
        s(&folder),
        "-o",
        s(&csv),
        "--xlsx",
        s(&xlsx),
        "--force",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("请确认没有重复报送（见汇总工作簿「按单位」的文件数）。"),
        "{err}"
    );
}
