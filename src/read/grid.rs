//! A sheet as sparse cells, with the merged regions and an index of label-like text.
//!
//! Cells are kept in one row-major vector (xlsx, xls and ods all hand them over row by
//! row, so inserting is a push), and every short text cell's normalized label is computed
//! once, when the cell is inserted: the reader asks for labels hundreds of times per form.
//! All cell text of a sheet is kept end to end in one buffer: a String per text cell was
//! a fifth of a rollup's allocations.

use calamine::{CellErrorType, Data, DataRef, ExcelDateTime};

use crate::values::{may_begin_whitespace, normalize_label_into};

/// No label: the index stored for cells that are not label-like text.
const NO_LABEL: u32 = u32::MAX;

/// A non-empty cell's value, borrowed from its grid (or from calamine's cell, on insert).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Text(&'a str),
    Float(f64),
    Int(i64),
    Bool(bool),
    DateTime(ExcelDateTime),
    DateTimeIso(&'a str),
    DurationIso(&'a str),
    Error(&'a CellErrorType),
}

impl<'a> Value<'a> {
    /// A cell of a dense range (xls, ods); `None` when it is empty.
    pub fn from_data(d: &'a Data) -> Option<Value<'a>> {
        Some(match d {
            Data::String(s) => Value::Text(s),
            Data::Float(f) => Value::Float(*f),
            Data::Int(i) => Value::Int(*i),
            Data::Bool(b) => Value::Bool(*b),
            Data::DateTime(dt) => Value::DateTime(*dt),
            Data::DateTimeIso(s) => Value::DateTimeIso(s),
            Data::DurationIso(s) => Value::DurationIso(s),
            Data::Error(e) => Value::Error(e),
            Data::Empty => return None,
        })
    }

    /// A cell of calamine's xlsx cell reader, shared strings included; `None` when empty.
    pub fn from_ref(d: &'a DataRef<'_>) -> Option<Value<'a>> {
        Some(match d {
            DataRef::String(s) => Value::Text(s),
            DataRef::SharedString(s) => Value::Text(s),
            DataRef::Float(f) => Value::Float(*f),
            DataRef::Int(i) => Value::Int(*i),
            DataRef::Bool(b) => Value::Bool(*b),
            DataRef::DateTime(dt) => Value::DateTime(*dt),
            DataRef::DateTimeIso(s) => Value::DateTimeIso(s),
            DataRef::DurationIso(s) => Value::DurationIso(s),
            DataRef::Error(e) => Value::Error(e),
            DataRef::Empty => return None,
        })
    }
}

/// A value as the grid stores it: text as a span of the sheet's `text`.
#[derive(Debug)]
enum Stored {
    Text(Span),
    Float(f64),
    Int(i64),
    Bool(bool),
    DateTime(ExcelDateTime),
    DateTimeIso(Span),
    DurationIso(Span),
    Error(CellErrorType),
}

/// One worksheet's non-empty cells, by (row, column), 0-based.
#[derive(Debug, Default)]
pub struct Grid {
    pub name: String,
    /// Row-major, one entry per position; each with its index into `labels`, if any.
    cells: Vec<((u32, u16), Stored, u32)>,
    /// The text of every text cell, end to end (a replaced cell's text stays, unused).
    text: String,
    /// Merged regions: (first row, first col, last row, last col).
    merges: Vec<(u32, u16, u32, u16)>,
    /// Label-like cells (short text), row-major: position and the span of the normalized
    /// text in `label_text`.
    labels: Vec<((u32, u16), Span)>,
    /// Every normalized label, end to end: one buffer instead of a String per label cell
    /// (a form has hundreds), which was a tenth of the grid's cost in allocations.
    label_text: String,
    /// Hash table of the label texts, built on the first lookup, which comes after the
    /// last insert. Cheaper than a map of owned texts built cell by cell.
    index: std::cell::OnceCell<LabelIndex>,
    /// Indices into `labels` of those with a colon inside (`项目名称：XXX`), ascending.
    with_colon: Vec<u32>,
    pub hidden: bool,
    /// Days to add to a number read as a date serial in this workbook to count it in the
    /// 1900 system: 1462 on Excel's 1904 date system, an ods's `table:null-date` from
    /// 1899-12-30. The workbook's date cells are already shifted when loaded.
    pub serial_offset: i64,
}

/// A piece of text: `label_text[start..end]` for a label, `text[start..end]` for a cell.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    end: u32,
}

/// A multiplicative hash eight bytes at a time (as FxHash): short label texts, no need
/// for a keyed hash; byte-at-a-time FNV was most of building the index. Use the top bits.
fn hash(s: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let word = |c: &[u8]| {
        let mut w = [0; 8];
        w.copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    let mut h = step(0, s.len() as u64);
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        h = step(h, word(c));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // The last eight bytes, overlapping the words before (the length is hashed too),
        // or the few bytes of a short text one by one: no copy of a variable length.
        h = match s.len().checked_sub(8) {
            Some(from) => step(h, word(&s[from..])),
            None => step(h, rest.iter().fold(0, |w, &b| (w << 8) | b as u64)),
        };
    }
    h
}

/// An open-addressing table from label text to the labels with that text: one slot per
/// distinct hash, heading a chain of entries in row-major order. Besides each label's
/// whole text it holds, for a label with a colon inside (`项目名称:XXX`), the text before
/// each colon, so `find_label` needs no scan of those labels.
#[derive(Debug, Default)]
struct LabelIndex {
    /// First entry of a chain + 1; 0 is an empty slot. A power of two long; four bytes
    /// a slot keep the table small (it is allocated zeroed for every sheet).
    slots: Vec<u32>,
    entries: Vec<Entry>,
    /// 64 minus log2 of the table's length: a hash's top bits pick its slot.
    shift: u32,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    hash: u64,
    /// Index into `labels`.
    label: u32,
    /// Length of the text indexed: the whole label, or the part before a colon.
    len: u32,
    /// The text before a colon, with the value after it (`is_inline`).
    inline: bool,
    /// Next entry with the same hash + 1, or 0.
    next: u32,
}

/// Text cells longer than this are free text, never labels.
const LABEL_MAX_CHARS: usize = 40;

/// Whether `s` is short enough to be a label, without counting past the limit.
fn label_like(s: &str) -> bool {
    // Up to 40 chars are at most 160 bytes; up to 40 bytes are at most 40 chars.
    s.len() <= LABEL_MAX_CHARS
        || (s.len() <= LABEL_MAX_CHARS * 4 && s.chars().nth(LABEL_MAX_CHARS).is_none())
}

impl LabelIndex {
    fn slot_for(&self, h: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        // Never full: at least twice as long as the entries.
        loop {
            let head = self.slots[i & mask];
            if head == 0
                || self
                    .entries
                    .get(head as usize - 1)
                    .is_some_and(|e| e.hash == h)
            {
                return i & mask;
            }
            i = i.wrapping_add(1);
        }
    }

    /// The first entry of the chain for hash `h`, if any.
    fn chain(&self, h: u64) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let head = self.slots[self.slot_for(h)];
        (head as usize).checked_sub(1)
    }
}

impl Grid {
    pub fn new(name: String, hidden: bool) -> Grid {
        Grid {
            name,
            hidden,
            ..Grid::default()
        }
    }

    /// A grid for the next sheet of a workbook, with room for as much as `prev` (the sheet
    /// before it) holds, up to a usual form's size: a workbook's sheets are mostly copies of
    /// one form, and growing the four buffers from empty was some thirty reallocations a
    /// sheet, a quarter of building it.
    pub fn sized_like(name: String, hidden: bool, prev: Option<&Grid>) -> Grid {
        let mut g = Grid::new(name, hidden);
        if let Some(p) = prev {
            // A huge sheet does not make every later one reserve as much.
            const CELLS: usize = 4096;
            const BYTES: usize = 64 * 1024;
            g.cells.reserve(p.cells.len().min(CELLS));
            g.labels.reserve(p.labels.len().min(CELLS));
            g.text.reserve(p.text.len().min(BYTES));
            g.label_text.reserve(p.label_text.len().min(BYTES));
        }
        g
    }

    /// Adds a cell; a later value at the same position replaces the earlier one, as Excel
    /// keeps the last. Cells normally arrive row-major; any order is accepted.
    pub fn insert(&mut self, row: u32, col: u16, value: Value<'_>) {
        let label = match value {
            // Text whose first character is not blank is not blank: no trimming of the
            // usual cell, which cost as much as normalizing the labels.
            Value::Text(s)
                if s.as_bytes()
                    .first()
                    .is_none_or(|&b| may_begin_whitespace(b))
                    && s.trim().is_empty() =>
            {
                return
            }
            Value::Text(s) if label_like(s) => {
                let start = self.label_text.len();
                let colon = normalize_label_into(s, &mut self.label_text);
                // Offsets fit: a sheet's text is capped far below 4 GiB (LIMITS).
                let span = Span {
                    start: start as u32,
                    end: self.label_text.len() as u32,
                };
                Some((span, colon))
            }
            _ => None,
        };
        let value = self.store(value);
        let pos = (row, col);
        // Labels are a subset of the cells, so after the last cell is after every label.
        if self.cells.last().is_none_or(|(p, _, _)| *p < pos) {
            let index = match label {
                Some((span, colon)) => {
                    let i = self.labels.len() as u32;
                    self.index.take();
                    if colon {
                        self.with_colon.push(i);
                    }
                    self.labels.push((pos, span));
                    i
                }
                None => NO_LABEL,
            };
            self.cells.push((pos, value, index));
        } else {
            self.insert_out_of_order(pos, value, label.map(|(span, _)| span));
        }
    }

    /// The rare path: a cell before the last one (or at the same place). Keeps both
    /// vectors sorted and rebuilds the label indices.
    /// (A replaced label's text stays in `label_text`, unreferenced.)
    fn insert_out_of_order(&mut self, pos: (u32, u16), value: Stored, label: Option<Span>) {
        match self.cells.binary_search_by(|(p, _, _)| p.cmp(&pos)) {
            Ok(i) => self.cells[i].1 = value,
            Err(i) => self.cells.insert(i, (pos, value, NO_LABEL)),
        }
        match (self.labels.binary_search_by(|(p, _)| p.cmp(&pos)), label) {
            (Ok(i), Some(span)) => self.labels[i].1 = span,
            (Ok(i), None) => {
                self.labels.remove(i);
            }
            (Err(i), Some(span)) => self.labels.insert(i, (pos, span)),
            (Err(_), None) => {}
        }
        self.index = std::cell::OnceCell::new();
        self.with_colon.clear();
        for (i, (p, span)) in self.labels.iter().enumerate() {
            if self.text_of(*span).contains(':') {
                self.with_colon.push(i as u32);
            }
            if let Ok(c) = self.cells.binary_search_by(|(q, _, _)| q.cmp(p)) {
                self.cells[c].2 = i as u32;
            }
        }
        for cell in &mut self.cells {
            if self
                .labels
                .get(cell.2 as usize)
                .is_none_or(|(p, _)| *p != cell.0)
            {
                cell.2 = NO_LABEL;
            }
        }
    }

    /// `value` with its text copied to the end of `text`.
    fn store(&mut self, value: Value<'_>) -> Stored {
        let mut push = |s: &str| {
            let start = self.text.len();
            self.text.push_str(s);
            // Offsets fit: a sheet's text is capped far below 4 GiB (LIMITS).
            Span {
                start: start as u32,
                end: self.text.len() as u32,
            }
        };
        match value {
            Value::Text(s) => Stored::Text(push(s)),
            Value::Float(f) => Stored::Float(f),
            Value::Int(i) => Stored::Int(i),
            Value::Bool(b) => Stored::Bool(b),
            Value::DateTime(dt) => Stored::DateTime(dt),
            Value::DateTimeIso(s) => Stored::DateTimeIso(push(s)),
            Value::DurationIso(s) => Stored::DurationIso(push(s)),
            Value::Error(e) => Stored::Error(e.clone()),
        }
    }

    /// A stored value as the reader sees it.
    fn value<'g>(&'g self, stored: &'g Stored) -> Value<'g> {
        // Spans are made from `text`'s own lengths at char boundaries.
        let text = |span: &Span| {
            self.text
                .get(span.start as usize..span.end as usize)
                .unwrap_or_default()
        };
        match stored {
            Stored::Text(span) => Value::Text(text(span)),
            Stored::Float(f) => Value::Float(*f),
            Stored::Int(i) => Value::Int(*i),
            Stored::Bool(b) => Value::Bool(*b),
            Stored::DateTime(dt) => Value::DateTime(*dt),
            Stored::DateTimeIso(span) => Value::DateTimeIso(text(span)),
            Stored::DurationIso(span) => Value::DurationIso(text(span)),
            Stored::Error(e) => Value::Error(e),
        }
    }

    fn text_of(&self, span: Span) -> &str {
        // Spans are made from label_text's own lengths at char boundaries.
        self.label_text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    pub fn set_merges(&mut self, merges: Vec<(u32, u16, u32, u16)>) {
        self.merges = merges;
    }

    fn index_of(&self, row: u32, col: u16) -> Option<usize> {
        self.cells
            .binary_search_by(|(p, _, _)| p.cmp(&(row, col)))
            .ok()
    }

    /// Index of the first cell at or after `pos`.
    fn lower_bound(&self, pos: (u32, u16)) -> usize {
        self.cells.partition_point(|(p, _, _)| *p < pos)
    }

    pub fn get(&self, row: u32, col: u16) -> Option<Value<'_>> {
        self.index_of(row, col)
            .map(|i| self.value(&self.cells[i].1))
    }

    /// Cells of one row from column `from` on, left to right.
    pub fn row_from(&self, row: u32, from: u16) -> impl Iterator<Item = (u16, Value<'_>)> {
        self.cells[self.lower_bound((row, from))..]
            .iter()
            .take_while(move |((r, _), _, _)| *r == row)
            .map(|((_, c), d, _)| (*c, self.value(d)))
    }

    /// [`row_from`](Self::row_from) with each cell's label (as [`label_at`](Self::label_at)
    /// gives it) read off the cell itself: no search of the sheet for it.
    pub fn row_from_with_labels(
        &self,
        row: u32,
        from: u16,
    ) -> impl Iterator<Item = (u16, Value<'_>, Option<&str>)> {
        self.cells[self.lower_bound((row, from))..]
            .iter()
            .take_while(move |((r, _), _, _)| *r == row)
            .map(|((_, c), d, l)| (*c, self.value(d), self.label_text(*l)))
    }

    /// The first non-empty cell of `row` in columns `[from, to]`. (The reader's tables
    /// walk their rows' cells instead; kept for the tests.)
    #[cfg(test)]
    pub fn first_in(&self, row: u32, from: u16, to: u16) -> Option<(u16, Value<'_>)> {
        self.row_from(row, from)
            .next()
            .filter(|(c, _)| *c <= to.max(from))
    }

    /// All cells in rows `[from, to)`, row-major; nothing when `from >= to` (a damaged
    /// form can put a block's end above its start).
    pub fn rows(&self, from: u32, to: u32) -> impl Iterator<Item = ((u32, u16), Value<'_>)> {
        let to = to.max(from);
        let (a, b) = (self.lower_bound((from, 0)), self.lower_bound((to, 0)));
        self.cells[a..b].iter().map(|(p, d, _)| (*p, self.value(d)))
    }

    /// [`rows`](Self::rows) with each cell's label, as
    /// [`row_from_with_labels`](Self::row_from_with_labels).
    pub fn rows_with_labels(
        &self,
        from: u32,
        to: u32,
    ) -> impl Iterator<Item = ((u32, u16), Value<'_>, Option<&str>)> {
        let to = to.max(from);
        let (a, b) = (self.lower_bound((from, 0)), self.lower_bound((to, 0)));
        self.cells[a..b]
            .iter()
            .map(|(p, d, l)| (*p, self.value(d), self.label_text(*l)))
    }

    /// The last row holding anything, plus one.
    pub fn end_row(&self) -> u32 {
        self.cells.last().map(|((r, _), _, _)| r + 1).unwrap_or(0)
    }

    /// Positions of cells whose normalized text equals one of `keys` (already normalized),
    /// row-major. (The reader asks [`first_any`](Self::first_any); the list is for tests.)
    #[cfg(test)]
    pub fn find_any<S: AsRef<str>>(&self, keys: &[S]) -> Vec<(u32, u16)> {
        self.lookup(keys, false)
    }

    /// Positions of cells holding one of `keys` (normalized) alone, or followed by a colon
    /// and a value in the same cell (`项目名称:XXX`), row-major.
    pub fn find_label<S: AsRef<str>>(&self, keys: &[S]) -> Vec<(u32, u16)> {
        self.lookup(keys, true)
    }

    /// The first cell, row-major, that [`find_any`](Self::find_any) would list and `pred`
    /// accepts, without building the list: the reader asks this some twenty times a form.
    pub fn first_any<S: AsRef<str>>(
        &self,
        keys: &[S],
        pred: impl Fn(&(u32, u16)) -> bool,
    ) -> Option<(u32, u16)> {
        self.first_match(keys, false, pred).map(|(p, _)| p)
    }

    /// [`first_any`](Self::first_any) for [`find_label`](Self::find_label).
    pub fn first_label<S: AsRef<str>>(
        &self,
        keys: &[S],
        pred: impl Fn(&(u32, u16)) -> bool,
    ) -> Option<(u32, u16)> {
        self.first_label_alone(keys, pred).map(|(p, _)| p)
    }

    /// [`first_label`](Self::first_label), and whether that cell holds one of `keys`
    /// alone (as [`find_any`](Self::find_any) matches) rather than followed by a colon and
    /// a value: a label alone needs no look at its cell for a value typed after it.
    pub fn first_label_alone<S: AsRef<str>>(
        &self,
        keys: &[S],
        pred: impl Fn(&(u32, u16)) -> bool,
    ) -> Option<((u32, u16), bool)> {
        self.first_match(keys, true, pred)
    }

    /// The least accepted match, the first of the sorted list `lookup` gives, and whether
    /// one of its matches is a whole label.
    fn first_match<S: AsRef<str>>(
        &self,
        keys: &[S],
        inline: bool,
        pred: impl Fn(&(u32, u16)) -> bool,
    ) -> Option<((u32, u16), bool)> {
        let mut first: Option<((u32, u16), bool)> = None;
        self.each_match(keys, inline, |p, whole| match &mut first {
            // Already accepted: only the kind of match may add to it.
            Some((q, w)) if *q == p => *w |= whole,
            Some((q, _)) if *q < p => {}
            _ => {
                if pred(&p) {
                    first = Some((p, whole));
                }
            }
        });
        first
    }

    fn lookup<S: AsRef<str>>(&self, keys: &[S], inline: bool) -> Vec<(u32, u16)> {
        let mut out = Vec::new();
        let mut sorted = true;
        self.each_match(keys, inline, |p, _| {
            // Each key's chain is row-major; only a mix needs sorting.
            sorted &= out.last().is_none_or(|q| *q < p);
            out.push(p);
        });
        if !sorted {
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// Calls `found` with each cell matching one of `keys`, key by key, each key's cells
    /// row-major (a cell matching two keys comes twice), and whether the match is the
    /// whole label (not the text before a colon).
    fn each_match<S: AsRef<str>>(
        &self,
        keys: &[S],
        inline: bool,
        mut found: impl FnMut((u32, u16), bool),
    ) {
        let index = self.index.get_or_init(|| self.build_index());
        for k in keys {
            let k = k.as_ref().as_bytes();
            let h = hash(k);
            let Some(mut e) = index.chain(h) else {
                continue;
            };
            while let Some(entry) = index.entries.get(e) {
                e = (entry.next as usize).wrapping_sub(1);
                if entry.inline && !inline {
                    continue;
                }
                let (p, span) = &self.labels[entry.label as usize];
                let text = self.label_text.as_bytes();
                let start = span.start as usize;
                if text.get(start..start + entry.len as usize) == Some(k) {
                    found(*p, !entry.inline);
                }
            }
        }
    }

    fn build_index(&self) -> LabelIndex {
        let mut entries = Vec::with_capacity(self.labels.len() + self.with_colon.len());
        for (i, (_, span)) in self.labels.iter().enumerate() {
            let text = self.text_of(*span);
            entries.push(Entry {
                hash: hash(text.as_bytes()),
                label: i as u32,
                len: text.len() as u32,
                inline: false,
                next: 0,
            });
        }
        for &i in &self.with_colon {
            let text = self.text_of(self.labels[i as usize].1);
            for (at, _) in text.match_indices(':') {
                // `is_inline`: something must follow the colon.
                if at + 1 < text.len() {
                    entries.push(Entry {
                        hash: hash(&text.as_bytes()[..at]),
                        label: i,
                        len: at as u32,
                        inline: true,
                        next: 0,
                    });
                }
            }
        }
        let cap = (entries.len() * 2).next_power_of_two().max(8);
        let mut index = LabelIndex {
            slots: vec![0; cap],
            entries,
            shift: 64 - cap.trailing_zeros(),
        };
        // Last to first, each put at the head of its chain: a chain holds its whole
        // labels row-major, then its inline entries row-major (`lookup` sorts a mix).
        for e in (0..index.entries.len()).rev() {
            let slot = index.slot_for(index.entries[e].hash);
            index.entries[e].next = index.slots[slot];
            index.slots[slot] = e as u32 + 1;
        }
        index
    }
    /// The general `find_any`: every label compared with every key.
    #[cfg(test)]
    pub fn find_any_by_scan<S: AsRef<str>>(&self, keys: &[S]) -> Vec<(u32, u16)> {
        self.labels
            .iter()
            .filter(|(_, t)| keys.iter().any(|k| k.as_ref() == self.text_of(*t)))
            .map(|(p, _)| *p)
            .collect()
    }

    /// Positions of label-like cells whose normalized text satisfies `pred`, row-major.
    pub fn find_where(&self, pred: impl Fn(&str) -> bool) -> Vec<(u32, u16)> {
        self.labels
            .iter()
            .filter(|(_, k)| pred(self.text_of(*k)))
            .map(|(p, _)| *p)
            .collect()
    }

    /// Label-like cells with a colon inside their text, row-major: the general path
    /// `find_label`'s index is checked against.
    #[cfg(test)]
    pub fn labels_with_colon(&self) -> impl Iterator<Item = ((u32, u16), &str)> {
        self.with_colon.iter().map(|&i| {
            let (p, k) = &self.labels[i as usize];
            (*p, self.text_of(*k))
        })
    }

    /// Label-like cells in rows `[from, to)`, row-major, with their normalized text.
    pub fn labels_in(&self, from: u32, to: u32) -> impl Iterator<Item = ((u32, u16), &str)> {
        let to = to.max(from);
        let a = self.labels.partition_point(|(p, _)| *p < (from, 0));
        let b = self.labels.partition_point(|(p, _)| *p < (to, 0));
        self.labels[a..b]
            .iter()
            .map(|(p, k)| (*p, self.text_of(*k)))
    }

    /// Label-like cells of row `row`, left to right, with their normalized text: one
    /// search for the row's first, then a walk (any row, the last possible one too).
    pub fn labels_of_row(&self, row: u32) -> impl Iterator<Item = (u16, &str)> {
        let a = self.labels.partition_point(|(p, _)| *p < (row, 0));
        self.labels[a..]
            .iter()
            .take_while(move |((r, _), _)| *r == row)
            .map(|((_, c), k)| (*c, self.text_of(*k)))
    }

    /// Normalized label text at a position, if it is a label-like cell.
    pub fn label_at(&self, row: u32, col: u16) -> Option<&str> {
        let i = self.index_of(row, col)?;
        self.label_text(self.cells[i].2)
    }

    /// The normalized text of label `l` (a cell's index into `labels`), if it is one.
    fn label_text(&self, l: u32) -> Option<&str> {
        (l != NO_LABEL).then(|| self.text_of(self.labels[l as usize].1))
    }

    /// The last column covered by the cell at (row, col): its merged region's end, or col.
    /// (A scan: a form has a hundred regions or more and few lookups, so sorting them for
    /// an index cost more than it saved.)
    pub fn merged_end(&self, row: u32, col: u16) -> u16 {
        self.merges
            .iter()
            .find(|(r0, c0, r1, c1)| *r0 <= row && row <= *r1 && *c0 <= col && col <= *c1)
            .map(|m| m.3)
            .unwrap_or(col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::normalize_label;

    fn text(s: &str) -> Value<'_> {
        Value::Text(s)
    }

    #[test]
    fn cells_in_any_order_read_row_major() {
        let mut g = Grid::new("表".into(), false);
        g.insert(2, 1, text("项目名称："));
        g.insert(0, 3, Value::Float(1.5));
        g.insert(2, 0, text("一、项 目 概 述"));
        g.insert(1, 0, text("   "));
        assert_eq!(Value::from_data(&Data::Empty), None);
        g.insert(2, 2, text("XX经费"));
        let all: Vec<(u32, u16)> = g.rows(0, 10).map(|(p, _)| p).collect();
        assert_eq!(all, vec![(0, 3), (2, 0), (2, 1), (2, 2)]);
        assert_eq!(g.label_at(2, 1), Some("项目名称"));
        assert_eq!(g.label_at(2, 0), Some("一、项目概述"));
        assert_eq!(g.label_at(0, 3), None);
        assert_eq!(g.find_any(&["项目名称"]), vec![(2, 1)]);
        assert_eq!(
            g.find_where(|k| k.ends_with("经费") || k.contains("概述")),
            vec![(2, 0), (2, 2)]
        );
        assert_eq!(g.first_in(2, 1, 5).map(|(c, _)| c), Some(1));
        assert_eq!(g.first_in(0, 0, 2), None);
        assert_eq!(
            g.row_from(2, 1).map(|(c, _)| c).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert_eq!(g.end_row(), 3);
        g.insert(1, 5, text("项目名称：甲"));
        g.insert(3, 0, text("其中：财政资金"));
        let colon: Vec<_> = g.labels_with_colon().collect();
        assert_eq!(
            colon,
            vec![((1, 5), "项目名称:甲"), ((3, 0), "其中:财政资金")]
        );
    }

    #[test]
    fn a_later_value_replaces_an_earlier_one() {
        let mut g = Grid::new("表".into(), false);
        g.insert(0, 0, text("项目名称"));
        g.insert(0, 1, text("甲"));
        g.insert(0, 0, Value::Float(2.0));
        g.insert(0, 1, text("实施单位"));
        assert_eq!(g.get(0, 0), Some(Value::Float(2.0)));
        assert_eq!(g.label_at(0, 0), None);
        assert!(g.find_any(&["项目名称"]).is_empty());
        assert_eq!(g.label_at(0, 1), Some("实施单位"));
        assert_eq!(g.find_any(&["实施单位", "甲"]), vec![(0, 1)]);
        // A label added after a lookup is found by the next one.
        g.insert(3, 0, text("实施单位"));
        assert_eq!(g.find_any(&["实施单位"]), vec![(0, 1), (3, 0)]);
    }

    #[test]
    fn long_text_is_not_a_label() {
        let mut g = Grid::new("表".into(), false);
        let long = "项".repeat(41);
        g.insert(0, 0, text(&long));
        g.insert(0, 1, text(&"项".repeat(40)));
        assert_eq!(g.label_at(0, 0), None);
        assert!(g.label_at(0, 1).is_some());
    }

    proptest::proptest! {
        /// The label index finds what comparing every label with every key finds, for
        /// cells in any order, replaced cells, colons and repeated texts.
        #[test]
        fn the_label_index_agrees_with_a_scan(
            cells in proptest::collection::vec(
                (0u32..6, 0u16..4, "[甲乙:：项 ]{0,5}"), 0..30),
            keys in proptest::collection::vec("[甲乙:项]{0,3}", 0..4),
        ) {
            let mut g = Grid::new("表".into(), false);
            for (r, c, t) in &cells {
                g.insert(*r, *c, text(t));
            }
            let keys: Vec<String> = keys.iter().map(|k| normalize_label(k)).collect();
            proptest::prop_assert_eq!(g.find_any(&keys), g.find_any_by_scan(&keys));
            proptest::prop_assert_eq!(
                crate::read::labels::find_label(&g, &keys),
                crate::read::labels::find_label_by_scan(&g, &keys)
            );
            // Labels read off the cells are those `label_at` finds.
            for r in 0..6 {
                let by_search: Vec<(u16, &str)> = g
                    .row_from(r, 0)
                    .filter_map(|(c, _)| g.label_at(r, c).map(|k| (c, k)))
                    .collect();
                proptest::prop_assert_eq!(g.labels_of_row(r).collect::<Vec<_>>(), by_search);
                for (c, _, k) in g.row_from_with_labels(r, 1) {
                    proptest::prop_assert_eq!(k, g.label_at(r, c));
                }
            }
            for ((r, c), _, k) in g.rows_with_labels(1, 5) {
                proptest::prop_assert_eq!(k, g.label_at(r, c));
            }
            // The first accepted match is the first of the list that the filter keeps.
            let odd_row = |p: &(u32, u16)| p.0 % 2 == 1;
            proptest::prop_assert_eq!(
                g.first_any(&keys, odd_row),
                g.find_any(&keys).into_iter().find(odd_row)
            );
            proptest::prop_assert_eq!(
                g.first_label(&keys, odd_row),
                g.find_label(&keys).into_iter().find(odd_row)
            );
            // A label alone is one `find_any` finds too.
            if let Some((p, alone)) = g.first_label_alone(&keys, odd_row) {
                proptest::prop_assert_eq!(alone, g.find_any(&keys).contains(&p));
            }
        }
    }
}
