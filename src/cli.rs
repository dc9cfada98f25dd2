//! The commands behind the `jixiao` binary, as library functions returning exit codes.

use std::io::Write;
use std::path::Path;

use crate::model::Declaration;
use crate::output::check_output;
use crate::Error;

/// Nothing wrong (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Findings with errors.
pub const EXIT_FINDINGS: u8 = 1;
/// Input that could not be read, or a usage error.
pub const EXIT_UNREADABLE: u8 = 2;

/// `jixiao template`
pub fn template(
    output: &Path,
    projects: usize,
    year: Option<i32>,
    unit: Option<&str>,
    force: bool,
) -> Result<u8, Error> {
    check_output(output, &[], force)?;
    crate::template::write_template(output, projects, year, unit)?;
    eprintln!(
        "已生成空白申报表：{}（{projects} 个项目）",
        output.display()
    );
    Ok(EXIT_OK)
}

/// `jixiao dump`: the model as JSON on stdout.
pub fn dump(file: &Path) -> Result<u8, Error> {
    let out = crate::read::read_workbook(file)?;
    let json = serde_json::to_string_pretty(&out.declaration).map_err(|e| Error::Json {
        file: file.display().to_string(),
        reason: e.to_string(),
    })?;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{json}");
    Ok(EXIT_OK)
}

/// Reads a model JSON file.
pub fn load_model(model: &Path) -> Result<Declaration, Error> {
    let file = model.display().to_string();
    let text = std::fs::read_to_string(model).map_err(|e| Error::Open {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Json {
        file,
        reason: format!("第 {} 行第 {} 列：{e}", e.line(), e.column()),
    })
}

/// `jixiao build`: a workbook from a model JSON.
pub fn build(model: &Path, output: &Path, force: bool) -> Result<u8, Error> {
    check_output(output, &[model], force)?;
    let decl = load_model(model)?;
    crate::write::write_workbook(&decl, output, &crate::write::WriteOptions::default())?;
    eprintln!(
        "已生成：{}（{} 个项目）",
        output.display(),
        decl.projects.len()
    );
    Ok(EXIT_OK)
}

/// How `check` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Reads and validates one file: its report, or the error that kept it from being read.
pub fn check_one(file: &Path) -> Result<crate::validate::report::FileReport, Error> {
    check_read(file).map(|(report, _)| report)
}

/// [`check_one`], keeping the declaration read (for the HTML report's figures).
pub fn check_read(
    file: &Path,
) -> Result<(crate::validate::report::FileReport, Declaration), Error> {
    let read = crate::read::read_workbook(file)?;
    Ok(checked(file.display().to_string(), read))
}

/// A read workbook's report: the reader's findings, then the validator's.
pub fn checked(
    file: String,
    read: crate::read::ReadOutcome,
) -> (crate::validate::report::FileReport, Declaration) {
    let mut findings = read.findings;
    findings.extend(crate::validate::validate(&read.declaration, &read.sources));
    let report = crate::validate::report::FileReport::new(file, &read.declaration, findings);
    (report, read.declaration)
}

/// [`check_one`], with a panic (a bug in jixiao) turned into an error for that file, so
/// that one file cannot stop the others from being checked.
pub fn check_guarded(file: &Path) -> Result<crate::validate::report::FileReport, Error> {
    check_read_guarded(file).map(|(report, _)| report)
}

fn check_read_guarded(
    file: &Path,
) -> Result<(crate::validate::report::FileReport, Declaration), Error> {
    std::panic::catch_unwind(|| check_read(file)).unwrap_or_else(|_| Err(internal_error(file)))
}

/// What a panic while reading `file` is reported as.
pub fn internal_error(file: &Path) -> Error {
    Error::Open {
        file: file.display().to_string(),
        reason: "jixiao 读取该文件时发生内部错误，请将此文件反馈给维护者".into(),
    }
}

/// `check --format json`: the report, plus the files that could not be read, so a program
/// reading the JSON sees every input accounted for. Also the answer of `serve`'s
/// `POST /api/check`.
pub fn check_json(reports: &[crate::validate::report::FileReport], unreadable: &[Error]) -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(&crate::validate::report::render_json(reports)).unwrap_or_default();
    doc["unreadable"] = unreadable
        .iter()
        .map(|e| serde_json::json!({ "file": e.file(), "reason": e.to_string() }))
        .collect();
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// `jixiao check`: findings for each file, and with `html` a report page as well; exit 0
/// no error, 1 errors, 2 a file unreadable.
pub fn check(
    files: &[std::path::PathBuf],
    format: Format,
    lang: crate::validate::report::Lang,
    html: Option<&Path>,
    force: bool,
) -> Result<u8, Error> {
    if let Some(html) = html {
        let inputs: Vec<&Path> = files.iter().map(|f| f.as_path()).collect();
        check_output(html, &inputs, force)?;
    }
    let mut reports = Vec::new();
    let mut declarations = Vec::new();
    let mut unreadable = Vec::new();
    for f in files {
        match check_read_guarded(f) {
            Ok((r, d)) => {
                reports.push(r);
                // Only the HTML report draws from the declarations.
                if html.is_some() {
                    declarations.push(d);
                }
            }
            Err(e) => unreadable.push(e),
        }
    }
    if let Some(html) = html {
        let checked: Vec<crate::report_html::CheckedFile> = reports
            .iter()
            .zip(&declarations)
            .map(|(report, declaration)| crate::report_html::CheckedFile {
                report,
                declaration,
            })
            .collect();
        let reasons: Vec<(String, String)> = unreadable
            .iter()
            .map(|e| (e.file().to_string(), e.to_string()))
            .collect();
        let bad: Vec<crate::report_html::UnreadableFile> = reasons
            .iter()
            .map(|(file, reason)| crate::report_html::UnreadableFile { file, reason })
            .collect();
        let page = crate::report_html::document(&checked, &bad, lang);
        crate::output::write_atomic(html, page.as_bytes())?;
    }
    let mut stdout = std::io::stdout().lock();
    match format {
        Format::Text => {
            let _ = write!(
                stdout,
                "{}",
                crate::validate::report::render_text(&reports, lang)
            );
        }
        Format::Json => {
            let _ = writeln!(stdout, "{}", check_json(&reports, &unreadable));
        }
    }
    for e in &unreadable {
        eprintln!("无法读取：{e}");
    }
    if let Some(html) = html {
        eprintln!("已写出报告：{}", html.display());
    }
    Ok(if !unreadable.is_empty() {
        EXIT_UNREADABLE
    } else if crate::validate::report::exit_code(&reports) != 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// `jixiao fix`: the corrected workbook, and optionally the CSV rollup.
pub fn fix(
    input: &Path,
    output: &Path,
    csv: Option<&Path>,
    encoding: crate::rollup::CsvEncoding,
    force: bool,
) -> Result<u8, Error> {
    if let Some(csv) = csv {
        check_output(csv, &[input, output], force)?;
    }
    let report = crate::fix::fix_file(input, output, force)?;
    if let Some(csv) = csv {
        let mut sink =
            crate::rollup::CsvSink::create(csv, encoding, &crate::rollup::PROJECT_COLUMNS)?;
        crate::rollup::write_projects(
            &mut sink,
            &report.declaration,
            &report.findings,
            &input.display().to_string(),
        )?;
        sink.finish()?;
    }
    let errors = report.findings.iter().filter(|f| f.is_error()).count();
    let warnings = report.findings.len() - errors;
    eprintln!(
        "已写出更正后的工作簿：{}（更正 {} 处，仍有错误 {errors} 条、警告 {warnings} 条，详见「校验结果」工作表）",
        output.display(),
        report.changes.len()
    );
    Ok(if errors > 0 { EXIT_FINDINGS } else { EXIT_OK })
}

/// Threads to use: `jobs`, or one per core.
pub fn threads(jobs: Option<usize>) -> usize {
    jobs.filter(|&n| n > 0).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// `jixiao gen-corpus` (hidden): a synthetic corpus for tests and benchmarks.
pub fn gen_corpus(
    dir: &Path,
    spec: &crate::corpus::Spec,
    jobs: Option<usize>,
) -> Result<u8, Error> {
    let start = std::time::Instant::now();
    let entries = crate::corpus::generate(dir, spec, threads(jobs))?;
    let broken = entries
        .iter()
        .filter(|e| matches!(e.content, crate::corpus::Content::Broken(_)))
        .count();
    let with_errors = entries
        .iter()
        .filter(
            |e| matches!(&e.content, crate::corpus::Content::Form { errors } if !errors.is_empty()),
        )
        .count();
    eprintln!(
        "已在 {} 生成 {} 个文件（含故意错误 {with_errors} 个、损坏 {broken} 个），用时 {:.1} 秒",
        dir.display(),
        entries.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(EXIT_OK)
}

/// Where `jixiao rollup` writes, and how.
#[derive(Clone, Debug)]
pub struct RollupArgs {
    pub paths: Vec<std::path::PathBuf>,
    pub output: std::path::PathBuf,
    pub xlsx: Option<std::path::PathBuf>,
    pub indicators: Option<std::path::PathBuf>,
    pub findings: Option<std::path::PathBuf>,
    pub jobs: Option<usize>,
    pub encoding: crate::rollup::CsvEncoding,
    pub force: bool,
}

/// `jixiao rollup`: every workbook under the paths into one project CSV (and optionally
/// indicators, findings and a summary workbook); exit 0 clean, 1 errors, 2 unreadable files.
pub fn rollup(args: &RollupArgs) -> Result<u8, Error> {
    use std::io::IsTerminal;

    let options = crate::rollup::RollupOptions {
        output: args.output.clone(),
        indicators: args.indicators.clone(),
        findings: args.findings.clone(),
        xlsx: args.xlsx.clone(),
        encoding: args.encoding,
        jobs: threads(args.jobs),
    };
    let outputs = options.outputs();
    for (i, a) in outputs.iter().enumerate() {
        if outputs[..i].iter().any(|b| a == b) {
            return Err(Error::Output {
                file: a.display().to_string(),
                reason: "两个输出使用了同一个文件名".into(),
            });
        }
    }
    let inputs = crate::rollup::discover(&args.paths);
    if inputs.is_empty() {
        return Err(Error::Open {
            file: args
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join("、"),
            reason: "其中没有找到 .xlsx、.xlsm、.xls 或 .ods 工作簿".into(),
        });
    }
    let explicit: Vec<&Path> = args.paths.iter().map(|p| p.as_path()).collect();
    let found: Vec<&Path> = inputs.iter().map(|i| i.path.as_path()).collect();
    for out in &outputs {
        // Only a workbook name can be among the files found in folders.
        let is_workbook = out.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            crate::rollup::WORKBOOK_EXTENSIONS
                .iter()
                .any(|w| w.eq_ignore_ascii_case(e))
        });
        match check_output(
            out,
            if is_workbook { &found } else { &explicit },
            args.force,
        ) {
            // Found in a folder, not named: the last run's summary workbook, usually.
            Err(Error::OutputIsInput { file })
                if is_workbook && check_output(out, &explicit, true).is_ok() =>
            {
                return Err(Error::OutputInInputFolder { file });
            }
            result => result?,
        }
    }

    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(inputs.len() as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:32} {pos}/{len} 个文件  {rate}  已用 {elapsed}  预计剩余 {eta}",
        ) {
            bar.set_style(style.with_key(
                "rate",
                |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} 个/秒", s.per_sec());
                },
            ));
        }
        Some(bar)
    } else {
        None
    };
    let mut progress = |done: usize, _total: usize| {
        if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    };
    let summary = crate::rollup::rollup(&inputs, &options, &mut progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let summary = summary?;

    let mut err = std::io::stderr().lock();
    for u in &summary.unreadable {
        let _ = writeln!(err, "无法读取：{}：{}", u.file, u.reason);
    }
    let _ = write!(err, "{}", summary.render_zh());
    let _ = writeln!(
        err,
        "已写出：{}",
        outputs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join("、")
    );
    Ok(summary.exit_code())
}

/// `jixiao bench-floor` (hidden): the raw calamine pass the rollup is measured against,
/// or with `read` the reader and validator alone.
pub fn bench_floor(
    paths: &[std::path::PathBuf],
    jobs: Option<usize>,
    read: bool,
) -> Result<u8, Error> {
    let start = std::time::Instant::now();
    let inputs = crate::rollup::discover(paths);
    let (done, failed, what) = if read {
        let (r, f, p) = crate::rollup::floor::read_validate(&inputs, threads(jobs));
        (r, f, format!("{p} 个项目"))
    } else {
        let (r, f, c) = crate::rollup::floor::floor(&inputs, threads(jobs));
        (r, f, format!("{c} 个单元格"))
    };
    eprintln!(
        "读取 {done} 个文件（失败 {failed} 个），共 {what}，用时 {:.2} 秒",
        start.elapsed().as_secs_f64()
    );
    Ok(EXIT_OK)
}

/// `jixiao serve`: the local page and API on 127.0.0.1, opening the browser unless
/// `open` is false. Runs until the process is stopped.
pub fn serve(port: u16, open: bool) -> Result<u8, Error> {
    let server = crate::serve::http::Server::bind(port)?;
    let url = server.url();
    // A server outlives whoever read its first lines: a closed stderr must not stop it.
    let mut err = std::io::stderr();
    let _ = writeln!(err, "jixiao 网页已启动：{url}");
    let _ = writeln!(
        err,
        "文件只在本机处理，不会发送到网络。关闭此窗口（或按 Ctrl-C）即停止。"
    );
    if open && !open_browser(&url) {
        let _ = writeln!(err, "未能自动打开浏览器，请在浏览器中打开上面的地址。");
    }
    // A few workers: the page checks one file per request while a download runs.
    server.run(4);
    Ok(EXIT_OK)
}

/// Opens `url` in the default browser; false when that could not be started (not an
/// error: the address is printed).
fn open_browser(url: &str) -> bool {
    let mut cmd = if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        // `start` takes its first quoted argument as a window title: give it an empty one.
        c.args(["/C", "start", "", url]);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd.spawn().is_ok()
}
