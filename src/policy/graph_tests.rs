//! Graph's rules, against Microsoft's own example response and back.

use super::*;
use crate::policy::settings::apply_patch;

/// Microsoft's `list rules` example response for a directory role (Entra's defaults).
const REFERENCE: &str = include_str!("../../tests/data/list-rules-directoryrole-response.json");

fn reference_rules() -> Vec<Value> {
    let doc: Value = serde_json::from_str(REFERENCE).unwrap();
    doc["value"].as_array().unwrap().clone()
}

fn custom() -> RoleSettings {
    let mut s = RoleSettings {
        max_activation: TimeDelta::minutes(105),
        require_mfa: false,
        auth_context: Some("c7".into()),
        require_ticket: true,
        require_approval: true,
        approvers: vec![Principal {
            id: "11111111-2222-3333-4444-555555555555".into(),
            upn: "approver@pimlab.onmicrosoft.com".into(),
            display_name: "Lab Approver".into(),
        }],
        allow_permanent_active: false,
        expire_eligible_after: ExpireAfter::from_days(270).unwrap(),
        expire_active_after: ExpireAfter::DAYS_15,
        require_mfa_on_active: true,
        require_justification_on_eligible: true,
        ..RoleSettings::default()
    };
    let patch = vec![NotificationPatch {
        row: NotifyRow::ALL[6],
        default_recipients: Some(false),
        additional_recipients: Some(vec!["soc@contoso.com".into()]),
        critical_only: Some(true),
    }];
    s.notifications.apply(&patch).unwrap();
    s
}

/// Settings after applying what the rules ask for (approvers taken as they are named).
fn imported_into(base: &RoleSettings, rules: &[Value]) -> RoleSettings {
    let imported = import(rules).unwrap();
    let mut patch = imported.patch;
    patch.approvers = imported.approvers.map(|refs| {
        refs.into_iter()
            .map(|r| Principal {
                id: r.user_id,
                upn: r.description.unwrap_or_default(),
                display_name: "Lab Approver".into(),
            })
            .collect()
    });
    apply_patch(base, &patch).unwrap().0
}

#[test]
fn entras_defaults_are_exactly_microsofts_example_response() {
    assert_eq!(rules(&RoleSettings::default()), reference_rules());
}

#[test]
fn microsofts_example_imports_as_entras_defaults() {
    let other = custom();
    assert_eq!(
        imported_into(&other, &reference_rules()),
        RoleSettings::default()
    );
}

#[test]
fn any_settings_round_trip_through_their_rules() {
    let s = custom();
    let exported = rules(&s);
    assert_eq!(imported_into(&RoleSettings::default(), &exported), s);
    let text = serde_json::to_string(&exported).unwrap();
    assert!(text.contains("\"PT1H45M\""), "{text}");
    assert!(text.contains("\"P270D\""), "{text}");
}

#[test]
fn one_rule_alone_changes_only_what_it_speaks_of() {
    let patch_body = json!({
        "@odata.type": EXPIRATION,
        "id": "Expiration_EndUser_Assignment",
        "isExpirationRequired": true,
        "maximumDuration": "PT1H45M",
    });
    let s = imported_into(&RoleSettings::default(), &[patch_body]);
    assert_eq!(
        s,
        RoleSettings {
            max_activation: TimeDelta::minutes(105),
            ..RoleSettings::default()
        }
    );
}

fn errors_of(rule: Value) -> Vec<RuleError> {
    import(&[rule]).unwrap_err()
}

#[test]
fn unknown_ids_types_and_fields_are_named() {
    let e = errors_of(json!({"@odata.type": EXPIRATION, "id": "Expiration_Everyone"}));
    assert_eq!(
        (e[0].rule.as_str(), e[0].field.as_str()),
        ("Expiration_Everyone", "id")
    );
    assert!(!e[0].beyond_limits);
    let e = errors_of(
        json!({"@odata.type": APPROVAL, "id": "Expiration_EndUser_Assignment", "maximumDuration": "PT2H"}),
    );
    assert_eq!(e[0].field, "@odata.type");
    let e = errors_of(json!({"id": "Expiration_EndUser_Assignment", "maximumDuration": "PT2H"}));
    assert!(e[0].message.contains("is missing"), "{}", e[0]);
    let e = errors_of(
        json!({"@odata.type": EXPIRATION, "id": "Expiration_EndUser_Assignment", "maximumDuration": "8h"}),
    );
    assert!(
        e[0].to_string().starts_with(
            "Expiration_EndUser_Assignment.maximumDuration: '8h' is not an ISO 8601 duration"
        ),
        "{}",
        e[0]
    );
    let e = errors_of(
        json!({"@odata.type": ENABLEMENT, "id": "Enablement_EndUser_Assignment", "enabledRules": ["Fingerprint"]}),
    );
    assert_eq!(e[0].field, "enabledRules");
    let e = errors_of(
        json!({"@odata.type": EXPIRATION, "id": "Expiration_EndUser_Assignment", "target": {"caller": "Admin", "level": "Assignment"}}),
    );
    assert_eq!(e[0].field, "target.caller");
}

#[test]
fn values_beyond_entras_limits_are_refusals() {
    for (id, duration) in [
        ("Expiration_EndUser_Assignment", "PT25H"),
        ("Expiration_EndUser_Assignment", "PT10M"),
        ("Expiration_Admin_Eligibility", "P366D"),
        ("Expiration_Admin_Assignment", "PT12H"),
    ] {
        let e = errors_of(
            json!({"@odata.type": EXPIRATION, "id": id, "isExpirationRequired": true, "maximumDuration": duration}),
        );
        assert_eq!(e.len(), 1, "{id} {duration}: {e:?}");
        assert!(e[0].beyond_limits, "{id} {duration}");
        assert_eq!(e[0].field, "maximumDuration");
    }
    let mut serial = rule("Approval_EndUser_Assignment", &RoleSettings::default());
    serial["setting"]["approvalMode"] = json!("Serial");
    serial["setting"]["approvalStages"][0]["primaryApprovers"] =
        json!([{"@odata.type": "#microsoft.graph.groupMembers", "groupId": "g"}]);
    let e = errors_of(serial);
    let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "setting.approvalMode",
            "setting.approvalStages.0.primaryApprovers"
        ]
    );
    assert!(e.iter().all(|e| e.beyond_limits));
    let mut none = rule(
        "Notification_Admin_Admin_Eligibility",
        &RoleSettings::default(),
    );
    none["notificationLevel"] = json!("None");
    none["notificationRecipients"] = json!(["not an address"]);
    let e = errors_of(none);
    assert_eq!(e.len(), 2, "{e:?}");
}

#[test]
fn pim_policy_ids_name_their_role() {
    let p = policy(
        "t",
        "5d6b6bb7-de71-4623-b4af-96380a352509",
        &RoleSettings::default(),
    );
    assert_eq!(
        role_of_policy_id(p["id"].as_str().unwrap()),
        Some("5d6b6bb7-de71-4623-b4af-96380a352509")
    );
    assert_eq!(
        role_of_policy_id(
            "DirectoryRole_cab01047-8ad9-4792-8e42-569340767f1b_70c808b5-0d35-4863-a0ba-07888e99d448"
        ),
        Some("70c808b5-0d35-4863-a0ba-07888e99d448"),
        "Entra's own ids end in a GUID too; the caller checks it is a role"
    );
    assert_eq!(role_of_policy_id("Directory_x"), None);
}

#[test]
fn every_shape_graph_users_have_is_found() {
    let rules_only = reference_rules();
    let role = "5d6b6bb7-de71-4623-b4af-96380a352509";
    let one_policy = policy("t", role, &RoleSettings::default());
    let shapes = [
        (json!({"value": rules_only.clone()}), 1, None),
        (Value::Array(rules_only.clone()), 1, None),
        (rules_only[10].clone(), 1, None),
        (one_policy.clone(), 1, Some(role)),
        (
            json!({"value": [one_policy.clone(), one_policy.clone()]}),
            2,
            Some(role),
        ),
        (
            json!({"policyId": "p", "roleDefinitionId": role, "policy": {"rules": rules_only}}),
            1,
            Some(role),
        ),
    ];
    for (doc, n, named) in shapes {
        let found = documents(&doc).unwrap();
        assert_eq!(found.len(), n, "{doc}");
        assert_eq!(found[0].role.as_deref(), named, "{doc}");
    }
    assert!(documents(&json!([])).is_err());
    assert!(documents(&json!("text")).is_err());
    let err = documents(&json!([{"rules": []}, {"what": 1}])).unwrap_err();
    assert!(err.contains("policy 2 of 2"), "{err}");
}

#[test]
fn differences_are_named_by_rule_and_field() {
    let tenant = rules(&RoleSettings::default());
    let file = rules(&custom());
    let d = differences(&file[10..11], &tenant);
    assert_eq!(
        d,
        vec![(
            "Expiration_EndUser_Assignment".to_owned(),
            "maximumDuration".to_owned(),
            json!("PT1H45M"),
            json!("PT8H")
        )]
    );
    assert!(differences(&tenant, &tenant).is_empty());
    let all: Vec<String> = differences(&file, &tenant)
        .into_iter()
        .map(|(id, field, _, _)| format!("{id}.{field}"))
        .collect();
    assert!(
        all.contains(
            &"Approval_EndUser_Assignment.setting.approvalStages.0.primaryApprovers".to_owned()
        ),
        "{all:?}"
    );
    assert!(
        all.contains(&"Notification_Admin_EndUser_Assignment.notificationLevel".to_owned()),
        "{all:?}"
    );
}

#[test]
fn an_authentication_context_goes_out_and_comes_back_and_never_beside_mfa() {
    let rule = rule("AuthenticationContext_EndUser_Assignment", &custom());
    assert_eq!(rule["isEnabled"], true);
    assert_eq!(rule["claimValue"], "c7");
    // Microsoft's own rule with a context switched on, as a portal export has it.
    let mut rules = reference_rules();
    for r in &mut rules {
        if r["id"] == "AuthenticationContext_EndUser_Assignment" {
            r["isEnabled"] = true.into();
            r["claimValue"] = "C12".into();
        }
    }
    // The reference still requires MFA on activation: both at once is Entra's conflict.
    let errors = import(&rules).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].message.starts_with("MfaAndAcrsConflict: "),
        "{errors:?}"
    );
    assert!(errors[0].beyond_limits);
    for r in &mut rules {
        if r["id"] == "Enablement_EndUser_Assignment" {
            r["enabledRules"] = json!(["Justification"]);
        }
    }
    let taken = imported_into(&RoleSettings::default(), &rules);
    assert_eq!(taken.auth_context.as_deref(), Some("c12"));
    assert!(!taken.require_mfa);
    // A context with no claim, or one Entra does not number, is refused.
    for (claim, needle) in [
        (Value::Null, "is needed"),
        (json!("c100"), "c1 to c99"),
        (json!(7), "must be a string"),
    ] {
        let mut bad = rules.clone();
        for r in &mut bad {
            if r["id"] == "AuthenticationContext_EndUser_Assignment" {
                r["claimValue"] = claim.clone();
            }
        }
        let errors = import(&bad).unwrap_err();
        assert!(errors[0].message.contains(needle), "{claim}: {errors:?}");
        assert_eq!(errors[0].field, "claimValue");
    }
}
