//! Text cells: full-width characters, form labels and free text.

use std::borrow::Cow;

/// Full-width ASCII (U+FF01–U+FF5E) to ASCII and the ideographic space U+3000 to a space.
///
/// So `（）：，．` become `():,.` and `１２３` become `123`; other CJK punctuation such as
/// `、。「」` is kept as it is.
///
/// ```
/// use jixiao::values::to_halfwidth;
/// assert_eq!(to_halfwidth("项目资金（元）：１，０００．５０"), "项目资金(元):1,000.50");
/// assert_eq!(to_halfwidth("甲、乙。"), "甲、乙。");
/// assert_eq!(to_halfwidth("Ａ\u{3000}ｂ"), "A b");
/// ```
pub fn to_halfwidth(s: &str) -> String {
    s.chars().map(halfwidth_char).collect()
}

pub(crate) fn halfwidth_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Whitespace and invisible characters people leave in labels (zero-width space, BOM)
/// that `char::is_whitespace` does not cover.
pub(crate) fn is_blank(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// True when `b` can be the first byte of a character that `char::is_whitespace` calls
/// blank: the ASCII blanks, and the lead bytes of U+0085 and U+00A0 (C2), U+1680 (E1),
/// U+2000–U+205F (E2) and U+3000 (E3). Chinese characters start with E4–E9. The test
/// `blanks_begin_with_a_listed_byte` checks this against every character.
pub(crate) const fn may_begin_whitespace(b: u8) -> bool {
    // Two range tests settle almost every byte (continuation bytes, letters, digits,
    // the lead bytes of Chinese characters) before the exact list.
    (b <= b' ' || (b >= 0xC2 && b <= 0xE3))
        && matches!(b, b'\t'..=b'\r' | b' ' | 0xC2 | 0xE1 | 0xE2 | 0xE3)
}

/// Bytes that may begin a character `normalize_label` changes: [`may_begin_whitespace`]
/// and EF (U+FEFF and the full-width forms). A table: one load per byte of every label.
static MAY_NEED_NORMALIZING: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = may_begin_whitespace(b as u8) || b == 0xEF;
        b += 1;
    }
    t
};

/// For each byte that begins a character: 0 when the character may need normalizing
/// ([`MAY_NEED_NORMALIZING`]) or is a colon (so `normalize_label_into` sees every colon it
/// keeps, for the grid's index), else the character's length in UTF-8, so the scan steps
/// over a Chinese character (three bytes) at once.
static STEP: [u8; 256] = {
    let mut t = [0; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = if MAY_NEED_NORMALIZING[b] || b == b':' as usize {
            0
        } else if b < 0xC0 {
            // ASCII; continuation bytes never begin a character.
            1
        } else if b < 0xE0 {
            2
        } else if b < 0xF0 {
            3
        } else {
            4
        };
        b += 1;
    }
    t
};

/// A form label reduced for matching: half-width, no whitespace at all (spaces used to
/// stretch labels, line breaks, `\u{3000}`, no-break spaces), no trailing colon.
///
/// ```
/// use jixiao::values::normalize_label;
/// assert_eq!(normalize_label("项 目 名 称："), "项目名称");
/// assert_eq!(normalize_label("项目资金（元）"), "项目资金(元)");
/// assert_eq!(normalize_label("年度（/项目）\n指标值"), "年度(/项目)指标值");
/// ```
pub fn normalize_label(s: &str) -> String {
    let mut t = String::with_capacity(s.len());
    normalize_label_into(s, &mut t);
    t
}

/// [`normalize_label`] appended to `out`: the grid keeps every label of a sheet in one
/// buffer. Returns whether the appended label has a colon inside (`项目名称:XXX`): the
/// grid indexes those, and a search of each label for one cost a third as much as
/// normalizing it.
pub(crate) fn normalize_label_into(s: &str, out: &mut String) -> bool {
    let start = out.len();
    // Where in `out` the first colon was written (every colon, ':' or '：', takes the
    // slow path below), if any.
    let mut first_colon = None;
    // This runs for every short text cell of every workbook. Only characters that begin
    // with a byte in MAY_NEED_NORMALIZING can change or go; those bytes are ASCII or lead
    // bytes, never continuation bytes, so every run between them is copied as it is.
    let bytes = s.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // `i` is always at a character's first byte: it moves by whole characters.
        let step = STEP[bytes[i] as usize];
        if step != 0 {
            i += step as usize;
            continue;
        }
        // A colon stays in the run: only where it will land is noted.
        if bytes[i] == b':' {
            first_colon.get_or_insert(out.len() + (i - copied));
            i += 1;
            continue;
        }
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        let half = halfwidth_char(c);
        // Most characters with a listed first byte stay as they are (`≥`, `、`, `。`):
        // they stay in the run too, with no copy of it so far.
        if half == c && !is_blank(c) {
            i += c.len_utf8();
            continue;
        }
        out.push_str(&s[copied..i]);
        if half == ':' {
            first_colon.get_or_insert(out.len());
        }
        if !is_blank(half) {
            out.push(half);
        }
        i += c.len_utf8();
        copied = i;
    }
    out.push_str(&s[copied..]);
    let keep = start + out[start..].trim_end_matches(':').len();
    out.truncate(keep);
    // Only trailing colons went: the first colon stays unless all of them did.
    first_colon.is_some_and(|at| at < keep)
}

/// Whether the first or the last character of `s` may be one [`is_blank`] takes: false
/// for most text, which then needs no trimming. Blanks begin with a byte of
/// [`MAY_NEED_NORMALIZING`].
fn ends_may_be_blank(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(last)) = (b.first(), b.iter().rposition(|&x| x & 0xC0 != 0x80)) else {
        return true;
    };
    MAY_NEED_NORMALIZING[first as usize] || MAY_NEED_NORMALIZING[b[last] as usize]
}

/// Free text as written, minus surrounding whitespace; Windows (`\r\n`) and old Mac (`\r`)
/// line breaks become `\n`. `None` when nothing is left. Inner text is not touched.
///
/// ```
/// use jixiao::values::clean_text;
/// assert_eq!(clean_text("  第一行\r\n第二行 \n"), Some("第一行\n第二行".to_string()));
/// assert_eq!(clean_text(" \u{3000}\n"), None);
/// ```
pub fn clean_text(s: &str) -> Option<String> {
    clean_str(s).map(Cow::into_owned)
}

/// [`clean_text`] borrowing from `s` when only trimming is needed (nearly always): text
/// that is joined or parsed rather than kept needs no copy of its own.
pub(crate) fn clean_str(s: &str) -> Option<Cow<'_, str>> {
    let t = if ends_may_be_blank(s) {
        s.trim_matches(is_blank)
    } else {
        s
    };
    if t.is_empty() {
        return None;
    }
    if !t.contains('\r') {
        return Some(Cow::Borrowed(t));
    }
    Some(Cow::Owned(t.replace("\r\n", "\n").replace('\r', "\n")))
}

/// Characters of a cell's text quoted in a message or note; the whole text stays in the
/// cell itself (and in the 实为 column).
pub const QUOTE_CHARS: usize = 100;

/// `text`, or its first [`QUOTE_CHARS`] characters and `…`. Every finding message and
/// note that quotes what a cell holds goes through this: a message quoting a 20,000-
/// character money cell (twice) would itself be past what a cell can hold.
///
/// ```
/// use jixiao::values::quote_short;
/// assert_eq!(quote_short("1,000"), "1,000");
/// let long = "一".repeat(20_000);
/// assert_eq!(quote_short(&long).chars().count(), 101);
/// assert!(quote_short(&long).ends_with('…'));
/// ```
pub fn quote_short(text: &str) -> Cow<'_, str> {
    if text.len() <= QUOTE_CHARS || text.chars().count() <= QUOTE_CHARS {
        return Cow::Borrowed(text);
    }
    let mut s: String = text.chars().take(QUOTE_CHARS).collect();
    s.push('…');
    Cow::Owned(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn blanks_begin_with_a_listed_byte() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let mut buf = [0; 4];
            let first = c.encode_utf8(&mut buf).as_bytes()[0];
            if c.is_whitespace() {
                assert!(super::may_begin_whitespace(first), "{c:?}");
            }
        }
    }

    #[test]
    fn halfwidth() {
        assert_eq!(to_halfwidth("１２３４５６７８９０"), "1234567890");
        assert_eq!(to_halfwidth("ＡＢＣａｂｃ"), "ABCabc");
        assert_eq!(to_halfwidth("！～"), "!~");
        assert_eq!(to_halfwidth("（）：，．％＋－＝＞＜"), "():,.%+-=><");
        assert_eq!(to_halfwidth("\u{3000}"), " ");
        // CJK punctuation outside the full-width ASCII block stays.
        assert_eq!(to_halfwidth("、。「」《》【】￥"), "、。「」《》【】￥");
        assert_eq!(to_halfwidth("≥85%"), "≥85%");
        assert_eq!(to_halfwidth(""), "");
    }

    #[test]
    fn labels() {
        assert_eq!(normalize_label("项 目 名 称："), "项目名称");
        assert_eq!(normalize_label("项目名称:"), "项目名称");
        assert_eq!(normalize_label("项目资金（元）"), "项目资金(元)");
        assert_eq!(normalize_label("年度（/项目）指标值"), "年度(/项目)指标值");
        assert_eq!(normalize_label("\u{3000}实施单位\u{a0}\r\n："), "实施单位");
        assert_eq!(normalize_label("其中：财政资金"), "其中:财政资金");
        assert_eq!(normalize_label("主管\u{200B}部门\u{FEFF}"), "主管部门");
        assert_eq!(normalize_label("  "), "");
    }

    #[test]
    fn free_text() {
        assert_eq!(clean_text(""), None);
        assert_eq!(clean_text(" \t\r\n\u{3000}\u{a0}"), None);
        assert_eq!(clean_text(" 一、项目概述 "), Some("一、项目概述".into()));
        assert_eq!(clean_text("a\r\nb\rc\nd"), Some("a\nb\nc\nd".into()));
        // Inner spacing, full-width characters and punctuation are kept.
        assert_eq!(clean_text("甲  乙（１）："), Some("甲  乙（１）：".into()));
    }

    /// normalize_label char by char, as its docs define it: the fast paths' reference.
    fn label_by_definition(s: &str) -> String {
        let t: String = s
            .chars()
            .map(halfwidth_char)
            .filter(|c| !is_blank(*c))
            .collect();
        t.trim_end_matches(':').to_string()
    }

    proptest! {
        #[test]
        fn halfwidth_keeps_char_count(s in any::<String>()) {
            prop_assert_eq!(to_halfwidth(&s).chars().count(), s.chars().count());
        }

        #[test]
        fn the_fast_path_agrees(s in "[a-z0-9:：（）()、。 \u{3000}\u{a0}\u{85}\u{1680}\u{2028}\u{feff}\u{ff01}\u{ff5e}\u{200b}项目名称资金\n]{0,12}") {
            prop_assert_eq!(normalize_label(&s), label_by_definition(&s));
        }

        #[test]
        fn the_fast_path_agrees_on_any_text(s in any::<String>()) {
            prop_assert_eq!(normalize_label(&s), label_by_definition(&s));
        }

        /// The colon flag is what a search of the label would say.
        #[test]
        fn the_colon_flag_agrees(s in "[a:：（ 项目\u{3000}]{0,10}") {
            let mut out = String::from("前:");
            let has = normalize_label_into(&s, &mut out);
            prop_assert_eq!(has, label_by_definition(&s).contains(':'));
        }

        #[test]
        fn the_colon_flag_agrees_on_any_text(s in any::<String>()) {
            let has = normalize_label_into(&s, &mut String::new());
            prop_assert_eq!(has, label_by_definition(&s).contains(':'));
        }

        #[test]
        fn labels_have_no_whitespace(s in any::<String>()) {
            let l = normalize_label(&s);
            prop_assert!(!l.chars().any(char::is_whitespace));
            prop_assert!(!l.ends_with(':'));
            prop_assert_eq!(normalize_label(&l), l.clone());
        }

        #[test]
        fn clean_text_trims_as_the_general_path(s in "[ a\u{3000}\u{a0}\u{85}\u{feff}\u{200b}\u{2060}\u{ff01}项\r\n]{0,8}") {
            let slow = {
                let t = s.trim_matches(is_blank);
                (!t.is_empty()).then(|| t.replace("\r\n", "\n").replace('\r', "\n"))
            };
            prop_assert_eq!(clean_text(&s), slow);
        }

        #[test]
        fn clean_text_trims_any_text_as_the_general_path(s in any::<String>()) {
            let t = s.trim_matches(is_blank);
            let slow = (!t.is_empty()).then(|| t.replace("\r\n", "\n").replace('\r', "\n"));
            prop_assert_eq!(clean_text(&s), slow);
        }

        #[test]
        fn clean_text_is_trimmed(s in any::<String>()) {
            if let Some(t) = clean_text(&s) {
                prop_assert!(!t.is_empty());
                prop_assert!(!t.contains('\r'));
                prop_assert_eq!(t.trim(), t.as_str());
            }
        }
    }
}
