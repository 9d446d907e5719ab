//! `--write-baseline` / `--baseline`: counts per file per rule, ESLint-style. The commands are
//! the ones README.md gives.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{json, Value};
use std::fs;
use std::path::Path;

fn opslint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("opslint").unwrap();
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

fn write(dir: &Path, path: &str, content: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

const OLD: &str = "FROM node:latest\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\n";

fn codes(out: &[u8]) -> Vec<String> {
    let v: Value = serde_json::from_slice(out).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}",
                d["path"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn write_then_clean_then_new_finding_then_stale() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "app/Dockerfile", OLD);
    write(d, "web/Dockerfile", OLD);
    opslint(d).arg("check").assert().code(1);

    // Record: the run reports nothing and exits 0.
    opslint(d)
        .args(["check", "--write-baseline", "opslint-baseline.json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("All checks passed!"))
        .stderr(predicate::str::contains(
            "Wrote opslint-baseline.json: 4 findings in 2 files.",
        ));
    let text = fs::read_to_string(d.join("opslint-baseline.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let files: Vec<&str> = v["files"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(files, ["app/Dockerfile", "web/Dockerfile"]);
    assert_eq!(v["opslint-baseline"], json!(1));
    assert_eq!(
        v["files"]["app/Dockerfile"],
        json!({"DKR003": 1, "DKR043": 1})
    );
    assert!(!text.contains("\"line"), "no line numbers: {text}");

    // Stable: writing again gives the same bytes, from another folder too.
    opslint(d)
        .args(["check", "--write-baseline", "opslint-baseline.json"])
        .assert()
        .code(0);
    assert_eq!(
        fs::read_to_string(d.join("opslint-baseline.json")).unwrap(),
        text
    );
    opslint(&d.join("app"))
        .args([
            "check",
            "..",
            "--write-baseline",
            "../opslint-baseline.json",
        ])
        .assert()
        .code(0);
    assert_eq!(
        fs::read_to_string(d.join("opslint-baseline.json")).unwrap(),
        text
    );

    // Clean run against it, also after unrelated edits that move the finding.
    write(d, "app/Dockerfile", &format!("# the api\n\n{OLD}"));
    opslint(d)
        .args(["check", "--baseline", "opslint-baseline.json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("All checks passed!"))
        .stderr(predicate::str::is_empty());
    // From a subfolder, with the baseline named relative to it.
    opslint(&d.join("app"))
        .args(["check", "--baseline", "../opslint-baseline.json"])
        .assert()
        .code(0);

    // A new finding of the same rule in the same file: all of that rule's findings there.
    write(
        d,
        "app/Dockerfile",
        "FROM node:latest AS build\nFROM python:latest\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\n",
    );
    let out = opslint(d)
        .args([
            "check",
            "--baseline",
            "opslint-baseline.json",
            "--output-format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let found = codes(&out);
    assert_eq!(
        found
            .iter()
            .filter(|c| *c == "app/Dockerfile:DKR003")
            .count(),
        2,
        "{found:?}"
    );
    assert!(!found.iter().any(|c| c.starts_with("web/")), "{found:?}");
    // Below --fail-on, what is reported does not fail the run.
    opslint(d)
        .args([
            "check",
            "--baseline",
            "opslint-baseline.json",
            "--fail-on",
            "error",
        ])
        .assert()
        .code(0);

    // Fix web/Dockerfile: its entry is stale, said on stderr, and the run is clean.
    write(d, "app/Dockerfile", OLD);
    write(
        d,
        "web/Dockerfile",
        "FROM node:22\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\n",
    );
    opslint(d)
        .args(["check", "--baseline", "opslint-baseline.json"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "opslint-baseline.json has 1 stale entry",
        ))
        .stderr(predicate::str::contains(
            "web/Dockerfile: DKR003 recorded 1, found 0",
        ));
    // Linting only another file says nothing about web/Dockerfile (pre-commit passes a few files).
    opslint(d)
        .args([
            "check",
            "app/Dockerfile",
            "--baseline",
            "opslint-baseline.json",
        ])
        .assert()
        .code(0)
        .stderr(predicate::str::is_empty());

    // Shrink: stale entries go, a new finding is not taken in.
    write(d, "api/Dockerfile", OLD);
    opslint(d)
        .args([
            "check",
            "--baseline",
            "opslint-baseline.json",
            "--write-baseline",
            "opslint-baseline.json",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("api/Dockerfile"));
    let v: Value =
        serde_json::from_str(&fs::read_to_string(d.join("opslint-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(
        v["files"],
        json!({"app/Dockerfile": {"DKR003": 1, "DKR043": 1}, "web/Dockerfile": {"DKR043": 1}})
    );

    // A deleted file's entries are stale.
    fs::remove_file(d.join("app/Dockerfile")).unwrap();
    opslint(d)
        .args(["check", "web", "--baseline", "opslint-baseline.json"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "app/Dockerfile: DKR003 recorded 1, found 0",
        ))
        .stderr(predicate::str::contains(
            "app/Dockerfile: DKR043 recorded 1, found 0",
        ));
}

#[test]
fn bad_baselines_are_run_failures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Dockerfile", OLD);
    for (content, says) in [
        ("not json", "is not an opslint baseline"),
        ("[]", "is not an opslint baseline"),
        (r#"{"files": {}}"#, "is not an opslint baseline"),
        (
            r#"{"opslint-baseline": 1, "files": {"Dockerfile": {"DKR003": "one"}}}"#,
            "is not an opslint baseline",
        ),
        (
            r#"{"opslint-baseline": 1, "files": {}, "extra": 1}"#,
            "is not an opslint baseline",
        ),
        (
            r#"{"opslint-baseline": 9, "files": {}}"#,
            "format version 9",
        ),
        (
            r#"{"opslint-baseline": 1, "files": {"Dockerfile": {"DKR003": 0}}}"#,
            "is 0",
        ),
    ] {
        write(d, "b.json", content);
        opslint(d)
            .args(["check", "--baseline", "b.json"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    opslint(d)
        .args(["check", "--baseline", "missing.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read the baseline missing.json",
        ));
    // A bad baseline stops the run before --fix writes anything.
    write(d, "b.json", "not json");
    write(d, "Dockerfile", "FROM alpine:3.19\nMAINTAINER me\n");
    opslint(d)
        .args(["check", "--fix", "--unsafe-fixes", "--baseline", "b.json"])
        .assert()
        .code(2);
    assert_eq!(
        fs::read_to_string(d.join("Dockerfile")).unwrap(),
        "FROM alpine:3.19\nMAINTAINER me\n"
    );
}

#[test]
fn baseline_from_stdin_and_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Dockerfile", OLD);
    opslint(d)
        .args(["check", "--write-baseline", "b.json"])
        .assert()
        .code(0);
    opslint(d)
        .args([
            "check",
            "--stdin-filename",
            "Dockerfile",
            "--baseline",
            "b.json",
        ])
        .write_stdin(OLD)
        .assert()
        .code(0);
    opslint(d)
        .args(["check", "--baseline", "b.json", "--statistics"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("DKR003").not());
}

/// The commands of README.md's baseline section, in order, on a repository with one finding.
#[test]
fn readme_commands() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let at = readme.find("## Adopting it in an old repository").unwrap();
    let block = &readme[at..];
    let start = block.find("```sh\n").unwrap() + "```sh\n".len();
    let end = start + block[start..].find("```").unwrap();
    let commands: Vec<Vec<&str>> = block[start..end]
        .lines()
        .map(|l| l.split('#').next().unwrap().split_whitespace().collect())
        .collect();
    assert_eq!(commands.len(), 3, "{commands:?}");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Dockerfile", OLD);
    let run = |words: &[&str]| {
        assert_eq!(words[0], "opslint");
        opslint(d).args(&words[1..]).assert()
    };
    run(&commands[0]).code(0); // write
    run(&commands[1]).code(0); // nothing new
    write(d, "api/Dockerfile", OLD);
    run(&commands[1]).code(1); // a new file's findings
    fs::remove_file(d.join("Dockerfile")).unwrap();
    run(&commands[2])
        .code(1)
        .stderr(predicate::str::contains("2 stale entries"));
    run(&commands[1]).code(1).stderr(predicate::str::is_empty());
    let v: Value =
        serde_json::from_str(&fs::read_to_string(d.join("opslint-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(v["files"], json!({}));
}
