//! Finding fields by their labels, the way a person reads the form.

use std::collections::HashSet;

use calamine::Data;

use super::grid::Grid;
use crate::layout::{self, LabeledField, TableColumn};
use crate::values::normalize_label;

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

/// Every label of the form, normalized: a value scan stops when it meets one.
pub fn known_labels() -> HashSet<String> {
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

/// Strips list numbering people put before a heading: `一、`, `1.`, `（一）`, `(1)`.
pub fn strip_numbering(s: &str) -> &str {
    let numerals = |c: char| "一二三四五六七八九十0123456789".contains(c);
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
) -> ((u32, u16), Option<&'g Data>) {
    let start = grid.merged_end(row, col).saturating_add(1);
    // Only the first cell to the right can be the value.
    if let Some((c, d)) = grid.row_from(row, start).next() {
        let is_label = grid.label_at(row, c).is_some_and(|l| known.contains(&l));
        if c < stop_col && !is_label {
            return ((row, c), Some(d));
        }
    }
    ((row, start), None)
}

/// A label written together with its value in one cell (`项目名称：XXX`): the text after
/// the colon.
pub fn inline_value(
    grid: &Grid,
    keys: &[String],
    rows: (u32, u32),
) -> Option<((u32, u16), String)> {
    let hits = grid.find_where(|k| {
        keys.iter().any(|key| {
            k.len() > key.len() + 1
                && k.starts_with(key.as_str())
                && k[key.len()..].starts_with(':')
        })
    });
    let pos = hits
        .into_iter()
        .find(|(r, _)| *r >= rows.0 && *r < rows.1)?;
    match grid.get(pos.0, pos.1) {
        Some(Data::String(s)) => {
            let i = s.find(['：', ':'])?;
            let rest = s[i..].trim_start_matches(['：', ':']).trim();
            (!rest.is_empty()).then(|| (pos, rest.to_string()))
        }
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
}
