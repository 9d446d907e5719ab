//! opslint: one fast linter for nginx configs, Dockerfiles, Kubernetes manifests and
//! Jenkinsfiles. See ARCHITECTURE in the shared spec for how a file flows through the crate.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod fix;
pub mod lang;
pub mod registry;
pub mod report;
pub mod run;
pub mod secrets;
pub mod server;
pub mod source;
pub mod suppress;
