//! The rules of admin assignments: who may assign, permanent vs time-bound against the role's
//! Assignment settings, the 5-minute floors, and the last Global Administrator.

use chrono::TimeDelta;

use super::duration::{format_duration, format_utc};
use super::model::{Assignment, AssignmentKind, MINIMUM_DURATION, Origin, Principal, Role};
use super::refusal::{Refusal, Rule, Violations};
use super::settings::RoleSettings;
use crate::clock::Time;

/// When an assignment ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// No end.
    Permanent,
    /// Ends at this time.
    Until(Time),
}

impl Expiry {
    /// The end time, `None` when permanent.
    pub fn end(self) -> Option<Time> {
        match self {
            Expiry::Permanent => None,
            Expiry::Until(t) => Some(t),
        }
    }
}

/// What the administrator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRequest {
    /// Eligible or active.
    pub kind: AssignmentKind,
    /// When it starts.
    pub start: Time,
    /// When it ends.
    pub expiry: Expiry,
    /// The reason, already checked as free text.
    pub justification: Option<String>,
}

/// What the rules need to know.
#[derive(Debug, Clone, Copy)]
pub struct AssignmentFacts<'a> {
    /// The role.
    pub role: &'a Role,
    /// Its settings.
    pub settings: &'a RoleSettings,
    /// Who would get it.
    pub principal: &'a Principal,
    /// The principal's current assignment of the same kind (not activations), if any.
    pub existing: Option<&'a Assignment>,
    /// The caller holds an active Global or Privileged Role Administrator role.
    pub actor_is_admin: bool,
    /// Policy time.
    pub now: Time,
}

/// Refusal for callers without an active admin role.
pub fn admin_required(action: &str) -> Refusal {
    Refusal::new(
        Rule::AdminRequestRule,
        format!(
            "{action} needs an active Global Administrator or Privileged Role Administrator role; activate one of them first"
        ),
    )
}

/// [`admin_required`] for managing `role`'s assignments: a group's owners may too.
fn manager_required(role: &Role, action: &str) -> Refusal {
    match role.group_name() {
        Some(group) => Refusal::new(
            Rule::AdminRequestRule,
            format!(
                "managing the members and owners of {group} needs an active Global Administrator or Privileged Role Administrator role, or active ownership of the group; activate one of them first"
            ),
        ),
        None => admin_required(action),
    }
}

/// Refuses a role's assignment to a group that Entra would not make: a group's membership or
/// ownership goes to users, and directory roles only to role-assignable groups.
pub fn check_group_principal(
    role: &Role,
    group: &str,
    role_assignable: bool,
) -> Result<(), Refusal> {
    let name = super::text::sanitize(group).into_owned();
    if role.group.is_some() {
        return Err(Refusal::new(
            Rule::RoleAssignableGroupRule,
            format!(
                "{} goes to users, not to a group ({name}); assign it to a user by UPN",
                role.display_name
            ),
        ));
    }
    if !role_assignable {
        return Err(Refusal::new(
            Rule::RoleAssignableGroupRule,
            format!(
                "{name} was not created role-assignable, so directory roles cannot be assigned to it; \
                 use a group added with `pim groups add NAME --role-assignable`"
            ),
        ));
    }
    Ok(())
}

/// Checks a new assignment. Returns whether the administrator must pass MFA (the role's
/// "Require Azure MFA on active assignment").
pub fn check_assignment(
    facts: AssignmentFacts<'_>,
    req: &AssignmentRequest,
) -> Result<bool, Refusal> {
    if !facts.actor_is_admin {
        return Err(manager_required(facts.role, "assigning roles"));
    }
    if let Some(existing) = facts.existing {
        return Err(Refusal::new(
            Rule::RoleAssignmentExists,
            format!(
                "{} already has an {} assignment for {} ({}); change it with `pim assignments update` instead",
                facts.principal.upn,
                existing.kind,
                facts.role.display_name,
                window_text(existing.end)
            ),
        ));
    }
    let mut v = Violations::default();
    if req.start < facts.now {
        v.push(
            Rule::ExpirationRule,
            format!(
                "the start {} is in the past; leave it out to start now",
                format_utc(req.start)
            ),
        );
    }
    check_window(
        &mut v,
        facts.role,
        facts.settings,
        req.kind,
        req.start,
        req.expiry,
    );
    check_active_justification(
        &mut v,
        facts.role,
        facts.settings,
        req.kind,
        &req.justification,
    );
    v.finish()?;
    Ok(needs_mfa(facts.settings, req.kind))
}

fn window_text(end: Option<Time>) -> String {
    end.map_or_else(
        || "permanent".into(),
        |e| format!("until {}", format_utc(e)),
    )
}

/// Permanence and length limits from the role's Assignment tab.
fn check_window(
    v: &mut Violations,
    role: &Role,
    settings: &RoleSettings,
    kind: AssignmentKind,
    start: Time,
    expiry: Expiry,
) {
    let (allow_permanent, limit) = match kind {
        AssignmentKind::Eligible => (
            settings.allow_permanent_eligible,
            settings.expire_eligible_after,
        ),
        AssignmentKind::Active => (
            settings.allow_permanent_active,
            settings.expire_active_after,
        ),
    };
    let name = &role.display_name;
    match expiry {
        Expiry::Permanent if !allow_permanent => v.push(
            Rule::ExpirationRule,
            format!(
                "permanent {kind} assignment is not allowed for {name}; give --end or --for up to {} days",
                limit.days()
            ),
        ),
        Expiry::Permanent => {}
        Expiry::Until(end) if end <= start => v.push(
            Rule::ExpirationRule,
            format!("the end {} is not after the start {}", format_utc(end), format_utc(start)),
        ),
        Expiry::Until(end) if end - start < MINIMUM_DURATION => v.push(
            Rule::ExpirationRule,
            format!(
                "an assignment can't be shorter than 5 minutes; {} was asked for",
                format_duration(end - start)
            ),
        ),
        Expiry::Until(end) if !allow_permanent && end - start > limit.duration() => v.push(
            Rule::ExpirationRule,
            format!(
                "{kind} assignments of {name} can last at most {} days ({}); give --end before {} or --for up to {}d",
                limit.days(),
                limit.label(),
                format_utc(start + limit.duration()),
                limit.days()
            ),
        ),
        Expiry::Until(_) => {}
    }
}

/// "Require justification on active assignment" (and Graph's eligible counterpart).
fn check_active_justification(
    v: &mut Violations,
    role: &Role,
    settings: &RoleSettings,
    kind: AssignmentKind,
    justification: &Option<String>,
) {
    let required = match kind {
        AssignmentKind::Active => settings.require_justification_on_active,
        AssignmentKind::Eligible => settings.require_justification_on_eligible,
    };
    if required && justification.is_none() {
        v.push(
            Rule::JustificationRule,
            format!(
                "{kind} assignments of {} require a justification; give --reason TEXT",
                role.display_name
            ),
        );
    }
}

/// "Require Azure MFA on active assignment" (and Graph's eligible counterpart): whether the
/// administrator making an assignment of `kind` must pass MFA.
fn needs_mfa(settings: &RoleSettings, kind: AssignmentKind) -> bool {
    match kind {
        AssignmentKind::Active => settings.require_mfa_on_active,
        AssignmentKind::Eligible => settings.require_mfa_on_eligible,
    }
}

/// What an update asks for: the new type and window of an existing admin assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateRequest {
    /// New type.
    pub kind: AssignmentKind,
    /// New end.
    pub expiry: Expiry,
    /// Reason for the change.
    pub justification: Option<String>,
}

/// Facts for an update.
#[derive(Debug, Clone, Copy)]
pub struct UpdateFacts<'a> {
    /// The role.
    pub role: &'a Role,
    /// Its settings.
    pub settings: &'a RoleSettings,
    /// The assignment being changed.
    pub target: &'a Assignment,
    /// The principal's other current admin assignment of the new type, if any.
    pub other_of_new_kind: Option<&'a Assignment>,
    /// The target is the only live, permanent, active Global Administrator assignment of an
    /// enabled account.
    pub target_is_last_global_admin: bool,
    /// The caller holds an active admin role.
    pub actor_is_admin: bool,
    /// Policy time.
    pub now: Time,
}

/// Checks an update; the new window is measured from now (or the start, if later), because an
/// update grants a new window from the moment it is made.
pub fn check_update(facts: UpdateFacts<'_>, req: &UpdateRequest) -> Result<bool, Refusal> {
    if !facts.actor_is_admin {
        return Err(manager_required(facts.role, "updating assignments"));
    }
    let role = facts.role;
    if facts.target.origin == Origin::Activated {
        return Err(Refusal::new(
            Rule::RoleAssignmentDoesNotExist,
            "that is a user's own activation, not an assignment; it ends on its own, by deactivation, or when its eligibility is removed",
        ));
    }
    if let Some(other) = facts.other_of_new_kind {
        return Err(Refusal::new(
            Rule::RoleAssignmentExists,
            format!(
                "the user already has an {} assignment for {} ({}); remove one of the two instead",
                other.kind,
                role.display_name,
                window_text(other.end)
            ),
        ));
    }
    if facts.target_is_last_global_admin
        && (req.kind == AssignmentKind::Eligible || req.expiry != Expiry::Permanent)
    {
        return Err(last_global_admin());
    }
    let mut v = Violations::default();
    let from = facts.target.start.max(facts.now);
    check_window(&mut v, role, facts.settings, req.kind, from, req.expiry);
    check_active_justification(&mut v, role, facts.settings, req.kind, &req.justification);
    v.finish()?;
    Ok(needs_mfa(facts.settings, req.kind))
}

/// The refusal when a change would leave no permanent, active Global Administrator assignment
/// of an enabled account. Time-bound and eligible assignments do not count: when they end,
/// nobody could administer the tenant.
pub fn last_global_admin() -> Refusal {
    Refusal::new(
        Rule::LastGlobalAdministratorRule,
        "this is the last permanent, active Global Administrator assignment of an enabled account; make another account a permanent active Global Administrator first",
    )
}

/// Checks removal of an assignment by an administrator.
pub fn check_removal(
    role: &Role,
    target: &Assignment,
    target_is_last_global_admin: bool,
    actor_is_admin: bool,
    now: Time,
) -> Result<(), Refusal> {
    if !actor_is_admin {
        return Err(manager_required(role, "removing assignments"));
    }
    let age = now - target.created_at;
    // A scheduled assignment has granted nothing yet: removing it is cancelling it.
    if age < MINIMUM_DURATION && !target.is_scheduled(now) {
        return Err(Refusal::new(
            Rule::ActiveDurationTooShort,
            format!(
                "this {} assignment of {} was made {} ago; it can be removed from {} (5 minutes after it was made)",
                target.kind,
                role.display_name,
                format_duration(age.max(TimeDelta::zero())),
                format_utc(target.created_at + MINIMUM_DURATION)
            ),
        ));
    }
    if target_is_last_global_admin {
        return Err(last_global_admin());
    }
    Ok(())
}

#[cfg(test)]
#[path = "assignment_tests.rs"]
mod tests;
