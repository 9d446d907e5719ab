//! The manifest model over the spanned YAML tree: objects (kind, name, namespace, labels,
//! annotations, the `opslint.io/ignore` annotation), the pod spec found generically, and
//! its containers with the fields rules read. Everything borrows the tree, so every field
//! keeps its node and so its span.
//!
//! A document is a manifest when it is a mapping with string `apiVersion` and `kind`; a
//! `List` (or `*List`) is replaced by its `items`. Anything else (CI workflows, compose
//! files, Helm values) is not a manifest and is ignored.

use super::yaml::{Node, Stream};
use crate::diagnostic::Span;
use crate::registry::Code;

/// Every manifest of a stream, in order.
#[derive(Debug, Default)]
pub struct Model<'a> {
    pub objects: Vec<Object<'a>>,
}

impl<'a> Model<'a> {
    pub fn build(stream: &'a Stream) -> Model<'a> {
        let mut objects = Vec::new();
        for (index, doc) in stream.documents.iter().enumerate() {
            let Some(object) = Object::from_node(&doc.root, index, false) else {
                continue;
            };
            let is_list = object.kind == "List" || object.kind.ends_with("List");
            match object.node.get("items") {
                Some(items) if is_list && items.is_sequence() => {
                    objects.extend(
                        items
                            .items()
                            .iter()
                            .filter_map(|item| Object::from_node(item, index, true)),
                    );
                }
                _ => objects.push(object),
            }
        }
        Model { objects }
    }
}

/// One Kubernetes object.
#[derive(Debug)]
pub struct Object<'a> {
    /// The object's mapping.
    pub node: &'a Node,
    /// Which document of the stream it is in.
    pub document: usize,
    /// Whether it is an item of a `List`.
    pub from_list: bool,
    pub api_version: &'a str,
    pub api_version_node: &'a Node,
    pub kind: &'a str,
    pub kind_node: &'a Node,
    pub metadata: Option<&'a Node>,
    /// `metadata.name` (a scalar, or whatever was written there).
    pub name: Option<&'a Node>,
    pub namespace: Option<&'a Node>,
    /// `metadata.labels` and `metadata.annotations` mappings (see [`Object::label`]).
    pub labels: Option<&'a Node>,
    pub annotations: Option<&'a Node>,
    /// The `opslint.io/ignore` annotation.
    pub ignore: Option<ObjectIgnore>,
    /// The pod spec, for kinds that have one.
    pub pod: Option<PodSpec<'a>>,
}

impl<'a> Object<'a> {
    /// `Deployment web`, or just `Deployment` when it has no name: how messages name it.
    pub fn display_name(&self) -> String {
        match self.name_str() {
            Some(name) if !name.is_empty() => format!("{} {name}", self.kind),
            _ => self.kind.to_string(),
        }
    }

    /// An object when `node` is a mapping with string `apiVersion` and `kind`.
    pub fn from_node(node: &'a Node, document: usize, from_list: bool) -> Option<Object<'a>> {
        let api_version_node = node.get("apiVersion")?;
        let kind_node = node.get("kind")?;
        let api_version = api_version_node.as_str()?;
        let kind = kind_node.as_str()?;
        if api_version.is_empty() || kind.is_empty() {
            return None;
        }
        let metadata = node.get("metadata").filter(|m| m.is_mapping());
        let field = |k: &str| metadata.and_then(|m| m.get(k));
        let annotations = field("annotations").filter(|a| a.is_mapping());
        let ignore = annotations
            .and_then(|a| a.entry(IGNORE_ANNOTATION))
            .and_then(|e| ObjectIgnore::parse(node, &e.key, &e.value));
        Some(Object {
            node,
            document,
            from_list,
            api_version,
            api_version_node,
            kind,
            kind_node,
            metadata,
            name: field("name"),
            namespace: field("namespace"),
            labels: field("labels").filter(|l| l.is_mapping()),
            annotations,
            ignore,
            pod: PodSpec::of_object(node, kind),
        })
    }

    /// A workload template (not a bare Pod) with containers none of which has an `image`: a
    /// strategic-merge patch or a fragment, which the API server would never take as is.
    pub fn is_fragment(&self) -> bool {
        self.kind != "Pod"
            && self.pod.as_ref().is_some_and(|pod| {
                !pod.containers.is_empty()
                    && !pod
                        .containers
                        .iter()
                        .any(|c| c.image.is_some_and(|i| !i.is_null()))
            })
    }

    pub fn name_str(&self) -> Option<&'a str> {
        self.name.and_then(Node::as_str)
    }

    pub fn namespace_str(&self) -> Option<&'a str> {
        self.namespace.and_then(Node::as_str)
    }

    pub fn label(&self, key: &str) -> Option<&'a Node> {
        self.labels.and_then(|l| l.get(key))
    }

    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.annotations.and_then(|a| a.get(key))
    }

    /// The API group of `apiVersion` (`apps` for `apps/v1`, empty for `v1`).
    pub fn group(&self) -> &'a str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// Where a finding about something missing on the object points: its `kind` value.
    pub fn anchor(&self) -> Span {
        self.kind_node.span.clone()
    }

    pub fn span(&self) -> Span {
        self.node.span.clone()
    }
}

/// The object annotation that suppresses rules for the whole object.
pub const IGNORE_ANNOTATION: &str = "opslint.io/ignore";

/// `opslint.io/ignore: "K8S003,missing-cpu-limit"` on an object: the rules it suppresses in
/// `covers` (the object). Codes and rule names are accepted; an unknown one has `code: None`
/// (an OPS003 finding for the suppression step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectIgnore {
    /// The object's bytes: findings whose start lies here are suppressed.
    pub covers: Span,
    /// The annotation's key and value (key start to value end).
    pub span: Span,
    /// The annotation's value as written.
    pub value: Span,
    pub entries: Vec<IgnoreEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// As written (trimmed).
    pub text: String,
    /// Where it is written (the whole value when it cannot be told exactly).
    pub span: Span,
    pub code: Option<Code>,
}

impl ObjectIgnore {
    fn parse(object: &Node, key: &Node, value: &Node) -> Option<ObjectIgnore> {
        let text = value.as_str()?;
        let scalar = value.as_scalar()?;
        // Exact positions only when the value is written as one plain or quoted line.
        let exact = !scalar.style.is_block() && !text.contains('\n');
        let base = if scalar.style.is_quoted() {
            value.span.start + 1
        } else {
            value.span.start
        };
        let mut entries = Vec::new();
        let mut at = 0usize;
        for part in text.split(',') {
            let lead = part.len() - part.trim_start().len();
            let word = part.trim();
            if !word.is_empty() {
                let span = if exact {
                    let s = base + (at + lead) as u32;
                    s..s + word.len() as u32
                } else {
                    value.span.clone()
                };
                entries.push(IgnoreEntry {
                    text: word.to_string(),
                    span,
                    code: Code::lookup(word),
                });
            }
            at += part.len() + 1;
        }
        Some(ObjectIgnore {
            covers: object.span.clone(),
            span: key.span.start..value.span.end.max(key.span.end),
            value: value.span.clone(),
            entries,
        })
    }

    /// Whether this annotation suppresses `code`.
    pub fn covers_code(&self, code: Code) -> bool {
        self.entries.iter().any(|e| e.code == Some(code))
    }
}

/// Kinds whose `spec.template.spec` is a pod spec even when it lists no containers.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "DeploymentConfig",
    "Rollout",
];

/// A pod spec and the containers in it.
#[derive(Debug)]
pub struct PodSpec<'a> {
    /// The pod spec mapping.
    pub node: &'a Node,
    /// Where it was found, e.g. `spec.template.spec`.
    pub path: &'static str,
    /// The pod template's `metadata` (for Pods, the object's own), if written.
    pub template_metadata: Option<&'a Node>,
    /// `containers` and `initContainers` as written (rules check they are lists).
    pub containers_node: Option<&'a Node>,
    pub init_containers_node: Option<&'a Node>,
    /// `containers`, then `initContainers`, then `ephemeralContainers`.
    pub containers: Vec<Container<'a>>,
    pub security_context: Option<&'a Node>,
    /// `spec.os.name: windows`, or a `kubernetes.io/os: windows` node selector.
    pub windows: bool,
}

impl<'a> PodSpec<'a> {
    /// The pod spec of an object of `kind`: `spec` of a Pod, `template.spec` of a
    /// PodTemplate, `spec.jobTemplate.spec.template.spec` of a CronJob, `spec.template.spec`
    /// of the workload kinds and of any custom resource whose template lists `containers`.
    pub fn of_object(object: &'a Node, kind: &str) -> Option<PodSpec<'a>> {
        let (path, template_path, keys): (&str, &[&str], &[&str]) = match kind {
            "Pod" => ("spec", &[], &["spec"]),
            "PodTemplate" => ("template.spec", &["template"], &["template", "spec"]),
            "CronJob" => (
                "spec.jobTemplate.spec.template.spec",
                &["spec", "jobTemplate", "spec", "template"],
                &["spec", "jobTemplate", "spec", "template", "spec"],
            ),
            _ => (
                "spec.template.spec",
                &["spec", "template"],
                &["spec", "template", "spec"],
            ),
        };
        let node = object.path(keys).filter(|n| n.is_mapping())?;
        let known =
            matches!(kind, "Pod" | "PodTemplate" | "CronJob") || WORKLOAD_KINDS.contains(&kind);
        if !known && node.get("containers").is_none() {
            return None;
        }
        let template_metadata = if template_path.is_empty() {
            object.get("metadata")
        } else {
            object.path(template_path).and_then(|t| t.get("metadata"))
        };
        Some(PodSpec::new(node, path, template_metadata))
    }

    /// A pod spec mapping found elsewhere (e.g. pod YAML embedded in a Jenkinsfile).
    pub fn new(
        node: &'a Node,
        path: &'static str,
        template_metadata: Option<&'a Node>,
    ) -> PodSpec<'a> {
        let containers_node = node.get("containers");
        let init_containers_node = node.get("initContainers");
        let mut containers = Vec::new();
        for (list, kind) in [
            (containers_node, ContainerKind::Container),
            (init_containers_node, ContainerKind::Init),
            (node.get("ephemeralContainers"), ContainerKind::Ephemeral),
        ] {
            for (index, c) in list.map(Node::items).unwrap_or(&[]).iter().enumerate() {
                if c.is_mapping() {
                    containers.push(Container::new(c, kind, index));
                }
            }
        }
        let is_windows = |n: Option<&Node>| {
            n.and_then(Node::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("windows"))
        };
        let windows = is_windows(node.path(&["os", "name"]))
            || is_windows(node.path(&["nodeSelector", "kubernetes.io/os"]))
            || is_windows(node.path(&["nodeSelector", "beta.kubernetes.io/os"]));
        PodSpec {
            node,
            path,
            template_metadata,
            containers_node,
            init_containers_node,
            containers,
            security_context: node.get("securityContext"),
            windows,
        }
    }

    /// A field of the pod spec (`hostNetwork`, `volumes`, `serviceAccountName`…).
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    pub fn template_labels(&self) -> Option<&'a Node> {
        self.template_metadata.and_then(|m| m.get("labels"))
    }

    /// Regular containers only.
    pub fn app_containers(&self) -> impl Iterator<Item = &Container<'a>> {
        self.containers
            .iter()
            .filter(|c| c.kind == ContainerKind::Container)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    /// `containers`
    Container,
    /// `initContainers`
    Init,
    /// `ephemeralContainers`
    Ephemeral,
}

/// A container and the fields rules read; each an `Option<&Node>` as written.
#[derive(Debug)]
pub struct Container<'a> {
    pub node: &'a Node,
    pub kind: ContainerKind,
    /// Its position in its list.
    pub index: usize,
    pub name: Option<&'a Node>,
    pub image: Option<&'a Node>,
    pub resources: Option<&'a Node>,
    pub liveness_probe: Option<&'a Node>,
    pub readiness_probe: Option<&'a Node>,
    pub startup_probe: Option<&'a Node>,
    pub security_context: Option<&'a Node>,
    pub env: Vec<EnvVar<'a>>,
    pub env_from: Option<&'a Node>,
    pub ports: Vec<Port<'a>>,
    pub volume_mounts: Vec<VolumeMount<'a>>,
}

impl<'a> Container<'a> {
    /// `container nginx`, `init container setup`, or `container #2` without a name: how
    /// messages name it.
    pub fn display_name(&self) -> String {
        let what = match self.kind {
            ContainerKind::Container => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Ephemeral => "ephemeral container",
        };
        match self.name_str() {
            Some(name) if !name.is_empty() => format!("{what} {name}"),
            _ => format!("{what} #{}", self.index + 1),
        }
    }

    fn new(node: &'a Node, kind: ContainerKind, index: usize) -> Container<'a> {
        let list = |k: &str| node.get(k).map(Node::items).unwrap_or(&[]);
        Container {
            node,
            kind,
            index,
            name: node.get("name"),
            image: node.get("image"),
            resources: node.get("resources"),
            liveness_probe: node.get("livenessProbe"),
            readiness_probe: node.get("readinessProbe"),
            startup_probe: node.get("startupProbe"),
            security_context: node.get("securityContext"),
            env: list("env")
                .iter()
                .filter(|e| e.is_mapping())
                .map(|e| EnvVar {
                    node: e,
                    name: e.get("name"),
                    value: e.get("value"),
                    value_from: e.get("valueFrom"),
                })
                .collect(),
            env_from: node.get("envFrom"),
            ports: list("ports")
                .iter()
                .filter(|p| p.is_mapping())
                .map(|p| Port {
                    node: p,
                    name: p.get("name"),
                    container_port: p.get("containerPort"),
                    host_port: p.get("hostPort"),
                    protocol: p.get("protocol"),
                })
                .collect(),
            volume_mounts: list("volumeMounts")
                .iter()
                .filter(|m| m.is_mapping())
                .map(|m| VolumeMount {
                    node: m,
                    name: m.get("name"),
                    mount_path: m.get("mountPath"),
                    read_only: m.get("readOnly"),
                })
                .collect(),
        }
    }

    pub fn name_str(&self) -> Option<&'a str> {
        self.name.and_then(Node::as_str)
    }

    pub fn image_str(&self) -> Option<&'a str> {
        self.image.and_then(Node::as_str)
    }

    /// `resources.<section>.<resource>`: `c.resource("limits", "memory")`.
    pub fn resource(&self, section: &str, resource: &str) -> Option<&'a Node> {
        self.resources.and_then(|r| r.path(&[section, resource]))
    }

    /// A field of the container's securityContext.
    pub fn security(&self, key: &str) -> Option<&'a Node> {
        self.security_context.and_then(|s| s.get(key))
    }

    /// Where a finding about something missing points: the `name` value, else the
    /// container's first byte.
    pub fn anchor(&self) -> Span {
        match self.name {
            Some(n) if !n.span.is_empty() => n.span.clone(),
            _ => self.node.span.start..self.node.span.start,
        }
    }
}

#[derive(Debug)]
pub struct EnvVar<'a> {
    pub node: &'a Node,
    pub name: Option<&'a Node>,
    pub value: Option<&'a Node>,
    pub value_from: Option<&'a Node>,
}

#[derive(Debug)]
pub struct Port<'a> {
    pub node: &'a Node,
    pub name: Option<&'a Node>,
    pub container_port: Option<&'a Node>,
    pub host_port: Option<&'a Node>,
    pub protocol: Option<&'a Node>,
}

#[derive(Debug)]
pub struct VolumeMount<'a> {
    pub node: &'a Node,
    pub name: Option<&'a Node>,
    pub mount_path: Option<&'a Node>,
    pub read_only: Option<&'a Node>,
}

#[cfg(test)]
mod tests {
    use super::super::yaml;
    use super::*;

    fn slice<'a>(text: &'a str, span: &Span) -> &'a str {
        &text[span.start as usize..span.end as usize]
    }

    const DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
  annotations:
    opslint.io/ignore: \"K8S005, missing-memory-limit,nope\"
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      nodeSelector:
        kubernetes.io/os: windows
      initContainers:
      - name: init
        image: busybox
      containers:
      - name: app
        image: nginx:1.25
        resources: {limits: {memory: 64Mi}}
        readinessProbe: {httpGet: {port: http}}
        env:
        - {name: A, value: x}
        - name: B
          valueFrom: {secretKeyRef: {name: s, key: k}}
        ports:
        - {name: http, containerPort: 80}
        volumeMounts:
        - {name: data, mountPath: /data}
";

    #[test]
    fn deployment_model() {
        let stream = yaml::parse(DEPLOY);
        let model = Model::build(&stream);
        assert_eq!(model.objects.len(), 1);
        let o = &model.objects[0];
        assert_eq!(
            (o.kind, o.api_version, o.group()),
            ("Deployment", "apps/v1", "apps")
        );
        assert_eq!(o.name_str(), Some("web"));
        assert_eq!(o.namespace_str(), Some("shop"));
        assert_eq!(o.label("app").and_then(Node::as_str), Some("web"));
        let pod = o.pod.as_ref().unwrap();
        assert_eq!(pod.path, "spec.template.spec");
        assert!(pod.windows);
        assert_eq!(
            pod.template_labels().unwrap().get("app").unwrap().as_str(),
            Some("web")
        );
        assert_eq!(pod.containers.len(), 2);
        let app = pod.app_containers().next().unwrap();
        assert_eq!(app.name_str(), Some("app"));
        assert_eq!(slice(DEPLOY, &app.anchor()), "app");
        assert_eq!(app.image_str(), Some("nginx:1.25"));
        assert_eq!(
            app.resource("limits", "memory").unwrap().as_str(),
            Some("64Mi")
        );
        assert!(app.resource("limits", "cpu").is_none());
        assert!(app.readiness_probe.is_some() && app.liveness_probe.is_none());
        assert_eq!(app.env.len(), 2);
        assert!(app.env[1].value_from.is_some() && app.env[1].value.is_none());
        assert_eq!(app.ports[0].name.unwrap().as_str(), Some("http"));
        assert_eq!(
            app.volume_mounts[0].mount_path.unwrap().as_str(),
            Some("/data")
        );
        let init = pod
            .containers
            .iter()
            .find(|c| c.kind == ContainerKind::Init)
            .unwrap();
        assert_eq!(init.name_str(), Some("init"));

        let ignore = o.ignore.as_ref().unwrap();
        let written: Vec<&str> = ignore
            .entries
            .iter()
            .map(|e| slice(DEPLOY, &e.span))
            .collect();
        assert_eq!(written, vec!["K8S005", "missing-memory-limit", "nope"]);
        assert_eq!(ignore.entries[2].code, None);
        assert_eq!(ignore.covers, o.span());
    }

    #[test]
    fn pod_specs_are_found_generically() {
        let text = "\
apiVersion: batch/v1
kind: CronJob
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: c, image: x}]
---
apiVersion: v1
kind: Pod
spec:
  os: {name: windows}
  containers: [{name: p, image: x}]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
spec:
  template:
    spec:
      containers: [{name: r, image: x}]
---
apiVersion: example.com/v1
kind: Thing
spec:
  template:
    spec:
      notPods: true
---
apiVersion: v1
kind: Service
metadata: {name: s}
";
        let stream = yaml::parse(text);
        let model = Model::build(&stream);
        let pods: Vec<(&str, Option<&str>, bool)> = model
            .objects
            .iter()
            .map(|o| {
                let p = o.pod.as_ref();
                (o.kind, p.map(|p| p.path), p.is_some_and(|p| p.windows))
            })
            .collect();
        assert_eq!(
            pods,
            vec![
                (
                    "CronJob",
                    Some("spec.jobTemplate.spec.template.spec"),
                    false
                ),
                ("Pod", Some("spec"), true),
                ("Rollout", Some("spec.template.spec"), false),
                ("Thing", None, false),
                ("Service", None, false),
            ]
        );
    }

    #[test]
    fn lists_are_expanded_and_non_manifests_ignored() {
        let text = "\
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
- {apiVersion: v1, kind: Secret, metadata: {name: b}}
- just a string
---
name: CI
on: [push]
---
services: {web: {image: x}}
---
apiVersion: 1
kind: [x]
";
        let stream = yaml::parse(text);
        let model = Model::build(&stream);
        let kinds: Vec<(&str, bool)> = model
            .objects
            .iter()
            .map(|o| (o.kind, o.from_list))
            .collect();
        assert_eq!(kinds, vec![("ConfigMap", true), ("Secret", true)]);
    }
}
