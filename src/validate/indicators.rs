//! 绩效指标: the framework's 一级/二级 pairs, the required kinds, complete rows, and
//! values that say what they mean for the declared year.

use std::borrow::Cow;
use std::ops::Range;

use super::review::is_placeholder;
use super::years::{accepted, is_baseline, normalize_into, scan};
use super::{finding, one_line, present, trim, with_values, without_blanks, Proj};
use crate::model::framework::FRAMEWORK;
use crate::model::{Finding, Indicator, IndicatorColumn, ProjectField, Severity, TargetKind};
use crate::values::{halfwidth_char, normalize_label, quote_short};

/// Units of count and money that a 三级指标 may name with a figure (`100场`, `5次`).
/// Time words (年, 月, 日, 天) are left out: they name dates as often as quantities.
const UNITS: [&str; 46] = [
    "平方米",
    "人次",
    "场次",
    "家次",
    "户次",
    "批次",
    "课时",
    "学时",
    "万元",
    "亿元",
    "公里",
    "元",
    "万",
    "场",
    "次",
    "家",
    "个",
    "人",
    "名",
    "位",
    "项",
    "件",
    "篇",
    "期",
    "批",
    "户",
    "所",
    "台",
    "套",
    "份",
    "条",
    "本",
    "册",
    "部",
    "座",
    "处",
    "辆",
    "亩",
    "吨",
    "门",
    "类",
    "张",
    "支",
    "组",
    "队",
    "间",
];

/// Runs the indicator rules. `work` is kept from project to project of one workbook.
pub(crate) fn check<'a>(p: &Proj<'a>, work: &mut Work<'a>, out: &mut Vec<Finding>) {
    work.read(p);
    let rows = Rows {
        list: &work.rows,
        chars: &work.chars,
        level1: &work.level1,
        level2: &work.level2,
    };
    required_kinds(p, &rows, out);
    levels_present(p, &rows, out);
    level1_known(p, &rows, out);
    level2_fits(p, &rows, out);
    name_present(p, &rows, out);
    value_present(p, &rows, out);
    value_readable(p, &rows, out);
    year_matches(p, &rows, out);
    unit_matches_name(p, &rows, out);
    quantity_is_numeric(p, &rows, out);
    no_duplicates(p, &rows, out);
}

/// Label text without blanks and without the trailing 指标: `经济成本\n指标` → `经济成本`.
pub(super) fn norm(s: &str) -> String {
    let mut t = normalize_label(s);
    if t.ends_with("指标") {
        t.truncate(t.len() - "指标".len());
    }
    t
}

/// What the indicator rules read from a workbook's rows, worked out once: the rules
/// used to re-filter the rows and normalize the levels and texts again, rule by rule,
/// for every row. The buffers are reused from project to project.
#[derive(Default)]
pub(crate) struct Work<'a> {
    /// The labels of all projects: the forms repeat a dozen over every row.
    level1: Labels<'a>,
    level2: Labels<'a>,
    /// The current project's filled-in rows, in form order.
    rows: Vec<Row<'a>>,
    /// Their normalized texts (see [`Row::name_chars`]).
    chars: Vec<char>,
}

impl<'a> Work<'a> {
    /// Reads the rows of `p`, replacing the previous project's.
    fn read(&mut self, p: &Proj<'a>) {
        self.rows.clear();
        self.rows.reserve(p.project.indicators.len());
        self.chars.clear();
        for (k, i) in p.project.indicators.iter().enumerate() {
            let (level1, level2, name) = (present(&i.level1), present(&i.level2), present(&i.name));
            let value = i.target.as_ref().map(|t| t.text());
            let has_value = value.is_some_and(|t| !trim(t).is_empty());
            if level1.is_none() && level2.is_none() && name.is_none() && !has_value {
                continue;
            }
            let name_chars = with_digits(name, &mut self.chars);
            let value_chars = with_digits(value, &mut self.chars);
            self.rows.push(Row {
                k,
                i,
                level1: level1.map(|l| self.level1.place(l)),
                level2: level2.map(|l| self.level2.place(l)),
                name,
                has_value,
                name_chars,
                value_chars,
            });
        }
    }
}

/// Appends `text` as `years::normalize` reads it to `chars` when it has a digit, and
/// returns where it is. Without a digit (ASCII, or full-width before `halfwidth_char`)
/// no rule finds a year or a figure in a text, so it is left out.
fn with_digits(text: Option<&str>, chars: &mut Vec<char>) -> Range<usize> {
    let start = chars.len();
    if let Some(text) = text {
        if text.chars().any(|c| halfwidth_char(c).is_ascii_digit()) {
            normalize_into(text, chars);
        }
    }
    start..chars.len()
}

/// A label as written, as compared ([`norm`]), and where it stands in the framework,
/// worked out on first sight.
struct Label<'a> {
    written: &'a str,
    text: String,
    /// As a 一级指标: its place in [`framework`].
    framework: Option<usize>,
    /// As a 二级指标: bit `f` is set when it belongs under the framework's `f`th 一级指标.
    under: u32,
}

// One bit for each 一级指标 of the framework.
const _: () = assert!(FRAMEWORK.len() <= 32);

/// Labels as written and as compared.
#[derive(Default)]
struct Labels<'a> {
    list: Vec<Label<'a>>,
    /// The place last given: rows under one 一级指标 follow each other.
    last: usize,
}

impl<'a> Labels<'a> {
    /// How many labels are looked through before normalizing afresh: a workbook uses far
    /// fewer, and the bound keeps a form full of distinct labels linear.
    const SEARCHED: usize = 64;

    /// The place of `written` in the list, normalized on first sight.
    fn place(&mut self, written: &'a str) -> usize {
        if self
            .list
            .get(self.last)
            .is_some_and(|l| l.written == written)
        {
            return self.last;
        }
        let mut known = self.list.iter().take(Self::SEARCHED);
        self.last = match known.position(|l| l.written == written) {
            Some(at) => at,
            None => {
                let text = norm(written);
                let levels = framework();
                let framework = levels.iter().position(|(k, _)| *k == text);
                let under = levels
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, allowed))| allowed.contains(&text))
                    .fold(0, |bits, (f, _)| bits | 1 << f);
                self.list.push(Label {
                    written,
                    text,
                    framework,
                    under,
                });
                self.list.len() - 1
            }
        };
        self.last
    }

    fn get(&self, at: usize) -> &Label<'a> {
        &self.list[at]
    }
}

/// A row someone filled in.
struct Row<'a> {
    /// The row's index in the model.
    k: usize,
    i: &'a Indicator,
    /// 一级/二级指标, when written, as places in [`Work::level1`] and [`Work::level2`]
    /// (read with [`Rows::level1`] and [`Rows::level2`]).
    level1: Option<usize>,
    level2: Option<usize>,
    /// The 三级指标, when it holds more than blanks.
    name: Option<&'a str>,
    /// True when the 指标值 holds more than blanks.
    has_value: bool,
    /// The name and the 指标值 as `years::normalize` reads them, in [`Work::chars`];
    /// empty for a text without a digit (see [`with_digits`]).
    name_chars: Range<usize>,
    value_chars: Range<usize>,
}

/// What the rules see of one project's rows.
struct Rows<'w, 'a> {
    list: &'w [Row<'a>],
    chars: &'w [char],
    level1: &'w Labels<'a>,
    level2: &'w Labels<'a>,
}

impl<'w, 'a> Rows<'w, 'a> {
    fn iter(&self) -> std::slice::Iter<'w, Row<'a>> {
        self.list.iter()
    }

    /// The row's 一级指标, when written.
    fn level1(&self, r: &Row) -> Option<&'w Label<'a>> {
        r.level1.map(|at| self.level1.get(at))
    }

    /// The row's 二级指标, when written.
    fn level2(&self, r: &Row) -> Option<&'w Label<'a>> {
        r.level2.map(|at| self.level2.get(at))
    }

    /// The row's 一级指标 as compared, when written.
    fn level1_text(&self, r: &Row) -> Option<&'w str> {
        self.level1(r).map(|l| l.text.as_str())
    }

    /// The row's 二级指标 as compared, when written.
    fn level2_text(&self, r: &Row) -> Option<&'w str> {
        self.level2(r).map(|l| l.text.as_str())
    }

    fn text(&self, range: &Range<usize>) -> &'w [char] {
        &self.chars[range.clone()]
    }
}

pub(super) fn col(index: usize, column: IndicatorColumn) -> ProjectField {
    ProjectField::Indicator { index, column }
}

/// `第 2 条指标「相关方满意度」`
pub(super) fn row_zh(k: usize, i: &Indicator) -> String {
    match present(&i.name).map(one_line) {
        Some(n) => format!("第 {} 条指标「{}」", k + 1, quote_short(&n)),
        None => format!("第 {} 条指标", k + 1),
    }
}

pub(super) fn row_en(k: usize, i: &Indicator) -> String {
    match present(&i.name).map(one_line) {
        Some(n) => format!("indicator {} “{}”", k + 1, quote_short(&n)),
        None => format!("indicator {}", k + 1),
    }
}

/// I001 / I002: every project has 产出, 效益 and 满意度 indicators (error when missing);
/// a 成本指标 is asked for in principle (warning). An older form's 产出指标/成本指标
/// counts as a cost indicator.
fn required_kinds(p: &Proj, rows: &Rows, out: &mut Vec<Finding>) {
    let has = |k: &str| rows.iter().any(|r| rows.level1_text(r) == Some(k));
    // Looked up only for a finding: most projects have every kind.
    let loc = || p.loc_any(&[col(0, IndicatorColumn::Level1), ProjectField::Title]);
    for (kind, en) in [
        ("产出", "output"),
        ("效益", "outcome"),
        ("满意度", "satisfaction"),
    ] {
        if has(kind) {
            continue;
        }
        out.push(finding(
            "I001",
            Severity::Error,
            loc(),
            format!(
                "{}缺少{kind}指标。每个项目都须设置产出指标、效益指标和满意度指标，请补充。",
                p.label_zh()
            ),
            format!(
                "{}: no {kind}指标 ({en} indicator). Every project needs output, outcome and satisfaction indicators.",
                p.label_en()
            ),
        ));
    }
    let has_cost = has("成本")
        || rows
            .iter()
            .any(|r| rows.level1_text(r) == Some("产出") && rows.level2_text(r) == Some("成本"));
    if !has_cost {
        out.push(finding(
            "I002",
            Severity::Warning,
            loc(),
            format!(
                "{}没有成本指标。原则上每个项目都应设置成本指标（如经济成本指标），请补充。",
                p.label_zh()
            ),
            format!(
                "{}: no 成本指标 (cost indicator); one is expected in principle (e.g. 经济成本指标).",
                p.label_en()
            ),
        ));
    }
}

/// I003: every row names its 一级 and 二级指标.
fn levels_present(p: &Proj, rows: &Rows, out: &mut Vec<Finding>) {
    for r in rows.iter() {
        let (k, i) = (r.k, r.i);
        let missing: Vec<(&str, IndicatorColumn)> = [
            ("一级指标", IndicatorColumn::Level1, r.level1.is_none()),
            ("二级指标", IndicatorColumn::Level2, r.level2.is_none()),
        ]
        .into_iter()
        .filter(|m| m.2)
        .map(|m| (m.0, m.1))
        .collect();
        let Some((_, column)) = missing.first() else {
            continue;
        };
        let names = missing.iter().map(|m| m.0).collect::<Vec<_>>().join("和");
        out.push(finding(
            "I003",
            Severity::Error,
            p.loc(col(k, *column)),
            format!(
                "{}{}未填{names}。请按指标体系填写。",
                p.label_zh(),
                row_zh(k, i)
            ),
            format!(
                "{}: {} has no {names} (indicator level). Fill it in from the framework.",
                p.label_en(),
                row_en(k, i)
            ),
        ));
    }
}

/// The framework's 一级指标 with the 二级指标 allowed under each, all compared without
/// the trailing 指标 (`model::framework`; 产出/成本 is the older forms' place for cost).
fn framework() -> &'static [(String, Vec<String>)] {
    static NORMALIZED: std::sync::OnceLock<Vec<(String, Vec<String>)>> = std::sync::OnceLock::new();
    NORMALIZED.get_or_init(|| {
        FRAMEWORK
            .iter()
            .map(|(k, v)| (norm(k), v.iter().map(|l2| norm(l2)).collect()))
            .collect()
    })
}

/// I004: the 一级指标 is one of the framework's four.
fn level1_known(p: &Proj, rows: &Rows, out: &mut Vec<Finding>) {
    for r in rows.iter() {
        let (k, i) = (r.k, r.i);
        let Some(l1) = rows.level1(r) else { continue };
        if l1.framework.is_some() {
            continue;
        }
        let written = one_line(present(&i.level1).unwrap_or_default());
        let qw = quote_short(&written);
        let guess = closest(&l1.text, &written, FRAMEWORK.iter().map(|(name, _)| *name));
        let f = match guess {
            Some(guess) => with_values(
                finding(
                    "I004",
                    Severity::Warning,
                    p.loc(col(k, IndicatorColumn::Level1)),
                    format!(
                        "{}{}的一级指标「{qw}」不在指标体系中，应是「{guess}」吧？请改正。",
                        p.label_zh(),
                        row_zh(k, i)
                    ),
                    format!(
                        "{}: {} has 一级指标 “{qw}”, which is not in the framework; did you mean “{guess}”?",
                        p.label_en(),
                        row_en(k, i)
                    ),
                ),
                guess,
                written,
            ),
            None => finding(
                "I004",
                Severity::Warning,
                p.loc(col(k, IndicatorColumn::Level1)),
                format!(
                    "{}{}的一级指标「{qw}」不在指标体系中，应为成本指标、产出指标、效益指标、满意度指标之一。请改正。",
                    p.label_zh(),
                    row_zh(k, i)
                ),
                format!(
                    "{}: {} has 一级指标 “{qw}”, which is not in the framework (成本/产出/效益/满意度指标).",
                    p.label_en(),
                    row_en(k, i)
                ),
            ),
        };
        out.push(f);
    }
}

/// The framework name a mistyped one most likely is (`产出指票` → `产出指标`, `效果指标`
/// → `效益指标`, `满意指标` → `满意度指标`): the one at the smallest edit distance over
/// characters, when that distance is at most a third of the name and no other name is as
/// close. `text` is compared as [`norm`] leaves it with 指标 put back, and as written
/// (`产出指票` keeps its last two characters).
fn closest(
    text: &str,
    written: &str,
    names: impl Iterator<Item = &'static str>,
) -> Option<&'static str> {
    let with_suffix: Vec<char> = format!("{text}指标").chars().collect();
    let as_written: Vec<char> = normalize_label(written).chars().collect();
    let mut best: Option<(usize, &'static str)> = None;
    let mut tied = false;
    for name in names {
        let chars: Vec<char> = name.chars().collect();
        let d = edit_distance(&with_suffix, &chars).min(edit_distance(&as_written, &chars));
        if d == 0 || d * 3 > chars.len() {
            continue;
        }
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tied = true,
            _ => {
                best = Some((d, name));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied).map(|(_, name)| name)
}

/// Levenshtein distance over characters; labels are short, the bound keeps a pasted
/// paragraph from costing more than a glance.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    if a.len() > 64 || b.len() > 64 {
        return a.len().max(b.len());
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (x, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = x + 1;
        for (y, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[y + 1];
            row[y + 1] = substitute.min(row[y] + 1).min(row[y + 1] + 1);
        }
    }
    row[b.len()]
}

/// I005: the 二级指标 belongs to its 一级指标 (with or without the trailing 指标).
fn level2_fits(p: &Proj, rows: &Rows, out: &mut Vec<Finding>) {
    for r in rows.iter() {
        let (k, i) = (r.k, r.i);
        let (Some(l1), Some(l2)) = (rows.level1(r), rows.level2(r)) else {
            continue;
        };
        let Some(f) = l1.framework else {
            continue;
        };
        if l2.under & 1 << f != 0 {
            continue;
        }
        let (l1, allowed) = (&l1.text, &framework()[f].1);
        let choices = allowed
            .iter()
            .map(|a| format!("{a}指标"))
            .collect::<Vec<_>>()
            .join("、");
        let written = one_line(present(&i.level2).unwrap_or_default());
        let qw = quote_short(&written);
        // A name known nowhere in the framework is a slip; guess among those allowed here.
        let names = FRAMEWORK
            .get(f)
            .map(|(_, names)| *names)
            .unwrap_or_default();
        let guess = (l2.under == 0)
            .then(|| closest(&l2.text, &written, names.iter().copied()))
            .flatten();
        let f = match guess {
            Some(guess) => with_values(
                finding(
                    "I005",
                    Severity::Warning,
                    p.loc(col(k, IndicatorColumn::Level2)),
                    format!(
                        "{}{}的二级指标「{qw}」不属于{l1}指标，应是「{guess}」吧？请改正。",
                        p.label_zh(),
                        row_zh(k, i)
                    ),
                    format!(
                        "{}: {} has 二级指标 “{qw}”, which does not belong under {l1}指标; did you mean “{guess}”?",
                        p.label_en(),
                        row_en(k, i)
                    ),
                ),
                guess,
                written,
            ),
            None => with_values(
                finding(
                    "I005",
                    Severity::Warning,
                    p.loc(col(k, IndicatorColumn::Level2)),
                    format!(
                        "{}{}的二级指标「{qw}」不属于{l1}指标（可选：{choices}）。请改正。",
                        p.label_zh(),
                        row_zh(k, i)
                    ),
                    format!(
                        "{}: {} has 二级指标 “{qw}”, which does not belong under {l1}指标 (choose from {choices}).",
                        p.label_en(),
                        row_en(k, i)
                    ),
                ),
                choices,
                written,
            ),
        };
        out.push(f);
    }
}

/// I006: every row names its 三级指标.
fn name_present(p: &Proj, rows: &Rows, out: &mut Vec<Finding>) {
    for r in rows.iter() {
        let (k, i) = (r.k, r.i);
        if r.name.is_some() {
            continue;
        }
        let kind = [present(&i.level1), present(&i.level2)]
            .into_iter()
            .flatten()
            .map(one_line)
            .collect::<Vec<_>>()
            .join(" / ");
        out.push(finding(
            "I006",
            Severity::Error,
            p.loc(col(k, IndicatorColumn::Name)),
            format!(
                "{}第 {} 条指标（{kind}）未填三级指标。请写明具体指标。",
                p.label_zh(),
                k + 1
            ),
            format!(
                "{}: indicator {} ({kind}) has no 三级指标 (indicator name).",
                p.label_en(),
                k + 1
            ),
        ));
    }
}

/// I007: every row has a 指标值.
fn value_present(p: &Proj, rows: &Rows, out: &mut Vec<Finding>) {
    for r in rows.iter() {
        let (k, i) = (r.k, r.i);
        if r.has_value {
            continue;
        }
        out.push(finding(
            "I007",
            Severity::Error,
            p.loc(col(k, IndicatorColumn::Target)),
            format!(
                "{}{}未填指标值。请填写，如 ≥85.00(%)、2024年12月31日前 或 完成。",
                p.label_zh(),
                row_zh(k, i)
            ),
            format!(
                "{}: {} has no 指标值 (target value), e.g. ≥85.00(%), 2024年12月31日前 or 完成.",
                p.label_en(),
                row_en(k, i)
            ),
        ));
    }
}

/// I008: a 指标值 that looks numeric but follows no known pattern.
fn value_readable(p: &Proj, rows: &Rows, out: &mut Vec<Finding>) {
    for r in rows.iter() {
        let (k, i) = (r.k, r.i);
        let Some(t) = &i.target else { continue };
        // A placeholder (`≥XX(%)`, `待定`) is I017's alone.
        if *t.kind() != TargetKind::Unparsed || !r.has_value || is_placeholder(t.text()) {
            continue;
        }
        let text = one_line(t.text());
        let qt = quote_short(&text);
        let f = finding(
            "I008",
            Severity::Warning,
            p.loc(col(k, IndicatorColumn::Target)),
            format!(
                "{}{}的指标值「{qt}」无法识别。请写成 ≥85.00(%)、2024年12月31日前、完成 等规范写法。",
                p.label_zh(),
                row_zh(k, i)
            ),
            format!(
                "{}: {} has a 指标值 “{qt}” that follows no known pattern; write e.g. ≥85.00(%), 2024年12月31日前 or 完成.",
                p.label_en(),
                row_en(k, i)
            ),
        );
        out.push(with_values(f, "≥85.00(%)", text));
    }
}

/// I009: a year named in an indicator (name or value) is the declared year, lies in a
/// range containing it, is a comparison base (`较2023年`), or, for a multi-year project,
/// lies within its planned years. A stale year usually means last year's form was copied.
fn year_matches(p: &Proj, rows: &Rows, out: &mut Vec<Finding>) {
    let Some(year) = p.year() else { return };
    let planned = p.is_multi_year().then(|| p.planned_years()).flatten();
    for r in rows.iter() {
        let (k, i) = (r.k, r.i);
        let found = [
            (IndicatorColumn::Name, &r.name_chars),
            (IndicatorColumn::Target, &r.value_chars),
        ]
        .into_iter()
        .find_map(|(column, range)| {
            let chars = rows.text(range);
            scan(chars)
                .into_iter()
                .find(|m| !accepted(m.span, year, planned) && !is_baseline(chars, m))
                .map(|m| (column, m.span))
        });
        let Some((column, span)) = found else {
            continue;
        };
        let named = span.text();
        let where_zh = if column == IndicatorColumn::Name {
            ""
        } else {
            "的指标值"
        };
        let f = finding(
            "I009",
            Severity::Warning,
            p.loc(col(k, column)),
            format!(
                "{}{}{where_zh}写的是 {named} 年，而申报年度是 {year} 年。请核对是否沿用了往年的指标。",
                p.label_zh(),
                row_zh(k, i)
            ),
            format!(
                "{}: {} names {named}, but the form is for {year}. Check for an indicator carried over from an earlier year.",
                p.label_en(),
                row_en(k, i)
            ),
        );
        out.push(with_values(f, year.to_string(), named));
    }
}

/// The units a 三级指标 names after a figure: `完成100场以上的接待` → `场`; `chars` is the
/// name as `years::normalize` reads it.
pub(super) fn units_in(chars: &[char]) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // Digits glued to a Latin letter are a name (`G60`), not a figure.
        let named = i > 0 && chars[i - 1].is_ascii_alphabetic();
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        if named {
            continue;
        }
        while matches!(chars.get(i), Some('余' | '多')) {
            i += 1;
        }
        // The text from here starts with the unit (every unit is at most three characters).
        let rest = &chars[i..];
        let starts_with = |u: &str| {
            let mut at = rest.iter();
            u.chars().all(|c| at.next() == Some(&c))
        };
        if let Some(u) = UNITS.iter().find(|u| starts_with(u)) {
            found.push(*u);
        }
    }
    found
}

/// `人次` and `次`, `万元` and `元` are the same kind of unit.
fn units_agree(a: &str, b: &str) -> bool {
    a.contains(b) || b.contains(a)
}

/// I010: the unit of a quantitative value agrees with the unit the 三级指标 names
/// (`完成100场以上的接待` with `≥100.00(家)` counts the wrong thing).
fn unit_matches_name(p: &Proj, rows: &Rows, out: &mut Vec<Finding>) {
    for r in rows.iter() {
        let (k, i) = (r.k, r.i);
        let (Some(_), Some(t)) = (r.name, &i.target) else {
            continue;
        };
        let TargetKind::Quantitative {
            unit: Some(unit), ..
        } = t.kind()
        else {
            continue;
        };
        let unit = without_blanks(unit);
        if !UNITS.contains(&unit.as_ref()) {
            continue;
        }
        let named = units_in(rows.text(&r.name_chars));
        let Some(first) = named.first() else { continue };
        if named.iter().any(|n| units_agree(n, &unit)) {
            continue;
        }
        let text = one_line(t.text());
        let qt = quote_short(&text);
        let f = finding(
            "I010",
            Severity::Warning,
            p.loc(col(k, IndicatorColumn::Target)),
            format!(
                "{}{}按“{first}”计，指标值「{qt}」却以“{unit}”为单位。请统一计量单位。",
                p.label_zh(),
                row_zh(k, i)
            ),
            format!(
                "{}: {} counts in “{first}”, but its value “{qt}” is in “{unit}”. Use one unit.",
                p.label_en(),
                row_en(k, i)
            ),
        );
        out.push(with_values(f, *first, unit));
    }
}

/// I011: a 数量指标 states a number. Qualitative 成本指标 values (`有效`, `完成`) are not
/// flagged: Shanghai forms commonly state cost control that way (nine of the seed's ten
/// projects do), and the amounts themselves are checked in the funds and budget rules.
fn quantity_is_numeric(p: &Proj, rows: &Rows, out: &mut Vec<Finding>) {
    for r in rows.iter() {
        let (k, i) = (r.k, r.i);
        let Some(t) = &i.target else { continue };
        if rows.level2_text(r) != Some("数量")
            || *t.kind() != TargetKind::Qualitative
            || is_placeholder(t.text())
        {
            continue;
        }
        let text = one_line(t.text());
        let qt = quote_short(&text);
        let f = finding(
            "I011",
            Severity::Warning,
            p.loc(col(k, IndicatorColumn::Target)),
            format!(
                "{}{}是数量指标，指标值「{qt}」却不是数量。请写成如 ≥10.00(次) 的形式。",
                p.label_zh(),
                row_zh(k, i)
            ),
            format!(
                "{}: {} is a 数量指标 (quantity indicator), but its value “{qt}” is not a number; write e.g. ≥10.00(次).",
                p.label_en(),
                row_en(k, i)
            ),
        );
        out.push(with_values(f, "≥10.00(次)", text));
    }
}

/// What makes two indicator rows the same: 三级指标 without blanks, 一级, 二级 as compared.
type Key<'r> = (Cow<'r, str>, &'r str, &'r str);

/// A quick hash of a key, to sort by before the key itself: equal keys hash alike, and
/// different keys then rarely need their text compared.
fn key_hash(key: &Key) -> u64 {
    let mix = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    let mut h: u64 = 0;
    for part in [key.0.as_ref(), key.1, key.2] {
        let mut words = part.as_bytes().chunks_exact(8);
        for w in &mut words {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            h = mix(h, u64::from_le_bytes(word));
        }
        let rest = words.remainder();
        let tail = rest.iter().rev().fold(0, |t, b| t << 8 | u64::from(*b));
        // The length too, so that moving text from one part to the next changes the hash.
        h = mix(mix(h, tail), part.len() as u64);
    }
    h
}

/// I012: the same 一级 + 二级 + 三级指标 appears once.
fn no_duplicates(p: &Proj, rows: &Rows, out: &mut Vec<Finding>) {
    // Keys sorted with their place in the rows: equal keys are then side by side, the
    // earliest row first. Sorting by a hash first keeps most comparisons to one number.
    let mut keyed: Vec<(u64, Key, usize)> = Vec::with_capacity(rows.list.len());
    keyed.extend(rows.iter().enumerate().filter_map(|(at, r)| {
        let (Some(l1), Some(name)) = (rows.level1_text(r), r.name) else {
            return None;
        };
        let l2 = rows.level2_text(r).unwrap_or_default();
        let key = (without_blanks(name), l1, l2);
        Some((key_hash(&key), key, at))
    }));
    keyed.sort_unstable();
    // (place of a repeat, model index of the row it repeats), in row order.
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    for same in keyed.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
        let first = rows.list[same[0].2].k;
        repeats.extend(same[1..].iter().map(|(_, _, at)| (*at, first)));
    }
    repeats.sort_unstable();
    for (at, first) in repeats {
        let r = &rows.list[at];
        let (k, i) = (r.k, r.i);
        let first_cell = p
            .cell_name(col(first, IndicatorColumn::Name))
            .map(|c| format!("（{c}）"))
            .unwrap_or_default();
        out.push(finding(
            "I012",
            Severity::Warning,
            p.loc(col(k, IndicatorColumn::Name)),
            format!(
                "{}{}与第 {} 条{first_cell}重复（一级、二级、三级指标都相同）。请删去重复行或改写。",
                p.label_zh(),
                row_zh(k, i),
                first + 1
            ),
            format!(
                "{}: {} repeats indicator {} (same levels and name). Remove or reword it.",
                p.label_en(),
                row_en(k, i),
                first + 1
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testkit::*;

    fn units_in_name(name: &str) -> Vec<&'static str> {
        super::units_in(&crate::validate::years::normalize(name))
    }

    #[test]
    fn clean_and_multi_year_pass() {
        assert!(run(clean_project("甲")).is_empty());
        assert!(run(multi_year_project()).is_empty());
    }

    #[test]
    fn older_and_spaced_level_names_pass() {
        let mut p = clean_project("甲");
        p.indicators[0] = ind("产出指标", "成本指标", "控制相关成本", "有效");
        p.indicators[2].level2 = Some("质量".into());
        p.indicators[4] = ind("效益指标", "可持续影\n响指标", "提升影响力", "完成");
        p.indicators[5] = ind(
            "满意度\n指标",
            "服务对象满\n意度指标",
            "相关方满意度",
            "≥85.00(%)",
        );
        assert!(run(p).is_empty());
    }

    #[test]
    fn missing_kinds() {
        let mut p = clean_project("甲");
        p.indicators
            .retain(|i| i.level1.as_deref() == Some("产出指标"));
        let f = run(p);
        assert_eq!(codes(&f), ["I001", "I001", "I002"]);
        assert_eq!(cell(&f[0]), "项目1!A16");
        assert_eq!(
            f[0].message,
            "项目「甲」缺少效益指标。每个项目都须设置产出指标、效益指标和满意度指标，请补充。"
        );
        assert!(f[1].message.contains("缺少满意度指标"));
        assert_eq!(f[2].severity, crate::model::Severity::Warning);
        // No indicators at all: still located at the form's title.
        let mut p = clean_project("甲");
        p.indicators.clear();
        let f = run(p);
        assert_eq!(codes(&f), ["I001", "I001", "I001", "I002"]);
        assert_eq!(cell(&f[0]), "项目1!A1");
    }

    #[test]
    fn levels_outside_the_framework() {
        let mut p = clean_project("甲");
        p.indicators[2].level2 = Some("社会效益指标".into());
        p.indicators.push(ind("影响指标", "其他", "某指标", "完成"));
        p.indicators.push(ind("", "", "无级别", "完成"));
        let f = run(p);
        assert_eq!(codes(&f), ["I003", "I004", "I005"]);
        assert_eq!(cell(&f[0]), "项目1!A23");
        assert_eq!(
            f[0].message,
            "项目「甲」第 8 条指标「无级别」未填一级指标和二级指标。请按指标体系填写。"
        );
        assert_eq!(cell(&f[1]), "项目1!A22");
        assert_eq!(cell(&f[2]), "项目1!B18");
        assert_eq!(
            f[2].message,
            "项目「甲」第 3 条指标「推进各项工作高质量完成」的二级指标「社会效益指标」不属于产出指标（可选：数量指标、质量指标、时效指标、成本指标）。请改正。"
        );
    }

    #[test]
    fn missing_name_and_value_and_unreadable_value() {
        let mut p = clean_project("甲");
        p.indicators[2].name = None;
        p.indicators[4].target = None;
        p.indicators[5].target = Some(crate::model::Target::parse("约85%"));
        let f = run(p);
        assert_eq!(codes(&f), ["I006", "I007", "I008"]);
        assert_eq!(cell(&f[0]), "项目1!C18");
        assert_eq!(
            f[0].message,
            "项目「甲」第 3 条指标（产出指标 / 质量指标）未填三级指标。请写明具体指标。"
        );
        assert_eq!(cell(&f[1]), "项目1!D20");
        assert_eq!(cell(&f[2]), "项目1!D21");
        assert_eq!(
            f[2].message,
            "项目「甲」第 6 条指标「相关方满意度」的指标值「约85%」无法识别。请写成 ≥85.00(%)、2024年12月31日前、完成 等规范写法。"
        );
        assert_eq!(f[2].actual.as_deref(), Some("约85%"));
    }

    #[test]
    fn seed_project_5_stale_year() {
        let mut p = clean_project("派驻干部费用");
        p.indicators[1] = ind(
            "产出指标",
            "数量指标",
            "完成2023年G60科创走廊年度工作计划和各项任务目标",
            "=100.00(%)",
        );
        let f = run(p);
        assert_eq!(codes(&f), ["I009"]);
        assert_eq!(cell(&f[0]), "项目1!C17");
        assert_eq!(
            f[0].message,
            "项目「派驻干部费用」第 2 条指标「完成2023年G60科创走廊年度工作计划和各项任务目标」写的是 2023 年，而申报年度是 2024 年。请核对是否沿用了往年的指标。"
        );
        assert_eq!(f[0].expected.as_deref(), Some("2024"));
        assert_eq!(f[0].actual.as_deref(), Some("2023"));
    }

    #[test]
    fn years_that_are_fine() {
        let mut p = clean_project("甲");
        p.indicators[2].name = Some("落实行动方案（2023-2025年）".into());
        p.indicators[4].name = Some("较2023年增长10%".into());
        p.indicators[3].target = Some(crate::model::Target::parse("2024年 12月 31日前"));
        assert!(run(p).is_empty());
        // A stale deadline in the value is reported at the value cell.
        let mut p = clean_project("甲");
        p.indicators[3].target = Some(crate::model::Target::parse("2023年12月31日前"));
        let f = run(p);
        assert_eq!(codes(&f), ["I009"]);
        assert_eq!(cell(&f[0]), "项目1!D19");
        assert!(f[0]
            .message
            .contains("「项目完成时间」的指标值写的是 2023 年"));
    }

    #[test]
    fn seed_project_7_unit_mismatch() {
        let mut p = clean_project("展示馆运维费");
        p.indicators[1] = ind(
            "产出指标",
            "数量指标",
            "完成 100场以上的接待",
            "≥100.00(家)",
        );
        let f = run(p);
        assert_eq!(codes(&f), ["I010"]);
        assert_eq!(cell(&f[0]), "项目1!D17");
        assert_eq!(
            f[0].message,
            "项目「展示馆运维费」第 2 条指标「完成 100场以上的接待」按“场”计，指标值「≥100.00(家)」却以“家”为单位。请统一计量单位。"
        );
        assert_eq!(f[0].expected.as_deref(), Some("场"));
        assert_eq!(f[0].actual.as_deref(), Some("家"));
        // The seed's project 6 writes the same row with (场): fine.
        let mut p = clean_project("展示馆物业管理、能源费、水电费");
        p.indicators[1] = ind(
            "产出指标",
            "数量指标",
            "完成 100场以上的接待",
            "≥100.00(场)",
        );
        assert!(run(p).is_empty());
    }

    #[test]
    fn unit_words() {
        assert_eq!(units_in_name("完成100场以上的接待"), ["场"]);
        assert_eq!(
            units_in_name("线上宣传推广长三角G60科创走廊10次以上"),
            ["次"]
        );
        assert_eq!(units_in_name("不少于 5次"), ["次"]);
        assert_eq!(units_in_name("路演中心联合体路演场数"), Vec::<&str>::new());
        assert_eq!(units_in_name("G60八城市 2024年12月"), Vec::<&str>::new());
        assert_eq!(units_in_name("服务2000余人次"), ["人次"]);
    }

    #[test]
    fn qualitative_quantity_warns_but_qualitative_cost_does_not() {
        let mut p = clean_project("甲");
        p.indicators[1].target = Some(crate::model::Target::parse("完成"));
        let f = run(p);
        assert_eq!(codes(&f), ["I011"]);
        assert_eq!(cell(&f[0]), "项目1!D17");
        // The clean project's 成本指标 is `有效` and raises nothing (see clean_and_multi_year_pass).
    }

    #[test]
    fn duplicates_warn_at_the_repeat() {
        let mut p = clean_project("甲");
        p.indicators
            .push(ind("产出指标", "质量", "推进各项工作 高质量完成", "优"));
        let f = run(p);
        assert_eq!(codes(&f), ["I012"]);
        assert_eq!(cell(&f[0]), "项目1!C22");
        assert_eq!(
            f[0].message,
            "项目「甲」第 7 条指标「推进各项工作 高质量完成」与第 3 条（C18）重复（一级、二级、三级指标都相同）。请删去重复行或改写。"
        );
    }
}
