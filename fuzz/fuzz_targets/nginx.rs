//! The nginx parser, the model walk and every nginx rule on arbitrary bytes: no panic, every
//! span (directives, arguments, braces, comments, findings, fixes) inside the text and on
//! character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opslint::lang::nginx::{directives::ctx, parse};
use opslint::lang::{self, FileType, LintContext};
use opslint::source::SourceFile;

fn check(text: &str, span: &std::ops::Range<u32>) {
    assert!(span.start <= span.end && span.end as usize <= text.len(), "{span:?}");
    assert!(text.is_char_boundary(span.start as usize));
    assert!(text.is_char_boundary(span.end as usize));
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let config = parse::parse(text);
    for c in &config.comments {
        check(text, &c.span);
        check(text, &c.body);
    }
    for e in &config.errors {
        check(text, &e.span);
    }
    config.walk(ctx::MAIN, |v| {
        let d = v.directive;
        check(text, &d.span);
        check(text, &d.name_span);
        for a in &d.args {
            check(text, &a.span);
        }
        if let Some(b) = &d.block {
            check(text, &b.open);
            if let Some(c) = &b.close {
                check(text, c);
            }
        }
        let _ = d.if_condition();
    });
    let source = SourceFile::new("nginx.conf", text);
    let out = lang::lint(FileType::Nginx, &source, &LintContext::default());
    for d in &out.diagnostics {
        check(text, &d.span);
        if let Some(fix) = &d.fix {
            for e in &fix.edits {
                check(text, &e.span);
            }
        }
    }
    for c in &out.comments {
        check(text, &c.covers);
    }
});
