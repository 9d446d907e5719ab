//! Configuration sets: a root config and every file its `include`s reach, read from disk for a
//! file that has a disk path (never for stdin), kept for one lint call (no process-wide cache:
//! the LSP server sees files change).
//!
//! - `include` resolves relative to the prefix (`[nginx] prefix`, else the root config's
//!   folder) and to the including file's folder, with globs; nginx's stock files (`mime.types`,
//!   `fastcgi_params`, …) always exist; an absolute path that is not on this machine is tried
//!   under the prefix (`/etc/nginx/conf.d/a.conf` → `<prefix>/conf.d/a.conf`).
//! - A fragment's context comes from where the root (an `nginx.conf` in its folder or up to
//!   three folders above, or in the prefix) includes it.
//! - [`ConfigSet::in_scope`] gives what a spot inherits (`add_header`, `proxy_set_header`,
//!   `server_tokens`, `resolver`, …) from the levels above it, across includes both ways;
//!   [`ConfigSet::zones`] the zones the whole set defines.

use super::directives::ctx;
use super::parse::{self, child_context, BlockKind, Config, Directive};
use crate::lang::RunCache;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Files nginx packages ship next to nginx.conf: an include of them is never reported.
const STOCK_FILES: &[&str] = &[
    "mime.types",
    "fastcgi_params",
    "fastcgi.conf",
    "proxy_params",
    "scgi_params",
    "uwsgi_params",
    "koi-utf",
    "koi-win",
    "win-utf",
    "fastcgi-php.conf",
    "snakeoil.conf",
];

/// Folders where nginx configs live on a server, tried under the prefix when absent here.
const SYSTEM_PREFIXES: &[&str] = &[
    "/etc/nginx/",
    "/usr/local/nginx/conf/",
    "/usr/local/etc/nginx/",
    "/usr/local/openresty/nginx/conf/",
    "/opt/nginx/conf/",
    "/etc/openresty/",
];

/// At most this many files in a set, and this many include levels.
const MAX_FILES: usize = 256;
/// Files larger than this are not read into a set (the default `[files] max-size`).
const MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// A file's text, when it is small enough to be a config.
fn read_config(path: &Path) -> Option<String> {
    let len = std::fs::metadata(path).ok()?.len();
    if len > MAX_FILE_SIZE {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}
const MAX_INCLUDE_DEPTH: usize = 8;

/// The folders a relative include is tried in: the prefix, the root config's folder, the
/// including file's folder and up to three folders above it.
pub fn include_roots(file: &Path, prefix: Option<&Path>, root_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut add = |p: &Path| {
        if !out.iter().any(|o| o == p) {
            out.push(p.to_path_buf());
        }
    };
    if let Some(p) = prefix {
        add(p);
    }
    if let Some(r) = root_dir {
        add(r);
    }
    let mut dir = file.parent();
    for _ in 0..4 {
        let Some(d) = dir else { break };
        add(if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        });
        dir = d.parent();
    }
    out
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Whether an include pattern matches something (or cannot be judged here). A glob matches
/// when its folder exists (nginx accepts an empty glob); a plain path when the file exists.
pub fn include_exists(pattern: &str, roots: &[PathBuf]) -> bool {
    let base = pattern.rsplit('/').next().unwrap_or(pattern);
    if STOCK_FILES.contains(&base) || pattern.contains('$') || pattern.is_empty() {
        return true;
    }
    if pattern.starts_with('/') {
        // Judged only inside the configuration's folder: a server's folder elsewhere cannot
        // be judged from the repository.
        return !in_config_folder(Path::new(pattern), roots) || path_matches(Path::new(pattern));
    }
    roots.iter().any(|r| path_matches(&r.join(pattern)))
}

fn path_matches(path: &Path) -> bool {
    let s = path.to_string_lossy();
    if !has_glob(&s) {
        return path.is_file();
    }
    // The longest folder without glob characters must exist.
    let mut dir = path.parent();
    while let Some(d) = dir {
        if !has_glob(&d.to_string_lossy()) {
            return d.is_dir();
        }
        dir = d.parent();
    }
    true
}

/// Whether the folder of a glob include exists here (so that an empty match is really empty):
/// under the roots, or for an absolute path, mapped under the roots
/// (`/etc/nginx/conf.d/*.conf` → `<root>/conf.d/`), or as it is when the configuration lives
/// there (linting a repository must not depend on this machine's `/etc/nginx`).
fn glob_folder_here(pattern: &str, roots: &[PathBuf]) -> bool {
    let folder_of = |p: &Path| p.parent().is_some_and(Path::is_dir);
    if pattern.starts_with('/') {
        let absolute = Path::new(pattern);
        if in_config_folder(absolute, roots) && folder_of(absolute) {
            return true;
        }
        return SYSTEM_PREFIXES.iter().any(|prefix| {
            pattern
                .strip_prefix(prefix)
                .is_some_and(|rest| roots.iter().any(|r| folder_of(&r.join(rest))))
        });
    }
    roots.iter().any(|r| folder_of(&r.join(pattern)))
}

/// Whether an absolute path lies in the configuration's own folder (the first root: the prefix
/// or the root config's folder), so it is the linted tree and not the linting machine's own
/// `/etc/nginx`, which must never change what a repository's files are found to say.
fn in_config_folder(absolute: &Path, roots: &[PathBuf]) -> bool {
    // Lexical: the folder as the run names it, made absolute (no symlink resolution, which
    // would cost a system call per path component on every include).
    roots.first().is_some_and(|r| {
        let r = std::path::absolute(r).unwrap_or_else(|_| r.clone());
        r.parent().is_some() && absolute.starts_with(&r)
    })
}

/// The files an include pattern names, sorted (nginx sorts glob results). An absolute path
/// is read as written only inside the configuration's folder; a server folder
/// (`/etc/nginx/conf.d/*.conf`) is looked for under the roots (`<prefix>/conf.d/*.conf`).
pub fn include_targets(pattern: &str, roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if pattern.starts_with('/') {
        if in_config_folder(Path::new(pattern), roots) {
            candidates.push(PathBuf::from(pattern));
        }
        for prefix in SYSTEM_PREFIXES {
            if let Some(rest) = pattern.strip_prefix(prefix) {
                candidates.extend(roots.iter().map(|r| r.join(rest)));
            }
        }
    } else {
        candidates.extend(roots.iter().map(|r| r.join(pattern)));
    }
    for c in candidates {
        let found = expand(&c);
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// A path with a glob in its file name (globs in folder names are not followed).
fn expand(path: &Path) -> Vec<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !has_glob(&path.to_string_lossy()) {
        return if path.is_file() {
            vec![path.to_path_buf()]
        } else {
            Vec::new()
        };
    }
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    if has_glob(&dir.to_string_lossy()) {
        return Vec::new();
    }
    let Ok(glob) = globset::Glob::new(&name) else {
        return Vec::new();
    };
    let matcher = glob.compile_matcher();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| matcher.is_match(n)))
        .collect();
    out.sort();
    out
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// One file of a set.
#[derive(Debug, Clone)]
pub struct SetFile {
    pub path: PathBuf,
    pub config: Config,
    /// The context its top level stands in.
    pub context: u32,
    /// Where it is included: the including file and the index path of the `include`
    /// directive in it (`None` for the root).
    pub included_from: Option<(usize, Vec<usize>)>,
    /// The other contexts it is included in, besides `context` (a snippet included both in
    /// `http` and in a `location`).
    pub other_contexts: Vec<u32>,
}

/// A root config's set as loaded once per run, with the canonical path of each of its files
/// (to find the linted file in it).
struct LoadedRoot {
    set: Option<ConfigSet>,
    canonical: Vec<PathBuf>,
}

impl LoadedRoot {
    fn load(root: &Path, prefix: Option<&Path>) -> LoadedRoot {
        let set = read_config(root)
            .map(|text| parse::parse(&text))
            .filter(super::is_full_config)
            .map(|root_config| {
                let root_dir = prefix
                    .map(Path::to_path_buf)
                    .or_else(|| root.parent().map(Path::to_path_buf))
                    .unwrap_or_default();
                ConfigSet::load(root.to_path_buf(), root_config, ctx::MAIN, &root_dir, None)
            });
        let canonical = set.as_ref().map_or(Vec::new(), |s| {
            s.files
                .iter()
                .map(|f| f.path.canonicalize().unwrap_or_else(|_| f.path.clone()))
                .collect()
        });
        LoadedRoot { set, canonical }
    }
}

/// The zones a configuration set defines.
#[derive(Debug, Default, Clone)]
pub struct Zones {
    /// `limit_req_zone … zone=NAME:size`
    pub limit_req: Vec<String>,
    /// `limit_conn_zone … zone=NAME:size`
    pub limit_conn: Vec<String>,
    /// `proxy_cache_path … keys_zone=NAME:size` (and the fastcgi/uwsgi/scgi cache paths)
    pub cache: Vec<String>,
    /// `upstream` blocks' `zone NAME` (and every upstream name)
    pub upstream: Vec<String>,
}

/// A root config and the files its includes reach.
#[derive(Debug, Default, Clone)]
pub struct ConfigSet {
    /// `files[0]` is the root.
    pub files: Vec<SetFile>,
    /// The linted file's index.
    pub linted: usize,
    /// Where relative includes start.
    pub roots: Vec<PathBuf>,
    /// Every `include` of the set matched a file (rules about something missing stay silent
    /// otherwise).
    pub complete: bool,
    /// The linted file is reached from a root config other than itself.
    pub included: bool,
    zones: Zones,
    /// The files each `include` reads: (file index, start of the directive) → file indexes.
    resolved: HashMap<(usize, u32), (String, Vec<usize>)>,
}

/// One directive found across the set: `file` is `None` for the linted file.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    pub directive: &'a Directive,
    pub file: Option<&'a Path>,
}

impl ConfigSet {
    /// The set of the file at `path` (parsed as `config`): rooted at the `nginx.conf` that
    /// includes it, else at the file itself. A root's set is loaded once per run (`cache`) and
    /// shared by every file it includes.
    pub fn for_file(
        path: &Path,
        config: &Config,
        base: u32,
        prefix: Option<&Path>,
        cache: &RunCache,
    ) -> ConfigSet {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        for root in root_candidates(path, prefix) {
            if same_file(&root, path) {
                continue;
            }
            let key = PathBuf::from(format!(
                "{}\u{0}{}",
                root.display(),
                prefix.map(|p| p.display().to_string()).unwrap_or_default()
            ));
            let loaded = cache.get_or_insert(&key, || LoadedRoot::load(&root, prefix));
            let Some(set) = &loaded.set else {
                continue;
            };
            if let Some(i) = loaded
                .canonical
                .iter()
                .skip(1)
                .position(|c| *c == canonical)
            {
                let mut set = set.clone();
                set.linted = i + 1;
                set.included = true;
                return set;
            }
        }
        let root_dir = prefix
            .map(Path::to_path_buf)
            .or_else(|| path.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        ConfigSet::load(path.to_path_buf(), config.clone(), base, &root_dir, None)
    }

    /// Reads `root` and every file its includes reach. When `linted` is given, `included`
    /// tells whether it was reached.
    fn load(
        root: PathBuf,
        config: Config,
        base: u32,
        root_dir: &Path,
        linted: Option<&Path>,
    ) -> ConfigSet {
        let mut set = ConfigSet {
            files: vec![SetFile {
                path: root,
                config,
                context: base,
                included_from: None,
                other_contexts: Vec::new(),
            }],
            linted: 0,
            roots: vec![root_dir.to_path_buf()],
            complete: true,
            included: false,
            zones: Zones::default(),
            resolved: HashMap::new(),
        };
        let mut index: HashMap<PathBuf, usize> = HashMap::new();
        if let Ok(c) = set.files[0].path.canonicalize() {
            index.insert(c, 0);
        }
        let mut depth = vec![0usize];
        let mut next = 0;
        while next < set.files.len() {
            let file = next;
            next += 1;
            let sites = include_sites(&set.files[file].config, set.files[file].context);
            for (path_ix, at, context, pattern) in sites {
                let mut resolved: Vec<usize> = Vec::new();
                let roots = include_roots(&set.files[file].path, None, Some(root_dir));
                let targets = include_targets(&pattern, &roots);
                // What an include that was not read holds is unknown (an empty glob in a
                // folder that exists and nginx's stock files hold nothing that matters; a glob
                // in a folder that is not here may match files on the server).
                let stock = STOCK_FILES.iter().any(|s| pattern.ends_with(s));
                if targets.is_empty()
                    && !stock
                    && (!has_glob(&pattern) || !glob_folder_here(&pattern, &roots))
                {
                    set.complete = false;
                }
                for t in targets {
                    let key = t.canonicalize().unwrap_or_else(|_| t.clone());
                    if let Some(&known) = index.get(&key) {
                        resolved.push(known);
                        if let Some(f) = set.files.get_mut(known) {
                            if f.context != context && !f.other_contexts.contains(&context) {
                                f.other_contexts.push(context);
                            }
                        }
                        continue;
                    }
                    if set.files.len() >= MAX_FILES || depth[file] >= MAX_INCLUDE_DEPTH {
                        continue;
                    }
                    let Some(text) = read_config(&t) else {
                        continue;
                    };
                    resolved.push(set.files.len());
                    index.insert(key, set.files.len());
                    depth.push(depth[file] + 1);
                    if linted.is_some_and(|l| same_file(l, &t)) {
                        set.linted = set.files.len();
                        set.included = true;
                    }
                    set.files.push(SetFile {
                        path: t,
                        config: parse::parse(&text),
                        context,
                        included_from: Some((file, path_ix.clone())),
                        other_contexts: Vec::new(),
                    });
                }
                set.resolved.insert((file, at), (pattern, resolved));
            }
        }
        set.zones = collect_zones(&set.files);
        set
    }

    /// The other contexts the linted file is included in (the structure rules check it in
    /// each).
    pub fn other_contexts(&self) -> &[u32] {
        self.files
            .get(self.linted)
            .filter(|_| self.included)
            .map_or(&[], |f| f.other_contexts.as_slice())
    }

    /// The context the linted file's top level stands in.
    pub fn context(&self) -> u32 {
        self.files.get(self.linted).map_or(ctx::MAIN, |f| f.context)
    }

    /// The zones the whole set defines.
    pub fn zones(&self) -> &Zones {
        &self.zones
    }

    /// The directives of a block's list with its `include`s expanded (recursively, in
    /// place). `file` is the index of the file the list belongs to.
    pub fn expanded<'a>(&'a self, list: &'a [Directive], file: usize) -> Vec<Found<'a>> {
        let mut out = Vec::new();
        // (list, its file, next index)
        let mut stack: Vec<(&'a [Directive], usize, usize)> = vec![(list, file, 0)];
        while let Some(top) = stack.last_mut() {
            let (items, f, i) = (top.0, top.1, top.2);
            let Some(d) = items.get(i) else {
                stack.pop();
                continue;
            };
            top.2 += 1;
            if d.name == "include" && stack.len() <= MAX_INCLUDE_DEPTH {
                let targets = self.targets_of(d, f);
                // Push in reverse so the first target is walked first.
                for t in targets.into_iter().rev() {
                    if let Some(sf) = self.files.get(t) {
                        stack.push((&sf.config.directives, t, 0));
                    }
                }
                continue;
            }
            out.push(Found {
                directive: d,
                file: (f != self.linted).then(|| self.files[f].path.as_path()),
            });
        }
        out
    }

    /// The set's files an `include` directive of file `file` reads.
    fn targets_of(&self, d: &Directive, file: usize) -> Vec<usize> {
        // Resolved while loading, unless the text linted differs from the file on disk.
        if let Some((pattern, known)) = self.resolved.get(&(file, d.span.start)) {
            if d.arg_value(0) == Some(pattern.as_str()) {
                return known.clone();
            }
        }
        let Some(pattern) = d.arg_value(0) else {
            return Vec::new();
        };
        let Some(from) = self.files.get(file) else {
            return Vec::new();
        };
        let root_dir = self.roots.first().map(PathBuf::as_path);
        let roots = include_roots(&from.path, None, root_dir);
        include_targets(pattern, &roots)
            .iter()
            .filter_map(|t| {
                self.files
                    .iter()
                    .position(|f| f.path == *t || same_file(&f.path, t))
            })
            .collect()
    }

    /// The levels above the linted file's top level, innermost first: each the block list
    /// (with its file index) that encloses the `include` reaching it.
    fn outer_levels(&self) -> Vec<(&[Directive], usize)> {
        let mut out = Vec::new();
        let mut current = self.linted;
        let mut guard = 0;
        while let Some((from, path)) = self
            .files
            .get(current)
            .and_then(|f| f.included_from.as_ref())
        {
            guard += 1;
            if guard > MAX_FILES {
                break;
            }
            let Some(file) = self.files.get(*from) else {
                break;
            };
            // The lists enclosing the include directive, innermost first.
            let mut lists: Vec<&[Directive]> = vec![&file.config.directives];
            let mut list: &[Directive] = &file.config.directives;
            for &i in path.iter().take(path.len().saturating_sub(1)) {
                let Some(d) = list.get(i) else { break };
                list = d.children();
                lists.push(list);
            }
            for l in lists.into_iter().rev() {
                out.push((l, *from));
            }
            current = *from;
        }
        out
    }

    /// What is in scope at a spot of the linted file for directive `name`: the occurrences at
    /// the nearest level that has any, looking from the innermost of `parents` (the block
    /// directives enclosing the spot, outermost first, as [`parse::Visit::parents`] gives
    /// them) up through the linted file's top level (`top`) and the levels that include it.
    /// `include`s at every level are expanded. This is nginx's inheritance for array
    /// directives (`add_header`, `proxy_set_header`: a level that sets any drops all the
    /// inherited ones) and the effective value for single ones (`server_tokens`,
    /// `resolver`).
    pub fn in_scope<'a>(
        &'a self,
        top: &'a [Directive],
        parents: &[&'a Directive],
        name: &str,
    ) -> Vec<Found<'a>> {
        let mut levels: Vec<(&'a [Directive], usize)> = parents
            .iter()
            .rev()
            .map(|p| (p.children(), self.linted))
            .collect();
        levels.push((top, self.linted));
        levels.extend(self.outer_levels());
        for (list, file) in levels {
            let found: Vec<Found<'a>> = self
                .expanded(list, file)
                .into_iter()
                .filter(|f| f.directive.name == name)
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }
}

/// The files that may be the root including `path`: `nginx.conf` in the prefix, the file's
/// folder and up to three folders above.
fn root_candidates(path: &Path, prefix: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = prefix {
        out.push(p.join("nginx.conf"));
    }
    let mut dir = path.parent();
    for _ in 0..4 {
        let Some(d) = dir else { break };
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        let c = d.join("nginx.conf");
        if c.is_file() && !out.contains(&c) {
            out.push(c);
        }
        dir = d.parent();
    }
    out.retain(|c| c.is_file());
    out
}

/// Every `include` of a file with the index path of the directive, the context it stands in
/// and its pattern.
fn include_sites(config: &Config, base: u32) -> Vec<(Vec<usize>, u32, u32, String)> {
    let mut out = Vec::new();
    // (list, next index, context, index path of the list's owner)
    let mut stack: Vec<(&[Directive], usize, u32)> = vec![(&config.directives, 0, base)];
    let mut path: Vec<usize> = Vec::new();
    while let Some(top) = stack.last_mut() {
        let (items, i, context) = (top.0, top.1, top.2);
        let Some(d) = items.get(i) else {
            stack.pop();
            path.pop();
            continue;
        };
        top.1 += 1;
        if d.name == "include" {
            if let Some(p) = d.arg_value(0) {
                let mut at = path.clone();
                at.push(i);
                out.push((at, d.span.start, context, p.to_string()));
            }
        }
        if let Some(b) = &d.block {
            // Includes in `map`/`geo`/`types` bodies bring data (context 0).
            if b.kind != BlockKind::Raw {
                let inner = if b.kind == BlockKind::Data {
                    0
                } else {
                    child_context(context, &d.name)
                };
                stack.push((&b.directives, 0, inner));
                path.push(i);
            }
        }
    }
    out
}

fn collect_zones(files: &[SetFile]) -> Zones {
    let mut z = Zones::default();
    for f in files {
        add_zones(&f.config, &mut z);
    }
    z
}

/// The zones one file defines.
pub fn zones_of(config: &Config) -> Zones {
    let mut z = Zones::default();
    add_zones(config, &mut z);
    z
}

fn add_zones(config: &Config, z: &mut Zones) {
    {
        config.walk(ctx::MAIN, |v| {
            let d = v.directive;
            let named = |key: &str| -> Option<String> {
                d.args.iter().find_map(|a| {
                    let rest = a.value.strip_prefix(key)?;
                    Some(rest.split(':').next().unwrap_or(rest).to_string())
                })
            };
            match d.name.as_str() {
                "limit_req_zone" => z.limit_req.extend(named("zone=")),
                "limit_conn_zone" => z.limit_conn.extend(named("zone=")),
                "proxy_cache_path" | "fastcgi_cache_path" | "uwsgi_cache_path"
                | "scgi_cache_path" => z.cache.extend(named("keys_zone=")),
                "upstream" => z.upstream.extend(d.arg_value(0).map(str::to_string)),
                "zone" if v.parents.last().is_some_and(|p| p.name == "upstream") => {
                    z.upstream.extend(d.arg_value(0).map(str::to_string))
                }
                _ => {}
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn fragment_context_and_scope_across_includes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            "nginx.conf",
            "events {}\nhttp {\n  include resolver.conf;\n  add_header X-A a;\n  limit_req_zone $binary_remote_addr zone=one:10m rate=1r/s;\n  include conf.d/*.conf;\n}\n",
        );
        write(d, "resolver.conf", "resolver 1.1.1.1;\n");
        let site = write(
            d,
            "conf.d/site.conf",
            "server {\n  listen 80;\n  include snippets/loc.conf;\n}\n",
        );
        let loc_text = "location / { proxy_pass http://$x; }\n";
        let loc = write(d, "snippets/loc.conf", loc_text);
        let config = parse::parse(loc_text);
        let set = ConfigSet::for_file(
            &loc,
            &config,
            ctx::HTTP_LOCATION,
            None,
            &RunCache::default(),
        );
        assert!(set.included);
        assert_eq!(set.context(), ctx::HTTP_SERVER);
        assert_eq!(set.zones().limit_req, ["one"]);
        let location = &config.directives[0];
        let resolver = set.in_scope(&config.directives, &[location], "resolver");
        assert_eq!(resolver.len(), 1);
        // Found through the include in http.
        assert!(resolver[0].file.unwrap().ends_with("resolver.conf"));
        assert!(set
            .in_scope(&config.directives, &[location], "server_tokens")
            .is_empty());
        // The server file: its include is expanded at its level.
        let site_text = std::fs::read_to_string(&site).unwrap();
        let site_config = parse::parse(&site_text);
        let set = ConfigSet::for_file(&site, &site_config, ctx::HTTP, None, &RunCache::default());
        assert_eq!(set.context(), ctx::HTTP);
        let server = &site_config.directives[0];
        let found = set.in_scope(&site_config.directives, &[server], "location");
        assert_eq!(found.len(), 1);
        assert!(found[0].file.unwrap().ends_with("loc.conf"));
        assert!(set.complete);
    }

    #[test]
    fn an_include_in_a_map_brings_data() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            "nginx.conf",
            "events {}\nhttp {\n  geo $a $b {\n    include geo.conf;\n  }\n}\n",
        );
        let text = "10.0.0.0/8 1;\ndefault 0;\n";
        let geo = write(d, "geo.conf", text);
        let set = ConfigSet::for_file(
            &geo,
            &parse::parse(text),
            ctx::HTTP,
            None,
            &RunCache::default(),
        );
        assert!(set.included);
        assert_eq!(set.context(), 0);
    }

    #[test]
    fn include_resolution() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "conf.d/a.conf", "");
        let roots = vec![d.to_path_buf()];
        assert!(include_exists("conf.d/a.conf", &roots));
        assert!(include_exists("conf.d/*.conf", &roots));
        assert!(include_exists("conf.d/*.none", &roots));
        assert!(!include_exists("missing/*.conf", &roots));
        assert!(!include_exists("conf.d/b.conf", &roots));
        assert!(include_exists("mime.types", &roots));
        assert!(include_exists("/etc/nginx/conf.d/zzz.conf", &roots));
        assert_eq!(include_targets("conf.d/*.conf", &roots).len(), 1);
        assert_eq!(include_targets("/etc/nginx/conf.d/a.conf", &roots).len(), 1);
    }
}

#[cfg(test)]
mod absolute_include_tests {
    use super::*;

    /// An absolute include outside the configuration's folder is the linting machine's file,
    /// not the repository's: never read, never judged missing.
    #[test]
    fn absolute_includes_are_read_only_inside_the_config_folder() {
        let repo = tempfile::tempdir().unwrap();
        let host = tempfile::tempdir().unwrap();
        std::fs::write(repo.path().join("in.conf"), "gzip on;\n").unwrap();
        std::fs::write(host.path().join("out.conf"), "gzip on;\n").unwrap();
        let roots = vec![repo.path().canonicalize().unwrap()];
        let inside = format!("{}/in.conf", roots[0].display());
        let outside = format!("{}/out.conf", host.path().canonicalize().unwrap().display());
        assert_eq!(include_targets(&inside, &roots).len(), 1);
        assert!(include_targets(&outside, &roots).is_empty());
        assert!(include_exists(&outside, &roots));
        let missing = format!("{}/missing.conf", roots[0].display());
        assert!(!include_exists(&missing, &roots));
    }
}
