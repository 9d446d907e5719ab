//! A file's text with a line index: byte offset ⇄ line/column, computed once per file.
//! Implements miette's `SourceCode` with binary searches, because miette's own impls for
//! strings rescan the file from the start for every label (quadratic on big files).

use crate::diagnostic::Span;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::sync::Arc;

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to the user (`/`-separated).
    pub path: String,
    /// Shared, not copied: a file read into a `String` becomes a source as it is.
    pub text: Arc<String>,
    /// Byte offset of the start of every line.
    line_starts: Vec<u32>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = Arc::new(text.into());
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    pub fn len(&self) -> u32 {
        self.text.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based index of the line holding byte `offset`.
    pub fn line_index(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte offset where 0-based line `index` starts.
    pub fn line_start(&self, index: usize) -> u32 {
        self.line_starts.get(index).copied().unwrap_or(self.len())
    }

    /// The byte range of 0-based line `index`, without its line terminator.
    pub fn line_span(&self, index: usize) -> Span {
        let start = self.line_start(index);
        let mut end = self.line_start(index + 1);
        let bytes = self.text.as_bytes();
        if end > start && bytes.get(end as usize - 1) == Some(&b'\n') {
            end -= 1;
            if end > start && bytes.get(end as usize - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        start..end
    }

    /// 1-based line and column (in Unicode scalars) of byte `offset`.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = self.floor_char_boundary(offset.min(self.len()));
        let index = self.line_index(offset);
        let start = self.line_starts[index] as usize;
        let column = self.text[start..offset as usize].chars().count() as u32 + 1;
        LineCol {
            line: index as u32 + 1,
            column,
        }
    }

    /// UTF-16 column (0-based) of byte `offset` within its line, for LSP and SARIF.
    pub fn utf16_column(&self, offset: u32) -> u32 {
        let offset = self.floor_char_boundary(offset.min(self.len()));
        let start = self.line_starts[self.line_index(offset)] as usize;
        self.text[start..offset as usize]
            .chars()
            .map(|c| c.len_utf16() as u32)
            .sum()
    }

    /// The byte offset of 1-based `line` and `column` (Unicode scalars), clamped to the text.
    pub fn offset_of(&self, pos: LineCol) -> u32 {
        let index = (pos.line.max(1) - 1) as usize;
        let line = self.line_span(index);
        let text = &self.text[line.start as usize..line.end as usize];
        let col = pos.column.max(1) as usize - 1;
        let within = text
            .char_indices()
            .nth(col)
            .map(|(i, _)| i)
            .unwrap_or(text.len());
        line.start + within as u32
    }

    pub fn slice(&self, span: &Span) -> &str {
        let end = (span.end as usize).min(self.text.len());
        let start = (span.start as usize).min(end);
        self.text.get(start..end).unwrap_or("")
    }

    fn floor_char_boundary(&self, mut offset: u32) -> u32 {
        while offset > 0 && !self.text.is_char_boundary(offset as usize) {
            offset -= 1;
        }
        offset
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let len = self.text.len();
        let start = span.offset();
        let end = start + span.len();
        if start > len || end > len {
            return Err(MietteError::OutOfBounds);
        }
        let first_line = self.line_index(start as u32);
        // The last line the span touches: a span ending right after a newline ends on that line.
        let last_line = if !span.is_empty() {
            self.line_index((end - 1) as u32)
        } else {
            first_line
        };
        let (data_start, line, column) = if context_lines_before == 0 {
            let col = self.text[self.line_starts[first_line] as usize..start]
                .chars()
                .count();
            (start, first_line, col)
        } else {
            let l = first_line.saturating_sub(context_lines_before);
            (self.line_starts[l] as usize, l, 0)
        };
        let data_end = if context_lines_after == 0 {
            end
        } else {
            let l = last_line + context_lines_after + 1;
            self.line_starts.get(l).map(|&o| o as usize).unwrap_or(len)
        };
        let data_end = data_end.max(data_start);
        let data = &self.text.as_bytes()[data_start..data_end];
        // Like miette's own impls: the number of line breaks from the start of the text to the
        // end of the data (its graphical handler merges snippets with it).
        let line_count = self.line_index(data_end as u32);
        Ok(Box::new(MietteSpanContents::new_named(
            self.path.clone(),
            data,
            (data_start, data_end - data_start).into(),
            line,
            column,
            line_count,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_unicode_scalars() {
        let f = SourceFile::new("x", "ab\nçé x\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // "çé " is 5 bytes; `x` is at byte 3 + 5 = 8, the 4th scalar.
        assert_eq!(f.line_col(8), LineCol { line: 2, column: 4 });
        assert_eq!(f.offset_of(LineCol { line: 2, column: 4 }), 8);
        assert_eq!(f.line_span(1), 3..9);
    }

    #[test]
    fn read_span_matches_miette_builtin() {
        let text = "one\ntwo\nthree\nfour\nfive\n";
        let f = SourceFile::new("x", text);
        for (start, len) in [(0, 3), (4, 3), (8, 5), (14, 9), (10, 0)] {
            let span: SourceSpan = (start, len).into();
            for (b, a) in [(0, 0), (1, 1), (2, 2)] {
                let ours = f.read_span(&span, b, a).unwrap();
                let theirs = text.read_span(&span, b, a).unwrap();
                assert_eq!(ours.data(), theirs.data(), "{start},{len},{b},{a}");
                assert_eq!(ours.line(), theirs.line());
                assert_eq!(ours.column(), theirs.column());
                // line_count only decides whether two snippets merge; ours counts the newlines
                // of the data, which is what that test needs.
            }
        }
    }
}
