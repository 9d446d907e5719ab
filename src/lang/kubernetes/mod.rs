//! The Kubernetes engine: spanned YAML, the manifest model and (later) the rules.

pub mod yaml;
