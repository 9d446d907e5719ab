//! `opslint server`: a Language Server over stdio, on `lsp-server` + `lsp-types` (synchronous,
//! like ruff's). Every open document is linted on open, change (full sync) and save through
//! `run::lint_source`, the pipeline `check --stdin-filename` goes through, with the nearest
//! config of the document's folder; the findings are pushed with
//! `textDocument/publishDiagnostics`. Code actions: each fix as a quick fix, a "suppress for
//! this line" comment, and `source.fixAll.opslint` for every safe fix.
//!
//! Nothing the client sends may bring the server down: bad parameters get an error response
//! (or a log line, for a notification), a panic while handling a message becomes a log message
//! and the loop goes on, an engine panic is already an OPS005 finding (`run::lint_guarded`).

use crate::config::{ConfigResolver, Overrides, CONFIG_NAMES};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Severity, Span};
use crate::lang::FileType;
use crate::registry::Code;
use crate::report::{scrubbed, FileReport};
use crate::run::{self, RunResult, Status, Target};
use crate::source::SourceFile;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use miette::miette;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The code action kind for fix-on-save (`editor.codeActionsOnSave`).
pub const FIX_ALL_KIND: &str = "source.fixAll.opslint";

/// How positions count the characters of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 code units (bytes), when the client offers `positionEncoding` utf-8.
    Utf8,
    /// UTF-16 code units: the LSP default.
    Utf16,
}

/// Runs the server until `exit`: exit code 0 after `shutdown`, 1 without it.
pub fn run() -> RunResult {
    run::install_quiet_panic_hook();
    let (connection, io_threads) = Connection::stdio();
    let status = serve(&connection).map_err(|e| miette!("language server: {e}"))?;
    drop(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("opslint server: {e}");
        return Ok(Status::Failure);
    }
    Ok(status)
}

fn serve(connection: &Connection) -> Result<Status, lsp_server::ProtocolError> {
    let (id, params) = connection.initialize_start()?;
    let params: lsp::InitializeParams = serde_json::from_value(params).unwrap_or_else(|e| {
        eprintln!("opslint server: unreadable initialize parameters ({e}): using defaults");
        lsp::InitializeParams::default()
    });
    let encoding = negotiate(&params);
    let result = lsp::InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(lsp::ServerInfo {
            name: "opslint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result).unwrap_or_default())?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let mut server = Server {
        connection,
        encoding,
        cwd,
        docs: HashMap::new(),
        config_error: None,
    };
    let mut shutdown = false;
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if shutdown {
                    server.send(Response::new_err(
                        req.id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shutting down".into(),
                    ));
                    continue;
                }
                if req.method == "shutdown" {
                    shutdown = true;
                    server.send(Response::new_ok(req.id, ()));
                    continue;
                }
                let id = req.id.clone();
                let method = req.method.clone();
                match catch_unwind(AssertUnwindSafe(|| server.request(req))) {
                    Ok(response) => server.send(response),
                    Err(payload) => {
                        server.log_panic(&method, payload.as_ref());
                        server.send(Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            format!("internal error in opslint while handling {method}"),
                        ));
                    }
                }
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Ok(if shutdown {
                        Status::Success
                    } else {
                        Status::Failure
                    });
                }
                if shutdown {
                    continue;
                }
                let method = n.method.clone();
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| server.notification(n))) {
                    server.log_panic(&method, payload.as_ref());
                }
            }
            Message::Response(_) => {}
        }
    }
    // The client closed the connection without `exit`.
    Ok(Status::Failure)
}

/// UTF-8 when the client offers it (no conversion), else the mandatory UTF-16.
pub fn negotiate(params: &lsp::InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&lsp::PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::FULL),
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                    lsp::SaveOptions {
                        include_text: Some(true),
                    },
                )),
                ..Default::default()
            },
        )),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::new(FIX_ALL_KIND),
                ]),
                resolve_provider: Some(false),
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    /// Where relative paths start (the resolver needs one; document paths are absolute).
    cwd: PathBuf,
    /// Open documents by URI.
    docs: HashMap<String, Document>,
    /// The config error shown last, so a broken lint.toml is announced once, not per keystroke.
    config_error: Option<String>,
}

struct Document {
    uri: lsp::Uri,
    text: String,
    version: Option<i32>,
    /// The last lint of `text`; `None` for a file opslint does not lint.
    linted: Option<Linted>,
}

struct Linted {
    target: Target,
    /// As linted: byte spans into `report.source`, secret values included.
    report: FileReport,
    /// The same findings with every secret value scrubbed from messages and fixes: what the
    /// client is shown.
    clean: FileReport,
    disk_path: Option<PathBuf>,
}

impl Server<'_> {
    fn send(&self, message: impl Into<Message>) {
        // The writer only goes away with the client: nothing left to tell.
        let _ = self.connection.sender.send(message.into());
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.send(Notification::new(method.to_string(), params));
    }

    fn log(&self, typ: lsp::MessageType, message: String) {
        eprintln!("opslint server: {message}");
        self.notify("window/logMessage", lsp::LogMessageParams { typ, message });
    }

    fn log_panic(&self, method: &str, payload: &(dyn std::any::Any + Send)) {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        self.log(
            lsp::MessageType::ERROR,
            format!("internal error while handling {method}: {why} (this is a bug in opslint: please report it)"),
        );
    }

    fn request(&mut self, req: Request) -> Response {
        match req.method.as_str() {
            "textDocument/codeAction" => {
                match serde_json::from_value::<lsp::CodeActionParams>(req.params) {
                    Ok(params) => Response::new_ok(req.id, self.code_actions(&params)),
                    Err(e) => Response::new_err(
                        req.id,
                        ErrorCode::InvalidParams as i32,
                        format!("invalid textDocument/codeAction parameters: {e}"),
                    ),
                }
            }
            method => Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("opslint does not handle {method}"),
            ),
        }
    }

    fn notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let result = match method.as_str() {
            "textDocument/didOpen" => serde_json::from_value(n.params).map(|p| self.did_open(p)),
            "textDocument/didChange" => {
                serde_json::from_value(n.params).map(|p| self.did_change(p))
            }
            "textDocument/didSave" => serde_json::from_value(n.params).map(|p| self.did_save(p)),
            "textDocument/didClose" => serde_json::from_value(n.params).map(|p| self.did_close(p)),
            // A config file changed somewhere: lint everything again.
            "workspace/didChangeWatchedFiles" | "workspace/didChangeConfiguration" => {
                self.lint_all();
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.log(
                lsp::MessageType::WARNING,
                format!("invalid {method} parameters: {e}"),
            );
        }
    }

    fn did_open(&mut self, params: lsp::DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let key = doc.uri.as_str().to_string();
        self.docs.insert(
            key.clone(),
            Document {
                uri: doc.uri,
                text: doc.text,
                version: Some(doc.version),
                linted: None,
            },
        );
        self.lint(&key);
    }

    fn did_change(&mut self, params: lsp::DidChangeTextDocumentParams) {
        let key = params.text_document.uri.as_str().to_string();
        let encoding = self.encoding;
        let Some(doc) = self.docs.get_mut(&key) else {
            return;
        };
        for change in params.content_changes {
            match change.range {
                // Incremental, although full sync was asked for: apply it all the same.
                Some(range) => {
                    let start = offset_at(&doc.text, range.start, encoding);
                    let end = offset_at(&doc.text, range.end, encoding).max(start);
                    doc.text.replace_range(start..end, &change.text);
                }
                None => doc.text = change.text,
            }
        }
        doc.version = Some(params.text_document.version);
        self.lint(&key);
    }

    fn did_save(&mut self, params: lsp::DidSaveTextDocumentParams) {
        let key = params.text_document.uri.as_str().to_string();
        let is_config = uri_to_path(&params.text_document.uri)
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .is_some_and(|n| CONFIG_NAMES.contains(&n.as_str()));
        if let (Some(doc), Some(text)) = (self.docs.get_mut(&key), params.text) {
            doc.text = text;
        }
        if is_config {
            self.config_error = None;
            self.lint_all();
        } else {
            self.lint(&key);
        }
    }

    fn did_close(&mut self, params: lsp::DidCloseTextDocumentParams) {
        if let Some(doc) = self.docs.remove(params.text_document.uri.as_str()) {
            self.publish(&doc.uri, Vec::new(), None);
        }
    }

    fn lint_all(&mut self) {
        let keys: Vec<String> = self.docs.keys().cloned().collect();
        for key in keys {
            self.lint(&key);
        }
    }

    fn publish(&self, uri: &lsp::Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        self.notify(
            "textDocument/publishDiagnostics",
            lsp::PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics,
                version,
            },
        );
    }

    /// Lints the document again and publishes its diagnostics.
    fn lint(&mut self, key: &str) {
        let Some(doc) = self.docs.get(key) else {
            return;
        };
        let linted = match self.analyse(&doc.uri, &doc.text) {
            Ok(linted) => {
                self.config_error = None;
                linted
            }
            Err(message) => {
                if self.config_error.as_ref() != Some(&message) {
                    self.notify(
                        "window/showMessage",
                        lsp::ShowMessageParams {
                            typ: lsp::MessageType::ERROR,
                            message: message.clone(),
                        },
                    );
                    self.log(lsp::MessageType::ERROR, message.clone());
                    self.config_error = Some(message);
                }
                None
            }
        };
        let diagnostics: Vec<lsp::Diagnostic> = linted
            .as_ref()
            .map(|l| {
                l.clean
                    .diagnostics
                    .iter()
                    .map(|d| to_lsp(&l.clean.source, d, self.encoding))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(l) = &linted {
            for d in l
                .clean
                .diagnostics
                .iter()
                .filter(|d| d.code == Code::OPS005)
            {
                self.log(
                    lsp::MessageType::ERROR,
                    format!("{}: {}", l.clean.path, d.message),
                );
            }
        }
        let (uri, version) = (doc.uri.clone(), doc.version);
        if let Some(doc) = self.docs.get_mut(key) {
            doc.linted = linted;
        }
        self.publish(&uri, diagnostics, version);
    }

    /// `Ok(None)` for a document opslint does not lint; `Err` with the message to show for an
    /// invalid config.
    fn analyse(&self, uri: &lsp::Uri, text: &str) -> Result<Option<Linted>, String> {
        let Some(path) = uri_to_path(uri) else {
            return Ok(None);
        };
        let config_error = |e: crate::config::ConfigError| {
            let help = miette::Diagnostic::help(&e)
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            format!("opslint: invalid configuration: {e}{help}")
        };
        let resolver = ConfigResolver::new(None, false, Overrides::default(), self.cwd.clone())
            .map_err(config_error)?;
        // Rules that look at neighbouring files (the build context) need the folder on disk.
        let disk_path = path
            .parent()
            .is_some_and(Path::is_dir)
            .then(|| path.clone());
        let Some((target, report)) =
            run::lint_source(&path, text, disk_path.clone(), &resolver).map_err(config_error)?
        else {
            return Ok(None);
        };
        if target.settings.is_excluded(&target.abs_path) {
            return Ok(None);
        }
        let clean = scrubbed(&report).into_owned();
        Ok(Some(Linted {
            target,
            report,
            clean,
            disk_path,
        }))
    }

    fn code_actions(&self, params: &lsp::CodeActionParams) -> Vec<lsp::CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(doc) = self.docs.get(uri.as_str()) else {
            return Vec::new();
        };
        let Some(linted) = &doc.linted else {
            return Vec::new();
        };
        let wants = |kind: &str| {
            params.context.only.as_ref().map_or(true, |only| {
                only.iter().any(|k| {
                    let k = k.as_str();
                    kind == k || kind.starts_with(&format!("{k}."))
                })
            })
        };
        let source = &linted.report.source;
        let enc = self.encoding;
        let mut out = Vec::new();
        if wants(lsp::CodeActionKind::QUICKFIX.as_str()) {
            for (raw, clean) in linted
                .report
                .diagnostics
                .iter()
                .zip(&linted.clean.diagnostics)
            {
                let range = to_range(source, &raw.span, enc);
                if !overlaps(range, params.range) {
                    continue;
                }
                let shown = to_lsp(source, clean, enc);
                // A fix that quotes a secret value is not offered: scrubbed, it would corrupt
                // the file; as is, it would carry the secret.
                if let (Some(fix), true) = (&raw.fix, raw.fix == clean.fix) {
                    let safe = fix.applicability == Applicability::Safe;
                    let edits = fix
                        .edits
                        .iter()
                        .map(|e| to_text_edit(source, e, enc))
                        .collect();
                    out.push(action(
                        format!(
                            "{}: {}{}",
                            raw.code,
                            fix.message,
                            if safe { "" } else { " (unsafe)" }
                        ),
                        lsp::CodeActionKind::QUICKFIX,
                        Some(vec![shown.clone()]),
                        uri,
                        edits,
                        Some(safe),
                    ));
                }
                if let Some(edit) = suppress_edit(linted.target.file_type, source, raw) {
                    out.push(action(
                        format!("{}: suppress for this line", raw.code),
                        lsp::CodeActionKind::QUICKFIX,
                        Some(vec![shown]),
                        uri,
                        vec![to_text_edit(source, &edit, enc)],
                        Some(false),
                    ));
                }
            }
        }
        if wants(FIX_ALL_KIND) {
            if let Some(edits) = self.fix_all(doc, linted) {
                out.push(action(
                    "opslint: fix all safe findings".into(),
                    lsp::CodeActionKind::new(FIX_ALL_KIND),
                    None,
                    uri,
                    edits,
                    None,
                ));
            }
        }
        out
    }

    /// Every safe fix, to a fixed point, as line edits of the document; `None` when there is
    /// nothing to fix, the fixes would add syntax errors, or they would quote a secret.
    fn fix_all(&self, doc: &Document, linted: &Linted) -> Option<Vec<lsp::TextEdit>> {
        let any_safe = linted.report.diagnostics.iter().any(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Safe)
        });
        if !any_safe {
            return None;
        }
        let mut linter = linted.target.linter(linted.disk_path.clone(), Vec::new());
        let (fixed, _, _) = run::fix_text(&mut linter, &doc.text, false)?;
        if fixed == doc.text {
            return None;
        }
        let source = &linted.report.source;
        let secrets: Vec<&str> = linted
            .report
            .secrets
            .iter()
            .map(|s| source.slice(s))
            .collect();
        let edits = line_edits(source, &fixed);
        let quotes_secret = edits.iter().any(|e| {
            secrets
                .iter()
                .any(|v| v.len() >= 4 && e.content.contains(v))
        });
        if quotes_secret {
            return None;
        }
        Some(
            edits
                .iter()
                .map(|e| to_text_edit(source, e, self.encoding))
                .collect(),
        )
    }
}

fn action(
    title: String,
    kind: lsp::CodeActionKind,
    diagnostics: Option<Vec<lsp::Diagnostic>>,
    uri: &lsp::Uri,
    edits: Vec<lsp::TextEdit>,
    is_preferred: Option<bool>,
) -> lsp::CodeActionOrCommand {
    #[allow(clippy::mutable_key_type)] // `Uri` hashes its text, which never changes
    let changes = HashMap::from([(uri.clone(), edits)]);
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title,
        kind: Some(kind),
        diagnostics,
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }),
        is_preferred,
        ..Default::default()
    })
}

/// The edits that turn `source` into `new`, a changed run of whole lines each.
pub fn line_edits(source: &SourceFile, new: &str) -> Vec<Edit> {
    let after = SourceFile::new("", new);
    similar::TextDiff::from_lines(source.text.as_str(), new)
        .ops()
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .map(|op| {
            let (old, new) = (op.old_range(), op.new_range());
            let span = source.line_start(old.start)..source.line_start(old.end);
            let content = after.slice(&(after.line_start(new.start)..after.line_start(new.end)));
            Edit::replace(span, content)
        })
        .collect()
}

/// The comment that suppresses `d` on its line, as an insertion: `# opslint: ignore[CODE]`
/// (`//` in a Jenkinsfile) on its own line above, indented like the line it covers; in a
/// Dockerfile above the first line of the instruction. An `opslint: ignore[…]` comment already
/// on the line above gets the code added to its list. `None` for OPS findings, which only
/// `ignore-file` silences.
pub fn suppress_edit(file_type: FileType, source: &SourceFile, d: &Diagnostic) -> Option<Edit> {
    if d.code.as_str().starts_with("OPS") {
        return None;
    }
    let marker = match file_type {
        FileType::Jenkinsfile => "//",
        FileType::Dockerfile | FileType::Kubernetes | FileType::Nginx => "#",
    };
    let anchor = match file_type {
        FileType::Dockerfile => instruction_start(source, d.span.start).unwrap_or(d.span.start),
        _ => d.span.start,
    };
    let line = source.line_index(anchor.min(source.len()));
    let span = source.line_span(line);
    let content = source.slice(&span);
    let indent = &content[..content.len() - content.trim_start().len()];
    let code = d.code.as_str();
    if line > 0 {
        let above = source.line_span(line - 1);
        let text = source.slice(&above);
        let trimmed = text.trim_start();
        let prefix = format!("{marker} opslint: ignore[");
        if let Some(close) = trimmed.strip_prefix(&prefix).and_then(|r| r.find(']')) {
            let at = above.start + (text.len() - trimmed.len() + prefix.len() + close) as u32;
            let sep = if close == 0 { "" } else { "," };
            return Some(Edit::insert(at, format!("{sep}{code}")));
        }
    }
    let newline = if source.text[span.end as usize..].starts_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Some(Edit::insert(
        span.start,
        format!("{indent}{marker} opslint: ignore[{code}]{newline}"),
    ))
}

/// Where the Dockerfile instruction holding byte `offset` starts.
fn instruction_start(source: &SourceFile, offset: u32) -> Option<u32> {
    crate::lang::dockerfile::parse::parse(&source.text)
        .instructions
        .iter()
        .find(|i| i.span.start <= offset && offset <= i.span.end)
        .map(|i| i.span.start)
}

fn to_lsp(source: &SourceFile, d: &Diagnostic, enc: Encoding) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: to_range(source, &d.span, enc),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.code.as_str().into())),
        code_description: None,
        source: Some("opslint".into()),
        message: d.message.clone(),
        related_information: None,
        tags: (d.code == Code::OPS002).then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

fn to_text_edit(source: &SourceFile, e: &Edit, enc: Encoding) -> lsp::TextEdit {
    lsp::TextEdit {
        range: to_range(source, &e.span, enc),
        new_text: e.content.clone(),
    }
}

fn to_range(source: &SourceFile, span: &Span, enc: Encoding) -> lsp::Range {
    lsp::Range {
        start: position(source, span.start, enc),
        end: position(source, span.end.max(span.start), enc),
    }
}

/// The LSP position of byte `offset`: 0-based line, and column in the negotiated code units.
pub fn position(source: &SourceFile, offset: u32, enc: Encoding) -> lsp::Position {
    let mut offset = offset.min(source.len());
    while !source.text.is_char_boundary(offset as usize) {
        offset -= 1;
    }
    let line = source.line_index(offset);
    let character = match enc {
        Encoding::Utf8 => offset - source.line_start(line),
        Encoding::Utf16 => source.utf16_column(offset),
    };
    lsp::Position {
        line: line as u32,
        character,
    }
}

/// The byte offset of an LSP position in `text`, clamped to the line and the text.
pub fn offset_at(text: &str, pos: lsp::Position, enc: Encoding) -> usize {
    let mut start = 0usize;
    for _ in 0..pos.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0u32;
    for (i, c) in text[start..end].char_indices() {
        if units >= pos.character {
            return start + i;
        }
        units += match enc {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        };
    }
    end
}

fn overlaps(a: lsp::Range, b: lsp::Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The local path of a `file:` URI (`None` for `untitled:` and other schemes).
pub fn uri_to_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let slash = rest.find('/')?;
    if !matches!(&rest[..slash], "" | "localhost") {
        return None;
    }
    let path = rest[slash..].split(['?', '#']).next()?;
    let mut bytes = Vec::with_capacity(path.len());
    let mut raw = path.bytes();
    while let Some(b) = raw.next() {
        if b == b'%' {
            let hex = [raw.next()?, raw.next()?];
            let hex = std::str::from_utf8(&hex).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    let decoded = String::from_utf8(bytes).ok()?;
    // `file:///C:/x` is `C:/x` on Windows.
    #[cfg(windows)]
    let decoded = match decoded.strip_prefix('/') {
        Some(rest) if rest.get(1..2) == Some(":") => rest.to_string(),
        _ => decoded,
    };
    Some(PathBuf::from(decoded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn positions_in_utf16_and_utf8() {
        // `é` is 2 bytes and 1 UTF-16 unit; `😀` is 4 bytes and 2 units.
        let text = "a\né😀x\n";
        let source = SourceFile::new("x", text);
        let x = text.find('x').unwrap() as u32;
        let p16 = position(&source, x, Encoding::Utf16);
        assert_eq!((p16.line, p16.character), (1, 3));
        let p8 = position(&source, x, Encoding::Utf8);
        assert_eq!((p8.line, p8.character), (1, 6));
        assert_eq!(offset_at(text, p16, Encoding::Utf16), x as usize);
        assert_eq!(offset_at(text, p8, Encoding::Utf8), x as usize);
        let past = lsp::Position::new(9, 0);
        assert_eq!(offset_at(text, past, Encoding::Utf16), text.len());
    }

    #[test]
    fn file_uris() {
        let uri = lsp::Uri::from_str("file:///tmp/a%20b/Dockerfile").unwrap();
        assert_eq!(
            uri_to_path(&uri),
            Some(PathBuf::from("/tmp/a b/Dockerfile"))
        );
        let uri = lsp::Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&uri), None);
    }

    fn suppressed(file_type: FileType, text: &str, at: &str, code: Code) -> String {
        let source = SourceFile::new("x", text);
        let start = text.find(at).unwrap() as u32;
        let d = Diagnostic::new(code, start..start + 1);
        let edit = suppress_edit(file_type, &source, &d).unwrap();
        crate::diagnostic::apply_edits(text, [&edit]).0
    }

    #[test]
    fn suppression_comments() {
        // Dockerfile: above the instruction's first line, with its indentation.
        assert_eq!(
            suppressed(
                FileType::Dockerfile,
                "FROM a\n  RUN x \\\n    && y\n",
                "y",
                Code::DKR003
            ),
            "FROM a\n  # opslint: ignore[DKR003]\n  RUN x \\\n    && y\n"
        );
        // An existing list gets the code.
        assert_eq!(
            suppressed(
                FileType::Dockerfile,
                "FROM a\n# opslint: ignore[DKR002]\nRUN x\n",
                "x",
                Code::DKR003
            ),
            "FROM a\n# opslint: ignore[DKR002,DKR003]\nRUN x\n"
        );
        assert_eq!(
            suppressed(
                FileType::Jenkinsfile,
                "pipeline {\r\n  x\r\n}\r\n",
                "x",
                Code::SEC002
            ),
            "pipeline {\r\n  // opslint: ignore[SEC002]\r\n  x\r\n}\r\n"
        );
        assert_eq!(
            suppressed(FileType::Nginx, "a;\n    b;\n", "b", Code::SEC002),
            "a;\n    # opslint: ignore[SEC002]\n    b;\n"
        );
        let source = SourceFile::new("x", "a");
        let d = Diagnostic::new(Code::OPS002, 0..1);
        assert!(suppress_edit(FileType::Nginx, &source, &d).is_none());
    }

    #[test]
    fn line_edits_rebuild_the_new_text() {
        let old = "FROM a\nMAINTAINER x\nRUN y\nlast";
        let new = "FROM a\nLABEL maintainer=\"x\"\nRUN y\nlast line\n";
        let source = SourceFile::new("x", old);
        let edits = line_edits(&source, new);
        assert_eq!(crate::diagnostic::apply_edits(old, &edits).0, new);
    }
}
