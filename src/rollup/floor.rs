//! The raw floor a rollup is measured against: calamine opening each workbook and reading
//! every cell of every sheet, with no mapping, validation or output. What the rollup
//! spends above this is jixiao's own work (see README, 性能 / Performance).

use std::path::Path;

/// Opens `path` and reads every cell of every sheet; returns the non-empty cells.
pub fn read_all_cells(path: &Path) -> Result<usize, String> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(path).map_err(|e| e.to_string())?;
    let mut cells = 0;
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(|e| e.to_string())?;
        cells += range.used_cells().count();
    }
    Ok(cells)
}

/// The floor over many inputs on `jobs` threads, through the same ordered driver as the
/// rollup: (files read, files failed, cells).
pub fn floor(inputs: &[super::Input], jobs: usize) -> (usize, usize, usize) {
    let (mut read, mut failed, mut cells) = (0, 0, 0);
    let _ = super::ordered_map(
        inputs,
        jobs,
        jobs * 8,
        |i| read_all_cells(&i.path),
        |_, r| {
            match r {
                Ok(n) => {
                    read += 1;
                    cells += n;
                }
                Err(_) => failed += 1,
            }
            Ok::<(), ()>(())
        },
    );
    (read, failed, cells)
}

/// The tier between the floor and the rollup: every file read into the model and
/// validated, nothing written: (files read, files failed, projects).
pub fn read_validate(inputs: &[super::Input], jobs: usize) -> (usize, usize, usize) {
    let (mut read, mut failed, mut projects) = (0, 0, 0);
    let _ = super::ordered_map(
        inputs,
        jobs,
        jobs * 8,
        |i| super::read_and_validate(&i.path).map(|r| r.declaration.projects.len()),
        |_, r| {
            match r {
                Ok(n) => {
                    read += 1;
                    projects += n;
                }
                Err(_) => failed += 1,
            }
            Ok::<(), ()>(())
        },
    );
    (read, failed, projects)
}
