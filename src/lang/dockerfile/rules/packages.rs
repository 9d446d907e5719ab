//! Package-manager rules: how `apt-get`, `apk`, `pip`, `npm`, `yum`/`dnf`/`zypper`, `yarn`,
//! `gem`, `go install` and `useradd` are called inside RUN scripts (heredoc bodies and ONBUILD
//! triggers included).
//!
//! Each tool's arguments are read with that tool's own option syntax (which options take a
//! value), so `apt-get -o Debug::X=1 install` finds `install` and `apk add -t .deps gcc` knows
//! that `.deps` is no package. An exec-form RUN (`RUN ["apt-get", "install", "x"]`) is read as
//! one command line; `sh -c "…"` strings are not looked into. Fixes are offered for shell-form
//! RUNs only (an edit inside a JSON array would need JSON quoting).

use super::super::parse::{Form, Instruction, Kind, Stage, Word};
use super::super::shell::{is_assignment, Command, Op};
use super::super::Ctx;
use crate::diagnostic::{Edit, Findings};
use crate::registry::Code;
use std::borrow::Cow;

pub fn check(cx: &Ctx, out: &mut Findings) {
    let runs = runs(cx);
    for run in &runs {
        apt_no_install_recommends(cx, run, out);
        apt_lists_not_removed(cx, run, out);
        apk_no_cache(cx, run, out);
        pip_no_cache_dir(cx, run, out);
        npm_install_in_image(run, out);
        unpinned_package(run, out);
        missing_assume_yes(run, out);
        package_cache_not_cleaned(cx, run, out);
        apt_instead_of_apt_get(run, out);
        useradd_without_l(run, out);
        update_without_install(run, out);
    }
}

// ---------------------------------------------------------------------------------------------
// The RUN instructions and their commands

/// A RUN instruction (or an `ONBUILD RUN` trigger) with its commands.
struct Run<'a> {
    index: usize,
    inst: &'a Instruction,
    commands: Cow<'a, [Command]>,
    /// ONBUILD trigger: runs in a downstream build.
    trigger: bool,
}

impl Run<'_> {
    /// Edits are byte-exact only in shell form (heredoc bodies included).
    fn fixable(&self) -> bool {
        self.inst.form == Form::Shell
    }
}

fn runs<'a>(cx: &'a Ctx) -> Vec<Run<'a>> {
    cx.instructions_of(Kind::Run)
        .filter_map(|(index, inst)| {
            let trigger = cx
                .file
                .instructions
                .get(index)
                .is_some_and(|i| i.kind == Kind::Onbuild);
            let commands = match (&inst.form, &inst.script) {
                (Form::Exec { items, .. }, _) => Cow::Owned(vec![Command::from_exec(items)?]),
                (Form::Shell, Some(script)) if script.commands.iter().any(is_xargs) => {
                    Cow::Owned(script.commands.iter().map(unwrap_xargs).collect())
                }
                (Form::Shell, Some(script)) => Cow::Borrowed(script.commands.as_slice()),
                (Form::Shell, None) => return None,
            };
            Some(Run {
                index,
                inst,
                commands,
                trigger,
            })
        })
        .collect()
}

fn is_xargs(cmd: &Command) -> bool {
    cmd.program() == Some("xargs")
}

/// `xargs apt-get install -y < pkgs` runs `apt-get install -y …`: the command after xargs's own
/// options stands for the whole command (its packages come from stdin).
fn unwrap_xargs(cmd: &Command) -> Command {
    const TAKES_VALUE: &[&str] = &[
        "-a",
        "-d",
        "-E",
        "-e",
        "-I",
        "-i",
        "-L",
        "-l",
        "-n",
        "-P",
        "-s",
        "--arg-file",
        "--delimiter",
        "--eof",
        "--replace",
        "--max-lines",
        "--max-args",
        "--max-procs",
        "--max-chars",
        "--process-slot-var",
    ];
    let Some(start) = cmd.program_index().filter(|_| is_xargs(cmd)) else {
        return cmd.clone();
    };
    let mut i = start + 1;
    while let Some(w) = cmd.words.get(i) {
        let v = w.value.as_str();
        if !v.starts_with('-') {
            break;
        }
        i += if TAKES_VALUE.contains(&v) { 2 } else { 1 };
    }
    match cmd.words.get(i..) {
        Some(tail) if !tail.is_empty() => Command {
            words: tail.to_vec(),
            ..cmd.clone()
        },
        _ => cmd.clone(),
    }
}

/// Whether what this RUN leaves in its stage's filesystem ends up in the final image: the
/// stage is the final stage or one of its local ancestors (`FROM <stage>`). Files left in a
/// builder stage are thrown away (only what `COPY --from` picks is kept). ONBUILD triggers run
/// in some downstream image, so they always count. With `docker build --target` another stage
/// may be the output; the last stage is taken as the image.
fn reaches_final_image(cx: &Ctx, run: &Run) -> bool {
    if run.trigger {
        return true;
    }
    let file = cx.file;
    let (Some(stage), Some(last)) = (file.stage_of(run.index), file.final_stage()) else {
        return true;
    };
    let in_chain = |chain: &[&Stage]| chain.iter().any(|s| s.index == stage.index);
    let reaching = file.stage_chain(last);
    if in_chain(&reaching) {
        return true;
    }
    // `COPY --from=<stage> / …` in a stage of the image copies that stage's whole filesystem.
    reaching.iter().any(|s| {
        file.stage_instructions(s).iter().any(|inst| {
            let copies_root = || {
                let paths = inst.path_args();
                let sources = paths.len().saturating_sub(1);
                paths
                    .iter()
                    .take(sources)
                    .any(|p| matches!(p.value.as_str(), "/" | "/." | "/*"))
            };
            inst.kind == Kind::Copy
                && inst
                    .flag_value("from")
                    .and_then(|name| file.stage_named(name))
                    .is_some_and(|src| in_chain(&file.stage_chain(src)))
                && copies_root()
        })
    })
}

/// The targets of the RUN's `--mount=type=cache` flags.
fn cache_mount_targets(inst: &Instruction) -> Vec<String> {
    inst.flags
        .iter()
        .filter(|f| f.name == "mount")
        .filter_map(|f| f.value.as_ref())
        .filter_map(|v| {
            let parts: Vec<&str> = v.value.split(',').map(str::trim).collect();
            if !parts.contains(&"type=cache") {
                return None;
            }
            parts.iter().find_map(|p| {
                p.strip_prefix("target=")
                    .or_else(|| p.strip_prefix("dst="))
                    .or_else(|| p.strip_prefix("destination="))
                    .map(|t| t.trim_end_matches('/').to_string())
            })
        })
        .collect()
}

/// Whether a path operand (`/var/lib/apt/lists/*`, `/var/lib/apt/lists`) covers `dir`.
fn covers(operand: &str, dir: &str) -> bool {
    let t = operand.trim_end_matches(['*', '/']);
    !t.is_empty() && (t == dir || (t.starts_with(dir) && t[dir.len()..].starts_with('/')))
}

/// Whether a command deletes one of `dirs` (or something under it): `rm -rf <dir>/*`, or
/// `find <dir> … -delete` / `-exec rm`.
fn removes_any(cmd: &Command, dirs: &[&str]) -> bool {
    let hit = |w: &Word| dirs.iter().any(|d| covers(&w.value, d));
    match cmd.program() {
        Some("rm") => cmd.operands().any(hit),
        Some("find") => {
            cmd.args().first().is_some_and(hit)
                && cmd
                    .args()
                    .iter()
                    .any(|w| w.value == "-delete" || w.value == "rm")
        }
        _ => false,
    }
}

/// Whether `name` is assigned for this command only (`NAME=1 pip …`, `env NAME=1 pip …`).
fn assigned_for(cmd: &Command, name: &str) -> bool {
    let end = cmd.program_index().unwrap_or(0);
    cmd.words
        .get(..end)
        .unwrap_or(&[])
        .iter()
        .any(|w| is_assignment(&w.value) && w.value.split_once('=').is_some_and(|(n, _)| n == name))
}

// ---------------------------------------------------------------------------------------------
// Reading a tool's arguments

/// The options of a tool that take a value (`-o X`, `--option X`).
struct Syntax {
    short_val: &'static [char],
    long_val: &'static [&'static str],
}

const APT: Syntax = Syntax {
    short_val: &['o', 'c', 't', 'a'],
    long_val: &[
        "option",
        "config-file",
        "target-release",
        "default-release",
        "host-architecture",
    ],
};
const APK: Syntax = Syntax {
    short_val: &['X', 'p', 't'],
    long_val: &[
        "repository",
        "root",
        "keys-dir",
        "repositories-file",
        "virtual",
        "arch",
        "cache-dir",
        "cache-max-age",
        "progress-fd",
        "wait",
        "timeout",
    ],
};
const PIP: Syntax = Syntax {
    short_val: &['r', 'c', 'e', 't', 'i', 'f', 'C'],
    long_val: &[
        "requirement",
        "constraint",
        "editable",
        "target",
        "index-url",
        "extra-index-url",
        "find-links",
        "trusted-host",
        "root",
        "prefix",
        "src",
        "platform",
        "python-version",
        "implementation",
        "abi",
        "no-binary",
        "only-binary",
        "progress-bar",
        "upgrade-strategy",
        "config-settings",
        "global-option",
        "install-option",
        "build-option",
        "log",
        "proxy",
        "retries",
        "timeout",
        "exists-action",
        "cert",
        "client-cert",
        "cache-dir",
        "python",
        "report",
        "root-user-action",
        "use-feature",
        "use-deprecated",
        "keyring-provider",
    ],
};
const NPM: Syntax = Syntax {
    short_val: &['w', 'C'],
    long_val: &[
        "omit",
        "include",
        "prefix",
        "registry",
        "cache",
        "tag",
        "workspace",
        "loglevel",
        "userconfig",
        "globalconfig",
        "install-strategy",
        "before",
        "only",
        "also",
        "save-prefix",
        "script-shell",
        "fetch-retries",
        "fetch-timeout",
        "cpu",
        "os",
        "libc",
        "location",
    ],
};
const YARN: Syntax = Syntax {
    short_val: &[],
    long_val: &[
        "cache-folder",
        "modules-folder",
        "network-timeout",
        "registry",
        "mutex",
        "cwd",
    ],
};
const GEM: Syntax = Syntax {
    short_val: &['v', 'i', 'n', 's', 'p', 'P', 'g'],
    long_val: &[
        "version",
        "install-dir",
        "bindir",
        "document",
        "build-root",
        "source",
        "http-proxy",
        "trust-policy",
        "file",
        "platform",
        "config-file",
        "target-rbconfig",
    ],
};
const RPM: Syntax = Syntax {
    short_val: &['c', 'd', 'e', 'R', 'x'],
    long_val: &[
        "config",
        "debuglevel",
        "errorlevel",
        "randomwait",
        "exclude",
        "excludepkgs",
        "installroot",
        "enablerepo",
        "disablerepo",
        "setopt",
        "releasever",
        "repo",
        "repoid",
        "downloaddir",
        "destdir",
        "forcearch",
        "color",
        "comment",
        "rpmverbosity",
        "disableexcludes",
        "repofrompath",
    ],
};
const ZYPPER: Syntax = Syntax {
    short_val: &['R', 'c', 'D', 'C', 'r', 't'],
    long_val: &[
        "root",
        "config",
        "reposd-dir",
        "cache-dir",
        "raw-cache-dir",
        "solv-cache-dir",
        "pkg-cache-dir",
        "userdata",
        "repo",
        "type",
        "from",
        "download",
    ],
};
const USERADD: Syntax = Syntax {
    short_val: &[
        'u', 'g', 'G', 'd', 's', 'c', 'k', 'e', 'f', 'K', 'p', 'R', 'P', 'Z', 'b',
    ],
    long_val: &[
        "uid",
        "gid",
        "groups",
        "home-dir",
        "shell",
        "comment",
        "skel",
        "expiredate",
        "inactive",
        "key",
        "password",
        "root",
        "prefix",
        "selinux-user",
        "base-dir",
    ],
};

/// One argument as the tool reads it.
enum Item<'a> {
    Short(char, Option<String>),
    Long(&'a str, Option<String>),
    Operand(&'a Word),
}

/// Splits arguments into options (clusters `-qy` unpacked, values taken) and operands.
fn scan<'a>(args: &'a [Word], syntax: &Syntax) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut only_operands = false;
    while let Some(w) = args.get(i) {
        i += 1;
        let v = w.value.as_str();
        if only_operands || v == "-" || !v.starts_with('-') {
            out.push(Item::Operand(w));
            continue;
        }
        if v == "--" {
            only_operands = true;
            continue;
        }
        if let Some(long) = v.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) => out.push(Item::Long(name, Some(value.to_string()))),
                None if syntax.long_val.contains(&long) => {
                    out.push(Item::Long(long, args.get(i).map(|n| n.value.clone())));
                    i += 1;
                }
                None => out.push(Item::Long(long, None)),
            }
            continue;
        }
        let cluster = &v[1..];
        for (p, c) in cluster.char_indices() {
            let rest = &cluster[p + c.len_utf8()..];
            if let Some(value) = rest.strip_prefix('=') {
                // `-q=2`, `-o=Foo=bar`.
                out.push(Item::Short(c, Some(value.to_string())));
                break;
            }
            if syntax.short_val.contains(&c) {
                let value = if rest.is_empty() {
                    i += 1;
                    args.get(i - 1).map(|n| n.value.clone())
                } else {
                    Some(rest.to_string())
                };
                out.push(Item::Short(c, value));
                break;
            }
            out.push(Item::Short(c, None));
        }
    }
    out
}

/// A tool invocation: the command, its program name and its scanned arguments.
struct Call<'a> {
    /// Position of the command in the RUN's command list.
    pos: usize,
    cmd: &'a Command,
    tool: &'a str,
    items: Vec<Item<'a>>,
    /// Index in `items` of the subcommand (the first operand).
    sub: Option<usize>,
}

impl<'a> Call<'a> {
    fn new(pos: usize, cmd: &'a Command, tool: &'a str, args: &'a [Word], syntax: &Syntax) -> Self {
        let items = scan(args, syntax);
        let sub = items.iter().position(|i| matches!(i, Item::Operand(_)));
        Call {
            pos,
            cmd,
            tool,
            items,
            sub,
        }
    }

    fn sub_word(&self) -> Option<&'a Word> {
        match self.items.get(self.sub?)? {
            Item::Operand(w) => Some(w),
            _ => None,
        }
    }

    fn subcommand(&self) -> Option<&'a str> {
        self.sub_word().map(|w| w.value.as_str())
    }

    fn is_sub(&self, names: &[&str]) -> bool {
        self.subcommand().is_some_and(|s| names.contains(&s))
    }

    /// The options, with where they stand relative to the subcommand.
    fn options(&self) -> impl Iterator<Item = (bool, &Item<'a>)> {
        let sub = self.sub.unwrap_or(usize::MAX);
        self.items
            .iter()
            .enumerate()
            .filter(|(_, i)| !matches!(i, Item::Operand(_)))
            .map(move |(n, i)| (n < sub, i))
    }

    /// The value of the first matching option (`Some(None)` when it takes none).
    fn option(&self, short: &[char], long: &[&str]) -> Option<Option<&str>> {
        self.options().find_map(|(_, i)| match i {
            Item::Short(c, v) if short.contains(c) => Some(v.as_deref()),
            Item::Long(n, v) if long.contains(n) => Some(v.as_deref()),
            _ => None,
        })
    }

    fn has(&self, short: &[char], long: &[&str]) -> bool {
        self.option(short, long).is_some()
    }

    /// The operands after the subcommand (packages, usually).
    fn operands(&self) -> impl Iterator<Item = &'a Word> + '_ {
        let start = self.sub.map(|s| s + 1).unwrap_or(usize::MAX);
        self.items.iter().skip(start).filter_map(|i| match i {
            Item::Operand(w) => Some(*w),
            _ => None,
        })
    }
}

const APT_TOOLS: &[&str] = &["apt-get", "apt"];
const RPM_TOOLS: &[&str] = &["yum", "dnf", "dnf5", "microdnf"];

/// The invocations of the given tools in a RUN, with the tool's own option syntax.
fn calls<'a>(run: &'a Run, tools: &[&str]) -> Vec<Call<'a>> {
    let mut out = Vec::new();
    for (pos, cmd) in run.commands.iter().enumerate() {
        let Some(program) = cmd.program() else {
            continue;
        };
        if tools.contains(&"pip") {
            if let Some(args) = pip_args(cmd) {
                out.push(Call::new(pos, cmd, "pip", args, &PIP));
                continue;
            }
        }
        if !tools.contains(&program) {
            continue;
        }
        let syntax = match program {
            "apt-get" | "apt" => &APT,
            "apk" => &APK,
            "npm" => &NPM,
            "yarn" => &YARN,
            "gem" => &GEM,
            "yum" | "dnf" | "dnf5" | "microdnf" => &RPM,
            "zypper" => &ZYPPER,
            "useradd" => &USERADD,
            _ => &Syntax {
                short_val: &[],
                long_val: &[],
            },
        };
        let call = Call::new(pos, cmd, program, cmd.args(), syntax);
        // `apt-get -s install x` only prints what it would do.
        let simulated = matches!(program, "apt-get" | "apt")
            && call.has(
                &['s'],
                &["simulate", "dry-run", "just-print", "recon", "no-act"],
            );
        if !simulated {
            out.push(call);
        }
    }
    out
}

/// The arguments of `pip`/`pip3`/`pip3.12` or `python3 -m pip`.
fn pip_args(cmd: &Command) -> Option<&[Word]> {
    let program = cmd.program()?;
    let args = cmd.args();
    let is_versioned = |s: &str, base: &str| {
        s.strip_prefix(base)
            .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    if is_versioned(program, "pip") {
        return Some(args);
    }
    if is_versioned(program, "python") {
        // Interpreter switches (`-u`, `-I`, `-B`) may come before `-m pip`.
        let m = args
            .iter()
            .position(|w| !w.value.starts_with('-') || w.value == "-m")?;
        if args.get(m)?.value != "-m" {
            return None;
        }
        let module = args.get(m + 1)?;
        if module.value == "pip" || module.value == "pip3" {
            return args.get(m + 2..);
        }
    }
    None
}

/// The fix edit inserting ` text` right after a word.
fn insert_after(w: &Word, text: &str) -> Vec<Edit> {
    vec![Edit::insert(w.span.end, format!(" {text}"))]
}

// ---------------------------------------------------------------------------------------------
// The rules

/// DKR007 apt-no-install-recommends: `apt-get install` without `--no-install-recommends`.
/// A builder stage whose files never reach the final image is skipped: the recommended
/// packages are thrown away with it.
fn apt_no_install_recommends(cx: &Ctx, run: &Run, out: &mut Findings) {
    if !reaches_final_image(cx, run) {
        return;
    }
    for call in calls(run, APT_TOOLS) {
        if !call.is_sub(&["install"]) {
            continue;
        }
        let Some(sub) = call.sub_word() else {
            continue;
        };
        let off = |v: Option<&str>| {
            v.is_some_and(|v| {
                matches!(
                    v.to_ascii_lowercase().as_str(),
                    "false" | "0" | "no" | "off"
                )
            })
        };
        let configured = call.options().any(|(_, i)| match i {
            Item::Long("no-install-recommends", _) => true,
            Item::Long("install-recommends", v) => off(v.as_deref()),
            Item::Short('o', v) | Item::Long("option", v) => v
                .as_deref()
                .and_then(|v| v.split_once('='))
                .is_some_and(|(k, val)| {
                    k.eq_ignore_ascii_case("APT::Install-Recommends") && off(Some(val))
                }),
            _ => false,
        });
        if configured {
            continue;
        }
        let d = out
            .report(Code::DKR007, sub.span.clone())
            .message(format!(
                "`{} install` without `--no-install-recommends` also installs recommended packages",
                call.tool
            ))
            .help("add `--no-install-recommends` and list the packages you really need");
        if run.fixable() {
            d.fix_unsafe(
                "add `--no-install-recommends`",
                insert_after(sub, "--no-install-recommends"),
            );
        }
    }
}

const APT_LISTS: &[&str] = &["/var/lib/apt/lists", "/var/lib/apt"];

/// Whether a command is `apt-get dist-clean` / `apt dist-clean` (apt >= 2.7, Debian trixie,
/// Ubuntu noble): `clean` plus the removal of the package lists in `/var/lib/apt/lists`.
fn is_apt_dist_clean(cmd: &Command) -> bool {
    matches!(cmd.program(), Some("apt-get" | "apt"))
        && cmd
            .subcommand()
            .is_some_and(|w| matches!(w.value.as_str(), "dist-clean" | "distclean"))
}

/// DKR008 apt-lists-not-removed: `apt-get install` in a RUN that leaves `/var/lib/apt/lists`.
fn apt_lists_not_removed(cx: &Ctx, run: &Run, out: &mut Findings) {
    let installs: Vec<Call> = calls(run, APT_TOOLS)
        .into_iter()
        .filter(|c| c.is_sub(&["install"]))
        .collect();
    let (Some(first), Some(last)) = (installs.first(), installs.last()) else {
        return;
    };
    if run.inst.has_cache_mount_on("/var/lib/apt") || !reaches_final_image(cx, run) {
        return;
    }
    let removed = run
        .commands
        .iter()
        .skip(last.pos + 1)
        .any(|c| removes_any(c, APT_LISTS) || is_apt_dist_clean(c));
    if removed {
        return;
    }
    let Some(sub) = first.sub_word() else {
        return;
    };
    let d = out
        .report(Code::DKR008, sub.span.clone())
        .message(format!(
            "`{} install` leaves the package lists in `/var/lib/apt/lists` in this layer",
            first.tool
        ))
        .help("end the same RUN with `&& rm -rf /var/lib/apt/lists/*` (or use a cache mount on /var/lib/apt)");
    if let Some(at) = append_point(run) {
        d.fix_unsafe(
            "append `&& rm -rf /var/lib/apt/lists/*`",
            vec![Edit::insert(at, " && rm -rf /var/lib/apt/lists/*")],
        );
    }
}

/// Where ` && cmd` can be appended so that it runs after the whole RUN: a one-line shell-form
/// script (no heredoc) whose last command ends the text (no `;`, `&`, `fi`, `)`, redirection or
/// comment after it).
fn append_point(run: &Run) -> Option<u32> {
    if !run.fixable() || !run.inst.heredocs.is_empty() {
        return None;
    }
    let last = run.commands.last()?;
    // Appended to a script with an open quote or substitution, the command would be part of it.
    if !crate::lang::dockerfile::shell::is_balanced(run.inst.args_text()) {
        return None;
    }
    let ends_script = matches!(last.op_after, Op::Newline | Op::Start)
        && last.span.end == run.inst.args_span().end
        && last.redirects.is_empty()
        && last.program() != Some("exit");
    ends_script.then_some(last.span.end)
}

/// DKR009 apk-no-cache: `apk add` without `--no-cache`.
fn apk_no_cache(cx: &Ctx, run: &Run, out: &mut Findings) {
    let mounted = cache_mount_targets(run.inst)
        .iter()
        .any(|t| covers(t, "/var/cache/apk") || covers(t, "/etc/apk/cache"));
    if mounted || !reaches_final_image(cx, run) {
        return;
    }
    for call in calls(run, &["apk"]) {
        if !call.is_sub(&["add"]) || call.has(&[], &["no-cache"]) {
            continue;
        }
        let cleaned = run
            .commands
            .iter()
            .skip(call.pos + 1)
            .any(|c| removes_any(c, &["/var/cache/apk"]));
        let Some(sub) = call.sub_word() else {
            continue;
        };
        if cleaned {
            continue;
        }
        let d = out
            .report(Code::DKR009, sub.span.clone())
            .message("`apk add` without `--no-cache` keeps the package index in the image")
            .help("use `apk add --no-cache …`");
        if run.fixable() {
            d.fix_safe("add `--no-cache`", insert_after(sub, "--no-cache"));
        }
    }
}

/// DKR010 pip-no-cache-dir: `pip install` without `--no-cache-dir`.
fn pip_no_cache_dir(cx: &Ctx, run: &Run, out: &mut Findings) {
    let mounted = cache_mount_targets(run.inst)
        .iter()
        .any(|t| t.ends_with("/.cache") || t.ends_with("/.cache/pip") || t.contains("pip"));
    if mounted
        || !reaches_final_image(cx, run)
        || cx.file.scope_at(run.index).is_defined("PIP_NO_CACHE_DIR")
    {
        return;
    }
    for call in calls(run, &["pip"]) {
        if !call.is_sub(&["install"]) || call.has(&[], &["no-cache-dir"]) {
            continue;
        }
        let exported = run.commands.iter().take(call.pos).any(|c| {
            c.program() == Some("export")
                && c.args().iter().any(|w| {
                    w.value == "PIP_NO_CACHE_DIR" || w.value.starts_with("PIP_NO_CACHE_DIR=")
                })
        });
        if exported || assigned_for(call.cmd, "PIP_NO_CACHE_DIR") {
            continue;
        }
        let Some(sub) = call.sub_word() else {
            continue;
        };
        let d = out
            .report(Code::DKR010, sub.span.clone())
            .message(
                "`pip install` without `--no-cache-dir` keeps pip's download cache in the image",
            )
            .help("use `pip install --no-cache-dir …` (or a cache mount on /root/.cache/pip)");
        if run.fixable() {
            d.fix_safe("add `--no-cache-dir`", insert_after(sub, "--no-cache-dir"));
        }
    }
}

/// DKR011 npm-install-in-image: `npm install` of the project's dependencies instead of `npm ci`.
fn npm_install_in_image(run: &Run, out: &mut Findings) {
    for call in calls(run, &["npm"]) {
        if !call.is_sub(&["install", "i"]) || call.operands().next().is_some() {
            continue;
        }
        let global = call.has(&['g'], &["global"])
            || call.option(&[], &["location"]) == Some(Some("global"));
        let no_lockfile = call.has(&[], &["package-lock-only", "no-package-lock"])
            || call.option(&[], &["package-lock"]) == Some(Some("false"));
        if global || no_lockfile {
            continue;
        }
        let Some(sub) = call.sub_word() else {
            continue;
        };
        let d = out
            .report(Code::DKR011, sub.span.clone())
            .message(format!(
                "`npm {}` may resolve other versions than the lockfile",
                sub.value
            ))
            .help("use `npm ci` to install exactly what package-lock.json records");
        if run.fixable() {
            d.fix_unsafe(
                "replace with `npm ci` (needs a package-lock.json)",
                vec![Edit::replace(sub.span.clone(), "ci")],
            );
        }
    }
}

/// A word that is not a plain package name: a variable, a substitution, a glob.
fn is_dynamic(v: &str) -> bool {
    v.contains(['$', '`', '*', '?', '[', '{'])
}

/// DKR017 unpinned-package: packages installed without a version.
fn unpinned_package(run: &Run, out: &mut Findings) {
    let mut report = |w: &Word, tool: &str, how: &str| {
        out.report(Code::DKR017, w.span.clone())
            .message(format!(
                "`{}` is installed by {tool} without a version",
                w.value
            ))
            .help(format!("pin it: {how}"));
    };
    let tools = &["apt-get", "apt", "apk", "pip", "npm", "gem", "go"];
    for call in calls(run, tools) {
        match call.tool {
            "apt-get" | "apt" if call.is_sub(&["install"]) => {
                for w in call.operands() {
                    let v = w.value.as_str();
                    // `pkg=1.2`, `pkg/release`, `./x.deb`, `pkg-` (removal), variables.
                    if !v.contains(['=', '/'])
                        && !v.ends_with(".deb")
                        && !v.ends_with('-')
                        && !is_dynamic(v)
                    {
                        report(w, call.tool, "`pkg=version`");
                    }
                }
            }
            "apk" if call.is_sub(&["add"]) => {
                for w in call.operands() {
                    let v = w.value.as_str();
                    if !v.contains(['=', '<', '>', '~', '/'])
                        && !v.ends_with(".apk")
                        && !is_dynamic(v)
                    {
                        report(w, "apk", "`pkg=version` or `pkg~=1.2`");
                    }
                }
            }
            "pip" if call.is_sub(&["install"]) => {
                for w in call.operands() {
                    let v = w.value.as_str();
                    let local_or_url = v.starts_with(['.', '/', '~'])
                        || v.contains(['/', '\\'])
                        || [".whl", ".tar.gz", ".zip", ".tgz"]
                            .iter()
                            .any(|e| v.ends_with(e));
                    let pinned = v.contains(['=', '<', '>', '@', ';', '!']);
                    // Extras (`flask[async]`) are part of the name, not a glob.
                    let name = v.split('[').next().unwrap_or(v);
                    if !local_or_url && !pinned && !is_dynamic(name) {
                        report(
                            w,
                            "pip",
                            "`pkg==version`, or a requirements/constraints file",
                        );
                    }
                }
            }
            "npm" if call.is_sub(&["install", "i", "add"]) && call.has(&['g'], &["global"]) => {
                for w in call.operands() {
                    let v = w.value.as_str();
                    let (name, version) = match v.get(1..).and_then(|r| r.rfind('@')) {
                        Some(at) => (&v[..at + 1], &v[at + 2..]),
                        None => (v, ""),
                    };
                    let path_like = name.starts_with(['.', '/', '~'])
                        || (!name.starts_with('@') && name.contains('/'))
                        || name.contains(':')
                        || name.ends_with(".tgz");
                    if !path_like && !is_dynamic(v) && (version.is_empty() || version == "latest") {
                        report(w, "npm", "`pkg@version`");
                    }
                }
            }
            "gem" if call.is_sub(&["install"]) && !call.has(&['v'], &["version"]) => {
                for w in call.operands() {
                    let v = w.value.as_str();
                    if !v.contains([':', '/']) && !v.ends_with(".gem") && !is_dynamic(v) {
                        report(w, "gem", "`gem install pkg:version` or `-v version`");
                    }
                }
            }
            "go" if call.is_sub(&["install"]) => {
                // Without `@version`, `go install` builds what go.mod pins (and fails outside
                // a module), so only the moving versions are unpinned.
                for w in go_install_packages(call.cmd) {
                    let moving = w
                        .value
                        .rsplit_once('@')
                        .is_some_and(|(_, v)| matches!(v, "latest" | "master" | "main" | "HEAD"));
                    if moving {
                        report(w, "go install", "`pkg@v1.2.3`");
                    }
                }
            }
            _ => {}
        }
    }
}

/// The package operands of `go install` (Go flags are single-dash words: `-ldflags "-s"`).
fn go_install_packages(cmd: &Command) -> Vec<&Word> {
    const TAKES_VALUE: &[&str] = &[
        "C",
        "p",
        "mod",
        "tags",
        "ldflags",
        "gcflags",
        "asmflags",
        "buildmode",
        "compiler",
        "modfile",
        "overlay",
        "pkgdir",
        "toolexec",
        "pgo",
        "covermode",
        "coverpkg",
        "installsuffix",
        "gccgoflags",
    ];
    let args = cmd.args();
    let mut out = Vec::new();
    let mut seen_install = false;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let v = w.value.as_str();
        if let Some(flag) = v.strip_prefix('-') {
            let flag = flag.trim_start_matches('-');
            if !flag.contains('=') && TAKES_VALUE.contains(&flag) {
                i += 1;
            }
        } else if !seen_install {
            seen_install = v == "install";
            if !seen_install {
                return out;
            }
        } else {
            out.push(w);
        }
    }
    out
}

/// DKR028 missing-assume-yes: an install that would ask for confirmation.
fn missing_assume_yes(run: &Run, out: &mut Findings) {
    let tools = &["apt-get", "apt", "yum", "dnf", "dnf5", "zypper"];
    for call in calls(run, tools) {
        let (prompts, yes) = match call.tool {
            "apt-get" | "apt" => (
                call.is_sub(&[
                    "install",
                    "upgrade",
                    "dist-upgrade",
                    "full-upgrade",
                    "remove",
                    "purge",
                    "autoremove",
                    "build-dep",
                    "reinstall",
                ]),
                apt_assumes_yes(&call),
            ),
            "yum" | "dnf" | "dnf5" => (
                call.is_sub(&[
                    "install",
                    "localinstall",
                    "groupinstall",
                    "reinstall",
                    "remove",
                    "erase",
                    "downgrade",
                    "upgrade",
                    "update",
                    "autoremove",
                    "distro-sync",
                ]),
                call.has(&['y'], &["assumeyes", "yes"])
                    || call.options().any(|(_, i)| match i {
                        Item::Long("setopt", Some(v)) => {
                            matches!(
                                v.as_str(),
                                "assumeyes=1" | "assumeyes=True" | "assumeyes=true"
                            )
                        }
                        _ => false,
                    }),
            ),
            "zypper" => (
                call.is_sub(&[
                    "install",
                    "in",
                    "remove",
                    "rm",
                    "update",
                    "up",
                    "patch",
                    "dist-upgrade",
                    "dup",
                    "source-install",
                    "si",
                ]),
                // `-n` is the global `--non-interactive` only before the subcommand; after
                // `install` it is `--name`.
                call.options().any(|(before, i)| match i {
                    Item::Short('n', _) | Item::Long("non-interactive", _) => before,
                    Item::Short('y', _) | Item::Long("no-confirm", _) => !before,
                    _ => false,
                }),
            ),
            _ => (false, true),
        };
        if !prompts || yes || piped_from_yes(run, &call) {
            continue;
        }
        let Some(sub) = call.sub_word() else {
            continue;
        };
        let d = out
            .report(Code::DKR028, sub.span.clone())
            .message(format!(
                "`{} {}` without `-y` waits for a confirmation that a build cannot give",
                call.tool, sub.value
            ))
            .help("add `-y`");
        if run.fixable() {
            d.fix_safe("add `-y`", insert_after(sub, "-y"));
        }
    }
}

/// `-y`/`--yes`/`--assume-yes`, quiet level 2 (`-qq`, `-q=2`), or `-o APT::Get::Assume-Yes=true`.
fn apt_assumes_yes(call: &Call) -> bool {
    let mut quiet = 0u32;
    for (_, item) in call.options() {
        match item {
            Item::Short('y', _) | Item::Long("yes" | "assume-yes", _) => return true,
            Item::Short('q', None) | Item::Long("quiet", None) => quiet += 1,
            Item::Short('q', Some(v)) | Item::Long("quiet", Some(v)) => {
                quiet = quiet.max(v.parse().unwrap_or(0));
            }
            Item::Short('o', Some(v)) | Item::Long("option", Some(v)) => {
                if let Some((k, val)) = v.split_once('=') {
                    if k.eq_ignore_ascii_case("APT::Get::Assume-Yes")
                        && matches!(val.to_ascii_lowercase().as_str(), "true" | "1" | "yes")
                    {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    quiet >= 2
}

/// `yes | apt-get install …`
fn piped_from_yes(run: &Run, call: &Call) -> bool {
    call.cmd.op_before == Op::Pipe
        && call
            .pos
            .checked_sub(1)
            .and_then(|p| run.commands.get(p))
            .is_some_and(|c| c.program() == Some("yes"))
}

/// DKR029 package-cache-not-cleaned: yum/dnf/zypper/microdnf/yarn installs that keep their cache.
fn package_cache_not_cleaned(cx: &Ctx, run: &Run, out: &mut Findings) {
    if !reaches_final_image(cx, run) {
        return;
    }
    let mounts = cache_mount_targets(run.inst);
    let rpm_dirs = ["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"];
    let yarn_dirs = [
        "/usr/local/share/.cache/yarn",
        "/root/.cache/yarn",
        "/home/node/.cache/yarn",
        "/root/.yarn/berry/cache",
    ];
    for call in calls(run, &["yum", "dnf", "dnf5", "microdnf", "zypper", "yarn"]) {
        let later = || run.commands.iter().enumerate().skip(call.pos + 1);
        let (installs, cleaned, what) = match call.tool {
            "yum" | "dnf" | "dnf5" | "microdnf" => (
                call.is_sub(&[
                    "install",
                    "localinstall",
                    "groupinstall",
                    "reinstall",
                    "upgrade",
                    "update",
                    "downgrade",
                    "distro-sync",
                ]),
                mounts.iter().any(|t| rpm_dirs.iter().any(|d| covers(t, d)))
                    || later().any(|(p, c)| {
                        removes_any(c, &rpm_dirs)
                            || calls_at(run, p, RPM_TOOLS).is_some_and(|c| c.is_sub(&["clean"]))
                    }),
                format!("`{} clean all`", call.tool),
            ),
            "zypper" => (
                call.is_sub(&[
                    "install",
                    "in",
                    "update",
                    "up",
                    "patch",
                    "dist-upgrade",
                    "dup",
                ]),
                mounts.iter().any(|t| covers(t, "/var/cache/zypp"))
                    || later().any(|(p, c)| {
                        removes_any(c, &["/var/cache/zypp"])
                            || calls_at(run, p, &["zypper"])
                                .is_some_and(|c| c.is_sub(&["clean", "cc"]))
                    }),
                "`zypper clean`".to_string(),
            ),
            "yarn" => (
                // Bare `yarn` installs too, but `yarn --version` does not.
                (call.is_sub(&["install"])
                    || (call.sub.is_none() && !call.has(&['v', 'h'], &["version", "help"])))
                    && !call.has(&[], &["cache-folder"]),
                mounts.iter().any(|t| t.contains("yarn"))
                    || later().any(|(p, c)| {
                        removes_any(c, &yarn_dirs)
                            || calls_at(run, p, &["yarn"]).is_some_and(|c| {
                                c.is_sub(&["cache"])
                                    && c.operands().next().is_some_and(|w| w.value == "clean")
                            })
                    }),
                "`yarn cache clean`".to_string(),
            ),
            _ => (false, true, String::new()),
        };
        if !installs || cleaned {
            continue;
        }
        let Some(at) = call.sub_word().or_else(|| call.cmd.program_word()) else {
            continue;
        };
        out.report(Code::DKR029, at.span.clone())
            .message(format!(
                "`{}` leaves its package cache in the image",
                match call.subcommand() {
                    Some(sub) => format!("{} {sub}", call.tool),
                    None => call.tool.to_string(),
                }
            ))
            .help(format!(
                "run {what} at the end of the same RUN (or use a cache mount)"
            ));
    }
}

/// The invocation of one of `tools` at command position `pos`.
fn calls_at<'a>(run: &'a Run, pos: usize, tools: &[&str]) -> Option<Call<'a>> {
    calls(run, tools).into_iter().find(|c| c.pos == pos)
}

/// DKR033 apt-instead-of-apt-get: `apt` (the interactive front end) in a script.
fn apt_instead_of_apt_get(run: &Run, out: &mut Findings) {
    for call in calls(run, &["apt"]) {
        let Some(sub) = call.sub_word() else {
            continue;
        };
        let same_name = [
            "install",
            "update",
            "upgrade",
            "remove",
            "purge",
            "autoremove",
            "dist-upgrade",
            "clean",
            "autoclean",
        ];
        let renamed = sub.value == "full-upgrade";
        if !same_name.contains(&sub.value.as_str()) && !renamed {
            continue;
        }
        let Some(program) = call.cmd.program_word() else {
            continue;
        };
        let d = out
            .report(Code::DKR033, program.span.clone())
            .message(format!(
                "`apt {}`: `apt` is an interactive tool without a stable command-line interface",
                sub.value
            ))
            .help("use `apt-get` in scripts");
        if run.fixable() && program.raw.ends_with("apt") {
            let mut edits = vec![Edit::insert(program.span.end, "-get")];
            if renamed {
                edits.push(Edit::replace(sub.span.clone(), "dist-upgrade"));
            }
            d.fix_safe("use `apt-get`", edits);
        }
    }
}

/// DKR036 useradd-without-l: `useradd` with a UID of 6+ digits and no `-l`.
fn useradd_without_l(run: &Run, out: &mut Findings) {
    for call in calls(run, &["useradd"]) {
        let Some(Some(uid)) = call.option(&['u'], &["uid"]) else {
            continue;
        };
        let digits = uid.trim_start_matches('0');
        let high = !uid.is_empty() && uid.chars().all(|c| c.is_ascii_digit()) && digits.len() > 5;
        if !high || call.has(&['l'], &["no-log-init"]) {
            continue;
        }
        let Some(program) = call.cmd.program_word() else {
            continue;
        };
        let d = out
            .report(Code::DKR036, program.span.clone())
            .message(format!(
                "`useradd` with UID {uid} and without `-l` writes a huge sparse /var/log/lastlog and faillog into the layer"
            ))
            .help("add `-l` (`--no-log-init`)");
        if run.fixable() {
            d.fix_safe("add `-l`", insert_after(program, "-l"));
        }
    }
}

/// DKR046 update-without-install: a package index refresh with no install after it.
fn update_without_install(run: &Run, out: &mut Findings) {
    let families: [(&[&str], &[&str], &[&str]); 4] = [
        (
            APT_TOOLS,
            &["update"],
            &[
                "install",
                "upgrade",
                "dist-upgrade",
                "full-upgrade",
                "build-dep",
                "source",
                "reinstall",
                "satisfy",
                "download",
            ],
        ),
        (&["apk"], &["update"], &["add", "upgrade", "fix", "fetch"]),
        (
            RPM_TOOLS,
            &["makecache"],
            &[
                "install",
                "localinstall",
                "groupinstall",
                "reinstall",
                "upgrade",
                "update",
                "downgrade",
                "distro-sync",
                "builddep",
                "download",
                "group",
                "module",
            ],
        ),
        (
            &["zypper"],
            &["refresh", "ref"],
            &[
                "install",
                "in",
                "update",
                "up",
                "patch",
                "dist-upgrade",
                "dup",
                "source-install",
                "si",
            ],
        ),
    ];
    for (tools, updates, uses) in families {
        let all = calls(run, tools);
        for call in all.iter().filter(|c| c.is_sub(updates)) {
            if all.iter().any(|c| c.pos > call.pos && c.is_sub(uses)) {
                continue;
            }
            let Some(sub) = call.sub_word() else {
                continue;
            };
            out.report(Code::DKR046, sub.span.clone())
                .message(format!(
                    "`{} {}` without an install in the same RUN: the cached index layer goes stale",
                    call.tool, sub.value
                ))
                .help(format!(
                    "refresh and install in one RUN: `{} {} && {} …`",
                    call.tool, sub.value, call.tool
                ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_findings, assert_fixed, first_message};
    use crate::registry::Code::*;

    #[test]
    fn apt_no_install_recommends() {
        // Caught: plain, after assignments and sudo, inside if, in a heredoc, ONBUILD, exec form.
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN apt-get install -y curl\n",
            &[(2, 13)],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN DEBIAN_FRONTEND=noninteractive sudo apt-get -y install curl\n",
            &[(2, 52)],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN if [ -n \"$X\" ]; then apt-get install -y curl; fi\n",
            &[(2, 34)],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN <<EOF\napt-get install -y curl\nEOF\n",
            &[(3, 9)],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nONBUILD RUN apt-get install -y curl\n",
            &[(2, 21)],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN [\"apt-get\", \"install\", \"-y\", \"curl\"]\n",
            &[(2, 17)],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN apt install -y curl\n",
            &[(2, 9)],
        );
        // Not flagged: the option anywhere, the config option, quoted text, other subcommands.
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl\n",
            &[],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN apt-get --no-install-recommends -qy install curl\n",
            &[],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN apt-get -o APT::Install-Recommends=false install -y curl\n",
            &[],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN apt-get -oAPT::Install-Recommends=0 -y install curl\n",
            &[],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN echo \"apt-get install x\" && apt-get update\n",
            &[],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN apt-get -o Debug::pkgProblemResolver=yes update\n",
            &[],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN <<EOF\napt-get install -y --no-install-recommends curl\nEOF\n",
            &[],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN [\"apt-get\", \"install\", \"-y\", \"--no-install-recommends\", \"x\"]\n",
            &[],
        );
        assert_findings(
            DKR007,
            "FROM debian:12\nRUN apt-cache show curl && apt-get download curl\n",
            &[],
        );
        // Not flagged: a builder stage that is thrown away (only an artifact is copied).
        assert_findings(
            DKR007,
            "FROM ubuntu:24.04 AS chisel\nRUN apt-get update && apt-get install -y file\nFROM scratch\nCOPY --from=chisel /rootfs /\n",
            &[],
        );
        // Still caught: the final stage, a stage the final one is built from, a stage whose
        // whole filesystem is copied.
        assert_findings(
            DKR007,
            "FROM debian:12 AS base\nRUN apt-get install -y curl\nFROM base\nCMD [\"curl\"]\n",
            &[(2, 13)],
        );
        assert_findings(
            DKR007,
            "FROM debian:12 AS root\nRUN apt-get install -y curl\nFROM scratch\nCOPY --from=root / /\n",
            &[(2, 13)],
        );
        assert!(
            first_message(DKR007, "FROM debian:12\nRUN apt-get install -y curl\n")
                .is_some_and(|m| m.contains("apt-get install"))
        );
        assert_fixed(
            DKR007,
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
            "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y curl\n",
        );
        assert_fixed(
            DKR007,
            "FROM debian:12\nRUN <<EOF\napt-get install -y curl\nEOF\n",
            "FROM debian:12\nRUN <<EOF\napt-get install --no-install-recommends -y curl\nEOF\n",
        );
    }

    #[test]
    fn apt_lists_fix_never_lands_inside_an_open_quote() {
        // Found by the fix fuzzer: the appended `rm` ended inside the open backtick, so the
        // rule fired again after every round.
        let text = "FROM debian:12\nRUN apt-get install -y curl && echo `date && rm -rf /var/lib/apt/lists/*\n";
        let (_, diags) = super::super::test_support::lint_with(Default::default(), text);
        let d = diags
            .iter()
            .find(|d| d.code == DKR008)
            .expect("still reported");
        assert!(d.fix.is_none());
    }

    #[test]
    fn apt_lists_not_removed() {
        let ok_tail = " && rm -rf /var/lib/apt/lists/*";
        // Caught: no rm, rm before the install, final stage built from the stage, ONBUILD.
        assert_findings(
            DKR008,
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
            &[(2, 31)],
        );
        assert_findings(
            DKR008,
            "FROM debian:12\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y curl\n",
            &[(2, 62)],
        );
        assert_findings(
            DKR008,
            "FROM debian:12 AS base\nRUN apt-get install -y curl\nFROM base\nCMD [\"curl\"]\n",
            &[(2, 13)],
        );
        assert_findings(
            DKR008,
            "FROM debian:12\nONBUILD RUN apt-get install -y curl\n",
            &[(2, 21)],
        );
        assert_findings(
            DKR008,
            "FROM debian:12 AS root\nRUN apt-get install -y curl\nFROM scratch\nCOPY --from=root / /\n",
            &[(2, 13)],
        );
        assert_findings(
            DKR008,
            "FROM debian:12\nrun sudo apt-get -qy install curl\n",
            &[(2, 22)],
        );
        // Not flagged: removed after, parent folder removed, cache mount, builder stage, quoted.
        assert_findings(
            DKR008,
            &format!("FROM debian:12\nRUN apt-get update && apt-get install -y curl{ok_tail}\n"),
            &[],
        );
        assert_findings(
            DKR008,
            "FROM debian:12\nRUN apt-get update \\\n && apt-get -y install curl \\\n && apt-get clean \\\n && rm -rf /var/lib/apt/lists\n",
            &[],
        );
        assert_findings(
            DKR008,
            "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl\n",
            &[],
        );
        assert_findings(
            DKR008,
            "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y gcc\nFROM debian:12\nCOPY --from=build /out /out\n",
            &[],
        );
        assert_findings(
            DKR008,
            "FROM debian:12\nRUN <<EOF\nset -e\napt-get update\nif true; then apt-get -y install curl; fi\nrm -rf /var/lib/apt/lists/*\nEOF\n",
            &[],
        );
        assert_findings(
            DKR008,
            "FROM debian:12\nRUN echo 'apt-get install -y curl'\n",
            &[],
        );
        assert_findings(DKR008, "FROM debian:12\nRUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*\n", &[]);
        // `apt-get dist-clean` (apt >= 2.7) removes the lists; `clean` alone does not, and a
        // dist-clean before the install does not count.
        assert_findings(
            DKR008,
            "FROM debian:trixie\nRUN set -eux; apt-get update; apt-get install -y --no-install-recommends curl; apt-get dist-clean\n",
            &[],
        );
        assert_findings(
            DKR008,
            "FROM debian:trixie\nRUN apt update && apt install -y curl && apt distclean\n",
            &[],
        );
        assert_findings(
            DKR008,
            "FROM debian:trixie\nRUN apt-get update && apt-get install -y curl && apt-get clean\n",
            &[(2, 31)],
        );
        assert_findings(
            DKR008,
            "FROM debian:trixie\nRUN apt-get dist-clean && apt-get update && apt-get install -y curl\n",
            &[(2, 53)],
        );
        assert_fixed(
            DKR008,
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
        );
        assert_fixed(
            DKR008,
            "FROM debian:12\nRUN apt-get update \\\n    && apt-get install -y curl\n",
            "FROM debian:12\nRUN apt-get update \\\n    && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
        );
    }

    #[test]
    fn apt_lists_fix_only_where_it_appends_cleanly() {
        let no_fix = |text: &str| {
            let (_, diags) = super::super::test_support::lint_with(Default::default(), text);
            let d: Vec<_> = diags.iter().filter(|d| d.code == DKR008).collect();
            assert_eq!(d.len(), 1, "{text}");
            assert!(d[0].fix.is_none(), "{text}");
        };
        no_fix("FROM debian:12\nRUN if true; then apt-get install -y curl; fi\n");
        no_fix("FROM debian:12\nRUN apt-get install -y curl > /dev/null\n");
        no_fix("FROM debian:12\nRUN apt-get install -y curl;\n");
        no_fix("FROM debian:12\nRUN <<EOF\napt-get install -y curl\nEOF\n");
        no_fix("FROM debian:12\nRUN [\"apt-get\", \"install\", \"-y\", \"curl\"]\n");
    }

    #[test]
    fn apk_no_cache() {
        // Caught: plain, `--update`, sudo, heredoc, virtual package, exec form.
        assert_findings(DKR009, "FROM alpine:3.19\nRUN apk add curl\n", &[(2, 9)]);
        assert_findings(
            DKR009,
            "FROM alpine:3.19\nRUN apk --update add -t .deps gcc\n",
            &[(2, 18)],
        );
        assert_findings(
            DKR009,
            "FROM alpine:3.19\nRUN sudo apk -q add curl\n",
            &[(2, 17)],
        );
        assert_findings(
            DKR009,
            "FROM alpine:3.19\nRUN <<EOF\napk add curl\nEOF\n",
            &[(3, 5)],
        );
        assert_findings(
            DKR009,
            "FROM alpine:3.19\nRUN [\"apk\", \"add\", \"curl\"]\n",
            &[(2, 13)],
        );
        // Not flagged: --no-cache before or after add, cache removed after, cache mounts,
        // builder stage, quoted text, `apk update` alone (DKR046's business).
        assert_findings(
            DKR009,
            "FROM alpine:3.19\nRUN apk add --no-cache curl\n",
            &[],
        );
        assert_findings(
            DKR009,
            "FROM alpine:3.19\nRUN apk --no-cache -q add curl\n",
            &[],
        );
        assert_findings(
            DKR009,
            "FROM alpine:3.19\nRUN apk add -U curl && rm -rf /var/cache/apk/*\n",
            &[],
        );
        assert_findings(
            DKR009,
            "FROM alpine:3.19\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n",
            &[],
        );
        assert_findings(
            DKR009,
            "FROM alpine:3.19\nRUN --mount=type=cache,target=/etc/apk/cache apk add curl\n",
            &[],
        );
        assert_findings(
            DKR009,
            "FROM alpine:3.19 AS build\nRUN apk add gcc\nFROM alpine:3.19\nCOPY --from=build /x /x\n",
            &[],
        );
        assert_findings(DKR009, "FROM alpine:3.19\nRUN echo \"apk add curl\"\n", &[]);
        assert_findings(
            DKR009,
            "FROM alpine:3.19\nRUN if true; then apk add --no-cache curl; fi\n",
            &[],
        );
        assert_fixed(
            DKR009,
            "FROM alpine:3.19\nRUN apk add curl\n",
            "FROM alpine:3.19\nRUN apk add --no-cache curl\n",
        );
    }

    #[test]
    fn pip_no_cache_dir() {
        // Caught: pip, pip3, python -m pip, global options first, heredoc, upgrading pip.
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN pip install flask\n",
            &[(2, 9)],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN python3 -m pip install -r requirements.txt\n",
            &[(2, 20)],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN pip3 --disable-pip-version-check -q install flask\n",
            &[(2, 41)],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN <<EOF\npip install flask\nEOF\n",
            &[(3, 5)],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN pip install --upgrade pip\n",
            &[(2, 9)],
        );
        // Not flagged: the option, ENV/ARG/prefix/export PIP_NO_CACHE_DIR, cache mount,
        // builder stage, pip download/wheel, pipx, quoted text.
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN pip install --no-cache-dir flask\n",
            &[],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN pip --no-cache-dir install flask\n",
            &[],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n",
            &[],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nARG PIP_NO_CACHE_DIR=1\nRUN pip install flask\n",
            &[],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN PIP_NO_CACHE_DIR=1 pip install flask\n",
            &[],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN export PIP_NO_CACHE_DIR=1 && pip install flask\n",
            &[],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            &[],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12 AS build\nRUN pip wheel -w /w flask && pip install flask\nFROM python:3.12-slim\nCOPY --from=build /w /w\n",
            &[],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN pipx install black && pip download flask\n",
            &[],
        );
        assert_findings(
            DKR010,
            "FROM python:3.12\nRUN echo 'pip install flask'\n",
            &[],
        );
        assert_fixed(
            DKR010,
            "FROM python:3.12\nRUN python -m pip install flask\n",
            "FROM python:3.12\nRUN python -m pip install --no-cache-dir flask\n",
        );
    }

    #[test]
    fn npm_install_in_image() {
        // Caught: bare install, `i`, with flags, heredoc, options before the subcommand.
        assert_findings(DKR011, "FROM node:20\nRUN npm install\n", &[(2, 9)]);
        assert_findings(DKR011, "FROM node:20\nRUN npm i --omit dev\n", &[(2, 9)]);
        assert_findings(
            DKR011,
            "FROM node:20\nRUN <<EOF\nnpm install --production\nEOF\n",
            &[(3, 5)],
        );
        assert_findings(
            DKR011,
            "FROM node:20\nRUN npm --prefix /app install\n",
            &[(2, 23)],
        );
        // Not flagged: npm ci, named packages, -g, no lockfile wanted, quoted text.
        assert_findings(DKR011, "FROM node:20\nRUN npm ci --omit=dev\n", &[]);
        assert_findings(DKR011, "FROM node:20\nRUN npm install express@4\n", &[]);
        assert_findings(
            DKR011,
            "FROM node:20\nRUN npm install -g pnpm@9 && npm i --location=global yarn\n",
            &[],
        );
        assert_findings(
            DKR011,
            "FROM node:20\nRUN npm install --package-lock-only\n",
            &[],
        );
        assert_findings(DKR011, "FROM node:20\nRUN echo \"npm install\"\n", &[]);
        assert_fixed(
            DKR011,
            "FROM node:20\nRUN npm install\n",
            "FROM node:20\nRUN npm ci\n",
        );
    }

    #[test]
    fn unpinned_package() {
        // Caught: each unpinned word, per manager.
        assert_findings(
            DKR017,
            "FROM debian:12\nRUN apt-get install -y -t bookworm-backports curl git=1:2.39.2-1.1\n",
            &[(2, 46)],
        );
        assert_findings(
            DKR017,
            "FROM alpine:3.19\nRUN apk add --no-cache -t .deps gcc musl-dev=1.2.4-r2\n",
            &[(2, 33)],
        );
        assert_findings(
            DKR017,
            "FROM python:3.12\nRUN pip install -r req.txt flask django==5.0 'uvicorn[standard]'\n",
            &[(2, 28), (2, 46)],
        );
        assert_findings(
            DKR017,
            "FROM node:20\nRUN npm install -g @angular/cli pnpm@9 yarn@latest\n",
            &[(2, 20), (2, 40)],
        );
        assert_findings(
            DKR017,
            "FROM ruby:3.3\nRUN gem install bundler rails:7.1\n",
            &[(2, 17)],
        );
        assert_findings(
            DKR017,
            "FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@latest\n",
            &[(2, 16)],
        );
        // Not flagged: variables, .deb files, local paths, URLs, -v, go.mod-pinned go install.
        assert_findings(
            DKR017,
            "FROM debian:12\nRUN apt-get install -y $PKGS ./app.deb \"${EXTRA}\"\n",
            &[],
        );
        assert_findings(DKR017, "FROM python:3.12\nRUN pip install . -e ./lib https://x.io/a.whl dist/a-1.0.whl 'b>=2'\n", &[]);
        assert_findings(
            DKR017,
            "FROM ruby:3.3\nRUN gem install bundler -v 2.5.6\n",
            &[],
        );
        assert_findings(DKR017, "FROM golang:1.22\nRUN go install -ldflags '-s' ./cmd/app && go install example.com/x\n", &[]);
        assert_findings(DKR017, "FROM node:20\nRUN npm install express\n", &[]);
        assert_findings(
            DKR017,
            "FROM debian:12\nRUN echo 'apt-get install curl'\n",
            &[],
        );
        assert!(
            first_message(DKR017, "FROM alpine:3.19\nRUN apk add curl\n")
                .is_some_and(|m| m.contains("`curl`") && m.contains("apk"))
        );
    }

    #[test]
    fn missing_assume_yes() {
        // Caught: apt-get, yum, dnf, zypper; heredoc; sudo; `-n` after install is `--name`.
        assert_findings(
            DKR028,
            "FROM debian:12\nRUN apt-get install curl\n",
            &[(2, 13)],
        );
        assert_findings(
            DKR028,
            "FROM centos:7\nRUN yum install httpd && dnf -q upgrade\n",
            &[(2, 9), (2, 33)],
        );
        assert_findings(
            DKR028,
            "FROM opensuse/leap:15\nRUN zypper in -n vim\n",
            &[(2, 12)],
        );
        assert_findings(
            DKR028,
            "FROM debian:12\nRUN <<EOF\nsudo apt-get -q install curl\nEOF\n",
            &[(3, 17)],
        );
        assert_findings(
            DKR028,
            "FROM debian:12\nRUN [\"apt-get\", \"install\", \"curl\"]\n",
            &[(2, 17)],
        );
        // Not flagged: -y clustered or before, --yes, -qq, -q=2, zypper -n before, `yes |`,
        // microdnf, quoted, if/then.
        assert_findings(
            DKR028,
            "FROM debian:12\nRUN apt-get -qy install curl && apt-get install --yes git\n",
            &[],
        );
        assert_findings(
            DKR028,
            "FROM debian:12\nRUN apt-get -y install curl && apt-get -qq install git\n",
            &[],
        );
        assert_findings(
            DKR028,
            "FROM debian:12\nRUN apt-get -q=2 install curl && apt-get --assume-yes remove x\n",
            &[],
        );
        assert_findings(
            DKR028,
            "FROM opensuse/leap:15\nRUN zypper -n in vim && zypper install -y git\n",
            &[],
        );
        assert_findings(
            DKR028,
            "FROM debian:12\nRUN yes | apt-get install curl\n",
            &[],
        );
        assert_findings(
            DKR028,
            "FROM fedora:40\nRUN microdnf install vim && dnf install -y git\n",
            &[],
        );
        assert_findings(
            DKR028,
            "FROM debian:12\nRUN echo \"apt-get install x\"\n",
            &[],
        );
        assert_findings(
            DKR028,
            "FROM debian:12\nRUN if true; then apt-get install -y x; fi\n",
            &[],
        );
        assert_findings(
            DKR028,
            "FROM debian:12\nRUN [\"apt-get\", \"install\", \"-y\", \"curl\"]\n",
            &[],
        );
        assert_fixed(
            DKR028,
            "FROM centos:7\nRUN yum install httpd\n",
            "FROM centos:7\nRUN yum install -y httpd\n",
        );
    }

    #[test]
    fn package_cache_not_cleaned() {
        // Caught: yum, dnf, zypper, microdnf, yarn, bare yarn; clean before the install.
        assert_findings(
            DKR029,
            "FROM centos:7\nRUN yum install -y httpd\n",
            &[(2, 9)],
        );
        assert_findings(
            DKR029,
            "FROM fedora:40\nRUN dnf clean all && dnf -y install git\n",
            &[(2, 29)],
        );
        assert_findings(
            DKR029,
            "FROM opensuse/leap:15\nRUN zypper -n in vim\n",
            &[(2, 15)],
        );
        assert_findings(
            DKR029,
            "FROM ubi9/ubi-minimal\nRUN microdnf install -y vim\n",
            &[(2, 14)],
        );
        assert_findings(
            DKR029,
            "FROM node:20\nRUN yarn install --frozen-lockfile && yarn --production\n",
            &[(2, 10), (2, 39)],
        );
        // Not flagged: clean after, rm of the cache, cache mount, builder stage, quoted,
        // heredoc cleanup, exec form with clean impossible but builder.
        assert_findings(
            DKR029,
            "FROM centos:7\nRUN yum install -y httpd && yum clean all\n",
            &[],
        );
        assert_findings(
            DKR029,
            "FROM fedora:40\nRUN dnf -y install git && rm -rf /var/cache/dnf\n",
            &[],
        );
        assert_findings(
            DKR029,
            "FROM opensuse/leap:15\nRUN zypper -n in vim && zypper clean -a\n",
            &[],
        );
        assert_findings(
            DKR029,
            "FROM node:20\nRUN yarn install && yarn cache clean\n",
            &[],
        );
        assert_findings(
            DKR029,
            "FROM node:20\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n",
            &[],
        );
        assert_findings(
            DKR029,
            "FROM node:20 AS build\nRUN yarn install && yarn build\nFROM nginx:1.27\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
            &[],
        );
        assert_findings(
            DKR029,
            "FROM centos:7\nRUN <<EOF\nyum install -y httpd\nyum clean all\nEOF\n",
            &[],
        );
        assert_findings(DKR029, "FROM centos:7\nRUN echo 'yum install x'\n", &[]);
        assert!(first_message(DKR029, "FROM node:20\nRUN yarn\n")
            .is_some_and(|m| m.starts_with("`yarn`")));
    }

    #[test]
    fn apt_instead_of_apt_get() {
        // Caught: install, update, sudo, heredoc, path.
        assert_findings(
            DKR033,
            "FROM debian:12\nRUN apt update && apt install -y curl\n",
            &[(2, 5), (2, 19)],
        );
        assert_findings(
            DKR033,
            "FROM debian:12\nRUN sudo -E apt -y upgrade\n",
            &[(2, 13)],
        );
        assert_findings(
            DKR033,
            "FROM debian:12\nRUN <<EOF\n/usr/bin/apt full-upgrade -y\nEOF\n",
            &[(3, 1)],
        );
        // Not flagged: apt-get, apt-cache, apt-key, apt list/search/show, quoted text.
        assert_findings(
            DKR033,
            "FROM debian:12\nRUN apt-get update && apt-cache policy curl\n",
            &[],
        );
        assert_findings(
            DKR033,
            "FROM debian:12\nRUN apt list --installed && apt show curl && apt search x\n",
            &[],
        );
        assert_findings(
            DKR033,
            "FROM debian:12\nRUN apt-key add key.gpg && echo 'apt install x'\n",
            &[],
        );
        assert_findings(
            DKR033,
            "FROM debian:12\nRUN [\"apt-get\", \"install\", \"-y\", \"curl\"]\n",
            &[],
        );
        assert_fixed(
            DKR033,
            "FROM debian:12\nRUN apt update && apt -y full-upgrade\n",
            "FROM debian:12\nRUN apt-get update && apt-get -y dist-upgrade\n",
        );
    }

    #[test]
    fn useradd_without_l() {
        // Caught: -u, --uid=, attached -u, clustered.
        assert_findings(
            DKR036,
            "FROM debian:12\nRUN useradd -u 100000 app\n",
            &[(2, 5)],
        );
        assert_findings(
            DKR036,
            "FROM debian:12\nRUN groupadd -g 1001 app && sudo useradd --uid=1234567 -g app app\n",
            &[(2, 34)],
        );
        assert_findings(
            DKR036,
            "FROM debian:12\nRUN useradd -mu 200000 app\n",
            &[(2, 5)],
        );
        assert_findings(
            DKR036,
            "FROM debian:12\nRUN <<EOF\nuseradd -r -u 999999 app\nEOF\n",
            &[(3, 1)],
        );
        // Not flagged: -l, --no-log-init, clustered -lm, 5-digit UID, variables, a group name
        // containing `l`, quoted text.
        assert_findings(
            DKR036,
            "FROM debian:12\nRUN useradd -l -u 100000 app\n",
            &[],
        );
        assert_findings(
            DKR036,
            "FROM debian:12\nRUN useradd --no-log-init --uid 100000 app\n",
            &[],
        );
        assert_findings(DKR036, "FROM debian:12\nRUN useradd -lmu 100000 app\n", &[]);
        assert_findings(
            DKR036,
            "FROM debian:12\nRUN useradd -u 65535 app && useradd -u \"$UID\" b\n",
            &[],
        );
        assert_findings(
            DKR036,
            "FROM debian:12\nRUN echo 'useradd -u 100000 app'\n",
            &[],
        );
        assert_findings(
            DKR036,
            "FROM debian:12\nRUN useradd -gwheel -u 123456 app\n",
            &[(2, 5)],
        );
        assert_fixed(
            DKR036,
            "FROM debian:12\nRUN useradd -u 100000 app\n",
            "FROM debian:12\nRUN useradd -l -u 100000 app\n",
        );
    }

    #[test]
    fn simulated_apt_runs_are_ignored() {
        let text = "FROM debian:12\nRUN apt-get -s install curl && apt-get install --dry-run git\n";
        for code in [DKR007, DKR008, DKR017, DKR028] {
            assert_findings(code, text, &[]);
        }
    }

    /// The traps every rule must get right: clustered and early options, wrappers, `if`,
    /// heredocs, exec form, quoted text.
    #[test]
    fn no_findings_on_correct_commands_in_every_shape() {
        let cases: &[(crate::registry::Code, &str)] = &[
            (DKR008, "FROM debian:12 AS b\nRUN [\"apt-get\", \"install\", \"-y\", \"x\"]\nFROM debian:12\n"),
            (DKR008, "FROM debian:12\nRUN sudo apt-get -qy install x && sudo rm -rf /var/lib/apt/lists/*\n"),
            (DKR009, "FROM alpine:3.19\nRUN <<EOF\napk add --no-cache curl\nEOF\n"),
            (DKR009, "FROM alpine:3.19\nRUN [\"apk\", \"add\", \"--no-cache\", \"curl\"]\n"),
            (DKR009, "FROM alpine:3.19\nRUN sudo apk -q --no-cache add curl\n"),
            (DKR010, "FROM python:3.12\nRUN if true; then sudo pip -q install --no-cache-dir x; fi\n"),
            (DKR010, "FROM python:3.12\nRUN <<EOF\npip install --no-cache-dir x\nEOF\n"),
            (DKR010, "FROM python:3.12\nRUN [\"pip\", \"install\", \"--no-cache-dir\", \"x\"]\n"),
            (DKR010, "FROM python:3.12\nRUN env PIP_NO_CACHE_DIR=1 pip install x\n"),
            (DKR011, "FROM node:20\nRUN if true; then sudo npm ci; fi\n"),
            (DKR011, "FROM node:20\nRUN <<EOF\nnpm install -g npm@10\nEOF\n"),
            (DKR011, "FROM node:20\nRUN [\"npm\", \"ci\"]\n"),
            (DKR017, "FROM debian:12\nRUN sudo apt-get -qy install curl=7.88.1-10\n"),
            (DKR017, "FROM debian:12\nRUN if true; then apt-get install -y \"$PKG\"; fi\n"),
            (DKR017, "FROM alpine:3.19\nRUN <<EOF\napk add --no-cache curl=8.5.0-r0\nEOF\n"),
            (DKR017, "FROM python:3.12\nRUN [\"pip\", \"install\", \"flask==3.0.0\"]\n"),
            (DKR028, "FROM debian:12\nRUN <<EOF\napt-get -qy install curl\nEOF\n"),
            (DKR028, "FROM fedora:40\nRUN sudo dnf -qy install git && env A=1 yum --assumeyes install x\n"),
            (DKR029, "FROM centos:7\nRUN sudo yum -qy install x && sudo yum clean all\n"),
            (DKR029, "FROM centos:7\nRUN if true; then yum -y install x; fi && yum clean all\n"),
            (DKR029, "FROM node:20\nRUN [\"yarn\", \"--version\"]\n"),
            (DKR033, "FROM debian:12\nRUN sudo apt-get -qy install x && if true; then apt-get update; fi\n"),
            (DKR033, "FROM debian:12\nRUN <<EOF\napt-get -y install x\nEOF\n"),
            (DKR036, "FROM debian:12\nRUN if true; then sudo useradd -lu 100000 a; fi\n"),
            (DKR036, "FROM debian:12\nRUN <<EOF\nuseradd --no-log-init -u 100000 a\nEOF\n"),
            (DKR036, "FROM debian:12\nRUN [\"useradd\", \"-l\", \"-u\", \"100000\", \"a\"]\n"),
            (DKR046, "FROM debian:12\nRUN sudo apt-get -qq update && sudo apt-get -qqy install x\n"),
            (DKR046, "FROM debian:12\nRUN [\"apt-get\", \"install\", \"-y\", \"x\"]\n"),
        ];
        for (code, text) in cases {
            assert_findings(*code, text, &[]);
        }
    }

    #[test]
    fn update_without_install() {
        // Caught: apt-get, apt, apk, yum makecache, update after the last install.
        assert_findings(DKR046, "FROM debian:12\nRUN apt-get update\n", &[(2, 13)]);
        assert_findings(DKR046, "FROM alpine:3.19\nRUN apk update\n", &[(2, 9)]);
        assert_findings(DKR046, "FROM centos:7\nRUN yum -q makecache\n", &[(2, 12)]);
        assert_findings(
            DKR046,
            "FROM debian:12\nRUN apt-get install -y x && apt-get update\n",
            &[(2, 37)],
        );
        assert_findings(
            DKR046,
            "FROM debian:12\nONBUILD RUN sudo apt update\n",
            &[(2, 22)],
        );
        // Not flagged: install after, upgrade after, other manager irrelevant, quoted, heredoc.
        assert_findings(
            DKR046,
            "FROM debian:12\nRUN apt-get -q update && apt-get -qy install curl\n",
            &[],
        );
        assert_findings(
            DKR046,
            "FROM debian:12\nRUN apt-get update && apt-get -y dist-upgrade\n",
            &[],
        );
        assert_findings(
            DKR046,
            "FROM alpine:3.19\nRUN apk update && apk add curl\n",
            &[],
        );
        assert_findings(DKR046, "FROM debian:12\nRUN echo 'apt-get update'\n", &[]);
        assert_findings(
            DKR046,
            "FROM debian:12\nRUN <<EOF\napt-get update\nif true; then apt-get install -y curl; fi\nEOF\n",
            &[],
        );
        assert_findings(
            DKR046,
            "FROM debian:12\nRUN [\"apt-get\", \"update\"]\n",
            &[(2, 17)],
        );
        // `xargs` runs the install.
        assert_findings(
            DKR046,
            "FROM debian:12\nRUN apt-get update && xargs -a pkgs.txt apt-get install -y\n",
            &[],
        );
        assert_findings(
            DKR028,
            "FROM debian:12\nRUN xargs -r apt-get install < pkgs.txt\n",
            &[(2, 22)],
        );
    }
}
