//! Lockout after repeated failures (RFC 4226 §7.3): counted in the database so that guesses
//! spread over several terminals add up. Pure arithmetic; the service stores the counters.

use chrono::TimeDelta;

use crate::clock::Time;

/// Consecutive failed passwords or codes before the account locks.
pub const MAX_FAILURES: u32 = 5;
/// How long a first lockout lasts (real time); each further lockout without a successful
/// sign-in in between lasts twice as long as the one before, up to [`MAX_LOCK_DURATION`].
pub const LOCK_DURATION: TimeDelta = TimeDelta::minutes(15);
/// The longest lockout: a day. A guesser gets at most five tries a day from then on.
pub const MAX_LOCK_DURATION: TimeDelta = TimeDelta::hours(24);

/// How long the `n`th consecutive lockout lasts (1-based): 15 min, 30 min, 1 h, … 24 h.
pub fn lock_duration(n: u32) -> TimeDelta {
    let doublings = n.saturating_sub(1).min(16);
    let minutes = LOCK_DURATION.num_minutes() << doublings;
    TimeDelta::minutes(minutes).min(MAX_LOCK_DURATION)
}

/// The failure counters of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Consecutive failures since the last success or lock.
    pub failures: u32,
    /// Locked until this real time.
    pub locked_until: Option<Time>,
    /// Lockouts since the last successful sign-in (or an administrator's unlock).
    pub lockouts: u32,
}

impl Counters {
    /// Locked at `now`?
    pub fn is_locked(&self, now: Time) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// The counters after one more failure at `now`; the fifth consecutive failure locks the
    /// account (for longer each time, see [`lock_duration`]) and starts a fresh count.
    pub fn after_failure(self, now: Time) -> Counters {
        let failures = if self.locked_until.is_some_and(|u| now >= u) {
            1
        } else {
            self.failures.saturating_add(1)
        };
        if failures >= MAX_FAILURES {
            let lockouts = self.lockouts.saturating_add(1);
            Counters {
                failures: 0,
                locked_until: Some(now + lock_duration(lockouts)),
                lockouts,
            }
        } else {
            Counters {
                failures,
                locked_until: self.locked_until.filter(|u| now < *u),
                lockouts: self.lockouts,
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

    #[test]
    fn each_further_lockout_lasts_twice_as_long_up_to_a_day() {
        let start = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let mut now = start;
        let mut c = Counters::default();
        let mut lengths = Vec::new();
        for _ in 0..9 {
            for _ in 0..MAX_FAILURES {
                c = c.after_failure(now);
            }
            let until = c.locked_until.unwrap();
            lengths.push((until - now).num_minutes());
            now = until;
        }
        assert_eq!(lengths, [15, 30, 60, 120, 240, 480, 960, 1440, 1440]);
        assert_eq!(c.lockouts, 9);
        assert_eq!(lock_duration(u32::MAX), MAX_LOCK_DURATION);
    }
}
