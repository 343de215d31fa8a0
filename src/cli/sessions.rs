//! The CLI's sign-in sessions: a 0600 JSON file per database in the user's state directory
//! (0700), holding each signed-in account's token (the database keeps only its hash). The last
//! account to sign in is the default; `--as UPN` picks another. A file or directory others
//! could read or swap is refused; changes are made under a lock and written atomically, so two
//! sign-ins at once both land.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::CliError;
use crate::auth::session::hex;
use crate::clock::Time;
use crate::service::SessionToken;
use crate::store::files;

/// One signed-in account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The session token.
    pub token: String,
    /// When it expires (real time).
    pub expires: Time,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Data {
    db: String,
    default: Option<String>,
    accounts: BTreeMap<String, Entry>,
}

/// The sessions of one database.
#[derive(Debug)]
pub struct Sessions {
    path: PathBuf,
    data: Data,
}

/// Where sessions live: `$XDG_STATE_HOME/pim` (or the platform's local data dir).
fn state_dir() -> Result<PathBuf, CliError> {
    let dirs = directories::ProjectDirs::from("", "", "pim")
        .ok_or_else(|| CliError::error("cannot find a home directory for the session file"))?;
    Ok(dirs
        .state_dir()
        .unwrap_or_else(|| dirs.data_local_dir())
        .join("sessions"))
}

impl Sessions {
    /// Loads the sessions for the database at `db` (none yet is fine).
    pub fn load(db: &Path) -> Result<Self, CliError> {
        let canonical = fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
        let key = hex(&Sha256::digest(canonical.to_string_lossy().as_bytes()))[..24].to_owned();
        let path = state_dir()?.join(format!("{key}.json"));
        Self::at(path, &canonical)
    }

    /// The sessions kept in the file at `path` for the database `db`.
    fn at(path: PathBuf, db: &Path) -> Result<Self, CliError> {
        let mut sessions = Self {
            path,
            data: Data::default(),
        };
        sessions.data = sessions.read()?;
        sessions.data.db = db.to_string_lossy().into_owned();
        Ok(sessions)
    }

    /// The file's current content (checked first: ours alone, not a link).
    fn read(&self) -> Result<Data, CliError> {
        files::check_dir(&files::parent_of(&self.path)).map_err(unsafe_error)?;
        if files::check_file(&self.path)
            .map_err(unsafe_error)?
            .is_none()
        {
            return Ok(Data::default());
        }
        let text = fs::read_to_string(&self.path)
            .map_err(|e| CliError::error(format!("reading {}: {e}", self.path.display())))?;
        Ok(serde_json::from_str(&text).unwrap_or_default())
    }

    /// Removes the session file (the sessions of a throwaway database, such as a scenario
    /// check's).
    pub fn discard(self) {
        let _ = fs::remove_file(&self.path);
    }

    /// The session file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The token to act with: `--as`'s account, or the default one.
    pub fn token(&self, as_upn: Option<&str>) -> Result<(String, SessionToken), CliError> {
        let upn = match as_upn {
            Some(u) => u.trim().to_ascii_lowercase(),
            None => self.data.default.clone().ok_or_else(|| {
                CliError::auth("you are not signed in; sign in with `pim login --user UPN`")
            })?,
        };
        let entry = self.data.accounts.get(&upn).ok_or_else(|| {
            CliError::auth(format!(
                "{upn} is not signed in on this database; sign in with `pim login --user {upn}`"
            ))
        })?;
        Ok((upn, SessionToken(entry.token.clone())))
    }

    /// The token of `--as`'s account or the default, if any (for commands that work without).
    pub fn optional_token(&self, as_upn: Option<&str>) -> Option<SessionToken> {
        self.token(as_upn).ok().map(|(_, t)| t)
    }

    /// Signed-in accounts with their expiry, and which is the default.
    pub fn accounts(&self) -> (Vec<(String, Entry)>, Option<String>) {
        (
            self.data
                .accounts
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            self.data.default.clone(),
        )
    }

    /// Records a sign-in and makes it the default.
    pub fn add(&mut self, upn: &str, token: &SessionToken, expires: Time) -> Result<(), CliError> {
        let upn = upn.to_ascii_lowercase();
        let entry = Entry {
            token: token.0.clone(),
            expires,
        };
        self.update(|data| {
            data.accounts.insert(upn.clone(), entry);
            data.default = Some(upn);
        })
    }

    /// Forgets one account; the default moves to another signed-in account, if any.
    pub fn remove(&mut self, upn: &str) -> Result<Option<Entry>, CliError> {
        let upn = upn.to_ascii_lowercase();
        let mut removed = None;
        self.update(|data| {
            removed = data.accounts.remove(&upn);
            if data.default.as_deref() == Some(&upn) {
                data.default = data.accounts.keys().next().cloned();
            }
        })?;
        Ok(removed)
    }

    /// Re-reads the file under an exclusive lock, applies `change`, and writes it back
    /// atomically (another terminal signing in at the same moment waits, then adds to it).
    fn update(&mut self, change: impl FnOnce(&mut Data)) -> Result<(), CliError> {
        let dir = files::parent_of(&self.path);
        files::create_dir_private(&dir).map_err(unsafe_error)?;
        let lock_path = self.path.with_extension("lock");
        let lock = match files::check_file(&lock_path).map_err(unsafe_error)? {
            Some(_) => fs::OpenOptions::new().write(true).open(&lock_path),
            None => match files::create_file_private(&lock_path) {
                Ok(f) => Ok(f),
                Err(_) => fs::OpenOptions::new().write(true).open(&lock_path),
            },
        }
        .map_err(|e| CliError::error(format!("opening {}: {e}", lock_path.display())))?;
        lock.lock()
            .map_err(|e| CliError::error(format!("locking {}: {e}", lock_path.display())))?;
        let mut data = self.read()?;
        data.db.clone_from(&self.data.db);
        change(&mut data);
        let text =
            serde_json::to_string_pretty(&data).map_err(|e| CliError::error(e.to_string()))?;
        files::write_atomic_private(&self.path, text.as_bytes()).map_err(unsafe_error)?;
        self.data = data;
        Ok(())
    }
}

fn unsafe_error(e: crate::store::StoreError) -> CliError {
    CliError::error(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn two_sign_ins_from_stale_copies_both_land() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sessions/abc.json");
        let db = dir.path().join("lab.db");
        let expires = Utc.with_ymd_and_hms(2026, 11, 26, 17, 0, 0).unwrap();
        // Both terminals read the file before either writes.
        let mut first = Sessions::at(path.clone(), &db).unwrap();
        let mut second = Sessions::at(path.clone(), &db).unwrap();
        first
            .add("a@x.com", &SessionToken("t1".into()), expires)
            .unwrap();
        second
            .add("b@x.com", &SessionToken("t2".into()), expires)
            .unwrap();
        let after = Sessions::at(path, &db).unwrap();
        let (accounts, default) = after.accounts();
        let names: Vec<_> = accounts.iter().map(|(u, _)| u.as_str()).collect();
        assert_eq!(names, ["a@x.com", "b@x.com"]);
        assert_eq!(default.as_deref(), Some("b@x.com"));
    }
}
