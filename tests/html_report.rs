//! `check --html REPORT.html`: one self-contained page with the sample's findings, cells,
//! figures and SVG charts; written safely; workbook texts escaped; the same sections the
//! page of `jixiao serve` shows.

use std::path::Path;
use std::process::Command;

const SAMPLE: &str = "samples/songjiang-kcb-2024.xlsx";

fn jixiao(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sample_in(dir: &Path) {
    std::fs::copy(SAMPLE, dir.join("songjiang-kcb-2024.xlsx")).unwrap();
}

#[test]
fn the_sample_s_report_has_its_findings_figures_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    sample_in(dir.path());
    let (code, out, err) = jixiao(
        dir.path(),
        &["check", "songjiang-kcb-2024.xlsx", "--html", "报告.html"],
    );
    assert_eq!(code, 1, "{err}");
    // The text report is printed as without --html.
    assert!(
        out.ends_with("共检查 1 个文件、10 个项目：错误 4 条，警告 4 条。\n"),
        "{out}"
    );
    assert!(err.contains("已写出报告：报告.html"), "{err}");
    let html = std::fs::read_to_string(dir.path().join("报告.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Self-contained: style inline, no script, nothing loaded from elsewhere.
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src="));
    assert!(html.contains("@media print") && html.contains("@page { size: A4;"));
    assert!(html.contains("项目资金合计：1,743.86万元"));
    // Each of the four errors with its cell, and the first one's figures as the form shows them.
    let error_rows: Vec<&str> = html
        .lines()
        .filter(|l| l.starts_with("<tr class=\"bad\">"))
        .collect();
    assert_eq!(error_rows.len(), 4);
    let cells: Vec<&str> = error_rows
        .iter()
        .map(|r| {
            let start = r.find("<td class=\"cell\">").unwrap() + 17;
            &r[start..start + r[start..].find("</td>").unwrap()]
        })
        .collect();
    assert_eq!(
        cells,
        [
            "1.G60日常办公经费!E15:E27",
            "6.展示馆物业管理、能源费、水电费!E15:E16",
            "6.展示馆物业管理、能源费、水电费!E15",
            "6.展示馆物业管理、能源费、水电费!E16",
        ]
    );
    assert!(error_rows[0]
        .ends_with("<td class=\"num\">1,000,000.00</td><td class=\"num\">740,800.00</td></tr>"));
    // Grouped by project, with the project's name.
    assert!(html.contains("<h3>项目 6「展示馆物业管理、能源费、水电费」</h3>"));
    // Three charts: funds by project (10 bars), by category, findings by rule.
    assert_eq!(html.matches("<svg ").count(), 3);
    assert!(html.contains("<figcaption>资金（按项目，万元）</figcaption>"));
    assert!(html.contains("<title>8. 重大活动经费 800.00</title>"));
    assert!(html.contains("<title>其他运转类 1,743.86</title>"));
    assert!(html.contains("<title>B002 2</title>"));
    // The largest project's bar is the full width; 100万元 is an eighth of it.
    assert!(html.contains("width=\"600.0\" height=\"14\" class=\"fund\""));
    assert!(html.contains("width=\"75.0\" height=\"14\" class=\"fund\""));
}

#[test]
fn english_on_request() {
    let dir = tempfile::tempdir().unwrap();
    sample_in(dir.path());
    let (code, _, _) = jixiao(
        dir.path(),
        &[
            "check",
            "songjiang-kcb-2024.xlsx",
            "--lang",
            "en",
            "--html",
            "r.html",
        ],
    );
    assert_eq!(code, 1);
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<figcaption>Funds by project (10k yuan)</figcaption>"));
    assert!(html.contains("<h3>Project 1 “G60日常办公经费”</h3>"));
}

#[test]
fn never_over_an_input_or_an_existing_report_without_force() {
    let dir = tempfile::tempdir().unwrap();
    sample_in(dir.path());
    std::fs::write(dir.path().join("r.html"), "old").unwrap();
    let (code, _, err) = jixiao(
        dir.path(),
        &["check", "songjiang-kcb-2024.xlsx", "--html", "r.html"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("输出文件 r.html 已存在：如需替换请加 --force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("r.html")).unwrap(),
        "old"
    );
    let (code, _, _) = jixiao(
        dir.path(),
        &[
            "check",
            "songjiang-kcb-2024.xlsx",
            "--html",
            "r.html",
            "--force",
        ],
    );
    assert_eq!(code, 1);
    assert!(std::fs::read_to_string(dir.path().join("r.html"))
        .unwrap()
        .contains("1,743.86万元"));
    let (code, _, err) = jixiao(
        dir.path(),
        &[
            "check",
            "songjiang-kcb-2024.xlsx",
            "--html",
            "songjiang-kcb-2024.xlsx",
            "--force",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("与输入文件相同"), "{err}");
    // Nothing left beside the outputs.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["r.html", "songjiang-kcb-2024.xlsx"]);
}

#[test]
fn texts_from_a_hostile_workbook_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let mut decl = jixiao::read::read_workbook(SAMPLE).unwrap().declaration;
    decl.unit = Some("\"><img src=x onerror=alert(1)>".into());
    decl.projects[0].header.name = Some("<script>alert('x')</script>".into());
    decl.projects[1].header.category = Some("</svg><script>".into());
    let path = dir.path().join("hostile.xlsx");
    jixiao::write::write_workbook(&decl, &path, &jixiao::write::WriteOptions::default()).unwrap();
    let (code, _, err) = jixiao(dir.path(), &["check", "hostile.xlsx", "--html", "r.html"]);
    assert!(code == 0 || code == 1, "{err}");
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(!html.contains("<script") && !html.contains("<img"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&lt;/svg&gt;&lt;script&gt;"));
}

#[test]
fn an_unreadable_file_has_its_section_and_the_others_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    sample_in(dir.path());
    std::fs::write(dir.path().join("notes.txt"), "<b>not a workbook</b>").unwrap();
    let (code, _, _) = jixiao(
        dir.path(),
        &[
            "check",
            "notes.txt",
            "songjiang-kcb-2024.xlsx",
            "--html",
            "r.html",
        ],
    );
    assert_eq!(code, 2);
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains(
        "<p class=\"reason\">无法打开 notes.txt：这是一个网页或 XML 文本文件，不是 Excel 工作簿（可在 Excel 中另存为 .xlsx）</p>"
    ));
    assert!(html.contains("<dt>无法读取</dt><dd>1</dd>"));
    assert!(html.contains("项目资金合计：1,743.86万元"));
}

#[test]
fn the_report_shows_the_sections_the_serve_page_shows() {
    let dir = tempfile::tempdir().unwrap();
    sample_in(dir.path());
    let (code, _, _) = jixiao(
        dir.path(),
        &["check", "songjiang-kcb-2024.xlsx", "--html", "r.html"],
    );
    assert_eq!(code, 1);
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    let page = jixiao::serve::check(vec![jixiao::serve::Upload {
        name: "songjiang-kcb-2024.xlsx".into(),
        bytes: std::fs::read(SAMPLE).unwrap(),
    }]);
    let sections = page.html_sections(jixiao::validate::report::Lang::Zh);
    assert!(sections.contains("<section class=\"file\">"));
    assert!(html.contains(&sections));
}

#[test]
fn waived_findings_have_their_own_section_out_of_counts_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    sample_in(dir.path());
    std::fs::write(
        dir.path().join("豁免.csv"),
        "工作表,单元格,代码,理由\n\
         6.展示馆物业管理、能源费、水电费,E15,B002,物业合同已续签\n\
         7.展示馆运维费,G37,I013,已与主管部门确认\n",
    )
    .unwrap();
    let (code, _, err) = jixiao(
        dir.path(),
        &[
            "check",
            "songjiang-kcb-2024.xlsx",
            "--waive",
            "豁免.csv",
            "--html",
            "r.html",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    // Totals and the file's facts count them apart.
    assert!(html.contains("<dt>错误</dt><dd>3</dd>"), "{html}");
    assert!(html.contains("<dt>警告</dt><dd>3</dd>"), "{html}");
    assert!(html.contains("<dt>已豁免</dt><dd>2</dd>"), "{html}");
    assert!(html.contains("错误：3　警告：3　·　已豁免：2"), "{html}");
    // Three open errors in the lists; B002 counted once in the chart, I013 not at all.
    let open_errors = html
        .lines()
        .filter(|l| l.starts_with("<tr class=\"bad\">"))
        .count();
    assert_eq!(open_errors, 3);
    assert!(html.contains("<title>B002 1</title>"));
    assert!(!html.contains("<title>I013 "));
    // Project 6 has one error left in the project table's counts (was 3 with E15).
    assert!(html.contains("<td class=\"num bad\">2</td>"), "{html}");
    // The waived section, after the open findings, with reasons.
    let at = html
        .find("<section class=\"waived\">")
        .expect("waived section");
    let waived = &html[at..at + html[at..].find("</section>").unwrap()];
    assert!(waived.contains("<h3>已豁免（2 条，未计入错误与警告）</h3>"));
    assert!(waived.contains(
        "<td class=\"code\">B002</td><td class=\"cell\">6.展示馆物业管理、能源费、水电费!E15</td>"
    ));
    assert!(waived.contains("<td class=\"reason\">物业合同已续签</td>"));
    assert!(waived.contains("<td class=\"reason\">已与主管部门确认</td>"));
    assert!(waived.contains("项目 7「展示馆运维费」"));
    assert_eq!(waived.matches("<tr><td").count(), 2);
}
