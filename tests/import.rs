//! `jixiao import`: a published disclosure's text (or PDF) into the model.
//!
//! The seed round trip, texts made here in the shapes PDFs give (wrapped labels and values,
//! interleaved goal columns, page footers, 全角/半角), what is left out rather than guessed,
//! the disclosure's cover note, the PDF fixture, the command, and a property: a model written
//! as a disclosure's text imports back to itself.

use std::collections::BTreeSet;
use std::process::Command;

use jixiao::import::{disclosure_text, import_file, import_text, Imported};
use jixiao::model::{
    framework, BudgetLine, Date, Declaration, Funds, Goals, Indicator, Money, MoneyUnit, Narrative,
    Project, ProjectHeader, StatedAmount, Target,
};
use jixiao::validate::{validate, validate_with, Options};
use proptest::prelude::*;

const SEED_TEXT: &str = "samples/songjiang-kcb-2024.txt";
const SEED_JSON: &str = "samples/songjiang-kcb-2024.json";
const PDF: &str = "tests/fixtures/disclosure-excerpt.pdf";
const PDF_TEXT: &str = "tests/fixtures/disclosure-excerpt.txt";

fn sample() -> Declaration {
    serde_json::from_str(&std::fs::read_to_string(SEED_JSON).unwrap()).unwrap()
}

fn seed() -> Imported {
    import_text(&std::fs::read_to_string(SEED_TEXT).unwrap(), SEED_TEXT)
}

fn codes(i: &Imported) -> Vec<(String, Option<usize>, String)> {
    i.findings
        .iter()
        .map(|f| {
            (
                f.code.clone(),
                f.location.project,
                f.location.cell.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn cents(c: i64) -> Option<Money> {
    Some(Money::from_cents(c))
}

#[test]
fn the_seed_text_imports_to_the_sample_model() {
    let got = seed();
    // All of it, budget lines included: projects 1, 6 and 7 state theirs as numbered items
    // with monthly rates, a basis sentence after each item, and a `其中` breakdown.
    assert_eq!(got.declaration, sample());
    assert_eq!(codes(&got), []);
    let d = &got.declaration;
    assert_eq!(d.projects.len(), 10);
    assert_eq!(d.projects_total().unwrap().wan_string(), "1,743.86万元");
    assert_eq!(
        d.projects.iter().map(|p| p.indicators.len()).sum::<usize>(),
        72
    );
    // 13 + 1 + 1 + 3 + 1 + 2 + 2 + 1 + 2 + 3 budget lines.
    assert_eq!(
        d.projects
            .iter()
            .map(|p| p.budget_lines.len())
            .sum::<usize>(),
        29
    );
}

#[test]
fn the_seed_import_checks_like_the_sample_where_the_text_says_the_same() {
    let got = seed();
    let findings = validate_with(
        &got.declaration,
        &jixiao::model::SourceMap::new("x.xlsx"),
        &Options { disclosure: true },
    );
    let found: Vec<(&str, Option<usize>)> = findings
        .iter()
        .map(|f| (f.code.as_str(), f.location.project))
        .collect();
    // Exactly the sample's findings: its budget lines come from the text too, so the B001
    // (sums short of 年度资金申请总额), B003 (an item with no amount) and B002 (a basis
    // computing to 660,336 and 338,652 元 against the stated 66.04 and 33.96 万元) are
    // the text's own; I009, I010 and I013 are in its indicators.
    assert_eq!(
        found,
        [
            ("B001", Some(0)),
            ("B003", Some(0)),
            ("I009", Some(4)),
            ("B001", Some(5)),
            ("B002", Some(5)),
            ("B002", Some(5)),
            ("I010", Some(6)),
            ("I013", Some(6))
        ]
    );
    let on_sample = validate_with(
        &sample(),
        &jixiao::model::SourceMap::new("x.xlsx"),
        &Options { disclosure: true },
    );
    assert_eq!(
        findings.iter().map(|f| &f.message).collect::<Vec<_>>(),
        on_sample.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    assert!(findings[4]
        .message
        .contains("计得 660,336.00 元，而金额为 660,400.00 元"));
}

/// A one-project disclosure in the shapes a PDF's text gives: labels and values wrapped,
/// two values on a line, 半角 colons, a multi-year project with a cover in 元 and a budget
/// in 万元, and an indicator table whose wrapped labels and names run over lines.
const MULTI_YEAR: &str = "某区绿化市容局 2025 年
绩效目标设置情况
本单位编报绩效目标的项目 1 个，涉及项目
预算资金 12,345,600.00元。
项目经费情况说明 1
一、项目概述
某某路改造工程项目：道路改造。
二、立项依据 区政府专题会议纪要。
三、实施主体
区绿化市容局。
四、实施方案
分两期实施。
五、实施周期
2025 年 3 月至 2027 年 6 月
六、年度预算安排
某某路改造工程：（1）路面改造 300万元；（2）绿化 45.6万元。
七、绩效目标
详见单位的项目绩效目标表
财政项目支出绩效目标申报表 1
（2025 年度）
项目名称
某某路改造工
程
项目性质
阶段
性项
目
项目
类别
特定目标类
主管部门 某区绿化市容局 实施单位 某区
绿化市容局
计划开始日
期
2025-03-01 计划完成日期 2027-06-30
项目资金
(元)
项目资金总额
12,345,600.00 年度资金申请总额 3,456,000.00
其中:财政资金 12,345,600.00
其中：当年财政拨款 3,000,000.00
上年结转资金 456,000.00
其他资金  其他资金 0
项
目
绩
效
目
标
项目总目标 年度总体目标
1.完成某某路全线路面
改造，新增绿地一万平
1.完成本年度路面改造
三公里，新增绿地
 3 / 9
方米。
两千平方米，
年底前完工。
绩
效
指
标
一级指
标
二级指标 三级指标 年度(/项目)指标值
成本指标 经济成本指标 控制改造成本 ≤1234.56(万元)
生态环境
成本指标
施工扬尘控制 达标
产出指标 数量指标 改造道路长度 ≥3.00(公里)
时效指标 项目完成时间 2027年 6月 30日前
效益指标 社会效益指标
改善周边居民出行
条件
显著
满意度指
标
服务对象满意
度指标 居民满意度 ≥90.00(%)
";

fn indicator(l1: &str, l2: &str, name: &str, target: &str) -> Indicator {
    Indicator {
        level1: Some(l1.into()),
        level2: Some(l2.into()),
        name: Some(name.into()),
        target: Some(Target::parse(target)),
        ..Indicator::default()
    }
}

#[test]
fn wrapped_labels_and_values_a_multi_year_project_yuan_and_wan() {
    let got = import_text(MULTI_YEAR, "公开.txt");
    assert_eq!(codes(&got), []);
    let d = &got.declaration;
    assert_eq!(d.unit.as_deref(), Some("某区绿化市容局"));
    assert_eq!(d.year, Some(2025));
    assert_eq!(d.stated_project_count, Some(1));
    assert_eq!(
        d.stated_total,
        Some(StatedAmount::new(
            "12345600.00".parse().unwrap(),
            MoneyUnit::Yuan
        ))
    );
    let p = &d.projects[0];
    assert_eq!(
        p.header,
        ProjectHeader {
            name: Some("某某路改造工程".into()),
            nature: Some("阶段性项目".into()),
            category: Some("特定目标类".into()),
            department: Some("某区绿化市容局".into()),
            implementer: Some("某区绿化市容局".into()),
            start: Date::new(2025, 3, 1),
            end: Date::new(2027, 6, 30),
        }
    );
    assert_eq!(
        p.funds,
        Funds {
            total: cents(1_234_560_000),
            fiscal: cents(1_234_560_000),
            other: None,
            annual_total: cents(345_600_000),
            annual_appropriation: cents(300_000_000),
            annual_carryover: cents(45_600_000),
            annual_other: cents(0),
        }
    );
    assert_eq!(
        p.narrative.rationale.as_deref(),
        Some("区政府专题会议纪要。")
    );
    assert_eq!(p.narrative.period.as_deref(), Some("2025年3月至2027年6月"));
    assert_eq!(
        p.budget_lines,
        [
            BudgetLine {
                item: Some("路面改造".into()),
                amount: cents(300_000_000),
                ..BudgetLine::default()
            },
            BudgetLine {
                item: Some("绿化".into()),
                amount: cents(45_600_000),
                ..BudgetLine::default()
            },
        ]
    );
    // The goal columns, left then right on each page, across the page footer.
    assert_eq!(
        p.goals,
        Goals {
            overall: Some("1.完成某某路全线路面改造，新增绿地一万平方米。".into()),
            annual: Some("1.完成本年度路面改造三公里，新增绿地两千平方米，年底前完工。".into()),
        }
    );
    assert_eq!(
        p.indicators,
        [
            indicator("成本指标", "经济成本指标", "控制改造成本", "≤1234.56(万元)"),
            // 「生态环境 / 成本指标」: the 二级 label wrapped, its 一级 from the framework.
            indicator("成本指标", "生态环境成本指标", "施工扬尘控制", "达标"),
            indicator("产出指标", "数量指标", "改造道路长度", "≥3.00(公里)"),
            indicator("产出指标", "时效指标", "项目完成时间", "2027年6月30日前"),
            indicator("效益指标", "社会效益指标", "改善周边居民出行条件", "显著"),
            indicator(
                "满意度指标",
                "服务对象满意度指标",
                "居民满意度",
                "≥90.00(%)"
            ),
        ]
    );
    // The multi-year project checks clean on what the import placed.
    let findings = validate(d, &jixiao::model::SourceMap::new("x.xlsx"));
    assert!(
        findings.iter().all(|f| !f.is_error()),
        "{:?}",
        findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
}

/// A form from `MULTI_YEAR` with a different funds block and indicator table.
fn with_form_parts(funds: &str, table: &str) -> String {
    let start = MULTI_YEAR.find("项目资金\n(元)").unwrap();
    let goals = MULTI_YEAR.find("项\n目\n绩\n效").unwrap();
    let table_at = MULTI_YEAR.find("一级指\n标").unwrap();
    format!(
        "{}{funds}\n{}{table}",
        &MULTI_YEAR[..start],
        &MULTI_YEAR[goals..table_at]
    )
}

#[test]
fn what_cannot_be_placed_is_left_out_and_reported_with_its_line() {
    // Two labels, then two amounts: which is which is not certain in text.
    let text = with_form_parts(
        "项目资金 (元)\n项目资金总额 年度资金申请总额\n100.00 200.00\n其中：财政资金 100.00",
        "一级指标 二级指标 三级指标 年度(/项目)指标值\n\
         成本指标 经济成本指标 控制改造成本 有效\n\
         效益指标 社会效益指标 改善条件 大幅改善\n",
    );
    let got = import_text(&text, "公开.txt");
    let f = &got.declaration.projects[0].funds;
    assert_eq!(
        (f.total, f.annual_total, f.fiscal),
        (None, None, cents(10_000))
    );
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let amounts = line_of("100.00 200.00");
    let unplaced = line_of("大幅改善");
    assert_eq!(
        codes(&got),
        [
            ("T009".to_string(), Some(0), format!("第{amounts}行")),
            ("T009".into(), Some(0), format!("第{unplaced}行")),
        ]
    );
    assert!(got.findings[0].message.contains("「200.00」"));
    // 「大幅改善」 is no 指标值 jixiao knows: the row is not guessed into name and value.
    assert_eq!(got.declaration.projects[0].indicators.len(), 1);
    assert!(got.findings[1].message.contains("改善条件大幅改善"));
}

#[test]
fn goal_columns_that_cannot_be_told_apart_are_left_out() {
    // Three lines on the last page, two of them ending a sentence: either split fits.
    let text = MULTI_YEAR.replace("两千平方米，\n", "两千平方米。\n");
    let got = import_text(&text, "公开.txt");
    let p = &got.declaration.projects[0];
    assert_eq!(p.goals, Goals::default());
    let first = text
        .lines()
        .position(|l| l == "1.完成某某路全线路面")
        .unwrap()
        + 1;
    assert_eq!(
        codes(&got),
        [("T009".to_string(), Some(0), format!("第{first}行"))]
    );
}

fn one_form(n: u32, name: &str, total: &str) -> String {
    format!(
        "财政项目支出绩效目标申报表 {n}\n项目名称 {name} 项目性质 一次性项目 项目类别 其他运转类\n\
         主管部门 某局 实施单位 某局\n计划开始日期 2024-01-01 计划完成日期 2024-12-31\n\
         项目资金（元）\n项目资金总额 {total} 年度资金申请总额 {total}\n\
         项目总目标 年度总体目标\n完成{name}。\n按期完成{name}。\n\
         一级指标 二级指标 三级指标 年度(/项目)指标值\n成本指标 经济成本指标 控制成本 有效\n"
    )
}

fn one_narrative(n: u32, overview: &str) -> String {
    format!("项目经费情况说明 {n}\n一、项目概述\n{overview}\n六、年度预算安排\n按实结算。\n")
}

#[test]
fn narratives_and_forms_pair_by_name_and_the_unpaired_are_reported() {
    let text = format!(
        "某局 2024 年\n绩效目标设置情况\n编报绩效目标的项目 3 个，涉及项目预算资金 3.00万元。\n{}{}{}{}{}{}",
        one_narrative(1, "乙项目：乙的说明。"),
        one_form(1, "甲", "10,000.00"),
        one_narrative(2, "甲项目：甲的说明。"),
        one_form(2, "乙", "10,000.00"),
        one_narrative(3, "丁项目：没有申报表。"),
        one_form(4, "丙", "10,000.00"),
    );
    let got = import_text(&text, "公开.txt");
    let d = &got.declaration;
    let names: Vec<_> = d
        .projects
        .iter()
        .map(|p| p.header.name.as_deref())
        .collect();
    assert_eq!(names, [Some("甲"), Some("乙"), Some("丙")]);
    // Paired by name, not by the order or number they come in.
    assert_eq!(
        d.projects[0].narrative.overview.as_deref(),
        Some("甲项目：甲的说明。")
    );
    assert_eq!(
        d.projects[1].narrative.overview.as_deref(),
        Some("乙项目：乙的说明。")
    );
    assert_eq!(d.projects[2].narrative, Narrative::default());
    let line = |needle: &str| text.lines().position(|l| l == needle).unwrap() + 1;
    // Budgets that are not lists (「按实结算。」) stay prose and are reported, per project,
    // at the line of the paired narrative's 六.
    let budget_at: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "六、年度预算安排")
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        codes(&got),
        [
            (
                "T005".to_string(),
                None,
                format!("第{}行", line("项目经费情况说明 3"))
            ),
            ("T004".into(), Some(0), format!("第{}行", budget_at[1])),
            ("T004".into(), Some(1), format!("第{}行", budget_at[0])),
            (
                "T006".into(),
                Some(2),
                format!("第{}行", line("财政项目支出绩效目标申报表 4"))
            ),
        ]
    );
    assert!(d.projects[0].budget_lines.is_empty());
}

#[test]
fn a_form_is_paired_by_number_when_no_overview_names_it() {
    let text = format!(
        "某局 2024 年\n{}{}",
        one_narrative(1, "本项目用于日常运转。"),
        one_form(1, "甲", "10,000.00"),
    );
    let got = import_text(&text, "公开.txt");
    assert_eq!(
        got.declaration.projects[0].narrative.overview.as_deref(),
        Some("本项目用于日常运转。")
    );
    let found: Vec<&str> = got.findings.iter().map(|f| f.code.as_str()).collect();
    // No cover paragraph (T002), the prose budget (T004), and the pairing by number.
    assert_eq!(found, ["T002", "T007", "T004"]);
    assert!(got.findings[1]
        .message
        .contains("已按编号与项目经费情况说明 1"));
}

#[test]
fn a_disclosure_with_fewer_forms_than_its_cover_gets_one_note() {
    let got = import_text(&std::fs::read_to_string(PDF_TEXT).unwrap(), PDF_TEXT);
    let d = &got.declaration;
    assert_eq!(d.projects.len(), 2);
    let map = jixiao::model::SourceMap::new("x.xlsx");
    let as_workbook: Vec<String> = validate(d, &map).into_iter().map(|f| f.code).collect();
    assert!(as_workbook.contains(&"C001".to_string()) && as_workbook.contains(&"C002".to_string()));
    let as_disclosure = validate_with(d, &map, &Options { disclosure: true });
    let cover: Vec<&jixiao::model::Finding> = as_disclosure
        .iter()
        .filter(|f| f.code.starts_with('C'))
        .collect();
    assert_eq!(cover.len(), 1);
    assert_eq!(cover[0].code, "C010");
    assert!(!cover[0].is_error());
    assert_eq!(
        cover[0].message,
        "公开文本的封面写编报绩效目标的项目 10 个、项目预算资金 1,743.86万元，文本中只有申报表 2 个，项目资金总额合计 2,038,600.00 元（203.86万元）。公开文本通常只公开部分项目，封面的项目个数与金额未按项目表核对。"
    );
    // Every other rule still applies: nothing else differs.
    let rest = |v: &[jixiao::model::Finding]| -> Vec<String> {
        v.iter()
            .filter(|f| !f.code.starts_with('C'))
            .map(|f| f.code.clone())
            .collect()
    };
    assert_eq!(rest(&as_disclosure), rest(&validate(d, &map)));
}

#[test]
fn the_pdf_fixture_imports_like_its_text() {
    let from_pdf = import_file(std::path::Path::new(PDF)).unwrap();
    let from_text = import_text(&std::fs::read_to_string(PDF_TEXT).unwrap(), PDF_TEXT);
    assert_eq!(codes(&from_pdf), []);
    assert_eq!(from_pdf.declaration, from_text.declaration);
    let d = &from_pdf.declaration;
    assert_eq!(d.projects_total().unwrap().to_string(), "2,038,600.00");
    assert_eq!(d.projects_total().unwrap().wan_string(), "203.86万元");
    assert_eq!(d.stated_total.unwrap().money().wan_string(), "1,743.86万元");
    assert_eq!(d.projects[1].header.name.as_deref(), Some("派驻干部费用"));
    assert_eq!(d.projects[1].budget_lines[0].amount, cents(183_860_000));
    assert_eq!(
        d.projects.iter().map(|p| p.indicators.len()).sum::<usize>(),
        8
    );
}

/// A PDF of one blank page: what a scan looks like to a text extractor.
fn blank_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        "<< /Length 0 >>\nstream\n\nendstream",
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

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

#[test]
fn a_pdf_without_text_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("扫描件.pdf");
    std::fs::write(&scan, blank_pdf()).unwrap();
    let err = import_file(&scan).unwrap_err();
    assert!(err.to_string().contains("没有文字层"), "{err}");
    let out = dir.path().join("out.xlsx");
    let (code, _, stderr) = jixiao(&[
        "import",
        scan.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("扫描件.pdf") && stderr.contains("OCR"),
        "{stderr}"
    );
    assert!(!out.exists());
    // Not a PDF at all, though named one.
    std::fs::write(&scan, "%PDF-1.4\ngarbage").unwrap();
    let (code, _, stderr) = jixiao(&[
        "import",
        scan.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("扫描件.pdf"), "{stderr}");
}

#[test]
fn the_command_writes_a_workbook_that_reads_back_to_the_imported_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("松江.xlsx");
    let (code, stdout, stderr) = jixiao(&["import", SEED_TEXT, "-o", out.to_str().unwrap()]);
    // Written, and exit 1 as `check` gives for the errors found (B001, B002).
    assert_eq!(code, 1, "{stderr}");
    assert!(out.exists());
    assert!(
        stderr.contains("导入 10 个项目（项目资金总额合计 1,743.86万元）"),
        "{stderr}"
    );
    // A rule's finding gives the cell written and the text line it came from.
    assert!(
        stdout.contains("警告 I009 5.派驻干部费用!D33")
            && stdout.contains("（原文 samples/songjiang-kcb-2024.txt 第 987 行）"),
        "{stdout}"
    );
    assert!(stdout.contains("错误 4 条，警告 4 条"), "{stdout}");
    assert!(
        stdout.contains("错误 B001 1.G60日常办公经费!E15:E27")
            && stdout.contains("（原文 samples/songjiang-kcb-2024.txt 第 56 行）"),
        "{stdout}"
    );
    let back = jixiao::read::read_workbook(&out).unwrap();
    assert_eq!(back.declaration, seed().declaration);

    // Never over an existing file without --force, never over the input.
    let before = std::fs::read(&out).unwrap();
    let (code, _, stderr) = jixiao(&["import", SEED_TEXT, "-o", out.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let (code, _, _) = jixiao(&["import", SEED_TEXT, "-o", SEED_TEXT, "--force"]);
    assert_eq!(code, 2);
    assert_eq!(
        std::fs::read(SEED_TEXT).unwrap().len(),
        37357,
        "the input is untouched"
    );
}

#[test]
fn the_command_prints_the_model_and_refuses_unknown_layouts() {
    let (code, stdout, stderr) = jixiao(&["import", SEED_TEXT, "--format", "json"]);
    // The findings go to stderr; their errors (B001, B002) give exit 1.
    assert_eq!(code, 1);
    assert!(stderr.contains("错误 4 条，警告 4 条"), "{stderr}");
    let printed: Declaration = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed, seed().declaration);

    let (code, stdout, stderr) = jixiao(&[
        "import", SEED_TEXT, "--layout", "beijing", "--format", "json",
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("没有名为「beijing」的版式：目前只有 shanghai"),
        "{stderr}"
    );
    let (code, _, stderr) = jixiao(&["import", SEED_TEXT]);
    assert_eq!(code, 2);
    assert!(stderr.contains("-o"), "{stderr}");
}

#[test]
fn every_import_code_is_documented_and_every_documented_one_emitted() {
    let mut emitted = BTreeSet::new();
    for entry in std::fs::read_dir("src/import").unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let body = text.split("#[cfg(test)]").next().unwrap_or_default();
        let chars: Vec<char> = body.chars().collect();
        for w in chars.windows(6) {
            if w[0] == '"' && w[1] == 'T' && w[2..5].iter().all(char::is_ascii_digit) && w[5] == '"'
            {
                emitted.insert(w[1..5].iter().collect::<String>());
            }
        }
    }
    let doc = std::fs::read_to_string("docs/rules.md").unwrap();
    let documented: BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| T"))
        .map(|l| format!("T{}", &l[..3]))
        .collect();
    assert_eq!(emitted.len(), 9);
    assert_eq!(emitted, documented);
}

// Property: a model written as a disclosure's text imports back to itself.

const ALPHABET: &str = "甲乙丙丁戊己庚辛壬癸春夏秋冬东南西北山水风云";

fn words(min: usize, max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = ALPHABET.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), min..=max)
        .prop_map(|v| v.into_iter().collect())
}

fn sentence() -> impl Strategy<Value = String> {
    words(2, 40).prop_map(|s| format!("{s}。"))
}

fn money() -> impl Strategy<Value = Money> {
    (0i64..10_000_000_000).prop_map(Money::from_cents)
}

fn date() -> impl Strategy<Value = Date> {
    (2000i32..2099, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn indicators() -> impl Strategy<Value = Vec<Indicator>> {
    let pairs: Vec<(usize, usize)> = framework::FRAMEWORK
        .iter()
        .enumerate()
        .flat_map(|(i, (_, l2s))| (0..l2s.len()).map(move |j| (i, j)))
        .collect();
    let targets = vec![
        "有效",
        "完成",
        "优",
        "≥85.00(%)",
        "=100.00(%)",
        "≤2.00(万元)",
        "2024年12月31日前",
        "2024年底前",
    ];
    proptest::collection::vec(
        (
            proptest::sample::select(pairs),
            words(1, 30),
            proptest::sample::select(targets),
        ),
        1..8,
    )
    .prop_map(|mut rows| {
        // Forms list the framework in its order: 成本, 产出, 效益, 满意度.
        rows.sort_by_key(|r| r.0);
        rows.into_iter()
            .map(|((i, j), name, target)| {
                let (l1, l2s) = framework::FRAMEWORK[i];
                indicator(l1, l2s[j], &name, target)
            })
            .collect()
    })
}

fn project() -> impl Strategy<Value = Project> {
    let natures = vec!["一次性项目", "其他经常性项目", "跨年度项目"];
    let categories = vec!["其他运转类", "特定目标类"];
    (
        (
            words(1, 12),
            proptest::option::of(proptest::sample::select(natures)),
            proptest::option::of(proptest::sample::select(categories)),
            proptest::option::of(words(2, 15)),
            proptest::option::of(date()),
            proptest::option::of(date()),
        ),
        proptest::collection::vec(proptest::option::of(money()), 7),
        (
            proptest::collection::vec(proptest::option::of(sentence()), 5),
            proptest::collection::vec((words(1, 15), money()), 0..4),
        ),
        (sentence(), sentence()),
        indicators(),
    )
        .prop_map(
            |((name, nature, category, dept, start, end), m, (sections, lines), goals, inds)| {
                let budget_lines: Vec<BudgetLine> = lines
                    .iter()
                    .map(|(item, amount)| BudgetLine {
                        item: Some(item.clone()),
                        amount: Some(*amount),
                        ..BudgetLine::default()
                    })
                    .collect();
                // The 六 list the lines come from; with no lines, prose that is no list.
                let budget = if lines.is_empty() {
                    "按实际发生结算。".to_string()
                } else {
                    lines
                        .iter()
                        .enumerate()
                        .map(|(k, (item, amount))| format!("（{}）{item}{amount}元", k + 1))
                        .collect::<Vec<_>>()
                        .join("；")
                        + "。"
                };
                Project {
                    header: ProjectHeader {
                        name: Some(name.clone()),
                        nature: nature.map(str::to_string),
                        category: category.map(str::to_string),
                        department: dept.clone(),
                        implementer: dept,
                        start,
                        end,
                    },
                    funds: Funds {
                        total: m[0],
                        fiscal: m[1],
                        other: m[2],
                        annual_total: m[3],
                        annual_appropriation: m[4],
                        annual_carryover: m[5],
                        annual_other: m[6],
                    },
                    narrative: Narrative {
                        overview: Some(format!(
                            "{name}项目：{}",
                            sections[0].clone().unwrap_or_default()
                        )),
                        rationale: sections[1].clone(),
                        executing_body: sections[2].clone(),
                        plan: sections[3].clone(),
                        period: sections[4].clone(),
                        budget: Some(budget),
                        goals: Some("详见单位的项目绩效目标表".into()),
                    },
                    budget_lines,
                    goals: Goals {
                        overall: Some(goals.0),
                        annual: Some(goals.1),
                    },
                    indicators: inds,
                }
            },
        )
}

fn declaration() -> impl Strategy<Value = Declaration> {
    (
        words(2, 20),
        2000i32..2099,
        proptest::collection::vec(project(), 1..4),
    )
        .prop_map(|(unit, year, projects)| {
            let total = Money::checked_sum(projects.iter().filter_map(|p| p.funds.total))
                .expect("generated amounts stay far below the limit");
            let n = projects.len();
            Declaration {
                unit: Some(unit),
                year: Some(year),
                stated_total: Some(StatedAmount::new(total.yuan(), MoneyUnit::Yuan)),
                stated_project_count: Some(n as u32),
                summary_text: Some(format!(
                    "编报绩效目标的项目{n}个，涉及项目预算资金{total}元。"
                )),
                projects,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn a_model_written_as_disclosure_text_imports_back(decl in declaration()) {
        let text = disclosure_text(&decl);
        let got = import_text(&text, "生成.txt");
        let unexpected: Vec<_> = got
            .findings
            .iter()
            .filter(|f| !(f.code == "T004" && decl.projects[f.location.project.unwrap()].budget_lines.is_empty()))
            .map(|f| f.message.clone())
            .collect();
        prop_assert!(unexpected.is_empty(), "{:?}\n{}", unexpected, text);
        prop_assert_eq!(got.declaration, decl, "{}", text);
    }
}

#[test]
fn oversized_and_undecodable_texts_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let many = dir.path().join("多.txt");
    let forms: String = (1..=jixiao::import::MAX_FORMS + 1)
        .map(|n| format!("财政项目支出绩效目标申报表 {n}\n"))
        .collect();
    std::fs::write(&many, forms).unwrap();
    let (code, stdout, stderr) = jixiao(&["import", many.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("多.txt") && stderr.contains("1001 份绩效目标申报表，超过上限"),
        "{stderr}"
    );

    let gbk = dir.path().join("旧.txt");
    std::fs::write(&gbk, [0xb2, 0xc6, 0xd5, 0xfe, 0xff, 0xfe]).unwrap();
    let (code, _, stderr) = jixiao(&["import", gbk.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("旧.txt") && stderr.contains("UTF-8"),
        "{stderr}"
    );

    let empty = dir.path().join("空.txt");
    std::fs::write(&empty, "某局 2024 年\n没有申报表。\n").unwrap();
    let (code, _, stderr) = jixiao(&["import", empty.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("找不到「财政项目支出绩效目标申报表」"),
        "{stderr}"
    );
}

/// A monthly rate becomes `N元/月×m月` only when the form's dates are whole months of one
/// year; the same prose in a project over two years stays prose (T004, with the reason).
#[test]
fn monthly_rates_follow_the_project_period_and_stay_prose_across_years() {
    let budget = "（1）保洁：每月1000元（估）；（2）设备采购8000元。";
    let narrative = |n: u32, name: &str| {
        format!(
            "项目经费情况说明 {n}\n一、项目概述\n{name}项目：{name}的说明。\n六、年度预算安排\n{budget}\n"
        )
    };
    let text = format!(
        "某局 2024 年\n{}{}{}{}{}{}",
        narrative(1, "甲"),
        one_form(1, "甲", "20,000.00"),
        narrative(2, "乙"),
        one_form(2, "乙", "14,000.00").replace("2024-01-01", "2024-07-01"),
        narrative(3, "丙"),
        one_form(3, "丙", "20,000.00").replace("2024-12-31", "2025-12-31"),
    );
    let got = import_text(&text, "公开.txt");
    let d = &got.declaration;
    type Row<'a> = (
        Option<&'a str>,
        Option<&'a str>,
        Option<Money>,
        Option<&'a str>,
    );
    let row = |p: usize| -> Vec<Row> {
        d.projects[p]
            .budget_lines
            .iter()
            .map(|l| {
                (
                    l.item.as_deref(),
                    l.basis.as_deref(),
                    l.amount,
                    l.note.as_deref(),
                )
            })
            .collect()
    };
    assert_eq!(
        row(0),
        [
            (
                Some("保洁"),
                Some("1000元/月×12月"),
                cents(1_200_000),
                Some("估")
            ),
            (Some("设备采购"), None, cents(800_000), None),
        ]
    );
    assert_eq!(
        row(1),
        [
            (
                Some("保洁"),
                Some("1000元/月×6月"),
                cents(600_000),
                Some("估")
            ),
            (Some("设备采购"), None, cents(800_000), None),
        ]
    );
    assert!(d.projects[2].budget_lines.is_empty());
    let t004: Vec<_> = got.findings.iter().filter(|f| f.code == "T004").collect();
    assert_eq!(t004.len(), 1);
    assert_eq!(t004[0].location.project, Some(2));
    assert!(
        t004[0].message.contains("项目期不是一年之内的整月"),
        "{}",
        t004[0].message
    );
}
