//! The Kubernetes rules, one file per family. K8S001 (YAML syntax) is reported by the engine
//! itself from the parser's errors; the rules read the model in `Ctx::model`. Rules that
//! compare objects across files (✕ in the catalogue) live in `cross_object`: `run.rs` first
//! gathers small owned facts from every Kubernetes file of the run, then each file is linted
//! against that set (a text linted alone is a set of one).

mod api_versions;
mod objects;
mod probes;
mod rbac;
mod resources;
mod security;

pub mod cross_object;

use super::Ctx;
use crate::diagnostic::Findings;

/// Runs every single-object Kubernetes rule on one file.
pub fn run(cx: &Ctx<'_>, out: &mut Findings) {
    resources::check(cx, out);
    probes::check(cx, out);
    security::check(cx, out);
    objects::check(cx, out);
    api_versions::check(cx, out);
    rbac::check(cx, out);
}

#[cfg(test)]
#[allow(dead_code)] // each family's tests use a part of it
pub(crate) mod test_support {
    use crate::diagnostic::{apply_edits, Diagnostic};
    use crate::lang::{LintContext, Options};
    use crate::registry::Code;
    use crate::source::SourceFile;

    pub fn lint_with(options: Options, text: &str) -> (SourceFile, Vec<Diagnostic>) {
        let source = SourceFile::new("manifest.yaml", text);
        let ctx = LintContext {
            disk_path: None,
            options,
        };
        let out = super::super::lint(&source, &ctx);
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

    /// Asserts that `code` fires exactly at `expected` (1-based line, column) and nowhere else.
    #[track_caller]
    pub fn assert_findings(code: Code, text: &str, expected: &[(u32, u32)]) {
        assert_findings_with(code, Options::default(), text, expected);
    }

    #[track_caller]
    pub fn assert_findings_with(code: Code, options: Options, text: &str, expected: &[(u32, u32)]) {
        let found = positions(code, options, text);
        assert_eq!(found, expected, "{code} on:\n{text}");
    }

    /// Applies the fixes of every `code` finding once and compares.
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
}
