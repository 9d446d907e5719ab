//! Probe rules: readiness and liveness probes of long-running workloads (K8S007, K8S008), and
//! how the probes of a container relate (K8S009–K8S011).

use super::super::model::{Container, Object};
use super::super::yaml::{Kind, Node};
use super::super::Ctx;
use super::resources::PROBE_TIMINGS;
use crate::diagnostic::{Findings, Span};
use crate::registry::Code;

pub fn check(cx: &Ctx<'_>, out: &mut Findings) {
    missing_readiness_probe(cx, out);
    missing_liveness_probe(cx, out);
    identical_probes(cx, out);
    probe_port_not_exposed(cx, out);
    liveness_before_readiness(cx, out);
}

/// Whether the object runs its pods until they are replaced: the workload kinds, Argo
/// Rollouts, and bare Pods that restart (`restartPolicy: Always`, the default). Never Jobs,
/// CronJobs or other custom resources.
fn long_running(obj: &Object<'_>) -> bool {
    let Some(pod) = &obj.pod else {
        return false;
    };
    match obj.kind {
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "DeploymentConfig" => true,
        "Rollout" => obj.group() == "argoproj.io",
        // A pod spec found elsewhere (pod YAML in a Jenkinsfile agent) has another path.
        "Pod" => {
            pod.path == "spec"
                && pod
                    .get("restartPolicy")
                    .and_then(Node::as_str)
                    .map_or(true, |p| p == "Always")
        }
        _ => false,
    }
}

/// A probe written as a mapping (K8S002 reports anything else).
fn probe(node: Option<&Node>) -> Option<&Node> {
    node.filter(|p| p.is_mapping())
}

/// The span of a container's `key:` key, else its anchor.
fn key_span(c: &Container<'_>, key: &str) -> Span {
    c.node
        .entry(key)
        .map_or_else(|| c.anchor(), |e| e.key.span.clone())
}

/// K8S007 missing-readiness-probe: a container of a long-running workload without a
/// `readinessProbe`.
fn missing_readiness_probe(cx: &Ctx<'_>, out: &mut Findings) {
    missing_probe(
        cx,
        out,
        Code::K8S007,
        "readiness",
        |c| c.readiness_probe,
        "add a `readinessProbe` (e.g. `httpGet` on a health endpoint) so traffic reaches the pod only once it can serve, and rollouts wait for it",
    );
}

/// K8S008 missing-liveness-probe: a container of a long-running workload without a
/// `livenessProbe`.
fn missing_liveness_probe(cx: &Ctx<'_>, out: &mut Findings) {
    missing_probe(
        cx,
        out,
        Code::K8S008,
        "liveness",
        |c| c.liveness_probe,
        "add a `livenessProbe` that fails only when the process is stuck (not when a dependency is down), so the kubelet restarts it",
    );
}

/// The shared walk of K8S007/K8S008: each app container of a complete long-running workload
/// whose `probe` is missing or null, reported at the container's name.
fn missing_probe<'a>(
    cx: &Ctx<'a>,
    out: &mut Findings,
    code: Code,
    kind: &str,
    probe: impl Fn(&Container<'a>) -> Option<&'a Node>,
    help: &str,
) {
    for obj in cx
        .model
        .objects
        .iter()
        .filter(|o| long_running(o) && !cx.partial(o))
    {
        let Some(pod) = &obj.pod else { continue };
        for c in pod.app_containers() {
            if probe(c).is_some_and(|p| !p.is_null()) {
                continue;
            }
            out.report(code, c.anchor())
                .message(format!(
                    "{} of {} has no {kind} probe",
                    c.display_name(),
                    obj.display_name()
                ))
                .help(help);
        }
    }
}

/// Whether two nodes hold the same YAML value: scalars by value, mappings whatever the order
/// of their keys.
fn same_value(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (Kind::Scalar(x), Kind::Scalar(y)) => x.value == y.value,
        (Kind::Null, Kind::Null) => true,
        (Kind::Sequence(x), Kind::Sequence(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (Kind::Mapping(x), Kind::Mapping(y)) => {
            x.len() == y.len()
                && x.iter().all(|e| {
                    e.key
                        .as_str()
                        .and_then(|k| b.get(k))
                        .is_some_and(|v| same_value(&e.value, v))
                })
        }
        _ => false,
    }
}

/// Whether two probes are the same once the timing fields left out take their defaults.
fn same_probe(a: &Node, b: &Node) -> bool {
    let timing = |k: &str| PROBE_TIMINGS.iter().any(|(t, _)| *t == k);
    let handler = |p: &Node| {
        p.entries()
            .iter()
            .filter(|e| e.key.as_str().map_or(true, |k| !timing(k)))
            .count()
    };
    let handlers_equal = handler(a) == handler(b)
        && a.entries().iter().all(|e| match e.key.as_str() {
            Some(k) if timing(k) => true,
            Some(k) => b.get(k).is_some_and(|v| same_value(&e.value, v)),
            None => false,
        });
    handlers_equal
        && PROBE_TIMINGS.iter().all(|(field, default)| {
            let value = |p: &Node| match p.get(field) {
                None => Some(*default),
                Some(v) if v.is_null() => Some(*default),
                Some(v) => v.as_i64(),
            };
            matches!((value(a), value(b)), (Some(x), Some(y)) if x == y)
        })
}

/// K8S009 identical-probes: liveness and readiness probes that are the same.
fn identical_probes(cx: &Ctx<'_>, out: &mut Findings) {
    for obj in &cx.model.objects {
        let Some(pod) = &obj.pod else { continue };
        for c in pod.app_containers() {
            let (Some(live), Some(ready)) = (probe(c.liveness_probe), probe(c.readiness_probe))
            else {
                continue;
            };
            if !same_probe(live, ready) {
                continue;
            }
            out.report(Code::K8S009, key_span(c, "livenessProbe"))
                .message(format!(
                    "the liveness and readiness probes of {} of {} are identical",
                    c.display_name(),
                    obj.display_name()
                ))
                .help("make the liveness probe more lenient (a higher `failureThreshold`, or a check that does not depend on other services): when both fail together, pods are restarted instead of being taken out of traffic")
                .label(key_span(c, "readinessProbe"), "the same probe");
        }
    }
}

/// K8S010 probe-port-not-exposed: a probe naming a port that the container does not declare.
fn probe_port_not_exposed(cx: &Ctx<'_>, out: &mut Findings) {
    for obj in &cx.model.objects {
        let Some(pod) = &obj.pod else { continue };
        for c in pod.app_containers() {
            let declared = |name: &str| {
                c.ports
                    .iter()
                    .any(|p| p.name.and_then(Node::as_str) == Some(name))
            };
            for (key, node) in [
                ("livenessProbe", c.liveness_probe),
                ("readinessProbe", c.readiness_probe),
                ("startupProbe", c.startup_probe),
            ] {
                let Some(p) = probe(node) else { continue };
                for handler in ["httpGet", "tcpSocket"] {
                    let Some(port) = p.path(&[handler, "port"]) else {
                        continue;
                    };
                    let Some(name) = port.as_str() else { continue };
                    // A number (even quoted) is not a name; an empty or templated value is
                    // not checked.
                    if name.is_empty()
                        || name.bytes().all(|b| b.is_ascii_digit())
                        || name.contains("${")
                        || declared(name)
                    {
                        continue;
                    }
                    out.report(Code::K8S010, port.span.clone())
                        .message(format!(
                            "the {key} of {} of {} uses port `{name}`, which the container does not declare",
                            c.display_name(),
                            obj.display_name()
                        ))
                        .help(format!("declare it in the container's `ports` (`- name: {name}` with its `containerPort`), or probe the port by number; the kubelet cannot resolve the name and the probe fails"));
                }
            }
        }
    }
}

/// K8S011 liveness-before-readiness: the liveness probe starts before the readiness probe and
/// no startup probe holds it back.
fn liveness_before_readiness(cx: &Ctx<'_>, out: &mut Findings) {
    for obj in &cx.model.objects {
        let Some(pod) = &obj.pod else { continue };
        for c in pod.app_containers() {
            let (Some(live), Some(ready)) = (probe(c.liveness_probe), probe(c.readiness_probe))
            else {
                continue;
            };
            if c.startup_probe.is_some_and(|p| !p.is_null()) {
                continue;
            }
            let delay = |p: &Node| match p.get("initialDelaySeconds") {
                None => Some(0),
                Some(v) if v.is_null() => Some(0),
                Some(v) => v.as_i64(),
            };
            let (Some(live_delay), Some(ready_delay)) = (delay(live), delay(ready)) else {
                continue;
            };
            if live_delay >= ready_delay {
                continue;
            }
            let at = live
                .entry("initialDelaySeconds")
                .map_or_else(|| key_span(c, "livenessProbe"), |e| e.value.span.clone());
            let ready_at = ready
                .entry("initialDelaySeconds")
                .map_or_else(|| key_span(c, "readinessProbe"), |e| e.value.span.clone());
            out.report(Code::K8S011, at)
                .message(format!(
                    "the liveness probe of {} of {} starts after {live_delay}s, before the readiness probe ({ready_delay}s)",
                    c.display_name(),
                    obj.display_name()
                ))
                .help("give the liveness probe an `initialDelaySeconds` at least the readiness probe's, or add a `startupProbe` that covers the start-up time")
                .label(ready_at, "the readiness probe's delay");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::registry::Code::*;

    const PROBES: &str = "        ports: [{name: http, containerPort: 8080}]\n        readinessProbe: {httpGet: {path: /ready, port: http}}\n        livenessProbe: {httpGet: {path: /live, port: http}}\n";

    #[test]
    fn missing_readiness_probe() {
        assert_findings(K8S007, &deploy(PROBES), &[]);
        assert_findings(K8S007, &deploy(""), &[(13, 15)]);
        assert!(first_message(K8S007, &deploy(""))
            .unwrap()
            .contains("container app of Deployment web has no readiness probe"));
        for kind in ["StatefulSet", "DaemonSet", "ReplicaSet"] {
            assert_findings(K8S007, &workload("apps/v1", kind, ""), &[(13, 15)]);
        }
        assert_findings(
            K8S007,
            &workload("v1", "ReplicationController", ""),
            &[(13, 15)],
        );
        assert_findings(
            K8S007,
            &workload("apps.openshift.io/v1", "DeploymentConfig", ""),
            &[(13, 15)],
        );
        assert_findings(
            K8S007,
            &workload("argoproj.io/v1alpha1", "Rollout", ""),
            &[(13, 15)],
        );
        // Jobs, CronJobs and other custom resources run to completion or are not known.
        assert_findings(K8S007, &workload("batch/v1", "Job", ""), &[]);
        assert_findings(K8S007, &workload("example.com/v1", "Rollout", ""), &[]);
        assert_findings(K8S007, &workload("example.com/v1", "Thing", ""), &[]);
        let cron = "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: job, image: x:1}]\n";
        assert_findings(K8S007, cron, &[]);
        // Bare Pods: only those that restart.
        let pod = |policy: &str| {
            format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{policy}  containers:\n  - {{name: app, image: x:1}}\n")
        };
        assert_findings(K8S007, &pod(""), &[(6, 12)]);
        assert_findings(K8S007, &pod("  restartPolicy: Always\n"), &[(7, 12)]);
        assert_findings(K8S007, &pod("  restartPolicy: Never\n"), &[]);
        assert_findings(K8S007, &pod("  restartPolicy: OnFailure\n"), &[]);
        // Not init or ephemeral containers; each regular container on its own.
        let mixed = "apiVersion: v1\nkind: Pod\nspec:\n  initContainers:\n  - {name: init, image: x:1}\n  containers:\n  - {name: a, image: x:1, readinessProbe: {tcpSocket: {port: 80}}}\n  - {name: b, image: x:1}\n  ephemeralContainers:\n  - {name: debug, image: x:1}\n";
        assert_findings(K8S007, mixed, &[(8, 12)]);
        // A List and several documents.
        let list = format!("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n    containers: [{{name: a, image: x:1}}]\n---\n{}", deploy(PROBES));
        assert_findings(K8S007, &list, &[(7, 25)]);
    }

    #[test]
    fn missing_liveness_probe() {
        assert_findings(K8S008, &deploy(PROBES), &[]);
        assert_findings(
            K8S008,
            &deploy("        readinessProbe: {tcpSocket: {port: 80}}\n"),
            &[(13, 15)],
        );
        assert_findings(K8S008, &workload("batch/v1", "Job", ""), &[]);
        let pod = "apiVersion: v1\nkind: Pod\nspec:\n  restartPolicy: Never\n  containers: [{name: a, image: x:1}]\n";
        assert_findings(K8S008, pod, &[]);
        let init = "apiVersion: v1\nkind: Pod\nspec:\n  initContainers: [{name: init, image: x:1}]\n  containers: [{name: a, image: x:1, livenessProbe: {tcpSocket: {port: 80}}}]\n";
        assert_findings(K8S008, init, &[]);
    }

    #[test]
    fn identical_probes() {
        assert_findings(K8S009, &deploy(PROBES), &[]);
        let same = "        readinessProbe:\n          httpGet: {path: /health, port: 8080}\n          periodSeconds: 10\n        livenessProbe:\n          httpGet: {port: 8080, path: /health}\n";
        assert_findings(K8S009, &deploy(same), &[(18, 9)]);
        // A more lenient liveness probe on the same endpoint is the advice, not a finding.
        let lenient = "        readinessProbe:\n          httpGet: {path: /health, port: 8080}\n        livenessProbe:\n          httpGet: {path: /health, port: 8080}\n          failureThreshold: 6\n";
        assert_findings(K8S009, &deploy(lenient), &[]);
        let other_port = "        readinessProbe: {tcpSocket: {port: 8080}}\n        livenessProbe: {tcpSocket: {port: 8081}}\n";
        assert_findings(K8S009, &deploy(other_port), &[]);
        let exec = "        readinessProbe: {exec: {command: [cat, /tmp/ok]}}\n        livenessProbe: {exec: {command: [cat, /tmp/ok]}}\n";
        assert_findings(K8S009, &deploy(exec), &[(16, 9)]);
        // One probe alone is not identical to anything.
        assert_findings(
            K8S009,
            &deploy("        livenessProbe: {tcpSocket: {port: 80}}\n"),
            &[],
        );
    }

    #[test]
    fn probe_port_not_exposed() {
        assert_findings(K8S010, &deploy(PROBES), &[]);
        let undeclared = "        ports: [{name: web, containerPort: 8080}]\n        readinessProbe: {httpGet: {path: /, port: http}}\n        livenessProbe: {tcpSocket: {port: http}}\n        startupProbe: {tcpSocket: {port: web}}\n";
        assert_findings(K8S010, &deploy(undeclared), &[(16, 51), (17, 43)]);
        // No ports at all.
        assert_findings(
            K8S010,
            &deploy("        readinessProbe: {httpGet: {port: metrics}}\n"),
            &[(15, 42)],
        );
        // Numbers (also quoted) are never flagged.
        let numbers = "        readinessProbe: {httpGet: {port: 8080}}\n        livenessProbe: {tcpSocket: {port: \"8080\"}}\n";
        assert_findings(K8S010, &deploy(numbers), &[]);
        // Ports of another container do not count; init containers are not read.
        let pod = "apiVersion: v1\nkind: Pod\nspec:\n  initContainers:\n  - {name: i, image: x:1, readinessProbe: {tcpSocket: {port: nope}}}\n  containers:\n  - {name: a, image: x:1, ports: [{name: http, containerPort: 80}]}\n  - {name: b, image: x:1, readinessProbe: {tcpSocket: {port: http}}}\n";
        assert_findings(K8S010, pod, &[(8, 62)]);
    }

    #[test]
    fn liveness_before_readiness() {
        assert_findings(K8S011, &deploy(PROBES), &[]);
        let early = "        readinessProbe:\n          tcpSocket: {port: 80}\n          initialDelaySeconds: 30\n        livenessProbe:\n          tcpSocket: {port: 80}\n          initialDelaySeconds: 10\n";
        assert_findings(K8S011, &deploy(early), &[(20, 32)]);
        assert!(first_message(K8S011, &deploy(early))
            .unwrap()
            .contains("starts after 10s, before the readiness probe (30s)"));
        // No delay on the liveness probe: it starts at 0, pointed at `livenessProbe`.
        let none = "        readinessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 5}\n        livenessProbe: {tcpSocket: {port: 80}}\n";
        assert_findings(K8S011, &deploy(none), &[(16, 9)]);
        // A startup probe holds the liveness probe back.
        let startup = format!(
            "{early}        startupProbe: {{tcpSocket: {{port: 80}}, failureThreshold: 30}}\n"
        );
        assert_findings(K8S011, &deploy(&startup), &[]);
        // Equal or later, and values that are not integers (K8S002 reports them).
        let equal = "        readinessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 10}\n        livenessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 10}\n";
        assert_findings(K8S011, &deploy(equal), &[]);
        let text = "        readinessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: \"30\"}\n        livenessProbe: {tcpSocket: {port: 80}}\n";
        assert_findings(K8S011, &deploy(text), &[]);
    }

    /// A strategic-merge patch (no container has an image) does not need probes: they come
    /// from the base.
    #[test]
    fn probes_not_required_of_a_patch() {
        const PATCH: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: web\n        env:\n        - {name: A, value: b}\n";

        assert_findings(K8S007, PATCH, &[]);
        assert_findings(K8S008, PATCH, &[]);
    }
}
