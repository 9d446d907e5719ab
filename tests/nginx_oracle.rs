//! `nginx -t` as an oracle: every fixture under tests/nginx_t/ (self-contained full configs,
//! `valid_*` and `broken_*`, in syntax every nginx since 1.22 reads the same way) is checked
//! by the local nginx and by opslint; nginx's verdict (test passed or failed) must match
//! whether opslint reports a structure error (NGX001–NGX005). Skipped when nginx is absent
//! (`apt-get install -y nginx`; .ci/run installs it).

use opslint::lang::{self, FileType, LintContext};
use opslint::registry::Code;
use opslint::source::SourceFile;
use std::path::{Path, PathBuf};
use std::process::Command;

fn nginx() -> Option<PathBuf> {
    [
        "/usr/sbin/nginx",
        "/usr/local/sbin/nginx",
        "/usr/local/nginx/sbin/nginx",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
    .or_else(|| {
        let out = Command::new("sh")
            .args(["-c", "command -v nginx"])
            .output()
            .ok()?;
        let p = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (!p.is_empty()).then(|| PathBuf::from(p))
    })
}

/// nginx's verdict on `text` as a full config in a scratch prefix (with `logs/` and `html/`).
fn nginx_accepts(nginx: &Path, text: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("logs")).expect("logs");
    std::fs::create_dir_all(dir.path().join("html")).expect("html");
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, text).expect("write");
    let prefix = format!("{}/", dir.path().display());
    let out = Command::new(nginx)
        .args(["-t", "-q", "-e", "stderr", "-p", &prefix, "-c"])
        .arg(&conf)
        .output()
        .expect("run nginx");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn opslint_errors(path: &Path, text: &str) -> Vec<String> {
    let source = SourceFile::new(path.to_string_lossy(), text);
    let ctx = LintContext {
        disk_path: Some(path.to_path_buf()),
        ..LintContext::default()
    };
    lang::lint(FileType::Nginx, &source, &ctx)
        .diagnostics
        .iter()
        .filter(|d| {
            matches!(
                d.code,
                Code::NGX001 | Code::NGX002 | Code::NGX003 | Code::NGX004 | Code::NGX005
            )
        })
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

#[test]
fn structure_verdicts_agree_with_nginx_t() {
    let Some(nginx) = nginx() else {
        eprintln!("nginx not installed: skipping the nginx -t agreement test");
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nginx_t");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 30, "{} fixtures", fixtures.len());
    let mut disagreements = Vec::new();
    for f in &fixtures {
        let text = std::fs::read_to_string(f).expect("read fixture");
        let (ok, stderr) = nginx_accepts(&nginx, &text);
        let ours = opslint_errors(f, &text);
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let expected_ok = name.starts_with("valid_");
        if ok != expected_ok {
            disagreements.push(format!("{name}: nginx says ok={ok} ({stderr})"));
        }
        if ok != ours.is_empty() {
            disagreements.push(format!(
                "{name}: nginx ok={ok} ({}), opslint {ours:?}",
                stderr.trim()
            ));
        }
    }
    eprintln!(
        "nginx -t agreement: {}/{} fixtures",
        fixtures.len() - disagreements.len(),
        fixtures.len()
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
