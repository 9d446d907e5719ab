//! Orchestration: config → discover → read + lint each file in parallel → suppress → fix →
//! report, each file's part written as it finishes, in path order. Run failures (bad config,
//! bad flag, missing path) are `Err` and exit 2; everything about a file (unreadable, binary, a
//! panicking rule) is a finding on that file.

use crate::baseline::{self, Baseline};
use crate::cli::{CheckArgs, Cli, ColorChoice, Command, FailOn, OutputFormat, RuleArgs, TypeArg};
use crate::config::{ConfigError, ConfigResolver, Overrides, Selection, Settings, STARTER_CONFIG};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::discover::{self, absolute, Candidate};
use crate::fix::{self, LintFn};
use crate::lang::{self, FileType, LintContext, LintOutput};
use crate::registry::Code;
use crate::report::{FileReport, Part, ReportOptions, ReportWriter, Totals};
use crate::secrets::mask as masked_text;
use crate::source::SourceFile;
use crate::{docs, suppress};
use miette::{miette, Report};
use rayon::prelude::*;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};

/// How the process exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing at or above `--fail-on`.
    Success,
    /// Findings at or above `--fail-on`, or `--diff` produced a diff.
    Failure,
}

impl Status {
    pub fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Failure => 1,
        }
    }
}

/// A run failure: exit 2.
pub type RunResult = Result<Status, Report>;

pub fn run(cli: Cli) -> RunResult {
    match cli.command {
        Some(Command::Check(args)) => check(*args),
        None => check(cli.check),
        Some(Command::Rule(args)) => rule(&args),
        Some(Command::Init) => init(),
        Some(Command::Server) => crate::server::run(),
        Some(Command::Debug(args)) => debug(&args),
    }
}

/// Renders a run failure for stderr.
pub fn render_error(report: &Report) -> String {
    let color = std::io::stderr().is_terminal() && !no_color_env();
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("error: {report}\n");
    }
    out
}

fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn force_color_env() -> bool {
    ["FORCE_COLOR", "CLICOLOR_FORCE"]
        .iter()
        .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty() && v != "0"))
}

/// `opslint debug dockerfile-instructions|nginx-tree FILE...`: one JSON line per file.
fn debug(args: &crate::cli::DebugArgs) -> RunResult {
    let mut out = String::new();
    for path in &args.paths {
        let bytes = std::fs::read(path).map_err(|e| miette!("{}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let source = SourceFile::new(path.to_string_lossy().replace('\\', "/"), text.as_ref());
        match args.what {
            crate::cli::DebugWhat::DockerfileInstructions => {
                out.push_str(&lang::dockerfile::instruction_lines(&source).to_string());
                out.push('\n');
            }
            crate::cli::DebugWhat::NginxTree => {
                out.push_str(&lang::nginx::tree_json(&source).to_string());
                out.push('\n');
            }
        }
    }
    print_stdout(&out)?;
    Ok(Status::Success)
}

fn init() -> RunResult {
    let cwd =
        std::env::current_dir().map_err(|e| miette!("cannot read the current folder: {e}"))?;
    for name in crate::config::CONFIG_NAMES {
        let existing = cwd.join(name);
        if existing.exists() {
            return Err(miette!(
                "{} already exists: not overwriting it",
                existing.display()
            ));
        }
    }
    let path = cwd.join("lint.toml");
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| f.write_all(STARTER_CONFIG.as_bytes()))
        .map_err(|e| miette!("cannot write {}: {e}", path.display()))?;
    println!("Wrote lint.toml");
    Ok(Status::Success)
}

fn rule(args: &RuleArgs) -> RunResult {
    let out = if args.all {
        docs::all_rules(args.output_format)
    } else {
        let wanted = args.rule.as_deref().unwrap_or_default();
        let code =
            Code::lookup(wanted).ok_or_else(|| miette!("unknown rule code or name `{wanted}`"))?;
        docs::page(code)
    };
    print_stdout(&out)?;
    Ok(Status::Success)
}

fn print_stdout(text: &str) -> Result<(), Report> {
    print_stdout_bytes(text.as_bytes())
}

fn print_stdout_bytes(bytes: &[u8]) -> Result<(), Report> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(miette!("cannot write to stdout: {e}")),
    }
}

fn file_type_of(t: TypeArg) -> FileType {
    match t {
        TypeArg::Dockerfile => FileType::Dockerfile,
        TypeArg::Kubernetes => FileType::Kubernetes,
        TypeArg::Nginx => FileType::Nginx,
        TypeArg::Jenkinsfile => FileType::Jenkinsfile,
    }
}

/// What a run does besides reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FixMode {
    None,
    Write,
    Diff,
    /// `--stdin-filename … --fix`: print the fixed text.
    Stdout,
}

fn check(args: CheckArgs) -> RunResult {
    let format = args.output_format.unwrap_or(OutputFormat::Full);
    let extra_reports = parse_reports(&args.report)?;
    if args.diff && args.write_baseline.is_some() {
        return Err(miette!("--write-baseline cannot be combined with --diff"));
    }
    let selection =
        Selection::from_selectors(args.select.as_deref(), &args.extend_select, &args.ignore)
            .map_err(|s| {
                ConfigError::plain(format!("unknown rule selector `{s}` on the command line"))
                    .with_help("use a rule code (DKR013), a code prefix (DKR), a rule name or ALL")
            })?;
    let overrides = Overrides {
        selection,
        fail_on: args.fail_on.map(|f| match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }),
    };
    let cwd =
        std::env::current_dir().map_err(|e| miette!("cannot read the current folder: {e}"))?;
    let resolver = ConfigResolver::new(
        args.config.as_deref(),
        args.isolated,
        overrides,
        cwd.clone(),
    )?;
    // Read before any file is fixed: a bad baseline stops the run.
    let old_baseline = match &args.baseline {
        Some(file) => Some(Baseline::read(file, &cwd)?),
        None => None,
    };
    let forced = args.file_type.map(file_type_of);
    install_quiet_panic_hook();
    let started = std::time::Instant::now();

    let fix_mode = match (args.diff, args.fix, args.stdin_filename.is_some()) {
        (true, _, _) => FixMode::Diff,
        (false, true, true) => FixMode::Stdout,
        (false, true, false) => FixMode::Write,
        _ => FixMode::None,
    };
    let ctx = RunContext {
        cwd: cwd.clone(),
        unsafe_fixes: args.unsafe_fixes,
        fix_mode,
        verbose: args.verbose,
        cache: Arc::default(),
    };

    let to_file = args.output_file.is_some();
    let terminal = !to_file && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            (terminal && !no_color_env()) || (!to_file && force_color_env() && !no_color_env())
        }
    };
    let opts = ReportOptions {
        format,
        color,
        terminal,
        unsafe_fixes: args.unsafe_fixes,
        fix_mode: fix_mode == FixMode::Write || fix_mode == FixMode::Stdout,
        quiet: args.quiet,
        statistics: args.statistics,
        show_fixes: args.show_fixes,
    };
    let old = args.baseline.as_deref().zip(old_baseline.as_ref());
    let write_baseline = args.write_baseline.as_deref();
    // With --diff nothing is written, the baseline neither.
    let baseline = (fix_mode != FixMode::Diff && (old.is_some() || write_baseline.is_some()))
        .then(|| baseline::Step::new(old, write_baseline, &cwd));

    if let Some(name) = &args.stdin_filename {
        let (report, diff, fixed) = lint_stdin(name, forced, &resolver, &ctx)?;
        // With --fix, stdout holds the file itself; the report goes to stderr (or -o).
        let main: Box<dyn Write + Send> = match (&args.output_file, fix_mode) {
            (_, FixMode::Diff) => Box::new(std::io::sink()),
            (Some(path), _) => Box::new(create_output(path)?),
            (None, FixMode::Stdout) => Box::new(std::io::stderr()),
            (None, _) => Box::new(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            )),
        };
        let mut reporter = Reporter::new(opts, main, fix_mode, &extra_reports)?;
        if let Some(mut report) = report {
            let finished = reporter.sharer(baseline.as_ref()).share(&mut report, diff);
            reporter.take(Ok(finished));
        }
        if let Some(fixed) = &fixed {
            print_stdout_bytes(fixed)?;
        }
        let started = args.verbose.then_some(started);
        return reporter.finish(baseline, args.exit_zero, args.quiet, started);
    }

    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(miette!(
            "reading from stdin (`-`) needs --stdin-filename NAME"
        ));
    }
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let mut candidates = discover::discover(&paths, forced, &resolver)?;
    if args.force_exclude {
        candidates.retain(|c| !c.settings.is_excluded(&absolute(&cwd, &c.path)));
    }
    if args.show_files {
        print_stdout(&show_files(&candidates, args.verbose))?;
        return Ok(Status::Success);
    }
    let main: Box<dyn Write + Send> = match (&args.output_file, fix_mode) {
        (_, FixMode::Diff) => Box::new(std::io::sink()),
        (Some(path), _) => Box::new(create_output(path)?),
        (None, _) => Box::new(std::io::BufWriter::with_capacity(
            1 << 16,
            std::io::stdout(),
        )),
    };
    if candidates.len() > 16 {
        crate::secrets::expect_many_texts();
    }
    let mut reporter = Reporter::new(opts, main, fix_mode, &extra_reports)?;
    let kustomization_folders = candidates
        .iter()
        .filter(|c| c.file_type == Some(FileType::Kubernetes))
        .filter(|c| {
            c.path.file_name().is_some_and(|n| {
                matches!(
                    n.to_str(),
                    Some("kustomization.yaml" | "kustomization.yml" | "Kustomization")
                )
            })
        })
        .filter_map(|c| c.path.parent());
    lang::kubernetes::read_run_kustomizations(kustomization_folders, &ctx.cache);
    let sets = kubernetes_sets(&mut candidates, &ctx);
    let found = candidates.len();
    let detected = candidates.iter().filter(|c| c.file_type.is_some()).count();
    let jobs: Vec<_> = candidates
        .iter_mut()
        .zip(sets)
        .filter_map(|(c, set)| {
            let file_type = c.file_type.filter(|t| t.is_linted())?;
            let content = c.content.take();
            Some((&*c, content, file_type, set))
        })
        .collect();
    if args.verbose {
        eprintln!(
            "Found {found} files: {detected} of a known type, {} linted",
            jobs.len()
        );
    }
    let sharer = reporter.sharer(baseline.as_ref());
    for_each_in_order(
        jobs,
        |(c, content, file_type, set)| {
            let (mut report, diff) = lint_path(c, content, file_type, &ctx, set);
            sharer.share(&mut report, diff)
        },
        |finished| reporter.take(finished),
    );
    let started = args.verbose.then_some(started);
    reporter.finish(baseline, args.exit_zero, args.quiet, started)
}

/// A report file (`-o`, `--report`), created before linting so that a bad path fails the run
/// at once.
fn create_output(path: &Path) -> Result<std::io::BufWriter<std::fs::File>, Report> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .map_err(|e| miette!("cannot write {}: {e}", path.display()))
}

/// Maps `jobs` on every core and hands the results to `consume` in job order, as they finish:
/// the thread that finishes the next result in order consumes it and those waiting behind it
/// (no thread only waits to write). At most `WINDOW` results wait for an earlier one, so memory
/// does not grow with the run. A panic in `map` (outside the engines, which turn theirs into
/// OPS005) reaches `consume` as `Err` with its message, and the other jobs go on.
fn for_each_in_order<J: Send, R: Send>(
    jobs: Vec<J>,
    map: impl Fn(J) -> R + Sync,
    mut consume: impl FnMut(Result<R, String>) + Send,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex};
    const WINDOW: usize = 256;
    let n = jobs.len();
    let panic_message = |payload: Box<dyn std::any::Any + Send>| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string())
    };
    if n <= 1 {
        // One file (on save): no thread to start.
        for job in jobs {
            consume(catch_unwind(AssertUnwindSafe(|| map(job))).map_err(panic_message));
        }
        return;
    }
    /// The results finished ahead of their turn, the next one due, and who waits for it.
    struct Order<R, C> {
        waiting: BTreeMap<usize, Result<R, String>>,
        expected: usize,
        sleepers: usize,
        consume: C,
    }
    let slots: Vec<Mutex<Option<J>>> = jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
    let next = AtomicUsize::new(0);
    let order = Mutex::new(Order {
        waiting: BTreeMap::new(),
        expected: 0,
        sleepers: 0,
        consume,
    });
    let turn = Condvar::new();
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            break;
        }
        let mut o = order.lock().unwrap_or_else(|e| e.into_inner());
        while i >= o.expected + WINDOW {
            o.sleepers += 1;
            o = turn.wait(o).unwrap_or_else(|e| e.into_inner());
            o.sleepers -= 1;
        }
        drop(o);
        let job = slots[i].lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(job) = job else { continue };
        let result = catch_unwind(AssertUnwindSafe(|| map(job))).map_err(panic_message);
        let mut o = order.lock().unwrap_or_else(|e| e.into_inner());
        o.waiting.insert(i, result);
        let before = o.expected;
        loop {
            let expected = o.expected;
            let Some(result) = o.waiting.remove(&expected) else {
                break;
            };
            (o.consume)(result);
            o.expected += 1;
        }
        if o.expected != before && o.sleepers > 0 {
            turn.notify_all();
        }
    };
    let threads = rayon::current_num_threads().clamp(1, n);
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
}

/// One linted file's share of the run's outputs, made on the thread that linted it.
struct Finished {
    /// One part per report (the main output first, then the `--report` files).
    parts: Vec<Part>,
    totals: Totals,
    diff: Option<String>,
    baseline: Option<baseline::FileStep>,
}

/// A report being written: its options, its writer, and its file (`None`: stdout or stderr).
type Output = (
    ReportOptions,
    ReportWriter<Box<dyn Write + Send>>,
    Option<PathBuf>,
);

/// The run's outputs, written as files finish: the main report (or the diffs), the `--report`
/// files, the baseline, and the totals that decide the exit status.
struct Reporter {
    opts: ReportOptions,
    fix_mode: FixMode,
    /// The main report (`None` with --diff), then the `--report` files with their paths.
    writers: Vec<Output>,
    baseline_files: Vec<baseline::FileStep>,
    totals: Totals,
    diffs: usize,
    /// The first write error of each writer is kept; a closed stdout is not one.
    error: Option<Report>,
    stdout_closed: bool,
}

impl Reporter {
    fn new(
        opts: ReportOptions,
        main: Box<dyn Write + Send>,
        fix_mode: FixMode,
        extra: &[(OutputFormat, PathBuf)],
    ) -> Result<Reporter, Report> {
        let mut writers = Vec::new();
        if fix_mode != FixMode::Diff {
            writers.push((opts, ReportWriter::new(opts, main), None));
        }
        for (format, path) in extra {
            let report_opts = ReportOptions {
                unsafe_fixes: opts.unsafe_fixes,
                fix_mode: opts.fix_mode,
                ..ReportOptions::plain(*format)
            };
            let file = std::fs::File::create(path).map_err(|e| {
                miette!(
                    "cannot write the {} report to {}: {e}",
                    format.name(),
                    path.display()
                )
            })?;
            let out: Box<dyn Write + Send> = Box::new(std::io::BufWriter::new(file));
            writers.push((
                report_opts,
                ReportWriter::new(report_opts, out),
                Some(path.clone()),
            ));
        }
        Ok(Reporter {
            opts,
            fix_mode,
            writers,
            baseline_files: Vec::new(),
            totals: Totals::default(),
            diffs: 0,
            error: None,
            stdout_closed: false,
        })
    }

    /// What makes each file's share for this reporter, on any thread.
    fn sharer<'a>(&self, baseline: Option<&'a baseline::Step<'a>>) -> Sharer<'a> {
        Sharer {
            opts: self.opts,
            formats: self.writers.iter().map(|(opts, _, _)| *opts).collect(),
            baseline,
        }
    }

    /// Writes one file's share, in order.
    fn take(&mut self, finished: Result<Finished, String>) {
        let finished = match finished {
            Ok(f) => f,
            Err(why) => {
                eprintln!("error: internal error while reporting a file: {why}");
                self.totals.failed = true;
                return;
            }
        };
        if let Some(diff) = &finished.diff {
            self.diffs += 1;
            self.write_stdout(diff.as_bytes());
        }
        for ((_, writer, path), part) in self.writers.iter_mut().zip(&finished.parts) {
            if let Err(e) = writer.part(part) {
                note_write_error(&mut self.error, &mut self.stdout_closed, path.as_deref(), e);
            }
        }
        self.totals.add(finished.totals);
        self.baseline_files.extend(finished.baseline);
    }

    fn write_stdout(&mut self, bytes: &[u8]) {
        if self.stdout_closed {
            return;
        }
        if let Err(e) = std::io::stdout().lock().write_all(bytes) {
            note_write_error(&mut self.error, &mut self.stdout_closed, None, e);
        }
    }

    /// Ends every report, writes the baseline and gives the run's status.
    fn finish(
        mut self,
        baseline: Option<baseline::Step<'_>>,
        exit_zero: bool,
        quiet: bool,
        started: Option<std::time::Instant>,
    ) -> RunResult {
        for (_, writer, path) in std::mem::take(&mut self.writers) {
            if let Err(e) = writer.finish(&self.totals) {
                note_write_error(&mut self.error, &mut self.stdout_closed, path.as_deref(), e);
            }
        }
        if let Some(mut step) = baseline {
            for f in std::mem::take(&mut self.baseline_files) {
                step.add(f);
            }
            step.finish(quiet)?;
        }
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.fix_mode == FixMode::Diff {
            if !quiet {
                let n = self.diffs;
                eprintln!(
                    "{}",
                    if n == 0 {
                        "No fixes available.".to_string()
                    } else {
                        format!("Would fix {n} file{}.", if n == 1 { "" } else { "s" })
                    }
                );
            }
            return Ok(if self.diffs == 0 {
                Status::Success
            } else {
                Status::Failure
            });
        }
        if let Some(started) = started {
            eprintln!("Done in {} ms", started.elapsed().as_millis());
        }
        Ok(if self.totals.failed && !exit_zero {
            Status::Failure
        } else {
            Status::Success
        })
    }
}

/// Makes one file's share of the outputs: the baseline applied, then a part per report.
struct Sharer<'a> {
    opts: ReportOptions,
    formats: Vec<ReportOptions>,
    baseline: Option<&'a baseline::Step<'a>>,
}

impl Sharer<'_> {
    fn share(&self, report: &mut FileReport, diff: Option<String>) -> Finished {
        let baseline = self.baseline.map(|b| b.file(report));
        Finished {
            parts: self
                .formats
                .iter()
                .map(|opts| Part::of_file(report, opts))
                .collect(),
            totals: Totals::of_file(report, &self.opts),
            diff,
            baseline,
        }
    }
}

/// Keeps the first write error; a closed stdout (`| head`) is not a failure.
fn note_write_error(
    error: &mut Option<Report>,
    stdout_closed: &mut bool,
    path: Option<&Path>,
    e: std::io::Error,
) {
    if path.is_none() && e.kind() == std::io::ErrorKind::BrokenPipe {
        *stdout_closed = true;
        return;
    }
    if error.is_none() {
        *error = Some(match path {
            Some(p) => miette!("cannot write the report to {}: {e}", p.display()),
            None => miette!("cannot write the report: {e}"),
        });
    }
}

/// `--report FORMAT=FILE`, parsed before linting so that a typo fails the run (exit 2) at once.
fn parse_reports(specs: &[String]) -> Result<Vec<(OutputFormat, PathBuf)>, Report> {
    use clap::ValueEnum;
    specs
        .iter()
        .map(|spec| {
            let (name, file) = spec
                .split_once('=')
                .filter(|(name, file)| !name.is_empty() && !file.is_empty())
                .ok_or_else(|| {
                    miette!("--report `{spec}`: expected FORMAT=FILE, as in `--report gitlab=gl-code-quality-report.json`")
                })?;
            let format = OutputFormat::from_str(name, true).map_err(|_| {
                let known: Vec<&str> = OutputFormat::value_variants()
                    .iter()
                    .map(|f| f.name())
                    .collect();
                miette!(
                    "--report `{spec}`: unknown format `{name}` (one of: {})",
                    known.join(", ")
                )
            })?;
            Ok((format, PathBuf::from(file)))
        })
        .collect()
}

fn show_files(candidates: &[Candidate], verbose: bool) -> String {
    let mut out = String::new();
    for c in candidates {
        match c.file_type {
            Some(FileType::Kubernetes) if verbose => {
                let why = match read_candidate(c, c.content.clone()) {
                    Decoded::Text { text, .. } => lang::kubernetes::skipped_because(&text, &c.path),
                    Decoded::Unreadable(_) => None,
                };
                match why {
                    Some(why) => out.push_str(&format!(
                        "{}  kubernetes (rules skipped: {why}; secrets still scanned)\n",
                        c.display
                    )),
                    None => out.push_str(&format!("{}  kubernetes\n", c.display)),
                }
            }
            Some(t) => out.push_str(&format!("{}  {}\n", c.display, t.as_str())),
            None if verbose => out.push_str(&format!("{}  skipped\n", c.display)),
            None => {}
        }
    }
    out
}

struct RunContext {
    cwd: PathBuf,
    unsafe_fixes: bool,
    fix_mode: FixMode,
    verbose: bool,
    cache: Arc<lang::RunCache>,
}

thread_local! {
    static IN_ENGINE: Cell<bool> = const { Cell::new(false) };
}

/// Panics inside an engine become OPS005 findings: keep them off stderr.
pub fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_ENGINE.with(Cell::get) {
                default(info);
            }
        }));
    });
}

/// A Kubernetes file read and linted on its own before the cross-object rules run: its text
/// and what [`lang::prelint`] gave, so the file is read and parsed once.
struct Prelinted {
    source: SourceFile,
    bom: bool,
    invalid: Option<(Span, usize)>,
    output: LintOutput,
}

/// How much the Kubernetes files read and linted before the cross-object rules may keep: up
/// to 64 MB, less what the facts of a large set take themselves (about 2 KB a file), so that a
/// run of any size stays within a steady amount of memory.
fn kept_prelinted(files: usize) -> usize {
    (64usize << 20).saturating_sub(files * 2048).max(8 << 20)
}

/// The run's Kubernetes files read and linted on their own, and the facts of all of them for
/// the cross-object rules: one entry per candidate (`None` for other files). With fewer than
/// two Kubernetes files, each text alone is its set and nothing is done here.
fn kubernetes_sets(
    candidates: &mut [Candidate],
    ctx: &RunContext,
) -> Vec<Option<(lang::kubernetes::Set, Option<Box<Prelinted>>)>> {
    let is_k8s = |c: &Candidate| c.file_type == Some(FileType::Kubernetes);
    let mut sets: Vec<Option<_>> = (0..candidates.len()).map(|_| None).collect();
    let count = candidates.iter().filter(|c| is_k8s(c)).count();
    if count < 2 {
        return sets;
    }
    let kept = discover::MemoryBudget::new(kept_prelinted(count));
    // Largest first, one file at a time: a few large files (CRDs) hold most of the bytes of a
    // tree of manifests, and one of them started last would leave the other cores idle.
    let mut files: Vec<(usize, &mut Candidate)> = candidates
        .iter_mut()
        .enumerate()
        .filter(|(_, c)| is_k8s(c))
        .collect();
    files.sort_by_key(|(_, c)| std::cmp::Reverse(c.size));
    let mut done: Vec<_> = files
        .into_par_iter()
        .with_max_len(1)
        .map(|(i, c)| (i, prelint_kubernetes(c, ctx, &kept)))
        .collect();
    done.sort_unstable_by_key(|(i, _)| *i);
    let (facts, prelinted): (Vec<lang::kubernetes::Facts>, Vec<Option<Box<Prelinted>>>) =
        done.into_iter().map(|(_, file)| file).unzip();
    let mut file_sets = lang::kubernetes::Set::for_each_file(facts);
    let mut prelinted = prelinted.into_iter();
    for (slot, c) in sets.iter_mut().zip(candidates.iter()) {
        if is_k8s(c) {
            *slot = file_sets
                .next()
                .map(|set| (set, prelinted.next().flatten()));
        }
    }
    sets
}

/// One Kubernetes file linted on its own, and its facts; beyond the run's budget (`kept`),
/// only its facts: the second pass lints it again (from the text detection kept, if it did).
/// Nothing is kept for a file that cannot be read or whose linting panics: the second pass
/// lints it again and reports that.
fn prelint_kubernetes(
    c: &mut Candidate,
    ctx: &RunContext,
    kept: &discover::MemoryBudget,
) -> (lang::kubernetes::Facts, Option<Box<Prelinted>>) {
    let content = c.content.take();
    let from_detection = content.is_some();
    let Decoded::Text { text, bom, invalid } = read_candidate(c, content) else {
        return Default::default();
    };
    let lint_ctx = lint_context(&c.path, &c.settings, ctx);
    // What it will hold: the text, its line index, and findings (about one per 1 KB of YAML
    // in the corpus).
    let keep = kept.take(text.len() * 3 / 2);
    let source = SourceFile::new(c.display.clone(), text);
    let (facts, output) = if keep {
        match in_engine(|| lang::prelint(FileType::Kubernetes, &source, &lint_ctx)) {
            Ok((output, facts)) => (facts.unwrap_or_default(), Some(output)),
            Err(_) => Default::default(),
        }
    } else {
        let facts = in_engine(|| lang::kubernetes::facts_only(&source, &lint_ctx));
        (facts.unwrap_or_default(), None)
    };
    match output {
        Some(output) => {
            let prelinted = Prelinted {
                source,
                bom,
                invalid,
                output,
            };
            (facts, Some(Box::new(prelinted)))
        }
        None => {
            // The second pass lints it again: from the text detection kept, if it did.
            if from_detection && !bom {
                c.content = Arc::try_unwrap(source.text).ok();
            }
            (facts, None)
        }
    }
}

/// Runs an engine's work with the panic hook quiet: a panic comes back as its payload.
fn in_engine<T>(work: impl FnOnce() -> T) -> std::thread::Result<T> {
    IN_ENGINE.with(|f| f.set(true));
    let result = catch_unwind(AssertUnwindSafe(work));
    IN_ENGINE.with(|f| f.set(false));
    result
}

/// What the engines know of a file on disk besides its text.
fn lint_context(path: &Path, settings: &Settings, ctx: &RunContext) -> LintContext {
    LintContext {
        disk_path: Some(path.to_path_buf()),
        options: settings.options.clone(),
        embedded_depth: 0,
        cache: Arc::clone(&ctx.cache),
    }
}

/// Runs an engine's work on one text, turning a panic into OPS005.
pub fn lint_guarded(file_type: FileType, lint: impl FnOnce() -> LintOutput) -> LintOutput {
    match in_engine(lint) {
        Ok(out) => out,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let mut d = Diagnostic::new(Code::OPS005, 0..0);
            d.message(format!(
                "internal error in {}: {message}",
                file_type.as_str()
            ))
            .help("this is a bug in opslint: please report it with the file that triggers it");
            LintOutput {
                diagnostics: vec![d],
                ..LintOutput::default()
            }
        }
    }
}

/// The text of a file as the engines see it.
#[derive(Debug)]
pub enum Decoded {
    Text {
        text: String,
        /// The file started with a UTF-8 BOM (stripped here, written back by `--fix`).
        bom: bool,
        /// Span of the first invalid byte and how many there were (OPS004).
        invalid: Option<(Span, usize)>,
    },
    /// OPS001: why the file cannot be linted.
    Unreadable(String),
}

/// Decodes raw bytes: UTF-8 (BOM allowed), else invalid bytes read as `?` one for one; NUL bytes
/// in the first 8 KiB mean binary, or UTF-16/32 by their pattern or BOM.
pub fn decode(bytes: Vec<u8>) -> Decoded {
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Decoded::Unreadable("file is UTF-32 encoded: only UTF-8 text is linted".into());
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Decoded::Unreadable("file is UTF-16 encoded: only UTF-8 text is linted".into());
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Decoded::Unreadable(match nul_pattern(head) {
            Some(enc) => format!("file looks {enc} encoded: only UTF-8 text is linted"),
            None => "binary file (a NUL byte in the first 8 KiB)".into(),
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => utf8_text(text),
        Err(e) => {
            let bytes = e.into_bytes();
            let (bom, bytes) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
                Some(rest) => (true, rest),
                None => (false, &bytes[..]),
            };
            let mut text = String::with_capacity(bytes.len());
            let mut first = None;
            let mut count = 0usize;
            for chunk in bytes.utf8_chunks() {
                text.push_str(chunk.valid());
                let bad = chunk.invalid();
                if !bad.is_empty() {
                    let at = text.len() as u32;
                    first.get_or_insert(at..at + 1);
                    count += bad.len();
                    text.push_str(&"?".repeat(bad.len()));
                }
            }
            Decoded::Text {
                text,
                bom,
                invalid: first.map(|f| (f, count)),
            }
        }
    }
}

/// Valid UTF-8: only a BOM to strip.
fn utf8_text(mut text: String) -> Decoded {
    let bom = text.starts_with('\u{FEFF}');
    if bom {
        text.drain(..'\u{FEFF}'.len_utf8());
    }
    Decoded::Text {
        text,
        bom,
        invalid: None,
    }
}

/// UTF-16 or UTF-32 without a BOM: NULs in a regular pattern of the byte positions.
fn nul_pattern(head: &[u8]) -> Option<&'static str> {
    if head.len() < 4 {
        return None;
    }
    let share = |modulo: usize, rest: &[usize]| {
        let positions = head.len() / modulo;
        let nuls = (0..positions)
            .filter(|i| rest.iter().all(|r| head.get(i * modulo + r) == Some(&0)))
            .count();
        nuls * 10 >= positions * 9
    };
    if share(4, &[1, 2, 3]) || share(4, &[0, 1, 2]) {
        Some("UTF-32")
    } else if share(2, &[1]) || share(2, &[0]) {
        Some("UTF-16")
    } else {
        None
    }
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {} ({bytes} bytes)", UNITS[unit])
    }
}

/// The text of a file found by discovery: what detection already read (`content`), or the file.
fn read_candidate(c: &Candidate, content: Option<String>) -> Decoded {
    let max_size = c.settings.max_size.min(u64::from(u32::MAX) - 1);
    match content {
        // Detection read it whole and found UTF-8 without NUL.
        Some(text) if text.len() as u64 <= max_size => utf8_text(text),
        _ => read_path(&c.path, c.settings.max_size),
    }
}

/// Reads a file within `max_size` (and within what `u32` spans can address).
fn read_path(path: &Path, max_size: u64) -> Decoded {
    let max_size = max_size.min(u64::from(u32::MAX) - 1);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return Decoded::Unreadable(format!("cannot read file: {e}")),
    };
    if meta.len() > max_size {
        return Decoded::Unreadable(format!(
            "file is too large: {}, over the limit of {} (`[files] max-size`)",
            human_size(meta.len()),
            human_size(max_size)
        ));
    }
    match std::fs::read(path) {
        Ok(bytes) if bytes.len() as u64 > max_size => Decoded::Unreadable(format!(
            "file is too large: {}, over the limit of {} (`[files] max-size`)",
            human_size(bytes.len() as u64),
            human_size(max_size)
        )),
        Ok(bytes) => decode(bytes),
        Err(e) => Decoded::Unreadable(format!("cannot read file: {e}")),
    }
}

/// One file's text linted: engine, selection, per-file ignores, suppressions, severities.
pub struct FileLinter<'a> {
    pub file_type: FileType,
    pub display: String,
    pub settings: &'a Settings,
    /// Absolute path for per-file ignores; `None` skips them.
    pub abs_path: Option<PathBuf>,
    pub ctx: LintContext,
    /// Findings about the file itself (OPS004), added to every round.
    pub extra: Vec<Diagnostic>,
    /// The secrets of the first text linted (the original), for `--diff`.
    pub first_secrets: Option<Vec<Span>>,
    /// The run's Kubernetes files, for the cross-object rules (`None`: this text alone).
    pub kubernetes_set: Option<lang::kubernetes::Set>,
    /// The original text and what the first pass of the run gave for it (Kubernetes files of
    /// a set): the first lint only adds the cross-object findings instead of parsing again.
    pub prelinted: Option<(SourceFile, LintOutput)>,
    /// Whether the set's entry for this file was made from the next text linted (the original):
    /// then the set's index serves it as it is, instead of an index of its own facts.
    pub set_has_text: bool,
}

/// One lint of one text.
pub struct Linted {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    pub secrets: Vec<Span>,
}

impl LintFn for FileLinter<'_> {
    type Output = Linted;

    fn lint(&mut self, text: &str) -> Linted {
        let set = self.kubernetes_set.as_ref();
        let original_in_set = std::mem::take(&mut self.set_has_text) && set.is_some();
        let (source, out) = match self.prelinted.take() {
            Some((source, mut out)) => {
                debug_assert_eq!(source.text.as_str(), text, "the first text is the original");
                let out = lint_guarded(self.file_type, || {
                    lang::cross_check(&mut out, None, set);
                    out
                });
                (source, out)
            }
            None => {
                let source = SourceFile::new(self.display.clone(), text);
                let out = lint_guarded(self.file_type, || {
                    if original_in_set {
                        let (mut out, _) = lang::prelint(self.file_type, &source, &self.ctx);
                        lang::cross_check(&mut out, None, set);
                        out
                    } else {
                        lang::lint_in_set(self.file_type, &source, &self.ctx, set)
                    }
                });
                (source, out)
            }
        };
        let settings = self.settings;
        let abs = self.abs_path.as_deref();
        let enabled = |code: Code| settings.is_enabled_for(code, abs);
        let mut diagnostics: Vec<Diagnostic> = out
            .diagnostics
            .into_iter()
            .chain(self.extra.iter().cloned())
            .filter(|d| enabled(d.code))
            .collect();
        diagnostics = suppress::apply(&source, &out.comments, diagnostics, &enabled);
        finish(&mut diagnostics, settings);
        self.first_secrets
            .get_or_insert_with(|| out.secrets.clone());
        Linted {
            source,
            diagnostics,
            secrets: out.secrets,
        }
    }

    fn diagnostics(output: &Linted) -> &[Diagnostic] {
        &output.diagnostics
    }
}

/// Configured severities, and position order.
fn finish(diagnostics: &mut [Diagnostic], settings: &Settings) {
    for d in diagnostics.iter_mut() {
        d.severity = settings.severity_of(d.code);
    }
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.code, a.span.end).cmp(&(b.span.start, b.code, b.span.end))
    });
}

fn unreadable_report(
    display: String,
    file_type: FileType,
    settings: &Settings,
    abs: Option<&Path>,
    why: String,
) -> FileReport {
    let mut diagnostics = Vec::new();
    if settings.is_enabled_for(Code::OPS001, abs) {
        let mut d = Diagnostic::new(Code::OPS001, 0..0);
        d.message(why);
        diagnostics.push(d);
    }
    finish(&mut diagnostics, settings);
    FileReport {
        source: SourceFile::new(display.clone(), ""),
        path: display,
        file_type,
        secrets: Vec::new(),
        diagnostics,
        fixed: BTreeMap::new(),
        fail_on: settings.fail_on,
    }
}

/// Lints one decoded text, fixing it as `ctx.fix_mode` says. Returns the report, the diff
/// (`--diff`), and the text to write or print (when fixes changed it, or always for stdin).
fn lint_text(
    linter: &mut FileLinter<'_>,
    text: &str,
    fixable: bool,
    ctx: &RunContext,
) -> (FileReport, Option<String>, Option<String>) {
    let file_type = linter.file_type;
    let display = linter.display.clone();
    let fail_on = linter.settings.fail_on;
    let mut fixed_map = BTreeMap::new();
    let mut diff = None;
    let mut new_text = None;
    let linted = if ctx.fix_mode != FixMode::None && fixable {
        if let Some((fixed_text, linted, fixed)) = fix_text(linter, text, ctx.unsafe_fixes) {
            if ctx.fix_mode == FixMode::Diff {
                let original_secrets = linter.first_secrets.as_deref().unwrap_or_default();
                let before = masked_text(text, original_secrets);
                // A fix may move a secret somewhere the detector does not look: mask the
                // original's secret values wherever they appear in the result too.
                let values: Vec<&str> = original_secrets
                    .iter()
                    .filter_map(|s| text.get(s.start as usize..s.end as usize))
                    .collect();
                let after = masked_text(&fixed_text, &linted.secrets);
                let after = crate::secrets::scrub(&after, &values).into_owned();
                let d = fix::unified_diff(&display, &before, &after);
                if !d.is_empty() {
                    diff = Some(d);
                }
            } else if ctx.fix_mode == FixMode::Stdout || fixed_text != text {
                new_text = Some(fixed_text);
            }
            fixed_map = fixed;
            linted
        } else {
            eprintln!("warning: fixes for {display} would add syntax errors: not applied");
            if ctx.fix_mode == FixMode::Stdout {
                new_text = Some(text.to_string());
            }
            linter.lint(text)
        }
    } else {
        if ctx.fix_mode == FixMode::Stdout {
            new_text = Some(text.to_string());
        }
        if ctx.fix_mode != FixMode::None && !fixable && ctx.verbose {
            eprintln!("note: {display} is not valid UTF-8: not fixing it");
        }
        linter.lint(text)
    };
    // With --diff, nothing is written: report against the original text.
    let report = FileReport {
        path: display,
        file_type,
        source: linted.source,
        secrets: linted.secrets,
        diagnostics: linted.diagnostics,
        fixed: if ctx.fix_mode == FixMode::Diff {
            BTreeMap::new()
        } else {
            fixed_map
        },
        fail_on,
    };
    (report, diff, new_text)
}

fn not_utf8(invalid: Option<(Span, usize)>) -> Vec<Diagnostic> {
    invalid
        .map(|(span, count)| {
            let mut d = Diagnostic::new(Code::OPS004, span);
            d.message(format!(
                "file is not valid UTF-8: {count} invalid byte{} read as `?`",
                if count == 1 { "" } else { "s" }
            ))
            .help("save the file as UTF-8");
            d
        })
        .into_iter()
        .collect()
}

fn lint_path(
    c: &Candidate,
    content: Option<String>,
    file_type: FileType,
    ctx: &RunContext,
    kubernetes: Option<(lang::kubernetes::Set, Option<Box<Prelinted>>)>,
) -> (FileReport, Option<String>) {
    let settings: &Arc<Settings> = &c.settings;
    let abs = absolute(&ctx.cwd, &c.path);
    let (kubernetes_set, prelinted) = match kubernetes {
        Some((set, pre)) => (Some(set), pre),
        None => (None, None),
    };
    let (text, bom, invalid, prelinted) = match prelinted {
        Some(p) => {
            let text = Arc::clone(&p.source.text);
            (text, p.bom, p.invalid, Some((p.source, p.output)))
        }
        None => match read_candidate(c, content) {
            Decoded::Unreadable(why) => {
                return (
                    unreadable_report(c.display.clone(), file_type, settings, Some(&abs), why),
                    None,
                )
            }
            Decoded::Text { text, bom, invalid } => (Arc::new(text), bom, invalid, None),
        },
    };
    let mut linter = FileLinter {
        file_type,
        display: c.display.clone(),
        settings,
        abs_path: Some(abs.clone()),
        ctx: lint_context(&c.path, settings, ctx),
        extra: not_utf8(invalid.clone()),
        first_secrets: None,
        kubernetes_set,
        prelinted,
        set_has_text: true,
    };
    let (mut report, diff, new_text) = lint_text(&mut linter, &text, invalid.is_none(), ctx);
    if let (FixMode::Write, Some(new_text)) = (ctx.fix_mode, new_text) {
        let content = if bom {
            format!("\u{FEFF}{new_text}")
        } else {
            new_text
        };
        if let Err(e) = fix::write_atomic(&c.path, &content) {
            eprintln!("error: cannot write fixes to {}: {e}", c.display);
            // Nothing was fixed: report what the file on disk still holds.
            let unfixed = RunContext {
                cwd: ctx.cwd.clone(),
                unsafe_fixes: ctx.unsafe_fixes,
                fix_mode: FixMode::None,
                verbose: ctx.verbose,
                cache: Arc::clone(&ctx.cache),
            };
            report = lint_text(&mut linter, &text, invalid.is_none(), &unfixed).0;
        }
    }
    (report, diff)
}

/// A text to lint for a path, resolved as `check` resolves a file: the settings of the nearest
/// config from its folder upward (or `--config` / `--isolated`, as the resolver says), then the
/// file type from `[files]` globs, the name, or the content.
pub struct Target {
    pub abs_path: PathBuf,
    /// The path as shown (`/`-separated).
    pub display: String,
    pub file_type: FileType,
    pub settings: Arc<Settings>,
}

impl Target {
    /// `Ok(None)` when opslint does not recognise the file; `Err` when its config is invalid.
    pub fn resolve(
        path: &Path,
        content: impl FnOnce() -> Option<String>,
        forced: Option<FileType>,
        resolver: &ConfigResolver,
    ) -> Result<Option<Target>, ConfigError> {
        let abs = absolute(resolver.cwd(), path);
        let dir = abs
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| resolver.cwd().to_path_buf());
        let settings = resolver.for_dir(&dir)?;
        let file_type = forced
            .or_else(|| settings.extra_type(&abs))
            .or_else(|| discover::detect(path, content));
        Ok(file_type.map(|file_type| Target {
            display: discover::display_path(path),
            abs_path: abs,
            file_type,
            settings,
        }))
    }

    /// The linter for texts of this file. `disk_path` lets rules look at neighbouring files;
    /// `extra` are findings about the file itself (OPS004).
    pub fn linter(&self, disk_path: Option<PathBuf>, extra: Vec<Diagnostic>) -> FileLinter<'_> {
        FileLinter {
            file_type: self.file_type,
            display: self.display.clone(),
            settings: &self.settings,
            abs_path: Some(self.abs_path.clone()),
            ctx: LintContext {
                disk_path,
                options: self.settings.options.clone(),
                ..LintContext::default()
            },
            extra,
            first_secrets: None,
            kubernetes_set: None,
            prelinted: None,
            set_has_text: false,
        }
    }
}

/// Lints one in-memory text for `path` with its nearest config, through the same pipeline as
/// `check` (engine under `lint_guarded`, selection, per-file ignores, suppressions, configured
/// severities). Returns the resolved target and the report (final diagnostics, secrets, and the
/// `SourceFile` they point into); `Ok(None)` for a file opslint does not recognise.
pub fn lint_source(
    path: &Path,
    text: &str,
    disk_path: Option<PathBuf>,
    resolver: &ConfigResolver,
) -> Result<Option<(Target, FileReport)>, ConfigError> {
    let Some(target) = Target::resolve(path, || Some(text.to_string()), None, resolver)? else {
        return Ok(None);
    };
    let linted = target.linter(disk_path, Vec::new()).lint(text);
    let report = FileReport {
        path: target.display.clone(),
        file_type: target.file_type,
        source: linted.source,
        secrets: linted.secrets,
        diagnostics: linted.diagnostics,
        fixed: BTreeMap::new(),
        fail_on: target.settings.fail_on,
    };
    Ok(Some((target, report)))
}

/// Applies fixes to a fixed point (safe ones, and unsafe ones when `unsafe_fixes`). Returns the
/// fixed text, its lint and the fixes applied per code; `None` when the result would have more
/// syntax errors than `text` (then nothing is fixed).
pub fn fix_text(
    linter: &mut FileLinter<'_>,
    text: &str,
    unsafe_fixes: bool,
) -> Option<(String, Linted, BTreeMap<Code, usize>)> {
    let file_type = linter.file_type;
    let (fixed_text, linted, fixed) = fix::fix_to_fixed_point(text, unsafe_fixes, linter);
    let worse = fixed_text != text
        && lang::syntax_error_count(file_type, &fixed_text)
            > lang::syntax_error_count(file_type, text);
    (!worse).then_some((fixed_text, linted, fixed))
}

/// The report, the diff (`--diff`), and the bytes to print on stdout (`--fix`).
type StdinResult = (Option<FileReport>, Option<String>, Option<Vec<u8>>);

fn lint_stdin(
    name: &str,
    forced: Option<FileType>,
    resolver: &ConfigResolver,
    ctx: &RunContext,
) -> Result<StdinResult, Report> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| miette!("cannot read stdin: {e}"))?;
    let path = Path::new(name);
    let target = Target::resolve(
        path,
        || Some(String::from_utf8_lossy(&bytes).into_owned()),
        forced,
        resolver,
    )?
    .ok_or_else(|| {
        miette!(
            "cannot tell the file type of `{name}`: name it like the file it is, or pass --type"
        )
    })?;
    let (file_type, settings, abs) = (target.file_type, &target.settings, &target.abs_path);
    let display = target.display.clone();
    // What `--fix` prints when nothing is fixed: the input, byte for byte.
    let unchanged = |bytes: &[u8]| (ctx.fix_mode == FixMode::Stdout).then(|| bytes.to_vec());
    if !file_type.is_linted() {
        return Ok((None, None, unchanged(&bytes)));
    }
    let limit = settings.max_size.min(u64::from(u32::MAX) - 1);
    if bytes.len() as u64 > limit {
        let why = format!(
            "file is too large: {}, over the limit of {} (`[files] max-size`)",
            human_size(bytes.len() as u64),
            human_size(limit)
        );
        let report = unreadable_report(display, file_type, settings, Some(abs), why);
        return Ok((Some(report), None, unchanged(&bytes)));
    }
    let original = unchanged(&bytes);
    let (text, bom, invalid) = match decode(bytes) {
        Decoded::Unreadable(why) => {
            let report = unreadable_report(display, file_type, settings, Some(abs), why);
            return Ok((Some(report), None, original));
        }
        Decoded::Text { text, bom, invalid } => (text, bom, invalid),
    };
    let mut linter = target.linter(None, not_utf8(invalid.clone()));
    let (report, diff, new_text) = lint_text(&mut linter, &text, invalid.is_none(), ctx);
    let new_text = match new_text {
        // Not valid UTF-8, so not fixed: the bytes as they came.
        Some(_) if invalid.is_some() => original,
        Some(t) if bom => Some(format!("\u{FEFF}{t}").into_bytes()),
        t => t.map(String::into_bytes),
    };
    Ok((Some(report), diff, new_text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        match decode(b"FROM a\xE9b\n".to_vec()) {
            Decoded::Text { text, invalid, bom } => {
                assert_eq!(text, "FROM a?b\n");
                assert_eq!(invalid, Some((6..7, 1)));
                assert!(!bom);
            }
            other => panic!("{other:?}"),
        }
        match decode(b"\xEF\xBB\xBFFROM a\n".to_vec()) {
            Decoded::Text { text, bom, invalid } => {
                assert_eq!(text, "FROM a\n");
                assert!(bom && invalid.is_none());
            }
            other => panic!("{other:?}"),
        }
        // A BOM, then a bad byte: the BOM is stripped, the bad byte counted from after it.
        match decode(b"\xEF\xBB\xBFa\xE9b\n".to_vec()) {
            Decoded::Text { text, bom, invalid } => {
                assert_eq!(text, "a?b\n");
                assert!(bom);
                assert_eq!(invalid, Some((1..2, 1)));
            }
            other => panic!("{other:?}"),
        }
        let utf16: Vec<u8> = "FROM alpine\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert!(matches!(decode(utf16), Decoded::Unreadable(m) if m.contains("UTF-16")));
        let mut bom16 = vec![0xFF, 0xFE];
        bom16.extend(b"F\0R\0");
        assert!(matches!(decode(bom16), Decoded::Unreadable(m) if m.contains("UTF-16")));
        assert!(
            matches!(decode(b"\x7fELF\x02\x01\x00\x00abc".to_vec()), Decoded::Unreadable(m) if m.contains("binary"))
        );
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: a\n      image: nginx:latest\n";

    /// The files of `dir` as `check` finds them (isolated), and a run context without fixes.
    fn discovered(dir: &Path) -> (Vec<Candidate>, RunContext) {
        let cwd = dir.to_path_buf();
        let resolver =
            ConfigResolver::new(None, true, crate::config::Overrides::default(), cwd.clone())
                .unwrap();
        let candidates = discover::discover(std::slice::from_ref(&cwd), None, &resolver).unwrap();
        let ctx = RunContext {
            cwd,
            unsafe_fixes: false,
            fix_mode: FixMode::None,
            verbose: false,
            cache: Arc::default(),
        };
        (candidates, ctx)
    }

    #[test]
    fn a_manifest_beyond_the_memory_budget_keeps_the_text_detection_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pod.yaml"), POD).unwrap();
        let (mut candidates, ctx) = discovered(dir.path());
        let c = &mut candidates[0];
        assert!(c.content.is_some());
        // No budget left: only the facts are made, and the text goes back to the candidate.
        let (facts, prelinted) = prelint_kubernetes(c, &ctx, &discover::MemoryBudget::new(0));
        assert!(prelinted.is_none());
        assert_eq!(c.content.as_deref(), Some(POD));
        let set = lang::kubernetes::Set::for_each_file(vec![facts]).next();
        // Gone from the disk: the second pass lints the kept text, not the file.
        std::fs::remove_file(dir.path().join("pod.yaml")).unwrap();
        let content = c.content.take();
        let (report, _) = lint_path(
            c,
            content,
            FileType::Kubernetes,
            &ctx,
            set.map(|s| (s, None)),
        );
        let codes: Vec<Code> = report.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&Code::K8S003), "{codes:?}");
        assert!(!codes.contains(&Code::OPS001), "{codes:?}");
    }

    #[test]
    fn a_file_gone_after_the_walk_is_reported_and_the_others_linted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM alpine:3.20\n").unwrap();
        std::fs::write(dir.path().join("pod.yaml"), POD).unwrap();
        std::fs::write(dir.path().join("other.yaml"), POD).unwrap();
        let (mut candidates, ctx) = discovered(dir.path());
        assert_eq!(candidates.len(), 3);
        // Deleted between the walk and the lint (the walk read the YAML to tell its type).
        for name in ["Dockerfile", "pod.yaml"] {
            std::fs::remove_file(dir.path().join(name)).unwrap();
        }
        let sets = kubernetes_sets(&mut candidates, &ctx);
        let mut codes = Vec::new();
        for (c, set) in candidates.iter_mut().zip(sets) {
            let content = c.content.take();
            let (report, _) = lint_path(c, content, c.file_type.unwrap(), &ctx, set);
            let first = report
                .diagnostics
                .first()
                .map(|d| (d.code, d.message.clone()));
            codes.push((c.display.rsplit('/').next().unwrap().to_string(), first));
        }
        let gone = |name: &str| {
            codes.iter().any(|(n, d)| {
                n == name
                    && d.as_ref().is_some_and(|(code, m)| {
                        *code == Code::OPS001 && m.starts_with("cannot read file")
                    })
            })
        };
        assert!(gone("Dockerfile"), "{codes:?}");
        // The walk kept pod.yaml's text, so it is linted as it was read.
        assert!(
            codes.iter().any(|(n, d)| n == "other.yaml" && d.is_some()),
            "{codes:?}"
        );
    }

    #[test]
    fn results_come_in_order_and_panics_are_reported() {
        let jobs: Vec<usize> = (0..2_000).collect();
        let mut seen = Vec::new();
        for_each_in_order(
            jobs,
            |i| {
                // Uneven work, so results finish out of order.
                std::thread::sleep(std::time::Duration::from_micros((i % 7) as u64 * 20));
                if i == 777 {
                    panic!("boom");
                }
                i
            },
            |r| seen.push(r),
        );
        assert_eq!(seen.len(), 2_000);
        for (i, r) in seen.iter().enumerate() {
            match r {
                Ok(v) => assert_eq!(*v, i),
                Err(why) => assert!(i == 777 && why == "boom", "{i}: {why}"),
            }
        }
    }

    #[test]
    fn panics_become_ops005() {
        install_quiet_panic_hook();
        IN_ENGINE.with(|f| f.set(true));
        let n = std::hint::black_box(1);
        let r = catch_unwind(|| panic!("boom {n}"));
        IN_ENGINE.with(|f| f.set(false));
        let payload = r.unwrap_err();
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("boom 1")
        );
    }
}
