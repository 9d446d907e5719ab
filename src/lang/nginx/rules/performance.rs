//! Performance settings that do less than they seem to: `gzip on` without `gzip_types`
//! (NGX202), too few file descriptors for the connections (NGX203), `tcp_nopush` without
//! `sendfile` (NGX208).

use super::super::directives::ctx;
use super::super::parse::Directive;
use super::super::Ctx;
use super::common::{self, below, level, set_configs};
use crate::diagnostic::Findings;
use crate::registry::Code;

pub fn check(cx: &Ctx, out: &mut Findings) {
    let incomplete = common::may_be_incomplete(cx);
    gzip_without_types(cx, incomplete, out);
    worker_rlimit_too_low(cx, incomplete, out);
    tcp_nopush_without_sendfile(cx, incomplete, out);
}

const HTTP_LEVELS: u32 =
    ctx::HTTP | ctx::HTTP_SERVER | ctx::HTTP_LOCATION | ctx::HTTP_SERVER_IF | ctx::HTTP_LOCATION_IF;

fn is_on(d: &Directive) -> bool {
    d.arg(0).is_some_and(|a| a.is("on"))
}

/// NGX202 gzip-without-types: `gzip on` with no `gzip_types` in effect at its level, above
/// it or in the blocks below it: only `text/html` is compressed.
fn gzip_without_types(cx: &Ctx, incomplete: bool, out: &mut Findings) {
    cx.walk(|v| {
        let d = v.directive;
        if d.name != "gzip" || !is_on(d) || v.context & HTTP_LEVELS == 0 || incomplete {
            return;
        }
        if !cx.in_scope(v.parents, "gzip_types").is_empty()
            || below(level(cx, v.parents), "gzip_types", |_| true)
        {
            return;
        }
        out.report(Code::NGX202, d.span.clone())
            .message("gzip on without gzip_types: only text/html responses are compressed")
            .help("list the types to compress, e.g. `gzip_types text/css application/javascript application/json image/svg+xml;`");
    });
}

fn number(d: &Directive) -> Option<u64> {
    d.arg_value(0)?.parse().ok()
}

/// What descriptors nginx may open without raising the limit (the usual `ulimit -n`).
const USUAL_OPEN_FILES: u64 = 1024;

/// NGX203 worker-rlimit-too-low: `worker_rlimit_nofile` below 2 × `worker_connections` (a
/// proxied connection holds two descriptors), or `worker_connections` above 1024 with no
/// `worker_rlimit_nofile`. Either directive may stand in another file of the set; only those
/// of the linted file are reported.
fn worker_rlimit_too_low(cx: &Ctx, incomplete: bool, out: &mut Findings) {
    // (directive, in the linted file)
    let mut rlimit: Option<(&Directive, bool)> = None;
    let mut conns: Option<(&Directive, bool)> = None;
    for (config, linted) in set_configs(cx) {
        let base = if linted { cx.context.base } else { ctx::MAIN };
        config.walk(base, |v| {
            let d = v.directive;
            match d.name.as_str() {
                "worker_rlimit_nofile" if v.context & ctx::MAIN != 0 && rlimit.is_none() => {
                    rlimit = Some((d, linted))
                }
                "worker_connections" if v.context & ctx::EVENTS != 0 && conns.is_none() => {
                    conns = Some((d, linted))
                }
                _ => {}
            }
        });
    }
    let Some((c, c_here)) = conns else {
        return;
    };
    let Some(connections) = number(c) else {
        return;
    };
    match rlimit {
        Some((r, r_here)) => {
            let Some(limit) = number(r) else {
                return;
            };
            if limit >= connections.saturating_mul(2) {
                return;
            }
            let at = if r_here {
                r
            } else if c_here {
                c
            } else {
                return;
            };
            out.report(Code::NGX203, at.span.clone())
                .message(format!(
                    "worker_rlimit_nofile {limit} is below 2 × worker_connections ({})",
                    connections.saturating_mul(2)
                ))
                .help("a proxied request holds two descriptors (client and upstream): raise worker_rlimit_nofile to at least twice worker_connections, or workers fail with \"Too many open files\"");
        }
        None => {
            if !c_here || connections <= USUAL_OPEN_FILES || incomplete {
                return;
            }
            out.report(Code::NGX203, c.span.clone())
                .message(format!(
                    "worker_connections {connections} without worker_rlimit_nofile: the usual open-file limit is {USUAL_OPEN_FILES}"
                ))
                .help(format!(
                    "set `worker_rlimit_nofile {};` in the main context (twice worker_connections)",
                    connections.saturating_mul(2)
                ));
        }
    }
}

/// NGX208 tcp-nopush-without-sendfile: `tcp_nopush on` where `sendfile` is off or unset, and
/// not turned on in a block below: it only works with sendfile.
fn tcp_nopush_without_sendfile(cx: &Ctx, incomplete: bool, out: &mut Findings) {
    cx.walk(|v| {
        let d = v.directive;
        if d.name != "tcp_nopush" || !is_on(d) || v.context & HTTP_LEVELS == 0 {
            return;
        }
        let sendfile = cx.in_scope(v.parents, "sendfile");
        let effective = sendfile.last().map(|f| is_on(f.directive));
        if effective == Some(true) || below(level(cx, v.parents), "sendfile", |a| a.eq_ignore_ascii_case("on")) {
            return;
        }
        if effective.is_none() && incomplete {
            return;
        }
        let f = out
            .report(Code::NGX208, d.span.clone())
            .message(if effective.is_some() {
                "tcp_nopush on has no effect with sendfile off"
            } else {
                "tcp_nopush on has no effect without sendfile on (off by default)"
            })
            .help("tcp_nopush only applies to responses sent with sendfile: set `sendfile on;` or remove tcp_nopush");
        if let Some(s) = sendfile.last().filter(|s| s.file.is_none()) {
            f.label(s.directive.span.clone(), "sendfile off here");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::registry::Code::*;

    #[test]
    fn gzip_without_types() {
        assert_findings(NGX202, "events {}\nhttp {\n    gzip on;\n}\n", &[(3, 5)]);
        assert_findings(
            NGX202,
            "events {}\nhttp {\n    server {\n        location /a {\n            gzip on;\n        }\n    }\n}\n",
            &[(5, 13)],
        );
        // Types above, at the same level or below; gzip off; a fragment.
        assert_findings(
            NGX202,
            "events {}\nhttp {\n    gzip_types text/css;\n    server {\n        gzip on;\n    }\n    server {\n        gzip off;\n    }\n}\n",
            &[],
        );
        assert_findings(
            NGX202,
            "events {}\nhttp {\n    gzip on;\n    server {\n        gzip_types application/json;\n    }\n}\n",
            &[],
        );
        assert_findings(NGX202, "gzip on;\n", &[]);
    }

    #[test]
    fn worker_rlimit_too_low() {
        assert_findings(
            NGX203,
            "worker_rlimit_nofile 1024;\nevents {\n    worker_connections 1024;\n}\nhttp {}\n",
            &[(1, 1)],
        );
        assert_findings(
            NGX203,
            "events {\n    worker_connections 4096;\n}\nhttp {}\n",
            &[(2, 5)],
        );
        assert_eq!(
            first_message(
                NGX203,
                "worker_rlimit_nofile 1000;\nevents { worker_connections 1000; }\n"
            )
            .as_deref(),
            Some("worker_rlimit_nofile 1000 is below 2 × worker_connections (2000)")
        );
        // Enough descriptors; the default 1024 connections; a variable-free fragment.
        assert_findings(
            NGX203,
            "worker_rlimit_nofile 8192;\nevents {\n    worker_connections 4096;\n}\nhttp {}\n",
            &[],
        );
        assert_findings(
            NGX203,
            "events {\n    worker_connections 1024;\n}\nhttp {}\n",
            &[],
        );
        assert_findings(
            NGX203,
            "events {\n    worker_connections 4096;\n}\ninclude /etc/nginx/main.d/*.conf;\nhttp {}\n",
            &[],
        );
    }

    #[test]
    fn tcp_nopush_without_sendfile() {
        assert_findings(
            NGX208,
            "events {}\nhttp {\n    tcp_nopush on;\n}\n",
            &[(3, 5)],
        );
        assert_findings(
            NGX208,
            "events {}\nhttp {\n    sendfile off;\n    server {\n        tcp_nopush on;\n    }\n}\n",
            &[(5, 9)],
        );
        assert_findings(
            NGX208,
            "events {}\nhttp {\n    sendfile on;\n    tcp_nopush on;\n    server {\n        location / { tcp_nopush on; }\n    }\n}\n",
            &[],
        );
        // sendfile turned on below; tcp_nopush off; a fragment.
        assert_findings(
            NGX208,
            "events {}\nhttp {\n    tcp_nopush on;\n    server {\n        sendfile on;\n    }\n}\n",
            &[],
        );
        assert_findings(NGX208, "events {}\nhttp {\n    tcp_nopush off;\n}\n", &[]);
        assert_findings(NGX208, "tcp_nopush on;\n", &[]);
    }
}
