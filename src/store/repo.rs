//! The store's seam: what the service needs from a database, as repository traits
//! (tenant, directory, catalogue, assignments, requests, reviews, mail, audit log, alerts),
//! and the transaction they run in as a value ([`Tx`]). The service sees only these; SQLite
//! (the modules beside this one) implements them, and no `rusqlite` type crosses the seam.
//! Method names are unique across the traits, so `db.assignment(id)` reads the same through
//! `&dyn Repos` whichever trait it comes from.

use std::path::Path;

use rusqlite::Connection;

use super::alerts::{self, Listing};
use super::anchor;
use super::assignments::{self, AssignmentRow, ThroughGroup};
use super::audit::{self, StoredAudit, Verification};
use super::bundles::{self, Bundle};
use super::groups::{self, GroupRecord, GroupSummary};
use super::mail;
use super::meta;
use super::requests::{self, Scope};
use super::reviews::{self, ItemRow, ReviewRow};
use super::roles;
use super::settings::{self, StoredSettings};
use super::tenant;
use super::users::{self, UserRecord};
use super::{StoreResult, Transaction};
use crate::audit::AuditEntry;
use crate::audit::anchor::{Anchor, AnchorState, Observed};
use crate::audit::chain::AuditRecord;
use crate::audit::state::AssignmentState;
use crate::auth::lockout::Counters;
use crate::clock::Time;
use crate::notify::Email;
use crate::policy::alerts::{AlertConfig, AlertFacts, AlertId};
use crate::policy::model::*;
use crate::policy::request::{Request, RequestAction, RequestStatus};
use crate::policy::settings::RoleSettings;

/// Every repository at once: what a use case holds for the length of its transaction.
pub trait Repos:
    Tenancy + Directory + Catalogue + Assignments + Requests + Reviews + Mail + AuditLog + Alerts
{
}

impl<T> Repos for T where
    T: Tenancy
        + Directory
        + Catalogue
        + Assignments
        + Requests
        + Reviews
        + Mail
        + AuditLog
        + Alerts
        + ?Sized
{
}

/// An open transaction, as a value: its repositories through [`Repos`], then [`Tx::commit`].
/// Dropped without committing, it rolls back.
pub struct Tx<'c> {
    inner: Transaction<'c>,
}

impl<'c> Tx<'c> {
    pub(super) fn new(inner: Transaction<'c>) -> Self {
        Self { inner }
    }

    /// Makes the transaction's changes durable.
    pub fn commit(self) -> StoreResult<()> {
        Ok(self.inner.commit()?)
    }
}

/// What the SQLite repositories run their statements on: an open transaction, or the store's
/// connection for reads outside one.
pub(super) trait Sqlite {
    fn sqlite(&self) -> &Connection;
}

impl Sqlite for Tx<'_> {
    fn sqlite(&self) -> &Connection {
        &self.inner
    }
}

impl Sqlite for super::Store {
    fn sqlite(&self) -> &Connection {
        &self.conn
    }
}

impl Sqlite for Connection {
    fn sqlite(&self) -> &Connection {
        self
    }
}

/// The tenant and the database itself: its identity, the lab clock, the newest real time seen.
pub trait Tenancy {
    /// The tenant, if one has been created.
    fn tenant(&self) -> StoreResult<Option<Tenant>>;
    /// Creates the tenant row.
    fn insert_tenant(&self, t: &Tenant) -> StoreResult<()>;
    /// The lab clock's offset as stored, in seconds (a damaged value reads as zero in [`get`]).
    fn stored_clock_offset(&self) -> StoreResult<Option<i64>>;
    /// Moves the lab clock.
    fn set_clock_offset(&self, offset_secs: i64) -> StoreResult<()>;
    /// Changes the licence.
    fn set_licence(&self, licence: Licence) -> StoreResult<()>;
    /// Empties every table but the audit log (append-only, it records the reset and goes on) and
    /// the file's own facts, for `pim lab --reset`.
    fn wipe_tenant(&self) -> StoreResult<()>;
    /// The database's identity, made when it was created (or upgraded to schema version 3).
    fn database_id(&self) -> StoreResult<String>;
    /// Gives the database an identity (a restored older backup takes the identity of the
    /// database it replaces).
    fn set_database_id(&self, id: &str) -> StoreResult<()>;
    /// The newest real time any command recorded, if any.
    fn real_time_mark(&self) -> StoreResult<Option<Time>>;
    /// Raises the real-time mark to `real` (never lowers it).
    fn raise_real_time_mark(&self, real: Time) -> StoreResult<()>;
    /// Puts the real-time mark at `real` (the database owner accepting a clock that went back).
    fn set_real_time_mark(&self, real: Time) -> StoreResult<()>;
}

/// Principals: users (with their sign-in state and sessions) and groups.
pub trait Directory {
    /// Adds a user.
    fn insert_user(&self, u: &UserRecord) -> StoreResult<()>;
    /// Finds a user by UPN (case-insensitive).
    fn user_by_upn(&self, upn: &str) -> StoreResult<Option<UserRecord>>;
    /// Finds a user by id.
    fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>>;
    /// One page of users ordered by UPN, optionally filtered by a substring of UPN or name.
    fn list_users(
        &self,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<UserRecord>>;
    /// Stores the failure counters.
    fn set_counters(&self, id: &str, c: Counters) -> StoreResult<()>;
    /// Records an accepted TOTP step (and confirms the authenticator on first use).
    fn record_code(&self, id: &str, step: u64, at: Time) -> StoreResult<()>;
    /// Records a successful sign-in.
    fn record_sign_in(&self, id: &str, at: Time) -> StoreResult<()>;
    /// Stores a new sealed TOTP secret (enrolment), unconfirmed until its first code.
    fn set_totp_sealed(&self, id: &str, sealed: &[u8]) -> StoreResult<()>;
    /// Replaces the password hash (an administrator's reset).
    fn set_password_hash(&self, id: &str, hash: &str) -> StoreResult<()>;
    /// Enables or disables an account.
    fn set_enabled(&self, id: &str, enabled: bool) -> StoreResult<()>;
    /// Ends every session of a user but the one whose hash is `keep`; returns how many ended.
    fn delete_sessions_of(&self, user_id: &str, keep: Option<&str>) -> StoreResult<usize>;
    /// Accounts whose TOTP secret is sealed.
    fn sealed_count(&self) -> StoreResult<i64>;
    /// Number of users.
    fn user_count(&self) -> StoreResult<i64>;
    /// Saves a session (only the token's hash).
    fn insert_session(
        &self,
        token_hash: &str,
        user_id: &str,
        created: Time,
        expires: Time,
    ) -> StoreResult<()>;
    /// The user of an unexpired session, with its expiry. A session made "in the future" (under a
    /// clock that was ahead and has since been put right) is not honoured: its lifetime would
    /// stretch by however far the clock was wrong.
    fn session(&self, token_hash: &str, now: Time) -> StoreResult<Option<(String, Time)>>;
    /// Ends a session. Returns whether it existed.
    fn delete_session(&self, token_hash: &str) -> StoreResult<bool>;
    /// Forgets expired sessions.
    fn purge_sessions(&self, now: Time) -> StoreResult<()>;
    /// Adds a group: its principal row (disabled, with no usable password) and its own row.
    fn insert_group(&self, g: &GroupRecord, created_by: Option<&str>) -> StoreResult<()>;
    /// A group by name (any case) or object id.
    fn resolve_group(&self, name: &str) -> StoreResult<Option<GroupRecord>>;
    /// A group by object id.
    fn group(&self, id: &str) -> StoreResult<Option<GroupRecord>>;
    /// Whether a new group may not take this name: a principal (user, or group: its name is its
    /// `upn`) or a role already answers to it.
    fn group_name_taken(&self, name: &str) -> StoreResult<bool>;
    /// Every group by name, with how many hold its access at `now`.
    fn list_groups(&self, now: Time) -> StoreResult<Vec<GroupSummary>>;
    /// How many groups there are.
    fn group_count(&self) -> StoreResult<i64>;
}

/// Roles, their settings, and users' saved activation bundles.
pub trait Catalogue {
    /// Adds a role.
    fn insert_role(&self, role: &Role) -> StoreResult<()>;
    /// Every directory role, by name (not the groups' member and owner entries).
    fn roles(&self) -> StoreResult<Vec<Role>>;
    /// A role by template id.
    fn role(&self, id: &str) -> StoreResult<Option<Role>>;
    /// A role named by display name (any case), template id or slug. A group's member or owner
    /// entry answers to its id only: by name, groups are named through `pim groups`.
    fn resolve_role(&self, name: &str) -> StoreResult<Option<Role>>;
    /// A group's member or owner entry.
    fn role_of_group(&self, group_id: &str, access: Access) -> StoreResult<Option<Role>>;
    /// Loads a role's settings.
    fn load_settings(&self, role_id: &str) -> StoreResult<StoredSettings>;
    /// Writes a role's settings (all fields, approvers and the nine notification rows).
    fn save_settings(
        &self,
        role_id: &str,
        s: &RoleSettings,
        updated_by: Option<&str>,
        at: Option<Time>,
    ) -> StoreResult<()>;
    /// Saves (or replaces) a bundle of `user_id`'s.
    fn save_bundle(&self, user_id: &str, b: &Bundle) -> StoreResult<()>;
    /// One bundle of `user_id`'s by name (case-insensitive).
    fn bundle(&self, user_id: &str, name: &str) -> StoreResult<Option<Bundle>>;
    /// Every bundle of `user_id`'s, by name.
    fn bundles(&self, user_id: &str) -> StoreResult<Vec<Bundle>>;
    /// How many bundles `user_id` has.
    fn bundle_count(&self, user_id: &str) -> StoreResult<i64>;
    /// Deletes a bundle; whether there was one.
    fn delete_bundle(&self, user_id: &str, name: &str) -> StoreResult<bool>;
}

/// Assignments: eligible and active, assigned and activated, current and ended.
pub trait Assignments {
    /// Adds an assignment.
    fn insert_assignment(&self, a: &Assignment, request_id: Option<&str>) -> StoreResult<()>;
    /// An assignment by id.
    fn assignment(&self, id: &str) -> StoreResult<Option<Assignment>>;
    /// The principal's not-ended assignment of one kind for a role. It may already be past its end
    /// if no sweep has run; callers check `is_current(now)`.
    fn open_of_kind(
        &self,
        principal_id: &str,
        role_id: &str,
        kind: AssignmentKind,
    ) -> StoreResult<Option<Assignment>>;
    /// Marks an assignment ended. Returns false if it had already ended (another terminal won).
    fn end_assignment(&self, id: &str, at: Time, reason: EndReason) -> StoreResult<bool>;
    /// Changes the type and end of an assignment in place, at `now`. A new end re-arms the
    /// expiry reminders whose threshold is still ahead; those already behind count as sent.
    fn update_window(
        &self,
        id: &str,
        kind: AssignmentKind,
        end: Option<Time>,
        justification: Option<&str>,
        now: Time,
    ) -> StoreResult<()>;
    /// Not-ended assignments whose end has passed: the sweep's work list, oldest end first.
    fn due_for_expiry(&self, now: Time, limit: i64) -> StoreResult<Vec<AssignmentRow>>;
    /// Whether any assignment is past its end or due a reminder (`leads`: each reminder's lead in
    /// seconds and its column), in one statement on the partial indexes that hold exactly those:
    /// the same conditions as [`due_for_expiry`] and [`due_reminders`] without reading a row, so a
    /// command with nothing due pays one lookup per index.
    fn any_assignment_due(&self, now: Time, leads: [(i64, &str); 2]) -> StoreResult<bool>;
    /// Not-ended activations made from an eligibility.
    fn activations_from(&self, eligibility_id: &str) -> StoreResult<Vec<Assignment>>;
    /// Everyone holding one of `role_ids` live at `now`, once each, by UPN.
    fn holders(&self, role_ids: &[&str], now: Time) -> StoreResult<Vec<Principal>>;
    /// Role ids the principal holds live (active, either origin) at `now`.
    fn active_role_ids(&self, principal_id: &str, now: Time) -> StoreResult<Vec<String>>;
    /// The roles a principal holds current (not ended, not past their end) assignments of `kind`
    /// for.
    fn current_role_ids(
        &self,
        principal_id: &str,
        kind: AssignmentKind,
        now: Time,
    ) -> StoreResult<Vec<String>>;
    /// The live, permanent, active (admin-assigned) assignments of a role held by enabled
    /// accounts, as (assignment id, principal id): what keeps a tenant administrable.
    fn permanent_active_holders(
        &self,
        role_id: &str,
        now: Time,
    ) -> StoreResult<Vec<(String, String)>>;
    /// Calls `each` for every assignment that has not ended, oldest first, streaming (the whole
    /// table is never in memory).
    fn for_each_current(
        &self,
        each: &mut dyn FnMut(Assignment) -> StoreResult<()>,
    ) -> StoreResult<()>;
    /// Every current assignment's audited state (see [`crate::audit::state`]) by id, in the
    /// table's own order (no index to follow, no sort, only the columns the state holds): for a
    /// pass that looks at each once and keeps them by id.
    fn for_each_current_state(
        &self,
        each: &mut dyn FnMut(String, crate::audit::state::AssignmentState),
    ) -> StoreResult<()>;
    /// Lists assignments with role and principal names, newest first, one page.
    fn list_assignments(
        &self,
        f: &assignments::Filter<'_>,
        now: Time,
    ) -> StoreResult<Vec<AssignmentRow>>;
    /// How many assignments a [`Filter`] selects in all, its page aside.
    fn count_assignments(&self, f: &assignments::Filter<'_>, now: Time) -> StoreResult<i64>;
    /// Current (live or scheduled) assignments per role and kind: `(role_id, kind, count)`.
    fn current_counts(&self, now: Time) -> StoreResult<Vec<(String, String, i64)>>;
    /// The principal's most recently expired admin assignment of a role (optionally of one kind).
    fn latest_expired(
        &self,
        principal_id: &str,
        role_id: &str,
        kind: Option<AssignmentKind>,
    ) -> StoreResult<Option<Assignment>>;
    /// Admin assignments whose `lead`-before-the-end reminder is due at `now` and not yet sent
    /// (`column` is `reminded_14d` or `reminded_1d`), excluding those made already inside the
    /// window. Oldest threshold first.
    fn due_reminders(
        &self,
        column: &str,
        lead_secs: i64,
        now: Time,
        limit: i64,
    ) -> StoreResult<Vec<AssignmentRow>>;
    /// Records that a reminder was sent (once: only if it was not yet).
    fn mark_assignment_reminded(&self, id: &str, column: &str, at: Time) -> StoreResult<bool>;
    /// The request an assignment was made by.
    fn request_of(&self, id: &str) -> StoreResult<Option<String>>;
    /// The current role assignments (eligible and active) of every group the user is a live
    /// active member of, at `now`.
    fn through_groups(&self, user_id: &str, now: Time) -> StoreResult<Vec<ThroughGroup>>;
    /// A user's not-ended activations made from eligibilities of a group (the role assigned to the
    /// group as eligible, activated by the user as its member).
    fn activations_through_group(
        &self,
        user_id: &str,
        group_id: &str,
    ) -> StoreResult<Vec<AssignmentRow>>;
}

/// Requests: activations, assignments and their approvals.
pub trait Requests {
    /// Records a request.
    fn insert_request(&self, q: &Request) -> StoreResult<()>;
    /// A request by id.
    fn request(&self, id: &str) -> StoreResult<Option<Request>>;
    /// The ids starting with `prefix` (at most `limit`), for short ids typed by people.
    fn request_ids_with_prefix(&self, prefix: &str, limit: i64) -> StoreResult<Vec<String>>;
    /// Settles a pending request. Returns false when it was no longer pending (another terminal
    /// decided first).
    fn settle_request(
        &self,
        id: &str,
        status: RequestStatus,
        at: Time,
        decided_by: Option<&str>,
        reason: Option<&str>,
    ) -> StoreResult<bool>;
    /// Sets a request's status (scheduled activations cancelled before their start).
    fn set_request_status(&self, id: &str, status: RequestStatus, at: Time) -> StoreResult<()>;
    /// Pending requests whose 24 hours have run out.
    fn expired_pending(&self, now: Time) -> StoreResult<Vec<Request>>;
    /// Whether any pending request has passed its expiry (the sweep has work).
    fn any_expired_pending(&self, now: Time) -> StoreResult<bool>;
    /// The justifications a principal gave on its own requests, newest first (up to `limit`
    /// requests looked at).
    fn recent_justifications(&self, principal_id: &str, limit: i64) -> StoreResult<Vec<String>>;
    /// The pending request of a principal for a role and action family, if any.
    fn pending_for(
        &self,
        principal_id: &str,
        role_id: &str,
        actions: &[RequestAction],
    ) -> StoreResult<Option<Request>>;
    /// Requests, newest first.
    fn list_requests(&self, scope: Scope<'_>, limit: i64) -> StoreResult<Vec<Request>>;
    /// Links a request to the assignment it created.
    fn set_request_target(&self, id: &str, assignment_id: &str) -> StoreResult<()>;
}

/// Access reviews, their reviewers and their decisions.
pub trait Reviews {
    /// Stores a new review with its reviewers.
    fn insert_review(&self, r: &ReviewRow, reviewers: &[Principal]) -> StoreResult<()>;
    /// Stores one item.
    fn insert_review_item(
        &self,
        review_id: &str,
        assignment_id: &str,
        principal_id: &str,
        recommendation: (&str, &str),
    ) -> StoreResult<()>;
    /// Every review, newest first.
    fn list_reviews(&self) -> StoreResult<Vec<ReviewRow>>;
    /// The review with this id, or the only one whose id starts with it.
    fn find_reviews(&self, id: &str) -> StoreResult<Vec<ReviewRow>>;
    /// A review's reviewers, by UPN.
    fn reviewers(&self, review_id: &str) -> StoreResult<Vec<Principal>>;
    /// A review's items, by UPN.
    fn review_items(&self, review_id: &str) -> StoreResult<Vec<ItemRow>>;
    /// Records a decision on an undecided item; false when it was decided already.
    fn decide_review_item(
        &self,
        review_id: &str,
        assignment_id: &str,
        approve: bool,
        by: &str,
        at: Time,
        reason: &str,
    ) -> StoreResult<bool>;
    /// What the end did with an item.
    fn set_review_outcome(
        &self,
        review_id: &str,
        assignment_id: &str,
        outcome: &str,
    ) -> StoreResult<()>;
    /// Marks the halfway reminder sent (once).
    fn mark_review_reminded(&self, id: &str, at: Time) -> StoreResult<bool>;
    /// Marks a review ended and applied (once).
    fn mark_review_completed(&self, id: &str, at: Time) -> StoreResult<bool>;
    /// Open reviews whose end or halfway point has passed at `now`.
    fn due_reviews(&self, now: Time) -> StoreResult<Vec<ReviewRow>>;
    /// Whether any review is due (see [`due`]), on the index of open reviews.
    fn any_review_due(&self, now: Time) -> StoreResult<bool>;
    /// When a person last signed in, and when they last activated a role (for the recommendation).
    fn last_seen(
        &self,
        principal_id: &str,
        role_id: &str,
    ) -> StoreResult<(Option<Time>, Option<Time>)>;
    /// How many items of running reviews wait for `user_id`'s decision at `now` (the console's
    /// tab count, without loading the reviews).
    fn reviews_waiting_for(&self, user_id: &str, now: Time) -> StoreResult<i64>;
}

/// The outgoing mail: every e-mail pim sends, and each user's inbox.
pub trait Mail {
    /// The newest message's row number (0 with none), to find what a transaction queues.
    fn last_mail_rowid(&self) -> StoreResult<i64>;
    /// Recipient and subject of each message queued after row `rowid`, in order.
    fn queued_since(&self, rowid: i64) -> StoreResult<Vec<(String, String)>>;
    /// Queues a message.
    fn insert_email(&self, e: &Email) -> StoreResult<()>;
    /// One account's messages, newest first.
    fn inbox(&self, user_id: &str, unread_only: bool, limit: i64) -> StoreResult<Vec<Email>>;
    /// Unread messages of one account.
    fn unread_count(&self, user_id: &str) -> StoreResult<i64>;
    /// One message of an account (ids of other accounts' messages are not found).
    fn email_for(&self, user_id: &str, id: &str) -> StoreResult<Option<Email>>;
    /// Marks a message read.
    fn mark_read(&self, user_id: &str, id: &str, at: Time) -> StoreResult<()>;
    /// Messages oldest first, one page at a time (for export): every message, or one account's.
    fn mail_page(
        &self,
        recipient_id: Option<&str>,
        after_rowid: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Email)>>;
}

/// The audit log: appending to the hash chain, reading it, verifying it, and its anchor.
pub trait AuditLog {
    /// Appends an entry, chained to the newest one. Call inside the transaction of the change.
    /// Oversized text is clipped (see [`MAX_FIELD_CHARS`]) before it is hashed and stored.
    fn append_audit(&self, entry: AuditEntry, id: String) -> StoreResult<AuditRecord>;
    /// Starts a bulk append: until [`index_deferred_text`] in the same transaction, appended
    /// entries are not added to the text index one by one (see `0006_scale.sql`). Returns the
    /// number of the last entry before the bulk.
    fn defer_text_index(&self) -> StoreResult<i64>;
    /// Ends a bulk append: indexes the words of every entry after `after` in one statement.
    fn index_deferred_text(&self, after: i64) -> StoreResult<()>;
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

/// What the security alerts are computed from, their settings and dismissals.
pub trait Alerts {
    /// Gathers every fact the alerts need at `now`. The alerts whose items can be many (unused
    /// roles, stale accounts, permanent active assignments) are counted on their own indexes and
    /// listed as `listing` asks; nothing here reads every assignment.
    fn alert_facts(&self, now: Time, listing: Listing) -> StoreResult<AlertFacts>;
    /// An alert's stored settings (defaults when never changed).
    fn alert_config(&self, id: AlertId) -> StoreResult<AlertConfig>;
    /// Stores an alert's settings.
    fn set_alert_config(&self, id: AlertId, cfg: &AlertConfig) -> StoreResult<()>;
    /// The fingerprint of the affected items when the alert was dismissed.
    fn alert_dismissal(&self, id: AlertId) -> StoreResult<Option<String>>;
    /// Dismisses an alert for as long as its affected items stay the same.
    fn dismiss_alert(&self, id: AlertId, fingerprint: &str, at: Time, by: &str) -> StoreResult<()>;
}

// SQLite implements every repository with the statements in the modules beside this one.

impl<T: Sqlite + ?Sized> Tenancy for T {
    fn tenant(&self) -> StoreResult<Option<Tenant>> {
        tenant::get(self.sqlite())
    }
    fn insert_tenant(&self, t: &Tenant) -> StoreResult<()> {
        tenant::insert(self.sqlite(), t)
    }
    fn stored_clock_offset(&self) -> StoreResult<Option<i64>> {
        tenant::stored_clock_offset(self.sqlite())
    }
    fn set_clock_offset(&self, offset_secs: i64) -> StoreResult<()> {
        tenant::set_clock_offset(self.sqlite(), offset_secs)
    }
    fn set_licence(&self, licence: Licence) -> StoreResult<()> {
        tenant::set_licence(self.sqlite(), licence)
    }
    fn wipe_tenant(&self) -> StoreResult<()> {
        tenant::wipe(self.sqlite())
    }
    fn database_id(&self) -> StoreResult<String> {
        meta::database_id(self.sqlite())
    }
    fn set_database_id(&self, id: &str) -> StoreResult<()> {
        meta::set_database_id(self.sqlite(), id)
    }
    fn real_time_mark(&self) -> StoreResult<Option<Time>> {
        meta::real_time_mark(self.sqlite())
    }
    fn raise_real_time_mark(&self, real: Time) -> StoreResult<()> {
        meta::raise_real_time_mark(self.sqlite(), real)
    }
    fn set_real_time_mark(&self, real: Time) -> StoreResult<()> {
        meta::set_real_time_mark(self.sqlite(), real)
    }
}

impl<T: Sqlite + ?Sized> Directory for T {
    fn insert_user(&self, u: &UserRecord) -> StoreResult<()> {
        users::insert(self.sqlite(), u)
    }
    fn user_by_upn(&self, upn: &str) -> StoreResult<Option<UserRecord>> {
        users::by_upn(self.sqlite(), upn)
    }
    fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        users::by_id(self.sqlite(), id)
    }
    fn list_users(
        &self,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<UserRecord>> {
        users::list(self.sqlite(), search, limit, offset)
    }
    fn set_counters(&self, id: &str, c: Counters) -> StoreResult<()> {
        users::set_counters(self.sqlite(), id, c)
    }
    fn record_code(&self, id: &str, step: u64, at: Time) -> StoreResult<()> {
        users::record_code(self.sqlite(), id, step, at)
    }
    fn record_sign_in(&self, id: &str, at: Time) -> StoreResult<()> {
        users::record_sign_in(self.sqlite(), id, at)
    }
    fn set_totp_sealed(&self, id: &str, sealed: &[u8]) -> StoreResult<()> {
        users::set_totp_sealed(self.sqlite(), id, sealed)
    }
    fn set_password_hash(&self, id: &str, hash: &str) -> StoreResult<()> {
        users::set_password_hash(self.sqlite(), id, hash)
    }
    fn set_enabled(&self, id: &str, enabled: bool) -> StoreResult<()> {
        users::set_enabled(self.sqlite(), id, enabled)
    }
    fn delete_sessions_of(&self, user_id: &str, keep: Option<&str>) -> StoreResult<usize> {
        users::delete_sessions_of(self.sqlite(), user_id, keep)
    }
    fn sealed_count(&self) -> StoreResult<i64> {
        users::sealed_count(self.sqlite())
    }
    fn user_count(&self) -> StoreResult<i64> {
        users::count(self.sqlite())
    }
    fn insert_session(
        &self,
        token_hash: &str,
        user_id: &str,
        created: Time,
        expires: Time,
    ) -> StoreResult<()> {
        users::insert_session(self.sqlite(), token_hash, user_id, created, expires)
    }
    fn session(&self, token_hash: &str, now: Time) -> StoreResult<Option<(String, Time)>> {
        users::session(self.sqlite(), token_hash, now)
    }
    fn delete_session(&self, token_hash: &str) -> StoreResult<bool> {
        users::delete_session(self.sqlite(), token_hash)
    }
    fn purge_sessions(&self, now: Time) -> StoreResult<()> {
        users::purge_sessions(self.sqlite(), now)
    }
    fn insert_group(&self, g: &GroupRecord, created_by: Option<&str>) -> StoreResult<()> {
        groups::insert(self.sqlite(), g, created_by)
    }
    fn resolve_group(&self, name: &str) -> StoreResult<Option<GroupRecord>> {
        groups::resolve(self.sqlite(), name)
    }
    fn group(&self, id: &str) -> StoreResult<Option<GroupRecord>> {
        groups::get(self.sqlite(), id)
    }
    fn group_name_taken(&self, name: &str) -> StoreResult<bool> {
        groups::name_taken(self.sqlite(), name)
    }
    fn list_groups(&self, now: Time) -> StoreResult<Vec<GroupSummary>> {
        groups::list(self.sqlite(), now)
    }
    fn group_count(&self) -> StoreResult<i64> {
        groups::count(self.sqlite())
    }
}

impl<T: Sqlite + ?Sized> Catalogue for T {
    fn insert_role(&self, role: &Role) -> StoreResult<()> {
        roles::insert(self.sqlite(), role)
    }
    fn roles(&self) -> StoreResult<Vec<Role>> {
        roles::all(self.sqlite())
    }
    fn role(&self, id: &str) -> StoreResult<Option<Role>> {
        roles::get(self.sqlite(), id)
    }
    fn resolve_role(&self, name: &str) -> StoreResult<Option<Role>> {
        roles::resolve(self.sqlite(), name)
    }
    fn role_of_group(&self, group_id: &str, access: Access) -> StoreResult<Option<Role>> {
        roles::of_group(self.sqlite(), group_id, access)
    }
    fn load_settings(&self, role_id: &str) -> StoreResult<StoredSettings> {
        settings::load(self.sqlite(), role_id)
    }
    fn save_settings(
        &self,
        role_id: &str,
        s: &RoleSettings,
        updated_by: Option<&str>,
        at: Option<Time>,
    ) -> StoreResult<()> {
        settings::save(self.sqlite(), role_id, s, updated_by, at)
    }
    fn save_bundle(&self, user_id: &str, b: &Bundle) -> StoreResult<()> {
        bundles::save(self.sqlite(), user_id, b)
    }
    fn bundle(&self, user_id: &str, name: &str) -> StoreResult<Option<Bundle>> {
        bundles::get(self.sqlite(), user_id, name)
    }
    fn bundles(&self, user_id: &str) -> StoreResult<Vec<Bundle>> {
        bundles::list(self.sqlite(), user_id)
    }
    fn bundle_count(&self, user_id: &str) -> StoreResult<i64> {
        bundles::count(self.sqlite(), user_id)
    }
    fn delete_bundle(&self, user_id: &str, name: &str) -> StoreResult<bool> {
        bundles::delete(self.sqlite(), user_id, name)
    }
}

impl<T: Sqlite + ?Sized> Assignments for T {
    fn insert_assignment(&self, a: &Assignment, request_id: Option<&str>) -> StoreResult<()> {
        assignments::insert(self.sqlite(), a, request_id)
    }
    fn assignment(&self, id: &str) -> StoreResult<Option<Assignment>> {
        assignments::get(self.sqlite(), id)
    }
    fn open_of_kind(
        &self,
        principal_id: &str,
        role_id: &str,
        kind: AssignmentKind,
    ) -> StoreResult<Option<Assignment>> {
        assignments::open_of_kind(self.sqlite(), principal_id, role_id, kind)
    }
    fn end_assignment(&self, id: &str, at: Time, reason: EndReason) -> StoreResult<bool> {
        assignments::end(self.sqlite(), id, at, reason)
    }
    fn update_window(
        &self,
        id: &str,
        kind: AssignmentKind,
        end: Option<Time>,
        justification: Option<&str>,
        now: Time,
    ) -> StoreResult<()> {
        assignments::update_window(self.sqlite(), id, kind, end, justification, now)
    }
    fn due_for_expiry(&self, now: Time, limit: i64) -> StoreResult<Vec<AssignmentRow>> {
        assignments::due_for_expiry(self.sqlite(), now, limit)
    }
    fn any_assignment_due(&self, now: Time, leads: [(i64, &str); 2]) -> StoreResult<bool> {
        assignments::any_due(self.sqlite(), now, leads)
    }
    fn activations_from(&self, eligibility_id: &str) -> StoreResult<Vec<Assignment>> {
        assignments::activations_from(self.sqlite(), eligibility_id)
    }
    fn holders(&self, role_ids: &[&str], now: Time) -> StoreResult<Vec<Principal>> {
        assignments::holders(self.sqlite(), role_ids, now)
    }
    fn active_role_ids(&self, principal_id: &str, now: Time) -> StoreResult<Vec<String>> {
        assignments::active_role_ids(self.sqlite(), principal_id, now)
    }
    fn current_role_ids(
        &self,
        principal_id: &str,
        kind: AssignmentKind,
        now: Time,
    ) -> StoreResult<Vec<String>> {
        assignments::current_role_ids(self.sqlite(), principal_id, kind, now)
    }
    fn permanent_active_holders(
        &self,
        role_id: &str,
        now: Time,
    ) -> StoreResult<Vec<(String, String)>> {
        assignments::permanent_active_holders(self.sqlite(), role_id, now)
    }
    fn for_each_current(
        &self,
        each: &mut dyn FnMut(Assignment) -> StoreResult<()>,
    ) -> StoreResult<()> {
        assignments::for_each_current(self.sqlite(), each)
    }
    fn for_each_current_state(
        &self,
        each: &mut dyn FnMut(String, crate::audit::state::AssignmentState),
    ) -> StoreResult<()> {
        assignments::for_each_current_state(self.sqlite(), each)
    }
    fn list_assignments(
        &self,
        f: &assignments::Filter<'_>,
        now: Time,
    ) -> StoreResult<Vec<AssignmentRow>> {
        assignments::list(self.sqlite(), f, now)
    }
    fn count_assignments(&self, f: &assignments::Filter<'_>, now: Time) -> StoreResult<i64> {
        assignments::count(self.sqlite(), f, now)
    }
    fn current_counts(&self, now: Time) -> StoreResult<Vec<(String, String, i64)>> {
        assignments::current_counts(self.sqlite(), now)
    }
    fn latest_expired(
        &self,
        principal_id: &str,
        role_id: &str,
        kind: Option<AssignmentKind>,
    ) -> StoreResult<Option<Assignment>> {
        assignments::latest_expired(self.sqlite(), principal_id, role_id, kind)
    }
    fn due_reminders(
        &self,
        column: &str,
        lead_secs: i64,
        now: Time,
        limit: i64,
    ) -> StoreResult<Vec<AssignmentRow>> {
        assignments::due_reminders(self.sqlite(), column, lead_secs, now, limit)
    }
    fn mark_assignment_reminded(&self, id: &str, column: &str, at: Time) -> StoreResult<bool> {
        assignments::mark_reminded(self.sqlite(), id, column, at)
    }
    fn request_of(&self, id: &str) -> StoreResult<Option<String>> {
        assignments::request_of(self.sqlite(), id)
    }
    fn through_groups(&self, user_id: &str, now: Time) -> StoreResult<Vec<ThroughGroup>> {
        assignments::through_groups(self.sqlite(), user_id, now)
    }
    fn activations_through_group(
        &self,
        user_id: &str,
        group_id: &str,
    ) -> StoreResult<Vec<AssignmentRow>> {
        assignments::activations_through_group(self.sqlite(), user_id, group_id)
    }
}

impl<T: Sqlite + ?Sized> Requests for T {
    fn insert_request(&self, q: &Request) -> StoreResult<()> {
        requests::insert(self.sqlite(), q)
    }
    fn request(&self, id: &str) -> StoreResult<Option<Request>> {
        requests::get(self.sqlite(), id)
    }
    fn request_ids_with_prefix(&self, prefix: &str, limit: i64) -> StoreResult<Vec<String>> {
        requests::ids_with_prefix(self.sqlite(), prefix, limit)
    }
    fn settle_request(
        &self,
        id: &str,
        status: RequestStatus,
        at: Time,
        decided_by: Option<&str>,
        reason: Option<&str>,
    ) -> StoreResult<bool> {
        requests::settle(self.sqlite(), id, status, at, decided_by, reason)
    }
    fn set_request_status(&self, id: &str, status: RequestStatus, at: Time) -> StoreResult<()> {
        requests::set_status(self.sqlite(), id, status, at)
    }
    fn expired_pending(&self, now: Time) -> StoreResult<Vec<Request>> {
        requests::expired_pending(self.sqlite(), now)
    }
    fn any_expired_pending(&self, now: Time) -> StoreResult<bool> {
        requests::any_expired_pending(self.sqlite(), now)
    }
    fn recent_justifications(&self, principal_id: &str, limit: i64) -> StoreResult<Vec<String>> {
        requests::recent_justifications(self.sqlite(), principal_id, limit)
    }
    fn pending_for(
        &self,
        principal_id: &str,
        role_id: &str,
        actions: &[RequestAction],
    ) -> StoreResult<Option<Request>> {
        requests::pending_for(self.sqlite(), principal_id, role_id, actions)
    }
    fn list_requests(&self, scope: Scope<'_>, limit: i64) -> StoreResult<Vec<Request>> {
        requests::list(self.sqlite(), scope, limit)
    }
    fn set_request_target(&self, id: &str, assignment_id: &str) -> StoreResult<()> {
        requests::set_target(self.sqlite(), id, assignment_id)
    }
}

impl<T: Sqlite + ?Sized> Reviews for T {
    fn insert_review(&self, r: &ReviewRow, reviewers: &[Principal]) -> StoreResult<()> {
        reviews::insert(self.sqlite(), r, reviewers)
    }
    fn insert_review_item(
        &self,
        review_id: &str,
        assignment_id: &str,
        principal_id: &str,
        recommendation: (&str, &str),
    ) -> StoreResult<()> {
        reviews::insert_item(
            self.sqlite(),
            review_id,
            assignment_id,
            principal_id,
            recommendation,
        )
    }
    fn list_reviews(&self) -> StoreResult<Vec<ReviewRow>> {
        reviews::list(self.sqlite())
    }
    fn find_reviews(&self, id: &str) -> StoreResult<Vec<ReviewRow>> {
        reviews::find(self.sqlite(), id)
    }
    fn reviewers(&self, review_id: &str) -> StoreResult<Vec<Principal>> {
        reviews::reviewers(self.sqlite(), review_id)
    }
    fn review_items(&self, review_id: &str) -> StoreResult<Vec<ItemRow>> {
        reviews::items(self.sqlite(), review_id)
    }
    fn decide_review_item(
        &self,
        review_id: &str,
        assignment_id: &str,
        approve: bool,
        by: &str,
        at: Time,
        reason: &str,
    ) -> StoreResult<bool> {
        reviews::decide(
            self.sqlite(),
            review_id,
            assignment_id,
            approve,
            by,
            at,
            reason,
        )
    }
    fn set_review_outcome(
        &self,
        review_id: &str,
        assignment_id: &str,
        outcome: &str,
    ) -> StoreResult<()> {
        reviews::set_outcome(self.sqlite(), review_id, assignment_id, outcome)
    }
    fn mark_review_reminded(&self, id: &str, at: Time) -> StoreResult<bool> {
        reviews::mark_reminded(self.sqlite(), id, at)
    }
    fn mark_review_completed(&self, id: &str, at: Time) -> StoreResult<bool> {
        reviews::mark_completed(self.sqlite(), id, at)
    }
    fn due_reviews(&self, now: Time) -> StoreResult<Vec<ReviewRow>> {
        reviews::due(self.sqlite(), now)
    }
    fn any_review_due(&self, now: Time) -> StoreResult<bool> {
        reviews::any_due(self.sqlite(), now)
    }
    fn last_seen(
        &self,
        principal_id: &str,
        role_id: &str,
    ) -> StoreResult<(Option<Time>, Option<Time>)> {
        reviews::last_seen(self.sqlite(), principal_id, role_id)
    }
    fn reviews_waiting_for(&self, user_id: &str, now: Time) -> StoreResult<i64> {
        reviews::waiting_for(self.sqlite(), user_id, now)
    }
}

impl<T: Sqlite + ?Sized> Mail for T {
    fn last_mail_rowid(&self) -> StoreResult<i64> {
        mail::last_rowid(self.sqlite())
    }
    fn queued_since(&self, rowid: i64) -> StoreResult<Vec<(String, String)>> {
        mail::queued_since(self.sqlite(), rowid)
    }
    fn insert_email(&self, e: &Email) -> StoreResult<()> {
        mail::insert(self.sqlite(), e)
    }
    fn inbox(&self, user_id: &str, unread_only: bool, limit: i64) -> StoreResult<Vec<Email>> {
        mail::inbox(self.sqlite(), user_id, unread_only, limit)
    }
    fn unread_count(&self, user_id: &str) -> StoreResult<i64> {
        mail::unread_count(self.sqlite(), user_id)
    }
    fn email_for(&self, user_id: &str, id: &str) -> StoreResult<Option<Email>> {
        mail::get_for(self.sqlite(), user_id, id)
    }
    fn mark_read(&self, user_id: &str, id: &str, at: Time) -> StoreResult<()> {
        mail::mark_read(self.sqlite(), user_id, id, at)
    }
    fn mail_page(
        &self,
        recipient_id: Option<&str>,
        after_rowid: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Email)>> {
        mail::page(self.sqlite(), recipient_id, after_rowid, limit)
    }
}

impl<T: Sqlite + ?Sized> AuditLog for T {
    fn append_audit(&self, entry: AuditEntry, id: String) -> StoreResult<AuditRecord> {
        audit::append(self.sqlite(), entry, id)
    }
    fn defer_text_index(&self) -> StoreResult<i64> {
        audit::defer_text_index(self.sqlite())
    }
    fn index_deferred_text(&self, after: i64) -> StoreResult<()> {
        audit::index_deferred_text(self.sqlite(), after)
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

impl<T: Sqlite + ?Sized> Alerts for T {
    fn alert_facts(&self, now: Time, listing: Listing) -> StoreResult<AlertFacts> {
        alerts::facts(self.sqlite(), now, listing)
    }
    fn alert_config(&self, id: AlertId) -> StoreResult<AlertConfig> {
        alerts::config(self.sqlite(), id)
    }
    fn set_alert_config(&self, id: AlertId, cfg: &AlertConfig) -> StoreResult<()> {
        alerts::set_config(self.sqlite(), id, cfg)
    }
    fn alert_dismissal(&self, id: AlertId) -> StoreResult<Option<String>> {
        alerts::dismissal(self.sqlite(), id)
    }
    fn dismiss_alert(&self, id: AlertId, fingerprint: &str, at: Time, by: &str) -> StoreResult<()> {
        alerts::dismiss(self.sqlite(), id, fingerprint, at, by)
    }
}

/// The repository traits, to call their methods on a `&dyn Repos` or a [`Tx`].
pub mod prelude {
    pub use super::{
        Alerts as _, Assignments as _, AuditLog as _, Catalogue as _, Directory as _, Mail as _,
        Repos, Requests as _, Reviews as _, Tenancy as _,
    };
}
