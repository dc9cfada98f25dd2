//! Writing outputs safely: never over an input, never a half-written file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// crash leaves either the old file or the whole new one, never half of it. An existing
/// file at `path` is replaced (see [`write_new`] for the no-replace publish).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_published(path, bytes, Existing::Replace)
}

/// [`write_atomic`], replacing an existing `path` only when `force`: without it, a file
/// that appeared at `path` since [`check_output`] (another run, another program) is kept
/// and the write fails with [`Error::OutputExists`].
pub fn write_new(path: &Path, bytes: &[u8], force: bool) -> Result<(), Error> {
    write_published(path, bytes, Existing::from_force(force))
}

fn write_published(path: &Path, bytes: &[u8], existing: Existing) -> Result<(), Error> {
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
    let written = (|| {
        tmp.1.write_all(bytes)?;
        tmp.1.sync_all()
    })();
    let result = written
        .map_err(out_err)
        .and_then(|()| publish(&tmp.0, path, existing));
    if result.is_err() {
        discard_temp(&tmp.0);
    }
    result
}

/// What publishing does when a file is already at the output path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Keep it and fail (no `--force`): the check and the rename are one atomic step.
    Keep,
    /// Replace it, if it is a regular file (`--force`).
    Replace,
}

impl Existing {
    pub fn from_force(force: bool) -> Existing {
        if force {
            Existing::Replace
        } else {
            Existing::Keep
        }
    }
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
        reason: io_reason(&e),
    })
}

/// Temporary files made by [`temp_beside`] and [`write_atomic`] not yet renamed into place.
static UNFINISHED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn unfinished() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while holding the lock leaves the list itself intact.
    UNFINISHED.lock().unwrap_or_else(|p| p.into_inner())
}

/// Moves a finished temporary file from [`temp_beside`] to its place, replacing a file
/// there (the behaviour before [`publish`]; kept for callers that checked with `force`).
pub fn finish_temp(tmp: &Path, path: &Path) -> std::io::Result<()> {
    publish_io(tmp, path, Existing::Replace)
}

/// Moves a finished temporary file from [`temp_beside`] to `path`. With [`Existing::Keep`]
/// a file already there (made since [`check_output`], by another run or program) stays
/// and the result is [`Error::OutputExists`]; with [`Existing::Replace`] only a regular
/// file is replaced. Every publish is recorded for [`published`].
pub fn publish(tmp: &Path, path: &Path, existing: Existing) -> Result<(), Error> {
    publish_io(tmp, path, existing).map_err(|e| {
        let file = path.display().to_string();
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::OutputExists { file }
        } else {
            Error::Output {
                file,
                reason: io_reason(&e),
            }
        }
    })
}

fn publish_io(tmp: &Path, path: &Path, existing: Existing) -> std::io::Result<()> {
    // Held across the rename: an interrupt (which takes this lock for good) then sees
    // each output either still a temporary file or published and listed, never between.
    let mut list = unfinished();
    let replaced = match existing {
        Existing::Replace => {
            let was = match fs::metadata(path) {
                Ok(m) if !m.is_file() => {
                    return Err(std::io::Error::other(NOT_REGULAR));
                }
                Ok(_) => true,
                Err(_) => false,
            };
            fs::rename(tmp, path)?;
            was
        }
        Existing::Keep => {
            rename_no_replace(tmp, path)?;
            false
        }
    };
    list.retain(|p| p != tmp);
    published_list().push(Published {
        path: path.to_path_buf(),
        replaced,
    });
    Ok(())
}

/// Why an output that is a device, pipe, folder or socket is refused.
const NOT_REGULAR: &str =
    "不是普通文件（是文件夹、设备、管道或套接字），jixiao 只写普通文件，--force 也不会替换它";

/// Renames `from` to `to` unless `to` exists (then `AlreadyExists`), in one step: Linux's
/// `renameat2(RENAME_NOREPLACE)`; where the file system or system lacks it, a hard link
/// (which fails when `to` exists) and the removal of `from`. On Windows `std::fs::rename`
/// replaces (MoveFileExW with MOVEFILE_REPLACE_EXISTING), so the link is used there too.
fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes());
        if let (Ok(a), Ok(b)) = (c(from), c(to)) {
            // SAFETY: two NUL-terminated paths that outlive the call; the syscall only
            // reads them. Called directly: older C libraries have no wrapper.
            let r = unsafe {
                libc::syscall(
                    libc::SYS_renameat2,
                    libc::AT_FDCWD,
                    a.as_ptr(),
                    libc::AT_FDCWD,
                    b.as_ptr(),
                    libc::RENAME_NOREPLACE,
                )
            };
            if r == 0 {
                return Ok(());
            }
            let e = std::io::Error::last_os_error();
            // Not supported here (old kernel, some network file systems): link below.
            if !matches!(
                e.raw_os_error(),
                Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP)
            ) {
                return Err(e);
            }
        }
    }
    match fs::hard_link(from, to) {
        Ok(()) => {
            // The output is in place; a temporary name left beside it would only be clutter.
            let _ = fs::remove_file(from);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        // No hard links here (FAT and exFAT sticks, some network shares): the check and
        // the rename as two steps, as before, rather than no output at all.
        Err(_) if fs::symlink_metadata(to).is_err() => fs::rename(from, to),
        Err(_) => Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists)),
    }
}

/// An output moved into place during this run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub path: PathBuf,
    /// Whether a file was there before and has been replaced.
    pub replaced: bool,
}

static PUBLISHED: std::sync::Mutex<Vec<Published>> = std::sync::Mutex::new(Vec::new());

fn published_list() -> std::sync::MutexGuard<'static, Vec<Published>> {
    PUBLISHED.lock().unwrap_or_else(|p| p.into_inner())
}

/// The outputs published so far by this process, in order.
pub fn published() -> Vec<Published> {
    published_list().clone()
}

/// Removes a temporary file from [`temp_beside`] that will not be finished.
pub fn discard_temp(tmp: &Path) {
    let _ = fs::remove_file(tmp);
    unfinished().retain(|p| p != tmp);
}

/// Deletes every temporary output file not yet renamed into place, for an interrupt
/// (Ctrl-C) that ends the process without running destructors: an interrupted rollup then
/// leaves no hidden `.name.….tmp` files beside its outputs. Finished outputs and every
/// other file stay as they are. Returns how many were removed, and the outputs already
/// published (so the message can say exactly which files changed).
///
/// Only for the way out: the list stays locked afterwards, so no thread of this process
/// can start another temporary file, or publish one, before it exits.
pub fn remove_unfinished_for_exit() -> (usize, Vec<Published>) {
    let list = unfinished();
    let removed = list.iter().filter(|p| fs::remove_file(p).is_ok()).count();
    std::mem::forget(list);
    (removed, published())
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
    match fs::metadata(output) {
        // Followed through links: `-o link-to-/dev/null` is refused as well.
        Ok(m) if !m.is_file() => {
            return Err(Error::Output {
                file,
                reason: NOT_REGULAR.into(),
            })
        }
        Ok(_) if !force => return Err(Error::OutputExists { file }),
        _ => {}
    }
    if fs::symlink_metadata(output).is_ok() && !output.exists() && !force {
        // A dangling link: renaming over it would replace the link itself.
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

/// An I/O error on an output, in Chinese.
fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::PermissionDenied => "没有写入权限".into(),
        K::NotFound => "文件夹不存在或不可写".into(),
        _ => io_text(e),
    }
}

/// An I/O error in Chinese: the kind translated, never the system's English text (an
/// unusual error is named by its number, which a technician can look up).
///
/// ```
/// let e = std::io::Error::from(std::io::ErrorKind::NotFound);
/// assert_eq!(jixiao::output::io_text(&e), "找不到该文件");
/// assert_eq!(jixiao::output::io_text(&std::io::Error::from_raw_os_error(5)), "输入输出错误（系统错误码 5）");
/// ```
pub fn io_text(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    // jixiao's own reasons (a refused output, no temporary name left) are Chinese already.
    if e.kind() == K::Other && e.raw_os_error().is_none() && e.get_ref().is_some() {
        return e.to_string();
    }
    let kind = match e.kind() {
        K::NotFound => "找不到该文件",
        K::PermissionDenied => "没有权限",
        K::AlreadyExists => "文件已存在",
        K::IsADirectory => "这是一个文件夹，不是文件",
        K::NotADirectory => "路径中有一段不是文件夹",
        K::ReadOnlyFilesystem => "只读文件系统",
        K::StorageFull => "磁盘已满",
        K::QuotaExceeded => "超出磁盘配额",
        K::FileTooLarge => "文件过大",
        K::InvalidData => "内容不是有效的 UTF-8 文本",
        K::InvalidFilename => "文件名无效",
        K::Interrupted => "操作被中断",
        K::TimedOut => "操作超时",
        K::ResourceBusy => "文件正被占用",
        K::CrossesDevices => "不能跨磁盘移动文件",
        K::UnexpectedEof => "文件意外结束",
        K::OutOfMemory => "内存不足",
        _ => "输入输出错误",
    };
    match e.raw_os_error() {
        Some(n) if kind == "输入输出错误" => format!("{kind}（系统错误码 {n}）"),
        _ if kind == "输入输出错误" => format!("{kind}（{:?}）", e.kind()),
        _ => kind.into(),
    }
}

/// The path as the file system resolves it (for a file not yet there, its folder
/// resolved and its name): two spellings of one output compare equal.
pub fn canonical_or_self(p: &Path) -> PathBuf {
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
