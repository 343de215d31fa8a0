//! Administration scenarios: settings, assignments, removal, the lab clock.

use super::*;
use crate::audit::activity;
use crate::policy::Rule;
use crate::policy::model::AssignmentKind;
use crate::policy::settings::SettingsPatch;

fn refused_rule(err: ServiceError) -> Rule {
    match err {
        ServiceError::Refused(r) => r.rule(),
        other => panic!("expected a refusal, got {other}"),
    }
}

#[test]
fn settings_change_is_audited_with_before_and_after() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let patch = SettingsPatch {
        allow_permanent_active: Some(false),
        ..Default::default()
    };
    let (view, changes) = lab
        .svc
        .update_settings(&admin, "security-reader", patch.clone(), None)
        .unwrap();
    assert!(!view.settings.allow_permanent_active);
    assert_eq!(changes.len(), 1);
    let rows = lab.audit_rows(activity::Activity::SettingsUpdated);
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].details.contains("\"before\":\"on\""),
        "{}",
        rows[0].details
    );
    assert!(rows[0].details.contains("\"after\":\"off\""));
    let (_, again) = lab
        .svc
        .update_settings(&admin, "security-reader", patch, None)
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(
        lab.audit_rows(activity::Activity::SettingsUpdated).len(),
        1,
        "no change, no entry"
    );
}

#[test]
fn only_active_administrators_change_settings() {
    let mut lab = Lab::new();
    let user = lab.sign_in("pimuser");
    let before = lab.state();
    let err = lab
        .svc
        .update_settings(
            &user,
            "Security Reader",
            SettingsPatch {
                require_mfa: Some(false),
                ..Default::default()
            },
            None,
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert_eq!(refused_rule(err), Rule::AdminRequestRule);
    assert_eq!(lab.state(), before);
    let rows = lab.audit_rows(activity::Activity::SettingsUpdated);
    assert_eq!(rows[0].result, crate::audit::AuditResult::Failure);
}

#[test]
fn permanent_active_refused_when_the_role_forbids_it() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.svc
        .update_settings(
            &admin,
            "Security Reader",
            SettingsPatch {
                allow_permanent_active: Some(false),
                ..Default::default()
            },
            None,
        )
        .unwrap();
    let input = AssignInput {
        role: "Security Reader".into(),
        upn: lab.upn("pimuser"),
        kind: AssignmentKind::Active,
        start: None,
        window: Window::Permanent,
        justification: Some("x".into()),
        otp: None,
    };
    let err = lab.svc.assign(&admin, input.clone()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ExpirationRule: permanent active assignment is not allowed for Security Reader; give --end or --for up to 180 days"
    );
    let ok = lab
        .svc
        .assign(
            &admin,
            AssignInput {
                window: Window::For(TimeDelta::days(30)),
                ..input
            },
        )
        .unwrap();
    assert_eq!(ok.assignment.end, Some(start() + TimeDelta::days(30)));
}

#[test]
fn removal_waits_five_minutes_and_ends_live_activations() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    lab.svc
        .activate(
            &user,
            lab.activation(4, Some("x"), Some(lab.code("pimuser", 1))),
        )
        .unwrap();
    let remove = RemoveInput {
        role: "Security Reader".into(),
        upn: lab.upn("pimuser"),
        kind: Some(AssignmentKind::Eligible),
        assignment_id: None,
    };
    let err = lab
        .svc
        .remove_assignment(&admin, remove.clone())
        .unwrap_err();
    assert_eq!(refused_rule(err), Rule::ActiveDurationTooShort);
    lab.wait(TimeDelta::minutes(5));
    let done = lab.svc.remove_assignment(&admin, remove).unwrap();
    assert_eq!(done.ended_activations, 1);
    let status = lab.svc.status(&user).unwrap();
    assert!(status.eligible.is_empty() && status.active.is_empty());
    assert_eq!(
        lab.audit_rows(activity::Activity::ActivationRevoked).len(),
        1
    );
}

#[test]
fn the_last_active_global_administrator_cannot_be_removed() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.wait(TimeDelta::minutes(10));
    let err = lab
        .svc
        .remove_assignment(
            &admin,
            RemoveInput {
                role: "Global Administrator".into(),
                upn: lab.upn("admin"),
                kind: None,
                assignment_id: None,
            },
        )
        .unwrap_err();
    assert_eq!(refused_rule(err), Rule::LastGlobalAdministratorRule);
}

#[test]
fn update_turns_an_eligibility_into_a_time_bound_active_assignment() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.make_eligible(&admin, "Security Reader");
    let done = lab
        .svc
        .update_assignment(
            &admin,
            UpdateInput {
                role: "Security Reader".into(),
                upn: lab.upn("pimuser"),
                assignment_id: None,
                kind: Some(AssignmentKind::Active),
                window: Some(Window::For(TimeDelta::days(7))),
                justification: Some("on call this week".into()),
                otp: None,
            },
        )
        .unwrap();
    assert_eq!(done.assignment.kind, AssignmentKind::Active);
    assert_eq!(done.assignment.end, Some(start() + TimeDelta::days(7)));
    let rows = lab.audit_rows("Update member in role in PIM completed (timebound)");
    assert_eq!(rows.len(), 1);
}

#[test]
fn non_admins_cannot_assign_and_unknown_names_are_bad_input() {
    let mut lab = Lab::new();
    let user = lab.sign_in("pimuser");
    let input = AssignInput {
        role: "Security Reader".into(),
        upn: lab.upn("pimuser"),
        kind: AssignmentKind::Eligible,
        start: None,
        window: Window::Permanent,
        justification: None,
        otp: None,
    };
    assert_eq!(
        refused_rule(lab.svc.assign(&user, input.clone()).unwrap_err()),
        Rule::AdminRequestRule
    );
    let admin = lab.sign_in("admin");
    let before = (lab.state(), lab.count("audit"));
    let err = lab
        .svc
        .assign(
            &admin,
            AssignInput {
                role: "No Such Role".into(),
                ..input.clone()
            },
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let err = lab
        .svc
        .assign(
            &admin,
            AssignInput {
                upn: "ghost@pimlab.onmicrosoft.com".into(),
                ..input
            },
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert_eq!((lab.state(), lab.count("audit")), before);
}

#[test]
fn the_clock_is_refused_on_a_standard_tenant() {
    let clock = Arc::new(TestClock::new(start()));
    let mut svc = Service::new(
        Store::open_in_memory().unwrap(),
        clock.clone(),
        PasswordHasher::fast_for_tests(),
    );
    let created = svc
        .init_tenant(
            "contoso.onmicrosoft.com",
            "Contoso",
            "alice@contoso.onmicrosoft.com",
            "Alice",
            "correct horse battery",
        )
        .unwrap();
    let code = code_at(&created.admin.totp_secret, clock.now().timestamp()).unwrap();
    let alice = svc
        .sign_in(&created.admin.upn, "correct horse battery", &code)
        .unwrap()
        .token;
    let err = svc.advance_clock(&alice, TimeDelta::days(1)).unwrap_err();
    assert_eq!(refused_rule(err), Rule::LabOnly);
    assert_eq!(svc.clock().unwrap().offset, TimeDelta::zero());
}

#[test]
fn sql_metacharacters_are_stored_literally() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let nasty = "'; DROP TABLE users;-- \" OR 1=1 -- 100% _x_ \\";
    let new = lab
        .svc
        .add_user(&admin, "o'brien@pimlab.onmicrosoft.com", nasty, None)
        .unwrap();
    assert_eq!(new.principal.display_name, nasty);
    assert_eq!(lab.count("users"), 4);
    let found = lab.svc.users(&admin, Some("100%"), 10, 0).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        lab.svc.users(&admin, Some("%"), 10, 0).unwrap().len(),
        1,
        "% matches literally"
    );
}
