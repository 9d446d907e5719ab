use clap::Parser;
use opslint::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors.
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match opslint::run::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(report) => {
            eprint!("{}", opslint::run::render_error(&report));
            ExitCode::from(2)
        }
    }
}
