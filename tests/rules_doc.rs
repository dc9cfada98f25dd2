//! docs/rules.md documents every code the validator emits, and nothing it does not.

use std::collections::BTreeSet;

/// Quoted codes such as `"B001"` in a text.
fn quoted_codes(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(6)
        .filter(|w| {
            w[0] == '"'
                && "BCDFGHIM".contains(w[1])
                && w[2..5].iter().all(char::is_ascii_digit)
                && w[5] == '"'
        })
        .map(|w| w[1..5].iter().collect())
        .collect()
}

#[test]
fn every_emitted_code_has_a_row_and_every_row_is_emitted() {
    let mut emitted = BTreeSet::new();
    for entry in std::fs::read_dir("src/validate").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            // Only the code above the tests: tests quote codes they expect, not emit.
            let body = text.split("#[cfg(test)]").next().unwrap_or_default();
            emitted.extend(quoted_codes(body));
        }
    }
    let doc = std::fs::read_to_string("docs/rules.md").unwrap();
    let documented: BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(' ').next())
        .filter(|c| {
            c.len() == 4
                && "BCDFGHIM".contains(&c[..1])
                && c[1..].chars().all(|d| d.is_ascii_digit())
        })
        .map(str::to_string)
        .collect();
    assert!(emitted.len() >= 30, "{emitted:?}");
    assert_eq!(emitted, documented);
    assert!(doc.contains("## Reader (R001–R099)"));
}
