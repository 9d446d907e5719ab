//! The Dockerfile rules, one file per family. Each family's `check` reads the parsed model and
//! pushes findings; selection, severity overrides and suppressions are applied by the caller.

mod context;
mod images;
mod instructions;
mod packages;
mod shell_commands;
mod stages;

use super::parse::{Instruction, Kind};
use super::Ctx;
use crate::diagnostic::Findings;

pub fn run(cx: &Ctx, out: &mut Findings) {
    images::check(cx, out);
    stages::check(cx, out);
    packages::check(cx, out);
    shell_commands::check(cx, out);
    instructions::check(cx, out);
    context::check(cx, out);
}

impl Ctx<'_> {
    /// Every instruction with its index; an `ONBUILD` trigger comes right after its `ONBUILD`,
    /// with the same index.
    pub fn instructions(&self) -> impl Iterator<Item = (usize, &Instruction)> {
        self.file
            .instructions
            .iter()
            .enumerate()
            .flat_map(|(i, inst)| {
                std::iter::once((i, inst)).chain(inst.onbuild.as_deref().map(|t| (i, t)))
            })
    }

    /// The instructions of one kind (ONBUILD triggers included), with their index.
    pub fn instructions_of(&self, kind: Kind) -> impl Iterator<Item = (usize, &Instruction)> {
        self.instructions().filter(move |(_, i)| i.kind == kind)
    }

    /// The instructions of the final stage.
    pub fn final_stage_instructions(&self) -> &[Instruction] {
        match self.file.final_stage() {
            Some(stage) => self.file.stage_instructions(stage),
            None => &[],
        }
    }

    /// The text of a span in the file.
    pub fn text(&self, span: &crate::diagnostic::Span) -> &str {
        self.source.slice(span)
    }
}

#[cfg(test)]
#[allow(dead_code)] // each family's tests use a part of it
pub(crate) mod test_support {
    use crate::diagnostic::{apply_edits, Diagnostic};
    use crate::lang::{LintContext, Options};
    use crate::registry::Code;
    use crate::source::SourceFile;

    pub fn lint_with(options: Options, text: &str) -> (SourceFile, Vec<Diagnostic>) {
        let source = SourceFile::new("Dockerfile", text);
        let ctx = LintContext {
            disk_path: None,
            options,
        };
        let out = super::super::lint(&source, &ctx);
        (source, out.diagnostics)
    }

    /// The (line, column) of every finding of `code`, in order.
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
}
