//! Proxying rules: a keepalive pool that HTTP/1.0 and `Connection: close` keep unused
//! (NGX201), `try_files` next to `proxy_pass` (NGX209), proxied servers without a request body
//! limit (NGX210).

use super::super::directives::ctx;
use super::super::parse::{Directive, Visit};
use super::super::Ctx;
use super::common::{self, indentation, is_in, level, own_line_start, set_configs};
use crate::diagnostic::{Edit, Findings, Span};
use crate::registry::Code;

pub fn check(cx: &Ctx, out: &mut Findings) {
    let incomplete = common::may_be_incomplete(cx);
    upstream_keepalive_without_http11(cx, incomplete, out);
    try_files_with_proxy_pass(cx, out);
    missing_client_max_body_size(cx, incomplete, out);
}

/// The release from which nginx speaks HTTP/1.1 with keepalive to upstreams by default.
const KEEPALIVE_DEFAULT_SINCE: (u32, u32, u32) = (1, 29, 7);

const HTTP_LOCATIONS: u32 = ctx::HTTP_LOCATION | ctx::HTTP_LOCATION_IF | ctx::HTTP_LIMIT_EXCEPT;

/// An http `upstream` with `keepalive`: its name and, in the linted file, the `keepalive`.
struct Pool {
    name: String,
    keepalive: Option<Span>,
}

fn keepalive_pools(cx: &Ctx) -> Vec<Pool> {
    let mut pools = Vec::new();
    for (config, linted) in set_configs(cx) {
        let base = if linted { cx.context.base } else { ctx::MAIN };
        config.walk(base, |v| {
            let d = v.directive;
            if d.name != "upstream" || !d.is_block() || v.context & (ctx::HTTP | ctx::MAIN) == 0 {
                return;
            }
            // `upstream` at the top level of a main-context walk is a fragment's http level
            // guessed as main; a stream upstream stands in `stream`.
            if v.parents.iter().any(|p| p.name == "stream") {
                return;
            }
            let (Some(name), Some(k)) = (d.arg_value(0), d.find("keepalive")) else {
                return;
            };
            pools.push(Pool {
                name: name.to_string(),
                keepalive: linted.then(|| k.span.clone()),
            });
        });
    }
    pools
}

/// The host of `http://host/…` / `https://host` when it could name an upstream (no port, no
/// variable).
fn upstream_host(target: &str) -> Option<&str> {
    let rest = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))?;
    let host = rest.split(['/', '?']).next().unwrap_or(rest);
    (!host.is_empty() && !host.contains(['$', ':'])).then_some(host)
}

/// What the `Connection` header sent upstream is.
enum Connection<'a> {
    /// `proxy_set_header Connection "";` (or another value that allows keepalive).
    KeepsAlive,
    /// No `Connection` in the `proxy_set_header`s in effect: nginx sends `close`.
    Missing,
    /// `Connection close`, literally (the directive) or from a `map` (the directive setting
    /// the variable; no fix then).
    Close(&'a Directive, bool),
}

fn connection<'a>(cx: &'a Ctx, headers: &[super::super::config_set::Found<'a>]) -> Connection<'a> {
    let Some(f) = headers
        .iter()
        .rev()
        .find(|f| f.directive.arg(0).is_some_and(|a| a.is("connection")))
    else {
        return Connection::Missing;
    };
    let value = f.directive.arg_value(1).unwrap_or("");
    if value.eq_ignore_ascii_case("close") {
        return Connection::Close(f.directive, true);
    }
    // A WebSocket location (it forwards `Upgrade`) sends `close` only for the odd plain
    // request; without `Upgrade`, the map's `close` is what every request gets.
    let upgrade = headers
        .iter()
        .any(|f| f.directive.arg(0).is_some_and(|a| a.is("upgrade")));
    if let Some(var) = value.strip_prefix('$').filter(|_| !upgrade) {
        if map_may_give_close(cx, var) {
            return Connection::Close(f.directive, false);
        }
    }
    Connection::KeepsAlive
}

/// Whether a `map` defining `$var` has `close` among its values (the usual WebSocket map:
/// `'' close;` for requests without `Upgrade`).
fn map_may_give_close(cx: &Ctx, var: &str) -> bool {
    let var = var.trim_start_matches('{').trim_end_matches('}');
    let mut found = false;
    for (config, _) in set_configs(cx) {
        config.walk(ctx::MAIN, |v| {
            let d = v.directive;
            if d.name == "map"
                && d.is_data_block()
                && d.arg_value(1).and_then(|o| o.strip_prefix('$')) == Some(var)
                && d.children()
                    .iter()
                    .any(|e| e.args.first().is_some_and(|a| a.is("close")) && e.name != "include")
            {
                found = true;
            }
        });
    }
    found
}

/// NGX201 upstream-keepalive-without-http11: a `proxy_pass` to an upstream with `keepalive`
/// from a location that, after inheritance, speaks HTTP/1.0 or sends `Connection: close`, so
/// the pool is never used. Before nginx 1.29.7 a missing `proxy_http_version 1.1` or
/// `proxy_set_header Connection ""` is enough; at any version an explicit 1.0 or `close`.
fn upstream_keepalive_without_http11(cx: &Ctx, incomplete: bool, out: &mut Findings) {
    let pools = keepalive_pools(cx);
    if pools.is_empty() {
        return;
    }
    let old_default = common::target_version(cx) < KEEPALIVE_DEFAULT_SINCE;
    cx.walk(|v| {
        let d = v.directive;
        if d.name != "proxy_pass" || v.context & HTTP_LOCATIONS == 0 {
            return;
        }
        let Some(host) = d.arg_value(0).and_then(upstream_host) else {
            return;
        };
        let Some(pool) = pools.iter().find(|p| p.name == host) else {
            return;
        };
        let versions = cx.in_scope(v.parents, "proxy_http_version");
        let version = versions.last();
        let version_value = version.and_then(|f| f.directive.arg_value(0));
        let http10 = version_value == Some("1.0");
        let version_missing = version_value.is_none();
        let headers = cx.in_scope(v.parents, "proxy_set_header");
        let conn = connection(cx, &headers);
        let conn_close = matches!(conn, Connection::Close(..));
        let conn_missing = matches!(conn, Connection::Missing);
        let explicit = http10 || conn_close;
        let by_default = old_default && !incomplete && (version_missing || conn_missing);
        if !explicit && !by_default {
            return;
        }
        let mut problems: Vec<&str> = Vec::new();
        if http10 {
            problems.push("`proxy_http_version 1.0`");
        } else if version_missing && old_default {
            problems.push("no `proxy_http_version 1.1`");
        }
        match conn {
            Connection::Close(_, true) => problems.push("`Connection: close`"),
            Connection::Close(_, false) => {
                problems.push("a `Connection` map that gives `close`")
            }
            Connection::Missing if old_default => {
                problems.push("no `proxy_set_header Connection \"\"`")
            }
            _ => {}
        }
        let f = out
            .report(Code::NGX201, d.span.clone())
            .message(format!(
                "proxy_pass to upstream \"{host}\", which has keepalive, with {}: its keepalive connections are never reused",
                problems.join(" and ")
            ))
            .help("toward a keepalive upstream set `proxy_http_version 1.1;` and `proxy_set_header Connection \"\";` (before nginx 1.29.7 the defaults are HTTP/1.0 and `Connection: close`)");
        if let Some(k) = &pool.keepalive {
            f.label(k.clone(), "keepalive pool");
        }
        if let Some(edits) = keepalive_fix(cx, v, version.map(|f| f.directive), &headers, &conn, old_default) {
            f.fix_unsafe(
                "speak HTTP/1.1 without `Connection: close` to the upstream",
                edits,
            );
        }
    });
}

/// The edits of NGX201's fix, `None` when a part cannot be fixed here (a value from a `map`,
/// headers inherited from another file).
fn keepalive_fix(
    cx: &Ctx,
    v: &Visit,
    version: Option<&Directive>,
    headers: &[super::super::config_set::Found],
    conn: &Connection,
    old_default: bool,
) -> Option<Vec<Edit>> {
    let d = v.directive;
    let here = level(cx, v.parents);
    let line_start = own_line_start(cx, d)?;
    let indent = indentation(cx, d);
    let mut edits = Vec::new();
    let mut inserted = String::new();
    // proxy_http_version: replace a 1.0 at this level, else set 1.1 here.
    match version {
        Some(ver) if ver.arg_value(0) == Some("1.1") => {}
        Some(ver) if is_in(here, ver) && ver.arg_value(0) == Some("1.0") => {
            edits.push(Edit::replace(ver.args.first()?.span.clone(), "1.1"));
        }
        Some(ver) if ver.arg_value(0) != Some("1.0") && !old_default => {}
        None if !old_default => {}
        _ => inserted.push_str(&format!("{indent}proxy_http_version 1.1;\n")),
    }
    match conn {
        Connection::KeepsAlive => {}
        Connection::Close(dir, true) => {
            // Only a directive of this file can be edited.
            let in_file = headers
                .iter()
                .any(|f| std::ptr::eq(f.directive, *dir) && f.file.is_none());
            if !in_file {
                return None;
            }
            edits.push(Edit::replace(dir.args.get(1)?.span.clone(), "\"\""));
        }
        Connection::Close(_, false) => return None,
        Connection::Missing if !old_default => {}
        Connection::Missing => {
            let line = "proxy_set_header Connection \"\";";
            // The level's own headers, its `include`d files' included (they add up).
            let level_headers: Vec<&Directive> = match cx.set {
                Some(set) => set
                    .expanded(here, set.linted)
                    .into_iter()
                    .map(|f| f.directive)
                    .collect(),
                None => here.iter().collect(),
            };
            let at_this_level =
                |d: &Directive| is_in(here, d) || level_headers.iter().any(|x| std::ptr::eq(*x, d));
            if headers.is_empty() || headers.iter().all(|f| at_this_level(f.directive)) {
                inserted.push_str(&format!("{indent}{line}\n"));
            } else if headers.iter().all(|f| f.file.is_none()) {
                // Headers inherited from an outer level of this file: adding one here would
                // drop them, so the header joins them.
                let last = headers.last()?.directive;
                let at = common::line_end(cx, last);
                let outer = indentation(cx, last);
                let text = &cx.source.text;
                let newline = if text.get(..at as usize).is_some_and(|t| t.ends_with('\n')) {
                    ""
                } else {
                    "\n"
                };
                edits.push(Edit::insert(at, format!("{newline}{outer}{line}\n")));
            } else {
                return None;
            }
        }
    }
    if !inserted.is_empty() {
        edits.push(Edit::insert(line_start, inserted));
    }
    (!edits.is_empty()).then_some(edits)
}

/// NGX209 try-files-with-proxy-pass: `try_files` and `proxy_pass` in one location.
fn try_files_with_proxy_pass(cx: &Ctx, out: &mut Findings) {
    cx.walk(|v| {
        let d = v.directive;
        if d.name != "location" || v.context & (ctx::HTTP_SERVER | ctx::HTTP_LOCATION) == 0 {
            return;
        }
        let (Some(try_files), Some(pass)) = (d.find("try_files"), d.find("proxy_pass")) else {
            return;
        };
        out.report(Code::NGX209, try_files.name_span.clone())
            .message("try_files and proxy_pass in the same location")
            .label(pass.name_span.clone(), "proxy_pass here")
            .help("try_files checks local files and rewrites the URI that proxy_pass then sends: give the proxy its own named location (`try_files $uri @app;` and `location @app { proxy_pass …; }`)");
    });
}

const PASSES: &[&str] = &[
    "proxy_pass",
    "fastcgi_pass",
    "uwsgi_pass",
    "scgi_pass",
    "grpc_pass",
];

/// NGX210 missing-client-max-body-size: a server that passes requests to a backend from a
/// location where no `client_max_body_size` is in effect (nginx's 1 MB default then rejects
/// larger uploads with 413). Points at the `server`, once.
fn missing_client_max_body_size(cx: &Ctx, incomplete: bool, out: &mut Findings) {
    if incomplete {
        return;
    }
    let mut servers: Vec<&Directive> = Vec::new();
    cx.walk(|v| {
        let d = v.directive;
        if !PASSES.contains(&d.name.as_str()) || v.context & HTTP_LOCATIONS == 0 {
            return;
        }
        let Some(server) = v.parents.iter().find(|p| p.name == "server") else {
            return;
        };
        if servers.iter().any(|s| std::ptr::eq(*s, *server)) {
            return;
        }
        if cx.in_scope(v.parents, "client_max_body_size").is_empty() {
            servers.push(server);
        }
    });
    for server in servers {
        out.report(Code::NGX210, server.name_span.clone())
            .message("server proxies requests without client_max_body_size: uploads over 1 MB get 413")
            .help("set `client_max_body_size` in the server (or the locations that take uploads) to the largest body the backend accepts");
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Options;
    use crate::registry::Code::*;

    fn full(body: &str) -> String {
        format!("events {{}}\nhttp {{\n    upstream app {{\n        server 10.0.0.1:8080;\n        keepalive 16;\n    }}\n{body}}}\n")
    }

    fn at(version: &str) -> Options {
        Options {
            nginx_version: Some(version.into()),
            ..Options::default()
        }
    }

    #[test]
    fn upstream_keepalive_without_http11() {
        // Line 9: the proxy_pass.
        let bare = full("    server {\n        location / {\n            proxy_pass http://app;\n        }\n    }\n");
        assert_findings(NGX201, &bare, &[(9, 13)]);
        // One of the two is not enough.
        let only_version = full("    server {\n        location / {\n            proxy_http_version 1.1;\n            proxy_pass http://app/api;\n        }\n    }\n");
        assert_findings(NGX201, &only_version, &[(10, 13)]);
        assert_eq!(
            first_message(NGX201, &only_version).as_deref(),
            Some("proxy_pass to upstream \"app\", which has keepalive, with no `proxy_set_header Connection \"\"`: its keepalive connections are never reused")
        );
        // A level with any proxy_set_header drops the inherited Connection "".
        let dropped = full("    proxy_http_version 1.1;\n    proxy_set_header Connection \"\";\n    server {\n        location / {\n            proxy_set_header Host $host;\n            proxy_pass http://app;\n        }\n    }\n");
        assert_findings(NGX201, &dropped, &[(12, 13)]);
        // Explicit 1.0 or close: at any version.
        let close = full("    server {\n        location / {\n            proxy_set_header Connection close;\n            proxy_pass http://app;\n        }\n    }\n");
        assert_findings_with(NGX201, at("1.29.7"), &close, &[(10, 13)]);
        let v10 = full("    server {\n        location / {\n            proxy_http_version 1.0;\n            proxy_pass http://app;\n        }\n    }\n");
        assert_findings_with(NGX201, at("1.30"), &v10, &[(10, 13)]);
        // A map giving close, in a location that does not forward Upgrade.
        let map = full("    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' close;\n    }\n    server {\n        location / {\n            proxy_http_version 1.1;\n            proxy_set_header Connection $connection_upgrade;\n            proxy_pass http://app;\n        }\n    }\n");
        assert_findings(NGX201, &map, &[(15, 13)]);
    }

    #[test]
    fn upstream_keepalive_without_http11_not_flagged() {
        // Done right, inherited from http.
        let right = full("    proxy_http_version 1.1;\n    proxy_set_header Connection \"\";\n    server {\n        location / {\n            proxy_pass http://app;\n        }\n    }\n");
        assert_findings(NGX201, &right, &[]);
        // A WebSocket location: the map's close only reaches plain requests.
        let ws = full("    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' close;\n    }\n    server {\n        location /ws {\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $connection_upgrade;\n            proxy_pass http://app;\n        }\n    }\n");
        assert_findings(NGX201, &ws, &[]);
        // A map that keeps keepalive for plain requests.
        let ws = full("    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' \"\";\n    }\n    server {\n        location / {\n            proxy_http_version 1.1;\n            proxy_set_header Connection $connection_upgrade;\n            proxy_pass http://app;\n        }\n    }\n");
        assert_findings(NGX201, &ws, &[]);
        // nginx 1.29.7 and later default to keepalive.
        let bare = full("    server {\n        location / {\n            proxy_pass http://app;\n        }\n    }\n");
        assert_findings_with(NGX201, at("1.29.7"), &bare, &[]);
        // Not an upstream with keepalive: a host, a port, a variable, another upstream.
        assert_findings(
            NGX201,
            &full("    upstream other { server b; }\n    server {\n        location /a { proxy_pass http://app:8080; }\n        location /b { proxy_pass http://$app; }\n        location /c { proxy_pass http://other; }\n        location /d { proxy_pass http://example.com; }\n    }\n"),
            &[],
        );
        // A fragment: what is missing may be in the file that includes it.
        assert_findings(
            NGX201,
            "upstream app { server a; keepalive 8; }\nserver { location / { proxy_pass http://app; } }\n",
            &[],
        );
        // stream proxy_pass has no HTTP.
        assert_findings(
            NGX201,
            "events {}\nstream {\n    upstream app { server a:1; keepalive 2; }\n    server { listen 1; proxy_pass app; }\n}\n",
            &[],
        );
    }

    #[test]
    fn upstream_keepalive_without_http11_fix() {
        let bare = full("    server {\n        location / {\n            proxy_pass http://app;\n        }\n    }\n");
        assert_fixed(
            NGX201,
            &bare,
            &full("    server {\n        location / {\n            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n            proxy_pass http://app;\n        }\n    }\n"),
        );
        // Inherited headers: the Connection header joins them rather than dropping them.
        let inherited = full("    server {\n        proxy_set_header Host $host;\n        location / {\n            proxy_pass http://app;\n        }\n    }\n");
        assert_fixed(
            NGX201,
            &inherited,
            &full("    server {\n        proxy_set_header Host $host;\n        proxy_set_header Connection \"\";\n        location / {\n            proxy_http_version 1.1;\n            proxy_pass http://app;\n        }\n    }\n"),
        );
        let explicit = full("    server {\n        location / {\n            proxy_http_version 1.0;\n            proxy_set_header Connection close;\n            proxy_pass http://app;\n        }\n    }\n");
        assert_fixed(
            NGX201,
            &explicit,
            &full("    server {\n        location / {\n            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n            proxy_pass http://app;\n        }\n    }\n"),
        );
    }

    #[test]
    fn try_files_with_proxy_pass() {
        assert_findings(
            NGX209,
            "server {\n    location / {\n        try_files $uri $uri/ =404;\n        proxy_pass http://app;\n    }\n}\n",
            &[(3, 9)],
        );
        assert_findings(
            NGX209,
            "server {\n    location / {\n        try_files $uri @app;\n    }\n    location @app {\n        proxy_pass http://app;\n    }\n}\n",
            &[],
        );
    }

    #[test]
    fn missing_client_max_body_size() {
        let text = "events {}\nhttp {\n    server {\n        location / { proxy_pass http://a; }\n        location /b { proxy_pass http://b; }\n    }\n    server {\n        client_max_body_size 20m;\n        location / { proxy_pass http://a; }\n    }\n    server {\n        location / { root /srv; }\n    }\n}\n";
        assert_findings(NGX210, text, &[(3, 5)]);
        assert_findings(
            NGX210,
            "events {}\nhttp {\n    client_max_body_size 8m;\n    server { location / { fastcgi_pass unix:/run/php.sock; } }\n}\n",
            &[],
        );
        // A fragment: it may be set where it is included.
        assert_findings(
            NGX210,
            "server { location / { proxy_pass http://a; } }\n",
            &[],
        );
    }
}
