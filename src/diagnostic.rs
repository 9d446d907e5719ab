//! Diagnostics are plain data: a rule code, a byte span, a message, help and an optional fix.
//! Rendering them is the reporters' job.

use crate::registry::Code;
use std::ops::Range;

/// A byte range into a file's original text.
pub type Span = Range<u32>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    /// Keeps the meaning of the file; applied by `--fix`.
    Safe,
    /// May change behaviour; applied only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes of `span` with `content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn replace(span: Span, content: impl Into<String>) -> Edit {
        Edit {
            span,
            content: content.into(),
        }
    }

    pub fn insert(at: u32, content: impl Into<String>) -> Edit {
        Edit {
            span: at..at,
            content: content.into(),
        }
    }

    pub fn delete(span: Span) -> Edit {
        Edit {
            span,
            content: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

/// A secondary span with a note, shown beside the primary one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    /// The rule's default severity until the configuration overrides it.
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub labels: Vec<Label>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(code: Code, span: Span) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.meta().severity,
            span,
            message: String::new(),
            help: None,
            labels: Vec::new(),
            fix: None,
        }
    }

    pub fn message(&mut self, message: impl Into<String>) -> &mut Self {
        self.message = message.into();
        self
    }

    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn label(&mut self, span: Span, text: impl Into<String>) -> &mut Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    pub fn fix_safe(&mut self, message: impl Into<String>, edits: Vec<Edit>) -> &mut Self {
        self.fix(Applicability::Safe, message, edits)
    }

    pub fn fix_unsafe(&mut self, message: impl Into<String>, edits: Vec<Edit>) -> &mut Self {
        self.fix(Applicability::Unsafe, message, edits)
    }

    pub fn fix(
        &mut self,
        applicability: Applicability,
        message: impl Into<String>,
        edits: Vec<Edit>,
    ) -> &mut Self {
        self.fix = Some(Fix {
            applicability,
            message: message.into(),
            edits,
        });
        self
    }
}

/// Where rules push what they find.
#[derive(Debug, Default)]
pub struct Findings {
    pub items: Vec<Diagnostic>,
}

impl Findings {
    pub fn new() -> Findings {
        Findings::default()
    }

    /// Starts a finding of `code` at `span`; chain `.message(…)`, `.help(…)`, `.fix_safe(…)`.
    pub fn report(&mut self, code: Code, span: Span) -> &mut Diagnostic {
        self.items.push(Diagnostic::new(code, span));
        let last = self.items.len() - 1;
        &mut self.items[last]
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

/// Applies non-overlapping edits to `text`, in order of position; an edit that overlaps one
/// already taken is skipped (it gets another chance on the next fix round). Returns the new
/// text and how many edits were applied.
pub fn apply_edits<'a>(text: &str, edits: impl IntoIterator<Item = &'a Edit>) -> (String, usize) {
    let mut edits: Vec<&Edit> = edits.into_iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0usize;
    let mut applied = 0;
    for e in edits {
        let (start, end) = (e.span.start as usize, e.span.end as usize);
        if start < cursor
            || end > text.len()
            || start > end
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&text[cursor..start]);
        out.push_str(&e.content);
        cursor = end;
        applied += 1;
    }
    out.push_str(&text[cursor..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_order_and_skip_overlaps() {
        let edits = [
            Edit::replace(4..7, "B"),
            Edit::insert(0, ">"),
            Edit::replace(5..6, "x"),
            Edit::delete(8..9),
        ];
        assert_eq!(
            apply_edits("aaa bbb c d", &edits),
            (">aaa B  d".to_string(), 3)
        );
    }
}
