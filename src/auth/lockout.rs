//! Lockout after repeated failures (RFC 4226 §7.3): counted in the database so that guesses
//! spread over several terminals add up. Pure arithmetic; the service stores the counters.

use chrono::TimeDelta;

use crate::clock::Time;

/// Consecutive failed passwords or codes before the account locks.
pub const MAX_FAILURES: u32 = 5;
/// How long a locked account stays locked (real time).
pub const LOCK_DURATION: TimeDelta = TimeDelta::minutes(15);

/// The failure counters of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Consecutive failures since the last success or lock.
    pub failures: u32,
    /// Locked until this real time.
    pub locked_until: Option<Time>,
}

impl Counters {
    /// Locked at `now`?
    pub fn is_locked(&self, now: Time) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// The counters after one more failure at `now`; the fifth consecutive failure locks the
    /// account and starts a fresh count.
    pub fn after_failure(self, now: Time) -> Counters {
        let failures = if self.locked_until.is_some_and(|u| now >= u) {
            1
        } else {
            self.failures + 1
        };
        if failures >= MAX_FAILURES {
            Counters {
                failures: 0,
                locked_until: Some(now + LOCK_DURATION),
            }
        } else {
            Counters {
                failures,
                locked_until: self.locked_until.filter(|u| now < *u),
            }
        }
    }

    /// Whether this failure is the one that locked the account.
    pub fn just_locked(before: Counters, after: Counters, now: Time) -> bool {
        !before.is_locked(now) && after.is_locked(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn the_fifth_failure_locks_for_fifteen_minutes() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let mut c = Counters::default();
        for i in 1..MAX_FAILURES {
            c = c.after_failure(now);
            assert_eq!(c.failures, i);
            assert!(!c.is_locked(now));
        }
        let before = c;
        c = c.after_failure(now);
        assert!(c.is_locked(now));
        assert!(Counters::just_locked(before, c, now));
        assert!(c.is_locked(now + LOCK_DURATION - TimeDelta::seconds(1)));
        assert!(!c.is_locked(now + LOCK_DURATION));
        let after_lock = c.after_failure(now + LOCK_DURATION);
        assert_eq!(after_lock.failures, 1);
        assert!(!after_lock.is_locked(now + LOCK_DURATION));
    }
}
