//! One inflate of each worksheet part: jixiao inflates the parts itself (the merges scan
//! needs their bytes) and hands calamine a copy of the workbook in which they are stored.
//!
//! Before, each sheet part was inflated twice: by calamine for its cells, and again for the
//! merges scan ([`super::merges`]), together about a fifth of a folder rollup. Now
//! [`XlsxParts::repack`] writes a new zip in memory, in the original's entry order: every
//! worksheet part inflated (once, bounded by its declared size as everywhere) and written
//! *stored*, scanned for its merges on the way; every other entry copied with its
//! compressed bytes as they are. calamine then reads a sheet with a copy and a CRC. The
//! bytes calamine reads are the ones it would have inflated, so it gives the same cells,
//! the same merges and the same XML errors.
//!
//! The copy is not made, and the caller reads the original as before, whenever anything
//! is unusual: a name that is not UTF-8, names that are one name to calamine or to the
//! zip reader, an encrypted entry, a worksheet part that is not in the zip, does not
//! inflate to exactly its declared size or fails its CRC (the original path then reports
//! it, with its own message), worksheet parts declaring more than [`MAX_SHEET_BYTES`] in
//! all (the copy holds them inflated, next to the file), or any error of the zip writer.

use std::collections::HashMap;
use std::io::{Cursor, Write};

use super::merges::{fill, scan, XlsxParts};
use super::LIMITS;

/// The most that the worksheet parts of one workbook may declare, together, to be repacked.
/// A declaration's are well under 1 MiB; past this the file is read as before, so that the
/// copy never adds more than this to what a read holds in memory.
pub(super) const MAX_SHEET_BYTES: u64 = 32 * 1024 * 1024;

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
        let mut sheet_bytes = 0u64;
        for i in 0..self.zip.len() {
            let e = self.zip.by_index_data(i).ok()?;
            if e.encrypted() || std::str::from_utf8(e.name_raw()).is_err() {
                return None;
            }
            if sheet_entries.contains_key(&i) {
                sheet_bytes = sheet_bytes.saturating_add(e.size());
            }
        }
        if sheet_bytes > max_sheet_bytes {
            return None;
        }
        let capacity = self.bytes.len().saturating_add(sheet_bytes as usize);
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(capacity)));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut scanned = HashMap::with_capacity(sheet_entries.len());
        for i in 0..self.zip.len() {
            let Some(paths) = sheet_entries.get(&i) else {
                out.raw_copy_file(self.zip.by_index_raw(i).ok()?).ok()?;
                continue;
            };
            let f = self.zip.by_index(i).ok()?;
            let name = f.name().ok()?.into_owned();
            let declared = f.size();
            fill(&mut self.buf, f)?;
            if self.buf.len() as u64 != declared {
                return None;
            }
            out.start_file(name, stored).ok()?;
            out.write_all(&self.buf).ok()?;
            let merges = scan(&self.buf);
            for p in paths {
                scanned.insert(p.clone(), merges.clone());
            }
        }
        let bytes = out.finish().ok()?.into_inner();
        self.scanned = scanned;
        Some(bytes)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
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
                assert_eq!(raw_after, inflated, "{name}");
                // And it reads back with its CRC.
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
