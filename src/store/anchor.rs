//! The anchor file beside the database (`lab.db.anchor`): the head of the audit log as last
//! written, replaced atomically after each change, 0600. See `audit::anchor` for what it
//! proves.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{StoreError, StoreResult, audit, files};
use crate::audit::anchor::{Anchor, AnchorState, Observed, assess};

/// The anchor file of the database at `db`.
pub fn anchor_path(db: &Path) -> PathBuf {
    super::companion(db, ".anchor")
}

/// Reads the anchor file: `Ok(None)` when there is none, `Ok(Err(()))` when it is not one.
pub fn read(path: &Path) -> StoreResult<Result<Option<Anchor>, ()>> {
    if files::check_file(path)?.is_none() {
        return Ok(Ok(None));
    }
    let text = fs::read_to_string(path).map_err(|source| StoreError::Io {
        context: format!("reading {}", path.display()),
        source,
    })?;
    Ok(Anchor::from_text(&text).map(Some).ok_or(()))
}

/// Replaces the anchor file atomically.
pub fn write(path: &Path, anchor: &Anchor) -> StoreResult<()> {
    files::write_atomic_private(path, anchor.to_text().as_bytes())
}

/// What the log holds, seen through `conn`, for judging it against `anchor`.
pub fn observe(
    conn: &Connection,
    database_id: &str,
    anchor: Option<&Anchor>,
) -> StoreResult<Observed> {
    let at_anchor = match anchor {
        Some(a) => audit::hash_at(conn, a.seq)?,
        None => None,
    };
    Ok(Observed {
        database_id: database_id.to_owned(),
        head: audit::head(conn)?,
        at_anchor,
        has_tenant: super::tenant::get(conn)?.is_some(),
    })
}

/// The log judged against its anchor file, and the anchor as read. The file is read before
/// the database, so the snapshot the first query takes includes every commit the anchor
/// speaks of (anchors are written only after their commit).
pub fn state(
    conn: &Connection,
    path: &Path,
    database_id: &str,
) -> StoreResult<(AnchorState, Option<Anchor>)> {
    judge(conn, read(path)?, database_id)
}

/// Judges the log against an anchor file read earlier (before the transaction's first query).
pub fn judge(
    conn: &Connection,
    read: Result<Option<Anchor>, ()>,
    database_id: &str,
) -> StoreResult<(AnchorState, Option<Anchor>)> {
    let anchor = read.as_ref().ok().and_then(Option::as_ref);
    let seen = observe(conn, database_id, anchor)?;
    let judged = read.as_ref().map(Option::as_ref).map_err(|_| ());
    Ok((assess(judged, &seen), anchor.cloned()))
}
