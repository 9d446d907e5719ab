//! Resource rules: the shape of a manifest (K8S002) and container resource requests and
//! limits (K8S003–K8S006), with a Kubernetes quantity parser that compares values exactly.

use super::super::model::{Container, ContainerKind, Object, PodSpec};
use super::super::yaml::{Kind, Node, ScalarStyle};
use super::super::Ctx;
use crate::diagnostic::Findings;
use crate::registry::Code;
use std::cmp::Ordering;

pub fn check(cx: &Ctx<'_>, out: &mut Findings) {
    invalid_manifest(cx, out);
    missing_requests(cx, out);
    missing_memory_limit(cx, out);
    missing_cpu_limit(cx, out);
    limits_below_requests(cx, out);
}

// ---------------------------------------------------------------------------------------------
// Shared helpers (also used by the probe rules)

/// Written and not null.
fn present(node: Option<&Node>) -> bool {
    node.is_some_and(|n| !n.is_null())
}

/// The containers a ⁺ rule reads: `containers` and `initContainers`.
fn with_init<'p, 'a>(pod: &'p PodSpec<'a>) -> impl Iterator<Item = &'p Container<'a>> {
    pod.containers
        .iter()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
}

/// Whether the container's `resources`, `requests` and `limits` are mappings where written
/// (when they are not, K8S002 reports it and the resource rules stay silent).
fn resources_readable(c: &Container<'_>) -> bool {
    let Some(resources) = c.resources.filter(|r| !r.is_null()) else {
        return true;
    };
    resources.is_mapping()
        && ["requests", "limits"].iter().all(|section| {
            resources
                .get(section)
                .map_or(true, |s| s.is_null() || s.is_mapping())
        })
}

/// The YAML type of a plain untagged scalar that is not a string (`number`, `boolean`), as
/// kubectl reads it; `None` for strings (quoted, block, or plain text) and everything else.
fn plain_non_string(node: &Node) -> Option<&'static str> {
    let Kind::Scalar(s) = &node.kind else {
        return None;
    };
    if s.style != ScalarStyle::Plain || s.tag.is_some() {
        return None;
    }
    if node.as_bool().is_some() {
        return Some("a boolean");
    }
    if node.as_i64().is_some() || is_yaml_float(&s.value) {
        return Some("a number");
    }
    None
}

/// YAML 1.2 core float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `.inf`, `.nan`.
fn is_yaml_float(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let t = lower.strip_prefix(['-', '+']).unwrap_or(&lower);
    if t == ".inf" || lower == ".nan" {
        return true;
    }
    let (mantissa, exponent) = match t.find('e') {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() && digits(frac)) || (digits(int) && (frac.is_empty() || digits(frac)))
        }
        None => digits(mantissa),
    };
    let exponent_ok = exponent.map_or(true, |e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

// ---------------------------------------------------------------------------------------------
// Kubernetes quantities

/// A non-negative Kubernetes quantity as an exact value: `mantissa × 10^exp10 × 2^exp2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Quantity {
    mantissa: u128,
    exp10: i32,
    exp2: u32,
}

impl Quantity {
    /// Parses `500m`, `1`, `0.5`, `1e3`, `64Mi`, `1Gi`, `1G`, `+2`, `.5`; `None` for anything
    /// the API server would reject (or a negative quantity, which it rejects for resources).
    pub(super) fn parse(text: &str) -> Option<Quantity> {
        let s = text.strip_prefix('+').unwrap_or(text);
        let number_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let (number, suffix) = s.split_at(number_end);
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
            return None;
        }
        let all_digits = format!("{int}{frac}");
        let significant = all_digits.trim_start_matches('0');
        if significant.len() > 30 {
            return None;
        }
        let mantissa: u128 = if significant.is_empty() {
            0
        } else {
            significant.parse().ok()?
        };
        let mut exp10 = -(i32::try_from(frac.len()).ok()?);
        let mut exp2 = 0;
        match suffix {
            "" => {}
            "n" => exp10 -= 9,
            "u" => exp10 -= 6,
            "m" => exp10 -= 3,
            "k" => exp10 += 3,
            "M" => exp10 += 6,
            "G" => exp10 += 9,
            "T" => exp10 += 12,
            "P" => exp10 += 15,
            "E" => exp10 += 18,
            "Ki" => exp2 = 10,
            "Mi" => exp2 = 20,
            "Gi" => exp2 = 30,
            "Ti" => exp2 = 40,
            "Pi" => exp2 = 50,
            "Ei" => exp2 = 60,
            _ => {
                let exponent = suffix.strip_prefix(['e', 'E'])?;
                let magnitude = exponent.trim_start_matches(['-', '+']);
                if magnitude.is_empty()
                    || magnitude.len() > 4
                    || !magnitude.bytes().all(|b| b.is_ascii_digit())
                    || exponent.len() - magnitude.len() > 1
                {
                    return None;
                }
                let e: i32 = exponent.parse().ok()?;
                exp10 += e;
            }
        }
        Some(Quantity {
            mantissa,
            exp10,
            exp2,
        })
    }

    /// Exact comparison; `None` when the numbers are too large to compare.
    pub(super) fn compare(&self, other: &Quantity) -> Option<Ordering> {
        if self.mantissa == 0 || other.mantissa == 0 {
            return Some(self.mantissa.cmp(&other.mantissa));
        }
        let exp10 = self.exp10.min(other.exp10);
        let exp2 = self.exp2.min(other.exp2);
        let scale = |q: &Quantity| -> Option<u128> {
            let tens = u32::try_from(q.exp10 - exp10).ok()?;
            let pow10 = 10u128.checked_pow(tens)?;
            let pow2 = 1u128.checked_shl(q.exp2 - exp2)?;
            q.mantissa.checked_mul(pow10)?.checked_mul(pow2)
        };
        Some(scale(self)?.cmp(&scale(other)?))
    }
}

/// The quantity written at `node`: a string or a plain number.
fn quantity_of(node: &Node) -> Option<Quantity> {
    if node.as_bool().is_some() {
        return None;
    }
    Quantity::parse(node.as_str()?)
}

// ---------------------------------------------------------------------------------------------
// K8S002

/// The kinds whose pod template the API server validates as a core pod spec.
fn validated_pod_kind(obj: &Object<'_>) -> bool {
    match obj.kind {
        "Pod" | "PodTemplate" | "ReplicationController" => obj.api_version == "v1",
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            matches!(obj.group(), "apps" | "extensions")
        }
        "Job" | "CronJob" => obj.group() == "batch",
        _ => false,
    }
}

/// K8S002 invalid-manifest: a manifest whose shape the API server rejects.
fn invalid_manifest(cx: &Ctx<'_>, out: &mut Findings) {
    // A kustomization may add the selector (`commonLabels`), or the file is a patch.
    let kustomized = cx.kustomized.near || cx.kustomized.patch_file;
    for obj in &cx.model.objects {
        missing_selector(obj, kustomized, out);
        let Some(pod) = &obj.pod else {
            continue;
        };
        if !validated_pod_kind(obj) {
            continue;
        }
        let who = obj.display_name();
        for (key, list) in [
            ("containers", pod.containers_node),
            ("initContainers", pod.init_containers_node),
        ] {
            let Some(list) = list.filter(|l| !l.is_null()) else {
                continue;
            };
            if !list.is_sequence() {
                out.report(Code::K8S002, list.span.clone())
                    .message(format!("`{key}` of {who} is not a list"))
                    .help(format!(
                        "write `{key}` as a list of containers: `- name: …`"
                    ));
                continue;
            }
            for item in list.items() {
                if !item.is_mapping() && !item.is_null() {
                    out.report(Code::K8S002, item.span.clone())
                        .message(format!("an entry of `{key}` of {who} is not a container"))
                        .help("write each container as a mapping with `name` and `image`");
                }
            }
        }
        // A kustomize base or patch, a workload template in which no container has an image,
        // or an apps/v1 workload without a selector is not a manifest of its own: what it
        // leaves out (images, selectors) may come from elsewhere.
        let partial = kustomized
            || (obj.kind != "Pod" && !pod.containers.iter().any(|c| present(c.image)))
            || lacks_selector(obj);
        for c in with_init(pod) {
            container_shape(obj, c, partial, out);
        }
    }
}

/// An apps/v1 workload whose `spec` has no `selector`.
fn lacks_selector(obj: &Object<'_>) -> bool {
    obj.api_version == "apps/v1"
        && matches!(
            obj.kind,
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
        )
        && obj
            .node
            .get("spec")
            .is_some_and(|s| s.is_mapping() && s.get("selector").map_or(true, Node::is_null))
}

/// K8S002 for an apps/v1 workload without `spec.selector`, or with one that is not a mapping.
fn missing_selector(obj: &Object<'_>, kustomized: bool, out: &mut Findings) {
    if obj.api_version != "apps/v1"
        || !matches!(
            obj.kind,
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
        )
    {
        return;
    }
    let Some(spec) = obj.node.get("spec").filter(|s| s.is_mapping()) else {
        return;
    };
    let Some(pod) = &obj.pod else {
        return;
    };
    match spec.get("selector") {
        Some(selector) if !selector.is_null() && !selector.is_mapping() => {
            out.report(Code::K8S002, selector.span.clone())
                .message(format!(
                    "`selector` of {} is not a mapping",
                    obj.display_name()
                ))
                .help("write `selector: {matchLabels: {…}}` with the pod template's labels");
        }
        Some(selector) if !selector.is_null() => {}
        _ if !kustomized && pod.containers.iter().any(|c| present(c.image)) => {
            out.report(Code::K8S002, obj.anchor())
                .message(format!("{} has no `spec.selector`", obj.display_name()))
                .help("apps/v1 requires `spec.selector.matchLabels`; repeat the pod template's labels there");
        }
        _ => {}
    }
}

/// K8S002 for one container: a missing `name` or `image`, and wrong types on the fields the
/// rules read.
fn container_shape(obj: &Object<'_>, c: &Container<'_>, partial: bool, out: &mut Findings) {
    let who = format!("{} of {}", c.display_name(), obj.display_name());
    for (key, node) in [("name", c.name), ("image", c.image)] {
        match node {
            Some(n) if n.is_mapping() || n.is_sequence() => {
                wrong_type(out, n, &who, key, "a string", "a list or mapping");
            }
            Some(n) if plain_non_string(n).is_some() => {
                let found = plain_non_string(n).unwrap_or("a number");
                wrong_type(out, n, &who, key, "a string", found);
            }
            Some(n) if n.as_str().is_some_and(|s| !s.is_empty()) => {}
            _ if key == "name" || !partial => {
                out.report(Code::K8S002, c.anchor())
                    .message(format!("{who} has no `{key}`"))
                    .help(format!(
                        "every container needs a `{key}`; the API server rejects it without one"
                    ));
            }
            _ => {}
        }
    }
    if let Some(resources) = c.resources.filter(|r| !r.is_null()) {
        if !resources.is_mapping() {
            wrong_type(
                out,
                resources,
                &who,
                "resources",
                "a mapping",
                "not a mapping",
            );
        }
        for section in ["requests", "limits"] {
            let Some(values) = resources.get(section).filter(|s| !s.is_null()) else {
                continue;
            };
            if !values.is_mapping() {
                let key = format!("resources.{section}");
                wrong_type(out, values, &who, &key, "a mapping", "not a mapping");
                continue;
            }
            for e in values.entries() {
                let resource = e.key.as_str().unwrap_or("?");
                let v = &e.value;
                if v.is_null() || quantity_of(v).is_some() || is_yaml_number(v) || is_placeholder(v)
                {
                    continue;
                }
                let key = format!("resources.{section}.{resource}");
                out.report(Code::K8S002, v.span.clone())
                    .message(format!("`{key}` of {who} is not a valid quantity"))
                    .help("write a quantity such as `500m`, `1`, `256Mi` or `1Gi` (`Mi`/`Gi` for memory, not `MB`/`GB`)");
            }
        }
    }
    for (key, probe) in [
        ("livenessProbe", c.liveness_probe),
        ("readinessProbe", c.readiness_probe),
        ("startupProbe", c.startup_probe),
    ] {
        let Some(probe) = probe.filter(|p| !p.is_null()) else {
            continue;
        };
        if !probe.is_mapping() {
            wrong_type(out, probe, &who, key, "a mapping", "not a mapping");
            continue;
        }
        for field in PROBE_TIMINGS {
            let Some(v) = probe.get(field.0).filter(|v| !v.is_null()) else {
                continue;
            };
            if v.as_i64().is_none() && !is_placeholder(v) {
                let key = format!("{key}.{}", field.0);
                wrong_type(out, v, &who, &key, "an integer", describe(v));
            }
        }
    }
    for (key, list) in [("ports", c.node.get("ports")), ("env", c.node.get("env"))] {
        if let Some(list) = list.filter(|l| !l.is_null() && !l.is_sequence()) {
            wrong_type(out, list, &who, key, "a list", "not a list");
        }
    }
    for port in &c.ports {
        if let Some(v) = port
            .container_port
            .filter(|v| !v.is_null() && v.as_i64().is_none() && !is_placeholder(v))
        {
            wrong_type(out, v, &who, "containerPort", "an integer", describe(v));
        }
    }
    for var in &c.env {
        if let Some(v) = var.value {
            if let Some(found) = plain_non_string(v) {
                let name = var.name.and_then(Node::as_str).unwrap_or("?");
                out.report(Code::K8S002, v.span.clone())
                    .message(format!(
                        "the value of env var `{name}` of {who} is {found}, not a string"
                    ))
                    .help(format!(
                        "quote it: `value: \"{}\"`",
                        v.as_str().unwrap_or("")
                    ));
            } else if v.is_mapping() || v.is_sequence() {
                wrong_type(out, v, &who, "env value", "a string", "a list or mapping");
            }
        }
    }
}

/// A value left for a templating step (`${PORT}`, `$(QTY)`, `CONTAINER_PORT`): not checked.
fn is_placeholder(node: &Node) -> bool {
    node.as_str().is_some_and(|s| {
        s.contains("${")
            || s.contains("$(")
            || (s.starts_with(|c: char| c.is_ascii_uppercase())
                && s.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
    })
}

/// A plain YAML number (int or float), which the API server accepts as a quantity.
fn is_yaml_number(node: &Node) -> bool {
    plain_non_string(node) == Some("a number")
}

fn describe(node: &Node) -> &'static str {
    match &node.kind {
        Kind::Mapping(_) => "a mapping",
        Kind::Sequence(_) => "a list",
        Kind::Null => "null",
        Kind::Scalar(s) if s.style != ScalarStyle::Plain => "a string",
        Kind::Scalar(_) => plain_non_string(node).unwrap_or("a string"),
    }
}

fn wrong_type(out: &mut Findings, node: &Node, who: &str, key: &str, want: &str, found: &str) {
    out.report(Code::K8S002, node.span.clone())
        .message(format!("`{key}` of {who} must be {want}, found {found}"))
        .help(format!(
            "write `{key}` as {want}; the API server rejects the manifest otherwise"
        ));
}

/// The probe timing fields and their defaults.
pub(super) const PROBE_TIMINGS: [(&str, i64); 5] = [
    ("initialDelaySeconds", 0),
    ("periodSeconds", 10),
    ("timeoutSeconds", 1),
    ("successThreshold", 1),
    ("failureThreshold", 3),
];

// ---------------------------------------------------------------------------------------------
// K8S003–K8S006

/// K8S003 missing-requests: a container ⁺ with no CPU or no memory request (or limit, which
/// the API server copies into a missing request).
fn missing_requests(cx: &Ctx<'_>, out: &mut Findings) {
    for obj in &cx.model.objects {
        if cx.partial(obj) {
            continue;
        }
        let Some(pod) = &obj.pod else { continue };
        for c in with_init(pod).filter(|c| resources_readable(c)) {
            let has =
                |r: &str| present(c.resource("requests", r)) || present(c.resource("limits", r));
            let missing: Vec<&str> = [("cpu", "CPU"), ("memory", "memory")]
                .iter()
                .filter(|(r, _)| !has(r))
                .map(|(_, label)| *label)
                .collect();
            if missing.is_empty() {
                continue;
            }
            let what = missing.join(" or ");
            out.report(Code::K8S003, c.anchor())
                .message(format!(
                    "{} of {} has no {what} request",
                    c.display_name(),
                    obj.display_name()
                ))
                .help("set `resources.requests` (e.g. `cpu: 100m`, `memory: 128Mi`) so the scheduler can place the pod and it is not evicted first");
        }
    }
}

/// K8S004 missing-memory-limit: a container ⁺ without `resources.limits.memory`.
fn missing_memory_limit(cx: &Ctx<'_>, out: &mut Findings) {
    for obj in &cx.model.objects {
        if cx.partial(obj) {
            continue;
        }
        let Some(pod) = &obj.pod else { continue };
        for c in with_init(pod).filter(|c| resources_readable(c)) {
            if present(c.resource("limits", "memory")) {
                continue;
            }
            out.report(Code::K8S004, c.anchor())
                .message(format!(
                    "{} of {} has no memory limit",
                    c.display_name(),
                    obj.display_name()
                ))
                .help("set `resources.limits.memory` so a leak is stopped in this container instead of starving the node");
        }
    }
}

/// K8S005 missing-cpu-limit: a container without `resources.limits.cpu`.
fn missing_cpu_limit(cx: &Ctx<'_>, out: &mut Findings) {
    for obj in &cx.model.objects {
        if cx.partial(obj) {
            continue;
        }
        let Some(pod) = &obj.pod else { continue };
        for c in pod.app_containers().filter(|c| resources_readable(c)) {
            if present(c.resource("limits", "cpu")) {
                continue;
            }
            out.report(Code::K8S005, c.anchor())
                .message(format!(
                    "{} of {} has no CPU limit",
                    c.display_name(),
                    obj.display_name()
                ))
                .help("set `resources.limits.cpu` if this container must not take CPU from its neighbours (limits throttle, so leave them out on purpose where latency matters)");
        }
    }
}

/// K8S006 limits-below-requests: a limit lower than the request of the same resource.
fn limits_below_requests(cx: &Ctx<'_>, out: &mut Findings) {
    for obj in &cx.model.objects {
        let Some(pod) = &obj.pod else { continue };
        for c in with_init(pod) {
            let Some(resources) = c.resources else {
                continue;
            };
            let (Some(requests), Some(limits)) =
                (resources.get("requests"), resources.get("limits"))
            else {
                continue;
            };
            for limit in limits.entries() {
                let Some(resource) = limit.key.as_str() else {
                    continue;
                };
                let Some(request) = requests.entry(resource) else {
                    continue;
                };
                let (Some(l), Some(r)) = (quantity_of(&limit.value), quantity_of(&request.value))
                else {
                    continue;
                };
                if l.compare(&r) != Some(Ordering::Less) {
                    continue;
                }
                let text = |n: &Node| n.as_str().unwrap_or("").to_string();
                out.report(Code::K8S006, limit.value.span.clone())
                    .message(format!(
                        "the {resource} limit {} of {} of {} is lower than its request {}",
                        text(&limit.value),
                        c.display_name(),
                        obj.display_name(),
                        text(&request.value)
                    ))
                    .help("raise the limit to at least the request (or lower the request); the API server rejects a limit below its request")
                    .label(request.value.span.clone(), "the request");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::Quantity;
    use crate::registry::Code::*;
    use std::cmp::Ordering;

    const FULL: &str = "        resources:\n          requests: {cpu: 100m, memory: 128Mi}\n          limits: {cpu: 500m, memory: 256Mi}\n";

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn quantities() {
        let lt = |a: &str, b: &str| q(a).compare(&q(b)) == Some(Ordering::Less);
        let eq = |a: &str, b: &str| q(a).compare(&q(b)) == Some(Ordering::Equal);
        assert!(lt("500m", "1"));
        assert!(eq("0.5", "500m"));
        assert!(eq("1e3", "1k"));
        assert!(eq("1E3", "1000"));
        assert!(lt("64Mi", "1Gi"));
        assert!(lt("1G", "1Gi"));
        assert!(lt("128974848", "129e6"));
        assert!(eq("123M", "123000000"));
        assert!(eq("0.1", "100m"));
        assert!(eq("1Gi", "1073741824"));
        assert!(eq(".5", "0.5"));
        assert!(eq("+2", "2"));
        assert!(eq("1.5Gi", "1536Mi"));
        assert!(eq("0", "0m"));
        assert!(lt("0", "1n"));
        assert!(lt("1e-3", "2m"));
        for bad in [
            "", "1GB", "1 Gi", "-1", "abc", "1.2.3", "Mi", "1e", "1Kib", "0x10", "1e99999",
        ] {
            assert_eq!(Quantity::parse(bad), None, "{bad}");
        }
        // Too large to compare exactly: no answer rather than a wrong one.
        assert_eq!(q("1e200").compare(&q("1")), None);
    }

    #[test]
    fn invalid_manifest() {
        assert_findings(K8S002, &deploy(FULL), &[]);
        // Container without name / image.
        let no_name = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx:1.27\n";
        assert_findings(K8S002, no_name, &[(5, 5)]);
        let no_image = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n";
        assert_findings(K8S002, no_image, &[(5, 11)]);
        let empty_image =
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    image: \"\"\n";
        assert_findings(K8S002, empty_image, &[(5, 11)]);
        // Init containers are validated the same way; ephemeral ones are not read.
        let init = "apiVersion: v1\nkind: Pod\nspec:\n  initContainers:\n  - name: init\n  containers:\n  - {name: app, image: x:1}\n  ephemeralContainers:\n  - name: debug\n";
        assert_findings(K8S002, init, &[(5, 11)]);
        // `containers` not a list; an entry that is not a mapping.
        let map =
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    name: app\n    image: x:1\n";
        assert_findings(K8S002, map, &[(5, 5)]);
        let scalar_item = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - nginx\n";
        assert_findings(K8S002, scalar_item, &[(5, 5)]);
        // Wrong scalar types.
        assert_findings(K8S002, &deploy("        env:\n        - {name: PORT, value: 8080}\n        - {name: DEBUG, value: true}\n        - {name: OK, value: \"1\"}\n"), &[(16, 31), (17, 32)]);
        assert_findings(
            K8S002,
            &deploy("        ports:\n        - containerPort: \"80\"\n"),
            &[(16, 26)],
        );
        assert_findings(
            K8S002,
            &deploy("        ports: {containerPort: 80}\n"),
            &[(15, 16)],
        );
        assert_findings(K8S002, &deploy("        readinessProbe:\n          httpGet: {path: /, port: 80}\n          initialDelaySeconds: \"5\"\n"), &[(17, 32)]);
        assert_findings(K8S002, &deploy("        resources:\n          limits: {memory: 1GB, cpu: 0.5}\n          requests: {cpu: 1e3, memory: 128974848}\n"), &[(16, 28)]);
        assert_findings(
            K8S002,
            &deploy("        resources:\n          limits: [memory]\n"),
            &[(16, 19)],
        );
        assert_findings(
            K8S002,
            &deploy("        resources:\n          limits: {memory: true, cpu: \"-1\"}\n"),
            &[(16, 28), (16, 39)],
        );
        // apps/v1 workload without a selector, pointed at its kind.
        let no_selector = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: x:1}]\n";
        assert_findings(K8S002, no_selector, &[(2, 7)]);
        assert!(first_message(K8S002, no_selector)
            .unwrap()
            .contains("Deployment web has no `spec.selector`"));
        // Older apiVersions defaulted the selector; Jobs generate theirs.
        assert_findings(
            K8S002,
            &no_selector.replace("apps/v1", "extensions/v1beta1"),
            &[],
        );
        let job = "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: x:1}]\n      restartPolicy: Never\n";
        assert_findings(K8S002, job, &[]);
        // A kustomize patch: no image anywhere, no selector.
        let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: app\n        resources: {limits: {memory: 1Gi}}\n";
        assert_findings(K8S002, patch, &[]);
        let replicas_patch =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n";
        assert_findings(K8S002, replicas_patch, &[]);
        // Custom resources and OpenShift DeploymentConfigs are validated by their own schema.
        let knative = "apiVersion: serving.knative.dev/v1\nkind: Service\nspec:\n  template:\n    spec:\n      containers:\n      - image: x:1\n";
        assert_findings(K8S002, knative, &[]);
        let dc = "apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: ' '\n      - name: side\n";
        assert_findings(K8S002, dc, &[]);
        // Numbers as quantities are fine; null and empty sections are fine.
        assert_findings(K8S002, &deploy("        resources:\n          requests: {cpu: 1, memory: 1e9}\n          limits:\n"), &[]);
        // Placeholders for a templating step are not values yet.
        assert_findings(K8S002, &deploy("        ports:\n        - containerPort: PORT\n        - containerPort: ${PORT}\n        resources:\n          limits: {nvidia.com/gpu: \"${GPUS}\"}\n"), &[]);
        // An apps/v1 workload without a selector is reported once, not for its imageless
        // containers as well (a patch adding a sidecar).
        let sidecar_patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: proxy, image: proxy:1}\n      - {name: app, args: [--x]}\n";
        assert_findings(K8S002, sidecar_patch, &[(2, 7)]);
        // Multi-document and List.
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n    containers: [{name: a}]\n---\napiVersion: v1\nkind: Pod\nspec:\n  containers: [{image: x:1}]\n";
        assert_findings(K8S002, list, &[(7, 25), (12, 16)]);
    }

    #[test]
    fn odd_input_does_not_panic() {
        let bodies = [
            "        resources: x\n",
            "        resources: {requests: 1, limits: [1]}\n",
            "        resources: {requests: {cpu: [1]}, limits: {cpu: {a: 1}}}\n",
            "        resources: {requests: {cpu: 99999999999999999999999999999999999}, limits: {cpu: 1e9999}}\n",
            "        resources: {requests: {cpu: 0.00000000000000000000000000000000000001}, limits: {cpu: 1Ei}}\n",
            "        resources: {requests: {é: 1}, limits: {é: 0}}\n",
            "        livenessProbe: x\n        readinessProbe: [1]\n",
            "        livenessProbe: {httpGet: x}\n        readinessProbe: {httpGet: {port: [a]}}\n",
            "        livenessProbe:\n        readinessProbe: {initialDelaySeconds: 99999999999999999999}\n",
            "        ports: 1\n        env: {a: 1}\n",
            "        env: [1, {name: [x], value: {a: 1}}]\n",
        ];
        for body in bodies {
            let text = deploy(body);
            let _ = lint_with(crate::lang::Options::default(), &text);
        }
        for text in [
            "apiVersion: v1\nkind: Pod\nspec:\n",
            "apiVersion: v1\nkind: Pod\nspec: {containers: }\n",
            "apiVersion: v1\nkind: Pod\nspec: {containers: [~, [], 1]}\n",
            "apiVersion: apps/v1\nkind: Deployment\nspec: {selector: 1, template: {spec: {containers: x}}}\n",
        ] {
            let _ = lint_with(crate::lang::Options::default(), text);
        }
    }

    #[test]
    fn invalid_manifest_beside_a_kustomization() {
        use crate::lang::{LintContext, Options};
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("kustomization.yaml"),
            "resources: [deploy.yaml]\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("patches")).unwrap();
        let base = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: proxy, image: proxy:1}\n      - {name: app}\n";
        for path in [
            dir.path().join("deploy.yaml"),
            dir.path().join("patches/p.yaml"),
        ] {
            let source = crate::source::SourceFile::new("deploy.yaml", base);
            let ctx = LintContext {
                disk_path: Some(path),
                options: Options::default(),
                ..Default::default()
            };
            let out = super::super::super::lint(&source, &ctx);
            assert!(!out.diagnostics.iter().any(|d| d.code == K8S002));
        }
    }

    #[test]
    fn missing_requests() {
        assert_findings(K8S003, &deploy(FULL), &[]);
        assert_findings(K8S003, &deploy(""), &[(13, 15)]);
        // A limit alone is also the request.
        assert_findings(
            K8S003,
            &deploy("        resources: {limits: {cpu: 1, memory: 1Gi}}\n"),
            &[],
        );
        assert_findings(
            K8S003,
            &deploy("        resources: {requests: {cpu: 1}}\n"),
            &[(13, 15)],
        );
        assert!(
            first_message(K8S003, &deploy("        resources: {requests: {cpu: 1}}\n"))
                .unwrap()
                .contains("container app of Deployment web has no memory request")
        );
        assert!(first_message(K8S003, &deploy(""))
            .unwrap()
            .contains("no CPU or memory request"));
        // Null values are not requests.
        assert_findings(
            K8S003,
            &deploy("        resources: {requests: {cpu: 1, memory: }}\n"),
            &[(13, 15)],
        );
        // Init containers ⁺, not ephemeral containers.
        let pod = "apiVersion: v1\nkind: Pod\nspec:\n  initContainers:\n  - name: init\n    image: busybox:1\n  containers:\n  - name: app\n    image: x:1\n    resources: {requests: {cpu: 1, memory: 1Gi}}\n  ephemeralContainers:\n  - {name: debug, image: busybox:1}\n";
        assert_findings(K8S003, pod, &[(5, 11)]);
        // CronJob, Argo Rollout, custom resource with a pod template.
        let cron = "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - {name: job, image: x:1}\n";
        assert_findings(K8S003, cron, &[(9, 20)]);
        let rollout = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec:\n  template:\n    spec:\n      containers:\n      - {name: r, image: x:1}\n";
        assert_findings(K8S003, rollout, &[(7, 16)]);
        // Not a manifest, and resources written wrong (K8S002 reports those).
        assert_findings(K8S003, "containers:\n- name: x\n", &[]);
        assert_findings(K8S003, &deploy("        resources: [cpu]\n"), &[]);
    }

    #[test]
    fn missing_memory_limit() {
        assert_findings(K8S004, &deploy(FULL), &[]);
        assert_findings(
            K8S004,
            &deploy("        resources: {requests: {memory: 1Gi}, limits: {cpu: 1}}\n"),
            &[(13, 15)],
        );
        assert_findings(
            K8S004,
            &deploy("        resources: {limits: {memory: \"1Gi\"}}\n"),
            &[],
        );
        let pod = "apiVersion: v1\nkind: Pod\nspec:\n  initContainers:\n  - {name: init, image: busybox:1}\n  containers:\n  - {name: app, image: x:1, resources: {limits: {memory: 1Gi}}}\n  ephemeralContainers:\n  - {name: debug, image: busybox:1}\n";
        assert_findings(K8S004, pod, &[(5, 12)]);
        // A container without a name is reported at its first byte.
        let unnamed = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: x:1\n";
        assert_findings(K8S004, unnamed, &[(5, 5)]);
        assert!(first_message(K8S004, unnamed)
            .unwrap()
            .contains("container #1 of Pod"));
    }

    #[test]
    fn missing_cpu_limit() {
        assert_findings(K8S005, &deploy(FULL), &[]);
        assert_findings(
            K8S005,
            &deploy("        resources: {requests: {cpu: 1}, limits: {memory: 1Gi}}\n"),
            &[(13, 15)],
        );
        // Not ⁺: init containers are not flagged.
        let pod = "apiVersion: v1\nkind: Pod\nspec:\n  initContainers:\n  - {name: init, image: busybox:1}\n  containers:\n  - {name: app, image: x:1, resources: {limits: {cpu: 1}}}\n";
        assert_findings(K8S005, pod, &[]);
    }

    #[test]
    fn limits_below_requests() {
        assert_findings(K8S006, &deploy(FULL), &[]);
        assert_findings(K8S006, &deploy("        resources:\n          requests: {cpu: 1, memory: 1Gi}\n          limits: {cpu: 500m, memory: 64Mi}\n"), &[(17, 25), (17, 39)]);
        assert!(first_message(K8S006, &deploy("        resources:\n          requests: {cpu: \"1\"}\n          limits: {cpu: 500m}\n")).unwrap().contains("the cpu limit 500m of container app of Deployment web is lower than its request 1"));
        // Equal in other units, numbers and strings.
        assert_findings(K8S006, &deploy("        resources:\n          requests: {cpu: 0.5, memory: 1Gi, ephemeral-storage: 1G}\n          limits: {cpu: 500m, memory: 1024Mi, ephemeral-storage: \"1e9\"}\n"), &[]);
        assert_findings(K8S006, &deploy("        resources:\n          requests: {memory: 129e6}\n          limits: {memory: 128974848}\n"), &[(17, 28)]);
        assert_findings(K8S006, &deploy("        resources:\n          requests: {memory: 123M}\n          limits: {memory: 1G}\n"), &[]);
        // Unparsable values are skipped (K8S002 reports them).
        assert_findings(K8S006, &deploy("        resources:\n          requests: {memory: 1GB}\n          limits: {memory: 1M}\n"), &[]);
        // Extended resources and init containers (the API server checks them too).
        let pod = "apiVersion: v1\nkind: Pod\nspec:\n  initContainers:\n  - name: init\n    image: x:1\n    resources: {requests: {nvidia.com/gpu: 2}, limits: {nvidia.com/gpu: 1}}\n  containers:\n  - {name: app, image: x:1}\n";
        assert_findings(K8S006, pod, &[(7, 73)]);
        // Only a limit, only a request.
        assert_findings(
            K8S006,
            &deploy("        resources: {limits: {cpu: 1m}}\n"),
            &[],
        );
        assert_findings(
            K8S006,
            &deploy("        resources: {requests: {cpu: 1}}\n"),
            &[],
        );
    }

    /// A strategic-merge patch (no container has an image) is partial: the missing
    /// resources come from the base.
    #[test]
    fn resources_not_required_of_a_patch() {
        const PATCH: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: web\n        env:\n        - {name: A, value: b}\n";

        for code in [K8S003, K8S004, K8S005] {
            assert_findings(code, PATCH, &[]);
        }
        // With an image the same object is a manifest and is flagged.
        let whole = PATCH.replace("- name: web\n", "- name: web\n        image: web:1\n");
        for code in [K8S003, K8S004, K8S005] {
            assert_findings(code, &whole, &[(10, 15)]);
        }
    }

    /// A file that a `kustomization.yaml` above it lists in `patches` is partial even when
    /// its containers name an image.
    #[test]
    fn resources_not_required_of_a_listed_patch() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("patches")).unwrap();
        std::fs::write(
            dir.path().join("kustomization.yaml"),
            "resources: [../base]\npatches:\n- path: patches/web.yaml\npatchesStrategicMerge:\n- other.yaml\n",
        )
        .unwrap();
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:2\n";
        let lint_at = |rel: &str| {
            let path = dir.path().join(rel);
            std::fs::write(&path, text).unwrap();
            let source = crate::source::SourceFile::new(rel, text);
            let ctx = crate::lang::LintContext {
                disk_path: Some(path),
                options: Default::default(),
                ..Default::default()
            };
            super::super::super::lint(&source, &ctx).diagnostics
        };
        let listed = lint_at("patches/web.yaml");
        assert!(listed.iter().all(|d| d.code != K8S003 && d.code != K8S004));
        let not_listed = lint_at("patches/base.yaml");
        assert!(not_listed.iter().any(|d| d.code == K8S004));
    }
}
