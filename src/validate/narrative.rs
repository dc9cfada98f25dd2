//! The narrative against the form: 六、年度预算安排 (and 二、立项依据 where it states a
//! year's total) often gives the year's amount in words (`2024年申请资金210万元`,
//! `全年合计100万元`); it must be 年度资金申请总额, within the precision written (B006).
//! A 年度预算安排 that gives only cumulative or other years' amounts leaves the declared
//! year's amount unstated (B007).

use rust_decimal::Decimal;

use super::precision::{compare, Interval};
use super::years::normalize;
use super::{finding, in_range, one_line, present, with_values, Proj};
use crate::model::{Finding, FundField, Money, ProjectField, Section, Severity};

/// Words that explain why the text's amount differs from the year's: nothing is compared.
const EXPLAINED: [&str; 4] = ["上年结转", "已在上年安排", "结转资金", "以前年度结转"];

/// Words that make an amount cumulative (the whole project, not the year).
const CUMULATIVE: [&str; 8] = [
    "总投资",
    "累计",
    "批复",
    "概算",
    "总预算",
    "项目总额",
    "总额",
    "总共",
];

/// Words that make an amount without a year the year's total.
const TOTAL: [&str; 12] = [
    "全年合计",
    "全年共计",
    "全年预算",
    "年度预算",
    "合计",
    "共计",
    "总计",
    "申请资金",
    "预算安排",
    "安排资金",
    "需要资金",
    "所需资金",
];

/// What an amount in the text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The declared year's amount (named with the year, or as the year's total).
    Declared,
    /// Another year's amount.
    OtherYear(i32),
    /// A whole-project or running total.
    Cumulative,
}

/// An amount as written: value and unit, and the interval it stands for in 元.
#[derive(Clone, Debug)]
struct Stated {
    written: String,
    interval: Interval,
    kind: Kind,
}

/// Runs the narrative rules on one project.
pub(crate) fn check(p: &Proj, out: &mut Vec<Finding>) {
    let Some(year) = p.year() else { return };
    let Some(annual) = p.project.funds.annual_total.filter(|m| in_range(*m)) else {
        return;
    };
    let n = &p.project.narrative;
    for (section, text, zh) in [
        (Section::Budget, &n.budget, "六、年度预算安排"),
        (Section::Rationale, &n.rationale, "二、立项依据"),
    ] {
        let Some(text) = present(text) else { continue };
        let chars = normalize(text);
        let plain: String = chars.iter().collect();
        if EXPLAINED.iter().any(|w| plain.contains(w)) {
            continue;
        }
        let amounts = amounts(&chars, year);
        let declared: Vec<&Stated> = amounts
            .iter()
            .filter(|a| a.kind == Kind::Declared)
            .collect();
        if !declared.is_empty() {
            if declared
                .iter()
                .any(|a| compare(a.interval, annual).is_none())
            {
                continue;
            }
            differs(p, section, zh, declared[0], annual, year, out);
        } else if section == Section::Budget {
            if let Some(first) = amounts.first() {
                only_other(p, first, year, out);
            }
        }
    }
}

/// The amounts of a text that say what they are, clause by clause: the first amount of a
/// clause that names a year, a cumulative word or a total word. Line items
/// (`办公室绿植养护：每月1900元`) say none and are left out.
fn amounts(chars: &[char], year: i32) -> Vec<Stated> {
    let mut found = Vec::new();
    for clause in chars.split(|c| matches!(c, '。' | '；' | ';' | '，' | ',' | '!' | '！' | '\n'))
    {
        let Some((at, written, interval)) = first_amount(clause) else {
            continue;
        };
        let before: String = clause[..at].iter().collect();
        let years = years_in(&clause[..at]);
        let kind = if years.contains(&year) {
            Kind::Declared
        } else if let Some(y) = years.first() {
            Kind::OtherYear(*y)
        } else if CUMULATIVE.iter().any(|w| before.contains(w)) {
            Kind::Cumulative
        } else if TOTAL.iter().any(|w| before.contains(w)) {
            Kind::Declared
        } else {
            continue;
        };
        // A cumulative word after a year (`2024年累计投入`) is still not the year's amount.
        let kind = if kind == Kind::Declared
            && !years.is_empty()
            && CUMULATIVE.iter().any(|w| before.contains(w))
        {
            Kind::Cumulative
        } else {
            kind
        };
        found.push(Stated {
            written,
            interval,
            kind,
        });
    }
    found
}

/// Years written as `2024年` (also `2024年度`) in a clause.
fn years_in(chars: &[char]) -> Vec<i32> {
    let mut out = Vec::new();
    for i in 0..chars.len().saturating_sub(4) {
        let digits = &chars[i..i + 4];
        if chars.get(i + 4) != Some(&'年')
            || !digits.iter().all(char::is_ascii_digit)
            || (i > 0 && chars[i - 1].is_ascii_digit())
        {
            continue;
        }
        let y: String = digits.iter().collect();
        if let Ok(y) = y.parse::<i32>() {
            if (1990..2100).contains(&y) {
                out.push(y);
            }
        }
    }
    out
}

/// The first money figure of a clause (`210万元`, `1,000,000元`, `1.2亿元`), where it
/// starts, and the interval it stands for: half its last written digit either side
/// (`210万元` = 2,100,000 ± 5,000 元). Rates (`2.5万/人/年`) and names (`G60`) are not
/// amounts.
fn first_amount(chars: &[char]) -> Option<(usize, String, Interval)> {
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let start = i;
        let named = i > 0 && chars[i - 1].is_ascii_alphabetic();
        while i < chars.len() && (chars[i].is_ascii_digit() || matches!(chars[i], '.' | ',')) {
            i += 1;
        }
        if named {
            continue;
        }
        let number: String = chars[start..i].iter().filter(|c| **c != ',').collect();
        let rest = &chars[i..];
        let starts = |w: &str| w.chars().enumerate().all(|(k, c)| rest.get(k) == Some(&c));
        let (scale, len) = if starts("亿元") || starts("亿") {
            (
                Decimal::from(100_000_000),
                if starts("亿元") { 2 } else { 1 },
            )
        } else if starts("万元") || starts("万") {
            (Decimal::from(10_000), if starts("万元") { 2 } else { 1 })
        } else if starts("元") {
            (Decimal::ONE, 1)
        } else {
            continue;
        };
        if rest.get(len) == Some(&'/') {
            continue;
        }
        let Ok(value) = number.trim_end_matches('.').parse::<Decimal>() else {
            continue;
        };
        let (Some(yuan), Some(half)) = (
            value.checked_mul(scale),
            Decimal::new(5, value.scale() + 1).checked_mul(scale),
        ) else {
            continue;
        };
        // Figures in 元 are exact, as everywhere else (precision.rs).
        let tolerance = if scale == Decimal::ONE {
            Money::ZERO
        } else {
            Money::from_yuan(half)
        };
        let written: String = chars[start..i + len].iter().collect();
        let money = Money::from_yuan(yuan);
        if !in_range(money) {
            continue;
        }
        return Some((
            start,
            written,
            Interval {
                value: money,
                tolerance,
            },
        ));
    }
    None
}

/// B006: the year's amount in the text is 年度资金申请总额.
fn differs(
    p: &Proj,
    section: Section,
    zh: &str,
    stated: &Stated,
    annual: Money,
    year: i32,
    out: &mut Vec<Finding>,
) {
    let written = one_line(&stated.written);
    let cell = super::at_cell(&p.cell_name(ProjectField::Fund(FundField::AnnualTotal)));
    let f = finding(
        "B006",
        Severity::Warning,
        p.loc(ProjectField::Narrative(section)),
        format!(
            "{}「{zh}」所写 {year} 年金额 {written}（即 {} 元）与年度资金申请总额 {annual} 元{cell}不一致。请核对说明或申报金额。",
            p.label_zh(),
            stated.interval.value
        ),
        format!(
            "{}: “{zh}” states {written} (= {}) for {year}, but 年度资金申请总额 (annual amount) is {annual}. Check the text or the figure.",
            p.label_en(),
            stated.interval.value
        ),
    );
    out.push(with_values(
        f,
        annual.plain(),
        stated.interval.value.plain(),
    ));
}

/// B007: a 年度预算安排 that states amounts states the declared year's.
fn only_other(p: &Proj, first: &Stated, year: i32, out: &mut Vec<Finding>) {
    let written = one_line(&first.written);
    let (what, what_en) = match first.kind {
        Kind::OtherYear(y) => (format!("{y} 年的金额"), format!("the amount for {y}")),
        _ => (
            "累计或总投资金额".to_string(),
            "a cumulative or total amount".to_string(),
        ),
    };
    let f = finding(
        "B007",
        Severity::Warning,
        p.loc(ProjectField::Narrative(Section::Budget)),
        format!(
            "{}「六、年度预算安排」只写了{what}（{written}），没有写明 {year} 年的预算安排金额。请补充本年度金额。",
            p.label_zh()
        ),
        format!(
            "{}: “六、年度预算安排” states only {what_en} ({written}), not the amount for {year}. State this year's amount.",
            p.label_en()
        ),
    );
    out.push(with_values(f, year.to_string(), written));
}
