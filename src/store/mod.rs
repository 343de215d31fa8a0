//! The only module with SQL, for both backends: the table modules write it once ([`sql`]) and
//! it runs on SQLite ([`Store`]) or PostgreSQL ([`pg::PgStore`]). Opening a file checks that
//! it is really a PIM database (and never overwrites one that is not), creates new files 0600,
//! and sets the pragmas every connection needs: WAL, `synchronous=FULL`, foreign keys, a busy
//! timeout. Writes go through `BEGIN IMMEDIATE` transactions (on PostgreSQL, one advisory lock
//! per database) so that two terminals never fail with "database is locked".

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
        let notes = prepare_file(path, mode)?;
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
        files::check_file(&keys::key_path(path))?;
        let sealer = keys::prepare(&mut conn, path)?;
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            sealer,
            notes,
        })
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> StoreResult<Store> {
        let conn = Self::setup(
            Connection::open_in_memory()?,
            Path::new(":memory:"),
            &mut |_| {},
        )?;
        Ok(Store {
            conn,
            path: None,
            sealer: keys::Sealer::ephemeral()?,
            notes: Vec::new(),
        })
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
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            sealer: keys::Sealer::ephemeral()?,
            notes: Vec::new(),
        })
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
    Ok(())
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

/// Checks an existing file (owner, permissions, not a link, SQLite header) and its directory,
/// or creates a new empty one owner-only. An empty file is a new database.
fn prepare_file(path: &Path, mode: OpenMode) -> StoreResult<Vec<String>> {
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
                Ok(Vec::new())
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
                Ok(notes)
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
