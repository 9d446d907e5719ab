//! Response and request header rules: version disclosure (NGX101), `add_header` levels that
//! drop inherited headers (NGX104), header/response splitting through variables that can hold a
//! newline (NGX107), `Host` from the client's header (NGX108), missing security headers
//! (NGX111).

use super::super::directives::ctx;
use super::super::parse::Directive;
use super::super::variables::{self, refs, RegexScope, Vars};
use super::super::Ctx;
use super::{indent_at, indent_unit, local_only, own, starts_line, subtree, value_span};
use crate::diagnostic::{Edit, Findings};
use crate::registry::Code;

pub fn check(cx: &Ctx, vars: &Vars, out: &mut Findings) {
    server_tokens(cx, out);
    cx.walk(|v| {
        if !variables::is_http(v.context) {
            return;
        }
        let d = v.directive;
        match d.name.as_str() {
            "server" | "location" | "if" => add_header_redefinition(cx, v.parents, d, out),
            _ => {}
        }
        http_splitting(cx, vars, v.parents, d, out);
        if d.name == "proxy_set_header" {
            host_spoofing(cx, d, out);
        }
        if d.name == "server" && v.context == ctx::HTTP {
            missing_security_headers(cx, v.parents, d, out);
        }
    });
}

/// NGX101 server-tokens: `server_tokens on|build`, or a complete config that never sets
/// `server_tokens off`.
fn server_tokens(cx: &Ctx, out: &mut Findings) {
    let mut seen = false;
    cx.walk(|v| {
        let d = v.directive;
        if d.name != "server_tokens" || v.context == 0 {
            return;
        }
        seen = true;
        let Some(a) = d.arg(0) else { return };
        if a.is("on") || a.is("build") {
            out.report(Code::NGX101, d.span.clone())
                .message(format!(
                    "`server_tokens {}` shows the nginx version in error pages and the `Server` header",
                    a.value
                ))
                .help("set `server_tokens off;`")
                .fix_safe(
                    "set `server_tokens off`",
                    vec![Edit::replace(a.span.clone(), "off")],
                );
        }
    });
    if seen || !cx.context.is_full_config() || cx.may_be_incomplete() {
        return;
    }
    if let Some(set) = cx.set {
        let elsewhere = set.files.iter().enumerate().any(|(i, f)| {
            i != set.linted && {
                let mut found = false;
                f.config
                    .walk(f.context, |v| found |= v.directive.name == "server_tokens");
                found
            }
        });
        if elsewhere {
            return;
        }
    }
    let Some(http) = cx.config.find("http") else {
        return;
    };
    let Some(block) = &http.block else { return };
    let indent = match http.children().first() {
        Some(first) if starts_line(cx, first.name_span.start) => {
            indent_at(cx, first.name_span.start)
        }
        _ => format!("{}{}", indent_at(cx, http.name_span.start), indent_unit(cx)),
    };
    out.report(Code::NGX101, http.name_span.clone())
        .message("`server_tokens` is never set to `off`: nginx shows its version in error pages and the `Server` header")
        .help("add `server_tokens off;` to the `http` block")
        .fix_safe(
            "insert `server_tokens off;` into `http`",
            vec![Edit::insert(
                block.open.end,
                format!("\n{indent}server_tokens off;"),
            )],
        );
}

/// NGX104 add-header-redefinition: a nested level whose own `add_header`s drop header names the
/// level above sets, unless `add_header_inherit merge|off` is in effect.
fn add_header_redefinition(
    cx: &Ctx,
    parents: &[&Directive],
    block: &Directive,
    out: &mut Findings,
) {
    let mine = own(cx, parents, block, "add_header");
    if mine.is_empty() {
        return;
    }
    let mut with: Vec<&Directive> = parents.to_vec();
    with.push(block);
    if let Some(mode) = cx.in_scope(&with, "add_header_inherit").first() {
        if mode
            .directive
            .arg(0)
            .is_some_and(|a| a.is("merge") || a.is("off"))
        {
            return;
        }
    }
    let inherited = cx.in_scope(parents, "add_header");
    let names = |list: &mut dyn Iterator<Item = &Directive>| -> Vec<String> {
        list.filter_map(|d| d.arg_value(0))
            .map(str::to_string)
            .collect()
    };
    let kept = names(&mut mine.iter().copied());
    let mut dropped: Vec<String> = Vec::new();
    for name in names(&mut inherited.iter().map(|f| f.directive)) {
        if !kept.iter().any(|k| k.eq_ignore_ascii_case(&name))
            && !dropped.iter().any(|k| k.eq_ignore_ascii_case(&name))
        {
            dropped.push(name);
        }
    }
    if dropped.is_empty() {
        return;
    }
    // At the first `add_header` of this level written in this file, else at the block.
    let here = block.children();
    let at = mine
        .iter()
        .find(|d| here.iter().any(|c| std::ptr::eq(c, **d)))
        .map_or(block.name_span.clone(), |d| d.name_span.clone());
    let list = dropped
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    out.report(Code::NGX104, at)
        .message(format!(
            "`add_header` in this `{}` drops {list} set at the level above (nginx inherits `add_header` only into levels that have none)",
            block.name
        ))
        .help("repeat the dropped headers here (an `include` of a shared headers file), or use `add_header_inherit merge;` (nginx ≥ 1.29.3)");
}

/// NGX107 http-splitting: a variable that can hold a newline in a header value, a proxied URL,
/// a rewrite or a redirect.
fn http_splitting(
    cx: &Ctx,
    vars: &Vars,
    parents: &[&Directive],
    d: &Directive,
    out: &mut Findings,
) {
    let (arg, what) = match d.name.as_str() {
        "add_header" | "proxy_set_header" => (d.arg(1), "a header value"),
        "proxy_pass" => (d.arg(0), "the proxied request"),
        // An internal rewrite only changes the URI (nginx escapes captures in its
        // arguments); a redirect puts the replacement into `Location`.
        "rewrite" if is_redirecting_rewrite(d) => (d.arg(1), "the `Location` header"),
        "return" => match (d.arg(0), d.arg(1)) {
            (Some(code), Some(url)) if is_redirect_code(&code.value) => {
                (Some(url), "the `Location` header")
            }
            (Some(url), None) if is_url(&url.value) => (Some(url), "the `Location` header"),
            _ => (None, ""),
        },
        _ => (None, ""),
    };
    let Some(arg) = arg else { return };
    if !arg.value.contains('$') {
        return;
    }
    let mut scopes: Vec<RegexScope> = Vec::new();
    if d.name == "rewrite" {
        if let Some(re) = d.arg_value(0) {
            scopes.push(RegexScope {
                groups: variables::groups(re),
                subject: variables::builtin("uri"),
            });
        }
    }
    scopes.extend(variables::regex_scopes(parents, vars));
    for r in refs(&arg.value) {
        let t = variables::taint_at(vars, r.name, &scopes);
        if !t.newline {
            continue;
        }
        let why = match r.name {
            "uri" | "document_uri" => {
                "holds the decoded path, where `%0A` is a newline".to_string()
            }
            "request_body" => "is the request body, which can hold newlines".to_string(),
            _ => "can hold a newline (a decoded `%0A` matched by its pattern)".to_string(),
        };
        out.report(
            Code::NGX107,
            value_span(cx, arg, r.start, r.end),
        )
        .message(format!(
            "`${}` {why}: used in {what} of `{}`, it lets a client inject headers (HTTP response splitting)",
            r.name, d.name
        ))
        .help(match r.name {
            "uri" | "document_uri" => "use `$request_uri` (kept encoded) instead".to_string(),
            _ => "capture with a class that excludes newlines (`[^/\\s]`, `\\w`), or use `$request_uri`".to_string(),
        });
    }
}

fn is_redirecting_rewrite(d: &Directive) -> bool {
    d.arg(1).is_some_and(|r| is_url(&r.value))
        || d.arg(2)
            .is_some_and(|f| f.is("redirect") || f.is("permanent"))
}

fn is_redirect_code(s: &str) -> bool {
    matches!(s, "301" | "302" | "303" | "307" | "308")
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("$scheme")
}

/// NGX108 host-spoofing: `proxy_set_header Host $http_host`.
fn host_spoofing(cx: &Ctx, d: &Directive, out: &mut Findings) {
    let (Some(name), Some(value)) = (d.arg(0), d.arg(1)) else {
        return;
    };
    if !name.is("host") {
        return;
    }
    for r in refs(&value.value).iter().filter(|r| r.name == "http_host") {
        let span = value_span(cx, value, r.start, r.end);
        let exact = span != value.span || value.value == "$http_host";
        let f = out
            .report(Code::NGX108, span.clone())
            .message("`$http_host` is the client's `Host` header as sent: any value reaches the upstream")
            .help("use `$host`, which nginx takes from the request line or a validated `Host` (or the server name)");
        if exact {
            f.fix_unsafe("use `$host`", vec![Edit::replace(span, "$host")]);
        }
    }
}

/// NGX111 missing-security-headers: a server answering HTTP with none of `X-Frame-Options`,
/// CSP `frame-ancestors`, `X-Content-Type-Options`; a TLS server without
/// `Strict-Transport-Security`.
fn missing_security_headers(
    cx: &Ctx,
    parents: &[&Directive],
    server: &Directive,
    out: &mut Findings,
) {
    if cx.may_be_incomplete() {
        return;
    }
    let inside = subtree(cx, server);
    // A server that only redirects or rejects serves no page to frame or sniff.
    if !own(cx, parents, server, "return").is_empty() || local_only(cx, server) {
        return;
    }
    let mut headers: Vec<String> = Vec::new();
    let mut with: Vec<&Directive> = parents.to_vec();
    with.push(server);
    for f in cx.in_scope(&with, "add_header") {
        headers.extend(header_text(f.directive));
    }
    for d in &inside {
        if matches!(d.name.as_str(), "add_header" | "more_set_headers") {
            headers.extend(header_text(d));
        }
    }
    for f in cx.in_scope(&with, "more_set_headers") {
        headers.extend(header_text(f.directive));
    }
    let has = |name: &str| {
        headers.iter().any(|h| {
            h.to_ascii_lowercase()
                .starts_with(&name.to_ascii_lowercase())
        })
    };
    let framing = has("x-frame-options")
        || headers.iter().any(|h| {
            let l = h.to_ascii_lowercase();
            l.starts_with("content-security-policy") && l.contains("frame-ancestors")
        });
    let sniffing = has("x-content-type-options");
    let tls = server.children().iter().any(|d| {
        (d.name == "listen" && d.args.iter().any(|a| a.is("ssl") || a.is("quic")))
            || (d.name == "ssl" && d.arg(0).is_some_and(|a| a.is("on")))
    });
    let mut missing: Vec<&str> = Vec::new();
    if !framing && !sniffing {
        missing.push("`X-Frame-Options` (or a CSP `frame-ancestors`)");
        missing.push("`X-Content-Type-Options`");
    }
    if tls && !has("strict-transport-security") {
        missing.push("`Strict-Transport-Security`");
    }
    if missing.is_empty() {
        return;
    }
    out.report(Code::NGX111, server.name_span.clone())
        .message(format!(
            "this server sends no {} header",
            missing.join(", no ")
        ))
        .help("add them with `add_header … always;` at the server (or http) level, e.g. `add_header X-Content-Type-Options nosniff always;`");
}

/// `Name value` of an `add_header`, or the `"Name: value"` texts of a `more_set_headers`.
fn header_text(d: &Directive) -> Vec<String> {
    match d.name.as_str() {
        "add_header" => match (d.arg_value(0), d.arg_value(1)) {
            (Some(n), Some(v)) if !v.is_empty() => vec![format!("{n} {v}")],
            _ => Vec::new(),
        },
        _ => d
            .args
            .iter()
            .filter(|a| !a.value.starts_with('-'))
            .map(|a| a.value.replacen(':', " ", 1))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::registry::Code::*;

    fn full(body: &str) -> String {
        format!("events {{}}\nhttp {{\n    server_tokens off;\n{body}}}\n")
    }

    #[test]
    fn server_tokens() {
        assert_findings(NGX101, "server {\n  server_tokens on;\n}\n", &[(2, 3)]);
        assert_findings(NGX101, "server_tokens build;\n", &[(1, 1)]);
        assert_findings(NGX101, "server { server_tokens off; }\n", &[]);
        // A complete config that never sets it: at `http`.
        assert_findings(
            NGX101,
            "events {}\nhttp {\n    sendfile on;\n}\n",
            &[(2, 1)],
        );
        assert_findings(
            NGX101,
            "events {}\nhttp {\n    server_tokens off;\n}\n",
            &[],
        );
        // A fragment is not a complete config; an unresolved include may hold it.
        assert_findings(NGX101, "server { listen 80; }\n", &[]);
        assert_findings(
            NGX101,
            "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
            &[],
        );
    }

    #[test]
    fn server_tokens_fix() {
        assert_fixed(
            NGX101,
            "events {}\nhttp {\n    sendfile on;\n}\n",
            "events {}\nhttp {\n    server_tokens off;\n    sendfile on;\n}\n",
        );
        assert_fixed(
            NGX101,
            "events {}\nhttp {\n\tsendfile on;\n}\n",
            "events {}\nhttp {\n\tserver_tokens off;\n\tsendfile on;\n}\n",
        );
        assert_fixed(
            NGX101,
            "events {}\nhttp { }\n",
            "events {}\nhttp {\n    server_tokens off; }\n",
        );
        assert_fixed(
            NGX101,
            "server { server_tokens on; }\n",
            "server { server_tokens off; }\n",
        );
    }

    #[test]
    fn server_tokens_set_elsewhere_in_the_set() {
        let root = "events {}\nhttp {\n    include conf.d/*.conf;\n}\n";
        let found = lint_on_disk(
            &[
                ("nginx.conf", root),
                ("conf.d/a.conf", "server_tokens off;\n"),
            ],
            "nginx.conf",
        );
        assert!(!found.iter().any(|f| f.0 == NGX101));
        // A glob whose folder is not here may match files on the server: silent.
        let found = lint_on_disk(
            &[(
                "nginx.conf",
                "events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n",
            )],
            "nginx.conf",
        );
        assert!(!found.iter().any(|f| f.0 == NGX101), "{found:?}");
        let found = lint_on_disk(
            &[("nginx.conf", root), ("conf.d/a.conf", "gzip on;\n")],
            "nginx.conf",
        );
        assert_eq!(
            found.iter().filter(|f| f.0 == NGX101).collect::<Vec<_>>(),
            [&(NGX101, 2, 1)]
        );
    }

    #[test]
    fn add_header_redefinition() {
        let text = "server {\n  add_header X-Frame-Options DENY;\n  add_header X-A a;\n  location / {\n    add_header Cache-Control no-cache;\n  }\n  location /b {\n    add_header X-Frame-Options DENY;\n    add_header x-a b;\n    add_header C c;\n  }\n  location /c { }\n}\n";
        assert_findings(NGX104, text, &[(5, 5)]);
        let msg = first_message(NGX104, text).unwrap();
        assert!(msg.contains("`X-Frame-Options`, `X-A`"), "{msg}");
        // http → server, and an `if` in a location.
        assert_findings(
            NGX104,
            "http {\n  add_header A a;\n  server {\n    location / { if ($x) { add_header B b; } }\n  }\n}\n",
            &[(4, 28)],
        );
        // add_header_inherit merge/off (inherited too) silences it.
        assert_findings(
            NGX104,
            "server {\n  add_header A a;\n  add_header_inherit merge;\n  location / { add_header B b; }\n}\n",
            &[],
        );
        assert_findings(
            NGX104,
            "server {\n  add_header A a;\n  location / { add_header_inherit off; add_header B b; }\n}\n",
            &[],
        );
        // No parent headers: nothing dropped.
        assert_findings(
            NGX104,
            "server {\n  location / { add_header B b; }\n}\n",
            &[],
        );
    }

    #[test]
    fn add_header_redefinition_across_includes() {
        let root = "events {}\nhttp {\n  server_tokens off;\n  server {\n    include snippets/headers.conf;\n    location / {\n      include snippets/headers.conf;\n      add_header Cache-Control no-cache;\n    }\n    location /x {\n      add_header Cache-Control no-cache;\n    }\n  }\n}\n";
        let found = lint_on_disk(
            &[
                ("nginx.conf", root),
                (
                    "snippets/headers.conf",
                    "add_header X-Frame-Options DENY;\nadd_header X-Content-Type-Options nosniff;\n",
                ),
            ],
            "nginx.conf",
        );
        let ngx104: Vec<_> = found.iter().filter(|f| f.0 == NGX104).collect();
        assert_eq!(ngx104, [&(NGX104, 11, 7)]);
    }

    #[test]
    fn http_splitting() {
        // `$uri` is decoded: `%0A` is a newline.
        assert_findings(
            NGX107,
            "location / {\n  return 302 https://example.com$uri;\n}\n",
            &[(2, 33)],
        );
        assert_findings(
            NGX107,
            "location / { add_header X-Uri $document_uri; proxy_set_header X-U \"a $uri\"; }\n",
            &[(1, 31), (1, 70)],
        );
        // A capture of `[^…]` over the path can hold a newline; `.` cannot.
        assert_findings(
            NGX107,
            "location ~ /v1/((?<action>[^.]*)\\.json)?$ {\n  add_header X-Action $action;\n}\n",
            &[(2, 23)],
        );
        assert_findings(
            NGX107,
            "location ~ ^/(.*)$ {\n  add_header X $1;\n  return 301 https://a.example$1;\n}\n",
            &[],
        );
        assert_findings(
            NGX107,
            "rewrite ^/([^/]+)/(.*)$ https://example.com/$2/$1 permanent;\nrewrite ^/(\\w+)$ /x/$1;\nrewrite ^/([^/]+)$ /$1/ redirect;\n",
            &[(1, 48), (3, 21)],
        );
        // Raw or header variables: no newline.
        assert_findings(
            NGX107,
            "location / {\n  return 301 https://$host$request_uri;\n  proxy_set_header X-Real-IP $remote_addr;\n  add_header X-Q $arg_q;\n  return 200 $uri;\n}\n",
            &[],
        );
        // An `if` regex over a header: the header has no newline.
        assert_findings(
            NGX107,
            "location / { if ($http_x ~ ^([^/]+)$) { add_header X $1; } }\n",
            &[],
        );
        // An internal rewrite only changes the URI.
        assert_findings(NGX107, "rewrite ^/([^/]+)$ /index.php?q=$1 last;\n", &[]);
        // Through `set`.
        assert_findings(
            NGX107,
            "location / { set $u $uri; add_header X $u; }\n",
            &[(1, 40)],
        );
    }

    #[test]
    fn host_spoofing() {
        assert_findings(
            NGX108,
            "location / {\n  proxy_set_header Host $http_host;\n}\n",
            &[(2, 25)],
        );
        assert_findings(
            NGX108,
            "proxy_set_header host \"$http_host:8080\";\n",
            &[(1, 24)],
        );
        assert_findings(
            NGX108,
            "proxy_set_header Host $host;\nproxy_set_header X-Forwarded-Host $http_host;\nproxy_set_header Host $http_hostname;\n",
            &[],
        );
        assert_fixed(
            NGX108,
            "proxy_set_header Host $http_host;\n",
            "proxy_set_header Host $host;\n",
        );
    }

    #[test]
    fn missing_security_headers() {
        assert_findings(
            NGX111,
            &full("    server {\n        listen 80;\n        root /srv;\n    }\n"),
            &[(4, 5)],
        );
        assert_findings(
            NGX111,
            &full("    server {\n        listen 443 ssl;\n        add_header X-Content-Type-Options nosniff;\n    }\n"),
            &[(4, 5)],
        );
        let msg = first_message(
            NGX111,
            &full("    server {\n        listen 443 ssl;\n        add_header X-Content-Type-Options nosniff;\n    }\n"),
        )
        .unwrap();
        assert!(
            msg.contains("Strict-Transport-Security") && !msg.contains("X-Frame"),
            "{msg}"
        );
        // Inherited from http; set in a location; CSP frame-ancestors; a redirect-only server.
        assert_findings(
            NGX111,
            &full("    add_header X-Frame-Options DENY;\n    add_header Strict-Transport-Security max-age=63072000;\n    server {\n        listen 443 ssl;\n    }\n    server {\n        location / { add_header Content-Security-Policy \"frame-ancestors 'self'\"; }\n    }\n    server {\n        listen 80;\n        return 301 https://$host$request_uri;\n    }\n"),
            &[],
        );
        // A server only reachable from the machine itself.
        assert_findings(
            NGX111,
            &full("    server {\n        listen 127.0.0.1:8079;\n        listen unix:/run/a.sock;\n    }\n"),
            &[],
        );
        // A fragment: the headers may be set where it is included.
        assert_findings(NGX111, "server {\n    listen 80;\n}\n", &[]);
    }
}
