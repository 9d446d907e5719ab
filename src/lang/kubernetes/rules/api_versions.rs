//! API version rules: apiVersions that the target Kubernetes release no longer serves
//! (K8S026) or still serves but has deprecated (K8S039), from one table that follows the
//! Kubernetes deprecated API migration guide.

use super::super::model::Object;
use super::super::Ctx;
use crate::diagnostic::{Edit, Findings};
use crate::registry::Code;

pub fn check(cx: &Ctx<'_>, out: &mut Findings) {
    let target = target_minor(cx.lint.options.kubernetes_target_version.as_deref());
    removed_api_version(cx, target, out);
    deprecated_api_version(cx, target, out);
}

/// The `[kubernetes] target-version` of the catalogue's default.
pub const DEFAULT_TARGET_MINOR: u32 = 30;

/// An apiVersion of some kinds that Kubernetes deprecated and then removed. Releases are
/// minor versions of Kubernetes 1.x.
#[derive(Debug)]
struct Removal {
    api_version: &'static str,
    kinds: &'static [&'static str],
    /// The release that deprecated it.
    deprecated: u32,
    /// The first release that no longer serves it.
    removed: u32,
    /// What to use instead, best first, each with the release that first serves it; empty
    /// when the API was removed without a replacement.
    replacements: &'static [(&'static str, u32)],
    /// Whether the first replacement has the same fields, so rewriting `apiVersion` is all it
    /// takes (defaults or validation may still differ: the fix is unsafe).
    same_schema: bool,
}

const APPS_V1: &[(&str, u32)] = &[("apps/v1", 9)];
const FLOWCONTROL: &[&str] = &["FlowSchema", "PriorityLevelConfiguration"];

/// Every removed apiVersion, per kind.
const REMOVALS: &[Removal] = &[
    Removal {
        api_version: "extensions/v1beta1",
        kinds: &["Deployment", "DaemonSet", "ReplicaSet"],
        deprecated: 9,
        removed: 16,
        replacements: APPS_V1,
        same_schema: false,
    },
    Removal {
        api_version: "extensions/v1beta1",
        kinds: &["NetworkPolicy"],
        deprecated: 9,
        removed: 16,
        replacements: &[("networking.k8s.io/v1", 7)],
        same_schema: true,
    },
    Removal {
        api_version: "extensions/v1beta1",
        kinds: &["PodSecurityPolicy"],
        deprecated: 10,
        removed: 16,
        replacements: &[("policy/v1beta1", 10)],
        same_schema: true,
    },
    Removal {
        api_version: "extensions/v1beta1",
        kinds: &["Ingress"],
        deprecated: 14,
        removed: 22,
        replacements: &[("networking.k8s.io/v1", 19)],
        same_schema: false,
    },
    Removal {
        api_version: "apps/v1beta1",
        kinds: &[
            "Deployment",
            "StatefulSet",
            "ReplicaSet",
            "ControllerRevision",
        ],
        deprecated: 9,
        removed: 16,
        replacements: APPS_V1,
        same_schema: false,
    },
    Removal {
        api_version: "apps/v1beta2",
        kinds: &[
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "ControllerRevision",
        ],
        deprecated: 9,
        removed: 16,
        replacements: APPS_V1,
        same_schema: false,
    },
    Removal {
        api_version: "apiextensions.k8s.io/v1beta1",
        kinds: &["CustomResourceDefinition"],
        deprecated: 16,
        removed: 22,
        replacements: &[("apiextensions.k8s.io/v1", 16)],
        same_schema: false,
    },
    Removal {
        api_version: "admissionregistration.k8s.io/v1beta1",
        kinds: &[
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
        ],
        deprecated: 16,
        removed: 22,
        replacements: &[("admissionregistration.k8s.io/v1", 16)],
        same_schema: false,
    },
    Removal {
        api_version: "apiregistration.k8s.io/v1beta1",
        kinds: &["APIService"],
        deprecated: 19,
        removed: 22,
        replacements: &[("apiregistration.k8s.io/v1", 10)],
        same_schema: true,
    },
    Removal {
        api_version: "authentication.k8s.io/v1beta1",
        kinds: &["TokenReview"],
        deprecated: 19,
        removed: 22,
        replacements: &[("authentication.k8s.io/v1", 6)],
        same_schema: true,
    },
    Removal {
        api_version: "authorization.k8s.io/v1beta1",
        kinds: &[
            "SubjectAccessReview",
            "LocalSubjectAccessReview",
            "SelfSubjectAccessReview",
        ],
        deprecated: 19,
        removed: 22,
        // `spec.group` became `spec.groups`.
        replacements: &[("authorization.k8s.io/v1", 6)],
        same_schema: false,
    },
    Removal {
        api_version: "certificates.k8s.io/v1beta1",
        kinds: &["CertificateSigningRequest"],
        deprecated: 19,
        removed: 22,
        replacements: &[("certificates.k8s.io/v1", 19)],
        same_schema: false,
    },
    Removal {
        api_version: "coordination.k8s.io/v1beta1",
        kinds: &["Lease"],
        deprecated: 19,
        removed: 22,
        replacements: &[("coordination.k8s.io/v1", 14)],
        same_schema: true,
    },
    Removal {
        api_version: "networking.k8s.io/v1beta1",
        kinds: &["Ingress"],
        deprecated: 19,
        removed: 22,
        replacements: &[("networking.k8s.io/v1", 19)],
        same_schema: false,
    },
    Removal {
        api_version: "networking.k8s.io/v1beta1",
        kinds: &["IngressClass"],
        deprecated: 19,
        removed: 22,
        replacements: &[("networking.k8s.io/v1", 19)],
        same_schema: true,
    },
    Removal {
        api_version: "rbac.authorization.k8s.io/v1beta1",
        kinds: &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
        deprecated: 17,
        removed: 22,
        replacements: &[("rbac.authorization.k8s.io/v1", 8)],
        same_schema: true,
    },
    Removal {
        api_version: "scheduling.k8s.io/v1beta1",
        kinds: &["PriorityClass"],
        deprecated: 17,
        removed: 22,
        replacements: &[("scheduling.k8s.io/v1", 14)],
        same_schema: true,
    },
    Removal {
        api_version: "storage.k8s.io/v1beta1",
        kinds: &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        deprecated: 19,
        removed: 22,
        replacements: &[("storage.k8s.io/v1", 18)],
        same_schema: true,
    },
    Removal {
        api_version: "batch/v1beta1",
        kinds: &["CronJob"],
        deprecated: 21,
        removed: 25,
        replacements: &[("batch/v1", 21)],
        same_schema: true,
    },
    Removal {
        api_version: "discovery.k8s.io/v1beta1",
        kinds: &["EndpointSlice"],
        deprecated: 21,
        removed: 25,
        // `topology` became `deprecatedTopology`, `nodeName` and `zone`.
        replacements: &[("discovery.k8s.io/v1", 21)],
        same_schema: false,
    },
    Removal {
        api_version: "events.k8s.io/v1beta1",
        kinds: &["Event"],
        deprecated: 19,
        removed: 25,
        replacements: &[("events.k8s.io/v1", 19)],
        same_schema: false,
    },
    Removal {
        api_version: "autoscaling/v2beta1",
        kinds: &["HorizontalPodAutoscaler"],
        deprecated: 22,
        removed: 25,
        // `targetAverageUtilization` became `target.averageUtilization`.
        replacements: &[("autoscaling/v2", 23)],
        same_schema: false,
    },
    Removal {
        api_version: "policy/v1beta1",
        kinds: &["PodDisruptionBudget"],
        deprecated: 21,
        removed: 25,
        // An empty selector selects every pod in policy/v1 and none in v1beta1.
        replacements: &[("policy/v1", 21)],
        same_schema: true,
    },
    Removal {
        api_version: "policy/v1beta1",
        kinds: &["PodSecurityPolicy"],
        deprecated: 21,
        removed: 25,
        replacements: &[],
        same_schema: false,
    },
    Removal {
        api_version: "node.k8s.io/v1beta1",
        kinds: &["RuntimeClass"],
        deprecated: 20,
        removed: 25,
        replacements: &[("node.k8s.io/v1", 20)],
        same_schema: true,
    },
    Removal {
        api_version: "autoscaling/v2beta2",
        kinds: &["HorizontalPodAutoscaler"],
        deprecated: 23,
        removed: 26,
        replacements: &[("autoscaling/v2", 23)],
        same_schema: true,
    },
    Removal {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta1",
        kinds: FLOWCONTROL,
        deprecated: 23,
        removed: 26,
        // `assuredConcurrencyShares` became `nominalConcurrencyShares` in v1beta3.
        replacements: &[
            ("flowcontrol.apiserver.k8s.io/v1", 29),
            ("flowcontrol.apiserver.k8s.io/v1beta3", 26),
            ("flowcontrol.apiserver.k8s.io/v1beta2", 23),
        ],
        same_schema: false,
    },
    Removal {
        api_version: "storage.k8s.io/v1beta1",
        kinds: &["CSIStorageCapacity"],
        deprecated: 24,
        removed: 27,
        replacements: &[("storage.k8s.io/v1", 24)],
        same_schema: true,
    },
    Removal {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta2",
        kinds: FLOWCONTROL,
        deprecated: 26,
        removed: 29,
        replacements: &[
            ("flowcontrol.apiserver.k8s.io/v1", 29),
            ("flowcontrol.apiserver.k8s.io/v1beta3", 26),
        ],
        same_schema: false,
    },
    Removal {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta3",
        kinds: FLOWCONTROL,
        deprecated: 29,
        removed: 32,
        // v1 keeps the fields; only a `nominalConcurrencyShares: 0` means something else.
        replacements: &[("flowcontrol.apiserver.k8s.io/v1", 29)],
        same_schema: true,
    },
];

/// The minor version of `1.30`, `v1.30` or `1.30.2`; the default when unset or unreadable.
pub fn target_minor(version: Option<&str>) -> u32 {
    let parse = |v: &str| {
        let v = v.trim();
        let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
        let mut parts = v.split('.');
        match (parts.next(), parts.next()) {
            (Some("1"), Some(minor)) => minor.parse::<u32>().ok(),
            _ => None,
        }
    };
    version.and_then(parse).unwrap_or(DEFAULT_TARGET_MINOR)
}

fn removal_of(api_version: &str, kind: &str) -> Option<&'static Removal> {
    REMOVALS
        .iter()
        .find(|r| r.api_version == api_version && r.kinds.contains(&kind))
}

/// What to use instead of `row` for `kind` at `target`: the best replacement the target
/// serves (else the best one), following replacements that the target has removed in turn.
/// `None` when nothing replaces it; the flag says whether that took more than one step.
fn replacement(row: &Removal, kind: &str, target: u32) -> Option<(&'static str, u32, bool)> {
    let mut row = row;
    let mut chained = false;
    for _ in 0..REMOVALS.len() {
        let (api, since) = row
            .replacements
            .iter()
            .find(|(_, since)| *since <= target)
            .or(row.replacements.first())
            .copied()?;
        match removal_of(api, kind) {
            Some(next) if next.removed <= target => {
                row = next;
                chained = true;
            }
            _ => return Some((api, since, chained)),
        }
    }
    None
}

/// `use apps/v1`, with when it is served if the target does not serve it yet.
fn advice(row: &Removal, object: &Object<'_>, target: u32) -> String {
    match replacement(row, object.kind, target) {
        Some((api, since, _)) if since > target => {
            format!("use `{api}` (served from Kubernetes 1.{since})")
        }
        Some((api, _, _)) => format!("use `{api}`"),
        None if object.kind == "PodSecurityPolicy" => {
            "nothing replaces it; use Pod Security Admission \
             (`pod-security.kubernetes.io/enforce` labels on the namespace)"
                .to_string()
        }
        None => "nothing replaces it".to_string(),
    }
}

/// K8S026 removed-api-version: an apiVersion the target release no longer serves.
fn removed_api_version(cx: &Ctx<'_>, target: u32, out: &mut Findings) {
    for object in &cx.model.objects {
        let Some(row) = removal_of(object.api_version, object.kind) else {
            continue;
        };
        if target < row.removed {
            continue;
        }
        let advice = advice(row, object, target);
        let node = object.api_version_node;
        let d = out.report(Code::K8S026, node.span.clone()).message(format!(
            "`{}` {} was removed in Kubernetes 1.{} (target 1.{target}): {advice}",
            object.api_version,
            object.display_name(),
            row.removed,
        ));
        match replacement(row, object.kind, target) {
            Some((api, since, false)) if row.same_schema && since <= target => {
                d.help(format!(
                    "change `apiVersion` to `{api}`: the fields are the same; check defaults \
                     and validation in the Kubernetes deprecated API migration guide"
                ))
                .fix_unsafe(
                    format!("change apiVersion to {api}"),
                    vec![Edit::replace(node.content_span(&cx.source.text), api)],
                );
            }
            Some((api, _, _)) => {
                d.help(format!(
                    "change `apiVersion` to `{api}` and update the fields that changed (see the \
                     Kubernetes deprecated API migration guide)"
                ));
            }
            None => {
                d.help("remove the object or replace it as the message says");
            }
        }
    }
}

/// K8S039 deprecated-api-version: an apiVersion the target still serves but will remove.
fn deprecated_api_version(cx: &Ctx<'_>, target: u32, out: &mut Findings) {
    for object in &cx.model.objects {
        let Some(row) = removal_of(object.api_version, object.kind) else {
            continue;
        };
        if target < row.deprecated || target >= row.removed {
            continue;
        }
        let advice = advice(row, object, target);
        out.report(Code::K8S039, object.api_version_node.span.clone())
            .message(format!(
                "`{}` {} is deprecated and removed in Kubernetes 1.{}: {advice}",
                object.api_version,
                object.display_name(),
                row.removed,
            ))
            .help("move to the replacement before upgrading the cluster");
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::lang::Options;
    use crate::registry::Code::*;
    use std::collections::HashSet;

    fn target(v: &str) -> Options {
        Options {
            kubernetes_target_version: Some(v.to_string()),
            ..Options::default()
        }
    }

    #[test]
    fn table_is_consistent() {
        let mut seen = HashSet::new();
        for row in REMOVALS {
            assert!(row.deprecated <= row.removed, "{row:?}");
            assert!(!row.kinds.is_empty(), "{row:?}");
            assert!(!row.same_schema || !row.replacements.is_empty(), "{row:?}");
            for kind in row.kinds {
                assert!(
                    seen.insert((row.api_version, *kind)),
                    "{} {kind} listed twice",
                    row.api_version
                );
            }
            for (api, _) in row.replacements {
                assert_ne!(*api, row.api_version, "{row:?}");
                // A replacement is never removed before the API it replaces.
                for kind in row.kinds {
                    if let Some(next) = removal_of(api, kind) {
                        assert!(next.removed > row.removed, "{row:?} → {api}");
                    }
                }
            }
            // Something replaces it before it goes (unless nothing ever does).
            assert!(
                row.replacements.is_empty()
                    || row.replacements.iter().any(|(_, s)| *s < row.removed),
                "{row:?}"
            );
            let versions = |r: &Removal| r.api_version.rsplit('/').next().unwrap_or("");
            assert!(versions(row).contains("beta"), "{row:?}");
        }
        assert!(REMOVALS.len() >= 25);
    }

    #[test]
    fn target_versions() {
        assert_eq!(target_minor(None), 30);
        assert_eq!(target_minor(Some("1.24")), 24);
        assert_eq!(target_minor(Some("v1.29.3")), 29);
        assert_eq!(target_minor(Some("latest")), 30);
        assert_eq!(target_minor(Some("2.1")), 30);
    }

    const OLD: &str = "\
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: web}
---
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: nightly}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: web}
---
apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
kind: FlowSchema
metadata: {name: f}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ok}
---
apiVersion: extensions/v1beta1
kind: SomethingElse
---
apiVersion: example.com/v1beta1
kind: CronJob
";

    #[test]
    fn removed_api_version() {
        assert_findings(K8S026, OLD, &[(1, 13), (5, 13), (9, 13)]);
        let msg = first_message(K8S026, OLD).unwrap();
        assert_eq!(
            msg,
            "`extensions/v1beta1` Deployment web was removed in Kubernetes 1.16 (target 1.30): use `apps/v1`"
        );
        // Older targets still serve them.
        assert_findings_with(K8S026, target("1.24"), OLD, &[(1, 13)]);
        assert_findings_with(K8S026, target("1.15"), OLD, &[]);
        assert_findings_with(
            K8S026,
            target("1.32"),
            OLD,
            &[(1, 13), (5, 13), (9, 13), (13, 13)],
        );
        // In a List too.
        assert_findings(
            K8S026,
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1beta1\n  kind: Role\n",
            &[(4, 15)],
        );
    }

    #[test]
    fn removed_api_version_replacements() {
        let psp = "apiVersion: extensions/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n";
        let msg = first_message(K8S026, psp).unwrap();
        assert!(msg.contains("Pod Security Admission"), "{msg}");
        let flow = "apiVersion: flowcontrol.apiserver.k8s.io/v1beta1\nkind: FlowSchema\n";
        let msg = first_message(K8S026, flow).unwrap();
        assert!(
            msg.ends_with("use `flowcontrol.apiserver.k8s.io/v1`"),
            "{msg}"
        );
        // At 1.27 v1 is not served yet: v1beta3 is the way.
        let (_, diags) = lint_with(target("1.27"), flow);
        let d = diags.iter().find(|d| d.code == K8S026).unwrap();
        assert!(
            d.message
                .ends_with("use `flowcontrol.apiserver.k8s.io/v1beta3`"),
            "{}",
            d.message
        );
    }

    #[test]
    fn removed_api_version_fix() {
        assert_fixed(
            K8S026,
            "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: ClusterRole\n",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n",
        );
        assert_fixed(
            K8S026,
            "apiVersion: \"policy/v1beta1\"\nkind: PodDisruptionBudget\n",
            "apiVersion: \"policy/v1\"\nkind: PodDisruptionBudget\n",
        );
        assert_fixed(
            K8S026,
            "kind: CronJob\napiVersion: 'batch/v1beta1'\n",
            "kind: CronJob\napiVersion: 'batch/v1'\n",
        );
        // No fix where the fields changed, or nothing replaces it.
        for text in [
            "apiVersion: extensions/v1beta1\nkind: Deployment\n",
            "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\n",
            "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\n",
            "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n",
            "apiVersion: extensions/v1beta1\nkind: PodSecurityPolicy\n",
        ] {
            let (_, diags) = lint_with(Options::default(), text);
            let d = diags.iter().find(|d| d.code == K8S026).unwrap();
            assert!(d.fix.is_none(), "{text}");
        }
    }

    #[test]
    fn deprecated_api_version() {
        assert_findings(K8S039, OLD, &[(13, 13)]);
        let msg = first_message(K8S039, OLD).unwrap();
        assert!(msg.contains("removed in Kubernetes 1.32"), "{msg}");
        assert_findings_with(K8S039, target("1.24"), OLD, &[(5, 13), (9, 13)]);
        assert_findings_with(K8S039, target("1.20"), OLD, &[]);
        assert_findings_with(K8S039, target("1.32"), OLD, &[]);
    }
}
