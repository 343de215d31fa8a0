//! Key sequences through the console, asserting state, popups and the engine's records.

use ratatui::crossterm::event::KeyCode;

use super::*;
use crate::tui::msg::{Sub, Tab};
use crate::tui::popup::{Popup, Tone};

#[test]
fn the_admin_edits_settings_assigns_updates_and_removes_with_keys() {
    let mut h = Harness::lab();
    h.sign_in_keys("admin", 0);
    open_security_reader(&mut h);
    // Phase 2: Assignment tab, untick "Allow permanent active assignment", Update.
    h.key(KeyCode::Char('e'));
    h.key(KeyCode::PageDown);
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Enter);
    assert!(h.app.popups.is_empty(), "{:?}", h.app.status);
    let d = h.main().roles.detail.as_ref().unwrap();
    assert!(!d.view.settings.allow_permanent_active);
    // Phase 3: add pimuser as permanently eligible.
    h.key(KeyCode::Char('n'));
    h.text("pimu");
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert!(h.app.popups.is_empty(), "{:?}", h.app.popups.last());
    let d = h.main().roles.detail.as_ref().unwrap();
    assert_eq!(d.rows[0].len(), 1);
    assert_eq!(d.rows[0][0].principal.upn, "pimuser@pimlab.onmicrosoft.com");
    // Phase 5: update to active; permanent is refused, 7 days passes.
    h.key(KeyCode::Char('u'));
    h.key(KeyCode::Right);
    h.key(KeyCode::Enter);
    let Some(Popup::Update(p)) = h.app.popups.last() else {
        panic!()
    };
    assert!(
        p.error
            .as_deref()
            .unwrap()
            .contains("ExpirationRule: permanent active assignment is not allowed")
    );
    h.key(KeyCode::Down);
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Down);
    h.text("7d");
    h.key(KeyCode::Down);
    h.text("On call");
    h.key(KeyCode::Enter);
    assert!(h.app.popups.is_empty(), "{:?}", h.app.popups.last());
    let d = h.main().roles.detail.as_ref().unwrap();
    assert_eq!(
        d.rows[1][0].assignment.end,
        Some(start() + TimeDelta::days(7))
    );
    // Remove within 5 minutes: refused with the rule named; after: removed.
    h.key(KeyCode::Right);
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Char('y'));
    match h.app.popups.last() {
        Some(Popup::Message {
            lines,
            tone: Tone::Error,
            ..
        }) => assert!(lines[0].starts_with("ActiveDurationTooShort"), "{lines:?}"),
        other => panic!("expected the refusal, got {other:?}"),
    }
    h.key(KeyCode::Esc);
    h.wait(TimeDelta::minutes(5));
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Char('y'));
    assert!(h.app.popups.is_empty());
    assert!(h.main().roles.detail.as_ref().unwrap().rows[1].is_empty());
}

#[test]
fn another_terminals_change_shows_up_within_a_second_without_a_key() {
    let mut user = Harness::lab();
    user.sign_in_keys("pimuser", 0);
    assert_eq!(user.main().my.len(Sub::Eligible), 0);
    let mut admin = user.second_terminal();
    user.make_eligible("Security Reader");
    admin.tick();
    user.wait(TimeDelta::seconds(1));
    assert_eq!(user.main().my.len(Sub::Eligible), 1);
}

#[test]
fn expiry_happens_on_screen_when_the_clock_passes_the_end() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.sign_in_keys("pimuser", 0);
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Down);
    h.text("one hour");
    h.key(KeyCode::Enter);
    let fresh = h.code("pimuser", 1);
    h.text(&fresh);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    assert_eq!(h.main().my.len(Sub::Active), 1);
    h.wait(TimeDelta::minutes(59));
    assert_eq!(h.main().my.len(Sub::Active), 1);
    h.wait(TimeDelta::minutes(1));
    assert_eq!(h.main().my.len(Sub::Active), 0, "gone at now == end");
    h.key(KeyCode::Right);
    assert_eq!(h.main().my.len(Sub::Expired), 1);
}

#[test]
fn ctrl_c_quits_from_anywhere_even_a_popup() {
    let mut h = Harness::lab();
    h.sign_in_keys("admin", 0);
    h.key(KeyCode::Char('?'));
    assert!(matches!(h.app.popups.last(), Some(Popup::Help { .. })));
    h.ctrl('c');
    assert!(h.app.quit);
}

#[test]
fn inbox_and_audit_tabs() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.sign_in_keys("admin", 1);
    assert_eq!(h.main().unread, 1);
    h.key(KeyCode::Char('4'));
    assert_eq!(h.main().inbox.mail.len(), 1);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.popups.last(), Some(Popup::Email(..))));
    h.key(KeyCode::Esc);
    assert_eq!(h.main().unread, 0);
    h.key(KeyCode::Tab);
    assert_eq!(h.main().tab, Tab::Approvals);
    h.key(KeyCode::Tab);
    assert_eq!(h.main().tab, Tab::Alerts);
    h.key(KeyCode::Tab);
    assert_eq!(h.main().tab, Tab::Reviews);
    h.key(KeyCode::Tab);
    assert_eq!(h.main().tab, Tab::Groups);
    h.key(KeyCode::Tab);
    assert_eq!(h.main().tab, Tab::MyRoles, "round the eight tabs");
    h.key(KeyCode::BackTab);
    assert_eq!(h.main().tab, Tab::Groups);
    h.key(KeyCode::Char('3'));
    assert!(
        h.main().audit.everyone,
        "an active Global Administrator sees the resource audit"
    );
    let total = h.main().audit.rows.len();
    h.key(KeyCode::Char('/'));
    h.text("lab");
    h.key(KeyCode::Enter);
    let rows = &h.main().audit.rows;
    assert!(rows.len() < total && !rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r.justification.as_deref() == Some("lab") || r.details.contains("lab"))
    );
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.popups.last(), Some(Popup::AuditEntry(..))));
}

#[test]
fn the_add_assignment_form_takes_a_scheduled_start_and_an_end() {
    let mut h = Harness::lab();
    h.sign_in_keys("admin", 0);
    open_security_reader(&mut h);
    h.key(KeyCode::Char('n'));
    h.text("pimu");
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Enter);
    h.key(KeyCode::Down);
    h.text("2026-12-01T09:00:00Z");
    h.key(KeyCode::Down);
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Down);
    h.text("30d");
    h.key(KeyCode::Enter);
    assert!(h.app.popups.is_empty(), "{:?}", h.app.popups.last());
    let d = h.main().roles.detail.as_ref().unwrap();
    let a = &d.rows[0][0].assignment;
    assert_eq!(a.start, Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap());
    assert_eq!(
        a.end,
        Some(Utc.with_ymd_and_hms(2026, 12, 31, 9, 0, 0).unwrap())
    );
    assert!(a.is_scheduled(h.app.now()));
}

#[test]
fn an_administrator_unlocks_an_account_from_the_console() {
    let mut h = Harness::lab();
    let upn = h.account("pimuser").upn.clone();
    let pw = h.account("pimuser").password.clone();
    for _ in 0..5 {
        let _ = h.engine().sign_in(&upn, &pw, "000000");
    }
    h.sign_in_keys("admin", 0);
    h.key(KeyCode::Char('U'));
    let Some(Popup::Accounts(list, _)) = h.app.popups.last() else {
        panic!("{:?}", h.app.popups.last())
    };
    let at = list.iter().position(|u| u.principal.upn == upn).unwrap();
    assert!(list[at].locked_until.is_some());
    assert!(crate::tui::tests::screen_text(&h.draw(100, 24)).contains("locked until"));
    for _ in 0..at {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Char('u'));
    assert!(
        h.app
            .status
            .as_ref()
            .unwrap()
            .0
            .starts_with("Unlocked pimuser@")
    );
    let Some(Popup::Accounts(list, _)) = h.app.popups.last() else {
        panic!()
    };
    assert!(list[at].locked_until.is_none() || list[at].locked_until < Some(h.app.real_now()));
    // pimuser signs in again.
    h.engine()
        .sign_in(&upn, &pw, &h.code("pimuser", 1))
        .unwrap();
}

#[test]
fn nothing_says_is_active_after_an_admin_removed_the_role() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.sign_in_keys("pimuser", 0);
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Down);
    h.text("review");
    h.key(KeyCode::Enter);
    let fresh = h.code("pimuser", 1);
    h.text(&fresh);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert!(h.app.status.as_ref().unwrap().0.contains("is active"));
    // Another terminal: the admin removes the eligibility (and with it the activation).
    h.wait(TimeDelta::minutes(6));
    let admin = h.session("admin", 0);
    h.engine()
        .remove_assignment(
            &admin,
            crate::service::RemoveInput {
                role: "Security Reader".into(),
                upn: h.account("pimuser").upn.clone(),
                kind: Some(crate::policy::model::AssignmentKind::Eligible),
                assignment_id: None,
            },
        )
        .unwrap();
    h.wait(TimeDelta::seconds(1));
    let text = crate::tui::tests::screen_text(&h.draw(80, 24));
    assert!(!text.contains("is active"), "{text}");
    assert!(text.contains("active: none"), "{text}");
}

#[test]
fn a_role_with_thousands_of_assignments_shows_true_counts_and_reaches_every_row() {
    let mut h = Harness::lab();
    let admin = h.session("admin", 0);
    let mut engine = h.engine();
    let spec = crate::service::SeedSpec {
        users: 400,
        assignments: 6000,
        audit: 0,
        seed: 5,
    };
    engine.seed_lab(&admin, spec, &mut |_, _| {}).unwrap();
    // A year on, the time-bound ones have expired.
    engine
        .advance_clock(&admin, chrono::TimeDelta::days(400))
        .unwrap();
    engine.sweep().unwrap();
    let mut count = |which: crate::store::assignments::Which| {
        engine
            .count_assignments(&admin, Some("Security Reader"), None, which)
            .unwrap() as usize
    };
    let current = count(crate::store::assignments::Which::Current);
    let expired = count(crate::store::assignments::Which::Expired);
    assert!(current > 100 && expired > 200, "{current} {expired}");

    h.sign_in_keys("admin", 1);
    open_security_reader(&mut h);
    let d = h.main().roles.detail.as_ref().unwrap();
    let [eligible, active, all_expired] = d.counts();
    assert_eq!((eligible + active, all_expired), (current, expired));
    let screen = screen_text(&h.draw(120, 40));
    assert!(
        screen.contains(&format!("Eligible ({eligible})")),
        "{screen}"
    );
    // The last eligible row is reached and drawn.
    h.key(KeyCode::End);
    let d = h.main().roles.detail.as_ref().unwrap();
    assert_eq!(d.selected[0], eligible - 1);
    let last = d.rows[0][eligible - 1].principal.upn.clone();
    assert!(screen_text(&h.draw(120, 40)).contains(&last));
    // Expired ones load a page at a time as the selection reaches the end, until all are in.
    h.key(KeyCode::Right);
    h.key(KeyCode::Right);
    for _ in 0..expired {
        h.key(KeyCode::End);
        if h.main().roles.detail.as_ref().unwrap().rows[2].len() == expired {
            break;
        }
    }
    let d = h.main().roles.detail.as_ref().unwrap();
    assert_eq!(d.rows[2].len(), expired);
    h.key(KeyCode::End);
    let d = h.main().roles.detail.as_ref().unwrap();
    assert_eq!(d.selected[2], expired - 1);
    let last = d.rows[2][expired - 1].principal.upn.clone();
    assert!(screen_text(&h.draw(120, 40)).contains(&last));
}

/// Opens the Security Reader role page from the Roles tab.
pub(super) fn open_security_reader(h: &mut Harness) {
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('/'));
    h.text("security reader");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    let d = h.main().roles.detail.as_ref().expect("role opened");
    assert_eq!(d.view.role.display_name, "Security Reader");
}

#[test]
fn a_console_on_a_server_says_it_is_reconnecting_and_carries_on_when_it_is_back() {
    let Some(cluster) = crate::store::pg::testing::Cluster::own_durable() else {
        return;
    };
    let mut h = Harness::lab_on_server(&cluster);
    h.make_eligible("Security Reader");
    h.sign_in_keys("pimuser", 1);
    assert_eq!(h.main().my.status.as_ref().unwrap().eligible.len(), 1);

    cluster.pg_ctl(false);
    h.wait(TimeDelta::seconds(1));
    let (said, _) = h.app.status.clone().unwrap();
    assert!(
        said.starts_with("Reconnecting… the server does not answer"),
        "{said}"
    );
    h.wait(TimeDelta::seconds(1));
    assert!(h.app.status.as_ref().unwrap().0.starts_with("Reconnecting"));

    cluster.pg_ctl(true);
    h.wait(TimeDelta::seconds(1));
    assert_eq!(
        h.app.status.as_ref().unwrap().0,
        "Reconnected to the server."
    );
    // Still signed in, and the engine answers: another terminal's change shows (the admin
    // signs in there with the next code).
    h.wait(TimeDelta::seconds(30));
    h.make_eligible("Exchange Administrator");
    h.wait(TimeDelta::seconds(1));
    assert_eq!(h.main().my.status.as_ref().unwrap().eligible.len(), 2);
}
