//! Where each model field came from: the reader fills a [`SourceMap`], the validator and
//! the fixer use it to name cells without knowing the layout.

use std::fmt;

use serde::{Deserialize, Serialize};

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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMap {
    /// The workbook's path as given by the user.
    pub file: String,
    /// Sorted by path. A reader records fields in path order, so inserting is a push; a
    /// sorted vector costs a fifth of a B-tree here.
    entries: Vec<(FieldPath, CellSource)>,
}

impl SourceMap {
    pub fn new(file: impl Into<String>) -> SourceMap {
        SourceMap {
            file: file.into(),
            entries: Vec::new(),
        }
    }

    /// Records where `path` was read from; a second record of the same path replaces the
    /// first.
    pub fn insert(&mut self, path: FieldPath, source: CellSource) {
        if self.entries.last().is_none_or(|(last, _)| *last < path) {
            self.entries.push((path, source));
            return;
        }
        match self.entries.binary_search_by(|(p, _)| p.cmp(&path)) {
            Ok(i) => self.entries[i].1 = source,
            Err(i) => self.entries.insert(i, (path, source)),
        }
    }

    pub fn get(&self, path: &FieldPath) -> Option<&CellSource> {
        self.entries
            .binary_search_by(|(p, _)| p.cmp(path))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    pub fn cell(&self, path: &FieldPath) -> Option<&CellRef> {
        self.get(path).map(|s| &s.cell)
    }

    /// Every recorded field, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&FieldPath, &CellSource)> {
        self.entries.iter().map(|(p, s)| (p, s))
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
        let i = self.entries.partition_point(|(p, _)| *p < first);
        self.entries
            .get(i)
            .filter(|(p, _)| *p <= last)
            .map(|(_, s)| s.cell.sheet.as_str())
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
    fn a1_names() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(11, 3), "D12");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(16383), "XFD");
    }
}
