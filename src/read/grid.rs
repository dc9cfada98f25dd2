//! A sheet as sparse cells, with the merged regions and an index of label-like text.

use std::collections::{BTreeMap, HashMap};

use calamine::Data;

use crate::values::normalize_label;

/// One worksheet's non-empty cells, by (row, column), 0-based.
#[derive(Debug, Default)]
pub struct Grid {
    pub name: String,
    /// Row-major: iteration goes row by row, left to right.
    cells: BTreeMap<(u32, u16), Data>,
    /// Merged regions: (first row, first col, last row, last col).
    merges: Vec<(u32, u16, u32, u16)>,
    /// Normalized text of short text cells → their positions, row-major.
    labels: HashMap<String, Vec<(u32, u16)>>,
    pub hidden: bool,
}

/// Text cells longer than this are free text, never labels.
const LABEL_MAX_CHARS: usize = 40;

impl Grid {
    pub fn new(name: String, hidden: bool) -> Grid {
        Grid {
            name,
            hidden,
            ..Grid::default()
        }
    }

    pub fn insert(&mut self, row: u32, col: u16, value: Data) {
        if matches!(value, Data::Empty) {
            return;
        }
        if let Data::String(s) = &value {
            if s.trim().is_empty() {
                return;
            }
            if s.chars().count() <= LABEL_MAX_CHARS {
                self.labels
                    .entry(normalize_label(s))
                    .or_default()
                    .push((row, col));
            }
        }
        self.cells.insert((row, col), value);
    }

    pub fn set_merges(&mut self, merges: Vec<(u32, u16, u32, u16)>) {
        self.merges = merges;
    }

    pub fn get(&self, row: u32, col: u16) -> Option<&Data> {
        self.cells.get(&(row, col))
    }

    /// Cells of one row from column `from` on, left to right.
    pub fn row_from(&self, row: u32, from: u16) -> impl Iterator<Item = (u16, &Data)> {
        self.cells
            .range((row, from)..=(row, u16::MAX))
            .map(|((_, c), d)| (*c, d))
    }

    /// The first non-empty cell of `row` in columns `[from, to]`.
    pub fn first_in(&self, row: u32, from: u16, to: u16) -> Option<(u16, &Data)> {
        self.cells
            .range((row, from)..=(row, to.max(from)))
            .map(|((_, c), d)| (*c, d))
            .next()
    }

    /// All cells in rows `[from, to)`, row-major; nothing when `from >= to` (a damaged
    /// form can put a block's end above its start).
    pub fn rows(&self, from: u32, to: u32) -> impl Iterator<Item = ((u32, u16), &Data)> {
        let to = to.max(from);
        self.cells.range((from, 0)..(to, 0)).map(|(k, d)| (*k, d))
    }

    /// The last row holding anything, plus one.
    pub fn end_row(&self) -> u32 {
        self.cells
            .keys()
            .next_back()
            .map(|(r, _)| r + 1)
            .unwrap_or(0)
    }

    /// Positions of cells whose normalized text equals one of `keys` (already normalized),
    /// row-major.
    pub fn find_any(&self, keys: &[String]) -> Vec<(u32, u16)> {
        let mut out: Vec<(u32, u16)> = keys
            .iter()
            .filter_map(|k| self.labels.get(k))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Positions of label-like cells whose normalized text satisfies `pred`, row-major.
    pub fn find_where(&self, pred: impl Fn(&str) -> bool) -> Vec<(u32, u16)> {
        let mut out: Vec<(u32, u16)> = self
            .labels
            .iter()
            .filter(|(k, _)| pred(k))
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        out.sort_unstable();
        out
    }

    /// Normalized label text at a position, if it is a label-like cell.
    pub fn label_at(&self, row: u32, col: u16) -> Option<String> {
        match self.cells.get(&(row, col)) {
            Some(Data::String(s)) if s.chars().count() <= LABEL_MAX_CHARS => {
                Some(normalize_label(s))
            }
            _ => None,
        }
    }

    /// The last column covered by the cell at (row, col): its merged region's end, or col.
    pub fn merged_end(&self, row: u32, col: u16) -> u16 {
        self.merges
            .iter()
            .find(|(r0, c0, r1, c1)| *r0 <= row && row <= *r1 && *c0 <= col && col <= *c1)
            .map(|m| m.3)
            .unwrap_or(col)
    }
}
