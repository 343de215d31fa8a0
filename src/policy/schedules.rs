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
use serde_json::{Map, Value, json};

use super::duration::{parse_duration, parse_time};
use super::model::{Assignment, AssignmentKind, Origin, Principal, Role};
use super::text::{clip, sanitize};
use crate::clock::Time;

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

/// Reads a CSV with a header naming its columns (`role,upn,type,start,end,duration,
/// justification`, in any order, plus an optional `action`: assign, remove, update, extend,
/// renew; assign when absent). Empty lines are skipped; every bad row is reported.
pub fn parse_csv(input: &str) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let whole = |message: String| {
        vec![RowError {
            label: "the file".into(),
            field: None,
            message,
        }]
    };
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    // The reader's own line count skips blank lines and CRLF, and its byte offset can stop
    // short in the line ends before a record: step over them (no record starts with one) and
    // count the lines before.
    let line_at = |p: Option<&csv::Position>| {
        let bytes = input.as_bytes();
        p.and_then(|p| usize::try_from(p.byte()).ok())
            .map_or(0, |b| {
                let mut start = b.min(bytes.len());
                while bytes.get(start).is_some_and(|c| matches!(c, b'\r' | b'\n')) {
                    start += 1;
                }
                1 + bytes[..start].iter().filter(|&&c| c == b'\n').count()
            })
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            whole(format!(
                "the header cannot be read: {}",
                shown(&e.to_string())
            ))
        })?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    let mut columns: Vec<usize> = Vec::new();
    for name in CSV_COLUMNS.iter().chain(&["action"]) {
        columns.push(header.iter().position(|h| h == name).unwrap_or(usize::MAX));
    }
    if let Some(unknown) = header
        .iter()
        .find(|h| !CSV_COLUMNS.contains(&h.as_str()) && h.as_str() != "action")
    {
        return Err(whole(format!(
            "the header names a column '{}' pim does not know; the columns are {},action",
            shown(unknown),
            CSV_COLUMNS.join(",")
        )));
    }
    for required in ["role", "upn", "type"] {
        if !header.iter().any(|h| h == required) {
            return Err(whole(format!(
                "the header has no '{required}' column; it reads {}",
                CSV_COLUMNS.join(",")
            )));
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut n = 0;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_at(e.position());
                errors.push(RowError {
                    label: format!("line {line}"),
                    field: None,
                    message: format!("cannot be read: {}", shown(&e.to_string())),
                });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        n += 1;
        if n > MAX_ROWS {
            return Err(whole(format!(
                "the file holds more than {MAX_ROWS} rows; import at most {MAX_ROWS} at a time"
            )));
        }
        let line = line_at(record.position());
        let label = format!("row {n} (line {line})");
        if record.len() > header.len() {
            errors.push(RowError {
                label,
                field: None,
                message: format!(
                    "has {} cells but the header names {}",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        let cell = |i: usize| -> Option<&str> {
            columns
                .get(i)
                .and_then(|&c| record.get(c))
                .filter(|s| !s.is_empty())
        };
        match csv_row(&cell, label.clone()) {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(e),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(whole("the file holds a header and no rows".into()));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn csv_row<'a>(
    cell: &dyn Fn(usize) -> Option<&'a str>,
    label: String,
) -> Result<ImportRow, RowError> {
    let err = |field: &str, message: String| RowError {
        label: label.clone(),
        field: Some(field.to_owned()),
        message,
    };
    let role = cell(0).ok_or_else(|| {
        err(
            "role",
            "is empty; give the role's name or template id".into(),
        )
    })?;
    let upn = cell(1).ok_or_else(|| err("upn", "is empty; give the user's UPN".into()))?;
    let kind = match cell(2).map(str::to_ascii_lowercase).as_deref() {
        Some("eligible") => AssignmentKind::Eligible,
        Some("active") => AssignmentKind::Active,
        Some(other) => {
            return Err(err(
                "type",
                format!("'{}' is neither eligible nor active", shown(other)),
            ));
        }
        None => return Err(err("type", "is empty; give eligible or active".into())),
    };
    let start = cell(3)
        .map(|s| parse_time(s).map_err(|e| err("start", e)))
        .transpose()?;
    let end = cell(4)
        .map(|s| parse_time(s).map_err(|e| err("end", e)))
        .transpose()?;
    let duration = cell(5)
        .map(|s| parse_duration(s).map_err(|e| err("duration", e.to_string())))
        .transpose()?;
    let expiration = match (end, duration) {
        (Some(_), Some(_)) => {
            return Err(err(
                "end",
                "and duration are both given; give one of them (or neither, for permanent)".into(),
            ));
        }
        (Some(t), None) => Expiration::At(t),
        (None, Some(d)) => Expiration::After(d),
        (None, None) => Expiration::Unspecified,
    };
    let action = match cell(7) {
        None => RowAction::Assign,
        Some(a) => RowAction::parse(a).ok_or_else(|| {
            err(
                "action",
                format!(
                    "'{}' is not one of assign, remove, update, extend, renew",
                    shown(a)
                ),
            )
        })?,
    };
    Ok(ImportRow {
        label,
        action,
        kind,
        role: role.to_owned(),
        principal: upn.to_owned(),
        principal_upn: None,
        start,
        expiration,
        justification: cell(6).map(str::to_owned),
        from_schedule: false,
        activation: false,
    })
}

/// One assignment as Graph lists it (`roleEligibilitySchedules` or
/// `roleAssignmentSchedules`, with `$expand=principal,roleDefinition`).
pub fn schedule(a: &Assignment, role: &Role, principal: &Principal) -> Value {
    if let Some(g) = &role.group {
        return group_schedule(a, role, g.access.as_str(), principal);
    }
    let (odata, kind) = match a.kind {
        AssignmentKind::Eligible => (ELIGIBILITY_SCHEDULE, None),
        AssignmentKind::Active => (
            ASSIGNMENT_SCHEDULE,
            Some(if a.origin == Origin::Activated {
                "Activated"
            } else {
                "Assigned"
            }),
        ),
    };
    let iso = |t: Time| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let expiration = match a.end {
        None => json!({"type": "noExpiration", "endDateTime": null, "duration": null}),
        Some(end) => json!({"type": "afterDateTime", "endDateTime": iso(end), "duration": null}),
    };
    let mut v = json!({
        "@odata.type": odata,
        "id": a.id,
        "principalId": principal.id,
        "roleDefinitionId": role.id,
        "directoryScopeId": "/",
        "appScopeId": null,
        "createdDateTime": iso(a.created_at),
        "memberType": "Direct",
        "status": "Provisioned",
        "scheduleInfo": {
            "startDateTime": iso(a.start),
            "recurrence": null,
            "expiration": expiration,
        },
    });
    if let (Some(kind), Value::Object(o)) = (kind, &mut v) {
        o.insert("assignmentType".into(), json!(kind));
    }
    if let Value::Object(o) = &mut v {
        o.insert("principal".into(), principal_json(principal));
        o.insert(
            "roleDefinition".into(),
            json!({
                "id": role.id,
                "displayName": role.display_name,
                "templateId": role.id,
            }),
        );
    }
    v
}

fn is_group(p: &Value) -> bool {
    p.get("@odata.type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("#microsoft.graph.group"))
}

/// A principal as Graph expands it: a user, or a group (whose name has no `@`).
fn principal_json(p: &Principal) -> Value {
    if p.upn.contains('@') {
        json!({
            "@odata.type": "#microsoft.graph.user",
            "id": p.id,
            "displayName": p.display_name,
            "userPrincipalName": p.upn,
        })
    } else {
        json!({"@odata.type": "#microsoft.graph.group", "id": p.id, "displayName": p.display_name})
    }
}

/// A group's membership or ownership as Graph lists it
/// (`privilegedAccess/group/eligibilitySchedules` or `assignmentSchedules`).
fn group_schedule(a: &Assignment, role: &Role, access: &str, principal: &Principal) -> Value {
    let group_id = role.group.as_ref().map_or("", |g| g.group_id.as_str());
    let iso = |t: Time| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let expiration = match a.end {
        None => json!({"type": "noExpiration", "endDateTime": null, "duration": null}),
        Some(end) => json!({"type": "afterDateTime", "endDateTime": iso(end), "duration": null}),
    };
    let mut v = json!({
        "@odata.type": match a.kind {
            AssignmentKind::Eligible => GROUP_ELIGIBILITY_SCHEDULE,
            AssignmentKind::Active => GROUP_ASSIGNMENT_SCHEDULE,
        },
        "id": a.id,
        "principalId": principal.id,
        "groupId": group_id,
        "accessId": access,
        "createdDateTime": iso(a.created_at),
        "memberType": "direct",
        "status": "Provisioned",
        "scheduleInfo": {
            "startDateTime": iso(a.start),
            "recurrence": null,
            "expiration": expiration,
        },
        "principal": principal_json(principal),
        "group": {
            "@odata.type": "#microsoft.graph.group",
            "id": group_id,
            "displayName": role.group_name().unwrap_or_default(),
        },
    });
    if let (AssignmentKind::Active, Value::Object(o)) = (a.kind, &mut v) {
        let kind = if a.origin == Origin::Activated {
            "activated"
        } else {
            "assigned"
        };
        o.insert("assignmentType".into(), json!(kind));
    }
    v
}

#[cfg(test)]
#[path = "schedules_tests.rs"]
mod tests;
