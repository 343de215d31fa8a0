//! Passwords: argon2id PHC strings with OWASP parameters, verified only after the stored
//! parameters are checked against a ceiling (a hostile `t=4294967295` would otherwise hang every
//! sign-in), and a password policy for new passwords.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier, Version};
use thiserror::Error;

/// Largest memory cost accepted from a stored hash (256 MiB, in KiB).
pub const MAX_M_COST: u32 = 256 * 1024;
/// Largest iteration count accepted from a stored hash.
pub const MAX_T_COST: u32 = 10;
/// Largest parallelism accepted from a stored hash.
pub const MAX_P_COST: u32 = 8;
/// Shortest password accepted for new accounts.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted (argon2 itself would take more; nobody types this much).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Why a stored hash could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoredHashError {
    /// Not a PHC string, or not argon2id v19.
    #[error("the stored password hash is not an argon2id (v=19) PHC string")]
    Malformed,
    /// Parameters beyond the ceiling.
    #[error("the stored password hash has out-of-bounds parameters (m={m}, t={t}, p={p})")]
    OutOfBounds {
        /// Memory cost in KiB.
        m: u32,
        /// Iterations.
        t: u32,
        /// Parallelism.
        p: u32,
    },
}

/// Why a new password was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PasswordPolicyError {
    /// Too short.
    #[error("the password is too short: use at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// Too long.
    #[error("the password is too long: use at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    /// Contains control characters, which can't be typed reliably.
    #[error("the password contains control characters; use printable characters only")]
    Control,
}

/// Checks a new password (never applied to existing ones at sign-in).
pub fn check_password_policy(password: &str) -> Result<(), PasswordPolicyError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(PasswordPolicyError::TooShort);
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(PasswordPolicyError::TooLong);
    }
    if password.chars().any(char::is_control) {
        return Err(PasswordPolicyError::Control);
    }
    Ok(())
}

/// A hash of a password nobody has, made with the production parameters, so that checking an
/// unknown account costs exactly one verification, like a known one (computing it at start-up
/// would add a hash to every command).
const PRODUCTION_DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$1hFXO1fPc0g5wM3qbGGlaQ$ofQb/fOlwNSMAWJQUqmw+LwuGUDJl9uEcvXjbBqOYNM";

/// Hashes and verifies passwords with fixed parameters.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
    dummy: std::sync::OnceLock<String>,
}

impl PasswordHasher {
    /// OWASP's argon2id minimum (m=19 MiB, t=2, p=1), the crate's default: used everywhere
    /// except unit tests.
    pub fn production() -> Self {
        Self {
            params: Params::DEFAULT,
            dummy: std::sync::OnceLock::from(PRODUCTION_DUMMY.to_owned()),
        }
    }

    /// Deliberately weak parameters so unit tests stay fast. Never used by the binary.
    pub fn fast_for_tests() -> Self {
        Self {
            params: Params::new(256, 1, 1, None).unwrap_or(Params::DEFAULT),
            dummy: std::sync::OnceLock::new(),
        }
    }

    /// The throwaway hash [`Self::verify_dummy`] checks against: same parameters as real
    /// hashes, so it takes the same time.
    pub fn dummy_hash(&self) -> &str {
        self.dummy.get_or_init(|| {
            self.hash("pim-console dummy password: never an account's")
                .unwrap_or_else(|_| PRODUCTION_DUMMY.to_owned())
        })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// A PHC string for the password, with a fresh random salt.
    pub fn hash(&self, password: &str) -> Result<String, argon2::password_hash::Error> {
        Ok(self
            .argon2()
            .hash_password(password.as_bytes())?
            .to_string())
    }

    /// Checks `password` against a stored PHC string, bounding its parameters first.
    pub fn verify(&self, password: &str, stored: &str) -> Result<bool, StoredHashError> {
        let parsed = bounded(stored)?;
        Ok(self
            .argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    }

    /// Spends the time of one verification against a throwaway hash, so an unknown (or
    /// locked) account answers as slowly as a known one.
    pub fn verify_dummy(&self, password: &str) {
        let _ = self.verify(password, self.dummy_hash());
    }
}

/// Parses a stored hash and refuses anything but argon2id v19 within the ceilings.
pub fn bounded(stored: &str) -> Result<PasswordHash, StoredHashError> {
    let parsed = PasswordHash::new(stored).map_err(|_| StoredHashError::Malformed)?;
    if parsed.algorithm.as_str() != "argon2id" || parsed.version != Some(19) {
        return Err(StoredHashError::Malformed);
    }
    let get = |name: &str| {
        parsed
            .params
            .get_decimal(name)
            .ok_or(StoredHashError::Malformed)
    };
    let (m, t, p) = (get("m")?, get("t")?, get("p")?);
    if m > MAX_M_COST || t > MAX_T_COST || p > MAX_P_COST || t == 0 || p == 0 {
        return Err(StoredHashError::OutOfBounds { m, t, p });
    }
    Ok(parsed)
}

#[cfg(test)]
#[path = "password_vectors.rs"]
mod vectors;

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let dummy = bounded(PRODUCTION_DUMMY).unwrap();
        let real = PasswordHasher::production().hash("x").unwrap();
        let real = bounded(&real).unwrap();
        for p in ["m", "t", "p"] {
            assert_eq!(
                dummy.params.get_decimal(p),
                real.params.get_decimal(p),
                "{p}"
            );
        }
        assert_eq!(PasswordHasher::production().dummy_hash(), PRODUCTION_DUMMY);
        let fast = PasswordHasher::fast_for_tests();
        assert!(fast.dummy_hash().contains("m=256,t=1,p=1"));
        assert!(!fast.verify("guess", fast.dummy_hash()).unwrap());
    }

    #[test]
    fn production_hashes_use_owasp_parameters() {
        let h = PasswordHasher::production()
            .hash("correct horse battery")
            .unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert_eq!(
            PasswordHasher::production().verify("correct horse battery", &h),
            Ok(true)
        );
        assert_eq!(PasswordHasher::production().verify("wrong", &h), Ok(false));
    }

    #[test]
    fn hostile_parameters_are_refused_quickly() {
        let hasher = PasswordHasher::fast_for_tests();
        let started = Instant::now();
        for hostile in [
            "$argon2id$v=19$m=65536,t=4294967295,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=255$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        ] {
            assert!(
                matches!(
                    hasher.verify("password", hostile),
                    Err(StoredHashError::OutOfBounds { .. })
                ),
                "{hostile}"
            );
        }
        assert!(started.elapsed() < Duration::from_millis(100));
    }

    #[test]
    fn other_algorithms_and_garbage_are_malformed() {
        let hasher = PasswordHasher::fast_for_tests();
        for bad in [
            "",
            "plaintext",
            "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8",
            "$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        ] {
            assert_eq!(
                hasher.verify("password", bad),
                Err(StoredHashError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn password_policy() {
        assert_eq!(
            check_password_policy("short"),
            Err(PasswordPolicyError::TooShort)
        );
        assert_eq!(
            check_password_policy(&"x".repeat(257)),
            Err(PasswordPolicyError::TooLong)
        );
        assert_eq!(
            check_password_policy("twelve chars\n!"),
            Err(PasswordPolicyError::Control)
        );
        assert_eq!(check_password_policy("Kq7m-Rt4x-Hv9p"), Ok(()));
    }
}
