//! One 财政项目支出绩效目标申报表 as text: the header labels and their values, the funds
//! block, the two goal columns and the indicator table.

use super::text::{compact, halfwidth_char, is_space, join_text, starts_numbered, Joined, Line};
use crate::model::framework::{level1_names, level2_names, FRAMEWORK};
use crate::model::{
    Finding, FundField, HeaderField, Indicator, IndicatorColumn, Money, Project, ProjectField,
    Severity, Target, TargetKind,
};
use crate::values::{parse_date_text, parse_money_text};

/// A form as read: the project (narrative and budget lines empty), the text line of each
/// field, and what could not be placed.
pub(crate) struct Form {
    pub project: Project,
    pub lines: Vec<(ProjectField, usize)>,
    /// File and project are filled in by the caller.
    pub findings: Vec<Finding>,
}

impl Form {
    fn note(&mut self, code: &str, severity: Severity, line: usize, zh: String, en: String) {
        self.findings
            .push(super::finding(code, severity, "", None, line, zh, en));
    }
}

const HEADER: [(&str, Option<HeaderField>); 8] = [
    ("项目名称", Some(HeaderField::Name)),
    ("项目性质", Some(HeaderField::Nature)),
    ("项目类别", Some(HeaderField::Category)),
    ("主管部门", Some(HeaderField::Department)),
    ("实施单位", Some(HeaderField::Implementer)),
    ("计划开始日期", Some(HeaderField::Start)),
    ("计划完成日期", Some(HeaderField::End)),
    ("项目资金", None),
];

/// Fund labels, longer first where one begins another.
const FUNDS: [(&str, Option<FundField>); 9] = [
    ("项目资金总额", Some(FundField::Total)),
    ("年度资金申请总额", Some(FundField::AnnualTotal)),
    ("其中：财政资金", Some(FundField::Fiscal)),
    ("其中：当年财政拨款", Some(FundField::AnnualAppropriation)),
    ("财政资金", Some(FundField::Fiscal)),
    ("当年财政拨款", Some(FundField::AnnualAppropriation)),
    ("上年结转资金", Some(FundField::AnnualCarryover)),
    // Left side first, then right: resolved by order below.
    ("其他资金", None),
    ("其中：", None),
];

pub(crate) fn parse(body: &[Line], start_line: usize) -> Form {
    let mut form = Form {
        project: Project::default(),
        lines: Vec::new(),
        findings: Vec::new(),
    };
    let goals_at = body
        .iter()
        .position(|l| compact(&l.text).contains("项目总目标"));
    let table_at = body
        .iter()
        .enumerate()
        .skip(goals_at.unwrap_or(0))
        .find(|(_, l)| compact(&l.text).contains("二级指标"))
        .map(|(i, _)| i);
    let head_end = goals_at.or(table_at).unwrap_or(body.len());
    let head: Vec<&Line> = body[..head_end]
        .iter()
        .filter(|l| !is_year_line(&l.text))
        .collect();
    header_and_funds(&mut form, &head, start_line);
    match goals_at {
        Some(g) => {
            let end = table_at.unwrap_or(body.len());
            goals(&mut form, &body[g + 1..end], body[g].no);
        }
        None => form.note(
            "T003",
            Severity::Warning,
            start_line,
            format!("第 {start_line} 行起的申报表中找不到「项目总目标」，项目绩效目标留空。"),
            format!("The form from line {start_line} has no 项目总目标 label: the goals are left empty."),
        ),
    }
    match table_at {
        Some(t) => indicators(&mut form, &body[t..]),
        None => form.note(
            "T003",
            Severity::Warning,
            start_line,
            format!("第 {start_line} 行起的申报表中找不到指标表（「二级指标」），没有导入指标。"),
            format!("The form from line {start_line} has no indicator table (二级指标): no indicators imported."),
        ),
    }
    form
}

/// `（2024 年度）` under the form's title.
fn is_year_line(s: &str) -> bool {
    let c = compact(s);
    c.starts_with('(') && c.ends_with(')') && c.contains("年度") && c.chars().count() <= 12
}

fn header_and_funds(form: &mut Form, head: &[&Line], start_line: usize) {
    let j = Joined::of(head, false);
    // Each label in order; a value is what lies between its label and the next found.
    let mut found: Vec<(usize, usize, usize)> = Vec::new(); // (label index, start, end)
    let mut from = 0;
    for (k, (label, _)) in HEADER.iter().enumerate() {
        match j.find(label, from) {
            Some(at) => {
                let end = at + label.chars().count();
                found.push((k, at, end));
                from = end;
            }
            None => form.note(
                "T003",
                Severity::Warning,
                start_line,
                format!("第 {start_line} 行起的申报表中找不到「{label}」，该项留空。"),
                format!("The form from line {start_line} has no label {label}: left empty."),
            ),
        }
    }
    for (n, &(k, _, end)) in found.iter().enumerate() {
        let Some(field) = HEADER[k].1 else { continue };
        let stop = found.get(n + 1).map_or(j.chars.len(), |f| f.1);
        let value = j
            .string(end, stop)
            .trim_matches(|c: char| is_space(c) || c == ':' || c == '：')
            .to_string();
        if value.is_empty() {
            continue;
        }
        let line = j.line_at(end);
        form.lines.push((ProjectField::Header(field), line));
        let h = &mut form.project.header;
        match field {
            HeaderField::Name => h.name = Some(value),
            HeaderField::Nature => h.nature = Some(value),
            HeaderField::Category => h.category = Some(value),
            HeaderField::Department => h.department = Some(value),
            HeaderField::Implementer => h.implementer = Some(value),
            HeaderField::Start | HeaderField::End => match parse_date_text(&value) {
                Ok(d) => {
                    if field == HeaderField::Start {
                        h.start = Some(d);
                    } else {
                        h.end = Some(d);
                    }
                }
                Err(e) => form.note(
                    "T008",
                    Severity::Error,
                    line,
                    format!(
                        "第 {line} 行「{}」的值「{value}」不是有效日期（{}），该项留空。",
                        HEADER[k].0,
                        e.reason()
                    ),
                    format!(
                        "Line {line}: {} \"{value}\" is not a date; left empty.",
                        HEADER[k].0
                    ),
                ),
            },
        }
    }
    if let Some(&(7, _, end)) = found.last() {
        funds(form, &j, end);
    }
}

enum Tok {
    Label(Option<FundField>),
    Number(String, usize),
}

fn funds(form: &mut Form, j: &Joined, from: usize) {
    let mut toks = Vec::new();
    let mut i = from;
    let mut others = 0;
    while i < j.chars.len() {
        if let Some((label, field)) = FUNDS.iter().find(|(l, _)| j.starts_with_at(i, l)) {
            if *label == "其中：" {
                i += label.chars().count();
                continue;
            }
            let field = match field {
                Some(f) => Some(*f),
                None => {
                    others += 1;
                    match others {
                        1 => Some(FundField::Other),
                        2 => Some(FundField::AnnualOther),
                        _ => None,
                    }
                }
            };
            toks.push(Tok::Label(field));
            i += label.chars().count();
            continue;
        }
        let c = halfwidth_char(j.chars[i]);
        let next_digit = j
            .chars
            .get(i + 1)
            .is_some_and(|c| halfwidth_char(*c).is_ascii_digit());
        if c.is_ascii_digit() || (c == '-' && next_digit) {
            let start = i;
            i += 1;
            while i < j.chars.len() && {
                let c = halfwidth_char(j.chars[i]);
                c.is_ascii_digit() || c == ',' || c == '.'
            } {
                i += 1;
            }
            toks.push(Tok::Number(j.string(start, i), start));
            continue;
        }
        i += 1;
    }
    // Each label takes the number right after it; a label followed by a label is empty.
    let mut assigned: Vec<(FundField, Money, usize)> = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        match &toks[k] {
            Tok::Label(field) => {
                if let Some(Tok::Number(text, nat)) = toks.get(k + 1) {
                    let line = j.line_at(*nat);
                    match (field, parse_money_text(text)) {
                        (Some(f), Ok(p)) => assigned.push((*f, p.money, line)),
                        (Some(_), Err(e)) => form.note(
                            "T008",
                            Severity::Error,
                            line,
                            format!(
                                "第 {line} 行的金额「{text}」无法识别（{}），该项留空。",
                                e.reason()
                            ),
                            format!(
                                "Line {line}: the amount \"{text}\" cannot be read; left empty."
                            ),
                        ),
                        (None, _) => {}
                    }
                    k += 2;
                } else {
                    k += 1;
                }
            }
            Tok::Number(text, at) => {
                // A number no label is waiting for: after `A B 1 2` the 1 may be A's or
                // B's, so B's is dropped too.
                let line = j.line_at(*at);
                if k >= 3 {
                    if let (Tok::Label(Some(b)), Tok::Label(_)) = (&toks[k - 2], &toks[k - 3]) {
                        assigned.retain(|(f, _, _)| f != b);
                    }
                }
                form.note(
                    "T009",
                    Severity::Warning,
                    line,
                    format!("第 {line} 行的金额「{text}」无法确定属于项目资金的哪一栏，未导入；相邻一栏的金额也因此留空。请对照原表填写。"),
                    format!("Line {line}: the amount \"{text}\" cannot be placed in a funds cell with certainty; left out, with the amount beside it. Fill them in from the original form."),
                );
                k += 1;
            }
        }
    }
    for (field, money, line) in assigned {
        form.lines.push((ProjectField::Fund(field), line));
        let f = &mut form.project.funds;
        let slot = match field {
            FundField::Total => &mut f.total,
            FundField::Fiscal => &mut f.fiscal,
            FundField::Other => &mut f.other,
            FundField::AnnualTotal => &mut f.annual_total,
            FundField::AnnualAppropriation => &mut f.annual_appropriation,
            FundField::AnnualCarryover => &mut f.annual_carryover,
            FundField::AnnualOther => &mut f.annual_other,
        };
        *slot = Some(money);
    }
}

/// Lines that are a piece of a vertical label (`项`/`目`/`绩效`/`目标`, `绩效指标`): the
/// merged cells at the left of the goals and the indicators, one character per line.
fn is_label_piece(s: &str) -> bool {
    let c = compact(s);
    !c.is_empty()
        && c.chars().count() <= 4
        && ["项目绩效目标", "绩效指标", "一级指标"]
            .iter()
            .any(|l| l.contains(c.as_str()))
}

fn goals(form: &mut Form, region: &[Line], header_line: usize) {
    // Vertical label pieces out; a page start they carried passes to the next line.
    let mut kept: Vec<Line> = Vec::new();
    let mut carry = false;
    for l in region {
        if is_label_piece(&l.text) {
            carry |= l.page_start;
            continue;
        }
        let mut l = l.clone();
        l.page_start |= carry;
        carry = false;
        kept.push(l);
    }
    if kept.is_empty() {
        return;
    }
    match split_columns(&kept) {
        Some((left, right)) => {
            let l: Vec<&Line> = left.iter().collect();
            let r: Vec<&Line> = right.iter().collect();
            let overall = join_text(&l, true);
            let annual = join_text(&r, true);
            if let Some(first) = left.first() {
                form.lines.push((ProjectField::GoalOverall, first.no));
            }
            if let Some(first) = right.first() {
                form.lines.push((ProjectField::GoalAnnual, first.no));
            }
            form.project.goals.overall = (!overall.is_empty()).then_some(overall);
            form.project.goals.annual = (!annual.is_empty()).then_some(annual);
        }
        None => {
            let line = kept[0].no;
            form.note(
                "T009",
                Severity::Warning,
                line,
                format!("第 {line} 行起（「项目总目标／年度总体目标」在第 {header_line} 行）两栏的文字交错，无法确定各自的起止，项目总目标与年度总体目标未导入。请对照原表填写。"),
                format!("From line {line} (goal header at line {header_line}): the two goal columns are interleaved and cannot be told apart with certainty; 项目总目标 and 年度总体目标 are left out. Fill them in from the original form."),
            );
        }
    }
}

/// The goal columns: per page the left column's lines, then the right's. A page that is
/// not the last is full, so both columns have as many lines; on the last page the left
/// column ends at the only line ending a sentence before the last line. A page's lone line
/// holding both columns splits at its only gap between two columns' characters.
fn split_columns(lines: &[Line]) -> Option<(Vec<Line>, Vec<Line>)> {
    let mut pages: Vec<Vec<Line>> = Vec::new();
    for l in lines {
        if l.page_start || pages.is_empty() {
            if pages.last().is_some_and(|p| p.is_empty()) {
                pages.pop();
            }
            pages.push(Vec::new());
        }
        if let Some(p) = pages.last_mut() {
            p.push(l.clone());
        }
    }
    let (mut left, mut right) = (Vec::new(), Vec::new());
    let last = pages.len() - 1;
    for (k, page) in pages.into_iter().enumerate() {
        let n = page.len();
        let at = if n == 1 {
            let (a, b) = split_line(&page[0])?;
            left.push(a);
            right.push(b);
            continue;
        } else if k < last {
            if n % 2 != 0 {
                return None;
            }
            n / 2
        } else {
            // On a lone page both columns start at its top: where the first line is
            // numbered (`1.`), the right column starts with the same number.
            let lead = if k == 0 {
                paragraph_number(&page[0].text)
            } else {
                None
            };
            let ends: Vec<usize> = (0..n - 1)
                .filter(|&i| page[i].text.trim_end_matches(is_space).ends_with('。'))
                .filter(|&i| lead.is_none() || paragraph_number(&page[i + 1].text) == lead)
                .collect();
            if ends.len() != 1 {
                return None;
            }
            ends[0] + 1
        };
        let mut page = page;
        let r = page.split_off(at);
        left.extend(page);
        right.extend(r);
    }
    Some((left, right))
}

/// A line holding both columns: split at its only gap between two characters that do not
/// keep a space (CJK on both sides), or before a numbered paragraph's start when the line
/// starts with one too.
fn split_line(l: &Line) -> Option<(Line, Line)> {
    let chars: Vec<char> = l.text.chars().collect();
    let mut gaps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_space(chars[i]) {
            let s = i;
            while i < chars.len() && is_space(chars[i]) {
                i += 1;
            }
            let (b, a) = (chars[s - 1], chars.get(i).copied());
            let Some(a) = a else { break };
            let after: String = chars[i..].iter().collect();
            let cjk_both = !is_latin(b) && !is_latin(a);
            let numbered = starts_numbered(&l.text) && starts_numbered(&after);
            if cjk_both || numbered {
                gaps.push((s, i));
            }
            continue;
        }
        i += 1;
    }
    if gaps.len() != 1 {
        return None;
    }
    let (s, e) = gaps[0];
    let mk = |t: String| Line {
        no: l.no,
        text: t,
        page_start: false,
    };
    Some((
        mk(chars[..s].iter().collect()),
        mk(chars[e..].iter().collect()),
    ))
}

/// The `2` of `2.` or `2、` at a line's start.
fn paragraph_number(s: &str) -> Option<u32> {
    if !starts_numbered(s) {
        return None;
    }
    let t: String = s.chars().map(halfwidth_char).collect();
    t.chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .ok()
}

fn is_latin(c: char) -> bool {
    let c = halfwidth_char(c);
    c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | '%' | '(' | ')')
}

/// A cell's worth of text from the indicator table, and its line.
#[derive(Clone, Debug)]
struct Piece {
    text: String,
    line: usize,
}

const OPS: &str = "=≥≤<>＝≧≦＜＞";

/// Words a 指标值 is, alone in its cell.
const QUALITATIVE: [&str; 22] = [
    "有效", "完成", "及时", "优", "良", "良好", "优秀", "合格", "达标", "是", "否", "高", "显著",
    "明显", "提升", "提高", "按时", "按期", "准确", "稳定", "满意", "较好",
];

/// Splits lines into cells: words on a line are one cell where a Latin letter or digit
/// touches the gap (`完成 2024年 G60科创走廊` is one name), separate cells where CJK meets
/// CJK or an operator follows (`相关方满意度 ≥85.00(%)`). A name that ends with a deadline
/// (`项目完成时间 2024年 12月 31日前`) gives the deadline its own cell.
fn pieces(lines: &[Line]) -> Vec<Piece> {
    let mut out = Vec::new();
    for l in lines {
        let mut cur = String::new();
        for word in l.text.split(is_space).filter(|w| !w.is_empty()) {
            if let (Some(b), Some(a)) = (cur.chars().last(), word.chars().next()) {
                let joins = (is_latin(b) || is_latin(a)) && !OPS.contains(a);
                if joins {
                    if b.is_ascii_alphanumeric() && a.is_ascii_alphanumeric() {
                        cur.push(' ');
                    }
                    cur.push_str(word);
                    continue;
                }
                out.push(Piece {
                    text: std::mem::take(&mut cur),
                    line: l.no,
                });
            }
            cur.push_str(word);
        }
        if !cur.is_empty() {
            out.push(Piece {
                text: cur,
                line: l.no,
            });
        }
    }
    let mut split = Vec::with_capacity(out.len());
    for p in out {
        match deadline_suffix(&p.text) {
            Some(at) if at > 0 => {
                split.push(Piece {
                    text: p.text[..at].to_string(),
                    line: p.line,
                });
                split.push(Piece {
                    text: p.text[at..].to_string(),
                    line: p.line,
                });
            }
            _ => split.push(p),
        }
    }
    split
}

/// Byte offset of a trailing deadline (`2024年12月31日前`, `2024年底前`).
fn deadline_suffix(s: &str) -> Option<usize> {
    if !s.ends_with('前') {
        return None;
    }
    let idx: Vec<(usize, char)> = s.char_indices().collect();
    for (k, &(at, c)) in idx.iter().enumerate() {
        if !c.is_ascii_digit() || (k > 0 && idx[k - 1].1.is_ascii_digit()) {
            continue;
        }
        if idx.len() >= k + 5
            && idx[k..k + 4].iter().all(|x| x.1.is_ascii_digit())
            && idx[k + 4].1 == '年'
        {
            let tail = &s[at..];
            if matches!(Target::parse(tail).kind(), TargetKind::Deadline { .. }) {
                return Some(at);
            }
        }
    }
    None
}

fn is_target(s: &str) -> bool {
    let first = s.chars().next().map(halfwidth_char);
    match Target::parse(s).kind() {
        TargetKind::Quantitative { .. } => {
            first.is_some_and(|c| c.is_ascii_digit() || OPS.contains(c))
        }
        TargetKind::Deadline { .. } => deadline_suffix(s) == Some(0),
        _ => QUALITATIVE.contains(&s),
    }
}

fn parent_of(level2: &str) -> Option<&'static str> {
    FRAMEWORK
        .iter()
        .find(|(_, l2s)| l2s.contains(&level2))
        .map(|(l1, _)| *l1)
}

fn is_label(s: &str) -> bool {
    level1_names().any(|l| l == s) || level2_names().contains(&s)
}

fn is_label_prefix(s: &str) -> bool {
    level1_names()
        .chain(level2_names())
        .any(|l| l.len() > s.len() && l.starts_with(s))
}

fn indicators(form: &mut Form, region: &[Line]) {
    let ps = pieces(region);
    // The header row ends with 年度(/项目)指标值 (or 指标值 alone, when wrapped).
    let Some(h) = ps.iter().position(|p| compact(&p.text).ends_with("指标值")) else {
        let line = region.first().map_or(0, |l| l.no);
        form.note(
            "T003",
            Severity::Warning,
            line,
            format!("第 {line} 行的指标表没有「年度(/项目)指标值」表头，没有导入指标。"),
            format!(
                "Line {line}: the indicator table has no 指标值 header; no indicators imported."
            ),
        );
        return;
    };
    let ps = &ps[h + 1..];
    let mut level1: Option<String> = None;
    let mut level2: Option<String> = None;
    let mut name = String::new();
    let mut name_line = 0;
    // For each cell, the next 一级 label at or after it (one pass from the end, so a long
    // table costs no more than its length).
    let mut next_level1: Vec<Option<&'static str>> = vec![None; ps.len() + 1];
    for k in (0..ps.len()).rev() {
        let t = compact(&ps[k].text);
        next_level1[k] = level1_names().find(|l| *l == t).or(next_level1[k + 1]);
    }
    let mut i = 0;
    let drop_name = |form: &mut Form, name: &mut String, line: usize| {
        if !name.is_empty() {
            form.note(
                "T009",
                Severity::Warning,
                line,
                format!("第 {line} 行的指标文字「{name}」之后没有可识别的指标值，无法确定是三级指标还是指标值，未导入。请对照原表填写。"),
                format!("Line {line}: the indicator text \"{name}\" has no recognisable 指标值 after it; it cannot be placed with certainty and is left out."),
            );
            name.clear();
        }
    };
    while i < ps.len() {
        // A label, perhaps wrapped over several cells (`经济成本` `指标`).
        let mut acc = compact(&ps[i].text);
        let mut j = i;
        while !is_label(&acc) && is_label_prefix(&acc) && j + 1 < ps.len() {
            j += 1;
            acc.push_str(&compact(&ps[j].text));
        }
        if is_label(&acc) {
            let as_level2 = level2_names().contains(&acc.as_str())
                && (level1_names().all(|l| l != acc) || level1.as_deref() == Some("产出指标"));
            drop_name(form, &mut name, name_line);
            if as_level2 {
                // The 一级 cell is merged over its rows and its text may come later in
                // the text; the framework says which it is when the text does next.
                if let Some(parent) = parent_of(&acc) {
                    if level1.as_deref() != Some(parent) {
                        let next_l1 = next_level1.get(j + 1).copied().flatten();
                        if next_l1 == Some(parent) || level1.is_none() {
                            level1 = Some(parent.to_string());
                        }
                    }
                }
                level2 = Some(acc);
            } else if level1.as_deref() != Some(acc.as_str()) {
                level1 = Some(acc);
                level2 = None;
            }
            i = j + 1;
            continue;
        }
        let p = &ps[i];
        if !name.is_empty() && is_target(&p.text) {
            let index = form.project.indicators.len();
            form.lines.push((
                ProjectField::Indicator {
                    index,
                    column: IndicatorColumn::Name,
                },
                name_line,
            ));
            form.lines.push((
                ProjectField::Indicator {
                    index,
                    column: IndicatorColumn::Target,
                },
                p.line,
            ));
            form.project.indicators.push(Indicator {
                level1: level1.clone(),
                level2: level2.clone(),
                name: Some(std::mem::take(&mut name)),
                target: Some(Target::parse(&p.text)),
                ..Indicator::default()
            });
        } else {
            if name.is_empty() {
                name_line = p.line;
            } else if name
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric())
                && p.text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
            {
                name.push(' ');
            }
            name.push_str(&p.text);
        }
        i += 1;
    }
    drop_name(form, &mut name, name_line);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ls(s: &str) -> Vec<Line> {
        super::super::text::lines(s)
    }

    #[test]
    fn a_deadline_after_a_name_is_its_own_cell() {
        let p = pieces(&ls("时效指标 项目完成时间 2024年 12月 31日前\n"));
        let t: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(t, ["时效指标", "项目完成时间", "2024年12月31日前"]);
    }

    #[test]
    fn a_line_with_both_columns_splits_at_the_cjk_gap() {
        let l = &ls("由九城市共派干部，加快推进 G60科创走廊建设 由九城市共派干部、共谋成效")[0];
        let (a, b) = split_line(l).unwrap();
        assert_eq!(a.text, "由九城市共派干部，加快推进 G60科创走廊建设");
        assert_eq!(b.text, "由九城市共派干部、共谋成效");
    }
}
