//! Approving, denying and cancelling requests. The first decision settles a request (the
//! check and the settling happen under one write lock); the requestor and the other approvers
//! are told.

use super::approval::{activities, approvers_for, facts, load, notify};
use super::assign::{Window, justification};
use super::{Ctx, ServiceError, ServiceResult, SessionToken};
use crate::audit::AuditEntry;
use crate::clock::Time;
use crate::notify::EmailEvent;
use crate::notify::lifecycle as mails;
use crate::policy::lifecycle::{DecisionFacts, action_words, check_decision, check_licence};
use crate::policy::model::{Assignment, AssignmentKind, EndReason, Principal, Role};
use crate::policy::notification::NotifyRecipient;
use crate::policy::request::{Request, RequestAction, RequestStatus};
use crate::policy::settings::RoleSettings;
use crate::policy::{Refusal, Rule};

mod carry_out;

pub(super) use carry_out::{Extension, Renewal, extend, renew};
use carry_out::{approve_activation, approve_extension, approve_renewal};

/// An approver's decision. For extensions and renewals the approver may change the start, the
/// window and the type; activations keep what was asked (within the cap).
#[derive(Debug, Clone)]
pub struct Decision {
    /// Approve (true) or deny.
    pub approve: bool,
    /// The approver's justification (required).
    pub reason: String,
    /// A different start (renewals).
    pub start: Option<Time>,
    /// A different window (extensions: counted from the current end; renewals: from the start).
    pub window: Option<Window>,
    /// A different type (extensions and renewals).
    pub kind: Option<AssignmentKind>,
}

/// What a decision did.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The request as settled.
    pub request: Request,
    /// Its role.
    pub role: Role,
    /// Who it was for.
    pub principal: Principal,
    /// The activation, extended or renewed assignment an approval produced.
    pub assignment: Option<Assignment>,
}

/// The request, its role and principal, and the facts an approval needs.
pub(super) struct Pending<'a> {
    request: &'a Request,
    role: &'a Role,
    principal: &'a Principal,
    settings: &'a RoleSettings,
    approver: &'a Principal,
    reason: &'a str,
}

impl super::Service {
    /// Approves or denies a pending request.
    pub fn decide(
        &mut self,
        token: &SessionToken,
        id: &str,
        d: Decision,
    ) -> ServiceResult<Decided> {
        let reason = justification(Some(&d.reason))?;
        self.write(|ctx| {
            let approver = ctx.actor(token)?.principal;
            let (request, role, principal) = load(ctx, id)?;
            let settings = ctx.settings(&role.id)?;
            let (approvers, default_approvers) = approvers_for(ctx, &settings, &request)?;
            let [_, approved, denied, ..] = activities(request.action, request.kind);
            let attempt = AuditEntry::new(if d.approve { approved } else { denied }, ctx.now)
                .by(&approver)
                .role(&role)
                .target(&principal)
                .justification(reason.as_deref())
                .detail("request_id", &request.id);
            let Some(reason) = reason else {
                return Err(ctx.refuse(
                    attempt,
                    Refusal::new(
                        Rule::JustificationRule,
                        "approvers give a justification with their decision; add a reason",
                    ),
                ));
            };
            let facts_ = DecisionFacts {
                role: &role,
                request: &request,
                approver: &approver,
                approvers: &approvers,
                default_approvers,
                now: ctx.now,
            };
            check_decision(facts_).map_err(|r| ctx.refuse(attempt.clone(), r))?;
            if d.approve
                && let Err(r) = check_licence(ctx.tenant.licence, "Approving a request")
            {
                return Err(ctx.refuse(attempt, r));
            }
            let p = Pending {
                request: &request,
                role: &role,
                principal: &principal,
                settings: &settings,
                approver: &approver,
                reason: &reason,
            };
            let assignment = if d.approve {
                Some(match request.action {
                    RequestAction::SelfActivate => approve_activation(ctx, &p, attempt)?,
                    RequestAction::SelfExtend => approve_extension(ctx, &p, &d, attempt)?,
                    RequestAction::SelfRenew => approve_renewal(ctx, &p, &d, attempt)?,
                    _ => {
                        return Err(ServiceError::Conflict(
                            "this request does not wait for a decision".into(),
                        ));
                    }
                })
            } else {
                ctx.db.settle_request(
                    &request.id,
                    RequestStatus::Denied,
                    ctx.now,
                    Some(&approver.id),
                    Some(&reason),
                )?;
                ctx.audit(attempt)?;
                None
            };
            tell(ctx, &p, &approvers, d.approve)?;
            let request = ctx.db.request(&request.id)?.unwrap_or(request.clone());
            Ok(Decided {
                request,
                role: role.clone(),
                principal: principal.clone(),
                assignment,
            })
        })
    }

    /// Cancels a pending request (the requestor's own, or any as an administrator), or a
    /// scheduled activation before it starts.
    pub fn cancel_request(&mut self, token: &SessionToken, id: &str) -> ServiceResult<Request> {
        self.write(|ctx| {
            let me = ctx.actor(token)?.principal;
            let (request, role, principal) = load(ctx, id)?;
            let [.., canceled, _] = activities(request.action, request.kind);
            let attempt = AuditEntry::new(canceled, ctx.now).by(&me).role(&role).target(&principal).detail("request_id", &request.id);
            let own = me.id == principal.id;
            if !own && !ctx.is_admin(&me.id)? {
                return Err(ctx.refuse(
                    attempt,
                    Refusal::new(Rule::AdminRequestRule, "only the requestor, or an active Global or Privileged Role Administrator, can cancel this request"),
                ));
            }
            let scheduled = request
                .target_assignment_id
                .as_deref()
                .map(|t| ctx.db.assignment(t))
                .transpose()?
                .flatten()
                .filter(|a| a.is_scheduled(ctx.now));
            if request.status.is_pending() {
                ctx.db.settle_request(&request.id, RequestStatus::Canceled, ctx.now, Some(&me.id), None)?;
            } else if let Some(a) = scheduled {
                ctx.db.end_assignment(&a.id, ctx.now, EndReason::Canceled)?;
                ctx.db.set_request_status(&request.id, RequestStatus::Canceled, ctx.now)?;
            } else {
                return Err(ctx.refuse(
                    attempt,
                    Refusal::new(
                        Rule::ApprovalRule,
                        format!("only pending requests and activations that have not started can be cancelled; this one is {}", request.status.as_str()),
                    ),
                ));
            }
            ctx.audit(attempt)?;
            Ok(ctx.db.request(&request.id)?.unwrap_or(request))
        })
    }
}

/// Tells the requestor and the other approvers how it was decided.
fn tell(
    ctx: &Ctx<'_>,
    p: &Pending<'_>,
    approvers: &[Principal],
    approved: bool,
) -> ServiceResult<()> {
    let f = facts(p.request, p.role, p.principal, ctx.now);
    let verb = action_words(p.request.action);
    let me = [p.principal.clone()];
    notify(
        ctx,
        p.settings,
        p.request,
        NotifyRecipient::Requestor,
        &me,
        EmailEvent::RequestDecision,
        mails::decision(&f, verb, approved, p.approver, p.reason, true),
    )?;
    // Entra confirms the decision to the approver who made it, and tells the others.
    let decider = [p.approver.clone()];
    notify(
        ctx,
        p.settings,
        p.request,
        NotifyRecipient::Approver,
        &decider,
        EmailEvent::ApproverNotice,
        mails::decision_confirmation(&f, verb, approved, p.reason),
    )?;
    let others: Vec<Principal> = approvers
        .iter()
        .filter(|a| a.id != p.approver.id)
        .cloned()
        .collect();
    notify(
        ctx,
        p.settings,
        p.request,
        NotifyRecipient::Approver,
        &others,
        EmailEvent::ApproverNotice,
        mails::decision(&f, verb, approved, p.approver, p.reason, false),
    )?;
    Ok(())
}

pub(super) fn settle_approved(
    ctx: &Ctx<'_>,
    p: &Pending<'_>,
    status: RequestStatus,
    attempt: AuditEntry,
    assignment: &Assignment,
) -> ServiceResult<()> {
    ctx.db.settle_request(
        &p.request.id,
        status,
        ctx.now,
        Some(&p.approver.id),
        Some(p.reason),
    )?;
    ctx.db.set_request_target(&p.request.id, &assignment.id)?;
    ctx.audit(
        attempt
            .detail("assignment_id", &assignment.id)
            .detail("start", assignment.start)
            .detail("end", assignment.end),
    )
}
