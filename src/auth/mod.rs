//! Authentication: argon2id passwords, TOTP codes and their sealing, lockout arithmetic and
//! session tokens.
//! Everything here runs on real time: the lab clock never touches what the person holds.

pub mod lockout;
pub mod password;
pub mod qr;
pub mod seal;
pub mod session;
pub mod totp;
