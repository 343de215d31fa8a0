//! Signing in (password, then TOTP: MFA is mandatory at sign-in, as on Entra's admin portals),
//! sessions, and signing out. Password hashing runs outside the write transaction so a slow
//! hash never holds the lock.

use serde::Serialize;

use super::mfa::{Purpose, ensure_unlocked, failure_error, record_failure, verify_code};
use super::{AuthFailure, ServiceError, ServiceResult, SessionToken};
use crate::audit::{AuditEntry, activity};
use crate::auth::password::StoredHashError;
use crate::auth::qr::Qr;
use crate::auth::session::{SESSION_LIFETIME, new_token, token_hash};
use crate::auth::totp::otpauth_uri;
use crate::clock::Time;
use crate::policy::model::Principal;
use crate::policy::text::{MAX_UPN_CHARS, clip, sanitize};
use crate::store;

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session token (keep it; only its hash is stored).
    pub token: SessionToken,
    /// Who signed in.
    pub principal: Principal,
    /// When the session ends (real time).
    pub expires: Time,
}

/// An authenticator enrolment: what to put into the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    /// Base32 secret.
    pub secret: String,
    /// `otpauth://` URI.
    pub uri: String,
    /// The URI as a QR code.
    #[serde(skip)]
    pub qr: Option<Qr>,
}

impl Enrolment {
    /// The enrolment material for an account's secret.
    pub fn for_secret(secret: &str, upn: &str) -> Self {
        let uri = otpauth_uri(secret, upn).unwrap_or_default();
        let qr = Qr::new(&uri);
        Self {
            secret: secret.to_owned(),
            uri,
            qr,
        }
    }
}

/// A correct password: who it is, and the authenticator to set up if none is confirmed yet.
#[derive(Debug, Clone)]
pub struct PasswordOk {
    /// The account.
    pub principal: Principal,
    /// Present when the account must register its authenticator before signing in.
    pub enrolment: Option<Enrolment>,
}

/// What the password check found (before the code is asked for).
enum PasswordCheck {
    Unknown,
    Locked,
    Checked(Result<bool, StoredHashError>),
}

impl super::Service {
    fn check_password_outside(&self, upn: &str, password: &str) -> ServiceResult<PasswordCheck> {
        let real = self.clock.now();
        let found = if upn.chars().count() > MAX_UPN_CHARS {
            None
        } else {
            self.store.user_by_upn(upn)?
        };
        Ok(match found {
            None => {
                self.passwords.verify_dummy(password);
                PasswordCheck::Unknown
            }
            Some(u) if u.counters.is_locked(real) => {
                self.passwords.verify_dummy(password);
                PasswordCheck::Locked
            }
            Some(u) => PasswordCheck::Checked(self.passwords.verify(password, &u.password_hash)),
        })
    }

    /// Checks the password alone, so a console can ask for the code next. Failures are counted
    /// and audited exactly as in [`Self::sign_in`]. For an account whose authenticator is not
    /// confirmed yet, returns the enrolment to show (creating a secret if it has none): the
    /// first accepted code then confirms it, like Entra's "More information required".
    pub fn check_password(&mut self, upn: &str, password: &str) -> ServiceResult<PasswordOk> {
        let checked = self.check_password_outside(upn, password)?;
        let fresh = crate::auth::totp::generate_secret()
            .map_err(|e| ServiceError::Conflict(format!("no randomness available: {e}")))?;
        self.write_open(|ctx| {
            let user = password_step(ctx, upn, checked)?;
            let enrolment = match (ctx.secret(&user)?, user.mfa_registered_at) {
                (Some(_), Some(_)) => None,
                (Some(secret), None) => Some(Enrolment::for_secret(&secret, &user.principal.upn)),
                (None, _) => {
                    let sealed = ctx.sealer.seal(&fresh, &user.principal.id)?;
                    ctx.db.set_totp_sealed(&user.principal.id, &sealed)?;
                    Some(Enrolment::for_secret(&fresh, &user.principal.upn))
                }
            };
            Ok(PasswordOk {
                principal: user.principal,
                enrolment,
            })
        })
    }

    /// Signs in with password and TOTP code; returns a new 8-hour session.
    pub fn sign_in(&mut self, upn: &str, password: &str, code: &str) -> ServiceResult<SignedIn> {
        let checked = self.check_password_outside(upn, password)?;
        let token = new_token()
            .map_err(|e| ServiceError::Conflict(format!("no randomness available: {e}")))?;
        self.write_open(|ctx| {
            let user = password_step(ctx, upn, checked)?;
            let purpose = Purpose {
                what: "signing in".into(),
                failure_activity: activity::Activity::SignInFailed,
                role: None,
            };
            let first = user.mfa_registered_at.is_none();
            verify_code(ctx, &user, Some(code), &purpose)?;
            if first {
                ctx.audit(
                    AuditEntry::new(activity::Activity::MfaRegistered, ctx.now)
                        .by(&user.principal)
                        .target(&user.principal),
                )?;
            }
            let expires = ctx.real + SESSION_LIFETIME;
            ctx.db.purge_sessions(ctx.real)?;
            ctx.db
                .insert_session(&token_hash(&token), &user.principal.id, ctx.real, expires)?;
            ctx.db.record_sign_in(&user.principal.id, ctx.now)?;
            ctx.audit(
                AuditEntry::new(activity::Activity::SignIn, ctx.now)
                    .by(&user.principal)
                    .target(&user.principal)
                    .detail("session_expires", expires),
            )?;
            Ok(SignedIn {
                token: SessionToken(token.clone()),
                principal: user.principal,
                expires,
            })
        })
    }

    /// The account behind a session, if it is still valid.
    pub fn session_user(&mut self, token: &SessionToken) -> ServiceResult<Principal> {
        self.read(|ctx| Ok(ctx.actor(token)?.principal))
    }

    /// Ends a session. Signing out of an expired session is not an error.
    pub fn sign_out(&mut self, token: &SessionToken) -> ServiceResult<()> {
        self.write_open(|ctx| {
            let user = ctx.actor(token).ok();
            if ctx.db.delete_session(&token_hash(&token.0))?
                && let Some(user) = user
            {
                ctx.audit(
                    AuditEntry::new(activity::Activity::SignOut, ctx.now)
                        .by(&user.principal)
                        .target(&user.principal),
                )?;
            }
            Ok(())
        })
    }
}

/// The password half of signing in, inside the transaction: unknown, locked, disabled and
/// wrong-password attempts are audited (and counted, for known accounts).
fn password_step(
    ctx: &super::Ctx<'_>,
    upn: &str,
    checked: PasswordCheck,
) -> ServiceResult<store::users::UserRecord> {
    let found = if upn.chars().count() > MAX_UPN_CHARS {
        None
    } else {
        ctx.db.user_by_upn(upn)?
    };
    ctx.ensure_clock_forward(
        activity::Activity::SignInFailed,
        found.as_ref().map(|u| &u.principal),
    )?;
    let Some(user) = found else {
        ctx.audit(
            AuditEntry::new(activity::Activity::SignInFailed, ctx.now)
                .target_name(&clip(&sanitize(upn), MAX_UPN_CHARS))
                .failed()
                .detail("reason", "unknown user"),
        )?;
        return Err(ServiceError::Auth(AuthFailure::WrongCredentials));
    };
    ensure_unlocked(ctx, &user, activity::Activity::SignInBlocked, None)?;
    if !user.enabled {
        ctx.audit(
            AuditEntry::new(activity::Activity::SignInFailed, ctx.now)
                .target(&user.principal)
                .failed()
                .detail("reason", "account disabled"),
        )?;
        return Err(ServiceError::Auth(AuthFailure::Disabled));
    }
    match checked {
        PasswordCheck::Checked(Ok(true)) => Ok(user),
        PasswordCheck::Checked(Err(e)) => {
            ctx.audit(
                AuditEntry::new(activity::Activity::SignInFailed, ctx.now)
                    .target(&user.principal)
                    .failed()
                    .detail("reason", e.to_string()),
            )?;
            Err(ServiceError::Auth(AuthFailure::HashRejected))
        }
        PasswordCheck::Checked(Ok(false)) | PasswordCheck::Unknown | PasswordCheck::Locked => {
            let after = record_failure(
                ctx,
                &user,
                activity::Activity::SignInFailed,
                "wrong password",
                None,
            )?;
            Err(failure_error(after, ctx, AuthFailure::WrongCredentials))
        }
    }
}
