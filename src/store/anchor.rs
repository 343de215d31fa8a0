//! The anchor file beside the database (`lab.db.anchor`): the head of the audit log as last
//! written, replaced atomically after each change, 0600. See `audit::anchor` for what it
//! proves.

use std::fs;
use std::path::{Path, PathBuf};

use super::sql::Conn;

use super::{StoreError, StoreResult, audit, files};
use crate::audit::anchor::{Anchor, AnchorState, Observed, assess};

/// The anchor file of the database at `db`.
pub fn anchor_path(db: &Path) -> PathBuf {
    super::companion(db, ".anchor")
}

/// Bytes per slot of the anchor file. The file holds two slots, each an anchor's text, a check
/// line and padding; a change rewrites one slot in place, so a write torn by a crash spoils
/// at most that slot and the other still reads.
const SLOT: usize = 512;

fn check_line(text: &str) -> String {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes());
    format!("check {}\n", &crate::auth::session::hex(&digest)[..16])
}

/// One slot's bytes: the anchor, its check line, padding.
fn slot(anchor: &Anchor) -> Vec<u8> {
    let text = anchor.to_text();
    let mut out = format!("{text}{}", check_line(&text)).into_bytes();
    out.resize(SLOT, b'\n');
    out
}

/// The anchor in a slot, if the slot is whole.
fn read_slot(bytes: &[u8]) -> Option<Anchor> {
    let text = std::str::from_utf8(bytes).ok()?;
    let at = text.find("check ")?;
    let (body, rest) = text.split_at(at);
    let line = rest.split_inclusive('\n').next()?;
    (line == check_line(body)).then(|| Anchor::from_text(body))?
}

/// Reads the anchor file: `Ok(None)` when there is none, `Ok(Err(()))` when it is not one.
/// Of a two-slot file, the newer whole slot; a file of one anchor's text (as earlier versions
/// wrote it) reads too.
pub fn read(path: &Path) -> StoreResult<Result<Option<Anchor>, ()>> {
    if files::check_file(path)?.is_none() {
        return Ok(Ok(None));
    }
    let bytes = fs::read(path).map_err(|source| StoreError::Io {
        context: format!("reading {}", path.display()),
        source,
    })?;
    if bytes.len() == 2 * SLOT {
        let newest = bytes
            .chunks(SLOT)
            .filter_map(read_slot)
            .max_by_key(|a| a.seq);
        return Ok(newest.map(Some).ok_or(()));
    }
    let text = String::from_utf8_lossy(&bytes);
    Ok(Anchor::from_text(&text).map(Some).ok_or(()))
}

/// Moves the anchor: rewrites slot `seq % 2` in place, without syncing. The database commit it
/// follows is already durable, and an anchor a crash takes back is an anchor behind its log,
/// which is what a crash between commit and anchor leaves anyway; the other slot stays whole.
/// A missing file, one in the older one-anchor form, and an anchor that moves back (a restore,
/// a re-anchor) or to another database are written whole, atomically and durably.
pub fn write(path: &Path, anchor: &Anchor) -> StoreResult<()> {
    let current = files::check_file(path)?;
    let forward = || -> StoreResult<bool> {
        Ok(matches!(read(path)?, Ok(Some(now))
            if now.database_id == anchor.database_id && now.seq <= anchor.seq))
    };
    if current.is_none_or(|m| m.len() != 2 * SLOT as u64) || !forward()? {
        let mut both = slot(anchor);
        both.extend(slot(anchor));
        return files::write_atomic_private(path, &both);
    }
    let offset = if anchor.seq % 2 == 0 { 0 } else { SLOT as u64 };
    files::write_in_place(path, offset, &slot(anchor))
}

/// Moves the anchor forward to `anchor` once its commit is durable, without the write lock: an
/// anchor already at or past it (another terminal's later commit got there first), one of
/// another database, or a file that is not an anchor is left as it is. Terminals racing here
/// write different slots (by sequence number) and the newer whole slot is the one read, so at
/// worst the anchor is left behind the log, as a crash between commit and anchor leaves it.
pub fn advance(path: &Path, anchor: &Anchor) -> StoreResult<()> {
    match read(path)? {
        Ok(None) => write(path, anchor),
        Ok(Some(now)) if now.database_id == anchor.database_id && now.seq < anchor.seq => {
            write(path, anchor)
        }
        _ => Ok(()),
    }
}

/// What the log holds, seen through `conn`, for judging it against `anchor`.
pub fn observe(
    conn: Conn<'_>,
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
    conn: Conn<'_>,
    path: &Path,
    database_id: &str,
) -> StoreResult<(AnchorState, Option<Anchor>)> {
    judge(conn, read(path)?, database_id)
}

/// Judges the log against an anchor file read earlier (before the transaction's first query).
pub fn judge(
    conn: Conn<'_>,
    read: Result<Option<Anchor>, ()>,
    database_id: &str,
) -> StoreResult<(AnchorState, Option<Anchor>)> {
    let anchor = read.as_ref().ok().and_then(Option::as_ref);
    let seen = observe(conn, database_id, anchor)?;
    let judged = read.as_ref().map(Option::as_ref).map_err(|_| ());
    Ok((assess(judged, &seen), anchor.cloned()))
}
