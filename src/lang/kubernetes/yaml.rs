//! Spanned YAML: a small tree with a byte span for every key and value. Plain block YAML — what
//! nearly every manifest is — is read by a direct reader (`fast`, about four times faster);
//! anything else (anchors, tags, odd layouts, every syntax error) by the events of
//! `granit-parser` (byte offsets, comment events, multi-document streams, anchors). Both build
//! the same tree (`tests/yaml_fast.rs`, fuzz target `yaml_fast`). Nothing outside this module
//! sees either, so they can be swapped.
//!
//! - Duplicate mapping keys are kept (both entries) and reported as [`ErrorKind::DuplicateKey`].
//! - A syntax error ends its document (dropped) and parsing resumes at the next `---`.
//! - Aliases are expanded into copies of their anchor's node (spans stay those of the anchor's
//!   text) within a budget, so a billion-laughs file cannot blow up.
//! - Nesting is bounded (the parser's limits), and every walk of the tree is iterative or
//!   bounded by that depth.

mod fast;

use crate::diagnostic::Span;
use granit_parser::{Event, Options, Parser, ScalarStyle as GStyle, StructureStyle};
use std::collections::HashMap;

/// The deepest nesting of collections accepted (per kind: block and flow).
pub const MAX_DEPTH: usize = 200;
/// How many nodes alias expansion may create in one stream, beyond the nodes written.
pub const ALIAS_BUDGET: usize = 100_000;

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

impl ScalarStyle {
    pub fn is_quoted(self) -> bool {
        matches!(self, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
    }

    pub fn is_block(self) -> bool {
        matches!(self, ScalarStyle::Literal | ScalarStyle::Folded)
    }
}

/// A scalar's text: up to [`Text::INLINE`] bytes kept in place (nearly every key and most
/// values: no allocation for them), longer ones on the heap.
#[derive(Clone)]
pub struct Text(TextRepr);

#[derive(Clone)]
enum TextRepr {
    Inline { len: u8, bytes: [u8; Text::INLINE] },
    Heap(Box<str>),
}

impl Text {
    /// The longest text kept in place (the type stays three words).
    pub const INLINE: usize = 22;

    pub fn new(text: &str) -> Text {
        if text.len() <= Text::INLINE {
            let mut bytes = [0; Text::INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            Text(TextRepr::Inline {
                len: text.len() as u8,
                bytes,
            })
        } else {
            Text(TextRepr::Heap(text.into()))
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            TextRepr::Inline { len, bytes } => &bytes[..*len as usize],
            TextRepr::Heap(s) => s.as_bytes(),
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only ever filled from a `&str`: the check cannot fail.
            TextRepr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..*len as usize]).unwrap_or_default()
            }
            TextRepr::Heap(s) => s,
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        if text.len() <= Text::INLINE {
            Text::new(&text)
        } else {
            Text(TextRepr::Heap(text.into_boxed_str()))
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Text {}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A scalar's value (after escapes and folding) and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    pub value: Text,
    pub style: ScalarStyle,
    /// The explicit tag as written (`!!str`, `!!binary`, `!custom`), if any.
    pub tag: Option<String>,
}

/// One `key: value` of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Mapping(Vec<Entry>),
    Sequence(Vec<Node>),
    Scalar(Scalar),
    /// `~`, `null`, or nothing at all (`key:`), when plain and untagged.
    Null,
}

/// A YAML node and the bytes it was written in: for a scalar the token as written (quotes
/// included; for a block scalar its content lines, from the first content byte to the
/// last non-blank byte, the `|`/`>` header excluded; zero-width at the position of an
/// implicit null), for a collection its first to last byte (a block collection ends with its
/// last entry).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: Kind,
}

const NULL: Node = Node {
    span: 0..0,
    kind: Kind::Null,
};

impl Node {
    /// The value under `key` in a mapping: the last one written (what Kubernetes and go-yaml
    /// keep for a duplicate key), else from a merge key (`<<: *base`).
    pub fn get(&self, key: &str) -> Option<&Node> {
        let Kind::Mapping(entries) = &self.kind else {
            return None;
        };
        if let Some(e) = entries.iter().rev().find(|e| e.key.is_key(key)) {
            return Some(&e.value);
        }
        let merge = entries.iter().find(|e| {
            e.key.is_key("<<")
                && matches!(&e.key.kind, Kind::Scalar(s) if s.style == ScalarStyle::Plain)
        })?;
        match &merge.value.kind {
            Kind::Mapping(_) => merge
                .value
                .entries()
                .iter()
                .rev()
                .find(|e| e.key.is_key(key))
                .map(|e| &e.value),
            Kind::Sequence(items) => items.iter().find_map(|m| {
                m.entries()
                    .iter()
                    .rev()
                    .find(|e| e.key.is_key(key))
                    .map(|e| &e.value)
            }),
            _ => None,
        }
    }

    /// The entry (key node and value node) under `key`, the last one written.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().rev().find(|e| e.key.is_key(key))
    }

    /// Whether this is a scalar reading `key` (any style).
    pub fn is_key(&self, key: &str) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if s.value.as_bytes() == key.as_bytes())
    }

    /// Follows mapping keys: `node.path(&["spec", "template", "spec"])`.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A scalar's value (any style); `None` for null and collections.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(&s.value),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// `true`/`false` written plain (YAML 1.2 core schema: also `True`, `TRUE`…); quoted
    /// `"true"` is a string, not a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Scalar(s) if s.style == ScalarStyle::Plain && s.tag.is_none() => {
                match s.value.as_str() {
                    "true" | "True" | "TRUE" => Some(true),
                    "false" | "False" | "FALSE" => Some(false),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// An integer written plain (decimal, `0x`, `0o`, with an optional sign).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.kind {
            Kind::Scalar(s) if s.style == ScalarStyle::Plain && s.tag.is_none() => {
                parse_int(&s.value)
            }
            _ => None,
        }
    }

    /// The entries of a mapping (empty for anything else).
    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            Kind::Mapping(e) => e,
            _ => &[],
        }
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Sequence(i) => i,
            _ => &[],
        }
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.kind, Kind::Mapping(_))
    }

    pub fn is_sequence(&self) -> bool {
        matches!(self.kind, Kind::Sequence(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// The bytes of a scalar's content: inside the quotes of a quoted scalar; `span` for
    /// anything else (a block scalar's span is already its content).
    pub fn content_span(&self, text: &str) -> Span {
        let Kind::Scalar(s) = &self.kind else {
            return self.span.clone();
        };
        let (start, end) = (self.span.start as usize, self.span.end as usize);
        let Some(raw) = text.get(start..end) else {
            return self.span.clone();
        };
        match s.style {
            ScalarStyle::Plain => self.span.clone(),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let q = if s.style == ScalarStyle::SingleQuoted {
                    '\''
                } else {
                    '"'
                };
                if raw.len() >= 2 && raw.starts_with(q) && raw.ends_with(q) {
                    self.span.start + 1..self.span.end - 1
                } else {
                    self.span.clone()
                }
            }
            ScalarStyle::Literal | ScalarStyle::Folded => self.span.clone(),
        }
    }
}

fn parse_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(h) = digits.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(o) = digits.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

/// One document of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub root: Node,
    /// From the first to the last byte of the document's content.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The parser's error: the document is dropped, parsing resumes at the next `---`.
    Syntax,
    /// A key written twice in one mapping; `first` is the earlier key. Both entries are kept.
    DuplicateKey { first: Span },
    /// Alias expansion went over [`ALIAS_BUDGET`]: the alias reads as null.
    AliasBudget,
}

/// A problem found while reading the stream (all are K8S001 findings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub span: Span,
    pub message: String,
    pub kind: ErrorKind,
}

/// A `#` comment: `span` from the `#` to the end of its line (line break excluded), `body`
/// after the `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    pub body: Span,
}

/// A parsed stream: the documents that parsed, the problems, the comments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stream {
    pub documents: Vec<Document>,
    pub errors: Vec<Error>,
    pub comments: Vec<Comment>,
}

/// A collection being built.
enum Frame {
    Mapping {
        start: u32,
        flow: bool,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<Node>,
    },
    Sequence {
        start: u32,
        flow: bool,
        anchor: usize,
        items: Vec<Node>,
    },
}

struct Builder<'t> {
    text: &'t str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    budget: usize,
    root: Option<Node>,
    doc_start: Option<u32>,
    out: Stream,
}

/// Parses a YAML stream with its comments. Never fails: problems are in `Stream::errors`.
pub fn parse(text: &str) -> Stream {
    parse_with(text, true)
}

/// [`parse`], keeping the comments only when `comments` is set: a stream without comments
/// parses about a tenth faster (they are still checked, just not collected).
///
/// Plain block YAML is read by a direct reader ([`fast_parse`]), anything else by the full
/// parser ([`full_parse`]); both build the same tree.
pub fn parse_with(text: &str, comments: bool) -> Stream {
    fast_parse(text, comments).unwrap_or_else(|| full_parse(text, comments))
}

/// The direct reader alone: `None` when the text is not in the subset it reads.
pub fn fast_parse(text: &str, comments: bool) -> Option<Stream> {
    fast::parse(text, comments)
}

/// The full parser alone (`granit-parser` events), for any YAML.
pub fn full_parse(text: &str, comments: bool) -> Stream {
    let mut options = Options::default();
    options.block_nesting_limit = MAX_DEPTH;
    options.flow_nesting_limit = MAX_DEPTH;
    options.emit_comments = comments;
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut b = Builder {
        text,
        stack: Vec::new(),
        anchors: HashMap::new(),
        budget: ALIAS_BUDGET,
        root: None,
        doc_start: None,
        out: Stream::default(),
    };
    let mut last_error: Option<usize> = None;
    loop {
        match parser.next() {
            None => break,
            Some(Ok((event, span))) => {
                let start = b.offset(span.start.byte_offset(), span.start.index());
                let end = b
                    .offset(span.end.byte_offset(), span.end.index())
                    .max(start);
                if matches!(event, Event::StreamEnd) {
                    break;
                }
                b.event(event, start..end);
            }
            Some(Err(e)) => {
                let at = b.offset(e.marker().byte_offset(), e.marker().index()) as usize;
                let len = b.text[at..].chars().next().map_or(0, char::len_utf8);
                let mut message = e.info();
                if message.is_empty() {
                    message = "invalid YAML".to_string();
                }
                b.out.errors.push(Error {
                    span: at as u32..(at + len) as u32,
                    message,
                    kind: ErrorKind::Syntax,
                });
                b.abandon_document();
                // Recovery always moves forward; stop if it does not.
                if last_error.is_some_and(|l| at <= l) {
                    break;
                }
                last_error = Some(at);
                match parser.proceed_next_document() {
                    Ok(true) => continue,
                    _ => break,
                }
            }
        }
    }
    b.abandon_document();
    b.out
}

impl Builder<'_> {
    /// A byte offset from the parser, checked against the text (char index as a fallback).
    fn offset(&self, bytes: Option<usize>, chars: usize) -> u32 {
        let mut at = match bytes {
            Some(b) => b,
            None => self
                .text
                .char_indices()
                .nth(chars)
                .map_or(self.text.len(), |(i, _)| i),
        };
        at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at as u32
    }

    fn abandon_document(&mut self) {
        self.stack.clear();
        self.root = None;
        self.doc_start = None;
        self.anchors.clear();
    }

    fn event(&mut self, event: Event<'_>, span: Span) {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Anchor(..) => {}
            Event::DocumentStart(..) => {
                self.abandon_document();
                self.doc_start = Some(span.start);
            }
            Event::DocumentEnd => {
                if let Some(root) = self.root.take() {
                    let span = root.span.clone();
                    self.out.documents.push(Document { root, span });
                }
                self.abandon_document();
            }
            Event::Comment(_, _) => {
                let text = &self.text[span.start as usize..span.end as usize];
                if text.starts_with('#') {
                    self.out.comments.push(Comment {
                        body: span.start + 1..span.end,
                        span,
                    });
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle(), t.suffix()));
                let style = match style {
                    GStyle::Plain => ScalarStyle::Plain,
                    GStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    GStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    GStyle::Literal => ScalarStyle::Literal,
                    GStyle::Folded => ScalarStyle::Folded,
                };
                let is_null = style == ScalarStyle::Plain
                    && tag.is_none()
                    && matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL");
                let kind = if is_null {
                    Kind::Null
                } else {
                    Kind::Scalar(Scalar {
                        value: Text::from(value.into_owned()),
                        style,
                        tag: tag.map(|t| short_tag(&t)),
                    })
                };
                let mut span = span;
                if style.is_block() {
                    let raw = &self.text[span.start as usize..span.end as usize];
                    span.end = span.start + raw.trim_end().len() as u32;
                }
                let node = Node { span, kind };
                if anchor != 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push(node);
            }
            Event::Alias(id) => {
                let node = match self.anchors.get(&id) {
                    Some(target) => {
                        let size = count_nodes(target, self.budget + 1);
                        if size > self.budget {
                            self.budget = 0;
                            self.out.errors.push(Error {
                                span: span.clone(),
                                message: format!(
                                    "alias expands to too many nodes (over {ALIAS_BUDGET}): read as null"
                                ),
                                kind: ErrorKind::AliasBudget,
                            });
                            Node {
                                span,
                                kind: Kind::Null,
                            }
                        } else {
                            self.budget -= size;
                            target.clone()
                        }
                    }
                    None => Node {
                        span,
                        kind: Kind::Null,
                    },
                };
                self.push(node);
            }
            Event::UnresolvedAlias(_) => self.push(Node {
                span,
                kind: Kind::Null,
            }),
            Event::MappingStart(style, anchor, _) => self.stack.push(Frame::Mapping {
                start: span.start,
                flow: style == StructureStyle::Flow,
                anchor,
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceStart(style, anchor, _) => self.stack.push(Frame::Sequence {
                start: span.start,
                flow: style == StructureStyle::Flow,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = self.stack.pop() else {
                    return;
                };
                let (node, anchor) = match frame {
                    Frame::Mapping {
                        start,
                        flow,
                        anchor,
                        mut entries,
                        key,
                    } => {
                        if let Some(key) = key {
                            // A key without a value (cannot happen with a well-formed stream).
                            let at = key.span.end;
                            entries.push(Entry {
                                key,
                                value: Node {
                                    span: at..at,
                                    kind: Kind::Null,
                                },
                            });
                        }
                        check_duplicates(&entries, &mut self.out.errors);
                        let last = entries
                            .last()
                            .map_or(start, |e| e.value.span.end.max(e.key.span.end));
                        let end = if flow { span.end.max(last) } else { last };
                        (
                            Node {
                                span: start..end.max(start),
                                kind: Kind::Mapping(entries),
                            },
                            anchor,
                        )
                    }
                    Frame::Sequence {
                        start,
                        flow,
                        anchor,
                        items,
                    } => {
                        let last = items.last().map_or(start, |n| n.span.end);
                        let end = if flow { span.end.max(last) } else { last };
                        (
                            Node {
                                span: start..end.max(start),
                                kind: Kind::Sequence(items),
                            },
                            anchor,
                        )
                    }
                };
                if anchor != 0 {
                    let size = count_nodes(&node, self.budget + 1);
                    if size <= self.budget {
                        self.anchors.insert(anchor, node.clone());
                    } else {
                        // Too big to copy: aliases to it will read as over budget.
                        self.anchors.insert(
                            anchor,
                            Node {
                                span: node.span.clone(),
                                kind: Kind::Null,
                            },
                        );
                        self.budget = 0;
                    }
                }
                self.push(node);
            }
            // Events added by later parser versions carry no node.
            _ => {}
        }
    }

    /// Adds a finished node to the collection being built, or makes it the document's root.
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Sequence { items, .. }) => items.push(node),
            Some(Frame::Mapping { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push(Entry {
                    key: k,
                    value: node,
                }),
            },
        }
    }
}

/// A mapping key's bytes, for the duplicate check (merge keys `<<` are not keys).
fn key_bytes(e: &Entry) -> Option<&[u8]> {
    e.key
        .as_scalar()
        .map(|s| s.value.as_bytes())
        .filter(|k| *k != b"<<")
}

/// Reports every key written again in one mapping (merge keys `<<` aside).
fn check_duplicates(entries: &[Entry], errors: &mut Vec<Error>) {
    let mut report = |e: &Entry, first: &Entry| {
        let k = e.key.as_str().unwrap_or_default();
        errors.push(Error {
            span: e.key.span.clone(),
            message: format!("duplicate key `{k}`: only this one takes effect"),
            kind: ErrorKind::DuplicateKey {
                first: first.key.span.clone(),
            },
        });
    };
    // Most mappings are small: comparing each key with those before it is faster than hashing.
    if entries.len() <= 32 {
        for (i, e) in entries.iter().enumerate() {
            let Some(k) = key_bytes(e) else { continue };
            if let Some(first) = entries[..i].iter().find(|f| key_bytes(f) == Some(k)) {
                report(e, first);
            }
        }
        return;
    }
    let mut seen: HashMap<&[u8], &Entry> = HashMap::new();
    for e in entries {
        let Some(k) = key_bytes(e) else { continue };
        match seen.get(k) {
            Some(first) => report(e, first),
            None => {
                seen.insert(k, e);
            }
        }
    }
}

/// `tag:yaml.org,2002:str` → `!!str`; other tags as resolved.
fn short_tag(tag: &str) -> String {
    match tag.strip_prefix("tag:yaml.org,2002:") {
        Some(s) => format!("!!{s}"),
        None => tag.to_string(),
    }
}

/// How many nodes `node` holds, counting up to `limit` (iterative, stops early).
fn count_nodes(node: &Node, limit: usize) -> usize {
    let mut count = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        count += 1;
        if count > limit {
            return count;
        }
        match &n.kind {
            Kind::Mapping(entries) => {
                for e in entries {
                    todo.push(&e.key);
                    todo.push(&e.value);
                }
            }
            Kind::Sequence(items) => todo.extend(items.iter()),
            _ => {}
        }
    }
    count
}

impl Default for Node {
    fn default() -> Node {
        NULL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice<'a>(text: &'a str, span: &Span) -> &'a str {
        &text[span.start as usize..span.end as usize]
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: 'web'\n  labels: {app: \"x\"}\nspec:\n  containers:\n  - name: a\n    image: nginx:1.25\n    args: [a, b]\n";
        let s = parse(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.documents.len(), 1);
        let root = &s.documents[0].root;
        let name = root.path(&["metadata", "name"]).unwrap();
        assert_eq!(name.as_str(), Some("web"));
        assert_eq!(slice(text, &name.span), "'web'");
        assert_eq!(slice(text, &name.content_span(text)), "web");
        let e = root.get("metadata").unwrap().entry("labels").unwrap();
        assert_eq!(slice(text, &e.key.span), "labels");
        assert_eq!(slice(text, &e.value.span), "{app: \"x\"}");
        let c = &root.path(&["spec", "containers"]).unwrap().items()[0];
        assert_eq!(
            slice(text, &c.span),
            "name: a\n    image: nginx:1.25\n    args: [a, b]"
        );
        assert_eq!(slice(text, &c.get("image").unwrap().span), "nginx:1.25");
        assert_eq!(slice(text, &c.get("args").unwrap().span), "[a, b]");
    }

    #[test]
    fn nulls_bools_ints_and_block_scalars() {
        let text =
            "a:\nb: ~\nc: true\nd: \"true\"\ne: 0x10\nf: |\n  line one\n  line two\n\ng: x\n";
        let s = parse(text);
        let r = &s.documents[0].root;
        assert!(r.get("a").unwrap().is_null());
        assert!(r.get("b").unwrap().is_null());
        assert_eq!(r.get("c").unwrap().as_bool(), Some(true));
        assert_eq!(r.get("d").unwrap().as_bool(), None);
        assert_eq!(r.get("d").unwrap().as_str(), Some("true"));
        assert_eq!(r.get("e").unwrap().as_i64(), Some(16));
        let f = r.get("f").unwrap();
        assert_eq!(f.as_str(), Some("line one\nline two\n"));
        assert_eq!(f.as_scalar().unwrap().style, ScalarStyle::Literal);
        assert_eq!(slice(text, &f.content_span(text)), "line one\n  line two");
        assert_eq!(slice(text, &f.span), "line one\n  line two");
    }

    #[test]
    fn multi_document_stream_and_recovery() {
        let text = "a: 1\n---\nb: [1, 2\n---\nc: 3\n...\n---\nd: 4\n";
        let s = parse(text);
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].kind, ErrorKind::Syntax);
        let keys: Vec<&str> = s
            .documents
            .iter()
            .map(|d| d.root.entries()[0].key.as_str().unwrap())
            .collect();
        assert_eq!(keys, vec!["a", "c", "d"]);
    }

    #[test]
    fn duplicate_keys_are_kept_and_reported() {
        let text = "a: 1\nb: 2\na: 3\n";
        let s = parse(text);
        assert_eq!(s.documents[0].root.get("a").unwrap().as_str(), Some("3"));
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].span, 10..11);
        assert_eq!(s.errors[0].kind, ErrorKind::DuplicateKey { first: 0..1 });
    }

    #[test]
    fn aliases_and_merge_keys() {
        let text = "base: &b {x: 1, y: 2}\nuse: *b\nmerged:\n  <<: *b\n  y: 3\n";
        let s = parse(text);
        assert!(s.errors.is_empty());
        let r = &s.documents[0].root;
        assert_eq!(r.path(&["use", "x"]).unwrap().as_str(), Some("1"));
        assert_eq!(r.path(&["merged", "x"]).unwrap().as_str(), Some("1"));
        assert_eq!(r.path(&["merged", "y"]).unwrap().as_str(), Some("3"));
        // The copy keeps the spans of the anchored text.
        assert_eq!(slice(text, &r.path(&["use", "x"]).unwrap().span), "1");
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        let mut prev = 'a';
        for name in "bcdefghijk".chars() {
            let refs = vec![format!("*{prev}"); 9].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
            prev = name;
        }
        let s = parse(&text);
        assert!(s.errors.iter().any(|e| e.kind == ErrorKind::AliasBudget));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let s = parse(&text);
        assert!(!s.errors.is_empty());
        let text = (0..2000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect::<String>();
        let s = parse(&text);
        assert!(!s.errors.is_empty());
    }

    #[test]
    fn comments_are_kept() {
        let text = "a: 1 # end of line\n# alone\nb: \"# not a comment\"\n";
        let s = parse(text);
        let comments: Vec<&str> = s.comments.iter().map(|c| slice(text, &c.span)).collect();
        assert_eq!(comments, vec!["# end of line", "# alone"]);
    }

    #[test]
    fn short_scalars_are_inline_and_the_text_stays_three_words() {
        assert_eq!(
            std::mem::size_of::<Text>(),
            3 * std::mem::size_of::<usize>()
        );
        for s in [
            "",
            "é",
            &"x".repeat(Text::INLINE),
            &"x".repeat(Text::INLINE + 1),
            "中文 ok",
        ] {
            let t = Text::new(s);
            assert_eq!(t.as_str(), s);
            assert_eq!(t.as_bytes(), s.as_bytes());
            assert_eq!(Text::from(s.to_string()), t);
            assert_eq!(format!("{t:?}"), format!("{s:?}"));
        }
        // A multi-byte character may end exactly at the inline limit.
        let s = format!("{}é", "x".repeat(Text::INLINE - 2));
        assert_eq!(Text::new(&s).as_str(), s);
    }

    #[test]
    fn errors_are_on_char_boundaries() {
        for text in ["é: [", "a: \"é", "- é\n  x: y: z", "\u{feff}a: b\n\tc"] {
            let s = parse(text);
            for e in &s.errors {
                assert!(text.is_char_boundary(e.span.start as usize));
                assert!(text.is_char_boundary(e.span.end as usize));
            }
        }
    }
}
