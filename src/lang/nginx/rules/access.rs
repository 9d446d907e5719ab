//! Access and exposure rules: alias traversal (NGX105), origin/referer checks that attackers
//! pass (NGX109), `valid_referers none` (NGX110), `autoindex on` (NGX112), `allow` with no
//! `deny all` (NGX113), status pages open to all (NGX114), `/` as the document root (NGX115),
//! `if` in a location (NGX116), `error_log off` (NGX118).

use super::super::directives::ctx;
use super::super::parse::Directive;
use super::super::variables;
use super::super::Ctx;
use super::{indent_at, local_only, starts_line};
use crate::diagnostic::{Edit, Findings};
use crate::registry::Code;
use std::sync::LazyLock;

pub fn check(cx: &Ctx, out: &mut Findings) {
    cx.walk(|v| {
        if v.context == 0 {
            return;
        }
        let d = v.directive;
        match d.name.as_str() {
            "alias" => alias_traversal(v.parents, d, out),
            "if" if variables::is_http(v.context) => unanchored_origin_check(d, out),
            "valid_referers" => valid_referers_none(d, out),
            "autoindex" => autoindex_on(d, out),
            "stub_status" | "status" | "vhost_traffic_status_display" => {
                status_page_exposed(cx, v.parents, d, out)
            }
            "error_log" => error_log_off(d, out),
            _ => {}
        }
        if matches!(d.name.as_str(), "root" | "alias") {
            filesystem_root_exposed(d, out);
        }
        if v.context == ctx::HTTP_LOCATION_IF {
            if_is_evil(d, out);
        }
        if d.is_block() && !d.is_data_block() {
            allow_without_deny(cx, d.children(), out);
        }
    });
    // The top level of a fragment is not judged: the file that includes it may follow the
    // `include` with `deny all` (and that file's check sees both).
}

/// NGX105 alias-traversal: a prefix location without a trailing `/` whose `alias` ends in `/`.
fn alias_traversal(parents: &[&Directive], d: &Directive, out: &mut Findings) {
    let Some(alias) = d.arg(0) else { return };
    if !alias.value.ends_with('/') {
        return;
    }
    let Some(location) = parents.last().filter(|p| p.name == "location") else {
        return;
    };
    let path = match location.args.as_slice() {
        [p] if !p.value.starts_with('~')
            && !p.value.starts_with('=')
            && !p.value.starts_with('@') =>
        {
            p
        }
        [m, p] if m.value == "^~" => p,
        _ => return,
    };
    if path.value.ends_with('/') {
        return;
    }
    let insert_at = if path.quoted {
        path.span.end - 1
    } else {
        path.span.end
    };
    out.report(Code::NGX105, alias.span.clone())
        .message(format!(
            "`location {}` has no trailing `/` but its `alias` ends in `/`: `{}../` reaches the parent of `{}` (path traversal)",
            path.value, path.value, alias.value
        ))
        .label(path.span.clone(), "no trailing `/`")
        .help(format!("end the location with `/` (`location {}/`)", path.value))
        .fix_unsafe(
            format!("use `location {}/` (a request for `{}` itself no longer matches it)", path.value, path.value),
            vec![Edit::insert(insert_at, "/")],
        );
}

/// NGX109 unanchored-origin-check: `if ($http_origin|$http_referer ~ re)` where `re` also
/// matches an attacker's origin. Tested by matching crafted origins with the regex.
fn unanchored_origin_check(d: &Directive, out: &mut Findings) {
    let Some((var, re, _)) = variables::if_regex(d) else {
        return;
    };
    let var = var.trim_start_matches('$');
    if !matches!(var, "http_origin" | "http_referer") {
        return;
    }
    let insensitive = d.if_condition().get(1).is_some_and(|op| op.ends_with('*'));
    let Some(bad) = attacker_match(re, insensitive, var == "http_referer") else {
        return;
    };
    let span = d
        .args
        .iter()
        .find(|a| a.value.contains(re))
        .map_or(d.name_span.clone(), |a| a.span.clone());
    out.report(Code::NGX109, span)
        .message(format!(
            "this regex on `${var}` also matches `{bad}`: an attacker's site passes the check"
        ))
        .help("anchor it and escape the dots: `^https://(www\\.)?example\\.com$`");
}

static DOMAIN: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"[A-Za-z0-9-]+(?:\\?\.[A-Za-z0-9-]+)+").expect("static regex")
});

/// An origin (or referer) an attacker controls that the regex matches, if any.
fn attacker_match(re: &str, insensitive: bool, referer: bool) -> Option<String> {
    let compiled = regex::RegexBuilder::new(re)
        .case_insensitive(insensitive)
        .build()
        .ok()?;
    let tail = if referer { "/" } else { "" };
    for m in DOMAIN.find_iter(re) {
        let written = m.as_str();
        let domain = written.replace("\\.", ".");
        // Needs a dot to be a domain (not `a-z0-9`), and a letter (not an IP range).
        if !domain.contains('.') || !domain.chars().any(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let mut candidates = vec![
            format!("https://{domain}.evil.test{tail}"),
            format!("https://evil{domain}{tail}"),
            format!("https://evil.test/{domain}"),
            format!("https://evil.test/?{domain}"),
            format!("https://{domain}evil.test{tail}"),
        ];
        // An unescaped dot with another dot after it: `wwwXexample.com` is anyone's domain.
        let bytes = written.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            let escaped = i > 0 && bytes[i - 1] == b'\\';
            if *b == b'.' && !escaped && written[i + 1..].contains('.') {
                let mut swapped = written[..i].to_string();
                swapped.push('x');
                swapped.push_str(&written[i + 1..]);
                let swapped = swapped.replace("\\.", ".");
                candidates.push(format!("https://{swapped}{tail}"));
                candidates.push(format!("http://{swapped}{tail}"));
            }
        }
        if let Some(bad) = candidates.into_iter().find(|c| compiled.is_match(c)) {
            return Some(bad);
        }
    }
    None
}

/// NGX110 valid-referers-none: `valid_referers none` accepts requests with no `Referer`.
fn valid_referers_none(d: &Directive, out: &mut Findings) {
    if let Some(a) = d.args.iter().find(|a| a.is("none")) {
        out.report(Code::NGX110, a.span.clone())
            .message("`valid_referers none` accepts requests without a `Referer`, which anyone can send")
            .help("drop `none` if the check is meant to protect something (a missing Referer is the easiest one to forge)");
    }
}

/// NGX112 autoindex-on.
fn autoindex_on(d: &Directive, out: &mut Findings) {
    if let Some(a) = d.arg(0).filter(|a| a.is("on")) {
        out.report(Code::NGX112, a.span.clone())
            .message("`autoindex on` lists the files of the folder to anyone who asks")
            .help("turn it off unless the listing is meant to be public");
    }
}

/// NGX113 allow-without-deny: `allow` rules in a block and no `deny all` after them.
fn allow_without_deny(cx: &Ctx, list: &[Directive], out: &mut Findings) {
    // The level with its includes expanded.
    let expanded: Vec<&Directive> = match cx.set {
        Some(set) => set
            .expanded(list, set.linted)
            .into_iter()
            .map(|f| f.directive)
            .collect(),
        None => list.iter().collect(),
    };
    // An include that was not read may hold the `deny all`.
    let unread_include =
        list.iter().any(|d| d.name == "include") && !cx.set.is_some_and(|s| s.complete);
    if unread_include {
        return;
    }
    let last_allow = expanded.iter().rposition(|d| d.name == "allow");
    let Some(last_allow) = last_allow else { return };
    if expanded
        .iter()
        .any(|d| d.name == "allow" && d.arg(0).is_some_and(|a| a.is("all")))
    {
        return;
    }
    let denied_after = expanded[last_allow..]
        .iter()
        .any(|d| d.name == "deny" && d.arg(0).is_some_and(|a| a.is("all")));
    if denied_after {
        return;
    }
    // With `satisfy any` and authentication, the allow list is a bypass of the password.
    let auth = expanded.iter().any(|d| {
        matches!(d.name.as_str(), "auth_basic" | "auth_request" | "auth_jwt")
            && d.arg(0).is_some_and(|a| !a.is("off"))
    });
    if auth {
        return;
    }
    // Point at the last `allow` written in this file.
    let Some(allow) = list.iter().rev().find(|d| d.name == "allow") else {
        return;
    };
    let indent = if starts_line(cx, allow.name_span.start) {
        indent_at(cx, allow.name_span.start)
    } else {
        String::from(" ")
    };
    let f = out
        .report(Code::NGX113, allow.span.clone())
        .message("`allow` without a `deny all` after it: every other address is allowed too")
        .help("add `deny all;` after the last `allow`");
    if starts_line(cx, allow.name_span.start) {
        f.fix_unsafe(
            "add `deny all;` after the last `allow` (other addresses are then refused)",
            vec![Edit::insert(allow.span.end, format!("\n{indent}deny all;"))],
        );
    } else {
        f.fix_unsafe(
            "add `deny all;` after the last `allow` (other addresses are then refused)",
            vec![Edit::insert(allow.span.end, " deny all;")],
        );
    }
}

/// NGX114 status-page-exposed: a status page with no `allow`/`deny` and no authentication in
/// scope.
fn status_page_exposed(cx: &Ctx, parents: &[&Directive], d: &Directive, out: &mut Findings) {
    if d.name == "status" && !d.args.is_empty() {
        return;
    }
    let restricted = ["allow", "deny", "auth_basic", "auth_request", "auth_jwt"]
        .iter()
        .any(|name| {
            cx.in_scope(parents, name)
                .iter()
                .any(|f| f.directive.arg(0).is_some_and(|a| !a.is("off")))
        });
    if restricted {
        return;
    }
    // An include that was not read may hold the `allow`/`deny` lines.
    let unread = !cx.set.is_some_and(|s| s.complete)
        && parents
            .iter()
            .any(|p| p.children().iter().any(|c| c.name == "include"));
    if unread {
        return;
    }
    let location = parents.iter().rev().find(|p| p.name == "location");
    if location.is_some_and(|l| l.find("internal").is_some()) {
        return;
    }
    // A server that listens on loopback or a unix socket only is not reachable from outside.
    if parents
        .iter()
        .rev()
        .find(|p| p.name == "server")
        .is_some_and(|server| local_only(cx, server))
    {
        return;
    }
    out.report(Code::NGX114, d.name_span.clone())
        .message(format!(
            "`{}` is open to everyone: it shows traffic figures and server internals",
            d.name
        ))
        .help("restrict it: `allow 127.0.0.1; deny all;` (or `auth_basic`)");
}

/// NGX115 filesystem-root-exposed: `root /;` or `alias /;`.
fn filesystem_root_exposed(d: &Directive, out: &mut Findings) {
    if let Some(a) = d.arg(0).filter(|a| a.value == "/") {
        out.report(Code::NGX115, a.span.clone())
            .message(format!(
                "`{} /` serves the whole filesystem (`/etc/passwd`, keys, …)",
                d.name
            ))
            .help("point it at the folder meant to be served");
    }
}

/// NGX116 if-is-evil: a directive other than `return`, `rewrite`, `set` (or `break`) inside an
/// `if` in a location.
fn if_is_evil(d: &Directive, out: &mut Findings) {
    if matches!(d.name.as_str(), "return" | "rewrite" | "set" | "break") || d.name.is_empty() {
        return;
    }
    out.report(Code::NGX116, d.name_span.clone())
        .message(format!(
            "`{}` inside `if` in a location: the `if` creates a nested location where only `return` and `rewrite` behave as expected",
            d.name
        ))
        .help("move the condition into a `map` and use its variable, or keep only `return`/`rewrite … last` inside the `if`");
}

/// NGX118 error-log-off: `error_log off` writes to a file named `off`.
fn error_log_off(d: &Directive, out: &mut Findings) {
    let (Some(first), Some(last)) = (d.arg(0), d.args.last()) else {
        return;
    };
    if first.value != "off" {
        return;
    }
    out.report(Code::NGX118, first.span.clone())
        .message("`error_log off` does not turn the log off: it writes to a file named `off`")
        .help("write `error_log /dev/null crit;` to discard errors")
        .fix_safe(
            "write `error_log /dev/null crit;`",
            vec![Edit::replace(
                first.span.start..last.span.end,
                "/dev/null crit",
            )],
        );
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::attacker_match;
    use crate::registry::Code::*;

    #[test]
    fn alias_traversal() {
        assert_findings(
            NGX105,
            "location /files {\n  alias /srv/files/;\n}\n",
            &[(2, 9)],
        );
        assert_findings(NGX105, "location ^~ /i { alias /data/i/; }\n", &[(1, 24)]);
        assert_findings(
            NGX105,
            "location /files/ { alias /srv/files/; }\nlocation /img { alias /srv/img; }\nlocation = /f { alias /srv/f/; }\nlocation ~ ^/x/(.*)$ { alias /srv/x/$1; }\nlocation /a { root /srv/; }\n",
            &[],
        );
        assert_fixed(
            NGX105,
            "location /files {\n  alias /srv/files/;\n}\n",
            "location /files/ {\n  alias /srv/files/;\n}\n",
        );
        assert_fixed(
            NGX105,
            "location \"/files\" { alias /srv/files/; }\n",
            "location \"/files/\" { alias /srv/files/; }\n",
        );
    }

    #[test]
    fn origin_regexes() {
        let m = |re: &str| attacker_match(re, true, false);
        assert!(m("^https://example\\.com$").is_none());
        assert!(m("^https?://(www\\.)?example\\.com$").is_none());
        assert!(m("^https://([a-z0-9-]+\\.)*example\\.com(:[0-9]+)?$").is_none());
        assert!(m("^https://(app|www)\\.example\\.com$").is_none());
        assert_eq!(
            m("example\\.com").as_deref(),
            Some("https://example.com.evil.test")
        );
        assert_eq!(
            m("^https://example\\.com").as_deref(),
            Some("https://example.com.evil.test")
        );
        assert_eq!(
            m("example\\.com$").as_deref(),
            Some("https://evilexample.com")
        );
        assert_eq!(
            m("^https://www.example.com$").as_deref(),
            Some("https://wwwxexample.com")
        );
        // The last dot alone is not registrable (`examplexcom`).
        assert!(m("^https://example.com$").is_none());
        assert!(attacker_match("^https://example\\.com/", true, true).is_none());
        assert!(attacker_match("(", true, false).is_none());
    }

    #[test]
    fn unanchored_origin_check() {
        assert_findings(
            NGX109,
            "location / {\n  if ($http_origin ~* (https://example\\.com)) { add_header A b; }\n}\n",
            &[(2, 23)],
        );
        assert_findings(
            NGX109,
            "if ($http_referer !~ \"^https://www.example.com/\") { return 403; }\n",
            &[(1, 22)],
        );
        assert_findings(
            NGX109,
            "if ($http_origin ~ '^https://(www\\.)?example\\.com$') { set $cors 1; }\nif ($http_x ~ example\\.com) { return 403; }\n",
            &[],
        );
    }

    #[test]
    fn valid_referers_none() {
        assert_findings(
            NGX110,
            "location /i { valid_referers none blocked example.com; }\n",
            &[(1, 30)],
        );
        assert_findings(NGX110, "valid_referers server_names *.example.com;\n", &[]);
    }

    #[test]
    fn autoindex_on() {
        assert_findings(NGX112, "location /pub { autoindex on; }\n", &[(1, 27)]);
        assert_findings(NGX112, "autoindex off;\n", &[]);
    }

    #[test]
    fn allow_without_deny() {
        assert_findings(
            NGX113,
            "location /admin {\n    allow 10.0.0.0/8;\n    allow 192.168.0.0/16;\n}\n",
            &[(3, 5)],
        );
        // `deny all` before the allows does not close them.
        assert_findings(
            NGX113,
            "location /a { deny all; allow 10.0.0.1; }\n",
            &[(1, 25)],
        );
        // Closed; `allow all`; allow + password with satisfy any; the parent's deny does not
        // count (nginx does not merge access rules), so only the location is reported.
        assert_findings(
            NGX113,
            "server {\n  deny all;\n  location /a { allow 10.0.0.1; deny all; }\n  location /b { allow all; }\n  location /c { satisfy any; allow 10.0.0.1; auth_basic x; auth_basic_user_file /h; }\n  location /d { allow 10.0.0.1; }\n}\n",
            &[(6, 17)],
        );
        // A fragment's top level: the including block may deny after the include.
        assert_findings(NGX113, "allow 127.0.0.1;\nallow 10.0.0.1;\n", &[]);
        assert_fixed(
            NGX113,
            "location /admin {\n    allow 10.0.0.0/8;\n}\n",
            "location /admin {\n    allow 10.0.0.0/8;\n    deny all;\n}\n",
        );
        assert_fixed(
            NGX113,
            "location /a { allow 10.0.0.1; }\n",
            "location /a { allow 10.0.0.1; deny all; }\n",
        );
    }

    #[test]
    fn status_page_exposed() {
        assert_findings(
            NGX114,
            "server {\n  listen 80;\n  location /nginx_status {\n    stub_status;\n  }\n}\n",
            &[(4, 5)],
        );
        assert_findings(
            NGX114,
            "server {\n  location /w { stub_status; include whitelist.conf; }\n  location /s { stub_status; allow 127.0.0.1; deny all; }\n  location /t { auth_basic \"x\"; stub_status on; }\n}\nserver {\n  listen 127.0.0.1:8080;\n  location /s { stub_status; }\n}\nserver {\n  allow 10.0.0.0/8;\n  deny all;\n  location /s { stub_status; }\n}\n",
            &[],
        );
    }

    #[test]
    fn filesystem_root_exposed() {
        assert_findings(NGX115, "server { root /; }\n", &[(1, 15)]);
        assert_findings(NGX115, "location /x { alias /; }\n", &[(1, 21)]);
        assert_findings(NGX115, "root /srv/www;\nalias /srv/;\n", &[]);
    }

    #[test]
    fn if_is_evil() {
        assert_findings(
            NGX116,
            "location / {\n  if ($arg_x) {\n    return 403;\n    set $a 1;\n    rewrite ^ /x last;\n    break;\n    proxy_pass http://a;\n    add_header X y;\n  }\n}\n",
            &[(7, 5), (8, 5)],
        );
        // In a server, `if` is fine.
        assert_findings(
            NGX116,
            "server { if ($host = a) { proxy_pass http://b; } }\n",
            &[],
        );
    }

    #[test]
    fn error_log_off() {
        assert_findings(
            NGX118,
            "error_log off;\nerror_log /var/log/e.log warn;\n",
            &[(1, 11)],
        );
        assert_fixed(NGX118, "error_log off;\n", "error_log /dev/null crit;\n");
        assert_fixed(
            NGX118,
            "http { error_log off warn; }\n",
            "http { error_log /dev/null crit; }\n",
        );
    }
}
