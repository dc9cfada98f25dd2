//! CSV for Excel: UTF-8 with BOM and CRLF by default (Excel on Chinese Windows opens it
//! right), or GB18030/GBK for older systems. Written through a temporary file and renamed
//! on [`CsvSink::finish`], so a crash leaves no half file; records stream to disk.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

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

/// A CSV file being written.
pub struct CsvSink {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<File>,
    encoding: CsvEncoding,
    rows: usize,
}

impl CsvSink {
    /// Starts `path` (written to a temporary file beside it) with a header row.
    pub fn create(path: &Path, encoding: CsvEncoding, header: &[&str]) -> Result<CsvSink, Error> {
        let (tmp, file) = crate::output::temp_beside(path)?;
        let mut sink = CsvSink {
            path: path.to_path_buf(),
            tmp,
            out: BufWriter::new(file),
            encoding,
            rows: 0,
        };
        if encoding == CsvEncoding::Utf8Bom {
            sink.out
                .write_all(b"\xEF\xBB\xBF")
                .map_err(|e| sink.err(e.to_string()))?;
        }
        sink.record(header.iter().copied())?;
        sink.rows = 0;
        Ok(sink)
    }

    fn err(&self, reason: String) -> Error {
        Error::Output {
            file: self.path.display().to_string(),
            reason,
        }
    }

    /// Writes one record.
    pub fn record<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) -> Result<(), Error> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let fields: Vec<&str> = fields.into_iter().collect();
        w.write_record(&fields)
            .map_err(|e| self.err(e.to_string()))?;
        let bytes = w.into_inner().map_err(|e| self.err(e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|e| self.err(e.to_string()))?;
        let encoded: Vec<u8> = match self.encoding {
            CsvEncoding::Utf8Bom | CsvEncoding::Utf8 => text.into_bytes(),
            CsvEncoding::Gb18030 | CsvEncoding::Gbk => {
                let enc = if self.encoding == CsvEncoding::Gbk {
                    encoding_rs::GBK
                } else {
                    encoding_rs::GB18030
                };
                let mut encoder = enc.new_encoder();
                let mut out = Vec::with_capacity(text.len() * 2);
                for (i, field) in fields.iter().enumerate() {
                    if let Some(bad) = field.chars().find(|c| {
                        let mut buf = [0u8; 4];
                        let s = c.encode_utf8(&mut buf);
                        let (_, _, unmappable) = enc.encode(s);
                        unmappable
                    }) {
                        return Err(self.err(format!(
                            "第 {} 行第 {} 列的字符「{bad}」（U+{:04X}）无法用 {} 编码，请改用 UTF-8（默认）",
                            self.rows + 2,
                            i + 1,
                            bad as u32,
                            enc.name()
                        )));
                    }
                }
                out.resize(
                    encoder
                        .max_buffer_length_from_utf8_without_replacement(text.len())
                        .unwrap_or(text.len() * 4),
                    0,
                );
                let (_, _, written) =
                    encoder.encode_from_utf8_without_replacement(&text, &mut out, true);
                out.truncate(written);
                out
            }
        };
        self.out
            .write_all(&encoded)
            .map_err(|e| self.err(e.to_string()))?;
        self.rows += 1;
        Ok(())
    }

    /// Data rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Flushes and renames the file into place.
    pub fn finish(mut self) -> Result<(), Error> {
        self.out.flush().map_err(|e| self.err(e.to_string()))?;
        self.out
            .get_ref()
            .sync_all()
            .map_err(|e| self.err(e.to_string()))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| self.err(e.to_string()))?;
        Ok(())
    }
}

impl Drop for CsvSink {
    fn drop(&mut self) {
        // Not finished: remove the temporary file (after finish it no longer exists).
        let _ = std::fs::remove_file(&self.tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
