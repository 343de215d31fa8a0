//! `pim backup` and `pim restore`: consistent copies taken while others work, and a restore
//! that keeps the current database aside and is recorded in the restored log, so it reads as
//! the known rollback it is (its anchor moves to the restored head) rather than an attack.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Ctx, Guard, ServiceError, ServiceResult, SessionToken};
use crate::audit::{AuditEntry, activity};
use crate::policy::assignment::admin_required;
use crate::policy::model::Principal;
use crate::store::repo::prelude::*;
use crate::store::{self, backup, files, keys};

/// The result of `pim backup`.
#[derive(Debug, Clone, Serialize)]
pub struct BackedUp {
    /// The copy.
    pub file: PathBuf,
    /// Audit entries in the copy.
    pub entries: i64,
    /// The key the copy's accounts need (it is not in the copy).
    pub key_file: Option<PathBuf>,
}

/// The result of `pim restore`.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    /// The backup restored.
    pub file: PathBuf,
    /// Where the database it replaced was kept.
    pub aside: Option<PathBuf>,
    /// The tenant of the restored database.
    pub tenant: String,
    /// The restored log's newest entry before the restore was recorded.
    pub restored_head: i64,
    /// The replaced log's newest entry.
    pub replaced_head: Option<i64>,
}

/// What a restore is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreStep {
    /// Opening the backup and checking it whole.
    Checking,
    /// Copying the current database aside: pages done of all.
    KeepingAside {
        /// Pages copied.
        done: i64,
        /// Pages in all.
        total: i64,
    },
    /// Putting the backup in place (one step, under the write lock).
    CopyingIn,
}

/// A timestamp for file names: `20261202T101500Z`.
fn stamp(t: crate::clock::Time) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Where the backup's accounts get their key from: the key beside the database (same
/// database), a key file beside the backup, or nowhere (no sealed secrets).
enum KeySource {
    Live,
    Beside(PathBuf),
    NotNeeded,
}

fn key_source(info: &backup::BackupInfo, file: &Path, db: &Path) -> ServiceResult<KeySource> {
    let Some(id) = info
        .database_id
        .as_deref()
        .filter(|_| info.sealed_secrets > 0)
    else {
        return Ok(KeySource::NotNeeded);
    };
    if matches!(keys::load(&keys::key_path(db), id), Ok(Some(_))) {
        return Ok(KeySource::Live);
    }
    let beside = keys::key_path(file);
    if keys::load(&beside, id)?.is_some() {
        return Ok(KeySource::Beside(beside));
    }
    Err(ServiceError::Conflict(format!(
        "the backup's accounts need the key of the database it was taken from ({id}), and it is neither this database's key nor beside the backup ({}); put that key file there and restore again. Nothing was changed",
        beside.display()
    )))
}

impl super::Service {
    /// `pim backup FILE`: a consistent copy of the database (one snapshot, while others keep
    /// working), owner-only, checked after writing. Administrators only; audited. The copy
    /// does not hold the key that seals its accounts' authenticator secrets.
    pub fn backup(
        &mut self,
        token: &SessionToken,
        file: &Path,
        progress: &mut dyn FnMut(i64, i64),
    ) -> ServiceResult<BackedUp> {
        let path = self.store.path().map(Path::to_path_buf).ok_or_else(|| {
            ServiceError::Conflict("a database in memory has no file to copy".into())
        })?;
        let actor = self.read(|ctx| {
            let actor = ctx.actor(token)?.principal;
            Ok((actor.clone(), ctx.is_admin(&actor.id)?))
        })?;
        let entry = |ctx: &Ctx<'_>| {
            AuditEntry::new(activity::Activity::DatabaseBackedUp, ctx.now)
                .by(&actor.0)
                .detail("file", file.display().to_string())
        };
        if !actor.1 {
            let refused: ServiceResult<()> = self.write_open(|ctx| {
                Err(ctx.refuse(entry(ctx), admin_required("backing up the database")))
            });
            refused?;
        }
        self.store.copy_out(file, progress)?;
        let (copy, info) = backup::open_backup(file)?;
        drop(copy);
        let entries = info.head.map_or(0, |(seq, _)| seq);
        self.write_open(|ctx| ctx.audit(entry(ctx).detail("entries", entries)))?;
        Ok(BackedUp {
            file: file.to_path_buf(),
            entries,
            key_file: (info.sealed_secrets > 0).then(|| keys::key_path(&path)),
        })
    }

    /// `pim restore FILE`: replaces the database with a backup. A signed-in Global or
    /// Privileged Role Administrator of the current database asks for it; the current database
    /// is first copied aside; the restored log records the restore (who, from which file, what
    /// it replaced) and its anchor moves to the restored head.
    /// `step` hears what it is doing (a big database takes seconds at each step).
    pub fn restore(
        &mut self,
        token: &SessionToken,
        file: &Path,
        step: &mut dyn FnMut(RestoreStep),
    ) -> ServiceResult<Restored> {
        let db = self.store.path().map(Path::to_path_buf).ok_or_else(|| {
            ServiceError::Conflict("a database in memory cannot be restored".into())
        })?;
        step(RestoreStep::Checking);
        let (source, info) = backup::open_backup(file)?;
        let keys_from = key_source(&info, file, &db)?;
        let actor = self.write_open(|ctx| {
            let actor = ctx.actor(token)?.principal;
            if !ctx.is_admin(&actor.id)? {
                let entry = AuditEntry::new(activity::Activity::DatabaseRestored, ctx.now)
                    .by(&actor)
                    .detail("file", file.display().to_string());
                return Err(ctx.refuse(entry, admin_required("restoring the database")));
            }
            Ok(actor)
        })?;
        let replaced = self.store.audit_head()?.map(|(seq, hash, _)| (seq, hash));
        let replaced_id = self.sealer.database_id().to_owned();
        let now = self.clock.now();
        let aside = backup::aside_path(&db, &stamp(now));
        self.store.copy_out(&aside, &mut |done, total| {
            step(RestoreStep::KeepingAside { done, total });
        })?;
        let mark = self.store.real_time_mark()?;
        step(RestoreStep::CopyingIn);
        self.store.copy_in(&source, &db)?;
        drop(source);
        self.after_restore(&db, &info, keys_from, &replaced_id, mark)?;
        self.record_restore(
            file,
            Some(&aside),
            Some(&actor),
            replaced,
            &replaced_id,
            &info,
        )
    }

    /// `pim restore FILE` over a database that cannot be opened at all (damaged, not a
    /// database, missing): nobody can sign in to it, so the owner of the files restores without
    /// signing in. The unusable file is moved aside, never deleted.
    pub fn restore_unopenable(
        db: &Path,
        file: &Path,
        why: &str,
        step: &mut dyn FnMut(RestoreStep),
    ) -> ServiceResult<(Self, Restored)> {
        step(RestoreStep::Checking);
        let (source, info) = backup::open_backup(file)?;
        let keys_from = key_source(&info, file, db)?;
        let now = crate::clock::Clock::now(&crate::clock::SystemClock);
        let aside = backup::aside_path(db, &stamp(now));
        let mut moved = None;
        if files::check_not_a_link(db)?.is_some() {
            std::fs::rename(db, &aside).map_err(|source| store::StoreError::Io {
                context: format!("moving {} aside", db.display()),
                source,
            })?;
            for suffix in ["-wal", "-shm"] {
                let from = store::companion(db, suffix);
                if from.exists() {
                    let _ = std::fs::rename(&from, store::companion(&aside, suffix));
                }
            }
            moved = Some(aside);
        }
        let id = info.database_id.clone();
        let mut store = store::Store::open_empty(db)?;
        step(RestoreStep::CopyingIn);
        store.copy_in(&source, db)?;
        drop(source);
        if let Some(id) = &id {
            store.set_database_id(id)?;
        }
        let mut svc = Self::with_store(store);
        let replaced_id = svc.sealer.database_id().to_owned();
        svc.after_restore(db, &info, keys_from, &replaced_id, None)?;
        let mut entry_why = why.to_owned();
        entry_why.truncate(500);
        let restored = svc.record_restore(
            file,
            moved.as_deref(),
            None,
            None,
            &format!("unopenable: {entry_why}"),
            &info,
        )?;
        Ok((svc, restored))
    }

    /// After the pages are in: the key the restored accounts need, the database's identity,
    /// secrets still in the clear (older backups), the real-time mark.
    fn after_restore(
        &mut self,
        db: &Path,
        info: &backup::BackupInfo,
        keys_from: KeySource,
        replaced_id: &str,
        mark: Option<crate::clock::Time>,
    ) -> ServiceResult<()> {
        let store = &self.store;
        match info.database_id.as_deref() {
            // An older backup had no identity: it takes this database's, and its secrets are
            // sealed with this database's key.
            None => store.set_database_id(replaced_id)?,
            Some(id) => store.set_database_id(id)?,
        }
        let live = keys::key_path(db);
        let restored_id = store.database_id()?;
        let foreign = !matches!(keys::load(&live, &restored_id), Ok(Some(_)));
        if live.exists() && foreign {
            let kept = store::companion(
                &live,
                &format!(".before-restore-{}", stamp(self.clock.now())),
            );
            std::fs::rename(&live, &kept).map_err(|source| store::StoreError::Io {
                context: format!("moving {} aside", live.display()),
                source,
            })?;
        }
        if let KeySource::Beside(path) = keys_from {
            let text = std::fs::read(&path).map_err(|source| store::StoreError::Io {
                context: format!("reading {}", path.display()),
                source,
            })?;
            files::write_atomic_private(&live, &text)?;
        }
        if let Some(mark) = mark {
            self.store.raise_real_time_mark(mark)?;
        }
        self.sealer = self.store.reload_sealer()?;
        Ok(())
    }

    /// Records the restore in the restored log and moves the anchor onto it.
    fn record_restore(
        &mut self,
        file: &Path,
        aside: Option<&Path>,
        actor: Option<&Principal>,
        replaced: Option<(i64, String)>,
        replaced_id: &str,
        info: &backup::BackupInfo,
    ) -> ServiceResult<Restored> {
        let restored_head = info.head.as_ref().map_or(0, |(seq, _)| *seq);
        self.transact(Guard::Open, |tx, real, sealer| {
            let ctx = Ctx::new(tx, real, sealer)?;
            let mut entry = AuditEntry::new(activity::Activity::DatabaseRestored, ctx.now)
                .detail("file", file.display().to_string())
                .detail("kept_aside", aside.map(|p| p.display().to_string()))
                .detail("restored_head", &info.head)
                .detail("replaced_head", &replaced)
                .detail("replaced_database", replaced_id);
            if let Some(a) = actor {
                entry = entry.by(a);
            }
            ctx.audit(entry)
        })?;
        self.force_anchor();
        Ok(Restored {
            file: file.to_path_buf(),
            aside: aside.map(Path::to_path_buf),
            tenant: info.tenant.clone(),
            restored_head,
            replaced_head: replaced.map(|(seq, _)| seq),
        })
    }
}
