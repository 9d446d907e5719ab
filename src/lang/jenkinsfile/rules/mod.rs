//! The Jenkinsfile rules, one file per family. Each family's `check` reads the model (and the
//! parse tree where it must) and pushes findings; selection, severity overrides and
//! suppressions are applied by the caller. A new family is a module here and one line in
//! [`run`].

mod directives;
mod reliability;
mod security;
mod structure;
mod syntax;

use super::parse::Call;
use super::Ctx;
use crate::diagnostic::{Findings, Span};

pub fn run(cx: &Ctx, out: &mut Findings) {
    syntax::check(cx, out);
    structure::check(cx, out);
    directives::check(cx, out);
    security::check(cx, out);
    reliability::check(cx, out);
}

/// The call up to its argument list: `stage('a')` of `stage('a') { … }`, `agent` of
/// `agent any`.
pub fn call_head(c: &Call) -> Span {
    let end = c.args_span.as_ref().map_or(c.name_span.end, |a| a.end);
    c.name_span.start..end.max(c.name_span.end)
}

/// The one candidate closest to `name` by edit distance, when it is close enough to be a
/// misspelling (1 edit for short names, 2 otherwise) and no other candidate is as close.
pub fn did_you_mean<'c>(name: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let limit = if name.chars().count() <= 4 { 1 } else { 2 };
    let mut best: Option<(usize, &'c str)> = None;
    let mut tie = false;
    for c in candidates {
        let d = edit_distance(&name.to_ascii_lowercase(), &c.to_ascii_lowercase());
        if d > limit {
            continue;
        }
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tie = true,
            _ => {
                best = Some((d, c));
                tie = false;
            }
        }
    }
    best.filter(|_| !tie).map(|(_, c)| c)
}

/// Levenshtein distance with transpositions counted as one edit.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 3 || a.len() > 64 || b.len() > 64 {
        return usize::MAX / 2;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// Whether `key` can name an environment variable: a letter or `_`, then letters, digits,
/// `_`.
pub fn is_env_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The first line of a statement's text, at most 60 characters, for messages.
pub fn first_line(s: &str) -> &str {
    let line = s.split('\n').next().unwrap_or("").trim_end();
    match line.char_indices().nth(60) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

/// `[a, b, c]` as Jenkins lists valid names in its messages.
pub fn bracket_list(names: &[&str]) -> String {
    format!("[{}]", names.join(", "))
}

#[cfg(test)]
#[allow(dead_code)] // each family's tests use a part of it
pub(crate) mod test_support {
    crate::lang::engine_test_support!(super::super::lint, "Jenkinsfile");

    /// A well-written declarative pipeline that no rule flags.
    pub const GOOD: &str = r#"@Library('shared-lib@v1.4.2') _

pipeline {
    agent {
        docker { image 'maven:3.9.6-eclipse-temurin-17' }
    }
    options {
        timeout(time: 1, unit: 'HOURS')
        buildDiscarder(logRotator(numToKeepStr: '20'))
        disableConcurrentBuilds()
    }
    environment {
        REGISTRY = 'registry.example.com'
        DEPLOY_TOKEN = credentials('deploy-token')
    }
    stages {
        stage('Build') {
            steps {
                sh 'mvn -B -DskipTests package'
            }
        }
        stage('Test') {
            failFast true
            parallel {
                stage('Unit') {
                    steps { sh 'mvn -B test' }
                }
                stage('Integration') {
                    steps { sh 'mvn -B verify -Pit' }
                }
            }
        }
        stage('Deploy') {
            when { branch 'main' }
            steps {
                withCredentials([usernamePassword(credentialsId: 'registry', usernameVariable: 'REG_USER', passwordVariable: 'REG_PASS')]) {
                    sh 'echo "$REG_PASS" | docker login -u "$REG_USER" --password-stdin "$REGISTRY"'
                }
                script {
                    def version = readFile('VERSION').trim()
                    currentBuild.displayName = "v${version}"
                }
            }
        }
    }
    post {
        always { junit 'target/surefire-reports/*.xml' }
        failure { echo 'Build failed' }
    }
}
"#;

    #[test]
    fn a_good_pipeline_is_silent() {
        let (_, diags) = lint_with(crate::lang::Options::default(), GOOD);
        assert!(diags.is_empty(), "{diags:#?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_is_unique_and_close() {
        let post = [
            "always", "success", "failure", "unstable", "cleanup", "changed", "fixed",
        ];
        assert_eq!(did_you_mean("sucess", &post), Some("success"));
        assert_eq!(did_you_mean("allways", &post), Some("always"));
        assert_eq!(did_you_mean("failur", &post), Some("failure"));
        assert_eq!(did_you_mean("whatever", &post), None);
        assert_eq!(did_you_mean("stpes", &["steps", "stages"]), Some("steps"));
        assert_eq!(did_you_mean("sh", &["steps", "when"]), None);
    }
}
