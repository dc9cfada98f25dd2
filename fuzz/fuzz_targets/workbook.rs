//! Arbitrary bytes as a workbook: see `jixiao::fuzzing::workbook`.
//!
//! jixiao catches a panic inside calamine, zip or cfb and reports a damaged file
//! (`read::open::load_bytes`); libfuzzer-sys's panic hook would abort on it all the same. So
//! a panic that `jixiao::read::panic_is_caught()` says will be caught is let through to that
//! catch (such inputs are kept in tests/fuzz_regressions/workbook/ when found); any other
//! panic aborts as usual.
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: {
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !jixiao::read::panic_is_caught() {
                abort_hook(info);
            }
        }));
    },
    |data: &[u8]| jixiao::fuzzing::workbook(data)
);
