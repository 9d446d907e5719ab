//! Baselines, for adopting opslint in an old repository (ESLint's suppressions file): the
//! findings of a run recorded as counts per file per rule, without line numbers, so edits
//! elsewhere in a file do not invalidate them. A later run reports a rule's findings in a file
//! only when there are more of them than recorded, and then all of them; entries recorded but
//! no longer found (or found fewer times) are stale, so the baseline only shrinks.
//!
//! Paths are stored relative to the baseline file's folder, `/`-separated, so the same file
//! works whatever folder opslint runs from.

use crate::report::FileReport;
use miette::{miette, Report};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// The format version written in every baseline.
const VERSION: u32 = 1;

/// Rule code → count, per file. Sorted, so the JSON is stable.
pub type Counts = BTreeMap<String, BTreeMap<String, usize>>;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    /// Always `1` for now; a file written by a later format is refused.
    #[serde(rename = "opslint-baseline")]
    version: u32,
    files: Counts,
}

/// A baseline and the folder its paths are relative to.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub counts: Counts,
    /// The baseline file's folder, absolute.
    dir: PathBuf,
}

/// A recorded entry with fewer findings now than recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub path: String,
    pub code: String,
    pub recorded: usize,
    pub found: usize,
}

fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `base` (both absolute and lexically clean), `/`-separated.
fn relative(path: &Path, base: &Path) -> String {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

impl Baseline {
    /// An empty baseline for a file at `file` (relative to `cwd`).
    pub fn new(file: &Path, cwd: &Path) -> Baseline {
        let abs = lexical(&cwd.join(file));
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or(abs);
        Baseline {
            counts: Counts::new(),
            dir,
        }
    }

    /// Reads a baseline; a missing, unreadable or garbled file is a run failure.
    pub fn read(file: &Path, cwd: &Path) -> Result<Baseline, Report> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| miette!("cannot read the baseline {}: {e}", file.display()))?;
        let parsed: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            miette!(
                help = "write one with `opslint check --write-baseline FILE`",
                "{} is not an opslint baseline: {e}",
                file.display()
            )
        })?;
        if parsed.version != VERSION {
            return Err(miette!(
                "{} is an opslint baseline of format version {}; this opslint reads version {VERSION}",
                file.display(),
                parsed.version
            ));
        }
        if let Some((path, code)) = parsed
            .files
            .iter()
            .flat_map(|(p, codes)| codes.iter().map(move |(c, n)| (p, c, *n)))
            .find(|(_, _, n)| *n == 0)
            .map(|(p, c, _)| (p, c))
        {
            return Err(miette!(
                "{}: the count for {code} in {path} is 0; counts are at least 1",
                file.display()
            ));
        }
        let mut baseline = Baseline::new(file, cwd);
        baseline.counts = parsed.files;
        Ok(baseline)
    }

    /// The key of a report's path: relative to the baseline's folder.
    fn key(&self, cwd: &Path, shown: &str) -> String {
        relative(&lexical(&cwd.join(shown)), &self.dir)
    }

    /// Each entry at most what `current` has: what `--baseline OLD --write-baseline NEW` writes,
    /// so rewriting drops what was fixed and never takes in a new finding.
    pub fn shrunk_to(&self, current: &Baseline) -> Baseline {
        let mut counts = Counts::new();
        for (path, codes) in &self.counts {
            for (code, recorded) in codes {
                let found = current
                    .counts
                    .get(path)
                    .and_then(|c| c.get(code))
                    .copied()
                    .unwrap_or(0);
                let keep = found.min(*recorded);
                if keep > 0 {
                    counts
                        .entry(path.clone())
                        .or_default()
                        .insert(code.clone(), keep);
                }
            }
        }
        Baseline {
            counts,
            dir: current.dir.clone(),
        }
    }

    /// Writes the baseline as pretty JSON with sorted keys and a final newline.
    pub fn write(&self, file: &Path) -> Result<(), Report> {
        let out = BaselineFile {
            version: VERSION,
            files: self.counts.clone(),
        };
        let mut text = serde_json::to_string_pretty(&out)
            .map_err(|e| miette!("cannot write the baseline: {e}"))?;
        text.push('\n');
        std::fs::write(file, text)
            .map_err(|e| miette!("cannot write the baseline {}: {e}", file.display()))
    }

    /// Drops from `report` every rule's findings that do not exceed the recorded count;
    /// returns the file's key and its stale entries.
    fn apply_to(&self, report: &mut FileReport, cwd: &Path) -> (String, Vec<Stale>) {
        let key = self.key(cwd, &report.path);
        let found = counts_of(report);
        let recorded = self.counts.get(&key);
        let covered = |code: &str| {
            let n = found.get(code).copied().unwrap_or(0);
            let rec = recorded.and_then(|c| c.get(code)).copied().unwrap_or(0);
            n <= rec
        };
        report.diagnostics.retain(|d| !covered(d.code.as_str()));
        let mut stale = Vec::new();
        for (code, rec) in recorded.into_iter().flatten() {
            let n = found.get(code.as_str()).copied().unwrap_or(0);
            if n < *rec {
                stale.push(Stale {
                    path: key.clone(),
                    code: code.clone(),
                    recorded: *rec,
                    found: n,
                });
            }
        }
        (key, stale)
    }

    pub fn total(&self) -> usize {
        self.counts.values().flat_map(|c| c.values()).sum()
    }
}

/// A report's findings counted per rule.
fn counts_of(report: &FileReport) -> BTreeMap<String, usize> {
    let mut found = BTreeMap::new();
    for d in &report.diagnostics {
        *found.entry(d.code.as_str().to_string()).or_default() += 1;
    }
    found
}

/// One file's share of the baseline step, computed where the file was linted.
#[derive(Debug, Default)]
pub struct FileStep {
    /// Its findings as the written baseline records them.
    recorded: Option<(String, BTreeMap<String, usize>)>,
    /// Its key in the old baseline.
    seen: Option<String>,
    stale: Vec<Stale>,
}

/// The baseline step of a run, after linting and fixing: `--write-baseline` records what was
/// found (shrinking `--baseline`'s entries when both are given), `--baseline` hides what it
/// covers and names the stale entries on stderr. Each report goes through [`Step::file`] as
/// it is linted (on any thread) and [`Step::add`]; [`Step::finish`] writes and warns.
pub struct Step<'a> {
    old: Option<(&'a Path, &'a Baseline)>,
    write: Option<&'a Path>,
    cwd: &'a Path,
    current: Option<Baseline>,
    seen: BTreeSet<String>,
    stale: Vec<Stale>,
}

impl<'a> Step<'a> {
    pub fn new(
        old: Option<(&'a Path, &'a Baseline)>,
        write: Option<&'a Path>,
        cwd: &'a Path,
    ) -> Step<'a> {
        Step {
            old,
            write,
            cwd,
            current: write.map(|file| Baseline::new(file, cwd)),
            seen: BTreeSet::new(),
            stale: Vec::new(),
        }
    }

    /// Records `report` and hides what the baseline covers.
    pub fn file(&self, report: &mut FileReport) -> FileStep {
        let mut step = FileStep::default();
        if let Some(current) = &self.current {
            let counts = counts_of(report);
            if !counts.is_empty() {
                step.recorded = Some((current.key(self.cwd, &report.path), counts));
            }
        }
        match self.old {
            Some((_, old)) => {
                let (key, stale) = old.apply_to(report, self.cwd);
                step.seen = Some(key);
                step.stale = stale;
            }
            // The baseline just written covers everything found.
            None if self.current.is_some() => report.diagnostics.clear(),
            None => {}
        }
        step
    }

    pub fn add(&mut self, step: FileStep) {
        if let (Some(current), Some((key, counts))) = (&mut self.current, step.recorded) {
            current.counts.insert(key, counts);
        }
        self.seen.extend(step.seen);
        self.stale.extend(step.stale);
    }

    pub fn finish(mut self, quiet: bool) -> Result<(), Report> {
        let mut written = false;
        if let (Some(file), Some(current)) = (self.write, &self.current) {
            let new = match self.old {
                Some((_, old)) => old.shrunk_to(current),
                None => current.clone(),
            };
            new.write(file)?;
            if !quiet {
                let total = new.total();
                eprintln!(
                    "Wrote {}: {total} finding{} in {} file{}.",
                    file.display(),
                    if total == 1 { "" } else { "s" },
                    new.counts.len(),
                    if new.counts.len() == 1 { "" } else { "s" },
                );
            }
            written = true;
        }
        let Some((old_file, old)) = self.old else {
            return Ok(());
        };
        // A recorded file that was not linted is stale only if it is gone.
        for (path, codes) in &old.counts {
            if self.seen.contains(path) || old.dir.join(path).exists() {
                continue;
            }
            for (code, rec) in codes {
                self.stale.push(Stale {
                    path: path.clone(),
                    code: code.clone(),
                    recorded: *rec,
                    found: 0,
                });
            }
        }
        self.stale
            .sort_by(|a, b| (&a.path, &a.code).cmp(&(&b.path, &b.code)));
        if !quiet && !self.stale.is_empty() {
            let n = self.stale.len();
            let mut text = format!(
                "warning: {} has {n} stale entr{} (recorded findings no longer found): {}\n",
                old_file.display(),
                if n == 1 { "y" } else { "ies" },
                if written {
                    "dropped from the baseline written".to_string()
                } else {
                    format!(
                        "shrink it with `--baseline {0} --write-baseline {0}`",
                        old_file.display()
                    )
                }
            );
            for s in &self.stale {
                text.push_str(&format!(
                    "  {}: {} recorded {}, found {}\n",
                    s.path, s.code, s.recorded, s.found
                ));
            }
            eprint!("{text}");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let base = Path::new("/r/a");
        assert_eq!(
            relative(Path::new("/r/a/b/Dockerfile"), base),
            "b/Dockerfile"
        );
        assert_eq!(
            relative(Path::new("/r/c/Dockerfile"), base),
            "../c/Dockerfile"
        );
        assert_eq!(lexical(Path::new("/r/a/./b/../c")), PathBuf::from("/r/a/c"));
    }

    #[test]
    fn shrinking_never_grows() {
        let mut old = Baseline::new(Path::new("b.json"), Path::new("/r"));
        old.counts
            .entry("x".into())
            .or_default()
            .extend([("DKR003".to_string(), 2), ("DKR004".to_string(), 1)]);
        let mut now = Baseline::new(Path::new("b.json"), Path::new("/r"));
        now.counts
            .entry("x".into())
            .or_default()
            .extend([("DKR003".to_string(), 1), ("DKR005".to_string(), 4)]);
        let shrunk = old.shrunk_to(&now);
        assert_eq!(
            shrunk.counts["x"],
            BTreeMap::from([("DKR003".to_string(), 1)])
        );
    }
}
