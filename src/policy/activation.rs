//! The rules of self-activation and deactivation (Entra's `Expiration_EndUser_Assignment`,
//! `Enablement_EndUser_Assignment`, eligibility and `ActiveDurationTooShort`).
//!
//! Pure: every fact arrives as an argument, including `now`. MFA is decided here (whether it is
//! needed) but verified by the service, after these rules pass, so a request that would be
//! refused never consumes a code.

use chrono::TimeDelta;

use super::duration::{format_duration, format_left, format_utc};
use super::model::{Assignment, MINIMUM_DURATION, Origin, Role, Ticket};
use super::refusal::{Refusal, Rule, Violations};
use super::settings::RoleSettings;
use crate::clock::Time;

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationRequest {
    /// How long the role should stay active.
    pub duration: TimeDelta,
    /// A scheduled start; `None` means now.
    pub start: Option<Time>,
    /// The reason, already checked as free text (`None` when blank).
    pub justification: Option<String>,
    /// Ticket information, when given.
    pub ticket_number: Option<String>,
    /// Ticket system, when given.
    pub ticket_system: Option<String>,
}

/// What the rules need to know, read inside the activating transaction.
#[derive(Debug, Clone, Copy)]
pub struct ActivationFacts<'a> {
    /// The role.
    pub role: &'a Role,
    /// Its settings.
    pub settings: &'a RoleSettings,
    /// The user's current (live or scheduled) eligibility for the role.
    pub eligibility: Option<&'a Assignment>,
    /// The user's current (live or scheduled) active assignment of the role, either kind.
    pub active: Option<&'a Assignment>,
    /// Policy time.
    pub now: Time,
}

/// An activation the rules allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationPlan {
    /// Start of the active window.
    pub start: Time,
    /// End of the active window.
    pub end: Time,
    /// The end was cut to the eligibility's end.
    pub clamped_to_eligibility: bool,
    /// Starts later than now.
    pub scheduled: bool,
    /// A fresh MFA code must be verified before it may proceed.
    pub needs_mfa: bool,
    /// The role requires an authentication context (its claim value): the password, entered
    /// again, as well as the fresh code.
    pub auth_context: Option<String>,
    /// The role requires approval (the request waits for an approver).
    pub needs_approval: bool,
    /// The eligibility it is activated from.
    pub eligibility_id: String,
    /// Ticket information to record.
    pub ticket: Option<Ticket>,
}

/// Checks a self-activation request. Eligibility and duplicates are reported alone (nothing
/// else matters when they fail); the form's own rules are reported together.
pub fn check_activation(
    facts: ActivationFacts<'_>,
    req: &ActivationRequest,
) -> Result<ActivationPlan, Refusal> {
    let ActivationFacts {
        role,
        settings,
        now,
        ..
    } = facts;
    let name = &role.display_name;
    let start = req.start.unwrap_or(now);
    if let Some(active) = facts.active {
        return Err(already_active(name, active, now));
    }
    let Some(eligibility) = facts.eligibility else {
        return Err(Refusal::new(
            Rule::EligibilityRule,
            format!(
                "you are not eligible for {name}; an administrator must assign it to you as Eligible first"
            ),
        ));
    };
    check_eligibility_covers(name, eligibility, start)?;

    let mut v = Violations::default();
    if start < now {
        v.push(
            Rule::ExpirationRule,
            format!(
                "the start {} is in the past; leave --start out to activate now",
                format_utc(start)
            ),
        );
    }
    let max = settings.max_activation;
    if req.duration < MINIMUM_DURATION {
        v.push(
            Rule::ExpirationRule,
            format!(
                "{} is shorter than the 5-minute minimum; ask for between 5m and {} (--for)",
                format_duration(req.duration),
                format_duration(max)
            ),
        );
    } else if req.duration > max {
        v.push(
            Rule::ExpirationRule,
            format!(
                "{} exceeds the {} maximum activation for {name}; ask for {} or less (--for {})",
                format_duration(req.duration),
                format_duration(max),
                format_duration(max),
                format_duration(max).replace(' ', "")
            ),
        );
    }
    if settings.require_justification && req.justification.is_none() {
        v.push(
            Rule::JustificationRule,
            format!("{name} requires a justification on activation; give a reason (--reason TEXT, up to 500 characters)"),
        );
    }
    let ticket = match (&req.ticket_number, &req.ticket_system) {
        (Some(number), Some(system)) => Some(Ticket {
            number: number.clone(),
            system: system.clone(),
        }),
        _ if settings.require_ticket => {
            v.push(
                Rule::TicketingRule,
                format!("{name} requires ticket information on activation; give both a ticket number and a ticket system (--ticket-number N --ticket-system S)"),
            );
            None
        }
        (Some(number), None) => Some(Ticket {
            number: number.clone(),
            system: String::new(),
        }),
        (None, Some(system)) => Some(Ticket {
            number: String::new(),
            system: system.clone(),
        }),
        (None, None) => None,
    };
    v.finish()?;

    let wanted_end = start + req.duration;
    let (end, clamped) = match eligibility.end {
        Some(e) if e < wanted_end => (e, true),
        _ => (wanted_end, false),
    };
    if end - start < MINIMUM_DURATION {
        return Err(Refusal::new(
            Rule::EligibilityRule,
            format!(
                "your eligibility for {name} ends at {}, less than 5 minutes after the start; ask an administrator to extend it",
                format_utc(end)
            ),
        ));
    }
    Ok(ActivationPlan {
        start,
        end,
        clamped_to_eligibility: clamped,
        scheduled: start > now,
        needs_mfa: settings.require_mfa || settings.auth_context.is_some(),
        auth_context: settings.auth_context.clone(),
        needs_approval: settings.require_approval,
        eligibility_id: eligibility.id.clone(),
        ticket,
    })
}

fn already_active(name: &str, active: &Assignment, now: Time) -> Refusal {
    let message = match (active.origin, active.end) {
        (Origin::Assigned, None) => {
            format!(
                "{name} is already assigned to you as active (permanent); there is nothing to activate"
            )
        }
        (Origin::Assigned, Some(end)) => format!(
            "{name} is already assigned to you as active until {}; there is nothing to activate",
            format_utc(end)
        ),
        (Origin::Activated, _) if active.is_scheduled(now) => format!(
            "{name} is already scheduled to activate at {}; cancel that first to change it",
            format_utc(active.start)
        ),
        (Origin::Activated, Some(end)) => format!(
            "{name} is already active until {} ({}); deactivate it first to change the window",
            format_utc(end),
            format_left(end - now)
        ),
        (Origin::Activated, None) => format!("{name} is already active"),
    };
    Refusal::new(Rule::RoleAssignmentExists, message)
}

fn check_eligibility_covers(
    name: &str,
    eligibility: &Assignment,
    start: Time,
) -> Result<(), Refusal> {
    if start < eligibility.start {
        return Err(Refusal::new(
            Rule::EligibilityRule,
            format!(
                "your eligibility for {name} starts at {}; activate from then",
                format_utc(eligibility.start)
            ),
        ));
    }
    if let Some(end) = eligibility.end
        && start >= end
    {
        return Err(Refusal::new(
            Rule::EligibilityRule,
            format!(
                "your eligibility for {name} ends at {}; choose a start before that",
                format_utc(end)
            ),
        ));
    }
    Ok(())
}

/// Checks a self-deactivation: there must be an activation of the user's own, and a started
/// one must have run for 5 minutes. A scheduled one may be cancelled at any time.
pub fn check_deactivation(
    role: &Role,
    activation: Option<&Assignment>,
    now: Time,
) -> Result<(), Refusal> {
    let name = &role.display_name;
    let Some(a) = activation else {
        return Err(Refusal::new(
            Rule::RoleAssignmentDoesNotExist,
            format!("{name} is not active for you; there is nothing to deactivate"),
        ));
    };
    if a.origin == Origin::Assigned {
        return Err(Refusal::new(
            Rule::RoleAssignmentDoesNotExist,
            format!(
                "{name} is assigned to you as active by an administrator, not activated; only an administrator can remove it"
            ),
        ));
    }
    if a.is_live(now) && now - a.start < MINIMUM_DURATION {
        return Err(Refusal::new(
            Rule::ActiveDurationTooShort,
            format!(
                "{name} was activated {} ago; it can be deactivated from {} (5 minutes after activation)",
                format_duration(now - a.start),
                format_utc(a.start + MINIMUM_DURATION)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "activation_tests.rs"]
mod tests;
