//! Texts of other languages in manifests: an nginx configuration in a ConfigMap's `data`
//! (a key ending in `.conf` whose value reads as nginx, or any value holding an `http`,
//! `server` or `events` block), reported with a span map so the nginx rules point into the
//! YAML file. Only literal block scalars (`|`, `|-`, `|+`) are mapped: their lines are the
//! file's lines minus the indentation. A folded or quoted value rewrites line breaks and is
//! left alone.

use super::model::Model;
use super::yaml::{Node, ScalarStyle};
use crate::lang::embed::{Embedded, SpanMap};
use crate::lang::FileType;
use regex::Regex;
use std::sync::LazyLock;

pub fn embedded(model: &Model<'_>, text: &str) -> Vec<Embedded> {
    let mut out = Vec::new();
    for object in &model.objects {
        if object.kind != "ConfigMap" || object.group() != "" {
            continue;
        }
        for e in object.node.get("data").map_or(&[][..], Node::entries) {
            let (Some(key), Some(value)) = (e.key.as_str(), e.value.as_str()) else {
                continue;
            };
            if !is_nginx(key, value) {
                continue;
            }
            if let Some(map) = literal_block_map(text, &e.value, value) {
                out.push(Embedded {
                    file_type: FileType::Nginx,
                    text: value.to_string(),
                    map,
                });
            }
        }
    }
    out
}

fn is_nginx(key: &str, value: &str) -> bool {
    static CONFIG_BLOCK: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"(?m)^\s*(http|server|events)\s*\{").ok());
    value.contains('\n')
        && ((key.ends_with(".conf") && crate::discover::looks_like_nginx(value))
            || CONFIG_BLOCK.as_ref().is_some_and(|re| re.is_match(value)))
        && statements_end_like_nginx(value)
}

/// Whether most statement lines end as nginx's do (`;`, `{`, `}`): HCL (`server {` with
/// `key = "value"` lines, as SPIRE's `server.conf`), INI and `key: value` files share the
/// braces or the name, not the semicolons.
fn statements_end_like_nginx(value: &str) -> bool {
    let (mut statements, mut nginx_like) = (0usize, 0usize);
    for line in value.lines() {
        let line = line.split(" #").next().unwrap_or(line).trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        statements += 1;
        if line.ends_with([';', '{', '}']) {
            nginx_like += 1;
        }
    }
    nginx_like > 0 && nginx_like * 5 >= statements * 4
}

/// Where each line of a literal block scalar's value is in the file: its lines, each past
/// the block's indentation. `None` when the file's lines do not spell the
/// value exactly (tabs, CRLF line ends, an indentation indicator): better no embedded lint
/// than findings at the wrong place.
fn literal_block_map(text: &str, node: &Node, value: &str) -> Option<SpanMap> {
    let scalar = node.as_scalar()?;
    if scalar.style != ScalarStyle::Literal {
        return None;
    }
    // The node's span starts at its first content character; blank lines before it are
    // part of the value as line breaks.
    let start = node.span.start as usize;
    let mut outer = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    for _ in 0..value.len() - value.trim_start_matches('\n').len() {
        outer = text
            .get(..outer.checked_sub(1)?)?
            .rfind('\n')
            .map_or(0, |i| i + 1);
    }
    let mut inner = 0usize;
    let mut indent: Option<usize> = None;
    let mut map = SpanMap::new();
    for line in value.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        let rest = text.get(outer..)?;
        let line_end = rest.find('\n').map_or(text.len(), |i| outer + i);
        let outer_line = text.get(outer..line_end)?;
        let has_break = line.len() > content.len();
        if content.is_empty() {
            if !outer_line.bytes().all(|b| b == b' ') {
                return None;
            }
        } else {
            let ind = *indent.get_or_insert_with(|| {
                let leading = outer_line.len() - outer_line.trim_start_matches(' ').len();
                let own = content.len() - content.trim_start_matches(' ').len();
                leading.saturating_sub(own)
            });
            if outer_line.get(ind..) != Some(content) {
                return None;
            }
            map.push(inner as u32, (outer + ind) as u32, content.len() as u32);
        }
        // The value's last line break may be one the file lacks (no newline at the end).
        if has_break && line_end < text.len() {
            map.push((inner + content.len()) as u32, line_end as u32, 1);
        }
        inner += line.len();
        outer = line_end + 1;
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::kubernetes::yaml;

    fn embedded_of(text: &str) -> Vec<Embedded> {
        let stream = yaml::parse(text);
        let model = Model::build(&stream);
        embedded(&model, text)
    }

    const CONFIG_MAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: web
data:
  nginx.conf: |
    http {
        server_tokens on;

        server { listen 80; }
    }
  other: plain
";

    #[test]
    fn an_nginx_conf_maps_line_by_line() {
        let found = embedded_of(CONFIG_MAP);
        assert_eq!(found.len(), 1);
        let e = &found[0];
        assert_eq!(e.file_type, FileType::Nginx);
        let at = e.text.find("server_tokens").unwrap() as u32;
        let outer = e.map.span(&(at..at + 13));
        assert_eq!(
            &CONFIG_MAP[outer.start as usize..outer.end as usize],
            "server_tokens"
        );
        let at = e.text.find("listen").unwrap() as u32;
        let outer = e.map.offset(at) as usize;
        assert!(CONFIG_MAP[outer..].starts_with("listen 80;"));
    }

    #[test]
    fn other_texts_are_not_nginx() {
        let redis = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ndata:\n  redis.conf: |\n    maxmemory 2mb\n    appendonly yes\n";
        assert!(embedded_of(redis).is_empty());
        // SPIRE's server.conf is HCL: braces, but `key = value` lines.
        let hcl = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  server.conf: |\n    server {\n      bind_address = \"0.0.0.0\"\n      bind_port = \"8081\"\n    }\n    plugins {\n      DataStore \"sql\" {\n        plugin_data {\n          database_type = \"sqlite3\"\n        }\n      }\n    }\n";
        assert!(embedded_of(hcl).is_empty());
        let folded = CONFIG_MAP.replace("nginx.conf: |", "nginx.conf: >");
        assert!(embedded_of(&folded).is_empty());
        let secret = CONFIG_MAP.replace("kind: ConfigMap", "kind: Secret");
        assert!(embedded_of(&secret).is_empty());
    }

    #[test]
    fn keep_and_strip_chomping_map_too() {
        for header in ["|-", "|+", "|\n"] {
            let text = CONFIG_MAP.replace("nginx.conf: |", &format!("nginx.conf: {header}"));
            let found = embedded_of(&text);
            assert_eq!(found.len(), 1, "{header:?}");
            let e = &found[0];
            let at = e.text.find("server_tokens").unwrap() as u32;
            let outer = e.map.span(&(at..at + 13));
            assert_eq!(
                &text[outer.start as usize..outer.end as usize],
                "server_tokens"
            );
        }
    }
}
