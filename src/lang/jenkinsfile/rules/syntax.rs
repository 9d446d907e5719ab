//! JNK001 syntax-error: reported by the engine from the lexer's and the bracket check's
//! errors (see `jenkinsfile::lint`); this family only holds its tests.

use super::super::Ctx;
use crate::diagnostic::Findings;

pub fn check(_cx: &Ctx, _out: &mut Findings) {}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::registry::Code::JNK001;

    #[test]
    fn syntax_error() {
        // Unbalanced brackets: the bracket never closed, or the closer with no opener.
        assert_findings(JNK001, "pipeline {\n  agent any\n", &[(1, 10)]);
        assert_findings(JNK001, "node {\n  sh('x'))\n}\n", &[(2, 10)]);
        assert_findings(JNK001, "node {\n  echo 'a'\n}\n}\n", &[(4, 1)]);
        // Unterminated strings, comments and interpolations, at their opening.
        assert_findings(JNK001, "node {\n  sh 'make\n}\n", &[(2, 6)]);
        assert_findings(JNK001, "node {\n  sh \"\"\"\n  make\n}\n", &[(2, 6)]);
        assert_findings(JNK001, "node {\n  sh \"${x\"\n}\n", &[(2, 7)]);
        assert_findings(JNK001, "/* header\nnode { }\n", &[(1, 1)]);
        assert_findings(JNK001, "node {\n  if (x =~ /a(b/) { }\n", &[(1, 6)]);
        // Valid Groovy the parser does not model is not an error.
        for text in [
            "@Library('x@1') _\nimport a.b.C\npipeline {\n  agent any\n  stages { stage('a') { steps { sh \"${tool 'mvn'}/bin/mvn\" } } }\n}\n",
            "def m = [a: 1, (k): 2, *: other]\nm.each { k, v -> println \"$k=${v}\" }\n",
            "x = a / b / c\nif (s ==~ /\\d+\\/x/) { echo $/a/b$/$ }\n",
            "class A implements Serializable {\n  def go(String... xs) { xs.collect { it * 2 } }\n}\n",
            "def s = '''\n  it's } { ) ( ]\n'''\n// } ) ]\n/* { */\n",
            "sh \"\"\"\n  echo \\\"${env.X}\\\" '\\${Y}'\n\"\"\"\n",
        ] {
            assert_findings(JNK001, text, &[]);
        }
    }

    #[test]
    fn message_names_the_bracket() {
        assert_eq!(
            first_message(JNK001, "pipeline {\n").as_deref(),
            Some("`{` is never closed")
        );
    }
}
