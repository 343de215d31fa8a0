//! Self-activation and deactivation (the user's own view of their roles is `service/status.rs`).
//! The order is fixed: the request is checked against the role's rules first, and only a
//! request that would pass asks for (and consumes) a TOTP code.

use chrono::TimeDelta;

use super::mfa::verify_code;
use super::{ServiceError, ServiceResult, SessionToken, mail, new_id};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::notify::templates::MessageFacts;
use crate::policy::activation::{ActivationPlan, check_deactivation};
use crate::policy::model::{Assignment, AssignmentKind, EndReason, Origin, Principal, Role};
use crate::policy::notification::NotifyEvent;
use crate::policy::request::{Request, RequestAction, RequestStatus};

mod check;

pub(super) use check::eligible_through_group;
use check::{Checked, Texts, check_all, step_up};

/// `pim activate`.
#[derive(Debug, Clone)]
pub struct ActivateInput {
    /// Role name, slug or id.
    pub role: String,
    /// How long.
    pub duration: TimeDelta,
    /// A scheduled start; now when `None`.
    pub start: Option<Time>,
    /// The reason (free text, checked here).
    pub justification: Option<String>,
    /// Ticket number.
    pub ticket_number: Option<String>,
    /// Ticket system.
    pub ticket_system: Option<String>,
    /// A fresh TOTP code (required when the role requires MFA or an authentication context).
    pub otp: Option<String>,
    /// The password, entered again (required when the role requires an authentication context).
    pub password: Option<String>,
}

/// A completed activation.
#[derive(Debug, Clone)]
pub struct Activated {
    /// The active assignment.
    pub assignment: Assignment,
    /// Its role.
    pub role: Role,
    /// Who activated.
    pub principal: Principal,
    /// The selfActivate request.
    pub request: Request,
    /// The end was cut to the eligibility's end.
    pub clamped: bool,
    /// Messages queued.
    pub emails: usize,
}

/// What a validation-only request found (Graph's `isValidationOnly`): the window the activation
/// would get, and whether a code will be asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationPreview {
    /// The role.
    pub role: Role,
    /// Start of the window.
    pub start: Time,
    /// End of the window.
    pub end: Time,
    /// The end would be cut to the eligibility's end.
    pub clamped: bool,
    /// A fresh MFA code is required.
    pub needs_mfa: bool,
    /// The role requires an authentication context: the password is asked for again too.
    pub needs_password: bool,
    /// The role requires approval: activating sends a request to its approvers.
    pub needs_approval: bool,
}

/// What an activation request led to.
#[derive(Debug, Clone)]
pub enum ActivationOutcome {
    /// The role is active (or scheduled).
    Active(Box<Activated>),
    /// The role requires approval; the request waits for an approver.
    Pending(Box<super::approval::RequestView>),
}

impl ActivationOutcome {
    /// The activation, when the role became active (or scheduled) at once.
    pub fn active(self) -> Option<Activated> {
        match self {
            ActivationOutcome::Active(a) => Some(*a),
            ActivationOutcome::Pending(_) => None,
        }
    }
}

/// Creates the activation of a planned window from its (already stored) request, audits it and
/// queues the activation e-mails. `approved_by` names the approver of an approved request.
pub(super) fn record_activation(
    ctx: &super::Ctx<'_>,
    me: &Principal,
    role: &Role,
    settings: &crate::policy::settings::RoleSettings,
    plan: &ActivationPlan,
    request: &Request,
    approved_by: Option<&Principal>,
) -> ServiceResult<(Assignment, usize)> {
    let assignment = Assignment {
        id: new_id(),
        role_id: role.id.clone(),
        principal_id: me.id.clone(),
        kind: AssignmentKind::Active,
        origin: Origin::Activated,
        activated_from: Some(plan.eligibility_id.clone()),
        start: plan.start,
        end: Some(plan.end),
        justification: request.justification.clone(),
        ticket: plan.ticket.clone(),
        created_at: ctx.now,
        created_by: Some(me.id.clone()),
        ended_at: None,
        end_reason: None,
    };
    ctx.db.insert_assignment(&assignment, Some(&request.id))?;
    ctx.db.set_request_target(&request.id, &assignment.id)?;
    let mut entry = AuditEntry::new(activity::Activity::ActivationCompleted, ctx.now)
        .by(me)
        .role(role)
        .target(me)
        .justification(request.justification.as_deref())
        .ticket(plan.ticket.as_ref())
        .detail("assignment_id", &assignment.id)
        .detail("request_id", &request.id)
        .detail("start", plan.start)
        .detail("end", plan.end)
        .detail("mfa", plan.needs_mfa)
        .detail("cut_to_eligibility_end", plan.clamped_to_eligibility);
    if let Some(a) = approved_by {
        entry = entry.detail("approved_by", &a.upn);
    }
    ctx.audit(entry)?;
    let message = MessageFacts {
        role,
        principal: me,
        actor: approved_by,
        kind: AssignmentKind::Active,
        start: plan.start,
        end: Some(plan.end),
        now: ctx.now,
        justification: request.justification.as_deref(),
        ticket: plan.ticket.as_ref(),
        request_id: &request.id,
    };
    let emails = mail::send(ctx, settings, NotifyEvent::Activation, &message)?;
    Ok((assignment, emails))
}

/// Stores a request for approval, audits it, and e-mails the approvers and the requestor.
fn submit_for_approval(
    ctx: &super::Ctx<'_>,
    me: &Principal,
    role: &Role,
    settings: &crate::policy::settings::RoleSettings,
    plan: &ActivationPlan,
    duration: TimeDelta,
    justification: Option<String>,
) -> ServiceResult<ActivationOutcome> {
    let expires = ctx.now + crate::policy::lifecycle::APPROVAL_WINDOW;
    let request = Request {
        justification,
        ticket: plan.ticket.clone(),
        start: plan.scheduled.then_some(plan.start),
        end: None,
        created_by: Some(me.id.clone()),
        completed_at: None,
        duration: Some(duration),
        source_assignment_id: Some(plan.eligibility_id.clone()),
        expires_at: Some(expires),
        ..Request::settled(
            new_id(),
            RequestAction::SelfActivate,
            RequestStatus::PendingApproval,
            AssignmentKind::Active,
            &role.id,
            &me.id,
            ctx.now,
        )
    };
    ctx.db.insert_request(&request)?;
    let [requested, ..] = super::approval::activities(request.action, request.kind);
    ctx.audit(
        AuditEntry::new(requested, ctx.now)
            .by(me)
            .role(role)
            .target(me)
            .justification(request.justification.as_deref())
            .ticket(plan.ticket.as_ref())
            .detail("request_id", &request.id)
            .detail("duration", crate::policy::duration::format_iso(duration))
            .detail("expires", expires),
    )?;
    let (approvers, _) = super::approval::approvers_for(ctx, settings, &request)?;
    let facts = super::approval::facts(&request, role, me, ctx.now);
    use crate::notify::{EmailEvent, lifecycle as mails};
    use crate::policy::notification::NotifyRecipient;
    super::approval::notify(
        ctx,
        settings,
        &request,
        NotifyRecipient::Approver,
        &approvers,
        EmailEvent::ApprovalRequest,
        mails::approval_request(&facts, duration, expires),
    )?;
    let me_list = [me.clone()];
    super::approval::notify(
        ctx,
        settings,
        &request,
        NotifyRecipient::Requestor,
        &me_list,
        EmailEvent::PendingNotice,
        mails::pending_notice(&facts, expires, &approvers),
    )?;
    Ok(ActivationOutcome::Pending(Box::new(
        super::approval::RequestView {
            request,
            role: role.clone(),
            principal: me.clone(),
            approvers,
            can_decide: false,
            mine: true,
        },
    )))
}

/// The activation of a checked request once its code (if any) has been verified: the request
/// is stored and the role activated, or it goes to the role's approvers.
fn activate_checked(
    ctx: &super::Ctx<'_>,
    c: Checked,
    duration: TimeDelta,
    texts: Texts,
) -> ServiceResult<ActivationOutcome> {
    let Checked {
        actor,
        role,
        settings,
        plan,
    } = c;
    let me = &actor.principal;
    if plan.needs_approval {
        return submit_for_approval(
            ctx,
            me,
            &role,
            &settings,
            &plan,
            duration,
            texts.justification,
        );
    }
    let request = Request {
        justification: texts.justification,
        ticket: plan.ticket.clone(),
        start: Some(plan.start),
        end: Some(plan.end),
        created_by: Some(me.id.clone()),
        ..Request::settled(
            new_id(),
            RequestAction::SelfActivate,
            if plan.scheduled {
                RequestStatus::Granted
            } else {
                RequestStatus::Provisioned
            },
            AssignmentKind::Active,
            &role.id,
            &me.id,
            ctx.now,
        )
    };
    ctx.db.insert_request(&request)?;
    let (assignment, emails) = record_activation(ctx, me, &role, &settings, &plan, &request, None)?;
    Ok(ActivationOutcome::Active(Box::new(Activated {
        assignment,
        role,
        principal: me.clone(),
        request,
        clamped: plan.clamped_to_eligibility,
        emails,
    })))
}

impl super::Service {
    /// Checks an activation request against the role's rules without activating anything and
    /// without asking for a code (Graph's `isValidationOnly`). A refusal is audited like any.
    pub fn validate_activation(
        &mut self,
        token: &SessionToken,
        input: &ActivateInput,
    ) -> ServiceResult<ActivationPreview> {
        let mut all = self.validate_activations(token, std::slice::from_ref(input))?;
        all.pop()
            .ok_or_else(|| ServiceError::Invalid("name a role to activate".into()))
    }

    /// [`Self::validate_activation`] for several roles activated together: all are checked,
    /// and the refusals of every role that fails come back as one.
    pub fn validate_activations(
        &mut self,
        token: &SessionToken,
        inputs: &[ActivateInput],
    ) -> ServiceResult<Vec<ActivationPreview>> {
        let texts = inputs
            .iter()
            .map(Texts::check)
            .collect::<ServiceResult<Vec<_>>>()?;
        self.write(|ctx| {
            let checked = check_all(ctx, token, inputs, &texts)?;
            // A code would be asked for: a locked account is told now, not after typing it.
            if let Some(c) = checked.iter().find(|c| c.plan.needs_mfa)
                && let Some(until) = c
                    .actor
                    .counters
                    .locked_until
                    .filter(|_| c.actor.counters.is_locked(ctx.real))
            {
                return Err(ServiceError::Auth(super::AuthFailure::Locked { until }));
            }
            Ok(checked
                .into_iter()
                .map(|c| ActivationPreview {
                    role: c.role,
                    start: c.plan.start,
                    end: c.plan.end,
                    clamped: c.plan.clamped_to_eligibility,
                    needs_mfa: c.plan.needs_mfa,
                    needs_password: c.plan.auth_context.is_some(),
                    needs_approval: c.plan.needs_approval,
                })
                .collect())
        })
    }

    /// Activates an eligible role for the signed-in user, or, when the role requires
    /// approval, sends the request to its approvers.
    pub fn activate(
        &mut self,
        token: &SessionToken,
        input: ActivateInput,
    ) -> ServiceResult<ActivationOutcome> {
        let mut outcomes = self.activate_many(token, vec![input])?;
        outcomes
            .pop()
            .ok_or_else(|| ServiceError::Invalid("name a role to activate".into()))
    }

    /// Activates several roles at once, all or none: every role is checked first (a refusal
    /// lists each role that fails and its rules), then one code is asked for (when any of them
    /// requires MFA; the code in the first input is used), then all are activated in one
    /// transaction. A role that requires approval sends its request like `activate`.
    pub fn activate_many(
        &mut self,
        token: &SessionToken,
        inputs: Vec<ActivateInput>,
    ) -> ServiceResult<Vec<ActivationOutcome>> {
        let texts = inputs
            .iter()
            .map(Texts::check)
            .collect::<ServiceResult<Vec<_>>>()?;
        let otp = inputs.first().and_then(|i| i.otp.clone());
        let password = inputs.first().and_then(|i| i.password.clone());
        let hasher = self.passwords.clone();
        self.write(|ctx| {
            let checked = check_all(ctx, token, &inputs, &texts)?;
            let Some(first) = checked.first() else {
                return Err(ServiceError::Invalid("name a role to activate".into()));
            };
            let actor = first.actor.clone();
            ctx.ensure_clock_forward(
                activity::Activity::ActivationRequested,
                Some(&actor.principal),
            )?;
            // An authentication context: the password again, before the code.
            if let Some((purpose, only)) = step_up(&checked, |c| c.plan.auth_context.is_some()) {
                let claim = only.plan.auth_context.clone().unwrap_or_default();
                super::mfa::verify_password_again(
                    ctx,
                    &hasher,
                    &actor,
                    password.as_deref(),
                    &purpose,
                    &claim,
                )?;
            }
            if let Some((purpose, _)) = step_up(&checked, |c| c.plan.needs_mfa) {
                verify_code(ctx, &actor, otp.as_deref(), &purpose)?;
            }
            checked
                .into_iter()
                .zip(inputs.iter().zip(texts))
                .map(|(c, (input, t))| activate_checked(ctx, c, input.duration, t))
                .collect()
        })
    }

    /// Deactivates the signed-in user's activation of a role (or cancels a scheduled one).
    pub fn deactivate(
        &mut self,
        token: &SessionToken,
        role: &str,
    ) -> ServiceResult<(Assignment, Role)> {
        self.write(|ctx| {
            let actor = ctx.actor(token)?;
            let me = &actor.principal;
            let role = ctx.role(role)?;
            let activation = ctx
                .db
                .open_of_kind(&me.id, &role.id, AssignmentKind::Active)?
                .filter(|a| a.is_current(ctx.now));
            let attempt = AuditEntry::new(activity::Activity::Deactivated, ctx.now)
                .by(me)
                .role(&role)
                .target(me);
            check_deactivation(&role, activation.as_ref(), ctx.now)
                .map_err(|r| ctx.refuse(attempt, r))?;
            let Some(a) = activation else {
                return Err(ServiceError::Conflict("the activation vanished".into()));
            };
            let scheduled = a.is_scheduled(ctx.now);
            let (reason, status) = if scheduled {
                (EndReason::Canceled, RequestStatus::Canceled)
            } else {
                (EndReason::Deactivated, RequestStatus::Revoked)
            };
            ctx.db.end_assignment(&a.id, ctx.now, reason)?;
            let request = Request {
                id: new_id(),
                action: RequestAction::SelfDeactivate,
                status,
                role_id: role.id.clone(),
                principal_id: me.id.clone(),
                kind: AssignmentKind::Active,
                justification: None,
                ticket: None,
                start: Some(a.start),
                end: a.end,
                created_at: ctx.now,
                created_by: Some(me.id.clone()),
                completed_at: Some(ctx.now),
                target_assignment_id: Some(a.id.clone()),
                duration: None,
                source_assignment_id: None,
                decided_by: None,
                decision_reason: None,
                expires_at: None,
            };
            ctx.db.insert_request(&request)?;
            ctx.audit(
                AuditEntry::new(activity::Activity::Deactivated, ctx.now)
                    .by(me)
                    .role(&role)
                    .target(me)
                    .detail("assignment_id", &a.id)
                    .detail("request_id", &request.id)
                    .detail("scheduled_activation_cancelled", scheduled),
            )?;
            super::groups::end_activations_through(ctx, &role, me, Some(me))?;
            let ended = ctx.db.assignment(&a.id)?.unwrap_or(a);
            Ok((ended, role))
        })
    }
}
