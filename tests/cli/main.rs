//! End-to-end tests of the real `pim` binary on temp databases.

mod anchor;
mod audit_export;
mod bad_input;
mod bundles;
mod common;
mod completions;
mod console;
mod context;
mod crash;
mod exec;
mod files;
mod fixes;
mod lifecycle;
mod newcomer;
mod policies;
mod preflight;
mod prompts;
mod race;
mod readme;
mod reviews;
mod scale;
mod scenario;
mod tamper;
mod transfer;
mod trust;
mod walkthrough;
