//! CSV for Excel: UTF-8 with BOM and CRLF by default (Excel on Chinese Windows opens it
//! right), or GB18030/GBK for older systems. Written through a temporary file and renamed
//! on [`CsvSink::finish`], so a crash leaves no half file; records stream to disk.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::Error;

/// Text encoding of a CSV file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark.
    #[default]
    Utf8Bom,
    /// UTF-8 without BOM (for programs, not Excel).
    Utf8,
    /// GB18030.
    Gb18030,
    /// GBK: a character outside GBK is an error, not a silent `?`.
    Gbk,
}

impl std::str::FromStr for CsvEncoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" | "utf-8-bom" | "utf8-bom" => Ok(CsvEncoding::Utf8Bom),
            "utf-8-nobom" | "utf8-nobom" => Ok(CsvEncoding::Utf8),
            "gb18030" => Ok(CsvEncoding::Gb18030),
            "gbk" | "gb2312" | "cp936" => Ok(CsvEncoding::Gbk),
            other => Err(format!(
                "不支持的编码「{other}」，可选 utf-8、utf-8-nobom、gb18030、gbk"
            )),
        }
    }
}

impl CsvEncoding {
    /// Whether the file is meant for Excel (UTF-8 with BOM, GB18030, GBK), whose fields
    /// starting like a formula are neutralised ([`neutral`]); UTF-8 without BOM is for
    /// programs and keeps every field as it is.
    pub fn for_excel(self) -> bool {
        self != CsvEncoding::Utf8
    }
}

/// Whether a field would start a formula in Excel: `=`, `+`, `-`, `@`, tab or CR first
/// (OWASP's list for CSV injection). Only the first byte is looked at on the hot path.
#[inline]
fn formula_like(b: &[u8]) -> bool {
    matches!(b.first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')) && !plain_number(b)
}

/// `-12.50`, `+3`: a plain decimal number, which Excel reads as a number, not a formula.
fn plain_number(b: &[u8]) -> bool {
    let digits = match b {
        [b'-' | b'+', rest @ ..] => rest,
        _ => return false,
    };
    let (int, frac) = match digits.iter().position(|&c| c == b'.') {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    !int.is_empty()
        && int.iter().all(u8::is_ascii_digit)
        && frac.is_none_or(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
}

/// A field as written to a CSV meant for Excel: one that would start a formula gets a
/// leading `'` (OWASP), so `=HYPERLINK(...)` or the seed's `=100.00(%)` open as text;
/// numbers such as `-12.50` are left alone.
///
/// ```
/// use jixiao::rollup::neutral;
/// assert_eq!(neutral("=100.00(%)"), "'=100.00(%)");
/// assert_eq!(neutral("\t=1+1"), "'\t=1+1");
/// assert_eq!(neutral("-12.50"), "-12.50");
/// assert_eq!(neutral("≥95%"), "≥95%");
/// ```
pub fn neutral(field: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(field.as_bytes()) {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// A CSV file being written.
pub struct CsvSink {
    path: PathBuf,
    tmp: PathBuf,
    /// `None` once finished.
    out: Option<Out>,
    rows: usize,
    /// Whether the UTF-8 writer may hold records not yet in the file.
    buffered: bool,
    /// Whether a file at `path` may be replaced when the sink finishes.
    existing: crate::output::Existing,
    /// Whether fields that start like a formula are neutralised (a CSV for Excel).
    neutralise: bool,
}

/// UTF-8 records go straight through one CSV writer into the file; GB18030/GBK records
/// are formatted, checked and encoded one by one.
enum Out {
    Utf8 {
        records: Box<csv::Writer<Shared>>,
        file: Shared,
    },
    Gb {
        out: BufWriter<File>,
        gbk: bool,
    },
}

/// The file under a UTF-8 sink's CSV writer, shared with [`CsvSink::utf8_rows`], which
/// copies records written elsewhere straight into it (the writer has no `get_mut`).
#[derive(Clone)]
struct Shared(Arc<Mutex<BufWriter<File>>>);

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, BufWriter<File>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.lock().write(b)
    }

    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.lock().write_all(b)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.lock().flush()
    }
}

/// Bytes that make the CSV writer quote a field: the delimiter, the quote and both line
/// ends (CRLF terminator, quote style `Necessary`).
const NEEDS_QUOTES: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

/// Appends `field` and the `,` after it to `out`, exactly as [`CsvSink::record`] writes
/// a field of a record of several (quoted only when it must be, quotes doubled; with
/// `neutralise`, through [`neutral`]). For rows of many fields the CSV writer's
/// byte-by-byte state machine costs several times this; [`end_row`] finishes the row.
pub(crate) fn push_field(out: &mut Vec<u8>, field: &str, neutralise: bool) {
    let b = field.as_bytes();
    let quote = needs_quotes(b);
    if quote {
        out.reserve(b.len() + 4);
        out.push(b'"');
    }
    // Rare: a `'` before the field, which itself needs no quoting.
    if neutralise && formula_like(b) {
        out.push(b'\'');
    }
    if quote {
        for part in b.split_inclusive(|&c| c == b'"') {
            out.extend_from_slice(part);
            if part.last() == Some(&b'"') {
                out.push(b'"');
            }
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(b);
    }
    out.push(b',');
}

/// Whether `b` holds a byte of [`NEEDS_QUOTES`]. All four are below `-` (0x2D) and most
/// fields (Chinese text, digits) have no byte that low: eight bytes at a time are let
/// through when none is below it, and only the others looked up.
fn needs_quotes(b: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let special = |c: &[u8]| c.iter().any(|&c| NEEDS_QUOTES[c as usize]);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_ne_bytes(c.try_into().unwrap_or_default());
        // Nonzero exactly when some byte is below 0x2D ("hasless", Bit Twiddling Hacks).
        if x.wrapping_sub(ONES * 0x2D) & !x & HIGH != 0 && special(c) {
            return true;
        }
    }
    special(chunks.remainder())
}

/// Ends a row of fields written by [`push_field`]: its last `,` becomes the terminator.
pub(crate) fn end_row(out: &mut Vec<u8>) {
    if out.last() == Some(&b',') {
        out.pop();
    }
    out.extend_from_slice(b"\r\n");
}

fn record_writer<W: Write>(w: W, capacity: usize) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(capacity)
        .from_writer(w)
}

impl CsvSink {
    /// Starts `path` (written to a temporary file beside it) with a header row; a file
    /// at `path` is replaced when it finishes.
    pub fn create(path: &Path, encoding: CsvEncoding, header: &[&str]) -> Result<CsvSink, Error> {
        Self::create_publishing(path, encoding, header, crate::output::Existing::Replace)
    }

    /// [`CsvSink::create`], saying what finishing does with a file already at `path`.
    pub fn create_publishing(
        path: &Path,
        encoding: CsvEncoding,
        header: &[&str],
        existing: crate::output::Existing,
    ) -> Result<CsvSink, Error> {
        let (tmp, file) = crate::output::temp_beside(path)?;
        let mut buf = BufWriter::new(file);
        let err = |e: std::io::Error| Error::Output {
            file: path.display().to_string(),
            reason: crate::output::io_text(&e),
        };
        let out = match encoding {
            CsvEncoding::Utf8Bom | CsvEncoding::Utf8 => {
                if encoding == CsvEncoding::Utf8Bom {
                    buf.write_all(b"\xEF\xBB\xBF").map_err(err)?;
                }
                let file = Shared(Arc::new(Mutex::new(buf)));
                Out::Utf8 {
                    records: Box::new(record_writer(file.clone(), 64 * 1024)),
                    file,
                }
            }
            CsvEncoding::Gb18030 | CsvEncoding::Gbk => Out::Gb {
                out: buf,
                gbk: encoding == CsvEncoding::Gbk,
            },
        };
        let mut sink = CsvSink {
            path: path.to_path_buf(),
            tmp,
            out: Some(out),
            rows: 0,
            buffered: false,
            existing,
            neutralise: encoding.for_excel(),
        };
        sink.record(header.iter().copied())?;
        sink.rows = 0;
        Ok(sink)
    }

    pub(crate) fn err(&self, reason: String) -> Error {
        Error::Output {
            file: self.path.display().to_string(),
            reason,
        }
    }

    /// Whether fields that start like a formula are neutralised ([`neutral`]): rows given
    /// to [`CsvSink::utf8_rows`] must be written by [`push_field`] alike.
    pub(crate) fn neutralises(&self) -> bool {
        self.neutralise
    }

    /// Whether the file is UTF-8, so that [`CsvSink::utf8_rows`] takes rows.
    pub(crate) fn is_utf8(&self) -> bool {
        matches!(self.out, Some(Out::Utf8 { .. }))
    }

    /// Records already written as UTF-8 CSV by [`push_field`] and [`end_row`] (on a
    /// reading thread), copied as they are; `None` for a GB18030/GBK file, whose records
    /// go through [`CsvSink::record`].
    pub(crate) fn utf8_rows(&mut self, bytes: &[u8], rows: usize) -> Option<Result<(), Error>> {
        let Some(Out::Utf8 { records, file }) = &mut self.out else {
            return None;
        };
        // What the CSV writer holds (the header, records) goes first.
        let flushed = if std::mem::take(&mut self.buffered) {
            records.flush()
        } else {
            Ok(())
        };
        if let Err(e) = flushed.and_then(|()| file.write_all(bytes)) {
            return Some(Err(self.err(crate::output::io_text(&e))));
        }
        self.rows += rows;
        Some(Ok(()))
    }

    /// Writes one record.
    pub fn record<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) -> Result<(), Error> {
        let Some(out) = &mut self.out else {
            return Err(self.err("文件已写完".into()));
        };
        let neutralise = self.neutralise;
        let fields = fields.into_iter().map(move |f| {
            if neutralise {
                neutral(f)
            } else {
                std::borrow::Cow::Borrowed(f)
            }
        });
        match out {
            Out::Utf8 { records: w, .. } => {
                self.buffered = true;
                if let Err(e) = w.write_record(fields.map(|f| match f {
                    std::borrow::Cow::Borrowed(b) => std::borrow::Cow::Borrowed(b.as_bytes()),
                    std::borrow::Cow::Owned(o) => std::borrow::Cow::Owned(o.into_bytes()),
                })) {
                    return Err(self.err(e.to_string()));
                }
            }
            Out::Gb { out, gbk } => {
                let enc = if *gbk {
                    encoding_rs::GBK
                } else {
                    encoding_rs::GB18030
                };
                let fields: Vec<std::borrow::Cow<str>> = fields.collect();
                for (i, field) in fields.iter().enumerate() {
                    if let Some(bad) = field.chars().find(|c| {
                        let mut buf = [0u8; 4];
                        let s = c.encode_utf8(&mut buf);
                        let (_, _, unmappable) = enc.encode(s);
                        unmappable
                    }) {
                        let reason = format!(
                            "第 {} 行第 {} 列的字符「{bad}」（U+{:04X}）无法用 {} 编码，请改用 UTF-8（默认）",
                            self.rows + 2,
                            i + 1,
                            bad as u32,
                            enc.name()
                        );
                        return Err(self.err(reason));
                    }
                }
                let mut w = record_writer(Vec::new(), 256);
                let text = w
                    .write_record(fields.iter().map(|f| f.as_bytes()))
                    .map_err(|e| e.to_string())
                    .and_then(|_| w.into_inner().map_err(|e| e.to_string()))
                    .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()));
                let text = match text {
                    Ok(t) => t,
                    Err(e) => return Err(self.err(e)),
                };
                let mut encoder = enc.new_encoder();
                let mut encoded = vec![
                    0;
                    encoder
                        .max_buffer_length_from_utf8_without_replacement(text.len())
                        .unwrap_or(text.len() * 4)
                ];
                let (_, _, written) =
                    encoder.encode_from_utf8_without_replacement(&text, &mut encoded, true);
                encoded.truncate(written);
                if let Err(e) = out.write_all(&encoded) {
                    return Err(self.err(crate::output::io_text(&e)));
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Data rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Flushes and renames the file into place.
    pub fn finish(mut self) -> Result<(), Error> {
        let Some(out) = self.out.take() else {
            return Err(self.err("文件已写完".into()));
        };
        let buf = match out {
            // The writer flushed, its handle on the file dropped: the file is ours alone.
            Out::Utf8 { records, file } => records
                .into_inner()
                .map_err(|e| e.to_string())
                .and_then(|writers| {
                    drop(writers);
                    Arc::try_unwrap(file.0)
                        .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
                        .map_err(|_| "CSV 文件仍在使用中".to_string())
                }),
            Out::Gb { out, .. } => Ok(out),
        };
        let result = buf.and_then(|b| b.into_inner().map_err(|e| e.to_string()));
        let file = match result {
            Ok(f) => f,
            Err(e) => return Err(self.err(e)),
        };
        file.sync_all()
            .map_err(|e| self.err(crate::output::io_text(&e)))?;
        crate::output::publish(&self.tmp, &self.path, self.existing)
    }
}

impl Drop for CsvSink {
    fn drop(&mut self) {
        // Not finished: remove the temporary file (after finish it no longer exists).
        crate::output::discard_temp(&self.tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CSV writer of UTF-8 records into memory, written as [`CsvSink`] writes them.
    fn utf8_records() -> csv::Writer<Vec<u8>> {
        record_writer(Vec::new(), 8 * 1024)
    }

    #[test]
    fn utf8_bom_crlf_and_quoting() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        let mut s = CsvSink::create(&p, CsvEncoding::Utf8Bom, &["项目名称", "金额"]).unwrap();
        s.record(["展示馆物业管理、能源费、水电费", "1100000.00"])
            .unwrap();
        s.record(["含,逗号", "1.00"]).unwrap();
        assert!(!p.exists(), "not in place before finish");
        s.finish().unwrap();
        let bytes = std::fs::read(&p).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "项目名称,金额\r\n展示馆物业管理、能源费、水电费,1100000.00\r\n\"含,逗号\",1.00\r\n"
        );
    }

    /// Rows written elsewhere land in order among records written here, written alike.
    #[test]
    fn utf8_rows_keep_their_place() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.csv");
        let mut s = CsvSink::create(&p, CsvEncoding::Utf8, &["名称", "值"]).unwrap();
        s.record(["甲", "1"]).unwrap();
        let mut w = utf8_records();
        w.write_record(["含,逗号", "2"]).unwrap();
        w.write_record(["丙", "3"]).unwrap();
        let bytes = w.into_inner().unwrap();
        s.utf8_rows(&bytes, 2).unwrap().unwrap();
        s.record(["丁", "4"]).unwrap();
        s.utf8_rows(b"", 0).unwrap().unwrap();
        assert_eq!(s.rows(), 4);
        s.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "名称,值\r\n甲,1\r\n\"含,逗号\",2\r\n丙,3\r\n丁,4\r\n"
        );
        let gb = dir.path().join("c.csv");
        let mut s = CsvSink::create(&gb, CsvEncoding::Gb18030, &["名称"]).unwrap();
        assert!(
            s.utf8_rows(b"x\r\n", 1).is_none(),
            "GB18030 rows go record by record"
        );
    }

    /// Rows from `push_field` are byte for byte what the CSV writer makes of them.
    #[test]
    fn push_field_writes_as_the_csv_writer() {
        use proptest::prelude::*;
        let field = proptest::string::string_regex(
            "[=+\\-@\t\r]?[a-z0-9 ,\"\r\n甲。、“”'#\t+\\-.%=]{0,20}",
        )
        .unwrap();
        proptest!(|(row in proptest::collection::vec(field, 2..14), neutralise in any::<bool>())| {
            let mut w = utf8_records();
            if neutralise {
                w.write_record(row.iter().map(|f| neutral(f).into_owned())).unwrap();
            } else {
                w.write_record(&row).unwrap();
            }
            let expected = w.into_inner().unwrap();
            let mut ours = Vec::new();
            for f in &row {
                push_field(&mut ours, f, neutralise);
            }
            end_row(&mut ours);
            prop_assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(expected).unwrap());
        });
        let mut out = Vec::new();
        for f in ["a\"b", "", "c,d", "x\ry", "\"\""] {
            push_field(&mut out, f, true);
        }
        end_row(&mut out);
        assert_eq!(out, b"\"a\"\"b\",,\"c,d\",\"x\ry\",\"\"\"\"\"\"\r\n");
    }

    #[test]
    fn gb18030_round_trips_and_gbk_fails_loudly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.csv");
        let mut s = CsvSink::create(&p, CsvEncoding::Gb18030, &["单位名称"]).unwrap();
        s.record(["上海市松江区科创发展办公室"]).unwrap();
        s.finish().unwrap();
        let bytes = std::fs::read(&p).unwrap();
        let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
        assert!(!bad);
        assert_eq!(text, "单位名称\r\n上海市松江区科创发展办公室\r\n");

        let q = dir.path().join("k.csv");
        let mut s = CsvSink::create(&q, CsvEncoding::Gbk, &["名称"]).unwrap();
        let err = s.record(["表情😀"]).unwrap_err().to_string();
        assert!(err.contains("第 2 行第 1 列"), "{err}");
        assert!(err.contains("U+1F600"), "{err}");
        drop(s);
        assert!(!q.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temp file removed"
        );
    }
}
