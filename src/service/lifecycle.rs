//! Extend and renew: users ask (an extension within 14 days of the end, a renewal up to 30
//! days after expiry) and Global / Privileged Role Administrators decide; administrators may
//! also extend or renew directly.

use super::approval::{RequestView, activities, approvers_for, facts, notify};
use super::assign::{
    AssignmentDone, Window, justification, notify_assignment, request as admin_request,
};
use super::decide::{Extension, Renewal, extend, renew};
use super::{Ctx, ServiceError, ServiceResult, SessionToken, new_id};
use crate::audit::AuditEntry;
use crate::audit::activity::{Activity, Flow, Stage};
use crate::notify::EmailEvent;
use crate::notify::lifecycle as mails;
use crate::policy::assignment::admin_required;
use crate::policy::lifecycle::{
    action_words, check_extend_request, check_licence, check_renew_request,
};
use crate::policy::model::{Assignment, AssignmentKind, Origin, Principal, Role};
use crate::policy::notification::NotifyRecipient;
use crate::policy::request::{Request, RequestAction, RequestStatus};
use crate::policy::{Refusal, Rule};

/// What a user asks for: extend a current assignment or renew an expired one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Extend (within 14 days of the end).
    Extend,
    /// Renew (up to 30 days after expiry).
    Renew,
}

/// The assignment an extension or renewal is about.
fn subject(
    ctx: &Ctx<'_>,
    who: &Principal,
    role: &Role,
    kind: Option<AssignmentKind>,
    ask: Ask,
) -> ServiceResult<Option<Assignment>> {
    match ask {
        Ask::Renew => Ok(ctx.db.latest_expired(&who.id, &role.id, kind)?),
        Ask::Extend => {
            let mut found = Vec::new();
            for k in [AssignmentKind::Eligible, AssignmentKind::Active] {
                if kind.is_none_or(|wanted| wanted == k)
                    && let Some(a) = ctx
                        .db
                        .open_of_kind(&who.id, &role.id, k)?
                        .filter(|a| a.is_current(ctx.now) && a.origin == Origin::Assigned)
                {
                    found.push(a);
                }
            }
            if found.len() > 1 {
                return Err(ServiceError::Invalid(format!(
                    "{} has both an eligible and an active assignment of {}; say which with --type eligible|active",
                    who.upn, role.display_name
                )));
            }
            Ok(found.pop())
        }
    }
}

fn missing(role: &Role, ask: Ask) -> Refusal {
    Refusal::new(
        Rule::RoleAssignmentDoesNotExist,
        match ask {
            Ask::Extend => format!("there is no assignment of {} to extend", role.display_name),
            Ask::Renew => format!(
                "there is no expired assignment of {} to renew",
                role.display_name
            ),
        },
    )
}

/// Who extends or renews whose assignment directly, the attempt to audit, and the assignment.
struct Direct {
    actor: Principal,
    role: Role,
    who: Principal,
    attempt: AuditEntry,
    assignment: Assignment,
}

/// The common start of a direct extension or renewal: the parties, the administrator and
/// licence gates, and the assignment it is about (each refusal audited as `name`).
fn direct(
    ctx: &Ctx<'_>,
    token: &SessionToken,
    (role, upn, kind): (&str, &str, Option<AssignmentKind>),
    ask: Ask,
    name: crate::audit::activity::Activity,
    reason: Option<&str>,
) -> ServiceResult<Direct> {
    let actor = ctx.actor(token)?.principal;
    let role = ctx.role(role)?;
    let (who, _) = ctx.principal(upn)?;
    let attempt = AuditEntry::new(name, ctx.now)
        .by(&actor)
        .role(&role)
        .target(&who)
        .justification(reason);
    let (doing, what) = match ask {
        Ask::Extend => ("extending assignments", "Extending an assignment"),
        Ask::Renew => ("renewing assignments", "Renewing an assignment"),
    };
    if !ctx.manages(&actor.id, &role)? {
        return Err(ctx.refuse(attempt, admin_required(doing)));
    }
    check_licence(ctx.tenant.licence, what).map_err(|r| ctx.refuse(attempt.clone(), r))?;
    let Some(assignment) = subject(ctx, &who, &role, kind, ask)? else {
        return Err(ctx.refuse(attempt, missing(&role, ask)));
    };
    Ok(Direct {
        actor,
        role,
        who,
        attempt,
        assignment,
    })
}

impl super::Service {
    /// A user asks to extend or renew one of their admin assignments; administrators decide.
    pub fn request_lifecycle(
        &mut self,
        token: &SessionToken,
        role: &str,
        kind: Option<AssignmentKind>,
        ask: Ask,
        reason: &str,
    ) -> ServiceResult<RequestView> {
        let reason = justification(Some(reason))?;
        self.write(|ctx| {
            let me = ctx.actor(token)?.principal;
            let role = ctx.role(role)?;
            let action = if ask == Ask::Extend { RequestAction::SelfExtend } else { RequestAction::SelfRenew };
            let [requested, ..] = activities(action, kind.unwrap_or(AssignmentKind::Eligible));
            let attempt = AuditEntry::new(requested, ctx.now).by(&me).role(&role).target(&me).justification(reason.as_deref());
            let what = if ask == Ask::Extend { "Extending an assignment" } else { "Renewing an assignment" };
            check_licence(ctx.tenant.licence, what).map_err(|r| ctx.refuse(attempt.clone(), r))?;
            let Some(reason) = reason.clone() else {
                return Err(ctx.refuse(attempt, Refusal::new(Rule::JustificationRule, "say why you need the role longer (a reason is required)")));
            };
            let Some(a) = subject(ctx, &me, &role, kind, ask)? else {
                return Err(ctx.refuse(attempt, missing(&role, ask)));
            };
            let rule = match ask {
                Ask::Extend => check_extend_request(&role, &a, ctx.now),
                Ask::Renew => check_renew_request(&role, &a, ctx.now),
            };
            rule.map_err(|r| ctx.refuse(attempt.clone(), r))?;
            if let Some(p) = ctx.db.pending_for(&me.id, &role.id, &[action])? {
                return Err(ctx.refuse(
                    attempt,
                    Refusal::new(Rule::PendingRoleAssignmentRequest, format!("a request to {} {} is already waiting (request {}); cancel it first to send another", action_words(action), role.display_name, p.id)),
                ));
            }
            let request = Request {
                justification: Some(reason),
                start: Some(a.start),
                end: a.end,
                created_by: Some(me.id.clone()),
                completed_at: None,
                source_assignment_id: Some(a.id.clone()),
                // Like an activation's, an extension or renewal request waits 24 hours.
                expires_at: Some(ctx.now + crate::policy::lifecycle::APPROVAL_WINDOW),
                ..Request::settled(new_id(), action, RequestStatus::PendingAdminDecision, a.kind, &role.id, &me.id, ctx.now)
            };
            ctx.db.insert_request(&request)?;
            let [requested, ..] = activities(action, a.kind);
            ctx.audit(
                AuditEntry::new(requested, ctx.now)
                    .by(&me)
                    .role(&role)
                    .target(&me)
                    .justification(request.justification.as_deref())
                    .detail("request_id", &request.id)
                    .detail("current_end", a.end),
            )?;
            let settings = ctx.settings(&role.id)?;
            let (approvers, _) = approvers_for(ctx, &settings, &request)?;
            let f = facts(&request, &role, &me, ctx.now);
            notify(ctx, &settings, &request, NotifyRecipient::Approver, &approvers, EmailEvent::ExtensionRequest, mails::extension_request(&f, action_words(action), request.expires_at))?;
            Ok(RequestView { request, role, principal: me, approvers, can_decide: false, mine: true })
        })
    }

    /// An administrator extends an assignment directly (no request, no approval): the new end
    /// is counted from the current end, and never earlier than it.
    pub fn admin_extend(
        &mut self,
        token: &SessionToken,
        role: &str,
        upn: &str,
        kind: Option<AssignmentKind>,
        window: Option<Window>,
        reason: &str,
    ) -> ServiceResult<AssignmentDone> {
        let reason = justification(Some(reason))?;
        self.write(|ctx| {
            extend_tx(
                ctx,
                token,
                &DirectChange {
                    role: role.to_owned(),
                    upn: upn.to_owned(),
                    kind,
                    start: None,
                    window,
                    reason: reason.clone(),
                },
            )
        })
    }

    /// An administrator renews an expired assignment directly (up to 30 days after expiry).
    #[expect(
        clippy::too_many_arguments,
        reason = "the renewal's choices: who, which, when, how long, why"
    )]
    pub fn admin_renew(
        &mut self,
        token: &SessionToken,
        role: &str,
        upn: &str,
        kind: Option<AssignmentKind>,
        start: Option<crate::clock::Time>,
        window: Option<Window>,
        reason: &str,
    ) -> ServiceResult<AssignmentDone> {
        let reason = justification(Some(reason))?;
        self.write(|ctx| {
            renew_tx(
                ctx,
                token,
                &DirectChange {
                    role: role.to_owned(),
                    upn: upn.to_owned(),
                    kind,
                    start,
                    window,
                    reason: reason.clone(),
                },
            )
        })
    }
}

/// An administrator's direct extension or renewal, as asked for.
#[derive(Debug, Clone)]
pub struct DirectChange {
    /// Role name, slug or id.
    pub role: String,
    /// Whose assignment.
    pub upn: String,
    /// Which type, when the user has both.
    pub kind: Option<AssignmentKind>,
    /// A renewal's start (now when `None`).
    pub start: Option<crate::clock::Time>,
    /// The new window.
    pub window: Option<Window>,
    /// Why (checked).
    pub reason: Option<String>,
}

/// [`Service::admin_extend`](super::Service::admin_extend) inside a transaction.
pub(super) fn extend_tx(
    ctx: &Ctx<'_>,
    token: &SessionToken,
    change: &DirectChange,
) -> ServiceResult<AssignmentDone> {
    // A refusal is named for what was asked: the type given, or an eligibility.
    let name = Activity::Request {
        flow: Flow::Extend(change.kind.unwrap_or(AssignmentKind::Eligible)),
        stage: Stage::Requested,
    };
    let Direct {
        actor,
        role,
        who,
        attempt,
        assignment: target,
    } = direct(
        ctx,
        token,
        (&change.role, &change.upn, change.kind),
        Ask::Extend,
        name,
        change.reason.as_deref(),
    )?;
    if target.end.is_none() {
        return Err(ctx.refuse(
            attempt,
            Refusal::new(
                Rule::ExpirationRule,
                format!(
                    "the {} assignment of {} is permanent; there is nothing to extend",
                    target.kind, role.display_name
                ),
            ),
        ));
    }
    let settings = ctx.settings(&role.id)?;
    let extension = Extension {
        role: &role,
        settings: &settings,
        principal: &who,
        actor: &actor,
        target: &target,
        kind: target.kind,
        window: change.window,
        justification: change.reason.clone(),
        keep_justification: false,
    };
    let updated = extend(ctx, &extension).map_err(|e| ctx.refuse_error(&attempt, e))?;
    let request = admin_request(
        RequestAction::AdminExtend,
        RequestStatus::Provisioned,
        &updated,
        &actor,
        ctx.now,
    );
    ctx.db.insert_request(&request)?;
    ctx.audit(
        AuditEntry::new(
            Activity::Request {
                flow: Flow::Extend(updated.kind),
                stage: Stage::Completed,
            },
            ctx.now,
        )
        .by(&actor)
        .role(&role)
        .target(&who)
        .justification(change.reason.as_deref())
        .detail("assignment_id", &updated.id)
        .detail("request_id", &request.id)
        .detail("before", target.end)
        .detail("after", updated.end),
    )?;
    let emails = notify_assignment(ctx, &role, &who, &actor, &updated, &request.id)?;
    Ok(AssignmentDone {
        assignment: updated,
        role,
        principal: who,
        request,
        emails,
        ended_activations: 0,
    })
}

/// [`Service::admin_renew`](super::Service::admin_renew) inside a transaction.
pub(super) fn renew_tx(
    ctx: &Ctx<'_>,
    token: &SessionToken,
    change: &DirectChange,
) -> ServiceResult<AssignmentDone> {
    let name = Activity::Request {
        flow: Flow::Renew(change.kind.unwrap_or(AssignmentKind::Eligible)),
        stage: Stage::Requested,
    };
    let Direct {
        actor,
        role,
        who,
        attempt,
        assignment: source,
    } = direct(
        ctx,
        token,
        (&change.role, &change.upn, change.kind),
        Ask::Renew,
        name,
        change.reason.as_deref(),
    )?;
    check_renew_request(&role, &source, ctx.now).map_err(|r| ctx.refuse(attempt.clone(), r))?;
    let settings = ctx.settings(&role.id)?;
    let renewal = Renewal {
        role: &role,
        settings: &settings,
        principal: &who,
        actor: &actor,
        source: &source,
        justification: change.reason.clone(),
        request_id: None,
    };
    let (assignment, _) = renew(ctx, &renewal, change.kind, change.start, change.window)
        .map_err(|e| ctx.refuse_error(&attempt, e))?;
    let request = ctx
        .db
        .request(&ctx.db.request_of(&assignment.id)?.unwrap_or_default())?
        .ok_or_else(|| ServiceError::Conflict("the renewal lost its request".into()))?;
    ctx.audit(
        AuditEntry::new(
            Activity::Request {
                flow: Flow::Renew(assignment.kind),
                stage: Stage::Completed,
            },
            ctx.now,
        )
        .by(&actor)
        .role(&role)
        .target(&who)
        .justification(change.reason.as_deref())
        .detail("assignment_id", &assignment.id)
        .detail("request_id", &request.id)
        .detail("renews", &source.id),
    )?;
    let emails = notify_assignment(ctx, &role, &who, &actor, &assignment, &request.id)?;
    Ok(AssignmentDone {
        assignment,
        role,
        principal: who,
        request,
        emails,
        ended_activations: 0,
    })
}
