//! The lab clock: a stored offset from real time, so every terminal on the database agrees on
//! "now". Moving it is audited; standard tenants refuse it.

use chrono::TimeDelta;
use serde::Serialize;

use super::{Ctx, ServiceError, ServiceResult, SessionToken, sweep};
use crate::audit::activity;
use crate::clock::{MAX_OFFSET_YEARS, Time};
use crate::policy::duration::format_utc;
use crate::policy::model::TenantKind;
use crate::policy::{Refusal, Rule};

/// Where the clocks stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockState {
    /// Policy time.
    pub now: Time,
    /// Real time.
    pub real: Time,
    /// How far policy time is ahead of real time.
    #[serde(serialize_with = "seconds")]
    pub offset: TimeDelta,
    /// Only lab tenants can move the clock.
    pub lab: bool,
}

fn seconds<S: serde::Serializer>(d: &TimeDelta, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(d.num_seconds())
}

fn state(ctx: &Ctx<'_>) -> ClockState {
    ClockState {
        now: ctx.now,
        real: ctx.real,
        offset: ctx.tenant.clock_offset,
        lab: ctx.tenant.kind == TenantKind::Lab,
    }
}

impl super::Service {
    /// The clocks.
    pub fn clock(&mut self) -> ServiceResult<ClockState> {
        self.read(|ctx| Ok(state(ctx)))
    }

    /// Moves the lab clock so that policy time becomes `target(now, real)`; expiries that
    /// the move passes are recorded at once. Only a signed-in Global or Privileged Role
    /// Administrator of a lab may move it (it decides when reminders go out and what the log
    /// says happened when), and every move is audited with the old and new lab time.
    fn move_clock(
        &mut self,
        token: &SessionToken,
        how: &str,
        target: impl FnOnce(Time, Time) -> Option<Time>,
    ) -> ServiceResult<ClockState> {
        self.write(|ctx| {
            let (actor, entry) = ctx.attempt(token, activity::Activity::ClockMoved)?;
            let entry = entry
                .detail("how", how)
                .detail("before", ctx.now);
            if ctx.tenant.kind != TenantKind::Lab {
                return Err(ctx.refuse(
                    entry,
                    Refusal::new(Rule::LabOnly, "the clock can only be moved on a training lab tenant (`pim lab`); this tenant runs on real time"),
                ));
            }
            ctx.require_admin(&actor.id, &entry, "moving the lab clock")?;
            let new_now = target(ctx.now, ctx.real)
                .filter(|t| lab_time_in_range(*t, ctx.real))
                .ok_or_else(|| ServiceError::Invalid(format!(
                    "the lab clock can move to times between {} and {} (within {} years of real time); nothing changed",
                    format_utc(earliest_lab_time(ctx.real)),
                    format_utc(latest_lab_time(ctx.real)),
                    MAX_OFFSET_YEARS
                )))?;
            let offset = new_now - ctx.real;
            ctx.db.set_clock_offset(offset.num_seconds())?;
            ctx.audit(
                entry
                    .detail("after", new_now)
                    .detail("offset_seconds", offset.num_seconds()),
            )?;
            let mut tenant = ctx.tenant.clone();
            tenant.clock_offset = TimeDelta::seconds(offset.num_seconds());
            let moved = Ctx {
                db: ctx.db,
                now: ctx.real + tenant.clock_offset,
                real: ctx.real,
                tenant,
                sealer: ctx.sealer,
                real_mark: ctx.real_mark,
                preflight: ctx.preflight,
                verified: ctx.verified.clone(),
            };
            sweep::run(&moved)?;
            Ok(state(&moved))
        })
    }

    /// `pim clock advance`.
    pub fn advance_clock(
        &mut self,
        token: &SessionToken,
        by: TimeDelta,
    ) -> ServiceResult<ClockState> {
        let how = format!("advance {}", crate::policy::duration::format_duration(by));
        self.move_clock(token, &how, |now, _| now.checked_add_signed(by))
    }

    /// `pim clock set`.
    pub fn set_clock(&mut self, token: &SessionToken, to: Time) -> ServiceResult<ClockState> {
        let how = format!("set {}", to.to_rfc3339());
        self.move_clock(token, &how, |_, _| Some(to))
    }

    /// `pim clock reset`: back to real time.
    pub fn reset_clock(&mut self, token: &SessionToken) -> ServiceResult<ClockState> {
        self.move_clock(token, "reset", |_, real| Some(real))
    }
}

fn max_offset() -> TimeDelta {
    TimeDelta::days(MAX_OFFSET_YEARS * 365)
}

fn earliest_lab_time(real: Time) -> Time {
    real.checked_sub_signed(max_offset())
        .unwrap_or(real)
        .max(chrono::DateTime::UNIX_EPOCH)
}

fn latest_lab_time(real: Time) -> Time {
    real.checked_add_signed(max_offset()).unwrap_or(real)
}

/// Whether a lab time is one the clock may be moved to.
pub fn lab_time_in_range(t: Time, real: Time) -> bool {
    t >= earliest_lab_time(real) && t <= latest_lab_time(real)
}
