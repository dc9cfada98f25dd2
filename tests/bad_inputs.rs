//! The corpus of bad inputs (issue #5): each ends in a clear answer naming the file (and,
//! where there is one, the sheet and cell), exit 2 for what cannot be read and 1 for
//! findings, never a panic, within `TIME_LIMIT` and `MEMORY_LIMIT` (see `common`).
//!
//! Inputs are generated here from the sample and the LibreOffice fixtures; the one that
//! cannot be (an encrypted workbook) is committed under `tests/corpus/`, whose README says
//! how it was made.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn open_msg(path: &Path, reason: &str) -> String {
    format!("无法打开 {}：{reason}", path.display())
}

fn limit_msg(path: &Path, reason: &str) -> String {
    format!("{} 超出读取上限：{reason}", path.display())
}

// ---- Not a workbook at all -------------------------------------------------------------

#[test]
fn text_renamed_xlsx() {
    let d = tmp();
    let p = write(
        d.path(),
        "项目.xlsx",
        "项目名称,金额\n办公经费,100\n".as_bytes(),
    );
    assert_unreadable(&p, &open_msg(&p, "这是一个文本文件，不是 Excel 工作簿"));
}

#[test]
fn pdf_renamed_xlsx() {
    let d = tmp();
    let p = write(
        d.path(),
        "申报表.xlsx",
        b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n",
    );
    assert_unreadable(&p, &open_msg(&p, "这是一个 PDF 文件，不是 Excel 工作簿"));
}

#[test]
fn images_renamed_xlsx() {
    let d = tmp();
    let png = write(d.path(), "截图.xlsx", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    assert_unreadable(&png, &open_msg(&png, "这是一个图片文件，不是 Excel 工作簿"));
    let jpg = write(d.path(), "照片.xls", b"\xFF\xD8\xFF\xE0\0\x10JFIF\0");
    assert_unreadable(&jpg, &open_msg(&jpg, "这是一个图片文件，不是 Excel 工作簿"));
}

#[test]
fn html_saved_as_xls() {
    // What some web systems export as "Excel".
    let d = tmp();
    let p = write(
        d.path(),
        "导出.xls",
        "<html><body><table><tr><td>项目名称</td></tr></table></body></html>".as_bytes(),
    );
    assert_unreadable(
        &p,
        &open_msg(
            &p,
            "这是一个网页或 XML 文本文件，不是 Excel 工作簿（可在 Excel 中另存为 .xlsx）",
        ),
    );
}

#[test]
fn workbooks_renamed_by_hand_are_read_by_what_they_are() {
    // The extension is not trusted either way: an .xls named .xlsx, an .xlsx named .xls,
    // an .ods named .xlsx, a workbook with no extension all read as the sample.
    let d = tmp();
    for (src, name) in [
        (XLS, "旧格式.xlsx"),
        (SAMPLE, "新格式.xls"),
        (ODS, "表格.xlsx"),
        (SAMPLE, "无扩展名"),
    ] {
        let p = write(d.path(), name, &std::fs::read(src).unwrap());
        let o = check(&p);
        assert_eq!(o.code, Some(1), "{name}: {o:?}");
        assert!(
            o.out
                .trim_end()
                .ends_with("共检查 1 个文件、10 个项目：错误 4 条，警告 4 条。"),
            "{name}: {}",
            o.out
        );
    }
}

#[test]
fn empty_file() {
    let d = tmp();
    let p = write(d.path(), "空.xlsx", b"");
    assert_unreadable(&p, &open_msg(&p, "文件是空的（0 字节）"));
}

#[test]
fn a_folder_named_xlsx() {
    let d = tmp();
    let p = d.path().join("文件夹.xlsx");
    std::fs::create_dir(&p).unwrap();
    assert_unreadable(&p, &open_msg(&p, "这是一个文件夹，不是文件"));
}

// ---- Broken or foreign containers -------------------------------------------------------

#[test]
fn an_xls_that_makes_calamine_panic() {
    // Found by the workbook fuzzer (tests/fuzz_regressions/workbook/crash-19a8…): calamine
    // 0.38 slices past the end of a record. The panic is caught and reported, and the
    // binary prints no panic message.
    let d = tmp();
    let bytes = std::fs::read(
        "tests/fuzz_regressions/workbook/crash-19a8d1cd58a095599d286f8cb389da80233de760",
    )
    .unwrap();
    let p = write(d.path(), "坏.xls", &bytes);
    assert_unreadable(
        &p,
        &open_msg(&p, "文件已损坏，无法解析（解析器报告：读取越界）"),
    );
}

#[test]
fn truncated_zip_half_downloaded() {
    let d = tmp();
    let bytes = std::fs::read(SAMPLE).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 10, 100] {
        let p = write(d.path(), "附件（未下载完）.xlsx", &bytes[..cut]);
        let o = check(&p);
        assert_eq!(o.code, Some(2), "{o:?}");
        let want = format!(
            "无法读取：{}",
            open_msg(
                &p,
                "文件不完整或已损坏（可能没有下载完整），请重新获取原文件（"
            )
        );
        assert!(o.err.starts_with(&want), "{}", o.err);
    }
}

#[test]
fn truncated_xls_and_ods() {
    let d = tmp();
    let xls = std::fs::read(XLS).unwrap();
    let p = write(d.path(), "旧表.xls", &xls[..xls.len() / 3]);
    let o = check(&p);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err.starts_with(&format!(
            "无法读取：{}",
            open_msg(&p, ".xls 文件已损坏或不完整（可能没有下载完整）（")
        )),
        "{}",
        o.err
    );
    let ods = std::fs::read(ODS).unwrap();
    let p = write(d.path(), "表.ods", &ods[..ods.len() / 2]);
    let o = check(&p);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err.starts_with(&format!(
            "无法读取：{}",
            open_msg(&p, "文件不完整或已损坏（可能没有下载完整）")
        )),
        "{}",
        o.err
    );
}

#[test]
fn zip_that_is_not_a_workbook() {
    let d = tmp();
    let p = d.path().join("材料.xlsx");
    write_parts(
        &p,
        &[
            ("说明.txt".into(), "见附件".as_bytes().to_vec()),
            ("附件/申报表.pdf".into(), b"%PDF-1.4".to_vec()),
        ],
    );
    assert_unreadable(
        &p,
        &open_msg(
            &p,
            "这是一个普通的 zip 压缩包，不是 Excel 工作簿。如附件被打包，请先解压，再提交其中的 .xlsx 文件",
        ),
    );
}

#[test]
fn word_document_renamed_xlsx() {
    let d = tmp();
    let p = d.path().join("申报说明.xlsx");
    write_parts(
        &p,
        &[
            ("[Content_Types].xml".into(), b"<Types/>".to_vec()),
            ("word/document.xml".into(), b"<w:document/>".to_vec()),
        ],
    );
    assert_unreadable(
        &p,
        &open_msg(&p, "这是一个 Word 文档（.docx），不是 Excel 工作簿"),
    );
}

#[test]
fn unzipped_and_rezipped_workbook() {
    // Someone unpacked the xlsx and zipped the folder again without [Content_Types].xml.
    let d = tmp();
    let mut parts = read_parts(SAMPLE);
    parts.retain(|(n, _)| n != "[Content_Types].xml");
    let p = d.path().join("重新压缩.xlsx");
    write_parts(&p, &parts);
    assert_unreadable(
        &p,
        &open_msg(
            &p,
            "这是一个压缩包，像是解压后又重新压缩的工作簿（缺少 [Content_Types].xml），请使用原始的 .xlsx 文件",
        ),
    );
}

#[test]
fn encrypted_workbook() {
    // tests/corpus/README.md: msoffcrypto-tool -e -p 123456 on the template.
    let p = Path::new("tests/corpus/encrypted-password-123456.xlsx");
    assert_unreadable(
        p,
        &open_msg(
            p,
            "工作簿设置了打开密码（已加密），请在 Excel 中取消密码后另存再提交",
        ),
    );
}

#[test]
fn encrypted_xls_and_ods_saved_by_libreoffice() {
    // tests/corpus/README.md: the template saved by LibreOffice with an open password.
    // In the .xls, records after FilePass are RC4 ciphertext with plain headers: read as
    // sizes they once gave a misleading "over the limit" message.
    let xls = Path::new("tests/corpus/encrypted-password-123456.xls");
    assert_unreadable(
        xls,
        &open_msg(
            xls,
            "工作簿设置了打开密码（已加密），请在 Excel 中取消密码后另存再提交",
        ),
    );
    let ods = Path::new("tests/corpus/encrypted-password-123456.ods");
    assert_unreadable(
        ods,
        &open_msg(
            ods,
            "工作簿设置了打开密码（已加密），请取消密码后另存再提交",
        ),
    );
}

#[test]
fn encrypted_xls() {
    // The LibreOffice .xls with a FilePass record (RC4 encryption header) after its BOF:
    // how an .xls saved with an open password starts.
    let d = tmp();
    let bytes = std::fs::read(XLS).unwrap();
    let mut s = xls_stream(&bytes);
    let recs = biff_records(&s);
    // Overwrite the first record after BOF that is at least as long as a FilePass.
    let (off, _, range) = recs
        .iter()
        .skip(1)
        .find(|(_, t, r)| *t != 0x0809 && r.len() >= 6)
        .cloned()
        .unwrap();
    s[off..off + 2].copy_from_slice(&0x002Fu16.to_le_bytes());
    s[range.start..range.start + 2].copy_from_slice(&1u16.to_le_bytes());
    let p = write(d.path(), "加密.xls", &with_xls_stream(&bytes, &s));
    assert_unreadable(
        &p,
        &open_msg(
            &p,
            "工作簿设置了打开密码（已加密），请在 Excel 中取消密码后另存再提交",
        ),
    );
}

#[test]
fn encrypted_ods() {
    // An ods saved with a password: content.xml is ciphertext and the manifest carries
    // <manifest:encryption-data> for it.
    let d = tmp();
    let mut parts = read_parts(ODS);
    let manifest = part_text(&parts, "META-INF/manifest.xml").replace(
        "manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>",
        "manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"><manifest:encryption-data manifest:checksum-type=\"SHA1/1K\" manifest:checksum=\"AAAA\"><manifest:algorithm manifest:algorithm-name=\"Blowfish CFB\" manifest:initialisation-vector=\"AAAA\"/></manifest:encryption-data></manifest:file-entry>",
    );
    assert!(manifest.contains("encryption-data"), "{manifest}");
    set_part(&mut parts, "META-INF/manifest.xml", manifest);
    let p_content = parts.iter_mut().find(|(n, _)| n == "content.xml").unwrap();
    p_content.1 = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let p = d.path().join("加密.ods");
    write_parts(&p, &parts);
    assert_unreadable(
        &p,
        &open_msg(&p, "工作簿设置了打开密码（已加密），请取消密码后另存再提交"),
    );
}

#[test]
fn a_cell_with_more_text_than_excel_allows() {
    // Excel holds at most 32,767 characters in a cell; a longer one was not made by Excel,
    // and megabytes of it would be quoted in every message about the cell.
    let d = tmp();
    let long = "很长的说明".repeat(7000);
    let p = sample_with_cells(d.path(), "长文本.xlsx", &[("A3", text_cell("A3", &long))]);
    assert_unreadable(
        &p,
        &limit_msg(
            &p,
            &format!("工作表「{P1_NAME}」A3 的文本有 35000 个字符，超过 Excel 单元格的上限 32767"),
        ),
    );
    // At the limit it reads.
    let p = sample_with_cells(
        d.path(),
        "长文本2.xlsx",
        &[("A3", text_cell("A3", &"很".repeat(32_767)))],
    );
    assert_eq!(check(&p).code, Some(1));
}

#[test]
fn a_sheet_with_hundreds_of_forms() {
    // 5,000 header rows pasted into one sheet took minutes to read (each form looked at
    // every label); more than 50 项目名称 on a sheet is refused up front.
    let d = tmp();
    let mut parts = read_parts(SAMPLE);
    let mut rows = String::new();
    for r in 100..5100 {
        rows.push_str(&format!(
            "<row r=\"{r}\">{}{}{}</row>",
            text_cell(&format!("A{r}"), "项目名称"),
            text_cell(&format!("B{r}"), &format!("项目{r}")),
            text_cell(&format!("D{r}"), "项目资金总额"),
        ));
    }
    let xml = part_text(&parts, P1).replace("</sheetData>", &format!("{rows}</sheetData>"));
    set_part(&mut parts, P1, xml);
    let p = d.path().join("五千份.xlsx");
    write_parts(&p, &parts);
    let o = check(&p);
    assert!(o.elapsed < std::time::Duration::from_secs(5), "{o:?}");
    assert_eq!(
        o.err.trim_end(),
        format!(
            "无法读取：{}",
            limit_msg(
                &p,
                &format!("工作表「{P1_NAME}」中有 5001 处「项目名称」，超过上限 50（一张工作表应只有一份申报表）")
            )
        )
    );
}

#[test]
fn one_long_shared_string_shown_by_thousands_of_cells() {
    // Each cell showing a shared string becomes its own copy: 3,000 cells × 96 KB is
    // 288 MB from a file of a few hundred KB.
    let d = tmp();
    let mut parts = read_parts(SAMPLE);
    let ss = part_text(&parts, "xl/sharedStrings.xml");
    let idx = ss.matches("<si>").count();
    let ss = ss.replace(
        "</sst>",
        &format!("<si><t>{}</t></si></sst>", "长".repeat(32_000)),
    );
    set_part(&mut parts, "xl/sharedStrings.xml", ss);
    let mut rows = String::new();
    for r in 100..3100 {
        rows.push_str(&format!(
            "<row r=\"{r}\"><c r=\"J{r}\" t=\"s\"><v>{idx}</v></c></row>"
        ));
    }
    let xml = part_text(&parts, P1).replace("</sheetData>", &format!("{rows}</sheetData>"));
    set_part(&mut parts, P1, xml);
    let p = d.path().join("共享.xlsx");
    write_parts(&p, &parts);
    let o = check(&p);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err.starts_with(&format!(
            "无法读取：{}",
            limit_msg(&p, &format!("读到工作表「{P1_NAME}」J"))
        )) && o
            .err
            .trim_end()
            .ends_with("时，各单元格的文本合计已超过 200 MB（同一段长文本被大量单元格重复引用）"),
        "{}",
        o.err
    );
}

#[test]
fn xls_sharing_one_long_string_in_every_cell() {
    // The same in an .xls: calamine copies the shared string into every LABELSST cell when
    // it opens the file, so the pre-scan counts them first. 30,000 × 8,000 characters
    // (counted at 3 bytes each) is 687 MB.
    let d = tmp();
    let text = "x".repeat(8000);
    let small = write(d.path(), "小.xls", &xls_sharing_one_string(&text, 10));
    let o = check(&small);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err.contains("不是绩效目标申报表"),
        "calamine read it: {o:?}"
    );
    let p = write(d.path(), "共享.xls", &xls_sharing_one_string(&text, 30_000));
    assert_unreadable(
        &p,
        &limit_msg(
            &p,
            "各单元格的文本展开后约 686 MB，超过整个工作簿的上限 200 MB（同一段长文本被大量单元格重复引用）",
        ),
    );
}

#[test]
fn ods_repeating_one_long_text() {
    // 10 rows × 1,000 repeats of a 30,000-character cell: few cells, 900 MB of copies.
    let d = tmp();
    let cell = format!(
        r#"<table:table-cell office:value-type="string" table:number-columns-repeated="1000"><text:p>{}</text:p></table:table-cell>"#,
        "x".repeat(30_000)
    );
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="长"><table:table-row table:number-rows-repeated="1">{cell}</table:table-row>{}</table:table></office:spreadsheet></office:body></office:document-content>"#,
        format!("<table:table-row>{cell}</table:table-row>").repeat(9)
    );
    let p = ods_with_content(d.path(), "长.ods", &content);
    let o = check(&p);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err.starts_with(&format!(
            "无法读取：{}",
            limit_msg(&p, "各单元格的文本展开后约 ")
        )),
        "{}",
        o.err
    );
}

#[test]
fn more_sheets_than_the_limit() {
    let d = tmp();
    let mut wb = rust_xlsxwriter::Workbook::new();
    for _ in 0..501 {
        wb.add_worksheet();
    }
    let p = d.path().join("多表.xlsx");
    wb.save(&p).unwrap();
    assert_unreadable(&p, &limit_msg(&p, "工作簿有 501 个工作表，超过上限 500"));
}

// ---- Sizes: bombs, huge ranges, many rows ----------------------------------------------

/// The sample's parts as raw zip entries (stored), with `name` replaced by `entry`.
fn sample_with_raw_part(entry: RawEntry) -> Vec<u8> {
    let mut entries: Vec<RawEntry> = read_parts(SAMPLE)
        .into_iter()
        .filter(|(n, _)| *n != entry.name)
        .map(|(n, v)| RawEntry::stored(&n, v))
        .collect();
    entries.push(entry);
    raw_zip(&entries)
}

#[test]
fn zip_bomb_shared_strings_inflating_to_2_gib() {
    let d = tmp();
    let (data, size) = deflate_bomb(2 << 30);
    assert!(data.len() < 20 << 20);
    let p = write(
        d.path(),
        "炸弹.xlsx",
        &sample_with_raw_part(RawEntry {
            name: "xl/sharedStrings.xml".into(),
            method: 8,
            // Never reached: the declared size is refused before anything is inflated.
            crc: 0,
            declared_size: size as u32,
            data,
        }),
    );
    assert_unreadable(
        &p,
        &limit_msg(
            &p,
            "部件「xl/sharedStrings.xml」解压后为 2048 MB，超过单个部件上限 100 MB（可能是“压缩炸弹”）",
        ),
    );
}

#[test]
fn zip_bomb_with_a_lying_header() {
    // The sheet of project 1 declares 1,000 bytes but inflates to 1 GiB: the zip reader
    // stops at the declared size, so reading ends in an error, not in a gigabyte.
    let d = tmp();
    let (data, _) = deflate_bomb(1 << 30);
    let p = write(
        d.path(),
        "谎报大小.xlsx",
        &sample_with_raw_part(RawEntry {
            name: P1.into(),
            method: 8,
            crc: 0,
            declared_size: 1000,
            data,
        }),
    );
    let o = check(&p);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err.starts_with(&format!(
            "无法读取：{} 工作表「{P1_NAME}」无法读取：",
            p.display()
        )),
        "{}",
        o.err
    );
    assert!(o.err.contains("比其声明的大小更大"), "{}", o.err);
}

#[test]
fn zip_bomb_many_parts_adding_up() {
    // Four parts of 90 MB declared (each under the part limit) add up past the total.
    let d = tmp();
    let mut entries: Vec<RawEntry> = read_parts(SAMPLE)
        .into_iter()
        .map(|(n, v)| RawEntry::stored(&n, v))
        .collect();
    let (data, size) = deflate_bomb(90 << 20);
    for i in 0..4 {
        entries.push(RawEntry {
            name: format!("xl/media/image{i}.bin"),
            method: 8,
            crc: 0,
            declared_size: size as u32,
            data: data.clone(),
        });
    }
    let p = write(d.path(), "合计炸弹.xlsx", &raw_zip(&entries));
    let o = check(&p);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err
            .starts_with(&format!("无法读取：{}", limit_msg(&p, "解压后共 36"))),
        "{}",
        o.err
    );
    assert!(
        o.err
            .trim_end()
            .ends_with("超过上限 300 MB（可能是“压缩炸弹”）"),
        "{}",
        o.err
    );
}

#[test]
fn zip_with_more_parts_than_the_limit() {
    // The central directory is read before anything else; 20,000 parts are refused there.
    // (At the 64 MB file limit, a directory of ~800,000 empty parts takes under a second
    // and ~200 MB to read before it is refused.)
    let d = tmp();
    let mut entries: Vec<RawEntry> = read_parts(SAMPLE)
        .into_iter()
        .map(|(n, v)| RawEntry::stored(&n, v))
        .collect();
    for i in 0..20_000 {
        entries.push(RawEntry::stored(&format!("xl/media/{i}.bin"), Vec::new()));
    }
    let p = write(d.path(), "部件.xlsx", &raw_zip(&entries));
    assert_unreadable(
        &p,
        &limit_msg(
            &p,
            "压缩包内有 20021 个部件，超过上限 10000，不像是一份申报表",
        ),
    );
}

#[test]
fn zip_part_with_an_absurd_ratio() {
    // 50 MB declared from a few bytes: no deflate stream does that.
    let d = tmp();
    let (data, _) = deflate_bomb(1);
    let p = write(
        d.path(),
        "压缩比.xlsx",
        &sample_with_raw_part(RawEntry {
            name: "xl/styles.xml".into(),
            method: 8,
            crc: 0,
            declared_size: 50 << 20,
            data: data.clone(),
        }),
    );
    assert_unreadable(
        &p,
        &limit_msg(
            &p,
            &format!(
                "部件「xl/styles.xml」由 {} 字节解压为 50 MB，压缩比超过 1000:1（可能是“压缩炸弹”）",
                data.len()
            ),
        ),
    );
}

#[test]
fn xlsx_with_an_enormous_used_range_but_few_cells() {
    // <dimension ref="A1:XFD1048576"/> and a cell in the very last position: xlsx cells
    // are streamed, so the range allocates nothing and the form reads as usual.
    let d = tmp();
    let mut parts = read_parts(SAMPLE);
    let xml = part_text(&parts, P1)
        .replace("<dimension ref=\"A1:H49\"/>", "<dimension ref=\"A1:XFD1048576\"/>")
        .replace(
            "</sheetData>",
            "<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData>",
        );
    set_part(&mut parts, P1, xml);
    let p = d.path().join("大范围.xlsx");
    write_parts(&p, &parts);
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(
        o.out
            .trim_end()
            .ends_with("共检查 1 个文件、10 个项目：错误 4 条，警告 4 条。"),
        "{}",
        o.out
    );
}

#[test]
fn xls_with_a_cell_at_the_last_row_and_column() {
    // calamine builds an .xls sheet as a dense grid over its cells' bounding box: one cell
    // moved to (65535, 255) would make it 65536 × 256. The pre-scan refuses first.
    let d = tmp();
    let bytes = std::fs::read(XLS).unwrap();
    let mut s = xls_stream(&bytes);
    let recs = biff_records(&s);
    let (_, _, range) = recs.iter().find(|(_, t, _)| *t == 0x00FD).cloned().unwrap();
    s[range.start..range.start + 2].copy_from_slice(&0xFFFFu16.to_le_bytes());
    s[range.start + 2..range.start + 4].copy_from_slice(&0x00FFu16.to_le_bytes());
    let p = write(d.path(), "末格.xls", &with_xls_stream(&bytes, &s));
    assert_unreadable(
        &p,
        &limit_msg(
            &p,
            "工作表「单位汇总」的使用区域为 65535 行 × 256 列（16776960 个单元格），超过读取上限 5000000 个单元格",
        ),
    );
}

#[test]
fn xls_with_a_hostile_dimensions_record() {
    // DIMENSIONS claiming 4 billion rows: calamine would reserve that many cells.
    let d = tmp();
    let bytes = std::fs::read(XLS).unwrap();
    let s0 = xls_stream(&bytes);
    let recs = biff_records(&s0);
    let (_, _, range) = recs
        .iter()
        .find(|(_, t, r)| *t == 0x0200 && r.len() == 14)
        .cloned()
        .unwrap();
    let mut s = s0.clone();
    s[range.start + 4..range.start + 8].copy_from_slice(&u32::MAX.to_le_bytes());
    let p = write(d.path(), "维度.xls", &with_xls_stream(&bytes, &s));
    let o = check(&p);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err.starts_with(&format!(
            "无法读取：{}",
            limit_msg(&p, "工作表「单位汇总」的使用区域为 4294967295 行 × ")
        )),
        "{}",
        o.err
    );
    // First row after the last: calamine would compute a negative height.
    let mut s = s0;
    s[range.start..range.start + 4].copy_from_slice(&1000u32.to_le_bytes());
    s[range.start + 4..range.start + 8].copy_from_slice(&10u32.to_le_bytes());
    let p = write(d.path(), "维度2.xls", &with_xls_stream(&bytes, &s));
    assert_unreadable(
        &p,
        &open_msg(
            &p,
            ".xls 文件已损坏：工作表「单位汇总」的 DIMENSIONS 记录不合法",
        ),
    );
}

/// The ods fixture with `content.xml` replaced.
fn ods_with_content(dir: &Path, name: &str, content: &str) -> PathBuf {
    let mut parts = read_parts(ODS);
    set_part(&mut parts, "content.xml", content.to_string());
    let p = dir.join(name);
    write_parts(&p, &parts);
    p
}

#[test]
fn ods_with_repeated_rows_and_columns() {
    // 1,000,000 rows × 16,384 columns of "x" in a few hundred bytes: calamine would expand
    // them. The pre-scan counts them first.
    let d = tmp();
    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="项目1"><table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="string" table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let p = ods_with_content(d.path(), "重复.ods", content);
    assert_unreadable(
        &p,
        &limit_msg(
            &p,
            "工作表「项目1」的使用区域为 1000000 行 × 16384 列（约 16384000000 个单元格），超过读取上限 5000000 个单元格",
        ),
    );
}

#[test]
fn ods_with_many_wide_rows() {
    // Each row a value 16,384 times: calamine materializes the cells row by row even
    // before building the grid.
    let d = tmp();
    let row = r#"<table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>"#;
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet><table:table table:name="宽"><table:table-column/>{}</table:table></office:spreadsheet></office:body></office:document-content>"#,
        row.repeat(400)
    );
    let p = ods_with_content(d.path(), "宽.ods", &content);
    assert_unreadable(
        &p,
        &limit_msg(
            &p,
            "工作表「宽」的使用区域为 400 行 × 16384 列（约 6553600 个单元格），超过读取上限 5000000 个单元格",
        ),
    );
}

/// The sample with `rows` extra rows on project 1's sheet below the form, each holding
/// `cells` cells: a running number (a pasted column of figures).
fn sample_with_rows(dir: &Path, name: &str, rows: u32, cells: u32) -> PathBuf {
    let mut parts = read_parts(SAMPLE);
    let mut extra = String::with_capacity((rows * cells * 60) as usize);
    for r in 100..100 + rows {
        extra.push_str(&format!("<row r=\"{r}\">"));
        for c in 0..cells {
            let col = (b'J' + c as u8) as char;
            extra.push_str(&format!("<c r=\"{col}{r}\"><v>{r}</v></c>"));
        }
        extra.push_str("</row>");
    }
    let xml = part_text(&parts, P1).replace("</sheetData>", &format!("{extra}</sheetData>"));
    set_part(&mut parts, P1, xml);
    let p = dir.join(name);
    write_parts(&p, &parts);
    p
}

#[test]
fn a_form_sheet_with_100000_rows() {
    // 100,000 filled rows below the form (under the cell limit): read within the bounds,
    // with the sample's own findings.
    let d = tmp();
    let p = sample_with_rows(d.path(), "十万行.xlsx", 100_000, 1);
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(
        o.out
            .trim_end()
            .ends_with("共检查 1 个文件、10 个项目：错误 4 条，警告 4 条。"),
        "{}",
        o.out
    );
}

#[test]
fn many_sheets_each_under_the_cell_limit() {
    // Six sheets of 180,000 cells each: every sheet is under its limit, the workbook is not.
    let d = tmp();
    let mut parts = read_parts(SAMPLE);
    let mut rows = String::with_capacity(180_000 * 40);
    for r in 1..=60_000 {
        rows.push_str(&format!(
            "<row r=\"{r}\"><c r=\"A{r}\"><v>1</v></c><c r=\"B{r}\"><v>2</v></c><c r=\"C{r}\"><v>3</v></c></row>"
        ));
    }
    for n in 5..=10 {
        let name = format!("xl/worksheets/sheet{n}.xml");
        let xml = part_text(&parts, &name);
        let head = &xml[..xml.find("<sheetData>").unwrap()];
        let tail = &xml[xml.find("</sheetData>").unwrap()..];
        set_part(&mut parts, &name, format!("{head}<sheetData>{rows}{tail}"));
    }
    let p = d.path().join("六表.xlsx");
    write_parts(&p, &parts);
    assert_unreadable(
        &p,
        &limit_msg(
            &p,
            "各工作表的非空单元格合计超过 1000000 个，远超一份申报表的规模",
        ),
    );
}

#[test]
fn a_form_sheet_past_the_cell_limit() {
    let d = tmp();
    let p = sample_with_rows(d.path(), "超限.xlsx", 100_000, 3);
    assert_unreadable(
        &p,
        &limit_msg(
            &p,
            &format!("工作表「{P1_NAME}」的非空单元格超过 200000 个，远超一份申报表的规模"),
        ),
    );
}

// ---- Cell values: findings with their cells (exit 1) -----------------------------------

/// The text report's lines for one code.
fn lines_with<'a>(out: &'a str, code: &str) -> Vec<&'a str> {
    out.lines()
        .map(str::trim)
        .filter(|l| l.split(' ').nth(1) == Some(code))
        .collect()
}

#[test]
fn formula_errors_in_money_cells() {
    let d = tmp();
    let p = sample_with_cells(
        d.path(),
        "公式错误.xlsx",
        &[
            ("D37", error_cell("D37", "D38+#REF!", "#REF!")),
            ("D38", error_cell("D38", "1/0", "#DIV/0!")),
            ("E16", error_cell("E16", "\"a\"*2", "#VALUE!")),
        ],
    );
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "R002"),
        [
            format!("错误 R002 {P1_NAME}!D37 工作表「{P1_NAME}」D37（项目资金总额）是公式错误值 #REF!，无法读取。请检查该单元格的公式或直接填写数值。"),
            format!("错误 R002 {P1_NAME}!D38 工作表「{P1_NAME}」D38（财政资金）是公式错误值 #DIV/0!，无法读取。请检查该单元格的公式或直接填写数值。"),
            format!("错误 R002 {P1_NAME}!E16 工作表「{P1_NAME}」E16（预算金额）是公式错误值 #VALUE!，无法读取。请检查该单元格的公式或直接填写数值。"),
        ],
        "{}",
        o.out
    );
}

#[test]
fn text_that_is_not_a_number_in_money_cells() {
    let d = tmp();
    let p = sample_with_cells(
        d.path(),
        "待定.xlsx",
        &[
            ("H37", text_cell("H37", "待定")),
            ("E15", text_cell("E15", "见附件")),
        ],
    );
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "R001"),
        [
            format!("错误 R001 {P1_NAME}!H37 工作表「{P1_NAME}」H37（年度资金申请总额）填写的是「待定」，不是可识别的金额（「待定」不是有效金额：没有数字）。请填写数字金额（单位：元），例如 1000000.00。"),
            format!("错误 R001 {P1_NAME}!E15 工作表「{P1_NAME}」E15（预算金额）填写的是「见附件」，不是可识别的金额（「见附件」不是有效金额：没有数字）。请填写数字金额（单位：元），例如 1000000.00。"),
        ],
        "{}",
        o.out
    );
}

#[test]
fn negative_amounts() {
    let d = tmp();
    let p = sample_with_cells(
        d.path(),
        "负数.xlsx",
        &[
            ("H39", number_cell("H39", "-5")),
            ("E15", text_cell("E15", "(102,000.00)")),
        ],
    );
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "M002"),
        [
            format!("错误 M002 {P1_NAME}!H39 项目「G60日常办公经费」上年结转资金 -5.00 元（H39）为负数。金额不能为负，请核对。"),
            format!("错误 M002 {P1_NAME}!E15 项目「G60日常办公经费」年度预算安排第 1 行金额 -102,000.00 元（E15）为负数。金额不能为负，请核对。"),
        ],
        "{}",
        o.out
    );
}

#[test]
fn more_than_two_decimals() {
    let d = tmp();
    let p = sample_with_cells(
        d.path(),
        "三位小数.xlsx",
        &[("E16", number_cell("E16", "22800.005"))],
    );
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    let m001 = lines_with(&o.out, "M001");
    assert_eq!(m001.len(), 1, "{}", o.out);
    assert!(
        m001[0]
            == format!("警告 M001 {P1_NAME}!E16 项目「G60日常办公经费」年度预算安排第 2 行金额 22800.005（E16）有两位以上小数（不足一分）。金额应精确到分，请改为 22,800.01 元或核对公式。"),
        "{}",
        o.out
    );
}

#[test]
fn impossible_dates() {
    let d = tmp();
    let p = sample_with_cells(
        d.path(),
        "日期.xlsx",
        &[
            ("B36", text_cell("B36", "2024-02-30")),
            ("F36", text_cell("F36", "2023年2月29日")),
        ],
    );
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "R003"),
        [
            format!("错误 R003 {P1_NAME}!B36 工作表「{P1_NAME}」B36（计划开始日期）填写的是「2024-02-30」，不是有效日期（「2024-02-30」不是有效日期：2024年2月没有30日）。请填写日期，例如 2024-01-01。"),
            format!("错误 R003 {P1_NAME}!F36 工作表「{P1_NAME}」F36（计划完成日期）填写的是「2023年2月29日」，不是有效日期（「2023年2月29日」不是有效日期：2023年2月没有29日（2023年不是闰年））。请填写日期，例如 2024-01-01。"),
        ],
        "{}",
        o.out
    );
}

#[test]
fn dates_before_1900_and_far_in_the_future() {
    let d = tmp();
    // Excel has no date before 1900: typed as text it reads, and the year check flags it;
    // as a serial of 0 or below, or past 9999-12-31, it is no date.
    let p = sample_with_cells(
        d.path(),
        "远日期.xlsx",
        &[
            ("B36", text_cell("B36", "1899-12-31")),
            ("F36", text_cell("F36", "2999-12-31")),
        ],
    );
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "R003"),
        [
            format!("错误 R003 {P1_NAME}!B36 工作表「{P1_NAME}」B36（计划开始日期）填写的是「1899-12-31」，不是有效日期（早于 1900 年，Excel 无法表示，应是录入错误）。请填写日期，例如 2024-01-01。"),
            format!("错误 R003 {P1_NAME}!F36 工作表「{P1_NAME}」F36（计划完成日期）填写的是「2999-12-31」，不是有效日期（年份 2999 远在将来，应是录入错误）。请填写日期，例如 2024-01-01。"),
        ],
        "{}",
        o.out
    );
    assert!(lines_with(&o.out, "R006").is_empty(), "{}", o.out);
    let p = sample_with_cells(
        d.path(),
        "序号日期.xlsx",
        &[
            ("B36", number_cell("B36", "-1")),
            ("F36", number_cell("F36", "2958466")),
        ],
    );
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "R003"),
        [
            format!("错误 R003 {P1_NAME}!B36 工作表「{P1_NAME}」B36（计划开始日期）填写的是「-1」，不是有效日期（数字无法作为日期）。请填写日期，例如 2024-01-01。"),
            format!("错误 R003 {P1_NAME}!F36 工作表「{P1_NAME}」F36（计划完成日期）填写的是「2958466」，不是有效日期（数字无法作为日期）。请填写日期，例如 2024-01-01。"),
        ],
        "{}",
        o.out
    );
}

#[test]
fn daxie_amount_in_a_money_cell_is_read_exactly() {
    let d = tmp();
    let p = sample_with_cells(
        d.path(),
        "大写.xlsx",
        &[
            ("D37", text_cell("D37", "壹佰万元整")),
            ("D38", text_cell("D38", "人民币壹佰万元整")),
        ],
    );
    let read = jixiao::read::read_workbook(&p).unwrap();
    let funds = &read.declaration.projects[0].funds;
    assert_eq!(
        funds.total,
        Some(jixiao::model::Money::from_cents(100_000_000))
    );
    assert_eq!(
        funds.fiscal,
        Some(jixiao::model::Money::from_cents(100_000_000))
    );
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "R005"),
        [
            format!("警告 R005 {P1_NAME}!D37 工作表「{P1_NAME}」D37（项目资金总额）的金额「壹佰万元整」是以文本形式填写的，已按 1,000,000.00 元读取。文本金额不参与 Excel 求和，建议改为数字（jixiao fix 会自动转换）。"),
            format!("警告 R005 {P1_NAME}!D38 工作表「{P1_NAME}」D38（财政资金）的金额「人民币壹佰万元整」是以文本形式填写的，已按 1,000,000.00 元读取。文本金额不参与 Excel 求和，建议改为数字（jixiao fix 会自动转换）。"),
        ],
        "{}",
        o.out
    );
    // And nothing else changed: the sample's own four errors, four warnings, plus two.
    assert!(
        o.out
            .trim_end()
            .ends_with("共检查 1 个文件、10 个项目：错误 4 条，警告 6 条。"),
        "{}",
        o.out
    );
}

#[test]
fn absurd_amounts_in_wan() {
    // A 万元 block holding a number too large to be turned into 元.
    let d = tmp();
    let mut parts = read_parts(SAMPLE);
    let xml = part_text(&parts, P1);
    let xml = replace_cell(&xml, "A37", &text_cell("A37", "项目资金（万元）"));
    let xml = replace_cell(&xml, "D37", &number_cell("D37", "7E+28"));
    set_part(&mut parts, P1, xml);
    let p = d.path().join("巨额.xlsx");
    write_parts(&p, &parts);
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "R001"),
        [format!(
            "错误 R001 {P1_NAME}!D37 工作表「{P1_NAME}」D37（项目资金总额）填写的是「70000000000000000000000000000」，数额超出可处理范围。请核对金额。"
        )],
        "{}",
        o.out
    );
}

// ---- Structure: names, hidden sheets, forms twice, missing values ---------------------

#[test]
fn duplicate_project_names() {
    let d = tmp();
    // Project 2's name changed to project 1's, in the cell the reader takes it from.
    let read = jixiao::read::read_workbook(SAMPLE).unwrap();
    let name_path = jixiao::model::FieldPath::project(
        1,
        jixiao::model::ProjectField::Header(jixiao::model::HeaderField::Name),
    );
    let cell = read.sources.cell(&name_path).unwrap().a1();
    let mut parts = read_parts(SAMPLE);
    let xml = replace_cell(
        &part_text(&parts, "xl/worksheets/sheet3.xml"),
        &cell,
        &text_cell(&cell, "G60日常办公经费"),
    );
    set_part(&mut parts, "xl/worksheets/sheet3.xml", xml);
    let p = d.path().join("重名.xlsx");
    write_parts(&p, &parts);
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "C007"),
        [format!("警告 C007 2.优化营商环境!{cell} 第 2 个项目与第 1 个项目（1.G60日常办公经费!B34）同名「G60日常办公经费」。如是重复申报，请删去一份；如是不同项目，请改用能区分的名称。")],
        "{}",
        o.out
    );
}

#[test]
fn hidden_and_very_hidden_sheets() {
    let d = tmp();
    let mut parts = read_parts(SAMPLE);
    let wb = part_text(&parts, "xl/workbook.xml")
        .replace(
            "<sheet name=\"1.G60日常办公经费\" sheetId=\"2\"",
            "<sheet name=\"1.G60日常办公经费\" state=\"hidden\" sheetId=\"2\"",
        )
        .replace(
            "<sheet name=\"2.优化营商环境\" sheetId=\"3\"",
            "<sheet name=\"2.优化营商环境\" state=\"veryHidden\" sheetId=\"3\"",
        );
    set_part(&mut parts, "xl/workbook.xml", wb);
    let p = d.path().join("隐藏.xlsx");
    write_parts(&p, &parts);
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "R007"),
        [
            "警告 R007 1.G60日常办公经费 工作表「1.G60日常办公经费」是隐藏的，其中的项目也已读取并计入合计。如该项目不应申报，请删除该工作表。",
            "警告 R007 2.优化营商环境 工作表「2.优化营商环境」是隐藏的，其中的项目也已读取并计入合计。如该项目不应申报，请删除该工作表。",
        ],
        "{}",
        o.out
    );
}

#[test]
fn a_project_sheet_with_the_form_twice() {
    // Project 2's rows pasted below project 1's on the same sheet (shared strings are
    // the workbook's, so the cells keep their text).
    let d = tmp();
    let mut parts = read_parts(SAMPLE);
    let second = part_text(&parts, "xl/worksheets/sheet3.xml");
    let rows =
        &second[second.find("<sheetData>").unwrap() + 11..second.find("</sheetData>").unwrap()];
    let shifted = shift_rows(rows, 60);
    let xml = part_text(&parts, P1).replace("</sheetData>", &format!("{shifted}</sheetData>"));
    set_part(&mut parts, P1, xml);
    parts.retain(|(n, _)| n != "xl/worksheets/sheet3.xml");
    let wb = part_text(&parts, "xl/workbook.xml");
    let start = wb.find("<sheet name=\"2.").unwrap();
    let end = start + wb[start..].find("/>").unwrap() + 2;
    let wb = format!("{}{}", &wb[..start], &wb[end..]);
    set_part(&mut parts, "xl/workbook.xml", wb);
    let p = d.path().join("两份.xlsx");
    write_parts(&p, &parts);
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "R004"),
        [format!("警告 R004 {P1_NAME}!A82 工作表「{P1_NAME}」中有 2 份申报表，已分别读取为 2 个项目。如果是重复粘贴，请删除多余的一份。")],
        "{}",
        o.out
    );
}

/// Moves `<row r="N">` and `<c r="XN">` down by `by` rows.
fn shift_rows(xml: &str, by: u32) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(i) = rest.find(" r=\"") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let end = rest.find('"').unwrap();
        let r = &rest[..end];
        let split = r.find(|c: char| c.is_ascii_digit()).unwrap();
        let n: u32 = r[split..].parse().unwrap();
        out.push_str(&format!("{}{}", &r[..split], n + by));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn a_label_present_with_its_value_cell_missing() {
    let d = tmp();
    let mut parts = read_parts(SAMPLE);
    let xml = part_text(&parts, P1);
    // The value cells of 项目资金总额 and 计划开始日期 removed from the XML entirely.
    let xml = replace_cell(&xml, "D37", "");
    let xml = replace_cell(&xml, "B36", "");
    set_part(&mut parts, P1, xml);
    let p = d.path().join("缺值.xlsx");
    write_parts(&p, &parts);
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert_eq!(
        lines_with(&o.out, "D001"),
        [format!("错误 D001 {P1_NAME}!B36 项目「G60日常办公经费」未填计划开始日期（B36）。请填写日期，如 2024-01-01。")],
        "{}",
        o.out
    );
    assert_eq!(
        lines_with(&o.out, "F005"),
        [format!("错误 F005 {P1_NAME}!D37 项目「G60日常办公经费」未填项目资金总额。其下各项合计 1,000,000.00 元。请在 D37 填写金额（元）。")],
        "{}",
        o.out
    );
}

#[test]
fn real_files_are_far_below_the_limits() {
    // The fixtures read, in well under the time and memory bounds.
    for f in [SAMPLE, XLS, ODS, "templates/jixiao-template.xlsx"] {
        let o = check(Path::new(f));
        assert!(matches!(o.code, Some(0 | 1)), "{f}: {o:?}");
        assert!(o.elapsed < std::time::Duration::from_secs(10), "{f}: {o:?}");
    }
}
