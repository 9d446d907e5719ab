//! No output of opslint contains a secret: not the findings of the SEC rules, not the source
//! lines shown around any other finding, not a fix, a diff or a statistic — whether or not the
//! SEC rules are selected. Every output format is listed here; a format added later must be
//! added to `FORMATS`.

use assert_cmd::Command;
use std::fs;

const FORMATS: &[&str] = &[
    "full",
    "concise",
    "json",
    "json-lines",
    "sarif",
    "gitlab",
    "checkstyle",
    "junit",
    "github",
];

/// Fake secrets, assembled at run time so this file does not look like it holds any.
fn secrets() -> Vec<String> {
    vec![
        "hunter2-Prod-9x".to_string(),
        "Zr8Kp2Lq9Xw4Vb7".to_string(),
        "RootPass123xyz".to_string(),
        "Xk9mQ2vL7zzT".to_string(),
        format!("ghp_{}", "R7tK2mX9qL4vN8wZ3cB6yD1fH5jP0sA2uE4g"),
        format!("AKIA{}", "Z3MSJV4WWNKWW5FG"),
        "UrlPa55w0rdQ".to_string(),
        "CmdPass99887".to_string(),
    ]
}

fn dockerfile(s: &[String]) -> String {
    format!(
        "FROM alpine:latest\n\
         MAINTAINER ops@example.com\n\
         ENV DB_PASSWORD={0}\n\
         ARG API_TOKEN={1}\n\
         # release token {4}\n\
         RUN mysql -uroot -p{2} -e 'select 1' | tee /tmp/out\n\
         RUN curl -u deploy:{3} https://repo.example.com/a.tgz | tar xz\n\
         LABEL source=\"https://ci:{6}@git.example.com/r.git\" aws={5}\n\
         FOO bar\n\
         CMD mysql -p{7} db\n",
        s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
    )
}

/// The strings that must never be printed: each secret and its middle part.
fn forbidden(s: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for secret in s {
        out.push(secret.clone());
        if secret.len() >= 8 {
            out.push(secret[2..secret.len() - 2].to_string());
        }
    }
    out
}

fn assert_clean(args: &[&str], dir: &std::path::Path, s: &[String]) {
    let out = Command::cargo_bin("opslint")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stdout.is_empty() || !stderr.is_empty(),
        "{args:?} printed nothing: the test would prove nothing"
    );
    for f in forbidden(s) {
        assert!(
            !stdout.contains(&f),
            "{args:?} printed a secret on stdout:\n{stdout}"
        );
        assert!(
            !stderr.contains(&f),
            "{args:?} printed a secret on stderr:\n{stderr}"
        );
    }
}

#[test]
fn no_output_format_prints_a_secret() {
    let s = secrets();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("Dockerfile"), dockerfile(&s)).unwrap();
    let d = dir.path();
    for format in FORMATS {
        for select in [&["--select", "ALL"][..], &["--ignore", "SEC"][..]] {
            let mut args = vec!["check", "--isolated", "--output-format", format];
            args.extend_from_slice(select);
            assert_clean(&args, d, &s);
            let mut with_fixes = args.clone();
            with_fixes.push("--show-fixes");
            assert_clean(&with_fixes, d, &s);
        }
    }
    assert_clean(&["--isolated", "--statistics", "--select", "ALL"], d, &s);
    assert_clean(
        &["--isolated", "--diff", "--unsafe-fixes", "--select", "ALL"],
        d,
        &s,
    );
    assert_clean(
        &["--isolated", "--diff", "--unsafe-fixes", "--ignore", "SEC"],
        d,
        &s,
    );
}

#[test]
fn no_report_file_holds_a_secret() {
    let s = secrets();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("Dockerfile"), dockerfile(&s)).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = [
        "check",
        "--isolated",
        "--select",
        "ALL",
        "--output-format",
        "concise",
    ]
    .map(String::from)
    .to_vec();
    for format in FORMATS {
        args.push("--report".into());
        args.push(format!(
            "{format}={}",
            out_dir.path().join(format).display()
        ));
    }
    Command::cargo_bin("opslint")
        .unwrap()
        .current_dir(dir.path())
        .args(&args)
        .assert()
        .code(1);
    for format in FORMATS {
        let text = fs::read_to_string(out_dir.path().join(format)).unwrap();
        assert!(!text.is_empty(), "{format}: empty report");
        for f in forbidden(&s) {
            assert!(
                !text.contains(&f),
                "--report {format} wrote a secret:\n{text}"
            );
        }
    }
}

#[test]
fn the_sec_rules_find_every_fixture_secret() {
    let s = secrets();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("Dockerfile"), dockerfile(&s)).unwrap();
    let out = Command::cargo_bin("opslint")
        .unwrap()
        .current_dir(dir.path())
        .args(["--isolated", "--select", "SEC", "--output-format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines: Vec<u64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["line"].as_u64().unwrap())
        .collect();
    // ENV, ARG, comment token, mysql -p, curl -u, URL, AWS key, CMD mysql -p.
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 8, 10], "{v:#}");
}

#[test]
fn stdin_fix_prints_the_file_as_it_is() {
    let s = secrets();
    let text = dockerfile(&s);
    let out = Command::cargo_bin("opslint")
        .unwrap()
        .args(["--isolated", "--stdin-filename", "Dockerfile", "--fix"])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    // The output is the user's own file (fixed): its secrets are theirs to see.
    assert!(printed.contains(&s[0]), "{printed}");
}
