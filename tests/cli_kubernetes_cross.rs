//! End-to-end checks of the Kubernetes cross-object rules through the command line: the files
//! of one run are one set, a file linted alone is a set of one, suppressions and `--fix` apply
//! to cross-object findings. (Rule page examples are run by `tests/rule_pages.rs`.)

use assert_cmd::Command;
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

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: http
";

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - name: http
              containerPort: 8080
";

const HPA: &str = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 5
";

/// Writes `files` into a scratch folder.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Lints `args` in `dir` with the K8S rules; returns (path, code, line) of every finding.
fn findings(dir: &Path, args: &[&str]) -> Vec<(String, String, u64)> {
    let out = opslint(dir)
        .args([
            "check",
            "--isolated",
            "--output-format",
            "json",
            "--select",
            "K8S028,K8S029,K8S030,K8S031,K8S032,K8S033,K8S040,K8S041,K8S044",
        ])
        .args(args)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn has(found: &[(String, String, u64)], code: &str) -> bool {
    found.iter().any(|(_, c, _)| c == code)
}

#[test]
fn a_service_and_its_deployment_in_two_files_match() {
    // Files of other types in between do not disturb the set.
    let dir = folder(&[
        ("service.yaml", SERVICE),
        ("Dockerfile", "FROM alpine:3.20\n"),
        ("deployment.yaml", DEPLOYMENT),
    ]);
    let found = findings(dir.path(), &["."]);
    assert!(!has(&found, "K8S028"), "{found:?}");
    assert!(!has(&found, "K8S029"), "{found:?}");

    // The same Service selecting other labels matches nothing in the set.
    let wrong = SERVICE.replace("app: web", "app: api");
    fs::write(dir.path().join("service.yaml"), wrong).unwrap();
    let found = findings(dir.path(), &["."]);
    assert_eq!(
        found
            .iter()
            .filter(|(_, c, _)| c == "K8S028")
            .collect::<Vec<_>>(),
        vec![&("service.yaml".to_string(), "K8S028".to_string(), 6)]
    );
}

#[test]
fn a_file_alone_is_its_own_set() {
    let dir = folder(&[("service.yaml", SERVICE), ("deployment.yaml", DEPLOYMENT)]);
    // No pod template in the set: silent.
    let found = findings(dir.path(), &["service.yaml"]);
    assert!(!has(&found, "K8S028"), "{found:?}");
    // The same from stdin.
    let out = opslint(dir.path())
        .args([
            "check",
            "--isolated",
            "--output-format",
            "json",
            "--select",
            "K8S028,K8S029,K8S030,K8S031,K8S032,K8S033,K8S040,K8S041,K8S044",
        ])
        .args(["--stdin-filename", "service.yaml"])
        .write_stdin(SERVICE.replace("app: web", "app: api"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 0, "{v}");
    // A text holding both objects is checked within itself, and reported once.
    let both = format!(
        "{}---\n{DEPLOYMENT}",
        SERVICE.replace("app: web", "app: api")
    );
    let out = opslint(dir.path())
        .args([
            "check",
            "--isolated",
            "--output-format",
            "json",
            "--select",
            "K8S028",
        ])
        .args(["--stdin-filename", "all.yaml"])
        .write_stdin(both)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
}

#[test]
fn cross_object_findings_are_reported_once_and_can_be_suppressed() {
    let wrong = SERVICE.replace("app: web", "app: api");
    let both = format!("{wrong}---\n{DEPLOYMENT}");
    let dir = folder(&[("all.yaml", &both), ("hpa.yaml", HPA)]);
    let found = findings(dir.path(), &["."]);
    let count = |code: &str| found.iter().filter(|(_, c, _)| c == code).count();
    assert_eq!(count("K8S028"), 1, "{found:?}");
    assert_eq!(count("K8S040"), 1, "{found:?}");

    let suppressed = both.replace(
        "  selector:\n    app: api",
        "  # opslint: ignore[K8S028] routed by hand\n  selector:\n    app: api",
    );
    fs::write(dir.path().join("all.yaml"), suppressed).unwrap();
    let found = findings(dir.path(), &["."]);
    assert!(!has(&found, "K8S028"), "{found:?}");
    assert!(!has(&found, "OPS002"), "{found:?}");
}

#[test]
fn fix_removes_replicas_of_a_workload_scaled_by_an_hpa_in_another_file() {
    let dir = folder(&[("deployment.yaml", DEPLOYMENT), ("hpa.yaml", HPA)]);
    opslint(dir.path())
        .args(["check", "--isolated", "--select", "K8S040", "--fix", "."])
        .assert()
        .success();
    let fixed = fs::read_to_string(dir.path().join("deployment.yaml")).unwrap();
    assert_eq!(fixed, DEPLOYMENT.replace("  replicas: 3\n", ""));
    assert_eq!(
        fs::read_to_string(dir.path().join("hpa.yaml")).unwrap(),
        HPA
    );
    // --diff shows the same removal and writes nothing.
    let dir = folder(&[("deployment.yaml", DEPLOYMENT), ("hpa.yaml", HPA)]);
    let out = opslint(dir.path())
        .args(["check", "--isolated", "--select", "K8S040", "--diff", "."])
        .output()
        .unwrap();
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.contains("-  replicas: 3\n"), "{diff}");
    assert_eq!(
        fs::read_to_string(dir.path().join("deployment.yaml")).unwrap(),
        DEPLOYMENT
    );
    // Without the HPA in the run there is nothing to fix.
    let dir = folder(&[("deployment.yaml", DEPLOYMENT), ("hpa.yaml", HPA)]);
    opslint(dir.path())
        .args([
            "check",
            "--isolated",
            "--select",
            "K8S040",
            "--fix",
            "deployment.yaml",
        ])
        .assert()
        .success();
    let kept = fs::read_to_string(dir.path().join("deployment.yaml")).unwrap();
    assert_eq!(kept, DEPLOYMENT);
}
