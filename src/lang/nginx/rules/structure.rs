//! Structure rules: what nginx itself rejects when it reads the configuration. NGX001 (syntax
//! errors) is reported by the engine from the parser's errors.

use super::super::Ctx;
use crate::diagnostic::Findings;

pub fn check(_cx: &Ctx, _out: &mut Findings) {}
