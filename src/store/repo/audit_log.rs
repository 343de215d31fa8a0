//! The audit log: appending to the hash chain, reading it, verifying it, and its anchor.

use std::path::Path;

use super::Sqlite;
use crate::audit::AuditEntry;
use crate::audit::anchor::{Anchor, AnchorState, Observed};
use crate::audit::chain::AuditRecord;
use crate::audit::state::AssignmentState;
use crate::store::StoreResult;
use crate::store::anchor;
use crate::store::audit::{self, StoredAudit, Verification};

/// The audit log: appending to the hash chain, reading it, verifying it, and its anchor.
pub trait AuditLog {
    /// Appends an entry, chained to the newest one. Call inside the transaction of the change.
    /// Oversized text is clipped (see [`MAX_FIELD_CHARS`]) before it is hashed and stored.
    fn append_audit(&self, entry: AuditEntry, id: String) -> StoreResult<AuditRecord>;
    /// Starts a bulk append: until [`index_deferred_text`] in the same transaction, appended
    /// entries are not added to the text index, not even a batch at a time (see
    /// `0010_text_batches.sql`).
    fn defer_text_index(&self) -> StoreResult<()>;
    /// Ends a bulk append: indexes the words of every entry the index does not hold yet, in
    /// one statement.
    fn index_deferred_text(&self) -> StoreResult<()>;
    /// Starts a bulk load of assignments and entries: sets aside the indexes each row would
    /// land at a random place in, which [`build_again`](AuditLog::build_again) must build
    /// before the same transaction commits (see `store::audit::set_aside_for_bulk`).
    fn set_aside_for_bulk(&self) -> StoreResult<audit::SetAside>;
    /// Ends a bulk load: builds the indexes set aside, each in one sorted pass.
    fn build_again(&self, set: audit::SetAside) -> StoreResult<()>;
    /// Newest first, one page.
    fn list_audit(&self, f: &audit::Filter<'_>) -> StoreResult<Vec<AuditRecord>>;
    /// Every entry the filter selects, oldest first, one at a time (nothing is held in memory);
    /// `each` returns false to stop. How many were given.
    fn for_each_audit(
        &self,
        f: &audit::Filter<'_>,
        each: &mut dyn FnMut(StoredAudit) -> bool,
    ) -> StoreResult<u64>;
    /// The newest entry: its sequence number, hash, and whether it carries a real time (written
    /// by a pim that anchors its log).
    fn audit_head(&self) -> StoreResult<Option<(i64, String, bool)>>;
    /// The stored hash of entry `seq`, if there is one.
    fn audit_hash_at(&self, seq: i64) -> StoreResult<Option<String>>;
    /// The newest successful entry about an assignment: its sequence number and the state it
    /// recorded (`None` for entries written before states were recorded).
    fn latest_state(
        &self,
        assignment_id: &str,
    ) -> StoreResult<Option<(i64, Option<AssignmentState>)>>;
    /// One entry by sequence number.
    fn audit_entry(&self, seq: i64) -> StoreResult<Option<StoredAudit>>;
    /// Recomputes every hash in order and stops at the first bad entry. The log is read in
    /// stretches on as many cores as there are (each on its own connection to the file, reading
    /// only entries up to the head this transaction sees, which never change), each encoding and
    /// hashing its own entries; the stretches are then joined in order. Every stored hash covers
    /// the stored previous hash, so entries hash independently. `progress` is told how many
    /// entries are done every few thousand; `subject` is given the number and details of each
    /// entry about an assignment read before a break, in no particular order (meaningful when the
    /// chain is intact).
    fn verify_audit(
        &self,
        progress: &mut dyn FnMut(i64),
        subject: &(dyn Fn(i64, &str) + Sync),
    ) -> StoreResult<Verification>;
    /// What the log holds, seen through `conn`, for judging it against `anchor`.
    fn observe_anchor(&self, database_id: &str, anchor: Option<&Anchor>) -> StoreResult<Observed>;
    /// The log judged against its anchor file, and the anchor as read. The file is read before
    /// the database, so the snapshot the first query takes includes every commit the anchor
    /// speaks of (anchors are written only after their commit).
    fn anchor_state(
        &self,
        path: &Path,
        database_id: &str,
    ) -> StoreResult<(AnchorState, Option<Anchor>)>;
    /// Judges the log against an anchor file read earlier (before the transaction's first query).
    fn judge_anchor(
        &self,
        read: Result<Option<Anchor>, ()>,
        database_id: &str,
    ) -> StoreResult<(AnchorState, Option<Anchor>)>;
}

impl<T: Sqlite + ?Sized> AuditLog for T {
    fn append_audit(&self, entry: AuditEntry, id: String) -> StoreResult<AuditRecord> {
        audit::append(self.sqlite(), entry, id)
    }
    fn defer_text_index(&self) -> StoreResult<()> {
        audit::defer_text_index(self.sqlite())
    }
    fn index_deferred_text(&self) -> StoreResult<()> {
        audit::index_deferred_text(self.sqlite())
    }
    fn set_aside_for_bulk(&self) -> StoreResult<audit::SetAside> {
        audit::set_aside_for_bulk(self.sqlite())
    }
    fn build_again(&self, set: audit::SetAside) -> StoreResult<()> {
        audit::build_again(self.sqlite(), set)
    }
    fn list_audit(&self, f: &audit::Filter<'_>) -> StoreResult<Vec<AuditRecord>> {
        audit::list(self.sqlite(), f)
    }
    fn for_each_audit(
        &self,
        f: &audit::Filter<'_>,
        each: &mut dyn FnMut(StoredAudit) -> bool,
    ) -> StoreResult<u64> {
        audit::for_each(self.sqlite(), f, each)
    }
    fn audit_head(&self) -> StoreResult<Option<(i64, String, bool)>> {
        audit::head(self.sqlite())
    }
    fn audit_hash_at(&self, seq: i64) -> StoreResult<Option<String>> {
        audit::hash_at(self.sqlite(), seq)
    }
    fn latest_state(
        &self,
        assignment_id: &str,
    ) -> StoreResult<Option<(i64, Option<AssignmentState>)>> {
        audit::latest_state(self.sqlite(), assignment_id)
    }
    fn audit_entry(&self, seq: i64) -> StoreResult<Option<StoredAudit>> {
        audit::get(self.sqlite(), seq)
    }
    fn verify_audit(
        &self,
        progress: &mut dyn FnMut(i64),
        subject: &(dyn Fn(i64, &str) + Sync),
    ) -> StoreResult<Verification> {
        audit::verify(self.sqlite(), progress, subject)
    }
    fn observe_anchor(&self, database_id: &str, anchor: Option<&Anchor>) -> StoreResult<Observed> {
        anchor::observe(self.sqlite(), database_id, anchor)
    }
    fn anchor_state(
        &self,
        path: &Path,
        database_id: &str,
    ) -> StoreResult<(AnchorState, Option<Anchor>)> {
        anchor::state(self.sqlite(), path, database_id)
    }
    fn judge_anchor(
        &self,
        read: Result<Option<Anchor>, ()>,
        database_id: &str,
    ) -> StoreResult<(AnchorState, Option<Anchor>)> {
        anchor::judge(self.sqlite(), read, database_id)
    }
}
