//! The HTTP side of `jixiao serve`: the page's assets (embedded in the binary, nothing
//! fetched from elsewhere) and the API, on 127.0.0.1 only. A bad upload gets a 4xx with
//! the CLI's message; a panic in a handler answers 500 and the server goes on.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::json;
use tiny_http::{Header, Method, Request, Response};

use super::{multipart, Upload, UploadError, MAX_FILES, MAX_REQUEST_BYTES};
use crate::validate::report::Lang;
use crate::Error;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// A bound server, not yet answering.
pub struct Server {
    inner: Arc<tiny_http::Server>,
    addr: SocketAddr,
}

impl Server {
    /// Binds 127.0.0.1 on `port` (0: a free port chosen by the system).
    pub fn bind(port: u16) -> Result<Server, Error> {
        let inner = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| Error::Output {
            file: format!("127.0.0.1:{port}"),
            reason: format!("无法在本机端口上启动网页服务（{e}）"),
        })?;
        let addr = inner.server_addr().to_ip().ok_or_else(|| Error::Output {
            file: format!("127.0.0.1:{port}"),
            reason: "网页服务没有得到本机地址".into(),
        })?;
        Ok(Server {
            inner: Arc::new(inner),
            addr,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Answers requests on `workers` threads until the process ends.
    pub fn run(self, workers: usize) {
        let threads: Vec<_> = (0..workers.max(1))
            .map(|_| {
                let server = Arc::clone(&self.inner);
                let addr = self.addr;
                std::thread::spawn(move || loop {
                    match server.recv() {
                        Ok(req) => answer(req, addr),
                        Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
                    }
                })
            })
            .collect();
        for t in threads {
            let _ = t.join();
        }
    }
}

type Reply = Response<std::io::Cursor<Vec<u8>>>;

fn header(name: &str, value: &str) -> Header {
    // Names and values here are ASCII written by this file: always valid.
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|_| Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).expect("ASCII header"))
}

fn reply(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
    Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
}

fn error_reply(status: u16, message: &str) -> Reply {
    reply(
        status,
        "application/json; charset=utf-8",
        json!({ "error": message }).to_string().into_bytes(),
    )
}

/// A download: the bytes, and a name given both plainly (ASCII, for clients such as
/// `curl -J` that do not read the UTF-8 form) and as UTF-8 (RFC 6266).
fn download(content_type: &str, name: &str, fallback: &str, body: Vec<u8>) -> Reply {
    let plain = name.replace("更正", "fixed");
    let fallback = if plain
        .chars()
        .all(|c| (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\')
    {
        plain.as_str()
    } else {
        fallback
    };
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    reply(200, content_type, body).with_header(header(
        "Content-Disposition",
        &format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"),
    ))
}

fn answer(req: Request, addr: SocketAddr) {
    answer_with(req, addr, route)
}

/// Answers `req` with `handler`, a panic in it answered 500 instead of ending the thread.
fn answer_with(mut req: Request, addr: SocketAddr, handler: fn(&mut Request, SocketAddr) -> Reply) {
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&mut req, addr)));
    let response = caught.unwrap_or_else(|_| {
        error_reply(
            500,
            "jixiao 处理该请求时发生内部错误，请将所用文件反馈给维护者；服务仍在运行",
        )
    });
    // The browser may have gone away; nothing to do about it.
    let _ = req.respond(response);
}

fn route(req: &mut Request, addr: SocketAddr) -> Reply {
    // Only pages this server gave may call it: a foreign host name is a DNS-rebinding
    // attempt from some web site, refused.
    let host = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string());
    let port = addr.port();
    let allowed = [format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    if let Some(h) = &host {
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(h)) {
            return error_reply(403, "只接受本机地址 127.0.0.1 的请求");
        }
    }
    let path = req.url().split('?').next().unwrap_or("").to_string();
    match (req.method(), path.as_str()) {
        (Method::Get, "/") | (Method::Get, "/index.html") => {
            reply(200, "text/html; charset=utf-8", INDEX_HTML.into())
        }
        (Method::Get, "/app.js") => reply(200, "text/javascript; charset=utf-8", APP_JS.into()),
        (Method::Get, "/app.css") => reply(200, "text/css; charset=utf-8", APP_CSS.into()),
        (Method::Get, "/report.css") => reply(
            200,
            "text/css; charset=utf-8",
            crate::report_html::STYLE.into(),
        ),
        (Method::Post, "/api/check" | "/api/view" | "/api/fix" | "/api/rollup") => {
            let (uploads, waivers) = match uploads(req) {
                Ok(u) => u,
                Err(r) => return r,
            };
            match path.as_str() {
                "/api/check" => api_check(uploads, waivers.as_deref()),
                "/api/view" => api_view(uploads, waivers.as_deref()),
                "/api/fix" => api_fix(uploads, waivers.as_deref().unwrap_or_default()),
                _ => api_rollup(uploads, waivers.as_deref().unwrap_or_default()),
            }
        }
        (_, "/" | "/index.html" | "/app.js" | "/app.css" | "/report.css") => {
            error_reply(405, "此地址只接受 GET 请求")
        }
        (_, "/api/check" | "/api/view" | "/api/fix" | "/api/rollup") => error_reply(
            405,
            "此地址只接受 POST 请求（multipart/form-data，字段 file）",
        ),
        _ => error_reply(404, "没有这个地址"),
    }
}

/// The files of a `multipart/form-data` body's `file` fields, within the limits, and the
/// waiver file of its optional `waive` field (a bad one: 400 with the CLI's message).
type Uploads = (Vec<Upload>, Option<Vec<crate::waiver::Waiver>>);
fn uploads(req: &mut Request) -> Result<Uploads, Reply> {
    let too_big = || {
        error_reply(
            413,
            &format!(
                "一次上传的内容超过上限 {} MB，请分批上传",
                MAX_REQUEST_BYTES / 1_048_576
            ),
        )
    };
    if req
        .body_length()
        .is_some_and(|n| n as u64 > MAX_REQUEST_BYTES)
    {
        return Err(too_big());
    }
    let content_type = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Content-Type"))
        .map(|h| h.value.as_str().to_string())
        .unwrap_or_default();
    let Some(boundary) = multipart::boundary(&content_type) else {
        return Err(error_reply(
            400,
            "请求应为 multipart/form-data，文件放在字段 file 中",
        ));
    };
    let mut body = Vec::new();
    if let Err(e) = req
        .as_reader()
        .take(MAX_REQUEST_BYTES + 1)
        .read_to_end(&mut body)
    {
        return Err(error_reply(400, &format!("上传没有完整收到（{e}）")));
    }
    if body.len() as u64 > MAX_REQUEST_BYTES {
        return Err(too_big());
    }
    let parts = multipart::parse(&body, &boundary)
        .map_err(|e| error_reply(400, &format!("上传的表单无法解析：{}", e.0)))?;
    drop(body);
    let mut waivers = None;
    if let Some(p) = parts.iter().find(|p| p.name == "waive") {
        let name = p
            .filename
            .as_deref()
            .map(super::safe_name)
            .unwrap_or_else(|| "豁免清单.csv".into());
        match crate::waiver::parse(&p.data, &name) {
            Ok(w) => waivers = Some(w),
            Err(e) => return Err(error_reply(400, &e.to_string())),
        }
    }
    let files: Vec<Upload> = parts
        .into_iter()
        .filter(|p| p.name == "file")
        .map(|p| Upload {
            name: p.filename.unwrap_or_default(),
            bytes: p.data,
        })
        .collect();
    if files.is_empty() {
        return Err(error_reply(
            400,
            "没有收到文件：请把申报表放在字段 file 中上传",
        ));
    }
    if files.len() > MAX_FILES {
        return Err(error_reply(
            413,
            &format!(
                "一次上传了 {} 个文件，超过上限 {MAX_FILES} 个，请分批上传",
                files.len()
            ),
        ));
    }
    Ok((files, waivers))
}

fn json_reply(status: u16, body: String) -> Reply {
    reply(status, "application/json; charset=utf-8", body.into_bytes())
}

/// `check --format json`'s document; 422 when a file could not be read (the CLI's exit 2),
/// with the same document, its `unreadable` list giving the CLI's message for each.
fn api_check(uploads: Vec<Upload>, waivers: Option<&[crate::waiver::Waiver]>) -> Reply {
    let outcome = super::check_waived(uploads, waivers);
    let status = if outcome.unreadable.is_empty() {
        200
    } else {
        422
    };
    // Byte for byte what `check --format json` prints, its final line break included.
    json_reply(status, outcome.json() + "\n")
}

/// For the page: the check JSON and the report's HTML sections in both languages.
fn api_view(uploads: Vec<Upload>, waivers: Option<&[crate::waiver::Waiver]>) -> Reply {
    let outcome = super::check_waived(uploads, waivers);
    let report: serde_json::Value = serde_json::from_str(&outcome.json()).unwrap_or_default();
    let doc = json!({
        "report": report,
        "html": {
            "zh": outcome.html_sections(Lang::Zh),
            "en": outcome.html_sections(Lang::En),
        }
    });
    json_reply(200, doc.to_string())
}

fn upload_error(e: UploadError) -> Reply {
    error_reply(if e.bad_input { 422 } else { 500 }, &e.message)
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn api_fix(mut uploads: Vec<Upload>, waivers: &[crate::waiver::Waiver]) -> Reply {
    if uploads.len() == 1 {
        let upload = uploads.remove(0);
        return match super::fix_waived(upload, waivers) {
            Ok((name, bytes)) => download(XLSX, &name, "fixed.xlsx", bytes),
            Err(e) => upload_error(e),
        };
    }
    match super::fix_many_waived(uploads, waivers) {
        Ok(bytes) => download("application/zip", "更正后的工作簿.zip", "fixed.zip", bytes),
        Err(e) => upload_error(e),
    }
}

fn api_rollup(uploads: Vec<Upload>, waivers: &[crate::waiver::Waiver]) -> Reply {
    match super::rollup_waived(uploads, waivers) {
        Ok(bytes) => download("application/zip", "汇总.zip", "rollup.zip", bytes),
        Err(e) => upload_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn get(addr: SocketAddr) -> String {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        write!(s, "GET /app.css HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn a_panicking_handler_answers_500_and_the_server_goes_on() {
        let server = Server::bind(0).unwrap();
        let addr = server.addr();
        let inner = Arc::clone(&server.inner);
        let worker = std::thread::spawn(move || {
            let req = inner.recv().unwrap();
            answer_with(req, addr, |_, _| panic!("a bug in a handler"));
            // The same thread answers the next request as usual.
            let req = inner.recv().unwrap();
            answer(req, addr);
        });
        let first = get(addr);
        assert!(first.starts_with("HTTP/1.0 500"), "{first}");
        assert!(first.contains("服务仍在运行"), "{first}");
        let second = get(addr);
        assert!(second.starts_with("HTTP/1.0 200"), "{second}");
        worker.join().unwrap();
    }
}
