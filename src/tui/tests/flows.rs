//! Key sequences through the console, asserting state, popups and the engine's records.

use ratatui::crossterm::event::KeyCode;

use super::*;
use crate::tui::msg::{Sub, Tab};
use crate::tui::popup::activate::{Stage, Step};
use crate::tui::popup::{Popup, Tone};

#[test]
fn first_run_creates_the_lab_and_shows_its_accounts_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let mut app = App::with_service(None, path.clone(), Tz::Utc);
    assert!(matches!(app.screen, Screen::FirstRun(_)));
    assert!(!path.exists(), "nothing is created before the user chooses");
    app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(path.exists());
    assert!(matches!(app.screen, Screen::SignIn(_)));
    match app.popups.last() {
        Some(Popup::LabAccounts(accounts)) => assert_eq!(accounts.len(), 3),
        other => panic!("expected the lab accounts, got {other:?}"),
    }
    app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(app.popups.is_empty());
}

#[test]
fn first_run_quits_without_creating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let mut app = App::with_service(None, path.clone(), Tz::Utc);
    for _ in 0..3 {
        app.on_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    }
    app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(app.quit);
    assert!(!path.exists());
}

#[test]
fn sign_in_failures_each_get_their_own_message() {
    let mut h = Harness::lab();
    let upn = h.account("pimuser").upn.clone();
    h.text(&upn);
    h.key(KeyCode::Tab);
    h.text("not the password");
    h.key(KeyCode::Enter);
    let Screen::SignIn(s) = &h.app.screen else {
        panic!()
    };
    assert_eq!(s.error.as_deref(), Some("wrong user name or password"));
    assert!(s.password.is_empty(), "the password is cleared");
    let pw = h.account("pimuser").password.clone();
    h.text(&pw);
    h.key(KeyCode::Enter);
    h.text("000000");
    h.key(KeyCode::Enter);
    let Screen::SignIn(s) = &h.app.screen else {
        panic!()
    };
    assert!(
        s.error
            .as_deref()
            .unwrap()
            .starts_with("the code is not valid"),
        "{:?}",
        s.error
    );
    let used = h.code("pimuser", 0);
    h.text(&used);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.screen, Screen::Main(_)));
    h.ctrl('o');
    h.text(&upn);
    h.key(KeyCode::Tab);
    let pw = h.account("pimuser").password.clone();
    h.text(&pw);
    h.key(KeyCode::Enter);
    h.text(&used);
    h.key(KeyCode::Enter);
    let Screen::SignIn(s) = &h.app.screen else {
        panic!()
    };
    assert!(
        s.error
            .as_deref()
            .unwrap()
            .starts_with("that code just signed you in"),
        "{:?}",
        s.error
    );
}

#[test]
fn an_account_without_a_confirmed_authenticator_enrols_at_first_sign_in() {
    let mut h = Harness::lab();
    let admin = h.session("admin", 0);
    let new = h
        .engine()
        .add_user(
            &admin,
            "newhire@pimlab.onmicrosoft.com",
            "New Hire",
            Some("correct horse battery"),
        )
        .unwrap();
    h.text("newhire@pimlab.onmicrosoft.com");
    h.key(KeyCode::Tab);
    h.text("correct horse battery");
    h.key(KeyCode::Enter);
    let Screen::SignIn(s) = &h.app.screen else {
        panic!()
    };
    let crate::tui::screen::sign_in::Step::Enrol(e) = &s.step else {
        panic!("expected enrolment, got {:?}", s.step)
    };
    assert_eq!(e.secret, new.enrolment.secret);
    assert!(e.qr.as_ref().is_some_and(|q| q.side() > 29));
    let code = code_at(&e.secret, h.clock.now().timestamp()).unwrap();
    h.text(&code);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.screen, Screen::Main(_)));
    let users = h.engine().users(&admin, Some("newhire"), 10, 0).unwrap();
    assert!(users[0].mfa_registered);
}

#[test]
fn the_user_activates_with_reason_and_mfa_through_three_stages() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.sign_in_keys("pimuser", 0);
    assert_eq!(h.main().my.len(Sub::Eligible), 1);
    h.key(KeyCode::Char('a'));
    assert!(matches!(h.app.popups.last(), Some(Popup::Activate(_))));
    h.key(KeyCode::Down);
    h.text("Reviewing sign-in logs");
    h.key(KeyCode::Enter);
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    assert_eq!(p.stage, Stage::Code, "policy passed, now the code");
    assert!(matches!(p.steps[0], Step::Passed(_)));
    let fresh = h.code("pimuser", 1);
    h.text(&fresh);
    h.key(KeyCode::Enter);
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    assert_eq!(p.stage, Stage::Done);
    assert!(
        p.steps.iter().all(|s| matches!(s, Step::Passed(_))),
        "{:?}",
        p.steps
    );
    h.key(KeyCode::Enter);
    assert!(h.app.popups.is_empty());
    let m = h.main();
    assert_eq!(m.my.sub, Sub::Active);
    let active = &m.my.status.as_ref().unwrap().active;
    assert_eq!(active[0].role.display_name, "Security Reader");
    assert_eq!(
        active[0].assignment.end,
        Some(start() + TimeDelta::hours(8))
    );
    let admin = h.session("admin", 1);
    let inbox = h.engine().inbox(&admin, false, 10).unwrap();
    assert_eq!(
        inbox[0].subject,
        "PIM: Pim User has the Security Reader role"
    );
}

#[test]
fn a_refused_activation_names_the_rule_and_keeps_the_form() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.sign_in_keys("pimuser", 0);
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Enter);
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    assert_eq!(p.stage, Stage::Form);
    assert!(
        p.error
            .as_deref()
            .unwrap()
            .starts_with("JustificationRule: Security Reader requires a justification"),
        "{:?}",
        p.error
    );
    assert!(matches!(p.steps[0], Step::Failed(_)));
    assert_eq!(
        p.form.slider("duration"),
        TimeDelta::hours(2),
        "the form keeps what was chosen"
    );
    let fresh = h.code("pimuser", 1);
    h.key(KeyCode::Down);
    h.text("now with a reason");
    h.key(KeyCode::Enter);
    h.text(&fresh);
    h.key(KeyCode::Enter);
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    assert_eq!(p.stage, Stage::Done, "{:?}", p.steps);
}

#[test]
fn a_wrong_code_keeps_the_code_prompt_and_counts_a_failure() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.sign_in_keys("pimuser", 0);
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Down);
    h.text("reason");
    h.key(KeyCode::Enter);
    h.text("000000");
    h.key(KeyCode::Enter);
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    assert_eq!(p.stage, Stage::Code);
    assert!(matches!(&p.steps[1], Step::Failed(_)), "{:?}", p.steps);
    assert!(
        p.error
            .as_deref()
            .unwrap()
            .starts_with("the code is not valid"),
        "{:?}",
        p.error
    );
    assert!(h.main().my.status.as_ref().unwrap().active.is_empty());
}

#[test]
fn a_non_admin_is_told_which_role_to_activate() {
    let mut h = Harness::lab();
    h.make_eligible("Privileged Role Administrator");
    h.sign_in_keys("pimuser", 0);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Enter);
    assert!(h.main().roles.detail.is_some(), "anyone can look");
    h.key(KeyCode::Char('e'));
    match h.app.popups.last() {
        Some(Popup::Message {
            lines,
            tone: Tone::Info,
            ..
        }) => {
            let text = lines.join(" ");
            assert!(
                text.contains(
                    "You are eligible for Privileged Role Administrator: activate it in My roles"
                ),
                "{text}"
            );
        }
        other => panic!("expected the read-only message, got {other:?}"),
    }
}

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
fn deactivation_asks_first_and_the_engine_holds_the_five_minutes() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.sign_in_keys("pimuser", 0);
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Down);
    h.text("x");
    h.key(KeyCode::Enter);
    let fresh = h.code("pimuser", 1);
    h.text(&fresh);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('d'));
    assert!(matches!(h.app.popups.last(), Some(Popup::Confirm { .. })));
    h.key(KeyCode::Char('y'));
    match h.app.popups.last() {
        Some(Popup::Message { lines, .. }) => {
            assert!(lines[0].starts_with("ActiveDurationTooShort"), "{lines:?}")
        }
        other => panic!("{other:?}"),
    }
    h.key(KeyCode::Esc);
    h.wait(TimeDelta::minutes(5));
    h.key(KeyCode::Char('d'));
    h.key(KeyCode::Char('y'));
    assert_eq!(h.main().my.len(Sub::Active), 0);
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
fn the_lab_authenticator_shows_every_accounts_current_code() {
    let mut h = Harness::lab();
    h.ctrl('a');
    let Some(Popup::Authenticator(panel)) = h.app.popups.last() else {
        panic!("{:?}", h.app.popups.last())
    };
    assert_eq!(panel.codes.len(), 3);
    let admin = panel
        .codes
        .iter()
        .find(|c| c.principal.upn.starts_with("admin@"))
        .unwrap();
    assert_eq!(admin.code.as_deref(), Some(h.code("admin", 0).as_str()));
    h.clock.advance(TimeDelta::seconds(30));
    h.app.tick();
    let Some(Popup::Authenticator(panel)) = h.app.popups.last() else {
        panic!()
    };
    let admin = panel
        .codes
        .iter()
        .find(|c| c.principal.upn.starts_with("admin@"))
        .unwrap();
    assert_eq!(
        admin.code.as_deref(),
        Some(h.code("admin", 0).as_str()),
        "it ticks with the clock"
    );
}

#[test]
fn first_run_creates_a_tenant_and_shows_the_administrators_enrolment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contoso.db");
    let mut app = App::with_service(None, path.clone(), Tz::Utc);
    let key = |app: &mut App, code| app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    let text = |app: &mut App, s: &str| {
        s.chars()
            .for_each(|c| app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)))
    };
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.popups.last(), Some(Popup::Tenant(..))));
    for (value, last) in [
        ("contoso.onmicrosoft.com", false),
        ("Contoso", false),
        ("alice@contoso.onmicrosoft.com", false),
        ("Alice", false),
        ("correct horse battery", false),
        ("correct horse battery", true),
    ] {
        text(&mut app, value);
        key(&mut app, if last { KeyCode::Enter } else { KeyCode::Tab });
    }
    assert!(
        matches!(app.screen, Screen::SignIn(_)),
        "{:?}",
        app.popups.last()
    );
    match app.popups.last() {
        Some(Popup::Enrolment {
            intro, enrolment, ..
        }) => {
            assert!(intro[0].contains("alice@contoso.onmicrosoft.com is the Global Administrator of contoso.onmicrosoft.com"));
            assert!(enrolment.uri.contains("alice%40contoso.onmicrosoft.com"));
            assert!(enrolment.qr.is_some());
        }
        other => panic!("expected the enrolment, got {other:?}"),
    }
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
fn marked_roles_activate_together_with_one_code_and_earlier_reasons_are_offered() {
    let mut h = Harness::lab();
    for role in [
        "Security Reader",
        "Exchange Administrator",
        "Helpdesk Administrator",
    ] {
        h.make_eligible(role);
        // Each assignment signs the admin in with a fresh code.
        h.wait(TimeDelta::seconds(30));
    }
    let user = h.session("pimuser", 0);
    h.engine()
        .save_bundle(
            &user,
            "incident",
            &["Security Reader".into()],
            None,
            Some("incident response"),
        )
        .unwrap();
    h.wait(TimeDelta::seconds(30));
    h.sign_in_keys("pimuser", 0);
    let names = |h: &Harness| -> Vec<String> {
        h.main()
            .my
            .status
            .as_ref()
            .unwrap()
            .eligible
            .iter()
            .map(|e| e.row.role.display_name.clone())
            .collect()
    };
    assert_eq!(
        names(&h),
        [
            "Exchange Administrator",
            "Helpdesk Administrator",
            "Security Reader"
        ]
    );
    // Space marks and moves on; Space again unmarks.
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char(' '));
    assert_eq!(h.main().my.marked.len(), 2);
    h.key(KeyCode::Up);
    h.key(KeyCode::Char(' '));
    assert_eq!(h.main().my.marked.len(), 1, "Helpdesk unmarked");
    assert!(crate::tui::tests::screen_text(&h.draw(100, 24)).contains("1 marked"));
    h.key(KeyCode::Char(' '));
    assert_eq!(h.main().my.marked.len(), 2);
    h.key(KeyCode::Char('a'));
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    assert_eq!(p.names(), "Exchange Administrator, Security Reader");
    // Without a reason both roles are refused, each by name; nothing is active.
    h.key(KeyCode::Enter);
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    let error = p.error.clone().unwrap();
    assert!(error.contains("Security Reader"), "{error}");
    assert!(error.contains("Exchange Administrator"), "{error}");
    assert!(error.starts_with("JustificationRule"), "{error}");
    assert!(h.main().my.status.as_ref().unwrap().active.is_empty());
    // Ctrl-r in the reason field offers the reasons given before.
    h.key(KeyCode::Down);
    h.ctrl('r');
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    assert_eq!(p.form.text("reason"), "incident response");
    h.key(KeyCode::Enter);
    let fresh = h.code("pimuser", 1);
    h.text(&fresh);
    h.key(KeyCode::Enter);
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    assert_eq!(p.stage, Stage::Done, "{:?} {:?}", p.steps, p.error);
    assert!(
        p.steps.iter().all(|s| matches!(s, Step::Passed(_))),
        "{:?}",
        p.steps
    );
    h.key(KeyCode::Enter);
    let m = h.main();
    let mut active: Vec<&str> =
        m.my.status
            .as_ref()
            .unwrap()
            .active
            .iter()
            .map(|a| a.role.display_name.as_str())
            .collect();
    active.sort_unstable();
    assert_eq!(active, ["Exchange Administrator", "Security Reader"]);
    assert!(m.my.marked.is_empty());
    assert!(h.app.status.as_ref().unwrap().0.contains("are active"));
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

#[test]
fn a_role_with_an_authentication_context_asks_for_the_password_again_then_the_code() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    let admin = h.session("admin", 1);
    h.engine()
        .update_settings(
            &admin,
            "Security Reader",
            crate::policy::settings::SettingsPatch {
                require_mfa: Some(false),
                auth_context: Some(Some("c1".into())),
                ..Default::default()
            },
            None,
        )
        .unwrap();
    h.sign_in_keys("pimuser", 0);
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Down);
    h.text("Reviewing sign-in logs");
    h.key(KeyCode::Enter);
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    assert_eq!(p.stage, Stage::Code);
    assert!(p.on_password, "the password first");
    let shown = screen_text(&h.draw(100, 32));
    assert!(
        shown.contains("Additional verification required: authentication context c1")
            && shown.contains("Your password again, then a fresh code"),
        "{shown}"
    );
    // A wrong password: said, and asked again (it counts, as a wrong code does).
    h.text("not the password");
    h.key(KeyCode::Enter);
    let fresh = h.code("pimuser", 1);
    h.text(&fresh);
    h.key(KeyCode::Enter);
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    assert_eq!(p.stage, Stage::Code);
    assert_eq!(p.error.as_deref(), Some("wrong password"));
    let password = h.account("pimuser").password.clone();
    h.text(&password);
    h.key(KeyCode::Enter);
    let fresh = h.code("pimuser", 1);
    h.text(&fresh);
    h.key(KeyCode::Enter);
    let Some(Popup::Activate(p)) = h.app.popups.last() else {
        panic!()
    };
    assert_eq!(p.stage, Stage::Done, "{:?} {:?}", p.steps, p.error);
    // The password is never on screen.
    let shown = screen_text(&h.draw(100, 32));
    assert!(!shown.contains(&password), "{shown}");
}
