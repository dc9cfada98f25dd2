//! What a district reviewer and the peer checkers catch in the indicator table beyond
//! the framework: a word that does not fit its indicator (I013), a count measured as a
//! percentage or a rate as a count (I014), a cost written as a floor (I015), a rate above
//! 100% (I016), a placeholder for a value (I017) and a deadline after the planned end
//! (I018).

use super::indicators::{col as at, norm, row_en, row_zh, units_in};
use super::years::normalize;
use super::{finding, one_line, present, with_values, without_blanks, Proj};
use crate::model::{
    days_in_month, Date, Finding, Indicator, IndicatorColumn, Op, ProjectField, Severity,
    TargetKind,
};
use crate::values::{quote_short, to_halfwidth};

/// Where an indicator row sits, as far as the words that fit it go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Quantity,
    Quality,
    Time,
    Cost,
    Benefit,
    Satisfaction,
}

impl Place {
    fn of(i: &Indicator) -> Option<Place> {
        let l1 = present(&i.level1).map(norm).unwrap_or_default();
        let l2 = present(&i.level2).map(norm).unwrap_or_default();
        Some(match (l1.as_str(), l2.as_str()) {
            ("成本", _) | ("产出", "成本") => Place::Cost,
            ("产出", "数量") => Place::Quantity,
            ("产出", "质量") => Place::Quality,
            ("产出", "时效") => Place::Time,
            ("效益", _) => Place::Benefit,
            ("满意度", _) => Place::Satisfaction,
            _ => return None,
        })
    }

    fn zh(self) -> &'static str {
        match self {
            Place::Quantity => "数量指标",
            Place::Quality => "质量指标",
            Place::Time => "时效指标",
            Place::Cost => "成本指标",
            Place::Benefit => "效益指标",
            Place::Satisfaction => "满意度指标",
        }
    }
}

/// A kind of qualitative 指标值, the places it fits, and why.
struct WordClass {
    name: &'static str,
    name_en: &'static str,
    words: &'static [&'static str],
    fits: &'static [Place],
    /// Why the class fits only there (kept with the data so the table explains itself).
    #[allow(dead_code)]
    why: &'static str,
}

/// The vocabulary of qualitative values, kept as data. A value is looked up only when it
/// is one of these words as a whole (`及时`, not `及时率≥95%`); words that fit every
/// indicator (`完成`, `达到`, `实现`, `是`) are deliberately not listed, and 数量指标 rows
/// are left to I011, which asks for a number there.
const VOCABULARY: [WordClass; 4] = [
    WordClass {
        name: "时效用语",
        name_en: "a timeliness word",
        words: &[
            "及时", "按时", "准时", "如期", "按期", "及时完成", "按时完成", "按期完成", "如期完成",
        ],
        fits: &[Place::Time],
        why: "Says when, not how much or how well: it measures only a 时效指标.",
    },
    WordClass {
        name: "满意度用语",
        name_en: "a satisfaction word",
        words: &["满意", "非常满意", "比较满意", "较满意", "基本满意"],
        fits: &[Place::Satisfaction],
        why: "Someone's judgement of the service: it measures only a 满意度指标.",
    },
    WordClass {
        name: "质量等级",
        name_en: "a quality grade",
        words: &["优", "优秀", "良", "良好", "合格", "达标", "高质量"],
        fits: &[Place::Quality, Place::Benefit, Place::Satisfaction],
        why: "A grade of how well: fits quality, outcome and satisfaction, not a deadline or a cost.",
    },
    WordClass {
        name: "效果用语",
        name_en: "an effect word",
        words: &[
            "有效", "显著", "明显", "显著提升", "明显提升", "有所提升", "提升", "提高", "改善",
            "增强",
        ],
        fits: &[Place::Benefit, Place::Cost, Place::Quality],
        why: "Says an effect was had: fits outcomes, cost control (有效控制) and quality, not a deadline or satisfaction.",
    },
];

/// Runs the review rules on one project's indicators.
pub(crate) fn check(p: &Proj, out: &mut Vec<Finding>) {
    for (k, i) in p.project.indicators.iter().enumerate() {
        let Some(t) = &i.target else { continue };
        let place = Place::of(i);
        let name = present(&i.name);
        if is_placeholder(t.text()) {
            placeholder(p, k, i, out);
            continue;
        }
        match t.kind() {
            TargetKind::Qualitative => {
                if let Some(place) = place {
                    word_fits(p, k, i, place, out);
                }
            }
            TargetKind::Quantitative { op, value, unit } => {
                let unit = unit.as_deref().map(|u| to_halfwidth(&without_blanks(u)));
                let percent = unit.as_deref() == Some("%");
                if let Some(name) = name {
                    count_against_rate(p, k, i, name, percent, unit.as_deref(), out);
                }
                // Only an amount: a rate under 成本指标 (预算执行率 ≥95%) is rightly a floor.
                let money = unit.as_deref().is_some_and(|u| MONEY_UNITS.contains(&u));
                if place == Some(Place::Cost) && money && matches!(op, Op::Ge | Op::Gt) {
                    cost_floor(p, k, i, *op, out);
                }
                let growth = name.is_some_and(|n| GROWTH.iter().any(|g| n.contains(g)));
                if percent
                    && matches!(op, Op::Ge | Op::Gt | Op::Eq)
                    && *value > rust_decimal::Decimal::ONE_HUNDRED
                    && !growth
                {
                    over_hundred(p, k, i, out);
                }
            }
            TargetKind::Deadline { year, month, day } => {
                deadline_after_end(p, k, i, (*year, *month, *day), out);
            }
            TargetKind::Unparsed => {}
        }
    }
}

fn value_text(i: &Indicator) -> String {
    i.target
        .as_ref()
        .map(|t| one_line(t.text()))
        .unwrap_or_default()
}

/// I013: a qualitative value from the vocabulary sits under an indicator it fits.
fn word_fits(p: &Proj, k: usize, i: &Indicator, place: Place, out: &mut Vec<Finding>) {
    if place == Place::Quantity {
        return;
    }
    let text = value_text(i);
    let qt = quote_short(&text);
    let word = text.trim_end_matches(['。', '.']);
    let Some(class) = VOCABULARY.iter().find(|c| c.words.contains(&word)) else {
        return;
    };
    if class.fits.contains(&place) {
        return;
    }
    let fits = class
        .fits
        .iter()
        .map(|f| f.zh())
        .collect::<Vec<_>>()
        .join("、");
    let f = finding(
        "I013",
        Severity::Warning,
        p.loc(at(k, IndicatorColumn::Target)),
        format!(
            "{}{}是{}，指标值「{qt}」却是{}（用于{fits}）。请改写为能衡量该指标的指标值。",
            p.label_zh(),
            row_zh(k, i),
            place.zh()
            ,class.name
        ),
        format!(
            "{}: {} is a {}, but its value “{qt}” is {} (for {fits}). Write a value that measures this indicator.",
            p.label_en(),
            row_en(k, i),
            place.zh(),
            class.name_en
        ),
    );
    out.push(with_values(f, fits, text));
}

/// Words in a 三级指标 that name a count without a figure (`召开会议次数`).
const COUNT_WORDS: [&str; 13] = [
    "次数", "场数", "个数", "人数", "家数", "户数", "件数", "项数", "篇数", "期数", "场次", "人次",
    "批次",
];

/// Words that make a 三级指标 a rate or share.
const RATE_WORDS: [&str; 6] = ["率", "比例", "占比", "比重", "百分比", "满意度"];

/// Units that are counts (not money, area, weight or length): a rate measured in one of
/// them counts something else.
const COUNT_UNITS: [&str; 19] = [
    "人次", "场次", "家次", "户次", "批次", "场", "次", "家", "个", "人", "名", "位", "项", "件",
    "篇", "期", "批", "户", "所",
];

/// A rate may exceed 100% when it measures growth (`增长率≥120%` doubles and more).
const GROWTH: [&str; 8] = [
    "增长", "增幅", "增速", "增加", "提高", "提升", "同比", "环比",
];

/// I014: a count named in the 三级指标 (`服务企业100个`, `召开会议次数`) is not measured
/// in %, and a rate (`参与率`, `满意度`) is not measured in a counted unit.
fn count_against_rate(
    p: &Proj,
    k: usize,
    i: &Indicator,
    name: &str,
    percent: bool,
    unit: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let plain = to_halfwidth(&without_blanks(name));
    let counted: Option<String> = units_in(&normalize(name))
        .into_iter()
        .find(|u| COUNT_UNITS.contains(u))
        .map(str::to_string)
        .or_else(|| {
            COUNT_WORDS
                .iter()
                .find(|w| plain.contains(*w))
                .map(|w| w.to_string())
        });
    let rate = RATE_WORDS.iter().find(|w| plain.contains(*w));
    let text = value_text(i);
    let qt = quote_short(&text);
    let (zh, en, expected, actual) = match (counted, rate) {
        (Some(c), None) if percent => (
            format!("按“{c}”计数，指标值「{qt}」却是百分比"),
            format!("counts in “{c}”, but its value “{qt}” is a percentage"),
            c,
            "%".to_string(),
        ),
        (None, Some(r)) => match unit.filter(|u| COUNT_UNITS.contains(u)) {
            Some(u) => (
                format!("是比率（“{r}”），指标值「{qt}」却以“{u}”计数"),
                format!("is a rate (“{r}”), but its value “{qt}” counts in “{u}”"),
                "%".to_string(),
                u.to_string(),
            ),
            None => return,
        },
        _ => return,
    };
    let f = finding(
        "I014",
        Severity::Warning,
        p.loc(at(k, IndicatorColumn::Target)),
        format!(
            "{}{}{zh}。请统一计量方式：计数写成如 ≥10.00(个)，比率写成如 ≥95.00(%)。",
            p.label_zh(),
            row_zh(k, i)
        ),
        format!(
            "{}: {} {en}. Measure a count in its unit (≥10.00(个)) and a rate in % (≥95.00(%)).",
            p.label_en(),
            row_en(k, i)
        ),
    );
    out.push(with_values(f, expected, actual));
}

/// Units of an amount of money.
const MONEY_UNITS: [&str; 5] = ["元", "万元", "万", "亿元", "千元"];

/// Words that make a floor right on a cost row: what is saved or cut.
const SAVING: [&str; 6] = ["节约", "节省", "降低", "下降", "压减", "减少"];

/// I015: a 成本指标 caps a cost (≤, ＜); a floor (≥, ＞) asks for spending at least so much.
fn cost_floor(p: &Proj, k: usize, i: &Indicator, op: Op, out: &mut Vec<Finding>) {
    if present(&i.name).is_some_and(|n| SAVING.iter().any(|s| n.contains(s))) {
        return;
    }
    let text = value_text(i);
    let qt = quote_short(&text);
    let ceiling = if op == Op::Ge { "≤" } else { "＜" };
    let f = finding(
        "I015",
        Severity::Warning,
        p.loc(at(k, IndicatorColumn::Target)),
        format!(
            "{}{}是成本指标，指标值「{qt}」却写成下限（{}）。成本指标应控制上限，请改用 {ceiling}。",
            p.label_zh(),
            row_zh(k, i),
            op.symbol()
        ),
        format!(
            "{}: {} is a cost indicator, but its value “{qt}” is a floor ({}). A cost is capped: use {ceiling}.",
            p.label_en(),
            row_en(k, i),
            op.symbol()
        ),
    );
    out.push(with_values(f, ceiling, op.symbol()));
}

/// I016: a rate or percentage (other than a growth rate) asks for at most 100%.
fn over_hundred(p: &Proj, k: usize, i: &Indicator, out: &mut Vec<Finding>) {
    let text = value_text(i);
    let qt = quote_short(&text);
    let f = finding(
        "I016",
        Severity::Warning,
        p.loc(at(k, IndicatorColumn::Target)),
        format!(
            "{}{}的指标值「{qt}」超过 100%。比率或百分比最高为 100%，请核对。",
            p.label_zh(),
            row_zh(k, i)
        ),
        format!(
            "{}: {} has the value “{qt}”, above 100%. A rate or share is at most 100%.",
            p.label_en(),
            row_en(k, i)
        ),
    );
    out.push(with_values(f, "100", text));
}

/// True when a 指标值 is a placeholder left for later: `XX`, `＊`/`*`, `待定`, `待补充`,
/// or `略` alone.
pub(super) fn is_placeholder(text: &str) -> bool {
    let t = to_halfwidth(&without_blanks(text)).to_uppercase();
    t.contains("XX")
        || t.contains('*')
        || t.contains("待定")
        || t.contains("待补充")
        || t.trim_end_matches(['。', '.']) == "略"
}

/// I017: a 指标值 is not a placeholder.
fn placeholder(p: &Proj, k: usize, i: &Indicator, out: &mut Vec<Finding>) {
    let text = value_text(i);
    let qt = quote_short(&text);
    let f = finding(
        "I017",
        Severity::Error,
        p.loc(at(k, IndicatorColumn::Target)),
        format!(
            "{}{}的指标值「{qt}」是占位内容，尚未填写实际目标。请填写，如 ≥85.00(%)、2024年12月31日前 或 完成。",
            p.label_zh(),
            row_zh(k, i)
        ),
        format!(
            "{}: {} has the placeholder “{qt}” for a value. Fill in the real target.",
            p.label_en(),
            row_en(k, i)
        ),
    );
    out.push(with_values(f, "", text));
}

/// The last day a deadline allows: `2024年12月前` is the end of December, `2024年底前`
/// the end of the year.
fn last_day(year: i32, month: Option<u8>, day: Option<u8>, text: &str) -> Option<Date> {
    // `2025年前` may mean "before 2025": a year alone counts only as 年底/年末.
    if month.is_none() && !(text.contains('底') || text.contains('末')) {
        return None;
    }
    let month = month.unwrap_or(12);
    if !(1..=12).contains(&month) {
        return None;
    }
    Date::new(
        year,
        month,
        day.unwrap_or_else(|| days_in_month(year, month)),
    )
}

/// I018: a deadline in a 指标值 is not later than the project's planned end.
fn deadline_after_end(
    p: &Proj,
    k: usize,
    i: &Indicator,
    (year, month, day): (Option<i32>, Option<u8>, Option<u8>),
    out: &mut Vec<Finding>,
) {
    let (Some(year), Some(end)) = (year, p.project.header.end) else {
        return;
    };
    // Dates out of order (D003) or a project ended before the budget year (D004): the
    // planned dates are what is wrong, and those rules say so.
    if p.planned_years().is_none() || p.year().is_some_and(|y| end.year() < y) {
        return;
    }
    let text = value_text(i);
    let qt = quote_short(&text);
    let Some(deadline) = last_day(year, month, day, &text) else {
        return;
    };
    if deadline <= end {
        return;
    }
    let end_cell =
        super::at_cell(&p.cell_name(ProjectField::Header(crate::model::HeaderField::End)));
    let f = finding(
        "I018",
        Severity::Warning,
        p.loc(at(k, IndicatorColumn::Target)),
        format!(
            "{}{}的时限「{qt}」晚于计划完成日期 {end}{end_cell}。项目完成后的时限无法考核，请核对指标值或计划日期。",
            p.label_zh(),
            row_zh(k, i)
        ),
        format!(
            "{}: {} sets the deadline “{qt}”, after the planned end {end}. Check the value or the planned dates.",
            p.label_en(),
            row_en(k, i)
        ),
    );
    out.push(with_values(f, end.to_string(), deadline.to_string()));
}
