//! Arbitrary bytes as a workbook: see `jixiao::fuzzing::workbook`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| jixiao::fuzzing::workbook(data));
