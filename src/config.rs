//! lint.toml: the model, its discovery (nearest `lint.toml` / `.opslint.toml` upward from each
//! file's folder, no merging, like ruff), rule selection and per-file ignores.
//!
//! Every error points into the TOML: `ConfigError` is a miette diagnostic with the file's text
//! and the span of the offending key or value.

use crate::diagnostic::Severity;
use crate::lang::{FileType, Options};
use crate::registry::{Code, RULES};
use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use toml::Spanned;

/// The config file names, in the order they are looked for in each folder.
pub const CONFIG_NAMES: [&str; 2] = ["lint.toml", ".opslint.toml"];

pub const DEFAULT_MAX_SIZE: u64 = 10 * 1024 * 1024;

/// A configuration that cannot be used: exit 2, shown with the TOML around the error.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ConfigError(Box<ConfigErrorInner>);

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{headline}")]
#[diagnostic(code(opslint::config))]
struct ConfigErrorInner {
    headline: String,
    #[source_code]
    src: Option<NamedSource<String>>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

impl miette::Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
}

impl ConfigError {
    /// An error at `span` (bytes) of `text`, the content of config file `path`.
    pub fn at(
        path: &Path,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> ConfigError {
        let message = message.into();
        let shown = std::env::current_dir()
            .ok()
            .and_then(|cwd| path.strip_prefix(cwd).ok())
            .unwrap_or(path)
            .display()
            .to_string();
        let headline = match &span {
            Some(span) => {
                let (line, col) = line_col(text, span.start);
                format!("invalid config {shown}:{line}:{col}: {message}")
            }
            None => format!("invalid config {shown}: {message}"),
        };
        let span = span.map(|s| {
            let start = s.start.min(text.len());
            let end = s.end.clamp(start, text.len());
            SourceSpan::from((start, end - start))
        });
        ConfigError(Box::new(ConfigErrorInner {
            headline,
            src: Some(NamedSource::new(shown, text.to_string())),
            span,
            label: message,
            help: None,
        }))
    }

    /// An error outside any TOML text (an unreadable config, a bad `--select`).
    pub fn plain(message: impl Into<String>) -> ConfigError {
        ConfigError(Box::new(ConfigErrorInner {
            headline: message.into(),
            src: None,
            span: None,
            label: String::new(),
            help: None,
        }))
    }

    pub fn with_help(mut self, help: impl Into<String>) -> ConfigError {
        self.0.help = Some(help.into());
        self
    }
}

/// toml's message without the names of our private structs (`struct RawLint` → `a table`).
fn toml_message(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message.trim_end();
    while let Some(i) = rest.find("struct Raw") {
        out.push_str(&rest[..i]);
        out.push_str("a table");
        let after = &rest[i + "struct ".len()..];
        let ident = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        rest = &after[ident..];
    }
    out.push_str(rest);
    out
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

// ---------------------------------------------------------------- raw TOML model

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    lint: RawLint,
    #[serde(default)]
    files: RawFiles,
    #[serde(default)]
    dockerfile: RawDockerfile,
    #[serde(default)]
    kubernetes: RawKubernetes,
    #[serde(default)]
    nginx: RawNginx,
    #[serde(default)]
    jenkinsfile: RawJenkinsfile,
    #[serde(default)]
    secrets: RawSecrets,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLint {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    per_file_ignores: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFiles {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    max_size: Option<Spanned<toml::Value>>,
    #[serde(default)]
    dockerfile: Vec<Spanned<String>>,
    #[serde(default)]
    kubernetes: Vec<Spanned<String>>,
    #[serde(default)]
    nginx: Vec<Spanned<String>>,
    #[serde(default)]
    jenkinsfile: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawDockerfile {
    #[serde(default)]
    trusted_registries: Vec<String>,
    #[serde(default)]
    non_root_images: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawKubernetes {
    target_version: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawNginx {
    version: Option<Spanned<String>>,
    prefix: Option<String>,
    #[serde(default)]
    extra_directives: Vec<ExtraDirective>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawJenkinsfile {
    #[serde(default)]
    agent_types: Vec<String>,
    max_script_lines: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSecrets {
    #[serde(default)]
    allow: Vec<String>,
}

// ---------------------------------------------------------------- validated model

/// `[nginx] extra-directives` entry: a directive from a module nginx does not ship.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraDirective {
    pub name: String,
    #[serde(default)]
    pub contexts: Vec<String>,
}

/// `[kubernetes]`: read by the Kubernetes engine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubernetesSettings {
    pub target_version: Option<String>,
}

/// `[nginx]`: read by the nginx engine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NginxSettings {
    pub version: Option<String>,
    pub prefix: Option<String>,
    pub extra_directives: Vec<ExtraDirective>,
}

/// `[jenkinsfile]`: read by the Jenkinsfile engine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JenkinsfileSettings {
    pub agent_types: Vec<String>,
    pub max_script_lines: Option<u32>,
}

/// `[secrets]`: read by the secret detector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretsSettings {
    pub allow: Vec<String>,
}

/// Rule selection, one layer (the config file, then the command line), like ruff.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Replaces the selection so far when present.
    pub select: Option<Vec<Code>>,
    pub extend_select: Vec<(Code, u32)>,
    pub ignore: Vec<(Code, u32)>,
    /// `select` with specificities, to order select and ignore.
    select_specific: Vec<(Code, u32)>,
}

impl Selection {
    /// Builds a layer from selector strings; the error names the selector that matched nothing.
    pub fn from_selectors(
        select: Option<&[String]>,
        extend_select: &[String],
        ignore: &[String],
    ) -> Result<Selection, String> {
        let resolve_all = |list: &[String]| -> Result<Vec<(Code, u32)>, String> {
            let mut out = Vec::new();
            for s in list {
                out.extend(resolve_selector(s).ok_or_else(|| s.clone())?);
            }
            Ok(out)
        };
        let select_specific = match select {
            Some(s) => Some(resolve_all(s)?),
            None => None,
        };
        Ok(Selection {
            select: select_specific
                .as_ref()
                .map(|v| v.iter().map(|(c, _)| *c).collect()),
            extend_select: resolve_all(extend_select)?,
            ignore: resolve_all(ignore)?,
            select_specific: select_specific.unwrap_or_default(),
        })
    }

    /// Applies this layer on top of `set` (indexed by `Code as usize`).
    fn apply(&self, set: &mut [bool]) {
        let mut steps: Vec<(u32, bool, Code)> = Vec::new();
        if self.select.is_some() {
            set.iter_mut().for_each(|b| *b = false);
            steps.extend(self.select_specific.iter().map(|&(c, s)| (s, true, c)));
        }
        steps.extend(self.extend_select.iter().map(|&(c, s)| (s, true, c)));
        steps.extend(self.ignore.iter().map(|&(c, s)| (s, false, c)));
        // Less specific first; at equal specificity, ignore wins (applied last).
        steps.sort_by_key(|&(spec, on, _)| (spec, !on));
        for (_, on, code) in steps {
            if let Some(b) = set.get_mut(code as usize) {
                *b = on;
            }
        }
    }
}

/// Specificity of an exact code or name: beats every prefix.
const EXACT: u32 = 100;

/// The codes a selector stands for, with its specificity: `ALL` (0), a code prefix (its length),
/// a code or a rule name (exact). `None` when it matches nothing.
pub fn resolve_selector(selector: &str) -> Option<Vec<(Code, u32)>> {
    let s = selector.trim();
    if s.is_empty() {
        return None;
    }
    if s.eq_ignore_ascii_case("ALL") {
        return Some(RULES.iter().map(|r| (r.code, 0)).collect());
    }
    let exact = Code::lookup_all(s);
    if !exact.is_empty() {
        return Some(exact.into_iter().map(|code| (code, EXACT)).collect());
    }
    let codes: Vec<(Code, u32)> = RULES
        .iter()
        .filter(|r| {
            r.code
                .as_str()
                .get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
        })
        .map(|r| (r.code, s.len() as u32))
        .collect();
    (!codes.is_empty()).then_some(codes)
}

/// What the command line overrides, applied on top of every config.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub selection: Selection,
    pub fail_on: Option<Severity>,
}

/// A config file's settings, resolved with the command-line overrides. One per config file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file, `None` for the defaults.
    pub config_path: Option<PathBuf>,
    /// The folder globs are relative to (the config's folder, else the current folder).
    pub root: PathBuf,
    selected: Vec<bool>,
    pub severity: HashMap<Code, Severity>,
    pub fail_on: Severity,
    per_file_ignores: Vec<(GlobSet, Vec<Code>)>,
    exclude: GlobSet,
    pub max_size: u64,
    extra_types: Vec<(GlobSet, FileType)>,
    pub options: Options,
    pub kubernetes: KubernetesSettings,
    pub nginx: NginxSettings,
    pub jenkinsfile: JenkinsfileSettings,
    pub secrets: SecretsSettings,
}

impl Settings {
    /// The defaults (no config file) with the command-line overrides.
    pub fn defaults(root: PathBuf, overrides: &Overrides) -> Settings {
        let mut selected: Vec<bool> = RULES.iter().map(|r| r.default_on).collect();
        overrides.selection.apply(&mut selected);
        Settings {
            config_path: None,
            root,
            selected,
            severity: HashMap::new(),
            fail_on: overrides.fail_on.unwrap_or(Severity::Warning),
            per_file_ignores: Vec::new(),
            exclude: GlobSet::empty(),
            max_size: DEFAULT_MAX_SIZE,
            extra_types: Vec::new(),
            options: Options::default(),
            kubernetes: KubernetesSettings::default(),
            nginx: NginxSettings::default(),
            jenkinsfile: JenkinsfileSettings::default(),
            secrets: SecretsSettings::default(),
        }
    }

    /// Reads and validates the config file at `path`.
    pub fn load(path: &Path, overrides: &Overrides) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::plain(format!("cannot read config {}: {e}", path.display()))
        })?;
        Settings::parse(path, &text, overrides)
    }

    /// Validates `text`, the content of config file `path`.
    pub fn parse(path: &Path, text: &str, overrides: &Overrides) -> Result<Settings, ConfigError> {
        let raw: RawConfig = toml::from_str(text)
            .map_err(|e| ConfigError::at(path, text, e.span(), toml_message(e.message())))?;
        let err = |span: Range<usize>, msg: String| ConfigError::at(path, text, Some(span), msg);
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        };

        // [lint]
        let selectors = |list: &[Spanned<String>]| -> Result<Vec<(Code, u32)>, ConfigError> {
            let mut out = Vec::new();
            for s in list {
                match resolve_selector(s.get_ref()) {
                    Some(codes) => out.extend(codes),
                    None => {
                        return Err(err(
                            s.span(),
                            format!("unknown rule selector `{}`", s.get_ref()),
                        )
                        .with_help(
                            "use a rule code (DKR013), a code prefix (DKR), a rule name or ALL",
                        ))
                    }
                }
            }
            Ok(out)
        };
        let lint = &raw.lint;
        let select_specific = match &lint.select {
            Some(list) => Some(selectors(list)?),
            None => None,
        };
        let layer = Selection {
            select: select_specific
                .as_ref()
                .map(|v| v.iter().map(|(c, _)| *c).collect()),
            extend_select: selectors(&lint.extend_select)?,
            ignore: selectors(&lint.ignore)?,
            select_specific: select_specific.unwrap_or_default(),
        };
        let mut selected: Vec<bool> = RULES.iter().map(|r| r.default_on).collect();
        layer.apply(&mut selected);
        overrides.selection.apply(&mut selected);

        let parse_severity = |s: &Spanned<String>| -> Result<Severity, ConfigError> {
            Severity::parse(s.get_ref()).ok_or_else(|| {
                err(
                    s.span(),
                    format!(
                        "unknown severity `{}`: expected error, warning or info",
                        s.get_ref()
                    ),
                )
            })
        };
        let config_fail_on = match &lint.fail_on {
            Some(s) => Some(parse_severity(s)?),
            None => None,
        };
        let mut severity = HashMap::new();
        for (key, value) in &lint.severity {
            let sev = parse_severity(value)?;
            let codes = resolve_selector(key).ok_or_else(|| {
                err(
                    value.span(),
                    format!("unknown rule selector `{key}` in [lint.severity]"),
                )
            })?;
            for (code, _) in codes {
                severity.insert(code, sev);
            }
        }
        let mut per_file_ignores = Vec::new();
        for (pattern, codes) in &lint.per_file_ignores {
            let set = glob_set(std::iter::once(pattern.as_str()))
                .map_err(|e| err(codes.span(), format!("invalid glob `{pattern}`: {e}")))?;
            let codes = selectors(codes.get_ref())?
                .into_iter()
                .map(|(c, _)| c)
                .collect();
            per_file_ignores.push((set, codes));
        }

        // [files]
        let files = &raw.files;
        let spanned_globs = |list: &[Spanned<String>]| -> Result<GlobSet, ConfigError> {
            for g in list {
                glob_set(std::iter::once(g.get_ref().as_str()))
                    .map_err(|e| err(g.span(), format!("invalid glob `{}`: {e}", g.get_ref())))?;
            }
            glob_set(list.iter().map(|g| g.get_ref().as_str()))
                .map_err(|e| ConfigError::plain(format!("invalid glob: {e}")))
        };
        let exclude = spanned_globs(&files.exclude)?;
        let max_size = match &files.max_size {
            None => DEFAULT_MAX_SIZE,
            Some(v) => parse_size(v.get_ref()).ok_or_else(|| {
                err(
                    v.span(),
                    "invalid size: expected bytes (1048576) or a string like \"10MiB\", \"500KB\""
                        .into(),
                )
            })?,
        };
        let mut extra_types = Vec::new();
        for (list, ty) in [
            (&files.dockerfile, FileType::Dockerfile),
            (&files.kubernetes, FileType::Kubernetes),
            (&files.nginx, FileType::Nginx),
            (&files.jenkinsfile, FileType::Jenkinsfile),
        ] {
            if !list.is_empty() {
                extra_types.push((spanned_globs(list)?, ty));
            }
        }

        // [dockerfile]
        for g in &raw.dockerfile.non_root_images {
            Glob::new(g.get_ref()).map_err(|e| {
                err(
                    g.span(),
                    format!("invalid image pattern `{}`: {e}", g.get_ref()),
                )
            })?;
        }
        let mut options = Options {
            trusted_registries: raw.dockerfile.trusted_registries.clone(),
            non_root_images: raw
                .dockerfile
                .non_root_images
                .iter()
                .map(|g| g.get_ref().clone())
                .collect(),
            secrets_allow: raw.secrets.allow.clone(),
            ..Options::default()
        };

        // [kubernetes], [nginx], [jenkinsfile], [secrets]
        let version = |v: &Option<Spanned<String>>| -> Result<Option<String>, ConfigError> {
            match v {
                None => Ok(None),
                Some(v) if is_version(v.get_ref()) => Ok(Some(v.get_ref().clone())),
                Some(v) => Err(err(
                    v.span(),
                    format!(
                        "invalid version `{}`: expected MAJOR.MINOR like \"1.30\"",
                        v.get_ref()
                    ),
                )),
            }
        };
        let kubernetes = KubernetesSettings {
            target_version: version(&raw.kubernetes.target_version)?,
        };
        options.kubernetes_target_version = kubernetes.target_version.clone();
        let nginx = NginxSettings {
            version: version(&raw.nginx.version)?,
            prefix: raw.nginx.prefix.clone(),
            extra_directives: raw.nginx.extra_directives.clone(),
        };
        options.nginx_version = nginx.version.clone();
        options.nginx_prefix = nginx.prefix.as_ref().map(|p| root.join(p));
        options.nginx_extra_directives = nginx
            .extra_directives
            .iter()
            .map(|d| (d.name.clone(), d.contexts.clone()))
            .collect();
        let jenkinsfile = JenkinsfileSettings {
            agent_types: raw.jenkinsfile.agent_types.clone(),
            max_script_lines: raw.jenkinsfile.max_script_lines,
        };
        options.jenkinsfile_agent_types = jenkinsfile.agent_types.clone();
        options.jenkinsfile_max_script_lines = jenkinsfile.max_script_lines;
        let secrets = SecretsSettings {
            allow: raw.secrets.allow.clone(),
        };

        Ok(Settings {
            config_path: Some(path.to_path_buf()),
            root,
            selected,
            severity,
            fail_on: overrides
                .fail_on
                .or(config_fail_on)
                .unwrap_or(Severity::Warning),
            per_file_ignores,
            exclude,
            max_size,
            extra_types,
            options,
            kubernetes,
            nginx,
            jenkinsfile,
            secrets,
        })
    }

    pub fn is_selected(&self, code: Code) -> bool {
        self.selected.get(code as usize).copied().unwrap_or(false)
    }

    /// The severity a finding of `code` is reported with.
    pub fn severity_of(&self, code: Code) -> Severity {
        self.severity
            .get(&code)
            .copied()
            .unwrap_or(code.meta().severity)
    }

    fn relative<'a>(&self, path: &'a Path) -> Option<&'a Path> {
        path.strip_prefix(&self.root)
            .ok()
            .or_else(|| path.is_relative().then_some(path))
    }

    /// Whether `path` (absolute) is selected for `code` after `[lint.per-file-ignores]`.
    pub fn is_enabled_for(&self, code: Code, path: Option<&Path>) -> bool {
        if !self.is_selected(code) {
            return false;
        }
        let Some(rel) = path.and_then(|p| self.relative(p)) else {
            return true;
        };
        !self
            .per_file_ignores
            .iter()
            .any(|(set, codes)| codes.contains(&code) && set.is_match(rel))
    }

    /// Whether `[files] exclude` excludes `path` (absolute) or one of its folders.
    pub fn is_excluded(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let Some(rel) = self.relative(path) else {
            return false;
        };
        rel.ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .any(|a| self.exclude.is_match(a))
    }

    /// The file type `[files]` extra globs give `path` (absolute).
    pub fn extra_type(&self, path: &Path) -> Option<FileType> {
        let rel = self.relative(path)?;
        self.extra_types
            .iter()
            .find(|(set, _)| set.is_match(rel))
            .map(|(_, t)| *t)
    }
}

/// A glob set where `*` stays within a folder and a pattern without `/` matches at any depth.
fn glob_set<'a>(patterns: impl Iterator<Item = &'a str>) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let p = p.strip_prefix("./").unwrap_or(p);
        builder.add(GlobBuilder::new(p).literal_separator(true).build()?);
        if !p.contains('/') {
            builder.add(
                GlobBuilder::new(&format!("**/{p}"))
                    .literal_separator(true)
                    .build()?,
            );
        }
    }
    builder.build()
}

/// A single glob matcher with the same conventions, for callers outside this module.
pub fn glob_matcher(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()?
        .compile_matcher())
}

fn is_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `10MiB`, `500KB`, `2 MB`, `1024` (bytes) or an integer.
pub fn parse_size(value: &toml::Value) -> Option<u64> {
    match value {
        toml::Value::Integer(n) => u64::try_from(*n).ok(),
        toml::Value::String(s) => {
            let s = s.trim();
            let digits_end = s
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(s.len());
            let number: f64 = s.get(..digits_end)?.parse().ok()?;
            let unit = s.get(digits_end..)?.trim().to_ascii_lowercase();
            let factor: u64 = match unit.as_str() {
                "" | "b" => 1,
                "kb" | "k" => 1000,
                "kib" => 1024,
                "mb" | "m" => 1000 * 1000,
                "mib" => 1024 * 1024,
                "gb" | "g" => 1000 * 1000 * 1000,
                "gib" => 1024 * 1024 * 1024,
                _ => return None,
            };
            let bytes = number * factor as f64;
            (bytes.is_finite() && bytes >= 0.0).then_some(bytes as u64)
        }
        _ => None,
    }
}

/// Finds and caches the settings for each file: `--config`, `--isolated`, or the nearest config
/// file from the file's folder upward (cached per folder and per config file).
pub struct ConfigResolver {
    overrides: Overrides,
    fixed: Option<Arc<Settings>>,
    cwd: PathBuf,
    by_dir: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    by_config: Mutex<HashMap<PathBuf, Arc<Settings>>>,
    defaults: Arc<Settings>,
}

impl ConfigResolver {
    pub fn new(
        config: Option<&Path>,
        isolated: bool,
        overrides: Overrides,
        cwd: PathBuf,
    ) -> Result<ConfigResolver, ConfigError> {
        let defaults = Arc::new(Settings::defaults(cwd.clone(), &overrides));
        let fixed = match (config, isolated) {
            (_, true) => Some(defaults.clone()),
            (Some(path), false) => {
                let abs = cwd.join(path);
                let mut s = Settings::load(path, &overrides)?;
                s.root = abs
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| cwd.clone());
                Some(Arc::new(s))
            }
            (None, false) => None,
        };
        Ok(ConfigResolver {
            overrides,
            fixed,
            cwd,
            by_dir: Mutex::new(HashMap::new()),
            by_config: Mutex::new(HashMap::new()),
            defaults,
        })
    }

    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// The settings for a file in folder `dir` (absolute).
    pub fn for_dir(&self, dir: &Path) -> Result<Arc<Settings>, ConfigError> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        let found = self.find_config(dir);
        let Some(config_path) = found else {
            return Ok(self.defaults.clone());
        };
        if let Some(s) = lock(&self.by_config).get(&config_path) {
            return Ok(s.clone());
        }
        let settings = Arc::new(Settings::load(&config_path, &self.overrides)?);
        lock(&self.by_config).insert(config_path, settings.clone());
        Ok(settings)
    }

    fn find_config(&self, dir: &Path) -> Option<PathBuf> {
        let mut visited = Vec::new();
        let mut found = None;
        let mut current = Some(dir);
        while let Some(d) = current {
            if let Some(cached) = lock(&self.by_dir).get(d) {
                found = cached.clone();
                break;
            }
            visited.push(d.to_path_buf());
            if let Some(path) = CONFIG_NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()) {
                found = Some(path);
                break;
            }
            current = d.parent();
        }
        let mut cache = lock(&self.by_dir);
        for d in visited {
            cache.insert(d, found.clone());
        }
        found
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What `opslint init` writes.
pub const STARTER_CONFIG: &str = r#"# opslint configuration: https://github.com/opslint/opslint
# This file applies to every file in this folder and below (the nearest lint.toml wins).

[lint]
# select = ["ALL"]            # codes, prefixes (DKR, K8S00), rule names; default: the rules marked "on"
# extend-select = []          # added to the selection
ignore = []                   # removed from the selection
fail-on = "warning"           # lowest severity that makes the exit code 1

[lint.severity]               # change a rule's severity
# DKR006 = "warning"

[lint.per-file-ignores]       # globs relative to this file's folder
# "legacy/**" = ["DKR"]

[files]
exclude = []                  # on top of .gitignore, which is always honoured
max-size = "10MiB"            # larger files are OPS001
# dockerfile = ["docker/*.df"]   # extra globs per file type
# kubernetes = ["deploy/**/*.yml.j2"]

[kubernetes]
# target-version = "1.30"     # the cluster's release: which apiVersions are removed (K8S026) or deprecated (K8S039)

[nginx]
# version = "1.24"            # the nginx release the configs run on: deprecated directives (NGX206), keepalive defaults (NGX201)
# prefix = "deploy/nginx"     # where relative includes start (default: the root config's folder)
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        Settings::parse(Path::new("lint.toml"), text, &Overrides::default())
    }

    #[test]
    fn a_shared_rule_name_selects_every_rule_of_that_name() {
        let codes: Vec<Code> = resolve_selector("syntax-error")
            .unwrap()
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert_eq!(codes, [Code::DKR001, Code::NGX001, Code::JNK001]);
        assert_eq!(
            resolve_selector("NGX001"),
            Some(vec![(Code::NGX001, EXACT)])
        );
    }

    #[test]
    fn nginx_options_reach_the_engine() {
        let s = parse(
            "[nginx]\nversion = \"1.26\"\nprefix = \"deploy/nginx\"\nextra-directives = [{ name = \"more_set_headers\", contexts = [\"server\", \"location\"] }]\n",
        )
        .unwrap();
        assert_eq!(s.options.nginx_version.as_deref(), Some("1.26"));
        assert!(s
            .options
            .nginx_prefix
            .as_deref()
            .is_some_and(|p| p.ends_with("deploy/nginx")));
        assert_eq!(
            s.options.nginx_extra_directives,
            [(
                "more_set_headers".to_string(),
                vec!["server".to_string(), "location".to_string()]
            )]
        );
    }

    #[test]
    fn unknown_key_points_at_the_line() {
        let e = parse("[lint]\nselect = [\"DKR\"]\nbogus = 1\n").unwrap_err();
        assert!(e.to_string().contains("lint.toml:3:1"), "{e}");
        assert!(e.to_string().contains("bogus"), "{e}");
    }

    #[test]
    fn unknown_code_points_at_the_string() {
        let e = parse("[lint]\nignore = [\"DKR003\", \"XYZ123\"]\n").unwrap_err();
        assert!(e.to_string().contains("lint.toml:2:21"), "{e}");
        assert!(e.to_string().contains("XYZ123"), "{e}");
    }

    #[test]
    fn wrong_type() {
        let e = parse("lint = 3\n").unwrap_err();
        assert!(e.to_string().ends_with("expected a table"), "{e}");
        let e = parse("[jenkinsfile]\nmax-script-lines = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("lint.toml:2:"), "{e}");
        let e = parse("[files]\nmax-size = \"10 furlongs\"\n").unwrap_err();
        assert!(e.to_string().contains("lint.toml:2:12"), "{e}");
    }

    #[test]
    fn selection_like_ruff() {
        let s = parse("[lint]\nselect = [\"DKR\"]\nignore = [\"DKR003\"]\n").unwrap();
        assert!(s.is_selected(Code::DKR002));
        assert!(!s.is_selected(Code::DKR003));
        assert!(!s.is_selected(Code::OPS001));
        assert!(
            s.is_selected(Code::DKR017),
            "select DKR turns on default-off rules"
        );
        let s = parse("[lint]\nignore = [\"DKR\"]\nextend-select = [\"latest-tag\"]\n").unwrap();
        assert!(s.is_selected(Code::DKR003), "more specific wins");
        assert!(!s.is_selected(Code::DKR002));
        let s = parse("").unwrap();
        assert!(!s.is_selected(Code::DKR017));
        assert!(s.is_selected(Code::OPS001));
        assert!(
            parse("[lint]\nselect = [\"DKR9\"]\n").is_err(),
            "prefix matching nothing"
        );

        let cli = Overrides {
            selection: Selection::from_selectors(Some(&["DKR003".to_string()]), &[], &[]).unwrap(),
            fail_on: None,
        };
        let s = Settings::parse(
            Path::new("lint.toml"),
            "[lint]\nignore = [\"DKR003\"]\n",
            &cli,
        )
        .unwrap();
        assert!(
            s.is_selected(Code::DKR003),
            "CLI --select replaces the config"
        );
        assert!(!s.is_selected(Code::DKR002));
    }

    #[test]
    fn sizes() {
        let v = |s: &str| parse_size(&toml::Value::String(s.into()));
        assert_eq!(v("10MiB"), Some(10 * 1024 * 1024));
        assert_eq!(v("500KB"), Some(500_000));
        assert_eq!(v("12"), Some(12));
        assert_eq!(parse_size(&toml::Value::Integer(7)), Some(7));
        assert_eq!(v("lots"), None);
    }

    #[test]
    fn severity_and_per_file_ignores() {
        let s = parse(
            "[lint.severity]\nDKR006 = \"error\"\n[lint.per-file-ignores]\n\"legacy/**\" = [\"DKR\"]\n",
        )
        .unwrap();
        assert_eq!(s.severity_of(Code::DKR006), Severity::Error);
        assert!(!s.is_enabled_for(Code::DKR002, Some(Path::new("legacy/a/Dockerfile"))));
        assert!(s.is_enabled_for(Code::DKR002, Some(Path::new("app/Dockerfile"))));
    }

    #[test]
    fn the_repos_own_lint_toml_is_valid() {
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/lint.toml"));
        Settings::load(path, &Overrides::default()).unwrap();
        parse(STARTER_CONFIG).unwrap();
    }
}
