//! Where each model field came from: the reader fills a [`SourceMap`], the validator and
//! the fixer use it to name cells without knowing the layout.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A cell on a named sheet; row and column are 0-based, displayed as `A1`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CellRef {
    pub sheet: String,
    pub row: u32,
    pub col: u16,
}

impl CellRef {
    pub fn new(sheet: impl Into<String>, row: u32, col: u16) -> CellRef {
        CellRef {
            sheet: sheet.into(),
            row,
            col,
        }
    }

    /// `D12`
    pub fn a1(&self) -> String {
        a1(self.row, self.col)
    }
}

/// Column letters for a 0-based column: 0 → `A`, 27 → `AB`.
pub fn column_name(col: u16) -> String {
    let mut n = col as u32 + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        s.push(b'A' + r);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// `A1` notation for 0-based row and column.
pub fn a1(row: u32, col: u16) -> String {
    format!("{}{}", column_name(col), row + 1)
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}!{}", self.sheet, self.a1())
    }
}

/// How the source cell held its value, so the fixer knows what to turn into a real number
/// or date and the validator can say "typed as text".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    Empty,
    Number,
    Text,
    Date,
    Bool,
    /// A formula error such as `#REF!`.
    Error,
}

/// What the reader saw in one cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellSource {
    pub cell: CellRef,
    pub kind: CellKind,
    /// The cell's content as text (what the user typed or what Excel shows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

/// Cover fields on the unit summary sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CoverField {
    Unit,
    Year,
    StatedTotal,
    StatedCount,
    SummaryText,
}

/// Header fields of a project form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HeaderField {
    Name,
    Nature,
    Category,
    Department,
    Implementer,
    Start,
    End,
}

/// The seven fund figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FundField {
    Total,
    Fiscal,
    Other,
    AnnualTotal,
    AnnualAppropriation,
    AnnualCarryover,
    AnnualOther,
}

impl FundField {
    pub const ALL: [FundField; 7] = [
        FundField::Total,
        FundField::Fiscal,
        FundField::Other,
        FundField::AnnualTotal,
        FundField::AnnualAppropriation,
        FundField::AnnualCarryover,
        FundField::AnnualOther,
    ];
}

/// The seven narrative sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Section {
    Overview,
    Rationale,
    ExecutingBody,
    Plan,
    Period,
    Budget,
    Goals,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Overview,
        Section::Rationale,
        Section::ExecutingBody,
        Section::Plan,
        Section::Period,
        Section::Budget,
        Section::Goals,
    ];
}

/// Columns of the 年度预算安排 table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BudgetColumn {
    Item,
    Basis,
    Amount,
    Note,
}

/// Columns of the indicator table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum IndicatorColumn {
    Level1,
    Level2,
    Name,
    Target,
    Content,
    Scoring,
    Weight,
    TargetBasis,
    PreviousValue,
    Remark,
}

/// A field of a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ProjectField {
    /// The form's title cell (a location for findings about the project as a whole).
    Title,
    Header(HeaderField),
    Fund(FundField),
    Narrative(Section),
    /// A cell of budget line `line` (0-based, in model order).
    BudgetLine {
        line: usize,
        column: BudgetColumn,
    },
    /// The 合计 row of the budget table (its amount cell).
    BudgetTotal,
    GoalOverall,
    GoalAnnual,
    /// A cell of indicator `index` (0-based, in model order).
    Indicator {
        index: usize,
        column: IndicatorColumn,
    },
}

/// A path to one field of a [`Declaration`](super::Declaration).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FieldPath {
    Cover(CoverField),
    /// Field of project `project` (0-based index into `Declaration::projects`).
    Project {
        project: usize,
        field: ProjectField,
    },
}

impl FieldPath {
    pub fn project(project: usize, field: ProjectField) -> FieldPath {
        FieldPath::Project { project, field }
    }
}

/// Where each field of a declaration was read from, and the file.
///
/// Stored compactly: a reader records tens of thousands of cells per folder, and a
/// [`CellSource`] per field (two strings each) was most of what recording and freeing
/// them cost. Sheet names are kept once and raw texts in one buffer; the public
/// `CellSource`s are built the first time [`get`](Self::get), [`cell`](Self::cell) or
/// [`iter`](Self::iter) asks for them. [`locate`](Self::locate) needs none of that.
#[derive(Clone, Default)]
pub struct SourceMap {
    /// The workbook's path as given by the user.
    pub file: String,
    /// Sorted by path. A reader records fields in path order, so inserting is a push; a
    /// sorted vector costs a fifth of a B-tree here.
    entries: Vec<Entry>,
    /// Sheet names, each once; entries refer to them by index.
    sheets: Vec<String>,
    /// Raw texts of all entries, one after another; entries refer to byte ranges.
    texts: String,
    /// `entries` as public values, in the same order; built on first request.
    full: OnceLock<Vec<(FieldPath, CellSource)>>,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    path: FieldPath,
    sheet: u32,
    row: u32,
    col: u16,
    kind: CellKind,
    /// Byte range of the raw text in `texts`, if the cell had content.
    raw: Option<(usize, usize)>,
}

/// A cell's place, borrowing its sheet name from a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellAt<'a> {
    pub sheet: &'a str,
    pub row: u32,
    pub col: u16,
}

impl CellAt<'_> {
    /// `D12`
    pub fn a1(&self) -> String {
        a1(self.row, self.col)
    }
}

impl fmt::Display for CellAt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}!{}", self.sheet, self.a1())
    }
}

impl SourceMap {
    pub fn new(file: impl Into<String>) -> SourceMap {
        SourceMap {
            file: file.into(),
            ..SourceMap::default()
        }
    }

    /// Makes room for `entries` more fields with `text_bytes` of raw text in all, so a
    /// reader that knows roughly how many it will record does not grow the map step by
    /// step.
    pub fn reserve(&mut self, entries: usize, text_bytes: usize) {
        self.entries.reserve(entries);
        self.texts.reserve(text_bytes);
    }

    /// Records where `path` was read from; a second record of the same path replaces the
    /// first.
    pub fn insert(&mut self, path: FieldPath, source: CellSource) {
        self.record_text(
            path,
            &source.cell.sheet,
            (source.cell.row, source.cell.col),
            source.kind,
            source.raw.as_deref(),
        );
    }

    /// [`insert`](Self::insert) without building a [`CellSource`]: the raw text is
    /// written straight into the map.
    pub fn record(
        &mut self,
        path: FieldPath,
        sheet: &str,
        at: (u32, u16),
        kind: CellKind,
        raw: Option<&dyn fmt::Display>,
    ) {
        let raw = raw.map(|r| {
            let start = self.texts.len();
            // Writing into a String cannot fail.
            let _ = fmt::write(&mut self.texts, format_args!("{r}"));
            (start, self.texts.len())
        });
        self.push(path, sheet, at, kind, raw);
    }

    /// [`record`](Self::record) for a cell whose raw text is at hand (most are text
    /// cells): a copy, without the formatting machinery.
    pub fn record_text(
        &mut self,
        path: FieldPath,
        sheet: &str,
        at: (u32, u16),
        kind: CellKind,
        raw: Option<&str>,
    ) {
        let raw = raw.map(|r| {
            let start = self.texts.len();
            self.texts.push_str(r);
            (start, self.texts.len())
        });
        self.push(path, sheet, at, kind, raw);
    }

    fn push(
        &mut self,
        path: FieldPath,
        sheet: &str,
        (row, col): (u32, u16),
        kind: CellKind,
        raw: Option<(usize, usize)>,
    ) {
        let entry = Entry {
            path,
            sheet: self.sheet_index(sheet),
            row,
            col,
            kind,
            raw,
        };
        self.full.take();
        if self.entries.last().is_none_or(|last| last.path < path) {
            self.entries.push(entry);
            return;
        }
        // Out of order or a repeat; a replaced entry's text stays unused in `texts`.
        match self.entries.binary_search_by(|e| e.path.cmp(&path)) {
            Ok(i) => self.entries[i] = entry,
            Err(i) => self.entries.insert(i, entry),
        }
    }

    /// Index of `name` in `sheets`, added when new. Fields come sheet by sheet, so the
    /// last name is nearly always the one.
    fn sheet_index(&mut self, name: &str) -> u32 {
        if let Some(i) = self.sheets.iter().rposition(|s| s == name) {
            return i as u32;
        }
        self.sheets.push(name.to_string());
        (self.sheets.len() - 1) as u32
    }

    fn position(&self, path: &FieldPath) -> Option<usize> {
        self.entries.binary_search_by(|e| e.path.cmp(path)).ok()
    }

    fn sheet_name(&self, e: &Entry) -> &str {
        self.sheets.get(e.sheet as usize).map_or("", String::as_str)
    }

    fn raw_text(&self, e: &Entry) -> Option<&str> {
        e.raw.and_then(|(a, b)| self.texts.get(a..b))
    }

    /// The entries as public values, built once.
    fn full(&self) -> &[(FieldPath, CellSource)] {
        self.full.get_or_init(|| {
            self.entries
                .iter()
                .map(|e| {
                    let source = CellSource {
                        cell: CellRef::new(self.sheet_name(e), e.row, e.col),
                        kind: e.kind,
                        raw: self.raw_text(e).map(str::to_string),
                    };
                    (e.path, source)
                })
                .collect()
        })
    }

    pub fn get(&self, path: &FieldPath) -> Option<&CellSource> {
        self.position(path).map(|i| &self.full()[i].1)
    }

    pub fn cell(&self, path: &FieldPath) -> Option<&CellRef> {
        self.get(path).map(|s| &s.cell)
    }

    /// Where `path` was read from, without building its [`CellRef`].
    pub fn locate(&self, path: &FieldPath) -> Option<CellAt<'_>> {
        let e = &self.entries[self.position(path)?];
        Some(CellAt {
            sheet: self.sheet_name(e),
            row: e.row,
            col: e.col,
        })
    }

    /// Every recorded field, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&FieldPath, &CellSource)> {
        self.full().iter().map(|(p, s)| (p, s))
    }

    /// The sheet holding project `project`, if it was read from a workbook.
    pub fn project_sheet(&self, project: usize) -> Option<&str> {
        let first = FieldPath::project(project, ProjectField::Title);
        let last = FieldPath::project(
            project,
            ProjectField::Indicator {
                index: usize::MAX,
                column: IndicatorColumn::Remark,
            },
        );
        let i = self.entries.partition_point(|e| e.path < first);
        self.entries
            .get(i)
            .filter(|e| e.path <= last)
            .map(|e| self.sheet_name(e))
    }
}

/// Compares what was recorded, not how it is stored.
impl PartialEq for SourceMap {
    fn eq(&self, other: &SourceMap) -> bool {
        self.file == other.file
            && self.entries.len() == other.entries.len()
            && self.entries.iter().zip(&other.entries).all(|(a, b)| {
                a.path == b.path
                    && a.row == b.row
                    && a.col == b.col
                    && a.kind == b.kind
                    && self.sheet_name(a) == other.sheet_name(b)
                    && self.raw_text(a) == other.raw_text(b)
            })
    }
}

impl Eq for SourceMap {}

impl fmt::Debug for SourceMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceMap")
            .field("file", &self.file)
            .field("entries", &self.full())
            .finish()
    }
}

/// The same form as the plain struct it once was: `{ file, entries: [[path, source]] }`.
impl Serialize for SourceMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename = "SourceMap")]
        struct Repr<'a> {
            file: &'a str,
            entries: &'a [(FieldPath, CellSource)],
        }
        Repr {
            file: &self.file,
            entries: self.full(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for SourceMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SourceMap, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename = "SourceMap")]
        struct Repr {
            file: String,
            entries: Vec<(FieldPath, CellSource)>,
        }
        let r = Repr::deserialize(d)?;
        let mut map = SourceMap::new(r.file);
        for (path, source) in r.entries {
            map.insert(path, source);
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_in_any_order_are_found_and_listed_in_order() {
        let mut m = SourceMap::new("a.xlsx");
        let src = |row| CellSource {
            cell: CellRef::new("表1", row, 2),
            kind: CellKind::Text,
            raw: None,
        };
        let name = FieldPath::project(1, ProjectField::Header(HeaderField::Name));
        let title = FieldPath::project(1, ProjectField::Title);
        let cover = FieldPath::Cover(CoverField::Unit);
        m.insert(name, src(3));
        m.insert(title, src(0));
        m.insert(cover, src(1));
        m.insert(name, src(4));
        assert_eq!(m.cell(&name).map(|c| c.row), Some(4));
        assert_eq!(m.cell(&title).map(|c| c.row), Some(0));
        let order: Vec<FieldPath> = m.iter().map(|(p, _)| *p).collect();
        assert_eq!(order, vec![cover, title, name]);
        assert_eq!(m.project_sheet(1), Some("表1"));
        assert_eq!(m.project_sheet(0), None);
        assert_eq!(m.project_sheet(2), None);
    }

    #[test]
    fn compact_storage_looks_the_same_from_outside() {
        let mut m = SourceMap::new("a.xlsx");
        let unit = FieldPath::Cover(CoverField::Unit);
        let name = FieldPath::project(0, ProjectField::Header(HeaderField::Name));
        m.record_text(unit, "封面", (1, 2), CellKind::Text, Some("某单位"));
        // A lookup builds the public values; a later record must be seen by the next one.
        assert_eq!(m.cell(&unit).map(|c| c.to_string()), Some("封面!C2".into()));
        m.record(name, "项目1", (3, 1), CellKind::Number, Some(&12.5));
        let got = m.get(&name).unwrap();
        assert_eq!(got.cell, CellRef::new("项目1", 3, 1));
        assert_eq!(got.raw.as_deref(), Some("12.5"));
        assert_eq!(
            m.locate(&name).map(|c| c.to_string()),
            Some("项目1!B4".into())
        );
        assert_eq!(m.project_sheet(0), Some("项目1"));
        // The JSON form of the plain struct it replaced.
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"file":"a.xlsx","entries":[[{"Cover":"Unit"},{"cell":{"sheet":"封面","row":1,"col":2},"kind":"text","raw":"某单位"}],[{"Project":{"project":0,"field":{"Header":"Name"}}},{"cell":{"sheet":"项目1","row":3,"col":1},"kind":"number","raw":"12.5"}]]}"#
        );
        let back: SourceMap = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        // Equality is by content: a replaced entry leaves unused text behind.
        let mut other = m.clone();
        other.record_text(unit, "封面", (1, 2), CellKind::Text, Some("别的"));
        assert_ne!(other, m);
        other.record_text(unit, "封面", (1, 2), CellKind::Text, Some("某单位"));
        assert_eq!(other, m);
    }

    #[test]
    fn a1_names() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(11, 3), "D12");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(16383), "XFD");
    }
}
