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
        fs::rename(&tmp.0, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp.0);
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

fn tempfile_in(dir: &Path, name: &str) -> std::io::Result<(PathBuf, fs::File)> {
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let p = dir.join(format!(".{name}.{pid}.{nanos}.{attempt}.tmp"));
        match fs::OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
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
