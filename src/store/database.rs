//! A database pim runs on, whichever it is: the transactions the service runs its use cases
//! in, reads outside one, change detection for the console, and the housekeeping that belongs
//! to the file or server (its key, backups, health): SQLite's [`Store`], or PostgreSQL's
//! [`super::pg::PgStore`].

use std::path::Path;
use std::time::Duration;

use rusqlite::{ErrorCode, TransactionBehavior};

use super::repo::{Repos, Tx};
use super::{BUSY_TIMEOUT, Health, Store, StoreError, StoreResult, backup, keys};

/// An open transaction, as a value: its repositories, then [`Transaction::commit`]. Dropped
/// without committing, it rolls back.
pub trait Transaction: Repos {
    /// Makes the transaction's changes durable.
    fn commit(self: Box<Self>) -> StoreResult<()>;
    /// Its connection, for work on whole tables (copying a tenant between databases).
    fn raw(&self) -> super::sql::Conn<'_>;
}

/// A database the service runs on.
pub trait Database: Repos {
    /// Starts a write transaction that holds the write lock from its first statement, waiting
    /// up to [`BUSY_TIMEOUT`] for other writers.
    fn write(&mut self) -> StoreResult<Box<dyn Transaction + '_>>;
    /// A write transaction, but only if no other terminal is writing right now (`None` when
    /// one is): for work that can wait for the next writer, such as a reader's sweep.
    fn try_write(&mut self) -> StoreResult<Option<Box<dyn Transaction + '_>>>;
    /// A read transaction: one consistent snapshot for a screen or a command's output.
    fn read(&mut self) -> StoreResult<Box<dyn Transaction + '_>>;
    /// Changes whenever another connection commits; the console polls it to refresh.
    fn data_version(&self) -> StoreResult<i64>;
    /// The file, when the database is one (not in memory).
    fn path(&self) -> Option<&Path>;
    /// Where this host keeps the audit log's anchor for this database, if anywhere.
    fn anchor_path(&self) -> Option<std::path::PathBuf>;
    /// Seals and opens this database's TOTP secrets.
    fn sealer(&self) -> &keys::Sealer;
    /// Loads the key again (after a restore changed the database under it).
    fn reload_sealer(&mut self) -> StoreResult<keys::Sealer>;
    /// What opening did that someone should hear about (leftovers of a deleted database set
    /// aside); taking them empties the list.
    fn take_notes(&mut self) -> Vec<String>;
    /// Sets the cache (KiB) for bulk work that touches many index pages per transaction;
    /// returns the previous setting, to put back.
    fn set_cache_kib(&self, kib: i64) -> StoreResult<i64>;
    /// Copies the database into a new file `dest` as one consistent snapshot; `progress`
    /// hears (pages done, pages).
    fn copy_out(&self, dest: &Path, progress: &mut dyn FnMut(i64, i64)) -> StoreResult<()>;
    /// Replaces the database with a backup, then brings it to this pim's schema. `shown`
    /// names the database in errors.
    fn copy_in(&mut self, from: &backup::BackupFile, shown: &Path) -> StoreResult<()>;
    /// What `pim doctor` reports of the database itself.
    fn health(&self) -> Health;
    /// Asks that closing fold the write-ahead log into the file whatever its length, if this
    /// connection changed anything: for a console, whose session ends with the file whole.
    /// Nothing on a server.
    fn fold_on_close(&self) {}
    /// The connection under it, for tests that look at or change the tables as an outsider
    /// would.
    #[cfg(test)]
    fn conn_for_tests(&self) -> super::sql::Conn<'_>;
}

impl Transaction for Tx<'_> {
    fn commit(self: Box<Self>) -> StoreResult<()> {
        Tx::commit(*self)
    }

    fn raw(&self) -> super::sql::Conn<'_> {
        use super::repo::Sqlite as _;
        self.sqlite()
    }
}

impl Database for Store {
    fn write(&mut self) -> StoreResult<Box<dyn Transaction + '_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Box::new(Tx::new(tx, Some(&self.committed))))
    }

    fn try_write(&mut self) -> StoreResult<Option<Box<dyn Transaction + '_>>> {
        let conn = &self.conn;
        conn.busy_timeout(Duration::ZERO)?;
        let begun = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate);
        conn.busy_timeout(BUSY_TIMEOUT)?;
        match begun {
            Ok(tx) => Ok(Some(Box::new(Tx::new(tx, Some(&self.committed))))),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) => Ok(None),
            Err(e) => Err(StoreError::from(e)),
        }
    }

    fn read(&mut self) -> StoreResult<Box<dyn Transaction + '_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        Ok(Box::new(Tx::new(tx, None)))
    }

    fn data_version(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn anchor_path(&self) -> Option<std::path::PathBuf> {
        self.path.as_deref().map(super::anchor::anchor_path)
    }

    fn sealer(&self) -> &keys::Sealer {
        &self.sealer
    }

    fn reload_sealer(&mut self) -> StoreResult<keys::Sealer> {
        let path = self
            .path
            .clone()
            .ok_or_else(|| StoreError::Corrupt("a database in memory has no key file".into()))?;
        self.sealer = keys::prepare(&mut self.conn, &path)?;
        Ok(self.sealer.clone())
    }

    fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    fn set_cache_kib(&self, kib: i64) -> StoreResult<i64> {
        Ok(super::swap_cache_kib(&self.conn, kib)?)
    }

    fn copy_out(&self, dest: &Path, progress: &mut dyn FnMut(i64, i64)) -> StoreResult<()> {
        backup::copy_out(&self.conn, dest, progress)
    }

    fn copy_in(&mut self, from: &backup::BackupFile, shown: &Path) -> StoreResult<()> {
        backup::copy_in(from, &mut self.conn, shown)
    }

    fn fold_on_close(&self) {
        self.fold_whole.set(true);
    }

    fn health(&self) -> Health {
        let text = |e: rusqlite::Error| e.to_string();
        Health {
            location: self
                .path
                .as_deref()
                .map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string()),
            server: false,
            schema_expected: super::SCHEMA_VERSION,
            schema_version: self
                .conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(text),
            quick_check: self
                .conn
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .map_err(text),
            orphans: self
                .conn
                .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })
                .map_err(text),
        }
    }

    #[cfg(test)]
    fn conn_for_tests(&self) -> super::sql::Conn<'_> {
        super::sql::Conn::Sqlite(&self.conn)
    }
}

impl<'d> dyn Database + 'd {
    /// The connection under it, for tests (see [`Database::conn_for_tests`]).
    #[cfg(test)]
    pub(crate) fn conn(&self) -> super::sql::Conn<'_> {
        self.conn_for_tests()
    }
}
