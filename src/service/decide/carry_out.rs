//! Carrying out an approved request: the activation, the extension or the renewal it asked
//! for, checked again against the rules as they stand at approval.

use crate::audit::AuditEntry;
use crate::clock::Time;
use crate::policy::activation::ActivationPlan;
use crate::policy::assignment::{
    AssignmentFacts, AssignmentRequest, Expiry, UpdateFacts, UpdateRequest, check_assignment,
    check_update,
};
use crate::policy::lifecycle::{check_extension_end, check_renew_request, default_end};
use crate::policy::model::{Assignment, AssignmentKind, MINIMUM_DURATION, Origin, Principal, Role};
use crate::policy::request::{RequestAction, RequestStatus};
use crate::policy::settings::RoleSettings;
use crate::policy::{Refusal, Rule};
use crate::service::activate::record_activation;
use crate::service::assign::{
    Window, cut_activations, is_last_global_admin, request as admin_request,
};
use crate::service::{Ctx, ServiceError, ServiceResult, new_id};

use super::{Decision, Pending, settle_approved};

/// The activation starts at approval (or at the requested start) and keeps the requested
/// duration within the role's current cap and the eligibility's end.
pub(super) fn approve_activation(
    ctx: &Ctx<'_>,
    p: &Pending<'_>,
    attempt: AuditEntry,
) -> ServiceResult<Assignment> {
    let name = &p.role.display_name;
    let eligibility = source_of(ctx, p)?.filter(|a| a.is_current(ctx.now));
    // A group's eligibility holds for the requester only while their membership does.
    let eligibility = match eligibility {
        Some(e) if e.principal_id != p.principal.id => {
            crate::service::activate::eligible_through_group(ctx, &p.principal.id, &p.role.id)?
                .filter(|through| through.id == e.id)
        }
        other => other,
    };
    let Some(eligibility) = eligibility else {
        return Err(ctx.refuse(
            attempt,
            Refusal::new(
                Rule::EligibilityRule,
                format!(
                    "{} is no longer eligible for {name}; deny the request instead",
                    p.principal.upn
                ),
            ),
        ));
    };
    if let Some(active) = ctx
        .db
        .open_of_kind(&p.principal.id, &p.role.id, AssignmentKind::Active)?
        .filter(|a| a.is_current(ctx.now))
    {
        return Err(ctx.refuse(
            attempt,
            Refusal::new(
                Rule::RoleAssignmentExists,
                format!(
                    "{name} is already active for {} ({}); deny the request instead",
                    p.principal.upn,
                    active.end.map_or("permanent".to_owned(), |e| format!(
                        "until {}",
                        crate::policy::duration::format_utc(e)
                    ))
                ),
            ),
        ));
    }
    let start = p.request.start.unwrap_or(ctx.now).max(ctx.now);
    let duration = p
        .request
        .duration
        .unwrap_or(p.settings.max_activation)
        .min(p.settings.max_activation);
    let wanted = start + duration;
    let end = eligibility.end.map_or(wanted, |e| e.min(wanted));
    if end - start < MINIMUM_DURATION {
        return Err(ctx.refuse(
            attempt,
            Refusal::new(
                Rule::EligibilityRule,
                format!(
                    "the eligibility of {} for {name} ends too soon to activate",
                    p.principal.upn
                ),
            ),
        ));
    }
    let plan = ActivationPlan {
        start,
        end,
        clamped_to_eligibility: end < wanted,
        scheduled: start > ctx.now,
        needs_mfa: p.settings.require_mfa,
        auth_context: None,
        needs_approval: true,
        eligibility_id: eligibility.id.clone(),
        ticket: p.request.ticket.clone(),
    };
    let status = if plan.scheduled {
        RequestStatus::Granted
    } else {
        RequestStatus::Provisioned
    };
    ctx.db.settle_request(
        &p.request.id,
        status,
        ctx.now,
        Some(&p.approver.id),
        Some(p.reason),
    )?;
    ctx.audit(attempt.detail("start", start).detail("end", end))?;
    let (assignment, _) = record_activation(
        ctx,
        p.principal,
        p.role,
        p.settings,
        &plan,
        p.request,
        Some(p.approver),
    )?;
    Ok(assignment)
}

/// Extends an assignment in place: it never ends earlier than before, and never leaves a gap.
pub(super) fn approve_extension(
    ctx: &Ctx<'_>,
    p: &Pending<'_>,
    d: &Decision,
    attempt: AuditEntry,
) -> ServiceResult<Assignment> {
    let target =
        source_of(ctx, p)?.filter(|a| a.is_current(ctx.now) && a.origin == Origin::Assigned);
    let Some(target) = target else {
        return Err(ctx.refuse(
            attempt,
            Refusal::new(
                Rule::RoleAssignmentDoesNotExist,
                "the assignment to extend no longer exists; deny the request instead",
            ),
        ));
    };
    let extension = Extension {
        role: p.role,
        settings: p.settings,
        principal: p.principal,
        actor: p.approver,
        target: &target,
        kind: d.kind.unwrap_or(target.kind),
        window: d.window,
        justification: p.request.justification.clone(),
        keep_justification: true,
    };
    let updated = extend(ctx, &extension).map_err(|e| ctx.refuse_error(&attempt, e))?;
    settle_approved(ctx, p, RequestStatus::Provisioned, attempt, &updated)?;
    Ok(updated)
}

/// Renews an expired assignment as a new one from the approval (or the given start).
pub(super) fn approve_renewal(
    ctx: &Ctx<'_>,
    p: &Pending<'_>,
    d: &Decision,
    attempt: AuditEntry,
) -> ServiceResult<Assignment> {
    let source = source_of(ctx, p)?;
    let Some(source) = source else {
        return Err(ctx.refuse(
            attempt,
            Refusal::new(
                Rule::RoleAssignmentDoesNotExist,
                "the expired assignment is gone; deny the request instead",
            ),
        ));
    };
    check_renew_request(p.role, &source, ctx.now).map_err(|r| ctx.refuse(attempt.clone(), r))?;
    let renewal = Renewal {
        role: p.role,
        settings: p.settings,
        principal: p.principal,
        actor: p.approver,
        source: &source,
        justification: p.request.justification.clone(),
        request_id: Some(p.request.id.clone()),
    };
    let (assignment, status) = renew(ctx, &renewal, d.kind, d.start, d.window)
        .map_err(|e| ctx.refuse_error(&attempt, e))?;
    settle_approved(ctx, p, status, attempt, &assignment)?;
    Ok(assignment)
}

/// The facts of one extension, shared by approval and direct extension.
pub(in crate::service) struct Extension<'a> {
    pub role: &'a Role,
    pub settings: &'a RoleSettings,
    pub principal: &'a Principal,
    pub actor: &'a Principal,
    /// The assignment to extend.
    pub target: &'a Assignment,
    /// Its type afterwards.
    pub kind: AssignmentKind,
    /// The new end, counted from the current end (the default: as long again).
    pub window: Option<Window>,
    /// The justification the assignment rules check.
    pub justification: Option<String>,
    /// Leave the assignment's recorded justification as it is.
    pub keep_justification: bool,
}

/// Extends an assignment in place after the update rules pass: it never ends earlier than
/// before and never leaves a gap; activations that would outlive an eligibility are cut.
pub(in crate::service) fn extend(ctx: &Ctx<'_>, e: &Extension<'_>) -> ServiceResult<Assignment> {
    let target = e.target;
    let from = target.end.unwrap_or(ctx.now).max(ctx.now);
    let expiry = match e.window {
        Some(w) => w.expiry(from)?,
        None => Expiry::Until(default_end(target, from)),
    };
    check_extension_end(e.role, target, expiry.end()).map_err(ServiceError::Refused)?;
    let other = if e.kind == target.kind {
        None
    } else {
        ctx.db
            .open_of_kind(&e.principal.id, &e.role.id, e.kind)?
            .filter(|a| {
                a.is_current(ctx.now) && a.activated_from.as_deref() != Some(target.id.as_str())
            })
    };
    let facts_ = UpdateFacts {
        role: e.role,
        settings: e.settings,
        target,
        other_of_new_kind: other.as_ref(),
        target_is_last_global_admin: is_last_global_admin(ctx, target)?,
        actor_is_admin: true,
        now: ctx.now,
    };
    let req = UpdateRequest {
        kind: e.kind,
        expiry,
        justification: e.justification.clone(),
    };
    check_update(facts_, &req).map_err(ServiceError::Refused)?;
    if target.kind == AssignmentKind::Eligible {
        cut_activations(
            ctx,
            target,
            e.kind,
            expiry.end(),
            e.role,
            e.principal,
            e.actor,
        )?;
    }
    let recorded = if e.keep_justification {
        None
    } else {
        e.justification.as_deref()
    };
    ctx.db
        .update_window(&target.id, e.kind, expiry.end(), recorded, ctx.now)?;
    Ok(ctx
        .db
        .assignment(&target.id)?
        .unwrap_or_else(|| target.clone()))
}

/// The facts of one renewal, shared by approval and direct renewal.
pub(in crate::service) struct Renewal<'a> {
    pub role: &'a Role,
    pub settings: &'a RoleSettings,
    pub principal: &'a Principal,
    pub actor: &'a Principal,
    pub source: &'a Assignment,
    pub justification: Option<String>,
    /// The request the new assignment belongs to; `None` records an adminRenew request.
    pub request_id: Option<String>,
}

/// Creates the renewal of an expired assignment after the assignment rules pass.
pub(in crate::service) fn renew(
    ctx: &Ctx<'_>,
    r: &Renewal<'_>,
    kind: Option<AssignmentKind>,
    start: Option<Time>,
    window: Option<Window>,
) -> ServiceResult<(Assignment, RequestStatus)> {
    let (role, settings, principal, actor, source) =
        (r.role, r.settings, r.principal, r.actor, r.source);
    let justification = r.justification.clone();
    let kind = kind.unwrap_or(source.kind);
    let start = start.unwrap_or(ctx.now);
    let expiry = match window {
        Some(w) => w.expiry(start)?,
        None => Expiry::Until(default_end(source, start)),
    };
    let existing = ctx
        .db
        .open_of_kind(&principal.id, &role.id, kind)?
        .filter(|a| a.is_current(ctx.now));
    let facts_ = AssignmentFacts {
        role,
        settings,
        principal,
        existing: existing.as_ref(),
        actor_is_admin: true,
        now: ctx.now,
    };
    let req = AssignmentRequest {
        kind,
        start,
        expiry,
        justification: justification.clone(),
    };
    check_assignment(facts_, &req).map_err(ServiceError::Refused)?;
    let assignment = Assignment {
        id: new_id(),
        role_id: role.id.clone(),
        principal_id: principal.id.clone(),
        kind,
        origin: Origin::Assigned,
        activated_from: None,
        start,
        end: expiry.end(),
        justification,
        ticket: None,
        created_at: ctx.now,
        created_by: Some(actor.id.clone()),
        ended_at: None,
        end_reason: None,
    };
    let status = if start > ctx.now {
        RequestStatus::Granted
    } else {
        RequestStatus::Provisioned
    };
    let request_id = match &r.request_id {
        Some(id) => id.clone(),
        None => {
            let record = admin_request(
                RequestAction::AdminRenew,
                status,
                &assignment,
                actor,
                ctx.now,
            );
            ctx.db.insert_request(&record)?;
            record.id
        }
    };
    ctx.db.insert_assignment(&assignment, Some(&request_id))?;
    Ok((assignment, status))
}

/// The assignment a request was made from (the eligibility activated, the assignment extended
/// or renewed), if it still exists.
fn source_of(ctx: &Ctx<'_>, p: &Pending<'_>) -> ServiceResult<Option<Assignment>> {
    let Some(id) = p.request.source_assignment_id.as_deref() else {
        return Ok(None);
    };
    Ok(ctx.db.assignment(id)?)
}
