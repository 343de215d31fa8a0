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
use serde_json::{Map, Value};

use super::duration::{parse_duration, parse_time};
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

pub use export::schedule;
pub use from_csv::parse_csv;

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

/// Reads a Graph document: one request, an array, `{"value": [...]}`, a Graph JSON batch
/// (`{"requests": [{"url", "body"}]}`), or the `{"request": {"url", "body"}}` of an example.
/// Every problem is reported, not only the first.
pub fn parse_json(doc: &Value) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let whole = |message: &str| {
        vec![RowError {
            label: "the file".into(),
            field: None,
            message: message.into(),
        }]
    };
    // (item, the kind its list or envelope says, if any)
    let mut items: Vec<(&Value, Option<(AssignmentKind, bool)>)> = Vec::new();
    match doc {
        Value::Array(a) => items.extend(a.iter().map(|v| (v, None))),
        Value::Object(o) => {
            if let Some(Value::Array(a)) = o.get("value") {
                let context = o
                    .get("@odata.context")
                    .and_then(Value::as_str)
                    .and_then(kind_of_name);
                items.extend(a.iter().map(|v| (v, context)));
            } else if let Some(Value::Array(a)) = o.get("requests") {
                items.extend(a.iter().map(|v| (v, None)));
            } else {
                items.push((doc, None));
            }
        }
        _ => return Err(whole("the file holds no JSON object or list")),
    }
    if items.is_empty() {
        return Err(whole("the file holds no requests"));
    }
    if items.len() > MAX_ROWS {
        return Err(whole(&format!(
            "the file holds {} items; import at most {MAX_ROWS} at a time",
            items.len()
        )));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, (item, context)) in items.into_iter().enumerate() {
        let label = format!("item {}", i + 1);
        match item_row(item, context, &label) {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn item_row(
    item: &Value,
    context: Option<(AssignmentKind, bool)>,
    label: &str,
) -> Result<ImportRow, RowError> {
    let err = |field: Option<&str>, message: String| RowError {
        label: label.to_owned(),
        field: field.map(str::to_owned),
        message,
    };
    let Value::Object(o) = item else {
        return Err(err(None, "is not a JSON object".into()));
    };
    // A batch request or an example's envelope: the URL names the endpoint.
    let envelope = o.get("request").and_then(Value::as_object).unwrap_or(o);
    let (body, from_url) = match (envelope.get("body"), envelope.get("url")) {
        (Some(Value::Object(body)), url) => {
            (body, url.and_then(Value::as_str).and_then(kind_of_name))
        }
        _ => (o, None),
    };
    let typed = body
        .get("@odata.type")
        .and_then(Value::as_str)
        .map(|t| {
            kind_of_name(t).ok_or_else(|| {
                err(
                    Some("@odata.type"),
                    format!(
                        "'{}' is not a role schedule request; use {ELIGIBILITY_REQUEST} or {ASSIGNMENT_REQUEST}",
                        shown(t)
                    ),
                )
            })
        })
        .transpose()?;
    let Some((kind, schedule)) = typed.or(from_url).or(context) else {
        return Err(err(
            None,
            format!(
                "does not say whether it is for an eligible or an active assignment; add \"@odata.type\": \"{ELIGIBILITY_REQUEST}\" (eligible) or \"{ASSIGNMENT_REQUEST}\" (active)"
            ),
        ));
    };
    read_body(body, kind, schedule, label)
}

fn text<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    label: &str,
) -> Result<Option<&'a str>, RowError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(RowError {
            label: label.to_owned(),
            field: Some(key.to_owned()),
            message: "must be a string".into(),
        }),
    }
}

fn read_body(
    o: &Map<String, Value>,
    kind: AssignmentKind,
    schedule: bool,
    label: &str,
) -> Result<ImportRow, RowError> {
    let err = |field: &str, message: String| RowError {
        label: label.to_owned(),
        field: Some(field.to_owned()),
        message,
    };
    let action = if schedule {
        RowAction::Assign
    } else {
        let raw = text(o, "action", label)?.ok_or_else(|| {
            err(
                "action",
                "is missing; give adminAssign, adminRemove, adminUpdate, adminExtend or adminRenew"
                    .into(),
            )
        })?;
        RowAction::parse(raw).ok_or_else(|| {
            let lower = raw.to_ascii_lowercase();
            let hint = if lower.starts_with("self") {
                "it is the user's own; they run pim activate, pim deactivate, pim extend or pim renew"
            } else {
                "give adminAssign, adminRemove, adminUpdate, adminExtend or adminRenew"
            };
            err("action", format!("'{}' is not an administrator's action; {hint}", shown(raw)))
        })?
    };
    let principal = text(o, "principalId", label)?
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            err(
                "principalId",
                "is missing; give the user's object id or UPN".into(),
            )
        })?;
    // PIM for Groups names the group and the access instead of a role; an expanded group's
    // name finds it in another tenant, where its id differs.
    let group_name = o
        .get("group")
        .and_then(|g| g.get("displayName"))
        .and_then(Value::as_str);
    let group_access = match (text(o, "groupId", label)?, text(o, "accessId", label)?) {
        (Some(group), Some(access)) => {
            let group = group_name.unwrap_or(group);
            let access = access.trim().to_ascii_lowercase();
            if !matches!(access.as_str(), "member" | "owner") {
                return Err(err(
                    "accessId",
                    format!("'{}' is not member or owner", shown(&access)),
                ));
            }
            Some(format!("{}/{access}", group.trim()))
        }
        _ => None,
    };
    let role = match group_access {
        Some(g) => g,
        None => text(o, "roleDefinitionId", label)?
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                err(
                    "roleDefinitionId",
                    "is missing; give the role's template id (pim roles lists them), or a group's groupId and accessId".into(),
                )
            })?
            .to_owned(),
    };
    let role = role.as_str();
    if let Some(scope) = text(o, "directoryScopeId", label)?
        && scope != "/"
    {
        return Err(err(
            "directoryScopeId",
            format!(
                "'{}' is not the tenant; pim assigns roles tenant-wide (\"/\")",
                shown(scope)
            ),
        ));
    }
    if text(o, "appScopeId", label)?.is_some() {
        return Err(err(
            "appScopeId",
            "pim assigns roles tenant-wide; leave appScopeId out".into(),
        ));
    }
    if o.get("isValidationOnly") == Some(&Value::Bool(true)) {
        return Err(err(
            "isValidationOnly",
            "checks a single request in Graph; check the whole file with pim assignments import --dry-run".into(),
        ));
    }
    // The expanded principal names it in another tenant: a user's UPN, a group's name.
    let principal_upn = o.get("principal").and_then(|p| {
        p.get("userPrincipalName")
            .or_else(|| p.get("displayName").filter(|_| is_group(p)))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let activation = o
        .get("assignmentType")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("activated"));
    let (start, expiration) = match o.get("scheduleInfo") {
        None | Some(Value::Null) => (None, Expiration::Unspecified),
        Some(Value::Object(info)) => schedule_info(info, label)?,
        Some(_) => return Err(err("scheduleInfo", "must be an object".into())),
    };
    let justification = text(o, "justification", label)?
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    Ok(ImportRow {
        label: label.to_owned(),
        action,
        kind,
        role: role.to_owned(),
        principal: principal.to_owned(),
        principal_upn,
        start,
        expiration,
        justification,
        from_schedule: schedule,
        activation,
    })
}

fn schedule_info(
    info: &Map<String, Value>,
    label: &str,
) -> Result<(Option<Time>, Expiration), RowError> {
    let err = |field: &str, message: String| RowError {
        label: label.to_owned(),
        field: Some(format!("scheduleInfo.{field}")),
        message,
    };
    let start = text(info, "startDateTime", label)?
        .map(|s| parse_time(s).map_err(|e| err("startDateTime", e)))
        .transpose()?;
    if info.get("recurrence").is_some_and(|r| !r.is_null()) {
        return Err(err(
            "recurrence",
            "is not supported by PIM; leave it out".into(),
        ));
    }
    let Some(exp) = info.get("expiration").filter(|e| !e.is_null()) else {
        return Ok((start, Expiration::Unspecified));
    };
    let Value::Object(exp) = exp else {
        return Err(err("expiration", "must be an object".into()));
    };
    let kind = text(exp, "type", label)?.unwrap_or("notSpecified");
    let end = text(exp, "endDateTime", label)?;
    let duration = text(exp, "duration", label)?;
    let expiration = match kind.to_ascii_lowercase().as_str() {
        "notspecified" => Expiration::Unspecified,
        "noexpiration" => Expiration::Never,
        "afterdatetime" => {
            let end = end.ok_or_else(|| {
                err(
                    "expiration.endDateTime",
                    "is needed with afterDateTime".into(),
                )
            })?;
            Expiration::At(parse_time(end).map_err(|e| err("expiration.endDateTime", e))?)
        }
        "afterduration" => {
            let d = duration.ok_or_else(|| {
                err(
                    "expiration.duration",
                    "is needed with afterDuration, e.g. PT8H or P90D".into(),
                )
            })?;
            if !d.trim_start().starts_with(['P', 'p']) {
                return Err(err(
                    "expiration.duration",
                    format!(
                        "'{}' is not an ISO 8601 duration such as PT8H or P90D",
                        shown(d)
                    ),
                ));
            }
            Expiration::After(
                parse_duration(d).map_err(|e| err("expiration.duration", e.to_string()))?,
            )
        }
        other => {
            return Err(err(
                "expiration.type",
                format!(
                    "'{}' is not one of noExpiration, afterDateTime, afterDuration, notSpecified",
                    shown(other)
                ),
            ));
        }
    };
    Ok((start, expiration))
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
