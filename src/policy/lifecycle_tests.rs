//! Boundary tables for approvals, extension, renewal and the licence gate.

use chrono::{TimeDelta, TimeZone, Utc};

use super::*;
use crate::policy::model::{AssignmentKind, EndReason, Licence};
use crate::policy::request::RequestStatus;

fn now() -> Time {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

fn role() -> Role {
    Role {
        id: "r".into(),
        display_name: "Security Reader".into(),
        slug: "security-reader".into(),
        description: String::new(),
        privileged: true,
        group: None,
    }
}

fn person(id: &str) -> Principal {
    Principal {
        id: id.into(),
        upn: format!("{id}@pimlab.onmicrosoft.com"),
        display_name: id.into(),
    }
}

fn pending(created: Time) -> Request {
    let mut r = Request::settled(
        "q".into(),
        RequestAction::SelfActivate,
        RequestStatus::PendingApproval,
        AssignmentKind::Active,
        "r",
        "pimuser",
        created,
    );
    r.completed_at = None;
    r.expires_at = Some(created + APPROVAL_WINDOW);
    r
}

fn assignment(end: Option<Time>) -> Assignment {
    Assignment {
        id: "a".into(),
        role_id: "r".into(),
        principal_id: "pimuser".into(),
        kind: AssignmentKind::Eligible,
        origin: Origin::Assigned,
        activated_from: None,
        start: now() - TimeDelta::days(20),
        end,
        justification: None,
        ticket: None,
        created_at: now() - TimeDelta::days(20),
        created_by: None,
        ended_at: None,
        end_reason: None,
    }
}

#[test]
fn decisions_need_a_pending_unexpired_request_and_another_approver() {
    let (role, admin, user) = (role(), person("admin"), person("pimuser"));
    let approvers = [admin.clone()];
    let request = pending(now() - TimeDelta::hours(1));
    let facts = |r, who, at| DecisionFacts {
        role: &role,
        request: r,
        approver: who,
        approvers: &approvers,
        default_approvers: true,
        now: at,
    };
    assert!(check_decision(facts(&request, &admin, now())).is_ok());
    assert_eq!(
        check_decision(facts(&request, &user, now()))
            .unwrap_err()
            .rule(),
        Rule::ApprovalRule
    );
    let stranger = person("approver");
    let err = check_decision(facts(&request, &stranger, now())).unwrap_err();
    assert!(err.to_string().contains("not an approver"), "{err}");
    let at_expiry = request.expires_at.unwrap();
    assert!(check_decision(facts(&request, &admin, at_expiry - TimeDelta::seconds(1))).is_ok());
    assert!(
        check_decision(facts(&request, &admin, at_expiry))
            .unwrap_err()
            .to_string()
            .contains("expired")
    );
    let mut settled = request.clone();
    settled.status = RequestStatus::Denied;
    assert!(
        check_decision(facts(&settled, &admin, now()))
            .unwrap_err()
            .to_string()
            .contains("already Denied")
    );
}

#[test]
fn self_approval_is_refused_even_for_an_approver() {
    let (role, user) = (role(), person("pimuser"));
    let approvers = [user.clone()];
    let request = pending(now());
    let err = check_decision(DecisionFacts {
        role: &role,
        request: &request,
        approver: &user,
        approvers: &approvers,
        default_approvers: false,
        now: now(),
    })
    .unwrap_err();
    assert!(err.to_string().contains("their own requests"), "{err}");
}

#[test]
fn extension_window_is_fourteen_days() {
    let role = role();
    let exactly = assignment(Some(now() + TimeDelta::days(14)));
    assert!(check_extend_request(&role, &exactly, now()).is_ok());
    let just_outside = assignment(Some(now() + TimeDelta::days(14) + TimeDelta::minutes(1)));
    assert_eq!(
        check_extend_request(&role, &just_outside, now())
            .unwrap_err()
            .rule(),
        Rule::ExpirationRule
    );
    assert_eq!(
        check_extend_request(&role, &assignment(None), now())
            .unwrap_err()
            .rule(),
        Rule::ExpirationRule
    );
}

#[test]
fn renewal_window_is_thirty_days_after_expiry() {
    let role = role();
    let expired = |ago: TimeDelta| {
        let mut a = assignment(Some(now() - ago));
        a.ended_at = a.end;
        a.end_reason = Some(EndReason::Expired);
        a
    };
    assert!(check_renew_request(&role, &expired(TimeDelta::days(30)), now()).is_ok());
    assert_eq!(
        check_renew_request(
            &role,
            &expired(TimeDelta::days(30) + TimeDelta::minutes(1)),
            now()
        )
        .unwrap_err()
        .rule(),
        Rule::ExpirationRule
    );
    let mut removed = expired(TimeDelta::days(1));
    removed.end_reason = Some(EndReason::Removed);
    assert_eq!(
        check_renew_request(&role, &removed, now())
            .unwrap_err()
            .rule(),
        Rule::RoleAssignmentDoesNotExist
    );
}

#[test]
fn an_extension_never_shortens_the_grant() {
    let role = role();
    let a = assignment(Some(now() + TimeDelta::days(3)));
    assert!(check_extension_end(&role, &a, Some(now() + TimeDelta::days(3))).is_err());
    assert!(check_extension_end(&role, &a, Some(now() + TimeDelta::days(30))).is_ok());
    assert!(
        check_extension_end(&role, &a, None).is_ok(),
        "permanent is longer"
    );
    assert_eq!(
        default_end(&a, now() + TimeDelta::days(3)),
        now() + TimeDelta::days(26)
    );
}

#[test]
fn the_free_licence_turns_pim_off() {
    assert!(check_licence(Licence::P2, "activation").is_ok());
    let err = check_licence(Licence::Free, "activation").unwrap_err();
    assert_eq!(err.rule(), Rule::LicenseRule);
    assert!(err.to_string().contains("needs Microsoft Entra ID P2"));
}
