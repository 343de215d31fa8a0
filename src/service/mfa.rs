//! Verifying a fresh TOTP code inside the transaction that needs it, and counting failures in
//! the database so that guesses from several terminals add up to one lockout.

use super::{AuthFailure, Ctx, ServiceError, ServiceResult};
use crate::audit::{AuditEntry, activity};
use crate::auth::lockout::{Counters, MAX_FAILURES};
use crate::auth::totp::{CodeCheck, check_code, seconds_left};
use crate::policy::model::Role;
use crate::store::users::UserRecord;

/// Where a code is being checked, for messages and the audit log.
pub(super) struct Purpose<'a> {
    /// e.g. "activating Security Reader".
    pub what: String,
    /// The activity recorded when the code fails.
    pub failure_activity: crate::audit::activity::Activity,
    /// The role concerned, if any.
    pub role: Option<&'a Role>,
}

/// Records one failed password or code and returns the counters after it; the failure that
/// locks the account is audited as such.
pub(super) fn record_failure(
    ctx: &Ctx<'_>,
    user: &UserRecord,
    activity_name: crate::audit::activity::Activity,
    reason: &str,
    role: Option<&Role>,
) -> ServiceResult<Counters> {
    let before = user.counters;
    let after = before.after_failure(ctx.real);
    ctx.db.set_counters(&user.principal.id, after)?;
    let mut entry = AuditEntry::new(activity_name, ctx.now)
        .by(&user.principal)
        .target(&user.principal)
        .failed()
        .detail("reason", reason)
        .detail("consecutive_failures", after.failures);
    if let Some(r) = role {
        entry = entry.role(r);
    }
    ctx.audit(entry)?;
    if Counters::just_locked(before, after, ctx.real) {
        ctx.audit(
            AuditEntry::new(activity::Activity::AccountLocked, ctx.now)
                .target(&user.principal)
                .failed()
                .detail("locked_until", after.locked_until)
                .detail("failures", MAX_FAILURES)
                .detail("lockouts", after.lockouts),
        )?;
    }
    Ok(after)
}

/// The error for a failure that left the counters at `after`.
pub(super) fn failure_error(after: Counters, ctx: &Ctx<'_>, wrong: AuthFailure) -> ServiceError {
    match after.locked_until.filter(|_| after.is_locked(ctx.real)) {
        Some(until) => ServiceError::Auth(AuthFailure::Locked { until }),
        None => ServiceError::Auth(wrong),
    }
}

/// Refuses if the account is locked, auditing the blocked attempt.
pub(super) fn ensure_unlocked(
    ctx: &Ctx<'_>,
    user: &UserRecord,
    activity_name: crate::audit::activity::Activity,
    role: Option<&Role>,
) -> ServiceResult<()> {
    let Some(until) = user
        .counters
        .locked_until
        .filter(|_| user.counters.is_locked(ctx.real))
    else {
        return Ok(());
    };
    let mut entry = AuditEntry::new(activity_name, ctx.now)
        .by(&user.principal)
        .target(&user.principal)
        .failed()
        .detail("reason", "account locked")
        .detail("locked_until", until);
    if let Some(r) = role {
        entry = entry.role(r);
    }
    ctx.audit(entry)?;
    Err(ServiceError::Auth(AuthFailure::Locked { until }))
}

/// Verifies a fresh code: valid now (±1 step, real time) and newer than any code this account
/// used before. Wrong codes count towards lockout; replays are audited but not counted.
pub(super) fn verify_code(
    ctx: &Ctx<'_>,
    user: &UserRecord,
    code: Option<&str>,
    purpose: &Purpose<'_>,
) -> ServiceResult<()> {
    if let Some(asked) = ctx.preflight {
        // A preflight asks for no code and spends none; it notes that one would be needed.
        asked.set(true);
        return Ok(());
    }
    if ctx.verified.borrow().as_deref() == Some(user.principal.id.as_str()) {
        return Ok(());
    }
    ensure_unlocked(ctx, user, purpose.failure_activity, purpose.role)?;
    ctx.ensure_clock_forward(purpose.failure_activity, Some(&user.principal))?;
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Err(ServiceError::Auth(AuthFailure::CodeRequired {
            what: purpose.what.clone(),
        }));
    };
    let Some(secret) = ctx.secret(user)? else {
        return Err(ServiceError::Auth(AuthFailure::MfaNotSetUp));
    };
    match check_code(&secret, code, ctx.real.timestamp(), user.totp_last_step) {
        CodeCheck::Accepted { step } => {
            ctx.db.record_code(&user.principal.id, step, ctx.now)?;
            ctx.verified.replace(Some(user.principal.id.clone()));
            Ok(())
        }
        CodeCheck::Replayed { step } => {
            let mut entry = AuditEntry::new(purpose.failure_activity, ctx.now)
                .by(&user.principal)
                .target(&user.principal)
                .failed()
                .detail("reason", "code already used (replay)")
                .detail("step", step);
            if let Some(r) = purpose.role {
                entry = entry.role(r);
            }
            ctx.audit(entry)?;
            Err(ServiceError::Auth(AuthFailure::ReplayedCode {
                wait_seconds: seconds_left(ctx.real.timestamp()),
                after_sign_in: user
                    .last_sign_in
                    .is_some_and(|t| (ctx.now - t).num_seconds().abs() <= 90),
            }))
        }
        CodeCheck::Wrong => {
            let after = record_failure(
                ctx,
                user,
                purpose.failure_activity,
                "wrong code",
                purpose.role,
            )?;
            Err(failure_error(
                after,
                ctx,
                AuthFailure::WrongCode {
                    attempts_left: MAX_FAILURES.saturating_sub(after.failures),
                },
            ))
        }
    }
}

/// The step-up an authentication context asks for, offline: the password entered again (a
/// fresh code is checked next, as for MFA). A wrong password counts towards lockout like a
/// wrong code; a preflight asks for none.
pub(super) fn verify_password_again(
    ctx: &Ctx<'_>,
    hasher: &crate::auth::password::PasswordHasher,
    user: &UserRecord,
    password: Option<&str>,
    purpose: &Purpose<'_>,
    claim: &str,
) -> ServiceResult<()> {
    if let Some(asked) = ctx.preflight {
        asked.set(true);
        return Ok(());
    }
    ensure_unlocked(ctx, user, purpose.failure_activity, purpose.role)?;
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return Err(ServiceError::Auth(AuthFailure::PasswordRequired {
            what: purpose.what.clone(),
            claim: claim.to_owned(),
        }));
    };
    match hasher.verify(password, &user.password_hash) {
        Ok(true) => Ok(()),
        Ok(false) => {
            let reason = format!("wrong password (authentication context {claim})");
            let after = record_failure(ctx, user, purpose.failure_activity, &reason, purpose.role)?;
            Err(failure_error(after, ctx, AuthFailure::WrongPassword))
        }
        Err(_) => Err(ServiceError::Auth(AuthFailure::HashRejected)),
    }
}
