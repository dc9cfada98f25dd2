//! Nothing lost (issue #5, item 3): inputs are read, never written; outputs go to a temporary
//! file in the target folder and are renamed into place; an existing output is replaced only
//! with --force; an output naming an input is refused however it is spelled; an unwritable
//! output folder is an error before any work.

mod common;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use common::{jixiao, SAMPLE};

struct Snapshot {
    bytes: Vec<u8>,
    modified: SystemTime,
}

fn snapshot(p: &Path) -> Snapshot {
    Snapshot {
        bytes: std::fs::read(p).unwrap(),
        modified: std::fs::metadata(p).unwrap().modified().unwrap(),
    }
}

fn assert_unchanged(p: &Path, before: &Snapshot) {
    assert_eq!(
        std::fs::read(p).unwrap(),
        before.bytes,
        "{} changed",
        p.display()
    );
    assert_eq!(
        std::fs::metadata(p).unwrap().modified().unwrap(),
        before.modified,
        "{} touched",
        p.display()
    );
}

fn input_in(dir: &Path) -> PathBuf {
    let p = dir.join("申报表.xlsx");
    std::fs::copy(SAMPLE, &p).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Names in a folder, to see that no temporary file was left behind.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn inputs_are_never_modified_and_can_be_read_only() {
    let d = tempfile::tempdir().unwrap();
    let input = input_in(d.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&input, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    let before = snapshot(&input);
    assert_eq!(jixiao(&["check", s(&input)]).code, Some(1));
    assert_eq!(jixiao(&["dump", s(&input)]).code, Some(0));
    let out = d.path().join("更正.xlsx");
    let csv = d.path().join("汇总.csv");
    let o = jixiao(&["fix", s(&input), "-o", s(&out), "--csv", s(&csv)]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_unchanged(&input, &before);
    assert_eq!(names(d.path()), ["更正.xlsx", "汇总.csv", "申报表.xlsx"]);
}

#[test]
fn an_existing_output_is_replaced_only_with_force() {
    let d = tempfile::tempdir().unwrap();
    let input = input_in(d.path());
    let out = d.path().join("更正.xlsx");
    std::fs::write(&out, b"earlier work").unwrap();
    let before = snapshot(&out);
    let o = jixiao(&["fix", s(&input), "-o", s(&out)]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert_eq!(
        o.err.trim_end(),
        format!(
            "错误：输出文件 {} 已存在：如需替换请加 --force",
            out.display()
        )
    );
    assert_unchanged(&out, &before);
    // The same for the CSV, and for template and build.
    let csv = d.path().join("汇总.csv");
    std::fs::write(&csv, b"keep").unwrap();
    let o = jixiao(&[
        "fix",
        s(&input),
        "-o",
        s(&d.path().join("新.xlsx")),
        "--csv",
        s(&csv),
    ]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(o.err.contains("已存在：如需替换请加 --force"), "{o:?}");
    assert_eq!(std::fs::read(&csv).unwrap(), b"keep");
    assert!(!d.path().join("新.xlsx").exists());
    let o = jixiao(&["template", "-o", s(&out)]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert_unchanged(&out, &before);

    let o = jixiao(&["fix", s(&input), "-o", s(&out), "--force"]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(jixiao::read::read_workbook(&out).is_ok());
    assert_eq!(names(d.path()), ["更正.xlsx", "汇总.csv", "申报表.xlsx"]);
}

#[test]
fn an_output_naming_an_input_is_refused_however_spelled() {
    let d = tempfile::tempdir().unwrap();
    let input = input_in(d.path());
    std::fs::create_dir(d.path().join("sub")).unwrap();
    let before = snapshot(&input);
    let dotted = d.path().join("sub/../申报表.xlsx");
    let here = d.path().join("./申报表.xlsx");
    let link = d.path().join("链接.xlsx");
    let hard = d.path().join("硬链接.xlsx");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, &link).unwrap();
    std::fs::hard_link(&input, &hard).unwrap();
    for out in [&input, &dotted, &here, &link, &hard] {
        if !out.exists() {
            continue;
        }
        let o = jixiao(&["fix", s(&input), "-o", s(out), "--force"]);
        assert_eq!(o.code, Some(2), "{o:?}");
        assert_eq!(
            o.err.trim_end(),
            format!(
                "错误：输出文件 {} 与输入文件相同：jixiao 不会覆盖您的原文件，请换一个输出文件名",
                out.display()
            ),
            "{out:?}"
        );
        // As the CSV too.
        let o = jixiao(&[
            "fix",
            s(&input),
            "-o",
            s(&d.path().join("x.xlsx")),
            "--csv",
            s(out),
            "--force",
        ]);
        assert_eq!(o.code, Some(2), "{o:?}");
        assert!(o.err.contains("与输入文件相同"), "{o:?}");
    }
    // build's input is its model JSON.
    let json = d.path().join("模型.json");
    std::fs::copy("samples/songjiang-kcb-2024.json", &json).unwrap();
    let o = jixiao(&["build", s(&json), "-o", s(&json), "--force"]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(o.err.contains("与输入文件相同"), "{o:?}");
    assert_unchanged(&input, &before);
    assert!(!d.path().join("x.xlsx").exists());
}

#[test]
fn an_unwritable_output_folder_is_an_error_before_any_work() {
    let d = tempfile::tempdir().unwrap();
    let input = input_in(d.path());
    // A folder that does not exist.
    let out = d.path().join("无此文件夹/更正.xlsx");
    let o = jixiao(&["fix", s(&input), "-o", s(&out)]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert_eq!(
        o.err.trim_end(),
        format!(
            "错误：无法写入 {}：文件夹 {} 不存在",
            out.display(),
            d.path().join("无此文件夹").display()
        )
    );
    // A folder nobody can create files in (not even root): /proc.
    let out = Path::new("/proc/更正.xlsx");
    let o = jixiao(&["fix", s(&input), "-o", s(out)]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err
            .starts_with("错误：无法写入 /proc/更正.xlsx：文件夹 /proc 无法写入（"),
        "{o:?}"
    );
    // Before any work: with an input that does not even exist, the output is what is
    // reported, so it was checked first.
    let o = jixiao(&["fix", s(&d.path().join("无.xlsx")), "-o", s(out)]);
    assert!(o.err.contains("无法写入 /proc/更正.xlsx"), "{o:?}");
    let o = jixiao(&["template", "-o", s(out)]);
    assert!(o.err.contains("无法写入 /proc/更正.xlsx"), "{o:?}");
    assert_eq!(names(d.path()), ["申报表.xlsx"]);
}

#[test]
fn a_failed_write_leaves_no_half_file() {
    // The output path is a folder: the rename fails after the workbook was written to the
    // temporary file, which is removed.
    let d = tempfile::tempdir().unwrap();
    let input = input_in(d.path());
    let out = d.path().join("更正.xlsx");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("里面.txt"), b"x").unwrap();
    let o = jixiao(&["fix", s(&input), "-o", s(&out), "--force"]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err
            .starts_with(&format!("错误：无法写入 {}：", out.display())),
        "{o:?}"
    );
    assert_eq!(names(d.path()), ["更正.xlsx", "申报表.xlsx"]);
    assert_eq!(names(&out), ["里面.txt"]);
}

#[test]
fn an_unreadable_input_leaves_no_output() {
    let d = tempfile::tempdir().unwrap();
    let bad = d.path().join("坏.xlsx");
    std::fs::write(&bad, &std::fs::read(SAMPLE).unwrap()[..5000]).unwrap();
    let out = d.path().join("更正.xlsx");
    let csv = d.path().join("汇总.csv");
    let o = jixiao(&["fix", s(&bad), "-o", s(&out), "--csv", s(&csv)]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err.starts_with(&format!(
            "错误：无法打开 {}：文件不完整或已损坏（可能没有下载完整）",
            bad.display()
        )),
        "{o:?}"
    );
    assert_eq!(names(d.path()), ["坏.xlsx"]);
}
