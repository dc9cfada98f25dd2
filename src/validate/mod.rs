//! Validation rules: each small and named; they see the model plus a source map, never the layout.
//!
//! [`validate`] runs every rule and returns findings in a stable order: the cover first,
//! then project by project, and within a project rule by rule in the order a reviewer
//! reads the form (header, dates, funds, amounts, budget lines, goals, indicators).
//! Every code is documented in `docs/rules.md`.
//!
//! Rules find cells through the [`SourceMap`] by [`FieldPath`]; when a path is not in the
//! map (a model built from JSON), the finding's location names the file (and project) only.

pub mod basis;
mod budget;
mod cover;
mod dates;
mod disclosure;
mod funds;
mod goals;
mod header;
mod indicators;
mod money;
mod narrative;
pub mod precision;
pub mod report;
mod review;
mod years;

#[cfg(test)]
pub(crate) mod testkit;

use crate::model::{
    CellAt, Declaration, FieldPath, Finding, Location, Money, Project, ProjectField, Severity,
    SourceMap,
};
use crate::values::{may_begin_whitespace, quote_short};

/// Runs every rule over a declaration.
///
/// ```
/// use jixiao::model::{Declaration, SourceMap};
/// use jixiao::validate::validate;
/// let decl: Declaration = serde_json::from_str(r#"{"year": 2024, "projects": []}"#).unwrap();
/// let findings = validate(&decl, &SourceMap::new("单位.xlsx"));
/// let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
/// // No cover total, no project count, and no projects at all.
/// assert_eq!(codes, ["C003", "C004", "C006"]);
/// assert_eq!(findings[0].location.file, "单位.xlsx");
/// ```
pub fn validate(decl: &Declaration, sources: &SourceMap) -> Vec<Finding> {
    let ctx = Ctx { decl, sources };
    let mut out = Vec::new();
    let mut indicator_work = indicators::Work::default();
    cover::check(&ctx, &mut out);
    for (index, project) in decl.projects.iter().enumerate() {
        let p = Proj {
            ctx: &ctx,
            index,
            project,
        };
        header::check(&p, &mut out);
        dates::check(&p, &mut out);
        funds::check(&p, &mut out);
        money::check(&p, &mut out);
        budget::check(&p, &mut out);
        narrative::check(&p, &mut out);
        goals::check(&p, &mut out);
        indicators::check(&p, &mut indicator_work, &mut out);
        review::check(&p, &mut out);
    }
    money::sums_computable(&ctx, &mut out);
    out
}

/// How to validate, beyond the declaration itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// The declaration was imported from a published disclosure's text, which often
    /// holds fewer forms than its cover counts (see C010).
    pub disclosure: bool,
}

/// [`validate`], with [`Options`].
pub fn validate_with(decl: &Declaration, sources: &SourceMap, options: &Options) -> Vec<Finding> {
    let mut out = validate(decl, sources);
    if options.disclosure {
        disclosure::partial_cover(&Ctx { decl, sources }, &mut out);
    }
    out
}

/// What every rule sees: the declaration and where its fields came from.
pub(crate) struct Ctx<'a> {
    pub decl: &'a Declaration,
    pub sources: &'a SourceMap,
}

impl Ctx<'_> {
    /// Location of a field, or of the file alone when the field was not read from a cell.
    pub fn loc(&self, path: FieldPath) -> Location {
        self.loc_any(&[path])
    }

    /// Location of the first of `paths` that is in the source map.
    pub fn loc_any(&self, paths: &[FieldPath]) -> Location {
        let project = match paths.first() {
            Some(FieldPath::Project { project, .. }) => Some(*project),
            _ => None,
        };
        let cell = paths.iter().find_map(|p| self.sources.locate(p));
        Location {
            file: self.sources.file.clone(),
            sheet: cell.map(|c| c.sheet.to_string()),
            cell: cell.map(|c| c.a1()),
            project,
        }
    }

    /// Location spanning the cells of `paths` (`F20:F32`); those on another sheet than the
    /// first found are left out.
    pub fn loc_range(&self, project: usize, paths: &[FieldPath]) -> Location {
        let cells: Vec<CellAt> = paths
            .iter()
            .filter_map(|p| self.sources.locate(p))
            .collect();
        let mut loc = Location {
            file: self.sources.file.clone(),
            project: Some(project),
            ..Location::default()
        };
        if let Some(first) = cells.first() {
            let same: Vec<&CellAt> = cells.iter().filter(|c| c.sheet == first.sheet).collect();
            let top = same.iter().map(|c| c.row).min().unwrap_or(first.row);
            let bottom = same.iter().map(|c| c.row).max().unwrap_or(first.row);
            let left = same.iter().map(|c| c.col).min().unwrap_or(first.col);
            let right = same.iter().map(|c| c.col).max().unwrap_or(first.col);
            let start = crate::model::a1(top, left);
            let end = crate::model::a1(bottom, right);
            loc.sheet = Some(first.sheet.to_string());
            loc.cell = Some(if start == end {
                start
            } else {
                format!("{start}:{end}")
            });
        }
        loc
    }

    /// `D21`, when the field was read from a cell.
    pub fn cell_name(&self, path: FieldPath) -> Option<String> {
        self.sources.locate(&path).map(|c| c.a1())
    }
}

/// A rule's view of one project.
pub(crate) struct Proj<'a> {
    pub ctx: &'a Ctx<'a>,
    pub index: usize,
    pub project: &'a Project,
}

impl Proj<'_> {
    pub fn path(&self, field: ProjectField) -> FieldPath {
        FieldPath::project(self.index, field)
    }

    pub fn loc(&self, field: ProjectField) -> Location {
        self.loc_any(&[field])
    }

    /// Location of the first of `fields` found in the source map.
    pub fn loc_any(&self, fields: &[ProjectField]) -> Location {
        let paths: Vec<FieldPath> = fields.iter().map(|f| self.path(*f)).collect();
        let mut loc = self.ctx.loc_any(&paths);
        loc.project = Some(self.index);
        loc
    }

    pub fn cell_name(&self, field: ProjectField) -> Option<String> {
        self.ctx.cell_name(self.path(field))
    }

    /// `项目「派驻干部费用」`, or `第 5 个项目` when the name is missing.
    pub fn label_zh(&self) -> String {
        match self.name() {
            Some(n) => format!("项目「{}」", quote_short(&n)),
            None => format!("第 {} 个项目", self.index + 1),
        }
    }

    /// `Project “派驻干部费用”`, or `Project 5`.
    pub fn label_en(&self) -> String {
        match self.name() {
            Some(n) => format!("Project “{}”", quote_short(&n)),
            None => format!("Project {}", self.index + 1),
        }
    }

    fn name(&self) -> Option<String> {
        present(&self.project.header.name).map(one_line)
    }

    /// The declared budget year, if any.
    pub fn year(&self) -> Option<i32> {
        self.ctx.decl.year
    }

    /// True when the project plainly runs over more than one year: its 项目性质 says
    /// 阶段性 or 跨年度, or its planned dates span years.
    pub fn is_multi_year(&self) -> bool {
        let h = &self.project.header;
        let nature = h.nature.as_deref().unwrap_or("");
        let by_nature = nature.contains("阶段性") || nature.contains("跨年度");
        let by_dates = matches!((h.start, h.end), (Some(s), Some(e)) if s.year() != e.year());
        by_nature || by_dates
    }

    /// True when the project is planned within one year: both dates in the same year and
    /// a 项目性质 that does not say otherwise. Unknown (dates missing) is neither.
    pub fn is_single_year(&self) -> bool {
        let h = &self.project.header;
        matches!((h.start, h.end), (Some(s), Some(e)) if s.year() == e.year())
            && !self.is_multi_year()
    }

    /// The years the project's planned dates cover, when both are given.
    pub fn planned_years(&self) -> Option<(i32, i32)> {
        let h = &self.project.header;
        match (h.start, h.end) {
            (Some(s), Some(e)) if s <= e => Some((s.year(), e.year())),
            _ => None,
        }
    }
}

/// A text field that holds more than blanks.
pub(crate) fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(trim).filter(|t| !t.is_empty())
}

/// `str::trim`, skipped when the text neither starts nor ends with a byte that can begin
/// a blank (almost every cell): the rules trim every field they look at.
pub(crate) fn trim(s: &str) -> &str {
    let bytes = s.as_bytes();
    // The first byte of the last character.
    let last = bytes.iter().rposition(|b| b & 0xC0 != 0x80);
    match (bytes.first(), last) {
        (Some(&first), Some(last))
            if !may_begin_whitespace(first) && !may_begin_whitespace(bytes[last]) =>
        {
            s
        }
        _ => s.trim(),
    }
}

/// Text without whitespace, borrowed when it has none (almost always): names compared
/// with blanks ignored.
pub(crate) fn without_blanks(s: &str) -> std::borrow::Cow<'_, str> {
    // Bytes first, far cheaper than decoding every character: only a character that
    // starts with a listed byte is decoded to see whether it is blank.
    let blank_at = |i: usize| {
        s.get(i..)
            .and_then(|t| t.chars().next())
            .is_some_and(char::is_whitespace)
    };
    // Sixteen bytes at a time without a branch for each: almost no chunk of a name has
    // a byte that may begin a blank, and only such a chunk is looked at byte by byte.
    let has_blank = s.as_bytes().chunks(16).enumerate().any(|(n, chunk)| {
        let suspect = chunk.iter().fold(false, |any, &b| {
            any | (b <= b' ') | (b.wrapping_sub(0xC2) <= 0xE3 - 0xC2)
        });
        suspect
            && (chunk.iter().enumerate())
                .any(|(j, &b)| may_begin_whitespace(b) && blank_at(n * 16 + j))
    });
    if has_blank {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Form text as one line for quoting in a message: a line break inside a wrapped cell
/// goes (between Chinese characters it was only wrapping) or becomes one space.
pub(crate) fn one_line(text: &str) -> String {
    let chars: Vec<char> = text.trim().chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_whitespace() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // Each run of blanks is looked at once, so long runs stay linear.
        let run = &chars[i..i + chars[i..].iter().take_while(|c| c.is_whitespace()).count()];
        if run.iter().any(|c| matches!(c, '\n' | '\r')) {
            let cjk = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
            if !(cjk(out.chars().last()) && cjk(chars.get(i + run.len()).copied())) {
                out.push(' ');
            }
        } else {
            out.extend(run);
        }
        i += run.len();
    }
    out
}

/// The largest amount the rules compute with: 10^15 元 (1,000万亿元), far beyond any
/// budget. Larger figures are typing slips (M003) and are left out of the arithmetic, so
/// no sum can overflow.
pub(crate) fn max_amount() -> Money {
    Money::from_yuan(rust_decimal::Decimal::from(1_000_000_000_000_000_i64))
}

/// [`max_amount`] in 元 as a constant: [`in_range`] runs for every amount and sum, and
/// building the `Money` normalizes it each time.
const MAX_YUAN: rust_decimal::Decimal =
    rust_decimal::Decimal::from_parts(0xA4C6_8000, 0x3_8D7E, 0, false, 0);

/// True when an amount is within the range the rules compute with.
pub(crate) fn in_range(m: Money) -> bool {
    m.yuan().abs() <= MAX_YUAN
}

/// The sum of amounts, or `None` when one is out of range (M003 reports it).
pub(crate) fn checked_total(amounts: impl IntoIterator<Item = Money>) -> Option<Money> {
    let mut sum = rust_decimal::Decimal::ZERO;
    for m in amounts {
        if !in_range(m) {
            return None;
        }
        sum = sum.checked_add(m.yuan())?;
    }
    Some(Money::from_yuan(sum))
}

/// Builds a finding; `expected`/`actual` are set by the rule where there are figures.
pub(crate) fn finding(
    code: &str,
    severity: Severity,
    location: Location,
    message: String,
    message_en: String,
) -> Finding {
    Finding {
        code: code.to_string(),
        severity,
        location,
        message,
        message_en,
        expected: None,
        actual: None,
        waived: None,
    }
}

/// Sets the plain expected and actual values of a finding.
pub(crate) fn with_values(
    mut f: Finding,
    expected: impl Into<String>,
    actual: impl Into<String>,
) -> Finding {
    f.expected = Some(expected.into());
    f.actual = Some(actual.into());
    f
}

/// `请核对 D21、D22。`, or a cell-less wording when no cell is known.
pub(crate) fn check_cells_zh(cells: &[Option<String>]) -> String {
    let known: Vec<&str> = cells.iter().flatten().map(String::as_str).collect();
    if known.is_empty() {
        "请核对以上各数。".to_string()
    } else {
        format!("请核对 {}。", known.join("、"))
    }
}

/// `Check D21, D22.`, or a cell-less wording.
pub(crate) fn check_cells_en(cells: &[Option<String>]) -> String {
    let known: Vec<&str> = cells.iter().flatten().map(String::as_str).collect();
    if known.is_empty() {
        "Check these figures.".to_string()
    } else {
        format!("Check {}.", known.join(", "))
    }
}

/// ` (D21)` after a field name, or nothing.
pub(crate) fn at_cell(cell: &Option<String>) -> String {
    cell.as_ref()
        .map(|c| format!("（{c}）"))
        .unwrap_or_default()
}

/// `（D21）` between a figure and the Chinese word after it, or a space.
pub(crate) fn cell_then(cell: &Option<String>) -> String {
    cell.as_ref()
        .map(|c| format!("（{c}）"))
        .unwrap_or_else(|| " ".to_string())
}

/// ` (D21)` in English text, or nothing.
pub(crate) fn at_cell_en(cell: &Option<String>) -> String {
    cell.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::one_line;

    proptest::proptest! {
        #[test]
        fn trim_and_without_blanks_as_std(s in "\\PC{0,12}|[ \\t\\n\u{3000}\u{a0}\u{2002}a中、“]{0,8}") {
            proptest::prop_assert_eq!(super::trim(&s), s.trim());
            let expected: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            let got = super::without_blanks(&s);
            proptest::prop_assert_eq!(got.as_ref(), expected.as_str());
        }
    }

    #[test]
    fn max_yuan_is_max_amount() {
        assert_eq!(super::MAX_YUAN, super::max_amount().yuan());
        assert_eq!(super::MAX_YUAN.to_string(), "1000000000000000");
    }

    #[test]
    fn wrapped_cell_text_reads_as_one_line() {
        assert_eq!(one_line("各项\n任务目标"), "各项任务目标");
        assert_eq!(one_line(" 经济成本\r\n指标 "), "经济成本指标");
        assert_eq!(one_line("G60\nplatform"), "G60 platform");
        assert_eq!(one_line("完成 2024年 G60"), "完成 2024年 G60");
        assert_eq!(one_line(&" ".repeat(100_000)), "");
        assert_eq!(
            one_line(&format!("a{}b", " ".repeat(100_000))).len(),
            100_002
        );
    }

    proptest::proptest! {
        /// Whatever text and figures a model holds, validation finishes without panicking.
        #[test]
        fn never_panics(
            texts in proptest::collection::vec("\\PC{0,40}", 12),
            cents in proptest::collection::vec(proptest::option::of(proptest::prop_oneof![-10_000_000_000i64..10_000_000_000, proptest::num::i64::ANY]), 9),
            year in proptest::option::of(1900i32..2100),
        ) {
            use crate::model::*;
            let m = |i: usize| cents[i].map(Money::from_cents);
            let t = |i: usize| Some(texts[i].clone());
            let project = Project {
                header: ProjectHeader {
                    name: t(0),
                    nature: t(1),
                    start: Date::new(year.unwrap_or(2024), 1, 1),
                    end: Date::new(year.unwrap_or(2024) + 1, 6, 30),
                    ..ProjectHeader::default()
                },
                funds: Funds {
                    total: m(0),
                    fiscal: m(1),
                    other: m(2),
                    annual_total: m(3),
                    annual_appropriation: m(4),
                    annual_carryover: m(5),
                    annual_other: m(6),
                },
                narrative: Narrative { period: t(2), ..Narrative::default() },
                budget_lines: vec![BudgetLine { item: t(3), basis: t(4), amount: m(7), note: None }],
                goals: Goals { overall: t(5), annual: t(6) },
                indicators: vec![Indicator {
                    level1: t(7),
                    level2: t(8),
                    name: t(9),
                    target: Some(Target::parse(&texts[10])),
                    ..Indicator::default()
                }],
            };
            let decl = Declaration {
                year,
                stated_total: m(8).map(|x| StatedAmount::new(x.yuan(), MoneyUnit::Wan)),
                stated_project_count: Some(texts[11].len() as u32),
                projects: vec![project.clone(), project],
                ..Declaration::default()
            };
            let _ = super::validate(&decl, &SourceMap::new("p.json"));
        }
    }
}
