//! Sealing TOTP secrets: XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`) with a 256-bit
//! key that lives in a key file outside the database, so a copied database alone yields no
//! usable second factor. Each sealed secret is bound to its database and account (associated
//! data), so copying one account's sealed secret onto another does not open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use thiserror::Error;
use zeroize::Zeroizing;

/// The first line of a key file, naming what it is.
const KEY_FILE_HEADER: &str = "pim-console totp-seal-key v1";
/// Bytes of key.
const KEY_BYTES: usize = 32;
/// Bytes of nonce (random for each sealing; 192 bits never repeat by chance).
const NONCE_BYTES: usize = 24;
/// A version byte in front of each sealed secret, for a future change of scheme.
const VERSION: u8 = 1;

/// Why a key file or a sealed secret could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SealError {
    /// The key file is not one pim wrote.
    #[error("it is not a pim key file")]
    NotAKeyFile,
    /// The sealed secret does not open with this key for this account: damaged, sealed with
    /// another key, or moved from another account.
    #[error("the sealed secret does not open with this key for this account")]
    DoesNotOpen,
    /// No randomness for a nonce or a key.
    #[error("no randomness available: {0}")]
    NoRandomness(String),
}

/// The key that seals TOTP secrets.
#[derive(Clone)]
pub struct SealKey(Zeroizing<[u8; KEY_BYTES]>);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(…)")
    }
}

impl SealKey {
    /// A new random key.
    pub fn generate() -> Result<Self, SealError> {
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        getrandom::fill(key.as_mut()).map_err(|e| SealError::NoRandomness(e.to_string()))?;
        Ok(Self(key))
    }

    /// The key file's text: a header line naming the database it belongs to, and the key in
    /// hex.
    pub fn to_file_text(&self, database_id: &str) -> Zeroizing<String> {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        Zeroizing::new(format!("{KEY_FILE_HEADER} {database_id}\n{hex}\n"))
    }

    /// Reads a key file's text: the key and the database it belongs to.
    pub fn from_file_text(text: &str) -> Result<(Self, String), SealError> {
        let mut lines = text.lines();
        let owner = lines
            .next()
            .and_then(|l| l.strip_prefix(KEY_FILE_HEADER))
            .and_then(|rest| rest.strip_prefix(' '))
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))
            .ok_or(SealError::NotAKeyFile)?
            .to_owned();
        let hex = lines.next().unwrap_or_default().trim();
        if hex.len() != KEY_BYTES * 2 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SealError::NotAKeyFile);
        }
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16)
                .map_err(|_| SealError::NotAKeyFile)?;
        }
        Ok((Self(key), owner))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }

    /// Seals `secret` for the account `user_id` of the database `database_id`:
    /// version byte, nonce, ciphertext with its tag.
    pub fn seal(
        &self,
        secret: &str,
        database_id: &str,
        user_id: &str,
    ) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|e| SealError::NoRandomness(e.to_string()))?;
        let aad = associated_data(database_id, user_id);
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::DoesNotOpen)?;
        let mut out = Vec::with_capacity(1 + NONCE_BYTES + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a sealed secret of the account `user_id` of the database `database_id`.
    pub fn open(
        &self,
        sealed: &[u8],
        database_id: &str,
        user_id: &str,
    ) -> Result<Zeroizing<String>, SealError> {
        let Some((&VERSION, rest)) = sealed.split_first() else {
            return Err(SealError::DoesNotOpen);
        };
        if rest.len() < NONCE_BYTES {
            return Err(SealError::DoesNotOpen);
        }
        let (nonce, body) = rest.split_at(NONCE_BYTES);
        let aad = associated_data(database_id, user_id);
        let plain = Zeroizing::new(
            self.cipher()
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: body,
                        aad: &aad,
                    },
                )
                .map_err(|_| SealError::DoesNotOpen)?,
        );
        String::from_utf8(plain.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| SealError::DoesNotOpen)
    }
}

/// Binds a sealed secret to its database and account, unambiguously (length-prefixed).
fn associated_data(database_id: &str, user_id: &str) -> Vec<u8> {
    let mut out = b"pim-totp-v1".to_vec();
    for part in [database_id, user_id] {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_database_and_account() {
        let key = SealKey::generate().unwrap();
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let sealed = key.seal(secret, "db1", "alice").unwrap();
        assert!(!sealed.windows(8).any(|w| w == &secret.as_bytes()[..8]));
        assert_eq!(key.open(&sealed, "db1", "alice").unwrap().as_str(), secret);
        assert_eq!(
            key.open(&sealed, "db1", "mallory"),
            Err(SealError::DoesNotOpen),
            "moved to another account"
        );
        assert_eq!(
            key.open(&sealed, "db2", "alice"),
            Err(SealError::DoesNotOpen)
        );
        let other = SealKey::generate().unwrap();
        assert_eq!(
            other.open(&sealed, "db1", "alice"),
            Err(SealError::DoesNotOpen)
        );
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(
            key.open(&flipped, "db1", "alice"),
            Err(SealError::DoesNotOpen)
        );
        for short in [&[][..], &[1], &sealed[..10]] {
            assert_eq!(key.open(short, "db1", "alice"), Err(SealError::DoesNotOpen));
        }
        assert_ne!(
            key.seal(secret, "db1", "alice").unwrap(),
            sealed,
            "a fresh nonce each time"
        );
    }

    #[test]
    fn key_files_round_trip_and_anything_else_is_refused() {
        let key = SealKey::generate().unwrap();
        let text = key.to_file_text("d1");
        let (back, owner) = SealKey::from_file_text(&text).unwrap();
        assert_eq!(owner, "d1");
        let sealed = key.seal("S", "d", "u").unwrap();
        assert_eq!(back.open(&sealed, "d", "u").unwrap().as_str(), "S");
        for bad in [
            "",
            "pim-console totp-seal-key v1 d1\n",
            "pim-console totp-seal-key v1 d1\nzz",
            "pim-console totp-seal-key v1\n00",
            "something else\n00",
        ] {
            assert_eq!(
                SealKey::from_file_text(bad).unwrap_err(),
                SealError::NotAKeyFile
            );
        }
    }
}
