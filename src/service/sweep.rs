//! Work that comes due with time, done at the start of every write transaction in whichever
//! terminal gets there first, exactly once: pending requests expire after 24 hours, expiry
//! reminders go out 14 days and 1 day before an assignment ends, and expiries are recorded
//! (history, audit and the "has expired" e-mail). A role stops granting at its end whether or
//! not this runs (liveness is computed on read). Catching up after a gap, each item carries
//! its real threshold time, not the sweep's.

use super::approval::expire_pending;
use super::mail::{Outgoing, deliver};
use super::{Ctx, ServiceResult};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::notify::EmailEvent;
use crate::notify::lifecycle::{Reminder, reminder};
use crate::notify::templates::MessageFacts;
use crate::policy::model::{AssignmentKind, EndReason, Origin};
use crate::policy::notification::{NotifyEvent, NotifyRecipient, NotifyRow};
use crate::store::assignments::AssignmentRow;
use crate::store::repo::prelude::*;

/// Items handled per batch; a long-idle lab is caught up in batches.
const BATCH: i64 = 500;

/// Whether anything is due at `now`: one indexed look per kind of work, so a reader can tell
/// without taking the write lock.
pub(super) fn is_due(db: &dyn Repos, now: Time) -> ServiceResult<bool> {
    Ok(db.any_expired_pending(now)?
        || db.any_review_due(now)?
        || db.any_assignment_due(
            now,
            [
                (Reminder::Days14.lead().num_seconds(), "reminded_14d"),
                (Reminder::Day1.lead().num_seconds(), "reminded_1d"),
            ],
        )?)
}

/// Runs everything that is due (asking first: every change runs this, and mostly nothing is).
pub(super) fn run(ctx: &Ctx<'_>) -> ServiceResult<()> {
    if !is_due(ctx.db, ctx.now)? {
        return Ok(());
    }
    expire_pending(ctx)?;
    super::reviews::sweep(ctx)?;
    remind(ctx, Reminder::Days14, "reminded_14d")?;
    remind(ctx, Reminder::Day1, "reminded_1d")?;
    loop {
        let due = ctx.db.due_for_expiry(ctx.now, BATCH)?;
        for row in &due {
            record_expiry(ctx, row)?;
        }
        if i64::try_from(due.len()).unwrap_or(BATCH) < BATCH {
            return Ok(());
        }
    }
}

fn remind(ctx: &Ctx<'_>, which: Reminder, column: &str) -> ServiceResult<()> {
    let lead = which.lead().num_seconds();
    loop {
        let due = ctx.db.due_reminders(column, lead, ctx.now, BATCH)?;
        for row in &due {
            let Some(end) = row.assignment.end else {
                continue;
            };
            let at = end - which.lead();
            if ctx
                .db
                .mark_assignment_reminded(&row.assignment.id, column, at)?
            {
                send_reminder(ctx, row, which, at)?;
            }
        }
        if i64::try_from(due.len()).unwrap_or(BATCH) < BATCH {
            return Ok(());
        }
    }
}

/// The 14-day, 1-day or expired e-mail to the administrators and the assignee, by the role's
/// assignment notification rows, dated at its threshold.
fn send_reminder(
    ctx: &Ctx<'_>,
    row: &AssignmentRow,
    which: Reminder,
    at: Time,
) -> ServiceResult<()> {
    let a = &row.assignment;
    let settings = ctx.settings(&row.role.id)?;
    let event = match a.kind {
        AssignmentKind::Eligible => NotifyEvent::EligibleAssignment,
        AssignmentKind::Active => NotifyEvent::ActiveAssignment,
    };
    let request_id = ctx.db.request_of(&a.id)?.unwrap_or_else(|| a.id.clone());
    let f = MessageFacts {
        role: &row.role,
        principal: &row.principal,
        actor: None,
        kind: a.kind,
        start: a.start,
        end: a.end,
        now: at,
        justification: a.justification.as_deref(),
        ticket: None,
        request_id: &request_id,
    };
    let email_event = if which == Reminder::Expired {
        EmailEvent::ExpiredNotice
    } else {
        EmailEvent::ExpiryReminder
    };
    let admins = ctx.admins()?;
    let assignee = ctx.readers_of(&row.principal)?;
    for (recipient, defaults, to_assignee) in [
        (NotifyRecipient::Admin, admins.as_slice(), false),
        (NotifyRecipient::Requestor, assignee.as_slice(), true),
    ] {
        deliver(
            ctx,
            &settings,
            Outgoing {
                row: NotifyRow::new(event, recipient),
                event: email_event,
                defaults,
                message: reminder(&f, which, to_assignee),
                role_id: &row.role.id,
                request_id: Some(&request_id),
                time: at,
            },
        )?;
    }
    Ok(())
}

fn record_expiry(ctx: &Ctx<'_>, row: &AssignmentRow) -> ServiceResult<()> {
    let a = &row.assignment;
    let Some(end) = a.end else {
        return Ok(());
    };
    if !ctx.db.end_assignment(&a.id, end, EndReason::Expired)? {
        return Ok(());
    }
    let name = match a.origin {
        Origin::Activated => activity::Activity::ActivationExpired.to_owned(),
        Origin::Assigned => activity::assignment_removed(a, true),
    };
    ctx.audit(
        AuditEntry::new(name, end)
            .role(&row.role)
            .target(&row.principal)
            .detail("reason", "expired")
            .detail("assignment_id", &a.id)
            .detail("kind", a.kind)
            .detail("recorded_at", ctx.now),
    )?;
    if a.origin == Origin::Assigned {
        send_reminder(ctx, row, Reminder::Expired, end)?;
    }
    Ok(())
}
