//! Dates typed as text and Excel serials: see `jixiao::fuzzing::date_text`.
#![no_main]
libfuzzer_sys::fuzz_target!(|input: (&str, f64)| jixiao::fuzzing::date_text(input.0, input.1));
