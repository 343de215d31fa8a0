//! The steps of an assignment that other use cases share: the request row Graph shows, the
//! last-administrator guard, ending the activations made from an eligibility, removing every
//! eligibility (a licence expiry), the assignment e-mails, and finding the assignment an
//! update or removal acts on.

use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::notify::templates::MessageFacts;
use crate::policy::model::{
    Assignment, AssignmentKind, EndReason, GLOBAL_ADMINISTRATOR, Origin, Principal, Role,
};
use crate::policy::notification::NotifyEvent;
use crate::policy::request::{Request, RequestAction, RequestStatus};
use crate::policy::text::{MAX_JUSTIFICATION_CHARS, check_free_text};
use crate::service::{Ctx, ServiceError, ServiceResult, mail, new_id};
use crate::store::assignments::{AssignmentRow, Filter, Which};

/// A justification as typed, checked (visible text, no escapes, within the length cap).
pub(in crate::service) fn justification(raw: Option<&str>) -> ServiceResult<Option<String>> {
    match raw {
        None => Ok(None),
        Some(text) => check_free_text("justification", text, MAX_JUSTIFICATION_CHARS)
            .map_err(|e| ServiceError::Invalid(e.to_string())),
    }
}

/// The request row an administrator's action leaves, as Graph lists it.
pub(in crate::service) fn request(
    action: RequestAction,
    status: RequestStatus,
    a: &Assignment,
    actor: &Principal,
    now: Time,
) -> Request {
    Request {
        id: new_id(),
        action,
        status,
        role_id: a.role_id.clone(),
        principal_id: a.principal_id.clone(),
        kind: a.kind,
        justification: a.justification.clone(),
        ticket: None,
        start: Some(a.start),
        end: a.end,
        created_at: now,
        created_by: Some(actor.id.clone()),
        completed_at: Some(now),
        target_assignment_id: Some(a.id.clone()),
        duration: None,
        source_assignment_id: None,
        decided_by: None,
        decision_reason: None,
        expires_at: None,
    }
}

pub(super) fn event_of(kind: AssignmentKind) -> NotifyEvent {
    match kind {
        AssignmentKind::Eligible => NotifyEvent::EligibleAssignment,
        AssignmentKind::Active => NotifyEvent::ActiveAssignment,
    }
}

/// Whether `a` is the only live, permanent, active Global Administrator assignment of an
/// enabled account (removing it or making it eligible or time-bound would leave the tenant
/// without an administrator once the others end).
pub(in crate::service) fn is_last_global_admin(
    ctx: &Ctx<'_>,
    a: &Assignment,
) -> ServiceResult<bool> {
    if a.role_id != GLOBAL_ADMINISTRATOR {
        return Ok(false);
    }
    let holders = ctx
        .db
        .permanent_active_holders(GLOBAL_ADMINISTRATOR, ctx.now)?;
    Ok(holders.len() == 1 && holders[0].0 == a.id)
}

/// Whether disabling `user_id` would leave no live, permanent, active Global Administrator
/// assignment of an enabled account.
pub(in crate::service) fn holds_last_global_admin(
    ctx: &Ctx<'_>,
    user_id: &str,
) -> ServiceResult<bool> {
    let holders = ctx
        .db
        .permanent_active_holders(GLOBAL_ADMINISTRATOR, ctx.now)?;
    Ok(!holders.is_empty() && holders.iter().all(|(_, p)| p == user_id))
}

/// Ends the live or scheduled activations made from an eligibility, auditing each.
/// Ends the activations made from an eligibility that was removed or changed, each audited;
/// `actor` is who changed it (`None`: the engine, applying an access review).
pub(in crate::service) fn end_activations(
    ctx: &Ctx<'_>,
    eligibility: &Assignment,
    role: &Role,
    who: &Principal,
    actor: Option<&Principal>,
    reason: EndReason,
) -> ServiceResult<usize> {
    let mut ended = 0;
    for a in ctx.db.activations_from(&eligibility.id)? {
        if ctx.db.end_assignment(&a.id, ctx.now, reason)? {
            let mut entry = AuditEntry::new(activity::Activity::ActivationRevoked, ctx.now);
            if let Some(actor) = actor {
                entry = entry.by(actor);
            }
            // A group's eligibility is activated by its members, each for themselves.
            let holder = if a.principal_id == who.id {
                who.clone()
            } else {
                ctx.db
                    .user_by_id(&a.principal_id)?
                    .map_or_else(|| who.clone(), |u| u.principal)
            };
            ctx.audit(
                entry
                    .role(role)
                    .target(&holder)
                    .detail("assignment_id", &a.id)
                    .detail(
                        "reason",
                        format!(
                            "its eligibility was {}",
                            if reason == EndReason::Updated {
                                "updated"
                            } else {
                                "removed"
                            }
                        ),
                    ),
            )?;
            ended += 1;
        }
    }
    Ok(ended)
}

/// Every current eligible assignment, oldest first.
pub(in crate::service) fn current_eligible(ctx: &Ctx<'_>) -> ServiceResult<Vec<AssignmentRow>> {
    const PAGE: i64 = 1000;
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let filter = Filter {
            role_id: None,
            principal_id: None,
            kind: Some(AssignmentKind::Eligible),
            which: Which::Current,
            limit: PAGE,
            offset,
        };
        let page = ctx.db.list_assignments(&filter, ctx.now)?;
        let n = page.len();
        all.extend(page);
        if i64::try_from(n).unwrap_or(0) < PAGE {
            break;
        }
        offset += PAGE;
    }
    all.reverse();
    Ok(all)
}

/// Removes every current eligible assignment, and the activations made from them, as a
/// licence expiry does in Entra (each audited, `why` in its details; no e-mail: PIM sends none
/// without its licence). Returns (eligibilities removed, activations ended).
pub(in crate::service) fn remove_all_eligible(
    ctx: &Ctx<'_>,
    actor: &Principal,
    why: &str,
) -> ServiceResult<(usize, usize)> {
    let (mut removed, mut ended) = (0, 0);
    for row in current_eligible(ctx)? {
        let a = &row.assignment;
        if !ctx.db.end_assignment(&a.id, ctx.now, EndReason::Removed)? {
            continue;
        }
        ended += end_activations(
            ctx,
            a,
            &row.role,
            &row.principal,
            Some(actor),
            EndReason::Revoked,
        )?;
        ctx.audit(
            AuditEntry::new(activity::assignment_removed(a, true), ctx.now)
                .by(actor)
                .role(&row.role)
                .target(&row.principal)
                .detail("assignment_id", &a.id)
                .detail("reason", why),
        )?;
        removed += 1;
    }
    Ok((removed, ended))
}

/// Queues the assignment e-mails for an assignment as it now stands.
pub(in crate::service) fn notify_assignment(
    ctx: &Ctx<'_>,
    role: &Role,
    who: &Principal,
    actor: &Principal,
    a: &Assignment,
    request_id: &str,
) -> ServiceResult<usize> {
    let settings = ctx.settings(&role.id)?;
    let facts = MessageFacts {
        role,
        principal: who,
        actor: Some(actor),
        kind: a.kind,
        start: a.start,
        end: a.end,
        now: ctx.now,
        justification: a.justification.as_deref(),
        ticket: None,
        request_id,
    };
    mail::send(ctx, &settings, event_of(a.kind), &facts)
}

/// Ends activations that an eligibility update makes impossible: all of them when it becomes
/// active (the role is then assigned outright), those outlasting a shortened end otherwise.
pub(in crate::service) fn cut_activations(
    ctx: &Ctx<'_>,
    eligibility: &Assignment,
    new_kind: AssignmentKind,
    new_end: Option<Time>,
    role: &Role,
    who: &Principal,
    actor: &Principal,
) -> ServiceResult<usize> {
    let outlasts = |a: &Assignment| match (new_end, a.end) {
        (Some(limit), Some(end)) => end > limit,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let affected = ctx.db.activations_from(&eligibility.id)?;
    if new_kind == AssignmentKind::Active || affected.iter().any(outlasts) {
        return end_activations(ctx, eligibility, role, who, Some(actor), EndReason::Updated);
    }
    Ok(0)
}

/// Finds the assignment an update or removal acts on.
pub(in crate::service) fn find_target(
    ctx: &Ctx<'_>,
    role: &Role,
    who: &Principal,
    kind: Option<AssignmentKind>,
    id: Option<&str>,
    include_activations: bool,
    verb: &str,
) -> ServiceResult<Assignment> {
    let missing = || {
        ServiceError::Refused(crate::policy::Refusal::new(
            crate::policy::Rule::RoleAssignmentDoesNotExist,
            format!(
                "{} has no current assignment of {} to {verb}",
                who.upn, role.display_name
            ),
        ))
    };
    if let Some(id) = id {
        return ctx
            .db
            .assignment(id)?
            .filter(|a| a.role_id == role.id && a.principal_id == who.id && a.is_current(ctx.now))
            .ok_or_else(missing);
    }
    let mut candidates = Vec::new();
    for k in [AssignmentKind::Eligible, AssignmentKind::Active] {
        if kind.is_some_and(|wanted| wanted != k) {
            continue;
        }
        if let Some(a) = ctx
            .db
            .open_of_kind(&who.id, &role.id, k)?
            .filter(|a| a.is_current(ctx.now))
        {
            candidates.push(a);
        }
    }
    // An activation goes with its eligibility; it is a target of its own only for a removal
    // when no admin assignment is there (an administrator ending a user's activation).
    let assigned: Vec<Assignment> = candidates
        .iter()
        .filter(|a| a.origin == Origin::Assigned)
        .cloned()
        .collect();
    if !assigned.is_empty() || !include_activations {
        candidates = assigned;
    }
    match candidates.len() {
        0 => Err(missing()),
        1 => Ok(candidates.remove(0)),
        _ => Err(ServiceError::Invalid(format!(
            "{} has both an eligible and an active assignment of {}; say which with {}",
            who.upn,
            role.display_name,
            if verb == "remove" {
                "--type eligible|active"
            } else {
                "--id ID (ids are in `pim assignments --json`)"
            }
        ))),
    }
}
