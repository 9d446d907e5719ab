//! The pod YAML of a Kubernetes agent (`agent { kubernetes { yaml '''…''' } }`, scripted
//! `podTemplate(yaml: '''…''')`), reported as an embedded Kubernetes text so the Kubernetes
//! rules lint it and their findings land in the Jenkinsfile. Only literal strings are
//! embedded: an interpolated `"""…"""` has a value known at run time only. `yamlFile 'x'`
//! names a file of the repository, linted on its own. What the plugin fills in is added to
//! the text, so the Kubernetes rules see the pod the plugin runs: the `apiVersion: v1`/`kind:
//! Pod` a template may leave out (findings on them point at the start of the string), the
//! `jnlp` container's image, and `restartPolicy: Never` (an agent pod runs once, so the
//! probe rules K8S007/K8S008 do not apply).

use super::parse::{for_each_call, Expr, File};
use crate::diagnostic::Span;
use crate::lang::embed::{Embedded, SpanMap};
use crate::lang::FileType;

/// The embedded pod YAML texts, each with the span of the string content holding it.
pub fn embedded(file: &File, text: &str) -> Vec<(Embedded, Span)> {
    let mut out = Vec::new();
    for_each_call(&file.stmts, &mut |c, stack| {
        if c.target.is_some() {
            return;
        }
        let value: Option<&Expr> = match c.name.as_str() {
            "yaml" if stack.last().is_some_and(|p| p.name == "kubernetes") => {
                c.positional().next().map(|a| &a.value)
            }
            "kubernetes" | "podTemplate" => c.named("yaml").map(|a| &a.value),
            _ => None,
        };
        let Some(lit) = value.and_then(|v| v.string(&file.lexed)) else {
            return;
        };
        if lit.is_interpolated() || !lit.terminated {
            return;
        }
        let (decoded, pieces) = lit.decode_with_map(text);
        if decoded.trim().is_empty() {
            return;
        }
        let (mut decoded, mut pieces) = (decoded, pieces);
        // The plugin fills in the `jnlp` container's image and `restartPolicy: Never` (an
        // agent pod runs once), and reads the text as a Pod: the Kubernetes engine needs to
        // be told.
        for at in jnlp_without_image(&decoded).into_iter().rev() {
            insert(&mut decoded, &mut pieces, at.0, &at.1);
        }
        if let Some((at, line)) = restart_policy(&decoded) {
            insert(&mut decoded, &mut pieces, at, &line);
        }
        let header = pod_header(&decoded);
        insert(&mut decoded, &mut pieces, 0, &header);
        let mut map = SpanMap::new();
        for (inner, outer, len) in pieces {
            map.push(inner, outer, len);
        }
        out.push((
            Embedded {
                file_type: FileType::Kubernetes,
                text: decoded,
                map,
            },
            lit.content.clone(),
        ));
    });
    out
}

/// Inserts `s` at `at` of the decoded text, shifting (and splitting) the pieces after it.
fn insert(text: &mut String, pieces: &mut Vec<(u32, u32, u32)>, at: usize, s: &str) {
    if s.is_empty() || !text.is_char_boundary(at) {
        return;
    }
    text.insert_str(at, s);
    let (at, n) = (at as u32, s.len() as u32);
    let mut out = Vec::with_capacity(pieces.len() + 1);
    for &(inner, outer, len) in pieces.iter() {
        if inner >= at {
            out.push((inner + n, outer, len));
        } else if inner + len > at {
            let head = at - inner;
            out.push((inner, outer, head));
            out.push((at + n, outer + head, len - head));
        } else {
            out.push((inner, outer, len));
        }
    }
    *pieces = out;
}

/// Where to add an `image:` line to each `- name: jnlp` container that has none (the plugin
/// gives it the agent image): the offset after its line, and the line.
fn jnlp_without_image(yaml: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let lines: Vec<(usize, &str)> = yaml
        .split_inclusive('\n')
        .scan(0usize, |pos, l| {
            let at = *pos;
            *pos += l.len();
            Some((at, l))
        })
        .collect();
    for (i, &(at, line)) in lines.iter().enumerate() {
        let body = line.trim_start_matches(' ');
        let dash = line.len() - body.len();
        let Some(rest) = body.strip_prefix("- name:") else {
            continue;
        };
        if !matches!(rest.trim().trim_matches(|c| c == '"' || c == '\''), "jnlp") {
            continue;
        }
        let key_indent = dash + 2;
        let mut has_image = false;
        for &(_, next) in lines.iter().skip(i + 1) {
            let b = next.trim_start_matches(' ');
            if b.trim().is_empty() || b.starts_with('#') {
                continue;
            }
            let depth = next.len() - b.len();
            if depth < key_indent {
                break;
            }
            if depth == key_indent && b.starts_with("image:") {
                has_image = true;
                break;
            }
        }
        if !has_image && line.ends_with('\n') {
            out.push((
                at + line.len(),
                format!(
                    "{}image: jenkins/inbound-agent:default\n",
                    " ".repeat(key_indent)
                ),
            ));
        }
    }
    out
}

/// Where to add `restartPolicy: Never` to the top-level `spec` when it has none (the plugin's
/// default for agent pods), and the line: after `spec:`, indented as its first key.
fn restart_policy(yaml: &str) -> Option<(usize, String)> {
    let mut root = None;
    let mut lines = yaml.split_inclusive('\n').scan(0usize, |pos, l| {
        let at = *pos;
        *pos += l.len();
        Some((at, l))
    });
    let mut spec_end = None;
    for (at, line) in lines.by_ref() {
        let body = line.trim_start_matches(' ');
        if body.trim().is_empty() || body.starts_with('#') {
            continue;
        }
        let depth = line.len() - body.len();
        let top = *root.get_or_insert(depth);
        if depth == top && body.trim_end() == "spec:" && line.ends_with('\n') {
            spec_end = Some(at + line.len());
            break;
        }
    }
    let (spec_end, top) = (spec_end?, root?);
    let mut key_indent = None;
    for (_, line) in lines {
        let body = line.trim_start_matches(' ');
        if body.trim().is_empty() || body.starts_with('#') {
            continue;
        }
        let depth = line.len() - body.len();
        if depth <= top {
            break;
        }
        let indent = *key_indent.get_or_insert(depth);
        if depth == indent && body.starts_with("restartPolicy:") {
            return None;
        }
    }
    let indent = key_indent?;
    Some((
        spec_end,
        format!("{}restartPolicy: Never\n", " ".repeat(indent)),
    ))
}

/// The `apiVersion: v1` and `kind: Pod` lines a pod template may leave out (the plugin
/// assumes them), indented as the text's top-level keys. Empty when both are there, or when
/// the text holds several documents.
fn pod_header(yaml: &str) -> String {
    let mut indent = None;
    let (mut api, mut kind) = (false, false);
    for line in yaml.lines() {
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if body.starts_with("---") || body.starts_with("...") {
            return String::new();
        }
        let depth = line.len() - body.len();
        let top = *indent.get_or_insert(depth);
        if depth == top {
            api |= body.starts_with("apiVersion:");
            kind |= body.starts_with("kind:");
        }
    }
    let Some(top) = indent else {
        return String::new();
    };
    let pad = " ".repeat(top);
    let mut out = String::new();
    if !api {
        out.push_str(&format!("{pad}apiVersion: v1\n"));
    }
    if !kind {
        out.push_str(&format!("{pad}kind: Pod\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::jenkinsfile::parse::parse;
    use crate::lang::{lint, LintContext};
    use crate::registry::Code;
    use crate::source::SourceFile;

    #[test]
    fn findings_in_pod_yaml_with_multibyte_characters_stay_on_character_boundaries() {
        // Found by the jenkinsfile fuzzer: `�` (three bytes) right after the opening quotes.
        let text = "podTemplate(yaml:\'\'\'\u{FFFD}spec:\n ) contain\u{FFFD}rs:\n  - name: stress-ng\n    image: polinux/stress-ng\n    command: ['sh', '-c', \"sleep 29; stress-ng --vm 2 --timeout 30s -v\"]\n    tty: true\n    secu: \"256Mi\"\n\'\'\') {\n  node (POD_LABEL) {\n    sh 'sleep 120'\n  }\n}\n";
        let (_, out) = lint_whole(text);
        for d in &out.diagnostics {
            let (start, end) = (d.span.start as usize, d.span.end as usize);
            assert!(start <= end && end <= text.len(), "{d:?}");
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{d:?}"
            );
        }
    }

    /// A Jenkinsfile linted whole (embedded pod YAML included).
    fn lint_whole(text: &str) -> (SourceFile, crate::lang::LintOutput) {
        let source = SourceFile::new("Jenkinsfile", text);
        let out = lint(
            crate::lang::FileType::Jenkinsfile,
            &source,
            &LintContext::default(),
        );
        (source, out)
    }

    /// (line, column) of the `code` findings of a Jenkinsfile linted whole.
    fn positions(code: Code, text: &str) -> Vec<(u32, u32)> {
        let (source, out) = lint_whole(text);
        crate::lang::positions_of(&source, &out.diagnostics, code)
    }

    const POD: &str = r#"pipeline {
  agent {
    kubernetes {
      yaml '''\
apiVersion: v1
kind: Pod
spec:
  containers:
  - name: maven
    image: maven:3.9.6-eclipse-temurin-17
    command: ['sleep']
    args: ['infinity']
    env:
    - name: NOTE
      value: it\'s a \\ fine path
'''
    }
  }
  stages {
    stage('a') { steps { container('maven') { sh 'mvn -B package' } } }
  }
}
"#;

    #[test]
    fn pod_yaml_is_decoded_and_mapped() {
        let file = parse(POD);
        let e: Vec<Embedded> = embedded(&file, POD).into_iter().map(|e| e.0).collect();
        assert_eq!(e.len(), 1);
        assert!(
            e[0].text.starts_with("apiVersion: v1\nkind: Pod\n"),
            "{:?}",
            e[0].text
        );
        assert!(
            e[0].text.contains("value: it's a \\ fine path"),
            "{:?}",
            e[0].text
        );
        let at = e[0].text.find("name: maven").unwrap() as u32;
        let outer = e[0].map.offset(at) as usize;
        assert_eq!(&POD[outer..outer + 11], "name: maven");
        let after = e[0].text.find(" fine").unwrap() as u32;
        let outer = e[0].map.offset(after) as usize;
        assert_eq!(&POD[outer..outer + 5], " fine");
    }

    #[test]
    fn kubernetes_findings_land_in_the_jenkinsfile() {
        // The container has no memory limit: K8S004 points at its name, `maven` (line 9, column 11).
        assert_eq!(positions(Code::K8S004, POD), vec![(9, 11)]);
    }

    #[test]
    fn the_pod_header_is_added_when_left_out() {
        assert_eq!(pod_header("apiVersion: v1\nkind: Pod\nspec: {}\n"), "");
        assert_eq!(pod_header("kind: Pod\nspec: {}\n"), "apiVersion: v1\n");
        assert_eq!(
            pod_header("\n    # c\n    spec:\n      kind: x\n"),
            "    apiVersion: v1\n    kind: Pod\n"
        );
        assert_eq!(pod_header("a: 1\n---\nb: 2\n"), "");
        // An indented pod without apiVersion: findings still land on the Jenkinsfile.
        let text = "podTemplate(yaml: \"\"\"\n    spec:\n      containers:\n      - name: app\n        image: busybox:1.36\n\"\"\") {\n  node(POD_LABEL) { sh 'true' }\n}\n";
        assert_eq!(positions(Code::K8S004, text), vec![(4, 15)]);
    }

    #[test]
    fn the_jnlp_container_gets_the_agent_image() {
        let text = "pipeline {\n  agent { kubernetes { yaml \'\'\'\nspec:\n  containers:\n  - name: jnlp\n    env:\n    - name: A\n      value: b\n  - name: app\n    image: busybox:1.36\n\'\'\' } }\n  stages { stage('a') { steps { sh 'x' } } }\n}\n";
        let (source, out) = lint_whole(text);
        let found: Vec<(Code, u32, u32)> = out
            .diagnostics
            .iter()
            .filter(|d| matches!(d.code, Code::K8S002 | Code::K8S004 | Code::K8S012))
            .map(|d| {
                let p = source.line_col(d.span.start);
                (d.code, p.line, p.column)
            })
            .collect();
        assert_eq!(
            found,
            vec![(Code::K8S004, 5, 11), (Code::K8S004, 9, 11)],
            "{:#?}",
            out.diagnostics
        );
        let file = parse(text);
        let e = &embedded(&file, text)[0].0;
        assert!(
            e.text
                .contains("  - name: jnlp\n    image: jenkins/inbound-agent:default\n    env:\n"),
            "{}",
            e.text
        );
        assert_eq!(jnlp_without_image("- name: jnlp\n  image: x:1\n"), vec![]);
    }

    #[test]
    fn agent_pods_do_not_restart() {
        assert_eq!(
            restart_policy("spec:\n  containers: []\n"),
            Some((6, "  restartPolicy: Never\n".to_string()))
        );
        assert_eq!(restart_policy("spec:\n  restartPolicy: Always\n"), None);
        assert_eq!(restart_policy("metadata:\n  name: x\n"), None);
        // No readiness or liveness probe findings on an agent pod (K8S007, K8S008).
        let (_, out) = lint_whole(POD);
        assert!(
            !out.diagnostics
                .iter()
                .any(|d| matches!(d.code, Code::K8S007 | Code::K8S008)),
            "{:#?}",
            out.diagnostics
        );
    }

    #[test]
    fn other_forms() {
        for text in [
            "podTemplate(yaml: 'kind: Pod') { node(POD_LABEL) { sh 'x' } }\n",
            "pipeline { agent { kubernetes { yaml \"\"\"\nkind: Pod\n\"\"\" } } }\n",
            "pipeline { agent { kubernetes(yaml: 'kind: Pod') } }\n",
        ] {
            let file = parse(text);
            assert_eq!(embedded(&file, text).len(), 1, "{text}");
        }
        for text in [
            "pipeline { agent { kubernetes { yaml \"\"\"\nkind: Pod\nimage: ${IMAGE}\n\"\"\" } } }\n",
            "pipeline { agent { kubernetes { yamlFile 'pod.yaml' } } }\n",
            "pipeline { agent { kubernetes { yaml readFile('pod.yaml') } } }\n",
            "yaml 'kind: Pod'\n",
        ] {
            let file = parse(text);
            assert!(embedded(&file, text).is_empty(), "{text}");
        }
    }
}
