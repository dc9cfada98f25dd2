//! The properties the fuzz targets (`fuzz/`), the in-suite property tests and the kept
//! crashing inputs (`tests/fuzz_regressions/`) all check: one definition, three drivers.
//! Each panics when the property fails, which is what a fuzzer reports.

/// Money typed as text: never panics; an amount shows as text that reads back to the same
/// amount; an error quotes the text exactly.
pub fn money_text(s: &str) {
    match crate::values::parse_money_text(s) {
        Ok(p) => {
            let shown = p.money.to_string();
            let again = crate::values::parse_money_text(&shown)
                .unwrap_or_else(|e| panic!("{s:?} → {shown:?} does not read back: {e}"));
            assert_eq!(again.money, p.money, "{s:?} → {shown:?}");
            let plain = p.money.plain();
            assert_eq!(
                crate::values::parse_money_text(&plain).map(|q| q.money),
                Ok(p.money),
                "{s:?} → {plain:?}"
            );
            let _ = crate::values::format_daxie(p.money);
        }
        Err(e) => {
            assert_eq!(e.text, s);
            let _ = e.to_string();
        }
    }
}

/// A date typed as text, and an Excel serial: never panic; a date shows as ISO text that
/// reads back to itself.
pub fn date_text(s: &str, serial: f64) {
    match crate::values::parse_date_text(s) {
        Ok(d) => {
            let iso = d.to_string();
            assert_eq!(crate::values::parse_date_text(&iso), Ok(d), "{s:?} → {iso}");
        }
        Err(e) => {
            assert_eq!(e.text, s);
            let _ = e.to_string();
        }
    }
    if let Some(d) = crate::values::date_from_serial(serial) {
        assert_eq!(
            crate::values::date_from_serial(d.excel_serial() as f64),
            Some(d),
            "{serial}"
        );
    }
    let _ = crate::values::decimal_from_f64(serial);
}

/// 指标值: any text parses to some kind, keeps the text as written, and survives JSON.
pub fn target_value(s: &str) {
    let t = crate::model::Target::parse(s);
    let json = serde_json::to_string(&t).expect("a target serializes");
    let back: crate::model::Target = serde_json::from_str(&json).expect("and reads back");
    assert_eq!(back, t, "{s:?}");
}

/// 计算依据: the evaluator never panics and ends quickly on any text.
pub fn basis(s: &str) {
    let start = std::time::Instant::now();
    match crate::validate::basis::evaluate_basis(s) {
        Ok(v) => {
            let _ = v.map(|m| m.to_string());
        }
        Err(e) => {
            let _ = e.zh();
        }
    }
    assert!(
        start.elapsed() < std::time::Duration::from_secs(1),
        "{s:?} took {:?}",
        start.elapsed()
    );
}

/// Arbitrary bytes as a workbook: a model (then validated) or an error naming the file;
/// never a panic.
pub fn workbook(bytes: &[u8]) {
    match crate::read::read_bytes("fuzz.xlsx", bytes.to_vec()) {
        Ok(out) => {
            let _ = crate::validate::validate(&out.declaration, &out.sources);
        }
        Err(e) => assert!(e.to_string().contains("fuzz.xlsx"), "{e}"),
    }
}
