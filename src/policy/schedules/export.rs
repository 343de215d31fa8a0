//! Writing assignments as Graph lists them: role schedules, and PIM for Groups' own.

use serde_json::{Value, json};

use crate::clock::Time;
use crate::policy::model::{Assignment, AssignmentKind, Origin, Principal, Role};

use super::*;

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
