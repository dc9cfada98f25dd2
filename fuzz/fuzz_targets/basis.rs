//! 计算依据: see `jixiao::fuzzing::basis`.
#![no_main]
libfuzzer_sys::fuzz_target!(|s: &str| jixiao::fuzzing::basis(s));
