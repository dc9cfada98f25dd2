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
