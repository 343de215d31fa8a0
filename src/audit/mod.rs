//! The audit log's pure parts: Entra's activity names, entries, the hash chain, the anchor and
//! checkpoints that pin its head outside the database, and the assignment states entries
//! record. Rows are written by `store::audit` in the same transaction as the change they
//! record.

pub mod activity;
pub mod anchor;
pub mod chain;
mod entry;
pub mod export;
pub mod state;

pub use chain::{AuditRecord, AuditResult};
pub use entry::AuditEntry;
