//! `--output-format sarif`: SARIF 2.1.0 for GitHub code scanning (`upload-sarif`) and other
//! SARIF viewers.
//!
//! What GitHub requires and what this writes: `tool.driver.rules` lists every rule that fired
//! (in the order they first fire: the log is written file by file, results before the tool)
//! with `shortDescription` (the registry summary), `fullDescription` (the rule page's "What it
//! does" and "Why"), `help` (the rule page, as text and markdown); `helpUri` is omitted until
//! the pages are published. Results carry `ruleId`, `ruleIndex`, `level` (from the
//! configured severity: `error`, `warning`, `note`), a relative `artifactLocation.uri` and a full
//! region. Columns count UTF-16 code units (`run.columnKind = utf16CodeUnits`, the SARIF
//! default); `endColumn` is exclusive. `partialFingerprints["opslint/v1"]` is the same stable
//! hash as the GitLab fingerprint.

use super::fingerprint::fingerprints;
use super::{relative_path, FileReport};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Code;
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A rule page without its front matter.
fn page_body(page: &str) -> &str {
    if let Some(rest) = page.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---\n") {
            return rest[end + 5..].trim();
        }
    }
    page.trim()
}

/// The text of the `## heading` section of a page body.
fn section<'a>(body: &'a str, heading: &str) -> Option<&'a str> {
    let marker = format!("## {heading}\n");
    let start = body.find(&marker)? + marker.len();
    let rest = &body[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    let text = rest[..end].trim();
    (!text.is_empty()).then_some(text)
}

fn rule(code: Code) -> Value {
    let meta = code.meta();
    let body = crate::docs::page_text(code).map(page_body);
    let full = body
        .and_then(|b| {
            let what = section(b, "What it does")?;
            Some(match section(b, "Why") {
                Some(why) => format!("{what}\n\n{why}"),
                None => what.to_string(),
            })
        })
        .unwrap_or_else(|| meta.summary.to_string());
    let help = body
        .map(str::to_string)
        .unwrap_or_else(|| crate::docs::page(code).trim().to_string());
    let mut tags = vec![meta.file_kind.as_str()];
    let mut properties = json!({});
    if code.as_str().starts_with("SEC") {
        tags.push("security");
        properties["security-severity"] = json!(match meta.severity {
            Severity::Error => "9.0",
            Severity::Warning => "6.0",
            Severity::Info => "3.0",
        });
    }
    properties["tags"] = json!(tags);
    json!({
        "id": code.as_str(),
        "name": meta.name,
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": full },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": properties,
    })
}

/// Every string in `v` with the secret `values` masked.
fn scrub_value(v: Value, values: &[&str]) -> Value {
    match v {
        Value::String(s) if !values.is_empty() => {
            Value::String(crate::secrets::scrub(&s, values).into_owned())
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|i| scrub_value(i, values)).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, i)| (k, scrub_value(i, values)))
                .collect(),
        ),
        other => other,
    }
}

/// A relative path as a URI reference: everything but unreserved characters and `/`
/// percent-encoded (`:` too, so a first segment is never read as a scheme). A path outside the
/// current folder stays absolute, as a `file://` URI.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if path.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

fn region(file: &FileReport, d: &Diagnostic) -> Value {
    let src = &file.source;
    let start = src.line_col(d.span.start);
    let end = src.line_col(d.span.end.max(d.span.start));
    json!({
        "startLine": start.line,
        "startColumn": src.utf16_column(d.span.start) + 1,
        "endLine": end.line,
        "endColumn": src.utf16_column(d.span.end.max(d.span.start)) + 1,
    })
}

/// What a result's `ruleIndex` holds until the writer knows the index: rules are listed in the
/// order they first fire, which only the writer (in path order) sees. The text cannot occur
/// elsewhere in a result: inside a JSON string its quotes would be escaped.
pub const RULE_INDEX_MARK: &str = "\"ruleIndex\": 18446744073709551615";

/// The file's results, pretty-printed at their depth in the log, with `ruleIndex` marked.
pub fn results(file: &FileReport, out: &mut Vec<(Code, String)>) {
    let path = relative_path(&file.path);
    let prints = fingerprints(file, &path);
    let location = uri(&path);
    for (d, fingerprint) in file.diagnostics.iter().zip(prints) {
        let message = if d.message.is_empty() {
            d.code.name()
        } else {
            d.message.as_str()
        };
        let result = json!({
            "ruleId": d.code.as_str(),
            "ruleIndex": u64::MAX,
            "level": level(d.severity),
            "message": { "text": message },
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": { "uri": location },
                    "region": region(file, d),
                }
            }],
            "partialFingerprints": { "opslint/v1": fingerprint },
        });
        if let Ok(text) = serde_json::to_string_pretty(&result) {
            out.push((d.code, super::indent(&text, 8)));
        }
    }
}

/// The log around its results: the text before the results array and the text after it.
/// `rules` are the rules that fired, in `ruleIndex` order; their texts are scrubbed of the
/// run's secret values (a page's example could be a real secret of a linted file).
pub fn frame(rules: &[Code], secret_values: &[&str]) -> (String, String) {
    const HOLE: &str = "\u{0}results";
    let rules: Vec<Value> = rules
        .iter()
        .map(|&c| scrub_value(rule(c), secret_values))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "opslint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "utf16CodeUnits",
            "results": HOLE,
        }]
    });
    let text = serde_json::to_string_pretty(&log).unwrap_or_default();
    // serde_json writes the NUL as `\u0000`, which no other string of the log holds.
    let hole = "\"\\u0000results\"";
    match text.split_once(hole) {
        Some((head, tail)) => (head.to_string(), format!("{tail}\n")),
        None => (String::new(), String::new()),
    }
}

/// Whether a rule text SARIF writes contains `value` (then the rule texts are scrubbed of it).
pub fn in_rule_texts(value: &str) -> bool {
    static TEXTS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let texts = TEXTS.get_or_init(|| {
        crate::registry::RULES
            .iter()
            .flat_map(|r| {
                let meta = r.code.meta();
                let page = crate::docs::page_text(r.code)
                    .map(str::to_string)
                    .unwrap_or_else(|| crate::docs::page(r.code));
                [meta.name.to_string(), meta.summary.to_string(), page]
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    !value.is_empty() && texts.contains(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("deploy/web app.yaml"), "deploy/web%20app.yaml");
        assert_eq!(uri("a:b/Dockerfile"), "a%3Ab/Dockerfile");
        assert_eq!(uri("é/x#1"), "%C3%A9/x%231");
        assert_eq!(uri("/abs/Dockerfile"), "file:///abs/Dockerfile");
    }

    #[test]
    fn every_rule_has_sarif_metadata() {
        for r in crate::registry::RULES {
            let v = rule(r.code);
            for key in ["shortDescription", "fullDescription", "help"] {
                let text = v[key]["text"].as_str().unwrap_or_default();
                assert!(!text.trim().is_empty(), "{} {key}", r.code);
            }
        }
    }
}
