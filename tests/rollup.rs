//! `rollup` over a generated folder: what comes out is what the generator put in, in the
//! same order whatever the number of threads; broken files are listed and the run goes on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader};
use jixiao::corpus::{self, Content, Spec};
use jixiao::model::Money;
use jixiao::rollup::{self, CsvEncoding, RollupOptions, RollupSummary};
use rust_decimal::Decimal;

/// Small forms, so ~50 of them generate and roll up in a few seconds in a debug build.
fn spec(files: usize, broken: usize) -> Spec {
    Spec {
        files,
        broken,
        seed: 42,
        error_share: 0.25,
        projects: (1, 6),
        indicators: (5, 8),
        ..Spec::default()
    }
}

fn options(out: &Path, jobs: usize) -> RollupOptions {
    std::fs::create_dir_all(out).unwrap();
    RollupOptions {
        output: out.join("projects.csv"),
        indicators: Some(out.join("indicators.csv")),
        findings: Some(out.join("findings.csv")),
        xlsx: Some(out.join("summary.xlsx")),
        encoding: CsvEncoding::Utf8Bom,
        jobs,
        // Runs again into the same folder.
        force: true,
    }
}

fn run(corpus: &Path, out: &Path, jobs: usize) -> RollupSummary {
    let inputs = rollup::discover(&[corpus.to_path_buf()]);
    let mut calls = 0;
    let s = rollup::rollup(&inputs, &options(out, jobs), &mut |done, total| {
        calls += 1;
        assert_eq!(done, calls);
        assert_eq!(total, inputs.len());
    })
    .unwrap();
    assert_eq!(calls, inputs.len());
    s
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn money(s: &str) -> Money {
    if s.is_empty() {
        Money::ZERO
    } else {
        s.parse().unwrap()
    }
}

fn opt(m: Option<Money>) -> Money {
    m.unwrap_or(Money::ZERO)
}

/// The 合计 row of a summary sheet, by header.
fn total_row(book: &Path, sheet: &str) -> BTreeMap<String, f64> {
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(book).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let last = rows
        .iter()
        .find(|r| r.first() == Some(&Data::String("合计".into())))
        .unwrap();
    rows[0]
        .iter()
        .zip(last.iter())
        .skip(1)
        .map(|(h, v)| {
            let v = match v {
                Data::Float(f) => *f,
                Data::Int(i) => *i as f64,
                other => panic!("{sheet} {h}: {other:?}"),
            };
            (h.to_string(), v)
        })
        .collect()
}

#[test]
fn rollup_of_a_generated_folder_matches_the_generator() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("申报");
    let spec = spec(50, 4);
    let mut entries = corpus::generate(&corpus_dir, &spec, 2).unwrap();
    // What a real folder also holds: Excel's lock file, a hidden file, notes.
    let some_district = corpus_dir.join(entries[0].path.parent().unwrap());
    std::fs::write(some_district.join("~$打开中的表.xlsx"), b"lock").unwrap();
    std::fs::write(some_district.join(".隐藏.xlsx"), b"hidden").unwrap();
    std::fs::write(corpus_dir.join("说明.txt"), "请各单位按时报送").unwrap();

    let one = run(&corpus_dir, &dir.path().join("1"), 1);
    let two = run(&corpus_dir, &dir.path().join("2"), 2);

    // The same bytes whatever the number of threads.
    for name in ["projects.csv", "indicators.csv", "findings.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("1").join(name)).unwrap(),
            std::fs::read(dir.path().join("2").join(name)).unwrap(),
            "{name}"
        );
    }
    assert_eq!(one.unreadable, two.unreadable);
    assert_eq!(one.by_unit, two.by_unit);

    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let file_of = |e: &corpus::Entry| corpus_dir.join(&e.path).display().to_string();

    // Unreadable: exactly the broken files, in path order, the run going on past them.
    let broken: Vec<String> = entries
        .iter()
        .filter(|e| matches!(e.content, Content::Broken(_)))
        .map(file_of)
        .collect();
    let listed: Vec<String> = one.unreadable.iter().map(|u| u.file.clone()).collect();
    assert_eq!(listed, broken);
    assert_eq!(one.files, 50);
    assert_eq!(one.exit_code(), 2);

    // Project rows: one per generated project, by path then project order.
    let rows = read_csv(&dir.path().join("1/projects.csv"));
    let mut expected_rows = Vec::new();
    let mut expected_codes: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut by_category: BTreeMap<String, Money> = BTreeMap::new();
    let mut indicators = 0;
    for e in &entries {
        let Content::Form { errors } = &e.content else {
            continue;
        };
        let decl = corpus::declaration(&spec, e.index, errors);
        let file = file_of(e);
        let mut codes: Vec<&str> = errors.iter().map(|p| p.code()).collect();
        codes.sort();
        expected_codes.insert(file.clone(), codes);
        for (i, p) in decl.projects.iter().enumerate() {
            indicators += p.indicators.len();
            let sum = by_category
                .entry(p.header.category.clone().unwrap())
                .or_insert(Money::ZERO);
            *sum = sum.checked_add(opt(p.funds.total)).unwrap();
            expected_rows.push((
                file.clone(),
                (i + 1).to_string(),
                decl.unit.clone().unwrap(),
                p.header.name.clone().unwrap(),
                opt(p.funds.total),
                opt(p.funds.fiscal),
                opt(p.funds.annual_total),
                p.indicators.len().to_string(),
            ));
        }
    }
    let got_rows: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r["来源文件"].clone(),
                r["项目序号"].clone(),
                r["单位名称"].clone(),
                r["项目名称"].clone(),
                money(&r["项目资金总额"]),
                money(&r["财政资金"]),
                money(&r["年度资金申请总额"]),
                r["指标数"].clone(),
            )
        })
        .collect();
    assert_eq!(got_rows, expected_rows);
    assert_eq!(one.projects, rows.len());
    assert_eq!(one.indicators, indicators);
    assert_eq!(
        read_csv(&dir.path().join("1/indicators.csv")).len(),
        indicators
    );

    // Findings: each file with errors has exactly the codes planted in it.
    let mut got_codes: BTreeMap<String, Vec<&str>> = expected_codes
        .keys()
        .map(|k| (k.clone(), Vec::new()))
        .collect();
    let findings = read_csv(&dir.path().join("1/findings.csv"));
    for f in &findings {
        assert_eq!(f["级别"], "错误", "{f:?}");
        let code = ["F001", "F002", "B001", "C001"]
            .into_iter()
            .find(|c| *c == f["代码"])
            .unwrap();
        got_codes.get_mut(&f["来源文件"]).unwrap().push(code);
    }
    for v in got_codes.values_mut() {
        v.sort();
    }
    assert_eq!(got_codes, expected_codes);
    assert!(expected_codes.values().any(|c| !c.is_empty()));
    assert_eq!(one.errors(), findings.len());
    assert_eq!(one.warnings(), 0);

    // Totals: exact, each grouping's sum equal to the rollup's column to the cent.
    let column_sum =
        |col: &str| -> Money { Money::checked_sum(rows.iter().map(|r| money(&r[col]))).unwrap() };
    assert_eq!(one.all.total, column_sum("项目资金总额"));
    assert_eq!(one.all.annual_carryover, column_sum("上年结转资金"));
    for groups in [
        &one.by_unit,
        &one.by_department,
        &one.by_category,
        &one.by_nature,
    ] {
        let total = Money::checked_sum(groups.values().map(|t| t.total)).unwrap();
        assert_eq!(total, one.all.total);
        assert_eq!(
            groups.values().map(|t| t.projects).sum::<usize>(),
            rows.len()
        );
    }
    let got_categories: BTreeMap<String, Money> = one
        .by_category
        .iter()
        .map(|(k, t)| (k.clone(), t.total))
        .collect();
    assert_eq!(got_categories, by_category);

    // The summary workbook's 合计 rows say the same, to the cent.
    let book = dir.path().join("1/summary.xlsx");
    let cents = |m: Money| {
        (m.yuan() * Decimal::from(100))
            .to_string()
            .parse::<f64>()
            .unwrap()
    };
    for sheet in ["按单位", "按主管部门", "按项目类别", "按项目性质"] {
        let t = total_row(&book, sheet);
        for &col in jixiao::rollup::AMOUNT_COLUMNS {
            assert_eq!(
                (t[col] * 100.0).round(),
                cents(column_sum(col)),
                "{sheet} {col}"
            );
        }
        assert_eq!(t["项目数"] as usize, rows.len(), "{sheet}");
    }
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let unreadable = wb.worksheet_range("无法读取的文件").unwrap();
    assert_eq!(unreadable.rows().count(), 1 + broken.len());
    let listed = wb.worksheet_range("问题清单").unwrap();
    assert_eq!(listed.rows().count(), 1 + findings.len());
}

fn jixiao(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_folder_of_only_broken_files_still_gives_the_summary_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("坏文件");
    corpus::generate(&corpus_dir, &spec(4, 4), 1).unwrap();
    let csv = dir.path().join("汇总.csv");
    let xlsx = dir.path().join("汇总.xlsx");
    let (code, err) = jixiao(&["rollup", s(&corpus_dir), "-o", s(&csv), "--xlsx", s(&xlsx)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("共 4 个文件（读取 0，无法读取 4）"), "{err}");
    assert!(err.contains("文件是空的"), "{err}");
    assert!(err.contains("不是绩效目标申报表"), "{err}");
    let rows = read_csv(&csv);
    assert!(rows.is_empty());
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(
        wb.worksheet_range("无法读取的文件").unwrap().rows().count(),
        5
    );
    assert_eq!(total_row(&xlsx, "按单位")["项目资金总额"], 0.0);
}

#[test]
fn exit_codes_refusals_and_files_named_directly() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean");
    corpus::generate(
        &clean,
        &Spec {
            error_share: 0.0,
            ..spec(3, 0)
        },
        1,
    )
    .unwrap();
    let out = dir.path().join("out.csv");
    let (code, err) = jixiao(&["rollup", s(&clean), "-o", s(&out), "--jobs", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("错误 0 条"), "{err}");
    assert!(err.contains("万元"), "{err}");

    // Refuses to overwrite, and to write two outputs to one file.
    let (code, err) = jixiao(&["rollup", s(&clean), "-o", s(&out)]);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    let (code, err) = jixiao(&[
        "rollup",
        s(&clean),
        "-o",
        s(&dir.path().join("a.csv")),
        "--findings",
        s(&dir.path().join("a.csv")),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("同一个文件名"), "{err}");

    // Errors exit 1; a file named directly is read whatever its folder holds.
    let with_errors = dir.path().join("errors");
    let entries = corpus::generate(
        &with_errors,
        &Spec {
            error_share: 1.0,
            ..spec(2, 0)
        },
        1,
    )
    .unwrap();
    let one_file: PathBuf = with_errors.join(&entries[0].path);
    let (code, err) = jixiao(&["rollup", s(&one_file), "-o", s(&out), "--force"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("共 1 个文件"), "{err}");

    // Nothing to read is a usage error.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, err) = jixiao(&["rollup", s(&empty), "-o", s(&out), "--force"]);
    assert_eq!(code, 2);
    assert!(err.contains("没有找到"), "{err}");
    // A path that does not exist is listed as unreadable; the rest is rolled up.
    let (code, err) = jixiao(&[
        "rollup",
        s(&clean),
        s(&dir.path().join("不存在.xlsx")),
        "-o",
        s(&out),
        "--force",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("找不到该文件或文件夹"), "{err}");
    assert!(err.contains("读取 3，"), "{err}");
}

/// Ctrl-C mid-run: the hidden temporary outputs are removed, nothing else is touched, and
/// the exit code is the shell's 130. The run is kept busy by 400 inputs read one at a time
/// (a named pipe no longer holds it: inputs that are not regular files are refused unread),
/// so the interrupt lands while the outputs are open.
#[cfg(unix)]
#[test]
fn an_interrupted_rollup_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/songjiang-kcb-2024.xlsx");
    std::fs::create_dir(d.join("各单位")).unwrap();
    for i in 0..400 {
        std::fs::copy(&sample, d.join(format!("各单位/{i}.xlsx"))).unwrap();
    }
    std::fs::write(d.join("旧汇总.csv"), "已有的文件\n").unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .current_dir(d)
        .args(["rollup", "各单位", "-o", "汇总.csv"])
        .args([
            "--findings",
            "问题.csv",
            "--xlsx",
            "汇总.xlsx",
            "--jobs",
            "1",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let temps = || -> Vec<String> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    };
    let start = std::time::Instant::now();
    while temps().len() < 2 {
        assert!(
            start.elapsed().as_secs() < 60,
            "no temporary outputs appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr).contains("已中断"));
    assert_eq!(temps(), Vec::<String>::new());
    let mut left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["各单位", "旧汇总.csv"]);
    assert_eq!(
        std::fs::read_to_string(d.join("旧汇总.csv")).unwrap(),
        "已有的文件\n"
    );
}

/// Running the rollup again with its summary workbook inside the folder: the old summary
/// would be read as a declaration, so the run stops before any work and says what to do;
/// named directly as an input, it is refused as an input.
#[test]
fn a_summary_workbook_inside_the_folder_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/songjiang-kcb-2024.xlsx");
    std::fs::copy(&sample, d.join("a.xlsx")).unwrap();
    let (csv, book) = (d.join("汇总.csv"), d.join("汇总.xlsx"));
    let (code, _) = jixiao(&["rollup", s(d), "-o", s(&csv), "--xlsx", s(&book)]);
    assert_eq!(code, 1, "the sample has errors");
    let before = std::fs::read(&book).unwrap();
    let (code, err) = jixiao(&["rollup", s(d), "-o", s(&csv), "--xlsx", s(&book), "--force"]);
    assert_eq!(code, 2);
    assert!(err.contains("在要汇总的文件夹里"), "{err}");
    assert!(err.contains("汇总.xlsx"), "{err}");
    assert_eq!(std::fs::read(&book).unwrap(), before);
    let a = d.join("a.xlsx");
    let (code, err) = jixiao(&[
        "rollup",
        s(&a),
        s(&book),
        "-o",
        s(&csv),
        "--xlsx",
        s(&book),
        "--force",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("与输入文件相同"), "{err}");
    // Written outside the folder, the run goes through.
    let out = tempfile::tempdir().unwrap();
    let elsewhere = out.path().join("汇总.xlsx");
    let (code, err) = jixiao(&[
        "rollup",
        s(d),
        "-o",
        s(&csv),
        "--xlsx",
        s(&elsewhere),
        "--force",
    ]);
    assert_eq!(code, 2, "{err}");
    // The old summary is listed as unreadable, not counted as a unit with no projects.
    assert!(err.contains("汇总生成的汇总工作簿"), "{err}");
    assert!(err.contains("1 个单位"), "{err}");
}
