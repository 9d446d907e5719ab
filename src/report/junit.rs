//! `--output-format junit`: JUnit XML for GitLab (`artifacts:reports:junit`) and Jenkins.
//!
//! One `<testsuite>` per linted file (named by its path). Each finding is a `<testcase>` named
//! `CODE path:line:col` (unique, so GitLab's MR test report does not collapse repeats) with
//! `classname="opslint.FILETYPE"`, holding a `<failure>` — or an `<error>` when the file could not
//! be linted (OPS001 unreadable, OPS005 internal error). A file without findings gets one
//! passing testcase named by its path.

use super::xml::{escape, escape_text};
use super::{relative_path, FileReport};
use crate::diagnostic::Diagnostic;
use crate::registry::Code;
use std::collections::HashMap;

pub fn is_error(d: &Diagnostic) -> bool {
    matches!(d.code, Code::OPS001 | Code::OPS005)
}

/// The opening of the report: the totals of the run (`clean`: files without findings).
pub fn head(failures: usize, errors: usize, clean: usize) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"opslint\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">\n",
        failures + errors + clean
    )
}

pub const FOOT: &str = "</testsuites>\n";

/// One file's `<testsuite>`.
pub fn file(file: &FileReport, out: &mut String) {
    let path = relative_path(&file.path);
    let p = escape(&path);
    let classname = format!("opslint.{}", file.file_type.as_str());
    let errors = file.diagnostics.iter().filter(|d| is_error(d)).count();
    let failures = file.diagnostics.len() - errors;
    out.push_str(&format!(
        "  <testsuite name=\"{p}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">\n",
        file.diagnostics.len().max(1)
    ));
    if file.diagnostics.is_empty() {
        out.push_str(&format!(
            "    <testcase name=\"{p}\" classname=\"{classname}\" file=\"{p}\"/>\n"
        ));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for d in &file.diagnostics {
        let pos = file.source.line_col(d.span.start);
        let mut name = format!("{} {path}:{}:{}", d.code, pos.line, pos.column);
        let n = seen.entry(name.clone()).or_default();
        *n += 1;
        if *n > 1 {
            name.push_str(&format!(" ({n})"));
        }
        let element = if is_error(d) { "error" } else { "failure" };
        let mut body = format!(
            "{path}:{}:{}: {} [{}] {}",
            pos.line,
            pos.column,
            d.code,
            d.severity.as_str(),
            d.message
        );
        if let Some(help) = &d.help {
            body.push_str("\nhelp: ");
            body.push_str(help);
        }
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{classname}\" file=\"{p}\" line=\"{}\">\n      <{element} type=\"{}\" message=\"{}\">{}</{element}>\n    </testcase>\n",
            escape(&name),
            pos.line,
            d.severity.as_str(),
            escape(&d.message),
            escape_text(&body),
        ));
    }
    out.push_str("  </testsuite>\n");
}
