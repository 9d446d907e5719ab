//! The lint.toml loader on arbitrary text: a Settings or a located error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opslint::config::{Overrides, Settings};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Settings::parse(Path::new("lint.toml"), &text, &Overrides::default());
});
