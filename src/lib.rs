//! PIM Console: Microsoft Entra Privileged Identity Management in the terminal, offline.
//!
//! The map of the crate (dependencies point one way, down this list):
//! - `cli`, `tui`: the two faces. They parse input, call `service`, and print.
//! - `service`: one function per use case, each one `BEGIN IMMEDIATE` transaction that loads,
//!   asks `policy`, writes, audits and queues e-mail.
//! - `policy`: pure rules and plain data; refusals are values naming their rule.
//! - `auth`: passwords (argon2id), TOTP, sign-in sessions, lockout.
//! - `audit`: the hash chain of the audit log.
//! - `notify`: e-mail messages from the notification matrix.
//! - `store`: the only module with SQL.
//! - `clock`: the one source of "now".
//! - `fault`: crash points for the fault-injection tests (debug builds only).

pub mod audit;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod fault;
pub mod notify;
pub mod policy;
pub mod scenario;
pub mod service;
pub mod store;
pub mod tui;

#[cfg(test)]
mod parser_props;
