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

/// The password alphabet: no look-alike characters (0/O, 1/l/I).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Random bytes below this are used (`byte % 55`); the rest are drawn again, so every
/// character is equally likely (220 is the largest multiple of 55 under 256).
const UNBIASED_BELOW: u8 = (256 / ALPHABET.len() * ALPHABET.len()) as u8;

/// Characters from random bytes, each byte used only when it maps without bias.
fn unbiased_chars(bytes: &[u8]) -> impl Iterator<Item = char> + '_ {
    bytes
        .iter()
        .filter(|b| **b < UNBIASED_BELOW)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
}

/// A random password for generated accounts: four groups of four from an alphabet without
/// look-alike characters, e.g. `Kq7m-Rt4x-Hv9p-Wz3c` (16 × log2 55, about 92 bits).
pub fn generate_password() -> Result<String, getrandom::Error> {
    let mut chars: Vec<char> = Vec::with_capacity(16);
    while chars.len() < 16 {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        chars.extend(unbiased_chars(&bytes).take(16 - chars.len()));
    }
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
    fn every_character_is_equally_likely() {
        assert_eq!(UNBIASED_BELOW, 220);
        // Each of the 220 usable byte values maps to one character, four bytes per character;
        // the 36 above would favour the first 36 characters, so they are dropped.
        let all: Vec<u8> = (0..=255).collect();
        let mut counts = std::collections::HashMap::new();
        for c in unbiased_chars(&all) {
            *counts.entry(c).or_insert(0) += 1;
        }
        assert_eq!(counts.len(), ALPHABET.len());
        assert!(counts.values().all(|n| *n == 4), "{counts:?}");
    }

    #[test]
    fn generated_passwords_meet_the_policy() {
        let p = generate_password().unwrap();
        assert_eq!(p.len(), 19);
        assert!(crate::auth::password::check_password_policy(&p).is_ok());
    }
}
