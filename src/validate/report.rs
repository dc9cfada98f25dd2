//! Reports of findings: plain text for people (Chinese or English), JSON for programs,
//! and the exit code the CLI returns.

use serde::Serialize;

use crate::model::{Declaration, Finding, Severity};
use crate::values::quote_short;

/// Language of a text report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Plain Chinese for finance staff.
    #[default]
    Zh,
    /// English, from each finding's `message_en`.
    En,
}

/// The findings for one checked file, with the project names to head each group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileReport {
    pub file: String,
    /// Project names in declaration order (empty when a project has none).
    pub project_names: Vec<String>,
    pub findings: Vec<Finding>,
}

impl FileReport {
    /// A report for `file`, taking the project names from the declaration.
    ///
    /// ```
    /// use jixiao::model::{Declaration, SourceMap};
    /// use jixiao::validate::{report::FileReport, validate};
    /// let decl = Declaration::default();
    /// let findings = validate(&decl, &SourceMap::new("a.xlsx"));
    /// let r = FileReport::new("a.xlsx", &decl, findings);
    /// assert!(r.project_names.is_empty());
    /// assert_eq!(r.errors(), 1);
    /// ```
    pub fn new(file: impl Into<String>, decl: &Declaration, findings: Vec<Finding>) -> FileReport {
        FileReport {
            file: file.into(),
            project_names: decl
                .projects
                .iter()
                .map(|p| p.header.name.clone().unwrap_or_default())
                .collect(),
            findings,
        }
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    /// Findings a waiver accepted: listed, but counted in neither errors nor warnings.
    pub fn waived(&self) -> usize {
        self.findings.iter().filter(|f| f.waived.is_some()).count()
    }

    fn count(&self, s: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == s && f.waived.is_none())
            .count()
    }
}

/// Totals over several files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub projects: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Waived findings (left out of the JSON when there are none).
    #[serde(skip_serializing_if = "is_zero")]
    pub waived: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Counts files, projects, errors and warnings.
///
/// ```
/// use jixiao::validate::report::{summarize, FileReport};
/// let r = FileReport { file: "a.xlsx".into(), project_names: vec!["甲".into(), "乙".into()], findings: vec![] };
/// let s = summarize(&[r]);
/// assert_eq!((s.files, s.projects, s.errors, s.warnings), (1, 2, 0, 0));
/// ```
pub fn summarize(reports: &[FileReport]) -> Summary {
    Summary {
        files: reports.len(),
        projects: reports.iter().map(|r| r.project_names.len()).sum(),
        errors: reports.iter().map(FileReport::errors).sum(),
        warnings: reports.iter().map(FileReport::warnings).sum(),
        waived: reports.iter().map(FileReport::waived).sum(),
    }
}

/// A text report: for each file, findings grouped under the cover and each project,
/// one line each with severity, code, `sheet!cell` and message; then a summary line.
///
/// ```
/// use jixiao::model::{Declaration, SourceMap};
/// use jixiao::validate::report::{render_text, FileReport, Lang};
/// use jixiao::validate::validate;
/// let decl: Declaration = serde_json::from_str(
///     r#"{"year": 2024, "stated_total": {"value": "0", "unit": "wan"},
///         "stated_project_count": 0, "projects": []}"#).unwrap();
/// let r = FileReport::new("a.xlsx", &decl, validate(&decl, &SourceMap::new("a.xlsx")));
/// let text = render_text(&[r], Lang::Zh);
/// assert!(text.contains("错误 C006"));
/// assert!(text.ends_with("共检查 1 个文件、0 个项目：错误 1 条，警告 0 条。\n"));
/// ```
pub fn render_text(reports: &[FileReport], lang: Lang) -> String {
    let mut out = String::new();
    for r in reports {
        match lang {
            Lang::Zh => out.push_str(&format!("文件：{}\n", r.file)),
            Lang::En => out.push_str(&format!("File: {}\n", r.file)),
        }
        if r.findings.is_empty() {
            out.push_str(match lang {
                Lang::Zh => "  未发现问题。\n",
                Lang::En => "  No problems found.\n",
            });
            continue;
        }
        for (project, findings) in groups(&r.findings) {
            out.push_str(&format!("  {}\n", group_heading(r, project, lang)));
            for f in findings {
                out.push_str(&format!("    {}\n", finding_line(f, lang)));
            }
        }
    }
    let s = summarize(reports);
    let waived = match (lang, s.waived) {
        (_, 0) => String::new(),
        (Lang::Zh, n) => format!("；另有已豁免 {n} 条"),
        (Lang::En, n) => format!("; {n} waived"),
    };
    out.push_str(&match lang {
        Lang::Zh => format!(
            "共检查 {} 个文件、{} 个项目：错误 {} 条，警告 {} 条{waived}。\n",
            s.files, s.projects, s.errors, s.warnings
        ),
        Lang::En => format!(
            "Checked {} {}, {} {}: {} {}, {} {}.\n",
            s.files,
            plural(s.files, "file", "files"),
            s.projects,
            plural(s.projects, "project", "projects"),
            s.errors,
            plural(s.errors, "error", "errors"),
            s.warnings,
            plural(s.warnings, "warning", "warnings"),
        )
        .replace(".\n", &format!("{waived}.\n")),
    });
    out
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Findings grouped by project (the cover, `None`, first), each group in the order given.
fn groups(findings: &[Finding]) -> Vec<(Option<usize>, Vec<&Finding>)> {
    let mut keys: Vec<Option<usize>> = findings.iter().map(|f| f.location.project).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let group = findings
                .iter()
                .filter(|f| f.location.project == k)
                .collect();
            (k, group)
        })
        .collect()
}

/// A findings group's heading: 单位封面, or 项目 N「name」 (a long name quoted by its start).
/// The text report and the HTML report both use it.
pub fn group_heading(r: &FileReport, project: Option<usize>, lang: Lang) -> String {
    let Some(i) = project else {
        return match lang {
            Lang::Zh => "单位封面".to_string(),
            Lang::En => "Cover".to_string(),
        };
    };
    let name = r
        .project_names
        .get(i)
        .map(|n| n.trim())
        .filter(|n| !n.is_empty());
    match (lang, name) {
        (Lang::Zh, Some(n)) => format!("项目 {}「{}」", i + 1, quote_short(n)),
        (Lang::Zh, None) => format!("项目 {}", i + 1),
        (Lang::En, Some(n)) => format!("Project {} “{}”", i + 1, quote_short(n)),
        (Lang::En, None) => format!("Project {}", i + 1),
    }
}

fn finding_line(f: &Finding, lang: Lang) -> String {
    let (severity, message) = match lang {
        Lang::Zh => (f.severity.zh(), &f.message),
        Lang::En => (f.severity.en(), &f.message_en),
    };
    let place = match (&f.location.sheet, &f.location.cell) {
        (Some(s), Some(c)) => format!(" {s}!{c}"),
        (Some(s), None) => format!(" {s}"),
        _ => String::new(),
    };
    // One finding, one line, whatever a message holds.
    let message = message.replace(['\n', '\r'], " ");
    match (&f.waived, lang) {
        (None, _) => format!("{severity} {}{place} {message}", f.code),
        (Some(why), Lang::Zh) => format!(
            "已豁免（{severity}） {}{place} {message}（豁免理由：{}）",
            f.code,
            why.replace(['\n', '\r'], " ")
        ),
        (Some(why), Lang::En) => format!(
            "waived ({severity}) {}{place} {message} (waived: {})",
            f.code,
            why.replace(['\n', '\r'], " ")
        ),
    }
}

/// A JSON report: `{"files": [FileReport…], "summary": {files, projects, errors, warnings}}`,
/// pretty-printed.
///
/// ```
/// use jixiao::validate::report::{render_json, FileReport};
/// let r = FileReport { file: "a.xlsx".into(), project_names: vec!["甲".into()], findings: vec![] };
/// let v: serde_json::Value = serde_json::from_str(&render_json(&[r])).unwrap();
/// assert_eq!(v["files"][0]["project_names"][0], "甲");
/// assert_eq!(v["summary"]["errors"], 0);
/// ```
pub fn render_json(reports: &[FileReport]) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        files: &'a [FileReport],
        summary: Summary,
    }
    let doc = Doc {
        files: reports,
        summary: summarize(reports),
    };
    // Plain data with string keys: serializing cannot fail.
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The CLI's exit code for checked files: 0 when no finding is an error (warnings
/// allowed), 1 otherwise. Unreadable files (exit 2) are the caller's to handle.
///
/// ```
/// use jixiao::validate::report::{exit_code, FileReport};
/// let clean = FileReport { file: "a.xlsx".into(), project_names: vec![], findings: vec![] };
/// assert_eq!(exit_code(&[clean]), 0);
/// ```
pub fn exit_code(reports: &[FileReport]) -> i32 {
    if reports.iter().any(|r| r.errors() > 0) {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;

    fn f(code: &str, severity: Severity, project: Option<usize>, cell: Option<&str>) -> Finding {
        Finding {
            code: code.into(),
            severity,
            location: Location {
                file: "a.xlsx".into(),
                sheet: cell.map(|_| "项目1".into()),
                cell: cell.map(Into::into),
                project,
            },
            message: format!("{code} 中文"),
            message_en: format!("{code} English"),
            expected: None,
            actual: None,
            waived: None,
        }
    }

    fn sample() -> Vec<FileReport> {
        vec![
            FileReport {
                file: "a.xlsx".into(),
                project_names: vec!["甲".into(), "".into()],
                findings: vec![
                    f("B001", Severity::Error, Some(0), Some("F20:F32")),
                    f("C001", Severity::Error, None, None),
                    f("I009", Severity::Warning, Some(1), Some("C17")),
                    f("B003", Severity::Warning, Some(0), None),
                ],
            },
            FileReport {
                file: "b.xlsx".into(),
                project_names: vec!["乙".into()],
                findings: vec![],
            },
        ]
    }

    #[test]
    fn text_zh() {
        let text = render_text(&sample(), Lang::Zh);
        assert_eq!(
            text,
            "文件：a.xlsx\n  单位封面\n    错误 C001 C001 中文\n  项目 1「甲」\n    错误 B001 项目1!F20:F32 B001 中文\n    警告 B003 B003 中文\n  项目 2\n    警告 I009 项目1!C17 I009 中文\n文件：b.xlsx\n  未发现问题。\n共检查 2 个文件、3 个项目：错误 2 条，警告 2 条。\n"
        );
    }

    #[test]
    fn text_en() {
        let text = render_text(&sample(), Lang::En);
        assert!(text.contains("  Project 1 “甲”\n    error B001 项目1!F20:F32 B001 English\n"));
        assert!(text.contains("File: b.xlsx\n  No problems found.\n"));
        assert!(text.ends_with("Checked 2 files, 3 projects: 2 errors, 2 warnings.\n"));
    }

    #[test]
    fn json_and_exit_code() {
        let reports = sample();
        let v: serde_json::Value = serde_json::from_str(&render_json(&reports)).unwrap();
        assert_eq!(v["files"][0]["findings"][0]["code"], "B001");
        assert_eq!(v["files"][0]["findings"][0]["location"]["cell"], "F20:F32");
        assert_eq!(v["files"][0]["findings"][0]["severity"], "error");
        assert_eq!(v["summary"]["warnings"], 2);
        assert_eq!(exit_code(&reports), 1);
        assert_eq!(exit_code(&reports[1..]), 0);
        let warnings_only = FileReport {
            file: "c.xlsx".into(),
            project_names: vec![],
            findings: vec![f("I009", Severity::Warning, None, None)],
        };
        assert_eq!(exit_code(&[warnings_only]), 0);
        assert_eq!(exit_code(&[]), 0);
    }
}
