//! Admin assignments: assign (eligible or active, permanent or time-bound), update (type and
//! expiry), remove, and list. Removing an eligibility ends the activations made from it in the
//! same transaction.

use chrono::TimeDelta;

use super::mfa::{Purpose, verify_code};
use super::{Ctx, ServiceError, ServiceResult, SessionToken, new_id};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::policy::assignment::{
    AssignmentFacts, AssignmentRequest, Expiry, UpdateFacts, UpdateRequest, check_assignment,
    check_removal, check_update,
};
use crate::policy::lifecycle::check_licence;
use crate::policy::model::{Assignment, AssignmentKind, EndReason, Origin, Principal, Role};
use crate::policy::request::{Request, RequestAction, RequestStatus};

mod listing;
mod steps;

use steps::find_target;
pub(super) use steps::{
    current_eligible, cut_activations, end_activations, holds_last_global_admin,
    is_last_global_admin, justification, notify_assignment, remove_all_eligible, request,
};

/// How long an assignment lasts, as the administrator said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// No end.
    Permanent,
    /// This long from its start.
    For(TimeDelta),
    /// Until this time.
    Until(Time),
}

impl Window {
    pub(super) fn expiry(self, from: Time) -> ServiceResult<Expiry> {
        Ok(match self {
            Window::Permanent => Expiry::Permanent,
            Window::Until(t) => Expiry::Until(t),
            Window::For(d) => Expiry::Until(from.checked_add_signed(d).ok_or_else(|| {
                ServiceError::Invalid("that duration reaches beyond the calendar".into())
            })?),
        })
    }
}

/// `pim assign`.
#[derive(Debug, Clone)]
pub struct AssignInput {
    /// Role name, slug or id.
    pub role: String,
    /// Who gets it.
    pub upn: String,
    /// Eligible or active.
    pub kind: AssignmentKind,
    /// Start; now when `None`.
    pub start: Option<Time>,
    /// How long.
    pub window: Window,
    /// Reason (free text, checked here).
    pub justification: Option<String>,
    /// A fresh code, when the role requires MFA on active assignment.
    pub otp: Option<String>,
}

/// `pim assignments update`.
#[derive(Debug, Clone)]
pub struct UpdateInput {
    /// Role name, slug or id.
    pub role: String,
    /// Whose assignment.
    pub upn: String,
    /// Which one, when the user has both an eligible and an active assignment.
    pub assignment_id: Option<String>,
    /// New type; unchanged when `None`.
    pub kind: Option<AssignmentKind>,
    /// New window (from now); unchanged when `None`.
    pub window: Option<Window>,
    /// Reason.
    pub justification: Option<String>,
    /// A fresh code, when needed.
    pub otp: Option<String>,
}

/// `pim unassign`.
#[derive(Debug, Clone)]
pub struct RemoveInput {
    /// Role name, slug or id.
    pub role: String,
    /// Whose assignment.
    pub upn: String,
    /// Which type, when the user has both.
    pub kind: Option<AssignmentKind>,
    /// Which one, by id.
    pub assignment_id: Option<String>,
}

/// What an assignment change did.
#[derive(Debug, Clone)]
pub struct AssignmentDone {
    /// The assignment as it now stands.
    pub assignment: Assignment,
    /// Its role.
    pub role: Role,
    /// Its principal.
    pub principal: Principal,
    /// The request recording it.
    pub request: Request,
    /// Messages queued.
    pub emails: usize,
    /// Activations ended as a consequence.
    pub ended_activations: usize,
}

/// [`Service::assign`](super::Service::assign) inside a transaction.
pub(super) fn assign_tx(
    ctx: &Ctx<'_>,
    token: &SessionToken,
    input: &AssignInput,
    reason: Option<String>,
) -> ServiceResult<AssignmentDone> {
    let actor = ctx.actor(token)?;
    let role = ctx.role(&input.role)?;
    let (who, group) = ctx.principal(&input.upn)?;
    let settings = ctx.settings(&role.id)?;
    let start = input.start.unwrap_or(ctx.now);
    let expiry = input.window.expiry(start)?;
    let existing = ctx
        .db
        .open_of_kind(&who.id, &role.id, input.kind)?
        .filter(|a| a.is_current(ctx.now));
    let attempt = AuditEntry::new(
        activity::assignment_added(input.kind, expiry == Expiry::Permanent, false),
        ctx.now,
    )
    .by(&actor.principal)
    .role(&role)
    .target(&who)
    .justification(reason.as_deref());
    if let Some(g) = &group {
        crate::policy::assignment::check_group_principal(
            &role,
            &g.principal.display_name,
            g.role_assignable,
        )
        .map_err(|r| ctx.refuse(attempt.clone(), r))?;
    }
    let req = AssignmentRequest {
        kind: input.kind,
        start,
        expiry,
        justification: reason.clone(),
    };
    let facts = AssignmentFacts {
        role: &role,
        settings: &settings,
        principal: &who,
        existing: existing.as_ref(),
        actor_is_admin: ctx.manages(&actor.principal.id, &role)?,
        now: ctx.now,
    };
    let needs_mfa = check_assignment(facts, &req).map_err(|r| ctx.refuse(attempt.clone(), r))?;
    if input.kind == AssignmentKind::Eligible || expiry != Expiry::Permanent {
        check_licence(ctx.tenant.licence, "Eligible and time-bound assignments")
            .map_err(|r| ctx.refuse(attempt, r))?;
    }
    if needs_mfa {
        let purpose = purpose_assignment(&role, input.kind);
        verify_code(ctx, &actor, input.otp.as_deref(), &purpose)?;
    }
    let assignment = Assignment {
        id: new_id(),
        role_id: role.id.clone(),
        principal_id: who.id.clone(),
        kind: input.kind,
        origin: Origin::Assigned,
        activated_from: None,
        start,
        end: expiry.end(),
        justification: reason.clone(),
        ticket: None,
        created_at: ctx.now,
        created_by: Some(actor.principal.id.clone()),
        ended_at: None,
        end_reason: None,
    };
    let status = if start > ctx.now {
        RequestStatus::Granted
    } else {
        RequestStatus::Provisioned
    };
    let request = request(
        RequestAction::AdminAssign,
        status,
        &assignment,
        &actor.principal,
        ctx.now,
    );
    ctx.db.insert_request(&request)?;
    ctx.db.insert_assignment(&assignment, Some(&request.id))?;
    ctx.audit(
        AuditEntry::new(
            activity::assignment_added(input.kind, assignment.end.is_none(), true),
            ctx.now,
        )
        .by(&actor.principal)
        .role(&role)
        .target(&who)
        .justification(reason.as_deref())
        .detail("assignment_id", &assignment.id)
        .detail("request_id", &request.id)
        .detail("start", assignment.start)
        .detail("end", assignment.end),
    )?;
    let emails = notify_assignment(ctx, &role, &who, &actor.principal, &assignment, &request.id)?;
    Ok(AssignmentDone {
        assignment,
        role,
        principal: who,
        request,
        emails,
        ended_activations: 0,
    })
}

/// [`Service::update_assignment`](super::Service::update_assignment) inside a transaction.
pub(super) fn update_tx(
    ctx: &Ctx<'_>,
    token: &SessionToken,
    input: &UpdateInput,
    reason: Option<String>,
) -> ServiceResult<AssignmentDone> {
    let actor = ctx.actor(token)?;
    let role = ctx.role(&input.role)?;
    let (who, _) = ctx.principal(&input.upn)?;
    let target = find_target(
        ctx,
        &role,
        &who,
        None,
        input.assignment_id.as_deref(),
        false,
        "update",
    )?;
    let kind = input.kind.unwrap_or(target.kind);
    let from = target.start.max(ctx.now);
    let expiry = match input.window {
        Some(w) => w.expiry(from)?,
        None => target.end.map_or(Expiry::Permanent, Expiry::Until),
    };
    let other = if kind == target.kind {
        None
    } else {
        ctx.db.open_of_kind(&who.id, &role.id, kind)?.filter(|a| {
            a.is_current(ctx.now) && a.activated_from.as_deref() != Some(target.id.as_str())
        })
    };
    let settings = ctx.settings(&role.id)?;
    let facts = UpdateFacts {
        role: &role,
        settings: &settings,
        target: &target,
        other_of_new_kind: other.as_ref(),
        target_is_last_global_admin: is_last_global_admin(ctx, &target)?,
        actor_is_admin: ctx.manages(&actor.principal.id, &role)?,
        now: ctx.now,
    };
    let req = UpdateRequest {
        kind,
        expiry,
        justification: reason.clone(),
    };
    let attempt = AuditEntry::new(
        activity::assignment_updated(kind, expiry == Expiry::Permanent, false),
        ctx.now,
    )
    .by(&actor.principal)
    .role(&role)
    .target(&who)
    .justification(reason.as_deref());
    let needs_mfa = check_update(facts, &req).map_err(|r| ctx.refuse(attempt.clone(), r))?;
    if kind == AssignmentKind::Eligible || expiry != Expiry::Permanent {
        check_licence(ctx.tenant.licence, "Eligible and time-bound assignments")
            .map_err(|r| ctx.refuse(attempt, r))?;
    }
    if needs_mfa {
        let purpose = purpose_assignment(&role, kind);
        verify_code(ctx, &actor, input.otp.as_deref(), &purpose)?;
    }
    let ended = if target.kind == AssignmentKind::Eligible {
        cut_activations(
            ctx,
            &target,
            kind,
            expiry.end(),
            &role,
            &who,
            &actor.principal,
        )?
    } else {
        0
    };
    ctx.db
        .update_window(&target.id, kind, expiry.end(), reason.as_deref(), ctx.now)?;
    let updated = ctx.db.assignment(&target.id)?.ok_or_else(|| {
        ServiceError::Conflict("the assignment vanished during the update".into())
    })?;
    let request = request(
        RequestAction::AdminUpdate,
        RequestStatus::Provisioned,
        &updated,
        &actor.principal,
        ctx.now,
    );
    ctx.db.insert_request(&request)?;
    ctx.audit(
        AuditEntry::new(
            activity::assignment_updated(kind, updated.end.is_none(), true),
            ctx.now,
        )
        .by(&actor.principal)
        .role(&role)
        .target(&who)
        .justification(reason.as_deref())
        .detail("assignment_id", &updated.id)
        .detail("request_id", &request.id)
        .detail(
            "before",
            serde_json::json!({"type": target.kind, "end": target.end}),
        )
        .detail(
            "after",
            serde_json::json!({"type": updated.kind, "end": updated.end}),
        ),
    )?;
    let emails = notify_assignment(ctx, &role, &who, &actor.principal, &updated, &request.id)?;
    Ok(AssignmentDone {
        assignment: updated,
        role,
        principal: who,
        request,
        emails,
        ended_activations: ended,
    })
}

/// [`Service::remove_assignment`](super::Service::remove_assignment) inside a transaction.
pub(super) fn remove_tx(
    ctx: &Ctx<'_>,
    token: &SessionToken,
    input: &RemoveInput,
) -> ServiceResult<AssignmentDone> {
    let actor = ctx.actor(token)?;
    let role = ctx.role(&input.role)?;
    let (who, _) = ctx.principal(&input.upn)?;
    let target = find_target(
        ctx,
        &role,
        &who,
        input.kind,
        input.assignment_id.as_deref(),
        true,
        "remove",
    )?;
    let attempt = AuditEntry::new(activity::assignment_removed(&target, false), ctx.now)
        .by(&actor.principal)
        .role(&role)
        .target(&who)
        .detail("assignment_id", &target.id);
    check_removal(
        &role,
        &target,
        is_last_global_admin(ctx, &target)?,
        ctx.manages(&actor.principal.id, &role)?,
        ctx.now,
    )
    .map_err(|r| ctx.refuse(attempt, r))?;
    ctx.db
        .end_assignment(&target.id, ctx.now, EndReason::Removed)?;
    let ended = if target.kind == AssignmentKind::Eligible {
        end_activations(
            ctx,
            &target,
            &role,
            &who,
            Some(&actor.principal),
            EndReason::Revoked,
        )?
    } else {
        super::groups::end_activations_through(ctx, &role, &who, Some(&actor.principal))?
    };
    let request = request(
        RequestAction::AdminRemove,
        RequestStatus::Revoked,
        &target,
        &actor.principal,
        ctx.now,
    );
    ctx.db.insert_request(&request)?;
    ctx.audit(
        AuditEntry::new(activity::assignment_removed(&target, true), ctx.now)
            .by(&actor.principal)
            .role(&role)
            .target(&who)
            .detail("assignment_id", &target.id)
            .detail("request_id", &request.id)
            .detail("ended_activations", ended),
    )?;
    let removed = ctx.db.assignment(&target.id)?.unwrap_or(target);
    Ok(AssignmentDone {
        assignment: removed,
        role,
        principal: who,
        request,
        emails: 0,
        ended_activations: ended,
    })
}

impl super::Service {
    /// Assigns a role to a user (eligible or active), checked against the role's settings.
    pub fn assign(
        &mut self,
        token: &SessionToken,
        input: AssignInput,
    ) -> ServiceResult<AssignmentDone> {
        let reason = justification(input.justification.as_deref())?;
        self.write(|ctx| assign_tx(ctx, token, &input, reason.clone()))
    }

    /// Changes the type and/or expiry of an admin assignment.
    pub fn update_assignment(
        &mut self,
        token: &SessionToken,
        input: UpdateInput,
    ) -> ServiceResult<AssignmentDone> {
        let reason = justification(input.justification.as_deref())?;
        self.write(|ctx| update_tx(ctx, token, &input, reason.clone()))
    }

    /// Removes an assignment (and, for an eligibility, the activations made from it).
    pub fn remove_assignment(
        &mut self,
        token: &SessionToken,
        input: RemoveInput,
    ) -> ServiceResult<AssignmentDone> {
        self.write(|ctx| remove_tx(ctx, token, &input))
    }
}

fn purpose_assignment(role: &Role, kind: AssignmentKind) -> Purpose<'_> {
    Purpose {
        what: format!("an {kind} assignment of {}", role.display_name),
        failure_activity: activity::Activity::MfaFailed,
        role: Some(role),
    }
}
