//! The registry and the rule pages in `rules/` match both ways, and every page's Example
//! triggers its rule while its "Use instead" does not.

use opslint::lang::{self, FileType, LintContext};
use opslint::registry::{Code, RULES};
use opslint::source::SourceFile;
use opslint::suppress;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

struct Page {
    path: PathBuf,
    front: BTreeMap<String, String>,
    sections: BTreeMap<String, String>,
}

fn pages() -> Vec<Page> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("rules/ exists") {
        let path = entry.expect("readable").path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("page is UTF-8");
        let rest = text
            .strip_prefix("---\n")
            .unwrap_or_else(|| panic!("{}: no front matter", path.display()));
        let (front_text, body) = rest
            .split_once("\n---\n")
            .unwrap_or_else(|| panic!("{}: front matter not closed", path.display()));
        let front = front_text
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let mut sections = BTreeMap::new();
        let mut current: Option<String> = None;
        for line in body.lines() {
            if let Some(h) = line.strip_prefix("## ") {
                current = Some(h.trim().to_string());
                sections.insert(h.trim().to_string(), String::new());
            } else if let Some(c) = &current {
                let s = sections.get_mut(c).expect("section exists");
                s.push_str(line);
                s.push('\n');
            }
        }
        out.push(Page {
            path,
            front,
            sections,
        });
    }
    out
}

/// The indented code blocks of a section: (the line before the block, the block's text).
fn code_blocks(section: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut before = String::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        if let Some(code) = line.strip_prefix("    ") {
            let block = current.get_or_insert_with(String::new);
            block.push_str(code);
            block.push('\n');
        } else if let (true, Some(block)) = (line.trim().is_empty(), current.as_mut()) {
            block.push('\n');
        } else {
            if let Some(b) = current.take() {
                blocks.push((before.clone(), b.trim_end_matches('\n').to_string() + "\n"));
            }
            if !line.trim().is_empty() {
                before = line.trim().to_string();
            }
        }
    }
    if let Some(b) = current.take() {
        blocks.push((before, b.trim_end_matches('\n').to_string() + "\n"));
    }
    blocks
}

const SECTIONS: [&str; 6] = [
    "What it does",
    "Why",
    "Not flagged",
    "Example",
    "Use instead",
    "Fix",
];

#[test]
fn registry_and_pages_match_both_ways() {
    let pages = pages();
    let mut seen = Vec::new();
    for page in &pages {
        let code = page.front.get("code").expect("code in front matter");
        let meta = Code::lookup(code)
            .unwrap_or_else(|| panic!("{}: unknown code {code}", page.path.display()))
            .meta();
        assert_eq!(
            page.path.file_stem().and_then(|s| s.to_str()),
            Some(meta.code.as_str()),
            "page file name"
        );
        let expect = |key: &str, value: &str| {
            assert_eq!(
                page.front.get(key).map(String::as_str),
                Some(value),
                "{}: front matter `{key}`",
                page.path.display()
            );
        };
        expect("name", meta.name);
        expect("file-type", meta.file_kind.as_str());
        expect("severity", meta.severity.as_str());
        expect("default", if meta.default_on { "on" } else { "off" });
        expect("fix", meta.fix.as_str());
        assert!(
            page.front.contains_key("also-known-as"),
            "{}",
            page.path.display()
        );
        for s in SECTIONS {
            assert!(
                page.sections.contains_key(s),
                "{}: missing section `## {s}`",
                page.path.display()
            );
        }
        seen.push(meta.code);
    }
    let missing: Vec<_> = RULES
        .iter()
        .filter(|r| !seen.contains(&r.code))
        .map(|r| r.code.as_str())
        .collect();
    assert!(missing.is_empty(), "rules without a page: {missing:?}");
}

/// Lints a page example in a scratch folder (so rules that look at `.dockerignore` work).
fn lint_example(file_type: FileType, text: &str, dockerignore: Option<&str>) -> Vec<Code> {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = match file_type {
        FileType::Dockerfile => "Dockerfile",
        FileType::Kubernetes => "manifest.yaml",
        FileType::Nginx => "nginx.conf",
        FileType::Jenkinsfile => "Jenkinsfile",
    };
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write example");
    if let Some(ignore) = dockerignore {
        std::fs::write(dir.path().join(".dockerignore"), ignore).expect("write .dockerignore");
    }
    let source = SourceFile::new(name, text);
    let ctx = LintContext {
        disk_path: Some(path),
        ..LintContext::default()
    };
    let out = lang::lint(file_type, &source, &ctx);
    // Suppression comments are part of linting a file (OPS002, OPS003 come from them).
    suppress::apply(&source, &out.comments, out.diagnostics, &|_| true)
        .into_iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn examples_trigger_and_use_instead_does_not() {
    for page in pages() {
        if page.front.get("example").map(String::as_str) == Some("none") {
            continue;
        }
        let code = Code::lookup(&page.front["code"]).expect("known code");
        let file_type = match page.front["file-type"].as_str() {
            "any" => FileType::Dockerfile,
            other => FileType::parse(other).expect("file type"),
        };
        if !file_type.is_linted() {
            continue;
        }
        for (section, must_fire) in [("Example", true), ("Use instead", false)] {
            let blocks = code_blocks(&page.sections[section]);
            let (_, text) = blocks
                .iter()
                .find(|(before, _)| !before.ends_with("`.dockerignore`:"))
                .unwrap_or_else(|| panic!("{}: no code block in {section}", page.path.display()));
            let dockerignore = blocks
                .iter()
                .find(|(before, _)| before.ends_with("`.dockerignore`:"))
                .map(|(_, t)| t.as_str());
            let codes = lint_example(file_type, text, dockerignore);
            assert_eq!(
                codes.contains(&code),
                must_fire,
                "{}: {section} {} {code}; found {codes:?} in:\n{text}",
                page.path.display(),
                if must_fire {
                    "must trigger"
                } else {
                    "must not trigger"
                },
            );
        }
    }
}
