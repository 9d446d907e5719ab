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
    crate::lang::engine_test_support!(super::super::lint, "Dockerfile");
}
