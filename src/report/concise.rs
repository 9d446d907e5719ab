//! `path:line:col: CODE [severity] message`, one finding per line.

use super::FileReport;

pub fn file(f: &FileReport, out: &mut String) {
    for d in &f.diagnostics {
        let pos = f.source.line_col(d.span.start);
        out.push_str(&format!(
            "{}:{}:{}: {} [{}] {}\n",
            f.path,
            pos.line,
            pos.column,
            d.code,
            d.severity.as_str(),
            d.message
        ));
    }
}
