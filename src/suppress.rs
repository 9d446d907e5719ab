//! Inline suppressions, read from the comments an engine reports (`LintOutput::comments`):
//!
//! - `opslint: ignore[CODES] reason`: covers findings whose span *start* lies in `Comment::covers`;
//! - `opslint: ignore-file[CODES]`, `opslint: ignore-file`: the whole file;
//! - `hadolint ignore=DL3006,DL3008`: like an ignore, each DL code standing for every code
//!   `Code::from_hadolint` gives; `hadolint global ignore=…`: the whole file;
//! - `opslint: context=…`: a directive for other tools, not a suppression;
//! - `opslint.io/ignore: "CODES"`: a Kubernetes object's annotation, which the engine reports
//!   as a comment covering the object: like an ignore over the whole object.
//!
//! An opslint ignore that suppresses nothing is OPS002 (codes not selected are exempt); a
//! malformed one or an unknown code is OPS003. Both can only be silenced by `ignore-file`.

use crate::diagnostic::{Diagnostic, Edit, Span};
use crate::lang::Comment;
use crate::registry::Code;
use crate::source::SourceFile;

/// Which findings a suppression stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    All,
    Codes(Vec<Code>),
}

impl Scope {
    fn covers(&self, code: Code) -> bool {
        match self {
            Scope::All => true,
            Scope::Codes(codes) => codes.contains(&code),
        }
    }
}

/// One code or name written in an `opslint: ignore[…]` list: a name several file types share
/// (`syntax-error`) stands for each of their codes.
#[derive(Debug, Clone)]
struct ListedCode {
    codes: Vec<Code>,
    /// Where it is written in the file.
    span: Span,
    used: bool,
}

impl ListedCode {
    fn enabled(&self, is_enabled: &dyn Fn(Code) -> bool) -> bool {
        self.codes.iter().any(|&c| is_enabled(c))
    }

    /// The code, or the name as written when it stands for several.
    fn name<'s>(&self, source: &'s SourceFile) -> &'s str {
        match self.codes.as_slice() {
            [one] => one.as_str(),
            _ => source.slice(&self.span),
        }
    }
}

#[derive(Debug)]
struct LineIgnore {
    comment: Comment,
    codes: Vec<ListedCode>,
    /// The span of the text between the brackets.
    list_span: Span,
}

#[derive(Debug)]
struct HadolintIgnore {
    covers: Span,
    codes: Vec<Code>,
}

/// Everything the comments of one file say.
#[derive(Debug, Default)]
struct Parsed {
    lines: Vec<LineIgnore>,
    hadolint: Vec<HadolintIgnore>,
    file: Vec<Scope>,
    invalid: Vec<Diagnostic>,
}

/// Removes suppressed findings from `diagnostics` and adds OPS002/OPS003 findings.
/// `diagnostics` must already be reduced to the rules enabled for this file;
/// `is_enabled(code)` tells which codes are (OPS002 exempts the others).
pub fn apply(
    source: &SourceFile,
    comments: &[Comment],
    diagnostics: Vec<Diagnostic>,
    is_enabled: &dyn Fn(Code) -> bool,
) -> Vec<Diagnostic> {
    let mut parsed = Parsed::default();
    for comment in comments {
        parse_comment(source, comment, &mut parsed);
    }
    let file_suppressed = |code: Code| parsed.file.iter().any(|s| s.covers(code));
    let mut kept = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        if file_suppressed(d.code) {
            continue;
        }
        if matches!(d.code, Code::OPS002 | Code::OPS003) {
            kept.push(d);
            continue;
        }
        let start = d.span.start;
        let covered =
            |covers: &Span| covers.contains(&start) || (covers.is_empty() && covers.start == start);
        let mut suppressed = false;
        for ignore in &mut parsed.lines {
            if covered(&ignore.comment.covers) {
                for listed in ignore
                    .codes
                    .iter_mut()
                    .filter(|l| l.codes.contains(&d.code))
                {
                    listed.used = true;
                    suppressed = true;
                }
            }
        }
        suppressed |= parsed
            .hadolint
            .iter()
            .any(|h| covered(&h.covers) && h.codes.contains(&d.code));
        if !suppressed {
            kept.push(d);
        }
    }

    let mut extra = std::mem::take(&mut parsed.invalid);
    for ignore in &parsed.lines {
        if let Some(d) = unused(source, ignore, is_enabled) {
            extra.push(d);
        }
    }
    extra.retain(|d| is_enabled(d.code) && !file_suppressed(d.code));
    kept.extend(extra);
    kept
}

/// OPS002 for the codes of `ignore` that suppressed nothing, with a fix removing them.
fn unused(
    source: &SourceFile,
    ignore: &LineIgnore,
    is_enabled: &dyn Fn(Code) -> bool,
) -> Option<Diagnostic> {
    if ignore.codes.is_empty() {
        return None;
    }
    let unused: Vec<&ListedCode> = ignore
        .codes
        .iter()
        .filter(|l| !l.used && l.enabled(is_enabled))
        .collect();
    if unused.is_empty() {
        return None;
    }
    let names: Vec<&str> = unused.iter().map(|l| l.name(source)).collect();
    let mut d = Diagnostic::new(Code::OPS002, ignore.comment.span.clone());
    if unused.len() == ignore.codes.len() {
        d.message(format!(
            "unused suppression: {} suppressed nothing",
            names.join(", ")
        ))
        .help("remove the comment")
        .fix_safe(
            "remove the unused suppression",
            vec![Edit::delete(removal_span(source, &ignore.comment))],
        );
    } else {
        let keep: Vec<&str> = ignore
            .codes
            .iter()
            .filter(|l| l.used || !l.enabled(is_enabled))
            .map(|l| source.slice(&l.span))
            .collect();
        let first = unused
            .first()
            .map(|l| l.span.clone())
            .unwrap_or(d.span.clone());
        d.span = first;
        d.message(format!("unused suppression of {}", names.join(", ")))
            .help("remove the codes that suppress nothing")
            .fix_safe(
                format!("remove {}", names.join(", ")),
                vec![Edit::replace(ignore.list_span.clone(), keep.join(", "))],
            );
    }
    Some(d)
}

/// The bytes to delete to remove a comment: its whole line(s) when it is alone on them,
/// else the comment and the blanks before it.
pub fn removal_span(source: &SourceFile, comment: &Comment) -> Span {
    let text = source.text.as_bytes();
    if comment.own_line {
        let first = source.line_index(comment.span.start);
        let last = source.line_index(comment.span.end.saturating_sub(1).max(comment.span.start));
        source.line_start(first)..source.line_start(last + 1)
    } else {
        let mut start = comment.span.start as usize;
        while start > 0 && matches!(text.get(start - 1), Some(b' ' | b'\t')) {
            start -= 1;
        }
        start as u32..comment.span.end
    }
}

fn invalid(span: Span, message: String) -> Diagnostic {
    let mut d = Diagnostic::new(Code::OPS003, span);
    d.message(message)
        .help("write `opslint: ignore[CODE, …] reason` with rule codes or names");
    d
}

fn parse_comment(source: &SourceFile, comment: &Comment, out: &mut Parsed) {
    let body = source.slice(&comment.body);
    let lead = body.len() - body.trim_start().len();
    let trimmed = body.trim();
    let base = comment.body.start + lead as u32;
    if let Some(rest) = trimmed.strip_prefix("opslint:") {
        let offset = base + "opslint:".len() as u32;
        parse_opslint(comment, rest, offset, out);
    } else if let Some(rest) = trimmed.strip_prefix("hadolint ") {
        parse_hadolint(comment, rest, out);
    } else if let Some(rest) = trimmed.strip_prefix("opslint.io/ignore:") {
        let offset = base + "opslint.io/ignore:".len() as u32;
        parse_annotation(comment, rest, offset, out);
    } else if let Some(codes) = peer_annotation_codes(trimmed) {
        // Like hadolint's pragmas: honoured, never reported as unused or invalid.
        out.hadolint.push(HadolintIgnore {
            covers: comment.covers.clone(),
            codes,
        });
    }
}

/// The rules a Kubernetes peer's suppression annotation (`key: value`, as written) stands for:
/// kube-linter `ignore-check.kube-linter.io/<check>` and `kube-linter.io/ignore-all`, kube-score
/// `kube-score/ignore: <check>,…`, Polaris `polaris.fairwinds.com/<check>-exempt: "true"` and
/// `polaris.fairwinds.com/exempt`, checkov `checkov.io/skipN: CKV_K8S_14=reason`. The check names
/// map onto codes through the anchors of the catalogue.
pub fn peer_annotation_codes(annotation: &str) -> Option<Vec<Code>> {
    let (key, value) = annotation.split_once(':')?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let all_kubernetes = || {
        crate::registry::RULES
            .iter()
            .filter(|r| r.file_kind == crate::registry::FileKind::Kubernetes)
            .map(|r| r.code)
            .collect::<Vec<_>>()
    };
    let codes = if let Some(check) = key.strip_prefix("ignore-check.kube-linter.io/") {
        Code::from_peer_check(check)
    } else if key == "kube-linter.io/ignore-all" {
        all_kubernetes()
    } else if key == "kube-score/ignore" {
        value.split(',').flat_map(Code::from_peer_check).collect()
    } else if let Some(rest) = key.strip_prefix("polaris.fairwinds.com/") {
        if !value.eq_ignore_ascii_case("true") {
            return None;
        }
        match rest.strip_suffix("-exempt") {
            Some(check) => Code::from_peer_check(check),
            None if rest == "exempt" => all_kubernetes(),
            None => return None,
        }
    } else if key.starts_with("checkov.io/skip") {
        let check = value.split('=').next().unwrap_or(value);
        Code::from_peer_check(check)
    } else {
        return None;
    };
    (!codes.is_empty()).then_some(codes)
}

/// A Kubernetes object's `opslint.io/ignore: "K8S003,K8S004"` annotation, reported by the
/// engine as a comment whose `covers` is the object: like an ignore, over the whole object.
fn parse_annotation(comment: &Comment, rest: &str, offset: u32, out: &mut Parsed) {
    let lead = rest.len() - rest.trim_start().len();
    let mut value = rest.trim();
    let mut start = offset + lead as u32;
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            value = &value[1..value.len() - 1];
            start += 1;
        }
    }
    if value.trim().is_empty() {
        out.invalid.push(invalid(
            comment.span.clone(),
            "malformed suppression annotation: empty code list".to_string(),
        ));
        return;
    }
    let Some(codes) = parse_code_list(comment, value, start, out) else {
        return;
    };
    out.lines.push(LineIgnore {
        comment: comment.clone(),
        codes,
        list_span: start..start + value.len() as u32,
    });
}

/// The codes of a comma-separated list written at `list_start`; unknown ones are OPS003,
/// an empty entry makes the whole list malformed (`None`).
fn parse_code_list(
    comment: &Comment,
    inner: &str,
    list_start: u32,
    out: &mut Parsed,
) -> Option<Vec<ListedCode>> {
    let mut codes = Vec::new();
    let mut pos = 0usize;
    for part in inner.split(',') {
        let part_start = pos;
        pos += part.len() + 1;
        let name = part.trim();
        let name_start = list_start + (part_start + (part.len() - part.trim_start().len())) as u32;
        let span = name_start..name_start + name.len() as u32;
        if name.is_empty() {
            out.invalid.push(invalid(
                comment.span.clone(),
                "malformed suppression: empty entry in the code list".to_string(),
            ));
            return None;
        }
        match Code::lookup_all(name) {
            found if !found.is_empty() => codes.push(ListedCode {
                codes: found,
                span,
                used: false,
            }),
            _ => out.invalid.push(invalid(
                span,
                format!("unknown rule code or name `{name}` in suppression"),
            )),
        }
    }
    Some(codes)
}

fn parse_opslint(comment: &Comment, rest: &str, offset: u32, out: &mut Parsed) {
    let lead = rest.len() - rest.trim_start().len();
    let directive = rest.trim_start();
    let offset = offset + lead as u32;
    let word_end = directive
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(directive.len());
    let (word, after) = directive.split_at(word_end);
    let malformed = |out: &mut Parsed, what: &str| {
        out.invalid.push(invalid(
            comment.span.clone(),
            format!("malformed suppression `opslint:{rest}`: {what}"),
        ))
    };
    match word {
        "context" if after.starts_with('=') => {}
        "ignore-file" if after.is_empty() || after.starts_with(char::is_whitespace) => {
            out.file.push(Scope::All);
        }
        "ignore" | "ignore-file" => {
            let Some(list) = after.strip_prefix('[') else {
                return malformed(out, "expected `[CODES]` right after the directive");
            };
            let Some(close) = list.find(']') else {
                return malformed(out, "missing `]`");
            };
            let inner = &list[..close];
            if inner.trim().is_empty() {
                return malformed(out, "empty code list");
            }
            let list_start = offset + word.len() as u32 + 1;
            if inner.split(',').any(|p| p.trim().is_empty()) {
                return malformed(out, "empty entry in the code list");
            }
            let Some(codes) = parse_code_list(comment, inner, list_start, out) else {
                return;
            };
            if word == "ignore-file" {
                out.file.push(Scope::Codes(
                    codes.into_iter().flat_map(|l| l.codes).collect(),
                ));
            } else {
                out.lines.push(LineIgnore {
                    comment: comment.clone(),
                    codes,
                    list_span: list_start..list_start + close as u32,
                });
            }
        }
        _ => malformed(
            out,
            "unknown directive (expected ignore[…], ignore-file or context=…)",
        ),
    }
}

fn parse_hadolint(comment: &Comment, rest: &str, out: &mut Parsed) {
    let rest = rest.trim_start();
    let (global, rest) = match rest.strip_prefix("global") {
        Some(r) if r.starts_with(char::is_whitespace) => (true, r.trim_start()),
        _ => (false, rest),
    };
    let Some(list) = rest.strip_prefix("ignore") else {
        return;
    };
    let Some(list) = list.trim_start().strip_prefix('=') else {
        return;
    };
    let list = list.trim_start();
    let end = list
        .find(|c: char| c.is_whitespace() || c == '#')
        .unwrap_or(list.len());
    let codes: Vec<Code> = list[..end]
        .split(',')
        .flat_map(|dl| Code::from_hadolint(dl.trim()))
        .collect();
    if codes.is_empty() {
        return;
    }
    if global {
        out.file.push(Scope::Codes(codes));
    } else {
        out.hadolint.push(HadolintIgnore {
            covers: comment.covers.clone(),
            codes,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A comment on the `n`th (0-based) line covering the next line.
    fn comment_above(source: &SourceFile, line: usize) -> Comment {
        let span = source.line_span(line);
        Comment {
            body: span.start + 1..span.end,
            covers: source.line_span(line + 1),
            span,
            own_line: true,
        }
    }

    fn diag(code: Code, source: &SourceFile, line: usize) -> Diagnostic {
        let s = source.line_span(line);
        Diagnostic::new(code, s)
    }

    fn run(text: &str, comments: &[usize], diags: &[(Code, usize)]) -> Vec<(Code, u32)> {
        let source = SourceFile::new("Dockerfile", text);
        let comments: Vec<Comment> = comments
            .iter()
            .map(|&l| comment_above(&source, l))
            .collect();
        let diags = diags.iter().map(|&(c, l)| diag(c, &source, l)).collect();
        let enabled = |c: Code| c != Code::DKR017;
        let mut out: Vec<(Code, u32)> = apply(&source, &comments, diags, &enabled)
            .into_iter()
            .map(|d| (d.code, source.line_col(d.span.start).line))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn ignore_covers_the_next_instruction() {
        let text = "# opslint: ignore[DKR003] pinned upstream\nFROM a:latest\nFROM b:latest\n";
        assert_eq!(
            run(text, &[0], &[(Code::DKR003, 1), (Code::DKR003, 2)]),
            [(Code::DKR003, 3)]
        );
        // by name too
        let text = "# opslint: ignore[latest-tag]\nFROM a:latest\n";
        assert_eq!(run(text, &[0], &[(Code::DKR003, 1)]), []);
        // a name several file types share stands for each of their codes, and is used once
        // one of them is suppressed (no OPS002 for the others)
        let text = "# opslint: ignore[syntax-error]\npipeline {\n";
        assert_eq!(run(text, &[0], &[(Code::JNK001, 1)]), []);
        assert_eq!(run(text, &[0], &[]), [(Code::OPS002, 1)]);
    }

    #[test]
    fn unused_and_invalid() {
        let text = "# opslint: ignore[DKR002]\nFROM a:latest\n";
        assert_eq!(
            run(text, &[0], &[(Code::DKR003, 1)]),
            [(Code::OPS002, 1), (Code::DKR003, 2)]
        );
        // a code not enabled in this run is exempt
        let text = "# opslint: ignore[DKR017]\nFROM a:1\n";
        assert_eq!(run(text, &[0], &[]), []);
        for bad in [
            "# opslint: ignore DKR003\nFROM a\n",
            "# opslint: ignore[]\nFROM a\n",
            "# opslint: ignore[XYZ999]\nFROM a\n",
            "# opslint: nope\nFROM a\n",
        ] {
            assert_eq!(run(bad, &[0], &[]), [(Code::OPS003, 1)], "{bad}");
        }
        let text = "# opslint: context=build\nFROM a\n";
        assert_eq!(run(text, &[0], &[]), []);
    }

    #[test]
    fn file_level_and_hadolint() {
        let text = "# opslint: ignore-file\n# opslint: ignore[DKR002]\nFROM a\n";
        assert_eq!(
            run(text, &[0, 1], &[(Code::DKR003, 2)]),
            [],
            "ignore-file silences OPS002 too"
        );
        let text = "# opslint: ignore-file[DKR003]\nFROM a\nFROM b\n";
        assert_eq!(
            run(text, &[0], &[(Code::DKR003, 1), (Code::DKR002, 2)]),
            [(Code::DKR002, 3)]
        );
        let text = "# hadolint ignore=DL3006,SC2086,DL9999 # reason\nFROM a\nFROM b\n";
        assert_eq!(
            run(text, &[0], &[(Code::DKR002, 1), (Code::DKR002, 2)]),
            [(Code::DKR002, 3)]
        );
        let text = "# hadolint ignore=DL3007\nFROM a\n";
        assert_eq!(
            run(text, &[0], &[]),
            [],
            "hadolint pragmas are never unused"
        );
        let text = "# hadolint global ignore=DL3006\nFROM a\nFROM b\n";
        assert_eq!(run(text, &[0], &[(Code::DKR002, 1), (Code::DKR002, 2)]), []);
    }

    #[test]
    fn unused_fix_removes_the_line_or_the_code() {
        let text = "FROM a\n# opslint: ignore[DKR002]\nFROM b:latest\n";
        let source = SourceFile::new("Dockerfile", text);
        let c = comment_above(&source, 1);
        let out = apply(&source, std::slice::from_ref(&c), vec![], &|_| true);
        let fix = out[0].fix.clone().unwrap();
        assert_eq!(fix.edits[0].span, 7..33);
        let text = "# opslint: ignore[DKR002, DKR003] why\nFROM b:latest\n";
        let source = SourceFile::new("Dockerfile", text);
        let c = comment_above(&source, 0);
        let out = apply(&source, &[c], vec![diag(Code::DKR003, &source, 1)], &|_| {
            true
        });
        assert_eq!(out.len(), 1);
        let edit = &out[0].fix.as_ref().unwrap().edits[0];
        assert_eq!(source.slice(&edit.span), "DKR002, DKR003");
        assert_eq!(edit.content, "DKR003");
    }
}
