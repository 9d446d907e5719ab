//! What goes inside the declarative directives (JNK009 invalid-post-condition, JNK010
//! invalid-when, JNK011 invalid-environment, JNK012 groovy-outside-script). Messages use the
//! validator's wording.

use super::super::lex::Tok;
use super::super::model::{Pipeline, Section};
use super::super::parse::{Block, Call, Expr, ExprKind, Stmt, StmtKind};
use super::super::Ctx;
use super::{bracket_list, did_you_mean, first_line, is_env_identifier};
use crate::diagnostic::{Edit, Findings, Span};
use crate::registry::Code;

pub fn check(cx: &Ctx, out: &mut Findings) {
    if cx.has_syntax_errors() {
        return;
    }
    let Some(p) = &cx.model.pipeline else {
        return;
    };
    invalid_post_condition(p, out);
    invalid_when(cx, p, out);
    invalid_environment(cx, p, out);
    groovy_outside_script(cx, p, out);
}

/// Every section named `name` of the pipeline, its stages and its matrices.
fn sections_named<'a>(p: &Pipeline<'a>, name: &str) -> Vec<Section<'a>> {
    let mut out: Vec<Section<'a>> = p
        .sections
        .iter()
        .filter(|s| s.name == name)
        .copied()
        .collect();
    for s in p.all_stages() {
        out.extend(s.sections.iter().filter(|x| x.name == name).copied());
        if let Some(m) = &s.matrix {
            out.extend(m.section.entries().into_iter().filter(|x| x.name == name));
        }
    }
    out
}

/// Build conditions of `post`, in the order Jenkins lists them.
const POST_CONDITIONS: &[&str] = &[
    "always",
    "changed",
    "fixed",
    "regression",
    "aborted",
    "success",
    "unsuccessful",
    "unstable",
    "failure",
    "notBuilt",
    "cleanup",
];

/// JNK009 invalid-post-condition: a `post` condition Jenkins does not know, or given twice.
fn invalid_post_condition(p: &Pipeline, out: &mut Findings) {
    for post in sections_named(p, "post") {
        let entries = post.entries();
        for (i, c) in entries.iter().enumerate() {
            if !POST_CONDITIONS.contains(&c.name) {
                let d = out.report(Code::JNK009, c.name_span()).message(format!(
                    "Invalid condition \"{}\" - valid conditions are {}",
                    c.name,
                    bracket_list(POST_CONDITIONS)
                ));
                if let Some(to) = did_you_mean(c.name, POST_CONDITIONS) {
                    d.help(format!("did you mean `{to}`?"));
                    if !entries.iter().any(|e| e.name == to) {
                        d.fix_safe(
                            format!("rename `{}` to `{to}`", c.name),
                            vec![Edit::replace(c.name_span(), to)],
                        );
                    }
                }
            } else if entries[..i].iter().any(|o| o.name == c.name) {
                out.report(Code::JNK009, c.name_span())
                    .message(format!("Duplicate build condition name: \"{}\"", c.name))
                    .help("merge the two blocks into one");
            }
        }
    }
}

const WHEN_CONDITIONS: &[&str] = &[
    "allOf",
    "anyOf",
    "branch",
    "buildingTag",
    "changeRequest",
    "changelog",
    "changeset",
    "environment",
    "equals",
    "expression",
    "isRestartedRun",
    "not",
    "tag",
    "triggeredBy",
];

/// Options of `when` that are not conditions.
const WHEN_OPTIONS: &[&str] = &["beforeAgent", "beforeInput", "beforeOptions"];

/// A statement of a `when` block or a combinator's block.
enum WhenItem<'a> {
    /// A call or a bare name (`buildingTag`): name, name span, the call if any.
    Condition(&'a str, Span, Option<&'a Call>),
    /// Anything else (`params.X == 'y'`).
    Other(&'a Stmt),
}

fn when_items(block: &Block) -> Vec<WhenItem<'_>> {
    block
        .stmts
        .iter()
        .map(|s| match &s.kind {
            StmtKind::Expr(e) => match &e.kind {
                ExprKind::Call(c) if c.target.is_none() => {
                    WhenItem::Condition(c.name.as_str(), c.name_span.clone(), Some(c))
                }
                ExprKind::Ident(n) => WhenItem::Condition(n.as_str(), e.span.clone(), None),
                _ => WhenItem::Other(s),
            },
            _ => WhenItem::Other(s),
        })
        .collect()
}

/// JNK010 invalid-when: an unknown condition or a statement that is not one; `allOf`/`anyOf`
/// without a child; `not` without exactly one; arguments to a combinator; children under a
/// leaf condition.
fn invalid_when(cx: &Ctx, p: &Pipeline, out: &mut Findings) {
    for when in sections_named(p, "when") {
        let Some(block) = when.block() else { continue };
        let mut todo: Vec<&Block> = vec![block];
        while let Some(b) = todo.pop() {
            for item in when_items(b) {
                let (name, span, call) = match item {
                    WhenItem::Condition(n, s, c) => (n, s, c),
                    WhenItem::Other(stmt) => {
                        let shown = first_line(cx.text(&stmt.span));
                        out.report(
                            Code::JNK010,
                            stmt.span.start..stmt.span.start + shown.len() as u32,
                        )
                        .message("Expected a when condition")
                        .help("write a Groovy test as `expression { return … }`");
                        continue;
                    }
                };
                if WHEN_OPTIONS.contains(&name) {
                    continue;
                }
                if !WHEN_CONDITIONS.contains(&name) {
                    let d = out.report(Code::JNK010, span).message(format!(
                        "Unknown conditional {name}. Valid conditionals are: {}",
                        bracket_list(WHEN_CONDITIONS)
                    ));
                    if let Some(to) = did_you_mean(name, WHEN_CONDITIONS) {
                        d.help(format!("did you mean `{to}`?"));
                    }
                    continue;
                }
                let child = call.and_then(Call::block);
                if !matches!(name, "allOf" | "anyOf" | "not") {
                    if child.is_some() && name != "expression" {
                        out.report(Code::JNK010, span).message(format!(
                            "No children when conditions are allowed for when condition \"{name}\"."
                        ));
                    }
                    continue;
                }
                if call.is_some_and(|c| !c.args.is_empty()) {
                    out.report(Code::JNK010, span.clone()).message(format!(
                        "No additional arguments are allowed for children when condition \"{name}\"."
                    ));
                }
                let count = child.map_or(0, |c| {
                    when_items(c)
                        .iter()
                        .filter(|i| !matches!(i, WhenItem::Condition(n, ..) if WHEN_OPTIONS.contains(n)))
                        .count()
                });
                if name == "not" && count != 1 {
                    out.report(Code::JNK010, span).message(
                        "Nested when condition \"not\" requires exactly 1 child condition(s).",
                    );
                } else if name != "not" && count == 0 {
                    out.report(Code::JNK010, span).message(format!(
                        "Nested when condition \"{name}\" requires at least one child condition."
                    ));
                }
                if let Some(c) = child {
                    todo.push(c);
                }
            }
        }
    }
}

/// JNK011 invalid-environment: keys that are not identifiers, duplicate keys, values that are
/// neither strings (or `+`-joined strings) nor calls, and a bare `${X}`.
fn invalid_environment(cx: &Ctx, p: &Pipeline, out: &mut Findings) {
    for env in sections_named(p, "environment") {
        let Some(block) = env.block() else { continue };
        let mut keys: Vec<String> = Vec::new();
        for stmt in &block.stmts {
            let StmtKind::Assign {
                target,
                value,
                declared: false,
                ..
            } = &stmt.kind
            else {
                let shown = first_line(cx.text(&stmt.span));
                // `1BAR = 'x'`: a key Groovy cannot read as a name.
                if let Some(key) = shown
                    .split_once('=')
                    .filter(|(k, v)| !v.starts_with('=') && !k.ends_with(['!', '<', '>', '=']))
                    .map(|(k, _)| k.trim_end())
                    .filter(|k| !k.is_empty() && !k.contains(char::is_whitespace))
                {
                    out.report(Code::JNK011, stmt.span.start..stmt.span.start + key.len() as u32)
                        .message(format!(
                            "\"{key}\" is not a valid identifier and cannot be used for an environment variable. Identifiers must start with a letter or underscore and can contain only letters, numbers or underscores."
                        ));
                    continue;
                }
                out.report(Code::JNK011, stmt.span.start..stmt.span.start + shown.len() as u32)
                    .message(format!(
                        "\"{shown}\" is not a valid environment expression. Use \"key = value\" pairs with valid Java/shell keys."
                    ));
                continue;
            };
            let key = cx.text(&target.span).to_string();
            if target.ident().is_none() || !is_env_identifier(&key) {
                out.report(Code::JNK011, target.span.clone()).message(format!(
                    "\"{key}\" is not a valid identifier and cannot be used for an environment variable. Identifiers must start with a letter or underscore and can contain only letters, numbers or underscores."
                ));
            } else if keys.contains(&key) {
                out.report(Code::JNK011, target.span.clone())
                    .message(format!("Duplicate environment variable name: \"{key}\""));
            } else {
                keys.push(key);
            }
            if let Some(v) = value {
                environment_value(cx, v, out);
            }
        }
    }
}

fn environment_value(cx: &Ctx, v: &Expr, out: &mut Findings) {
    match &v.kind {
        ExprKind::Call(c) if c.name == "$" && c.target.is_none() && c.args.is_empty() => {
            let text = cx.text(&v.span);
            out.report(Code::JNK011, v.span.clone())
                .message(format!(
                    "{text} cannot be used as a value directly. Did you mean \"{text}\"? (add quotes)"
                ))
                .fix_safe(
                    "quote it",
                    vec![Edit::insert(v.span.start, "\""), Edit::insert(v.span.end, "\"")],
                );
        }
        ExprKind::Ident(_)
        | ExprKind::Property { .. }
        | ExprKind::List(_)
        | ExprKind::Map(_)
        | ExprKind::Closure(_)
        | ExprKind::Index { .. } => {
            out.report(Code::JNK011, v.span.clone())
                .message("Environment variable values must either be single quoted, double quoted, or function calls.")
                .help(format!("write it as a string: \"${{{}}}\"", cx.text(&v.span)));
        }
        ExprKind::Operation {
            operands,
            operators,
        } => {
            // A ternary or elvis is not an operation Jenkins joins: the value is invalid.
            if operators
                .iter()
                .any(|o| matches!(cx.text(o), "?" | ":" | "?:"))
            {
                out.report(Code::JNK011, v.span.clone())
                    .message("Environment variable values must either be single quoted, double quoted, or function calls.")
                    .help(format!("compute it in the string: \"${{{}}}\"", cx.text(&v.span)));
                return;
            }
            if let Some(op) = operators.iter().find(|o| cx.text(o) != "+") {
                out.report(Code::JNK011, op.clone())
                    .message("Environment variable values can only be joined together with ‘+’s.");
                return;
            }
            for o in operands {
                if !matches!(o.kind, ExprKind::Str(_)) {
                    out.report(Code::JNK011, o.span.clone()).message(
                        "Environment variable values to be concatenated together must be single or double quoted.",
                    );
                }
            }
        }
        _ => {}
    }
}

/// JNK012 groovy-outside-script: Groovy statements and method calls on objects directly in
/// declarative `steps` (and `post` condition blocks), which must be inside `script { }`.
fn groovy_outside_script(cx: &Ctx, p: &Pipeline, out: &mut Findings) {
    let mut blocks: Vec<&Block> = Vec::new();
    for s in p.all_stages() {
        blocks.extend(s.steps.and_then(|x| x.block()));
    }
    for post in sections_named(p, "post") {
        blocks.extend(post.entries().iter().filter_map(|c| c.block()));
    }
    while let Some(b) = blocks.pop() {
        for stmt in &b.stmts {
            if let Some(c) = stmt.call() {
                if c.target.is_some() {
                    out.report(Code::JNK012, c.span.start..c.name_span.end)
                        .message("Method calls on objects not allowed outside \"script\" blocks.")
                        .help("wrap it in `script { … }`");
                } else if c.name != "script" {
                    // The closures of block steps (`dir`, `timeout`, `withCredentials`, …)
                    // hold steps too.
                    blocks.extend(c.closures.iter().map(|cl| &cl.body));
                }
                continue;
            }
            if let Some(what) = groovy_statement(stmt) {
                out.report(Code::JNK012, first_token(cx, stmt))
                    .message(format!(
                        "Expected a step: {what} is not allowed outside \"script\" blocks."
                    ))
                    .help("wrap it in `script { … }`");
            }
        }
    }
}

/// What kind of Groovy statement `stmt` is, if it is not a step.
fn groovy_statement(stmt: &Stmt) -> Option<&'static str> {
    Some(match &stmt.kind {
        StmtKind::Assign { declared: true, .. } => "a variable declaration",
        StmtKind::Assign { .. } => "an assignment",
        StmtKind::If { .. } => "`if`",
        StmtKind::Loop { .. } => "a loop",
        StmtKind::Try { .. } => "`try`",
        StmtKind::Method { .. } | StmtKind::Class { .. } => "a definition",
        StmtKind::Return(_) => "`return`",
        StmtKind::Expr(_) | StmtKind::Block(_) | StmtKind::Other => return None,
    })
}

/// The span of the first token of a statement.
fn first_token(cx: &Ctx, stmt: &Stmt) -> Span {
    let tokens = &cx.file.lexed.tokens;
    let i = tokens.partition_point(|t| t.span.start < stmt.span.start);
    match tokens.get(i) {
        Some(t) if t.kind != Tok::Newline && t.span.start < stmt.span.end.max(t.span.start + 1) => {
            t.span.clone()
        }
        _ => stmt.span.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::registry::Code::*;

    fn pipeline(body: &str) -> String {
        format!("pipeline {{\n  agent any\n{body}}}\n")
    }

    fn stage(body: &str) -> String {
        pipeline(&format!(
            "  stages {{\n    stage('a') {{\n{body}    }}\n  }}\n"
        ))
    }

    #[test]
    fn invalid_post_condition() {
        let text = pipeline("  stages { stage('a') { steps { echo 'a' }\n    post { sucess { echo 'ok' } } } }\n  post {\n    always { echo 'a' }\n    failed { echo 'f' }\n    always { echo 'b' }\n  }\n");
        assert_findings(JNK009, &text, &[(4, 12), (7, 5), (8, 5)]);
        assert_eq!(
            first_message(JNK009, &text).as_deref(),
            Some("Invalid condition \"failed\" - valid conditions are [always, changed, fixed, regression, aborted, success, unsuccessful, unstable, failure, notBuilt, cleanup]")
        );
        assert_fixed(
            JNK009,
            &pipeline("  stages { stage('a') { steps { echo 'a' } } }\n  post { sucess { echo 'ok' } }\n"),
            &pipeline("  stages { stage('a') { steps { echo 'a' } } }\n  post { success { echo 'ok' } }\n"),
        );
        assert_findings(JNK009, GOOD, &[]);
        assert_findings(
            JNK009,
            &pipeline("  stages { stage('a') { steps { echo 'a' } } }\n  post { always {}\n changed {}\n fixed {}\n regression {}\n aborted {}\n success {}\n unsuccessful {}\n unstable {}\n failure {}\n notBuilt {}\n cleanup {} }\n"),
            &[],
        );
    }

    #[test]
    fn invalid_when() {
        let text = stage("      when {\n        branche 'main'\n        not { branch 'a'; tag 'b' }\n        anyOf { }\n        allOf { not { environment name: 'X', value: 'y' }; buildingTag }\n        beforeAgent true\n      }\n      steps { echo 'a' }\n");
        assert_findings(JNK010, &text, &[(6, 9), (7, 9), (8, 9)]);
        assert_eq!(
            first_message(JNK010, &text).as_deref(),
            Some("Unknown conditional branche. Valid conditionals are: [allOf, anyOf, branch, buildingTag, changeRequest, changelog, changeset, environment, equals, expression, isRestartedRun, not, tag, triggeredBy]")
        );
        // Several conditions side by side are ANDed; nested combinators are checked too.
        assert_findings(
            JNK010,
            &stage("      when {\n        branch 'main'\n        expression { return params.DEPLOY }\n        anyOf { changeRequest(); buildingTag(); triggeredBy 'TimerTrigger' }\n        not { changeset '**/*.md' }\n        beforeInput true\n      }\n      steps { echo 'a' }\n"),
            &[],
        );
        assert_findings(
            JNK010,
            &stage("      when { anyOf { branch 'a'; bogus 'x' } }\n      steps { echo 'a' }\n"),
            &[(5, 34)],
        );
        // A Groovy test outside `expression`, arguments to a combinator, children of a leaf.
        assert_findings(
            JNK010,
            &stage("      when {\n        params.X == 'CI'\n        allOf(x: 1) { branch 'a' }\n        branch('b') { tag 'c' }\n      }\n      steps { echo 'a' }\n"),
            &[(6, 9), (7, 9), (8, 9)],
        );
        assert_eq!(
            first_message(
                JNK010,
                &stage("      when { params.X == 'CI' }\n      steps { echo 'a' }\n")
            )
            .as_deref(),
            Some("Expected a when condition")
        );
    }

    #[test]
    fn invalid_environment() {
        let text = pipeline("  environment {\n    GOOD = 'a'\n    ALSO = \"b-${GOOD}\" + 'c'\n    CALL = sh(script: 'git rev-parse HEAD', returnStdout: true).trim()\n    CRED = credentials('x')\n    NUM = 3\n    GOOD = 'again'\n    2BAD = 'x'\n    BARE = ${GOOD}\n    PROP = env.BRANCH_NAME\n    TERN = x ? 'a' : 'b'\n    JOIN = 'a' + GOOD\n    MINUS = 'a' - 'b'\n    FOO 'bar'\n  }\n  stages { stage('a') { steps { echo 'a' } } }\n");
        assert_findings(
            JNK011,
            &text,
            &[
                (9, 5),
                (10, 5),
                (11, 12),
                (12, 12),
                (13, 12),
                (14, 18),
                (15, 17),
                (16, 5),
            ],
        );
        assert_fixed(
            JNK011,
            &pipeline("  environment {\n    BARE = ${GOOD}\n  }\n  stages { stage('a') { steps { echo 'a' } } }\n"),
            &pipeline("  environment {\n    BARE = \"${GOOD}\"\n  }\n  stages { stage('a') { steps { echo 'a' } } }\n"),
        );
        assert_eq!(
            first_message(JNK011, &pipeline("  environment {\n    BARE = ${GOOD}\n  }\n  stages { stage('a') { steps { echo 'a' } } }\n")).as_deref(),
            Some("${GOOD} cannot be used as a value directly. Did you mean \"${GOOD}\"? (add quotes)")
        );
        assert_findings(JNK011, GOOD, &[]);
    }

    #[test]
    fn groovy_outside_script() {
        let text = stage("      steps {\n        def v = readFile('V')\n        if (v) { echo v }\n        docker.build('x')\n        dir('sub') {\n          for (f in files) { echo f }\n          currentBuild.result = 'UNSTABLE'\n        }\n        script {\n          def ok = true\n          if (ok) { docker.build('y') }\n        }\n        sh 'make'\n      }\n      post { failure { env.X = 'y' } }\n");
        assert_findings(
            JNK012,
            &text,
            &[(6, 9), (7, 9), (8, 9), (10, 11), (11, 11), (19, 24)],
        );
        assert_eq!(
            first_message(
                JNK012,
                &stage("      steps {\n        docker.build('x')\n      }\n")
            )
            .as_deref(),
            Some("Method calls on objects not allowed outside \"script\" blocks.")
        );
        assert_findings(JNK012, GOOD, &[]);
        // Scripted pipelines are Groovy throughout.
        assert_findings(
            JNK012,
            "node {\n  def v = 1\n  if (v) { docker.build('x') }\n}\n",
            &[],
        );
    }
}
