//! The README's first command lints `examples/`: snapshots of what a user sees there, in the
//! human (`full`) and machine (`json`, `gitlab`, `sarif`) formats, run from the repository root
//! so paths are relative. The bad examples must show their problems at exact positions;
//! `examples/web` is the good example and must stay silent, and so must the hardened Kubernetes
//! manifests of `examples/k8s-hardened` under every rule, the off-by-default ones included.

use assert_cmd::Command;
use std::path::Path;

fn run(args: &[&str]) -> (String, i32) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::cargo_bin("opslint")
        .unwrap()
        .current_dir(root)
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn examples_full() {
    let (out, code) = run(&["check", "examples"]);
    assert_eq!(code, 1);
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        insta::assert_snapshot!("examples_full", out);
    });
}

#[test]
fn examples_json() {
    let (out, code) = run(&["check", "examples", "--output-format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        insta::assert_json_snapshot!("examples_json", v);
    });
}

#[test]
fn the_good_example_is_silent() {
    let (out, code) = run(&["check", "examples/web", "--output-format", "concise"]);
    assert_eq!((out.as_str(), code), ("All checks passed!\n", 0));
}

#[test]
fn the_hardened_manifests_are_silent_under_every_rule() {
    let (out, code) = run(&[
        "check",
        "examples/k8s-hardened",
        "--select",
        "ALL",
        "--output-format",
        "concise",
    ]);
    assert_eq!((out.as_str(), code), ("All checks passed!\n", 0));
}

#[test]
fn the_hardened_nginx_set_is_silent_under_every_nginx_rule() {
    let (out, code) = run(&[
        "check",
        "examples/web/nginx",
        "--select",
        "NGX",
        "--output-format",
        "concise",
    ]);
    assert_eq!((out.as_str(), code), ("All checks passed!\n", 0));
}

#[test]
fn examples_gitlab() {
    let (out, code) = run(&["check", "examples", "--output-format", "gitlab"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        insta::assert_json_snapshot!("examples_gitlab", v);
    });
}

#[test]
fn examples_sarif() {
    let (out, code) = run(&["check", "examples", "--output-format", "sarif"]);
    assert_eq!(code, 1);
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // The version changes with every release; the rest must not change by accident.
    let driver = &mut v["runs"][0]["tool"]["driver"];
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    driver["version"] = "[version]".into();
    driver["semanticVersion"] = "[version]".into();
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        insta::assert_json_snapshot!("examples_sarif", v);
    });
}
