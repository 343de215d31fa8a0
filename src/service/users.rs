//! Accounts: adding users (with their authenticator enrolment), listing, unlocking.

use serde::Serialize;

use super::signin::Enrolment;
use super::{ServiceError, ServiceResult, SessionToken, new_id};
use crate::audit::{AuditEntry, activity};
use crate::auth::lockout::Counters;
use crate::auth::password::check_password_policy;
use crate::auth::session::generate_password;
use crate::auth::totp::generate_secret;
use crate::clock::Time;
use crate::policy::assignment::admin_required;
use crate::policy::model::Principal;
use crate::policy::text::{check_display_name, check_upn};
use crate::store::users::UserRecord;

/// A new account and what its owner needs to sign in.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The account.
    pub principal: Principal,
    /// The generated password, when none was given.
    pub generated_password: Option<String>,
    /// The authenticator enrolment (secret, URI, QR code).
    pub enrolment: Enrolment,
}

/// An account as lists show it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserSummary {
    /// Id, UPN, name.
    #[serde(flatten)]
    pub principal: Principal,
    /// Can sign in.
    pub enabled: bool,
    /// An authenticator is confirmed.
    pub mfa_registered: bool,
    /// Locked until (real time), when locked.
    pub locked_until: Option<Time>,
    /// Lockouts since the last successful sign-in (each one lasts longer).
    pub lockouts: u32,
    /// Last sign-in (policy time).
    pub last_sign_in: Option<Time>,
}

/// What the signed-in account may do, so a console can show it before anyone presses a key
/// that would be refused (the engine still checks every request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// The account.
    pub principal: Principal,
    /// Holds an active Global or Privileged Role Administrator role.
    pub admin: bool,
    /// May read the whole audit log.
    pub audit_reader: bool,
    /// The administrator roles this account is eligible for (what to activate to administer).
    pub eligible_admin_roles: Vec<String>,
    /// The tenant is a training lab.
    pub lab: bool,
}

impl super::Service {
    /// A new password's hash: the one given (checked against the password policy) or a
    /// generated one, which is returned to be shown once. Hashing happens before any
    /// transaction, so a slow hash never holds the write lock.
    pub(super) fn new_password(
        &self,
        given: Option<&str>,
    ) -> ServiceResult<(String, Option<String>)> {
        let generated = match given {
            Some(p) => {
                check_password_policy(p).map_err(|e| ServiceError::Invalid(e.to_string()))?;
                None
            }
            None => Some(
                generate_password()
                    .map_err(|e| ServiceError::Conflict(format!("no randomness available: {e}")))?,
            ),
        };
        let password = given.or(generated.as_deref()).unwrap_or_default();
        let hash = self
            .passwords
            .hash(password)
            .map_err(|e| ServiceError::Conflict(format!("password hashing failed: {e}")))?;
        Ok((hash, generated))
    }

    /// What the signed-in account may do now.
    pub fn capabilities(&mut self, token: &SessionToken) -> ServiceResult<Capabilities> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let mut eligible_admin_roles = Vec::new();
            for role_id in crate::policy::model::ADMIN_ROLES {
                let open = ctx.db.open_of_kind(
                    &me.id,
                    role_id,
                    crate::policy::model::AssignmentKind::Eligible,
                )?;
                if open.is_some_and(|a| a.is_current(ctx.now))
                    && let Some(role) = ctx.db.role(role_id)?
                {
                    eligible_admin_roles.push(role.display_name);
                }
            }
            Ok(Capabilities {
                admin: ctx.is_admin(&me.id)?,
                audit_reader: ctx.is_audit_reader(&me.id)?,
                eligible_admin_roles,
                lab: ctx.tenant.kind == crate::policy::model::TenantKind::Lab,
                principal: me,
            })
        })
    }

    /// Adds a user (needs an active Global, Privileged Role or User Administrator role).
    /// Without a password, one is generated; an authenticator secret is always generated.
    pub fn add_user(
        &mut self,
        token: &SessionToken,
        upn: &str,
        display_name: &str,
        password: Option<&str>,
    ) -> ServiceResult<NewAccount> {
        let display_name = check_display_name(display_name).map_err(ServiceError::Invalid)?;
        let (hash, generated) = self.new_password(password)?;
        let secret = generate_secret()
            .map_err(|e| ServiceError::Conflict(format!("no randomness available: {e}")))?;
        self.write(|ctx| {
            let actor = ctx.actor(token)?.principal;
            let upn = check_upn(upn, &ctx.tenant.domain).map_err(ServiceError::Invalid)?;
            let attempt = AuditEntry::new(activity::Activity::UserAdded, ctx.now)
                .by(&actor)
                .target_name(&upn);
            if !ctx.is_user_admin(&actor.id)? {
                return Err(ctx.refuse(attempt, admin_required("adding users")));
            }
            if ctx.db.user_by_upn(&upn)?.is_some() {
                return Err(ServiceError::Conflict(format!(
                    "a user named {upn} already exists"
                )));
            }
            let principal = Principal {
                id: new_id(),
                upn: upn.clone(),
                display_name: display_name.clone(),
            };
            let sealed = ctx.sealer.seal(&secret, &principal.id)?;
            ctx.db.insert_user(&UserRecord::new_account(
                principal.clone(),
                hash.clone(),
                sealed,
                None,
                ctx.now,
            ))?;
            ctx.audit(
                AuditEntry::new(activity::Activity::UserAdded, ctx.now)
                    .by(&actor)
                    .target(&principal),
            )?;
            Ok(NewAccount {
                enrolment: Enrolment::for_secret(&secret, &principal.upn),
                principal,
                generated_password: generated.clone(),
            })
        })
    }

    /// One page of accounts, by UPN.
    pub fn users(
        &mut self,
        token: &SessionToken,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<Vec<UserSummary>> {
        self.read(|ctx| {
            ctx.actor(token)?;
            let rows = ctx.db.list_users(search, limit, offset)?;
            Ok(rows
                .into_iter()
                .map(|u| UserSummary {
                    mfa_registered: u.mfa_registered_at.is_some(),
                    locked_until: u
                        .counters
                        .locked_until
                        .filter(|_| u.counters.is_locked(ctx.real)),
                    lockouts: u.counters.lockouts,
                    principal: u.principal,
                    enabled: u.enabled,
                    last_sign_in: u.last_sign_in,
                })
                .collect())
        })
    }

    /// Lifts a lockout (administrators only).
    pub fn unlock_user(&mut self, token: &SessionToken, upn: &str) -> ServiceResult<Principal> {
        self.write(|ctx| {
            let actor = ctx.actor(token)?.principal;
            let target = ctx.user(upn)?;
            let attempt = AuditEntry::new(activity::Activity::AccountUnlocked, ctx.now)
                .by(&actor)
                .target(&target.principal);
            if !ctx.is_user_admin(&actor.id)? {
                return Err(ctx.refuse(attempt, admin_required("unlocking accounts")));
            }
            ctx.db
                .set_counters(&target.principal.id, Counters::default())?;
            ctx.audit(attempt)?;
            Ok(target.principal)
        })
    }
}
