//! The YAML tree, the manifest model and every Kubernetes rule on arbitrary bytes: no panic,
//! every span (tree nodes, model fields, findings, comments, secrets) inside the text and on
//! character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opslint::lang::kubernetes::{model, yaml};
use opslint::lang::{self, FileType, LintContext};
use opslint::source::SourceFile;

fn check(text: &str, span: &std::ops::Range<u32>) {
    assert!(span.start <= span.end, "{span:?}");
    assert!(span.end as usize <= text.len(), "{span:?} > {}", text.len());
    assert!(text.is_char_boundary(span.start as usize), "{span:?}");
    assert!(text.is_char_boundary(span.end as usize), "{span:?}");
}

fn walk(text: &str, node: &yaml::Node) {
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        check(text, &n.span);
        check(text, &n.content_span(text));
        match &n.kind {
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

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let stream = yaml::parse(text);
    for doc in &stream.documents {
        check(text, &doc.span);
        walk(text, &doc.root);
    }
    for e in &stream.errors {
        check(text, &e.span);
    }
    for c in &stream.comments {
        check(text, &c.span);
        check(text, &c.body);
    }
    let m = model::Model::build(&stream);
    for o in &m.objects {
        check(text, &o.anchor());
        if let Some(ignore) = &o.ignore {
            check(text, &ignore.span);
            for e in &ignore.entries {
                check(text, &e.span);
            }
        }
        if let Some(pod) = &o.pod {
            for c in &pod.containers {
                check(text, &c.anchor());
            }
        }
    }

    let source = SourceFile::new("manifest.yaml", text);
    let out = lang::lint(FileType::Kubernetes, &source, &LintContext::default());
    for d in &out.diagnostics {
        check(text, &d.span);
        for l in &d.labels {
            check(text, &l.span);
        }
        if let Some(fix) = &d.fix {
            for e in &fix.edits {
                check(text, &e.span);
            }
        }
    }
    for c in &out.comments {
        check(text, &c.span);
        check(text, &c.body);
        check(text, &c.covers);
    }
    for s in &out.secrets {
        check(text, s);
    }
});
