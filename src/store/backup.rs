//! Consistent copies with SQLite's online backup API: out to a new file while other terminals
//! keep working (the copy is one snapshot), and back in over the live database (other
//! terminals see the restored state at their next read). Never `cp` a live database: a copy
//! without its `-wal` file is an older or broken database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::StepResult;
use rusqlite::{Connection, OpenFlags};

use super::sql::Conn;
use super::{StoreError, StoreResult, files, migrate};

/// Pages copied per step of a backup (4 MiB with SQLite's 4 KiB pages).
const PAGES_PER_STEP: i32 = 1024;

/// What a backup file holds, read before anything is done with it.
#[derive(Debug, Clone)]
pub struct BackupInfo {
    /// Its schema version.
    pub schema_version: i64,
    /// Its database identity (none before schema version 3).
    pub database_id: Option<String>,
    /// The tenant's domain.
    pub tenant: String,
    /// The newest audit entry: sequence number and hash.
    pub head: Option<(i64, String)>,
    /// Accounts whose TOTP secret is sealed (they need the database's key).
    pub sealed_secrets: i64,
}

/// A backup file opened read-only and checked ([`open_backup`]), ready to be copied in.
pub struct BackupFile {
    conn: Connection,
}

fn sqlite(e: rusqlite::Error, path: &Path) -> StoreError {
    super::classify(e, path)
}

/// Copies the database behind `src` into a new file `dest` (refused if it exists), owner-only,
/// as one consistent snapshot, then checks the copy. `progress` hears (pages done, pages).
pub fn copy_out(
    src: &Connection,
    dest: &Path,
    progress: &mut dyn FnMut(i64, i64),
) -> StoreResult<()> {
    if files::check_not_a_link(dest)?.is_some() {
        return Err(StoreError::Exists(dest.to_path_buf()));
    }
    let partial = super::companion(dest, ".partial");
    let _ = std::fs::remove_file(&partial);
    files::create_file_private(&partial)?;
    let copied = (|| -> StoreResult<()> {
        let mut out = Connection::open(&partial).map_err(|e| sqlite(e, &partial))?;
        // One snapshot: the read transaction pins what the copy sees, while other terminals
        // go on writing to the write-ahead log.
        src.execute_batch("BEGIN; SELECT count(*) FROM sqlite_schema;")?;
        let stepped = step_all(src, &mut out, PAGES_PER_STEP, progress);
        src.execute_batch("COMMIT")?;
        stepped?;
        // A copy is a single file: no write-ahead log beside it.
        let _mode: String = out.query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))?;
        let check: String = out.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(format!(
                "the copy does not check out: {check}"
            )));
        }
        drop(out);
        std::fs::File::open(&partial)
            .and_then(|f| f.sync_all())
            .map_err(|source| StoreError::Io {
                context: format!("syncing {}", partial.display()),
                source,
            })?;
        std::fs::rename(&partial, dest).map_err(|source| StoreError::Io {
            context: format!("writing {}", dest.display()),
            source,
        })?;
        files::sync_dir(&files::parent_of(dest));
        Ok(())
    })();
    if copied.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    copied
}

fn step_all(
    from: &Connection,
    to: &mut Connection,
    pages: i32,
    progress: &mut dyn FnMut(i64, i64),
) -> StoreResult<()> {
    let backup = rusqlite::backup::Backup::new(from, to)?;
    loop {
        let step = backup.step(pages)?;
        let p = backup.progress();
        progress(i64::from(p.pagecount - p.remaining), i64::from(p.pagecount));
        match step {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Opens a backup file read-only, refusing anything that is not a sound PIM database this
/// pim understands.
pub fn open_backup(path: &Path) -> StoreResult<(BackupFile, BackupInfo)> {
    match files::check_not_a_link(path)? {
        None => return Err(StoreError::Missing(path.to_path_buf())),
        Some(meta) if !meta.is_file() => return Err(StoreError::NotADatabase(path.to_path_buf())),
        Some(_) => {}
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sqlite(e, path))?;
    migrate::check_identity(&conn, path)?;
    let schema_version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| sqlite(e, path))?;
    if schema_version == 0 {
        return Err(StoreError::NotADatabase(path.to_path_buf()));
    }
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| sqlite(e, path))?;
    if check != "ok" {
        return Err(StoreError::Corrupt(format!(
            "{} is damaged ({check}); it cannot be restored",
            path.display()
        )));
    }
    let tenant = super::tenant::get(Conn::Sqlite(&conn))?
        .ok_or_else(|| StoreError::Corrupt(format!("{} holds no tenant", path.display())))?;
    let database_id = if schema_version >= 3 {
        Some(super::meta::database_id(Conn::Sqlite(&conn))?)
    } else {
        None
    };
    let head = conn
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok();
    let sealed_secrets = if schema_version >= 3 {
        super::users::sealed_count(Conn::Sqlite(&conn))?
    } else {
        0
    };
    Ok((
        BackupFile { conn },
        BackupInfo {
            schema_version,
            database_id,
            tenant: tenant.domain,
            head,
            sealed_secrets,
        },
    ))
}

/// Replaces the live database behind `live` with the backup behind `backup`, in one step under
/// the write lock, then brings it to this pim's schema.
pub fn copy_in(backup: &BackupFile, live: &mut Connection, shown: &Path) -> StoreResult<()> {
    crate::fault::point("restore.copy");
    step_all(&backup.conn, live, -1, &mut |_, _| {})?;
    super::configure(live).map_err(|e| sqlite(e, shown))?;
    migrate::migrate(live, shown, &mut |_| {})?;
    // The restored database is whole in its file, not only in the write-ahead log.
    super::fold_now(live).map_err(|e| sqlite(e, shown))?;
    Ok(())
}

/// Where the current database is kept when a backup replaces it:
/// `lab.db.before-restore-20261202T101500Z` (with `-2`, `-3`, … when that name is taken).
pub fn aside_path(db: &Path, stamp: &str) -> PathBuf {
    let base = super::companion(db, &format!(".before-restore-{stamp}"));
    let mut candidate = base.clone();
    let mut n = 1;
    while candidate.exists() || candidate.symlink_metadata().is_ok() {
        n += 1;
        candidate = super::companion(&base, &format!("-{n}"));
    }
    candidate
}
