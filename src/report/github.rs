//! `--output-format github`: GitHub Actions workflow commands, one annotation per finding:
//! `::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=CODE::message`.
//!
//! Levels: `error`, `warning`, and `notice` for info. Lines and columns are 1-based, columns in
//! characters; `col`/`endColumn` only when the finding starts and ends on one line (GitHub
//! ignores them otherwise). Escaping as `@actions/core` does: in the message `%` → `%25`,
//! `\r` → `%0D`, `\n` → `%0A`; in property values also `:` → `%3A` and `,` → `%2C`.

use super::{relative_path, FileReport};
use crate::diagnostic::Severity;

/// Escapes the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn file(file: &FileReport, out: &mut String) {
    let path = escape_property(&relative_path(&file.path));
    for d in &file.diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let start = file.source.line_col(d.span.start);
        let end = file.source.line_col(d.span.end.max(d.span.start));
        let mut props = format!("file={path},line={}", start.line);
        if end.line == start.line {
            props.push_str(&format!(
                ",col={},endLine={},endColumn={}",
                start.column,
                end.line,
                end.column.max(start.column)
            ));
        } else {
            props.push_str(&format!(",endLine={}", end.line));
        }
        props.push_str(&format!(",title={}", escape_property(d.code.as_str())));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!("::{level} {props}::{}\n", escape_data(&message)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_actions_core() {
        // The golden strings of output-formats.md (generated with @actions/core).
        assert_eq!(
            escape_property("opslint DKR001: base, image"),
            "opslint DKR001%3A base%2C image"
        );
        assert_eq!(
            escape_data("Pin it\nhelp: 100% reproducible\r"),
            "Pin it%0Ahelp: 100%25 reproducible%0D"
        );
    }
}
