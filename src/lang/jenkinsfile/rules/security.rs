//! Secrets and untrusted input in pipelines, declarative and scripted alike (JNK101
//! secret-interpolation, JNK102 command-injection, JNK103 secret-echo, JNK104
//! unpinned-library, JNK105 agent-any, JNK106 dynamic-code).

use super::super::lex::{StrKind, StrLit, StrPart};
use super::super::model::{AgentForm, CredentialSource, Kind, ShellStep};
use super::super::parse::{all_statements, for_each_call, Arg, Call, Expr, ExprKind, StmtKind};
use super::super::Ctx;
use super::call_head;
use crate::diagnostic::{Edit, Findings, Span};
use crate::registry::Code;
use regex::Regex;
use std::sync::LazyLock;

pub fn check(cx: &Ctx, out: &mut Findings) {
    let creds = credential_vars(cx);
    let params = text_parameters(cx);
    let assigned = string_assignments(cx);
    let mut reported = Vec::new();
    for step in &cx.model.shell_steps {
        secret_interpolation(cx, step, &creds, out);
        secret_interpolation_via_variable(cx, step, &creds, &assigned, &mut reported, out);
        command_injection(cx, step, &params, out);
        secret_echo_in_shell(cx, step, &creds, out);
    }
    secret_echo(cx, &creds, out);
    unpinned_library(cx, out);
    dynamic_code(cx, out);
    // Where a pipeline's blocks end is a guess when brackets do not balance.
    if !cx.has_syntax_errors() {
        agent_any(cx, out);
    }
}

/// A variable holding a credential in a byte range of the file.
struct CredVar {
    name: String,
    scope: Span,
    /// Bound by `withCredentials` (not by `environment`).
    with_credentials: bool,
    /// The variable holds the path of a file or folder with the secret (`file`,
    /// `keyFileVariable`, `dockerCert`), not the secret.
    path: bool,
}

/// The credential variables: `X`, `X_USR`, `X_PSW` of `environment { X = credentials(…) }`
/// (from the model), and the variables of every `withCredentials` binding in its closure, or,
/// for the stage option `options { withCredentials([...]) }`, in its stage.
fn credential_vars(cx: &Ctx) -> Vec<CredVar> {
    let mut out: Vec<CredVar> = cx
        .model
        .credentials
        .iter()
        .filter(|c| c.source == CredentialSource::Environment)
        .map(|c| CredVar {
            name: c.variable.clone(),
            scope: c.scope.clone(),
            with_credentials: false,
            path: false,
        })
        .collect();
    for_each_call(&cx.file.stmts, &mut |c, stack| {
        if c.name != "withCredentials" || c.target.is_some() {
            return;
        }
        let scope = match c.closures.first() {
            Some(closure) => closure.span.clone(),
            None => match stack {
                [.., holder, options] if options.name == "options" => holder.span.clone(),
                _ => return,
            },
        };
        for (name, path) in binding_variables(cx, c) {
            out.push(CredVar {
                name,
                scope: scope.clone(),
                with_credentials: true,
                path,
            });
        }
    });
    out
}

/// The variables a `withCredentials` call binds, and whether each holds a path to the secret
/// rather than the secret (`file`, `zip`, `dockerCert`, `keyFileVariable`,
/// `keystoreVariable`). The AWS binding's variables default to `AWS_ACCESS_KEY_ID` and
/// `AWS_SECRET_ACCESS_KEY`; `gitUsernamePassword` binds `GIT_USERNAME` and `GIT_PASSWORD`.
fn binding_variables(cx: &Ctx, c: &Call) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for arg in c.positional() {
        let items: Vec<&Expr> = match &arg.value.kind {
            ExprKind::List(items) => items.iter().map(|i| &i.value).collect(),
            _ => vec![&arg.value],
        };
        for item in items {
            let (kind, args): (String, &[Arg]) = match &item.kind {
                ExprKind::Call(b) => (b.name.clone(), &b.args),
                ExprKind::Map(entries) => (
                    entries
                        .iter()
                        .find(|e| e.name.as_ref().is_some_and(|(n, _)| n == "$class"))
                        .and_then(|e| e.value.literal_string(&cx.file.lexed))
                        .unwrap_or_default(),
                    entries,
                ),
                _ => continue,
            };
            if kind == "gitUsernamePassword" {
                out.push(("GIT_USERNAME".to_string(), false));
                out.push(("GIT_PASSWORD".to_string(), false));
                continue;
            }
            let whole_path = matches!(
                kind.as_str(),
                "file" | "zip" | "dockerCert" | "FileBinding" | "ZipFileBinding"
            );
            for a in args {
                let Some((key, _)) = &a.name else { continue };
                if key != "variable" && !key.ends_with("Variable") {
                    continue;
                }
                if let Some(v) = a.value.literal_string(&cx.file.lexed) {
                    if !v.is_empty() {
                        let path = key == "keyFileVariable"
                            || key == "keystoreVariable"
                            || (whole_path && key == "variable");
                        out.push((v, path));
                    }
                }
            }
            if kind == "aws" || kind == "AmazonWebServicesCredentialsBinding" {
                let named = |n: &str| {
                    args.iter()
                        .any(|a| a.name.as_ref().is_some_and(|(k, _)| k == n))
                };
                for (key, default) in [
                    ("accessKeyVariable", "AWS_ACCESS_KEY_ID"),
                    ("secretKeyVariable", "AWS_SECRET_ACCESS_KEY"),
                ] {
                    if !named(key) {
                        out.push((default.to_string(), false));
                    }
                }
            }
        }
    }
    out
}

/// Whether `name` holds a credential at byte `at`.
fn is_credential(creds: &[CredVar], name: &str, at: u32) -> bool {
    creds
        .iter()
        .any(|c| c.name == name && c.scope.start <= at && at < c.scope.end)
}

/// Whether `name` holds a secret itself at byte `at` (a credential that is not a path).
fn holds_secret(creds: &[CredVar], name: &str, at: u32) -> bool {
    creds
        .iter()
        .any(|c| c.name == name && !c.path && c.scope.start <= at && at < c.scope.end)
}

/// The variable an interpolation reads: the first name of its expression (the second of
/// `env.X`), whether it is written `env.X`, and whether the expression is only that name.
struct InterpVar<'t> {
    chain: Vec<&'t str>,
    /// Nothing follows the name chain (`$X`, `${env.X}`, not `${X.trim()}`).
    simple: bool,
}

impl<'t> InterpVar<'t> {
    fn parse(expr: &'t str) -> Option<InterpVar<'t>> {
        let s = expr.trim();
        let mut chain = Vec::new();
        let mut rest = s;
        loop {
            let end = rest
                .char_indices()
                .find(|&(i, c)| !(c.is_ascii_alphanumeric() || c == '_' || (c == '$' && i > 0)))
                .map_or(rest.len(), |(i, _)| i);
            let ident = rest.get(..end).unwrap_or("");
            if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
                break;
            }
            chain.push(ident);
            rest = rest.get(end..).unwrap_or("");
            match rest.strip_prefix('.') {
                Some(r) if r.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => rest = r,
                _ => break,
            }
        }
        if chain.is_empty() {
            return None;
        }
        Some(InterpVar {
            simple: rest.trim().is_empty(),
            chain,
        })
    }

    /// The variable name: `X` of `X`, `X.y`, `env.X`.
    fn name(&self) -> &'t str {
        match self.chain.as_slice() {
            ["env", x, ..] => x,
            [x, ..] => x,
            [] => "",
        }
    }

    fn is_env(&self) -> bool {
        self.chain.first() == Some(&"env") && self.chain.len() >= 2
    }

    /// `X` or `env.X` and nothing more.
    fn is_plain(&self) -> bool {
        self.simple && (self.chain.len() == 1 || (self.is_env() && self.chain.len() == 2))
    }
}

/// Environment variables every Jenkins build has.
const JENKINS_ENV: &[&str] = &[
    "BUILD_NUMBER",
    "BUILD_ID",
    "BUILD_DISPLAY_NAME",
    "BUILD_TAG",
    "BUILD_URL",
    "JOB_NAME",
    "JOB_BASE_NAME",
    "JOB_URL",
    "WORKSPACE",
    "WORKSPACE_TMP",
    "JENKINS_HOME",
    "JENKINS_URL",
    "NODE_NAME",
    "NODE_LABELS",
    "EXECUTOR_NUMBER",
    "BRANCH_NAME",
    "CHANGE_ID",
    "CHANGE_URL",
    "CHANGE_TARGET",
    "TAG_NAME",
    "GIT_COMMIT",
    "GIT_BRANCH",
    "GIT_URL",
    "GIT_PREVIOUS_COMMIT",
    "STAGE_NAME",
];

/// The keys of the `environment` blocks whose scope holds `at`.
fn env_keys_at<'a>(cx: &'a Ctx, at: u32) -> Vec<&'a str> {
    let mut keys = Vec::new();
    let Some(p) = &cx.model.pipeline else {
        return keys;
    };
    if let Some(env) = &p.environment {
        keys.extend(env.entries.iter().map(|e| e.key.as_str()));
    }
    for stage in p.all_stages() {
        if stage.call.span.start <= at && at < stage.call.span.end {
            if let Some(env) = &stage.environment {
                keys.extend(env.entries.iter().map(|e| e.key.as_str()));
            }
        }
    }
    keys
}

/// The interpolating string literals of a shell step's script.
fn gstrings<'a>(cx: &'a Ctx, step: &ShellStep<'a>) -> Vec<&'a StrLit> {
    step.script_strings(cx.file)
        .into_iter()
        .filter(|s| s.kind.interpolates())
        .collect()
}

/// How the shell of `step` reads an environment variable.
fn shell_reference(step: &str, name: &str, braced: bool) -> String {
    match step {
        "bat" => format!("%{name}%"),
        "powershell" | "pwsh" if braced => format!("${{env:{name}}}"),
        "powershell" | "pwsh" => format!("$env:{name}"),
        _ if braced => format!("${{{name}}}"),
        _ => format!("${name}"),
    }
}

/// JNK101 secret-interpolation: a credential variable interpolated by Groovy into the script
/// of a shell step.
fn secret_interpolation(cx: &Ctx, step: &ShellStep, creds: &[CredVar], out: &mut Findings) {
    let at = step.call.span.start;
    let single = matches!(step.script.map(|e| &e.kind), Some(ExprKind::Str(_)));
    for lit in gstrings(cx, step) {
        let mut first = true;
        for (span, expr, _) in lit.interpolations() {
            let Some(var) = InterpVar::parse(cx.text(expr)) else {
                continue;
            };
            let name = var.name();
            if !is_credential(creds, name, at) {
                continue;
            }
            let read = shell_reference(step.step, name, false);
            let d = out
                .report(Code::JNK101, span.clone())
                .message(format!(
                    "A secret was passed to \"{}\" using Groovy String interpolation, which is insecure: the credential `{name}` ends up in the process arguments",
                    step.step
                ))
                .help(format!(
                    "use a single-quoted string and let the shell read the variable: `{read}`"
                ));
            if first && single {
                if let Some((edit, safe)) = single_quoted(cx, step, lit, creds) {
                    let msg = "turn the string into a single-quoted one that the shell expands";
                    if safe {
                        d.fix_safe(msg, vec![edit]);
                    } else {
                        d.fix_unsafe(msg, vec![edit]);
                    }
                }
            }
            first = false;
        }
    }
}

/// `name = "…"` assignments of a string literal to a plain variable, with where each is.
fn string_assignments<'a>(cx: &'a Ctx) -> Vec<(&'a str, u32, &'a StrLit)> {
    let mut out = Vec::new();
    for s in all_statements(&cx.file.stmts) {
        if let StmtKind::Assign {
            target,
            value: Some(value),
            op,
            ..
        } = &s.kind
        {
            if let (Some(n), Some(lit), "=") =
                (target.ident(), value.string(&cx.file.lexed), cx.text(op))
            {
                out.push((n, s.span.start, lit));
            }
        }
    }
    out.sort_by_key(|a| a.1);
    out
}

/// JNK101 through a variable: `def cmd = "curl -u $USER:$PASS …"` then `sh cmd`. The
/// GString is built where it is assigned, so the credential must be bound there; points at
/// the interpolation in the assignment.
fn secret_interpolation_via_variable(
    cx: &Ctx,
    step: &ShellStep,
    creds: &[CredVar],
    assigned: &[(&str, u32, &StrLit)],
    reported: &mut Vec<Span>,
    out: &mut Findings,
) {
    let Some(name) = step.script.and_then(Expr::ident) else {
        return;
    };
    let at = step.call.span.start;
    let Some((_, from, lit)) = assigned
        .iter()
        .rev()
        .find(|(n, pos, _)| *n == name && *pos < at)
    else {
        return;
    };
    if !lit.kind.interpolates() {
        return;
    }
    for (span, expr, _) in lit.interpolations() {
        let Some(var) = InterpVar::parse(cx.text(expr)) else {
            continue;
        };
        let cred = var.name();
        if !is_credential(creds, cred, *from) || reported.contains(span) {
            continue;
        }
        reported.push(span.clone());
        out.report(Code::JNK101, span.clone())
            .message(format!(
                "A secret was passed to \"{}\" using Groovy String interpolation, which is insecure: the credential `{cred}` ends up in the process arguments (through `{name}`)",
                step.step
            ))
            .help(format!(
                "use a single-quoted string and let the shell read the variable: `{}`",
                shell_reference(step.step, cred, false)
            ))
            .label(step.call.span.clone(), "run here");
    }
}

/// The string as a single-quoted Groovy string in which the shell reads each interpolated
/// variable from its environment, and whether that keeps the meaning: every interpolation
/// is an environment or credential variable and none sits inside shell single quotes.
/// `None` when an interpolation is more than a name, or a character cannot be written.
fn single_quoted(
    cx: &Ctx,
    step: &ShellStep,
    lit: &StrLit,
    creds: &[CredVar],
) -> Option<(Edit, bool)> {
    let at = step.call.span.start;
    let env_keys = env_keys_at(cx, at);
    let multiline = match lit.kind {
        StrKind::TripleDouble => true,
        StrKind::Double => false,
        _ => lit.parts.iter().any(|p| match p {
            StrPart::Lit { value, .. } => value.contains('\n'),
            StrPart::Interp { .. } => false,
        }),
    };
    let quote = if multiline { "'''" } else { "'" };
    let posix = step.step != "bat";
    let mut body = String::new();
    let mut safe = true;
    // Shell quoting state: inside '…' or "…".
    let (mut in_single, mut in_double, mut escaped) = (false, false, false);
    for p in &lit.parts {
        match p {
            StrPart::Lit { value, .. } => {
                for c in value.chars() {
                    match c {
                        '\\' => body.push_str("\\\\"),
                        '\'' => body.push_str("\\'"),
                        '\n' if !multiline => body.push_str("\\n"),
                        '\r' => body.push_str("\\r"),
                        '\n' | '\t' => body.push(c),
                        c if c.is_control() => return None,
                        c => body.push(c),
                    }
                    if escaped {
                        escaped = false;
                        continue;
                    }
                    match c {
                        '\\' if !in_single && step.step == "sh" => escaped = true,
                        '`' if !in_single && step.step != "sh" && posix => escaped = true,
                        '\'' if !in_double => in_single = !in_single,
                        '"' if !in_single => in_double = !in_double,
                        _ => {}
                    }
                }
            }
            StrPart::Interp { expr, braced, .. } => {
                let var = InterpVar::parse(cx.text(expr))?;
                // Parameters are in the environment too, but a Groovy value may differ.
                let param = match var.chain.as_slice() {
                    ["params", p] if var.simple => Some(*p),
                    _ => None,
                };
                if !var.is_plain() && param.is_none() {
                    return None;
                }
                let name = param.unwrap_or_else(|| var.name());
                let known = param.is_none()
                    && (var.is_env()
                        || is_credential(creds, name, at)
                        || env_keys.contains(&name)
                        || JENKINS_ENV.contains(&name));
                if !known || (posix && in_single) {
                    safe = false;
                }
                body.push_str(&shell_reference(step.step, name, *braced));
            }
        }
    }
    if !lit.terminated {
        return None;
    }
    let text = format!("{quote}{body}{quote}");
    Some((Edit::replace(lit.span.clone(), text), safe))
}

/// Names of the string and text parameters the file declares (`parameters { string(name:
/// 'X') }`, `properties([parameters([text(name: 'X')])])`).
fn text_parameters(cx: &Ctx) -> Vec<String> {
    let mut out = Vec::new();
    for_each_call(&cx.file.stmts, &mut |c, stack| {
        if c.target.is_some()
            || !matches!(
                c.name.as_str(),
                "string" | "text" | "stringParam" | "textParam"
            )
            || !stack.last().is_some_and(|p| p.name == "parameters")
        {
            return;
        }
        if let Some(n) = c
            .named("name")
            .or_else(|| c.positional().next())
            .and_then(|a| a.value.literal_string(&cx.file.lexed))
        {
            out.push(n);
        }
    });
    out
}

/// Environment variables an outsider sets: branch and tag names, pull request titles and
/// authors.
fn outsider_env(name: &str) -> bool {
    matches!(
        name,
        "BRANCH_NAME" | "CHANGE_TITLE" | "CHANGE_BRANCH" | "TAG_NAME"
    ) || name.starts_with("CHANGE_AUTHOR")
}

/// JNK102 command-injection: input an outsider controls interpolated into a shell script.
fn command_injection(cx: &Ctx, step: &ShellStep, params: &[String], out: &mut Findings) {
    for lit in gstrings(cx, step) {
        for (span, expr, _) in lit.interpolations() {
            let Some(var) = InterpVar::parse(cx.text(expr)) else {
                continue;
            };
            let (what, name) = match var.chain.as_slice() {
                ["params", p, ..] if params.iter().any(|x| x == p) => {
                    (format!("the parameter `{p}`"), *p)
                }
                ["params", ..] => continue,
                _ => {
                    let name = var.name();
                    if outsider_env(name) {
                        (format!("`{name}`"), name)
                    } else if params.iter().any(|x| x == name) {
                        (format!("the parameter `{name}`"), name)
                    } else {
                        continue;
                    }
                }
            };
            out.report(Code::JNK102, span.clone())
                .message(format!(
                    "{what} is interpolated by Groovy into the \"{}\" script: a value such as `$(curl …)` runs as code",
                    step.step
                ))
                .help(format!(
                    "use a single-quoted string and let the shell read the variable, quoted: `\"{}\"`",
                    shell_reference(step.step, name, false)
                ));
        }
    }
}

static XTRACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)(?:^|[\s;&|(])((?:set\s+-[A-Za-z]*x[A-Za-z]*|set\s+-o\s+xtrace|bash\s+-[A-Za-z]*x[A-Za-z]*)\b)")
        .expect("static regex")
});

/// JNK103 secret-echo, shell side: `set -x`/`bash -x` in a shell step inside
/// `withCredentials`, which prints every command with the secrets it expands.
fn secret_echo_in_shell(cx: &Ctx, step: &ShellStep, creds: &[CredVar], out: &mut Findings) {
    let at = step.call.span.start;
    if !creds
        .iter()
        .any(|c| c.with_credentials && c.scope.start <= at && at < c.scope.end)
    {
        return;
    }
    for lit in step.script_strings(cx.file) {
        for p in &lit.parts {
            let StrPart::Lit { span, .. } = p else {
                continue;
            };
            let raw = cx.text(span);
            if !raw.contains("-") {
                continue;
            }
            for caps in XTRACE.captures_iter(raw) {
                let Some(m) = caps.get(1) else { continue };
                let start = span.start + m.start() as u32;
                out.report(Code::JNK103, start..span.start + m.end() as u32)
                    .message(format!(
                        "`{}` inside `withCredentials` traces every command with the secrets it expands into the build log",
                        m.as_str()
                    ))
                    .help("turn tracing off (`set +x`) around the commands that use credentials");
            }
        }
    }
}

/// JNK103 secret-echo: `echo`/`println` of a credential variable.
fn secret_echo(cx: &Ctx, creds: &[CredVar], out: &mut Findings) {
    if creds.is_empty() {
        return;
    }
    for_each_call(&cx.file.stmts, &mut |c, _| {
        if c.target.is_some() || !matches!(c.name.as_str(), "echo" | "println" | "print") {
            return;
        }
        let at = c.span.start;
        let Some(arg) = c.positional().next().or_else(|| c.named("message")) else {
            return;
        };
        let mut hits: Vec<(Span, String)> = Vec::new();
        let mut operands = vec![&arg.value];
        if let ExprKind::Operation { operands: ops, .. } = &arg.value.kind {
            operands = ops.iter().collect();
        }
        for e in operands {
            match &e.kind {
                ExprKind::Str(_) => {
                    let Some(lit) = e.string(&cx.file.lexed) else {
                        continue;
                    };
                    if !lit.kind.interpolates() {
                        continue;
                    }
                    for (span, expr, _) in lit.interpolations() {
                        if let Some(v) = InterpVar::parse(cx.text(expr)) {
                            if holds_secret(creds, v.name(), at) {
                                hits.push((span.clone(), v.name().to_string()));
                            }
                        }
                    }
                }
                ExprKind::Ident(_) | ExprKind::Property { .. } => {
                    if let Some(v) = InterpVar::parse(cx.text(&e.span)) {
                        if v.simple && holds_secret(creds, v.name(), at) {
                            hits.push((e.span.clone(), v.name().to_string()));
                        }
                    }
                }
                // `password.collect { it }` (prints it unmasked, one character at a time),
                // `readFile(keyFile)` (prints the key file).
                ExprKind::Call(call) => {
                    let name = match (&call.target, call.name.as_str()) {
                        (Some(t), _) => root_name(t).filter(|n| holds_secret(creds, n, at)),
                        (None, "readFile") => call
                            .named("file")
                            .or_else(|| call.positional().next())
                            .and_then(|a| a.value.ident())
                            .filter(|n| is_credential(creds, n, at)),
                        _ => None,
                    };
                    if let Some(n) = name {
                        hits.push((e.span.clone(), n.to_string()));
                    }
                }
                _ => {}
            }
        }
        for (span, name) in hits {
            out.report(Code::JNK103, span)
                .message(format!(
                    "`{}` prints the credential `{name}` to the build log",
                    c.name
                ))
                .help("do not print secrets; Jenkins masks only the exact value, not encodings or parts of it");
        }
    });
}

/// The variable at the root of `x.a.b()`, `x[0]`, `env.X`.
fn root_name(e: &Expr) -> Option<&str> {
    let mut e = e;
    loop {
        match &e.kind {
            ExprKind::Ident(n) => return Some(n),
            ExprKind::Property { target, name, .. } => {
                if target.ident() == Some("env") {
                    return Some(name);
                }
                e = target;
            }
            ExprKind::Call(c) => e = c.target.as_ref()?,
            ExprKind::Index { target, .. } => e = target,
            _ => return None,
        }
    }
}

/// JNK104 unpinned-library: a shared library without a version, or on a moving branch.
fn unpinned_library(cx: &Ctx, out: &mut Findings) {
    for lib in &cx.model.libraries {
        let name = lib.name();
        match lib.version() {
            None | Some("") => {
                out.report(Code::JNK104, lib.span.clone())
                    .message(format!(
                        "The shared library `{name}` is not pinned to a version: whatever its default branch holds runs in this build"
                    ))
                    .help(format!("pin it to a tag or a commit: `{name}@v1.2.3`"));
            }
            Some(v @ ("master" | "main" | "develop")) => {
                out.report(Code::JNK104, lib.span.clone())
                    .message(format!(
                        "The shared library `{name}` is pinned to the moving branch `{v}`"
                    ))
                    .help(format!("pin it to a tag or a commit: `{name}@v1.2.3`"));
            }
            Some(_) => {}
        }
    }
}

/// JNK105 agent-any: a top-level `agent any` or a label-less `node { }`, which may run on the
/// controller.
fn agent_any(cx: &Ctx, out: &mut Findings) {
    if let Some(agent) = cx.model.pipeline.as_ref().and_then(|p| p.agent.as_ref()) {
        if matches!(agent.form, AgentForm::Any) {
            out.report(Code::JNK105, call_head(agent.section.call))
                .message("`agent any` may run the build on the controller")
                .help(
                    "run builds on agents: give a `label`, a `docker` image or a `kubernetes` pod",
                );
        }
    }
    if cx.model.kind == Kind::Other {
        return;
    }
    for_each_call(&cx.file.stmts, &mut |c, stack| {
        if c.name != "node" || c.target.is_some() || c.closures.is_empty() {
            return;
        }
        // `agent { node { label 'x' } }` is a declarative agent type.
        if stack.last().is_some_and(|p| p.name == "agent") {
            return;
        }
        let label = c.positional().next().or_else(|| c.named("label"));
        let labelless = match label {
            None => true,
            Some(a) => a
                .value
                .literal_string(&cx.file.lexed)
                .is_some_and(|l| l.trim().is_empty()),
        };
        if labelless {
            out.report(Code::JNK105, call_head(c))
                .message("`node` without a label may run the build on the controller")
                .help(
                    "give `node` the label of the agents that should run it: `node('linux') { … }`",
                );
        }
    });
}

/// Whether an expression is a literal string (or `+`-joined literals), or a string that
/// interpolates only the workspace path.
fn is_literal(cx: &Ctx, e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Str(_) => e.string(&cx.file.lexed).is_some_and(|s| {
            s.interpolations().all(|(_, expr, _)| {
                matches!(
                    cx.text(expr).trim(),
                    "WORKSPACE" | "env.WORKSPACE" | "pwd()" | "workspace"
                )
            })
        }),
        ExprKind::Operation { operands, .. } => operands.iter().all(|o| is_literal(cx, o)),
        _ => false,
    }
}

/// JNK106 dynamic-code: `load`, `evaluate`, `GroovyShell`, `Eval.me` on a string that is not a
/// literal.
fn dynamic_code(cx: &Ctx, out: &mut Findings) {
    for_each_call(&cx.file.stmts, &mut |c, _| {
        let what = match (c.name.as_str(), c.target.as_ref()) {
            ("load", None) => "load",
            ("evaluate", _) => "evaluate",
            ("me" | "x" | "xy" | "xyz", Some(t)) if t.ident() == Some("Eval") => "Eval",
            ("parse" | "run", Some(t)) if is_groovy_shell(t) => "GroovyShell",
            _ => return,
        };
        let arg: Option<&Arg> = if what == "Eval" && c.name != "me" {
            c.positional().last()
        } else {
            c.positional().next()
        };
        let Some(arg) = arg else { return };
        if is_literal(cx, &arg.value) {
            return;
        }
        report_dynamic(c, arg, what, out);
    });
}

fn is_groovy_shell(t: &Expr) -> bool {
    matches!(&t.kind, ExprKind::New { class, .. } if class.ends_with("GroovyShell"))
}

fn report_dynamic(c: &Call, arg: &Arg, what: &str, out: &mut Findings) {
    let action = if c.name == "load" {
        "loads and runs a script whose path is computed"
    } else {
        "runs Groovy code built at run time"
    };
    out.report(Code::JNK106, arg.span.clone())
        .message(format!(
            "`{what}` {action}: whoever controls that string runs code on the controller"
        ))
        .help("load code from a pinned shared library, or `load` a fixed path of the repository");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Options;
    use crate::registry::Code::*;

    fn pipeline(steps: &str) -> String {
        format!(
            "pipeline {{\n  agent {{ label 'linux' }}\n  stages {{\n    stage('a') {{\n      steps {{\n{steps}\n      }}\n    }}\n  }}\n}}\n"
        )
    }

    #[test]
    fn secret_interpolation_with_credentials() {
        // Line 6 is the first line of the steps.
        let text = pipeline(
            "        withCredentials([string(credentialsId: 't', variable: 'TOKEN')]) {\n          sh \"curl -H 'Authorization: Bearer $TOKEN' https://x\"\n        }",
        );
        assert_findings(JNK101, &text, &[(7, 46)]);
        let text = pipeline(
            "        withCredentials([usernamePassword(credentialsId: 'c', usernameVariable: 'U', passwordVariable: 'P')]) {\n          sh(script: \"login -u ${U} -p ${env.P}\", returnStatus: true)\n          bat \"net use x /user:%U% ${P}\"\n          powershell \"\"\"\n            Connect -Password $P\n          \"\"\"\n        }",
        );
        assert_findings(JNK101, &text, &[(7, 32), (7, 40), (8, 36), (10, 31)]);
    }

    #[test]
    fn secret_interpolation_binding_kinds() {
        for binding in [
            "usernameColonPassword(credentialsId: 'c', variable: 'S')",
            "file(credentialsId: 'c', variable: 'S')",
            "sshUserPrivateKey(credentialsId: 'c', keyFileVariable: 'S', passphraseVariable: 'PP', usernameVariable: 'UU')",
            "certificate(credentialsId: 'c', keystoreVariable: 'S', passwordVariable: 'PP')",
            "dockerCert(credentialsId: 'c', variable: 'S')",
            "aws(credentialsId: 'c', accessKeyVariable: 'S', secretKeyVariable: 'SK')",
            "[$class: 'AmazonWebServicesCredentialsBinding', credentialsId: 'c', accessKeyVariable: 'S']",
            "[$class: 'UsernamePasswordMultiBinding', credentialsId: 'c', usernameVariable: 'S', passwordVariable: 'PP']",
        ] {
            let text = format!("node('linux') {{\n  withCredentials([{binding}]) {{\n    sh \"use $S\"\n  }}\n}}\n");
            assert_findings(JNK101, &text, &[(3, 13)]);
        }
        // The AWS binding's default variables.
        let text = "node('x') {\n  withCredentials([aws(credentialsId: 'c')]) {\n    sh \"aws s3 ls --key ${AWS_SECRET_ACCESS_KEY}\"\n  }\n}\n";
        assert_findings(JNK101, text, &[(3, 25)]);
        let text = "node('x') {\n  withCredentials([gitUsernamePassword(credentialsId: 'c')]) {\n    sh \"git push https://$GIT_USERNAME:$GIT_PASSWORD@x\"\n  }\n}\n";
        assert_findings(JNK101, text, &[(3, 26), (3, 40)]);
    }

    #[test]
    fn secret_interpolation_stage_option_credentials() {
        let text = "pipeline {\n  agent { label 'x' }\n  stages {\n    stage('a') {\n      options {\n        withCredentials([usernamePassword(credentialsId: 'c', usernameVariable: 'U', passwordVariable: 'P')])\n      }\n      steps { sh \"login $U $P\" }\n    }\n    stage('b') { steps { sh \"login $P\" } }\n  }\n}\n";
        assert_findings(JNK101, text, &[(8, 25), (8, 28)]);
    }

    #[test]
    fn secret_interpolation_environment_credentials() {
        let text = "pipeline {\n  agent { label 'x' }\n  environment {\n    REG = credentials('registry')\n  }\n  stages {\n    stage('a') {\n      environment { KEY = credentials('k') }\n      steps {\n        sh \"docker login -u $REG_USR -p $REG_PSW\"\n        sh \"deploy --key ${KEY} ${env.REG}\"\n        script { sh \"x $REG\" }\n      }\n    }\n    stage('b') {\n      steps { sh \"deploy --key ${KEY}\" }\n    }\n  }\n}\n";
        assert_findings(
            JNK101,
            text,
            &[(10, 29), (10, 41), (11, 26), (11, 33), (12, 24)],
        );
    }

    #[test]
    fn secret_interpolation_through_a_variable() {
        let text = "node('x') {\n  withCredentials([string(credentialsId: 't', variable: 'T')]) {\n    def cmd = \"curl -H 'X: ${T}' x\"\n    sh cmd\n    def ok = 'curl -H \"X: $T\" x'\n    sh ok\n    sh script: cmd, returnStatus: true\n  }\n  def later = \"echo $T\"\n  sh later\n}\n";
        assert_findings(JNK101, text, &[(3, 28)]);
    }

    #[test]
    fn secret_interpolation_not_flagged() {
        // Single quotes: the shell reads the variable.
        let text = pipeline(
            "        withCredentials([string(credentialsId: 't', variable: 'TOKEN')]) {\n          sh 'curl -u $TOKEN https://x'\n          sh '''\n            curl -H \"Authorization: $TOKEN\" x\n          '''\n          sh \"echo \\$TOKEN ${BUILD_NUMBER}\"\n        }\n        sh \"echo $TOKEN\"",
        );
        assert_findings(JNK101, &text, &[]);
        // Not a shell step; a variable of the same name outside the binding's scope.
        let text = "node('x') {\n  def TOKEN = 'a'\n  withCredentials([string(credentialsId: 't', variable: 'TOKEN')]) {\n    writeFile file: 'x', text: \"$TOKEN\"\n  }\n  sh \"echo $TOKEN\"\n}\n";
        assert_findings(JNK101, text, &[]);
    }

    #[test]
    fn secret_interpolation_fix() {
        let wrap = |s: &str| {
            format!("node('x') {{\n  withCredentials([string(credentialsId: 't', variable: 'T')]) {{\n    {s}\n  }}\n}}\n")
        };
        assert_fixed(
            JNK101,
            &wrap(r#"sh "curl -u admin:$T https://x/${env.BUILD_NUMBER}""#),
            &wrap(r#"sh 'curl -u admin:$T https://x/${BUILD_NUMBER}'"#),
        );
        assert_fixed(
            JNK101,
            &wrap(r#"bat "x.exe %HOME% --token ${T} it's \"q\"""#),
            &wrap(r#"bat 'x.exe %HOME% --token %T% it\'s "q"'"#),
        );
        assert_fixed(
            JNK101,
            &wrap("pwsh(script: \"Invoke -Token $T \\$x\")"),
            &wrap("pwsh(script: 'Invoke -Token $env:T $x')"),
        );
        assert_fixed(
            JNK101,
            &wrap("sh \"\"\"\n      a \\\\ $T\n    \"\"\""),
            &wrap("sh '''\n      a \\\\ $T\n    '''"),
        );
        assert_fixed(
            JNK101,
            &wrap(r#"sh(/curl -u a\b\/c $T/)"#),
            &wrap(r#"sh('curl -u a\\b/c $T')"#),
        );
        assert_fixed(JNK101, &wrap("sh($/a $$b $T/$)"), &wrap("sh('a $b $T')"));
        let safe = |text: &str| {
            let (_, d) = lint_with(Options::default(), text);
            d.into_iter()
                .find(|d| d.code == JNK101)
                .and_then(|d| d.fix)
                .map(|f| f.applicability)
        };
        use crate::diagnostic::Applicability;
        assert_eq!(safe(&wrap(r#"sh "x $T""#)), Some(Applicability::Safe));
        // Inside shell single quotes the shell would not expand it; a Groovy variable is
        // not in the shell's environment.
        assert_eq!(safe(&wrap(r#"sh "x '$T'""#)), Some(Applicability::Unsafe));
        assert_eq!(
            safe(&wrap(r#"sh "x $T $version""#)),
            Some(Applicability::Unsafe)
        );
        // A concatenation: flagged, no fix.
        assert_eq!(safe(&wrap(r#"sh "x $T" + ' y'"#)), None);
        assert_findings(JNK101, &wrap(r#"sh "x $T" + ' y'"#), &[(3, 11)]);
        // An expression: no fix.
        assert_eq!(safe(&wrap(r#"sh "x $T ${v.trim()}""#)), None);
    }

    #[test]
    fn command_injection() {
        let text = "pipeline {\n  agent { label 'x' }\n  parameters {\n    string(name: 'TARGET', defaultValue: 'a')\n    choice(name: 'ENV', choices: ['a', 'b'])\n    booleanParam(name: 'DRY', defaultValue: true)\n  }\n  stages {\n    stage('a') {\n      steps {\n        sh \"deploy ${params.TARGET} ${params.ENV} ${params.DRY} $TARGET\"\n        sh \"git push origin ${env.BRANCH_NAME} $CHANGE_TITLE ${GIT_COMMIT}\"\n        sh \"echo ${env.CHANGE_AUTHOR_EMAIL}\"\n        sh 'deploy $TARGET \"$BRANCH_NAME\"'\n      }\n    }\n  }\n}\n";
        assert_findings(
            JNK102,
            text,
            &[(11, 20), (11, 65), (12, 29), (12, 48), (13, 18)],
        );
        // Scripted parameters; undeclared params are of unknown type.
        let text = "properties([parameters([text(name: 'NOTES')])])\nnode('x') {\n  sh \"echo ${params.NOTES} ${params.OTHER}\"\n  echo \"${env.BRANCH_NAME}\"\n}\n";
        assert_findings(JNK102, text, &[(3, 12)]);
        assert!(first_message(JNK102, text)
            .unwrap()
            .contains("parameter `NOTES`"));
    }

    #[test]
    fn secret_echo() {
        let text = "node('x') {\n  withCredentials([string(credentialsId: 't', variable: 'T')]) {\n    echo \"token is ${T}\"\n    println T\n    echo env.T\n    echo 'T'\n    sh '''\n      set -eux\n      curl -H \"X: $T\" x\n    '''\n    sh 'bash -x deploy.sh'\n    sh 'set +x; ssh -x host'\n    print 'T=' + T.collect { it } + readFile(T) + readFile('x') + x.size()\n  }\n  echo \"${T}\"\n  sh 'set -x'\n}\n";
        assert_findings(
            JNK103,
            text,
            &[
                (3, 20),
                (4, 13),
                (5, 10),
                (8, 7),
                (11, 9),
                (13, 18),
                (13, 37),
            ],
        );
        // A path to the secret is not the secret; the file's content is.
        let text = "node('x') {\n  withCredentials([file(credentialsId: 'f', variable: 'F'), sshUserPrivateKey(credentialsId: 'k', keyFileVariable: 'K', passphraseVariable: 'PP')]) {\n    echo \"key in $K, file $F\"\n    print readFile(K) + PP\n  }\n}\n";
        assert_findings(JNK103, text, &[(4, 11), (4, 25)]);
        let text = "pipeline {\n  agent { label 'x' }\n  environment { P = credentials('p') }\n  stages { stage('a') { steps { echo \"p=$P_PSW\"\n sh 'set -x; make' } } }\n}\n";
        assert_findings(JNK103, text, &[(4, 41)]);
    }

    #[test]
    fn unpinned_library() {
        let text = "@Library(['a', 'b@v1.2', 'c@main']) _\nlibrary 'd@master'\nlibrary identifier: 'e@develop', retriever: modernSCM([$class: 'GitSCMSource'])\nlibrary \"f@${V}\"\nlibrary 'g@0a1b2c3'\npipeline {\n  libraries { lib('h') }\n  agent { label 'x' }\n  stages { stage('a') { steps { echo 'x' } } }\n}\n";
        assert_findings(JNK104, text, &[(1, 11), (1, 26), (2, 9), (3, 21), (7, 19)]);
        assert!(first_message(JNK104, "@Library('x') _\n")
            .unwrap()
            .contains("`x` is not pinned"));
    }

    #[test]
    fn agent_any() {
        let text = "pipeline {\n  agent any\n  stages { stage('a') { agent any\n steps { echo 'x' } } }\n}\n";
        assert_findings(JNK105, text, &[(2, 3)]);
        let text = "node {\n  stage('a') { sh 'x' }\n}\nnode('') { sh 'y' }\nnode('linux') { sh 'z' }\nnode(label: 'l') { sh 'w' }\n";
        assert_findings(JNK105, text, &[(1, 1), (4, 1)]);
        let text = "pipeline {\n  agent { node { label 'x' } }\n  stages { stage('a') { steps { echo 'x' } } }\n}\n";
        assert_findings(JNK105, text, &[]);
    }

    #[test]
    fn dynamic_code() {
        let text = "node('x') {\n  load 'ci/steps.groovy'\n  load \"${env.WORKSPACE}/ci/x.groovy\"\n  def s = load(\"ci/${params.LIB}.groovy\")\n  evaluate(readFile('x.groovy'))\n  evaluate('1 + 1')\n  Eval.me(params.EXPR)\n  new GroovyShell().parse(code)\n  Eval.x(1, 'x + 1')\n}\n";
        assert_findings(JNK106, text, &[(4, 16), (5, 12), (7, 11), (8, 27)]);
    }

    /// Credentials read by the shell, in every shell and binding form.
    const GOOD_SECRETS: &str = r#"@Library('shared-lib@v1.4.2') _
pipeline {
    agent { kubernetes { yaml '''
kind: Pod
spec:
  containers:
  - name: jnlp
    image: jenkins/inbound-agent:3256.v88a_f6e922152-1
''' } }
    options { timeout(time: 30, unit: 'MINUTES') }
    parameters { choice(name: 'TARGET', choices: ['staging', 'production']) }
    environment { NEXUS = credentials('nexus') }
    stages {
        stage('Publish') {
            steps {
                sh 'mvn -B deploy -Dnexus.user="$NEXUS_USR" -Dnexus.password="$NEXUS_PSW"'
                sh "./release.sh ${params.TARGET} ${env.GIT_COMMIT} ${BUILD_NUMBER}"
                withCredentials([usernamePassword(credentialsId: 'c', usernameVariable: 'U', passwordVariable: 'P'),
                                 file(credentialsId: 'kubeconfig', variable: 'KUBECONFIG')]) {
                    bat 'deploy.exe /user:%U% /password:%P%'
                    powershell 'Connect-Registry -User $env:U -Password $env:P'
                    sh '''
                        set +x
                        kubectl --kubeconfig "$KUBECONFIG" rollout status deploy/app
                    '''
                    echo "Deploying build ${BUILD_NUMBER}"
                }
                script {
                    def helpers = load 'ci/helpers.groovy'
                    helpers.notify()
                }
            }
        }
    }
}
"#;

    #[test]
    fn good_pipeline_has_no_security_findings() {
        for code in [JNK101, JNK102, JNK103, JNK104, JNK105, JNK106] {
            assert_findings(code, GOOD_SECRETS, &[]);
        }
        for code in [JNK101, JNK102, JNK103, JNK104, JNK105, JNK106] {
            assert_findings(code, GOOD, &[]);
        }
    }
}
