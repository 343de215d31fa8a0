//! Users, their MFA state and failure counters, and sign-in sessions (token hashes only).

use super::sql::{Conn, Row, args};

use super::StoreResult;
use super::convert::{opt_secs, opt_time, secs, time};
use crate::auth::lockout::Counters;
use crate::clock::Time;
use crate::policy::model::Principal;

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Id, UPN, display name.
    pub principal: Principal,
    /// Disabled accounts cannot sign in.
    pub enabled: bool,
    /// argon2id PHC string.
    pub password_hash: String,
    /// The base32 TOTP secret, sealed with the database's key (see `store::keys`); `None`
    /// until an authenticator is set up.
    pub totp_sealed: Option<Vec<u8>>,
    /// When the first code was accepted (the authenticator is confirmed).
    pub mfa_registered_at: Option<Time>,
    /// The newest TOTP step accepted; older or equal steps are replays.
    pub totp_last_step: Option<u64>,
    /// Failure counters (real time).
    pub counters: Counters,
    /// Last successful sign-in (policy time).
    pub last_sign_in: Option<Time>,
    /// Creation time (policy time).
    pub created_at: Time,
}

impl UserRecord {
    /// A new, enabled account that has never signed in, with its sealed authenticator secret
    /// (registered at `registered` when the secret was handed over already confirmed).
    pub fn new_account(
        principal: Principal,
        password_hash: String,
        totp_sealed: Vec<u8>,
        registered: Option<Time>,
        created_at: Time,
    ) -> Self {
        Self {
            principal,
            enabled: true,
            password_hash,
            totp_sealed: Some(totp_sealed),
            mfa_registered_at: registered,
            totp_last_step: None,
            counters: Counters::default(),
            last_sign_in: None,
            created_at,
        }
    }
}

const COLUMNS: &str =
    "id, upn, display_name, enabled, password_hash, totp_sealed, mfa_registered_at,
    totp_last_step, failed_attempts, locked_until, last_sign_in, created_at, lockouts";

fn from_row(r: &Row<'_>) -> StoreResult<UserRecord> {
    let last_step: Option<i64> = r.get(7)?;
    let failures: i64 = r.get(8)?;
    let lockouts: i64 = r.get(12)?;
    Ok(UserRecord {
        principal: Principal {
            id: r.get(0)?,
            upn: r.get(1)?,
            display_name: r.get(2)?,
        },
        enabled: r.get(3)?,
        password_hash: r.get(4)?,
        totp_sealed: r.get(5)?,
        mfa_registered_at: opt_time(r.get(6)?),
        totp_last_step: last_step.and_then(|s| u64::try_from(s).ok()),
        counters: Counters {
            failures: u32::try_from(failures).unwrap_or(u32::MAX),
            locked_until: opt_time(r.get(9)?),
            lockouts: u32::try_from(lockouts).unwrap_or(u32::MAX),
        },
        last_sign_in: opt_time(r.get(10)?),
        created_at: time(r.get(11)?),
    })
}

/// Adds a user.
pub fn insert(conn: Conn<'_>, u: &UserRecord) -> StoreResult<()> {
    conn.exec("INSERT INTO users (id, upn, display_name, enabled, password_hash, totp_sealed, mfa_registered_at,
             totp_last_step, failed_attempts, locked_until, last_sign_in, created_at, lockouts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", args![
            u.principal.id,
            u.principal.upn,
            u.principal.display_name,
            u.enabled,
            u.password_hash,
            u.totp_sealed,
            opt_secs(u.mfa_registered_at),
            u.totp_last_step.and_then(|s| i64::try_from(s).ok()),
            u.counters.failures,
            opt_secs(u.counters.locked_until),
            opt_secs(u.last_sign_in),
            secs(u.created_at),
            u.counters.lockouts
        ])?;
    Ok(())
}

/// Finds a user by UPN (case-insensitive).
pub fn by_upn(conn: Conn<'_>, upn: &str) -> StoreResult<Option<UserRecord>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users WHERE upn = ?1 COLLATE NOCASE AND object_type = 'user'"
    );
    conn.row(&sql, args![upn.trim()], from_row)
}

/// Finds a user by id.
pub fn by_id(conn: Conn<'_>, id: &str) -> StoreResult<Option<UserRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = ?1 AND object_type = 'user'");
    conn.row(&sql, args![id], from_row)
}

/// One page of users ordered by UPN, optionally filtered by a substring of UPN or name.
pub fn list(
    conn: Conn<'_>,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<UserRecord>> {
    let pattern = search.map(like_pattern);
    let sql = format!(
        "SELECT {COLUMNS} FROM users
         WHERE object_type = 'user' AND (CAST(?1 AS TEXT) IS NULL OR upn LIKE ?1 ESCAPE '\\' OR display_name LIKE ?1 ESCAPE '\\')
         ORDER BY upn COLLATE NOCASE LIMIT ?2 OFFSET ?3"
    );
    conn.rows(&sql, args![pattern, limit, offset], from_row)
}

/// `%text%` with LIKE's own wildcards escaped, so `%` and `_` match literally.
pub fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Stores the failure counters.
pub fn set_counters(conn: Conn<'_>, id: &str, c: Counters) -> StoreResult<()> {
    conn.exec(
        "UPDATE users SET failed_attempts = ?2, locked_until = ?3, lockouts = ?4 WHERE id = ?1",
        args![id, c.failures, opt_secs(c.locked_until), c.lockouts],
    )?;
    Ok(())
}

/// Records an accepted TOTP step (and confirms the authenticator on first use).
pub fn record_code(conn: Conn<'_>, id: &str, step: u64, at: Time) -> StoreResult<()> {
    conn.exec(
        "UPDATE users SET totp_last_step = ?2, mfa_registered_at = coalesce(mfa_registered_at, ?3),
             failed_attempts = 0
         WHERE id = ?1",
        args![id, i64::try_from(step).unwrap_or(i64::MAX), secs(at)],
    )?;
    Ok(())
}

/// Records a successful sign-in.
pub fn record_sign_in(conn: Conn<'_>, id: &str, at: Time) -> StoreResult<()> {
    conn.exec(
        "UPDATE users SET last_sign_in = ?2, failed_attempts = 0, locked_until = NULL, lockouts = 0
         WHERE id = ?1",
        args![id, secs(at)],
    )?;
    Ok(())
}

/// Stores a new sealed TOTP secret (enrolment), unconfirmed until its first code.
pub fn set_totp_sealed(conn: Conn<'_>, id: &str, sealed: &[u8]) -> StoreResult<()> {
    conn.exec(
        "UPDATE users SET totp_sealed = ?2, totp_secret = NULL, mfa_registered_at = NULL,
             totp_last_step = NULL
         WHERE id = ?1",
        args![id, sealed],
    )?;
    Ok(())
}

/// Replaces the password hash (an administrator's reset).
pub fn set_password_hash(conn: Conn<'_>, id: &str, hash: &str) -> StoreResult<()> {
    conn.exec(
        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
        args![id, hash],
    )?;
    Ok(())
}

/// Enables or disables an account.
pub fn set_enabled(conn: Conn<'_>, id: &str, enabled: bool) -> StoreResult<()> {
    conn.exec(
        "UPDATE users SET enabled = ?2 WHERE id = ?1",
        args![id, enabled],
    )?;
    Ok(())
}

/// Ends every session of a user but the one whose hash is `keep`; returns how many ended.
pub fn delete_sessions_of(conn: Conn<'_>, user_id: &str, keep: Option<&str>) -> StoreResult<usize> {
    conn.exec(
        "DELETE FROM sessions WHERE user_id = ?1 AND token_hash IS DISTINCT FROM ?2",
        args![user_id, keep],
    )
}

/// Accounts whose TOTP secret is sealed.
pub fn sealed_count(conn: Conn<'_>) -> StoreResult<i64> {
    conn.one(
        "SELECT count(*) FROM users WHERE totp_sealed IS NOT NULL",
        args![],
        |r| r.get(0),
    )
}

/// Number of users.
pub fn count(conn: Conn<'_>) -> StoreResult<i64> {
    conn.one(
        "SELECT count(*) FROM users WHERE object_type = 'user'",
        args![],
        |r| r.get(0),
    )
}

/// Saves a session (only the token's hash).
pub fn insert_session(
    conn: Conn<'_>,
    token_hash: &str,
    user_id: &str,
    created: Time,
    expires: Time,
) -> StoreResult<()> {
    conn.exec("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)", args![token_hash, user_id, secs(created), secs(expires)])?;
    Ok(())
}

/// The user of an unexpired session, with its expiry. A session made "in the future" (under a
/// clock that was ahead and has since been put right) is not honoured: its lifetime would
/// stretch by however far the clock was wrong.
pub fn session(conn: Conn<'_>, token_hash: &str, now: Time) -> StoreResult<Option<(String, Time)>> {
    conn.row(
        "SELECT user_id, expires_at FROM sessions
             WHERE token_hash = ?1 AND expires_at > ?2 AND created_at <= ?2 + 300",
        args![token_hash, secs(now)],
        |r| Ok((r.get(0)?, time(r.get(1)?))),
    )
}

/// Ends a session. Returns whether it existed.
pub fn delete_session(conn: Conn<'_>, token_hash: &str) -> StoreResult<bool> {
    Ok(conn.exec(
        "DELETE FROM sessions WHERE token_hash = ?1",
        args![token_hash],
    )? > 0)
}

/// Forgets expired sessions.
pub fn purge_sessions(conn: Conn<'_>, now: Time) -> StoreResult<()> {
    conn.exec(
        "DELETE FROM sessions WHERE expires_at <= ?1",
        args![secs(now)],
    )?;
    Ok(())
}
