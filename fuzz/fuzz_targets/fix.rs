//! The fix engine on arbitrary text of each file type (the first byte picks the type): every
//! fix, unsafe ones included, applied to a fixed point must not add syntax errors, and the
//! result must be a fixed point (a second `--fix` changes nothing).
#![no_main]

use libfuzzer_sys::fuzz_target;
use opslint::diagnostic::Diagnostic;
use opslint::fix::{apply_fixes, fix_to_fixed_point, LintFn};
use opslint::lang::{self, FileType, LintContext};
use opslint::source::SourceFile;

struct Lint(FileType);

impl LintFn for Lint {
    type Output = Vec<Diagnostic>;
    fn lint(&mut self, text: &str) -> Vec<Diagnostic> {
        let name = match self.0 {
            FileType::Dockerfile => "Dockerfile",
            FileType::Kubernetes => "m.yaml",
            FileType::Nginx => "nginx.conf",
            FileType::Jenkinsfile => "Jenkinsfile",
        };
        let source = SourceFile::new(name, text);
        lang::lint(self.0, &source, &LintContext::default()).diagnostics
    }
    fn diagnostics(output: &Vec<Diagnostic>) -> &[Diagnostic] {
        output
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let file_type = FileType::ALL[first as usize % 4];
    let text = String::from_utf8_lossy(rest);
    let mut lint = Lint(file_type);
    let (fixed, last, _) = fix_to_fixed_point(&text, true, &mut lint);
    assert!(
        lang::syntax_error_count(file_type, &fixed) <= lang::syntax_error_count(file_type, &text),
        "a fix added a syntax error"
    );
    let (again, applied) = apply_fixes(&fixed, &last, true);
    assert!(applied.is_empty() || again == fixed, "fixes did not reach a fixed point");
});
