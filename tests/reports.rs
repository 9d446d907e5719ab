//! The CI report formats end to end: `--report FORMAT=FILE` beside the human output, GitLab
//! fingerprints that survive unrelated edits, exact GitHub annotations, and the `--fix`
//! summaries. Schema validation of every format is `tests/validate_reports.py` (run by `.ci/run`).

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn opslint(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("opslint")
        .unwrap()
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .arg("--isolated")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn gitlab(dir: &Path) -> Vec<serde_json::Value> {
    let (out, _) = opslint(dir, &["--output-format", "gitlab"]);
    serde_json::from_str::<Vec<serde_json::Value>>(&out).unwrap()
}

fn prints(issues: &[serde_json::Value]) -> Vec<(String, String)> {
    issues
        .iter()
        .map(|i| {
            (
                i["check_name"].as_str().unwrap().to_string(),
                i["fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn report_files_beside_the_human_output() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("Dockerfile"), "FROM node:latest\n").unwrap();
    let (out, code) = opslint(
        dir.path(),
        &[
            "--output-format",
            "concise",
            "--report",
            "gitlab=gl-code-quality-report.json",
            "--report",
            "JUnit=junit.xml",
        ],
    );
    assert_eq!(code, 1);
    assert!(out.contains("Dockerfile:1:6: DKR003 [warning]"), "{out}");
    let report = fs::read_to_string(dir.path().join("gl-code-quality-report.json")).unwrap();
    let (direct, _) = opslint(dir.path(), &["--output-format", "gitlab"]);
    assert_eq!(report, direct);
    assert!(!report.starts_with('\u{feff}'));
    assert!(dir.path().join("junit.xml").exists());
    let (_, code) = opslint(
        dir.path(),
        &["--report", "junit=junit.xml", "-o", "out.txt"],
    );
    assert_eq!(code, 1);
    assert!(fs::read_to_string(dir.path().join("junit.xml"))
        .unwrap()
        .contains("<testcase name=\"DKR003 Dockerfile:1:6\""));
    assert!(fs::read_to_string(dir.path().join("out.txt"))
        .unwrap()
        .contains("DKR003"));
}

#[test]
fn unwritable_report_is_a_run_failure() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("Dockerfile"), "FROM node:latest\n").unwrap();
    let (_, code) = opslint(dir.path(), &["--report", "gitlab=missing/dir/r.json"]);
    assert_eq!(code, 2);
}

#[test]
fn fingerprints_survive_unrelated_edits() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    fs::write(
        &file,
        "FROM node:latest\nMAINTAINER me\nRUN sudo ls\nRUN sudo ls\n",
    )
    .unwrap();
    let before = prints(&gitlab(dir.path()));
    // Identical findings on identical lines are told apart.
    let sudo: Vec<&String> = before
        .iter()
        .filter(|(c, _)| c == "DKR020")
        .map(|(_, f)| f)
        .collect();
    assert_eq!(sudo.len(), 2);
    assert_ne!(sudo[0], sudo[1]);
    let mut all: Vec<&String> = before.iter().map(|(_, f)| f).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), before.len());
    // Lines inserted above and whitespace changed: the same fingerprints.
    fs::write(
        &file,
        "# syntax=docker/dockerfile:1\n\nFROM node:latest\nMAINTAINER   me\n\nRUN sudo ls\nRUN sudo ls\n",
    )
    .unwrap();
    let mut after = prints(&gitlab(dir.path()));
    let mut before = before;
    before.sort();
    after.sort();
    assert_eq!(before, after);
}

#[test]
fn github_annotations_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("a,b")).unwrap();
    fs::write(
        dir.path().join("a,b/Dockerfile"),
        "FROM alpine:3.20\nUSER 10001\nHEALTHCHECK NONE\nMAINTAINER me\nCMD [\"x\"]\n",
    )
    .unwrap();
    let (out, code) = opslint(dir.path(), &["--output-format", "github"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "::warning file=a%2Cb/Dockerfile,line=4,col=1,endLine=4,endColumn=11,title=DKR013::\
         `MAINTAINER` is deprecated%0Ahelp: write the maintainer as a label: `LABEL maintainer=\"…\"`\n"
    );
}

#[test]
fn fix_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    let text = "FROM alpine:3.20\nMAINTAINER x\nUSER 10001\nHEALTHCHECK NONE\nCMD npm start\n";
    fs::write(&file, text).unwrap();
    let (out, _) = opslint(dir.path(), &["--output-format", "concise"]);
    assert!(
        out.ends_with("[*] 1 fixable with `--fix` (1 more with `--unsafe-fixes`).\n"),
        "{out}"
    );
    let (out, _) = opslint(
        dir.path(),
        &["--output-format", "concise", "--fix", "--show-fixes"],
    );
    assert!(
        out.contains("Fixed 1 finding:\n- Dockerfile:\n    1 × DKR013 (maintainer-deprecated)\n"),
        "{out}"
    );
    assert!(
        out.ends_with("No safe fixes available (1 fixable with `--fix --unsafe-fixes`).\n"),
        "{out}"
    );
}
