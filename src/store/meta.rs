//! Facts about the database file itself: its identity (which anchor and key belong to it) and
//! the newest real time any command has seen (to notice a clock that went back).

use super::sql::{Conn, args};

use super::{StoreError, StoreResult};
use crate::clock::{Time, from_unix, to_unix};

/// The database's identity, made when it was created (or upgraded to schema version 3).
pub fn database_id(conn: Conn<'_>) -> StoreResult<String> {
    get(conn, "database_id")?
        .filter(|id| !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| StoreError::Corrupt("the database has no valid identity".into()))
}

/// Gives the database an identity (a restored older backup takes the identity of the
/// database it replaces).
pub fn set_database_id(conn: Conn<'_>, id: &str) -> StoreResult<()> {
    conn.exec(
        "INSERT INTO meta (key, value) VALUES ('database_id', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![id],
    )?;
    Ok(())
}

/// The newest real time any command recorded, if any.
pub fn real_time_mark(conn: Conn<'_>) -> StoreResult<Option<Time>> {
    Ok(get(conn, "real_time_mark")?
        .and_then(|v| v.parse::<i64>().ok())
        .map(from_unix))
}

/// Raises the real-time mark to `real` (never lowers it).
pub fn raise_real_time_mark(conn: Conn<'_>, real: Time) -> StoreResult<()> {
    conn.exec(
        "INSERT INTO meta (key, value) VALUES ('real_time_mark', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value
         WHERE CAST(meta.value AS INTEGER) < CAST(excluded.value AS INTEGER)",
        args![to_unix(real).to_string()],
    )?;
    Ok(())
}

/// Puts the real-time mark at `real` (the database owner accepting a clock that went back).
pub fn set_real_time_mark(conn: Conn<'_>, real: Time) -> StoreResult<()> {
    conn.exec(
        "INSERT INTO meta (key, value) VALUES ('real_time_mark', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![to_unix(real).to_string()],
    )?;
    Ok(())
}

fn get(conn: Conn<'_>, key: &str) -> StoreResult<Option<String>> {
    conn.row("SELECT value FROM meta WHERE key = ?1", args![key], |r| {
        r.get(0)
    })
}
