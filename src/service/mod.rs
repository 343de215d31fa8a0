//! One function per use case. Each runs in one `BEGIN IMMEDIATE` transaction: load, ask
//! `policy`, verify MFA if the rules say so, write, audit, queue e-mail, commit. A refusal
//! commits only its audit row; any other error rolls everything back.
//!
//! Both faces (CLI and console) call these functions and nothing else.

use std::sync::Arc;

use serde::Serialize;

use crate::audit::AuditEntry;
use crate::audit::anchor::Anchor;
use crate::auth::password::PasswordHasher;
use crate::auth::session::token_hash;
use crate::clock::{Clock, Time};
use crate::policy::model::{ADMIN_ROLES, Principal, Role, Tenant};
use crate::policy::settings::RoleSettings;
use crate::store::keys::{Sealer, Unsealed};
use crate::store::repo::prelude::*;
use crate::store::users::UserRecord;
use crate::store::{self, Database, OpenMode, Store};
use zeroize::Zeroizing;

mod accounts;
mod activate;
mod alerts;
mod approval;
mod assign;
mod audit;
mod backup;
mod bundles;
mod catalogue;
mod clock;
mod copy;
mod ctx;
mod decide;
mod doctor;
mod error;
mod exec;
mod groups;
mod import;
mod integrity;
mod licence;
mod lifecycle;
mod mail;
mod mfa;
mod policies;
mod reviews;
mod seed;
mod settings;
mod signin;
mod status;
mod sweep;
mod tenant;
mod users;

pub use accounts::{AccountState, MfaReset, PasswordReset};
pub use activate::{ActivateInput, Activated, ActivationOutcome, ActivationPreview};
pub use alerts::{AlertConfigPatch, AlertFixed, AlertView, FixInput, FixStep};
pub use approval::RequestView;
pub use assign::{AssignInput, AssignmentDone, RemoveInput, UpdateInput, Window};
pub use audit::AuditQuery;
pub use backup::{BackedUp, RestoreStep, Restored};
pub use bundles::BundleView;
pub use catalogue::{catalogue, slug};
pub use clock::ClockState;
pub use copy::DbCopied;
pub(crate) use ctx::Ctx;
pub use decide::{Decided, Decision};
pub use doctor::{Check, Verdict};
pub use error::{AuthFailure, ServiceError};
pub use exec::{ExecEnd, Held};
pub use groups::{GroupMembers, NewGroup, ViaGroup};
pub use import::{ImportOptions, ImportPhase, ImportReport, RowOutcome, RowResult};
pub use integrity::{AssignmentCheck, AssignmentMismatch, Reanchored, Verified};
pub use licence::LicenceChange;
pub use lifecycle::Ask;
pub use policies::{Drift, ExportedPolicy, PolicyImport};
pub use reviews::{NoResponse, Recurrence, ReviewInput, ReviewItem, ReviewView, Reviewers};
pub use seed::{SeedSpec, Seeded};
pub use settings::{RoleOverview, SettingsView};
pub use signin::{Enrolment, PasswordOk, SignedIn};
pub use status::{EligibleRole, Status};
pub use tenant::{AuthenticatorCode, CreatedAccount, LAB_DOMAIN, LabCreated, TenantCreated};
pub use users::{Capabilities, NewAccount, UserSummary};

/// Shorthand for service results.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// A sign-in session token as the holder keeps it (never stored in the database).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(pub String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(…)")
    }
}

/// Roles whose active holders may read the whole audit log (Entra's audit readers).
const AUDIT_READER_ROLES: [&str; 5] = [
    crate::policy::model::GLOBAL_ADMINISTRATOR,
    crate::policy::model::PRIVILEGED_ROLE_ADMINISTRATOR,
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451", // Global Reader
    "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
    "5d6b6bb7-de71-4623-b4af-96380a352509", // Security Reader
];

/// User Administrator may add users, besides the PIM administrators.
const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";

/// The engine: a store, a clock and the password parameters.
pub struct Service {
    store: Box<dyn Database>,
    clock: Arc<dyn Clock>,
    passwords: PasswordHasher,
    sealer: Sealer,
    anchor_path: Option<std::path::PathBuf>,
    warnings: Vec<String>,
    on_warning: Option<WarningHook>,
    preflight: Option<Preview>,
}

/// Where warnings go when a face wants them told at once.
type WarningHook = Box<dyn Fn(&str) + Send>;

/// Whether a write needs the audit log to extend its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guard {
    /// Refused while the log does not extend its anchor (every change of state).
    Anchored,
    /// Allowed anyway: signing in and out, so an administrator can get in and re-anchor.
    Open,
}

/// What a preflight (`--dry-run`) found besides its outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// A fresh MFA code would have been asked for.
    pub mfa_required: bool,
    /// The e-mails that would have gone out: (recipient, subject).
    pub would_notify: Vec<(String, String)>,
}

/// How far the system clock may go back before signing in and activating are refused: NTP
/// slews and small steps stay well inside it.
pub const CLOCK_TOLERANCE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

impl Service {
    /// An engine on an open database.
    pub fn new(
        store: impl Database + 'static,
        clock: Arc<dyn Clock>,
        passwords: PasswordHasher,
    ) -> Self {
        Self::on(Box::new(store), clock, passwords)
    }

    /// [`Service::new`] on a database already boxed (either backend).
    pub fn on(store: Box<dyn Database>, clock: Arc<dyn Clock>, passwords: PasswordHasher) -> Self {
        Self {
            sealer: store.sealer().clone(),
            anchor_path: store.anchor_path(),
            store,
            clock,
            passwords,
            warnings: Vec::new(),
            on_warning: None,
            preflight: None,
        }
    }

    /// Runs a use case as a preflight (`--dry-run`): every rule is checked exactly as it would
    /// be, then everything is rolled back, refusals' audit rows included; no MFA code is asked
    /// for or spent. Returns the outcome with what would also have happened (a code asked for,
    /// the e-mails sent).
    pub fn preflight<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> ServiceResult<T>,
    ) -> (ServiceResult<T>, Preview) {
        self.preflight = Some(Preview::default());
        let result = f(self);
        (result, self.preflight.take().unwrap_or_default())
    }

    /// Has warnings (work after a commit that failed, found while the command runs) told at
    /// once, instead of collected for [`Self::take_warnings`].
    pub fn on_warning(&mut self, tell: impl Fn(&str) + Send + 'static) {
        self.on_warning = Some(Box::new(tell));
    }

    fn warn(&mut self, warning: String) {
        match &self.on_warning {
            Some(tell) => tell(&warning),
            None => self.warnings.push(warning),
        }
    }

    /// What is wrong with the database as it stands, for every face to show before it works:
    /// an audit log that does not extend its anchor, a missing key, a damaged lab clock.
    pub fn health(&mut self) -> Vec<String> {
        self.health_with(true)
    }

    /// [`Self::health`] for a command about to change the tenant: without the anchor, which
    /// the change judges itself under its write lock, refusing with the reason if it is broken
    /// (a warning first would say it twice, and cost a read of the log of its own).
    pub fn health_for_change(&mut self) -> Vec<String> {
        self.health_with(false)
    }

    fn health_with(&mut self, anchor: bool) -> Vec<String> {
        let mut out = self.store.take_notes();
        match anchor.then(|| self.anchor_status()) {
            Some(Ok(crate::audit::anchor::AnchorState::Broken { problem })) => out.push(format!(
                "the audit log does not match its anchor: {problem}. Changes are refused until an administrator looks into it (`pim audit verify`, then `pim audit reanchor --reason TEXT`)"
            )),
            Some(Ok(_)) | None => {}
            Some(Err(e)) => out.push(format!("the audit log's anchor could not be checked: {e}")),
        }
        if !self.sealer.has_key() && self.store.sealed_count().unwrap_or(0) > 0 {
            out.push(self.sealer.missing().to_string());
        }
        if let Ok(Some(offset)) = self.store.stored_clock_offset()
            && crate::clock::lab_offset(offset).is_none()
        {
            out.push(format!(
                "the lab clock's stored offset ({offset} seconds) is out of range, so pim runs the lab on real time; a lab administrator can put it right with `pim clock reset`"
            ));
        }
        out
    }

    /// Warnings about work done after a change was committed (the anchor could not be
    /// moved), for the face to show; taking them empties the list.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// Opens the database at `path` (an SQLite file, or a `postgres://` address) with the
    /// system clock and production password hashing.
    pub fn open(path: &std::path::Path, mode: OpenMode) -> ServiceResult<Self> {
        Self::open_with(path, mode, &mut |_| {})
    }

    /// [`Service::open`], telling `upgrading` before each schema migration it runs.
    pub fn open_with(
        path: &std::path::Path,
        mode: OpenMode,
        upgrading: &mut dyn FnMut(crate::store::migrate::Upgrade),
    ) -> ServiceResult<Self> {
        if let Some(url) = path.to_str().filter(|p| store::pg::is_url(p)) {
            let anchors = store::pg::anchors_dir()?;
            return Ok(Self::with_store(store::pg::PgStore::open(
                url,
                Some(&anchors),
            )?));
        }
        Ok(Self::with_store(Store::open_with(path, mode, upgrading)?))
    }

    /// An engine on an open store with the system clock and production password hashing.
    fn with_store(store: impl Database + 'static) -> Self {
        Self::new(
            store,
            Arc::new(crate::clock::SystemClock),
            PasswordHasher::production(),
        )
    }

    /// The database, for the console's change detection.
    pub fn store(&self) -> &dyn Database {
        &*self.store
    }

    /// Real time now.
    pub fn real_now(&self) -> Time {
        self.clock.now()
    }

    /// Records any expiries that are due (a write transaction with nothing else in it).
    pub fn sweep(&mut self) -> ServiceResult<()> {
        self.write(|_| Ok(()))
    }

    /// Before a read: records expiries, reminders and expired requests that are due, but only
    /// when there are some and no other terminal is writing (that writer's own sweep will do
    /// them). It never makes a read wait or fail: what is live is computed on read anyway.
    /// Returns whether it swept.
    pub fn catch_up(&mut self) -> bool {
        let real = self.clock.now();
        let due = match Ctx::policy_now(&*self.store, real) {
            Ok(now) => sweep::is_due(&*self.store, now).unwrap_or(false),
            Err(_) => false,
        };
        if !due {
            return false;
        }
        let (sealer, anchor) = (&self.sealer, self.anchor_path.as_deref());
        let swept = (|| -> ServiceResult<Option<Option<Anchor>>> {
            let Some(tx) = self.store.try_write()? else {
                return Ok(None);
            };
            let judged = integrity::guard(&*tx, Guard::Anchored, anchor, sealer.database_id())?;
            let ctx = Ctx::new(&*tx, real, sealer)?;
            sweep::run(&ctx)?;
            let planned = judged.planned(&*tx, sealer.database_id(), real)?;
            tx.commit()?;
            Ok(Some(planned))
        })();
        match swept {
            Ok(Some(planned)) => {
                self.place_anchor(planned);
                true
            }
            _ => false,
        }
    }

    /// Runs a write use case in one `BEGIN IMMEDIATE` transaction, after recording any expiries
    /// that are due. Refusals and authentication failures commit their audit rows. Refused
    /// while the audit log does not extend its anchor.
    fn write<T>(&mut self, f: impl FnOnce(&Ctx<'_>) -> ServiceResult<T>) -> ServiceResult<T> {
        self.write_guarded(Guard::Anchored, f)
    }

    /// [`Self::write`] for signing in and out, which work even while the anchor is broken.
    fn write_open<T>(&mut self, f: impl FnOnce(&Ctx<'_>) -> ServiceResult<T>) -> ServiceResult<T> {
        self.write_guarded(Guard::Open, f)
    }

    fn write_guarded<T>(
        &mut self,
        guard: Guard,
        f: impl FnOnce(&Ctx<'_>) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        let mfa = std::cell::Cell::new(false);
        let preflight = self.preflight.is_some();
        let result = self.transact(guard, |tx, real, sealer| {
            let mut ctx = Ctx::new(tx, real, sealer)?;
            if preflight {
                ctx.preflight = Some(&mfa);
            }
            if guard == Guard::Anchored {
                sweep::run(&ctx)?;
            }
            f(&ctx)
        });
        if let Some(p) = self.preflight.as_mut() {
            p.mfa_required |= mfa.get();
        }
        result
    }

    /// One `BEGIN IMMEDIATE` transaction at real time `real`, with or without a tenant: commits
    /// on success and on answers that keep their audit rows ([`ServiceError::commits`]), rolls
    /// back on anything else. After a commit the anchor moves to the log's new head.
    fn transact<T>(
        &mut self,
        guard: Guard,
        f: impl FnOnce(&dyn Repos, Time, &Sealer) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        let real = self.clock.now();
        let tx = self.store.write()?;
        let judged = integrity::guard(
            &*tx,
            guard,
            self.anchor_path.as_deref(),
            self.sealer.database_id(),
        )?;
        if let Some(preview) = self.preflight.as_mut() {
            // A preflight: run it all, note the e-mails it queued, and roll everything back.
            let before = tx.last_mail_rowid()?;
            let result = f(&*tx, real, &self.sealer);
            preview.would_notify.extend(tx.queued_since(before)?);
            drop(tx);
            return result;
        }
        let result = f(&*tx, real, &self.sealer);
        let commit = match &result {
            Ok(_) => true,
            Err(e) => e.commits(),
        };
        if commit {
            tx.raise_real_time_mark(real)?;
            let planned = judged.planned(&*tx, self.sealer.database_id(), real)?;
            crate::fault::point("tx.commit");
            tx.commit()?;
            crate::fault::point("tx.committed");
            self.place_anchor(planned);
        }
        result
    }

    /// Runs a read use case on one consistent snapshot.
    fn read<T>(&mut self, f: impl FnOnce(&Ctx<'_>) -> ServiceResult<T>) -> ServiceResult<T> {
        let real = self.clock.now();
        let tx = self.store.read()?;
        let ctx = Ctx::new(&*tx, real, &self.sealer)?;
        f(&ctx)
    }
}

/// Appends an audit entry written at real time `real`. A successful entry about an assignment
/// records the assignment's state as it now stands (see `audit::state`), which `pim audit
/// verify` checks the assignments table against.
pub(crate) fn record(db: &dyn Repos, mut entry: AuditEntry, real: Time) -> ServiceResult<()> {
    crate::fault::point("audit.append");
    let subject = entry
        .details
        .get("assignment_id")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    if let Some(id) = subject.filter(|_| entry.result == crate::audit::AuditResult::Success)
        && let Some(a) = db.assignment(&id)?
    {
        entry = entry.detail("state", crate::audit::state::AssignmentState::of(&a));
    }
    db.append_audit(entry.written_at(real), new_audit_id())?;
    Ok(())
}

/// A new GUID.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Ids for the copies of one e-mail message, one per recipient: random GUIDs (version 4)
/// whose first half is the message's and second half each copy's own. A recipient sees one
/// copy of a message, so the prefixes people type (`pim inbox show ID`) still differ from
/// message to message in every inbox, while the copies sit side by side in the outbox's id
/// index: queuing a message to a dozen administrators writes one place in it, not a dozen.
pub(crate) struct CopyIds {
    message: [u8; 8],
}

impl CopyIds {
    /// Ids for a new message.
    pub(crate) fn new() -> Self {
        let mut message = [0; 8];
        message.copy_from_slice(&uuid::Uuid::new_v4().as_bytes()[..8]);
        CopyIds { message }
    }

    /// The id of the next copy.
    pub(crate) fn next(&self) -> String {
        let mut bytes = *uuid::Uuid::new_v4().as_bytes();
        bytes[..8].copy_from_slice(&self.message);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

/// A new audit entry id: time-ordered (UUID version 7), so the log's id index grows at its
/// end instead of taking a write in a random place for every entry. (Ids people type a prefix
/// of, such as requests', stay random so their prefixes differ.)
pub(crate) fn new_audit_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests;
