//! A small `multipart/form-data` parser (RFC 7578) for the uploads of `jixiao serve`: the
//! whole body is already in memory (bounded before it is read), so a parser over a byte
//! slice is enough, and no async runtime is needed as `multer` would.

use memchr::memmem;

/// One part of a form: its field name, the file name if it is a file, and its bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

/// The boundary of a `Content-Type: multipart/form-data; boundary=…` header.
///
/// ```
/// use jixiao::serve::multipart::boundary;
/// assert_eq!(boundary("multipart/form-data; boundary=\"ab c\"").as_deref(), Some("ab c"));
/// assert_eq!(boundary("application/json"), None);
/// ```
pub fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params_of(params)
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v)
        .filter(|b| !b.is_empty() && b.len() <= 200)
}

/// `; key=value; key="quoted \" value"` into pairs.
fn params_of(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while matches!(chars.peek(), Some(c) if *c == ';' || c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ';' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.is_empty() && chars.peek().is_none() {
            return out;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next()),
                        '"' => break,
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ';' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
        }
        out.push((key.trim().to_string(), value.trim_end().to_string()));
        if chars.peek().is_none() {
            return out;
        }
    }
}

/// Why a body is not a readable form.
#[derive(Debug, PartialEq, Eq)]
pub struct MalformedBody(pub &'static str);

/// Splits a form body into its parts.
///
/// ```
/// use jixiao::serve::multipart::parse;
/// let body = b"--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nPK\r\n--X--\r\n";
/// let parts = parse(body, "X").unwrap();
/// assert_eq!(parts[0].filename.as_deref(), Some("a.xlsx"));
/// assert_eq!(parts[0].data, b"PK");
/// ```
pub fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, MalformedBody> {
    let delim = format!("--{boundary}");
    let next_delim = format!("\r\n--{boundary}");
    let first = memmem::find(body, delim.as_bytes()).ok_or(MalformedBody("找不到分隔符"))?;
    let mut pos = first + delim.len();
    let mut parts = Vec::new();
    loop {
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then the line break that ends the delimiter line.
        let line_end = memmem::find(rest, b"\r\n").ok_or(MalformedBody("表单在分隔符后中断"))?;
        pos += line_end + 2;
        let rest = &body[pos..];
        // A part without headers starts with the blank line itself.
        let (head, data_start) = if rest.starts_with(b"\r\n") {
            (String::new(), pos + 2)
        } else {
            let head_end = memmem::find(rest, b"\r\n\r\n")
                .ok_or(MalformedBody("表单的一部分没有结束的空行"))?;
            (
                String::from_utf8_lossy(&rest[..head_end]).into_owned(),
                pos + head_end + 4,
            )
        };
        let data_len = memmem::find(&body[data_start..], next_delim.as_bytes())
            .ok_or(MalformedBody("表单缺少结束分隔符"))?;
        let (mut name, mut filename) = (None, None);
        for line in head.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if !key.trim().eq_ignore_ascii_case("content-disposition") {
                continue;
            }
            let value = value.trim();
            let params = value.split_once(';').map(|(_, p)| p).unwrap_or("");
            for (k, v) in params_of(params) {
                if k.eq_ignore_ascii_case("name") {
                    name = Some(v);
                } else if k.eq_ignore_ascii_case("filename") {
                    filename = Some(v);
                }
            }
        }
        parts.push(Part {
            name: name.ok_or(MalformedBody("表单的一部分没有字段名"))?,
            filename,
            data: body[data_start..data_start + data_len].to_vec(),
        });
        pos = data_start + data_len + next_delim.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_files_and_a_field() {
        let body = b"preamble\r\n--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\xe7\x94\xb2.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\r\n--b1\r\n\r\nx\r\n--b1 \r\ncontent-disposition: form-data; name=lang\r\n\r\nen\r\n--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dir/\\\"b\\\".xls\"\r\n\r\n--b1x\r\n--b1--";
        let err = parse(body, "b1").unwrap_err();
        assert_eq!(err, MalformedBody("表单的一部分没有字段名"));
        let body = b"--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\xe7\x94\xb2.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\r\n\r\n--b1 \r\ncontent-disposition: form-data; name=lang\r\n\r\nen\r\n--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dir/\\\"b\\\".xls\"\r\n\r\n--b1x\r\n--b1--";
        let parts = parse(body, "b1").unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].filename.as_deref(), Some("甲.xlsx"));
        assert_eq!(parts[0].data, b"\x00\r\n");
        assert_eq!(parts[1].name, "lang");
        assert_eq!(parts[1].filename, None);
        assert_eq!(parts[1].data, b"en");
        assert_eq!(parts[2].filename.as_deref(), Some("dir/\"b\".xls"));
        assert_eq!(parts[2].data, b"--b1x");
    }

    #[test]
    fn truncated_bodies_are_errors_not_panics() {
        let full = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc\r\n--b--\r\n";
        for n in 0..full.len() - 6 {
            // Every cut before the closing delimiter is refused, never a panic.
            assert!(parse(&full[..n], "b").is_err(), "cut at {n}");
        }
        assert!(parse(full, "b").is_ok());
        assert!(parse(b"no delimiter at all", "b").is_err());
    }

    #[test]
    fn boundaries() {
        assert_eq!(
            boundary("multipart/form-data; boundary=----WebKitFormBoundaryx7").as_deref(),
            Some("----WebKitFormBoundaryx7")
        );
        assert_eq!(
            boundary("Multipart/Form-Data;charset=utf-8;BOUNDARY=\"q\"").as_deref(),
            Some("q")
        );
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(boundary("multipart/form-data; boundary="), None);
    }
}
