//! (family placeholder: rules land here)

use super::super::Ctx;
use crate::diagnostic::Findings;

pub fn check(_cx: &Ctx<'_>, _out: &mut Findings) {}
