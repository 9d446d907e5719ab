//! The nginx engine's feed to the secret detector: header and parameter values set by
//! `proxy_set_header`, `grpc_set_header`, `add_header`, `fastcgi_param`, `uwsgi_param`,
//! `scgi_param` (key = the header or parameter name), `set $name value`, and credentials after
//! an `Authorization` scheme (`"Basic …"`, `"Bearer …"`). Userinfo in `proxy_pass` URLs is found
//! by the detector's raw-text scan.

use super::directives::ctx;
use super::parse::{Arg, Config};
use crate::diagnostic::Span;
use crate::registry::Code;
use crate::secrets::{is_dummy, is_placeholder, Detector, Position, Secret};

const KEY_VALUE: &[&str] = &[
    "proxy_set_header",
    "grpc_set_header",
    "add_header",
    "fastcgi_param",
    "uwsgi_param",
    "scgi_param",
];

pub fn structural(config: &Config, detector: &Detector) -> Vec<Secret> {
    let mut out = Vec::new();
    config.walk(ctx::MAIN, |v| {
        let d = v.directive;
        let (key, value) = match (d.name.as_str(), d.args.first(), d.args.get(1)) {
            (name, Some(key), Some(value)) if KEY_VALUE.contains(&name) => {
                (key.value.as_str(), value)
            }
            ("set", Some(var), Some(value)) => (var.value.trim_start_matches('$'), value),
            _ => return,
        };
        // A value built from variables is not a literal.
        if value.value.contains('$') {
            return;
        }
        if key.eq_ignore_ascii_case("authorization")
            || key.eq_ignore_ascii_case("proxy-authorization")
        {
            authorization(key, value, detector, &mut out);
            return;
        }
        out.extend(detector.check_assignment(
            key,
            &value.value,
            content_span(value),
            Position::Assignment,
        ));
    });
    out
}

/// `Authorization: <scheme> <credential>`: the credential is a secret unless a placeholder.
fn authorization(key: &str, value: &Arg, detector: &Detector, out: &mut Vec<Secret>) {
    let text = value.value.trim();
    let Some((scheme, credential)) = text.split_once(' ') else {
        return;
    };
    let credential = credential.trim();
    if credential.len() < 8 || is_placeholder(credential) || is_dummy(credential) {
        return;
    }
    let span = content_span(value);
    let offset = value.value.find(credential).unwrap_or(0) as u32;
    let secret_span = if value.value.len() as u32 == span.end - span.start {
        span.start + offset..span.start + offset + credential.len() as u32
    } else {
        span
    };
    if let Some(found) =
        detector.check_assignment(key, credential, secret_span.clone(), Position::Assignment)
    {
        out.push(found);
        return;
    }
    out.push(Secret {
        code: Code::SEC001,
        span: secret_span,
        kind: format!("{} credential", scheme.to_ascii_lowercase()),
        key: Some(key.to_string()),
    });
}

/// The span of an argument's content, quotes excluded.
fn content_span(arg: &Arg) -> Span {
    if arg.quoted && arg.span.end >= arg.span.start + 2 {
        arg.span.start + 1..arg.span.end - 1
    } else {
        arg.span.clone()
    }
}
