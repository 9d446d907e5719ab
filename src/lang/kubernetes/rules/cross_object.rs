//! Cross-object rules (✕ in the catalogue): they compare objects of one namespace within the
//! linted set of files. Each file's model is summarised in small owned [`Facts`] (names,
//! labels, selectors, references and the spans to point at in that file); [`check`] reports,
//! for one file of the set, what its objects get wrong against every file's facts.
//!
//! A run with several Kubernetes files gathers every file's facts first and then lints each
//! file with the whole set ([`Set`]); a text linted alone (stdin, a rule page, the editor)
//! is a set of one. Every rule is silent for a kind that has no object at all in the set, so
//! linting one file gives no false "matches nothing". An object without `metadata.namespace`
//! may be applied to any namespace, so it is compared with objects of every namespace.

use super::super::model::{Model, Object, PodSpec};
use super::super::yaml::Node;
use crate::diagnostic::{Edit, Findings, Span};
use crate::registry::Code;
use crate::source::SourceFile;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The facts of every Kubernetes file of a run, indexed once, and which file is being linted.
#[derive(Debug, Clone)]
pub struct Set {
    files: Arc<Vec<Facts>>,
    index: Arc<ObjectIndex>,
    this: usize,
}

impl Set {
    /// One set per file of `files`, in order, sharing the facts and their index.
    pub fn for_each_file(files: Vec<Facts>) -> impl Iterator<Item = Set> {
        let refs: Vec<&Facts> = files.iter().collect();
        let index = Arc::new(ObjectIndex::new(&refs, 0));
        let files = Arc::new(files);
        (0..files.len()).map(move |this| Set {
            files: Arc::clone(&files),
            index: Arc::clone(&index),
            this,
        })
    }

    /// Reports the cross-object findings of this set's file; `own` replaces its entry (the
    /// facts of its text after a fix), which needs an index of its own.
    pub fn check(&self, own: Option<&Facts>, out: &mut Findings) {
        let files = Files::Owned(&self.files);
        match own {
            Some(own) => {
                // The set's index with this file's entries replaced by an index of its own.
                let own_index = ObjectIndex::new(&[own], self.this);
                check_with(files, Some((own, &own_index)), &self.index, self.this, out);
            }
            None => check_with(files, None, &self.index, self.this, out),
        }
    }
}

/// Where an object is: (file, object) positions in the set.
type ObjectRef = (u32, u32);

/// A lookup key of the index: a hash of two strings (what it finds is checked against them).
type Key = u64;

fn key(a: &str, b: &str) -> Key {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    a.hash(&mut h);
    b.hash(&mut h);
    h.finish()
}

/// The namespaces some objects are in: does one of them share an object's namespace?
#[derive(Debug, Default)]
struct Presence {
    namespaces: HashSet<String>,
    /// One has no namespace written (it shares any).
    unnamespaced: bool,
}

impl Presence {
    fn add(&mut self, o: &ObjectFacts) {
        match &o.namespace {
            Some(ns) => {
                self.namespaces.insert(ns.clone());
            }
            None => self.unnamespaced = true,
        }
    }

    /// Whether one of the objects may share `o`'s namespace ([`same_namespace`]).
    fn near(&self, o: &ObjectFacts) -> bool {
        match &o.namespace {
            Some(ns) => self.unnamespaced || self.namespaces.contains(ns),
            None => self.unnamespaced || !self.namespaces.is_empty(),
        }
    }
}

/// Objects with a label selector, keyed by one of its `matchLabels` pairs (a pod can only be
/// selected by a selector whose pairs it all has), the other selectors apart.
#[derive(Debug, Default)]
struct BySelector {
    by_label: HashMap<Key, Vec<ObjectRef>>,
    other: Vec<ObjectRef>,
}

impl BySelector {
    fn add(&mut self, selector: &Selector, at: ObjectRef) {
        match selector {
            Selector::Match { labels, .. } if !labels.is_empty() => self
                .by_label
                .entry(key(&labels[0].0, &labels[0].1))
                .or_default()
                .push(at),
            Selector::Nothing => {}
            _ => self.other.push(at),
        }
    }

    /// The objects whose selector may select pods labelled `labels` (a superset).
    fn candidates<'s, 'l>(&'s self, labels: &'l Labels) -> impl Iterator<Item = &'s ObjectRef> + 'l
    where
        's: 'l,
    {
        labels
            .iter()
            .filter_map(|(k, v)| self.by_label.get(&key(k, v)))
            .flatten()
            .chain(&self.other)
    }
}

/// The objects of a set indexed by what the rules look for (kind, name, namespace, labels), so
/// that a rule looks at the few objects that can matter: the cost of a run grows with its
/// objects, not with their square.
#[derive(Debug, Default)]
pub struct ObjectIndex {
    pods: Vec<ObjectRef>,
    pods_near: Presence,
    pods_by_label: HashMap<Key, Vec<ObjectRef>>,
    network_policies: BySelector,
    network_policies_near: Presence,
    pdbs: BySelector,
    pdbs_near: Presence,
    /// HPAs by the (kind, name) they scale.
    hpas_by_target: HashMap<Key, Vec<ObjectRef>>,
    /// Objects that define a ConfigMap or Secret, by what they define.
    defined: HashMap<Key, Vec<ObjectRef>>,
    definers_near: HashMap<RefKind, Presence>,
    /// Custom resources without a pod template (what an operator may turn into objects), by name.
    custom_by_name: HashMap<Key, Vec<ObjectRef>>,
    by_kind_name: HashMap<Key, Vec<ObjectRef>>,
    kinds_near: HashMap<String, Presence>,
}

impl ObjectIndex {
    /// The index of `files`, the first of which is file `first` of the set.
    fn new(files: &[&Facts], first: usize) -> ObjectIndex {
        let mut ix = ObjectIndex::default();
        for (f, facts) in files.iter().enumerate() {
            for (i, o) in facts.objects.iter().enumerate() {
                let at = ((first + f) as u32, i as u32);
                if let Some(pod) = &o.pod {
                    ix.pods.push(at);
                    ix.pods_near.add(o);
                    for (k, v) in &pod.labels {
                        ix.pods_by_label.entry(key(k, v)).or_default().push(at);
                    }
                } else if !is_builtin(&o.kind) {
                    if let Some(name) = &o.name {
                        ix.custom_by_name.entry(key(name, "")).or_default().push(at);
                    }
                }
                if let Some((kind, target)) = o.hpa_target.as_deref() {
                    let k = key(kind, &target.name);
                    ix.hpas_by_target.entry(k).or_default().push(at);
                }
                if let Some(selector) = &o.network_policy {
                    ix.network_policies.add(selector, at);
                    ix.network_policies_near.add(o);
                }
                if let Some(pdb) = &o.pdb {
                    ix.pdbs.add(&pdb.selector, at);
                    ix.pdbs_near.add(o);
                }
                for (kind, name) in &o.defines {
                    ix.defined
                        .entry(key(kind.as_str(), name))
                        .or_default()
                        .push(at);
                    ix.definers_near.entry(*kind).or_default().add(o);
                }
                if let Some(name) = &o.name {
                    ix.by_kind_name
                        .entry(key(&o.kind, name))
                        .or_default()
                        .push(at);
                }
                ix.kinds_near.entry(o.kind.clone()).or_default().add(o);
            }
        }
        ix
    }
}

/// The facts of a set's files, as a set holds them or as a caller lists them.
#[derive(Clone, Copy)]
enum Files<'a> {
    Owned(&'a [Facts]),
    Listed(&'a [&'a Facts]),
}

/// The objects of a set, as the rules ask for them.
struct Objects<'a> {
    files: Files<'a>,
    index: &'a ObjectIndex,
    /// The file being checked, and its facts and their index when they replace the set's entry
    /// (its text after a fix).
    this: usize,
    own_facts: Option<&'a Facts>,
    own: Option<&'a ObjectIndex>,
}

impl<'a> Objects<'a> {
    /// The objects `pick` lists in the set's index (without this file's entries when they are
    /// replaced) and in this file's own index.
    fn from<'k, I>(
        &self,
        pick: impl Fn(&'a ObjectIndex) -> I + Copy + 'k,
    ) -> impl Iterator<Item = &'a ObjectFacts> + 'k
    where
        'a: 'k,
        I: IntoIterator<Item = &'a ObjectRef> + 'k,
    {
        let (this, replaced) = (self.this, self.own.is_some());
        let set = pick(self.index)
            .into_iter()
            .filter(move |&&(f, _)| !(replaced && f as usize == this));
        let own = self.own.into_iter().flat_map(pick);
        let (files, own_facts) = (self.files, self.own_facts);
        set.chain(own).filter_map(move |&(f, i)| {
            file_of(files, own_facts, this, f as usize)
                .and_then(|facts| facts.objects.get(i as usize))
        })
    }

    /// Whether an object `pick` tells of may share `o`'s namespace.
    fn near(
        &self,
        pick: impl Fn(&'a ObjectIndex) -> Option<&'a Presence>,
        o: &ObjectFacts,
    ) -> bool {
        [Some(self.index), self.own]
            .into_iter()
            .flatten()
            .any(|ix| pick(ix).is_some_and(|p| p.near(o)))
    }

    fn kind_near(&self, kind: &str, o: &ObjectFacts) -> bool {
        self.near(|ix| ix.kinds_near.get(kind), o)
    }

    /// The pod templates that may have all of `labels` (every pod when there are none).
    fn pods_with(&self, labels: &Labels) -> Vec<&'a ObjectFacts> {
        match labels.first() {
            Some((k, v)) => {
                let k = key(k, v);
                self.from(|ix| ix.pods_by_label.get(&k).into_iter().flatten())
                    .collect()
            }
            None => self.from(|ix| &ix.pods).collect(),
        }
    }

    /// The pod templates a selector may select.
    fn pods_selected_by(&self, selector: &Selector) -> Vec<&'a ObjectFacts> {
        match selector {
            Selector::Match { labels, .. } => self.pods_with(labels),
            _ => self.from(|ix| &ix.pods).collect(),
        }
    }

    fn network_policies_for(&self, labels: &Labels) -> Vec<&'a ObjectFacts> {
        self.from(|ix| ix.network_policies.candidates(labels))
            .collect()
    }

    fn pdbs_for(&self, labels: &Labels) -> Vec<&'a ObjectFacts> {
        self.from(|ix| ix.pdbs.candidates(labels)).collect()
    }

    fn keyed(
        &self,
        map: fn(&ObjectIndex) -> &HashMap<Key, Vec<ObjectRef>>,
        key: Key,
    ) -> impl Iterator<Item = &'a ObjectFacts> + '_ {
        self.from(move |ix| map(ix).get(&key).into_iter().flatten())
    }

    /// The HPAs that scale the `kind` named `name`.
    fn hpas_scaling(&self, kind: &str, name: &str) -> Vec<&'a ObjectFacts> {
        self.keyed(|ix| &ix.hpas_by_target, key(kind, name))
            .filter(|h| {
                h.hpa_target
                    .as_deref()
                    .is_some_and(|(k, t)| k == kind && t.name == name)
            })
            .collect()
    }

    /// The objects that define the ConfigMap or Secret `name`.
    fn defining(&self, kind: RefKind, name: &str) -> Vec<&'a ObjectFacts> {
        self.keyed(|ix| &ix.defined, key(kind.as_str(), name))
            .filter(|c| c.defines.iter().any(|(k, n)| *k == kind && n == name))
            .collect()
    }

    /// The custom resources named `name`.
    fn custom_named(&self, name: &str) -> Vec<&'a ObjectFacts> {
        self.keyed(|ix| &ix.custom_by_name, key(name, ""))
            .filter(|c| c.name.as_deref() == Some(name))
            .collect()
    }

    /// The objects of `kind` named `name`.
    fn named(&self, kind: &str, name: &str) -> Vec<&'a ObjectFacts> {
        self.keyed(|ix| &ix.by_kind_name, key(kind, name))
            .filter(|c| c.kind == kind && c.name.as_deref() == Some(name))
            .collect()
    }
}

/// What the cross-object rules need to know about one file's objects.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub objects: Vec<ObjectFacts>,
}

type Labels = Vec<(String, String)>;

#[derive(Debug, Clone)]
pub struct ObjectFacts {
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// The `kind` value: where a finding about something missing points.
    pub anchor: Span,
    pub pod: Option<Box<PodFacts>>,
    /// `spec.replicas`, when written.
    pub replicas: Option<Replicas>,
    // The facts only some kinds have are boxed: a run keeps every object's facts.
    pub service: Option<Box<ServiceFacts>>,
    /// A HorizontalPodAutoscaler's `scaleTargetRef` (kind, then name).
    pub hpa_target: Option<Box<(String, Named)>>,
    pub pdb: Option<Box<PdbFacts>>,
    /// A NetworkPolicy's `podSelector`.
    pub network_policy: Option<Box<Selector>>,
    /// An Ingress's backend Service names.
    pub backends: Vec<Named>,
    /// A StatefulSet's `spec.serviceName`.
    pub service_name: Option<Named>,
    /// The ConfigMaps and Secrets this object defines (a Secret, a SealedSecret, an
    /// ExternalSecret's target, a Kustomization's generators).
    pub defines: Vec<(RefKind, String)>,
}

/// A name written in the file, and where.
#[derive(Debug, Clone)]
pub struct Named {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Replicas {
    /// The count, when written as an integer.
    pub count: Option<i64>,
    /// The `replicas` key.
    pub key: Span,
    /// The whole lines of the entry, when it has lines of its own (what the fix removes).
    pub lines: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct PodFacts {
    pub labels: Labels,
    /// The names and numbers of the ports its containers (and init containers) declare.
    pub port_names: Vec<String>,
    pub port_numbers: Vec<i64>,
    pub host_network: bool,
    pub service_account: Option<Named>,
    pub config_refs: Vec<ConfigRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    ConfigMap,
    Secret,
}

impl RefKind {
    fn as_str(self) -> &'static str {
        match self {
            RefKind::ConfigMap => "ConfigMap",
            RefKind::Secret => "Secret",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConfigRef {
    pub kind: RefKind,
    pub name: Named,
}

#[derive(Debug, Clone)]
pub struct ServiceFacts {
    /// The `selector` key and its labels; `None` for a selector-less or ExternalName Service,
    /// or a selector that is not a mapping of scalars.
    pub selector: Option<(Span, Labels)>,
    pub target_ports: Vec<TargetPort>,
}

#[derive(Debug, Clone)]
pub struct TargetPort {
    pub port: PortRef,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Name(String),
    Number(i64),
}

#[derive(Debug, Clone)]
pub struct PdbFacts {
    pub selector: Selector,
    pub min_available: Option<Amount>,
    pub max_unavailable: Option<Amount>,
}

#[derive(Debug, Clone)]
pub struct Amount {
    pub value: IntOrPercent,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(i64),
    Percent(i64),
}

/// A label selector: `matchLabels` and `matchExpressions` (both empty: every pod).
#[derive(Debug, Clone)]
pub enum Selector {
    Match {
        labels: Labels,
        exprs: Vec<Expr>,
    },
    /// A null selector: no pod.
    Nothing,
    /// Written in a way we cannot evaluate: treated as matching whatever is asked.
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Selector {
    /// Whether the selector selects pods labelled `labels`; `None` when it cannot be told.
    pub fn matches(&self, labels: &Labels) -> Option<bool> {
        let get = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v);
        match self {
            Selector::Nothing => Some(false),
            Selector::Unknown => None,
            Selector::Match {
                labels: want,
                exprs,
            } => Some(
                want.iter().all(|(k, v)| get(k) == Some(v))
                    && exprs.iter().all(|e| match e.op {
                        Op::In => get(&e.key).is_some_and(|v| e.values.contains(v)),
                        Op::NotIn => !get(&e.key).is_some_and(|v| e.values.contains(v)),
                        Op::Exists => get(&e.key).is_some(),
                        Op::DoesNotExist => get(&e.key).is_none(),
                    }),
            ),
        }
    }

    /// A `LabelSelector` node; `None` when absent or null.
    fn parse(node: Option<&Node>) -> Option<Selector> {
        let node = node.filter(|n| !n.is_null())?;
        if !node.is_mapping() {
            return Some(Selector::Unknown);
        }
        let labels = match node.get("matchLabels").filter(|n| !n.is_null()) {
            None => Vec::new(),
            Some(m) => match scalar_map(m) {
                Some(l) => l,
                None => return Some(Selector::Unknown),
            },
        };
        let mut exprs = Vec::new();
        if let Some(list) = node.get("matchExpressions").filter(|n| !n.is_null()) {
            if !list.is_sequence() {
                return Some(Selector::Unknown);
            }
            for e in list.items() {
                let key = e.get("key").and_then(Node::as_str);
                let op = match e.get("operator").and_then(Node::as_str) {
                    Some("In") => Op::In,
                    Some("NotIn") => Op::NotIn,
                    Some("Exists") => Op::Exists,
                    Some("DoesNotExist") => Op::DoesNotExist,
                    _ => return Some(Selector::Unknown),
                };
                let (Some(key), values) = (
                    key,
                    e.get("values")
                        .map(Node::items)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(Node::as_str)
                        .map(str::to_string)
                        .collect(),
                ) else {
                    return Some(Selector::Unknown);
                };
                exprs.push(Expr {
                    key: key.to_string(),
                    op,
                    values,
                });
            }
        }
        Some(Selector::Match { labels, exprs })
    }
}

/// A mapping whose values are all scalars, as (key, value) strings.
fn scalar_map(node: &Node) -> Option<Labels> {
    if !node.is_mapping() {
        return None;
    }
    node.entries()
        .iter()
        .map(|e| Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string())))
        .collect()
}

/// A name as an object reference: a DNS name. Anything else (`${VAR}`, `<NAME>`, `PORT`) is
/// a placeholder filled in later, never compared.
fn named(node: Option<&Node>) -> Option<Named> {
    let n = node?;
    let name = n.as_str()?.trim();
    is_dns_name(name).then(|| Named {
        name: name.to_string(),
        span: n.span.clone(),
    })
}

fn is_dns_name(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    s.len() <= 253
        && s.starts_with(alnum)
        && s.ends_with(alnum)
        && s.chars().all(|c| alnum(c) || c == '-' || c == '.')
}

/// A port name as Kubernetes accepts it (IANA service name): else a placeholder.
fn is_port_name(s: &str) -> bool {
    s.len() <= 15
        && s.chars().any(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A label key and value as Kubernetes accepts them: else a placeholder.
fn is_label(key: &str, value: &str) -> bool {
    let ok = |s: &str, extra: &[char]| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c) || extra.contains(&c))
    };
    !key.is_empty() && ok(key, &['/']) && ok(value, &[])
}

/// Labels the controllers add to the pods they create (never written in a template).
fn controller_label(key: &str) -> bool {
    matches!(
        key,
        "job-name" | "controller-uid" | "pod-template-hash" | "controller-revision-hash"
    ) || [
        "batch.kubernetes.io/",
        "statefulset.kubernetes.io/",
        "apps.kubernetes.io/",
        "jobset.sigs.k8s.io/",
        "leaderworkerset.sigs.k8s.io/",
    ]
    .iter()
    .any(|p| key.starts_with(p))
}

/// Kinds whose pods are counted by `spec.replicas` (default 1).
const REPLICATED: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "DeploymentConfig",
    "Rollout",
];

/// Summarises a file's model.
pub fn facts(model: &Model<'_>, source: &SourceFile) -> Facts {
    let mut objects: Vec<ObjectFacts> = model
        .objects
        .iter()
        .map(|o| object_facts(o, source))
        .filter(ObjectFacts::may_matter)
        .collect();
    // Kept for the whole run: no room to spare (a filtered collect reserves 4).
    objects.shrink_to_fit();
    Facts { objects }
}

impl ObjectFacts {
    /// Whether a cross-object rule can look at this object: a run keeps the facts of all its
    /// objects, so those of a Role or a CustomResourceDefinition are not kept.
    fn may_matter(&self) -> bool {
        self.pod.is_some()
            || self.service.is_some()
            || self.hpa_target.is_some()
            || self.pdb.is_some()
            || self.network_policy.is_some()
            || !self.defines.is_empty()
            || !self.backends.is_empty()
            || self.service_name.is_some()
            || matches!(self.kind.as_str(), "Service" | "ServiceAccount")
            || REPLICATED.contains(&self.kind.as_str())
            || !is_builtin(&self.kind)
    }
}

fn object_facts(o: &Object<'_>, source: &SourceFile) -> ObjectFacts {
    let spec = o.node.get("spec").filter(|s| s.is_mapping());
    let kind = o.kind;
    let replicas = spec.and_then(|s| s.entry("replicas")).map(|e| Replicas {
        count: e.value.as_i64(),
        key: e.key.span.clone(),
        lines: own_lines(
            source,
            e.key.span.start,
            e.value.span.end.max(e.key.span.end),
        ),
    });
    let service = (kind == "Service").then(|| Box::new(service_facts(spec)));
    let hpa_target = (kind == "HorizontalPodAutoscaler")
        .then(|| {
            let r = spec?.get("scaleTargetRef")?;
            let target_kind = r.get("kind")?.as_str()?.to_string();
            Some(Box::new((target_kind, named(r.get("name"))?)))
        })
        .flatten();
    let pdb = (kind == "PodDisruptionBudget").then(|| {
        Box::new(PdbFacts {
            selector: Selector::parse(spec.and_then(|s| s.get("selector")))
                .unwrap_or(Selector::Nothing),
            min_available: amount(spec.and_then(|s| s.get("minAvailable"))),
            max_unavailable: amount(spec.and_then(|s| s.get("maxUnavailable"))),
        })
    });
    let network_policy = (kind == "NetworkPolicy").then(|| {
        Box::new(
            Selector::parse(spec.and_then(|s| s.get("podSelector"))).unwrap_or(Selector::Unknown),
        )
    });
    let backends = if kind == "Ingress" {
        ingress_backends(spec)
    } else {
        Vec::new()
    };
    let service_name = if kind == "StatefulSet" {
        named(spec.and_then(|s| s.get("serviceName")))
    } else {
        None
    };
    ObjectFacts {
        kind: kind.to_string(),
        name: o.name_str().map(str::to_string),
        namespace: o.namespace_str().map(str::to_string),
        anchor: o.anchor(),
        pod: o.pod.as_ref().map(|p| Box::new(pod_facts(p))),
        replicas,
        service,
        hpa_target,
        pdb,
        network_policy,
        backends,
        service_name,
        defines: defines(o, spec),
    }
}

/// The whole lines from `start` to `end` when nothing else is written on them (a trailing
/// comment goes with them).
fn own_lines(source: &SourceFile, start: u32, end: u32) -> Option<Span> {
    let first = source.line_index(start);
    let first_line = source.line_span(first);
    if !source.slice(&(first_line.start..start)).trim().is_empty() {
        return None;
    }
    let last = source.line_index(end.saturating_sub(1).max(start));
    let last_line = source.line_span(last);
    let rest = source
        .slice(&(end.min(last_line.end)..last_line.end))
        .trim();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    let stop = if last + 1 < source.line_count() {
        source.line_start(last + 1)
    } else {
        source.len()
    };
    Some(first_line.start..stop)
}

fn amount(node: Option<&Node>) -> Option<Amount> {
    let n = node?;
    let value = match n.as_i64() {
        Some(v) => IntOrPercent::Int(v),
        None => {
            let p = n.as_str()?.trim().strip_suffix('%')?.trim().parse().ok()?;
            IntOrPercent::Percent(p)
        }
    };
    Some(Amount {
        value,
        span: n.span.clone(),
    })
}

fn service_facts(spec: Option<&Node>) -> ServiceFacts {
    let external = spec
        .and_then(|s| s.get("type"))
        .and_then(Node::as_str)
        .is_some_and(|t| t == "ExternalName");
    let selector = spec
        .and_then(|s| s.entry("selector"))
        .filter(|_| !external)
        .and_then(|e| {
            let labels = scalar_map(&e.value)?;
            let comparable = labels
                .iter()
                .all(|(k, v)| is_label(k, v) && !controller_label(k));
            (comparable && !labels.is_empty()).then(|| (e.key.span.clone(), labels))
        });
    let target_ports = spec
        .and_then(|s| s.get("ports"))
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| {
            let t = p.get("targetPort")?;
            let port = match t.as_i64() {
                Some(n) => PortRef::Number(n),
                None => {
                    let s = t.as_str()?.trim();
                    match s.parse::<i64>() {
                        Ok(n) => PortRef::Number(n),
                        Err(_) if is_port_name(s) => PortRef::Name(s.to_string()),
                        Err(_) => return None,
                    }
                }
            };
            Some(TargetPort {
                port,
                span: t.span.clone(),
            })
        })
        .collect();
    ServiceFacts {
        selector,
        target_ports,
    }
}

fn ingress_backends(spec: Option<&Node>) -> Vec<Named> {
    let Some(spec) = spec else {
        return Vec::new();
    };
    let backend =
        |b: &Node| named(b.path(&["service", "name"])).or_else(|| named(b.get("serviceName")));
    let mut out = Vec::new();
    for key in ["defaultBackend", "backend"] {
        out.extend(spec.get(key).and_then(backend));
    }
    for rule in spec.get("rules").map(Node::items).unwrap_or(&[]) {
        let paths = rule
            .path(&["http", "paths"])
            .map(Node::items)
            .unwrap_or(&[]);
        out.extend(
            paths
                .iter()
                .filter_map(|p| p.get("backend").and_then(backend)),
        );
    }
    out
}

fn defines(o: &Object<'_>, spec: Option<&Node>) -> Vec<(RefKind, String)> {
    let own = || o.name_str().map(str::to_string);
    match o.kind {
        "ConfigMap" => own().map(|n| (RefKind::ConfigMap, n)).into_iter().collect(),
        "Secret" | "SealedSecret" => own().map(|n| (RefKind::Secret, n)).into_iter().collect(),
        "ExternalSecret" => spec
            .and_then(|s| s.path(&["target", "name"]))
            .and_then(Node::as_str)
            .map(str::to_string)
            .or_else(own)
            .map(|n| (RefKind::Secret, n))
            .into_iter()
            .collect(),
        "Kustomization" => {
            let mut out = Vec::new();
            for (key, kind) in [
                ("configMapGenerator", RefKind::ConfigMap),
                ("secretGenerator", RefKind::Secret),
            ] {
                for g in o.node.get(key).map(Node::items).unwrap_or(&[]) {
                    if let Some(n) = g.get("name").and_then(Node::as_str) {
                        out.push((kind, n.to_string()));
                    }
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

fn pod_facts(pod: &PodSpec<'_>) -> PodFacts {
    let labels = pod
        .template_labels()
        .and_then(scalar_map)
        .unwrap_or_default();
    let mut port_names = Vec::new();
    let mut port_numbers = Vec::new();
    for c in pod
        .containers
        .iter()
        .filter(|c| c.kind != super::super::model::ContainerKind::Ephemeral)
    {
        for p in &c.ports {
            port_names.extend(p.name.and_then(Node::as_str).map(str::to_string));
            port_numbers.extend(p.container_port.and_then(Node::as_i64));
        }
    }
    let mut config_refs = Vec::new();
    let optional = |n: &Node| n.get("optional").and_then(Node::as_bool) == Some(true);
    let mut add = |kind: RefKind, holder: Option<&Node>, key: &str| {
        if let Some(h) = holder.filter(|h| !optional(h)) {
            if let Some(name) = named(h.get(key)) {
                config_refs.push(ConfigRef { kind, name });
            }
        }
    };
    for v in pod.get("volumes").map(Node::items).unwrap_or(&[]) {
        add(RefKind::ConfigMap, v.get("configMap"), "name");
        add(RefKind::Secret, v.get("secret"), "secretName");
        for s in v
            .path(&["projected", "sources"])
            .map(Node::items)
            .unwrap_or(&[])
        {
            add(RefKind::ConfigMap, s.get("configMap"), "name");
            add(RefKind::Secret, s.get("secret"), "name");
        }
    }
    for c in pod
        .containers
        .iter()
        .filter(|c| c.kind != super::super::model::ContainerKind::Ephemeral)
    {
        for e in c.env_from.map(Node::items).unwrap_or(&[]) {
            add(RefKind::ConfigMap, e.get("configMapRef"), "name");
            add(RefKind::Secret, e.get("secretRef"), "name");
        }
        for e in &c.env {
            let from = e.value_from;
            add(
                RefKind::ConfigMap,
                from.and_then(|f| f.get("configMapKeyRef")),
                "name",
            );
            add(
                RefKind::Secret,
                from.and_then(|f| f.get("secretKeyRef")),
                "name",
            );
        }
    }
    PodFacts {
        labels,
        port_names,
        port_numbers,
        host_network: pod.get("hostNetwork").and_then(Node::as_bool) == Some(true),
        service_account: named(pod.get("serviceAccountName"))
            .or_else(|| named(pod.get("serviceAccount")))
            .filter(|n| n.name != "default"),
        config_refs,
    }
}

/// Two objects may share a namespace: equal namespaces, or one not written (applied with
/// `-n`, or by kustomize).
fn same_namespace(a: &ObjectFacts, b: &ObjectFacts) -> bool {
    match (&a.namespace, &b.namespace) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// Whether an operator may create an object named `name` (or labelled with it): a custom
/// resource of the set in the namespace is named `name` or a prefix of it (`kibana` makes
/// `kibana-kb-http`).
fn operator_may_make(o: &ObjectFacts, name: &str, all: &Objects<'_>) -> bool {
    // `name` itself and each of its prefixes that end before a `-`.
    let prefixes = name
        .match_indices('-')
        .map(|(i, _)| &name[..i])
        .chain(std::iter::once(name));
    prefixes
        .into_iter()
        .any(|n| all.custom_named(n).iter().any(|c| same_namespace(o, c)))
}

/// `Deployment a, Deployment b`, each object once.
fn describe_all(objects: &[&ObjectFacts]) -> String {
    let mut names: Vec<String> = Vec::new();
    for o in objects {
        let d = describe(o);
        if !names.contains(&d) {
            names.push(d);
        }
    }
    names.join(", ")
}

fn describe(o: &ObjectFacts) -> String {
    match &o.name {
        Some(n) => format!("{} {n}", o.kind),
        None => o.kind.clone(),
    }
}

fn namespace_words(o: &ObjectFacts) -> String {
    match &o.namespace {
        Some(ns) => format!("namespace {ns}"),
        None => "its namespace".to_string(),
    }
}

fn show_labels(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// File `f` of a set, `own` standing for file `this` when given.
fn file_of<'a>(
    files: Files<'a>,
    own: Option<&'a Facts>,
    this: usize,
    f: usize,
) -> Option<&'a Facts> {
    match (own, files) {
        (Some(own), _) if f == this => Some(own),
        (_, Files::Owned(files)) => files.get(f),
        (_, Files::Listed(files)) => files.get(f).copied(),
    }
}

/// Reports the cross-object findings of file `this` of `files`.
pub fn check(files: &[&Facts], this: usize, out: &mut Findings) {
    check_with(
        Files::Listed(files),
        None,
        &ObjectIndex::new(files, 0),
        this,
        out,
    );
}

fn check_with(
    files: Files<'_>,
    own: Option<(&Facts, &ObjectIndex)>,
    index: &ObjectIndex,
    this: usize,
    out: &mut Findings,
) {
    let Some(facts) = file_of(files, own.map(|(f, _)| f), this, this) else {
        return;
    };
    let all = Objects {
        files,
        index,
        this,
        own_facts: own.map(|(f, _)| f),
        own: own.map(|(_, ix)| ix),
    };
    for o in &facts.objects {
        service_selects_nothing(o, &all, out);
        service_target_port_missing(o, &all, out);
        hpa_target_missing(o, &all, out);
        missing_network_policy(o, &all, out);
        missing_pod_disruption_budget(o, &all, out);
        missing_config_reference(o, &all, out);
        hpa_replicas_conflict(o, &all, out);
        pdb_blocks_eviction(o, &all, out);
        dangling_reference(o, &all, out);
    }
}

/// The pod templates of the set a Service's selector matches.
fn selected_pods<'a>(
    service: &ObjectFacts,
    labels: &Labels,
    all: &Objects<'a>,
) -> Vec<&'a ObjectFacts> {
    all.pods_with(labels)
        .into_iter()
        .filter(|p| {
            p.pod.as_ref().is_some_and(|pod| {
                same_namespace(service, p)
                    && labels
                        .iter()
                        .all(|(k, v)| pod.labels.iter().any(|(pk, pv)| pk == k && pv == v))
            })
        })
        .collect()
}

/// K8S028 service-selects-nothing: a Service whose selector matches no pod template of the set.
fn service_selects_nothing(o: &ObjectFacts, all: &Objects<'_>, out: &mut Findings) {
    let Some((key, labels)) = o.service.as_ref().and_then(|s| s.selector.as_ref()) else {
        return;
    };
    if !all.near(|ix| Some(&ix.pods_near), o) || !selected_pods(o, labels, all).is_empty() {
        return;
    }
    // Pods an operator creates from a custom resource are often labelled with its name.
    if labels.iter().any(|(_, v)| operator_may_make(o, v, all)) {
        return;
    }
    out.report(Code::K8S028, key.clone())
        .message(format!(
            "{} selects {} but no pod template in {} has these labels",
            describe(o),
            show_labels(labels),
            namespace_words(o)
        ))
        .help("make the selector match the pod template labels of the workload it should route to");
}

/// K8S029 service-target-port-missing: a `targetPort` that no selected container declares.
fn service_target_port_missing(o: &ObjectFacts, all: &Objects<'_>, out: &mut Findings) {
    let Some(service) = &o.service else {
        return;
    };
    let Some((_, labels)) = &service.selector else {
        return;
    };
    let selected = selected_pods(o, labels, all);
    if selected.is_empty() {
        return;
    }
    let pods: Vec<&PodFacts> = selected.iter().filter_map(|p| p.pod.as_deref()).collect();
    for t in &service.target_ports {
        let missing = match &t.port {
            PortRef::Name(name) => !pods.iter().any(|p| p.port_names.contains(name)),
            // An undeclared number still works: only when every selected pod declares ports.
            PortRef::Number(n) => {
                pods.iter().all(|p| !p.port_numbers.is_empty())
                    && !pods.iter().any(|p| p.port_numbers.contains(n))
            }
        };
        if !missing {
            continue;
        }
        let (what, help) = match &t.port {
            PortRef::Name(name) => (
                format!("port named `{name}`"),
                "name a port that the selected containers declare in `ports`, or declare it",
            ),
            PortRef::Number(n) => (
                format!("port {n}"),
                "use a `containerPort` that the selected containers declare",
            ),
        };
        out.report(Code::K8S029, t.span.clone())
            .message(format!(
                "{} targets {what}, which no container of {} declares",
                describe(o),
                describe_all(&selected)
            ))
            .help(help);
    }
}

/// K8S030 hpa-target-missing: an HPA whose `scaleTargetRef` names no object of the set.
fn hpa_target_missing(o: &ObjectFacts, all: &Objects<'_>, out: &mut Findings) {
    let Some((kind, target)) = o.hpa_target.as_deref() else {
        return;
    };
    if !all.kind_near(kind, o) {
        return;
    }
    let found = all
        .named(kind, &target.name)
        .iter()
        .any(|w| same_namespace(o, w));
    if !found {
        out.report(Code::K8S030, target.span.clone())
            .message(format!(
                "{} scales {kind} {}, which is not defined in {}",
                describe(o),
                target.name,
                namespace_words(o)
            ))
            .help("fix `scaleTargetRef` to name the workload it should scale");
    }
}

/// K8S031 missing-network-policy: a pod template that no NetworkPolicy selects.
fn missing_network_policy(o: &ObjectFacts, all: &Objects<'_>, out: &mut Findings) {
    let Some(pod) = o.pod.as_ref().filter(|p| !p.host_network) else {
        return;
    };
    if !all.near(|ix| Some(&ix.network_policies_near), o) {
        return;
    }
    let selected = all.network_policies_for(&pod.labels).iter().any(|p| {
        p.network_policy
            .as_ref()
            .is_some_and(|s| same_namespace(o, p) && s.matches(&pod.labels) != Some(false))
    });
    if !selected {
        out.report(Code::K8S031, o.anchor.clone())
            .message(format!(
                "no NetworkPolicy in {} selects the pods of {}: they accept traffic from anywhere",
                namespace_words(o),
                describe(o)
            ))
            .help("add a NetworkPolicy whose podSelector matches these pods (or a default-deny policy for the namespace)");
    }
}

/// K8S032 missing-pod-disruption-budget: a workload with several replicas and no PDB.
fn missing_pod_disruption_budget(o: &ObjectFacts, all: &Objects<'_>, out: &mut Findings) {
    let (Some(pod), Some(count)) = (&o.pod, o.replicas.as_ref().and_then(|r| r.count)) else {
        return;
    };
    if count <= 1 || !all.near(|ix| Some(&ix.pdbs_near), o) {
        return;
    }
    let covered = all.pdbs_for(&pod.labels).iter().any(|p| {
        p.pdb
            .as_ref()
            .is_some_and(|b| same_namespace(o, p) && b.selector.matches(&pod.labels) != Some(false))
    });
    if !covered {
        out.report(Code::K8S032, o.anchor.clone())
            .message(format!(
                "{} runs {count} replicas but no PodDisruptionBudget selects its pods",
                describe(o)
            ))
            .help("add a PodDisruptionBudget (e.g. `maxUnavailable: 1`) so node drains keep some replicas up");
    }
}

/// K8S033 missing-config-reference: a ConfigMap or Secret used by a pod that the set lacks.
fn missing_config_reference(o: &ObjectFacts, all: &Objects<'_>, out: &mut Findings) {
    let Some(pod) = &o.pod else {
        return;
    };
    for r in &pod.config_refs {
        if !all.near(|ix| ix.definers_near.get(&r.kind), o) {
            continue;
        }
        let found = all
            .defining(r.kind, &r.name.name)
            .iter()
            .any(|c| same_namespace(o, c));
        if !found {
            let kind = r.kind.as_str();
            out.report(Code::K8S033, r.name.span.clone())
                .message(format!(
                    "{} uses {kind} {}, which is not defined in {}",
                    describe(o),
                    r.name.name,
                    namespace_words(o)
                ))
                .help(format!(
                    "define the {kind}, fix the name, or mark the reference `optional: true`"
                ));
        }
    }
}

/// The HPA of the set that scales `o`, if any.
fn scaled_by<'a>(o: &ObjectFacts, all: &Objects<'a>) -> Option<&'a ObjectFacts> {
    let name = o.name.as_deref()?;
    all.hpas_scaling(&o.kind, name)
        .into_iter()
        .find(|h| same_namespace(o, h))
}

/// K8S040 hpa-replicas-conflict: a workload an HPA scales that also sets `spec.replicas`.
fn hpa_replicas_conflict(o: &ObjectFacts, all: &Objects<'_>, out: &mut Findings) {
    let Some(replicas) = &o.replicas else {
        return;
    };
    let Some(hpa) = scaled_by(o, all) else {
        return;
    };
    let d = out
        .report(Code::K8S040, replicas.key.clone())
        .message(format!(
            "{} sets `spec.replicas` but {} scales it: every apply resets the scale",
            describe(o),
            describe(hpa)
        ))
        .help("remove `spec.replicas` and let the HorizontalPodAutoscaler own the replica count");
    if let Some(lines) = &replicas.lines {
        d.fix_safe("remove `spec.replicas`", vec![Edit::delete(lines.clone())]);
    }
}

/// How many pods `o` runs, when it can be told.
fn pod_count(o: &ObjectFacts, all: &Objects<'_>) -> Option<i64> {
    if o.kind == "Pod" {
        return Some(1);
    }
    if !REPLICATED.contains(&o.kind.as_str()) || scaled_by(o, all).is_some() {
        return None;
    }
    match &o.replicas {
        None => Some(1),
        Some(r) => r.count,
    }
}

/// K8S041 pdb-blocks-eviction: a PDB that allows no voluntary eviction.
fn pdb_blocks_eviction(o: &ObjectFacts, all: &Objects<'_>, out: &mut Findings) {
    let Some(pdb) = &o.pdb else {
        return;
    };
    let help = "allow at least one pod to be evicted (e.g. `maxUnavailable: 1`), or node drains and upgrades hang";
    if let Some(m) = &pdb.max_unavailable {
        if matches!(m.value, IntOrPercent::Int(0) | IntOrPercent::Percent(0)) {
            out.report(Code::K8S041, m.span.clone())
                .message(format!(
                    "{} has `maxUnavailable: 0`: no pod it selects can ever be evicted",
                    describe(o)
                ))
                .help(help);
        }
        return;
    }
    let Some(min) = &pdb.min_available else {
        return;
    };
    let n = match min.value {
        IntOrPercent::Percent(p) if p >= 100 => {
            out.report(Code::K8S041, min.span.clone())
                .message(format!(
                    "{} requires 100% of its pods available: none can ever be evicted",
                    describe(o)
                ))
                .help(help);
            return;
        }
        IntOrPercent::Percent(_) => return,
        IntOrPercent::Int(n) if n > 0 => n,
        IntOrPercent::Int(_) => return,
    };
    let selected: Vec<&ObjectFacts> = all
        .pods_selected_by(&pdb.selector)
        .into_iter()
        .filter(|w| {
            w.pod.as_ref().is_some_and(|p| {
                same_namespace(o, w) && pdb.selector.matches(&p.labels) != Some(false)
            })
        })
        .collect();
    if selected.is_empty() || matches!(pdb.selector, Selector::Unknown) {
        return;
    }
    let mut total = 0i64;
    for w in &selected {
        match pod_count(w, all) {
            Some(c) => total = total.saturating_add(c),
            None => return,
        }
    }
    if n >= total {
        out.report(Code::K8S041, min.span.clone())
            .message(format!(
                "{} requires {n} pods available but {} run{} {total}: none can ever be evicted",
                describe(o),
                describe_all(&selected),
                if selected.len() == 1 { "s" } else { "" }
            ))
            .help(help);
    }
}

/// K8S044 dangling-reference: a Service or ServiceAccount named but not defined in the set.
fn dangling_reference(o: &ObjectFacts, all: &Objects<'_>, out: &mut Findings) {
    let mut refs: Vec<(&str, &Named, &str)> = Vec::new();
    for b in &o.backends {
        refs.push(("Service", b, "an Ingress backend"));
    }
    if let Some(s) = &o.service_name {
        refs.push(("Service", s, "the governing Service (`serviceName`)"));
    }
    if let Some(sa) = o.pod.as_ref().and_then(|p| p.service_account.as_ref()) {
        refs.push(("ServiceAccount", sa, "the pods' ServiceAccount"));
    }
    for (kind, r, role) in refs {
        if !all.kind_near(kind, o) {
            continue;
        }
        let found = all
            .named(kind, &r.name)
            .iter()
            .any(|c| same_namespace(o, c));
        if !found && !operator_may_make(o, &r.name, all) {
            out.report(Code::K8S044, r.span.clone())
                .message(format!(
                    "{} names {kind} {} as {role}, but no {kind} of that name is defined in {}",
                    describe(o),
                    r.name,
                    namespace_words(o)
                ))
                .help(format!("fix the name, or add the {kind}"));
        }
    }
}

/// Kinds of the core API and the usual add-ons (not operators' custom resources).
fn is_builtin(kind: &str) -> bool {
    const KINDS: &[&str] = &[
        "Service",
        "ConfigMap",
        "Secret",
        "ServiceAccount",
        "Ingress",
        "IngressClass",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "Role",
        "RoleBinding",
        "ClusterRole",
        "ClusterRoleBinding",
        "Namespace",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "StorageClass",
        "LimitRange",
        "ResourceQuota",
        "Endpoints",
        "EndpointSlice",
        "PriorityClass",
        "CustomResourceDefinition",
        "Kustomization",
        "SealedSecret",
        "ExternalSecret",
        "Certificate",
        "ServiceMonitor",
        "PodMonitor",
        "PrometheusRule",
    ];
    KINDS.contains(&kind)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_findings, assert_fixed, first_message};
    use super::*;
    use crate::lang::LintContext;

    const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        tier: front
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - name: http
              containerPort: 8080
";

    fn with_deploy(extra: &str) -> String {
        format!("{DEPLOY}---\n{extra}")
    }

    /// The (line, column) of `code` findings in file `this` of a set of texts.
    fn in_set(code: Code, texts: &[&str], this: usize) -> Vec<(u32, u32)> {
        let sources: Vec<SourceFile> = texts
            .iter()
            .map(|t| SourceFile::new("m.yaml", *t))
            .collect();
        let facts: Vec<Facts> = sources
            .iter()
            .map(|s| super::super::super::prelint(s, &LintContext::default()).1)
            .collect();
        let refs: Vec<&Facts> = facts.iter().collect();
        let mut out = Findings::new();
        check(&refs, this, &mut out);
        out.into_vec()
            .iter()
            .filter(|d| d.code == code)
            .map(|d| {
                let p = sources[this].line_col(d.span.start);
                (p.line, p.column)
            })
            .collect()
    }

    const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: http
";

    #[test]
    fn k8s028_service_selects_nothing() {
        let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector:\n    app: api\n";
        assert_findings(Code::K8S028, &with_deploy(svc), &[(28, 3)]);
        assert!(first_message(Code::K8S028, &with_deploy(svc))
            .is_some_and(|m| m.contains("Service api selects app=api")));
        // Across files of one run.
        assert_eq!(in_set(Code::K8S028, &[svc, DEPLOY], 0), vec![(6, 3)]);
        assert_eq!(in_set(Code::K8S028, &[SERVICE, DEPLOY], 0), vec![]);
        // A different namespace does not match; an unwritten one may.
        let other_ns = DEPLOY.replace("  name: web\nspec", "  name: web\n  namespace: b\nspec");
        let svc_a = SERVICE.replace("  name: web\nspec", "  name: web\n  namespace: a\nspec");
        assert_eq!(in_set(Code::K8S028, &[SERVICE, &other_ns], 0), vec![]);
        // No pod template at all in namespace a: silent; one that does not match: flagged.
        assert_eq!(in_set(Code::K8S028, &[&svc_a, &other_ns], 0), vec![]);
        let api_a = other_ns
            .replace("namespace: b", "namespace: a")
            .replace("app: web", "app: api");
        assert_eq!(
            in_set(Code::K8S028, &[&svc_a, &other_ns, &api_a], 0),
            vec![(7, 3)]
        );
    }

    #[test]
    fn k8s028_not_flagged() {
        // No pod template at all in the set: silent.
        assert_findings(Code::K8S028, SERVICE, &[]);
        // Matching, a subset of the labels, a CronJob or bare Pod template.
        assert_findings(Code::K8S028, &with_deploy(SERVICE), &[]);
        let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels:\n            app: web\n        spec:\n          containers:\n            - name: c\n              image: busybox:1\n";
        assert_findings(Code::K8S028, &format!("{cron}---\n{SERVICE}"), &[]);
        // ExternalName, selector-less and empty selectors.
        let ext = "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  type: ExternalName\n  externalName: db.example.com\n  selector:\n    app: nope\n";
        let bare = "apiVersion: v1\nkind: Service\nmetadata:\n  name: y\nspec:\n  selector: {}\n  ports:\n    - port: 80\n";
        assert_findings(Code::K8S028, &with_deploy(ext), &[]);
        assert_findings(Code::K8S028, &with_deploy(bare), &[]);
        // Pods an operator makes from a custom resource named like a selector value.
        let cr = "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata:\n  name: k8s\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: p\nspec:\n  selector:\n    prometheus: k8s\n";
        assert_findings(Code::K8S028, &with_deploy(cr), &[]);
        // Labels the Job controller adds, and placeholders filled in later.
        let job = SERVICE.replace("app: web", "job-name: train");
        assert_findings(Code::K8S028, &with_deploy(&job), &[]);
        let env = SERVICE.replace("app: web", "app: ${APP}");
        assert_findings(Code::K8S028, &with_deploy(&env), &[]);
        // A List of objects.
        let list = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata:\n      name: p\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: p\n          image: nginx:1\n  - apiVersion: v1\n    kind: Service\n    metadata:\n      name: s\n    spec:\n      selector:\n        app: web\n";
        assert_findings(Code::K8S028, list, &[]);
    }

    #[test]
    fn k8s029_service_target_port_missing() {
        let svc = SERVICE.replace("targetPort: http", "targetPort: web-http");
        assert_findings(Code::K8S029, &with_deploy(&svc), &[(32, 19)]);
        let num = SERVICE.replace("targetPort: http", "targetPort: 9090");
        assert_findings(Code::K8S029, &with_deploy(&num), &[(32, 19)]);
        assert_eq!(in_set(Code::K8S029, &[&num, DEPLOY], 0), vec![(10, 19)]);
    }

    #[test]
    fn k8s029_not_flagged() {
        assert_findings(Code::K8S029, &with_deploy(SERVICE), &[]);
        let num = SERVICE.replace("targetPort: http", "targetPort: 8080");
        assert_findings(Code::K8S029, &with_deploy(&num), &[]);
        let quoted = SERVICE.replace("targetPort: http", "targetPort: \"8080\"");
        assert_findings(Code::K8S029, &with_deploy(&quoted), &[]);
        // A pod that declares no ports: an undeclared number still works.
        let no_ports = DEPLOY.replace(
            "          ports:\n            - name: http\n              containerPort: 8080\n",
            "",
        );
        let num = SERVICE.replace("targetPort: http", "targetPort: 9090");
        assert_findings(Code::K8S029, &format!("{no_ports}---\n{num}"), &[]);
        // The selector matches nothing: K8S028's business, not this rule's.
        let other = SERVICE
            .replace("app: web", "app: api")
            .replace("targetPort: http", "targetPort: nope");
        assert_findings(Code::K8S029, &with_deploy(&other), &[]);
        // Alone in the set.
        assert_findings(Code::K8S029, &SERVICE.replace("http", "nope"), &[]);
        // Placeholders are not port names.
        for p in ["PORT", "${PORT_NAME}"] {
            let svc = SERVICE.replace("targetPort: http", &format!("targetPort: \"{p}\""));
            assert_findings(Code::K8S029, &with_deploy(&svc), &[]);
        }
    }

    const HPA: &str = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 5
";

    #[test]
    fn k8s030_hpa_target_missing() {
        let hpa = HPA.replace("name: web\n  minReplicas", "name: wbe\n  minReplicas");
        assert_findings(Code::K8S030, &with_deploy(&hpa), &[(31, 11)]);
        assert_eq!(in_set(Code::K8S030, &[DEPLOY, &hpa], 1), vec![(9, 11)]);
    }

    #[test]
    fn k8s030_not_flagged() {
        assert_findings(Code::K8S030, &with_deploy(HPA), &[]);
        // No Deployment in the set, or the HPA targets a kind the set has none of.
        assert_findings(Code::K8S030, HPA, &[]);
        let sts = HPA.replace("kind: Deployment", "kind: StatefulSet");
        assert_findings(Code::K8S030, &with_deploy(&sts), &[]);
    }

    #[test]
    fn k8s040_hpa_replicas_conflict() {
        assert_findings(Code::K8S040, &with_deploy(HPA), &[(6, 3)]);
        assert_eq!(in_set(Code::K8S040, &[DEPLOY, HPA], 0), vec![(6, 3)]);
        assert_eq!(in_set(Code::K8S040, &[DEPLOY, HPA], 1), vec![]);
        let text = with_deploy(HPA);
        assert_fixed(Code::K8S040, &text, &text.replace("  replicas: 3\n", ""));
        // A comment after the value goes with the line.
        let commented = text.replace("replicas: 3", "replicas: 3 # scaled by hand");
        assert_fixed(
            Code::K8S040,
            &commented,
            &text.replace("  replicas: 3\n", ""),
        );
    }

    #[test]
    fn k8s040_not_flagged() {
        let no_replicas = DEPLOY.replace("  replicas: 3\n", "");
        assert_findings(Code::K8S040, &format!("{no_replicas}---\n{HPA}"), &[]);
        assert_findings(Code::K8S040, DEPLOY, &[]);
        let other = HPA.replace("name: web\n  minReplicas", "name: api\n  minReplicas");
        assert_findings(Code::K8S040, &with_deploy(&other), &[]);
        // Another namespace.
        let ns = HPA.replace("  name: web\nspec", "  name: web\n  namespace: b\nspec");
        let deploy_a = DEPLOY.replace("  name: web\nspec", "  name: web\n  namespace: a\nspec");
        assert_findings(Code::K8S040, &format!("{deploy_a}---\n{ns}"), &[]);
    }

    #[test]
    fn k8s040_flow_style_has_no_fix() {
        let text = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec: {{replicas: 2, template: {{spec: {{containers: []}}}}}}\n---\n{HPA}"
        );
        let source = SourceFile::new("m.yaml", text.as_str());
        let out = super::super::super::lint(&source, &LintContext::default());
        let d = out.diagnostics.iter().find(|d| d.code == Code::K8S040);
        assert!(d.is_some_and(|d| d.fix.is_none()), "{d:?}");
    }

    const PDB: &str = "apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 3
  selector:
    matchLabels:
      app: web
";

    #[test]
    fn k8s041_pdb_blocks_eviction() {
        assert_findings(Code::K8S041, &with_deploy(PDB), &[(28, 17)]);
        assert_eq!(in_set(Code::K8S041, &[PDB, DEPLOY], 0), vec![(6, 17)]);
        let zero = PDB.replace("minAvailable: 3", "maxUnavailable: 0");
        assert_findings(Code::K8S041, &zero, &[(6, 19)]);
        let pct = PDB.replace("minAvailable: 3", "maxUnavailable: \"0%\"");
        assert_findings(Code::K8S041, &pct, &[(6, 19)]);
        let all = PDB.replace("minAvailable: 3", "minAvailable: 100%");
        assert_findings(Code::K8S041, &all, &[(6, 17)]);
        // matchExpressions; a bare Pod counts as one.
        let expr = PDB.replace(
            "    matchLabels:\n      app: web\n",
            "    matchExpressions:\n      - {key: tier, operator: In, values: [front]}\n",
        );
        assert_findings(Code::K8S041, &with_deploy(&expr), &[(28, 17)]);
    }

    #[test]
    fn k8s041_not_flagged() {
        let two = PDB.replace("minAvailable: 3", "minAvailable: 2");
        assert_findings(Code::K8S041, &with_deploy(&two), &[]);
        // Nothing selected in the set, a DaemonSet (count unknown), an HPA-scaled workload.
        assert_findings(Code::K8S041, PDB, &[]);
        let ds = DEPLOY
            .replace("kind: Deployment", "kind: DaemonSet")
            .replace("  replicas: 3\n", "");
        assert_findings(Code::K8S041, &format!("{ds}---\n{PDB}"), &[]);
        assert_findings(
            Code::K8S041,
            &format!("{}---\n{HPA}---\n{PDB}", DEPLOY),
            &[],
        );
        let pct = PDB.replace("minAvailable: 3", "minAvailable: 50%");
        assert_findings(Code::K8S041, &with_deploy(&pct), &[]);
        let one = PDB.replace("minAvailable: 3", "maxUnavailable: 1");
        assert_findings(Code::K8S041, &with_deploy(&one), &[]);
        let other = PDB.replace("app: web", "app: api");
        assert_findings(Code::K8S041, &with_deploy(&other), &[]);
    }

    const NETPOL: &str = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api
spec:
  podSelector:
    matchLabels:
      app: api
";

    #[test]
    fn k8s031_missing_network_policy() {
        assert_findings(Code::K8S031, &with_deploy(NETPOL), &[(2, 7)]);
        assert_eq!(in_set(Code::K8S031, &[DEPLOY, NETPOL], 0), vec![(2, 7)]);
    }

    #[test]
    fn k8s031_not_flagged() {
        assert_findings(Code::K8S031, DEPLOY, &[]);
        let all = NETPOL
            .replace("    matchLabels:\n      app: api\n", "")
            .replace("podSelector:", "podSelector: {}");
        assert_findings(Code::K8S031, &with_deploy(&all), &[]);
        let web = NETPOL.replace("app: api", "app: web");
        assert_findings(Code::K8S031, &with_deploy(&web), &[]);
        let host = DEPLOY.replace(
            "    spec:\n      containers",
            "    spec:\n      hostNetwork: true\n      containers",
        );
        assert_findings(Code::K8S031, &format!("{host}---\n{NETPOL}"), &[]);
    }

    #[test]
    fn k8s032_missing_pod_disruption_budget() {
        let other = PDB.replace("app: web", "app: api");
        assert_findings(Code::K8S032, &with_deploy(&other), &[(2, 7)]);
    }

    #[test]
    fn k8s032_not_flagged() {
        // No PDB in the set; one replica; covered.
        assert_findings(Code::K8S032, DEPLOY, &[]);
        let two = PDB.replace("minAvailable: 3", "minAvailable: 1");
        assert_findings(Code::K8S032, &with_deploy(&two), &[]);
        let one = DEPLOY.replace("replicas: 3", "replicas: 1");
        let other = PDB.replace("app: web", "app: api");
        assert_findings(Code::K8S032, &format!("{one}---\n{other}"), &[]);
    }

    #[test]
    fn k8s033_missing_config_reference() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: p\n      image: app:1\n      envFrom:\n        - configMapRef:\n            name: settings\n      env:\n        - name: TOKEN\n          valueFrom:\n            secretKeyRef:\n              name: creds\n              key: token\n        - name: OPT\n          valueFrom:\n            secretKeyRef:\n              name: maybe\n              key: x\n              optional: true\n  volumes:\n    - name: v\n      configMap:\n        name: files\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: files\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: other\n";
        assert_findings(Code::K8S033, pod, &[(11, 19), (16, 21)]);
        // No Secret in the set: only the ConfigMap is checked.
        let no_secret = pod.replace("kind: Secret", "kind: ServiceAccount");
        assert_findings(Code::K8S033, &no_secret, &[(11, 19)]);
        // Defined by a Kustomization generator or an ExternalSecret.
        let generated = format!("{pod}---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nconfigMapGenerator:\n  - name: settings\n---\napiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n  name: x\nspec:\n  target:\n    name: creds\n");
        assert_findings(Code::K8S033, &generated, &[]);
    }

    #[test]
    fn k8s044_dangling_reference() {
        let ing = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  rules:\n    - http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: wbe\n                port:\n                  number: 80\n";
        assert_eq!(in_set(Code::K8S044, &[ing, SERVICE], 0), vec![(13, 23)]);
        let good = ing.replace("name: wbe", "name: web");
        assert_eq!(in_set(Code::K8S044, &[&good, SERVICE], 0), vec![]);
        // No Service in the set: silent.
        assert_findings(Code::K8S044, ing, &[]);
        let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n";
        let uses = DEPLOY.replace(
            "      containers:",
            "      serviceAccountName: builder\n      containers:",
        );
        assert_eq!(in_set(Code::K8S044, &[&uses, sa], 0), vec![(16, 27)]);
        let ok = uses.replace("builder", "runner");
        assert_eq!(in_set(Code::K8S044, &[&ok, sa], 0), vec![]);
        let default = uses.replace("builder", "default");
        assert_eq!(in_set(Code::K8S044, &[&default, sa], 0), vec![]);
        assert_findings(Code::K8S044, &uses, &[]);
        for placeholder in ["${KSA_NAME}", "<KSA>"] {
            let p = uses.replace("builder", &format!("\"{placeholder}\""));
            assert_eq!(in_set(Code::K8S044, &[&p, sa], 0), vec![]);
        }
        // A Service an operator makes from its custom resource.
        let eck = format!("{ing}---\napiVersion: kibana.k8s.elastic.co/v1\nkind: Kibana\nmetadata:\n  name: wbe\n");
        assert_eq!(in_set(Code::K8S044, &[&eck, SERVICE], 0), vec![]);
        let sts = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db-headless\n  selector:\n    matchLabels:\n      app: db\n  template:\n    metadata:\n      labels:\n        app: db\n    spec:\n      containers:\n        - name: db\n          image: postgres:16\n";
        assert_eq!(in_set(Code::K8S044, &[sts, SERVICE], 0), vec![(6, 16)]);
        assert_findings(Code::K8S044, sts, &[]);
    }

    #[test]
    fn selectors() {
        let l: Labels = vec![
            ("app".into(), "web".into()),
            ("tier".into(), "front".into()),
        ];
        let m = |exprs: Vec<Expr>| Selector::Match {
            labels: vec![],
            exprs,
        };
        let e = |key: &str, op, values: &[&str]| Expr {
            key: key.into(),
            op,
            values: values.iter().map(|v| v.to_string()).collect(),
        };
        assert_eq!(m(vec![]).matches(&l), Some(true));
        assert_eq!(
            m(vec![e("app", Op::NotIn, &["web"])]).matches(&l),
            Some(false)
        );
        assert_eq!(
            m(vec![e("env", Op::NotIn, &["prod"])]).matches(&l),
            Some(true)
        );
        assert_eq!(
            m(vec![e("env", Op::DoesNotExist, &[])]).matches(&l),
            Some(true)
        );
        assert_eq!(m(vec![e("tier", Op::Exists, &[])]).matches(&l), Some(true));
        assert_eq!(Selector::Nothing.matches(&l), Some(false));
        assert_eq!(Selector::Unknown.matches(&l), None);
    }
}
