//! The nginx rules, one file per family. Each family's `check` reads the parsed model (and the
//! configuration set) and pushes findings; selection, severity overrides and suppressions are
//! applied by the caller. To add a family: a file here with `pub fn check(cx: &Ctx, out: &mut
//! Findings)`, a `mod` line and a call in [`run`].

mod structure;

use super::Ctx;
use crate::diagnostic::Findings;

pub fn run(cx: &Ctx, out: &mut Findings) {
    structure::check(cx, out);
}

#[cfg(test)]
#[allow(dead_code)] // each family's tests use a part of it
pub(crate) mod test_support {
    crate::lang::engine_test_support!(super::super::lint, "nginx.conf");
}
