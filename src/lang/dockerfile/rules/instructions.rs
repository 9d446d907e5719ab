//! Instruction rules: how single instructions are written (ADD vs COPY, MAINTAINER, exec form,
//! WORKDIR, EXPOSE, COPY destinations, ENV references, ONBUILD triggers).

use super::super::parse::{unquote, Form, Instruction, Kind, Word};
use super::super::Ctx;
use crate::diagnostic::{Edit, Findings, Span};
use crate::registry::Code;

pub fn check(cx: &Ctx, out: &mut Findings) {
    add_instead_of_copy(cx, out);
    maintainer_deprecated(cx, out);
    shell_form_entrypoint(cx, out);
    relative_workdir(cx, out);
    invalid_port(cx, out);
    copy_dest_not_dir(cx, out);
    env_self_reference(cx, out);
    copy_relative_no_workdir(cx, out);
    onbuild_forbidden(cx, out);
    system_workdir(cx, out);
    exec_form_single_quotes(cx, out);
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// Whether `inst` is the trigger of an `ONBUILD` (it runs in a child build, whose variables and
/// WORKDIR are unknown here).
fn is_trigger(cx: &Ctx, index: usize, inst: &Instruction) -> bool {
    !cx.file
        .instructions
        .get(index)
        .is_some_and(|i| std::ptr::eq(i, inst))
}

/// The value of a word after ARG/ENV expansion at instruction `index`, quotes removed; `None`
/// when a variable cannot be resolved (rules then stay silent).
fn resolved(cx: &Ctx, index: usize, inst: &Instruction, word: &Word) -> Option<String> {
    if !word.raw.contains('$') {
        return Some(word.value.clone());
    }
    // Single quotes stop expansion: too rare to model here, so do not guess.
    if word.raw.contains('\'') || is_trigger(cx, index, inst) {
        return None;
    }
    let expanded = cx.file.scope_at(index).expand(&word.raw, cx.file.escape)?;
    Some(unquote(&expanded, cx.file.escape))
}

/// Absolute in a Linux or Windows image: `/x`, `\x`, `C:\x`, `C:/x`.
fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    matches!(b.first(), Some(b'/' | b'\\'))
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'))
}

/// The keyword to write for `new`, in the case the file uses for `inst`'s keyword.
fn keyword_like(inst: &Instruction, new: &str) -> String {
    if inst.keyword_text.chars().all(|c| c.is_ascii_lowercase()) {
        new.to_ascii_lowercase()
    } else {
        new.to_string()
    }
}

/// The original span of `word.raw[range]`, through the instruction's logical line (the word may
/// span a line continuation).
fn word_subspan(inst: &Instruction, word: &Word, range: std::ops::Range<usize>) -> Span {
    let text_len = inst.logical.text.len();
    let start_in_logical =
        (0..text_len).find(|&i| inst.logical.span(i, i + 1).start == word.span.start);
    match start_in_logical {
        Some(at) => inst.logical.span(at + range.start, at + range.end),
        None => word.span.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// DKR012

/// Extensions of the files `ADD` extracts (tar, possibly compressed). Docker looks at the
/// content, so a lone compressed file (`.gz`) may be a tarball too: exempt as well.
const ARCHIVE_SUFFIXES: &[&str] = &[
    ".tar", ".tgz", ".taz", ".tbz", ".tbz2", ".tb2", ".txz", ".tzst", ".gz", ".bz2", ".xz", ".zst",
    ".lzma", ".z",
];

/// Flags only `ADD` has: their presence means the ADD is deliberate.
const ADD_ONLY_FLAGS: &[&str] = &["checksum", "keep-git-dir", "unpack"];

fn is_url(source: &str) -> bool {
    source.contains("://") || source.starts_with("git@")
}

fn is_archive(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// DKR012 add-instead-of-copy: `ADD` of local files that are not archives; use `COPY`.
fn add_instead_of_copy(cx: &Ctx, out: &mut Findings) {
    for (_, inst) in cx.instructions_of(Kind::Add) {
        if inst
            .flags
            .iter()
            .any(|f| ADD_ONLY_FLAGS.contains(&f.name.as_str()))
        {
            continue;
        }
        let paths = inst.path_args();
        let Some((_, sources)) = paths.split_last() else {
            continue;
        };
        if sources.is_empty() && inst.heredocs.is_empty() {
            continue;
        }
        let exempt = sources.iter().any(|s| {
            let file_name = s.value.rsplit('/').next().unwrap_or(&s.value);
            s.value.contains('$')
                || is_url(&s.value)
                || is_archive(&s.value)
                || file_name.ends_with(['*', '?', ']'])
        });
        if exempt {
            continue;
        }
        let what = match sources.first() {
            Some(s) => format!("`{}`", s.value),
            None => "heredoc content".to_string(),
        };
        out.report(Code::DKR012, inst.keyword.clone())
            .message(format!(
                "`ADD` of local {what}: `COPY` does the same, without ADD's URL download and tar extraction"
            ))
            .help("use `COPY` for local files and folders; keep `ADD` for URLs and tar archives")
            .fix_safe(
                "replace `ADD` with `COPY`",
                vec![Edit::replace(
                    inst.keyword.clone(),
                    keyword_like(inst, "COPY"),
                )],
            );
    }
}

// ---------------------------------------------------------------------------------------------
// DKR013

/// `text` as a double-quoted Dockerfile string: `"`, `$` and the escape character are escaped.
fn double_quoted(text: &str, escape: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '$' || c == escape {
            out.push(escape);
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// DKR013 maintainer-deprecated: `MAINTAINER` is deprecated; use `LABEL maintainer=…`.
fn maintainer_deprecated(cx: &Ctx, out: &mut Findings) {
    for (_, inst) in cx.instructions_of(Kind::Maintainer) {
        let who = inst.args_text();
        let d = out
            .report(Code::DKR013, inst.keyword.clone())
            .message("`MAINTAINER` is deprecated")
            .help("write the maintainer as a label: `LABEL maintainer=\"…\"`");
        if !who.is_empty() {
            let label = format!(
                "{} maintainer={}",
                keyword_like(inst, "LABEL"),
                double_quoted(who, cx.file.escape)
            );
            d.fix_safe(
                "replace with `LABEL maintainer=…`",
                vec![Edit::replace(inst.span.clone(), label)],
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DKR014

/// A word that means the same in a shell (sh or cmd) and as an exec-form argument.
fn is_plain_word(word: &str) -> bool {
    !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=,@+-".contains(c))
}

/// Shell keywords and builtins: as the first word they only exist inside a shell.
const SHELL_ONLY: &[&str] = &[
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "while", "until", "do", "done",
    "in", "function", "select", "time", "cd", "export", "source", ".", "set", "unset", "alias",
    "eval", "exec", "exit", "ulimit", "umask", "trap", "wait", "read", "shift", "readonly",
    "local", "declare", "typeset", "call", "start",
];

/// DKR014 shell-form-entrypoint: `CMD`/`ENTRYPOINT` in shell form, so the process does not get
/// the container's signals.
fn shell_form_entrypoint(cx: &Ctx, out: &mut Findings) {
    for (_, inst) in cx.instructions() {
        if !matches!(inst.kind, Kind::Cmd | Kind::Entrypoint) || inst.form != Form::Shell {
            continue;
        }
        let args = inst.args_text();
        // `['a', 'b']` is DKR049's.
        if args.is_empty() || args.starts_with('[') {
            continue;
        }
        let Some(script) = &inst.script else {
            continue;
        };
        // `exec server` (possibly after `cd x &&`) replaces the shell: signals do reach it.
        if script.commands.last().is_some_and(|c| {
            c.words.first().is_some_and(|w| w.value == "exec")
                && c.op_before != super::super::shell::Op::Pipe
        }) {
            continue;
        }
        let keyword = inst.kind.as_str();
        let program = script
            .commands
            .first()
            .and_then(|c| c.program())
            .unwrap_or("the command");
        let d = out
            .report(Code::DKR014, inst.args_span())
            .message(format!(
                "`{keyword}` in shell form runs `{program}` as a child of a shell (`/bin/sh -c`): it does not receive SIGTERM and cannot stop gracefully"
            ))
            .help(format!(
                "write `{keyword}` in exec form (a JSON array), or start the command with `exec`"
            ));
        let words = &inst.words;
        let simple = !words.is_empty()
            && words.iter().all(|w| is_plain_word(&w.raw))
            && words
                .first()
                .is_some_and(|w| !w.raw.contains('=') && !SHELL_ONLY.contains(&w.raw.as_str()));
        if simple {
            let items: Vec<String> = words.iter().map(|w| format!("\"{}\"", w.raw)).collect();
            d.fix_unsafe(
                format!("rewrite `{keyword}` in exec form"),
                vec![Edit::replace(
                    inst.args_span(),
                    format!("[{}]", items.join(", ")),
                )],
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DKR018 / DKR047

/// The path of a WORKDIR after expansion, with the span to point at; `None` when unresolvable.
fn workdir_path(cx: &Ctx, index: usize, inst: &Instruction) -> Option<(String, Span)> {
    let word = inst.words.first()?;
    let path = resolved(cx, index, inst, word)?;
    // `C:\app` with the default `\` escape reads as `C:app`: the raw text decides then.
    let path = if !is_absolute(&path) && !word.raw.contains('$') && is_absolute(&word.raw) {
        word.raw.clone()
    } else {
        path
    };
    (!path.is_empty()).then(|| (path, inst.args_span()))
}

/// DKR018 relative-workdir: `WORKDIR` that is not absolute after variable expansion.
fn relative_workdir(cx: &Ctx, out: &mut Findings) {
    for (index, inst) in cx.instructions_of(Kind::Workdir) {
        let Some((path, span)) = workdir_path(cx, index, inst) else {
            continue;
        };
        // A bare drive (`C:`) is not clearly relative: leave it.
        let bare_drive =
            path.len() == 2 && path.as_bytes()[0].is_ascii_alphabetic() && path.ends_with(':');
        if is_absolute(&path) || bare_drive {
            continue;
        }
        out.report(Code::DKR018, span)
            .message(format!(
                "`WORKDIR {path}` is relative: it depends on the WORKDIR before it, which may come from the base image"
            ))
            .help("use an absolute path, e.g. `WORKDIR /app`");
    }
}

/// System directories a WORKDIR must not be (trivy DS030's list, plus `/sys`).
const SYSTEM_DIRS: &[&str] = &["/proc", "/sys", "/dev", "/boot", "/initrd", "/lost+found"];

/// `path` with `.`, `..` and repeated `/` resolved (an absolute Linux path).
fn clean_absolute(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// DKR047 system-workdir: `WORKDIR` inside `/proc`, `/sys`, `/dev`, `/boot` …
fn system_workdir(cx: &Ctx, out: &mut Findings) {
    for (index, inst) in cx.instructions_of(Kind::Workdir) {
        let Some((path, span)) = workdir_path(cx, index, inst) else {
            continue;
        };
        if !path.starts_with('/') {
            continue;
        }
        let clean = clean_absolute(&path);
        let Some(dir) = SYSTEM_DIRS
            .iter()
            .find(|d| clean == **d || clean.starts_with(&format!("{d}/")))
        else {
            continue;
        };
        out.report(Code::DKR047, span)
            .message(format!(
                "`WORKDIR {path}` is inside the system directory `{dir}`, which the kernel or runtime mounts over"
            ))
            .help("use an application directory such as `/app` or `/srv/app`");
    }
}

// ---------------------------------------------------------------------------------------------
// DKR023

/// Why an EXPOSE spec (`80`, `80/tcp`, `8000-8100/udp`) is invalid, or `None` if it is valid.
fn port_problem(spec: &str) -> Option<String> {
    // `ip:host:container` is accepted by Docker's parser; the container part is what counts.
    let spec = spec.rsplit(':').next().unwrap_or(spec);
    let (ports, proto) = match spec.split_once('/') {
        Some((p, proto)) => (p, Some(proto)),
        None => (spec, None),
    };
    if let Some(proto) = proto {
        if !proto.is_empty()
            && !["tcp", "udp", "sctp"]
                .iter()
                .any(|k| proto.eq_ignore_ascii_case(k))
        {
            return Some(format!(
                "unknown protocol `{proto}`: use `tcp`, `udp` or `sctp`"
            ));
        }
    }
    let number = |s: &str| -> Result<u32, String> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{s}` is not a port number"));
        }
        match s.trim_start_matches('0').len() {
            n if n > 5 => Err(format!("port {s} is outside 0–65535")),
            _ => {
                let v: u32 = s.parse().unwrap_or(u32::MAX);
                if v > 65535 {
                    Err(format!("port {s} is outside 0–65535"))
                } else {
                    Ok(v)
                }
            }
        }
    };
    let result = match ports.split_once('-') {
        Some((a, b)) => number(a).and_then(|a| {
            number(b).and_then(|b| {
                if a <= b {
                    Ok(())
                } else {
                    Err(format!("port range {a}-{b} ends before it starts"))
                }
            })
        }),
        None => number(ports).map(|_| ()),
    };
    result.err()
}

/// DKR023 invalid-port: `EXPOSE` of a port outside 0–65535 or a malformed port/protocol.
fn invalid_port(cx: &Ctx, out: &mut Findings) {
    for (index, inst) in cx.instructions_of(Kind::Expose) {
        for word in &inst.words {
            let Some(value) = resolved(cx, index, inst, word) else {
                continue;
            };
            // `EXPOSE $PORTS` with `PORTS="80 443"` expands to several ports.
            let problem = value.split_whitespace().find_map(port_problem);
            if let Some(problem) = problem {
                out.report(Code::DKR023, word.span.clone())
                    .message(format!("invalid `EXPOSE {value}`: {problem}"))
                    .help("write a port 0–65535 or a range, optionally with `/tcp`, `/udp` or `/sctp`");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DKR032

/// DKR032 copy-dest-not-dir: COPY/ADD of several sources to a destination that is not a
/// folder (`/` at the end, or `.`).
fn copy_dest_not_dir(cx: &Ctx, out: &mut Findings) {
    for (_, inst) in cx.instructions() {
        if !matches!(inst.kind, Kind::Copy | Kind::Add) {
            continue;
        }
        let paths = inst.path_args();
        let Some((dest, sources)) = paths.split_last() else {
            continue;
        };
        let count = sources.len() + inst.heredocs.len();
        if count < 2 {
            continue;
        }
        let d = dest.value.as_str();
        if d == "." || d.ends_with('/') || d.ends_with('\\') || dest.raw.contains('$') {
            continue;
        }
        let keyword = inst.kind.as_str();
        out.report(Code::DKR032, dest.span.clone())
            .message(format!(
                "`{keyword}` of {count} sources needs a folder as destination, but `{d}` does not end with `/`"
            ))
            .help(format!("end the destination with a slash: `{d}/`"));
    }
}

// ---------------------------------------------------------------------------------------------
// DKR034

/// Byte ranges of `raw` inside single quotes (where `$` is not expanded).
fn single_quoted_ranges(raw: &str, escape: char) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut quote: Option<(char, usize)> = None;
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(('\'', start)) if c == '\'' => {
                out.push(start..i + 1);
                quote = None;
            }
            Some(('"', _)) if c == escape => {
                chars.next();
            }
            Some(('"', _)) if c == '"' => quote = None,
            Some(_) => {}
            None if c == escape => {
                chars.next();
            }
            None if c == '\'' || c == '"' => quote = Some((c, i)),
            None => {}
        }
    }
    if let Some(('\'', start)) = quote {
        out.push(start..raw.len());
    }
    out
}

/// DKR034 env-self-reference: `ENV A=1 B=$A` uses the value of `A` from before the
/// instruction, not the one it sets.
fn env_self_reference(cx: &Ctx, out: &mut Findings) {
    let escape = cx.file.escape;
    for (_, inst) in cx.instructions_of(Kind::Env) {
        // The legacy `ENV A value` form sets one variable.
        if !inst.words.first().is_some_and(|w| w.raw.contains('=')) {
            continue;
        }
        for (k, pair) in inst.pairs.iter().enumerate() {
            let Some(value) = &pair.value else {
                continue;
            };
            let quoted = single_quoted_ranges(&value.raw, escape);
            for (range, name) in super::super::model::variable_refs(&value.raw, escape) {
                if quoted.iter().any(|q| q.contains(&range.start)) {
                    continue;
                }
                let Some(earlier) = inst.pairs[..k].iter().find(|p| p.key.value == name) else {
                    continue;
                };
                let key = &pair.key.value;
                out.report(Code::DKR034, word_subspan(inst, value, range))
                    .message(format!(
                        "`{key}` refers to `${name}`, which this same ENV sets: the reference sees the value from before the instruction"
                    ))
                    .help(format!(
                        "set `{name}` in an ENV of its own before the one that uses it"
                    ))
                    .label(earlier.key.span.clone(), format!("`{name}` is set here"));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DKR035

/// DKR035 copy-relative-no-workdir: COPY/ADD to a relative destination before any WORKDIR in
/// the stage (and in the local stages it is built from).
fn copy_relative_no_workdir(cx: &Ctx, out: &mut Findings) {
    let file = cx.file;
    for stage in &file.stages {
        let chain = file.stage_chain(stage);
        let mut has_workdir = chain.iter().skip(1).any(|parent| {
            file.stage_instructions(parent)
                .iter()
                .any(|i| i.kind == Kind::Workdir)
        });
        for index in stage.instructions.clone() {
            let Some(inst) = file.instructions.get(index) else {
                continue;
            };
            match inst.kind {
                Kind::Workdir => has_workdir = true,
                Kind::Copy | Kind::Add if !has_workdir => {
                    let paths = inst.path_args();
                    let Some(dest) = paths.last() else {
                        continue;
                    };
                    if paths.len() < 2 && inst.heredocs.is_empty() {
                        continue;
                    }
                    let Some(path) = resolved(cx, index, inst, dest) else {
                        continue;
                    };
                    if is_absolute(&path) || is_absolute(&dest.raw) {
                        continue;
                    }
                    let keyword = inst.kind.as_str();
                    out.report(Code::DKR035, dest.span.clone())
                        .message(format!(
                            "`{keyword}` to the relative destination `{path}` before any `WORKDIR`: it lands wherever the base image's working directory is"
                        ))
                        .help("set `WORKDIR` before it, or use an absolute destination");
                }
                _ => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DKR037

/// DKR037 onbuild-forbidden: `ONBUILD FROM`, `ONBUILD MAINTAINER`, `ONBUILD ONBUILD`.
fn onbuild_forbidden(cx: &Ctx, out: &mut Findings) {
    for inst in &cx.file.instructions {
        let Some(trigger) = &inst.onbuild else {
            continue;
        };
        if !matches!(trigger.kind, Kind::From | Kind::Maintainer | Kind::Onbuild) {
            continue;
        }
        let name = trigger.kind.as_str();
        out.report(Code::DKR037, trigger.keyword.clone())
            .message(format!(
                "`ONBUILD {name}` is not allowed: Docker rejects it when a child image builds"
            ))
            .help(format!("remove the `ONBUILD {name}` line"));
    }
}

// ---------------------------------------------------------------------------------------------
// DKR049

/// The items of `['a', 'b']` (single-quoted, possibly mixed with plain `"b"`), or `None` if the
/// text is not such an array with at least one single-quoted item.
fn single_quoted_array(text: &str) -> Option<Vec<String>> {
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    let mut items = Vec::new();
    let mut any_single = false;
    let mut rest = inner.trim_start();
    if rest.is_empty() {
        return None;
    }
    loop {
        let quote = rest.chars().next()?;
        if quote != '\'' && quote != '"' {
            return None;
        }
        let body = &rest[1..];
        let close = body.find(quote)?;
        let item = &body[..close];
        if quote == '"' && item.contains('\\') {
            return None;
        }
        any_single |= quote == '\'';
        items.push(item.to_string());
        rest = body[close + 1..].trim_start();
        if rest.is_empty() {
            break;
        }
        rest = rest.strip_prefix(',')?.trim_start();
    }
    any_single.then_some(items)
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// DKR049 exec-form-single-quotes: `CMD ['a', 'b']` is not JSON, so Docker runs it as a shell
/// command.
fn exec_form_single_quotes(cx: &Ctx, out: &mut Findings) {
    for (_, inst) in cx.instructions() {
        if !matches!(
            inst.kind,
            Kind::Cmd | Kind::Entrypoint | Kind::Run | Kind::Shell
        ) || inst.form != Form::Shell
        {
            continue;
        }
        let Some(items) = single_quoted_array(inst.args_text()) else {
            continue;
        };
        let keyword = inst.kind.as_str();
        let d = out
            .report(Code::DKR049, inst.args_span())
            .message(format!(
                "`{keyword}` array written with single quotes is not JSON: Docker runs it as a shell command"
            ))
            .help("write the exec form with double quotes: `[\"a\", \"b\"]`");
        // A backslash may have been meant as an escape or literally: no fix then.
        if items
            .iter()
            .all(|i| !i.contains('\\') && !i.chars().any(char::is_control))
        {
            let json: Vec<String> = items.iter().map(|i| json_string(i)).collect();
            d.fix_safe(
                "rewrite with double quotes",
                vec![Edit::replace(
                    inst.args_span(),
                    format!("[{}]", json.join(", ")),
                )],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::registry::Code::*;

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "ADD",
            "ADD <<",
            "ADD <<EOF\n",
            "COPY [\"a\"",
            "EXPOSE -",
            "EXPOSE 1-",
            "EXPOSE /",
            "EXPOSE 99999999999999999999",
            "EXPOSE é/é",
            "WORKDIR",
            "WORKDIR $",
            "WORKDIR ${",
            "WORKDIR C:",
            "ENV =",
            "ENV A=1 B=${",
            "ENV A=1 B=$",
            "ENV A=1 \\\n B=é$A",
            "MAINTAINER",
            "ONBUILD",
            "ONBUILD ONBUILD",
            "CMD [",
            "CMD ['",
            "CMD [']",
            "CMD ['é', \"\"]",
            "CMD [ ,]",
            "RUN ['a',]",
            "SHELL []",
        ] {
            let _ = lint_with(Default::default(), &format!("FROM a:1\n{text}\n"));
            let _ = lint_with(Default::default(), text);
        }
    }

    #[test]
    fn syntax_error() {
        assert_findings(DKR001, "FROM alpine:3.19\nFOO bar\n", &[(2, 1)]); // unknown instruction
        assert_findings(DKR001, "FROM alpine:3.19\nUSER\n", &[(2, 1)]); // missing argument
        assert_findings(DKR001, "FROM alpine:3.19\nRUN <<EOF\necho hi\n", &[(2, 5)]); // unterminated heredoc
        assert_findings(
            DKR001,
            "FROM alpine:3.19\nCMD [\"nginx\", \"-g\"\n",
            &[(2, 5)],
        ); // unterminated JSON
        assert_findings(DKR001, "# escape=x\nFROM alpine:3.19\n", &[(1, 10)]); // bad escape directive
        assert_findings(DKR001, "FROM alpine:3.19 build\n", &[(1, 1)]); // FROM with 2 words
        assert_findings(DKR001, "FROM alpine:3.19\nCOPY app.py\n", &[(2, 1)]); // one argument
        assert_findings(DKR001, "FROM alpine:3.19\nCOPY --own=1 a /b/\n", &[(2, 6)]); // unknown flag
                                                                                      // Heredoc terminator then a comment then an instruction (hadolint #1137).
        assert_findings(
            DKR001,
            "FROM alpine:3.19\nRUN <<EOF\napk add curl\nEOF\n# next\nCMD [\"sh\"]\n",
            &[],
        );
        assert_findings(
            DKR001,
            "FROM alpine:3.19\nCOPY <<EOF /etc/motd\nhello\nEOF\nRUN cat /etc/motd\n",
            &[],
        ); // terminator directly followed by an instruction
        assert_findings(DKR001, "FROM alpine:3.19\nENTRYPOINT []\n", &[]);
        assert_findings(
            DKR001,
            "FROM alpine:3.19\nRUN apk add \\\n\n    curl\n",
            &[],
        ); // empty continuation line
        assert_findings(
            DKR001,
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY app C:\\app\\\nRUN dir `\n    C:\\app\n",
            &[],
        );
        assert_findings(DKR001, "FROM alpine:3.19\nCOPY --link app /app/\n", &[]);
        assert_findings(
            DKR001,
            "from alpine:3.19\nrun apk add curl\ncopy . /app\n",
            &[],
        );
    }

    #[test]
    fn add_instead_of_copy() {
        assert_findings(DKR012, "FROM alpine:3.19\nADD app.py /app/\n", &[(2, 1)]);
        assert_findings(
            DKR012,
            "FROM alpine:3.19\nadd --chown=1:1 src /app/\n",
            &[(2, 1)],
        );
        assert_findings(DKR012, "FROM alpine:3.19\nADD site.zip /srv/\n", &[(2, 1)]); // zip is not extracted
        assert_findings(
            DKR012,
            "FROM alpine:3.19\nADD <<EOF /etc/motd\nhi\nEOF\n",
            &[(2, 1)],
        );
        assert_findings(DKR012, "FROM alpine:3.19\nONBUILD ADD . /app\n", &[(2, 9)]);
        assert_findings(
            DKR012,
            "FROM alpine:3.19\nADD [\"a b\", \"/app/\"]\n",
            &[(2, 1)],
        );
        // Not flagged: URLs, archives, ADD-only flags, variables, globs.
        assert_findings(
            DKR012,
            "FROM alpine:3.19\nADD https://example.com/x.sh /x\n",
            &[],
        );
        assert_findings(
            DKR012,
            "FROM alpine:3.19\nADD git@github.com:a/b.git /src\n",
            &[],
        );
        assert_findings(DKR012, "FROM alpine:3.19\nADD rootfs.tar.xz /\n", &[]);
        assert_findings(DKR012, "FROM alpine:3.19\nADD app.tgz /opt/\n", &[]);
        assert_findings(
            DKR012,
            "FROM alpine:3.19\nADD --checksum=sha256:ab x /x\n",
            &[],
        );
        assert_findings(
            DKR012,
            "FROM alpine:3.19\nADD --keep-git-dir=true repo /src\n",
            &[],
        );
        assert_findings(DKR012, "FROM alpine:3.19\nARG SRC\nADD $SRC /app/\n", &[]);
        assert_findings(DKR012, "FROM alpine:3.19\nADD dist/* /app/\n", &[]);
        assert_findings(DKR012, "FROM alpine:3.19\nCOPY app.py /app/\n", &[]);
        assert_fixed(
            DKR012,
            "FROM alpine:3.19\nADD --chown=app app.py /app/\n",
            "FROM alpine:3.19\nCOPY --chown=app app.py /app/\n",
        );
        assert_fixed(
            DKR012,
            "from alpine:3.19\nadd a /b\n",
            "from alpine:3.19\ncopy a /b\n",
        );
        assert_fixed(
            DKR012,
            "FROM alpine:3.19\nONBUILD ADD . /app/\n",
            "FROM alpine:3.19\nONBUILD COPY . /app/\n",
        );
    }

    #[test]
    fn maintainer_deprecated() {
        assert_findings(
            DKR013,
            "FROM alpine:3.19\nMAINTAINER ops@example.com\n",
            &[(2, 1)],
        );
        assert_findings(DKR013, "from alpine:3.19\nmaintainer ops\n", &[(2, 1)]);
        assert_findings(
            DKR013,
            "FROM alpine:3.19\nONBUILD MAINTAINER ops\n",
            &[(2, 9)],
        );
        assert_findings(DKR013, "FROM alpine:3.19\nLABEL maintainer=ops\n", &[]);
        assert_findings(DKR013, "FROM alpine:3.19\n# MAINTAINER ops\n", &[]);
        assert_findings(
            DKR013,
            "FROM alpine:3.19\nLABEL org.opencontainers.image.authors=x\n",
            &[],
        );
        assert_fixed(
            DKR013,
            "FROM alpine:3.19\nMAINTAINER Jane Doe <jane@example.com>\n",
            "FROM alpine:3.19\nLABEL maintainer=\"Jane Doe <jane@example.com>\"\n",
        );
        assert_fixed(
            DKR013,
            "FROM alpine:3.19\nMAINTAINER \"Jo\" C:\\x $HOME\n",
            "FROM alpine:3.19\nLABEL maintainer=\"\\\"Jo\\\" C:\\\\x \\$HOME\"\n",
        );
        assert_fixed(
            DKR013,
            "# escape=`\nFROM alpine:3.19\nMAINTAINER a\\b `x\n",
            "# escape=`\nFROM alpine:3.19\nLABEL maintainer=\"a\\b ``x\"\n",
        );
        assert_fixed(
            DKR013,
            "from a:1\nmaintainer x\n",
            "from a:1\nlabel maintainer=\"x\"\n",
        );
    }

    #[test]
    fn shell_form_entrypoint() {
        assert_findings(
            DKR014,
            "FROM nginx:1.25\nCMD nginx -g 'daemon off;'\n",
            &[(2, 5)],
        );
        assert_findings(
            DKR014,
            "FROM node:20\nENTRYPOINT node server.js\n",
            &[(2, 12)],
        );
        assert_findings(DKR014, "FROM node:20\ncmd npm start\n", &[(2, 5)]);
        assert_findings(DKR014, "FROM node:20\nONBUILD CMD npm start\n", &[(2, 13)]);
        // Not flagged: exec form, `exec`, single quotes (DKR049), HEALTHCHECK CMD.
        assert_findings(DKR014, "FROM node:20\nCMD [\"node\", \"server.js\"]\n", &[]);
        assert_findings(DKR014, "FROM node:20\nCMD exec node server.js\n", &[]);
        assert_findings(
            DKR014,
            "FROM node:20\nCMD cd /app && exec node server.js\n",
            &[],
        );
        assert_findings(DKR014, "FROM node:20\nCMD ['node', 'server.js']\n", &[]);
        assert_findings(
            DKR014,
            "FROM node:20\nHEALTHCHECK CMD curl -f localhost\n",
            &[],
        );
        assert_findings(DKR014, "FROM node:20\nENTRYPOINT []\n", &[]);
        assert_fixed(
            DKR014,
            "FROM node:20\nCMD node --port=80 server.js\n",
            "FROM node:20\nCMD [\"node\", \"--port=80\", \"server.js\"]\n",
        );
        assert_fixed(
            DKR014,
            "FROM node:20\nENTRYPOINT /usr/bin/app \\\n  --serve\n",
            "FROM node:20\nENTRYPOINT [\"/usr/bin/app\", \"--serve\"]\n",
        );
        // No fix when the shell matters: operators, quotes, variables, globs, redirections.
        for cmd in [
            "nginx -g 'daemon off;'",
            "app $PORT",
            "app > /log",
            "a && b",
            "run *.py",
            "A=1 app",
            "cd /srv",
            "app 50%",
        ] {
            let text = format!("FROM node:20\nCMD {cmd}\n");
            let (_, diags) = lint_with(Default::default(), &text);
            let d = diags.iter().find(|d| d.code == DKR014).unwrap();
            assert!(d.fix.is_none(), "{cmd}");
        }
    }

    #[test]
    fn relative_workdir() {
        assert_findings(DKR018, "FROM alpine:3.19\nWORKDIR app\n", &[(2, 9)]);
        assert_findings(DKR018, "FROM alpine:3.19\nworkdir ./src\n", &[(2, 9)]);
        assert_findings(
            DKR018,
            "FROM alpine:3.19\nARG D=app\nWORKDIR $D\n",
            &[(3, 9)],
        );
        assert_findings(
            DKR018,
            "FROM alpine:3.19\nENV D=srv\nWORKDIR ${D}/x\n",
            &[(3, 9)],
        );
        // Not flagged: absolute, Windows, unresolvable, quoted absolute.
        assert_findings(DKR018, "FROM alpine:3.19\nWORKDIR /app\n", &[]);
        assert_findings(DKR018, "FROM alpine:3.19\nWORKDIR \"/my app\"\n", &[]);
        assert_findings(
            DKR018,
            "FROM alpine:3.19\nARG HOME_DIR=/home/app\nWORKDIR $HOME_DIR\n",
            &[],
        );
        assert_findings(DKR018, "FROM alpine:3.19\nARG D\nWORKDIR $D\n", &[]);
        assert_findings(DKR018, "FROM alpine:3.19\nWORKDIR $UNDEFINED/x\n", &[]);
        assert_findings(
            DKR018,
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nWORKDIR C:\\app\nWORKDIR c:/tools\nWORKDIR \\inetpub\n",
            &[],
        );
        assert_findings(
            DKR018,
            "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nWORKDIR C:\\app\nWORKDIR C:\n",
            &[],
        );
    }

    #[test]
    fn invalid_port() {
        assert_findings(DKR023, "FROM nginx:1.25\nEXPOSE 70000\n", &[(2, 8)]);
        assert_findings(DKR023, "FROM nginx:1.25\nEXPOSE 80 80/http\n", &[(2, 11)]);
        assert_findings(DKR023, "FROM nginx:1.25\nEXPOSE abc\n", &[(2, 8)]);
        assert_findings(DKR023, "FROM nginx:1.25\nexpose 100-50\n", &[(2, 8)]);
        assert_findings(
            DKR023,
            "FROM nginx:1.25\nARG P=99999\nEXPOSE $P\n",
            &[(3, 8)],
        );
        assert_findings(DKR023, "FROM nginx:1.25\nEXPOSE 80/tcp/udp\n", &[(2, 8)]);
        // Not flagged: valid forms, ranges, protocols, variables.
        assert_findings(
            DKR023,
            "FROM nginx:1.25\nEXPOSE 80 80/tcp 53/udp 8000-8100 8000-8100/tcp 9/sctp 0 65535 443/TCP\n",
            &[],
        );
        assert_findings(
            DKR023,
            "FROM nginx:1.25\nARG PORTS=\"80 443\"\nEXPOSE $PORTS\n",
            &[],
        );
        assert_findings(DKR023, "FROM nginx:1.25\nARG PORT\nEXPOSE $PORT\n", &[]);
        assert_findings(DKR023, "FROM nginx:1.25\nEXPOSE ${PORT:-8080}\n", &[]);
        assert!(first_message(DKR023, "FROM a:1\nEXPOSE 80/http\n")
            .unwrap()
            .contains("`http`"));
    }

    #[test]
    fn copy_dest_not_dir() {
        assert_findings(
            DKR032,
            "FROM node:20\nCOPY package.json yarn.lock /app\n",
            &[(2, 29)],
        );
        assert_findings(
            DKR032,
            "FROM node:20\nCOPY [\"a\", \"b\", \"/app\"]\n",
            &[(2, 17)],
        );
        assert_findings(DKR032, "FROM node:20\nADD a b dest\n", &[(2, 9)]);
        assert_findings(
            DKR032,
            "FROM node:20\nCOPY <<A <<B /app\na\nA\nb\nB\n",
            &[(2, 14)],
        ); // heredocs are sources
           // Not flagged: one source, `/` at the end, `.`, variables.
        assert_findings(DKR032, "FROM node:20\nCOPY package.json /app\n", &[]);
        assert_findings(DKR032, "FROM node:20\nCOPY a b /app/\n", &[]);
        assert_findings(DKR032, "FROM node:20\nWORKDIR /app\nCOPY a b .\n", &[]);
        assert_findings(DKR032, "FROM node:20\nARG D=/app/\nCOPY a b $D\n", &[]);
        assert_findings(DKR032, "FROM node:20\nCOPY <<EOF /app/x\nhi\nEOF\n", &[]);
        assert_findings(DKR032, "FROM node:20\nCOPY --from=build /a /b /out/\n", &[]);
    }

    #[test]
    fn env_self_reference() {
        assert_findings(DKR034, "FROM alpine:3.19\nENV A=1 B=$A\n", &[(2, 11)]);
        assert_findings(
            DKR034,
            "FROM alpine:3.19\nENV DIR=/opt PATH=${DIR}/bin:$PATH\n",
            &[(2, 19)],
        );
        assert_findings(
            DKR034,
            "FROM alpine:3.19\nENV A=1 \\\n    B=\"x$A\"\n",
            &[(3, 9)],
        );
        assert_findings(
            DKR034,
            "FROM alpine:3.19\nENV A=0\nENV A=1 B=$A\n",
            &[(3, 11)],
        );
        // Not flagged: earlier ENV, escaped, single-quoted, self, legacy form.
        assert_findings(DKR034, "FROM alpine:3.19\nENV A=1\nENV B=$A\n", &[]);
        assert_findings(DKR034, "FROM alpine:3.19\nENV A=1 B=\\$A\n", &[]);
        assert_findings(DKR034, "FROM alpine:3.19\nENV A=1 B='$A'\n", &[]);
        assert_findings(DKR034, "FROM alpine:3.19\nENV PATH=/x:$PATH\n", &[]);
        assert_findings(DKR034, "FROM alpine:3.19\nENV A $A\n", &[]);
        assert_findings(DKR034, "FROM alpine:3.19\nENV B=$A A=1\n", &[]);
    }

    #[test]
    fn copy_relative_no_workdir() {
        assert_findings(DKR035, "FROM node:20\nCOPY . app\n", &[(2, 8)]);
        assert_findings(DKR035, "FROM node:20\nCOPY . .\nWORKDIR /app\n", &[(2, 8)]);
        assert_findings(DKR035, "FROM node:20\nADD [\"a\", \"b/\"]\n", &[(2, 11)]);
        assert_findings(
            DKR035,
            "FROM node:20 AS a\nWORKDIR /app\nFROM node:20\nCOPY x y\n",
            &[(4, 8)],
        );
        assert_findings(DKR035, "FROM node:20\nARG D=app\nCOPY x $D\n", &[(3, 8)]);
        // Not flagged: WORKDIR first, parent stage WORKDIR, absolute, Windows, ONBUILD, vars.
        assert_findings(DKR035, "FROM node:20\nWORKDIR /app\nCOPY . .\n", &[]);
        assert_findings(
            DKR035,
            "FROM node:20 AS base\nWORKDIR /app\nFROM base\nCOPY . .\n",
            &[],
        );
        assert_findings(DKR035, "FROM node:20\nCOPY . /app\n", &[]);
        assert_findings(
            DKR035,
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY app C:\\app\\\n",
            &[],
        );
        assert_findings(DKR035, "FROM node:20\nONBUILD COPY . .\n", &[]);
        assert_findings(DKR035, "FROM node:20\nARG D\nCOPY x $D\n", &[]);
        assert_findings(DKR035, "FROM node:20\nCOPY <<EOF /etc/motd\nhi\nEOF\n", &[]);
    }

    #[test]
    fn onbuild_forbidden() {
        assert_findings(
            DKR037,
            "FROM alpine:3.19\nONBUILD FROM debian:12\n",
            &[(2, 9)],
        );
        assert_findings(
            DKR037,
            "FROM alpine:3.19\nONBUILD MAINTAINER x\n",
            &[(2, 9)],
        );
        assert_findings(
            DKR037,
            "FROM alpine:3.19\nonbuild onbuild run x\n",
            &[(2, 9)],
        );
        assert_findings(DKR037, "FROM alpine:3.19\nONBUILD RUN echo from\n", &[]);
        assert_findings(DKR037, "FROM alpine:3.19\nONBUILD COPY . /app/\n", &[]);
        assert_findings(DKR037, "FROM alpine:3.19\nFROM debian:12\n", &[]);
    }

    #[test]
    fn system_workdir() {
        assert_findings(DKR047, "FROM alpine:3.19\nWORKDIR /proc\n", &[(2, 9)]);
        assert_findings(DKR047, "FROM alpine:3.19\nWORKDIR /dev/app/\n", &[(2, 9)]);
        assert_findings(DKR047, "FROM alpine:3.19\nWORKDIR /app/../sys\n", &[(2, 9)]);
        assert_findings(
            DKR047,
            "FROM alpine:3.19\nARG D=/boot\nworkdir $D\n",
            &[(3, 9)],
        );
        // Not flagged: look-alikes, /etc subfolders, relative, unresolvable.
        assert_findings(DKR047, "FROM alpine:3.19\nWORKDIR /procedures\n", &[]);
        assert_findings(DKR047, "FROM alpine:3.19\nWORKDIR /srv/proc\n", &[]);
        assert_findings(DKR047, "FROM nginx:1.25\nWORKDIR /etc/nginx\n", &[]);
        assert_findings(DKR047, "FROM alpine:3.19\nWORKDIR dev\n", &[]);
        assert_findings(DKR047, "FROM alpine:3.19\nARG D\nWORKDIR $D\n", &[]);
    }

    #[test]
    fn exec_form_single_quotes() {
        assert_findings(
            DKR049,
            "FROM node:20\nCMD ['node', 'server.js']\n",
            &[(2, 5)],
        );
        assert_findings(
            DKR049,
            "FROM node:20\nENTRYPOINT ['/entrypoint.sh']\n",
            &[(2, 12)],
        );
        assert_findings(
            DKR049,
            "FROM node:20\nRUN --mount=type=cache,target=/x ['a', \"b\"]\n",
            &[(2, 34)],
        );
        assert_findings(
            DKR049,
            "FROM node:20\nshell ['/bin/bash', '-c']\n",
            &[(2, 7)],
        );
        // Not flagged: JSON, shell tests, plain shell.
        assert_findings(DKR049, "FROM node:20\nCMD [\"node\", \"server.js\"]\n", &[]);
        assert_findings(DKR049, "FROM node:20\nRUN [ -f '/x' ] && echo 'y'\n", &[]);
        assert_findings(DKR049, "FROM node:20\nRUN [ \"$A\" = 'b' ]\n", &[]);
        assert_findings(DKR049, "FROM node:20\nCMD echo '[a]'\n", &[]);
        assert_findings(DKR049, "FROM node:20\nCMD []\n", &[]);
        assert_fixed(
            DKR049,
            "FROM node:20\nCMD ['node', 'server.js']\n",
            "FROM node:20\nCMD [\"node\", \"server.js\"]\n",
        );
        assert_fixed(
            DKR049,
            "FROM node:20\nCMD ['sh', '-c', 'echo \"hi\"']\n",
            "FROM node:20\nCMD [\"sh\", \"-c\", \"echo \\\"hi\\\"\"]\n",
        );
        let (_, diags) = lint_with(Default::default(), "FROM a:1\nCMD ['C:\\x']\n");
        assert!(diags.iter().any(|d| d.code == DKR049 && d.fix.is_none()));
    }
}
