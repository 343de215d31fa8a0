//! The engine's database on PostgreSQL: the same repositories as on SQLite (the shared SQL of
//! the table modules, run through [`PgConn`]), in transactions that keep SQLite's one-writer
//! rule across hosts, and change detection by `LISTEN/NOTIFY`.
//!
//! One writer at a time, as on SQLite: every write transaction first takes one advisory lock
//! of the database (`pg_advisory_xact_lock`), held to its commit. The engine's rules are
//! checks over several tables (a cap on activations, one current assignment per role and
//! kind, the audit chain's head, a TOTP step used once, a lockout counter); with a single
//! writer each check sees everything committed before it, exactly as under SQLite's
//! `BEGIN IMMEDIATE`, so no rule depends on which rows a row lock would have covered, and
//! nothing has to be retried. Write transactions are milliseconds long, so the lock costs
//! little next to the round trips (see the README's benchmark). Reads take a consistent
//! snapshot (`REPEATABLE READ`) and never wait for writers.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use super::sql::PgConn;
use super::{PG_SCHEMA_VERSION, PgTarget};
use crate::store::database::{Database, Transaction};
use crate::store::keys::Sealer;
use crate::store::repo::Sqlite;
use crate::store::sql::Conn;
use crate::store::{Health, StoreError, StoreResult, backup, meta};

/// The advisory lock every write transaction holds: one per database, as SQLite's write lock.
pub const WRITE_LOCK: i64 = 0x7069_6d5f_7772_6974; // "pim_writ"

/// The channel writers notify on commit and every console listens to.
const CHANNEL: &str = "pim_changes";

/// An open PIM database on a PostgreSQL server.
pub struct PgStore {
    conn: PgConn,
    sealer: Sealer,
    anchor: Option<PathBuf>,
    backend_pid: i32,
    version: Cell<i64>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgStore({})", self.conn.shown)
    }
}

impl PgStore {
    /// Connects to the database `url` names, which `pim db init` must have set up, refusing
    /// a database that is not pim's or holds a newer pim's schema. `anchors` is the directory
    /// this host keeps the audit log's anchors in (one per database).
    pub fn open(url: &str, anchors: Option<&Path>) -> StoreResult<PgStore> {
        let (target, _) = PgTarget::parse(url)?;
        Self::open_target(&target, anchors)
    }

    /// [`PgStore::open`] on a target already read.
    pub fn open_target(target: &PgTarget, anchors: Option<&Path>) -> StoreResult<PgStore> {
        let client = target.connect()?;
        let conn = PgConn::new(client, target.shown.clone());
        let refuse = |what: String| StoreError::Postgres {
            target: target.shown.clone(),
            what,
        };
        conn.batch(&format!("SET search_path = {}", super::SCHEMA))?;
        let has_schema: bool = Conn::Pg(&conn).value(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables
             WHERE table_schema = ?1 AND table_name = 'meta')",
            crate::store::sql::args![super::SCHEMA],
        )?;
        if !has_schema {
            return Err(refuse(format!(
                "it is not set up for pim (no schema {}); its owner runs `pim db init URL` once first",
                super::SCHEMA
            )));
        }
        let get = |key: &str| -> StoreResult<Option<String>> {
            Conn::Pg(&conn).row(
                "SELECT value FROM meta WHERE key = ?1",
                crate::store::sql::args![key],
                |r| r.get(0),
            )
        };
        if get("application")?.as_deref() != Some(super::APPLICATION) {
            return Err(refuse(format!(
                "its schema {} belongs to another program, not PIM Console",
                super::SCHEMA
            )));
        }
        let version: i64 = get("schema_version")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if version > PG_SCHEMA_VERSION {
            return Err(refuse(format!(
                "it holds pim's schema version {version}, written by a newer PIM Console (this pim understands up to {PG_SCHEMA_VERSION}); use a newer pim"
            )));
        }
        if version < 1 {
            return Err(refuse(format!(
                "its pim schema has no valid version ({version})"
            )));
        }
        conn.batch(&format!("LISTEN {CHANNEL}"))?;
        let backend_pid: i32 =
            Conn::Pg(&conn).value("SELECT pg_backend_pid()", crate::store::sql::args![])?;
        let database_id = meta::database_id(Conn::Pg(&conn))?;
        let key_text: Option<String> = Conn::Pg(&conn).row(
            "SELECT key_text FROM seal_key",
            crate::store::sql::args![],
            |r| r.get(0),
        )?;
        let key = match key_text {
            Some(text) => {
                let text = zeroize::Zeroizing::new(text);
                let (key, owner) = crate::auth::seal::SealKey::from_file_text(&text)
                    .map_err(|e| refuse(format!("its sealing key is damaged: {e}")))?;
                if owner != database_id {
                    return Err(refuse(format!(
                        "its sealing key belongs to another database ({owner}), not this one ({database_id})"
                    )));
                }
                Some(key)
            }
            None => None,
        };
        let anchor = anchors.map(|dir| dir.join(format!("{database_id}.anchor")));
        // A host's first contact with a log others have been writing: it trusts the log as it
        // finds it and anchors it there, so from now on this host notices entries removed or
        // an older copy put back (a missing anchor on a file means something else: see
        // `audit::anchor`).
        if let Some(path) = &anchor
            && crate::store::files::check_file(path)?.is_none()
            && let Some((seq, hash, _)) = crate::store::audit::head(Conn::Pg(&conn))?
        {
            use crate::clock::Clock as _;
            crate::store::anchor::write(
                path,
                &crate::audit::anchor::Anchor {
                    database_id: database_id.clone(),
                    seq,
                    hash,
                    written: crate::clock::SystemClock.now(),
                },
            )?;
        }
        Ok(PgStore {
            sealer: Sealer::with_key(key, database_id),
            conn,
            anchor,
            backend_pid,
            version: Cell::new(0),
        })
    }

    fn begin(&self, sql: &str) -> StoreResult<PgTx<'_>> {
        self.conn.batch(sql)?;
        Ok(PgTx {
            conn: &self.conn,
            open: true,
            writes: sql.contains("advisory"),
        })
    }
}

/// A transaction on PostgreSQL; dropped without committing, it rolls back.
pub struct PgTx<'c> {
    conn: &'c PgConn,
    open: bool,
    writes: bool,
}

impl Sqlite for PgTx<'_> {
    fn sqlite(&self) -> Conn<'_> {
        Conn::Pg(self.conn)
    }
}

impl Transaction for PgTx<'_> {
    fn commit(mut self: Box<Self>) -> StoreResult<()> {
        // Consoles on other hosts hear of the change when it commits (a transaction that
        // changed nothing tells no one).
        if self.writes && self.conn.take_changed() {
            self.conn.batch(&format!("NOTIFY {CHANNEL}"))?;
        }
        self.open = false;
        self.conn.batch("COMMIT")
    }

    fn raw(&self) -> Conn<'_> {
        Conn::Pg(self.conn)
    }
}

impl Drop for PgTx<'_> {
    fn drop(&mut self) {
        if self.open {
            // A connection that broke has no transaction left to roll back.
            let _ = self.conn.batch("ROLLBACK");
            self.conn.take_changed();
        }
    }
}

impl Sqlite for PgStore {
    fn sqlite(&self) -> Conn<'_> {
        Conn::Pg(&self.conn)
    }
}

impl Database for PgStore {
    fn write(&mut self) -> StoreResult<Box<dyn Transaction + '_>> {
        let secs = crate::store::BUSY_TIMEOUT.as_secs();
        let tx = self.begin(&format!(
            "BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = '{secs}s';
             SELECT pg_advisory_xact_lock({WRITE_LOCK})"
        ))?;
        Ok(Box::new(tx))
    }

    fn try_write(&mut self) -> StoreResult<Option<Box<dyn Transaction + '_>>> {
        self.conn.batch("BEGIN ISOLATION LEVEL READ COMMITTED")?;
        let got: bool = Conn::Pg(&self.conn).value(
            &format!("SELECT pg_try_advisory_xact_lock({WRITE_LOCK})"),
            crate::store::sql::args![],
        )?;
        if !got {
            self.conn.batch("ROLLBACK")?;
            return Ok(None);
        }
        Ok(Some(Box::new(PgTx {
            conn: &self.conn,
            open: true,
            writes: true,
        })))
    }

    fn read(&mut self) -> StoreResult<Box<dyn Transaction + '_>> {
        Ok(Box::new(
            self.begin("BEGIN ISOLATION LEVEL REPEATABLE READ")?,
        ))
    }

    fn data_version(&self) -> StoreResult<i64> {
        let others = self.conn.notifications_from_others(self.backend_pid)?;
        self.version.set(self.version.get() + others);
        Ok(self.version.get())
    }

    fn path(&self) -> Option<&Path> {
        None
    }

    fn anchor_path(&self) -> Option<PathBuf> {
        self.anchor.clone()
    }

    fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    fn reload_sealer(&mut self) -> StoreResult<Sealer> {
        Ok(self.sealer.clone())
    }

    fn take_notes(&mut self) -> Vec<String> {
        Vec::new()
    }

    fn set_cache_kib(&self, kib: i64) -> StoreResult<i64> {
        // The server sizes its own cache.
        Ok(kib)
    }

    fn copy_out(&self, _: &Path, _: &mut dyn FnMut(i64, i64)) -> StoreResult<()> {
        Err(self.server_side("a backup"))
    }

    fn copy_in(&mut self, _: &backup::BackupFile, _: &Path) -> StoreResult<()> {
        Err(self.server_side("a restore"))
    }

    fn health(&self) -> Health {
        let text = |e: StoreError| e.to_string();
        Health {
            location: self.conn.shown.clone(),
            server: true,
            schema_expected: PG_SCHEMA_VERSION,
            schema_version: Conn::Pg(&self.conn)
                .row(
                    "SELECT value FROM meta WHERE key = 'schema_version'",
                    crate::store::sql::args![],
                    |r| r.get::<String>(0),
                )
                .map_err(text)
                .and_then(|v| {
                    v.and_then(|v| v.parse().ok())
                        .ok_or_else(|| "no schema version".to_owned())
                }),
            // The server checks its own pages; foreign keys are always enforced there.
            quick_check: Ok("ok".into()),
            orphans: Ok(0),
        }
    }

    #[cfg(test)]
    fn conn_for_tests(&self) -> Conn<'_> {
        Conn::Pg(&self.conn)
    }
}

impl PgStore {
    fn server_side(&self, what: &str) -> StoreError {
        StoreError::Postgres {
            target: self.conn.shown.clone(),
            what: format!(
                "{what} of a PostgreSQL database is the server's work: use pg_dump and pg_restore"
            ),
        }
    }
}
