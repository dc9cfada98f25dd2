//! Bad inputs, round 2 (issue #12, the reader's side): files that made calamine reserve
//! memory from a declared count, references past Excel's grid that wrapped onto real
//! cells, inputs that are not regular files, Mac-dated workbooks, and the language of
//! "could not read" messages. Each crafted file is built here, and runs under the memory
//! and time bound of `common::jixiao`.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn limit_msg(path: &Path, reason: &str) -> String {
    format!("{} 超出读取上限：{reason}", path.display())
}

/// The sample with one part's text edited by `edit`.
fn sample_edited(dir: &Path, name: &str, part: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let mut parts = read_parts(SAMPLE);
    let text = part_text(&parts, part);
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit of {part} changed nothing");
    set_part(&mut parts, part, edited);
    let p = dir.join(name);
    write_parts(&p, &parts);
    p
}

/// The files left in `dir` other than `keep`: no temp file may stay behind.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

// ---- Item 1: no abort from a declared count ------------------------------------------

/// The sample's shared-strings table declaring `count` strings (it has a few hundred).
fn sample_with_unique_count(dir: &Path, name: &str, count: &str) -> PathBuf {
    sample_edited(dir, name, "xl/sharedStrings.xml", |t| {
        let at = t.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
        let end = at + t[at..].find('"').unwrap();
        format!("{}{count}{}", &t[..at], &t[end..])
    })
}

#[test]
fn shared_strings_declaring_four_billion_strings() {
    let d = tmp();
    let p = sample_with_unique_count(d.path(), "四十亿.xlsx", "4294967295");
    // The 46 KB workbook of the report.
    assert!(std::fs::metadata(&p).unwrap().len() < 64 * 1024);
    assert_unreadable(
        &p,
        &limit_msg(
            &p,
            "共享字符串表「xl/sharedStrings.xml」声明有 4294967295 个不同的字符串，超过上限 1000000（文件已损坏或被篡改）",
        ),
    );
    // Past what any integer holds, and with leading zeros: refused alike.
    let p = sample_with_unique_count(d.path(), "更大.xlsx", "000099999999999999999999999999");
    let o = check(&p);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err
            .contains("声明有 99999999999999999999999999 个不同的字符串"),
        "{o:?}"
    );
}

#[test]
fn shared_strings_count_that_is_merely_wrong_is_read() {
    // A writer that counts wrong (but not absurdly) harms nothing: the sample reads as
    // the sample.
    let d = tmp();
    let p = sample_with_unique_count(d.path(), "少报.xlsx", "3");
    let o = check(&p);
    let want = check(Path::new(SAMPLE));
    assert_eq!(o.code, want.code);
    assert_eq!(o.out.replace(p.to_str().unwrap(), SAMPLE), want.out);
}

#[test]
fn rollup_with_a_shared_strings_bomb_among_good_files() {
    let d = tmp();
    let input = d.path().join("各单位");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(SAMPLE, input.join("好.xlsx")).unwrap();
    sample_with_unique_count(&input, "坏.xlsx", "4294967295");
    let out = d.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let csv = out.join("汇总.csv");
    let xlsx = out.join("汇总.xlsx");
    let o = jixiao(&[
        "rollup",
        input.to_str().unwrap(),
        "-o",
        csv.to_str().unwrap(),
        "--xlsx",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(o.err.contains("共 2 个文件（读取 1，无法读取 1）"), "{o:?}");
    assert!(
        o.err.contains(
            "坏.xlsx：超出读取上限：共享字符串表「xl/sharedStrings.xml」声明有 4294967295 个"
        ),
        "{o:?}"
    );
    // The good file's 10 projects are there; nothing but the outputs was left.
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(rows.lines().count(), 1 + 10, "{rows}");
    let mut left = leftovers(&out, &["汇总.csv", "汇总.xlsx"]);
    left.sort();
    assert!(
        left.iter()
            .all(|n| !n.starts_with('.') && !n.contains("tmp")),
        "{left:?}"
    );
}

/// The fixture .xls (version 3, 512-byte sectors) with its root entry's mini-stream chain
/// made to loop and the root declaring `root_len` bytes.
fn xls_with_root(root_len: u32, looped: bool) -> Vec<u8> {
    let mut b = std::fs::read(XLS).unwrap();
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    assert_eq!(u32_at(&b, 30) & 0xFFFF, 9, "512-byte sectors");
    let fat_sectors: Vec<u32> = (0..109)
        .map(|i| u32_at(&b, 76 + 4 * i))
        .filter(|&s| s < 0xFFFF_FFFA)
        .collect();
    let fat_at = |id: u32| {
        let s = fat_sectors[id as usize / 128];
        512 + s as usize * 512 + (id as usize % 128) * 4
    };
    let dir = u32_at(&b, 48);
    let root_at = 512 + dir as usize * 512;
    let mut chain = vec![u32_at(&b, root_at + 116)];
    loop {
        let next = u32_at(&b, fat_at(*chain.last().unwrap()));
        if next >= 0xFFFF_FFFA {
            break;
        }
        chain.push(next);
    }
    if looped {
        let last = fat_at(*chain.last().unwrap());
        b[last..last + 4].copy_from_slice(&chain[0].to_le_bytes());
    }
    b[root_at + 120..root_at + 124].copy_from_slice(&root_len.to_le_bytes());
    b
}

#[test]
fn xls_whose_mini_stream_chain_loops_toward_four_gigabytes() {
    // calamine gathers the chain until it holds the declared length: with the loop, it
    // grew to 2 GB and the process aborted.
    let d = tmp();
    let p = d.path().join("循环.xls");
    std::fs::write(&p, xls_with_root(0xFFFF_FFC0, true)).unwrap();
    let size = std::fs::metadata(&p).unwrap().len();
    assert_unreadable(
        &p,
        &format!(
            "无法打开 {}：.xls 文件已损坏：其中一个数据流声明长度为 4294967232 字节，超过文件本身的 {size} 字节",
            p.display()
        ),
    );
    // The same loop with the root's true length is read as the fixture.
    std::fs::write(&p, xls_with_root(704, true)).unwrap();
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(o.out.contains("共检查 1 个文件、10 个项目"), "{o:?}");
}

// ---- Item 8: only regular files in -----------------------------------------------------

const NOT_REGULAR: &str = "这不是普通文件（而是设备、管道或套接字等），jixiao 只读取普通文件";

fn fifo(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    let ok = std::process::Command::new("mkfifo")
        .arg(&p)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", p.display());
    p
}

#[test]
fn a_fifo_named_as_input_is_refused_without_waiting() {
    // Nothing ever writes to it: opening it to read would block forever (the run is
    // killed by `common::jixiao`'s deadline, and the test fails, if it does).
    let d = tmp();
    let p = fifo(d.path(), "管道.xlsx");
    assert_unreadable(&p, &format!("无法打开 {}：{NOT_REGULAR}", p.display()));
}

#[test]
fn devices_are_refused_not_read() {
    // /dev/zero never ends (it was read to 2 GB: its size says 0); /dev/null is empty but
    // still no workbook file.
    for dev in ["/dev/zero", "/dev/null"] {
        let p = Path::new(dev);
        if p.exists() {
            assert_unreadable(p, &format!("无法打开 {dev}：{NOT_REGULAR}"));
        }
    }
}

#[test]
fn rollup_lists_a_fifo_in_the_folder_and_reads_the_rest() {
    let d = tmp();
    let input = d.path().join("各单位");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(SAMPLE, input.join("好.xlsx")).unwrap();
    let pipe = fifo(&input, "管道.xlsx");
    let csv = d.path().join("汇总.csv");
    let o = jixiao(&[
        "rollup",
        input.to_str().unwrap(),
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(o.code, Some(2), "{o:?}");
    assert!(
        o.err.contains(&format!(
            "{}：这不是普通文件（而是设备、管道或套接字等），已跳过",
            pipe.display()
        )),
        "{o:?}"
    );
    assert!(o.err.contains("共 2 个文件（读取 1，无法读取 1）"), "{o:?}");
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(rows.lines().count(), 1 + 10, "{rows}");
}

// ---- Item 12: Mac-dated workbooks ------------------------------------------------------

fn a1((row, col): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8(letters).unwrap(), row + 1)
}

/// The sample as Excel saves it on the 1904 date system: the flag set in the workbook
/// part, and every date cell's serial 1462 lower (the same dates).
fn sample_in_1904(dir: &Path) -> PathBuf {
    use calamine::{Data, Reader};
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(SAMPLE).unwrap();
    let mut parts = read_parts(SAMPLE);
    let names = wb.sheet_names();
    let mut shifted = 0;
    for (i, name) in names.iter().enumerate() {
        let range = wb.worksheet_range(name).unwrap();
        let part = format!("xl/worksheets/sheet{}.xml", i + 1);
        let mut xml = part_text(&parts, &part);
        for (r, c, v) in range.used_cells() {
            let Data::DateTime(dt) = v else { continue };
            let (r0, c0) = range.start().unwrap();
            let tag = format!("<c r=\"{}\"", a1((r0 + r as u32, c0 + c as u32)));
            let at = xml.find(&tag).unwrap();
            let v_at = at + xml[at..].find("<v>").unwrap() + 3;
            let v_end = v_at + xml[v_at..].find('<').unwrap();
            let serial: f64 = xml[v_at..v_end].parse().unwrap();
            assert_eq!(serial, dt.as_f64());
            xml.replace_range(v_at..v_end, &(serial - 1462.0).to_string());
            shifted += 1;
        }
        set_part(&mut parts, &part, xml);
    }
    // Start and end dates of 10 projects.
    assert_eq!(shifted, 20);
    let wbxml = part_text(&parts, "xl/workbook.xml");
    let flagged = wbxml.replacen("<workbookPr ", "<workbookPr date1904=\"1\" ", 1);
    assert_ne!(flagged, wbxml);
    set_part(&mut parts, "xl/workbook.xml", flagged);
    let p = dir.join("苹果电脑.xlsx");
    write_parts(&p, &parts);
    p
}

#[test]
fn a_workbook_on_the_1904_date_system_reads_the_dates_it_shows() {
    let d = tmp();
    let p = sample_in_1904(d.path());
    let mac = jixiao::read::read_workbook(&p).unwrap();
    let pc = jixiao::read::read_workbook(SAMPLE).unwrap();
    let dates = |o: &jixiao::read::ReadOutcome| -> Vec<String> {
        o.declaration
            .projects
            .iter()
            .map(|p| format!("{:?}–{:?}", p.header.start, p.header.end))
            .collect()
    };
    assert_eq!(dates(&mac), dates(&pc));
    assert_eq!(
        dates(&pc)[0],
        "Some(Date { year: 2024, month: 1, day: 1 })–Some(Date { year: 2024, month: 12, day: 31 })"
    );
    assert_eq!(mac.declaration, pc.declaration);
    // Exactly the sample's findings (no D005 for dates four years early).
    let o = check(&p);
    let want = check(Path::new(SAMPLE));
    assert_eq!(o.code, want.code);
    assert_eq!(o.out.replace(p.to_str().unwrap(), SAMPLE), want.out);
    assert!(!o.out.contains("D005"), "{}", o.out);
}

#[test]
fn an_xls_on_the_1904_date_system_counts_from_1904() {
    // The fixture's DATEMODE record set to 1904 with its serials left as they are: each
    // date is then 1462 days (four years and a day) later than the fixture's.
    let bytes = std::fs::read(XLS).unwrap();
    let mut stream = xls_stream(&bytes);
    let (at, _, range) = biff_records(&stream)
        .into_iter()
        .find(|(_, t, _)| *t == 0x0022)
        .expect("a DATEMODE record");
    assert_eq!(&stream[range.clone()], &[0, 0], "record at {at}");
    stream[range.start] = 1;
    let d = tmp();
    let p = d.path().join("1904.xls");
    std::fs::write(&p, with_xls_stream(&bytes, &stream)).unwrap();
    let read = jixiao::read::read_workbook(&p).unwrap();
    let h = &read.declaration.projects[0].header;
    assert_eq!(
        (h.start.unwrap().to_string(), h.end.unwrap().to_string()),
        ("2028-01-02".to_string(), "2029-01-01".to_string())
    );
}

// ---- Item 4: what the sheet shows is what is read --------------------------------------

/// The sample with project 1's sheet edited by `edit`.
fn sample_with_p1(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    sample_edited(dir, name, P1, edit)
}

fn past_grid_msg(p: &Path, r: &str) -> String {
    format!(
        "{} 工作表「{P1_NAME}」无法读取：单元格引用「{r}」超出 Excel 工作表的范围（最大为 XFD1048576），文件已损坏或被篡改，不能可靠地读取",
        p.display()
    )
}

#[test]
fn a_cell_reference_that_wraps_onto_a_real_cell_is_refused() {
    let d = tmp();
    // D4294967333 is D37 in 32-bit arithmetic; MWLQKWX34 a column near A.
    for (k, cell) in [
        r#"<c r="D4294967333"><v>99999999</v></c>"#,
        r#"<c r="MWLQKWX34" t="inlineStr"><is><t>假单位</t></is></c>"#,
        r#"<c r="XFE1"><v>1</v></c>"#,
        r#"<c r="A1048577"><v>1</v></c>"#,
    ]
    .iter()
    .enumerate()
    {
        let r = &cell[6..cell[6..].find('"').unwrap() + 6];
        let p = sample_with_p1(d.path(), &format!("越界{k}.xlsx"), |x| {
            x.replacen(
                "</row></sheetData>",
                &format!("{cell}</row></sheetData>"),
                1,
            )
        });
        assert_unreadable(&p, &past_grid_msg(&p, r));
    }
}

#[test]
fn a_row_or_merged_range_past_the_grid_is_refused() {
    let d = tmp();
    let p = sample_with_p1(d.path(), "行越界.xlsx", |x| {
        x.replacen(
            "</sheetData>",
            r#"<row r="4294967297"><c r="A4294967297"><v>1</v></c></row></sheetData>"#,
            1,
        )
    });
    assert_unreadable(&p, &past_grid_msg(&p, "4294967297"));
    let p = sample_with_p1(d.path(), "合并越界.xlsx", |x| {
        x.replacen(
            r#"<mergeCell ref="A1:H1"/>"#,
            r#"<mergeCell ref="A1:H4294967297"/>"#,
            1,
        )
    });
    assert_unreadable(&p, &past_grid_msg(&p, "A1:H4294967297"));
}

// ---- Item 14: one language per message ---------------------------------------------------

/// Whether a message has English words in it, once the path it names is taken out.
fn has_english(msg: &str, path: &Path) -> bool {
    let rest = msg.replace(path.to_str().unwrap(), "");
    rest.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w.len() >= 3 && !["ODS", "OLE", "XML", "Excel", "zip", "xls", "xlsx"].contains(&w))
}

#[test]
fn damaged_files_are_explained_in_chinese_only() {
    let d = tmp();
    let xlsx = std::fs::read(SAMPLE).unwrap();
    let xls = std::fs::read(XLS).unwrap();
    let ods = std::fs::read(ODS).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "未下载完.xlsx",
            xlsx[..xlsx.len() / 2].to_vec(),
            "文件不完整或已损坏（可能没有下载完整），请重新获取原文件（找不到压缩包末尾的目录记录，文件末尾缺失）",
        ),
        ("未下载完.xls", xls[..xls.len() / 3].to_vec(), ".xls 文件已损坏或不完整（可能没有下载完整）（"),
        ("未下载完.ods", ods[..ods.len() / 2].to_vec(), "文件不完整或已损坏"),
    ];
    for (name, bytes, want) in cases {
        let p = d.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let o = check(&p);
        assert_eq!(o.code, Some(2), "{o:?}");
        let msg = o.err.trim_end();
        assert!(
            msg.starts_with(&format!("无法读取：无法打开 {}：{want}", p.display())),
            "{msg}"
        );
        assert!(!has_english(msg, &p), "English left in: {msg}");
    }
}
