//! Proxying rules: an upstream host a client chooses (NGX106) and names resolved at run time
//! with no `resolver` (NGX117).

use super::super::parse::Directive;
use super::super::variables::{self, refs, Vars};
use super::super::Ctx;
use super::value_span;
use crate::diagnostic::Findings;
use crate::registry::Code;

const PASSES: &[&str] = &[
    "proxy_pass",
    "fastcgi_pass",
    "grpc_pass",
    "uwsgi_pass",
    "scgi_pass",
    "memcached_pass",
];

pub fn check(cx: &Ctx, vars: &Vars, out: &mut Findings) {
    let upstreams = cx.zones().upstream;
    let complete = !cx.may_be_incomplete();
    cx.walk(|v| {
        if v.context == 0 {
            return;
        }
        let d = v.directive;
        if PASSES.contains(&d.name.as_str()) {
            if variables::is_http(v.context) {
                ssrf(cx, vars, v.parents, d, out);
            }
            if complete {
                pass_without_resolver(cx, vars, &upstreams, v.parents, d, out);
            }
        } else if d.name == "ssl_stapling" && complete {
            stapling_without_resolver(cx, v.parents, d, out);
        }
    });
}

/// The byte range of the host (with its port) in a `*_pass` value: after `scheme://`, up to
/// the first `/` or `?`, or a variable that starts with `/` (`$request_uri`, `$uri`).
fn host_range(value: &str) -> (usize, usize) {
    let start = value.find("://").map_or(0, |i| i + 3);
    let mut end = value
        .get(start..)
        .and_then(|rest| rest.find(['/', '?']))
        .map_or(value.len(), |i| start + i);
    if let Some(r) = refs(value).iter().find(|r| {
        r.start >= start
            && matches!(
                r.name,
                "request_uri" | "uri" | "document_uri" | "is_args" | "fastcgi_script_name"
            )
    }) {
        end = end.min(r.start);
    }
    (start, end)
}

/// The host without its port: `[::1]:80` → `[::1]`, `$a:$b` → `$a`, `a.b:8080` → `a.b`.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |i| &host[..=i]);
    }
    host.split(':').next().unwrap_or(host)
}

/// NGX106 ssrf: the upstream host comes from a variable a client controls.
fn ssrf(cx: &Ctx, vars: &Vars, parents: &[&Directive], d: &Directive, out: &mut Findings) {
    if d.name == "memcached_pass" || d.name == "uwsgi_pass" || d.name == "scgi_pass" {
        return;
    }
    let Some(arg) = d.arg(0) else { return };
    let value = &arg.value;
    if !value.contains('$') {
        return;
    }
    // An internal location is reached only from nginx itself (X-Accel-Redirect, error_page…).
    if parents
        .iter()
        .rev()
        .find(|p| p.name == "location")
        .is_some_and(|l| l.find("internal").is_some())
    {
        return;
    }
    let scopes = variables::regex_scopes(parents, vars);
    let (start, end) = host_range(value);
    // No scheme on `proxy_pass $x`: the variable holds the whole URL, host included.
    let whole_url = d.name == "proxy_pass" && !value.contains("://");
    for r in refs(value) {
        let in_host = (r.start >= start && r.start < end) || (whole_url && r.start == 0);
        if !in_host {
            continue;
        }
        let t = variables::taint_at(vars, r.name, &scopes);
        if !(t.user && t.dot) {
            continue;
        }
        out.report(Code::NGX106, value_span(cx, arg, r.start, r.end))
            .message(format!(
                "the upstream host of `{}` comes from `${}`, which a client controls: nginx can be made to connect to any host (SSRF)",
                d.name, r.name
            ))
            .help("pick the upstream from a fixed list (a `map` to upstream names), or keep the variable out of the host part");
        return;
    }
}

/// Whether a host needs no DNS lookup at run time: an IP address, an `upstream` name, a unix
/// socket.
fn static_host(host: &str, upstreams: &[String]) -> bool {
    let h = strip_port(host);
    let bare = h.trim_start_matches('[').trim_end_matches(']');
    h.is_empty()
        || host.starts_with("unix:")
        || bare.parse::<std::net::IpAddr>().is_ok()
        || upstreams.iter().any(|u| u == h)
}

/// The hosts a literal URL (a `set`/`map` value) names.
fn url_host(url: &str) -> &str {
    let (s, e) = host_range(url);
    url.get(s..e).unwrap_or("")
}

/// NGX117 (pass part): a `*_pass` with variables, whose host may be a name nginx must resolve
/// at run time, and no `resolver` in scope.
fn pass_without_resolver(
    cx: &Ctx,
    vars: &Vars,
    upstreams: &[String],
    parents: &[&Directive],
    d: &Directive,
    out: &mut Findings,
) {
    let Some(arg) = d.arg(0) else { return };
    let value = &arg.value;
    if !value.contains('$') || value.starts_with("unix:") || value.contains("://unix:") {
        return;
    }
    let (start, end) = host_range(value);
    let host = strip_port(value.get(start..end).unwrap_or(""));
    let whole_url = d.name == "proxy_pass" && !value.contains("://");
    let host_refs = refs(host);
    let needs = if whole_url {
        let Some(first) = refs(value).into_iter().next().filter(|r| r.start == 0) else {
            return;
        };
        match vars.literal_values(first.name) {
            Some(values) => values.iter().any(|v| !static_host(url_host(v), upstreams)),
            None if variables::is_builtin_name(first.name) => true,
            None => return,
        }
    } else if host_refs.is_empty() {
        !static_host(host, upstreams)
    } else if host_refs.len() == 1 && host_refs[0].start == 0 && host_refs[0].end == host.len() {
        let name = host_refs[0].name;
        match vars.literal_values(name) {
            Some(values) => values.iter().any(|v| !static_host(v, upstreams)),
            None if variables::is_builtin_name(name) => true,
            // Defined by something this model does not read: not judged.
            None => return,
        }
    } else {
        // Part name, part variables (`api_v$major`): nginx first looks the result up among
        // the upstreams; when some upstream name fits the pattern, it is not judged.
        !upstreams.iter().any(|u| fits(host, u))
    };
    if !needs || has_resolver(cx, parents) {
        return;
    }
    out.report(Code::NGX117, arg.span.clone())
        .message(format!(
            "`{}` with variables resolves its host name at run time, and no `resolver` is in scope: requests fail with 502",
            d.name
        ))
        .help("add a `resolver` (e.g. `resolver 127.0.0.11 valid=30s;` in Docker) at this or an enclosing level, or make every value an `upstream` name or an IP address");
}

/// Whether `name` fits `template` with every variable standing for any text.
fn fits(template: &str, name: &str) -> bool {
    let mut pieces: Vec<&str> = Vec::new();
    let mut last = 0;
    for r in refs(template) {
        pieces.push(template.get(last..r.start).unwrap_or(""));
        last = r.end;
    }
    pieces.push(template.get(last..).unwrap_or(""));
    let (Some(first), Some(end)) = (pieces.first(), pieces.last()) else {
        return false;
    };
    if pieces.len() == 1 {
        return template == name;
    }
    if !name.starts_with(first) || name.len() < first.len() + end.len() || !name.ends_with(end) {
        return false;
    }
    let mut rest = name.get(first.len()..name.len() - end.len()).unwrap_or("");
    for piece in pieces.iter().take(pieces.len() - 1).skip(1) {
        match rest.find(piece) {
            Some(i) => rest = rest.get(i + piece.len()..).unwrap_or(""),
            None => return false,
        }
    }
    true
}

fn has_resolver(cx: &Ctx, parents: &[&Directive]) -> bool {
    cx.in_scope(parents, "resolver")
        .iter()
        .any(|f| f.directive.arg(0).is_some_and(|a| !a.is("off")))
}

/// NGX117 (stapling part): `ssl_stapling on` with no `resolver` (nor `ssl_stapling_file`).
fn stapling_without_resolver(cx: &Ctx, parents: &[&Directive], d: &Directive, out: &mut Findings) {
    if !d.arg(0).is_some_and(|a| a.is("on")) {
        return;
    }
    if has_resolver(cx, parents) || !cx.in_scope(parents, "ssl_stapling_file").is_empty() {
        return;
    }
    out.report(Code::NGX117, d.name_span.clone())
        .message("`ssl_stapling on` needs a `resolver` to reach the OCSP responder, and none is in scope: stapling silently does nothing")
        .help("add a `resolver` at this or an enclosing level, or give the response with `ssl_stapling_file`");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::registry::Code::*;

    fn full(body: &str) -> String {
        format!("events {{}}\nhttp {{\n{body}}}\n")
    }

    #[test]
    fn ssrf() {
        assert_findings(
            NGX106,
            "location / {\n  proxy_pass http://$arg_host/api;\n}\n",
            &[(2, 21)],
        );
        assert_findings(
            NGX106,
            "location ~ ^/proxy/(.+)$ { proxy_pass http://$1; }\n",
            &[(1, 46)],
        );
        assert_findings(
            NGX106,
            "location / { set $target $http_x_target; proxy_pass $target; }\n",
            &[(1, 53)],
        );
        assert_findings(
            NGX106,
            "location / { fastcgi_pass $cookie_backend:9000; grpc_pass grpc://$http_host; }\n",
            &[(1, 27), (1, 66)],
        );
        // Only the path, a capture that cannot name a host, `$host`, an internal location.
        assert_findings(
            NGX106,
            "location ~ ^/api/(v[0-9])/(\\w+)$ {\n  proxy_pass http://backend/$1/$2?$args;\n  proxy_pass http://$2.internal;\n}\nlocation / { proxy_pass http://$host$request_uri; }\nlocation /i { internal; proxy_pass http://$arg_h; }\n",
            &[],
        );
        // Arguments after `$is_args` are the query.
        assert_findings(
            NGX106,
            "location / { proxy_pass http://backend$route$is_args$args; }\n",
            &[],
        );
        // A map to fixed names.
        assert_findings(
            NGX106,
            "map $arg_x $up { default a; b b; }\nserver { location / { proxy_pass http://$up; } }\n",
            &[],
        );
    }

    #[test]
    fn resolver() {
        let linuxserver = "    server {\n        location / {\n            set $upstream_app radarr;\n            set $upstream_port 7878;\n            set $upstream_proto http;\n            proxy_pass $upstream_proto://$upstream_app:$upstream_port;\n        }\n    }\n";
        assert_findings(NGX117, &full(linuxserver), &[(8, 24)]);
        assert_findings(
            NGX117,
            &full(&format!(
                "    resolver 127.0.0.11 valid=30s;\n{linuxserver}"
            )),
            &[],
        );
        // IP addresses and upstream names need no lookup.
        assert_findings(
            NGX117,
            &full("    upstream app { server 10.0.0.1; }\n    map $arg_v $b { default app; x 10.0.0.2; y [::1]:80; }\n    server {\n        location / { proxy_pass http://$b; }\n        location /x { set $u http://127.0.0.1:8080; proxy_pass $u; }\n        location /y { proxy_pass http://app$request_uri; }\n        location /z { fastcgi_pass unix:/run/php.sock; proxy_pass http://unix:/a.sock:$uri; }\n    }\n"),
            &[],
        );
        // A name with variables in the path; a builtin host.
        assert_findings(
            NGX117,
            &full("    server {\n        location / { proxy_pass http://api.example.com$request_uri; }\n        location /h { proxy_pass http://$host:8080; }\n    }\n"),
            &[(4, 33), (5, 34)],
        );
        // A pattern that fits an upstream name; a path variable glued to an upstream.
        assert_findings(
            NGX117,
            &full("    upstream api_v1 { server 10.0.0.1; }\n    upstream backend { server 10.0.0.2; }\n    server {\n        location ~ ^/v([0-9]+)/ { set $major $1; proxy_pass http://api_v$major; }\n        location / { proxy_pass http://backend$route$is_args$args; }\n        location /x { proxy_pass http://web$major; }\n    }\n"),
            &[(8, 34)],
        );
        // A fragment: the resolver may be where it is included.
        assert_findings(NGX117, linuxserver, &[]);
        // Stapling.
        assert_findings(
            NGX117,
            &full("    server {\n        ssl_stapling on;\n    }\n    server {\n        ssl_stapling on;\n        ssl_stapling_file /a.der;\n    }\n"),
            &[(4, 9)],
        );
    }

    #[test]
    fn resolver_from_another_include_of_the_set() {
        let root =
            "events {}\nhttp {\n    include resolver.conf;\n    include proxy-confs/*.conf;\n}\n";
        let site = "server {\n    location / {\n        set $upstream_app radarr;\n        set $upstream_port 7878;\n        set $upstream_proto http;\n        proxy_pass $upstream_proto://$upstream_app:$upstream_port;\n    }\n}\n";
        let found = lint_on_disk(
            &[
                ("nginx.conf", root),
                ("resolver.conf", "resolver 127.0.0.11 valid=30s;\n"),
                ("proxy-confs/radarr.conf", site),
            ],
            "proxy-confs/radarr.conf",
        );
        assert!(!found.iter().any(|f| f.0 == NGX117), "{found:?}");
        // Without it, the same file is reported.
        let found = lint_on_disk(
            &[
                ("nginx.conf", root),
                ("resolver.conf", "# none\n"),
                ("proxy-confs/radarr.conf", site),
            ],
            "proxy-confs/radarr.conf",
        );
        assert_eq!(
            found.iter().filter(|f| f.0 == NGX117).collect::<Vec<_>>(),
            [&(NGX117, 6, 20)]
        );
    }
}
