//! The audit log's integrity beyond its hash chain: the anchor file that pins its head, the
//! check that every current assignment is what the audited operations made it, checkpoints an
//! operator keeps elsewhere, and re-anchoring after an administrator has looked into a break.
//!
//! Writes are refused while the log does not extend its anchor (fail closed); signing in and
//! out still works, so an administrator can get in to look and re-anchor.

use std::path::PathBuf;

use serde::Serialize;

use super::{Ctx, Guard, ServiceError, ServiceResult, SessionToken};
use crate::audit::anchor::{Anchor, AnchorProblem, AnchorState, Checkpoint};
use crate::audit::chain::ChainFault;
use crate::audit::{AuditEntry, activity};
use crate::policy::text::{MAX_JUSTIFICATION_CHARS, check_free_text};
use crate::store::repo::prelude::*;
use crate::store::{self, audit::StoredAudit};

mod against_log;
use against_log::{Seen, check_assignments};

/// The result of `pim audit verify`.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Entries that verified.
    pub verified: i64,
    /// Hash of the last good entry.
    pub head: String,
    /// The first bad entry, if any.
    pub fault: Option<(ChainFault, Box<StoredAudit>)>,
    /// The log against its anchor.
    pub anchor: AnchorState,
    /// The anchor file (none for a database in memory).
    pub anchor_path: Option<PathBuf>,
    /// Current assignments against the states the log recorded.
    pub assignments: AssignmentCheck,
    /// The checkpoint given, if any, and whether the log still extends it.
    pub checkpoint: Option<(Checkpoint, Result<(), String>)>,
}

impl Verified {
    /// Nothing is wrong.
    pub fn is_intact(&self) -> bool {
        self.fault.is_none()
            && !matches!(self.anchor, AnchorState::Broken { .. })
            && self.assignments.mismatches.is_empty()
            && self.checkpoint.as_ref().is_none_or(|(_, r)| r.is_ok())
    }
}

/// Current assignments checked against the log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AssignmentCheck {
    /// Current assignments checked.
    pub checked: i64,
    /// Made before this database recorded assignment states (schema version 2): not checkable.
    pub unrecorded: i64,
    /// Assignments that are not what the log says.
    pub mismatches: Vec<AssignmentMismatch>,
}

/// One assignment that differs from the log.
#[derive(Debug, Clone, Serialize)]
pub struct AssignmentMismatch {
    /// Its id.
    pub assignment_id: String,
    /// Its role, by name when known.
    pub role: String,
    /// Its user, by UPN when known.
    pub user: String,
    /// What differs.
    pub problems: Vec<String>,
}

/// The result of `pim audit reanchor`.
#[derive(Debug, Clone, Serialize)]
pub struct Reanchored {
    /// The break that was accepted (none when the log already matched its anchor).
    pub problem: Option<AnchorProblem>,
    /// The new anchor.
    pub anchor: Anchor,
}

/// Entries after which the verification reports progress (a few hundredths of a second).
const PROGRESS_EVERY: i64 = 25_000;

impl super::Service {
    /// The log judged against its anchor file (always `Fresh` for a database in memory).
    pub fn anchor_status(&mut self) -> ServiceResult<AnchorState> {
        let Some(path) = self.anchor_path.clone() else {
            return Ok(AnchorState::Fresh);
        };
        let tx = self.store.read()?;
        Ok(tx.anchor_state(&path, self.sealer.database_id())?.0)
    }

    /// Onto the log's head whatever the anchor says (re-anchoring, restoring, copying), under
    /// the write lock. A failure here loses nothing (the change is committed and the next one
    /// moves the anchor), so it becomes a warning.
    pub(super) fn force_anchor(&mut self) {
        let Some(path) = self.anchor_path.clone() else {
            return;
        };
        let id = self.sealer.database_id().to_owned();
        let written = self.clock.now();
        let result = (|| -> ServiceResult<()> {
            let tx = self.store.write()?;
            if let Some((seq, hash, _)) = tx.audit_head()? {
                crate::fault::point("anchor.write");
                store::anchor::write(
                    &path,
                    &Anchor {
                        database_id: id,
                        seq,
                        hash,
                        written,
                    },
                )?;
                crate::fault::point("anchor.written");
            }
            Ok(())
        })();
        self.anchor_failed(result);
    }

    /// After a commit: moves the anchor to the head planned under the write lock before it
    /// ([`Judged::planned`]), forward only.
    pub(super) fn place_anchor(&mut self, planned: Option<Anchor>) {
        let (Some(path), Some(anchor)) = (self.anchor_path.clone(), planned) else {
            return;
        };
        crate::fault::point("anchor.write");
        let result = store::anchor::advance(&path, &anchor).map_err(ServiceError::from);
        crate::fault::point("anchor.written");
        self.anchor_failed(result);
    }

    fn anchor_failed(&mut self, result: ServiceResult<()>) {
        if let Err(e) = result {
            self.warn(format!(
                "the change was saved, but the audit log's anchor could not be moved ({e}); the next change tries again"
            ));
        }
    }

    /// `pim audit checkpoint`: the head of the log in a short form to keep elsewhere.
    pub fn checkpoint(&mut self) -> ServiceResult<Checkpoint> {
        let real = self.clock.now();
        let tx = self.store.read()?;
        let (seq, hash, _) = tx
            .audit_head()?
            .ok_or_else(|| ServiceError::Conflict("the audit log is empty".into()))?;
        Ok(Checkpoint::new(self.sealer.database_id(), seq, &hash, real))
    }

    /// `pim audit verify`: the hash chain, the anchor, every current assignment against the
    /// log, and optionally a checkpoint. No sign-in needed: it reveals no content. `progress`
    /// hears (what, done, total) on long runs.
    pub fn verify_audit(
        &mut self,
        checkpoint: Option<&Checkpoint>,
        progress: &mut dyn FnMut(&str, i64, i64),
    ) -> ServiceResult<Verified> {
        // The anchor first: a long verification must not see an anchor newer than its snapshot.
        let pinned = match &self.anchor_path {
            Some(path) => Some(store::anchor::read(path)?),
            None => None,
        };
        let tx = self.store.read()?;
        // The progress bar's length: the head's number (entries are numbered from 1 without
        // gaps in an intact log), found without counting a million rows.
        let total = tx.audit_head()?.map_or(0, |(seq, _, _)| seq);
        let mut last = 0;
        // The assignments are checked in the same pass as the chain.
        let seen = std::sync::Mutex::new(Seen::load(&*tx)?);
        let v = tx.verify_audit(
            &mut |done| {
                if done - last >= PROGRESS_EVERY {
                    last = done;
                    progress("entries", done, total);
                }
            },
            &|seq, details| Seen::entry(&seen, seq, details),
        )?;
        let anchor = match pinned {
            Some(read) => tx.judge_anchor(read, self.sealer.database_id())?.0,
            None => AnchorState::Fresh,
        };
        // A broken chain ends the pass early: then each assignment is looked up on its own.
        let assignments = if v.fault.is_none() {
            seen.into_inner()
                .map_err(|_| ServiceError::Conflict("the assignment check stopped".into()))?
                .finish(&*tx)?
        } else {
            check_assignments(&*tx)?
        };
        let checkpoint = match checkpoint {
            None => None,
            Some(cp) => {
                let found = tx.audit_hash_at(cp.seq)?;
                let outcome = match found {
                    _ if !self.sealer.database_id().starts_with(&cp.database) => Err(format!(
                        "the checkpoint is of another database ({}…, this one is {})",
                        cp.database,
                        self.sealer.database_id()
                    )),
                    None => Err(format!(
                        "entry #{} of the checkpoint is not in the log any more (it ends at #{})",
                        cp.seq, v.verified
                    )),
                    Some(h) if !cp.matches(self.sealer.database_id(), &h) => Err(format!(
                        "entry #{} is not the one the checkpoint saw: the log was rewritten or rolled back since",
                        cp.seq
                    )),
                    Some(_) if v.fault.as_ref().is_some_and(|(f, _)| f.seq() <= cp.seq) => {
                        Err("the chain breaks before the checkpoint's entry".into())
                    }
                    Some(_) => Ok(()),
                };
                Some((cp.clone(), outcome))
            }
        };
        Ok(Verified {
            verified: v.verified,
            head: v.head,
            fault: v.fault,
            anchor,
            anchor_path: self.anchor_path.clone(),
            assignments,
            checkpoint,
        })
    }

    /// `pim audit reanchor --reason`: an administrator accepts the log as it now stands after
    /// a break (a restore done by hand, a known repair). The break and the reason are recorded
    /// in the log itself, then the anchor moves to its head.
    pub fn reanchor(&mut self, token: &SessionToken, reason: &str) -> ServiceResult<Reanchored> {
        let reason = check_free_text("reason", reason, MAX_JUSTIFICATION_CHARS)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?
            .ok_or_else(|| {
                ServiceError::Invalid("say why the log is accepted as it is: --reason TEXT".into())
            })?;
        let path = self
            .anchor_path
            .clone()
            .ok_or_else(|| ServiceError::Conflict("a database in memory has no anchor".into()))?;
        let id = self.sealer.database_id().to_owned();
        let problem = self.transact(Guard::Open, |tx, real, sealer| {
            let ctx = Ctx::new(tx, real, sealer)?;
            let actor = ctx.actor(token)?.principal;
            let (state, anchor) = tx.anchor_state(&path, &id)?;
            let problem = match &state {
                AnchorState::Broken { problem } => Some(problem.clone()),
                _ => None,
            };
            let entry = AuditEntry::new(activity::Activity::AuditReanchored, ctx.now)
                .by(&actor)
                .justification(Some(&reason))
                .detail("anchor_before", &anchor)
                .detail("found", &state)
                .detail("problem", problem.as_ref().map(ToString::to_string));
            ctx.require_admin(&actor.id, &entry, "re-anchoring the audit log")?;
            if problem.is_some() {
                ctx.audit(entry)?;
            }
            Ok(problem)
        })?;
        self.force_anchor();
        let tx = self.store.read()?;
        let anchor = store::anchor::read(&path)?
            .ok()
            .flatten()
            .filter(|a| tx.audit_hash_at(a.seq).ok().flatten() == Some(a.hash.clone()))
            .ok_or_else(|| {
                ServiceError::Conflict("the new anchor could not be read back".into())
            })?;
        Ok(Reanchored { problem, anchor })
    }
}

/// The log judged against its anchor at the start of a write transaction, under the write
/// lock: how the anchor may move once the change commits.
#[derive(Debug, Clone)]
pub(super) struct Judged(Option<AnchorState>);

impl Judged {
    /// Before the commit, still under the write lock: the anchor the log's new head gets, if the
    /// anchor moves. It moves when the log extended its anchor (or had none yet: a new
    /// database, or an older one's first change since it was upgraded) and the change added
    /// entries; a log that does not extend its anchor is left alone (only `reanchor` accepts it).
    pub(super) fn planned(
        &self,
        tx: &dyn Repos,
        database_id: &str,
        written: crate::clock::Time,
    ) -> ServiceResult<Option<Anchor>> {
        let after = match &self.0 {
            None | Some(AnchorState::Broken { .. }) => return Ok(None),
            Some(AnchorState::Fresh | AnchorState::NotYetAnchored { .. }) => i64::MIN,
            Some(AnchorState::Matches { anchored, .. }) => *anchored,
        };
        Ok(tx
            .audit_head()?
            .filter(|(seq, _, _)| *seq > after)
            .map(|(seq, hash, _)| Anchor {
                database_id: database_id.to_owned(),
                seq,
                hash,
                written,
            }))
    }
}

/// Before a change: refuses it while the log does not extend its anchor (with
/// [`Guard::Anchored`]), and judges how the anchor may move once it is committed. `anchor` is
/// the anchor file of a database on disk.
pub(super) fn guard(
    tx: &dyn Repos,
    guard: Guard,
    anchor: Option<&std::path::Path>,
    database_id: &str,
) -> ServiceResult<Judged> {
    let Some(path) = anchor else {
        return Ok(Judged(None));
    };
    match (tx.anchor_state(path, database_id)?.0, guard) {
        (AnchorState::Broken { problem }, Guard::Anchored) => {
            Err(ServiceError::AnchorBroken(problem))
        }
        (state, _) => Ok(Judged(Some(state))),
    }
}
