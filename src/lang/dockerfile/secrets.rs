//! The Dockerfile's feed to the secret detector: ENV, ARG defaults and LABEL values, and the
//! credentials of RUN command lines (`--password X`, `curl -u user:pass`, `mysql -pPASS`,
//! `VAR=value cmd`). The raw-text scan (tokens, keys, URLs) is the detector's own.

use super::parse::{Dockerfile, Instruction, Kind, Word};
use super::shell::{is_assignment, Command};
use crate::diagnostic::Span;
use crate::secrets::{Detector, Position, Secret};

/// Clients whose attached `-pPASSWORD` is a password (elsewhere `-p` is a port or a path).
const MYSQL_CLIENTS: &[&str] = &[
    "mysql",
    "mysqldump",
    "mariadb",
    "mariadb-dump",
    "mysqladmin",
    "mysqlimport",
    "mysqlshow",
    "mysqlcheck",
];

pub fn structural(file: &Dockerfile, detector: &Detector) -> Vec<Secret> {
    let mut out = Vec::new();
    for inst in &file.instructions {
        feed_instruction(inst, detector, &mut out);
        if let Some(trigger) = &inst.onbuild {
            feed_instruction(trigger, detector, &mut out);
        }
    }
    out
}

fn feed_instruction(inst: &Instruction, detector: &Detector, out: &mut Vec<Secret>) {
    match inst.kind {
        Kind::Env | Kind::Arg | Kind::Label => {
            for pair in &inst.pairs {
                if let Some(value) = &pair.value {
                    let span = value_span(value, 0, value.value.len());
                    out.extend(detector.check_assignment(
                        &pair.key.value,
                        &value.value,
                        span,
                        Position::Assignment,
                    ));
                }
            }
        }
        Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Healthcheck => {
            for command in inst.commands().iter() {
                feed_command(command, detector, out);
            }
        }
        _ => {}
    }
}

fn feed_command(command: &Command, detector: &Detector, out: &mut Vec<Secret>) {
    // `DB_PASSWORD=x ./migrate`: leading assignments.
    for w in command.words.iter().take_while(|w| is_assignment(&w.value)) {
        if let Some((key, value)) = w.value.split_once('=') {
            let at = key.len() + 1;
            let span = value_span(w, at, value.len());
            out.extend(detector.check_assignment(key, value, span, Position::CommandArg));
        }
    }
    let program = command.program().unwrap_or("");
    let args = command.args();
    let mut i = 0;
    while i < args.len() {
        let w = &args[i];
        let v = w.value.as_str();
        if v == "--" {
            break;
        }
        if let Some(long) = v.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, value)) => (n, Some(value)),
                None => (long, None),
            };
            if crate::secrets::secret_key_kind(name).is_some() {
                let (value, span, consumed) = match inline {
                    Some(value) => (value, value_span(w, name.len() + 3, value.len()), 0),
                    None => match args.get(i + 1) {
                        Some(next) if !next.value.starts_with('-') => (
                            next.value.as_str(),
                            value_span(next, 0, next.value.len()),
                            1,
                        ),
                        _ => ("", 0..0, 0),
                    },
                };
                // `--secret id=x,src=path` (BuildKit) names a secret mount, not a value.
                if !value.is_empty() && !value.contains("src=") && !value.contains("id=") {
                    out.extend(detector.check_assignment(name, value, span, Position::CommandArg));
                }
                i += 1 + consumed;
                continue;
            }
            if matches!(program, "curl") && name == "user" {
                if let Some(next) = args.get(i + 1) {
                    push_user_pass(next, 0, detector, out);
                }
            }
        } else if let Some(short) = v.strip_prefix('-') {
            if MYSQL_CLIENTS.contains(&program) && short.len() > 1 && short.starts_with('p') {
                let pass = &short[1..];
                out.extend(detector.check_credential(
                    pass,
                    value_span(w, 2, pass.len()),
                    "password on the command line",
                ));
            } else if program == "curl" && short.starts_with('u') {
                if short.len() > 1 {
                    push_user_pass(w, 2, detector, out);
                } else if let Some(next) = args.get(i + 1) {
                    push_user_pass(next, 0, detector, out);
                }
            } else if (program == "sshpass" && short == "p")
                || (program == "docker"
                    && short == "p"
                    && command.subcommand().is_some_and(|s| s.value == "login"))
            {
                if let Some(next) = args.get(i + 1) {
                    let span = value_span(next, 0, next.value.len());
                    out.extend(detector.check_credential(
                        &next.value,
                        span,
                        "password on the command line",
                    ));
                }
            }
        }
        i += 1;
    }
}

/// `user:password` in a word (from byte `at` of its value): the password part is SEC004.
fn push_user_pass(word: &Word, at: usize, detector: &Detector, out: &mut Vec<Secret>) {
    let Some(userpass) = word.value.get(at..) else {
        return;
    };
    if let Some((user, pass)) = userpass.split_once(':') {
        let offset = at + user.len() + 1;
        let span = value_span(word, offset, pass.len());
        out.extend(detector.check_credential(pass, span, "password on the command line"));
    }
}

/// The span of `len` bytes at `offset` of a word's value. Exact when the value sits verbatim
/// in the word as written (plain, or in one pair of quotes); otherwise the whole word, so a
/// secret is never left partly unmasked.
fn value_span(word: &Word, offset: usize, len: usize) -> Span {
    let raw = word.raw.as_str();
    let written_len = (word.span.end - word.span.start) as usize;
    if written_len == raw.len() {
        let quoted = raw.len() == word.value.len() + 2
            && ((raw.starts_with('"') && raw.ends_with('"'))
                || (raw.starts_with('\'') && raw.ends_with('\'')));
        let base = if raw == word.value {
            Some(0)
        } else if quoted && raw.get(1..raw.len() - 1) == Some(word.value.as_str()) {
            Some(1)
        } else {
            // Partly quoted (`--password="x"`): find the value part as written.
            word.value
                .get(offset..offset + len)
                .filter(|needle| !needle.is_empty())
                .and_then(|needle| raw.find(needle))
                .map(|p| p.saturating_sub(offset))
        };
        if let Some(b) = base {
            let start = b + offset;
            if start + len <= raw.len() {
                return word.span.start + start as u32..word.span.start + (start + len) as u32;
            }
        }
    }
    word.span.clone()
}

#[cfg(test)]
mod tests {
    use crate::lang::dockerfile::rules::test_support::lint_with;
    use crate::lang::Options;
    use crate::registry::Code;

    /// (code, the text at the finding) for the SEC findings of a Dockerfile.
    fn secrets(text: &str) -> Vec<(Code, String)> {
        let (source, diags) = lint_with(Options::default(), text);
        diags
            .iter()
            .filter(|d| d.code.as_str().starts_with("SEC"))
            .map(|d| (d.code, source.slice(&d.span).to_string()))
            .collect()
    }

    #[test]
    fn env_arg_label_values() {
        assert_eq!(
            secrets("FROM a:1\nENV DB_PASSWORD=hunter2-Prod\n"),
            vec![(Code::SEC001, "hunter2-Prod".into())]
        );
        assert_eq!(
            secrets("FROM a:1\nENV DB_PASSWORD=\"hunter2 Prod\"\n"),
            vec![(Code::SEC001, "hunter2 Prod".into())]
        );
        assert_eq!(
            secrets("FROM a:1\nARG API_TOKEN=9f8e7d6c5b4a\n"),
            vec![(Code::SEC001, "9f8e7d6c5b4a".into())]
        );
        assert_eq!(
            secrets("FROM a:1\nENV DB_PASSWORD hunter2-Prod\n"),
            vec![(Code::SEC001, "hunter2-Prod".into())]
        );
        // References, paths, names and empty values are not secrets.
        assert!(secrets("FROM a:1\nARG DB_PASSWORD\nENV DB_PASSWORD=$DB_PASSWORD\n").is_empty());
        assert!(secrets("FROM a:1\nENV DB_PASSWORD_FILE=/run/secrets/db\n").is_empty());
        assert!(
            secrets("FROM a:1\nENV GPG_KEY=B42F6819007F00F88E364FD4036A9C25BF357DD4\n").is_empty()
        );
        assert!(secrets("FROM a:1\nENV MYSQL_PASSWORD=\"\"\n").is_empty());
    }

    #[test]
    fn run_command_lines() {
        assert_eq!(
            secrets("FROM a:1\nRUN mysql -uroot -pRootPass123 -e 'select 1'\n"),
            vec![(Code::SEC004, "RootPass123".into())]
        );
        assert_eq!(
            secrets("FROM a:1\nRUN curl -u deploy:Xk9mQ2vL7 https://repo.example.com/a.tgz\n"),
            vec![(Code::SEC004, "Xk9mQ2vL7".into())]
        );
        assert_eq!(
            secrets("FROM a:1\nRUN ./register --token=Zr8Kp2Lq9Xw4 --name x\n"),
            vec![(Code::SEC001, "Zr8Kp2Lq9Xw4".into())]
        );
        assert_eq!(
            secrets("FROM a:1\nRUN DB_PASSWORD=Qw3rty-Prod ./migrate\n"),
            vec![(Code::SEC001, "Qw3rty-Prod".into())]
        );
        // -p is a port, a parent flag or a path everywhere else.
        assert!(secrets(
            "FROM a:1\nRUN mkdir -p /app && ssh -p 2222 h true && docker run -p 80:80 x\n"
        )
        .is_empty());
        assert!(secrets(
            "FROM a:1\nRUN --mount=type=secret,id=pw mysql -p\"$(cat /run/secrets/pw)\"\n"
        )
        .is_empty());
        assert!(secrets(
            "FROM a:1\nRUN echo \"$PW\" | docker login --password-stdin registry.example.com\n"
        )
        .is_empty());
        assert!(secrets("FROM a:1\nRUN curl -u \"$USER:$PASS\" https://x\n").is_empty());
    }

    #[test]
    fn raw_text_tokens_and_urls() {
        let token = format!(
            "ghp_{}",
            "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7aB3dE6gH9"
                .get(..36)
                .unwrap_or("")
        );
        let text = format!(
            "FROM a:1\n# token {token}\nRUN git clone https://ci:Pa55w0rdX@git.example.com/r.git\n"
        );
        let found = secrets(&text);
        assert_eq!(
            found,
            vec![(Code::SEC002, token), (Code::SEC004, "Pa55w0rdX".into())]
        );
    }

    #[test]
    fn build_arg_name_alone_is_dkr016_not_sec() {
        let (_, diags) = lint_with(
            Options::default(),
            "FROM a:1\nENV DB_PASSWORD=hunter2-Prod\n",
        );
        assert!(diags.iter().any(|d| d.code == Code::SEC001));
        assert!(!diags.iter().any(|d| d.code == Code::DKR016));
    }
}
