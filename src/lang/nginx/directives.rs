//! The directive table: every directive of nginx 1.31.5, njs 1.0.1 and the NGINX Plus /
//! third-party names crossplane knows, with the contexts it is allowed in, how many arguments
//! it takes and its handler. Generated from the reference TSV by
//! `scripts/gen_nginx_directives.py` into `directives_table.rs` (checked in).

/// Context bits: where a directive may stand (nginx's `NGX_*_CONF` flags, one bit per
/// subsystem level because the raw values collide between subsystems).
pub mod ctx {
    pub const MAIN: u32 = 1 << 0;
    pub const EVENTS: u32 = 1 << 1;
    pub const HTTP: u32 = 1 << 2;
    pub const HTTP_SERVER: u32 = 1 << 3;
    pub const HTTP_LOCATION: u32 = 1 << 4;
    pub const HTTP_UPSTREAM: u32 = 1 << 5;
    pub const HTTP_SERVER_IF: u32 = 1 << 6;
    pub const HTTP_LOCATION_IF: u32 = 1 << 7;
    pub const HTTP_LIMIT_EXCEPT: u32 = 1 << 8;
    pub const STREAM: u32 = 1 << 9;
    pub const STREAM_SERVER: u32 = 1 << 10;
    pub const STREAM_UPSTREAM: u32 = 1 << 11;
    pub const MAIL: u32 = 1 << 12;
    pub const MAIL_SERVER: u32 = 1 << 13;
    /// `include`: everywhere.
    pub const ANY: u32 = 1 << 14;

    /// The bit of a context name as the TSV and `[nginx] extra-directives` spell it
    /// (`http`, `http>server`, `server`, `location`, `if`, …).
    pub fn parse(name: &str) -> u32 {
        match name.trim() {
            "main" => MAIN,
            "events" => EVENTS,
            "http" => HTTP,
            "server" | "http>server" => HTTP_SERVER,
            "location" | "http>location" => HTTP_LOCATION,
            "upstream" | "http>upstream" => HTTP_UPSTREAM,
            "http>server>if" => HTTP_SERVER_IF,
            "if" => HTTP_SERVER_IF | HTTP_LOCATION_IF,
            "http>location>if" => HTTP_LOCATION_IF,
            "limit_except" | "http>location>limit_except" => HTTP_LIMIT_EXCEPT,
            "stream" => STREAM,
            "stream>server" => STREAM_SERVER,
            "stream>upstream" => STREAM_UPSTREAM,
            "mail" => MAIL,
            "mail>server" => MAIL_SERVER,
            "any" => ANY,
            _ => 0,
        }
    }

    /// How nginx names a context in messages.
    pub fn describe(bit: u32) -> &'static str {
        match bit {
            MAIN => "the main context",
            EVENTS => "events",
            HTTP => "http",
            HTTP_SERVER => "server",
            HTTP_LOCATION => "location",
            HTTP_UPSTREAM => "upstream",
            HTTP_SERVER_IF => "if in server",
            HTTP_LOCATION_IF => "if in location",
            HTTP_LIMIT_EXCEPT => "limit_except",
            STREAM => "stream",
            STREAM_SERVER => "stream server",
            STREAM_UPSTREAM => "stream upstream",
            MAIL => "mail",
            MAIL_SERVER => "mail server",
            _ => "any context",
        }
    }
}

/// Argument-count bits: bit `n` (0..=7) = exactly `n` arguments allowed.
pub const A0: u16 = 1 << 0;
pub const A1: u16 = 1 << 1;
pub const A2: u16 = 1 << 2;
pub const A3: u16 = 1 << 3;
pub const A4: u16 = 1 << 4;
pub const A5: u16 = 1 << 5;
pub const A6: u16 = 1 << 6;
pub const A7: u16 = 1 << 7;
/// One or more arguments.
pub const A1MORE: u16 = 1 << 8;
/// Two or more arguments.
pub const A2MORE: u16 = 1 << 9;
/// Any number of arguments, none included.
pub const AANY: u16 = 1 << 10;

/// One row of the table: a directive in one subsystem (a name may have several rows, e.g.
/// `listen` in http, stream and mail).
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    /// Bits of [`ctx`]; 0 for the `*_by_lua_block` rows (the table has no contexts for them).
    pub contexts: u32,
    /// Bits `A0`..`AANY`.
    pub args: u16,
    /// A flag directive: its one argument is `on` or `off`.
    pub flag: bool,
    /// A block directive (`{ … }` required).
    pub block: bool,
    /// A `*_by_lua_block`: its body is Lua, kept as raw text.
    pub raw: bool,
    /// nginx's handler function (`ngx_conf_set_flag_slot`, `ngx_http_v2_obsolete` …).
    pub handler: &'static str,
    pub module: &'static str,
}

impl Spec {
    /// Whether `n` arguments are allowed.
    pub fn takes(&self, n: usize) -> bool {
        (n <= 7 && self.args & (1 << n) != 0)
            || (n >= 1 && self.args & A1MORE != 0)
            || (n >= 2 && self.args & A2MORE != 0)
            || self.args & AANY != 0
    }

    /// Whether nginx rejects this directive given twice in one block: its handler is one of
    /// the `ngx_conf_set_*_slot` functions that check for a value already set (the array,
    /// key/value and bitmask slots append instead).
    pub fn rejects_duplicates(&self) -> bool {
        self.handler.starts_with("ngx_conf_set_")
            && self.handler.ends_with("_slot")
            && !matches!(
                self.handler,
                "ngx_conf_set_str_array_slot"
                    | "ngx_conf_set_keyval_slot"
                    | "ngx_conf_set_bitmask_slot"
            )
    }

    /// Whether this directive is obsolete (its handler only warns and ignores it).
    pub fn obsolete(&self) -> bool {
        self.handler.ends_with("_obsolete")
    }
}

include!("directives_table.rs");

/// Every row for `name` (empty when no module defines it). The table is sorted by name.
pub fn lookup(name: &str) -> &'static [Spec] {
    let start = TABLE.partition_point(|s| s.name < name);
    let end = start + TABLE[start..].partition_point(|s| s.name == name);
    TABLE.get(start..end).unwrap_or(&[])
}

/// Whether any module defines `name`.
pub fn is_known(name: &str) -> bool {
    !lookup(name).is_empty()
}

/// Every directive name, sorted, each once.
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .enumerate()
        .filter(|(i, s)| *i == 0 || TABLE.get(i - 1).map_or(true, |p| p.name != s.name))
        .map(|(_, s)| s.name)
}

/// The known directive closest to `name` (Levenshtein distance ≤ a third of its length, at
/// most 3), for "did you mean".
pub fn suggest(name: &str) -> Option<&'static str> {
    let max = (name.chars().count() / 3).clamp(1, 3);
    let mut best: Option<(usize, &'static str)> = None;
    for candidate in names() {
        if candidate.len().abs_diff(name.len()) > max {
            continue;
        }
        let d = levenshtein(name, candidate);
        if d <= max && best.map_or(true, |(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, n)| n)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_looked_up() {
        assert!(TABLE.windows(2).all(|w| w[0].name <= w[1].name));
        assert_eq!(lookup("listen").len(), 3);
        assert!(lookup("gzip")[0].flag);
        assert!(lookup("no_such_directive").is_empty());
        assert!(lookup("content_by_lua_block")[0].raw);
        assert!(
            lookup("server_tokens")[0].rejects_duplicates()
                || lookup("server_tokens")[0].handler == "ngx_conf_set_enum_slot"
        );
        assert!(!lookup("proxy_set_header")[0].rejects_duplicates());
    }

    #[test]
    fn arity() {
        let add_header = lookup("add_header")[0];
        assert!(!add_header.takes(1) && add_header.takes(2) && add_header.takes(3));
        assert!(!add_header.takes(4));
        let access_log = lookup("access_log")[0];
        assert!(!access_log.takes(0) && access_log.takes(9));
    }

    #[test]
    fn did_you_mean() {
        assert_eq!(suggest("proxy_pas"), Some("proxy_pass"));
        assert_eq!(suggest("server_token"), Some("server_tokens"));
        assert_eq!(suggest("zzzzzzzzzzzzzz"), None);
    }
}
