//! The shape of a declarative pipeline, as Jenkins' validator checks it (JNK002 missing-section,
//! JNK003 unknown-section, JNK004 duplicate-section, JNK005 empty-section, JNK006
//! invalid-agent, JNK007 invalid-nesting, JNK008 invalid-matrix). Messages use the
//! validator's wording.

use super::super::model::{
    axis_of, sections_of, Agent, AgentForm, Axis, Matrix, Pipeline, Section, Stage, Stages,
    MATRIX_SECTIONS, PIPELINE_SECTIONS, STAGE_SECTIONS,
};
use super::super::parse::{Call, File, Stmt, StmtKind};
use super::super::Ctx;
use super::{bracket_list, call_head, did_you_mean, is_env_identifier};
use crate::diagnostic::{Edit, Findings, Span};
use crate::registry::Code;

pub fn check(cx: &Ctx, out: &mut Findings) {
    if cx.has_syntax_errors() {
        return;
    }
    for c in &cx.model.nested_pipelines {
        out.report(Code::JNK003, c.name_span.clone())
            .message("pipeline block must be at the top-level, not within another block.");
    }
    let Some(p) = &cx.model.pipeline else {
        return;
    };
    missing_section(p, out);
    unknown_section(p, out);
    duplicate_section(p, out);
    empty_section(p, out);
    invalid_agent(cx, p, out);
    invalid_nesting(p, out);
    invalid_matrix(cx, p, out);
}

/// Every `stages` block of the pipeline: the top-level one, those of stages and of matrices.
fn all_stages_blocks<'p, 'a>(p: &'p Pipeline<'a>) -> Vec<&'p Stages<'a>> {
    let mut out: Vec<&Stages<'a>> = p.stages.iter().collect();
    for s in p.all_stages() {
        out.extend(s.stages.iter());
        out.extend(s.matrix.iter().flat_map(|m| m.stages.iter()));
    }
    out
}

/// Each block of directives with its kind: the pipeline, each stage, each matrix.
fn directive_blocks<'a>(p: &Pipeline<'a>) -> Vec<(&'static str, Vec<Section<'a>>)> {
    let mut out = vec![("pipeline", p.sections.clone())];
    for s in p.all_stages() {
        out.push(("stage", s.sections.clone()));
        if let Some(m) = &s.matrix {
            out.push(("matrix", m.section.entries()));
        }
    }
    out
}

/// JNK002 missing-section: a pipeline without `agent` or `stages`; a stage without any of
/// `steps`, `stages`, `parallel`, `matrix`.
fn missing_section(p: &Pipeline, out: &mut Findings) {
    for name in ["agent", "stages"] {
        let bare = p
            .others
            .iter()
            .any(|s| matches!(&s.kind, StmtKind::Expr(e) if e.ident() == Some(name)));
        if p.section(name).is_none() && !bare {
            out.report(Code::JNK002, p.call.name_span.clone())
                .message(format!("Missing required section \"{name}\""))
                .help(match name {
                    "agent" => "add `agent any`, `agent none` or an `agent { … }` block",
                    _ => "add a `stages { stage('…') { steps { … } } }` block",
                });
        }
    }
    for s in p.all_stages() {
        // An empty `parallel` runs nothing: Jenkins counts it as no body.
        let has_body = ["steps", "stages", "matrix"]
            .iter()
            .any(|n| s.section(n).is_some())
            || s.parallel
                .as_ref()
                .is_some_and(|x| !x.section.is_empty_block());
        if !has_body {
            out.report(Code::JNK002, call_head(s.call))
                .message(format!(
                    "Expected one of \"steps\", \"stages\", or \"parallel\" for stage \"{}\"",
                    s.display_name()
                ))
                .help("put the stage's steps in a `steps { … }` block");
        }
    }
}

/// Sections renamed or removed in the declarative syntax, and their replacement.
const RENAMED: &[(&str, &str, &str)] = &[
    (
        "properties",
        "options",
        "The ‘properties’ section has been renamed as of version 0.8. Use ‘options’ instead.",
    ),
    (
        "jobProperties",
        "options",
        "The ‘jobProperties’ section has been renamed as of version 0.7. Use ‘properties’ instead.",
    ),
    (
        "notifications",
        "post",
        "The ‘notifications’ section has been removed as of version 0.6. Use ‘post’ for all post-build actions.",
    ),
    (
        "postBuild",
        "post",
        "The ‘postBuild’ section has been renamed as of version 0.6. Use ‘post’ for all post-build actions.",
    ),
];

/// JNK003 unknown-section: a section or directive not allowed where it stands.
fn unknown_section(p: &Pipeline, out: &mut Findings) {
    for (kind, sections) in directive_blocks(p) {
        let allowed: &[&str] = match kind {
            "pipeline" => PIPELINE_SECTIONS,
            "stage" => STAGE_SECTIONS,
            _ => MATRIX_SECTIONS,
        };
        for s in &sections {
            if allowed.contains(&s.name) {
                continue;
            }
            let renamed = RENAMED.iter().find(|r| kind == "pipeline" && r.0 == s.name);
            // A misspelt section has the section's shape: a block without arguments, or
            // arguments for the sections that take them (`agnet any`). A step written in the
            // wrong place (`step([...])`) is not a misspelt `steps`.
            let suggestion = renamed.map(|r| r.1).or_else(|| {
                did_you_mean(s.name, allowed).filter(|to| {
                    let takes_args = matches!(*to, "agent" | "failFast");
                    if s.call.args.is_empty() {
                        s.block().is_some()
                    } else {
                        takes_args && s.block().is_none()
                    }
                })
            });
            let message = match (renamed, kind) {
                (Some(r), _) => r.2.to_string(),
                (None, "stage") => format!(
                    "Unknown stage section \"{}\". Starting with version 0.5, steps in a stage must be in a ‘steps’ block.",
                    s.name
                ),
                (None, _) => format!("Undefined section \"{}\"", s.name),
            };
            let d = out.report(Code::JNK003, s.name_span()).message(message);
            match suggestion {
                Some(to) => {
                    d.help(format!("did you mean `{to}`?"));
                    if !sections.iter().any(|o| o.name == to) {
                        d.fix_safe(
                            format!("rename `{}` to `{to}`", s.name),
                            vec![Edit::replace(s.name_span(), to)],
                        );
                    }
                }
                None => {
                    d.help(match kind {
                        "stage" => "steps go in a `steps { … }` block",
                        "pipeline" if matches!(s.name, "parallel" | "matrix") => {
                            "put it in a stage: `stages { stage('…') { parallel { … } } }`"
                        }
                        "pipeline" => "steps go in `stages { stage('…') { steps { … } } }`",
                        _ => "valid matrix sections: axes, excludes, stages, agent, when, post, options, environment, tools, input",
                    });
                }
            }
        }
    }
    // Sections that are blocks, written without one (`environment "x"`, `stages 'a'`).
    for (kind, sections) in directive_blocks(p) {
        for s in &sections {
            let block_section = match kind {
                "pipeline" => matches!(
                    s.name,
                    "stages"
                        | "environment"
                        | "post"
                        | "tools"
                        | "options"
                        | "parameters"
                        | "triggers"
                        | "libraries"
                ),
                "stage" => matches!(
                    s.name,
                    "steps"
                        | "stages"
                        | "environment"
                        | "post"
                        | "tools"
                        | "options"
                        | "when"
                        | "input"
                        | "matrix"
                ),
                _ => matches!(
                    s.name,
                    "axes"
                        | "excludes"
                        | "stages"
                        | "environment"
                        | "post"
                        | "tools"
                        | "options"
                        | "when"
                        | "input"
                ),
            };
            if block_section && s.block().is_none() {
                out.report(Code::JNK003, s.name_span())
                    .message(format!("Expected a block for {}", s.name))
                    .help(format!("`{}` takes a block: `{} {{ … }}`", s.name, s.name));
            }
        }
    }
    // A section name alone (`agent` with nothing after it).
    let mut bare_blocks: Vec<(&str, Vec<&Stmt>)> = vec![("pipeline", p.others.clone())];
    for s in p.all_stages() {
        bare_blocks.push(("stage", s.others.clone()));
    }
    for (kind, others) in bare_blocks {
        let allowed: &[&str] = if kind == "pipeline" {
            PIPELINE_SECTIONS
        } else {
            STAGE_SECTIONS
        };
        for stmt in others {
            let StmtKind::Expr(e) = &stmt.kind else {
                continue;
            };
            let Some(name) = e.ident().filter(|n| allowed.contains(n)) else {
                continue;
            };
            let what = if kind == "pipeline" {
                "section"
            } else {
                "stage section"
            };
            out.report(Code::JNK003, e.span.clone()).message(format!(
                "Not a valid {what} definition: \"{name}\". Some extra configuration is required."
            ));
        }
    }
    // `stages` and `parallel` hold stages only.
    let mut holders: Vec<Section> = all_stages_blocks(p).iter().map(|s| s.section).collect();
    holders.extend(
        p.all_stages()
            .iter()
            .filter_map(|s| s.parallel.as_ref().map(|x| x.section)),
    );
    for h in holders {
        let Some(block) = h.block() else { continue };
        for stmt in &block.stmts {
            let span = match stmt.call() {
                Some(c) if c.name == "stage" => continue,
                Some(c) => c.name_span.clone(),
                None => stmt.span.clone(),
            };
            out.report(Code::JNK003, span)
                .message("Expected a stage")
                .help(format!(
                    "`{}` holds only `stage('…') {{ … }}` blocks",
                    h.name
                ));
        }
    }
}

/// JNK004 duplicate-section: a section given twice in a block; two stages of one `stages`
/// or `parallel` with the same name. Points at the later one.
fn duplicate_section(p: &Pipeline, out: &mut Findings) {
    for (kind, sections) in directive_blocks(p) {
        let allowed: &[&str] = match kind {
            "pipeline" => PIPELINE_SECTIONS,
            "stage" => STAGE_SECTIONS,
            _ => MATRIX_SECTIONS,
        };
        for (i, s) in sections.iter().enumerate() {
            if allowed.contains(&s.name) && sections[..i].iter().any(|o| o.name == s.name) {
                out.report(Code::JNK004, s.name_span())
                    .message(format!("Multiple occurrences of the {} section", s.name))
                    .help("merge the two into one");
            }
        }
    }
    let mut groups: Vec<(&[Stage], bool)> = all_stages_blocks(p)
        .iter()
        .map(|s| (s.stages.as_slice(), false))
        .collect();
    let stages = p.all_stages();
    groups.extend(
        stages
            .iter()
            .filter_map(|s| s.parallel.as_ref().map(|x| (x.stages.as_slice(), true))),
    );
    for (group, parallel) in groups {
        for (i, s) in group.iter().enumerate() {
            let Some(name) = &s.name else { continue };
            if group[..i].iter().any(|o| o.name.as_ref() == Some(name)) {
                let message = if parallel {
                    format!("Duplicate parallel branch name: \"{name}\"")
                } else {
                    format!("Duplicate stage name: \"{name}\"")
                };
                out.report(Code::JNK004, s.span())
                    .message(message)
                    .help("give each stage its own name");
            }
        }
    }
}

/// JNK005 empty-section: a section that must hold something but has an empty block.
fn empty_section(p: &Pipeline, out: &mut Findings) {
    let mut sections: Vec<Section> = Vec::new();
    for (_, s) in directive_blocks(p) {
        sections.extend(s);
    }
    for s in sections {
        if !s.is_empty_block() {
            continue;
        }
        let message = match s.name {
            "stages" => "No stages specified",
            "steps" => "No steps specified for branch",
            "options" => "options can not be empty",
            "parameters" => "parameters can not be empty",
            "triggers" => "triggers can not be empty",
            "libraries" => "libraries can not be empty",
            "environment" => "No variables specified for environment",
            "tools" => "No tools specified",
            "when" => "Empty when closure, remove the property or add some content.",
            "post" => "post can not be empty",
            _ => continue,
        };
        out.report(Code::JNK005, s.name_span())
            .message(message)
            .help("fill it in or remove it");
    }
}

/// The agent types Jenkins knows without plugins, and the common plugin ones.
const AGENT_TYPES: &[&str] = &[
    "any",
    "docker",
    "dockerfile",
    "kubernetes",
    "label",
    "node",
    "none",
];

/// JNK006 invalid-agent: an `agent` not of the allowed forms, two agent types, an unknown
/// type, or a type missing its required parameter.
fn invalid_agent(cx: &Ctx, p: &Pipeline, out: &mut Findings) {
    let mut agents: Vec<&Agent> = p.agent.iter().collect();
    let stages = p.all_stages();
    for s in &stages {
        agents.extend(s.agent.iter());
        agents.extend(s.matrix.iter().flat_map(|m| m.agent.iter()));
    }
    let mut types: Vec<&str> = AGENT_TYPES.to_vec();
    types.extend(
        cx.lint
            .options
            .jenkinsfile_agent_types
            .iter()
            .map(String::as_str),
    );
    types.sort_unstable();
    types.dedup();
    for a in agents {
        let name_span = a.section.name_span();
        match &a.form {
            AgentForm::Any | AgentForm::None => {}
            AgentForm::Other => {
                out.report(Code::JNK006, name_span)
                    .message("Only \"agent none\", \"agent any\" or \"agent {...}\" are allowed.")
                    .help("write `agent { label '…' }` for a labelled agent");
            }
            AgentForm::Block(entries) => {
                // Bare names (`agent { label 'x'; none }`) count as types too.
                let bare: Vec<Span> = a
                    .section
                    .others()
                    .into_iter()
                    .filter_map(|s| match &s.kind {
                        StmtKind::Expr(e) if e.ident().is_some() => Some(e.span.clone()),
                        _ => None,
                    })
                    .collect();
                if entries.is_empty() && bare.is_empty() {
                    out.report(Code::JNK006, name_span).message(format!(
                        "No agent type specified. Must be one of {}",
                        bracket_list(&types)
                    ));
                    continue;
                }
                if let Some(first) = entries.first() {
                    for b in bare.iter().filter(|b| b.start > first.call.span.start) {
                        out.report(Code::JNK006, b.clone())
                            .message("Only one agent type is allowed per agent section");
                    }
                }
                for (i, t) in entries.iter().enumerate() {
                    if i > 0 {
                        out.report(Code::JNK006, t.name_span())
                            .message("Only one agent type is allowed per agent section")
                            .help("options of a type go inside its block, e.g. `node { label 'x'; customWorkspace 'y' }`");
                        continue;
                    }
                    if !types.contains(&t.name) {
                        let d = out.report(Code::JNK006, t.name_span()).message(format!(
                            "Invalid agent type \"{}\" specified. Must be one of {}",
                            t.name,
                            bracket_list(&types)
                        ));
                        match did_you_mean(t.name, &types) {
                            Some(m) => d.help(format!("did you mean `{m}`?")),
                            None => d.help(
                                "list agent types of plugins in `[jenkinsfile] agent-types` of lint.toml",
                            ),
                        };
                        continue;
                    }
                    if let Some(param) = missing_agent_parameter(t.call) {
                        out.report(Code::JNK006, t.name_span()).message(format!(
                            "Missing required parameter for agent type \"{}\": {param}",
                            t.name
                        ));
                    }
                }
            }
        }
    }
}

/// The required parameter an agent type lacks: `image` of `docker`, `label` of `node`.
fn missing_agent_parameter(c: &Call) -> Option<&'static str> {
    let required = match c.name.as_str() {
        "docker" => "image",
        "node" => "label",
        _ => return None,
    };
    if c.positional().next().is_some() || c.named(required).is_some() {
        return None;
    }
    let in_block = c
        .block()
        .is_some_and(|b| sections_of(b).iter().any(|s| s.name == required));
    (!in_block).then_some(required)
}

/// JNK007 invalid-nesting: `parallel`/`matrix` inside `parallel`/`matrix`; `agent`/`tools` on
/// a stage holding `parallel` or `matrix`; more than one of steps/stages/parallel/matrix.
fn invalid_nesting(p: &Pipeline, out: &mut Findings) {
    for s in p.all_stages() {
        let nested: Vec<Section> = s
            .sections
            .iter()
            .filter(|x| matches!(x.name, "parallel" | "matrix"))
            .copied()
            .collect();
        if s.in_parallel {
            for n in &nested {
                out.report(Code::JNK007, n.name_span()).message(
                    "\"matrix\" or \"parallel\" cannot be nested inside another \"matrix\" or \"parallel\".",
                );
            }
        }
        if !nested.is_empty() {
            for name in ["agent", "tools"] {
                if let Some(x) = s.section(name) {
                    out.report(Code::JNK007, x.name_span())
                        .message(format!(
                            "\"{name}\" is not allowed in stage \"{}\" as it contains parallel or matrix stages",
                            s.display_name()
                        ))
                        .help(format!("give each of the nested stages its own `{name}`"));
                }
            }
        }
        let bodies: Vec<Section> = s
            .sections
            .iter()
            .filter(|x| matches!(x.name, "steps" | "stages" | "parallel" | "matrix"))
            .copied()
            .collect();
        let mut seen: Vec<&str> = Vec::new();
        for b in bodies {
            if !seen.is_empty() && !seen.contains(&b.name) {
                out.report(Code::JNK007, b.name_span()).message(format!(
                    "Only one of \"matrix\", \"parallel\", \"stages\", or \"steps\" allowed for stage \"{}\"",
                    s.display_name()
                ));
            }
            seen.push(b.name);
        }
    }
}

/// JNK008 invalid-matrix: the matrix rules of the validator.
fn invalid_matrix(cx: &Ctx, p: &Pipeline, out: &mut Findings) {
    for s in p.all_stages() {
        if let Some(m) = &s.matrix {
            check_matrix(m, cx.file, out);
        }
    }
}

fn check_matrix(m: &Matrix, file: &File, out: &mut Findings) {
    let matrix_name = m.section.name_span();
    for (name, present) in [("axes", m.axes.is_some()), ("stages", m.stages.is_some())] {
        if !present {
            out.report(Code::JNK008, matrix_name.clone())
                .message(format!("Missing required section \"{name}\""));
        }
    }
    if let Some(axes) = &m.axes {
        if m.axis_list.is_empty() {
            out.report(Code::JNK008, axes.name_span())
                .message("No axis directives specified");
        }
    }
    axis_group(&m.axis_list, false, out);
    if let Some(excludes) = &m.excludes {
        let list: Vec<Section> = excludes
            .entries()
            .into_iter()
            .filter(|e| e.name == "exclude")
            .collect();
        if list.is_empty() {
            out.report(Code::JNK008, excludes.name_span())
                .message("No exclude directives specified");
        }
        for e in list {
            if !e.entries().iter().any(|x| x.name == "axis") {
                out.report(Code::JNK008, e.name_span())
                    .message("No axis directives specified");
            }
            let axes: Vec<Axis> = e
                .entries()
                .into_iter()
                .filter(|x| x.name == "axis")
                .map(|a| axis_of(a.call, file))
                .collect();
            axis_group(&axes, true, out);
        }
    }
}

/// The axes of `axes` or of one `exclude`: each axis, then duplicate names and values.
fn axis_group(axes: &[Axis], exclude: bool, out: &mut Findings) {
    let mut names: Vec<&str> = Vec::new();
    for a in axes {
        check_axis(a, exclude, out);
        if let Some((name, span)) = &a.name {
            if !is_env_identifier(name) {
                out.report(Code::JNK008, span.clone()).message(format!(
                    "\"{name}\" is not a valid identifier and cannot be used for an environment variable. Identifiers must start with a letter or underscore and can contain only letters, numbers or underscores."
                ));
            } else if names.contains(&name.as_str()) {
                out.report(Code::JNK008, span.clone())
                    .message(format!("Duplicate axis name: \"{name}\""));
            }
            names.push(name);
        }
        for (i, (v, span)) in a.values.iter().enumerate() {
            if a.values[..i].iter().any(|(o, _)| o == v) {
                out.report(Code::JNK008, span.clone())
                    .message(format!("Duplicate axis value: \"{v}\""));
            }
        }
    }
}

fn check_axis(a: &Axis, exclude: bool, out: &mut Findings) {
    let entries = a.call.block().map(sections_of).unwrap_or_default();
    let has = |n: &str| entries.iter().any(|e| e.name == n);
    if a.name.is_none() {
        out.report(Code::JNK008, a.call.name_span.clone())
            .message("Missing required section \"name\"");
    }
    if exclude {
        if has("values") == has("notValues") {
            out.report(Code::JNK008, a.call.name_span.clone())
                .message("Exclude axis must contain either \"values\" or \"notValues\"");
        }
    } else if !has("values") {
        out.report(Code::JNK008, a.call.name_span.clone())
            .message("Missing required section \"values\"");
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Options;
    use crate::registry::Code::*;

    fn pipeline(body: &str) -> String {
        format!("pipeline {{\n{body}}}\n")
    }

    #[test]
    fn missing_section() {
        assert_findings(
            JNK002,
            "pipeline {\n  stages { stage('a') { steps { echo 'a' } } }\n}\n",
            &[(1, 1)],
        );
        assert_findings(JNK002, "pipeline {\n  agent any\n}\n", &[(1, 1)]);
        assert_eq!(
            first_message(JNK002, "pipeline {\n  agent any\n}\n").as_deref(),
            Some("Missing required section \"stages\"")
        );
        let text = pipeline("  agent any\n  stages {\n    stage('a') {\n      echo 'x'\n    }\n    stage('b') { steps { echo 'y' } }\n  }\n");
        assert_findings(JNK002, &text, &[(4, 5)]);
        assert_eq!(
            first_message(JNK002, &text).as_deref(),
            Some("Expected one of \"steps\", \"stages\", or \"parallel\" for stage \"a\"")
        );
        // An empty parallel is no body (as Jenkins says); a bare `agent` is JNK003's.
        assert_findings(
            JNK002,
            &pipeline(
                "  agent any\n  stages {\n    stage('a') {\n      parallel { }\n    }\n  }\n",
            ),
            &[(4, 5)],
        );
        assert_findings(
            JNK002,
            &pipeline("  agent\n  stages { stage('a') { steps { echo 'a' } } }\n"),
            &[],
        );
        // Nested stages, parallel and matrix are bodies too; scripted pipelines are not checked.
        assert_findings(JNK002, GOOD, &[]);
        assert_findings(JNK002, "node { stage('a') { sh 'x' } }\n", &[]);
        assert_findings(
            JNK002,
            &pipeline("  agent any\n  stages {\n    stage('a') {\n      stages { stage('b') { steps { echo 'b' } } }\n    }\n  }\n"),
            &[],
        );
        // A file with a syntax error gets JNK001 only.
        assert_findings(JNK002, "pipeline {\n  agent any\n", &[]);
    }

    #[test]
    fn unknown_section() {
        let text = pipeline("  agent any\n  properties { buildDiscarder(logRotator(numToKeepStr: '5')) }\n  stages {\n    stage('a') {\n      stpes { echo 'a' }\n      sh 'make'\n    }\n  }\n  parallel { }\n");
        assert_findings(JNK003, &text, &[(3, 3), (6, 7), (7, 7), (10, 3)]);
        assert_fixed(
            JNK003,
            "pipeline {\n  agent any\n  properties { x() }\n  stages { stage('a') { stpes { echo 'a' } } }\n}\n",
            "pipeline {\n  agent any\n  options { x() }\n  stages { stage('a') { steps { echo 'a' } } }\n}\n",
        );
        // A step in the wrong place is not offered a rename to `steps`.
        let (_, diags) = lint_with(
            Options::default(),
            &pipeline("  agent any\n  stages { stage('a') { step([$class: 'X']) } }\n"),
        );
        let d = diags.iter().find(|d| d.code == JNK003).unwrap();
        assert!(d.fix.is_none() && d.help.as_deref() == Some("steps go in a `steps { … }` block"));
        assert_fixed(
            JNK003,
            "pipeline {\n  agnet any\n  stages { stage('a') { steps { echo 'a' } } }\n}\n",
            "pipeline {\n  agent any\n  stages { stage('a') { steps { echo 'a' } } }\n}\n",
        );
        assert_eq!(
            first_message(JNK003, &pipeline("  agent any\n  stages { stage('a') { sh 'x' } }\n")).as_deref(),
            Some("Unknown stage section \"sh\". Starting with version 0.5, steps in a stage must be in a ‘steps’ block.")
        );
        // Something other than a stage in `stages`; a pipeline inside a node.
        assert_findings(
            JNK003,
            &pipeline("  agent any\n  stages {\n    echo 'x'\n    stage('a') { steps { echo 'a' } }\n  }\n"),
            &[(4, 5)],
        );
        assert_findings(JNK003, "node {\n  pipeline { agent any }\n}\n", &[(2, 3)]);
        // A block section written without its block.
        let text = pipeline("  agent none\n  environment \"banana\"\n  stages \"foo\"\n");
        assert_findings(JNK003, &text, &[(3, 3), (4, 3)]);
        assert_eq!(
            first_message(JNK003, &text).as_deref(),
            Some("Expected a block for environment")
        );
        // A section name with nothing after it.
        assert_findings(
            JNK003,
            &pipeline("  agent\n  stages {\n    stage('a') {\n      agent\n      steps { echo 'a' }\n    }\n  }\n"),
            &[(2, 3), (5, 7)],
        );
        // Every known section at each level; a pipeline in a shared library's call().
        assert_findings(JNK003, GOOD, &[]);
        assert_findings(
            JNK003,
            "def call(Map c) {\n  pipeline {\n    agent any\n    libraries { lib('x@1') }\n    tools { maven 'm3' }\n    parameters { string(name: 'A') }\n    triggers { cron('H * * * *') }\n    stages { stage('a') { options { retry(2) }\n      input { message 'ok?' }\n      tools { jdk 'j' }\n      environment { A = 'b' }\n      steps { echo 'x' } } }\n  }\n}\n",
            &[],
        );
    }

    #[test]
    fn duplicate_section() {
        let text = pipeline("  agent any\n  options { timestamps() }\n  options { ansiColor('xterm') }\n  stages {\n    stage('a') { steps { echo 'a' } }\n    stage('a') { steps { echo 'b' } }\n    stage('p') {\n      parallel {\n        stage('x') { steps { echo 'x' } }\n        stage('x') { steps { echo 'y' } }\n      }\n    }\n  }\n");
        assert_findings(JNK004, &text, &[(4, 3), (7, 11), (11, 15)]);
        let msgs: Vec<String> = {
            let (_, diags) = lint_with(Options::default(), &text);
            diags
                .into_iter()
                .filter(|d| d.code == JNK004)
                .map(|d| d.message)
                .collect()
        };
        assert_eq!(
            msgs,
            [
                "Multiple occurrences of the options section",
                "Duplicate stage name: \"a\"",
                "Duplicate parallel branch name: \"x\""
            ]
        );
        // The same name in different blocks is fine.
        assert_findings(
            JNK004,
            &pipeline("  agent any\n  stages {\n    stage('a') { stages { stage('build') { steps { echo 'a' } } } }\n    stage('b') { stages { stage('build') { steps { echo 'b' } } } }\n  }\n"),
            &[],
        );
        assert_findings(JNK004, GOOD, &[]);
    }

    #[test]
    fn empty_section() {
        let text = pipeline("  agent any\n  options { }\n  environment {}\n  stages {\n    stage('a') {\n      when { }\n      steps { }\n    }\n    stage('b') { stages { } }\n  }\n  post {\n  }\n");
        assert_findings(
            JNK005,
            &text,
            &[(3, 3), (4, 3), (7, 7), (8, 7), (10, 18), (12, 3)],
        );
        assert_eq!(
            first_message(JNK005, &pipeline("  agent any\n  stages { }\n")).as_deref(),
            Some("No stages specified")
        );
        // A comment does not fill a block, content does.
        assert_findings(JNK005, &pipeline("  agent any\n  stages { stage('a') { steps { echo 'a' } } }\n  post { always { echo 'x' } }\n"), &[]);
        assert_findings(JNK005, GOOD, &[]);
    }

    #[test]
    fn invalid_agent() {
        let stages = "  stages { stage('a') { steps { echo 'a' } } }\n";
        assert_findings(
            JNK006,
            &pipeline(&format!("  agent label: 'x'\n{stages}")),
            &[(2, 3)],
        );
        assert_findings(
            JNK006,
            &pipeline(&format!("  agent 'linux'\n{stages}")),
            &[(2, 3)],
        );
        assert_findings(
            JNK006,
            &pipeline(&format!("  agent {{ }}\n{stages}")),
            &[(2, 3)],
        );
        assert_findings(
            JNK006,
            &pipeline(&format!(
                "  agent {{\n    label 'a'\n    docker 'b'\n  }}\n{stages}"
            )),
            &[(4, 5)],
        );
        assert_findings(
            JNK006,
            &pipeline(&format!(
                "  agent {{\n    label 'a'\n    none\n  }}\n{stages}"
            )),
            &[(4, 5)],
        );
        let text = pipeline(&format!("  agent {{ dokcer {{ image 'x:1' }} }}\n{stages}"));
        assert_findings(JNK006, &text, &[(2, 11)]);
        assert_eq!(
            first_message(JNK006, &text).as_deref(),
            Some("Invalid agent type \"dokcer\" specified. Must be one of [any, docker, dockerfile, kubernetes, label, node, none]")
        );
        assert_findings(
            JNK006,
            &pipeline(&format!(
                "  agent {{ docker {{ args '-v x:y' }} }}\n{stages}"
            )),
            &[(2, 11)],
        );
        assert_findings(
            JNK006,
            &pipeline("  agent none\n  stages { stage('a') { agent { node { customWorkspace 'w' } }\n steps { echo 'a' } } }\n"),
            &[(3, 33)],
        );
        // Plugin types listed in lint.toml are known.
        let ecs = pipeline(&format!(
            "  agent {{ ecs {{ inheritFrom 'x' }} }}\n{stages}"
        ));
        assert_findings(JNK006, &ecs, &[(2, 11)]);
        assert_findings_with(
            JNK006,
            Options {
                jenkinsfile_agent_types: vec!["ecs".into()],
                ..Options::default()
            },
            &ecs,
            &[],
        );
        for agent in [
            "agent any",
            "agent none",
            "agent { label 'linux && docker' }",
            "agent { docker 'node:20' }",
            "agent { docker { image 'node:20'; args '-u root' } }",
            "agent { dockerfile true }",
            "agent { dockerfile { filename 'ci.Dockerfile' } }",
            "agent { node { label 'x'; customWorkspace 'w' } }",
            "agent { kubernetes { yamlFile 'pod.yaml' } }",
        ] {
            assert_findings(JNK006, &pipeline(&format!("  {agent}\n{stages}")), &[]);
        }
    }

    #[test]
    fn invalid_nesting() {
        let text = pipeline("  agent none\n  stages {\n    stage('p') {\n      agent any\n      parallel {\n        stage('x') {\n          parallel { stage('y') { steps { echo 'y' } } }\n        }\n      }\n    }\n    stage('s') {\n      steps { echo 'a' }\n      stages { stage('t') { steps { echo 't' } } }\n    }\n  }\n");
        assert_findings(JNK007, &text, &[(5, 7), (8, 11), (14, 7)]);
        assert_eq!(
            first_message(JNK007, &text).as_deref(),
            Some(
                "\"agent\" is not allowed in stage \"p\" as it contains parallel or matrix stages"
            )
        );
        // Sequential stages inside a parallel branch are fine.
        assert_findings(
            JNK007,
            &pipeline("  agent any\n  stages {\n    stage('p') {\n      parallel {\n        stage('x') {\n          stages { stage('y') { steps { echo 'y' } } }\n        }\n      }\n    }\n  }\n"),
            &[],
        );
        assert_findings(JNK007, GOOD, &[]);
    }

    #[test]
    fn invalid_matrix() {
        let text = pipeline("  agent any\n  stages {\n    stage('m') {\n      matrix {\n        axes {\n          axis {\n            name 'OS'\n            values 'linux', 'mac', 'linux'\n          }\n          axis { name 'OS'; values 'a' }\n          axis { values 'b' }\n          axis { name 'HY-PHEN'; values 'c' }\n        }\n        excludes {\n          exclude { axis { name 'OS'; values 'mac'; notValues 'linux' } }\n          exclude { }\n        }\n      }\n    }\n    stage('n') { matrix { axes { } ; stages { stage('x') { steps { echo 'x' } } } } }\n  }\n");
        assert_findings(
            JNK008,
            &text,
            &[
                (5, 7),
                (9, 36),
                (11, 18),
                (12, 11),
                (13, 18),
                (16, 21),
                (17, 11),
                (21, 27),
            ],
        );
        let good = pipeline("  agent any\n  stages {\n    stage('m') {\n      matrix {\n        axes {\n          axis { name 'OS'; values 'linux', 'mac' }\n          axis { name 'JDK'; values '17', '21' }\n        }\n        excludes { exclude { axis { name 'OS'; values 'mac' }\n axis { name 'JDK'; notValues '21' } } }\n        stages { stage('b') { steps { echo \"$OS $JDK\" } } }\n      }\n    }\n  }\n");
        assert_findings(JNK008, &good, &[]);
    }
}
