//! Fixes: apply non-overlapping edits, repeat lint + fix to a fixed point, refuse a result with
//! more syntax errors than the original, write atomically, or print a unified diff.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Span};
use crate::registry::Code;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The most lint + fix rounds per file.
pub const MAX_ROUNDS: usize = 10;

/// Whether `fix` is applied in this run.
pub fn is_applicable(fix: &Fix, unsafe_fixes: bool) -> bool {
    fix.applicability == Applicability::Safe || unsafe_fixes
}

/// Applies the fixes of `diagnostics` that `unsafe_fixes` allows, in span order, skipping a fix
/// that overlaps one applied before (it gets another chance in the next round) or that is out of
/// bounds. Returns the new text and the codes of the fixes applied.
pub fn apply_fixes(
    text: &str,
    diagnostics: &[Diagnostic],
    unsafe_fixes: bool,
) -> (String, Vec<Code>) {
    let mut fixes: Vec<(Code, Vec<(Span, &str)>)> = diagnostics
        .iter()
        .filter_map(|d| {
            let fix = d.fix.as_ref().filter(|f| is_applicable(f, unsafe_fixes))?;
            let mut edits: Vec<(Span, &str)> = fix
                .edits
                .iter()
                .map(|e| (e.span.clone(), e.content.as_str()))
                .collect();
            edits.sort_by_key(|(s, _)| (s.start, s.end));
            (!edits.is_empty()).then_some((d.code, edits))
        })
        .collect();
    fixes.sort_by_key(|(_, edits)| edits.first().map(|(s, _)| (s.start, s.end)));

    let mut out = String::with_capacity(text.len());
    let mut last = 0usize;
    let mut applied = Vec::new();
    'fixes: for (code, edits) in fixes {
        // Every edit must lie after the last applied one, in bounds, on char boundaries, and
        // the edits of one fix must not overlap each other.
        let mut cursor = last;
        for (span, _) in &edits {
            let (s, e) = (span.start as usize, span.end as usize);
            if s < cursor
                || e < s
                || e > text.len()
                || !text.is_char_boundary(s)
                || !text.is_char_boundary(e)
            {
                continue 'fixes;
            }
            cursor = e;
        }
        for (span, content) in edits {
            out.push_str(&text[last..span.start as usize]);
            out.push_str(content);
            last = span.end as usize;
        }
        applied.push(code);
    }
    out.push_str(&text[last..]);
    (out, applied)
}

/// Runs `lint` and applies fixes until nothing changes (at most `MAX_ROUNDS` rounds).
/// Returns the final text, what the last lint found in it, and the count of fixes per code.
pub fn fix_to_fixed_point<L>(
    text: &str,
    unsafe_fixes: bool,
    lint: &mut L,
) -> (String, L::Output, BTreeMap<Code, usize>)
where
    L: LintFn,
{
    let mut current = text.to_string();
    let mut fixed: BTreeMap<Code, usize> = BTreeMap::new();
    let mut output = lint.lint(&current);
    for _ in 0..MAX_ROUNDS {
        let (next, applied) = apply_fixes(&current, L::diagnostics(&output), unsafe_fixes);
        if applied.is_empty() || next == current {
            break;
        }
        for code in applied {
            *fixed.entry(code).or_default() += 1;
        }
        current = next;
        output = lint.lint(&current);
    }
    (current, output, fixed)
}

/// What the fix loop needs from a linter: lint a text, and see its diagnostics.
pub trait LintFn {
    type Output;
    fn lint(&mut self, text: &str) -> Self::Output;
    fn diagnostics(output: &Self::Output) -> &[Diagnostic];
}

/// Writes `content` to `path` through a temporary file in the same folder and a rename, keeping
/// the original file's permissions.
pub fn write_atomic(path: &Path, content: &str) -> std::io::Result<()> {
    // Write through a symlink, not over it.
    let resolved;
    let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        resolved = std::fs::canonicalize(path)?;
        resolved.as_path()
    } else {
        path
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = std::fs::metadata(path).map(|m| m.permissions()).ok();
    // Renaming over a read-only file would succeed where writing to it does not: refuse, as
    // an editor does.
    if permissions.as_ref().is_some_and(|p| p.readonly()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the file is read-only",
        ));
    }
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(
            ".{name}.opslint-{}-{attempt}.tmp",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1
            }
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        file.write_all(content.as_bytes())?;
        file.sync_all()?;
        drop(file);
        if let Some(p) = permissions {
            std::fs::set_permissions(&tmp, p)?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A unified diff with `--- a/path` / `+++ b/path` headers; empty when the texts are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;

    fn d(code: Code, edits: Vec<Edit>, safe: bool) -> Diagnostic {
        let mut d = Diagnostic::new(code, 0..0);
        let app = if safe {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        };
        d.fix(app, "fix", edits);
        d
    }

    #[test]
    fn applies_non_overlapping_edits_in_order() {
        let text = "FROM a\nMAINTAINER x\nRUN apk add y\n";
        let diags = vec![
            d(Code::DKR009, vec![Edit::insert(31, " --no-cache")], true),
            d(
                Code::DKR013,
                vec![Edit::replace(7..19, "LABEL maintainer=\"x\"")],
                true,
            ),
            // overlaps the DKR013 edit: skipped this round
            d(Code::DKR013, vec![Edit::replace(10..12, "zz")], true),
            d(Code::DKR007, vec![Edit::insert(0, "# unsafe\n")], false),
        ];
        let (out, applied) = apply_fixes(text, &diags, false);
        assert_eq!(
            out,
            "FROM a\nLABEL maintainer=\"x\"\nRUN apk add --no-cache y\n"
        );
        assert_eq!(applied, [Code::DKR013, Code::DKR009]);
        let (out, _) = apply_fixes(text, &diags[3..], true);
        assert!(out.starts_with("# unsafe\nFROM a"));
    }

    #[test]
    fn skips_edits_out_of_bounds_or_inside_a_char() {
        let text = "é";
        let diags = vec![
            d(Code::DKR009, vec![Edit::insert(1, "x")], true),
            d(Code::DKR009, vec![Edit::insert(9, "x")], true),
            d(
                Code::DKR009,
                vec![Edit::replace(std::ops::Range { start: 2, end: 1 }, "x")],
                true,
            ),
        ];
        assert_eq!(apply_fixes(text, &diags, true), ("é".to_string(), vec![]));
    }

    struct Fake;
    impl LintFn for Fake {
        type Output = Vec<Diagnostic>;
        /// Every `aa` becomes `a`, one per round: needs several rounds.
        fn lint(&mut self, text: &str) -> Vec<Diagnostic> {
            text.find("aa")
                .map(|i| {
                    vec![d(
                        Code::DKR013,
                        vec![Edit::delete(i as u32..i as u32 + 1)],
                        true,
                    )]
                })
                .unwrap_or_default()
        }
        fn diagnostics(output: &Vec<Diagnostic>) -> &[Diagnostic] {
            output
        }
    }

    #[test]
    fn repeats_to_a_fixed_point() {
        let (text, left, fixed) = fix_to_fixed_point("aaaa b", false, &mut Fake);
        assert_eq!(text, "a b");
        assert!(left.is_empty());
        assert_eq!(fixed.get(&Code::DKR013), Some(&3));
        let (text, _, fixed) = fix_to_fixed_point(&"a".repeat(20), false, &mut Fake);
        assert_eq!(text.len(), 20 - MAX_ROUNDS);
        assert_eq!(fixed.get(&Code::DKR013), Some(&MAX_ROUNDS));
    }

    #[test]
    fn diff_and_atomic_write() {
        let diff = unified_diff("x/Dockerfile", "a\nb\n", "a\nc\n");
        assert!(
            diff.starts_with("--- a/x/Dockerfile\n+++ b/x/Dockerfile\n"),
            "{diff}"
        );
        assert!(diff.contains("-b\n+c\n"));
        assert_eq!(unified_diff("x", "a", "a"), "");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&path, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&path, &link).unwrap();
            write_atomic(&link, "via link").unwrap();
            assert!(std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink());
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "via link");
        }
    }
}
