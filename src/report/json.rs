//! `--output-format json` (one array) and `json-lines` (one object per line), exactly as the
//! CLI contract shows.

use super::FileReport;
use crate::diagnostic::Diagnostic;
use crate::registry::Code;
use crate::source::{LineCol, SourceFile};
use serde::Serialize;

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub path: &'a str,
    pub file_type: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub severity: &'static str,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub url: Option<String>,
    pub location: LineCol,
    pub end_location: LineCol,
    pub fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
pub struct JsonFix<'a> {
    pub applicability: &'static str,
    pub message: &'a str,
    pub edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
pub struct JsonEdit<'a> {
    pub content: &'a str,
    pub location: LineCol,
    pub end_location: LineCol,
}

pub fn finding<'a>(file: &'a FileReport, d: &'a Diagnostic) -> JsonFinding<'a> {
    let src: &SourceFile = &file.source;
    JsonFinding {
        path: &file.path,
        file_type: file.file_type.as_str(),
        code: d.code.as_str(),
        name: d.code.name(),
        severity: d.severity.as_str(),
        message: &d.message,
        help: d.help.as_deref(),
        url: None,
        location: src.line_col(d.span.start),
        end_location: src.line_col(d.span.end),
        fix: d.fix.as_ref().map(|f| JsonFix {
            applicability: f.applicability.as_str(),
            message: &f.message,
            edits: f
                .edits
                .iter()
                .map(|e| JsonEdit {
                    content: &e.content,
                    location: src.line_col(e.span.start),
                    end_location: src.line_col(e.span.end),
                })
                .collect(),
        }),
    }
}

/// The file's findings as elements of the report's array, pretty-printed and indented.
pub fn elements(file: &FileReport, out: &mut Vec<(Code, String)>) {
    for d in &file.diagnostics {
        if let Ok(text) = serde_json::to_string_pretty(&finding(file, d)) {
            out.push((d.code, super::indent(&text, 2)));
        }
    }
}

/// `json-lines`: one object per line.
pub fn lines(file: &FileReport, out: &mut String) {
    for d in &file.diagnostics {
        if let Ok(line) = serde_json::to_string(&finding(file, d)) {
            out.push_str(&line);
            out.push('\n');
        }
    }
}
