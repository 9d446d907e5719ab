//! A lossless, BuildKit-faithful Dockerfile parser with byte spans for every instruction, flag,
//! argument, heredoc and comment. It never fails: a bad instruction becomes a syntax error and
//! parsing goes on with the next one.
//!
//! The flow mirrors BuildKit's `parser.go`: parser directives at the top, then logical lines
//! (continuations joined, comment and empty lines inside them dropped), then the keyword, the
//! `--flags`, and the per-instruction argument shape; heredoc bodies follow RUN/COPY/ADD.

use super::shell::{self, Command, Script};
use crate::diagnostic::Span;

/// A logical line: text with continuations removed, and the original byte offset of each byte.
#[derive(Debug, Clone, Default)]
pub struct Logical {
    pub text: String,
    /// `offsets[i]` is the original offset of `text[i]`; one extra entry marks the end.
    offsets: Vec<u32>,
}

impl Logical {
    /// A text that sits contiguously in the original at `base`.
    pub fn contiguous(text: &str, base: u32) -> Logical {
        Logical {
            text: text.to_string(),
            offsets: (0..=text.len() as u32).map(|i| base + i).collect(),
        }
    }

    fn push_str(&mut self, s: &str, base: u32) {
        self.text.push_str(s);
        self.offsets.extend((0..s.len() as u32).map(|i| base + i));
    }

    fn finish(&mut self, end: u32) {
        self.offsets.push(end);
    }

    /// The original byte span of `text[range]`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let start = start.min(self.text.len());
        let end = end.clamp(start, self.text.len());
        let s = self.offsets.get(start).copied().unwrap_or(0);
        if end == start {
            return s..s;
        }
        let e = self.offsets.get(end - 1).map(|o| o + 1).unwrap_or(s);
        s..e.max(s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

impl Kind {
    fn from_keyword(word: &str) -> Kind {
        match word.to_ascii_uppercase().as_str() {
            "ADD" => Kind::Add,
            "ARG" => Kind::Arg,
            "CMD" => Kind::Cmd,
            "COPY" => Kind::Copy,
            "ENTRYPOINT" => Kind::Entrypoint,
            "ENV" => Kind::Env,
            "EXPOSE" => Kind::Expose,
            "FROM" => Kind::From,
            "HEALTHCHECK" => Kind::Healthcheck,
            "LABEL" => Kind::Label,
            "MAINTAINER" => Kind::Maintainer,
            "ONBUILD" => Kind::Onbuild,
            "RUN" => Kind::Run,
            "SHELL" => Kind::Shell,
            "STOPSIGNAL" => Kind::Stopsignal,
            "USER" => Kind::User,
            "VOLUME" => Kind::Volume,
            "WORKDIR" => Kind::Workdir,
            _ => Kind::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Add => "ADD",
            Kind::Arg => "ARG",
            Kind::Cmd => "CMD",
            Kind::Copy => "COPY",
            Kind::Entrypoint => "ENTRYPOINT",
            Kind::Env => "ENV",
            Kind::Expose => "EXPOSE",
            Kind::From => "FROM",
            Kind::Healthcheck => "HEALTHCHECK",
            Kind::Label => "LABEL",
            Kind::Maintainer => "MAINTAINER",
            Kind::Onbuild => "ONBUILD",
            Kind::Run => "RUN",
            Kind::Shell => "SHELL",
            Kind::Stopsignal => "STOPSIGNAL",
            Kind::User => "USER",
            Kind::Volume => "VOLUME",
            Kind::Workdir => "WORKDIR",
            Kind::Unknown => "UNKNOWN",
        }
    }

    /// The flags BuildKit knows for this instruction (others are a syntax error).
    fn known_flags(self) -> &'static [&'static str] {
        match self {
            Kind::From => &["platform"],
            Kind::Copy => &["from", "chown", "chmod", "link", "parents", "exclude"],
            Kind::Add => &[
                "chown",
                "chmod",
                "link",
                "keep-git-dir",
                "checksum",
                "exclude",
                "unpack",
                "parents",
            ],
            Kind::Run => &["mount", "network", "security", "device"],
            Kind::Healthcheck => &[
                "interval",
                "timeout",
                "start-period",
                "start-interval",
                "retries",
            ],
            _ => &[],
        }
    }

    fn takes_flags(self) -> bool {
        !self.known_flags().is_empty()
    }

    /// Instructions whose arguments may be a JSON array (exec form) or shell text.
    fn maybe_json(self) -> bool {
        matches!(
            self,
            Kind::Run
                | Kind::Cmd
                | Kind::Entrypoint
                | Kind::Shell
                | Kind::Add
                | Kind::Copy
                | Kind::Volume
        )
    }
}

/// A word of the arguments: its original span, its text with quotes (continuations removed)
/// and its value with quotes and escapes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub span: Span,
    pub raw: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct Flag {
    /// `--name=value` as a whole.
    pub span: Span,
    pub name: String,
    pub name_span: Span,
    pub value: Option<Word>,
}

/// A `key=value` (or legacy `key value`) pair of ENV, LABEL or ARG.
#[derive(Debug, Clone)]
pub struct Pair {
    pub span: Span,
    pub key: Word,
    /// `None` for `ARG NAME` without a default.
    pub value: Option<Word>,
}

#[derive(Debug, Clone)]
pub struct Heredoc {
    /// The `<<EOF` word on the instruction line.
    pub marker: Span,
    pub name: String,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// A quoted delimiter (`<<'EOF'`): the body is not expanded.
    pub quoted: bool,
    /// The body lines, without the terminator line.
    pub body: Span,
    /// The terminator line; `None` when the heredoc is unterminated.
    pub terminator: Option<Span>,
    /// The file descriptor prefix (`3<<EOF`).
    pub fd: Option<u32>,
}

/// How the arguments of RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD, VOLUME are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// A JSON array of strings; the span covers the brackets.
    Exec { span: Span, items: Vec<Word> },
    /// Plain text (for RUN/CMD/ENTRYPOINT run by the shell).
    Shell,
}

#[derive(Debug, Clone)]
pub struct Instruction {
    pub kind: Kind,
    /// From the keyword to the end of the last line of the instruction (heredoc bodies and
    /// their terminators included), without the final newline.
    pub span: Span,
    pub keyword: Span,
    /// The keyword as written (case kept).
    pub keyword_text: String,
    pub flags: Vec<Flag>,
    /// The logical line from the keyword on.
    pub logical: Logical,
    /// Where the arguments (after the flags) start in `logical.text`.
    pub args_start: usize,
    /// The arguments split into words (quote-aware, BuildKit's `parseWords`), after the flags.
    pub words: Vec<Word>,
    /// The exec/shell form for the instructions that have one.
    pub form: Form,
    /// ENV, LABEL and ARG pairs.
    pub pairs: Vec<Pair>,
    pub heredocs: Vec<Heredoc>,
    /// The shell commands of a shell-form RUN/CMD/ENTRYPOINT or a `HEALTHCHECK CMD` (including
    /// a heredoc body run as a script).
    pub script: Option<Script>,
    /// The instruction that `ONBUILD` triggers.
    pub onbuild: Option<Box<Instruction>>,
}

impl Instruction {
    /// The argument text (continuations removed), after the flags.
    pub fn args_text(&self) -> &str {
        self.logical
            .text
            .get(self.args_start..)
            .unwrap_or("")
            .trim()
    }

    /// The original span of the arguments, after the flags.
    pub fn args_span(&self) -> Span {
        let text = &self.logical.text;
        let start = self.args_start.min(text.len());
        let trimmed_start = start + (text[start..].len() - text[start..].trim_start().len());
        let trimmed_end = text.trim_end().len().max(trimmed_start);
        self.logical.span(trimmed_start, trimmed_end)
    }

    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    pub fn flag_value(&self, name: &str) -> Option<&str> {
        self.flag(name)
            .and_then(|f| f.value.as_ref())
            .map(|v| v.value.as_str())
    }

    /// The exec-form items, if the instruction is written as a JSON array.
    pub fn exec_items(&self) -> Option<&[Word]> {
        match &self.form {
            Form::Exec { items, .. } => Some(items),
            Form::Shell => None,
        }
    }

    pub fn is_exec_form(&self) -> bool {
        matches!(self.form, Form::Exec { .. })
    }

    /// The commands a RUN/CMD/ENTRYPOINT/HEALTHCHECK runs: its shell script, or its exec form
    /// as one command line.
    pub fn commands(&self) -> std::borrow::Cow<'_, [Command]> {
        use std::borrow::Cow;
        match (&self.script, self.exec_items()) {
            (Some(script), _) => Cow::Borrowed(script.commands.as_slice()),
            (None, Some(items)) => Cow::Owned(Command::from_exec(items).into_iter().collect()),
            (None, None) => Cow::Borrowed(&[]),
        }
    }

    /// The paths of COPY/ADD (sources and destination) or VOLUME, whichever form is used.
    pub fn path_args(&self) -> Vec<&Word> {
        match &self.form {
            Form::Exec { items, .. } => items.iter().collect(),
            Form::Shell => self
                .words
                .iter()
                .filter(|w| !self.heredocs.iter().any(|h| h.marker == w.span))
                .collect(),
        }
    }

    /// A `RUN --mount=type=…` of the given type, e.g. `cache` or `secret`.
    pub fn has_mount(&self, mount_type: &str) -> bool {
        self.flags.iter().any(|f| {
            f.name == "mount"
                && f.value.as_ref().is_some_and(|v| {
                    v.value
                        .split(',')
                        .any(|kv| kv.trim() == format!("type={mount_type}"))
                })
        })
    }

    /// Whether the mount flag value of a cache mount targets `path` (or a path below it).
    pub fn has_cache_mount_on(&self, path: &str) -> bool {
        self.flags.iter().any(|f| {
            f.name == "mount"
                && f.value.as_ref().is_some_and(|v| {
                    let parts: Vec<&str> = v.value.split(',').map(str::trim).collect();
                    parts.contains(&"type=cache")
                        && parts.iter().any(|p| {
                            p.strip_prefix("target=")
                                .or_else(|| p.strip_prefix("dst="))
                                .or_else(|| p.strip_prefix("destination="))
                                .is_some_and(|t| t.trim_end_matches('/').starts_with(path))
                        })
                })
        })
    }
}

/// A parser directive at the top of the file (`# syntax=…`, `# escape=…`, `# check=…`).
#[derive(Debug, Clone)]
pub struct Directive {
    pub span: Span,
    pub name: String,
    pub value: String,
    pub value_span: Span,
}

/// A comment line. Comments inside a continuation belong to `inside_instruction`.
#[derive(Debug, Clone)]
pub struct Comment {
    /// The whole line from `#` to its end (no newline).
    pub span: Span,
    /// The text after `#`.
    pub body: Span,
    pub inside_instruction: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub index: usize,
    /// The index of the `FROM` instruction in `Dockerfile::instructions`.
    pub from: usize,
    /// The instructions of the stage: `from` and everything up to the next FROM.
    pub instructions: std::ops::Range<usize>,
    /// The base image word as written.
    pub image: Option<Word>,
    /// `AS name`.
    pub name: Option<Word>,
}

#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    /// The escape character: `\` or `` ` ``.
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub comments: Vec<Comment>,
    pub stages: Vec<Stage>,
    pub errors: Vec<SyntaxError>,
    /// A template or another format under a Dockerfile name: the rules have nothing to say.
    pub not_a_dockerfile: bool,
}

impl Dockerfile {
    pub fn stage_of(&self, instruction: usize) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| s.instructions.contains(&instruction))
    }

    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The stage named `name` (case-insensitive) or with that index.
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| {
                s.name
                    .as_ref()
                    .is_some_and(|n| n.value.eq_ignore_ascii_case(name))
            })
            .or_else(|| name.parse::<usize>().ok().and_then(|i| self.stages.get(i)))
    }

    pub fn stage_instructions<'a>(&'a self, stage: &Stage) -> &'a [Instruction] {
        self.instructions
            .get(stage.instructions.clone())
            .unwrap_or(&[])
    }
}

/// One physical line of the input.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    /// End of the content, without `\n` or `\r\n`.
    end: usize,
    /// Start of the next line.
    next: usize,
}

/// Whether an instruction keyword is template syntax: Go/Jinja/Handlebars/Mustache `{{ … }}`,
/// Jinja `{% … %}` and `{# … #}`, or the end of such a tag (`}}ENV`).
fn is_template_syntax(keyword: &str) -> bool {
    ["{{", "{%", "{#", "}}", "%}"]
        .iter()
        .any(|m| keyword.starts_with(m))
}

fn split_lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::with_capacity(text.len() / 40 + 1);
    let mut start = 0;
    while start < bytes.len() {
        let nl = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| start + p);
        let (end, next) = match nl {
            Some(n) => (n, n + 1),
            None => (bytes.len(), bytes.len()),
        };
        let end = if end > start && bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        lines.push(Line { start, end, next });
        start = next;
    }
    lines
}

fn is_blank(s: &str) -> bool {
    s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\u{feff}')
        .is_empty()
}

fn is_comment_line(s: &str) -> bool {
    s.trim_start_matches([' ', '\t']).starts_with('#')
}

/// If `s` ends with the escape character followed only by blanks, the content before it.
fn strip_continuation(s: &str, escape: char) -> Option<&str> {
    let trimmed = s.trim_end_matches([' ', '\t']);
    let stripped = trimmed.strip_suffix(escape)?;
    Some(stripped)
}

pub fn parse(text: &str) -> Dockerfile {
    Parser::new(text).run()
}

struct Parser<'a> {
    text: &'a str,
    lines: Vec<Line>,
    file: Dockerfile,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser {
            text,
            lines: split_lines(text),
            file: Dockerfile {
                escape: '\\',
                ..Dockerfile::default()
            },
        }
    }

    fn line_text(&self, i: usize) -> &'a str {
        let l = self.lines[i];
        let s = &self.text[l.start..l.end];
        if i == 0 {
            s.strip_prefix('\u{feff}').unwrap_or(s)
        } else {
            s
        }
    }

    fn line_start(&self, i: usize) -> usize {
        let l = self.lines[i];
        if i == 0 && self.text[l.start..].starts_with('\u{feff}') {
            l.start + 3
        } else {
            l.start
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.file.errors.push(SyntaxError {
            span,
            message: message.into(),
        });
    }

    fn run(mut self) -> Dockerfile {
        let mut i = self.read_directives();
        while i < self.lines.len() {
            let line = self.line_text(i);
            if is_blank(line) {
                i += 1;
                continue;
            }
            if is_comment_line(line) {
                self.push_comment(i, false);
                i += 1;
                continue;
            }
            i = self.read_instruction(i);
        }
        self.build_stages();
        self.collapse_if_not_a_dockerfile();
        if self.file.instructions.is_empty() && self.file.errors.is_empty() {
            self.error(0..0, "the file has no instructions");
        }
        self.file
    }

    /// A template or another format under a Dockerfile name yields an error per line; one
    /// finding that says what it is serves the user better.
    fn collapse_if_not_a_dockerfile(&mut self) {
        let unknown: Vec<&Instruction> = self
            .file
            .instructions
            .iter()
            .filter(|i| i.kind == Kind::Unknown)
            .collect();
        // A line that starts with template syntax (`{{ … }}`, `{% … %}`) makes the whole file
        // a template, however few such lines it has.
        let template = unknown.iter().find(|i| is_template_syntax(&i.keyword_text));
        let many = unknown.len() > 5 && unknown.len() * 2 > self.file.instructions.len();
        if !many && template.is_none() {
            return;
        }
        let first = template.copied().unwrap_or(unknown[0]);
        let what = if template.is_some() {
            "template syntax"
        } else {
            "a template?"
        };
        let message = format!(
            "this does not look like a Dockerfile: {} of {} lines start with an unknown instruction, the first `{}` ({what})",
            unknown.len(),
            self.file.instructions.len(),
            first.keyword_text
        );
        let span = first.keyword.clone();
        // Every other error comes from the template's lines too (`FROM {{image}} AS x{{if …`,
        // a JSON array closed by a template expression): one finding says it all.
        self.file.errors.clear();
        self.file.errors.push(SyntaxError { span, message });
        self.file.not_a_dockerfile = true;
    }

    fn push_comment(&mut self, i: usize, inside: bool) {
        let line = self.line_text(i);
        let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
        let start = (self.line_start(i) + lead) as u32;
        let end = self.lines[i].end as u32;
        self.file.comments.push(Comment {
            span: start..end,
            body: (start + 1).min(end)..end,
            inside_instruction: inside,
        });
    }

    /// Reads `# name=value` directives at the top; returns the first line after them.
    fn read_directives(&mut self) -> usize {
        let mut i = 0;
        while i < self.lines.len() {
            let line = self.line_text(i);
            let Some(rest) = line.trim_start_matches([' ', '\t']).strip_prefix('#') else {
                break;
            };
            let Some((name, value)) = rest.split_once('=') else {
                break;
            };
            let name = name.trim();
            if name.is_empty()
                || !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                || !name.chars().all(|c| c.is_ascii_alphanumeric())
            {
                break;
            }
            let lower = name.to_ascii_lowercase();
            if !matches!(lower.as_str(), "syntax" | "escape" | "check") {
                // Unknown directives are comments, and end the directive section.
                break;
            }
            let value_trimmed = value.trim();
            let line_start = self.line_start(i);
            let value_off =
                line_start + (line.len() - value.len()) + (value.len() - value.trim_start().len());
            let value_span = value_off as u32..(value_off + value_trimmed.len()) as u32;
            let span = line_start as u32..self.lines[i].end as u32;
            if self
                .file
                .directives
                .iter()
                .any(|d| d.name.eq_ignore_ascii_case(&lower))
            {
                self.error(
                    span.clone(),
                    format!("only one `{lower}` parser directive can be used"),
                );
            } else if lower == "escape" {
                match value_trimmed {
                    "\\" => self.file.escape = '\\',
                    "`" => self.file.escape = '`',
                    _ => self.error(
                        value_span.clone(),
                        format!("invalid escape character `{value_trimmed}`: must be ` or \\"),
                    ),
                }
            }
            self.push_comment(i, false);
            self.file.directives.push(Directive {
                span,
                name: lower,
                value: value_trimmed.to_string(),
                value_span,
            });
            i += 1;
        }
        i
    }

    /// Reads one instruction starting at line `i`; returns the line after it.
    fn read_instruction(&mut self, first: usize) -> usize {
        let escape = self.file.escape;
        let mut logical = Logical::default();
        let mut i = first;
        let mut last_content_line = first;
        // First line: leading whitespace dropped.
        let line = self.line_text(first);
        let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
        let mut base = self.line_start(first) + lead;
        let mut content = &line[lead..];
        loop {
            match strip_continuation(content, escape) {
                Some(stripped) => {
                    logical.push_str(stripped, base as u32);
                    i += 1;
                    // Comment and empty lines inside a continuation are dropped.
                    while i < self.lines.len() {
                        let l = self.line_text(i);
                        if is_comment_line(l) {
                            self.push_comment(i, true);
                            i += 1;
                        } else if is_blank(l) {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    if i >= self.lines.len() {
                        break;
                    }
                    last_content_line = i;
                    base = self.line_start(i);
                    content = self.line_text(i);
                }
                None => {
                    logical.push_str(content, base as u32);
                    i += 1;
                    break;
                }
            }
        }
        let end_of_logical = self.lines[last_content_line].end as u32;
        logical.finish(end_of_logical);
        let mut inst = self.build_instruction(logical, false);
        // Heredoc bodies follow the instruction line.
        if matches!(inst.kind, Kind::Run | Kind::Copy | Kind::Add) && !inst.is_exec_form() {
            let markers = find_heredocs(&inst);
            for mut h in markers {
                let body_start = self
                    .lines
                    .get(i)
                    .map(|l| l.start)
                    .unwrap_or(self.text.len());
                let mut body_end = body_start;
                let mut terminated = false;
                while i < self.lines.len() {
                    let l = self.lines[i];
                    let mut candidate = &self.text[l.start..l.end];
                    if h.chomp {
                        candidate = candidate.trim_start_matches('\t');
                    }
                    if candidate == h.name {
                        h.terminator = Some(l.start as u32..l.end as u32);
                        terminated = true;
                        i += 1;
                        break;
                    }
                    body_end = l.next;
                    i += 1;
                }
                h.body = body_start as u32..body_end as u32;
                if !terminated {
                    self.error(
                        h.marker.clone(),
                        format!("unterminated heredoc: no line `{}` closes it", h.name),
                    );
                }
                inst.heredocs.push(h);
            }
            if let Some(last) = inst.heredocs.last() {
                let end = match &last.terminator {
                    Some(t) => t.end,
                    None => {
                        let b = last.body.end as usize;
                        // The body ends after a newline; the instruction ends before it.
                        let trimmed = self.text[..b].trim_end_matches(['\n', '\r']).len();
                        trimmed.max(inst.span.end as usize) as u32
                    }
                };
                inst.span.end = end.max(inst.span.end);
            }
            if inst.kind == Kind::Run {
                inst.script = self.run_script(&inst);
            }
        }
        self.check_instruction(&inst);
        self.file.instructions.push(inst);
        i
    }

    /// Builds an instruction from its logical line (also used for the trigger of ONBUILD).
    fn build_instruction(&mut self, logical: Logical, nested: bool) -> Instruction {
        let text = logical.text.as_str();
        let kw_end = text.find([' ', '\t']).unwrap_or(text.len());
        let keyword_text = text[..kw_end].to_string();
        let kind = Kind::from_keyword(&keyword_text);
        let keyword = logical.span(0, kw_end);
        let span = logical.span(0, text.len());
        let mut inst = Instruction {
            kind,
            span,
            keyword,
            keyword_text,
            flags: Vec::new(),
            args_start: kw_end,
            words: Vec::new(),
            form: Form::Shell,
            pairs: Vec::new(),
            heredocs: Vec::new(),
            script: None,
            onbuild: None,
            logical: Logical::default(),
        };
        let escape = self.file.escape;
        let mut pos = kw_end;
        if kind.takes_flags() {
            // Leading `--name[=value]` words are flags; `--` alone or any other word ends them.
            while let Some((w, next)) = next_word(text, pos, escape) {
                let raw = &text[w.clone()];
                if !raw.starts_with("--") || raw == "--" {
                    break;
                }
                let (name, value) = match raw[2..].split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (&raw[2..], None),
                };
                let name_start = w.start + 2;
                let flag = Flag {
                    span: logical.span(w.start, w.end),
                    name: name.to_ascii_lowercase(),
                    name_span: logical.span(name_start, name_start + name.len()),
                    value: value.map(|v| {
                        let vs = name_start + name.len() + 1;
                        Word {
                            span: logical.span(vs, vs + v.len()),
                            raw: v.to_string(),
                            value: unquote(v, escape),
                        }
                    }),
                };
                inst.flags.push(flag);
                pos = next;
            }
            inst.args_start = pos;
        }
        let args_text = &text[inst.args_start..];
        let args_trim = args_text.trim_start_matches([' ', '\t']);
        let args_at = inst.args_start + (args_text.len() - args_trim.len());
        let word_ranges = split_words(text, args_at, escape);
        inst.words = word_ranges
            .iter()
            .map(|r| {
                let raw = &text[r.clone()];
                Word {
                    span: logical.span(r.start, r.end),
                    raw: raw.to_string(),
                    value: unquote(raw, escape),
                }
            })
            .collect();
        if kind.maybe_json() && args_trim.starts_with('[') {
            if let Some(items) = parse_json_array(args_trim.trim_end()) {
                let end = args_at + args_trim.trim_end().len();
                inst.form = Form::Exec {
                    span: logical.span(args_at, end),
                    items: items
                        .into_iter()
                        .map(|(r, value)| Word {
                            span: logical.span(args_at + r.start, args_at + r.end),
                            raw: args_trim[r].to_string(),
                            value,
                        })
                        .collect(),
                };
            } else if !args_trim.trim_end().ends_with(']')
                && matches!(kind, Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Shell)
                && !args_trim.contains('\'')
            {
                let end = args_at + args_trim.trim_end().len();
                self.error(
                    logical.span(args_at, end),
                    format!("unterminated JSON array in {}", kind.as_str()),
                );
            }
        }
        match kind {
            Kind::Env | Kind::Label => {
                inst.pairs = name_value_pairs(&inst.words, &logical, escape, text, args_at)
            }
            Kind::Arg => inst.pairs = inst.words.iter().map(|w| pair_of(w, escape)).collect(),
            // The trigger: a logical line of its own starting at the argument.
            Kind::Onbuild if !nested && args_at < text.len() => {
                let inner = Logical {
                    text: text[args_at..].to_string(),
                    offsets: logical.offsets.get(args_at..).unwrap_or(&[]).to_vec(),
                };
                let trigger = self.build_instruction(inner, true);
                inst.onbuild = Some(Box::new(trigger));
            }
            _ => {}
        }
        if matches!(kind, Kind::Run | Kind::Cmd | Kind::Entrypoint) && inst.form == Form::Shell {
            let script = shell::parse(text, args_at, &logical);
            inst.script = Some(script);
        }
        if kind == Kind::Healthcheck
            && inst
                .words
                .first()
                .is_some_and(|w| w.value.eq_ignore_ascii_case("CMD"))
        {
            let cmd_at = word_ranges.first().map(|r| r.end).unwrap_or(args_at);
            let rest = text[cmd_at..].trim_start();
            let rest_at = text.len() - rest.len();
            if rest.starts_with('[') {
                if let Some(items) = parse_json_array(rest.trim_end()) {
                    inst.form = Form::Exec {
                        span: logical.span(rest_at, rest_at + rest.trim_end().len()),
                        items: items
                            .into_iter()
                            .map(|(r, value)| Word {
                                span: logical.span(rest_at + r.start, rest_at + r.end),
                                raw: rest[r].to_string(),
                                value,
                            })
                            .collect(),
                    };
                }
            }
            if inst.form == Form::Shell {
                inst.script = Some(shell::parse(text, rest_at, &logical));
            }
        }
        inst.logical = logical;
        inst
    }

    /// The shell script a RUN executes: its own commands, plus a heredoc body when the body is
    /// the script (`RUN <<EOF`, `RUN bash <<EOF`).
    fn run_script(&self, inst: &Instruction) -> Option<Script> {
        let mut script = inst.script.clone()?;
        let runs_body = match script.commands.as_slice() {
            [] => true,
            [only] => only.program().is_some_and(|p| {
                matches!(p, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
                    && !only.args().iter().any(|a| a.value == "-c")
            }),
            _ => false,
        };
        if !runs_body {
            return Some(script);
        }
        if let Some(h) = inst.heredocs.first() {
            let body = &self.text[h.body.start as usize..h.body.end as usize];
            let first_line = body.lines().next().unwrap_or("");
            let shebang_ok = !first_line.starts_with("#!")
                || ["sh", "bash", "ash", "dash", "zsh", "ksh"].iter().any(|s| {
                    first_line.ends_with(&format!("/{s}"))
                        || first_line.ends_with(&format!(" {s}"))
                        || first_line.contains(&format!("/{s} "))
                });
            if shebang_ok {
                let logical = Logical::contiguous(body, h.body.start);
                let body_script = shell::parse(&logical.text, 0, &logical);
                script.commands.extend(body_script.commands);
                script.from_heredoc = true;
            }
        }
        Some(script)
    }

    fn check_instruction(&mut self, inst: &Instruction) {
        if inst.kind == Kind::Unknown {
            self.error(
                inst.keyword.clone(),
                format!("unknown instruction `{}`", inst.keyword_text),
            );
            return;
        }
        for f in &inst.flags {
            if !inst.kind.known_flags().contains(&f.name.as_str()) {
                self.error(
                    f.span.clone(),
                    format!("unknown flag `--{}` for {}", f.name, inst.kind.as_str()),
                );
            }
        }
        let n = match &inst.form {
            Form::Exec { items, .. } => items.len(),
            Form::Shell => inst.words.len(),
        };
        let missing = |what: &str| format!("{} requires {what}", inst.kind.as_str());
        match inst.kind {
            Kind::Cmd | Kind::Entrypoint | Kind::Healthcheck => {}
            Kind::Copy | Kind::Add => {
                let has_heredoc = !inst.heredocs.is_empty();
                if n < 2 && !(has_heredoc && n >= 1) {
                    self.error(
                        inst.span_first_line(),
                        missing("at least two arguments: a source and a destination"),
                    );
                }
            }
            Kind::From => {
                let ok = n == 1 || (n == 3 && inst.words[1].value.eq_ignore_ascii_case("as"));
                if !ok {
                    self.error(
                        inst.span_first_line(),
                        "FROM requires either one argument, or three: FROM <image> AS <name>",
                    );
                }
            }
            Kind::Onbuild => match &inst.onbuild {
                None => self.error(inst.span_first_line(), missing("an instruction to trigger")),
                Some(t) if t.kind == Kind::Unknown => self.error(
                    t.keyword.clone(),
                    format!("unknown instruction `{}`", t.keyword_text),
                ),
                Some(_) => {}
            },
            Kind::Env | Kind::Label => {
                if n == 0 {
                    self.error(inst.span_first_line(), missing("at least one argument"));
                }
                for p in &inst.pairs {
                    if p.key.value.is_empty() {
                        self.error(
                            p.span.clone(),
                            format!("{} names can not be blank", inst.kind.as_str()),
                        );
                    } else if p.value.is_none() {
                        self.error(
                            p.span.clone(),
                            format!(
                                "can't find = in `{}`: must be of the form name=value",
                                p.key.raw
                            ),
                        );
                    }
                }
            }
            _ => {
                if n == 0 {
                    self.error(inst.span_first_line(), missing("at least one argument"));
                }
            }
        }
    }

    fn build_stages(&mut self) {
        let froms: Vec<usize> = self
            .file
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == Kind::From)
            .map(|(n, _)| n)
            .collect();
        for (index, &from) in froms.iter().enumerate() {
            let end = froms
                .get(index + 1)
                .copied()
                .unwrap_or(self.file.instructions.len());
            let inst = &self.file.instructions[from];
            let image = inst.words.first().cloned();
            let name = if inst.words.len() == 3 && inst.words[1].value.eq_ignore_ascii_case("as") {
                inst.words.get(2).cloned()
            } else {
                None
            };
            self.file.stages.push(Stage {
                index,
                from,
                instructions: from..end,
                image,
                name,
            });
        }
    }
}

impl Instruction {
    /// The span of the instruction's first physical line, where errors about the whole of it
    /// point.
    pub fn span_first_line(&self) -> Span {
        let offsets = &self.logical.offsets;
        let n = self.logical.text.len();
        let end = (1..n)
            .find(|&i| offsets.get(i) != offsets.get(i - 1).map(|o| o + 1).as_ref())
            .unwrap_or(n);
        self.logical.span(0, end)
    }
}

/// The next whitespace-separated word at or after `pos` (quote- and escape-aware), and the
/// position after it.
fn next_word(text: &str, pos: usize, escape: char) -> Option<(std::ops::Range<usize>, usize)> {
    let bytes = text.as_bytes();
    let mut i = pos;
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    if i >= bytes.len() {
        return None;
    }
    let start = i;
    let mut quote: Option<u8> = None;
    let esc = escape as u8;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == esc && q == b'"' && i + 1 < bytes.len() {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => {
                if b == b' ' || b == b'\t' {
                    break;
                }
                if b == esc && i + 1 < bytes.len() {
                    i += 1;
                } else if b == b'"' || b == b'\'' {
                    quote = Some(b);
                }
            }
        }
        i += 1;
    }
    let end = i.min(bytes.len());
    // Keep the range on char boundaries.
    let end = (end..=bytes.len())
        .find(|&e| text.is_char_boundary(e))
        .unwrap_or(bytes.len());
    Some((start..end, end))
}

fn split_words(text: &str, pos: usize, escape: char) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut p = pos;
    while let Some((r, next)) = next_word(text, p, escape) {
        out.push(r);
        p = next;
    }
    out
}

/// Removes quotes and escapes the way BuildKit's word processing does.
pub fn unquote(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    out.push(c);
                }
            }
            Some(_) => {
                if c == escape {
                    match chars.peek() {
                        Some(&n) if n == '"' || n == escape || n == '$' => {
                            out.push(n);
                            chars.next();
                        }
                        _ => out.push(c),
                    }
                } else if c == '"' {
                    quote = None;
                } else {
                    out.push(c);
                }
            }
            None => {
                if c == escape {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else if c == '"' || c == '\'' {
                    quote = Some(c);
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}

fn pair_of(w: &Word, escape: char) -> Pair {
    match w.raw.find('=') {
        Some(eq) => {
            let key_raw = &w.raw[..eq];
            let value_raw = &w.raw[eq + 1..];
            let key_span = w.span.start..w.span.start + eq as u32;
            let value_span = (key_span.end + 1).min(w.span.end)..w.span.end;
            Pair {
                span: w.span.clone(),
                key: Word {
                    span: key_span,
                    raw: key_raw.to_string(),
                    value: unquote(key_raw, escape),
                },
                value: Some(Word {
                    span: value_span,
                    raw: value_raw.to_string(),
                    value: unquote(value_raw, escape),
                }),
            }
        }
        None => Pair {
            span: w.span.clone(),
            key: w.clone(),
            value: None,
        },
    }
}

/// ENV/LABEL pairs: `k=v k2=v2`, or the legacy `ENV key value with spaces` form when the first
/// word has no `=`.
fn name_value_pairs(
    words: &[Word],
    logical: &Logical,
    escape: char,
    text: &str,
    args_at: usize,
) -> Vec<Pair> {
    let Some(first) = words.first() else {
        return Vec::new();
    };
    if !first.raw.contains('=') {
        // Legacy form: the key is the first word, the value is the rest of the line.
        let key_len = first.raw.len();
        let rest = &text[args_at + key_len..];
        let rest_trim = rest.trim();
        if rest_trim.is_empty() {
            return vec![Pair {
                span: first.span.clone(),
                key: first.clone(),
                value: None,
            }];
        }
        let rest_at = args_at + key_len + (rest.len() - rest.trim_start().len());
        let value_span = logical.span(rest_at, rest_at + rest_trim.len());
        let value = unquote(rest_trim, escape);
        return vec![Pair {
            span: first.span.start..value_span.end,
            key: first.clone(),
            value: Some(Word {
                span: value_span,
                raw: rest_trim.to_string(),
                value,
            }),
        }];
    }
    words.iter().map(|w| pair_of(w, escape)).collect()
}

/// Parses a JSON array of strings; returns each item's byte range in `s` and its value.
fn parse_json_array(s: &str) -> Option<Vec<(std::ops::Range<usize>, String)>> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && matches!(bytes[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    if bytes.first() != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut items = Vec::new();
    skip_ws(&mut i);
    if bytes.get(i) == Some(&b']') {
        i += 1;
        skip_ws(&mut i);
        return (i == bytes.len()).then_some(items);
    }
    loop {
        skip_ws(&mut i);
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let start = i;
        i += 1;
        let mut value = String::new();
        loop {
            let b = *bytes.get(i)?;
            match b {
                b'"' => {
                    i += 1;
                    break;
                }
                b'\\' => {
                    let e = *bytes.get(i + 1)?;
                    match e {
                        b'"' => value.push('"'),
                        b'\\' => value.push('\\'),
                        b'/' => value.push('/'),
                        b'b' => value.push('\u{8}'),
                        b'f' => value.push('\u{c}'),
                        b'n' => value.push('\n'),
                        b'r' => value.push('\r'),
                        b't' => value.push('\t'),
                        b'u' => {
                            let hex = s.get(i + 2..i + 6)?;
                            let cp = u32::from_str_radix(hex, 16).ok()?;
                            value.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                            i += 4;
                        }
                        _ => return None,
                    }
                    i += 2;
                }
                b if b < 0x20 => return None,
                _ => {
                    let ch = s[i..].chars().next()?;
                    value.push(ch);
                    i += ch.len_utf8();
                }
            }
        }
        items.push((start..i, value));
        skip_ws(&mut i);
        match bytes.get(i) {
            Some(b',') => i += 1,
            Some(b']') => {
                i += 1;
                skip_ws(&mut i);
                return (i == bytes.len()).then_some(items);
            }
            _ => return None,
        }
    }
}

/// The heredoc markers (`<<EOF`, `<<-"EOF"`, `3<<EOF`) among the words of a RUN/COPY/ADD.
fn find_heredocs(inst: &Instruction) -> Vec<Heredoc> {
    let mut out = Vec::new();
    for w in &inst.words {
        let raw = w.raw.as_str();
        let digits = raw.len() - raw.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let Some(rest) = raw[digits..].strip_prefix("<<") else {
            continue;
        };
        let (chomp, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let name = unquote(rest, '\\');
        if name.is_empty() || name.contains([' ', '\t']) {
            continue;
        }
        let quoted = rest.contains(['\'', '"']);
        out.push(Heredoc {
            marker: w.span.clone(),
            name,
            chomp,
            quoted,
            body: 0..0,
            terminator: None,
            fd: (digits > 0).then(|| raw[..digits].parse().ok()).flatten(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(f: &Dockerfile) -> Vec<Kind> {
        f.instructions.iter().map(|i| i.kind).collect()
    }

    fn slice<'a>(text: &'a str, s: &Span) -> &'a str {
        &text[s.start as usize..s.end as usize]
    }

    #[test]
    fn continuations_comments_and_blank_lines() {
        let text = "FROM a:1\nRUN apt-get update \\\n  # comment\n\n  && apt-get install -y x\nCMD [\"x\"]\n";
        let f = parse(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(kinds(&f), vec![Kind::From, Kind::Run, Kind::Cmd]);
        let run = &f.instructions[1];
        assert_eq!(
            run.logical.text,
            "RUN apt-get update   && apt-get install -y x"
        );
        assert_eq!(
            slice(text, &run.span),
            "RUN apt-get update \\\n  # comment\n\n  && apt-get install -y x"
        );
        let install = run.words.iter().find(|w| w.value == "install").unwrap();
        assert_eq!(slice(text, &install.span), "install");
        assert_eq!(f.comments.len(), 1);
        assert!(f.comments[0].inside_instruction);
    }

    #[test]
    fn escape_directive_backtick() {
        let text =
            "# escape=`\nFROM mcr.microsoft.com/windows:1\nRUN dir `\n  c:\\\nWORKDIR c:\\app\n";
        let f = parse(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.escape, '`');
        assert_eq!(kinds(&f), vec![Kind::From, Kind::Run, Kind::Workdir]);
        assert_eq!(f.instructions[2].words[0].value, "c:\\app");
    }

    #[test]
    fn heredocs_several_and_comment_after_terminator() {
        let text = "FROM a:1\nRUN <<EOF cat > /x && <<-'END' cat\napt-get update\nEOF\n\tbody\n\tEND\n# a comment\nCOPY <<EOF /etc/x\nhello\nEOF\nCMD [\"x\"]\n";
        let f = parse(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(
            kinds(&f),
            vec![Kind::From, Kind::Run, Kind::Copy, Kind::Cmd]
        );
        let run = &f.instructions[1];
        assert_eq!(run.heredocs.len(), 2);
        assert_eq!(slice(text, &run.heredocs[0].body), "apt-get update\n");
        assert!(run.heredocs[1].chomp && run.heredocs[1].quoted);
        assert!(slice(text, &run.span).ends_with("\tEND"));
        assert_eq!(f.instructions[2].heredocs[0].name, "EOF");
    }

    #[test]
    fn heredoc_body_is_the_script() {
        let text = "FROM a:1\nRUN <<EOF\nset -e\napt-get install -y curl\nEOF\n";
        let f = parse(text);
        let script = f.instructions[1].script.as_ref().unwrap();
        let progs: Vec<_> = script.commands.iter().filter_map(|c| c.program()).collect();
        assert_eq!(progs, vec!["set", "apt-get"]);
        let install = &script.commands[1].words[1];
        assert_eq!(slice(text, &install.span), "install");
    }

    #[test]
    fn unterminated_heredoc_is_an_error() {
        let f = parse("FROM a:1\nRUN <<EOF\necho hi\n");
        assert_eq!(f.errors.len(), 1);
        assert!(f.errors[0].message.contains("unterminated heredoc"));
    }

    #[test]
    fn exec_form_and_flags() {
        let text = "FROM --platform=linux/amd64 a:1 AS build\nCOPY --from=build --chmod=755 [\"a b\", \"/c/\"]\nENTRYPOINT []\nRUN --mount=type=cache,target=/root/.cache pip install x\n";
        let f = parse(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(
            f.instructions[0].flag_value("platform"),
            Some("linux/amd64")
        );
        assert_eq!(f.stages[0].name.as_ref().unwrap().value, "build");
        let copy = &f.instructions[1];
        assert_eq!(copy.flag_value("from"), Some("build"));
        let items = copy.exec_items().unwrap();
        assert_eq!(items[0].value, "a b");
        assert_eq!(slice(text, &items[1].span), "\"/c/\"");
        assert_eq!(f.instructions[2].exec_items().map(|i| i.len()), Some(0));
        assert!(f.instructions[3].has_mount("cache"));
        assert!(f.instructions[3].has_cache_mount_on("/root/.cache"));
    }

    #[test]
    fn env_label_arg_pairs() {
        let text = "FROM a:1\nENV A=1 B=\"two words\"\nENV LEGACY value with spaces\nLABEL maintainer=\"x@y\"\nARG V=1 W\n";
        let f = parse(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let env = &f.instructions[1].pairs;
        assert_eq!(env[1].key.value, "B");
        assert_eq!(env[1].value.as_ref().unwrap().value, "two words");
        assert_eq!(
            slice(text, &env[1].value.as_ref().unwrap().span),
            "\"two words\""
        );
        let legacy = &f.instructions[2].pairs[0];
        assert_eq!(legacy.value.as_ref().unwrap().value, "value with spaces");
        let arg = &f.instructions[4].pairs;
        assert!(arg[1].value.is_none());
    }

    #[test]
    fn recovers_after_bad_instruction() {
        let f = parse("FROM a:1\nFOO bar\nRUN echo hi\nCOPY onlyone\nUSER\n");
        let messages: Vec<_> = f.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert_eq!(
            kinds(&f),
            vec![Kind::From, Kind::Unknown, Kind::Run, Kind::Copy, Kind::User]
        );
    }

    #[test]
    fn onbuild_parses_trigger() {
        let f = parse("FROM a:1\nONBUILD RUN echo hi\nonbuild copy . /app\n");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.instructions[1].onbuild.as_ref().unwrap().kind, Kind::Run);
        assert_eq!(f.instructions[2].onbuild.as_ref().unwrap().kind, Kind::Copy);
        assert!(f.instructions[1].onbuild.as_ref().unwrap().script.is_some());
    }

    #[test]
    fn bom_crlf_and_directives() {
        let text = "\u{feff}# syntax=docker/dockerfile:1\r\nFROM a:1\r\nRUN echo \\\r\n  hi\r\n";
        let f = parse(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.directives[0].name, "syntax");
        assert_eq!(f.instructions[1].logical.text, "RUN echo   hi");
    }

    #[test]
    fn templates_and_empty_files_get_one_error() {
        let template = "{{ set x }}\n{{ if y }}\nfoo\nbar\nbaz\nqux\nFROM a:1\n";
        let f = parse(template);
        assert_eq!(f.errors.len(), 1, "{:?}", f.errors);
        assert!(f.errors[0]
            .message
            .contains("does not look like a Dockerfile"));
        assert_eq!(
            parse("# only a comment\n").errors[0].message,
            "the file has no instructions"
        );
        assert!(parse("FROM a:1\nFOO x\n").errors[0]
            .message
            .starts_with("unknown instruction"));
    }

    #[test]
    fn small_templates_and_template_errors_collapse_to_one() {
        // One template line is enough when it starts with template syntax.
        for template in [
            "{{InsertTemplate(\"Dockerfile.linux\", [ \"is-extra\": \"true\" ])}}\n",
            "{{\n    set dotnetMajor to x\n}}ENV \\\n    A=1\n",
            "{% if x %}\nFROM a:1\n{% endif %}\n",
        ] {
            let f = parse(template);
            assert_eq!(f.errors.len(), 1, "{template:?}: {:?}", f.errors);
            assert!(
                f.errors[0].message.contains("(template syntax)"),
                "{:?}",
                f.errors
            );
        }
        // The errors of the template's other lines are not reported on top.
        let mut text = String::from("FROM {{image}} AS installer{{if internal:\nARG TOKEN}}\n");
        for i in 0..8 {
            text.push_str(&format!("{{{{line{i}}}}}\n"));
        }
        text.push_str("CMD [\"a\", {{x}}\n");
        let f = parse(&text);
        assert_eq!(f.errors.len(), 1, "{:?}", f.errors);
        // Still reported one by one: unknown words that are not template syntax.
        let f = parse("FROM a:1\nFOO x\nBAR y\n");
        assert_eq!(f.errors.len(), 2, "{:?}", f.errors);
        let f = parse("# comment\n    DOTNET_RUNNING_IN_CONTAINER=true\n");
        assert!(f.errors[0].message.starts_with("unknown instruction"));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "",
            "\\",
            "RUN \\",
            "FROM",
            "ONBUILD",
            "COPY <<",
            "RUN <<-",
            "CMD [\"",
            "CMD [\"\\u12\"]",
            "# escape=\nFROM a",
            "ENV =x",
            "RUN \"unterminated",
            "\u{feff}",
            "é\\\né",
            "RUN <<EOF\n",
            "HEALTHCHECK CMD",
            "HEALTHCHECK --interval=5s CMD [\"a\"]",
            "FROM a\nRUN a \\\n",
        ] {
            let _ = parse(text);
        }
    }
}
