//! Waivers: findings a reviewer has accepted, listed in a CSV so they stay accepted on the
//! next run. Columns 文件 (optional: a path or a pattern with `*` and `?`), 工作表, 单元格,
//! 代码, 理由; UTF-8 with or without BOM, or GB18030. A waived finding keeps its place in
//! every report, marked 已豁免 with the reason, and no longer counts for the exit code; a
//! waiver that matched nothing is returned as stale, so old ones are seen.

use std::path::Path;

use crate::model::Finding;

/// One row of a waiver file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    /// The line of the file it was read from (1 is the header).
    pub line: u64,
    /// A path or pattern; `None` matches every file.
    pub file: Option<String>,
    pub sheet: String,
    pub cell: String,
    pub code: String,
    pub reason: String,
}

/// A waiver file that cannot be used, with the file and line named.
#[derive(Debug, thiserror::Error)]
pub enum WaiverError {
    #[error("豁免清单 {file} 无法打开：{reason}")]
    Open { file: String, reason: String },
    #[error("豁免清单 {file} 既不是 UTF-8 也不是 GB18030 编码的文本，请另存为 CSV（UTF-8）")]
    Encoding { file: String },
    #[error("豁免清单 {file} 第 1 行缺少列「{column}」。表头应为：文件（可省略）,工作表,单元格,代码,理由")]
    Header { file: String, column: String },
    #[error("豁免清单 {file} 第 {line} 行：{reason}")]
    Row {
        file: String,
        line: u64,
        reason: String,
    },
}

/// Reads a waiver file.
pub fn load(path: &Path) -> Result<Vec<Waiver>, WaiverError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| WaiverError::Open {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    parse(&bytes, &file)
}

/// Parses the bytes of a waiver file named `file` (for messages).
///
/// ```
/// let csv = "工作表,单元格,代码,理由\n7.展示馆运维费,G37,I013,已与主管部门确认\n";
/// let w = jixiao::waiver::parse(csv.as_bytes(), "豁免.csv").unwrap();
/// assert_eq!((w[0].cell.as_str(), w[0].code.as_str(), w[0].line), ("G37", "I013", 2));
/// ```
pub fn parse(bytes: &[u8], file: &str) -> Result<Vec<Waiver>, WaiverError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            let (t, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(WaiverError::Encoding { file: file.into() });
            }
            t
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let row_error = |line: u64, reason: String| WaiverError::Row {
        file: file.into(),
        line,
        reason,
    };
    let headers = reader
        .headers()
        .map_err(|e| row_error(1, e.to_string()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let required = |name: &str| {
        column(name).ok_or_else(|| WaiverError::Header {
            file: file.into(),
            column: name.into(),
        })
    };
    let (sheet_at, cell_at, code_at, reason_at) = (
        required("工作表")?,
        required("单元格")?,
        required("代码")?,
        required("理由")?,
    );
    let file_at = column("文件");
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            row_error(line, format!("无法读取（{e}）"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |at: usize| record.get(at).unwrap_or("").trim().to_string();
        let code = get(code_at).to_uppercase();
        let valid_code = code.len() == 4
            && code.as_bytes()[0].is_ascii_uppercase()
            && code[1..].bytes().all(|b| b.is_ascii_digit());
        if !valid_code {
            return Err(row_error(
                line,
                format!("代码「{}」不是问题代码（如 I013）", get(code_at)),
            ));
        }
        let reason = get(reason_at);
        if reason.is_empty() {
            return Err(row_error(line, "未写豁免理由".into()));
        }
        out.push(Waiver {
            line,
            file: file_at.map(get).filter(|f| !f.is_empty()),
            sheet: get(sheet_at),
            cell: get(cell_at).replace('$', "").to_uppercase(),
            code,
            reason,
        });
    }
    Ok(out)
}

/// True when `text` matches `pattern`, where `*` is any run of characters and `?` one.
fn glob(pattern: &[char], text: &[char]) -> bool {
    // Iterative with one backtrack point: linear enough for paths.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// `a\b/c.xlsx` as `a/b/c.xlsx`, so a pattern written on Windows matches either way.
fn slashes(s: &str) -> Vec<char> {
    s.chars().map(|c| if c == '\\' { '/' } else { c }).collect()
}

impl Waiver {
    /// True when this waiver is for `finding`, read from `file`.
    pub fn matches(&self, file: &str, finding: &Finding) -> bool {
        let loc = &finding.location;
        if self.code != finding.code
            || self.sheet != loc.sheet.as_deref().unwrap_or("").trim()
            || self.cell != loc.cell.as_deref().unwrap_or("").to_uppercase()
        {
            return false;
        }
        let Some(pattern) = &self.file else {
            return true;
        };
        let (pattern, path) = (slashes(pattern), slashes(file));
        let name_at = path.iter().rposition(|c| *c == '/').map_or(0, |i| i + 1);
        glob(&pattern, &path) || glob(&pattern, &path[name_at..])
    }
}

/// Marks the findings of `file` that a waiver covers (`waived` = the reason) and records
/// which waivers were used in `used` (one flag per waiver, kept across files).
pub fn apply(waivers: &[Waiver], used: &mut [bool], file: &str, findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        if let Some((at, w)) = waivers.iter().enumerate().find(|(_, w)| w.matches(file, f)) {
            f.waived = Some(w.reason.clone());
            if let Some(u) = used.get_mut(at) {
                *u = true;
            }
        }
    }
}

/// The waivers that matched no finding.
pub fn stale<'w>(waivers: &'w [Waiver], used: &[bool]) -> Vec<&'w Waiver> {
    waivers
        .iter()
        .zip(used)
        .filter(|(_, u)| !**u)
        .map(|(w, _)| w)
        .collect()
}

/// `豁免清单第 3 行（I013 7.展示馆运维费!G37）未匹配任何问题，可能已过时。`
pub fn stale_message(w: &Waiver) -> String {
    let file = w.file.as_ref().map(|f| format!("{f} ")).unwrap_or_default();
    format!(
        "豁免清单第 {} 行（{file}{} {}!{}）未匹配任何问题，可能已过时，请删去或更新。",
        w.line, w.code, w.sheet, w.cell
    )
}

/// [`stale_message`] in English (`--lang en`).
pub fn stale_message_en(w: &Waiver) -> String {
    let file = w.file.as_ref().map(|f| format!("{f} ")).unwrap_or_default();
    format!(
        "Waiver line {} ({file}{} {}!{}) matched no finding; it may be stale: remove or update it.",
        w.line, w.code, w.sheet, w.cell
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let g = |p: &str, t: &str| glob(&slashes(p), &slashes(t));
        assert!(g("*.xlsx", "松江/科创办.xlsx"));
        assert!(g("松江/*", "松江/科创办.xlsx"));
        assert!(g("科创?.xlsx", "科创办.xlsx"));
        assert!(!g("*.xls", "科创办.xlsx"));
        assert!(g("a*b*c", "aXbYbc"));
        assert!(!g("a*b*c", "aXbYbd"));
    }
}
