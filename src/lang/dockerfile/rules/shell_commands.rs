//! Rules about what RUN scripts do (sudo, cd, pipes, interactive tools, TLS verification, wget
//! and curl) and the build-time settings next to them (sensitive ARG/ENV names, `EXPOSE 22`,
//! consecutive RUNs).

use super::super::model::ImageRef;
use super::super::parse::{Instruction, Kind, Stage, Word};
use super::super::shell::{is_assignment, Command, Op, Script};
use super::super::Ctx;
use crate::diagnostic::{Edit, Findings, Span};
use crate::registry::Code;
use regex::Regex;
use std::sync::LazyLock;

pub fn check(cx: &Ctx, out: &mut Findings) {
    sensitive_build_arg(cx, out);
    cd_in_run(cx, out);
    sudo_in_run(cx, out);
    pipe_without_pipefail(cx, out);
    consecutive_run(cx, out);
    wget_and_curl(cx, out);
    interactive_tool(cx, out);
    tls_verification_disabled(cx, out);
    ssh_port_exposed(cx, out);
}

/// The last path component, for `/` and Windows `\` paths.
fn basename(s: &str) -> &str {
    s.rsplit(['/', '\\']).next().unwrap_or(s)
}

/// The RUN instructions (ONBUILD triggers included) that have a shell script.
fn run_scripts<'a>(cx: &'a Ctx) -> impl Iterator<Item = (usize, &'a Instruction, &'a Script)> {
    cx.instructions_of(Kind::Run)
        .filter_map(|(i, inst)| inst.script.as_ref().map(|s| (i, inst, s)))
}

/// The top-level instructions of a stage (no ONBUILD triggers: they run in another build).
fn stage_runs<'a>(cx: &'a Ctx, stage: &Stage) -> impl Iterator<Item = &'a Instruction> {
    cx.file
        .stage_instructions(stage)
        .iter()
        .filter(|i| i.kind == Kind::Run)
}

static SENSITIVE_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|_)(PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)",
    )
    .ok()
});

/// Whether an ARG/ENV name looks like it holds a secret.
fn is_sensitive_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    // A reference to a secret (where it is, what it is called), not the secret itself.
    let reference = ["_FILE", "_PATH", "_URL", "_NAME", "_ID"]
        .iter()
        .any(|s| upper.ends_with(s))
        && !(upper.ends_with("ACCESS_KEY_ID") || upper.ends_with("ACCESSKEY_ID"));
    // `PWD` alone is the shell's working directory, not a password.
    let not_secret = upper == "PWD" || upper.contains("GPG_KEY") || upper.contains("PUBLIC_KEY");
    !reference && !not_secret && SENSITIVE_NAME.as_ref().is_some_and(|re| re.is_match(name))
}

/// DKR016 sensitive-build-arg: an ARG/ENV named like a secret lands in the image history.
/// (Where a SEC rule reports the value itself, the engine drops this finding: see
/// `drop_dkr016_where_sec_reports`.)
fn sensitive_build_arg(cx: &Ctx, out: &mut Findings) {
    for (index, inst) in cx.instructions() {
        let (keyword, kept) = match inst.kind {
            // A global ARG (before the first FROM) only feeds FROM lines: it reaches a stage's
            // history when the stage declares it again, and that declaration is reported.
            Kind::Arg if cx.file.stage_of(index).is_none() => continue,
            Kind::Arg => ("ARG", "build args are recorded in the image history"),
            Kind::Env => (
                "ENV",
                "env values are stored in the image config and history",
            ),
            _ => continue,
        };
        for pair in &inst.pairs {
            let name = pair.key.value.as_str();
            // A value that is a path or a file name locates the secret (or names a script):
            // `RESET_OS_PASSWORD=resetOSPassword.sh`.
            let locates = pair
                .value
                .as_ref()
                .is_some_and(|v| crate::secrets::looks_like_path(&v.value));
            if !is_sensitive_name(name) || locates {
                continue;
            }
            out.report(Code::DKR016, pair.key.span.clone())
                .message(format!(
                    "`{keyword} {name}` looks like a secret: {kept}, where anyone with the image can read it"
                ))
                .help(format!(
                    "pass it as a build secret: `RUN --mount=type=secret,id={}` and read it from `/run/secrets/{}` in that RUN only",
                    name.to_ascii_lowercase(),
                    name.to_ascii_lowercase()
                ));
        }
    }
}

/// The first command of a script that does work: leading `set -e…` lines, and the shell that
/// runs a heredoc body (`RUN bash <<EOF`), are skipped.
fn first_working_command(script: &Script) -> Option<&Command> {
    let mut commands = script.commands.iter().peekable();
    if script.from_heredoc && script.commands.len() > 1 {
        if let Some(first) = commands.peek() {
            if first
                .program()
                .is_some_and(|p| matches!(p, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh"))
                && !first.redirects.is_empty()
            {
                commands.next();
            }
        }
    }
    commands.find(|c| c.program() != Some("set"))
}

/// `/tmp`, `/var/tmp`, `/dev/shm` and the folders under them.
fn is_scratch_dir(dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    ["/tmp", "/var/tmp", "/dev/shm"].iter().any(|t| {
        dir == *t
            || dir
                .strip_prefix(t)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// DKR019 cd-in-run: a RUN that starts with `cd <dir>`, which `WORKDIR` does better.
fn cd_in_run(cx: &Ctx, out: &mut Findings) {
    for (_, _, script) in run_scripts(cx) {
        let Some(cmd) = first_working_command(script) else {
            continue;
        };
        if cmd.program() != Some("cd") {
            continue;
        }
        let Some(dir) = cmd.operands().next() else {
            continue;
        };
        // `cd -` and `cd $(mktemp -d)` have no WORKDIR equivalent.
        if dir.value == "-" || dir.value.contains("$(") || dir.value.contains('`') {
            continue;
        }
        // A scratch directory is no working directory for the image: `WORKDIR /tmp` would
        // leave every later instruction, and the container, in it.
        if is_scratch_dir(&dir.value) {
            continue;
        }
        // `cd /u01 && jar xf x.zip && cd - && …`: the author scopes the change on purpose;
        // `WORKDIR` would move the rest of the RUN too.
        let goes_back = script.commands.iter().any(|c| {
            !std::ptr::eq(c, cmd)
                && c.program() == Some("cd")
                && c.operands()
                    .next()
                    .is_some_and(|d| matches!(d.value.as_str(), "-" | "$OLDPWD" | "${OLDPWD}"))
        });
        if goes_back {
            continue;
        }
        let Some(word) = cmd.program_word() else {
            continue;
        };
        out.report(Code::DKR019, word.span.clone())
            .message(format!(
                "RUN starts with `cd {}`: the directory change only lasts for this RUN",
                dir.value
            ))
            .help(format!(
                "use `WORKDIR {}` before the RUN (it also creates the directory)",
                dir.value
            ));
    }
}

/// The `sudo` word in command position, if the command runs through `sudo`.
fn sudo_word(cmd: &Command) -> Option<&Word> {
    let end = cmd
        .program_index()
        .map(|i| i + 1)
        .unwrap_or(cmd.words.len());
    cmd.words
        .get(..end)?
        .iter()
        .find(|w| !is_assignment(&w.value) && basename(&w.value) == "sudo")
}

/// DKR020 sudo-in-run: `sudo` in a RUN.
fn sudo_in_run(cx: &Ctx, out: &mut Findings) {
    for (_, inst) in cx.instructions_of(Kind::Run) {
        let words: Vec<&Word> = match (&inst.script, inst.exec_items()) {
            (Some(script), _) => script.commands.iter().filter_map(sudo_word).collect(),
            (None, Some(items)) => items
                .first()
                .filter(|w| basename(&w.value) == "sudo")
                .into_iter()
                .collect(),
            (None, None) => Vec::new(),
        };
        for word in words {
            out.report(Code::DKR020, word.span.clone())
                .message("`sudo` in a RUN: builds run as root or as the `USER` you set, and sudo adds a TTY and environment behaviour you do not want")
                .help("drop `sudo`: switch with `USER root` before the RUN (and back after), or use `gosu`/`su-exec` in an entrypoint");
        }
    }
}

/// What a `SHELL` instruction sets up for the RUNs after it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ShellKind {
    /// A POSIX shell started with `-o pipefail`.
    Pipefail,
    /// A POSIX shell without pipefail.
    Posix,
    /// PowerShell, cmd, or something that cannot be read.
    Other,
}

fn shell_kind(shell: &Instruction) -> ShellKind {
    let Some(items) = shell.exec_items() else {
        return ShellKind::Other;
    };
    let Some(program) = items.first() else {
        return ShellKind::Other;
    };
    let name = basename(&program.value).to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    if matches!(name, "pwsh" | "powershell" | "cmd") {
        return ShellKind::Other;
    }
    let pipefail = items.windows(2).any(|pair| {
        let (opt, value) = (&pair[0].value, &pair[1].value);
        value == "pipefail"
            && opt
                .strip_prefix('-')
                .is_some_and(|c| c.contains('o') && c.chars().all(|ch| ch.is_ascii_alphabetic()))
    });
    if pipefail {
        ShellKind::Pipefail
    } else {
        ShellKind::Posix
    }
}

/// Whether a `set` command turns pipefail on (`set -o pipefail`, `set -euo pipefail`).
fn sets_pipefail(cmd: &Command) -> bool {
    cmd.program() == Some("set")
        && cmd.args().windows(2).any(|pair| {
            pair[1].value == "pipefail"
                && pair[0].value.strip_prefix('-').is_some_and(|c| {
                    c.contains('o') && c.chars().all(|ch| ch.is_ascii_alphabetic())
                })
        })
}

/// The first `|` of a RUN script whose left side can fail unseen, unless pipefail is set
/// before it. `echo`/`printf`/`yes`/`true` on the left hide no failure.
fn hidden_pipe_failure(script: &Script) -> Option<(Span, &str)> {
    for (i, cmd) in script.commands.iter().enumerate() {
        if sets_pipefail(cmd) {
            return None;
        }
        if cmd.op_after != Op::Pipe {
            continue;
        }
        let harmless = cmd
            .program()
            .is_some_and(|p| matches!(p, "echo" | "printf" | "yes" | "true"));
        if harmless {
            continue;
        }
        let span = cmd.op_after_span.clone().or_else(|| {
            script
                .commands
                .get(i + 1)
                .and_then(|next| next.words.first())
                .map(|w| w.span.clone())
        })?;
        return Some((span, cmd.program().unwrap_or("the command")));
    }
    None
}

fn is_windows_image(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    ["windows", "nanoserver", "servercore"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Whether an image is alpine- or busybox-based (no bash; `ash` supports pipefail).
fn is_ash_image(image: &str) -> bool {
    let r = ImageRef::parse(image);
    let tag = r.tag.unwrap_or("");
    matches!(r.name(), "alpine" | "busybox")
        || r.repository.starts_with("alpine/")
        || tag.starts_with("alpine")
        || tag.contains("-alpine")
}

/// Whether an image that is not alpine/busybox-based can be expected to ship bash: not
/// `scratch`, distroless or Chainguard/Wolfi images (no bash), not an unresolved name.
fn has_bash(image: &str) -> bool {
    let r = ImageRef::parse(image);
    let lower = image.to_ascii_lowercase();
    r.name() != "scratch"
        && !image.contains('$')
        && r.registry != Some("cgr.dev")
        && !["distroless", "wolfi", "chainguard"]
            .iter()
            .any(|w| lower.contains(w))
}

/// DKR026 pipe-without-pipefail: a pipe in RUN whose failure the default shell hides.
fn pipe_without_pipefail(cx: &Ctx, out: &mut Findings) {
    let file = cx.file;
    for stage in &file.stages {
        let base = file.resolved_base_image(stage);
        if base.as_deref().is_some_and(is_windows_image) {
            continue;
        }
        let chain = file.stage_chain(stage);
        // SHELL is image config: the last one of the nearest local parent that sets one.
        let mut shell: Option<ShellKind> = chain.iter().skip(1).find_map(|parent| {
            file.stage_instructions(parent)
                .iter()
                .rev()
                .find(|i| i.kind == Kind::Shell)
                .map(shell_kind)
        });
        let mut findings: Vec<(Span, &str, bool, &Instruction)> = Vec::new();
        for inst in file.stage_instructions(stage) {
            match inst.kind {
                Kind::Shell => shell = Some(shell_kind(inst)),
                Kind::Run => {
                    if matches!(shell, Some(ShellKind::Pipefail | ShellKind::Other)) {
                        continue;
                    }
                    let Some(script) = &inst.script else { continue };
                    if let Some((pipe, left)) = hidden_pipe_failure(script) {
                        findings.push((pipe, left, shell.is_none(), inst));
                    }
                }
                _ => {}
            }
        }
        // One fix per stage: a SHELL line before the first flagged RUN that runs with the
        // default shell. Every such finding carries the same edit, so it applies once.
        let shell_path = match base.as_deref() {
            Some(b) if is_ash_image(b) => Some("/bin/ash"),
            Some(b) if has_bash(b) => Some("/bin/bash"),
            _ => None,
        };
        let fix = shell_path.and_then(|path| {
            let (_, _, _, first) = findings.iter().find(|(_, _, default, _)| *default)?;
            let text = &cx.source.text;
            let kw = first.keyword.start as usize;
            let line_start = text.get(..kw)?.rfind('\n').map(|p| p + 1).unwrap_or(0);
            let indent = text.get(line_start..kw)?;
            if !indent.chars().all(|c| c == ' ' || c == '\t') {
                return None;
            }
            let replacement = format!(
                "SHELL [\"{path}\", \"-o\", \"pipefail\", \"-c\"]\n{indent}{}",
                first.keyword_text
            );
            Some((path, Edit::replace(first.keyword.clone(), replacement)))
        });
        for (pipe, left, default_shell, _) in findings {
            let d = out
                .report(Code::DKR026, pipe)
                .message(format!("if `{left}` fails, this pipe hides it: without pipefail the shell only reports the exit status of the pipeline's last command"))
                .help("set pipefail for the stage: `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` (`/bin/ash` on alpine), or add `-o pipefail` to your SHELL, or start the RUN with `set -o pipefail &&` if its shell is bash");
            if let (true, Some((path, edit))) = (default_shell, &fix) {
                d.fix_unsafe(
                    format!("add `SHELL [\"{path}\", \"-o\", \"pipefail\", \"-c\"]` before the stage's first RUN with a pipe"),
                    vec![edit.clone()],
                );
            }
        }
    }
}

/// Whether two RUNs could be written as one: both shell form without heredocs, same flags.
fn mergeable(a: &Instruction, b: &Instruction) -> bool {
    let plain = |i: &Instruction| !i.is_exec_form() && i.heredocs.is_empty() && i.script.is_some();
    let flags = |i: &Instruction| {
        let mut f: Vec<(String, Option<String>)> = i
            .flags
            .iter()
            .map(|f| {
                (
                    f.name.to_ascii_lowercase(),
                    f.value.as_ref().map(|v| v.value.clone()),
                )
            })
            .collect();
        f.sort();
        f
    };
    plain(a) && plain(b) && flags(a) == flags(b)
}

/// DKR027 consecutive-run: two RUNs in a row that could be one layer.
fn consecutive_run(cx: &Ctx, out: &mut Findings) {
    let file = cx.file;
    let Some(last) = file.final_stage() else {
        return;
    };
    // Only the layers of the final image count: the final stage and the stages it is built on.
    for stage in file.stage_chain(last) {
        for pair in file.stage_instructions(stage).windows(2) {
            let (prev, inst) = (&pair[0], &pair[1]);
            if prev.kind != Kind::Run || inst.kind != Kind::Run || !mergeable(prev, inst) {
                continue;
            }
            out.report(Code::DKR027, inst.keyword.clone())
                .message("this RUN directly follows another RUN: each one adds a layer to the final image")
                .help("join the two scripts with `&&` into one RUN, unless they are split on purpose for the build cache")
                .label(prev.keyword.clone(), "the previous RUN");
        }
    }
}

/// DKR030 wget-and-curl: a stage that downloads with both wget and curl.
fn wget_and_curl(cx: &Ctx, out: &mut Findings) {
    for stage in &cx.file.stages {
        let mut first: [Option<&Word>; 2] = [None, None];
        for inst in stage_runs(cx, stage) {
            let Some(script) = &inst.script else { continue };
            for cmd in &script.commands {
                let slot = match cmd.program() {
                    Some("curl") => 0,
                    Some("wget") => 1,
                    _ => continue,
                };
                if let Some(s) = first.get_mut(slot) {
                    if s.is_none() {
                        *s = cmd.program_word();
                    }
                }
            }
        }
        let [Some(curl), Some(wget)] = first else {
            continue;
        };
        let ((later, later_name), (earlier, earlier_name)) = if curl.span.start > wget.span.start {
            ((curl, "curl"), (wget, "wget"))
        } else {
            ((wget, "wget"), (curl, "curl"))
        };
        out.report(Code::DKR030, later.span.clone())
            .message(format!(
                "this stage uses both `{earlier_name}` and `{later_name}` to download"
            ))
            .help(format!(
                "use `{earlier_name}` here too (or only `{later_name}`): one download tool is enough in an image"
            ))
            .label(earlier.span.clone(), format!("`{earlier_name}` first used here"));
    }
}

/// Programs that make no sense in a build (hadolint DL3001's list).
const INTERACTIVE_TOOLS: &[&str] = &[
    "ssh", "vim", "shutdown", "service", "ps", "free", "top", "kill", "mount", "ifconfig",
];

/// DKR039 interactive-tool: RUN of an interactive or system tool.
fn interactive_tool(cx: &Ctx, out: &mut Findings) {
    for (_, inst) in cx.instructions_of(Kind::Run) {
        let words: Vec<&Word> = match (&inst.script, inst.exec_items()) {
            (Some(script), _) => script
                .commands
                .iter()
                .filter(|c| c.program().is_some_and(|p| INTERACTIVE_TOOLS.contains(&p)))
                .filter_map(Command::program_word)
                .collect(),
            (None, Some(items)) => items
                .first()
                .filter(|w| INTERACTIVE_TOOLS.contains(&basename(&w.value)))
                .into_iter()
                .collect(),
            (None, None) => Vec::new(),
        };
        for word in words {
            let tool = basename(&word.value);
            out.report(Code::DKR039, word.span.clone())
                .message(format!(
                    "`{tool}` makes no sense in an image build: a build step has no terminal, no init system and no running services"
                ))
                .help("remove it from the build; do the work with a non-interactive command, or at container start");
        }
    }
}

/// The word holding short option `letter` in a getopt-style command, where the letters of
/// `takes_value` consume the rest of their cluster or the next word.
fn short_option<'a>(cmd: &'a Command, letter: char, takes_value: &str) -> Option<&'a Word> {
    let mut skip_next = false;
    for w in cmd.args() {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        let v = w.value.as_str();
        if v == "--" {
            return None;
        }
        if v.starts_with("--") {
            continue;
        }
        let Some(cluster) = v.strip_prefix('-') else {
            continue;
        };
        for (i, c) in cluster.char_indices() {
            if c == letter {
                return Some(w);
            }
            if takes_value.contains(c) {
                skip_next = i + c.len_utf8() == cluster.len();
                break;
            }
        }
    }
    None
}

fn long_option<'a>(cmd: &'a Command, names: &[&str]) -> Option<&'a Word> {
    cmd.find_option(&[], names)
}

fn is_false(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "false" | "0" | "no" | "off"
    )
}

fn is_true(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on")
}

/// Whether an environment variable setting turns TLS (or signature) verification off.
fn env_disables_tls(name: &str, value: &str) -> bool {
    match name {
        "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => value == "0",
        "GIT_SSL_NO_VERIFY" => {
            !value.is_empty() && value != "0" && !value.eq_ignore_ascii_case("false")
        }
        "PIP_TRUSTED_HOST" => !value.is_empty(),
        _ => {
            name.eq_ignore_ascii_case("NPM_CONFIG_STRICT_SSL")
                && value.eq_ignore_ascii_case("false")
        }
    }
}

/// An apt `-o Key=Value` setting that turns verification off.
fn apt_option_disables(setting: &str) -> bool {
    let Some((key, value)) = setting.split_once('=') else {
        return false;
    };
    let key = key.to_ascii_lowercase();
    (key.starts_with("acquire::https::")
        && (key.ends_with("::verify-peer") || key.ends_with("::verify-host"))
        && is_false(value))
        || (matches!(
            key.as_str(),
            "apt::get::allowunauthenticated" | "acquire::allowinsecurerepositories"
        ) && is_true(value))
}

/// The `-o` settings of an apt command: (the word to point at, `Key=Value`).
fn apt_settings(cmd: &Command) -> Vec<(&Word, &str)> {
    let args = cmd.args();
    let mut out = Vec::new();
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        if v == "-o" || v == "--option" {
            if let Some(next) = args.get(i + 1) {
                out.push((next, next.value.as_str()));
            }
        } else if let Some(s) = v.strip_prefix("--option=").or_else(|| v.strip_prefix("-o")) {
            if !s.is_empty() {
                out.push((w, s));
            }
        }
    }
    out
}

/// The findings of DKR041 for one command: (span, what is disabled).
fn tls_bypasses(cmd: &Command) -> Vec<(Span, String)> {
    let mut hits: Vec<(Span, String)> = Vec::new();
    let mut hit = |w: &Word, what: String| hits.push((w.span.clone(), what));
    // Assignment prefixes (`NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci`, `env X=…`) and `export`.
    let end = cmd.program_index().unwrap_or(cmd.words.len());
    let exported: &[Word] = if cmd.program() == Some("export") {
        cmd.args()
    } else {
        &[]
    };
    for w in cmd.words.get(..end).unwrap_or(&[]).iter().chain(exported) {
        if let Some((name, value)) = w.value.split_once('=') {
            if is_assignment(&w.value) && !value.contains('$') && env_disables_tls(name, value) {
                hit(w, format!("`{name}={value}`"));
            }
        }
    }
    let Some(program) = cmd.program() else {
        return hits;
    };
    let ops: Vec<&Word> = cmd.operands().collect();
    let sub = ops.first().map(|w| w.value.as_str());
    match program {
        "curl" => {
            let w = short_option(cmd, 'k', "AbcCdDeEFHKmoPQrTtuUwxXyYz")
                .or_else(|| long_option(cmd, &["insecure"]));
            if let Some(w) = w {
                hit(w, format!("`curl {}`", w.value));
            }
        }
        "wget" => {
            if let Some(w) = long_option(cmd, &["no-check-certificate"]) {
                hit(w, "`wget --no-check-certificate`".into());
            }
        }
        "apk" => {
            if let Some(w) = long_option(cmd, &["allow-untrusted"]) {
                hit(w, "`apk --allow-untrusted`".into());
            }
        }
        "apt-get" | "apt" | "aptitude" => {
            if let Some(w) = long_option(cmd, &["allow-unauthenticated", "force-yes"]) {
                hit(w, format!("`{program} {}`", w.value));
            }
            for (w, setting) in apt_settings(cmd) {
                if apt_option_disables(setting) {
                    hit(w, format!("`{program} -o {setting}`"));
                }
            }
        }
        "yum" | "dnf" | "tdnf" | "microdnf" => {
            if let Some(w) = long_option(cmd, &["nogpgcheck"]) {
                hit(w, format!("`{program} --nogpgcheck`"));
            }
        }
        "rpm" => {
            let installs = cmd.args().iter().any(|w| {
                let v = w.value.as_str();
                matches!(v, "--install" | "--upgrade" | "--freshen" | "--reinstall")
                    || (!v.starts_with("--")
                        && v.strip_prefix('-')
                            .is_some_and(|c| c.starts_with(['i', 'U', 'F'])))
            });
            let w = long_option(
                cmd,
                &["nosignature", "nodigest", "noverify", "nofiledigest"],
            );
            if let (true, Some(w)) = (installs, w) {
                hit(w, format!("`rpm {}`", w.value));
            }
        }
        "pip" | "pip3" => {
            if let Some(w) = long_option(cmd, &["trusted-host"]) {
                hit(w, format!("`{program} --trusted-host`"));
            }
        }
        p if p.starts_with("pip3.") => {
            if let Some(w) = long_option(cmd, &["trusted-host"]) {
                hit(w, format!("`{program} --trusted-host`"));
            }
        }
        p if p.starts_with("python") => {
            let args = cmd.args();
            let runs_pip = args.first().is_some_and(|w| w.value == "-m")
                && args
                    .get(1)
                    .is_some_and(|w| matches!(w.value.as_str(), "pip" | "pip3"));
            if let (true, Some(w)) = (runs_pip, long_option(cmd, &["trusted-host"])) {
                hit(w, "`pip --trusted-host`".into());
            }
        }
        "npm" | "yarn" | "pnpm" => {
            let setting = match (sub, ops.get(1).map(|w| w.value.as_str())) {
                (Some("config"), Some("set")) => 2,
                (Some("set"), _) => 1,
                _ => usize::MAX,
            };
            if let Some(key) = ops.get(setting) {
                let k = key.value.to_ascii_lowercase();
                let value = match k.split_once('=') {
                    Some((_, v)) => Some(v.to_string()),
                    None => ops.get(setting + 1).map(|w| w.value.clone()),
                };
                let name = k.split('=').next().unwrap_or("");
                if matches!(name, "strict-ssl" | "enablestrictssl")
                    && value.as_deref().is_some_and(is_false)
                {
                    hit(key, format!("`{program} config set {} false`", key.value));
                }
            }
            if let Some(w) = long_option(cmd, &["no-strict-ssl"]) {
                hit(w, format!("`{program} --no-strict-ssl`"));
            } else if let Some(w) = cmd
                .args()
                .iter()
                .find(|w| w.value.strip_prefix("--strict-ssl=").is_some_and(is_false))
            {
                hit(w, format!("`{program} {}`", w.value));
            }
        }
        "git" => {
            let is_ssl_verify = |key: &str| {
                let key = key.to_ascii_lowercase();
                key.starts_with("http.") && key.ends_with(".sslverify")
            };
            // `git -c http.sslVerify=false clone …`
            let args = cmd.args();
            for (i, w) in args.iter().enumerate() {
                if w.value != "-c" {
                    continue;
                }
                if let Some(next) = args.get(i + 1) {
                    if let Some((key, value)) = next.value.split_once('=') {
                        if is_ssl_verify(key) && is_false(value) {
                            hit(next, format!("`git -c {}`", next.value));
                        }
                    }
                }
            }
            // `git config --global http.sslVerify false`
            if sub == Some("config") {
                if let Some(i) = ops.iter().position(|w| is_ssl_verify(&w.value)) {
                    let value = ops.get(i + 1).map(|w| w.value.as_str());
                    if let (Some(key), true) = (ops.get(i), value.is_some_and(is_false)) {
                        hit(key, format!("`git config {} false`", key.value));
                    }
                }
            }
        }
        _ => {}
    }
    hits
}

/// DKR041 tls-verification-disabled: TLS certificate or package signature checks turned off.
fn tls_verification_disabled(cx: &Ctx, out: &mut Findings) {
    let help = "keep verification on: install `ca-certificates` (or COPY your CA and run `update-ca-certificates`) and trust the repository's signing key instead";
    for (index, inst) in cx.instructions() {
        match inst.kind {
            Kind::Env | Kind::Arg => {
                for pair in &inst.pairs {
                    let Some(value) = &pair.value else { continue };
                    let value = if value.value.contains('$') {
                        match cx.file.scope_at(index).expand(&value.value, cx.file.escape) {
                            Some(v) => v,
                            None => continue,
                        }
                    } else {
                        value.value.clone()
                    };
                    let name = pair.key.value.as_str();
                    if env_disables_tls(name, &value) {
                        out.report(Code::DKR041, pair.key.span.clone())
                            .message(format!(
                                "`{name}={value}` turns off TLS certificate verification for every later step and in the image"
                            ))
                            .help(help);
                    }
                }
            }
            Kind::Run => {
                let Some(script) = &inst.script else { continue };
                for cmd in &script.commands {
                    for (span, what) in tls_bypasses(cmd) {
                        out.report(Code::DKR041, span)
                            .message(format!(
                                "{what} turns off certificate or signature verification: a man in the middle can change what is installed"
                            ))
                            .help(help);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether an `EXPOSE` item (`22`, `22/tcp`, `20-25`) covers TCP port 22.
fn exposes_ssh(item: &str) -> bool {
    let (ports, proto) = match item.split_once('/') {
        Some((p, proto)) => (p, proto),
        None => (item, "tcp"),
    };
    if !proto.eq_ignore_ascii_case("tcp") {
        return false;
    }
    let (low, high) = ports.split_once('-').unwrap_or((ports, ports));
    match (low.parse::<u32>(), high.parse::<u32>()) {
        (Ok(l), Ok(h)) => l <= 22 && 22 <= h,
        _ => false,
    }
}

/// DKR042 ssh-port-exposed: `EXPOSE 22`.
fn ssh_port_exposed(cx: &Ctx, out: &mut Findings) {
    for (index, inst) in cx.instructions_of(Kind::Expose) {
        for word in &inst.words {
            let value = if word.value.contains('$') {
                match cx.file.scope_at(index).expand(&word.value, cx.file.escape) {
                    Some(v) => v,
                    None => continue,
                }
            } else {
                word.value.clone()
            };
            if value.split_whitespace().any(exposes_ssh) {
                out.report(Code::DKR042, word.span.clone())
                    .message("the image exposes port 22 (SSH): a container should not run an SSH server")
                    .help("remove `22` from EXPOSE; use `docker exec` / `kubectl exec` to get a shell in a running container");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lang::dockerfile::rules::test_support::*;
    use crate::lang::Options;
    use crate::registry::Code::*;

    #[test]
    fn sensitive_build_arg() {
        // Caught: secret-looking names, with or without a value.
        assert_findings(DKR016, "FROM a:1\nARG NPM_TOKEN\n", &[(2, 5)]);
        assert_findings(DKR016, "FROM a:1\nENV DB_PASSWORD=changeme\n", &[(2, 5)]);
        // The _ID exception; the global ARG is reported where the stage declares it again.
        let aws = "ARG AWS_ACCESS_KEY_ID\nFROM a:1\nARG AWS_ACCESS_KEY_ID\n";
        assert_findings(DKR016, aws, &[(3, 5)]);
        assert_findings(DKR016, "ARG GITHUB_TOKEN\nFROM a:1\nRUN make\n", &[]);
        assert_findings(DKR016, "FROM a:1\nENV A=1 API_KEY=${API_KEY}\n", &[(2, 9)]); // second pair
        assert_findings(DKR016, "from a:1\narg github_token\n", &[(2, 5)]); // lower case
        assert_findings(DKR016, "FROM a:1\nONBUILD ARG CLIENT_SECRET\n", &[(2, 13)]);
        assert_findings(DKR016, "FROM a:1\nENV \\\n  SECRET_KEY=x\n", &[(3, 3)]); // continuation
        assert_findings(DKR016, "FROM a:1\nENV REDIS_PWD secret\n", &[(2, 5)]); // legacy form
                                                                                // Not flagged: references to secrets, public keys, look-alikes.
        assert_findings(DKR016, "FROM a:1\nARG PASSWORD_FILE=/run/secrets/pw\n", &[]);
        // Found on real files: a password-named variable that holds a script's name.
        assert_findings(
            DKR016,
            "FROM a:1\nENV RESET_OS_PASSWORD=resetOSPassword.sh\n",
            &[],
        );
        assert_findings(DKR016, "FROM a:1\nENV DB_PASSWORD=/run/secrets/db\n", &[]);
        assert_findings(
            DKR016,
            "FROM a:1\nENV TOKEN_URL=https://auth.example.com/token\n",
            &[],
        );
        assert_findings(
            DKR016,
            "FROM a:1\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\n",
            &[],
        );
        assert_findings(DKR016, "FROM a:1\nARG SSH_PUBLIC_KEY\n", &[]);
        assert_findings(DKR016, "FROM a:1\nENV PWD=/app\n", &[]); // the working directory
        assert_findings(
            DKR016,
            "FROM a:1\nARG CLIENT_ID\nARG TOKENIZER_VERSION=1\nENV PASSWORDLESS=1\n",
            &[],
        );
        assert_findings(DKR016, "FROM a:1\nARG SECRET_NAME=npm\n", &[]);
        assert_findings(DKR016, "FROM a:1\nRUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci\n", &[]);
        assert_findings(
            DKR016,
            "FROM a:1\nLABEL token=none\nRUN echo \"PASSWORD\"\n",
            &[],
        );
        let msg = first_message(DKR016, "FROM a:1\nARG NPM_TOKEN\n").unwrap();
        assert!(msg.contains("image history"), "{msg}");
    }

    #[test]
    fn cd_in_run() {
        // Caught: the RUN starts with `cd <dir>`.
        assert_findings(DKR019, "FROM a:1\nRUN cd /app && make\n", &[(2, 5)]);
        assert_findings(
            DKR019,
            "FROM a:1\nRUN set -eux; cd /src; make\n",
            &[(2, 15)],
        );
        assert_findings(
            DKR019,
            "FROM a:1\nRUN <<EOF\nset -e\ncd /src\nmake\nEOF\n",
            &[(4, 1)],
        );
        assert_findings(
            DKR019,
            "FROM a:1\nRUN bash <<EOF\ncd /src\nmake\nEOF\n",
            &[(3, 1)],
        );
        assert_findings(DKR019, "FROM a:1\nRUN \\\n  cd /app && make\n", &[(3, 3)]);
        assert_findings(
            DKR019,
            "FROM a:1\nonbuild run cd /app && make\n",
            &[(2, 13)],
        );
        // Not flagged: cd later, no directory, temp dirs, not a command, heredoc bodies.
        assert_findings(DKR019, "FROM a:1\nRUN make && cd / && rm -rf /src\n", &[]);
        assert_findings(
            DKR019,
            "FROM a:1\nRUN cd $(mktemp -d) && curl -O x\nRUN cd - && cd\n",
            &[],
        );
        assert_findings(DKR019, "FROM a:1\nRUN echo \"cd /app\" && echo cd\n", &[]);
        assert_findings(DKR019, "FROM a:1\nRUN [\"cd\", \"/app\"]\n", &[]);
        assert_findings(
            DKR019,
            "FROM a:1\nRUN cat <<EOF > /run.sh\ncd /app\nEOF\n",
            &[],
        );
        assert_findings(DKR019, "FROM a:1\nRUN <<EOF\n# cd /app\nmake\nEOF\n", &[]);
        assert_findings(DKR019, "FROM a:1\nWORKDIR /app\nRUN make\n", &[]);
        // Not flagged: a scratch directory, and a RUN that goes back with `cd -`.
        assert_findings(
            DKR019,
            "FROM a:1\nRUN cd /tmp && curl -O x\nRUN cd /tmp/build/ && ./install.sh\nRUN cd /var/tmp && make\n",
            &[],
        );
        assert_findings(
            DKR019,
            "FROM a:1\nRUN cd /u01 && jar xf /u01/x.zip && cd - && java -jar /u01/x.jar\n",
            &[],
        );
        assert_findings(
            DKR019,
            "FROM a:1\nRUN cd /src && make && cd \"$OLDPWD\" && ./check\n",
            &[],
        );
        // Still caught: a folder merely named like tmp, and a later `cd` elsewhere.
        assert_findings(DKR019, "FROM a:1\nRUN cd /tmpfiles && make\n", &[(2, 5)]);
        assert_findings(
            DKR019,
            "FROM a:1\nRUN cd /u01 && mkdir tmp && cd tmp && unzip x.zip\n",
            &[(2, 5)],
        );
    }

    #[test]
    fn sudo_in_run() {
        // Caught: sudo as a command word, wherever it is in the script.
        assert_findings(DKR020, "FROM a:1\nRUN sudo apt-get update\n", &[(2, 5)]);
        assert_findings(
            DKR020,
            "FROM a:1\nRUN apt-get update && sudo apt-get install -y x\n",
            &[(2, 23)],
        );
        assert_findings(
            DKR020,
            "FROM a:1\nRUN /usr/bin/sudo -u app make\n",
            &[(2, 5)],
        );
        assert_findings(
            DKR020,
            "FROM a:1\nRUN DEBIAN_FRONTEND=noninteractive sudo -E apt-get update\n",
            &[(2, 36)],
        );
        assert_findings(DKR020, "FROM a:1\nRUN [\"sudo\", \"make\"]\n", &[(2, 6)]);
        assert_findings(
            DKR020,
            "FROM a:1\nRUN <<EOF\nmake\nsudo make install\nEOF\n",
            &[(4, 1)],
        );
        assert_findings(DKR020, "FROM a:1\nONBUILD RUN sudo make\n", &[(2, 13)]);
        // Not flagged: sudo as a package, an argument, a string, a group, a heredoc body.
        assert_findings(
            DKR020,
            "FROM a:1\nRUN apt-get install -y sudo && useradd -G sudo app\n",
            &[],
        );
        assert_findings(
            DKR020,
            "FROM a:1\nRUN echo \"sudo\" && echo sudo && grep sudo /etc/group\n",
            &[],
        );
        assert_findings(
            DKR020,
            "FROM a:1\nRUN <<EOF\n# no sudo needed\nmake\nEOF\n",
            &[],
        );
        assert_findings(
            DKR020,
            "FROM a:1\nRUN cat <<EOF > /etc/sudoers.d/app\nsudo ALL\nEOF\n",
            &[],
        );
        assert_findings(
            DKR020,
            "FROM a:1\nCOPY sudo /usr/local/bin/\nUSER root\n",
            &[],
        );
    }

    const BASH_SHELL: &str = "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n";

    #[test]
    fn pipe_without_pipefail() {
        // Caught: a pipe with the default shell, pointing at the `|`.
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN curl -fsSL https://x | sh\n",
            &[(2, 26)],
        );
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN <<EOF\ncurl -fsSL x | tar xz\nEOF\n",
            &[(3, 14)],
        );
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN a | b; set -o pipefail\n",
            &[(2, 7)],
        ); // set too late
        assert_findings(
            DKR026,
            "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nRUN a | b\n",
            &[(3, 7)],
        );
        assert_findings(DKR026, "FROM debian:12\nRUN a \\\n  | b\n", &[(3, 3)]);
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN a |& b\nrun c | d\n",
            &[(2, 7), (3, 7)],
        );
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN echo x | sh && a | b\n",
            &[(2, 22)],
        ); // echo side is fine
           // Not flagged: pipefail set by SHELL (here or in a parent stage) or by `set` first.
        let with_shell = format!("FROM debian:12\n{BASH_SHELL}RUN a | b\n");
        assert_findings(DKR026, &with_shell, &[]);
        let inherited = format!("FROM debian:12 AS base\n{BASH_SHELL}FROM base\nRUN a | b\n");
        assert_findings(DKR026, &inherited, &[]);
        assert_findings(
            DKR026,
            "FROM debian:12\nSHELL [\"/bin/bash\", \"-euxo\", \"pipefail\", \"-c\"]\nRUN a | b\n",
            &[],
        );
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN set -o pipefail && a | b\nRUN set -Eeuxo pipefail; a | b\n",
            &[],
        );
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN <<EOF\nset -euo pipefail\na | b\nEOF\n",
            &[],
        );
        // Not flagged: non-POSIX shells, Windows images, quoted or harmless pipes, exec form.
        assert_findings(
            DKR026,
            "FROM debian:12\nSHELL [\"pwsh\", \"-Command\"]\nRUN a | b\n",
            &[],
        );
        assert_findings(
            DKR026,
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN a | b\n",
            &[],
        );
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN echo \"a | b\" && a || b\n",
            &[],
        );
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN echo 'deb x' | tee /etc/apt/sources.list && yes | a\n",
            &[],
        );
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN [\"sh\", \"-c\", \"a | b\"]\n",
            &[],
        );
        // The `|` of a `case` pattern list is not a pipe; a real pipe in a branch still is.
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN case \"$arch\" in \\\n  amd64|arm64) F=x ;; \\\n  *) F=y ;; \\\n esac; make\n",
            &[],
        );
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN case \"$a\" in x|y) curl u | sh ;; esac\n",
            &[(2, 30)],
        );
        assert_findings(
            DKR026,
            "FROM debian:12\nRUN cat <<EOF > /x.sh\na | b\nEOF\n",
            &[],
        );
        assert_findings(DKR026, "FROM debian:12\nONBUILD RUN a | b\n", &[]);
    }

    #[test]
    fn pipe_without_pipefail_fix() {
        let msg = first_message(DKR026, "FROM debian:12\nRUN curl x | sh\n").unwrap();
        assert!(msg.contains("`curl` fails"), "{msg}");
        let fixed = format!("FROM debian:12\n{BASH_SHELL}RUN curl x | sh\n");
        assert_fixed(DKR026, "FROM debian:12\nRUN curl x | sh\n", &fixed);
        // One SHELL per stage, before its first RUN with a pipe, however many findings.
        let two = "FROM debian:12\nRUN apt-get update\nRUN a | b\nRUN c | d\n";
        let fixed =
            format!("FROM debian:12\nRUN apt-get update\n{BASH_SHELL}RUN a | b\nRUN c | d\n");
        assert_fixed(DKR026, two, &fixed);
        // Alpine and busybox bases get ash, also through a local stage.
        let ash = "SHELL [\"/bin/ash\", \"-o\", \"pipefail\", \"-c\"]\n";
        assert_fixed(
            DKR026,
            "FROM node:20-alpine\nrun a | b\n",
            &format!("FROM node:20-alpine\n{ash}run a | b\n"),
        );
        let chain = "ARG BASE=alpine:3.19\nFROM $BASE AS base\nFROM base\n  RUN a | b\n";
        let fixed =
            format!("ARG BASE=alpine:3.19\nFROM $BASE AS base\nFROM base\n  {ash}  RUN a | b\n");
        assert_fixed(DKR026, chain, &fixed);
        // Each stage gets its own SHELL.
        let stages = "FROM golang:1.22 AS build\nRUN a | b\nFROM busybox:1.36\nRUN c | d\n";
        let fixed = format!(
            "FROM golang:1.22 AS build\n{BASH_SHELL}RUN a | b\nFROM busybox:1.36\n{ash}RUN c | d\n"
        );
        assert_fixed(DKR026, stages, &fixed);
        // No fix over a SHELL of the user's, nor when the base is unknown.
        for text in [
            "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nRUN a | b\n",
            "ARG BASE\nFROM $BASE\nRUN a | b\n",
            "FROM cgr.dev/chainguard/wolfi-base\nRUN a | b\n",
        ] {
            let (_, diags) = lint_with(Options::default(), text);
            let d = diags.iter().find(|d| d.code == DKR026).unwrap();
            assert!(d.fix.is_none(), "{text}");
        }
    }

    #[test]
    fn consecutive_run() {
        // Caught: RUN right after RUN in the final image's stages; points at the second.
        assert_findings(DKR027, "FROM a:1\nRUN a\nRUN b\n", &[(3, 1)]);
        assert_findings(
            DKR027,
            "FROM a:1\nRUN a\n# why\n\nRUN b\nRUN c\n",
            &[(5, 1), (6, 1)],
        );
        assert_findings(DKR027, "from a:1\nrun a \\\n  && b\nrun c\n", &[(4, 1)]);
        assert_findings(DKR027, "FROM a:1\nRUN --mount=type=cache,target=/root/.cache a\nRUN --mount=type=cache,target=/root/.cache b\n", &[(3, 1)]);
        assert_findings(
            DKR027,
            "FROM a:1 AS base\nRUN a\nRUN b\nFROM base\nCMD x\n",
            &[(3, 1)],
        );
        // Not flagged: another instruction between, different mounts, heredocs, exec form.
        assert_findings(DKR027, "FROM a:1\nRUN a\nCOPY . .\nRUN b\n", &[]);
        assert_findings(
            DKR027,
            "FROM a:1\nRUN a\nRUN --mount=type=secret,id=t b\n",
            &[],
        );
        assert_findings(DKR027, "FROM a:1\nRUN <<EOF\na\nEOF\nRUN b\n", &[]);
        assert_findings(DKR027, "FROM a:1\nRUN [\"a\"]\nRUN b\n", &[]);
        assert_findings(DKR027, "FROM a:1\nONBUILD RUN a\nRUN b\n", &[]);
        // Not flagged: builder stages, whose layers do not reach the final image.
        assert_findings(
            DKR027,
            "FROM a:1 AS build\nRUN a\nRUN b\nFROM c:1\nCOPY --from=build /x /x\n",
            &[],
        );
    }

    #[test]
    fn wget_and_curl() {
        // Caught: both in a stage; points at the one first used later.
        assert_findings(
            DKR030,
            "FROM a:1\nRUN curl -fsSLO x && wget y\n",
            &[(2, 22)],
        );
        assert_findings(
            DKR030,
            "FROM a:1\nRUN wget x\nRUN curl y && curl z\n",
            &[(3, 5)],
        );
        assert_findings(
            DKR030,
            "FROM a:1\nRUN /usr/bin/curl x\nRUN <<EOF\nwget y\nEOF\n",
            &[(4, 1)],
        );
        assert_findings(DKR030, "FROM a:1\nRUN sudo wget x && curl y\n", &[(2, 20)]);
        let msg = first_message(DKR030, "FROM a:1\nRUN wget x\nRUN curl y\n").unwrap();
        assert!(msg.contains("wget") && msg.contains("curl"), "{msg}");
        // Not flagged: separate stages, package names, strings, heredoc comments, ONBUILD.
        assert_findings(
            DKR030,
            "FROM a:1 AS dl\nRUN wget x\nFROM b:1\nRUN curl y\n",
            &[],
        );
        assert_findings(
            DKR030,
            "FROM a:1\nRUN apt-get install -y curl wget && curl x\n",
            &[],
        );
        assert_findings(DKR030, "FROM a:1\nRUN echo \"wget\" && curl x\n", &[]);
        assert_findings(
            DKR030,
            "FROM a:1\nRUN <<EOF\n# wget would do too\ncurl x\nEOF\n",
            &[],
        );
        assert_findings(DKR030, "FROM a:1\nONBUILD RUN wget x\nRUN curl y\n", &[]);
    }

    #[test]
    fn interactive_tool() {
        // Caught: the tool runs as a command.
        assert_findings(DKR039, "FROM a:1\nRUN service nginx start\n", &[(2, 5)]);
        assert_findings(DKR039, "FROM a:1\nRUN ps aux | grep x\n", &[(2, 5)]);
        assert_findings(
            DKR039,
            "FROM a:1\nRUN sudo /usr/bin/vim /etc/x\n",
            &[(2, 10)],
        );
        assert_findings(DKR039, "FROM a:1\nRUN [\"kill\", \"1\"]\n", &[(2, 6)]);
        assert_findings(
            DKR039,
            "FROM a:1\nRUN <<EOF\nmake\nshutdown -h now\nEOF\n",
            &[(4, 1)],
        );
        assert_findings(DKR039, "FROM a:1\nRUN make && ssh host true\n", &[(2, 13)]);
        // Not flagged: package names, similar programs, strings, paths, heredoc bodies.
        assert_findings(
            DKR039,
            "FROM a:1\nRUN apt-get install -y vim openssh-client procps\n",
            &[],
        );
        assert_findings(
            DKR039,
            "FROM a:1\nRUN ssh-keygen -A && pkill -f x || true\n",
            &[],
        );
        assert_findings(
            DKR039,
            "FROM a:1\nRUN echo \"top\" && mkdir /mnt/mount\n",
            &[],
        );
        assert_findings(
            DKR039,
            "FROM a:1\nRUN --mount=type=cache,target=/x make\n",
            &[],
        );
        assert_findings(DKR039, "FROM a:1\nRUN cat <<EOF > /x\nvim\nEOF\n", &[]);
        assert_findings(
            DKR039,
            "FROM a:1\nRUN <<EOF\n# ps is not needed\nmake\nEOF\n",
            &[],
        );
    }

    #[test]
    fn tls_verification_disabled_commands() {
        // Caught: the flag word.
        assert_findings(DKR041, "FROM a:1\nRUN curl -sSLk https://x\n", &[(2, 10)]);
        assert_findings(
            DKR041,
            "FROM a:1\nRUN /usr/bin/curl --insecure -O https://x\n",
            &[(2, 19)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN wget --no-check-certificate https://x\n",
            &[(2, 10)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN pip install --trusted-host pypi.org x\n",
            &[(2, 17)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN python3 -m pip install --trusted-host=x y\n",
            &[(2, 28)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN apk add --allow-untrusted /x.apk\n",
            &[(2, 13)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN apt-get install -y --allow-unauthenticated x\n",
            &[(2, 24)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN apt-get install --force-yes x\n",
            &[(2, 21)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN apt-get -o Acquire::https::Verify-Peer=false update\n",
            &[(2, 16)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN dnf install -y --nogpgcheck x\n",
            &[(2, 20)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN rpm -ivh --nosignature x.rpm\n",
            &[(2, 14)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN npm config set strict-ssl false\n",
            &[(2, 20)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN yarn config set strict-ssl false\n",
            &[(2, 21)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN git config --global http.sslVerify false\n",
            &[(2, 25)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN git -c http.sslVerify=false clone x\n",
            &[(2, 12)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci\n",
            &[(2, 5)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN export GIT_SSL_NO_VERIFY=1 && git clone x\n",
            &[(2, 12)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN <<EOF\ncurl -k https://x\nEOF\n",
            &[(3, 6)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nONBUILD RUN wget --no-check-certificate x\n",
            &[(2, 18)],
        );
        // Not flagged: options that look alike, verification kept on, strings, queries.
        assert_findings(
            DKR041,
            "FROM a:1\nRUN curl -sLokubectl https://x && curl -K cfg x && curl -H -k x\n",
            &[],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN echo \"curl -k\" && apt-get install -y curl wget\n",
            &[],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN npm config set strict-ssl true && git config http.sslVerify true\n",
            &[],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN rpm -qa --nodigest && pip install --index-url https://x y\n",
            &[],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN <<EOF\n# curl -k would be wrong\ncurl -fsSL x\nEOF\n",
            &[],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN cat <<EOF > /x.sh\ncurl -k x\nEOF\n",
            &[],
        );
    }

    #[test]
    fn tls_verification_disabled_env() {
        // Caught: the ENV/ARG key.
        assert_findings(
            DKR041,
            "FROM a:1\nENV NODE_TLS_REJECT_UNAUTHORIZED=0\n",
            &[(2, 5)],
        );
        assert_findings(DKR041, "FROM a:1\nENV PYTHONHTTPSVERIFY 0\n", &[(2, 5)]);
        assert_findings(
            DKR041,
            "FROM a:1\nARG PIP_TRUSTED_HOST=pypi.internal\n",
            &[(2, 5)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nenv GIT_SSL_NO_VERIFY=true npm_config_strict_ssl=false\n",
            &[(2, 5), (2, 28)],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nARG V=0\nENV NODE_TLS_REJECT_UNAUTHORIZED=$V\n",
            &[(3, 5)],
        );
        // Not flagged: verification on, no value, unknown variables.
        assert_findings(
            DKR041,
            "FROM a:1\nENV NODE_TLS_REJECT_UNAUTHORIZED=1 GIT_SSL_NO_VERIFY=false\n",
            &[],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nARG PIP_TRUSTED_HOST\nENV PYTHONHTTPSVERIFY=$UNSET\n",
            &[],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nENV PIP_INDEX_URL=https://pypi.internal/simple\n",
            &[],
        );
    }

    #[test]
    fn ssh_port_exposed() {
        // Caught: port 22 over TCP, however written.
        assert_findings(DKR042, "FROM a:1\nEXPOSE 22\n", &[(2, 8)]);
        assert_findings(DKR042, "FROM a:1\nEXPOSE 80 22/tcp\n", &[(2, 11)]);
        assert_findings(DKR042, "FROM a:1\nARG SSH=22\nexpose ${SSH}\n", &[(3, 8)]);
        assert_findings(DKR042, "FROM a:1\nONBUILD EXPOSE 22\n", &[(2, 16)]);
        assert_findings(DKR042, "FROM a:1\nEXPOSE 20-25\n", &[(2, 8)]);
        // Not flagged: other ports, UDP, unresolvable variables.
        assert_findings(DKR042, "FROM a:1\nEXPOSE 2222 220 8022 22/udp\n", &[]);
        assert_findings(DKR042, "FROM a:1\nEXPOSE $PORT\n", &[]);
        assert_findings(DKR042, "FROM a:1\nRUN echo 22\nEXPOSE 8080\n", &[]);
    }

    #[test]
    fn variables_mounts_and_lookups() {
        // Programs behind variables are unknown; `command -v x` only looks `x` up.
        assert_findings(
            DKR020,
            "FROM a:1\nRUN ${SUDO} make && command -v sudo\n",
            &[],
        );
        assert_findings(
            DKR039,
            "FROM a:1\nRUN $EDITOR /etc/x && command -v top\n",
            &[],
        );
        assert_findings(
            DKR030,
            "FROM a:1\nRUN command -v wget || curl -fsSLO x\n",
            &[],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN curl $CURL_OPTS x && NODE_TLS_REJECT_UNAUTHORIZED=$V node x\n",
            &[],
        );
        assert_findings(
            DKR041,
            "FROM a:1\nRUN --mount=type=secret,id=pip pip install --index-url https://x y\n",
            &[],
        );
        // Mount flags do not shift the spans.
        let mounted =
            "FROM a:1\nRUN --mount=type=cache,target=/var/cache/apt sudo apt-get update\n";
        assert_findings(DKR020, mounted, &[(2, 46)]);
    }
}
