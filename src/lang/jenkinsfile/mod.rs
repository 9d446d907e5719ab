//! The Jenkinsfile engine: Groovy lexer (`lex`), tolerant call/closure parser (`parse`),
//! declarative model (`model`) and rules (`rules`).
//!
//! Syntax errors (unbalanced brackets, unterminated strings and comments) are JNK001. The
//! structure rules read the declarative model; the security rules read the model's shell
//! steps and credential bindings in declarative and scripted pipelines alike.

pub mod lex;
pub mod model;
pub mod parse;
mod pod;
pub mod rules;
mod secrets;

use super::{Comment, LintContext, LintOutput};
use crate::diagnostic::{Findings, Span};
use crate::registry::Code;
use crate::source::SourceFile;
use lex::Tok;
use model::Model;
use parse::File;

/// What a rule sees: the parse tree, the model, the text and the run's options.
pub struct Ctx<'a> {
    pub file: &'a File,
    pub model: &'a Model<'a>,
    pub source: &'a SourceFile,
    pub lint: &'a LintContext,
}

impl Ctx<'_> {
    /// The text of a span in the file.
    pub fn text(&self, span: &Span) -> &str {
        self.source.slice(span)
    }

    /// Whether the file has syntax errors: the tree may then be wrong in ways the structure
    /// rules would misreport, so they stay silent.
    pub fn has_syntax_errors(&self) -> bool {
        !self.file.errors.is_empty()
    }
}

pub fn lint(source: &SourceFile, ctx: &LintContext) -> LintOutput {
    let file = parse::parse(&source.text);
    let model = model::build(&file, &source.text);
    let mut out = Findings::new();
    for e in &file.errors {
        out.report(Code::JNK001, e.span.clone())
            .message(e.message.clone());
    }
    let cx = Ctx {
        file: &file,
        model: &model,
        source,
        lint: ctx,
    };
    rules::run(&cx, &mut out);
    // In a file that does not parse, an edit may land inside what the lexer misread (an
    // unterminated string swallows what follows it): no fix is offered there.
    if cx.has_syntax_errors() {
        for d in &mut out.items {
            d.fix = None;
        }
    }
    let detector = crate::secrets::Detector::new(ctx.options.secrets_allow.clone());
    let pods = pod::embedded(&file, &source.text);
    // The Kubernetes engine scans the pod YAML's text itself.
    let inside_pod = |s: &crate::secrets::Secret| {
        pods.iter()
            .any(|(_, c)| c.start <= s.span.start && s.span.end <= c.end)
    };
    let mut found: Vec<crate::secrets::Secret> = detector
        .scan_text(&source.text)
        .into_iter()
        .filter(|s| !inside_pod(s))
        .collect();
    found.extend(secrets::structural(&file, &model, &source.text, &detector));
    let found = crate::secrets::dedup(found);
    let mut diagnostics = out.into_vec();
    diagnostics.extend(found.iter().map(|s| s.to_diagnostic()));
    LintOutput {
        diagnostics,
        comments: suppression_comments(&file, source),
        secrets: found.into_iter().map(|s| s.span).collect(),
        embedded: pods.into_iter().map(|(e, _)| e).collect(),
    }
}

/// The comments holding an `opslint:` directive. At the end of a line a comment covers that
/// line; alone on its line it covers the statement below it: the whole statement when it has
/// no block (so a finding inside a multi-line `sh '''…'''` is covered), else its head up to
/// the block (`stage('a') {`), at least to the end of that line.
fn suppression_comments(file: &File, source: &SourceFile) -> Vec<Comment> {
    let comments: Vec<&lex::CommentTok> = file
        .lexed
        .comments
        .iter()
        .filter(|c| source.slice(&c.body).contains("opslint:"))
        .collect();
    if comments.is_empty() {
        return Vec::new();
    }
    let heads = parse::statement_heads(file);
    let tokens = &file.lexed.tokens;
    let mut out = Vec::with_capacity(comments.len());
    for c in comments {
        let line_index = source.line_index(c.span.start);
        let line = source.line_span(line_index);
        let before = source.slice(&(line.start..c.span.start));
        let own_line = before.trim().is_empty()
            && source
                .slice(&(c.span.end..source.line_span(source.line_index(c.span.end)).end))
                .trim()
                .is_empty();
        let covers = if own_line {
            let from = tokens.partition_point(|t| t.span.start < c.span.end);
            let next = tokens
                .get(from..)
                .and_then(|rest| rest.iter().find(|t| t.kind != Tok::Newline));
            let head = next.and_then(|t| {
                let i = heads.partition_point(|h| h.start < t.span.start);
                heads.get(i).filter(|h| h.start == t.span.start)
            });
            match head {
                Some(h) => {
                    let first_line_end = source.line_span(source.line_index(h.start)).end;
                    h.start..h.end.max(first_line_end)
                }
                None => line.clone(),
            }
        } else {
            line.clone()
        };
        out.push(Comment {
            span: c.span.clone(),
            body: c.body.clone(),
            covers,
            own_line,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(text: &str) -> Vec<(String, bool)> {
        let source = SourceFile::new("Jenkinsfile", text);
        let out = lint(&source, &LintContext::default());
        out.comments
            .iter()
            .map(|c| (source.slice(&c.covers).to_string(), c.own_line))
            .collect()
    }

    #[test]
    fn suppression_comments_cover_the_statement_below() {
        let text = "pipeline {\n  // opslint: ignore[JNK005]\n  stages {\n  }\n  // opslint: ignore[JNK101]\n  sh \"\"\"\n    x $Y\n  \"\"\"\n  agent any // opslint: ignore[JNK105]\n  // just a comment\n}\n";
        assert_eq!(
            comments(text),
            vec![
                ("stages {".to_string(), true),
                ("sh \"\"\"\n    x $Y\n  \"\"\"".to_string(), true),
                ("  agent any // opslint: ignore[JNK105]".to_string(), false),
            ]
        );
    }

    #[test]
    fn suppressions_apply_to_findings() {
        let text = "pipeline {\n  // opslint: ignore[JNK204] pinned by the registry mirror\n  agent { docker { image 'maven' } }\n  stages {\n    stage('a') {\n      steps {\n        sh 'x' // opslint: ignore[unpinned-agent-image]\n      }\n    }\n  }\n}\n";
        let source = SourceFile::new("Jenkinsfile", text);
        let out = lint(&source, &LintContext::default());
        let kept = crate::suppress::apply(&source, &out.comments, out.diagnostics, &|_| true);
        let codes: Vec<Code> = kept.iter().map(|d| d.code).collect();
        // JNK204 is suppressed; the unused suppression on `sh` is reported.
        assert!(!codes.contains(&Code::JNK204), "{codes:?}");
        assert!(codes.contains(&Code::OPS002), "{codes:?}");
    }

    #[test]
    fn deep_pipelines_do_not_overflow() {
        let n = 20_000;
        for text in [
            format!(
                "pipeline {{ agent any\n stages {{ {}{} }} }}\n",
                "stage('a') { stages { ".repeat(n),
                "} } ".repeat(n)
            ),
            format!(
                "pipeline {{ agent any\n stages {{ stage('a') {{ when {{ {}branch 'x'{} }} steps {{ echo 'a' }} }} }} }}\n",
                "not { ".repeat(n),
                " }".repeat(n)
            ),
            format!(
                "pipeline {{ agent any\n stages {{ stage('a') {{ steps {{ {}sh 'x'{} }} }} }} }}\n",
                "dir('a') { ".repeat(n),
                " }".repeat(n)
            ),
            format!("node {{ {}input 'x'{} }}\n", "timeout(1) { ".repeat(n), " }".repeat(n)),
        ] {
            let source = SourceFile::new("Jenkinsfile", text.as_str());
            let _ = lint(&source, &LintContext::default());
        }
    }

    #[test]
    fn syntax_errors_are_jnk001() {
        let source = SourceFile::new("Jenkinsfile", "pipeline {\n  agent any\n");
        let out = lint(&source, &LintContext::default());
        let codes: Vec<Code> = out.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![Code::JNK001]);
        assert_eq!(out.diagnostics[0].span, 9..10);
    }

    #[test]
    fn no_fix_in_a_file_that_does_not_parse() {
        let leak = "node {\n  withCredentials([string(credentialsId: 'x', variable: 'TOKEN')]) {\n    sh \"curl -H 'Authorization: $TOKEN' https://x\"\n  }\n}\n";
        let out = lint(
            &SourceFile::new("Jenkinsfile", leak),
            &LintContext::default(),
        );
        assert!(out
            .diagnostics
            .iter()
            .any(|d| d.code == Code::JNK101 && d.fix.is_some()));
        let broken = format!("{leak}echo 'unterminated\n");
        let out = lint(
            &SourceFile::new("Jenkinsfile", broken.as_str()),
            &LintContext::default(),
        );
        assert!(out.diagnostics.iter().any(|d| d.code == Code::JNK001));
        assert!(out.diagnostics.iter().all(|d| d.fix.is_none()));
    }
}
