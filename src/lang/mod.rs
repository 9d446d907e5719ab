//! The one dispatch point: file type → engine. Each engine parses its text into a model with
//! spans, runs its rules and reports the comments that may hold suppressions.

pub mod dockerfile;
pub mod embed;
pub mod jenkinsfile;
pub mod kubernetes;
pub mod nginx;

use crate::diagnostic::{Diagnostic, Span};
use crate::source::SourceFile;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileType {
    Dockerfile,
    Kubernetes,
    Nginx,
    Jenkinsfile,
}

impl FileType {
    pub const ALL: [FileType; 4] = [
        FileType::Dockerfile,
        FileType::Kubernetes,
        FileType::Nginx,
        FileType::Jenkinsfile,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileType::Dockerfile => "dockerfile",
            FileType::Kubernetes => "kubernetes",
            FileType::Nginx => "nginx",
            FileType::Jenkinsfile => "jenkinsfile",
        }
    }

    pub fn parse(s: &str) -> Option<FileType> {
        FileType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether files of this type are linted. Every type has its engine.
    pub fn is_linted(self) -> bool {
        true
    }

    pub fn registry_kind(self) -> crate::registry::FileKind {
        use crate::registry::FileKind;
        match self {
            FileType::Dockerfile => FileKind::Dockerfile,
            FileType::Kubernetes => FileKind::Kubernetes,
            FileType::Nginx => FileKind::Nginx,
            FileType::Jenkinsfile => FileKind::Jenkinsfile,
        }
    }
}

/// Rule options from the file type tables of lint.toml.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `[dockerfile] trusted-registries`: when non-empty, DKR040 is active.
    pub trusted_registries: Vec<String>,
    /// `[dockerfile] non-root-images`: glob patterns of base images that run as non-root.
    pub non_root_images: Vec<String>,
    /// `[secrets] allow`: values or key names never reported as secrets.
    pub secrets_allow: Vec<String>,
    /// `[kubernetes] target-version` ("1.30"): which apiVersions are removed or deprecated.
    /// `None` means the default of the catalogue.
    pub kubernetes_target_version: Option<String>,
    /// `[nginx] version` ("1.24"); `None` means the default of the catalogue.
    pub nginx_version: Option<String>,
    /// `[nginx] prefix`, made absolute against the config file's folder: where relative
    /// `include`s start (default: the root config's folder).
    pub nginx_prefix: Option<PathBuf>,
    /// `[nginx] extra-directives`: third-party directive names with the contexts they are
    /// allowed in (`http`, `server`, `location`, `if`, …; none = anywhere).
    pub nginx_extra_directives: Vec<(String, Vec<String>)>,
    /// `[jenkinsfile] agent-types`: agent types from plugins, besides the built-in ones.
    pub jenkinsfile_agent_types: Vec<String>,
    /// `[jenkinsfile] max-script-lines`: the longest `script { }` block JNK206 allows
    /// (`None`: the catalogue's default).
    pub jenkinsfile_max_script_lines: Option<u32>,
}

/// What an engine knows about the file besides its text.
#[derive(Debug, Clone, Default)]
pub struct LintContext {
    /// The file on disk; `None` for stdin (rules that look at neighbouring files are skipped).
    pub disk_path: Option<PathBuf>,
    pub options: Options,
    /// How many texts this one is embedded in (0 for a file on disk or stdin).
    pub embedded_depth: u32,
    /// What engines read beside the linted file, shared by the files of one run.
    pub cache: Arc<RunCache>,
}

/// Files that engines read beside the linted one (kustomizations, nginx includes) and what
/// they derive from them, computed once per run and shared by its files. One per run, never
/// per process: the editor server must see a file change between two runs.
#[derive(Default)]
pub struct RunCache {
    entries: Mutex<HashMap<(TypeId, PathBuf), Arc<dyn Any + Send + Sync>>>,
}

impl RunCache {
    /// The value of type `T` for `path`, made by `make` the first time. Two threads may both
    /// make it; one result is kept.
    pub fn get_or_insert<T: Any + Send + Sync>(
        &self,
        path: &Path,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        let key = (TypeId::of::<T>(), path.to_path_buf());
        let cached = self
            .entries
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
            .and_then(|v| v.downcast::<T>().ok());
        if let Some(value) = cached {
            return value;
        }
        let value = Arc::new(make());
        if let Ok(mut m) = self.entries.lock() {
            m.insert(key, value.clone());
        }
        value
    }
}

impl std::fmt::Debug for RunCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RunCache")
    }
}

/// A comment that may hold a suppression, and what it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The whole comment, marker included (what a fix removes).
    pub span: Span,
    /// The text after the comment marker (`#`, `//`).
    pub body: Span,
    /// The byte range a line-level suppression in this comment covers: the statement below it
    /// (for a comment alone on its line) or its own line (for an end-of-line comment).
    pub covers: Span,
    /// Whether the comment is alone on its line(s), so removing it removes whole lines.
    pub own_line: bool,
}

/// The result of linting one file's text.
#[derive(Debug, Default)]
pub struct LintOutput {
    pub diagnostics: Vec<Diagnostic>,
    pub comments: Vec<Comment>,
    /// Byte ranges of secret values, masked in every output that prints source text.
    pub secrets: Vec<Span>,
    /// Texts in another language inside this one, linted by their own engine afterwards.
    pub embedded: Vec<embed::Embedded>,
}

/// Parses `source` as `file_type` and runs every rule of that engine.
pub fn lint(file_type: FileType, source: &SourceFile, ctx: &LintContext) -> LintOutput {
    lint_in_set(file_type, source, ctx, None)
}

/// [`lint`] for one file of a run: `kubernetes_set` holds the facts of the run's Kubernetes
/// files, for the cross-object rules (`None`: the text alone is the set).
pub fn lint_in_set(
    file_type: FileType,
    source: &SourceFile,
    ctx: &LintContext,
    kubernetes_set: Option<&kubernetes::Set>,
) -> LintOutput {
    let (mut out, facts) = prelint(file_type, source, ctx);
    cross_check(&mut out, facts.as_ref(), kubernetes_set);
    out
}

/// Everything a text gives on its own (its engine's rules and its embedded texts), and for a
/// Kubernetes text the facts the cross-object rules need. A run parses each file once: it
/// keeps these, gathers every file's facts, then adds the cross-object findings.
pub fn prelint(
    file_type: FileType,
    source: &SourceFile,
    ctx: &LintContext,
) -> (LintOutput, Option<kubernetes::Facts>) {
    let (mut out, facts) = match file_type {
        FileType::Dockerfile => (dockerfile::lint(source, ctx), None),
        FileType::Kubernetes => {
            let (out, facts) = kubernetes::prelint(source, ctx);
            (out, Some(facts))
        }
        FileType::Nginx => (nginx::lint(source, ctx), None),
        FileType::Jenkinsfile => (jenkinsfile::lint(source, ctx), None),
    };
    embed::lint_embedded(&mut out, source, ctx, ctx.embedded_depth);
    (out, facts)
}

/// Adds the cross-object findings of a Kubernetes text to what [`prelint`] gave: `own` is the
/// text's facts (`None`: the set's entry for it, gathered from the same text).
pub fn cross_check(
    out: &mut LintOutput,
    own: Option<&kubernetes::Facts>,
    set: Option<&kubernetes::Set>,
) {
    if own.is_some() || set.is_some() {
        kubernetes::cross_check(out, own, set);
    }
}

/// How many syntax errors the text has; `--fix` refuses a result with more than the original.
pub fn syntax_error_count(file_type: FileType, text: &str) -> usize {
    match file_type {
        FileType::Dockerfile => dockerfile::parse::parse(text).errors.len(),
        FileType::Kubernetes => kubernetes::syntax_error_count(text),
        FileType::Nginx => nginx::parse::parse(text).errors.len(),
        FileType::Jenkinsfile => jenkinsfile::parse::parse(text).errors.len(),
    }
}

/// The (line, column) of each finding of `code` in `diagnostics`, in their order: what rule
/// tests compare.
#[cfg(test)]
pub fn positions_of(
    source: &SourceFile,
    diagnostics: &[crate::diagnostic::Diagnostic],
    code: crate::registry::Code,
) -> Vec<(u32, u32)> {
    diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| {
            let p = source.line_col(d.span.start);
            (p.line, p.column)
        })
        .collect()
}

/// The test helpers every engine's rule tests use, generated for one engine's `lint` and the
/// file name its texts are linted under: `lint_with`, `positions`, `assert_findings`,
/// `assert_findings_with`, `assert_fixed`, `first_message`.
#[cfg(test)]
macro_rules! engine_test_support {
    ($lint:path, $file_name:literal) => {
        use crate::diagnostic::{apply_edits, Diagnostic};
        use crate::lang::{LintContext, Options};
        use crate::registry::Code;
        use crate::source::SourceFile;

        pub fn lint_with(options: Options, text: &str) -> (SourceFile, Vec<Diagnostic>) {
            let source = SourceFile::new($file_name, text);
            let ctx = LintContext {
                disk_path: None,
                options,
                ..Default::default()
            };
            let out = $lint(&source, &ctx);
            (source, out.diagnostics)
        }

        /// The (line, column) of every finding of `code`, sorted.
        pub fn positions(code: Code, options: Options, text: &str) -> Vec<(u32, u32)> {
            let (source, diags) = lint_with(options, text);
            let mut found = crate::lang::positions_of(&source, &diags, code);
            found.sort();
            found
        }

        /// Asserts that `code` fires exactly at `expected` (1-based line, column) and nowhere
        /// else.
        #[track_caller]
        pub fn assert_findings(code: Code, text: &str, expected: &[(u32, u32)]) {
            assert_findings_with(code, Options::default(), text, expected);
        }

        #[track_caller]
        pub fn assert_findings_with(
            code: Code,
            options: Options,
            text: &str,
            expected: &[(u32, u32)],
        ) {
            let found = positions(code, options, text);
            assert_eq!(found, expected, "{code} on:\n{text}");
        }

        /// Applies the fixes (safe and unsafe) of every `code` finding once and compares.
        #[track_caller]
        pub fn assert_fixed(code: Code, text: &str, expected: &str) {
            let (_, diags) = lint_with(Options::default(), text);
            let edits: Vec<_> = diags
                .iter()
                .filter(|d| d.code == code)
                .filter_map(|d| d.fix.as_ref())
                .flat_map(|f| f.edits.iter())
                .collect();
            assert!(!edits.is_empty(), "{code} offered no fix on:\n{text}");
            let (fixed, _) = apply_edits(text, edits);
            assert_eq!(fixed, expected, "{code} fix of:\n{text}");
        }

        /// The message of the first `code` finding (to check wording).
        pub fn first_message(code: Code, text: &str) -> Option<String> {
            let (_, diags) = lint_with(Options::default(), text);
            diags
                .into_iter()
                .find(|d| d.code == code)
                .map(|d| d.message)
        }
    };
}
#[cfg(test)]
pub(crate) use engine_test_support;
