//! Stages and what the final image ends up with: the user it runs as, its health check, the
//! toolchain and dev dependencies it ships, stage references and variables across stages
//! (DKR004, DKR005, DKR006, DKR015, DKR021, DKR022, DKR024, DKR038, DKR044, DKR045, DKR048,
//! DKR051).

use super::super::model::{is_predefined_arg, ImageRef};
use super::super::parse::{Instruction, Kind, Stage, Word};
use super::super::shell::{is_assignment, Command};
use super::super::Ctx;
use super::images::is_windows_image;
use crate::diagnostic::{Findings, Span};
use crate::registry::Code;
use std::collections::HashMap;
use std::ops::Range;

pub fn check(cx: &Ctx, out: &mut Findings) {
    single_stage_build(cx, out);
    root_user(cx, out);
    missing_healthcheck(cx, out);
    duplicate_instruction(cx, out);
    bad_copy_from(cx, out);
    duplicate_stage_name(cx, out);
    copy_before_deps(cx, out);
    instruction_before_from(cx, out);
    dev_dependencies_in_image(cx, out);
    copy_whole_stage_fs(cx, out);
    undefined_variable(cx, out);
    non_numeric_user(cx, out);
}

// ---------------------------------------------------------------------------------------------
// The final stage, shared by every rule about what the image ships.

/// The stage `docker build` produces without `--target`: the last one.
pub(super) fn final_stage<'a>(cx: &Ctx<'a>) -> Option<&'a Stage> {
    cx.file.final_stage()
}

/// The final stage and the local stages it is built `FROM`, root first, with the global index
/// of each of their (top-level) instructions.
fn final_chain_instructions<'a>(cx: &Ctx<'a>) -> Vec<(usize, &'a Instruction)> {
    let Some(last) = final_stage(cx) else {
        return Vec::new();
    };
    let mut chain = cx.file.stage_chain(last);
    chain.reverse();
    chain
        .into_iter()
        .flat_map(|s| {
            s.instructions
                .clone()
                .filter_map(|i| cx.file.instructions.get(i).map(|inst| (i, inst)))
        })
        .collect()
}

/// The `FROM` instruction of the final stage.
fn final_from<'a>(cx: &Ctx<'a>) -> Option<&'a Instruction> {
    final_stage(cx).and_then(|s| cx.file.instructions.get(s.from))
}

/// A label on the final `FROM` when a finding points into a local stage it is built on.
fn chain_label(cx: &Ctx, index: usize) -> Option<(Span, String)> {
    let last = final_stage(cx)?;
    if last.instructions.contains(&index) {
        return None;
    }
    let from = cx.file.instructions.get(last.from)?;
    let parent = cx.file.parent_stage(last)?;
    let name = parent.name.as_ref().map(|n| n.value.as_str()).unwrap_or("");
    Some((
        from.keyword.clone(),
        format!("the final stage is built on stage `{name}`"),
    ))
}

/// The base image the final stage runs on (after local stages and global ARGs).
fn final_base_image(cx: &Ctx) -> Option<String> {
    final_stage(cx).and_then(|s| cx.file.resolved_base_image(s))
}

/// A final stage built `FROM scratch` with no `CMD`/`ENTRYPOINT`: an artifact export for
/// `docker build --output`, never run as a container.
fn is_artifact_export(cx: &Ctx) -> bool {
    final_base_image(cx).is_some_and(|b| b.trim().eq_ignore_ascii_case("scratch"))
        && !final_chain_instructions(cx)
            .iter()
            .any(|(_, i)| matches!(i.kind, Kind::Cmd | Kind::Entrypoint))
}

/// The last `USER` along the final stage's chain, with its instruction index.
fn effective_user<'a>(cx: &Ctx<'a>) -> Option<(usize, &'a Instruction)> {
    final_chain_instructions(cx)
        .into_iter()
        .rev()
        .find(|(_, i)| i.kind == Kind::User)
}

/// The user of a `USER` after expanding ARG/ENV: (the user part, the word). `None` when it
/// cannot be resolved.
fn user_of<'a>(cx: &Ctx, index: usize, inst: &'a Instruction) -> Option<(String, &'a Word)> {
    let word = inst.words.first()?;
    let value = cx
        .file
        .scope_at(index)
        .expand(&word.value, cx.file.escape)?;
    let user = value.split(':').next().unwrap_or("").trim().to_string();
    // `{{nonRootUser}}`: a template placeholder filled in before the build.
    if user.is_empty() || user.contains('$') || user.contains("{{") {
        return None;
    }
    Some((user, word))
}

fn is_root(user: &str) -> bool {
    user == "root" || user == "0"
}

/// A command as the user wrote it, on one line and shortened for a message.
fn command_text(cmd: &Command) -> String {
    let text = cmd
        .words
        .iter()
        .map(|w| w.raw.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// Whether an npm command leaves out the devDependencies: `--omit=dev`, `--omit dev`,
/// `--production` (not `=false`), `--only=prod[uction]`.
fn npm_omits_dev(cmd: &Command) -> bool {
    let args = cmd.args();
    args.iter().enumerate().any(|(i, w)| {
        let v = w.value.as_str();
        match v.split_once('=') {
            Some(("--omit", what)) => what == "dev",
            Some(("--production", what)) => what != "false",
            Some(("--only", what)) => matches!(what, "prod" | "production"),
            Some(_) => false,
            None => {
                v == "--production"
                    || ((v == "--omit" || v == "--only")
                        && args.get(i + 1).is_some_and(|n| {
                            matches!(n.value.as_str(), "dev" | "prod" | "production")
                        }))
            }
        }
    })
}

fn glob_matches(pattern: &str, text: &str) -> bool {
    globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher().is_match(text))
        .unwrap_or(false)
}

// ---------------------------------------------------------------------------------------------
// DKR004

fn operand_values(cmd: &Command) -> Vec<&str> {
    cmd.operands().map(|w| w.value.as_str()).collect()
}

/// Whether a command compiles or bundles (RULES.md's list).
fn is_build_command(cmd: &Command) -> bool {
    let Some(program) = cmd.program() else {
        return false;
    };
    let ops = operand_values(cmd);
    let sub = ops.first().copied().unwrap_or("");
    let task = |t: &str| t.rsplit(':').next().unwrap_or(t).to_string();
    let is_build_script = |s: &str| s == "build" || s.starts_with("build:");
    match program {
        "mvn" | "mvnw" => ops
            .iter()
            .any(|o| matches!(*o, "package" | "install" | "verify")),
        "gradle" | "gradlew" => ops.iter().any(|o| {
            matches!(
                task(o).as_str(),
                "build" | "assemble" | "jar" | "bootJar" | "shadowJar" | "installDist"
            )
        }),
        "go" | "cargo" => sub == "build",
        "npm" => {
            matches!(sub, "run" | "run-script") && ops.get(1).is_some_and(|s| is_build_script(s))
        }
        "yarn" | "pnpm" => {
            is_build_script(sub) || (sub == "run" && ops.get(1).is_some_and(|s| is_build_script(s)))
        }
        "dotnet" => matches!(sub, "build" | "publish"),
        "npx" => sub == "tsc",
        "javac" | "gcc" | "g++" | "clang" | "clang++" | "tsc" => {
            // `gcc --version` and friends do not compile anything.
            !cmd.args().is_empty()
                && !cmd.args().iter().all(|a| {
                    matches!(
                        a.value.as_str(),
                        "--version" | "-v" | "-version" | "--help" | "-h" | "-dumpversion"
                    )
                })
        }
        _ => false,
    }
}

/// Whether a command removes packages (the build toolchain installed for this RUN).
fn removes_packages(cmd: &Command) -> bool {
    let sub = cmd.subcommand().map(|w| w.value.as_str()).unwrap_or("");
    match cmd.program() {
        Some("apk") => sub == "del",
        Some("apt-get" | "apt") => matches!(sub, "purge" | "remove" | "autoremove"),
        Some("yum" | "dnf" | "microdnf") => matches!(sub, "remove" | "erase" | "autoremove"),
        _ => false,
    }
}

/// DKR004 single-stage-build: the final image compiles or bundles, so it ships the toolchain.
fn single_stage_build(cx: &Ctx, out: &mut Findings) {
    for (index, inst) in final_chain_instructions(cx) {
        if inst.kind != Kind::Run {
            continue;
        }
        let commands = inst.commands();
        for (n, cmd) in commands.iter().enumerate() {
            if !is_build_command(cmd) {
                continue;
            }
            // Official-image style: install the toolchain, build, remove it in the same layer.
            if commands.iter().skip(n + 1).any(removes_packages) {
                continue;
            }
            let Some(word) = cmd.program_word() else {
                continue;
            };
            let what = command_text(cmd);
            let d = out
                .report(Code::DKR004, word.span.clone())
                .message(format!(
                    "the final image builds the app (`{what}`), so it ships the toolchain and the sources"
                ))
                .help("build in an earlier stage (`FROM … AS build`) and `COPY --from=build` only the artifact into a small runtime stage");
            if let Some((span, text)) = chain_label(cx, index) {
                d.label(span, text);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DKR005, DKR051

/// Whether an image reference is complete enough to say what it runs: no variable left
/// unexpanded, no template placeholder (`{{baseImageTag}}`), no upper case in the repository
/// path (which Docker rejects: `REPLACE-ME` is a placeholder too).
fn is_concrete_image(image: &str) -> bool {
    let r = ImageRef::parse(image);
    !image.contains('$')
        && !image.contains("{{")
        && !r.repository.is_empty()
        && !r.repository.chars().any(|c| c.is_ascii_uppercase())
}

/// Images published to run as a non-root user, recognisable by name:
/// - .NET `chiseled` images (`USER app`, UID 1654) and the .NET 8+ `distroless` ones
///   (`mcr.microsoft.com/dotnet/runtime-deps:8.0-azurelinux3.0-distroless`);
/// - the Jupyter Docker Stacks (`quay.io/jupyter/*-notebook`, `jupyter/*`), which end with
///   `USER ${NB_UID}` (jovyan, 1000).
fn known_non_root_image(r: &ImageRef) -> bool {
    let registry = r.effective_registry();
    let tag = r.tag.unwrap_or("");
    let parts = || tag.split(['-', '_']);
    let dotnet = registry == "mcr.microsoft.com" && r.repository.starts_with("dotnet/");
    let major: u32 = tag
        .split(['.', '-'])
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let dotnet_non_root = dotnet
        && (parts().any(|p| p == "chiseled") || (major >= 8 && parts().any(|p| p == "distroless")));
    let jupyter = matches!(registry, "quay.io" | "docker.io" | "index.docker.io")
        && r.repository.starts_with("jupyter/")
        && (r.name().ends_with("-notebook") || r.name() == "docker-stacks-foundation");
    dotnet_non_root || jupyter
}

/// Whether the final base image is known to run as a non-root user, or is a Windows image.
fn base_runs_as_non_root_or_windows(cx: &Ctx, base: &str) -> bool {
    let r = ImageRef::parse(base);
    let nonroot_tag = r
        .tag
        .is_some_and(|t| t.split(['-', '_', '.']).any(|p| p == "nonroot"))
        || known_non_root_image(&r);
    let without_tag = match (r.registry, r.tag, r.digest) {
        (Some(reg), _, _) => format!("{reg}/{}", r.repository),
        (None, _, _) => r.repository.to_string(),
    };
    let listed = cx
        .lint
        .options
        .non_root_images
        .iter()
        .any(|p| glob_matches(p, base) || glob_matches(p, &without_tag));
    nonroot_tag || listed || is_windows_image(base)
}

/// DKR005 root-user: the final image runs as root.
fn root_user(cx: &Ctx, out: &mut Findings) {
    if final_stage(cx).is_none() || is_artifact_export(cx) {
        return;
    }
    match effective_user(cx) {
        Some((index, inst)) => {
            let Some((user, word)) = user_of(cx, index, inst) else {
                return;
            };
            if !is_root(&user) {
                return;
            }
            if final_base_image(cx).is_some_and(|b| is_windows_image(&b)) {
                return;
            }
            let d = out
                .report(Code::DKR005, word.span.clone())
                .message(format!(
                    "the final image runs as `{user}`: a process that breaks out of it is root"
                ))
                .help("switch to an unprivileged user at the end, e.g. `USER 10001:10001`");
            if let Some((span, text)) = chain_label(cx, index) {
                d.label(span, text);
            }
        }
        None => {
            // An unknown base image may well set a user: say nothing.
            let Some(base) = final_base_image(cx).filter(|b| is_concrete_image(b)) else {
                return;
            };
            if base_runs_as_non_root_or_windows(cx, &base) {
                return;
            }
            let Some(from) = final_from(cx) else {
                return;
            };
            out.report(Code::DKR005, from.keyword.clone())
                .message(format!(
                    "the final image has no `USER`, so it runs as root (base `{base}`)"
                ))
                .help("create an unprivileged user and end with `USER 10001:10001` (or list a base image that runs as non-root in `[dockerfile] non-root-images`)");
        }
    }
}

/// DKR051 non-numeric-user: the final `USER` is a name, which `runAsNonRoot` cannot verify.
fn non_numeric_user(cx: &Ctx, out: &mut Findings) {
    let Some((index, inst)) = effective_user(cx) else {
        return;
    };
    let Some((user, word)) = user_of(cx, index, inst) else {
        return;
    };
    if is_root(&user) || user.chars().all(|c| c.is_ascii_digit()) {
        return;
    }
    if final_base_image(cx).is_some_and(|b| is_windows_image(&b)) {
        return;
    }
    let d = out
        .report(Code::DKR051, word.span.clone())
        .message(format!(
            "the final `USER` is the name `{user}`: Kubernetes `runAsNonRoot` cannot verify a name and refuses to start the pod"
        ))
        .help(format!(
            "use the numeric UID (and GID) of `{user}`, e.g. `USER 10001:10001`"
        ));
    if let Some((span, text)) = chain_label(cx, index) {
        d.label(span, text);
    }
}

// ---------------------------------------------------------------------------------------------
// DKR006

/// Whether a command line starts an interactive shell or language REPL with no script:
/// `bash`, `sh -l`, `python3`, `node`, `irb`, `jshell`, `pwsh`, `php -a` — a base or tool image
/// for `docker run -it`, not a service with something to probe.
fn is_interactive(words: &[&str]) -> bool {
    let Some((program, args)) = words.split_first() else {
        return false;
    };
    let program = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let program = program.to_ascii_lowercase();
    let program = program.strip_suffix(".exe").unwrap_or(&program);
    let python = program
        .strip_prefix("python")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    match program {
        "sh" | "bash" | "ash" | "dash" | "zsh" | "fish" => args
            .iter()
            .all(|a| matches!(*a, "-i" | "-l" | "--login" | "-il" | "-li")),
        "php" => args == ["-a"],
        "node" | "irb" | "jshell" | "pwsh" | "powershell" | "cmd" | "iex" | "ghci" | "erl"
        | "julia" => args.is_empty(),
        _ => python && args.is_empty(),
    }
}

/// The words of a CMD/ENTRYPOINT: its exec-form items, or its only shell command. `None` for
/// a shell script of several commands.
fn command_line(inst: &Instruction) -> Option<Vec<&str>> {
    if let Some(items) = inst.exec_items() {
        return Some(items.iter().map(|w| w.value.as_str()).collect());
    }
    let script = inst.script.as_ref()?;
    match script.commands.as_slice() {
        [only] => Some(only.words.iter().map(|w| w.value.as_str()).collect()),
        _ => None,
    }
}

/// Operating-system base images: with no `CMD`/`ENTRYPOINT` of its own, an image built on one
/// runs their default command, a shell (`/bin/sh`, `bash`, `cmd.exe`).
fn is_os_base_image(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    let r = ImageRef::parse(&lower);
    let repository = r
        .repository
        .strip_prefix("library/")
        .unwrap_or(r.repository);
    // Official images per architecture: `amd64/alpine`, `arm64v8/debian`, …
    let repository = match repository.split_once('/') {
        Some((
            "amd64" | "arm64v8" | "arm32v7" | "arm32v6" | "arm32v5" | "i386" | "ppc64le" | "s390x"
            | "riscv64" | "mips64le",
            rest,
        )) => rest,
        _ => repository,
    };
    let ubi = repository
        .strip_prefix("redhat/")
        .or_else(|| (r.registry == Some("registry.access.redhat.com")).then_some(repository))
        .is_some_and(|n| {
            n.strip_prefix("ubi").is_some_and(|v| {
                let v = v.strip_suffix("-minimal").unwrap_or(v);
                let v = v.strip_suffix("/ubi-minimal").unwrap_or(v);
                let v = v.strip_suffix("/ubi").unwrap_or(v);
                !v.is_empty() && v.chars().all(|c| c.is_ascii_digit())
            })
        });
    let name = r.name();
    let os_name = matches!(
        name,
        "alpine"
            | "debian"
            | "ubuntu"
            | "busybox"
            | "buildpack-deps"
            | "centos"
            | "fedora"
            | "rockylinux"
            | "almalinux"
            | "amazonlinux"
            | "oraclelinux"
            | "archlinux"
            | "photon"
    ) && (repository == name || repository.ends_with(&format!("/{name}")));
    os_name
        || ubi
        || matches!(
            repository,
            "azurelinux/base/core"
                | "cbl-mariner/base/core"
                | "opensuse/leap"
                | "opensuse/tumbleweed"
                | "windows/nanoserver"
                | "windows/servercore"
                | "windows/server"
        )
}

/// Whether the final image is known not to be a service: it starts an interactive shell or
/// REPL, set by its last `CMD`/`ENTRYPOINT` or inherited from an operating-system base.
fn runs_interactive_shell(cx: &Ctx) -> bool {
    let chain = final_chain_instructions(cx);
    let last = |kind: Kind| {
        chain
            .iter()
            .rev()
            .find(|(_, i)| i.kind == kind)
            .map(|(_, i)| *i)
    };
    let cmd = last(Kind::Cmd);
    let entrypoint = last(Kind::Entrypoint);
    // A wrapper (`docker-entrypoint.sh`) sets things up and then runs the CMD.
    let wrapper = |line: &[&str]| {
        line.first()
            .is_some_and(|p| p.to_ascii_lowercase().contains("entrypoint"))
    };
    match (entrypoint.map(command_line), cmd.map(command_line)) {
        (None, None) => final_base_image(cx).is_some_and(|b| is_os_base_image(&b)),
        (Some(Some(ep)), cmd) if !wrapper(&ep) => {
            let mut line = ep;
            match cmd {
                Some(Some(c)) => line.extend(c),
                Some(None) => return false,
                None => {}
            }
            is_interactive(&line)
        }
        (Some(None), _) => false,
        (_, Some(Some(c))) => is_interactive(&c),
        _ => false,
    }
}

/// DKR006 missing-healthcheck: the final image has no `HEALTHCHECK` of its own or inherited
/// from a local stage.
fn missing_healthcheck(cx: &Ctx, out: &mut Findings) {
    if is_artifact_export(cx) || runs_interactive_shell(cx) {
        return;
    }
    if final_chain_instructions(cx)
        .iter()
        .any(|(_, i)| i.kind == Kind::Healthcheck)
    {
        return;
    }
    let Some(from) = final_from(cx) else {
        return;
    };
    out.report(Code::DKR006, from.keyword.clone())
        .message("the final image has no `HEALTHCHECK`: Docker cannot tell a hung container from a healthy one")
        .help("add `HEALTHCHECK CMD …` that probes the service, or `HEALTHCHECK NONE` if the image is not a service");
}

// ---------------------------------------------------------------------------------------------
// DKR015, DKR022, DKR038

/// DKR015 duplicate-instruction: more than one `CMD`/`ENTRYPOINT`/`HEALTHCHECK` in a stage;
/// each earlier one has no effect.
fn duplicate_instruction(cx: &Ctx, out: &mut Findings) {
    for stage in &cx.file.stages {
        let insts = cx.file.stage_instructions(stage);
        for kind in [Kind::Cmd, Kind::Entrypoint, Kind::Healthcheck] {
            let of_kind: Vec<&Instruction> = insts.iter().filter(|i| i.kind == kind).collect();
            let Some((last, earlier)) = of_kind.split_last() else {
                continue;
            };
            for inst in earlier {
                out.report(Code::DKR015, inst.keyword.clone())
                    .message(format!(
                        "this `{}` has no effect: a later `{}` in the same stage replaces it",
                        kind.as_str(),
                        kind.as_str()
                    ))
                    .help(format!(
                        "remove it, or merge it into the last `{}`",
                        kind.as_str()
                    ))
                    .label(last.keyword.clone(), "this one takes effect");
            }
        }
    }
}

/// DKR022 duplicate-stage-name: two stages with the same `AS` name.
fn duplicate_stage_name(cx: &Ctx, out: &mut Findings) {
    let mut seen: HashMap<String, &Word> = HashMap::new();
    for stage in &cx.file.stages {
        let Some(name) = &stage.name else {
            continue;
        };
        let key = name.value.to_ascii_lowercase();
        match seen.get(&key) {
            Some(first) => {
                out.report(Code::DKR022, name.span.clone())
                    .message(format!(
                        "a stage named `{}` already exists: `--from`, `FROM` and `--target` can only reach one of them",
                        name.value
                    ))
                    .help("give each stage a unique name")
                    .label(first.span.clone(), "first defined here");
            }
            None => {
                seen.insert(key, name);
            }
        }
    }
}

/// DKR038 instruction-before-from: only `ARG` may come before the first `FROM`.
fn instruction_before_from(cx: &Ctx, out: &mut Findings) {
    for inst in &cx.file.instructions {
        match inst.kind {
            Kind::From => break,
            Kind::Arg | Kind::Unknown => {}
            kind => {
                out.report(Code::DKR038, inst.keyword.clone())
                    .message(format!(
                        "`{}` before the first `FROM`: only `ARG` may come before it",
                        kind.as_str()
                    ))
                    .help("move it into a stage, after `FROM`");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DKR021, DKR045

/// The stage a `COPY --from` value names, after expansion: `None` for an external image or an
/// unresolvable value.
fn copy_from_target<'a>(cx: &Ctx<'a>, index: usize, value: &Word) -> Option<(String, &'a Stage)> {
    let name = cx
        .file
        .scope_at(index)
        .expand(&value.value, cx.file.escape)?;
    let by_name = cx.file.stages.iter().find(|s| {
        s.name
            .as_ref()
            .is_some_and(|n| n.value.eq_ignore_ascii_case(&name))
    });
    let stage = match by_name {
        Some(s) => s,
        None => cx.file.stages.get(name.parse::<usize>().ok()?)?,
    };
    Some((name, stage))
}

/// DKR021 bad-copy-from: `COPY --from` naming its own stage or a later one.
fn bad_copy_from(cx: &Ctx, out: &mut Findings) {
    for stage in &cx.file.stages {
        for index in stage.instructions.clone() {
            let Some(inst) = cx.file.instructions.get(index) else {
                continue;
            };
            if inst.kind != Kind::Copy {
                continue;
            }
            let Some(value) = inst.flag("from").and_then(|f| f.value.as_ref()) else {
                continue;
            };
            let Some((name, target)) = copy_from_target(cx, index, value) else {
                continue;
            };
            let what = if target.index == stage.index {
                "its own stage"
            } else if target.index > stage.index {
                "a later stage"
            } else {
                continue;
            };
            let d = out
                .report(Code::DKR021, value.span.clone())
                .message(format!(
                    "`COPY --from={name}` names {what}: a stage can only copy from the stages before it"
                ))
                .help("copy from an earlier stage, or move the stage it copies from above this one");
            if let Some(from) = cx.file.instructions.get(target.from) {
                if target.index != stage.index {
                    d.label(from.keyword.clone(), "that stage starts here");
                }
            }
        }
    }
}

/// DKR045 copy-whole-stage-fs: `COPY --from=x / …`.
fn copy_whole_stage_fs(cx: &Ctx, out: &mut Findings) {
    for stage in &cx.file.stages {
        let onto_scratch = stage
            .image
            .as_ref()
            .is_some_and(|w| w.value.eq_ignore_ascii_case("scratch"));
        for inst in cx.file.stage_instructions(stage) {
            if inst.kind != Kind::Copy {
                continue;
            }
            let Some(from) = inst.flag_value("from") else {
                continue;
            };
            let paths = inst.path_args();
            let Some((dest, sources)) = paths.split_last() else {
                continue;
            };
            // `FROM scratch` + `COPY --from=x / /` squashes an image on purpose.
            if onto_scratch && dest.value == "/" {
                continue;
            }
            for src in sources.iter().filter(|w| w.value == "/") {
                out.report(Code::DKR045, src.span.clone())
                    .message(format!(
                        "`COPY --from={from} /` copies the entire filesystem of `{from}`, toolchain and caches included"
                    ))
                    .help("copy only the files the image needs, e.g. `COPY --from=build /app/dist /app`");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DKR024

/// Whether a command installs dependencies from a manifest.
fn is_dependency_install(cmd: &Command) -> bool {
    let Some(program) = cmd.program() else {
        return false;
    };
    let ops = operand_values(cmd);
    let sub = ops.first().copied().unwrap_or("");
    match program {
        "npm" => sub == "ci" || (matches!(sub, "install" | "i") && ops.len() == 1),
        "yarn" => ops.is_empty() || (sub == "install" && ops.len() == 1),
        "pnpm" => matches!(sub, "install" | "i") && ops.len() == 1,
        "pip" | "pip3" => sub == "install" && has_requirement_file(cmd),
        "python" | "python3" => {
            let args: Vec<&str> = cmd.args().iter().map(|w| w.value.as_str()).collect();
            args.starts_with(&["-m", "pip", "install"]) && has_requirement_file(cmd)
        }
        "poetry" => sub == "install",
        "mvn" | "mvnw" => ops
            .iter()
            .any(|o| o.starts_with("dependency:") || matches!(*o, "package" | "install")),
        "gradle" | "gradlew" => ops.iter().any(|o| matches!(*o, "build" | "dependencies")),
        "go" => sub == "mod" && ops.get(1) == Some(&"download"),
        "cargo" => matches!(sub, "build" | "fetch"),
        _ => false,
    }
}

fn has_requirement_file(cmd: &Command) -> bool {
    !requirement_files(cmd).is_empty()
}

/// The requirement files of `pip install -r f`, `-rf`, `--requirement f`, `--requirement=f`.
fn requirement_files(cmd: &Command) -> Vec<&Word> {
    let args = cmd.args();
    let mut files = Vec::new();
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        if v == "-r" || v == "--requirement" {
            if let Some(f) = args.get(i + 1) {
                files.push(f);
            }
        } else if (v.starts_with("-r") && v.len() > 2 && !v.starts_with("--"))
            || v.starts_with("--requirement=")
        {
            files.push(w);
        }
    }
    files
}

/// A `COPY`/`ADD` of the whole build context (`.` or `./` as a source).
fn whole_context_source(inst: &Instruction) -> Option<&Word> {
    if !matches!(inst.kind, Kind::Copy | Kind::Add) || inst.flag("from").is_some() {
        return None;
    }
    let paths = inst.path_args();
    let (_, sources) = paths.split_last()?;
    sources
        .iter()
        .copied()
        .find(|w| matches!(w.value.as_str(), "." | "./"))
}

/// DKR024 copy-before-deps: the whole context is copied before the dependency install.
fn copy_before_deps(cx: &Ctx, out: &mut Findings) {
    for stage in &cx.file.stages {
        let insts = cx.file.stage_instructions(stage);
        for (n, inst) in insts.iter().enumerate() {
            let Some(source) = whole_context_source(inst) else {
                continue;
            };
            let install = insts
                .iter()
                .skip(n + 1)
                .filter(|i| i.kind == Kind::Run)
                .flat_map(|i| i.commands().into_owned())
                .find(is_dependency_install);
            let Some(install) = install else {
                continue;
            };
            let what = command_text(&install);
            let d = out
                .report(Code::DKR024, source.span.clone())
                .message(format!(
                    "the whole build context is copied before `{what}`: every source change re-installs the dependencies"
                ))
                .help("copy only the manifest and lockfile first, install, then copy the rest");
            if let Some(w) = install.program_word() {
                d.label(w.span.clone(), "dependencies installed here");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DKR044

/// Whether a requirements file or an extra names development or test dependencies.
fn is_dev_name(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    base.split(|c: char| !c.is_ascii_alphanumeric()).any(|t| {
        matches!(
            t,
            "dev" | "devel" | "develop" | "development" | "test" | "tests" | "testing"
        )
    })
}

fn env_says_production(vars: &[(String, String)]) -> bool {
    vars.iter().any(|(k, v)| {
        let k = k.to_ascii_lowercase();
        let v = v.to_ascii_lowercase();
        (k == "node_env" && v == "production")
            || (k == "npm_config_production" && v == "true")
            || (k == "npm_config_omit" && v.split([' ', ',']).any(|p| p == "dev"))
    })
}

/// DKR044 dev-dependencies-in-image: the final image installs development dependencies.
fn dev_dependencies_in_image(cx: &Ctx, out: &mut Findings) {
    let chain = final_chain_instructions(cx);
    let pruned_after = |index: usize| {
        chain.iter().filter(|(i, _)| *i >= index).any(|(_, inst)| {
            inst.kind == Kind::Run
                && inst.commands().iter().any(|c| {
                    c.program() == Some("npm")
                        && c.subcommand().is_some_and(|s| s.value == "prune")
                        && npm_omits_dev(c)
                })
        })
    };
    for &(index, inst) in &chain {
        if inst.kind != Kind::Run {
            continue;
        }
        let scope = cx.file.scope_at(index);
        for cmd in inst.commands().iter() {
            match cmd.program() {
                Some("npm") => {
                    let Some(sub) = cmd.subcommand() else {
                        continue;
                    };
                    let installs_manifest = sub.value == "ci"
                        || (matches!(sub.value.as_str(), "install" | "i")
                            && cmd.operands().count() == 1);
                    if !installs_manifest || cmd.has_option(&['g'], &["global"]) {
                        continue;
                    }
                    if npm_omits_dev(cmd) {
                        continue;
                    }
                    let mut vars: Vec<(String, String)> = cmd
                        .words
                        .iter()
                        .take_while(|w| is_assignment(&w.value))
                        .filter_map(|w| w.value.split_once('='))
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect();
                    for name in [
                        "NODE_ENV",
                        "npm_config_production",
                        "NPM_CONFIG_PRODUCTION",
                        "npm_config_omit",
                        "NPM_CONFIG_OMIT",
                    ] {
                        if let Some(v) = scope.value(name) {
                            vars.push((name.to_string(), v.to_string()));
                        }
                    }
                    if env_says_production(&vars) || pruned_after(index) {
                        continue;
                    }
                    out.report(Code::DKR044, sub.span.clone())
                        .message(format!(
                            "`npm {}` in the final image installs the devDependencies too",
                            sub.value
                        ))
                        .help("add `--omit=dev` (or set `ENV NODE_ENV=production`), or install dev dependencies only in a build stage");
                }
                Some("pip" | "pip3" | "python" | "python3") => {
                    let args: Vec<&str> = cmd.args().iter().map(|w| w.value.as_str()).collect();
                    let is_pip_install = match cmd.program() {
                        Some("pip" | "pip3") => {
                            cmd.subcommand().is_some_and(|s| s.value == "install")
                        }
                        _ => args.starts_with(&["-m", "pip", "install"]),
                    };
                    if !is_pip_install {
                        continue;
                    }
                    for file in requirement_files(cmd) {
                        let name = file
                            .value
                            .strip_prefix("--requirement=")
                            .or_else(|| file.value.strip_prefix("-r"))
                            .unwrap_or(&file.value);
                        if is_dev_name(name) {
                            out.report(Code::DKR044, file.span.clone())
                                .message(format!(
                                    "`pip install -r {name}` installs development/test dependencies into the final image"
                                ))
                                .help("install only the runtime requirements here; run tests in a separate stage");
                        }
                    }
                    // Extras such as `.[dev]` or `app[test]`.
                    for w in cmd.operands() {
                        if let Some((_, extras)) = w.value.split_once('[') {
                            let extras = extras.trim_end_matches(']');
                            if extras.split(',').any(|e| is_dev_name(e.trim())) {
                                out.report(Code::DKR044, w.span.clone())
                                    .message(format!(
                                        "`pip install {}` installs development/test extras into the final image",
                                        w.value
                                    ))
                                    .help("install the package without its dev/test extras in the final stage");
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DKR048

/// A `$NAME`/`${NAME…}` reference outside single quotes: its byte range in the text, its name,
/// and whether it carries a default or alternative (`${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}`).
struct VarRef<'a> {
    range: Range<usize>,
    name: &'a str,
    has_default: bool,
}

fn expanded_refs(text: &str, escape: char) -> Vec<VarRef<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if single {
            if b == b'\'' {
                single = false;
            }
            i += 1;
            continue;
        }
        if escape.is_ascii() && b == escape as u8 {
            i += 2;
            continue;
        }
        match b {
            b'\'' if !double => single = true,
            b'"' => double = !double,
            b'$' => {
                let braced = bytes.get(i + 1) == Some(&b'{');
                let start = if braced { i + 2 } else { i + 1 };
                let mut end = start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                if end > start && !bytes[start].is_ascii_digit() {
                    let rest = text.get(end..).unwrap_or("");
                    let has_default = braced
                        && (rest.starts_with(":-")
                            || rest.starts_with(":+")
                            || rest.starts_with('-')
                            || rest.starts_with('+')
                            || rest.starts_with(":="));
                    let close = if braced {
                        rest.find('}').map(|p| end + p + 1).unwrap_or(end)
                    } else {
                        end
                    };
                    if let Some(name) = text.get(start..end) {
                        out.push(VarRef {
                            range: i..close,
                            name,
                            has_default,
                        });
                    }
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The span of a reference inside a word: exact when the word's text maps 1:1 onto the file
/// (no line continuation inside it), else the whole word.
fn ref_span(word: &Word, range: &Range<usize>) -> Span {
    let len = (word.span.end - word.span.start) as usize;
    if word.raw.len() == len {
        let start = word.span.start + range.start as u32;
        start..word.span.start + range.end as u32
    } else {
        word.span.clone()
    }
}

/// Variables a base image commonly sets in its environment, which Dockerfile instructions and
/// RUN see: we cannot know their values, so they are never reported.
fn may_come_from_base_image(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "PATH", "HOME", "HOSTNAME", "USER", "SHELL", "TERM", "PWD", "LANG", "LANGUAGE", "TZ",
    ];
    const PREFIXES: &[&str] = &[
        "JAVA_",
        "JDK_",
        "JRE_",
        "PYTHON",
        "PIP_",
        "NODE_",
        "NPM_",
        "YARN_",
        "GOLANG_",
        "GOROOT",
        "GOTOOLCHAIN",
        "GOFLAGS",
        "CARGO_",
        "RUSTUP_",
        "RUST_",
        "GEM_",
        "BUNDLE",
        "RUBY",
        "PHP",
        "DOTNET_",
        "ASPNETCORE_",
        "NGINX_",
        "HTTPD_",
        "MAVEN_",
        "GRADLE_",
        "LC_",
        "LD_",
        "CATALINA_",
        "TOMCAT_",
        "PG",
        "POSTGRES",
        "MYSQL_",
        "MARIADB_",
        "REDIS_",
        "PERL",
        "CONDA",
        "MAMBA",
        "NVM_",
    ];
    EXACT.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p)) || name.ends_with("PATH")
}

/// Words of an instruction that Docker expands itself (not RUN/CMD/ENTRYPOINT).
fn expanded_words(inst: &Instruction) -> Vec<&Word> {
    match inst.kind {
        Kind::Env | Kind::Label | Kind::Arg => {
            inst.pairs.iter().filter_map(|p| p.value.as_ref()).collect()
        }
        Kind::Add | Kind::Copy | Kind::Volume => inst.path_args(),
        Kind::Expose | Kind::Stopsignal | Kind::User | Kind::Workdir => inst.words.iter().collect(),
        _ => Vec::new(),
    }
}

/// Whether the shell script of a RUN sets `name` itself (`NAME=…`, `export NAME=…`,
/// `for NAME in`, `read NAME`).
fn shell_sets(commands: &[Command], name: &str) -> bool {
    let assign = format!("{name}=");
    commands
        .iter()
        .flat_map(|c| c.words.iter())
        .any(|w| w.value == name || w.value.starts_with(&assign))
}

/// DKR048 undefined-variable: a variable that expands to nothing where it is used.
fn undefined_variable(cx: &Ctx, out: &mut Findings) {
    let escape = cx.file.escape;
    let globals = cx.file.global_args();
    // (a) FROM and its --platform may only use global ARGs and predefined args.
    for stage in &cx.file.stages {
        let Some(from) = cx.file.instructions.get(stage.from) else {
            continue;
        };
        let platform = from.flag("platform").and_then(|f| f.value.as_ref());
        for word in stage.image.iter().chain(platform) {
            for r in expanded_refs(&word.raw, escape) {
                if r.has_default || globals.is_defined(r.name) || is_predefined_arg(r.name) {
                    continue;
                }
                out.report(Code::DKR048, ref_span(word, &r.range))
                    .message(format!(
                        "`${}` in `FROM` is not a global `ARG`: it expands to an empty string",
                        r.name
                    ))
                    .help(format!(
                        "declare `ARG {}=<default>` before the first `FROM`",
                        r.name
                    ));
            }
        }
    }
    // (b) Inside a stage: a global ARG that the stage does not declare again.
    for stage in &cx.file.stages {
        for index in stage.instructions.clone().skip(1) {
            let Some(inst) = cx.file.instructions.get(index) else {
                continue;
            };
            let mut refs: Vec<(Span, String)> = Vec::new();
            let is_shell = matches!(inst.kind, Kind::Run | Kind::Cmd | Kind::Entrypoint);
            if is_shell {
                let commands = inst.commands();
                if inst.script.is_none() {
                    continue;
                }
                for w in commands.iter().flat_map(|c| c.words.iter()) {
                    for r in expanded_refs(&w.raw, '\\') {
                        if !shell_sets(&commands, r.name) && !r.has_default {
                            refs.push((ref_span(w, &r.range), r.name.to_string()));
                        }
                    }
                }
            } else {
                for w in expanded_words(inst) {
                    for r in expanded_refs(&w.raw, escape) {
                        if !r.has_default {
                            refs.push((ref_span(w, &r.range), r.name.to_string()));
                        }
                    }
                }
            }
            if refs.is_empty() {
                continue;
            }
            let undeclared = cx.file.undeclared_globals_at(index);
            for (span, name) in refs {
                if !undeclared.contains(&name) || may_come_from_base_image(&name) {
                    continue;
                }
                let where_ = if is_shell {
                    "the shell sees"
                } else {
                    "it expands to"
                };
                out.report(Code::DKR048, span)
                    .message(format!(
                        "`${name}` is a global `ARG` that this stage does not declare: {where_} an empty value"
                    ))
                    .help(format!(
                        "add `ARG {name}` inside the stage (after its `FROM`) to bring the global value in"
                    ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_findings, assert_findings_with, first_message};
    use crate::lang::Options;
    use crate::registry::Code::*;

    #[test]
    fn single_stage_build() {
        assert_findings(
            DKR004,
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
            &[(4, 5)],
        );
        assert_findings(
            DKR004,
            "FROM maven:3.9-eclipse-temurin-21\nRUN mvn -B clean package -DskipTests\n",
            &[(2, 5)],
        );
        assert_findings(
            DKR004,
            "FROM node:20\nRUN npm ci && \\\n    npm run build\n",
            &[(3, 5)],
        ); // line continuation
        assert_findings(DKR004, "FROM node:20\nRUN yarn build\n", &[(2, 5)]);
        assert_findings(
            DKR004,
            "FROM eclipse-temurin:21\nRUN ./gradlew :app:bootJar\n",
            &[(2, 5)],
        );
        assert_findings(
            DKR004,
            "FROM golang:1.22 AS build\nRUN go build -o /app\nFROM build\nCMD [\"/app\"]\n",
            &[(2, 5)],
        ); // the final stage inherits it
        assert_findings(
            DKR004,
            "FROM gcc:13\nRUN [\"gcc\", \"-o\", \"a\", \"a.c\"]\n",
            &[(2, 6)],
        ); // exec form
        assert_findings(
            DKR004,
            "FROM golang:1.22 AS build\nRUN go build -o /app\nFROM alpine:3.19\nCOPY --from=build /app /app\n",
            &[],
        ); // multi-stage
        assert_findings(DKR004, "FROM alpine:3.19\nRUN gcc --version\n", &[]);
        assert_findings(DKR004, "FROM debian:12\nRUN apt-get install -y gcc\n", &[]); // an operand
        assert_findings(
            DKR004,
            "FROM alpine:3.19\nRUN apk add --virtual .b gcc musl-dev && gcc -o /x x.c && apk del .b\n",
            &[],
        ); // the toolchain is removed in the same layer
        assert_findings(DKR004, "FROM node:20\nONBUILD RUN npm run build\n", &[]);
        assert_findings(DKR004, "FROM node:20\nRUN npm run test\n", &[]);
    }

    #[test]
    fn root_user() {
        assert_findings(DKR005, "FROM debian:12\nUSER root\n", &[(2, 6)]);
        assert_findings(DKR005, "FROM debian:12\nuser 0:0\n", &[(2, 6)]);
        assert!(
            first_message(DKR005, "ARG U=root\nFROM a:1\nARG U\nUSER ${U}\n")
                .is_some_and(|m| m.contains("`root`"))
        );
        assert_findings(DKR005, "FROM node:20\nCMD [\"node\"]\n", &[(1, 1)]); // no USER
        assert_findings(
            DKR005,
            "FROM alpine:3 AS base\nUSER app\nFROM base\nUSER root\n",
            &[(4, 6)],
        );
        assert_findings(
            DKR005,
            "ARG U=root\nFROM alpine:3\nARG U\nUSER $U\n",
            &[(4, 6)],
        );
        assert_findings(DKR005, "FROM alpine:3 AS base\nUSER 1000\nFROM base\n", &[]); // inherited
        assert_findings(
            DKR005,
            "FROM debian:12\nUSER root\nRUN x\nUSER 10001\n",
            &[],
        );
        assert_findings(
            DKR005,
            "FROM gcr.io/distroless/static-debian12:nonroot\n",
            &[],
        );
        assert_findings(DKR005, "FROM gcr.io/distroless/base:debug-nonroot\n", &[]);
        assert_findings(
            DKR005,
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n",
            &[],
        );
        assert_findings(
            DKR005,
            "# escape=`\nFROM mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022\nUSER ContainerAdministrator\n",
            &[],
        );
        assert_findings(DKR005, "FROM alpine:3\nUSER $APP_USER\n", &[]); // unresolvable
        assert_findings(DKR005, "FROM $BASE\n", &[]); // unknown base
        assert_findings(
            DKR005,
            "FROM golang:1.22 AS b\nUSER root\nFROM scratch\nCOPY --from=b /out /\n",
            &[],
        ); // artifact export
        let opts = Options {
            non_root_images: vec!["bitnami/*".into()],
            ..Options::default()
        };
        assert_findings_with(DKR005, opts, "FROM bitnami/nginx:1.25\n", &[]);
        // Known non-root by name: .NET chiseled (any version) and .NET 8+ distroless images,
        // the Jupyter Docker Stacks.
        assert_findings(
            DKR005,
            "ARG REPO=mcr.microsoft.com/dotnet/runtime\nFROM $REPO:8.0.30-noble-chiseled-arm64v8\n",
            &[],
        );
        assert_findings(
            DKR005,
            "FROM mcr.microsoft.com/dotnet/aspnet:10.0-resolute-chiseled-extra\n",
            &[],
        );
        assert_findings(
            DKR005,
            "FROM mcr.microsoft.com/dotnet/runtime-deps:9.0.19-azurelinux3.0-distroless-amd64\n",
            &[],
        );
        assert_findings(
            DKR005,
            "FROM quay.io/jupyter/base-notebook\nRUN pip install x\n",
            &[],
        );
        assert_findings(DKR005, "FROM jupyter/scipy-notebook:2024-01-01\n", &[]);
        // Still flagged: the plain .NET images, a distroless tag before .NET 8, look-alikes.
        assert_findings(
            DKR005,
            "FROM mcr.microsoft.com/dotnet/runtime:9.0.19-noble-arm32v7\n",
            &[(1, 1)],
        );
        assert_findings(
            DKR005,
            "FROM mcr.microsoft.com/dotnet/runtime:7.0-cbl-mariner2.0-distroless\n",
            &[(1, 1)],
        );
        assert_findings(
            DKR005,
            "FROM example.com/chiseled/app:1-chiseled\n",
            &[(1, 1)],
        );
        assert_findings(DKR005, "FROM myorg/jupyter-notebook:1\n", &[(1, 1)]);
        // Placeholders: a template (`{{baseImageTag}}`), an unexpanded variable, `REPLACE-ME`.
        assert_findings(DKR005, "FROM {{baseImageTag}}\n", &[]);
        assert_findings(
            DKR005,
            "ARG B=$REGISTRY/$OWNER/scipy-notebook\nFROM $B\n",
            &[],
        );
        assert_findings(DKR005, "FROM REPLACE-ME\n", &[]);
    }

    #[test]
    fn missing_healthcheck() {
        assert_findings(DKR006, "FROM nginx:1.25\nCOPY a /b\n", &[(1, 1)]);
        assert_findings(
            DKR006,
            "FROM a:1 AS x\nHEALTHCHECK CMD true\nFROM b:1\n",
            &[(3, 1)],
        );
        assert_findings(
            DKR006,
            "FROM nginx:1.25\nHEALTHCHECK CMD curl -f http://localhost/\n",
            &[],
        );
        assert_findings(DKR006, "FROM a:1\nHEALTHCHECK NONE\n", &[]); // deliberate
        assert_findings(DKR006, "FROM a:1 AS x\nhealthcheck CMD true\nFROM x\n", &[]); // inherited
        assert_findings(
            DKR006,
            "FROM a:1 AS b\nFROM scratch\nCOPY --from=b /o /\n",
            &[],
        ); // export
        assert_findings(DKR006, "ARG X=1\n", &[]); // no stage
                                                   // Not a service: an interactive shell or REPL as the command, or no command at all on
                                                   // an operating-system base (its default command is a shell).
        assert_findings(
            DKR006,
            "FROM alpine:3.24\nRUN apk add x\nCMD [\"python3\"]\n",
            &[],
        );
        assert_findings(
            DKR006,
            "FROM buildpack-deps:bookworm\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [ \"node\" ]\n",
            &[],
        );
        assert_findings(DKR006, "FROM debian:12\nCMD bash\n", &[]);
        assert_findings(
            DKR006,
            "FROM r.j3ss.co/powershell\nENTRYPOINT [ \"pwsh\" ]\n",
            &[],
        );
        assert_findings(DKR006, "FROM php:8\nCMD [\"php\", \"-a\"]\n", &[]);
        assert_findings(DKR006, "FROM arm64v8/alpine:3.23\nRUN apk add icu\n", &[]);
        assert_findings(
            DKR006,
            "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY jre /jre\n",
            &[],
        );
        assert_findings(DKR006, "FROM redhat/ubi9-minimal\nRUN x\n", &[]);
        assert_findings(DKR006, "FROM ubuntu:24.04 AS base\nRUN x\nFROM base\n", &[]);
        // Still flagged: a script or server as the command, a shell running a command, an
        // entrypoint that is not a wrapper, no command on an application base image.
        assert_findings(
            DKR006,
            "FROM python:3.12\nCMD [\"python3\", \"app.py\"]\n",
            &[(1, 1)],
        );
        assert_findings(
            DKR006,
            "FROM debian:12\nCMD [\"sh\", \"-c\", \"nginx\"]\n",
            &[(1, 1)],
        );
        assert_findings(
            DKR006,
            "FROM debian:12\nENTRYPOINT [\"server\"]\nCMD [\"bash\"]\n",
            &[(1, 1)],
        );
        assert_findings(DKR006, "FROM alpine:3\nENTRYPOINT [\"/app\"]\n", &[(1, 1)]);
        assert_findings(DKR006, "FROM node:20\nCOPY . .\n", &[(1, 1)]);
        assert_findings(DKR006, "FROM myorg/alpine-nginx:1\nCOPY . .\n", &[(1, 1)]);
    }

    #[test]
    fn duplicate_instruction() {
        assert_findings(DKR015, "FROM a:1\nCMD [\"a\"]\nCMD [\"b\"]\n", &[(2, 1)]);
        assert_findings(
            DKR015,
            "FROM a:1\nENTRYPOINT x\nentrypoint y\nENTRYPOINT z\n",
            &[(2, 1), (3, 1)],
        );
        assert_findings(
            DKR015,
            "FROM a:1\nHEALTHCHECK NONE\nHEALTHCHECK CMD true\n",
            &[(2, 1)],
        );
        assert_findings(
            DKR015,
            "FROM a:1\nCMD [\"a\"]\nFROM b:1\nCMD [\"b\"]\n",
            &[],
        ); // other stage
        assert_findings(DKR015, "FROM a:1\nENTRYPOINT [\"a\"]\nCMD [\"b\"]\n", &[]);
        assert_findings(DKR015, "FROM a:1\nONBUILD CMD [\"a\"]\nCMD [\"b\"]\n", &[]);
        // trigger
    }

    #[test]
    fn bad_copy_from() {
        assert_findings(
            DKR021,
            "FROM a:1 AS build\nCOPY --from=build /x /y\n",
            &[(2, 13)],
        );
        assert_findings(
            DKR021,
            "FROM a:1 AS one\nCOPY --from=Two /x /y\nFROM b:1 AS two\n",
            &[(2, 13)],
        ); // later, case-insensitive
        assert_findings(
            DKR021,
            "FROM a:1\nCOPY --from=1 /x /y\nFROM b:1\n",
            &[(2, 13)],
        ); // index
        assert_findings(DKR021, "FROM a:1\nCOPY --from=0 /x /y\n", &[(2, 13)]); // own index
        assert_findings(
            DKR021,
            "FROM a:1 AS b\nFROM c:1\nCOPY --from=b /x /y\nCOPY --from=0 /x /y\n",
            &[],
        );
        assert_findings(
            DKR021,
            "FROM a:1\nCOPY --from=nginx:1.25 /etc/nginx /n\n",
            &[],
        ); // image
        assert_findings(DKR021, "FROM a:1 AS s\nCOPY --from=$SRC /x /y\n", &[]); // unresolvable
        assert_findings(
            DKR021,
            "FROM a:1 AS s\nFROM b:1\nARG S=s\nCOPY --from=$S /x /y\n",
            &[],
        );
    }

    #[test]
    fn duplicate_stage_name() {
        assert_findings(DKR022, "FROM a:1 AS build\nFROM b:1 AS build\n", &[(2, 13)]);
        assert_findings(DKR022, "FROM a:1 AS Build\nFROM b:1 as BUILD\n", &[(2, 13)]);
        assert_findings(
            DKR022,
            "FROM a:1 AS x\nFROM b:1 AS x\nFROM c:1 AS x\n",
            &[(2, 13), (3, 13)],
        );
        assert_findings(DKR022, "FROM a:1 AS build\nFROM b:1 AS test\n", &[]);
        assert_findings(DKR022, "FROM a:1\nFROM a:1\n", &[]);
        assert_findings(DKR022, "FROM a:1 AS build\nFROM build AS build2\n", &[]);
    }

    #[test]
    fn copy_before_deps() {
        assert_findings(DKR024, "FROM node:20\nCOPY . .\nRUN npm ci\n", &[(2, 6)]);
        assert_findings(
            DKR024,
            "FROM python:3.12\nCOPY --chown=app ./ /app\nRUN pip install --no-cache-dir -r requirements.txt\n",
            &[(2, 18)],
        );
        assert_findings(
            DKR024,
            "FROM golang:1.22\nCOPY [\".\", \"/src\"]\nRUN go mod download\n",
            &[(2, 7)],
        );
        assert_findings(
            DKR024,
            "FROM node:20\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n",
            &[],
        ); // manifest first
        assert_findings(
            DKR024,
            "FROM node:20\nCOPY . .\nRUN npm install -g pm2\n",
            &[],
        ); // not the manifest
        assert_findings(
            DKR024,
            "FROM node:20 AS a\nCOPY . .\nFROM node:20\nRUN npm ci\n",
            &[],
        ); // other stage
        assert_findings(
            DKR024,
            "FROM a:1 AS b\nFROM node:20\nCOPY --from=b . .\nRUN npm ci\n",
            &[],
        );
        assert_findings(
            DKR024,
            "FROM python:3.12\nCOPY . .\nRUN pip install .\n",
            &[],
        );
    }

    #[test]
    fn instruction_before_from() {
        assert_findings(DKR038, "ENV A=1\nFROM a:1\n", &[(1, 1)]);
        assert_findings(DKR038, "ARG V=1\nlabel x=y\nFROM a:$V\n", &[(2, 1)]);
        assert_findings(DKR038, "RUN echo\n", &[(1, 1)]);
        assert_findings(
            DKR038,
            "# syntax=docker/dockerfile:1\n# c\nARG V=1\nFROM a:$V\n",
            &[],
        );
        assert_findings(DKR038, "FROM a:1\nENV A=1\n", &[]);
        assert_findings(DKR038, "\n\nARG A\nARG B\nFROM a:1\n", &[]);
    }

    #[test]
    fn dev_dependencies_in_image() {
        assert_findings(DKR044, "FROM node:20\nRUN npm ci\n", &[(2, 9)]);
        assert_findings(DKR044, "FROM node:20\nRUN npm install\n", &[(2, 9)]);
        assert_findings(
            DKR044,
            "FROM python:3.12\nRUN pip install -r requirements-dev.txt\n",
            &[(2, 20)],
        );
        assert_findings(
            DKR044,
            "FROM python:3.12\nRUN pip install -e .[test]\n",
            &[(2, 20)],
        );
        assert_findings(
            DKR044,
            "FROM node:20 AS deps\nRUN npm ci\nFROM deps\n",
            &[(2, 9)],
        ); // chain
        assert_findings(DKR044, "FROM node:20\nRUN npm ci --omit=dev\n", &[]);
        assert_findings(
            DKR044,
            "FROM node:20\nRUN npm ci --omit=optional\n",
            &[(2, 9)],
        ); // not dev
        assert_findings(
            DKR044,
            "FROM node:20\nRUN npm ci --production=false\n",
            &[(2, 9)],
        );
        assert_findings(DKR044, "FROM node:20\nRUN npm ci --only=production\n", &[]);
        assert_findings(DKR044, "FROM node:20\nRUN npm ci --production\n", &[]);
        assert_findings(
            DKR044,
            "FROM node:20\nENV NODE_ENV=production\nRUN npm ci\n",
            &[],
        );
        assert_findings(
            DKR044,
            "FROM node:20\nRUN NODE_ENV=production npm ci\n",
            &[],
        );
        assert_findings(
            DKR044,
            "FROM node:20\nRUN npm ci && npm run build && npm prune --omit=dev\n",
            &[],
        );
        assert_findings(
            DKR044,
            "FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim\n",
            &[],
        ); // build stage
        assert_findings(DKR044, "FROM node:20\nRUN npm install -g pm2\n", &[]);
        assert_findings(
            DKR044,
            "FROM python:3.12\nRUN pip install -r requirements.txt\n",
            &[],
        );
        assert_findings(
            DKR044,
            "FROM python:3.12\nRUN pip install -r devices.txt\n",
            &[],
        );
    }

    #[test]
    fn copy_whole_stage_fs() {
        assert_findings(
            DKR045,
            "FROM a:1 AS b\nFROM c:1\nCOPY --from=b / /\n",
            &[(3, 15)],
        );
        assert_findings(
            DKR045,
            "FROM a:1 AS b\nFROM c:1\ncopy --from=b [\"/\", \"/r\"]\n",
            &[(3, 16)],
        );
        assert_findings(
            DKR045,
            "FROM a:1 AS b\nFROM c:1\nCOPY --from=b /app /app\n",
            &[],
        );
        assert_findings(DKR045, "FROM a:1\nCOPY / /x\n", &[]); // no --from
        assert_findings(
            DKR045,
            "FROM a:1 AS b\nFROM scratch\nCOPY --from=b / /\n",
            &[],
        ); // squash
    }

    #[test]
    fn undefined_variable() {
        assert_findings(DKR048, "FROM node:$VERSION\n", &[(1, 11)]);
        assert_findings(DKR048, "FROM --platform=$PLAT alpine:3\n", &[(1, 17)]);
        assert_findings(
            DKR048,
            "ARG VERSION=1.2\nFROM alpine:3\nRUN curl -O https://x/v${VERSION}.tgz\n",
            &[(3, 24)],
        );
        assert_findings(
            DKR048,
            "ARG DIR=/app\nFROM alpine:3\nWORKDIR $DIR\n",
            &[(3, 9)],
        );
        assert_findings(
            DKR048,
            "ARG V=1\nFROM alpine:3\nLABEL version=\"$V\"\n",
            &[(3, 16)],
        );
        assert_findings(DKR048, "ARG V=1\nFROM alpine:$V\nARG V\nRUN echo $V\n", &[]); // re-declared
        assert_findings(
            DKR048,
            "ARG V=1\nFROM alpine:3\nENV V=2\nRUN echo $V\n",
            &[],
        );
        assert_findings(DKR048, "FROM --platform=$BUILDPLATFORM alpine:3\n", &[]);
        assert_findings(DKR048, "FROM ${BASE:-alpine:3}\n", &[]); // default
        assert_findings(DKR048, "ARG V=1\nFROM alpine:3\nRUN echo '$V'\n", &[]); // single quotes
        assert_findings(
            DKR048,
            "ARG V=1\nFROM alpine:3\nRUN for V in a b; do echo $V; done\n",
            &[],
        );
        assert_findings(
            DKR048,
            "ARG JAVA_HOME=/j\nFROM alpine:3\nENV PATH=$JAVA_HOME/bin:$PATH\n",
            &[],
        );
        assert_findings(DKR048, "FROM alpine:3\nRUN echo $UNDECLARED_AT_ALL\n", &[]); // may be the image's
        assert_findings(
            DKR048,
            "ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION}\nRUN go build -ldflags \"-X main.v=${GO_VERSION}\" .\n",
            &[(3, 34)],
        ); // golang sets GOLANG_VERSION, not GO_VERSION
        assert_findings(DKR048, "ARG V=1\nFROM alpine:3\nONBUILD RUN echo $V\n", &[]);
    }

    #[test]
    fn non_numeric_user() {
        assert_findings(DKR051, "FROM node:20\nUSER node\n", &[(2, 6)]);
        assert_findings(DKR051, "FROM a:1\nUSER app:app\n", &[(2, 6)]);
        assert_findings(DKR051, "FROM a:1 AS b\nUSER app\nFROM b\n", &[(2, 6)]);
        assert_findings(DKR051, "FROM a:1\nUSER 10001:10001\n", &[]);
        assert_findings(DKR051, "FROM a:1\nUSER root\n", &[]); // DKR005's business
        assert_findings(DKR051, "FROM a:1\nUSER $APP_UID\n", &[]);
        assert_findings(DKR051, "ARG UID=1000\nFROM a:1\nARG UID\nUSER $UID\n", &[]);
        assert_findings(
            DKR051,
            "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nUSER ContainerUser\n",
            &[],
        );
        assert_findings(DKR051, "FROM a:1 AS b\nUSER app\nFROM c:1\n", &[]); // not the final stage
        assert_findings(DKR051, "FROM a:1\nUSER {{nonRootUser}}\n", &[]); // template
    }
}
