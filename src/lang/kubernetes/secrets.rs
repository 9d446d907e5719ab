//! The manifests' feed to the secret detector: container env `value`s (never `valueFrom`),
//! `Secret` `stringData` and base64-decoded `data` (a finding points at the encoded value),
//! ConfigMap `data` values and annotations. The raw-text scan is the detector's own.

use super::model::{Model, Object};
use super::yaml::Node;
use crate::secrets::{Detector, Position, Secret};

/// Annotations that hold generated copies of the object, not secrets of their own.
const SKIPPED_ANNOTATIONS: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration"];

pub fn structural(model: &Model<'_>, text: &str, detector: &Detector) -> Vec<Secret> {
    let mut out = Vec::new();
    for object in &model.objects {
        feed_object(object, text, detector, &mut out);
    }
    out
}

fn feed_object(object: &Object<'_>, text: &str, detector: &Detector, out: &mut Vec<Secret>) {
    if let Some(pod) = &object.pod {
        for c in &pod.containers {
            for env in &c.env {
                if let (Some(name), Some(value)) = (env.name.and_then(Node::as_str), env.value) {
                    assign(detector, text, name, value, out);
                }
            }
        }
    }
    match (object.group(), object.kind) {
        ("", "Secret") => {
            for e in object.node.get("stringData").map_or(&[][..], Node::entries) {
                if let Some(key) = e.key.as_str() {
                    assign(detector, text, key, &e.value, out);
                }
            }
            for e in object.node.get("data").map_or(&[][..], Node::entries) {
                if let (Some(key), Some(encoded)) = (e.key.as_str(), e.value.as_str()) {
                    if let Some(decoded) = decode_base64(encoded) {
                        let span = e.value.content_span(text);
                        let mut found: Vec<Secret> = detector
                            .check_assignment(key, &decoded, span.clone(), Position::Assignment)
                            .into_iter()
                            .collect();
                        found.extend(detector.scan_text(&decoded));
                        for mut s in found {
                            // The decoded text is not in the file: point at the encoded value.
                            s.span = span.clone();
                            if s.key.is_none() {
                                s.key = Some(key.to_string());
                            }
                            out.push(s);
                        }
                    }
                }
            }
        }
        ("", "ConfigMap") => {
            for e in object.node.get("data").map_or(&[][..], Node::entries) {
                if let Some(key) = e.key.as_str() {
                    if e.value
                        .as_str()
                        .is_some_and(|v| !v.contains('\n') && !names_secret_object(key, v))
                    {
                        assign(detector, text, key, &e.value, out);
                    }
                }
            }
        }
        _ => {}
    }
    for e in object.annotations.map_or(&[][..], Node::entries) {
        let Some(key) = e.key.as_str() else {
            continue;
        };
        let single_line = e
            .value
            .as_str()
            .is_some_and(|v| !v.contains('\n') && !v.trim_start().starts_with(['{', '[']));
        let reference = e
            .value
            .as_str()
            .is_some_and(|v| names_secret_object(key, v));
        if single_line && !reference && !SKIPPED_ANNOTATIONS.contains(&key) {
            assign(detector, text, key, &e.value, out);
        }
    }
}

/// A key that names a Secret object (`…/auth-tls-secret`, `inject-ca-from-secret`,
/// `tls-secret-name`) with a value that is an object name (`ca-secret`, `ns/ca-secret`): a
/// reference, not a secret.
fn names_secret_object(key: &str, value: &str) -> bool {
    let last = key.rsplit('/').next().unwrap_or(key).to_ascii_lowercase();
    let names_object = [
        "secret",
        "secrets",
        "secret-name",
        "secretname",
        "secret-ref",
    ]
    .iter()
    .any(|s| last.ends_with(s));
    let dns_name = |n: &str| {
        !n.is_empty()
            && n.len() <= 253
            && n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !n.starts_with(['-', '.'])
            && !n.ends_with(['-', '.'])
    };
    let mut parts = value.split('/');
    let (a, b, rest) = (parts.next(), parts.next(), parts.next());
    names_object && rest.is_none() && a.is_some_and(dns_name) && b.map_or(true, dns_name)
}

/// `key: value` where `value` is a scalar written in the file: a secret inside it points at
/// its exact bytes when the value is written as is, else at the whole value.
fn assign(detector: &Detector, text: &str, key: &str, value: &Node, out: &mut Vec<Secret>) {
    let Some(v) = value.as_str() else {
        return;
    };
    // `HF_TOKEN: HF_TOKEN`: a placeholder naming what goes there.
    if v.eq_ignore_ascii_case(key) {
        return;
    }
    let span = value.content_span(text);
    let written_as_is = text.get(span.start as usize..span.end as usize) == Some(v);
    if let Some(mut s) = detector.check_assignment(key, v, span.clone(), Position::Assignment) {
        if !written_as_is {
            s.span = span;
        }
        out.push(s);
    }
}

/// Standard base64 (padding optional, whitespace ignored) to UTF-8 text; `None` for
/// anything else (binary data is not text a detector can read).
pub fn decode_base64(encoded: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut bytes = Vec::with_capacity(encoded.len() * 3 / 4);
    for b in encoded.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            bytes.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::super::yaml;
    use super::*;
    use crate::diagnostic::Span;
    use crate::registry::Code;

    fn spans(found: &[Secret]) -> Vec<Span> {
        found.iter().map(|s| s.span.clone()).collect()
    }

    fn feed(text: &str) -> Vec<Secret> {
        let stream = yaml::parse(text);
        let model = Model::build(&stream);
        structural(&model, text, &Detector::default())
    }

    fn slice<'a>(text: &'a str, span: &Span) -> &'a str {
        &text[span.start as usize..span.end as usize]
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aHVudGVyMg==").as_deref(), Some("hunter2"));
        assert_eq!(decode_base64("aHVudGVyMg").as_deref(), Some("hunter2"));
        assert_eq!(decode_base64("not base64!"), None);
    }

    #[test]
    fn env_values_but_never_value_from() {
        let text = "\
apiVersion: v1
kind: Pod
spec:
  containers:
  - name: app
    image: x
    env:
    - name: DB_PASSWORD
      value: \"s3cr3t-Pa55word\"
    - name: API_TOKEN
      valueFrom: {secretKeyRef: {name: api, key: token}}
    - name: OTHER_PASSWORD
      value: \"${FROM_ENV}\"
";
        let found = feed(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, Code::SEC001);
        assert_eq!(slice(text, &found[0].span), "s3cr3t-Pa55word");
        assert_eq!(found[0].key.as_deref(), Some("DB_PASSWORD"));
    }

    #[test]
    fn secret_string_data_and_decoded_data() {
        let text = "\
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData:
  password: Xk9-plainValue
data:
  db-password: aHVudGVyMi1zZWNyZXQtdmFsdWU=
  username: YWRtaW4=
";
        let found = feed(text);
        let written: Vec<&str> = spans(&found).iter().map(|s| slice(text, s)).collect();
        assert_eq!(
            written,
            vec!["Xk9-plainValue", "aHVudGVyMi1zZWNyZXQtdmFsdWU="]
        );
        assert!(found.iter().all(|s| s.code == Code::SEC001));
    }

    #[test]
    fn config_map_data_and_annotations() {
        let text = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  annotations:
    example.com/api-key: 'Zq8vR2mX7kL4pN9w'
    description: a config
data:
  SMTP_PASSWORD: mailpass-123
  LOG_LEVEL: debug
";
        let found = feed(text);
        let written: Vec<&str> = spans(&found).iter().map(|s| slice(text, s)).collect();
        assert_eq!(written, vec!["mailpass-123", "Zq8vR2mX7kL4pN9w"]);
    }

    #[test]
    fn references_and_self_named_placeholders_are_not_secrets() {
        let text = "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: i
  annotations:
    nginx.ingress.kubernetes.io/auth-tls-secret: default/ca-secret
    cert-manager.io/inject-ca-from-secret: cert-manager/webhook-ca
---
apiVersion: v1
kind: Pod
spec:
  containers:
  - name: a
    image: x
    env:
    - {name: HF_TOKEN, value: HF_TOKEN}
";
        assert!(feed(text).is_empty());
        assert!(!names_secret_object("example.com/api-key", "abc"));
        assert!(!names_secret_object("client-secret", "Zq8vR2mX7kL4pN9w"));
    }

    #[test]
    fn lint_reports_feed_and_raw_scan_once() {
        let token = format!("ghp_{}", "R7tK2mX9qL4vN8wZ3cB6yD1fH5jP0sA2uE4g");
        let text = format!(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: x\n    env:\n    - {{name: GH_TOKEN, value: {token}}}\n"
        );
        let source = crate::source::SourceFile::new("p.yaml", text.as_str());
        let out = super::super::lint(&source, &crate::lang::LintContext::default());
        let codes: Vec<Code> = out
            .diagnostics
            .iter()
            .map(|d| d.code)
            .filter(|c| c.meta().default_on)
            .collect();
        assert_eq!(codes, vec![Code::SEC002]);
        assert_eq!(out.secrets.len(), 1);
        assert_eq!(slice(&text, &out.secrets[0]), token);
    }
}
