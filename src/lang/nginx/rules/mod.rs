//! The nginx rules, one file per family. Each family's `check` reads the parsed model (and the
//! configuration set) and pushes findings; selection, severity overrides and suppressions are
//! applied by the caller. To add a family: a file here with `pub fn check(cx: &Ctx, out: &mut
//! Findings)`, a `mod` line and a call in [`run`].
//!
//! What a rule reads (see `super::Ctx`, `super::parse`, `super::config_set`):
//! - `cx.walk(|v| …)`: every directive with `v.parents` (outermost first) and `v.context` (a
//!   bit of `directives::ctx`: `HTTP_SERVER`, `HTTP_LOCATION`, … ; 0 inside `map`/`types`
//!   data, Lua bodies and blocks nginx does not know);
//! - `Directive { name, name_span, args: [Arg { value, span, quoted }], block, span,
//!   semicolon }`, `children()`, `find(name)`, `children_named(name)`, `if_condition()`;
//! - `cx.in_scope(parents, name)`: what a spot inherits (nearest level that sets `name`,
//!   across includes both ways); `cx.everywhere(name)`: every occurrence in the set;
//!   `cx.zones()`: the zones and upstreams the set defines;
//! - `cx.context.is_full_config()`, `cx.context.is_known()`, `cx.may_be_incomplete()`: rules
//!   about something missing stay silent when the file may not show everything;
//! - `cx.lint.options.nginx_version`: the target `[nginx] version` (`None` = 1.24).

mod common;
mod config;
mod performance;
mod structure;
mod upstream;

use super::Ctx;
use crate::diagnostic::Findings;

pub fn run(cx: &Ctx, out: &mut Findings) {
    structure::check(cx, out);
    upstream::check(cx, out);
    performance::check(cx, out);
    config::check(cx, out);
}

/// The rules that depend on the context a fragment is included in, for its other include
/// sites (the engine deduplicates what they find).
pub fn run_in_other_context(cx: &Ctx, out: &mut Findings) {
    structure::check(cx, out);
}

#[cfg(test)]
#[allow(dead_code)] // each family's tests use a part of it
pub(crate) mod test_support {
    crate::lang::engine_test_support!(super::super::lint, "nginx.conf");
}
