//! The pre-commit hooks of `.pre-commit-hooks.yaml`.
//!
//! `files_regex_covers_detection` always runs. `hooks_end_to_end` needs `pre-commit` on PATH,
//! builds opslint inside pre-commit (`cargo install`, minutes the first time) and is ignored by
//! default: `.ci/run` runs it with `cargo test --test pre_commit -- --ignored`. It keeps
//! pre-commit's store and cargo's target folder under `target/pre-commit/`, so later runs
//! reuse the build.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn manifest() -> String {
    std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap()
}

/// The `files:` regex of the manifest (both hooks share it through a YAML anchor).
fn files_regex() -> String {
    let text = manifest();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("files: &"))
        .expect("a `files: &anchor '…'` line");
    let start = line.find('\'').unwrap() + 1;
    let end = line.rfind('\'').unwrap();
    line[start..end].replace("''", "'")
}

/// What `discover::detect` lints, with the content that makes it so.
const DETECTED: &[(&str, &str)] = &[
    ("Dockerfile", ""),
    ("api/Dockerfile.prod", ""),
    ("Dockerfile-dev", ""),
    ("api/api__Dockerfile", ""),
    ("x.Dockerfile", ""),
    ("x.dockerfile", ""),
    ("Containerfile", ""),
    ("Containerfile.fedora", ""),
    ("build/app.containerfile", ""),
    ("Jenkinsfile", ""),
    ("ci/Jenkinsfile.release", ""),
    ("Jenkinsfile-release", ""),
    ("a.jenkinsfile", ""),
    ("b.Jenkinsfile", ""),
    ("ci/build.groovy", "pipeline {\n agent any\n}\n"),
    ("deploy/web.yaml", "apiVersion: v1\nkind: Pod\n"),
    ("deploy/web.yml", "apiVersion: v1\nkind: Pod\n"),
    ("nginx.conf", "events {}\n"),
    ("etc/nginx/nginx.conf", "events {}\n"),
    ("site.conf", "server {\n listen 80;\n}\n"),
    ("nginx/snippet", "gzip on;\n"),
    ("etc/nginx/conf.d/fastcgi_params", "fastcgi_param A $a;\n"),
    ("sites-available/default", "server {\n}\n"),
    ("sites-enabled/app", "server {\n}\n"),
];

#[test]
fn files_regex_covers_detection() {
    let re = regex::Regex::new(&files_regex()).unwrap();
    for (path, content) in DETECTED {
        let detected = opslint::discover::detect(Path::new(path), || Some(content.to_string()));
        assert!(detected.is_some(), "{path} is not detected: fix the list");
        // pre-commit matches `files` with re.search on the path from the repository root.
        assert!(
            re.is_match(path),
            "{path} ({detected:?}) escapes the files regex"
        );
    }
    for path in [
        "README.md",
        "src/main.rs",
        "docs/index.html",
        "Makefile",
        "pom.xml",
    ] {
        assert!(!re.is_match(path), "{path} matches the files regex");
    }
    let text = manifest();
    for id in ["opslint", "opslint-fix"] {
        assert!(text.contains(&format!("- id: {id}\n")), "no hook {id}");
    }
    assert_eq!(text.matches("\n  language: rust\n").count(), 2);
    assert_eq!(text.matches("\n  require_serial: true\n").count(), 2);
    assert_eq!(text.matches("\n  files: ").count(), 2);
    assert!(text.contains("entry: opslint check --force-exclude\n"));
    assert!(text.contains("entry: opslint check --force-exclude --fix\n"));
}

/// The `.pre-commit-config.yaml` snippet of README.md.
fn readme_config() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let at = readme.find("## pre-commit").expect("a pre-commit section");
    let rest = &readme[at..];
    let start = rest.find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = start + rest[start..].find("```").unwrap();
    rest[start..end].to_string()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

const BAD: &str = "FROM alpine:latest\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\nRUN apk add curl\n";
const GOOD: &str =
    "FROM alpine:3.19\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\nRUN apk add --no-cache curl\n";

/// `pre-commit`, or `python3 -m pre_commit` when pip put it off PATH.
fn pre_commit_command() -> Command {
    let on_path = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        Command::new("pre-commit")
    } else {
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "pre_commit"]);
        cmd
    }
}

struct PreCommit {
    home: PathBuf,
    cargo_target: PathBuf,
    repo: PathBuf,
}

impl PreCommit {
    fn run(&self, args: &[&str]) -> Output {
        let started = std::time::Instant::now();
        let out = pre_commit_command()
            .args(args)
            .current_dir(&self.repo)
            .env("PRE_COMMIT_HOME", &self.home)
            .env("PRE_COMMIT_COLOR", "never")
            // One cargo target folder for every build pre-commit makes: try-repo's store is
            // a temporary folder, so only this keeps its dependencies from being rebuilt.
            .env("CARGO_TARGET_DIR", &self.cargo_target)
            // The hooks are under test, not the optimiser: a quick build.
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
            .env_remove("NO_COLOR")
            .output()
            .expect("pre-commit (pip install pre-commit)");
        eprintln!(
            "pre-commit {} → {:?} in {:.0?}\n{}{}",
            args.join(" "),
            out.status.code(),
            started.elapsed(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
#[ignore = "needs pre-commit and minutes of cargo: run by .ci/run"]
fn hooks_end_to_end() {
    let this = root();
    // try-repo and the config below take the repository's HEAD (try-repo adds tracked,
    // uncommitted changes): the manifest must be committed.
    git(&this, &["cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"]);
    let head = git(&this, &["rev-parse", "HEAD"]);
    if !git(&this, &["status", "--porcelain", "--untracked-files=no"]).is_empty() {
        eprintln!("note: uncommitted changes: the pre-commit config below builds HEAD {head}");
    }

    let work = this.join("target").join("pre-commit");
    std::fs::create_dir_all(&work).unwrap();
    let scratch = tempfile::tempdir_in(&work).unwrap();
    let repo = scratch.path().join("consumer");
    std::fs::create_dir_all(repo.join("deploy")).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("Dockerfile"), BAD).unwrap();
    // Names the hooks pass but opslint does not lint: skipped without a word.
    std::fs::write(repo.join("deploy/values.yaml"), "replicas: 2\n").unwrap();
    std::fs::write(repo.join("README.conf"), "Read me first.\n").unwrap();
    std::fs::write(repo.join("notes.md"), "FROM alpine:latest\n").unwrap();
    // Excluded in lint.toml: --force-exclude keeps it out though pre-commit names it.
    std::fs::create_dir_all(repo.join("vendor")).unwrap();
    std::fs::write(repo.join("vendor/Dockerfile"), BAD).unwrap();
    std::fs::write(
        repo.join("lint.toml"),
        "[files]\nexclude = [\"vendor/**\"]\n",
    )
    .unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);

    let pc = PreCommit {
        home: work.join("home"),
        cargo_target: work.join("cargo-target"),
        repo: repo.clone(),
    };

    // 1. try-repo: the check hook fails on the bad Dockerfile.
    let this_s = this.to_str().unwrap();
    let out = pc.run(&["try-repo", this_s, "opslint", "--all-files"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("DKR003"), "{t}");
    assert!(t.contains("Failed"), "{t}");

    // 2. README's config, pointing at this repository's HEAD (pre-commit's store is kept
    //    under target/, so this build is made once per HEAD).
    let config = readme_config()
        .replace("https://github.com/opslint/opslint", this_s)
        .replace("rev: main ", &format!("rev: {head} "));
    assert!(
        config.contains(this_s) && config.contains(&head),
        "{config}"
    );
    std::fs::write(repo.join(".pre-commit-config.yaml"), config).unwrap();
    git(&repo, &["add", ".pre-commit-config.yaml"]);
    git(&repo, &["commit", "-qm", "pre-commit"]);

    // The fix hook fixes what it can (a modified file fails the hook) and reports the rest.
    let out = pc.run(&["run", "opslint-fix", "--all-files"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let fixed = std::fs::read_to_string(repo.join("Dockerfile")).unwrap();
    assert!(fixed.contains("apk add --no-cache curl"), "{fixed}");
    assert!(text(&out).contains("DKR003"), "{}", text(&out));
    let out = pc.run(&["run", "opslint", "--all-files"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    // 3. Fixed by hand: both hooks pass, the files they do not lint included.
    std::fs::write(repo.join("Dockerfile"), GOOD).unwrap();
    let out = pc.run(&["run", "--all-files"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("opslint (fix)") && t.contains("Passed"), "{t}");
    assert!(!t.contains("Failed"), "{t}");
    assert_eq!(
        std::fs::read_to_string(repo.join("Dockerfile")).unwrap(),
        GOOD
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("vendor/Dockerfile")).unwrap(),
        BAD
    );
}

#[test]
fn force_exclude_applies_to_named_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("vendor")).unwrap();
    std::fs::write(d.join("vendor/Dockerfile"), BAD).unwrap();
    std::fs::write(d.join("Dockerfile"), GOOD).unwrap();
    std::fs::write(d.join("lint.toml"), "[files]\nexclude = [\"vendor/**\"]\n").unwrap();
    let opslint = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("opslint")
            .unwrap()
            .current_dir(d)
            .args(args)
            .output()
            .unwrap()
    };
    // Named on the command line, an excluded file is linted (as ruff does) ...
    let out = opslint(&["check", "vendor/Dockerfile", "Dockerfile"]);
    assert_eq!(out.status.code(), Some(1));
    // ... unless --force-exclude.
    let out = opslint(&[
        "check",
        "--force-exclude",
        "vendor/Dockerfile",
        "Dockerfile",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // Files opslint does not recognise are skipped without a word.
    std::fs::write(d.join("values.yaml"), "replicas: 2\n").unwrap();
    std::fs::write(d.join("README.conf"), "Read me first.\n").unwrap();
    let out = opslint(&["check", "values.yaml", "README.conf"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}
