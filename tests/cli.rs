//! The binary as a user meets it: exit codes, Chinese and English text, JSON.

use std::process::Command;

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

const SAMPLE: &str = "samples/songjiang-kcb-2024.xlsx";

#[test]
fn check_sample_exits_1_with_the_seed_findings_in_chinese() {
    let (code, out, _) = jixiao(&["check", SAMPLE]);
    assert_eq!(code, 1);
    assert!(
        out.contains("项目 6「展示馆物业管理、能源费、水电费」"),
        "{out}"
    );
    assert!(
        out.contains("计得 660,336.00 元，而金额为 660,400.00 元，差 64.00 元"),
        "{out}"
    );
    assert!(
        out.trim_end()
            .ends_with("共检查 1 个文件、10 个项目：错误 4 条，警告 4 条。"),
        "{out}"
    );
}

#[test]
fn check_in_english_and_json() {
    let (code, out, _) = jixiao(&["check", SAMPLE, "--lang", "en"]);
    assert_eq!(code, 1);
    assert!(out.contains("B002"), "{out}");
    assert!(!out.contains("共检查"), "{out}");
    let (code, out, _) = jixiao(&["check", SAMPLE, "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = v["files"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 8);
    assert!(findings.iter().any(|f| f["code"] == "B002"
        && f["location"]["cell"] == "E16"
        && f["location"]["sheet"] == "6.展示馆物业管理、能源费、水电费"
        // Numbered from 1, as the text says 项目 6.
        && f["location"]["project"] == 6));
    // The first project is 1, not 0.
    assert!(findings
        .iter()
        .any(|f| f["code"] == "B001" && f["location"]["project"] == 1));
    assert!(findings.iter().all(|f| f["location"]["project"] != 0));
}

#[test]
fn a_clean_declaration_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let fixed_json = dir.path().join("clean.json");
    // The sample without the seed's own slips.
    let mut d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("samples/songjiang-kcb-2024.json").unwrap())
            .unwrap();
    let projects = d["projects"].as_array_mut().unwrap();
    for p in projects.iter_mut() {
        p["budget_lines"] = serde_json::json!([{
            "item": "全部", "amount": p["funds"]["annual_total"].clone()
        }]);
        for ind in p["indicators"].as_array_mut().unwrap() {
            let name = ind["name"].as_str().unwrap().replace("2023", "2024");
            ind["name"] = name.into();
            if ind["target"] == "≥100.00(家)" {
                ind["target"] = "≥100.00(场)".into();
            }
            // 项目7's 效益 indicator valued 及时 (I013): an effect word instead.
            if ind["level1"] == "效益指标" && ind["target"] == "及时" {
                ind["target"] = "有效".into();
            }
        }
    }
    std::fs::write(&fixed_json, serde_json::to_string(&d).unwrap()).unwrap();
    let xlsx = dir.path().join("clean.xlsx");
    let (code, _, err) = jixiao(&[
        "build",
        fixed_json.to_str().unwrap(),
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = jixiao(&["check", xlsx.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("错误 0 条，警告 0 条"), "{out}");
}

#[test]
fn unreadable_input_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("附件.xlsx");
    std::fs::write(&bad, "这不是表格").unwrap();
    let (code, _, err) = jixiao(&["check", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("附件.xlsx"), "{err}");
    assert!(err.contains("文本文件"), "{err}");
    let (code, _, err) = jixiao(&["dump", dir.path().join("无此文件.xlsx").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("找不到该文件"), "{err}");
    // A good file next to a bad one still gets checked; the exit code says something failed.
    let (code, out, _) = jixiao(&["check", SAMPLE, bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.contains("错误 4 条"), "{out}");
    let (code, out, _) = jixiao(&["check", SAMPLE, bad.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
    assert_eq!(v["unreadable"][0]["file"], bad.to_str().unwrap());
    assert!(v["unreadable"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("文本文件"));
}

#[test]
fn fix_writes_workbook_and_csv_rollup() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fixed.xlsx");
    let csv = dir.path().join("rollup.csv");
    let (code, _, err) = jixiao(&[
        "fix",
        SAMPLE,
        "-o",
        out.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("更正 0 处，仍有错误 4 条、警告 4 条"), "{err}");
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 11);
    assert!(lines[0].starts_with("单位名称,预算年度,项目名称,"));
    assert!(lines[6].starts_with(
        "上海市松江区科创发展办公室,2024,展示馆物业管理、能源费、水电费,其他经常性项目,其他运转类,"
    ));
    assert!(
        lines[6].contains(",1100000.00,1100000.00,,1100000.00,1100000.00,0.00,0.00,6,3,0,"),
        "{}",
        lines[6]
    );
    // Totals in the CSV add up to the cover's 1,743.86万元.
    let total: rust_decimal::Decimal = lines[1..]
        .iter()
        .map(|l| {
            l.split(',')
                .nth(9)
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    assert_eq!(total.to_string(), "17438600.00");
}

#[test]
fn template_writes_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.xlsx");
    let args = [
        "template",
        "-o",
        t.to_str().unwrap(),
        "--projects",
        "2",
        "--year",
        "2025",
        "--unit",
        "某单位",
    ];
    let (code, _, _) = jixiao(&args);
    assert_eq!(code, 0);
    let (code, out, _) = jixiao(&["dump", t.to_str().unwrap()]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["unit"], "某单位");
    assert_eq!(v["year"], 2025);
    assert_eq!(v["projects"].as_array().unwrap().len(), 2);
    let (code, _, err) = jixiao(&args);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
}
