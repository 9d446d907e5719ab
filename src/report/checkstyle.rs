//! `--output-format checkstyle`: the checkstyle result XML that Jenkins warnings-ng, reviewdog
//! and SonarQube read. Every linted file gets a `<file>` (empty when clean); each finding is an
//! `<error line column severity message source="opslint.CODE"/>`, columns in characters.

use super::xml::escape;
use super::{relative_path, FileReport};

pub const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n";
pub const FOOT: &str = "</checkstyle>\n";

pub fn file(file: &FileReport, out: &mut String) {
    let path = escape(&relative_path(&file.path));
    if file.diagnostics.is_empty() {
        out.push_str(&format!("  <file name=\"{path}\"/>\n"));
        return;
    }
    out.push_str(&format!("  <file name=\"{path}\">\n"));
    for d in &file.diagnostics {
        let pos = file.source.line_col(d.span.start);
        out.push_str(&format!(
            "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"opslint.{}\"/>\n",
            pos.line,
            pos.column,
            d.severity.as_str(),
            escape(&d.message),
            d.code
        ));
    }
    out.push_str("  </file>\n");
}
