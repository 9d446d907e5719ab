//! `opslint server` driven over stdio like an editor drives it, and the CLI route the README's
//! editor snippets use (`--stdin-filename X --output-format concise`). Every wait has a
//! timeout, and the server process is killed when a test fails, so nothing can hang CI.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Messages received while waiting for another one.
    pending: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start(cwd: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_opslint"))
            .arg("server")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start opslint server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("JSON from the server");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            rx,
            pending: Vec::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The first message (received now or before) that `pick` accepts.
    fn wait_for(&mut self, what: &str, pick: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&pick) {
            return self.pending.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .rx
                .recv_timeout(left)
                .unwrap_or_else(|e| panic!("no {what} from the server ({e})"));
            if pick(&message) {
                return message;
            }
            self.pending.push(message);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let response = self.wait_for(method, |m| m["id"] == id && m.get("method").is_none());
        assert!(response.get("error").is_none(), "{response}");
        response["result"].clone()
    }

    fn notification(&mut self, method: &str) -> Value {
        self.wait_for(method, |m| m["method"] == method && m.get("id").is_none())["params"].clone()
    }

    fn diagnostics_for(&mut self, uri: &str) -> Value {
        self.wait_for("publishDiagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })["params"]
            .clone()
    }

    fn initialize(&mut self, capabilities: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities}),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// `shutdown`, `exit`, and the process's exit code.
    fn shutdown(mut self) -> i32 {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// (code, [start line, start character, end line, end character]) of each diagnostic.
fn ranges(params: &Value) -> Vec<(String, [u64; 4])> {
    let mut out: Vec<(String, [u64; 4])> = params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let r = &d["range"];
            let n = |v: &Value| v.as_u64().unwrap();
            (
                d["code"].as_str().unwrap().to_string(),
                [
                    n(&r["start"]["line"]),
                    n(&r["start"]["character"]),
                    n(&r["end"]["line"]),
                    n(&r["end"]["character"]),
                ],
            )
        })
        .collect();
    out.sort();
    out
}

/// The byte offset of a UTF-16 LSP position.
fn offset(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let character = pos["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Applies LSP text edits the way a client does: from the last to the first.
fn apply(text: &str, edits: &Value) -> String {
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, &new);
    }
    out
}

fn action<'a>(actions: &'a Value, title_start: &str) -> &'a Value {
    actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with(title_start))
        .unwrap_or_else(|| panic!("no `{title_start}…` action in {actions}"))
}

#[test]
fn diagnostics_quick_fix_and_shutdown() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("Dockerfile"));
    let text = "FROM alpine:latest\nMAINTAINER x\nCMD [\"/app\"]\n";

    let mut client = Client::start(dir.path());
    let init = client.initialize(json!({}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "opslint");

    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    let published = client.diagnostics_for(&uri);
    assert_eq!(published["version"], 1);
    let s = |c: &str| c.to_string();
    assert_eq!(
        ranges(&published),
        vec![
            (s("DKR003"), [0, 5, 0, 18]),
            (s("DKR005"), [0, 0, 0, 4]),
            (s("DKR006"), [0, 0, 0, 4]),
            (s("DKR013"), [1, 0, 1, 10]),
        ]
    );
    let maintainer = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "DKR013")
        .unwrap()
        .clone();
    assert_eq!(maintainer["severity"], 2, "warning");
    assert_eq!(maintainer["source"], "opslint");
    assert_eq!(maintainer["message"], "`MAINTAINER` is deprecated");
    assert!(maintainer.get("codeDescription").is_none());
    let healthcheck = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "DKR006")
        .unwrap();
    assert_eq!(healthcheck["severity"], 3, "info is Information");

    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": maintainer["range"],
            "context": {"diagnostics": [maintainer]},
        }),
    );
    let fix = action(&actions, "DKR013: replace with");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "DKR013");
    let fixed = apply(text, &fix["edit"]["changes"][&uri]);
    assert_eq!(
        fixed,
        "FROM alpine:latest\nLABEL maintainer=\"x\"\nCMD [\"/app\"]\n"
    );

    let suppress = action(&actions, "DKR013: suppress for this line");
    assert_eq!(
        apply(text, &suppress["edit"]["changes"][&uri]),
        "FROM alpine:latest\n# opslint: ignore[DKR013]\nMAINTAINER x\nCMD [\"/app\"]\n"
    );
    // Only the findings under the range: nothing for DKR003 on line 1.
    assert!(!actions.to_string().contains("DKR003"));

    // fix-on-save: every safe fix at once.
    let fix_all = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        }),
    );
    assert_eq!(fix_all.as_array().unwrap().len(), 1, "{fix_all}");
    assert_eq!(fix_all[0]["kind"], "source.fixAll.opslint");
    assert_eq!(apply(text, &fix_all[0]["edit"]["changes"][&uri]), fixed);

    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"text": fixed}],
        }),
    );
    let published = client.diagnostics_for(&uri);
    assert_eq!(published["version"], 2);
    assert_eq!(
        ranges(&published),
        vec![
            (s("DKR003"), [0, 5, 0, 18]),
            (s("DKR005"), [0, 0, 0, 4]),
            (s("DKR006"), [0, 0, 0, 4]),
        ]
    );

    // Saving keeps the diagnostics coming; closing clears them.
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}, "text": fixed}),
    );
    assert_eq!(ranges(&client.diagnostics_for(&uri)).len(), 3);
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(ranges(&client.diagnostics_for(&uri)), vec![]);

    assert_eq!(client.shutdown(), 0);
    eprintln!("LSP session took {} ms", started.elapsed().as_millis());
}

#[test]
fn utf8_ranges_other_file_types_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path());
    let init = client.initialize(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");

    // A Jenkinsfile gets the secret scan; the range counts bytes; the message does not quote
    // the secret.
    let token = format!("ghp_{}", "R7tK2mX9qL4vN8wZ3cB6yD1fH5jP0sA2uE4g");
    let jenkinsfile = format!("node {{\n  // é\n  withEnv(['T=é {token}']) {{ sh 'make' }}\n}}\n");
    let uri = file_uri(&dir.path().join("Jenkinsfile"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "groovy", "version": 1, "text": jenkinsfile}}),
    );
    let published = client.diagnostics_for(&uri);
    let found = ranges(&published);
    assert_eq!(found.len(), 1, "{published}");
    let line = jenkinsfile.lines().nth(2).unwrap();
    let at = line.find("ghp_").unwrap() as u64;
    assert_eq!(found[0].1, [2, at, 2, at + token.len() as u64]);
    assert!(!published.to_string().contains(&token));
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": published["diagnostics"][0]["range"],
            "context": {"diagnostics": published["diagnostics"]},
        }),
    );
    assert!(!actions.to_string().contains(&token));
    let suppress = action(&actions, &format!("{}: suppress", found[0].0));
    let edit = &suppress["edit"]["changes"][&uri][0];
    assert_eq!(
        edit["newText"],
        format!("  // opslint: ignore[{}]\n", found[0].0)
    );
    assert_eq!(edit["range"]["start"], json!({"line": 2, "character": 0}));

    // A file opslint does not lint: no diagnostics.
    let readme = file_uri(&dir.path().join("README.md"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": readme, "languageId": "markdown", "version": 1, "text": "# hi\n"}}),
    );
    assert_eq!(client.diagnostics_for(&readme)["diagnostics"], json!([]));

    // A broken lint.toml: an error message, no crash.
    let sub = dir.path().join("bad");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("lint.toml"), "[lint]\nbogus = 1\n").unwrap();
    let bad = file_uri(&sub.join("Dockerfile"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": bad, "languageId": "dockerfile", "version": 1, "text": "FROM a\n"}}),
    );
    let shown = client.notification("window/showMessage");
    assert_eq!(shown["type"], 1);
    assert!(
        shown["message"].as_str().unwrap().contains("bogus"),
        "{shown}"
    );
    assert_eq!(client.diagnostics_for(&bad)["diagnostics"], json!([]));

    // Bad parameters: an error response or a log line, and the server keeps going.
    let id = 99;
    client.send(json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/codeAction", "params": {"nope": 1}}));
    let response = client.wait_for("error response", |m| m["id"] == id);
    assert_eq!(response["error"]["code"], -32602);
    client.notify("textDocument/didChange", json!({"textDocument": 5}));
    client.notify("textDocument/didOpen", json!(null));
    client.send(json!({"jsonrpc": "2.0", "id": 100, "method": "textDocument/hover", "params": {}}));
    let unknown = client.wait_for("method not found", |m| m["id"] == 100);
    assert_eq!(unknown["error"]["code"], -32601);
    // Still linting.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "node {}\n"}]}),
    );
    assert_eq!(client.diagnostics_for(&uri)["diagnostics"], json!([]));
    assert_eq!(client.shutdown(), 0);
}

#[test]
fn concise_output_from_stdin_for_editors() {
    // What the README's VS Code problem matcher and nvim-lint pattern read.
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_opslint"))
        .args([
            "check",
            "--quiet",
            "--output-format",
            "concise",
            "--stdin-filename",
            "app/Dockerfile",
            "-",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"FROM alpine:latest\nMAINTAINER x\nCMD [\"/app\"]\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let re = regex::Regex::new(r"^(.+?):(\d+):(\d+): ([A-Z]+\d+) \[(error|warning|info)\] (.*)$")
        .unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    for line in &lines {
        assert!(re.is_match(line), "{line}");
    }
    assert!(lines.contains(&"app/Dockerfile:2:1: DKR013 [warning] `MAINTAINER` is deprecated"));
}
