//! The lab clock: a stored offset from real time, so every terminal on the database agrees on
//! "now". Moving it is audited; standard tenants refuse it.

use chrono::TimeDelta;
use serde::Serialize;

use super::{Ctx, ServiceResult, SessionToken, sweep};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::policy::model::TenantKind;
use crate::policy::{Refusal, Rule};
use crate::store;

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
    /// the move passes are recorded at once.
    fn move_clock(
        &mut self,
        token: Option<&SessionToken>,
        how: &str,
        target: impl FnOnce(Time, Time) -> Time,
    ) -> ServiceResult<ClockState> {
        self.write(|ctx| {
            let actor = token.map(|t| ctx.actor(t)).transpose().ok().flatten();
            let mut entry = AuditEntry::new(activity::CLOCK_MOVED, ctx.now).detail("how", how);
            if let Some(a) = &actor {
                entry = entry.by(&a.principal);
            }
            if ctx.tenant.kind != TenantKind::Lab {
                return Err(ctx.refuse(
                    entry,
                    Refusal::new(Rule::LabOnly, "the clock can only be moved on a training lab tenant (`pim lab`); this tenant runs on real time"),
                ));
            }
            let new_now = target(ctx.now, ctx.real);
            let offset = new_now - ctx.real;
            store::tenant::set_clock_offset(ctx.conn, offset.num_seconds())?;
            ctx.audit(entry.detail("before", ctx.now).detail("after", new_now).detail("offset_seconds", offset.num_seconds()))?;
            let mut tenant = ctx.tenant.clone();
            tenant.clock_offset = TimeDelta::seconds(offset.num_seconds());
            let moved = Ctx {
                conn: ctx.conn,
                now: ctx.real + tenant.clock_offset,
                real: ctx.real,
                tenant,
            };
            sweep::run(&moved)?;
            Ok(state(&moved))
        })
    }

    /// `pim clock advance`.
    pub fn advance_clock(
        &mut self,
        token: Option<&SessionToken>,
        by: TimeDelta,
    ) -> ServiceResult<ClockState> {
        let how = format!("advance {}", crate::policy::duration::format_duration(by));
        self.move_clock(token, &how, |now, _| now + by)
    }

    /// `pim clock set`.
    pub fn set_clock(
        &mut self,
        token: Option<&SessionToken>,
        to: Time,
    ) -> ServiceResult<ClockState> {
        let how = format!("set {}", to.to_rfc3339());
        self.move_clock(token, &how, |_, _| to)
    }

    /// `pim clock reset`: back to real time.
    pub fn reset_clock(&mut self, token: Option<&SessionToken>) -> ServiceResult<ClockState> {
        self.move_clock(token, "reset", |_, real| real)
    }
}
