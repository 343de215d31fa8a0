//! Plain data the rules reason about: roles, principals and role assignments.
//!
//! An assignment is either an *eligibility* (the right to activate) or an *active* assignment
//! (the role is on). Active assignments are either assigned by an admin or activated by the
//! user from an eligibility, like Graph's `assignmentType` `Assigned` / `Activated`.

use std::fmt;

use chrono::TimeDelta;
use serde::Serialize;

use crate::clock::Time;

/// Template id of Global Administrator.
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
/// Template id of Privileged Role Administrator.
pub const PRIVILEGED_ROLE_ADMINISTRATOR: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";

/// The roles whose active holders administer PIM (change settings, assign, receive alerts).
pub const ADMIN_ROLES: [&str; 2] = [GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR];

/// An assignment can't be shorter than this, nor removed or deactivated sooner than this after
/// it starts (Entra: 5 minutes, `ActiveDurationTooShort`).
pub const MINIMUM_DURATION: TimeDelta = TimeDelta::minutes(5);

/// Lab tenants exist for training and demos: they have a movable clock and can be reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantKind {
    /// The training lab of `pim lab`.
    Lab,
    /// A tenant made with `pim init`.
    Standard,
}

impl TenantKind {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            TenantKind::Lab => "lab",
            TenantKind::Standard => "standard",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "lab" => Some(TenantKind::Lab),
            "standard" => Some(TenantKind::Standard),
            _ => None,
        }
    }
}

/// The tenant's licence: PIM needs Microsoft Entra ID P2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Licence {
    /// Microsoft Entra ID P2: PIM is available.
    P2,
    /// No P2: only permanent assignments.
    Free,
}

impl Licence {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Licence::P2 => "P2",
            Licence::Free => "Free",
        }
    }

    /// Parses the stored form (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "p2" => Some(Licence::P2),
            "free" => Some(Licence::Free),
            _ => None,
        }
    }
}

/// The organisation the database holds (one per database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    /// GUID.
    pub id: String,
    /// e.g. `pimlab.onmicrosoft.com`; every UPN ends in it.
    pub domain: String,
    /// e.g. "PIM Lab".
    pub display_name: String,
    /// Lab or standard.
    pub kind: TenantKind,
    /// P2 or Free.
    pub licence: Licence,
    /// How far the lab clock is ahead of real time (zero on standard tenants).
    pub clock_offset: TimeDelta,
    /// When it was created (real time).
    pub created_at: Time,
}

/// A role from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// The template id (Graph's `roleDefinitionId`).
    pub id: String,
    /// e.g. "Security Reader".
    pub display_name: String,
    /// e.g. "security-reader", accepted wherever a role is named.
    pub slug: String,
    /// Microsoft's description.
    pub description: String,
    /// Carries the "Privileged" label.
    pub privileged: bool,
    /// For PIM for Groups: the group and the access (member or owner) this entry of the
    /// catalogue stands for; `None` for a directory role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupAccess>,
}

impl Role {
    /// "role" for a directory role, "group" for a group's membership or ownership: the noun
    /// Entra's audit activities and e-mails use.
    pub fn noun(&self) -> &'static str {
        if self.group.is_some() {
            "group"
        } else {
            "role"
        }
    }

    /// The group's name, for a group's member or owner entry (named "Member of NAME").
    pub fn group_name(&self) -> Option<&str> {
        let g = self.group.as_ref()?;
        self.display_name
            .strip_prefix(g.access.title())
            .and_then(|rest| rest.strip_prefix(" of "))
    }

    /// How a sentence names it after "the" or "your": "Security Reader role", "Member role
    /// in the group Helpdesk".
    pub fn phrase(&self) -> String {
        match (&self.group, self.group_name()) {
            (Some(g), Some(name)) => format!("{} role in the group {name}", g.access.title()),
            _ => format!("{} role", self.display_name),
        }
    }

    /// The command that does `verb` (`activate`, `deactivate`) to it, e.g. `pim activate
    /// "Security Reader"`, `pim groups activate "Helpdesk" --access member`.
    pub fn command(&self, verb: &str) -> String {
        match (&self.group, self.group_name()) {
            (Some(g), Some(name)) => {
                format!(
                    "pim groups {verb} \"{name}\" --access {}",
                    g.access.as_str()
                )
            }
            _ => format!("pim {verb} \"{}\"", self.display_name),
        }
    }
}

/// Membership or ownership of a group, PIM-managed like a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Member of the group (and so holder of the roles assigned to it).
    Member,
    /// Owner of the group.
    Owner,
}

impl Access {
    /// Graph's `accessId` (`member`, `owner`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Owner => "owner",
        }
    }

    /// Reads [`Access::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "member" => Some(Self::Member),
            "owner" => Some(Self::Owner),
            _ => None,
        }
    }

    /// "Member", "Owner".
    pub fn title(self) -> &'static str {
        match self {
            Self::Member => "Member",
            Self::Owner => "Owner",
        }
    }
}

/// Which group, and which access to it, a catalogue entry stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupAccess {
    /// The group's object id.
    pub group_id: String,
    /// Member or owner.
    pub access: Access,
}

/// A user as rules and messages need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// GUID.
    pub id: String,
    /// User principal name, e.g. `pimuser@pimlab.onmicrosoft.com`.
    pub upn: String,
    /// e.g. "Pim User".
    pub display_name: String,
}

/// Eligible (may activate) or active (role is on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AssignmentKind {
    /// The principal may activate the role.
    Eligible,
    /// The principal holds the role.
    Active,
}

impl AssignmentKind {
    /// Stored and printed form.
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentKind::Eligible => "eligible",
            AssignmentKind::Active => "active",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "eligible" => Some(AssignmentKind::Eligible),
            "active" => Some(AssignmentKind::Active),
            _ => None,
        }
    }

    /// "Eligible" / "Active", as the console labels them.
    pub fn label(self) -> &'static str {
        match self {
            AssignmentKind::Eligible => "Eligible",
            AssignmentKind::Active => "Active",
        }
    }
}

impl fmt::Display for AssignmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an active assignment came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Made by an administrator.
    Assigned,
    /// Activated by the user from an eligibility.
    Activated,
}

impl Origin {
    /// Stored and printed form (the `kind` of `pim status --json`).
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Assigned => "assigned",
            Origin::Activated => "activated",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "assigned" => Some(Origin::Assigned),
            "activated" => Some(Origin::Activated),
            _ => None,
        }
    }
}

/// Why an assignment stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EndReason {
    /// An administrator removed it.
    Removed,
    /// The user deactivated the activation.
    Deactivated,
    /// Its end time passed.
    Expired,
    /// Its eligibility was removed, which ends activations made from it.
    Revoked,
    /// Replaced by an update (e.g. eligible made active).
    Updated,
    /// A scheduled activation was cancelled before it started.
    Canceled,
}

impl EndReason {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Removed => "removed",
            EndReason::Deactivated => "deactivated",
            EndReason::Expired => "expired",
            EndReason::Revoked => "revoked",
            EndReason::Updated => "updated",
            EndReason::Canceled => "canceled",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [
            EndReason::Removed,
            EndReason::Deactivated,
            EndReason::Expired,
            EndReason::Revoked,
            EndReason::Updated,
            EndReason::Canceled,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Ticket information given with an activation (information only, never validated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    /// e.g. "INC1234".
    pub number: String,
    /// e.g. "ServiceNow".
    pub system: String,
}

/// One eligible or active role assignment, current or historic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// GUID.
    pub id: String,
    /// Role template id.
    pub role_id: String,
    /// User id.
    pub principal_id: String,
    /// Eligible or active.
    pub kind: AssignmentKind,
    /// For active assignments: assigned by an admin or activated by the user.
    pub origin: Origin,
    /// For activations: the eligibility it was activated from.
    pub activated_from: Option<String>,
    /// When it starts granting (may be in the future: scheduled).
    pub start: Time,
    /// When it stops granting; `None` means permanent.
    pub end: Option<Time>,
    /// Why it was made.
    pub justification: Option<String>,
    /// Ticket information, when given.
    pub ticket: Option<Ticket>,
    /// When it was made.
    pub created_at: Time,
    /// Who made it (user id).
    pub created_by: Option<String>,
    /// When it was ended early or its expiry was recorded.
    pub ended_at: Option<Time>,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
}

impl Assignment {
    /// Grants now: started, not ended, and `now < end`. Evaluated on read, so an expired row
    /// grants nothing even if no sweep has recorded its expiry yet.
    pub fn is_live(&self, now: Time) -> bool {
        self.ended_at.is_none() && self.start <= now && self.end.is_none_or(|end| now < end)
    }

    /// Made for the future and not cancelled.
    pub fn is_scheduled(&self, now: Time) -> bool {
        self.ended_at.is_none() && self.start > now
    }

    /// Live or scheduled: it blocks a duplicate.
    pub fn is_current(&self, now: Time) -> bool {
        self.is_live(now) || self.is_scheduled(now)
    }

    /// Has no end.
    pub fn is_permanent(&self) -> bool {
        self.end.is_none()
    }

    /// Time left until the end, when time-bound and live.
    pub fn time_left(&self, now: Time) -> Option<TimeDelta> {
        self.end.filter(|_| self.is_live(now)).map(|end| end - now)
    }

    /// "permanent" or "timebound", as Entra's activity names say.
    pub fn duration_word(&self) -> &'static str {
        if self.is_permanent() {
            "permanent"
        } else {
            "timebound"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn activation(start: Time, end: Option<Time>) -> Assignment {
        Assignment {
            id: "a".into(),
            role_id: "r".into(),
            principal_id: "p".into(),
            kind: AssignmentKind::Active,
            origin: Origin::Activated,
            activated_from: None,
            start,
            end,
            justification: None,
            ticket: None,
            created_at: start,
            created_by: None,
            ended_at: None,
            end_reason: None,
        }
    }

    #[test]
    fn a_role_is_live_only_while_now_is_before_the_end() {
        let start = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let end = start + TimeDelta::hours(8);
        let a = activation(start, Some(end));
        assert!(!a.is_live(start - TimeDelta::seconds(1)));
        assert!(a.is_scheduled(start - TimeDelta::seconds(1)));
        assert!(a.is_live(start));
        assert!(a.is_live(end - TimeDelta::seconds(1)));
        assert!(!a.is_live(end), "now == end is no longer active");
        assert_eq!(
            a.time_left(end - TimeDelta::minutes(3)),
            Some(TimeDelta::minutes(3))
        );
        assert_eq!(a.time_left(end), None);
    }

    #[test]
    fn ended_and_permanent_assignments() {
        let start = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let mut a = activation(start, None);
        assert!(a.is_live(start + TimeDelta::days(10_000)));
        assert_eq!(a.duration_word(), "permanent");
        a.ended_at = Some(start);
        assert!(!a.is_live(start + TimeDelta::hours(1)));
        assert!(!a.is_current(start + TimeDelta::hours(1)));
    }
}
