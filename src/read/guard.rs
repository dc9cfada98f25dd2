//! Looking inside a file before calamine does, so that no input can make it allocate past
//! the [`LIMITS`](super::LIMITS), inflate a bomb, or read a zip that is not a workbook.
//!
//! - zip (xlsx, xlsm, ods): the central directory is read without inflating anything; the
//!   parts' declared sizes, their total and their compression ratios are checked. The `zip`
//!   crate (≥ 9.8) fails a part that inflates past its declared size, so a lying header
//!   ends in a read error, not in gigabytes.
//! - ods: calamine parses every sheet of `content.xml` when it opens the file, expanding
//!   `number-columns-repeated` into cells and `number-rows-repeated` into a dense grid. The
//!   XML is streamed once first and the cells calamine would make are counted.
//! - xls: calamine parses every sheet when it opens the file, reserving a dense grid from
//!   each sheet's DIMENSIONS record and building one over the bounding box of its cells.
//!   The BIFF records are scanned first and both sizes are checked.

use std::io::{Cursor, Read};

use super::open::{detail, LIMITS};
use crate::Error;

/// What kind of workbook a zip holds.
#[derive(Debug, PartialEq, Eq)]
pub enum ZipKind {
    /// An Office Open XML spreadsheet (xlsx, xlsm).
    Ooxml,
    /// An OpenDocument spreadsheet.
    Ods,
}

const MIB: u64 = 1024 * 1024;

fn limit(file: &str, reason: String) -> Error {
    Error::Limit {
        file: file.to_string(),
        reason,
    }
}

fn open_err(file: &str, reason: impl Into<String>) -> Error {
    Error::Open {
        file: file.to_string(),
        reason: reason.into(),
    }
}

fn mib(n: u64) -> String {
    if n >= 10 * MIB {
        format!("{} MB", n / MIB)
    } else {
        format!("{:.1} MB", n as f64 / MIB as f64)
    }
}

/// Checks a zip's central directory: sizes within limits, no part encrypted, and a
/// spreadsheet inside.
pub fn check_zip(file: &str, bytes: &[u8]) -> Result<ZipKind, Error> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        open_err(
            file,
            format!(
                "文件不完整或已损坏（可能没有下载完整），请重新获取原文件（{}）",
                detail(&e.to_string())
            ),
        )
    })?;
    if zip.len() > LIMITS.max_zip_parts {
        return Err(limit(
            file,
            format!(
                "压缩包内有 {} 个部件，超过上限 {}，不像是一份申报表",
                zip.len(),
                LIMITS.max_zip_parts
            ),
        ));
    }
    let mut total: u64 = 0;
    let mut names = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|e| open_err(file, format!("文件已损坏（{}）", detail(&e.to_string()))))?;
        let name = f
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(f.name_raw()).into_owned());
        let size = f.size();
        let packed = f.compressed_size();
        if f.encrypted() {
            return Err(open_err(file, super::open::ENCRYPTED));
        }
        if size > LIMITS.max_part_bytes {
            return Err(limit(
                file,
                format!(
                    "部件「{name}」解压后为 {}，超过单个部件上限 {}（可能是“压缩炸弹”）",
                    mib(size),
                    mib(LIMITS.max_part_bytes)
                ),
            ));
        }
        if size > MIB && size / packed.max(1) > LIMITS.max_compression_ratio {
            return Err(limit(
                file,
                format!(
                    "部件「{name}」由 {} 字节解压为 {}，压缩比超过 {}:1（可能是“压缩炸弹”）",
                    packed,
                    mib(size),
                    LIMITS.max_compression_ratio
                ),
            ));
        }
        total = total.saturating_add(size);
        names.push(name);
    }
    if total > LIMITS.max_inflated_bytes {
        return Err(limit(
            file,
            format!(
                "解压后共 {}，超过上限 {}（可能是“压缩炸弹”）",
                mib(total),
                mib(LIMITS.max_inflated_bytes)
            ),
        ));
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("mimetype") {
        let mut mime = String::new();
        if let Ok(f) = zip.by_name("mimetype") {
            let _ = f.take(200).read_to_string(&mut mime);
        }
        let mime = mime.trim();
        if mime == "application/vnd.oasis.opendocument.spreadsheet" {
            // An ods saved with a password keeps its zip but encrypts content.xml, and says
            // so in the manifest.
            let mut manifest = Vec::new();
            if let Ok(f) = zip.by_name("META-INF/manifest.xml") {
                let _ = f.take(4 * MIB).read_to_end(&mut manifest);
            }
            if manifest
                .windows(b"encryption-data".len())
                .any(|w| w == b"encryption-data")
            {
                return Err(open_err(file, super::open::ENCRYPTED_ODS));
            }
            return Ok(ZipKind::Ods);
        }
        if mime.starts_with("application/vnd.oasis.opendocument.text") {
            return Err(open_err(
                file,
                "这是一个 ODF 文字文档（.odt），不是电子表格",
            ));
        }
        if mime.starts_with("application/epub") {
            return Err(open_err(file, "这是一个电子书（EPUB），不是 Excel 工作簿"));
        }
        return Err(open_err(
            file,
            format!("这是一个 OpenDocument 文件（{mime}），但不是电子表格"),
        ));
    }
    if has("[Content_Types].xml") {
        if names.iter().any(|n| n.starts_with("word/")) {
            return Err(open_err(
                file,
                "这是一个 Word 文档（.docx），不是 Excel 工作簿",
            ));
        }
        if names.iter().any(|n| n.starts_with("ppt/")) {
            return Err(open_err(
                file,
                "这是一个 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿",
            ));
        }
        if names.iter().any(|n| n.ends_with("workbook.bin")) {
            return Err(open_err(
                file,
                "这是 Excel 二进制工作簿（.xlsb），jixiao 不读取该格式，请在 Excel 中另存为 .xlsx",
            ));
        }
        if names.iter().any(|n| n.ends_with("workbook.xml")) {
            check_shared_string_counts(file, &mut zip, &names)?;
            return Ok(ZipKind::Ooxml);
        }
        return Err(open_err(
            file,
            "这是一个 Office 文件包，但其中没有工作簿（缺少 xl/workbook.xml）",
        ));
    }
    if names.iter().any(|n| n.ends_with("workbook.xml")) {
        return Err(open_err(
            file,
            "这是一个压缩包，像是解压后又重新压缩的工作簿（缺少 [Content_Types].xml），请使用原始的 .xlsx 文件",
        ));
    }
    Err(open_err(
        file,
        "这是一个普通的 zip 压缩包，不是 Excel 工作簿。如附件被打包，请先解压，再提交其中的 .xlsx 文件",
    ))
}

/// calamine reserves room for as many shared strings as the `uniqueCount` of the table's
/// `<sst>` tag declares (24 bytes each) before reading one: `uniqueCount="4294967295"` in a
/// 46 KB file is a 100 GB reservation, and an allocation failure aborts the process (no
/// panic to catch). Every part that could be the table (calamine looks it up by path,
/// case-insensitively, next to the workbook part) has its first tag read, inflating only
/// its first block or so; a count past [`Limits::max_shared_strings`](super::open::Limits)
/// is refused. No real workbook comes near: a declaration has a few hundred strings, and
/// more distinct strings than the cells a workbook may hold could never be shown.
fn check_shared_string_counts<R: std::io::Read + std::io::Seek>(
    file: &str,
    zip: &mut zip::ZipArchive<R>,
    names: &[String],
) -> Result<(), Error> {
    for name in names {
        let lower = name.replace('\\', "/").to_ascii_lowercase();
        if !lower.ends_with("sharedstrings.xml") {
            continue;
        }
        let Ok(part) = zip.by_name(name) else {
            continue;
        };
        // The tag comes first, within a few hundred bytes: a small buffer inflates no more
        // (0.7% of a rollup's instructions with the default 8 KiB).
        if let Some(n) = declared_unique_count(std::io::BufReader::with_capacity(512, part)) {
            if n > LIMITS.max_shared_strings as u128 {
                return Err(limit(
                    file,
                    format!(
                        "共享字符串表「{name}」声明有 {n} 个不同的字符串，超过上限 {}（文件已损坏或被篡改）",
                        LIMITS.max_shared_strings
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The `uniqueCount` of the first `sst` tag of a shared-strings part, read as a number
/// however calamine would read it (digits, leading zeros, a `+`); `None` when there is no
/// such tag or attribute, or its value is not digits (calamine then reserves nothing).
/// Stops at the first start tag past the prolog.
pub fn declared_unique_count<R: std::io::BufRead>(input: R) -> Option<u128> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(input);
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    // Comments, processing instructions and whitespace before the root are passed; no part
    // may make this read further than its first tags.
    for _ in 0..64 {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) => {
                if e.local_name().as_ref() != "sst" {
                    return None;
                }
                let mut most: Option<u128> = None;
                for a in e.attributes().with_checks(false).map_while(Result::ok) {
                    let key: &str = a.key.0;
                    let local = key.rsplit(':').next().unwrap_or(key);
                    if local != "uniqueCount" {
                        continue;
                    }
                    let v: &str = a.value.as_ref();
                    let v = v.strip_prefix('+').unwrap_or(v);
                    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                        continue;
                    }
                    // Past 39 digits a number no longer fits; it is absurd either way.
                    let n = v.parse::<u128>().unwrap_or(u128::MAX);
                    most = Some(most.map_or(n, |m: u128| m.max(n)));
                }
                return most;
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
    None
}

/// The cells calamine would materialize for one sheet of an ods, as counted by
/// [`scan_ods`].
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DenseEstimate {
    pub sheet: String,
    /// Cells (values and empties between them) calamine pushes while reading rows.
    pub row_cells: u64,
    /// Rows × columns of the grid calamine then builds.
    pub grid_cells: u64,
    pub rows: u64,
    pub cols: u64,
    /// Bytes of cell content calamine copies for the cells it pushes (a repeated cell's
    /// content once per repeat).
    pub text_bytes: u64,
}

/// calamine caps ods rows and columns at Excel's limits.
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;

/// Streams `content.xml` of an ods and checks, sheet by sheet, the cells calamine would
/// make of it. Gives the days its date serials count from 1899-12-30 (its
/// `table:null-date`; 0 when it has none, as LibreOffice's default is that day).
pub fn scan_ods(file: &str, bytes: &[u8]) -> Result<i64, Error> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        open_err(
            file,
            format!("ODS 文件已损坏（{}）", detail(&e.to_string())),
        )
    })?;
    let content = match zip.by_name("content.xml") {
        Ok(f) => f,
        Err(_) => return Err(open_err(file, "ODS 文件缺少 content.xml，已损坏")),
    };
    let (estimates, null_date) = ods_scan(std::io::BufReader::new(content)).map_err(|e| {
        open_err(
            file,
            format!("ODS 文件的内容已损坏（{}）", detail(&e.to_string())),
        )
    })?;
    check_dense(file, &estimates)?;
    // A null date that does not parse is ignored, as LibreOffice does.
    Ok(null_date
        .and_then(|d| d.get(..10)?.parse::<crate::model::Date>().ok())
        .map_or(0, |d| d.days_since_1899_12_30()))
}

fn check_dense(file: &str, estimates: &[DenseEstimate]) -> Result<(), Error> {
    if estimates.len() > LIMITS.max_sheets {
        return Err(limit(
            file,
            format!(
                "工作簿有 {} 个工作表，超过上限 {}",
                estimates.len(),
                LIMITS.max_sheets
            ),
        ));
    }
    let mut total: u64 = 0;
    let mut text: u64 = 0;
    for e in estimates {
        text = text.saturating_add(e.text_bytes);
        let cells = e.row_cells.max(e.grid_cells);
        if cells > LIMITS.max_dense_cells {
            return Err(limit(
                file,
                format!(
                    "工作表「{}」的使用区域为 {} 行 × {} 列（约 {} 个单元格），超过读取上限 {} 个单元格",
                    e.sheet, e.rows, e.cols, cells, LIMITS.max_dense_cells
                ),
            ));
        }
        total = total.saturating_add(cells);
    }
    if total > LIMITS.max_dense_cells_total {
        return Err(limit(
            file,
            format!(
                "各工作表的使用区域合计约 {total} 个单元格，超过整个工作簿的读取上限 {}",
                LIMITS.max_dense_cells_total
            ),
        ));
    }
    check_text_bytes(file, text)
}

/// An attribute's raw value, the first of its name, as calamine finds it.
fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .map_while(Result::ok)
        .find(|a| a.key.0 == name)
        .map(|a| a.value.into_owned())
}

fn attr_u64(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<u64> {
    attr(e, name)?.trim().parse().ok()
}

fn has_attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> bool {
    attr(e, name).is_some()
}

/// Per sheet, what calamine's ods reader would allocate. Mirrors its `read_table`,
/// `read_row` and `get_range`, erring on the side of more: a cell with a value type, a
/// formula or any content counts as non-empty.
#[cfg(test)]
pub fn ods_estimates<R: std::io::BufRead>(
    input: R,
) -> Result<Vec<DenseEstimate>, quick_xml::Error> {
    ods_scan(input).map(|(e, _)| e)
}

/// [`ods_estimates`], and the `table:date-value` of the `table:null-date` element, if any.
fn ods_scan<R: std::io::BufRead>(
    input: R,
) -> Result<(Vec<DenseEstimate>, Option<String>), quick_xml::Error> {
    use quick_xml::events::Event;
    let mut null_date = None;
    let mut reader = quick_xml::Reader::from_reader(input);
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut skip = Vec::new();
    let mut out: Vec<DenseEstimate> = Vec::new();
    // Inside a table: (estimate, expanded rows so far, first and last non-empty row).
    let mut table: Option<TableScan> = None;
    // Inside a row: (repeats, cells pushed, empty cells pending).
    let mut row: Option<(u64, u64, u64)> = None;
    loop {
        let ev = reader.read_event_into(&mut buf)?;
        let (start, is_empty_el) = match &ev {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let qname = e.name();
            let name = qname.0;
            if name == "table:null-date" && null_date.is_none() {
                null_date = attr(&e, "table:date-value");
            } else if name == "table:table" && !is_empty_el && table.is_none() {
                let sheet = attr(&e, "table:name").unwrap_or_default();
                table = Some((
                    DenseEstimate {
                        sheet,
                        ..DenseEstimate::default()
                    },
                    0,
                    None,
                ));
            } else if name == "table:table-row" && table.is_some() {
                let repeats = attr_u64(&e, "table:number-rows-repeated").unwrap_or(1);
                row = Some((repeats, 0, 0));
                if is_empty_el {
                    finish_row(&mut table, &mut row);
                }
            } else if (name == "table:table-cell" || name == "table:covered-table-cell")
                && row.is_some()
            {
                let repeats = attr_u64(&e, "table:number-columns-repeated").unwrap_or(1);
                let valued = !is_empty_el
                    || has_attr(&e, "office:value-type")
                    || has_attr(&e, "table:formula");
                let mut content = 0u64;
                if !is_empty_el {
                    // Whatever is inside the cell (text, annotations, nested tables).
                    let span = reader.read_to_end_into(e.name(), &mut skip)?;
                    content = span.end.saturating_sub(span.start);
                    skip.clear();
                }
                if let Some((_, pushed, pending)) = row.as_mut() {
                    if valued {
                        let cap = ODS_MAX_COLUMNS;
                        let room = cap.saturating_sub(*pushed);
                        *pushed += (*pending).min(room);
                        let room = cap.saturating_sub(*pushed);
                        let copies = repeats.min(room);
                        *pushed += copies;
                        *pending = 0;
                        if let Some((est, _, _)) = table.as_mut() {
                            est.text_bytes = est
                                .text_bytes
                                .saturating_add(copies.saturating_mul(content));
                        }
                    } else {
                        *pending = pending.saturating_add(repeats);
                    }
                }
            }
        }
        match ev {
            Event::End(e) if e.name().0 == "table:table-row" => {
                finish_row(&mut table, &mut row);
            }
            Event::End(e) if e.name().0 == "table:table" => {
                if let Some((mut est, _, span)) = table.take() {
                    if let Some((first, last)) = span {
                        est.rows = last - first + 1;
                        est.grid_cells = est.rows.saturating_mul(est.cols);
                    } else {
                        est.cols = 0;
                    }
                    out.push(est);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok((out, null_date))
}

/// A table being scanned: its estimate, expanded rows so far, first and last non-empty row.
type TableScan = (DenseEstimate, u64, Option<(u64, u64)>);

fn finish_row(table: &mut Option<TableScan>, row: &mut Option<(u64, u64, u64)>) {
    let (Some((est, rows, span)), Some((repeats, pushed, _))) = (table.as_mut(), row.take()) else {
        return;
    };
    let repeats = repeats.min(ODS_MAX_ROWS.saturating_sub(*rows));
    est.row_cells = est.row_cells.saturating_add(pushed);
    if pushed > 0 && repeats > 0 {
        est.cols = est.cols.max(pushed);
        let first = span.map_or(*rows, |s| s.0);
        *span = Some((first, *rows + repeats - 1));
    }
    *rows += repeats;
}

/// Per sheet of an .xls: what calamine's BIFF reader would reserve and build.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct XlsEstimate {
    pub sheet_index: usize,
    /// The sheet's name from its BoundSheet8 record (BIFF8), when it can be read.
    pub name: Option<String>,
    /// Rows × columns its DIMENSIONS record states (calamine reserves this many cells).
    pub dims_cells: u64,
    pub dims: (u64, u64),
    /// Rows × columns of the bounding box of its cell records (calamine's dense grid).
    pub grid_cells: u64,
    pub grid: (u64, u64),
    /// A record calamine would compute with a negative size (it would overflow).
    pub malformed: Option<&'static str>,
    /// Cell records (calamine keeps each, even many at one position).
    pub cell_records: u64,
    /// Bytes of text calamine makes for the sheet's cells: each LABELSST cell is a copy of
    /// its shared string (counted at 3 bytes per character, UTF-8's most for UTF-16).
    pub text_bytes: u64,
}

fn u16_at(d: &[u8], i: usize) -> Option<u64> {
    Some(u16::from_le_bytes([*d.get(i)?, *d.get(i + 1)?]) as u64)
}

fn u32_at(d: &[u8], i: usize) -> Option<u64> {
    Some(u32::from_le_bytes([*d.get(i)?, *d.get(i + 1)?, *d.get(i + 2)?, *d.get(i + 3)?]) as u64)
}

/// BIFF records of a stream: (type, data), stopping at the first truncated one.
fn records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let t = u16_at(rest, 0)? as u16;
        let len = u16_at(rest, 2)? as usize;
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some((t, data))
    })
}

/// Whether the workbook globals hold a FilePass record (an open password), as calamine
/// tests it.
pub fn xls_is_encrypted(stream: &[u8]) -> bool {
    for (t, d) in records(stream) {
        match t {
            0x002F if u16_at(d, 0).is_some_and(|v| v != 0) => return true,
            0x000A => break,
            _ => {}
        }
    }
    false
}

/// The byte chunks of a record and its CONTINUE records, read as calamine does.
struct Chunks<'a> {
    parts: Vec<&'a [u8]>,
    i: usize,
    p: usize,
}

impl Chunks<'_> {
    fn left(&self) -> usize {
        self.parts.get(self.i).map_or(0, |d| d.len() - self.p)
    }
    fn next_part(&mut self) -> bool {
        if self.i + 1 < self.parts.len() {
            self.i += 1;
            self.p = 0;
            true
        } else {
            self.i = self.parts.len();
            false
        }
    }
    /// `n` bytes from the current part only (string headers are not split).
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let d = self.parts.get(self.i)?.get(self.p..self.p + n)?;
        self.p += n;
        Some(d)
    }
    /// Skips `n` bytes across parts.
    fn skip(&mut self, mut n: usize) -> Option<()> {
        while n > 0 {
            if self.left() == 0 && !self.next_part() {
                return None;
            }
            let k = n.min(self.left());
            self.p += k;
            n -= k;
        }
        Some(())
    }
}

/// The character count of each string of an SST record (with its CONTINUE records),
/// following calamine's `parse_sst`; stops at the first string it cannot follow.
fn sst_lengths(parts: Vec<&[u8]>) -> Vec<u64> {
    let mut out = Vec::new();
    let mut c = Chunks { parts, i: 0, p: 0 };
    if c.take(8).is_none() {
        return out;
    }
    loop {
        if c.left() == 0 && !c.next_part() {
            break;
        }
        let Some(h) = c.take(3) else { break };
        let cch = u16::from_le_bytes([h[0], h[1]]) as u64;
        let flags = h[2];
        let mut runs = 0usize;
        let mut ext = 0usize;
        if flags & 0x8 != 0 {
            let Some(r) = c.take(2) else { break };
            runs = u16::from_le_bytes([r[0], r[1]]) as usize;
        }
        if flags & 0x4 != 0 {
            let Some(r) = c.take(4) else { break };
            let v = i32::from_le_bytes([r[0], r[1], r[2], r[3]]);
            let Ok(v) = usize::try_from(v) else { break };
            ext = v;
        }
        out.push(cch);
        let mut high = flags & 0x1 != 0;
        let mut remaining = cch as usize;
        loop {
            let size = if high { 2 } else { 1 };
            let k = remaining.min(c.left() / size);
            c.p += k * size;
            remaining -= k;
            if remaining == 0 {
                break;
            }
            if !c.next_part() {
                return out;
            }
            let Some(f) = c.take(1) else { return out };
            high = f[0] & 0x1 != 0;
        }
        if c.skip(runs * 4 + ext).is_none() {
            break;
        }
    }
    out
}

/// The name in a BIFF8 BoundSheet8 record: a ShortXLUnicodeString after 6 bytes.
fn sheet_name(d: &[u8]) -> Option<String> {
    let cch = *d.get(6)? as usize;
    let high = *d.get(7)? & 1 != 0;
    if high {
        let b = d.get(8..8 + 2 * cch)?;
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).ok()
    } else {
        Some(d.get(8..8 + cch)?.iter().map(|&b| b as char).collect())
    }
}

/// Scans the Workbook stream of an .xls: per sheet, what calamine would allocate.
pub fn xls_estimates(stream: &[u8]) -> Vec<XlsEstimate> {
    let mut positions = Vec::new();
    let mut sst: Vec<u64> = Vec::new();
    let all: Vec<(u16, &[u8])> = records(stream).collect();
    for (k, (t, d)) in all.iter().enumerate() {
        match *t {
            0x0085 => {
                if let Some(p) = u32_at(d, 0) {
                    positions.push((p as usize, sheet_name(d)));
                }
            }
            0x00FC => {
                let mut parts = vec![*d];
                parts.extend(
                    all[k + 1..]
                        .iter()
                        .take_while(|(t, _)| *t == 0x003C)
                        .map(|(_, d)| *d),
                );
                sst = sst_lengths(parts);
            }
            0x000A => break,
            _ => {}
        }
    }
    positions
        .into_iter()
        .enumerate()
        .map(|(i, (pos, name))| {
            let mut est = XlsEstimate {
                sheet_index: i,
                name,
                ..XlsEstimate::default()
            };
            let Some(sheet) = stream.get(pos..) else {
                return est;
            };
            let mut bbox: Option<(u64, u64, u64, u64)> = None;
            let mut add = |r: u64, c0: u64, c1: u64| {
                let b = bbox.get_or_insert((r, r, c0, c1));
                b.0 = b.0.min(r);
                b.1 = b.1.max(r);
                b.2 = b.2.min(c0);
                b.3 = b.3.max(c1);
            };
            let mut seen_bof = false;
            let mut depth = 0usize;
            for (t, d) in records(sheet) {
                if depth > 0 {
                    match t {
                        0x0809 => depth += 1,
                        0x000A => depth -= 1,
                        _ => {}
                    }
                    continue;
                }
                match t {
                    0x0809 => {
                        if seen_bof {
                            depth += 1;
                        } else {
                            seen_bof = true;
                        }
                    }
                    0x0200 => {
                        let dims = match d.len() {
                            10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
                            14 | 16 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
                            _ => continue,
                        };
                        let (Some(rf), Some(rl), Some(mut cf), Some(cl)) = dims else {
                            continue;
                        };
                        if cf > 0xFF || cl < cf {
                            cf = 0;
                        }
                        if rl >= 1 && cl >= 1 {
                            if rl - 1 < rf {
                                est.malformed = Some("DIMENSIONS");
                                continue;
                            }
                            let rows = rl - rf;
                            let cols = cl - cf;
                            est.dims = (rows, cols);
                            est.dims_cells = rows.saturating_mul(cols);
                        }
                    }
                    0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                        if let (Some(r), Some(c)) = (u16_at(d, 0), u16_at(d, 2)) {
                            add(r, c, c);
                            est.cell_records += 1;
                        }
                        if t == 0x00FD {
                            let i = u32_at(d, 6).unwrap_or(u64::MAX);
                            let chars = usize::try_from(i)
                                .ok()
                                .and_then(|i| sst.get(i))
                                .copied()
                                .unwrap_or(0);
                            est.text_bytes = est.text_bytes.saturating_add(3 * chars);
                        }
                    }
                    0x00BD => {
                        if let (Some(r), Some(c0), Some(c1)) = (
                            u16_at(d, 0),
                            u16_at(d, 2),
                            u16_at(d, d.len().saturating_sub(2)),
                        ) {
                            if d.len() < 6 || c1 < c0 {
                                est.malformed = Some("MULRK");
                                continue;
                            }
                            add(r, c0, c1);
                            est.cell_records += c1 - c0 + 1;
                        }
                    }
                    0x000A => break,
                    _ => {}
                }
            }
            if let Some((r0, r1, c0, c1)) = bbox {
                est.grid = (r1 - r0 + 1, c1 - c0 + 1);
                est.grid_cells = est.grid.0 * est.grid.1;
            }
            est
        })
        .collect()
}

/// The longest length calamine's compound-file reader would be asked to gather, from the
/// directory entries as it reads them (every 128-byte entry of the directory chain, not
/// only those in the tree the `cfb` crate walks: calamine takes the first entry of a name),
/// and the mini FAT's declared sectors. calamine follows a chain until it holds the declared
/// length, so a chain that loops (which the `cfb` crate finds only in what it reads) grows
/// without end toward that length: a root entry declaring 4 GB over a two-sector loop
/// aborted the process. `None` when the header or directory cannot be followed (calamine
/// then fails on it too).
fn cfb_declared_max(bytes: &[u8]) -> Option<u64> {
    const END: u64 = 0xFFFF_FFFA;
    let sector: usize = match u16_at(bytes, 30)? {
        9 => 512,
        12 => 4096,
        _ => return None,
    };
    let sector_at = |id: u64| -> Option<&[u8]> {
        // Sector 0 starts after the header, which fills the first sector.
        let start = usize::try_from(id)
            .ok()?
            .checked_add(1)?
            .checked_mul(sector)?;
        bytes.get(start..start + sector)
    };
    let max_sectors = (bytes.len() / sector) as u64;
    let mut difat: Vec<u64> = (0..109).filter_map(|i| u32_at(bytes, 76 + 4 * i)).collect();
    let mut next = u32_at(bytes, 68)?;
    let mut steps = 0;
    while next < END {
        steps += 1;
        if steps > max_sectors + 1 {
            return None;
        }
        let s = sector_at(next)?;
        let n = sector / 4;
        difat.extend((0..n - 1).filter_map(|i| u32_at(s, 4 * i)));
        next = u32_at(s, 4 * (n - 1))?;
    }
    let mut fats: Vec<u64> = Vec::new();
    for id in difat.into_iter().filter(|&id| id < 0xFFFF_FFFC) {
        let s = sector_at(id)?;
        fats.extend((0..sector / 4).filter_map(|i| u32_at(s, 4 * i)));
        if fats.len() as u64 > max_sectors.saturating_mul(sector as u64) {
            return None;
        }
    }
    let mut most = u32_at(bytes, 64)?.saturating_mul(sector as u64);
    let mut id = u32_at(bytes, 48)?;
    let mut steps = 0usize;
    while id < END {
        steps += 1;
        if steps > fats.len() + 1 {
            // A loop in the directory chain: the `cfb` crate refuses it.
            return None;
        }
        let s = sector_at(id)?;
        for e in s.chunks_exact(128) {
            let len = if sector == 512 {
                u32_at(e, 120)?
            } else {
                u32_at(e, 120)? | (u32_at(e, 124)? << 32)
            };
            most = most.max(len);
        }
        id = *fats.get(usize::try_from(id).ok()?)?;
    }
    Some(most)
}

/// Opens an .xls's compound file and checks what calamine would allocate for it.
pub fn scan_xls(file: &str, bytes: &[u8]) -> Result<(), Error> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| {
        open_err(
            file,
            format!(
                ".xls 文件已损坏或不完整（可能没有下载完整）（{}）",
                detail(&e.to_string())
            ),
        )
    })?;
    if let Some(n) = cfb_declared_max(bytes).filter(|&n| n > bytes.len() as u64) {
        return Err(open_err(
            file,
            format!(
                ".xls 文件已损坏：其中一个数据流声明长度为 {n} 字节，超过文件本身的 {} 字节",
                bytes.len()
            ),
        ));
    }
    let name = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"]
        .into_iter()
        .find(|n| cf.is_stream(n));
    let Some(name) = name else {
        return Err(open_err(
            file,
            "这是一个 OLE 复合文档（如旧版 Word .doc），不是 Excel 工作簿",
        ));
    };
    let mut stream = Vec::new();
    cf.open_stream(name)
        .and_then(|s| s.take(LIMITS.max_file_bytes).read_to_end(&mut stream))
        .map_err(|e| {
            open_err(
                file,
                format!(".xls 文件已损坏（{}）", detail(&e.to_string())),
            )
        })?;
    // With an open password, the records after FilePass hold ciphertext (their headers stay
    // plain): nothing in them can be sized, and calamine refuses the file anyway.
    if xls_is_encrypted(&stream) {
        return Err(open_err(file, super::open::ENCRYPTED));
    }
    let est = xls_estimates(&stream);
    if est.len() > LIMITS.max_sheets {
        return Err(limit(
            file,
            format!(
                "工作簿有 {} 个工作表，超过上限 {}",
                est.len(),
                LIMITS.max_sheets
            ),
        ));
    }
    let mut total: u64 = 0;
    let mut text: u64 = 0;
    for e in &est {
        let n = match &e.name {
            Some(name) => format!("工作表「{name}」"),
            None => format!("第 {} 个工作表", e.sheet_index + 1),
        };
        if let Some(what) = e.malformed {
            return Err(open_err(
                file,
                format!(".xls 文件已损坏：{n}的 {what} 记录不合法"),
            ));
        }
        if e.cell_records > LIMITS.max_dense_cells {
            return Err(limit(
                file,
                format!(
                    "{n}有 {} 个单元格记录，超过读取上限 {} 个单元格",
                    e.cell_records, LIMITS.max_dense_cells
                ),
            ));
        }
        text = text.saturating_add(e.text_bytes);
        let (cells, (rows, cols)) = if e.dims_cells >= e.grid_cells {
            (e.dims_cells, e.dims)
        } else {
            (e.grid_cells, e.grid)
        };
        if cells > LIMITS.max_dense_cells {
            return Err(limit(
                file,
                format!(
                    "{n}的使用区域为 {rows} 行 × {cols} 列（{cells} 个单元格），超过读取上限 {} 个单元格",
                    LIMITS.max_dense_cells
                ),
            ));
        }
        total = total.saturating_add(cells);
    }
    if total > LIMITS.max_dense_cells_total {
        return Err(limit(
            file,
            format!(
                "各工作表的使用区域合计 {total} 个单元格，超过整个工作簿的读取上限 {}",
                LIMITS.max_dense_cells_total
            ),
        ));
    }
    check_text_bytes(file, text)
}

fn check_text_bytes(file: &str, bytes: u64) -> Result<(), Error> {
    if bytes > LIMITS.max_text_bytes {
        return Err(limit(
            file,
            format!(
                "各单元格的文本展开后约 {}，超过整个工作簿的上限 {}（同一段长文本被大量单元格重复引用）",
                mib(bytes),
                mib(LIMITS.max_text_bytes)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ods(body: &str) -> Vec<DenseEstimate> {
        let xml = format!(
            r#"<office:document-content><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"#
        );
        ods_estimates(xml.as_bytes()).unwrap()
    }

    #[test]
    fn ods_null_date_is_found() {
        let xml = r#"<office:document-content><office:body><office:spreadsheet><table:calculation-settings><table:null-date table:date-value="1904-01-01"/></table:calculation-settings><table:table table:name="S"/></office:spreadsheet></office:body></office:document-content>"#;
        let (_, null_date) = ods_scan(xml.as_bytes()).unwrap();
        assert_eq!(null_date.as_deref(), Some("1904-01-01"));
        let (_, none) = ods_scan(&b"<office:document-content/>"[..]).unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn ods_trailing_empties_cost_nothing() {
        // What LibreOffice writes after the last used cell and row.
        let e = ods(
            r#"<table:table table:name="S"><table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16383"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>"#,
        );
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].sheet, "S");
        assert_eq!(
            (e[0].rows, e[0].cols, e[0].grid_cells, e[0].row_cells),
            (1, 1, 1, 1)
        );
    }

    #[test]
    fn ods_repeated_values_are_counted() {
        let e = ods(
            r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="string" table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#,
        );
        assert_eq!((e[0].rows, e[0].cols), (1_000_000, 16_384));
        assert_eq!(e[0].row_cells, 16_384);
        assert_eq!(e[0].grid_cells, 16_384_000_000);
    }

    #[test]
    fn ods_gap_before_a_value_is_counted() {
        let e = ods(
            r#"<table:table table:name="S"><table:table-row><table:table-cell table:number-columns-repeated="10000"/><table:table-cell office:value-type="float" office:value="1"/></table:table-row><table:table-row table:number-rows-repeated="500"/><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row></table:table>"#,
        );
        assert_eq!(
            (e[0].rows, e[0].cols, e[0].row_cells),
            (502, 10_001, 10_002)
        );
    }

    #[test]
    fn xls_records() {
        let mut s = Vec::new();
        let rec = |s: &mut Vec<u8>, t: u16, d: &[u8]| {
            s.extend(t.to_le_bytes());
            s.extend((d.len() as u16).to_le_bytes());
            s.extend(d);
        };
        // Globals: one BoundSheet8 for the sheet at offset 16, then EOF.
        rec(&mut s, 0x0085, &[16, 0, 0, 0, 0, 0, 1, 0]);
        rec(&mut s, 0x000A, &[]);
        assert_eq!(s.len(), 16);
        rec(&mut s, 0x0809, &[0; 2]);
        let mut dims = Vec::new();
        dims.extend(0u32.to_le_bytes());
        dims.extend(65536u32.to_le_bytes());
        dims.extend(0u16.to_le_bytes());
        dims.extend(256u16.to_le_bytes());
        dims.extend(0u16.to_le_bytes());
        rec(&mut s, 0x0200, &dims);
        rec(&mut s, 0x0203, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        rec(&mut s, 0x0203, &[9, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        rec(&mut s, 0x000A, &[]);
        let e = xls_estimates(&s);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].dims, (65536, 256));
        assert_eq!(e[0].grid, (10, 5));
        assert_eq!(e[0].malformed, None);
    }
}
