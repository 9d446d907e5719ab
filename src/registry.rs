//! The rule registry: the one table that is the truth for every rule's code, name, file type,
//! default severity, default selection, fix kind and summary. `rules/CODE.md` pages must match it
//! (a test checks both ways).

use crate::diagnostic::Severity;
use std::fmt;

/// Which file types a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// Cross-cutting rules (OPS, SEC) that apply to every file type.
    Any,
    Dockerfile,
    Kubernetes,
    Nginx,
    Jenkinsfile,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Any => "any",
            FileKind::Dockerfile => "dockerfile",
            FileKind::Kubernetes => "kubernetes",
            FileKind::Nginx => "nginx",
            FileKind::Jenkinsfile => "jenkinsfile",
        }
    }
}

/// What kind of fix a rule offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    None,
    Safe,
    Unsafe,
    /// Safe in some cases, unsafe in others (the rule decides per finding).
    Sometimes,
}

impl FixKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::None => "none",
            FixKind::Safe => "safe",
            FixKind::Unsafe => "unsafe",
            FixKind::Sometimes => "safe or unsafe",
        }
    }
}

/// The metadata of one rule.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    pub code: Code,
    pub name: &'static str,
    pub file_kind: FileKind,
    pub severity: Severity,
    pub default_on: bool,
    pub fix: FixKind,
    /// What the rule detects, from the catalogue.
    pub summary: &'static str,
    /// The names peers use for the same check (hadolint DLxxxx, checkov CKV_*, …).
    pub anchor: &'static str,
}

macro_rules! registry {
    ($($code:ident $name:literal $kind:ident $sev:ident $on:literal $fix:ident $summary:literal $anchor:literal;)*) => {
        /// Every rule code. Codes are stable: once shipped, a code keeps its meaning forever.
        #[allow(clippy::upper_case_acronyms)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($code,)* }

        /// The registry, in code order.
        pub static RULES: &[RuleMeta] = &[
            $(RuleMeta {
                code: Code::$code,
                name: $name,
                file_kind: FileKind::$kind,
                severity: Severity::$sev,
                default_on: $on,
                fix: FixKind::$fix,
                summary: $summary,
                anchor: $anchor,
            },)*
        ];

        impl Code {
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code),)* }
            }
        }
    };
}

registry! {
    OPS001 "unreadable-file" Any Error true None "a file that cannot be read, is binary (a NUL byte in its first 8 KiB), is UTF-16/32, or is over `[files] max-size` (default 10 MiB)" "—";
    OPS002 "unused-suppression" Any Warning true Safe "an `opslint: ignore[…]` comment or annotation that suppressed nothing (codes not selected in this run are exempt)" "ruff RUF100";
    OPS003 "invalid-suppression" Any Warning true None "a suppression naming an unknown code or name, or malformed (`# opslint: context=…` is a valid directive, not a suppression)" "ruff RUF103";
    OPS004 "not-utf8" Any Info true None "a text file that is not valid UTF-8: it is still linted, with each invalid byte read as `?` so every span stays exact" "—";
    OPS005 "internal-error" Any Error true None "a rule or parser failed on this file (a bug in opslint): reported with the rule's code in the message; the other files and rules still run" "—";
    SEC001 "hardcoded-secret" Any Error true None "a literal secret assigned to a secret-looking key in a structural position each language feeds (Dockerfile ENV/ARG/LABEL, container `env[].value`, `Secret.stringData`/`data` (decoded), Jenkinsfile `environment {}` and step named args, nginx `proxy_set_header Authorization \"Basic …\"`, userinfo in `proxy_pass` URLs). Values of path-valued keys (`ssl_certificate_key`, `ssl_password_file`, `*_FILE`, `*_PATH`, `keyFileVariable`) are paths, never secrets. Placeholders (`${VAR}`, `$(cmd)`, `{{ … }}`, `<…>`, `changeme`-style, empty, `****`) and references (`credentials('id')`, `secretKeyRef`, `--mount=type=secret`) are not secrets" "gitleaks generic-api-key, detect-secrets KeywordDetector, DL3064, CKV_K8S_35, trivy DS031";
    SEC002 "known-token" Any Error true None "a provider token by its format anywhere in the text, comments included (AWS access key, GitHub/GitLab tokens, Slack webhooks and tokens, Google API keys, Stripe live keys, JWTs, npm/PyPI tokens, …) with keyword prefilter and entropy floor" "gitleaks provider rules";
    SEC003 "private-key" Any Error true None "a `-----BEGIN … PRIVATE KEY-----` block" "gitleaks private-key";
    SEC004 "credentials-in-url" Any Error true None "`scheme://user:password@host` with a literal password; `curl -u user:pass`; the attached `-pPASS` of mysql-family clients (`mysql`, `mysqldump`, `mariadb`, `mysqladmin`) only — never `mkdir -p`, `ssh -p`, `docker run -p`" "gitleaks curl-auth-user, detect-secrets BasicAuth";
    SEC005 "high-entropy-string" Any Warning false None "a long high-entropy literal in a value position with no secret-looking key" "detect-secrets Base64/Hex entropy";
    DKR001 "syntax-error" Dockerfile Error true None "unknown instruction, missing arguments, unterminated JSON array or heredoc, bad parser directive; the parser recovers and lints the rest of the file" "hadolint DL1000";
    DKR002 "untagged-image" Dockerfile Warning true None "`FROM image` with no tag or digest (not `scratch`, not a stage name; `FROM ${X}` resolved through ARG defaults, skipped if unresolvable)" "DL3006";
    DKR003 "latest-tag" Dockerfile Warning true None "`FROM image:latest`" "DL3007, CKV_DOCKER_7";
    DKR004 "single-stage-build" Dockerfile Warning true None "the final stage compiles or bundles: it runs `mvn package|install|verify`, `gradle`/`gradlew build|assemble|jar|bootJar|shadowJar|installDist`, `go build`, `cargo build`, `npm|yarn|pnpm run build` or `yarn|pnpm build`, `dotnet build|publish`, `javac`, `gcc`/`g++`/`clang`, or `tsc`, so the image ships the toolchain and sources; build in an earlier stage and copy only the artifact. Points at the build command" "(none: our own, the seed's multi-stage advice)";
    DKR005 "root-user" Dockerfile Warning true None "the final stage runs as root: the last `USER` along the final stage's chain of local `FROM <stage>` is `root`, `0`, `root:*`, `0:*`, or there is none — unless the base image is known to run as non-root (`*:nonroot`, distroless `nonroot`, images listed in `[dockerfile] non-root-images`) or is a Windows image. Points at the `USER root` line, else at the final `FROM`" "DL3002, CKV_DOCKER_3/8, trivy DS002";
    DKR006 "missing-healthcheck" Dockerfile Info true None "the final stage has no `HEALTHCHECK` (and does not inherit one from a local stage)" "CKV_DOCKER_2, DL3057";
    DKR007 "apt-no-install-recommends" Dockerfile Info true Unsafe "`apt-get install` without `--no-install-recommends`" "DL3015";
    DKR008 "apt-lists-not-removed" Dockerfile Info true Unsafe "`apt-get install` in a RUN that does not remove `/var/lib/apt/lists/*` (and no cache mount)" "DL3009";
    DKR009 "apk-no-cache" Dockerfile Info true Safe "`apk add` without `--no-cache` (and no cache mount)" "DL3019";
    DKR010 "pip-no-cache-dir" Dockerfile Info true Safe "`pip install` without `--no-cache-dir` (and no cache mount, no `PIP_NO_CACHE_DIR`)" "DL3042";
    DKR011 "npm-install-in-image" Dockerfile Info true Unsafe "`npm install`/`npm i` with no package names and no `-g`: use `npm ci` for a reproducible install from the lockfile" "(seed)";
    DKR012 "add-instead-of-copy" Dockerfile Warning true Safe "`ADD` of local files that are not archives (URLs and archives are exempt)" "DL3020, CKV_DOCKER_4";
    DKR013 "maintainer-deprecated" Dockerfile Warning true Safe "`MAINTAINER` → `LABEL maintainer=\"…\"`" "DL4000, CKV_DOCKER_6";
    DKR014 "shell-form-entrypoint" Dockerfile Info true Unsafe "`CMD`/`ENTRYPOINT` in shell form (signals do not reach the process)" "DL3025";
    DKR015 "duplicate-instruction" Dockerfile Warning true None "more than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in a stage (only the last counts)" "DL4003, DL4004, DL3012";
    DKR016 "sensitive-build-arg" Dockerfile Warning true None "`ARG`/`ENV` whose name matches `(?i)(^|_)(PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)` even without a literal (build args and env land in the image history: use `RUN --mount=type=secret`); not names ending `_FILE`, `_PATH`, `_URL`, `_NAME`, `_ID` (except `ACCESS_KEY_ID`), not `GPG_KEY`, not `*PUBLIC_KEY*`; not reported where SEC001 already reports the same value" "DL3064, trivy DS031";
    DKR017 "unpinned-package" Dockerfile Info false None "package installs without versions: apt-get, apk, pip, npm -g, gem, go install" "DL3008, DL3013, DL3016, DL3018, DL3028, DL3062";
    DKR018 "relative-workdir" Dockerfile Error true None "`WORKDIR` that is not absolute after variable expansion: absolute = starts with `/`, or on Windows `X:\\`, `X:/`, `\\`; unresolvable variables are skipped" "DL3000, CKV_DOCKER_10";
    DKR019 "cd-in-run" Dockerfile Info true None "a RUN whose first command is `cd <dir>`: use `WORKDIR`" "DL3003";
    DKR020 "sudo-in-run" Dockerfile Error true None "`sudo` in RUN" "DL3004";
    DKR021 "bad-copy-from" Dockerfile Error true None "`COPY --from=x` naming its own stage, or a later stage" "DL3022, DL3023";
    DKR022 "duplicate-stage-name" Dockerfile Error true None "two stages with the same `AS name` (case-insensitive)" "DL3024";
    DKR023 "invalid-port" Dockerfile Error true None "`EXPOSE` of a port outside 0–65535 or a malformed port/protocol" "DL3011";
    DKR024 "copy-before-deps" Dockerfile Info true None "`COPY . .` before the dependency install (npm/yarn/pip/poetry/mvn/gradle/go mod/cargo) in the same stage, so every source change re-installs dependencies: copy the manifest first. Points at the COPY" "(seed)";
    DKR025 "missing-dockerignore" Dockerfile Warning true None "the build copies the whole context (`COPY . …`/`ADD . …`) and there is no `.dockerignore` (or `<Dockerfile>.dockerignore`) in the Dockerfile's folder or any folder above it up to the repository root; skipped on stdin. Points at that COPY" "(seed)";
    DKR026 "pipe-without-pipefail" Dockerfile Warning true Unsafe "a RUN with a pipe whose failure would be hidden: no `SHELL [… \"-o\", \"pipefail\" …]` and no `set -o pipefail`/`set -eo pipefail` in the RUN; skipped for non-POSIX shells. The fix inserts `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` (`/bin/ash` on alpine/busybox bases) — not `set -o pipefail`, which dash rejects" "DL4006";
    DKR027 "consecutive-run" Dockerfile Info false None "consecutive RUN instructions that could be one layer" "DL3059";
    DKR028 "missing-assume-yes" Dockerfile Warning true Safe "`apt-get install`, `yum install`, `dnf install`, `zypper install` without `-y`/`--yes`/`-n`" "DL3014, DL3030, DL3038, DL3034";
    DKR029 "package-cache-not-cleaned" Dockerfile Info true None "yum/dnf/zypper/microdnf installs without the matching `clean all`; `yarn install` without `yarn cache clean`" "DL3032, DL3040, DL3036, DL3060";
    DKR030 "wget-and-curl" Dockerfile Info true None "both wget and curl used in one stage" "DL4001";
    DKR031 "hardcoded-platform" Dockerfile Info true None "`FROM --platform=<literal>`" "DL3029";
    DKR032 "copy-dest-not-dir" Dockerfile Error true None "COPY/ADD with several sources whose destination does not end in `/` and is not `.`" "DL3021";
    DKR033 "apt-instead-of-apt-get" Dockerfile Warning true Safe "`apt install/update` in RUN" "DL3027, CKV_DOCKER_9";
    DKR034 "env-self-reference" Dockerfile Error true None "`ENV A=1 B=$A` referring to a variable set in the same instruction" "DL3044";
    DKR035 "copy-relative-no-workdir" Dockerfile Warning true None "COPY/ADD to a relative destination before any `WORKDIR` in the stage" "DL3045";
    DKR036 "useradd-without-l" Dockerfile Info true Safe "`useradd` with a high UID and no `-l`" "DL3046";
    DKR037 "onbuild-forbidden" Dockerfile Error true None "`ONBUILD` of `FROM`, `MAINTAINER` or `ONBUILD`" "DL3043";
    DKR038 "instruction-before-from" Dockerfile Error true None "an instruction other than `ARG` before the first `FROM`" "DL3061";
    DKR039 "interactive-tool" Dockerfile Info true None "RUN of tools that make no sense in a build (ssh, vim, shutdown, service, ps, free, top, kill, mount, ifconfig)" "DL3001";
    DKR040 "untrusted-registry" Dockerfile Error true None "base image from a registry not in `[dockerfile] trusted-registries` (only when that option is set)" "DL3026";
    DKR041 "tls-verification-disabled" Dockerfile Warning true None "`curl -k/--insecure`, `wget --no-check-certificate`, `pip --trusted-host`, `apk --allow-untrusted`, `apt-get --allow-unauthenticated/--force-yes`, `--nogpgcheck`, `rpm --nosignature`, `npm/yarn strict-ssl false`, `git … sslVerify false`, env `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, `GIT_SSL_NO_VERIFY`, `PIP_TRUSTED_HOST`" "CKV2_DOCKER_2–16";
    DKR042 "ssh-port-exposed" Dockerfile Warning true None "`EXPOSE 22`" "CKV_DOCKER_1, trivy DS004";
    DKR043 "heavy-base-image" Dockerfile Info true None "the final stage uses a full distribution image where a slim/alpine/distroless variant of the same image exists (node, python, openjdk/eclipse-temurin jdk, golang, ruby, debian, ubuntu…)" "(seed)";
    DKR044 "dev-dependencies-in-image" Dockerfile Info true None "the final stage installs dev dependencies: `npm ci`/`npm install` without `--omit=dev`/`--production`, `pip install -r requirements-dev.txt`" "(seed)";
    DKR045 "copy-whole-stage-fs" Dockerfile Warning true None "`COPY --from=stage / …` copies an entire filesystem" "DL3067";
    DKR046 "update-without-install" Dockerfile Warning true None "`apt-get update`/`apk update`/`yum makecache` in a RUN with no install (stale cache layer)" "CKV_DOCKER_5, trivy DS017";
    DKR047 "system-workdir" Dockerfile Error true None "`WORKDIR` set to a system directory (`/proc`, `/sys`, `/dev`, `/boot`…)" "trivy DS030";
    DKR048 "undefined-variable" Dockerfile Warning true None "a variable used in an instruction that no `ARG`/`ENV` in scope defines and that is not a predefined build arg (`TARGETPLATFORM`, `BUILDPLATFORM`, `HTTP_PROXY`…) — typically a global `ARG` used inside a stage without being declared again there, which expands to empty" "BuildKit UndefinedVar, UndefinedArgInFrom";
    DKR049 "exec-form-single-quotes" Dockerfile Error true Safe "`CMD ['a', 'b']` (single quotes): not JSON, so Docker silently runs it in shell form" "dockerfile-utils instructionJSONInSingleQuotes";
    DKR050 "copy-ignored-file" Dockerfile Warning true None "COPY/ADD of a path that `.dockerignore` excludes (the build fails or copies nothing)" "BuildKit CopyIgnoredFile";
    DKR051 "non-numeric-user" Dockerfile Info true None "the final `USER` is a name, not a UID: Kubernetes `runAsNonRoot` cannot verify it and refuses to start the pod" "DL3066";
    K8S001 "yaml-syntax-error" Kubernetes Error true None "invalid YAML; duplicate mapping keys (reported, the rest still linted)" "yamllint, kubectl";
    K8S002 "invalid-manifest" Kubernetes Error true None "a manifest the API server would reject for its shape: container without `name` or `image`, `containers` not a list, workload without `selector` (apps/v1), wrong scalar types on the fields rules read" "kubeconform";
    K8S003 "missing-requests" Kubernetes Warning true None "a container ⁺ with neither `resources.requests.cpu` nor `resources.limits.cpu`, or neither `requests.memory` nor `limits.memory` (the API server copies a missing request from its limit)" "CKV_K8S_10/12, kube-score container-resources, Polaris, kube-linter unset-cpu-requirements (seed)";
    K8S004 "missing-memory-limit" Kubernetes Warning true None "a container ⁺ without `resources.limits.memory`" "CKV_K8S_13, kube-linter unset-memory-requirements (seed)";
    K8S005 "missing-cpu-limit" Kubernetes Info true None "a container without `resources.limits.cpu` (info: CPU limits throttle; teams differ)" "CKV_K8S_11, Polaris cpuLimitsMissing (seed)";
    K8S006 "limits-below-requests" Kubernetes Error true None "a limit lower than its request (quantities compared with units: `500m` < `1`, `64Mi` < `1Gi`); the API server rejects it" "(none)";
    K8S007 "missing-readiness-probe" Kubernetes Warning true None "a container of a long-running workload without `readinessProbe`: Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, DeploymentConfig, Argo Rollout, and bare Pods with `restartPolicy: Always` (the default); never Jobs, CronJobs, other custom resources, init containers, or pod YAML inside a Jenkinsfile agent" "CKV_K8S_9, Polaris, kube-linter no-readiness-probe (seed)";
    K8S008 "missing-liveness-probe" Kubernetes Info true None "the same scope, without `livenessProbe` (info: a bad liveness probe restarts healthy pods; not every service needs one)" "CKV_K8S_8, Polaris (seed)";
    K8S009 "identical-probes" Kubernetes Info true None "liveness and readiness probes identical (a slow dependency restarts pods instead of draining them)" "kube-score pod-probes-identical";
    K8S010 "probe-port-not-exposed" Kubernetes Warning true None "a probe that names a port (`port: http`) the container does not declare in `ports` (numeric ports are never flagged: an undeclared number still works)" "kube-linter liveness-port/readiness-port";
    K8S011 "liveness-before-readiness" Kubernetes Info true None "liveness `initialDelaySeconds` shorter than readiness's with no `startupProbe`: the pod can be killed before it ever becomes ready" "(seed)";
    K8S012 "latest-image" Kubernetes Warning true None "an image with no tag or `:latest` (digest-pinned images pass)" "CKV_K8S_14, kube-linter latest-tag, Polaris tagNotSpecified";
    K8S013 "privileged-container" Kubernetes Error true None "`securityContext.privileged: true`" "CKV_K8S_16, kube-linter privileged-container";
    K8S014 "privilege-escalation" Kubernetes Info true None "`allowPrivilegeEscalation` not set to `false`" "CKV_K8S_20, kube-linter privilege-escalation-container";
    K8S015 "run-as-root" Kubernetes Info true None "neither pod nor container sets `runAsNonRoot: true` or a non-zero `runAsUser`; or `runAsUser: 0`" "CKV_K8S_23, kube-linter run-as-non-root";
    K8S016 "writable-root-filesystem" Kubernetes Info true None "`readOnlyRootFilesystem` not `true`" "CKV_K8S_22, kube-linter no-read-only-root-fs";
    K8S017 "dangerous-capabilities" Kubernetes Warning true None "capabilities added: `ALL`, `SYS_ADMIN`, `NET_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `NET_RAW`, `BPF` …" "CKV_K8S_39/25, Polaris dangerousCapabilities";
    K8S018 "capabilities-not-dropped" Kubernetes Info false None "`capabilities.drop` does not include `ALL`" "CKV_K8S_37, trivy KSV003";
    K8S019 "host-namespaces" Kubernetes Error true None "`hostNetwork`, `hostPID` or `hostIPC` true" "CKV_K8S_17/18/19, kube-linter host-*";
    K8S020 "host-path-volume" Kubernetes Warning true None "a `hostPath` volume; a container runtime socket (`docker.sock`, `containerd.sock`, `crio.sock`) is reported as such" "kube-linter docker-sock/sensitive-host-mounts, CKV_K8S_27";
    K8S021 "host-port" Kubernetes Info true None "a container port with `hostPort`" "CKV_K8S_26, Polaris hostPortSet";
    K8S022 "seccomp-unconfined" Kubernetes Warning true None "`seccompProfile.type: Unconfined` (pod or container)" "CKV_K8S_31, trivy KSV104";
    K8S023 "duplicate-env-var" Kubernetes Warning true None "the same env var name twice in a container (the last silently wins)" "kube-linter duplicate-env-var, kube-score";
    K8S024 "duplicate-name" Kubernetes Error true None "two containers (incl. init) with one name; two ports with one name in a container" "kube-score container-ports-check";
    K8S025 "no-anti-affinity" Kubernetes Info true None "a Deployment/StatefulSet with `replicas` > 1 and neither `podAntiAffinity` nor `topologySpreadConstraints`: all replicas may land on one node" "kube-linter no-anti-affinity, kube-score (seed)";
    K8S026 "removed-api-version" Kubernetes Error true Unsafe "an apiVersion that `[kubernetes] target-version` (default 1.30) no longer serves for its kind (extensions/v1beta1, apps/v1beta1/2, batch/v1beta1 CronJob, policy/v1beta1, networking.k8s.io/v1beta1 Ingress, autoscaling/v2beta1/2 …), naming the release that removed it and the replacement. Points at the `apiVersion` value" "kube-score stable-version, trivy KSV107";
    K8S027 "selector-mismatch" Kubernetes Error true None "a workload whose `selector.matchLabels`/`matchExpressions` do not select its own pod template labels" "kube-linter mismatching-selector";
    K8S028 "service-selects-nothing" Kubernetes Warning true None "a Service with a selector (not `ExternalName`, not selector-less) that matches no pod template in its namespace. Points at the selector" "kube-linter dangling-service, kube-score service-targets-pod";
    K8S029 "service-target-port-missing" Kubernetes Warning true None "a Service `targetPort` name that no selected container declares, or a number when the selected pods declare ports and none matches; only when the selector matches at least one pod template" "kube-linter invalid-target-ports";
    K8S030 "hpa-target-missing" Kubernetes Warning true None "a HorizontalPodAutoscaler whose `scaleTargetRef` names no workload of the run (when the run has workloads of that kind)" "kube-linter dangling-horizontalpodautoscaler";
    K8S031 "missing-network-policy" Kubernetes Info false None "a pod template that no NetworkPolicy in the namespace selects" "kube-score pod-networkpolicy, Polaris missingNetworkPolicy (seed)";
    K8S032 "missing-pod-disruption-budget" Kubernetes Info false None "a workload with `replicas` > 1 that no PodDisruptionBudget selects" "kube-score, Polaris";
    K8S033 "missing-config-reference" Kubernetes Info false None "a ConfigMap/Secret used by `volumes`, `envFrom` or `valueFrom` (not `optional: true`) that the set does not define" "(seed)";
    K8S034 "automount-service-account-token" Kubernetes Info false None "`automountServiceAccountToken` not `false` on a pod that does not need the API" "CKV_K8S_38, Polaris";
    K8S035 "default-namespace" Kubernetes Info false None "no `metadata.namespace`, or `default`" "CKV_K8S_21, kube-linter use-namespace";
    K8S036 "ingress-snippet-annotation" Kubernetes Warning true None "ingress-nginx `server-snippet`/`configuration-snippet`/`auth-snippet` annotations (CVE-2021-25742 class)" "CKV_K8S_153/154";
    K8S037 "cluster-admin-binding" Kubernetes Warning true None "a (Cluster)RoleBinding to `cluster-admin`" "kube-linter cluster-admin-role-binding, Polaris";
    K8S038 "wildcard-rbac" Kubernetes Warning true None "`*` in verbs, resources or apiGroups of a Role/ClusterRole" "CKV_K8S_49, kube-linter wildcard-in-rules";
    K8S039 "deprecated-api-version" Kubernetes Warning true None "an apiVersion still served by the target version but deprecated, with the release that will remove it" "kube-score stable-version";
    K8S040 "hpa-replicas-conflict" Kubernetes Info true Safe "a workload that an HPA of the run scales but that also sets `spec.replicas`: every apply resets the scale" "kube-score deployment-targeted-by-hpa-does-not-have-replicas-configured";
    K8S041 "pdb-blocks-eviction" Kubernetes Warning true None "a PodDisruptionBudget with `maxUnavailable: 0`, or `minAvailable` ≥ the replicas of what it selects: node drains hang" "kube-linter pdb-*, Polaris pdbDisruptionsIsZero";
    K8S042 "rbac-sensitive-access" Kubernetes Warning true None "a Role/ClusterRole granting read of `secrets`, `pods/exec`/`pods/attach`, `create` on pods, or `escalate`/`bind`/`impersonate`" "CKV_K8S_155–158, trivy KSV041/043/053";
    K8S043 "pod-security-baseline" Kubernetes Warning true None "what the Pod Security Standards \"baseline\" forbids and no rule above covers: unsafe `sysctls`, `procMount: Unmasked`, `hostProcess: true`, AppArmor `unconfined`, SELinux custom user/role" "kube-linter unsafe-sysctls, Polaris procMount, trivy KSV026/027/103";
    K8S044 "dangling-reference" Kubernetes Warning true None "an Ingress backend Service, a `serviceAccountName`, or a StatefulSet `serviceName` that no object of the run defines (only when the run has objects of that kind)" "kube-linter dangling-ingress, non-existent-service-account";

    // nginx (NGX): rows of the nginx engine, in code order.
    NGX001 "syntax-error" Nginx Error true None "unbalanced braces, unterminated quote, a directive without `;` (e.g. `listen 80` then a newline and another directive), unexpected `}` / EOF; the parser recovers" "nginx -t, nginx-lint";
    NGX002 "unknown-directive" Nginx Error true None "a directive no nginx module defines (with did-you-mean); `[nginx] extra-directives` adds third-party ones; names inside `map`/`types`/`geo`/`split_clients`/`match` and `*_by_lua_block` bodies are data, not directives; a directive nginx removed (`ssl`, `spdy_*`…) is NGX206, not this" "nginx -t";
    NGX003 "directive-not-allowed-here" Nginx Error true None "a directive in a context where nginx rejects it (`proxy_pass` in `http`, `server` in `server` …) from the full directive/context table; the `*_by_lua_block` rows have no contexts in the table: allow them in `http`, `server`, `location` and `if`. Never reported when the context of a fragment was guessed rather than known" "nginx -t, crossplane";
    NGX004 "invalid-arguments" Nginx Error true None "wrong number of arguments, or a flag directive whose value is not `on`/`off`" "nginx -t, crossplane";
    NGX005 "duplicate-directive" Nginx Error true Safe "a second occurrence in one block of a directive that nginx rejects twice: every directive whose handler in the table is one of nginx's `ngx_conf_set_*_slot` functions, plus `root`/`alias` (either twice), `proxy_pass`, `fastcgi_pass`, `uwsgi_pass`, `scgi_pass`, `grpc_pass`, `memcached_pass`; the same `listen` address twice" "nginx -t, nginx-lint";
    NGX006 "include-not-found" Nginx Warning true None "`include` of a path (relative to the config prefix or the file) that matches nothing on disk; skipped on stdin" "nginx -t";
    NGX101 "server-tokens" Nginx Warning true Safe "`server_tokens on|build`, or a complete config (one with an `http` block, not a fragment) that never sets `server_tokens off` — fix inserts `server_tokens off;` into `http` with the file's indentation. Points at the directive, or at `http`" "gixy-ng version_disclosure, nginx-lint server-tokens-enabled (seed)";
    NGX102 "weak-ssl-protocols" Nginx Warning true Unsafe "`ssl_protocols` with SSLv2, SSLv3, TLSv1, TLSv1.1 — fix `TLSv1.2 TLSv1.3`" "gixy-ng weak_ssl_tls (seed)";
    NGX103 "weak-ssl-ciphers" Nginx Warning true None "`ssl_ciphers` that still allows RC4, DES, 3DES, MD5, NULL, EXPORT, aNULL or eNULL after its `!`/`-` exclusions are applied (nginx's default `HIGH:!aNULL:!MD5` passes)" "gixy-ng weak_ssl_tls";
    NGX104 "add-header-redefinition" Nginx Warning true None "an `add_header` in a nested block that drops header names the parent level sets and it does not repeat (names them); honours `add_header_inherit on|off|merge`" "gixy add_header_redefinition";
    NGX105 "alias-traversal" Nginx Error true Unsafe "a prefix `location` (not `=` or a regex) without a trailing `/` whose `alias` ends in `/`: `/files../` escapes the folder. Points at the `alias`" "gixy alias_traversal";
    NGX106 "ssrf" Nginx Error true None "`proxy_pass`/`fastcgi_pass`/`grpc_pass` whose host part comes from a user-controlled variable (`$arg_*`, `$http_*`, `$cookie_*`, regex captures of `$uri`…)" "gixy ssrf";
    NGX107 "http-splitting" Nginx Error true None "`$uri`, `$document_uri` or a capture that may contain a newline, used in `add_header`, `proxy_set_header`, `proxy_pass`, `rewrite`, or a redirecting `return` (301, 302, 303, 307, 308)" "gixy http_splitting";
    NGX108 "host-spoofing" Nginx Warning true Unsafe "`proxy_set_header Host $http_host` (use `$host`)" "gixy host_spoofing";
    NGX109 "unanchored-origin-check" Nginx Warning true None "`if ($http_origin|$http_referer ~ …)` with a regex that also matches attacker domains (unanchored, unescaped dot)" "gixy origins";
    NGX110 "valid-referers-none" Nginx Warning true None "`valid_referers none`" "gixy valid_referers";
    NGX111 "missing-security-headers" Nginx Info true None "a server that answers HTTP with none of `X-Frame-Options`/CSP `frame-ancestors`, `X-Content-Type-Options`; a TLS server without `Strict-Transport-Security` (after inheritance)" "(seed), gixy-ng hsts_header";
    NGX112 "autoindex-on" Nginx Info true None "`autoindex on`" "nginx-lint autoindex-enabled";
    NGX113 "allow-without-deny" Nginx Warning true Unsafe "`allow` rules in a block with no `deny all` after them" "gixy-ng allow_without_deny";
    NGX114 "status-page-exposed" Nginx Warning true None "`stub_status`/`status`/`vts`-style pages without `allow`/`deny` or `auth_basic` (seed: allow 127.0.0.1; deny all)" "gixy-ng status_page_exposed (seed)";
    NGX115 "filesystem-root-exposed" Nginx Error true None "`root /;` or `alias /;`" "gixy-ng filesystem_root_exposure";
    NGX116 "if-is-evil" Nginx Warning true None "directives other than `return`, `rewrite` and `set` inside `if` in a `location`" "gixy-ng if_is_evil, nginx-lint";
    NGX117 "proxy-pass-without-resolver" Nginx Warning true None "`proxy_pass` (or another `*_pass`) with a variable host, or `ssl_stapling on`, with no `resolver` in scope — not when every value the variable can take (from `set`/`map`) is an upstream name or an IP address" "gixy-ng missing_resolver, ssl_stapling_without_resolver";
    NGX118 "error-log-off" Nginx Warning true Safe "`error_log off` writes to a file named `off`: the fix writes `error_log /dev/null crit;`" "gixy-ng error_log_off";
    NGX201 "upstream-keepalive-without-http11" Nginx Warning true Unsafe "for `[nginx] version` < 1.29.7 (default target 1.24): a `proxy_pass` to an upstream that has `keepalive`, from a location where — after inheritance (a level with any `proxy_set_header` drops all inherited ones) — `proxy_http_version 1.1` or `proxy_set_header Connection \"\"` is missing, so the keepalive pool is never used; at any version, an explicit `proxy_http_version 1.0` or `Connection close` toward such an upstream. Points at the `proxy_pass`" "(seed), nginx-lint proxy-keepalive";
    NGX202 "gzip-without-types" Nginx Info true None "`gzip on` with no `gzip_types` (only text/html is compressed)" "(seed)";
    NGX203 "worker-rlimit-too-low" Nginx Info true None "`worker_rlimit_nofile` below 2 × `worker_connections`, or `worker_connections` above 1024 (the usual default open-file limit) with no `worker_rlimit_nofile`" "gixy-ng worker_rlimit_nofile_vs_connections (seed)";
    NGX204 "root-in-location" Nginx Info true None "`root` inside a `location` where the server has none (repeat per location)" "nginx-lint root-in-location";
    NGX205 "map-without-default" Nginx Info true None "`map`/`geo` without a `default` entry" "gixy-ng hash_without_default";
    NGX206 "deprecated-directive" Nginx Warning true Unsafe "for the target `[nginx] version`: `listen … http2` (≥ 1.25.1: `http2 on;`), `ssl on` (removed in 1.25.1: an error there, the `ssl` parameter of `listen` instead), and every directive whose handler in the table is `*_obsolete`" "nginx -t warnings";
    NGX207 "undefined-zone" Nginx Error true None "`limit_req zone=x` / `limit_conn x` / `proxy_cache x` with no matching `limit_req_zone`/`limit_conn_zone`/`proxy_cache_path` in the configuration set (not `proxy_cache off`, not values with variables)" "(seed)";
    NGX208 "tcp-nopush-without-sendfile" Nginx Info true None "`tcp_nopush on` where `sendfile` is off or unset (it has no effect)" "(seed)";
    NGX209 "try-files-with-proxy-pass" Nginx Warning true None "`try_files` and `proxy_pass` in the same location" "nginx-lint try-files-with-proxy";
    NGX210 "missing-client-max-body-size" Nginx Info false None "no `client_max_body_size` in a server that proxies uploads" "nginx-lint (seed)";


    // Jenkinsfile (JNK): rows of the Jenkinsfile engine, in code order.
    JNK001 "syntax-error" Jenkinsfile Error true None "unbalanced `{ ( [`, unterminated strings/comments/`${`, in any Groovy string form" "Groovy compiler";
    JNK002 "missing-section" Jenkinsfile Error true None "a declarative pipeline without `agent` or `stages`; a stage without one of `steps`/`stages`/`parallel`/`matrix`" "Jenkins validator \"Missing required section\", \"Expected one of \\\"steps\\\", \\\"stages\\\", or \\\"parallel\\\"\"";
    JNK003 "unknown-section" Jenkinsfile Error true Safe "a section or directive not allowed where it stands (top level: agent, stages, environment, post, tools, options, parameters, triggers, libraries; stage: agent, when, steps, post, options, input, tools, environment, parallel, matrix, failFast, stages; matrix: axes, excludes, stages, agent, when, post, options, environment, tools, input) — including `matrix` or `parallel` directly under `pipeline`, and step calls outside `steps { }`" "Jenkins validator \"Undefined section\", \"Unknown stage section\"";
    JNK004 "duplicate-section" Jenkinsfile Error true None "a section given twice; duplicate stage names; duplicate parallel branch names. Points at the later occurrence" "\"Multiple occurrences of the … section\", DuplicateStageName";
    JNK005 "empty-section" Jenkinsfile Error true None "empty `stages`, `steps`, `options`, `environment`, `post`, `when`, `parameters`, `triggers`, `tools`" "\"… can not be empty\", \"No stages specified\"";
    JNK006 "invalid-agent" Jenkinsfile Error true None "`agent` not of the forms `none`, `any`, `{ label … }`, `{ docker … }`, `{ dockerfile … }`, `{ kubernetes … }`, `{ node … }` or a type listed in `[jenkinsfile] agent-types` (for plugins such as `ecs`); two agent types; missing required parameter" "\"Only \\\"agent none\\\", \\\"agent any\\\" or \\\"agent {...}\\\" are allowed.\"";
    JNK007 "invalid-nesting" Jenkinsfile Error true None "`parallel`/`matrix` inside `parallel`/`matrix`; `agent`/`tools` on a stage that holds `parallel` or `matrix`; more than one of `steps`/`stages`/`parallel`/`matrix` in a stage" "NoNestedWithinNestedStages, TwoOfStepsStagesParallel";
    JNK008 "invalid-matrix" Jenkinsfile Error true None "matrix without `axes` or `stages`, axis without `name`/`values`, duplicate axis names or values, `excludes` shape" "Jenkins validator matrix rules";
    JNK009 "invalid-post-condition" Jenkinsfile Error true Safe "a `post` condition other than always, changed, fixed, regression, aborted, success, unsuccessful, unstable, failure, notBuilt, cleanup; duplicates" "InvalidBuildCondition";
    JNK010 "invalid-when" Jenkinsfile Error true None "a `when` condition other than branch, buildingTag, changelog, changeset, changeRequest, environment, equals, expression, tag, not, allOf, anyOf, isRestartedRun, triggeredBy (and the options beforeAgent, beforeInput, beforeOptions, which are not conditions); `allOf`/`anyOf` with no child; `not` with other than one child. Several conditions side by side are valid (they are ANDed)" "Jenkins validator when rules";
    JNK011 "invalid-environment" Jenkinsfile Error true Safe "environment keys that are not identifiers, duplicate keys, values that are neither strings (or `+`-joined strings) nor `credentials(…)`/calls, a bare `${X}` value" "InvalidIdentifierInEnv, BareDollarCurly";
    JNK012 "groovy-outside-script" Jenkinsfile Error true None "`def x = …`, method calls on objects, `if`/`for` directly in declarative `steps` (must be in `script { }`)" "ObjectMethodCall";
    JNK101 "secret-interpolation" Jenkinsfile Error true Sometimes "a double-quoted (or triple-double, or slashy) Groovy string passed to `sh`/`bat`/`powershell`/`pwsh` (or as their `script:` argument) that interpolates a credential variable — bound by `withCredentials([...])` bindings (`variable`, `usernameVariable`, `passwordVariable`, `keyFileVariable`, `passphraseVariable`…, and `gitUsernamePassword`'s `GIT_USERNAME`/`GIT_PASSWORD`) inside their closure, or by `X = credentials('id')` in `environment` (with `X_USR`, `X_PSW`). Groovy puts the secret into the process arguments. Points at the interpolation. The fix turns the string into a single-quoted one that lets the shell read the variable (`$X` for `sh`, `%X%` for `bat`, `$env:X` for PowerShell); it is safe only when every interpolation is an environment or credential variable and none sits inside shell single quotes, else unsafe" "Jenkins: \"A secret was passed to \\\"sh\\\" using Groovy String interpolation, which is insecure\" (seed)";
    JNK102 "command-injection" Jenkinsfile Warning true None "interpolation into a shell step of input an outsider controls: `params.X`/`${X}` of string and text parameters (not choice or boolean), `env.BRANCH_NAME`, `env.CHANGE_TITLE`, `env.CHANGE_BRANCH`, `env.CHANGE_AUTHOR*`, `env.TAG_NAME` and their bare `${BRANCH_NAME}` forms (not `GIT_COMMIT`, which is hex)" "Jenkins docs \"Injection via interpolation\"";
    JNK103 "secret-echo" Jenkinsfile Warning true None "`echo`/`println` of a credential variable, or `set -x`/`bash -x` inside a `withCredentials` block" "Credentials Binding docs (seed)";
    JNK104 "unpinned-library" Jenkinsfile Warning true None "`@Library('lib')` / `library 'lib'` without `@version`, or pinned to a moving branch (`master`, `main`, `develop`)" "Jenkins shared library docs";
    JNK105 "agent-any" Jenkinsfile Info false None "top-level `agent any` / label-less `node { }` (may run on the controller)" "Jenkins controller isolation";
    JNK106 "dynamic-code" Jenkinsfile Warning true None "`load`, `evaluate`, `GroovyShell`, `Eval.me` on non-literal strings" "—";
    JNK201 "missing-timeout" Jenkinsfile Info true Unsafe "a declarative pipeline with no `timeout` in top-level `options` and not every stage wrapped in one" "(seed)";
    JNK202 "input-without-timeout" Jenkinsfile Warning true None "an `input` step with no `timeout` around it (a `timeout` step, or a stage- or pipeline-level `options { timeout }`), or an `input` step inside a stage that holds an agent (its own or the pipeline's) so an executor waits" "pipeline best practices";
    JNK203 "missing-build-discarder" Jenkinsfile Info false None "no `buildDiscarder(logRotator(…))` in `options`" "(seed)";
    JNK204 "unpinned-agent-image" Jenkinsfile Warning true None "`agent { docker { image 'x' } }` / `docker.image('x')` without a tag or with `:latest`" "(DKR002/DKR003 for agents)";
    JNK205 "parallel-without-failfast" Jenkinsfile Info true Unsafe "a `parallel` block without `failFast true` and no `parallelsAlwaysFailFast()` option" "(seed)";
    JNK206 "large-script-block" Jenkinsfile Info true None "a `script { }` block longer than `[jenkinsfile] max-script-lines` (default 30): move it into a shared library" "Jenkins syntax docs";

}

impl Code {
    pub fn meta(self) -> &'static RuleMeta {
        // RULES is in declaration order, which is the enum's discriminant order.
        &RULES[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.meta().name
    }

    /// Looks a rule up by code (`DKR004`) or name (`single-stage-build`), case-insensitively.
    pub fn lookup(code_or_name: &str) -> Option<Code> {
        RULES
            .iter()
            .find(|r| {
                r.code.as_str().eq_ignore_ascii_case(code_or_name)
                    || r.name.eq_ignore_ascii_case(code_or_name)
            })
            .map(|r| r.code)
    }

    /// Every rule a code or name stands for: one for a code, several for a name that rules of
    /// different file types share (`syntax-error`).
    pub fn lookup_all(code_or_name: &str) -> Vec<Code> {
        RULES
            .iter()
            .filter(|r| {
                r.code.as_str().eq_ignore_ascii_case(code_or_name)
                    || r.name.eq_ignore_ascii_case(code_or_name)
            })
            .map(|r| r.code)
            .collect()
    }

    /// The hadolint codes (`DL3006`) this rule stands for, from its anchor.
    pub fn hadolint_codes(self) -> impl Iterator<Item = &'static str> {
        self.meta()
            .anchor
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| {
                w.len() == 6 && w.starts_with("DL") && w[2..].bytes().all(|b| b.is_ascii_digit())
            })
    }

    /// The check names of other Kubernetes linters this rule stands for, lower-cased, from its
    /// anchor: `CKV_K8S_10/12` gives `ckv_k8s_10` and `ckv_k8s_12`, `CKV_K8S_155–158` the range,
    /// `kube-linter latest-tag` gives `latest-tag`, `Polaris tagNotSpecified` `tagnotspecified`.
    /// A trailing `*` (`host-*`) is kept as a prefix pattern.
    pub fn peer_check_names(self) -> Vec<String> {
        let mut out = Vec::new();
        for piece in self.meta().anchor.split(',') {
            let words: Vec<&str> = piece.split_whitespace().collect();
            let names = match words.as_slice() {
                [tool, rest @ ..] if !tool.starts_with("CKV") => rest.to_vec(),
                all => all.to_vec(),
            };
            for name in names {
                let mut prefix = "";
                for part in name.split('/') {
                    let part = part.trim_matches(|c: char| c == '(' || c == ')');
                    if let Some((p, _)) = part.rsplit_once('_').filter(|_| part.starts_with("CKV"))
                    {
                        prefix = p;
                    }
                    let full = if part.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                        format!("{prefix}_{part}")
                    } else {
                        part.to_string()
                    };
                    // `CKV_K8S_155–158`: a range.
                    if let Some((from, to)) = full.split_once('–') {
                        if let (Some((p, a)), Ok(b)) = (from.rsplit_once('_'), to.parse::<u32>()) {
                            if let Ok(a) = a.parse::<u32>() {
                                out.extend(
                                    (a..=b).map(|n| format!("{p}_{n}").to_ascii_lowercase()),
                                );
                                continue;
                            }
                        }
                    }
                    if !full.is_empty() {
                        out.push(full.to_ascii_lowercase());
                    }
                }
            }
        }
        out
    }

    /// Every Kubernetes rule that a peer's check name stands for (`latest-tag`, `CKV_K8S_14`,
    /// `tagNotSpecified`, `container-resources`).
    pub fn from_peer_check(name: &str) -> Vec<Code> {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Vec::new();
        }
        RULES
            .iter()
            .filter(|r| r.file_kind == FileKind::Kubernetes)
            .filter(|r| {
                r.code
                    .peer_check_names()
                    .iter()
                    .any(|n| match n.strip_suffix('*') {
                        Some(prefix) => name.starts_with(prefix),
                        None => *n == name,
                    })
            })
            .map(|r| r.code)
            .collect()
    }

    /// Every opslint code that a hadolint code (`DL3006`) stands for.
    pub fn from_hadolint(dl: &str) -> Vec<Code> {
        RULES
            .iter()
            .filter(|r| r.code.hadolint_codes().any(|c| c.eq_ignore_ascii_case(dl)))
            .map(|r| r.code)
            .collect()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_order_matches_enum() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.code as usize, i, "{} out of order", r.code);
        }
    }

    #[test]
    fn names_and_codes_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            // The catalogue gives each engine's syntax rule the same name (DKR001, NGX001,
            // JNK001 `syntax-error`): names are unique within a file type.
            assert!(
                seen.insert((r.file_kind, r.name)),
                "duplicate name {}",
                r.name
            );
            assert!(r
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()));
        }
    }

    #[test]
    fn lookup_by_code_and_name() {
        assert_eq!(Code::lookup("dkr013"), Some(Code::DKR013));
        assert_eq!(Code::lookup("maintainer-deprecated"), Some(Code::DKR013));
        assert_eq!(Code::lookup("XYZ999"), None);
    }

    #[test]
    fn peer_check_mapping() {
        assert_eq!(Code::from_peer_check("latest-tag"), vec![Code::K8S012]);
        assert_eq!(Code::from_peer_check("CKV_K8S_14"), vec![Code::K8S012]);
        assert_eq!(Code::from_peer_check("tagNotSpecified"), vec![Code::K8S012]);
        assert!(Code::from_peer_check("CKV_K8S_12").contains(&Code::K8S003));
        assert!(Code::from_peer_check("CKV_K8S_157").contains(&Code::K8S042));
        assert!(Code::from_peer_check("host-network").contains(&Code::K8S019));
        assert!(Code::from_peer_check("no-such-check").is_empty());
    }

    #[test]
    fn hadolint_mapping() {
        assert_eq!(Code::from_hadolint("DL3006"), vec![Code::DKR002]);
        assert!(Code::from_hadolint("DL3008").contains(&Code::DKR017));
        assert_eq!(Code::from_hadolint("DL4004"), vec![Code::DKR015]);
    }
}
