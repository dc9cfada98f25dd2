//! Reading project forms from a sheet, by their labels.

use std::borrow::Cow;
use std::collections::HashSet;

use rust_decimal::Decimal;

use super::cell::{self, codes, Ctx};
use super::grid::{Grid, Value};
use super::labels::{self, form_keys, strip_numbering, value_right};
use crate::layout;
use crate::model::{
    BudgetColumn, BudgetLine, FieldPath, FundField, Goals, HeaderField, Indicator, IndicatorColumn,
    MoneyUnit, Project, ProjectField, Section, Severity, Target,
};

/// Whether a sheet holds a project form: the 项目名称 label together with the funds block
/// or the indicator table (the summary sheet's project list has only the first).
pub fn is_project_sheet(grid: &Grid) -> bool {
    let k = form_keys();
    // Whether there is a match at all: no list of them.
    let any = |_: &(u32, u16)| true;
    grid.first_label(&k.header[0], any).is_some()
        && (grid.first_any(&k.funds[0], any).is_some()
            || grid.first_any(&k.indicator_columns[0], any).is_some())
}

/// The year a form states: its subtitle `（2024年度）` or a title such as
/// `2024年度财政项目支出绩效目标申报表`; the first one on the sheet.
pub fn subtitle_year(grid: &Grid) -> Option<i32> {
    let hits = grid.find_where(|k| labels::stated_year(k).is_some());
    let (r, c) = *hits.first()?;
    labels::stated_year(grid.label_at(r, c)?)
}

/// Rows `[start, end)` of each form on the sheet.
fn regions(grid: &Grid) -> Vec<(u32, u32, u32)> {
    let name_keys = &form_keys().header[0];
    let header_rest = &form_keys().header_rest;
    // `项目名称：XXX` typed in one cell anchors a form only with the rest of a header below
    // it: the same words may open a line of the narrative.
    let mut anchors: Vec<u32> = labels::find_label(grid, name_keys)
        .into_iter()
        .filter(|p| {
            // The label alone in its cell (a whole match, as `find_any` gives), or another
            // header label in the rows below it.
            grid.label_at(p.0, p.1)
                .is_some_and(|k| name_keys.iter().any(|n| n == k))
                || grid
                    .first_label(header_rest, |q| {
                        q.0 >= p.0 && q.0 < p.0 + layout::HEADER_ROWS + 2
                    })
                    .is_some()
        })
        .map(|p| p.0)
        .collect();
    anchors.dedup();
    // Only a second form needs to know where narratives start: one form (the usual sheet)
    // needs no scan of the sheet's labels for them.
    let narrative_title = form_keys().narrative_title[0].as_str();
    let starts_of_narrative: Vec<u32> = if anchors.len() > 1 {
        grid
            // `strip_numbering` gives a tail of its text: most labels fail the cheap
            // `ends_with` and are never stripped.
            .find_where(|k| {
                k.starts_with(narrative_title)
                    || (k.ends_with("项目概述") && strip_numbering(k) == "项目概述")
            })
            .into_iter()
            .map(|p| p.0)
            .collect()
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(anchors.len());
    let mut prev_anchor: Option<u32> = None;
    let mut starts = Vec::with_capacity(anchors.len());
    for &a in &anchors {
        let start = match prev_anchor {
            None => 0,
            Some(p) => starts_of_narrative
                .iter()
                .copied()
                .find(|r| *r > p && *r < a)
                .unwrap_or(a.saturating_sub(2)),
        };
        starts.push(start);
        prev_anchor = Some(a);
    }
    for (i, &a) in anchors.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(u32::MAX);
        out.push((starts[i], a, end));
    }
    out
}

/// Reads every form on the sheet; `first` is the model index of the first one.
pub fn read_sheet(ctx: &mut Ctx, grid: &Grid, first: usize) -> Vec<Project> {
    let known = labels::known_labels();
    let regions = regions(grid);
    if regions.len() > 1 {
        ctx.report(
            codes::FORM_TWICE,
            Severity::Warning,
            &grid.name,
            Some((regions[1].1, 0)),
            Some(first + 1),
            format!(
                "工作表「{}」中有 {} 份申报表，已分别读取为 {} 个项目。如果是重复粘贴，请删除多余的一份。",
                grid.name,
                regions.len(),
                regions.len()
            ),
            format!(
                "Sheet {} holds {} forms; each was read as a project. Delete any pasted twice.",
                grid.name,
                regions.len()
            ),
            None,
        );
    }
    if grid.hidden {
        ctx.report(
            codes::HIDDEN_SHEET,
            Severity::Warning,
            &grid.name,
            None,
            Some(first),
            format!(
                "工作表「{}」是隐藏的，其中的项目也已读取并计入合计。如该项目不应申报，请删除该工作表。",
                grid.name
            ),
            format!(
                "Sheet {} is hidden; its project was read and counted.",
                grid.name
            ),
            None,
        );
    }
    regions
        .into_iter()
        .enumerate()
        .map(|(k, (start, anchor, end))| {
            let mut r = RegionReader {
                ctx,
                grid,
                known,
                project: first + k,
                start,
                anchor,
                end,
                found: Found::default(),
            };
            r.read()
        })
        .collect()
}

/// Indicator records reserved up front at most (a usual table has a dozen or two): a
/// damaged sheet's hundred thousand rows below the header reserve no more.
const INDICATORS_RESERVED: usize = 64;

struct RegionReader<'a> {
    ctx: &'a mut Ctx,
    grid: &'a Grid,
    known: &'a HashSet<String>,
    project: usize,
    start: u32,
    /// Row of the 项目名称 label.
    anchor: u32,
    end: u32,
    /// Landmarks several blocks use, found once per form.
    found: Found,
}

/// Landmarks of one form: titles, section headings and table headers.
#[derive(Default)]
struct Found {
    titles: Vec<(u32, u16)>,
    sections: Vec<(Section, (u32, u16))>,
    budget_header: Option<(u32, u16)>,
    indicator_header: Option<(u32, u16)>,
}

impl<'a> RegionReader<'a> {
    fn in_region(&self, (r, _): &(u32, u16)) -> bool {
        *r >= self.start && *r < self.end
    }

    /// The first cell of the region, row-major, holding one of `keys` and accepted by
    /// `pred`.
    fn first(&self, keys: &[String], pred: impl Fn(&(u32, u16)) -> bool) -> Option<(u32, u16)> {
        self.grid.first_any(keys, |p| self.in_region(p) && pred(p))
    }

    /// The value of a table column on row `r`, given the row's cells (left to right):
    /// the first filled cell under the column's span, or the span's first cell (empty)
    /// when there is none.
    fn under_in(
        row: &[(u16, Value<'a>)],
        r: u32,
        (from, to): (u16, u16),
    ) -> ((u32, u16), Option<Value<'a>>) {
        match row.iter().find(|(c, _)| *c >= from) {
            Some(&(c, d)) if c <= to.max(from) => ((r, c), Some(d)),
            _ => ((r, from), None),
        }
    }

    /// Label-like cells of row `r`, left to right, with their normalized text: one range
    /// of the label index rather than a lookup for each cell.
    fn row_labels(&self, r: u32) -> impl Iterator<Item = (u16, &'a str)> + 'a {
        let grid: &'a Grid = self.grid;
        grid.labels_of_row(r)
    }

    fn path(&self, field: ProjectField) -> FieldPath {
        FieldPath::project(self.project, field)
    }

    /// The sheet's name, borrowed from the grid rather than from `self`: the blocks
    /// hold it while `self.ctx` records, and a copy per block was an allocation each.
    fn sheet(&self) -> &'a str {
        let grid: &'a Grid = self.grid;
        &grid.name
    }

    fn missing_label(&mut self, what: &str) {
        let sheet = self.sheet();
        self.ctx.report(
            codes::LABEL_MISSING,
            Severity::Error,
            sheet,
            Some((self.anchor, 0)),
            Some(self.project),
            format!(
                "工作表「{sheet}」第 {} 行起的申报表中找不到「{what}」，该项按空白处理。请按标准模板补上该栏目。",
                self.anchor + 1
            ),
            format!(
                "The form on sheet {sheet} from row {} has no \"{what}\" label; treated as blank.",
                self.anchor + 1
            ),
            None,
        );
    }

    /// Cells holding the form's title (with or without a year before it).
    fn titles(&self) -> Vec<(u32, u16)> {
        self.grid
            .labels_in(self.start, self.end)
            .filter(|(_, k)| labels::form_title(k).is_some())
            .map(|(p, _)| p)
            .collect()
    }

    fn read(&mut self) -> Project {
        let mut project = Project::default();
        self.found = Found {
            titles: self.titles(),
            sections: self.section_rows(),
            budget_header: self.budget_header(),
            indicator_header: self.indicator_header(),
        };
        let title = self
            .found
            .titles
            .first()
            .copied()
            .unwrap_or((self.anchor, 0));
        let title_path = self.path(ProjectField::Title);
        let title_data = self.grid.get(title.0, title.1);
        let sheet = self.sheet();
        self.ctx.record(title_path, sheet, title, title_data);

        self.read_header(&mut project);
        self.read_funds(&mut project);
        self.read_narrative(&mut project);
        self.read_budget(&mut project);
        self.read_goals(&mut project.goals);
        self.read_indicators(&mut project);
        project
    }

    /// The value of a labelled field: its position and cell, or the label's position and
    /// the text typed after it in the same cell.
    fn labelled(
        &mut self,
        keys: &[String],
        restrict: impl Fn(&(u32, u16)) -> bool,
        stop_col: u16,
    ) -> Option<((u32, u16), Labelled<'a>)> {
        let (pos, alone) = self
            .grid
            .first_label_alone(keys, |p| self.in_region(p) && restrict(p))?;
        // A label alone in its cell (the usual case) has no value typed after it, as
        // `inline_text` would find with a search of the cells for it.
        if !alone {
            if let Some(text) = labels::inline_text(self.grid, pos, keys) {
                return Some((pos, Labelled::Inline(text)));
            }
        }
        let (vpos, data) = value_right(self.grid, pos, stop_col, self.known);
        Some((vpos, Labelled::Cell(data)))
    }

    fn read_header(&mut self, project: &mut Project) {
        let sheet = self.sheet();
        for (f, keys) in layout::HEADER_FIELDS.iter().zip(&form_keys().header) {
            let anchor = self.anchor;
            let below_anchor = |p: &(u32, u16)| p.0 >= anchor;
            let Some((pos, found)) = self.labelled(keys, below_anchor, u16::MAX) else {
                self.missing_label(f.label);
                continue;
            };
            let p = Some(self.project);
            let path = self.path(ProjectField::Header(f.key));
            let d = found.value();
            self.ctx.record(path, sheet, pos, d);
            let h = &mut project.header;
            match f.key {
                HeaderField::Name => h.name = cell::text(self.ctx, sheet, pos, d, p, f.label),
                HeaderField::Nature => h.nature = cell::text(self.ctx, sheet, pos, d, p, f.label),
                HeaderField::Category => {
                    h.category = cell::text(self.ctx, sheet, pos, d, p, f.label)
                }
                HeaderField::Department => {
                    h.department = cell::text(self.ctx, sheet, pos, d, p, f.label)
                }
                HeaderField::Implementer => {
                    h.implementer = cell::text(self.ctx, sheet, pos, d, p, f.label)
                }
                HeaderField::Start => h.start = cell::date(self.ctx, sheet, pos, d, p, f.label),
                HeaderField::End => h.end = cell::date(self.ctx, sheet, pos, d, p, f.label),
            }
        }
    }

    fn read_funds(&mut self, project: &mut Project) {
        let sheet = self.sheet();
        let fk = form_keys();
        let left = self.grid.first_label(&fk.funds[0], |p| self.in_region(p));
        let right = self.grid.first_label(&fk.funds[3], |p| self.in_region(p));
        let boundary = match (left, right) {
            (Some(l), Some(r)) if r.1 > l.1 => r.1,
            (None, Some(r)) => r.1,
            _ => u16::MAX,
        };
        let top = [left, right].iter().flatten().map(|p| p.0).min();
        let Some(top) = top else {
            self.missing_label(layout::FUND_FIELDS[0].label);
            return;
        };
        // The block runs down to the next block's label (rows inserted inside it move
        // that label down); without one, allow a few inserted rows.
        let bottom = self
            .first(&fk.after_funds, |p| p.0 > top)
            .map(|p| p.0)
            .unwrap_or(top + layout::FUNDS_ROWS + 4);
        let rows = (top, bottom);
        // The funds block states its unit in its side label: 项目资金（元） or （万元）.
        // Only the region's labels: a scan of the whole sheet per form is not needed.
        let scale = if self
            .grid
            .labels_in(self.start, self.end)
            .any(|(_, k)| k.starts_with("项目资金(") && k.contains('万'))
        {
            MoneyUnit::Wan
        } else {
            MoneyUnit::Yuan
        };
        for (f, keys) in layout::FUND_FIELDS.iter().zip(&fk.funds) {
            let right_side = f.label_at.col >= layout::FUND_FIELDS[3].label_at.col;
            let restrict = |p: &(u32, u16)| {
                p.0 >= rows.0
                    && p.0 < rows.1
                    && if right_side {
                        p.1 >= boundary || boundary == u16::MAX
                    } else {
                        p.1 < boundary
                    }
            };
            let stop = if right_side { u16::MAX } else { boundary };
            let mut hits = self.labelled(keys, restrict, stop);
            // With no 年度 side found, a second 其他资金 belongs to nobody: take the
            // first for the left side only.
            if right_side && boundary == u16::MAX && f.key == FundField::AnnualOther {
                hits = None;
            }
            let Some((pos, found)) = hits else {
                if !matches!(f.key, FundField::Other | FundField::AnnualOther) {
                    self.missing_label(f.label);
                }
                continue;
            };
            let path = self.path(ProjectField::Fund(f.key));
            let d = found.value();
            self.ctx.record(path, sheet, pos, d);
            let m = cell::money(
                self.ctx,
                sheet,
                pos,
                d,
                Some(self.project),
                // `strip_prefix`, not `trim_start_matches`: that builds a substring
                // searcher on every call. No label repeats the prefix.
                f.label.strip_prefix("其中：").unwrap_or(f.label),
                scale,
            );
            let fu = &mut project.funds;
            match f.key {
                FundField::Total => fu.total = m,
                FundField::Fiscal => fu.fiscal = m,
                FundField::Other => fu.other = m,
                FundField::AnnualTotal => fu.annual_total = m,
                FundField::AnnualAppropriation => fu.annual_appropriation = m,
                FundField::AnnualCarryover => fu.annual_carryover = m,
                FundField::AnnualOther => fu.annual_other = m,
            }
        }
    }

    /// Heading rows of the seven sections in this region: one pass over its labels.
    fn section_rows(&self) -> Vec<(Section, (u32, u16))> {
        let mut found: [Option<(u32, u16)>; 7] = [None; 7];
        for (p, k) in self.grid.labels_in(self.start, self.anchor) {
            // The stripped text is a tail of `k`: skip labels no heading ends.
            if !layout::SECTIONS.iter().any(|(_, _, b)| k.ends_with(b)) {
                continue;
            }
            let bare = strip_numbering(k);
            let Some(i) = layout::SECTIONS.iter().position(|(_, _, b)| *b == bare) else {
                continue;
            };
            // A bare 绩效目标 elsewhere is not the heading; the heading is numbered or sits
            // in the first column.
            if found[i].is_none() && (p.1 == 0 || k != bare) {
                found[i] = Some(p);
            }
        }
        layout::SECTIONS
            .iter()
            .zip(found)
            .filter_map(|((section, _, _), p)| p.map(|p| (*section, p)))
            .collect()
    }

    fn budget_header(&self) -> Option<(u32, u16)> {
        let item = &form_keys().budget_columns[1];
        let amount = &form_keys().budget_columns[3];
        self.first(item, |(r, _)| {
            *r < self.anchor
                && self
                    .row_labels(*r)
                    .any(|(_, k)| amount.iter().any(|a| a == k))
        })
    }

    /// Free text written under a heading: every text cell in rows `[rows.0, rows.1)` and
    /// columns `[cols.0, cols.1)`, except labels in `skip`, joined by line breaks; the
    /// field is recorded at its first cell (or where it would be written when empty).
    fn text_block<S: Contains>(
        &mut self,
        field: ProjectField,
        rows: (u32, u32),
        cols: (u16, u16),
        skip: &S,
        what: &str,
    ) -> Option<String> {
        let sheet = self.sheet();
        // The cells' cleaned texts are written straight into the block's text: no String
        // per cell and no list of them to join.
        let mut text = String::new();
        // The first cell with text and its value: recorded below without a search for it.
        let mut first_cell = None;
        for ((r, c), d, label) in self.grid.rows_with_labels(rows.0, rows.1) {
            if c < cols.0 || c >= cols.1 {
                continue;
            }
            if label.is_some_and(|k| skip.has(k)) {
                continue;
            }
            let p = Some(self.project);
            if let Some(t) = cell::text_cow(self.ctx, sheet, (r, c), Some(d), p, what) {
                if first_cell.is_some() {
                    text.push('\n');
                }
                first_cell.get_or_insert(((r, c), d));
                text.push_str(&t);
            }
        }
        let (at, data) = match first_cell {
            Some((at, d)) => (at, Some(d)),
            None => {
                let at = (rows.0, cols.0);
                (at, self.grid.get(at.0, at.1))
            }
        };
        let path = self.path(field);
        self.ctx.record(path, sheet, at, data);
        first_cell.map(|_| text)
    }

    /// The first row below `row` where another part of the form begins: a section
    /// heading, a title, the 项目名称 row or the budget table's header; the region's end
    /// when there is none. (A least value, not a sorted list: no list to build.)
    fn next_stop(
        &self,
        sections: &[(Section, (u32, u16))],
        budget_header: Option<(u32, u16)>,
        row: u32,
    ) -> u32 {
        sections
            .iter()
            .map(|(_, p)| p.0)
            .chain(budget_header.map(|p| p.0))
            .chain(self.found.titles.iter().map(|p| p.0))
            .chain([self.anchor])
            .filter(|r| *r > row)
            .min()
            .unwrap_or(self.end)
    }

    fn read_narrative(&mut self, project: &mut Project) {
        let sections = std::mem::take(&mut self.found.sections);
        let title = &form_keys().narrative_title;
        for (section, pos) in &sections {
            let stop = self.next_stop(&sections, self.found.budget_header, pos.0);
            let text = self.text_block(
                ProjectField::Narrative(*section),
                (pos.0 + 1, stop),
                (0, u16::MAX),
                title,
                "说明",
            );
            let n = &mut project.narrative;
            match section {
                Section::Overview => n.overview = text,
                Section::Rationale => n.rationale = text,
                Section::ExecutingBody => n.executing_body = text,
                Section::Plan => n.plan = text,
                Section::Period => n.period = text,
                Section::Budget => n.budget = text,
                Section::Goals => n.goals = text,
            }
        }
        // Taken above only because reading text needs `self` mutably.
        self.found.sections = sections;
    }

    fn read_budget(&mut self, project: &mut Project) {
        let sheet = self.sheet();
        let Some(header) = self.found.budget_header else {
            return;
        };
        let hr = header.0;
        let mut cols: Vec<(BudgetColumn, u16)> = Vec::new();
        let mut scale = MoneyUnit::Yuan;
        for (c, k) in self.row_labels(hr) {
            for (col, col_keys) in layout::BUDGET_COLUMNS
                .iter()
                .zip(&form_keys().budget_columns)
            {
                if col_keys.iter().any(|x| x == k) {
                    match col.key {
                        Some(key) if !cols.iter().any(|(x, _)| *x == key) => {
                            if key == BudgetColumn::Amount && k.contains('万') {
                                scale = MoneyUnit::Wan;
                            }
                            cols.push((key, c));
                        }
                        _ => {}
                    }
                }
            }
        }
        let amount_col = cols
            .iter()
            .find(|(k, _)| *k == BudgetColumn::Amount)
            .map(|(_, c)| *c)
            .unwrap_or(u16::MAX);
        let starts: Vec<u16> = cols.iter().map(|(_, c)| *c).collect();
        let spans = labels::header_spans(self.grid, hr, &starts);
        let total_keys = &form_keys().budget_total;
        let stop = self.next_stop(&self.found.sections, None, hr);
        // One buffer for every row's cells, as in the indicator table.
        let mut values: Vec<((u32, u16), Option<Value>)> = Vec::with_capacity(spans.len());
        // The table's cells in one walk, row by row, as in the indicator table: no search
        // of the sheet for each column of each row. A row without cells is skipped, as
        // its columns would all be empty.
        let grid: &'a Grid = self.grid;
        let mut row = Vec::with_capacity(16);
        let mut below = grid.rows_with_labels(hr + 1, stop).peekable();
        while let Some(&((r, _), _, _)) = below.peek() {
            row.clear();
            let mut is_total = false;
            while let Some(((_, c), d, label)) = below.next_if(|((q, _), _, _)| *q == r) {
                row.push((c, d));
                is_total |=
                    c < amount_col && label.is_some_and(|k| total_keys.iter().any(|t| t == k));
            }
            if is_total {
                let path = self.path(ProjectField::BudgetTotal);
                let amount_span = cols
                    .iter()
                    .zip(&spans)
                    .find(|((k, _), _)| *k == BudgetColumn::Amount)
                    .map(|(_, s)| *s)
                    .unwrap_or((amount_col, amount_col));
                let (at, d) = Self::under_in(&row, r, amount_span);
                self.ctx.record(path, sheet, at, d);
                break;
            }
            values.clear();
            values.extend(spans.iter().map(|s| Self::under_in(&row, r, *s)));
            if values.iter().all(|(_, d)| d.is_none()) {
                continue;
            }
            let line_index = project.budget_lines.len();
            let mut line = BudgetLine::default();
            for ((key, _), &(at, d)) in cols.iter().zip(&values) {
                let path = self.path(ProjectField::BudgetLine {
                    line: line_index,
                    column: *key,
                });
                self.ctx.record(path, sheet, at, d);
                let p = Some(self.project);
                match key {
                    BudgetColumn::Item => {
                        line.item = cell::text(self.ctx, sheet, at, d, p, "明细项目")
                    }
                    BudgetColumn::Basis => {
                        line.basis = cell::text(self.ctx, sheet, at, d, p, "计算依据")
                    }
                    BudgetColumn::Amount => {
                        line.amount = cell::money(self.ctx, sheet, at, d, p, "预算金额", scale)
                    }
                    BudgetColumn::Note => line.note = cell::text(self.ctx, sheet, at, d, p, "备注"),
                }
            }
            project.budget_lines.push(line);
        }
    }

    fn indicator_header(&self) -> Option<(u32, u16)> {
        self.first(&form_keys().indicator_columns[0], |(r, _)| *r > self.anchor)
    }

    fn read_goals(&mut self, goals: &mut Goals) {
        let overall = self.first(&form_keys().goal_overall, |p| p.0 > self.anchor);
        let annual = self.first(&form_keys().goal_annual, |p| p.0 > self.anchor);
        let stop = self
            .found
            .indicator_header
            .map(|p| p.0)
            .or_else(|| {
                self.first(&form_keys().indicators_label, |p| p.0 > self.anchor)
                    .map(|p| p.0)
            })
            .unwrap_or(self.end);
        let split = annual.map(|p| p.1).unwrap_or(u16::MAX);
        for (which, pos) in [(0, overall), (1, annual)] {
            let Some(pos) = pos else {
                self.missing_label(if which == 0 {
                    layout::GOAL_OVERALL.header
                } else {
                    layout::GOAL_ANNUAL.header
                });
                continue;
            };
            let (lo, hi) = if which == 0 {
                (pos.1, split)
            } else {
                (split, u16::MAX)
            };
            let field = if which == 0 {
                ProjectField::GoalOverall
            } else {
                ProjectField::GoalAnnual
            };
            let known = self.known;
            let text = self.text_block(field, (pos.0 + 1, stop), (lo, hi), known, "目标");
            if which == 0 {
                goals.overall = text;
            } else {
                goals.annual = text;
            }
        }
    }

    fn read_indicators(&mut self, project: &mut Project) {
        let sheet = self.sheet();
        let Some(header) = self.found.indicator_header else {
            self.missing_label(layout::INDICATOR_COLUMNS[0].header);
            return;
        };
        let hr = header.0;
        let mut cols: Vec<(IndicatorColumn, u16)> = Vec::new();
        for (c, k) in self.row_labels(hr) {
            let key = layout::INDICATOR_COLUMNS
                .iter()
                .zip(&form_keys().indicator_columns)
                .find(|(_, col_keys)| col_keys.iter().any(|x| x == k))
                .map(|(col, _)| col.key)
                .or_else(|| {
                    layout::EXTRA_INDICATOR_COLUMNS
                        .iter()
                        .zip(&form_keys().extra_indicator_columns)
                        .find(|(_, col_keys)| col_keys.iter().any(|x| x == k))
                        .map(|((key, _), _)| *key)
                });
            if let Some(key) = key {
                if !cols.iter().any(|(x, _)| *x == key) {
                    cols.push((key, c));
                }
            }
        }
        let starts: Vec<u16> = cols.iter().map(|(_, c)| *c).collect();
        let spans = labels::header_spans(self.grid, hr, &starts);
        let span_of = |key| {
            cols.iter()
                .zip(&spans)
                .find(|((k, _), _)| *k == key)
                .map(|(_, s)| *s)
        };
        let (l1s, l2s) = (
            span_of(IndicatorColumn::Level1),
            span_of(IndicatorColumn::Level2),
        );
        let stop_keys = &form_keys().indicator_stop;
        let mut level1: Option<Cow<str>> = None;
        let mut level2: Option<Cow<str>> = None;
        // One buffer for every row's cells: a row's fields are recorded only once it is
        // known to hold something.
        let mut cells = Vec::with_capacity(cols.len());
        let grid: &'a Grid = self.grid;
        // Room for a usual row, so the buffer is not grown step by step.
        let mut row = Vec::with_capacity(16);
        let rows = hr + 1..self.end.min(self.grid.end_row());
        // Room for a row per indicator up to a usual table's size: growing the list of
        // these large records from empty copied each form's indicators three times.
        project
            .indicators
            .reserve(rows.len().min(INDICATORS_RESERVED));
        // The table's cells in one walk, row by row (empty rows have none): no search of
        // the sheet for each row's cells and again for its labels.
        let mut below = grid.rows_with_labels(rows.start, rows.end).peekable();
        while let Some(&((r, _), _, _)) = below.peek() {
            row.clear();
            let mut stop = false;
            while let Some(((_, c), d, label)) = below.next_if(|((q, _), _, _)| *q == r) {
                row.push((c, d));
                stop |= label.is_some_and(|k| {
                    stop_keys.iter().any(|s| s == k) || labels::form_title(k).is_some()
                });
            }
            if stop {
                break;
            }
            let p = Some(self.project);
            let mut level_text = |span: Option<(u16, u16)>, what: &str| {
                let (at, d) = Self::under_in(&row, r, span?);
                cell::text_cow(self.ctx, sheet, at, d, p, what)
            };
            let t1 = level_text(l1s, "一级指标");
            let t2 = level_text(l2s, "二级指标");
            // 一级/二级 cells are merged down their group: a blank below a filled one means
            // "same as above"; a new 一级 starts a new group.
            if t1.is_some() {
                level1 = t1;
                level2 = t2;
            } else if t2.is_some() {
                level2 = t2;
            }
            // The levels are copied into the indicator only once the row is known to be one.
            let mut ind = Indicator::default();
            let mut has_content = false;
            let index = project.indicators.len();
            cells.clear();
            for ((key, _), span) in cols.iter().zip(&spans) {
                let (at, d) = Self::under_in(&row, r, *span);
                cells.push((*key, at, d));
                if matches!(key, IndicatorColumn::Level1 | IndicatorColumn::Level2) {
                    continue;
                }
                let t = cell::text(self.ctx, sheet, at, d, p, "指标");
                if t.is_some() {
                    has_content = true;
                }
                match key {
                    IndicatorColumn::Name => ind.name = t,
                    IndicatorColumn::Target => ind.target = t.map(Target::parse_owned),
                    IndicatorColumn::Content => ind.content = t,
                    IndicatorColumn::Scoring => ind.scoring = t,
                    IndicatorColumn::Weight => {
                        ind.weight = t.and_then(|t| {
                            Decimal::from_str_exact(
                                crate::values::to_halfwidth(&t).trim().trim_end_matches('%'),
                            )
                            .ok()
                        })
                    }
                    IndicatorColumn::TargetBasis => ind.target_basis = t,
                    IndicatorColumn::PreviousValue => ind.previous_value = t,
                    IndicatorColumn::Remark => ind.remark = t,
                    IndicatorColumn::Level1 | IndicatorColumn::Level2 => {}
                }
            }
            if !has_content {
                continue;
            }
            ind.level1 = level1.as_deref().map(str::to_string);
            ind.level2 = level2.as_deref().map(str::to_string);
            for &(key, at, d) in &cells {
                let path = self.path(ProjectField::Indicator { index, column: key });
                self.ctx.record(path, sheet, at, d);
            }
            project.indicators.push(ind);
        }
    }
}

/// What [`RegionReader::labelled`] found.
enum Labelled<'a> {
    /// The cell beside the label (the one right of it, empty, when there is none).
    Cell(Option<Value<'a>>),
    /// The text after the label and its colon, in the label's own cell.
    Inline(String),
}

impl Labelled<'_> {
    fn value(&self) -> Option<Value<'_>> {
        match self {
            Labelled::Cell(d) => *d,
            Labelled::Inline(text) => Some(Value::Text(text)),
        }
    }
}

/// Label sets the text-block reader skips: a list of keys or the set of known labels.
trait Contains {
    fn has(&self, key: &str) -> bool;
}

impl Contains for Vec<String> {
    fn has(&self, key: &str) -> bool {
        self.iter().any(|k| k == key)
    }
}

impl Contains for HashSet<String> {
    fn has(&self, key: &str) -> bool {
        self.contains(key)
    }
}
