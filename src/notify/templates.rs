//! The wording of each message. Subjects follow Entra's (`PIM: Alain Charon was permanently
//! assigned the Backup Reader role`); bodies list the facts an admin needs to judge the change.

use crate::clock::Time;
use crate::policy::duration::{format_duration, format_utc};
use crate::policy::model::{AssignmentKind, Principal, Role, Ticket};

/// The facts a message reports.
#[derive(Debug, Clone, Copy)]
pub struct MessageFacts<'a> {
    /// The role.
    pub role: &'a Role,
    /// Who got it or activated it.
    pub principal: &'a Principal,
    /// Who made the change (the administrator, for assignments).
    pub actor: Option<&'a Principal>,
    /// Eligible or active.
    pub kind: AssignmentKind,
    /// Start of the window.
    pub start: Time,
    /// End of the window; `None` is permanent.
    pub end: Option<Time>,
    /// Policy time when it happened.
    pub now: Time,
    /// The reason given.
    pub justification: Option<&'a str>,
    /// Ticket information.
    pub ticket: Option<&'a Ticket>,
    /// The request id, for the audit trail.
    pub request_id: &'a str,
}

/// A subject and a body.
pub type Message = (String, String);

fn window(f: &MessageFacts<'_>) -> String {
    match f.end {
        None => format!("Start: {}\nEnd: permanent", format_utc(f.start)),
        Some(end) => format!(
            "Start: {}\nEnd: {} ({})",
            format_utc(f.start),
            format_utc(end),
            format_duration(end - f.start)
        ),
    }
}

pub(crate) fn details(f: &MessageFacts<'_>) -> String {
    let mut lines = vec![
        format!("Role: {} ({})", f.role.display_name, f.role.id),
        format!("User: {} ({})", f.principal.display_name, f.principal.upn),
        format!("Assignment type: {}", f.kind.label()),
        window(f),
    ];
    if let Some(actor) = f.actor {
        lines.push(format!(
            "Changed by: {} ({})",
            actor.display_name, actor.upn
        ));
    }
    lines.push(format!(
        "Justification: {}",
        f.justification.unwrap_or("(none)")
    ));
    if let Some(t) = f.ticket {
        lines.push(format!("Ticket: {} ({})", t.number, t.system));
    }
    lines.push(format!("Request ID: {}", f.request_id));
    lines.join("\n")
}

/// "Role assignment alert" to administrators.
pub fn role_assignment_alert(f: &MessageFacts<'_>) -> Message {
    let (who, role, the) = (
        &f.principal.display_name,
        &f.role.display_name,
        f.role.phrase(),
    );
    let subject = match (f.kind, f.end.is_none()) {
        (AssignmentKind::Eligible, true) => {
            format!("PIM: {who} is permanently eligible for the {the}")
        }
        (AssignmentKind::Eligible, false) => format!("PIM: {who} is eligible for the {the}"),
        (AssignmentKind::Active, true) => {
            format!("PIM: {who} was permanently assigned the {the}")
        }
        (AssignmentKind::Active, false) => format!("PIM: {who} was assigned the {the}"),
    };
    let review = match f.role.group_name() {
        Some(group) => format!("pim groups members \"{group}\""),
        None => format!("pim assignments --role \"{role}\""),
    };
    let body = format!(
        "Role assignment alert\n\n{who} was assigned the {the} as {} in Privileged Identity Management.\n\n{}\n\nReview it: {review}",
        f.kind.label(),
        details(f)
    );
    (subject, body)
}

/// "Notification to the assigned user (assignee)".
pub fn assignee_notice(f: &MessageFacts<'_>) -> Message {
    let the = f.role.phrase();
    let (subject, next) = match f.kind {
        AssignmentKind::Eligible => (
            format!("PIM: You are eligible for the {the}"),
            format!(
                "You can activate it when you need it: {} --for 1h --reason \"...\"",
                f.role.command("activate")
            ),
        ),
        AssignmentKind::Active => (
            format!("PIM: You have been assigned the {the}"),
            "The role is active for you now; nothing else is needed.".to_owned(),
        ),
    };
    let body = format!(
        "Hello {},\n\nYou were assigned the {the} as {}.\n\n{}\n\n{next}",
        f.principal.display_name,
        f.kind.label(),
        details(f)
    );
    (subject, body)
}

/// "Role activation alert" to administrators.
pub fn role_activation_alert(f: &MessageFacts<'_>) -> Message {
    let (who, role, the) = (
        &f.principal.display_name,
        &f.role.display_name,
        f.role.phrase(),
    );
    let subject = format!("PIM: {who} has the {the}");
    let verb = if f.start > f.now {
        "scheduled an activation of"
    } else {
        "activated"
    };
    let body = format!(
        "Role activation alert\n\n{who} {verb} the {the}.\n\n{}\n\nReview it: pim audit --role \"{}\"",
        details(f),
        if f.role.group.is_some() {
            &f.role.id
        } else {
            role
        }
    );
    (subject, body)
}

/// "Notification to activated user (requestor)".
pub fn requestor_notice(f: &MessageFacts<'_>) -> Message {
    let the = f.role.phrase();
    let scheduled = f.start > f.now;
    let subject = if scheduled {
        format!("PIM: Your {the} is scheduled to activate")
    } else {
        format!("PIM: Your {the} is activated")
    };
    let body = format!(
        "Hello {},\n\nYour activation of the {the} {}.\n\n{}\n\nTo end it early: {}",
        f.principal.display_name,
        if scheduled {
            "is scheduled"
        } else {
            "is complete"
        },
        details(f),
        f.role.command("deactivate")
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone, Utc};

    #[test]
    fn subjects_start_with_pim_and_name_user_and_role() {
        let role = Role {
            id: "5d6b6bb7-de71-4623-b4af-96380a352509".into(),
            display_name: "Security Reader".into(),
            slug: "security-reader".into(),
            description: String::new(),
            privileged: true,
            group: None,
        };
        let user = Principal {
            id: "u".into(),
            upn: "pimuser@pimlab.onmicrosoft.com".into(),
            display_name: "Pim User".into(),
        };
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let f = MessageFacts {
            role: &role,
            principal: &user,
            actor: None,
            kind: AssignmentKind::Eligible,
            start: now,
            end: None,
            now,
            justification: Some("audit"),
            ticket: None,
            request_id: "req",
        };
        assert_eq!(
            role_assignment_alert(&f).0,
            "PIM: Pim User is permanently eligible for the Security Reader role"
        );
        assert_eq!(
            assignee_notice(&f).0,
            "PIM: You are eligible for the Security Reader role"
        );
        let activation = MessageFacts {
            kind: AssignmentKind::Active,
            end: Some(now + TimeDelta::hours(8)),
            ..f
        };
        assert_eq!(
            role_activation_alert(&activation).0,
            "PIM: Pim User has the Security Reader role"
        );
        assert!(
            role_activation_alert(&activation)
                .1
                .contains("End: 2026-11-26 17:00 UTC (8h)")
        );
        assert_eq!(
            requestor_notice(&activation).0,
            "PIM: Your Security Reader role is activated"
        );
    }
}
