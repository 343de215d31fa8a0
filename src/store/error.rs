//! Why the store could not be opened or used, worded for the person at the terminal: never
//! the SQL behind an error, and for a damaged, full or read-only file, what to do.

use std::io;
use std::path::PathBuf;

use rusqlite::ErrorCode;
use thiserror::Error;

/// Why the store could not be opened or used.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No file where a database was expected.
    #[error("no PIM database at {0}; create one with `pim lab` (the training lab) or `pim init`")]
    Missing(PathBuf),
    /// A file that would be overwritten.
    #[error("{0} already exists; give a new file name (pim never overwrites a file)")]
    Exists(PathBuf),
    /// Not an SQLite file at all.
    #[error("{0} is not a PIM Console database (it is not an SQLite file); refusing to touch it")]
    NotADatabase(PathBuf),
    /// An SQLite file belonging to something else.
    #[error("{0} is an SQLite database of another program, not PIM Console; refusing to touch it")]
    Foreign(PathBuf),
    /// Written by a newer version of this program.
    #[error(
        "{path} was written by a newer PIM Console (schema version {found}; this pim understands up to {supported}); use a newer pim"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build understands.
        supported: i64,
    },
    /// A file or directory that other users could read, write or swap.
    #[error("{} {problem}; {fix}", .path.display())]
    Unsafe {
        /// The file or directory.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
        /// What to do.
        fix: String,
    },
    /// SQLite reported an error. Shown without SQL text; a damaged file says what to do.
    #[error("{}", sqlite_message(.0))]
    Sqlite(#[from] rusqlite::Error),
    /// A file operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The OS error.
        source: io::Error,
    },
    /// The key that seals the authenticator secrets is not where it belongs.
    #[error(
        "the key that seals this database's authenticator secrets is missing{}; put it back from where you keep your backups (without it nobody can sign in). A training lab whose key is lost for good can be started over: delete the database file and run `pim lab`",
        .0.as_ref().map(|p| format!(" (it belongs at {})", p.display())).unwrap_or_default()
    )]
    KeyMissing(Option<PathBuf>),
    /// A PostgreSQL server could not be reached or refused what was asked.
    #[error("PostgreSQL at {target}: {what}")]
    Postgres {
        /// Where (`user@host:port/db`, never a password).
        target: String,
        /// What failed.
        what: String,
    },
    /// A stored value that this program never writes (hand-edited or damaged database).
    #[error("the database holds an invalid value: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// The file is beyond opening: missing, not a database, or damaged (SQLite says corrupt).
    /// Another program's database, a newer pim's, or one with loose permissions is not.
    pub fn is_damage(&self) -> bool {
        match self {
            StoreError::Missing(_) | StoreError::NotADatabase(_) | StoreError::Corrupt(_) => true,
            StoreError::Sqlite(s) => matches!(
                s.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            ),
            _ => false,
        }
    }
}

impl StoreError {
    /// True when SQLite gave up waiting for another writer.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Sqlite(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy))
    }
}

/// What a SQLite error means to a person: SQLite's own sentence (never the SQL behind it), and
/// for a damaged file, what to do about it.
fn sqlite_message(e: &rusqlite::Error) -> String {
    let base = match e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        rusqlite::Error::SqliteFailure(err, None) => err.to_string(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    };
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => format!(
            "the database file is damaged ({base}); `pim doctor` checks it, and `pim restore BACKUP` puts a backup in its place"
        ),
        Some(ErrorCode::DiskFull) => {
            format!("the disk is full ({base}); nothing was changed. Free some space and try again")
        }
        Some(ErrorCode::ReadOnly) => format!(
            "the database cannot be written ({base}); nothing was changed. Check that its file and directory are writable"
        ),
        _ => format!("database error: {base}"),
    }
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;
