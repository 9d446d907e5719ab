//! End-to-end checks of the Dockerfile engine through the command line: suppressions, fixes,
//! diffs and secret masking. (Rule page examples are run by `tests/rule_pages.rs`.)

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn opslint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("opslint").unwrap();
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS");
    cmd
}

/// Lints `text` as a Dockerfile from stdin with `--select select`; returns the codes found.
fn codes(text: &str, select: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = opslint(dir.path())
        .args([
            "--stdin-filename",
            "Dockerfile",
            "--isolated",
            "--output-format",
            "json",
            "--select",
            select,
        ])
        .write_stdin(text.to_string())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn suppressions() {
    let all = "ALL";
    assert!(!codes(
        "# opslint: ignore[DKR003] pinned elsewhere\nFROM alpine:latest\n",
        all
    )
    .contains(&"DKR003".into()));
    assert!(
        !codes("# opslint: ignore[latest-tag]\nFROM alpine:latest\n", all)
            .contains(&"DKR003".into())
    );
    assert!(
        codes("# opslint: ignore[DKR002]\nFROM alpine:latest\n", all).contains(&"OPS002".into())
    );
    assert!(codes("# opslint: ignore DKR003\nFROM alpine:latest\n", all).contains(&"OPS003".into()));
    assert!(!codes(
        "# opslint: ignore-file\n# opslint: ignore[DKR002]\nFROM alpine:latest\n",
        all
    )
    .contains(&"OPS002".into()));
    assert!(
        !codes("# hadolint ignore=DL3007\nFROM alpine:latest\n", all).contains(&"DKR003".into())
    );
    assert!(
        !codes("# hadolint ignore=DL3006\nFROM alpine:latest\n", all).contains(&"OPS002".into())
    );
    assert!(!codes(
        "# hadolint global ignore=DL3007\nFROM alpine:latest\nFROM debian:latest\n",
        all
    )
    .contains(&"DKR003".into()));
}

#[test]
fn fix_and_diff() {
    let dir = tempfile::tempdir().unwrap();
    let original = "FROM alpine:3.19\nMAINTAINER ops@example.com\nUSER 10001\n";
    let file = dir.path().join("Dockerfile");
    fs::write(&file, original).unwrap();
    opslint(dir.path())
        .args(["--diff", "--select", "DKR013"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "--- a/Dockerfile\n+++ b/Dockerfile\n",
        ));
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        original,
        "--diff writes nothing"
    );
    opslint(dir.path())
        .args(["--fix", "--show-fixes", "--select", "DKR013"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 × DKR013"));
    assert!(fs::read_to_string(&file)
        .unwrap()
        .contains("LABEL maintainer="));
    opslint(dir.path())
        .args(["--diff", "--select", "DKR013"])
        .assert()
        .code(0)
        .stdout("");
    // stdin --fix prints the fixed text only
    opslint(dir.path())
        .args([
            "--stdin-filename",
            "Dockerfile",
            "--fix",
            "--select",
            "DKR013",
        ])
        .write_stdin(original)
        .assert()
        .stdout(
            predicate::str::contains("LABEL maintainer=")
                .and(predicate::str::contains("MAINTAINER").not()),
        );
}

#[test]
fn secrets_are_masked_in_source_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let token = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
    fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM alpine:latest\nENV GITHUB_TOKEN={token}\n"),
    )
    .unwrap();
    opslint(dir.path())
        .args(["--select", "ALL"])
        .assert()
        .stdout(predicate::str::contains(token).not());
}

#[test]
fn secrets_allow_list_in_lint_toml() {
    let dir = tempfile::tempdir().unwrap();
    let text = "FROM alpine:3.19\nENV DB_PASSWORD=hunter2-Prod-9x API_KEY=Zr8Kp2Lq9Xw4Vb7\n";
    fs::write(dir.path().join("Dockerfile"), text).unwrap();
    let sec_lines = |dir: &Path| -> Vec<String> {
        let out = opslint(dir)
            .args(["--select", "SEC", "--output-format", "concise"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| l.contains(" SEC"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(sec_lines(dir.path()).len(), 2);
    // A name and a value in the allow list: neither is reported.
    fs::write(
        dir.path().join("lint.toml"),
        "[secrets]\nallow = [\"DB_PASSWORD\", \"Zr8Kp2Lq9Xw4Vb7\"]\n",
    )
    .unwrap();
    assert_eq!(sec_lines(dir.path()), Vec::<String>::new());
}
