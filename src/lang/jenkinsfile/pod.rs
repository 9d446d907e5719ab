//! The pod YAML of a Kubernetes agent (`agent { kubernetes { yaml '''…''' } }`, scripted
//! `podTemplate(yaml: '''…''')`), reported as an embedded Kubernetes text so the Kubernetes
//! rules lint it and their findings land in the Jenkinsfile. Only literal strings are
//! embedded: an interpolated `"""…"""` has a value known at run time only. `yamlFile 'x'`
//! names a file of the repository, linted on its own.

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::jenkinsfile::parse::parse;
    use crate::lang::{lint, LintContext};
    use crate::registry::Code;
    use crate::source::SourceFile;

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
        let source = SourceFile::new("Jenkinsfile", POD);
        let out = lint(
            crate::lang::FileType::Jenkinsfile,
            &source,
            &LintContext::default(),
        );
        // The container has no memory limit: K8S004 points at its name, `maven` (line 9, column 11).
        let k8s004: Vec<(u32, u32)> = out
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::K8S004)
            .map(|d| {
                let p = source.line_col(d.span.start);
                (p.line, p.column)
            })
            .collect();
        assert_eq!(k8s004, vec![(9, 11)], "{:#?}", out.diagnostics);
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
