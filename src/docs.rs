//! Rule documentation: the pages of `rules/` (embedded at build time by `build.rs`) and the
//! registry table for `opslint rule --all`.

use crate::cli::RuleFormat;
use crate::registry::{Code, RULES};

include!(concat!(env!("OUT_DIR"), "/rule_pages.rs"));

/// The page of `code`, if `rules/CODE.md` exists.
pub fn page_text(code: Code) -> Option<&'static str> {
    PAGES
        .iter()
        .find(|(stem, _)| *stem == code.as_str())
        .map(|(_, text)| *text)
}

/// What `opslint rule CODE` prints: a title and the rule's facts from the registry, then the
/// page's sections (its front matter is the same facts, so it is not repeated).
pub fn page(code: Code) -> String {
    let m = code.meta();
    if let Some(text) = page_text(code) {
        let body = text
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
            .map(|(_, body)| body)
            .unwrap_or(text);
        let also = if m.anchor.is_empty() || m.anchor == "—" {
            String::new()
        } else {
            format!("\nalso known as: {}", m.anchor)
        };
        let mut s = format!(
            "# {} {}\n\n{} · {} · {} by default · fix: {}{also}\n\n{}",
            code,
            m.name,
            m.file_kind.as_str(),
            m.severity.as_str(),
            if m.default_on { "on" } else { "off" },
            m.fix.as_str(),
            body.trim_start()
        );
        if !s.ends_with('\n') {
            s.push('\n');
        }
        return s;
    }
    format!(
        "# {} {}\n\nfile type: {}\nseverity: {}\ndefault: {}\nfix: {}\n\n{}\n",
        code,
        m.name,
        m.file_kind.as_str(),
        m.severity.as_str(),
        if m.default_on { "on" } else { "off" },
        m.fix.as_str(),
        m.summary
    )
}

#[derive(serde::Serialize)]
struct RuleJson {
    code: &'static str,
    name: &'static str,
    file_type: &'static str,
    severity: &'static str,
    default: bool,
    fix: &'static str,
    summary: &'static str,
}

/// What `opslint rule --all` prints.
pub fn all_rules(format: RuleFormat) -> String {
    match format {
        RuleFormat::Json => {
            let rules: Vec<RuleJson> = RULES
                .iter()
                .map(|r| RuleJson {
                    code: r.code.as_str(),
                    name: r.name,
                    file_type: r.file_kind.as_str(),
                    severity: r.severity.as_str(),
                    default: r.default_on,
                    fix: r.fix.as_str(),
                    summary: r.summary,
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&rules).unwrap_or_else(|_| "[]".into());
            s.push('\n');
            s
        }
        RuleFormat::Text => {
            let name_w = RULES
                .iter()
                .map(|r| r.name.len())
                .max()
                .unwrap_or(0)
                .max(32);
            let mut s = format!(
                "{:<6}  {:<name_w$}  {:<11}  {:<8}  {:<7}  {}\n",
                "code", "name", "file type", "severity", "default", "fix"
            );
            for r in RULES {
                s.push_str(&format!(
                    "{:<6}  {:<name_w$}  {:<11}  {:<8}  {:<7}  {}\n",
                    r.code.as_str(),
                    r.name,
                    r.file_kind.as_str(),
                    r.severity.as_str(),
                    if r.default_on { "on" } else { "off" },
                    r.fix.as_str()
                ));
            }
            s
        }
    }
}
