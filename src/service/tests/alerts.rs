//! Security alerts against what the database holds, their settings, big alerts, and the
//! licence that turns PIM off and on.

use super::*;
use crate::policy::Rule;
use crate::policy::alerts::AlertId;
use crate::policy::model::{AssignmentKind, Licence};
use crate::policy::settings::SettingsPatch;

#[test]
fn alerts_match_what_the_database_holds() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let firing = |lab: &mut Lab, admin: &SessionToken| -> Vec<AlertId> {
        lab.svc
            .alerts(admin)
            .unwrap()
            .into_iter()
            .filter(|a| a.active())
            .map(|a| a.id)
            .collect()
    };
    assert_eq!(
        firing(&mut lab, &admin),
        [AlertId::PermanentActiveAssignments],
        "the lab's permanent Global Administrator"
    );
    lab.svc
        .update_settings(
            &admin,
            "Global Reader",
            SettingsPatch {
                require_mfa: Some(false),
                ..Default::default()
            },
            None,
        )
        .unwrap();
    assert!(firing(&mut lab, &admin).contains(&AlertId::NoMfaOnRoleActivation));
    let user_id: String = lab
        .svc
        .store
        .conn()
        .one(
            "SELECT id FROM users WHERE upn LIKE 'pimuser@%'",
            crate::args![],
            |r| r.get(0),
        )
        .unwrap();
    lab.svc
        .store
        .conn()
        .exec("INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, created_at)
             VALUES ('sneaky', '62e90394-69f5-4237-9190-012177145e10', ?1, 'active', 'assigned', 0, 0)", crate::args![&user_id])
        .unwrap();
    let views = lab.svc.alerts(&admin).unwrap();
    let outside = views
        .iter()
        .find(|a| a.id == AlertId::RolesAssignedOutsidePim)
        .unwrap();
    assert_eq!(
        outside.incidents.len(),
        1,
        "only the row no audited operation created"
    );
    assert!(
        outside.incidents[0]
            .text
            .contains("pimuser@pimlab.onmicrosoft.com")
    );
    lab.svc
        .dismiss_alert(&admin, AlertId::RolesAssignedOutsidePim)
        .unwrap();
    assert!(
        !firing(&mut lab, &admin).contains(&AlertId::RolesAssignedOutsidePim),
        "dismissed"
    );
    lab.svc
        .store
        .conn()
        .exec("INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, created_at)
             VALUES ('sneaky2', 'e8611ab8-c189-46e8-94e1-60213ab1f814', ?1, 'active', 'assigned', 0, 0)", crate::args![&user_id])
        .unwrap();
    assert!(
        firing(&mut lab, &admin).contains(&AlertId::RolesAssignedOutsidePim),
        "back when the items change"
    );
    assert_eq!(
        lab.audit_rows(crate::audit::activity::Activity::AlertDismissed)
            .len(),
        1
    );
    let other = lab.sign_in("approver");
    assert!(
        matches!(lab.svc.alerts(&other), Err(ServiceError::Refused(_))),
        "not an alert reader"
    );
}

#[test]
fn alert_settings_change_thresholds_within_range() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let before = lab.svc.alerts(&admin).unwrap();
    assert!(
        !before
            .iter()
            .any(|a| a.id == AlertId::TooManyGlobalAdmins && a.active()),
        "one Global Administrator"
    );
    let patch = crate::service::AlertConfigPatch {
        count: Some(2),
        percent: Some(0),
        ..Default::default()
    };
    lab.svc
        .configure_alert(&admin, AlertId::TooManyGlobalAdmins, patch)
        .unwrap();
    let input = AssignInput {
        role: "Global Administrator".into(),
        upn: lab.upn("approver"),
        kind: AssignmentKind::Eligible,
        start: None,
        window: Window::Permanent,
        justification: None,
        otp: None,
    };
    lab.svc.assign(&admin, input).unwrap();
    let now = lab.svc.alerts(&admin).unwrap();
    assert!(
        now.iter()
            .any(|a| a.id == AlertId::TooManyGlobalAdmins && a.active()),
        "2 Global Administrators at a threshold of 2"
    );
    let bad = crate::service::AlertConfigPatch {
        count: Some(1),
        ..Default::default()
    };
    assert_eq!(
        lab.svc
            .configure_alert(&admin, AlertId::TooManyGlobalAdmins, bad)
            .unwrap_err()
            .exit_code(),
        2
    );
}

#[test]
fn the_free_licence_turns_pim_off_and_p2_turns_it_back_on() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    let mails_before = lab.svc.inbox(&admin, false, 1000).unwrap().len();
    let change = lab.svc.set_licence(&admin, Licence::Free, true).unwrap();
    // As a licence expiry in Entra: the eligible assignment is gone, audited.
    assert_eq!(change.removed_eligible, 1);
    assert!(lab.svc.status(&user).unwrap().eligible.is_empty());
    assert_eq!(
        lab.audit_rows("Remove eligible member from role in PIM completed (permanent)")
            .len(),
        1
    );
    let err = lab
        .svc
        .activate(&user, lab.activation(1, Some("x"), None))
        .unwrap_err();
    let ServiceError::Refused(r) = err else {
        panic!()
    };
    assert_eq!(r.rule(), Rule::LicenseRule);
    assert!(r.to_string().contains("needs Microsoft Entra ID P2"));
    let input = AssignInput {
        role: "Global Reader".into(),
        upn: lab.upn("approver"),
        kind: AssignmentKind::Eligible,
        start: None,
        window: Window::Permanent,
        justification: None,
        otp: None,
    };
    let ServiceError::Refused(r) = lab.svc.assign(&admin, input.clone()).unwrap_err() else {
        panic!()
    };
    assert_eq!(r.rule(), Rule::LicenseRule);
    let permanent = AssignInput {
        kind: AssignmentKind::Active,
        justification: Some("break glass".into()),
        ..input.clone()
    };
    lab.svc.assign(&admin, permanent).unwrap();
    assert_eq!(
        lab.svc.inbox(&admin, false, 1000).unwrap().len(),
        mails_before,
        "PIM sends no e-mail while Free"
    );
    assert!(
        lab.svc
            .alerts(&admin)
            .unwrap()
            .iter()
            .any(|a| a.id == AlertId::InvalidLicense && a.active())
    );
    // Back on P2, PIM works again; what the licence expiry removed stays removed.
    lab.svc.set_licence(&admin, Licence::P2, false).unwrap();
    let ServiceError::Refused(r) = lab
        .svc
        .activate(
            &user,
            lab.activation(1, Some("x"), Some(lab.code("pimuser", 1))),
        )
        .unwrap_err()
    else {
        panic!()
    };
    assert_eq!(r.rule(), Rule::EligibilityRule);
    lab.svc.assign(&admin, input).unwrap();
    assert!(lab.svc.inbox(&admin, false, 1000).unwrap().len() > mails_before);
    let ServiceError::Refused(r) = lab.svc.set_licence(&user, Licence::Free, true).unwrap_err()
    else {
        panic!()
    };
    assert_eq!(r.rule(), Rule::AdminRequestRule);
}

#[test]
fn a_big_alert_is_counted_in_full_listed_in_part_and_dismissed_as_a_whole() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let spec = crate::service::SeedSpec {
        users: 50,
        assignments: 400,
        audit: 0,
        seed: 3,
    };
    lab.svc.seed_lab(&admin, spec, &mut |_, _| {}).unwrap();
    let permanent: i64 = lab
        .svc
        .store
        .conn()
        .one(
            "SELECT count(*) FROM assignments WHERE ended_at IS NULL AND end_at IS NULL
             AND kind = 'active' AND origin = 'assigned'",
            crate::args![],
            |r| r.get(0),
        )
        .unwrap();
    assert!(permanent > 30, "{permanent}");
    let id = AlertId::PermanentActiveAssignments;
    let view = alert_view(&mut lab, &admin, id);
    assert_eq!(view.affected, usize::try_from(permanent).unwrap());
    assert_eq!(view.incidents.len(), 20, "the overview lists a sample");
    let full = lab.svc.alert(&admin, id).unwrap();
    assert_eq!(
        full.incidents.len(),
        view.affected,
        "one alert lists every item"
    );
    let mut sorted = full.incidents.clone();
    sorted.sort_by(|a, b| a.text.cmp(&b.text));
    assert_eq!(full.incidents, sorted);

    lab.svc.dismiss_alert(&admin, id).unwrap();
    assert_eq!(alert_view(&mut lab, &admin, id).state(), "dismissed");
    // One more item: the alert is back, with every item counted.
    let upn = lab.upn("approver");
    lab.svc
        .assign(
            &admin,
            AssignInput {
                role: "Global Reader".into(),
                upn,
                kind: AssignmentKind::Active,
                start: None,
                window: Window::Permanent,
                justification: Some("audit season".into()),
                otp: None,
            },
        )
        .unwrap();
    let view = alert_view(&mut lab, &admin, id);
    assert_eq!(view.state(), "firing");
    assert_eq!(view.affected, usize::try_from(permanent + 1).unwrap());

    // The count of current admin assignments the alerts keep agrees with the table, through
    // expiries and rows ended or deleted behind pim's back.
    lab.advance(TimeDelta::days(200));
    let agree = |lab: &Lab| {
        let conn = lab.svc.store.conn();
        let kept: i64 = conn
            .one(
                "SELECT value FROM counters WHERE name = 'current_assigned'",
                crate::args![],
                |r| r.get(0),
            )
            .unwrap();
        let real: i64 = conn
            .one(
                "SELECT count(*) FROM assignments WHERE ended_at IS NULL AND origin = 'assigned'",
                crate::args![],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kept, real);
        real
    };
    let before = agree(&lab);
    lab.svc
        .store
        .conn()
        .batch(
            "UPDATE assignments SET ended_at = 1, end_reason = 'removed' WHERE rowid IN
                (SELECT rowid FROM assignments WHERE ended_at IS NULL AND origin = 'assigned' LIMIT 3);
             DELETE FROM assignments WHERE rowid IN
                (SELECT rowid FROM assignments WHERE ended_at IS NULL AND origin = 'assigned' AND kind = 'eligible' LIMIT 2);
             UPDATE assignments SET ended_at = NULL, end_reason = NULL WHERE rowid IN
                (SELECT rowid FROM assignments WHERE ended_at = 1 LIMIT 1);",
        )
        .unwrap();
    assert_eq!(agree(&lab), before - 4);
}

#[test]
fn unused_privileged_roles_are_found_by_their_last_activation() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    lab.svc
        .update_settings(
            &admin,
            "Security Reader",
            SettingsPatch {
                require_mfa: Some(false),
                ..Default::default()
            },
            None,
        )
        .unwrap();
    let id = AlertId::RedundantAssignment;
    let unused = |lab: &mut Lab| {
        let admin = lab.admin_session();
        alert_view(lab, &admin, id)
            .incidents
            .iter()
            .any(|i| i.text.starts_with("pimuser@"))
    };
    assert!(!unused(&mut lab), "made today");
    lab.advance(TimeDelta::days(20));
    lab.svc
        .activate(&user, lab.activation(1, Some("monthly check"), None))
        .unwrap();
    lab.advance(TimeDelta::days(15));
    assert!(!unused(&mut lab), "activated 15 days ago");
    lab.advance(TimeDelta::days(16));
    let admin = lab.admin_session();
    let view = alert_view(&mut lab, &admin, id);
    let item = view
        .incidents
        .iter()
        .find(|i| i.text.starts_with("pimuser@"))
        .expect("31 days without an activation");
    assert!(
        item.text.contains("last activated 31d ago"),
        "{}",
        item.text
    );
}

fn alert_view(lab: &mut Lab, admin: &SessionToken, id: AlertId) -> crate::service::AlertView {
    lab.svc
        .alerts(admin)
        .unwrap()
        .into_iter()
        .find(|a| a.id == id)
        .unwrap()
}
