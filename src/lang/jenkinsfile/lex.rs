//! Groovy tokens with byte spans, for Jenkinsfiles.
//!
//! Every string form is lexed into a [`StrLit`] with the decoded value of each literal part
//! and a span for each interpolation (`$x`, `$x.y`, `${…}` with nested strings, braces and
//! closures inside): `'…'`, `"…"`, `'''…'''`, `"""…"""`, `/slashy/` (told from division by
//! the token before it) and `$/dollar-slashy/$`. Comments are kept apart (they carry the
//! suppressions); newlines are tokens, since they end Groovy statements. The lexer never
//! fails: what it cannot read becomes an error with a span and lexing goes on.

use crate::diagnostic::Span;

/// How deep strings may nest inside `${…}` before the lexer gives up on the nesting.
const MAX_STRING_NESTING: u32 = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Ident,
    Number,
    /// A string literal: the index of its [`StrLit`] in [`Lexed::strings`].
    Str(u32),
    /// An operator or any other punctuation (`.`, `:`, `=`, `->`, `?.`, …).
    Op,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    /// One or more line breaks (a run of them is one token).
    Newline,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Tok,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrKind {
    /// `'…'`
    Single,
    /// `"…"`
    Double,
    /// `'''…'''`
    TripleSingle,
    /// `"""…"""`
    TripleDouble,
    /// `/…/`
    Slashy,
    /// `$/…/$`
    DollarSlashy,
}

impl StrKind {
    /// Whether `$` starts an interpolation in this kind of string (a GString).
    pub fn interpolates(self) -> bool {
        !matches!(self, StrKind::Single | StrKind::TripleSingle)
    }

    /// The length of the opening delimiter.
    pub fn open_len(self) -> u32 {
        match self {
            StrKind::Single | StrKind::Double | StrKind::Slashy => 1,
            StrKind::DollarSlashy => 2,
            StrKind::TripleSingle | StrKind::TripleDouble => 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrPart {
    /// Literal text: its span in the file (escapes included) and its decoded value.
    Lit { span: Span, value: String },
    /// An interpolation: `span` covers `$x.y` or `${…}`, `expr` the expression inside
    /// (`x.y`, or what is between the braces).
    Interp {
        span: Span,
        expr: Span,
        braced: bool,
    },
}

/// One string literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    pub kind: StrKind,
    /// The whole literal, delimiters included.
    pub span: Span,
    /// The text between the delimiters (up to the end of the file when unterminated).
    pub content: Span,
    pub parts: Vec<StrPart>,
    pub terminated: bool,
}

impl StrLit {
    /// Whether the string has any interpolation.
    pub fn is_interpolated(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, StrPart::Interp { .. }))
    }

    /// The decoded value when the string has no interpolation.
    pub fn literal_value(&self) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                StrPart::Lit { value, .. } => out.push_str(value),
                StrPart::Interp { .. } => return None,
            }
        }
        Some(out)
    }

    /// The interpolations: (whole span, expression span, braced).
    pub fn interpolations(&self) -> impl Iterator<Item = (&Span, &Span, bool)> {
        self.parts.iter().filter_map(|p| match p {
            StrPart::Interp { span, expr, braced } => Some((span, expr, *braced)),
            StrPart::Lit { .. } => None,
        })
    }

    /// The decoded value with each literal part mapped to the file: the text and
    /// `(inner offset, outer offset, length)` pieces, one per run of bytes copied unchanged
    /// (what [`crate::lang::embed::SpanMap`] takes). Interpolations are kept as their source
    /// text.
    pub fn decode_with_map(&self, text: &str) -> (String, Vec<(u32, u32, u32)>) {
        let mut out = String::new();
        let mut pieces = Vec::new();
        for p in &self.parts {
            match p {
                StrPart::Lit { span, .. } => {
                    decode_into(text, span, self.kind, &mut out, Some(&mut pieces));
                }
                StrPart::Interp { span, .. } => {
                    let s = slice(text, span);
                    pieces.push((out.len() as u32, span.start, s.len() as u32));
                    out.push_str(s);
                }
            }
        }
        (out, pieces)
    }
}

/// A `//` or `/* */` comment (or the shebang line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentTok {
    pub span: Span,
    /// The text after `//` or between `/*` and `*/`.
    pub body: Span,
    pub block: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub strings: Vec<StrLit>,
    pub comments: Vec<CommentTok>,
    pub errors: Vec<SyntaxError>,
    /// Whether an unterminated string or comment runs to the end of the text (brackets
    /// opened before it are then not reported as never closed: one error, not a cascade).
    pub runs_to_eof: bool,
}

impl Lexed {
    pub fn string(&self, index: u32) -> Option<&StrLit> {
        self.strings.get(index as usize)
    }
}

fn slice<'t>(text: &'t str, span: &Span) -> &'t str {
    text.get(span.start as usize..span.end as usize)
        .unwrap_or("")
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Operators of more than one character, longest first.
const OPERATORS: &[&str] = &[
    ">>>=", "...", "..<", "<=>", "==~", "===", "!==", "<<=", ">>=", "**=", "?.", "*.", ".&", ".@",
    "?:", "->", "::", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=",
    "&=", "|=", "^=", "=~", "**", "<<", "..",
];

/// Words after which an operand (so a slashy string) can start.
const OPERAND_KEYWORDS: &[&str] = &["return", "case", "in", "assert", "else", "throw", "yield"];

pub fn lex(text: &str) -> Lexed {
    let mut lx = Lexer {
        text,
        b: text.as_bytes(),
        pos: 0,
        out: Lexed::default(),
    };
    lx.run();
    lx.out
}

struct Lexer<'t> {
    text: &'t str,
    b: &'t [u8],
    pos: usize,
    out: Lexed,
}

impl<'t> Lexer<'t> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn starts(&self, i: usize, s: &str) -> bool {
        self.b.get(i..i + s.len()) == Some(s.as_bytes())
    }

    fn push(&mut self, kind: Tok, start: usize, end: usize) {
        self.out.tokens.push(Token {
            kind,
            span: start as u32..end as u32,
        });
    }

    fn error(&mut self, start: usize, end: usize, message: impl Into<String>) {
        self.out.errors.push(SyntaxError {
            span: start as u32..end as u32,
            message: message.into(),
        });
    }

    /// The length of the character at `i` (1 for ASCII and for a stray byte).
    fn char_len(&self, i: usize) -> usize {
        let mut j = i + 1;
        while j < self.b.len() && !self.text.is_char_boundary(j) {
            j += 1;
        }
        j - i
    }

    /// Whether an operand may start here, so `/` opens a slashy string, not a division.
    fn operand_position(&self) -> bool {
        let Some(last) = self.out.tokens.last() else {
            return true;
        };
        match last.kind {
            Tok::Newline | Tok::LParen | Tok::LBracket | Tok::LBrace | Tok::Comma | Tok::Semi => {
                true
            }
            Tok::Op => !matches!(slice(self.text, &last.span), "++" | "--"),
            Tok::Ident => OPERAND_KEYWORDS.contains(&slice(self.text, &last.span)),
            _ => false,
        }
    }

    fn run(&mut self) {
        if self.starts(0, "\u{feff}") {
            self.pos = 3;
        }
        if self.starts(self.pos, "#!") {
            let start = self.pos;
            let end = self.line_end(start);
            self.out.comments.push(CommentTok {
                span: start as u32..end as u32,
                body: (start + 2) as u32..end as u32,
                block: false,
            });
            self.pos = end;
        }
        while self.pos < self.b.len() {
            self.step();
        }
    }

    fn line_end(&self, from: usize) -> usize {
        self.b[from.min(self.b.len())..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.b.len(), |p| from + p)
    }

    fn newline(&mut self, start: usize, end: usize) {
        if let Some(last) = self.out.tokens.last_mut() {
            if last.kind == Tok::Newline {
                last.span.end = end as u32;
                return;
            }
        }
        self.push(Tok::Newline, start, end);
    }

    fn step(&mut self) {
        let start = self.pos;
        let c = self.at(start);
        match c {
            b'\n' => {
                self.pos += 1;
                self.newline(start, self.pos);
            }
            b' ' | b'\t' | b'\r' | 0x0c => self.pos += 1,
            b'\\' if self.at(start + 1) == b'\n' => self.pos += 2,
            b'\\' if self.at(start + 1) == b'\r' && self.at(start + 2) == b'\n' => self.pos += 3,
            b'/' if self.at(start + 1) == b'/' => {
                let end = self.line_end(start);
                self.out.comments.push(CommentTok {
                    span: start as u32..end as u32,
                    body: (start + 2) as u32..end as u32,
                    block: false,
                });
                self.pos = end;
            }
            b'/' if self.at(start + 1) == b'*' => self.block_comment(start),
            b'/' if self.operand_position() => {
                let lit = self.string(start, StrKind::Slashy, 0);
                self.push_string(lit);
            }
            b'$' if self.at(start + 1) == b'/' && self.operand_position() => {
                let lit = self.string(start, StrKind::DollarSlashy, 0);
                self.push_string(lit);
            }
            b'\'' | b'"' => {
                let kind = match (c, self.starts(start, "'''"), self.starts(start, "\"\"\"")) {
                    (_, true, _) => StrKind::TripleSingle,
                    (_, _, true) => StrKind::TripleDouble,
                    (b'\'', ..) => StrKind::Single,
                    _ => StrKind::Double,
                };
                let lit = self.string(start, kind, 0);
                self.push_string(lit);
            }
            b'0'..=b'9' => self.number(start),
            b'.' if self.at(start + 1).is_ascii_digit()
                && !matches!(
                    self.out.tokens.last().map(|t| t.kind),
                    Some(Tok::Ident | Tok::RParen | Tok::RBracket | Tok::Number | Tok::Str(_))
                ) =>
            {
                self.number(start)
            }
            c if is_ident_start(c) => {
                let mut end = start + 1;
                while end < self.b.len() && is_ident_char(self.b[end]) {
                    end += 1;
                }
                self.pos = end;
                self.push(Tok::Ident, start, end);
            }
            b'(' => self.single(Tok::LParen),
            b')' => self.single(Tok::RParen),
            b'[' => self.single(Tok::LBracket),
            b']' => self.single(Tok::RBracket),
            b'{' => self.single(Tok::LBrace),
            b'}' => self.single(Tok::RBrace),
            b',' => self.single(Tok::Comma),
            b';' => self.single(Tok::Semi),
            _ => {
                let len = OPERATORS
                    .iter()
                    .find(|op| self.starts(start, op))
                    .map_or_else(|| self.char_len(start), |op| op.len());
                self.pos = start + len;
                self.push(Tok::Op, start, self.pos);
            }
        }
    }

    fn single(&mut self, kind: Tok) {
        let start = self.pos;
        self.pos += 1;
        self.push(kind, start, self.pos);
    }

    fn push_string(&mut self, lit: StrLit) {
        let index = self.out.strings.len() as u32;
        let span = lit.span.clone();
        self.out.strings.push(lit);
        self.out.tokens.push(Token {
            kind: Tok::Str(index),
            span,
        });
    }

    fn block_comment(&mut self, start: usize) {
        let body_start = start + 2;
        let (end, body_end, closed) = match find(self.b, body_start, b"*/") {
            Some(p) => (p + 2, p, true),
            None => (self.b.len(), self.b.len(), false),
        };
        if !closed {
            self.error(
                start,
                start + 2,
                "unterminated comment: `/*` is never closed",
            );
            self.out.runs_to_eof = true;
        }
        self.out.comments.push(CommentTok {
            span: start as u32..end as u32,
            body: body_start as u32..body_end as u32,
            block: true,
        });
        self.pos = end;
        if self.b[start..end].contains(&b'\n') {
            self.newline(end, end);
        }
    }

    fn number(&mut self, start: usize) {
        let mut i = start;
        if self.at(i) == b'0' && matches!(self.at(i + 1), b'x' | b'X' | b'b' | b'B') {
            i += 2;
            while self.at(i).is_ascii_hexdigit() || self.at(i) == b'_' {
                i += 1;
            }
        } else {
            while self.at(i).is_ascii_digit() || self.at(i) == b'_' {
                i += 1;
            }
            if self.at(i) == b'.' && self.at(i + 1).is_ascii_digit() {
                i += 1;
                while self.at(i).is_ascii_digit() || self.at(i) == b'_' {
                    i += 1;
                }
            }
            if matches!(self.at(i), b'e' | b'E') {
                let mut j = i + 1;
                if matches!(self.at(j), b'+' | b'-') {
                    j += 1;
                }
                if self.at(j).is_ascii_digit() {
                    i = j;
                    while self.at(i).is_ascii_digit() {
                        i += 1;
                    }
                }
            }
        }
        if matches!(
            self.at(i),
            b'g' | b'G' | b'l' | b'L' | b'i' | b'I' | b'd' | b'D' | b'f' | b'F'
        ) {
            i += 1;
        }
        self.pos = i.max(start + 1);
        self.push(Tok::Number, start, self.pos);
    }

    /// Lexes a string of `kind` whose opening delimiter is at `start`; leaves `pos` after it.
    fn string(&mut self, start: usize, kind: StrKind, depth: u32) -> StrLit {
        let content_start = start + kind.open_len() as usize;
        let mut broken_interpolation = false;
        let mut i = content_start;
        let mut parts = Vec::new();
        let mut lit_start = i;
        let mut terminated = false;
        let mut content_end = self.b.len();
        let mut end = self.b.len();
        let close: &[u8] = match kind {
            StrKind::Single => b"'",
            StrKind::Double => b"\"",
            StrKind::TripleSingle => b"'''",
            StrKind::TripleDouble => b"\"\"\"",
            StrKind::Slashy => b"/",
            StrKind::DollarSlashy => b"/$",
        };
        let single_line = matches!(kind, StrKind::Single | StrKind::Double);
        while i < self.b.len() {
            let c = self.b[i];
            if kind == StrKind::DollarSlashy && c == b'$' && matches!(self.at(i + 1), b'$' | b'/') {
                i += 2;
                continue;
            }
            if self.b[i..].starts_with(close) {
                content_end = i;
                end = i + close.len();
                terminated = true;
                break;
            }
            if single_line && c == b'\n' {
                content_end = i;
                end = i;
                break;
            }
            if c == b'\\' && kind != StrKind::DollarSlashy {
                // An escape: the next character is never a delimiter or `$`.
                i += 1 + if i + 1 < self.b.len() {
                    self.char_len(i + 1)
                } else {
                    0
                };
                continue;
            }
            if c == b'$' && kind.interpolates() {
                let next = self.at(i + 1);
                if next == b'{' {
                    self.lit_part(&mut parts, lit_start, i, kind);
                    let (interp_end, expr_end, closed) =
                        self.interpolation(i + 2, depth, single_line);
                    if !closed {
                        broken_interpolation = true;
                    }
                    parts.push(StrPart::Interp {
                        span: i as u32..interp_end as u32,
                        expr: (i + 2) as u32..expr_end as u32,
                        braced: true,
                    });
                    i = interp_end;
                    lit_start = i;
                    if !closed {
                        content_end = i;
                        end = i;
                        break;
                    }
                    continue;
                }
                if is_ident_start(next) && next != b'$' {
                    self.lit_part(&mut parts, lit_start, i, kind);
                    let mut j = i + 1;
                    loop {
                        while j < self.b.len() && is_ident_char(self.b[j]) && self.b[j] != b'$' {
                            j += 1;
                        }
                        if self.at(j) == b'.'
                            && is_ident_start(self.at(j + 1))
                            && self.at(j + 1) != b'$'
                        {
                            j += 1;
                            continue;
                        }
                        break;
                    }
                    parts.push(StrPart::Interp {
                        span: i as u32..j as u32,
                        expr: (i + 1) as u32..j as u32,
                        braced: false,
                    });
                    i = j;
                    lit_start = i;
                    continue;
                }
            }
            i += 1;
        }
        if !terminated && !broken_interpolation {
            if !single_line {
                self.out.runs_to_eof = true;
            }
            content_end = content_end.min(self.b.len());
            let what = match kind {
                StrKind::Slashy => "unterminated slashy string: `/` is never closed",
                StrKind::DollarSlashy => "unterminated dollar-slashy string: `$/` is never closed",
                StrKind::TripleSingle => "unterminated string: `'''` is never closed",
                StrKind::TripleDouble => "unterminated string: `\"\"\"` is never closed",
                StrKind::Single => "unterminated string: `'` is not closed on its line",
                StrKind::Double => "unterminated string: `\"` is not closed on its line",
            };
            self.error(start, content_start.min(self.b.len()), what);
        }
        self.lit_part(&mut parts, lit_start, content_end, kind);
        self.pos = end.max(start + 1).min(self.b.len());
        StrLit {
            kind,
            span: start as u32..self.pos as u32,
            content: content_start.min(self.pos) as u32..content_end as u32,
            parts,
            terminated,
        }
    }

    fn lit_part(&self, parts: &mut Vec<StrPart>, start: usize, end: usize, kind: StrKind) {
        if end <= start {
            return;
        }
        let span = start as u32..end as u32;
        let mut value = String::new();
        decode_into(self.text, &span, kind, &mut value, None);
        parts.push(StrPart::Lit { span, value });
    }

    /// Scans the expression of a `${…}` starting at `from` (after the brace): nested braces,
    /// strings and comments. Returns the end after the closing brace, the end of the
    /// expression and whether it was closed. In a single-line string the expression ends at
    /// the end of the line.
    fn interpolation(
        &mut self,
        from: usize,
        depth: u32,
        single_line: bool,
    ) -> (usize, usize, bool) {
        let mut i = from;
        let mut braces = 0u32;
        let errors_before = self.out.errors.len();
        while i < self.b.len() {
            match self.b[i] {
                b'\n' if single_line => break,
                b'{' => {
                    braces += 1;
                    i += 1;
                }
                b'}' => {
                    if braces == 0 {
                        return (i + 1, i, true);
                    }
                    braces -= 1;
                    i += 1;
                }
                b'/' if self.at(i + 1) == b'/' => i = self.line_end(i),
                b'/' if self.at(i + 1) == b'*' => {
                    i = find(self.b, i + 2, b"*/").map_or(self.b.len(), |p| p + 2);
                }
                b'\'' | b'"' => {
                    if depth >= MAX_STRING_NESTING {
                        self.error(i, i + 1, "strings nested too deeply inside `${…}`");
                        return (self.b.len(), self.b.len(), false);
                    }
                    let kind = if self.starts(i, "'''") {
                        StrKind::TripleSingle
                    } else if self.starts(i, "\"\"\"") {
                        StrKind::TripleDouble
                    } else if self.b[i] == b'\'' {
                        StrKind::Single
                    } else {
                        StrKind::Double
                    };
                    let saved = self.pos;
                    self.string(i, kind, depth + 1);
                    i = self.pos.max(i + 1);
                    self.pos = saved;
                }
                _ => i += 1,
            }
        }
        // One error for the `${`, not one more for each string it swallowed.
        self.out.errors.truncate(errors_before);
        let open = from.saturating_sub(2);
        self.error(
            open,
            from.min(self.b.len()),
            "unterminated `${`: no closing `}`",
        );
        if i >= self.b.len() {
            self.out.runs_to_eof = true;
        }
        (i, i, false)
    }
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Decodes the literal text `span` of a string of `kind` into `out`, recording in `pieces`
/// (when given) each run of bytes copied unchanged as (inner offset, outer offset, length).
fn decode_into(
    text: &str,
    span: &Span,
    kind: StrKind,
    out: &mut String,
    mut pieces: Option<&mut Vec<(u32, u32, u32)>>,
) {
    let raw = slice(text, span);
    let b = raw.as_bytes();
    let base = span.start;
    let mut run_start = 0usize;
    let mut i = 0usize;
    let flush = |out: &mut String,
                 pieces: &mut Option<&mut Vec<(u32, u32, u32)>>,
                 from: usize,
                 to: usize| {
        if to > from {
            if let Some(p) = pieces.as_deref_mut() {
                p.push((out.len() as u32, base + from as u32, (to - from) as u32));
            }
            out.push_str(raw.get(from..to).unwrap_or(""));
        }
    };
    while i < b.len() {
        let c = b[i];
        match kind {
            StrKind::DollarSlashy => {
                if c == b'$' && matches!(b.get(i + 1), Some(b'$') | Some(b'/')) {
                    flush(out, &mut pieces, run_start, i);
                    out.push(b[i + 1] as char);
                    i += 2;
                    run_start = i;
                    continue;
                }
            }
            StrKind::Slashy => {
                if c == b'\\' && b.get(i + 1) == Some(&b'/') {
                    flush(out, &mut pieces, run_start, i);
                    out.push('/');
                    i += 2;
                    run_start = i;
                    continue;
                }
            }
            _ => {
                if c == b'\\' {
                    flush(out, &mut pieces, run_start, i);
                    let next = b.get(i + 1).copied();
                    let mut consumed = 2;
                    match next {
                        Some(b'n') => out.push('\n'),
                        Some(b't') => out.push('\t'),
                        Some(b'r') => out.push('\r'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b's') => out.push(' '),
                        Some(b'0') => out.push('\0'),
                        Some(b'\n') => {}
                        Some(b'\r') if b.get(i + 2) == Some(&b'\n') => consumed = 3,
                        Some(b'u') => {
                            let hex = raw.get(i + 2..i + 6).unwrap_or("");
                            match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                                Some(ch) if hex.len() == 4 => {
                                    out.push(ch);
                                    consumed = 6;
                                }
                                _ => out.push('u'),
                            }
                        }
                        Some(_) => {
                            // `\\`, `\'`, `\"`, `\$` and any other escaped character stand
                            // for themselves.
                            let len = raw
                                .get(i + 1..)
                                .and_then(|s| s.chars().next())
                                .map_or(1, char::len_utf8);
                            out.push_str(raw.get(i + 1..i + 1 + len).unwrap_or(""));
                            consumed = 1 + len;
                        }
                        None => {
                            out.push('\\');
                            consumed = 1;
                        }
                    }
                    i += consumed;
                    run_start = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    flush(out, &mut pieces, run_start, b.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Tok, &str)> {
        let lx = lex(text);
        lx.tokens
            .iter()
            .map(|t| (t.kind, &text[t.span.start as usize..t.span.end as usize]))
            .collect()
    }

    fn only_string(text: &str) -> StrLit {
        let lx = lex(text);
        assert!(lx.errors.is_empty(), "{:?}", lx.errors);
        assert_eq!(lx.strings.len(), 1, "{:?}", lx.tokens);
        lx.strings[0].clone()
    }

    fn interps(text: &str) -> Vec<&str> {
        let lx = lex(text);
        lx.strings
            .iter()
            .flat_map(|s| s.interpolations().map(|(sp, _, _)| sp.clone()))
            .map(|sp| &text[sp.start as usize..sp.end as usize])
            .collect()
    }

    #[test]
    fn tokens_of_a_call() {
        let text = "sh 'make' // build\nstage('a') { echo \"x\" }";
        let toks = kinds(text);
        assert_eq!(toks[0], (Tok::Ident, "sh"));
        assert_eq!(toks[1], (Tok::Str(0), "'make'"));
        assert_eq!(toks[2], (Tok::Newline, "\n"));
        assert_eq!(toks[3], (Tok::Ident, "stage"));
        assert_eq!(toks[4], (Tok::LParen, "("));
        let lx = lex(text);
        assert_eq!(lx.comments.len(), 1);
        assert_eq!(
            &text[lx.comments[0].body.start as usize..lx.comments[0].body.end as usize],
            " build"
        );
    }

    #[test]
    fn single_and_double_values() {
        let s = only_string(r"'it\'s a\ttab'");
        assert_eq!(s.literal_value().as_deref(), Some("it's a\ttab"));
        let s = only_string(r#""say \"hi\" \$HOME""#);
        assert_eq!(s.literal_value().as_deref(), Some("say \"hi\" $HOME"));
        assert!(!s.is_interpolated());
        let s = only_string(r"'\u00e9'");
        assert_eq!(s.literal_value().as_deref(), Some("é"));
    }

    #[test]
    fn interpolations() {
        assert_eq!(interps(r#""a $x b""#), vec!["$x"]);
        assert_eq!(interps(r#""$env.FOO.bar.""#), vec!["$env.FOO.bar"]);
        assert_eq!(interps(r#""${x}-${y.z}""#), vec!["${x}", "${y.z}"]);
        assert_eq!(
            interps(r#""${tool 'MSBuild'} and ${m.collect { "${it}" }.join(',')}""#),
            vec!["${tool 'MSBuild'}", "${m.collect { \"${it}\" }.join(',')}"]
        );
        assert_eq!(interps(r#"'no $x here'"#), Vec::<&str>::new());
        assert_eq!(interps(r#""cost: $5 \${x}""#), Vec::<&str>::new());
        assert_eq!(interps("\"\"\"\nline $A\n${B}\n\"\"\""), vec!["$A", "${B}"]);
        let s = only_string(r#""${x}""#);
        let (_, expr, braced) = s.interpolations().next().unwrap();
        assert_eq!(expr, &(3..4));
        assert!(braced);
    }

    #[test]
    fn triple_strings() {
        let s = only_string("'''\n  echo '$x'\n'''");
        assert_eq!(s.kind, StrKind::TripleSingle);
        assert_eq!(s.literal_value().as_deref(), Some("\n  echo '$x'\n"));
        let s = only_string("\"\"\"a \"quoted\" b\"\"\"");
        assert_eq!(s.kind, StrKind::TripleDouble);
        assert_eq!(s.literal_value().as_deref(), Some("a \"quoted\" b"));
    }

    #[test]
    fn slashy_or_division() {
        let lx = lex("x = a / b / c");
        assert!(lx.strings.is_empty());
        let s = only_string(r"when { branch pattern: /release-\d+\/x/ }");
        assert_eq!(s.kind, StrKind::Slashy);
        assert_eq!(s.literal_value().as_deref(), Some(r"release-\d+/x"));
        let lx = lex("def r = (a) / 2\nm = x =~ /ab$c/");
        assert_eq!(lx.strings.len(), 1);
        assert_eq!(lx.strings[0].kind, StrKind::Slashy);
        assert!(lx.strings[0].is_interpolated());
    }

    #[test]
    fn dollar_slashy() {
        let s = only_string(r"def p = $/a\b$$c$/d ${x}/$");
        assert_eq!(s.kind, StrKind::DollarSlashy);
        assert_eq!(s.interpolations().count(), 1);
        assert_eq!(s.parts.len(), 2);
        match &s.parts[0] {
            StrPart::Lit { value, .. } => assert_eq!(value, r"a\b$c/d "),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_for_unterminated_forms() {
        for (text, at) in [
            ("sh 'abc\nx", 3),
            ("sh \"abc", 3),
            ("x = '''abc", 4),
            ("a /* b", 2),
            ("sh \"${x\"", 4),
            ("x = /abc", 4),
        ] {
            let lx = lex(text);
            assert_eq!(lx.errors.len(), 1, "{text}: {:?}", lx.errors);
            assert_eq!(lx.errors[0].span.start, at, "{text}");
        }
    }

    #[test]
    fn shebang_bom_numbers_and_operators() {
        let text = "\u{feff}#!/usr/bin/env groovy\nx = 1.5e3 + 0x1F ?: y?.z\n";
        let lx = lex(text);
        assert_eq!(lx.comments.len(), 1);
        assert!(lx.errors.is_empty());
        let toks = kinds(text);
        let texts: Vec<&str> = toks.iter().map(|t| t.1).collect();
        assert_eq!(
            texts,
            vec!["\n", "x", "=", "1.5e3", "+", "0x1F", "?:", "y", "?.", "z", "\n"]
        );
        assert_eq!(kinds("1..10")[1], (Tok::Op, ".."));
    }

    #[test]
    fn decode_with_map_maps_literal_bytes() {
        let text = "x = 'a\\nb'";
        let s = only_string(text);
        let (value, pieces) = s.decode_with_map(text);
        assert_eq!(value, "a\nb");
        assert_eq!(pieces, vec![(0, 5, 1), (2, 8, 1)]);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "\"${",
            "$/",
            "/",
            "'''",
            "\"\"\"${'",
            "\\",
            "\"\\",
            "'\\u12",
            "é/é/",
            "${{{{",
            "\"$\"",
            "0x",
            "1e",
            ".5",
            "/*",
            "#!",
            "\u{feff}",
            "\"\\\r\n\"",
        ] {
            let _ = lex(text);
        }
        let deep = format!("\"{}\"", "${\"".repeat(200));
        let _ = lex(&deep);
    }
}
