//! Every workbook jixiao writes prints well: asserted on the written XML (page set-up,
//! footers, repeated header rows, row heights, number formats). How the pages look was
//! checked by rendering them (scripts/render-outputs.sh, which needs LibreOffice).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use jixiao::model::{FieldPath, FundField, ProjectField};

const SAMPLE: &str = "samples/songjiang-kcb-2024.xlsx";
const FOOTER: &str = "<oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter>";

/// The parts of an xlsx as text, by name.
fn parts(path: &Path) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            (f.name().unwrap().to_string(), s)
        })
        .collect()
}

/// Sheet names in workbook order with their part, and whether each is hidden.
fn sheets(p: &BTreeMap<String, String>) -> Vec<(String, String, bool)> {
    let wb = &p["xl/workbook.xml"];
    wb.split("<sheet ")
        .skip(1)
        .enumerate()
        .map(|(i, s)| {
            let name = s
                .split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let part = format!("xl/worksheets/sheet{}.xml", i + 1);
            (name.to_string(), part, s.contains("state=\"hidden\""))
        })
        .collect()
}

/// The `<row r="N" …>` tag of a sheet.
fn row_tag(xml: &str, row: u32) -> &str {
    let start = xml
        .find(&format!("<row r=\"{row}\""))
        .unwrap_or_else(|| panic!("no row {row}"));
    &xml[start..start + xml[start..].find('>').unwrap()]
}

fn row_height(xml: &str, row: u32) -> f64 {
    let tag = row_tag(xml, row);
    assert!(tag.contains("customHeight=\"1\""), "{tag}");
    tag.split("ht=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The `<xf …>` (style) of cell `r` of a sheet part.
fn cell_xf<'a>(p: &'a BTreeMap<String, String>, part: &str, r: &str) -> &'a str {
    let xml = &p[part];
    let at = xml
        .find(&format!("<c r=\"{r}\""))
        .unwrap_or_else(|| panic!("no cell {r}"));
    let tag = &xml[at..at + xml[at..].find('>').unwrap()];
    let style: usize = tag
        .split("s=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let styles = &p["xl/styles.xml"];
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let xf = xfs.split("<xf ").nth(style + 1).unwrap();
    &xf[..xf.find("</xf>").or_else(|| xf.find("/>")).unwrap()]
}

/// Whether the sheet prints on A4 in `orientation`, fitted to the page width, with page
/// numbers in the footer.
fn assert_prints(name: &str, xml: &str, orientation: &str) {
    assert!(
        xml.contains(&format!(
            "<pageSetup paperSize=\"9\" fitToHeight=\"0\" orientation=\"{orientation}\""
        )),
        "{name}: {}",
        &xml[xml.find("<pageSetup").unwrap_or(0)..]
    );
    assert!(xml.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{name}");
    assert!(xml.contains(FOOTER), "{name}: no page numbers");
    assert!(xml.contains("<pageMargins "), "{name}: no margins");
}

/// Whether sheet `i` (named `name`) repeats its first row at the top of each page.
fn repeats_header(workbook_xml: &str, i: usize, name: &str) -> bool {
    [format!("'{name}'"), name.to_string()].iter().any(|n| {
        workbook_xml.contains(&format!(
            "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">{n}!$1:$1</definedName>"
        ))
    })
}

fn jixiao(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn template_sheets_print_on_a4_with_page_numbers_and_labels_whole() {
    let p = parts(Path::new("templates/jixiao-template.xlsx"));
    let sheets = sheets(&p);
    // 单位汇总, three projects, the hidden list sheet.
    assert_eq!(sheets.len(), 5);
    for (name, part, hidden) in &sheets {
        if *hidden {
            continue;
        }
        assert_prints(name, &p[part], "portrait");
    }
    // Labels too wide for their cell break before the unit, not inside a word; the
    // reader ignores the line break.
    let strings = &p["xl/sharedStrings.xml"];
    assert!(strings.contains("<t>项目资金\n（元）</t>"), "{strings}");
    assert!(
        strings.contains("<t>项目预算资金合计\n（万元）</t>"),
        "{strings}"
    );
    assert!(strings.contains("<t>计划开始日期</t>"));
    // Column A holds a six-character label (计划开始日期, 项目绩效目标) in 宋体.
    let form = &p["xl/worksheets/sheet2.xml"];
    assert!(
        form.contains("<col min=\"1\" max=\"1\" width=\"14.7109375\""),
        "{}",
        &form[form.find("<cols>").unwrap()..form.find("</cols>").unwrap()]
    );
    let d = jixiao::read::read_workbook(Path::new("templates/jixiao-template.xlsx")).unwrap();
    assert_eq!(d.declaration.projects.len(), 3);
    // The cover's links to the project sheets shrink to fit their column (a linked cell
    // does not wrap in LibreOffice): F10 links to 项目1.
    assert!(p["xl/worksheets/sheet1.xml"].contains("<hyperlink ref=\"F10\""));
    let xf = cell_xf(&p, "xl/worksheets/sheet1.xml", "F10");
    assert!(xf.contains("shrinkToFit=\"1\""), "{xf}");
    assert!(!xf.contains("wrapText"), "{xf}");
}

#[test]
fn blank_totals_print_blank_and_keep_their_formulas() {
    let p = parts(Path::new("templates/jixiao-template.xlsx"));
    let styles = &p["xl/styles.xml"];
    // Zero prints as nothing in the format of derived money figures.
    let id = styles
        .split("<numFmt ")
        .find(|f| f.contains("formatCode=\"#,##0.00;-#,##0.00;\""))
        .expect("no blank-zero money format")
        .split("numFmtId=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    // The budget table's 合计 of a blank project: a SUM with its cached 0, in a style
    // using that format.
    let form = &p["xl/worksheets/sheet2.xml"];
    let at = form.find("<f>SUM(E").expect("no budget total");
    let cell = &form[form[..at].rfind("<c ").unwrap()..at + form[at..].find("</c>").unwrap()];
    assert!(cell.contains("<v>0</v>"), "{cell}");
    let style: usize = cell
        .split("s=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let xf = xfs.split("<xf ").nth(style + 1).unwrap();
    assert!(xf.contains(&format!("numFmtId=\"{id}\"")), "{xf}");
}

#[test]
fn the_built_sample_prints_every_sheet_with_page_numbers() {
    let p = parts(Path::new(SAMPLE));
    let sheets = sheets(&p);
    assert_eq!(sheets.len(), 1 + 10 + 1);
    for (name, part, hidden) in &sheets {
        if !hidden {
            assert_prints(name, &p[part], "portrait");
        }
    }
}

/// The sample with project 1's 项目资金总额 wrong (fiscal 1,000,000.00 + other 0), so
/// that `fix` changes a cell.
fn sample_with_wrong_total(dir: &Path) -> PathBuf {
    let json = std::fs::read_to_string("samples/songjiang-kcb-2024.json").unwrap();
    let mut d: jixiao::model::Declaration = serde_json::from_str(&json).unwrap();
    d.projects[0].funds.total = Some(jixiao::model::Money::from_cents(123_400));
    let path = dir.join("wrong.xlsx");
    jixiao::write::write_workbook(&d, &path, &Default::default()).unwrap();
    path
}

#[test]
fn the_report_sheet_is_legible_landscape_with_its_header_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample_with_wrong_total(dir.path());
    let out = dir.path().join("fixed.xlsx");
    let report = jixiao::fix::fix_file(&input, &out, false).unwrap();
    assert_eq!(report.changes.len(), 1);
    let p = parts(&out);
    let sheets = sheets(&p);
    let (i, (_, part, _)) = sheets
        .iter()
        .enumerate()
        .find(|(_, (n, _, _))| n == "校验结果")
        .unwrap();
    let xml = &p[part];
    assert_prints("校验结果", xml, "landscape");
    // The header row repeats on every page.
    assert!(
        repeats_header(&p["xl/workbook.xml"], i, "校验结果"),
        "{}",
        p["xl/workbook.xml"]
    );
    // Row 2 is the change (1,234.00 → 1,000,000.00), row 3 the seed's B001 with its
    // long 说明: each row as high as its wrapped text, the long one higher.
    let short = row_height(xml, 2);
    let long = row_height(xml, 3);
    assert!(short >= 21.0, "{short}");
    assert!(long > short, "{long} vs {short}");
    assert!(
        long >= 3.0 * 17.0,
        "B001's 说明 wraps over three lines at least: {long}"
    );
    // 应为/实为 of B001 are numbers (1000000 and 740800) shown as #,##0.00, not text.
    let row3 = &xml[xml.find("<row r=\"3\"").unwrap()..xml.find("<row r=\"4\"").unwrap()];
    assert!(row3.contains("<c r=\"G3\" s=\""), "{row3}");
    assert!(row3.contains("<v>1000000</v>"), "{row3}");
    assert!(row3.contains("<v>740800</v>"), "{row3}");
    let g3 = &row3[row3.find("<c r=\"G3\"").unwrap()..];
    assert!(!g3[..g3.find("</c>").unwrap()].contains("t=\"s\""), "{g3}");
    // The year of I009 stays text: a year is not an amount.
    let strings = &p["xl/sharedStrings.xml"];
    assert!(strings.contains("<t>2024</t>"), "{strings}");
}

#[test]
fn fix_clean_writes_no_fills_and_no_notes_but_the_corrected_values() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample_with_wrong_total(dir.path());
    let marked = dir.path().join("marked.xlsx");
    let clean = dir.path().join("clean.xlsx");
    let (code, err) = jixiao(&["fix", s(&input), "-o", s(&marked)]);
    assert_eq!(code, 1, "{err}");
    let (code, err) = jixiao(&["fix", s(&input), "-o", s(&clean), "--clean"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("更正 1 处"), "{err}");

    // Without --clean: a note (comments part, VML drawing) and the mark fill.
    let m = parts(&marked);
    assert!(
        m.keys().any(|k| k.starts_with("xl/comments")),
        "{:?}",
        m.keys()
    );
    assert!(m["xl/styles.xml"].contains("FFFFEB9C"));
    // With it: neither.
    let c = parts(&clean);
    assert!(
        !c.keys()
            .any(|k| k.starts_with("xl/comments") || k.contains("vmlDrawing")),
        "{:?}",
        c.keys()
    );
    assert!(
        !c["xl/styles.xml"].contains("FFFFEB9C"),
        "{}",
        c["xl/styles.xml"]
    );
    assert!(!c["[Content_Types].xml"].contains("comments"));

    // The corrected figure is there, and the 校验结果 sheet keeps the record.
    let read = jixiao::read::read_workbook(&clean).unwrap();
    assert_eq!(
        read.declaration.projects[0].funds.total,
        Some(jixiao::model::Money::from_cents(100_000_000))
    );
    let at = read
        .sources
        .cell(&FieldPath::project(0, ProjectField::Fund(FundField::Total)))
        .unwrap()
        .a1();
    use calamine::{open_workbook_auto, Data, Reader};
    let mut wb = open_workbook_auto(&clean).unwrap();
    let rows = wb.worksheet_range("校验结果").unwrap();
    let change = rows.rows().nth(1).unwrap();
    assert_eq!(change[1], Data::String("已更正".into()));
    assert_eq!(change[3], Data::String(format!("1.G60日常办公经费!{at}")));
    assert_eq!(change[6], Data::Float(1_000_000.0));
    assert_eq!(change[7], Data::Float(1_234.0));
}

#[test]
fn every_sheet_of_the_summary_workbook_prints_fitted_with_its_header_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("区");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(SAMPLE, folder.join("松江区科创办.xlsx")).unwrap();
    std::fs::write(folder.join("坏.xlsx"), "not a workbook").unwrap();
    let csv = dir.path().join("汇总.csv");
    let xlsx = dir.path().join("汇总.xlsx");
    let (code, err) = jixiao(&["rollup", s(&folder), "-o", s(&csv), "--xlsx", s(&xlsx)]);
    assert_eq!(code, 2, "{err}");
    let p = parts(&xlsx);
    let sheets = sheets(&p);
    let names: Vec<&str> = sheets.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "概览",
            "按单位",
            "按主管部门",
            "按项目类别",
            "按项目性质",
            "无法读取的文件",
            "问题清单",
            "已豁免"
        ]
    );
    let wb = &p["xl/workbook.xml"];
    for (i, (name, part, _)) in sheets.iter().enumerate() {
        let orientation = if name == "概览" {
            "portrait"
        } else {
            "landscape"
        };
        assert_prints(name, &p[part], orientation);
        assert!(repeats_header(wb, i, name), "{name}: {wb}");
    }
    // 项目资金总额（万元） on the overview is a number shown as #,##0.00, not text.
    let overview = &p["xl/worksheets/sheet1.xml"];
    let b18 = &overview[overview.find("<c r=\"B18\"").unwrap()..];
    assert!(b18.starts_with("<c r=\"B18\" s=\""), "{b18}");
    assert!(
        b18[..b18.find("</c>").unwrap()].ends_with("<v>1743.86</v>"),
        "{b18}"
    );
    let xf = cell_xf(&p, "xl/worksheets/sheet1.xml", "B18");
    let money_id = p["xl/styles.xml"]
        .split("<numFmt ")
        .find(|f| f.contains("formatCode=\"#,##0.00\""))
        .and_then(|f| f.split("numFmtId=\"").nth(1))
        .map(|f| f.split('"').next().unwrap().to_string())
        .unwrap_or_else(|| "4".into()); // built-in #,##0.00
    assert!(xf.contains(&format!("numFmtId=\"{money_id}\"")), "{xf}");
    // The findings' 说明 wraps, and each row is as high as its text: the seed's B001
    // (a long message) is higher than one line.
    let findings = &p["xl/worksheets/sheet7.xml"];
    assert!(row_height(findings, 2) >= 3.0 * 17.0);
    // The reason a file could not be read wraps in its row too.
    let unreadable = &p["xl/worksheets/sheet6.xml"];
    assert!(row_height(unreadable, 2) >= 21.0);
}

#[test]
fn the_users_own_sheets_carried_by_fix_print_with_page_numbers_too() {
    let dir = tempfile::tempdir().unwrap();
    let json = std::fs::read_to_string("samples/songjiang-kcb-2024.json").unwrap();
    let d: jixiao::model::Declaration = serde_json::from_str(&json).unwrap();
    let (mut wb, _) = jixiao::write::build_workbook(&d, &Default::default(), "x").unwrap();
    let mut notes = rust_xlsxwriter::Worksheet::new();
    notes.set_name("测算底稿").unwrap();
    notes.write_string(0, 0, "物业费测算").unwrap();
    wb.push_worksheet(notes);
    let input = dir.path().join("with-notes.xlsx");
    wb.save(&input).unwrap();
    let out = dir.path().join("fixed.xlsx");
    jixiao::fix::fix_file(&input, &out, false).unwrap();
    let p = parts(&out);
    let sheets = sheets(&p);
    let (name, part, _) = sheets.last().unwrap();
    assert_eq!(name, "测算底稿");
    assert!(p[part].contains(FOOTER), "{}", p[part]);
    assert!(
        p[part].contains("<pageSetup paperSize=\"9\""),
        "{}",
        p[part]
    );
    // Every visible sheet of the corrected workbook has page numbers.
    for (name, part, hidden) in &sheets {
        assert!(*hidden || p[part].contains(FOOTER), "{name}");
    }
}
