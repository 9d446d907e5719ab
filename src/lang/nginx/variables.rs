//! The variable and regex model the security rules share: which variables a client controls,
//! which can carry a newline or a dot, what the captures of a regex can hold, and what `set` and
//! `map` give a variable across the configuration set.
//!
//! - Client-controlled: `$arg_*`, `$args`, `$query_string`, `$http_*`, `$cookie_*`,
//!   `$request_uri`, `$request`, `$uri`, `$document_uri`, `$request_body`, and the captures of
//!   a regex over any of them (a `location` or `rewrite` regex matches the URI; an `if` regex
//!   the variable it tests; a `server_name` regex the `Host`).
//! - A newline: nginx decodes `%0A` in `$uri`/`$document_uri` (the normalised path), so they and
//!   the captures of a regex over them can hold one when the capture's pattern can match it:
//!   `[^/]` and `\s` can, `.` cannot (PCRE's dot stops at a newline unless `(?s)`), `\w`, `\d`,
//!   `[a-z]` cannot. `$request_uri` and `$args` are raw (`%0A` stays encoded); header values
//!   cannot hold a newline.

use super::directives::ctx;
use super::parse::{Config, Directive};
use super::Ctx;
use std::collections::HashMap;

/// What a variable's value may hold.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Taint {
    /// A client chooses (part of) it.
    pub user: bool,
    /// It may contain a line break.
    pub newline: bool,
    /// It may contain a `.` (so it can name a host).
    pub dot: bool,
}

impl Taint {
    const NONE: Taint = Taint {
        user: false,
        newline: false,
        dot: false,
    };

    fn union(self, o: Taint) -> Taint {
        Taint {
            user: self.user || o.user,
            newline: self.newline || o.newline,
            dot: self.dot || o.dot,
        }
    }
}

/// The taint of a built-in variable (name without `$`).
pub fn builtin(name: &str) -> Taint {
    let user = |newline| Taint {
        user: true,
        newline,
        dot: true,
    };
    match name {
        "uri" | "document_uri" | "request_body" => user(true),
        "args" | "query_string" | "request_uri" | "request" | "remote_user" | "content_type" => {
            user(false)
        }
        _ if name.starts_with("arg_")
            || name.starts_with("http_")
            || name.starts_with("cookie_") =>
        {
            user(false)
        }
        _ => Taint::NONE,
    }
}

/// Whether nginx defines the variable itself (so `set`/`map` are not needed to know it).
pub fn is_builtin_name(name: &str) -> bool {
    builtin(name) != Taint::NONE
        || name.starts_with("sent_http_")
        || name.starts_with("upstream_")
        || name.chars().all(|c| c.is_ascii_digit())
        || matches!(
            name,
            "host"
                | "hostname"
                | "server_name"
                | "server_addr"
                | "server_port"
                | "scheme"
                | "remote_addr"
                | "binary_remote_addr"
                | "realip_remote_addr"
                | "proxy_host"
                | "proxy_port"
                | "proxy_add_x_forwarded_for"
                | "request_method"
                | "request_filename"
                | "document_root"
                | "realpath_root"
                | "is_args"
                | "https"
        )
}

/// One `$name` / `${name}` reference in a value: the name and its byte range in the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef<'a> {
    pub name: &'a str,
    pub start: usize,
    pub end: usize,
}

/// The variable references of a value, in order.
pub fn refs(value: &str) -> Vec<VarRef<'_>> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let start = i;
        let braced = bytes.get(i + 1) == Some(&b'{');
        let from = if braced { i + 2 } else { i + 1 };
        let mut j = from;
        // `$1`…`$9` are one digit; names are letters, digits and `_`.
        if bytes.get(j).is_some_and(u8::is_ascii_digit) && !braced {
            j += 1;
        } else {
            while bytes
                .get(j)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                j += 1;
            }
        }
        if j == from {
            i += 1;
            continue;
        }
        let name = value.get(from..j).unwrap_or("");
        let end = if braced && bytes.get(j) == Some(&b'}') {
            j + 1
        } else {
            j
        };
        out.push(VarRef { name, start, end });
        i = end.max(start + 1);
    }
    out
}

// ------------------------------------------------------------------------------ regexes

/// One capturing group of a regex and what it can match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// 1-based.
    pub index: usize,
    pub name: Option<String>,
    pub newline: bool,
    pub dot: bool,
    pub slash: bool,
}

/// What each character-matching atom can match.
#[derive(Debug, Clone, Copy, Default)]
struct Can {
    newline: bool,
    dot: bool,
    slash: bool,
}

impl Can {
    const ALL: Can = Can {
        newline: true,
        dot: true,
        slash: true,
    };
    fn or(self, o: Can) -> Can {
        Can {
            newline: self.newline || o.newline,
            dot: self.dot || o.dot,
            slash: self.slash || o.slash,
        }
    }
    fn of_char(c: char) -> Can {
        Can {
            newline: c == '\n',
            dot: c == '.',
            slash: c == '/',
        }
    }
    fn of_range(lo: char, hi: char) -> Can {
        let has = |x: char| lo <= x && x <= hi;
        Can {
            newline: has('\n'),
            dot: has('.'),
            slash: has('/'),
        }
    }
    fn not(self) -> Can {
        Can {
            newline: !self.newline,
            dot: !self.dot,
            slash: !self.slash,
        }
    }
}

/// What the escape `\c` stands for (in or out of a class); `None` for assertions.
fn escape_can(c: char) -> Option<Can> {
    Some(match c {
        'd' | 'w' | 'h' => Can::default(),
        's' | 'v' | 'R' | 'n' => Can {
            newline: true,
            ..Can::default()
        },
        'S' | 'N' | 'H' => Can {
            newline: false,
            dot: true,
            slash: true,
        },
        'D' | 'W' | 'V' | 'P' | 'X' | 'C' => Can::ALL,
        'b' | 'B' | 'A' | 'z' | 'Z' | 'G' | 'K' => return None,
        other => Can::of_char(other),
    })
}

/// The capturing groups of a PCRE pattern (as nginx passes it), with what each can match.
/// Unknown syntax errs on the side of "can match anything" inside a group.
pub fn groups(pattern: &str) -> Vec<Group> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out: Vec<Group> = Vec::new();
    // Open groups: the index into `out` of a capturing one, and the dotall flag outside it.
    let mut open: Vec<(Option<usize>, bool)> = Vec::new();
    let mut dotall = false;
    let mut i = 0;
    let add = |out: &mut Vec<Group>, open: &[(Option<usize>, bool)], can: Can| {
        for g in open.iter().filter_map(|(g, _)| *g) {
            if let Some(group) = out.get_mut(g) {
                group.newline |= can.newline;
                group.dot |= can.dot;
                group.slash |= can.slash;
            }
        }
    };
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '\\' => {
                let Some(&e) = chars.get(i) else { break };
                i += 1;
                if e == 'Q' {
                    while let Some(&q) = chars.get(i) {
                        if q == '\\' && chars.get(i + 1) == Some(&'E') {
                            i += 2;
                            break;
                        }
                        add(&mut out, &open, Can::of_char(q));
                        i += 1;
                    }
                    continue;
                }
                if e == 'x' {
                    let (ch, used) = hex_escape(&chars, i);
                    i += used;
                    add(&mut out, &open, ch.map_or(Can::ALL, Can::of_char));
                    continue;
                }
                if let Some(can) = escape_can(e) {
                    add(&mut out, &open, can);
                }
            }
            '.' => add(
                &mut out,
                &open,
                Can {
                    newline: dotall,
                    dot: true,
                    slash: true,
                },
            ),
            '[' => {
                let (can, next) = class(&chars, i);
                i = next;
                add(&mut out, &open, can);
            }
            '(' => {
                if chars.get(i) == Some(&'?') {
                    let rest: String = chars.get(i + 1..).unwrap_or(&[]).iter().take(2).collect();
                    if rest.starts_with('<') && !rest.starts_with("<=") && !rest.starts_with("<!")
                        || rest.starts_with("P<")
                        || rest.starts_with('\'')
                    {
                        // Named group.
                        let skip = if rest.starts_with("P<") { 3 } else { 2 };
                        let close = if rest.starts_with('\'') { '\'' } else { '>' };
                        let mut j = i + skip;
                        let mut name = String::new();
                        while let Some(&n) = chars.get(j) {
                            j += 1;
                            if n == close {
                                break;
                            }
                            name.push(n);
                        }
                        i = j;
                        out.push(Group {
                            index: out.len() + 1,
                            name: Some(name),
                            ..Group::default()
                        });
                        open.push((Some(out.len() - 1), dotall));
                        continue;
                    }
                    if rest.starts_with('#') {
                        while let Some(&n) = chars.get(i) {
                            i += 1;
                            if n == ')' {
                                break;
                            }
                        }
                        continue;
                    }
                    // Flags: `(?s)` for the rest of the group, `(?s:…)` for its body.
                    let mut j = i + 1;
                    let mut on = true;
                    let mut s_flag = None;
                    while let Some(&f) = chars.get(j) {
                        match f {
                            '-' => on = false,
                            's' => s_flag = Some(on),
                            'i' | 'm' | 'x' | 'U' | 'J' | 'n' => {}
                            _ => break,
                        }
                        j += 1;
                    }
                    match chars.get(j) {
                        Some(')') => {
                            if let Some(s) = s_flag {
                                dotall = s;
                            }
                            i = j + 1;
                            continue;
                        }
                        Some(':') if j > i + 1 => {
                            open.push((None, dotall));
                            if let Some(s) = s_flag {
                                dotall = s;
                            }
                            i = j + 1;
                            continue;
                        }
                        _ => {
                            // `(?:`, lookarounds, `(?|`, …: not capturing.
                            open.push((None, dotall));
                            i += 1;
                            continue;
                        }
                    }
                }
                if chars.get(i) == Some(&'*') {
                    // `(*VERB)`
                    while let Some(&n) = chars.get(i) {
                        i += 1;
                        if n == ')' {
                            break;
                        }
                    }
                    continue;
                }
                out.push(Group {
                    index: out.len() + 1,
                    ..Group::default()
                });
                open.push((Some(out.len() - 1), dotall));
            }
            ')' => {
                if let Some((_, outer)) = open.pop() {
                    dotall = outer;
                }
            }
            '|' | '*' | '+' | '?' | '^' | '$' | '{' | '}' => {}
            other => add(&mut out, &open, Can::of_char(other)),
        }
    }
    out
}

/// `\xHH` or `\x{HHHH}` starting after the `x`: the character and the number of chars used.
fn hex_escape(chars: &[char], at: usize) -> (Option<char>, usize) {
    if chars.get(at) == Some(&'{') {
        let digits: String = chars
            .get(at + 1..)
            .unwrap_or(&[])
            .iter()
            .take_while(|c| **c != '}')
            .collect();
        let ch = u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32);
        return (ch, digits.chars().count() + 2);
    }
    let digits: String = chars
        .get(at..)
        .unwrap_or(&[])
        .iter()
        .take(2)
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    let ch = u32::from_str_radix(&digits, 16)
        .ok()
        .and_then(char::from_u32);
    (ch, digits.len())
}

/// A `[…]` class starting after the `[`: what it can match and the index after its `]`.
fn class(chars: &[char], start: usize) -> (Can, usize) {
    let mut i = start;
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut can = Can::default();
    let mut first = true;
    let mut prev: Option<char> = None;
    while let Some(&c) = chars.get(i) {
        i += 1;
        if c == ']' && !first {
            break;
        }
        first = false;
        let single = match c {
            '[' if chars.get(i) == Some(&':') => {
                let name: String = chars
                    .get(i + 1..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|c| **c != ':')
                    .collect();
                i += name.chars().count() + 3;
                can = can.or(match name.trim_start_matches('^') {
                    "space" | "cntrl" => Can {
                        newline: true,
                        ..Can::default()
                    },
                    "punct" | "graph" | "print" | "ascii" => Can {
                        newline: name == "ascii",
                        dot: true,
                        slash: true,
                    },
                    _ => Can::default(),
                });
                None
            }
            '\\' => {
                let Some(&e) = chars.get(i) else { break };
                i += 1;
                if e == 'x' {
                    let (ch, used) = hex_escape(chars, i);
                    i += used;
                    ch
                } else if matches!(
                    e,
                    'n' | 't' | 'r' | '.' | '/' | '-' | ']' | '\\' | '[' | '^'
                ) {
                    Some(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    })
                } else {
                    can = can.or(escape_can(e).unwrap_or_default());
                    None
                }
            }
            '-' if prev.is_some() && chars.get(i).is_some_and(|n| *n != ']') => {
                // A range `a-z`: `prev` was already added; add the span.
                let lo = prev.unwrap_or('\0');
                let hi = match chars.get(i) {
                    Some('\\') => {
                        i += 1;
                        let e = chars.get(i).copied().unwrap_or('\\');
                        i += 1;
                        if e == 'x' {
                            let (ch, used) = hex_escape(chars, i);
                            i += used;
                            ch.unwrap_or('\u{10ffff}')
                        } else {
                            e
                        }
                    }
                    Some(&h) => {
                        i += 1;
                        h
                    }
                    None => lo,
                };
                can = can.or(Can::of_range(lo, hi));
                prev = None;
                continue;
            }
            other => Some(other),
        };
        if let Some(ch) = single {
            can = can.or(Can::of_char(ch));
        }
        prev = single;
    }
    (if negated { can.not() } else { can }, i)
}

// ----------------------------------------------------------------------- captures in scope

/// A regex whose captures a spot sees: its groups and what the text it matched may hold.
#[derive(Debug, Clone)]
pub struct RegexScope {
    pub groups: Vec<Group>,
    /// The taint of the matched text (the URI for a location, the tested variable for `if`).
    pub subject: Taint,
}

impl RegexScope {
    /// The taint of capture `name` (`1`…`9` or a group name); `None` when it has no such group.
    pub fn capture(&self, name: &str) -> Option<Taint> {
        let g = match name.parse::<usize>() {
            Ok(n) => self.groups.iter().find(|g| g.index == n)?,
            Err(_) => self
                .groups
                .iter()
                .find(|g| g.name.as_deref() == Some(name))?,
        };
        Some(Taint {
            user: self.subject.user,
            newline: self.subject.newline && g.newline,
            dot: self.subject.dot && g.dot,
        })
    }
}

/// The regex of a `location` (`~`, `~*`, or a modifier glued to it), if it is one.
pub fn location_regex(d: &Directive) -> Option<&str> {
    let first = d.arg_value(0)?;
    match first {
        "~" | "~*" => d.arg_value(1),
        _ => first
            .strip_prefix("~*")
            .or_else(|| first.strip_prefix('~'))
            .filter(|r| !r.is_empty()),
    }
}

/// The tested variable and regex of an `if ($v ~ re)` (also `~*`, `!~`, `!~*`).
pub fn if_regex(d: &Directive) -> Option<(&str, &str, bool)> {
    let cond = d.if_condition();
    match cond.as_slice() {
        [var, op, re] if matches!(*op, "~" | "~*" | "!~" | "!~*") => {
            Some((var, re, op.starts_with('!')))
        }
        _ => None,
    }
}

/// The regexes whose captures a directive standing under `parents` (outermost first) sees,
/// innermost first: enclosing `if` and `location` regexes, then `server_name` regexes.
pub fn regex_scopes(parents: &[&Directive], vars: &Vars) -> Vec<RegexScope> {
    let uri = builtin("uri");
    let mut out = Vec::new();
    for p in parents.iter().rev() {
        match p.name.as_str() {
            "if" => {
                if let Some((var, re, negated)) = if_regex(p) {
                    if !negated {
                        let subject = var_taint_str(var, vars);
                        out.push(RegexScope {
                            groups: groups(re),
                            subject,
                        });
                    }
                }
            }
            "location" => {
                if let Some(re) = location_regex(p) {
                    out.push(RegexScope {
                        groups: groups(re),
                        subject: uri,
                    });
                }
            }
            "server" => {
                for sn in p.children_named("server_name") {
                    for a in &sn.args {
                        if let Some(re) = a.value.strip_prefix('~') {
                            // The Host header: a client's choice, never a newline.
                            out.push(RegexScope {
                                groups: groups(re),
                                subject: Taint {
                                    user: true,
                                    newline: false,
                                    dot: true,
                                },
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn var_taint_str(var: &str, vars: &Vars) -> Taint {
    let name = var.trim_start_matches('$');
    let name = name
        .strip_prefix('{')
        .and_then(|n| n.strip_suffix('}'))
        .unwrap_or(name);
    vars.taint_of(name, &[], 0)
}

// --------------------------------------------------------------------- set / map values

/// How a variable gets its value somewhere in the set.
#[derive(Debug, Clone)]
enum Def {
    /// `set $v value`, with the regexes the `set` sees.
    Set {
        value: String,
        scopes: Vec<RegexScope>,
    },
    /// An entry of `map $src $v { key value; }`.
    Map {
        value: String,
        /// The regex key's groups over the map's source, when the key is a regex.
        scope: Option<RegexScope>,
    },
    /// `js_set`, `perl_set`, `set_by_lua*`…: unknown.
    Opaque,
}

/// The user-defined variables of the configuration set.
#[derive(Debug, Default)]
pub struct Vars {
    defs: HashMap<String, Vec<Def>>,
}

const MAX_DEPTH: usize = 8;

/// A `map`'s source variable, its variable, and its (key, value) entries.
type MapDef = (String, String, Vec<(String, String)>);

impl Vars {
    /// Every `set`, `map`, `geo` and scripted variable of the set (or of the file alone).
    pub fn collect(cx: &Ctx) -> Vars {
        let mut vars = Vars::default();
        let mut configs: Vec<(&Config, u32)> = vec![(cx.config, cx.context.base)];
        if let Some(set) = cx.set {
            for (i, f) in set.files.iter().enumerate() {
                if i != set.linted {
                    configs.push((&f.config, f.context));
                }
            }
        }
        // Pass 1: names and raw definitions (captures resolved in pass 2 with the vars known).
        let mut pending: Vec<(String, String, Vec<&Directive>)> = Vec::new();
        let mut maps: Vec<MapDef> = Vec::new();
        for (config, base) in configs {
            config.walk(base, |v| {
                let d = v.directive;
                let name = |i: usize| {
                    d.arg_value(i)
                        .map(|s| s.trim_start_matches('$').to_string())
                };
                match d.name.as_str() {
                    "set" => {
                        if let (Some(n), Some(value)) = (name(0), d.arg_value(1)) {
                            pending.push((n, value.to_string(), v.parents.to_vec()));
                        }
                    }
                    "map" if d.is_data_block() => {
                        if let (Some(src), Some(n)) = (d.arg_value(0), name(1)) {
                            let entries = d
                                .children()
                                .iter()
                                .filter(|e| !matches!(e.name.as_str(), "hostnames" | "volatile"))
                                .map(|e| (e.name.clone(), e.arg_value(0).unwrap_or("").to_string()))
                                .collect();
                            maps.push((src.to_string(), n, entries));
                        }
                    }
                    "geo" | "split_clients" if d.is_data_block() => {
                        if let Some(n) = d.args.last() {
                            let n = n.value.trim_start_matches('$').to_string();
                            for e in d.children() {
                                let value = e.args.last().map_or("", |a| a.value.as_str());
                                vars.defs.entry(n.clone()).or_default().push(Def::Map {
                                    value: value.to_string(),
                                    scope: None,
                                });
                            }
                        }
                    }
                    "js_set" | "perl_set" | "set_by_lua" | "set_by_lua_block"
                    | "set_by_lua_file" | "set_real_ip_from" => {
                        if let Some(n) = name(0) {
                            vars.defs.entry(n).or_default().push(Def::Opaque);
                        }
                    }
                    _ => {}
                }
            });
        }
        for (n, value, parents) in pending {
            let scopes = regex_scopes(&parents, &vars);
            vars.defs
                .entry(n)
                .or_default()
                .push(Def::Set { value, scopes });
        }
        for (src, n, entries) in maps {
            let subject = var_taint_str(&src, &vars);
            for (key, value) in entries {
                let scope = key.strip_prefix('~').map(|re| RegexScope {
                    groups: groups(re.strip_prefix('*').unwrap_or(re)),
                    subject,
                });
                vars.defs
                    .entry(n.clone())
                    .or_default()
                    .push(Def::Map { value, scope });
            }
        }
        vars
    }

    /// Whether the set defines `name` (with `set`, `map`, `geo`, …).
    pub fn is_defined(&self, name: &str) -> bool {
        self.defs.contains_key(name)
    }

    /// The taint of variable `name` at a spot that sees the regexes `scopes` (innermost first).
    pub fn taint_of(&self, name: &str, scopes: &[RegexScope], depth: usize) -> Taint {
        if name.chars().all(|c| c.is_ascii_digit()) || !self.defs.contains_key(name) {
            // A capture: numbered from the innermost regex; named from any that has it.
            if name.chars().all(|c| c.is_ascii_digit()) {
                return scopes
                    .first()
                    .and_then(|s| s.capture(name))
                    .unwrap_or(Taint::NONE);
            }
            if let Some(t) = scopes.iter().find_map(|s| s.capture(name)) {
                return t;
            }
            return builtin(name);
        }
        if depth >= MAX_DEPTH {
            return Taint::NONE;
        }
        let mut t = Taint::NONE;
        for def in self.defs.get(name).map_or(&[][..], Vec::as_slice) {
            t = t.union(match def {
                Def::Set { value, scopes } => self.taint_of_value(value, scopes, depth + 1),
                Def::Map { value, scope } => {
                    let scopes: Vec<RegexScope> = scope.iter().cloned().collect();
                    self.taint_of_value(value, &scopes, depth + 1)
                }
                Def::Opaque => Taint::NONE,
            });
        }
        t
    }

    /// The union of the taints of the variables a value references.
    pub fn taint_of_value(&self, value: &str, scopes: &[RegexScope], depth: usize) -> Taint {
        refs(value).iter().fold(Taint::NONE, |t, r| {
            t.union(self.taint_of(r.name, scopes, depth))
        })
    }

    /// Every literal value a variable can take, or `None` when one is not a literal (built
    /// from variables, scripted, or the variable is not defined here).
    pub fn literal_values(&self, name: &str) -> Option<Vec<&str>> {
        let defs = self.defs.get(name)?;
        let mut out = Vec::new();
        for def in defs {
            match def {
                Def::Set { value, .. } | Def::Map { value, .. } => {
                    if value.contains('$') {
                        return None;
                    }
                    out.push(value.as_str());
                }
                Def::Opaque => return None,
            }
        }
        Some(out)
    }
}

/// The taint of a variable reference at a visit (its regex scopes computed by the caller).
pub fn taint_at(vars: &Vars, name: &str, scopes: &[RegexScope]) -> Taint {
    vars.taint_of(name, scopes, 0)
}

/// Whether a context bit is inside `http` (the security rules are about HTTP).
pub fn is_http(context: u32) -> bool {
    context
        & (ctx::HTTP
            | ctx::HTTP_SERVER
            | ctx::HTTP_LOCATION
            | ctx::HTTP_SERVER_IF
            | ctx::HTTP_LOCATION_IF
            | ctx::HTTP_LIMIT_EXCEPT)
        != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(p: &str) -> Vec<(bool, bool, bool)> {
        groups(p)
            .iter()
            .map(|g| (g.newline, g.dot, g.slash))
            .collect()
    }

    #[test]
    fn captures_that_can_hold_a_newline() {
        assert_eq!(g("^/(.*)$"), [(false, true, true)]);
        assert_eq!(g("^/([^/]+)/"), [(true, true, false)]);
        assert_eq!(g("^/(\\w+)"), [(false, false, false)]);
        assert_eq!(g("(?s)^/(.*)$"), [(true, true, true)]);
        assert_eq!(g("^/([a-z0-9-]+)\\.json"), [(false, false, false)]);
        assert_eq!(g("([^\\s/]+)"), [(false, true, false)]);
        assert_eq!(g("(\\s)"), [(true, false, false)]);
        assert_eq!(g("([\\x00-\\x7f]+)"), [(true, true, true)]);
        assert_eq!(g("([!-~]+)"), [(false, true, true)]);
        let named = groups("/v1/((?<action>[^.]*)\\.json)?$");
        assert_eq!(named.len(), 2);
        assert_eq!(named[1].name.as_deref(), Some("action"));
        assert!(named[1].newline && !named[1].dot);
        // Lookarounds and non-capturing groups are not numbered.
        assert_eq!(g("(?:a|b)(?=x)(c)(?<!y)"), [(false, false, false)]);
        assert_eq!(groups("(?P<n>.)(?'m'.)").len(), 2);
        for odd in ["(", ")", "[", "[^", "\\", "(?", "(?<", "[a-", "\\x{", "(*"] {
            let _ = groups(odd);
        }
    }

    #[test]
    fn references() {
        let r = refs("http://$host${uri}x$1$arg_a-$");
        let names: Vec<&str> = r.iter().map(|r| r.name).collect();
        assert_eq!(names, ["host", "uri", "1", "arg_a"]);
        assert_eq!((r[1].start, r[1].end), (12, 18));
        assert!(refs("$").is_empty() && refs("${").is_empty());
        assert_eq!(refs("$12")[0].name, "1");
    }

    #[test]
    fn builtins() {
        assert!(builtin("uri").newline && builtin("uri").user);
        assert!(builtin("arg_x").user && !builtin("arg_x").newline);
        assert!(!builtin("request_uri").newline);
        assert!(!builtin("host").user);
        assert!(builtin("http_host").user);
    }
}
