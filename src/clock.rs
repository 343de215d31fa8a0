//! The one source of "now": the system clock in production, a settable clock in tests.
//!
//! Policy time is this clock plus the lab tenant's stored offset (see `service`); what belongs to
//! the person at the keyboard (TOTP codes, sign-in sessions, lockouts) uses this clock unshifted.

use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};

/// A point in time, always UTC inside the engine; local time exists only on screen.
pub type Time = DateTime<Utc>;

/// Where the engine reads the current time. Injected so tests can move time explicitly.
pub trait Clock: Send + Sync {
    /// The current real time.
    fn now(&self) -> Time;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    /// The system time, also when the machine believes it is before 1970 (a dead RTC battery,
    /// a bad NTP step): chrono's `Utc::now` would panic there; this gives the early time and
    /// lets the time checks refuse it.
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place that reads the system time"
    )]
    fn now(&self) -> Time {
        from_system_time(std::time::SystemTime::now())
    }
}

/// A system time as a UTC time, before the Unix epoch included; times beyond what a date can
/// hold clamp to the epoch.
pub fn from_system_time(t: std::time::SystemTime) -> Time {
    let signed = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(after) => TimeDelta::from_std(after).ok(),
        Err(before) => TimeDelta::from_std(before.duration()).ok().map(|d| -d),
    };
    signed
        .and_then(|d| DateTime::UNIX_EPOCH.checked_add_signed(d))
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// A clock that only moves when told to; for tests of expiry, lockout and session lifetimes.
#[derive(Debug)]
pub struct TestClock {
    now: Mutex<Time>,
}

impl TestClock {
    /// A clock standing at `start`.
    pub fn new(start: Time) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward (or back, with a negative delta).
    pub fn advance(&self, by: TimeDelta) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    /// Puts the clock at `to`.
    pub fn set(&self, to: Time) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl Clock for TestClock {
    fn now(&self) -> Time {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> Time {
        (**self).now()
    }
}

/// How far a lab clock may be from real time, either way, in years. A lab demonstrates weeks,
/// months and a year or two of assignments; further is a typo, and would reach past what times
/// can be written down.
pub const MAX_OFFSET_YEARS: i64 = 100;

/// A stored lab clock offset as a duration, when it is one `pim clock` could have written;
/// `None` for anything else (only possible in a damaged or hand-edited database).
pub fn lab_offset(secs: i64) -> Option<TimeDelta> {
    let max = MAX_OFFSET_YEARS * 365 * 86_400;
    (secs.unsigned_abs() <= max.unsigned_abs()).then(|| TimeDelta::seconds(secs))
}

/// Unix seconds, the form times are stored in.
pub fn to_unix(t: Time) -> i64 {
    t.timestamp()
}

/// The inverse of [`to_unix`]; out-of-range values (only possible in a tampered database) clamp
/// to the epoch rather than panic.
pub fn from_unix(secs: i64) -> Time {
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn test_clock_moves_only_when_told() {
        let start = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let clock = TestClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(TimeDelta::minutes(61));
        assert_eq!(clock.now(), start + TimeDelta::minutes(61));
        clock.set(start);
        assert_eq!(clock.now(), start);
    }

    #[test]
    fn unix_round_trip_and_hostile_values_do_not_panic() {
        let t = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        assert_eq!(from_unix(to_unix(t)), t);
        assert_eq!(from_unix(i64::MAX), DateTime::UNIX_EPOCH);
    }

    #[test]
    fn system_times_before_1970_are_early_times_not_panics() {
        use std::time::{Duration, UNIX_EPOCH};
        let before = UNIX_EPOCH - Duration::from_secs(86_400 * 200);
        assert_eq!(
            from_system_time(before),
            Utc.with_ymd_and_hms(1969, 6, 15, 0, 0, 0).unwrap()
        );
        let after = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        assert_eq!(from_system_time(after).timestamp(), 1_795_000_000);
    }

    #[test]
    fn lab_offsets_beyond_a_century_are_not_durations() {
        assert_eq!(lab_offset(3600), Some(TimeDelta::hours(1)));
        assert_eq!(lab_offset(-3600), Some(TimeDelta::hours(-1)));
        assert!(lab_offset(MAX_OFFSET_YEARS * 365 * 86_400 + 1).is_none());
        assert!(lab_offset(i64::MAX).is_none());
        assert!(lab_offset(i64::MIN).is_none());
    }
}
