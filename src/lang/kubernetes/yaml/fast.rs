//! The fast path of [`super::parse_with`]: a direct reader for the block YAML that nearly every
//! manifest is written in — block mappings and sequences, one-line plain and quoted scalars,
//! `|`/`>` block scalars, one-line flow collections, comments and document markers.
//!
//! It builds exactly the tree the full parser builds (same values, spans, comments and
//! duplicate-key errors; `tests/yaml_fast.rs` compares the two over the corpus and the fuzz
//! target `yaml_fast` over random input), and it gives up — returning `None`, so the full parser
//! reads the text — on anything else: anchors, aliases, tags, directives, multi-line plain or
//! quoted scalars, flow collections over several lines, tabs, carriage returns, every syntax
//! error. Giving up costs one extra partial pass; reading wrongly is never an option.

use super::{
    check_duplicates, Comment, Document, Entry, Kind, Node, Scalar, ScalarStyle, Stream, Text,
};

/// The reader met something it leaves to the full parser.
struct GiveUp;

type Read<T> = Result<T, GiveUp>;

/// Nesting deeper than this is left to the full parser (and its limits).
const MAX_DEPTH: usize = 64;
/// An implicit key longer than this is a YAML error.
const MAX_KEY_LEN: usize = 1024;

/// Reads `text` if it is in the subset, with its comments when `keep_comments`.
pub(super) fn parse(text: &str, keep_comments: bool) -> Option<Stream> {
    if !only_plain_characters(text.as_bytes()) {
        return None;
    }
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        line_start: 0,
        depth: 0,
        keep_comments,
        out: Stream::default(),
        entries: Vec::new(),
        nodes: Vec::new(),
    };
    reader.stream().ok()?;
    Some(reader.out)
}

/// No tab, carriage return or other control character, no byte-order mark, no character YAML
/// reads as non-printable or as a line break (NEL, LS, PS): the reader never has to ask.
fn only_plain_characters(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Eight bytes at a time while they are printable ASCII (no byte under 0x20, none 0x7f,
    // no high bit); a word with anything else, a line break included, is looked at bytewise.
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        let w = u64::from_le_bytes(word);
        let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let del = (w ^ (ONES * 0x7f)).wrapping_sub(ONES) & !(w ^ (ONES * 0x7f)) & HIGH;
        if (w & HIGH) | below_space | del == 0 {
            i += 8;
            continue;
        }
        if !plain_characters_at(bytes, i, i + 8) {
            return false;
        }
        // A multi-byte character may reach past the word: go on from its end.
        i += 8;
        while i < bytes.len() && bytes[i] & 0xc0 == 0x80 {
            i += 1;
        }
    }
    plain_characters_at(bytes, i, bytes.len())
}

/// [`only_plain_characters`] for the characters starting in `bytes[from..to]`.
fn plain_characters_at(bytes: &[u8], from: usize, to: usize) -> bool {
    let mut i = from;
    while i < to {
        let b = bytes[i];
        if b < 0x80 {
            if (b < 0x20 && b != b'\n') || b == 0x7f {
                return false;
            }
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        let third = bytes.get(i + 2).copied().unwrap_or(0);
        match b {
            // U+0080–U+009F (C1 controls and NEL)
            0xc2 if next < 0xa0 => return false,
            // U+2028, U+2029
            0xe2 if next == 0x80 && (third == 0xa8 || third == 0xa9) => return false,
            // U+FEFF (byte-order mark), U+FFFE, U+FFFF
            0xef if (next == 0xbb && third == 0xbf) || (next == 0xbf && third >= 0xbe) => {
                return false
            }
            _ => {}
        }
        i += 1;
    }
    true
}

/// A scalar just read, and where its `:` is when it turned out to be an implicit key.
struct Token {
    node: Node,
    colon: Option<usize>,
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// Where the line holding `pos` starts.
    line_start: usize,
    depth: usize,
    keep_comments: bool,
    out: Stream,
    /// The entries and items of the collections being read, innermost last: each collection
    /// takes its own off the top when it ends, in one allocation of the right size.
    entries: Vec<Entry>,
    nodes: Vec<Node>,
}

fn span(start: usize, end: usize) -> crate::diagnostic::Span {
    start as u32..end as u32
}

impl Reader<'_> {
    fn at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn cur(&self) -> u8 {
        self.at(self.pos)
    }

    fn eof(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn column(&self) -> usize {
        self.pos - self.line_start
    }

    /// A space, a line break or the end: what must follow `-`, `:`, `---`.
    fn blank_at(&self, i: usize) -> bool {
        matches!(self.at(i), b' ' | b'\n' | 0)
    }

    fn skip_spaces(&mut self) {
        while self.cur() == b' ' {
            self.pos += 1;
        }
    }

    /// A `---` or `...` line at column 0.
    fn at_marker(&self, marker: &[u8]) -> bool {
        self.column() == 0
            && self.bytes[self.pos..].starts_with(marker)
            && self.blank_at(self.pos + 3)
    }

    fn at_document_marker(&self) -> bool {
        self.at_marker(b"---") || self.at_marker(b"...")
    }

    /// `-` opening a block sequence entry.
    fn at_entry(&self) -> bool {
        self.cur() == b'-' && self.blank_at(self.pos + 1)
    }

    /// Reads a `#` comment up to the end of its line (which is left for the caller).
    fn comment(&mut self) -> Read<()> {
        if self.pos > 0 && !matches!(self.at(self.pos - 1), b' ' | b'\n') {
            return Err(GiveUp);
        }
        let start = self.pos;
        let end = line_end(self.bytes, start);
        if self.keep_comments {
            self.out.comments.push(Comment {
                span: span(start, end),
                body: span(start + 1, end),
            });
        }
        self.pos = end;
        Ok(())
    }

    /// Skips spaces, line breaks and comment lines: `pos` ends on content or at the end.
    fn skip_to_content(&mut self) -> Read<()> {
        loop {
            self.skip_spaces();
            match self.cur() {
                b'\n' => {
                    self.pos += 1;
                    self.line_start = self.pos;
                }
                b'#' => self.comment()?,
                _ => return Ok(()),
            }
        }
    }

    /// After a token: spaces and a comment may end the line, nothing else.
    fn end_line(&mut self) -> Read<()> {
        self.skip_spaces();
        if self.cur() == b'#' {
            self.comment()?;
        }
        if self.eof() || self.cur() == b'\n' {
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    fn nest(&mut self) -> Read<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        Ok(())
    }

    fn stream(&mut self) -> Read<()> {
        // After an explicit `---` whose document has no content yet: where its null root sits.
        let mut open: Option<usize> = None;
        loop {
            self.skip_to_content()?;
            if self.eof() {
                break;
            }
            if self.at_marker(b"---") || self.at_marker(b"...") {
                let start = self.at_marker(b"---");
                if let Some(at) = open.take() {
                    self.null_document(at);
                }
                self.pos += 3;
                if start {
                    open = Some(self.pos);
                }
                self.end_line()?;
                continue;
            }
            let root = self.block_node(-1)?;
            open = None;
            self.out.documents.push(Document {
                span: root.span.clone(),
                root,
            });
            self.skip_to_content()?;
            if !self.eof() && !self.at_document_marker() {
                return Err(GiveUp);
            }
        }
        if let Some(at) = open {
            self.null_document(at);
        }
        Ok(())
    }

    fn null_document(&mut self, at: usize) {
        self.out.documents.push(Document {
            root: Node {
                span: span(at, at),
                kind: Kind::Null,
            },
            span: span(at, at),
        });
    }

    /// A node starting at `pos`, on its own line, indented more than `parent` (-1 for a
    /// document's root).
    fn block_node(&mut self, parent: isize) -> Read<Node> {
        let indent = self.column();
        debug_assert!(indent as isize > parent);
        match self.cur() {
            b'-' if self.blank_at(self.pos + 1) => self.block_sequence(indent, false),
            b'[' | b'{' => {
                let node = self.flow_collection(parent)?;
                self.end_line()?;
                Ok(node)
            }
            _ => {
                let first = self.scalar(false, parent)?;
                if first.colon.is_some() {
                    return self.block_mapping(indent, first);
                }
                // A scalar as the document's root is left to the full parser.
                if parent < 0 {
                    return Err(GiveUp);
                }
                self.end_line()?;
                Ok(first.node)
            }
        }
    }

    fn block_mapping(&mut self, indent: usize, first: Token) -> Read<Node> {
        self.nest()?;
        let start = first.node.span.start;
        let mark = self.entries.len();
        let mut token = first;
        loop {
            let colon = token.colon.ok_or(GiveUp)?;
            let value = self.value(indent, false, colon)?;
            self.entries.push(Entry {
                key: token.node,
                value,
            });
            self.skip_to_content()?;
            if self.eof() || self.column() < indent || self.at_document_marker() {
                break;
            }
            if self.column() > indent || self.at_entry() {
                return Err(GiveUp);
            }
            token = self.scalar(false, indent as isize)?;
        }
        let entries: Vec<Entry> = self.entries.drain(mark..).collect();
        check_duplicates(&entries, &mut self.out.errors);
        let end = entries
            .last()
            .map_or(start, |e| e.value.span.end.max(e.key.span.end));
        self.depth -= 1;
        Ok(Node {
            span: start..end,
            kind: Kind::Mapping(entries),
        })
    }

    /// A block sequence whose first `-` is at `pos`; `indentless` when it is a mapping value
    /// written at the mapping's own indentation (it then ends at the next key).
    fn block_sequence(&mut self, indent: usize, indentless: bool) -> Read<Node> {
        self.nest()?;
        let dash = self.pos;
        let mark = self.nodes.len();
        // The full parser starts an indentless sequence where its first item's token is, or
        // where the first `-` line ends when the item is below it.
        let mut first_token = dash;
        loop {
            self.pos += 1;
            if self.nodes.len() == mark {
                let after = self.pos
                    + self.bytes[self.pos..]
                        .iter()
                        .take_while(|&&b| b == b' ')
                        .count();
                first_token = match self.at(after) {
                    0 | b'\n' | b'#' => line_end(self.bytes, after),
                    _ => after,
                };
            }
            let item = self.value(indent, true, self.pos)?;
            self.nodes.push(item);
            self.skip_to_content()?;
            if self.eof() || self.column() < indent || self.at_document_marker() {
                break;
            }
            if self.column() > indent {
                return Err(GiveUp);
            }
            if !self.at_entry() {
                if indentless {
                    break;
                }
                return Err(GiveUp);
            }
        }
        let items: Vec<Node> = self.nodes.drain(mark..).collect();
        let start = if indentless { first_token } else { dash };
        let end = items.last().map_or(start, |n| n.span.end as usize);
        self.depth -= 1;
        Ok(Node {
            span: span(start, end),
            kind: Kind::Sequence(items),
        })
    }

    /// The value after a mapping's `:` (at `indicator`) or a sequence's `-`, on the same line or
    /// on the lines below; `parent` is the collection's indentation.
    fn value(&mut self, parent: usize, in_sequence: bool, indicator: usize) -> Read<Node> {
        self.skip_spaces();
        match self.cur() {
            0 | b'\n' | b'#' => {
                self.end_line()?;
                // A missing value sits at the `:`, a missing item where its line ends.
                let null_at = if in_sequence { self.pos } else { indicator };
                self.value_below(parent, in_sequence, null_at)
            }
            b'|' | b'>' => self.block_scalar(parent),
            b'[' | b'{' => {
                let node = self.flow_collection(parent as isize)?;
                self.end_line()?;
                Ok(node)
            }
            b'-' if self.blank_at(self.pos + 1) => {
                if !in_sequence {
                    return Err(GiveUp);
                }
                let indent = self.column();
                self.block_sequence(indent, false)
            }
            _ => {
                let indent = self.column();
                let token = self.scalar(false, parent as isize)?;
                if token.colon.is_some() {
                    if !in_sequence {
                        return Err(GiveUp);
                    }
                    return self.block_mapping(indent, token);
                }
                self.end_line()?;
                Ok(token.node)
            }
        }
    }

    /// The value of an entry whose line ended after its indicator.
    fn value_below(&mut self, parent: usize, in_sequence: bool, null_at: usize) -> Read<Node> {
        self.skip_to_content()?;
        let null = Node {
            span: span(null_at, null_at),
            kind: Kind::Null,
        };
        if self.eof() || self.at_document_marker() {
            return Ok(null);
        }
        let column = self.column();
        if column > parent {
            return self.block_node(parent as isize);
        }
        if column == parent && !in_sequence && self.at_entry() {
            return self.block_sequence(column, true);
        }
        Ok(null)
    }

    /// A plain or quoted scalar at `pos`, and the `:` after it when it is a key. In `flow`
    /// context a plain scalar also ends at `,[]{}` (and stays on its line). A scalar may go on
    /// over lines indented more than `parent`, the enclosing block collection.
    fn scalar(&mut self, flow: bool, parent: isize) -> Read<Token> {
        let start = self.pos;
        let start_line = self.line_start;
        let node = match self.cur() {
            b'\'' => self.quoted(false)?,
            b'"' => self.quoted(true)?,
            c => {
                if !self.plain_may_start(c, flow) {
                    return Err(GiveUp);
                }
                let end = self.plain_end(flow);
                let more = if flow {
                    None
                } else {
                    self.plain_more_lines(parent, start, end)?
                };
                let (value, end) = match more {
                    Some((value, end)) => (Text::from(value), end),
                    None => (Text::new(&self.text[start..end]), end),
                };
                let kind = if matches!(&*value, "" | "~" | "null" | "Null" | "NULL") {
                    Kind::Null
                } else {
                    Kind::Scalar(Scalar {
                        value,
                        style: ScalarStyle::Plain,
                        tag: None,
                    })
                };
                Node {
                    span: span(start, end),
                    kind,
                }
            }
        };
        // A key is followed, on its line, by `:` and a blank (or, after a quoted key in flow
        // context, by `:` and anything).
        let after = self.pos;
        self.skip_spaces();
        let quoted = matches!(self.bytes[start], b'"' | b'\'');
        let next = self.at(self.pos + 1);
        let colon = (self.cur() == b':'
            && (self.blank_at(self.pos + 1) || flow && (quoted || is_flow_indicator(next))))
        .then_some(self.pos);
        match colon {
            Some(at) => {
                // An implicit key is one line, and not too long; in flow context the full
                // parser rejects a `:` right before `[` or `{` (found by fuzzing).
                if self.line_start != start_line
                    || at - start > MAX_KEY_LEN
                    || flow && matches!(next, b'[' | b'{')
                {
                    return Err(GiveUp);
                }
                self.pos = at + 1;
            }
            None => self.pos = after,
        }
        Ok(Token { node, colon })
    }

    /// Whether a plain scalar may start with `c` (followed by the byte after it).
    fn plain_may_start(&self, c: u8, flow: bool) -> bool {
        match c {
            0 | b'\n' | b' ' => false,
            b'-' | b'?' | b':' => {
                let next = self.at(self.pos + 1);
                !(matches!(next, b' ' | b'\n' | 0) || flow && is_flow_indicator(next))
            }
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
            | b'"' | b'%' | b'@' | b'`' => false,
            _ => true,
        }
    }

    /// Reads plain scalar text from `pos` to the end of its line, or to a `: `, ` #` or (in
    /// flow context) a flow indicator; returns its end (trailing spaces excluded) and leaves
    /// `pos` there.
    fn plain_end(&mut self, flow: bool) -> usize {
        let mut p = self.pos;
        let mut end = p;
        while let Some(&c) = self.bytes.get(p) {
            match c {
                b'\n' => break,
                b' ' => {
                    p += 1;
                    continue;
                }
                b'#' if self.bytes[p - 1] == b' ' => break,
                b':' if {
                    let next = self.at(p + 1);
                    matches!(next, b' ' | b'\n' | 0) || flow && is_flow_indicator(next)
                } =>
                {
                    break
                }
                b',' | b'[' | b']' | b'{' | b'}' if flow => break,
                _ => {}
            }
            p += 1;
            end = p;
        }
        self.pos = end;
        end
    }

    /// The lines a block plain scalar that ended its first line at `end` goes on over: its
    /// folded value and end, or `None` when it is one line.
    fn plain_more_lines(
        &mut self,
        parent: isize,
        start: usize,
        end: usize,
    ) -> Read<Option<(String, usize)>> {
        let mut value: Option<String> = None;
        let mut end = end;
        loop {
            let mut p = end;
            while self.at(p) == b' ' {
                p += 1;
            }
            if self.at(p) != b'\n' {
                break; // a `: ` (the caller's business) or a comment ends it
            }
            let Some((line, text_at, breaks)) = self.next_text_line(p) else {
                break;
            };
            let column = text_at - line;
            if column as isize <= parent || self.bytes[text_at] == b'#' {
                break;
            }
            self.pos = text_at;
            let line_end = self.plain_end(false);
            if self.cur() == b':' {
                return Err(GiveUp); // a key below a value: a YAML error
            }
            let value = value.get_or_insert_with(|| self.text[start..end].to_string());
            fold_breaks(value, breaks);
            value.push_str(&self.text[text_at..line_end]);
            self.line_start = line;
            end = line_end;
        }
        self.pos = end;
        Ok(value.map(|v| (v, end)))
    }

    /// A document marker ends the text of a quoted scalar: left to the full parser (an error).
    fn not_a_marker(&self, line: usize, text_at: usize) -> Read<()> {
        let rest = &self.bytes[line..];
        let marker = text_at == line
            && (rest.starts_with(b"---") || rest.starts_with(b"..."))
            && self.blank_at(line + 3);
        if marker {
            Err(GiveUp)
        } else {
            Ok(())
        }
    }

    /// From a line break at `at`: the next line holding text (its start, where its text
    /// starts, and how many line breaks were crossed), or `None` at the end of the text.
    fn next_text_line(&self, at: usize) -> Option<(usize, usize, usize)> {
        let mut p = at;
        let mut breaks = 0;
        loop {
            debug_assert_eq!(self.at(p), b'\n');
            p += 1;
            breaks += 1;
            let line = p;
            while self.at(p) == b' ' {
                p += 1;
            }
            match self.at(p) {
                b'\n' => continue,
                0 if p >= self.bytes.len() => return None,
                _ => return Some((line, p, breaks)),
            }
        }
    }

    /// A `'…'` or `"…"` scalar at `pos`; it may go on over lines (indented anyhow, as the
    /// full parser reads them).
    fn quoted(&mut self, double: bool) -> Read<Node> {
        let start = self.pos;
        let quote = if double { b'"' } else { b'\'' };
        let mut value = String::new();
        let mut p = start + 1;
        let mut piece = p;
        loop {
            match self.bytes.get(p) {
                None => return Err(GiveUp),
                Some(b'\n') => {
                    // Folded: spaces around the break go, one break is a space, more are breaks.
                    value.push_str(self.text[piece..p].trim_end_matches(' '));
                    let (line, text_at, breaks) = self.next_text_line(p).ok_or(GiveUp)?;
                    self.not_a_marker(line, text_at)?;
                    fold_breaks(&mut value, breaks);
                    self.line_start = line;
                    p = text_at;
                    piece = p;
                }
                Some(&c) if c == quote => {
                    if !double && self.at(p + 1) == b'\'' {
                        value.push_str(&self.text[piece..=p]);
                        p += 2;
                        piece = p;
                    } else {
                        break;
                    }
                }
                Some(b'\\') if double => {
                    value.push_str(&self.text[piece..p]);
                    if self.at(p + 1) == b'\n' {
                        // An escaped line break: the lines join with nothing between.
                        let (line, text_at, breaks) = self.next_text_line(p + 1).ok_or(GiveUp)?;
                        self.not_a_marker(line, text_at)?;
                        push_breaks(&mut value, breaks - 1);
                        self.line_start = line;
                        p = text_at;
                    } else {
                        let (c, len) = escape(&self.bytes[p + 1..]).ok_or(GiveUp)?;
                        value.push(c);
                        p += 1 + len;
                    }
                    piece = p;
                }
                Some(_) => p += 1,
            }
        }
        // Most quoted scalars are one piece: no string to build.
        let value = if value.is_empty() {
            Text::new(&self.text[piece..p])
        } else {
            value.push_str(&self.text[piece..p]);
            Text::from(value)
        };
        self.pos = p + 1;
        let style = if double {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        Ok(Node {
            span: span(start, self.pos),
            kind: Kind::Scalar(Scalar {
                value,
                style,
                tag: None,
            }),
        })
    }

    /// Spaces, line breaks and comments inside a flow collection (whose lines may be indented
    /// anyhow, as the full parser reads them); a document marker there is an error.
    fn skip_flow_blanks(&mut self) -> Read<()> {
        self.skip_to_content()?;
        if self.at_document_marker() {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// A `[…]` or `{…}` at `pos`, inside a block collection indented `parent`.
    fn flow_collection(&mut self, parent: isize) -> Read<Node> {
        self.nest()?;
        let start = self.pos;
        let mapping = self.cur() == b'{';
        let close = if mapping { b'}' } else { b']' };
        self.pos += 1;
        let (entries_mark, items_mark) = (self.entries.len(), self.nodes.len());
        loop {
            self.skip_flow_blanks()?;
            if self.cur() == close {
                self.pos += 1;
                break;
            }
            if mapping {
                let key = self.scalar(true, parent)?;
                if key.colon.is_none() {
                    return Err(GiveUp);
                }
                self.skip_flow_blanks()?;
                if matches!(self.cur(), b',' | b'}' | 0) {
                    return Err(GiveUp);
                }
                let value = self.flow_node(parent)?;
                self.entries.push(Entry {
                    key: key.node,
                    value,
                });
            } else {
                let item = self.flow_node(parent)?;
                self.nodes.push(item);
            }
            self.skip_flow_blanks()?;
            match self.cur() {
                b',' => self.pos += 1,
                c if c == close => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(GiveUp),
            }
        }
        self.depth -= 1;
        let kind = if mapping {
            let entries: Vec<Entry> = self.entries.drain(entries_mark..).collect();
            check_duplicates(&entries, &mut self.out.errors);
            Kind::Mapping(entries)
        } else {
            Kind::Sequence(self.nodes.drain(items_mark..).collect())
        };
        Ok(Node {
            span: span(start, self.pos),
            kind,
        })
    }

    /// An item of a flow collection: a nested collection or a scalar that is not a key.
    fn flow_node(&mut self, parent: isize) -> Read<Node> {
        match self.cur() {
            b'[' | b'{' => self.flow_collection(parent),
            _ => {
                let token = self.scalar(true, parent)?;
                if token.colon.is_some() {
                    return Err(GiveUp);
                }
                Ok(token.node)
            }
        }
    }

    /// A `|` or `>` block scalar at `pos`, in a collection indented `parent`.
    fn block_scalar(&mut self, parent: usize) -> Read<Node> {
        let folded = self.cur() == b'>';
        let style = if folded {
            ScalarStyle::Folded
        } else {
            ScalarStyle::Literal
        };
        self.pos += 1;
        // The header: a chomping indicator and an indentation indicator, in either order.
        let mut chomp = 0;
        let mut indent: Option<usize> = None;
        for _ in 0..2 {
            match self.cur() {
                c @ (b'-' | b'+') if chomp == 0 => chomp = c,
                c @ b'1'..=b'9' if indent.is_none() => indent = Some(parent + (c - b'0') as usize),
                _ => break,
            }
            self.pos += 1;
        }
        if !self.blank_at(self.pos) {
            return Err(GiveUp);
        }
        self.end_line()?;
        if self.eof() {
            return Err(GiveUp);
        }
        self.pos += 1;
        self.line_start = self.pos;

        // Lines: each is empty (spaces only) or content at the block's indentation.
        let mut leading_spaces = 0;
        let mut value = String::new();
        let mut empty_run = 0usize; // empty lines since the last content line
        let mut seen_content = false;
        let mut first = 0usize;
        let mut last_end = 0usize;
        // Whether the last content line ends with a line break (not the end of the text).
        let mut broken = false;
        loop {
            let line = self.pos;
            let end = line_end(self.bytes, line);
            let spaces = self.bytes[line..end]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
            let blank = line + spaces == end;
            if blank && line >= self.bytes.len() {
                break;
            }
            if blank && end >= self.bytes.len() {
                return Err(GiveUp); // spaces ending the text without a line break
            }
            match indent {
                // An empty line.
                None if blank => {
                    leading_spaces = leading_spaces.max(spaces);
                    empty_run += 1;
                }
                Some(n) if blank && spaces <= n => empty_run += 1,
                // A line of spaces past the indentation: content, in a literal block after
                // its first line (the rest is left to the full parser).
                Some(n) if blank => {
                    if folded || !seen_content {
                        return Err(GiveUp);
                    }
                    push_breaks(&mut value, empty_run + 1);
                    value.push_str(&self.text[line + n..end]);
                    empty_run = 0;
                    broken = true;
                }
                _ => {
                    let n = *indent.get_or_insert(spaces);
                    if spaces < n {
                        break;
                    }
                    if n as isize <= parent as isize || leading_spaces > n {
                        return Err(GiveUp);
                    }
                    let content = &self.text[line + n..end];
                    if folded && content.starts_with(' ') {
                        return Err(GiveUp);
                    }
                    if !seen_content {
                        first = line + n;
                        push_breaks(&mut value, empty_run);
                    } else if folded && empty_run == 0 {
                        value.push(' ');
                    } else {
                        let breaks = if folded { empty_run } else { empty_run + 1 };
                        push_breaks(&mut value, breaks);
                    }
                    value.push_str(content);
                    seen_content = true;
                    empty_run = 0;
                    last_end = end;
                    broken = end < self.bytes.len();
                }
            }
            if end >= self.bytes.len() {
                self.pos = end;
                self.line_start = line;
                break;
            }
            self.pos = end + 1;
            self.line_start = self.pos;
        }
        if !seen_content {
            return Err(GiveUp);
        }
        match chomp {
            b'-' => {}
            // The full parser clips to one line break even at the end of the text.
            b'+' if !broken => return Err(GiveUp),
            b'+' => push_breaks(&mut value, empty_run + 1),
            _ => value.push('\n'),
        }
        // `pos` is at the start of the first line after the block; the caller reads on there.
        Ok(Node {
            // Up to the last non-blank character, as the full parser's tree has it (any Unicode
            // white space, not only spaces).
            span: span(first, first + self.text[first..last_end].trim_end().len()),
            kind: Kind::Scalar(Scalar {
                value: value.into(),
                style,
                tag: None,
            }),
        })
    }
}

/// Joins folded lines: one line break reads as a space, each further one as a line break.
fn fold_breaks(value: &mut String, breaks: usize) {
    if breaks == 1 {
        value.push(' ');
    } else {
        push_breaks(value, breaks - 1);
    }
}

fn push_breaks(value: &mut String, count: usize) {
    for _ in 0..count {
        value.push('\n');
    }
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// Where the line holding `from` ends (its `\n`, or the end of the text).
fn line_end(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i)
}

/// A double-quoted escape after its `\`: the character and how many bytes it took. `None` for
/// what the fast path leaves alone (line continuations, invalid escapes).
fn escape(rest: &[u8]) -> Option<(char, usize)> {
    let simple = match *rest.first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex_escape(rest, 2),
        b'u' => return hex_escape(rest, 4),
        b'U' => return hex_escape(rest, 8),
        _ => return None,
    };
    Some((simple, 1))
}

fn hex_escape(rest: &[u8], digits: usize) -> Option<(char, usize)> {
    let hex = rest.get(1..1 + digits)?;
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let code = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
    Some((char::from_u32(code)?, 1 + digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_left_to_the_full_parser_are_found_at_any_offset() {
        for offset in 0..20 {
            let at = |c: &str| format!("{}{c}{}", "a".repeat(offset), "b".repeat(11));
            for bad in [
                "\t", "\r", "\u{1}", "\u{7f}", "\u{85}", "\u{9f}", "\u{feff}",
            ] {
                assert!(
                    !only_plain_characters(at(bad).as_bytes()),
                    "{bad:?} at {offset}"
                );
            }
            for bad in ["\u{2028}", "\u{2029}", "\u{fffe}", "\u{ffff}"] {
                assert!(
                    !only_plain_characters(at(bad).as_bytes()),
                    "{bad:?} at {offset}"
                );
            }
            for good in [
                "\n", " ", "~", "é", "\u{a0}", "中", "\u{fffd}", "😀", "\u{2027}",
            ] {
                assert!(
                    only_plain_characters(at(good).as_bytes()),
                    "{good:?} at {offset}"
                );
            }
        }
    }
}
