//! E-mail notifications: the messages PIM sends (subjects start with `PIM:` as Entra's do),
//! who receives them according to a role's notification matrix, and their storage form.
//! Messages are queued in the database in the same transaction as the change they report.

use serde::Serialize;

use crate::clock::Time;

pub mod lifecycle;
pub mod maildir;
pub mod recipients;
pub mod templates;

/// The sender shown on every message.
pub const FROM: &str = "Microsoft Security <MSSecurity-noreply@microsoft.com>";

/// What a message is about (the `event` field of `pim inbox --json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EmailEvent {
    /// To admins: someone was assigned a role.
    RoleAssignmentAlert,
    /// To the assignee: you were assigned a role.
    AssigneeNotice,
    /// To admins: someone activated a role.
    RoleActivationAlert,
    /// To the requestor: your role is active.
    RequestorNotice,
    /// To approvers: approve or deny an activation.
    ApprovalRequest,
    /// To the requestor: your request waits for approval.
    PendingNotice,
    /// To the requestor: your request was approved or denied.
    RequestDecision,
    /// To the other approvers: someone decided.
    ApproverNotice,
    /// To administrators: approve or deny an extension or renewal.
    ExtensionRequest,
    /// To administrators and the assignee: an assignment ends soon.
    ExpiryReminder,
    /// To administrators and the assignee: an assignment ended.
    ExpiredNotice,
    /// To the requestor and approvers: nobody decided within 24 hours.
    RequestExpired,
    /// To reviewers and administrators: an access review started.
    ReviewStarted,
    /// To reviewers with decisions left: an access review is half over.
    ReviewReminder,
    /// To reviewers and administrators: an access review ended (and what it applied).
    ReviewEnded,
}

impl EmailEvent {
    /// Stored and JSON form.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailEvent::RoleAssignmentAlert => "roleAssignmentAlert",
            EmailEvent::AssigneeNotice => "assigneeNotice",
            EmailEvent::RoleActivationAlert => "roleActivationAlert",
            EmailEvent::RequestorNotice => "requestorNotice",
            EmailEvent::ApprovalRequest => "approvalRequest",
            EmailEvent::PendingNotice => "pendingNotice",
            EmailEvent::RequestDecision => "requestDecision",
            EmailEvent::ApproverNotice => "approverNotice",
            EmailEvent::ExtensionRequest => "extensionRequest",
            EmailEvent::ExpiryReminder => "expiryReminder",
            EmailEvent::ExpiredNotice => "expiredNotice",
            EmailEvent::RequestExpired => "requestExpired",
            EmailEvent::ReviewStarted => "accessReviewStarted",
            EmailEvent::ReviewReminder => "accessReviewReminder",
            EmailEvent::ReviewEnded => "accessReviewEnded",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// Every event.
    pub const ALL: [EmailEvent; 15] = {
        use EmailEvent::*;
        [
            RoleAssignmentAlert,
            AssigneeNotice,
            RoleActivationAlert,
            RequestorNotice,
            ApprovalRequest,
            PendingNotice,
            RequestDecision,
            ApproverNotice,
            ExtensionRequest,
            ExpiryReminder,
            ExpiredNotice,
            RequestExpired,
            ReviewStarted,
            ReviewReminder,
            ReviewEnded,
        ]
    };

    /// Whether the message asks someone to act now; "critical emails only" keeps only these
    /// (requests to approve an activation, an extension or a renewal).
    pub fn is_critical(self) -> bool {
        matches!(
            self,
            EmailEvent::ApprovalRequest | EmailEvent::ExtensionRequest
        )
    }
}

/// A queued message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Email {
    /// GUID.
    pub id: String,
    /// When it was sent (policy time).
    pub time: Time,
    /// The receiving account, when the address belongs to one.
    #[serde(skip)]
    pub recipient_id: Option<String>,
    /// The address.
    pub to: String,
    /// Subject line, starting with `PIM:`.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// What it is about.
    pub event: EmailEvent,
    /// The role concerned.
    #[serde(skip)]
    pub role_id: Option<String>,
    /// The request concerned.
    #[serde(skip)]
    pub request_id: Option<String>,
    /// When the recipient opened it.
    #[serde(skip)]
    pub read_at: Option<Time>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_round_trips_through_its_stored_name() {
        for e in EmailEvent::ALL {
            assert_eq!(EmailEvent::parse(e.as_str()), Some(e));
        }
    }
}
