//! Rendering 10,000 findings on a 1 MB file in every output format, best of 5.
//!
//! `cargo bench --bench render`. The target (issue: performance) is the `full` format, which
//! draws a miette snippet per finding, in ≤ 200 ms.

use opslint::cli::OutputFormat;
use opslint::diagnostic::{Diagnostic, Severity};
use opslint::lang::FileType;
use opslint::registry::Code;
use opslint::report::{render, FileReport, ReportOptions};
use opslint::source::SourceFile;
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    // 10,000 lines of about 100 bytes: 1 MB.
    let line = "RUN apt-get update && apt-get install -y curl wget git build-essential ca-certificates && ok\n";
    let text: String = line.repeat(10_000);
    let source = SourceFile::new("Dockerfile", text.as_str());
    let diagnostics: Vec<Diagnostic> = (0..10_000u32)
        .map(|i| {
            let start = i * line.len() as u32;
            let mut d = Diagnostic::new(Code::DKR010, start + 4..start + 18);
            d.message("`apt-get install` without `--no-install-recommends`")
                .help("add `--no-install-recommends` so only the named packages are installed")
                .label(start + 25..start + 32, "this install");
            d.severity = Severity::Warning;
            d
        })
        .collect();
    let report = FileReport {
        path: "Dockerfile".to_string(),
        file_type: FileType::Dockerfile,
        source,
        secrets: Vec::new(),
        diagnostics,
        fixed: BTreeMap::new(),
        fail_on: Severity::Warning,
    };
    let files = [report];
    println!(
        "{} bytes, {} findings",
        text.len(),
        files[0].diagnostics.len()
    );
    for format in [
        OutputFormat::Full,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::Sarif,
        OutputFormat::Gitlab,
        OutputFormat::Checkstyle,
        OutputFormat::Junit,
        OutputFormat::Github,
    ] {
        let opts = ReportOptions::plain(format);
        let mut bytes = 0;
        let best = (0..5)
            .map(|_| {
                let t = Instant::now();
                bytes = render(&files, &opts).len();
                t.elapsed()
            })
            .min()
            .unwrap_or_default();
        println!(
            "{:12} {:8.1} ms  {:6.1} MB out",
            format.name(),
            best.as_secs_f64() * 1e3,
            bytes as f64 / 1e6
        );
    }
}
