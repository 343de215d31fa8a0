//! Boundary tables for the assignment rules, on a fixed clock.

use chrono::{TimeDelta, TimeZone, Utc};

use super::*;
use crate::policy::settings::RoleSettings;

fn now() -> Time {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

fn role() -> Role {
    Role {
        id: "5d6b6bb7-de71-4623-b4af-96380a352509".into(),
        display_name: "Security Reader".into(),
        slug: "security-reader".into(),
        description: String::new(),
        privileged: true,
        group: None,
    }
}

fn pimuser() -> Principal {
    Principal {
        id: "u1".into(),
        upn: "pimuser@pimlab.onmicrosoft.com".into(),
        display_name: "Pim User".into(),
    }
}

fn no_permanent_active() -> RoleSettings {
    RoleSettings {
        allow_permanent_active: false,
        ..RoleSettings::default()
    }
}

fn check(settings: &RoleSettings, admin: bool, req: &AssignmentRequest) -> Result<bool, Refusal> {
    let (role, who) = (role(), pimuser());
    check_assignment(
        AssignmentFacts {
            role: &role,
            settings,
            principal: &who,
            existing: None,
            actor_is_admin: admin,
            now: now(),
        },
        req,
    )
}

fn req(kind: AssignmentKind, expiry: Expiry) -> AssignmentRequest {
    AssignmentRequest {
        kind,
        start: now(),
        expiry,
        justification: Some("project".into()),
    }
}

fn existing(kind: AssignmentKind, origin: Origin, created: Time) -> Assignment {
    Assignment {
        id: "a1".into(),
        role_id: role().id,
        principal_id: "u1".into(),
        kind,
        origin,
        activated_from: None,
        start: created,
        end: None,
        justification: None,
        ticket: None,
        created_at: created,
        created_by: None,
        ended_at: None,
        end_reason: None,
    }
}

#[test]
fn permanent_active_refused_when_not_allowed_with_the_documented_message() {
    let err = check(
        &no_permanent_active(),
        true,
        &req(AssignmentKind::Active, Expiry::Permanent),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ExpirationRule: permanent active assignment is not allowed for Security Reader; give --end or --for up to 180 days"
    );
    assert!(
        check(
            &no_permanent_active(),
            true,
            &req(AssignmentKind::Eligible, Expiry::Permanent)
        )
        .is_ok()
    );
}

#[test]
fn time_bound_limits_at_the_boundaries() {
    let s = no_permanent_active();
    let cases: [(TimeDelta, Option<Rule>); 6] = [
        (TimeDelta::minutes(4), Some(Rule::ExpirationRule)),
        (TimeDelta::minutes(5), None),
        (TimeDelta::days(180), None),
        (
            TimeDelta::days(180) + TimeDelta::minutes(1),
            Some(Rule::ExpirationRule),
        ),
        (TimeDelta::zero(), Some(Rule::ExpirationRule)),
        (TimeDelta::minutes(-5), Some(Rule::ExpirationRule)),
    ];
    for (length, expected) in cases {
        let r = check(
            &s,
            true,
            &req(AssignmentKind::Active, Expiry::Until(now() + length)),
        );
        assert_eq!(r.err().map(|e| e.rule()), expected, "{length}");
    }
}

#[test]
fn time_bound_is_unlimited_while_permanent_is_allowed() {
    let r = check(
        &RoleSettings::default(),
        true,
        &req(
            AssignmentKind::Eligible,
            Expiry::Until(now() + TimeDelta::days(400)),
        ),
    );
    assert!(r.is_ok());
}

#[test]
fn only_admins_assign() {
    let err = check(
        &RoleSettings::default(),
        false,
        &req(AssignmentKind::Eligible, Expiry::Permanent),
    )
    .unwrap_err();
    assert_eq!(err.rule(), Rule::AdminRequestRule);
}

#[test]
fn active_assignment_needs_justification_and_maybe_mfa() {
    let mut r = req(AssignmentKind::Active, Expiry::Permanent);
    r.justification = None;
    assert_eq!(
        check(&RoleSettings::default(), true, &r)
            .unwrap_err()
            .rule(),
        Rule::JustificationRule
    );
    let mut eligible = req(AssignmentKind::Eligible, Expiry::Permanent);
    eligible.justification = None;
    assert_eq!(check(&RoleSettings::default(), true, &eligible), Ok(false));
    let mfa = RoleSettings {
        require_mfa_on_active: true,
        ..RoleSettings::default()
    };
    assert_eq!(
        check(&mfa, true, &req(AssignmentKind::Active, Expiry::Permanent)),
        Ok(true)
    );
    assert_eq!(
        check(
            &mfa,
            true,
            &req(AssignmentKind::Eligible, Expiry::Permanent)
        ),
        Ok(false)
    );
}

#[test]
fn duplicate_assignment_is_refused() {
    let (role, who, s) = (role(), pimuser(), RoleSettings::default());
    let e = existing(
        AssignmentKind::Eligible,
        Origin::Assigned,
        now() - TimeDelta::days(1),
    );
    let err = check_assignment(
        AssignmentFacts {
            role: &role,
            settings: &s,
            principal: &who,
            existing: Some(&e),
            actor_is_admin: true,
            now: now(),
        },
        &req(AssignmentKind::Eligible, Expiry::Permanent),
    )
    .unwrap_err();
    assert_eq!(err.rule(), Rule::RoleAssignmentExists);
}

#[test]
fn removal_floor_and_last_global_admin() {
    let role = role();
    let fresh = existing(
        AssignmentKind::Eligible,
        Origin::Assigned,
        now() - TimeDelta::minutes(4),
    );
    let err = check_removal(&role, &fresh, false, true, now()).unwrap_err();
    assert_eq!(err.rule(), Rule::ActiveDurationTooShort);
    assert!(err.to_string().contains("09:01 UTC"), "{err}");
    let old = existing(
        AssignmentKind::Eligible,
        Origin::Assigned,
        now() - TimeDelta::minutes(5),
    );
    assert!(check_removal(&role, &old, false, true, now()).is_ok());
    assert_eq!(
        check_removal(&role, &old, true, true, now())
            .unwrap_err()
            .rule(),
        Rule::LastGlobalAdministratorRule
    );
    assert_eq!(
        check_removal(&role, &old, false, false, now())
            .unwrap_err()
            .rule(),
        Rule::AdminRequestRule
    );
}

#[test]
fn updates_check_the_new_window_and_protect_the_last_global_admin() {
    let (role, s) = (role(), no_permanent_active());
    let target = existing(
        AssignmentKind::Eligible,
        Origin::Assigned,
        now() - TimeDelta::days(1),
    );
    let facts = UpdateFacts {
        role: &role,
        settings: &s,
        target: &target,
        other_of_new_kind: None,
        target_is_last_global_admin: false,
        actor_is_admin: true,
        now: now(),
    };
    let to_active = |expiry| UpdateRequest {
        kind: AssignmentKind::Active,
        expiry,
        justification: Some("on call".into()),
    };
    assert_eq!(
        check_update(facts, &to_active(Expiry::Permanent))
            .unwrap_err()
            .rule(),
        Rule::ExpirationRule
    );
    assert!(
        check_update(
            facts,
            &to_active(Expiry::Until(now() + TimeDelta::days(30)))
        )
        .is_ok()
    );

    let ga = existing(
        AssignmentKind::Active,
        Origin::Assigned,
        now() - TimeDelta::days(1),
    );
    let last = UpdateFacts {
        target: &ga,
        target_is_last_global_admin: true,
        settings: &RoleSettings::default(),
        ..facts
    };
    let demote = UpdateRequest {
        kind: AssignmentKind::Eligible,
        expiry: Expiry::Permanent,
        justification: None,
    };
    assert_eq!(
        check_update(last, &demote).unwrap_err().rule(),
        Rule::LastGlobalAdministratorRule
    );

    let activation = existing(
        AssignmentKind::Active,
        Origin::Activated,
        now() - TimeDelta::hours(1),
    );
    let own = UpdateFacts {
        target: &activation,
        ..facts
    };
    assert_eq!(
        check_update(own, &demote).unwrap_err().rule(),
        Rule::RoleAssignmentDoesNotExist
    );
}

#[test]
fn a_scheduled_assignment_can_be_cancelled_at_once() {
    let role = role();
    let mut scheduled = existing(
        AssignmentKind::Eligible,
        Origin::Assigned,
        now() - TimeDelta::minutes(1),
    );
    scheduled.start = now() + TimeDelta::days(1);
    assert!(check_removal(&role, &scheduled, false, true, now()).is_ok());
}
