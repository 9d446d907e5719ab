//! Configuration hygiene: `root` only in locations (NGX204), `map`/`geo` without a default
//! (NGX205), directives the target nginx release deprecated or removed (NGX206), zones no
//! directive of the configuration set defines (NGX207).

use super::super::directives::{self, ctx};
use super::super::parse::{Directive, Visit};
use super::super::Ctx;
use super::common::{self, indentation, level, line_end, own_line_start};
use crate::diagnostic::{Edit, Findings, Span};
use crate::registry::Code;

pub fn check(cx: &Ctx, out: &mut Findings) {
    let version = common::target_version(cx);
    let incomplete = common::may_be_incomplete(cx);
    let zones = cx.zones();
    cx.walk(|v| {
        root_in_location(cx, v, incomplete, out);
        map_without_default(v, out);
        deprecated_directive(cx, v, version, out);
        undefined_zone(v, &zones, incomplete, out);
    });
}

/// NGX204 root-in-location: `root` in a location of a server that sets none (nor does `http`
/// above it): every location without its own `root` serves nginx's compiled-in `html`
/// folder. Reported for each such location.
fn root_in_location(cx: &Ctx, v: &Visit, incomplete: bool, out: &mut Findings) {
    let d = v.directive;
    if d.name != "root" || v.context & (ctx::HTTP_LOCATION | ctx::HTTP_LOCATION_IF) == 0 {
        return;
    }
    // The outermost location of this file: what encloses it is the server level.
    let Some(first_location) = v.parents.iter().position(|p| p.name == "location") else {
        return;
    };
    let server_level = v.parents.get(..first_location).unwrap_or(&[]);
    if !cx.in_scope(server_level, "root").is_empty() || incomplete {
        return;
    }
    out.report(Code::NGX204, d.name_span.clone())
        .message("root set in a location while its server has none: locations without their own root serve nginx's default html folder")
        .help("set `root` once in the server and override it (or use `alias`) only where a location differs");
}

/// NGX205 map-without-default: a `map` or `geo` without a `default` entry (unmatched values
/// give an empty string, or for `geo` nothing is set). A body with an `include` may hold it.
fn map_without_default(v: &Visit, out: &mut Findings) {
    let d = v.directive;
    if !matches!(d.name.as_str(), "map" | "geo") || !d.is_data_block() || v.context == 0 {
        return;
    }
    if d.children()
        .iter()
        .any(|e| e.name == "default" || e.name == "include")
    {
        return;
    }
    let target = d.args.last().map(|a| a.value.as_str()).unwrap_or("");
    out.report(Code::NGX205, d.name_span.clone())
        .message(format!(
            "{} without a default entry: {target} is empty for every unmatched value",
            d.name
        ))
        .help("add a `default …;` line to make the fallback explicit");
}

/// What replaces a deprecated or removed directive.
#[derive(Clone, Copy)]
enum Instead {
    /// Another directive with the same arguments.
    Rename(&'static str),
    /// Nothing: nginx ignores it (the fix removes it); the text says what to use.
    Drop(&'static str),
    /// A directive whose arguments differ (no fix).
    Other(&'static str),
}

/// (name, deprecated since, removed in, what instead). "Removed" = nginx refuses to start.
type Release = (u32, u32, u32);
const DEPRECATED: &[(&str, Release, Option<Release>, Instead)] = &[
    (
        "http2_idle_timeout",
        (1, 19, 7),
        None,
        Instead::Rename("keepalive_timeout"),
    ),
    (
        "http2_max_concurrent_pushes",
        (1, 25, 1),
        None,
        Instead::Drop("HTTP/2 server push is gone; `early_hints` sends 103 hints"),
    ),
    (
        "http2_max_field_size",
        (1, 19, 7),
        None,
        Instead::Other("large_client_header_buffers"),
    ),
    (
        "http2_max_header_size",
        (1, 19, 7),
        None,
        Instead::Other("large_client_header_buffers"),
    ),
    (
        "http2_max_requests",
        (1, 19, 7),
        None,
        Instead::Rename("keepalive_requests"),
    ),
    (
        "http2_push",
        (1, 25, 1),
        None,
        Instead::Drop("HTTP/2 server push is gone; `early_hints` sends 103 hints"),
    ),
    (
        "http2_push_preload",
        (1, 25, 1),
        None,
        Instead::Drop("HTTP/2 server push is gone; `early_hints` sends 103 hints"),
    ),
    (
        "http2_recv_timeout",
        (1, 19, 7),
        None,
        Instead::Rename("client_header_timeout"),
    ),
    (
        "limit_zone",
        (1, 1, 8),
        Some((1, 7, 6)),
        Instead::Other("limit_conn_zone"),
    ),
    (
        "spdy_chunk_size",
        (1, 9, 5),
        Some((1, 9, 5)),
        Instead::Rename("http2_chunk_size"),
    ),
    (
        "spdy_headers_comp",
        (1, 9, 5),
        Some((1, 9, 5)),
        Instead::Drop("HTTP/2 has no equivalent"),
    ),
    (
        "ssl",
        (1, 15, 0),
        Some((1, 25, 1)),
        Instead::Other("listen … ssl"),
    ),
];

/// `listen … http2` is deprecated from this release (`http2 on;` instead).
const HTTP2_DIRECTIVE_SINCE: Release = (1, 25, 1);

fn release(r: Release) -> String {
    format!("{}.{}.{}", r.0, r.1, r.2)
}

/// NGX206 deprecated-directive: for the target `[nginx] version`, `listen … http2` (1.25.1+),
/// `listen … spdy`, `ssl on|off`, the directives whose handler is `*_obsolete` and those nginx
/// removed.
fn deprecated_directive(cx: &Ctx, v: &Visit, version: Release, out: &mut Findings) {
    let d = v.directive;
    if v.context == 0 {
        return;
    }
    if d.name == "listen" {
        listen_http2(cx, v, version, out);
        return;
    }
    let entry = DEPRECATED.iter().find(|e| e.0 == d.name);
    let (since, removed, instead) = match entry {
        Some(&(_, since, removed, instead)) => (since, removed, instead),
        None => {
            if !directives::lookup(&d.name).iter().any(|s| s.obsolete()) {
                return;
            }
            ((0, 0, 0), None, Instead::Drop("nginx ignores it"))
        }
    };
    if version < since {
        return;
    }
    if d.name == "ssl" {
        ssl_directive(cx, v, version, out);
        return;
    }
    let gone = removed.filter(|r| version >= *r);
    let message = match (gone, instead) {
        (Some(r), _) => format!(
            "the \"{}\" directive was removed in nginx {}: nginx refuses to start",
            d.name,
            release(r)
        ),
        (None, Instead::Drop(_)) => format!("the \"{}\" directive is obsolete, ignored", d.name),
        (None, Instead::Rename(n) | Instead::Other(n)) => format!(
            "the \"{}\" directive is obsolete, use the \"{n}\" directive instead",
            d.name
        ),
    };
    let help = match instead {
        Instead::Rename(n) => format!("use `{n}` (same arguments)"),
        Instead::Drop(why) => format!("remove it: {why}"),
        Instead::Other(n) if d.name == "limit_zone" => {
            format!("use `{n} $variable zone=name:size;`")
        }
        Instead::Other(n) => format!("use `{n}` (its arguments differ)"),
    };
    let f = out
        .report(Code::NGX206, d.name_span.clone())
        .message(message)
        .help(help);
    let siblings = level(cx, v.parents);
    match instead {
        Instead::Rename(n) if !siblings.iter().any(|s| s.name == n) => {
            f.fix_unsafe(
                format!("rename to {n}"),
                vec![Edit::replace(d.name_span.clone(), n)],
            );
        }
        // The replacement is already set there: nginx used it, the old one is dead.
        Instead::Rename(_) | Instead::Drop(_) => {
            f.fix_unsafe("remove it", vec![Edit::delete(removal_span(cx, d))]);
        }
        Instead::Other(_) if d.name == "limit_zone" && d.args.len() == 3 => {
            let (name, var, size) = (&d.args[0], &d.args[1], &d.args[2]);
            let text = format!(
                "limit_conn_zone {} zone={}:{}",
                cx.text(&var.span),
                name.value,
                size.value
            );
            let end = d.args.last().map_or(d.name_span.end, |a| a.span.end);
            f.fix_unsafe(
                "rewrite as limit_conn_zone",
                vec![Edit::replace(d.name_span.start..end, text)],
            );
        }
        Instead::Other(_) => {}
    }
}

/// `ssl on|off`: deprecated since 1.15.0, removed in 1.25.1. The fix moves `on` into the
/// server's `listen`s.
fn ssl_directive(cx: &Ctx, v: &Visit, version: Release, out: &mut Findings) {
    let d = v.directive;
    let removed = (1, 25, 1);
    let message = if version >= removed {
        "the \"ssl\" directive was removed in nginx 1.25.1: nginx refuses to start".to_string()
    } else {
        "the \"ssl\" directive is deprecated, use the \"listen ... ssl\" directive instead"
            .to_string()
    };
    let f = out
        .report(Code::NGX206, d.name_span.clone())
        .message(message)
        .help(
            "add the `ssl` parameter to the `listen` directives that take TLS and remove `ssl on;`",
        );
    let on = d.arg(0).is_some_and(|a| a.is("on"));
    let in_server = v.context & (ctx::HTTP_SERVER | ctx::MAIL_SERVER) != 0;
    if !in_server {
        return;
    }
    let mut edits = vec![Edit::delete(removal_span(cx, d))];
    if on {
        for l in level(cx, v.parents).iter().filter(|l| l.name == "listen") {
            if l.args.iter().any(|a| a.is("ssl")) {
                continue;
            }
            let Some(addr) = l.args.first() else {
                return;
            };
            edits.push(Edit::insert(addr.span.end, " ssl"));
        }
    }
    f.fix_unsafe(
        if on {
            "move ssl into the listen directives"
        } else {
            "remove it"
        },
        edits,
    );
}

/// `listen … http2` for a target of 1.25.1 or later (`http2 on;`), and `listen … spdy`
/// (removed in 1.9.5).
fn listen_http2(cx: &Ctx, v: &Visit, version: Release, out: &mut Findings) {
    let d = v.directive;
    if v.context & ctx::HTTP_SERVER == 0 {
        return;
    }
    let modern = version >= HTTP2_DIRECTIVE_SINCE;
    let Some(param) = d
        .args
        .iter()
        .skip(1)
        .find(|a| (a.is("http2") && modern) || (a.is("spdy") && version >= (1, 9, 5)))
    else {
        return;
    };
    let siblings = level(cx, v.parents);
    if param.is("spdy") && !modern {
        out.report(Code::NGX206, param.span.clone())
            .message("the \"spdy\" parameter of listen was removed in nginx 1.9.5: nginx refuses to start")
            .help("use the `http2` parameter")
            .fix_unsafe(
                "use http2",
                vec![Edit::replace(param.span.clone(), "http2")],
            );
        return;
    }
    let f = out
        .report(Code::NGX206, param.span.clone())
        .message(if param.is("spdy") {
            "the \"spdy\" parameter of listen was removed in nginx 1.9.5: nginx refuses to start"
        } else {
            "the \"listen ... http2\" directive is deprecated, use the \"http2\" directive instead"
        })
        .help("remove `http2` from `listen` and write `http2 on;` in the server");
    // Remove the parameter with the blanks before it.
    let text = cx.source.text.as_bytes();
    let mut start = param.span.start as usize;
    while start > 0 && matches!(text.get(start - 1), Some(b' ' | b'\t')) {
        start -= 1;
    }
    let mut edits = vec![Edit::delete(start as u32..param.span.end)];
    // `http2 on;` once per server: after the first listen that carries the parameter.
    let first = siblings.iter().find(|l| {
        l.name == "listen" && l.args.iter().skip(1).any(|a| a.is("http2") || a.is("spdy"))
    });
    let has_directive = siblings.iter().any(|s| s.name == "http2");
    if first.is_some_and(|l| std::ptr::eq(l, d)) && !has_directive {
        if own_line_start(cx, d).is_some() {
            let at = line_end(cx, d);
            let newline = if cx
                .source
                .text
                .get(..at as usize)
                .is_some_and(|t| t.ends_with('\n'))
            {
                ""
            } else {
                "\n"
            };
            edits.push(Edit::insert(
                at,
                format!("{newline}{}http2 on;\n", indentation(cx, d)),
            ));
        } else {
            edits.push(Edit::insert(d.span.end, " http2 on;"));
        }
    }
    f.fix_unsafe("write `http2 on;` instead", edits);
}

/// The directive with its line when it is alone on it, else just the directive.
fn removal_span(cx: &Ctx, d: &Directive) -> Span {
    let end = line_end(cx, d);
    let rest = cx
        .source
        .text
        .get(d.span.end as usize..end as usize)
        .unwrap_or("x");
    match own_line_start(cx, d) {
        Some(start) if rest.trim().is_empty() => start..end,
        _ => d.span.clone(),
    }
}

/// NGX207 undefined-zone: `limit_req zone=x`, `limit_conn x`, `proxy_cache x` (and the
/// fastcgi/uwsgi/scgi caches) naming a zone no directive of the configuration set defines.
/// Silent where part of the set may be unseen.
fn undefined_zone(
    v: &Visit,
    zones: &super::super::config_set::Zones,
    incomplete: bool,
    out: &mut Findings,
) {
    let d = v.directive;
    if incomplete || v.context == 0 {
        return;
    }
    let (arg, name, defined, definer) = match d.name.as_str() {
        "limit_req" => {
            let Some(a) = d.args.iter().find(|a| a.value.starts_with("zone=")) else {
                return;
            };
            let name = a.value.get(5..).unwrap_or("");
            (a, name, &zones.limit_req, "limit_req_zone")
        }
        "limit_conn" => {
            let Some(a) = d.args.first() else { return };
            (a, a.value.as_str(), &zones.limit_conn, "limit_conn_zone")
        }
        "proxy_cache" | "fastcgi_cache" | "uwsgi_cache" | "scgi_cache" => {
            let Some(a) = d.args.first() else { return };
            if a.is("off") {
                return;
            }
            let path = format!("{}_path", d.name);
            let definer: &'static str = match path.as_str() {
                "proxy_cache_path" => "proxy_cache_path",
                "fastcgi_cache_path" => "fastcgi_cache_path",
                "uwsgi_cache_path" => "uwsgi_cache_path",
                _ => "scgi_cache_path",
            };
            (a, a.value.as_str(), &zones.cache, definer)
        }
        _ => return,
    };
    if name.is_empty() || name.contains('$') || defined.iter().any(|z| z == name) {
        return;
    }
    out.report(Code::NGX207, arg.span.clone())
        .message(format!(
            "{} zone \"{name}\" is not defined by any {definer} of the configuration",
            d.name
        ))
        .help(match definer {
            "limit_req_zone" => format!("nginx refuses to start (zero size shared memory zone): define it in http, e.g. `limit_req_zone $binary_remote_addr zone={name}:10m rate=10r/s;`"),
            "limit_conn_zone" => format!("nginx refuses to start (zero size shared memory zone): define it in http, e.g. `limit_conn_zone $binary_remote_addr zone={name}:10m;`"),
            _ => format!("nginx refuses to start: define it with `{definer} /var/cache/nginx/{name} keys_zone={name}:10m;`"),
        });
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Options;
    use crate::registry::Code::*;

    fn at(version: &str) -> Options {
        Options {
            nginx_version: Some(version.into()),
            ..Options::default()
        }
    }

    const HTTP: &str = "events {}\nhttp {\n";

    fn full(body: &str) -> String {
        format!("{HTTP}{body}}}\n")
    }

    #[test]
    fn root_in_location() {
        let text = full("    server {\n        location / {\n            root /srv/www;\n        }\n        location /img {\n            root /srv/img;\n        }\n    }\n");
        assert_findings(NGX204, &text, &[(5, 13), (8, 13)]);
        // The server (or http) has one: a location may override it.
        assert_findings(
            NGX204,
            &full("    server {\n        root /srv/www;\n        location /img { root /srv/img; }\n    }\n"),
            &[],
        );
        assert_findings(
            NGX204,
            &full("    root /srv/www;\n    server {\n        location /img { root /srv/img; }\n    }\n"),
            &[],
        );
        // A fragment: the server may be elsewhere.
        assert_findings(NGX204, "location / { root /srv; }\n", &[]);
    }

    #[test]
    fn map_without_default() {
        assert_findings(
            NGX205,
            &full("    map $http_upgrade $connection_upgrade {\n        websocket upgrade;\n    }\n    geo $bad {\n        10.0.0.0/8 0;\n    }\n"),
            &[(3, 5), (6, 5)],
        );
        assert_eq!(
            first_message(NGX205, "map $a $b { x 1; }\n").as_deref(),
            Some("map without a default entry: $b is empty for every unmatched value")
        );
        assert_findings(
            NGX205,
            &full("    map $a $b {\n        default 0;\n        x 1;\n    }\n    map $c $d {\n        include maps/d.map;\n    }\n    geo $e {\n        default 1;\n    }\n"),
            &[],
        );
    }

    #[test]
    fn deprecated_directive_listen_http2() {
        let text = full("    server {\n        listen 443 ssl http2;\n        listen [::]:443 ssl http2;\n    }\n");
        // nginx 1.24 (the default) has no `http2` directive yet.
        assert_findings(NGX206, &text, &[]);
        assert_findings_with(NGX206, at("1.25.1"), &text, &[(4, 24), (5, 29)]);
        let (_, diags) = lint_with(at("1.26"), &text);
        let edits: Vec<_> = diags
            .iter()
            .filter(|d| d.code == NGX206)
            .filter_map(|d| d.fix.as_ref())
            .flat_map(|f| f.edits.iter())
            .collect();
        let (fixed, _) = crate::diagnostic::apply_edits(&text, edits);
        assert_eq!(
            fixed,
            full("    server {\n        listen 443 ssl;\n        http2 on;\n        listen [::]:443 ssl;\n    }\n")
        );
        assert_findings_with(
            NGX206,
            at("1.26"),
            &full("    server {\n        listen 443 ssl;\n        http2 on;\n    }\n"),
            &[],
        );
    }

    #[test]
    fn deprecated_directive_listen_one_line_and_spdy() {
        let one_line = full("    server { listen 443 ssl http2; }\n");
        let (_, diags) = lint_with(at("1.25.1"), &one_line);
        let edits: Vec<_> = diags
            .iter()
            .filter(|d| d.code == NGX206)
            .filter_map(|d| d.fix.as_ref())
            .flat_map(|f| f.edits.iter())
            .collect();
        let (fixed, _) = crate::diagnostic::apply_edits(&one_line, edits);
        assert_eq!(fixed, full("    server { listen 443 ssl; http2 on; }\n"));
        // `spdy` was replaced by `http2` in 1.9.5.
        let spdy = full("    server {\n        listen 443 ssl spdy;\n    }\n");
        assert_findings(NGX206, &spdy, &[(4, 24)]);
        assert_fixed(
            NGX206,
            &spdy,
            &full("    server {\n        listen 443 ssl http2;\n    }\n"),
        );
        assert_findings_with(NGX206, at("1.8"), &spdy, &[]);
        // stream servers have no http2.
        assert_findings_with(
            NGX206,
            at("1.26"),
            "events {}\nstream {\n    server { listen 443 http2; proxy_pass a:1; }\n}\n",
            &[],
        );
    }

    #[test]
    fn deprecated_directive_ssl() {
        let text = full("    server {\n        listen 443;\n        ssl on;\n    }\n");
        assert_findings(NGX206, &text, &[(5, 9)]);
        assert_eq!(
            first_message(NGX206, &text).as_deref(),
            Some(
                "the \"ssl\" directive is deprecated, use the \"listen ... ssl\" directive instead"
            )
        );
        let (_, diags) = lint_with(at("1.25.1"), &text);
        assert!(diags
            .iter()
            .any(|d| d.code == NGX206 && d.message.contains("removed in nginx 1.25.1")));
        assert_fixed(
            NGX206,
            &text,
            &full("    server {\n        listen 443 ssl;\n    }\n"),
        );
        // Older targets accepted it silently.
        assert_findings_with(NGX206, at("1.14"), &text, &[]);
    }

    #[test]
    fn deprecated_directive_obsolete() {
        let text = full("    http2_idle_timeout 3m;\n    http2_push_preload on;\n    spdy_headers_comp 1;\n    limit_zone one $binary_remote_addr 10m;\n");
        assert_findings_with(NGX206, at("1.26"), &text, &[(3, 5), (4, 5), (5, 5), (6, 5)]);
        // http2_push_preload became obsolete in 1.25.1, after the default target 1.24.
        assert_findings(NGX206, &text, &[(3, 5), (5, 5), (6, 5)]);
        assert_findings_with(
            NGX206,
            at("1.19.6"),
            "http {\n    http2_idle_timeout 3m;\n}\n",
            &[],
        );
        assert_fixed(
            NGX206,
            &full("    http2_idle_timeout 3m;\n    limit_zone one $binary_remote_addr 10m;\n"),
            &full("    keepalive_timeout 3m;\n    limit_conn_zone $binary_remote_addr zone=one:10m;\n"),
        );
        // The replacement already set: the dead one goes.
        assert_fixed(
            NGX206,
            &full("    keepalive_timeout 65;\n    http2_idle_timeout 3m;\n"),
            &full("    keepalive_timeout 65;\n"),
        );
    }

    #[test]
    fn every_obsolete_handler_is_in_the_table() {
        for name in super::super::super::directives::names() {
            let specs = super::super::super::directives::lookup(name);
            if specs.iter().any(|s| s.obsolete()) {
                assert!(
                    super::DEPRECATED.iter().any(|e| e.0 == name),
                    "{name} is obsolete but has no release in DEPRECATED"
                );
            }
        }
    }

    #[test]
    fn undefined_zone() {
        let text = full("    limit_req_zone $binary_remote_addr zone=login:10m rate=5r/m;\n    proxy_cache_path /var/cache/nginx keys_zone=pages:10m;\n    server {\n        location /login {\n            limit_req zone=logins burst=5;\n            limit_conn perip 10;\n            proxy_cache page;\n        }\n        location / {\n            limit_req zone=login;\n            proxy_cache pages;\n            proxy_cache off;\n            limit_req zone=$zone;\n        }\n    }\n");
        assert_findings(NGX207, &text, &[(7, 23), (8, 24), (9, 25)]);
        assert_eq!(
            first_message(NGX207, &text).as_deref(),
            Some("limit_req zone \"logins\" is not defined by any limit_req_zone of the configuration")
        );
        // A fragment alone: the zone may be defined where it is included.
        assert_findings(NGX207, "location / { limit_req zone=x; }\n", &[]);
        // A config whose include did not resolve: silent.
        assert_findings(
            NGX207,
            &full("    include zones.conf;\n    server { location / { limit_req zone=x; } }\n"),
            &[],
        );
    }

    #[test]
    fn undefined_zone_across_the_set() {
        let root = "events {}\nhttp {\n    limit_req_zone $binary_remote_addr zone=one:10m rate=1r/s;\n    include zones/*.conf;\n    include conf.d/*.conf;\n}\n";
        let zones = "limit_conn_zone $binary_remote_addr zone=addr:10m;\n";
        let site = "server {\n    listen 80;\n    location / {\n        limit_req zone=one;\n        limit_conn addr 5;\n        limit_req zone=two;\n    }\n}\n";
        let files = [
            ("nginx.conf", root),
            ("zones/limits.conf", zones),
            ("conf.d/site.conf", site),
        ];
        // The fragment, included by the root: zones of the root and of another included file
        // are defined.
        let found = lint_on_disk(&files, "conf.d/site.conf");
        let ngx207: Vec<_> = found.iter().filter(|f| f.0 == NGX207).collect();
        assert_eq!(ngx207, [&(NGX207, 6, 19)]);
        // The same fragment alone (no root config beside it): nothing is guessed.
        let found = lint_on_disk(&[("site.conf", site)], "site.conf");
        assert!(!found.iter().any(|f| f.0 == NGX207), "{found:?}");
    }

    #[test]
    fn keepalive_fix_keeps_headers_of_an_included_snippet() {
        let root = "events {}\nhttp {\n    upstream app { server a:1; keepalive 4; }\n    server {\n        location / {\n            include snippets/proxy.conf;\n            proxy_pass http://app;\n        }\n    }\n}\n";
        let snippet = "proxy_http_version 1.1;\nproxy_set_header Host $host;\n";
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("snippets")).unwrap();
        std::fs::write(dir.path().join("nginx.conf"), root).unwrap();
        std::fs::write(dir.path().join("snippets/proxy.conf"), snippet).unwrap();
        let source = crate::source::SourceFile::new("nginx.conf", root);
        let ctx = crate::lang::LintContext {
            disk_path: Some(dir.path().join("nginx.conf")),
            ..Default::default()
        };
        let out = super::super::super::lint(&source, &ctx);
        let d = out.diagnostics.iter().find(|d| d.code == NGX201).unwrap();
        let fix = d.fix.as_ref().unwrap();
        let (fixed, _) = crate::diagnostic::apply_edits(root, fix.edits.iter());
        // The snippet's version is in effect; the header joins the snippet's at its level.
        assert_eq!(
            fixed,
            root.replace(
                "            proxy_pass",
                "            proxy_set_header Connection \"\";\n            proxy_pass"
            )
        );
    }

    #[test]
    fn rules_about_something_missing_stay_silent_on_an_unmatched_glob() {
        let root = "events {}\nhttp {\n    gzip on;\n    include /opt/opslint-test-absent/sites/*;\n    server { location / { limit_req zone=x; } }\n}\n";
        let found = lint_on_disk(&[("nginx.conf", root)], "nginx.conf");
        assert!(
            !found.iter().any(|f| f.0 == NGX202 || f.0 == NGX207),
            "{found:?}"
        );
        // The same glob matching a file that has neither: reported.
        let found = lint_on_disk(
            &[
                (
                    "nginx.conf",
                    &root.replace("/opt/opslint-test-absent/sites/*", "sites/*"),
                ),
                ("sites/a", "# nothing\n"),
            ],
            "nginx.conf",
        );
        assert!(found.iter().any(|f| f.0 == NGX202), "{found:?}");
        assert!(found.iter().any(|f| f.0 == NGX207), "{found:?}");
    }
}
