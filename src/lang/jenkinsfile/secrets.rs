//! The Jenkinsfile's feed to the secret detector: literal values of `environment { }` blocks,
//! secret-named arguments of any call (`password: '…'`, `token:`, `apiKey:`, the
//! `MaskPasswordsBuildWrapper`'s `varPasswordPairs`), secret-named Groovy variables
//! (`def dbPassword = '…'`) and `withEnv(['TOKEN=…'])`. References (`credentials('id')`,
//! `*Variable:` names, `credentialsId:`) and interpolated strings are not literals, so never
//! secrets. The raw-text scan (provider tokens, private keys, URLs with a password) is the
//! detector's own.

use super::lex::StrLit;
use super::model::{Environment, Model};
use super::parse::{for_each_call, Arg, Expr, ExprKind, File, Stmt, StmtKind};
use crate::diagnostic::Span;
use crate::secrets::{secret_key_kind, Detector, Position, Secret};

/// How deep maps and lists inside arguments are searched.
const MAX_ARG_DEPTH: u32 = 8;

pub fn structural(file: &File, model: &Model, text: &str, detector: &Detector) -> Vec<Secret> {
    let mut out = Vec::new();
    if let Some(p) = &model.pipeline {
        if let Some(env) = &p.environment {
            feed_environment(env, file, text, detector, &mut out);
        }
        for stage in p.all_stages() {
            if let Some(env) = &stage.environment {
                feed_environment(env, file, text, detector, &mut out);
            }
        }
    }
    for_each_call(&file.stmts, &mut |c, _| {
        feed_args(&c.args, file, text, detector, &mut out, 0);
        if c.name == "withEnv" && c.target.is_none() {
            for a in c.positional() {
                let items: Vec<&Expr> = match &a.value.kind {
                    ExprKind::List(items) => items.iter().map(|i| &i.value).collect(),
                    _ => vec![&a.value],
                };
                for item in items {
                    feed_env_pair(item, file, text, detector, &mut out);
                }
            }
        }
    });
    feed_assignments(&file.stmts, file, text, detector, &mut out);
    out
}

/// The decoded value of a literal string and the span of its content (its exact bytes
/// when it has no escapes; else the whole content).
fn literal(e: &Expr, file: &File, text: &str) -> Option<(String, Span, bool)> {
    let lit: &StrLit = e.string(&file.lexed)?;
    let value = lit.literal_value()?;
    let raw = text
        .get(lit.content.start as usize..lit.content.end as usize)
        .unwrap_or("");
    Some((value.clone(), lit.content.clone(), raw == value))
}

fn feed_environment(
    env: &Environment,
    file: &File,
    text: &str,
    detector: &Detector,
    out: &mut Vec<Secret>,
) {
    for e in &env.entries {
        let Some(value) = e.value else { continue };
        if !e.key_is_ident {
            continue;
        }
        if let Some((v, span, _)) = literal(value, file, text) {
            out.extend(detector.check_assignment(&e.key, &v, span, Position::Assignment));
        }
    }
}

/// Whether a named argument's key names a secret value (not the name or id of one).
fn is_secret_arg(key: &str) -> bool {
    // `secretEnvVar(key: 'X', secretName: 'db', secretKey: 'password')` names a key of a
    // Kubernetes secret.
    let names_one = key.ends_with("Variable")
        || key.ends_with("Id")
        || key.ends_with("ID")
        || key.ends_with("Name")
        || key == "secretKey";
    !names_one && secret_key_kind(key).is_some()
}

fn feed_args(
    args: &[Arg],
    file: &File,
    text: &str,
    detector: &Detector,
    out: &mut Vec<Secret>,
    depth: u32,
) {
    if depth > MAX_ARG_DEPTH {
        return;
    }
    for a in args {
        if let Some((key, _)) = &a.name {
            if is_secret_arg(key) {
                if let Some((v, span, _)) = literal(&a.value, file, text) {
                    out.extend(detector.check_assignment(key, &v, span, Position::Assignment));
                }
            }
        }
        match &a.value.kind {
            ExprKind::Map(items) | ExprKind::List(items) => {
                feed_args(items, file, text, detector, out, depth + 1)
            }
            _ => {}
        }
    }
}

/// `'TOKEN=value'` of `withEnv`.
fn feed_env_pair(e: &Expr, file: &File, text: &str, detector: &Detector, out: &mut Vec<Secret>) {
    let Some((v, span, exact)) = literal(e, file, text) else {
        return;
    };
    let Some((key, value)) = v.split_once('=') else {
        return;
    };
    if secret_key_kind(key).is_none() {
        return;
    }
    let span = if exact {
        let start = span.start + key.len() as u32 + 1;
        start..span.end
    } else {
        span
    };
    out.extend(detector.check_assignment(key, value, span, Position::Assignment));
}

/// `def dbPassword = '…'`, `env.API_TOKEN = '…'`: a literal assigned to a secret-named
/// variable, anywhere in the file.
fn feed_assignments(
    stmts: &[Stmt],
    file: &File,
    text: &str,
    detector: &Detector,
    out: &mut Vec<Secret>,
) {
    for s in super::parse::all_statements(stmts) {
        let StmtKind::Assign {
            target,
            value: Some(value),
            ..
        } = &s.kind
        else {
            continue;
        };
        let key = match &target.kind {
            ExprKind::Ident(n) => Some(n.as_str()),
            ExprKind::Property { name, .. } => Some(name.as_str()),
            _ => None,
        };
        if let Some(key) = key.filter(|k| secret_key_kind(k).is_some()) {
            if let Some((v, span, _)) = literal(value, file, text) {
                out.extend(detector.check_assignment(key, &v, span, Position::Assignment));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lang::jenkinsfile::rules::test_support::*;
    use crate::registry::Code::*;

    #[test]
    fn environment_literals() {
        let text = "pipeline {\n  agent { label 'x' }\n  environment {\n    DB_PASSWORD = 'Xk9mQ2vLp7'\n    API_TOKEN = credentials('api-token')\n    GREETING = 'hello'\n    PASS_FROM = \"${env.OTHER}\"\n  }\n  stages {\n    stage('a') {\n      environment { STAGE_SECRET = \"s3cr3tV4lue!\" }\n      steps { echo 'x' }\n    }\n  }\n}\n";
        assert_findings(SEC001, text, &[(4, 20), (11, 37)]);
    }

    #[test]
    fn named_arguments() {
        let text = "node('x') {\n  httpRequest url: 'https://x', password: 'Hunter2Hunter2', credentialsId: 'deploy-password'\n  withCredentials([usernamePassword(credentialsId: 'c', usernameVariable: 'U', passwordVariable: 'PASSWORD')]) { sh 'x' }\n  wrap([$class: 'MaskPasswordsBuildWrapper', varPasswordPairs: [[var: 'DB', password: 'Zq8wErT5yU']]]) { sh 'y' }\n  publish(apiKey: 'k8Jd7Hs6Gf5D', token: \"${TOKEN}\")\n}\n";
        assert_findings(SEC001, text, &[(2, 44), (4, 88), (5, 20)]);
    }

    #[test]
    fn groovy_variables_and_with_env() {
        let text = "def dbPassword = 'Pa55w0rdLong'\ndef name = 'Pa55w0rdLong'\nnode('x') {\n  withEnv(['NPM_TOKEN=a1B2c3D4e5F6', 'MODE=fast']) { sh 'npm ci' }\n  env.API_SECRET = 'abcDEF123456'\n}\n";
        assert_findings(SEC001, text, &[(1, 19), (4, 23), (5, 21)]);
    }

    #[test]
    fn urls_with_passwords() {
        let text = "node('x') {\n  git url: 'https://deploy:Gh7Jk2Lm9@git.example.com/r.git'\n  sh \"git clone https://${U}:${P}@git.example.com/r.git\"\n}\n";
        assert_findings(SEC004, text, &[(2, 28)]);
    }

    #[test]
    fn references_are_not_secrets() {
        let text = "pipeline {\n  agent { label 'x' }\n  environment {\n    TOKEN = credentials('token')\n    PASSWORD_FILE = '/run/secrets/db'\n    DB_PASSWORD = 'changeme'\n  }\n  stages { stage('a') { steps {\n    withCredentials([string(credentialsId: 'my-secret-token', variable: 'SECRET_TOKEN')]) { sh 'x' }\n  } } }\n}\n";
        for code in [SEC001, SEC002, SEC004, SEC005] {
            assert_findings(code, text, &[]);
        }
    }
}
