//! Expiry reminders, the notification matrix for lifecycle e-mails, alerts, and the licence gate.

use super::*;
use crate::notify::EmailEvent;
use crate::policy::model::AssignmentKind;
use crate::policy::notification::{NotificationPatch, NotifyRow};
use crate::policy::settings::SettingsPatch;

/// (subject, time) of every reminder-type message in the database.
fn reminders(lab: &Lab) -> Vec<(String, String, crate::clock::Time)> {
    lab.svc
        .store
        .conn()
        .rows("SELECT to_addr, subject, created_at FROM emails WHERE event IN ('expiryReminder', 'expiredNotice') ORDER BY created_at, to_addr", crate::args![], |r| {
            Ok((r.get(0)?, r.get(1)?, crate::clock::from_unix(r.get(2)?)))
        })
        .unwrap()
}

#[test]
fn the_14_day_reminder_comes_once_at_6d1h_into_a_20_day_eligibility() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::shared(dir.path());
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
    let mut other = lab.terminal();
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
    let to: Vec<String> = lab
        .svc
        .store
        .conn()
        .rows(
            "SELECT to_addr FROM emails WHERE event = 'approvalRequest'",
            crate::args![],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        to,
        ["approver@pimlab.onmicrosoft.com"],
        "not the admins, not additional addresses"
    );
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
        .one(
            "SELECT count(*) FROM emails WHERE to_addr = ?1 AND event = ?2",
            crate::args![&to, event.as_str()],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn the_copies_of_one_message_share_the_first_half_of_their_ids_and_messages_differ() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let approver = lab.upn("approver");
    // The admin alert of an eligibility goes to the admin and two more addresses.
    let patch = SettingsPatch {
        notifications: vec![NotificationPatch {
            row: NotifyRow::parse("eligible-admin").unwrap(),
            default_recipients: None,
            additional_recipients: Some(vec![approver, "soc@contoso.com".into()]),
            critical_only: None,
        }],
        ..Default::default()
    };
    lab.svc
        .update_settings(&admin, "Security Reader", patch, None)
        .unwrap();
    lab.make_eligible(&admin, "Security Reader");
    let mail: Vec<(String, String)> = lab
        .svc
        .store
        .conn()
        .rows(
            "SELECT event, id FROM emails ORDER BY rowid",
            crate::args![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let ids = |event: &str| -> Vec<uuid::Uuid> {
        mail.iter()
            .filter(|(e, _)| e == event)
            .map(|(_, id)| uuid::Uuid::parse_str(id).unwrap())
            .collect()
    };
    let alerts = ids("roleAssignmentAlert");
    let notice = ids("assigneeNotice");
    assert_eq!((alerts.len(), notice.len()), (3, 1), "{mail:?}");
    let half = |u: &uuid::Uuid| u.as_bytes()[..8].to_vec();
    for id in alerts.iter().chain(&notice) {
        assert_eq!(id.get_version_num(), 4, "{id}");
        assert_eq!(id.get_variant(), uuid::Variant::RFC4122, "{id}");
    }
    assert!(
        alerts.iter().all(|id| half(id) == half(&alerts[0])),
        "{alerts:?}"
    );
    let distinct: std::collections::HashSet<_> = alerts.iter().collect();
    assert_eq!(distinct.len(), 3, "each copy has its own id: {alerts:?}");
    assert_ne!(
        half(&notice[0]),
        half(&alerts[0]),
        "another message, another first half"
    );
    // A recipient's copy is found by the prefix the inbox shows.
    let approver_token = lab.sign_in("approver");
    let got = lab.svc.inbox(&approver_token, false, 10).unwrap();
    assert_eq!(got.len(), 1);
    assert!(alerts.iter().any(|id| id.to_string() == got[0].id));
}
