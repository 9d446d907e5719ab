//! Security rules: images, security contexts, capabilities, host namespaces and paths, and
//! what the Pod Security Standards "baseline" forbids.
//!
//! The container rules read `containers` and `initContainers` (an init container runs with
//! the same privileges on the same node) and never `ephemeralContainers` (debug containers
//! added by `kubectl debug`, not written in manifests). Windows pods are exempt from the
//! Linux-only rules K8S014/015/016/018/022.

use super::super::model::{Container, ContainerKind, Object, PodSpec};
use super::super::yaml::Node;
use super::super::Ctx;
use crate::diagnostic::{Findings, Span};
use crate::registry::Code;

pub fn check(cx: &Ctx<'_>, out: &mut Findings) {
    latest_image(cx, out);
    privileged_container(cx, out);
    privilege_escalation(cx, out);
    run_as_root(cx, out);
    writable_root_filesystem(cx, out);
    dangerous_capabilities(cx, out);
    capabilities_not_dropped(cx, out);
    host_namespaces(cx, out);
    host_path_volume(cx, out);
    host_port(cx, out);
    seccomp_unconfined(cx, out);
    pod_security_baseline(cx, out);
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// Every object with a pod spec.
fn pods<'c, 'a>(cx: &'c Ctx<'a>) -> impl Iterator<Item = (&'c Object<'a>, &'c PodSpec<'a>)> {
    cx.model
        .objects
        .iter()
        .filter_map(|o| o.pod.as_ref().map(|p| (o, p)))
}

/// `containers` and `initContainers`, never `ephemeralContainers`.
fn containers<'p, 'a>(pod: &'p PodSpec<'a>) -> impl Iterator<Item = &'p Container<'a>> {
    pod.containers
        .iter()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
}

/// A value that is written (not missing, not `key:` with nothing).
fn written(node: Option<&Node>) -> Option<&Node> {
    node.filter(|n| !n.is_null())
}

/// `container nginx of Deployment web`, `init container setup of Job migrate`.
fn container_label(object: &Object<'_>, c: &Container<'_>) -> String {
    format!("{} of {}", c.display_name(), object.display_name())
}

/// The pod's securityContext field `key`.
fn pod_security<'a>(pod: &PodSpec<'a>, key: &str) -> Option<&'a Node> {
    written(pod.security_context.and_then(|s| s.get(key)))
}

/// A capability name as the runtime reads it: upper case, without `CAP_`.
fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => upper,
    }
}

/// The `capabilities.<list>` items of a container's securityContext.
fn capabilities<'a>(c: &Container<'a>, list: &str) -> &'a [Node] {
    c.security("capabilities")
        .and_then(|caps| caps.get(list))
        .map(Node::items)
        .unwrap_or(&[])
}

/// Pushes `span` once: a pod-level value shared by several containers is reported once.
fn first_time(seen: &mut Vec<Span>, span: &Span) -> bool {
    if seen.contains(span) {
        return false;
    }
    seen.push(span.clone());
    true
}

// ---------------------------------------------------------------------------------------------
// K8S012

#[derive(Debug, PartialEq, Eq)]
enum ImageRef {
    /// A tag other than `latest`, or a digest.
    Pinned,
    Latest,
    Untagged,
}

/// What an image reference pins; `None` for what cannot be judged (empty, a placeholder
/// such as `${IMAGE}` or `$(IMAGE)`, a malformed `name:`).
fn image_ref(image: &str) -> Option<ImageRef> {
    let image = image.trim();
    if image.is_empty() || image.contains(['$', '{', '}', ' ']) {
        return None;
    }
    if image.contains('@') {
        return Some(ImageRef::Pinned);
    }
    // A registry port (`host:5000/app`) is before the last `/`; a tag is after it.
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, "")) => None,
        Some((_, "latest")) => Some(ImageRef::Latest),
        Some(_) => Some(ImageRef::Pinned),
        None => Some(ImageRef::Untagged),
    }
}

/// K8S012 latest-image: an image with no tag or `:latest` (digest-pinned images pass).
fn latest_image(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        for c in containers(pod) {
            let (Some(node), Some(image)) = (c.image, c.image_str()) else {
                continue;
            };
            let what = match image_ref(image) {
                Some(ImageRef::Latest) => "`:latest`",
                Some(ImageRef::Untagged) => "no tag (so `:latest`)",
                _ => continue,
            };
            let name = image.trim();
            let repo = name.strip_suffix(":latest").unwrap_or(name);
            // A kustomization beside the file that sets the tag or digest of this image.
            if cx.kustomized.pinned_images.iter().any(|p| p == repo) {
                continue;
            }
            out.report(Code::K8S012, node.span.clone())
                .message(format!(
                    "{} uses image `{name}` with {what}: each pull may get a different image",
                    container_label(object, c)
                ))
                .help(format!(
                    "pin a version tag (`{repo}:1.2.3`) or a digest (`{repo}@sha256:…`)"
                ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K8S013

/// K8S013 privileged-container: `securityContext.privileged: true`.
fn privileged_container(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        for c in containers(pod) {
            let Some(node) = c.security("privileged") else {
                continue;
            };
            if node.as_bool() == Some(true) {
                out.report(Code::K8S013, node.span.clone())
                    .message(format!(
                        "{} runs privileged: it has every capability and the host's devices, \
                         root in it is root on the node",
                        container_label(object, c)
                    ))
                    .help(
                        "remove `privileged: true`; add only the capabilities it needs to \
                         `securityContext.capabilities.add`",
                    );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K8S014

/// K8S014 privilege-escalation: `allowPrivilegeEscalation` not set to `false` (or set to
/// `false` where `privileged: true` or `SYS_ADMIN` make it true anyway).
fn privilege_escalation(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        if pod.windows {
            continue;
        }
        let partial = cx.partial(object);
        for c in containers(pod) {
            let who = container_label(object, c);
            let help = "set `securityContext.allowPrivilegeEscalation: false` so setuid binaries \
                        cannot gain more privileges than the process started with";
            match written(c.security("allowPrivilegeEscalation")) {
                None if partial => {}
                None => {
                    out.report(Code::K8S014, c.anchor())
                        .message(format!(
                            "{who} does not set `allowPrivilegeEscalation: false`"
                        ))
                        .help(help);
                }
                Some(node) => match node.as_bool() {
                    Some(true) => {
                        out.report(Code::K8S014, node.span.clone())
                            .message(format!("{who} allows privilege escalation"))
                            .help(help);
                    }
                    Some(false) => {
                        let privileged =
                            c.security("privileged").and_then(Node::as_bool) == Some(true);
                        let added: Vec<&str> = capabilities(c, "add")
                            .iter()
                            .filter_map(Node::as_str)
                            .collect();
                        // The API server rejects `false` beside `privileged: true` and beside
                        // the literal `CAP_SYS_ADMIN`; other spellings pass its check.
                        let (cause, rejected) = if privileged {
                            ("`privileged: true`".to_string(), true)
                        } else if let Some(cap) = added
                            .iter()
                            .find(|n| matches!(capability(n).as_str(), "SYS_ADMIN" | "ALL"))
                        {
                            (
                                format!("the added `{}` capability", cap.trim()),
                                *cap == "CAP_SYS_ADMIN",
                            )
                        } else {
                            continue;
                        };
                        let rejected = if rejected {
                            " (the API server rejects the pair)"
                        } else {
                            ""
                        };
                        out.report(Code::K8S014, node.span.clone())
                            .message(format!(
                                "{who}: `allowPrivilegeEscalation: false` has no effect, \
                                 {cause} already grants more than escalation would{rejected}"
                            ))
                            .help(format!(
                                "remove {cause}, which is what grants the privileges"
                            ));
                    }
                    None => {}
                },
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K8S015

/// K8S015 run-as-root: neither pod nor container sets `runAsNonRoot: true` or a non-zero
/// `runAsUser`; or `runAsUser: 0`. The container's values override the pod's.
fn run_as_root(cx: &Ctx<'_>, out: &mut Findings) {
    let help = "set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod's or the \
                container's securityContext";
    for (object, pod) in pods(cx) {
        if pod.windows {
            continue;
        }
        let mut seen = Vec::new();
        let partial = cx.partial(object);
        for c in containers(pod) {
            let from_pod = |key: &str| {
                written(c.security(key))
                    .map(|n| (n, false))
                    .or_else(|| pod_security(pod, key).map(|n| (n, true)))
            };
            // Whose setting it is: the container's, or the pod's (then shared by containers).
            let whose = |on_pod: bool| {
                if on_pod {
                    format!("the pod of {}", object.display_name())
                } else {
                    container_label(object, c)
                }
            };
            if let Some((user, on_pod)) = from_pod("runAsUser") {
                match user.as_i64() {
                    Some(0) => {
                        if first_time(&mut seen, &user.span) {
                            out.report(Code::K8S015, user.span.clone())
                                .message(format!("{} runs as root (`runAsUser: 0`)", whose(on_pod)))
                                .help("run as a non-zero user ID, and set `runAsNonRoot: true`");
                        }
                        continue;
                    }
                    // Non-zero, or not a number (K8S002's business): not root.
                    _ => continue,
                }
            }
            match from_pod("runAsNonRoot") {
                Some((node, _)) if node.as_bool() != Some(false) => {}
                Some((node, on_pod)) => {
                    if first_time(&mut seen, &node.span) {
                        out.report(Code::K8S015, node.span.clone())
                            .message(format!(
                                "{} sets `runAsNonRoot: false` and no `runAsUser`: it runs as \
                                 the image's user, root unless the image says otherwise",
                                whose(on_pod)
                            ))
                            .help(help);
                    }
                }
                None if partial => {}
                None => {
                    out.report(Code::K8S015, c.anchor())
                        .message(format!(
                            "{} may run as root: neither it nor the pod sets \
                             `runAsNonRoot: true` or a non-zero `runAsUser`",
                            container_label(object, c)
                        ))
                        .help(help);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K8S016

/// K8S016 writable-root-filesystem: `readOnlyRootFilesystem` not `true`.
fn writable_root_filesystem(cx: &Ctx<'_>, out: &mut Findings) {
    let help = "set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` \
                where the process must write";
    for (object, pod) in pods(cx) {
        if pod.windows {
            continue;
        }
        let partial = cx.partial(object);
        for c in containers(pod) {
            let node = written(c.security("readOnlyRootFilesystem"));
            let span = match node.map(Node::as_bool) {
                None if partial => continue,
                None => c.anchor(),
                Some(Some(false)) => node.map_or_else(|| c.anchor(), |n| n.span.clone()),
                Some(_) => continue,
            };
            out.report(Code::K8S016, span)
                .message(format!(
                    "{} has a writable root filesystem (`readOnlyRootFilesystem` is not `true`)",
                    container_label(object, c)
                ))
                .help(help);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K8S017

/// The capabilities the Pod Security Standards "baseline" lets a container add; every other
/// one grants power over the node or its network.
const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Why an added capability is dangerous.
fn capability_risk(cap: &str) -> &'static str {
    match cap {
        "ALL" => "every capability, as good as privileged",
        "SYS_ADMIN" => "mount, namespaces and most of root's powers: a known container escape",
        "NET_ADMIN" => "control of the pod's network: interfaces, routes, firewall rules",
        "SYS_MODULE" => "loading kernel modules into the node's kernel",
        "SYS_PTRACE" => "tracing and injecting into other processes",
        "SYS_RAWIO" => "raw access to devices and I/O ports",
        "SYS_BOOT" => "rebooting the node",
        "SYS_TIME" => "setting the node's clock",
        "NET_RAW" => "raw sockets: spoofing and sniffing on the pod network",
        "BPF" | "PERFMON" => "loading BPF programs and reading kernel memory",
        "DAC_READ_SEARCH" => "reading any file by handle: a known container escape",
        "MAC_ADMIN" | "MAC_OVERRIDE" => "changing or bypassing AppArmor and SELinux",
        _ => "a capability the Pod Security Standards baseline forbids",
    }
}

/// K8S017 dangerous-capabilities: capabilities added beyond the Pod Security Standards
/// baseline list (`ALL`, `SYS_ADMIN`, `NET_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `NET_RAW`…).
fn dangerous_capabilities(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        for c in containers(pod) {
            for item in capabilities(c, "add") {
                let Some(name) = item.as_str() else {
                    continue;
                };
                let cap = capability(name);
                if cap.is_empty() || BASELINE_CAPABILITIES.contains(&cap.as_str()) {
                    continue;
                }
                out.report(Code::K8S017, item.span.clone())
                    .message(format!(
                        "{} adds capability `{}`: {}",
                        container_label(object, c),
                        name.trim(),
                        capability_risk(&cap)
                    ))
                    .help(
                        "remove it from `capabilities.add`; if the workload truly needs it, \
                         suppress this finding with the reason",
                    );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K8S018

/// K8S018 capabilities-not-dropped: `capabilities.drop` does not include `ALL`.
fn capabilities_not_dropped(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        if pod.windows {
            continue;
        }
        for c in containers(pod) {
            let drop = written(c.security("capabilities").and_then(|caps| caps.get("drop")));
            let span = match drop {
                None => c.anchor(),
                Some(list) if list.is_sequence() => {
                    let all = list
                        .items()
                        .iter()
                        .filter_map(Node::as_str)
                        .any(|n| capability(n) == "ALL");
                    if all {
                        continue;
                    }
                    list.span.clone()
                }
                Some(_) => continue,
            };
            out.report(Code::K8S018, span)
                .message(format!(
                    "{} keeps the runtime's default capabilities (`capabilities.drop` lacks `ALL`)",
                    container_label(object, c)
                ))
                .help(
                    "set `securityContext.capabilities.drop: [ALL]` and add back only what it \
                     needs (e.g. `NET_BIND_SERVICE`)",
                );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K8S019

/// K8S019 host-namespaces: `hostNetwork`, `hostPID` or `hostIPC` true.
fn host_namespaces(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        for (key, what) in [
            (
                "hostNetwork",
                "the node's network: it sees all its traffic and local services",
            ),
            (
                "hostPID",
                "the node's process table: it sees and can signal every process",
            ),
            (
                "hostIPC",
                "the node's shared memory and IPC with every process on the node",
            ),
        ] {
            let Some(node) = pod.get(key) else {
                continue;
            };
            if node.as_bool() == Some(true) {
                out.report(Code::K8S019, node.span.clone())
                    .message(format!(
                        "{} shares {what} (`{key}: true`)",
                        object.display_name()
                    ))
                    .help(format!(
                        "remove `{key}: true` unless this is a node agent that needs it"
                    ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K8S020

/// What a host path is, when it is the container runtime's socket or the folder holding it.
fn runtime_socket(path: &str) -> Option<&'static str> {
    let path = path.trim().trim_end_matches('/');
    // The Windows runtimes listen on named pipes.
    match path.to_ascii_lowercase().as_str() {
        r"\\.\pipe\docker_engine" => return Some("the Docker named pipe"),
        r"\\.\pipe\containerd-containerd" => return Some("the containerd named pipe"),
        _ => {}
    }
    let file = path.rsplit('/').next().unwrap_or(path);
    match file {
        "docker.sock" => return Some("the Docker socket"),
        "containerd.sock" => return Some("the containerd socket"),
        "crio.sock" => return Some("the CRI-O socket"),
        "cri-dockerd.sock" => return Some("the cri-dockerd socket"),
        "podman.sock" => return Some("the Podman socket"),
        _ => {}
    }
    match path {
        "/var/run"
        | "/run"
        | "/var/run/docker"
        | "/run/docker"
        | "/var/run/containerd"
        | "/run/containerd"
        | "/var/run/crio"
        | "/run/crio" => Some("the folder holding the container runtime socket"),
        _ => None,
    }
}

/// K8S020 host-path-volume: a `hostPath` volume; a container runtime socket is reported as
/// such. Points at the `path` value.
fn host_path_volume(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        let Some(volumes) = pod.get("volumes") else {
            continue;
        };
        for volume in volumes.items() {
            let Some(entry) = volume.entry("hostPath") else {
                continue;
            };
            let path_node = written(entry.value.get("path"));
            let path = path_node.and_then(Node::as_str).unwrap_or("");
            let span = path_node.map_or_else(|| entry.key.span.clone(), |n| n.span.clone());
            let volume_name = volume.get("name").and_then(Node::as_str).unwrap_or("?");
            let who = object.display_name();
            match runtime_socket(path) {
                Some(socket) => {
                    out.report(Code::K8S020, span)
                        .message(format!(
                            "{who} mounts {socket} `{}` (volume {volume_name}): whoever runs in \
                             the pod controls every container on the node",
                            path.trim()
                        ))
                        .help(
                            "do not mount the runtime socket; build images with a rootless \
                             builder (BuildKit rootless, kaniko) and talk to the cluster \
                             through the Kubernetes API",
                        );
                }
                None => {
                    out.report(Code::K8S020, span)
                        .message(format!(
                            "{who} mounts the host path `{}` (volume {volume_name}): the pod \
                             reaches into the node's filesystem",
                            path.trim()
                        ))
                        .help(
                            "use an `emptyDir`, a ConfigMap/Secret or a PersistentVolumeClaim; \
                             if a node agent needs it, mount it `readOnly: true` and suppress \
                             this finding with the reason",
                        );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K8S021

/// K8S021 host-port: a container port with `hostPort` (not in a `hostNetwork` pod, where
/// the port is the node's anyway and K8S019 reports it).
fn host_port(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        if pod.get("hostNetwork").and_then(Node::as_bool) == Some(true) {
            continue;
        }
        for c in containers(pod) {
            for port in &c.ports {
                let Some(node) = port.host_port else {
                    continue;
                };
                let Some(number) = node.as_i64().filter(|n| *n != 0) else {
                    continue;
                };
                out.report(Code::K8S021, node.span.clone())
                    .message(format!(
                        "{} binds host port {number}: only one such pod fits on a node, and it \
                         bypasses network policies",
                        container_label(object, c)
                    ))
                    .help("remove `hostPort` and expose the port through a Service");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K8S022

/// `seccompProfile.type` of a securityContext when it is `Unconfined`.
fn unconfined_seccomp(security_context: Option<&Node>) -> Option<&Node> {
    security_context
        .and_then(|s| s.path(&["seccompProfile", "type"]))
        .filter(|t| t.as_str() == Some("Unconfined"))
}

/// K8S022 seccomp-unconfined: `seccompProfile.type: Unconfined` (pod or container).
fn seccomp_unconfined(cx: &Ctx<'_>, out: &mut Findings) {
    let help = "use `seccompProfile: {type: RuntimeDefault}`, or a `Localhost` profile that \
                allows the syscalls it needs";
    for (object, pod) in pods(cx) {
        if pod.windows {
            continue;
        }
        if let Some(node) = unconfined_seccomp(pod.security_context) {
            out.report(Code::K8S022, node.span.clone())
                .message(format!(
                    "the pod of {} runs without seccomp (`Unconfined`): every syscall reaches \
                     the node's kernel",
                    object.display_name()
                ))
                .help(help);
        }
        for c in containers(pod) {
            if let Some(node) = unconfined_seccomp(c.security_context) {
                out.report(Code::K8S022, node.span.clone())
                    .message(format!(
                        "{} runs without seccomp (`Unconfined`): every syscall reaches the \
                         node's kernel",
                        container_label(object, c)
                    ))
                    .help(help);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K8S043

/// The sysctls the Pod Security Standards "baseline" allows.
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/// The SELinux types the baseline allows (besides none).
const SAFE_SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

const APPARMOR_ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

/// The baseline checks on one securityContext (the pod's or a container's): `hostProcess`,
/// AppArmor `Unconfined`, SELinux user/role/type.
fn baseline_context(sc: Option<&Node>, who: &str, out: &mut Findings) {
    let Some(sc) = sc else {
        return;
    };
    if let Some(node) = sc.path(&["windowsOptions", "hostProcess"]) {
        if node.as_bool() == Some(true) {
            out.report(Code::K8S043, node.span.clone())
                .message(format!(
                    "{who} is a Windows host process (`hostProcess: true`): it runs on the node \
                     itself, with the node's access"
                ))
                .help("remove `hostProcess: true` unless this is a node agent that needs it");
        }
    }
    if let Some(node) = sc.path(&["appArmorProfile", "type"]) {
        if node.as_str() == Some("Unconfined") {
            out.report(Code::K8S043, node.span.clone())
                .message(format!("{who} runs without AppArmor (`Unconfined`)"))
                .help("use `appArmorProfile: {type: RuntimeDefault}` or a `Localhost` profile");
        }
    }
    let Some(selinux) = sc.get("seLinuxOptions") else {
        return;
    };
    for key in ["user", "role"] {
        let Some(node) = selinux.get(key) else {
            continue;
        };
        if node.as_str().is_some_and(|v| !v.trim().is_empty()) {
            out.report(Code::K8S043, node.span.clone())
                .message(format!(
                    "{who} sets a custom SELinux {key}, which the Pod Security Standards \
                     baseline forbids"
                ))
                .help(format!(
                    "remove `seLinuxOptions.{key}`; set only `level` (and `type` to one of \
                     container_t, container_init_t, container_kvm_t, container_engine_t)"
                ));
        }
    }
    if let Some(node) = selinux.get("type") {
        if let Some(t) = node.as_str() {
            if !t.is_empty() && !SAFE_SELINUX_TYPES.contains(&t) {
                out.report(Code::K8S043, node.span.clone())
                    .message(format!(
                        "{who} runs with SELinux type `{t}`, outside the container types the \
                         Pod Security Standards baseline allows"
                    ))
                    .help(
                        "use container_t, container_init_t, container_kvm_t or \
                         container_engine_t, or leave `type` unset",
                    );
            }
        }
    }
}

/// K8S043 pod-security-baseline: unsafe `sysctls`, `procMount: Unmasked`,
/// `hostProcess: true`, AppArmor unconfined, SELinux custom user/role/type.
fn pod_security_baseline(cx: &Ctx<'_>, out: &mut Findings) {
    for (object, pod) in pods(cx) {
        let pod_who = format!("the pod of {}", object.display_name());
        let sysctls = pod.security_context.and_then(|s| s.get("sysctls"));
        for sysctl in sysctls.map(Node::items).unwrap_or(&[]) {
            let Some(name_node) = sysctl.get("name") else {
                continue;
            };
            let Some(name) = name_node.as_str() else {
                continue;
            };
            if name.is_empty() || SAFE_SYSCTLS.contains(&name) {
                continue;
            }
            out.report(Code::K8S043, name_node.span.clone())
                .message(format!(
                    "{pod_who} sets the unsafe sysctl `{name}`: it is not namespaced per pod or \
                     can starve the node, and the kubelet refuses it unless allowed"
                ))
                .help(
                    "remove it, or set it on the node (a DaemonSet or the node image) where \
                     it is meant to apply",
                );
        }
        baseline_context(pod.security_context, &pod_who, out);

        let annotations = pod
            .template_metadata
            .and_then(|m| m.get("annotations"))
            .map(Node::entries)
            .unwrap_or(&[]);
        for entry in annotations {
            let Some(container) = entry
                .key
                .as_str()
                .and_then(|k| k.strip_prefix(APPARMOR_ANNOTATION))
            else {
                continue;
            };
            if entry.value.as_str() == Some("unconfined") {
                out.report(Code::K8S043, entry.value.span.clone())
                    .message(format!(
                        "container {container} of {} runs without AppArmor (`unconfined`)",
                        object.display_name()
                    ))
                    .help("use `runtime/default` or a `localhost/<profile>`");
            }
        }

        for c in containers(pod) {
            let who = container_label(object, c);
            if let Some(node) = c.security("procMount") {
                if node.as_str() == Some("Unmasked") {
                    out.report(Code::K8S043, node.span.clone())
                        .message(format!(
                            "{who} sees the host's unmasked /proc (`procMount: Unmasked`)"
                        ))
                        .help("remove `procMount`, or set it to `Default`");
                }
            }
            baseline_context(c.security_context, &who, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::registry::Code::*;

    /// A Deployment whose container `app` has the given extra lines (indented under it),
    /// and whose pod spec has the given extra lines.
    fn deploy(container: &str, pod: &str) -> String {
        let mut text = String::from(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  \
             selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n      \
             labels: {app: web}\n    spec:\n",
        );
        for line in pod.lines() {
            text.push_str("      ");
            text.push_str(line);
            text.push('\n');
        }
        text.push_str("      containers:\n      - name: app\n        image: nginx:1.27\n");
        for line in container.lines() {
            text.push_str("        ");
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    #[test]
    fn deploy_helper_shape() {
        // Line 11 is `containers:`, 12 the name, 13 the image, 14 the first extra line.
        let text = deploy("x: 1", "");
        assert_eq!(text.lines().nth(11), Some("      - name: app"));
        assert_eq!(text.lines().nth(13), Some("        x: 1"));
    }

    #[test]
    fn image_refs() {
        assert_eq!(image_ref("nginx"), Some(ImageRef::Untagged));
        assert_eq!(image_ref("nginx:latest"), Some(ImageRef::Latest));
        assert_eq!(image_ref("nginx:1.27"), Some(ImageRef::Pinned));
        assert_eq!(image_ref("nginx@sha256:abc"), Some(ImageRef::Pinned));
        assert_eq!(image_ref("nginx:latest@sha256:abc"), Some(ImageRef::Pinned));
        assert_eq!(image_ref("host:5000/app"), Some(ImageRef::Untagged));
        assert_eq!(image_ref("host:5000/app:latest"), Some(ImageRef::Latest));
        assert_eq!(image_ref("host:5000/team/app:2.0"), Some(ImageRef::Pinned));
        assert_eq!(image_ref("nginx:LATEST"), Some(ImageRef::Pinned));
        assert_eq!(image_ref("${IMAGE}"), None);
        assert_eq!(image_ref("$(REGISTRY)/app"), None);
        assert_eq!(image_ref("nginx:"), None);
        assert_eq!(image_ref(""), None);
    }

    const CRONJOB: &str = "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: '0 0 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          initContainers:
          - name: setup
            image: busybox
          containers:
          - name: job
            image: registry.local:5000/tools/job
          ephemeralContainers:
          - name: debug
            image: busybox:latest
";

    #[test]
    fn latest_image() {
        assert_findings(K8S012, &deploy("", ""), &[]);
        let untagged = deploy("", "").replace("nginx:1.27", "nginx");
        assert_findings(K8S012, &untagged, &[(13, 16)]);
        let latest = deploy("", "").replace("nginx:1.27", "\"nginx:latest\"");
        assert_findings(K8S012, &latest, &[(13, 16)]);
        // Digests pass, with or without a tag; a registry port is not a tag.
        for image in [
            "nginx@sha256:0123abcd",
            "nginx:latest@sha256:0123abcd",
            "registry.local:5000/app:2.1",
            "${IMAGE}",
            "$(REGISTRY)/app",
        ] {
            let text = deploy("", "").replace("nginx:1.27", image);
            assert_findings(K8S012, &text, &[]);
        }
        let port = deploy("", "").replace("nginx:1.27", "registry.local:5000/app");
        assert_findings(K8S012, &port, &[(13, 16)]);
        // Init containers count, ephemeral containers do not.
        assert_findings(K8S012, CRONJOB, &[(13, 20), (16, 20)]);
        let msg = first_message(K8S012, &latest).unwrap_or_default();
        assert!(msg.contains("container app of Deployment web"), "{msg}");
        // A List of Pods, and an object with no image at all.
        let list = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
  spec:
    containers: [{name: a, image: 'redis:latest'}]
- apiVersion: v1
  kind: Pod
  metadata: {name: b}
  spec:
    containers: [{name: b}]
";
        assert_findings(K8S012, list, &[(8, 35)]);
    }

    #[test]
    fn privileged_container() {
        assert_findings(
            K8S013,
            &deploy("securityContext:\n  privileged: true", ""),
            &[(15, 23)],
        );
        assert_findings(
            K8S013,
            &deploy("securityContext: {privileged: false}", ""),
            &[],
        );
        // A quoted "true" is a string the API server rejects (K8S002), not this rule's.
        assert_findings(
            K8S013,
            &deploy("securityContext: {privileged: \"true\"}", ""),
            &[],
        );
        let rollout = "\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r}
spec:
  template:
    spec:
      initContainers:
      - name: sysctl
        image: busybox:1.36
        securityContext: {privileged: true}
      containers: [{name: app, image: app:1}]
      ephemeralContainers:
      - name: debug
        image: busybox:1.36
        securityContext: {privileged: true}
";
        assert_findings(K8S013, rollout, &[(10, 39)]);
    }

    #[test]
    fn privilege_escalation() {
        assert_findings(K8S014, &deploy("", ""), &[(12, 15)]);
        let off = "securityContext:\n  allowPrivilegeEscalation: false";
        assert_findings(K8S014, &deploy(off, ""), &[]);
        let on = "securityContext:\n  allowPrivilegeEscalation: true";
        assert_findings(K8S014, &deploy(on, ""), &[(15, 37)]);
        // `false` has no effect beside privileged or SYS_ADMIN.
        let privileged = "securityContext:\n  privileged: true\n  allowPrivilegeEscalation: false";
        assert_findings(K8S014, &deploy(privileged, ""), &[(16, 37)]);
        let sys_admin = "securityContext:\n  allowPrivilegeEscalation: false\n  \
                         capabilities: {add: [CAP_SYS_ADMIN]}";
        assert_findings(K8S014, &deploy(sys_admin, ""), &[(15, 37)]);
        let msg = first_message(K8S014, &deploy(sys_admin, "")).unwrap_or_default();
        assert!(
            msg.contains("`CAP_SYS_ADMIN`") && msg.contains("rejects"),
            "{msg}"
        );
        let spelled = sys_admin.replace("CAP_SYS_ADMIN", "SYS_ADMIN");
        assert_findings(K8S014, &deploy(&spelled, ""), &[(15, 37)]);
        let msg = first_message(K8S014, &deploy(&spelled, "")).unwrap_or_default();
        assert!(!msg.contains("rejects"), "{msg}");
        let net_admin = "securityContext:\n  allowPrivilegeEscalation: false\n  \
                         capabilities: {add: [NET_BIND_SERVICE]}";
        assert_findings(K8S014, &deploy(net_admin, ""), &[]);
        // Windows pods are exempt; both ways of saying it.
        assert_findings(K8S014, &deploy("", "os: {name: windows}"), &[]);
        assert_findings(
            K8S014,
            &deploy("", "nodeSelector: {kubernetes.io/os: windows}"),
            &[],
        );
        // Init containers count; ephemeral containers do not.
        assert_findings(K8S014, CRONJOB, &[(12, 19), (15, 19)]);
    }

    #[test]
    fn run_as_root() {
        assert_findings(K8S015, &deploy("", ""), &[(12, 15)]);
        // Either setting, at either level, is enough.
        let ok = [
            deploy("securityContext: {runAsNonRoot: true}", ""),
            deploy("securityContext: {runAsUser: 1000}", ""),
            deploy("", "securityContext: {runAsNonRoot: true}"),
            deploy("", "securityContext:\n  runAsUser: 10001\n  runAsGroup: 0"),
            // The container overrides the pod's root user.
            deploy(
                "securityContext: {runAsUser: 1000}",
                "securityContext: {runAsUser: 0}",
            ),
        ];
        for text in &ok {
            assert_findings(K8S015, text, &[]);
        }
        assert_findings(
            K8S015,
            &deploy("securityContext: {runAsUser: 0}", ""),
            &[(14, 38)],
        );
        // runAsUser: 0 wins over runAsNonRoot: true (the kubelet refuses to start it).
        let both = deploy(
            "securityContext: {runAsUser: 0}",
            "securityContext: {runAsNonRoot: true}",
        );
        assert_findings(K8S015, &both, &[(15, 38)]);
        // The container's root overrides the pod's non-root user.
        let over = deploy(
            "securityContext: {runAsUser: 0}",
            "securityContext: {runAsUser: 1000}",
        );
        assert_findings(K8S015, &over, &[(15, 38)]);
        let explicit = deploy("", "securityContext: {runAsNonRoot: false}");
        assert_findings(K8S015, &explicit, &[(11, 39)]);
        // A pod-level root user is reported once, not per container.
        let shared = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    runAsUser: 0
  initContainers: [{name: init, image: busybox:1}]
  containers: [{name: a, image: a:1}, {name: b, image: b:1}]
";
        assert_findings(K8S015, shared, &[(6, 16)]);
        assert!(first_message(K8S015, shared)
            .unwrap_or_default()
            .contains("the pod of Pod p"));
        // A string user is the API server's to reject, not a root user.
        assert_findings(
            K8S015,
            &deploy("securityContext: {runAsUser: \"0\"}", ""),
            &[],
        );
        assert_findings(K8S015, &deploy("", "os: {name: windows}"), &[]);
        assert_findings(K8S015, CRONJOB, &[(12, 19), (15, 19)]);
    }

    #[test]
    fn writable_root_filesystem() {
        assert_findings(K8S016, &deploy("", ""), &[(12, 15)]);
        let ro = "securityContext: {readOnlyRootFilesystem: true}";
        assert_findings(K8S016, &deploy(ro, ""), &[]);
        let rw = "securityContext:\n  readOnlyRootFilesystem: false";
        assert_findings(K8S016, &deploy(rw, ""), &[(15, 35)]);
        // Only the container can set it; the pod cannot.
        let pod_level = deploy("", "securityContext: {readOnlyRootFilesystem: true}");
        assert_findings(K8S016, &pod_level, &[(13, 15)]);
        assert_findings(K8S016, &deploy("", "os: {name: windows}"), &[]);
        assert_findings(K8S016, CRONJOB, &[(12, 19), (15, 19)]);
    }

    #[test]
    fn dangerous_capabilities() {
        let add = "securityContext:\n  capabilities:\n    add:\n    - NET_BIND_SERVICE\n    \
                   - SYS_ADMIN\n    - cap_net_raw\n    - CHOWN\n    - IPC_LOCK";
        assert_findings(K8S017, &deploy(add, ""), &[(18, 15), (19, 15), (21, 15)]);
        let all = "securityContext: {capabilities: {add: [\"ALL\"], drop: [ALL]}}";
        assert_findings(K8S017, &deploy(all, ""), &[(14, 48)]);
        let msg = first_message(K8S017, &deploy(all, "")).unwrap_or_default();
        assert!(msg.contains("`ALL`"), "{msg}");
        // Dropping is never flagged; the baseline's own list is fine.
        let fine = "securityContext: {capabilities: {drop: [SYS_ADMIN, NET_RAW], \
                    add: [NET_BIND_SERVICE, CAP_CHOWN, SETUID]}}";
        assert_findings(K8S017, &deploy(fine, ""), &[]);
        assert_findings(
            K8S017,
            &deploy("securityContext: {capabilities: {add: }}", ""),
            &[],
        );
        assert_findings(
            K8S017,
            &deploy("securityContext: {capabilities: {add: []}}", ""),
            &[],
        );
    }

    #[test]
    fn capabilities_not_dropped() {
        assert_findings(K8S018, &deploy("", ""), &[(12, 15)]);
        let drop_all = "securityContext: {capabilities: {drop: [\"ALL\"]}}";
        assert_findings(K8S018, &deploy(drop_all, ""), &[]);
        assert_findings(
            K8S018,
            &deploy("securityContext: {capabilities: {drop: [all]}}", ""),
            &[],
        );
        let some = "securityContext:\n  capabilities:\n    drop: [NET_RAW]";
        assert_findings(K8S018, &deploy(some, ""), &[(16, 19)]);
        assert_findings(K8S018, &deploy("", "os: {name: windows}"), &[]);
        assert_findings(K8S018, CRONJOB, &[(12, 19), (15, 19)]);
    }

    #[test]
    fn host_namespaces() {
        let all = "hostNetwork: true\nhostPID: true\nhostIPC: true";
        assert_findings(K8S019, &deploy("", all), &[(11, 20), (12, 16), (13, 16)]);
        let off = "hostNetwork: false\nhostPID: false\nhostIPC: \"true\"";
        assert_findings(K8S019, &deploy("", off), &[]);
        assert_findings(K8S019, &deploy("", ""), &[]);
        // A Windows node agent is not exempt.
        assert_findings(
            K8S019,
            &deploy("", "os: {name: windows}\nhostNetwork: true"),
            &[(12, 20)],
        );
        let msg = first_message(K8S019, &deploy("", "hostPID: true")).unwrap_or_default();
        assert!(
            msg.contains("Deployment web") && msg.contains("hostPID"),
            "{msg}"
        );
    }

    #[test]
    fn host_path_volume() {
        let volumes = "\
volumes:
- name: sock
  hostPath: {path: /var/run/docker.sock, type: Socket}
- name: logs
  hostPath:
    path: /var/log
- name: cache
  emptyDir: {}
- name: cfg
  configMap: {name: cfg}
- name: odd
  hostPath:";
        assert_findings(K8S020, &deploy("", volumes), &[(13, 26), (16, 17), (22, 9)]);
        let socket = deploy(
            "",
            "volumes:\n- {name: s, hostPath: {path: /run/containerd/containerd.sock}}",
        );
        let msg = first_message(K8S020, &socket).unwrap_or_default();
        assert!(msg.contains("containerd socket"), "{msg}");
        let dir = deploy("", "volumes:\n- {name: s, hostPath: {path: /var/run/}}");
        let msg = first_message(K8S020, &dir).unwrap_or_default();
        assert!(msg.contains("runtime socket"), "{msg}");
        let plain = deploy("", "volumes:\n- {name: s, hostPath: {path: /data}}");
        let msg = first_message(K8S020, &plain).unwrap_or_default();
        assert!(
            msg.contains("host path `/data`") && !msg.contains("socket"),
            "{msg}"
        );
        assert_findings(K8S020, &deploy("", "volumes: []"), &[]);
        let pipe = deploy(
            "",
            "os: {name: windows}\nvolumes:\n- {name: p, hostPath: {path: '\\\\.\\pipe\\docker_engine'}}",
        );
        let msg = first_message(K8S020, &pipe).unwrap_or_default();
        assert!(msg.contains("Docker named pipe"), "{msg}");
    }

    #[test]
    fn host_port() {
        let ports = "ports:\n- containerPort: 80\n  hostPort: 8080\n- {containerPort: 443}";
        assert_findings(K8S021, &deploy(ports, ""), &[(16, 21)]);
        let zero = "ports:\n- {containerPort: 80, hostPort: 0}";
        assert_findings(K8S021, &deploy(zero, ""), &[]);
        // In a hostNetwork pod the port is the node's anyway (K8S019 reports the pod).
        assert_findings(K8S021, &deploy(ports, "hostNetwork: true"), &[]);
        let init = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - {name: i, image: i:1, ports: [{containerPort: 53, hostPort: 53}]}
  containers: [{name: a, image: a:1}]
  ephemeralContainers:
  - {name: e, image: e:1, ports: [{containerPort: 9, hostPort: 9}]}
";
        assert_findings(K8S021, init, &[(6, 65)]);
    }

    #[test]
    fn seccomp_unconfined() {
        let pod = "securityContext:\n  seccompProfile:\n    type: Unconfined";
        assert_findings(K8S022, &deploy("", pod), &[(13, 17)]);
        let container = "securityContext: {seccompProfile: {type: Unconfined}}";
        assert_findings(K8S022, &deploy(container, ""), &[(14, 50)]);
        let fine = "securityContext: {seccompProfile: {type: RuntimeDefault}}";
        assert_findings(K8S022, &deploy(fine, fine), &[]);
        let local =
            "securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}";
        assert_findings(K8S022, &deploy(local, ""), &[]);
        assert_findings(
            K8S022,
            &deploy("", &format!("os: {{name: windows}}\n{pod}")),
            &[],
        );
    }

    #[test]
    fn pod_security_baseline() {
        let sysctls = "\
securityContext:
  sysctls:
  - {name: net.ipv4.tcp_syncookies, value: '1'}
  - {name: net.core.somaxconn, value: '1024'}
  - name: kernel.msgmax
    value: '65536'";
        assert_findings(K8S043, &deploy("", sysctls), &[(14, 18), (15, 17)]);
        let container = "\
securityContext:
  procMount: Unmasked
  windowsOptions: {hostProcess: true}
  appArmorProfile: {type: Unconfined}
  seLinuxOptions: {user: system_u, role: sysadm_r, type: spc_t, level: 's0:c1'}";
        assert_findings(
            K8S043,
            &deploy(container, ""),
            &[(15, 22), (16, 41), (17, 35), (18, 34), (18, 50), (18, 66)],
        );
        let fine = "\
securityContext:
  procMount: Default
  windowsOptions: {hostProcess: false}
  appArmorProfile: {type: RuntimeDefault}
  seLinuxOptions: {type: container_init_t, level: 's0:c123,c456'}";
        assert_findings(K8S043, &deploy(fine, fine), &[]);
        let annotated = "\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata:
      labels: {app: agent}
      annotations:
        container.apparmor.security.beta.kubernetes.io/agent: unconfined
        container.apparmor.security.beta.kubernetes.io/side: runtime/default
    spec:
      containers: [{name: agent, image: agent:1}, {name: side, image: side:1}]
";
        assert_findings(K8S043, annotated, &[(10, 63)]);
        // Windows pods are not exempt: hostProcess is theirs.
        let host_process = deploy(
            "securityContext: {windowsOptions: {hostProcess: true}}",
            "os: {name: windows}\nhostNetwork: true",
        );
        assert_findings(K8S043, &host_process, &[(16, 57)]);
        // Pod-level contexts are checked too.
        let pod =
            "securityContext: {seLinuxOptions: {level: 's0'}, windowsOptions: {hostProcess: true}}";
        assert_findings(K8S043, &deploy("", pod), &[(11, 86)]);
    }

    #[test]
    fn other_kinds_and_documents() {
        // A multi-document file: a Job, a PodTemplate, a ConfigMap and a CRD with a template
        // that is not a pod.
        let text = "\
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: migrate
        securityContext: {privileged: true}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tpl}
template:
  spec:
    hostIPC: true
    containers: [{name: t, image: 't:latest'}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {image: 'nginx:latest', privileged: 'true'}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  template:
    spec: {hostNetwork: true, image: nginx}
";
        assert_findings(K8S012, text, &[(10, 16), (19, 35)]);
        assert_findings(K8S013, text, &[(11, 39)]);
        assert_findings(K8S019, text, &[(18, 14)]);
        // A Pod with no containers at all: nothing to say about containers.
        let empty = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n";
        for code in [K8S012, K8S014, K8S015, K8S016, K8S018] {
            assert_findings(code, empty, &[]);
        }
    }

    /// A strategic-merge patch (no container has an image) is partial: only values it
    /// writes are judged.
    #[test]
    fn security_context_of_a_patch() {
        const PATCH: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: web\n        env:\n        - {name: A, value: b}\n";

        for code in [K8S014, K8S015, K8S016] {
            assert_findings(code, PATCH, &[]);
        }
        let written = PATCH.replace(
            "        env:\n",
            "        securityContext: {runAsUser: 0, readOnlyRootFilesystem: false, allowPrivilegeEscalation: true}\n        env:\n",
        );
        assert_findings(K8S014, &written, &[(11, 98)]);
        assert_findings(K8S015, &written, &[(11, 38)]);
        assert_findings(K8S016, &written, &[(11, 65)]);
    }

    /// A kustomization beside the file that pins the image's tag (`images:` `newTag`) or
    /// digest: the untagged base image is what kustomize rewrites.
    #[test]
    fn latest_image_pinned_by_kustomization() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("kustomization.yaml"),
            "resources: [db.yaml]\nimages:\n- name: postgres\n  newTag: 14.7-alpine3.17\n- name: redis\n  newTag: latest\n- name: app\n  digest: sha256:abc\n",
        )
        .unwrap();
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: db}\nspec:\n  containers:\n  - {name: a, image: postgres}\n  - {name: b, image: redis}\n  - {name: c, image: app:latest}\n  - {name: d, image: nginx}\n";
        let path = dir.path().join("db.yaml");
        std::fs::write(&path, text).unwrap();
        let source = crate::source::SourceFile::new("db.yaml", text);
        let ctx = crate::lang::LintContext {
            disk_path: Some(path),
            options: Default::default(),
            ..Default::default()
        };
        let out = super::super::super::lint(&source, &ctx);
        let lines: Vec<u32> = out
            .diagnostics
            .iter()
            .filter(|d| d.code == K8S012)
            .map(|d| source.line_col(d.span.start).line)
            .collect();
        // redis: `newTag: latest` pins nothing; nginx: not in the kustomization.
        assert_eq!(lines, vec![7, 9]);
    }
}
