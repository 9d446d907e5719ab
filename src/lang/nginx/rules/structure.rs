//! Structure rules: what nginx itself rejects when it reads the configuration. NGX001 (syntax
//! errors) is reported by the engine from the parser's errors; this family reads the tree with
//! the directive table: unknown names (NGX002), wrong context (NGX003), wrong arguments
//! (NGX004), duplicates (NGX005) and includes that match nothing (NGX006).

use super::super::directives::{self, ctx, Spec};
use super::super::parse::{Directive, Visit};
use super::super::Ctx;
use crate::diagnostic::{Edit, Findings, Span};
use crate::registry::Code;

pub fn check(cx: &Ctx, out: &mut Findings) {
    let extra = Extra::new(cx);
    cx.walk(|v| {
        if v.context == 0 || v.directive.name.is_empty() {
            return;
        }
        let specs = directives::lookup(&v.directive.name);
        unknown_directive(&extra, v, specs, out);
        directive_not_allowed_here(cx, &extra, v, specs, out);
        invalid_arguments(cx, v, specs, out);
    });
    duplicate_directive(cx, out);
    include_not_found(cx, out);
}

/// `[nginx] extra-directives`: name → context bits (0 = anywhere).
struct Extra<'a> {
    list: Vec<(&'a str, u32)>,
}

impl<'a> Extra<'a> {
    fn new(cx: &'a Ctx) -> Extra<'a> {
        let list = cx
            .lint
            .options
            .nginx_extra_directives
            .iter()
            .map(|(name, contexts)| {
                let bits = contexts.iter().fold(0, |acc, c| acc | ctx::parse(c));
                (name.as_str(), bits)
            })
            .collect();
        Extra { list }
    }

    /// The context bits of an extra directive, `None` when it is not one.
    fn get(&self, name: &str) -> Option<u32> {
        self.list.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
    }
}

/// The contexts the `*_by_lua_block` rows (which have none in the table) are allowed in.
const LUA_CONTEXTS: u32 =
    ctx::HTTP | ctx::HTTP_SERVER | ctx::HTTP_LOCATION | ctx::HTTP_SERVER_IF | ctx::HTTP_LOCATION_IF;

fn spec_contexts(spec: &Spec) -> u32 {
    if spec.contexts == 0 {
        LUA_CONTEXTS
    } else {
        spec.contexts
    }
}

fn allowed_in(spec: &Spec, context: u32) -> bool {
    // lua-nginx-module's balancer runs in an upstream.
    let extra = if spec.name == "balancer_by_lua_block" {
        ctx::HTTP_UPSTREAM
    } else {
        0
    };
    (spec_contexts(spec) | extra) & (context | ctx::ANY) != 0 || spec.contexts & ctx::ANY != 0
}

/// NGX002 unknown-directive: a name no module defines (did you mean …?).
fn unknown_directive(extra: &Extra, v: &Visit, specs: &[Spec], out: &mut Findings) {
    let d = v.directive;
    if !specs.is_empty() || extra.get(&d.name).is_some() {
        return;
    }
    let f = out
        .report(Code::NGX002, d.name_span.clone())
        .message(format!("unknown directive \"{}\"", d.name));
    match directives::suggest(&d.name) {
        Some(s) => f.help(format!("did you mean \"{s}\"? A third-party directive goes in `[nginx] extra-directives` of lint.toml")),
        None => f.help("if a third-party module defines it, list it in `[nginx] extra-directives` of lint.toml"),
    };
}

/// NGX003 directive-not-allowed-here: a known directive in a context nginx rejects it in.
/// Silent when the file's context was guessed.
fn directive_not_allowed_here(
    cx: &Ctx,
    extra: &Extra,
    v: &Visit,
    specs: &[Spec],
    out: &mut Findings,
) {
    if !cx.context.is_known() {
        return;
    }
    let d = v.directive;
    let allowed = if let Some(bits) = extra.get(&d.name) {
        bits == 0 || bits & v.context != 0 || specs.iter().any(|s| allowed_in(s, v.context))
    } else if specs.is_empty() {
        return;
    } else {
        specs.iter().any(|s| allowed_in(s, v.context))
    };
    if allowed {
        return;
    }
    let mut places: Vec<&str> = Vec::new();
    let all = specs.iter().fold(0, |acc, s| acc | spec_contexts(s));
    for bit in (0..15).map(|i| 1u32 << i) {
        if all & bit != 0 {
            let name = ctx::describe(bit);
            if !places.contains(&name) {
                places.push(name);
            }
        }
    }
    out.report(Code::NGX003, d.name_span.clone())
        .message(format!(
            "\"{}\" directive is not allowed here (in {})",
            d.name,
            ctx::describe(v.context)
        ))
        .help(format!("nginx allows it in: {}", places.join(", ")));
}

/// The rows that apply where the directive stands: those allowing its context when the
/// context is known and some do, else every row (fragments, wrong contexts).
fn candidates<'s>(cx: &Ctx, v: &Visit, specs: &'s [Spec]) -> Vec<&'s Spec> {
    let here: Vec<&Spec> = specs.iter().filter(|s| allowed_in(s, v.context)).collect();
    if cx.context.is_known() && !here.is_empty() {
        here
    } else {
        specs.iter().collect()
    }
}

/// NGX004 invalid-arguments: a number of arguments no row allows, a flag that is not
/// `on`/`off`, a block directive without its block or a simple one with a block.
fn invalid_arguments(cx: &Ctx, v: &Visit, specs: &[Spec], out: &mut Findings) {
    let d = v.directive;
    if specs.is_empty() {
        return;
    }
    let rows = candidates(cx, v, specs);
    let n = d.args.len();
    if rows.iter().all(|s| s.block) && d.block.is_none() {
        out.report(Code::NGX004, d.name_span.clone())
            .message(format!("directive \"{}\" has no opening \"{{\"", d.name))
            .help("a block directive is followed by `{ … }`");
        return;
    }
    if rows.iter().all(|s| !s.block) && d.block.is_some() {
        out.report(Code::NGX004, d.name_span.clone())
            .message(format!(
                "directive \"{}\" is not terminated by \";\"",
                d.name
            ))
            .help("this directive takes no block: end it with `;`");
        return;
    }
    if !rows.iter().any(|s| s.takes(n)) {
        out.report(Code::NGX004, d.name_span.clone())
            .message(format!(
                "invalid number of arguments in \"{}\" directive ({n} given)",
                d.name
            ))
            .help(arity_help(&rows));
        return;
    }
    if rows.iter().all(|s| s.flag) {
        if let Some(a) = d.args.first() {
            if !a.is("on") && !a.is("off") {
                out.report(Code::NGX004, a.span.clone())
                    .message(format!(
                        "invalid value \"{}\" in \"{}\" directive, it must be \"on\" or \"off\"",
                        a.value, d.name
                    ))
                    .help(format!("write `{} on;` or `{} off;`", d.name, d.name));
            }
        }
    }
}

fn arity_help(rows: &[&Spec]) -> String {
    let mut counts: Vec<String> = Vec::new();
    for s in rows {
        for n in 0..=7u16 {
            if s.args & (1 << n) != 0 && !counts.contains(&n.to_string()) {
                counts.push(n.to_string());
            }
        }
        if s.args & directives::A1MORE != 0 {
            counts.push("1 or more".into());
        }
        if s.args & directives::A2MORE != 0 {
            counts.push("2 or more".into());
        }
        if s.args & directives::AANY != 0 {
            counts.push("any number".into());
        }
    }
    counts.dedup();
    format!("it takes {} argument(s)", counts.join(" or "))
}

/// Directives nginx rejects twice in one block besides the `ngx_conf_set_*_slot` ones.
const SINGLE: &[&str] = &[
    "proxy_pass",
    "fastcgi_pass",
    "uwsgi_pass",
    "scgi_pass",
    "grpc_pass",
    "memcached_pass",
];

/// NGX005 duplicate-directive: a second occurrence in one block of a directive nginx
/// rejects twice (`root`/`alias` count as one), or the same `listen` address twice in a
/// server. Points at the later one; the fix removes it when it is identical.
fn duplicate_directive(cx: &Ctx, out: &mut Findings) {
    // Each block (and the top level) once: its children and its context.
    let mut lists: Vec<(&[Directive], u32)> = vec![(&cx.config.directives, cx.context.base)];
    cx.walk(|v| {
        if let Some(b) = &v.directive.block {
            let inner = super::super::parse::child_context(v.context, &v.directive.name);
            if inner != 0 && b.kind == super::super::parse::BlockKind::Directives {
                lists.push((&b.directives, inner));
            }
        }
    });
    for (list, context) in lists {
        if context == 0 {
            continue;
        }
        duplicates_in(cx, list, context, out);
    }
}

fn duplicates_in(cx: &Ctx, list: &[Directive], context: u32, out: &mut Findings) {
    let key = |d: &Directive| -> Option<String> {
        let name = d.name.as_str();
        if name == "root" || name == "alias" {
            return Some("root/alias".into());
        }
        if SINGLE.contains(&name) {
            return Some(name.into());
        }
        if name == "listen" && matches!(context, ctx::HTTP_SERVER | ctx::STREAM_SERVER) {
            // A QUIC (HTTP/3) or UDP socket is another socket than the TCP one.
            let udp = d.args.iter().skip(1).any(|a| a.is("quic") || a.is("udp"));
            return d.args.first().map(|a| {
                format!(
                    "listen {}{}",
                    listen_address(&a.value),
                    if udp { "/udp" } else { "" }
                )
            });
        }
        let specs = directives::lookup(name);
        let rows: Vec<&Spec> = specs.iter().filter(|s| allowed_in(s, context)).collect();
        let rows = if rows.is_empty() {
            specs.iter().collect()
        } else {
            rows
        };
        (!rows.is_empty() && rows.iter().all(|s| s.rejects_duplicates())).then(|| name.to_string())
    };
    let mut seen: Vec<(String, &Directive)> = Vec::new();
    for d in list {
        let Some(k) = key(d) else {
            continue;
        };
        match seen.iter().find(|(s, _)| *s == k) {
            None => seen.push((k, d)),
            Some((_, first)) => {
                let message = if d.name == "listen" {
                    format!(
                        "a duplicate listen {}",
                        d.arg_value(0).map(listen_address).unwrap_or_default()
                    )
                } else if d.name != first.name {
                    format!(
                        "\"{}\" directive is duplicate, \"{}\" directive was specified earlier",
                        d.name, first.name
                    )
                } else {
                    format!("\"{}\" directive is duplicate", d.name)
                };
                let f = out
                    .report(Code::NGX005, d.name_span.clone())
                    .message(message)
                    .label(first.name_span.clone(), "first set here")
                    .help("nginx refuses to start: keep one of them");
                if d.name == first.name && same_args(d, first) && d.block.is_none() {
                    f.fix_safe(
                        "remove the repeated directive",
                        vec![Edit::delete(removal_span(cx, d))],
                    );
                }
            }
        }
    }
}

fn same_args(a: &Directive, b: &Directive) -> bool {
    a.args.len() == b.args.len() && a.args.iter().zip(&b.args).all(|(x, y)| x.value == y.value)
}

/// `listen` addresses that nginx treats as the same: `80`, `*:80`, `0.0.0.0:80`.
fn listen_address(value: &str) -> String {
    let v = value.to_ascii_lowercase();
    if v.bytes().all(|b| b.is_ascii_digit()) {
        return format!("0.0.0.0:{v}");
    }
    if let Some(port) = v.strip_prefix("*:") {
        return format!("0.0.0.0:{port}");
    }
    if !v.contains(':') && !v.starts_with('[') {
        // An address without a port listens on 80.
        return format!("{v}:80");
    }
    v
}

/// The directive with its line when it is alone on it, else just the directive.
fn removal_span(cx: &Ctx, d: &Directive) -> Span {
    let text = cx.source.text.as_bytes();
    let (start, end) = (d.span.start as usize, d.span.end as usize);
    let line_start = text[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = text[end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| end + i + 1);
    let blank = |s: &[u8]| {
        s.iter()
            .all(|&b| b == b' ' || b == b'\t' || b == b'\r' || b == b'\n')
    };
    if blank(&text[line_start..start]) && blank(&text[end..line_end]) {
        line_start as u32..line_end as u32
    } else {
        d.span.clone()
    }
}

/// NGX006 include-not-found: an `include` whose path matches nothing on disk. Skipped on
/// stdin.
fn include_not_found(cx: &Ctx, out: &mut Findings) {
    let Some(path) = &cx.lint.disk_path else {
        return;
    };
    let prefix = cx.lint.options.nginx_prefix.as_deref();
    cx.config.walk(ctx::MAIN, |v| {
        let d = v.directive;
        if d.name != "include" {
            return;
        }
        let Some(arg) = d.args.first() else {
            return;
        };
        let roots = super::super::config_set::include_roots(path, prefix, cx.root_dir());
        if super::super::config_set::include_exists(&arg.value, &roots) {
            return;
        }
        out.report(Code::NGX006, arg.span.clone())
            .message(format!("include \"{}\" matches no file", arg.value))
            .help("nginx resolves a relative include against its prefix (the folder of nginx.conf); set `[nginx] prefix` if the configs live elsewhere");
    });
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Options;
    use crate::registry::Code::*;

    const FULL: &str = "events {}\nhttp {\n";

    fn full(body: &str) -> String {
        format!("{FULL}{body}}}\n")
    }

    #[test]
    fn unknown_directive() {
        assert_findings(NGX002, &full("    proxy_pas http://a;\n"), &[(3, 5)]);
        assert_eq!(
            first_message(NGX002, "server { listen 80; lisen 81; }\n").as_deref(),
            Some("unknown directive \"lisen\"")
        );
        assert_findings(NGX002, "server { Listen 80; }\n", &[(1, 10)]);
        // Data and Lua bodies are not directives.
        assert_findings(
            NGX002,
            "map $a $b { default x; foo bar; }\ntypes { text/html html; }\ncontent_by_lua_block { foo_bar(); }\n",
            &[],
        );
        assert_findings(
            NGX002,
            "server { listen 80; server_name a; ssl on; spdy_headers_comp 1; }\n",
            &[],
        );
        // A file of map/geo lines (included into such a block) is data.
        assert_findings(
            NGX002,
            "10.0.0.0/8 1;\n192.168.0.0/16 1;\ndefault 0;\n",
            &[],
        );
        // Inside a block nginx does not know, names are not checked.
        assert_findings(NGX002, "thirdparty { foo 1; }\n", &[(1, 1)]);
        let opts = Options {
            nginx_extra_directives: vec![("more_set_headers".into(), vec!["server".into()])],
            ..Options::default()
        };
        assert_findings_with(NGX002, opts, "server { more_set_headers \"X: y\"; }\n", &[]);
    }

    #[test]
    fn unknown_directive_did_you_mean() {
        let (_, diags) = lint_with(Options::default(), "server { server_token off; }\n");
        let d = diags.iter().find(|d| d.code == NGX002).unwrap();
        assert!(d.help.as_deref().unwrap().contains("\"server_tokens\""));
    }

    #[test]
    fn directive_not_allowed_here() {
        assert_findings(NGX003, &full("    proxy_pass http://a;\n"), &[(3, 5)]);
        assert_findings(
            NGX003,
            &full("    server {\n        server { }\n    }\n"),
            &[(4, 9)],
        );
        assert_findings(NGX003, "events {}\nlisten 80;\n", &[(2, 1)]);
        assert_findings(
            NGX003,
            &full("    server {\n        location / {\n            if ($a) { return 403; proxy_pass http://b; }\n            limit_except GET { deny all; }\n            content_by_lua_block { ngx.say(1) }\n        }\n    }\n"),
            &[],
        );
        // A fragment whose context was guessed: never.
        assert_findings(NGX003, "proxy_pass http://a;\nlisten 80;\n", &[]);
        // A fragment with a context comment: checked.
        assert_findings(
            NGX003,
            "# opslint: context=server\nworker_processes 1;\n",
            &[(2, 1)],
        );
        assert_findings(
            NGX003,
            "# opslint: context=location\nproxy_pass http://a;\n",
            &[],
        );
        // stream and mail servers.
        assert_findings(
            NGX003,
            "events {}\nstream { upstream u { server a:1; } server { listen 53 udp; proxy_pass u; } }\n",
            &[],
        );
        let opts = Options {
            nginx_extra_directives: vec![("more_set_headers".into(), vec!["location".into()])],
            ..Options::default()
        };
        assert_findings_with(
            NGX003,
            opts,
            &full("    more_set_headers \"X: y\";\n"),
            &[(3, 5)],
        );
    }

    #[test]
    fn invalid_arguments() {
        assert_findings(NGX004, &full("    gzip maybe;\n"), &[(3, 10)]);
        assert_findings(NGX004, &full("    gzip On;\n    gzip_vary off;\n"), &[]);
        assert_findings(NGX004, &full("    add_header X;\n"), &[(3, 5)]);
        assert_findings(
            NGX004,
            &full("    add_header X y always;\n    access_log a b c d e;\n"),
            &[],
        );
        assert_findings(NGX004, "events {}\nhttp;\n", &[(2, 1)]);
        assert_findings(NGX004, &full("    gzip on { }\n"), &[(3, 5)]);
        assert_findings(NGX004, &full("    server { listen; }\n"), &[(3, 14)]);
        // `server` in an upstream takes an address and no block.
        assert_findings(
            NGX004,
            &full("    upstream u { server 127.0.0.1:8080 weight=2; }\n"),
            &[],
        );
        assert_findings(NGX004, "server 127.0.0.1:8080;\n", &[]);
        assert_findings(NGX004, "worker_processes auto\n\nhttp {\n}\n", &[]);
        assert_findings(
            NGX004,
            "location / { set_by_lua_block $res { return 1 } }\n",
            &[],
        );
        assert_eq!(
            first_message(NGX004, &full("    add_header X;\n")).as_deref(),
            Some("invalid number of arguments in \"add_header\" directive (1 given)")
        );
    }

    #[test]
    fn duplicate_directive() {
        assert_findings(NGX005, &full("    gzip on;\n    gzip off;\n"), &[(4, 5)]);
        assert_findings(
            NGX005,
            "location / {\n  root /a;\n  alias /b/;\n}\n",
            &[(3, 3)],
        );
        assert_findings(
            NGX005,
            "location / {\n  proxy_pass http://a;\n  proxy_pass http://b;\n}\n",
            &[(3, 3)],
        );
        assert_findings(
            NGX005,
            "server {\n  listen 80;\n  listen *:80 default_server;\n}\n",
            &[(3, 3)],
        );
        assert_findings(
            NGX005,
            "server {\n  listen 443 ssl;\n  listen 443 quic reuseport;\n}\n",
            &[],
        );
        // Arrays and key/value slots repeat; different blocks do not clash.
        assert_findings(
            NGX005,
            "server {\n  listen 80;\n  listen [::]:80;\n  listen 443 ssl;\n  proxy_set_header A a;\n  proxy_set_header B b;\n  ssl_certificate a;\n  ssl_certificate b;\n  add_header A a;\n  add_header A a;\n  location / { root /a; }\n  location /b { root /b; if ($x) { root /c; } }\n}\n",
            &[],
        );
        assert_fixed(
            NGX005,
            "server {\n  gzip on;\n  gzip on;\n}\n",
            "server {\n  gzip on;\n}\n",
        );
        let (_, diags) = lint_with(Options::default(), "server {\n  gzip on;\n  gzip off;\n}\n");
        assert!(diags
            .iter()
            .find(|d| d.code == NGX005)
            .unwrap()
            .fix
            .is_none());
    }

    #[test]
    fn include_not_found_needs_a_file_on_disk() {
        // On stdin (no disk path) nothing is checked.
        assert_findings(NGX006, "include missing.conf;\n", &[]);
    }

    #[test]
    fn include_not_found() {
        let root = "events {}\nhttp {\n  include mime.types;\n  include conf.d/*.conf;\n  include sites/*.conf;\n  include snippets/a.conf;\n  include snippets/b.conf;\n  include /etc/nginx/elsewhere.conf;\n}\n";
        let found = lint_on_disk(
            &[
                ("nginx.conf", root),
                ("conf.d/x.conf", "server { listen 80; }\n"),
                ("snippets/a.conf", "gzip on;\n"),
            ],
            "nginx.conf",
        );
        let ngx006: Vec<_> = found.iter().filter(|f| f.0 == NGX006).collect();
        assert_eq!(ngx006, [&(NGX006, 5, 11), &(NGX006, 7, 11)]);
    }

    #[test]
    fn included_fragment_gets_the_context_of_its_include() {
        let root = "events {}\nhttp {\n  server {\n    include snippets/loc.conf;\n  }\n}\n";
        // `listen` is allowed in the server the snippet is included in; `events` is not.
        let found = lint_on_disk(
            &[
                ("nginx.conf", root),
                (
                    "snippets/loc.conf",
                    "listen 80;\nlocation / { }\nworker_processes 1;\n",
                ),
            ],
            "snippets/loc.conf",
        );
        let ngx003: Vec<_> = found.iter().filter(|f| f.0 == NGX003).collect();
        assert_eq!(ngx003, [&(NGX003, 3, 1)]);
    }

    #[test]
    fn a_fragment_is_checked_in_every_context_it_is_included_in() {
        // The location's include comes first: http is the other context.
        let root = "events {}\nhttp {\n  server {\n    location / {\n      include snippets/common.conf;\n    }\n  }\n  include snippets/common.conf;\n}\n";
        // `proxy_pass` is fine in the location but not in http; `gzip` fine in both.
        let found = lint_on_disk(
            &[
                ("nginx.conf", root),
                ("snippets/common.conf", "gzip on;\nproxy_pass http://a;\n"),
            ],
            "snippets/common.conf",
        );
        let ngx003: Vec<_> = found.iter().filter(|f| f.0 == NGX003).collect();
        assert_eq!(ngx003, [&(NGX003, 2, 1)]);
        // Included twice in the same context: reported once.
        let root = "events {}\nhttp {\n  server {\n    include s.conf;\n  }\n  server {\n    include s.conf;\n  }\n}\n";
        let found = lint_on_disk(
            &[("nginx.conf", root), ("s.conf", "worker_processes 1;\n")],
            "s.conf",
        );
        assert_eq!(found.iter().filter(|f| f.0 == NGX003).count(), 1);
    }

    #[test]
    fn syntax_errors_point_at_the_cause() {
        assert_findings(
            NGX001,
            "server {\n  listen 80\n  server_name a;\n}\n",
            &[(2, 3)],
        );
        assert_findings(NGX001, "server {\n  add_header X \"a;\n}\n", &[(2, 16)]);
        assert_findings(NGX001, "server {\n  listen 80;\n}\n}\n", &[(4, 1)]);
        assert_findings(NGX001, "http {\n  server {\n", &[(3, 1)]); // one error for both
        assert_findings(NGX001, "server { listen 80 }\n", &[(1, 10)]);
        assert_findings(NGX001, "worker_processes auto\n\nhttp {\n}\n", &[(1, 1)]);
        assert_findings(
            NGX001,
            "log_format main '$a'\n    '$b';\nreturn 200 a#b;\nlocation ~*\\.php$ { }\nmap $a $b { default 1; }\ncontent_by_lua_block { ngx.say(\"}\") }\n",
            &[],
        );
        let (_, diags) = lint_with(Options::default(), "http {\n  server {\n");
        let d = diags.iter().find(|d| d.code == NGX001).unwrap();
        assert_eq!(d.labels[0].span, 16..17);
    }
}
