//! Embeds every `rules/*.md` page into the binary, so pages added later are picked up without
//! touching any Rust source: `opslint rule CODE` prints them.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let rules = manifest.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut pages: Vec<(String, PathBuf)> = Vec::new();
    if let Ok(entries) = fs::read_dir(&rules) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("md") {
                continue;
            }
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                println!("cargo:rerun-if-changed={}", path.display());
                pages.push((stem.to_string(), path));
            }
        }
    }
    pages.sort();
    let mut out =
        String::from("/// Every rule page in `rules/`, by file stem (the rule code), sorted.\n");
    out.push_str("pub static PAGES: &[(&str, &str)] = &[\n");
    for (stem, path) in &pages {
        out.push_str(&format!(
            "    ({stem:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default()).join("rule_pages.rs");
    if let Err(e) = fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}
