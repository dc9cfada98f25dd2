//! Opening a file as a workbook: recognising what it is, refusing what it is not, and
//! loading its sheets as sparse grids within stated limits.
//!
//! An xlsx is read with each worksheet part inflated once: jixiao inflates them, scans
//! them for merged ranges ([`merges`]), and calamine reads their cells from a copy of the
//! workbook in which they are stored ([`repack`]). Anything unusual about the zip, and any
//! failure but a limit on the copy, and the file is read as before from the original bytes,
//! calamine inflating the sheets and the scan inflating them again, so that every message
//! stays the original's.

use std::io::Cursor;
use std::path::Path;

use calamine::{Ods, Reader, SheetVisible, Xls, Xlsx};

use super::grid::{Grid, Value};
use super::guard;
use crate::model::EXCEL_1904_OFFSET;
use crate::Error;

mod merges;
mod prune;
mod refs;
mod repack;

/// What one workbook may make jixiao read. No real declaration comes near these: the
/// seed's 10 projects fill about 1,500 cells in 11 sheets, and its xlsx inflates to about
/// 400 KB. Past any of them the file is refused with an [`Error::Limit`] naming it.
pub struct Limits {
    /// Size of the file on disk.
    pub max_file_bytes: u64,
    /// Sheets in one workbook.
    pub max_sheets: usize,
    /// Non-empty cells considered per sheet.
    pub max_cells_per_sheet: usize,
    /// Non-empty cells in all sheets together.
    pub max_cells_per_workbook: usize,
    /// Merged ranges per sheet.
    pub max_merges_per_sheet: usize,
    /// Characters of text in one cell: Excel's own limit.
    pub max_cell_chars: usize,
    /// 项目名称 labels (forms) on one sheet.
    pub max_forms_per_sheet: usize,
    /// Bytes of cell text in one workbook, counting a shared string once per cell that
    /// shows it (each becomes its own copy).
    pub max_text_bytes: u64,
    /// Rows × columns of a sheet's used range, for formats read as a dense grid (xls, ods).
    pub max_dense_cells: u64,
    /// The same, summed over the sheets of one xls or ods (calamine builds them all at once).
    pub max_dense_cells_total: u64,
    /// Parts (files) inside a zip container (xlsx, ods).
    pub max_zip_parts: usize,
    /// Distinct shared strings an xlsx may declare (`uniqueCount`): calamine reserves room
    /// for them all before reading one.
    pub max_shared_strings: usize,
    /// Inflated size of one part of a zip container, as its central directory declares it.
    pub max_part_bytes: u64,
    /// Inflated size of all parts together.
    pub max_inflated_bytes: u64,
    /// Inflated ÷ compressed size of a part above 1 MiB. Deflate cannot exceed about
    /// 1032:1; real sheets compress 5–200:1.
    pub max_compression_ratio: u64,
}

pub const LIMITS: Limits = Limits {
    max_file_bytes: 64 * 1024 * 1024,
    max_sheets: 500,
    max_cells_per_sheet: 200_000,
    max_cells_per_workbook: 1_000_000,
    max_merges_per_sheet: 20_000,
    max_cell_chars: 32_767,
    max_forms_per_sheet: 50,
    max_text_bytes: 200 * 1024 * 1024,
    max_dense_cells: 5_000_000,
    max_dense_cells_total: 10_000_000,
    max_zip_parts: 10_000,
    max_shared_strings: 1_000_000,
    max_part_bytes: 100 * 1024 * 1024,
    max_inflated_bytes: 300 * 1024 * 1024,
    max_compression_ratio: 1_000,
};

/// The container the bytes are.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Zip,
    Cfb,
    Other(&'static str),
}

/// The reason given for a workbook with an opening password (Excel's or WPS's).
pub(super) const ENCRYPTED: &str =
    "工作簿设置了打开密码（已加密），请在 Excel 中取消密码后另存再提交";
/// The same for an .ods saved with a password (LibreOffice, not Excel).
pub(super) const ENCRYPTED_ODS: &str = "工作簿设置了打开密码（已加密），请取消密码后另存再提交";

fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Kind::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Kind::Cfb
    } else if bytes.is_empty() {
        Kind::Other("文件是空的（0 字节）")
    } else if bytes.starts_with(b"%PDF") {
        Kind::Other("这是一个 PDF 文件，不是 Excel 工作簿")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G']) || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
    {
        Kind::Other("这是一个图片文件，不是 Excel 工作簿")
    } else if bytes.starts_with(b"<") || bytes.starts_with(b"\xEF\xBB\xBF<") {
        Kind::Other("这是一个网页或 XML 文本文件，不是 Excel 工作簿（可在 Excel 中另存为 .xlsx）")
    } else if std::str::from_utf8(&bytes[..bytes.len().min(512)]).is_ok() {
        Kind::Other("这是一个文本文件，不是 Excel 工作簿")
    } else {
        Kind::Other("无法识别的文件格式，不是 Excel 或 WPS 表格文件")
    }
}

/// Whether a CFB (OLE) container is an encrypted OOXML package rather than an .xls.
fn is_encrypted_ooxml(bytes: &[u8]) -> bool {
    // The stream names are stored in UTF-16LE in the CFB directory.
    let needle: Vec<u8> = "EncryptionInfo"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

fn open_err(file: &str, reason: impl Into<String>) -> Error {
    Error::Open {
        file: file.to_string(),
        reason: reason.into(),
    }
}

/// Reads `path` and loads every sheet.
///
/// Only a regular file is read: a FIFO would block the open (and then the read) forever,
/// and a device such as `/dev/zero` never ends, whatever its metadata says. The type is
/// checked before opening, again on the open handle, and the read itself stops one byte
/// past the size limit.
pub fn load(path: &Path) -> Result<Vec<Grid>, Error> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| open_err(&file, io_reason(&e)))?;
    if meta.is_dir() {
        return Err(open_err(&file, "这是一个文件夹，不是文件"));
    }
    if !meta.is_file() {
        return Err(open_err(&file, NOT_REGULAR));
    }
    too_big(&file, meta.len())?;
    let mut f = std::fs::File::open(path).map_err(|e| open_err(&file, io_reason(&e)))?;
    match f.metadata() {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(open_err(&file, NOT_REGULAR)),
        Err(e) => return Err(open_err(&file, io_reason(&e))),
    }
    let mut bytes = Vec::new();
    // Room for what the metadata says, but no more than the limit: a size that changed
    // since, or lies, costs reallocations, never a read past the limit.
    let _ = bytes.try_reserve(meta.len().min(LIMITS.max_file_bytes) as usize + 1);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(&mut f, LIMITS.max_file_bytes + 1),
        &mut bytes,
    )
    .map_err(|e| open_err(&file, io_reason(&e)))?;
    load_bytes(&file, bytes)
}

/// The reason for an input that is not a regular file.
const NOT_REGULAR: &str = "这不是普通文件（而是设备、管道或套接字等），jixiao 只读取普通文件";

fn too_big(file: &str, len: u64) -> Result<(), Error> {
    if len > LIMITS.max_file_bytes {
        return Err(Error::Limit {
            file: file.to_string(),
            reason: format!(
                "文件大小 {} MB 超过上限 {} MB",
                len / 1_048_576,
                LIMITS.max_file_bytes / 1_048_576
            ),
        });
    }
    Ok(())
}

fn io_reason(e: &std::io::Error) -> String {
    io_reason_zh(e)
}

/// An I/O error named in Chinese by its kind, with the system's error number when it has
/// one (its own text is English: "No such file or directory (os error 2)").
pub fn io_reason_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let what = match e.kind() {
        K::NotFound => return "找不到该文件".into(),
        K::PermissionDenied => return "没有读取权限".into(),
        K::IsADirectory => return "这是一个文件夹，不是文件".into(),
        K::UnexpectedEof => "文件在读取中途结束",
        K::Interrupted => "读取被中断",
        K::OutOfMemory => "内存不足",
        K::TimedOut => "读取超时",
        K::WouldBlock => "文件暂时无法读取（被占用）",
        K::InvalidInput | K::InvalidFilename => "文件名或路径无效",
        K::InvalidData => "文件数据无效",
        K::ResourceBusy => "文件正被占用",
        K::NotADirectory => "路径中的某一级不是文件夹",
        K::StaleNetworkFileHandle | K::NetworkDown | K::NetworkUnreachable => "网络文件系统出错",
        _ => "读取文件时系统出错",
    };
    match e.raw_os_error() {
        Some(n) => format!("{what}（系统错误号 {n}）"),
        None => what.into(),
    }
}

thread_local! {
    /// Set while [`load_bytes`] runs the parsers under `catch_unwind`.
    static PARSING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a panic now would be caught by [`load_bytes`] and reported as a damaged file
/// (for a panic hook: such a panic is not a crash and needs no message).
pub fn panic_is_caught() -> bool {
    PARSING.with(|p| p.get())
}

/// Loads a workbook from bytes; `file` names it in errors.
///
/// Never panics: what calamine cannot read is an [`Error`], and a panic inside a parser is
/// caught and reported as a damaged file. The pre-scans in [`super::guard`] keep calamine
/// from allocating past the [`LIMITS`] before it is called.
pub fn load_bytes(file: &str, bytes: Vec<u8>) -> Result<Vec<Grid>, Error> {
    too_big(file, bytes.len() as u64)?;
    let kind = sniff(&bytes);
    if let Kind::Other(reason) = kind {
        return Err(open_err(file, reason));
    }
    PARSING.with(|p| p.set(true));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match kind {
        Kind::Zip => load_zip(file, bytes),
        Kind::Cfb => load_cfb(file, bytes),
        Kind::Other(reason) => Err(open_err(file, reason)),
    }));
    PARSING.with(|p| p.set(false));
    match caught {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(open_err(
                file,
                format!("文件已损坏，无法解析（解析器报告：{}）", detail(&what)),
            ))
        }
    }
}

fn load_zip(file: &str, bytes: Vec<u8>) -> Result<Vec<Grid>, Error> {
    match guard::check_zip(file, &bytes)? {
        guard::ZipKind::Ods => {
            let offset = guard::scan_ods(file, &bytes)?;
            let wb: Ods<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(
                |e: calamine::OdsError| match e {
                    calamine::OdsError::Password => open_err(file, ENCRYPTED_ODS),
                    e => open_err(
                        file,
                        format!("ODS 文件已损坏或不完整（{}）", detail(&e.to_string())),
                    ),
                },
            )?;
            load_dense(file, wb, offset)
        }
        guard::ZipKind::Ooxml => load_ooxml(file, &bytes, true),
    }
}

/// xlsx/xlsm. With `repack`, calamine reads a copy whose worksheet parts jixiao inflated
/// (see [`repack`]); when there is none, or calamine fails on it with anything but a
/// limit, the file is read as before: calamine inflates the original, and each sheet part
/// is inflated again for its merges. The fallback gives the original's errors word for
/// word.
fn load_ooxml(file: &str, bytes: &[u8], repack: bool) -> Result<Vec<Grid>, Error> {
    let mut parts = merges::XlsxParts::read(bytes);
    if repack && parts.is_some() {
        // A panic here (in the scan, say, which the original path runs only on sheets
        // calamine has read) is not reported: the original is read instead.
        let tried = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let copy = parts.as_mut()?.repack()?;
            let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(copy.as_slice())).ok()?;
            Some(load_xlsx(file, wb, parts.take()))
        }));
        match tried {
            Ok(Some(Ok(grids))) => return Ok(grids),
            // Counted from the cells, which are the same either way.
            Ok(Some(Err(e @ Error::Limit { .. }))) => return Err(e),
            // Seen in the XML, which is the same either way (the original path would have
            // calamine wrap the reference first, or panic on it with overflow checks).
            Ok(Some(Err(e))) if is_past_grid(&e) => return Err(e),
            // No copy, or calamine could not open it: `parts` was not handed on (its scans,
            // if any, are of the bytes the original path inflates).
            Ok(None) if parts.is_some() => {}
            _ => parts = merges::XlsxParts::read(bytes),
        }
    }
    // Borrowed, not moved: the merged ranges are read from the same bytes.
    let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| open_err(file, zip_reason(&e.to_string())))?;
    load_xlsx(file, wb, parts)
}

fn load_cfb(file: &str, bytes: Vec<u8>) -> Result<Vec<Grid>, Error> {
    if is_encrypted_ooxml(&bytes) {
        return Err(open_err(file, ENCRYPTED));
    }
    guard::scan_xls(file, &bytes)?;
    let wb: Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(
        |e: calamine::XlsError| match e {
            calamine::XlsError::Password => open_err(file, ENCRYPTED),
            e => open_err(
                file,
                format!(
                    ".xls 文件已损坏或不是 Excel 工作簿（{}）",
                    detail(&e.to_string())
                ),
            ),
        },
    )?;
    let merges: Vec<Vec<(u32, u16, u32, u16)>> = wb
        .sheet_names()
        .iter()
        .map(|n| {
            wb.merge_cells_by_sheet_name(n)
                .map(|v| v.iter().map(dims).collect())
                .unwrap_or_default()
        })
        .collect();
    let offset = if wb.has_1904_epoch() {
        EXCEL_1904_OFFSET
    } else {
        0
    };
    let mut grids = load_dense(file, wb, offset)?;
    for (g, m) in grids.iter_mut().zip(merges) {
        check_merges(file, &g.name, m.len())?;
        g.set_merges(m);
    }
    Ok(grids)
}

fn check_merges(file: &str, sheet: &str, n: usize) -> Result<(), Error> {
    if n > LIMITS.max_merges_per_sheet {
        return Err(Error::Limit {
            file: file.to_string(),
            reason: format!(
                "工作表「{sheet}」有 {n} 个合并单元格区域，超过上限 {}",
                LIMITS.max_merges_per_sheet
            ),
        });
    }
    Ok(())
}

/// A reason from calamine or the zip reader, in Chinese.
fn explain(e: &str) -> String {
    if e.contains("larger than its declared uncompressed size") {
        "数据比其声明的大小更大，文件已损坏或被篡改（可能是“压缩炸弹”）".into()
    } else if e.contains("Invalid checksum") {
        "数据校验失败，文件已损坏（校验和不符）".into()
    } else if e.contains("unexpected end of file") || e.contains("UnexpectedEof") {
        "数据不完整，文件已损坏（数据提前结束）".into()
    } else {
        format!("文件内容已损坏（{}）", detail(e))
    }
}

fn zip_reason(e: &str) -> String {
    if e.contains("EOCD") || e.contains("end of central directory") || e.contains("Zip") {
        format!(
            "文件不完整或已损坏（可能没有下载完整），请重新获取原文件（{}）",
            detail(e)
        )
    } else if e.contains("not found") || e.contains("workbook") {
        format!("这是一个压缩包，但不是 Excel 工作簿（{}）", detail(e))
    } else if e.contains("declared uncompressed size") || e.contains("checksum") {
        explain(e)
    } else {
        format!("无法作为 Excel 工作簿打开（{}）", detail(e))
    }
}

/// The detail of an error from zip, cfb, calamine, quick-xml or a parser's panic, named in
/// Chinese by its kind: their texts are English, and a Chinese message must not end in
/// "(invalid Zip archive: Could not find EOCD)". The kinds are those the crates' messages
/// say (zip 9.8, cfb 0.16, calamine 0.38, quick-xml 0.42); the first that matches names it.
pub(crate) fn detail(e: &str) -> &'static str {
    const KINDS: &[(&[&str], &str)] = &[
        (
            &["EOCD", "end of central directory", "central directory"],
            "找不到压缩包末尾的目录记录，文件末尾缺失",
        ),
        (&["checksum", "CRC"], "数据校验和不符"),
        (
            &["declared uncompressed size"],
            "解压后的数据比声明的大小更大",
        ),
        (
            &["deflate", "Deflate", "stored block", "huffman", "Huffman"],
            "压缩数据已损坏",
        ),
        (
            &[
                "unexpected end",
                "UnexpectedEof",
                "failed to fill whole buffer",
                "too small",
            ],
            "数据提前结束",
        ),
        (&["Password", "password", "encrypt"], "文件已加密"),
        (
            &[
                "sector",
                "Sector",
                "Chain",
                "chain",
                "Malformed directory",
                "FAT",
            ],
            "OLE 复合文档的扇区结构已损坏",
        ),
        (&["Invalid OLE", "signature"], "不是有效的 OLE 复合文档"),
        (
            &["Cannot find", "not found", "NotFound", "missing"],
            "缺少必需的部件或数据流",
        ),
        (
            &[
                "xml",
                "Xml",
                "XML",
                "syntax",
                "ill-formed",
                "Eof",
                "tag",
                "attribute",
                "escape",
            ],
            "XML 格式错误",
        ),
        (&["overflow"], "数值溢出"),
        (&["out of range", "out of bounds", "index"], "读取越界"),
        (
            &["utf", "UTF", "encoding", "codepage", "CodePage"],
            "文字编码错误",
        ),
        (
            &["float", "integer", "parse", "Parse", "number"],
            "数字格式错误",
        ),
        (&["I/O", "Io(", "io error"], "读取错误"),
    ];
    KINDS
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| e.contains(n)))
        .map_or("无法识别的结构错误", |(_, zh)| zh)
}

fn dims(d: &calamine::Dimensions) -> (u32, u16, u32, u16) {
    (
        d.start.0,
        d.start.1.min(u16::MAX as u32) as u16,
        d.end.0,
        d.end.1.min(u16::MAX as u32) as u16,
    )
}

fn hidden_names<R: std::io::Read + std::io::Seek, W: Reader<R>>(wb: &W) -> Vec<(String, bool)> {
    wb.sheets_metadata()
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect()
}

fn check_sheet_count(file: &str, n: usize) -> Result<(), Error> {
    if n > LIMITS.max_sheets {
        return Err(Error::Limit {
            file: file.to_string(),
            reason: format!("工作簿有 {n} 个工作表，超过上限 {}", LIMITS.max_sheets),
        });
    }
    Ok(())
}

/// Text longer than Excel lets a cell hold did not come from Excel; and the text of all
/// cells together is bounded (one long shared string shown by 200,000 cells is 200,000
/// copies). `total` counts the workbook's text so far.
fn check_text(
    file: &str,
    sheet: &str,
    (row, col): (u32, u16),
    value: Value<'_>,
    total: &mut u64,
) -> Result<(), Error> {
    if let Value::Text(s) = value {
        if s.len() > LIMITS.max_cell_chars {
            let n = s.chars().count();
            if n > LIMITS.max_cell_chars {
                return Err(Error::Limit {
                    file: file.to_string(),
                    reason: format!(
                        "工作表「{sheet}」{} 的文本有 {n} 个字符，超过 Excel 单元格的上限 {}",
                        crate::model::a1(row, col),
                        LIMITS.max_cell_chars
                    ),
                });
            }
        }
        *total += s.len() as u64;
        if *total > LIMITS.max_text_bytes {
            return Err(Error::Limit {
                file: file.to_string(),
                reason: format!(
                    "读到工作表「{sheet}」{} 时，各单元格的文本合计已超过 {} MB（同一段长文本被大量单元格重复引用）",
                    crate::model::a1(row, col),
                    LIMITS.max_text_bytes / 1_048_576
                ),
            });
        }
    }
    Ok(())
}

fn too_many_cells_in_all(file: &str) -> Error {
    Error::Limit {
        file: file.to_string(),
        reason: format!(
            "各工作表的非空单元格合计超过 {} 个，远超一份申报表的规模",
            LIMITS.max_cells_per_workbook
        ),
    }
}

fn too_many_cells(file: &str, sheet: &str) -> Error {
    Error::Limit {
        file: file.to_string(),
        reason: format!(
            "工作表「{sheet}」的非空单元格超过 {} 个，远超一份申报表的规模",
            LIMITS.max_cells_per_sheet
        ),
    }
}

/// A sheet with a cell reference past XFD1048576: damage, not a sheet to guess at.
fn past_grid(file: &str, sheet: &str, r: &str) -> Error {
    Error::Sheet {
        file: file.to_string(),
        sheet: sheet.to_string(),
        reason: format!("{PAST_GRID_HEAD}「{r}」{PAST_GRID_TAIL}"),
    }
}

const PAST_GRID_HEAD: &str = "单元格引用";
const PAST_GRID_TAIL: &str =
    "超出 Excel 工作表的范围（最大为 XFD1048576），文件已损坏或被篡改，不能可靠地读取";

fn is_past_grid(e: &Error) -> bool {
    matches!(e, Error::Sheet { reason, .. }
        if reason.starts_with(PAST_GRID_HEAD) && reason.ends_with(PAST_GRID_TAIL))
}

/// xlsx/xlsm: stream each sheet's cells, so a huge declared range allocates nothing.
/// `parts` is the file `wb` was opened from (or its original, when `wb` reads the repacked
/// copy); merged ranges are scanned from it (see [`merges`]) when its sheets are the ones
/// calamine lists, and asked of calamine where they are not or the scan is not sure.
fn load_xlsx<RS: std::io::Read + std::io::Seek>(
    file: &str,
    mut wb: Xlsx<RS>,
    parts: Option<merges::XlsxParts<'_>>,
) -> Result<Vec<Grid>, Error> {
    let sheets = hidden_names(&wb);
    check_sheet_count(file, sheets.len())?;
    let serial_offset = if wb.has_1904_epoch() {
        EXCEL_1904_OFFSET
    } else {
        0
    };
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    let mut parts = parts.filter(|p| p.lists(&names));
    let mut grids = Vec::with_capacity(sheets.len());
    let mut text = 0u64;
    let mut all_cells = 0usize;
    for (name, hidden) in sheets {
        let mut grid = Grid::sized_like(name.clone(), hidden, grids.last());
        let sheet_err = |e: String| Error::Sheet {
            file: file.to_string(),
            sheet: name.clone(),
            reason: explain(&e),
        };
        // Seen before calamine reads the cells when the repack inflated the part (calamine
        // would wrap the reference, or panic on it in a build with overflow checks).
        if let Some(r) = parts.as_ref().and_then(|p| p.past_grid(&name)) {
            return Err(past_grid(file, &name, r));
        }
        {
            let mut reader = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| sheet_err(e.to_string()))?;
            let mut seen = 0usize;
            while let Some(cell) = reader.next_cell().map_err(|e| sheet_err(e.to_string()))? {
                seen += 1;
                if seen > LIMITS.max_cells_per_sheet {
                    return Err(too_many_cells(file, &name));
                }
                all_cells += 1;
                if all_cells > LIMITS.max_cells_per_workbook {
                    return Err(too_many_cells_in_all(file));
                }
                let (r, c) = cell.get_position();
                // Past the grid without wrapping (XFE1, A1048577): never written by Excel.
                if u64::from(r) >= refs::MAX_ROW || u64::from(c) >= refs::MAX_COL {
                    return Err(past_grid(file, &name, &refs::a1(r, c)));
                }
                // Borrowed: a shared string is copied once, into the grid's text.
                let Some(value) = Value::from_ref(cell.get_value()) else {
                    continue;
                };
                check_text(file, &name, (r, c as u16), value, &mut text)?;
                grid.insert(r, c as u16, in_1900_system(value, serial_offset));
            }
        }
        // After the cells: the scan relies on calamine's cell reader having found the end
        // of sheetData.
        let merged = match parts.as_mut().and_then(|p| p.merges(&name)) {
            Some(m) => Ok(m),
            None => wb.merge_cells_by_sheet_name(&name),
        };
        // Without the repack, the part is inflated for its merges after calamine read it.
        if let Some(r) = parts.as_ref().and_then(|p| p.past_grid(&name)) {
            return Err(past_grid(file, &name, r));
        }
        if let Ok(m) = merged {
            if let Some(d) = m.iter().find(|d| {
                u64::from(d.end.0) >= refs::MAX_ROW || u64::from(d.end.1) >= refs::MAX_COL
            }) {
                let r = format!(
                    "{}:{}",
                    refs::a1(d.start.0, d.start.1),
                    refs::a1(d.end.0, d.end.1)
                );
                return Err(past_grid(file, &name, &r));
            }
            check_merges(file, &name, m.len())?;
            grid.set_merges(m.iter().map(dims).collect());
        }
        grid.serial_offset = serial_offset;
        grids.push(grid);
    }
    Ok(grids)
}

/// A date cell of a workbook whose serials count from another day (the 1904 system) as
/// the 1900 system's serial of the same date, so that every later use of it (the model, the
/// sources, the sheets `fix` copies) reads the date the workbook shows. Durations are
/// not dates and stay.
#[inline]
fn in_1900_system(v: Value<'_>, serial_offset: i64) -> Value<'_> {
    match v {
        Value::DateTime(dt) if serial_offset != 0 && !dt.is_duration() => {
            Value::DateTime(calamine::ExcelDateTime::new(
                dt.as_f64() + serial_offset as f64,
                calamine::ExcelDateTimeType::DateTime,
                false,
            ))
        }
        v => v,
    }
}

/// xls and ods come back from calamine as dense ranges.
fn load_dense<RS: std::io::Read + std::io::Seek, W: Reader<RS>>(
    file: &str,
    mut wb: W,
    serial_offset: i64,
) -> Result<Vec<Grid>, Error>
where
    W::Error: std::fmt::Display,
{
    let sheets = hidden_names(&wb);
    check_sheet_count(file, sheets.len())?;
    let mut grids = Vec::with_capacity(sheets.len());
    let mut text = 0u64;
    let mut all_cells = 0usize;
    for (name, hidden) in sheets {
        let range = wb.worksheet_range(&name).map_err(|e| Error::Sheet {
            file: file.to_string(),
            sheet: name.clone(),
            reason: explain(&e.to_string()),
        })?;
        let (h, w) = range.get_size();
        if (h as u64) * (w as u64) > LIMITS.max_dense_cells {
            return Err(Error::Limit {
                file: file.to_string(),
                reason: format!("工作表「{name}」的使用区域为 {h} 行 × {w} 列，超过读取上限"),
            });
        }
        let mut grid = Grid::sized_like(name.clone(), hidden, grids.last());
        let mut seen = 0usize;
        for (r, c, v) in range.used_cells() {
            seen += 1;
            if seen > LIMITS.max_cells_per_sheet {
                return Err(too_many_cells(file, &name));
            }
            all_cells += 1;
            if all_cells > LIMITS.max_cells_per_workbook {
                return Err(too_many_cells_in_all(file));
            }
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let (row, col) = (
                r0 + r as u32,
                (c0 as usize + c).min(u16::MAX as usize) as u16,
            );
            let Some(v) = Value::from_data(v) else {
                continue;
            };
            check_text(file, &name, (row, col), v, &mut text)?;
            grid.insert(row, col, in_1900_system(v, serial_offset));
        }
        grid.serial_offset = serial_offset;
        grids.push(grid);
    }
    Ok(grids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_what_files_are() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Kind::Zip);
        assert!(matches!(sniff(b""), Kind::Other(r) if r.contains("空")));
        assert!(matches!(sniff(b"%PDF-1.7"), Kind::Other(r) if r.contains("PDF")));
        assert!(matches!(sniff(b"hello,world\n"), Kind::Other(r) if r.contains("文本")));
    }
}
