//! Approvals, extend and renew, scheduled starts and cancellation.

use super::*;
use crate::policy::Rule;
use crate::policy::model::AssignmentKind;
use crate::policy::request::RequestStatus;
use crate::policy::settings::SettingsPatch;

fn refused(err: ServiceError) -> (Rule, String) {
    match err {
        ServiceError::Refused(r) => (r.rule(), r.to_string()),
        other => panic!("expected a refusal, got {other}"),
    }
}

/// Security Reader requires approval; pimuser is eligible; returns (lab, admin, user).
fn approval_lab(approvers: Option<Vec<String>>) -> (Lab, SessionToken, SessionToken) {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    let patch = SettingsPatch {
        require_approval: Some(true),
        ..Default::default()
    };
    lab.svc
        .update_settings(&admin, "Security Reader", patch, approvers)
        .unwrap();
    (lab, admin, user)
}

fn request_approval(lab: &mut Lab, user: &SessionToken, hours: i64) -> RequestView {
    let input = lab.activation(hours, Some("need it"), Some(lab.code("pimuser", 1)));
    match lab.svc.activate(user, input).unwrap() {
        ActivationOutcome::Pending(v) => *v,
        ActivationOutcome::Active(_) => panic!("the role requires approval"),
    }
}

fn decision(approve: bool) -> Decision {
    Decision {
        approve,
        reason: "checked with the requester".into(),
        start: None,
        window: None,
        kind: None,
    }
}

#[test]
fn approval_happy_path_starts_at_approval_and_tells_everyone() {
    let (mut lab, admin, user) = approval_lab(None);
    let pending = request_approval(&mut lab, &user, 2);
    assert_eq!(pending.request.status, RequestStatus::PendingApproval);
    assert_eq!(
        pending
            .approvers
            .iter()
            .map(|p| p.upn.as_str())
            .collect::<Vec<_>>(),
        ["admin@pimlab.onmicrosoft.com"]
    );
    assert!(
        lab.svc.status(&user).unwrap().active.is_empty(),
        "nothing is active before approval"
    );
    let admin_mail = lab.svc.inbox(&admin, false, 10).unwrap();
    assert_eq!(
        admin_mail[0].subject,
        "PIM: Pim User requests approval to activate Security Reader"
    );
    assert_eq!(
        admin_mail[0].event,
        crate::notify::EmailEvent::ApprovalRequest
    );
    let mine = lab.svc.inbox(&user, false, 10).unwrap();
    assert_eq!(
        mine[0].subject,
        "PIM: Your request to activate Security Reader is pending approval"
    );
    let listed = lab.svc.requests(&admin).unwrap();
    assert!(
        listed
            .iter()
            .any(|v| v.request.id == pending.request.id && v.can_decide)
    );

    lab.wait(TimeDelta::hours(1));
    let done = lab
        .svc
        .decide(&admin, &pending.request.id, decision(true))
        .unwrap();
    let a = done.assignment.unwrap();
    assert_eq!(a.start, start() + TimeDelta::hours(1), "starts at approval");
    assert_eq!(
        a.end,
        Some(start() + TimeDelta::hours(3)),
        "keeps the requested 2h"
    );
    assert_eq!(done.request.status, RequestStatus::Provisioned);
    assert_eq!(lab.svc.status(&user).unwrap().active.len(), 1);
    assert_eq!(
        lab.audit_rows("Add member to role approval requested (PIM activation)")
            .len(),
        1
    );
    assert_eq!(
        lab.audit_rows("Add member to role request approved (PIM activation)")
            .len(),
        1
    );
    assert_eq!(
        lab.audit_rows("Add member to role completed (PIM activation)")
            .len(),
        1
    );
    let mine = lab.svc.inbox(&user, false, 10).unwrap();
    assert!(
        mine.iter()
            .any(|m| m.subject == "PIM: Your request to activate Security Reader was approved")
    );
    let admin_mail = lab.svc.inbox(&admin, false, 10).unwrap();
    assert!(
        admin_mail
            .iter()
            .any(|m| m.subject == "PIM: Pim User has the Security Reader role"),
        "admins hear of the activation"
    );
}

#[test]
fn approvers_cannot_approve_their_own_request_and_only_approvers_decide() {
    let (mut lab, admin, user) = approval_lab(Some(vec![
        "pimuser@pimlab.onmicrosoft.com".into(),
        "approver@pimlab.onmicrosoft.com".into(),
    ]));
    let pending = request_approval(&mut lab, &user, 1);
    assert_eq!(
        pending.approvers.len(),
        1,
        "the requestor is not among their own approvers"
    );
    let (rule, msg) = refused(
        lab.svc
            .decide(&user, &pending.request.id, decision(true))
            .unwrap_err(),
    );
    assert_eq!(rule, Rule::ApprovalRule);
    assert!(msg.contains("their own requests"), "{msg}");
    let (rule, msg) = refused(
        lab.svc
            .decide(&admin, &pending.request.id, decision(true))
            .unwrap_err(),
    );
    assert_eq!(rule, Rule::ApprovalRule);
    assert!(msg.contains("approver@pimlab.onmicrosoft.com"), "{msg}");
    // The Global Administrator is not an approver here, yet sees the request (and may cancel it).
    let seen = lab.svc.requests(&admin).unwrap();
    let v = seen
        .iter()
        .find(|v| v.request.id == pending.request.id)
        .expect("administrators see every pending request");
    assert!(!v.can_decide && !v.mine);
    let approver = lab.sign_in("approver");
    let inbox = lab.svc.inbox(&approver, false, 10).unwrap();
    assert_eq!(
        inbox[0].event,
        crate::notify::EmailEvent::ApprovalRequest,
        "the chosen approver is e-mailed"
    );
    lab.svc
        .decide(&approver, &pending.request.id, decision(true))
        .unwrap();
}

#[test]
fn an_approver_must_give_a_reason() {
    let (mut lab, admin, user) = approval_lab(None);
    let pending = request_approval(&mut lab, &user, 1);
    let d = Decision {
        reason: "   ".into(),
        ..decision(true)
    };
    assert_eq!(
        refused(lab.svc.decide(&admin, &pending.request.id, d).unwrap_err()).0,
        Rule::JustificationRule
    );
}

#[test]
fn the_first_decision_wins_across_terminals() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::shared(dir.path());
    let admin = lab.sign_in("admin");
    lab.make_eligible(&admin, "Security Reader");
    let patch = SettingsPatch {
        require_approval: Some(true),
        ..Default::default()
    };
    lab.svc
        .update_settings(
            &admin,
            "Security Reader",
            patch,
            Some(vec![
                "approver@pimlab.onmicrosoft.com".into(),
                "admin@pimlab.onmicrosoft.com".into(),
            ]),
        )
        .unwrap();
    let user = lab.sign_in("pimuser");
    let pending = request_approval(&mut lab, &user, 1);
    let mut other = lab.terminal();
    let approver = lab.sign_in("approver");
    other
        .decide(&approver, &pending.request.id, decision(false))
        .unwrap();
    let (rule, msg) = refused(
        lab.svc
            .decide(&admin, &pending.request.id, decision(true))
            .unwrap_err(),
    );
    assert_eq!(rule, Rule::ApprovalRule);
    assert!(msg.contains("already Denied"), "{msg}");
    assert!(lab.svc.status(&user).unwrap().active.is_empty());
    let admin_mail = lab.svc.inbox(&admin, false, 10).unwrap();
    assert!(
        admin_mail.iter().any(|m| m.subject
            == "PIM: Lab Approver denied Pim User's request to activate Security Reader"),
        "the other approver is told"
    );
}

#[test]
fn an_undecided_request_expires_after_24_hours() {
    let (mut lab, admin, user) = approval_lab(None);
    let pending = request_approval(&mut lab, &user, 1);
    lab.advance(TimeDelta::hours(24) - TimeDelta::seconds(1));
    assert!(
        lab.svc
            .requests(&admin)
            .unwrap()
            .iter()
            .any(|v| v.request.status.is_pending())
    );
    lab.advance(TimeDelta::seconds(1));
    let (rule, msg) = refused(
        lab.svc
            .decide(&admin, &pending.request.id, decision(true))
            .unwrap_err(),
    );
    assert_eq!(rule, Rule::ApprovalRule);
    assert!(msg.contains("TimedOut"), "{msg}");
    assert_eq!(
        lab.audit_rows("Add member to role request expired (PIM activation)")
            .len(),
        1
    );
    let mine = lab.svc.inbox(&user, false, 10).unwrap();
    assert!(
        mine.iter()
            .any(|m| m.subject == "PIM: Your request to activate Security Reader expired")
    );
}

#[test]
fn the_requestor_or_an_admin_can_cancel_a_pending_request() {
    let (mut lab, admin, user) = approval_lab(None);
    let pending = request_approval(&mut lab, &user, 1);
    let dup = lab
        .svc
        .activate(&user, lab.activation(1, Some("again"), None))
        .unwrap_err();
    assert_eq!(
        refused(dup).0,
        Rule::PendingRoleAssignmentRequest,
        "one pending request per role"
    );
    let approver = lab.sign_in("approver");
    assert_eq!(
        refused(
            lab.svc
                .cancel_request(&approver, &pending.request.id)
                .unwrap_err()
        )
        .0,
        Rule::AdminRequestRule
    );
    let canceled = lab.svc.cancel_request(&user, &pending.request.id).unwrap();
    assert_eq!(canceled.status, RequestStatus::Canceled);
    assert_eq!(
        refused(
            lab.svc
                .decide(&admin, &pending.request.id, decision(true))
                .unwrap_err()
        )
        .0,
        Rule::ApprovalRule
    );
    lab.wait(TimeDelta::seconds(30));
    let second = request_approval(&mut lab, &user, 1);
    lab.svc.cancel_request(&admin, &second.request.id).unwrap();
}

#[test]
fn approval_keeps_the_duration_within_the_current_cap() {
    let (mut lab, admin, user) = approval_lab(None);
    let pending = request_approval(&mut lab, &user, 8);
    let patch = SettingsPatch {
        max_activation: Some(TimeDelta::hours(2)),
        ..Default::default()
    };
    lab.svc
        .update_settings(&admin, "Security Reader", patch, None)
        .unwrap();
    let done = lab
        .svc
        .decide(&admin, &pending.request.id, decision(true))
        .unwrap();
    let a = done.assignment.unwrap();
    assert_eq!(a.end.unwrap() - a.start, TimeDelta::hours(2));
}

#[test]
fn extension_is_open_only_within_14_days_and_never_shortens() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.eligible_for(&admin, 20);
    let user = lab.sign_in("pimuser");
    let (rule, msg) = refused(
        lab.svc
            .request_lifecycle(&user, "Security Reader", None, Ask::Extend, "still needed")
            .unwrap_err(),
    );
    assert_eq!(rule, Rule::ExpirationRule);
    assert!(msg.contains("within 14 days of its end"), "{msg}");
    lab.advance(TimeDelta::days(6));
    let view = lab
        .svc
        .request_lifecycle(&user, "Security Reader", None, Ask::Extend, "still needed")
        .unwrap();
    assert_eq!(view.request.status, RequestStatus::PendingAdminDecision);
    let admin_mail = lab.svc.inbox(&admin, false, 10).unwrap();
    assert_eq!(
        admin_mail[0].subject,
        "PIM: Pim User requests to extend the Security Reader role"
    );
    let short = Decision {
        window: Some(Window::Until(start() + TimeDelta::days(10))),
        ..decision(true)
    };
    assert_eq!(
        refused(lab.svc.decide(&admin, &view.request.id, short).unwrap_err()).0,
        Rule::ExpirationRule
    );
    let before = lab.svc.status(&user).unwrap().eligible[0]
        .row
        .assignment
        .clone();
    let done = lab
        .svc
        .decide(&admin, &view.request.id, decision(true))
        .unwrap();
    let after = done.assignment.unwrap();
    assert_eq!(after.id, before.id, "extended in place: no gap");
    assert_eq!(
        after.end,
        Some(start() + TimeDelta::days(40)),
        "as long again, from the old end"
    );
    let approved = lab.audit_rows("Extend eligible member in role in PIM approved");
    assert_eq!(
        approved.iter().map(|r| r.result).collect::<Vec<_>>(),
        [
            crate::audit::AuditResult::Failure,
            crate::audit::AuditResult::Success
        ],
        "the refused decision, then the approval"
    );
}

#[test]
fn renewal_is_open_for_30_days_after_expiry() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.eligible_for(&admin, 1);
    lab.advance(TimeDelta::days(2));
    let user = lab.sign_in("pimuser");
    let view = lab
        .svc
        .request_lifecycle(
            &user,
            "Security Reader",
            None,
            Ask::Renew,
            "back on the project",
        )
        .unwrap();
    let renewal = Decision {
        kind: Some(AssignmentKind::Active),
        window: Some(Window::For(TimeDelta::days(7))),
        ..decision(true)
    };
    let done = lab.svc.decide(&admin, &view.request.id, renewal).unwrap();
    let a = done.assignment.unwrap();
    assert_eq!(
        a.kind,
        AssignmentKind::Active,
        "the approver may change the type"
    );
    assert_eq!(a.end.unwrap() - a.start, TimeDelta::days(7));
    assert_eq!(lab.svc.status(&user).unwrap().active.len(), 1);

    let mut late = Lab::new();
    let admin = late.sign_in("admin");
    late.eligible_for(&admin, 1);
    late.advance(TimeDelta::days(31) + TimeDelta::minutes(1));
    let user = late.sign_in("pimuser");
    let (rule, msg) = refused(
        late.svc
            .request_lifecycle(&user, "Security Reader", None, Ask::Renew, "late")
            .unwrap_err(),
    );
    assert_eq!(rule, Rule::ExpirationRule);
    assert!(msg.contains("30 days"), "{msg}");
    let (rule, _) = refused(
        late.svc
            .admin_renew(
                &admin,
                "Security Reader",
                &late.upn("pimuser"),
                None,
                None,
                None,
                "late",
            )
            .unwrap_err(),
    );
    assert_eq!(rule, Rule::ExpirationRule);
}

#[test]
fn admins_extend_and_renew_directly() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.eligible_for(&admin, 20);
    let upn = lab.upn("pimuser");
    let done = lab
        .svc
        .admin_extend(
            &admin,
            "Security Reader",
            &upn,
            None,
            Some(Window::For(TimeDelta::days(10))),
            "longer project",
        )
        .unwrap();
    assert_eq!(done.assignment.end, Some(start() + TimeDelta::days(30)));
    assert_eq!(
        lab.audit_rows("Extend eligible member in role in PIM completed")
            .len(),
        1
    );
    lab.advance(TimeDelta::days(31));
    let renewed = lab
        .svc
        .admin_renew(
            &admin,
            "Security Reader",
            &upn,
            None,
            None,
            Some(Window::For(TimeDelta::days(5))),
            "again",
        )
        .unwrap();
    assert!(renewed.assignment.is_live(lab.svc.clock().unwrap().now));
    let user = lab.sign_in("pimuser");
    assert_eq!(
        refused(
            lab.svc
                .admin_extend(&user, "Security Reader", &upn, None, None, "me")
                .unwrap_err()
        )
        .0,
        Rule::AdminRequestRule
    );
}

#[test]
fn a_scheduled_activation_starts_later_and_can_be_cancelled_before() {
    let (mut lab, _, user) = Lab::with_eligible_user();
    let mut input = lab.activation(1, Some("tonight's change"), Some(lab.code("pimuser", 1)));
    input.start = Some(start() + TimeDelta::hours(2));
    let done = lab.svc.activate(&user, input).unwrap().active().unwrap();
    assert_eq!(done.request.status, RequestStatus::Granted);
    let status = lab.svc.status(&user).unwrap();
    assert!(status.active[0].assignment.is_scheduled(status.now));
    lab.wait(TimeDelta::hours(2));
    let status = lab.svc.status(&user).unwrap();
    assert!(
        status.active[0].assignment.is_live(status.now),
        "active at its start"
    );

    let (mut lab, _, user) = Lab::with_eligible_user();
    let mut input = lab.activation(1, Some("later"), Some(lab.code("pimuser", 1)));
    input.start = Some(start() + TimeDelta::hours(2));
    let done = lab.svc.activate(&user, input).unwrap().active().unwrap();
    let canceled = lab.svc.cancel_request(&user, &done.request.id).unwrap();
    assert_eq!(canceled.status, RequestStatus::Canceled);
    lab.wait(TimeDelta::hours(2));
    assert!(lab.svc.status(&user).unwrap().active.is_empty());
}

#[test]
fn a_timed_request_says_its_duration_and_end_and_the_approver_gets_a_confirmation() {
    let (mut lab, admin, user) = approval_lab(None);
    let pending = request_approval(&mut lab, &user, 2);
    let body = |inbox: &[crate::notify::Email], subject: &str| {
        inbox
            .iter()
            .find(|m| m.subject == subject)
            .unwrap_or_else(|| panic!("no {subject:?}"))
            .body
            .clone()
    };
    let to_approve = body(
        &lab.svc.inbox(&admin, false, 10).unwrap(),
        "PIM: Pim User requests approval to activate Security Reader",
    );
    assert!(to_approve.contains("for 2h"), "{to_approve}");
    assert!(to_approve.contains("End: 2026-"), "{to_approve}");
    assert!(to_approve.contains("(2h)"), "{to_approve}");
    assert!(!to_approve.contains("End: permanent"), "{to_approve}");
    let notice = body(
        &lab.svc.inbox(&user, false, 10).unwrap(),
        "PIM: Your request to activate Security Reader is pending approval",
    );
    assert!(!notice.contains("End: permanent"), "{notice}");
    assert!(notice.contains("(2h)"), "{notice}");

    lab.svc
        .decide(&admin, &pending.request.id, decision(true))
        .unwrap();
    let confirmation = body(
        &lab.svc.inbox(&admin, false, 20).unwrap(),
        "PIM: You approved Pim User's request to activate Security Reader",
    );
    assert!(
        confirmation.contains("Your reason: checked with the requester"),
        "{confirmation}"
    );
}

#[test]
fn a_request_nobody_decides_times_out_dated_at_its_deadline() {
    let (mut lab, _admin, user) = approval_lab(None);
    let pending = request_approval(&mut lab, &user, 2);
    let deadline = pending.request.expires_at.unwrap();
    assert_eq!(deadline, pending.request.created_at + TimeDelta::hours(24));
    // The sweep notices it a day and a half later.
    lab.advance(TimeDelta::hours(36));
    lab.svc.catch_up();
    let mine = lab.svc.inbox(&user, false, 20).unwrap();
    let expired = mine
        .iter()
        .find(|m| m.subject == "PIM: Your request to activate Security Reader expired")
        .expect("the requestor is told");
    assert_eq!(
        expired.time, deadline,
        "dated at the deadline, not at the sweep"
    );
    let rows = lab.audit_rows("Add member to role request expired (PIM activation)");
    assert_eq!(rows.len(), 1);
}

#[test]
fn an_extension_request_times_out_after_24_hours_too() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.eligible_for(&admin, 10);
    let user = lab.sign_in("pimuser");
    let view = lab
        .svc
        .request_lifecycle(&user, "Security Reader", None, Ask::Extend, "still needed")
        .unwrap();
    let deadline = view.request.expires_at.expect("it has a deadline");
    assert_eq!(deadline, view.request.created_at + TimeDelta::hours(24));
    lab.advance(TimeDelta::hours(30));
    lab.svc.catch_up();
    assert!(
        !lab.svc
            .requests(&admin)
            .unwrap()
            .iter()
            .any(|v| v.request.id == view.request.id && v.request.status.is_pending()),
        "no longer waits"
    );
    let mine = lab.svc.inbox(&user, false, 20).unwrap();
    let expired = mine
        .iter()
        .find(|m| m.subject.ends_with("expired"))
        .expect("the requestor is told it expired");
    assert_eq!(expired.time, deadline);
}
