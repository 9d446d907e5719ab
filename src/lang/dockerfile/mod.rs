//! The Dockerfile engine: parser (instructions, flags, heredocs, shell words), model and rules.

pub mod parse;
pub mod shell;

use super::{LintContext, LintOutput};
use crate::source::SourceFile;

pub fn lint(source: &SourceFile, _ctx: &LintContext) -> LintOutput {
    let _file = parse::parse(&source.text);
    LintOutput::default()
}
