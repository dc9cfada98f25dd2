//! `jixiao serve`'s HTTP API, in-process on 127.0.0.1 port 0, posting multipart bodies as a
//! browser or curl would: the answers are compared with what the CLI gives for the same files.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

const SAMPLE: &str = "samples/songjiang-kcb-2024.xlsx";
const SAMPLE_NAME: &str = "songjiang-kcb-2024.xlsx";

/// One server for the whole test binary, answering until the process ends.
fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let server = jixiao::serve::http::Server::bind(0).unwrap();
        let addr = server.addr();
        assert!(addr.ip().is_loopback());
        assert_ne!(addr.port(), 0);
        std::thread::spawn(move || server.run(2));
        addr
    })
}

struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// A raw HTTP/1.0 exchange (no keep-alive, no chunked answers): `head` without its final
/// blank line, then `body`.
fn exchange(head: &str, body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(server()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(b"\r\n").unwrap();
    // The server may answer (a refusal) before the whole body is sent.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer: {:?}", String::from_utf8_lossy(&raw)));
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn get(path: &str) -> Reply {
    let port = server().port();
    exchange(
        &format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n"),
        b"",
    )
}

const BOUNDARY: &str = "----jixiaoTestBoundary7MA4YWxk";

fn form(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, data) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn post_body(path: &str, content_type: &str, body: &[u8]) -> Reply {
    let port = server().port();
    exchange(
        &format!(
            "POST {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        ),
        body,
    )
}

fn post(path: &str, files: &[(&str, &[u8])]) -> Reply {
    post_body(
        path,
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        &form(files),
    )
}

/// `jixiao ARGS` run in `dir`: exit code, stdout, stderr.
fn cli(dir: &Path, args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A zip's entry names in the order written.
fn entry_names(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>) -> Vec<String> {
    (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect()
}

fn sample() -> Vec<u8> {
    std::fs::read(SAMPLE).unwrap()
}

#[test]
fn check_answers_the_same_json_as_the_cli() {
    let reply = post("/api/check", &[(SAMPLE_NAME, &sample())]);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("Content-Type").as_deref(),
        Some("application/json; charset=utf-8")
    );
    let (code, stdout, _) = cli(
        Path::new("samples"),
        &["check", "--format", "json", SAMPLE_NAME],
    );
    assert_eq!(code, 1);
    assert_eq!(reply.text(), String::from_utf8(stdout).unwrap());
    let v = reply.json();
    assert_eq!(v["summary"]["projects"], 10);
    assert_eq!(v["summary"]["errors"], 4);
    assert_eq!(v["summary"]["warnings"], 4);
    let b002: Vec<&str> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "B002")
        .map(|f| f["location"]["cell"].as_str().unwrap())
        .collect();
    assert_eq!(b002, ["E15", "E16"]);
    assert_eq!(v["unreadable"], serde_json::json!([]));
}

#[test]
fn check_of_several_files_and_a_text_file_lists_it_as_the_cli_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a workbook\n").unwrap();
    std::fs::copy(SAMPLE, dir.path().join("a.xlsx")).unwrap();
    let reply = post(
        "/api/check",
        &[("a.xlsx", &sample()), ("notes.txt", b"not a workbook\n")],
    );
    assert_eq!(reply.status, 422);
    let (code, stdout, stderr) = cli(
        dir.path(),
        &["check", "--format", "json", "a.xlsx", "notes.txt"],
    );
    assert_eq!(code, 2);
    assert_eq!(reply.text(), String::from_utf8(stdout).unwrap());
    let reason = reply.json()["unreadable"][0]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        reason,
        "无法打开 notes.txt：这是一个文本文件，不是 Excel 工作簿"
    );
    assert!(stderr.contains(&format!("无法读取：{reason}")), "{stderr}");
}

#[test]
fn fix_answers_a_workbook_that_reads_back_as_the_cli_s() {
    let reply = post("/api/fix", &[(SAMPLE_NAME, &sample())]);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.header("Content-Type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    // songjiang-kcb-2024-更正.xlsx, percent-encoded as RFC 6266 asks.
    assert_eq!(
        reply.header("Content-Disposition").unwrap(),
        "attachment; filename=\"songjiang-kcb-2024-fixed.xlsx\"; filename*=UTF-8''songjiang-kcb-2024-%E6%9B%B4%E6%AD%A3.xlsx"
    );
    let dir = tempfile::tempdir().unwrap();
    let from_api = dir.path().join("api.xlsx");
    std::fs::write(&from_api, &reply.body).unwrap();
    let read = jixiao::read::read_workbook(&from_api).unwrap();
    assert_eq!(read.declaration.projects.len(), 10);
    assert_eq!(
        read.declaration.projects_total().unwrap().wan_string(),
        "1,743.86万元"
    );
    // The same findings as the workbook `jixiao fix` writes.
    let from_cli = dir.path().join("cli.xlsx");
    let (code, _, stderr) = cli(
        Path::new("."),
        &["fix", SAMPLE, "-o", from_cli.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{stderr}");
    let cells = |p: &Path| -> Vec<(String, Option<String>)> {
        jixiao::cli::check_one(p)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| (f.code, f.location.cell))
            .collect()
    };
    assert_eq!(cells(&from_api), cells(&from_cli));
    assert_eq!(
        cells(&from_api).iter().filter(|(c, _)| c == "B002").count(),
        2
    );
}

#[test]
fn fix_of_a_text_file_is_a_4xx_with_the_cli_s_message() {
    let reply = post("/api/fix", &[("notes.txt", b"hello\n")]);
    assert_eq!(reply.status, 422);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello\n").unwrap();
    let (code, _, stderr) = cli(dir.path(), &["fix", "notes.txt", "-o", "out.xlsx"]);
    assert_eq!(code, 2);
    let message = reply.json()["error"].as_str().unwrap().to_string();
    assert_eq!(
        message,
        "无法打开 notes.txt：这是一个文本文件，不是 Excel 工作簿"
    );
    assert_eq!(stderr.trim_end(), format!("错误：{message}"));
}

#[test]
fn fix_of_several_files_answers_a_zip_of_corrected_workbooks() {
    let s = sample();
    let reply = post(
        "/api/fix",
        &[
            ("甲/申报表.xlsx", &s),
            ("乙/申报表.xlsx", &s),
            ("x.txt", b"x"),
        ],
    );
    assert_eq!(reply.status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(reply.body)).unwrap();
    let names = entry_names(&mut zip);
    assert_eq!(
        names,
        ["甲/申报表-更正.xlsx", "乙/申报表-更正.xlsx", "无法更正.txt"]
    );
    let mut why = String::new();
    zip.by_name("无法更正.txt")
        .unwrap()
        .read_to_string(&mut why)
        .unwrap();
    assert_eq!(why, "无法打开 x.txt：这是一个文本文件，不是 Excel 工作簿\n");
    let mut book = Vec::new();
    zip.by_name("乙/申报表-更正.xlsx")
        .unwrap()
        .read_to_end(&mut book)
        .unwrap();
    let read = jixiao::read::read_bytes("乙", book).unwrap();
    assert_eq!(read.declaration.projects.len(), 10);
}

#[test]
fn rollup_answers_a_zip_of_the_cli_s_outputs() {
    let s = sample();
    let reply = post(
        "/api/rollup",
        &[
            ("a/甲.xlsx", &s),
            ("b/乙.xlsx", &s),
            ("notes.txt", b"not a workbook"),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.header("Content-Type").as_deref(),
        Some("application/zip")
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(reply.body)).unwrap();
    let names = entry_names(&mut zip);
    assert_eq!(
        names,
        [
            "项目汇总.csv",
            "指标明细.csv",
            "问题清单.csv",
            "汇总.xlsx",
            "汇总说明.txt"
        ]
    );
    let entry = |zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, n: &str| {
        let mut v = Vec::new();
        zip.by_name(n).unwrap().read_to_end(&mut v).unwrap();
        v
    };

    // The same files, rolled up by the CLI from a folder laid out as the upload.
    let dir = tempfile::tempdir().unwrap();
    for sub in ["a", "b"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    std::fs::copy(SAMPLE, dir.path().join("a/甲.xlsx")).unwrap();
    std::fs::copy(SAMPLE, dir.path().join("b/乙.xlsx")).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a workbook").unwrap();
    let (code, _, stderr) = cli(
        dir.path(),
        &[
            "rollup",
            "a/甲.xlsx",
            "b/乙.xlsx",
            "notes.txt",
            "-o",
            "p.csv",
            "--indicators",
            "i.csv",
            "--findings",
            "f.csv",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    for (ours, theirs) in [
        ("项目汇总.csv", "p.csv"),
        ("指标明细.csv", "i.csv"),
        ("问题清单.csv", "f.csv"),
    ] {
        assert_eq!(
            String::from_utf8(entry(&mut zip, ours)).unwrap(),
            std::fs::read_to_string(dir.path().join(theirs)).unwrap(),
            "{ours}"
        );
    }
    let projects = String::from_utf8(entry(&mut zip, "项目汇总.csv")).unwrap();
    assert_eq!(projects.lines().count(), 21);
    assert!(projects.contains(",b/乙.xlsx"), "{projects}");

    let text = String::from_utf8(entry(&mut zip, "汇总说明.txt")).unwrap();
    assert!(text.contains("无法读取：notes.txt："), "{text}");
    assert!(
        text.contains("项目资金总额合计 34,877,200.00 元（3,487.72万元）"),
        "{text}"
    );
    // The summary workbook names the files as sent, not by the server's temporary folder.
    let book = entry(&mut zip, "汇总.xlsx");
    let dir2 = tempfile::tempdir().unwrap();
    let path = dir2.path().join("汇总.xlsx");
    std::fs::write(&path, &book).unwrap();
    let mut parts = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut xml = String::new();
    for i in 0..parts.len() {
        let mut part = parts.by_index(i).unwrap();
        if part.name().unwrap().ends_with(".xml") {
            part.read_to_string(&mut xml).unwrap();
        }
    }
    assert!(xml.contains("a/甲.xlsx"));
    assert!(!xml.contains("jixiao-serve-"));
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    assert!(wb.sheet_names().len() >= 3, "{:?}", wb.sheet_names());
    assert!(wb.worksheet_range_at(0).unwrap().is_ok());
}

#[test]
fn bad_requests_get_4xx_with_a_message() {
    let port = server().port();
    let r = post_body("/api/check", "application/json", b"{}");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error"],
        "请求应为 multipart/form-data，文件放在字段 file 中"
    );
    let r = post_body(
        "/api/check",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nPK").as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "上传的表单无法解析：表单缺少结束分隔符");
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--{BOUNDARY}--\r\n"
    );
    let r = post_body(
        "/api/fix",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        body.as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error"],
        "没有收到文件：请把申报表放在字段 file 中上传"
    );
    assert_eq!(get("/api/check").status, 405);
    assert_eq!(get("/nothing-here").status, 404);
    // A page of another site reaching 127.0.0.1 through its own host name is refused.
    let r = exchange(
        &format!("GET / HTTP/1.0\r\nHost: evil.example:{port}\r\n"),
        b"",
    );
    assert_eq!(r.status, 403);
    // An empty upload is the reader's message for an empty file.
    let r = post("/api/check", &[("empty.xlsx", b"")]);
    assert_eq!(r.status, 422);
    assert!(r.json()["unreadable"][0]["reason"]
        .as_str()
        .unwrap()
        .starts_with("无法打开 empty.xlsx："));
}

#[test]
fn uploads_are_bounded() {
    let port = server().port();
    // A declared body past the bound is refused before it is read.
    let r = exchange(
        &format!(
            "POST /api/check HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n",
            jixiao::serve::MAX_REQUEST_BYTES + 1
        ),
        b"--x",
    );
    assert_eq!(r.status, 413);
    assert_eq!(
        r.json()["error"],
        "一次上传的内容超过上限 512 MB，请分批上传"
    );
    // Too many files in one request.
    let many: Vec<(String, &[u8])> = (0..=jixiao::serve::MAX_FILES)
        .map(|i| (format!("{i}.xlsx"), &b"x"[..]))
        .collect();
    let files: Vec<(&str, &[u8])> = many.iter().map(|(n, d)| (n.as_str(), *d)).collect();
    let r = post("/api/check", &files);
    assert_eq!(r.status, 413);
    assert_eq!(
        r.json()["error"],
        "一次上传了 2001 个文件，超过上限 2000 个，请分批上传"
    );
    // A file past the reader's limit gets the reader's message.
    let big = vec![b'P'; (jixiao::read::LIMITS.max_file_bytes + 1) as usize];
    let r = post("/api/check", &[("big.xlsx", &big)]);
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["unreadable"][0]["reason"],
        "big.xlsx 超出读取上限：文件大小 64 MB 超过上限 64 MB"
    );
}

#[test]
fn the_page_and_its_assets_come_from_the_binary_only() {
    let page = get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("Content-Type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    assert!(html.contains("<input type=\"file\" id=\"folder\" webkitdirectory"));
    for asset in ["/app.js", "/app.css", "/report.css"] {
        let r = get(asset);
        assert_eq!(r.status, 200, "{asset}");
        assert!(!r.body.is_empty());
    }
    // Nothing is fetched from anywhere else: no address outside the server in the page.
    for text in [html, get("/app.js").text(), get("/app.css").text()] {
        assert!(!text.contains("http://") && !text.contains("https://") && !text.contains("//cdn"));
    }
}

#[test]
fn the_page_s_view_holds_the_report_sections_in_both_languages() {
    let r = post("/api/view", &[(SAMPLE_NAME, &sample())]);
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["report"]["summary"]["errors"], 4);
    let zh = v["html"]["zh"].as_str().unwrap();
    let en = v["html"]["en"].as_str().unwrap();
    assert!(zh.contains("<td class=\"cell\">6.展示馆物业管理、能源费、水电费!E15</td>"));
    assert!(zh.contains("1,743.86万元"));
    assert!(en.contains("Funds by project (10k yuan)"));
}

#[test]
fn the_serve_command_prints_its_address_and_answers_there() {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["serve", "--no-open", "--port", "0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    // Read only the first line; the rest of stderr is left unread (the server must not
    // care whether anyone reads it).
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    err.read_line(&mut line).unwrap();
    drop(err);
    let url = line
        .trim_end()
        .strip_prefix("jixiao 网页已启动：")
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    assert!(addr.ip().is_loopback());
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET / HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut page = String::new();
    let _ = s.read_to_string(&mut page);
    let _ = child.kill();
    let _ = child.wait();
    assert!(page.starts_with("HTTP/1.0 200"), "{page}");
    assert!(page.contains("<title>绩效目标申报表校验 · jixiao</title>"));
}

#[test]
fn a_bare_jixiao_in_a_terminal_prints_the_help_listing_serve() {
    // Windows starts `serve` instead (a double-click); elsewhere the help, as before.
    if cfg!(windows) {
        return;
    }
    let (code, _, stderr) = cli(Path::new("."), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("serve"), "{stderr}");
    assert!(stderr.contains("在本机打开校验网页"), "{stderr}");
}

/// [`form`] with a waiver file in the field `waive`.
fn form_with_waive(files: &[(&str, &[u8])], waive: &[u8]) -> Vec<u8> {
    let mut body = form(files);
    body.truncate(body.len() - format!("--{BOUNDARY}--\r\n").len());
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"waive\"; filename=\"豁免.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(waive);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

#[test]
fn check_with_a_waiver_upload_answers_as_check_waive() {
    let waivers = "工作表,单元格,代码,理由\n\
                   6.展示馆物业管理、能源费、水电费,E15,B002,物业合同已续签\n\
                   项目9,A1,I001,旧条目\n";
    let reply = post_body(
        "/api/check",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        &form_with_waive(&[(SAMPLE_NAME, &sample())], waivers.as_bytes()),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let v = reply.json();
    // One error fewer, listed with its reason; the stale waiver reported.
    assert_eq!(v["summary"]["errors"], 3);
    assert_eq!(v["summary"]["waived"], 1);
    let waived: Vec<&serde_json::Value> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["waived"].is_null())
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["code"], "B002");
    assert_eq!(waived[0]["location"]["cell"], "E15");
    assert_eq!(waived[0]["waived"], "物业合同已续签");
    assert_eq!(v["stale_waivers"][0]["line"], 3);
    // The same document as the CLI's.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(SAMPLE, dir.path().join(SAMPLE_NAME)).unwrap();
    std::fs::write(dir.path().join("豁免.csv"), waivers).unwrap();
    let (code, stdout, _) = cli(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--waive",
            "豁免.csv",
            SAMPLE_NAME,
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(reply.text(), String::from_utf8(stdout).unwrap());
}

#[test]
fn a_bad_waiver_upload_is_a_400_with_the_cli_s_message() {
    let waivers = "工作表,单元格,代码\n7.展示馆运维费,G37,I013\n";
    let reply = post_body(
        "/api/check",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        &form_with_waive(&[(SAMPLE_NAME, &sample())], waivers.as_bytes()),
    );
    assert_eq!(reply.status, 400);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("豁免.csv"), waivers).unwrap();
    let (code, _, err) = cli(dir.path(), &["check", "--waive", "豁免.csv", "x.xlsx"]);
    assert_eq!(code, 2);
    let message = "豁免清单 豁免.csv 第 1 行缺少列「理由」";
    assert!(err.contains(message), "{err}");
    assert!(reply.text().contains(message), "{}", reply.text());
}

#[test]
fn rollup_with_a_waiver_upload_lists_the_waived_finding_apart() {
    use calamine::Reader;
    let waivers = "文件,工作表,单元格,代码,理由\n\
                   *甲.xlsx,7.展示馆运维费,G37,I013,已与主管部门确认\n";
    let reply = post_body(
        "/api/rollup",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        &form_with_waive(
            &[("a/甲.xlsx", &sample()), ("b/乙.xlsx", &sample())],
            waivers.as_bytes(),
        ),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(reply.body.clone())).unwrap();
    let mut book = Vec::new();
    zip.by_name("汇总.xlsx")
        .unwrap()
        .read_to_end(&mut book)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("汇总.xlsx");
    std::fs::write(&path, &book).unwrap();
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    let rows = |wb: &mut calamine::Sheets<_>, name: &str| -> Vec<Vec<String>> {
        wb.worksheet_range(name)
            .unwrap()
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    // 甲's I013 is waived; 乙's is still open.
    let waived = rows(&mut wb, "已豁免");
    assert_eq!(waived.len(), 2, "{waived:?}");
    assert_eq!(waived[1][1], "a/甲.xlsx");
    assert_eq!(waived[1][6], "I013");
    assert_eq!(waived[1][9], "已与主管部门确认");
    let open = rows(&mut wb, "问题清单");
    let i013: Vec<&String> = open
        .iter()
        .filter(|r| r[6] == "I013")
        .map(|r| &r[1])
        .collect();
    assert_eq!(i013, ["b/乙.xlsx"]);
}
