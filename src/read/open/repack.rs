//! One inflate of each worksheet part: jixiao inflates the parts itself (the merges scan
//! needs their bytes) and hands calamine a copy of the workbook in which they are stored.
//!
//! Before, each sheet part was inflated twice: by calamine for its cells, and again for the
//! merges scan ([`super::merges`]), together about a fifth of a folder rollup. Now
//! [`XlsxParts::repack`] writes a new zip in memory, by hand, in the original's entry
//! order: every worksheet part inflated (once, straight into the copy, and no larger than
//! declared) and written *stored* under a new local header with the original's CRC-32 and
//! size, scanned for its merges in place; every other entry's local header and compressed
//! bytes copied as they are (without a data descriptor, which the zip reader does not read);
//! then the original's central directory records, with their offsets changed (and, for a
//! worksheet part, its method, flags and compressed size), and an end record without a
//! comment. calamine then reads a sheet with a copy and a CRC. The bytes calamine reads are
//! the ones it would have inflated, so it gives the same cells, the same merges and the
//! same XML errors.
//!
//! The copy is not made, and the caller reads the original as before, whenever anything
//! is unusual: a name that is not UTF-8, names that are one name to calamine or to the
//! zip reader, an encrypted entry, an entry whose records say other than what the zip
//! reader made of them (a Unicode Path name, say) or that needs zip64 or carries an AES
//! field, entries sharing their bytes, a worksheet part that is not in the zip, is neither
//! stored nor deflated, does not inflate to exactly its declared size or fails its CRC (the
//! original path then reports it, with its own message; calamine, stopping at the end of
//! sheetData, might not), or worksheet parts declaring more than [`MAX_SHEET_BYTES`] in all
//! (the copy holds them inflated, next to the file).

use std::collections::HashMap;

use flate2::{Decompress, FlushDecompress, Status};

use super::merges::{scan, XlsxParts};
use super::prune::prune_checked;
#[cfg(test)]
use super::prune::prune_empty_cells;
use super::LIMITS;

/// The most that the worksheet parts of one workbook may declare, together, to be repacked.
/// A declaration's are well under 1 MiB; past this the file is read as before, so that the
/// copy never adds more than this to what a read holds in memory.
pub(super) const MAX_SHEET_BYTES: u64 = 32 * 1024 * 1024;

// Zip records (APPNOTE.TXT 4.3): signatures, fixed lengths, and the fields used.
const LOCAL_SIG: &[u8] = b"PK\x03\x04";
const CENTRAL_SIG: &[u8] = b"PK\x01\x02";
const END_SIG: &[u8] = b"PK\x05\x06";
const LOCAL_LEN: usize = 30;
const CENTRAL_LEN: usize = 46;
const END_LEN: usize = 22;
/// Offsets in a central directory record.
const C_FLAGS: usize = 8;
const C_METHOD: usize = 10;
const C_CRC: usize = 16;
const C_PACKED: usize = 20;
const C_SIZE: usize = 24;
const C_OFFSET: usize = 42;
/// Offsets in a local header.
const L_CRC: usize = 14;
const L_PACKED: usize = 18;
const L_SIZE: usize = 22;
/// Flag bits that say nothing true of a stored part written whole: sizes in a data
/// descriptor (3), deflate options (1, 2).
const NOT_STORED_FLAGS: u16 = 0b1110;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;
/// Extra fields that change how the zip reader reads an entry: zip64 sizes and offsets,
/// AES encryption.
const ZIP64_EXTRA: u16 = 0x0001;
const AES_EXTRA: u16 = 0x9901;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn set_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn set_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// One entry of the original, read from its headers and checked against what the zip
/// reader (calamine's too) made of them.
struct Entry<'b> {
    /// Its central directory record, whole: fixed fields, name, extra field, comment.
    central: &'b [u8],
    /// Its local header and data as they are, without a data descriptor.
    local: &'b [u8],
    /// Its data, compressed as it is.
    data: &'b [u8],
    /// Its name, raw.
    name: &'b [u8],
    method: u16,
    crc: u32,
    size: u32,
    /// The worksheet part paths that name it; `None` for any other part.
    sheets: Option<Vec<String>>,
}

impl<'b> Entry<'b> {
    /// The entry the zip reader gives as `e`, from the original's bytes; `None` when its
    /// records do not say exactly what the reader made of them, or need zip64.
    fn read(bytes: &'b [u8], e: &zip::read::ZipFileEntry<'_>) -> Option<Entry<'b>> {
        let at = usize::try_from(e.central_header_start()).ok()?;
        let c = bytes.get(at..)?;
        if !c.starts_with(CENTRAL_SIG) {
            return None;
        }
        let name_len = usize::from(u16_at(c, 28)?);
        let extra_len = usize::from(u16_at(c, 30)?);
        let comment_len = usize::from(u16_at(c, 32)?);
        let central = c.get(..CENTRAL_LEN + name_len + extra_len + comment_len)?;
        let name = &central[CENTRAL_LEN..CENTRAL_LEN + name_len];
        let extra = &central[CENTRAL_LEN + name_len..CENTRAL_LEN + name_len + extra_len];
        let (crc, packed, size) = (u32_at(c, C_CRC)?, u32_at(c, C_PACKED)?, u32_at(c, C_SIZE)?);
        // 0xFFFFFFFF in any of these means zip64; the reader's values must be the record's
        // (a Unicode Path extra field, say, gives another name).
        if [packed, size, u32_at(c, C_OFFSET)?].contains(&u32::MAX)
            || name != e.name_raw()
            || crc != e.crc32()
            || u64::from(packed) != e.compressed_size()
            || u64::from(size) != e.size()
            || !plain_extra(extra)?
        {
            return None;
        }
        // The data starts after the local header's own name and extra field, as the zip
        // reader finds it.
        let start = usize::try_from(e.header_start()).ok()?;
        let l = bytes.get(start..)?;
        if !l.starts_with(LOCAL_SIG) {
            return None;
        }
        let data_at = LOCAL_LEN + usize::from(u16_at(l, 26)?) + usize::from(u16_at(l, 28)?);
        let local = l.get(..data_at.checked_add(packed as usize)?)?;
        Some(Entry {
            central,
            local,
            data: &local[data_at..],
            name,
            method: u16_at(c, C_METHOD)?,
            crc,
            size,
            sheets: None,
        })
    }

    /// Bytes it takes in the copy, before the central directory.
    fn copy_len(&self) -> usize {
        match self.sheets {
            Some(_) => LOCAL_LEN + self.name.len() + self.size as usize,
            None => self.local.len(),
        }
    }
}

/// Whether an extra field is well formed and holds neither zip64 nor AES fields.
fn plain_extra(mut extra: &[u8]) -> Option<bool> {
    while !extra.is_empty() {
        let id = u16_at(extra, 0)?;
        let len = usize::from(u16_at(extra, 2)?);
        if id == ZIP64_EXTRA || id == AES_EXTRA {
            return Some(false);
        }
        extra = extra.get(4 + len..)?;
    }
    Some(true)
}

impl XlsxParts<'_> {
    /// The workbook with its worksheet parts stored; their merges scanned into
    /// `self.scanned`. `None` when anything is unusual (see the module docs).
    pub(super) fn repack(&mut self) -> Option<Vec<u8>> {
        self.repack_within(MAX_SHEET_BYTES)
    }

    pub(super) fn repack_within(&mut self, max_sheet_bytes: u64) -> Option<Vec<u8>> {
        // More sheets than calamine's reader will be let read: refused after the listing,
        // so nothing is gained by inflating them first.
        if self.names_collide
            || self.zip.has_duplicate_names()
            || self.sheets.len() > LIMITS.max_sheets
            || self.zip.len() > usize::from(u16::MAX)
        {
            return None;
        }
        // Entry index → the worksheet part paths that name it.
        let mut sheet_entries: HashMap<usize, Vec<String>> = HashMap::new();
        for (_, path, worksheet) in &self.sheets {
            if *worksheet {
                let i = self.zip.index_for_name(self.entry_name(path))?;
                sheet_entries.entry(i).or_default().push(path.clone());
            }
        }
        let mut entries = Vec::with_capacity(self.zip.len());
        let (mut sheet_bytes, mut raw_bytes, mut central_bytes) = (0u64, 0usize, 0usize);
        for i in 0..self.zip.len() {
            let e = self.zip.by_index_data(i).ok()?;
            if e.encrypted() || std::str::from_utf8(e.name_raw()).is_err() {
                return None;
            }
            let mut entry = Entry::read(self.bytes, &e)?;
            entry.sheets = sheet_entries.remove(&i);
            match entry.sheets {
                Some(_) => sheet_bytes += u64::from(entry.size),
                None => raw_bytes += entry.local.len(),
            }
            central_bytes += entry.central.len();
            entries.push(entry);
        }
        // Entries copied as they are take no more than the file (more would mean entries
        // sharing their bytes, each copied whole).
        if sheet_bytes > max_sheet_bytes || raw_bytes > self.bytes.len() {
            return None;
        }
        let len: usize =
            entries.iter().map(Entry::copy_len).sum::<usize>() + central_bytes + END_LEN;
        let mut out = Vec::new();
        out.try_reserve_exact(len).ok()?;
        let mut offsets = Vec::with_capacity(entries.len());
        let mut scanned = HashMap::new();
        let mut past_grid = HashMap::new();
        let mut inflater = Decompress::new(false);
        // Each worksheet part's CRC-32 and size as written, in entry order.
        let mut written = Vec::new();
        for entry in &entries {
            offsets.push(u32::try_from(out.len()).ok()?);
            let Some(paths) = &entry.sheets else {
                out.extend_from_slice(entry.local);
                continue;
            };
            let c = entry.central;
            let flags = u16_at(c, C_FLAGS)? & !NOT_STORED_FLAGS;
            let name_len = u16::try_from(entry.name.len()).ok()?;
            out.extend_from_slice(LOCAL_SIG);
            out.extend_from_slice(&c[6..8]); // version needed to extract
            out.extend_from_slice(&flags.to_le_bytes());
            out.extend_from_slice(&STORED.to_le_bytes());
            out.extend_from_slice(&c[12..C_PACKED]); // time, date, CRC-32
            out.extend_from_slice(&entry.size.to_le_bytes());
            out.extend_from_slice(&entry.size.to_le_bytes());
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(entry.name);
            let start = out.len();
            match entry.method {
                STORED => out.extend_from_slice(entry.data),
                DEFLATED => {
                    // Straight into the copy: `decompress_vec` writes only into capacity
                    // already reserved (for this part and all that follows it, the end
                    // record at least), never grows it, so a part that inflates past its
                    // declared size costs no memory and is seen by its length.
                    inflater.reset(false);
                    let done =
                        inflater.decompress_vec(entry.data, &mut out, FlushDecompress::Finish);
                    if !matches!(done, Ok(Status::StreamEnd)) {
                        return None;
                    }
                }
                _ => return None,
            }
            let part = &mut out[start..];
            if part.len() != entry.size as usize || crc32fast::hash(part) != entry.crc {
                return None;
            }
            // Checked whole above, as the original path would; blanks left out after.
            let (kept, seen) = prune_checked(part);
            // The walk saw the cell and row tags that could hold a reference past the grid;
            // when it did not walk the part, the whole part is looked at.
            let mut bad = match seen {
                Some(seen) => seen,
                None => super::refs::first_past_grid(&part[..kept]),
            };
            let (mut crc, mut size) = (entry.crc, entry.size);
            if kept < part.len() {
                out.truncate(start + kept);
                crc = crc32fast::hash(&out[start..]);
                size = u32::try_from(kept).ok()?;
                let header = start - LOCAL_LEN - entry.name.len();
                set_u32(&mut out, header + L_CRC, crc);
                set_u32(&mut out, header + L_PACKED, size);
                set_u32(&mut out, header + L_SIZE, size);
            }
            written.push((crc, size));
            let merges = scan(&out[start..]);
            // Merged ranges whose references do not parse (more than 7 letters or a row past
            // u32) are left to calamine, which would wrap them: the part is looked at.
            if merges.is_none() && bad.is_none() {
                bad = super::refs::first_past_grid(&out[start..]);
            }
            for p in paths {
                scanned.insert(p.clone(), merges.clone());
                if let Some(r) = &bad {
                    past_grid.insert(p.clone(), r.clone());
                }
            }
        }
        let directory = out.len();
        let mut written = written.into_iter();
        for (entry, offset) in entries.iter().zip(offsets) {
            let at = out.len();
            out.extend_from_slice(entry.central);
            let c = &mut out[at..];
            if entry.sheets.is_some() {
                let (crc, size) = written.next()?;
                let flags = u16_at(c, C_FLAGS)? & !NOT_STORED_FLAGS;
                set_u16(c, C_FLAGS, flags);
                set_u16(c, C_METHOD, STORED);
                set_u32(c, C_CRC, crc);
                set_u32(c, C_PACKED, size);
                set_u32(c, C_SIZE, size);
            }
            set_u32(c, C_OFFSET, offset);
        }
        let count = u16::try_from(entries.len()).ok()?;
        let directory_len = u32::try_from(out.len() - directory).ok()?;
        out.extend_from_slice(END_SIG);
        out.extend_from_slice(&[0; 4]); // this disk, the directory's disk
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&directory_len.to_le_bytes());
        out.extend_from_slice(&u32::try_from(directory).ok()?.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // no comment
        self.scanned = scanned;
        self.past_grid = past_grid;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};
    use std::path::Path;

    use super::super::merges::tests::{one_sheet, sheet, zip_of, CELLS};
    use super::super::{guard, load_ooxml};
    use super::*;

    const SAMPLE: &str = "samples/songjiang-kcb-2024.xlsx";

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    /// The parts of an xlsx in order, inflated.
    fn parts_of(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut v = Vec::new();
                f.read_to_end(&mut v).unwrap();
                (f.name().unwrap().into_owned(), v)
            })
            .collect()
    }

    fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
        let refs: Vec<(&str, &[u8])> = parts
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        zip_of(&refs)
    }

    fn repacked(bytes: &[u8]) -> Option<Vec<u8>> {
        XlsxParts::read(bytes)?.repack()
    }

    /// Sets a field of the named entry's local and central headers: `local` and `central`
    /// are the field's offsets in each.
    fn patch(bytes: &mut [u8], name: &str, (local, central): (usize, usize), value: &[u8]) {
        let name = name.as_bytes();
        let mut patched = 0;
        for i in 0..bytes.len().saturating_sub(46 + name.len()) {
            let (at, name_at) = match &bytes[i..i + 4] {
                b"PK\x03\x04" => (i + local, i + 30),
                b"PK\x01\x02" => (i + central, i + 46),
                _ => continue,
            };
            if bytes[name_at..].starts_with(name) {
                bytes[at..at + value.len()].copy_from_slice(value);
                patched += 1;
            }
        }
        assert_eq!(patched, 2, "{}", String::from_utf8_lossy(name));
    }
    const FLAGS: (usize, usize) = (6, 8);
    const CRC: (usize, usize) = (14, 16);
    const SIZE: (usize, usize) = (22, 24);
    const NAME: (usize, usize) = (30, 46);

    /// What `load_ooxml` gives with and without the repack, and read into the model.
    fn both_ways(name: &str, bytes: &[u8]) -> [String; 2] {
        [true, false].map(|repack| {
            let grids = load_ooxml(name, bytes, repack);
            let grids_dbg = format!("{grids:?}");
            let outcome = grids.and_then(|g| crate::read::from_grids(name, g));
            let outcome = outcome.map(|o| (o.declaration, o.sources, o.findings));
            format!("{grids_dbg}\n{outcome:?}")
        })
    }

    #[test]
    fn the_copy_stores_the_worksheets_and_keeps_the_rest_as_it_was() {
        let bytes = std::fs::read(root().join(SAMPLE)).unwrap();
        let mut parts = XlsxParts::read(&bytes).unwrap();
        let copy = parts.repack().unwrap();
        let sheets: Vec<String> = parts.sheets.iter().map(|(_, p, _)| p.clone()).collect();
        assert_eq!(sheets.len(), 12);
        assert_eq!(parts.scanned.len(), 12);
        let mut before = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        let mut after = zip::ZipArchive::new(Cursor::new(copy.as_slice())).unwrap();
        assert_eq!(before.len(), after.len());
        for i in 0..before.len() {
            let (name, method, raw) = {
                let mut f = before.by_index_raw(i).unwrap();
                let mut raw = Vec::new();
                f.read_to_end(&mut raw).unwrap();
                (f.name().unwrap().into_owned(), f.compression(), raw)
            };
            let mut g = after.by_index_raw(i).unwrap();
            assert_eq!(g.name().unwrap(), name);
            let mut raw_after = Vec::new();
            g.read_to_end(&mut raw_after).unwrap();
            drop(g);
            if sheets.contains(&name) {
                assert_eq!(method, zip::CompressionMethod::Deflated, "{name}");
                assert_eq!(
                    after.by_index(i).unwrap().compression(),
                    zip::CompressionMethod::Stored,
                    "{name}"
                );
                let mut inflated = Vec::new();
                before
                    .by_index(i)
                    .unwrap()
                    .read_to_end(&mut inflated)
                    .unwrap();
                // Its blank cells left out (see `prune`), and read back with its new CRC.
                let inflated = pruned(inflated);
                assert_eq!(raw_after, inflated, "{name}");
                let mut read = Vec::new();
                after.by_index(i).unwrap().read_to_end(&mut read).unwrap();
                assert_eq!(read, inflated, "{name}");
            } else {
                assert_eq!(after.by_index(i).unwrap().compression(), method, "{name}");
                assert_eq!(raw_after, raw, "{name}");
            }
        }
    }

    /// Every xlsx in the repository, a generated corpus (its broken files included), and
    /// damaged copies of the sample: the same grids, declaration, sources, findings and
    /// errors with the repack as without; and the repack is made for every readable one.
    #[test]
    fn same_results_with_and_without_the_repack() {
        let mut books: Vec<(String, Vec<u8>)> = Vec::new();
        for dir in ["samples", "tests/fixtures", "templates"] {
            for e in std::fs::read_dir(root().join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "xlsx" || x == "xlsm") {
                    books.push((p.display().to_string(), std::fs::read(&p).unwrap()));
                }
            }
        }
        let local = books.len();
        assert!(local >= 3, "{local}");
        let dir = tempfile::tempdir().unwrap();
        let spec = crate::corpus::Spec {
            files: 16,
            seed: 11,
            projects: (1, 25),
            ..crate::corpus::Spec::default()
        };
        crate::corpus::generate(dir.path(), &spec, 2).unwrap();
        let mut stack = vec![dir.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    books.push((p.display().to_string(), std::fs::read(&p).unwrap()));
                }
            }
        }
        assert!(books.len() >= local + 16);
        let blank = crate::template::blank(3, Some(2025), None);
        let template = crate::write::WriteOptions {
            template: true,
            ..crate::write::WriteOptions::default()
        };
        let (mut wb, _) = crate::write::build_workbook(&blank, &template, "t").unwrap();
        books.push(("template".into(), wb.save_to_buffer().unwrap()));

        let sample = std::fs::read(root().join(SAMPLE)).unwrap();
        let p2 = "xl/worksheets/sheet2.xml";
        let mut parts = parts_of(&sample);
        let at = parts.iter().position(|(n, _)| n == p2).unwrap();
        // XML cut short: the repack is made, calamine fails on it, the original is read.
        let half = parts[at].1.len() / 2;
        parts[at].1.truncate(half);
        books.push(("truncated sheet".into(), rezip(&parts)));
        // A tag that does not close, inside sheetData.
        parts[at].1 = sheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row", "").into_bytes();
        books.push(("bad xml".into(), rezip(&parts)));
        // The sheet's CRC wrong, and its declared size smaller than it is: no repack.
        let mut bad_crc = sample.clone();
        patch(&mut bad_crc, p2, CRC, &[1, 2, 3, 4]);
        books.push(("bad crc".into(), bad_crc));
        let mut smaller = sample.clone();
        patch(&mut smaller, p2, SIZE, &100u32.to_le_bytes());
        books.push(("smaller".into(), smaller));

        let damaged = 4;
        let (mut compared, mut read) = (0, 0);
        for (i, (name, bytes)) in books.iter().enumerate() {
            if !matches!(guard::check_zip(name, bytes), Ok(guard::ZipKind::Ooxml)) {
                continue;
            }
            compared += 1;
            let [with, without] = both_ways(name, bytes);
            assert_eq!(with, without, "{name}");
            let made = repacked(bytes).is_some();
            let ok = without.starts_with("Ok");
            if i < books.len() - damaged {
                read += usize::from(ok);
                assert_eq!(made, ok, "{name}");
            } else {
                // Damaged in its XML: repacked, and calamine fails on the copy. In its
                // zip: not repacked. A wrong CRC is not seen by calamine, which stops at
                // the end of sheetData; a part larger than declared is, and fails.
                let want = match name.as_str() {
                    "truncated sheet" | "bad xml" => (true, false),
                    "bad crc" => (false, true),
                    _ => (false, false),
                };
                assert_eq!((made, ok), want, "{name}");
                if !ok {
                    assert!(with.starts_with("Err(Sheet {"), "{name}: {with}");
                }
            }
        }
        assert_eq!(
            compared,
            books.len() - 3,
            "the corpus's broken files are not zips"
        );
        assert!(read >= local + 12, "{read}");
    }

    #[test]
    fn unusual_zips_are_not_repacked() {
        let s = sheet(
            CELLS,
            r#"<mergeCells><mergeCell ref="A1:B1"/></mergeCells>"#,
        );
        let plain = one_sheet(s.as_bytes());
        assert!(repacked(&plain).is_some());
        let p1 = "xl/worksheets/sheet1.xml";

        // Worksheets declaring more than the bound together.
        let mut parts = XlsxParts::read(&plain).unwrap();
        assert!(parts.repack_within(s.len() as u64 - 1).is_none());
        assert!(parts.scanned.is_empty());
        let mut parts = XlsxParts::read(&plain).unwrap();
        assert!(parts.repack_within(s.len() as u64).is_some());
        assert_eq!(parts.scanned.len(), 1);

        // An entry flagged encrypted.
        let mut enc = plain.clone();
        patch(&mut enc, p1, FLAGS, &[1, 0]);
        assert!(repacked(&enc).is_none());

        // The sheet's CRC wrong, or its size larger or smaller than declared.
        let mut crc = plain.clone();
        patch(&mut crc, p1, CRC, &[1, 2, 3, 4]);
        assert!(repacked(&crc).is_none());
        for size in [s.len() - 1, s.len() + 1] {
            let mut b = plain.clone();
            patch(&mut b, p1, SIZE, &(size as u32).to_le_bytes());
            assert!(repacked(&b).is_none(), "{size}");
        }

        // Another entry named as the sheet (both raw), or as it in other case, or with a
        // name that is not UTF-8.
        let with_extra = |extra: &str| {
            let mut parts = parts_of(&plain);
            parts.push((extra.to_string(), b"<x/>".to_vec()));
            rezip(&parts)
        };
        let mut dup = with_extra("xl/worksheets/sheetX.xml");
        assert!(repacked(&dup).is_some());
        patch(&mut dup, "xl/worksheets/sheetX.xml", NAME, p1.as_bytes());
        assert!(repacked(&dup).is_none());
        assert!(repacked(&with_extra("XL/Worksheets/Sheet1.xml")).is_none());
        let mut latin = with_extra("xl/media/x.bin");
        patch(&mut latin, "xl/media/x.bin", NAME, b"xl/media/\xFF.bin");
        assert!(repacked(&latin).is_none());

        // A worksheet part that is not there.
        let mut parts = parts_of(&plain);
        parts.retain(|(n, _)| n != p1);
        assert!(repacked(&rezip(&parts)).is_none());
    }

    /// One entry of a zip written by hand, in ways the zip crate's writer does not write.
    #[derive(Clone, Copy)]
    struct Part<'a> {
        name: &'a [u8],
        data: &'a [u8],
        deflate: bool,
        /// Sizes and CRC after the data, zero in the local header.
        descriptor: bool,
        /// Extra field, in both headers.
        extra: &'a [u8],
        comment: &'a [u8],
        /// No local entry of its own: its central record points at the previous part's.
        alias: bool,
    }

    const PART: Part = Part {
        name: b"",
        data: b"",
        deflate: true,
        descriptor: false,
        extra: b"",
        comment: b"",
        alias: false,
    };

    fn hand_zip(parts: &[Part], zip_comment: &[u8]) -> Vec<u8> {
        let (mut out, mut central) = (Vec::new(), Vec::new());
        let mut offset = 0u32;
        for p in parts {
            let packed = if p.deflate {
                let mut e =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                std::io::Write::write_all(&mut e, p.data).unwrap();
                e.finish().unwrap()
            } else {
                p.data.to_vec()
            };
            let crc = crc32fast::hash(p.data);
            let method: u16 = if p.deflate { 8 } else { 0 };
            let flags: u16 = (1 << 11) | if p.descriptor { 1 << 3 } else { 0 };
            let sizes = [crc, packed.len() as u32, p.data.len() as u32];
            let lens = [p.name.len() as u16, p.extra.len() as u16];
            let fixed = |v: &mut Vec<u8>, local: bool| {
                v.extend(20u16.to_le_bytes());
                v.extend(flags.to_le_bytes());
                v.extend(method.to_le_bytes());
                v.extend([0, 0, 0x21, 0]); // 1980-01-01 00:00
                for s in sizes {
                    v.extend(if local && p.descriptor { 0 } else { s }.to_le_bytes());
                }
                v.extend(lens.iter().flat_map(|n| n.to_le_bytes()));
            };
            if !p.alias {
                offset = out.len() as u32;
                out.extend(b"PK\x03\x04");
                fixed(&mut out, true);
                out.extend(p.name);
                out.extend(p.extra);
                out.extend(&packed);
                if p.descriptor {
                    out.extend(b"PK\x07\x08");
                    out.extend(sizes.iter().flat_map(|s| s.to_le_bytes()));
                }
            }
            central.extend(b"PK\x01\x02");
            central.extend(20u16.to_le_bytes());
            fixed(&mut central, false);
            central.extend((p.comment.len() as u16).to_le_bytes());
            central.extend([0; 8]); // disk, internal and external attributes
            central.extend(offset.to_le_bytes());
            central.extend(p.name);
            central.extend(p.extra);
            central.extend(p.comment);
        }
        let at = out.len() as u32;
        out.extend(&central);
        out.extend(b"PK\x05\x06\0\0\0\0");
        out.extend((parts.len() as u16).to_le_bytes());
        out.extend((parts.len() as u16).to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(at.to_le_bytes());
        out.extend((zip_comment.len() as u16).to_le_bytes());
        out.extend(zip_comment);
        out
    }

    /// Every entry of `copy` has the name and inflated contents of the same entry of
    /// `bytes`, and the worksheet parts are stored.
    fn same_entries(bytes: &[u8], copy: &[u8], sheets: &[String]) {
        let mut before = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut after = zip::ZipArchive::new(Cursor::new(copy)).unwrap();
        assert_eq!(before.len(), after.len());
        for i in 0..before.len() {
            let mut f = before.by_index(i).unwrap();
            let mut g = after.by_index(i).unwrap();
            assert_eq!(f.name_raw(), g.name_raw());
            let name = f.name().unwrap().into_owned();
            if sheets.contains(&name) {
                assert_eq!(g.compression(), zip::CompressionMethod::Stored, "{name}");
            } else {
                assert_eq!(g.compression(), f.compression(), "{name}");
            }
            let (mut a, mut b) = (Vec::new(), Vec::new());
            f.read_to_end(&mut a).unwrap();
            g.read_to_end(&mut b).unwrap();
            if sheets.contains(&name) {
                assert!(b.len() < a.len(), "{name}: the blank cells are left out");
                a = pruned(a);
            }
            assert_eq!(a, b, "{name}");
        }
    }

    /// A sheet part as the copy holds it.
    fn pruned(mut part: Vec<u8>) -> Vec<u8> {
        let kept = prune_empty_cells(&mut part);
        part.truncate(kept);
        part
    }

    /// Zips as other writers make them: data descriptors, stored sheets, names in UTF-8
    /// beyond ASCII, extra fields, comments. Each is repacked, the copy holds the same
    /// entries, and reads as the original.
    #[test]
    fn hand_made_zips_are_repacked_faithfully() {
        let sample = std::fs::read(root().join(SAMPLE)).unwrap();
        let parts = parts_of(&sample);
        let sheets: Vec<String> = XlsxParts::read(&sample)
            .unwrap()
            .sheets
            .iter()
            .map(|(_, p, _)| p.clone())
            .collect();
        let is_sheet = |n: &str| sheets.iter().any(|s| s == n);
        let media = "xl/media/图片 一.bin".as_bytes();
        // Extended timestamp, then an unknown field.
        let extra = b"UT\x05\x00\x01\x00\x00\x00\x00\xCA\xFE\x02\x00ab";
        // What, how each part is written (by name), the zip comment.
        type Variant<'v> = (&'v str, &'v dyn Fn(&str) -> Part<'static>, &'v [u8]);
        let variants: [Variant; 5] = [
            (
                "descriptors",
                &|_| Part {
                    descriptor: true,
                    ..PART
                },
                b"",
            ),
            (
                "stored sheets",
                &|n| Part {
                    deflate: !is_sheet(n),
                    ..PART
                },
                b"",
            ),
            (
                "all stored, descriptors on sheets",
                &|n| Part {
                    deflate: false,
                    descriptor: is_sheet(n),
                    ..PART
                },
                b"",
            ),
            (
                "extra fields and comments",
                &|_| Part {
                    extra,
                    comment: "说明".as_bytes(),
                    ..PART
                },
                "压缩包注释".as_bytes(),
            ),
            ("plain", &|_| PART, b""),
        ];
        for (what, part, comment) in variants {
            let mut entries: Vec<Part> = parts
                .iter()
                .map(|(n, v)| Part {
                    name: n.as_bytes(),
                    data: v,
                    ..part(n)
                })
                .collect();
            entries.insert(
                1,
                Part {
                    name: media,
                    data: &[7; 3000],
                    ..part("")
                },
            );
            let bytes = hand_zip(&entries, comment);
            assert!(matches!(
                guard::check_zip(what, &bytes),
                Ok(guard::ZipKind::Ooxml)
            ));
            let copy = repacked(&bytes).unwrap_or_else(|| panic!("{what}"));
            same_entries(&bytes, &copy, &sheets);
            let [with, without] = both_ways(what, &bytes);
            assert!(with.starts_with("Ok"), "{what}: {with}");
            assert_eq!(with, without, "{what}");
            // And the same as the sample itself.
            assert_eq!(with, both_ways(what, &sample)[1], "{what}");
        }
    }

    #[test]
    fn hand_made_zips_that_are_not_repacked() {
        let s = sheet(
            CELLS,
            r#"<mergeCells><mergeCell ref="A1:B1"/></mergeCells>"#,
        );
        let parts = parts_of(&one_sheet(s.as_bytes()));
        let entries = |extra: &'static [u8], big: &'static [u8], alias: bool| {
            let mut v: Vec<Part> = parts
                .iter()
                .map(|(n, d)| Part {
                    name: n.as_bytes(),
                    data: d,
                    ..PART
                })
                .collect();
            v.push(Part {
                name: b"xl/media/a.bin",
                data: big,
                deflate: false,
                extra,
                ..PART
            });
            if alias {
                v.push(Part {
                    name: b"xl/media/b.bin",
                    data: big,
                    deflate: false,
                    alias: true,
                    ..PART
                });
            }
            hand_zip(&v, b"")
        };
        let plain = entries(b"", &[1; 10], false);
        assert!(repacked(&plain).is_some());
        // A zip64 field, and an AES one, in an extra field.
        for extra in [
            &b"\x01\x00\x08\x00\x0A\0\0\0\0\0\0\0"[..],
            b"\x01\x99\x07\x00\x02\x00AE\x03\x08\x00",
        ] {
            let bytes = entries(extra, &[1; 10], false);
            assert!(XlsxParts::read(&bytes).is_some());
            assert!(repacked(&bytes).is_none());
            let [with, without] = both_ways("extra", &bytes);
            assert_eq!(with, without);
        }
        // An extra field that runs past its end: the zip reader refuses it first.
        let bytes = entries(b"UT\x09\x00\x01", &[1; 10], false);
        assert!(XlsxParts::read(&bytes).is_none());
        assert_eq!(plain_extra(b"UT\x09\x00\x01"), None);
        assert_eq!(plain_extra(b"UT\x01\x00\x01\xCA\xFE\x00\x00"), Some(true));
        // Two entries on one stretch of the file, together larger than it.
        static BIG: [u8; 20_000] = [3; 20_000];
        let bytes = entries(b"", &BIG, true);
        assert_eq!(
            zip::ZipArchive::new(Cursor::new(bytes.as_slice()))
                .unwrap()
                .len(),
            parts.len() + 2
        );
        assert!(repacked(&bytes).is_none());
        assert!(repacked(&entries(b"", &BIG[..100], true)).is_some());
    }

    #[test]
    fn two_sheets_on_one_part_are_stored_once() {
        let s = sheet(
            CELLS,
            r#"<mergeCells><mergeCell ref="A1:B1"/></mergeCells>"#,
        );
        let mut parts = parts_of(&one_sheet(s.as_bytes()));
        for (name, v) in &mut parts {
            if name == "xl/workbook.xml" {
                *v = String::from_utf8(v.clone())
                    .unwrap()
                    .replace(
                        "</sheets>",
                        r#"<sheet name="T" sheetId="2" r:id="rId1"/></sheets>"#,
                    )
                    .into_bytes();
            }
        }
        let bytes = rezip(&parts);
        let copy = repacked(&bytes).unwrap();
        assert_eq!(
            zip::ZipArchive::new(Cursor::new(copy.as_slice()))
                .unwrap()
                .len(),
            parts.len()
        );
        let [with, without] = both_ways("two", &bytes);
        assert_eq!(with, without);
        assert!(with.contains("name: \"T\""), "{with}");
    }
}
