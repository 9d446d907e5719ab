//! Hostile and broken input: each case ends in a clear finding or error on the file concerned,
//! the other files are still linted, and nothing is damaged. (Binary, Latin-1 and UTF-16 files
//! are covered in `tests/cli.rs`.)

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn opslint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("opslint").unwrap();
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

/// `check --isolated --select DKR013 --fix PATH` in `dir` (DKR013 has a safe fix).
fn fix_dkr013(dir: &Path, path: &str) -> std::process::Output {
    opslint(dir)
        .args(["check", "--isolated", "--select", "DKR013", "--fix", path])
        .output()
        .unwrap()
}

fn write(dir: &Path, path: &str, content: &[u8]) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

/// `check --isolated --select SEL --output-format json --exit-zero ARGS…` in `dir`: the exit
/// code and (path, code, line, column) of each finding.
fn lint(dir: &Path, select: &str, args: &[&str]) -> (i32, Vec<(String, String, u64, u64)>) {
    let out = opslint(dir)
        .args(["check", "--isolated", "--select", select])
        .args(["--output-format", "json", "--exit-zero"])
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Array(Vec::new()));
    let found = v
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["path"].as_str().unwrap_or_default().to_string(),
                        f["code"].as_str().unwrap_or_default().to_string(),
                        f["location"]["line"].as_u64().unwrap_or(0),
                        f["location"]["column"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (code, found)
}

fn has(found: &[(String, String, u64, u64)], path: &str, code: &str) -> bool {
    found.iter().any(|f| f.0 == path && f.1 == code)
}

#[test]
fn a_50_mb_file_is_ops001_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let line = b"RUN echo a line of a very large generated Dockerfile, over and over\n";
    let mut big = b"FROM alpine:3.19\n".to_vec();
    while big.len() < 50 * 1024 * 1024 {
        big.extend_from_slice(line);
    }
    write(dir.path(), "big/Dockerfile", &big);
    write(dir.path(), "small/Dockerfile", b"FROM alpine:latest\n");
    let (code, found) = lint(dir.path(), "OPS001,DKR003", &["."]);
    assert_eq!(code, 0);
    assert!(has(&found, "big/Dockerfile", "OPS001"), "{found:?}");
    assert!(has(&found, "small/Dockerfile", "DKR003"), "{found:?}");
}

#[test]
fn no_final_newline_and_crlf_keep_columns_and_fixes_right() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a/Dockerfile",
        b"FROM debian:12\r\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\r\nMAINTAINER ops@example.com\r\n",
    );
    write(
        dir.path(),
        "b/Dockerfile",
        b"FROM debian:12\nMAINTAINER ops@example.com",
    );
    let (_, found) = lint(dir.path(), "DKR013", &["."]);
    assert!(
        found.contains(&("a/Dockerfile".into(), "DKR013".into(), 3, 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&("b/Dockerfile".into(), "DKR013".into(), 2, 1)),
        "{found:?}"
    );
    opslint(dir.path())
        .args(["check", "--isolated", "--select", "DKR013", "--fix", "."])
        .assert()
        .code(0);
    let a = fs::read(dir.path().join("a/Dockerfile")).unwrap();
    let a = String::from_utf8(a).unwrap();
    assert!(
        a.ends_with("LABEL maintainer=\"ops@example.com\"\r\n"),
        "{a:?}"
    );
    assert_eq!(a.matches("\r\n").count(), 3, "line ends kept: {a:?}");
    let b = fs::read_to_string(dir.path().join("b/Dockerfile")).unwrap();
    assert_eq!(b, "FROM debian:12\nLABEL maintainer=\"ops@example.com\"");
}

#[test]
fn deep_nesting_in_every_language_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let n = 200_000;
    write(
        dir.path(),
        "deep.yaml",
        format!("apiVersion: v1\nkind: ConfigMap\ndata: {}", "[".repeat(n)).as_bytes(),
    );
    write(
        dir.path(),
        "nginx/nginx.conf",
        format!("http {{\n{}", "server { ".repeat(n)).as_bytes(),
    );
    write(
        dir.path(),
        "Jenkinsfile",
        format!("pipeline {{\n{}", "stage('a') { ".repeat(n)).as_bytes(),
    );
    write(dir.path(), "ok/Dockerfile", b"FROM alpine:latest\n");
    let (code, found) = lint(dir.path(), "OPS,K8S001,NGX001,JNK001,DKR003", &["."]);
    assert_eq!(code, 0);
    assert!(!found.iter().any(|f| f.1 == "OPS005"), "{found:?}");
    assert!(has(&found, "deep.yaml", "K8S001"), "{found:?}");
    assert!(has(&found, "nginx/nginx.conf", "NGX001"), "{found:?}");
    assert!(has(&found, "Jenkinsfile", "JNK001"), "{found:?}");
    // One finding for the unclosed blocks, not one per brace.
    for path in ["deep.yaml", "nginx/nginx.conf", "Jenkinsfile"] {
        let n = found.iter().filter(|f| f.0 == path).count();
        assert!(n < 10, "{n} findings on {path}");
    }
    assert!(has(&found, "ok/Dockerfile", "DKR003"), "{found:?}");
}

#[test]
fn a_yaml_alias_bomb_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    write(dir.path(), "bomb.yaml", bomb.as_bytes());
    let (code, found) = lint(dir.path(), "K8S001", &["."]);
    assert_eq!(code, 0);
    assert!(has(&found, "bomb.yaml", "K8S001"), "{found:?}");
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_do_not_stop_the_walk() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app/Dockerfile", b"FROM alpine:latest\n");
    fs::create_dir_all(dir.path().join("loop")).unwrap();
    symlink("..", dir.path().join("loop/up")).unwrap();
    symlink("self", dir.path().join("loop/self")).unwrap();
    symlink("missing/Dockerfile", dir.path().join("Dockerfile")).unwrap();
    let (code, found) = lint(dir.path(), "DKR003,OPS001", &["."]);
    assert_eq!(code, 0);
    assert!(has(&found, "app/Dockerfile", "DKR003"), "{found:?}");
}

/// Whether this process can read a file whose mode forbids it (root can).
#[cfg(unix)]
fn permissions_are_enforced(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join(".probe");
    fs::write(&probe, "x").unwrap();
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).unwrap();
    let enforced = fs::read(&probe).is_err();
    fs::remove_file(&probe).unwrap();
    enforced
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_ops001() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    if !permissions_are_enforced(dir.path()) {
        eprintln!("skipped: running as a user who reads any file");
        return;
    }
    write(dir.path(), "locked/Dockerfile", b"FROM alpine:latest\n");
    write(dir.path(), "open/Dockerfile", b"FROM alpine:latest\n");
    let locked = dir.path().join("locked/Dockerfile");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let (_, found) = lint(
        dir.path(),
        "OPS001,DKR003",
        &["locked/Dockerfile", "open/Dockerfile"],
    );
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
    assert!(has(&found, "locked/Dockerfile", "OPS001"), "{found:?}");
    assert!(has(&found, "open/Dockerfile", "DKR003"), "{found:?}");
}

/// A read-only file is reported and left as it is by `--fix`, even for a user who could
/// replace it (the fix is written by renaming a new file over it).
#[test]
fn fix_leaves_a_read_only_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = b"FROM debian:12\nMAINTAINER ops@example.com\n";
    write(dir.path(), "Dockerfile", text);
    let path = dir.path().join("Dockerfile");
    let mut perms = fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    fs::set_permissions(&path, perms.clone()).unwrap();
    let out = fix_dkr013(dir.path(), "Dockerfile");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write fixes to Dockerfile"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1), "the finding is still reported");
    assert_eq!(fs::read(&path).unwrap(), text);
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&path, perms).unwrap();
}

/// `--fix` in a folder where no temporary file can be created: the original is untouched.
#[cfg(unix)]
#[test]
fn fix_without_a_writable_folder_leaves_the_file_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    if !permissions_are_enforced(dir.path()) {
        eprintln!("skipped: running as a user who writes anywhere");
        return;
    }
    let text = b"FROM debian:12\nMAINTAINER ops@example.com\n";
    write(dir.path(), "ro/Dockerfile", text);
    let folder = dir.path().join("ro");
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o555)).unwrap();
    let out = fix_dkr013(dir.path(), "ro/Dockerfile");
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o755)).unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write fixes"));
    assert_eq!(fs::read(folder.join("Dockerfile")).unwrap(), text);
}

#[test]
fn a_config_that_is_not_toml_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lint.toml", b"\x00\x01 this is { not toml");
    write(dir.path(), "Dockerfile", b"FROM alpine:3.19\n");
    let out = opslint(dir.path()).args(["check", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lint.toml"));
}
