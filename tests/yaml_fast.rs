//! The direct YAML reader builds exactly the tree the full parser builds, on every text it
//! accepts: over the shared Kubernetes corpus (when present), the examples and hand-written
//! cases meant to sit on the edge of what it accepts.

use opslint::lang::kubernetes::yaml::{fast_parse, full_parse};
use std::path::{Path, PathBuf};

/// Compares the two readers on `text`; `true` when the direct reader accepted it.
fn same_tree(name: &str, text: &str) -> bool {
    let mut accepted = false;
    for comments in [true, false] {
        if let Some(fast) = fast_parse(text, comments) {
            let full = full_parse(text, comments);
            if fast != full {
                let (a, b) = (format!("{fast:?}"), format!("{full:?}"));
                let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
                let from = at.saturating_sub(300);
                panic!(
                    "{name} (comments: {comments}): the readers differ\n direct: …{}\n full:   …{}",
                    &a[from..(at + 200).min(a.len())],
                    &b[from..(at + 200).min(b.len())]
                );
            }
            accepted = true;
        }
    }
    accepted
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    out.extend(opslint::discover::walk(dir).into_iter().filter(|p| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        )
    }));
}

#[test]
fn corpus_and_examples_read_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    yaml_files(&root.join("../shared/corpus/kubernetes"), &mut paths);
    yaml_files(&root.join("examples"), &mut paths);
    let (mut accepted, mut total) = (0, 0);
    for p in &paths {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        total += 1;
        if same_tree(&p.display().to_string(), &text) {
            accepted += 1;
        } else if std::env::var_os("YAML_FAST_MISSES").is_some() {
            println!("miss {}", p.display());
        }
    }
    println!("direct reader accepted {accepted} of {total} files");
    // The corpus: 5,501 of its 5,541 YAML files are in the subset (the rest use anchors, an
    // odd indentation after `-`, or are invalid).
    if total > 5000 {
        assert!(accepted * 100 >= total * 99, "{accepted} of {total}");
    }
}

/// Shapes on the edge of the subset: each must read the same as the full parser, and these are
/// all read by the direct reader (a regression here costs speed, not correctness).
#[test]
fn edge_cases_read_the_same_and_directly() {
    let cases = [
        "a:\nb: 1\nc:\n  - x\n  -\n  - y: 1\n    z:\nd: [a, \"b\"]\n",
        "key:  # c\nb: 1\n",
        "\"key\":\nb: 1\n",
        "key :\nb: 1\n",
        "a:\n  # c\n  b: 1\n",
        "k:\n- a\n- b\nz: 1\n",
        "k:\n  # c\n  - a\n",
        "k:\n-   # c\n- \n",
        "k:\n-\n  a: 1\n- |\n  x\n",
        "- # c\n  a: 1\n",
        "-\n  a: 1\n",
        "- - a\n  - b\n- c\n",
        "a: |\n\n  x\n\n  y  \n\n\nb: 1\n",
        "a: >-\n  x\n  y\n\n  z\n",
        "a: |+\n  x\n\n",
        "a: |\n  x",
        "a: |\n  x\n     \n  y\n",
        "a:\n  b: |2\n    x\n",
        "- |1\n  x\n",
        "a: >2-\n  x\n  y\n",
        "---\n",
        "--- # c\n",
        "a: 1\n---\n",
        "a: 1\n...\n---\n# x\n...\n",
        "a: 1\n...\nb: 2\n",
        "# only a comment\n",
        "",
        "a: b # c\n# d\n  # e\nf: 'it''s' # g\n",
        "a: \"tab\\there \\u00e9 \\x41 \\\\ \\\" \\/\"\n",
        "a: multi\n  line\n\n  plain\nb: 1\n",
        "- one\n  two\n- three\n",
        "a: 'multi\n  line\n\n  quoted'\n",
        "a:\n  b: \"x\n  y\"\n",
        "a:\n  b: \"x\ny\"\n",
        "a: \"esc\\\n   aped\"\n",
        "a: [x,\ny]\n",
        "a:\n  b: [\n\"x\", # c\n 'y',\n ]\n",
        "a: {b: 1, \"c\": [d, {e: f}], g: ~}\n",
        "a: {\"b\":1}\n",
        "a: []\nb: {}\n",
        "value:\n  on the next line\nother: 1\n",
        "a: 1\nb: 2\na: 3\n",
        "a: {x: 1, x: 2}\n",
        "~: null\nnull: ~\n",
        "a: -1\nb: ?x\nc: :y\nd: x:y\ne: http://h:80/p\nf: a#b\n",
        "  indented: root\n  second: 2\n",
        "a: é ü 中\n\"ключ\": 'значение'\n",
        "a: '# not a comment'\nb: \"x: y\"\n",
        // Unicode white space ending a block scalar is outside its span (found by fuzzing).
        ".: |\n x\u{2000} ",
        "a: |\n  x\n  \u{3000}\n",
    ];
    for (i, text) in cases.iter().enumerate() {
        assert!(
            same_tree(&format!("case {i}"), text),
            "case {i} left to the full parser:\n{text}"
        );
    }
}

/// What the direct reader leaves to the full parser: the trees still come out right.
#[test]
fn the_rest_goes_to_the_full_parser() {
    let cases = [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "%YAML 1.2\n---\na: 1\n",
        "a:\tb\n",
        "a: 1\r\nb: 2\r\n",
        "\u{feff}a: 1\n",
        "just a scalar\n",
        "? complex\n: key\n",
        "a: b: c\n",
        "a: [1, 2\n",
        "a: 'unclosed\n",
        "a: |\nb: 1\n",
        "- a\nb: 1\n",
        "a:\n  - x\n - y\n",
        "a: \"x\n---\ny\"\n",
        "[a]: b\n",
        "a: \"\\q\"\n",
        "a: x\n  b: y\n",
        "listeners:\n-   name: http\n  protocol: HTTP\n",
        // `:` right before `[` or `{` in a flow mapping (found by fuzzing).
        "a: {gf:{}\n}",
        "a: {b:[c]}\n",
        "a: {\"b\":{}}\n",
    ];
    for (i, text) in cases.iter().enumerate() {
        assert!(
            fast_parse(text, true).is_none(),
            "case {i} read directly:\n{text}"
        );
        let full = full_parse(text, true);
        assert_eq!(
            opslint::lang::kubernetes::yaml::parse(text),
            full,
            "case {i}"
        );
    }
}
