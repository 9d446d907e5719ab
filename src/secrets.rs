//! One secret detector for every file type. Languages feed it what their parsers know —
//! `(key, value, span)` assignments, command-line credentials, URLs — plus the raw text, which
//! is scanned for provider tokens (a keyword prefilter before any regex) and private keys.
//!
//! A `Secret` holds where the secret is and what kind it is, never its value: diagnostics
//! built from it cannot leak it, and every span found is masked in every printed output.

use crate::diagnostic::{Diagnostic, Span};
use crate::registry::Code;
use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{dfa, nfa, Anchored, MatchKind};
use regex::Regex;
use std::sync::OnceLock;

/// A secret found in a file: its location and kind, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub code: Code,
    /// The bytes of the secret value itself.
    pub span: Span,
    /// What kind of secret, e.g. "AWS access key ID" or "password".
    pub kind: String,
    /// The key it is assigned to, when there is one (a name, not a secret).
    pub key: Option<String>,
}

impl Secret {
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::new(self.code, self.span.clone());
        let (message, help) = match (self.code, &self.key) {
            (Code::SEC001, Some(key)) => (
                format!("hardcoded {} in `{key}`", self.kind),
                "read it from a secret store or a build secret at run time, and rotate it",
            ),
            (Code::SEC003, _) => (
                "private key in plain text".to_string(),
                "keep private keys out of the repository (a secret store or a mounted file), and rotate it",
            ),
            (Code::SEC004, _) => (
                format!("{} in plain text", self.kind),
                "pass credentials from a secret (environment variable or file) instead of the command line or URL, and rotate them",
            ),
            (Code::SEC005, Some(key)) => (
                format!("high-entropy string in `{key}` looks like a secret"),
                "if it is a secret, read it from a secret store; otherwise allow it in `[secrets] allow`",
            ),
            (_, Some(key)) => (
                format!("{} in `{key}`", self.kind),
                "revoke this token, and read it from a secret store at run time",
            ),
            (_, None) => (
                self.kind.clone(),
                "revoke this token, and read it from a secret store at run time",
            ),
        };
        d.message(message).help(help);
        d
    }
}

/// How a value was written, which decides how strict the detector is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A value the language assigns to a key (ENV, env[].value, environment {}).
    Assignment,
    /// An argument of a command line (`--password X`).
    CommandArg,
}

/// The detector, with the run's `[secrets] allow` list.
#[derive(Debug, Clone, Default)]
pub struct Detector {
    allow: Vec<String>,
}

impl Detector {
    pub fn new(allow: Vec<String>) -> Detector {
        Detector { allow }
    }

    fn allowed(&self, key: Option<&str>, value: &str) -> bool {
        self.allow
            .iter()
            .any(|a| a == value || key.is_some_and(|k| a.eq_ignore_ascii_case(k)))
    }

    /// A value assigned to a key: SEC002 when it is a known token, SEC001 when the key names a
    /// secret and the value is a literal, SEC005 for a high-entropy literal under another key.
    pub fn check_assignment(
        &self,
        key: &str,
        value: &str,
        span: Span,
        position: Position,
    ) -> Option<Secret> {
        if value.is_empty() || self.allowed(Some(key), value) {
            return None;
        }
        if let Some((range, kind)) = known_token_in(value) {
            let start = span.start + range.start as u32;
            return Some(Secret {
                code: Code::SEC002,
                span: start..start + range.len() as u32,
                kind: kind.to_string(),
                key: Some(key.to_string()),
            });
        }
        if is_placeholder(value) || looks_like_path(value) {
            return None;
        }
        if let Some(kind) = secret_key_kind(key) {
            if is_dummy(value) || (position == Position::CommandArg && value.len() < 4) {
                return None;
            }
            return Some(Secret {
                code: Code::SEC001,
                span,
                kind: kind.to_string(),
                key: Some(key.to_string()),
            });
        }
        if looks_high_entropy(value) && !names_non_secret(key) {
            return Some(Secret {
                code: Code::SEC005,
                span,
                kind: "high-entropy string".to_string(),
                key: Some(key.to_string()),
            });
        }
        None
    }

    /// A credential given on a command line or in a URL (`user:pass`): SEC004 for its
    /// password part when that is a literal.
    pub fn check_credential(&self, password: &str, span: Span, kind: &str) -> Option<Secret> {
        if password.is_empty()
            || self.allowed(None, password)
            || is_placeholder(password)
            || is_dummy(password)
        {
            return None;
        }
        Some(Secret {
            code: Code::SEC004,
            span,
            kind: kind.to_string(),
            key: None,
        })
    }

    /// Scans raw text (comments included) for provider tokens (SEC002), private keys
    /// (SEC003) and URLs with a password (SEC004).
    pub fn scan_text(&self, text: &str) -> Vec<Secret> {
        let table = table();
        let mut triggered = vec![false; table.patterns.len() + 2];
        if let Some(keywords) = &table.keywords {
            let mut seen = vec![false; table.keyword_patterns.len()];
            keywords.find_in(text.as_bytes(), &mut seen);
            for (_, patterns) in seen
                .iter()
                .zip(&table.keyword_patterns)
                .filter(|(s, _)| **s)
            {
                for &p in patterns {
                    triggered[p] = true;
                }
            }
        }
        let mut out = Vec::new();
        for (i, pattern) in table.patterns.iter().enumerate() {
            if !triggered[i] {
                continue;
            }
            let Some(regex) = pattern.regex() else {
                continue;
            };
            for caps in regex.captures_iter(text) {
                let Some(m) = caps.get(pattern.spec.group).or_else(|| caps.get(0)) else {
                    continue;
                };
                let token = m.as_str();
                if shannon_entropy(token) < pattern.spec.entropy
                    || is_placeholder(token)
                    || token.ends_with("EXAMPLE")
                    || self.allowed(None, token)
                {
                    continue;
                }
                out.push(Secret {
                    code: Code::SEC002,
                    span: m.start() as u32..m.end() as u32,
                    kind: pattern.spec.kind.to_string(),
                    key: None,
                });
            }
        }
        if triggered[table.patterns.len()] {
            for caps in table.private_key.captures_iter(text) {
                if let Some(body) = caps.get(1) {
                    let b = body.as_str();
                    // Documentation shows headers with "..." bodies: a real key has substance.
                    if b.trim().len() >= 40 && !b.contains("...") && !is_placeholder(b.trim()) {
                        out.push(Secret {
                            code: Code::SEC003,
                            span: body.start() as u32..body.end() as u32,
                            kind: "private key".to_string(),
                            key: None,
                        });
                    }
                }
            }
        }
        if triggered[table.patterns.len() + 1] {
            for caps in table.url_userinfo.captures_iter(text) {
                let Some(pass) = caps.get(2) else { continue };
                let user = caps.get(1).map(|u| u.as_str()).unwrap_or("");
                if user.len() > 128 || pass.len() > 256 {
                    continue;
                }
                if is_placeholder(user) && is_placeholder(pass.as_str()) {
                    continue;
                }
                if let Some(s) = self.check_credential(
                    pass.as_str(),
                    pass.start() as u32..pass.end() as u32,
                    "password in a URL",
                ) {
                    out.push(s);
                }
            }
        }
        out
    }
}

/// Removes secrets found twice (by the text scan and a structural feed): the more specific
/// code wins, and one span is reported once.
pub fn dedup(mut secrets: Vec<Secret>) -> Vec<Secret> {
    secrets.sort_by_key(|s| (s.span.start, s.span.end, s.code));
    let mut out: Vec<Secret> = Vec::with_capacity(secrets.len());
    for s in secrets {
        if let Some(prev) = out
            .iter_mut()
            .find(|p| p.span.start < s.span.end && s.span.start < p.span.end)
        {
            // Prefer the known-token finding, then the one that names its key.
            let better = (s.code == Code::SEC002 && prev.code != Code::SEC002)
                || (prev.code == Code::SEC005 && s.code != Code::SEC005);
            if better {
                let key = prev.key.take();
                *prev = s;
                if prev.key.is_none() {
                    prev.key = key;
                }
            } else if prev.key.is_none() {
                prev.key = s.key;
            }
            continue;
        }
        out.push(s);
    }
    out
}

/// Whether a key names a secret, and what kind: `DB_PASSWORD` → "password". Keys that name a
/// credential without holding one (`passwordVariable`, `secretName`, `TOKEN_URL`,
/// `public_key`, `*_FILE`) are not.
pub fn secret_key_kind(key: &str) -> Option<&'static str> {
    let words = key_words(key);
    if words.is_empty() || names_non_secret(key) {
        return None;
    }
    let has = |w: &str| words.iter().any(|x| x == w);
    let joined = words.join("_");
    if has("password")
        || has("passwd")
        || has("pwd")
        || has("pass")
        || joined.contains("passphrase")
    {
        return Some("password");
    }
    if has("secret") || joined.contains("client_secret") {
        return Some("secret");
    }
    if has("token") || joined.ends_with("_token") || joined.starts_with("token") {
        return Some("token");
    }
    if joined.contains("api_key")
        || has("apikey")
        || joined.contains("access_key")
        || joined.contains("secret_key")
        || joined.contains("private_key")
        || joined.contains("auth_key")
        || joined.contains("account_key")
        || joined.contains("master_key")
        || joined.contains("encryption_key")
        || joined.contains("signing_key")
    {
        return Some("key");
    }
    if has("credential") || has("credentials") || has("creds") {
        return Some("credential");
    }
    None
}

/// Splits `dbPassword`, `DB_PASSWORD`, `db-password`, `db.password` into lower-case words.
fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' || c == '/' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Keys that name, locate or describe a credential rather than hold one.
fn names_non_secret(key: &str) -> bool {
    let words = key_words(key);
    let Some(last) = words.last() else {
        return true;
    };
    const LAST: &[&str] = &[
        "file",
        "path",
        "dir",
        "url",
        "uri",
        "name",
        "id",
        "ids",
        "variable",
        "var",
        "ref",
        "type",
        "length",
        "len",
        "ttl",
        "expiry",
        "expires",
        "expiration",
        "header",
        "enabled",
        "enable",
        "disabled",
        "policy",
        "version",
        "user",
        "username",
        "host",
        "port",
        "endpoint",
        "arn",
        "fingerprint",
        "hash",
        "sha",
        "format",
        "mode",
        "env",
        "location",
        "store",
        "keystore",
        "ssm",
        "field",
        "prefix",
        "count",
        "size",
        "timeout",
        "algorithm",
        "alg",
        "kind",
        "method",
        "provider",
        "template",
        "selector",
        "mount",
        "command",
        "cmd",
        "script",
        "stdin",
        "regex",
        "pattern",
        "label",
        "annotation",
        "secretref",
        "keyref",
    ];
    if LAST.contains(&last.as_str()) {
        // `ACCESS_KEY_ID` names an id; ids are not secrets.
        return true;
    }
    let joined = words.join("_");
    const ANYWHERE: &[&str] = &[
        "public_key",
        "publickey",
        "pub_key",
        "gpg_key",
        "secret_name",
        "secretname",
        "secret_key_ref",
        "credentials_id",
        "credentialsid",
        "key_alias",
        "keyalias",
        "csrf",
        "xsrf",
        "token_url",
        "tokenurl",
        "password_variable",
        "passwordvariable",
        "secret_ref",
        "password_policy",
        "token_endpoint",
        "no_password",
        "nopassword",
        "password_auth",
        "password_authentication",
        "require_password",
    ];
    ANYWHERE.iter().any(|w| joined.contains(w))
}

/// Placeholders and references that stand for a secret without being one.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    if v.is_empty() {
        return true;
    }
    // Names standing in for a value: `YOUR_API_KEY`, `GOOGLE_API_KEY_VAL`, or a format prefix
    // followed by one (`nvapi-NVKEY`).
    let is_upper_word = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    };
    let last_word = v.rsplit(['-', '_', '.']).next().unwrap_or(v);
    if (is_upper_word(v) && v.contains('_'))
        || (v.contains('-')
            && is_upper_word(last_word)
            && ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASS"]
                .iter()
                .any(|n| last_word.ends_with(n)))
    {
        return true;
    }
    // References: $VAR, ${VAR}, $(cmd), `cmd`, {{ … }}, ${{ … }}, %VAR%, @VAR@, <…>, {0}, %s.
    if v.contains('$')
        || v.contains("{{")
        || v.contains('`')
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('%') && v.ends_with('%') && v.len() > 2)
        || (v.starts_with('@') && v.ends_with('@') && v.len() > 2)
        || (v.starts_with('{') && v.ends_with('}'))
        || v == "%s"
    {
        return true;
    }
    // One repeated character: `****`, `xxxx`, `....`.
    let mut chars = v.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            return true;
        }
    }
    // Secret-store references.
    let lower = v.to_ascii_lowercase();
    const REFERENCES: &[&str] = &[
        "vault:",
        "arn:aws:secretsmanager:",
        "arn:aws:ssm:",
        "ssm:",
        "azurekeyvault",
        "secretmanager",
        "/run/secrets/",
        "credentials(",
        "secretkeyref",
        "file://",
    ];
    REFERENCES.iter().any(|r| lower.contains(r))
}

/// Values that are obviously not real credentials: documentation dummies and defaults.
pub fn is_dummy(value: &str) -> bool {
    let v = value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .to_ascii_lowercase();
    const DUMMIES: &[&str] = &[
        "changeme",
        "change_me",
        "change-me",
        "changeit",
        "password",
        "passwd",
        "pass",
        "secret",
        "test",
        "testing",
        "example",
        "dummy",
        "placeholder",
        "todo",
        "tbd",
        "fixme",
        "none",
        "null",
        "nil",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "redacted",
        "hidden",
        "masked",
        "sample",
        "default",
        "foo",
        "bar",
        "foobar",
        "xxx",
        "mypassword",
        "your-password",
        "your_password",
        "yourpassword",
        "token",
        "your-token",
        "your_token",
        "mysecret",
        "my-secret",
        "secretpassword",
        "admin",
        "root",
        "guest",
        "user",
        "postgres",
        "mysql",
        "required",
        "optional",
        "string",
        "value",
        "empty",
        "unset",
        "notset",
        "insecure",
        "fake",
        "mypass",
        "yourpass",
        "pass123",
        "password1",
        "password123",
        "secret123",
        "s3cret",
        "demo",
    ];
    if DUMMIES.contains(&v.as_str()) || is_dummy_phrase(value) {
        return true;
    }
    let markers = [
        "changeme",
        "example",
        "dummy",
        "placeholder",
        "replace",
        "your_",
        "your-",
        "xxxx",
        "insert",
        // `toBeSetLater`, `to_be_defined`, `TO-BE-FILLED` (not `October…`).
        "tobeset",
        "tobedefined",
        "tobefilled",
        "tobereplaced",
        "to_be_",
        "to-be-",
        "setlater",
    ];
    markers.iter().any(|m| v.contains(m)) || v.chars().all(|c| c.is_ascii_digit()) && v.len() < 4
}

/// A value made only of placeholder words and the names of secrets, at least one of each:
/// `myToken`, `myClientSecret`, `test-password`, `your_api_key`, `dummyAccessToken`.
fn is_dummy_phrase(value: &str) -> bool {
    const PLACEHOLDER: &[&str] = &[
        "my", "your", "test", "dummy", "fake", "sample", "example", "some", "foo", "bar", "wrong",
        "invalid", "bad", "other", "another",
    ];
    const SECRET: &[&str] = &[
        "token",
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "key",
        "api",
        "access",
        "client",
        "auth",
        "bearer",
        "credential",
        "credentials",
        "user",
        "username",
    ];
    let trimmed = value.trim();
    if trimmed.len() > 40
        || !trimmed
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_')
    {
        return false;
    }
    let words = key_words(trimmed);
    words.iter().any(|w| PLACEHOLDER.contains(&w.as_str()))
        && words.iter().any(|w| SECRET.contains(&w.as_str()))
        && words
            .iter()
            .all(|w| PLACEHOLDER.contains(&w.as_str()) || SECRET.contains(&w.as_str()))
}

/// A file name such as `resetOSPassword.sh` or `grid_home.zip`: one word ending in a
/// common extension.
fn looks_like_file_name(v: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "sh",
        "py",
        "rb",
        "pl",
        "js",
        "txt",
        "json",
        "yaml",
        "yml",
        "xml",
        "conf",
        "cfg",
        "ini",
        "properties",
        "env",
        "key",
        "pem",
        "crt",
        "cer",
        "p12",
        "pfx",
        "jks",
        "zip",
        "tar",
        "gz",
        "tgz",
        "rsp",
        "sql",
        "jar",
        "war",
        "rpm",
        "deb",
        "log",
        "html",
        "md",
    ];
    !v.contains(char::is_whitespace)
        && v.rsplit_once('.').is_some_and(|(stem, ext)| {
            !stem.is_empty() && EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        })
}

/// A path or a file name: a value that locates a secret rather than holding one.
pub fn looks_like_path(value: &str) -> bool {
    let v = value.trim_matches(|c| c == '"' || c == '\'');
    looks_like_file_name(v)
        || (v.starts_with('/') && !v.contains(' ') && v.len() > 1)
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with("~/")
        || (v.len() > 2 && v.as_bytes()[1] == b':' && matches!(v.as_bytes()[2], b'\\' | b'/'))
}

fn looks_high_entropy(value: &str) -> bool {
    let v = value.trim_matches(|c| c == '"' || c == '\'');
    if v.len() < 24 || v.len() > 512 || v.contains(char::is_whitespace) || v.contains("://") {
        return false;
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+/=_-.".contains(c))
    {
        return false;
    }
    // Hex strings are digests and commit ids far more often than secrets; names made of
    // several words (`PSDocker-DotnetSDK-Ubuntu-22.04`, UUIDs) are identifiers.
    if v.chars().all(|c| c.is_ascii_hexdigit())
        || v.split(['-', '.', '_'])
            .filter(|part| !part.is_empty())
            .count()
            >= 3
        || looks_like_file_name(v)
    {
        return false;
    }
    let has_upper = v.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = v.chars().any(|c| c.is_ascii_lowercase());
    let has_digit = v.chars().any(|c| c.is_ascii_digit());
    has_upper && has_lower && has_digit && shannon_entropy(v) >= 4.3
}

/// Shannon entropy in bits per character.
pub fn shannon_entropy(s: &str) -> f32 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f32;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f32 / n;
            -p * p.log2()
        })
        .sum()
}

/// A provider token pattern: the regex, the capture group holding the secret (0 = the whole
/// match), keywords that must appear before the regex runs, and an entropy floor.
struct TokenSpec {
    kind: &'static str,
    keywords: &'static [&'static str],
    regex: &'static str,
    group: usize,
    entropy: f32,
}

/// Our table of the provider formats that matter in ops configs.
const TOKENS: &[TokenSpec] = &[
    TokenSpec {
        kind: "AWS access key ID",
        keywords: &["akia", "asia", "abia", "acca"],
        regex: r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "AWS secret access key",
        keywords: &[
            "aws_secret",
            "secret_access_key",
            "secretaccesskey",
            "aws-secret",
        ],
        regex: r#"(?i)(?:aws_?secret_?access_?key|secret_?access_?key|aws-secret-access-key)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})\b"#,
        group: 1,
        entropy: 4.0,
    },
    TokenSpec {
        kind: "GitHub personal access token",
        keywords: &["ghp_"],
        regex: r"\b(ghp_[0-9A-Za-z]{36})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "GitHub OAuth token",
        keywords: &["gho_"],
        regex: r"\b(gho_[0-9A-Za-z]{36})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "GitHub app token",
        keywords: &["ghu_", "ghs_"],
        regex: r"\b((?:ghu|ghs)_[0-9A-Za-z]{36})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "GitHub refresh token",
        keywords: &["ghr_"],
        regex: r"\b(ghr_[0-9A-Za-z]{36,76})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "GitHub fine-grained token",
        keywords: &["github_pat_"],
        regex: r"\b(github_pat_[0-9A-Za-z_]{82})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "GitLab personal access token",
        keywords: &["glpat-"],
        regex: r"\b(glpat-[0-9A-Za-z_\-]{20,})",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "GitLab deploy token",
        keywords: &["gldt-"],
        regex: r"\b(gldt-[0-9A-Za-z_\-]{20,})",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "GitLab runner token",
        keywords: &["glrt-", "gr1348941"],
        regex: r"\b((?:glrt-|GR1348941)[0-9A-Za-z_\-]{20,})",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "GitLab CI job token",
        keywords: &["glcbt-"],
        regex: r"\b(glcbt-[0-9a-fA-F]{1,5}_[0-9A-Za-z_\-]{20})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "GitLab pipeline trigger token",
        keywords: &["glptt-"],
        regex: r"\b(glptt-[0-9a-f]{40})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Slack token",
        keywords: &["xoxb-", "xoxp-", "xoxa-", "xoxe", "xoxs-", "xoxr-"],
        regex: r"\b(xox(?:[abprs]|e(?:\.xox[bp])?)-[0-9A-Za-z\-]{10,})",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Slack app token",
        keywords: &["xapp-"],
        regex: r"\b(xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Slack webhook URL",
        keywords: &["hooks.slack.com"],
        regex: r"(hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56})",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Microsoft Teams webhook URL",
        keywords: &["webhook.office.com"],
        regex: r"(https://[a-z0-9]+\.webhook\.office\.com/webhookb2/[a-z0-9\-]{36}@[a-z0-9\-]{36}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9\-]{36})",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Google API key",
        keywords: &["aiza"],
        regex: r"\b(AIza[0-9A-Za-z_\-]{35})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Google service account private key",
        keywords: &["service_account"],
        regex: r#""type"\s*:\s*"service_account"[^}]*?"private_key_id"\s*:\s*"([0-9a-f]{40})""#,
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Azure storage account key",
        keywords: &["accountkey="],
        regex: r"(?i)AccountKey=([A-Za-z0-9+/]{86}==)",
        group: 1,
        entropy: 4.0,
    },
    TokenSpec {
        kind: "Stripe live secret key",
        keywords: &["sk_live_", "rk_live_"],
        regex: r"\b((?:sk|rk)_live_[0-9A-Za-z]{24,99})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Twilio API key",
        keywords: &["sk"],
        regex: r"\b(SK[0-9a-fA-F]{32})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "SendGrid API key",
        keywords: &["sg."],
        regex: r"\b(SG\.[0-9A-Za-z_\-]{22}\.[0-9A-Za-z_\-]{43})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "npm access token",
        keywords: &["npm_"],
        regex: r"\b(npm_[0-9A-Za-z]{36})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "PyPI upload token",
        keywords: &["pypi-ag"],
        regex: r"\b(pypi-AgEIcHlwaS5vcmc[0-9A-Za-z_\-]{50,})",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Docker Hub personal access token",
        keywords: &["dckr_pat_"],
        regex: r"\b(dckr_pat_[0-9A-Za-z_\-]{27,})",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "HashiCorp Vault token",
        keywords: &["hvs.", "hvb."],
        regex: r"\b((?:hvs|hvb)\.[0-9A-Za-z_\-]{24,})",
        group: 1,
        entropy: 3.5,
    },
    TokenSpec {
        kind: "HashiCorp Terraform Cloud token",
        keywords: &["atlasv1"],
        regex: r"\b([0-9A-Za-z]{14}\.atlasv1\.[0-9A-Za-z_\-=]{60,70})",
        group: 1,
        entropy: 3.5,
    },
    TokenSpec {
        kind: "JSON Web Token",
        keywords: &["eyj"],
        regex: r"\b(ey[A-Za-z0-9]{17,}\.ey[A-Za-z0-9/_\-]{17,}\.[A-Za-z0-9/_\-]{10,}={0,2})",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Heroku API key",
        keywords: &["heroku"],
        regex: r#"(?i)heroku[a-z0-9_ .\-]{0,20}["']?\s*[:=]\s*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"#,
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Heroku API key",
        keywords: &["hrku-"],
        regex: r"\b(HRKU-AA[0-9A-Za-z_\-]{58})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "DigitalOcean token",
        keywords: &["dop_v1_", "doo_v1_", "dor_v1_"],
        regex: r"\b(do[opr]_v1_[a-f0-9]{64})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Datadog API key",
        keywords: &["datadog", "dd_api_key", "dd_app_key"],
        regex: r#"(?i)(?:datadog|dd)[a-z0-9_ .\-]{0,20}(?:api|app)[_\-]?key["']?\s*[:=]\s*["']?([a-f0-9]{32}|[a-f0-9]{40})\b"#,
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Telegram bot token",
        keywords: &["telegram", "bot", "tg"],
        regex: r"\b([0-9]{8,10}:AA[0-9A-Za-z_\-]{33})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "OpenAI API key",
        keywords: &["sk-", "t3blbkfj"],
        regex: r"\b(sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{58,74}T3BlbkFJ[A-Za-z0-9_\-]{58,74}|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Anthropic API key",
        keywords: &["sk-ant-"],
        regex: r"\b(sk-ant-(?:api03|admin01)-[A-Za-z0-9_\-]{93}AA)",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Shopify access token",
        keywords: &["shpat_", "shpca_", "shppa_", "shpss_"],
        regex: r"\b(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Artifactory API key",
        keywords: &["akcp"],
        regex: r"\b(AKCp[A-Za-z0-9]{69})\b",
        group: 1,
        entropy: 4.5,
    },
    TokenSpec {
        kind: "Grafana service account token",
        keywords: &["glsa_"],
        regex: r"\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b",
        group: 1,
        entropy: 3.0,
    },
    TokenSpec {
        kind: "Hugging Face token",
        keywords: &["hf_"],
        regex: r"\b(hf_[A-Za-z]{34})\b",
        group: 1,
        entropy: 3.0,
    },
];

/// A token pattern whose regex is compiled the first time its keyword appears in a text, so
/// a run over files without tokens (the usual case) compiles none of them.
struct CompiledToken {
    spec: &'static TokenSpec,
    regex: OnceLock<Option<Regex>>,
}

impl CompiledToken {
    fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| {
                let compiled = Regex::new(self.spec.regex).ok();
                // The table is ours and tested (`every_token_pattern_compiles`): a pattern that
                // does not compile is skipped, not a crash on the user's machine.
                debug_assert!(
                    compiled.is_some(),
                    "token pattern {} does not compile",
                    self.spec.kind
                );
                compiled
            })
            .as_ref()
    }
}

static MANY_FILES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Tells the detector, before its first use, that the run will scan many texts: it then
/// builds the automata that search fastest rather than those that build fastest.
pub fn expect_many_texts() {
    MANY_FILES.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The keywords' automaton: a DFA when the run scans many texts, else a contiguous NFA (a DFA
/// takes about half a millisecond to build, most of the time of a run on one small file).
enum Keywords {
    Dfa(dfa::DFA),
    Nfa(nfa::contiguous::NFA),
}

impl Keywords {
    fn build(keywords: &[String], dfa: bool) -> Option<Keywords> {
        Some(if dfa {
            Keywords::Dfa(
                dfa::DFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(keywords)
                    .ok()?,
            )
        } else {
            Keywords::Nfa(
                nfa::contiguous::NFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(keywords)
                    .ok()?,
            )
        })
    }

    /// Marks in `seen` each keyword that occurs in `text`.
    fn find_in(&self, text: &[u8], seen: &mut [bool]) {
        match self {
            Keywords::Dfa(automaton) => keywords_in_quarters(automaton, text, seen),
            // An NFA step branches (state kinds, failure links): walks side by side only add
            // mispredictions (measured a third slower than one walk), so one walk it is.
            Keywords::Nfa(automaton) => {
                if let Ok(start) = automaton.start_state(Anchored::No) {
                    walk(automaton, start, text, seen);
                }
            }
        }
    }
}

/// Marks in `seen` each keyword of the DFA `automaton` that occurs in `text`. The automaton is
/// driven over the four quarters of the text at once: each step is a load that waits for the
/// one before, so one walk leaves the core idle most of the time, and four independent walks
/// scan 2.6 times faster (measured on the Kubernetes corpus). Each quarter's walk runs on into
/// the next by the longest keyword less a byte, so that a keyword across a boundary is seen
/// whole.
fn keywords_in_quarters(automaton: &dfa::DFA, text: &[u8], seen: &mut [bool]) {
    let Ok(start) = automaton.start_state(Anchored::No) else {
        return;
    };
    let quarter = text.len() / 4;
    if quarter < 64 {
        walk(automaton, start, text, seen);
        return;
    }
    let (a, rest) = text.split_at(quarter);
    let (b, rest) = rest.split_at(quarter);
    let (c, d) = rest.split_at(quarter);
    let mut states = [start; 4];
    for (((&w, &x), &y), &z) in a.iter().zip(b).zip(c).zip(d) {
        let [s0, s1, s2, s3] = states;
        states = [
            automaton.next_state(Anchored::No, s0, w),
            automaton.next_state(Anchored::No, s1, x),
            automaton.next_state(Anchored::No, s2, y),
            automaton.next_state(Anchored::No, s3, z),
        ];
        if states.iter().any(|&s| automaton.is_match(s)) {
            for &s in &states {
                note_matches(automaton, s, seen);
            }
        }
    }
    let overlap = automaton.max_pattern_len().saturating_sub(1);
    for (k, state) in states.into_iter().enumerate() {
        let from = (k + 1) * quarter;
        let end = if k == 3 {
            text.len()
        } else {
            (from + overlap).min(text.len())
        };
        walk(automaton, state, &text[from..end], seen);
    }
}

/// Walks `bytes` from `state`, marking the keywords found.
fn walk<A: Automaton>(automaton: &A, mut state: StateID, bytes: &[u8], seen: &mut [bool]) {
    for &byte in bytes {
        state = automaton.next_state(Anchored::No, state, byte);
        note_matches(automaton, state, seen);
    }
}

/// Marks the keywords that end at `state`, if it is a match state.
fn note_matches<A: Automaton>(automaton: &A, state: StateID, seen: &mut [bool]) {
    if automaton.is_match(state) {
        for i in 0..automaton.match_len(state) {
            seen[automaton.match_pattern(state, i).as_usize()] = true;
        }
    }
}

struct Table {
    patterns: Vec<CompiledToken>,
    keywords: Option<Keywords>,
    /// For each keyword, the patterns it triggers (indexes past `patterns` are the private
    /// key and URL scans).
    keyword_patterns: Vec<Vec<usize>>,
    private_key: Regex,
    url_userinfo: Regex,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut patterns = Vec::with_capacity(TOKENS.len());
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_patterns: Vec<Vec<usize>> = Vec::new();
        let mut add_keyword = |kw: &str, pattern: usize, keywords: &mut Vec<String>| {
            let kw = kw.to_ascii_lowercase();
            match keywords.iter().position(|k| *k == kw) {
                Some(i) => keyword_patterns[i].push(pattern),
                None => {
                    keywords.push(kw);
                    keyword_patterns.push(vec![pattern]);
                }
            }
        };
        for spec in TOKENS {
            let index = patterns.len();
            patterns.push(CompiledToken {
                spec,
                regex: OnceLock::new(),
            });
            for kw in spec.keywords {
                add_keyword(kw, index, &mut keywords);
            }
        }
        let n = patterns.len();
        add_keyword("private key", n, &mut keywords);
        add_keyword("://", n + 1, &mut keywords);
        Table {
            patterns,
            keywords: Keywords::build(
                &keywords,
                MANY_FILES.load(std::sync::atomic::Ordering::Relaxed),
            ),
            keyword_patterns,
            private_key: Regex::new(
                r"-----BEGIN[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?-----([\s\S]*?)-----END[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?-----",
            )
            .unwrap_or_else(|_| never()),
            url_userinfo: Regex::new(
                r#"\b[a-zA-Z][a-zA-Z0-9+.\-]+://([^\s:/@'"`<>{}\[\]]+):([^\s@/'"`<>]+)@[A-Za-z0-9\[\$_{-]"#,
            )
            .unwrap_or_else(|_| never()),
        }
    })
}

fn never() -> Regex {
    // A regex that matches nothing; only reached if a literal pattern above fails to compile.
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!("the empty class compiles"))
}

/// The first known token in a value, with its byte range and kind.
fn known_token_in(value: &str) -> Option<(std::ops::Range<usize>, &'static str)> {
    Detector::default()
        .scan_text(value)
        .into_iter()
        .find(|s| s.code == Code::SEC002)
        .map(|s| {
            (
                s.span.start as usize..s.span.end as usize,
                table_kind(&s.kind),
            )
        })
}

fn table_kind(kind: &str) -> &'static str {
    TOKENS
        .iter()
        .find(|t| t.kind == kind)
        .map(|t| t.kind)
        .unwrap_or("token")
}

/// `text` with every byte of each secret span replaced by `*` (widened to char boundaries), so
/// byte offsets stay the same. The one place where source text is masked: every output that
/// prints text from a file goes through it.
pub fn mask(text: &str, secrets: &[Span]) -> String {
    if secrets.is_empty() {
        return text.to_string();
    }
    let mut bytes = text.as_bytes().to_vec();
    for span in secrets {
        let mut start = (span.start as usize).min(text.len());
        let mut end = (span.end as usize).clamp(start, text.len());
        while start > 0 && !text.is_char_boundary(start) {
            start -= 1;
        }
        while end < text.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        if let Some(slice) = bytes.get_mut(start..end) {
            for b in slice.iter_mut().filter(|b| **b != b'\n' && **b != b'\r') {
                *b = b'*';
            }
        }
    }
    // Whole characters were replaced by ASCII, so this is valid UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `text` with every occurrence of a secret value replaced by `*`s: what reporters apply to
/// messages, help and fix texts, so a rule that quotes a value (a command, a label) can never
/// print a secret.
pub fn scrub<'a>(text: &'a str, values: &[&str]) -> std::borrow::Cow<'a, str> {
    let mut out = std::borrow::Cow::Borrowed(text);
    for v in values.iter().filter(|v| v.len() >= 4) {
        if out.contains(*v) {
            out = std::borrow::Cow::Owned(out.replace(*v, &"*".repeat(v.chars().count())));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of the corpora beside the checkout (none in a checkout alone): the keywords
    /// found by the quartered walks are those of aho-corasick's own overlapping search.
    #[test]
    fn keywords_found_in_the_corpora_are_those_of_the_overlapping_search() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let mut words: Vec<String> = TOKENS
            .iter()
            .flat_map(|t| t.keywords.iter().map(|k| k.to_ascii_lowercase()))
            .collect();
        words.extend(["private key".to_string(), "://".to_string()]);
        let oracle = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&words)
            .unwrap();
        let automata = [true, false].map(|dfa| Keywords::build(&words, dfa).unwrap());
        let mut files = 0;
        for folder in ["kubernetes", "nginx"].map(|f| root.join(f)) {
            if !folder.is_dir() {
                continue;
            }
            for path in crate::discover::walk(&folder) {
                let Ok(text) = std::fs::read(&path) else {
                    continue;
                };
                let mut expected = vec![false; words.len()];
                for m in oracle.find_overlapping_iter(&text) {
                    expected[m.pattern().as_usize()] = true;
                }
                for automaton in &automata {
                    let mut seen = vec![false; words.len()];
                    automaton.find_in(&text, &mut seen);
                    assert_eq!(seen, expected, "{}", path.display());
                }
                files += 1;
            }
        }
        assert!(files == 0 || files > 5_000, "{files} files");
    }

    #[test]
    fn keywords_are_found_at_every_place_of_a_text_by_both_automata() {
        let words: Vec<String> = ["ghp_", "private key", "://", "sk"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        let automata = [true, false].map(|dfa| Keywords::build(&words, dfa).unwrap());
        // Short texts are walked once; long ones in quarters, whose boundaries every place
        // of a keyword crosses here.
        for len in [12, 255, 256, 257, 1003] {
            for (w, word) in words.iter().enumerate() {
                for at in 0..=len - word.len() {
                    let mut text = vec![b'x'; len];
                    text[at..at + word.len()].copy_from_slice(word.to_uppercase().as_bytes());
                    for automaton in &automata {
                        let mut seen = vec![false; words.len()];
                        automaton.find_in(&text, &mut seen);
                        let found: Vec<usize> = (0..words.len()).filter(|&i| seen[i]).collect();
                        assert_eq!(found, vec![w], "{word:?} at {at} of {len}");
                    }
                }
            }
        }
    }

    fn codes(text: &str) -> Vec<(Code, String)> {
        Detector::default()
            .scan_text(text)
            .into_iter()
            .map(|s| {
                (
                    s.code,
                    text[s.span.start as usize..s.span.end as usize].to_string(),
                )
            })
            .collect()
    }

    // Fake tokens, built at run time so the source itself does not look like it holds secrets.
    fn fake(prefix: &str, body: &str, n: usize) -> String {
        format!("{prefix}{}", &body.repeat(n / body.len() + 1)[..n])
    }

    #[test]
    fn every_token_pattern_compiles() {
        for spec in TOKENS {
            assert!(Regex::new(spec.regex).is_ok(), "{}", spec.kind);
        }
    }

    #[test]
    fn known_tokens_by_format() {
        let gh = fake("ghp_", "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7", 36);
        assert_eq!(
            codes(&format!("token: {gh}\n")),
            vec![(Code::SEC002, gh.clone())]
        );
        let aws = "AKIA".to_string() + "Z3MSJV4WWNKWW5FG";
        assert_eq!(codes(&format!("# {aws}")), vec![(Code::SEC002, aws)]);
        let glpat = fake("glpat-", "x7Yq2Lm9Rt4Kd8Nb3Vc6", 20);
        assert_eq!(codes(&glpat).len(), 1);
        let slack = format!(
            "https://hooks.slack.com/services/{}",
            fake("T0", "A1b2C3d4E5f6G7h8", 44)
        );
        assert_eq!(codes(&slack).len(), 1);
    }

    #[test]
    fn documentation_dummies_are_not_tokens() {
        assert!(codes(&("AKIA".to_string() + "IOSFODNN7EXAMPLE")).is_empty());
        assert!(codes("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").is_empty());
        assert!(codes("AKIAAAAAAAAAAAAAAAAA").is_empty());
        assert!(codes("skip this SK short").is_empty());
    }

    #[test]
    fn private_keys() {
        let body = fake("", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", 120);
        let text =
            format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n");
        let found = codes(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Code::SEC003);
        assert!(codes("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----").is_empty());
    }

    #[test]
    fn urls_with_passwords() {
        assert_eq!(
            codes("postgres://app:S3cr3tPw9@db:5432/app"),
            vec![(Code::SEC004, "S3cr3tPw9".into())]
        );
        assert!(codes("postgres://app:${DB_PASS}@db/app").is_empty());
        assert!(codes("https://user:changeme@example.com").is_empty());
        assert!(codes("k8s_uri: https://myacct:mypass@localhost:4430").is_empty());
        assert!(codes("http://<user>:<password>@host").is_empty());
        assert!(codes("ssh://git@github.com:22/x").is_empty());
    }

    #[test]
    fn assignments() {
        let d = Detector::default();
        let span = 0..12;
        let check = |k: &str, v: &str| {
            d.check_assignment(k, v, span.clone(), Position::Assignment)
                .map(|s| s.code)
        };
        assert_eq!(check("DB_PASSWORD", "hunter2-Prod"), Some(Code::SEC001));
        assert_eq!(check("dbPassword", "hunter2-Prod"), Some(Code::SEC001));
        assert_eq!(check("API_TOKEN", "9f8e7d6c5b4a"), Some(Code::SEC001));
        // Names, paths, references and dummies.
        assert_eq!(check("passwordVariable", "PASS"), None);
        assert_eq!(check("DB_PASSWORD_FILE", "/run/secrets/db"), None);
        assert_eq!(check("ssl_certificate_key", "/etc/ssl/x.key"), None);
        assert_eq!(check("DB_PASSWORD", "${DB_PASSWORD}"), None);
        assert_eq!(check("DB_PASSWORD", "changeme"), None);
        assert_eq!(check("DB_PASSWORD", ""), None);
        assert_eq!(check("AWS_ACCESS_KEY_ID", "abc"), None);
        assert_eq!(
            check("GPG_KEY", "B42F6819007F00F88E364FD4036A9C25BF357DD4"),
            None
        );
        assert_eq!(check("public_key", "ssh-ed25519 AAAAC3Nza"), None);
        assert_eq!(check("TOKEN_URL", "https://auth.example.com/token"), None);
        // High entropy under an innocent name is SEC005; a known token is SEC002 anywhere.
        assert_eq!(
            check("BUILD_ARG", "Zx8Qw2Er5Ty7Ui9Op1As3Df6Gh"),
            Some(Code::SEC005)
        );
        assert_eq!(
            check("IMAGE_DIGEST", "4f6c5e1a7b2d9c8e3f0a1b2c3d4e5f6a7b8c9d0e"),
            None
        );
        let gh = fake("ghp_", "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7", 36);
        assert_eq!(check("SOMETHING", &gh), Some(Code::SEC002));
    }

    #[test]
    fn allow_list() {
        let d = Detector::new(vec!["DB_PASSWORD".into(), "not-a-secret-42".into()]);
        assert!(d
            .check_assignment("DB_PASSWORD", "hunter2-Prod", 0..1, Position::Assignment)
            .is_none());
        assert!(d
            .check_assignment("API_KEY", "not-a-secret-42", 0..1, Position::Assignment)
            .is_none());
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn masking_keeps_offsets() {
        let text = "ENV TOKEN=s3cr€t rest\nnext\n";
        let start = text.find("s3").unwrap() as u32;
        let end = start + "s3cr€t".len() as u32;
        let masked = mask(text, &[start..end]);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked, "ENV TOKEN=******** rest\nnext\n");
        // a span cutting a character in two masks the whole character
        let masked = mask(text, &[start + 5..start + 6]);
        assert_eq!(masked, "ENV TOKEN=s3cr***t rest\nnext\n");
        // out of bounds is harmless
        assert_eq!(mask("ab", &[1..99]), "a*");
    }

    #[test]
    fn scrub_replaces_values_in_messages() {
        assert_eq!(
            scrub("run mysql -pS3cretPw x", &["S3cretPw"]),
            "run mysql -p******** x"
        );
        assert_eq!(scrub("nothing here", &["S3cretPw", "ab"]), "nothing here");
    }

    #[test]
    fn dedup_prefers_known_tokens() {
        let a = Secret {
            code: Code::SEC001,
            span: 5..20,
            kind: "password".into(),
            key: Some("K".into()),
        };
        let b = Secret {
            code: Code::SEC002,
            span: 5..20,
            kind: "GitHub".into(),
            key: None,
        };
        let out = dedup(vec![a, b]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::SEC002);
        assert_eq!(out[0].key.as_deref(), Some("K"));
    }

    #[test]
    fn key_words_split() {
        assert_eq!(key_words("dbPassword"), vec!["db", "password"]);
        assert_eq!(
            key_words("DB_PASSWORD_FILE"),
            vec!["db", "password", "file"]
        );
        assert_eq!(key_words("client-secret"), vec!["client", "secret"]);
    }
}
