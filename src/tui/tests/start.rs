//! Before My roles: the first-run screen, signing in, enrolling an authenticator, and the lab
//! authenticator panel.

use ratatui::crossterm::event::KeyCode;

use super::*;
use crate::tui::popup::Popup;

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
