//! `--output-format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`).
//!
//! A JSON array (no BOM) of `{description, check_name, fingerprint, severity, location}`;
//! `location.path` is relative, `location.lines.begin`/`end` are 1-based lines. Severities:
//! `error` → `major`, `warning` → `minor`, `info` → `info`, except the secret rules (SEC) at
//! `error`, which are `critical`: a leaked credential outranks every other finding in the widget.

use super::fingerprint::fingerprints;
use super::{relative_path, FileReport};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Code;
use serde::Serialize;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

/// The Code Quality severity of a finding.
pub fn severity(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error if d.code.as_str().starts_with("SEC") => "critical",
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// The file's issues as elements of the report's array, pretty-printed and indented.
pub fn elements(file: &FileReport, out: &mut Vec<(Code, String)>) {
    let path = relative_path(&file.path);
    let prints = fingerprints(file, &path);
    for (d, fingerprint) in file.diagnostics.iter().zip(prints) {
        let begin = file.source.line_col(d.span.start).line;
        // The last line the span touches (a span ending after a newline ends on its line).
        let last = if d.span.end > d.span.start {
            d.span.end - 1
        } else {
            d.span.end
        };
        let end = file.source.line_col(last).line.max(begin);
        let issue = Issue {
            description: format!("{}: {}", d.code, d.message),
            check_name: d.code.as_str(),
            fingerprint,
            severity: severity(d),
            location: Location {
                path: &path,
                lines: Lines { begin, end },
            },
        };
        if let Ok(text) = serde_json::to_string_pretty(&issue) {
            out.push((d.code, super::indent(&text, 2)));
        }
    }
}
