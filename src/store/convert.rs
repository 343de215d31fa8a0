//! Row conversions shared by the table modules: times, switches, enums.

use super::StoreError;
use crate::clock::{Time, from_unix, to_unix};

/// Stored seconds to a time.
pub fn time(secs: i64) -> Time {
    from_unix(secs)
}

/// Optional stored seconds to an optional time.
pub fn opt_time(secs: Option<i64>) -> Option<Time> {
    secs.map(from_unix)
}

/// A time to stored seconds.
pub fn secs(t: Time) -> i64 {
    to_unix(t)
}

/// An optional time to optional stored seconds.
pub fn opt_secs(t: Option<Time>) -> Option<i64> {
    t.map(to_unix)
}

/// A stored enum value this program did not write.
pub fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} '{value}'"))
}

/// Converts a parse failure inside a row mapper into a rusqlite error, so it surfaces as a
/// clear message instead of a panic.
pub fn bad_value(what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown {what} '{value}'").into(),
    )
}
