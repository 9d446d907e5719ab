//! The Jenkinsfile rules, one file per family. Each family's `check` reads the model (and the
//! parse tree where it must) and pushes findings; selection, severity overrides and
//! suppressions are applied by the caller. A new family is a module here and one line in
//! [`run`].

mod syntax;

use super::Ctx;
use crate::diagnostic::Findings;

pub fn run(cx: &Ctx, out: &mut Findings) {
    syntax::check(cx, out);
}

#[cfg(test)]
#[allow(dead_code)] // each family's tests use a part of it
pub(crate) mod test_support {
    crate::lang::engine_test_support!(super::super::lint, "Jenkinsfile");
}
