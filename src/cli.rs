//! The command line: clap definitions only. `opslint PATH` is `opslint check PATH`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "opslint",
    version,
    about = "One fast linter for nginx configs, Dockerfiles, Kubernetes manifests and Jenkinsfiles",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `check`'s flags, for `opslint [PATH...]` without the subcommand.
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and folders (the default command)
    Check(Box<CheckArgs>),
    /// Print a rule's documentation, or list every rule
    Rule(RuleArgs),
    /// Write a starter lint.toml in the current folder
    Init,
    /// Language Server Protocol over stdio: diagnostics and code actions for editors
    Server,
    /// What the parsers see, for differential tests against other parsers
    #[command(hide = true)]
    Debug(DebugArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DebugWhat {
    /// Each Dockerfile instruction's keyword and lines, as JSON lines
    DockerfileInstructions,
    /// Each nginx file's directive tree as crossplane prints it, as JSON lines
    NginxTree,
}

#[derive(Debug, clap::Args)]
pub struct DebugArgs {
    pub what: DebugWhat,
    pub paths: Vec<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Full,
    Concise,
    Json,
    JsonLines,
    Sarif,
    Gitlab,
    Checkstyle,
    Junit,
    Github,
}

impl OutputFormat {
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Full => "full",
            OutputFormat::Concise => "concise",
            OutputFormat::Json => "json",
            OutputFormat::JsonLines => "json-lines",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Gitlab => "gitlab",
            OutputFormat::Checkstyle => "checkstyle",
            OutputFormat::Junit => "junit",
            OutputFormat::Github => "github",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TypeArg {
    Dockerfile,
    Kubernetes,
    Nginx,
    Jenkinsfile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Default, Args)]
pub struct CheckArgs {
    /// Files and folders to lint (default: the current folder)
    pub paths: Vec<PathBuf>,

    /// Apply safe fixes in place, then report what is left
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff, also apply fixes marked unsafe
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff and write nothing; exit 1 when there is a diff
    #[arg(long)]
    pub diff: bool,

    /// Rules to lint: codes, code prefixes, rule names or ALL (replaces the configured selection)
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,
    /// Rules not to lint
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Rules to lint on top of the selection
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub extend_select: Vec<String>,
    /// Lowest severity that makes the exit code 1 [default: warning]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Output format [default: full]
    #[arg(long, value_enum)]
    pub output_format: Option<OutputFormat>,
    /// Write the report to this file instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Also write a report in another format (FORMAT=FILE), repeatable
    #[arg(long, value_name = "FORMAT=FILE")]
    pub report: Vec<String>,
    /// List the fixes applied (with --fix) or available, per file
    #[arg(long)]
    pub show_fixes: bool,

    /// Use this config file for every file
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore every config file
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
    /// Read one file from stdin; NAME picks the file type and the config
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Force the file type of every given file
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub file_type: Option<TypeArg>,

    /// Exit 0 even with findings
    #[arg(long)]
    pub exit_zero: bool,
    /// A count per rule instead of the findings
    #[arg(long)]
    pub statistics: bool,
    /// List each file found with its detected type, lint nothing
    #[arg(long)]
    pub show_files: bool,
    /// Report only findings not recorded in FILE (a baseline: counts per file per rule)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE (with --baseline: shrink it, never grow it)
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Apply `[files] exclude` to files named on the command line too (for pre-commit)
    #[arg(long)]
    pub force_exclude: bool,
    /// Do not read or write the result cache (there is none yet)
    #[arg(long)]
    pub no_cache: bool,

    /// When to colour the output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Less on stderr
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More on stderr
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// A rule code (DKR013) or name (maintainer-deprecated)
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub rule: Option<String>,
    /// List every rule
    #[arg(long)]
    pub all: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
    pub output_format: RuleFormat,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn check_is_the_default_command() {
        let cli = Cli::try_parse_from(["opslint", "a", "--fix"]).unwrap();
        assert!(cli.command.is_none());
        assert!(cli.check.fix);
        let cli = Cli::try_parse_from(["opslint", "check", "a", "--select", "DKR,OPS001"]).unwrap();
        match cli.command {
            Some(Command::Check(c)) => assert_eq!(c.select.clone().unwrap(), ["DKR", "OPS001"]),
            other => panic!("{other:?}"),
        }
    }
}
