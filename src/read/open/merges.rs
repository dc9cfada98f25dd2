//! Merged ranges of xlsx sheets from one byte scan of each inflated sheet part.
//!
//! calamine's `merge_cells_by_sheet_name` inflates a sheet part a second time and runs all
//! of it through its XML reader to reach `<mergeCells>`, which Excel writes after
//! `</sheetData>`; over a folder rollup that second parse was about a fifth of the time.
//! Here the inflated part is scanned: the `sheetData` element is stepped over
//! with `memmem` searches, and only what lies outside it is tokenized, the way quick-xml
//! tokenizes it with calamine's settings (`expand_empty_elements`, no end-name checks,
//! unmatched end tags an error), following calamine's own loop and its `get_dimension`.
//! The sheet name → part path mapping is calamine's too (which it keeps private):
//! `_rels/.rels` → workbook part → its `.rels` → `<sheet r:id>`, with its
//! case-insensitive, backslash-tolerant lookup of zip entries.
//!
//! The part is inflated once: [`super::repack`] inflates every worksheet part for the copy
//! of the workbook calamine reads, and scans it then ([`XlsxParts::scanned`]). Only when
//! there is no copy (the original is read as before) does [`XlsxParts::merges`] inflate the
//! part again, into a reused buffer, after calamine has read its cells.
//!
//! The scan answers `None` whenever it is not certain to give what calamine would, and the
//! caller then asks calamine: a mapping that is not calamine's sheet list, a sheet name
//! used twice, a part not found or larger than declared, an encoding other than UTF-8, a
//! comment, CDATA section or processing instruction outside `sheetData`, a `<` inside a
//! tag, an `&` not closed by `;`, a `ref` that does not parse or runs backwards, a possible
//! `mergeCells` tag inside `sheetData`, a `sheetData` end tag not where the search found
//! it, or any `sheetData` after it.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::sync::LazyLock;

use calamine::Dimensions;
use memchr::{memchr, memchr3_iter, memmem};
use quick_xml::events::{BytesStart, Event};

use super::LIMITS;

/// An xlsx's zip and the parts of its sheets, as calamine resolves them.
pub(super) struct XlsxParts<'a> {
    /// The file's bytes, and the zip read from them.
    pub(super) bytes: &'a [u8],
    pub(super) zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// Lower-cased entry name with `\` as `/` → entry name (calamine's `zip_path_cache`).
    entries: HashMap<String, String>,
    /// Whether two entry names are one key of `entries` (calamine takes the last).
    pub(super) names_collide: bool,
    /// Every sheet in workbook order (any type): its name, its part path, and whether it is
    /// a worksheet.
    pub(super) sheets: Vec<(String, String, bool)>,
    /// The part last inflated here (a workbook part, or a sheet's when there is no copy),
    /// reused from part to part.
    pub(super) buf: Vec<u8>,
    /// Part path → the scan of that part, for parts already scanned when they were inflated
    /// for the repack (see [`super::repack`]).
    pub(super) scanned: HashMap<String, Option<Vec<Dimensions>>>,
    /// Part path → the first cell reference past XFD1048576 in it, for parts inflated here
    /// or by the repack (see [`super::refs`]).
    pub(super) past_grid: HashMap<String, String>,
}

impl<'a> XlsxParts<'a> {
    /// Reads the workbook's sheet → part mapping, and checks it against `worksheets` (the
    /// names calamine listed, in order); see [`XlsxParts::read`] and [`XlsxParts::lists`].
    #[cfg(test)]
    pub(super) fn open(bytes: &'a [u8], worksheets: &[&str]) -> Option<XlsxParts<'a>> {
        XlsxParts::read(bytes).filter(|p| p.lists(worksheets))
    }

    /// Whether the mapping's worksheets are exactly `worksheets`, the names calamine listed,
    /// in order. When not, every sheet's merges come from calamine.
    pub(super) fn lists(&self, worksheets: &[&str]) -> bool {
        self.sheets
            .iter()
            .filter(|(_, _, worksheet)| *worksheet)
            .map(|(n, _, _)| n.as_str())
            .eq(worksheets.iter().copied())
    }

    /// Reads the workbook's sheet → part mapping. `None` when it cannot be resolved as
    /// calamine resolves it.
    pub(super) fn read(bytes: &'a [u8]) -> Option<XlsxParts<'a>> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let mut entries = HashMap::with_capacity(zip.len());
        let mut names_collide = false;
        for name in zip.file_names() {
            let name = name.ok()?;
            names_collide |= entries
                .insert(
                    name.replace('\\', "/").to_ascii_lowercase(),
                    name.into_owned(),
                )
                .is_some();
        }
        let mut parts = XlsxParts {
            bytes,
            zip,
            entries,
            names_collide,
            sheets: Vec::new(),
            buf: Vec::new(),
            scanned: HashMap::new(),
            past_grid: HashMap::new(),
        };
        let (xl_path, workbook_name) = {
            let rels = parts.inflate("_rels/.rels")?;
            office_document(rels)?
        };
        let rels = {
            let xml = parts.inflate(&format!("{xl_path}_rels/{workbook_name}.rels"))?;
            relationships(xml)?
        };
        let sheets = match parts.inflate(&format!("{xl_path}{workbook_name}")) {
            Some(xml) => sheet_parts(xml, &rels, &xl_path)?,
            // calamine reads no sheets from a missing workbook part.
            None => Vec::new(),
        };
        parts.sheets = sheets;
        Some(parts)
    }

    /// The merged ranges of sheet `name`, exactly as calamine's `merge_cells_by_sheet_name`
    /// returns them when it succeeds; `None` when not certain.
    pub(super) fn merges(&mut self, name: &str) -> Option<Vec<Dimensions>> {
        let mut found = self.sheets.iter().filter(|(n, _, _)| n == name);
        let (_, path, _) = found.next()?;
        if found.next().is_some() {
            return None;
        }
        if let Some(scanned) = self.scanned.get(path) {
            return scanned.clone();
        }
        let path = path.clone();
        let xml = self.inflate(&path)?;
        if let Some(r) = super::refs::first_past_grid(xml) {
            self.past_grid.insert(path, r);
            return None;
        }
        scan(xml)
    }

    /// The first reference past XFD1048576 in sheet `name`'s part, if the part has been
    /// inflated (by the repack, or by [`XlsxParts::merges`]) and holds one.
    pub(super) fn past_grid(&self, name: &str) -> Option<&str> {
        let mut found = self.sheets.iter().filter(|(n, _, _)| n == name);
        let (_, path, _) = found.next()?;
        self.past_grid.get(path).map(String::as_str)
    }

    /// The zip entry name of the part at `path`, looked up as calamine looks it up.
    pub(super) fn entry_name<'p>(&'p self, path: &'p str) -> &'p str {
        let key = path.to_ascii_lowercase();
        self.entries.get(&key).map_or(path, String::as_str)
    }

    /// Inflates the part at `path` (looked up as calamine looks it up) into the buffer,
    /// never more than its declared size.
    fn inflate(&mut self, path: &str) -> Option<&[u8]> {
        let entry = self.entry_name(path).to_string();
        let f = self.zip.by_name(&entry).ok()?;
        fill(&mut self.buf, f)?;
        Some(&self.buf)
    }
}

/// Inflates `f` into `buf`, never more than its declared size; `None` when it fails or is
/// larger than declared.
fn fill<R: Read>(buf: &mut Vec<u8>, mut f: zip::read::ZipFile<'_, R>) -> Option<()> {
    let size = f.size();
    if size > LIMITS.max_part_bytes {
        return None;
    }
    buf.clear();
    buf.try_reserve(size as usize).ok()?;
    // One byte past the declared size tells a part that is larger than it says (zip 9.8
    // fails such a read anyway).
    (&mut f).take(size + 1).read_to_end(buf).ok()?;
    if buf.len() as u64 > size {
        return None;
    }
    Some(())
}

/// quick-xml set up as calamine's `xml_reader` sets it up.
fn xml_reader(xml: &[u8]) -> quick_xml::Reader<&[u8]> {
    let mut r = quick_xml::Reader::from_reader(xml);
    let config = r.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    r
}

/// `_rels/.rels`: the directory and file name of the workbook part (calamine's
/// `read_package_relationships`).
fn office_document(xml: &[u8]) -> Option<(String, String)> {
    let mut r = xml_reader(xml);
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "Relationships" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    let mut target = None;
    loop {
        buf.clear();
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                let [typ, t] = get_attrs(&e, ["Type", "Target"])?;
                if typ.is_some_and(|t| t.ends_with("/relationships/officeDocument")) {
                    if let Some(t) = t {
                        target = Some(quick_xml::escape::unescape(t).ok()?.into_owned());
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == "Relationships" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    let target = target?;
    let (dir, name) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let name = if name.is_empty() {
        "workbook.xml"
    } else {
        name
    };
    Some((
        dir.strip_prefix('/').unwrap_or(dir).to_string(),
        name.to_string(),
    ))
}

/// The workbook part's relationships: id → (target, type), later ids replacing earlier
/// ones (calamine's `read_relationships`).
fn relationships(xml: &[u8]) -> Option<HashMap<String, (String, String)>> {
    let mut r = xml_reader(xml);
    let mut buf = Vec::with_capacity(1024);
    let mut rels = HashMap::new();
    loop {
        buf.clear();
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                let [id, typ, target] = get_attrs(&e, ["Id", "Type", "Target"])?;
                if let Some(id) = id {
                    let typ = typ.unwrap_or_default().to_string();
                    let target = target.unwrap_or_default().to_string();
                    rels.insert(id.to_string(), (target, typ));
                }
            }
            Event::End(e) if e.local_name().as_ref() == "Relationships" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    Some(rels)
}

/// The workbook part's `<sheet>` elements: (name, part path, is a worksheet), in order
/// (calamine's `read_workbook`).
fn sheet_parts(
    xml: &[u8],
    rels: &HashMap<String, (String, String)>,
    xl_path: &str,
) -> Option<Vec<(String, String, bool)>> {
    let mut r = xml_reader(xml);
    let mut buf = Vec::with_capacity(1024);
    let mut inner = Vec::new();
    let mut sheets = Vec::new();
    loop {
        buf.clear();
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "sheet" => {
                let mut name = None;
                let mut rel_id = "";
                for a in RawAttrs::new(e.attributes_raw()) {
                    let (k, v) = a?;
                    match k {
                        "name" => name = Some(quick_xml::escape::unescape(v).ok()?.into_owned()),
                        "state" => {}
                        k if k == "id"
                            || k.strip_suffix("id").is_some_and(|p| p.ends_with(':')) =>
                        {
                            rel_id = v
                        }
                        _ => {}
                    }
                }
                let (target, typ) = rels.get(rel_id)?;
                let path = match target.strip_prefix('/') {
                    Some(abs) => abs.to_string(),
                    None => format!("{xl_path}{target}"),
                };
                let worksheet = match typ.split('/').next_back() {
                    Some("worksheet") => true,
                    Some("chartsheet" | "dialogsheet") => false,
                    _ => return None,
                };
                sheets.push((name.unwrap_or_default(), path, worksheet));
            }
            Event::Start(e) if e.local_name().as_ref() == "definedName" => {
                // calamine reads a defined name's text up to its end tag, past anything
                // inside it.
                if raw_attr(e.attributes_raw(), "name")?.is_none() {
                    continue;
                }
                let end = e.name().as_ref().to_string();
                loop {
                    inner.clear();
                    match r.read_event_into(&mut inner).ok()? {
                        Event::End(x) if x.name().as_ref() == end.as_str() => break,
                        Event::Eof => return None,
                        _ => {}
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == "workbook" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    Some(sheets)
}

/// calamine's `get_attrs!`: one pass over the attributes, stopping once as many keys have
/// matched as were asked for (a repeated key counts twice, as there).
fn get_attrs<'e, const N: usize>(
    e: &'e BytesStart,
    keys: [&str; N],
) -> Option<[Option<&'e str>; N]> {
    let mut out = [None; N];
    let mut found = 0;
    for a in RawAttrs::new(e.attributes_raw()) {
        let (k, v) = a?;
        if let Some(i) = keys.iter().position(|key| *key == k) {
            out[i] = Some(v);
            found += 1;
            if found == N {
                break;
            }
        }
    }
    Some(out)
}

/// The first attribute named exactly `name`: `Some(None)` when absent, `None` when a
/// malformed attribute comes first (calamine's `raw_attr`, an error there).
fn raw_attr<'s>(attrs: &'s str, name: &str) -> Option<Option<&'s str>> {
    for a in RawAttrs::new(attrs) {
        let (k, v) = a?;
        if k == name {
            return Some(Some(v));
        }
    }
    Some(None)
}

/// calamine's `RawAttrIter`: `(key, raw value)` pairs of an element's attribute text;
/// `None` for a malformed one (a key without `=`, an unquoted value), which ends it.
struct RawAttrs<'s> {
    raw: &'s str,
    pos: usize,
}

impl<'s> RawAttrs<'s> {
    fn new(raw: &'s str) -> RawAttrs<'s> {
        RawAttrs { raw, pos: 0 }
    }
}

impl<'s> Iterator for RawAttrs<'s> {
    type Item = Option<(&'s str, &'s str)>;

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.raw.as_bytes();
        let len = b.len();
        let mut pos = self.pos;
        while pos < len && b[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= len {
            self.pos = pos;
            return None;
        }
        let key_start = pos;
        while pos < len && b[pos] != b'=' {
            pos += 1;
        }
        if pos >= len {
            self.pos = len;
            return Some(None);
        }
        let key = self.raw[key_start..pos].trim_ascii_end();
        pos += 1;
        while pos < len && b[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let quote = match b.get(pos) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                self.pos = len;
                return Some(None);
            }
        };
        pos += 1;
        let start = pos;
        while pos < len && b[pos] != quote {
            pos += 1;
        }
        let value = &self.raw[start..pos];
        if pos < len {
            pos += 1;
        }
        self.pos = pos;
        Some(Some((key, value)))
    }
}

/// XML whitespace, as quick-xml has it.
pub(super) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The part of a qualified name after its first `:`, as quick-xml's `local_name`.
fn local(name: &str) -> &str {
    name.split_once(':').map_or(name, |(_, l)| l)
}

/// One tag, as quick-xml reads it from a `<` with calamine's settings.
struct Tag<'s> {
    end: bool,
    /// A self-closed start tag (read as a start and an end).
    empty: bool,
    name: &'s str,
    attrs: &'s str,
    /// Just past the `>`.
    next: usize,
}

/// The tag whose `<` is at `lt`; `None` for anything but a plain start or end tag that
/// closes, is UTF-8 and holds no `<`.
fn tag(xml: &[u8], lt: usize) -> Option<Tag<'_>> {
    let first = *xml.get(lt + 1)?;
    if first == b'!' || first == b'?' {
        return None;
    }
    // The first `>` outside quotes, quotes counted anywhere in the tag (quick-xml's
    // `ElementParser`).
    let mut quote = None;
    let mut gt = None;
    for i in memchr3_iter(b'>', b'\'', b'"', &xml[lt + 1..]) {
        let c = xml[lt + 1 + i];
        match (quote, c) {
            (None, b'>') => {
                gt = Some(lt + 1 + i);
                break;
            }
            (None, q) => quote = Some(q),
            (Some(q), c) if q == c => quote = None,
            _ => {}
        }
    }
    let gt = gt?;
    let inside = &xml[lt + 1..gt];
    if memchr(b'<', inside).is_some() {
        return None;
    }
    let inside = std::str::from_utf8(inside).ok()?;
    if let Some(content) = inside.strip_prefix('/') {
        let name = content.trim_end_matches([' ', '\t', '\r', '\n']);
        let name = if name.is_empty() { content } else { name };
        return Some(Tag {
            end: true,
            empty: false,
            name,
            attrs: "",
            next: gt + 1,
        });
    }
    let (content, empty) = match inside.strip_suffix('/') {
        Some(c) => (c, true),
        None => (inside, false),
    };
    let n = content.bytes().position(is_ws).unwrap_or(content.len());
    Some(Tag {
        end: false,
        empty,
        name: &content[..n],
        attrs: &content[n..],
        next: gt + 1,
    })
}

/// Text between tags: quick-xml fails on an `&` not closed by `;` before the next `&`, and
/// on text that is not UTF-8.
fn text_ok(t: &[u8]) -> bool {
    let mut rest = t;
    while let Some(i) = memchr(b'&', rest) {
        rest = &rest[i + 1..];
        match rest.iter().position(|&b| b == b';' || b == b'&') {
            Some(j) if rest[j] == b';' => rest = &rest[j + 1..],
            _ => return false,
        }
    }
    t.is_ascii() || std::str::from_utf8(t).is_ok()
}

/// Where the markup starts, past a UTF-8 byte-order mark and an XML declaration that does
/// not name another encoding; `None` for UTF-16 or a declared non-UTF-8 encoding.
pub(super) fn prolog(xml: &[u8]) -> Option<usize> {
    let p = if xml.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let head = &xml[p..xml.len().min(p + 4)];
    if head.starts_with(b"\xFE\xFF") || head.starts_with(b"\xFF\xFE") || head.contains(&0) {
        return None;
    }
    let rest = &xml[p..];
    if !rest.starts_with(b"<?") {
        return Some(p);
    }
    if !(rest.starts_with(b"<?xml") && rest.get(5).is_some_and(|&b| is_ws(b) || b == b'?')) {
        return None;
    }
    let end = memmem::find(rest, b"?>")?;
    let decl = std::str::from_utf8(&rest[5..end]).ok()?;
    for a in RawAttrs::new(decl) {
        let (k, v) = a?;
        if k == "encoding" && !v.eq_ignore_ascii_case("utf-8") && !v.eq_ignore_ascii_case("utf8") {
            return None;
        }
    }
    Some(p + end + 2)
}

/// From just past `<sheetData …>` at `from`: just past its end tag.
///
/// The end is taken to be the first `sheetData` after `from`, which must read as
/// `</[prefix:]sheetData>`. calamine's cell reader has stopped at the real end before this
/// is asked (the caller reads the cells first), so were that first one a lookalike (in a
/// comment, CDATA, or an attribute value quick-xml lets hold a `<`), the real end would come
/// after it: hence no `sheetData` may follow. `None` also when a tag named `mergeCells` may
/// be inside: calamine would take its merges from there.
fn skip_sheet_data(xml: &[u8], from: usize) -> Option<usize> {
    // Built once: building a searcher costs more than searching a small sheet's tail.
    static NAME: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"sheetData"));
    static MERGE_CELLS: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"mergeCells"));
    let i = from + NAME.find(&xml[from..])?;
    let mut k = i;
    if xml[k - 1] == b':' {
        k -= 1;
        while k > from && (xml[k - 1].is_ascii_alphanumeric() || b"_-.".contains(&xml[k - 1])) {
            k -= 1;
        }
    }
    if k < from + 2 || &xml[k - 2..k] != b"</" {
        return None;
    }
    let mut j = i + NAME.needle().len();
    while xml.get(j).is_some_and(|&b| is_ws(b)) {
        j += 1;
    }
    if xml.get(j) != Some(&b'>') || NAME.find(&xml[j..]).is_some() {
        return None;
    }
    // `<mergeCells` or `<prefix:mergeCells`; text (escaped) has `&lt;` before the name.
    // Prefixed lookalikes in text (`&lt;x:mergeCells`) are left to calamine.
    let body = &xml[from..k - 2];
    for m in MERGE_CELLS.find_iter(body) {
        if m == 0 || matches!(body[m - 1], b'<' | b':') {
            return None;
        }
    }
    Some(j + 1)
}

/// The ranges of `ref` as calamine's `get_dimension` reads them; `None` where it fails, and
/// for a range that runs backwards (calamine subtracts its corners, which overflows).
/// One pass over the bytes: this runs for every merged range of every sheet.
fn dimension(r: &[u8]) -> Option<Dimensions> {
    let (start, rest) = cell(r)?;
    let end = match rest {
        [] => start,
        // Anything after a second cell (a third part, to calamine) fails.
        [b':', second @ ..] => match cell(second)? {
            (end, []) => end,
            _ => return None,
        },
        _ => return None,
    };
    if end.0 < start.0 || end.1 < start.1 {
        return None;
    }
    Some(Dimensions { start, end })
}

/// The cell at the start of `b` (`B7` → (6, 1)) and what follows it, from the first byte
/// that is neither a letter nor a digit after the letters. calamine's `get_row_column` reads
/// a part of a ref the same way, and fails on anything after it or on a missing row (left
/// 0 here, and failing below). `None` too past 7 letters or 10 digits, or a number past
/// `u32` (where calamine's would wrap): below those, u64 sums cannot overflow.
fn cell(b: &[u8]) -> Option<((u32, u32), &[u8])> {
    let mut i = 0;
    let mut col: u64 = 0;
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_alphabetic()) {
        col = col * 26 + u64::from((c | 0x20) - b'a') + 1;
        i += 1;
        if i > 7 {
            return None;
        }
    }
    let letters = i;
    let mut row: u64 = 0;
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        row = row * 10 + u64::from(c - b'0');
        i += 1;
        if i - letters > 10 {
            return None;
        }
    }
    let row = u32::try_from(row).ok()?.checked_sub(1)?;
    let col = u32::try_from(col).ok()?.checked_sub(1)?;
    Some(((row, col), &b[i..]))
}

/// `<mergeCell ref="…"/>` at `lt` with nothing else in the tag and a plain ref (letters,
/// digits, `$`, `:`): the ref and where the tag ends. `None` for anything else.
fn plain_merge_cell(xml: &[u8], lt: usize) -> Option<(&[u8], usize)> {
    const OPEN: &[u8] = b"<mergeCell ref=\"";
    let rest = xml.get(lt..)?.strip_prefix(OPEN)?;
    let len = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'$' | b':')))?;
    if !rest[len..].starts_with(b"\"/>") {
        return None;
    }
    Some((&rest[..len], lt + OPEN.len() + len + 3))
}

/// The merged ranges of one inflated sheet part: what calamine's `merge_cells_by_sheet_name`
/// returns when it returns `Ok`, provided calamine's cell reader has read the same part to
/// the end of its `sheetData`. `None` whenever that is not certain.
pub(super) fn scan(xml: &[u8]) -> Option<Vec<Dimensions>> {
    let mut pos = prolog(xml)?;
    let mut depth = 0usize;
    // `Some` once inside `<mergeCells>`.
    let mut merges: Option<Vec<Dimensions>> = None;
    let mut seen_data = false;
    loop {
        // Tags often follow one another with no text between (Excel's merges always do).
        let lt = if xml.get(pos) == Some(&b'<') {
            pos
        } else {
            let Some(i) = memchr(b'<', &xml[pos..]) else {
                // The end of the part: calamine stops with no merges, or fails inside them.
                return if text_ok(&xml[pos..]) && merges.is_none() {
                    Some(Vec::new())
                } else {
                    None
                };
            };
            if !text_ok(&xml[pos..pos + i]) {
                return None;
            }
            pos + i
        };
        // Excel's own `<mergeCell ref="A1:B2"/>`, a hundred to a form: read directly, as
        // the general path below would read it.
        if let Some(found) = &mut merges {
            if let Some((r, next)) = plain_merge_cell(xml, lt) {
                found.push(dimension(r)?);
                pos = next;
                continue;
            }
        }
        let t = tag(xml, lt)?;
        pos = t.next;
        let name = local(t.name);
        // Only the first sheetData is the one calamine's cell reader read through.
        let first_data = !t.end && name == "sheetData" && !seen_data;
        seen_data |= first_data;
        if t.end {
            // Unmatched end tags are an error in quick-xml as calamine sets it up.
            depth = depth.checked_sub(1)?;
            if name == "mergeCells" && merges.is_some() {
                return merges;
            }
            continue;
        }
        match &mut merges {
            None if name == "mergeCells" => {
                if t.empty {
                    return Some(Vec::new());
                }
                merges = Some(Vec::new());
            }
            None if first_data && !t.empty => {
                pos = skip_sheet_data(xml, pos)?;
                continue;
            }
            None => {}
            Some(found) => {
                if name == "mergeCell" {
                    if let Some(r) = raw_attr(t.attrs, "ref")? {
                        found.push(dimension(r.as_bytes())?);
                    }
                }
                if t.empty && name == "mergeCells" {
                    return merges;
                }
            }
        }
        if !t.empty {
            depth += 1;
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::io::Write;

    use calamine::{Reader, Xlsx};

    use super::*;

    pub(in crate::read::open) const REL: &str =
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    pub(in crate::read::open) fn d(r0: u32, c0: u32, r1: u32, c1: u32) -> Dimensions {
        Dimensions {
            start: (r0, c0),
            end: (r1, c1),
        }
    }

    /// A zip of `parts`, deflated.
    pub(in crate::read::open) fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    pub(in crate::read::open) fn package_rels(target: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="{target}"/></Relationships>"#
        )
    }

    /// A one-sheet xlsx (sheet "S") whose sheet part is `sheet`.
    pub(in crate::read::open) fn one_sheet(sheet: &[u8]) -> Vec<u8> {
        one_sheet_with(sheet, &[])
    }

    /// [`one_sheet`] with more parts (a shared strings table, say).
    pub(in crate::read::open) fn one_sheet_with(sheet: &[u8], more: &[(&str, &[u8])]) -> Vec<u8> {
        let rels = package_rels("xl/workbook.xml");
        let wb = format!(
            r#"<workbook xmlns:r="{REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        );
        let wb_rels = format!(
            r#"<Relationships><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
        );
        let mut parts = vec![
            ("_rels/.rels", rels.as_bytes()),
            ("xl/workbook.xml", wb.as_bytes()),
            ("xl/_rels/workbook.xml.rels", wb_rels.as_bytes()),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        parts.extend_from_slice(more);
        zip_of(&parts)
    }

    /// What load_xlsx does with `bytes`, both ways, per worksheet: whether calamine's cell
    /// reader got to the end of sheetData, the scan's answer, calamine's answer.
    type Both = (
        bool,
        Option<Vec<Dimensions>>,
        Result<Vec<Dimensions>, String>,
    );

    fn both(bytes: &[u8]) -> Vec<(String, Both)> {
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let names: Vec<String> = wb
            .sheets_metadata()
            .iter()
            .filter(|s| s.typ == calamine::SheetType::WorkSheet)
            .map(|s| s.name.clone())
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut parts = XlsxParts::open(bytes, &refs);
        names
            .iter()
            .map(|n| {
                let cells_ok = match wb.worksheet_cells_reader(n) {
                    Ok(mut r) => loop {
                        match r.next_cell() {
                            Ok(Some(_)) => {}
                            Ok(None) => break true,
                            Err(_) => break false,
                        }
                    },
                    Err(_) => false,
                };
                let fast = parts.as_mut().and_then(|p| p.merges(n));
                let slow = wb.merge_cells_by_sheet_name(n).map_err(|e| e.to_string());
                (n.clone(), (cells_ok, fast, slow))
            })
            .collect()
    }

    /// A sheet part with `merges_part` after its sheetData.
    pub(in crate::read::open) fn sheet(cells: &str, after: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{REL}"><dimension ref="A1:H9"/><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>{cells}</sheetData>{after}<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>"#
        )
    }

    pub(in crate::read::open) const CELLS: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c></row><row r="2"><c r="B2"><v>1.5</v></c></row>"#;

    /// The scan gives `want`, and so does calamine, through the whole path.
    fn scans_as(xml: &str, want: &[Dimensions]) {
        assert_eq!(scan(xml.as_bytes()).as_deref(), Some(want), "scan of {xml}");
        let got = both(&one_sheet(xml.as_bytes()));
        assert_eq!(
            got,
            vec![("S".into(), (true, Some(want.to_vec()), Ok(want.to_vec())))],
            "{xml}"
        );
    }

    /// The scan is not sure and leaves `xml` to calamine; returns calamine's answer.
    fn falls_back(xml: &str) -> Result<Vec<Dimensions>, String> {
        assert_eq!(scan(xml.as_bytes()), None, "scan of {xml}");
        let mut got = both(&one_sheet(xml.as_bytes()));
        assert_eq!(got.len(), 1);
        let (_, (_, fast, slow)) = got.remove(0);
        assert_eq!(fast, None);
        slow
    }

    #[test]
    fn excel_merge_tags_take_the_short_path_and_others_do_not() {
        let x = br#"<mergeCell ref="A1:H1"/><mergeCell ref="$B$3:C4"/>"#;
        assert_eq!(plain_merge_cell(x, 0), Some((&b"A1:H1"[..], 24)));
        assert_eq!(plain_merge_cell(x, 24), Some((&b"$B$3:C4"[..], x.len())));
        for other in [
            &br#"<mergeCell ref='A1:H1'/>"#[..],
            br#"<mergeCell ref="A1:H1" xr:uid="{1}"/>"#,
            br#"<mergeCell ref="A1:H1"></mergeCell>"#,
            br#"<mergeCell ref="A1&#58;H1"/>"#,
            br#"<x:mergeCell ref="A1:H1"/>"#,
            br#"<mergeCell ref="A1:H1"/"#,
        ] {
            assert_eq!(
                plain_merge_cell(other, 0),
                None,
                "{}",
                String::from_utf8_lossy(other)
            );
        }
    }

    #[test]
    fn refs_read_as_calamine_reads_them() {
        let ok = [
            ("A1", d(0, 0, 0, 0)),
            ("a1:b2", d(0, 0, 1, 1)),
            ("AA10:ab12", d(9, 26, 11, 27)),
            ("XFD1048576", d(1048575, 16383, 1048575, 16383)),
            ("B007:C7", d(6, 1, 6, 2)),
            ("A4294967295", d(u32::MAX - 1, 0, u32::MAX - 1, 0)),
            ("A0000000001", d(0, 0, 0, 0)),
        ];
        for (r, want) in ok {
            assert_eq!(dimension(r.as_bytes()), Some(want), "{r}");
        }
        for r in [
            "",
            "A",
            "1",
            "A0",
            "A1:",
            ":A1",
            "A1:B2:C3",
            "A1B",
            "B2:A1",
            "A1 ",
            "$A$1",
            "A-1",
            "A1:A4294967297",
            "ZZZZZZZZ1",
            "中1",
        ] {
            assert_eq!(dimension(r.as_bytes()), None, "{r}");
        }
    }

    #[test]
    fn plain_merges_in_order() {
        let xml = sheet(
            CELLS,
            r#"<mergeCells count="3"><mergeCell ref="A1:H1"/><mergeCell ref="B3:C4"/><mergeCell ref="A20:B20"/></mergeCells>"#,
        );
        scans_as(&xml, &[d(0, 0, 0, 7), d(2, 1, 3, 2), d(19, 0, 19, 1)]);
    }

    #[test]
    fn namespace_prefixes() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData><x:mergeCells count="2"><x:mergeCell ref="A1:B2"/><x:mergeCell ref="AA10:AB12"/></x:mergeCells></x:worksheet>"#;
        scans_as(xml, &[d(0, 0, 1, 1), d(9, 26, 11, 27)]);
        // A prefix on the cells' sheetData end only, and a different one on the merges.
        let xml = r#"<worksheet xmlns:x="u" xmlns:y="u"><x:sheetData><row><c><v>1</v></c></row></y:sheetData><y:mergeCells><x:mergeCell ref="C3:D4"/></y:mergeCells></worksheet>"#;
        scans_as(xml, &[d(2, 2, 3, 3)]);
    }

    #[test]
    fn quotes_attribute_order_and_whitespace() {
        let xml = sheet(
            CELLS,
            "<mergeCells\n  count='4'>\n  <mergeCell xr:uid=\"{1}\" ref='C3:D4' extra=\"a>b\"/>\n  <mergeCell\tref = \"E5:F6\"\n  />\r\n  <mergeCell ref=\"g7:h8\" ></mergeCell>\n  <mergeCell ref=\"A1\"/>\n</mergeCells >\n",
        );
        scans_as(
            &xml,
            &[d(2, 2, 3, 3), d(4, 4, 5, 5), d(6, 6, 7, 7), d(0, 0, 0, 0)],
        );
    }

    #[test]
    fn single_cell_ref_and_empty_or_missing_merges() {
        scans_as(
            &sheet(CELLS, r#"<mergeCells><mergeCell ref="D4"/></mergeCells>"#),
            &[d(3, 3, 3, 3)],
        );
        scans_as(&sheet(CELLS, ""), &[]);
        scans_as(&sheet(CELLS, "<mergeCells/>"), &[]);
        scans_as(&sheet(CELLS, r#"<mergeCells count="0"></mergeCells>"#), &[]);
        // A mergeCell without a ref is passed over, as calamine passes it over.
        scans_as(
            &sheet(
                CELLS,
                r#"<mergeCells><mergeCell/><mergeCell ref="A1:A2"/></mergeCells>"#,
            ),
            &[d(0, 0, 1, 0)],
        );
    }

    #[test]
    fn self_closing_sheet_data() {
        let xml = r#"<worksheet><dimension ref="A1"/><sheetData/><mergeCells count="1"><mergeCell ref="B2:C3"/></mergeCells></worksheet>"#;
        scans_as(xml, &[d(1, 1, 2, 2)]);
        scans_as(r#"<worksheet><sheetData /></worksheet>"#, &[]);
    }

    #[test]
    fn tag_like_text_in_cells_is_not_read() {
        // Escaped, as every writer must: the cell text is not a tag.
        let cells = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>&lt;mergeCells&gt;&lt;mergeCell ref="Z9:Z10"/&gt;&lt;/mergeCells&gt; mergeCells</t></is></c><c r="B1" t="str"><f>"&lt;mergeCells&gt;"</f><v>&lt;mergeCells&gt;</v></c></row>"#;
        let xml = sheet(
            cells,
            r#"<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>"#,
        );
        scans_as(&xml, &[d(0, 0, 0, 1)]);
        // With a prefix, text is not told from a tag: calamine, which gives the same.
        let xml = xml.replace("&lt;mergeCells&gt;", "&lt;x:mergeCells&gt;");
        assert_eq!(falls_back(&xml), Ok(vec![d(0, 0, 0, 1)]));
        // Text after the merges, in a header, is not read either.
        let xml = sheet(
            CELLS,
            r#"<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><headerFooter><oddFooter>&amp;C第 &amp;P 页 &lt;mergeCell ref="C1:D1"/&gt;</oddFooter></headerFooter>"#,
        );
        scans_as(&xml, &[d(0, 0, 0, 1)]);
    }

    #[test]
    fn the_end_of_sheet_data_is_where_calamine_finds_it() {
        // Cell text naming the end tag: not certain where sheetData ends, so calamine.
        let cells = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>&lt;/sheetData&gt;&lt;mergeCells&gt;&lt;mergeCell ref="Z9"/&gt;</t></is></c></row>"#;
        let xml = sheet(
            cells,
            r#"<mergeCells><mergeCell ref="A1:B1"/></mergeCells>"#,
        );
        assert_eq!(falls_back(&xml), Ok(vec![d(0, 0, 0, 1)]));
        // A comment holding a fake end: the real end follows and is refused.
        let cells = r#"<row r="1"><!-- </sheetData><mergeCells><mergeCell ref="Z9"/></mergeCells> --><c r="A1"><v>1</v></c></row>"#;
        let xml = sheet(
            cells,
            r#"<mergeCells><mergeCell ref="A1:B1"/></mergeCells>"#,
        );
        assert_eq!(falls_back(&xml), Ok(vec![d(0, 0, 0, 1)]));
        // Not well-formed (a raw < in an attribute), but quick-xml reads it: the same.
        let cells = r#"<row r="1"><c r="A1" x='</sheetData><mergeCells><mergeCell ref="Z9"/></mergeCells>'><v>1</v></c></row>"#;
        let xml = sheet(
            cells,
            r#"<mergeCells><mergeCell ref="A1:B1"/></mergeCells>"#,
        );
        assert_eq!(falls_back(&xml), Ok(vec![d(0, 0, 0, 1)]));
        // mergeCells inside sheetData: calamine takes those.
        let cells = r#"<row r="1"><c r="A1"><v>1</v></c></row><x:mergeCells><mergeCell ref="Z9"/></x:mergeCells>"#;
        let xml = sheet(
            cells,
            r#"<mergeCells><mergeCell ref="A1:B1"/></mergeCells>"#,
        );
        assert_eq!(falls_back(&xml), Ok(vec![d(8, 25, 8, 25)]));
    }

    #[test]
    fn merges_before_sheet_data_are_read_as_calamine_reads_them() {
        let xml = r#"<worksheet><mergeCells><mergeCell ref="A1:C1"/></mergeCells><sheetData><row><c><v>1</v></c></row></sheetData><mergeCells><mergeCell ref="A2:C2"/></mergeCells></worksheet>"#;
        scans_as(xml, &[d(0, 0, 0, 2)]);
    }

    #[test]
    fn refs_that_do_not_parse_go_to_calamine() {
        for bad in [
            "A1:B2:C3",
            "A0",
            "1:2",
            "A:B",
            "",
            " A1",
            "A1:",
            "$A$1:$B$2",
            "B2:A1",
            "A1:A99999999999",
        ] {
            let xml = sheet(
                CELLS,
                &format!(
                    r#"<mergeCells><mergeCell ref="A1:B1"/><mergeCell ref="{bad}"/></mergeCells>"#
                ),
            );
            assert_eq!(scan(xml.as_bytes()), None, "{bad}");
        }
        // calamine fails these; the sheet then has no merges, as before.
        let xml = sheet(
            CELLS,
            r#"<mergeCells><mergeCell ref="A1:B1"/><mergeCell ref="1:2"/></mergeCells>"#,
        );
        assert!(falls_back(&xml).is_err());
        // An entity in the ref, read raw by calamine.
        let xml = sheet(
            CELLS,
            r#"<mergeCells><mergeCell ref="A1&#58;B1"/></mergeCells>"#,
        );
        assert!(falls_back(&xml).is_err());
    }

    #[test]
    fn odd_xml_goes_to_calamine() {
        for after in [
            "<!-- note --><mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells>",
            "<?pi x?><mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells>",
            "<mergeCells><![CDATA[x]]><mergeCell ref=\"A1:B1\"/></mergeCells>",
            "<mergeCells><mergeCell ref=\"A1:B1\"/>",
            "<extLst>a & b</extLst>",
            "<mergeCells><mergeCell ref=A1:B1/></mergeCells>",
        ] {
            let xml = sheet(CELLS, after);
            assert_eq!(scan(xml.as_bytes()), None, "{after}");
        }
        // End tags past the root before the merges: an error in calamine.
        let xml = sheet(
            CELLS,
            "</a></b><mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells>",
        );
        assert!(falls_back(&xml).is_err());
        // ...but not after them, where calamine has stopped reading.
        let xml = sheet(
            CELLS,
            "<mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells></a></b>",
        );
        scans_as(&xml, &[d(0, 0, 0, 1)]);
        // Another encoding declared, or UTF-16.
        let xml = sheet(CELLS, "").replace("UTF-8", "GBK");
        assert_eq!(scan(xml.as_bytes()), None);
        let utf16: Vec<u8> = sheet(CELLS, "")
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(scan(&[&[0xFF, 0xFE][..], &utf16].concat()), None);
        // A UTF-8 byte-order mark is fine.
        let xml = format!(
            "\u{FEFF}{}",
            sheet(
                CELLS,
                r#"<mergeCells><mergeCell ref="A1:B1"/></mergeCells>"#
            )
        );
        scans_as(&xml, &[d(0, 0, 0, 1)]);
    }

    #[test]
    fn a_merge_attribute_error_after_ref_is_not_an_error() {
        // calamine's raw_attr stops at the first `ref`; a malformed attribute after it is
        // never looked at.
        let xml = sheet(
            CELLS,
            r#"<mergeCells><mergeCell ref="A1:B1" bad/></mergeCells>"#,
        );
        scans_as(&xml, &[d(0, 0, 0, 1)]);
        // A key without `=` runs into the next one: `bad ref` is not `ref`.
        let xml = sheet(
            CELLS,
            r#"<mergeCells><mergeCell bad ref="A1:B1"/></mergeCells>"#,
        );
        scans_as(&xml, &[]);
        // ...and the first of two refs is the one.
        let xml = sheet(
            CELLS,
            r#"<mergeCells><mergeCell ref="A1:B1" ref="C1:D1"/></mergeCells>"#,
        );
        scans_as(&xml, &[d(0, 0, 0, 1)]);
    }

    #[test]
    fn sheet_paths_resolved_as_calamine_resolves_them() {
        let merges = |r: &str| {
            sheet(
                CELLS,
                &format!(r#"<mergeCells><mergeCell ref="{r}"/></mergeCells>"#),
            )
        };
        let (s1, s2, s3) = (merges("A1:B1"), merges("A2:B2"), merges("A3:B3"));
        // The workbook part elsewhere, named otherwise; a relative, an absolute and a
        // case-mismatched target; a chart sheet between; entry names with backslashes.
        let rels = package_rels("/wb/book.xml");
        let wb = format!(
            r#"<workbook xmlns:r="{REL}"><sheets><sheet name="甲 &amp; 乙" sheetId="1" r:id="rId1"/><sheet name="图" sheetId="2" r:id="rId4"/><sheet name="二" sheetId="3" r:id="rId2"/><sheet name="三" sheetId="4" state="hidden" r:id="rId3"/></sheets><definedNames><definedName name="x">'二'!$A$1</definedName></definedNames></workbook>"#
        );
        let wb_rels = format!(
            r#"<Relationships><Relationship Id="rId1" Type="{REL}/worksheet" Target="sheets/one.xml"/><Relationship Id="rId2" Type="{REL}/worksheet" Target="/wb/sheets/two.xml"/><Relationship Id="rId3" Type="{REL}/worksheet" Target="Sheets/THREE.xml"/><Relationship Id="rId4" Type="{REL}/chartsheet" Target="charts/c.xml"/></Relationships>"#
        );
        let bytes = zip_of(&[
            ("_rels/.rels", rels.as_bytes()),
            ("wb/book.xml", wb.as_bytes()),
            ("wb/_rels/book.xml.rels", wb_rels.as_bytes()),
            ("wb/sheets/one.xml", s1.as_bytes()),
            ("wb\\sheets\\two.xml", s2.as_bytes()),
            ("wb/sheets/three.xml", s3.as_bytes()),
            ("wb/charts/c.xml", b"<chartsheet/>"),
        ]);
        let got = both(&bytes);
        let want =
            |name: &str, m: Dimensions| (name.to_string(), (true, Some(vec![m]), Ok(vec![m])));
        assert_eq!(
            got,
            vec![
                want("甲 & 乙", d(0, 0, 0, 1)),
                want("二", d(1, 0, 1, 1)),
                want("三", d(2, 0, 2, 1)),
            ]
        );
    }

    #[test]
    fn unsure_mappings_go_to_calamine() {
        let s = sheet(
            CELLS,
            r#"<mergeCells><mergeCell ref="A1:B1"/></mergeCells>"#,
        );
        let rels = package_rels("xl/workbook.xml");
        // Two sheets of one name: calamine takes the first.
        let wb = format!(
            r#"<workbook xmlns:r="{REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/><sheet name="S" sheetId="2" r:id="rId2"/></sheets></workbook>"#
        );
        let wb_rels = format!(
            r#"<Relationships><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/worksheet" Target="worksheets/sheet2.xml"/></Relationships>"#
        );
        let bytes = zip_of(&[
            ("_rels/.rels", rels.as_bytes()),
            ("xl/workbook.xml", wb.as_bytes()),
            ("xl/_rels/workbook.xml.rels", wb_rels.as_bytes()),
            ("xl/worksheets/sheet1.xml", s.as_bytes()),
            (
                "xl/worksheets/sheet2.xml",
                b"<worksheet><sheetData/></worksheet>",
            ),
        ]);
        for (_, (_, fast, slow)) in both(&bytes) {
            assert_eq!(fast, None);
            assert_eq!(slow, Ok(vec![d(0, 0, 0, 1)]));
        }
        // A sheet list that is not calamine's.
        assert!(XlsxParts::open(&bytes, &["S"]).is_none());
        // A part missing: calamine reports it.
        let bytes = one_sheet(s.as_bytes());
        let mut parts = XlsxParts::open(&bytes, &["S"]).unwrap();
        parts.sheets[0].1 = "xl/worksheets/none.xml".into();
        assert_eq!(parts.merges("S"), None);
        assert_eq!(parts.merges("T"), None);
    }

    #[test]
    fn never_inflates_past_the_declared_size() {
        let s = sheet(
            CELLS,
            r#"<mergeCells><mergeCell ref="A1:B1"/></mergeCells>"#,
        );
        let mut bytes = one_sheet(s.as_bytes());
        // Lower the sheet's declared size in its local and central headers.
        let name = b"xl/worksheets/sheet1.xml";
        let declared = (s.len() as u32).to_le_bytes();
        let smaller = (s.len() as u32 - 10).to_le_bytes();
        let mut patched = 0;
        for i in 0..bytes.len() - name.len() {
            let (sig, size_at, name_at) = match &bytes[i..i + 4] {
                b"PK\x03\x04" => (true, i + 22, i + 30),
                b"PK\x01\x02" => (true, i + 24, i + 46),
                _ => (false, 0, 0),
            };
            if sig && bytes[name_at..].starts_with(name) {
                assert_eq!(bytes[size_at..size_at + 4], declared);
                bytes[size_at..size_at + 4].copy_from_slice(&smaller);
                patched += 1;
            }
        }
        assert_eq!(patched, 2);
        let mut parts = XlsxParts::open(&bytes, &["S"]).unwrap();
        assert_eq!(parts.merges("S"), None);
        assert!(parts.buf.len() <= s.len() - 10 + 1);
    }

    /// Every xlsx in the repository and workbooks the crate writes: the scan answers for
    /// every worksheet, and answers what calamine answers.
    #[test]
    fn same_merges_as_calamine_on_real_workbooks() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut books: Vec<(String, Vec<u8>)> = Vec::new();
        for dir in ["samples", "tests/fixtures", "templates"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "xlsx" || x == "xlsm") {
                    books.push((p.display().to_string(), std::fs::read(&p).unwrap()));
                }
            }
        }
        assert!(
            books.len() >= 2,
            "{:?}",
            books.iter().map(|b| &b.0).collect::<Vec<_>>()
        );
        let spec = crate::corpus::Spec {
            projects: (1, 12),
            ..crate::corpus::Spec::default()
        };
        let opts = crate::write::WriteOptions::default();
        for i in 0..4 {
            let decl = crate::corpus::declaration(&spec, i, &[]);
            let (mut wb, _) = crate::write::build_workbook(&decl, &opts, "x").unwrap();
            books.push((format!("corpus {i}"), wb.save_to_buffer().unwrap()));
        }
        let template = crate::write::WriteOptions {
            template: true,
            ..crate::write::WriteOptions::default()
        };
        let blank = crate::template::blank(3, Some(2025), None);
        let (mut wb, _) = crate::write::build_workbook(&blank, &template, "t").unwrap();
        books.push(("template".into(), wb.save_to_buffer().unwrap()));

        let mut merges = 0;
        for (name, bytes) in &books {
            let got = both(bytes);
            assert!(got.len() > 1, "{name}");
            for (sheet, (cells_ok, fast, slow)) in got {
                assert!(cells_ok, "{name} {sheet}");
                let slow = slow.unwrap_or_else(|e| panic!("{name} {sheet}: {e}"));
                assert_eq!(fast.as_ref(), Some(&slow), "{name} {sheet}");
                merges += slow.len();
            }
        }
        assert!(merges > 1000, "{merges}");
    }

    #[test]
    fn the_sample_title_and_summary_merges() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(root.join("samples/songjiang-kcb-2024.xlsx")).unwrap();
        let got = both(&bytes);
        let sheet = |n: &str| {
            got.iter()
                .find(|(s, _)| s == n)
                .and_then(|(_, (_, fast, _))| fast.clone())
                .unwrap()
        };
        // 单位汇总: the title across A1:F1, then A2:F2, B3:F3, B7:F7, A20:B20.
        assert_eq!(
            sheet("单位汇总"),
            vec![
                d(0, 0, 0, 5),
                d(1, 0, 1, 5),
                d(2, 1, 2, 5),
                d(6, 1, 6, 5),
                d(19, 0, 19, 1)
            ]
        );
        // A project sheet's form title spans A1:H1.
        assert_eq!(sheet("1.G60日常办公经费")[0], d(0, 0, 0, 7));
    }

    /// Sheets put together at random from well-formed and odd pieces: wherever calamine's
    /// cell reader gets through sheetData and the scan answers, it answers what calamine
    /// does; and it answers for most.
    #[test]
    fn random_sheets_agree_with_calamine() {
        const PREFIX: &[&str] = &[
            r#"<dimension ref="A1:C3"/>"#,
            "<sheetViews><sheetView/></sheetViews>",
            r#"<mergeCells><mergeCell ref="Q1:R1"/></mergeCells>"#,
            "<!-- p -->",
            "\n  ",
            "<cols><col min='1' max='2'/></cols>",
        ];
        const BODY: &[&str] = &[
            r#"<row r="1"><c r="A1"><v>1</v></c></row>"#,
            r#"<row><c t="inlineStr"><is><t>&lt;mergeCells&gt;&lt;mergeCell ref="Z1"/&gt;</t></is></c></row>"#,
            r#"<row><c t="inlineStr"><is><t>&lt;/sheetData&gt;</t></is></c></row>"#,
            r#"<row><c t="inlineStr"><is><t>a &lt;x:mergeCells/&gt; b</t></is></c></row>"#,
            "<!-- </sheetData><mergeCells><mergeCell ref=\"Z2\"/></mergeCells> -->",
            r#"<row><c r="B2" x='</sheetData><mergeCells><mergeCell ref="Z3"/></mergeCells>'><v>2</v></c></row>"#,
            r#"<x:mergeCells><mergeCell ref="Z4"/></x:mergeCells>"#,
            "<row/>",
            "<row><c><v>&amp;</v></c></row>",
            "\n",
        ];
        const TAIL: &[&str] = &[
            "<mergeCells>",
            r#"<mergeCells count="2">"#,
            "</mergeCells>",
            "<mergeCells/>",
            "<x:mergeCells>",
            "</x:mergeCells >",
            r#"<mergeCell ref="A1:B2"/>"#,
            "<mergeCell ref='C3'/>",
            r#"<x:mergeCell ref="D4:E5" />"#,
            r#"<mergeCell ref="F6:G7"></mergeCell>"#,
            "<mergeCell/>",
            r#"<mergeCell ref="1:2"/>"#,
            r#"<mergeCell ref="A1" bad/>"#,
            r#"<mergeCell bad ref="H1"/>"#,
            "<mergeCell ref=A1/>",
            "<!-- c -->",
            "<![CDATA[<mergeCell ref=\"A9\"/>]]>",
            "<?pi x?>",
            "a & b",
            "&amp;",
            "<foo a='>'>",
            "</foo>",
            "<bar/>",
            "</sheetData>",
            "<sheetData>",
            "</a>",
            "<a>",
            r#"<mergeCell ref = "A1:A3" x="<"/>"#,
            "</x:sheetData>",
            "<x:sheetData/>",
            "<a:b:mergeCells>",
            "</ mergeCells>",
            "<mergeCells\n>",
            " ",
            "\n",
        ];
        let mut rng = crate::corpus::SplitMix64::new(7);
        let pick = |rng: &mut crate::corpus::SplitMix64, from: &[&str], most: u64| {
            let n = rng.below(most + 1);
            (0..n).map(|_| *rng.pick(from)).collect::<String>()
        };
        let (mut compared, mut fast_path, mut found) = (0, 0, 0);
        for _ in 0..1500 {
            let empty = rng.chance(0.1);
            let prefix = pick(&mut rng, PREFIX, 2);
            let body = if rng.chance(0.6) {
                BODY[0].to_string()
            } else {
                pick(&mut rng, BODY, 3)
            };
            let tail = if rng.chance(0.5) {
                format!(
                    "<mergeCells>{}</mergeCells>{}",
                    pick(&mut rng, &TAIL[6..10], 4),
                    pick(&mut rng, TAIL, 2)
                )
            } else {
                pick(&mut rng, TAIL, 8)
            };
            let data = match (empty, rng.below(3)) {
                (true, _) => "<sheetData/>".to_string(),
                (false, 0) => format!("<sheetData>{body}</sheetData>"),
                (false, 1) => format!("<x:sheetData>{body}</x:sheetData>"),
                (false, _) => format!("<sheetData>{body}</y:sheetData\n>"),
            };
            let xml = format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns:x="u">{prefix}{data}{tail}</worksheet>"#
            );
            let Ok(wb) = std::panic::catch_unwind(|| both(&one_sheet(xml.as_bytes()))) else {
                continue;
            };
            let (_, (cells_ok, fast, slow)) = &wb[0];
            if !cells_ok {
                continue;
            }
            compared += 1;
            if let Some(fast) = fast {
                fast_path += 1;
                found += usize::from(!fast.is_empty());
                assert_eq!(Ok(fast), slow.as_ref(), "{xml}");
            }
        }
        assert!(compared > 1000, "{compared}");
        assert!(fast_path * 3 > compared, "{fast_path} of {compared}");
        assert!(found * 3 > fast_path, "{found} of {fast_path}");
    }
}
