//! Recording expiries. A role stops granting at its end whether or not this runs (liveness is
//! computed on read); the sweep only writes the history and the audit entry, exactly once,
//! at the start of every write transaction in whichever terminal gets there first.

use super::{Ctx, ServiceResult};
use crate::audit::{AuditEntry, activity};
use crate::policy::model::{EndReason, Origin};
use crate::store::{self, assignments::AssignmentRow};

/// Expiries recorded per batch; a long-idle lab with many due rows is caught up in batches.
const BATCH: i64 = 500;

/// Records every due expiry; the audit entry carries the real end time, not the sweep time.
pub(super) fn run(ctx: &Ctx<'_>) -> ServiceResult<()> {
    loop {
        let due = store::assignments::due_for_expiry(ctx.conn, ctx.now, BATCH)?;
        if due.is_empty() {
            return Ok(());
        }
        for row in &due {
            record_expiry(ctx, row)?;
        }
        if i64::try_from(due.len()).unwrap_or(BATCH) < BATCH {
            return Ok(());
        }
    }
}

fn record_expiry(ctx: &Ctx<'_>, row: &AssignmentRow) -> ServiceResult<()> {
    let a = &row.assignment;
    let Some(end) = a.end else {
        return Ok(());
    };
    if !store::assignments::end(ctx.conn, &a.id, end, EndReason::Expired)? {
        return Ok(());
    }
    let name = match a.origin {
        Origin::Activated => activity::ACTIVATION_EXPIRED.to_owned(),
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
    )
}
