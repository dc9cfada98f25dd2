//! Text as a PDF's text layer gives it: lines, the page breaks between them, and the
//! joins that undo the line wrapping of table cells.

/// 全角 ASCII folded to 半角, so `其中:财政资金` and `其中：财政资金` match.
pub(crate) fn halfwidth_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// One non-empty line of the input, trimmed, with its 1-based number in the file.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub no: usize,
    pub text: String,
    /// The line starts a page: a page footer (`5 / 24`) came just before it, or the
    /// extractor marked the page's first line with one leading space.
    pub page_start: bool,
}

/// The input's lines without blank lines and page footers.
pub(crate) fn lines(input: &str) -> Vec<Line> {
    let raws: Vec<&str> = input.split('\n').collect();
    let running = running_lines(&raws);
    let mut out = Vec::new();
    let mut after_footer = false;
    for (i, raw) in raws.iter().enumerate() {
        if running.contains(&i) {
            after_footer = true;
            continue;
        }
        let raw = raw.trim_end_matches('\r');
        let had_form_feed = raw.contains('\u{c}');
        let raw = raw.trim_start_matches('\u{c}');
        let text = raw.trim_matches(is_space);
        if text.is_empty() {
            continue;
        }
        if is_page_marker(text) {
            after_footer = true;
            continue;
        }
        let mut lead = raw.chars();
        let one_space = lead.next() == Some(' ') && lead.next().is_some_and(|c| !is_space(c));
        out.push(Line {
            no: i + 1,
            text: text.to_string(),
            page_start: after_footer || had_form_feed || one_space,
        });
        after_footer = false;
    }
    out
}

/// Running heads and feet: where pages are marked (form feeds), a page's first or last
/// line that is also another page's first or last line, digits aside (`Page 3`,
/// `某单位2024年部门预算`). Indices into `raws`.
fn running_lines(raws: &[&str]) -> Vec<usize> {
    let mut pages: Vec<Vec<usize>> = vec![Vec::new()];
    for (i, raw) in raws.iter().enumerate() {
        if raw.contains('\u{c}') {
            pages.push(Vec::new());
        }
        if !raw
            .trim_matches(|c: char| is_space(c) || c == '\u{c}')
            .is_empty()
        {
            if let Some(p) = pages.last_mut() {
                p.push(i);
            }
        }
    }
    pages.retain(|p| !p.is_empty());
    if pages.len() < 2 {
        return Vec::new();
    }
    let shape = |i: usize| -> String {
        raws[i]
            .chars()
            .filter(|c| !is_space(*c) && *c != '\u{c}')
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    let mut out = Vec::new();
    for ends in [
        pages.iter().map(|p| p[0]).collect::<Vec<_>>(),
        pages.iter().map(|p| p[p.len() - 1]).collect::<Vec<_>>(),
    ] {
        for &i in &ends {
            let s = shape(i);
            if ends.iter().filter(|&&j| shape(j) == s).count() >= 2 {
                out.push(i);
            }
        }
    }
    out
}

pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}' || c == '\u{200b}'
}

/// `5 / 24`, `- 5 -`, `第 5 页`, `第5页 共24页`: a page's number, not content.
fn is_page_marker(s: &str) -> bool {
    let t: String = s
        .chars()
        .filter(|c| !is_space(*c))
        .map(halfwidth_char)
        .collect();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if let Some((a, b)) = t.split_once('/') {
        return digits(a) && digits(b);
    }
    if let Some(inner) = t.strip_prefix('-').and_then(|r| r.strip_suffix('-')) {
        return digits(inner);
    }
    let lower = t.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("page") {
        let (n, m) = rest.split_once("of").unwrap_or((rest, "1"));
        return digits(n) && digits(m);
    }
    if let Some(rest) = t.strip_prefix('第') {
        if let Some((n, tail)) = rest.split_once('页') {
            return digits(n)
                && (tail.is_empty()
                    || tail
                        .strip_prefix('共')
                        .and_then(|r| r.strip_suffix('页'))
                        .is_some_and(digits));
        }
    }
    false
}

/// A char that keeps a space beside it: ASCII letters and digits (`IT service`, two
/// amounts `1,000.00 2,000.00`). Between CJK characters a PDF's spaces are layout only.
fn keeps_space(c: char) -> bool {
    let c = halfwidth_char(c);
    c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | '%')
}

/// Text with characters and the line each came from.
#[derive(Clone, Debug, Default)]
pub(crate) struct Joined {
    pub chars: Vec<char>,
    pub line: Vec<usize>,
}

impl Joined {
    /// Joins lines: a space survives only between two characters that keep one; a new
    /// numbered paragraph (`2.` after a line ending in `。` or `；`) starts a new line.
    pub fn of(lines: &[&Line], paragraphs: bool) -> Joined {
        let mut j = Joined::default();
        for (k, l) in lines.iter().enumerate() {
            if k > 0 {
                if paragraphs && ends_sentence(&j.chars) && starts_numbered(&l.text) {
                    j.push('\n', l.no);
                } else {
                    j.push(' ', l.no);
                }
            }
            for c in l.text.chars() {
                j.push(if is_space(c) { ' ' } else { c }, l.no);
            }
        }
        j.squeeze();
        j
    }

    fn push(&mut self, c: char, line: usize) {
        self.chars.push(c);
        self.line.push(line);
    }

    /// Removes spaces not between two characters that keep one; runs become one space.
    fn squeeze(&mut self) {
        let mut chars = Vec::with_capacity(self.chars.len());
        let mut line = Vec::with_capacity(self.chars.len());
        let n = self.chars.len();
        let mut i = 0;
        while i < n {
            let c = self.chars[i];
            if c == ' ' {
                let mut k = i;
                while k < n && self.chars[k] == ' ' {
                    k += 1;
                }
                let before = chars.last().copied();
                let after = self.chars.get(k).copied();
                if let (Some(b), Some(a)) = (before, after) {
                    if keeps_space(b) && keeps_space(a) {
                        chars.push(' ');
                        line.push(self.line[i]);
                    }
                }
                i = k;
                continue;
            }
            chars.push(c);
            line.push(self.line[i]);
            i += 1;
        }
        self.chars = chars;
        self.line = line;
    }

    pub fn string(&self, from: usize, to: usize) -> String {
        self.chars[from..to].iter().collect()
    }

    pub fn line_at(&self, at: usize) -> usize {
        self.line.get(at).or(self.line.last()).copied().unwrap_or(0)
    }

    /// The next place at or after `from` where `label` starts, 全角 and 半角 alike.
    pub fn find(&self, label: &str, from: usize) -> Option<usize> {
        let l: Vec<char> = label.chars().map(halfwidth_char).collect();
        if l.is_empty() || self.chars.len() < l.len() {
            return None;
        }
        (from..=self.chars.len() - l.len())
            .find(|&i| (0..l.len()).all(|k| halfwidth_char(self.chars[i + k]) == l[k]))
    }

    pub fn starts_with_at(&self, at: usize, label: &str) -> bool {
        let mut k = at;
        for c in label.chars() {
            match self.chars.get(k) {
                Some(&x) if halfwidth_char(x) == halfwidth_char(c) => k += 1,
                _ => return false,
            }
        }
        true
    }
}

fn ends_sentence(chars: &[char]) -> bool {
    matches!(chars.last(), Some('。' | '；' | ';'))
}

/// `2.`, `3、`, `（2）`: a numbered paragraph's start.
pub(crate) fn starts_numbered(s: &str) -> bool {
    let s: String = s.chars().map(halfwidth_char).collect();
    let digits = s.chars().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && matches!(s[digits..].chars().next(), Some('.' | '、'))
}

/// The text of lines joined as one value (a name, a paragraph).
pub(crate) fn join_text(lines: &[&Line], paragraphs: bool) -> String {
    let j = Joined::of(lines, paragraphs);
    j.string(0, j.chars.len())
}

/// A line's text without spaces, 半角 folded: for recognising labels.
pub(crate) fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| !is_space(*c))
        .map(halfwidth_char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_stay_only_between_latin_letters_and_digits() {
        let ls = lines(
            " G60 日常办公经费项目：办公室 \n\n 5 / 24 \n日常运转 IT service 1,000.00 2,000.00\n",
        );
        assert_eq!(ls.len(), 2);
        assert!(ls[1].page_start);
        let refs: Vec<&Line> = ls.iter().collect();
        assert_eq!(
            join_text(&refs, false),
            "G60日常办公经费项目：办公室日常运转IT service 1,000.00 2,000.00"
        );
    }

    #[test]
    fn numbered_paragraphs_start_new_lines() {
        let ls = lines("1.甲乙；\n2.丙丁\n戊。\n");
        let refs: Vec<&Line> = ls.iter().collect();
        assert_eq!(join_text(&refs, true), "1.甲乙；\n2.丙丁戊。");
    }
}
