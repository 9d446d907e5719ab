//! The real-world corpus (`../shared/corpus/`, see its README) is read without a run failure
//! and without an internal error (OPS005). Skipped when the corpus is not there.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

#[test]
fn corpus_lints_without_internal_errors() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: no corpus at {}", corpus.display());
        return;
    }
    let out = Command::cargo_bin("opslint")
        .unwrap()
        .current_dir(&corpus)
        .args([
            "--isolated",
            "--select",
            "ALL",
            "--output-format",
            "json",
            "--exit-zero",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings: Value = serde_json::from_slice(&out.stdout).unwrap();
    let internal: Vec<&Value> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "OPS005")
        .collect();
    assert!(internal.is_empty(), "internal errors: {internal:#?}");
}
