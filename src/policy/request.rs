//! Requests, as Graph's `unifiedRoleAssignmentScheduleRequest`: every assignment change and
//! activation is a request with an action and a status, which history and approvals refer to.

use serde::Serialize;

use super::model::{AssignmentKind, Ticket};
use crate::clock::Time;

/// Graph's `unifiedRoleScheduleRequestActions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RequestAction {
    /// An administrator assigns.
    AdminAssign,
    /// An administrator changes an assignment.
    AdminUpdate,
    /// An administrator removes an assignment.
    AdminRemove,
    /// An administrator extends an assignment about to expire.
    AdminExtend,
    /// An administrator renews an expired assignment.
    AdminRenew,
    /// A user activates an eligible role.
    SelfActivate,
    /// A user deactivates.
    SelfDeactivate,
    /// A user asks to extend.
    SelfExtend,
    /// A user asks to renew.
    SelfRenew,
}

impl RequestAction {
    /// Graph's name, e.g. `selfActivate`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestAction::AdminAssign => "adminAssign",
            RequestAction::AdminUpdate => "adminUpdate",
            RequestAction::AdminRemove => "adminRemove",
            RequestAction::AdminExtend => "adminExtend",
            RequestAction::AdminRenew => "adminRenew",
            RequestAction::SelfActivate => "selfActivate",
            RequestAction::SelfDeactivate => "selfDeactivate",
            RequestAction::SelfExtend => "selfExtend",
            RequestAction::SelfRenew => "selfRenew",
        }
    }

    /// Parses Graph's name (case-insensitive, as Graph accepts).
    pub fn parse(s: &str) -> Option<Self> {
        use RequestAction::*;
        [
            AdminAssign,
            AdminUpdate,
            AdminRemove,
            AdminExtend,
            AdminRenew,
            SelfActivate,
            SelfDeactivate,
            SelfExtend,
            SelfRenew,
        ]
        .into_iter()
        .find(|a| a.as_str().eq_ignore_ascii_case(s))
    }
}

/// Graph's request status values that this engine uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RequestStatus {
    /// Done: the change is in effect.
    Provisioned,
    /// Accepted with a future start.
    Granted,
    /// A removal or deactivation that took effect.
    Revoked,
    /// Waiting for an approver.
    PendingApproval,
    /// An extension or renewal waiting for an administrator's decision.
    PendingAdminDecision,
    /// An approver said no.
    Denied,
    /// The requestor or an administrator cancelled it.
    Canceled,
    /// Not decided in time (24 hours).
    TimedOut,
}

impl RequestStatus {
    /// Waiting for a decision.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            RequestStatus::PendingApproval | RequestStatus::PendingAdminDecision
        )
    }
}

impl RequestStatus {
    /// Graph's name, e.g. `PendingApproval`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Provisioned => "Provisioned",
            RequestStatus::Granted => "Granted",
            RequestStatus::Revoked => "Revoked",
            RequestStatus::PendingApproval => "PendingApproval",
            RequestStatus::PendingAdminDecision => "PendingAdminDecision",
            RequestStatus::Denied => "Denied",
            RequestStatus::Canceled => "Canceled",
            RequestStatus::TimedOut => "TimedOut",
        }
    }

    /// Parses Graph's name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
    }

    /// In words, for lists.
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::Provisioned => "done",
            RequestStatus::Granted => "granted",
            RequestStatus::Revoked => "revoked",
            RequestStatus::PendingApproval | RequestStatus::PendingAdminDecision => "waiting",
            RequestStatus::Denied => "denied",
            RequestStatus::Canceled => "cancelled",
            RequestStatus::TimedOut => "expired",
        }
    }

    /// Every status.
    pub const ALL: [RequestStatus; 8] = {
        use RequestStatus::*;
        [
            Provisioned,
            Granted,
            Revoked,
            PendingApproval,
            PendingAdminDecision,
            Denied,
            Canceled,
            TimedOut,
        ]
    };
}

/// One request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// GUID.
    pub id: String,
    /// What was asked.
    pub action: RequestAction,
    /// Where it stands.
    pub status: RequestStatus,
    /// Role template id.
    pub role_id: String,
    /// The user the request is about.
    pub principal_id: String,
    /// Eligible or active.
    pub kind: AssignmentKind,
    /// The reason given.
    pub justification: Option<String>,
    /// Ticket information.
    pub ticket: Option<Ticket>,
    /// Requested start.
    pub start: Option<Time>,
    /// Requested end.
    pub end: Option<Time>,
    /// When it was made (policy time).
    pub created_at: Time,
    /// Who made it.
    pub created_by: Option<String>,
    /// When it was settled.
    pub completed_at: Option<Time>,
    /// The assignment it created or acted on.
    pub target_assignment_id: Option<String>,
    /// For activations waiting for approval: how long the role should stay active.
    pub duration: Option<chrono::TimeDelta>,
    /// The assignment the request starts from: the eligibility of an activation, the
    /// assignment to extend or renew.
    pub source_assignment_id: Option<String>,
    /// Who approved or denied it.
    pub decided_by: Option<String>,
    /// The decision's justification.
    pub decision_reason: Option<String>,
    /// A pending request not decided by then expires.
    pub expires_at: Option<Time>,
}

impl Request {
    /// A settled request of `action` with nothing pending.
    pub fn settled(
        id: String,
        action: RequestAction,
        status: RequestStatus,
        kind: AssignmentKind,
        role_id: &str,
        principal_id: &str,
        now: Time,
    ) -> Self {
        Self {
            id,
            action,
            status,
            role_id: role_id.to_owned(),
            principal_id: principal_id.to_owned(),
            kind,
            justification: None,
            ticket: None,
            start: None,
            end: None,
            created_at: now,
            created_by: None,
            completed_at: Some(now),
            target_assignment_id: None,
            duration: None,
            source_assignment_id: None,
            decided_by: None,
            decision_reason: None,
            expires_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_and_action_round_trips_through_its_graph_name() {
        for s in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(s.as_str()), Some(s));
        }
        for a in [
            "adminAssign",
            "adminUpdate",
            "adminRemove",
            "adminExtend",
            "adminRenew",
            "selfActivate",
            "selfDeactivate",
            "selfExtend",
            "selfRenew",
        ] {
            assert_eq!(RequestAction::parse(a).map(RequestAction::as_str), Some(a));
        }
    }
}
