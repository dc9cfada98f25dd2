//! A PDF's text layer through `pdf-extract` (in-process, pure Rust), rebuilt into lines by
//! position: a PDF may draw its text in any order (LibreOffice draws a page's runs font by
//! font), so each page's characters are sorted top to bottom, then left to right.

use pdf_extract::{Document, MediaBox, OutputDev, OutputError, Transform};

use crate::Error;

/// The text of a PDF, one line per printed line, pages separated by a form feed (which the
/// importer reads as a page break). A PDF with no text layer (a scan, tables drawn as
/// images) is refused: there is nothing to read without OCR, and an empty import would
/// look like an empty disclosure.
pub fn pdf_text(bytes: &[u8], file: &str) -> Result<String, Error> {
    let unreadable = |reason: String| Error::Open {
        file: file.to_string(),
        reason,
    };
    // pdf-extract can panic on malformed fonts or streams: a damaged PDF is an unreadable
    // file, not a crash (the panic's own message may still appear once on stderr).
    let pages = std::panic::catch_unwind(|| -> Result<Vec<String>, String> {
        let mut doc = Document::load_mem(bytes).map_err(|e| e.to_string())?;
        if doc.is_encrypted() && doc.decrypt("").is_err() {
            return Err("PDF 已加密，需要密码才能读取".into());
        }
        let mut dev = Pages::default();
        pdf_extract::output_doc(&doc, &mut dev).map_err(|e| e.to_string())?;
        Ok(dev.pages.iter().map(|p| page_text(p)).collect())
    })
    .map_err(|_| unreadable("PDF 文件已损坏或格式不受支持，无法提取文字".into()))?
    .map_err(|e| unreadable(format!("无法提取 PDF 中的文字：{e}")))?;
    let text = pages.join("\u{c}\n");
    if text.chars().all(char::is_whitespace) {
        return Err(Error::NotAForm {
            file: file.to_string(),
            reason: format!(
                "PDF 共 {} 页，没有文字层（多半是扫描件或图片），jixiao 不做文字识别（OCR）。请使用带文字的 PDF，或先用 OCR 软件转成文字后导入 .txt",
                pages.len()
            ),
        });
    }
    Ok(text)
}

/// One drawn character: where it starts, how wide and how large it is.
struct Glyph {
    x: f64,
    y: f64,
    width: f64,
    size: f64,
    text: String,
}

#[derive(Default)]
struct Pages {
    pages: Vec<Vec<Glyph>>,
    current: Vec<Glyph>,
}

impl OutputDev for Pages {
    fn begin_page(
        &mut self,
        _page: u32,
        _media: &MediaBox,
        _art: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.current.clear();
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        self.pages.push(std::mem::take(&mut self.current));
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // The text matrix scales the font: its determinant is the area scale.
        let size = font_size * (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
        self.current.push(Glyph {
            x: trm.m31,
            y: trm.m32,
            width: width * size,
            size,
            text: text.to_string(),
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// A page's characters as lines: grouped by baseline (within half a character's height),
/// each line left to right, a space where a gap is wider than a quarter character.
fn page_text(glyphs: &[Glyph]) -> String {
    let mut order: Vec<&Glyph> = glyphs.iter().filter(|g| g.size > 0.0).collect();
    order.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Vec<&Glyph>> = Vec::new();
    for g in order {
        match lines.last_mut() {
            Some(line) if (line[0].y - g.y).abs() <= line[0].size.max(g.size) * 0.5 => line.push(g),
            _ => lines.push(vec![g]),
        }
    }
    let mut out = String::new();
    for mut line in lines {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut end = f64::NEG_INFINITY;
        for g in line {
            if g.x > end + g.size * 0.25 && !out.is_empty() && !out.ends_with('\n') {
                out.push(' ');
            }
            out.push_str(&g.text);
            end = end.max(g.x + g.width);
        }
        out.push('\n');
    }
    out
}
