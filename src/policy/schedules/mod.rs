//! Assignments as Microsoft Graph sees them, in and out: `unifiedRoleEligibilitySchedule` and
//! `unifiedRoleAssignmentSchedule` objects for `pim assignments export`, and the schedule
//! requests (`unifiedRoleEligibilityScheduleRequest`, `unifiedRoleAssignmentScheduleRequest`)
//! or a CSV that `pim assignments import` applies. Pure: text in, rows out; the engine applies
//! them.
//!
//! A request body alone does not say whether it is for an eligibility or an active assignment
//! (the endpoint does), so each item says it by its `@odata.type`, by the `url` of the Graph
//! batch request around it, or by the `@odata.context` of the list it came in.

use chrono::TimeDelta;
use serde_json::Value;

use super::model::AssignmentKind;
use super::text::{clip, sanitize};
use crate::clock::Time;

fn is_group(p: &Value) -> bool {
    p.get("@odata.type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("#microsoft.graph.group"))
}

mod export;
mod from_csv;
mod from_json;

pub use export::schedule;
pub use from_csv::parse_csv;
pub use from_json::parse_json;

/// Most rows one file may hold.
pub const MAX_ROWS: usize = 10_000;

/// The `@odata.type`s.
const ELIGIBILITY_REQUEST: &str = "#microsoft.graph.unifiedRoleEligibilityScheduleRequest";
const ASSIGNMENT_REQUEST: &str = "#microsoft.graph.unifiedRoleAssignmentScheduleRequest";
const ELIGIBILITY_SCHEDULE: &str = "#microsoft.graph.unifiedRoleEligibilitySchedule";
const ASSIGNMENT_SCHEDULE: &str = "#microsoft.graph.unifiedRoleAssignmentSchedule";
/// PIM for Groups' own (`identityGovernance/privilegedAccess/group/...`).
const GROUP_ELIGIBILITY_SCHEDULE: &str =
    "#microsoft.graph.privilegedAccessGroupEligibilitySchedule";
const GROUP_ASSIGNMENT_SCHEDULE: &str = "#microsoft.graph.privilegedAccessGroupAssignmentSchedule";

/// What a row asks for (Graph's administrator actions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    /// `adminAssign`.
    Assign,
    /// `adminRemove`.
    Remove,
    /// `adminUpdate`.
    Update,
    /// `adminExtend`.
    Extend,
    /// `adminRenew`.
    Renew,
}

impl RowAction {
    /// Graph's name.
    pub fn graph(self) -> &'static str {
        match self {
            RowAction::Assign => "adminAssign",
            RowAction::Remove => "adminRemove",
            RowAction::Update => "adminUpdate",
            RowAction::Extend => "adminExtend",
            RowAction::Renew => "adminRenew",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "adminassign" | "assign" => RowAction::Assign,
            "adminremove" | "remove" => RowAction::Remove,
            "adminupdate" | "update" => RowAction::Update,
            "adminextend" | "extend" => RowAction::Extend,
            "adminrenew" | "renew" => RowAction::Renew,
            _ => return None,
        })
    }
}

/// When a row's assignment ends, as the file says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiration {
    /// Not said (`notSpecified`, or no `scheduleInfo`): permanent for a new assignment,
    /// unchanged (or the role's default) for the others.
    Unspecified,
    /// `noExpiration`.
    Never,
    /// `afterDateTime`.
    At(Time),
    /// `afterDuration`.
    After(TimeDelta),
}

/// One change a file asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Where it is in the file, for messages: `item 3`, `row 2 (line 3)`.
    pub label: String,
    /// What to do.
    pub action: RowAction,
    /// Eligible or active.
    pub kind: AssignmentKind,
    /// The role: template id, name or slug.
    pub role: String,
    /// The user: object id or UPN.
    pub principal: String,
    /// The user's UPN when the item also carries it (an expanded `principal`), for files
    /// moved between tenants whose object ids differ.
    pub principal_upn: Option<String>,
    /// Start (now when `None`).
    pub start: Option<Time>,
    /// End.
    pub expiration: Expiration,
    /// Reason.
    pub justification: Option<String>,
    /// An exported schedule rather than a request: its start may lie in the past (it then
    /// starts now), and an activation in it is skipped (the user activates again).
    pub from_schedule: bool,
    /// An activation (`assignmentType: Activated`): not something an administrator assigns.
    pub activation: bool,
}

/// Why a file, or one item of it, cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Where: `item 3`, `row 2 (line 3)`, or `the file`.
    pub label: String,
    /// Which field, when one.
    pub field: Option<String>,
    /// What is wrong and what would do.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: {field}: {}", self.label, self.message),
            None => write!(f, "{}: {}", self.label, self.message),
        }
    }
}

fn shown(text: &str) -> String {
    clip(&sanitize(text), 80).into_owned()
}

/// The kind an `@odata.type` or a Graph path names, and whether it is a schedule.
fn kind_of_name(name: &str) -> Option<(AssignmentKind, bool)> {
    let n = name.to_ascii_lowercase();
    // Roles: `roleEligibilitySchedule…`; PIM for Groups: `privilegedAccessGroupEligibility…`
    // types and `privilegedAccess/group/eligibilitySchedule…` paths.
    let any = |names: [&str; 3]| names.iter().any(|x| n.contains(x));
    let kind = if any([
        "roleeligibilityschedule",
        "groupeligibilityschedule",
        "group/eligibilityschedule",
    ]) {
        AssignmentKind::Eligible
    } else if any([
        "roleassignmentschedule",
        "groupassignmentschedule",
        "group/assignmentschedule",
    ]) {
        AssignmentKind::Active
    } else {
        return None;
    };
    let schedule = !n.contains("schedulerequest");
    Some((kind, schedule))
}

/// The CSV columns, in the documented order.
pub const CSV_COLUMNS: [&str; 7] = [
    "role",
    "upn",
    "type",
    "start",
    "end",
    "duration",
    "justification",
];

#[cfg(test)]
#[path = "../schedules_tests.rs"]
mod tests;
