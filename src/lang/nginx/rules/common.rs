//! Helpers the reliability families share: the target nginx version, the files of the
//! configuration set, a line's indentation, whether a directive stands in a given list.

use super::super::config_set;
use super::super::directives::ctx;
use super::super::parse::{Config, Directive};
use super::super::Ctx;

/// `[nginx] version` when the user gives none (RULES.md: 1.24).
pub const DEFAULT_VERSION: (u32, u32, u32) = (1, 24, 0);

/// The target nginx release as (major, minor, patch): `"1.25"` → (1, 25, 0).
pub fn target_version(cx: &Ctx) -> (u32, u32, u32) {
    cx.lint
        .options
        .nginx_version
        .as_deref()
        .and_then(parse_version)
        .unwrap_or(DEFAULT_VERSION)
}

pub fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.trim().split('.').map(|p| p.parse::<u32>().ok());
    let major = parts.next()??;
    let minor = parts.next()??;
    let patch = match parts.next() {
        Some(p) => p?,
        None => 0,
    };
    Some((major, minor, patch))
}

/// Whether what the file cannot see may exist elsewhere ([`Ctx::may_be_incomplete`]), or a
/// glob `include` of the set matched no file: nginx accepts an empty glob, but a folder that is
/// not where the linter looks (`/etc/nginx/conf.d/*.conf` of a repository laid out otherwise)
/// may hold what a rule about something missing would miss.
pub fn may_be_incomplete(cx: &Ctx) -> bool {
    if cx.may_be_incomplete() {
        return true;
    }
    let Some(set) = cx.set else {
        return false;
    };
    let root_dir = set.roots.first().map(std::path::PathBuf::as_path);
    set.files.iter().any(|f| {
        let mut unmatched = false;
        f.config.walk(ctx::MAIN, |v| {
            let d = v.directive;
            if unmatched || d.name != "include" {
                return;
            }
            let Some(pattern) = d.arg_value(0) else {
                return;
            };
            if !pattern.contains(['*', '?', '[']) || pattern.contains('$') {
                return;
            }
            let roots = config_set::include_roots(&f.path, None, root_dir);
            unmatched = config_set::include_targets(pattern, &roots).is_empty();
        });
        unmatched
    })
}

/// Every parsed file of the configuration set, the linted one first (as its text was given,
/// so its spans are the ones findings use): `(config, is_the_linted_file)`.
pub fn set_configs<'a>(cx: &'a Ctx) -> Vec<(&'a Config, bool)> {
    let mut out: Vec<(&Config, bool)> = vec![(cx.config, true)];
    if let Some(set) = cx.set {
        out.extend(
            set.files
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != set.linted)
                .map(|(_, f)| (&f.config, false)),
        );
    }
    out
}

/// The blanks before the directive on its line (empty when something else precedes it).
pub fn indentation<'a>(cx: &'a Ctx, d: &Directive) -> &'a str {
    let text = &cx.source.text;
    let start = (d.span.start as usize).min(text.len());
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before = text.get(line_start..start).unwrap_or("");
    if before.bytes().all(|b| b == b' ' || b == b'\t') {
        before
    } else {
        ""
    }
}

/// The offset where the directive's line starts, when only blanks precede it there.
pub fn own_line_start(cx: &Ctx, d: &Directive) -> Option<u32> {
    let text = &cx.source.text;
    let start = (d.span.start as usize).min(text.len());
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before = text.get(line_start..start)?;
    before
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
        .then_some(line_start as u32)
}

/// The offset just past the end of the directive's line (its `\n` included), or the end of
/// the directive when the line does not end.
pub fn line_end(cx: &Ctx, d: &Directive) -> u32 {
    let text = &cx.source.text;
    let end = (d.span.end as usize).min(text.len());
    text.get(end..)
        .and_then(|t| t.find('\n'))
        .map_or(d.span.end, |i| (end + i + 1) as u32)
}

/// Whether `d` is one of the directives of `list` (the same node, not an equal one).
pub fn is_in(list: &[Directive], d: &Directive) -> bool {
    list.iter().any(|x| std::ptr::eq(x, d))
}

/// The directives of the level a directive with these parents stands in: the innermost
/// parent's children, or the file's top level.
pub fn level<'a>(cx: &'a Ctx, parents: &[&'a Directive]) -> &'a [Directive] {
    parents
        .last()
        .map_or(cx.config.directives.as_slice(), |p| p.children())
}

/// Whether a directive named `name` with a first argument accepted by `value` stands anywhere
/// in `list` or the blocks below it (this file only).
pub fn below(list: &[Directive], name: &str, value: impl Fn(&str) -> bool) -> bool {
    let mut found = false;
    super::super::parse::walk_directives(list, ctx::MAIN, &mut |v| {
        if v.directive.name == name && value(v.directive.arg_value(0).unwrap_or("")) {
            found = true;
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use super::super::test_support::lint_with;
    use super::*;
    use crate::lang::Options;

    #[test]
    fn versions() {
        assert_eq!(parse_version("1.24"), Some((1, 24, 0)));
        assert_eq!(parse_version("1.25.1"), Some((1, 25, 1)));
        assert_eq!(parse_version("x"), None);
        assert_eq!(parse_version("1"), None);
    }

    /// A hardened configuration: TLS 1.2/1.3, security headers, a keepalive upstream done
    /// right, a restricted status page and a rate-limited login. No reliability rule fires,
    /// at the default target and at a recent one.
    const HARDENED: &str = r#"worker_processes auto;
worker_rlimit_nofile 8192;
events {
    worker_connections 4096;
}
http {
    server_tokens off;
    sendfile on;
    tcp_nopush on;
    client_max_body_size 10m;
    gzip on;
    gzip_types text/css application/javascript application/json;
    ssl_protocols TLSv1.2 TLSv1.3;
    add_header Strict-Transport-Security "max-age=63072000" always;
    add_header X-Frame-Options DENY always;
    add_header X-Content-Type-Options nosniff always;
    limit_req_zone $binary_remote_addr zone=login:10m rate=5r/m;
    proxy_cache_path /var/cache/nginx keys_zone=pages:10m;
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      "";
    }
    upstream app {
        server 127.0.0.1:8080;
        keepalive 32;
    }
    server {
        listen 443 ssl;
        server_name example.com;
        ssl_certificate /etc/nginx/tls/site.crt;
        ssl_certificate_key /etc/nginx/tls/site.key;
        root /srv/www;
        location / {
            try_files $uri @app;
        }
        location @app {
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_cache pages;
            proxy_pass http://app;
        }
        location = /login {
            limit_req zone=login burst=5 nodelay;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Connection "";
            proxy_pass http://app;
        }
        location /assets/ {
            root /srv/static;
        }
        location = /nginx_status {
            stub_status;
            allow 127.0.0.1;
            deny all;
        }
    }
}
"#;

    #[test]
    fn hardened_config_is_silent() {
        for version in [None, Some("1.30")] {
            let options = Options {
                nginx_version: version.map(str::to_string),
                ..Options::default()
            };
            let (_, diags) = lint_with(options, HARDENED);
            let found: Vec<_> = diags
                .iter()
                .filter(|d| {
                    d.code.as_str().starts_with("NGX2") || d.code.as_str().starts_with("NGX0")
                })
                .map(|d| (d.code, d.message.clone()))
                .collect();
            assert!(found.is_empty(), "{found:?}");
        }
    }
}
