//! Administrators looking after accounts: password resets, MFA re-registration, disabling and
//! enabling. Each is audited and ends the account's sign-in sessions; disabling keeps the
//! tenant's last permanent Global Administrator.
//!
//! Who may: a Global or Privileged Role Administrator, for any account; a User Administrator,
//! for accounts that neither hold nor may activate an administrator role (as in Entra, where
//! only privileged administrators reset other administrators).

use serde::Serialize;

use super::assign::holds_last_global_admin;
use super::signin::Enrolment;
use super::{Ctx, ServiceError, ServiceResult, SessionToken};
use crate::audit::{AuditEntry, activity};
use crate::auth::lockout::Counters;
use crate::auth::session::token_hash;
use crate::auth::totp::generate_secret;
use crate::policy::assignment::{admin_required, last_global_admin};
use crate::policy::model::{ADMIN_ROLES, AssignmentKind, Principal};
use crate::store::users::UserRecord;

/// The result of an administrator's password reset.
#[derive(Debug, Clone, Serialize)]
pub struct PasswordReset {
    /// The account.
    #[serde(flatten)]
    pub principal: Principal,
    /// The new password, when it was generated (shown once).
    pub generated_password: Option<String>,
    /// Sign-in sessions ended.
    pub sessions_ended: usize,
}

/// The result of requiring an account to register its authenticator again.
#[derive(Debug, Clone)]
pub struct MfaReset {
    /// The account.
    pub principal: Principal,
    /// The new authenticator, to hand over (it is also shown at the next sign-in).
    pub enrolment: Enrolment,
    /// Sign-in sessions ended.
    pub sessions_ended: usize,
}

/// The result of disabling or enabling an account.
#[derive(Debug, Clone, Serialize)]
pub struct AccountState {
    /// The account.
    #[serde(flatten)]
    pub principal: Principal,
    /// Whether it can sign in now.
    pub enabled: bool,
    /// False when it already was in that state.
    pub changed: bool,
    /// Sign-in sessions ended.
    pub sessions_ended: usize,
}

/// Holds an administrator role now, or may activate one.
fn is_privileged(ctx: &Ctx<'_>, user_id: &str) -> ServiceResult<bool> {
    if ctx.is_admin(user_id)? {
        return Ok(true);
    }
    for role in ADMIN_ROLES {
        let eligible = ctx
            .db
            .open_of_kind(user_id, role, AssignmentKind::Eligible)?;
        if eligible.is_some_and(|a| a.is_current(ctx.now)) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The signed-in administrator and the account they act on, or the audited refusal.
fn authorise(
    ctx: &Ctx<'_>,
    token: &SessionToken,
    upn: &str,
    activity_name: crate::audit::activity::Activity,
    action: &str,
) -> ServiceResult<(UserRecord, UserRecord, AuditEntry)> {
    let actor = ctx.actor(token)?;
    let target = ctx.user(upn)?;
    let entry = AuditEntry::new(activity_name, ctx.now)
        .by(&actor.principal)
        .target(&target.principal);
    let allowed = if ctx.is_admin(&actor.principal.id)? {
        true
    } else {
        ctx.is_user_admin(&actor.principal.id)? && !is_privileged(ctx, &target.principal.id)?
    };
    if !allowed {
        return Err(ctx.refuse(entry, admin_required(action)));
    }
    Ok((actor, target, entry))
}

/// Ends the target's sessions, keeping the actor's own when they act on themselves.
fn end_sessions(ctx: &Ctx<'_>, target: &UserRecord, token: &SessionToken) -> ServiceResult<usize> {
    let own = token_hash(&token.0);
    Ok(ctx
        .db
        .delete_sessions_of(&target.principal.id, Some(&own))?)
}

impl super::Service {
    /// `pim users reset-password`: a new password (given, or generated and shown once); the
    /// account is unlocked and signed out everywhere.
    pub fn reset_password(
        &mut self,
        token: &SessionToken,
        upn: &str,
        password: Option<&str>,
    ) -> ServiceResult<PasswordReset> {
        let (hash, generated) = self.new_password(password)?;
        self.write(|ctx| {
            let (_, target, entry) = authorise(
                ctx,
                token,
                upn,
                activity::Activity::PasswordReset,
                "resetting passwords",
            )?;
            ctx.db.set_password_hash(&target.principal.id, &hash)?;
            ctx.db
                .set_counters(&target.principal.id, Counters::default())?;
            let ended = end_sessions(ctx, &target, token)?;
            ctx.audit(entry.detail("sessions_ended", ended))?;
            Ok(PasswordReset {
                principal: target.principal,
                generated_password: generated.clone(),
                sessions_ended: ended,
            })
        })
    }

    /// `pim users reset-mfa`: a new authenticator secret, unconfirmed until its first code
    /// (the account registers again at its next sign-in); signed out everywhere.
    pub fn reset_mfa(&mut self, token: &SessionToken, upn: &str) -> ServiceResult<MfaReset> {
        let secret = generate_secret()
            .map_err(|e| ServiceError::Conflict(format!("no randomness available: {e}")))?;
        self.write(|ctx| {
            let (_, target, entry) = authorise(
                ctx,
                token,
                upn,
                activity::Activity::MfaReset,
                "requiring MFA registration again",
            )?;
            let sealed = ctx.sealer.seal(&secret, &target.principal.id)?;
            ctx.db.set_totp_sealed(&target.principal.id, &sealed)?;
            let ended = end_sessions(ctx, &target, token)?;
            ctx.audit(entry.detail("sessions_ended", ended))?;
            Ok(MfaReset {
                enrolment: Enrolment::for_secret(&secret, &target.principal.upn),
                principal: target.principal,
                sessions_ended: ended,
            })
        })
    }

    /// `pim users disable|enable`. A disabled account cannot sign in and its sessions end;
    /// it stops counting as an administrator, so the last permanent Global Administrator's
    /// account cannot be disabled.
    pub fn set_account_enabled(
        &mut self,
        token: &SessionToken,
        upn: &str,
        enabled: bool,
    ) -> ServiceResult<AccountState> {
        self.write(|ctx| {
            let (activity_name, action) = if enabled {
                (activity::Activity::AccountEnabled, "enabling accounts")
            } else {
                (activity::Activity::AccountDisabled, "disabling accounts")
            };
            let (_, target, entry) = authorise(ctx, token, upn, activity_name, action)?;
            if target.enabled == enabled {
                return Ok(AccountState {
                    principal: target.principal,
                    enabled,
                    changed: false,
                    sessions_ended: 0,
                });
            }
            if !enabled && holds_last_global_admin(ctx, &target.principal.id)? {
                return Err(ctx.refuse(entry, last_global_admin()));
            }
            ctx.db.set_enabled(&target.principal.id, enabled)?;
            let ended = if enabled {
                0
            } else {
                ctx.db.delete_sessions_of(&target.principal.id, None)?
            };
            ctx.audit(entry.detail("sessions_ended", ended))?;
            Ok(AccountState {
                principal: target.principal,
                enabled,
                changed: true,
                sessions_ended: ended,
            })
        })
    }
}
