//! Audit entries as other tools read them: Microsoft Graph `directoryAudit`-like records (for
//! JSON and JSON Lines) and CSV rows that a spreadsheet opens safely. Each keeps the log's own
//! sequence number and hashes, so an export can be checked against the chain.

use chrono::SecondsFormat;
use serde_json::{Map, Value, json};

use super::AuditResult;
use super::chain::AuditRecord;
use crate::clock::Time;
use crate::policy::text::sanitize;

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 18] = [
    "sequence",
    "activityDateTime",
    "realDateTime",
    "activityDisplayName",
    "result",
    "resultReason",
    "operationType",
    "initiatedBy",
    "role",
    "roleId",
    "target",
    "targetId",
    "justification",
    "ticketNumber",
    "ticketSystem",
    "details",
    "id",
    "hash",
];

fn iso(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Graph's `operationType` for an activity name: Assign and Unassign for role members, Add,
/// Delete and Update for other objects, Other for the rest.
fn operation_type(activity: &str) -> &'static str {
    let a = activity.to_ascii_lowercase();
    let member = a.contains("member");
    match a.split(' ').next() {
        Some("add") if member => "Assign",
        Some("add") => "Add",
        Some("remove") if member => "Unassign",
        Some("remove" | "delete") => "Delete",
        Some("update") => "Update",
        _ => "Other",
    }
}

fn details(r: &AuditRecord) -> Map<String, Value> {
    match serde_json::from_str::<Value>(&r.details) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// Why an entry failed, when it did: the refusal or reason it recorded.
fn result_reason(r: &AuditRecord, d: &Map<String, Value>) -> String {
    if r.result == AuditResult::Success {
        return String::new();
    }
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    d.get("reason")
        .or_else(|| d.get("rule"))
        .map(text)
        .unwrap_or_default()
}

/// One entry as a `directoryAudit`-like record, plus `sequence`, `hash`, `previousHash` and
/// `realDateTime` (the real time it was written; `activityDateTime` is the lab's time).
pub fn directory_audit(r: &AuditRecord, hash: &str, prev_hash: &str) -> Value {
    let d = details(r);
    let initiated_by = match (&r.actor_id, &r.actor) {
        (None, None) => json!({
            "app": {"appId": null, "displayName": "MS-PIM", "servicePrincipalId": null, "servicePrincipalName": null},
            "user": null,
        }),
        (id, upn) => json!({
            "app": null,
            "user": {"id": id, "displayName": null, "userPrincipalName": upn, "ipAddress": null},
        }),
    };
    let mut targets = Vec::new();
    if r.role_id.is_some() || r.role.is_some() {
        targets.push(json!({
            "id": r.role_id, "displayName": r.role, "type": "Role", "userPrincipalName": null,
            "modifiedProperties": [],
        }));
    }
    if r.target_id.is_some() || r.target.is_some() {
        targets.push(json!({
            "id": r.target_id, "displayName": null, "type": "User", "userPrincipalName": r.target,
            "modifiedProperties": [],
        }));
    }
    let mut additional: Vec<Value> = Vec::new();
    for (key, value) in [
        ("Justification", &r.justification),
        ("TicketNumber", &r.ticket_number),
        ("TicketSystem", &r.ticket_system),
    ] {
        if let Some(v) = value {
            additional.push(json!({"key": key, "value": v}));
        }
    }
    for (key, value) in &d {
        let value = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        additional.push(json!({"key": key, "value": value}));
    }
    json!({
        "id": r.id,
        "category": "RoleManagement",
        "correlationId": r.id,
        "result": r.result.as_str(),
        "resultReason": result_reason(r, &d),
        "activityDisplayName": r.activity,
        "activityDateTime": iso(r.time),
        "loggedByService": "PIM",
        "operationType": operation_type(&r.activity),
        "initiatedBy": initiated_by,
        "targetResources": targets,
        "additionalDetails": additional,
        "sequence": r.seq,
        "hash": hash,
        "previousHash": prev_hash,
        "realDateTime": r.real_time.map(iso),
    })
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a
/// leading `'`, which spreadsheets show as text; other cells are unchanged. Control and hidden
/// characters are made visible first.
pub fn neutralise(cell: &str) -> String {
    const FORMULA: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
    let shown = sanitize(cell);
    if cell.starts_with(FORMULA) || shown.starts_with(FORMULA) {
        format!("'{shown}")
    } else {
        shown.into_owned()
    }
}

/// One entry as a CSV row (cells in [`CSV_HEADER`] order, neutralised).
pub fn csv_row(r: &AuditRecord, hash: &str) -> Vec<String> {
    let d = details(r);
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let initiated = match (&r.actor, &r.actor_id) {
        (Some(upn), _) => upn.clone(),
        (None, Some(id)) => id.clone(),
        (None, None) => "MS-PIM".to_owned(),
    };
    [
        r.seq.to_string(),
        iso(r.time),
        r.real_time.map(iso).unwrap_or_default(),
        r.activity.clone(),
        r.result.as_str().to_owned(),
        result_reason(r, &d),
        operation_type(&r.activity).to_owned(),
        initiated,
        opt(&r.role),
        opt(&r.role_id),
        opt(&r.target),
        opt(&r.target_id),
        opt(&r.justification),
        opt(&r.ticket_number),
        opt(&r.ticket_system),
        r.details.clone(),
        r.id.clone(),
        hash.to_owned(),
    ]
    .iter()
    .map(|c| neutralise(c))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(justification: &str, result: AuditResult, details: &str) -> AuditRecord {
        AuditRecord {
            seq: 7,
            id: "e1".into(),
            time: crate::clock::from_unix(1_796_000_000),
            actor_id: Some("u1".into()),
            actor: Some("alice@x".into()),
            activity: "Add member to role completed (PIM activation)".into(),
            role_id: Some("r1".into()),
            role: Some("Security Reader".into()),
            target_id: Some("u1".into()),
            target: Some("alice@x".into()),
            justification: Some(justification.into()),
            ticket_number: None,
            ticket_system: None,
            result,
            details: details.into(),
            real_time: None,
        }
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            let n = neutralise(bad);
            assert!(n.starts_with('\''), "{bad:?} -> {n:?}");
        }
        assert_eq!(neutralise("plain, text"), "plain, text");
        assert_eq!(neutralise("2026-12-02"), "2026-12-02");
    }

    #[test]
    fn a_record_reads_as_graph_directory_audit() {
        let r = record(
            "=cmd|' /C calc'!A0",
            AuditResult::Failure,
            r#"{"rule":"ExpirationRule","reason":"ExpirationRule: too long","duration":"PT9H"}"#,
        );
        let v = directory_audit(&r, "h7", "h6");
        assert_eq!(
            v["activityDisplayName"],
            "Add member to role completed (PIM activation)"
        );
        assert_eq!(v["activityDateTime"], "2026-11-30T00:53:20Z");
        assert_eq!(v["result"], "failure");
        assert_eq!(v["resultReason"], "ExpirationRule: too long");
        assert_eq!(v["operationType"], "Assign");
        assert_eq!(v["initiatedBy"]["user"]["userPrincipalName"], "alice@x");
        assert_eq!(v["targetResources"][0]["type"], "Role");
        assert_eq!(v["targetResources"][1]["userPrincipalName"], "alice@x");
        assert_eq!(v["sequence"], 7);
        assert_eq!(v["hash"], "h7");
        assert!(
            v["additionalDetails"]
                .as_array()
                .unwrap()
                .contains(&json!({"key": "duration", "value": "PT9H"}))
        );
        let row = csv_row(&r, "h7");
        assert_eq!(row.len(), CSV_HEADER.len());
        assert_eq!(row[12], "'=cmd|' /C calc'!A0");
    }
}
