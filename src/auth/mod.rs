//! Authentication: argon2id passwords, TOTP codes, lockout arithmetic and session tokens.
//! Everything here runs on real time: the lab clock never touches what the person holds.

pub mod lockout;
pub mod password;
pub mod session;
pub mod totp;
