//! Builds that hang, pile up or change under you (JNK201 missing-timeout, JNK202
//! input-without-timeout, JNK203 missing-build-discarder, JNK204 unpinned-agent-image,
//! JNK205 parallel-without-failfast, JNK206 large-script-block).

use super::super::model::{Kind, Pipeline, Section, Stage};
use super::super::parse::{for_each_call, Call, ExprKind};
use super::super::Ctx;
use super::call_head;
use crate::diagnostic::{Edit, Findings};
use crate::registry::Code;

/// The default of `[jenkinsfile] max-script-lines`.
const DEFAULT_MAX_SCRIPT_LINES: u32 = 30;

pub fn check(cx: &Ctx, out: &mut Findings) {
    if cx.has_syntax_errors() {
        return;
    }
    input_without_timeout(cx, out);
    unpinned_agent_image(cx, out);
    scripted_parallel_without_failfast(cx, out);
    let Some(p) = &cx.model.pipeline else {
        return;
    };
    missing_timeout(cx, p, out);
    missing_build_discarder(p, out);
    parallel_without_failfast(cx, p, out);
    large_script_block(cx, out);
}

/// Whether an `options` section holds a call named `name`.
fn has_option(options: Option<Section>, name: &str) -> bool {
    options.is_some_and(|o| o.entries().iter().any(|e| e.name == name))
}

/// Whether a stage has a timeout: in its `options`, or all its steps inside `timeout { }`.
fn stage_has_timeout(s: &Stage) -> bool {
    if has_option(s.section("options"), "timeout") {
        return true;
    }
    s.steps.and_then(|x| x.block()).is_some_and(|b| {
        !b.stmts.is_empty()
            && b.stmts
                .iter()
                .all(|st| st.call().is_some_and(|c| c.name == "timeout"))
    })
}

/// JNK201 missing-timeout: no `timeout` in the pipeline's `options` and not every stage has
/// one.
fn missing_timeout(cx: &Ctx, p: &Pipeline, out: &mut Findings) {
    if has_option(p.options, "timeout") {
        return;
    }
    let Some(stages) = &p.stages else { return };
    if !stages.stages.is_empty() && stages.stages.iter().all(stage_has_timeout) {
        return;
    }
    let d = out
        .report(Code::JNK201, p.call.name_span.clone())
        .message("The pipeline has no timeout: a hung step holds its executor until someone aborts the build")
        .help("add `options { timeout(time: 1, unit: 'HOURS') }` (with the limit your build needs)");
    const TIMEOUT: &str = "timeout(time: 1, unit: 'HOURS')";
    // JNK003 renames these to `options`: a second `options` block would be a duplicate.
    if p.options.is_none()
        && p.sections
            .iter()
            .any(|s| matches!(s.name, "properties" | "jobProperties"))
    {
        return;
    }
    let edit = match p.options.and_then(|o| o.block().map(|b| (o, b))) {
        Some((_, b)) => match b.stmts.first() {
            Some(first) => {
                let indent = indentation_before(cx, first.span.start);
                match indent {
                    Some(ws) => Some(Edit::insert(
                        first.span.start - ws.len() as u32,
                        format!("{ws}{TIMEOUT}\n"),
                    )),
                    None => Some(Edit::insert(first.span.start, format!("{TIMEOUT}; "))),
                }
            }
            None => Some(Edit::insert(b.span.start + 1, format!(" {TIMEOUT} "))),
        },
        None => indentation_before(cx, stages.section.call.span.start).map(|ws| {
            Edit::insert(
                stages.section.call.span.start - ws.len() as u32,
                format!("{ws}options {{ {TIMEOUT} }}\n"),
            )
        }),
    };
    if let Some(edit) = edit {
        d.fix_unsafe(
            "add a one-hour timeout to the pipeline's options",
            vec![edit],
        );
    }
}

/// The whitespace before `at` on its line, when only whitespace is there.
fn indentation_before<'t>(cx: &'t Ctx, at: u32) -> Option<&'t str> {
    let line = cx.source.line_span(cx.source.line_index(at));
    let before = cx.text(&(line.start..at));
    before
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(before)
}

/// JNK202 input-without-timeout: an `input` step with no timeout around it, or one that
/// holds an executor while it waits.
fn input_without_timeout(cx: &Ctx, out: &mut Findings) {
    // A shared library step may be called inside its caller's timeout: only pipelines.
    if cx.model.kind == Kind::Other {
        return;
    }
    let declarative = cx.model.kind == Kind::Declarative;
    let pipeline_timeout = cx
        .model
        .pipeline
        .as_ref()
        .is_some_and(|p| has_option(p.options, "timeout"));
    let pipeline_agent = cx
        .model
        .pipeline
        .as_ref()
        .and_then(|p| p.section("agent"))
        .is_some_and(|a| !is_agent_none(a.call));
    for_each_call(&cx.file.stmts, &mut |c, stack| {
        if c.name != "input" || c.target.is_some() {
            return;
        }
        // The declarative `input` directive of a stage or matrix is not a step.
        if declarative
            && stack
                .last()
                .is_some_and(|p| matches!(p.name.as_str(), "stage" | "matrix"))
        {
            return;
        }
        let in_pipeline = stack.iter().any(|s| s.name == "pipeline");
        let timeout = stack
            .iter()
            .any(|s| s.name == "timeout" || (s.name == "stage" && stage_options_timeout(s)))
            || (in_pipeline && pipeline_timeout);
        if !timeout {
            out.report(Code::JNK202, call_head(c))
                .message(
                    "`input` has no timeout: an unanswered prompt keeps the build waiting forever",
                )
                .help("wrap it in `timeout(time: 1, unit: 'DAYS') { input … }`");
            return;
        }
        let agent = if in_pipeline {
            match stack
                .iter()
                .rev()
                .filter(|s| s.name == "stage")
                .find_map(|s| stage_agent(s))
            {
                Some(a) => !is_agent_none(a),
                None => pipeline_agent,
            }
        } else {
            stack.iter().any(|s| s.name == "node")
        };
        if agent {
            out.report(Code::JNK202, call_head(c))
                .message("`input` inside a stage with an agent: an executor stays busy while the prompt waits")
                .help("use the stage's `input { … }` directive (it runs before the agent is allocated), or `agent none` on the pipeline and an agent per stage");
        }
    });
}

fn stage_options_timeout(stage: &Call) -> bool {
    stage.block().is_some_and(|b| {
        super::super::model::sections_of(b)
            .iter()
            .any(|s| s.name == "options" && s.entries().iter().any(|e| e.name == "timeout"))
    })
}

fn stage_agent(stage: &Call) -> Option<&Call> {
    stage.block().and_then(|b| {
        b.stmts
            .iter()
            .filter_map(|s| s.call())
            .find(|c| c.name == "agent")
    })
}

fn is_agent_none(agent: &Call) -> bool {
    agent.args.first().and_then(|a| a.value.ident()) == Some("none")
}

/// JNK203 missing-build-discarder: no `buildDiscarder` in the pipeline's `options`.
fn missing_build_discarder(p: &Pipeline, out: &mut Findings) {
    if has_option(p.options, "buildDiscarder") {
        return;
    }
    out.report(Code::JNK203, p.call.name_span.clone())
        .message("The pipeline keeps every build: logs and artifacts pile up on the controller")
        .help("add `options { buildDiscarder(logRotator(numToKeepStr: '20')) }`");
}

/// JNK204 unpinned-agent-image: a docker agent image without a tag, or with `latest`.
fn unpinned_agent_image(cx: &Ctx, out: &mut Findings) {
    for img in &cx.model.docker_images {
        let Some(image) = img.image.literal_string(&cx.file.lexed) else {
            continue;
        };
        let image = image.trim();
        if image.is_empty() || image.contains(['$', '{', '<', ' ']) || image.contains("@sha256:") {
            continue;
        }
        let name_end = image.rfind('/').map_or(0, |i| i + 1);
        let tag = image[name_end..].split_once(':').map(|(_, t)| t);
        match tag {
            None => {
                out.report(Code::JNK204, img.image.span.clone())
                    .message(format!(
                        "`{image}` has no tag: it means `{image}:latest`, which changes under you"
                    ))
                    .help("pin a version tag (e.g. `:1.2`) or a digest (`@sha256:…`)");
            }
            Some("latest") => {
                out.report(Code::JNK204, img.image.span.clone())
                    .message(format!(
                        "`{image}` uses the `latest` tag, which moves to each new release"
                    ))
                    .help("pin a version tag (e.g. `:1.2`) or a digest (`@sha256:…`)");
            }
            Some(_) => {}
        }
    }
}

/// JNK205 parallel-without-failfast, declarative: a `parallel` section without `failFast
/// true` in its stage, and no `parallelsAlwaysFailFast()` option.
fn parallel_without_failfast(cx: &Ctx, p: &Pipeline, out: &mut Findings) {
    if has_option(p.options, "parallelsAlwaysFailFast") {
        return;
    }
    for s in p.all_stages() {
        let Some(par) = &s.parallel else { continue };
        let fail_fast = s.section("failFast").is_some_and(|f| {
            f.call
                .args
                .first()
                .is_some_and(|a| matches!(a.value.kind, ExprKind::Bool(true)))
        });
        if fail_fast || has_option(s.section("options"), "parallelsAlwaysFailFast") {
            continue;
        }
        let at = par.section.call.span.start;
        let d = out
            .report(Code::JNK205, par.section.name_span())
            .message(format!(
                "The parallel stages of \"{}\" all run to the end even when one fails",
                s.display_name()
            ))
            .help("add `failFast true` to the stage (or `parallelsAlwaysFailFast()` to the pipeline's options)");
        if let Some(ws) = indentation_before(cx, at) {
            d.fix_unsafe(
                "add `failFast true`",
                vec![Edit::insert(at, format!("failFast true\n{ws}"))],
            );
        }
    }
}

/// JNK205 parallel-without-failfast, scripted: `parallel` given a literal map of branches
/// without a `failFast` entry.
fn scripted_parallel_without_failfast(cx: &Ctx, out: &mut Findings) {
    for_each_call(&cx.file.stmts, &mut |c, _| {
        if c.name != "parallel" || c.target.is_some() || c.args.is_empty() {
            return;
        }
        let entries: Vec<&str> = match c.args.as_slice() {
            [a] if a.name.is_none() => match &a.value.kind {
                ExprKind::Map(items) => items
                    .iter()
                    .filter_map(|i| i.name.as_ref().map(|(n, _)| n.as_str()))
                    .collect(),
                _ => return,
            },
            args if args.iter().all(|a| a.name.is_some()) => args
                .iter()
                .filter_map(|a| a.name.as_ref().map(|(n, _)| n.as_str()))
                .collect(),
            _ => return,
        };
        if entries.contains(&"failFast") {
            return;
        }
        out.report(Code::JNK205, c.name_span.clone())
            .message("The parallel branches all run to the end even when one fails")
            .help("add `failFast: true` to the branches");
    });
}

/// JNK206 large-script-block: a `script { }` block longer than `max-script-lines`.
fn large_script_block(cx: &Ctx, out: &mut Findings) {
    let max = cx
        .lint
        .options
        .jenkinsfile_max_script_lines
        .unwrap_or(DEFAULT_MAX_SCRIPT_LINES);
    for_each_call(&cx.file.stmts, &mut |c, stack| {
        if c.name != "script" || c.target.is_some() || !stack.iter().any(|s| s.name == "pipeline") {
            return;
        }
        let Some(block) = c.block() else { return };
        let first = cx.source.line_index(block.span.start);
        let last = cx.source.line_index(block.span.end.saturating_sub(1));
        let lines = last.saturating_sub(first).saturating_sub(1) as u32;
        if lines > max {
            out.report(Code::JNK206, c.name_span.clone())
                .message(format!(
                    "`script` block of {lines} lines (more than {max}): move it into a shared library"
                ))
                .help("a step in a shared library's `vars/` can be reused and unit-tested; the Jenkinsfile keeps one call");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Options;
    use crate::registry::Code::*;

    const STAGES: &str = "  stages {\n    stage('a') {\n      steps { sh 'make' }\n    }\n  }\n";

    #[test]
    fn missing_timeout() {
        let text = format!("pipeline {{\n  agent any\n{STAGES}}}\n");
        assert_findings(JNK201, &text, &[(1, 1)]);
        assert_fixed(
            JNK201,
            &text,
            &format!("pipeline {{\n  agent any\n  options {{ timeout(time: 1, unit: 'HOURS') }}\n{STAGES}}}\n"),
        );
        assert_fixed(
            JNK201,
            &format!("pipeline {{\n  agent any\n  options {{\n    timestamps()\n  }}\n{STAGES}}}\n"),
            &format!("pipeline {{\n  agent any\n  options {{\n    timeout(time: 1, unit: 'HOURS')\n    timestamps()\n  }}\n{STAGES}}}\n"),
        );
        // Every stage with its own timeout, in options or around its steps.
        assert_findings(
            JNK201,
            "pipeline {\n  agent any\n  stages {\n    stage('a') { options { timeout(5) }\n steps { sh 'a' } }\n    stage('b') { steps { timeout(time: 5, unit: 'MINUTES') { sh 'b' } } }\n  }\n}\n",
            &[],
        );
        assert_findings(
            JNK201,
            "pipeline {\n  agent any\n  stages {\n    stage('a') { options { timeout(5) }\n steps { sh 'a' } }\n    stage('b') { steps { sh 'b' } }\n  }\n}\n",
            &[(1, 1)],
        );
        assert_findings(JNK201, GOOD, &[]);
        // No fix that would add a second options block next to a `properties` one.
        let (_, diags) = lint_with(
            Options::default(),
            &format!("pipeline {{\n  agent any\n  properties {{ x() }}\n{STAGES}}}\n"),
        );
        let d = diags.iter().find(|d| d.code == JNK201).unwrap();
        assert!(d.fix.is_none());
        assert_findings(JNK201, "node {\n  sh 'make'\n}\n", &[]);
    }

    #[test]
    fn input_without_timeout() {
        let text = "pipeline {\n  agent none\n  stages {\n    stage('a') {\n      input { message 'Deploy?' }\n      steps { input 'Really?' }\n    }\n    stage('b') {\n      agent any\n      options { timeout(time: 1, unit: 'HOURS') }\n      steps { input message: 'ok?' }\n    }\n    stage('c') {\n      steps { timeout(time: 1, unit: 'DAYS') { input 'fine' } }\n    }\n  }\n}\n";
        assert_findings(JNK202, text, &[(6, 15), (11, 15)]);
        assert_eq!(
            first_message(JNK202, text).as_deref(),
            Some("`input` has no timeout: an unanswered prompt keeps the build waiting forever")
        );
        // Scripted: inside node, an executor waits; outside with a timeout, fine.
        assert_findings(
            JNK202,
            "timeout(30) { input 'go?' }\nnode {\n  timeout(5) { input 'x?' }\n  input 'y'\n}\n",
            &[(3, 16), (4, 3)],
        );
        assert_findings(JNK202, GOOD, &[]);
        // A shared library step: its caller may hold the timeout.
        assert_findings(JNK202, "def call(String msg) {\n  input msg\n}\n", &[]);
    }

    #[test]
    fn missing_build_discarder() {
        let text = format!("pipeline {{\n  agent any\n{STAGES}}}\n");
        assert_findings(JNK203, &text, &[(1, 1)]);
        assert_findings(JNK203, GOOD, &[]);
        assert_findings(JNK203, "node { sh 'x' }\n", &[]);
    }

    #[test]
    fn unpinned_agent_image() {
        let text = "pipeline {\n  agent { docker { image 'maven' } }\n  stages {\n    stage('a') {\n      agent { docker 'node:latest' }\n      steps { sh 'x' }\n    }\n    stage('b') {\n      agent { docker { image 'registry:5000/team/app:1.2' } }\n      steps { sh 'y' }\n    }\n  }\n}\n";
        assert_findings(JNK204, text, &[(2, 26), (5, 22)]);
        assert_findings(
            JNK204,
            "node {\n  docker.image('python').inside { sh 'x' }\n  docker.image('python:3.12@sha256:abcd').inside { sh 'y' }\n  docker.image(\"${IMG}\").inside { sh 'z' }\n  docker.image('registry:5000/python:3.12').inside { sh 'w' }\n}\n",
            &[(2, 16)],
        );
        assert_findings(JNK204, GOOD, &[]);
    }

    #[test]
    fn parallel_without_failfast() {
        let text = "pipeline {\n  agent any\n  stages {\n    stage('t') {\n      parallel {\n        stage('a') { steps { sh 'a' } }\n      }\n    }\n  }\n}\n";
        assert_findings(JNK205, text, &[(5, 7)]);
        assert_fixed(
            JNK205,
            text,
            &text.replace("      parallel {", "      failFast true\n      parallel {"),
        );
        assert_findings(
            JNK205,
            &text.replace(
                "  agent any\n",
                "  agent any\n  options { parallelsAlwaysFailFast() }\n",
            ),
            &[],
        );
        assert_findings(JNK205, GOOD, &[]);
        assert_findings(
            JNK205,
            "parallel a: { sh 'a' }, b: { sh 'b' }\nparallel([a: { sh 'a' }, failFast: true])\nparallel branches\n",
            &[(1, 1)],
        );
    }

    #[test]
    fn large_script_block() {
        let body = "        echo 'x'\n".repeat(31);
        let text = format!("pipeline {{\n  agent any\n  stages {{\n    stage('a') {{\n      steps {{\n        script {{\n{body}        }}\n      }}\n    }}\n  }}\n}}\n");
        assert_findings(JNK206, &text, &[(6, 9)]);
        assert_eq!(
            first_message(JNK206, &text).as_deref(),
            Some("`script` block of 31 lines (more than 30): move it into a shared library")
        );
        let options = Options {
            jenkinsfile_max_script_lines: Some(40),
            ..Options::default()
        };
        assert_findings_with(JNK206, options, &text, &[]);
        let short = text.replace(&body, &"        echo 'x'\n".repeat(30));
        assert_findings(JNK206, &short, &[]);
        assert_findings(JNK206, GOOD, &[]);
    }
}
