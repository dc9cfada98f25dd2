//! Rolling up many workbooks: find them, read and validate them in parallel, and stream
//! the results to the CSV files in a stable order (by path, then project order), keeping
//! only small aggregates in memory so a city's tens of thousands of files fit in the
//! memory of one.
//!
//! Files are processed by a pool of threads that may run at most a fixed window of files
//! ahead of the oldest one not yet written; results wait in a reorder buffer until their
//! turn. So memory is bounded by the window, not the number of files, and one slow file
//! holds the others back only by the window.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Condvar, Mutex};

use crate::model::{Declaration, Finding, Indicator, Money, Project, Severity, TargetKind};
use crate::Error;

use super::{CsvEncoding, CsvSink, PROJECT_COLUMNS};

/// File name endings read as workbooks when a folder is given.
pub const WORKBOOK_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// Columns of the indicator rollup (`--indicators`). 项目序号 and 指标序号 count from 1.
pub const INDICATOR_COLUMNS: [&str; 13] = [
    "来源文件",
    "单位名称",
    "项目序号",
    "项目名称",
    "指标序号",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "指标值类型",
    "运算符",
    "数值",
    "计量单位",
];

/// Columns of the findings list (`--findings`). 项目序号 is empty for the cover.
pub const FINDING_COLUMNS: [&str; 11] = [
    "来源文件",
    "单位名称",
    "项目序号",
    "项目名称",
    "工作表",
    "单元格",
    "代码",
    "级别",
    "说明",
    "应为",
    "实为",
];

/// One input: a workbook to read, or a path that could not even be listed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub path: PathBuf,
    /// Why the path could not be listed (missing, no permission); `None` to read it.
    pub problem: Option<String>,
}

fn is_skipped_name(name: &str) -> bool {
    // `~$name.xlsx` is the lock file Excel leaves beside an open workbook.
    name.starts_with("~$") || name.starts_with('.')
}

fn has_workbook_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        WORKBOOK_EXTENSIONS
            .iter()
            .any(|w| w.eq_ignore_ascii_case(e))
    })
}

/// The workbooks under `paths`, sorted by path, each file once however it was reached. A file named directly is taken
/// whatever its name (except an Excel lock file); a folder is searched recursively for
/// `.xlsx .xlsm .xls .ods`, skipping lock files and hidden files and folders. Paths that
/// cannot be listed come back as inputs with their problem, so they are reported in order.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir(dir.path().join("b")).unwrap();
/// for f in ["b/2.xlsx", "1.xls", "~$1.xlsx", ".hidden.xlsx", "notes.txt"] {
///     std::fs::write(dir.path().join(f), b"").unwrap();
/// }
/// let found = jixiao::rollup::discover(&[dir.path().to_path_buf()]);
/// let names: Vec<_> = found.iter().map(|i| i.path.strip_prefix(dir.path()).unwrap()).collect();
/// assert_eq!(names, [std::path::Path::new("1.xls"), std::path::Path::new("b/2.xlsx")]);
/// ```
pub fn discover(paths: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut out),
            Ok(_) if name.starts_with("~$") => {}
            Ok(_) => out.push(Input {
                path: p.clone(),
                problem: None,
            }),
            Err(e) => out.push(Input {
                path: p.clone(),
                problem: Some(io_reason(&e, "找不到该文件或文件夹")),
            }),
        }
    }
    out.sort();
    // Each file once, however it was reached: `x.xlsx` and `./x.xlsx`, a folder and its
    // subfolder both named, a link to a file of the tree. The first path in order stays.
    let mut seen = std::collections::HashSet::with_capacity(out.len());
    out.retain(|i| {
        let key = match &i.problem {
            None => std::fs::canonicalize(&i.path).unwrap_or_else(|_| i.path.clone()),
            Some(_) => i.path.clone(),
        };
        seen.insert(key)
    });
    out
}

fn io_reason(e: &std::io::Error, not_found: &str) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => not_found.into(),
        std::io::ErrorKind::PermissionDenied => "没有读取权限".into(),
        _ => e.to_string(),
    }
}

fn walk(dir: &Path, out: &mut Vec<Input>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.push(Input {
                path: dir.to_path_buf(),
                problem: Some(format!(
                    "无法列出文件夹内容：{}",
                    io_reason(&e, "找不到该文件夹")
                )),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if is_skipped_name(&name.to_string_lossy()) {
            continue;
        }
        // Symbolic links to folders are not followed: no cycles, no leaving the tree.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, out);
        } else if has_workbook_extension(&path) && (kind.is_file() || path.is_file()) {
            out.push(Input {
                path,
                problem: None,
            });
        } else if has_workbook_extension(&path) && path.exists() {
            // A FIFO, device or socket with a workbook's name: never opened (a FIFO would
            // block the run), but listed, so that nothing named like a workbook is left out
            // unsaid.
            out.push(Input {
                path,
                problem: Some("这不是普通文件（而是设备、管道或套接字等），已跳过".into()),
            });
        } else if has_workbook_extension(&path) && kind.is_symlink() && !path.exists() {
            // A shortcut to a workbook that has moved: listed, not silently left out.
            out.push(Input {
                path,
                problem: Some("这是一个快捷方式（链接），它指向的文件已不存在".into()),
            });
        }
    }
}

/// What reading and validating one workbook gives.
#[derive(Debug)]
pub struct ReadFile {
    pub declaration: Declaration,
    /// Reader findings, then the validator's.
    pub findings: Vec<Finding>,
}

/// Reads and validates one workbook. A panic inside the reader is caught and becomes an
/// unreadable file, so one strange file cannot stop a rollup of thousands.
pub fn read_and_validate(path: &Path) -> Result<ReadFile, Error> {
    let file = path.display().to_string();
    catch_unwind(AssertUnwindSafe(|| {
        let read = crate::read::read_workbook(path)?;
        let mut findings = read.findings;
        findings.extend(crate::validate::validate(&read.declaration, &read.sources));
        Ok(ReadFile {
            declaration: read.declaration,
            findings,
        })
    }))
    .unwrap_or_else(|_| {
        Err(Error::Open {
            file,
            reason: "读取时程序内部出错（请把该文件反馈给开发者）".into(),
        })
    })
}

/// The reason an input could not be read, without the file name (listed beside it).
pub fn unreadable_reason(e: &Error) -> String {
    match e {
        Error::Open { reason, .. } => reason.clone(),
        Error::NotAForm { reason, .. } => format!("不是绩效目标申报表：{reason}"),
        Error::Sheet { sheet, reason, .. } => format!("工作表「{sheet}」无法读取：{reason}"),
        Error::Limit { reason, .. } => format!("超出读取上限：{reason}"),
        other => other.to_string(),
    }
}

/// The most threads a run starts, whatever `--jobs` asks for.
pub const MAX_JOBS: usize = 256;

/// Maps `work` over `items` on `jobs` threads and hands each result to `take` in item
/// order. At most `window` items are taken up ahead of the next one to hand over, so
/// memory stays bounded whatever the number of items. When `take` fails, the workers stop
/// and its error is returned. A panic in `work` or `take` stops every thread (none is left
/// waiting for an item that will never come) and is resumed on the calling thread.
pub fn ordered_map<T, R, E>(
    items: &[T],
    jobs: usize,
    window: usize,
    work: impl Fn(&T) -> R + Sync,
    mut take: impl FnMut(usize, R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Sync,
    R: Send,
{
    // More threads than items, or than any machine here has cores for, only cost memory
    // (and past a few thousand the system refuses to start them).
    let jobs = jobs.min(items.len()).min(MAX_JOBS);
    // One job still reads on a thread of its own: `take` (writing the outputs) then runs
    // beside it on the calling thread instead of after each file.
    if items.len() <= 1 {
        for (i, item) in items.iter().enumerate() {
            take(i, work(item))?;
        }
        return Ok(());
    }
    let window = window.min(items.len()).max(jobs);
    struct Gate {
        next: usize,
        handed: usize,
        stop: bool,
    }
    let gate = Mutex::new(Gate {
        next: 0,
        handed: 0,
        stop: false,
    });
    let moved = Condvar::new();
    fn lock<G>(m: &Mutex<G>) -> std::sync::MutexGuard<'_, G> {
        // A worker that panicked cannot leave the counters half-updated.
        m.lock().unwrap_or_else(|p| p.into_inner())
    }
    let stop_all = || {
        lock(&gate).stop = true;
        moved.notify_all();
    };
    // The first panic of a worker or of `take`, resumed once every thread has ended.
    let panicked: Mutex<Option<Box<dyn std::any::Any + Send>>> = Mutex::new(None);
    let result = std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<(usize, R)>(window);
        for _ in 0..jobs {
            let tx = tx.clone();
            let (gate, moved, work, stop_all, panicked) =
                (&gate, &moved, &work, &stop_all, &panicked);
            s.spawn(move || loop {
                let i = {
                    let mut g = lock(gate);
                    while !g.stop && g.next < items.len() && g.next >= g.handed + window {
                        g = moved.wait(g).unwrap_or_else(|p| p.into_inner());
                    }
                    if g.stop || g.next >= items.len() {
                        return;
                    }
                    g.next += 1;
                    g.next - 1
                };
                match catch_unwind(AssertUnwindSafe(|| work(&items[i]))) {
                    Ok(r) => {
                        if tx.send((i, r)).is_err() {
                            return;
                        }
                    }
                    Err(p) => {
                        lock(panicked).get_or_insert(p);
                        stop_all();
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting: BTreeMap<usize, R> = BTreeMap::new();
        let mut expected = 0;
        let result = catch_unwind(AssertUnwindSafe(|| {
            for (i, r) in rx.iter() {
                waiting.insert(i, r);
                while let Some(r) = waiting.remove(&expected) {
                    take(expected, r)?;
                    expected += 1;
                }
                lock(&gate).handed = expected;
                moved.notify_all();
            }
            Ok(())
        }));
        let result = match result {
            Ok(r) => r,
            Err(p) => {
                lock(&panicked).get_or_insert(p);
                Ok(())
            }
        };
        if result.is_err() || lock(&panicked).is_some() {
            stop_all();
        }
        // Dropping the receiver ends workers blocked in send.
        drop(rx);
        result
    });
    if let Some(p) = lock(&panicked).take() {
        std::panic::resume_unwind(p);
    }
    result
}

/// Money and counts added up over projects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Files (only meaningful per unit: the files that declared for it).
    pub files: usize,
    pub projects: usize,
    /// 项目资金总额
    pub total: Money,
    /// 财政资金
    pub fiscal: Money,
    /// 其他资金
    pub other: Money,
    /// 年度资金申请总额
    pub annual_total: Money,
    /// 当年财政拨款
    pub annual_appropriation: Money,
    /// 上年结转资金
    pub annual_carryover: Money,
    /// 年度其他资金
    pub annual_other: Money,
    pub errors: usize,
    pub warnings: usize,
    /// Amounts left out of the sums above: beyond 10^15 元 (the validator's M003, left out
    /// of every sum), or one that would take a sum past Decimal's range.
    pub left_out: usize,
}

impl Totals {
    fn add_project(&mut self, p: &Project, errors: usize, warnings: usize) {
        let f = &p.funds;
        let mut left_out = 0;
        let mut add = |sum: &mut Money, m: Option<Money>| {
            if let Some(m) = m {
                match sum.checked_add(m).filter(|_| crate::validate::in_range(m)) {
                    Some(s) => *sum = s,
                    None => left_out += 1,
                }
            }
        };
        self.projects += 1;
        add(&mut self.total, f.total);
        add(&mut self.fiscal, f.fiscal);
        add(&mut self.other, f.other);
        add(&mut self.annual_total, f.annual_total);
        add(&mut self.annual_appropriation, f.annual_appropriation);
        add(&mut self.annual_carryover, f.annual_carryover);
        add(&mut self.annual_other, f.annual_other);
        self.left_out += left_out;
        self.errors += errors;
        self.warnings += warnings;
    }

    /// The seven amounts, in the order of the rollup's columns.
    pub fn amounts(&self) -> [Money; 7] {
        [
            self.total,
            self.fiscal,
            self.other,
            self.annual_total,
            self.annual_appropriation,
            self.annual_carryover,
            self.annual_other,
        ]
    }
}

/// Names of the seven amounts: the columns of [`PROJECT_COLUMNS`] from 项目资金总额 on.
pub const AMOUNT_COLUMNS: &[&str] = PROJECT_COLUMNS.split_at(9).1.split_at(7).0;

/// Key used when a grouping field is blank.
pub const BLANK_KEY: &str = "（未填）";

fn key(s: &Option<String>) -> String {
    match s.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => BLANK_KEY.to_string(),
    }
}

/// A file that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    pub file: String,
    pub reason: String,
}

/// What a rollup found, small whatever the number of files.
#[derive(Clone, Debug, Default)]
pub struct RollupSummary {
    /// Inputs, readable or not.
    pub files: usize,
    pub unreadable: Vec<Unreadable>,
    pub projects: usize,
    pub indicators: usize,
    /// Readable files with at least one error.
    pub files_with_errors: usize,
    /// All projects (with `files` the readable files and errors including cover findings).
    pub all: Totals,
    pub by_unit: BTreeMap<String, Totals>,
    pub by_department: BTreeMap<String, Totals>,
    pub by_category: BTreeMap<String, Totals>,
    pub by_nature: BTreeMap<String, Totals>,
    /// Findings on the summary workbook's sheet (it holds at most Excel's row limit).
    pub findings_listed: usize,
    /// Whether a summary workbook (`--xlsx`) was written: the closing lines point to it
    /// only then.
    pub summary_book: bool,
    /// Findings a waiver accepted (counted in no error or warning total).
    pub waived: usize,
    /// The waivers that matched no finding.
    pub stale_waivers: Vec<crate::waiver::Waiver>,
}

impl RollupSummary {
    pub fn errors(&self) -> usize {
        self.all.errors
    }

    pub fn warnings(&self) -> usize {
        self.all.warnings
    }

    /// 0 all read and no error (warnings allowed), 1 errors, 2 some file unreadable.
    pub fn exit_code(&self) -> u8 {
        if !self.unreadable.is_empty() {
            crate::cli::EXIT_UNREADABLE
        } else if self.errors() > 0 {
            crate::cli::EXIT_FINDINGS
        } else {
            crate::cli::EXIT_OK
        }
    }

    /// The closing lines for people, in Chinese.
    ///
    /// ```
    /// let s = jixiao::rollup::RollupSummary { files: 1200, ..Default::default() };
    /// assert!(s.render_zh().starts_with("共 1,200 个文件（读取 1,200，无法读取 0）"));
    /// ```
    pub fn render_zh(&self) -> String {
        let n = |x: usize| crate::model::group_thousands(x.into(), 0);
        let read = self.files - self.unreadable.len();
        let mut out = format!(
            "共 {} 个文件（读取 {}，无法读取 {}），{} 个单位、{} 个项目、{} 条指标。\n",
            n(self.files),
            n(read),
            n(self.unreadable.len()),
            n(self.by_unit.len()),
            n(self.projects),
            n(self.indicators)
        );
        let repeated = self.by_unit.values().filter(|t| t.files > 1).count();
        if repeated > 0 {
            out.push_str(&format!(
                "其中 {} 个单位出现在不止一个文件中，请确认没有重复报送{}。\n",
                n(repeated),
                if self.summary_book {
                    "（见汇总工作簿「按单位」的文件数）"
                } else {
                    ""
                }
            ));
        }
        out.push_str(&format!(
            "项目资金总额合计 {} 元（{}），其中年度资金申请总额 {} 元（{}）。\n",
            self.all.total,
            self.all.total.wan_string(),
            self.all.annual_total,
            self.all.annual_total.wan_string()
        ));
        if self.all.left_out > 0 {
            out.push_str(&format!(
                "另有 {} 个金额超出合理范围（超过 1,000万亿元，见问题 M003），未计入以上合计及汇总工作簿的合计。\n",
                n(self.all.left_out)
            ));
        }
        out.push_str(&format!(
            "错误 {} 条（涉及 {} 个文件），警告 {} 条。\n",
            n(self.errors()),
            n(self.files_with_errors),
            n(self.warnings())
        ));
        out
    }
}

/// Where the rollup writes.
#[derive(Clone, Debug)]
pub struct RollupOptions {
    /// The project rollup CSV.
    pub output: PathBuf,
    pub indicators: Option<PathBuf>,
    pub findings: Option<PathBuf>,
    /// The summary workbook.
    pub xlsx: Option<PathBuf>,
    pub encoding: CsvEncoding,
    /// Threads reading files (1: all on the calling thread).
    pub jobs: usize,
    /// Replace outputs that exist (`--force`); without it a file that appears at an
    /// output path while the rollup runs is kept and the run fails on it.
    pub force: bool,
}

impl RollupOptions {
    /// Every output path, the project CSV first.
    pub fn outputs(&self) -> Vec<&Path> {
        let mut v = vec![self.output.as_path()];
        v.extend(self.indicators.as_deref());
        v.extend(self.findings.as_deref());
        v.extend(self.xlsx.as_deref());
        v
    }
}

/// Files in flight per thread: enough to keep threads busy past a slow file, few enough
/// that memory does not grow with the corpus.
const WINDOW_PER_JOB: usize = 8;

/// The parsed columns of an indicator's value: kind, operator and unit, borrowed; the
/// number is written into `value`.
fn target_fields<'a>(kind: Option<&'a TargetKind>, value: &mut String) -> [&'a str; 3] {
    value.clear();
    match kind {
        None => ["", "", ""],
        Some(TargetKind::Quantitative { op, value: v, unit }) => {
            let _ = write!(value, "{v}");
            ["定量", op.symbol(), unit.as_deref().unwrap_or_default()]
        }
        Some(TargetKind::Deadline { .. }) => ["时限", "", ""],
        Some(TargetKind::Qualitative) => ["定性", "", ""],
        Some(TargetKind::Unparsed) => ["无法识别", "", ""],
    }
}

/// The columns of an indicator's row after its number ([`INDICATOR_COLUMNS`]): 一级, 二级,
/// 三级, the value as written, and its parsed kind, operator, number (written into
/// `value`) and unit. Both ways of writing the rows take them from here.
fn indicator_fields<'a>(ind: &'a Indicator, value: &'a mut String) -> [&'a str; 8] {
    let [kind, op, unit] = target_fields(ind.target.as_ref().map(|t| t.kind()), value);
    [
        ind.level1.as_deref().unwrap_or(""),
        ind.level2.as_deref().unwrap_or(""),
        ind.name.as_deref().unwrap_or(""),
        ind.target.as_ref().map(|t| t.text()).unwrap_or(""),
        kind,
        op,
        value.as_str(),
        unit,
    ]
}

/// A file's indicator rows as UTF-8 CSV and how many.
type IndicatorRows = (Vec<u8>, usize);

/// One file's indicator rows ([`INDICATOR_COLUMNS`]), each as [`CsvSink::record`] would
/// write it to a UTF-8 file. They are most of what a rollup writes (a quarter of a million
/// rows for a thousand files): the columns naming the file, unit and project are
/// written once per project and copied into each of its rows.
fn indicator_rows(file: &str, read: &ReadFile, neutralise: bool) -> IndicatorRows {
    use super::csv_out::{end_row, push_field};
    let decl = &read.declaration;
    let unit_name = decl.unit.as_deref().unwrap_or_default();
    let mut out = Vec::new();
    let (mut prefix, mut number, mut value) = (Vec::new(), String::new(), String::new());
    let mut rows = 0;
    for (i, p) in decl.projects.iter().enumerate() {
        prefix.clear();
        number.clear();
        let _ = write!(number, "{}", i + 1);
        for field in [
            file,
            unit_name,
            &number,
            p.header.name.as_deref().unwrap_or_default(),
        ] {
            push_field(&mut prefix, field, neutralise);
        }
        for (n, ind) in p.indicators.iter().enumerate() {
            out.extend_from_slice(&prefix);
            let _ = std::io::Write::write_fmt(&mut out, format_args!("{},", n + 1));
            for field in indicator_fields(ind, &mut value) {
                push_field(&mut out, field, neutralise);
            }
            end_row(&mut out);
            rows += 1;
        }
    }
    (out, rows)
}

/// Calls `emit` with each indicator row of `decl`; `scratch` holds the numbers.
fn for_each_indicator_row<E>(
    file: &str,
    decl: &Declaration,
    scratch: &mut [String; 3],
    mut emit: impl FnMut([&str; 13]) -> Result<(), E>,
) -> Result<(), E> {
    let unit_name = decl.unit.as_deref().unwrap_or_default();
    let [number, k, value] = scratch;
    for (i, p) in decl.projects.iter().enumerate() {
        number.clear();
        let _ = write!(number, "{}", i + 1);
        let name = p.header.name.as_deref().unwrap_or_default();
        for (n, ind) in p.indicators.iter().enumerate() {
            k.clear();
            let _ = write!(k, "{}", n + 1);
            let [l1, l2, l3, text, kind, op, v, unit] = indicator_fields(ind, value);
            emit([
                file,
                unit_name,
                number.as_str(),
                name,
                k.as_str(),
                l1,
                l2,
                l3,
                text,
                kind,
                op,
                v,
                unit,
            ])?;
        }
    }
    Ok(())
}

/// The state of a running rollup: open outputs and the aggregates so far.
struct Consumer<'a> {
    projects: CsvSink,
    indicators: Option<CsvSink>,
    findings: Option<CsvSink>,
    book: Option<super::summary_book::SummaryBook>,
    summary: RollupSummary,
    progress: &'a mut dyn FnMut(usize, usize),
    total_inputs: usize,
    /// A project row, reused from row to row.
    row: Vec<String>,
    /// Project number, indicator number and value, reused from row to row.
    scratch: [String; 3],
    waivers: &'a [crate::waiver::Waiver],
    /// One flag per waiver: matched a finding.
    used: Vec<bool>,
}

impl Consumer<'_> {
    fn take(
        &mut self,
        input: &Input,
        outcome: Result<(ReadFile, Option<IndicatorRows>), Error>,
    ) -> Result<(), Error> {
        self.summary.files += 1;
        let file = input.path.display().to_string();
        match outcome {
            Err(e) => self.summary.unreadable.push(Unreadable {
                file,
                reason: unreadable_reason(&e),
            }),
            Ok((read, rows)) => self.take_read(&input.path, &file, read, rows)?,
        }
        (self.progress)(self.summary.files, self.total_inputs);
        Ok(())
    }

    fn take_read(
        &mut self,
        path: &Path,
        file: &str,
        mut read: ReadFile,
        rendered: Option<IndicatorRows>,
    ) -> Result<(), Error> {
        if !self.waivers.is_empty() {
            crate::waiver::apply(self.waivers, &mut self.used, file, &mut read.findings);
        }
        let decl = &read.declaration;
        let findings = &read.findings;
        let unit_key = key(&decl.unit);
        let unit_name = decl.unit.clone().unwrap_or_default();

        // Per-project error and warning counts in one pass over the findings.
        let mut per_project = vec![(0usize, 0usize); decl.projects.len()];
        let (mut errors, mut warnings) = (0, 0);
        for f in findings {
            if f.waived.is_some() {
                self.summary.waived += 1;
                continue;
            }
            let is_error = f.severity == Severity::Error;
            if is_error {
                errors += 1;
            } else {
                warnings += 1;
            }
            if let Some(c) = f.location.project.and_then(|p| per_project.get_mut(p)) {
                if is_error {
                    c.0 += 1;
                } else {
                    c.1 += 1;
                }
            }
        }

        let s = &mut self.summary;
        s.all.files += 1;
        s.projects += decl.projects.len();
        if errors > 0 {
            s.files_with_errors += 1;
        }
        let unit_totals = s.by_unit.entry(unit_key.clone()).or_default();
        unit_totals.files += 1;
        // Cover findings count for the unit and the whole, not for any project's groups.
        let cover_errors = errors - per_project.iter().map(|c| c.0).sum::<usize>();
        let cover_warnings = warnings - per_project.iter().map(|c| c.1).sum::<usize>();
        unit_totals.errors += cover_errors;
        unit_totals.warnings += cover_warnings;
        s.all.errors += cover_errors;
        s.all.warnings += cover_warnings;

        for (i, p) in decl.projects.iter().enumerate() {
            let (e, w) = per_project[i];
            s.all.add_project(p, e, w);
            for (map, k) in [
                (&mut s.by_unit, unit_key.clone()),
                (&mut s.by_department, key(&p.header.department)),
                (&mut s.by_category, key(&p.header.category)),
                (&mut s.by_nature, key(&p.header.nature)),
            ] {
                map.entry(k).or_default().add_project(p, e, w);
            }
            super::project_row_into(&mut self.row, decl, i, p, findings, file);
            self.projects.record(self.row.iter().map(String::as_str))?;
            s.indicators += p.indicators.len();
        }

        if let Some(sink) = &mut self.indicators {
            // Rendered here when the reading threads did not (one reading thread).
            let neutralise = sink.neutralises();
            let rendered = rendered.or_else(|| {
                sink.is_utf8()
                    .then(|| indicator_rows(file, &read, neutralise))
            });
            match rendered.and_then(|(bytes, n)| sink.utf8_rows(&bytes, n)) {
                Some(result) => result?,
                None => {
                    for_each_indicator_row(file, decl, &mut self.scratch, |row| sink.record(row))?
                }
            }
        }
        if let Some(sink) = &mut self.findings {
            for f in findings {
                let (number, name) = project_label(decl, f);
                let (level, message) = waived_text(f);
                sink.record([
                    file,
                    unit_name.as_str(),
                    number.as_str(),
                    name,
                    f.location.sheet.as_deref().unwrap_or(""),
                    f.location.cell.as_deref().unwrap_or(""),
                    f.code.as_str(),
                    level.as_ref(),
                    message.as_ref(),
                    f.expected.as_deref().unwrap_or(""),
                    f.actual.as_deref().unwrap_or(""),
                ])?;
            }
        }
        if let Some(book) = &mut self.book {
            book.add_findings(path, file, decl, findings)?;
        }
        Ok(())
    }
}

/// 级别 and 说明 of a finding in a list: `已豁免（警告）` and the message with the
/// reviewer's reason for a waived one, so waived findings stand apart.
pub(crate) fn waived_text(f: &Finding) -> (Cow<'_, str>, Cow<'_, str>) {
    match &f.waived {
        None => (Cow::Borrowed(f.severity.zh()), Cow::Borrowed(&f.message)),
        Some(why) => (
            Cow::Owned(format!("已豁免（{}）", f.severity.zh())),
            Cow::Owned(format!("{}（豁免理由：{why}）", f.message)),
        ),
    }
}

/// 项目序号 (from 1) and 项目名称 of a finding's project; empty for the cover.
pub(crate) fn project_label<'a>(decl: &'a Declaration, f: &Finding) -> (String, &'a str) {
    match f.location.project {
        Some(i) => (
            (i + 1).to_string(),
            decl.projects
                .get(i)
                .and_then(|p| p.header.name.as_deref())
                .unwrap_or(""),
        ),
        None => (String::new(), ""),
    }
}

/// Rolls up `inputs` (from [`discover`]) into the outputs of `options`, calling
/// `progress(done, total)` after each file. Unreadable files are listed in the summary
/// and the run goes on; only a failure to write an output stops it (and then no output
/// is left half-written).
pub fn rollup(
    inputs: &[Input],
    options: &RollupOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<RollupSummary, Error> {
    rollup_waived(inputs, options, &[], progress)
}

/// [`rollup`], with the findings `waivers` cover marked 已豁免: listed apart in the
/// findings CSV and the summary workbook, counted in no total; the waivers that matched
/// nothing are in [`RollupSummary::stale_waivers`].
pub fn rollup_waived(
    inputs: &[Input],
    options: &RollupOptions,
    waivers: &[crate::waiver::Waiver],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<RollupSummary, Error> {
    // A panic on any thread (a bug in jixiao) ends the run as an error naming the outputs:
    // every thread has stopped by then, and the open outputs' temporary files are removed
    // as they are dropped on the way out.
    catch_unwind(AssertUnwindSafe(|| {
        rollup_unguarded(inputs, options, waivers, progress)
    }))
    .unwrap_or_else(|_| {
        Err(Error::Output {
            file: options
                .outputs()
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join("、"),
            reason:
                "汇总时程序内部出错，汇总已停止，未写完的输出已删除（请把这批文件反馈给开发者）"
                    .into(),
        })
    })
}

fn rollup_unguarded(
    inputs: &[Input],
    options: &RollupOptions,
    waivers: &[crate::waiver::Waiver],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<RollupSummary, Error> {
    let enc = options.encoding;
    let existing = crate::output::Existing::from_force(options.force);
    let sink = |p: &Path, header: &[&str]| CsvSink::create_publishing(p, enc, header, existing);
    let mut consumer = Consumer {
        projects: sink(&options.output, &PROJECT_COLUMNS)?,
        indicators: options
            .indicators
            .as_deref()
            .map(|p| sink(p, &INDICATOR_COLUMNS))
            .transpose()?,
        findings: options
            .findings
            .as_deref()
            .map(|p| sink(p, &FINDING_COLUMNS))
            .transpose()?,
        book: options
            .xlsx
            .as_deref()
            .map(|p| super::summary_book::SummaryBook::new(p).map(|b| b.publishing(existing)))
            .transpose()?,
        summary: RollupSummary::default(),
        progress,
        total_inputs: inputs.len(),
        row: Vec::new(),
        scratch: Default::default(),
        waivers,
        used: vec![false; waivers.len()],
    };
    let jobs = options.jobs.max(1);
    // With one reading thread the writing thread has a core of its own and renders them
    // itself; with more, the readers share the rendering.
    let render_indicators = options.indicators.is_some() && jobs > 1;
    let utf8 = matches!(enc, CsvEncoding::Utf8 | CsvEncoding::Utf8Bom);
    ordered_map(
        inputs,
        jobs,
        jobs * WINDOW_PER_JOB,
        |input| match &input.problem {
            Some(reason) => Err(Error::Open {
                file: input.path.display().to_string(),
                reason: reason.clone(),
            }),
            None => read_and_validate(&input.path).map(|read| {
                // Indicator rows are most of what a rollup writes (a quarter of a million
                // for a thousand files): written as CSV here, on the reading threads, the
                // writing thread only copies them.
                let rows = (render_indicators && utf8).then(|| {
                    indicator_rows(&input.path.display().to_string(), &read, enc.for_excel())
                });
                (read, rows)
            }),
        },
        |i, outcome| consumer.take(&inputs[i], outcome),
    )?;
    let Consumer {
        projects,
        indicators,
        findings,
        book,
        mut summary,
        used,
        ..
    } = consumer;
    summary.stale_waivers = crate::waiver::stale(waivers, &used)
        .into_iter()
        .cloned()
        .collect();
    if let Some(book) = &book {
        summary.findings_listed = book.findings_listed();
        summary.summary_book = true;
    }
    // Each output is flushed to disk before its rename (so a crash leaves the old file or
    // the whole new one); the waits overlap when the outputs finish side by side, and the
    // summary workbook is built while the CSV files are on their way to the disk.
    let summary_ref = &summary;
    std::thread::scope(|s| {
        let mut done = Vec::new();
        let mut started = Vec::new();
        for sink in [Some(projects), indicators, findings].into_iter().flatten() {
            // Kept here too: when no thread can be started, it is finished on this one.
            let slot = std::sync::Arc::new(Mutex::new(Some(sink)));
            let theirs = std::sync::Arc::clone(&slot);
            let finish = move || theirs.lock().ok()?.take().map(CsvSink::finish);
            match std::thread::Builder::new().spawn_scoped(s, finish) {
                Ok(h) => started.push(h),
                Err(_) => done.extend(
                    slot.lock()
                        .ok()
                        .and_then(|mut g| g.take())
                        .map(CsvSink::finish),
                ),
            }
        }
        let book = book.map_or(Ok(()), |b| b.finish(summary_ref));
        let joined = started.into_iter().filter_map(|h| {
            h.join().unwrap_or_else(|_| {
                Some(Err(Error::Output {
                    file: options.output.display().to_string(),
                    reason: "写出 CSV 时程序内部出错".into(),
                }))
            })
        });
        done.into_iter()
            .chain(joined)
            .fold(book, |first, r| first.and(r))
    })?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_once_however_it_was_reached() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("区")).unwrap();
        std::fs::write(d.join("区/甲.xlsx"), b"").unwrap();
        std::fs::write(d.join("乙.xlsx"), b"").unwrap();
        let mut named = vec![
            d.to_path_buf(),
            d.join("区"),
            d.join("./区/甲.xlsx"),
            d.join("乙.xlsx"),
            d.join("丙.xlsx"),
        ];
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.join("区/甲.xlsx"), d.join("链接.xlsx")).unwrap();
            named.push(d.join("链接.xlsx"));
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(d.join("已移走.xlsx"), d.join("区/失效.xlsx")).unwrap();
        let found = discover(&named);
        let names: Vec<String> = found
            .iter()
            .map(|i| {
                let p = i
                    .path
                    .strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (p, i.problem.is_some())
            })
            .map(|(p, missing)| {
                if missing {
                    format!("{p}（找不到）")
                } else {
                    p
                }
            })
            .collect();
        // 甲, reached four ways, is read once, at the first of its paths in order.
        let mut want = vec!["丙.xlsx（找不到）", "乙.xlsx", "区/甲.xlsx"];
        if cfg!(unix) {
            want.insert(2, "区/失效.xlsx（找不到）");
        }
        assert_eq!(names, want);
    }

    #[test]
    fn a_huge_jobs_count_starts_a_bounded_number_of_threads() {
        let items: Vec<u64> = (0..600).collect();
        let threads = Mutex::new(std::collections::HashSet::new());
        let mut seen = Vec::new();
        ordered_map(
            &items,
            1_000_000,
            8_000_000,
            |&x| {
                lock_set(&threads).insert(std::thread::current().id());
                x
            },
            |_, r| {
                seen.push(r);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(seen, items);
        let n = lock_set(&threads).len();
        assert!((1..=MAX_JOBS).contains(&n), "{n}");
        // Fewer items than threads asked for: one thread per item at most.
        let few = [1u64, 2, 3];
        let threads = Mutex::new(std::collections::HashSet::new());
        ordered_map(
            &few,
            64,
            512,
            |&x| {
                lock_set(&threads).insert(std::thread::current().id());
                x
            },
            |_, _| Ok::<(), ()>(()),
        )
        .unwrap();
        assert!(lock_set(&threads).len() <= 3);
    }

    fn lock_set<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap()
    }

    #[test]
    fn ordered_map_keeps_order_on_many_threads_and_stops_on_error() {
        let items: Vec<u64> = (0..500).collect();
        for jobs in [1, 2, 4] {
            let mut seen = Vec::new();
            ordered_map(
                &items,
                jobs,
                3,
                |&x| {
                    // Uneven work, so threads finish out of order.
                    let spin = (x * 7919) % 97;
                    (0..spin * 100).fold(x, |a, b| a.wrapping_add(b)) - (0..spin * 100).sum::<u64>()
                },
                |i, r| {
                    assert_eq!(i as u64, r);
                    seen.push(r);
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
            assert_eq!(seen, items);
        }
        let mut taken = 0;
        let r = ordered_map(
            &items,
            2,
            4,
            |&x| x,
            |i, _| {
                taken += 1;
                if i == 10 {
                    Err("stop")
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(r, Err("stop"));
        assert_eq!(taken, 11);
    }

    #[test]
    fn unreadable_reason_leaves_out_the_file() {
        let e = Error::Open {
            file: "a.xlsx".into(),
            reason: "文件是空的（0 字节）".into(),
        };
        assert_eq!(unreadable_reason(&e), "文件是空的（0 字节）");
    }
}
