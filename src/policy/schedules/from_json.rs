//! Reading Graph's JSON: schedule requests one by one, in lists, in JSON batches or in the
//! shape of Microsoft's examples, each row checked and every problem reported with where it is.

use serde_json::{Map, Value};

use super::*;
use crate::policy::duration::{parse_duration, parse_time};

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
