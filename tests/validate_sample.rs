//! The typed seed (samples/songjiang-kcb-2024.json) and the workbook built from it raise
//! exactly the seed's real problems, computed by hand from the seed text:
//!
//! - 项目1 G60日常办公经费: 12 priced lines add up to 740,800.00 against 1,000,000.00;
//!   line 13 其他办公室后勤保障 has no amount;
//! - 项目5 派驻干部费用: an indicator plans for 2023 in a 2024 form;
//! - 项目6 展示馆物业管理、能源费、水电费: lines 660,400 + 339,600 = 1,000,000.00 against
//!   1,100,000.00; line 1's basis gives 1469×16×12 + 31524×12 = 660,336.00, line 2's
//!   1469×9×12 + 15000×12 = 338,652.00;
//! - 项目7 展示馆运维费: 完成100场以上的接待 counted in 家; its 效益 indicator
//!   对G60科创走廊宣传效果 valued 及时, a timeliness word for an effect.
//!
//! The cover (1,743.86万元 = 17,438,600.00, 10 projects) and every fund identity hold.

use jixiao::model::{Declaration, Finding, Severity, SourceMap};
use jixiao::validate::report::{exit_code, render_text, FileReport, Lang};
use jixiao::validate::validate;

const JSON: &str = "samples/songjiang-kcb-2024.json";
const XLSX: &str = "samples/songjiang-kcb-2024.xlsx";

/// (code, severity, project number from 1, sheet!cell in the workbook, expected, actual)
type Row = (
    &'static str,
    Severity,
    usize,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

const SEED_FINDINGS: [Row; 8] = [
    (
        "B001",
        E,
        1,
        "1.G60日常办公经费!E15:E27",
        Some("1000000.00"),
        Some("740800.00"),
    ),
    ("B003", W, 1, "1.G60日常办公经费!E27", None, None),
    (
        "I009",
        W,
        5,
        "5.派驻干部费用!D33",
        Some("2024"),
        Some("2023"),
    ),
    (
        "B001",
        E,
        6,
        "6.展示馆物业管理、能源费、水电费!E15:E16",
        Some("1100000.00"),
        Some("1000000.00"),
    ),
    (
        "B002",
        E,
        6,
        "6.展示馆物业管理、能源费、水电费!E15",
        Some("660336.00"),
        Some("660400.00"),
    ),
    (
        "B002",
        E,
        6,
        "6.展示馆物业管理、能源费、水电费!E16",
        Some("338652.00"),
        Some("339600.00"),
    ),
    ("I010", W, 7, "7.展示馆运维费!G34", Some("场"), Some("家")),
    (
        "I013",
        W,
        7,
        "7.展示馆运维费!G37",
        Some("时效指标"),
        Some("及时"),
    ),
];

fn json_model() -> Declaration {
    let text = std::fs::read_to_string(JSON).expect("the typed sample is in samples/");
    serde_json::from_str(&text).expect("the sample deserializes")
}

fn summary(f: &Finding) -> (String, Severity, usize, Option<String>, Option<String>) {
    (
        f.code.clone(),
        f.severity,
        f.location.project.map_or(0, |p| p + 1),
        f.expected.clone(),
        f.actual.clone(),
    )
}

fn want(r: &Row) -> (String, Severity, usize, Option<String>, Option<String>) {
    (
        r.0.to_string(),
        r.1,
        r.2,
        r.4.map(Into::into),
        r.5.map(Into::into),
    )
}

fn report(file: &str, decl: &Declaration, findings: &[Finding]) -> String {
    render_text(&[FileReport::new(file, decl, findings.to_vec())], Lang::Zh)
}

#[test]
fn json_sample_raises_exactly_the_seed_findings() {
    let decl = json_model();
    let findings = validate(&decl, &SourceMap::new(JSON));
    let got: Vec<_> = findings.iter().map(summary).collect();
    let expected: Vec<_> = SEED_FINDINGS.iter().map(want).collect();
    assert_eq!(got, expected, "{}", report(JSON, &decl, &findings));
    // A model from JSON has no cells: the file (and project) only.
    for f in &findings {
        assert_eq!(f.location.file, JSON);
        assert_eq!(
            (f.location.sheet.as_deref(), f.location.cell.as_deref()),
            (None, None)
        );
    }
    assert_eq!(
        findings[0].message,
        "项目「G60日常办公经费」年度预算安排明细合计 740,800.00 元 ≠ 年度资金申请总额 1,000,000.00 元，少 259,200.00 元；另有 1 行金额为空，未计入合计。请补全或核对各行金额，并核对年度资金申请总额。"
    );
    let report = FileReport::new(JSON, &decl, findings);
    assert_eq!((report.errors(), report.warnings()), (4, 4));
    assert_eq!(exit_code(&[report]), 1);
}

#[test]
fn workbook_sample_raises_the_same_findings_at_their_cells() {
    let out = jixiao::read::read_workbook(XLSX).expect("the sample workbook reads");
    assert!(out.findings.is_empty(), "reader: {:?}", out.findings);
    assert_eq!(out.declaration, json_model());
    let findings = validate(&out.declaration, &out.sources);
    let got: Vec<_> = findings
        .iter()
        .map(|f| {
            let at = format!(
                "{}!{}",
                f.location.sheet.as_deref().unwrap_or("-"),
                f.location.cell.as_deref().unwrap_or("-")
            );
            (summary(f), at)
        })
        .collect();
    let expected: Vec<_> = SEED_FINDINGS
        .iter()
        .map(|r| (want(r), r.3.to_string()))
        .collect();
    assert_eq!(
        got,
        expected,
        "{}",
        report(XLSX, &out.declaration, &findings)
    );
    assert_eq!(
        findings[4].message,
        "项目「展示馆物业管理、能源费、水电费」年度预算安排第 1 行「展示馆物业管理、保洁保安费」按计算依据「1469平方米×16元/平方米/月×12月+3.1524万元/月×12月」计得 660,336.00 元，而金额为 660,400.00 元，差 64.00 元。请改正金额（E15）或计算依据。"
    );
    assert!(findings[0]
        .message
        .ends_with("并核对年度资金申请总额（H37）。"));
    let text = report(XLSX, &out.declaration, &findings);
    assert!(text.contains("    警告 I010 7.展示馆运维费!G34 项目「展示馆运维费」第 2 条指标「完成100场以上的接待」按“场”计"));
    assert!(text.contains("    警告 I013 7.展示馆运维费!G37 项目「展示馆运维费」第 5 条指标「对G60科创走廊宣传效果」是效益指标，指标值「及时」却是时效用语（用于时效指标）。"));
    assert!(text.ends_with("共检查 1 个文件、10 个项目：错误 4 条，警告 4 条。\n"));
}
