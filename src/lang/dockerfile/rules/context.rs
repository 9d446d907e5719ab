//! Build-context rules: what `COPY`/`ADD` take from the folder the image is built from, and the
//! `.dockerignore` that filters it.

use super::super::parse::{Instruction, Kind, Word};
use super::super::Ctx;
use crate::diagnostic::Findings;
use crate::registry::Code;
use std::path::{Path, PathBuf};

pub fn check(cx: &Ctx, out: &mut Findings) {
    // Neighbouring files are only known for a file on disk.
    let Some(dockerfile) = cx.lint.disk_path.as_deref() else {
        return;
    };
    let copies = context_copies(cx);
    if copies.is_empty() {
        return;
    }
    // Looked up (and read) once, for both rules.
    let ignore = find_dockerignore(dockerfile);
    missing_dockerignore(&copies, ignore.as_ref(), out);
    copy_ignored_file(&copies, ignore.as_ref(), out);
}

/// The COPY/ADD instructions that read the build context, with their source words: not
/// `--from` (another stage or image), not ONBUILD triggers (the child build's context), not
/// heredoc bodies.
fn context_copies<'a>(cx: &'a Ctx) -> Vec<(&'a Instruction, Vec<&'a Word>)> {
    cx.file
        .instructions
        .iter()
        .filter(|i| matches!(i.kind, Kind::Copy | Kind::Add) && i.flag("from").is_none())
        .filter_map(|inst| {
            let mut paths = inst.path_args();
            paths.pop()?;
            let sources = paths
                .into_iter()
                .filter(|w| !(w.value.contains("://") || w.value.starts_with("git@")))
                .collect();
            Some((inst, sources))
        })
        .collect()
}

/// A `.dockerignore` file: where it is and its patterns.
#[derive(Debug)]
pub struct DockerIgnore {
    pub path: PathBuf,
    patterns: Vec<Pattern>,
}

/// Finds the `.dockerignore` that applies to a Dockerfile: `<name>.dockerignore`, else
/// `.dockerignore`, in its folder or the nearest folder above, up to the repository root (the
/// folder holding `.git`) or the filesystem root. Reads only the file it returns.
pub fn find_dockerignore(dockerfile: &Path) -> Option<DockerIgnore> {
    let name = dockerfile.file_name()?.to_string_lossy().into_owned();
    let dir = match dockerfile.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    let specific = format!("{name}.dockerignore");
    let mut candidates = Vec::new();
    let mut current = Some(dir.as_path());
    while let Some(d) = current {
        candidates.push(d.join(&specific));
        candidates.push(d.join(".dockerignore"));
        if d.join(".git").exists() {
            break;
        }
        current = d.parent();
    }
    candidates.into_iter().find_map(|path| {
        if !path.is_file() {
            return None;
        }
        let bytes = std::fs::read(&path).ok()?;
        let text = String::from_utf8_lossy(&bytes);
        Some(DockerIgnore {
            patterns: parse_dockerignore(&text),
            path,
        })
    })
}

/// DKR025 missing-dockerignore: `COPY . …` sends the whole folder, and no `.dockerignore`
/// keeps `.git`, secrets and build output out of it.
fn missing_dockerignore(
    copies: &[(&Instruction, Vec<&Word>)],
    ignore: Option<&DockerIgnore>,
    out: &mut Findings,
) {
    if ignore.is_some() {
        return;
    }
    let whole = copies.iter().find_map(|(inst, sources)| {
        sources
            .iter()
            .find(|w| !w.value.contains('$') && context_path(&w.value).as_deref() == Some("."))
            .map(|w| (inst, w))
    });
    if let Some((inst, word)) = whole {
        let keyword = inst.kind.as_str();
        out.report(Code::DKR025, word.span.clone())
            .message(format!(
                "`{keyword} {}` copies the whole build context, and there is no `.dockerignore`: `.git`, local secrets and build output end up in the image",
                word.value
            ))
            .help("add a `.dockerignore` beside the Dockerfile (e.g. `.git`, `.env`, `node_modules`, build output)");
    }
}

/// DKR050 copy-ignored-file: COPY/ADD of a path that `.dockerignore` excludes, so the build
/// fails (or copies nothing).
fn copy_ignored_file(
    copies: &[(&Instruction, Vec<&Word>)],
    ignore: Option<&DockerIgnore>,
    out: &mut Findings,
) {
    let Some(ignore) = ignore else {
        return;
    };
    let file_name = ignore
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ".dockerignore".to_string());
    for (inst, sources) in copies {
        for word in sources {
            let v = &word.value;
            if v.contains('$') || v.contains(['*', '?', '[']) {
                continue;
            }
            let Some(path) = context_path(v) else {
                continue;
            };
            // `COPY . .` copies the folder minus its ignored files: fine.
            if path == "." {
                continue;
            }
            let Some(pattern) = ignore.excluding(&path) else {
                continue;
            };
            // An exception (`!dir/keep`) may bring back files below an excluded folder; a
            // plain file in the context (the folder holding `.dockerignore`) has none.
            let is_file = ignore
                .path
                .parent()
                .is_some_and(|context| context.join(&path).is_file());
            if !is_file && ignore.may_reinclude_below(&path) {
                continue;
            }
            let keyword = inst.kind.as_str();
            out.report(Code::DKR050, word.span.clone())
                .message(format!(
                    "`{keyword}` of `{v}`, which `{file_name}` excludes (line {}: `{}`): the build fails or copies nothing",
                    pattern.line, pattern.text
                ))
                .help(format!(
                    "remove the pattern from `{file_name}` (or add `!{path}`), or stop copying `{v}`"
                ));
        }
    }
}

/// A COPY source as a path relative to the context root (`./a/../b/` → `b`, `/x` → `x`,
/// `.` for the root itself); `None` when it leaves the context.
fn context_path(source: &str) -> Option<String> {
    let clean = clean_path(source.trim_start_matches('/'));
    if clean == ".." || clean.starts_with("../") {
        return None;
    }
    Some(clean)
}

/// Go's `filepath.Clean` for `/`-separated paths (the lexical rules Docker applies).
fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// How a pattern matches, as in moby/patternmatcher.
#[derive(Debug)]
enum Match {
    Exact,
    /// `dir/**`: anything below `dir/`.
    Prefix,
    /// `**/name`: anything ending in `/name`, or `name` itself.
    Suffix,
    Regex(regex::Regex),
}

#[derive(Debug)]
struct Pattern {
    /// The pattern as Docker cleans it (without `!`).
    cleaned: String,
    /// The line as written, for messages.
    text: String,
    line: usize,
    exception: bool,
    how: Match,
}

/// Reads `.dockerignore` lines the way Docker does: `#` comments, trimmed, `!` exceptions,
/// patterns cleaned and made relative (a leading `/` stripped).
fn parse_dockerignore(text: &str) -> Vec<Pattern> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = if n == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        if line.starts_with('#') {
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let (exception, rest) = match trimmed.strip_prefix('!') {
            Some(r) => (true, r.trim()),
            None => (false, trimmed),
        };
        if rest.is_empty() {
            // `!` alone: Docker rejects the file; nothing sensible to match.
            continue;
        }
        let mut cleaned = clean_path(rest);
        if cleaned.len() > 1 && cleaned.starts_with('/') {
            cleaned.remove(0);
        }
        if let Some(how) = compile(&cleaned) {
            out.push(Pattern {
                cleaned,
                text: trimmed.to_string(),
                line: n + 1,
                exception,
                how,
            });
        }
    }
    out
}

/// moby/patternmatcher's translation of a pattern: `*` and `?` stay within a path segment,
/// `**` spans segments, `\` escapes, `[…]` is a class.
fn compile(pattern: &str) -> Option<Match> {
    #[derive(PartialEq)]
    enum Kind {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let mut re = String::from("^");
    let mut kind = Kind::Exact;
    let mut chars = pattern.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let at_start = first;
        first = false;
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                }
                if chars.peek().is_none() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = Kind::Regex;
                }
                if at_start {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                kind = Kind::Regex;
            }
            '?' => {
                re.push_str("[^/]");
                kind = Kind::Regex;
            }
            '\\' => match chars.next() {
                Some(n) => {
                    re.push_str(&regex::escape(&n.to_string()));
                    kind = Kind::Regex;
                }
                None => re.push_str("\\\\"),
            },
            '[' | ']' => {
                re.push(c);
                kind = Kind::Regex;
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Some(match kind {
        Kind::Exact => Match::Exact,
        Kind::Prefix => Match::Prefix,
        Kind::Suffix => Match::Suffix,
        // A pattern Go would reject (bad class) matches nothing.
        Kind::Regex => Match::Regex(regex::Regex::new(&re).ok()?),
    })
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        let p = self.cleaned.as_str();
        match &self.how {
            Match::Exact => path == p,
            Match::Prefix => path.starts_with(p.get(..p.len().saturating_sub(2)).unwrap_or("")),
            Match::Suffix => {
                let suffix = p.get(2..).unwrap_or("");
                path.ends_with(suffix) || suffix.strip_prefix('/').is_some_and(|rest| path == rest)
            }
            Match::Regex(re) => re.is_match(path),
        }
    }

    /// The text before the first wildcard or escape.
    fn literal_prefix(&self) -> &str {
        let end = self
            .cleaned
            .find(['*', '?', '[', '\\'])
            .unwrap_or(self.cleaned.len());
        &self.cleaned[..end]
    }
}

impl DockerIgnore {
    /// The pattern that excludes `path` (relative, cleaned) or one of its parent folders, with
    /// the last matching pattern winning (moby's `MatchesOrParentMatches`).
    fn excluding(&self, path: &str) -> Option<&Pattern> {
        let parents: Vec<&str> = match path.rfind('/') {
            Some(i) => path[..i].split('/').collect(),
            None => Vec::new(),
        };
        let mut decided: Option<&Pattern> = None;
        for pattern in &self.patterns {
            let matched = decided.is_some();
            // An exclusion only matters while not excluded, an exception only once excluded.
            if pattern.exception != matched {
                continue;
            }
            let hit = pattern.matches(path)
                || (1..=parents.len()).any(|i| pattern.matches(&parents[..i].join("/")));
            if hit {
                decided = (!pattern.exception).then_some(pattern);
            }
        }
        decided
    }

    /// Whether an exception pattern could re-include something below folder `path`.
    fn may_reinclude_below(&self, path: &str) -> bool {
        let below = format!("{path}/");
        self.patterns.iter().filter(|p| p.exception).any(|p| {
            let prefix = p.literal_prefix();
            prefix.starts_with(&below) || below.starts_with(prefix)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::LintContext;
    use crate::registry::Code::{self, *};
    use crate::source::SourceFile;

    /// Lints `dockerfile` (a path inside a scratch folder holding `files`), returning the
    /// (line, column) of each `code` finding.
    fn lint_in(code: Code, files: &[(&str, &str)], dockerfile: &str) -> Vec<(u32, u32)> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        // A repository root, so the walk up stops inside the scratch folder.
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        let path = dir.path().join(dockerfile);
        let text = std::fs::read_to_string(&path).unwrap();
        let source = SourceFile::new(dockerfile, text.as_str());
        let ctx = LintContext {
            disk_path: Some(path),
            ..LintContext::default()
        };
        let out = super::super::super::lint(&source, &ctx);
        crate::lang::positions_of(&source, &out.diagnostics, code)
    }

    const NODE: &str = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";

    #[test]
    fn missing_dockerignore() {
        assert_eq!(
            lint_in(DKR025, &[("Dockerfile", NODE)], "Dockerfile"),
            [(3, 6)]
        );
        let add = "FROM node:20\nWORKDIR /app\nADD ./ /app/\nCOPY . .\n";
        assert_eq!(
            lint_in(DKR025, &[("Dockerfile", add)], "Dockerfile"),
            [(3, 5)]
        ); // first only
        let exec = "FROM node:20\nCOPY [\".\", \"/app\"]\n";
        assert_eq!(
            lint_in(DKR025, &[("Dockerfile", exec)], "Dockerfile"),
            [(2, 7)]
        );
        let nested = [
            ("svc/api/Dockerfile", NODE),
            ("other/.dockerignore", ".git\n"),
        ];
        assert_eq!(lint_in(DKR025, &nested, "svc/api/Dockerfile"), [(3, 6)]);
        // The walk stops at the repository root: a .dockerignore above it does not count.
        let outside = [
            ("repo/.git/HEAD", "ref: refs/heads/main\n"),
            ("repo/svc/Dockerfile", NODE),
            (".dockerignore", ".git\n"),
        ];
        assert_eq!(lint_in(DKR025, &outside, "repo/svc/Dockerfile"), [(3, 6)]);
        let at_root = [
            ("repo/.git/HEAD", "ref: refs/heads/main\n"),
            ("repo/svc/Dockerfile", NODE),
            ("repo/.dockerignore", ".git\n"),
        ];
        assert_eq!(lint_in(DKR025, &at_root, "repo/svc/Dockerfile"), []);
        // Not flagged: a .dockerignore beside it, above it, or named after the Dockerfile.
        let beside = [("Dockerfile", NODE), (".dockerignore", ".git\n")];
        assert_eq!(lint_in(DKR025, &beside, "Dockerfile"), []);
        let above = [("svc/api/Dockerfile", NODE), (".dockerignore", ".git\n")];
        assert_eq!(lint_in(DKR025, &above, "svc/api/Dockerfile"), []);
        let named = [
            ("app.Dockerfile", NODE),
            ("app.Dockerfile.dockerignore", ".git\n"),
        ];
        assert_eq!(lint_in(DKR025, &named, "app.Dockerfile"), []);
        // Not flagged: only some files copied, another stage's `.`, ONBUILD, stdin.
        let some = "FROM node:20\nWORKDIR /app\nCOPY package.json src/ ./\n";
        assert_eq!(lint_in(DKR025, &[("Dockerfile", some)], "Dockerfile"), []);
        let stage = "FROM node:20 AS b\nFROM nginx:1.25\nCOPY --from=b . /usr/share/nginx/html/\n";
        assert_eq!(lint_in(DKR025, &[("Dockerfile", stage)], "Dockerfile"), []);
        let onbuild = "FROM node:20\nONBUILD COPY . /app/\n";
        assert_eq!(
            lint_in(DKR025, &[("Dockerfile", onbuild)], "Dockerfile"),
            []
        );
        super::super::test_support::assert_findings(DKR025, NODE, &[]);
    }

    #[test]
    fn copy_ignored_file() {
        let ignore = "# local only\n.env\nnode_modules\n/build/\n*.md\n!README.md\nsecrets/**\n";
        let with = |df: &str| {
            lint_in(
                DKR050,
                &[("Dockerfile", df), (".dockerignore", ignore)],
                "Dockerfile",
            )
        };
        assert_eq!(with("FROM node:20\nCOPY .env /app/\n"), [(2, 6)]);
        assert_eq!(
            with("FROM node:20\nWORKDIR /app\nCOPY node_modules ./\n"),
            [(3, 6)]
        );
        assert_eq!(with("FROM node:20\nCOPY ./build/ /srv/\n"), [(2, 6)]); // leading / and ./
        assert_eq!(with("FROM node:20\nCOPY build/app.js /srv/\n"), [(2, 6)]); // parent excluded
        assert_eq!(with("FROM node:20\nCOPY CHANGES.md /srv/\n"), [(2, 6)]);
        assert_eq!(
            with("FROM node:20\nADD [\"secrets/key\", \"/k\"]\n"),
            [(2, 6)]
        );
        assert_eq!(
            with("FROM node:20\nCOPY package.json .env /app/\n"),
            [(2, 19)]
        );
        // A file cannot have files re-included below it; a folder may.
        let reinclude = "secret.txt\nconfig\n!**/*.example\n";
        let files = |df: &'static str| {
            [
                ("Dockerfile", df),
                (".dockerignore", reinclude),
                ("secret.txt", "x"),
                ("config/app.example", "x"),
            ]
        };
        let df = "FROM node:20\nCOPY secret.txt /srv/\n";
        assert_eq!(lint_in(DKR050, &files(df), "Dockerfile"), [(2, 6)]);
        let df = "FROM node:20\nCOPY config /srv/config/\n";
        assert_eq!(lint_in(DKR050, &files(df), "Dockerfile"), []);
        // Not flagged: the whole context, exceptions, nested look-alikes, other stages, vars.
        assert_eq!(with("FROM node:20\nCOPY . .\n"), []);
        assert_eq!(with("FROM node:20\nCOPY README.md /srv/\n"), []);
        assert_eq!(with("FROM node:20\nCOPY docs/guide.md /srv/\n"), []); // `*.md` is top level only
        assert_eq!(with("FROM node:20\nCOPY src/.env.example /srv/\n"), []);
        assert_eq!(
            with("FROM node:20 AS b\nFROM node:20\nCOPY --from=b node_modules /x/\n"),
            []
        );
        assert_eq!(with("FROM node:20\nARG F=.env\nCOPY $F /x\n"), []);
        assert_eq!(with("FROM node:20\nCOPY <<EOF /app/.env\nA=1\nEOF\n"), []);
        assert_eq!(with("FROM node:20\nONBUILD COPY .env /app/\n"), []);
        assert_eq!(with("FROM node:20\nCOPY *.md /srv/\n"), []);
        // Not flagged: no .dockerignore at all.
        assert_eq!(
            lint_in(
                DKR050,
                &[("Dockerfile", "FROM node:20\nCOPY .env /app/\n")],
                "Dockerfile"
            ),
            []
        );
    }

    #[test]
    fn dockerignore_matching() {
        let ig = |text: &str, path: &str| {
            let d = DockerIgnore {
                path: PathBuf::from(".dockerignore"),
                patterns: parse_dockerignore(text),
            };
            d.excluding(path).is_some()
        };
        assert!(ig("**/.env", ".env"));
        assert!(ig("**/.env", "a/b/.env"));
        assert!(ig("**/*.log", "a/x.log"));
        assert!(ig("**", "anything/at/all"));
        assert!(ig("a/**/b", "a/b"));
        assert!(ig("a/**/b", "a/x/y/b"));
        assert!(ig("dist/**", "dist/x"));
        assert!(ig("?.txt", "a.txt"));
        assert!(!ig("?.txt", "ab.txt"));
        assert!(ig("*/temp*", "x/temporary"));
        assert!(!ig("*/temp*", "x/y/temp"));
        assert!(ig("[ab].c", "b.c"));
        assert!(ig("  /lead  ", "lead"));
        assert!(ig("a/../b", "b"));
        assert!(!ig("#comment", "#comment"));
        assert!(ig("\\#literal", "#literal"));
        assert!(ig("*\n!keep\n", "other"));
        assert!(!ig("*\n!keep\n", "keep"));
        assert!(ig("*\n!keep\nkeep\n", "keep")); // last match wins
        assert!(!ig("x.txt\n! x.txt\n", "x.txt"));
        assert!(!ig("a+b(c)", "aab(c)")); // regex characters are literal
        assert!(ig("a+b(c)*", "a+b(c)d"));
        for odd in [
            "[",
            "[a-",
            "\\",
            "**/",
            "!",
            "!!x",
            "/",
            "a\\",
            "\u{feff}x",
            "é*",
        ] {
            let _ = ig(odd, "x");
            let _ = ig(odd, "a/b/c");
        }
        assert!(ig("\u{feff}.env", ".env")); // BOM on the first line
    }
}
