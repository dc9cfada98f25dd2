//! The `jixiao` command: argument parsing and exit codes; the work is in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use jixiao::cli;

#[derive(Parser)]
#[command(
    name = "jixiao",
    version,
    about = "财政项目支出绩效目标申报表工具：模板、读取、校验、更正、汇总"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 生成标准空白申报表（单位汇总 + 每个项目一张表）
    Template {
        /// 输出文件
        #[arg(short, long, default_value = "绩效目标申报表模板.xlsx")]
        output: PathBuf,
        /// 项目个数
        #[arg(long, default_value_t = 3)]
        projects: usize,
        /// 预算年度
        #[arg(long)]
        year: Option<i32>,
        /// 单位名称
        #[arg(long)]
        unit: Option<String>,
        /// 替换已存在的输出文件
        #[arg(long)]
        force: bool,
    },
    /// 校验申报表：重算每个合计，检查指标，逐条指出单元格
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 输出格式
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// 语言
        #[arg(long, value_enum, default_value = "zh")]
        lang: Language,
        /// 豁免清单 CSV（列：文件（可省略）、工作表、单元格、代码、理由）
        #[arg(long, value_name = "FILE")]
        waive: Option<PathBuf>,
        /// 另写一份 HTML 报告（单个文件，可打印）
        #[arg(long, value_name = "REPORT.html")]
        html: Option<PathBuf>,
        /// 替换已存在的 HTML 报告
        #[arg(long)]
        force: bool,
    },
    /// 在本机打开校验网页（仅 127.0.0.1）：拖入申报表即可校验、下载更正后的工作簿与汇总
    Serve {
        /// 端口（默认：由系统选一个空闲端口）
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// 不自动打开浏览器
        #[arg(long)]
        no_open: bool,
    },
    /// 写出更正后的工作簿（标出每处更改）及可选的 CSV 汇总
    Fix {
        file: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
        /// 项目汇总 CSV
        #[arg(long)]
        csv: Option<PathBuf>,
        /// CSV 编码：utf-8（默认，带 BOM）、utf-8-nobom、gb18030、gbk
        #[arg(long, default_value = "utf-8")]
        encoding: jixiao::rollup::CsvEncoding,
        /// 替换已存在的输出文件
        #[arg(long)]
        force: bool,
        /// 供报送：更正的单元格不填色、不加批注（改动仍列在「校验结果」工作表）
        #[arg(long)]
        clean: bool,
        /// 豁免清单 CSV（列：文件（可省略）、工作表、单元格、代码、理由）
        #[arg(long, value_name = "FILE")]
        waive: Option<PathBuf>,
    },
    /// 读取工作簿，把模型以 JSON 输出到标准输出
    Dump { file: PathBuf },
    /// 汇总文件与文件夹中的全部申报表：项目汇总 CSV，可选指标、问题清单与汇总工作簿
    Rollup {
        /// 申报表文件或文件夹（递归查找 .xlsx .xlsm .xls .ods）
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// 项目汇总 CSV
        #[arg(short, long)]
        output: PathBuf,
        /// 汇总工作簿（按单位、主管部门、项目类别、项目性质合计，无法读取的文件，问题清单）
        #[arg(long)]
        xlsx: Option<PathBuf>,
        /// 指标明细 CSV
        #[arg(long)]
        indicators: Option<PathBuf>,
        /// 问题清单 CSV
        #[arg(long)]
        findings: Option<PathBuf>,
        /// 并行读取的线程数（默认：CPU 核数；最多 256，且不超过文件数）
        #[arg(long)]
        jobs: Option<usize>,
        /// CSV 编码：utf-8（默认，带 BOM）、utf-8-nobom、gb18030、gbk
        #[arg(long, default_value = "utf-8")]
        encoding: jixiao::rollup::CsvEncoding,
        /// 替换已存在的输出文件
        #[arg(long)]
        force: bool,
        /// 豁免清单 CSV（列：文件（可省略）、工作表、单元格、代码、理由）
        #[arg(long, value_name = "FILE")]
        waive: Option<PathBuf>,
    },
    /// 生成用于测试与基准的合成申报表（确定性，由种子决定）
    #[command(hide = true)]
    GenCorpus {
        /// 输出文件夹
        dir: PathBuf,
        /// 文件个数（含损坏文件）
        #[arg(long, default_value_t = 50)]
        files: usize,
        /// 随机种子
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// 含故意错误的申报表比例（0–1）
        #[arg(long, default_value_t = 0.2)]
        error_share: f64,
        /// 损坏文件个数
        #[arg(long, default_value_t = 3)]
        broken: usize,
        /// 线程数（默认：CPU 核数）
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// 基准的下限：只用 calamine 打开每个工作簿并读取全部单元格
    #[command(hide = true)]
    BenchFloor {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// 线程数（默认：CPU 核数）
        #[arg(long)]
        jobs: Option<usize>,
        /// 读入模型并校验（不写输出），而不是只用 calamine 读单元格
        #[arg(long)]
        read: bool,
    },
    /// 导入部门预算公开文本（.txt 或 .pdf）中的申报表，写出工作簿并按公开文本校验
    Import {
        /// 公开文本（由 PDF 提取的 .txt，或 .pdf）
        file: PathBuf,
        /// 输出工作簿
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// 工作簿版式（目前只有 shanghai）
        #[arg(long, default_value = "shanghai")]
        layout: String,
        /// text：写出工作簿并列出问题；json：把模型以 JSON 输出到标准输出
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// 语言
        #[arg(long, value_enum, default_value = "zh")]
        lang: Language,
        /// 替换已存在的输出文件
        #[arg(long)]
        force: bool,
    },
    /// 由模型 JSON 生成工作簿
    Build {
        model: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
        /// 替换已存在的输出文件
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Language {
    Zh,
    En,
}

fn main() -> ExitCode {
    // A panic inside the workbook parsers is caught and reported as a damaged file with the
    // file's name; the default hook would also print it, in English, as if jixiao crashed.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !jixiao::read::panic_is_caught() {
            default_hook(info);
        }
    }));
    // Ctrl-C (or a kill) mid-run: no half-written hidden files left beside the outputs.
    // 130 is the shell's code for an interrupt. If the handler cannot be set, the run goes
    // on as before.
    let _ = ctrlc::set_handler(|| {
        let (_, published) = jixiao::output::remove_unfinished_for_exit();
        eprintln!(
            "{}",
            cli::terminal_text(&cli::interrupted_message(&published))
        );
        std::process::exit(130);
    });
    // Usage errors exit 2, like unreadable input (clap's default is 2 as well).
    // No arguments on Windows (a double-click on jixiao.exe): the page, in the browser.
    // Elsewhere a bare `jixiao` in a terminal prints the help, as it always has.
    let args = if cfg!(windows) && std::env::args_os().len() <= 1 {
        Args {
            command: Command::Serve {
                port: 0,
                no_open: false,
            },
        }
    } else {
        Args::parse()
    };
    let result = match args.command {
        Command::Template {
            output,
            projects,
            year,
            unit,
            force,
        } => cli::template(&output, projects, year, unit.as_deref(), force),
        Command::Check {
            files,
            format,
            lang,
            waive,
            html,
            force,
        } => cli::check(
            &files,
            match format {
                OutputFormat::Text => cli::Format::Text,
                OutputFormat::Json => cli::Format::Json,
            },
            match lang {
                Language::Zh => jixiao::validate::report::Lang::Zh,
                Language::En => jixiao::validate::report::Lang::En,
            },
            waive.as_deref(),
            html.as_deref(),
            force,
        ),
        Command::Serve { port, no_open } => cli::serve(port, !no_open),
        Command::Fix {
            file,
            output,
            csv,
            encoding,
            force,
            clean,
            waive,
        } => cli::fix(
            &file,
            &output,
            csv.as_deref(),
            encoding,
            force,
            clean,
            waive.as_deref(),
        ),
        Command::Dump { file } => cli::dump(&file),
        Command::Rollup {
            paths,
            output,
            xlsx,
            indicators,
            findings,
            jobs,
            encoding,
            force,
            waive,
        } => cli::rollup(&cli::RollupArgs {
            paths,
            output,
            xlsx,
            indicators,
            findings,
            jobs,
            encoding,
            force,
            waive,
        }),
        Command::BenchFloor { paths, jobs, read } => cli::bench_floor(&paths, jobs, read),
        Command::GenCorpus {
            dir,
            files,
            seed,
            error_share,
            broken,
            jobs,
        } => cli::gen_corpus(
            &dir,
            &jixiao::corpus::Spec {
                files,
                seed,
                error_share,
                broken,
                ..jixiao::corpus::Spec::default()
            },
            jobs,
        ),
        Command::Import {
            file,
            output,
            layout,
            format,
            lang,
            force,
        } => cli::import(&cli::ImportArgs {
            input: file,
            output,
            layout,
            format: match format {
                OutputFormat::Text => cli::Format::Text,
                OutputFormat::Json => cli::Format::Json,
            },
            lang: match lang {
                Language::Zh => jixiao::validate::report::Lang::Zh,
                Language::En => jixiao::validate::report::Lang::En,
            },
            force,
        }),
        Command::Build {
            model,
            output,
            force,
        } => cli::build(&model, &output, force),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("错误：{}", cli::terminal_text(&e.to_string()));
            ExitCode::from(cli::EXIT_UNREADABLE)
        }
    }
}
