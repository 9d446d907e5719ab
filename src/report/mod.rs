//! Reporters: every output format is written from the same data, after linting and fixing.
//! `full` goes through miette over the line-indexed `SourceFile`; the machine formats are
//! written by hand from the same line index.

pub mod checkstyle;
pub mod concise;
pub mod fingerprint;
pub mod full;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod sarif;
mod xml;

use crate::cli::OutputFormat;
use crate::diagnostic::{Applicability, Diagnostic, Severity, Span};
use crate::lang::FileType;
use crate::registry::Code;
use crate::source::SourceFile;
use std::collections::BTreeMap;

/// One linted file: what the reporters need.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as shown (also `source.path`).
    pub path: String,
    pub file_type: FileType,
    /// The text the locations refer to (after fixes, when fixes were written).
    pub source: SourceFile,
    /// Byte ranges of secret values in `source`.
    pub secrets: Vec<Span>,
    /// Sorted by position, then code; severities as configured.
    pub diagnostics: Vec<Diagnostic>,
    /// Fixes applied (with `--fix`), per code.
    pub fixed: BTreeMap<Code, usize>,
    /// The lowest severity that fails the run for this file.
    pub fail_on: Severity,
}

/// How the report looks.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    pub format: OutputFormat,
    pub color: bool,
    /// Whether the output goes to a terminal (OSC-8 links only then).
    pub terminal: bool,
    pub unsafe_fixes: bool,
    pub fix_mode: bool,
    pub quiet: bool,
    pub statistics: bool,
    pub show_fixes: bool,
}

/// A report whose messages, help, labels and fix texts quote no secret value of its file.
pub fn scrubbed(file: &FileReport) -> std::borrow::Cow<'_, FileReport> {
    use crate::secrets::scrub;
    if file.secrets.is_empty() {
        return std::borrow::Cow::Borrowed(file);
    }
    let values: Vec<&str> = file.secrets.iter().map(|s| file.source.slice(s)).collect();
    let mut clean = file.clone();
    for d in &mut clean.diagnostics {
        d.message = scrub(&d.message, &values).into_owned();
        d.help = d.help.as_deref().map(|h| scrub(h, &values).into_owned());
        for l in &mut d.labels {
            l.text = scrub(&l.text, &values).into_owned();
        }
        if let Some(fix) = &mut d.fix {
            fix.message = scrub(&fix.message, &values).into_owned();
            for e in &mut fix.edits {
                e.content = scrub(&e.content, &values).into_owned();
            }
        }
    }
    std::borrow::Cow::Owned(clean)
}

/// The whole report as text, in path order. Secrets are masked here, once, for every format.
pub fn render(files: &[FileReport], opts: &ReportOptions) -> String {
    let owned: Vec<FileReport>;
    let files = if files.iter().any(|f| !f.secrets.is_empty()) {
        owned = files.iter().map(|f| scrubbed(f).into_owned()).collect();
        owned.as_slice()
    } else {
        files
    };
    let mut out = String::new();
    if opts.statistics {
        statistics(files, opts, &mut out);
        return out;
    }
    match opts.format {
        OutputFormat::Json => json::render_json(files, &mut out),
        OutputFormat::JsonLines => json::render_json_lines(files, &mut out),
        OutputFormat::Concise => concise::render(files, &mut out),
        OutputFormat::Sarif => sarif::render(files, &mut out),
        OutputFormat::Gitlab => gitlab::render(files, &mut out),
        OutputFormat::Checkstyle => checkstyle::render(files, &mut out),
        OutputFormat::Junit => junit::render(files, &mut out),
        OutputFormat::Github => github::render(files, &mut out),
        OutputFormat::Full => full::render(files, opts, &mut out),
    }
    if matches!(opts.format, OutputFormat::Full | OutputFormat::Concise) {
        if opts.show_fixes {
            show_fixes(files, opts, &mut out);
        }
        if !opts.quiet {
            summary(files, opts, &mut out);
        }
    }
    out
}

/// The source with secrets masked, for reporters that print source text.
pub fn masked_source(file: &FileReport) -> SourceFile {
    if file.secrets.is_empty() {
        file.source.clone()
    } else {
        SourceFile::new(
            file.path.clone(),
            crate::secrets::mask(&file.source.text, &file.secrets),
        )
    }
}

/// The path as the CI formats need it: relative to the current folder when it is under it,
/// `/`-separated, without a leading `./`.
pub fn relative_path(path: &str) -> String {
    let mut p = path.to_string();
    if std::path::Path::new(&p).is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rest) = std::path::Path::new(&p).strip_prefix(&cwd) {
                p = rest.to_string_lossy().into_owned();
            }
        }
    }
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    s.to_string()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fixable(d: &Diagnostic, unsafe_fixes: bool) -> bool {
    d.fix
        .as_ref()
        .is_some_and(|f| f.applicability == Applicability::Safe || unsafe_fixes)
}

fn summary(files: &[FileReport], opts: &ReportOptions, out: &mut String) {
    let all = || files.iter().flat_map(|f| f.diagnostics.iter());
    let count = |s: Severity| all().filter(|d| d.severity == s).count();
    let fixed: usize = files.iter().flat_map(|f| f.fixed.values()).sum();
    if fixed > 0 && !opts.show_fixes {
        out.push_str(&format!(
            "Fixed {}.\n",
            plural(fixed, "finding", "findings")
        ));
    }
    let total = all().count();
    if total == 0 {
        out.push_str("All checks passed!\n");
        return;
    }
    out.push_str(&format!(
        "Found {}, {}, {}.\n",
        plural(count(Severity::Error), "error", "errors"),
        plural(count(Severity::Warning), "warning", "warnings"),
        plural(count(Severity::Info), "info", "infos"),
    ));
    let safe = all().filter(|d| fixable(d, false)).count();
    let with_unsafe = all().filter(|d| fixable(d, true)).count();
    if opts.unsafe_fixes && with_unsafe > 0 {
        out.push_str(&format!(
            "[*] {} fixable with `--fix --unsafe-fixes`.\n",
            with_unsafe
        ));
    } else if safe == 0 && with_unsafe > 0 {
        out.push_str(&format!(
            "No safe fixes available ({with_unsafe} fixable with `--fix --unsafe-fixes`).\n"
        ));
    } else if safe > 0 {
        let mut line = format!("[*] {safe} fixable with `--fix`");
        if with_unsafe > safe {
            line.push_str(&format!(
                " ({} more with `--unsafe-fixes`)",
                with_unsafe - safe
            ));
        }
        line.push_str(".\n");
        out.push_str(&line);
    }
}

fn show_fixes(files: &[FileReport], opts: &ReportOptions, out: &mut String) {
    if opts.fix_mode {
        let fixed: Vec<&FileReport> = files.iter().filter(|f| !f.fixed.is_empty()).collect();
        if fixed.is_empty() {
            out.push_str("No fixes applied.\n");
            return;
        }
        let total: usize = fixed.iter().flat_map(|f| f.fixed.values()).sum();
        out.push_str(&format!(
            "Fixed {}:\n",
            plural(total, "finding", "findings")
        ));
        for f in fixed {
            out.push_str(&format!("- {}:\n", f.path));
            for (code, n) in &f.fixed {
                out.push_str(&format!("    {n} × {code} ({})\n", code.name()));
            }
        }
    } else {
        let mut any = false;
        for f in files {
            let mut per_code: BTreeMap<Code, usize> = BTreeMap::new();
            for d in f
                .diagnostics
                .iter()
                .filter(|d| fixable(d, opts.unsafe_fixes))
            {
                *per_code.entry(d.code).or_default() += 1;
            }
            if per_code.is_empty() {
                continue;
            }
            if !any {
                out.push_str("Fixes available:\n");
                any = true;
            }
            out.push_str(&format!("- {}:\n", f.path));
            for (code, n) in per_code {
                out.push_str(&format!("    {n} × {code} ({})\n", code.name()));
            }
        }
        if !any {
            out.push_str("No fixes available.\n");
        }
    }
}

#[derive(serde::Serialize)]
struct Stat {
    code: &'static str,
    name: &'static str,
    count: usize,
    fixable: bool,
}

fn statistics(files: &[FileReport], opts: &ReportOptions, out: &mut String) {
    let mut per_code: BTreeMap<Code, (usize, bool)> = BTreeMap::new();
    for d in files.iter().flat_map(|f| f.diagnostics.iter()) {
        let e = per_code.entry(d.code).or_default();
        e.0 += 1;
        e.1 |= d.fix.is_some();
    }
    let mut stats: Vec<Stat> = per_code
        .into_iter()
        .map(|(code, (count, fixable))| Stat {
            code: code.as_str(),
            name: code.name(),
            count,
            fixable,
        })
        .collect();
    stats.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    match opts.format {
        OutputFormat::Json | OutputFormat::JsonLines => {
            out.push_str(&serde_json::to_string_pretty(&stats).unwrap_or_default());
            out.push('\n');
        }
        _ => {
            let width = stats
                .iter()
                .map(|s| s.count.to_string().len())
                .max()
                .unwrap_or(1);
            for s in &stats {
                let mark = if s.fixable { "[*]" } else { "[ ]" };
                out.push_str(&format!(
                    "{:>width$}\t{}\t{mark} {}\n",
                    s.count, s.code, s.name
                ));
            }
            if stats.is_empty() && !opts.quiet {
                out.push_str("All checks passed!\n");
            }
        }
    }
}
