//! Reports written as the run goes: each file's share ([`Part`]) is rendered by the thread that
//! linted it, the [`ReportWriter`] writes the parts in path order, and what the end of a report
//! says (summary, statistics, SARIF's rules, JUnit's totals) comes from [`Totals`]. Nothing
//! holds every file's findings or text at once, so memory does not grow with the run.

use super::{
    checkstyle, concise, fixable, full, github, gitlab, json, junit, plural, sarif, scrubbed,
    FileReport, ReportOptions,
};
use crate::cli::OutputFormat;
use crate::diagnostic::Severity;
use crate::registry::Code;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Seek, Write};

/// One file's share of a report, in the report's format, secrets masked.
#[derive(Debug, Default)]
pub struct Part {
    /// Text written as it is.
    pub text: String,
    /// Elements of the report's JSON array (`json`, `gitlab`, SARIF results), each already
    /// indented at its depth, with the rule it belongs to.
    pub elements: Vec<(Code, String)>,
    /// The file's secret values that occur in a SARIF rule text (scrubbed from it).
    pub secrets_in_rule_texts: Vec<String>,
}

impl Part {
    pub fn of_file(file: &FileReport, opts: &ReportOptions) -> Part {
        let file = scrubbed(file);
        let file = file.as_ref();
        let mut part = Part::default();
        if opts.statistics {
            return part;
        }
        match opts.format {
            OutputFormat::Full => full::file(file, opts, &mut part.text),
            OutputFormat::Concise => concise::file(file, &mut part.text),
            OutputFormat::Json => json::elements(file, &mut part.elements),
            OutputFormat::JsonLines => json::lines(file, &mut part.text),
            OutputFormat::Gitlab => gitlab::elements(file, &mut part.elements),
            OutputFormat::Checkstyle => checkstyle::file(file, &mut part.text),
            OutputFormat::Junit => junit::file(file, &mut part.text),
            OutputFormat::Github => github::file(file, &mut part.text),
            OutputFormat::Sarif => {
                sarif::results(file, &mut part.elements);
                part.secrets_in_rule_texts = file
                    .secrets
                    .iter()
                    .map(|s| file.source.slice(s))
                    .filter(|v| sarif::in_rule_texts(v))
                    .map(str::to_string)
                    .collect();
            }
        }
        part
    }
}

/// What the end of a report needs to know of the files: counts, and for `--show-fixes` the
/// files with fixes. [`Totals::of_file`] gives one file's, [`Totals::add`] sums them.
#[derive(Debug, Default, Clone)]
pub struct Totals {
    pub files: usize,
    /// Files without findings.
    pub clean_files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings with a safe fix, and with any fix.
    pub safe_fixable: usize,
    pub fixable_with_unsafe: usize,
    /// Fixes applied.
    pub fixed: usize,
    /// OPS001/OPS005: files that could not be linted (JUnit `<error>`s).
    pub internal_errors: usize,
    /// Findings and whether any has a fix, per rule (`--statistics`).
    pub per_rule: BTreeMap<Code, (usize, bool)>,
    /// Per file, fixes applied (with `--fix`) or available, per rule (`--show-fixes`).
    pub fixes_per_file: Vec<(String, BTreeMap<Code, usize>)>,
    /// A finding at or above the file's `fail-on` severity.
    pub failed: bool,
}

impl Totals {
    pub fn of_file(file: &FileReport, opts: &ReportOptions) -> Totals {
        let mut t = Totals {
            files: 1,
            clean_files: usize::from(file.diagnostics.is_empty()),
            fixed: file.fixed.values().sum(),
            ..Totals::default()
        };
        let mut available: BTreeMap<Code, usize> = BTreeMap::new();
        for d in &file.diagnostics {
            match d.severity {
                Severity::Error => t.errors += 1,
                Severity::Warning => t.warnings += 1,
                Severity::Info => t.infos += 1,
            }
            t.safe_fixable += usize::from(fixable(d, false));
            t.fixable_with_unsafe += usize::from(fixable(d, true));
            t.internal_errors += usize::from(junit::is_error(d));
            t.failed |= d.severity >= file.fail_on;
            let rule = t.per_rule.entry(d.code).or_default();
            rule.0 += 1;
            rule.1 |= d.fix.is_some();
            if opts.show_fixes && fixable(d, opts.unsafe_fixes) {
                *available.entry(d.code).or_default() += 1;
            }
        }
        if opts.show_fixes {
            let per_rule = if opts.fix_mode {
                file.fixed.clone()
            } else {
                available
            };
            if !per_rule.is_empty() {
                t.fixes_per_file.push((file.path.clone(), per_rule));
            }
        }
        t
    }

    pub fn add(&mut self, other: Totals) {
        self.files += other.files;
        self.clean_files += other.clean_files;
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.infos += other.infos;
        self.safe_fixable += other.safe_fixable;
        self.fixable_with_unsafe += other.fixable_with_unsafe;
        self.fixed += other.fixed;
        self.internal_errors += other.internal_errors;
        for (code, (n, fix)) in other.per_rule {
            let rule = self.per_rule.entry(code).or_default();
            rule.0 += n;
            rule.1 |= fix;
        }
        self.fixes_per_file.extend(other.fixes_per_file);
        self.failed |= other.failed;
    }

    fn findings(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// Where JUnit's testsuites wait while the totals of its opening tag are counted: a temporary
/// file, or memory when none can be created.
enum Spool {
    File(std::fs::File),
    Memory(Vec<u8>),
}

/// A report written part by part, in the order the parts are given.
pub struct ReportWriter<W: Write> {
    opts: ReportOptions,
    out: W,
    /// JSON array elements written so far.
    elements: usize,
    /// SARIF: the rules that fired, in the order they first did, and their indexes.
    rules: Vec<Code>,
    rule_index: HashMap<Code, usize>,
    secret_values: Vec<String>,
    spool: Option<Spool>,
}

impl<W: Write> ReportWriter<W> {
    pub fn new(opts: ReportOptions, out: W) -> ReportWriter<W> {
        let spool = (opts.format == OutputFormat::Junit && !opts.statistics).then(|| {
            tempfile::tempfile()
                .map(Spool::File)
                .unwrap_or(Spool::Memory(Vec::new()))
        });
        ReportWriter {
            opts,
            out,
            elements: 0,
            rules: Vec::new(),
            rule_index: HashMap::new(),
            secret_values: Vec::new(),
            spool,
        }
    }

    fn statistics_only(&self) -> bool {
        self.opts.statistics
    }

    pub fn part(&mut self, part: &Part) -> io::Result<()> {
        if self.statistics_only() {
            return Ok(());
        }
        match self.opts.format {
            OutputFormat::Json | OutputFormat::Gitlab => {
                for (_, element) in &part.elements {
                    let sep = if self.elements == 0 { "[\n" } else { ",\n" };
                    self.out.write_all(sep.as_bytes())?;
                    self.out.write_all(element.as_bytes())?;
                    self.elements += 1;
                }
            }
            OutputFormat::Sarif => {
                for v in &part.secrets_in_rule_texts {
                    if !self.secret_values.contains(v) {
                        self.secret_values.push(v.clone());
                    }
                }
                for (code, element) in &part.elements {
                    if self.elements == 0 {
                        let (head, _) = sarif::frame(&[], &[]);
                        self.out.write_all(head.as_bytes())?;
                        self.out.write_all(b"[\n")?;
                    } else {
                        self.out.write_all(b",\n")?;
                    }
                    let next = self.rules.len();
                    let index = *self.rule_index.entry(*code).or_insert(next);
                    if index == next {
                        self.rules.push(*code);
                    }
                    let element = element.replacen(
                        sarif::RULE_INDEX_MARK,
                        &format!("\"ruleIndex\": {index}"),
                        1,
                    );
                    self.out.write_all(element.as_bytes())?;
                    self.elements += 1;
                }
            }
            OutputFormat::Checkstyle => {
                if self.elements == 0 {
                    self.out.write_all(checkstyle::HEAD.as_bytes())?;
                    self.elements = 1;
                }
                self.out.write_all(part.text.as_bytes())?;
            }
            OutputFormat::Junit => match &mut self.spool {
                Some(Spool::File(f)) => f.write_all(part.text.as_bytes())?,
                Some(Spool::Memory(m)) => m.extend_from_slice(part.text.as_bytes()),
                None => {}
            },
            _ => self.out.write_all(part.text.as_bytes())?,
        }
        Ok(())
    }

    /// Ends the report and hands back the writer.
    pub fn finish(mut self, totals: &Totals) -> io::Result<W> {
        let mut end = String::new();
        if self.statistics_only() {
            statistics(totals, &self.opts, &mut end);
            self.out.write_all(end.as_bytes())?;
            self.out.flush()?;
            return Ok(self.out);
        }
        match self.opts.format {
            OutputFormat::Json | OutputFormat::Gitlab => {
                end.push_str(if self.elements == 0 { "[]\n" } else { "\n]\n" });
            }
            OutputFormat::Sarif => {
                let values: Vec<&str> = self.secret_values.iter().map(String::as_str).collect();
                let (head, tail) = sarif::frame(&self.rules, &values);
                if self.elements == 0 {
                    end.push_str(&head);
                    end.push_str("[]");
                } else {
                    end.push_str("\n      ]");
                }
                end.push_str(&tail);
            }
            OutputFormat::Checkstyle => {
                if self.elements == 0 {
                    end.push_str(checkstyle::HEAD);
                }
                end.push_str(checkstyle::FOOT);
            }
            OutputFormat::Junit => {
                let failures = totals.findings() - totals.internal_errors;
                let head = junit::head(failures, totals.internal_errors, totals.clean_files);
                self.out.write_all(head.as_bytes())?;
                match self.spool.take() {
                    Some(Spool::File(mut f)) => {
                        f.rewind()?;
                        let mut reader = io::BufReader::new(&mut f);
                        io::copy(&mut reader, &mut self.out)?;
                    }
                    Some(Spool::Memory(m)) => self.out.write_all(&m)?,
                    None => {}
                }
                end.push_str(junit::FOOT);
            }
            OutputFormat::Full | OutputFormat::Concise => {
                if self.opts.show_fixes {
                    show_fixes(totals, &self.opts, &mut end);
                }
                if !self.opts.quiet {
                    summary(totals, &self.opts, &mut end);
                }
            }
            OutputFormat::JsonLines | OutputFormat::Github => {}
        }
        self.out.write_all(end.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn summary(totals: &Totals, opts: &ReportOptions, out: &mut String) {
    if totals.fixed > 0 && !opts.show_fixes {
        out.push_str(&format!(
            "Fixed {}.\n",
            plural(totals.fixed, "finding", "findings")
        ));
    }
    if totals.findings() == 0 {
        out.push_str("All checks passed!\n");
        return;
    }
    out.push_str(&format!(
        "Found {}, {}, {}.\n",
        plural(totals.errors, "error", "errors"),
        plural(totals.warnings, "warning", "warnings"),
        plural(totals.infos, "info", "infos"),
    ));
    let safe = totals.safe_fixable;
    let with_unsafe = totals.fixable_with_unsafe;
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

fn show_fixes(totals: &Totals, opts: &ReportOptions, out: &mut String) {
    let files = &totals.fixes_per_file;
    if opts.fix_mode {
        if files.is_empty() {
            out.push_str("No fixes applied.\n");
            return;
        }
        let total: usize = files.iter().flat_map(|(_, f)| f.values()).sum();
        out.push_str(&format!(
            "Fixed {}:\n",
            plural(total, "finding", "findings")
        ));
    } else if files.is_empty() {
        out.push_str("No fixes available.\n");
        return;
    } else {
        out.push_str("Fixes available:\n");
    }
    for (path, per_rule) in files {
        out.push_str(&format!("- {path}:\n"));
        for (code, n) in per_rule {
            out.push_str(&format!("    {n} × {code} ({})\n", code.name()));
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

fn statistics(totals: &Totals, opts: &ReportOptions, out: &mut String) {
    let mut stats: Vec<Stat> = totals
        .per_rule
        .iter()
        .map(|(code, &(count, fixable))| Stat {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::lang::FileType;
    use crate::source::SourceFile;

    fn file(path: &str, codes: &[Code]) -> FileReport {
        let text = "FROM alpine\nRUN apk add curl\n";
        FileReport {
            path: path.to_string(),
            file_type: FileType::Dockerfile,
            source: SourceFile::new(path, text),
            secrets: Vec::new(),
            diagnostics: codes
                .iter()
                .map(|&c| {
                    let mut d = Diagnostic::new(c, 12..15);
                    d.message(format!("{c} here"));
                    d
                })
                .collect(),
            fixed: BTreeMap::new(),
            fail_on: Severity::Warning,
        }
    }

    fn opts(format: OutputFormat) -> ReportOptions {
        ReportOptions::plain(format)
    }

    /// Files with and without findings, a clean one first: the separators and the frame must
    /// come out right whichever part holds the first element.
    fn files() -> Vec<FileReport> {
        vec![
            file("a/Dockerfile", &[]),
            file("b/Dockerfile", &[Code::DKR003, Code::DKR010]),
            file("c/Dockerfile", &[]),
            file("d/Dockerfile", &[Code::DKR010, Code::DKR001]),
        ]
    }

    #[test]
    fn json_arrays_are_whole_across_parts() {
        for format in [OutputFormat::Json, OutputFormat::Gitlab] {
            let text = super::super::render(&files(), &opts(format));
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v.as_array().map(Vec::len), Some(4), "{format:?}: {text}");
            let empty = super::super::render(&[file("a/Dockerfile", &[])], &opts(format));
            assert_eq!(empty, "[]\n");
        }
    }

    #[test]
    fn sarif_rules_are_listed_in_the_order_they_first_fire() {
        let text = super::super::render(&files(), &opts(OutputFormat::Sarif));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let run = &v["runs"][0];
        let rules: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["DKR003", "DKR010", "DKR001"]);
        for result in run["results"].as_array().unwrap() {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index], result["ruleId"].as_str().unwrap());
        }
        assert_eq!(run["results"].as_array().unwrap().len(), 4);
        let empty = super::super::render(&[file("a/Dockerfile", &[])], &opts(OutputFormat::Sarif));
        let v: serde_json::Value = serde_json::from_str(&empty).unwrap();
        assert_eq!(v["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    }

    #[test]
    fn junit_totals_come_before_the_suites() {
        let text = super::super::render(&files(), &opts(OutputFormat::Junit));
        let head = text.lines().nth(1).unwrap();
        // 4 failures and 2 clean files.
        assert!(
            head.contains("tests=\"6\" failures=\"4\" errors=\"0\""),
            "{head}"
        );
        assert_eq!(text.matches("<testsuite ").count(), 4);
        assert!(text.ends_with("</testsuites>\n"));
    }

    #[test]
    fn totals_sum_files() {
        let mut totals = Totals::default();
        for f in files() {
            totals.add(Totals::of_file(&f, &opts(OutputFormat::Full)));
        }
        assert_eq!((totals.files, totals.clean_files), (4, 2));
        assert_eq!(totals.per_rule[&Code::DKR010].0, 2);
        assert_eq!(totals.errors + totals.warnings + totals.infos, 4);
    }
}
