//! Saved role bundles: several roles an account activates together (`pim bundle`).

use super::sql::{Conn, Row, args};
use chrono::TimeDelta;

use super::convert::{secs, time};
use super::{StoreError, StoreResult};
use crate::clock::Time;

/// A saved bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// Its name, unique per account (case-insensitive).
    pub name: String,
    /// The roles' ids, in the order they were named.
    pub role_ids: Vec<String>,
    /// The duration used when `--for` is not given.
    pub duration: Option<TimeDelta>,
    /// The reason used when `--reason` is not given.
    pub justification: Option<String>,
    /// When it was saved (policy time).
    pub saved_at: Time,
}

/// A stored row: name, role ids (JSON), duration, justification, saved at.
type Stored = (String, String, Option<i64>, Option<String>, i64);

fn row(r: &Row<'_>) -> StoreResult<Stored> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn bundle((name, ids, duration, justification, saved): Stored) -> StoreResult<Bundle> {
    let role_ids: Vec<String> = serde_json::from_str(&ids)
        .map_err(|_| StoreError::Corrupt(format!("bundle '{name}' has a damaged role list")))?;
    Ok(Bundle {
        name,
        role_ids,
        duration: duration.map(TimeDelta::seconds),
        justification,
        saved_at: time(saved),
    })
}

const COLUMNS: &str = "name, role_ids, duration_secs, justification, saved_at";

/// Saves (or replaces) a bundle of `user_id`'s.
pub fn save(conn: Conn<'_>, user_id: &str, b: &Bundle) -> StoreResult<()> {
    let ids = serde_json::to_string(&b.role_ids)
        .map_err(|e| StoreError::Corrupt(format!("bundle '{}': {e}", b.name)))?;
    conn.exec(
        "INSERT INTO bundles (user_id, name, role_ids, duration_secs, justification, saved_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (user_id, name) DO UPDATE SET name = excluded.name,
             role_ids = excluded.role_ids, duration_secs = excluded.duration_secs,
             justification = excluded.justification, saved_at = excluded.saved_at",
        args![
            user_id,
            b.name,
            ids,
            b.duration.map(|d| d.num_seconds()),
            b.justification,
            secs(b.saved_at)
        ],
    )?;
    Ok(())
}

/// One bundle of `user_id`'s by name (case-insensitive).
pub fn get(conn: Conn<'_>, user_id: &str, name: &str) -> StoreResult<Option<Bundle>> {
    conn.row(
        &format!("SELECT {COLUMNS} FROM bundles WHERE user_id = ?1 AND name = ?2"),
        args![user_id, name],
        row,
    )?
    .map(bundle)
    .transpose()
}

/// Every bundle of `user_id`'s, by name.
pub fn list(conn: Conn<'_>, user_id: &str) -> StoreResult<Vec<Bundle>> {
    let rows = conn.rows(
        &format!("SELECT {COLUMNS} FROM bundles WHERE user_id = ?1 ORDER BY name COLLATE NOCASE"),
        args![user_id],
        row,
    )?;
    rows.into_iter().map(bundle).collect()
}

/// How many bundles `user_id` has.
pub fn count(conn: Conn<'_>, user_id: &str) -> StoreResult<i64> {
    conn.one(
        "SELECT count(*) FROM bundles WHERE user_id = ?1",
        args![user_id],
        |r| r.get(0),
    )
}

/// Deletes a bundle; whether there was one.
pub fn delete(conn: Conn<'_>, user_id: &str, name: &str) -> StoreResult<bool> {
    Ok(conn.exec(
        "DELETE FROM bundles WHERE user_id = ?1 AND name = ?2",
        args![user_id, name],
    )? > 0)
}
