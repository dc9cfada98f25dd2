//! The commands behind the `jixiao` binary, as library functions returning exit codes.

use std::io::Write;
use std::path::Path;

use crate::model::Declaration;
use crate::output::{check_extension, check_output, OutputKind};
use crate::Error;

/// `eprintln!` with the text made safe for a terminal ([`terminal_text`]): messages quote
/// file names and cell text, which anyone can fill with escape sequences.
macro_rules! say {
    ($($t:tt)*) => {
        eprintln!("{}", $crate::cli::terminal_text(&format!($($t)*)))
    };
}

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
    // Before the blank projects are made: `--projects 18446744073709551615` is a number
    // clap accepts, not a workbook anyone can open.
    if projects > crate::write::MAX_PROJECTS {
        return Err(Error::Write {
            file: output.display().to_string(),
            reason: format!(
                "--projects {projects} 超过上限 {}（每个项目一张工作表，工作簿最多 {} 张）",
                crate::write::MAX_PROJECTS,
                crate::read::LIMITS.max_sheets
            ),
        });
    }
    // What the path is (a device, a folder) is said before what its name ends in.
    check_output(output, &[], force)?;
    check_extension(output, OutputKind::Workbook)?;
    crate::template::write_template_publishing(
        output,
        projects,
        year,
        unit,
        crate::output::Existing::from_force(force),
    )?;
    say!(
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

/// Reads a model JSON file: a regular file within the reader's size limit, UTF-8 with or
/// without a byte-order mark (Notepad writes one); errors in Chinese with line and column.
pub fn load_model(model: &Path) -> Result<Declaration, Error> {
    use std::io::Read;
    let file = model.display().to_string();
    let open_err = |reason: String| Error::Open {
        file: file.clone(),
        reason,
    };
    // A FIFO would block the open itself, a device be read forever: looked at first, and
    // only regular files opened.
    let meta = std::fs::metadata(model).map_err(|e| open_err(crate::output::io_text(&e)))?;
    if !meta.is_file() {
        return Err(open_err("不是普通文件（是文件夹、设备或管道）".into()));
    }
    let f = std::fs::File::open(model).map_err(|e| open_err(crate::output::io_text(&e)))?;
    let limit = crate::read::LIMITS.max_file_bytes;
    let mut bytes = Vec::new();
    f.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| open_err(crate::output::io_text(&e)))?;
    if bytes.len() as u64 > limit {
        return Err(Error::Limit {
            file,
            reason: format!("文件大小超过上限 {} MB", limit / 1_048_576),
        });
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| open_err("内容不是 UTF-8 文本（请用 UTF-8 编码保存 JSON）".into()))?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    serde_json::from_str(text).map_err(|e| Error::Json {
        file,
        reason: json_reason(&e),
    })
}

/// A serde_json error in Chinese, with its line and column and the detail named (the
/// field, the type expected), not serde's English sentence.
///
/// ```
/// let e = serde_json::from_str::<jixiao::model::Declaration>("{\"foo\": 1}").unwrap_err();
/// assert_eq!(jixiao::cli::json_reason(&e), "第 1 行第 6 列：未知字段 foo");
/// let e = serde_json::from_str::<jixiao::model::Declaration>("{\"year\": \"x\"}").unwrap_err();
/// assert_eq!(jixiao::cli::json_reason(&e), "第 1 行第 12 列：类型不对：期望整数，实为文本 \"x\"");
/// ```
pub fn json_reason(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let msg = full.strip_suffix(&suffix).unwrap_or(&full);
    let between = |s: &str| s.split('`').nth(1).unwrap_or("").to_string();
    fn what(s: &str) -> String {
        let s = s.trim();
        let named = [
            ("a string", "文本"),
            ("string", "文本"),
            ("a sequence", "数组"),
            ("sequence", "数组"),
            ("a map", "对象"),
            ("map", "对象"),
            ("a boolean", "真假值"),
            ("boolean", "真假值"),
            ("null", "null"),
            ("unit value", "null"),
            ("a number", "数字"),
            ("floating point", "数字"),
            ("integer", "整数"),
            ("i32", "整数"),
            ("u32", "非负整数"),
            ("usize", "非负整数"),
            ("i64", "整数"),
            ("u64", "非负整数"),
        ];
        for (en, zh) in named {
            if s == en {
                return zh.into();
            }
            if let Some(rest) = s.strip_prefix(en) {
                return format!("{zh}{rest}");
            }
        }
        if s.starts_with("struct ") || s.starts_with("a struct") {
            return "对象".into();
        }
        if s.starts_with("variant identifier") || s.starts_with("one of") {
            return format!(
                "规定的取值之一（{}）",
                s.trim_start_matches("one of").trim()
            );
        }
        if s.contains("integer") {
            return "整数".into();
        }
        s.to_string()
    }
    let detail = if let Some(rest) = msg.strip_prefix("unknown field ") {
        format!("未知字段 {}", between(rest))
    } else if let Some(rest) = msg.strip_prefix("missing field ") {
        format!("缺少字段 {}", between(rest))
    } else if let Some(rest) = msg.strip_prefix("duplicate field ") {
        format!("字段 {} 出现了两次", between(rest))
    } else if let Some(rest) = msg.strip_prefix("unknown variant ") {
        format!("取值 {} 不在规定的取值中", between(rest))
    } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
        match rest.split_once(", expected ") {
            Some((got, want)) => format!("类型不对：期望{}，实为{}", what(want), what(got)),
            None => format!("类型不对：{rest}"),
        }
    } else if let Some(rest) = msg.strip_prefix("invalid value: ") {
        match rest.split_once(", expected ") {
            Some((got, want)) => format!("取值不对：期望{}，实为{}", what(want), what(got)),
            None => format!("取值不对：{rest}"),
        }
    } else if let Some(rest) = msg.strip_prefix("invalid length ") {
        format!("元素个数不对（{rest}）")
    } else if msg.starts_with("EOF while parsing") {
        "JSON 在此处意外结束（不完整）".into()
    } else if msg == "expected value" || msg == "expected ident" {
        "此处应为一个值".into()
    } else if msg.starts_with("expected `,` or `}`") {
        "此处应为「,」或「}」".into()
    } else if msg.starts_with("expected `,` or `]`") {
        "此处应为「,」或「]」".into()
    } else if msg.starts_with("expected `:`") {
        "此处应为「:」".into()
    } else if msg == "trailing characters" || msg == "trailing comma" {
        "此处有多余的字符".into()
    } else if msg == "invalid number" || msg == "number out of range" {
        "数字无效或超出范围".into()
    } else if msg == "key must be a string" {
        "对象的键必须是带引号的文本".into()
    } else if msg.starts_with("control character") {
        "文本中有控制字符".into()
    } else if msg.starts_with("invalid escape") || msg.starts_with("invalid unicode") {
        "文本中有无效的转义".into()
    } else if msg.starts_with("recursion limit exceeded") {
        "嵌套层数过多".into()
    } else if msg.contains("decimal") || msg.contains("Decimal") || msg.contains("number") {
        // rust_decimal's own words ("Invalid decimal: unknown character").
        "金额不是有效的数字（或超出可表示的范围）".into()
    } else {
        format!("格式不对（{msg}）")
    };
    format!("第 {} 行第 {} 列：{detail}", e.line(), e.column())
}

/// `jixiao build`: a workbook from a model JSON.
pub fn build(model: &Path, output: &Path, force: bool) -> Result<u8, Error> {
    // A path naming the input is refused as that, whatever its extension.
    check_output(output, &[model], force)?;
    check_extension(output, OutputKind::Workbook)?;
    let decl = load_model(model)?;
    crate::write::write_workbook_publishing(
        &decl,
        output,
        &crate::write::WriteOptions::default(),
        crate::output::Existing::from_force(force),
    )?;
    say!(
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
pub fn check_json(
    reports: &[crate::validate::report::FileReport],
    unreadable: &[Error],
    stale_waivers: Option<&[&crate::waiver::Waiver]>,
) -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(&crate::validate::report::render_json(reports)).unwrap_or_default();
    doc["unreadable"] = unreadable
        .iter()
        .map(|e| serde_json::json!({ "file": e.file(), "reason": e.to_string() }))
        .collect();
    // Only when waivers were given: without them the JSON is as it always was.
    if let Some(stale) = stale_waivers {
        doc["stale_waivers"] = stale
            .iter()
            .map(|w| {
                serde_json::json!({ "line": w.line, "file": w.file, "sheet": w.sheet,
                    "cell": w.cell, "code": w.code, "message": crate::waiver::stale_message(w) })
            })
            .collect();
    }
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The waivers of `--waive FILE` (none without it); `None`, with the reason printed, when
/// the file cannot be read (exit 2, as for any input).
fn load_waivers(waive: Option<&Path>) -> Option<Vec<crate::waiver::Waiver>> {
    match waive.map(crate::waiver::load).transpose() {
        Ok(w) => Some(w.unwrap_or_default()),
        Err(e) => {
            say!("{e}");
            None
        }
    }
}

/// `jixiao check`: findings for each file, and with `html` a report page as well; exit 0
/// no error, 1 errors, 2 a file unreadable.
pub fn check(
    files: &[std::path::PathBuf],
    format: Format,
    lang: crate::validate::report::Lang,
    waive: Option<&Path>,
    html: Option<&Path>,
    force: bool,
) -> Result<u8, Error> {
    let Some(waivers) = load_waivers(waive) else {
        return Ok(EXIT_UNREADABLE);
    };
    let mut used = vec![false; waivers.len()];
    if let Some(html) = html {
        let inputs: Vec<&Path> = files.iter().map(|f| f.as_path()).collect();
        check_output(html, &inputs, force)?;
    }
    let mut reports = Vec::new();
    let mut declarations = Vec::new();
    let mut unreadable = Vec::new();
    for f in files {
        match check_read_guarded(f) {
            Ok((mut r, d)) => {
                crate::waiver::apply(&waivers, &mut used, &r.file, &mut r.findings);
                reports.push(r);
                // Only the HTML report draws from the declarations.
                if html.is_some() {
                    declarations.push(d);
                }
            }
            Err(e) => unreadable.push(e),
        }
    }
    let stale = crate::waiver::stale(&waivers, &used);
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
                terminal_text(&crate::validate::report::render_text(&reports, lang))
            );
            for w in &stale {
                let line = match lang {
                    crate::validate::report::Lang::Zh => crate::waiver::stale_message(w),
                    crate::validate::report::Lang::En => crate::waiver::stale_message_en(w),
                };
                let _ = writeln!(stdout, "{line}");
            }
        }
        Format::Json => {
            let stale = waive.is_some().then_some(stale.as_slice());
            let _ = writeln!(stdout, "{}", check_json(&reports, &unreadable, stale));
        }
    }
    for e in &unreadable {
        say!("无法读取：{e}");
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

/// `jixiao fix`: the corrected workbook (with `clean`, without fills and notes), and
/// optionally the CSV rollup.
pub fn fix(
    input: &Path,
    output: &Path,
    csv: Option<&Path>,
    encoding: crate::rollup::CsvEncoding,
    force: bool,
    clean: bool,
    waive: Option<&Path>,
) -> Result<u8, Error> {
    // A path naming the input is refused as that, whatever its extension.
    let Some(waivers) = load_waivers(waive) else {
        return Ok(EXIT_UNREADABLE);
    };
    let mut used = vec![false; waivers.len()];
    if let Some(csv) = csv {
        if same_output(csv, output) {
            return Err(two_outputs_one_file(csv));
        }
        check_output(csv, &[input, output], force)?;
        check_extension(csv, OutputKind::Csv)?;
    }
    check_extension(output, OutputKind::Workbook)?;
    let report = crate::fix::fix_file_with(input, output, force, clean, &waivers, &mut used)?;
    for w in crate::waiver::stale(&waivers, &used) {
        say!("{}", crate::waiver::stale_message(w));
    }
    if let Some(csv) = csv {
        let mut sink = crate::rollup::CsvSink::create_publishing(
            csv,
            encoding,
            &crate::rollup::PROJECT_COLUMNS,
            crate::output::Existing::from_force(force),
        )?;
        crate::rollup::write_projects(
            &mut sink,
            &report.declaration,
            &report.findings,
            &input.display().to_string(),
        )?;
        sink.finish()?;
    }
    let errors = report.findings.iter().filter(|f| f.is_error()).count();
    let waived = report
        .findings
        .iter()
        .filter(|f| f.waived.is_some())
        .count();
    let warnings = report.findings.len() - errors - waived;
    let also = if waived > 0 {
        format!("、已豁免 {waived} 条")
    } else {
        String::new()
    };
    say!(
        "已写出更正后的工作簿：{}（更正 {} 处，仍有错误 {errors} 条、警告 {warnings} 条{also}，详见「校验结果」工作表）",
        output.display(),
        report.changes.len()
    );
    Ok(if errors > 0 { EXIT_FINDINGS } else { EXIT_OK })
}

/// Whether two output paths name one file, however spelled (`a.csv`, `x/../a.csv`, an
/// absolute path, a link to the folder): resolved folders and names are compared.
fn same_output(a: &Path, b: &Path) -> bool {
    crate::output::canonical_or_self(a) == crate::output::canonical_or_self(b)
}

fn two_outputs_one_file(a: &Path) -> Error {
    Error::Output {
        file: a.display().to_string(),
        reason: "两个输出指向同一个文件名（可能写法不同），其中一个会被另一个覆盖：请给每个输出不同的文件名".into(),
    }
}

/// What an interrupt (Ctrl-C) says on the way out: exactly which outputs were already in
/// place (and whether each replaced a file), since an interrupt during the final renames
/// can leave some outputs new and others as they were.
///
/// ```
/// use jixiao::output::Published;
/// let none = jixiao::cli::interrupted_message(&[]);
/// assert!(none.contains("已有的文件没有改动"));
/// let one = jixiao::cli::interrupted_message(&[Published { path: "a.csv".into(), replaced: true }]);
/// assert!(one.contains("a.csv（替换了原有文件）"));
/// ```
pub fn interrupted_message(published: &[crate::output::Published]) -> String {
    if published.is_empty() {
        return "已中断：未完成的输出文件已删除，已有的文件没有改动。".into();
    }
    let done: Vec<String> = published
        .iter()
        .map(|p| {
            format!(
                "{}（{}）",
                p.path.display(),
                if p.replaced {
                    "替换了原有文件"
                } else {
                    "新文件"
                }
            )
        })
        .collect();
    format!(
        "已中断：以下输出已写完：{}；其余输出未完成，其临时文件已删除，原有的同名文件没有改动。",
        done.join("、")
    )
}

/// `text` safe to print on a terminal: control characters other than newline and tab
/// (ESC, CR, backspace, DEL, the C1 range) shown as `\x1B`, and the bidi controls that
/// reorder a line (U+200E/F, U+202A–202E, U+2066–2069, U+061C) as `<U+202E>`, so cell text
/// can neither send commands to the terminal nor hide or reorder a finding.
///
/// ```
/// use jixiao::cli::terminal_text;
/// assert_eq!(terminal_text("项目\u{1b}[2J甲\r乙"), "项目\\x1B[2J甲\\x0D乙");
/// assert_eq!(terminal_text("a\u{202e}b\n"), "a<U+202E>b\n");
/// assert_eq!(terminal_text("正常文字"), "正常文字");
/// ```
pub fn terminal_text(text: &str) -> std::borrow::Cow<'_, str> {
    fn bidi(c: char) -> bool {
        matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}')
    }
    fn unsafe_char(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t') || bidi(c)
    }
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if bidi(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else if unsafe_char(c) {
            out.push_str(&format!("\\x{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
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
    say!(
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
    /// Waiver file (`--waive`).
    pub waive: Option<std::path::PathBuf>,
}

/// `jixiao rollup`: every workbook under the paths into one project CSV (and optionally
/// indicators, findings and a summary workbook); exit 0 clean, 1 errors, 2 unreadable files.
pub fn rollup(args: &RollupArgs) -> Result<u8, Error> {
    use std::io::IsTerminal;

    let Some(waivers) = load_waivers(args.waive.as_deref()) else {
        return Ok(EXIT_UNREADABLE);
    };

    let options = crate::rollup::RollupOptions {
        output: args.output.clone(),
        indicators: args.indicators.clone(),
        findings: args.findings.clone(),
        xlsx: args.xlsx.clone(),
        encoding: args.encoding,
        jobs: threads(args.jobs),
        force: args.force,
    };
    for csv in [
        Some(&args.output),
        args.indicators.as_ref(),
        args.findings.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        check_extension(csv, OutputKind::Csv)?;
    }
    if let Some(xlsx) = &args.xlsx {
        check_extension(xlsx, OutputKind::Workbook)?;
    }
    let outputs = options.outputs();
    for (i, a) in outputs.iter().enumerate() {
        if outputs[..i].iter().any(|b| same_output(a, b)) {
            return Err(two_outputs_one_file(a));
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
    let summary = crate::rollup::rollup_waived(&inputs, &options, &waivers, &mut progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let summary = summary?;

    let mut err = std::io::stderr().lock();
    for u in &summary.unreadable {
        let line = format!("无法读取：{}：{}", u.file, u.reason);
        let _ = writeln!(err, "{}", terminal_text(&line));
    }
    let _ = write!(err, "{}", terminal_text(&summary.render_zh()));
    if summary.waived > 0 {
        let _ = writeln!(err, "另有已豁免 {} 条，未计入错误与警告。", summary.waived);
    }
    for w in &summary.stale_waivers {
        let _ = writeln!(err, "{}", terminal_text(&crate::waiver::stale_message(w)));
    }
    let _ = writeln!(
        err,
        "已写出：{}",
        terminal_text(
            &outputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join("、")
        )
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
    say!(
        "读取 {done} 个文件（失败 {failed} 个），共 {what}，用时 {:.2} 秒",
        start.elapsed().as_secs_f64()
    );
    Ok(EXIT_OK)
}

/// What `jixiao import` reads, writes and prints.
#[derive(Clone, Debug)]
pub struct ImportArgs {
    pub input: std::path::PathBuf,
    pub output: Option<std::path::PathBuf>,
    /// Only `shanghai` exists today.
    pub layout: String,
    pub format: Format,
    pub lang: crate::validate::report::Lang,
    pub force: bool,
}

/// `jixiao import`: a published disclosure's text or PDF into a workbook (and/or the model
/// as JSON), then every rule on it, checked as a disclosure; exit 0 / 1 errors / 2 unreadable.
pub fn import(args: &ImportArgs) -> Result<u8, Error> {
    let input = args.input.as_path();
    if args.layout != "shanghai" {
        return Err(Error::Open {
            file: input.display().to_string(),
            reason: format!(
                "没有名为「{}」的版式：目前只有 shanghai（上海市财政项目支出绩效目标申报表）",
                args.layout
            ),
        });
    }
    let output = match (&args.output, args.format) {
        (Some(o), _) => Some(o.as_path()),
        (None, Format::Json) => None,
        (None, Format::Text) => {
            return Err(Error::Output {
                file: input.display().to_string(),
                reason: "请用 -o 指定要写出的工作簿（或用 --format json 只输出模型）".into(),
            })
        }
    };
    if let Some(o) = output {
        check_output(o, &[input], args.force)?;
    }
    let imported = crate::import::import_file(input)?;
    let decl = &imported.declaration;
    let mut findings = imported.findings.clone();
    let file = match output {
        Some(o) => {
            let written =
                crate::write::write_workbook(decl, o, &crate::write::WriteOptions::default())?;
            let mut v = crate::validate::validate_with(
                decl,
                &written,
                &crate::validate::Options { disclosure: true },
            );
            crate::import::annotate(
                &mut v,
                &written,
                &imported.lines,
                &input.display().to_string(),
            );
            findings.extend(v);
            o.display().to_string()
        }
        None => {
            let v = crate::validate::validate_with(
                decl,
                &crate::model::SourceMap::new(input.display().to_string()),
                &crate::validate::Options { disclosure: true },
            );
            findings.extend(v);
            input.display().to_string()
        }
    };
    let report = crate::validate::report::FileReport::new(file, decl, findings);
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let json = serde_json::to_string_pretty(decl).map_err(|e| Error::Json {
                file: input.display().to_string(),
                reason: e.to_string(),
            })?;
            let _ = writeln!(stdout, "{json}");
            let text =
                crate::validate::report::render_text(std::slice::from_ref(&report), args.lang);
            eprint!("{text}");
        }
        Format::Text => {
            let _ = write!(
                stdout,
                "{}",
                crate::validate::report::render_text(std::slice::from_ref(&report), args.lang)
            );
        }
    }
    if let Some(o) = output {
        let total = decl
            .projects_total()
            .map_or_else(|| "超出可计算范围".to_string(), |t| t.wan_string());
        say!(
            "已由 {} 导入 {} 个项目（项目资金总额合计 {total}），写出：{}",
            input.display(),
            decl.projects.len(),
            o.display()
        );
    }
    let errors = report.findings.iter().filter(|f| f.is_error()).count();
    Ok(if errors > 0 { EXIT_FINDINGS } else { EXIT_OK })
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
