//! The lifecycle in the console: approving, denying and cancelling in two terminals, asking
//! for and making extensions, and the alerts; with snapshots of the new screens.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::flows::open_security_reader;
use super::render::snap;
use super::*;
use crate::policy::alerts::AlertId;
use crate::policy::model::AssignmentKind;
use crate::policy::request::{RequestAction, RequestStatus};
use crate::policy::settings::SettingsPatch;
use crate::service::{ActivateInput, ActivationOutcome, AssignInput, Window};
use crate::tui::msg::Tab;
use crate::tui::popup::Popup;

/// Security Reader requires approval (approvers: `approvers`, or the default); pimuser is
/// eligible and has asked to activate it for 2 hours. Returns the request id.
fn pending_activation(h: &Harness, approvers: Option<Vec<String>>) -> String {
    h.make_eligible("Security Reader");
    let admin = h.session("admin", 1);
    let patch = SettingsPatch {
        require_approval: Some(true),
        require_mfa: Some(false),
        ..Default::default()
    };
    h.engine()
        .update_settings(&admin, "Security Reader", patch, approvers)
        .unwrap();
    let user = h.session("pimuser", 0);
    let input = ActivateInput {
        role: "Security Reader".into(),
        duration: TimeDelta::hours(2),
        start: None,
        justification: Some("incident 7".into()),
        ticket_number: None,
        ticket_system: None,
        otp: None,
        password: None,
    };
    let id = match h.engine().activate(&user, input).unwrap() {
        ActivationOutcome::Pending(v) => v.request.id,
        ActivationOutcome::Active(_) => panic!("approval is required"),
    };
    // A minute and a half later: the codes used to arrange this are behind us.
    h.clock.advance(TimeDelta::seconds(90));
    id
}

fn status_of(h: &Harness, id: &str) -> RequestStatus {
    let engine = h.engine();
    let conn = engine.store().conn();
    let s: String = conn
        .one(
            "SELECT status FROM requests WHERE id = ?1",
            crate::args![id],
            |r| r.get(0),
        )
        .unwrap();
    RequestStatus::parse(&s).unwrap()
}

fn lifecycle_popup(app: &App) -> &crate::tui::popup::LifecyclePopup {
    match app.popups.last() {
        Some(Popup::Lifecycle(p)) => p,
        other => panic!("expected a lifecycle form, got {other:?}"),
    }
}

/// The error the open lifecycle form shows.
fn form_error(h: &Harness) -> String {
    lifecycle_popup(&h.app).error.clone().unwrap_or_default()
}

#[test]
fn an_admin_approves_with_a_reason_from_the_approvals_tab() {
    let mut h = Harness::lab();
    let id = pending_activation(&h, None);
    h.sign_in_keys("admin", 1);
    assert_eq!(h.main().approvals.to_decide(), 1, "counted on the tab");
    h.key(KeyCode::Char('5'));
    assert_eq!(h.main().tab, Tab::Approvals);
    snap("approvals", &h.draw(80, 24));
    h.key(KeyCode::Char('a'));
    snap("approve_form", &h.draw(80, 24));
    h.key(KeyCode::Enter);
    let p = lifecycle_popup(&h.app);
    assert!(
        p.error
            .as_deref()
            .unwrap_or("")
            .contains("JustificationRule"),
        "the engine's refusal, in the form: {:?}",
        p.error
    );
    assert_eq!(
        status_of(&h, &id),
        RequestStatus::PendingApproval,
        "nothing changed"
    );
    h.text("checked with the on-call lead");
    h.key(KeyCode::Enter);
    assert!(h.app.popups.is_empty(), "the form closes");
    assert!(
        h.app
            .status
            .as_ref()
            .unwrap()
            .0
            .starts_with("Approved pimuser@"),
        "{:?}",
        h.app.status
    );
    assert_eq!(status_of(&h, &id), RequestStatus::Provisioned);
    assert_eq!(h.main().approvals.to_decide(), 0);
    let user = h.session("pimuser", 0);
    assert_eq!(h.engine().status(&user).unwrap().active.len(), 1);
}

#[test]
fn the_first_decision_wins_between_two_consoles() {
    let mut h = Harness::lab();
    let approvers = vec![
        h.account("admin").upn.clone(),
        h.account("approver").upn.clone(),
    ];
    let id = pending_activation(&h, Some(approvers));
    h.sign_in_keys("approver", 1);
    h.key(KeyCode::Char('5'));
    h.key(KeyCode::Char('d'));
    h.text("not during the change freeze");

    let mut other = h.other_terminal();
    other.sign_in_keys("admin", 1);
    other.key(KeyCode::Char('5'));
    other.key(KeyCode::Char('a'));
    other.text("fine");
    other.key(KeyCode::Enter);
    assert_eq!(status_of(&h, &id), RequestStatus::Provisioned);

    h.key(KeyCode::Enter);
    let p = lifecycle_popup(&h.app);
    assert!(
        p.error.as_deref().unwrap_or("").contains("already"),
        "{:?}",
        p.error
    );
    assert_eq!(
        status_of(&h, &id),
        RequestStatus::Provisioned,
        "the approval stands"
    );
    h.key(KeyCode::Esc);
    h.wait(TimeDelta::seconds(1));
    assert_eq!(h.main().approvals.to_decide(), 0, "gone from the list");
}

#[test]
fn the_requestor_sees_and_cancels_their_request() {
    let mut h = Harness::lab();
    let id = pending_activation(&h, None);
    h.sign_in_keys("pimuser", 1);
    h.key(KeyCode::Char('5'));
    let v = h.main().approvals.current().unwrap();
    assert!(!v.can_decide);
    h.key(KeyCode::Char('a'));
    assert!(h.app.popups.is_empty(), "a requestor cannot approve");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.popups.last(), Some(Popup::Request { .. })));
    h.key(KeyCode::Char('a'));
    assert!(
        matches!(h.app.popups.last(), Some(Popup::Request { .. })),
        "the detail takes a itself, and a requestor cannot approve"
    );
    // c in the detail cancels, as in the list.
    h.key(KeyCode::Char('c'));
    assert!(matches!(h.app.popups.last(), Some(Popup::Confirm { .. })));
    h.key(KeyCode::Char('y'));
    assert_eq!(status_of(&h, &id), RequestStatus::Canceled);
    assert_eq!(
        h.main().approvals.current().unwrap().request.status,
        RequestStatus::Canceled
    );
}

/// pimuser eligible for Security Reader for `days`.
fn eligible_for(h: &Harness, days: i64) {
    let admin = h.session("admin", 0);
    let input = AssignInput {
        role: "Security Reader".into(),
        upn: h.account("pimuser").upn.clone(),
        kind: AssignmentKind::Eligible,
        start: None,
        window: Window::For(TimeDelta::days(days)),
        justification: Some("project".into()),
        otp: None,
    };
    h.engine().assign(&admin, input).unwrap();
}

#[test]
fn the_user_asks_to_extend_and_the_admin_extends_from_the_role() {
    let mut h = Harness::lab();
    eligible_for(&h, 10);
    h.sign_in_keys("pimuser", 0);
    h.key(KeyCode::Char('t'));
    snap("ask_extend_form", &h.draw(80, 24));
    h.text("the project runs to March");
    h.key(KeyCode::Enter);
    assert!(h.app.popups.is_empty());
    h.clock.advance(TimeDelta::seconds(30));
    let user = h.session("pimuser", 0);
    let mine = h.engine().requests(&user).unwrap();
    assert_eq!(mine[0].request.action, RequestAction::SelfExtend);
    assert_eq!(mine[0].request.status, RequestStatus::PendingAdminDecision);
    h.key(KeyCode::Char('t'));
    h.text("again");
    h.key(KeyCode::Enter);
    assert!(form_error(&h).contains("PendingRoleAssignmentRequest"));

    // The admin extends it directly by 30 days from the role's page.
    let mut admin = h.other_terminal();
    admin.sign_in_keys("admin", 1);
    open_security_reader(&mut admin);
    admin.key(KeyCode::Char('t'));
    admin.text("approved by the project lead");
    admin.key(KeyCode::Tab);
    admin.text("30d");
    admin.key(KeyCode::Enter);
    assert!(admin.app.popups.is_empty(), "{:?}", admin.app.popups.last());
    let d = admin.main().roles.detail.as_ref().unwrap();
    assert_eq!(
        d.rows[0][0].assignment.end,
        Some(start() + TimeDelta::days(40)),
        "counted from the current end"
    );
}

#[test]
fn alerts_list_dismiss_and_settings() {
    let mut h = Harness::lab();
    h.sign_in_keys("admin", 0);
    h.key(KeyCode::Char('6'));
    assert_eq!(h.main().alerts.list.len(), 8);
    assert_eq!(
        h.main().alerts.active(),
        1,
        "the permanent Global Administrator"
    );
    let at = h
        .main()
        .alerts
        .list
        .iter()
        .position(|a| a.id == AlertId::PermanentActiveAssignments)
        .unwrap();
    for _ in 0..at {
        h.key(KeyCode::Down);
    }
    snap("alerts", &h.draw(80, 24));
    h.key(KeyCode::Enter);
    snap("alert_detail", &h.draw(80, 24));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Char('y'));
    assert_eq!(h.main().alerts.active(), 0, "dismissed");

    let stale = h
        .main()
        .alerts
        .list
        .iter()
        .position(|a| a.id == AlertId::StaleSignIn)
        .unwrap();
    h.key(KeyCode::Home);
    for _ in 0..stale {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Char('s'));
    snap("alert_settings", &h.draw(80, 24));
    h.key(KeyCode::Down);
    for _ in 0..2 {
        h.key(KeyCode::Backspace);
    }
    h.text("400");
    h.key(KeyCode::Enter);
    assert!(form_error(&h).contains("between 1 and 365"));
    for _ in 0..3 {
        h.key(KeyCode::Backspace);
    }
    h.text("60");
    h.key(KeyCode::Enter);
    assert!(h.app.popups.is_empty());
    let a = h
        .main()
        .alerts
        .list
        .iter()
        .find(|a| a.id == AlertId::StaleSignIn)
        .unwrap();
    assert_eq!(a.config.days, 60);
}

#[test]
fn the_alerts_tab_says_who_may_read_it() {
    let mut h = Harness::lab();
    h.sign_in_keys("pimuser", 0);
    h.app
        .on_key(KeyEvent::new(KeyCode::Char('6'), KeyModifiers::NONE));
    let denied = h.main().alerts.denied.clone().unwrap();
    assert!(denied.contains("Security Reader"), "{denied}");
    assert!(crate::tui::tests::screen_text(&h.draw(80, 24)).contains("alerts are visible with"));
}

#[test]
fn an_approver_changes_the_type_and_end_of_a_renewal() {
    let mut h = Harness::lab();
    eligible_for(&h, 1);
    h.clock.advance(TimeDelta::days(2));
    let user = h.session("pimuser", 0);
    h.engine()
        .request_lifecycle(
            &user,
            "Security Reader",
            None,
            crate::service::Ask::Renew,
            "back",
        )
        .unwrap();
    h.clock.advance(TimeDelta::seconds(60));
    h.sign_in_keys("admin", 0);
    h.key(KeyCode::Char('5'));
    h.key(KeyCode::Char('a'));
    h.text("one more month");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Right);
    h.key(KeyCode::Tab);
    h.text("2026-12-01T09:00:00Z");
    h.key(KeyCode::Tab);
    h.text("30d");
    h.key(KeyCode::Enter);
    assert!(h.app.popups.is_empty(), "{:?}", h.app.popups.last());
    let admin = h.session("admin", 1);
    let rows = h
        .engine()
        .assignments(
            &admin,
            None,
            Some(&h.account("pimuser").upn),
            crate::store::assignments::Which::Current,
            10,
            0,
        )
        .unwrap();
    let a = &rows[0].assignment;
    assert_eq!(
        a.kind,
        AssignmentKind::Active,
        "the approver changed the type"
    );
    assert_eq!(
        a.start,
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
        "and the start"
    );
    assert_eq!(a.end, Some(a.start + TimeDelta::days(30)));
}

#[test]
fn the_request_detail_takes_approve_itself_and_own_requests_count_on_the_tab() {
    let mut h = Harness::lab();
    pending_activation(&h, None);
    h.sign_in_keys("admin", 1);
    h.key(KeyCode::Char('5'));
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.popups.last(), Some(Popup::Request { .. })));
    let text = crate::tui::tests::screen_text(&h.draw(80, 30));
    assert!(text.contains("a approve · d deny"), "{text}");
    h.key(KeyCode::Char('a'));
    assert!(
        matches!(h.app.popups.last(), Some(Popup::Lifecycle(_))),
        "a in the detail opens the approval form"
    );
    // The requestor's own pending request shows on their tab too.
    let mut other = h.other_terminal();
    other.sign_in_keys("pimuser", 1);
    let tabs = crate::tui::tests::screen_text(&other.draw(100, 24));
    assert!(
        tabs.lines().nth(2).unwrap().contains("5 Approvals (1)"),
        "{tabs}"
    );
}

#[test]
fn alerts_are_computed_at_most_once_a_second_however_many_changes_arrive() {
    let mut h = Harness::lab();
    h.sign_in_keys("admin", 0);
    h.key(KeyCode::Char('6'));
    let firing = |h: &Harness| h.main().alerts.active();
    assert_eq!(firing(&h), 1);
    // Another terminal turns MFA off on a role: a second alert fires there.
    let admin = h.session("admin", 1);
    let patch = crate::policy::settings::SettingsPatch {
        require_mfa: Some(false),
        ..Default::default()
    };
    h.engine()
        .update_settings(&admin, "Global Reader", patch, None)
        .unwrap();
    // Changes within the second: the tab keeps what it has, and no key computes them.
    h.app.reload();
    h.key(KeyCode::Down);
    assert_eq!(firing(&h), 1);
    assert!(h.main().alerts.stale);
    // A second on, the tick computes them once.
    h.wait(chrono::TimeDelta::seconds(1));
    h.app.tick();
    assert_eq!(firing(&h), 2);
    assert!(!h.main().alerts.stale);
}

#[test]
fn an_alert_with_thousands_of_items_shows_its_whole_count() {
    let mut h = Harness::lab();
    h.sign_in_keys("admin", 0);
    h.key(KeyCode::Char('6'));
    if let crate::tui::app::Screen::Main(m) = &mut h.app.screen {
        let at = m
            .alerts
            .list
            .iter()
            .position(|a| a.id == AlertId::PermanentActiveAssignments)
            .unwrap();
        m.alerts.list[at].affected = 123_456;
    }
    let screen = screen_text(&h.draw(100, 24));
    assert!(screen.contains("123456"), "{screen}");
}

#[test]
fn f_shows_an_alerts_fix_first_and_applies_it_on_yes() {
    let mut h = Harness::lab();
    // pimuser holds Security Reader as permanent active, beside the lab's permanent admin.
    let admin = h.session("admin", 0);
    let input = crate::service::AssignInput {
        role: "Security Reader".into(),
        upn: h.account("pimuser").upn.clone(),
        kind: crate::policy::model::AssignmentKind::Active,
        start: None,
        window: crate::service::Window::Permanent,
        justification: Some("standing access".into()),
        otp: None,
    };
    h.engine().assign(&admin, input).unwrap();
    // The next code, for the console's own sign-in.
    h.wait(TimeDelta::seconds(30));
    h.sign_in_keys("admin", 0);
    h.key(KeyCode::Char('6'));
    let at = h
        .main()
        .alerts
        .list
        .iter()
        .position(|a| a.id == AlertId::PermanentActiveAssignments)
        .unwrap();
    for _ in 0..at {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Char('f'));
    let shown = screen_text(&h.draw(100, 30));
    assert!(shown.contains("Fix alert"), "{shown}");
    snap("alert_fix", &h.draw(100, 30));
    assert!(shown.contains("1 of 2 would change"), "{shown}");
    assert!(shown.contains("LastGlobalAdministratorRule"), "{shown}");
    // No: nothing changed.
    h.key(KeyCode::Char('n'));
    assert_eq!(
        h.main()
            .alerts
            .list
            .iter()
            .find(|a| a.id == AlertId::PermanentActiveAssignments)
            .unwrap()
            .affected,
        2
    );
    h.key(KeyCode::Char('f'));
    h.key(KeyCode::Char('y'));
    let shown = screen_text(&h.draw(100, 30));
    assert!(shown.contains("Fixed in part"), "{shown}");
    h.key(KeyCode::Esc);
    let shown = screen_text(&h.draw(100, 30));
    assert!(
        shown.contains("Fixed \"Permanent active assignments exist\": 1 of 2 changed."),
        "{shown}"
    );
    let a = h
        .main()
        .alerts
        .list
        .iter()
        .find(|a| a.id == AlertId::PermanentActiveAssignments)
        .unwrap();
    assert_eq!(a.affected, 1, "only the last Global Administrator is left");

    // An alert that lists nothing says so, and nothing happens.
    h.key(KeyCode::Home);
    h.key(KeyCode::Char('f'));
    let shown = screen_text(&h.draw(100, 30));
    assert!(shown.contains("Nothing to fix"), "{shown}");
    assert!(shown.contains("AlertRemediationRule"), "{shown}");
}

#[test]
fn a_reviewer_decides_on_the_reviews_tab_with_a_reason() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    let admin = h.session("admin", 1);
    let approver = h.account("approver").upn.clone();
    let review = h
        .engine()
        .create_review(
            &admin,
            crate::service::ReviewInput {
                role: "Security Reader".into(),
                reviewers: crate::service::Reviewers::Users(vec![approver]),
                duration: TimeDelta::days(7),
                recurrence: None,
                auto_apply: true,
                no_response: crate::service::NoResponse::Keep,
                name: Some("SR spring review".into()),
            },
        )
        .unwrap();
    h.sign_in_keys("approver", 0);
    assert_eq!(h.main().reviews.to_decide(), 1);
    h.key(KeyCode::Char('7'));
    snap("reviews", &h.draw(100, 20));
    let shown = screen_text(&h.draw(100, 20));
    assert!(shown.contains("7 Reviews (1)"), "{shown}");
    assert!(shown.contains("yours to decide"), "{shown}");
    h.key(KeyCode::Char('d'));
    h.text("left the team");
    h.key(KeyCode::Enter);
    assert!(h.app.popups.is_empty(), "{:?}", h.app.popups.last());
    let shown = screen_text(&h.draw(100, 20));
    assert!(
        shown.contains("Recorded: deny for pimuser@pimlab.onmicrosoft.com's eligible assignment."),
        "{shown}"
    );
    assert_eq!(h.main().reviews.to_decide(), 0);
    let stored = h.engine().review(&admin, &review.id).unwrap();
    assert_eq!(stored.items[0].decision.as_deref(), Some("deny"));
    assert_eq!(stored.items[0].reason.as_deref(), Some("left the team"));
    // Enter shows the whole review.
    h.key(KeyCode::Enter);
    let shown = screen_text(&h.draw(100, 30));
    assert!(
        shown.contains("SR spring review") && shown.contains("deny by approver@"),
        "{shown}"
    );
}
