//! The grammar of 指标值 text. Kept apart from the type so it can grow (and be fuzzed).

use super::target::{Op, TargetKind};
use rust_decimal::Decimal;

/// Parses the text of a 指标值.
pub fn parse(text: &str) -> TargetKind {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return TargetKind::Unparsed;
    }
    let (op, rest) = if let Some(r) = t.strip_prefix(">=").or_else(|| t.strip_prefix('≥')) {
        (Some(Op::Ge), r)
    } else if let Some(r) = t.strip_prefix("<=").or_else(|| t.strip_prefix('≤')) {
        (Some(Op::Le), r)
    } else if let Some(r) = t.strip_prefix('=').or_else(|| t.strip_prefix('＝')) {
        (Some(Op::Eq), r)
    } else if let Some(r) = t.strip_prefix('>').or_else(|| t.strip_prefix('＞')) {
        (Some(Op::Gt), r)
    } else if let Some(r) = t.strip_prefix('<').or_else(|| t.strip_prefix('＜')) {
        (Some(Op::Lt), r)
    } else {
        (None, t.as_str())
    };
    if let Some(op) = op {
        let num_end = rest
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        if let Ok(value) = rest[..num_end].parse::<Decimal>() {
            let unit = rest[num_end..]
                .trim_start_matches(['(', '（'])
                .trim_end_matches([')', '）'])
                .to_string();
            return TargetKind::Quantitative {
                op,
                value,
                unit: (!unit.is_empty()).then_some(unit),
            };
        }
        return TargetKind::Unparsed;
    }
    if t.ends_with('前') && t.contains('年') {
        let year = t.split('年').next().and_then(|y| y.parse().ok());
        return TargetKind::Deadline {
            year,
            month: None,
            day: None,
        };
    }
    if t.chars().any(|c| c.is_ascii_digit()) {
        TargetKind::Unparsed
    } else {
        TargetKind::Qualitative
    }
}
