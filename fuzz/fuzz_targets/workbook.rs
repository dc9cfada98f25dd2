//! Arbitrary bytes as a workbook: see `jixiao::fuzzing::workbook`.
//!
//! jixiao catches a panic inside calamine, zip or cfb and reports a damaged file
//! (`read::open::load_bytes`); libfuzzer-sys's panic hook would abort on it all the same. So
//! panics raised in those crates are let through to jixiao's catch (and kept in
//! tests/fuzz_regressions/workbook/ when found); any other panic aborts as usual.
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: {
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !jixiao::fuzzing::raised_in_a_parser(info.location()) {
                abort_hook(info);
            }
        }));
    },
    |data: &[u8]| jixiao::fuzzing::workbook(data)
);
