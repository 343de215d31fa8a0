//! Expiry reminders, the notification matrix for lifecycle e-mails, alerts, and the licence gate.

use super::*;
use crate::notify::EmailEvent;
use crate::policy::Rule;
use crate::policy::alerts::AlertId;
use crate::policy::model::{AssignmentKind, Licence};
use crate::policy::notification::{NotificationPatch, NotifyRow};
use crate::policy::settings::SettingsPatch;

/// (subject, time) of every reminder-type message in the database.
fn reminders(lab: &Lab) -> Vec<(String, String, crate::clock::Time)> {
    let mut stmt = lab
        .svc
        .store
        .conn()
        .prepare("SELECT to_addr, subject, created_at FROM emails WHERE event IN ('expiryReminder', 'expiredNotice') ORDER BY created_at, to_addr")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, crate::clock::from_unix(r.get(2)?)))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn the_14_day_reminder_comes_once_at_6d1h_into_a_20_day_eligibility() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.db");
    let mut lab = Lab::on_file(&path);
    let admin = lab.sign_in("admin");
    lab.eligible_for(&admin, 20);
    lab.advance(TimeDelta::days(6) - TimeDelta::minutes(1));
    assert!(reminders(&lab).is_empty(), "not yet at 5d 23h 59m");
    lab.advance(TimeDelta::hours(1) + TimeDelta::minutes(1));
    let sent = reminders(&lab);
    assert_eq!(
        sent.iter()
            .map(|(to, s, _)| (to.as_str(), s.as_str()))
            .collect::<Vec<_>>(),
        [
            (
                "admin@pimlab.onmicrosoft.com",
                "PIM: Pim User's Security Reader role expires in 14 days"
            ),
            (
                "pimuser@pimlab.onmicrosoft.com",
                "PIM: Your Security Reader role expires in 14 days"
            ),
        ]
    );
    assert!(
        sent.iter()
            .all(|(_, _, at)| *at == start() + TimeDelta::days(6)),
        "dated at the threshold, not the sweep"
    );
    let mut other = Service::new(
        Store::open(&path, OpenMode::Existing).unwrap(),
        lab.clock.clone(),
        PasswordHasher::fast_for_tests(),
    );
    for _ in 0..3 {
        lab.svc.sweep().unwrap();
        other.sweep().unwrap();
    }
    assert_eq!(
        reminders(&lab).len(),
        2,
        "once, however many terminals sweep"
    );
}

#[test]
fn a_sweep_after_a_long_gap_catches_up_every_reminder_with_its_own_time() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.eligible_for(&admin, 20);
    lab.advance(TimeDelta::days(25));
    let sent = reminders(&lab);
    let assignee: Vec<(&str, crate::clock::Time)> = sent
        .iter()
        .filter(|(to, _, _)| to.starts_with("pimuser@"))
        .map(|(_, s, t)| (s.as_str(), *t))
        .collect();
    assert_eq!(
        assignee,
        [
            (
                "PIM: Your Security Reader role expires in 14 days",
                start() + TimeDelta::days(6)
            ),
            (
                "PIM: Your Security Reader role expires in 1 day",
                start() + TimeDelta::days(19)
            ),
            (
                "PIM: Your Security Reader role has expired",
                start() + TimeDelta::days(20)
            ),
        ]
    );
    lab.svc.sweep().unwrap();
    assert_eq!(reminders(&lab).len(), 6);
}

#[test]
fn assignments_made_inside_a_window_skip_its_reminder() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.eligible_for(&admin, 10);
    lab.advance(TimeDelta::days(9) + TimeDelta::hours(1));
    let subjects: Vec<String> = reminders(&lab).into_iter().map(|(_, s, _)| s).collect();
    assert!(
        subjects.iter().all(|s| !s.contains("14 days")),
        "{subjects:?}"
    );
    assert!(subjects.iter().any(|s| s.contains("1 day")), "{subjects:?}");
}

#[test]
fn critical_only_keeps_requests_to_approve_and_drops_notices() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    let row = |slug: &str| NotifyRow::parse(slug).unwrap();
    let critical = |slug: &str| NotificationPatch {
        row: row(slug),
        default_recipients: None,
        additional_recipients: None,
        critical_only: Some(true),
    };
    let patch = SettingsPatch {
        require_approval: Some(true),
        notifications: vec![
            critical("activation-approver"),
            critical("activation-admin"),
            critical("activation-requestor"),
        ],
        ..Default::default()
    };
    lab.svc
        .update_settings(&admin, "Security Reader", patch, None)
        .unwrap();
    let before = lab.svc.inbox(&admin, false, 50).unwrap().len();
    let input = lab.activation(1, Some("x"), Some(lab.code("pimuser", 1)));
    let ActivationOutcome::Pending(view) = lab.svc.activate(&user, input).unwrap() else {
        panic!()
    };
    let admin_mail = lab.svc.inbox(&admin, false, 50).unwrap();
    assert_eq!(admin_mail.len(), before + 1);
    assert_eq!(
        admin_mail[0].event,
        EmailEvent::ApprovalRequest,
        "the request to approve is critical"
    );
    assert!(
        lab.svc
            .inbox(&user, false, 50)
            .unwrap()
            .iter()
            .all(|m| m.event != EmailEvent::PendingNotice),
        "the notice is dropped"
    );
    let d = Decision {
        approve: true,
        reason: "ok".into(),
        start: None,
        window: None,
        kind: None,
    };
    lab.svc.decide(&admin, &view.request.id, d).unwrap();
    let admin_mail = lab.svc.inbox(&admin, false, 50).unwrap();
    assert!(
        admin_mail
            .iter()
            .all(|m| m.event != EmailEvent::RoleActivationAlert),
        "activation alerts are notices"
    );
}

#[test]
fn approval_requests_go_to_designated_approvers_only() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    let patch = SettingsPatch {
        require_approval: Some(true),
        notifications: vec![NotificationPatch {
            row: NotifyRow::parse("activation-approver").unwrap(),
            default_recipients: None,
            additional_recipients: Some(vec!["soc@contoso.com".into()]),
            critical_only: None,
        }],
        ..Default::default()
    };
    lab.svc
        .update_settings(
            &admin,
            "Security Reader",
            patch,
            Some(vec!["approver@pimlab.onmicrosoft.com".into()]),
        )
        .unwrap();
    let input = lab.activation(1, Some("x"), Some(lab.code("pimuser", 1)));
    lab.svc.activate(&user, input).unwrap();
    let to: Vec<String> = {
        let mut stmt = lab
            .svc
            .store
            .conn()
            .prepare("SELECT to_addr FROM emails WHERE event = 'approvalRequest'")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        to,
        ["approver@pimlab.onmicrosoft.com"],
        "not the admins, not additional addresses"
    );
}

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
        .query_row("SELECT id FROM users WHERE upn LIKE 'pimuser@%'", [], |r| {
            r.get(0)
        })
        .unwrap();
    lab.svc
        .store
        .conn()
        .execute(
            "INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, created_at)
             VALUES ('sneaky', '62e90394-69f5-4237-9190-012177145e10', ?1, 'active', 'assigned', 0, 0)",
            [&user_id],
        )
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
        .execute(
            "INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, created_at)
             VALUES ('sneaky2', 'e8611ab8-c189-46e8-94e1-60213ab1f814', ?1, 'active', 'assigned', 0, 0)",
            [&user_id],
        )
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

/// Performs the event of one notification row and returns the number of messages of the
/// row's kind that reached the row's default recipient.
fn messages_for_row(row: NotifyRow, default_on: bool) -> i64 {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let slug = row.slug();
    let (group, who) = slug.split_once('-').unwrap();
    let patch = SettingsPatch {
        require_approval: Some(slug == "activation-approver"),
        notifications: vec![NotificationPatch {
            row,
            default_recipients: Some(default_on),
            additional_recipients: None,
            critical_only: None,
        }],
        ..Default::default()
    };
    lab.svc
        .update_settings(&admin, "Security Reader", patch, None)
        .unwrap();
    let kind = if group == "active" {
        AssignmentKind::Active
    } else {
        AssignmentKind::Eligible
    };
    let input = AssignInput {
        role: "Security Reader".into(),
        upn: lab.upn("pimuser"),
        kind,
        start: None,
        window: Window::For(TimeDelta::days(10)),
        justification: Some("project".into()),
        otp: None,
    };
    lab.svc.assign(&admin, input).unwrap();
    let user = lab.sign_in("pimuser");
    let event = match (group, who) {
        (_, "approver") if group != "activation" => {
            let req = lab.svc.request_lifecycle(
                &user,
                "Security Reader",
                Some(kind),
                crate::service::Ask::Extend,
                "the project runs longer",
            );
            req.unwrap();
            EmailEvent::ExtensionRequest
        }
        ("activation", _) => {
            let input = lab.activation(1, Some("incident"), Some(lab.code("pimuser", 1)));
            lab.svc.activate(&user, input).unwrap();
            match who {
                "admin" => EmailEvent::RoleActivationAlert,
                "requestor" => EmailEvent::RequestorNotice,
                _ => EmailEvent::ApprovalRequest,
            }
        }
        (_, "admin") => EmailEvent::RoleAssignmentAlert,
        _ => EmailEvent::AssigneeNotice,
    };
    let to = if matches!(who, "assignee" | "requestor") {
        lab.upn("pimuser")
    } else {
        lab.upn("admin")
    };
    lab.svc
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM emails WHERE to_addr = ?1 AND event = ?2",
            [&to, event.as_str()],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn each_of_the_nine_notification_rows_switches_its_default_recipients() {
    for row in NotifyRow::ALL {
        assert_eq!(messages_for_row(row, true), 1, "{} on", row.slug());
        assert_eq!(messages_for_row(row, false), 0, "{} off", row.slug());
    }
}

/// The admin extends pimuser's Security Reader by `days` from its current end.
fn extend_by(lab: &mut Lab, admin: &SessionToken, days: i64, reason: &str) {
    let upn = lab.upn("pimuser");
    let window = Some(Window::For(TimeDelta::days(days)));
    lab.svc
        .admin_extend(admin, "Security Reader", &upn, None, window, reason)
        .unwrap();
}

#[test]
fn an_extension_rearms_the_reminders_of_the_new_end_only_when_they_are_ahead() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.eligible_for(&admin, 20);
    lab.advance(TimeDelta::days(7));
    assert_eq!(
        reminders(&lab).len(),
        2,
        "the 14-day reminder of the first end"
    );
    // 13 days left; extended by 30 days from the current end: 43 days left.
    extend_by(&mut lab, &admin, 30, "quarter");
    lab.advance(TimeDelta::days(28));
    assert_eq!(reminders(&lab).len(), 2, "15 days left: nothing new yet");
    lab.advance(TimeDelta::days(1));
    let sent = reminders(&lab);
    assert_eq!(sent.len(), 4, "the new end's 14-day reminder, once");
    assert_eq!(sent[3].2, start() + TimeDelta::days(50 - 14));
    // 14 days left now; extending by 5 days puts the new end 19 days out: the 14-day
    // reminder comes again at its own threshold, never dated before the extension.
    extend_by(&mut lab, &admin, 5, "a bit more");
    lab.advance(TimeDelta::days(5));
    let sent = reminders(&lab);
    assert_eq!(sent.len(), 6);
    assert_eq!(sent[5].2, start() + TimeDelta::days(55 - 14));
    // 5 days left; extended by 3: the 14-day threshold of the new end is already behind, so
    // no late "14 days" message; the 1-day one comes at its time.
    lab.advance(TimeDelta::days(9));
    extend_by(&mut lab, &admin, 3, "wrap up");
    assert_eq!(
        reminders(&lab).len(),
        6,
        "nothing sent for a threshold already behind"
    );
    lab.advance(TimeDelta::days(7));
    let sent = reminders(&lab);
    assert_eq!(sent.len(), 8);
    assert!(sent[7].1.contains("1 day"), "{:?}", sent[7]);
    assert_eq!(sent[7].2, start() + TimeDelta::days(57));
}

fn alert_view(lab: &mut Lab, admin: &SessionToken, id: AlertId) -> crate::service::AlertView {
    lab.svc
        .alerts(admin)
        .unwrap()
        .into_iter()
        .find(|a| a.id == id)
        .unwrap()
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
        .query_row(
            "SELECT count(*) FROM assignments WHERE ended_at IS NULL AND end_at IS NULL
             AND kind = 'active' AND origin = 'assigned'",
            [],
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
            .query_row(
                "SELECT value FROM counters WHERE name = 'current_assigned'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let real: i64 = conn
            .query_row(
                "SELECT count(*) FROM assignments WHERE ended_at IS NULL AND origin = 'assigned'",
                [],
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
        .execute_batch(
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
