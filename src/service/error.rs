//! What a use case can answer besides success, and which answers keep their audit row.

use thiserror::Error;

use crate::clock::Time;
use crate::policy::Refusal;
use crate::policy::duration::format_utc;
use crate::policy::text::count;
use crate::store::StoreError;

/// Why signing in or proving MFA failed. Messages say what to do next.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthFailure {
    /// Unknown account or wrong password (never says which).
    #[error("wrong user name or password")]
    WrongCredentials,
    /// The account is locked after repeated failures.
    #[error(
        "the account is locked until {} after too many failed attempts; try again then, or ask an administrator to unlock it (pim users unlock UPN)",
        format_utc(*until)
    )]
    Locked {
        /// Real time the lock ends.
        until: Time,
    },
    /// The code is not valid now.
    #[error(
        "the code is not valid; type the current 6-digit code from your authenticator ({} left before the account locks)",
        count(*attempts_left, "attempt", "attempts")
    )]
    WrongCode {
        /// Failures left before lockout.
        attempts_left: u32,
    },
    /// The code was valid but already used.
    #[error(
        "{}; wait for the next code from your authenticator (in {wait_seconds}s)",
        if *after_sign_in { "that code just signed you in and cannot be used twice" } else { "that code was already used" }
    )]
    ReplayedCode {
        /// Seconds until a new code appears.
        wait_seconds: u64,
        /// The code was spent signing in moments ago (the usual way to meet this).
        after_sign_in: bool,
    },
    /// A fresh code is needed and none was given.
    #[error(
        "MfaRule: {what} requires multi-factor authentication; give a fresh code from your authenticator"
    )]
    CodeRequired {
        /// What needs it, e.g. "activating Security Reader".
        what: String,
    },
    /// No valid session.
    #[error("you are not signed in (or your sign-in expired); sign in with `pim login --user UPN`")]
    NotSignedIn,
    /// The account is disabled.
    #[error("the account is disabled; ask an administrator")]
    Disabled,
    /// The account has no authenticator yet.
    #[error(
        "no authenticator app is set up for this account; open the console (`pim`) to set one up"
    )]
    MfaNotSetUp,
    /// The stored authenticator secret does not open (tampered, damaged or moved).
    #[error(
        "the account's stored authenticator secret cannot be read; an administrator must make it register again (pim users reset-mfa UPN)"
    )]
    SecretUnreadable,
    /// The stored password hash is unusable (tampered or damaged).
    #[error("the account's stored password cannot be checked; an administrator must reset it")]
    HashRejected,
    /// A role requires an authentication context and the password was not entered again.
    #[error(
        "AuthenticationContextRule: {what} requires authentication context {claim}; enter your password again and give a fresh code from your authenticator"
    )]
    PasswordRequired {
        /// What needs it, e.g. "activating Security Reader".
        what: String,
        /// The context's claim value.
        claim: String,
    },
    /// The password entered again at a step-up was wrong.
    #[error("wrong password")]
    WrongPassword,
}

/// Every non-success answer of a use case.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// Refused by a policy rule (exit 3). The refusal is audited.
    #[error("{0}")]
    Refused(Refusal),
    /// Authentication or MFA failed (exit 4). Failures are audited.
    #[error("{0}")]
    Auth(AuthFailure),
    /// Bad input: unparseable or unacceptable values (exit 2). Nothing is written.
    #[error("{0}")]
    Invalid(String),
    /// A named role, user or item does not exist (exit 2). Nothing is written.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with what the database holds (exit 1). Nothing is written.
    #[error("{0}")]
    Conflict(String),
    /// The database has no tenant yet (exit 1).
    #[error(
        "the database has no tenant yet; create the training lab with `pim lab` or a tenant with `pim init`"
    )]
    NoTenant,
    /// The audit log does not extend its anchor: changes are refused until an administrator
    /// has looked and re-anchored (exit 1). Nothing is written.
    #[error(
        "the audit log does not match its anchor: {0}. Nothing was changed: pim refuses changes until this is looked into. `pim audit verify` shows the details; a Global or Privileged Role Administrator who has found the cause can accept the log as it is with `pim audit reanchor --reason TEXT` (recorded in the log)"
    )]
    AnchorBroken(crate::audit::anchor::AnchorProblem),
    /// The system clock went back further than a small step (exit 1): signing in and
    /// activating are refused so no time is used twice. The refusal is audited.
    #[error(
        "the system clock says {}, but this database has already seen {}: the clock went back by {}. Signing in and activating are refused so that no time is used twice; set the clock right (NTP). If the clock is right now and the earlier time was the mistake, the owner of the database can accept the clock with `pim doctor --accept-clock`",
        format_utc(*real),
        format_utc(*mark),
        crate::policy::duration::format_duration(*mark - *real)
    )]
    ClockBehind {
        /// The system clock now.
        real: Time,
        /// The newest real time the database had seen.
        mark: Time,
    },
    /// Storage failed (exit 1). Nothing is written.
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl ServiceError {
    /// Whether the transaction should still commit: refusals and authentication failures
    /// leave their audit row (and failure counters) behind.
    pub fn commits(&self) -> bool {
        match self {
            ServiceError::Refused(_) | ServiceError::ClockBehind { .. } => true,
            ServiceError::Auth(
                AuthFailure::CodeRequired { .. }
                | AuthFailure::PasswordRequired { .. }
                | AuthFailure::NotSignedIn,
            ) => false,
            ServiceError::Auth(_) => true,
            _ => false,
        }
    }

    /// The process exit code for this answer (see the README's exit code table).
    pub fn exit_code(&self) -> u8 {
        match self {
            ServiceError::Refused(_) => 3,
            ServiceError::Auth(_) => 4,
            ServiceError::Invalid(_) | ServiceError::NotFound(_) => 2,
            ServiceError::Conflict(_)
            | ServiceError::NoTenant
            | ServiceError::AnchorBroken(_)
            | ServiceError::ClockBehind { .. }
            | ServiceError::Store(_) => 1,
        }
    }
}
