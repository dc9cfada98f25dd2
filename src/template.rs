//! The standard blank workbook.

use std::path::Path;

use crate::model::{Declaration, Project};
use crate::output::Existing;
use crate::write::{write_workbook_publishing, WriteOptions};

/// A declaration of `projects` empty projects, for the template.
///
/// ```
/// let d = jixiao::template::blank(3, Some(2025), Some("某某单位"));
/// assert_eq!(d.projects.len(), 3);
/// assert_eq!(d.stated_total, None);
/// ```
pub fn blank(projects: usize, year: Option<i32>, unit: Option<&str>) -> Declaration {
    Declaration {
        unit: unit.map(str::to_string),
        year,
        projects: vec![Project::default(); projects],
        ..Declaration::default()
    }
}

/// Writes the blank template to `path` (replacing a file there).
pub fn write_template(
    path: &Path,
    projects: usize,
    year: Option<i32>,
    unit: Option<&str>,
) -> Result<(), crate::Error> {
    write_template_publishing(path, projects, year, unit, Existing::Replace)
}

/// [`write_template`], saying what to do with a file already at `path`.
pub fn write_template_publishing(
    path: &Path,
    projects: usize,
    year: Option<i32>,
    unit: Option<&str>,
    existing: Existing,
) -> Result<(), crate::Error> {
    let options = WriteOptions {
        template: true,
        ..WriteOptions::default()
    };
    write_workbook_publishing(&blank(projects, year, unit), path, &options, existing).map(|_| ())
}
