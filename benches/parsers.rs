//! Each parser alone over a corpus, single-threaded, in MB/s: the floor under a full lint.
//!
//! `cargo bench --bench parsers [-- DIR…]` (default: the shared Kubernetes corpus and, when
//! present, the Dockerfile corpus of `../corpus/docker`). Files are read into memory first;
//! each parser runs over all of them, best of 5.

use opslint::lang::{dockerfile, kubernetes, FileType};
use opslint::source::SourceFile;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn best_of<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn bench(name: &str, texts: &[String], mut parse: impl FnMut(&str) -> usize) {
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut units = 0;
    let t = best_of(5, || {
        units = texts.iter().map(|t| parse(t)).sum();
    });
    let mb = bytes as f64 / 1e6;
    println!(
        "{name:28} {:6} files {mb:7.1} MB {:8.1} ms {:7.1} MB/s  ({units} units)",
        texts.len(),
        t.as_secs_f64() * 1e3,
        mb / t.as_secs_f64()
    );
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let dirs: Vec<PathBuf> = if args.is_empty() {
        vec![
            root.join("../shared/corpus/kubernetes"),
            root.join("../corpus/docker"),
        ]
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        let paths = opslint::discover::walk(dir);
        let mut by_type: Vec<(FileType, String)> = Vec::new();
        for p in paths {
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let detected = opslint::discover::detect(&p, || Some(text.clone()));
            if let Some(t) = detected {
                by_type.push((t, text));
            }
        }
        println!("{}", dir.display());
        let of = |t: FileType| -> Vec<String> {
            by_type
                .iter()
                .filter(|(ft, _)| *ft == t)
                .map(|(_, s)| s.clone())
                .collect()
        };
        let yaml = of(FileType::Kubernetes);
        if !yaml.is_empty() {
            bench("yaml tree (with comments)", &yaml, |t| {
                kubernetes::yaml::parse(t).documents.len()
            });
            bench("yaml tree (no comments)", &yaml, |t| {
                kubernetes::yaml::parse_with(t, false).documents.len()
            });
            bench("kubernetes lint (one file)", &yaml, |t| {
                let source = SourceFile::new("m.yaml", t);
                kubernetes::lint(&source, &Default::default())
                    .diagnostics
                    .len()
            });
        }
        let docker = of(FileType::Dockerfile);
        if !docker.is_empty() {
            bench("dockerfile parse", &docker, |t| {
                dockerfile::parse::parse(t).instructions.len()
            });
            bench("dockerfile lint (one file)", &docker, |t| {
                let source = SourceFile::new("Dockerfile", t);
                dockerfile::lint(&source, &Default::default())
                    .diagnostics
                    .len()
            });
        }
    }
}
