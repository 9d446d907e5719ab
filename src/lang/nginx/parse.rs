//! A lossless nginx lexer and parser that mirrors `ngx_conf_read_token` (nginx's own
//! tokenizer) rule for rule, with byte spans for every name, argument, brace and comment:
//!
//! - a token is a run of characters up to a space, tab, CR, LF, `;` or `{`; `"…"` and `'…'`
//!   are quoted tokens, and after a closing quote only a space, `;`, `{` or `)` may follow;
//! - `\` makes the next character literal everywhere (quoted or not); in the value nginx turns
//!   `\"`, `\'`, `\\` into the character and `\t`, `\r`, `\n` into control characters, and
//!   keeps any other `\x` as it is;
//! - `{` right after `$` does not end a token (`${var}`), quoted or not;
//! - `#` starts a comment and `}` closes a block only at the start of a token (`a#b`, `a}` are
//!   one token each);
//! - `location ~*\.php$` (a modifier glued to its regex) is one token, as nginx reads it.
//!
//! The parser builds the block tree with an explicit stack (no recursion: deep nesting cannot
//! overflow the stack; past [`MAX_DEPTH`] levels blocks are read but not kept), recovers after
//! every error and reports where the real cause is: the directive missing its `;` (also when the
//! next directive on a new line was read as its arguments, which nginx reports later as
//! `invalid parameter`), the unclosed quote, the stray `}`, the end of file with the unclosed
//! block's `{` as a label. `*_by_lua_block` bodies are kept as raw text (skipped with a
//! Lua-aware scanner); `map`, `types`, `geo`, `split_clients`, `match` and `charset_map` bodies
//! are key/value lines, kept as [`Directive`]s of a [`BlockKind::Data`] block.

use super::directives::{self, ctx};
use crate::diagnostic::Span;

/// Blocks nested deeper than this are read (their braces counted) but not kept in the tree.
pub const MAX_DEPTH: usize = 64;

/// A parsed file: the top-level directives, every comment, and the syntax errors.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub directives: Vec<Directive>,
    pub comments: Vec<CommentToken>,
    pub errors: Vec<SyntaxError>,
}

/// A `#` comment (outside quotes, at the start of a token), up to the end of its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentToken {
    /// From `#` to the end of the line (line break excluded).
    pub span: Span,
    /// The text after `#`.
    pub body: Span,
    /// Only blanks before it on its line.
    pub own_line: bool,
}

/// A syntax error (NGX001): where, what, and optionally a second place (the unclosed `{`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    pub label: Option<(Span, String)>,
}

/// The error of a block `name` (opened at `open`) that the file ends inside; `others` tells
/// of the blocks around it that are open too.
fn unclosed_at_eof(text_len: u32, name: &str, open: &Span, others: &str) -> SyntaxError {
    SyntaxError {
        span: text_len..text_len,
        message: format!("unexpected end of file, expecting \"}}\" to close \"{name}\"{others}"),
        label: Some((open.clone(), "this block is never closed".into())),
    }
}

/// One directive: `name args… ;` or `name args… { … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The name as nginx reads it (quotes removed, escapes resolved).
    pub name: String,
    /// The name token as written (quotes included when quoted).
    pub name_span: Span,
    pub args: Vec<Arg>,
    pub block: Option<Block>,
    /// From the name to the `;` or the closing `}` (to the last token when neither came).
    pub span: Span,
    /// The `;` that ends it, when it has one.
    pub semicolon: Option<Span>,
}

/// One argument token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The value as nginx reads it: quotes removed, `\" \' \\ \t \r \n` resolved.
    pub value: String,
    /// The token as written, quotes included.
    pub span: Span,
    /// Written in `"…"` or `'…'`.
    pub quoted: bool,
}

/// What a block's body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// Directives (`http`, `server`, `location`, `if`, …).
    Directives,
    /// Key/value lines (`map`, `types`, `geo`, `split_clients`, `match`, `charset_map`): each
    /// line is a [`Directive`] whose name is the key; they are data, not directives.
    Data,
    /// Raw text (`*_by_lua_block`): no children; the body is [`Block::inner`].
    Raw,
}

/// The `{ … }` of a block directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The `{`.
    pub open: Span,
    /// The `}`; `None` when the file ended first.
    pub close: Option<Span>,
    pub directives: Vec<Directive>,
}

impl Block {
    /// The text between the braces (to the end of file when unclosed).
    pub fn inner(&self, text_len: u32) -> Span {
        self.open.end..self.close.as_ref().map_or(text_len, |c| c.start)
    }
}

impl Arg {
    /// Whether the value is exactly `s`, ASCII case-insensitively (how nginx compares
    /// keywords such as `on`, `off`, `default_server`).
    pub fn is(&self, s: &str) -> bool {
        self.value.eq_ignore_ascii_case(s)
    }
}

impl Directive {
    /// The `i`-th argument (0 = the first after the name).
    pub fn arg(&self, i: usize) -> Option<&Arg> {
        self.args.get(i)
    }

    /// The value of the `i`-th argument.
    pub fn arg_value(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|a| a.value.as_str())
    }

    /// The directives of its block (none for a directive without a block or a raw block).
    pub fn children(&self) -> &[Directive] {
        self.block.as_ref().map_or(&[], |b| b.directives.as_slice())
    }

    /// The children named `name`, in order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Directive> {
        self.children().iter().filter(move |d| d.name == name)
    }

    /// The first child named `name`.
    pub fn find(&self, name: &str) -> Option<&Directive> {
        self.children().iter().find(|d| d.name == name)
    }

    /// Whether it has a `{ … }` block.
    pub fn is_block(&self) -> bool {
        self.block.is_some()
    }

    /// Whether its block holds key/value data (`map`, `types`, …) rather than directives.
    pub fn is_data_block(&self) -> bool {
        self.block
            .as_ref()
            .is_some_and(|b| b.kind == BlockKind::Data)
    }

    /// From the name to the `{` of its block, or the whole directive without a block: what a
    /// suppression comment above it covers.
    pub fn head_span(&self) -> Span {
        match &self.block {
            Some(b) => self.name_span.start..b.open.end,
            None => self.span.clone(),
        }
    }

    /// The arguments of an `if` without the parentheses: `if ($a = "b c")` gives `$a`, `=`,
    /// `b c` (the `(` and `)` may be glued to the first and last argument or stand alone).
    pub fn if_condition(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.args.iter().map(|a| a.value.as_str()).collect();
        let opens = out.first().is_some_and(|a| a.starts_with('('));
        let closes = out.last().is_some_and(|a| a.ends_with(')'));
        if opens && closes {
            if let Some(first) = out.first_mut() {
                *first = first.get(1..).unwrap_or("").trim_start();
            }
            if let Some(last) = out.last_mut() {
                *last = last
                    .get(..last.len().saturating_sub(1))
                    .unwrap_or("")
                    .trim_end();
            }
            // A `(` or `)` standing alone leaves an empty word; `''` stays.
            if out.last().is_some_and(|a| a.is_empty()) {
                out.pop();
            }
            if out.first().is_some_and(|a| a.is_empty()) {
                out.remove(0);
            }
        }
        out
    }
}

/// One directive met by [`Config::walk`], with the block directives it is inside.
pub struct Visit<'a, 'p> {
    pub directive: &'a Directive,
    /// Outermost first: `[http, server, location]` for a directive in a location.
    pub parents: &'p [&'a Directive],
    /// The nginx context it stands in (a bit of [`ctx`]); 0 inside data, raw and unknown
    /// blocks.
    pub context: u32,
}

impl Config {
    /// The top-level directives named `name`.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Directive> {
        self.directives.iter().filter(move |d| d.name == name)
    }

    /// The first top-level directive named `name`.
    pub fn find(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// Every directive of the tree in document order (data lines of `map`/`types`/… included,
    /// with context 0), with its parents and context; `base` is the context of the top level
    /// (`ctx::MAIN` for a full config, `ctx::HTTP_SERVER` for a fragment included in a
    /// server…). Iterative: no recursion however deep the tree.
    pub fn walk<'a>(&'a self, base: u32, mut f: impl FnMut(&Visit<'a, '_>)) {
        walk_directives(&self.directives, base, &mut f);
    }

    /// Every directive of the tree, in document order (see [`Config::walk`]).
    pub fn all(&self) -> Vec<&Directive> {
        let mut out = Vec::new();
        self.walk(ctx::MAIN, |v| out.push(v.directive));
        out
    }
}

/// [`Config::walk`] over any list of directives (a block's children, an included file's).
pub fn walk_directives<'a>(list: &'a [Directive], base: u32, f: &mut impl FnMut(&Visit<'a, '_>)) {
    // Each frame: the list being walked, the next index in it, its context.
    let mut frames: Vec<(&'a [Directive], usize, u32)> = vec![(list, 0, base)];
    let mut parents: Vec<&'a Directive> = Vec::new();
    while let Some(frame) = frames.last_mut() {
        let (items, index, context) = (frame.0, frame.1, frame.2);
        let Some(d) = items.get(index) else {
            frames.pop();
            parents.pop();
            continue;
        };
        frame.1 += 1;
        f(&Visit {
            directive: d,
            parents: &parents,
            context,
        });
        if let Some(block) = &d.block {
            if block.kind != BlockKind::Raw {
                let inner = if block.kind == BlockKind::Data {
                    0
                } else {
                    child_context(context, &d.name)
                };
                frames.push((&block.directives, 0, inner));
                parents.push(d);
            }
        }
    }
}

/// The context inside the block of directive `name` standing in context `outer`; 0 when
/// nginx has no such context (data blocks, unknown third-party blocks).
pub fn child_context(outer: u32, name: &str) -> u32 {
    use ctx::*;
    match (outer, name) {
        (MAIN, "events") => EVENTS,
        (MAIN, "http") => HTTP,
        (MAIN, "stream") => STREAM,
        (MAIN, "mail") => MAIL,
        (HTTP, "server") => HTTP_SERVER,
        (HTTP, "upstream") => HTTP_UPSTREAM,
        (HTTP_SERVER, "location") | (HTTP_LOCATION, "location") => HTTP_LOCATION,
        (HTTP_SERVER, "if") => HTTP_SERVER_IF,
        (HTTP_LOCATION, "if") => HTTP_LOCATION_IF,
        (HTTP_LOCATION, "limit_except") => HTTP_LIMIT_EXCEPT,
        (STREAM, "server") => STREAM_SERVER,
        (STREAM, "upstream") => STREAM_UPSTREAM,
        (MAIL, "server") => MAIL_SERVER,
        _ => 0,
    }
}

/// Names whose block body is key/value data, not directives.
pub fn is_data_block_name(name: &str) -> bool {
    matches!(
        name,
        "map" | "types" | "geo" | "split_clients" | "match" | "charset_map"
    )
}

/// Names whose block body is raw Lua.
pub fn is_raw_block_name(name: &str) -> bool {
    name.ends_with("_by_lua_block")
}

// ------------------------------------------------------------------------------------ lexer

/// A token as the lexer reads it.
#[derive(Debug, Clone)]
struct Word {
    value: String,
    span: Span,
    quoted: bool,
}

/// How a statement ended (`ngx_conf_read_token`'s return values).
#[derive(Debug)]
enum End {
    /// `;`
    Semicolon(Span),
    /// `{`
    BlockStart(Span),
    /// `}`
    BlockDone(Span),
    /// End of the text.
    Eof,
    /// Ended by error recovery (the end of the line of an unclosed quote).
    Recovered,
}

struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    comments: Vec<CommentToken>,
    errors: Vec<SyntaxError>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn span(start: usize, end: usize) -> Span {
    start as u32..end as u32
}

impl<'t> Lexer<'t> {
    fn new(text: &'t str) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            comments: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn error(&mut self, at: Span, message: impl Into<String>) {
        self.errors.push(SyntaxError {
            span: at,
            message: message.into(),
            label: None,
        });
    }

    /// The span of the (possibly multi-byte) character at `at`.
    fn char_span(&self, at: usize) -> Span {
        let len = self
            .text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8);
        span(at, (at + len).min(self.bytes.len()))
    }

    fn end_of_line(&self, from: usize) -> usize {
        self.bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map_or(self.bytes.len(), |i| from + i)
    }

    fn push_comment(&mut self, hash: usize) -> usize {
        let mut end = self.end_of_line(hash);
        let line_end = end;
        if end > hash && self.bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        let line_start = self.bytes[..hash]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let own_line = self.bytes[line_start..hash]
            .iter()
            .all(|&b| b == b' ' || b == b'\t');
        self.comments.push(CommentToken {
            span: span(hash, end),
            body: span(hash + 1, end),
            own_line,
        });
        line_end
    }

    /// The value of a token: `\" \' \\` → the character, `\t \r \n` → control characters,
    /// any other `\x` kept.
    fn unescape(&self, start: usize, end: usize) -> String {
        let raw = self.text.get(start..end).unwrap_or("");
        if !raw.contains('\\') {
            return raw.to_string();
        }
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.peek() {
                    Some(&q @ ('"' | '\'' | '\\')) => {
                        out.push(q);
                        chars.next();
                        continue;
                    }
                    Some('t') => {
                        out.push('\t');
                        chars.next();
                        continue;
                    }
                    Some('r') => {
                        out.push('\r');
                        chars.next();
                        continue;
                    }
                    Some('n') => {
                        out.push('\n');
                        chars.next();
                        continue;
                    }
                    _ => {}
                }
            }
            out.push(c);
        }
        out
    }

    /// Reads one statement: its tokens and how it ended. Errors are recorded and lexing goes
    /// on as nginx would have if the input were right.
    fn statement(&mut self) -> (Vec<Word>, End) {
        let mut words: Vec<Word> = Vec::new();
        let mut last_space = true;
        let mut need_space = false;
        let mut escaped = false;
        let mut d_quoted = false;
        let mut s_quoted = false;
        let mut variable = false;
        let mut start = self.pos;
        loop {
            let Some(&ch) = self.bytes.get(self.pos) else {
                // End of text.
                if d_quoted || s_quoted {
                    // An unclosed quote: nginx reads to the end of file. The cause is the
                    // quote; recover by ending the token at the end of its line.
                    let quote = start.saturating_sub(1);
                    self.error(
                        span(quote, quote + 1),
                        "unterminated string: this quote is never closed",
                    );
                    let line_end = self.end_of_line(quote);
                    let end = if line_end > start { line_end } else { start };
                    let end = if end > start && self.bytes.get(end - 1) == Some(&b'\r') {
                        end - 1
                    } else {
                        end
                    };
                    words.push(Word {
                        value: self.unescape(start, end),
                        span: span(quote, end),
                        quoted: true,
                    });
                    self.pos = line_end.max(quote + 1);
                    return (words, End::Recovered);
                }
                if !last_space && !need_space {
                    words.push(Word {
                        value: self.unescape(start, self.bytes.len()),
                        span: span(start, self.bytes.len()),
                        quoted: false,
                    });
                }
                return (words, End::Eof);
            };
            let at = self.pos;
            self.pos += 1;

            if escaped {
                escaped = false;
                continue;
            }

            if need_space {
                if is_space(ch) {
                    last_space = true;
                    need_space = false;
                    continue;
                }
                if ch == b';' {
                    return (words, End::Semicolon(span(at, at + 1)));
                }
                if ch == b'{' {
                    return (words, End::BlockStart(span(at, at + 1)));
                }
                if ch == b')' {
                    last_space = true;
                    need_space = false;
                } else {
                    let sp = self.char_span(at);
                    let shown = self
                        .text
                        .get(sp.start as usize..sp.end as usize)
                        .unwrap_or("?");
                    self.error(
                        sp,
                        format!("unexpected \"{shown}\" after a closing quote: a space, \";\" or \"{{\" must follow it"),
                    );
                    // Recover as if a space separated them.
                    last_space = true;
                    need_space = false;
                }
            }

            if last_space {
                start = at;
                if is_space(ch) {
                    continue;
                }
                match ch {
                    b';' | b'{' => {
                        if words.is_empty() {
                            self.error(
                                span(at, at + 1),
                                format!("unexpected \"{}\": no directive before it", ch as char),
                            );
                            if ch == b';' {
                                continue;
                            }
                        }
                        return if ch == b'{' {
                            (words, End::BlockStart(span(at, at + 1)))
                        } else {
                            (words, End::Semicolon(span(at, at + 1)))
                        };
                    }
                    b'}' => return (words, End::BlockDone(span(at, at + 1))),
                    b'#' => {
                        self.pos = self.push_comment(at);
                        continue;
                    }
                    b'\\' => {
                        escaped = true;
                        last_space = false;
                        continue;
                    }
                    b'"' => {
                        start = at + 1;
                        d_quoted = true;
                        last_space = false;
                        continue;
                    }
                    b'\'' => {
                        start = at + 1;
                        s_quoted = true;
                        last_space = false;
                        continue;
                    }
                    b'$' => {
                        variable = true;
                        last_space = false;
                        continue;
                    }
                    _ => {
                        last_space = false;
                    }
                }
            } else {
                if ch == b'{' && variable {
                    continue;
                }
                variable = false;
                if ch == b'\\' {
                    escaped = true;
                    continue;
                }
                if ch == b'$' {
                    variable = true;
                    continue;
                }
                let mut found = false;
                let mut quoted = false;
                if d_quoted {
                    if ch == b'"' {
                        d_quoted = false;
                        need_space = true;
                        found = true;
                        quoted = true;
                    }
                } else if s_quoted {
                    if ch == b'\'' {
                        s_quoted = false;
                        need_space = true;
                        found = true;
                        quoted = true;
                    }
                } else if is_space(ch) || ch == b';' || ch == b'{' {
                    last_space = true;
                    found = true;
                }
                if found {
                    let (raw_start, raw_end) = if quoted {
                        (start - 1, at + 1)
                    } else {
                        (start, at)
                    };
                    words.push(Word {
                        value: self.unescape(start, at),
                        span: span(raw_start, raw_end),
                        quoted,
                    });
                    if ch == b';' {
                        return (words, End::Semicolon(span(at, at + 1)));
                    }
                    if ch == b'{' {
                        return (words, End::BlockStart(span(at, at + 1)));
                    }
                }
            }
        }
    }

    /// Skips a Lua body from just after its `{`: returns the offset of the matching `}`, or
    /// `None` at the end of the text. Lua strings (`'…'`, `"…"`, `[[…]]`, `[==[…]==]`) and
    /// comments (`--…`, `--[[…]]`) may hold braces.
    fn skip_lua(&mut self) -> Option<usize> {
        let b = self.bytes;
        let mut i = self.pos;
        let mut depth = 1usize;
        while let Some(&c) = b.get(i) {
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                b'-' if b.get(i + 1) == Some(&b'-') => {
                    if let Some(end) = long_bracket_end(b, i + 2) {
                        i = end;
                        continue;
                    }
                    i = self.end_of_line(i);
                    continue;
                }
                b'[' => {
                    if let Some(end) = long_bracket_end(b, i) {
                        i = end;
                        continue;
                    }
                }
                b'"' | b'\'' => {
                    let quote = c;
                    i += 1;
                    while let Some(&s) = b.get(i) {
                        if s == b'\\' {
                            i += 2;
                            continue;
                        }
                        if s == quote || s == b'\n' {
                            break;
                        }
                        i += 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }
}

/// If `b[at..]` opens a Lua long bracket (`[[`, `[=[`, …), the offset just past its closing
/// bracket (or the end of the text).
fn long_bracket_end(b: &[u8], at: usize) -> Option<usize> {
    if b.get(at) != Some(&b'[') {
        return None;
    }
    let mut level = 0;
    let mut i = at + 1;
    while b.get(i) == Some(&b'=') {
        level += 1;
        i += 1;
    }
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    while i < b.len() {
        if b[i] == b']' {
            let mut j = i + 1;
            let mut l = 0;
            while b.get(j) == Some(&b'=') {
                l += 1;
                j += 1;
            }
            if l == level && b.get(j) == Some(&b']') {
                return Some(j + 1);
            }
        }
        i += 1;
    }
    Some(b.len())
}

// ----------------------------------------------------------------------------------- parser

/// An open block: the directive that opened it, and the children read so far.
struct Frame {
    directive: Directive,
    kind: BlockKind,
    children: Vec<Directive>,
}

/// Parses an nginx configuration text. Never fails: what could not be read is in `errors`.
pub fn parse(text: &str) -> Config {
    let mut lx = Lexer::new(text);
    let mut top: Vec<Directive> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // Blocks opened past MAX_DEPTH: counted, not kept.
    let mut skipped_depth = 0usize;
    let text_len = text.len() as u32;
    loop {
        let (words, end) = lx.statement();
        let in_data = stack.last().is_some_and(|f| f.kind == BlockKind::Data);
        if skipped_depth > 0 {
            match end {
                End::BlockStart(_) => skipped_depth += 1,
                End::BlockDone(_) => skipped_depth -= 1,
                End::Semicolon(_) | End::Recovered => {}
                End::Eof => {}
            }
            if !matches!(end, End::Eof) {
                continue;
            }
            skipped_depth = 0;
        }
        match end {
            End::Semicolon(semi) => {
                let mut parts = split_statement(&mut lx, words, in_data, false);
                if let Some(last) = parts.last_mut() {
                    last.span.end = semi.end;
                    last.semicolon = Some(semi);
                }
                for d in parts {
                    push(&mut stack, &mut top, d);
                }
            }
            End::Recovered => {
                for d in split_statement(&mut lx, words, in_data, false) {
                    push(&mut stack, &mut top, d);
                }
            }
            End::BlockStart(open) => {
                let mut parts = split_statement(&mut lx, words, in_data, true);
                let last = parts.pop();
                for d in parts {
                    push(&mut stack, &mut top, d);
                }
                let mut d = match last {
                    Some(d) => d,
                    // `{` with no directive before it: an anonymous block, kept so that the
                    // braces stay balanced.
                    None => Directive {
                        name: String::new(),
                        name_span: open.start..open.start,
                        args: Vec::new(),
                        block: None,
                        span: open.clone(),
                        semicolon: None,
                    },
                };
                if is_raw_block_name(&d.name) {
                    match lx.skip_lua() {
                        Some(close) => {
                            lx.pos = close + 1;
                            d.span.end = close as u32 + 1;
                            d.block = Some(Block {
                                kind: BlockKind::Raw,
                                open,
                                close: Some(span(close, close + 1)),
                                directives: Vec::new(),
                            });
                        }
                        None => {
                            lx.pos = text.len();
                            lx.errors
                                .push(unclosed_at_eof(text_len, &d.name, &open, ""));
                            d.span.end = text_len;
                            d.block = Some(Block {
                                kind: BlockKind::Raw,
                                open,
                                close: None,
                                directives: Vec::new(),
                            });
                        }
                    }
                    push(&mut stack, &mut top, d);
                    continue;
                }
                if stack.len() >= MAX_DEPTH {
                    lx.error(
                        open,
                        format!("blocks nested more than {MAX_DEPTH} levels deep are not checked"),
                    );
                    skipped_depth = 1;
                    continue;
                }
                let kind = if in_data || is_data_block_name(&d.name) {
                    BlockKind::Data
                } else {
                    BlockKind::Directives
                };
                d.block = Some(Block {
                    kind,
                    open,
                    close: None,
                    directives: Vec::new(),
                });
                stack.push(Frame {
                    directive: d,
                    kind,
                    children: Vec::new(),
                });
            }
            End::BlockDone(close) => {
                if !words.is_empty() {
                    let parts = split_statement(&mut lx, words, in_data, false);
                    if let Some(last) = parts.last() {
                        lx.errors.push(SyntaxError {
                            span: last.name_span.start..last.span.end,
                            message: format!(
                                "missing \";\" at the end of \"{}\" (before \"}}\")",
                                last.name
                            ),
                            label: None,
                        });
                    }
                    for d in parts {
                        push(&mut stack, &mut top, d);
                    }
                }
                match stack.pop() {
                    Some(frame) => {
                        let mut d = frame.directive;
                        d.span.end = close.end;
                        if let Some(b) = &mut d.block {
                            b.close = Some(close);
                            b.directives = frame.children;
                        }
                        push(&mut stack, &mut top, d);
                    }
                    None => lx.error(close, "unexpected \"}\": no block is open here"),
                }
            }
            End::Eof => {
                let parts = split_statement(&mut lx, words, in_data, false);
                if let Some(last) = parts.last() {
                    lx.errors.push(SyntaxError {
                        span: last.name_span.start..last.span.end,
                        message: format!(
                            "unexpected end of file: \"{}\" is not terminated by \";\"",
                            last.name
                        ),
                        label: None,
                    });
                }
                for d in parts {
                    push(&mut stack, &mut top, d);
                }
                // Close what is still open, innermost first; one error, as nginx gives (a
                // file that opens thousands of blocks is one mistake).
                let still_open = stack.len();
                while let Some(frame) = stack.pop() {
                    let mut d = frame.directive;
                    let open = d.block.as_ref().map_or(0..0, |b| b.open.clone());
                    if stack.len() + 1 == still_open {
                        let others = match still_open - 1 {
                            0 => String::new(),
                            1 => " (and 1 block around it)".to_string(),
                            n => format!(" (and {n} blocks around it)"),
                        };
                        lx.errors
                            .push(unclosed_at_eof(text_len, &d.name, &open, &others));
                    }
                    let last_end = frame.children.last().map_or(open_end(&d), |c| c.span.end);
                    d.span.end = last_end;
                    if let Some(b) = &mut d.block {
                        b.directives = frame.children;
                    }
                    push(&mut stack, &mut top, d);
                }
                break;
            }
        }
    }
    let mut errors = lx.errors;
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Config {
        directives: top,
        comments: lx.comments,
        errors,
    }
}

fn open_end(d: &Directive) -> u32 {
    d.block.as_ref().map_or(d.span.end, |b| b.open.end)
}

fn push(stack: &mut [Frame], top: &mut Vec<Directive>, d: Directive) {
    match stack.last_mut() {
        Some(frame) => frame.children.push(d),
        None => top.push(d),
    }
}

/// Turns a statement's words into directives: normally one, but when a word that starts a
/// new line is a known directive name and both parts have a valid number of arguments, the
/// `;` of the first part is missing (`listen 80` ⏎ `server_name a;`): report it and split.
/// Data lines (`map`, `types` bodies) are never split. The last directive has no `;` yet.
fn split_statement(
    lx: &mut Lexer,
    words: Vec<Word>,
    in_data: bool,
    opens_block: bool,
) -> Vec<Directive> {
    let mut out = Vec::new();
    if words.is_empty() {
        return out;
    }
    let mut cuts: Vec<usize> = Vec::new();
    if !in_data && words.len() > 1 {
        let candidates: Vec<usize> = (1..words.len())
            .filter(|&i| {
                let w = &words[i];
                !w.quoted
                    && starts_line(lx.bytes, words[i - 1].span.end, w.span.start)
                    && directives::is_known(&w.value)
            })
            .collect();
        let mut head = 0;
        for (k, &i) in candidates.iter().enumerate() {
            let next = candidates.get(k + 1).copied().unwrap_or(words.len());
            // The head gets a `;`; the tail ends the statement when it is the last part.
            let head_ok = directives::lookup(&words[head].value)
                .iter()
                .any(|s| !s.block && s.takes(i - head - 1));
            let block_tail = next == words.len() && opens_block;
            let tail_ok = directives::lookup(&words[i].value)
                .iter()
                .any(|s| s.block == block_tail && s.takes(next - i - 1));
            if head_ok && tail_ok {
                cuts.push(i);
                head = i;
            }
        }
    }
    let mut bounds = vec![0];
    bounds.extend(cuts.iter().copied());
    bounds.push(words.len());
    for pair in bounds.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let Some(part) = words.get(from..to) else {
            continue;
        };
        let Some((name, args)) = part.split_first() else {
            continue;
        };
        let end = args.last().map_or(name.span.end, |a| a.span.end);
        let d = Directive {
            name: name.value.clone(),
            name_span: name.span.clone(),
            args: args
                .iter()
                .map(|w| Arg {
                    value: w.value.clone(),
                    span: w.span.clone(),
                    quoted: w.quoted,
                })
                .collect(),
            block: None,
            span: name.span.start..end,
            semicolon: None,
        };
        if to != words.len() {
            lx.errors.push(SyntaxError {
                span: d.name_span.start..end,
                message: format!(
                    "missing \";\" at the end of \"{}\": the next line was read as its arguments",
                    d.name
                ),
                label: None,
            });
        }
        out.push(d);
    }
    out
}

/// Whether a line break separates byte `prev_end` and byte `start`.
fn starts_line(bytes: &[u8], prev_end: u32, start: u32) -> bool {
    bytes
        .get(prev_end as usize..start as usize)
        .is_some_and(|gap| gap.contains(&b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[Directive]) -> Vec<&str> {
        list.iter().map(|d| d.name.as_str()).collect()
    }

    fn values(d: &Directive) -> Vec<&str> {
        d.args.iter().map(|a| a.value.as_str()).collect()
    }

    #[test]
    fn simple_tree_with_spans() {
        let text = "http {\n  server {\n    listen 80;\n  }\n}\n";
        let c = parse(text);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let http = &c.directives[0];
        assert_eq!(http.name, "http");
        assert_eq!(
            &text[http.span.start as usize..http.span.end as usize],
            &text[..text.len() - 1]
        );
        let server = http.find("server").unwrap();
        let listen = server.find("listen").unwrap();
        assert_eq!(values(listen), ["80"]);
        assert_eq!(
            &text[listen.span.start as usize..listen.span.end as usize],
            "listen 80;"
        );
        assert_eq!(listen.args[0].span, 29..31);
    }

    #[test]
    fn quotes_and_escapes() {
        let c = parse("log_format main '$a \"$b\" \\'q\\'' \"x\\ty\\zz\";\n");
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let d = &c.directives[0];
        assert_eq!(values(d), ["main", "$a \"$b\" 'q'", "x\ty\\zz"]);
        assert!(d.args[1].quoted && !d.args[0].quoted);
        let c = parse("set $a \"x \\n\";");
        assert_eq!(c.directives[0].args[1].value, "x \n");
    }

    #[test]
    fn variables_with_braces_and_hash_inside_tokens() {
        let c = parse("return 200 ${request_uri}x;\nreturn 200 a#b;\nreturn 200 a};\n");
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(values(&c.directives[0]), ["200", "${request_uri}x"]);
        assert_eq!(values(&c.directives[1]), ["200", "a#b"]);
        assert_eq!(values(&c.directives[2]), ["200", "a}"]);
        assert!(c.comments.is_empty());
    }

    #[test]
    fn location_modifiers_and_if() {
        let c =
            parse("location ~*\\.php$ { }\nlocation ~ \\.(gif|jpg)$ {}\nif ($a = \"b c\") { }\n");
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(values(&c.directives[0]), ["~*\\.php$"]);
        assert_eq!(values(&c.directives[1]), ["~", "\\.(gif|jpg)$"]);
        assert_eq!(c.directives[2].if_condition(), ["$a", "=", "b c"]);
        let c = parse("if ( $a = \"b c\" ) { }");
        assert_eq!(c.directives[0].if_condition(), ["$a", "=", "b c"]);
        let c = parse("if ($a = '') { }");
        assert_eq!(c.directives[0].if_condition(), ["$a", "=", ""]);
    }

    #[test]
    fn dollar_brace_swallows_the_block() {
        let c = parse("location ~ \\.php${\n}\n");
        // nginx reads `\.php${` as one token, then `}` closes nothing.
        assert!(!c.errors.is_empty());
    }

    #[test]
    fn escaped_specials_stay_in_the_token() {
        let c = parse("location /\\{\\;\\}\\ #\\ ab {}\n");
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(values(&c.directives[0]), ["/\\{\\;\\}\\ #\\ ab"]);
    }

    #[test]
    fn comments_are_kept() {
        let text = "# top\nlisten 80; # trailing\n";
        let c = parse(text);
        assert_eq!(c.comments.len(), 2);
        assert!(c.comments[0].own_line && !c.comments[1].own_line);
        assert_eq!(
            &text[c.comments[1].body.start as usize..c.comments[1].body.end as usize],
            " trailing"
        );
    }

    #[test]
    fn lua_blocks_are_raw() {
        let text = "content_by_lua_block {\n  local t = { a = \"}\" } -- }\n  ngx.say([[}]])\n}\nlisten 80;\n";
        let c = parse(text);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(names(&c.directives), ["content_by_lua_block", "listen"]);
        assert_eq!(c.directives[0].block.as_ref().unwrap().kind, BlockKind::Raw);
        let c = parse("\"rewrite_by_lua_block\" { if x then y() end }\n");
        assert!(c.errors.is_empty());
        assert_eq!(c.directives[0].block.as_ref().unwrap().kind, BlockKind::Raw);
    }

    #[test]
    fn map_bodies_are_data() {
        let c = parse("map $a $b { default x; '' close; ~*^foo(?<v>\\d+)$ \"v$v\"; }\n");
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let map = &c.directives[0];
        assert!(map.is_data_block());
        assert_eq!(names(map.children()), ["default", "", "~*^foo(?<v>\\d+)$"]);
    }

    #[test]
    fn missing_semicolon_is_split_and_reported() {
        let text = "server {\n  listen 80\n  server_name a;\n}\n";
        let c = parse(text);
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].span.start, 11);
        assert_eq!(names(c.directives[0].children()), ["listen", "server_name"]);
        // A block directive on the next line.
        let c = parse("worker_processes auto\n\nhttp {\n}\n");
        assert_eq!(c.errors.len(), 1);
        assert_eq!(names(&c.directives), ["worker_processes", "http"]);
        assert!(c.directives[1].is_block());
        // Multi-line arguments are not split.
        let c = parse("log_format main '$a'\n    '$b';\nserver_name a\n  b;\n");
        assert!(c.errors.is_empty());
    }

    #[test]
    fn recovery_positions() {
        // Stray `}`.
        let c = parse("listen 80;\n}\nlisten 81;\n");
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].span, 11..12);
        assert_eq!(c.directives.len(), 2);
        // Unclosed block: error at EOF with the `{` as a label.
        let c = parse("http {\n  server {\n  }\n");
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].label.as_ref().unwrap().0, 5..6);
        // Unclosed quote: at the quote.
        let c = parse("add_header X \"abc;\nlisten 80;\n");
        assert_eq!(c.errors[0].span, 13..14);
        // Missing `;` before `}`.
        let c = parse("server { listen 80 }\n");
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].span.start, 9);
        // After a closing quote.
        let c = parse("return 200 \"a\"b;\n");
        assert_eq!(c.errors[0].span, 14..15);
        // `;` alone.
        let c = parse("listen 80;;\n");
        assert_eq!(c.errors[0].span, 10..11);
        // EOF mid-statement.
        let c = parse("listen 80");
        assert_eq!(c.errors[0].span, 0..9);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let text = "a {".repeat(100_000) + &"}".repeat(100_000);
        let c = parse(&text);
        assert_eq!(c.errors.len(), 1);
        let text = "a {".repeat(100_000);
        let c = parse(&text);
        assert!(!c.errors.is_empty());
        let mut n = 0;
        c.walk(ctx::MAIN, |_| n += 1);
        assert_eq!(n, MAX_DEPTH);
    }

    #[test]
    fn walk_gives_context() {
        let c = parse("http { server { location / { if ($a) { return 403; } } } }\nevents { }\n");
        let mut seen = Vec::new();
        c.walk(ctx::MAIN, |v| {
            seen.push((v.directive.name.clone(), v.context, v.parents.len()))
        });
        assert_eq!(
            seen,
            [
                ("http".to_string(), ctx::MAIN, 0),
                ("server".to_string(), ctx::HTTP, 1),
                ("location".to_string(), ctx::HTTP_SERVER, 2),
                ("if".to_string(), ctx::HTTP_LOCATION, 3),
                ("return".to_string(), ctx::HTTP_LOCATION_IF, 4),
                ("events".to_string(), ctx::MAIN, 0),
            ]
        );
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for text in [
            "\\", "\"", "'", "{", "}", "$", "${", "#", "a \"\\", "é\"", "x 'é", "a;é{", "\"a\"é",
        ] {
            let _ = parse(text);
        }
    }
}
