//! The reviewer's rules (issue 15): each fires on a case built from the sample workbook
//! and stays silent on the near case next to it. The sample is read once per test and
//! its model edited in place, so every finding keeps the workbook's real cell.

use jixiao::model::{Declaration, Finding, SourceMap, Target};
use jixiao::validate::validate;

const XLSX: &str = "samples/songjiang-kcb-2024.xlsx";

fn sample() -> (Declaration, SourceMap) {
    let out = jixiao::read::read_workbook(XLSX).expect("the sample reads");
    (out.declaration, out.sources)
}

/// The findings `validate` adds to the sample's own after `edit`.
fn added(edit: impl FnOnce(&mut Declaration)) -> Vec<Finding> {
    let (mut d, sources) = sample();
    let before = validate(&d, &sources);
    edit(&mut d);
    validate(&d, &sources)
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect()
}

fn codes(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.code.as_str()).collect()
}

fn at(f: &Finding) -> String {
    format!(
        "{}!{}",
        f.location.sheet.as_deref().unwrap_or("-"),
        f.location.cell.as_deref().unwrap_or("-")
    )
}

/// Sets indicator `k` of project `p` (both from 0) to `value`.
fn value(d: &mut Declaration, p: usize, k: usize, v: &str) {
    d.projects[p].indicators[k].target = Some(Target::parse(v));
}

fn name(d: &mut Declaration, p: usize, k: usize, n: &str) {
    d.projects[p].indicators[k].name = Some(n.into());
}

#[test]
fn sample_project_7_effect_valued_as_timeliness() {
    let (d, sources) = sample();
    let found = validate(&d, &sources);
    let i013: Vec<&Finding> = found.iter().filter(|f| f.code == "I013").collect();
    assert_eq!(i013.len(), 1, "{found:#?}");
    assert_eq!(at(i013[0]), "7.展示馆运维费!G37");
    assert_eq!(i013[0].location.project, Some(6));
    assert_eq!(
        i013[0].message,
        "项目「展示馆运维费」第 5 条指标「对G60科创走廊宣传效果」是效益指标，指标值「及时」却是时效用语（用于时效指标）。请改写为能衡量该指标的指标值。"
    );
    assert_eq!(i013[0].expected.as_deref(), Some("时效指标"));
    assert_eq!(i013[0].actual.as_deref(), Some("及时"));
    // Project 6 writes the same row as 有效, and both projects' 时效 rows 及时: silent.
    let (mut d, sources) = sample();
    value(&mut d, 6, 4, "有效");
    assert!(!validate(&d, &sources).iter().any(|f| f.code == "I013"));
}

#[test]
fn words_against_their_indicators() {
    // A satisfaction word under 时效, a grade under 时效, an effect word under 满意度.
    let f = added(|d| {
        value(d, 1, 4, "满意");
        value(d, 1, 5, "优");
        value(d, 1, 10, "有效");
    });
    assert_eq!(codes(&f), ["I013", "I013", "I013"], "{f:#?}");
    assert_eq!(f[0].expected.as_deref(), Some("满意度指标"));
    assert_eq!(
        f[1].expected.as_deref(),
        Some("质量指标、效益指标、满意度指标")
    );
    assert!(f[2]
        .message
        .contains("是满意度指标，指标值「有效」却是效果用语"));
    // Near: each word where it fits, and words that fit everywhere.
    let f = added(|d| {
        value(d, 1, 4, "按时完成");
        value(d, 1, 3, "良好");
        value(d, 1, 6, "显著提升");
        value(d, 1, 7, "达到");
    });
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn counts_against_percentages() {
    // Project 8's 召开会议次数 valued in %, and a figure with 个 valued in %.
    let f = added(|d| {
        value(d, 7, 1, "≥95%");
        name(d, 2, 1, "服务企业100个");
        value(d, 2, 1, "≥95.00(%)");
    });
    assert_eq!(codes(&f), ["I014", "I014"], "{f:#?}");
    assert_eq!(
        f[0].message,
        "项目「产业要素对接」第 2 条指标「服务企业100个」按“个”计数，指标值「≥95.00(%)」却是百分比。请统一计量方式：计数写成如 ≥10.00(个)，比率写成如 ≥95.00(%)。"
    );
    assert_eq!(
        (f[0].expected.as_deref(), f[0].actual.as_deref()),
        (Some("个"), Some("%"))
    );
    assert!(
        f[1].message.contains("「召开会议次数」按“次数”计数"),
        "{}",
        f[1].message
    );
    // A rate counted in people.
    let f = added(|d| value(d, 0, 5, "≥85.00(人)"));
    assert_eq!(codes(&f), ["I014"], "{f:#?}");
    assert!(f[0]
        .message
        .contains("是比率（“满意度”），指标值「≥85.00(人)」却以“人”计数"));
    // Near: the sample's own rows (召开会议次数 ≥3.00(次), 相关方满意度 ≥85.00(%)), a
    // count and a rate in one name, a completion rate of a plan.
    let f = added(|d| {
        name(d, 2, 1, "活动次数完成率");
        value(d, 2, 1, "≥95.00(%)");
        value(d, 7, 1, "≥3.00(场)");
    });
    assert!(!codes(&f).contains(&"I014"), "{f:#?}");
}

#[test]
fn cost_written_as_a_floor() {
    // Project 9's 每场活动成本控制 ≤2.00(万) turned into a floor.
    let f = added(|d| value(d, 8, 0, "≥2.00(万)"));
    assert_eq!(codes(&f), ["I015"], "{f:#?}");
    assert_eq!(at(&f[0]), "9.G60宣贯!G33");
    assert_eq!(
        f[0].message,
        "项目「G60宣贯」第 1 条指标「每场活动成本控制」是成本指标，指标值「≥2.00(万)」却写成下限（≥）。成本指标应控制上限，请改用 ≤。"
    );
    let f = added(|d| value(d, 8, 0, "＞2.00(万)"));
    assert_eq!(codes(&f), ["I015"]);
    // Near: the sample's ≤, a floor on a saving, a rate under 成本指标.
    let f = added(|d| {
        name(d, 8, 0, "成本节约金额");
        value(d, 8, 0, "≥5.00(万元)");
        name(d, 7, 0, "预算执行率");
        value(d, 7, 0, "≥95.00(%)");
    });
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn rates_above_a_hundred_percent() {
    let f = added(|d| {
        name(d, 0, 2, "达标率");
        value(d, 0, 2, "≥120.00(%)");
    });
    assert_eq!(codes(&f), ["I016"], "{f:#?}");
    assert_eq!(
        f[0].message,
        "项目「G60日常办公经费」第 3 条指标「达标率」的指标值「≥120.00(%)」超过 100%。比率或百分比最高为 100%，请核对。"
    );
    // Near: exactly 100%, a growth rate, and a ceiling above 100%.
    let f = added(|d| {
        name(d, 0, 2, "达标率");
        value(d, 0, 2, "=100.00(%)");
        name(d, 1, 2, "活动参与人数增长率");
        value(d, 1, 2, "≥120.00(%)");
        name(d, 2, 2, "成本超支率");
        value(d, 2, 2, "≤120.00(%)");
    });
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn placeholders_for_values() {
    let f = added(|d| {
        value(d, 0, 1, "≥XX(%)");
        value(d, 0, 2, "待定");
        value(d, 0, 4, "略");
        value(d, 1, 1, "≥＊＊(次)");
    });
    assert_eq!(codes(&f), ["I017", "I017", "I017", "I017"], "{f:#?}");
    assert_eq!(f[0].severity, jixiao::model::Severity::Error);
    assert_eq!(
        f[0].message,
        "项目「G60日常办公经费」第 2 条指标「完成2024年G60科创走廊年度工作计划和各项任务目标」的指标值「≥XX(%)」是占位内容，尚未填写实际目标。请填写，如 ≥85.00(%)、2024年12月31日前 或 完成。"
    );
    // Only I017 on a placeholder in a 数量指标 (not I011 as well).
    assert_eq!(f[3].location.project, Some(1));
    // Near: words that contain no placeholder (略 only counts alone).
    let f = added(|d| {
        value(d, 0, 4, "略有提升");
        value(d, 0, 2, "优");
    });
    assert!(!codes(&f).contains(&"I017"), "{f:#?}");
}

#[test]
fn deadline_after_the_planned_end() {
    // Project 2's 项目完成时间 2024年12月31日前, moved past the end (2024-12-31).
    // I009 reports the year 2025 in a 2024 form; I018 the date after the end.
    let f = added(|d| value(d, 1, 5, "2025年3月31日前"));
    assert_eq!(codes(&f), ["I009", "I018"], "{f:#?}");
    let f = &f[1..];
    assert_eq!(
        f[0].message,
        "项目「优化营商环境」第 6 条指标「项目完成时间」的时限「2025年3月31日前」晚于计划完成日期 2024-12-31（F24）。项目完成后的时限无法考核，请核对指标值或计划日期。"
    );
    assert_eq!(f[0].expected.as_deref(), Some("2024-12-31"));
    assert_eq!(f[0].actual.as_deref(), Some("2025-03-31"));
    // Near: the sample's deadline itself, an earlier month, 年底 of the year.
    let f = added(|d| {
        value(d, 1, 5, "2024年11月前");
        value(d, 2, 3, "2024年底前");
    });
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn did_you_mean_for_framework_names() {
    let f = added(|d| {
        d.projects[0].indicators[1].level1 = Some("产出指票".into());
        d.projects[0].indicators[4].level1 = Some("效果指标".into());
        d.projects[0].indicators[5].level1 = Some("满意指标".into());
        d.projects[1].indicators[2].level2 = Some("数量指表".into());
    });
    let i00x: Vec<&Finding> = f
        .iter()
        .filter(|f| f.code == "I004" || f.code == "I005")
        .collect();
    let guesses: Vec<(&str, Option<&str>, Option<&str>)> = i00x
        .iter()
        .map(|f| (f.code.as_str(), f.expected.as_deref(), f.actual.as_deref()))
        .collect();
    assert_eq!(
        guesses,
        [
            ("I004", Some("产出指标"), Some("产出指票")),
            ("I004", Some("效益指标"), Some("效果指标")),
            ("I004", Some("满意度指标"), Some("满意指标")),
            ("I005", Some("数量指标"), Some("数量指表")),
        ],
        "{f:#?}"
    );
    assert_eq!(
        i00x[1].message,
        "项目「G60日常办公经费」第 5 条指标「加强九城市跨区域合作，推进长三角高质量一体化发展」的一级指标「效果指标」不在指标体系中，应是「效益指标」吧？请改正。"
    );
    // Near: a name close to none lists them all; a 二级 known elsewhere lists the choices.
    let f = added(|d| {
        d.projects[0].indicators[4].level1 = Some("影响指标".into());
        d.projects[1].indicators[2].level2 = Some("社会效益指标".into());
    });
    let msgs: Vec<&str> = f
        .iter()
        .filter(|f| f.code == "I004" || f.code == "I005")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(msgs.len(), 2, "{f:#?}");
    assert!(msgs[0].ends_with("应为成本指标、产出指标、效益指标、满意度指标之一。请改正。"));
    assert!(msgs[1].contains("（可选：数量指标、质量指标、时效指标、成本指标）"));
}

fn budget_text(d: &mut Declaration, p: usize, text: &str) {
    d.projects[p].narrative.budget = Some(text.into());
}

#[test]
fn narrative_amount_against_the_annual_amount() {
    // Project 7 says 2024年申请资金210万元 and asks 2,100,000.00: silent (the sample).
    // A different amount for the declared year is reported at the prose's cell.
    let f = added(|d| budget_text(d, 6, "2024年度预算安排50万元，用于展示馆运维。"));
    assert_eq!(codes(&f), ["B006"], "{f:#?}");
    assert_eq!(f[0].location.sheet.as_deref(), Some("7.展示馆运维费"));
    assert_eq!(
        f[0].message,
        "项目「展示馆运维费」「六、年度预算安排」所写 2024 年金额 50万元（即 500,000.00 元）与年度资金申请总额 2,100,000.00 元（H26）不一致。请核对说明或申报金额。"
    );
    assert_eq!(
        (f[0].expected.as_deref(), f[0].actual.as_deref()),
        (Some("2100000.00"), Some("500000.00"))
    );
    // Within the precision written: 210万 is 2,100,000 ± 5,000; 211万 is not.
    let f = added(|d| budget_text(d, 6, "2024年申请资金211万元"));
    assert_eq!(codes(&f), ["B006"], "{f:#?}");
    // Project 3's 需要资金90万元 agrees with 900,000.00; 95万 would not.
    let f = added(|d| {
        let t = d.projects[2].narrative.budget.clone().unwrap();
        assert!(t.contains("需要资金90万元"), "{t}");
        budget_text(d, 2, &t.replace("90万元", "95万元"));
    });
    assert_eq!(codes(&f), ["B006"], "{f:#?}");
    let f = added(|d| {
        budget_text(d, 6, "2024年申请资金2,100,000元，其中政府采购180万元");
        budget_text(d, 2, "全年合计90.0万元。");
    });
    assert!(f.is_empty(), "{f:#?}");
    // 二、立项依据 where it states the year's total: project 1's 全年合计100万元 agrees.
    let f = added(|d| {
        let r = d.projects[0].narrative.rationale.clone().unwrap();
        d.projects[0].narrative.rationale = Some(r.replace("全年合计100万元", "全年合计90万元"));
    });
    assert_eq!(codes(&f), ["B006"], "{f:#?}");
    assert!(f[0]
        .message
        .contains("「二、立项依据」所写 2024 年金额 90万元"));
}

#[test]
fn narrative_with_only_cumulative_or_other_years() {
    let f = added(|d| {
        budget_text(
            d,
            6,
            "可研批复总投资13526.06万元=11668.67万元+1213.29万元+644.10万元。2023年安排建设资金5000万元。",
        )
    });
    assert_eq!(codes(&f), ["B007"], "{f:#?}");
    assert_eq!(
        f[0].message,
        "项目「展示馆运维费」「六、年度预算安排」只写了累计或总投资金额（13526.06万元），没有写明 2024 年的预算安排金额。请补充本年度金额。"
    );
    let f = added(|d| budget_text(d, 6, "2023年安排建设资金5000万元。"));
    assert_eq!(codes(&f), ["B007"], "{f:#?}");
    assert!(f[0].message.contains("只写了2023 年的金额（5000万元）"));
    // Silent: the text explains the difference, states no amount, or only line items.
    let f = added(|d| {
        budget_text(d, 6, "2023年安排5000万元，本年使用上年结转资金，不再新增。");
        budget_text(d, 5, "按合同约定据实结算。");
        budget_text(
            d,
            4,
            "办公室绿植养护：每月1900元；档案数字化：全年1万（估）。",
        );
    });
    assert!(f.is_empty(), "{f:#?}");
}
