//! The key that seals TOTP secrets, kept in a 0600 file outside the database, beside it
//! (`lab.db.key` for `lab.db`), so a copied database alone yields no usable second factor. The
//! key file names the database it belongs to; a key of another database is refused.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use zeroize::Zeroizing;

use super::sql::Conn;
use super::{StoreError, StoreResult, files};
use crate::auth::seal::{SealError, SealKey};

/// The key file of the database at `db`.
pub fn key_path(db: &Path) -> PathBuf {
    super::companion(db, ".key")
}

/// Seals and opens the TOTP secrets of one database.
#[derive(Debug, Clone)]
pub struct Sealer {
    key: Option<SealKey>,
    database_id: String,
    key_path: Option<PathBuf>,
}

/// Why a sealed secret could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsealed {
    /// The key file is not there (the path where it belongs).
    KeyMissing(Option<PathBuf>),
    /// The secret does not open with the key for this account.
    DoesNotOpen,
}

impl Sealer {
    /// A sealer with a throwaway key, for databases in memory.
    pub fn ephemeral() -> StoreResult<Self> {
        Ok(Self {
            key: Some(SealKey::generate().map_err(seal_error)?),
            database_id: "memory".into(),
            key_path: None,
        })
    }

    /// A sealer with a key kept elsewhere than a file (PostgreSQL keeps it in the database).
    pub fn with_key(key: Option<SealKey>, database_id: String) -> Self {
        Self {
            key,
            database_id,
            key_path: None,
        }
    }

    /// The key as its file holds it (for a copy of the database elsewhere), if it is there.
    pub fn key_text(&self) -> Option<Zeroizing<String>> {
        self.key.as_ref().map(|k| k.to_file_text(&self.database_id))
    }

    /// The key file, when the database is a file.
    pub fn key_path(&self) -> Option<&Path> {
        self.key_path.as_deref()
    }

    /// Whether the key is there.
    pub fn has_key(&self) -> bool {
        self.key.is_some()
    }

    /// The database these secrets belong to.
    pub fn database_id(&self) -> &str {
        &self.database_id
    }

    /// Seals an account's secret.
    pub fn seal(&self, secret: &str, user_id: &str) -> StoreResult<Vec<u8>> {
        let key = self.key.as_ref().ok_or_else(|| self.missing())?;
        key.seal(secret, &self.database_id, user_id)
            .map_err(seal_error)
    }

    /// Opens an account's sealed secret.
    pub fn open(&self, sealed: &[u8], user_id: &str) -> Result<Zeroizing<String>, Unsealed> {
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| Unsealed::KeyMissing(self.key_path.clone()))?;
        key.open(sealed, &self.database_id, user_id)
            .map_err(|_| Unsealed::DoesNotOpen)
    }

    /// The error for a missing key.
    pub fn missing(&self) -> StoreError {
        StoreError::KeyMissing(self.key_path.clone())
    }
}

fn seal_error(e: SealError) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Loads the database's key, creating it if the database has no sealed secrets yet, then seals
/// any secret still stored in the clear (databases from before schema version 3). Runs under
/// the write lock so two terminals opening a new database agree on one key.
pub fn prepare(conn: &mut Connection, db: &Path) -> StoreResult<Sealer> {
    let database_id = super::meta::database_id(Conn::Sqlite(conn))?;
    let path = key_path(db);
    if let Some(key) = load(&path, &database_id)? {
        let sealer = Sealer {
            key: Some(key),
            database_id,
            key_path: Some(path),
        };
        seal_plain_secrets(conn, &sealer)?;
        return Ok(sealer);
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let key = match load(&path, &database_id)? {
        Some(key) => Some(key),
        None if super::users::sealed_count(Conn::Sqlite(&tx))? == 0 => {
            let key = SealKey::generate().map_err(seal_error)?;
            files::write_atomic_private(&path, key.to_file_text(&database_id).as_bytes())?;
            Some(key)
        }
        None => None,
    };
    tx.commit()?;
    let sealer = Sealer {
        key,
        database_id,
        key_path: Some(path),
    };
    if sealer.has_key() {
        seal_plain_secrets(conn, &sealer)?;
    }
    Ok(sealer)
}

/// Reads the key file at `path`, if there is one, for the database `database_id`.
pub fn load(path: &Path, database_id: &str) -> StoreResult<Option<SealKey>> {
    if files::check_file(path)?.is_none() {
        return Ok(None);
    }
    let text = Zeroizing::new(fs::read_to_string(path).map_err(|source| StoreError::Io {
        context: format!("reading {}", path.display()),
        source,
    })?);
    let (key, owner) = SealKey::from_file_text(&text).map_err(|e| StoreError::Unsafe {
        path: path.to_path_buf(),
        problem: e.to_string(),
        fix: "put the database's key file back from where you keep it".into(),
    })?;
    if owner != database_id {
        return Err(StoreError::Unsafe {
            path: path.to_path_buf(),
            problem: format!(
                "is the key of another database ({owner}), not of this one ({database_id})"
            ),
            fix: "put this database's own key file there".into(),
        });
    }
    Ok(Some(key))
}

/// Seals every secret still in the clear and erases the clear copy (secure_delete is on).
fn seal_plain_secrets(conn: &mut Connection, sealer: &Sealer) -> StoreResult<()> {
    let any: bool = super::cached_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM users WHERE totp_secret IS NOT NULL)",
        [],
        |r| r.get(0),
    )?;
    if !any {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let plain: Vec<(String, Zeroizing<String>)> = {
        let mut stmt =
            tx.prepare("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, Zeroizing::new(r.get(1)?))))?;
        rows.collect::<Result<_, _>>()?
    };
    for (id, secret) in &plain {
        let sealed = sealer.seal(secret, id)?;
        tx.execute(
            "UPDATE users SET totp_sealed = ?2, totp_secret = NULL WHERE id = ?1",
            rusqlite::params![id, sealed],
        )?;
    }
    tx.commit()?;
    // Secure deletion erased the clear copies from the pages now in the write-ahead log; the
    // file keeps its older pages until the log is folded into it, so fold it now.
    super::fold_now(conn)?;
    Ok(())
}
