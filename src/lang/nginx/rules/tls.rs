//! TLS rules: protocol versions (NGX102) and cipher strings (NGX103).
//!
//! `ssl_ciphers` is evaluated the way OpenSSL reads a cipher string (`ssl_cipher_process_rulestr`):
//! elements separated by `:` (or `,`, `;`, space), `A+B` is the ciphers in both `A` and `B`, a
//! bare element appends what it matches, `-X` removes, `!X` removes for good, `+X` reorders,
//! `@STRENGTH`/`@SECLEVEL=n` sort or filter. It runs over a list of representative cipher
//! suites (and any suite the string names) whose attributes come from their OpenSSL names;
//! aliases follow OpenSSL ≥ 1.1.0 (`HIGH` has no 3DES, `EDH`/`EECDH` are the authenticated
//! ones, `DEFAULT` has no RC4, DES, 3DES or anonymous suites).

use super::super::parse::Directive;
use super::super::Ctx;
use crate::diagnostic::{Edit, Findings};
use crate::registry::Code;

pub fn check(cx: &Ctx, out: &mut Findings) {
    cx.walk(|v| match v.directive.name.as_str() {
        "ssl_protocols" if v.context != 0 => weak_ssl_protocols(v.directive, out),
        "ssl_ciphers" if v.context != 0 => weak_ssl_ciphers(cx, v.directive, out),
        _ => {}
    });
}

const WEAK_PROTOCOLS: &[&str] = &["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"];

/// NGX102 weak-ssl-protocols: SSLv2, SSLv3, TLSv1, TLSv1.1 in `ssl_protocols`.
fn weak_ssl_protocols(d: &Directive, out: &mut Findings) {
    let weak: Vec<&str> = d
        .args
        .iter()
        .filter(|a| WEAK_PROTOCOLS.iter().any(|w| a.is(w)))
        .map(|a| a.value.as_str())
        .collect();
    let (Some(first_weak), Some(first), Some(last)) = (
        d.args
            .iter()
            .find(|a| WEAK_PROTOCOLS.iter().any(|w| a.is(w))),
        d.args.first(),
        d.args.last(),
    ) else {
        return;
    };
    out.report(Code::NGX102, first_weak.span.clone())
        .message(format!(
            "`ssl_protocols` enables {}, which {} broken or deprecated (RFC 8996)",
            weak.join(", "),
            if weak.len() == 1 { "is" } else { "are" }
        ))
        .help("enable only `TLSv1.2 TLSv1.3`")
        .fix_unsafe(
            "use `TLSv1.2 TLSv1.3` (clients that only speak older versions can no longer connect)",
            vec![Edit::replace(
                first.span.start..last.span.end,
                "TLSv1.2 TLSv1.3",
            )],
        );
}

/// The weak families NGX103 reports, in message order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weak {
    Rc4,
    Des,
    TripleDes,
    Md5,
    Null,
    Export,
    Anon,
}

impl Weak {
    fn name(self) -> &'static str {
        match self {
            Weak::Rc4 => "RC4",
            Weak::Des => "DES",
            Weak::TripleDes => "3DES",
            Weak::Md5 => "MD5",
            Weak::Null => "NULL (eNULL) encryption",
            Weak::Export => "EXPORT",
            Weak::Anon => "anonymous (aNULL)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Aes,
    AesGcm,
    Chacha,
    Camellia,
    TripleDes,
    Des,
    Rc4,
    Null,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kx {
    Rsa,
    Dhe,
    Ecdhe,
    Psk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    Rsa,
    Ecdsa,
    Dss,
    Anon,
    Psk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mac {
    Md5,
    Sha1,
    Sha2,
    Aead,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    None,
    Export,
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone)]
struct Suite {
    name: String,
    kx: Kx,
    auth: Auth,
    enc: Enc,
    mac: Mac,
    export: bool,
}

impl Suite {
    fn from_name(name: &str) -> Suite {
        let n = name.to_ascii_uppercase();
        let export = n.starts_with("EXP");
        let enc = if n.contains("RC4") {
            Enc::Rc4
        } else if n.contains("DES-CBC3") || n.contains("3DES") {
            Enc::TripleDes
        } else if n.contains("DES") {
            Enc::Des
        } else if n.starts_with("NULL") || n.contains("-NULL-") {
            Enc::Null
        } else if n.contains("CHACHA20") {
            Enc::Chacha
        } else if n.contains("AES") && n.contains("GCM") {
            Enc::AesGcm
        } else if n.contains("AES") {
            Enc::Aes
        } else if n.contains("CAMELLIA") {
            Enc::Camellia
        } else {
            Enc::Other
        };
        let anon = n.starts_with("ADH") || n.starts_with("AECDH") || n.starts_with("EXP-ADH");
        let auth = if anon {
            Auth::Anon
        } else if n.starts_with("PSK") || n.contains("-PSK-") {
            Auth::Psk
        } else if n.contains("ECDSA") {
            Auth::Ecdsa
        } else if n.contains("DSS") {
            Auth::Dss
        } else {
            Auth::Rsa
        };
        let kx = if n.starts_with("ECDHE") || n.starts_with("AECDH") || n.starts_with("EECDH") {
            Kx::Ecdhe
        } else if n.starts_with("DHE")
            || n.starts_with("EDH")
            || n.starts_with("ADH")
            || n.starts_with("EXP-EDH")
            || n.starts_with("EXP-ADH")
        {
            Kx::Dhe
        } else if n.starts_with("PSK") {
            Kx::Psk
        } else {
            Kx::Rsa
        };
        let mac = if n.ends_with("MD5") {
            Mac::Md5
        } else if n.ends_with("SHA256") || n.ends_with("SHA384") {
            if n.contains("GCM") {
                Mac::Aead
            } else {
                Mac::Sha2
            }
        } else if n.contains("POLY1305") || n.contains("GCM") || n.contains("CCM") {
            Mac::Aead
        } else {
            Mac::Sha1
        };
        Suite {
            name: n,
            kx,
            auth,
            enc,
            mac,
            export,
        }
    }

    fn strength(&self) -> Strength {
        if self.enc == Enc::Null {
            Strength::None
        } else if self.export {
            Strength::Export
        } else if self.enc == Enc::Des {
            Strength::Low
        } else if matches!(self.enc, Enc::Rc4 | Enc::TripleDes) {
            Strength::Medium
        } else {
            Strength::High
        }
    }

    fn weak(&self) -> Vec<Weak> {
        let mut w = Vec::new();
        match self.enc {
            Enc::Rc4 => w.push(Weak::Rc4),
            Enc::Des => w.push(Weak::Des),
            Enc::TripleDes => w.push(Weak::TripleDes),
            Enc::Null => w.push(Weak::Null),
            _ => {}
        }
        if self.mac == Mac::Md5 {
            w.push(Weak::Md5);
        }
        if self.export {
            w.push(Weak::Export);
        }
        if self.auth == Auth::Anon {
            w.push(Weak::Anon);
        }
        w
    }

    fn in_default(&self) -> bool {
        self.weak().is_empty() && self.auth != Auth::Psk
    }

    /// Whether one `+`-joined component of a cipher-string element matches; `None` for a
    /// word that is neither an alias nor this suite's name.
    fn matches(&self, word: &str) -> Option<bool> {
        let w = word.to_ascii_uppercase();
        let anon = self.auth == Auth::Anon;
        Some(match w.as_str() {
            "ALL" => self.enc != Enc::Null,
            "COMPLEMENTOFALL" => self.enc == Enc::Null,
            "DEFAULT" => self.in_default(),
            "COMPLEMENTOFDEFAULT" => self.enc != Enc::Null && !self.in_default(),
            "HIGH" => self.strength() == Strength::High,
            "MEDIUM" => self.strength() == Strength::Medium,
            "LOW" => self.strength() == Strength::Low,
            "EXP" | "EXPORT" | "EXPORT40" | "EXPORT56" => self.export,
            "ENULL" | "NULL" => self.enc == Enc::Null,
            "ANULL" => anon,
            "KRSA" | "RSA" => self.kx == Kx::Rsa,
            "ARSA" => self.auth == Auth::Rsa,
            "AECDSA" | "ECDSA" => self.auth == Auth::Ecdsa,
            "ADSS" | "DSS" => self.auth == Auth::Dss,
            "KEDH" | "KDHE" => self.kx == Kx::Dhe,
            "EDH" | "DHE" => self.kx == Kx::Dhe && !anon,
            "ADH" => self.kx == Kx::Dhe && anon,
            "KEECDH" | "KECDHE" => self.kx == Kx::Ecdhe,
            "EECDH" | "ECDHE" => self.kx == Kx::Ecdhe && !anon,
            "AECDH" => self.kx == Kx::Ecdhe && anon,
            "PSK" | "KPSK" | "APSK" => self.auth == Auth::Psk,
            "AES" => matches!(self.enc, Enc::Aes | Enc::AesGcm),
            "AESGCM" => self.enc == Enc::AesGcm,
            "AES128" => matches!(self.enc, Enc::Aes | Enc::AesGcm) && self.name.contains("128"),
            "AES256" => matches!(self.enc, Enc::Aes | Enc::AesGcm) && self.name.contains("256"),
            "CHACHA20" => self.enc == Enc::Chacha,
            "CAMELLIA" => self.enc == Enc::Camellia,
            "3DES" => self.enc == Enc::TripleDes,
            "DES" => self.enc == Enc::Des,
            "RC4" => self.enc == Enc::Rc4,
            "MD5" => self.mac == Mac::Md5,
            "SHA1" | "SHA" => self.mac == Mac::Sha1,
            "SHA256" => self.name.ends_with("SHA256"),
            "SHA384" => self.name.ends_with("SHA384"),
            "AEAD" => self.mac == Mac::Aead,
            "TLSV1.2" => matches!(self.mac, Mac::Aead | Mac::Sha2),
            "SSLV3" | "TLSV1" | "TLSV1.0" => !matches!(self.mac, Mac::Aead | Mac::Sha2),
            _ if w == self.name => true,
            _ if looks_like_suite(&w) => false,
            _ => return None,
        })
    }
}

fn looks_like_suite(w: &str) -> bool {
    w.contains('-')
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Representative suites: every family each alias can reach.
const UNIVERSE: &[&str] = &[
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-SHA384",
    "DHE-RSA-AES256-SHA",
    "DHE-DSS-AES128-SHA",
    "AES128-GCM-SHA256",
    "AES256-SHA",
    "DHE-RSA-CAMELLIA128-SHA",
    "PSK-AES128-CBC-SHA",
    "ADH-AES128-GCM-SHA256",
    "ADH-AES256-SHA",
    "AECDH-AES128-SHA",
    "DES-CBC3-SHA",
    "ECDHE-RSA-DES-CBC3-SHA",
    "EDH-RSA-DES-CBC3-SHA",
    "ADH-DES-CBC3-SHA",
    "RC4-SHA",
    "RC4-MD5",
    "ECDHE-RSA-RC4-SHA",
    "ADH-RC4-MD5",
    "DES-CBC-SHA",
    "EDH-RSA-DES-CBC-SHA",
    "EXP-RC4-MD5",
    "EXP-DES-CBC-SHA",
    "EXP-EDH-RSA-DES-CBC-SHA",
    "NULL-SHA",
    "NULL-MD5",
    "ECDHE-RSA-NULL-SHA",
    "AECDH-NULL-SHA",
];

/// The weak families a cipher string leaves enabled, with one suite of each as an example.
/// `None` when the string uses something this model does not know (it is then not judged).
fn weak_left(spec: &str) -> Option<Vec<(Weak, String)>> {
    let elements: Vec<&str> = spec
        .split([':', ',', ';', ' '])
        .filter(|e| !e.is_empty())
        .collect();
    let mut universe: Vec<Suite> = UNIVERSE.iter().map(|n| Suite::from_name(n)).collect();
    for e in &elements {
        let body = e.trim_start_matches(['!', '-', '+']);
        for word in body.split('+') {
            let w = word.to_ascii_uppercase();
            if looks_like_suite(&w) && !universe.iter().any(|s| s.name == w) {
                universe.push(Suite::from_name(&w));
            }
        }
    }
    let mut active: Vec<usize> = Vec::new();
    let mut killed: Vec<bool> = vec![false; universe.len()];
    for e in elements {
        if e.starts_with('@') {
            continue;
        }
        let (op, body) = match e.as_bytes().first() {
            Some(b'!') => ('!', &e[1..]),
            Some(b'-') => ('-', &e[1..]),
            Some(b'+') => ('+', &e[1..]),
            _ => (' ', e),
        };
        let words: Vec<&str> = body.split('+').filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            continue;
        }
        let mut selected: Vec<usize> = Vec::new();
        for (i, s) in universe.iter().enumerate() {
            let mut all = true;
            for w in &words {
                match s.matches(w) {
                    Some(true) => {}
                    Some(false) => all = false,
                    // An alias this model does not know: adding it is not judged; removing
                    // it might remove a weak suite, so the whole string is not judged.
                    None if op == '!' || op == '-' => return None,
                    None => all = false,
                }
            }
            if all {
                selected.push(i);
            }
        }
        match op {
            '!' => {
                for i in selected {
                    killed[i] = true;
                }
                active.retain(|i| !killed[*i]);
            }
            '-' => active.retain(|i| !selected.contains(i)),
            '+' => {}
            _ => {
                for i in selected {
                    if !killed[i] && !active.contains(&i) {
                        active.push(i);
                    }
                }
            }
        }
    }
    let mut out: Vec<(Weak, String)> = Vec::new();
    for i in active {
        for w in universe[i].weak() {
            if !out.iter().any(|(x, _)| *x == w) {
                out.push((w, universe[i].name.clone()));
            }
        }
    }
    let order = [
        Weak::Rc4,
        Weak::Des,
        Weak::TripleDes,
        Weak::Md5,
        Weak::Null,
        Weak::Export,
        Weak::Anon,
    ];
    out.sort_by_key(|(w, _)| order.iter().position(|o| o == w));
    Some(out)
}

/// NGX103 weak-ssl-ciphers: a cipher string that still allows RC4, DES, 3DES, MD5, NULL,
/// EXPORT or anonymous suites after its exclusions.
fn weak_ssl_ciphers(cx: &Ctx, d: &Directive, out: &mut Findings) {
    let _ = cx;
    let Some(arg) = d.arg(0) else { return };
    if arg.value.contains('$') {
        return;
    }
    let Some(weak) = weak_left(&arg.value) else {
        return;
    };
    if weak.is_empty() {
        return;
    }
    let names: Vec<&str> = weak.iter().map(|(w, _)| w.name()).collect();
    let example = &weak[0].1;
    out.report(Code::NGX103, arg.span.clone())
        .message(format!(
            "`ssl_ciphers` still allows {} cipher suites (e.g. {example})",
            names.join(", ")
        ))
        .help("exclude them (`…:!aNULL:!eNULL:!MD5:!RC4:!3DES:!DES:!EXPORT`), or list modern suites only, e.g. `ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305`");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::weak_left;
    use crate::registry::Code::*;

    fn weak(spec: &str) -> Vec<&'static str> {
        weak_left(spec)
            .unwrap()
            .iter()
            .map(|(w, _)| w.name())
            .collect()
    }

    #[test]
    fn weak_ssl_protocols() {
        assert_findings(
            NGX102,
            "server {\n  ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n}\n",
            &[(2, 17)],
        );
        assert_findings(NGX102, "ssl_protocols TLSv1.2 SSLv3;\n", &[(1, 23)]);
        assert_findings(NGX102, "ssl_protocols TLSv1.2 TLSv1.3;\n", &[]);
        assert_fixed(
            NGX102,
            "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n",
            "ssl_protocols TLSv1.2 TLSv1.3;\n",
        );
        let msg = first_message(NGX102, "ssl_protocols SSLv3 TLSv1 TLSv1.2;\n").unwrap();
        assert!(msg.contains("enables SSLv3, TLSv1, which are"), "{msg}");
    }

    #[test]
    fn cipher_string_model() {
        // nginx's default, Mozilla's and the cipherli.st strings pass.
        assert!(weak("HIGH:!aNULL:!MD5").is_empty());
        assert!(weak("EECDH+AESGCM:EDH+AESGCM").is_empty());
        assert!(weak("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256").is_empty());
        assert!(weak("EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH").is_empty());
        assert!(weak("DEFAULT").is_empty());
        assert!(weak("HIGH:!aNULL:!MD5:!3DES:!CAMELLIA:!AES128").is_empty());
        // What stays allowed.
        assert_eq!(weak("HIGH"), ["anonymous (aNULL)"]);
        assert_eq!(
            weak("HIGH:!aNULL:MD5"),
            ["RC4", "MD5", "NULL (eNULL) encryption", "EXPORT"]
        );
        assert_eq!(weak("ALL:!aNULL:!EXPORT:!LOW"), ["RC4", "3DES", "MD5"]);
        assert_eq!(weak("HIGH:MEDIUM:!aNULL:!MD5:!RC4"), ["3DES"]);
        assert_eq!(weak("RC4-SHA:AES128-SHA"), ["RC4"]);
        // `-` can be undone, `!` cannot.
        assert_eq!(weak("ALL:-RC4:RC4:!aNULL:!EXP:!LOW:!3DES:!MD5"), ["RC4"]);
        assert!(weak("ALL:!RC4:RC4:!aNULL:!EXP:!LOW:!3DES:!MD5").is_empty());
        // eNULL is only in what names it.
        assert!(weak("ALL:!aNULL:!RC4:!3DES:!MD5:!EXP:!DES").is_empty());
        assert_eq!(
            weak("eNULL"),
            ["MD5", "NULL (eNULL) encryption", "anonymous (aNULL)"]
        );
        // Unknown exclusions: not judged.
        assert!(weak_left("ALL:!FOO").is_none());
    }

    #[test]
    fn weak_ssl_ciphers() {
        assert_findings(
            NGX103,
            "server {\n  ssl_ciphers 'HIGH:MEDIUM:!aNULL';\n}\n",
            &[(2, 15)],
        );
        assert_findings(NGX103, "ssl_ciphers HIGH:!aNULL:!MD5;\n", &[]);
        assert_findings(NGX103, "ssl_ciphers $ciphers;\n", &[]);
        let msg = first_message(NGX103, "ssl_ciphers RC4:HIGH:!aNULL;\n").unwrap();
        assert!(msg.contains("RC4") && msg.contains("e.g."), "{msg}");
    }
}
