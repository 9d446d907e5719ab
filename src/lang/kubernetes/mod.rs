//! The Kubernetes engine: spanned YAML (`yaml`), the manifest model (`model`), the secrets
//! feed (`secrets`) and the rules (`rules`).
//!
//! A Helm or Go template is not linted by the rules (only the raw-text secret scan and the
//! comments): a file under a `templates/` folder beside a `Chart.yaml`, or one with `{{`
//! outside quoted strings, block scalars and comments.

mod embedded;
pub mod model;
pub mod rules;
mod secrets;
pub mod yaml;

use super::{Comment, LintContext, LintOutput, RunCache};
use crate::diagnostic::{Findings, Span};
use crate::registry::Code;
use crate::source::SourceFile;
use std::path::{Path, PathBuf};
use yaml::{ErrorKind, Stream};

/// What a rule sees: the parsed stream, its manifests, the text and the run's options.
pub struct Ctx<'a> {
    pub stream: &'a Stream,
    pub model: &'a model::Model<'a>,
    pub source: &'a SourceFile,
    pub lint: &'a LintContext,
    /// What the `kustomization.yaml` files beside it or above it say about the file.
    pub kustomized: Kustomized,
}

impl Ctx<'_> {
    /// Whether `obj` is partial: in a file a kustomization lists as a patch, or a workload
    /// template in which no container has an `image` (a strategic-merge patch or a test
    /// fragment, never applied as is). Only rules about values present apply to it.
    pub fn partial(&self, obj: &model::Object<'_>) -> bool {
        self.kustomized.patch_file || obj.is_fragment()
    }
}

/// What the kustomization of one folder says, read once per run for all files below it.
#[derive(Debug, Default)]
struct FolderKustomization {
    /// Whether the folder holds a kustomization file.
    present: bool,
    /// Whether it sets `namespace` (for every file it lists).
    sets_namespace: bool,
    /// The files it lists as patches (`patches` `path`, `patchesStrategicMerge`,
    /// `patchesJson6902` `path`), canonical.
    patches: Vec<PathBuf>,
    /// The image names its `images` pin with a `newTag` (other than `latest`) or a `digest`.
    pinned_images: Vec<String>,
}

fn read_folder_kustomization(dir: &Path) -> FolderKustomization {
    let mut found = FolderKustomization::default();
    for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
        let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
            continue;
        };
        found.present = true;
        let stream = yaml::parse(&text);
        found.sets_namespace |= stream.documents.iter().any(|d| {
            d.root
                .get("namespace")
                .and_then(yaml::Node::as_str)
                .is_some_and(|n| !n.is_empty())
        });
        for key in ["patches", "patchesStrategicMerge", "patchesJson6902"] {
            for item in kustomization_list(&stream, key) {
                let listed = item
                    .as_str()
                    .or_else(|| item.get("path").and_then(|p| p.as_str()));
                if let Some(path) = listed.and_then(|p| dir.join(p).canonicalize().ok()) {
                    found.patches.push(path);
                }
            }
        }
        for item in kustomization_list(&stream, "images") {
            let tag = item.get("newTag").and_then(|t| t.as_str()).map(str::trim);
            let pinned = item
                .get("digest")
                .and_then(|d| d.as_str())
                .is_some_and(|d| !d.trim().is_empty())
                || tag.is_some_and(|t| !t.is_empty() && t != "latest");
            if let Some(name) = item.get("name").and_then(|n| n.as_str()).filter(|_| pinned) {
                found.pinned_images.push(name.trim().to_string());
            }
        }
    }
    found
}

/// The entries of the sequence `key` of each kustomization document.
fn kustomization_list<'s>(stream: &'s Stream, key: &str) -> impl Iterator<Item = &'s yaml::Node> {
    let key = key.to_string();
    stream.documents.iter().flat_map(move |doc| {
        doc.root
            .get(&key)
            .filter(|l| l.is_sequence())
            .map_or(&[][..], |l| l.items())
    })
}

/// What the kustomizations beside a file say about it.
#[derive(Debug, Default)]
pub struct Kustomized {
    /// The file's folder or its parent holds a kustomization: the file may be a base whose
    /// selector `commonLabels` fills in, or a patch.
    pub near: bool,
    /// A kustomization of its folder or the two above lists it as a patch.
    pub patch_file: bool,
    /// The kustomization of its own folder sets `namespace` (it applies to every file).
    pub sets_namespace: bool,
    /// The image names those kustomizations pin with a `newTag` (other than `latest`) or a
    /// `digest`.
    pub pinned_images: Vec<String>,
}

/// Every file the run's kustomizations list as a patch, wherever the kustomization is
/// (`patches: - path: ../../patches/replicas.yaml` from an overlay).
#[derive(Debug, Default)]
struct RunPatches(std::collections::HashSet<PathBuf>);

/// Reads the kustomizations of a run (`folders` hold one) into the run's cache, before any file
/// is linted, so that a patch is known as one from whichever folder lists it.
pub fn read_run_kustomizations<'p>(folders: impl Iterator<Item = &'p Path>, cache: &RunCache) {
    let mut patches = RunPatches::default();
    for folder in folders {
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        let Ok(folder) = folder.canonicalize() else {
            continue;
        };
        let k = cache.get_or_insert(&folder, || read_folder_kustomization(&folder));
        patches.0.extend(k.patches.iter().cloned());
    }
    cache.get_or_insert(Path::new(""), || patches);
}

/// Reads the kustomizations of the file's folder and the two above, through the run's cache.
pub fn kustomized(path: &Path, cache: &RunCache) -> Kustomized {
    let mut found = Kustomized::default();
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return found;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let canonical = cache.get_or_insert(dir, || dir.canonicalize().ok());
    let Some(dir) = canonical.as_deref() else {
        return found;
    };
    let file = dir.join(name);
    for (depth, folder) in dir.ancestors().take(3).enumerate() {
        let k = cache.get_or_insert(folder, || read_folder_kustomization(folder));
        found.near |= k.present && depth < 2;
        found.sets_namespace |= k.sets_namespace && depth == 0;
        found.patch_file |= k.patches.contains(&file);
        found.pinned_images.extend(k.pinned_images.iter().cloned());
    }
    // Empty unless the run registered its kustomizations (not for one text from an editor).
    let listed = cache.get_or_insert(Path::new(""), RunPatches::default);
    found.patch_file |= listed.0.contains(&file);
    found
}

pub use rules::cross_object::{Facts, Set};

/// Lints one text on its own: the cross-object rules compare its objects with each other.
pub fn lint(source: &SourceFile, ctx: &LintContext) -> LintOutput {
    let (mut out, facts) = prelint(source, ctx);
    cross_check(&mut out, Some(&facts), None);
    out
}

/// Parses the text once and runs every rule that needs only this text; returns the findings
/// and the facts the cross-object rules need (none for a template).
pub fn prelint(source: &SourceFile, ctx: &LintContext) -> (LintOutput, Facts) {
    // Comments matter only for suppressions and for telling a template's `{{` in a comment.
    let text = &source.text;
    let stream = yaml::parse_with(text, text.contains("opslint:") || text.contains("{{"));
    let detector = crate::secrets::Detector::new(ctx.options.secrets_allow.clone());
    let mut found = detector.scan_text(&source.text);
    let mut out = Findings::new();
    let mut comments = suppression_comments(&stream, source);
    let mut facts = Facts::default();
    let mut embedded_texts = Vec::new();
    if !is_template(&stream, &source.text, ctx.disk_path.as_deref()) {
        report_errors(&stream, &mut out);
        let model = model::Model::build(&stream);
        comments.extend(annotation_suppressions(&model, source));
        found.extend(secrets::structural(&model, &source.text, &detector));
        let cx = Ctx {
            stream: &stream,
            model: &model,
            source,
            lint: ctx,
            kustomized: ctx
                .disk_path
                .as_deref()
                .map(|p| kustomized(p, &ctx.cache))
                .unwrap_or_default(),
        };
        rules::run(&cx, &mut out);
        facts = rules::cross_object::facts(&model, source);
        embedded_texts = embedded::embedded(&model, text);
    }
    let found = crate::secrets::dedup(found);
    let mut diagnostics = out.into_vec();
    diagnostics.extend(found.iter().map(|s| s.to_diagnostic()));
    let out = LintOutput {
        diagnostics,
        comments,
        secrets: found.into_iter().map(|s| s.span).collect(),
        embedded: embedded_texts,
    };
    (out, facts)
}

/// The facts of a text for the cross-object rules, and nothing else (what [`prelint`] gives,
/// without the rules): for the files a large run cannot keep linted in memory.
pub fn facts_only(source: &SourceFile, ctx: &LintContext) -> Facts {
    let text = &source.text;
    let stream = yaml::parse_with(text, text.contains("{{"));
    if is_template(&stream, text, ctx.disk_path.as_deref()) {
        return Facts::default();
    }
    rules::cross_object::facts(&model::Model::build(&stream), source)
}

/// Adds the cross-object findings of one text: its objects against every file of `set`
/// (`None`: the text alone). `own` replaces the set's entry for the text (after a fix, the
/// findings must point into the fixed text); without it the set's entry is the text's.
pub fn cross_check(out: &mut LintOutput, own: Option<&Facts>, set: Option<&Set>) {
    let mut found = Findings::new();
    match (set, own) {
        (Some(set), own) => set.check(own, &mut found),
        (None, Some(own)) => rules::cross_object::check(&[own], 0, &mut found),
        (None, None) => {}
    }
    out.diagnostics.extend(found.into_vec());
}

/// How many problems the YAML has (syntax errors, duplicate keys); `--fix` refuses a
/// result with more than the original.
pub fn syntax_error_count(text: &str) -> usize {
    yaml::parse(text).errors.len()
}

/// K8S001 for every problem of the stream.
fn report_errors(stream: &Stream, out: &mut Findings) {
    for e in &stream.errors {
        let d = out.report(Code::K8S001, e.span.clone());
        match &e.kind {
            ErrorKind::Syntax => {
                d.message(format!("invalid YAML: {}", e.message)).help(
                    "fix the syntax; this document is skipped, the other documents are still linted",
                );
            }
            ErrorKind::DuplicateKey { first } => {
                d.message(e.message.clone())
                    .help("remove one of the two keys: Kubernetes keeps only the last")
                    .label(first.clone(), "first written here");
            }
            ErrorKind::AliasBudget => {
                d.message(e.message.clone())
                    .help("write the content out, or use fewer nested aliases");
            }
        }
    }
}

/// Whether the file is a Helm or Go template: under a `templates/` folder whose parent holds
/// a `Chart.yaml`, or with `{{` outside quoted strings, block scalars and comments (Argo
/// Workflows and PrometheusRules keep `{{…}}` in strings and are linted).
pub fn is_template(stream: &Stream, text: &str, path: Option<&Path>) -> bool {
    if path.is_some_and(in_chart_templates) {
        return true;
    }
    if !text.contains("{{") {
        return false;
    }
    let mut allowed: Vec<Span> = stream.comments.iter().map(|c| c.span.clone()).collect();
    for doc in &stream.documents {
        collect_string_spans(&doc.root, &mut allowed);
    }
    allowed.sort_by_key(|s| s.start);
    let inside = |at: u32| {
        let i = allowed.partition_point(|s| s.start <= at);
        // Spans do not overlap (except a copy from an alias, which is the anchor's own).
        allowed[..i].iter().rev().take(4).any(|s| at < s.end)
    };
    text.match_indices("{{").any(|(at, _)| !inside(at as u32))
}

/// Why the rules skip this text, for `--show-files -v`: `None` when they read it.
pub fn skipped_because(text: &str, path: &Path) -> Option<&'static str> {
    if in_chart_templates(path) {
        return Some("Helm chart template");
    }
    is_template(&yaml::parse(text), text, None).then_some("Go template")
}

fn in_chart_templates(path: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .filter(|dir| dir.file_name().is_some_and(|n| n == "templates"))
        .any(|dir| dir.parent().is_some_and(|p| p.join("Chart.yaml").is_file()))
}

/// The spans of quoted and block scalars (keys included), iteratively.
fn collect_string_spans(root: &yaml::Node, out: &mut Vec<Span>) {
    let mut todo = vec![root];
    while let Some(n) = todo.pop() {
        match &n.kind {
            yaml::Kind::Scalar(s) if s.style != yaml::ScalarStyle::Plain => {
                out.push(n.span.clone());
            }
            yaml::Kind::Mapping(entries) => {
                for e in entries {
                    todo.push(&e.key);
                    todo.push(&e.value);
                }
            }
            yaml::Kind::Sequence(items) => todo.extend(items.iter()),
            _ => {}
        }
    }
}

/// The comments that hold an `opslint:` directive: at the end of a line they cover that
/// line; alone on a line, the next line that is not blank or a comment.
fn suppression_comments(stream: &Stream, source: &SourceFile) -> Vec<Comment> {
    let mut out = Vec::new();
    for c in &stream.comments {
        if !source.slice(&c.body).contains("opslint:") {
            continue;
        }
        let line_index = source.line_index(c.span.start);
        let line = source.line_span(line_index);
        let own_line = source.slice(&(line.start..c.span.start)).trim().is_empty();
        let covers = if own_line {
            next_statement(source, line_index).unwrap_or(line)
        } else {
            line
        };
        out.push(Comment {
            span: c.span.clone(),
            body: c.body.clone(),
            covers,
            own_line,
        });
    }
    out
}

/// Each object's `opslint.io/ignore` annotation as a comment covering the object (the
/// suppression step reads `opslint.io/ignore: "…"` from its text).
fn annotation_suppressions(model: &model::Model<'_>, source: &SourceFile) -> Vec<Comment> {
    let mut out = Vec::new();
    for ignore in model.objects.iter().filter_map(|o| o.ignore.as_ref()) {
        let first = source.line_index(ignore.span.start);
        let last = source.line_index(ignore.span.end);
        let before = source.slice(&(source.line_start(first)..ignore.span.start));
        let after_line = source.line_span(last);
        let after = source.slice(&(ignore.span.end..after_line.end.max(ignore.span.end)));
        let own_line = before.trim().is_empty()
            && (after.trim().is_empty() || after.trim_start().starts_with('#'));
        out.push(Comment {
            span: ignore.span.clone(),
            body: ignore.span.clone(),
            covers: ignore.covers.clone(),
            own_line,
        });
    }
    // The peers' annotations (kube-linter, kube-score, Polaris, checkov) cover their object too.
    for object in &model.objects {
        let Some(annotations) = object.annotations else {
            continue;
        };
        for entry in annotations.entries() {
            let span = entry.key.span.start..entry.value.span.end.max(entry.key.span.end);
            if crate::suppress::peer_annotation_codes(source.slice(&span)).is_some() {
                out.push(Comment {
                    span: span.clone(),
                    body: span,
                    covers: object.span(),
                    own_line: true,
                });
            }
        }
    }
    out
}

fn next_statement(source: &SourceFile, after: usize) -> Option<Span> {
    (after + 1..source.line_count())
        .map(|i| source.line_span(i))
        .find(|l| {
            let t = source.slice(l).trim();
            !t.is_empty() && !t.starts_with('#')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint_text(text: &str) -> (SourceFile, LintOutput) {
        let source = SourceFile::new("manifest.yaml", text);
        let mut out = lint(&source, &LintContext::default());
        // What a default run shows: off-by-default rules are dropped by the selection.
        out.diagnostics.retain(|d| d.code.meta().default_on);
        (source, out)
    }

    fn codes(out: &LintOutput) -> Vec<Code> {
        out.diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn peer_annotations_suppress_their_object() {
        let manifest = |annotation: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    {annotation}\nspec:\n  containers:\n  - name: app\n    image: nginx:latest\n"
            )
        };
        let has_latest = |text: &str| {
            let source = SourceFile::new("pod.yaml", text);
            let out = lint(&source, &LintContext::default());
            let diags = crate::suppress::apply(&source, &out.comments, out.diagnostics, &|_| true);
            diags.iter().any(|d| d.code == Code::K8S012)
        };
        assert!(has_latest(&manifest("team: web")));
        assert!(!has_latest(&manifest(
            "ignore-check.kube-linter.io/latest-tag: \"pinned by CD\""
        )));
        assert!(!has_latest(&manifest(
            "checkov.io/skip1: CKV_K8S_14=pinned by CD"
        )));
        assert!(!has_latest(&manifest(
            "polaris.fairwinds.com/tagNotSpecified-exempt: \"true\""
        )));
        assert!(!has_latest(&manifest(
            "kube-linter.io/ignore-all: \"legacy\""
        )));
        // Not an exemption, and other checks' annotations do not hide this one.
        assert!(has_latest(&manifest(
            "polaris.fairwinds.com/tagNotSpecified-exempt: \"false\""
        )));
        assert!(has_latest(&manifest(
            "ignore-check.kube-linter.io/privileged-container: x"
        )));
    }

    #[test]
    fn syntax_errors_and_duplicate_keys_are_k8s001() {
        let text = "apiVersion: v1\nkind: Pod\nkind: Pod\n---\nbad: [1\n---\napiVersion: v1\nkind: Service\n";
        let (source, out) = lint_text(text);
        assert_eq!(codes(&out), vec![Code::K8S001, Code::K8S001]);
        let dup = &out.diagnostics[0];
        assert_eq!(source.line_col(dup.span.start).line, 3);
        assert_eq!(dup.labels.len(), 1);
        assert!(out.diagnostics[1].message.starts_with("invalid YAML"));
    }

    #[test]
    fn templates_are_skipped() {
        let helm = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\nbad: [\n";
        let (_, out) = lint_text(helm);
        assert!(codes(&out).is_empty());
        let argo = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  args: [\"{{inputs.parameters.x}}\"]\n  script: |\n    echo {{x}}\n  # {{ comment }}\nkind: dup\n";
        let (_, out) = lint_text(argo);
        assert_eq!(codes(&out), vec![Code::K8S001]);
    }

    #[test]
    fn template_detection() {
        let is = |text: &str| is_template(&yaml::parse(text), text, None);
        // PrometheusRule: expressions in quoted strings and block scalars are linted.
        assert!(!is("kind: PrometheusRule\nspec:\n  groups:\n  - rules:\n    - annotations:\n        summary: '{{ $labels.instance }} down'\n        description: >\n          {{ $value }} for 5m\n"));
        // `{{` in a plain scalar, at the start of a value, or breaking the YAML: a template.
        assert!(is(
            "kind: Pod\nmetadata:\n  name: web-{{ .Release.Name }}\n"
        ));
        assert!(is(
            "kind: Pod\nspec:\n{{- if .Values.x }}\n  a: b\n{{- end }}\n"
        ));
        assert!(is(
            "apiVersion: v1\nkind: Pod\nmetadata: {{ toYaml .Values.meta }}\n"
        ));
        assert!(!is("apiVersion: v1\nkind: Pod\n"));
    }

    #[test]
    fn chart_templates_folder_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Chart.yaml"), "name: x\n").unwrap();
        std::fs::create_dir_all(dir.path().join("templates/sub")).unwrap();
        let path = dir.path().join("templates/sub/pod.yaml");
        assert!(in_chart_templates(&path));
        assert!(!in_chart_templates(&dir.path().join("pod.yaml")));
    }

    #[test]
    fn suppression_comments_cover_their_line_or_the_next() {
        let text = "apiVersion: v1 # opslint: ignore[K8S001]\n# opslint: ignore[K8S003]\n\n# other\nkind: Pod\n# plain comment\n";
        let (source, out) = lint_text(text);
        assert_eq!(out.comments.len(), 2);
        assert_eq!(
            source.slice(&out.comments[0].covers),
            "apiVersion: v1 # opslint: ignore[K8S001]"
        );
        assert!(!out.comments[0].own_line);
        assert_eq!(source.slice(&out.comments[1].covers), "kind: Pod");
        assert!(out.comments[1].own_line);
    }

    #[test]
    fn object_annotation_suppresses_in_the_object_only() {
        let token = format!("ghp_{}", "R7tK2mX9qL4vN8wZ3cB6yD1fH5jP0sA2uE4g");
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    opslint.io/ignore: \"known-token, K8S001,NOPE\"\ndata:\n  t: {token}\n  t: x\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  t: {token}\n"
        );
        let (source, out) = lint_text(&text);
        let kept = crate::suppress::apply(&source, &out.comments, out.diagnostics, &|_| true);
        let found: Vec<(Code, u32)> = kept
            .iter()
            .map(|d| (d.code, source.line_col(d.span.start).line))
            .collect();
        // SEC002 and K8S001 suppressed in the first object, NOPE is unknown (OPS003), the
        // second object's token stays.
        assert_eq!(found, vec![(Code::SEC002, 13), (Code::OPS003, 5)]);
        let unused =
            "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    opslint.io/ignore: K8S001\n";
        let (source, out) = lint_text(unused);
        let kept = crate::suppress::apply(&source, &out.comments, out.diagnostics, &|_| true);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].code, Code::OPS002);
        let fix = kept[0].fix.as_ref().unwrap();
        assert_eq!(
            source.slice(&fix.edits[0].span),
            "    opslint.io/ignore: K8S001\n"
        );
    }

    #[test]
    fn suppressing_a_duplicate_key() {
        let text = "apiVersion: v1\nkind: Pod\n# opslint: ignore[K8S001] generated\nkind: Pod\n";
        let (source, out) = lint_text(text);
        let kept = crate::suppress::apply(&source, &out.comments, out.diagnostics, &|_| true);
        assert!(kept.is_empty(), "{kept:?}");
    }
}
