//! The direct YAML reader against the full parser: on every text the direct reader accepts,
//! both build the same tree (values, spans, comments, duplicate-key errors).
#![no_main]

use libfuzzer_sys::fuzz_target;
use opslint::lang::kubernetes::yaml;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for comments in [true, false] {
        if let Some(fast) = yaml::fast_parse(&text, comments) {
            assert_eq!(fast, yaml::full_parse(&text, comments), "{text:?}");
        }
    }
});
