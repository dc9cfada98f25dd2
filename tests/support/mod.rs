//! A small workbook editor for tests: load an xlsx as plain cells and merged regions,
//! make the edits a person makes in Excel (insert rows, retype a label or a value, resize
//! a merge, copy a row, reorder, rename or delete sheets), and save it again.
//!
//! Styles are not kept (the reader does not look at them), except that cells calamine
//! reports as dates are written back as dates. Formulas come back as their cached values.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, SheetVisible, Xlsx};
use rust_xlsxwriter::{Format, Workbook};

/// (first row, first col, last row, last col), 0-based and inclusive.
pub type Merge = (u32, u16, u32, u16);

#[derive(Clone, Debug)]
pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    pub cells: BTreeMap<(u32, u16), Data>,
    pub merges: Vec<Merge>,
}

#[derive(Clone, Debug)]
pub struct Book {
    pub sheets: Vec<Sheet>,
}

/// `(row, col)` of an A1 reference such as `D23`.
pub fn pos(a1: &str) -> (u32, u16) {
    let split = a1.find(|c: char| c.is_ascii_digit()).expect("row number");
    let (letters, digits) = a1.split_at(split);
    let col = letters.bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    }) - 1;
    (digits.parse::<u32>().unwrap() - 1, col as u16)
}

/// The A1 reference of `(row, col)`.
pub fn a1((row, col): (u32, u16)) -> String {
    let mut c = u32::from(col) + 1;
    let mut letters = Vec::new();
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8(letters).unwrap(), row + 1)
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

impl Book {
    pub fn load(path: impl AsRef<Path>) -> Book {
        let mut wb: Xlsx<_> = calamine::open_workbook(path.as_ref()).expect("open xlsx");
        let meta: Vec<(String, bool)> = wb
            .sheets_metadata()
            .iter()
            .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
            .collect();
        let mut sheets = Vec::new();
        for (name, hidden) in meta {
            let range = wb.worksheet_range(&name).expect("sheet range");
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut cells = BTreeMap::new();
            for (r, c, v) in range.used_cells() {
                if !matches!(v, Data::Empty) {
                    cells.insert((r0 + r as u32, (c0 as usize + c) as u16), v.clone());
                }
            }
            let merges = wb
                .merge_cells_by_sheet_name(&name)
                .expect("merged cells")
                .iter()
                .map(|d| (d.start.0, d.start.1 as u16, d.end.0, d.end.1 as u16))
                .collect();
            sheets.push(Sheet {
                name,
                hidden,
                cells,
                merges,
            });
        }
        Book { sheets }
    }

    pub fn save(&self, path: impl AsRef<Path>) {
        let mut wb = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let plain = Format::new();
        for s in &self.sheets {
            let ws = wb.add_worksheet();
            ws.set_name(&s.name).expect("sheet name");
            for &(r0, c0, r1, c1) in &s.merges {
                ws.merge_range(r0, c0, r1, c1, "", &plain)
                    .unwrap_or_else(|e| panic!("merge {} on {}: {e}", a1((r0, c0)), s.name));
            }
            for (&(r, c), v) in &s.cells {
                match v {
                    Data::String(t) => ws.write_string(r, c, t).map(|_| ()),
                    Data::Float(f) => ws.write_number(r, c, *f).map(|_| ()),
                    Data::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()),
                    Data::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
                    Data::DateTime(d) => ws
                        .write_number_with_format(r, c, d.as_f64(), &date)
                        .map(|_| ()),
                    Data::DateTimeIso(t) | Data::DurationIso(t) => {
                        ws.write_string(r, c, t).map(|_| ())
                    }
                    Data::Error(e) => ws.write_string(r, c, format!("{e}")).map(|_| ()),
                    Data::Empty => Ok(()),
                }
                .expect("write cell");
            }
            if s.hidden {
                ws.set_hidden(true);
            }
        }
        wb.save(path.as_ref()).expect("save xlsx");
    }

    /// Saves into `dir` as `name` and returns the path.
    pub fn save_in(&self, dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        self.save(&p);
        p
    }

    pub fn index_of(&self, name: &str) -> usize {
        self.sheets
            .iter()
            .position(|s| s.name == name)
            .unwrap_or_else(|| panic!("no sheet {name}"))
    }

    pub fn sheet(&self, name: &str) -> &Sheet {
        &self.sheets[self.index_of(name)]
    }

    pub fn sheet_mut(&mut self, name: &str) -> &mut Sheet {
        let i = self.index_of(name);
        &mut self.sheets[i]
    }

    /// Names of the sheets holding a project form (those with a 项目资金总额 label).
    pub fn project_sheets(&self) -> Vec<String> {
        self.sheets
            .iter()
            .filter(|s| s.find_text("项目资金总额").is_some())
            .map(|s| s.name.clone())
            .collect()
    }

    pub fn rename_sheet(&mut self, from: &str, to: &str) {
        self.sheet_mut(from).name = to.to_string();
    }

    /// Moves sheet `name` to position `to` (0-based, among all sheets).
    pub fn move_sheet(&mut self, name: &str, to: usize) {
        let s = self.sheets.remove(self.index_of(name));
        self.sheets.insert(to, s);
    }

    pub fn delete_sheet(&mut self, name: &str) {
        self.sheets.remove(self.index_of(name));
    }
}

impl Sheet {
    pub fn get(&self, a1: &str) -> Option<&Data> {
        self.cells.get(&pos(a1))
    }

    /// Sets the cell at `a1` (an empty `Data` clears it).
    pub fn set(&mut self, a1: &str, v: Data) {
        self.set_at(pos(a1), v);
    }

    pub fn set_at(&mut self, p: (u32, u16), v: Data) {
        if matches!(v, Data::Empty) {
            self.cells.remove(&p);
        } else {
            self.cells.insert(p, v);
        }
    }

    pub fn set_text(&mut self, a1: &str, t: &str) {
        self.set(a1, Data::String(t.to_string()));
    }

    /// All cells whose text, with whitespace removed, equals `text`, row-major.
    pub fn find_all(&self, text: &str) -> Vec<(u32, u16)> {
        let want = squash(text);
        self.cells
            .iter()
            .filter(|(_, v)| matches!(v, Data::String(s) if squash(s) == want))
            .map(|(p, _)| *p)
            .collect()
    }

    /// The first cell whose text (whitespace removed) equals `text`.
    pub fn find_text(&self, text: &str) -> Option<(u32, u16)> {
        self.find_all(text).into_iter().next()
    }

    /// A1 of the first cell holding `text`; panics when there is none.
    pub fn find(&self, text: &str) -> String {
        a1(self
            .find_text(text)
            .unwrap_or_else(|| panic!("no {text:?} on {}", self.name)))
    }

    /// Row (0-based) of the first cell holding `text`.
    pub fn row_of(&self, text: &str) -> u32 {
        pos(&self.find(text)).0
    }

    /// Inserts `n` empty rows before row `at` (0-based), as Excel does: cells and merges
    /// below move down, and a merge spanning the insertion point grows.
    pub fn insert_rows(&mut self, at: u32, n: u32) {
        let cells = std::mem::take(&mut self.cells);
        self.cells = cells
            .into_iter()
            .map(|((r, c), v)| (if r >= at { (r + n, c) } else { (r, c) }, v))
            .collect();
        for m in &mut self.merges {
            if m.0 >= at {
                m.0 += n;
                m.2 += n;
            } else if m.2 >= at {
                m.2 += n;
            }
        }
    }

    /// Inserts `n` empty columns before column `at` (0-based), as Excel does: cells and
    /// merges to the right move, and a merge spanning the insertion point grows.
    pub fn insert_cols(&mut self, at: u16, n: u16) {
        let cells = std::mem::take(&mut self.cells);
        self.cells = cells
            .into_iter()
            .map(|((r, c), v)| (if c >= at { (r, c + n) } else { (r, c) }, v))
            .collect();
        for m in &mut self.merges {
            if m.1 >= at {
                m.1 += n;
                m.3 += n;
            } else if m.3 >= at {
                m.3 += n;
            }
        }
    }

    /// Deletes row `at` (0-based): cells below move up, merges shrink or go.
    pub fn delete_row(&mut self, at: u32) {
        let cells = std::mem::take(&mut self.cells);
        self.cells = cells
            .into_iter()
            .filter(|((r, _), _)| *r != at)
            .map(|((r, c), v)| (if r > at { (r - 1, c) } else { (r, c) }, v))
            .collect();
        self.merges.retain(|m| !(m.0 == at && m.2 == at));
        for m in &mut self.merges {
            if m.0 > at {
                m.0 -= 1;
                m.2 -= 1;
            } else if m.2 >= at {
                m.2 -= 1;
            }
        }
        self.merges.retain(|m| m.0 != m.2 || m.1 != m.3);
    }

    /// The merged region containing `a1`.
    pub fn merge_at(&self, a1: &str) -> Option<Merge> {
        let (r, c) = pos(a1);
        self.merges
            .iter()
            .copied()
            .find(|m| m.0 <= r && r <= m.2 && m.1 <= c && c <= m.3)
    }

    /// Resizes the merge whose top-left cell is `a1` to end at `last` (inclusive); a
    /// one-cell result unmerges it. Panics if it would overlap another merge.
    pub fn resize_merge(&mut self, a1: &str, last: &str) {
        let (r0, c0) = pos(a1);
        let (r1, c1) = pos(last);
        let i = self
            .merges
            .iter()
            .position(|m| m.0 == r0 && m.1 == c0)
            .unwrap_or_else(|| panic!("no merge at {a1} on {}", self.name));
        self.merges.remove(i);
        let new = (r0, c0, r1, c1);
        for m in &self.merges {
            let overlap = m.0 <= new.2 && new.0 <= m.2 && m.1 <= new.3 && new.1 <= m.3;
            assert!(!overlap, "merge {a1}:{last} would overlap {m:?}");
        }
        if (r0, c0) != (r1, c1) {
            self.merges.push(new);
        }
    }

    /// Merges `a1:last` (no merge may be there yet).
    pub fn merge(&mut self, a1: &str, last: &str) {
        let (r0, c0) = pos(a1);
        let (r1, c1) = pos(last);
        self.merges.push((r0, c0, r1, c1));
    }

    /// Copies row `from` onto row `to` (0-based): its cells, and its merges that lie
    /// within the row. Row `to` should be empty (e.g. freshly inserted).
    pub fn copy_row(&mut self, from: u32, to: u32) {
        let row: Vec<(u16, Data)> = self
            .cells
            .range((from, 0)..=(from, u16::MAX))
            .map(|((_, c), v)| (*c, v.clone()))
            .collect();
        for (c, v) in row {
            self.cells.insert((to, c), v);
        }
        let merges: Vec<Merge> = self
            .merges
            .iter()
            .filter(|m| m.0 == from && m.2 == from)
            .map(|m| (to, m.1, to, m.3))
            .collect();
        self.merges.extend(merges);
    }

    /// Rows `[from, to)` as text, for looking at a sheet while writing a test.
    pub fn dump(&self, from: u32, to: u32) -> String {
        let mut out = String::new();
        for ((r, c), v) in self.cells.range((from, 0)..(to, 0)) {
            let m = self
                .merges
                .iter()
                .find(|m| m.0 == *r && m.1 == *c)
                .map(|m| format!(" [{}:{}]", a1((m.0, m.1)), a1((m.2, m.3))))
                .unwrap_or_default();
            let t = format!("{v:?}");
            let t: String = t.chars().take(40).collect();
            out.push_str(&format!("{}{m} {t}\n", a1((*r, *c))));
        }
        out
    }
}
