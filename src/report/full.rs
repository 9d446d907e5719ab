//! The human format: miette's graphical handler over the line-indexed `SourceFile` (secrets
//! masked), rendered per file in parallel and written in path order.

use super::{masked_source, FileReport, ReportOptions};
use crate::diagnostic::{Applicability, Diagnostic, Severity, Span};
use crate::source::SourceFile;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use rayon::prelude::*;
use std::fmt;

/// One finding as miette sees it.
struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    source: &'a SourceFile,
    unsafe_fixes: bool,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.diagnostic.message.is_empty() {
            f.write_str(self.diagnostic.code.meta().summary)
        } else {
            f.write_str(&self.diagnostic.message)
        }
    }
}

impl std::error::Error for Rendered<'_> {}

impl Rendered<'_> {
    fn clamp(&self, span: &Span) -> miette::SourceSpan {
        let text = &self.source.text;
        let mut start = (span.start as usize).min(text.len());
        while start > 0 && !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (span.end as usize).clamp(start, text.len());
        while end < text.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        (start, end - start).into()
    }
}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let code = self.diagnostic.code;
        Some(Box::new(format!("{code} {}", code.name())))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let hint = self.diagnostic.fix.as_ref().map(|f| match f.applicability {
            Applicability::Safe => format!("fix available: {} (--fix)", f.message),
            Applicability::Unsafe if self.unsafe_fixes => {
                format!("fix available: {} (--fix --unsafe-fixes)", f.message)
            }
            Applicability::Unsafe => {
                format!("unsafe fix available: {} (--fix --unsafe-fixes)", f.message)
            }
        });
        let text = match (&self.diagnostic.help, hint) {
            (Some(h), Some(hint)) => format!("{h}\n{hint}"),
            (Some(h), None) => h.clone(),
            (None, Some(hint)) => hint,
            (None, None) => return None,
        };
        Some(Box::new(text))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(None, self.clamp(&self.diagnostic.span));
        let others = self
            .diagnostic
            .labels
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.text.clone()), self.clamp(&l.span)));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

fn handler(opts: &ReportOptions) -> GraphicalReportHandler {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|&w| w >= 40)
        .unwrap_or(120);
    GraphicalReportHandler::new_themed(theme)
        .with_links(opts.terminal)
        .with_width(width)
}

/// One file's findings, each drawn by miette. A file with many findings is drawn in parallel
/// chunks (a miette snippet costs about 20 µs).
pub fn file(file: &FileReport, opts: &ReportOptions, out: &mut String) {
    if file.diagnostics.is_empty() {
        return;
    }
    let handler = handler(opts);
    let source = masked_source(file);
    let draw = |chunk: &[Diagnostic]| {
        let mut part = String::new();
        for d in chunk {
            let rendered = Rendered {
                diagnostic: d,
                source: &source,
                unsafe_fixes: opts.unsafe_fixes,
            };
            if handler.render_report(&mut part, &rendered).is_err() {
                let pos = source.line_col(d.span.start);
                part.push_str(&format!(
                    "{}:{}:{}: {} {}\n",
                    file.path, pos.line, pos.column, d.code, d.message
                ));
            }
            part.push('\n');
        }
        part
    };
    const CHUNK: usize = 256;
    if file.diagnostics.len() <= CHUNK {
        out.push_str(&draw(&file.diagnostics));
    } else {
        let parts: Vec<String> = file.diagnostics.par_chunks(CHUNK).map(draw).collect();
        for p in parts {
            out.push_str(&p);
        }
    }
}
