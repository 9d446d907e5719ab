//! Every page in `rules/` matches the registry, and has the sections STYLE.md asks for.
//! (That each Example triggers its rule is checked in `tests/cli_dockerfile.rs`, once the
//! engines report the comments suppressions live in.)

use opslint::registry::{Code, RULES};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const SECTIONS: [&str; 6] = [
    "## What it does",
    "## Why",
    "## Not flagged",
    "## Example",
    "## Use instead",
    "## Fix",
];

pub fn front_matter(text: &str) -> Option<(BTreeMap<String, String>, &str)> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    let mut map = BTreeMap::new();
    for line in rest[..end].lines() {
        let (k, v) = line.split_once(':')?;
        map.insert(k.trim().to_string(), v.trim().to_string());
    }
    Some((map, &rest[end + 5..]))
}

fn section<'a>(body: &'a str, title: &str) -> &'a str {
    let start = body
        .find(title)
        .map(|i| i + title.len())
        .unwrap_or(body.len());
    let rest = &body[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn pages_match_the_registry() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut seen = Vec::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = fs::read_to_string(&path).unwrap();
        let (fm, body) = front_matter(&text).unwrap_or_else(|| panic!("{stem}: no front matter"));
        let code = Code::lookup(&stem).unwrap_or_else(|| panic!("{stem}: not in the registry"));
        let meta = code.meta();
        assert_eq!(fm["code"], code.as_str(), "{stem}");
        assert_eq!(fm["name"], meta.name, "{stem}");
        assert_eq!(fm["file-type"], meta.file_kind.as_str(), "{stem}");
        assert_eq!(fm["severity"], meta.severity.as_str(), "{stem}");
        assert_eq!(
            fm["default"],
            if meta.default_on { "on" } else { "off" },
            "{stem}"
        );
        assert_eq!(fm["fix"], meta.fix.as_str(), "{stem}");
        assert!(fm.contains_key("also-known-as"), "{stem}");
        let mut at = 0;
        for s in SECTIONS {
            let i = body[at..]
                .find(s)
                .unwrap_or_else(|| panic!("{stem}: missing or misplaced {s}"));
            at += i + s.len();
        }
        if fm.get("example").map(String::as_str) != Some("none") {
            for s in ["## Example", "## Use instead"] {
                assert!(
                    section(body, s).lines().any(|l| l.starts_with("    ")),
                    "{stem}: {s} needs an indented code block"
                );
            }
        }
        seen.push(code);
    }
    // Every cross-cutting rule has its page (the engines' pages land with the engines).
    for r in RULES.iter().filter(|r| r.code.as_str().starts_with("OPS")) {
        assert!(seen.contains(&r.code), "rules/{}.md is missing", r.code);
    }
}

#[test]
fn pages_are_embedded_in_the_binary() {
    for r in RULES.iter().filter(|r| r.code.as_str().starts_with("OPS")) {
        let text = opslint::docs::page_text(r.code).unwrap();
        assert!(text.contains(r.name));
    }
}
