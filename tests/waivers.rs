//! `--waive FILE`: accepted findings listed as 已豁免 with their reason, left out of the
//! exit code; stale waivers reported; a bad waiver file named with its line, exit 2.

use std::path::{Path, PathBuf};
use std::process::Command;

const SAMPLE: &str = "samples/songjiang-kcb-2024.xlsx";

fn jixiao(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The sample's four errors and its I013, each accepted; and one waiver for nothing.
const ALL_ERRORS: &str = "文件,工作表,单元格,代码,理由
*.xlsx,1.G60日常办公经费,E15:E27,B001,第13行据实结算
,6.展示馆物业管理、能源费、水电费,E15:E16,B001,合同总价
,6.展示馆物业管理、能源费、水电费,E15,B002,按合同金额
,6.展示馆物业管理、能源费、水电费,$E$16,B002,按合同金额
songjiang-*.xlsx,7.展示馆运维费,G37,I013,已与主管部门确认
其他单位.xlsx,7.展示馆运维费,G34,I010,旧条目
";

#[test]
fn waived_findings_are_listed_apart_and_do_not_fail_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(ALL_ERRORS.as_bytes());
    let w = write(dir.path(), "豁免.csv", &bom);
    let (code, out, _) = jixiao(&["check", SAMPLE, "--waive", w.to_str().unwrap()]);
    // All four errors waived: exit 0, the warnings remain.
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("    已豁免（错误） B002 6.展示馆物业管理、能源费、水电费!E16 项目「展示馆物业管理、能源费、水电费」年度预算安排第 2 行"), "{out}");
    assert!(out.contains("（豁免理由：已与主管部门确认）"), "{out}");
    assert!(
        out.contains("共检查 1 个文件、10 个项目：错误 0 条，警告 3 条；另有已豁免 5 条。\n"),
        "{out}"
    );
    // The waiver for another file's finding matched nothing: reported as stale.
    assert!(
        out.ends_with("豁免清单第 7 行（其他单位.xlsx I010 7.展示馆运维费!G34）未匹配任何问题，可能已过时，请删去或更新。\n"),
        "{out}"
    );
    let (code, out, _) = jixiao(&[
        "check",
        SAMPLE,
        "--lang",
        "en",
        "--waive",
        w.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Checked 1 file, 10 projects: 0 errors, 3 warnings; 5 waived.\n"),
        "{out}"
    );
    assert!(out.ends_with("Waiver line 7 (其他单位.xlsx I010 7.展示馆运维费!G34) matched no finding; it may be stale: remove or update it.\n"), "{out}");
    // Without the waivers the same check fails, as before.
    let (code, _, _) = jixiao(&["check", SAMPLE]);
    assert_eq!(code, 1);
}

#[test]
fn json_marks_waived_findings_only() {
    let dir = tempfile::tempdir().unwrap();
    // GB18030, as Excel saves a CSV on Chinese Windows.
    let (gb, _, bad) = encoding_rs::GB18030
        .encode("工作表,单元格,代码,理由\r\n7.展示馆运维费,G37,I013,已与主管部门确认\r\n");
    assert!(!bad);
    let w = write(dir.path(), "豁免-gb.csv", &gb);
    let (code, out, _) = jixiao(&[
        "check",
        SAMPLE,
        "--format",
        "json",
        "--waive",
        w.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = v["files"][0]["findings"].as_array().unwrap();
    let waived: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f.get("waived").is_some())
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["code"], "I013");
    assert_eq!(waived[0]["waived"], "已与主管部门确认");
    assert_eq!(v["summary"]["warnings"], 3);
    assert_eq!(v["summary"]["waived"], 1);
    assert_eq!(v["stale_waivers"].as_array().unwrap().len(), 0);
    // Without --waive the JSON has no waived keys at all.
    let (_, out, _) = jixiao(&["check", SAMPLE, "--format", "json"]);
    assert!(!out.contains("waived"), "{out}");
}

#[test]
fn a_bad_waiver_file_is_named_with_its_line_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let no_reason = write(
        dir.path(),
        "缺列.csv",
        "工作表,单元格,代码\n7.展示馆运维费,G37,I013\n".as_bytes(),
    );
    let (code, out, err) = jixiao(&["check", SAMPLE, "--waive", no_reason.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("缺列.csv 第 1 行缺少列「理由」"), "{err}");
    let bad_code = write(
        dir.path(),
        "坏代码.csv",
        "工作表,单元格,代码,理由\n7.展示馆运维费,G37,I013,可以\n7.展示馆运维费,G34,宣传,不行\n"
            .as_bytes(),
    );
    let (code, _, err) = jixiao(&["check", SAMPLE, "--waive", bad_code.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("坏代码.csv 第 3 行：代码「宣传」不是问题代码（如 I013）"),
        "{err}"
    );
    let no_why = write(
        dir.path(),
        "无理由.csv",
        "工作表,单元格,代码,理由\n7.展示馆运维费,G37,I013,\n".as_bytes(),
    );
    let (code, _, err) = jixiao(&["check", SAMPLE, "--waive", no_why.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("无理由.csv 第 2 行：未写豁免理由"), "{err}");
    let (code, _, err) = jixiao(&["check", SAMPLE, "--waive", "不存在.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("豁免清单 不存在.csv 无法打开"), "{err}");
    // Not text in either encoding.
    let binary = write(dir.path(), "乱码.csv", &[0x81, 0x20, 0xFF, 0xFE, 0x00]);
    let (code, _, err) = jixiao(&["check", SAMPLE, "--waive", binary.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("乱码.csv 既不是 UTF-8 也不是 GB18030"),
        "{err}"
    );
}

#[test]
fn fix_lists_waived_findings_in_the_report_sheet() {
    use calamine::{open_workbook_auto, Reader};
    let dir = tempfile::tempdir().unwrap();
    let w = write(
        dir.path(),
        "豁免.csv",
        "工作表,单元格,代码,理由\n7.展示馆运维费,G37,I013,已与主管部门确认\n".as_bytes(),
    );
    let out = dir.path().join("fixed.xlsx");
    let (code, _, err) = jixiao(&[
        "fix",
        SAMPLE,
        "-o",
        out.to_str().unwrap(),
        "--waive",
        w.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("仍有错误 4 条、警告 3 条、已豁免 1 条"),
        "{err}"
    );
    let mut wb = open_workbook_auto(&out).unwrap();
    let sheet = wb.worksheet_range("校验结果").unwrap();
    let waived: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
        .filter(|r| r.get(1).is_some_and(|k| k == "已豁免"))
        .collect();
    assert_eq!(waived.len(), 1, "{waived:?}");
    assert_eq!(waived[0][2], "I013");
    assert!(
        waived[0][5].ends_with("（警告；豁免理由：已与主管部门确认）"),
        "{:?}",
        waived[0]
    );
}

#[test]
fn rollup_lists_waived_findings_apart() {
    use calamine::{open_workbook_auto, Reader};
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("区");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(SAMPLE, folder.join("松江.xlsx")).unwrap();
    let w = write(
        dir.path(),
        "豁免.csv",
        "文件,工作表,单元格,代码,理由\n松江.xlsx,7.展示馆运维费,G37,I013,已与主管部门确认\n,项目9,A1,I001,旧条目\n"
            .as_bytes(),
    );
    let (csv, findings, xlsx) = (
        dir.path().join("p.csv"),
        dir.path().join("f.csv"),
        dir.path().join("s.xlsx"),
    );
    let (code, _, err) = jixiao(&[
        "rollup",
        folder.to_str().unwrap(),
        "-o",
        csv.to_str().unwrap(),
        "--findings",
        findings.to_str().unwrap(),
        "--xlsx",
        xlsx.to_str().unwrap(),
        "--waive",
        w.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("错误 4 条（涉及 1 个文件），警告 3 条。"),
        "{err}"
    );
    assert!(err.contains("另有已豁免 1 条，未计入错误与警告。"), "{err}");
    assert!(
        err.contains("豁免清单第 3 行（I001 项目9!A1）未匹配任何问题"),
        "{err}"
    );
    let text = std::fs::read_to_string(&findings).unwrap();
    let waived: Vec<&str> = text.lines().filter(|l| l.contains("已豁免")).collect();
    assert_eq!(waived.len(), 1, "{text}");
    assert!(
        waived[0].contains(",G37,I013,已豁免（警告）,"),
        "{}",
        waived[0]
    );
    assert!(
        waived[0].contains("（豁免理由：已与主管部门确认）"),
        "{}",
        waived[0]
    );
    // The summary workbook lists it apart: on 已豁免 with its reason, not in 问题清单,
    // and 概览 counts it on its own line.
    let mut wb = open_workbook_auto(&xlsx).unwrap();
    let rows = |wb: &mut calamine::Sheets<_>, name: &str| -> Vec<Vec<String>> {
        wb.worksheet_range(name)
            .unwrap()
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    let open = rows(&mut wb, "问题清单");
    assert_eq!(open.len(), 1 + 4 + 3, "{open:?}");
    assert!(!open.iter().any(|r| r[6] == "I013"), "{open:?}");
    let waived = rows(&mut wb, "已豁免");
    assert_eq!(waived[0][9], "豁免理由");
    assert!(waived[1][1].ends_with("松江.xlsx"), "{:?}", waived[1]);
    assert_eq!(waived[1][5], "7.展示馆运维费!G37");
    assert_eq!(waived[1][6], "I013");
    assert_eq!(waived[1][7], "已豁免（警告）");
    assert_eq!(waived[1][9], "已与主管部门确认");
    // Then the stale waiver, so it is seen in the workbook too.
    assert!(
        waived[3..]
            .iter()
            .flatten()
            .any(|c| c.contains("豁免清单第 3 行（I001 项目9!A1）")),
        "{waived:?}"
    );
    let overview = rows(&mut wb, "概览");
    let count = |label: &str| {
        overview
            .iter()
            .find(|r| r[0] == label)
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("{label}: {overview:?}"))
    };
    assert_eq!(count("错误"), "4");
    assert_eq!(count("警告"), "3");
    assert_eq!(count("已豁免（未计入错误与警告）"), "1");
    assert_eq!(count("未匹配任何问题的豁免"), "1");
}
