//! Self-activation and deactivation, and the signed-in user's own view of their roles.
//! The order is fixed: the request is checked against the role's rules first, and only a
//! request that would pass asks for (and consumes) a TOTP code.

use chrono::TimeDelta;

use super::mfa::{Purpose, verify_code};
use super::{ServiceError, ServiceResult, SessionToken, mail, new_id};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::notify::templates::MessageFacts;
use crate::policy::Refusal;
use crate::policy::Rule;
use crate::policy::activation::{
    ActivationFacts, ActivationPlan, ActivationRequest, check_activation, check_deactivation,
};
use crate::policy::model::{Assignment, AssignmentKind, EndReason, Origin, Principal, Role};
use crate::policy::notification::NotifyEvent;
use crate::policy::request::{Request, RequestAction, RequestStatus};
use crate::policy::text::{MAX_JUSTIFICATION_CHARS, MAX_TICKET_CHARS, check_free_text};
use crate::store;
use crate::store::assignments::{AssignmentRow, Filter, Which};

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

/// An eligibility with the settings that shape its activation form.
#[derive(Debug, Clone)]
pub struct EligibleRole {
    /// The eligibility.
    pub row: AssignmentRow,
    /// Its role's settings (maximum duration, MFA, justification, ticket, approval).
    pub settings: crate::policy::settings::RoleSettings,
}

/// The signed-in user's roles.
#[derive(Debug, Clone)]
pub struct Status {
    /// Who.
    pub principal: Principal,
    /// Policy time of the snapshot.
    pub now: Time,
    /// Current eligibilities for directory roles, direct or through a group (then the row's
    /// principal is the group and its end is cut to the membership's).
    pub eligible: Vec<EligibleRole>,
    /// Live and scheduled active directory roles (assigned and activated), direct or through
    /// a group, like `eligible`.
    pub active: Vec<AssignmentRow>,
    /// Current eligible membership and ownership of groups.
    pub group_eligible: Vec<EligibleRole>,
    /// Live and scheduled active membership and ownership of groups.
    pub group_active: Vec<AssignmentRow>,
}

impl Status {
    /// The group a role row is held through, when it is not the user's own assignment.
    pub fn via_group<'r>(&self, row: &'r AssignmentRow) -> Option<&'r str> {
        (row.principal.id != self.principal.id).then_some(row.principal.display_name.as_str())
    }
}

fn text(field: &'static str, raw: Option<&str>, max: usize) -> ServiceResult<Option<String>> {
    raw.map(|t| check_free_text(field, t, max))
        .transpose()
        .map(Option::flatten)
        .map_err(|e| ServiceError::Invalid(e.to_string()))
}

/// The free-text fields of a request, checked.
struct Texts {
    justification: Option<String>,
    ticket_number: Option<String>,
    ticket_system: Option<String>,
}

impl Texts {
    fn check(input: &ActivateInput) -> ServiceResult<Self> {
        Ok(Self {
            justification: text(
                "justification",
                input.justification.as_deref(),
                MAX_JUSTIFICATION_CHARS,
            )?,
            ticket_number: text(
                "ticket number",
                input.ticket_number.as_deref(),
                MAX_TICKET_CHARS,
            )?,
            ticket_system: text(
                "ticket system",
                input.ticket_system.as_deref(),
                MAX_TICKET_CHARS,
            )?,
        })
    }
}

/// A request that passed the role's rules, with what the rest of the use case needs.
struct Checked {
    actor: crate::store::users::UserRecord,
    role: Role,
    settings: crate::policy::settings::RoleSettings,
    plan: ActivationPlan,
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

/// The user's eligibility for a role through a group they are an active member of, with its
/// end cut to the membership's: the activation cannot outlast either.
pub(super) fn eligible_through_group(
    ctx: &super::Ctx<'_>,
    user_id: &str,
    role_id: &str,
) -> ServiceResult<Option<Assignment>> {
    let (eligible, _) = super::groups::via_groups(ctx, user_id)?;
    Ok(eligible
        .into_iter()
        .filter(|t| t.row.role.id == role_id && t.row.assignment.start <= ctx.now)
        .max_by_key(|t| t.end().map_or(i64::MAX, |e| e.timestamp()))
        .map(|t| {
            let end = t.end();
            let mut eligibility = t.row.assignment;
            eligibility.end = end;
            eligibility
        }))
}

/// Loads the facts and applies the activation rules; a refusal is audited.
fn check(
    ctx: &super::Ctx<'_>,
    token: &SessionToken,
    input: &ActivateInput,
    t: &Texts,
) -> ServiceResult<Checked> {
    let actor = ctx.actor(token)?;
    let me = &actor.principal;
    let role = ctx.role(&input.role)?;
    let settings = ctx.settings(&role.id)?;
    let current = |kind| -> ServiceResult<Option<Assignment>> {
        Ok(
            store::assignments::open_of_kind(ctx.conn, &me.id, &role.id, kind)?
                .filter(|a| a.is_current(ctx.now)),
        )
    };
    let (eligibility, active) = (
        match current(AssignmentKind::Eligible)? {
            Some(direct) => Some(direct),
            None => eligible_through_group(ctx, &me.id, &role.id)?,
        },
        current(AssignmentKind::Active)?,
    );
    let req = ActivationRequest {
        duration: input.duration,
        start: input.start,
        justification: t.justification.clone(),
        ticket_number: t.ticket_number.clone(),
        ticket_system: t.ticket_system.clone(),
    };
    let attempt = AuditEntry::new(activity::Activity::ActivationRequested, ctx.now)
        .by(me)
        .role(&role)
        .target(me)
        .justification(t.justification.as_deref())
        .detail(
            "duration",
            crate::policy::duration::format_iso(input.duration),
        );
    let facts = ActivationFacts {
        role: &role,
        settings: &settings,
        eligibility: eligibility.as_ref(),
        active: active.as_ref(),
        now: ctx.now,
    };
    if let Err(r) = crate::policy::lifecycle::check_licence(ctx.tenant.licence, "Activating a role")
    {
        return Err(ctx.refuse(attempt, r));
    }
    let plan = check_activation(facts, &req).map_err(|r| ctx.refuse(attempt.clone(), r))?;
    if plan.needs_approval
        && let Some(p) = store::requests::pending_for(
            ctx.conn,
            &me.id,
            &role.id,
            &[RequestAction::SelfActivate],
        )?
    {
        let refusal = Refusal::new(
            Rule::PendingRoleAssignmentRequest,
            format!(
                "a request to activate {} is already waiting for approval (request {}); cancel it first to send another",
                role.display_name, p.id
            ),
        );
        return Err(ctx.refuse(attempt, refusal));
    }
    Ok(Checked {
        actor,
        role,
        settings,
        plan,
    })
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
    store::assignments::insert(ctx.conn, &assignment, Some(&request.id))?;
    store::requests::set_target(ctx.conn, &request.id, &assignment.id)?;
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
    store::requests::insert(ctx.conn, &request)?;
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
    store::requests::insert(ctx.conn, &request)?;
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

/// What a step-up (a code, or the password again) is for: the roles among `checked` that
/// `needs` it, named together, and the first of them; `None` when none does.
fn step_up<'c>(
    checked: &'c [Checked],
    needs: impl Fn(&Checked) -> bool,
) -> Option<(Purpose<'c>, &'c Checked)> {
    let needing: Vec<&Checked> = checked.iter().filter(|c| needs(c)).collect();
    let first = *needing.first()?;
    let names: Vec<&str> = needing
        .iter()
        .map(|c| c.role.display_name.as_str())
        .collect();
    Some((
        Purpose {
            what: format!("activating {}", names.join(", ")),
            failure_activity: activity::Activity::MfaFailed,
            role: (needing.len() == 1).then_some(&first.role),
        },
        first,
    ))
}

/// Checks several requests, all of them: every role named exists and is named once, then each
/// is checked against its role's rules. Refusals of several roles come back as one, each
/// message naming its role.
fn check_all(
    ctx: &super::Ctx<'_>,
    token: &SessionToken,
    inputs: &[ActivateInput],
    texts: &[Texts],
) -> ServiceResult<Vec<Checked>> {
    let mut roles: Vec<Role> = Vec::with_capacity(inputs.len());
    for input in inputs {
        let role = ctx.role(&input.role)?;
        if roles.iter().any(|r| r.id == role.id) {
            return Err(ServiceError::Invalid(format!(
                "{} is named twice; name each role once",
                role.display_name
            )));
        }
        roles.push(role);
    }
    let mut checked = Vec::with_capacity(inputs.len());
    let mut refused = crate::policy::refusal::Violations::default();
    for ((input, t), role) in inputs.iter().zip(texts).zip(&roles) {
        match check(ctx, token, input, t) {
            Ok(c) => checked.push(c),
            Err(ServiceError::Refused(r)) if inputs.len() > 1 => {
                for mut v in r.violations {
                    if !v.message.contains(&role.display_name) {
                        v.message = format!("{}: {}", role.display_name, v.message);
                    }
                    refused.push(v.rule, v.message);
                }
            }
            Err(e) => return Err(e),
        }
    }
    refused.finish().map_err(ServiceError::Refused)?;
    if checked.is_empty() {
        return Err(ServiceError::Invalid("name a role to activate".into()));
    }
    Ok(checked)
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
            let activation = store::assignments::open_of_kind(
                ctx.conn,
                &me.id,
                &role.id,
                AssignmentKind::Active,
            )?
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
            store::assignments::end(ctx.conn, &a.id, ctx.now, reason)?;
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
            store::requests::insert(ctx.conn, &request)?;
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
            let ended = store::assignments::get(ctx.conn, &a.id)?.unwrap_or(a);
            Ok((ended, role))
        })
    }

    /// The signed-in user's eligible and active roles.
    pub fn status(&mut self, token: &SessionToken) -> ServiceResult<Status> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let list = |kind| {
                let filter = Filter {
                    role_id: None,
                    principal_id: Some(&me.id),
                    kind: Some(kind),
                    which: Which::Current,
                    limit: 1000,
                    offset: 0,
                };
                store::assignments::list(ctx.conn, &filter, ctx.now)
            };
            let (via_eligible, via_active) = super::groups::via_groups(ctx, &me.id)?;
            let through = |t: crate::store::assignments::ThroughGroup| {
                let (start, end) = (t.start(), t.end());
                let mut row = t.row;
                row.assignment.start = start;
                row.assignment.end = end;
                row
            };
            let (mut eligible, mut group_eligible) = (Vec::new(), Vec::new());
            for row in list(AssignmentKind::Eligible)?
                .into_iter()
                .chain(via_eligible.into_iter().map(through))
            {
                let settings = ctx.settings(&row.role.id)?;
                let into = if row.role.group.is_some() {
                    &mut group_eligible
                } else {
                    &mut eligible
                };
                into.push(EligibleRole { row, settings });
            }
            let (mut group_active, mut active): (Vec<_>, Vec<_>) = list(AssignmentKind::Active)?
                .into_iter()
                .partition(|r| r.role.group.is_some());
            active.extend(via_active.into_iter().map(through));
            eligible.sort_by(|a, b| a.row.role.display_name.cmp(&b.row.role.display_name));
            group_eligible.sort_by(|a, b| a.row.role.display_name.cmp(&b.row.role.display_name));
            active.sort_by(|a, b| a.role.display_name.cmp(&b.role.display_name));
            group_active.sort_by(|a, b| a.role.display_name.cmp(&b.role.display_name));
            Ok(Status {
                principal: me,
                now: ctx.now,
                eligible,
                active,
                group_eligible,
                group_active,
            })
        })
    }
}
