//! `--output-format json` (one array) and `json-lines` (one object per line), exactly as the
//! CLI contract shows.

use super::FileReport;
use crate::diagnostic::Diagnostic;
use crate::registry::Code;
use crate::source::{LineCol, SourceFile};
use serde::Serialize;

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub path: &'a str,
    pub file_type: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub severity: &'static str,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub url: Option<String>,
    pub location: LineCol,
    pub end_location: LineCol,
    pub fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
pub struct JsonFix<'a> {
    pub applicability: &'static str,
    pub message: &'a str,
    pub edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
pub struct JsonEdit<'a> {
    pub content: &'a str,
    pub location: LineCol,
    pub end_location: LineCol,
}

pub fn finding<'a>(file: &'a FileReport, d: &'a Diagnostic) -> JsonFinding<'a> {
    let src: &SourceFile = &file.source;
    JsonFinding {
        path: &file.path,
        file_type: file.file_type.as_str(),
        code: d.code.as_str(),
        name: d.code.name(),
        severity: d.severity.as_str(),
        message: &d.message,
        help: d.help.as_deref(),
        url: None,
        location: src.line_col(d.span.start),
        end_location: src.line_col(d.span.end),
        fix: d.fix.as_ref().map(|f| JsonFix {
            applicability: f.applicability.as_str(),
            message: &f.message,
            edits: f
                .edits
                .iter()
                .map(|e| JsonEdit {
                    content: &e.content,
                    location: src.line_col(e.span.start),
                    end_location: src.line_col(e.span.end),
                })
                .collect(),
        }),
    }
}

/// The file's findings as elements of the report's array, pretty-printed and indented (one
/// level, inside the array): what `serde_json::to_string_pretty` writes, written directly.
pub fn elements(file: &FileReport, out: &mut Vec<(Code, String)>) {
    for d in &file.diagnostics {
        let f = finding(file, d);
        let mut text = String::with_capacity(512 + f.message.len());
        let mut w = Pretty {
            out: &mut text,
            depth: 1,
        };
        w.write_finding(&f);
        out.push((d.code, text));
    }
}

/// Pretty JSON (two-space indentation), byte for byte as serde_json's pretty printer.
struct Pretty<'o> {
    out: &'o mut String,
    depth: usize,
}

impl Pretty<'_> {
    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, bracket: char) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push(bracket);
        self.depth += 1;
    }

    fn close(&mut self, bracket: char) {
        self.depth -= 1;
        self.newline();
        self.out.push(bracket);
    }

    /// `"key": ` on a new line, after a comma unless `first`.
    fn key(&mut self, key: &str, first: bool) {
        if !first {
            self.out.push(',');
        }
        self.newline();
        string(self.out, key);
        self.out.push_str(": ");
    }

    fn str_field(&mut self, key: &str, value: Option<&str>, first: bool) {
        self.key(key, first);
        match value {
            Some(v) => string(self.out, v),
            None => self.out.push_str("null"),
        }
    }

    fn location(&mut self, key: &str, at: LineCol) {
        self.key(key, false);
        self.out.push('{');
        self.depth += 1;
        self.key("line", true);
        self.out.push_str(&at.line.to_string());
        self.key("column", false);
        self.out.push_str(&at.column.to_string());
        self.close('}');
    }

    fn write_finding(&mut self, f: &JsonFinding<'_>) {
        self.open('{');
        self.str_field("path", Some(f.path), true);
        self.str_field("file_type", Some(f.file_type), false);
        self.str_field("code", Some(f.code), false);
        self.str_field("name", Some(f.name), false);
        self.str_field("severity", Some(f.severity), false);
        self.str_field("message", Some(f.message), false);
        self.str_field("help", f.help, false);
        self.str_field("url", f.url.as_deref(), false);
        self.location("location", f.location);
        self.location("end_location", f.end_location);
        self.key("fix", false);
        match &f.fix {
            None => self.out.push_str("null"),
            Some(fix) => {
                self.out.push('{');
                self.depth += 1;
                self.str_field("applicability", Some(fix.applicability), true);
                self.str_field("message", Some(fix.message), false);
                self.key("edits", false);
                if fix.edits.is_empty() {
                    self.out.push_str("[]");
                } else {
                    self.out.push('[');
                    self.depth += 1;
                    for (i, e) in fix.edits.iter().enumerate() {
                        if i > 0 {
                            self.out.push(',');
                        }
                        self.newline();
                        self.out.push('{');
                        self.depth += 1;
                        self.str_field("content", Some(e.content), true);
                        self.location("location", e.location);
                        self.location("end_location", e.end_location);
                        self.close('}');
                    }
                    self.close(']');
                }
                self.close('}');
            }
        }
        self.close('}');
    }
}

/// A JSON string literal, escaped as serde_json escapes it.
fn string(out: &mut String, s: &str) {
    // Which bytes need an escape: `"`, `\\` and the control characters.
    const ESCAPED: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 0x20 {
            table[b] = true;
            b += 1;
        }
        table[b'"' as usize] = true;
        table[b'\\' as usize] = true;
        table
    };
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    while let Some(offset) = bytes[start..].iter().position(|&b| ESCAPED[b as usize]) {
        let i = start + offset;
        out.push_str(&s[start..i]);
        let b = bytes[i];
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// `json-lines`: one object per line.
pub fn lines(file: &FileReport, out: &mut String) {
    for d in &file.diagnostics {
        if let Ok(line) = serde_json::to_string(&finding(file, d)) {
            out.push_str(&line);
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_pretty(f: &JsonFinding<'_>) -> String {
        let text = serde_json::to_string_pretty(f).unwrap();
        text.split('\n')
            .map(|line| format!("  {line}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn direct(f: &JsonFinding<'_>) -> String {
        let mut out = String::new();
        Pretty {
            out: &mut out,
            depth: 1,
        }
        .write_finding(f);
        out
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let all: String = (0u8..0x80).map(char::from).collect();
        for s in [
            all.as_str(),
            "",
            "é 中 \u{2028} \u{7f} \"q\" \\",
            "a\u{0}b\u{1f}",
        ] {
            let mut out = String::new();
            string(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap());
        }
    }

    #[test]
    fn findings_are_written_as_serde_json_pretty_prints_them() {
        let at = |line, column| LineCol { line, column };
        let mut f = JsonFinding {
            path: "k8s/deploy \"x\".yaml",
            file_type: "kubernetes",
            code: "K8S003",
            name: "missing-probe",
            severity: "warning",
            message: "line\nbreak\ttab",
            help: None,
            url: None,
            location: at(3, 7),
            end_location: at(12, 1),
            fix: None,
        };
        assert_eq!(direct(&f), serde_pretty(&f));
        f.help = Some("help");
        f.url = Some("https://x".to_string());
        f.fix = Some(JsonFix {
            applicability: "safe",
            message: "do it",
            edits: vec![],
        });
        assert_eq!(direct(&f), serde_pretty(&f));
        f.fix = Some(JsonFix {
            applicability: "unsafe",
            message: "do it",
            edits: vec![
                JsonEdit {
                    content: "a\n",
                    location: at(1, 1),
                    end_location: at(1, 2),
                },
                JsonEdit {
                    content: "",
                    location: at(2, 1),
                    end_location: at(2, 1),
                },
            ],
        });
        assert_eq!(direct(&f), serde_pretty(&f));
    }
}
