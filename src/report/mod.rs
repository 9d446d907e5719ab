//! Reporters: every output format is written from the same data, after linting and fixing.
//! `full` goes through miette over the line-indexed `SourceFile`; the machine formats are
//! written by hand from the same line index.

pub mod checkstyle;
pub mod concise;
pub mod fingerprint;
pub mod full;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod sarif;
mod writer;
mod xml;

pub use writer::{Part, ReportWriter, Totals};

use crate::cli::OutputFormat;
use crate::diagnostic::{Applicability, Diagnostic, Severity, Span};
use crate::lang::FileType;
use crate::registry::Code;
use crate::source::SourceFile;
use std::collections::BTreeMap;

/// One linted file: what the reporters need.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as shown (also `source.path`).
    pub path: String,
    pub file_type: FileType,
    /// The text the locations refer to (after fixes, when fixes were written).
    pub source: SourceFile,
    /// Byte ranges of secret values in `source`.
    pub secrets: Vec<Span>,
    /// Sorted by position, then code; severities as configured.
    pub diagnostics: Vec<Diagnostic>,
    /// Fixes applied (with `--fix`), per code.
    pub fixed: BTreeMap<Code, usize>,
    /// The lowest severity that fails the run for this file.
    pub fail_on: Severity,
}

/// How the report looks.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    pub format: OutputFormat,
    pub color: bool,
    /// Whether the output goes to a terminal (OSC-8 links only then).
    pub terminal: bool,
    pub unsafe_fixes: bool,
    pub fix_mode: bool,
    pub quiet: bool,
    pub statistics: bool,
    pub show_fixes: bool,
}

impl ReportOptions {
    /// A report for a file or a pipe: no colour, no links, no statistics, nothing fixed.
    pub fn plain(format: OutputFormat) -> ReportOptions {
        ReportOptions {
            format,
            color: false,
            terminal: false,
            unsafe_fixes: false,
            fix_mode: false,
            quiet: false,
            statistics: false,
            show_fixes: false,
        }
    }
}

/// A report whose messages, help, labels and fix texts quote no secret value of its file.
pub fn scrubbed(file: &FileReport) -> std::borrow::Cow<'_, FileReport> {
    use crate::secrets::scrub;
    if file.secrets.is_empty() {
        return std::borrow::Cow::Borrowed(file);
    }
    let values: Vec<&str> = file.secrets.iter().map(|s| file.source.slice(s)).collect();
    let mut clean = file.clone();
    for d in &mut clean.diagnostics {
        d.message = scrub(&d.message, &values).into_owned();
        d.help = d.help.as_deref().map(|h| scrub(h, &values).into_owned());
        for l in &mut d.labels {
            l.text = scrub(&l.text, &values).into_owned();
        }
        if let Some(fix) = &mut d.fix {
            fix.message = scrub(&fix.message, &values).into_owned();
            for e in &mut fix.edits {
                e.content = scrub(&e.content, &values).into_owned();
            }
        }
    }
    std::borrow::Cow::Owned(clean)
}

/// The whole report of `files` as text, in the order given: what [`ReportWriter`] writes when
/// it is handed every file at once (the LSP server, tests and benchmarks use it).
pub fn render(files: &[FileReport], opts: &ReportOptions) -> String {
    let mut writer = ReportWriter::new(*opts, Vec::new());
    let mut totals = Totals::default();
    for file in files {
        totals.add(Totals::of_file(file, opts));
        // Writing to a Vec cannot fail.
        let _ = writer.part(&Part::of_file(file, opts));
    }
    let bytes = writer.finish(&totals).unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The source with secrets masked, for reporters that print source text.
pub fn masked_source(file: &FileReport) -> SourceFile {
    if file.secrets.is_empty() {
        file.source.clone()
    } else {
        SourceFile::new(
            file.path.clone(),
            crate::secrets::mask(&file.source.text, &file.secrets),
        )
    }
}

/// The path as the CI formats need it: relative to the current folder when it is under it,
/// `/`-separated, without a leading `./`.
pub fn relative_path(path: &str) -> String {
    let mut p = path.to_string();
    if std::path::Path::new(&p).is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rest) = std::path::Path::new(&p).strip_prefix(&cwd) {
                p = rest.to_string_lossy().into_owned();
            }
        }
    }
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    s.to_string()
}

/// `text` with every line indented by `n` spaces (a pretty-printed JSON value placed at depth).
fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&pad);
        out.push_str(line);
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fixable(d: &Diagnostic, unsafe_fixes: bool) -> bool {
    d.fix
        .as_ref()
        .is_some_and(|f| f.applicability == Applicability::Safe || unsafe_fixes)
}
