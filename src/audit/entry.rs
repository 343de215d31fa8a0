//! Building an audit entry: who did what to whom, with the result and a JSON object of details.

use serde::Serialize;
use serde_json::{Map, Value};

use super::activity::Activity;
use super::chain::AuditResult;
use crate::clock::Time;
use crate::policy::model::{Principal, Role, Ticket};
use crate::policy::refusal::Refusal;

/// An entry before the store gives it a sequence number, id and hash.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Policy time of the activity.
    pub time: Time,
    /// Acting user id.
    pub actor_id: Option<String>,
    /// Acting user's UPN.
    pub actor: Option<String>,
    /// What happened.
    pub kind: Activity,
    /// Entra's name for it, as recorded (worded for a group when the entry is about one).
    pub activity: String,
    /// Role template id.
    pub role_id: Option<String>,
    /// Role name.
    pub role: Option<String>,
    /// Target user id.
    pub target_id: Option<String>,
    /// Target UPN.
    pub target: Option<String>,
    /// Justification.
    pub justification: Option<String>,
    /// Ticket number.
    pub ticket_number: Option<String>,
    /// Ticket system.
    pub ticket_system: Option<String>,
    /// Success or failure.
    pub result: AuditResult,
    /// Everything else.
    pub details: Map<String, Value>,
    /// Real time of writing; the service fills it in as it appends.
    pub real_time: Option<Time>,
}

impl AuditEntry {
    /// A successful activity at `time`, by the system until [`AuditEntry::by`] says otherwise.
    pub fn new(kind: Activity, time: Time) -> Self {
        Self {
            time,
            actor_id: None,
            actor: None,
            kind,
            activity: kind.name(None),
            role_id: None,
            role: None,
            target_id: None,
            target: None,
            justification: None,
            ticket_number: None,
            ticket_system: None,
            result: AuditResult::Success,
            details: Map::new(),
            real_time: None,
        }
    }

    /// Who acted.
    pub fn by(mut self, actor: &Principal) -> Self {
        self.actor_id = Some(actor.id.clone());
        self.actor = Some(actor.upn.clone());
        self
    }

    /// The role concerned. For a group's membership or ownership, the activity is worded for
    /// the group ([`Activity::name`] with its access).
    pub fn role(mut self, role: &Role) -> Self {
        if let Some(g) = &role.group {
            self.activity = self.kind.name(Some(g.access));
        }
        self.role_id = Some(role.id.clone());
        self.role = Some(role.display_name.clone());
        self
    }

    /// The user concerned.
    pub fn target(mut self, p: &Principal) -> Self {
        self.target_id = Some(p.id.clone());
        self.target = Some(p.upn.clone());
        self
    }

    /// A user named by a UPN that matches no account (failed sign-ins).
    pub fn target_name(mut self, upn: &str) -> Self {
        self.target = Some(upn.to_owned());
        self
    }

    /// The justification given.
    pub fn justification(mut self, j: Option<&str>) -> Self {
        self.justification = j.map(str::to_owned);
        self
    }

    /// The ticket given.
    pub fn ticket(mut self, t: Option<&Ticket>) -> Self {
        self.ticket_number = t.map(|t| t.number.clone()).filter(|s| !s.is_empty());
        self.ticket_system = t.map(|t| t.system.clone()).filter(|s| !s.is_empty());
        self
    }

    /// When the entry is written, in real time.
    pub fn written_at(mut self, real: Time) -> Self {
        self.real_time = Some(real);
        self
    }

    /// Marks the activity as failed.
    pub fn failed(mut self) -> Self {
        self.result = AuditResult::Failure;
        self
    }

    /// A refusal: failed, with the rules and messages in the details.
    pub fn refused(self, refusal: &Refusal) -> Self {
        self.failed()
            .detail("rule", refusal.rule().as_str())
            .detail("reason", refusal.to_string())
    }

    /// Adds a detail.
    pub fn detail(mut self, key: &str, value: impl Serialize) -> Self {
        self.details.insert(
            key.to_owned(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        );
        self
    }
}
