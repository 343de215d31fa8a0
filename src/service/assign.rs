//! Admin assignments: assign (eligible or active, permanent or time-bound), update (type and
//! expiry), remove, and list. Removing an eligibility ends the activations made from it in the
//! same transaction.

use chrono::TimeDelta;

use super::mfa::{Purpose, verify_code};
use super::{Ctx, ServiceError, ServiceResult, SessionToken, mail, new_id};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::notify::templates::MessageFacts;
use crate::policy::assignment::{
    AssignmentFacts, AssignmentRequest, Expiry, UpdateFacts, UpdateRequest, check_assignment,
    check_removal, check_update,
};
use crate::policy::lifecycle::check_licence;
use crate::policy::model::{
    Assignment, AssignmentKind, EndReason, GLOBAL_ADMINISTRATOR, Origin, Principal, Role,
};
use crate::policy::notification::NotifyEvent;
use crate::policy::request::{Request, RequestAction, RequestStatus};
use crate::policy::text::{MAX_JUSTIFICATION_CHARS, check_free_text};
use crate::store;
use crate::store::assignments::{AssignmentRow, Filter, Which};

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

pub(super) fn justification(raw: Option<&str>) -> ServiceResult<Option<String>> {
    match raw {
        None => Ok(None),
        Some(text) => check_free_text("justification", text, MAX_JUSTIFICATION_CHARS)
            .map_err(|e| ServiceError::Invalid(e.to_string())),
    }
}

pub(super) fn request(
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

fn event_of(kind: AssignmentKind) -> NotifyEvent {
    match kind {
        AssignmentKind::Eligible => NotifyEvent::EligibleAssignment,
        AssignmentKind::Active => NotifyEvent::ActiveAssignment,
    }
}

/// Whether `a` is the only live, permanent, active Global Administrator assignment of an
/// enabled account (removing it or making it eligible or time-bound would leave the tenant
/// without an administrator once the others end).
pub(super) fn is_last_global_admin(ctx: &Ctx<'_>, a: &Assignment) -> ServiceResult<bool> {
    if a.role_id != GLOBAL_ADMINISTRATOR {
        return Ok(false);
    }
    let holders =
        store::assignments::permanent_active_holders(ctx.conn, GLOBAL_ADMINISTRATOR, ctx.now)?;
    Ok(holders.len() == 1 && holders[0].0 == a.id)
}

/// Whether disabling `user_id` would leave no live, permanent, active Global Administrator
/// assignment of an enabled account.
pub(super) fn holds_last_global_admin(ctx: &Ctx<'_>, user_id: &str) -> ServiceResult<bool> {
    let holders =
        store::assignments::permanent_active_holders(ctx.conn, GLOBAL_ADMINISTRATOR, ctx.now)?;
    Ok(!holders.is_empty() && holders.iter().all(|(_, p)| p == user_id))
}

/// Ends the live or scheduled activations made from an eligibility, auditing each.
/// Ends the activations made from an eligibility that was removed or changed, each audited;
/// `actor` is who changed it (`None`: the engine, applying an access review).
pub(super) fn end_activations(
    ctx: &Ctx<'_>,
    eligibility: &Assignment,
    role: &Role,
    who: &Principal,
    actor: Option<&Principal>,
    reason: EndReason,
) -> ServiceResult<usize> {
    let mut ended = 0;
    for a in store::assignments::activations_from(ctx.conn, &eligibility.id)? {
        if store::assignments::end(ctx.conn, &a.id, ctx.now, reason)? {
            let mut entry = AuditEntry::new(activity::ACTIVATION_REVOKED, ctx.now);
            if let Some(actor) = actor {
                entry = entry.by(actor);
            }
            // A group's eligibility is activated by its members, each for themselves.
            let holder = if a.principal_id == who.id {
                who.clone()
            } else {
                store::users::by_id(ctx.conn, &a.principal_id)?
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
pub(super) fn current_eligible(ctx: &Ctx<'_>) -> ServiceResult<Vec<AssignmentRow>> {
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
        let page = store::assignments::list(ctx.conn, &filter, ctx.now)?;
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
pub(super) fn remove_all_eligible(
    ctx: &Ctx<'_>,
    actor: &Principal,
    why: &str,
) -> ServiceResult<(usize, usize)> {
    let (mut removed, mut ended) = (0, 0);
    for row in current_eligible(ctx)? {
        let a = &row.assignment;
        if !store::assignments::end(ctx.conn, &a.id, ctx.now, EndReason::Removed)? {
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
pub(super) fn notify_assignment(
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
    let existing = store::assignments::open_of_kind(ctx.conn, &who.id, &role.id, input.kind)?
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
        super::groups::check_group_principal(&role, g)
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
    store::requests::insert(ctx.conn, &request)?;
    store::assignments::insert(ctx.conn, &assignment, Some(&request.id))?;
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
        store::assignments::open_of_kind(ctx.conn, &who.id, &role.id, kind)?.filter(|a| {
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
    store::assignments::update_window(
        ctx.conn,
        &target.id,
        kind,
        expiry.end(),
        reason.as_deref(),
        ctx.now,
    )?;
    let updated = store::assignments::get(ctx.conn, &target.id)?.ok_or_else(|| {
        ServiceError::Conflict("the assignment vanished during the update".into())
    })?;
    let request = request(
        RequestAction::AdminUpdate,
        RequestStatus::Provisioned,
        &updated,
        &actor.principal,
        ctx.now,
    );
    store::requests::insert(ctx.conn, &request)?;
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
    store::assignments::end(ctx.conn, &target.id, ctx.now, EndReason::Removed)?;
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
    store::requests::insert(ctx.conn, &request)?;
    ctx.audit(
        AuditEntry::new(activity::assignment_removed(&target, true), ctx.now)
            .by(&actor.principal)
            .role(&role)
            .target(&who)
            .detail("assignment_id", &target.id)
            .detail("request_id", &request.id)
            .detail("ended_activations", ended),
    )?;
    let removed = store::assignments::get(ctx.conn, &target.id)?.unwrap_or(target);
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

    /// Assignments, newest first. Administrators and audit readers see everyone's; other
    /// accounts see their own.
    pub fn assignments(
        &mut self,
        token: &SessionToken,
        role: Option<&str>,
        upn: Option<&str>,
        which: Which,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<Vec<AssignmentRow>> {
        self.read(|ctx| {
            let (role_id, principal_id) = visible(ctx, token, role, upn)?;
            let filter = listing(role_id.as_deref(), principal_id.as_deref(), which);
            Ok(store::assignments::list(
                ctx.conn,
                &Filter {
                    limit,
                    offset,
                    ..filter
                },
                ctx.now,
            )?)
        })
    }

    /// How many assignments [`Self::assignments`] would list in all, pages aside.
    pub fn count_assignments(
        &mut self,
        token: &SessionToken,
        role: Option<&str>,
        upn: Option<&str>,
        which: Which,
    ) -> ServiceResult<i64> {
        self.read(|ctx| {
            let (role_id, principal_id) = visible(ctx, token, role, upn)?;
            let filter = listing(role_id.as_deref(), principal_id.as_deref(), which);
            Ok(store::assignments::count(ctx.conn, &filter, ctx.now)?)
        })
    }
}

/// A listing's filter, its page aside.
fn listing<'a>(
    role_id: Option<&'a str>,
    principal_id: Option<&'a str>,
    which: Which,
) -> Filter<'a> {
    Filter {
        role_id,
        principal_id,
        kind: None,
        which,
        limit: 0,
        offset: 0,
    }
}

/// The role and principal a listing asks for, as ids, narrowed to the caller's own
/// assignments unless they may see everyone's.
fn visible(
    ctx: &Ctx<'_>,
    token: &SessionToken,
    role: Option<&str>,
    upn: Option<&str>,
) -> ServiceResult<(Option<String>, Option<String>)> {
    let me = ctx.actor(token)?;
    let role = role.map(|r| ctx.role(r)).transpose()?;
    let who = upn.map(|u| ctx.principal(u)).transpose()?;
    // A group's owners see who holds its membership and ownership.
    let sees_all = ctx.is_audit_reader(&me.principal.id)?
        || match &role {
            Some(r) if r.group.is_some() => ctx.manages(&me.principal.id, r)?,
            _ => false,
        };
    let principal_id = match (&who, sees_all) {
        (Some((w, _)), true) => Some(w.id.clone()),
        (Some((w, _)), false) if w.id != me.principal.id => {
            return Err(ServiceError::Refused(
                crate::policy::assignment::admin_required("seeing other users' assignments"),
            ));
        }
        (_, true) => None,
        (_, false) => Some(me.principal.id.clone()),
    };
    Ok((role.map(|r| r.id), principal_id))
}

fn purpose_assignment(role: &Role, kind: AssignmentKind) -> Purpose<'_> {
    Purpose {
        what: format!("an {kind} assignment of {}", role.display_name),
        failure_activity: activity::MFA_FAILED,
        role: Some(role),
    }
}

/// Ends activations that an eligibility update makes impossible: all of them when it becomes
/// active (the role is then assigned outright), those outlasting a shortened end otherwise.
pub(super) fn cut_activations(
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
    let affected = store::assignments::activations_from(ctx.conn, &eligibility.id)?;
    if new_kind == AssignmentKind::Active || affected.iter().any(outlasts) {
        return end_activations(ctx, eligibility, role, who, Some(actor), EndReason::Updated);
    }
    Ok(0)
}

/// Finds the assignment an update or removal acts on.
pub(super) fn find_target(
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
        return store::assignments::get(ctx.conn, id)?
            .filter(|a| a.role_id == role.id && a.principal_id == who.id && a.is_current(ctx.now))
            .ok_or_else(missing);
    }
    let mut candidates = Vec::new();
    for k in [AssignmentKind::Eligible, AssignmentKind::Active] {
        if kind.is_some_and(|wanted| wanted != k) {
            continue;
        }
        if let Some(a) = store::assignments::open_of_kind(ctx.conn, &who.id, &role.id, k)?
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
