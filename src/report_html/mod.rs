//! The HTML report of a check (`check --html`, and each file's view in `jixiao serve`):
//! one self-contained page, per file and project the findings with their cells and
//! figures, charts drawn here as inline SVG, laid out to print on A4. Every text taken
//! from a workbook is escaped: hostile files exist.

use std::collections::BTreeMap;
use std::fmt::Write;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::model::{Declaration, Finding, Money, Severity};
use crate::validate::report::{summarize, FileReport, Lang};

/// The report's style sheet, also served to the local page so both look the same.
pub const STYLE: &str = include_str!("report.css");

/// A file that was read: its findings and what it declares.
pub struct CheckedFile<'a> {
    pub report: &'a FileReport,
    pub declaration: &'a Declaration,
}

/// A file that could not be read, with the message the CLI gives.
pub struct UnreadableFile<'a> {
    pub file: &'a str,
    pub reason: &'a str,
}

fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Escapes text for HTML element content and quoted attribute values.
///
/// ```
/// assert_eq!(jixiao::report_html::escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters have no business in a page (and break XML-based viewers).
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The whole report: a title, totals, the findings by rule over all files, then one
/// section per file and the files that could not be read.
pub fn document(files: &[CheckedFile], unreadable: &[UnreadableFile], lang: Lang) -> String {
    let reports: Vec<FileReport> = files.iter().map(|f| f.report.clone()).collect();
    let s = summarize(&reports);
    let mut out = String::new();
    let title = t(
        lang,
        "绩效目标申报表校验报告",
        "Performance-target declaration check report",
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main class=\"report\">\n\
         <header class=\"report-head\"><h1>{title}</h1>\n",
        t(lang, "zh-CN", "en")
    );
    // Waived findings count in no total and no chart: each file lists them apart.
    let all: Vec<&Finding> = files
        .iter()
        .flat_map(|f| &f.report.findings)
        .filter(|f| f.waived.is_none())
        .collect();
    let waived = if s.waived > 0 {
        total(t(lang, "已豁免", "Waived"), &s.waived.to_string(), "")
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "<dl class=\"totals\">{}{}{}{}{waived}{}</dl>\n</header>\n",
        total(t(lang, "文件", "Files"), &s.files.to_string(), ""),
        total(t(lang, "项目", "Projects"), &s.projects.to_string(), ""),
        total(
            t(lang, "错误", "Errors"),
            &s.errors.to_string(),
            if s.errors > 0 { "bad" } else { "good" }
        ),
        total(
            t(lang, "警告", "Warnings"),
            &s.warnings.to_string(),
            if s.warnings > 0 { "warn" } else { "good" }
        ),
        total(
            t(lang, "无法读取", "Unreadable"),
            &unreadable.len().to_string(),
            if unreadable.is_empty() { "good" } else { "bad" }
        ),
    );
    if files.len() > 1 && !all.is_empty() {
        out.push_str("<section class=\"overview\">\n");
        out.push_str(&rule_chart(
            &all,
            t(
                lang,
                "全部文件的问题（按规则）",
                "Findings by rule, all files",
            ),
        ));
        out.push_str("</section>\n");
    }
    for f in files {
        out.push_str(&file_section(f, lang));
    }
    for u in unreadable {
        out.push_str(&unreadable_section(u, lang));
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn total(label: &str, value: &str, class: &str) -> String {
    format!(
        "<div class=\"total {class}\"><dt>{}</dt><dd>{}</dd></div>",
        escape(label),
        escape(value)
    )
}

/// A file that could not be read, as a section of its own.
pub fn unreadable_section(u: &UnreadableFile, lang: Lang) -> String {
    format!(
        "<section class=\"file unreadable\">\n<h2><span class=\"badge bad\">{}</span> {}</h2>\n<p class=\"reason\">{}</p>\n</section>\n",
        t(lang, "无法读取", "Unreadable"),
        escape(u.file),
        escape(u.reason)
    )
}

/// One file: its projects with funds and counts, charts, then the findings grouped by the
/// cover and each project.
pub fn file_section(f: &CheckedFile, lang: Lang) -> String {
    let r = f.report;
    let d = f.declaration;
    let mut out = String::new();
    let (badge, class) = if r.errors() > 0 {
        (
            format!("{} {}", r.errors(), t(lang, "个错误", "errors")),
            "bad",
        )
    } else if r.warnings() > 0 {
        (
            format!("{} {}", r.warnings(), t(lang, "个警告", "warnings")),
            "warn",
        )
    } else {
        (t(lang, "未发现问题", "No problems").to_string(), "good")
    };
    let _ = write!(
        out,
        "<section class=\"file\">\n<h2><span class=\"badge {class}\">{}</span> {}</h2>\n",
        escape(&badge),
        escape(&r.file)
    );
    let mut facts = Vec::new();
    if let Some(u) = d.unit.as_deref().filter(|u| !u.trim().is_empty()) {
        facts.push(format!("{}：{}", t(lang, "单位", "Unit"), escape(u)));
    }
    if let Some(y) = d.year {
        facts.push(format!("{}：{y}", t(lang, "预算年度", "Budget year")));
    }
    let total = checked_total(d.projects.iter().filter_map(|p| p.funds.total));
    facts.push(format!(
        "{}：{}",
        t(lang, "项目资金合计", "Projects' funds"),
        match total {
            Some(m) => escape(&m.wan_string()),
            None => t(lang, "超出可计算范围", "out of range").into(),
        }
    ));
    facts.push(format!(
        "{}：{}　{}：{}",
        t(lang, "错误", "Errors"),
        r.errors(),
        t(lang, "警告", "Warnings"),
        r.warnings()
    ));
    if r.waived() > 0 {
        facts.push(format!("{}：{}", t(lang, "已豁免", "Waived"), r.waived()));
    }
    let (open, waived): (Vec<&Finding>, Vec<&Finding>) =
        r.findings.iter().partition(|g| g.waived.is_none());
    let _ = writeln!(out, "<p class=\"facts\">{}</p>", facts.join("　·　"));

    if !d.projects.is_empty() {
        out.push_str(&project_table(f, lang));
        out.push_str("<div class=\"charts\">\n");
        out.push_str(&project_chart(d, lang));
        out.push_str(&category_chart(d, lang));
        if !open.is_empty() {
            out.push_str(&rule_chart(
                &open,
                t(lang, "问题（按规则）", "Findings by rule"),
            ));
        }
        out.push_str("</div>\n");
    }
    if open.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"clean\">{}</p>",
            t(lang, "未发现问题。", "No problems found.")
        );
    }
    for (project, group) in groups(&open) {
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n<table class=\"findings\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            escape(&crate::validate::report::group_heading(r, project, lang)),
            t(lang, "级别", "Severity"),
            t(lang, "规则", "Rule"),
            t(lang, "位置", "Cell"),
            t(lang, "说明", "What is wrong"),
            t(lang, "应为", "Expected"),
            t(lang, "实为", "Actual"),
        );
        for g in group {
            let place = place(g);
            let (sev, class) = match g.severity {
                Severity::Error => (t(lang, "错误", "error"), "bad"),
                Severity::Warning => (t(lang, "警告", "warning"), "warn"),
            };
            let message = match lang {
                Lang::Zh => &g.message,
                Lang::En => &g.message_en,
            };
            let _ = writeln!(
                out,
                "<tr class=\"{class}\"><td><span class=\"badge {class}\">{sev}</span></td><td class=\"code\">{}</td><td class=\"cell\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&g.code),
                escape(&place),
                escape(message),
                escape(&figure(g.expected.as_deref())),
                escape(&figure(g.actual.as_deref())),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !waived.is_empty() {
        out.push_str(&waived_table(r, &waived, lang));
    }
    out.push_str("</section>\n");
    out
}

/// The findings a waiver accepted, apart from the rest, each with the reviewer's reason.
fn waived_table(r: &FileReport, waived: &[&Finding], lang: Lang) -> String {
    let mut out = format!(
        "<section class=\"waived\">\n<h3>{}（{}）</h3>\n<table class=\"findings\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        t(lang, "已豁免", "Waived"),
        match lang {
            Lang::Zh => format!("{} 条，未计入错误与警告", waived.len()),
            Lang::En => format!("{}, counted in neither errors nor warnings", waived.len()),
        },
        t(lang, "规则", "Rule"),
        t(lang, "位置", "Cell"),
        t(lang, "所在", "Where"),
        t(lang, "说明", "What is wrong"),
        t(lang, "豁免理由", "Reason"),
    );
    for g in waived {
        let message = match lang {
            Lang::Zh => &g.message,
            Lang::En => &g.message_en,
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"code\">{}</td><td class=\"cell\">{}</td><td>{}</td><td>{}</td><td class=\"reason\">{}</td></tr>",
            escape(&g.code),
            escape(&place(g)),
            escape(&crate::validate::report::group_heading(
                r,
                g.location.project,
                lang,
            )),
            escape(message),
            escape(g.waived.as_deref().unwrap_or("")),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
    out
}

/// `工作表!单元格`, or the sheet alone.
fn place(g: &Finding) -> String {
    match (&g.location.sheet, &g.location.cell) {
        (Some(s), Some(c)) => format!("{s}!{c}"),
        (Some(s), None) => s.clone(),
        _ => String::new(),
    }
}

/// An expected or actual figure as the form shows it: an amount in 元 (`1000000.00`) with
/// thousands separators (`1,000,000.00`), anything else (a unit, a year) as it is.
///
/// Years and plain counts have no decimals and stay as they are.
fn figure(value: Option<&str>) -> String {
    let Some(v) = value else {
        return String::new();
    };
    let digits = v.strip_prefix('-').unwrap_or(v);
    let is_amount = digits.split_once('.').is_some_and(|(int, frac)| {
        !int.is_empty()
            && frac.len() == 2
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
    });
    match v.parse::<Decimal>() {
        Ok(d) if is_amount => crate::model::group_thousands(d, 2),
        _ => v.to_string(),
    }
}

/// A sum of amounts, `None` past what a decimal holds.
fn checked_total(mut amounts: impl Iterator<Item = Money>) -> Option<Money> {
    amounts
        .try_fold(Decimal::ZERO, |a, m| a.checked_add(m.yuan()))
        .map(Money::from_yuan)
}

fn project_table(f: &CheckedFile, lang: Lang) -> String {
    let mut out = format!(
        "<table class=\"projects\">\n<thead><tr><th>#</th><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        t(lang, "项目名称", "Project"),
        t(lang, "项目类别", "Category"),
        t(lang, "项目资金总额（万元）", "Total funds (10k yuan)"),
        t(lang, "错误", "Errors"),
        t(lang, "警告", "Warnings"),
    );
    for (i, p) in f.declaration.projects.iter().enumerate() {
        let count = |s: Severity| {
            f.report
                .findings
                .iter()
                .filter(|g| g.location.project == Some(i) && g.severity == s && g.waived.is_none())
                .count()
        };
        let (e, w) = (count(Severity::Error), count(Severity::Warning));
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num{}\">{}</td><td class=\"num{}\">{}</td></tr>",
            i + 1,
            escape(p.header.name.as_deref().unwrap_or("")),
            escape(p.header.category.as_deref().unwrap_or("")),
            p.funds.total.map(wan).unwrap_or_default(),
            if e > 0 { " bad" } else { "" },
            e,
            if w > 0 { " warn" } else { "" },
            w,
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// `1,234.56` (万元, two decimals, as the form shows it).
fn wan(m: Money) -> String {
    let s = m.wan_string();
    s.trim_end_matches("万元").to_string()
}

fn project_chart(d: &Declaration, lang: Lang) -> String {
    let rows: Vec<Bar> = d
        .projects
        .iter()
        .enumerate()
        .map(|(i, p)| Bar {
            label: match p.header.name.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() => format!("{}. {n}", i + 1),
                _ => format!("{} {}", t(lang, "项目", "Project"), i + 1),
            },
            value: p.funds.total.map(|m| m.wan()).unwrap_or_default(),
            text: p.funds.total.map(wan).unwrap_or_default(),
            class: "fund",
        })
        .collect();
    bar_chart(
        t(lang, "资金（按项目，万元）", "Funds by project (10k yuan)"),
        &rows,
        true,
    )
}

fn category_chart(d: &Declaration, lang: Lang) -> String {
    let mut by: BTreeMap<String, Option<Decimal>> = BTreeMap::new();
    for p in &d.projects {
        let key = p
            .header
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or(t(lang, "（未填类别）", "(no category)"))
            .to_string();
        let amount = p.funds.total.map(|m| m.yuan()).unwrap_or_default();
        let slot = by.entry(key).or_insert(Some(Decimal::ZERO));
        *slot = slot.and_then(|s| s.checked_add(amount));
    }
    let rows: Vec<Bar> = by
        .into_iter()
        .map(|(label, sum)| {
            let m = sum.map(Money::from_yuan);
            Bar {
                label,
                value: m.map(|m| m.wan()).unwrap_or_default(),
                text: m
                    .map(wan)
                    .unwrap_or_else(|| t(lang, "超出范围", "overflow").into()),
                class: "cat",
            }
        })
        .collect();
    bar_chart(
        t(
            lang,
            "资金（按项目类别，万元）",
            "Funds by category (10k yuan)",
        ),
        &rows,
        false,
    )
}

fn rule_chart(findings: &[&Finding], title: &str) -> String {
    let mut by: BTreeMap<(&str, Severity), usize> = BTreeMap::new();
    for f in findings {
        *by.entry((f.code.as_str(), f.severity)).or_default() += 1;
    }
    let rows: Vec<Bar> = by
        .into_iter()
        .map(|((code, sev), n)| Bar {
            label: code.to_string(),
            value: Decimal::from(n),
            text: n.to_string(),
            class: if sev == Severity::Error {
                "bad"
            } else {
                "warn"
            },
        })
        .collect();
    bar_chart(title, &rows, false)
}

struct Bar {
    label: String,
    value: Decimal,
    text: String,
    class: &'static str,
}

/// A horizontal bar chart as inline SVG: one row per bar, the label left, the figure right;
/// `wide` spans the page (projects' names are long). Drawn at its own size in pixels, so
/// its text is as large as the page's. Pixel widths are drawing, not money, so they may
/// be floating point.
fn bar_chart(title: &str, rows: &[Bar], wide: bool) -> String {
    const ROW: f64 = 22.0;
    const TOP: f64 = 8.0;
    let (width, label_w, bar_w, label_chars) = if wide {
        (1000.0, 300.0, 600.0, 22)
    } else {
        (480.0, 150.0, 260.0, 10)
    };
    let max = rows
        .iter()
        .map(|r| r.value)
        .filter(|v| v.is_sign_positive())
        .max()
        .unwrap_or_default();
    let height = TOP * 2.0 + ROW * rows.len().max(1) as f64;
    let mut out = format!(
        "<figure class=\"chart{}\"><figcaption>{}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">\n",
        if wide { " wide" } else { "" },
        escape(title),
        escape(title)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let share = if max > Decimal::ZERO && r.value.is_sign_positive() {
            (r.value / max).to_f64().unwrap_or(0.0)
        } else {
            0.0
        };
        let w = (bar_w * share).max(if r.value > Decimal::ZERO { 1.0 } else { 0.0 });
        let label: String = if r.label.chars().count() > label_chars {
            r.label.chars().take(label_chars - 1).chain(['…']).collect()
        } else {
            r.label.clone()
        };
        let _ = writeln!(
            out,
            "<g><title>{} {}</title><text x=\"{:.0}\" y=\"{:.1}\" class=\"lbl\" text-anchor=\"end\">{}</text><rect x=\"{:.0}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.0}\" class=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"val\">{}</text></g>",
            escape(&r.label),
            escape(&r.text),
            label_w - 6.0,
            y + 15.0,
            escape(&label),
            label_w,
            y + 4.0,
            ROW - 8.0,
            r.class,
            label_w + w + 4.0,
            y + 15.0,
            escape(&r.text),
        );
    }
    out.push_str("</svg></figure>\n");
    out
}

/// Findings grouped by project (the cover, `None`, first), each group in the order given.
fn groups<'a>(findings: &[&'a Finding]) -> Vec<(Option<usize>, Vec<&'a Finding>)> {
    let mut keys: Vec<Option<usize>> = findings.iter().map(|f| f.location.project).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            (
                k,
                findings
                    .iter()
                    .copied()
                    .filter(|f| f.location.project == k)
                    .collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_widths_follow_the_values() {
        let rows = [
            Bar {
                label: "甲".into(),
                value: Decimal::from(200),
                text: "200".into(),
                class: "fund",
            },
            Bar {
                label: "乙".into(),
                value: Decimal::from(50),
                text: "50".into(),
                class: "fund",
            },
        ];
        let svg = bar_chart("t", &rows, false);
        assert!(svg.contains("width=\"260.0\""), "{svg}");
        assert!(svg.contains("width=\"65.0\""), "{svg}");
    }

    #[test]
    fn long_labels_are_cut_and_kept_in_the_title() {
        let rows = [Bar {
            label: "一二三四五六七八九十一二三四五六".into(),
            value: Decimal::ONE,
            text: "1".into(),
            class: "fund",
        }];
        let svg = bar_chart("t", &rows, false);
        assert!(svg.contains(">一二三四五六七八九…</text>"));
        assert!(svg.contains("<title>一二三四五六七八九十一二三四五六 1</title>"));
    }

    #[test]
    fn amounts_get_separators_other_figures_stay() {
        assert_eq!(figure(Some("1000000.00")), "1,000,000.00");
        assert_eq!(figure(Some("-259200.50")), "-259,200.50");
        assert_eq!(figure(Some("2024")), "2024");
        assert_eq!(figure(Some("场")), "场");
        assert_eq!(figure(Some("1.5")), "1.5");
        assert_eq!(figure(None), "");
    }

    #[test]
    fn overflowing_sum_is_none() {
        let big = Money::from_yuan(Decimal::MAX);
        assert_eq!(checked_total([big, big].into_iter()), None);
        assert_eq!(
            checked_total([Money::from_cents(150), Money::from_cents(250)].into_iter()),
            Some(Money::from_cents(400))
        );
    }
}
