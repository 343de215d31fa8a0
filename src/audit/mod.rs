//! The audit log's pure parts: Entra's activity names, entries, and the hash chain. Rows are
//! written by `store::audit` in the same transaction as the change they record.

pub mod activity;
pub mod chain;
mod entry;

pub use chain::{AuditRecord, AuditResult};
pub use entry::AuditEntry;
