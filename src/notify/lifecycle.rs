//! The wording of the lifecycle e-mails: approval requests and decisions, extension and
//! renewal requests, expired requests, and the expiry reminders.

use chrono::TimeDelta;

use super::templates::{Message, MessageFacts, details};
use crate::clock::Time;
use crate::policy::duration::{format_duration, format_utc};
use crate::policy::model::Principal;

/// To approvers: "Request to approve an activation".
pub fn approval_request(f: &MessageFacts<'_>, duration: TimeDelta, expires: Time) -> Message {
    let (who, role, the) = (
        &f.principal.display_name,
        &f.role.display_name,
        f.role.phrase(),
    );
    let subject = format!("PIM: {who} requests approval to activate {role}");
    let body = format!(
        "Request to approve an activation\n\n{who} ({}) asks to activate the {the} for {}.\n\n{}\n\nThe request expires at {} if nobody decides.\n\nApprove: pim approve {} --reason \"...\"\nDeny:    pim deny {} --reason \"...\"\nOr use the Approvals tab of the console.",
        f.principal.upn,
        format_duration(duration),
        details(f),
        format_utc(expires),
        f.request_id,
        f.request_id
    );
    (subject, body)
}

/// To the requestor: the request waits for approval.
pub fn pending_notice(f: &MessageFacts<'_>, expires: Time, approvers: &[Principal]) -> Message {
    let (role, the) = (&f.role.display_name, f.role.phrase());
    let names: Vec<&str> = approvers.iter().map(|p| p.upn.as_str()).collect();
    let subject = format!("PIM: Your request to activate {role} is pending approval");
    let body = format!(
        "Hello {},\n\nYour request to activate the {the} was sent to its approvers ({}). It expires at {} if nobody decides.\n\n{}\n\nTo withdraw it: pim cancel {}",
        f.principal.display_name,
        if names.is_empty() {
            "none available right now".to_owned()
        } else {
            names.join(", ")
        },
        format_utc(expires),
        details(f),
        f.request_id
    );
    (subject, body)
}

/// The decision on a request: to the requestor, or to the other approvers.
pub fn decision(
    f: &MessageFacts<'_>,
    verb: &str,
    approved: bool,
    by: &Principal,
    reason: &str,
    to_requestor: bool,
) -> Message {
    let (who, role, the) = (
        &f.principal.display_name,
        &f.role.display_name,
        f.role.phrase(),
    );
    let outcome = if approved { "approved" } else { "denied" };
    let subject = if to_requestor {
        format!("PIM: Your request to {verb} {role} was {outcome}")
    } else {
        format!(
            "PIM: {} {outcome} {who}'s request to {verb} {role}",
            by.display_name
        )
    };
    let body = format!(
        "{} ({}) {outcome} the request of {who} to {verb} the {the}.\nReason: {reason}\n\n{}",
        by.display_name,
        by.upn,
        details(f)
    );
    (subject, body)
}

/// To the approver who decided: the confirmation of their own decision.
pub fn decision_confirmation(
    f: &MessageFacts<'_>,
    verb: &str,
    approved: bool,
    reason: &str,
) -> Message {
    let (who, role, the) = (
        &f.principal.display_name,
        &f.role.display_name,
        f.role.phrase(),
    );
    let outcome = if approved { "approved" } else { "denied" };
    let subject = format!("PIM: You {outcome} {who}'s request to {verb} {role}");
    let body = format!(
        "Request {outcome}\n\nYou {outcome} the request of {who} ({}) to {verb} the {the}.\nYour reason: {reason}\n\n{}",
        f.principal.upn,
        details(f)
    );
    (subject, body)
}

/// Nobody decided within 24 hours.
pub fn request_expired(f: &MessageFacts<'_>, verb: &str, to_requestor: bool) -> Message {
    let (who, role, the) = (
        &f.principal.display_name,
        &f.role.display_name,
        f.role.phrase(),
    );
    let subject = if to_requestor {
        format!("PIM: Your request to {verb} {role} expired")
    } else {
        format!("PIM: {who}'s request to {verb} {role} expired")
    };
    let body = format!(
        "Nobody approved or denied the request of {who} to {verb} the {the} within 24 hours, so it expired. A new request can be sent.\n\n{}",
        details(f)
    );
    (subject, body)
}

/// To administrators: "Request to approve a role assignment renewal/extension".
pub fn extension_request(f: &MessageFacts<'_>, verb: &str, expires: Option<Time>) -> Message {
    let (who, role, the) = (
        &f.principal.display_name,
        &f.role.display_name,
        f.role.phrase(),
    );
    let subject = format!("PIM: {who} requests to {verb} the {the}");
    let deadline = expires.map_or_else(String::new, |t| {
        format!(
            "\n\nThe request expires at {} if nobody decides.",
            format_utc(t)
        )
    });
    let body = format!(
        "Request to approve a role assignment {}\n\n{who} ({}) asks to {verb} their {} assignment of {role}.\n\n{}{deadline}\n\nApprove (optionally with --end, --for, --start, --type): pim approve {} --reason \"...\"\nDeny: pim deny {} --reason \"...\"",
        if verb == "renew" {
            "renewal"
        } else {
            "extension"
        },
        f.principal.upn,
        f.kind.label(),
        details(f),
        f.request_id,
        f.request_id
    );
    (subject, body)
}

/// Which expiry e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// 14 days before the end.
    Days14,
    /// 1 day before the end.
    Day1,
    /// At the end.
    Expired,
}

impl Reminder {
    /// How far before the end it is due.
    pub fn lead(self) -> TimeDelta {
        match self {
            Reminder::Days14 => TimeDelta::days(14),
            Reminder::Day1 => TimeDelta::days(1),
            Reminder::Expired => TimeDelta::zero(),
        }
    }
}

/// An expiry reminder, to the assignee or to the administrators.
pub fn reminder(f: &MessageFacts<'_>, which: Reminder, to_assignee: bool) -> Message {
    let (who, role, the) = (
        &f.principal.display_name,
        &f.role.display_name,
        f.role.phrase(),
    );
    let whose = if to_assignee {
        "Your".to_owned()
    } else {
        format!("{who}'s")
    };
    let end = f.end.map(format_utc).unwrap_or_default();
    let (subject, lead) = match which {
        Reminder::Days14 => (
            format!("PIM: {whose} {the} expires in 14 days"),
            "expires in 14 days",
        ),
        Reminder::Day1 => (
            format!("PIM: {whose} {the} expires in 1 day"),
            "expires in 1 day",
        ),
        Reminder::Expired => (format!("PIM: {whose} {the} has expired"), "has expired"),
    };
    let next = match (which, to_assignee) {
        (Reminder::Expired, true) => {
            format!("It can be renewed for 30 days: pim renew \"{role}\" --reason \"...\"")
        }
        (Reminder::Expired, false) => {
            "The assignment was removed at its end (audit completion).".to_owned()
        }
        (_, true) => {
            format!("To keep it, ask for an extension: pim extend \"{role}\" --reason \"...\"")
        }
        (_, false) => format!(
            "An administrator can extend it: pim extend \"{role}\" --user {} --for 30d --reason \"...\"",
            f.principal.upn
        ),
    };
    let body = format!(
        "The {} assignment of {who} to the {the} {lead} (end: {end}).\n\n{}\n\n{next}",
        f.kind.label(),
        details(f)
    );
    (subject, body)
}
