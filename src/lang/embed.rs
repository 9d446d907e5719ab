//! Texts of one language inside a file of another: the nginx.conf in a ConfigMap's block
//! scalar, the pod YAML in a Jenkinsfile's `kubernetes { yaml '''…''' }`. The outer engine
//! reports them as data ([`Embedded`]); [`lint_embedded`] lints each with its own engine and
//! maps every finding back into the outer file, so no engine imports another.

use super::{Comment, FileType, LintContext, LintOutput};
use crate::diagnostic::{Diagnostic, Span};
use crate::source::SourceFile;

/// A text in another language found inside the file being linted.
#[derive(Debug, Clone)]
pub struct Embedded {
    pub file_type: FileType,
    /// The decoded text (indentation and escapes of the outer file removed).
    pub text: String,
    /// Where each byte of `text` is in the outer file.
    pub map: SpanMap,
}

/// Pieces of an embedded text and where each lies in the outer file: a block scalar gives one
/// piece per line (the indentation is not part of the text), a string with escapes one piece
/// per run of unescaped characters.
#[derive(Debug, Clone, Default)]
pub struct SpanMap {
    /// `(inner start, outer start, length)`, in inner order, not overlapping.
    pieces: Vec<(u32, u32, u32)>,
}

impl SpanMap {
    pub fn new() -> SpanMap {
        SpanMap::default()
    }

    /// Records that `len` bytes of the inner text from `inner` are the bytes of the outer file
    /// from `outer`. Pieces are pushed in inner order; adjacent ones are merged.
    pub fn push(&mut self, inner: u32, outer: u32, len: u32) {
        if let Some(last) = self.pieces.last_mut() {
            if last.0 + last.2 == inner && last.1 + last.2 == outer {
                last.2 += len;
                return;
            }
        }
        self.pieces.push((inner, outer, len));
    }

    /// The outer offset of an inner offset. An offset past the end of a piece (a character the
    /// decoding added, such as the newline that ends a block scalar) maps to just after that
    /// piece.
    pub fn offset(&self, inner: u32) -> u32 {
        let i = self.pieces.partition_point(|p| p.0 <= inner);
        match i.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(&(start, outer, len)) => outer + (inner - start).min(len),
            None => self.pieces.first().map_or(0, |p| p.1),
        }
    }

    /// The outer span of an inner span; an empty span stays empty.
    pub fn span(&self, inner: &Span) -> Span {
        let start = self.offset(inner.start);
        if inner.end <= inner.start {
            return start..start;
        }
        // The end maps through its last byte, so a span ending a piece does not reach into
        // the outer text between pieces. A last byte the decoding added (no piece holds it)
        // maps to the end of the piece before: one byte further could split a character.
        let last = inner.end - 1;
        let end = if self.holds(last) {
            self.offset(last) + 1
        } else {
            self.offset(last)
        };
        start..end.max(start)
    }

    /// Whether a piece holds the inner byte `inner` (it is not one the decoding added).
    fn holds(&self, inner: u32) -> bool {
        let i = self.pieces.partition_point(|p| p.0 <= inner);
        i.checked_sub(1)
            .and_then(|i| self.pieces.get(i))
            .is_some_and(|&(start, _, len)| inner < start + len)
    }

    /// Whether the inner span lies in one piece, so replacing it replaces the same bytes of
    /// the outer file and nothing between pieces.
    pub fn is_contiguous(&self, inner: &Span) -> bool {
        let i = self.pieces.partition_point(|p| p.0 <= inner.start);
        i.checked_sub(1)
            .and_then(|i| self.pieces.get(i))
            .is_some_and(|&(start, _, len)| inner.end <= start + len)
    }
}

/// How deep texts may nest (a Jenkinsfile's pod YAML holding a ConfigMap with an nginx.conf).
const MAX_DEPTH: u32 = 3;

/// Lints the texts `out` reports as embedded with their engines and adds the findings,
/// suppression comments and secret spans, mapped into the outer file. A fix is kept only
/// when every edit maps onto one piece and inserts no line break (which would need the
/// outer file's indentation); otherwise the finding stays without it.
pub fn lint_embedded(out: &mut LintOutput, source: &SourceFile, ctx: &LintContext, depth: u32) {
    let embedded = std::mem::take(&mut out.embedded);
    if depth >= MAX_DEPTH {
        return;
    }
    for e in embedded {
        let inner_source = SourceFile::new(source.path.clone(), e.text.as_str());
        let inner_ctx = LintContext {
            embedded_depth: depth + 1,
            ..ctx.clone()
        };
        let inner = super::lint(e.file_type, &inner_source, &inner_ctx);
        // Both texts see the secrets of the embedded one: report each once.
        for d in inner.diagnostics {
            let d = map_diagnostic(d, &e.map);
            if !out
                .diagnostics
                .iter()
                .any(|o| o.code == d.code && o.span == d.span)
            {
                out.diagnostics.push(d);
            }
        }
        out.comments
            .extend(inner.comments.into_iter().map(|c| Comment {
                span: e.map.span(&c.span),
                body: e.map.span(&c.body),
                covers: e.map.span(&c.covers),
                own_line: c.own_line,
            }));
        out.secrets
            .extend(inner.secrets.iter().map(|s| e.map.span(s)));
    }
}

fn map_diagnostic(mut d: Diagnostic, map: &SpanMap) -> Diagnostic {
    d.span = map.span(&d.span);
    for label in &mut d.labels {
        label.span = map.span(&label.span);
    }
    let keep_fix = d.fix.as_ref().is_some_and(|fix| {
        fix.edits
            .iter()
            .all(|e| map.is_contiguous(&e.span) && !e.content.contains('\n'))
    });
    if keep_fix {
        if let Some(fix) = &mut d.fix {
            for edit in &mut fix.edits {
                edit.span = map.span(&edit.span);
            }
        }
    } else {
        d.fix = None;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block scalar: `data:\n  a.conf: |\n    x;\n    y;\n` holds "x;\ny;\n".
    fn block_map() -> SpanMap {
        let mut m = SpanMap::new();
        m.push(0, 22, 3); // "x;\n" at outer 22
        m.push(3, 29, 3); // "y;\n" at outer 29
        m
    }

    #[test]
    fn offsets_map_through_pieces() {
        let m = block_map();
        assert_eq!(m.offset(0), 22);
        assert_eq!(m.offset(4), 30);
        assert_eq!(m.span(&(3..5)), 29..31);
        assert_eq!(m.span(&(0..2)), 22..24);
        assert_eq!(m.span(&(6..6)), 32..32); // end of text: just after the last piece
    }

    #[test]
    fn text_the_decoding_added_maps_to_no_outer_byte() {
        // "kind: Pod\n" (10 bytes) added before "é: 1\n" copied from outer 40.
        let mut m = SpanMap::new();
        m.push(10, 40, 6);
        assert_eq!(m.span(&(6..9)), 40..40); // `Pod`: before any piece
        assert_eq!(m.span(&(10..12)), 40..42); // `é`, whole
        let mut m = block_map();
        m.push(8, 40, 2); // a gap at inner 6..8 (added), then two more bytes
        assert_eq!(m.span(&(6..8)), 32..32); // added text: at the end of the piece before
    }

    #[test]
    fn adjacent_pieces_merge_and_contiguity_is_per_piece() {
        let mut m = SpanMap::new();
        m.push(0, 10, 2);
        m.push(2, 12, 2);
        assert_eq!(m.pieces.len(), 1);
        let m = block_map();
        assert!(m.is_contiguous(&(0..2)));
        assert!(!m.is_contiguous(&(1..4)));
    }
}
