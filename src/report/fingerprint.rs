//! Stable fingerprints of findings, for GitLab Code Quality (`fingerprint`) and SARIF
//! (`partialFingerprints["opslint/v1"]`): the MR widget and code scanning match findings across
//! runs by them, so they must not change when unrelated lines move.
//!
//! A fingerprint is the FNV-1a 128-bit hash (32 hex digits) of
//! `opslint/v1 NUL code NUL path NUL text NUL occurrence`, where `text` is the flagged line
//! (the line of the finding's start) with its secrets masked and its whitespace collapsed, and
//! `occurrence` counts earlier findings of the same code on lines with the same text in the same
//! file (0 for the first). The line number is never part of it.

use super::FileReport;
use std::collections::HashMap;

const FNV128_OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
const FNV128_PRIME: u128 = 0x0000000001000000000000000000013B;

/// FNV-1a, 128 bits, as 32 lowercase hex digits.
pub fn fnv1a_128_hex(parts: &[&[u8]]) -> String {
    let mut h = FNV128_OFFSET;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            // A separator, so ("ab", "c") and ("a", "bc") differ.
            h ^= 0;
            h = h.wrapping_mul(FNV128_PRIME);
        }
        for &b in *part {
            h ^= u128::from(b);
            h = h.wrapping_mul(FNV128_PRIME);
        }
    }
    format!("{h:032x}")
}

/// `text` with runs of whitespace collapsed to one space, trimmed.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One fingerprint per diagnostic of `file`, in the same order. `path` is the path as the
/// report shows it (relative, `/`-separated).
pub fn fingerprints(file: &FileReport, path: &str) -> Vec<String> {
    // Masking keeps byte lengths, so the source's line index holds for the masked text.
    let masked = crate::secrets::mask(&file.source.text, &file.secrets);
    let mut seen: HashMap<(&'static str, String), usize> = HashMap::new();
    file.diagnostics
        .iter()
        .map(|d| {
            let line = file.source.line_span(file.source.line_index(d.span.start));
            let raw = masked
                .get(line.start as usize..line.end as usize)
                .unwrap_or("");
            let text = normalise(raw);
            let code = d.code.as_str();
            let n = seen.entry((code, text.clone())).or_default();
            let occurrence = *n;
            *n += 1;
            fnv1a_128_hex(&[
                b"opslint/v1",
                code.as_bytes(),
                path.as_bytes(),
                text.as_bytes(),
                occurrence.to_string().as_bytes(),
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Diagnostic, Severity};
    use crate::lang::FileType;
    use crate::registry::Code;
    use crate::source::SourceFile;
    use std::collections::BTreeMap;

    fn report(
        text: &str,
        findings: &[(Code, &str)],
        secrets: Vec<crate::diagnostic::Span>,
    ) -> FileReport {
        let diagnostics = findings
            .iter()
            .map(|(code, needle)| {
                // Each needle is "n:word": the n-th (0-based) occurrence of word.
                let (n, word) = needle.split_once(':').unwrap();
                let start = text.match_indices(word).nth(n.parse().unwrap()).unwrap().0 as u32;
                Diagnostic::new(*code, start..start + word.len() as u32)
            })
            .collect();
        FileReport {
            path: "Dockerfile".into(),
            file_type: FileType::Dockerfile,
            source: SourceFile::new("Dockerfile", text),
            secrets,
            diagnostics,
            fixed: BTreeMap::new(),
            fail_on: Severity::Warning,
        }
    }

    #[test]
    fn known_fnv_vectors() {
        // FNV-1a 128 of "" and "a" (the reference values of the FNV authors).
        assert_eq!(fnv1a_128_hex(&[b""]), "6c62272e07bb014262b821756295c58d");
        assert_eq!(fnv1a_128_hex(&[b"a"]), "d228cb696f1a8caf78912b704e4a8964");
    }

    #[test]
    fn stable_when_lines_move_above() {
        let before = report(
            "FROM node:latest\nMAINTAINER me\n",
            &[(Code::DKR003, "0:node"), (Code::DKR013, "0:MAINTAINER")],
            vec![],
        );
        let after = report(
            "# a comment\n\nARG X=1\nFROM   node:latest\nMAINTAINER me\n",
            &[(Code::DKR003, "0:node"), (Code::DKR013, "0:MAINTAINER")],
            vec![],
        );
        let a = fingerprints(&before, "Dockerfile");
        let b = fingerprints(&after, "Dockerfile");
        assert_eq!(a, b);
        assert_ne!(a[0], a[1]);
        assert_eq!(a[0].len(), 32);
        // The path is part of it.
        assert_ne!(fingerprints(&before, "other/Dockerfile")[0], a[0]);
    }

    #[test]
    fn identical_findings_on_identical_lines_differ() {
        let r = report(
            "FROM a\nRUN sudo x\nRUN sudo x\n",
            &[(Code::DKR020, "0:sudo"), (Code::DKR020, "1:sudo")],
            vec![],
        );
        let f = fingerprints(&r, "Dockerfile");
        assert_ne!(f[0], f[1]);
        // Two findings of one code on one line differ too.
        let r = report(
            "FROM a\nRUN sudo x && sudo y\n",
            &[(Code::DKR020, "0:sudo"), (Code::DKR020, "1:sudo")],
            vec![],
        );
        let f = fingerprints(&r, "Dockerfile");
        assert_ne!(f[0], f[1]);
    }

    #[test]
    fn secrets_are_masked_before_hashing() {
        // The same finding with another secret value keeps its fingerprint: the value is masked
        // (a rotated secret of the same length), so the hash cannot be used to test a guess.
        let text_a = "FROM a\nENV TOKEN=abcdef123456\n";
        let text_b = "FROM a\nENV TOKEN=zyxwvu987654\n";
        let span = 17..29;
        let a = report(
            text_a,
            &[(Code::SEC001, "0:abcdef123456")],
            vec![span.clone()],
        );
        let b = report(text_b, &[(Code::SEC001, "0:zyxwvu987654")], vec![span]);
        assert_eq!(
            fingerprints(&a, "Dockerfile"),
            fingerprints(&b, "Dockerfile")
        );
    }
}
