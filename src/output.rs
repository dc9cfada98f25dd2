//! Writing outputs safely: never over an input, never a half-written file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// crash leaves either the old file or the whole new one, never half of it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let out_err = |e: std::io::Error| Error::Output {
        file: path.display().to_string(),
        reason: io_reason(&e),
    };
    let mut tmp = tempfile_in(&dir, &file_name).map_err(out_err)?;
    let result = (|| {
        tmp.1.write_all(bytes)?;
        tmp.1.sync_all()?;
        finish_temp(&tmp.0, path)
    })();
    if let Err(e) = result {
        discard_temp(&tmp.0);
        return Err(out_err(e));
    }
    Ok(())
}

/// Creates a new temporary file in the folder of `path`, for writing and renaming into place.
pub fn temp_beside(path: &Path) -> Result<(PathBuf, fs::File), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    tempfile_in(&dir, &name).map_err(|e| Error::Output {
        file: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// Temporary files made by [`temp_beside`] and [`write_atomic`] not yet renamed into place.
static UNFINISHED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn unfinished() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while holding the lock leaves the list itself intact.
    UNFINISHED.lock().unwrap_or_else(|p| p.into_inner())
}

/// Moves a finished temporary file from [`temp_beside`] to its place.
pub fn finish_temp(tmp: &Path, path: &Path) -> std::io::Result<()> {
    fs::rename(tmp, path)?;
    unfinished().retain(|p| p != tmp);
    Ok(())
}

/// Removes a temporary file from [`temp_beside`] that will not be finished.
pub fn discard_temp(tmp: &Path) {
    let _ = fs::remove_file(tmp);
    unfinished().retain(|p| p != tmp);
}

/// Deletes every temporary output file not yet renamed into place, for an interrupt
/// (Ctrl-C) that ends the process without running destructors: an interrupted rollup then
/// leaves no hidden `.name.….tmp` files beside its outputs. Finished outputs and every
/// other file stay as they are. Returns how many were removed.
///
/// Only for the way out: the list stays locked afterwards, so no thread of this process
/// can start another temporary file before it exits.
pub fn remove_unfinished_for_exit() -> usize {
    let list = unfinished();
    let removed = list.iter().filter(|p| fs::remove_file(p).is_ok()).count();
    std::mem::forget(list);
    removed
}

fn tempfile_in(dir: &Path, name: &str) -> std::io::Result<(PathBuf, fs::File)> {
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let p = dir.join(format!(".{name}.{pid}.{nanos}.{attempt}.tmp"));
        // Listed before it exists, so an interrupt at any point finds it.
        unfinished().push(p.clone());
        match fs::OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                // Not made by this call: not ours to remove.
                unfinished().retain(|q| q != &p);
                continue;
            }
            Err(e) => {
                unfinished().retain(|q| q != &p);
                return Err(e);
            }
        }
    }
    Err(std::io::Error::other("无法创建临时文件"))
}

/// Checks an output path before any work is done: it is not one of the inputs, it does not
/// exist unless `force`, and its folder exists and is writable.
pub fn check_output(output: &Path, inputs: &[&Path], force: bool) -> Result<(), Error> {
    let file = output.display().to_string();
    let canon_out = canonical_or_self(output);
    for input in inputs {
        if canonical_or_self(input) == canon_out || same_file(input, output) {
            return Err(Error::OutputIsInput { file });
        }
    }
    if output.exists() && !force {
        return Err(Error::OutputExists { file });
    }
    let dir = match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Error::Output {
            file,
            reason: format!("文件夹 {} 不存在", dir.display()),
        });
    }
    // Probe writability now rather than after minutes of work.
    match tempfile_in(&dir, ".jixiao-probe") {
        Ok((p, _)) => {
            let _ = fs::remove_file(p);
            Ok(())
        }
        Err(e) => Err(Error::Output {
            file,
            reason: format!("文件夹 {} 无法写入（{}）", dir.display(), io_reason(&e)),
        }),
    }
}

/// What an output file holds, for checking its name's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// An Excel workbook (`rust_xlsxwriter` writes the .xlsx format).
    Workbook,
    /// CSV text.
    Csv,
}

impl OutputKind {
    /// Extensions accepted for this kind (compared without regard to case).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            OutputKind::Workbook => &["xlsx"],
            OutputKind::Csv => &["csv"],
        }
    }

    fn zh(self) -> &'static str {
        match self {
            OutputKind::Workbook => "Excel 工作簿",
            OutputKind::Csv => "CSV 文本",
        }
    }
}

/// Refuses an output whose extension does not say what is written into it: Excel will not
/// open a CSV named .xlsx, and a workbook named .csv opens as garbage.
///
/// ```
/// use jixiao::output::{check_extension, OutputKind};
/// use std::path::Path;
/// assert!(check_extension(Path::new("汇总.XLSX"), OutputKind::Workbook).is_ok());
/// let e = check_extension(Path::new("汇总.xlsx"), OutputKind::Csv).unwrap_err();
/// assert!(e.to_string().contains("可用的扩展名：.csv"));
/// ```
pub fn check_extension(path: &Path, kind: OutputKind) -> Result<(), Error> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if kind
        .extensions()
        .iter()
        .any(|x| x.eq_ignore_ascii_case(ext))
    {
        return Ok(());
    }
    let found = if ext.is_empty() {
        "文件名没有扩展名".to_string()
    } else {
        format!("扩展名 .{ext} 与内容不符")
    };
    let accepted: Vec<String> = kind.extensions().iter().map(|x| format!(".{x}")).collect();
    Err(Error::Output {
        file: path.display().to_string(),
        reason: format!(
            "{found}：这里写出的是 {}，可用的扩展名：{}",
            kind.zh(),
            accepted.join("、")
        ),
    })
}

/// Whether two existing paths are one file (a hard link, or a path spelled differently).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (fs::metadata(a), fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    let _ = (a, b);
    false
}

/// An I/O error in Chinese where it is a common one.
fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::PermissionDenied => "没有写入权限".into(),
        K::NotFound => "文件夹不存在或不可写".into(),
        K::ReadOnlyFilesystem => "只读文件系统".into(),
        K::StorageFull => "磁盘已满".into(),
        _ => e.to_string(),
    }
}

fn canonical_or_self(p: &Path) -> PathBuf {
    if let Ok(c) = fs::canonicalize(p) {
        return c;
    }
    // A file that does not exist yet: canonicalize its folder.
    match (p.parent(), p.file_name()) {
        (Some(d), Some(n)) if !d.as_os_str().is_empty() => fs::canonicalize(d)
            .map(|d| d.join(n))
            .unwrap_or_else(|_| p.to_path_buf()),
        (_, Some(n)) => std::env::current_dir()
            .map(|d| d.join(n))
            .unwrap_or_else(|_| p.to_path_buf()),
        _ => p.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_input_and_existing() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.xlsx");
        fs::write(&input, b"x").unwrap();
        assert!(matches!(
            check_output(&input, &[&input], true),
            Err(Error::OutputIsInput { .. })
        ));
        let out = dir.path().join("out.xlsx");
        check_output(&out, &[&input], false).unwrap();
        fs::write(&out, b"old").unwrap();
        assert!(matches!(
            check_output(&out, &[&input], false),
            Err(Error::OutputExists { .. })
        ));
        check_output(&out, &[&input], true).unwrap();
        assert!(check_output(&dir.path().join("nope/out.xlsx"), &[], false).is_err());
    }

    #[test]
    fn atomic_write_replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        write_atomic(&out, b"first").unwrap();
        write_atomic(&out, b"second").unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"second");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }
}
