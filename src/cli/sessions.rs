//! The CLI's sign-in sessions: a 0600 JSON file per database in the user's state directory,
//! holding each signed-in account's token (the database keeps only its hash). The last account
//! to sign in is the default; `--as UPN` picks another.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::CliError;
use crate::auth::session::hex;
use crate::clock::Time;
use crate::service::SessionToken;

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
        let data = match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_default(),
            Err(_) => Data::default(),
        };
        Ok(Self {
            path,
            data: Data {
                db: canonical.to_string_lossy().into_owned(),
                ..data
            },
        })
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
        self.data.accounts.insert(
            upn.clone(),
            Entry {
                token: token.0.clone(),
                expires,
            },
        );
        self.data.default = Some(upn);
        self.save()
    }

    /// Forgets one account; the default moves to another signed-in account, if any.
    pub fn remove(&mut self, upn: &str) -> Result<Option<Entry>, CliError> {
        let removed = self.data.accounts.remove(&upn.to_ascii_lowercase());
        if self.data.default.as_deref() == Some(&upn.to_ascii_lowercase()) {
            self.data.default = self.data.accounts.keys().next().cloned();
        }
        self.save()?;
        Ok(removed)
    }

    /// Writes the file atomically with owner-only permissions.
    fn save(&self) -> Result<(), CliError> {
        let dir = self
            .path
            .parent()
            .ok_or_else(|| CliError::error("bad session file path"))?;
        create_private_dir(dir)?;
        let text =
            serde_json::to_string_pretty(&self.data).map_err(|e| CliError::error(e.to_string()))?;
        let tmp = self.path.with_extension("tmp");
        write_private(&tmp, text.as_bytes())?;
        fs::rename(&tmp, &self.path)
            .map_err(|e| CliError::error(format!("saving {}: {e}", self.path.display())))
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<(), CliError> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.exists() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| CliError::error(format!("creating {}: {e}", dir.display())))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<(), CliError> {
    fs::create_dir_all(dir).map_err(|e| CliError::error(format!("creating {}: {e}", dir.display())))
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = fs::remove_file(path);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| CliError::error(format!("writing {}: {e}", path.display())))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| CliError::error(format!("writing {}: {e}", path.display())))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    fs::write(path, bytes).map_err(|e| CliError::error(format!("writing {}: {e}", path.display())))
}
