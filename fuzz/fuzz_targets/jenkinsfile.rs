//! The Jenkinsfile lexer, parser, model and every Jenkinsfile rule on arbitrary bytes: no
//! panic, spans inside the text and on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opslint::lang::{self, FileType, LintContext};
use opslint::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let source = SourceFile::new("Jenkinsfile", text.as_ref());
    let out = lang::lint(FileType::Jenkinsfile, &source, &LintContext::default());
    for d in &out.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end as usize <= text.len());
        assert!(text.is_char_boundary(d.span.start as usize));
        assert!(text.is_char_boundary(d.span.end as usize));
        if let Some(fix) = &d.fix {
            for e in &fix.edits {
                assert!(e.span.start <= e.span.end && e.span.end as usize <= text.len());
            }
        }
    }
});
