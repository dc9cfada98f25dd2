//! Years named in free text (`2023年`, `2023-2025年`), for the indicator and goal rules.
//!
//! A year counts when a four-digit number from 1900 to 2099 is followed by 年, or two such
//! numbers form a range (`2023-2025年`, `2023年至2025年`, `（2023-2025）`).

/// A year or a range of years named in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Span {
    Year(i32),
    Range(i32, i32),
}

impl Span {
    /// True when the form year is the year named or lies within the range.
    pub fn covers(self, year: i32) -> bool {
        match self {
            Span::Year(y) => y == year,
            Span::Range(a, b) => a <= year && year <= b,
        }
    }

    /// True when the span lies within `from..=to`.
    pub fn within(self, from: i32, to: i32) -> bool {
        match self {
            Span::Year(y) => from <= y && y <= to,
            Span::Range(a, b) => from <= a && b <= to,
        }
    }

    /// `2023`, `2021-2023`, for messages and `actual`.
    pub fn text(self) -> String {
        match self {
            Span::Year(y) => y.to_string(),
            Span::Range(a, b) => format!("{a}-{b}"),
        }
    }
}

/// One year mention: its span and where it sits in the normalized text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mention {
    pub span: Span,
    pub start: usize,
    pub end: usize,
}

/// Full-width digits to ASCII and blanks removed, so `完成 ２０２４ 年` reads `完成2024年`.
pub(crate) fn normalize(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// [`normalize`] appended to `out`, so the rules can keep the text of many cells in one
/// buffer. Char by char, the same as `values::to_halfwidth` and then dropping blanks, but
/// without the intermediate `String` (this ran twice for every indicator row).
pub(crate) fn normalize_into(text: &str, out: &mut Vec<char>) {
    // A plain loop: `extend` over a filter went through an iterator call per character.
    for c in text.chars() {
        let c = crate::values::halfwidth_char(c);
        if !c.is_whitespace() {
            out.push(c);
        }
    }
}

fn year_at(chars: &[char], i: usize) -> Option<(i32, usize)> {
    if i > 0 && (chars[i - 1].is_ascii_digit() || chars[i - 1] == '.') {
        return None;
    }
    let n = chars[i..]
        .iter()
        .take(5)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if n != 4 {
        return None;
    }
    // Four ASCII digits: their value, without building a string to parse.
    let y = chars[i..i + 4]
        .iter()
        .fold(0, |y, c| y * 10 + (*c as i32 - '0' as i32));
    (1900..=2099).contains(&y).then_some((y, i + 4))
}

fn is_range_sep(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '~' | '至' | '到')
}

/// Every year mention in `chars`, in order.
pub(crate) fn scan(chars: &[char]) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        // A year starts with a digit; most text has none, so skip without a call.
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let Some((y1, j)) = year_at(chars, i) else {
            i += 1;
            continue;
        };
        let mut k = j;
        let first_has_nian = chars.get(k) == Some(&'年');
        if first_has_nian {
            k += 1;
        }
        // A range: `2023-2025年`, `2023年至2025年`, `2023—2025`.
        let mut seps = 0;
        while chars.get(k).is_some_and(|c| is_range_sep(*c)) && seps < 2 {
            k += 1;
            seps += 1;
        }
        if seps > 0 {
            if let Some((y2, after)) = year_at(chars, k) {
                if y2 >= y1 {
                    let end = if chars.get(after) == Some(&'年') {
                        after + 1
                    } else {
                        after
                    };
                    out.push(Mention {
                        span: Span::Range(y1, y2),
                        start: i,
                        end,
                    });
                    i = end;
                    continue;
                }
            }
        }
        if first_has_nian {
            out.push(Mention {
                span: Span::Year(y1),
                start: i,
                end: j + 1,
            });
            i = j + 1;
        } else {
            i = j;
        }
    }
    out
}

fn text_before(chars: &[char], at: usize, n: usize) -> String {
    chars[at.saturating_sub(n)..at].iter().collect()
}

fn text_after(chars: &[char], at: usize, n: usize) -> String {
    chars[at.min(chars.len())..].iter().take(n).collect()
}

/// A year used as a point of comparison (`较2023年增长`, `2023年基础上`, `与2023年持平`),
/// not as the year the target is for.
pub(crate) fn is_baseline(chars: &[char], m: &Mention) -> bool {
    let before = text_before(chars, m.start, 2);
    let after = text_after(chars, m.end, 3);
    ["较", "比", "于", "与", "对比"]
        .iter()
        .any(|w| before.ends_with(w))
        || ["基础上", "同期", "水平"]
            .iter()
            .any(|w| after.starts_with(w))
}

/// A year used as the plan year of a goal: `2023年度`, `2023年底`, `2023年内`,
/// `2023年末`, or `完成2023年…计划/任务/目标` within one clause.
pub(crate) fn is_plan_year(chars: &[char], m: &Mention) -> bool {
    if !matches!(m.span, Span::Year(_)) {
        return false;
    }
    if matches!(chars.get(m.end), Some('度' | '底' | '内' | '末')) {
        return true;
    }
    if !text_before(chars, m.start, 2).ends_with("完成") {
        return false;
    }
    let clause: String = chars[m.end.min(chars.len())..]
        .iter()
        .take(40)
        .take_while(|c| !matches!(c, '。' | '；' | ';' | '，' | ',' | '！' | '？' | '\n'))
        .collect();
    ["计划", "任务", "目标"].iter().any(|w| clause.contains(w))
}

/// True when a span is fine for a form of `year`: it names or contains the year, or, for
/// a project planned over `planned` years, lies within them.
pub(crate) fn accepted(span: Span, year: i32, planned: Option<(i32, i32)>) -> bool {
    span.covers(year) || planned.is_some_and(|(a, b)| a != b && span.within(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(s: &str) -> Vec<Span> {
        scan(&normalize(s)).into_iter().map(|m| m.span).collect()
    }

    #[test]
    fn finds_years_and_ranges() {
        assert_eq!(spans("完成 2024年 G60科创走廊"), [Span::Year(2024)]);
        assert_eq!(spans("（2023-2025年）"), [Span::Range(2023, 2025)]);
        assert_eq!(spans("2023年至2025年"), [Span::Range(2023, 2025)]);
        assert_eq!(spans("行动方案（2023—2025）"), [Span::Range(2023, 2025)]);
        assert_eq!(spans("2018 年首届"), [Span::Year(2018)]);
        assert_eq!(spans("２０２３年"), [Span::Year(2023)]);
        assert_eq!(spans("≥2000.00(次)"), []);
        assert_eq!(spans("G60 九城市 12024年 1500年"), []);
        assert_eq!(spans("2024-12-31"), []);
        assert_eq!(spans("2024年12月31日前"), [Span::Year(2024)]);
    }

    #[test]
    fn baselines_and_plan_years() {
        let t = normalize("较2023年增长10%，2023年基础上提升");
        let m = scan(&t);
        assert!(is_baseline(&t, &m[0]));
        assert!(is_baseline(&t, &m[1]));
        for s in [
            "完成2023年G60科创走廊年度工作计划",
            "2023年度目标",
            "2023年底前完成",
            "2023 年内",
        ] {
            let t = normalize(s);
            assert!(is_plan_year(&t, &scan(&t)[0]), "{s}");
        }
        for s in ["2018年首届中国国际进口博览会", "完成2023年的工作，推进计划"]
        {
            let t = normalize(s);
            assert!(!is_plan_year(&t, &scan(&t)[0]), "{s}");
        }
    }

    proptest::proptest! {
        /// `normalize` reads text as `values::to_halfwidth` and then dropping blanks would.
        #[test]
        fn normalize_is_halfwidth_without_blanks(s in "\\PC{0,30}|[０-９ａ-ｚＡ-Ｚ　 \\t\\n０-９年至－—]{0,20}") {
            let expected: Vec<char> = crate::values::to_halfwidth(&s)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            proptest::prop_assert_eq!(normalize(&s), expected);
        }
    }

    #[test]
    fn acceptance() {
        assert!(accepted(Span::Year(2024), 2024, None));
        assert!(accepted(Span::Range(2023, 2025), 2024, None));
        assert!(!accepted(Span::Year(2023), 2024, None));
        assert!(accepted(Span::Year(2025), 2024, Some((2023, 2025))));
        assert!(!accepted(Span::Year(2025), 2024, Some((2024, 2024))));
    }
}
