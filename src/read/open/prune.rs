//! What calamine's cell reader does not need, left out of the copy it reads.
//!
//! A form's borders make Excel write a cell for every blank inside them, and one for every
//! cell a merged range covers: `<c r="B1" s="1"/>`. In a declaration these are about 70% of
//! the `<c>` elements of a project sheet, and calamine parses each one (its attributes, its
//! reference) only to return an empty value, which the grid then drops. It also parses
//! every `<row>` tag, needed only to place cells written without their reference, and the
//! style of every shared-string cell, needed only to tell a date from a number. Leaving
//! these out of the stored copy ([`super::repack`]) takes about a third off calamine's pass
//! over a folder, more than all of jixiao's own reading costs (README, 性能).
//!
//! Only what cannot change what calamine reads is left out. Before the first `sheetData`,
//! the elements calamine reads past to reach it (sheet properties, views, column widths),
//! but for `dimension`, which it parses. Inside it, outside any cell's content (where
//! calamine takes every start tag for the cell's value, and fails on most):
//! - a self-closed `<c>` written exactly as Excel, WPS, LibreOffice and rust_xlsxwriter
//!   write it (`r` first with a plain reference, then optionally `s` with digits and `t`
//!   with letters, single spaces, `/>`), with only whitespace between it and the tags
//!   around it, and followed by a `<c r="…` or by `</row>`: the next cell then takes its
//!   place from its own reference, not from the one left out;
//! - ` s="…"` in a cell of that form with `t="s"`, whose value is the shared string
//!   whatever its style;
//! - `<row r="7" …>` tags (calamine reads a row's attributes only until its `r`, here the
//!   first), and `</row>` tags each matching one of them (so that no end tag the original
//!   would fail on goes), when every cell of the sheet is of that form: every cell is then
//!   placed by its reference.
//!
//! Tags are found as quick-xml finds them with calamine's settings (the first `>` outside
//! quotes), so nothing inside an attribute value is touched; a part with any comment, CDATA
//! section, DOCTYPE or processing instruction past the XML declaration is copied whole, as
//! is one whose encoding is not UTF-8 (see [`super::merges::prolog`]), or one whose tags do
//! not close. The non-empty cells calamine reads are the same, at the same places (a
//! randomized test below reads both ways); the limit on non-empty cells counted them before
//! and counts them now (the blanks it also counted were never in the grid). Should calamine
//! fail on the copy, the original is read instead ([`super::load_ooxml`]).

use memchr::{memchr, memchr2_iter};

use super::merges::{is_ws, prolog};

/// Leaves out of the sheet part `xml` what calamine's cell reader does not need (see the
/// module docs), moving what is kept to its front: the kept length (the part's own when
/// nothing is left out).
#[cfg(test)]
pub(super) fn prune_empty_cells(xml: &mut [u8]) -> usize {
    prune_checked(xml).0
}

/// [`prune_empty_cells`], and what the walk saw of references past the grid: `Some(None)`
/// when it walked all of `sheetData` and saw none, `None` when it did not walk it (the
/// caller then looks at the whole part, [`super::refs::first_past_grid`]). A `c` or `row`
/// tag whose reference could be past XFD1048576 is never in the plain form (at most 3
/// letters and 7 digits), so only the rare other tags are looked at: no cost on the path
/// every cell takes.
pub(super) fn prune_checked(xml: &mut [u8]) -> (usize, Option<Option<String>>) {
    let len = xml.len();
    let Some(cuts) = plan(xml) else {
        return (len, None);
    };
    let past_grid = Some(cuts.past_grid.clone());
    (prune_with(xml, cuts), past_grid)
}

fn prune_with(xml: &mut [u8], cuts: Cuts) -> usize {
    let len = xml.len();
    let all_placed = cuts.all_placed;
    let list = cuts.into_list();
    let mut cuts = list.iter().filter(|c| all_placed || !c.row);
    let Some(first) = cuts.next() else {
        return len;
    };
    // Each kept run moved down once, after the walk: the walk reads the bytes as they were.
    let mut write = first.from as usize;
    let mut keep_from = first.to as usize;
    for cut in cuts {
        let from = cut.from as usize;
        if from > keep_from {
            xml.copy_within(keep_from..from, write);
            write += from - keep_from;
        }
        keep_from = cut.to as usize;
    }
    xml.copy_within(keep_from..len, write);
    write + (len - keep_from)
}

/// One range to leave out.
#[derive(Clone, Copy)]
struct Cut {
    from: u32,
    to: u32,
    /// A `row` tag's: left out only when every cell is placed by its own reference.
    row: bool,
}

/// What one walk of `sheetData` found to leave out, in order.
struct Cuts {
    /// Blank cells, unused styles and row tags; adjacent ranges of a kind joined.
    list: Vec<Cut>,
    /// The latest range (empty before the first), which the next may join: kept out of
    /// `list`, a row's blanks join it without going through the vector.
    last: Cut,
    /// Whether every `c` tag is in the plain form, with its reference.
    all_placed: bool,
    /// The first reference past XFD1048576 in a `c` or `row` tag not in the plain form.
    past_grid: Option<String>,
}

impl Cuts {
    #[inline]
    fn cut(&mut self, from: usize, to: usize, row: bool) {
        // Parts are capped far below 4 GiB (repack's MAX_SHEET_BYTES).
        let (from, to) = (from as u32, to as u32);
        if self.last.to == from && self.last.row == row {
            self.last.to = to;
        } else {
            // No range cut is empty: only the placeholder before the first.
            if self.last.from < self.last.to {
                self.list.push(self.last);
            }
            self.last = Cut { from, to, row };
        }
    }

    /// All the ranges, in order.
    fn into_list(mut self) -> Vec<Cut> {
        if self.last.from < self.last.to {
            self.list.push(self.last);
        }
        self.list
    }
}

/// The byte ranges to leave out, in order; `None` to leave the part as it is.
fn plan(xml: &[u8]) -> Option<Cuts> {
    let from = prolog(xml)?;
    // `!` and `?` are rare in a sheet (a formula's `Sheet!A1`), `<` is everywhere.
    if memchr2_iter(b'!', b'?', &xml[from..]).any(|i| i > 0 && xml[from + i - 1] == b'<') {
        return None;
    }
    let mut cuts = Cuts {
        // Fewer than one joined cut per 64 bytes in a declaration's sheets: no regrowth.
        list: Vec::with_capacity(xml.len() / 64),
        last: Cut {
            from: 0,
            to: 0,
            row: false,
        },
        all_placed: true,
        past_grid: None,
    };
    let mut pos = head(xml, from, &mut cuts)?;
    // Row start tags left out and not yet matched by an end tag left out: an end tag goes
    // only with a start tag before it, so that the copy never closes a tag the original
    // leaves open (quick-xml fails on an end tag with nothing open).
    let mut open_rows = 0usize;
    // Inside a cell's content calamine reads every start tag as the cell's value, and fails
    // on a `c` or `row` there: nothing is cut until the cell's end tag.
    let mut in_cell = false;
    loop {
        // Every step ends just past a `>` (as `head` does): a tag right at `pos` follows
        // markup, with nothing to look back at.
        debug_assert_eq!(xml[pos - 1], b'>');
        let lt = next_lt(xml, pos)?;
        let follows_markup = |lt: usize| lt == pos || after_markup(xml, lt);
        let rest = &xml[lt + 1..];
        pos = match rest.first()? {
            b'c' => match cell_tag(xml, lt) {
                Some(CellTag::Blank(end)) => {
                    if !in_cell && followed_by_placed_cell(xml, end) && follows_markup(lt) {
                        cuts.cut(lt, end, false);
                    }
                    end
                }
                Some(CellTag::Open { end, unused_style }) => {
                    if let Some((from, to)) = unused_style.filter(|_| !in_cell) {
                        cuts.cut(from, to, false);
                    }
                    in_cell = true;
                    // Most cells are `<v>value</v></c>`: stepped over at once.
                    match xml[end..].strip_prefix(b"<v>") {
                        Some(_) => {
                            let close = next_lt(xml, end + 3)?;
                            if xml[close..].starts_with(b"</v></c>") {
                                in_cell = false;
                                close + 8
                            } else {
                                end
                            }
                        }
                        None => end,
                    }
                }
                None => other_start_tag(xml, lt, &mut cuts, &mut in_cell)?,
            },
            b'v' if rest.starts_with(b"v>") => lt + 3,
            b'/' if rest.starts_with(b"/v>") => lt + 4,
            b'/' if rest.starts_with(b"/c>") => {
                in_cell = false;
                lt + 4
            }
            b'/' if rest.starts_with(b"/row>") => {
                if !in_cell && open_rows > 0 && follows_markup(lt) && before_markup(xml, lt + 6) {
                    open_rows -= 1;
                    cuts.cut(lt, lt + 6, true);
                }
                lt + 6
            }
            b'/' => {
                let end = tag_end(xml, lt + 1)?;
                match local_name(&xml[lt + 2..end - 1]) {
                    b"sheetData" => break,
                    b"c" => in_cell = false,
                    _ => {}
                }
                end
            }
            _ => match plain_row(xml, lt) {
                Some((end, closed)) => {
                    if !in_cell && follows_markup(lt) && before_markup(xml, end) {
                        open_rows += usize::from(!closed);
                        cuts.cut(lt, end, true);
                    }
                    end
                }
                None => other_start_tag(xml, lt, &mut cuts, &mut in_cell)?,
            },
        };
    }
    Some(cuts)
}

/// Steps over a start tag the walk has no fast path for; one named `c` (with a prefix, or
/// not in the plain form) means some cell may be placed by order, and opens a cell's
/// content unless self-closed. Just past its `>`.
fn other_start_tag(xml: &[u8], lt: usize, cuts: &mut Cuts, in_cell: &mut bool) -> Option<usize> {
    let end = tag_end(xml, lt + 1)?;
    let inside = &xml[lt + 1..end - 1];
    let name = local_name(start_tag_name(inside));
    if name == b"c" {
        cuts.all_placed = false;
        *in_cell |= inside.last() != Some(&b'/');
    }
    if (name == b"c" || name == b"row") && cuts.past_grid.is_none() {
        cuts.past_grid = super::refs::first_past_grid(inside);
    }
    Some(end)
}

/// The next `<` from `pos`: values and gaps between tags are short, shorter than a
/// `memchr` call costs to set up.
fn next_lt(xml: &[u8], pos: usize) -> Option<usize> {
    let rest = xml.get(pos..)?;
    // Excel writes tags back to back.
    if rest.first() == Some(&b'<') {
        return Some(pos);
    }
    // Eight bytes at a time, twice; the few bytes left one by one.
    let mut words = rest.chunks_exact(8);
    for (k, word) in words.by_ref().take(2).enumerate() {
        let lts = bytes_eq_lowest(u64::from_le_bytes(word.try_into().unwrap()), b'<');
        if lts != 0 {
            return Some(pos + 8 * k + lts.trailing_zeros() as usize / 8);
        }
    }
    if rest.len() < 16 {
        let at = rest.len() - words.remainder().len();
        return Some(pos + at + words.remainder().iter().position(|&b| b == b'<')?);
    }
    Some(pos + 16 + memchr(b'<', &rest[16..])?)
}

/// Just past the first start tag named `sheetData` (any prefix), which is where calamine's
/// cell reader starts; `None` if there is none, or it is self-closed (no cells).
///
/// On the way, what lies between the root's start tag and `sheetData` (sheet properties,
/// views, column widths: calamine reads past them to reach its cells) is cut, but for
/// `dimension` tags, which calamine reads: when those are self-closed, the elements around
/// them close where they open, and only whitespace lies between tags.
fn head(xml: &[u8], mut pos: usize, cuts: &mut Cuts) -> Option<usize> {
    let mut root_end = None;
    let mut depth = 0usize;
    let mut keep: Vec<(usize, usize)> = Vec::new();
    let mut plain = true;
    loop {
        let lt = next_lt(xml, pos)?;
        plain &= root_end.is_none() || xml[pos..lt].iter().all(|&b| is_ws(b));
        let end = tag_end(xml, lt + 1)?;
        let inside = &xml[lt + 1..end - 1];
        if let Some(name) = inside.strip_prefix(b"/") {
            plain &= depth > 0 && local_name(name) != b"dimension";
            depth = depth.saturating_sub(1);
        } else {
            let name = local_name(start_tag_name(inside));
            let closed = inside.last() == Some(&b'/');
            if name == b"sheetData" {
                if let (Some(from), true) = (root_end, plain && depth == 0) {
                    let mut at = from;
                    for (k_from, k_to) in keep.into_iter().chain([(lt, lt)]) {
                        if k_from > at {
                            cuts.cut(at, k_from, false);
                        }
                        at = k_to;
                    }
                }
                return (!closed).then_some(end);
            }
            if root_end.is_none() {
                root_end = Some(end);
            } else if name == b"dimension" {
                plain &= closed;
                keep.push((lt, end));
            } else if !closed {
                depth += 1;
            }
        }
        pos = end;
    }
}

/// The name of a start tag from what is between its `<` and `>`: up to the first
/// whitespace, without the `/` of a self-closed tag.
fn start_tag_name(inside: &[u8]) -> &[u8] {
    let body = inside.strip_suffix(b"/").unwrap_or(inside);
    let n = body.iter().position(|&b| is_ws(b)).unwrap_or(body.len());
    &body[..n]
}

/// Just past the `>` that ends a tag, read from `from` (just past its `<`, or anywhere
/// before its `>` outside quotes): the first `>` outside quotes, quotes counted anywhere
/// in the tag, as quick-xml's element parser counts them.
fn tag_end(xml: &[u8], from: usize) -> Option<usize> {
    let rest = xml.get(from..)?;
    // The first `>` ends the tag when the quotes before it are closed: an even number of
    // `"` and no `'` (which a `"` value may hold). Found and counted eight bytes at a
    // time, not stepped through: a row's tag has eight quotes, and is shorter than a
    // `memchr` call costs to set up.
    let (mut quotes, mut apostrophes) = (0u64, 0u64);
    let mut words = rest.chunks_exact(8);
    let mut at = 0;
    let gt = loop {
        let Some(word) = words.next() else {
            // The last few bytes one by one.
            let i = at + words.remainder().iter().position(|&b| b == b'>')?;
            for &b in &rest[at..i] {
                quotes ^= u64::from(b == b'"');
                apostrophes |= u64::from(b == b'\'');
            }
            break i;
        };
        let w = u64::from_le_bytes(word.try_into().unwrap());
        // Only the lowest `>` counts, and whether there is any `'` before it.
        let gts = bytes_eq_lowest(w, b'>');
        if gts == 0 {
            quotes ^= bytes_eq(w, b'"');
            apostrophes |= bytes_eq_lowest(w, b'\'');
            at += 8;
            continue;
        }
        // The bits below the first `>`'s.
        let before = (gts & gts.wrapping_neg()) - 1;
        quotes ^= bytes_eq(w, b'"') & before;
        apostrophes |= bytes_eq_lowest(w, b'\'') & before;
        break at + gts.trailing_zeros() as usize / 8;
    };
    // Each quote flipped one bit: as many bits are left set as there were quotes, modulo 2.
    if apostrophes == 0 && quotes.count_ones() % 2 == 0 {
        return Some(from + 1 + gt);
    }
    let mut quote = 0u8;
    for (i, &b) in rest.iter().enumerate() {
        if quote != 0 {
            if b == quote {
                quote = 0;
            }
        } else if b == b'>' {
            return Some(from + 1 + i);
        } else if b == b'"' || b == b'\'' {
            quote = b;
        }
    }
    None
}

/// The bytes of the little-endian word `w` equal to `c`, as their high bits; exactly
/// (a byte's high bit is set only when it is `c`).
#[inline(always)]
fn bytes_eq(w: u64, c: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ (u64::from(c) * 0x0101_0101_0101_0101);
    // A byte's high bit: set in `x` or carried in from its low bits when it is not zero.
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// [`bytes_eq`] for a use that needs only the lowest such byte, or whether there is one:
/// cheaper, and may also flag a byte just above one equal to `c` (a borrow carried up),
/// never one below the lowest.
#[inline(always)]
fn bytes_eq_lowest(w: u64, c: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let x = w ^ (u64::from(c) * ONES);
    x.wrapping_sub(ONES) & !x & (ONES << 7)
}

/// A name's part after its first `:`, as quick-xml's `local_name`; trailing whitespace
/// (allowed in an end tag) dropped.
fn local_name(name: &[u8]) -> &[u8] {
    let end = name.iter().rposition(|&b| !is_ws(b)).map_or(0, |i| i + 1);
    let name = &name[..end];
    match memchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

enum CellTag {
    /// A blank cell in the plain form, ending just before this.
    Blank(usize),
    /// A cell start tag in the plain form that opens content, ending just before `end`;
    /// with the range of its ` s="…"` when it is a shared string's (`t="s"`), whose value
    /// calamine reads without its style.
    Open {
        end: usize,
        unused_style: Option<(usize, usize)>,
    },
}

/// The `<c>` tag at `lt` when it is in the plain form: `r="A1"` first (1–3 capitals, then
/// a row from 1 with up to 7 digits), then any of ` s="digits"` and ` t="letters"` once
/// each, then `/>` or `>`. `None` for any other tag.
///
/// Read in one pass, each byte once: two of three cells in a sheet come through here.
fn cell_tag(xml: &[u8], lt: usize) -> Option<CellTag> {
    // A tag in the plain form is at most 50 bytes, and is read no further than its 55th:
    // from a window of 64, the compiler drops most of the bounds checks.
    match xml.get(lt..lt + 64) {
        Some(window) => plain_cell_tag(window, lt),
        None => plain_cell_tag(xml.get(lt..)?, lt),
    }
}

/// [`cell_tag`] for the bytes `b` from `lt` on.
#[inline(always)]
fn plain_cell_tag(b: &[u8], lt: usize) -> Option<CellTag> {
    const OPEN: &[u8] = b"<c r=\"";
    let b = b.strip_prefix(OPEN)?;
    let at = lt + OPEN.len();
    // Up to 3 capitals: a fourth then fails as the row's first digit.
    let mut i = 0;
    while i < 3 && matches!(b.get(i), Some(b'A'..=b'Z')) {
        i += 1;
    }
    if i == 0 || !matches!(b.get(i), Some(b'1'..=b'9')) {
        return None;
    }
    // Up to 7 digits: an eighth then fails as the closing quote.
    let last = i + 7;
    i += 1;
    while i < last && matches!(b.get(i), Some(b'0'..=b'9')) {
        i += 1;
    }
    if b.get(i) != Some(&b'"') {
        return None;
    }
    i += 1;
    let mut style: Option<(usize, usize)> = None;
    // `t`'s value, once read: `Some(true)` for `t="s"`.
    let mut shared: Option<bool> = None;
    // Each of `s` and `t` at most once, then the end.
    for _ in 0..3 {
        let from = i;
        match b.get(i) {
            Some(b'/') => {
                return (b.get(i + 1) == Some(&b'>')).then_some(CellTag::Blank(at + i + 2))
            }
            Some(b'>') => {
                let unused_style = style.filter(|_| shared == Some(true));
                return Some(CellTag::Open {
                    end: at + i + 1,
                    unused_style: unused_style.map(|(f, t)| (at + f, at + t)),
                });
            }
            Some(b' ') => {}
            _ => return None,
        }
        let name = b.get(i + 1..i + 4)?;
        i += 4;
        let start = i;
        // Up to 9 digits or 12 letters: one more then fails as the closing quote.
        if name == b"s=\"" && style.is_none() {
            while i < start + 9 && b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            style = Some((from, i + 1));
        } else if name == b"t=\"" && shared.is_none() {
            while i < start + 12 && b.get(i).is_some_and(u8::is_ascii_alphabetic) {
                i += 1;
            }
            shared = Some(&b[start..i] == b"s");
        } else {
            return None;
        }
        if i == start || b.get(i) != Some(&b'"') {
            return None;
        }
        i += 1;
    }
    None
}

/// How many bytes from `b[from]` on are `ok`, counting no further than `max`.
#[inline(always)]
fn count(b: &[u8], from: usize, max: usize, ok: impl Fn(&u8) -> bool) -> usize {
    let span = b.get(from..b.len().min(from + max)).unwrap_or_default();
    span.iter().position(|c| !ok(c)).unwrap_or(span.len())
}

/// Whether only whitespace lies between the tag before `lt` and it: leaving the tag at
/// `lt` out then joins no text (`a&` and `b;` would read as `a&b;`).
fn after_markup(xml: &[u8], lt: usize) -> bool {
    if lt > 0 && xml[lt - 1] == b'>' {
        return true;
    }
    let ws = xml[..lt].iter().rev().take_while(|&&b| is_ws(b)).count();
    lt > ws && xml[lt - ws - 1] == b'>'
}

/// Whether only whitespace lies between `end` and the next tag.
fn before_markup(xml: &[u8], end: usize) -> bool {
    let ws = xml[end..].iter().take_while(|&&b| is_ws(b)).count();
    xml.get(end + ws) == Some(&b'<')
}

/// The `row` start tag at `lt` when calamine reads it without failing: `r` first, a row
/// number from 1 (calamine reads attributes only until it finds `r`, so the others are not
/// parsed). Just past its `>`, and whether it is self-closed.
fn plain_row(xml: &[u8], lt: usize) -> Option<(usize, bool)> {
    const OPEN: &[u8] = b"<row r=\"";
    let b = xml.get(lt..)?.strip_prefix(OPEN)?;
    let digits = count(b, 0, 8, u8::is_ascii_digit);
    if !(1..=7).contains(&digits) || b[0] == b'0' || b.get(digits) != Some(&b'"') {
        return None;
    }
    let after = lt + OPEN.len() + digits + 1;
    let end = match xml.get(after)? {
        b'>' => after + 1,
        b'/' if xml.get(after + 1) == Some(&b'>') => after + 2,
        b' ' => tag_end(xml, after)?,
        _ => return None,
    };
    Some((end, xml[end - 2] == b'/'))
}

/// Whether what follows `end`, past whitespace, is a cell placed by its own reference or
/// the end of the row: a blank cell before it can go without moving anything.
fn followed_by_placed_cell(xml: &[u8], end: usize) -> bool {
    // Excel writes the next tag right after.
    if let Some(b"<c r=\"" | b"</row>") = xml.get(end..end + 6) {
        return true;
    }
    let rest = &xml[end..];
    let ws = rest.iter().take_while(|&&b| is_ws(b)).count();
    let rest = &rest[ws..];
    rest.starts_with(b"<c r=\"") || rest.starts_with(b"</row>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pruned(xml: &str) -> String {
        let mut bytes = xml.as_bytes().to_vec();
        let len = prune_empty_cells(&mut bytes);
        bytes.truncate(len);
        String::from_utf8(bytes).unwrap()
    }

    fn sheet(data: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet \
             xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><dimension \
             ref=\"A1:C2\"/>{data}<mergeCells count=\"1\"><mergeCell ref=\"A1:C1\"/></mergeCells>\
             </worksheet>"
        )
    }

    #[test]
    fn excel_blanks_rows_and_string_styles_go_and_values_stay() {
        let xml = sheet(
            "<sheetData><row r=\"1\" spans=\"1:3\" ht=\"27.75\" customHeight=\"1\">\
             <c r=\"A1\" s=\"1\" t=\"s\"><v>0</v></c><c r=\"B1\" s=\"1\"/><c r=\"C1\" s=\"1\"/>\
             </row><row r=\"2\"><c r=\"A2\"/><c r=\"B2\" t=\"n\"/><c r=\"C2\" s=\"4\"><v>3</v></c>\
             <c r=\"D2\" t=\"str\" s=\"2\"><f>A1</f><v>x</v></c></row><row r=\"3\"/></sheetData>",
        );
        assert_eq!(
            pruned(&xml),
            sheet(
                "<sheetData><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C2\" s=\"4\"><v>3</v></c>\
                 <c r=\"D2\" t=\"str\" s=\"2\"><f>A1</f><v>x</v></c></sheetData>"
            )
        );
    }

    #[test]
    fn what_comes_before_sheet_data_goes_but_the_dimension() {
        let xml = "<?xml version=\"1.0\"?>\n<worksheet xmlns=\"m\"><sheetPr><pageSetUpPr \
                   fitToPage=\"1\"/></sheetPr><dimension ref=\"A1:H49\"/><sheetViews><sheetView \
                   workbookViewId=\"0\"/></sheetViews>\n <cols><col min=\"1\" max=\"1\"/></cols>\
                   <sheetData><c r=\"A1\"><v>1</v></c></sheetData></worksheet>";
        assert_eq!(
            pruned(xml),
            "<?xml version=\"1.0\"?>\n<worksheet xmlns=\"m\"><dimension ref=\"A1:H49\"/>\
             <sheetData><c r=\"A1\"><v>1</v></c></sheetData></worksheet>"
        );
        // Text, an element closed late, or a dimension with content: left as it is.
        for head in [
            "<sheetPr>x</sheetPr>",
            "<sheetPr>",
            "</sheetPr>",
            "<dimension ref=\"A1\"></dimension>",
        ] {
            let xml = format!(
                "<worksheet>{head}<sheetData><c r=\"A1\"><v>1</v></c></sheetData></worksheet>"
            );
            assert_eq!(pruned(&xml), xml, "{head}");
        }
    }

    #[test]
    fn with_a_cell_placed_by_order_rows_stay_and_the_blank_before_it() {
        // C1 has no reference: calamine puts it after the cell before it, B1, in the row
        // its `row` tags count.
        let xml = sheet(
            "<sheetData><row r=\"1\"><c r=\"A1\" s=\"1\"/><c r=\"B1\" s=\"1\"/>\
             <c><v>1</v></c></row><row r=\"2\"><c r=\"A2\" s=\"1\"/></row></sheetData>",
        );
        assert_eq!(
            pruned(&xml),
            sheet(
                "<sheetData><row r=\"1\"><c r=\"B1\" s=\"1\"/><c><v>1</v></c></row>\
                 <row r=\"2\"></row></sheetData>"
            )
        );
        let prefixed =
            sheet("<sheetData><row r=\"1\"><x:c r=\"A1\"><v>1</v></x:c></row></sheetData>");
        assert_eq!(pruned(&prefixed), prefixed);
    }

    #[test]
    fn other_shapes_stay() {
        for cell in [
            "<c r=\"a1\"/>",
            "<c r=\"A0\"/>",
            "<c r=\"A01\"/>",
            "<c r=\"ABCD1\"/>",
            "<c r=\"A12345678\"/>",
            "<c s=\"1\" r=\"A1\"/>",
            "<c r=\"A1\" s=\"x\"/>",
            "<c r=\"A1\" s=\"1\" s=\"1\"/>",
            "<c r=\"A1\"  s=\"1\"/>",
            "<c r=\"A1\" s=\"1\" />",
            "<c r=\"A1\" cm=\"1\"/>",
            "<x:c r=\"A1\"/>",
            "<c r='A1'/>",
            "<c r=\"A1\" s=\"1\" t=\"s\" cm=\"1\"><v>0</v></c>",
        ] {
            let xml = sheet(&format!("<sheetData><row r=\"1\">{cell}</row></sheetData>"));
            assert_eq!(pruned(&xml), xml, "{cell}");
        }
    }

    #[test]
    fn the_longest_plain_cells_go_and_longer_ones_stay() {
        // 50 bytes, the most a plain cell takes.
        let longest = "<c r=\"XFD1048576\" s=\"123456789\" t=\"abcdefghijkl\"/>";
        let xml = sheet(&format!(
            "<sheetData><row r=\"1\">{longest}<c r=\"A2\" t=\"s\" s=\"1\"><v>0</v></c></row>\
             </sheetData>"
        ));
        assert_eq!(
            pruned(&xml),
            sheet("<sheetData><c r=\"A2\" t=\"s\"><v>0</v></c></sheetData>")
        );
        for cell in [
            "<c r=\"XFD10485760\"/>",
            "<c r=\"A1\" s=\"1234567890\"/>",
            "<c r=\"A1\" t=\"abcdefghijklm\"/>",
            "<c r=\"A1\" s=\"1\" t=\"s\" s=\"1\"/>",
            "<c r=\"A1\" t=\"s\" s=\"1\" t=\"s\"/>",
            "<c r=\"A1\" s=\"\"/>",
        ] {
            let xml = sheet(&format!("<sheetData><row r=\"1\">{cell}</row></sheetData>"));
            assert_eq!(pruned(&xml), xml, "{cell}");
        }
        // Near the part's end, fewer than 64 bytes left to read a cell from.
        for end in [
            "<c r=\"A1\" s=\"1\"/",
            "<c r=\"A1\" s=\"1\"/>",
            "<c r=\"A1\"",
        ] {
            let xml = format!("<worksheet><sheetData><row r=\"1\">{end}");
            assert_eq!(pruned(&xml), xml, "{end}");
        }
    }

    #[test]
    fn only_inside_the_first_sheet_data() {
        let blank = "<c r=\"A1\" s=\"1\"/><c r=\"A2\"/>";
        // Before sheetData, in an attribute value, after its end, or with markup that
        // quick-xml reads another way: nothing changes.
        for xml in [
            format!("<worksheet><foo>{blank}</foo><sheetData/></worksheet>"),
            format!("<worksheet><sheetData/><row>{blank}</worksheet>"),
            format!("<worksheet><sheetData><foo a='{blank}'/><c r=\"B1\"><v>1</v></c></sheetData></worksheet>"),
            format!("<worksheet><sheetData><foo a=\"'\" b='{blank}'/></sheetData></worksheet>"),
            format!("<worksheet><sheetData></sheetData><row>{blank}</worksheet>"),
            format!("<worksheet><sheetData><!-- x --><row>{blank}</sheetData></worksheet>"),
            format!("<worksheet><sheetData><row>{blank}<?pi x?></sheetData></worksheet>"),
            format!("<worksheet><x:sheetData></x:sheetData ><row>{blank}</worksheet>"),
            format!("<?xml version=\"1.0\" encoding=\"GBK\"?><worksheet><sheetData><row>{blank}</sheetData></worksheet>"),
        ] {
            assert_eq!(pruned(&xml), xml, "{xml}");
        }
        let prefixed = format!(
            "<x:worksheet><x:sheetData>{blank}<c r=\"A3\"><v>1</v></c></x:sheetData></x:worksheet>"
        );
        assert_eq!(
            pruned(&prefixed),
            "<x:worksheet><x:sheetData><c r=\"A3\"><v>1</v></c></x:sheetData></x:worksheet>"
        );
    }

    #[test]
    fn tag_end_and_next_lt_find_what_a_byte_walk_finds() {
        // Stepped through byte by byte, as quick-xml does.
        fn walked(xml: &[u8], from: usize) -> Option<usize> {
            let mut quote = None;
            for (i, &b) in xml.iter().enumerate().skip(from) {
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'>' => return Some(i + 1),
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None => {}
                }
            }
            None
        }
        // Words of eight with `<`, `>`, quotes and the bytes next to theirs (`#` after `"`
        // would borrow in a cheaper test) anywhere in them, and shorter tails.
        let mut rng = crate::corpus::SplitMix64::new(5);
        for _ in 0..100_000 {
            let len = rng.below(40) as usize;
            let xml: Vec<u8> = (0..len).map(|_| *rng.pick(b"a<>\"'#&=?; ")).collect();
            let from = rng.below(len as u64 + 1) as usize;
            assert_eq!(
                tag_end(&xml, from),
                walked(&xml, from),
                "{}",
                String::from_utf8_lossy(&xml)
            );
            let lt = xml[from..].iter().position(|&b| b == b'<');
            assert_eq!(next_lt(&xml, from), lt.map(|i| from + i));
        }
    }

    /// The cells calamine's cell reader gives for a one-sheet workbook (sheet `S`) with
    /// `sheet` as its part: the non-empty ones with their places, or the error.
    fn cells(sheet: &str) -> Result<Vec<String>, String> {
        let strings =
            "<sst count=\"2\" uniqueCount=\"2\"><si><t>甲</t></si><si><t>乙</t></si></sst>";
        let bytes = super::super::merges::tests::one_sheet_with(
            sheet.as_bytes(),
            &[("xl/sharedStrings.xml", strings.as_bytes())],
        );
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
                .map_err(|e: calamine::XlsxError| e.to_string())?;
        let mut r = wb.worksheet_cells_reader("S").map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        while let Some(c) = r.next_cell().map_err(|e| e.to_string())? {
            let v = calamine::Data::from(c.get_value().clone());
            if !matches!(v, calamine::Data::Empty) {
                out.push(format!("{:?} {v:?}", c.get_position()));
            }
        }
        Ok(out)
    }

    /// Random sheets from pieces Excel writes and pieces it does not (it found a row tag and
    /// a blank inside a cell's content, which calamine fails on): whenever calamine
    /// reads the pruned part, it reads the same non-empty cells, at the same places, as
    /// from the whole part (when it fails on the pruned part, the original is read).
    #[test]
    fn random_sheets_read_the_same_pruned() {
        const PIECES: &[&str] = &[
            r#"<row r="1">"#,
            "<row>",
            r#"<row r="2" spans="1:3" ht="20" customHeight="1">"#,
            r#"<row r="3"/>"#,
            "</row>",
            r#"<x:row r="4">"#,
            "</x:row>",
            r#"<c r="A1" s="1"/>"#,
            r#"<c r="B1"/>"#,
            r#"<c r="C1" s="2" t="s"/>"#,
            r#"<c r="D1" t="n"/>"#,
            r#"<c r="A2" s="1" t="s"><v>0</v></c>"#,
            r#"<c r="B2" t="s" s="4"><v>1</v></c>"#,
            r#"<c r="C2" s="3"><v>1.5</v></c>"#,
            r#"<c r="D2" s="3" t="str"><f>A1</f><v>x</v></c>"#,
            r#"<c r="E2" t="inlineStr"><is><t>字</t></is></c>"#,
            r#"<c r="AB12"><v>7</v></c>"#,
            r#"<c s="1"/>"#,
            "<c><v>8</v></c>",
            r#"<c t="s"><v>1</v></c>"#,
            r#"<x:c r="F1"><v>2</v></x:c>"#,
            r#"<x:c r="F2"/>"#,
            r#"<cx:c r="F3"><v>4</v></cx:c>"#,
            "<cx:c><v>5</v></cx:c>",
            r#"<c r="G1" s="1" />"#,
            r#"<c r="a1"/>"#,
            r#"<c r="H1" cm="1"/>"#,
            r#"<c r="I1" s="1" t="s" x='<c r="J1"/>'><v>0</v></c>"#,
            r#"<c r="K1" s="1" t="s" x="'"><v>1</v></c>"#,
            r#"<foo a='<c r="K1"/><row>'/>"#,
            r#"<foo a="a>b"/>"#,
            r#"<!-- <c r="L1"/> -->"#,
            "</sheetData>",
            r#"<row x r="5">"#,
            r#"<row r="x">"#,
            r#"<row r="0">"#,
            r#"<row spans="1:2" r="6" r="y">"#,
            "</row >",
            "<f>",
            "</f>",
            r#"<c r="Q1" s="1" t="s">"#,
            "</c>",
            "a&",
            "b;",
            "&amp;",
            "junk",
            " ",
            "\n",
        ];
        let mut rng = crate::corpus::SplitMix64::new(11);
        let (mut same, mut pruned_any) = (0, 0);
        // What may come before sheetData.
        const HEAD: &[&str] = &[
            r#"<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>"#,
            r#"<sheetViews><sheetView workbookViewId="0"/></sheetViews>"#,
            r#"<sheetFormatPr defaultRowHeight="15"/>"#,
            r#"<cols><col min="1" max="2" width="10.7"/></cols>"#,
            r#"<dimension ref="A1:C2"/>"#,
            r#"<x:dimension ref="B2"/>"#,
            "<dimension/>",
            r#"<dimension ref="1A"/>"#,
            r#"<dimension ref="A1"></dimension>"#,
            "<foo>",
            "</foo>",
            "<x:sheetPr/>",
            "junk",
            " ",
        ];
        for _ in 0..6000 {
            let n = 1 + rng.below(12);
            let body: String = (0..n).map(|_| *rng.pick(PIECES)).collect();
            let head: String = (0..rng.below(5)).map(|_| *rng.pick(HEAD)).collect();
            let xml = format!(
                "<?xml version=\"1.0\"?>\n<worksheet>{head}<sheetData>{body}</sheetData></worksheet>"
            );
            let cut = pruned(&xml);
            pruned_any += usize::from(cut.len() < xml.len());
            if let Ok(after) = cells(&cut) {
                assert_eq!(cells(&xml), Ok(after), "{xml}\n{cut}");
                same += 1;
            }
        }
        assert!(
            same > 1200 && pruned_any > 800,
            "{same} read, {pruned_any} pruned"
        );
    }

    #[test]
    fn an_unclosed_tag_leaves_the_part_as_it_is() {
        let xml = "<worksheet><sheetData><row><c r=\"A1\"/></row><c r=\"A2\" s=\"1";
        assert_eq!(pruned(xml), xml);
        let xml = "<worksheet><sheetData><row><c r=\"A1\"/></row>";
        assert_eq!(pruned(xml), xml);
    }
}
