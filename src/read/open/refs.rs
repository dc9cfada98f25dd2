//! References past Excel's grid (XFD1048576), which calamine's 32-bit arithmetic wraps
//! onto real cells: `<c r="D4294967333">` is read as D37, `MWLQKWX34` as a column near A,
//! and the value written there replaces the one the sheet shows (a file LibreOffice shows
//! with 1,000,000 read as 99,999,999). Such a reference is never written by a spreadsheet
//! program; the sheet is refused as damaged, naming the reference.
//!
//! A reference past the grid that does not wrap (`XFE1`, `A1048577`) comes out of
//! calamine past the grid and is refused where the cells are read
//! ([`super::load_xlsx`]). One that wraps can only be seen in the XML: every `r` and `ref`
//! attribute of a sheet part is looked at ([`first_past_grid`]), in the same pass that
//! inflates the part (the repack's, or the merges scan's when there is no copy).

use memchr::memchr_iter;

/// Excel's last row and column (1-based): XFD1048576.
pub(crate) const MAX_ROW: u64 = 1_048_576;
pub(crate) const MAX_COL: u64 = 16_384;

/// The first `r="…"` or `ref="…"` value in `xml` holding a cell reference past
/// XFD1048576 (or row 0), or a row number past 1048576, as written; `None` when there is
/// none.
pub(super) fn first_past_grid(xml: &[u8]) -> Option<String> {
    // The byte before `=` tells an attribute (` r=`, ` ref=`) from other names (`sqref=`
    // is not a cell's, and calamine's cell reader does not read it).
    for eq in memchr_iter(b'=', xml) {
        let Some(&quote) = xml.get(eq + 1) else { break };
        if quote != b'"' && quote != b'\'' {
            continue;
        }
        let before = &xml[..eq];
        let attribute = match before.last() {
            Some(b'r') => before.len() >= 2 && is_ws(before[before.len() - 2]),
            Some(b'f') => {
                before.len() >= 4 && before.ends_with(b"ref") && is_ws(before[before.len() - 4])
            }
            _ => false,
        };
        if !attribute {
            continue;
        }
        let at = eq - 1;
        let from = at + 3;
        let len = xml[from..]
            .iter()
            .take(64)
            .position(|&b| b == quote)
            .unwrap_or(0);
        let value = &xml[from..from + len];
        if value.split(|&b| b == b':').any(past_grid) {
            return Some(String::from_utf8_lossy(value).into_owned());
        }
    }
    None
}

/// A 0-based position as an A1 reference, for columns past what `model::a1` takes.
pub(super) fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8_lossy(&letters),
        u64::from(row) + 1
    )
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Whether `r` is a cell reference (`$`s allowed) past the grid. Anything that is not a
/// reference (empty, other characters) is not this check's business.
fn past_grid(r: &[u8]) -> bool {
    let r = r.strip_prefix(b"$").unwrap_or(r);
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let rest = &r[letters..];
    let rest = rest.strip_prefix(b"$").unwrap_or(rest);
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    // A row's `r` is its number alone.
    if digits == 0 || digits != rest.len() {
        return false;
    }
    let col = r[..letters].iter().fold(0u64, |c, &b| {
        c.saturating_mul(26)
            .saturating_add(u64::from((b | 0x20) - b'a') + 1)
    });
    let row = rest.iter().fold(0u64, |n, &b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    });
    col > MAX_COL || row > MAX_ROW || row == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(xml: &str) -> Option<String> {
        first_past_grid(xml.as_bytes())
    }

    #[test]
    fn references_past_the_grid_are_found() {
        assert_eq!(
            first(r#"<c r="D4294967333"><v>1</v></c>"#).as_deref(),
            Some("D4294967333")
        );
        assert_eq!(
            first(r#"<c r="MWLQKWX34" t="s">"#).as_deref(),
            Some("MWLQKWX34")
        );
        assert_eq!(
            first(r#"<row r="4294967297">"#).as_deref(),
            Some("4294967297")
        );
        assert_eq!(first(r#"<c r='XFE1'/>"#).as_deref(), Some("XFE1"));
        assert_eq!(
            first(r#"<c s="1" r="A1048577"/>"#).as_deref(),
            Some("A1048577")
        );
        assert_eq!(first(r#"<c r="B0"/>"#).as_deref(), Some("B0"));
        assert_eq!(
            first(r#"<mergeCell ref="A1:D4294967333"/>"#).as_deref(),
            Some("A1:D4294967333")
        );
        assert_eq!(
            first(r#"<dimension ref="A1:$XFE$1"/>"#).as_deref(),
            Some("A1:$XFE$1")
        );
    }

    #[test]
    fn a1_of_wide_positions() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(1_048_575, 16_383), "XFD1048576");
        assert_eq!(a1(0, 16_384), "XFE1");
        assert_eq!(a1(u32::MAX, 0), "A4294967296");
    }

    #[test]
    fn references_inside_the_grid_and_other_attributes_are_not() {
        assert_eq!(first(r#"<c r="XFD1048576"><v>1</v></c><c r="A1"/>"#), None);
        assert_eq!(first(r#"<dimension ref="A1:XFD1048576"/>"#), None);
        assert_eq!(first(r#"<selection sqref="ZZZZ1"/>"#), None);
        assert_eq!(first(r#"<x attr="A99999999"/><c r="A1"/>"#), None);
        assert_eq!(
            first(r#"<t>r=</t><c r=""/><row r="1"/><row r="1048576"/>"#),
            None
        );
    }
}
