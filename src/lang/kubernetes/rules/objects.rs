//! Object rules: duplicates inside a pod spec, scheduling spread, selectors, namespaces,
//! service-account tokens and ingress-nginx snippet annotations.

use super::super::model::{ContainerKind, Object, PodSpec};
use super::super::yaml::Node;
use super::super::Ctx;
use crate::diagnostic::Findings;
use crate::registry::Code;
use std::collections::HashMap;

pub fn check(cx: &Ctx<'_>, out: &mut Findings) {
    duplicate_env_var(cx, out);
    duplicate_name(cx, out);
    no_anti_affinity(cx, out);
    selector_mismatch(cx, out);
    automount_service_account_token(cx, out);
    default_namespace(cx, out);
    ingress_snippet_annotation(cx, out);
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// The objects that have a pod spec, with it.
fn pods<'c, 'a>(cx: &'c Ctx<'a>) -> impl Iterator<Item = (&'c Object<'a>, &'c PodSpec<'a>)> {
    cx.model
        .objects
        .iter()
        .filter_map(|o| o.pod.as_ref().map(|p| (o, p)))
}

/// The later nodes of `nodes` whose string value was already seen, each with the first one.
fn duplicates<'n>(nodes: impl Iterator<Item = &'n Node>) -> Vec<(&'n Node, &'n Node)> {
    let mut seen: HashMap<&str, &Node> = HashMap::new();
    let mut found = Vec::new();
    for node in nodes {
        let Some(value) = node.as_str() else {
            continue;
        };
        match seen.get(value) {
            Some(first) => found.push((node, *first)),
            None => {
                seen.insert(value, node);
            }
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Rules

/// K8S023 duplicate-env-var: the same env var name twice in a container.
fn duplicate_env_var(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        for c in pod.app_containers() {
            for (later, first) in duplicates(c.env.iter().filter_map(|e| e.name)) {
                let name = later.as_str().unwrap_or_default();
                out.report(Code::K8S023, later.span.clone())
                    .message(format!(
                        "env var `{name}` is set twice in {} of {}",
                        c.display_name(),
                        object.display_name()
                    ))
                    .help("remove one of the two entries: only the last one takes effect")
                    .label(first.span.clone(), "first set here");
            }
        }
    }
}

/// K8S024 duplicate-name: two containers (incl. init) with one name; two ports with one name
/// in a container.
fn duplicate_name(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        let regular = pod
            .containers
            .iter()
            .filter(|c| c.kind != ContainerKind::Ephemeral);
        // `initContainers` may be written before `containers`: "later" is in the file.
        let mut names: Vec<&Node> = regular.clone().filter_map(|c| c.name).collect();
        names.sort_by_key(|n| n.span.start);
        for (later, first) in duplicates(names.into_iter()) {
            let name = later.as_str().unwrap_or_default();
            out.report(Code::K8S024, later.span.clone())
                .message(format!(
                    "two containers of {} are named `{name}`",
                    object.display_name()
                ))
                .help("give each container and init container of a pod its own name")
                .label(first.span.clone(), "first used here");
        }
        for c in regular {
            for (later, first) in duplicates(c.ports.iter().filter_map(|p| p.name)) {
                let name = later.as_str().unwrap_or_default();
                out.report(Code::K8S024, later.span.clone())
                    .message(format!(
                        "two ports of {} in {} are named `{name}`",
                        c.display_name(),
                        object.display_name()
                    ))
                    .help("give each port of a container its own name")
                    .label(first.span.clone(), "first used here");
            }
        }
    }
}

/// K8S025 no-anti-affinity: a Deployment/StatefulSet with more than one replica and nothing
/// that spreads them over nodes.
fn no_anti_affinity(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        if cx.partial(object) {
            continue;
        }
        if !matches!(object.kind, "Deployment" | "StatefulSet") {
            continue;
        }
        let Some(replicas) = object.node.path(&["spec", "replicas"]) else {
            continue;
        };
        let Some(count) = replicas.as_i64().filter(|n| *n > 1) else {
            continue;
        };
        let present = |n: Option<&Node>| n.is_some_and(|n| !n.is_null());
        let spread = present(pod.node.path(&["affinity", "podAntiAffinity"]))
            || present(pod.get("topologySpreadConstraints"));
        if spread {
            continue;
        }
        out.report(Code::K8S025, object.anchor())
            .message(format!(
                "{} runs {count} replicas with no pod anti-affinity or topology spread: \
                 they may all land on one node",
                object.display_name()
            ))
            .help(
                "add `topologySpreadConstraints` (e.g. over `kubernetes.io/hostname`) or a \
                 `podAntiAffinity` to the pod template",
            )
            .label(replicas.span.clone(), "replicas set here");
    }
}

/// K8S027 selector-mismatch: a workload whose selector does not select its own pod template.
fn selector_mismatch(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        if !super::super::model::WORKLOAD_KINDS.contains(&object.kind) {
            continue;
        }
        let Some(selector) = object
            .node
            .path(&["spec", "selector"])
            .filter(|s| s.is_mapping())
        else {
            continue;
        };
        // A template without labels is filled in by a tool (kustomize `labels` with
        // `includeTemplates`); only labels that are written can disagree.
        let Some(labels) = pod.template_labels().filter(|l| l.is_mapping()) else {
            continue;
        };
        let label = |key: &str| labels.get(key).and_then(Node::as_str);
        let who = object.display_name();
        let help = "make the selector match the labels of `spec.template.metadata.labels`";
        let match_labels = selector.get("matchLabels");
        let match_expressions = selector.get("matchExpressions");
        // ReplicationController and DeploymentConfig write the labels directly.
        let plain = match_labels.is_none()
            && match_expressions.is_none()
            && matches!(object.kind, "ReplicationController" | "DeploymentConfig");
        let pairs = if plain { Some(selector) } else { match_labels };
        for entry in pairs.map(Node::entries).unwrap_or(&[]) {
            let (Some(key), Some(want)) = (entry.key.as_str(), entry.value.as_str()) else {
                continue;
            };
            let (span, why) = match label(key) {
                Some(have) if have == want => continue,
                Some(have) => (
                    entry.value.span.clone(),
                    format!("the pod template has `{key}: {have}`"),
                ),
                None => (
                    entry.key.span.clone(),
                    format!("the pod template has no label `{key}`"),
                ),
            };
            out.report(Code::K8S027, span)
                .message(format!(
                    "the selector `{key}: {want}` of {who} does not select its own pods: {why}"
                ))
                .help(help);
        }
        for expr in match_expressions.map(Node::items).unwrap_or(&[]) {
            let Some(key_node) = expr.get("key") else {
                continue;
            };
            let (Some(key), Some(op)) = (
                key_node.as_str(),
                expr.get("operator").and_then(Node::as_str),
            ) else {
                continue;
            };
            let values: Vec<&str> = expr
                .get("values")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(Node::as_str)
                .collect();
            let have = label(key);
            let selects = match op {
                "In" => have.is_some_and(|v| values.contains(&v)),
                "NotIn" => !have.is_some_and(|v| values.contains(&v)),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                _ => continue,
            };
            if selects {
                continue;
            }
            let why = match have {
                Some(v) => format!("the pod template has `{key}: {v}`"),
                None => format!("the pod template has no label `{key}`"),
            };
            out.report(Code::K8S027, key_node.span.clone())
                .message(format!(
                    "the selector expression `{key} {op}` of {who} does not select its own pods: {why}"
                ))
                .help(help);
        }
    }
}

/// K8S034 automount-service-account-token: a pod of the default service account that still
/// mounts an API token.
fn automount_service_account_token(cx: &Ctx<'_>, out: &mut Findings) {
    // A `default` ServiceAccount of the same file that turns automounting off covers its pods.
    let default_account_off = |namespace: Option<&str>| {
        cx.model.objects.iter().any(|o| {
            o.kind == "ServiceAccount"
                && o.name_str() == Some("default")
                && o.namespace_str() == namespace
                && o.node
                    .get("automountServiceAccountToken")
                    .and_then(Node::as_bool)
                    == Some(false)
        })
    };
    for (object, pod) in pods(cx) {
        let account = pod
            .get("serviceAccountName")
            .or_else(|| pod.get("serviceAccount"))
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty());
        if account.is_some_and(|a| a != "default") {
            continue; // a dedicated account is there to use the API
        }
        let setting = pod.get("automountServiceAccountToken");
        let value = setting.and_then(Node::as_bool);
        if value == Some(false) {
            continue;
        }
        if value.is_none() && default_account_off(object.namespace_str()) {
            continue;
        }
        let span = match setting {
            Some(s) if value == Some(true) => s.span.clone(),
            _ => object.anchor(),
        };
        out.report(Code::K8S034, span)
            .message(format!(
                "{} runs as the default service account but still mounts its API token",
                object.display_name()
            ))
            .help(
                "set `automountServiceAccountToken: false` in the pod spec; a pod that needs \
                 the API should run as its own service account",
            );
    }
}

/// Kinds that live outside namespaces.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CertificateSigningRequest",
    "ClusterIssuer",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "DeviceClass",
    "FlowSchema",
    "GatewayClass",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "ResourceSlice",
    "RuntimeClass",
    "SecurityContextConstraints",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "VolumeSnapshotClass",
    "VolumeSnapshotContent",
];

/// K8S035 default-namespace: no `metadata.namespace`, or `default`.
fn default_namespace(cx: &Ctx<'_>, out: &mut Findings) {
    if cx.model.objects.is_empty() || cx.kustomized.sets_namespace {
        return;
    }
    for object in &cx.model.objects {
        // `Cluster*` kinds (ClusterIssuer, ClusterPolicy, ClusterSecretStore…) are
        // cluster-scoped by convention; OLM's ClusterServiceVersion is the exception.
        let cluster_named =
            object.kind.starts_with("Cluster") && object.kind != "ClusterServiceVersion";
        if CLUSTER_SCOPED.contains(&object.kind) || cluster_named {
            continue;
        }
        let (span, message) = match object.namespace {
            Some(ns) if ns.as_str() == Some("default") => (
                ns.span.clone(),
                format!("{} is in the `default` namespace", object.display_name()),
            ),
            Some(ns) if !ns.is_null() => continue,
            _ => (
                object.anchor(),
                format!(
                    "{} has no namespace: it lands in whatever namespace kubectl uses",
                    object.display_name()
                ),
            ),
        };
        out.report(Code::K8S035, span)
            .message(message)
            .help("set `metadata.namespace` to the application's own namespace");
    }
}

/// The ingress-nginx annotations that inject raw nginx configuration.
const SNIPPET_ANNOTATIONS: &[&str] = &[
    "nginx.ingress.kubernetes.io/server-snippet",
    "nginx.ingress.kubernetes.io/configuration-snippet",
    "nginx.ingress.kubernetes.io/auth-snippet",
];

/// K8S036 ingress-snippet-annotation: an ingress-nginx snippet annotation on an Ingress.
fn ingress_snippet_annotation(cx: &Ctx<'_>, out: &mut Findings) {
    for object in &cx.model.objects {
        if object.kind != "Ingress" {
            continue;
        }
        let Some(annotations) = object.annotations else {
            continue;
        };
        for entry in annotations.entries() {
            let Some(key) = entry.key.as_str() else {
                continue;
            };
            if !SNIPPET_ANNOTATIONS.contains(&key) {
                continue;
            }
            if !entry.value.as_str().is_some_and(|v| !v.trim().is_empty()) {
                continue;
            }
            out.report(Code::K8S036, entry.key.span.clone())
                .message(format!(
                    "{} injects raw nginx configuration with `{key}`",
                    object.display_name()
                ))
                .help(
                    "use the controller's dedicated annotations instead; snippets let whoever \
                     writes an Ingress run arbitrary nginx directives (CVE-2021-25742) and are \
                     disabled by default since ingress-nginx 1.9",
                );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::registry::Code::*;

    #[test]
    fn duplicate_env_var() {
        let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: web
    image: nginx:1.27
    env:
    - {name: MODE, value: a}
    - {name: OTHER, value: b}
    - {name: MODE, value: c}
";
        assert_findings(K8S023, pod, &[(11, 14)]);
        let msg = first_message(K8S023, pod).unwrap();
        assert!(
            msg.contains("`MODE`") && msg.contains("container web of Pod web"),
            "{msg}"
        );
        // Case matters; the same name in two containers is fine.
        assert_findings(
            K8S023,
            "\
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
      - name: a
        image: x:1
        env: [{name: MODE, value: a}, {name: mode, value: b}]
      - name: b
        image: x:1
        env: [{name: MODE, value: a}]
",
            &[],
        );
        // valueFrom entries count too, three times gives two findings.
        assert_findings(
            K8S023,
            "\
apiVersion: batch/v1
kind: CronJob
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: job
            image: x:1
            env:
            - name: TOKEN
              valueFrom: {secretKeyRef: {name: s, key: k}}
            - name: TOKEN
              value: x
            - name: TOKEN
              value: y
",
            &[(14, 21), (16, 21)],
        );
        // Ephemeral containers are not checked; nor are non-manifests.
        assert_findings(
            K8S023,
            "\
apiVersion: v1
kind: Pod
spec:
  containers: [{name: a, image: x:1}]
  ephemeralContainers:
  - name: debug
    image: busybox:1
    env: [{name: A, value: x}, {name: A, value: y}]
---
apiVersion: v1
kind: Pod
spec:
  containers:
  - name: a
    image: x:1
    env: [{name: ~, value: x}, {name: ~, value: y}, {value: z}, {value: z}]
---
containers:
- env: [{name: A, value: x}, {name: A, value: y}]
",
            &[],
        );
    }

    #[test]
    fn duplicate_name() {
        let text = "\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      initContainers:
      - name: db
        image: busybox:1
      containers:
      - name: db
        image: postgres:16
        ports:
        - {name: pg, containerPort: 5432}
        - {name: metrics, containerPort: 9187}
        - {name: pg, containerPort: 5433}
";
        assert_findings(K8S024, text, &[(11, 15), (16, 18)]);
        // Unique names; the same port name in two containers; ephemeral containers; unnamed ports.
        assert_findings(
            K8S024,
            "\
apiVersion: v1
kind: Pod
spec:
  containers:
  - name: a
    image: x:1
    ports: [{name: http, containerPort: 80}, {containerPort: 81}, {containerPort: 82}]
  - name: b
    image: x:1
    ports: [{name: http, containerPort: 8080}]
  ephemeralContainers:
  - {name: a, image: busybox:1}
",
            &[],
        );
        // Each document is its own pod.
        assert_findings(
            K8S024,
            "\
apiVersion: v1
kind: Pod
spec:
  containers: [{name: a, image: x:1}]
---
apiVersion: v1
kind: Pod
spec:
  containers: [{name: a, image: x:1}]
",
            &[],
        );
    }

    #[test]
    fn no_anti_affinity() {
        let deploy = |replicas: &str, extra: &str| {
            format!(
                "\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: {replicas}
  template:
    spec:
{extra}      containers: [{{name: web, image: nginx:1.27}}]
"
            )
        };
        assert_findings(K8S025, &deploy("3", ""), &[(2, 7)]);
        assert_findings(K8S025, &deploy("1", ""), &[]);
        assert_findings(K8S025, &deploy("\"3\"", ""), &[]); // not a number: K8S002's business
        let spread = "      topologySpreadConstraints:\n      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway}\n";
        assert_findings(K8S025, &deploy("3", spread), &[]);
        let anti = "      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution: []\n";
        assert_findings(K8S025, &deploy("3", anti), &[]);
        // Node affinity alone does not spread replicas.
        let node = "      affinity:\n        nodeAffinity: {}\n";
        assert_findings(K8S025, &deploy("3", node), &[(2, 7)]);
        // Written but empty is no spread either.
        let null =
            "      affinity:\n        podAntiAffinity:\n      topologySpreadConstraints: ~\n";
        assert_findings(K8S025, &deploy("3", null), &[(2, 7)]);
        // replicas unset (an HPA scales it) means one; other kinds are not checked.
        assert_findings(
            K8S025,
            "\
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
spec:
  replicas: 5
  template:
    spec:
      containers: [{name: web, image: nginx:1.27}]
",
            &[],
        );
    }

    #[test]
    fn selector_mismatch() {
        let text = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector:
    matchLabels:
      app: web
      tier: front
    matchExpressions:
    - {key: track, operator: In, values: [stable]}
    - {key: canary, operator: DoesNotExist}
  template:
    metadata:
      labels: {app: api, track: stable}
    spec:
      containers: [{name: web, image: nginx:1.27}]
";
        assert_findings(K8S027, text, &[(7, 12), (8, 7)]);
        assert!(first_message(K8S027, text)
            .unwrap()
            .contains("the pod template has `app: api`"));
        let exprs = "\
apiVersion: apps/v1
kind: DaemonSet
spec:
  selector:
    matchExpressions:
    - {key: app, operator: NotIn, values: [web]}
    - {key: env, operator: Exists}
    - {key: tier, operator: In, values: [a, b]}
  template:
    metadata:
      labels: {app: web, tier: c}
    spec:
      containers: [{name: web, image: nginx:1.27}]
";
        assert_findings(K8S027, exprs, &[(6, 13), (7, 13), (8, 13)]);
        // Matching selectors, numbers written bare on one side and quoted on the other,
        // ReplicationController's plain map, Jobs without a selector, CronJobs.
        assert_findings(
            K8S027,
            "\
apiVersion: apps/v1
kind: Deployment
spec:
  selector:
    matchLabels: {app: web, version: \"2\"}
    matchExpressions:
    - {key: canary, operator: DoesNotExist}
    - {key: app, operator: In, values: [web, api]}
    - {key: version, operator: Exists}
  template:
    metadata:
      labels: {app: web, version: 2, extra: x}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: v1
kind: ReplicationController
spec:
  selector: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: batch/v1
kind: Job
spec:
  template:
    spec:
      containers: [{name: job, image: x:1}]
---
apiVersion: apps/v1
kind: Deployment
spec:
  selector: {app: other}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: v1
kind: Service
spec:
  selector: {app: other}
",
            &[],
        );
        // ReplicationController mismatch; a template without labels is left to the tool
        // that adds them.
        assert_findings(
            K8S027,
            "\
apiVersion: v1
kind: ReplicationController
spec:
  selector: {app: web}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
spec:
  selector:
    matchLabels: {app: web}
  template:
    spec:
      containers: [{name: web, image: nginx:1.27}]
",
            &[(4, 19)],
        );
    }

    #[test]
    fn automount_service_account_token() {
        let pod = |spec: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{spec}  containers: [{{name: a, image: x:1}}]\n"
            )
        };
        assert_findings(K8S034, &pod(""), &[(2, 7)]);
        assert_findings(
            K8S034,
            &pod("  automountServiceAccountToken: true\n"),
            &[(5, 33)],
        );
        assert_findings(K8S034, &pod("  serviceAccountName: default\n"), &[(2, 7)]);
        assert_findings(K8S034, &pod("  automountServiceAccountToken: false\n"), &[]);
        // A dedicated service account is there to use the API.
        assert_findings(K8S034, &pod("  serviceAccountName: operator\n"), &[]);
        assert_findings(K8S034, &pod("  serviceAccount: operator\n"), &[]);
        // The default ServiceAccount of the same namespace turns it off.
        let with_sa = format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: default}}\nautomountServiceAccountToken: false\n---\n{}",
            pod("")
        );
        assert_findings(K8S034, &with_sa, &[]);
        // Objects without a pod are not checked.
        assert_findings(
            K8S034,
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
            &[],
        );
    }

    #[test]
    fn default_namespace() {
        assert_findings(
            K8S035,
            "\
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: default}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: letsencrypt}
---
apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata: {name: op}
",
            &[(2, 7), (7, 32), (26, 7)],
        );
    }

    #[test]
    fn default_namespace_kustomization_sets_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("kustomization.yaml"),
            "namespace: shop\nresources: [cm.yaml]\n",
        )
        .unwrap();
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
        let source = crate::source::SourceFile::new("cm.yaml", text);
        let ctx = crate::lang::LintContext {
            disk_path: Some(dir.path().join("cm.yaml")),
            options: Default::default(),
            ..Default::default()
        };
        let out = super::super::super::lint(&source, &ctx);
        assert!(out.diagnostics.iter().all(|d| d.code != K8S035));
    }

    #[test]
    fn ingress_snippet_annotation() {
        let text = "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
    nginx.ingress.kubernetes.io/server-snippet: |
      location /x { return 200; }
    nginx.ingress.kubernetes.io/configuration-snippet: \"more_set_headers 'X: y';\"
    nginx.ingress.kubernetes.io/auth-snippet: \"\"
";
        assert_findings(K8S036, text, &[(7, 5), (9, 5)]);
        // Other controllers' annotations; the same key on a non-Ingress object.
        assert_findings(
            K8S036,
            "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  annotations:
    nginx.org/server-snippets: \"x\"
---
apiVersion: v1
kind: ConfigMap
metadata:
  annotations:
    nginx.ingress.kubernetes.io/server-snippet: \"x\"
",
            &[],
        );
    }

    /// A patch that sets `replicas` leaves the affinity to the base.
    #[test]
    fn no_anti_affinity_not_on_a_patch() {
        const PATCH: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: web\n        env:\n        - {name: A, value: b}\n";

        assert_findings(K8S025, PATCH, &[]);
    }
}
