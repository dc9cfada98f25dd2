//! Planned dates: present, in order, around the declared year, and as 五、实施周期 states.

use super::{at_cell, at_cell_en, cell_then, finding, present, with_values, Proj};
use crate::model::{Date, Finding, HeaderField, ProjectField, Section, Severity};

/// Runs the date rules.
pub(crate) fn check(p: &Proj, out: &mut Vec<Finding>) {
    dates_present(p, out);
    start_not_after_end(p, out);
    dates_touch_year(p, out);
    dates_match_period(p, out);
}

const START: ProjectField = ProjectField::Header(HeaderField::Start);
const END: ProjectField = ProjectField::Header(HeaderField::End);

/// D001 / D002: 计划开始日期 and 计划完成日期 must be filled in.
fn dates_present(p: &Proj, out: &mut Vec<Finding>) {
    let h = &p.project.header;
    let missing = [
        ("D001", START, h.start, "计划开始日期", "planned start date"),
        ("D002", END, h.end, "计划完成日期", "planned end date"),
    ];
    for (code, field, value, zh, en) in missing {
        if value.is_some() {
            continue;
        }
        let cell = p.cell_name(field);
        out.push(finding(
            code,
            Severity::Error,
            p.loc(field),
            format!(
                "{}未填{zh}{}。请填写日期，如 2024-01-01。",
                p.label_zh(),
                at_cell(&cell)
            ),
            format!(
                "{}: {zh} ({en}){} is empty. Enter a date such as 2024-01-01.",
                p.label_en(),
                at_cell_en(&cell)
            ),
        ));
    }
}

/// D003: the start must not come after the end.
fn start_not_after_end(p: &Proj, out: &mut Vec<Finding>) {
    let (Some(start), Some(end)) = (p.project.header.start, p.project.header.end) else {
        return;
    };
    if start <= end {
        return;
    }
    let (cs, ce) = (p.cell_name(START), p.cell_name(END));
    let f = finding(
        "D003",
        Severity::Error,
        p.loc(START),
        format!(
            "{}计划开始日期 {start}{}晚于计划完成日期 {end}{}。请核对两个日期。",
            p.label_zh(),
            cell_then(&cs),
            at_cell(&ce)
        ),
        format!(
            "{}: planned start {start}{} is after planned end {end}{}. Check both dates.",
            p.label_en(),
            at_cell_en(&cs),
            at_cell_en(&ce)
        ),
    );
    out.push(with_values(f, format!("≤ {end}"), start.to_string()));
}

/// D004: a project declared for a year should run in that year: warn when it starts
/// after the year or ends before it.
fn dates_touch_year(p: &Proj, out: &mut Vec<Finding>) {
    let Some(year) = p.year() else { return };
    let h = &p.project.header;
    let sides = [
        (START, h.start.filter(|d| d.year() > year), "开始", "starts"),
        (END, h.end.filter(|d| d.year() < year), "完成", "ends"),
    ];
    for (field, date, zh, en) in sides {
        let Some(date) = date else { continue };
        let cell = p.cell_name(field);
        let f = finding(
            "D004",
            Severity::Warning,
            p.loc(field),
            format!(
                "{}计划{zh}日期 {date}{}不在申报年度 {year} 年内，与本年度预算不对应。请核对日期或申报年度。",
                p.label_zh(),
                cell_then(&cell)
            ),
            format!(
                "{}: the project {en} on {date}{}, outside the declared year {year}. Check the date or the year.",
                p.label_en(),
                at_cell_en(&cell)
            ),
        );
        out.push(with_values(f, year.to_string(), date.to_string()));
    }
}

/// D005: when 五、实施周期 states dates, they agree with the form's planned dates.
fn dates_match_period(p: &Proj, out: &mut Vec<Finding>) {
    let Some(text) = present(&p.project.narrative.period) else {
        return;
    };
    let Some((ps, pe)) = parse_period(text) else {
        return;
    };
    let h = &p.project.header;
    let sides = [
        (START, h.start, ps, "计划开始日期", "planned start"),
        (END, h.end, pe, "计划完成日期", "planned end"),
    ];
    for (field, form, period, zh, en) in sides {
        let Some(form) = form else { continue };
        if form == period {
            continue;
        }
        let cell = p.cell_name(field);
        // Looked up only for a finding: most periods agree with the dates.
        let period_cell = p.cell_name(ProjectField::Narrative(Section::Period));
        let f = finding(
            "D005",
            Severity::Warning,
            p.loc(field),
            format!(
                "{}{zh} {form}{}与「五、实施周期」所写 {period}{}不一致。请把两处改为一致。",
                p.label_zh(),
                cell_then(&cell),
                cell_then(&period_cell)
            ),
            format!(
                "{}: {zh} ({en}) {form}{} differs from {period} stated in 五、实施周期 (implementation period){}. Make them agree.",
                p.label_en(),
                at_cell_en(&cell),
                at_cell_en(&period_cell)
            ),
        );
        out.push(with_values(f, period.to_string(), form.to_string()));
    }
}

/// The first two dates in a period text: `2024年1月1日至2024年12月31日`,
/// `2024年1月至2024年12月` (a month alone means its first day at the start and its last
/// day at the end), `2024-01-01至2024-12-31`, `2024.1.1-2024.12.31`.
pub(crate) fn parse_period(text: &str) -> Option<(Date, Date)> {
    // Half-width, without blanks: `2024 年 1 月` reads `2024年1月`.
    let chars = super::years::normalize(text);
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() && found.len() < 2 {
        match read_date(&chars, i) {
            Some((y, m, d, next)) => {
                found.push((y, m, d));
                i = next;
            }
            None => i += 1,
        }
    }
    let [(y1, m1, d1), (y2, m2, d2)] = found[..] else {
        return None;
    };
    let start = Date::new(y1, m1, d1.unwrap_or(1))?;
    let end_day = d2.unwrap_or_else(|| crate::model::days_in_month(y2, m2));
    let end = Date::new(y2, m2, end_day)?;
    Some((start, end))
}

fn digits_at(chars: &[char], i: usize, min: usize, max: usize) -> Option<(u32, usize)> {
    let n = chars[i.min(chars.len())..]
        .iter()
        .take(max + 1)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if n < min || n > max {
        return None;
    }
    // At most four ASCII digits: their value, without a string to parse.
    let v = chars[i..i + n]
        .iter()
        .fold(0, |v, c| v * 10 + (*c as u32 - '0' as u32));
    Some((v, i + n))
}

/// A date starting at `i`: year, month, optional day, and the index after it.
fn read_date(chars: &[char], i: usize) -> Option<(i32, u8, Option<u8>, usize)> {
    if i > 0 && chars[i - 1].is_ascii_digit() {
        return None;
    }
    let (year, j) = digits_at(chars, i, 4, 4)?;
    let sep = *chars.get(j)?;
    if !matches!(sep, '年' | '-' | '.' | '/') {
        return None;
    }
    let (month, mut k) = digits_at(chars, j + 1, 1, 2)?;
    let mut day = None;
    if sep == '年' {
        if chars.get(k) != Some(&'月') {
            return None;
        }
        k += 1;
        if let Some((d, after)) = digits_at(chars, k, 1, 2) {
            if matches!(chars.get(after), Some('日' | '号')) {
                day = Some(d as u8);
                k = after + 1;
            }
        }
    } else if chars.get(k) == Some(&sep) {
        if let Some((d, after)) = digits_at(chars, k + 1, 1, 2) {
            day = Some(d as u8);
            k = after;
        }
    }
    if !(1..=12).contains(&month) {
        return None;
    }
    Some((year as i32, month as u8, day, k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testkit::*;

    #[test]
    fn period_texts() {
        let d = |s| date(s);
        let full = Some((d("2024-01-01"), d("2024-12-31")));
        assert_eq!(parse_period("2024年1月1日至2024年12月31日"), full);
        assert_eq!(
            parse_period(" 2024 年 1 月 1日至 2024 年 12 月 31日 "),
            full
        );
        assert_eq!(parse_period("2024 年 1 月至 2024 年 12 月"), full);
        assert_eq!(parse_period("2024-01-01至2024-12-31"), full);
        assert_eq!(parse_period("2024.1.1-2024.12.31"), full);
        assert_eq!(
            parse_period("２０２４年２月至２０２４年２月"),
            Some((d("2024-02-01"), d("2024-02-29")))
        );
        assert_eq!(parse_period("一年"), None);
        assert_eq!(parse_period("2024年全年"), None);
        assert_eq!(parse_period("2024年13月至2024年12月"), None);
        assert_eq!(parse_period("2024年2月30日至2024年12月31日"), None);
    }

    #[test]
    fn clean_and_multi_year_pass() {
        assert!(run(clean_project("甲")).is_empty());
        assert!(run(multi_year_project()).is_empty());
    }

    #[test]
    fn missing_dates_are_errors() {
        let mut p = clean_project("甲");
        p.header.start = None;
        p.header.end = None;
        let f = run(p);
        assert_eq!(codes(&f), ["D001", "D002"]);
        assert_eq!(cell(&f[0]), "项目1!B5");
        assert_eq!(cell(&f[1]), "项目1!D5");
        assert_eq!(
            f[0].message,
            "项目「甲」未填计划开始日期（B5）。请填写日期，如 2024-01-01。"
        );
    }

    #[test]
    fn start_after_end_is_an_error() {
        let mut p = clean_project("甲");
        p.header.start = Some(date("2024-12-31"));
        p.header.end = Some(date("2024-01-01"));
        p.narrative.period = None;
        let f = run(p);
        assert_eq!(codes(&f), ["D003"]);
        assert_eq!(cell(&f[0]), "项目1!B5");
        assert_eq!(f[0].actual.as_deref(), Some("2024-12-31"));
    }

    #[test]
    fn dates_outside_the_year_warn() {
        let mut p = clean_project("甲");
        p.header.start = Some(date("2025-01-01"));
        p.header.end = Some(date("2025-12-31"));
        p.narrative.period = Some("2025年1月至2025年12月".into());
        let f = run(p);
        assert_eq!(codes(&f), ["D004"]);
        assert_eq!(cell(&f[0]), "项目1!B5");
        assert_eq!(f[0].expected.as_deref(), Some("2024"));

        let mut p = clean_project("乙");
        p.header.start = Some(date("2023-01-01"));
        p.header.end = Some(date("2023-12-31"));
        p.narrative.period = None;
        let f = run(p);
        assert_eq!(codes(&f), ["D004"]);
        assert_eq!(cell(&f[0]), "项目1!D5");
    }

    #[test]
    fn period_mismatch_warns_per_side() {
        let mut p = clean_project("甲");
        p.narrative.period = Some("2024年3月至2024年12月".into());
        let f = run(p);
        assert_eq!(codes(&f), ["D005"]);
        assert_eq!(cell(&f[0]), "项目1!B5");
        assert_eq!(f[0].expected.as_deref(), Some("2024-03-01"));
        assert_eq!(f[0].actual.as_deref(), Some("2024-01-01"));
        assert_eq!(
            f[0].message,
            "项目「甲」计划开始日期 2024-01-01（B5）与「五、实施周期」所写 2024-03-01（B10）不一致。请把两处改为一致。"
        );
    }
}
