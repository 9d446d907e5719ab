//! End-to-end tests of the command line that need no engine findings: OPS rules, config
//! errors, exit codes, output formats, stdin, file discovery. Dockerfile-specific assertions
//! live in `tests/cli_dockerfile.rs`.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{json, Value};
use std::fs;
use std::path::Path;
use tempfile::TempDir;

fn opslint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("opslint").unwrap();
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS");
    cmd
}

fn write(dir: &Path, path: &str, content: &[u8]) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

/// A tree with one Latin-1 Dockerfile (OPS004, info) and a binary one (OPS001, error).
fn tree() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app/Dockerfile",
        b"FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\nLABEL author=\"Jos\xe9\"\n",
    );
    write(
        dir.path(),
        "bin/Dockerfile",
        b"\x7fELF\x02\x01\x01\x00\x00\x00",
    );
    dir
}

fn json_out(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stdout));
    })
}

#[test]
fn exit_0_when_clean() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        b"FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\n",
    );
    opslint(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("All checks passed!"));
    opslint(dir.path()).arg("check").arg(".").assert().code(0);
}

#[test]
fn exit_1_on_findings_and_exit_zero() {
    let dir = tree();
    opslint(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "Found 1 error, 0 warnings, 1 info.",
        ));
    opslint(dir.path()).arg("--exit-zero").assert().code(0);
}

#[test]
fn fail_on_threshold() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        b"FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\nLABEL x=\"caf\xe9\"\n",
    );
    opslint(dir.path()).assert().code(0); // info only
    opslint(dir.path())
        .args(["--fail-on", "info"])
        .assert()
        .code(1);
    write(dir.path(), "lint.toml", b"[lint]\nfail-on = \"info\"\n");
    opslint(dir.path()).assert().code(1);
    opslint(dir.path())
        .args(["--fail-on", "error"])
        .assert()
        .code(0); // CLI beats config
}

#[test]
fn exit_2_on_run_failures() {
    let dir = tree();
    opslint(dir.path())
        .arg("missing/Dockerfile")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing/Dockerfile"));
    opslint(dir.path()).arg("--bogus-flag").assert().code(2);
    opslint(dir.path())
        .args(["--select", "XYZ9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("XYZ9"));
    opslint(dir.path())
        .args(["--ignore", "DKR9"])
        .assert()
        .code(2);
    for bad in ["gitlab", "xml=x.xml", "=x.json", "gitlab="] {
        opslint(dir.path())
            .args(["--report", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--report"));
    }
    opslint(dir.path())
        .args(["--baseline", "b.json"])
        .assert()
        .code(2);
    opslint(dir.path())
        .args(["--output-format", "xml"])
        .assert()
        .code(2);
    // --exit-zero does not hide a run failure
    opslint(dir.path())
        .args(["--exit-zero", "nope"])
        .assert()
        .code(2);
    // `-` needs --stdin-filename
    opslint(dir.path()).arg("-").assert().code(2);
}

#[test]
fn json_shape_is_exact() {
    let dir = tree();
    let v = json_out(opslint(dir.path()).args(["--output-format", "json"]));
    assert_eq!(
        v,
        json!([
            {
                "path": "app/Dockerfile",
                "file_type": "dockerfile",
                "code": "OPS004",
                "name": "not-utf8",
                "severity": "info",
                "message": "file is not valid UTF-8: 1 invalid byte read as `?`",
                "help": "save the file as UTF-8",
                "url": null,
                "location": {"line": 4, "column": 18},
                "end_location": {"line": 4, "column": 19},
                "fix": null
            },
            {
                "path": "bin/Dockerfile",
                "file_type": "dockerfile",
                "code": "OPS001",
                "name": "unreadable-file",
                "severity": "error",
                "message": "binary file (a NUL byte in the first 8 KiB)",
                "help": null,
                "url": null,
                "location": {"line": 1, "column": 1},
                "end_location": {"line": 1, "column": 1},
                "fix": null
            }
        ])
    );
    // keys in the documented order
    let out = opslint(dir.path())
        .args(["--output-format", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let keys = [
        "\"path\"",
        "\"file_type\"",
        "\"code\"",
        "\"name\"",
        "\"severity\"",
        "\"message\"",
        "\"help\"",
        "\"url\"",
        "\"location\"",
        "\"end_location\"",
        "\"fix\"",
    ];
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
}

#[test]
fn json_lines_concise_and_full() {
    let dir = tree();
    let out = opslint(dir.path())
        .args(["--output-format", "json-lines"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["code"], "OPS001");

    opslint(dir.path())
        .args(["--output-format", "concise"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "app/Dockerfile:4:18: OPS004 [info] file is not valid UTF-8: 1 invalid byte read as `?`\n\
             bin/Dockerfile:1:1: OPS001 [error] binary file (a NUL byte in the first 8 KiB)\n",
        ));

    let out = opslint(dir.path()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("OPS004 not-utf8"), "{text}");
    assert!(text.contains("[app/Dockerfile:4:18]"), "{text}");
    assert!(text.contains("LABEL author=\"Jos?\""), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour and no links in a pipe: {text:?}"
    );
    let out = opslint(dir.path())
        .args(["--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains('\u{1b}'));
}

#[test]
fn quiet_statistics_and_output_file() {
    let dir = tree();
    opslint(dir.path())
        .arg("-q")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Found").not());
    let v = json_out(opslint(dir.path()).args(["--statistics", "--output-format", "json"]));
    assert_eq!(
        v,
        json!([
            {"code": "OPS001", "name": "unreadable-file", "count": 1, "fixable": false},
            {"code": "OPS004", "name": "not-utf8", "count": 1, "fixable": false}
        ])
    );
    opslint(dir.path())
        .arg("--statistics")
        .assert()
        .stdout(predicate::str::contains("1\tOPS001\t[ ] unreadable-file"));
    opslint(dir.path())
        .args(["-o", "report.json", "--output-format", "json"])
        .assert()
        .code(1)
        .stdout("");
    let report: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report.as_array().unwrap().len(), 2);
}

#[test]
fn config_errors_point_into_the_toml() {
    let dir = tree();
    let cases: [(&str, &str, &str); 5] = [
        (
            "[lint]\nselect = [\"OPS\"]\nbogus = true\n",
            "lint.toml:3:1",
            "bogus",
        ),
        (
            "[lint]\nignore = [\"OPS004\", \"NOPE42\"]\n",
            "lint.toml:2:21",
            "NOPE42",
        ),
        ("[files]\nmax-size = [1]\n", "lint.toml:2:12", "size"),
        (
            "[jenkinsfile]\nmax-script-lines = \"many\"\n",
            "lint.toml:2:",
            "invalid type",
        ),
        (
            "[lint.severity]\nOPS004 = \"fatal\"\n",
            "lint.toml:2:10",
            "fatal",
        ),
    ];
    for (toml, place, word) in cases {
        write(dir.path(), "lint.toml", toml.as_bytes());
        opslint(dir.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(place).and(predicate::str::contains(word)));
    }
    // --isolated ignores the broken config; --config picks another one
    opslint(dir.path()).arg("--isolated").assert().code(1);
    write(dir.path(), "other.toml", b"[lint]\nignore = [\"OPS001\"]\n");
    opslint(dir.path())
        .args(["--config", "other.toml"])
        .assert()
        .code(0);
}

#[test]
fn of_several_bad_configs_the_first_in_path_order_is_reported() {
    // The walk is parallel and its order varies: the error reported must not.
    let dir = tempfile::tempdir().unwrap();
    for name in ["a", "b", "c", "d", "e", "f", "g", "h"] {
        write(
            dir.path(),
            &format!("{name}/Dockerfile"),
            b"FROM alpine:3.19\n",
        );
        let toml = format!("[lint]\nbogus_{name} = true\n");
        write(dir.path(), &format!("{name}/lint.toml"), toml.as_bytes());
    }
    for _ in 0..8 {
        opslint(dir.path()).assert().code(2).stderr(
            predicate::str::contains("bogus_a").and(predicate::str::contains("a/lint.toml")),
        );
    }
}

#[test]
fn nearest_config_wins_with_per_file_ignores_and_severity() {
    let dir = tree();
    write(
        dir.path(),
        "lint.toml",
        b"[lint.severity]\nnot-utf8 = \"error\"\n",
    );
    let v = json_out(opslint(dir.path()).args(["--output-format", "json"]));
    assert_eq!(v[0]["severity"], "error");
    // a nearer config replaces it entirely (no merging)
    write(
        dir.path(),
        "bin/lint.toml",
        b"[lint.per-file-ignores]\n\"Dockerfile\" = [\"OPS\"]\n",
    );
    let v = json_out(opslint(dir.path()).args(["--output-format", "json"]));
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["code"], "OPS004");
    // selection: CLI --select replaces the configured one
    let v = json_out(opslint(dir.path()).args([
        "--output-format",
        "json",
        "--select",
        "OPS001",
        "--isolated",
    ]));
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["code"], "OPS001");
    write(dir.path(), "lint.toml", b"[files]\nexclude = [\"bin\"]\n");
    let v = json_out(opslint(dir.path()).args(["--output-format", "json"]));
    assert_eq!(v.as_array().unwrap().len(), 1);
}

#[test]
fn oversized_and_utf16_files_are_ops001() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        &b"FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\n".repeat(10),
    );
    write(dir.path(), "lint.toml", b"[files]\nmax-size = 100\n");
    let v = json_out(opslint(dir.path()).args(["--output-format", "json"]));
    assert_eq!(v[0]["code"], "OPS001");
    let message = v[0]["message"].as_str().unwrap();
    assert!(
        message.contains("520 bytes") && message.contains("100 bytes"),
        "{message}"
    );
    write(dir.path(), "lint.toml", b"[files]\nmax-size = \"1KiB\"\n");
    opslint(dir.path()).assert().code(0);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("FROM alpine\n".encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    write(dir.path(), "Dockerfile", &utf16);
    let v = json_out(opslint(dir.path()).args(["--output-format", "json"]));
    assert!(v[0]["message"].as_str().unwrap().contains("UTF-16"));
}

#[test]
fn stdin() {
    let dir = tempfile::tempdir().unwrap();
    let v = json_out(
        opslint(dir.path())
            .args([
                "--stdin-filename",
                "docker/Dockerfile",
                "--output-format",
                "json",
            ])
            .write_stdin(
                b"FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\nLABEL x=\"caf\xe9\"\n"
                    .to_vec(),
            ),
    );
    assert_eq!(v[0]["path"], "docker/Dockerfile");
    assert_eq!(v[0]["code"], "OPS004");
    // --fix prints the file (as it is) on stdout and nothing else
    opslint(dir.path())
        .args(["--stdin-filename", "Dockerfile", "--fix"])
        .write_stdin("FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\n")
        .assert()
        .code(0)
        .stdout("FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\n");
    opslint(dir.path())
        .args(["--stdin-filename", "Dockerfile", "--fix"])
        .write_stdin(
            b"FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\nLABEL x=\"caf\xe9\"\n"
                .to_vec(),
        )
        .assert()
        .stdout(predicate::eq(
            &b"FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\nLABEL x=\"caf\xe9\"\n"[..],
        ));
    opslint(dir.path())
        .args(["--stdin-filename", "Dockerfile", "--fix"])
        .write_stdin(
            b"\xEF\xBB\xBFFROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\n".to_vec(),
        )
        .assert()
        .code(0)
        .stdout(predicate::eq(
            &b"\xEF\xBB\xBFFROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\n"[..],
        ));
    opslint(dir.path())
        .args(["--stdin-filename", "notes.txt"])
        .write_stdin("hello")
        .assert()
        .code(2);
    opslint(dir.path())
        .args(["--stdin-filename", "x.txt", "--type", "dockerfile"])
        .write_stdin("FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\n")
        .assert()
        .code(0);
}

#[test]
fn show_files_detects_all_four_types() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Dockerfile", b"FROM a\n");
    write(d, "svc/api.Dockerfile", b"FROM a\n");
    write(d, "Jenkinsfile", b"pipeline {}\n");
    write(d, "ci/release.groovy", b"node('linux') {\n  sh 'make'\n}\n");
    write(d, "ci/util.groovy", b"def x() {}\n");
    write(
        d,
        "deploy/web.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\n",
    );
    write(d, "deploy/values.yaml", b"replicas: 2\n");
    write(
        d,
        "nginx/nginx.conf",
        b"events {}\nhttp {\n  server_tokens off;\n}\n",
    );
    write(
        d,
        "nginx/certs/site.key",
        b"-----BEGIN PRIVATE KEY-----\nMII\n",
    );
    write(d, ".hidden/Dockerfile", b"FROM a\n");
    write(d, "ignored/Dockerfile", b"FROM a\n");
    write(d, ".gitignore", b"ignored/\n");
    write(d, "templates/web.yml.j2", b"kind: {{ k }}\n");
    write(
        d,
        "lint.toml",
        b"[files]\nkubernetes = [\"templates/*.yml.j2\"]\n",
    );
    opslint(d).arg("--show-files").assert().code(0).stdout(
        ".hidden/Dockerfile  dockerfile\n\
         Dockerfile  dockerfile\n\
         Jenkinsfile  jenkinsfile\n\
         ci/release.groovy  jenkinsfile\n\
         deploy/web.yaml  kubernetes\n\
         nginx/nginx.conf  nginx\n\
         svc/api.Dockerfile  dockerfile\n\
         templates/web.yml.j2  kubernetes\n",
    );
    opslint(d)
        .args(["--show-files", "-v"])
        .assert()
        .stdout(predicate::str::contains("deploy/values.yaml  skipped"))
        .stdout(predicate::str::contains("ignored/").not());
    // an explicit file is always considered; --type forces its type
    opslint(d)
        .args([
            "--show-files",
            "ignored/Dockerfile",
            "deploy/values.yaml",
            "--type",
            "kubernetes",
        ])
        .assert()
        .stdout("deploy/values.yaml  kubernetes\nignored/Dockerfile  kubernetes\n");
    opslint(d)
        .args(["--show-files", "./ci"])
        .assert()
        .stdout("ci/release.groovy  jenkinsfile\n");
}

#[test]
fn init_writes_once() {
    let dir = tempfile::tempdir().unwrap();
    opslint(dir.path()).arg("init").assert().code(0);
    let text = fs::read_to_string(dir.path().join("lint.toml")).unwrap();
    assert!(text.contains("[lint]"));
    assert!(text.contains("[kubernetes]\n# target-version = \"1.30\""));
    opslint(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    // the starter config is valid
    write(
        dir.path(),
        "Dockerfile",
        b"FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\n",
    );
    opslint(dir.path()).assert().code(0);
}

#[test]
fn rule_command() {
    let dir = tempfile::tempdir().unwrap();
    opslint(dir.path())
        .args(["rule", "unused-suppression"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("## What it does"));
    opslint(dir.path()).args(["rule", "NOPE"]).assert().code(2);
    let v = json_out(opslint(dir.path()).args(["rule", "--all", "--output-format", "json"]));
    assert_eq!(
        v[0],
        json!({
            "code": "OPS001", "name": "unreadable-file", "file_type": "any", "severity": "error",
            "default": true, "fix": "none",
            "summary": "a file that cannot be read, is binary (a NUL byte in its first 8 KiB), is UTF-16/32, or is over `[files] max-size` (default 10 MiB)"
        })
    );
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        let out = opslint(dir.path()).args(["rule", "--all"]).output().unwrap();
        // Only the header and the cross-cutting rules: the engines add their rows.
        let text = String::from_utf8(out.stdout).unwrap();
        let ops: String = text
            .lines()
            .filter(|l| l.starts_with("code") || l.starts_with("OPS"))
            .map(|l| format!("{l}\n"))
            .collect();
        insta::assert_snapshot!("rule_all_ops", ops);
    });
    opslint(dir.path()).arg("--version").assert().code(0);
    opslint(dir.path()).arg("--help").assert().code(0);
}

#[test]
fn full_report_snapshot() {
    let dir = tree();
    let out = opslint(dir.path()).output().unwrap();
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        insta::assert_snapshot!("full_report", String::from_utf8(out.stdout).unwrap());
    });
}
