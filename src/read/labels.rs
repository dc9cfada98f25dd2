//! Finding fields by their labels, the way a person reads the form.

use std::collections::HashSet;

use super::grid::{Grid, Value};
use crate::layout::{self, LabeledField, TableColumn};
use crate::values::normalize_label;
use crate::values::{halfwidth_char, is_blank};

/// The normalized spellings of a label.
pub fn keys(label: &str, aliases: &[&str]) -> Vec<String> {
    std::iter::once(label)
        .chain(aliases.iter().copied())
        .map(normalize_label)
        .collect()
}

pub fn field_keys<K>(f: &LabeledField<K>) -> Vec<String> {
    keys(f.label, f.aliases)
}

pub fn column_keys<K>(c: &TableColumn<K>) -> Vec<String> {
    keys(c.header, c.aliases)
}

/// Every label spelling the reader looks for, normalized once for the whole run: looking
/// them up is the reader's inner loop, and normalizing them again on each lookup was a
/// tenth of a rollup's time.
pub struct FormKeys {
    /// Each of `layout::HEADER_FIELDS`, in order.
    pub header: Vec<Vec<String>>,
    /// All header fields but the first (项目名称), together.
    pub header_rest: Vec<String>,
    /// Each of `layout::FUND_FIELDS`, in order.
    pub funds: Vec<Vec<String>>,
    /// Each of `layout::COVER_FIELDS`, in order.
    pub cover: Vec<Vec<String>>,
    /// Each of `layout::BUDGET_COLUMNS`, `INDICATOR_COLUMNS`, `EXTRA_INDICATOR_COLUMNS`.
    pub budget_columns: Vec<Vec<String>>,
    pub indicator_columns: Vec<Vec<String>>,
    pub extra_indicator_columns: Vec<Vec<String>>,
    pub goal_overall: Vec<String>,
    pub goal_annual: Vec<String>,
    pub indicators_label: Vec<String>,
    /// Labels that open the block after the funds block.
    pub after_funds: Vec<String>,
    /// The budget table's total row.
    pub budget_total: Vec<String>,
    /// Headings that end the indicator table.
    pub indicator_stop: Vec<String>,
    /// `项目经费情况说明`.
    pub narrative_title: Vec<String>,
    /// `财政项目支出绩效目标申报表`.
    pub form_title: String,
    /// Every label of the form: a value scan stops when it meets one.
    pub known: HashSet<String>,
}

/// The reader's label keys, built on first use.
pub fn form_keys() -> &'static FormKeys {
    static KEYS: std::sync::OnceLock<FormKeys> = std::sync::OnceLock::new();
    KEYS.get_or_init(build_form_keys)
}

fn build_form_keys() -> FormKeys {
    let header: Vec<Vec<String>> = layout::HEADER_FIELDS.iter().map(field_keys).collect();
    FormKeys {
        header_rest: header[1..].concat(),
        header,
        funds: layout::FUND_FIELDS.iter().map(field_keys).collect(),
        cover: layout::COVER_FIELDS.iter().map(field_keys).collect(),
        budget_columns: layout::BUDGET_COLUMNS.iter().map(column_keys).collect(),
        indicator_columns: layout::INDICATOR_COLUMNS.iter().map(column_keys).collect(),
        extra_indicator_columns: layout::EXTRA_INDICATOR_COLUMNS
            .iter()
            .map(|(_, names)| keys(names[0], &names[1..]))
            .collect(),
        goal_overall: column_keys(&layout::GOAL_OVERALL),
        goal_annual: column_keys(&layout::GOAL_ANNUAL),
        indicators_label: keys(layout::INDICATORS_LABEL, &[]),
        after_funds: [
            keys(layout::GOALS_LABEL, &[]),
            column_keys(&layout::GOAL_OVERALL),
            column_keys(&layout::GOAL_ANNUAL),
            keys(layout::INDICATORS_LABEL, &[]),
            column_keys(&layout::INDICATOR_COLUMNS[0]),
        ]
        .concat(),
        budget_total: keys("合计", &["小计", "总计", "合计(元)", "合计金额"]),
        indicator_stop: keys(layout::NARRATIVE_TITLE, &["填报说明", "填表说明"]),
        narrative_title: keys(layout::NARRATIVE_TITLE, &[]),
        form_title: normalize_label(layout::FORM_TITLE),
        known: build_known_labels(),
    }
}

/// Every label of the form, normalized: a value scan stops when it meets one.
pub fn known_labels() -> &'static HashSet<String> {
    &form_keys().known
}

fn build_known_labels() -> HashSet<String> {
    let mut set = HashSet::new();
    for f in &layout::HEADER_FIELDS {
        set.extend(field_keys(f));
    }
    for f in &layout::FUND_FIELDS {
        set.extend(field_keys(f));
    }
    for f in &layout::COVER_FIELDS {
        set.extend(field_keys(f));
    }
    set.extend(keys(layout::FUNDS_LABEL, layout::FUNDS_LABEL_ALIASES));
    for l in [
        layout::GOALS_LABEL,
        layout::INDICATORS_LABEL,
        layout::FORM_TITLE,
        layout::NARRATIVE_TITLE,
    ] {
        set.insert(normalize_label(l));
    }
    set.extend(column_keys(&layout::GOAL_OVERALL));
    set.extend(column_keys(&layout::GOAL_ANNUAL));
    for c in &layout::INDICATOR_COLUMNS {
        set.extend(column_keys(c));
    }
    set
}

/// `2024` from a normalized `2024年度` (or `2024年` when `bare_nian`), nothing else.
fn year_of(t: &str, bare_nian: bool) -> Option<i32> {
    let rest = t.get(4..)?;
    let digits = &t[..4];
    let ok = rest == "年度" || (bare_nian && rest == "年");
    (ok && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// The form's title with a year written before it: `2024年度财政项目支出绩效目标申报表`
/// (`Some(Some(2024))`), the title alone (`Some(None)`), or not the title (`None`).
pub fn form_title(k: &str) -> Option<Option<i32>> {
    let prefix = k.strip_suffix(form_keys().form_title.as_str())?;
    if prefix.is_empty() {
        return Some(None);
    }
    year_of(prefix, true).map(Some)
}

/// The year a form states above its header: the subtitle `（2024年度）` (brackets
/// optional: people retype it as `2024年度`), or a title with the year in it.
pub fn stated_year(k: &str) -> Option<i32> {
    if let Some(year) = form_title(k) {
        return year;
    }
    let t = k
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(k);
    year_of(t, false)
}

/// Strips list numbering people put before a heading: `一、`, `1.`, `（一）`, `(1)`.
pub fn strip_numbering(s: &str) -> &str {
    let numerals = |c: char| {
        matches!(
            c,
            '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
        ) || c.is_ascii_digit()
    };
    let t = s.trim_start_matches(['(', '（']);
    let after: &str = t.trim_start_matches(numerals);
    if after.len() == t.len() {
        return s;
    }
    after
        .strip_prefix('、')
        .or_else(|| after.strip_prefix(')'))
        .or_else(|| after.strip_prefix('）'))
        .or_else(|| after.strip_prefix('.'))
        .or_else(|| after.strip_prefix('．'))
        .unwrap_or(s)
}

/// The value beside a label: the first non-empty cell to the right of the label (past its
/// merged region), unless another label comes first. Returns the value's position (or the
/// cell right of the label when there is none) and the value.
pub fn value_right<'g>(
    grid: &'g Grid,
    (row, col): (u32, u16),
    stop_col: u16,
    known: &HashSet<String>,
) -> ((u32, u16), Option<Value<'g>>) {
    let start = grid.merged_end(row, col).saturating_add(1);
    // Only the first cell to the right can be the value.
    if let Some((c, d, label)) = grid.row_from_with_labels(row, start).next() {
        let is_label = label.is_some_and(|l| known.contains(l));
        if c < stop_col && !is_label {
            return ((row, c), Some(d));
        }
    }
    ((row, start), None)
}

/// The columns each table header covers: from its header cell to the cell before the next
/// non-empty cell of the header row; the last one to the end of its merged header cell.
/// After a person unmerges cells, a value typed anywhere under a header's span belongs to
/// that column.
pub fn header_spans(grid: &Grid, row: u32, cols: &[u16]) -> Vec<(u16, u16)> {
    cols.iter()
        .map(|&c| {
            // The next cell of the header row, found in place: no copy of the row.
            let next = c
                .checked_add(1)
                .and_then(|from| grid.row_from(row, from).next());
            let end = next
                .map(|(next, _)| next - 1)
                .unwrap_or_else(|| grid.merged_end(row, c));
            (c, end.max(c))
        })
        .collect()
}

/// Whether normalized cell text `k` is label `key` followed by a colon and a value.
#[cfg(test)]
fn is_inline(k: &str, key: &str) -> bool {
    k.len() > key.len() + 1 && k.starts_with(key) && k[key.len()..].starts_with(':')
}

/// Cells holding one of `keys` (normalized) as their label: alone (`项目名称`), or followed
/// by a colon and the value in the same cell (`项目名称：XXX`). Row-major.
pub fn find_label(grid: &Grid, keys: &[String]) -> Vec<(u32, u16)> {
    grid.find_label(keys)
}

/// The general [`find_label`]: whole labels, then a scan of the labels with a colon.
#[cfg(test)]
pub fn find_label_by_scan(grid: &Grid, keys: &[String]) -> Vec<(u32, u16)> {
    let mut out = grid.find_any_by_scan(keys);
    let before = out.len();
    out.extend(
        grid.labels_with_colon()
            .filter(|(_, k)| keys.iter().any(|key| is_inline(k, key)))
            .map(|(p, _)| p),
    );
    if out.len() > before {
        out.sort_unstable();
        out.dedup();
    }
    out
}

/// The text after `key` and its colon in `raw`, matching the way labels are normalized
/// (`项 目 名 称：XXX` → `XXX`); `None` when `raw` is not that label followed by a value.
fn after_label<'s>(raw: &'s str, key: &str) -> Option<&'s str> {
    let mut want = key.chars();
    let mut next = want.next();
    for (i, c) in raw.char_indices() {
        // The same per-character mapping as `normalize_label`.
        let h = halfwidth_char(c);
        if is_blank(h) {
            continue;
        }
        match next {
            Some(k) if k == h => next = want.next(),
            Some(_) => return None,
            None if h == ':' => {
                let rest = raw[i + c.len_utf8()..].trim();
                return (!rest.is_empty()).then_some(rest);
            }
            None => return None,
        }
    }
    None
}

/// For a cell [`find_label`] found: the value typed after the label in the same cell.
pub fn inline_text(grid: &Grid, (row, col): (u32, u16), keys: &[String]) -> Option<String> {
    // The usual case: the cell is the label alone.
    if grid
        .label_at(row, col)
        .is_some_and(|k| !k.contains(':') || keys.iter().any(|key| key == k))
    {
        return None;
    }
    match grid.get(row, col) {
        Some(Value::Text(s)) => keys
            .iter()
            .find_map(|k| after_label(s, k))
            .map(str::to_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering() {
        assert_eq!(strip_numbering("一、项目概述"), "项目概述");
        assert_eq!(strip_numbering("(一)项目概述"), "项目概述");
        assert_eq!(strip_numbering("1.项目概述"), "项目概述");
        assert_eq!(strip_numbering("项目概述"), "项目概述");
        assert_eq!(strip_numbering("十二五规划"), "十二五规划");
    }

    proptest::proptest! {
        /// The reader skips labels that do not end with a heading before stripping them.
        #[test]
        fn stripping_numbering_leaves_a_tail(s in "[(（一二十1.、)）．项目概述 a]{0,12}") {
            proptest::prop_assert!(s.ends_with(strip_numbering(&s)));
        }
    }

    #[test]
    fn titles_and_years() {
        let n = |s: &str| normalize_label(s);
        assert_eq!(form_title(&n("财政项目支出绩效目标申报表")), Some(None));
        assert_eq!(
            form_title(&n("2024年度财政项目支出绩效目标申报表")),
            Some(Some(2024))
        );
        assert_eq!(
            form_title(&n("２０２４年 财政项目支出绩效目标申报表")),
            Some(Some(2024))
        );
        assert_eq!(form_title(&n("详见财政项目支出绩效目标申报表")), None);
        assert_eq!(stated_year(&n("（2024年度）")), Some(2024));
        assert_eq!(stated_year(&n("2024 年度")), Some(2024));
        assert_eq!(stated_year(&n("(    年度)")), None);
        // A bare 2024年 is an indicator value as often as anything else.
        assert_eq!(stated_year(&n("2024年")), None);
        assert_eq!(
            stated_year(&n("2024年度财政项目支出绩效目标申报表")),
            Some(2024)
        );
    }

    #[test]
    fn label_and_value_in_one_cell() {
        let key = normalize_label("其中：财政资金");
        assert_eq!(
            after_label("其中：财政资金：100万元", &key),
            Some("100万元")
        );
        assert_eq!(after_label("其 中:财政资金 ： 100 ", &key), Some("100"));
        assert_eq!(after_label("其中：财政资金：", &key), None);
        assert_eq!(after_label("其中：财政资金", &key), None);
        assert_eq!(after_label("其中：财政资金合计：5", &key), None);
        let key = normalize_label("项目名称");
        assert_eq!(
            after_label("项 目 名 称：Ｇ60 经费", &key),
            Some("Ｇ60 经费")
        );
    }
}
