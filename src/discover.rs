//! The walk (the `ignore` crate: .gitignore honoured even outside a git repository, dotfiles
//! kept except `.git`) and file-type detection: by name first, then by content.

use crate::config::{ConfigError, ConfigResolver, Settings};
use crate::lang::FileType;
use rayon::prelude::*;
use regex::Regex;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// How many bytes of a file content sniffing reads.
const SNIFF_BYTES: u64 = 256 * 1024;

/// Bytes a run may keep in memory for later, shared by threads: what is kept beyond it is read
/// again when needed, so a run's memory does not grow with the size of the tree.
#[derive(Debug)]
pub struct MemoryBudget(std::sync::atomic::AtomicUsize);

impl MemoryBudget {
    pub const fn new(bytes: usize) -> MemoryBudget {
        MemoryBudget(std::sync::atomic::AtomicUsize::new(bytes))
    }

    /// Takes `bytes` from the budget, if that many are left.
    pub fn take(&self, bytes: usize) -> bool {
        use std::sync::atomic::Ordering;
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(bytes)
            })
            .is_ok()
    }
}

/// How much of the files content sniffing read is kept for linting: up to 40 MB, less what a
/// large run's list of files takes (about 400 bytes a file), at least 8 MB.
fn kept_content(files: usize) -> usize {
    (40usize << 20).saturating_sub(files * 400).max(8 << 20)
}

/// A file found by the walk or named on the command line.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The path to open.
    pub path: PathBuf,
    /// The path as shown: as given on the command line joined with the walked part, `/`-separated.
    pub display: String,
    /// The detected type; `None` when the file is skipped.
    pub file_type: Option<FileType>,
    pub settings: Arc<Settings>,
    /// The whole file, when detection read all of it, found it valid UTF-8 (so linting does
    /// not read it again) and the run's budget for such texts allowed.
    pub content: Option<String>,
    /// The file's size in bytes when detection read it (0 when the name sufficed): the longest
    /// work is started first.
    pub size: u64,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DiscoverError {
    #[error("{0}: no such file or directory")]
    #[diagnostic(code(opslint::path))]
    Missing(String),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
}

/// Every file under `paths`, with its type and settings, sorted by shown path.
pub fn discover(
    paths: &[PathBuf],
    forced: Option<FileType>,
    resolver: &ConfigResolver,
) -> Result<Vec<Candidate>, DiscoverError> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let cwd = resolver.cwd().to_path_buf();
    // (path, explicit) pairs
    let mut found: Vec<(PathBuf, bool)> = Vec::new();
    for given in paths {
        let meta =
            std::fs::metadata(given).map_err(|_| DiscoverError::Missing(display_path(given)))?;
        if !meta.is_dir() {
            found.push((given.clone(), true));
            continue;
        }
        found.extend(walk(given).into_iter().map(|p| (p, false)));
    }
    // One walk gives each file once; paths given together may overlap (the final order is
    // by displayed path, below).
    if paths.len() > 1 {
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        found.dedup_by(|a, b| a.0 == b.0);
    }

    // Settings first (a bad config stops the run: the one of the first path in order, whatever
    // order the walk gave), then detection in parallel.
    let mut with_settings = Vec::with_capacity(found.len());
    let mut bad_config: Option<(PathBuf, ConfigError)> = None;
    for (path, explicit) in found {
        let abs = absolute(&cwd, &path);
        let dir = abs
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cwd.clone());
        let settings = match resolver.for_dir(&dir) {
            Ok(settings) => settings,
            Err(e) => {
                if !bad_config.as_ref().is_some_and(|(first, _)| *first < path) {
                    bad_config = Some((path, e));
                }
                continue;
            }
        };
        if !explicit && settings.is_excluded(&abs) {
            continue;
        }
        with_settings.push((path, abs, explicit, settings));
    }
    if let Some((_, e)) = bad_config {
        return Err(e.into());
    }
    let kept = MemoryBudget::new(kept_content(with_settings.len()));
    let detect_one = |(path, abs, explicit, settings): (PathBuf, PathBuf, bool, Arc<Settings>)| {
        let mut whole = false;
        let mut size = 0;
        let (file_type, content) = match (forced, explicit) {
            (Some(t), true) => (Some(t), None),
            _ => match settings.extra_type(&abs) {
                Some(t) => (Some(t), None),
                None => detect_reading(&path, || {
                    let (bytes, all, file_size) = sniff(&path)?;
                    size = file_size;
                    let (text, utf8) = sniffed_text(bytes)?;
                    // Text that is not UTF-8 is read again, and its bad bytes reported, by
                    // linting.
                    whole = all && utf8;
                    Some(text)
                }),
            },
        };
        let content = content.filter(|text| whole && file_type.is_some() && kept.take(text.len()));
        Candidate {
            display: display_path(&path),
            path,
            content,
            size,
            file_type,
            settings,
        }
    };
    // A file or two (on save): no thread pool to start.
    let mut candidates: Vec<Candidate> = if with_settings.len() <= 2 {
        with_settings.into_iter().map(detect_one).collect()
    } else {
        with_settings.into_par_iter().map(detect_one).collect()
    };
    candidates.sort_by(|a, b| a.display.cmp(&b.display));
    candidates.dedup_by(|a, b| a.display == b.display);
    Ok(candidates)
}

/// The files under `dir`, with the parallel walker: .gitignore honoured like git does, even
/// outside a repository; dotfiles kept, `.git` skipped. Unordered.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let found = Mutex::new(Vec::new());
    ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .ignore(false)
        .parents(true)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel()
        .run(|| {
            let found = &found;
            Box::new(move |entry| {
                if let Ok(entry) = entry {
                    if entry.file_type().is_some_and(|t| t.is_file()) {
                        found
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(entry.into_path());
                    }
                }
                ignore::WalkState::Continue
            })
        });
    found.into_inner().unwrap_or_else(|e| e.into_inner())
}

pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = cwd.join(path);
    // Drop `.` components so globs relative to a config folder match.
    joined
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect()
}

/// `/`-separated, without a leading `./`.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    if s.is_empty() {
        ".".to_string()
    } else {
        s.to_string()
    }
}

/// The first [`SNIFF_BYTES`] of a file, whether that is the whole file, and its size.
fn sniff(path: &Path) -> Option<(Vec<u8>, bool, u64)> {
    let file = std::fs::File::open(path).ok()?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut buf = Vec::with_capacity(size.min(SNIFF_BYTES) as usize + 1);
    file.take(SNIFF_BYTES + 1).read_to_end(&mut buf).ok()?;
    let whole = buf.len() as u64 <= SNIFF_BYTES;
    buf.truncate(SNIFF_BYTES as usize);
    Some((buf, whole, size))
}

/// The text detection looks at (none for a binary file), and whether it is the bytes as they
/// are (valid UTF-8, nearly every file: then they are not copied).
fn sniffed_text(bytes: Vec<u8>) -> Option<(String, bool)> {
    if memchr::memchr(0, &bytes).is_some() {
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some((text, true)),
        Err(e) => Some((String::from_utf8_lossy(e.as_bytes()).into_owned(), false)),
    }
}

/// Dockerfile names: `Dockerfile`, `Containerfile`, with a `.`/`-`/`_` suffix or prefix
/// (`Dockerfile.prod`, `Dockerfile-dev`, `api.Dockerfile`, `api_Dockerfile`), and
/// `*.dockerfile`/`*.containerfile` — but not the templates, docs and ignore files that share
/// those names (`Dockerfile.j2`, `Dockerfile.md`, `Dockerfile.dockerignore`).
pub fn is_dockerfile_name(name: &str) -> bool {
    const NOT_DOCKERFILES: &[&str] = &[
        ".dockerignore",
        ".md",
        ".txt",
        ".rst",
        ".j2",
        ".jinja",
        ".jinja2",
        ".tmpl",
        ".tpl",
        ".template",
        ".in",
        ".erb",
        ".sh",
        ".py",
        ".json",
        ".yml",
        ".yaml",
        ".orig",
        ".bak",
        ".patch",
        ".diff",
        ".swp",
        ".html",
    ];
    let lower = name.to_ascii_lowercase();
    if NOT_DOCKERFILES.iter().any(|ext| lower.ends_with(ext)) {
        return false;
    }
    if lower.ends_with(".dockerfile") || lower.ends_with(".containerfile") {
        return true;
    }
    // A lower-case `dockerfile` counts only as the whole name or a suffix (`app.dockerfile`).
    ["Dockerfile", "Containerfile"]
        .iter()
        .any(|base| has_base_name(name, base))
        || name == "dockerfile"
}

/// Whether `name` is `base`, or `base` joined to other words by `.`, `-` or `_`
/// (`Dockerfile.prod`, `api_Dockerfile`, `Jenkinsfile-release`).
fn has_base_name(name: &str, base: &str) -> bool {
    let separator = |c: Option<char>| matches!(c, None | Some('.' | '-' | '_'));
    name.match_indices(base).any(|(at, _)| {
        separator(name[..at].chars().last()) && separator(name[at + base.len()..].chars().next())
    })
}

/// The file type of `path`: by name first, then by content (read lazily by `content`).
pub fn detect(path: &Path, content: impl FnOnce() -> Option<String>) -> Option<FileType> {
    detect_reading(path, content).0
}

/// [`detect`], and the text it read (`None` when the name decided).
pub fn detect_reading(
    path: &Path,
    content: impl FnOnce() -> Option<String>,
) -> (Option<FileType>, Option<String>) {
    let by_content = |looks_like: fn(&str) -> bool, file_type: FileType| {
        let text = content();
        let detected = text.as_deref().filter(|t| looks_like(t)).map(|_| file_type);
        (detected, text)
    };
    let Some(name) = path.file_name() else {
        return (None, None);
    };
    let name = name.to_string_lossy();
    let name = name.as_ref();
    if is_dockerfile_name(name) {
        return (Some(FileType::Dockerfile), None);
    }
    let lower = name.to_ascii_lowercase();
    if (has_base_name(name, "Jenkinsfile") || lower.ends_with(".jenkinsfile"))
        && ![".md", ".txt", ".groovy.orig", ".bak"]
            .iter()
            .any(|e| lower.ends_with(e))
    {
        return (Some(FileType::Jenkinsfile), None);
    }
    if name.ends_with(".groovy") {
        return by_content(looks_like_pipeline, FileType::Jenkinsfile);
    }
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        return by_content(looks_like_kubernetes, FileType::Kubernetes);
    }
    let in_nginx_folder = path.parent().is_some_and(|p| {
        p.components().any(|c| {
            matches!(
                c.as_os_str().to_str(),
                Some("nginx" | "conf.d" | "sites-available" | "sites-enabled")
            )
        })
    });
    if name == "nginx.conf" || name.ends_with(".conf") || in_nginx_folder {
        return by_content(looks_like_nginx, FileType::Nginx);
    }
    (None, None)
}

/// A `pipeline {` or `node {` / `node('label') {` block.
pub fn looks_like_pipeline(text: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?m)^\s*(pipeline|node)\s*(\([^)\n]*\))?\s*\{").ok())
        .as_ref()
        .is_some_and(|re| re.is_match(text))
}

/// Some YAML document has top-level `apiVersion` and `kind` keys.
pub fn looks_like_kubernetes(text: &str) -> bool {
    let (mut api, mut kind) = (false, false);
    for line in text.lines() {
        if line.starts_with("---") || line.starts_with("...") {
            api = false;
            kind = false;
            continue;
        }
        let key = |k: &str| {
            line.strip_prefix(k).is_some_and(|rest| {
                let rest = rest.trim_start_matches(['"', '\'']);
                rest.trim_start().starts_with(':')
            }) || line
                .strip_prefix('"')
                .and_then(|l| l.strip_prefix(k))
                .is_some_and(|r| r.starts_with("\":"))
        };
        api |= key("apiVersion");
        // A `kind` mis-indented under a top-level `apiVersion` is a YAML error of a file meant
        // for Kubernetes: the engine reports it (K8S001).
        kind |= key("kind")
            || (api
                && line
                    .trim_start()
                    .strip_prefix("kind")
                    .is_some_and(|rest| rest.trim_start().starts_with(':')));
        if api && kind {
            return true;
        }
    }
    false
}

/// nginx syntax: a known block opener or directive lines ending in `;`.
pub fn looks_like_nginx(text: &str) -> bool {
    static RE: OnceLock<Option<(Regex, Regex)>> = OnceLock::new();
    let Some((block, directive)) = RE
        .get_or_init(|| {
            let block = Regex::new(
                r"(?m)^\s*((server|http|events|stream|mail)\s*\{|(location|upstream|map|geo|split_clients|limit_except|if)\b[^;{}\n]*\{)",
            )
            .ok()?;
            // `name args;` where quoted arguments may hold `;` and braces.
            let directive = Regex::new(
                r#"(?m)^\s*[a-z_][a-z0-9_]*(\s+([^\s=;{}"'#]|"[^"\n]*"|'[^'\n]*')([^;{}"'\n]|"[^"\n]*"|'[^'\n]*')*)?;\s*(#.*)?$"#,
            )
            .ok()?;
            Some((block, directive))
        })
        .as_ref()
    else {
        return false;
    };
    block.is_match(text) || directive.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str, content: &str) -> Option<FileType> {
        detect(Path::new(name), || Some(content.to_string()))
    }

    #[test]
    fn by_name() {
        for n in [
            "Dockerfile",
            "a/Dockerfile.prod",
            "x.Dockerfile",
            "x.dockerfile",
            "Containerfile",
            "Dockerfile-prod",
            "Dockerfile_dev",
            "api__Dockerfile",
            "prod-Dockerfile",
            "Containerfile.fedora",
        ] {
            assert_eq!(d(n, ""), Some(FileType::Dockerfile), "{n}");
        }
        for n in [
            "Dockerfile.dockerignore",
            "Dockerfile.j2",
            "Dockerfile.jinja2",
            "Dockerfile.md",
            "MyDockerfileHelper",
            "Dockerfiles",
            "dockerfile-parser.rs",
        ] {
            assert_eq!(d(n, ""), None, "{n}");
        }
        for n in [
            "Jenkinsfile",
            "Jenkinsfile.release",
            "a.jenkinsfile",
            "b.Jenkinsfile",
            "ci__Jenkinsfile",
            "Jenkinsfile-release",
        ] {
            assert_eq!(d(n, ""), Some(FileType::Jenkinsfile), "{n}");
        }
        assert_eq!(d("README.md", "server {"), None);
    }

    #[test]
    fn by_content() {
        assert_eq!(
            d("ci/build.groovy", "pipeline {\n agent any\n}"),
            Some(FileType::Jenkinsfile)
        );
        assert_eq!(
            d("ci/build.groovy", "node('x') {\n}"),
            Some(FileType::Jenkinsfile)
        );
        assert_eq!(d("lib/util.groovy", "def f() { 1 }"), None);
        let k8s = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
        assert_eq!(d("deploy/cm.yaml", k8s), Some(FileType::Kubernetes));
        let misindented = "apiVersion: apps/v1\n    kind: Deployment\n";
        assert_eq!(d("deploy/x.yaml", misindented), Some(FileType::Kubernetes));
        assert_eq!(d("values.yaml", "image:\n  kind: x\n"), None);
        assert_eq!(d("ci.yml", "jobs:\n  kind: x\n  apiVersion: 1\n"), None);
        assert_eq!(d("a.yml", "apiVersion: v1\n---\nkind: Pod\n"), None);
        assert_eq!(
            d("site.conf", "server {\n listen 80;\n}\n"),
            Some(FileType::Nginx)
        );
        assert_eq!(d("nginx/snippet", "gzip on;\n"), Some(FileType::Nginx));
        assert_eq!(
            d("conf.d/cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n"),
            None
        );
        assert_eq!(d("sysctl.conf", "net.ipv4.ip_forward = 1\n"), None);
        assert_eq!(d("app.conf", "[main]\nkey = value;\n"), None);
        let hsts =
            "add_header Strict-Transport-Security \"max-age=1; includeSubDomains\" always;\n";
        assert_eq!(d("h5bp/hsts.conf", hsts), Some(FileType::Nginx));
        let rewrite = "rewrite \"^(.*)\\.[\\d]{10}\\.(css|js)$\" $1.$2 last;\n";
        assert_eq!(d("a.conf", rewrite), Some(FileType::Nginx));
        assert_eq!(
            d(
                "conf.d/fastcgi_params",
                "fastcgi_param QUERY_STRING $query_string;\n"
            ),
            Some(FileType::Nginx)
        );
        assert_eq!(
            d("sites-enabled/index.html", "<html><body>x</body></html>\n"),
            None
        );
    }

    #[test]
    fn display_paths() {
        assert_eq!(display_path(Path::new("./a/b")), "a/b");
        assert_eq!(display_path(Path::new("a/./b")), "a/./b");
        assert_eq!(display_path(Path::new("../x")), "../x");
    }
}
