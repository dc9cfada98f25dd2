//! Money typed as text (digits, 万元, 大写): see `jixiao::fuzzing::money_text`.
#![no_main]
libfuzzer_sys::fuzz_target!(|s: &str| jixiao::fuzzing::money_text(s));
