//! The suppression parser on arbitrary text: `# opslint:` comments (found by the nginx engine,
//! whose comments are `#` lines) applied to the findings; kept and added findings lie in the
//! text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opslint::lang::{self, FileType, LintContext};
use opslint::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let source = SourceFile::new("nginx.conf", text.as_ref());
    let out = lang::lint(FileType::Nginx, &source, &LintContext::default());
    let kept = opslint::suppress::apply(&source, &out.comments, out.diagnostics, &|_| true);
    for d in &kept {
        assert!(d.span.start <= d.span.end && d.span.end as usize <= text.len());
    }
});
