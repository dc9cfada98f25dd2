//! Making bad inputs: editing the parts of a workbook, hand-built zips and deflate bombs,
//! BIFF records of an .xls, and running the binary under a time and memory bound.

#![allow(dead_code)]

use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const SAMPLE: &str = "samples/songjiang-kcb-2024.xlsx";
pub const XLS: &str = "tests/fixtures/songjiang-kcb-2024.xls";
pub const ODS: &str = "tests/fixtures/songjiang-kcb-2024.ods";
/// The sheet part of project 1 (「1.G60日常办公经费」) in the sample.
pub const P1: &str = "xl/worksheets/sheet2.xml";
pub const P1_NAME: &str = "1.G60日常办公经费";

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Outcome {
    pub code: Option<i32>,
    pub out: String,
    pub err: String,
    pub elapsed: Duration,
}

/// Address space the binary may use (bytes): a run that needed more fails to allocate,
/// which shows as a crash, not as exit 1 or 2.
pub const MEMORY_LIMIT: u64 = 1536 * 1024 * 1024;
/// No input may keep jixiao busier than this (debug build).
pub const TIME_LIMIT: Duration = Duration::from_secs(30);

/// Runs `jixiao ARGS` under `ulimit -v` and a deadline.
pub fn jixiao(args: &[&str]) -> Outcome {
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {}; exec \"$0\" \"$@\"",
            MEMORY_LIMIT / 1024
        ))
        .arg(env!("CARGO_BIN_EXE_jixiao"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            panic!("jixiao {args:?} still running after {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let err = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    Outcome {
        code: status.code(),
        out,
        err,
        elapsed: start.elapsed(),
    }
}

/// `jixiao check FILE`, asserting no crash or panic, and the library's `check_one` on
/// the same file not panicking either.
pub fn check(path: &Path) -> Outcome {
    let o = jixiao(&["check", path.to_str().unwrap()]);
    assert!(
        matches!(o.code, Some(0..=2)),
        "{}: crashed: {o:?}",
        path.display()
    );
    assert!(!o.err.contains("panicked"), "{o:?}");
    let p = path.to_path_buf();
    let caught = std::panic::catch_unwind(move || jixiao::cli::check_one(&p).map(|_| ()));
    assert!(caught.is_ok(), "check_one panicked on {}", path.display());
    o
}

/// `check` that must exit 2 with exactly `无法读取：<message>` on stderr.
pub fn assert_unreadable(path: &Path, message: &str) {
    let o = check(path);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert_eq!(o.err.trim_end(), format!("无法读取：{message}"), "{o:?}");
}

/// The parts of a zip, in order.
pub fn read_parts(path: impl AsRef<Path>) -> Vec<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().to_string(), v)
        })
        .collect()
}

/// Writes parts as a normal deflated zip.
pub fn write_parts(path: &Path, parts: &[(String, Vec<u8>)]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data) in parts {
        let opts = zip::write::SimpleFileOptions::default()
            // Large generated parts are stored: deflating megabytes in a debug build is slow.
            .compression_method(if name == "mimetype" || data.len() > 256 * 1024 {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            });
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap();
}

pub fn part_text(parts: &[(String, Vec<u8>)], name: &str) -> String {
    let (_, v) = parts.iter().find(|(n, _)| n == name).unwrap();
    String::from_utf8(v.clone()).unwrap()
}

pub fn set_part(parts: &mut [(String, Vec<u8>)], name: &str, text: String) {
    let p = parts.iter_mut().find(|(n, _)| n == name).unwrap();
    p.1 = text.into_bytes();
}

/// Replaces the cell `r` (`<c r="D37" …/>` or `<c r="D37" …>…</c>`) of a sheet's XML.
pub fn replace_cell(xml: &str, r: &str, new_cell: &str) -> String {
    let open = format!("<c r=\"{r}\"");
    let i = xml.find(&open).unwrap_or_else(|| panic!("no cell {r}"));
    let tag_end = i + xml[i..].find('>').unwrap();
    let end = if xml[..tag_end].ends_with('/') {
        tag_end + 1
    } else {
        tag_end + xml[tag_end..].find("</c>").unwrap() + 4
    };
    format!("{}{}{}", &xml[..i], new_cell, &xml[end..])
}

/// The sample with cells of project 1's sheet replaced, written to `dir/name`.
pub fn sample_with_cells(dir: &Path, name: &str, cells: &[(&str, String)]) -> std::path::PathBuf {
    let mut parts = read_parts(SAMPLE);
    let mut xml = part_text(&parts, P1);
    for (r, c) in cells {
        xml = replace_cell(&xml, r, c);
    }
    set_part(&mut parts, P1, xml);
    let path = dir.join(name);
    write_parts(&path, &parts);
    path
}

pub fn text_cell(r: &str, text: &str) -> String {
    format!("<c r=\"{r}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
}

pub fn number_cell(r: &str, v: &str) -> String {
    format!("<c r=\"{r}\"><v>{v}</v></c>")
}

pub fn error_cell(r: &str, formula: &str, e: &str) -> String {
    format!("<c r=\"{r}\" t=\"e\"><f>{formula}</f><v>{e}</v></c>")
}

/// One entry of a hand-built zip: the declared sizes are written as given, whatever the
/// data, so headers can lie.
pub struct RawEntry {
    pub name: String,
    pub method: u16,
    pub crc: u32,
    pub data: Vec<u8>,
    pub declared_size: u32,
}

impl RawEntry {
    /// A stored (uncompressed) entry with honest sizes.
    pub fn stored(name: &str, data: Vec<u8>) -> RawEntry {
        RawEntry {
            name: name.into(),
            method: 0,
            crc: crc32(&data),
            declared_size: data.len() as u32,
            data,
        }
    }
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip from raw entries (local headers, central directory, end record).
pub fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(e.method.to_le_bytes());
            h.extend(0u16.to_le_bytes()); // time
            h.extend(0x21u16.to_le_bytes()); // date 1980-01-01
            h.extend(e.crc.to_le_bytes());
            h.extend((e.data.len() as u32).to_le_bytes());
            h.extend(e.declared_size.to_le_bytes());
            h.extend((e.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend(0u16.to_le_bytes()); // comment
                h.extend(0u16.to_le_bytes()); // disk
                h.extend(0u16.to_le_bytes()); // internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(e.name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&e.data);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, v: u64, len: u32) {
        self.acc |= v << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// A Huffman code, most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let rev = code.reverse_bits() >> (32 - len);
        self.put(rev as u64, len);
    }
    fn sync(&mut self) {
        // An empty stored block: aligns to a byte, then LEN 0 / NLEN 0xFFFF.
        self.put(0, 3);
        if self.n > 0 {
            self.put(0, 8 - self.n);
        }
        self.out.extend([0, 0, 0xFF, 0xFF]);
    }
}

/// A deflate stream of `'0'` bytes, built from one fixed-Huffman block of back-references
/// repeated: about 160:1, made in milliseconds. Returns the stream and its inflated size.
pub fn deflate_bomb(inflated_at_least: u64) -> (Vec<u8>, u64) {
    const PAIRS: u64 = 4096;
    let block = |first: bool| {
        let mut b = Bits {
            out: Vec::new(),
            acc: 0,
            n: 0,
        };
        b.put(0, 1); // not final
        b.put(1, 2); // fixed Huffman
        if first {
            b.code(0x30 + 0x30, 8); // the literal '0'
        }
        for _ in 0..PAIRS {
            b.code(0b1100_0101, 8); // length 258
            b.code(0, 5); // distance 1
        }
        b.code(0, 7); // end of block
        b.sync();
        b.out
    };
    let first = block(true);
    let rest = block(false);
    let per = PAIRS * 258;
    let mut size = 1 + per;
    let mut out = first;
    while size < inflated_at_least {
        out.extend(&rest);
        size += per;
    }
    let mut end = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    end.put(1, 1);
    end.put(1, 2);
    end.code(0, 7);
    end.put(0, 8 - end.n % 8);
    out.extend(end.out);
    (out, size)
}

/// The Workbook stream of an .xls.
pub fn xls_stream(bytes: &[u8]) -> Vec<u8> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(bytes)).unwrap();
    let mut s = Vec::new();
    cf.open_stream("/Workbook")
        .unwrap()
        .read_to_end(&mut s)
        .unwrap();
    s
}

/// The .xls with its Workbook stream replaced by one of the same length.
pub fn with_xls_stream(bytes: &[u8], stream: &[u8]) -> Vec<u8> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(bytes.to_vec())).unwrap();
    {
        let mut s = cf.open_stream("/Workbook").unwrap();
        assert_eq!(s.len(), stream.len() as u64);
        s.seek(SeekFrom::Start(0)).unwrap();
        s.write_all(stream).unwrap();
        s.flush().unwrap();
    }
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

/// BIFF records: (offset of the record, type, data range).
pub fn biff_records(stream: &[u8]) -> Vec<(usize, u16, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= stream.len() {
        let t = u16::from_le_bytes([stream[i], stream[i + 1]]);
        let len = u16::from_le_bytes([stream[i + 2], stream[i + 3]]) as usize;
        out.push((i, t, i + 4..i + 4 + len));
        i += 4 + len;
    }
    out
}

/// A minimal BIFF8 .xls: one sheet whose `cells` LABELSST records all show shared string 0,
/// `text` (1-byte characters, at most 8,000).
pub fn xls_sharing_one_string(text: &str, cells: u16) -> Vec<u8> {
    assert!(text.is_ascii() && text.len() <= 8000);
    fn rec(out: &mut Vec<u8>, t: u16, d: &[u8]) {
        out.extend(t.to_le_bytes());
        out.extend((d.len() as u16).to_le_bytes());
        out.extend(d);
    }
    let bof = |dt: u16| {
        let mut d = Vec::new();
        d.extend(0x0600u16.to_le_bytes());
        d.extend(dt.to_le_bytes());
        d.extend(0x0DBBu16.to_le_bytes());
        d.extend(0x07CCu16.to_le_bytes());
        d.extend(0u32.to_le_bytes());
        d.extend(0x0006u32.to_le_bytes());
        d
    };
    let name = b"Sheet1";
    let mut sst = Vec::new();
    sst.extend(u32::from(cells).to_le_bytes());
    sst.extend(1u32.to_le_bytes());
    sst.extend((text.len() as u16).to_le_bytes());
    sst.push(0);
    sst.extend(text.as_bytes());
    let globals_len = 4 + 16 + 4 + (8 + name.len()) + 4 + sst.len() + 4;
    let mut out = Vec::new();
    rec(&mut out, 0x0809, &bof(0x0005));
    let mut sheet = Vec::new();
    sheet.extend((globals_len as u32).to_le_bytes());
    sheet.extend([0u8, 0u8, name.len() as u8, 0u8]);
    sheet.extend(name);
    rec(&mut out, 0x0085, &sheet);
    rec(&mut out, 0x00FC, &sst);
    rec(&mut out, 0x000A, &[]);
    assert_eq!(out.len(), globals_len);
    rec(&mut out, 0x0809, &bof(0x0010));
    let mut dims = Vec::new();
    dims.extend(0u32.to_le_bytes());
    dims.extend(u32::from(cells).to_le_bytes());
    dims.extend(0u16.to_le_bytes());
    dims.extend(1u16.to_le_bytes());
    dims.extend(0u16.to_le_bytes());
    rec(&mut out, 0x0200, &dims);
    for r in 0..cells {
        let mut d = Vec::new();
        d.extend(r.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(0u32.to_le_bytes());
        rec(&mut out, 0x00FD, &d);
    }
    rec(&mut out, 0x000A, &[]);
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    {
        let mut s = cf.create_stream("/Workbook").unwrap();
        s.write_all(&out).unwrap();
    }
    // calamine's compound-file reader wants a mini stream: one small stream makes it.
    {
        let mut s = cf.create_stream("/\u{5}SummaryInformation").unwrap();
        s.write_all(&[0u8; 64]).unwrap();
    }
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}
