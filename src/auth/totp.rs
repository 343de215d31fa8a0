//! TOTP (RFC 6238: SHA1, 6 digits, 30 s, ±1 step) for sign-in and activation MFA: secrets,
//! enrolment URIs and QR codes, and verification that reports the matched step so the caller
//! can refuse replays.

use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "PIM Console";
/// Seconds per code.
pub const STEP_SECONDS: u64 = 30;
/// Bytes of secret: 160 bits, RFC 4226's recommendation and what authenticator apps expect.
pub const SECRET_BYTES: usize = 20;

/// The outcome of checking a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Valid and newer than any code accepted before: the step to store.
    Accepted {
        /// The matched time step.
        step: u64,
    },
    /// Valid but its step was already used (or is older than one that was).
    Replayed {
        /// The matched time step.
        step: u64,
    },
    /// Not a valid code for this secret now.
    Wrong,
}

/// A fresh random 160-bit secret, base32 (RFC 4648, no padding).
pub fn generate_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes)?;
    Ok(Secret::from(bytes).to_base32())
}

fn build(secret_base32: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32.trim()).ok()?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .ok()
}

/// Checks a code typed by a person at `unix_time` (real time, never the lab clock). Only ASCII
/// spaces are removed; anything else that is not exactly six ASCII digits is wrong. `last_step`
/// is the newest step accepted before: a code for it or an older step is a replay.
pub fn check_code(
    secret_base32: &str,
    code: &str,
    unix_time: i64,
    last_step: Option<u64>,
) -> CodeCheck {
    let normalised: String = code.chars().filter(|c| *c != ' ').collect();
    let (Ok(time), Some(totp)) = (u64::try_from(unix_time), build(secret_base32, "")) else {
        return CodeCheck::Wrong;
    };
    match totp.check(&normalised, time) {
        None => CodeCheck::Wrong,
        Some(step) if last_step.is_some_and(|last| step <= last) => CodeCheck::Replayed { step },
        Some(step) => CodeCheck::Accepted { step },
    }
}

/// The code an authenticator shows at `unix_time` (the lab's built-in authenticator and tests).
pub fn code_at(secret_base32: &str, unix_time: i64) -> Option<String> {
    let time = u64::try_from(unix_time).ok()?;
    Some(build(secret_base32, "")?.generate(time).to_string())
}

/// Seconds until the current code changes.
pub fn seconds_left(unix_time: i64) -> u64 {
    let t = u64::try_from(unix_time).unwrap_or(0);
    STEP_SECONDS - t % STEP_SECONDS
}

/// The `otpauth://` enrolment URI for an account.
pub fn otpauth_uri(secret_base32: &str, account: &str) -> Option<String> {
    build(secret_base32, account)?.to_url().ok()
}

#[cfg(test)]
#[path = "totp_tests.rs"]
mod tests;
