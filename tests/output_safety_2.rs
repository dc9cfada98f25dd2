//! Reliability round 2, the output side (issue #12): sums that overflow, no-overwrite that
//! holds under a race, outputs compared as files, only regular files written, CSV that
//! Excel opens safely, text on the terminal, writers bounded like the reader, one language
//! per message. Every crafted input is built here.

mod common;

use std::path::{Path, PathBuf};

use common::{jixiao, SAMPLE};
use jixiao::model::{Declaration, Money};
use jixiao::rollup::{self, CsvEncoding, RollupOptions};

const SAMPLE_JSON: &str = "samples/songjiang-kcb-2024.json";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sample_decl() -> Declaration {
    serde_json::from_str(&std::fs::read_to_string(SAMPLE_JSON).unwrap()).unwrap()
}

/// Names in a folder, sorted: no temporary file may be left behind.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// 5E+28 元: in Decimal's range (7.9E+28), but two of them are not.
fn huge() -> Money {
    "50000000000000000000000000000".parse().unwrap()
}

/// The sample with project 1's 项目资金总额 and 财政资金 (and, with `both`, project 2's)
/// at 5E+28: each in Decimal's range, so only their sums are not.
fn write_huge(path: &Path, both: bool) {
    let mut d = sample_decl();
    for p in &mut d.projects[..if both { 2 } else { 1 }] {
        p.funds.total = Some(huge());
        p.funds.fiscal = Some(huge());
        p.funds.other = Some(Money::ZERO);
    }
    jixiao::write::write_workbook(&d, path, &Default::default()).unwrap();
}

fn options(dir: &Path, force: bool) -> RollupOptions {
    RollupOptions {
        output: dir.join("projects.csv"),
        indicators: Some(dir.join("indicators.csv")),
        findings: Some(dir.join("findings.csv")),
        xlsx: Some(dir.join("summary.xlsx")),
        encoding: CsvEncoding::Utf8Bom,
        jobs: 2,
        force,
    }
}

// ---- item 2: money never overflows into a crash ----

#[test]
fn two_files_of_5e28_roll_up_with_the_amounts_left_out_of_the_totals() {
    let d = tempfile::tempdir().unwrap();
    let inputs = d.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    write_huge(&inputs.join("a.xlsx"), false);
    write_huge(&inputs.join("b.xlsx"), false);
    let out = d.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let csv = out.join("p.csv");
    let book = out.join("s.xlsx");
    let o = jixiao(&["rollup", s(&inputs), "-o", s(&csv), "--xlsx", s(&book)]);
    // Errors (M003), not a crash (101) or a hang.
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(
        o.err.contains("另有 4 个金额超出合理范围"),
        "the left-out amounts are named: {o:?}"
    );
    // The totals hold the other 9 projects of each file.
    let sample = sample_decl();
    let one =
        Money::checked_sum(sample.projects[1..].iter().filter_map(|p| p.funds.total)).unwrap();
    let rest = one.checked_add(one).unwrap();
    assert!(
        o.err.contains(&format!("项目资金总额合计 {rest} 元")),
        "{o:?}"
    );
    assert_eq!(names(&out), ["p.csv", "s.xlsx"]);
}

#[test]
fn one_file_whose_amounts_cannot_be_summed_gets_m004_and_fix_writes_num() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("two.xlsx");
    write_huge(&f, true);
    let report = jixiao::cli::check_one(&f).unwrap();
    let m004: Vec<_> = report
        .findings
        .iter()
        .filter(|x| x.code == "M004")
        .collect();
    assert_eq!(m004.len(), 1, "{:?}", report.findings);
    assert_eq!(m004[0].location.sheet.as_deref(), Some("单位汇总"));
    // fix writes the corrected workbook instead of exiting 101; its summary's 合计 is #NUM!.
    let out = d.path().join("fixed.xlsx");
    let o = jixiao(&["fix", s(&f), "-o", s(&out)]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(out.exists());
    let parts = common::read_parts(&out);
    let summary = common::part_text(&parts, "xl/worksheets/sheet1.xml");
    assert!(summary.contains("#NUM!"), "{summary}");
}

#[test]
fn build_of_an_amount_at_decimal_max_does_not_crash() {
    let d = tempfile::tempdir().unwrap();
    let mut decl = sample_decl();
    decl.projects[0].funds.total = Some(Money::from_yuan(rust_decimal::Decimal::MAX));
    decl.projects[1].funds.total = Some(Money::from_yuan(rust_decimal::Decimal::MAX));
    let json = d.path().join("m.json");
    std::fs::write(&json, serde_json::to_string(&decl).unwrap()).unwrap();
    let out = d.path().join("m.xlsx");
    let o = jixiao(&["build", s(&json), "-o", s(&out)]);
    assert_eq!(o.code, Some(0), "{o:?}");
    let o = jixiao(&["check", s(&out)]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(o.out.contains("M004"), "{o:?}");
}

#[test]
fn a_panic_on_a_reading_thread_ends_the_run_instead_of_hanging() {
    let items: Vec<u32> = (0..200).collect();
    for jobs in [1, 2, 4] {
        let mut taken = 0;
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rollup::ordered_map(
                &items,
                jobs,
                3,
                |&x| {
                    if x == 7 {
                        panic!("worker bug");
                    }
                    x
                },
                |_, _| {
                    taken += 1;
                    Ok::<(), ()>(())
                },
            )
        }));
        assert!(
            r.is_err(),
            "the panic comes back to the caller (jobs {jobs})"
        );
        assert!(
            taken <= 7,
            "nothing past the lost item is handed on: {taken}"
        );
    }
    // A panic in `take` as well.
    let r = std::panic::catch_unwind(|| {
        rollup::ordered_map(
            &items,
            2,
            3,
            |&x| x,
            |i, _| {
                assert!(i != 20, "writer bug");
                Ok::<(), ()>(())
            },
        )
    });
    assert!(r.is_err());
}

// ---- item 5: no-overwrite really holds ----

#[test]
fn a_file_made_at_the_output_after_the_check_is_kept() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out.xlsx");
    jixiao::output::check_output(&out, &[], false).unwrap();
    std::fs::write(&out, b"theirs").unwrap();
    let e = jixiao::output::write_new(&out, b"ours", false).unwrap_err();
    assert!(matches!(e, jixiao::Error::OutputExists { .. }), "{e}");
    assert_eq!(std::fs::read(&out).unwrap(), b"theirs");
    assert_eq!(names(d.path()), ["out.xlsx"]);
    jixiao::output::write_new(&out, b"ours", true).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"ours");
}

#[test]
fn a_file_made_at_the_output_while_a_rollup_runs_is_not_replaced() {
    let d = tempfile::tempdir().unwrap();
    let inputs = d.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    for n in ["a", "b", "c"] {
        std::fs::copy(SAMPLE, inputs.join(format!("{n}.xlsx"))).unwrap();
    }
    let out = d.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let opts = options(&out, false);
    let found = rollup::discover(&[inputs]);
    // The progress callback is the hook: after the checks, while the rollup runs, another
    // program creates the indicator file.
    let theirs = opts.indicators.clone().unwrap();
    let r = rollup::rollup(&found, &opts, &mut |done, _| {
        if done == 2 {
            std::fs::write(&theirs, b"theirs").unwrap();
        }
    });
    match r {
        Err(jixiao::Error::OutputExists { file }) => assert_eq!(file, theirs.display().to_string()),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&theirs).unwrap(), b"theirs");
    assert!(
        names(&out).iter().all(|n| !n.ends_with(".tmp")),
        "{:?}",
        names(&out)
    );
}

#[test]
fn two_fix_runs_to_one_output_one_wins_the_other_says_it_exists() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out.xlsx");
    let bin = env!("CARGO_BIN_EXE_jixiao");
    let run = || {
        std::process::Command::new(bin)
            .args(["fix", SAMPLE, "-o", s(&out)])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (run(), run());
    let results: Vec<_> = [a, b]
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let wins = results
        .iter()
        .filter(|r| r.status.code() == Some(1))
        .count();
    let refused: Vec<_> = results
        .iter()
        .filter(|r| r.status.code() == Some(2))
        .map(|r| String::from_utf8_lossy(&r.stderr).into_owned())
        .collect();
    assert_eq!(wins, 1, "{results:?}");
    assert_eq!(refused.len(), 1, "{results:?}");
    assert!(
        refused[0].contains("已存在：如需替换请加 --force"),
        "{refused:?}"
    );
    assert!(jixiao::read::read_workbook(&out).is_ok());
    assert_eq!(names(d.path()), ["out.xlsx"]);
}

#[test]
fn a_folder_made_at_the_output_after_the_check_is_not_replaced_even_with_force() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out.csv");
    jixiao::output::check_output(&out, &[], true).unwrap();
    std::fs::create_dir(&out).unwrap();
    let e = jixiao::output::write_new(&out, b"ours", true).unwrap_err();
    assert!(e.to_string().contains("不是普通文件"), "{e}");
    assert!(out.is_dir());
    assert_eq!(names(d.path()), ["out.csv"]);
}

// ---- item 6: what an interrupt says ----

#[test]
fn published_outputs_are_recorded_with_whether_they_replaced_a_file() {
    let d = tempfile::tempdir().unwrap();
    let opts = options(d.path(), true);
    std::fs::write(&opts.output, b"old").unwrap();
    let found = rollup::discover(&[PathBuf::from(SAMPLE)]);
    rollup::rollup(&found, &opts, &mut |_, _| {}).unwrap();
    let published = jixiao::output::published();
    let find = |p: &Path| published.iter().find(|x| x.path == p).cloned();
    assert!(find(&opts.output).unwrap().replaced);
    assert!(!find(opts.xlsx.as_deref().unwrap()).unwrap().replaced);
    let msg = jixiao::cli::interrupted_message(&[find(&opts.output).unwrap()]);
    assert_eq!(
        msg,
        format!(
            "已中断：以下输出已写完：{}（替换了原有文件）；其余输出未完成，其临时文件已删除，原有的同名文件没有改动。",
            opts.output.display()
        )
    );
}

// ---- item 7: outputs compared as files ----

#[test]
fn two_spellings_of_one_output_are_refused() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("x")).unwrap();
    let a = d.path().join("a.csv");
    let dotted = d.path().join("x/../a.csv");
    let o = jixiao(&["rollup", SAMPLE, "-o", s(&a), "--indicators", s(&dotted)]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(o.err.contains("两个输出指向同一个文件"), "{o:?}");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d.path(), d.path().join("link")).unwrap();
        let linked = d.path().join("link/a.csv");
        let o = jixiao(&["rollup", SAMPLE, "-o", s(&a), "--findings", s(&linked)]);
        assert_eq!(o.code, Some(2), "{o:?}");
    }
    let fixed = d.path().join("f.xlsx");
    let o = jixiao(&[
        "fix",
        SAMPLE,
        "-o",
        s(&fixed),
        "--csv",
        s(&d.path().join("x/../f.xlsx")),
    ]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(o.err.contains("两个输出指向同一个文件"), "{o:?}");
    assert!(!a.exists() && !fixed.exists(), "{:?}", names(d.path()));
}

// ---- item 8 (outputs): only regular files out ----

#[cfg(unix)]
#[test]
fn force_never_replaces_a_device_fifo_or_folder() {
    use std::os::unix::fs::FileTypeExt;
    let o = jixiao(&["template", "-o", "/dev/null", "--force"]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(o.err.contains("不是普通文件"), "{o:?}");
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());

    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let o = jixiao(&["rollup", SAMPLE, "-o", s(&fifo), "--force"]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(o.err.contains("不是普通文件"), "{o:?}");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());

    let folder = d.path().join("folder.xlsx");
    std::fs::create_dir(&folder).unwrap();
    let o = jixiao(&["fix", SAMPLE, "-o", s(&folder), "--force"]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(folder.is_dir());
    assert_eq!(names(d.path()), ["folder.xlsx", "pipe.csv"]);
}

// ---- item 10: CSV that Excel opens safely ----

/// Fields of a CSV file as text (BOM dropped), parsed back by the csv crate.
fn csv_fields(bytes: &[u8]) -> Vec<Vec<String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn formula_like_fields_are_neutralised_in_the_csv_for_excel_only() {
    let d = tempfile::tempdir().unwrap();
    let mut decl = sample_decl();
    decl.projects[0].header.name = Some("=HYPERLINK(\"http://x\",\"点我\")".into());
    decl.projects[1].header.name = Some("\t=1+1".into());
    decl.projects[2].header.name = Some("@SUM(A1)".into());
    let crafted = d.path().join("crafted.xlsx");
    jixiao::write::write_workbook(&decl, &crafted, &Default::default()).unwrap();
    // The xlsx keeps them as text, never as a formula.
    let sheets: String = common::read_parts(&crafted)
        .into_iter()
        .filter(|(n, _)| n.starts_with("xl/worksheets/"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert!(!sheets.contains("<f>HYPERLINK") && !sheets.contains("<f>1+1"));

    for (encoding, jobs, neutralised) in [
        ("utf-8", "1", true),
        ("utf-8", "2", true),
        ("gb18030", "2", true),
        ("utf-8-nobom", "2", false),
    ] {
        let out = d.path().join(format!("out-{encoding}-{jobs}"));
        std::fs::create_dir(&out).unwrap();
        let (p, i) = (out.join("p.csv"), out.join("i.csv"));
        let o = jixiao(&[
            "rollup",
            s(&crafted),
            SAMPLE,
            "-o",
            s(&p),
            "--indicators",
            s(&i),
            "--encoding",
            encoding,
            "--jobs",
            jobs,
        ]);
        assert_eq!(o.code, Some(1), "{o:?}");
        let read = |path: &Path| {
            let bytes = std::fs::read(path).unwrap();
            if encoding == "gb18030" {
                let (t, _, bad) = encoding_rs::GB18030.decode(&bytes);
                assert!(!bad);
                csv_fields(t.as_bytes())
            } else {
                csv_fields(&bytes)
            }
        };
        let projects = read(&p);
        let names: Vec<&str> = projects[1..4].iter().map(|r| r[2].as_str()).collect();
        let indicators = read(&i);
        let seed_value = indicators
            .iter()
            .map(|r| r[8].as_str())
            .find(|v| v.contains("100.00(%)"))
            .unwrap();
        if neutralised {
            assert_eq!(
                names,
                [
                    "'=HYPERLINK(\"http://x\",\"点我\")",
                    // The reader trims the leading tab.
                    "'=1+1",
                    "'@SUM(A1)"
                ],
                "{encoding} {jobs}"
            );
            assert_eq!(seed_value, "'=100.00(%)", "{encoding} {jobs}");
        } else {
            assert_eq!(
                names,
                ["=HYPERLINK(\"http://x\",\"点我\")", "=1+1", "@SUM(A1)"]
            );
            assert_eq!(seed_value, "=100.00(%)");
        }
        // No field at all starts a formula in a CSV for Excel; amounts stay numbers.
        for row in projects.iter().chain(&indicators) {
            for f in row {
                if neutralised && f.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    assert!(f.parse::<rust_decimal::Decimal>().is_ok(), "{f:?}");
                }
            }
        }
        // The sample's rows follow the crafted file's ten.
        assert_eq!(
            projects[11][9],
            sample_decl().projects[0].funds.total.unwrap().plain()
        );
    }
}

#[test]
fn neutralised_csv_is_byte_identical_where_no_field_needs_it() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a.csv"), d.path().join("b.csv"));
    for (p, enc) in [(&a, "utf-8"), (&b, "utf-8-nobom")] {
        let o = jixiao(&["rollup", SAMPLE, "-o", s(p), "--encoding", enc]);
        assert_eq!(o.code, Some(1), "{o:?}");
    }
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert_eq!(&a[3..], &b[..], "only the BOM differs");
}

// ---- item 11: the terminal shows text, not commands ----

#[test]
fn control_and_bidi_characters_in_cells_are_escaped_on_the_terminal() {
    let d = tempfile::tempdir().unwrap();
    let mut decl = sample_decl();
    decl.projects[0].header.name = Some("甲\u{1b}[2J\u{1b}[31m乙\u{8}丙\u{202e}丁".into());
    let f = d.path().join("esc.xlsx");
    jixiao::write::write_workbook(&decl, &f, &Default::default()).unwrap();
    let o = jixiao(&["check", s(&f)]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(
        o.out.contains("甲\\x1B[2J\\x1B[31m乙\\x08丙<U+202E>丁"),
        "{}",
        o.out
    );
    for c in ['\u{1b}', '\u{8}', '\u{202e}'] {
        assert!(
            !o.out.contains(c) && !o.err.contains(c),
            "{c:?} printed raw"
        );
    }
    // Rollup messages too: a file whose name carries an escape.
    let named = d.path().join("x\u{1b}[2J.xlsx");
    std::fs::write(&named, b"not a workbook").unwrap();
    let o = jixiao(&["rollup", s(&named), "-o", s(&d.path().join("p.csv"))]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(o.err.contains("x\\x1B[2J.xlsx"), "{}", o.err);
    assert!(!o.err.contains('\u{1b}'));
}

// ---- item 13: writers bounded like the reader ----

#[test]
fn template_and_build_refuse_workbooks_check_would_refuse() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("t.xlsx");
    for n in ["18446744073709551615", "499"] {
        let o = jixiao(&["template", "-o", s(&out), "--projects", n]);
        assert_eq!(o.code, Some(2), "{o:?}");
        assert!(
            o.err.contains(&format!("--projects {n} 超过上限 498")),
            "{}",
            o.err
        );
    }
    let mut decl = sample_decl();
    let p = decl.projects[0].clone();
    decl.projects = vec![p; 600];
    let json = d.path().join("big.json");
    std::fs::write(&json, serde_json::to_string(&decl).unwrap()).unwrap();
    let o = jixiao(&["build", s(&json), "-o", s(&out)]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err.contains("有 600 个项目，超过一个工作簿的上限 498 个"),
        "{}",
        o.err
    );
    assert!(!out.exists());
}

#[test]
fn build_accepts_json_with_a_byte_order_mark() {
    let d = tempfile::tempdir().unwrap();
    let json = d.path().join("bom.json");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(SAMPLE_JSON).unwrap());
    std::fs::write(&json, bytes).unwrap();
    let out = d.path().join("b.xlsx");
    let o = jixiao(&["build", s(&json), "-o", s(&out)]);
    assert_eq!(o.code, Some(0), "{o:?}");
    let back = jixiao::read::read_workbook(&out).unwrap();
    assert_eq!(
        back.declaration.projects_total().unwrap().wan_string(),
        "1,743.86万元"
    );
}

// ---- item 14 (build): one language per message ----

#[test]
fn build_messages_are_chinese_throughout() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("o.xlsx");
    let o = jixiao(&["build", s(&d.path().join("无.json")), "-o", s(&out)]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(o.err.contains("找不到该文件"), "{}", o.err);
    assert!(!o.err.contains("os error") && !o.err.contains("No such"));

    let json = d.path().join("bad.json");
    std::fs::write(&json, "{\n  \"year\": \"明年\"\n}").unwrap();
    let o = jixiao(&["build", s(&json), "-o", s(&out)]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err
            .contains("第 2 行第 18 列：类型不对：期望整数，实为文本 \"明年\""),
        "{}",
        o.err
    );
    std::fs::write(&json, "{\"projects\": [{\"nmae\": 1}]}").unwrap();
    let o = jixiao(&["build", s(&json), "-o", s(&out)]);
    assert!(o.err.contains("未知字段 nmae"), "{}", o.err);
    assert!(!o.err.contains("expected"), "{}", o.err);
    #[cfg(unix)]
    {
        let fifo = d.path().join("pipe.json");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let o = jixiao(&["build", s(&fifo), "-o", s(&out)]);
        assert_eq!(
            o.code,
            Some(2),
            "a FIFO is refused, not read forever: {o:?}"
        );
        assert!(o.err.contains("不是普通文件"), "{}", o.err);
    }
}

// ---- item 3: one legal file never sinks the run ----

#[test]
fn a_long_money_text_and_a_32767_character_name_are_written_cut_not_refused() {
    use jixiao::model::{FieldPath, FundField, ProjectField};
    let d = tempfile::tempdir().unwrap();
    let read = jixiao::read::read_workbook(SAMPLE).unwrap();
    let total = read
        .sources
        .cell(&FieldPath::project(0, ProjectField::Fund(FundField::Total)))
        .unwrap()
        .a1();
    let long_text = "待定".repeat(8_300); // 16,600 characters in a money cell
    let money_file = common::sample_with_cells(
        d.path(),
        "money.xlsx",
        &[(&total, common::text_cell(&total, &long_text))],
    );
    let mut decl = sample_decl();
    decl.projects[1].header.name = Some("名".repeat(32_767));
    let name_file = d.path().join("name.xlsx");
    jixiao::write::write_workbook(&decl, &name_file, &Default::default()).unwrap();

    for (i, f) in [&money_file, &name_file].into_iter().enumerate() {
        let out = d.path().join(format!("fixed{i}.xlsx"));
        let o = jixiao(&["fix", s(f), "-o", s(&out)]);
        assert_eq!(o.code, Some(1), "{o:?}");
        assert!(jixiao::read::read_workbook(&out).is_ok());
    }
    let out = d.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let book = out.join("s.xlsx");
    let o = jixiao(&[
        "rollup",
        s(&money_file),
        s(&name_file),
        SAMPLE,
        "-o",
        s(&out.join("p.csv")),
        "--xlsx",
        s(&book),
        "--findings",
        s(&out.join("f.csv")),
    ]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(names(&out), ["f.csv", "p.csv", "s.xlsx"]);
    // Every cell of the summary workbook within Excel's limit: findings quote the long
    // money text by its first 100 characters and "…" (the name, 32,767, fits as it is).
    let sheets: String = common::read_parts(&book)
        .into_iter()
        .filter(|(n, _)| n.starts_with("xl/"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert!(
        sheets.contains(&format!("「{}…」", "待定".repeat(50))),
        "the long text is quoted short"
    );
    assert!(!sheets.contains(&"待定".repeat(51)), "and never whole");
}

// ---- item 9: user sheets survive fix ----

#[test]
fn user_sheets_with_names_excel_refuses_are_renamed_and_listed() {
    let d = tempfile::tempdir().unwrap();
    let (mut wb, _) =
        jixiao::write::build_workbook(&sample_decl(), &Default::default(), "x.xlsx").unwrap();
    for (i, text) in ["草稿", "合计", "长表"].iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(format!("USERSHEET{i}")).unwrap();
        ws.write_string(0, 0, *text).unwrap();
    }
    let plain = d.path().join("plain.xlsx");
    wb.save(&plain).unwrap();
    // As LibreOffice or WPS would let them be named.
    let mut parts = common::read_parts(&plain);
    let long = "长".repeat(40);
    let book = common::part_text(&parts, "xl/workbook.xml")
        .replace("USERSHEET0", "计算[草稿]:1")
        .replace("USERSHEET1", "计算_草稿__1")
        .replace("USERSHEET2", &format!("'{long}"));
    common::set_part(&mut parts, "xl/workbook.xml", book);
    let input = d.path().join("sheets.xlsx");
    common::write_parts(&input, &parts);

    let out = d.path().join("fixed.xlsx");
    let o = jixiao(&["fix", s(&input), "-o", s(&out)]);
    assert_eq!(o.code, Some(1), "{o:?}");
    let others: Vec<String> = jixiao::read::other_sheets(&out)
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    // The legal name is kept; the others get legal, unique names.
    assert_eq!(
        others,
        ["计算_草稿__1(2)", "计算_草稿__1", &"长".repeat(31)],
    );
    let fixed = jixiao::read::read_workbook(&out).unwrap();
    assert_eq!(fixed.declaration.projects.len(), 10);
    let parts = common::read_parts(&out);
    let strings = common::part_text(&parts, "xl/sharedStrings.xml");
    assert!(
        strings.contains("工作表「计算[草稿]:1」的名称 Excel 不接受"),
        "the rename is listed in 校验结果"
    );
    assert!(strings.contains("已改名为「计算_草稿__1(2)」"));
}
