//! The user's side: activating (one role or several, with reason, code and password again),
//! refusals that keep the form, and deactivating.

use ratatui::crossterm::event::KeyCode;

use super::*;
use crate::tui::msg::Sub;
use crate::tui::popup::activate::{Stage, Step};
use crate::tui::popup::{Popup, Tone};

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
