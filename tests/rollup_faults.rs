//! Rollup under faults (issue #5, item 5): a folder mixing good workbooks with every kind
//! of bad input finishes, lists each bad file with its reason, and its totals equal the
//! good files' totals — under the same time and memory bound as the bad-input corpus.

mod common;

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use common::*;
use rust_decimal::Decimal;

fn put(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn a_folder_of_good_and_bad_files_rolls_up_the_good_ones() {
    let d = tempfile::tempdir().unwrap();
    let inbox = d.path().join("收件箱");
    std::fs::create_dir(&inbox).unwrap();
    // Good: the sample as xlsx, and the same declaration saved as xls and ods by
    // LibreOffice (three files, 30 projects).
    std::fs::copy(SAMPLE, inbox.join("a-松江科创.xlsx")).unwrap();
    std::fs::copy(XLS, inbox.join("b-松江科创.xls")).unwrap();
    std::fs::copy(ODS, inbox.join("c-松江科创.ods")).unwrap();
    // Bad, one of each kind.
    put(&inbox, "d-空文件.xlsx", b"");
    put(&inbox, "e-文本.xlsx", "项目名称,金额\n".as_bytes());
    put(&inbox, "f-扫描件.xlsx", b"%PDF-1.7\n");
    put(&inbox, "g-截图.xlsx", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let sample = std::fs::read(SAMPLE).unwrap();
    put(&inbox, "h-没下载完.xlsx", &sample[..sample.len() / 2]);
    put(
        &inbox,
        "i-压缩包.xlsx",
        &raw_zip(&[RawEntry::stored("说明.txt", b"hello".to_vec())]),
    );
    std::fs::copy(
        "tests/corpus/encrypted-password-123456.xlsx",
        inbox.join("j-加密.xlsx"),
    )
    .unwrap();
    let (bomb, size) = deflate_bomb(2 << 30);
    let mut parts: Vec<RawEntry> = read_parts(SAMPLE)
        .into_iter()
        .filter(|(n, _)| n != "xl/sharedStrings.xml")
        .map(|(n, v)| RawEntry::stored(&n, v))
        .collect();
    parts.push(RawEntry {
        name: "xl/sharedStrings.xml".into(),
        method: 8,
        crc: 0,
        declared_size: size as u32,
        data: bomb,
    });
    put(&inbox, "k-炸弹.xlsx", &raw_zip(&parts));
    // Not inputs: Excel's lock file and a hidden file are skipped, not reported.
    put(&inbox, "~$a-松江科创.xlsx", b"lock");
    put(&inbox, ".隐藏.xlsx", b"");

    let csv = d.path().join("汇总.csv");
    let xlsx = d.path().join("汇总.xlsx");
    let run = jixiao(&[
        "rollup",
        inbox.to_str().unwrap(),
        "-o",
        csv.to_str().unwrap(),
        "--xlsx",
        xlsx.to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    assert_eq!(run.code, Some(2), "{}", run.err);

    // Projects: the three good files' thirty, in file order.
    let text = String::from_utf8(std::fs::read(&csv).unwrap()[3..].to_vec()).unwrap();
    let rows: Vec<Vec<&str>> = text
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 30);
    let total: Decimal = rows.iter().map(|r| r[9].parse::<Decimal>().unwrap()).sum();
    assert_eq!(total.to_string(), "52315800.00", "3 × 17,438,600.00");
    assert!(rows[0][19].ends_with("a-松江科创.xlsx"));
    assert!(rows[29][19].ends_with("c-松江科创.ods"));

    // Every bad file listed with its reason; nothing else.
    let mut wb = open_workbook_auto(&xlsx).unwrap();
    let listed = wb.worksheet_range("无法读取的文件").unwrap();
    let listed: Vec<String> = listed
        .rows()
        .skip(1)
        .map(|r| {
            r.iter()
                .filter_map(|c| match c {
                    Data::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect();
    let expect = [
        ("d-空文件.xlsx", "文件是空的"),
        ("e-文本.xlsx", "文本文件"),
        ("f-扫描件.xlsx", "PDF"),
        ("g-截图.xlsx", "图片"),
        ("h-没下载完.xlsx", "不完整"),
        ("i-压缩包.xlsx", "不是 Excel 工作簿"),
        ("j-加密.xlsx", "密码"),
        ("k-炸弹.xlsx", "压缩炸弹"),
    ];
    assert_eq!(listed.len(), expect.len(), "{listed:#?}");
    for ((name, reason), row) in expect.iter().zip(&listed) {
        assert!(row.contains(name), "{row}");
        assert!(row.contains(reason), "{name}: {row}");
    }
    // The summary's grand total (by unit) is the good files' total, to the cent.
    assert!(run.err.contains("5,231.58万元"), "{}", run.err);
    assert!(
        run.err.contains("共 11 个文件（读取 3，无法读取 8）"),
        "{}",
        run.err
    );
}
