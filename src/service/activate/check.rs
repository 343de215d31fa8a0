//! Checking an activation before anything is written: the texts, the eligibility (direct or
//! through a group), the role's rules and a waiting request, each refusal audited; and which
//! step-up (code, password) the checked roles need.

use crate::audit::{AuditEntry, activity};
use crate::policy::Refusal;
use crate::policy::Rule;
use crate::policy::activation::{
    ActivationFacts, ActivationPlan, ActivationRequest, check_activation,
};
use crate::policy::model::{Assignment, AssignmentKind, Role};
use crate::policy::request::RequestAction;
use crate::policy::text::{MAX_JUSTIFICATION_CHARS, MAX_TICKET_CHARS, check_free_text};
use crate::service::mfa::Purpose;
use crate::service::{ServiceError, ServiceResult, SessionToken};

use super::ActivateInput;

pub(super) fn text(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> ServiceResult<Option<String>> {
    raw.map(|t| check_free_text(field, t, max))
        .transpose()
        .map(Option::flatten)
        .map_err(|e| ServiceError::Invalid(e.to_string()))
}

/// The free-text fields of a request, checked.
pub(super) struct Texts {
    pub(super) justification: Option<String>,
    pub(super) ticket_number: Option<String>,
    pub(super) ticket_system: Option<String>,
}

impl Texts {
    pub(super) fn check(input: &ActivateInput) -> ServiceResult<Self> {
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
pub(super) struct Checked {
    pub(super) actor: crate::store::users::UserRecord,
    pub(super) role: Role,
    pub(super) settings: crate::policy::settings::RoleSettings,
    pub(super) plan: ActivationPlan,
}

/// The user's eligibility for a role through a group they are an active member of, with its
/// end cut to the membership's: the activation cannot outlast either.
pub(in crate::service) fn eligible_through_group(
    ctx: &crate::service::Ctx<'_>,
    user_id: &str,
    role_id: &str,
) -> ServiceResult<Option<Assignment>> {
    crate::service::groups::through_group(ctx, user_id, role_id, AssignmentKind::Eligible)
}

/// Loads the facts and applies the activation rules; a refusal is audited.
pub(super) fn check(
    ctx: &crate::service::Ctx<'_>,
    token: &SessionToken,
    input: &ActivateInput,
    t: &Texts,
) -> ServiceResult<Checked> {
    let actor = ctx.actor(token)?;
    let me = &actor.principal;
    let role = ctx.role(&input.role)?;
    let settings = ctx.settings(&role.id)?;
    let current = |kind| -> ServiceResult<Option<Assignment>> {
        Ok(ctx
            .db
            .open_of_kind(&me.id, &role.id, kind)?
            .filter(|a| a.is_current(ctx.now)))
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
        && let Some(p) = ctx
            .db
            .pending_for(&me.id, &role.id, &[RequestAction::SelfActivate])?
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

/// What a step-up (a code, or the password again) is for: the roles among `checked` that
/// `needs` it, named together, and the first of them; `None` when none does.
pub(super) fn step_up<'c>(
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
pub(super) fn check_all(
    ctx: &crate::service::Ctx<'_>,
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
