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
    crate::lang::engine_test_support!(super::super::lint, "manifest.yaml");

    /// A `kind` object whose one container has `body` (indented 8) after `name`/`image`.
    pub fn workload(api: &str, kind: &str, body: &str) -> String {
        format!(
            "\
apiVersion: {api}
kind: {kind}
metadata:
  name: web
spec:
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
{body}"
        )
    }

    /// A Deployment whose one container has `body` (indented 8) after `name`/`image`.
    pub fn deploy(body: &str) -> String {
        workload("apps/v1", "Deployment", body)
    }
}
