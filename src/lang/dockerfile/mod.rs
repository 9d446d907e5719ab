//! The Dockerfile engine: parser (instructions, flags, heredocs, shell words), model and rules.

pub mod model;
pub mod parse;
pub mod rules;
mod secrets;
pub mod shell;

use super::{Comment, LintContext, LintOutput};
use crate::diagnostic::Findings;
use crate::registry::Code;
use crate::source::SourceFile;
use parse::Dockerfile;

/// What a rule sees: the parsed file, its text and the run's options.
pub struct Ctx<'a> {
    pub file: &'a Dockerfile,
    pub source: &'a SourceFile,
    pub lint: &'a LintContext,
}

pub fn lint(source: &SourceFile, ctx: &LintContext) -> LintOutput {
    let file = parse::parse(&source.text);
    let mut out = Findings::new();
    for e in &file.errors {
        out.report(Code::DKR001, e.span.clone())
            .message(e.message.clone());
    }
    let cx = Ctx {
        file: &file,
        source,
        lint: ctx,
    };
    if !file.not_a_dockerfile {
        rules::run(&cx, &mut out);
    }
    let found = find_secrets(&file, source, ctx);
    let mut diagnostics = out.into_vec();
    drop_dkr016_where_sec_reports(&file, &found, &mut diagnostics);
    diagnostics.extend(found.iter().map(|s| s.to_diagnostic()));
    LintOutput {
        diagnostics,
        comments: suppression_comments(&file, source),
        secrets: found.into_iter().map(|s| s.span).collect(),
        embedded: Vec::new(),
    }
}

fn find_secrets(
    file: &Dockerfile,
    source: &SourceFile,
    ctx: &LintContext,
) -> Vec<crate::secrets::Secret> {
    let detector = crate::secrets::Detector::new(ctx.options.secrets_allow.clone());
    let mut found = detector.scan_text(&source.text);
    found.extend(secrets::structural(file, &detector));
    crate::secrets::dedup(found)
}

/// DKR016 (a sensitive name) is not reported where a SEC rule already reports the value
/// assigned to that name: one finding per problem.
fn drop_dkr016_where_sec_reports(
    file: &Dockerfile,
    found: &[crate::secrets::Secret],
    diagnostics: &mut Vec<crate::diagnostic::Diagnostic>,
) {
    let keys_with_secret: Vec<&crate::diagnostic::Span> = file
        .instructions
        .iter()
        .flat_map(|i| i.pairs.iter())
        .filter(|p| {
            p.value.as_ref().is_some_and(|v| {
                found
                    .iter()
                    .any(|s| s.span.start >= v.span.start && s.span.end <= v.span.end)
            })
        })
        .map(|p| &p.key.span)
        .collect();
    diagnostics.retain(|d| d.code != Code::DKR016 || !keys_with_secret.contains(&&d.span));
}

/// Every comment with the instruction it covers: a comment in the block of comment lines
/// directly above an instruction (or inside its continuation) covers every line of that
/// instruction. Dockerfiles have no end-of-line comments.
fn suppression_comments(file: &Dockerfile, source: &SourceFile) -> Vec<Comment> {
    let mut out = Vec::with_capacity(file.comments.len());
    for c in &file.comments {
        let next = file.instructions.iter().find(|i| i.span.end > c.span.start);
        let covers = match next {
            Some(inst)
                if c.inside_instruction || directly_above(source, c.span.end, inst.span.start) =>
            {
                inst.span.clone()
            }
            _ => c.span.clone(),
        };
        out.push(Comment {
            span: c.span.clone(),
            body: c.body.clone(),
            covers,
            own_line: true,
        });
    }
    out
}

/// Whether only comment lines (no blank line) stand between byte `from` (the end of a comment)
/// and `to` (the start of an instruction).
fn directly_above(source: &SourceFile, from: u32, to: u32) -> bool {
    let between = source.slice(&(from..to));
    let mut lines: Vec<&str> = between.split('\n').skip(1).collect();
    let indentation = lines.pop();
    indentation.is_some_and(|l| l.trim().is_empty())
        && lines.iter().all(|l| l.trim_start().starts_with('#'))
}

/// Each instruction's keyword and 1-based first and last line, and the syntax errors: what
/// `opslint debug dockerfile-instructions` prints to compare the parser with BuildKit's.
pub fn instruction_lines(source: &SourceFile) -> serde_json::Value {
    let file = parse::parse(&source.text);
    let line = |offset: u32| source.line_col(offset).line;
    let instructions: Vec<_> = file
        .instructions
        .iter()
        .map(|i| {
            serde_json::json!({
                "keyword": i.keyword_text.to_ascii_uppercase(),
                "start_line": line(i.span.start),
                "end_line": line(i.span.end.saturating_sub(1).max(i.span.start)),
            })
        })
        .collect();
    let errors: Vec<_> = file
        .errors
        .iter()
        .map(|e| serde_json::json!({"line": line(e.span.start), "message": e.message}))
        .collect();
    serde_json::json!({
        "path": source.path,
        "ok": errors.is_empty(),
        "instructions": instructions,
        "errors": errors,
    })
}

#[cfg(test)]
mod tests {
    use super::rules::test_support::lint_with;
    use crate::lang::Options;
    use crate::registry::Code;

    #[test]
    fn a_template_gets_one_finding_and_no_rule_findings() {
        let (_, diags) = lint_with(
            Options::default(),
            "{{ if .Alpine }}\nFROM alpine:latest\n{{ end }}\nRUN apt-get install curl\n",
        );
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![Code::DKR001]);
    }
}
