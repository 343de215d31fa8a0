//! Lifecycle rules beyond activation: approval decisions (24 hours, no self-approval, first
//! decision wins), extension (within 14 days of the end) and renewal (up to 30 days after
//! expiry), and the licence gate.

use chrono::TimeDelta;

use super::duration::{format_duration, format_utc};
use super::model::{Assignment, EndReason, Licence, Origin, Principal, Role};
use super::refusal::{Refusal, Rule};
use super::request::{Request, RequestAction};
use crate::clock::Time;

/// A request waits this long for a decision (Entra: 24 hours, not configurable).
pub const APPROVAL_WINDOW: TimeDelta = TimeDelta::hours(24);
/// An assignment can be extended once its end is this close.
pub const EXTEND_WINDOW: TimeDelta = TimeDelta::days(14);
/// An expired assignment can be renewed for this long after it expired.
pub const RENEW_WINDOW: TimeDelta = TimeDelta::days(30);

/// Who may decide a request, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct DecisionFacts<'a> {
    /// The role.
    pub role: &'a Role,
    /// The request.
    pub request: &'a Request,
    /// Who decides.
    pub approver: &'a Principal,
    /// The approvers of this request (excluding the requestor).
    pub approvers: &'a [Principal],
    /// The approvers are the default ones (Privileged Role / Global Administrators).
    pub default_approvers: bool,
    /// Policy time.
    pub now: Time,
}

/// Checks an approve or deny: the request is pending and not expired, the decider is not the
/// requestor, and the decider is one of its approvers.
pub fn check_decision(f: DecisionFacts<'_>) -> Result<(), Refusal> {
    let r = f.request;
    if !r.status.is_pending() {
        return Err(Refusal::new(
            Rule::ApprovalRule,
            format!(
                "this request is already {}; there is nothing left to decide",
                r.status.as_str()
            ),
        ));
    }
    if r.expires_at.is_some_and(|e| e <= f.now) {
        return Err(Refusal::new(
            Rule::ApprovalRule,
            format!(
                "this request expired at {} (24 hours without a decision); the requestor can send a new one",
                r.expires_at.map(format_utc).unwrap_or_default()
            ),
        ));
    }
    if f.approver.id == r.principal_id {
        return Err(Refusal::new(
            Rule::ApprovalRule,
            "approvers can't approve or deny their own requests; another approver must decide",
        ));
    }
    if !f.approvers.iter().any(|p| p.id == f.approver.id) {
        let who = if f.default_approvers {
            "accounts with an active Privileged Role Administrator or Global Administrator role"
                .to_owned()
        } else {
            f.approvers
                .iter()
                .map(|p| p.upn.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Refusal::new(
            Rule::ApprovalRule,
            format!(
                "you are not an approver of this request for {}; its approvers are {who}",
                f.role.display_name
            ),
        ));
    }
    Ok(())
}

/// Checks that a user may ask to extend an admin assignment: time-bound, current, and ending
/// within 14 days.
pub fn check_extend_request(role: &Role, a: &Assignment, now: Time) -> Result<(), Refusal> {
    let name = &role.display_name;
    if a.origin == Origin::Activated {
        return Err(Refusal::new(
            Rule::RoleAssignmentDoesNotExist,
            format!("an activation of {name} can't be extended; activate again when it ends"),
        ));
    }
    let Some(end) = a.end else {
        return Err(Refusal::new(
            Rule::ExpirationRule,
            format!(
                "the {} assignment of {name} is permanent; there is nothing to extend",
                a.kind
            ),
        ));
    };
    if end - now > EXTEND_WINDOW {
        return Err(Refusal::new(
            Rule::ExpirationRule,
            format!(
                "the {} assignment of {name} ends at {}; it can be extended within 14 days of its end, from {}",
                a.kind,
                format_utc(end),
                format_utc(end - EXTEND_WINDOW)
            ),
        ));
    }
    Ok(())
}

/// Checks that an expired assignment may be renewed: it expired (was not removed) no more than
/// 30 days ago.
pub fn check_renew_request(role: &Role, a: &Assignment, now: Time) -> Result<(), Refusal> {
    let name = &role.display_name;
    if a.end_reason != Some(EndReason::Expired) || a.origin == Origin::Activated {
        return Err(Refusal::new(
            Rule::RoleAssignmentDoesNotExist,
            format!("only an expired assignment of {name} can be renewed"),
        ));
    }
    let expired = a.end.or(a.ended_at).unwrap_or(now);
    if now - expired > RENEW_WINDOW {
        return Err(Refusal::new(
            Rule::ExpirationRule,
            format!(
                "the {} assignment of {name} expired {} ago; renewal is possible for 30 days after expiry, so an administrator must assign it anew",
                a.kind,
                format_duration(now - expired)
            ),
        ));
    }
    Ok(())
}

/// The end an extension or renewal gets when the administrator does not say: as long again as
/// the assignment was (at least a day), counted from `from`.
pub fn default_end(a: &Assignment, from: Time) -> Time {
    let length = a
        .end
        .map_or(TimeDelta::days(30), |e| e - a.start)
        .max(TimeDelta::days(1));
    from + length
}

/// An extension never ends a grant earlier than it would have ended.
pub fn check_extension_end(
    role: &Role,
    a: &Assignment,
    new_end: Option<Time>,
) -> Result<(), Refusal> {
    match (a.end, new_end) {
        (Some(old), Some(new)) if new <= old => Err(Refusal::new(
            Rule::ExpirationRule,
            format!(
                "an extension of {} must end after the current end {}; {} would shorten it",
                role.display_name,
                format_utc(old),
                format_utc(new)
            ),
        )),
        _ => Ok(()),
    }
}

/// Words for a lifecycle request's action, for messages and e-mail.
pub fn action_words(action: RequestAction) -> &'static str {
    match action {
        RequestAction::SelfActivate => "activate",
        RequestAction::SelfExtend | RequestAction::AdminExtend => "extend",
        RequestAction::SelfRenew | RequestAction::AdminRenew => "renew",
        _ => "change",
    }
}

/// PIM features need Microsoft Entra ID P2. `what` says what was attempted.
pub fn check_licence(licence: Licence, what: &str) -> Result<(), Refusal> {
    match licence {
        Licence::P2 => Ok(()),
        Licence::Free => Err(Refusal::new(
            Rule::LicenseRule,
            format!(
                "{what}: PIM needs Microsoft Entra ID P2 (or Entra ID Governance), and this tenant has the Free licence, which allows only permanent active assignments. A permanent active assignment would pass, or set the licence back to P2 (`pim licence set p2`)"
            ),
        )),
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
