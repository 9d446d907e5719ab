//! End-to-end checks of the nginx engine through the command line: a configuration set on
//! disk (a fragment linted in the context its root includes it in), stdin, `--fix` of
//! NGX005, lint.toml's `[nginx]` table and the hidden `debug nginx-tree`.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn opslint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("opslint").unwrap();
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// `(path, code, line, column)` of every finding of a JSON report.
fn findings(out: &[u8]) -> Vec<(String, String, u64, u64)> {
    let v: Value = serde_json::from_slice(out).unwrap();
    let mut f: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().replace('\\', "/"),
                f["code"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    f.sort();
    f
}

#[test]
fn a_set_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "nginx/nginx.conf",
        "events {}\nhttp {\n    include conf.d/*.conf;\n    include missing.conf;\n}\n",
    );
    // Included in http: `server` is right, `proxy_pass` at its top level is not.
    write(
        d,
        "nginx/conf.d/site.conf",
        "server {\n    listen 80;\n    location / { proxy_pas http://a; }\n}\nproxy_pass http://b;\n",
    );
    let out = opslint(d)
        .args([
            "check",
            "--isolated",
            "--output-format",
            "json",
            "--select",
            "NGX",
            "nginx",
        ])
        .output()
        .unwrap();
    assert_eq!(
        findings(&out.stdout),
        [
            ("nginx/conf.d/site.conf".into(), "NGX002".into(), 3, 18),
            ("nginx/conf.d/site.conf".into(), "NGX003".into(), 5, 1),
            ("nginx/nginx.conf".into(), "NGX006".into(), 4, 13),
        ]
    );
}

#[test]
fn stdin_skips_includes_and_guessed_contexts() {
    let dir = tempfile::tempdir().unwrap();
    let out = opslint(dir.path())
        .args([
            "check",
            "--isolated",
            "--stdin-filename",
            "site.conf",
            "--type",
            "nginx",
            "--output-format",
            "json",
            "--select",
            "NGX",
        ])
        .write_stdin("include missing.conf;\nproxy_pass http://b;\nlisten 80\nserver_name a;\n")
        .output()
        .unwrap();
    let codes: Vec<String> = findings(&out.stdout).into_iter().map(|f| f.1).collect();
    assert_eq!(codes, ["NGX001"]);
}

#[test]
fn fix_removes_an_identical_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "nginx.conf",
        "events {}\nhttp {\n    gzip on;\n    gzip on;\n}\n",
    );
    opslint(d)
        .args([
            "check",
            "--isolated",
            "--select",
            "NGX005",
            "--fix",
            "nginx.conf",
        ])
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(d.join("nginx.conf")).unwrap(),
        "events {}\nhttp {\n    gzip on;\n}\n"
    );
}

#[test]
fn extra_directives_from_lint_toml() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "lint.toml",
        "[nginx]\nextra-directives = [{ name = \"more_set_headers\", contexts = [\"server\"] }]\n",
    );
    write(
        d,
        "nginx.conf",
        "events {}\nhttp {\n    server {\n        more_set_headers \"X: y\";\n    }\n    more_set_headers \"X: y\";\n}\n",
    );
    let out = opslint(d)
        .args([
            "check",
            "--output-format",
            "json",
            "--select",
            // The structure rules: what extra-directives changes.
            "NGX001,NGX002,NGX003,NGX004,NGX005,NGX006",
            "nginx.conf",
        ])
        .output()
        .unwrap();
    let f: Vec<(String, u64)> = findings(&out.stdout)
        .into_iter()
        .map(|f| (f.1, f.2))
        .collect();
    assert_eq!(f, [("NGX003".to_string(), 6)]);
}

#[test]
fn debug_tree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.conf", "http {\n  server { listen 80; }\n}\n");
    let out = opslint(d)
        .args(["debug", "nginx-tree", "a.conf"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["parsed"][0]["block"][0]["block"][0]["args"][0], "80");
}
