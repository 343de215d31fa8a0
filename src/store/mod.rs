//! The only module with SQL, for both backends: the table modules write it once ([`sql`]) and
//! it runs on SQLite ([`Store`]) or PostgreSQL ([`pg::PgStore`]). Opening a file checks that
//! it is really a PIM database (and never overwrites one that is not), creates new files 0600,
//! and sets the pragmas every connection needs: WAL, `synchronous=FULL`, foreign keys, a busy
//! timeout. Writes go through `BEGIN IMMEDIATE` transactions (on PostgreSQL, one advisory lock
//! per database) so that two terminals never fail with "database is locked".
//!
//! The write-ahead log (`lab.db-wal`) is kept between processes: a change is durable once its
//! commit is synced there, and copying it into the database file again when every short-lived
//! process ends cost more than the change itself (two more fsyncs and every page written twice).
//! The process whose change leaves the log past [`FOLD_PAGES`] folds it into the file and empties
//! it; so does a console that changed something when it closes, and a new database. Copy a
//! database with `pim backup`, which reads through the log, or copy `lab.db` with `lab.db-wal`.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode};

pub mod alerts;
pub mod anchor;
pub mod assignments;
pub mod audit;
pub mod backup;
pub mod bundles;
mod convert;
pub mod copy;
mod database;
mod error;
pub mod files;
pub mod groups;
pub mod keys;
pub mod mail;
pub mod meta;
pub mod migrate;
pub mod names;
pub mod pg;
pub mod repo;
pub mod requests;
pub mod reviews;
pub mod roles;
pub mod settings;
pub mod sql;
pub mod tenant;
pub mod users;

pub use database::{Database, Transaction};
pub use error::{StoreError, StoreResult};
pub use migrate::{APPLICATION_ID, SCHEMA_VERSION};
pub use repo::{Repos, Tx};

/// How long a writer waits for another terminal's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Pages (4 KiB each) the write-ahead log may hold before the process that wrote past it folds
/// it into the database file. Every process that opens the database reads the whole log (SQLite
/// rebuilds its index of it when no other process has the database open), so a longer log
/// slows every command a little, and a shorter one folds more often: a few activations' worth.
pub const FOLD_PAGES: u64 = 256;

/// How long folding the log waits for other terminals before leaving it for a later process.
const FOLD_WAIT: Duration = Duration::from_millis(50);

/// Whether opening may create a new database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file (0600, directory 0700) if it does not exist.
    Create,
    /// The file must already exist.
    Existing,
}

/// An open PIM database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    sealer: keys::Sealer,
    notes: Vec<String>,
    /// Whether a write transaction of this connection committed (only a writer folds the log).
    committed: std::cell::Cell<bool>,
    /// Whether the log is folded into the file on close whatever its length (when this
    /// connection committed a change): a database this open created, so that the file alone
    /// holds it, and a console's ([`Database::fold_on_close`]).
    fold_whole: std::cell::Cell<bool>,
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    /// Opens (or with [`OpenMode::Create`], creates) the database at `path`, refusing files
    /// that are not PIM databases, are writable by others, or come from a newer version.
    pub fn open(path: &Path, mode: OpenMode) -> StoreResult<Store> {
        Self::open_with(path, mode, &mut |_| {})
    }

    /// [`Store::open`], telling `upgrading` before each schema migration it runs (a big
    /// database's upgrade takes seconds).
    pub fn open_with(
        path: &Path,
        mode: OpenMode,
        upgrading: &mut dyn FnMut(migrate::Upgrade),
    ) -> StoreResult<Store> {
        let new_log = log_size(path).is_none();
        let Prepared { notes, new } = prepare_file(path, mode)?;
        let conn = Connection::open(path).map_err(|e| classify(e, path))?;
        // Whose file it is comes first (read only), then whether it is safe to use.
        migrate::check_identity(&conn, path)?;
        for file in [
            path.to_path_buf(),
            companion(path, "-wal"),
            companion(path, "-shm"),
        ] {
            files::check_file(&file)?;
        }
        let mut conn = Self::setup(conn, path, upgrading)?;
        if new || new_log {
            // A new file or log in the directory: its entry must outlast a power cut before
            // any commit in it is reported (SQLite is built not to sync directories itself).
            files::sync_dir(&files::parent_of(path));
        }
        files::check_file(&keys::key_path(path))?;
        let sealer = keys::prepare(&mut conn, path)?;
        Ok(Store::new(conn, Some(path), sealer, notes, new))
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> StoreResult<Store> {
        let conn = Self::setup(
            Connection::open_in_memory()?,
            Path::new(":memory:"),
            &mut |_| {},
        )?;
        Ok(Store::new(
            conn,
            None,
            keys::Sealer::ephemeral()?,
            Vec::new(),
            false,
        ))
    }

    /// A new, empty database file at `path` (which must not exist), with the connection
    /// settings but no schema yet: a restore copies a whole database into it.
    pub fn open_empty(path: &Path) -> StoreResult<Store> {
        if files::check_not_a_link(path)?.is_some() {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        for suffix in ["-wal", "-shm"] {
            let _ = fs::remove_file(companion(path, suffix));
        }
        files::create_dir_private(&files::parent_of(path))?;
        files::create_file_private(path)?;
        let conn = Connection::open(path).map_err(|e| classify(e, path))?;
        configure(&conn).map_err(|e| classify(e, path))?;
        files::sync_dir(&files::parent_of(path));
        Ok(Store::new(
            conn,
            Some(path),
            keys::Sealer::ephemeral()?,
            Vec::new(),
            false,
        ))
    }

    fn new(
        conn: Connection,
        path: Option<&Path>,
        sealer: keys::Sealer,
        notes: Vec<String>,
        fold_whole: bool,
    ) -> Store {
        Store {
            conn,
            path: path.map(Path::to_path_buf),
            sealer,
            notes,
            committed: std::cell::Cell::new(false),
            fold_whole: std::cell::Cell::new(fold_whole),
        }
    }

    fn setup(
        mut conn: Connection,
        shown: &Path,
        upgrading: &mut dyn FnMut(migrate::Upgrade),
    ) -> StoreResult<Connection> {
        configure(&conn).map_err(|e| classify(e, shown))?;
        migrate::migrate(&mut conn, shown, upgrading)?;
        migrate::check_tables(&conn, shown)?;
        Ok(conn)
    }

    /// The connection itself, for tests that look at or damage the file as an outsider would.
    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// The file's own health, for `pim doctor` ([`Store::health`]).
#[derive(Debug, Clone)]
pub struct Health {
    /// Where the database is: the file, or the server and database (never a password).
    pub location: String,
    /// On a server: its integrity is the server's, and the schema version is PostgreSQL's.
    pub server: bool,
    /// The schema version this pim writes on this backend.
    pub schema_expected: i64,
    /// `PRAGMA user_version`.
    pub schema_version: Result<i64, String>,
    /// `PRAGMA quick_check`: "ok", or what it found.
    pub quick_check: Result<String, String>,
    /// Rows pointing at rows that do not exist.
    pub orphans: Result<i64, String>,
}

/// Named parameters built at run time (a filter puts in only the conditions it has), as
/// [`sql::Conn`] takes them.
pub(crate) fn bind<'a>(
    params: &'a [(&'static str, sql::Value<'static>)],
) -> Vec<(&'a str, &'a dyn sql::Param)> {
    params
        .iter()
        .map(|(name, v)| (*name, v as &dyn sql::Param))
        .collect()
}

/// One row of a statement kept prepared on the connection: the hot paths run the same few
/// statements many times, and parsing SQL each time was a large part of their cost.
pub(crate) fn cached_row<T, P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// The settings every connection needs: a busy timeout, foreign keys, WAL with
/// `synchronous=FULL`, and secure deletion (erased secrets do not linger in free pages).
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    // The log is kept when a connection closes; `fold_log` copies it into the file instead.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )?;
    Ok(())
}

/// Sets the connection's page cache to `kib` KiB; the size it had, to put back the same way.
pub(crate) fn swap_cache_kib(conn: &Connection, kib: i64) -> rusqlite::Result<i64> {
    let before: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -kib)?;
    Ok(-before)
}

/// Size in bytes of a log holding `pages` frames: its 32-byte header, then each page with its
/// 24-byte frame header.
pub fn log_bytes(pages: u64) -> u64 {
    32 + pages * (4096 + 24)
}

/// The size of the write-ahead log beside the database at `db`, if there is one.
pub fn log_size(db: &Path) -> Option<u64> {
    fs::metadata(companion(db, "-wal")).ok().map(|m| m.len())
}

/// Folds the write-ahead log into the database file and empties it, when this connection
/// committed a change (a reader or a dry run never writes) and the log has grown past
/// [`FOLD_PAGES`], or whatever its length with `whole`. Waits only briefly for other
/// terminals: a busy log is left for the next writer to fold.
fn fold_log(conn: &Connection, path: &Path, whole: bool) {
    if log_size(path).unwrap_or(0) <= log_bytes(if whole { 0 } else { FOLD_PAGES }) {
        return;
    }
    crate::fault::point("log.fold");
    if conn.busy_timeout(FOLD_WAIT).is_ok() {
        // A busy log stays for a later process.
        let _folded = fold_now(conn);
    }
}

/// Copies the write-ahead log into the database file and empties it, waiting as long as the
/// connection's busy timeout for other terminals; whether it did (false: others were busy).
fn fold_now(conn: &Connection) -> rusqlite::Result<bool> {
    // (busy, pages in the log, pages folded)
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|busy| busy == 0)
}

impl Drop for Store {
    fn drop(&mut self) {
        if let (Some(path), true) = (&self.path, self.committed.get()) {
            fold_log(&self.conn, path, self.fold_whole.get());
        }
    }
}

/// Maps SQLite's "not a database" to the clear refusal.
fn classify(e: rusqlite::Error, path: &Path) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase(path.to_path_buf()),
        _ => StoreError::Sqlite(e),
    }
}

fn io_error(context: String) -> impl FnOnce(io::Error) -> StoreError {
    move |source| StoreError::Io { context, source }
}

/// What preparing a database file found: what to tell, and whether the database is new.
struct Prepared {
    notes: Vec<String>,
    new: bool,
}

/// Checks an existing file (owner, permissions, not a link, SQLite header) and its directory,
/// or creates a new empty one owner-only. An empty file is a new database.
fn prepare_file(path: &Path, mode: OpenMode) -> StoreResult<Prepared> {
    let dir = files::parent_of(path);
    if dir.exists() {
        files::check_dir(&dir)?;
    }
    match files::check_not_a_link(path)? {
        Some(meta) => {
            if !meta.is_file() {
                return Err(StoreError::NotADatabase(path.to_path_buf()));
            }
            let mut header = [0u8; 16];
            let mut file =
                fs::File::open(path).map_err(io_error(format!("reading {}", path.display())))?;
            let n = read_up_to(&mut file, &mut header)
                .map_err(io_error(format!("reading {}", path.display())))?;
            if n == 0 || (n == 16 && &header == SQLITE_HEADER) {
                Ok(Prepared {
                    notes: Vec::new(),
                    new: n == 0,
                })
            } else {
                Err(StoreError::NotADatabase(path.to_path_buf()))
            }
        }
        None => match mode {
            OpenMode::Existing => Err(StoreError::Missing(path.to_path_buf())),
            OpenMode::Create => {
                files::create_dir_private(&dir)?;
                let notes = set_aside_leftovers(path)?;
                files::create_file_private(path)?;
                Ok(Prepared { notes, new: true })
            }
        },
    }
}

/// Before a new database is created where one was deleted: its write-ahead log would be
/// replayed into the new file (corrupting it), and its key and anchor belong to the deleted
/// database. They are renamed aside (`lab.db.key.old-<time>`), never deleted: the old key may
/// still be the only one for a copy of the old database.
fn set_aside_leftovers(path: &Path) -> StoreResult<Vec<String>> {
    let stamp = crate::clock::Clock::now(&crate::clock::SystemClock)
        .format("%Y%m%dT%H%M%SZ")
        .to_string();
    let mut notes = Vec::new();
    for suffix in ["-wal", "-shm", ".key", ".anchor"] {
        let old = companion(path, suffix);
        if files::check_not_a_link(&old)?.is_none() {
            continue;
        }
        let aside = companion(&old, &format!(".old-{stamp}"));
        fs::rename(&old, &aside).map_err(io_error(format!("moving {} aside", old.display())))?;
        notes.push(format!(
            "{} was left over from a deleted database; it is kept as {}",
            old.display(),
            aside.display()
        ));
    }
    Ok(notes)
}

/// The `-wal` or `-shm` file SQLite keeps beside a database.
pub fn companion(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn read_up_to(file: &mut fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut total = 0;
    while total < buf.len() {
        match file.read(&mut buf[total..])? {
            0 => break,
            n => total += n,
        }
    }
    Ok(total)
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "store_audit_tests.rs"]
mod audit_tests;

#[cfg(test)]
#[path = "store_totals_tests.rs"]
mod totals_tests;
