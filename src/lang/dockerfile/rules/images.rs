//! Base images: tags, registries, platforms and image weight (DKR002, DKR003, DKR031, DKR040,
//! DKR043).

use super::super::model::ImageRef;
use super::super::parse::{Stage, Word};
use super::super::Ctx;
use super::stages::final_stage;
use crate::diagnostic::Findings;
use crate::registry::Code;

pub fn check(cx: &Ctx, out: &mut Findings) {
    untagged_image(cx, out);
    latest_tag(cx, out);
    hardcoded_platform(cx, out);
    untrusted_registry(cx, out);
    heavy_base_image(cx, out);
}

/// The external image a stage is built from, after expanding global ARGs: `None` for a local
/// stage, `scratch`, or a reference that cannot be resolved.
fn external_image<'a>(cx: &Ctx<'a>, stage: &'a Stage) -> Option<(String, &'a Word)> {
    let word = stage.image.as_ref()?;
    if cx.file.parent_stage(stage).is_some() {
        return None;
    }
    let image = cx.file.global_args().expand(&word.value, cx.file.escape)?;
    let image = image.trim().to_string();
    if image.is_empty() || image.eq_ignore_ascii_case("scratch") || image.contains('$') {
        return None;
    }
    Some((image, word))
}

fn external_images<'a>(cx: &'a Ctx<'a>) -> impl Iterator<Item = (String, &'a Word)> + 'a {
    cx.file.stages.iter().filter_map(|s| external_image(cx, s))
}

/// Whether `image` can be an image reference at all: Docker rejects upper case in the
/// repository path and any character outside `[A-Za-z0-9._/:@-]`. A template placeholder
/// (`{{baseImageTag}}`, `<image>`) or a marker a script replaces (`REPLACE-ME`) is not an
/// untagged image: it is substituted by a full reference before any build.
fn is_image_reference(image: &str) -> bool {
    let r = ImageRef::parse(image);
    let allowed =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':' | '@');
    image.chars().all(allowed)
        && !r.repository.is_empty()
        && !r.repository.chars().any(|c| c.is_ascii_uppercase())
}

/// DKR002 untagged-image: `FROM image` with neither a tag nor a digest.
fn untagged_image(cx: &Ctx, out: &mut Findings) {
    for (image, word) in external_images(cx) {
        let r = ImageRef::parse(&image);
        if r.tag.is_none() && r.digest.is_none() && is_image_reference(&image) {
            out.report(Code::DKR002, word.span.clone())
                .message(format!(
                    "`{image}` has no tag: it means `{image}:latest`, which changes under you"
                ))
                .help("pin a version tag (e.g. `:1.2`) or a digest (`@sha256:…`)");
        }
    }
}

/// DKR003 latest-tag: `FROM image:latest` without a digest.
fn latest_tag(cx: &Ctx, out: &mut Findings) {
    for (image, word) in external_images(cx) {
        let r = ImageRef::parse(&image);
        if r.tag == Some("latest") && r.digest.is_none() {
            out.report(Code::DKR003, word.span.clone())
                .message(format!(
                    "`{image}` uses the `latest` tag, which moves to each new release"
                ))
                .help("pin a version tag (e.g. `:1.2`) or a digest (`@sha256:…`)");
        }
    }
}

/// DKR031 hardcoded-platform: `FROM --platform=` with a literal platform.
fn hardcoded_platform(cx: &Ctx, out: &mut Findings) {
    for stage in &cx.file.stages {
        let Some(inst) = cx.file.instructions.get(stage.from) else {
            continue;
        };
        let Some(value) = inst.flag("platform").and_then(|f| f.value.as_ref()) else {
            continue;
        };
        if value.raw.contains('$') || value.value.is_empty() {
            continue;
        }
        out.report(Code::DKR031, value.span.clone())
            .message(format!(
                "`FROM --platform={}` hardcodes the platform: the image cannot be built for another one",
                value.value
            ))
            .help("drop `--platform`, or use `--platform=$BUILDPLATFORM` for a build stage that cross-compiles");
    }
}

/// Registries that are the same host as `docker.io`.
fn normalize_registry(registry: &str) -> String {
    let r = registry.to_ascii_lowercase();
    match r.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".to_string()
        }
        _ => r,
    }
}

fn registry_trusted(registry: &str, trusted: &[String]) -> bool {
    let registry = normalize_registry(registry);
    let host = registry.split(':').next().unwrap_or(&registry).to_string();
    trusted.iter().any(|entry| {
        let entry = normalize_registry(entry.trim().trim_end_matches('/'));
        // An entry without a port trusts every port of that host.
        let candidate = if entry.contains(':') {
            &registry
        } else {
            &host
        };
        if entry.contains(['*', '?', '[']) {
            globset::Glob::new(&entry)
                .map(|g| g.compile_matcher().is_match(candidate.as_str()))
                .unwrap_or(false)
        } else {
            entry == *candidate
        }
    })
}

/// DKR040 untrusted-registry: a base image from a registry outside `trusted-registries`.
fn untrusted_registry(cx: &Ctx, out: &mut Findings) {
    let trusted = &cx.lint.options.trusted_registries;
    if trusted.is_empty() {
        return;
    }
    for (image, word) in external_images(cx) {
        let registry = ImageRef::parse(&image).effective_registry();
        if !registry_trusted(registry, trusted) {
            out.report(Code::DKR040, word.span.clone())
                .message(format!(
                    "`{image}` comes from `{registry}`, which is not a trusted registry"
                ))
                .help(format!(
                    "pull the image from a trusted registry ({}), or add `{registry}` to `[dockerfile] trusted-registries`",
                    trusted.join(", ")
                ));
        }
    }
}

/// Windows base images: tags and paths naming Server Core or Nano Server.
pub(super) fn is_windows_image(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    let r = ImageRef::parse(&lower);
    (r.effective_registry() == "mcr.microsoft.com" && r.repository.starts_with("windows"))
        || lower.contains("servercore")
        || lower.contains("nanoserver")
}

/// The lighter variants an official Docker Hub image offers, if its tag names a full variant.
fn lighter_variants(r: &ImageRef) -> Option<&'static str> {
    if !matches!(r.effective_registry(), "docker.io" | "index.docker.io") {
        return None;
    }
    let name = r
        .repository
        .strip_prefix("library/")
        .unwrap_or(r.repository);
    let tag = r.tag.unwrap_or("latest").to_ascii_lowercase();
    let parts: Vec<&str> = tag.split(['-', '.', '_']).collect();
    let has = |p: &str| parts.contains(&p);
    let light = ["slim", "alpine", "distroless", "minimal", "busybox"]
        .iter()
        .any(|p| has(p))
        || tag.contains("alpine")
        || tag.contains("windowsservercore")
        || tag.contains("nanoserver");
    if light {
        return None;
    }
    match name {
        "node" | "python" | "ruby" | "rust" => Some("a `-slim` or `-alpine` tag"),
        "golang" => Some("an `-alpine` tag (or a distroless image with only the binary)"),
        "openjdk" if !has("jre") => Some("a `-slim` tag"),
        "eclipse-temurin" if !has("jre") => Some("a `-jre` (or `-jre-alpine`) tag"),
        "perl" => Some("a `-slim` tag"),
        // `php:*-apache` has no Alpine variant.
        "php" if !has("apache") => Some("an `-alpine` tag"),
        "debian" if !["backports", "experimental", "rc"].iter().any(|p| has(p)) => {
            Some("a `-slim` tag")
        }
        _ => None,
    }
}

/// DKR043 heavy-base-image: the final image is built on a full variant of an official image.
fn heavy_base_image(cx: &Ctx, out: &mut Findings) {
    let Some(last) = final_stage(cx) else {
        return;
    };
    // The image the final stage ships on: the root of its chain of local stages.
    let Some(root) = cx.file.stage_chain(last).last().copied() else {
        return;
    };
    let Some((image, word)) = external_image(cx, root) else {
        return;
    };
    let r = ImageRef::parse(&image);
    if r.digest.is_some() && r.tag.is_none() {
        return;
    }
    if let Some(variants) = lighter_variants(&r) {
        let d = out
            .report(Code::DKR043, word.span.clone())
            .message(format!(
                "the final image is built on `{image}`, a full variant with compilers and tools the app rarely needs"
            ))
            .help(format!(
                "use {variants} of `{}`, or copy the artifact into a smaller runtime image",
                r.name()
            ));
        if root.index != last.index {
            if let Some(from) = cx.file.instructions.get(last.from) {
                d.label(
                    from.keyword.clone(),
                    "the final stage is built on this stage",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_findings, assert_findings_with, first_message};
    use crate::lang::Options;
    use crate::registry::Code::*;

    fn trusting(registries: &[&str]) -> Options {
        Options {
            trusted_registries: registries.iter().map(|s| s.to_string()).collect(),
            ..Options::default()
        }
    }

    #[test]
    fn untagged_image() {
        assert_findings(DKR002, "FROM ubuntu\n", &[(1, 6)]);
        assert_findings(DKR002, "from node AS build\n", &[(1, 6)]); // lower case
        assert_findings(DKR002, "ARG BASE=debian\nFROM $BASE\n", &[(2, 6)]); // resolved through ARG
        assert_findings(
            DKR002,
            "FROM registry.example.com:5000/team/app\n",
            &[(1, 6)],
        ); // a port is not a tag
        assert_findings(DKR002, "FROM ubuntu:22.04\n", &[]);
        assert_findings(DKR002, "FROM ubuntu@sha256:abcd\n", &[]); // digest pins it
        assert_findings(DKR002, "FROM scratch\n", &[]);
        assert_findings(DKR002, "FROM golang:1.22 AS build\nFROM build\n", &[]); // a stage
        assert_findings(DKR002, "FROM $BASE\n", &[]); // unresolvable
        assert_findings(DKR002, "ARG BASE\nFROM ${BASE}\n", &[]); // no default
        assert_findings(DKR002, "ARG V=3.19\nFROM alpine:${V}\n", &[]);
        assert_findings(DKR002, "FROM ${IMG:-debian:12}\n", &[]); // default with a tag
                                                                  // Template placeholders and replace-me markers are not image references.
        assert_findings(DKR002, "FROM {{baseImageTag}}\n", &[]);
        assert_findings(DKR002, "FROM {{installerImageTag}} AS installer\n", &[]);
        assert_findings(DKR002, "FROM REPLACE-ME\n", &[]);
        assert_findings(DKR002, "FROM <image>\n", &[]);
        // A registry host may have upper case; the repository path is still checked.
        assert_findings(DKR002, "FROM Registry.Example.com/team/app\n", &[(1, 6)]);
        assert!(first_message(DKR002, "FROM ubuntu\n").is_some_and(|m| m.contains("`ubuntu`")));
    }

    #[test]
    fn latest_tag() {
        assert_findings(DKR003, "FROM node:latest\n", &[(1, 6)]);
        assert_findings(DKR003, "ARG T=latest\nFROM python:$T AS app\n", &[(2, 6)]);
        assert_findings(
            DKR003,
            "FROM a:1 AS b\nFROM ghcr.io/org/tool:latest\n",
            &[(2, 6)],
        );
        assert_findings(DKR003, "FROM node:latest@sha256:abcd\n", &[]); // digest pins it
        assert_findings(DKR003, "FROM node:20\n", &[]);
        assert_findings(DKR003, "FROM node\n", &[]); // DKR002's business
        assert_findings(DKR003, "FROM $IMAGE:latest\n", &[]); // unresolvable
    }

    #[test]
    fn hardcoded_platform() {
        assert_findings(DKR031, "FROM --platform=linux/amd64 node:20\n", &[(1, 17)]);
        assert_findings(
            DKR031,
            "FROM a:1 AS b\nfrom --platform=linux/arm64/v8 alpine:3.19\n",
            &[(2, 17)],
        );
        assert_findings(
            DKR031,
            "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n",
            &[],
        );
        assert_findings(DKR031, "FROM --platform=${TARGETPLATFORM} alpine:3\n", &[]);
        assert_findings(
            DKR031,
            "ARG P=linux/amd64\nFROM --platform=$P alpine:3\n",
            &[],
        ); // overridable
        assert_findings(DKR031, "FROM alpine:3\n", &[]);
    }

    #[test]
    fn untrusted_registry() {
        let opts = || trusting(&["registry.example.com", "*.gcr.io"]);
        assert_findings_with(DKR040, opts(), "FROM node:20\n", &[(1, 6)]); // docker.io
        assert_findings_with(DKR040, opts(), "FROM quay.io/org/app:1\n", &[(1, 6)]);
        assert_findings_with(DKR040, opts(), "ARG R=ghcr.io\nFROM $R/x/y:1\n", &[(2, 6)]);
        assert_findings_with(DKR040, opts(), "FROM registry.example.com/app:1\n", &[]);
        assert_findings_with(
            DKR040,
            opts(),
            "FROM registry.example.com:5000/app:1\n",
            &[],
        );
        assert_findings_with(DKR040, opts(), "FROM eu.gcr.io/p/app:1\n", &[]); // glob
        assert_findings_with(DKR040, opts(), "FROM scratch\n", &[]);
        assert_findings_with(
            DKR040,
            opts(),
            "FROM registry.example.com/a:1 AS b\nFROM b\n",
            &[],
        );
        assert_findings_with(DKR040, opts(), "FROM $UNKNOWN/app:1\n", &[]);
        assert_findings_with(DKR040, trusting(&["docker.io"]), "FROM node:20\n", &[]);
        assert_findings_with(
            DKR040,
            trusting(&["docker.io"]),
            "FROM index.docker.io/library/node:20\n",
            &[],
        );
        assert_findings(DKR040, "FROM quay.io/org/app:1\n", &[]); // option not set
    }

    #[test]
    fn heavy_base_image() {
        assert_findings(
            DKR043,
            "FROM node:20\nCMD [\"node\", \"a.js\"]\n",
            &[(1, 6)],
        );
        assert_findings(DKR043, "FROM python:3.12-bookworm\n", &[(1, 6)]);
        assert_findings(DKR043, "FROM eclipse-temurin:21-jdk\n", &[(1, 6)]);
        assert_findings(
            DKR043,
            "FROM golang:1.22 AS b\nFROM debian:bookworm\n",
            &[(2, 6)],
        );
        assert_findings(DKR043, "FROM ruby:3.3 AS base\nFROM base\n", &[(1, 6)]); // chain root
        assert_findings(DKR043, "FROM docker.io/library/php:8.3-fpm\n", &[(1, 6)]);
        assert_findings(DKR043, "FROM node:20 AS build\nFROM node:20-slim\n", &[]); // build stage only
        assert_findings(DKR043, "FROM python:3.12-slim\n", &[]);
        assert_findings(DKR043, "FROM node:20-alpine3.19\n", &[]);
        assert_findings(DKR043, "FROM eclipse-temurin:21-jre\n", &[]);
        assert_findings(DKR043, "FROM ubuntu:24.04\n", &[]); // no slim variant exists
        assert_findings(DKR043, "FROM php:8.3-apache\n", &[]); // no alpine apache variant
        assert_findings(DKR043, "FROM python:3.12-windowsservercore\n", &[]);
        assert_findings(DKR043, "FROM gcr.io/distroless/nodejs20-debian12\n", &[]);
        assert_findings(DKR043, "FROM myregistry.io/node:20\n", &[]); // not the official image
        assert_findings(DKR043, "FROM debian:bookworm-backports\n", &[]);
        assert_findings(DKR043, "FROM $BASE\n", &[]);
    }
}
