//! The one dispatch point: file type → engine. Each engine parses its text into a model with
//! spans, runs its rules and reports the comments that may hold suppressions.

pub mod dockerfile;
pub mod embed;
pub mod jenkinsfile;
pub mod kubernetes;
mod text;

use crate::diagnostic::{Diagnostic, Span};
use crate::source::SourceFile;
use std::path::PathBuf;

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

    /// Whether files of this type are linted. Every type is: those without their own engine
    /// yet get the checks every file gets (readability, encoding, secrets in the raw text).
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
    let mut out = match file_type {
        FileType::Dockerfile => dockerfile::lint(source, ctx),
        FileType::Kubernetes => kubernetes::lint_in_set(source, ctx, kubernetes_set),
        FileType::Nginx => text::lint(source, ctx, "#"),
        FileType::Jenkinsfile => jenkinsfile::lint(source, ctx),
    };
    embed::lint_embedded(&mut out, source, ctx, ctx.embedded_depth);
    out
}

/// How many syntax errors the text has; `--fix` refuses a result with more than the original.
pub fn syntax_error_count(file_type: FileType, text: &str) -> usize {
    match file_type {
        FileType::Dockerfile => dockerfile::parse::parse(text).errors.len(),
        FileType::Kubernetes => kubernetes::syntax_error_count(text),
        FileType::Jenkinsfile => jenkinsfile::parse::parse(text).errors.len(),
        FileType::Nginx => 0,
    }
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
            let mut found: Vec<(u32, u32)> = diags
                .iter()
                .filter(|d| d.code == code)
                .map(|d| {
                    let p = source.line_col(d.span.start);
                    (p.line, p.column)
                })
                .collect();
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
