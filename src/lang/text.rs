//! What every file type gets before its own engine reads its structure: the secret detector's
//! scan of the raw text (provider tokens, private keys, passwords in URLs), and the
//! `opslint:` comments that suppress its findings. An engine with a parser replaces the
//! comment finder with its own and adds its structural feed to the detector.

use super::{Comment, LintContext, LintOutput};
use crate::source::SourceFile;

/// The comment marker of a file type without an engine yet: `#` (YAML, nginx) or `//`
/// (Groovy).
pub fn lint(source: &SourceFile, ctx: &LintContext, marker: &str) -> LintOutput {
    let detector = crate::secrets::Detector::new(ctx.options.secrets_allow.clone());
    let found = crate::secrets::dedup(detector.scan_text(&source.text));
    LintOutput {
        diagnostics: found.iter().map(|s| s.to_diagnostic()).collect(),
        comments: opslint_comments(source, marker),
        secrets: found.into_iter().map(|s| s.span).collect(),
        embedded: Vec::new(),
    }
}

/// The comments that hold an `opslint:` directive, found line by line: at the end of a line
/// they cover that line; alone on a line, the next line that is not blank or a comment.
/// Only lines containing `opslint:` are looked at, so text in strings is not misread as
/// anything else.
fn opslint_comments(source: &SourceFile, marker: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    for index in 0..source.line_count() {
        let line = source.line_span(index);
        let content = source.slice(&line);
        let Some(directive) = content.find("opslint:") else {
            continue;
        };
        let Some(marker_at) = content[..directive].rfind(marker) else {
            continue;
        };
        let start = line.start + marker_at as u32;
        let span = start..line.end;
        let body = start + marker.len() as u32..line.end;
        let own_line = content[..marker_at].trim().is_empty();
        let covers = if own_line {
            next_statement(source, index).unwrap_or(line.clone())
        } else {
            line.clone()
        };
        out.push(Comment {
            span,
            body,
            covers,
            own_line,
        });
    }
    out
}

fn next_statement(source: &SourceFile, after: usize) -> Option<crate::diagnostic::Span> {
    (after + 1..source.line_count())
        .map(|i| source.line_span(i))
        .find(|l| {
            let t = source.slice(l).trim();
            !t.is_empty() && !t.starts_with('#') && !t.starts_with("//")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Code;

    #[test]
    fn raw_scan_and_comments() {
        let token = format!("ghp_{}", "R7tK2mX9qL4vN8wZ3cB6yD1fH5jP0sA2uE4g");
        let text = format!(
            "a: 1\n# opslint: ignore[SEC002]\ntoken: {token}\nother: x # opslint: ignore[SEC004]\n"
        );
        let source = SourceFile::new("x.yaml", text.as_str());
        let out = lint(&source, &LintContext::default(), "#");
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].code, Code::SEC002);
        assert_eq!(out.comments.len(), 2);
        assert_eq!(
            source.slice(&out.comments[0].covers),
            format!("token: {token}")
        );
        assert_eq!(
            source.slice(&out.comments[1].covers),
            "other: x # opslint: ignore[SEC004]"
        );
        assert!(out.comments[0].own_line && !out.comments[1].own_line);
    }
}
