//! Principals: users (with their sign-in state and sessions) and groups.

use super::Sqlite;
use crate::auth::lockout::Counters;
use crate::clock::Time;
use crate::store::StoreResult;
use crate::store::groups::{self, GroupRecord, GroupSummary};
use crate::store::users::{self, UserRecord};

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
