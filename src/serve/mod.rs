//! `jixiao serve`: check, fix and roll up workbooks uploaded from a page in the browser,
//! on this machine only. This module does the work on uploads and returns values;
//! [`http`] answers the requests; nothing here prints.
//!
//! Uploads are written to a private temporary folder that is removed when the request
//! ends; messages name each file by its uploaded name, as the CLI names it by its path.

pub mod http;
pub mod multipart;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::Declaration;
use crate::report_html::{self, CheckedFile, UnreadableFile};
use crate::validate::report::{FileReport, Lang};
use crate::Error;

/// At most this many files in one request: a large county's folder, not a disk.
pub const MAX_FILES: usize = 2000;
/// At most this many bytes in one request's body (each file is held to the reader's
/// [`crate::read::LIMITS`] `max_file_bytes` as well).
pub const MAX_REQUEST_BYTES: u64 = 512 * 1024 * 1024;

/// An uploaded file: the name it was sent under (a relative path for a folder) and its bytes.
#[derive(Clone, Debug)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A name safe to write under the request's folder: the sent path's parts without
/// `..`, `.`, empty parts, drive letters or control characters.
///
/// ```
/// use jixiao::serve::safe_name;
/// assert_eq!(safe_name("../../etc/passwd"), "etc/passwd");
/// assert_eq!(safe_name("C:\\单位\\甲.xlsx"), "C_/单位/甲.xlsx");
/// assert_eq!(safe_name(""), "upload.xlsx");
/// ```
pub fn safe_name(sent: &str) -> String {
    let parts: Vec<String> = sent
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                        '_'
                    } else {
                        c
                    }
                })
                .collect::<String>()
                .trim()
                .to_string()
        })
        .filter(|p| !p.is_empty() && p != "." && p != "..")
        .collect();
    if parts.is_empty() {
        "upload.xlsx".into()
    } else {
        parts.join("/")
    }
}

/// What checking uploads gives: the files read (report and declaration) and the files
/// that could not be read.
pub struct CheckOutcome {
    pub read: Vec<(FileReport, Declaration)>,
    pub unreadable: Vec<Error>,
    /// With a waiver file: the waivers that matched no finding (`stale_waivers` in the JSON).
    pub stale: Option<Vec<crate::waiver::Waiver>>,
}

impl CheckOutcome {
    /// The same JSON as `check --format json`.
    pub fn json(&self) -> String {
        let reports: Vec<FileReport> = self.read.iter().map(|(r, _)| r.clone()).collect();
        let stale: Option<Vec<&crate::waiver::Waiver>> =
            self.stale.as_ref().map(|s| s.iter().collect());
        crate::cli::check_json(&reports, &self.unreadable, stale.as_deref())
    }

    /// The HTML sections of every file, as the `check --html` report shows them.
    pub fn html_sections(&self, lang: Lang) -> String {
        let mut out = String::new();
        for (report, declaration) in &self.read {
            out.push_str(&report_html::file_section(
                &CheckedFile {
                    report,
                    declaration,
                },
                lang,
            ));
        }
        for e in &self.unreadable {
            out.push_str(&report_html::unreadable_section(
                &UnreadableFile {
                    file: e.file(),
                    reason: &e.to_string(),
                },
                lang,
            ));
        }
        out
    }
}

/// Reads and validates each upload from memory, each named by [`safe_name`]. A panic in
/// one file is that file's error.
pub fn check(uploads: Vec<Upload>) -> CheckOutcome {
    check_waived(uploads, None)
}

/// [`check`], with the findings a waiver file covers marked 已豁免 (as `check --waive`),
/// matched against the uploads' names.
pub fn check_waived(
    uploads: Vec<Upload>,
    waivers: Option<&[crate::waiver::Waiver]>,
) -> CheckOutcome {
    let mut out = CheckOutcome {
        read: Vec::new(),
        unreadable: Vec::new(),
        stale: None,
    };
    let mut used = vec![false; waivers.map_or(0, <[_]>::len)];
    for u in uploads {
        let name = safe_name(&u.name);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::read::read_bytes(&name, u.bytes)
                .map(|read| crate::cli::checked(name.clone(), read))
        }));
        match caught.unwrap_or_else(|_| Err(crate::cli::internal_error(Path::new(&name)))) {
            Ok((mut report, decl)) => {
                if let Some(w) = waivers {
                    crate::waiver::apply(w, &mut used, &name, &mut report.findings);
                }
                out.read.push((report, decl))
            }
            Err(e) => out.unreadable.push(e),
        }
    }
    out.stale = waivers.map(|w| {
        crate::waiver::stale(w, &used)
            .into_iter()
            .cloned()
            .collect()
    });
    out
}

/// A request's private folder, with the uploads written under `in/` by their safe names.
struct Workspace {
    dir: tempfile::TempDir,
    /// Each upload's path and the name it is shown under.
    files: Vec<(PathBuf, String)>,
}

impl Workspace {
    fn new(uploads: Vec<Upload>) -> Result<Workspace, Error> {
        let dir = tempfile::Builder::new()
            .prefix("jixiao-serve-")
            .tempdir()
            .map_err(|e| Error::Output {
                file: std::env::temp_dir().display().to_string(),
                reason: format!("无法创建临时文件夹（{e}）"),
            })?;
        let mut files: Vec<(PathBuf, String)> = Vec::new();
        for u in uploads {
            let mut name = safe_name(&u.name);
            // The same name twice (two folders' 申报表.xlsx): the second becomes `申报表 (2).xlsx`.
            let mut n = 2;
            while files.iter().any(|(_, shown)| *shown == name) {
                let base = safe_name(&u.name);
                name = match base.rsplit_once('.') {
                    Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({n}).{ext}"),
                    _ => format!("{base} ({n})"),
                };
                n += 1;
            }
            let path = dir.path().join("in").join(&name);
            let write = || -> std::io::Result<()> {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, &u.bytes)
            };
            write().map_err(|e| Error::Output {
                file: name.clone(),
                reason: format!("无法保存上传的文件（{e}）"),
            })?;
            files.push((path, name));
        }
        std::fs::create_dir_all(dir.path().join("out")).map_err(|e| Error::Output {
            file: dir.path().display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(Workspace { dir, files })
    }

    /// `text` with the folder's input prefix taken out, so each file is named as it was sent.
    fn relabel(&self, text: &str) -> String {
        let prefix = format!(
            "{}{}",
            self.dir.path().join("in").display(),
            std::path::MAIN_SEPARATOR
        );
        text.replace(&prefix, "")
    }
}

/// An error from working on uploads: the library's, its message with the uploaded names.
#[derive(Debug)]
pub struct UploadError {
    /// The message, as the CLI prints it after `错误：`.
    pub message: String,
    /// True when the upload is at fault (unreadable, not a form), false when this machine
    /// failed (no space for the temporary folder).
    pub bad_input: bool,
}

impl UploadError {
    fn from(ws: Option<&Workspace>, e: Error) -> UploadError {
        let bad_input = matches!(
            e,
            Error::Open { .. }
                | Error::NotAForm { .. }
                | Error::Sheet { .. }
                | Error::Limit { .. }
                | Error::Json { .. }
        );
        let message = match ws {
            Some(ws) => ws.relabel(&e.to_string()),
            None => e.to_string(),
        };
        UploadError { message, bad_input }
    }
}

/// The name a corrected workbook is offered under: `甲.xls` → `甲-更正.xlsx`.
///
/// ```
/// assert_eq!(jixiao::serve::fixed_name("单位/甲.xls"), "甲-更正.xlsx");
/// ```
pub fn fixed_name(sent: &str) -> String {
    let name = safe_name(sent);
    let base = name.rsplit('/').next().unwrap_or(&name);
    let stem = match base.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => base,
    };
    format!("{stem}-更正.xlsx")
}

/// The corrected workbook of one upload (as `jixiao fix` writes it), and its file name.
pub fn fix(upload: Upload) -> Result<(String, Vec<u8>), UploadError> {
    fix_waived(upload, &[])
}

/// [`fix`], with the findings `waivers` cover marked 已豁免 in the 校验结果 sheet.
pub fn fix_waived(
    upload: Upload,
    waivers: &[crate::waiver::Waiver],
) -> Result<(String, Vec<u8>), UploadError> {
    let out_name = fixed_name(&upload.name);
    let ws = Workspace::new(vec![upload]).map_err(|e| UploadError::from(None, e))?;
    let (input, _) = &ws.files[0];
    let output = ws.dir.path().join("out").join(&out_name);
    let fixed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut used = vec![false; waivers.len()];
        crate::fix::fix_file_with(input, &output, false, false, waivers, &mut used)
    }))
    .unwrap_or_else(|_| Err(crate::cli::internal_error(input)));
    fixed.map_err(|e| UploadError::from(Some(&ws), e))?;
    let bytes = std::fs::read(&output).map_err(|e| UploadError {
        message: format!("无法读取更正后的工作簿（{e}）"),
        bad_input: false,
    })?;
    Ok((out_name, bytes))
}

/// The corrected workbooks of several uploads in one zip, each as [`fix`] names it; a
/// file that cannot be corrected is listed in `无法更正.txt` inside the zip instead.
pub fn fix_many(uploads: Vec<Upload>) -> Result<Vec<u8>, UploadError> {
    fix_many_waived(uploads, &[])
}

/// [`fix_many`] with waivers, as [`fix_waived`].
pub fn fix_many_waived(
    uploads: Vec<Upload>,
    waivers: &[crate::waiver::Waiver],
) -> Result<Vec<u8>, UploadError> {
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut failed = String::new();
    for u in uploads {
        let sent = safe_name(&u.name);
        match fix_waived(u, waivers) {
            Ok((name, bytes)) => {
                // Keep the folder the file came from, so two folders' 申报表 stay apart.
                let folder = sent.rsplit_once('/').map(|(d, _)| d);
                let mut path = match folder {
                    Some(d) => format!("{d}/{name}"),
                    None => name,
                };
                let mut n = 2;
                while entries.iter().any(|(p, _)| *p == path) {
                    path = format!("{} ({n}).xlsx", path.trim_end_matches(".xlsx"));
                    n += 1;
                }
                entries.push((path, bytes));
            }
            Err(e) => {
                failed.push_str(&e.message);
                failed.push('\n');
            }
        }
    }
    if !failed.is_empty() {
        entries.push(("无法更正.txt".into(), failed.into_bytes()));
    }
    zip_files(&entries)
}

/// The rollup of the uploads as `jixiao rollup` writes it: 项目汇总.csv, 指标明细.csv,
/// 问题清单.csv, 汇总.xlsx and the printed summary as 汇总说明.txt, in one zip.
pub fn rollup(uploads: Vec<Upload>) -> Result<Vec<u8>, UploadError> {
    rollup_waived(uploads, &[])
}

/// [`rollup`], with the findings `waivers` cover listed apart (as `rollup --waive`).
pub fn rollup_waived(
    uploads: Vec<Upload>,
    waivers: &[crate::waiver::Waiver],
) -> Result<Vec<u8>, UploadError> {
    let ws = Workspace::new(uploads).map_err(|e| UploadError::from(None, e))?;
    let out = ws.dir.path().join("out");
    let options = crate::rollup::RollupOptions {
        output: out.join("项目汇总.csv"),
        indicators: Some(out.join("指标明细.csv")),
        findings: Some(out.join("问题清单.csv")),
        xlsx: Some(out.join("汇总.xlsx")),
        encoding: crate::rollup::CsvEncoding::Utf8Bom,
        jobs: 1,
        // A folder of its own, new for this request: nothing there to keep.
        force: false,
    };
    let mut inputs: Vec<crate::rollup::Input> = ws
        .files
        .iter()
        .map(|(path, _)| crate::rollup::Input {
            path: path.clone(),
            problem: None,
        })
        .collect();
    inputs.sort();
    let summary = crate::rollup::rollup_waived(&inputs, &options, waivers, &mut |_, _| {})
        .map_err(|e| UploadError::from(Some(&ws), e))?;
    let mut text = String::new();
    for u in &summary.unreadable {
        text.push_str(&format!("无法读取：{}：{}\n", u.file, u.reason));
    }
    text.push_str(&summary.render_zh());
    let mut entries = Vec::new();
    for p in options.outputs() {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(p).map_err(|e| UploadError {
            message: format!("无法读取汇总输出 {name}（{e}）"),
            bad_input: false,
        })?;
        let bytes = if name.ends_with(".xlsx") {
            relabel_zip(&ws, &bytes)?
        } else {
            ws.relabel(&String::from_utf8_lossy(&bytes)).into_bytes()
        };
        entries.push((name, bytes));
    }
    entries.push(("汇总说明.txt".into(), ws.relabel(&text).into_bytes()));
    zip_files(&entries)
}

/// The summary workbook with the temporary folder taken out of its file names: each XML
/// part is rewritten with [`Workspace::relabel`] (a temporary folder's path has no XML
/// specials, so it appears in the XML as it is).
fn relabel_zip(ws: &Workspace, bytes: &[u8]) -> Result<Vec<u8>, UploadError> {
    let fail = |e: String| UploadError {
        message: format!("无法整理汇总工作簿（{e}）"),
        bad_input: false,
    };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| fail(e.to_string()))?;
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).map_err(|e| fail(e.to_string()))?;
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).map_err(|e| fail(e.to_string()))?;
        let name = f.name().map_err(|e| fail(e.to_string()))?.to_string();
        if name.ends_with(".xml") {
            data = ws.relabel(&String::from_utf8_lossy(&data)).into_bytes();
        }
        entries.push((name, data));
    }
    zip_files(&entries)
}

fn zip_files(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, UploadError> {
    let fail = |e: String| UploadError {
        message: format!("无法打包输出（{e}）"),
        bad_input: false,
    };
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(name.as_str(), options)
            .map_err(|e| fail(e.to_string()))?;
        w.write_all(data).map_err(|e| fail(e.to_string()))?;
    }
    w.finish()
        .map(|c| c.into_inner())
        .map_err(|e| fail(e.to_string()))
}
