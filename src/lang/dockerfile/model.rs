//! What rules ask of a parsed Dockerfile beyond its instructions: image references, the chain
//! of local stages, and the ARG/ENV variables in scope (with BuildKit's expansion rules).

use super::parse::{Dockerfile, Instruction, Kind, Stage};
use std::collections::HashMap;

/// Build args that BuildKit defines without an `ARG` (proxies are passed to RUN as-is; the
/// platform args are defined in the global scope).
pub const PREDEFINED_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETSTAGE",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "SOURCE_DATE_EPOCH",
];

pub fn is_predefined_arg(name: &str) -> bool {
    PREDEFINED_ARGS.contains(&name) || name.starts_with("BUILDKIT_")
}

/// An image reference: `[registry/]repository[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub registry: Option<&'a str>,
    /// The path without the registry, e.g. `library/node` or `node`.
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub fn parse(image: &'a str) -> ImageRef<'a> {
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (image, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first), path)
            }
            _ => (None, rest),
        };
        let last_slash = path.rfind('/').map(|p| p + 1).unwrap_or(0);
        let (repository, tag) = match path[last_slash..].rfind(':') {
            Some(c) => (&path[..last_slash + c], Some(&path[last_slash + c + 1..])),
            None => (path, None),
        };
        ImageRef {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// The last path component: `node` for `docker.io/library/node`.
    pub fn name(&self) -> &'a str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(self.repository)
    }

    /// The registry as Docker resolves it (`docker.io` when none is written).
    pub fn effective_registry(&self) -> &'a str {
        self.registry.unwrap_or("docker.io")
    }
}

/// Variables in scope at one point: name → value (`None` for an `ARG` without a default).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    vars: HashMap<String, Option<String>>,
}

impl Scope {
    pub fn is_defined(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.vars.get(name).and_then(|v| v.as_deref())
    }

    pub fn set(&mut self, name: &str, value: Option<String>) {
        self.vars.insert(name.to_string(), value);
    }

    /// Expands `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}`, `${X:?m}` the way BuildKit
    /// does. `None` when a variable has no known value (so a rule must not guess).
    pub fn expand(&self, text: &str, escape: char) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == escape {
                if let Some(&(_, n)) = chars.peek() {
                    if n == '$' {
                        out.push('$');
                        chars.next();
                        continue;
                    }
                }
                out.push(c);
                continue;
            }
            if c != '$' {
                out.push(c);
                continue;
            }
            let rest = &text[i + 1..];
            if let Some(inner) = rest.strip_prefix('{') {
                let close = inner.find('}')?;
                let body = &inner[..close];
                out.push_str(&self.expand_braced(body, escape)?);
                // Skip `{body}`.
                let skip = close + 2;
                let target = i + 1 + skip;
                while chars.peek().is_some_and(|&(j, _)| j < target) {
                    chars.next();
                }
            } else {
                let len = rest
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(rest.len());
                if len == 0 {
                    out.push('$');
                    continue;
                }
                out.push_str(self.value(&rest[..len])?);
                let target = i + 1 + len;
                while chars.peek().is_some_and(|&(j, _)| j < target) {
                    chars.next();
                }
            }
        }
        Some(out)
    }

    fn expand_braced(&self, body: &str, escape: char) -> Option<String> {
        let name_len = body
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
            .unwrap_or(body.len());
        let name = &body[..name_len];
        let op = &body[name_len..];
        let value = self.value(name).filter(|v| !v.is_empty());
        let defined = self.is_defined(name);
        let (colon, op) = match op.strip_prefix(':') {
            Some(o) => (true, o),
            None => (false, op),
        };
        let set = if colon { value.is_some() } else { defined };
        match op.chars().next() {
            None => self.value(name).map(str::to_string),
            Some('-') => {
                if set {
                    self.value(name).map(str::to_string)
                } else {
                    self.expand(&op[1..], escape)
                }
            }
            Some('+') => {
                if set {
                    self.expand(&op[1..], escape)
                } else {
                    Some(String::new())
                }
            }
            Some('?') => self.value(name).map(str::to_string),
            _ => None,
        }
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }
}

/// Names of the variables a text refers to (`$X`, `${X…}`), with their byte ranges in `text`.
pub fn variable_refs(text: &str, escape: char) -> Vec<(std::ops::Range<usize>, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == escape as u8 {
            i += 2;
            continue;
        }
        if b == b'$' {
            let (start, braced) = if bytes.get(i + 1) == Some(&b'{') {
                (i + 2, true)
            } else {
                (i + 1, false)
            };
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            if end > start && !bytes[start].is_ascii_digit() {
                let close = if braced {
                    text[end..].find('}').map(|p| end + p + 1).unwrap_or(end)
                } else {
                    end
                };
                out.push((i..close, &text[start..end]));
                i = close;
                continue;
            }
        }
        i += 1;
    }
    out
}

impl Dockerfile {
    /// The global `ARG`s, declared before the first `FROM`.
    pub fn global_args(&self) -> Scope {
        let mut scope = Scope::default();
        for inst in &self.instructions {
            if inst.kind == Kind::From {
                break;
            }
            if inst.kind == Kind::Arg {
                for p in &inst.pairs {
                    // A default may refer to earlier global ARGs, as BuildKit expands it.
                    let value = p
                        .value
                        .as_ref()
                        .and_then(|v| scope.expand(&v.value, self.escape));
                    scope.set(&p.key.value, value);
                }
            }
        }
        for name in [
            "TARGETPLATFORM",
            "TARGETOS",
            "TARGETARCH",
            "BUILDPLATFORM",
            "BUILDOS",
            "BUILDARCH",
        ] {
            if !scope.is_defined(name) {
                scope.set(name, None);
            }
        }
        scope
    }

    /// The local stage a stage is built `FROM`, if its base image names an earlier stage.
    pub fn parent_stage(&self, stage: &Stage) -> Option<&Stage> {
        let image = stage.image.as_ref()?;
        let globals = self.global_args();
        let name = globals
            .expand(&image.value, self.escape)
            .unwrap_or_else(|| image.value.clone());
        self.stages[..stage.index].iter().rev().find(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.value.eq_ignore_ascii_case(&name))
        })
    }

    /// The stage and its local ancestors, from the stage itself up to the root.
    pub fn stage_chain<'a>(&'a self, stage: &'a Stage) -> Vec<&'a Stage> {
        let mut chain = vec![stage];
        let mut current = stage;
        while let Some(parent) = self.parent_stage(current) {
            if chain.iter().any(|s| s.index == parent.index) {
                break;
            }
            chain.push(parent);
            current = parent;
        }
        chain
    }

    /// The base image of a stage after following local stages and expanding global ARGs:
    /// `None` when it cannot be resolved.
    pub fn resolved_base_image(&self, stage: &Stage) -> Option<String> {
        let root = *self.stage_chain(stage).last()?;
        let image = root.image.as_ref()?;
        self.global_args().expand(&image.value, self.escape)
    }

    /// The variables in scope just before instruction `index`: global ARGs for a `FROM`;
    /// inside a stage, the ARGs and ENVs declared before it in the stage and the ENVs of the
    /// local stages it is built from.
    pub fn scope_at(&self, index: usize) -> Scope {
        let Some(stage) = self.stage_of(index) else {
            return self.global_args();
        };
        if index == stage.from {
            return self.global_args();
        }
        let globals = self.global_args();
        let mut scope = Scope::default();
        // ENV (not ARG) is inherited from local parent stages, root first.
        let chain = self.stage_chain(stage);
        for parent in chain.iter().skip(1).rev() {
            for inst in self.stage_instructions(parent) {
                if inst.kind == Kind::Env {
                    apply(&mut scope, inst, &globals, self.escape, false);
                }
            }
        }
        for inst in &self.instructions[stage.from + 1..index.min(stage.instructions.end)] {
            apply(&mut scope, inst, &globals, self.escape, true);
        }
        scope
    }

    /// Names declared as global ARGs but not visible at `index` (not re-declared in the stage):
    /// using them there expands to an empty string.
    pub fn undeclared_globals_at(&self, index: usize) -> Vec<String> {
        let scope = self.scope_at(index);
        self.global_args()
            .names()
            .filter(|n| !scope.is_defined(n) && !is_predefined_arg(n))
            .map(str::to_string)
            .collect()
    }
}

fn apply(scope: &mut Scope, inst: &Instruction, globals: &Scope, escape: char, with_args: bool) {
    match inst.kind {
        Kind::Env => {
            // Values refer to the scope before this instruction.
            let before = scope.clone();
            for p in &inst.pairs {
                let value = p
                    .value
                    .as_ref()
                    .and_then(|v| before.expand(&v.value, escape));
                scope.set(&p.key.value, value);
            }
        }
        Kind::Arg if with_args => {
            for p in &inst.pairs {
                let value = match &p.value {
                    Some(v) => scope.expand(&v.value, escape),
                    // `ARG NAME` re-declares a global ARG with its default.
                    None => globals.value(&p.key.value).map(str::to_string),
                };
                if !scope.is_defined(&p.key.value) || value.is_some() {
                    scope.set(&p.key.value, value);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::dockerfile::parse::parse;

    #[test]
    fn image_refs() {
        let r = ImageRef::parse("registry.example.com:5000/team/app:1.2@sha256:ab");
        assert_eq!(r.registry, Some("registry.example.com:5000"));
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag, Some("1.2"));
        assert_eq!(r.digest, Some("sha256:ab"));
        let r = ImageRef::parse("node");
        assert_eq!((r.registry, r.repository, r.tag), (None, "node", None));
        assert_eq!(r.effective_registry(), "docker.io");
        let r = ImageRef::parse("localhost/x:latest");
        assert_eq!((r.registry, r.tag), (Some("localhost"), Some("latest")));
    }

    #[test]
    fn expansion() {
        let mut s = Scope::default();
        s.set("A", Some("1".into()));
        s.set("E", Some(String::new()));
        s.set("U", None);
        assert_eq!(s.expand("x$A-${A}", '\\').as_deref(), Some("x1-1"));
        assert_eq!(s.expand("${E:-d}", '\\').as_deref(), Some("d"));
        assert_eq!(s.expand("${E-d}", '\\').as_deref(), Some(""));
        assert_eq!(s.expand("${A:+yes}", '\\').as_deref(), Some("yes"));
        assert_eq!(
            s.expand("${NOPE:-debian:12}", '\\').as_deref(),
            Some("debian:12")
        );
        assert_eq!(s.expand("$U", '\\'), None);
        assert_eq!(s.expand("$NOPE", '\\'), None);
        assert_eq!(s.expand("\\$A", '\\').as_deref(), Some("$A"));
    }

    #[test]
    fn global_arg_defaults_refer_to_earlier_args() {
        let f = parse("ARG REGISTRY=quay.io\nARG OWNER=jupyter\nARG BASE=$REGISTRY/${OWNER}/scipy-notebook\nFROM $BASE\n");
        assert_eq!(
            f.resolved_base_image(&f.stages[0]).as_deref(),
            Some("quay.io/jupyter/scipy-notebook")
        );
        let f = parse("ARG BASE=$UNSET/x\nFROM $BASE\n");
        assert_eq!(f.resolved_base_image(&f.stages[0]), None);
    }

    #[test]
    fn scopes_and_stages() {
        let f = parse(
            "ARG BASE=node:20\nARG V=1\nFROM $BASE AS build\nENV P=/opt\nARG V\nRUN echo $V\nFROM build\nRUN echo $P\nFROM alpine:3\nRUN echo $V\n",
        );
        assert_eq!(
            f.resolved_base_image(&f.stages[1]).as_deref(),
            Some("node:20")
        );
        assert_eq!(f.parent_stage(&f.stages[1]).map(|s| s.index), Some(0));
        let at_run1 = f.scope_at(5);
        assert_eq!(at_run1.value("V"), Some("1"));
        assert_eq!(f.scope_at(7).value("P"), Some("/opt"));
        assert!(!f.scope_at(7).is_defined("V"));
        let undeclared = f.undeclared_globals_at(9);
        assert!(undeclared.contains(&"V".to_string()) && undeclared.contains(&"BASE".to_string()));
    }
}
