//! The Jenkinsfile model over the parse tree: the declarative pipeline (`pipeline { … }`) with
//! its sections, stages, agents and directives, each with spans; whether the file is a
//! scripted pipeline (`node { … }`); and what the security rules read in either kind: the
//! shell steps with their script argument, credential bindings with their scope, shared
//! library references and docker images.
//!
//! The declarative model keeps every statement it meets, known or not, so the structure
//! rules can report what does not belong where it stands.

use super::lex::StrLit;
use super::parse::{for_each_call, Arg, Block, Call, Expr, ExprKind, File, Stmt, StmtKind};
use crate::diagnostic::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `pipeline { … }` block.
    Declarative,
    /// `node { … }` (or `podTemplate`, top-level `stage`) without a `pipeline` block.
    Scripted,
    /// Neither: a shared library script, a plain Groovy file.
    Other,
}

/// The steps that run a shell script.
pub const SHELL_STEPS: &[&str] = &["sh", "bat", "powershell", "pwsh"];

#[derive(Debug)]
pub struct Model<'a> {
    pub file: &'a File,
    pub text: &'a str,
    pub kind: Kind,
    /// The first top-level `pipeline { … }` block.
    pub pipeline: Option<Pipeline<'a>>,
    /// `pipeline` calls that are not at the top level (inside another block).
    pub nested_pipelines: Vec<&'a Call>,
    /// `@Library`, `library` steps and `libraries { lib(…) }`.
    pub libraries: Vec<LibraryRef>,
    /// Every `sh`/`bat`/`powershell`/`pwsh` call, anywhere in the file.
    pub shell_steps: Vec<ShellStep<'a>>,
    /// Every variable a credential is bound to, with the span where it is bound.
    pub credentials: Vec<CredentialBinding<'a>>,
    /// Docker images a pipeline runs in: `agent { docker … }` and `docker.image('…')`.
    pub docker_images: Vec<DockerImage<'a>>,
}

/// A directive or section: a call in a declarative block (`agent any`, `stages { … }`,
/// `timeout(time: 1, unit: 'HOURS')`).
#[derive(Debug, Clone, Copy)]
pub struct Section<'a> {
    pub name: &'a str,
    pub call: &'a Call,
    pub stmt: &'a Stmt,
}

impl<'a> Section<'a> {
    pub fn name_span(&self) -> Span {
        self.call.name_span.clone()
    }

    pub fn block(&self) -> Option<&'a Block> {
        self.call.block()
    }

    /// The calls directly in the section's block.
    pub fn entries(&self) -> Vec<Section<'a>> {
        self.block().map(sections_of).unwrap_or_default()
    }

    /// The statements of the block that are not calls (`def x = 1`, `if (…)`, `x = 1`).
    pub fn others(&self) -> Vec<&'a Stmt> {
        self.block()
            .map(|b| b.stmts.iter().filter(|s| s.call().is_none()).collect())
            .unwrap_or_default()
    }

    /// Whether the section has a block with nothing in it.
    pub fn is_empty_block(&self) -> bool {
        self.block().is_some_and(|b| b.stmts.is_empty())
    }
}

/// The calls directly in a block, as sections.
pub fn sections_of(block: &Block) -> Vec<Section<'_>> {
    block
        .stmts
        .iter()
        .filter_map(|s| {
            s.call().map(|c| Section {
                name: c.name.as_str(),
                call: c,
                stmt: s,
            })
        })
        .collect()
}

#[derive(Debug)]
pub struct Pipeline<'a> {
    pub call: &'a Call,
    /// Every call directly in the `pipeline` block, in order.
    pub sections: Vec<Section<'a>>,
    /// Statements directly in the block that are not calls.
    pub others: Vec<&'a Stmt>,
    pub agent: Option<Agent<'a>>,
    pub stages: Option<Stages<'a>>,
    pub environment: Option<Environment<'a>>,
    pub options: Option<Section<'a>>,
    pub post: Option<Section<'a>>,
    pub tools: Option<Section<'a>>,
    pub parameters: Option<Section<'a>>,
    pub triggers: Option<Section<'a>>,
    pub libraries: Option<Section<'a>>,
}

impl<'a> Pipeline<'a> {
    /// The first section named `name`.
    pub fn section(&self, name: &str) -> Option<Section<'a>> {
        self.sections.iter().find(|s| s.name == name).copied()
    }

    /// Every stage at any depth (inside `stages`, `parallel` and `matrix`), parents first.
    pub fn all_stages(&self) -> Vec<&Stage<'a>> {
        let mut out = Vec::new();
        let mut todo: Vec<&Stage<'a>> = self
            .stages
            .iter()
            .flat_map(|s| s.stages.iter())
            .rev()
            .collect();
        while let Some(s) = todo.pop() {
            out.push(s);
            let children: Vec<&Stage<'a>> = s.children().collect();
            todo.extend(children.into_iter().rev());
        }
        out
    }
}

#[derive(Debug)]
pub struct Stages<'a> {
    pub section: Section<'a>,
    pub stages: Vec<Stage<'a>>,
}

#[derive(Debug)]
pub struct Stage<'a> {
    pub call: &'a Call,
    /// The literal name (`stage('Build')`); `None` when absent or not a plain string.
    pub name: Option<String>,
    /// The name argument, literal or not.
    pub name_arg: Option<&'a Arg>,
    /// Every call directly in the stage's block.
    pub sections: Vec<Section<'a>>,
    pub others: Vec<&'a Stmt>,
    pub agent: Option<Agent<'a>>,
    pub steps: Option<Section<'a>>,
    pub stages: Option<Stages<'a>>,
    pub parallel: Option<Parallel<'a>>,
    pub matrix: Option<Matrix<'a>>,
    pub environment: Option<Environment<'a>>,
    /// Whether the stage is a branch of a `parallel` or a matrix cell's stage.
    pub in_parallel: bool,
    /// The depth of the stage in the stage tree (0 for a top-level stage).
    pub depth: u32,
}

impl<'a> Stage<'a> {
    pub fn section(&self, name: &str) -> Option<Section<'a>> {
        self.sections.iter().find(|s| s.name == name).copied()
    }

    /// The stages directly under this one: in `stages`, `parallel` or the matrix's `stages`.
    pub fn children(&self) -> impl Iterator<Item = &Stage<'a>> {
        self.stages
            .iter()
            .flat_map(|s| s.stages.iter())
            .chain(self.parallel.iter().flat_map(|p| p.stages.iter()))
            .chain(
                self.matrix
                    .iter()
                    .flat_map(|m| m.stages.iter().flat_map(|s| s.stages.iter())),
            )
    }

    /// Where to point for the stage as a whole: its name argument, else `stage`.
    pub fn span(&self) -> Span {
        self.name_arg
            .map_or_else(|| self.call.name_span.clone(), |a| a.span.clone())
    }

    /// How the stage is named in messages.
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| "?".to_string())
    }
}

#[derive(Debug)]
pub struct Parallel<'a> {
    pub section: Section<'a>,
    pub stages: Vec<Stage<'a>>,
}

#[derive(Debug)]
pub struct Matrix<'a> {
    pub section: Section<'a>,
    pub axes: Option<Section<'a>>,
    pub axis_list: Vec<Axis<'a>>,
    pub excludes: Option<Section<'a>>,
    pub stages: Option<Stages<'a>>,
    pub agent: Option<Agent<'a>>,
}

#[derive(Debug)]
pub struct Axis<'a> {
    pub call: &'a Call,
    /// `name 'PLATFORM'`: the value and the span of the `name` call.
    pub name: Option<(String, Span)>,
    /// `values 'a', 'b'`: the `values` call.
    pub values_call: Option<&'a Call>,
    /// Each literal value with its span.
    pub values: Vec<(String, Span)>,
}

#[derive(Debug)]
pub struct Agent<'a> {
    pub section: Section<'a>,
    pub form: AgentForm<'a>,
}

#[derive(Debug)]
pub enum AgentForm<'a> {
    Any,
    None,
    /// `agent { … }`: the calls in the block (`label 'x'`, `docker { … }`, …).
    Block(Vec<Section<'a>>),
    /// `agent label: 'x'` and other forms the validator rejects or that are not literal.
    Other,
}

impl<'a> Agent<'a> {
    /// The agent types of a block agent (`docker`, `label`, `kubernetes`, …).
    pub fn types(&self) -> &[Section<'a>] {
        match &self.form {
            AgentForm::Block(t) => t,
            _ => &[],
        }
    }
}

#[derive(Debug)]
pub struct Environment<'a> {
    pub section: Section<'a>,
    pub entries: Vec<EnvEntry<'a>>,
}

/// `KEY = value` in an `environment` block.
#[derive(Debug)]
pub struct EnvEntry<'a> {
    pub stmt: &'a Stmt,
    /// The key as written (`FOO`, or the text of a non-identifier target).
    pub key: String,
    pub key_span: Span,
    /// Whether the key is a plain identifier.
    pub key_is_ident: bool,
    pub value: Option<&'a Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryForm {
    /// `@Library('x@1') _`
    Annotation,
    /// `library 'x@1'` or `library identifier: 'x@1', …`
    Step,
    /// `libraries { lib('x@1') }`
    Directive,
}

#[derive(Debug, Clone)]
pub struct LibraryRef {
    /// `name@version` as written.
    pub spec: String,
    /// The string literal holding it.
    pub span: Span,
    pub form: LibraryForm,
}

impl LibraryRef {
    pub fn name(&self) -> &str {
        self.spec.split('@').next().unwrap_or("")
    }

    pub fn version(&self) -> Option<&str> {
        self.spec.split_once('@').map(|(_, v)| v)
    }
}

/// A shell step call and its script.
#[derive(Debug)]
pub struct ShellStep<'a> {
    pub call: &'a Call,
    /// `sh`, `bat`, `powershell` or `pwsh`.
    pub step: &'a str,
    /// The script: the first positional argument or the `script:` named argument.
    pub script: Option<&'a Expr>,
}

impl<'a> ShellStep<'a> {
    /// The string literals making up the script (one, or the operands of a `+`
    /// concatenation).
    pub fn script_strings(&self, file: &'a File) -> Vec<&'a StrLit> {
        let Some(e) = self.script else {
            return Vec::new();
        };
        match &e.kind {
            ExprKind::Str(i) => file.lexed.string(*i).into_iter().collect(),
            ExprKind::Operation { operands, .. } => operands
                .iter()
                .filter_map(|o| o.string(&file.lexed))
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    /// A binding of `withCredentials([...])`.
    WithCredentials,
    /// `X = credentials('id')` in `environment`.
    Environment,
}

/// A variable that holds a credential, and where it does.
#[derive(Debug, Clone)]
pub struct CredentialBinding<'a> {
    pub variable: String,
    /// Where the variable is named (the string literal, or the environment key).
    pub span: Span,
    /// The byte range in which the variable holds the credential: the `withCredentials`
    /// closure, or the block whose `environment` binds it.
    pub scope: Span,
    pub source: CredentialSource,
    /// The `withCredentials` call, or the `credentials(…)` call.
    pub call: &'a Call,
}

/// A docker image a pipeline runs steps in.
#[derive(Debug, Clone)]
pub struct DockerImage<'a> {
    /// The image expression (usually a string literal).
    pub image: &'a Expr,
    /// The call naming it (`image 'x'`, `docker 'x'`, `docker.image('x')`).
    pub call: &'a Call,
}

/// Stage sections, in the order of the validator's list.
pub const STAGE_SECTIONS: &[&str] = &[
    "agent",
    "when",
    "steps",
    "post",
    "options",
    "input",
    "tools",
    "environment",
    "parallel",
    "matrix",
    "failFast",
    "stages",
];

/// Top-level sections of a declarative pipeline.
pub const PIPELINE_SECTIONS: &[&str] = &[
    "agent",
    "stages",
    "environment",
    "post",
    "tools",
    "options",
    "parameters",
    "triggers",
    "libraries",
];

/// Sections of a `matrix`.
pub const MATRIX_SECTIONS: &[&str] = &[
    "axes",
    "excludes",
    "stages",
    "agent",
    "when",
    "post",
    "options",
    "environment",
    "tools",
    "input",
];

pub fn build<'a>(file: &'a File, text: &'a str) -> Model<'a> {
    let mut model = Model {
        file,
        text,
        kind: Kind::Other,
        pipeline: None,
        nested_pipelines: Vec::new(),
        libraries: Vec::new(),
        shell_steps: Vec::new(),
        credentials: Vec::new(),
        docker_images: Vec::new(),
    };
    libraries_of_annotations(file, &mut model.libraries);
    let mut scripted = false;
    for_each_call(&file.stmts, &mut |c, stack| {
        let name = c.name.as_str();
        if c.target.is_none() {
            match name {
                // At the top level, or in a method (a shared library's `def call() { … }`).
                "pipeline" if stack.is_empty() && c.block().is_some() => {
                    if model.pipeline.is_none() {
                        model.pipeline = Some(pipeline(c, file));
                    }
                    model.kind = Kind::Declarative;
                }
                "pipeline" if c.block().is_some() => model.nested_pipelines.push(c),
                "node" | "podTemplate" => scripted = true,
                "stage" if stack.is_empty() => scripted = true,
                "library" => {
                    let arg = c.named("identifier").or_else(|| c.positional().next());
                    if let Some((spec, span)) = arg.and_then(|a| literal(&a.value, file)) {
                        model.libraries.push(LibraryRef {
                            spec,
                            span,
                            form: LibraryForm::Step,
                        });
                    }
                }
                "lib" if stack.last().is_some_and(|p| p.name == "libraries") => {
                    if let Some((spec, span)) =
                        c.positional().next().and_then(|a| literal(&a.value, file))
                    {
                        model.libraries.push(LibraryRef {
                            spec,
                            span,
                            form: LibraryForm::Directive,
                        });
                    }
                }
                "withCredentials" => credential_bindings(c, file, &mut model.credentials),
                "image" if stack.last().is_some_and(|p| p.name == "docker") => {
                    if let Some(a) = c.positional().next() {
                        model.docker_images.push(DockerImage {
                            image: &a.value,
                            call: c,
                        });
                    }
                }
                "docker" if stack.last().is_some_and(|p| p.name == "agent") => {
                    if let Some(a) = c.positional().next().or_else(|| c.named("image")) {
                        model.docker_images.push(DockerImage {
                            image: &a.value,
                            call: c,
                        });
                    }
                }
                _ => {}
            }
            if SHELL_STEPS.contains(&name) {
                let script = c
                    .named("script")
                    .or_else(|| c.positional().next())
                    .map(|a| &a.value);
                model.shell_steps.push(ShellStep {
                    call: c,
                    step: SHELL_STEPS
                        .iter()
                        .find(|s| **s == name)
                        .copied()
                        .unwrap_or("sh"),
                    script,
                });
            }
        } else if name == "image" && c.target.as_ref().and_then(Expr::ident) == Some("docker") {
            if let Some(a) = c.positional().next() {
                model.docker_images.push(DockerImage {
                    image: &a.value,
                    call: c,
                });
            }
        }
        // `environment { X = credentials('id') }` is found through the pipeline model below.
    });
    if model.kind != Kind::Declarative && scripted {
        model.kind = Kind::Scripted;
    }
    if let Some(p) = &model.pipeline {
        let mut found = Vec::new();
        if let Some(env) = &p.environment {
            env_credentials(env, p.call.span.clone(), &mut found);
        }
        for stage in p.all_stages() {
            if let Some(env) = &stage.environment {
                env_credentials(env, stage.call.span.clone(), &mut found);
            }
        }
        model.credentials.extend(found);
    }
    model
}

/// A string literal without interpolation, with its span.
pub fn literal(e: &Expr, file: &File) -> Option<(String, Span)> {
    e.literal_string(&file.lexed).map(|v| (v, e.span.clone()))
}

fn libraries_of_annotations(file: &File, out: &mut Vec<LibraryRef>) {
    for a in &file.annotations {
        if a.name != "Library" && a.name != "groovy.lang.Library" {
            continue;
        }
        for arg in &a.args {
            if arg.name.as_ref().is_some_and(|(n, _)| n != "value") {
                continue;
            }
            let items: Vec<&Expr> = match &arg.value.kind {
                ExprKind::List(items) => items.iter().map(|i| &i.value).collect(),
                _ => vec![&arg.value],
            };
            for item in items {
                if let Some((spec, span)) = literal(item, file) {
                    out.push(LibraryRef {
                        spec,
                        span,
                        form: LibraryForm::Annotation,
                    });
                }
            }
        }
    }
}

/// The variables a `withCredentials([...])` binds, scoped to its closure.
fn credential_bindings<'a>(c: &'a Call, file: &File, out: &mut Vec<CredentialBinding<'a>>) {
    let Some(closure) = c.closures.first() else {
        return;
    };
    let scope = closure.span.clone();
    let mut bindings: Vec<(&str, &[Arg], Span)> = Vec::new();
    for arg in c.positional() {
        let items: Vec<&Expr> = match &arg.value.kind {
            ExprKind::List(items) => items.iter().map(|i| &i.value).collect(),
            _ => vec![&arg.value],
        };
        for item in items {
            match &item.kind {
                ExprKind::Call(b) => bindings.push((b.name.as_str(), &b.args, b.name_span.clone())),
                ExprKind::Map(entries) => bindings.push(("", entries, item.span.clone())),
                _ => {}
            }
        }
    }
    for (kind, args, span) in bindings {
        if kind == "gitUsernamePassword" {
            for v in ["GIT_USERNAME", "GIT_PASSWORD"] {
                out.push(CredentialBinding {
                    variable: v.to_string(),
                    span: span.clone(),
                    scope: scope.clone(),
                    source: CredentialSource::WithCredentials,
                    call: c,
                });
            }
            continue;
        }
        for a in args {
            let Some((name, _)) = &a.name else { continue };
            if name == "variable" || name.ends_with("Variable") {
                if let Some((v, s)) = literal(&a.value, file) {
                    if !v.is_empty() {
                        out.push(CredentialBinding {
                            variable: v,
                            span: s,
                            scope: scope.clone(),
                            source: CredentialSource::WithCredentials,
                            call: c,
                        });
                    }
                }
            }
        }
    }
}

/// `X = credentials('id')` binds X, X_USR and X_PSW in the block that holds the environment.
fn env_credentials<'a>(env: &Environment<'a>, scope: Span, out: &mut Vec<CredentialBinding<'a>>) {
    for e in &env.entries {
        let Some(call) = e.value.and_then(Expr::call) else {
            continue;
        };
        if call.name != "credentials" || call.target.is_some() {
            continue;
        }
        for suffix in ["", "_USR", "_PSW"] {
            out.push(CredentialBinding {
                variable: format!("{}{suffix}", e.key),
                span: e.key_span.clone(),
                scope: scope.clone(),
                source: CredentialSource::Environment,
                call,
            });
        }
    }
}

fn others_of(block: Option<&Block>) -> Vec<&Stmt> {
    block
        .map(|b| b.stmts.iter().filter(|s| s.call().is_none()).collect())
        .unwrap_or_default()
}

fn pipeline<'a>(call: &'a Call, file: &'a File) -> Pipeline<'a> {
    let sections = call.block().map(sections_of).unwrap_or_default();
    let first = |name: &str| sections.iter().find(|s| s.name == name).copied();
    Pipeline {
        call,
        others: others_of(call.block()),
        agent: first("agent").map(agent_of),
        stages: first("stages").map(|s| stages(s, file, false, 0)),
        environment: first("environment").map(environment),
        options: first("options"),
        post: first("post"),
        tools: first("tools"),
        parameters: first("parameters"),
        triggers: first("triggers"),
        libraries: first("libraries"),
        sections,
    }
}

fn stages<'a>(section: Section<'a>, file: &'a File, in_parallel: bool, depth: u32) -> Stages<'a> {
    let stages = section
        .entries()
        .into_iter()
        .filter(|s| s.name == "stage")
        .map(|s| stage(s.call, file, in_parallel, depth))
        .collect();
    Stages { section, stages }
}

fn stage<'a>(call: &'a Call, file: &'a File, in_parallel: bool, depth: u32) -> Stage<'a> {
    let name_arg = call.positional().next().or_else(|| call.named("name"));
    let name = name_arg.and_then(|a| a.value.literal_string(&file.lexed));
    let sections = call.block().map(sections_of).unwrap_or_default();
    let first = |n: &str| sections.iter().find(|s| s.name == n).copied();
    // The parse tree is depth-bounded, so this recursion is too.
    let child_depth = depth + 1;
    Stage {
        call,
        name,
        name_arg,
        others: others_of(call.block()),
        agent: first("agent").map(agent_of),
        steps: first("steps"),
        stages: first("stages").map(|s| stages(s, file, in_parallel, child_depth)),
        parallel: first("parallel").map(|s| Parallel {
            section: s,
            stages: s
                .entries()
                .into_iter()
                .filter(|e| e.name == "stage")
                .map(|e| stage(e.call, file, true, child_depth))
                .collect(),
        }),
        matrix: first("matrix").map(|s| matrix(s, file, child_depth)),
        environment: first("environment").map(environment),
        in_parallel,
        depth,
        sections,
    }
}

fn matrix<'a>(section: Section<'a>, file: &'a File, depth: u32) -> Matrix<'a> {
    let entries = section.entries();
    let first = |n: &str| entries.iter().find(|s| s.name == n).copied();
    let axes = first("axes");
    let axis_list = axes
        .map(|a| a.entries())
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.name == "axis")
        .map(|e| axis_of(e.call, file))
        .collect();
    Matrix {
        section,
        axes,
        axis_list,
        excludes: first("excludes"),
        stages: first("stages").map(|s| stages(s, file, true, depth)),
        agent: first("agent").map(agent_of),
    }
}

/// An `axis { name '…'; values '…', … }` (also of an `exclude`).
pub fn axis_of<'a>(call: &'a Call, file: &'a File) -> Axis<'a> {
    let entries = call.block().map(sections_of).unwrap_or_default();
    let name = entries.iter().find(|e| e.name == "name").map(|e| {
        let v = e
            .call
            .positional()
            .next()
            .and_then(|a| a.value.literal_string(&file.lexed))
            .unwrap_or_default();
        (v, e.call.span.clone())
    });
    let values_call = entries.iter().find(|e| e.name == "values").map(|e| e.call);
    let values = values_call
        .map(|c| {
            c.positional()
                .filter_map(|a| literal(&a.value, file))
                .collect()
        })
        .unwrap_or_default();
    Axis {
        call,
        name,
        values_call,
        values,
    }
}

/// The form of an `agent` section.
pub fn agent_of(section: Section<'_>) -> Agent<'_> {
    let c = section.call;
    let form = if let Some(b) = c.block() {
        if c.args.is_empty() {
            AgentForm::Block(sections_of(b))
        } else {
            AgentForm::Other
        }
    } else {
        match c.args.as_slice() {
            [a] if a.name.is_none() => match a.value.ident() {
                Some("any") => AgentForm::Any,
                Some("none") => AgentForm::None,
                _ => AgentForm::Other,
            },
            _ => AgentForm::Other,
        }
    };
    Agent { section, form }
}

fn environment(section: Section<'_>) -> Environment<'_> {
    let mut entries = Vec::new();
    if let Some(b) = section.block() {
        for s in &b.stmts {
            if let StmtKind::Assign { target, value, .. } = &s.kind {
                let (key, key_is_ident) = match target.ident() {
                    Some(k) => (k.to_string(), true),
                    None => (String::new(), false),
                };
                entries.push(EnvEntry {
                    stmt: s,
                    key,
                    key_span: target.span.clone(),
                    key_is_ident,
                    value: value.as_ref(),
                });
            }
        }
    }
    Environment { section, entries }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::jenkinsfile::parse::parse;

    fn with_model(text: &str, f: impl FnOnce(&Model)) {
        let file = parse(text);
        let model = build(&file, text);
        f(&model);
    }

    const DECLARATIVE: &str = r#"@Library('shared@v1.2') _
pipeline {
  agent { docker { image 'maven:3.9' } }
  environment {
    TOKEN = credentials('tok')
    MODE = "fast"
  }
  options { timeout(time: 1, unit: 'HOURS') }
  stages {
    stage('Build') {
      steps {
        sh 'mvn -B package'
        withCredentials([usernamePassword(credentialsId: 'c', usernameVariable: 'U', passwordVariable: 'P'), string(credentialsId: 's', variable: 'S')]) {
          sh(script: "deploy -p $P", returnStatus: true)
        }
      }
    }
    stage('Tests') {
      parallel {
        stage('unit') { steps { bat 'x' } }
        stage('it') { steps { pwsh 'y' } }
      }
    }
    stage('Matrix') {
      matrix {
        axes {
          axis { name 'OS'; values 'linux', 'windows' }
        }
        stages { stage('m') { steps { sh 'z' } } }
      }
    }
  }
  post { always { echo 'done' } }
}
"#;

    #[test]
    fn declarative_pipeline() {
        with_model(DECLARATIVE, |m| {
            assert_eq!(m.kind, Kind::Declarative);
            let p = m.pipeline.as_ref().unwrap();
            assert_eq!(
                p.sections.iter().map(|s| s.name).collect::<Vec<_>>(),
                ["agent", "environment", "options", "stages", "post"]
            );
            let agent = p.agent.as_ref().unwrap();
            assert_eq!(agent.types().len(), 1);
            assert_eq!(agent.types()[0].name, "docker");
            let names: Vec<String> = p.all_stages().iter().map(|s| s.display_name()).collect();
            assert_eq!(names, ["Build", "Tests", "unit", "it", "Matrix", "m"]);
            let tests = &p.stages.as_ref().unwrap().stages[1];
            assert!(tests.parallel.is_some() && tests.steps.is_none());
            let matrix = p.stages.as_ref().unwrap().stages[2]
                .matrix
                .as_ref()
                .unwrap();
            assert_eq!(matrix.axis_list.len(), 1);
            assert_eq!(matrix.axis_list[0].name.as_ref().unwrap().0, "OS");
            assert_eq!(
                matrix.axis_list[0]
                    .values
                    .iter()
                    .map(|v| v.0.as_str())
                    .collect::<Vec<_>>(),
                ["linux", "windows"]
            );
            let env = p.environment.as_ref().unwrap();
            assert_eq!(env.entries.len(), 2);
            assert_eq!(env.entries[0].key, "TOKEN");
        });
    }

    #[test]
    fn security_data() {
        with_model(DECLARATIVE, |m| {
            assert_eq!(m.libraries.len(), 1);
            assert_eq!(m.libraries[0].name(), "shared");
            assert_eq!(m.libraries[0].version(), Some("v1.2"));
            assert_eq!(
                m.shell_steps.iter().map(|s| s.step).collect::<Vec<_>>(),
                ["sh", "sh", "bat", "pwsh", "sh"]
            );
            let deploy = &m.shell_steps[1];
            let strings = deploy.script_strings(m.file);
            assert_eq!(strings.len(), 1);
            assert!(strings[0].is_interpolated());
            let vars: Vec<&str> = m.credentials.iter().map(|c| c.variable.as_str()).collect();
            assert_eq!(vars, ["U", "P", "S", "TOKEN", "TOKEN_USR", "TOKEN_PSW"]);
            let p = &m.credentials[1];
            let deploy_at = deploy.call.span.start;
            assert!(p.scope.start < deploy_at && deploy_at < p.scope.end);
            assert_eq!(m.docker_images.len(), 1);
        });
    }

    #[test]
    fn scripted_pipeline() {
        let text = "node('linux') {\n  stage('a') {\n    docker.image('node:20').inside { sh 'npm ci' }\n  }\n}\n";
        with_model(text, |m| {
            assert_eq!(m.kind, Kind::Scripted);
            assert!(m.pipeline.is_none());
            assert_eq!(m.docker_images.len(), 1);
            assert_eq!(m.shell_steps.len(), 1);
        });
        with_model("def call() { echo 'x' }\n", |m| {
            assert_eq!(m.kind, Kind::Other)
        });
    }

    #[test]
    fn libraries_in_every_form() {
        let text = "@Library(['a@1', 'b']) _\nlibrary identifier: 'c@main', retriever: modernSCM([$class: 'GitSCMSource'])\nlibrary 'd'\npipeline {\n  libraries { lib('e@2') }\n  agent any\n  stages { stage('x') { steps { echo 'x' } } }\n}\n";
        with_model(text, |m| {
            let specs: Vec<(&str, LibraryForm)> = m
                .libraries
                .iter()
                .map(|l| (l.spec.as_str(), l.form))
                .collect();
            assert_eq!(
                specs,
                [
                    ("a@1", LibraryForm::Annotation),
                    ("b", LibraryForm::Annotation),
                    ("c@main", LibraryForm::Step),
                    ("d", LibraryForm::Step),
                    ("e@2", LibraryForm::Directive)
                ]
            );
        });
    }
}
