//! RBAC rules: bindings to `cluster-admin`, wildcards in roles, and grants that amount to
//! reading secrets, running code in pods or escalating privileges.

use super::super::model::Object;
use super::super::yaml::Node;
use super::super::Ctx;
use crate::diagnostic::Findings;
use crate::registry::Code;

pub fn check(cx: &Ctx<'_>, out: &mut Findings) {
    cluster_admin_binding(cx, out);
    wildcard_rbac(cx, out);
    rbac_sensitive_access(cx, out);
}

/// The `rules` of a Role or ClusterRole; none for an aggregated ClusterRole, whose rules the
/// controller manager fills in from other roles.
fn role_rules<'a>(object: &Object<'a>) -> &'a [Node] {
    if !matches!(object.kind, "Role" | "ClusterRole")
        || object
            .node
            .get("aggregationRule")
            .is_some_and(|a| !a.is_null())
    {
        return &[];
    }
    object.node.get("rules").map(Node::items).unwrap_or(&[])
}

/// The string items of a rule's list field.
fn list<'a>(rule: &'a Node, key: &str) -> impl Iterator<Item = (&'a str, &'a Node)> {
    rule.get(key)
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|n| n.as_str().map(|s| (s, n)))
}

/// K8S037 cluster-admin-binding: a (Cluster)RoleBinding to the `cluster-admin` ClusterRole.
fn cluster_admin_binding(cx: &Ctx<'_>, out: &mut Findings) {
    for object in &cx.model.objects {
        if !matches!(object.kind, "ClusterRoleBinding" | "RoleBinding") {
            continue;
        }
        let Some(role_ref) = object.node.get("roleRef") else {
            continue;
        };
        if role_ref.get("kind").and_then(Node::as_str) != Some("ClusterRole") {
            continue;
        }
        let Some(name) = role_ref
            .get("name")
            .filter(|n| n.as_str() == Some("cluster-admin"))
        else {
            continue;
        };
        let scope = if object.kind == "RoleBinding" {
            "every permission in its namespace"
        } else {
            "every permission in the cluster"
        };
        out.report(Code::K8S037, name.span.clone())
            .message(format!(
                "{} binds `cluster-admin`: its subjects get {scope}",
                object.display_name()
            ))
            .help("bind a role that grants only the resources and verbs the subjects need");
    }
}

/// K8S038 wildcard-rbac: `*` in the verbs, resources or apiGroups of a role's rule.
fn wildcard_rbac(cx: &Ctx<'_>, out: &mut Findings) {
    for object in &cx.model.objects {
        for rule in role_rules(object) {
            let mut stars: Vec<(&str, &Node)> = ["apiGroups", "resources", "verbs"]
                .into_iter()
                .flat_map(|field| {
                    list(rule, field)
                        .filter(|(s, _)| *s == "*")
                        .map(move |(_, n)| (field, n))
                })
                .collect();
            stars.sort_by_key(|(_, n)| n.span.start);
            let Some((_, first)) = stars.first() else {
                continue;
            };
            let fields: Vec<String> = stars.iter().map(|(f, _)| format!("`{f}`")).collect();
            let d = out
                .report(Code::K8S038, first.span.clone())
                .message(format!(
                    "{} grants `*` in {}",
                    object.display_name(),
                    fields.join(" and ")
                ))
                .help(
                    "list the API groups, resources and verbs the role needs: a wildcard also \
                     grants whatever is added to the cluster later",
                );
            for (field, node) in stars.iter().skip(1) {
                d.label(node.span.clone(), format!("`*` in {field}"));
            }
        }
    }
}

/// K8S042 rbac-sensitive-access: reading secrets, exec/attach into pods, creating pods, or
/// the `escalate`/`bind`/`impersonate` verbs.
fn rbac_sensitive_access(cx: &Ctx<'_>, out: &mut Findings) {
    for object in &cx.model.objects {
        for rule in role_rules(object) {
            let core = match rule.get("apiGroups") {
                Some(groups) => {
                    list(rule, "apiGroups").any(|(g, _)| g.is_empty() || g == "*")
                        || groups.is_null()
                }
                None => true,
            };
            let verbs: Vec<(&str, &Node)> = list(rule, "verbs").collect();
            let grants = |wanted: &[&str]| {
                verbs
                    .iter()
                    .map(|(v, _)| *v)
                    .filter(|v| *v == "*" || wanted.contains(v))
                    .collect::<Vec<_>>()
            };
            let named = rule
                .get("resourceNames")
                .is_some_and(|n| !n.items().is_empty());
            let who = object.display_name();
            if core {
                for (resource, node) in list(rule, "resources") {
                    let (granted, what, help) = match resource {
                        "secrets" if !named => (
                            grants(&["get", "list", "watch"]),
                            "read Secrets",
                            "grant access to the named secrets only (`resourceNames`), or mount \
                             the secret into the pod that needs it",
                        ),
                        "pods/exec" | "pods/attach" => (
                            grants(&["create", "get"]),
                            "run commands in pods",
                            "leave exec and attach to people's break-glass roles, not to \
                             workloads",
                        ),
                        "pods" => (
                            grants(&["create"]),
                            "create pods",
                            "let a controller (Deployment, Job) create pods instead; a pod \
                             creator can run any image with any service account of the namespace",
                        ),
                        _ => continue,
                    };
                    if granted.is_empty() {
                        continue;
                    }
                    out.report(Code::K8S042, node.span.clone())
                        .message(format!(
                            "{who} can {what} (`{}` on `{resource}`)",
                            granted.join("`, `")
                        ))
                        .help(help);
                }
            }
            for (verb, node) in &verbs {
                if matches!(*verb, "escalate" | "bind" | "impersonate") {
                    out.report(Code::K8S042, node.span.clone())
                        .message(format!(
                            "{who} grants `{verb}`, which lets its subjects gain permissions \
                             they do not have"
                        ))
                        .help("remove the verb unless this role manages RBAC on purpose");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::registry::Code::*;

    #[test]
    fn cluster_admin_binding() {
        let text = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: ci, namespace: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev, namespace: dev}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
";
        assert_findings(K8S037, text, &[(4, 73), (13, 9)]);
        assert!(first_message(K8S037, text)
            .unwrap()
            .starts_with("ClusterRoleBinding ci binds `cluster-admin`"));
        // Other roles; a namespaced Role that happens to be called cluster-admin.
        assert_findings(
            K8S037,
            "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
roleRef: {kind: ClusterRole, name: view}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
roleRef: {kind: Role, name: cluster-admin}
---
apiVersion: v1
kind: ConfigMap
data: {roleRef: cluster-admin}
",
            &[],
        );
    }

    #[test]
    fn wildcard_rbac() {
        let text = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: admin-ish}
rules:
- apiGroups: ['*']
  resources: ['*']
  verbs: ['*']
- apiGroups: ['']
  resources: [configmaps]
  verbs: [get, '*']
";
        assert_findings(K8S038, text, &[(5, 15), (10, 16)]);
        let (_, diags) = lint_with(Default::default(), text);
        let d = diags.iter().find(|d| d.code == K8S038).unwrap();
        assert_eq!(d.labels.len(), 2);
        assert!(d
            .message
            .contains("`apiGroups` and `resources` and `verbs`"));
        // Aggregated roles, explicit lists, `*/scale` subresources, bindings.
        assert_findings(
            K8S038,
            "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate: 'true'}}]
rules:
- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
rules:
- apiGroups: [apps]
  resources: ['*/scale', deployments]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
subjects: [{kind: Group, name: '*'}]
",
            &[],
        );
    }

    #[test]
    fn rbac_sensitive_access() {
        let text = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ops, namespace: shop}
rules:
- apiGroups: ['']
  resources: [secrets, configmaps]
  verbs: [get, list]
- apiGroups: ['']
  resources: [pods, pods/exec, pods/log]
  verbs: [create, get]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [clusterroles]
  verbs: [bind, escalate]
- apiGroups: ['']
  resources: [users]
  verbs: [impersonate]
";
        assert_findings(
            K8S042,
            text,
            &[(6, 15), (9, 15), (9, 21), (13, 11), (13, 17), (16, 11)],
        );
        assert_eq!(
            first_message(K8S042, text).unwrap(),
            "Role ops can read Secrets (`get`, `list` on `secrets`)"
        );
        // Named secrets; writes only; other API groups; logs; aggregated roles.
        assert_findings(
            K8S042,
            "\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
rules:
- apiGroups: ['']
  resources: [secrets]
  resourceNames: [leader-lock]
  verbs: [get, update]
- apiGroups: ['']
  resources: [secrets]
  verbs: [create, delete]
- apiGroups: [example.com]
  resources: [secrets, pods]
  verbs: [get, create]
- apiGroups: ['']
  resources: [pods, pods/log]
  verbs: [get, list, watch, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
aggregationRule: {clusterRoleSelectors: []}
rules:
- {apiGroups: [''], resources: [secrets], verbs: [get]}
",
            &[],
        );
        // A wildcard verb grants reads too.
        assert_findings(
            K8S042,
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules:\n- {apiGroups: [''], resources: [secrets], verbs: ['*']}\n",
            &[(4, 33)],
        );
    }
}
