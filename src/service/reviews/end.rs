//! A review's e-mails and its end: who hears of it, the halfway reminder, the end applying
//! its results, and the next review of a recurring series.

use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::notify::EmailEvent;
use crate::policy::duration::format_utc;
use crate::policy::model::{AssignmentKind, EndReason, Principal};
use crate::service::{Ctx, ServiceResult, new_id};
use crate::store::reviews::ReviewRow;

use super::{NoResponse, Recurrence, ReviewItem, ReviewView, start_review, view};

/// Who hears of a review: its reviewers (each member, in a self-review) and the
/// administrators; with `undecided_only`, only reviewers with items left to decide.
pub(super) fn recipients(
    ctx: &Ctx<'_>,
    v: &ReviewView,
    undecided_only: bool,
) -> ServiceResult<Vec<Principal>> {
    let open = |upn: &str| {
        v.items
            .iter()
            .any(|i| i.decision.is_none() && (!v.self_review || i.principal.upn == upn))
    };
    let mut out: Vec<Principal> = if v.self_review {
        v.items.iter().map(|i| i.principal.clone()).collect()
    } else {
        v.reviewers.clone()
    };
    if undecided_only {
        out.retain(|p| open(&p.upn));
    } else {
        out.extend(ctx.admins()?);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}

pub(super) fn mail(
    ctx: &Ctx<'_>,
    v: &ReviewView,
    to: &[Principal],
    event: EmailEvent,
    message: (&str, &str),
    at: Time,
) -> ServiceResult<()> {
    let to = to.iter().map(|p| (Some(p.id.clone()), p.upn.clone()));
    crate::service::mail::queue(ctx, to, event, message, (&v.role.id, None), at)?;
    Ok(())
}

/// The sweep's part: sends halfway reminders and ends reviews whose end has passed.
pub(in crate::service) fn sweep(ctx: &Ctx<'_>) -> ServiceResult<()> {
    for r in ctx.db.due_reviews(ctx.now)? {
        if r.end <= ctx.now {
            complete(ctx, &r)?;
        } else if ctx.db.mark_review_reminded(&r.id, ctx.now)? {
            let v = view(ctx, &r)?;
            let left = v.items.iter().filter(|i| i.decision.is_none()).count();
            let subject = format!(
                "PIM: Reminder: access review \"{}\" of the {} ends {}",
                v.name,
                v.role.phrase(),
                format_utc(v.end)
            );
            let body = format!(
                "The access review \"{}\" is half over: {left} of {} assignments still wait for a decision.\n\nDecide with: pim reviews decide {} UPN approve|deny --reason TEXT\n",
                v.name,
                v.items.len(),
                v.id
            );
            mail(
                ctx,
                &v,
                &recipients(ctx, &v, true)?,
                EmailEvent::ReviewReminder,
                (&subject, &body),
                r.start + (r.end - r.start) / 2,
            )?;
        }
    }
    Ok(())
}

/// Ends a review at its end time: applies denials when results apply by themselves, reports,
/// and starts the next review of a recurring series.
fn complete(ctx: &Ctx<'_>, r: &ReviewRow) -> ServiceResult<()> {
    if !ctx.db.mark_review_completed(&r.id, ctx.now)? {
        return Ok(());
    }
    let v = view(ctx, r)?;
    let (mut removed, mut kept, mut unchanged) = (0, 0, 0);
    let unanswered = NoResponse::parse(&r.no_response).unwrap_or_default();
    for item in &v.items {
        // Without a decision, the review's rule for silence decides (applied like a decision).
        let decision = item.decision.as_deref().or(match unanswered {
            NoResponse::Keep => None,
            NoResponse::Remove => Some("deny"),
            NoResponse::Approve => Some("approve"),
            NoResponse::Recommendation => Some(item.recommendation.as_str()),
        });
        let outcome = match decision {
            Some("deny") if r.auto_apply && remove(ctx, &v, item)? => {
                removed += 1;
                "removed"
            }
            Some("approve") => {
                kept += 1;
                "kept"
            }
            // Reviewers who did not respond: no change (Entra's default).
            _ => {
                unchanged += 1;
                "unchanged"
            }
        };
        ctx.db
            .set_review_outcome(&r.id, &item.assignment_id, outcome)?;
    }
    ctx.audit(
        AuditEntry::new(activity::Activity::ReviewCompleted, ctx.now)
            .role(&v.role)
            .detail("review_id", &v.id)
            .detail("name", &v.name)
            .detail("removed", removed)
            .detail("kept", kept)
            .detail("unchanged", unchanged)
            .detail("auto_apply", r.auto_apply),
    )?;
    let subject = format!(
        "PIM: Access review \"{}\" of the {} has ended",
        v.name,
        v.role.phrase()
    );
    let applied = if r.auto_apply {
        format!("{removed} denied assignment(s) were removed.")
    } else {
        "Results were not applied by themselves: remove denied assignments with pim unassign."
            .into()
    };
    let body = format!(
        "The access review \"{}\" ended {}.\n\nApproved: {kept}. Denied or without a decision left as they were: {unchanged}. {applied}\n\nResults: pim reviews show {}\n",
        v.name,
        format_utc(r.end),
        v.id
    );
    mail(
        ctx,
        &v,
        &recipients(ctx, &v, false)?,
        EmailEvent::ReviewEnded,
        (&subject, &body),
        r.end,
    )?;
    if let Some(rec) = r.recurrence.as_deref().and_then(Recurrence::parse) {
        let start = rec.next(r.start).max(r.end);
        let next = ReviewRow {
            id: new_id(),
            start,
            end: start + (r.end - r.start),
            reminded_at: None,
            completed_at: None,
            ..r.clone()
        };
        let reviewers = ctx.db.reviewers(&r.id)?;
        let started = start_review(ctx, &next, &reviewers)?;
        ctx.audit(
            AuditEntry::new(activity::Activity::ReviewCreated, ctx.now)
                .role(&started.role)
                .detail("review_id", &started.id)
                .detail("name", &started.name)
                .detail("recurrence", rec.as_str())
                .detail("items", started.items.len()),
        )?;
    }
    Ok(())
}

/// Removes a denied assignment (and the activations made from it), unless it is the last
/// permanent active Global Administrator or already gone. True when removed.
fn remove(ctx: &Ctx<'_>, v: &ReviewView, item: &ReviewItem) -> ServiceResult<bool> {
    let Some(a) = ctx.db.assignment(&item.assignment_id)? else {
        return Ok(false);
    };
    if a.ended_at.is_some() || crate::service::assign::is_last_global_admin(ctx, &a)? {
        return Ok(false);
    }
    if !ctx.db.end_assignment(&a.id, ctx.now, EndReason::Removed)? {
        return Ok(false);
    }
    if a.kind == AssignmentKind::Eligible {
        crate::service::assign::end_activations(
            ctx,
            &a,
            &v.role,
            &item.principal,
            None,
            EndReason::Revoked,
        )?;
    }
    ctx.audit(
        AuditEntry::new(activity::Activity::ReviewRemoved, ctx.now)
            .role(&v.role)
            .target(&item.principal)
            .justification(item.reason.as_deref())
            .detail("assignment_id", &a.id)
            .detail("review_id", &v.id)
            .detail("decided_by", item.decided_by.as_deref()),
    )?;
    Ok(true)
}
