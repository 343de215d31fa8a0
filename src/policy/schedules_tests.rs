//! Reading Graph schedules and requests and CSV, and writing schedules: every shape, every
//! mistake named by its item and field.

use serde_json::json;

use super::*;

const FIXTURE: &str =
    include_str!("../../tests/data/roleAssignmentScheduleRequest-selfActivate.json");

#[test]
fn graphs_pim_for_groups_requests_name_the_group_and_the_access() {
    // Microsoft's example of a group eligibility request, sent as a batch item.
    let doc = json!({"requests": [{
        "url": "/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests",
        "method": "POST",
        "body": {
            "accessId": "member",
            "principalId": "3cce9d87-3986-4f19-8335-7ed075408ca2",
            "groupId": "2b5ed229-4072-478d-9504-a047ebd4b07d",
            "action": "adminAssign",
            "scheduleInfo": {
                "startDateTime": "2022-12-08T07:43:00.000Z",
                "expiration": {"type": "afterDuration", "duration": "PT2H"}
            },
            "justification": "Assign eligible request."
        }
    }]});
    let rows = parse_json(&doc).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, AssignmentKind::Eligible);
    assert_eq!(rows[0].role, "2b5ed229-4072-478d-9504-a047ebd4b07d/member");
    let active = json!({
        "@odata.type": "#microsoft.graph.privilegedAccessGroupAssignmentScheduleRequest",
        "accessId": "admin", "principalId": "u", "groupId": "g", "action": "adminAssign"
    });
    let errors = parse_json(&active).unwrap_err();
    assert!(errors[0].to_string().contains("accessId"), "{errors:?}");
}

#[test]
fn the_endpoint_decides_eligible_or_active() {
    assert_eq!(
        kind_of_name("/roleManagement/directory/roleEligibilityScheduleRequests"),
        Some((AssignmentKind::Eligible, false))
    );
    assert_eq!(
        kind_of_name(ASSIGNMENT_REQUEST),
        Some((AssignmentKind::Active, false))
    );
    assert_eq!(
        kind_of_name(
            "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignmentSchedules"
        ),
        Some((AssignmentKind::Active, true))
    );
    assert_eq!(kind_of_name("#microsoft.graph.user"), None);
}

#[test]
fn microsofts_self_activation_example_is_read_and_sent_to_pim_activate() {
    let doc: Value = serde_json::from_str(FIXTURE).unwrap();
    let errors = parse_json(&doc).unwrap_err();
    assert_eq!(errors.len(), 1);
    let e = errors[0].to_string();
    assert!(
        e.starts_with("item 1: action: 'selfActivate' is not an administrator's action"),
        "{e}"
    );
    // The same body as an administrator's request reads completely.
    let mut body = doc["request"]["body"].clone();
    body["action"] = json!("adminAssign");
    body["@odata.type"] = json!(ASSIGNMENT_REQUEST);
    let rows = parse_json(&body).unwrap();
    let r = &rows[0];
    assert_eq!(r.action, RowAction::Assign);
    assert_eq!(r.kind, AssignmentKind::Active);
    assert_eq!(r.role, "8424c6f0-a189-499e-bbd0-26c1753c96d4");
    assert_eq!(r.expiration, Expiration::After(TimeDelta::hours(5)));
    assert_eq!(
        r.start.map(|t| t.to_rfc3339()),
        Some("2022-04-14T00:00:00+00:00".into())
    );
}

#[test]
fn a_list_context_names_the_kind_of_its_items() {
    let doc = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleEligibilityScheduleRequests",
        "value": [{"action": "AdminRemove", "principalId": "u", "roleDefinitionId": "r"}]
    });
    let rows = parse_json(&doc).unwrap();
    assert_eq!(
        (rows[0].action, rows[0].kind),
        (RowAction::Remove, AssignmentKind::Eligible)
    );
}

#[test]
fn every_bad_item_is_reported() {
    let doc = json!([
        {"@odata.type": ELIGIBILITY_REQUEST, "action": "adminAssign", "roleDefinitionId": "r"},
        {"@odata.type": ELIGIBILITY_REQUEST, "action": "adminAssign", "principalId": "u", "roleDefinitionId": "r"},
        {"@odata.type": "#microsoft.graph.group", "action": "adminAssign", "principalId": "u", "roleDefinitionId": "r"},
    ]);
    let errors = parse_json(&doc).unwrap_err();
    let labels: Vec<&str> = errors.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["item 1", "item 3"]);
}

#[test]
fn csv_columns_may_come_in_any_order_with_an_action() {
    let rows = parse_csv(
        "\u{feff}UPN,Role,Type,Action,Duration\r\na@x,Security Reader,Active,extend,PT8H\r\n\r\n",
    )
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].action, RowAction::Extend);
    assert_eq!(rows[0].principal, "a@x");
    assert_eq!(rows[0].expiration, Expiration::After(TimeDelta::hours(8)));
    assert_eq!(rows[0].label, "row 1 (line 2)");
    let rows = parse_csv("role,upn,type\n\nSR,a@x,eligible\n\n\nSR,b@x,active\n").unwrap();
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["row 1 (line 3)", "row 2 (line 6)"]);
}
