//! The nginx rules, one file per family. Each family's `check` reads the parsed model (and the
//! configuration set) and pushes findings; selection, severity overrides and suppressions are
//! applied by the caller. To add a family: a file here with `pub fn check(cx: &Ctx, out: &mut
//! Findings)`, a `mod` line and a call in [`run`].
//!
//! What a rule reads (see `super::Ctx`, `super::parse`, `super::config_set`):
//! - `cx.walk(|v| …)`: every directive with `v.parents` (outermost first) and `v.context` (a
//!   bit of `directives::ctx`: `HTTP_SERVER`, `HTTP_LOCATION`, … ; 0 inside `map`/`types`
//!   data, Lua bodies and blocks nginx does not know);
//! - `Directive { name, name_span, args: [Arg { value, span, quoted }], block, span,
//!   semicolon }`, `children()`, `find(name)`, `children_named(name)`, `if_condition()`;
//! - `cx.in_scope(parents, name)`: what a spot inherits (nearest level that sets `name`,
//!   across includes both ways); `cx.everywhere(name)`: every occurrence in the set;
//!   `cx.zones()`: the zones and upstreams the set defines;
//! - `cx.context.is_full_config()`, `cx.context.is_known()`, `cx.may_be_incomplete()`: rules
//!   about something missing stay silent when the file may not show everything;
//! - `cx.lint.options.nginx_version`: the target `[nginx] version` (`None` = 1.24).

mod access;
mod common;
mod config;
mod headers;
mod performance;
mod proxy;
mod structure;
mod tls;
mod upstream;

use super::parse::{Arg, Directive};
use super::Ctx;
use crate::diagnostic::{Findings, Span};

pub fn run(cx: &Ctx, out: &mut Findings) {
    structure::check(cx, out);
    let vars = super::variables::Vars::collect(cx);
    tls::check(cx, out);
    headers::check(cx, &vars, out);
    proxy::check(cx, &vars, out);
    access::check(cx, out);
    upstream::check(cx, out);
    performance::check(cx, out);
    config::check(cx, out);
}

/// The rules that depend on the context a fragment is included in, for its other include
/// sites (the engine deduplicates what they find).
pub fn run_in_other_context(cx: &Ctx, out: &mut Findings) {
    structure::check(cx, out);
}

/// The span of bytes `start..end` of an argument's value: exact when the value is written as
/// is (no escapes), else the whole argument.
pub(crate) fn value_span(cx: &Ctx, arg: &Arg, start: usize, end: usize) -> Span {
    let inner = if arg.quoted && arg.span.end >= arg.span.start + 2 {
        arg.span.start + 1..arg.span.end - 1
    } else {
        arg.span.clone()
    };
    if cx.text(&inner) == arg.value && end <= arg.value.len() {
        inner.start + start as u32..inner.start + end as u32
    } else {
        arg.span.clone()
    }
}

/// Every directive inside `d`'s block, with `include`s expanded (the set's files), in
/// document order; bounded.
pub(crate) fn subtree<'a>(cx: &'a Ctx, d: &'a Directive) -> Vec<&'a Directive> {
    let mut out = Vec::new();
    let linted = cx.set.map_or(0, |s| s.linted);
    let mut stack: Vec<(&'a [Directive], usize, usize)> = vec![(d.children(), linted, 0)];
    while let Some(top) = stack.last_mut() {
        let (items, file, i) = (top.0, top.1, top.2);
        let Some(c) = items.get(i) else {
            stack.pop();
            continue;
        };
        top.2 += 1;
        if out.len() > 100_000 || stack.len() > 64 {
            break;
        }
        if c.name == "include" {
            if let Some(set) = cx.set {
                let found = set.expanded(std::slice::from_ref(c), file);
                for f in found {
                    // `expanded` inlines the include's top level; their blocks are walked too.
                    let fi = f
                        .file
                        .and_then(|p| set.files.iter().position(|sf| sf.path == p))
                        .unwrap_or(linted);
                    out.push(f.directive);
                    if f.directive.block.is_some() {
                        stack.push((f.directive.children(), fi, 0));
                    }
                }
            }
            continue;
        }
        out.push(c);
        if c.block.is_some() {
            stack.push((c.children(), file, 0));
        }
    }
    out
}

/// The directives named `name` at the level of block `d` itself (its includes expanded), or
/// none: what `d` sets rather than inherits.
pub(crate) fn own<'a>(
    cx: &'a Ctx,
    parents: &[&'a Directive],
    d: &'a Directive,
    name: &str,
) -> Vec<&'a Directive> {
    let mut with: Vec<&Directive> = parents.to_vec();
    with.push(d);
    let here = cx.in_scope(&with, name);
    let above = cx.in_scope(parents, name);
    // The same list (the same directives, maybe from a file both levels include) means
    // `d` inherits it.
    let same = !here.is_empty()
        && here.len() == above.len()
        && here
            .iter()
            .zip(&above)
            .all(|(a, b)| std::ptr::eq(a.directive, b.directive));
    if same {
        return Vec::new();
    }
    here.into_iter().map(|f| f.directive).collect()
}

/// Whether a server listens only on loopback addresses or unix sockets (it does not answer the
/// outside world). A server without `listen` answers on port 80 of every address.
pub(crate) fn local_only(cx: &Ctx, server: &Directive) -> bool {
    let listens: Vec<&Directive> = subtree(cx, server)
        .into_iter()
        .filter(|d| d.name == "listen")
        .collect();
    let local = |a: &str| {
        a.starts_with("127.")
            || a.starts_with("[::1]")
            || a.starts_with("unix:")
            || a.starts_with("localhost")
    };
    !listens.is_empty() && listens.iter().all(|l| l.arg_value(0).is_some_and(local))
}

/// The leading blanks of the line holding byte `at`.
pub(crate) fn indent_at(cx: &Ctx, at: u32) -> String {
    let line = cx.source.line_index(at);
    let start = cx.source.line_start(line);
    cx.source
        .text
        .get(start as usize..at as usize)
        .unwrap_or("")
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// One indentation step of the file: a tab when its lines start with tabs, else 4 spaces.
pub(crate) fn indent_unit(cx: &Ctx) -> &'static str {
    if cx.source.text.contains("\n\t") {
        "\t"
    } else {
        "    "
    }
}

/// `(line of `d`'s start begins with only blanks before it)`: whether it starts its line.
pub(crate) fn starts_line(cx: &Ctx, at: u32) -> bool {
    let line = cx.source.line_index(at);
    let start = cx.source.line_start(line);
    cx.source
        .text
        .get(start as usize..at as usize)
        .is_some_and(|s| s.chars().all(|c| c == ' ' || c == '\t'))
}

#[cfg(test)]
#[allow(dead_code)] // each family's tests use a part of it
pub(crate) mod test_support {
    crate::lang::engine_test_support!(super::super::lint, "nginx.conf");

    /// Lints `linted` among `files` written to a temporary folder: (code, line, column).
    pub fn lint_on_disk(files: &[(&str, &str)], linted: &str) -> Vec<(Code, u32, u32)> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        let text = files.iter().find(|(n, _)| *n == linted).unwrap().1;
        let source = SourceFile::new(linted, text);
        let ctx = LintContext {
            disk_path: Some(dir.path().join(linted)),
            ..Default::default()
        };
        let out = super::super::lint(&source, &ctx);
        let mut found: Vec<_> = out
            .diagnostics
            .iter()
            .map(|d| {
                let p = source.line_col(d.span.start);
                (d.code, p.line, p.column)
            })
            .collect();
        found.sort();
        found
    }
}

#[cfg(test)]
mod hardened {
    use super::test_support::*;

    /// TLS 1.2/1.3, security headers at every level that sets headers, a keepalive upstream
    /// done right (HTTP/1.1 and an empty `Connection` wherever it is proxied to), a body size
    /// limit, a restricted status page, a rate-limited login, a resolver for the dynamic
    /// proxy: no rule of the engine fires.
    const HARDENED: &str = r#"user nginx;
worker_processes auto;
error_log /var/log/nginx/error.log warn;
events {
    worker_connections 1024;
}
http {
    server_tokens off;
    sendfile on;
    tcp_nopush on;
    gzip on;
    gzip_types text/css application/javascript application/json;
    resolver 127.0.0.11 valid=30s;
    limit_req_zone $binary_remote_addr zone=login:10m rate=5r/m;

    upstream app {
        server 10.0.0.10:8080;
        server 10.0.0.11:8080;
        keepalive 32;
    }

    map $arg_region $regional {
        default app;
        eu 10.0.1.10;
    }

    server {
        listen 80;
        server_name example.com www.example.com;
        return 301 https://$host$request_uri;
    }

    server {
        listen 443 ssl;
        http2 on;
        server_name example.com;
        ssl_certificate /etc/ssl/example.com.pem;
        ssl_certificate_key /etc/ssl/private/example.com.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
        ssl_prefer_server_ciphers off;
        ssl_stapling on;
        ssl_stapling_verify on;
        root /srv/www;
        client_max_body_size 10m;

        add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
        add_header X-Frame-Options DENY always;
        add_header X-Content-Type-Options nosniff always;
        add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'none'" always;
        add_header Referrer-Policy strict-origin-when-cross-origin always;

        location / {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }

        location /region/ {
            proxy_pass http://$regional$request_uri;
        }

        location = /login {
            limit_req zone=login burst=5 nodelay;
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }

        location /static/ {
            alias /srv/static/;
            add_header Cache-Control "public, max-age=3600" always;
            add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
            add_header X-Frame-Options DENY always;
            add_header X-Content-Type-Options nosniff always;
            add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'none'" always;
            add_header Referrer-Policy strict-origin-when-cross-origin always;
        }

        location ~ ^/api/(v[0-9]+)/ {
            if ($http_origin ~* ^https://(www\.)?example\.com$) {
                set $cors $http_origin;
            }
            proxy_pass http://app/$1/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }

        location = /nginx_status {
            stub_status;
            allow 127.0.0.1;
            deny all;
        }

        location /admin/ {
            allow 10.0.0.0/8;
            deny all;
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
"#;

    #[test]
    fn no_security_rule_fires_on_a_hardened_config() {
        let (source, diags) = lint_with(crate::lang::Options::default(), HARDENED);
        let found: Vec<String> = diags
            .iter()
            .filter(|d| d.code.as_str().starts_with("NGX1") || d.code.as_str().starts_with("SEC"))
            .map(|d| {
                let p = source.line_col(d.span.start);
                format!("{} {}:{} {}", d.code.as_str(), p.line, p.column, d.message)
            })
            .collect();
        assert!(found.is_empty(), "{found:#?}");
        // Nor anything else of the engine.
        let rest: Vec<_> = diags.iter().map(|d| d.code.as_str()).collect();
        assert!(rest.is_empty(), "{rest:?}");
    }
}
