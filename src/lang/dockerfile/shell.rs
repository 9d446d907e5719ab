//! A light, span-preserving POSIX shell splitter for RUN/CMD/ENTRYPOINT text: words (with
//! quotes, escapes, `$(…)`, `${…}` and backticks), operators (`&&`, `||`, `;`, `|`, `&`,
//! newlines), redirections and comments. Rules reason about commands and their flags, not
//! substrings. Control words (`if`, `then`, `do`, `{`, `!` …) are skipped so the commands inside
//! `if … then apt-get install …; fi` are seen.

use super::parse::{Logical, Word};
use crate::diagnostic::Span;

/// What separates a command from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Start,
    And,
    Or,
    Semi,
    Pipe,
    Background,
    Newline,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Every word, leading `VAR=value` assignments included; redirections excluded.
    pub words: Vec<Word>,
    pub span: Span,
    pub op_before: Op,
    pub op_after: Op,
    /// Where the operator after the command (`|`, `&&`, `;` …) is written; `None` for a
    /// newline, a parenthesis or the end of the script.
    pub op_after_span: Option<Span>,
    /// Redirection targets (`> /dev/null`, `<<EOF`).
    pub redirects: Vec<Word>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    pub commands: Vec<Command>,
    /// Whether some commands come from a heredoc body run as the script.
    pub from_heredoc: bool,
}

impl Script {
    /// Commands whose effective program is `name` (`/usr/bin/apt-get` counts as `apt-get`).
    pub fn commands_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Command> + 'a {
        self.commands
            .iter()
            .filter(move |c| c.program() == Some(name))
    }

    /// Whether any command is a pipeline stage (`a | b`).
    pub fn has_pipe(&self) -> bool {
        self.commands.iter().any(|c| c.op_after == Op::Pipe)
    }
}

/// Commands that run the command after them: their own options are skipped to find it.
const WRAPPERS: &[&str] = &[
    "sudo", "env", "nohup", "exec", "command", "time", "nice", "gosu", "su-exec", "doas",
];

/// Words that start or end shell compound commands.
const CONTROL_PREFIXES: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time",
];
const CONTROL_ENDS: &[&str] = &["fi", "done", "esac", "}"];

pub fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

impl Command {
    /// An exec-form argument list (`RUN ["apt-get", "install", "x"]`) as one command line.
    pub fn from_exec(items: &[Word]) -> Option<Command> {
        let first = items.first()?;
        let last = items.last()?;
        Some(Command {
            words: items.to_vec(),
            span: first.span.start..last.span.end,
            op_before: Op::Start,
            op_after: Op::Newline,
            op_after_span: None,
            redirects: Vec::new(),
        })
    }

    /// Index in `words` of the program that really runs, after assignments and wrappers such
    /// as `sudo -E`, `env A=1`, `nice -n 5`.
    pub fn program_index(&self) -> Option<usize> {
        let mut i = 0;
        while i < self.words.len() && is_assignment(&self.words[i].value) {
            i += 1;
        }
        loop {
            let w = self.words.get(i)?;
            let name = basename(&w.value);
            if !WRAPPERS.contains(&name) || i + 1 >= self.words.len() {
                return Some(i);
            }
            // `command -v x` looks `x` up; it does not run it.
            let lookup = name == "command"
                && self.words.get(i + 1).is_some_and(|w| {
                    w.value
                        .strip_prefix('-')
                        .is_some_and(|c| c.contains(['v', 'V']))
                });
            if lookup {
                return Some(i);
            }
            i += 1;
            // Skip the wrapper's options (and the argument of those that take one).
            while let Some(next) = self.words.get(i) {
                let v = next.value.as_str();
                if v.starts_with('-') {
                    let takes_value = matches!(
                        (name, v),
                        (
                            "sudo",
                            "-u" | "-g" | "-C" | "-h" | "-p" | "-U" | "-r" | "-t"
                        ) | ("nice", "-n")
                            | ("env", "-u" | "-C" | "-S")
                    );
                    i += if takes_value { 2 } else { 1 };
                } else if name == "env" && is_assignment(v) {
                    i += 1;
                } else if matches!(name, "gosu" | "su-exec") {
                    // The user argument.
                    i += 1;
                    break;
                } else {
                    break;
                }
            }
        }
    }

    /// The program that runs (basename): `apt-get` for `sudo /usr/bin/apt-get install`.
    pub fn program(&self) -> Option<&str> {
        self.program_index()
            .and_then(|i| self.words.get(i))
            .map(|w| basename(&w.value))
    }

    pub fn program_word(&self) -> Option<&Word> {
        self.program_index().and_then(|i| self.words.get(i))
    }

    /// The words after the program.
    pub fn args(&self) -> &[Word] {
        match self.program_index() {
            Some(i) => self.words.get(i + 1..).unwrap_or(&[]),
            None => &[],
        }
    }

    /// Whether an option is given: a short letter (also inside clusters like `-qy`) or a long
    /// name (`--yes`, `--yes=true`). Options after `--` do not count.
    pub fn has_option(&self, short: &[char], long: &[&str]) -> bool {
        self.find_option(short, long).is_some()
    }

    /// The word holding the option, as for `has_option`.
    pub fn find_option(&self, short: &[char], long: &[&str]) -> Option<&Word> {
        for w in self.args() {
            let v = w.value.as_str();
            if v == "--" {
                return None;
            }
            if let Some(name) = v.strip_prefix("--") {
                let name = name.split('=').next().unwrap_or(name);
                if long.contains(&name) {
                    return Some(w);
                }
            } else if let Some(cluster) = v.strip_prefix('-') {
                if !cluster.is_empty()
                    && cluster.chars().all(|c| c.is_ascii_alphanumeric())
                    && cluster.chars().any(|c| short.contains(&c))
                {
                    return Some(w);
                }
            }
        }
        None
    }

    /// The arguments that are not options (`-x`, `--long`, `--long=value`).
    pub fn operands(&self) -> impl Iterator<Item = &Word> {
        let mut after_dashdash = false;
        self.args().iter().filter(move |w| {
            if after_dashdash {
                return true;
            }
            if w.value == "--" {
                after_dashdash = true;
                return false;
            }
            !w.value.starts_with('-') || w.value == "-"
        })
    }

    /// The first operand: the subcommand of `apt-get install`, `npm ci`, `go build`.
    pub fn subcommand(&self) -> Option<&Word> {
        self.operands().next()
    }
}

#[derive(Debug)]
enum Token {
    Word(std::ops::Range<usize>),
    /// An operator and its byte range in the text.
    Op(Op, std::ops::Range<usize>),
    /// `>`, `2>&1`, `<<`, … : the next word (if the operator needs one) is its target.
    Redirect {
        heredoc: Option<bool>,
        needs_target: bool,
    },
    /// `(` or `)`: treated as a separator.
    Paren,
}

/// Splits `text[start..]` into commands; spans are mapped through `logical`.
/// Where a `case` compound command is in the token stream.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CaseState {
    /// After `case`: the word tested.
    Subject,
    /// After the subject: `in`.
    In,
    /// A pattern list `a|b)`, up to its `)`.
    Pattern,
    /// The commands of a branch, up to `;;` or `esac`.
    Body,
}

/// The tokens that belong to the syntax of `case WORD in a|b) …;; esac` rather than to a
/// command: `case WORD in`, the patterns with their `|` separators and `)`, and `esac`. The
/// `|` of a pattern list is not a pipe.
fn case_syntax(tokens: &[Token], text: &str) -> Vec<bool> {
    let mut skip = vec![false; tokens.len()];
    let mut stack: Vec<CaseState> = Vec::new();
    let mut at_start = true;
    // Words of the current pattern list: a `(` before any is the optional opening one.
    let mut pattern_words = 0;
    for (i, token) in tokens.iter().enumerate() {
        let state = stack.last().copied();
        match token {
            Token::Word(r) => {
                let w = &text[r.clone()];
                match state {
                    Some(CaseState::Subject) => {
                        skip[i] = true;
                        *stack.last_mut().expect("a case") = CaseState::In;
                    }
                    Some(CaseState::In) => {
                        skip[i] = true;
                        if w == "in" {
                            *stack.last_mut().expect("a case") = CaseState::Pattern;
                            pattern_words = 0;
                        }
                    }
                    Some(CaseState::Pattern) => {
                        skip[i] = true;
                        if w == "esac" && pattern_words == 0 {
                            stack.pop();
                        } else {
                            pattern_words += 1;
                        }
                    }
                    _ if at_start && w == "case" => {
                        skip[i] = true;
                        stack.push(CaseState::Subject);
                    }
                    Some(CaseState::Body) if at_start && w == "esac" => {
                        skip[i] = true;
                        stack.pop();
                    }
                    _ => {}
                }
                at_start = at_start && CONTROL_PREFIXES.contains(&w);
            }
            Token::Op(op, r) => {
                match state {
                    Some(CaseState::Pattern) => skip[i] = *op == Op::Pipe,
                    // `;;` ends a branch: the next pattern (or `esac`) follows.
                    Some(CaseState::Body) if *op == Op::Semi && r.len() == 2 => {
                        *stack.last_mut().expect("a case") = CaseState::Pattern;
                        pattern_words = 0;
                    }
                    _ => {}
                }
                at_start = true;
            }
            Token::Paren => {
                if state == Some(CaseState::Pattern) {
                    skip[i] = true;
                    // `(a|b)`: only the closing parenthesis ends the pattern list.
                    if pattern_words > 0 {
                        *stack.last_mut().expect("a case") = CaseState::Body;
                    }
                }
                at_start = true;
            }
            Token::Redirect { .. } => {}
        }
    }
    skip
}

pub fn parse(text: &str, start: usize, logical: &Logical) -> Script {
    let tokens = tokenize(text, start);
    let case_syntax = case_syntax(&tokens, text);
    let mut script = Script::default();
    let mut current: Vec<Word> = Vec::new();
    let mut redirects: Vec<Word> = Vec::new();
    let mut op_before = Op::Start;
    let mut expect_target = false;
    let mut pending_heredocs: Vec<(String, bool)> = Vec::new();
    let word_of = |r: &std::ops::Range<usize>| {
        let raw = &text[r.clone()];
        Word {
            span: logical.span(r.start, r.end),
            raw: raw.to_string(),
            value: shell_unquote(raw),
        }
    };
    let flush = |current: &mut Vec<Word>,
                 redirects: &mut Vec<Word>,
                 op: Op,
                 op_span: Option<Span>,
                 op_before: &mut Op,
                 script: &mut Script| {
        // Drop leading control words so `if foo` → `foo`, and lone closers.
        let mut words: Vec<Word> = std::mem::take(current);
        while words
            .first()
            .is_some_and(|w| CONTROL_PREFIXES.contains(&w.raw.as_str()))
        {
            words.remove(0);
        }
        if words.len() == 1 && CONTROL_ENDS.contains(&words[0].raw.as_str()) {
            words.clear();
        }
        if !words.is_empty() {
            let span = words[0].span.start..words[words.len() - 1].span.end;
            script.commands.push(Command {
                words,
                span,
                op_before: *op_before,
                op_after: op,
                op_after_span: op_span,
                redirects: std::mem::take(redirects),
            });
        } else {
            redirects.clear();
        }
        *op_before = op;
    };
    let mut i = 0;
    while i < tokens.len() {
        if case_syntax[i] {
            i += 1;
            continue;
        }
        match &tokens[i] {
            Token::Word(r) => {
                let w = word_of(r);
                if expect_target {
                    if let Some(last) = pending_heredocs.last_mut() {
                        if last.0.is_empty() {
                            last.0 = w.value.clone();
                        }
                    }
                    redirects.push(w);
                    expect_target = false;
                } else if current.is_empty() && CONTROL_PREFIXES.contains(&w.raw.as_str()) {
                    // A control word alone starts nothing by itself; the next word is the command.
                    current.push(w);
                    flush(
                        &mut current,
                        &mut redirects,
                        op_before,
                        None,
                        &mut op_before,
                        &mut script,
                    );
                } else {
                    current.push(w);
                }
            }
            Token::Redirect {
                heredoc,
                needs_target,
            } => {
                if let Some(strip) = heredoc {
                    pending_heredocs.push((String::new(), *strip));
                }
                expect_target = *needs_target;
            }
            Token::Op(op, range) => {
                let op = *op;
                let op_span = (op != Op::Newline).then(|| logical.span(range.start, range.end));
                flush(
                    &mut current,
                    &mut redirects,
                    op,
                    op_span,
                    &mut op_before,
                    &mut script,
                );
                if op == Op::Newline && !pending_heredocs.is_empty() {
                    // Skip the bodies of heredocs opened on this line.
                    i = skip_heredoc_bodies(&tokens, i, text, &mut pending_heredocs);
                }
            }
            Token::Paren => {
                flush(
                    &mut current,
                    &mut redirects,
                    Op::Semi,
                    None,
                    &mut op_before,
                    &mut script,
                );
            }
        }
        i += 1;
    }
    flush(
        &mut current,
        &mut redirects,
        Op::Start,
        None,
        &mut op_before,
        &mut script,
    );
    if let Some(last) = script.commands.last_mut() {
        if last.op_after == Op::Start {
            last.op_after = Op::Newline;
        }
    }
    script
}

/// After a newline token at `i`, skips tokens until every pending heredoc's terminator line
/// has passed; returns the index of the last skipped token.
fn skip_heredoc_bodies(
    tokens: &[Token],
    i: usize,
    text: &str,
    pending: &mut Vec<(String, bool)>,
) -> usize {
    // Find the byte position after this newline: the start of the next token's line.
    let next_start = tokens[i + 1..].iter().find_map(|t| match t {
        Token::Word(r) => Some(r.start),
        _ => None,
    });
    let Some(mut pos) = next_start else {
        pending.clear();
        return tokens.len();
    };
    // Back up to the start of that line.
    pos = text[..pos].rfind('\n').map(|p| p + 1).unwrap_or(0);
    let mut end_of_bodies = pos;
    for (name, strip) in pending.drain(..) {
        let mut line_start = end_of_bodies;
        loop {
            if line_start >= text.len() {
                end_of_bodies = text.len();
                break;
            }
            let line_end = text[line_start..]
                .find('\n')
                .map(|p| line_start + p)
                .unwrap_or(text.len());
            let mut line = &text[line_start..line_end];
            if strip {
                line = line.trim_start_matches('\t');
            }
            let line = line.trim_end_matches('\r');
            line_start = (line_end + 1).min(text.len());
            if line == name || line_end >= text.len() {
                end_of_bodies = line_start;
                break;
            }
        }
    }
    // Skip every token that starts before the end of the bodies.
    let mut j = i;
    while j + 1 < tokens.len() {
        let starts_before = match &tokens[j + 1] {
            Token::Word(r) => r.start < end_of_bodies,
            _ => true,
        };
        if !starts_before {
            break;
        }
        j += 1;
        if let Token::Word(r) = &tokens[j] {
            if r.end >= end_of_bodies {
                break;
            }
        }
    }
    j
}

fn tokenize(text: &str, start: usize) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\n' => {
                tokens.push(Token::Op(Op::Newline, i..i + 1));
                i += 1;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'&' if bytes.get(i + 1) == Some(&b'&') => {
                tokens.push(Token::Op(Op::And, i..i + 2));
                i += 2;
            }
            b'&' if bytes.get(i + 1) == Some(&b'>') => {
                let n = if bytes.get(i + 2) == Some(&b'>') {
                    3
                } else {
                    2
                };
                tokens.push(Token::Redirect {
                    heredoc: None,
                    needs_target: true,
                });
                i += n;
            }
            b'&' => {
                tokens.push(Token::Op(Op::Background, i..i + 1));
                i += 1;
            }
            b'|' if bytes.get(i + 1) == Some(&b'|') => {
                tokens.push(Token::Op(Op::Or, i..i + 2));
                i += 2;
            }
            b'|' => {
                let n = if bytes.get(i + 1) == Some(&b'&') {
                    2
                } else {
                    1
                };
                tokens.push(Token::Op(Op::Pipe, i..i + n));
                i += n;
            }
            b';' => {
                let n = if bytes.get(i + 1) == Some(&b';') {
                    2
                } else {
                    1
                };
                tokens.push(Token::Op(Op::Semi, i..i + n));
                i += n;
            }
            b'(' | b')' => {
                tokens.push(Token::Paren);
                i += 1;
            }
            b'<' | b'>' => i = redirect(bytes, i, &mut tokens),
            b'0'..=b'9' if redirect_after_digits(bytes, i) => {
                while bytes[i].is_ascii_digit() {
                    i += 1;
                }
                i = redirect(bytes, i, &mut tokens);
            }
            _ => {
                let end = word_end(bytes, i);
                let end = (end..=bytes.len())
                    .find(|&e| text.is_char_boundary(e))
                    .unwrap_or(bytes.len());
                if end == i {
                    i += 1;
                } else {
                    tokens.push(Token::Word(i..end));
                    i = end;
                }
            }
        }
    }
    tokens
}

fn redirect_after_digits(bytes: &[u8], mut i: usize) -> bool {
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    matches!(bytes.get(i), Some(b'<' | b'>'))
}

/// Reads a redirection operator at `i`; returns the position after it.
fn redirect(bytes: &[u8], mut i: usize, tokens: &mut Vec<Token>) -> usize {
    let first = bytes[i];
    i += 1;
    if first == b'<' && bytes.get(i) == Some(&b'<') {
        i += 1;
        if bytes.get(i) == Some(&b'<') {
            // Here-string `<<<word`.
            tokens.push(Token::Redirect {
                heredoc: None,
                needs_target: true,
            });
            return i + 1;
        }
        let strip = bytes.get(i) == Some(&b'-');
        if strip {
            i += 1;
        }
        tokens.push(Token::Redirect {
            heredoc: Some(strip),
            needs_target: true,
        });
        return i;
    }
    // `>>`, `>|`, `<>`, `>&N`, `<&N`
    if matches!(bytes.get(i), Some(b'>' | b'|')) || (first == b'<' && bytes.get(i) == Some(&b'>')) {
        i += 1;
    }
    if bytes.get(i) == Some(&b'&') {
        i += 1;
        // `2>&1` or `>&-`: the descriptor is part of the operator.
        let s = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'-') {
            i += 1;
        }
        if i > s {
            tokens.push(Token::Redirect {
                heredoc: None,
                needs_target: false,
            });
            return i;
        }
    }
    tokens.push(Token::Redirect {
        heredoc: None,
        needs_target: true,
    });
    i
}

/// Whether every quote, backtick, `$(…)` and `${…}` of a script is closed. Text appended to
/// a script that is not would land inside the open construct.
pub fn is_balanced(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut depth = 0usize; // open `$(`, `${` and `(`
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b';') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' | b'`' => {
                i = closing_quote(bytes, i);
                if i >= bytes.len() {
                    return false;
                }
            }
            b'"' => {
                let end = double_quoted_end(bytes, i + 1);
                if end > bytes.len() || bytes.get(end - 1) != Some(&b'"') {
                    return false;
                }
                i = end - 1;
            }
            b'(' | b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'(' => depth += 1,
            b')' | b'}' if depth > 0 => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    depth == 0
}

/// The end of a word starting at `i`: quotes, escapes and substitutions are part of it.
fn word_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => break,
            b'\\' => i += 2,
            b'\'' | b'`' => i = closing_quote(bytes, i) + 1,
            b'"' => i = double_quoted_end(bytes, i + 1),
            b'$' if matches!(bytes.get(i + 1), Some(b'(' | b'{')) => {
                i = balanced_end(bytes, i + 1);
            }
            _ => i += 1,
        }
    }
    i.min(bytes.len())
}

/// After an opening `"` at `i - 1`: the position after the closing quote.
fn double_quoted_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return i + 1,
            b'\\' => i += 2,
            b'$' if matches!(bytes.get(i + 1), Some(b'(' | b'{')) => i = balanced_end(bytes, i + 1),
            b'`' => i = closing_quote(bytes, i) + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// From an opening `'` or `` ` `` at `open`: the position of its closing mate, or the end of
/// the text when it has none. Inside backticks a backslash escapes the next byte.
fn closing_quote(bytes: &[u8], open: usize) -> usize {
    let quote = bytes[open];
    let mut i = open + 1;
    while i < bytes.len() && bytes[i] != quote {
        if quote == b'`' && bytes[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i.min(bytes.len())
}

/// From an opening `(` or `{` at `i`: the position after its matching closer.
fn balanced_end(bytes: &[u8], mut i: usize) -> usize {
    let (open, close) = if bytes[i] == b'(' {
        (b'(', b')')
    } else {
        (b'{', b'}')
    };
    let mut depth = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if b == open {
            depth += 1;
        } else if b == close {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        } else if b == b'\\' {
            i += 1;
        } else if b == b'\'' && open == b'(' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'\'' {
                i += 1;
            }
        } else if b == b'"' {
            i = double_quoted_end(bytes, i + 1);
            continue;
        }
        i += 1;
    }
    bytes.len()
}

/// The value of a shell word: quotes removed, backslash escapes resolved (outside single
/// quotes); `$…` substitutions are kept as written.
pub fn shell_unquote(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => out.push(c),
            (Some(_), '"') => quote = None,
            (Some(_), '\\') => match chars.peek() {
                Some(&n) if matches!(n, '"' | '\\' | '$' | '`') => {
                    out.push(n);
                    chars.next();
                }
                _ => out.push('\\'),
            },
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            (None, '\'' | '"') => quote = Some(c),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(text: &str) -> Vec<(Vec<String>, Op, Op)> {
        let logical = Logical::contiguous(text, 0);
        parse(text, 0, &logical)
            .commands
            .into_iter()
            .map(|c| {
                (
                    c.words.iter().map(|w| w.value.clone()).collect(),
                    c.op_before,
                    c.op_after,
                )
            })
            .collect()
    }

    fn words(text: &str) -> Vec<Vec<String>> {
        commands(text).into_iter().map(|c| c.0).collect()
    }

    #[test]
    fn splits_on_operators() {
        let c = commands("apt-get update && apt-get install -y curl || true; echo a | grep b");
        assert_eq!(c.len(), 5);
        assert_eq!(c[1].0, vec!["apt-get", "install", "-y", "curl"]);
        assert_eq!((c[1].1, c[1].2), (Op::And, Op::Or));
        assert_eq!(c[3].2, Op::Pipe);
    }

    #[test]
    fn balanced_scripts() {
        assert!(is_balanced(
            "apt-get install -y curl && echo \"a $(b) ${c}\" 'd' `e`"
        ));
        assert!(is_balanced("echo # it's a comment"));
        assert!(!is_balanced("echo `unterminated && rm x"));
        assert!(!is_balanced("echo \"open && rm x"));
        assert!(!is_balanced("echo 'open && rm x"));
        assert!(!is_balanced("echo $(open && rm x"));
    }

    #[test]
    fn quotes_and_substitutions_stay_in_words() {
        assert_eq!(
            words("echo \"a && b\" 'c | d' $(cat x | wc -l) ${X:-y} `date`"),
            vec![vec![
                "echo",
                "a && b",
                "c | d",
                "$(cat x | wc -l)",
                "${X:-y}",
                "`date`"
            ]]
        );
    }

    #[test]
    fn control_words_and_redirects() {
        assert_eq!(
            words("if [ -f x ]; then apt-get install -y a > /dev/null 2>&1; fi"),
            vec![
                vec!["[", "-f", "x", "]"],
                vec!["apt-get", "install", "-y", "a"]
            ]
        );
        assert_eq!(words("{ echo a; }"), vec![vec!["echo", "a"]]);
    }

    #[test]
    fn case_patterns_are_not_commands_or_pipes() {
        let text =
            "case \"$arch\" in\n  amd64|arm64) CFLAGS=x ;;\n  (i386) ;;\n  *) a | b ;;\nesac; make";
        assert_eq!(
            words(text),
            vec![vec!["CFLAGS=x"], vec!["a"], vec!["b"], vec!["make"]]
        );
        let c = commands(text);
        assert_eq!(c.iter().filter(|c| c.2 == Op::Pipe).count(), 1);
        // Nested, and on one line after `then`.
        assert_eq!(
            words("if x; then case $a in a|b) case $b in c|d) e;; esac;; esac; fi"),
            vec![vec!["x"], vec!["e"]]
        );
    }

    #[test]
    fn comments_and_heredoc_bodies_are_skipped() {
        let text = "set -e # comment && rm\ncat <<EOF > /x\napt-get install y\nEOF\necho done\n";
        assert_eq!(
            words(text),
            vec![vec!["set", "-e"], vec!["cat"], vec!["echo", "done"]]
        );
    }

    #[test]
    fn program_skips_assignments_and_wrappers() {
        let text = "DEBIAN_FRONTEND=noninteractive sudo -E /usr/bin/apt-get -qqy install x";
        let logical = Logical::contiguous(text, 0);
        let s = parse(text, 0, &logical);
        let c = &s.commands[0];
        assert_eq!(c.program(), Some("apt-get"));
        assert!(c.has_option(&['y'], &["yes"]));
        assert!(!c.has_option(&['n'], &["no-install-recommends"]));
        assert_eq!(c.subcommand().map(|w| w.value.as_str()), Some("install"));
    }

    #[test]
    fn operator_spans() {
        let text = "a | b |& c && d";
        let logical = Logical::contiguous(text, 10);
        let s = parse(text, 0, &logical);
        let spans: Vec<_> = s.commands.iter().map(|c| c.op_after_span.clone()).collect();
        assert_eq!(spans, vec![Some(12..13), Some(16..18), Some(21..23), None]);
    }

    #[test]
    fn command_v_is_a_lookup() {
        let text = "command -v sudo && command sudo make";
        let logical = Logical::contiguous(text, 0);
        let s = parse(text, 0, &logical);
        assert_eq!(s.commands[0].program(), Some("command"));
        assert_eq!(s.commands[1].program(), Some("make"));
    }

    #[test]
    fn spans_map_back() {
        let text = "RUN a && b";
        let logical = Logical::contiguous(text, 100);
        let s = parse(text, 4, &logical);
        assert_eq!(s.commands[1].span, 109..110);
    }
}
