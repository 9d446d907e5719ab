//! The nginx engine: a lossless parser mirroring nginx's tokenizer ([`parse`]), the directive
//! table ([`directives`]), the file's context (full config or fragment, and where a fragment
//! stands), and the rules.

pub mod config_set;
pub mod directives;
pub mod parse;
pub mod rules;
mod secrets;
pub mod variables;

use super::{Comment, LintContext, LintOutput};
use crate::diagnostic::Findings;
use crate::registry::Code;
use crate::source::SourceFile;
use directives::ctx;
use parse::{Config, Directive};

/// Where the top level of a file stands, and how we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileContext {
    /// A bit of [`directives::ctx`]: `MAIN` for a full config, `HTTP`, `HTTP_SERVER`,
    /// `HTTP_LOCATION`, `STREAM`… for a fragment; 0 for a fragment of data lines (included
    /// into a `map`/`geo`/`types` body, or made only of such lines).
    pub base: u32,
    /// How the context was found.
    pub source: ContextSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextSource {
    /// A full configuration: `http`/`events`/`stream`/`mail` blocks or main-only directives
    /// at its top level.
    FullConfig,
    /// A `# opslint: context=…` comment in the file.
    Comment,
    /// Where a configuration of the same set includes it.
    Included,
    /// Guessed from the directives at its top level: rules that depend on the exact context
    /// (NGX003) stay silent.
    Guessed,
}

impl FileContext {
    /// Whether the context is known rather than guessed.
    pub fn is_known(&self) -> bool {
        self.source != ContextSource::Guessed
    }

    /// Whether the file is a complete configuration (not a fragment).
    pub fn is_full_config(&self) -> bool {
        self.source == ContextSource::FullConfig
    }
}

/// What a rule sees: the parsed file, its text, the run's options and the file's context.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub source: &'a SourceFile,
    pub lint: &'a LintContext,
    pub context: FileContext,
    /// The configuration set the file belongs to (its root, the files the includes reach);
    /// `None` on stdin and for embedded texts.
    pub set: Option<&'a config_set::ConfigSet>,
}

impl Ctx<'_> {
    /// The folder relative includes start from: the prefix or the root config's folder.
    pub fn root_dir(&self) -> Option<&std::path::Path> {
        self.set
            .and_then(|s| s.roots.first())
            .map(std::path::PathBuf::as_path)
    }

    /// What is in scope for `name` at a spot whose enclosing block directives are
    /// `parents` (outermost first): see [`config_set::ConfigSet::in_scope`]. Without a set
    /// (stdin), only this file's levels are searched.
    pub fn in_scope<'a>(
        &'a self,
        parents: &[&'a Directive],
        name: &str,
    ) -> Vec<config_set::Found<'a>> {
        if let Some(set) = self.set {
            return set.in_scope(&self.config.directives, parents, name);
        }
        let levels = parents
            .iter()
            .rev()
            .map(|p| p.children())
            .chain(std::iter::once(self.config.directives.as_slice()));
        for list in levels {
            let found: Vec<config_set::Found<'a>> = list
                .iter()
                .filter(|d| d.name == name)
                .map(|d| config_set::Found {
                    directive: d,
                    file: None,
                })
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    /// The zones (`limit_req_zone`, `limit_conn_zone`, `*_cache_path keys_zone=`, upstream
    /// names and `zone`s) defined in the whole configuration set, or in this file alone on
    /// stdin.
    pub fn zones(&self) -> config_set::Zones {
        match self.set {
            Some(set) => set.zones().clone(),
            None => config_set::zones_of(self.config),
        }
    }

    /// Every directive named `name` in the whole configuration set (this file's own ones with
    /// `file: None`), or in this file alone on stdin: `upstream` blocks, `map`s, `set`s…
    pub fn everywhere<'a>(&'a self, name: &str) -> Vec<config_set::Found<'a>> {
        let mut out = Vec::new();
        self.config.walk(ctx::MAIN, |v| {
            if v.directive.name == name {
                out.push(config_set::Found {
                    directive: v.directive,
                    file: None,
                });
            }
        });
        if let Some(set) = self.set {
            for (i, f) in set.files.iter().enumerate() {
                if i == set.linted {
                    continue;
                }
                f.config.walk(ctx::MAIN, |v| {
                    if v.directive.name == name {
                        out.push(config_set::Found {
                            directive: v.directive,
                            file: Some(f.path.as_path()),
                        });
                    }
                });
            }
        }
        out
    }

    /// Whether what the file cannot see may exist elsewhere: a fragment no root includes, or
    /// an include that did not resolve. Rules about something missing stay silent then.
    pub fn may_be_incomplete(&self) -> bool {
        match self.set {
            Some(set) => !set.complete || (!set.included && !self.context.is_full_config()),
            None => !self.context.is_full_config() || has_include(self.config),
        }
    }

    /// The text of a span in the file.
    pub fn text(&self, span: &crate::diagnostic::Span) -> &str {
        self.source.slice(span)
    }

    /// Every directive of the file with its parents and nginx context, from the file's base
    /// context (see [`Config::walk`]).
    pub fn walk<'a>(&'a self, f: impl FnMut(&parse::Visit<'a, '_>)) {
        self.config.walk(self.context.base, f);
    }
}

pub fn lint(source: &SourceFile, ctx: &LintContext) -> LintOutput {
    let config = parse::parse(&source.text);
    let mut out = Findings::new();
    let template = if config.errors.is_empty() {
        None
    } else {
        template_line(&source.text)
    };
    if let Some((at, marker)) = &template {
        // A template (Jinja, Go, ERB…) saved under an nginx name: one finding, not one per
        // line, and no other rule (what they would see is not the config nginx reads).
        out.report(Code::NGX001, at.clone())
            .message(format!(
                "template syntax (`{marker}`): this is a template, not an nginx config nginx can read"
            ))
            .help("lint the rendered configuration instead");
    }
    for e in config.errors.iter().filter(|_| template.is_none()) {
        let d = out
            .report(Code::NGX001, e.span.clone())
            .message(e.message.clone());
        if let Some((span, text)) = &e.label {
            d.label(span.clone(), text.clone());
        }
    }
    let mut context = file_context(&config, source);
    let set = match &ctx.disk_path {
        Some(path) if ctx.embedded_depth == 0 => Some(config_set::ConfigSet::for_file(
            path,
            &config,
            context.base,
            ctx.options.nginx_prefix.as_deref(),
            &ctx.cache,
        )),
        _ => None,
    };
    if let Some(s) = set.as_ref().filter(|s| s.included) {
        context = FileContext {
            base: s.context(),
            source: ContextSource::Included,
        };
    }
    let cx = Ctx {
        config: &config,
        source,
        lint: ctx,
        context,
        set: set.as_ref(),
    };
    if template.is_none() {
        rules::run(&cx, &mut out);
        // Checked once per distinct context it is included in, findings deduplicated.
        for &other in set.as_ref().map_or(&[][..], |s| s.other_contexts()) {
            let again = Ctx {
                context: FileContext {
                    base: other,
                    source: ContextSource::Included,
                },
                ..cx
            };
            let mut more = Findings::new();
            rules::run_in_other_context(&again, &mut more);
            for d in more.into_vec() {
                if !out
                    .items
                    .iter()
                    .any(|o| o.code == d.code && o.span == d.span)
                {
                    out.push(d);
                }
            }
        }
    }
    // In a file that does not parse, an edit may land inside what the parser misread (an
    // unclosed quote swallows the lines after it): no fix is offered there.
    if !config.errors.is_empty() {
        for d in &mut out.items {
            d.fix = None;
        }
    }
    let detector = crate::secrets::Detector::new(ctx.options.secrets_allow.clone());
    let mut found = detector.scan_text(&source.text);
    found.extend(secrets::structural(&config, &detector));
    let found = crate::secrets::dedup(found);
    let mut diagnostics = out.into_vec();
    diagnostics.extend(found.iter().map(|s| s.to_diagnostic()));
    LintOutput {
        diagnostics,
        comments: suppression_comments(&config, source),
        secrets: found.into_iter().map(|s| s.span).collect(),
        embedded: Vec::new(),
    }
}

/// The first template expression (`{{ … }}`, `{% … %}`, `<% … %>` on one line, or a line
/// starting with `{#`), as the span of its opening marker and the marker.
fn template_line(text: &str) -> Option<(crate::diagnostic::Span, &'static str)> {
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let mut best: Option<(usize, &'static str)> = None;
        for (open, close) in [("{{", "}}"), ("{%", "%}"), ("<%", "%>")] {
            if let Some(at) = line.find(open) {
                if line[at + 2..].contains(close) && best.map_or(true, |(b, _)| at < b) {
                    best = Some((at, open));
                }
            }
        }
        let trimmed = line.trim_start();
        if best.is_none() && trimmed.starts_with("{#") {
            best = Some((line.len() - trimmed.len(), "{#"));
        }
        if let Some((at, marker)) = best {
            let start = offset + at;
            return Some((start as u32..(start + 2) as u32, marker));
        }
        offset += line.len();
    }
    None
}

/// The context of a file on its own: a full config, a `# opslint: context=…` comment, or a
/// guess from its top-level directives.
pub fn file_context(config: &Config, source: &SourceFile) -> FileContext {
    if let Some(base) = context_comment(config, source) {
        return FileContext {
            base,
            source: ContextSource::Comment,
        };
    }
    if is_full_config(config) {
        return FileContext {
            base: ctx::MAIN,
            source: ContextSource::FullConfig,
        };
    }
    FileContext {
        base: if is_data_fragment(&config.directives) {
            0
        } else {
            guess_context(&config.directives)
        },
        source: ContextSource::Guessed,
    }
}

/// A file of `map`/`geo`/`split_clients` lines (`10.0.0.0/8 1;`, `~^/old /new;`,
/// `example.com backend;`), as included into those blocks: no top-level name is a known
/// directive and each looks like a key (characters a directive name never has, or a keyword
/// of those blocks).
pub fn is_data_fragment(top: &[Directive]) -> bool {
    !top.is_empty()
        && top.iter().all(|d| {
            !directives::is_known(&d.name)
                && d.block.is_none()
                && (matches!(
                    d.name.as_str(),
                    "default" | "hostnames" | "volatile" | "ranges" | "delete" | "proxy_recursive"
                ) || d.name.is_empty()
                    || d.name
                        .bytes()
                        .any(|b| !(b.is_ascii_alphanumeric() || b == b'_')))
        })
}

fn has_include(config: &Config) -> bool {
    let mut found = false;
    config.walk(ctx::MAIN, |v| found |= v.directive.name == "include");
    found
}

/// `# opslint: context=http|server|location|main|stream|…` among the file's comments.
pub fn context_comment(config: &Config, source: &SourceFile) -> Option<u32> {
    config.comments.iter().find_map(|c| {
        let body = source.slice(&c.body).trim();
        let rest = body.strip_prefix("opslint:")?.trim();
        let value = rest.strip_prefix("context=")?;
        let value = value.split_whitespace().next().unwrap_or("");
        match ctx::parse(value) {
            0 => None,
            bit if bit == ctx::HTTP_SERVER_IF | ctx::HTTP_LOCATION_IF => {
                Some(ctx::HTTP_LOCATION_IF)
            }
            bit => Some(bit),
        }
    })
}

/// A complete configuration: `http`, `events`, `stream` or `mail` blocks, or a directive that
/// only the main context allows, at its top level.
pub fn is_full_config(config: &Config) -> bool {
    config.directives.iter().any(|d| {
        (matches!(d.name.as_str(), "http" | "events" | "stream" | "mail") && d.is_block()) || {
            let specs = directives::lookup(&d.name);
            !specs.is_empty() && specs.iter().all(|s| s.contexts == ctx::MAIN)
        }
    })
}

/// The first context (http, server, location, main, stream, stream server) that allows every
/// known top-level directive; top-level `server` blocks → http; `location`, `listen` → server.
pub fn guess_context(top: &[Directive]) -> u32 {
    const CANDIDATES: [u32; 6] = [
        ctx::HTTP,
        ctx::HTTP_SERVER,
        ctx::HTTP_LOCATION,
        ctx::MAIN,
        ctx::STREAM,
        ctx::STREAM_SERVER,
    ];
    let allows = |context: u32, d: &Directive| {
        let specs = directives::lookup(&d.name);
        specs.is_empty()
            || specs
                .iter()
                .any(|s| s.contexts & (context | ctx::ANY) != 0 || s.contexts == 0)
    };
    let mut best = (0usize, ctx::HTTP);
    for context in CANDIDATES {
        let n = top.iter().filter(|d| allows(context, d)).count();
        if n == top.len() {
            return context;
        }
        if n > best.0 {
            best = (n, context);
        }
    }
    best.1
}

/// Every comment, with what a suppression in it covers: an end-of-line comment covers its
/// line; a comment alone on its line covers the next directive (a block directive's head,
/// name to `{`).
fn suppression_comments(config: &Config, source: &SourceFile) -> Vec<Comment> {
    let mut heads: Vec<crate::diagnostic::Span> = Vec::new();
    config.walk(ctx::MAIN, |v| heads.push(v.directive.head_span()));
    heads.sort_by_key(|s| s.start);
    config
        .comments
        .iter()
        .map(|c| {
            let covers = if c.own_line {
                let i = heads.partition_point(|h| h.start < c.span.end);
                heads.get(i).cloned().unwrap_or(c.span.clone())
            } else {
                let line = source.line_col(c.span.start).line.saturating_sub(1) as usize;
                source.line_span(line)
            };
            Comment {
                span: c.span.clone(),
                body: c.body.clone(),
                covers,
                own_line: c.own_line,
            }
        })
        .collect()
}

/// The tree as crossplane prints it (directive, line, args, block; `*_by_lua_block` bodies as
/// one argument) with the syntax errors: what `opslint debug nginx-tree` prints for the
/// differential test against crossplane.
pub fn tree_json(source: &SourceFile) -> serde_json::Value {
    let config = parse::parse(&source.text);
    let line = |offset: u32| source.line_col(offset).line;
    // Iterative: build each block's JSON list bottom-up with an explicit stack.
    fn node(
        d: &Directive,
        source: &SourceFile,
        line: &dyn Fn(u32) -> u32,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("directive".into(), d.name.clone().into());
        m.insert("line".into(), line(d.name_span.start).into());
        let mut args: Vec<serde_json::Value> =
            d.args.iter().map(|a| a.value.clone().into()).collect();
        let raw: Vec<serde_json::Value> = d
            .args
            .iter()
            .map(|a| source.slice(&a.span).to_string().into())
            .collect();
        if let Some(b) = &d.block {
            if b.kind == parse::BlockKind::Raw {
                let inner = b.inner(source.text.len() as u32);
                args.push(source.slice(&inner).to_string().into());
            }
        }
        m.insert("args".into(), args.into());
        m.insert("raw".into(), raw.into());
        m
    }
    // (directives, index, output list)
    type Frame<'a> = (
        &'a [Directive],
        usize,
        Vec<serde_json::Value>,
        Option<serde_json::Map<String, serde_json::Value>>,
    );
    let mut stack: Vec<Frame> = vec![(&config.directives, 0, Vec::new(), None)];
    let parsed = loop {
        let Some(top) = stack.last_mut() else {
            break Vec::new();
        };
        if let Some(d) = top.0.get(top.1) {
            top.1 += 1;
            let m = node(d, source, &line);
            match &d.block {
                Some(b) if b.kind != parse::BlockKind::Raw => {
                    stack.push((&b.directives, 0, Vec::new(), Some(m)));
                }
                _ => top.2.push(m.into()),
            }
            continue;
        }
        let Some((_, _, list, parent)) = stack.pop() else {
            break Vec::new();
        };
        match (parent, stack.last_mut()) {
            (Some(mut m), Some(outer)) => {
                m.insert("block".into(), list.into());
                outer.2.push(m.into());
            }
            _ => break list,
        }
    };
    let errors: Vec<_> = config
        .errors
        .iter()
        .map(|e| serde_json::json!({"line": line(e.span.start), "message": e.message}))
        .collect();
    serde_json::json!({
        "path": source.path,
        "ok": errors.is_empty(),
        "parsed": parsed,
        "errors": errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context_of(text: &str) -> FileContext {
        let source = SourceFile::new("x.conf", text);
        file_context(&parse::parse(text), &source)
    }

    /// Found by the fix fuzzer: a quote left open swallows the rest of the file, and the
    /// keepalive fix inserted a `""` inside it.
    #[test]
    fn no_fix_in_a_file_that_does_not_parse() {
        let text = "events {}\nhttp {\n    upstream b {\n        server a:1;\n      \" server c:2 backup;\n        keepalive 8;\n    }\n    server {\n        location / {\n            proxy_pass http://b;\n            proxy_http_version 1.1;\n        }\n    }\n}\n";
        let source = SourceFile::new("nginx.conf", text);
        let out = lint(&source, &LintContext::default());
        assert!(out.diagnostics.iter().any(|d| d.code == Code::NGX001));
        assert!(out.diagnostics.iter().all(|d| d.fix.is_none()));
        // The same file with the quote closed gets its fixes.
        let fixed = text.replace("      \" server", "        server");
        let out = lint(
            &SourceFile::new("nginx.conf", fixed.as_str()),
            &LintContext::default(),
        );
        assert!(out.diagnostics.iter().any(|d| d.fix.is_some()));
    }

    #[test]
    fn contexts() {
        let full = context_of("events {}\nhttp {}\n");
        assert_eq!((full.base, full.is_known()), (ctx::MAIN, true));
        assert_eq!(context_of("worker_processes 1;\n").base, ctx::MAIN);
        let server = context_of("server { listen 80; }\n");
        assert_eq!((server.base, server.is_known()), (ctx::HTTP, false));
        assert_eq!(
            context_of("listen 80;\nlocation / {}\n").base,
            ctx::HTTP_SERVER
        );
        assert_eq!(
            context_of("proxy_pass http://a;\n").base,
            ctx::HTTP_LOCATION
        );
        assert_eq!(context_of("proxy_set_header A b;\n").base, ctx::HTTP);
        assert_eq!(context_of("10.0.0.0/8 1;\ndefault 0;\n").base, 0);
        assert_eq!(
            context_of("~^/old/(.*)$ /new/$1;\nexample.com backend;\n").base,
            0
        );
        assert_ne!(context_of("proxy_pas x;\n").base, 0);
        let hinted = context_of("# opslint: context=location\nroot /a;\n");
        assert_eq!((hinted.base, hinted.is_known()), (ctx::HTTP_LOCATION, true));
    }

    #[test]
    fn suppressions_cover_the_next_directive_or_their_line() {
        let text = "server {\n    # opslint: ignore[NGX002]\n    foo 1;\n    bar 2; # opslint: ignore[unknown-directive]\n    baz 3;\n    # opslint: ignore[NGX002]\n    location / {\n        quux 1;\n    }\n}\n";
        let source = SourceFile::new("x.conf", text);
        let out = lint(&source, &LintContext::default());
        let kept = crate::suppress::apply(&source, &out.comments, out.diagnostics, &|_| true);
        let mut at: Vec<(Code, u32)> = kept
            .iter()
            .map(|d| (d.code, source.line_col(d.span.start).line))
            .collect();
        at.sort();
        // `baz` is not covered; the comment above `location / {` covers its head, not its
        // body (so it suppresses nothing: OPS002).
        assert_eq!(
            at,
            [(Code::OPS002, 6), (Code::NGX002, 5), (Code::NGX002, 8)]
        );
    }

    #[test]
    fn helpers_without_a_set() {
        let text = "limit_req_zone $a zone=one:10m rate=1r/s;\nupstream u { zone shared 64k; server a; }\nserver {\n  resolver 10.0.0.1;\n  location / { }\n}\n";
        let source = SourceFile::new("x.conf", text);
        let config = parse::parse(text);
        let lint = LintContext::default();
        let cx = Ctx {
            config: &config,
            source: &source,
            lint: &lint,
            context: file_context(&config, &source),
            set: None,
        };
        let zones = cx.zones();
        assert_eq!(zones.limit_req, ["one"]);
        assert_eq!(zones.upstream, ["u", "shared"]);
        let server = &config.directives[2];
        let location = &server.children()[1];
        let found = cx.in_scope(&[server, location], "resolver");
        assert_eq!(found.len(), 1);
        assert!(found[0].file.is_none());
        assert!(cx.in_scope(&[server, location], "add_header").is_empty());
        assert_eq!(cx.everywhere("upstream").len(), 1);
        assert_eq!(cx.everywhere("location").len(), 1);
        // A fragment: what is missing may be elsewhere.
        assert!(cx.may_be_incomplete());
    }

    #[test]
    fn a_template_gets_one_finding() {
        let text = "{% if ssl %}\nserver {\n  listen 443 ssl;\n{% endif %}\n  proxy_pas x;\n}\n";
        let source = SourceFile::new("x.conf", text);
        let out = lint(&source, &LintContext::default());
        let codes: Vec<(Code, u32)> = out
            .diagnostics
            .iter()
            .map(|d| (d.code, source.line_col(d.span.start).line))
            .collect();
        assert_eq!(codes, [(Code::NGX001, 1)]);
        let text = "server {\n  listen {{PORT}} default;\n}\n";
        let source = SourceFile::new("x.conf", text);
        let out = lint(&source, &LintContext::default());
        let at: Vec<(Code, u32, u32)> = out
            .diagnostics
            .iter()
            .map(|d| {
                let p = source.line_col(d.span.start);
                (d.code, p.line, p.column)
            })
            .collect();
        assert_eq!(at, [(Code::NGX001, 2, 10)]);
        // Without a syntax error, template-looking comments change nothing.
        let text = "server {\n  listen 80;\n}\n";
        let out = lint(&SourceFile::new("x.conf", text), &LintContext::default());
        assert!(out.diagnostics.is_empty());
    }

    #[test]
    fn tree_json_nests() {
        let source = SourceFile::new("x.conf", "http {\n  server { listen 80; }\n}\n");
        let v = tree_json(&source);
        assert_eq!(
            v["parsed"][0]["block"][0]["block"][0]["directive"],
            "listen"
        );
        assert_eq!(v["parsed"][0]["block"][0]["line"], 2);
    }
}
