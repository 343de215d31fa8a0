//! One function per use case. Each runs in one `BEGIN IMMEDIATE` transaction: load, ask
//! `policy`, verify MFA if the rules say so, write, audit, queue e-mail, commit. A refusal
//! commits only its audit row; any other error rolls everything back.
//!
//! Both faces (CLI and console) call these functions and nothing else.

use std::sync::Arc;

use rusqlite::Transaction;

use crate::audit::AuditEntry;
use crate::auth::password::PasswordHasher;
use crate::auth::session::token_hash;
use crate::clock::{Clock, Time};
use crate::policy::model::{ADMIN_ROLES, Principal, Role, Tenant};
use crate::policy::settings::RoleSettings;
use crate::store::keys::{Sealer, Unsealed};
use crate::store::users::UserRecord;
use crate::store::{self, OpenMode, Store, StoreError};
use zeroize::Zeroizing;

mod accounts;
mod activate;
mod alerts;
mod approval;
mod assign;
mod audit;
mod clock;
mod decide;
mod error;
mod lifecycle;
mod mail;
mod mfa;
mod settings;
mod signin;
mod sweep;
mod tenant;
mod users;

pub use accounts::{AccountState, MfaReset, PasswordReset};
pub use activate::{
    ActivateInput, Activated, ActivationOutcome, ActivationPreview, EligibleRole, Status,
};
pub use alerts::{AlertConfigPatch, AlertView};
pub use approval::RequestView;
pub use assign::{AssignInput, AssignmentDone, RemoveInput, UpdateInput, Window};
pub use audit::{AuditQuery, Verified};
pub use clock::ClockState;
pub use decide::{Decided, Decision};
pub use error::{AuthFailure, ServiceError};
pub use lifecycle::Ask;
pub use settings::{RoleOverview, SettingsView};
pub use signin::{Enrolment, PasswordOk, SignedIn};
pub use tenant::{AuthenticatorCode, CreatedAccount, LabCreated, TenantCreated};
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
    store: Store,
    clock: Arc<dyn Clock>,
    passwords: PasswordHasher,
    sealer: Sealer,
}

/// What a use case sees inside its transaction.
pub(crate) struct Ctx<'t> {
    /// The open transaction.
    pub conn: &'t Transaction<'t>,
    /// Policy time: real time plus the lab clock's offset.
    pub now: Time,
    /// Real time, for TOTP, sessions and lockouts.
    pub real: Time,
    /// The tenant.
    pub tenant: Tenant,
    /// Seals and opens TOTP secrets.
    pub sealer: &'t Sealer,
}

impl Service {
    /// An engine on an open store.
    pub fn new(store: Store, clock: Arc<dyn Clock>, passwords: PasswordHasher) -> Self {
        Self {
            sealer: store.sealer().clone(),
            store,
            clock,
            passwords,
        }
    }

    /// Opens the database at `path` with the system clock and production password hashing.
    pub fn open(path: &std::path::Path, mode: OpenMode) -> ServiceResult<Self> {
        let store = Store::open(path, mode)?;
        Ok(Self::new(
            store,
            Arc::new(crate::clock::SystemClock),
            PasswordHasher::production(),
        ))
    }

    /// The store, for the console's change detection.
    pub fn store(&self) -> &Store {
        &self.store
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
        let due = match Ctx::policy_now(self.store.conn(), real) {
            Ok(now) => sweep::is_due(self.store.conn(), now).unwrap_or(false),
            Err(_) => false,
        };
        if !due {
            return false;
        }
        let sealer = &self.sealer;
        let swept = self.store.try_write(|tx| {
            let ctx = Ctx::new(tx, real, sealer)?;
            sweep::run(&ctx)
        });
        matches!(swept, Ok(Some(())))
    }

    /// Runs a write use case in one `BEGIN IMMEDIATE` transaction, after recording any expiries
    /// that are due. Refusals and authentication failures commit their audit rows.
    fn write<T>(&mut self, f: impl FnOnce(&Ctx<'_>) -> ServiceResult<T>) -> ServiceResult<T> {
        self.transact(|tx, real, sealer| {
            let ctx = Ctx::new(tx, real, sealer)?;
            sweep::run(&ctx)?;
            f(&ctx)
        })
    }

    /// One `BEGIN IMMEDIATE` transaction at real time `real`, with or without a tenant: commits
    /// on success and on answers that keep their audit rows ([`ServiceError::commits`]), rolls
    /// back on anything else.
    fn transact<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, Time, &Sealer) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        let real = self.clock.now();
        let tx = self.store.write()?;
        match f(&tx, real, &self.sealer) {
            Ok(v) => {
                tx.commit()?;
                Ok(v)
            }
            Err(e) if e.commits() => {
                tx.commit()?;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Runs a read use case on one consistent snapshot.
    fn read<T>(&mut self, f: impl FnOnce(&Ctx<'_>) -> ServiceResult<T>) -> ServiceResult<T> {
        let real = self.clock.now();
        let tx = self.store.read()?;
        let ctx = Ctx::new(&tx, real, &self.sealer)?;
        f(&ctx)
    }
}

/// A new GUID.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl<'t> Ctx<'t> {
    /// Policy time at real time `real`, outside any transaction.
    fn policy_now(conn: &rusqlite::Connection, real: Time) -> ServiceResult<Time> {
        let tenant = store::tenant::get(conn)?.ok_or(ServiceError::NoTenant)?;
        Ok(real + tenant.clock_offset)
    }

    fn new(conn: &'t Transaction<'t>, real: Time, sealer: &'t Sealer) -> ServiceResult<Self> {
        let tenant = store::tenant::get(conn)?.ok_or(ServiceError::NoTenant)?;
        Ok(Self {
            conn,
            now: real + tenant.clock_offset,
            real,
            tenant,
            sealer,
        })
    }

    /// An account's TOTP secret, opened with the database's key (`None` before it has one).
    /// A missing key is an error of the installation (exit 1); a secret that does not open
    /// (damaged, or copied from another account) fails the sign-in and is audited.
    pub fn secret(&self, user: &UserRecord) -> ServiceResult<Option<Zeroizing<String>>> {
        let Some(sealed) = user.totp_sealed.as_deref() else {
            return Ok(None);
        };
        match self.sealer.open(sealed, &user.principal.id) {
            Ok(secret) => Ok(Some(secret)),
            Err(Unsealed::KeyMissing(_)) => Err(ServiceError::Store(self.sealer.missing())),
            Err(Unsealed::DoesNotOpen) => {
                self.audit(
                    AuditEntry::new(crate::audit::activity::MFA_FAILED, self.now)
                        .target(&user.principal)
                        .failed()
                        .detail("reason", "the stored authenticator secret does not open"),
                )?;
                Err(ServiceError::Auth(AuthFailure::SecretUnreadable))
            }
        }
    }

    /// The signed-in user behind a session token (real-time expiry).
    pub fn actor(&self, token: &SessionToken) -> ServiceResult<UserRecord> {
        let (user_id, _) = store::users::session(self.conn, &token_hash(&token.0), self.real)?
            .ok_or(ServiceError::Auth(AuthFailure::NotSignedIn))?;
        let user = store::users::by_id(self.conn, &user_id)?
            .ok_or(ServiceError::Auth(AuthFailure::NotSignedIn))?;
        if !user.enabled {
            return Err(ServiceError::Auth(AuthFailure::Disabled));
        }
        Ok(user)
    }

    /// A role by name, slug or template id.
    pub fn role(&self, name: &str) -> ServiceResult<Role> {
        store::roles::resolve(self.conn, name)?.ok_or_else(|| {
            ServiceError::NotFound(format!(
                "no role named '{}'; `pim roles` lists them",
                crate::policy::text::sanitize(name)
            ))
        })
    }

    /// A user by UPN.
    pub fn user(&self, upn: &str) -> ServiceResult<UserRecord> {
        store::users::by_upn(self.conn, upn)?.ok_or_else(|| {
            ServiceError::NotFound(format!(
                "no user '{}'; `pim users list` lists them",
                crate::policy::text::sanitize(upn)
            ))
        })
    }

    /// A role's settings.
    pub fn settings(&self, role_id: &str) -> ServiceResult<RoleSettings> {
        Ok(store::settings::load(self.conn, role_id)?.settings)
    }

    /// Roles the user holds live now.
    pub fn active_roles(&self, user_id: &str) -> ServiceResult<Vec<String>> {
        Ok(store::assignments::active_role_ids(
            self.conn, user_id, self.now,
        )?)
    }

    /// Holds an active Global Administrator or Privileged Role Administrator role now.
    pub fn is_admin(&self, user_id: &str) -> ServiceResult<bool> {
        Ok(self
            .active_roles(user_id)?
            .iter()
            .any(|r| ADMIN_ROLES.contains(&r.as_str())))
    }

    /// May read the whole audit log.
    pub fn is_audit_reader(&self, user_id: &str) -> ServiceResult<bool> {
        Ok(self
            .active_roles(user_id)?
            .iter()
            .any(|r| AUDIT_READER_ROLES.contains(&r.as_str())))
    }

    /// May add users.
    pub fn is_user_admin(&self, user_id: &str) -> ServiceResult<bool> {
        Ok(self
            .active_roles(user_id)?
            .iter()
            .any(|r| ADMIN_ROLES.contains(&r.as_str()) || r == USER_ADMINISTRATOR))
    }

    /// Everyone who receives admin alerts now.
    pub fn admins(&self) -> ServiceResult<Vec<Principal>> {
        Ok(store::assignments::holders(
            self.conn,
            &ADMIN_ROLES,
            self.now,
        )?)
    }

    /// Appends an audit entry in this transaction.
    pub fn audit(&self, entry: AuditEntry) -> ServiceResult<()> {
        store::audit::append(self.conn, entry.written_at(self.real), new_id())?;
        Ok(())
    }

    /// Records a refusal in the audit log and returns it as the error to propagate.
    pub fn refuse(&self, entry: AuditEntry, refusal: crate::policy::Refusal) -> ServiceError {
        match self.audit(entry.refused(&refusal)) {
            Ok(()) => ServiceError::Refused(refusal),
            Err(e) => e,
        }
    }

    /// Audits a refusal that came back from a shared step as an error; other errors pass.
    pub fn refuse_error(&self, entry: &AuditEntry, e: ServiceError) -> ServiceError {
        match e {
            ServiceError::Refused(r) => self.refuse(entry.clone(), r),
            other => other,
        }
    }
}

impl From<rusqlite::Error> for ServiceError {
    fn from(e: rusqlite::Error) -> Self {
        ServiceError::Store(StoreError::Sqlite(e))
    }
}

#[cfg(test)]
mod tests;
