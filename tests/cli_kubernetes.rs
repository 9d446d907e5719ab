//! End-to-end checks of the Kubernetes engine through the command line: K8S001, the secrets
//! feed with masking, comment and annotation suppressions, Helm templates skipped.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;

/// Writes the files `(name, text)` in a scratch folder and runs `opslint check --isolated
/// --output-format json --exit-zero` there with `args`; returns the JSON report and stdout.
fn check_json(files: &[(&str, &str)], args: &[&str]) -> (Value, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let out = Command::cargo_bin("opslint")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "check",
            "--isolated",
            "--output-format",
            "json",
            "--exit-zero",
        ])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    (serde_json::from_slice(&out.stdout).unwrap(), stdout)
}

/// A finding's path as written in the scratch folder.
fn scratch_path(finding: &Value) -> String {
    let path = finding["path"].as_str().unwrap().replace('\\', "/");
    path.trim_start_matches("./").to_string()
}

/// Lints the files `(name, text)` in a scratch folder; returns (code, file, line) found.
fn lint(files: &[(&str, &str)]) -> (Vec<(String, String, u64)>, String) {
    // What this test is about: the parser, the secrets feed and suppressions.
    let (v, stdout) = check_json(files, &["--select", "K8S001,SEC,OPS", "."]);
    let found = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                scratch_path(f),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    (found, stdout)
}

const PASSWORD: &str = "Xq7-hunter-Secret";

#[test]
fn kubernetes_end_to_end() {
    let deploy = format!(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env:
        - name: DB_PASSWORD
          value: {PASSWORD}
        - name: OTHER_PASSWORD
          # opslint: ignore[SEC001] rotated test credential
          value: {PASSWORD}2
        - name: THIRD_PASSWORD
          value: {PASSWORD}3 # opslint: ignore[hardcoded-secret]
---
this: [is broken
---
apiVersion: v1
kind: Secret
metadata:
  name: db
  annotations:
    opslint.io/ignore: hardcoded-secret
stringData:
  password: {PASSWORD}
"
    );
    let helm =
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n  x: x\n  x: y\n";
    let (found, stdout) = lint(&[
        ("deploy.yaml", &deploy),
        ("chart/Chart.yaml", "apiVersion: v2\nname: c\n"),
        (
            "chart/templates/pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  x: 1\n  x: 2\n",
        ),
        ("pod.yaml", helm),
        ("values.yaml", "image:\n  tag: x\n  tag: y\n"),
    ]);
    let want: Vec<(String, String, u64)> = [("K8S001", 7), ("SEC001", 15), ("K8S001", 22)]
        .iter()
        .map(|(c, l)| (c.to_string(), "deploy.yaml".to_string(), *l))
        .collect();
    assert_eq!(found, want, "{stdout}");
    assert!(!stdout.contains(PASSWORD), "secret not masked: {stdout}");
}

#[test]
fn show_files_verbose_says_why_templates_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write("chart/Chart.yaml", "apiVersion: v2\nname: c\n");
    write(
        "chart/templates/d.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    write(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.x }}\n",
    );
    write(
        "workflow.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: w\nspec:\n  arguments:\n    parameters:\n    - name: p\n      value: \"{{workflow.name}}\"\n",
    );
    let out = Command::cargo_bin("opslint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--isolated", "--show-files", "-v", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("chart/templates/d.yaml  kubernetes (rules skipped: Helm chart template; secrets still scanned)"), "{stdout}");
    assert!(
        stdout.contains("pod.yaml  kubernetes (rules skipped: Go template; secrets still scanned)"),
        "{stdout}"
    );
    assert!(stdout.contains("workflow.yaml  kubernetes\n"), "{stdout}");
    // Without -v the list is the same as before: type only.
    let out = Command::cargo_bin("opslint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--isolated", "--show-files", "."])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("pod.yaml  kubernetes\n"));
}

/// The nginx.conf of a ConfigMap is linted by the nginx rules, at its line in the YAML file;
/// an `opslint:` comment inside it suppresses as in an nginx file.
#[test]
fn nginx_in_a_config_map_is_linted_in_place() {
    let config_map = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
data:
  nginx.conf: |
    events {}
    http {
        server_tokenz off;
        server {
            listen 80;
            locaton / { return 200; }  # opslint: ignore[NGX002]
        }
    }
  redis.conf: |
    maxmemory 2mb
";
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("cm.yaml"), config_map).unwrap();
    let out = Command::cargo_bin("opslint")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "check",
            "--isolated",
            "--select",
            "NGX,OPS",
            "--output-format",
            "concise",
            "cm.yaml",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("cm.yaml"))
        .collect();
    assert_eq!(
        lines,
        vec![
            "cm.yaml:8:5: NGX101 [warning] `server_tokens` is never set to `off`: nginx shows its version in error pages and the `Server` header",
            "cm.yaml:9:9: NGX002 [error] unknown directive \"server_tokenz\"",
            "cm.yaml:10:9: NGX111 [info] this server sends no `X-Frame-Options` (or a CSP `frame-ancestors`), no `X-Content-Type-Options` header",
        ],
        "{stdout}"
    );
}

/// The (file, code) of each finding in a scratch tree, with every rule selected.
fn codes_by_file(files: &[(&str, &str)], args: &[&str]) -> Vec<(String, String)> {
    let args: Vec<&str> = ["--select", "ALL"].iter().chain(args).copied().collect();
    let (v, _) = check_json(files, &args);
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| (scratch_path(f), f["code"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn a_patch_listed_by_a_kustomization_in_another_folder_is_partial() {
    // An overlay patches the base from a shared folder: the patch holds only what it changes.
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/web:1.4.2\n";
    let files = [
        ("patches/replicas.yaml", patch),
        (
            "overlays/prod/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\npatches:\n  - path: ../../patches/replicas.yaml\n",
        ),
    ];
    let in_patch = |found: &[(String, String)]| -> Vec<String> {
        found
            .iter()
            .filter(|(p, _)| p == "patches/replicas.yaml")
            .map(|(_, c)| c.clone())
            .collect()
    };
    // Alone, the patch looks like a whole Deployment without probes, limits or a context.
    let alone = codes_by_file(&files[..1], &["patches"]);
    assert!(in_patch(&alone).iter().any(|c| c == "K8S003"), "{alone:?}");
    // With the overlay in the run, it is a patch: no rule about what is missing, the same
    // findings as when a kustomization of its own folder lists it.
    let together = in_patch(&codes_by_file(&files, &["."]));
    assert!(
        !together.iter().any(|c| c == "K8S002" || c == "K8S003"),
        "{together:?}"
    );
    let own_folder = [
        files[0],
        (
            "patches/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\npatches:\n  - path: replicas.yaml\n",
        ),
    ];
    assert_eq!(together, in_patch(&codes_by_file(&own_folder, &["."])));
}
