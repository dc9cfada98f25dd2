//! A PDF's text layer, page by page, through `pdf-extract` (in-process, pure Rust).

use crate::Error;

/// The text of a PDF, pages separated by a form feed (which the importer reads as a page
/// break). A PDF with no text layer (a scan, tables drawn as images) is refused: there is
/// nothing to read without OCR, and an empty import would look like an empty disclosure.
pub fn pdf_text(bytes: &[u8], file: &str) -> Result<String, Error> {
    // pdf-extract can panic on malformed fonts or streams; a damaged PDF is an unreadable
    // file, not a crash. The hook installed by main stays quiet only for the workbook
    // reader's own guard, so the message may appear once on stderr.
    let pages = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(bytes))
        .map_err(|_| Error::Open {
            file: file.to_string(),
            reason: "PDF 文件已损坏或格式不受支持，无法提取文字".into(),
        })?
        .map_err(|e| Error::Open {
            file: file.to_string(),
            reason: format!("无法提取 PDF 中的文字：{e}"),
        })?;
    let text = pages.join("\u{c}\n");
    if text.chars().filter(|c| !c.is_whitespace()).count() == 0 {
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
