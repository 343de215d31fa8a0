//! Sign-in session tokens: random, shown to the holder once, stored only as a SHA-256 hash.

use chrono::TimeDelta;
use sha2::{Digest, Sha256};

/// How long a sign-in lasts (real time), like a working day.
pub const SESSION_LIFETIME: TimeDelta = TimeDelta::hours(8);

/// A new random token (256 bits, hex).
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lower-case hex of a digest, without allocating.
pub fn hex_into<'b>(digest: &[u8; 32], out: &'b mut [u8; 64]) -> &'b str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 15)];
    }
    std::str::from_utf8(out).unwrap_or("")
}

/// A random password for generated accounts: four groups of four from an alphabet without
/// look-alike characters, e.g. `Kq7m-Rt4x-Hv9p-Wz3c` (about 95 bits).
pub fn generate_password() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let a = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token().unwrap());
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn generated_passwords_meet_the_policy() {
        let p = generate_password().unwrap();
        assert_eq!(p.len(), 19);
        assert!(crate::auth::password::check_password_policy(&p).is_ok());
    }
}
