//! 指标值: see `jixiao::fuzzing::target_value`.
#![no_main]
libfuzzer_sys::fuzz_target!(|s: &str| jixiao::fuzzing::target_value(s));
