//! Boundary tables for the activation rules, on a fixed clock.

use chrono::{TimeDelta, TimeZone, Utc};

use super::*;
use crate::policy::model::{AssignmentKind, Origin};
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

fn assignment(kind: AssignmentKind, origin: Origin, start: Time, end: Option<Time>) -> Assignment {
    Assignment {
        id: "e1".into(),
        role_id: role().id,
        principal_id: "u1".into(),
        kind,
        origin,
        activated_from: None,
        start,
        end,
        justification: None,
        ticket: None,
        created_at: start,
        created_by: None,
        ended_at: None,
        end_reason: None,
    }
}

fn permanent_eligibility() -> Assignment {
    assignment(
        AssignmentKind::Eligible,
        Origin::Assigned,
        now() - TimeDelta::days(1),
        None,
    )
}

fn request(duration: TimeDelta) -> ActivationRequest {
    ActivationRequest {
        duration,
        start: None,
        justification: Some("Reviewing sign-in logs".into()),
        ticket_number: None,
        ticket_system: None,
    }
}

fn check(
    settings: &RoleSettings,
    eligibility: Option<&Assignment>,
    active: Option<&Assignment>,
    req: &ActivationRequest,
) -> Result<ActivationPlan, Refusal> {
    let role = role();
    check_activation(
        ActivationFacts {
            role: &role,
            settings,
            eligibility,
            active,
            now: now(),
        },
        req,
    )
}

#[test]
fn duration_boundaries_against_the_cap() {
    let settings = RoleSettings::default();
    let elig = permanent_eligibility();
    let cases: [(TimeDelta, Option<Rule>); 7] = [
        (TimeDelta::minutes(4), Some(Rule::ExpirationRule)),
        (TimeDelta::minutes(5), None),
        (TimeDelta::minutes(30), None),
        (TimeDelta::hours(8), None),
        (
            TimeDelta::hours(8) + TimeDelta::minutes(1),
            Some(Rule::ExpirationRule),
        ),
        (
            TimeDelta::hours(8) + TimeDelta::minutes(30),
            Some(Rule::ExpirationRule),
        ),
        (TimeDelta::hours(25), Some(Rule::ExpirationRule)),
    ];
    for (duration, expected) in cases {
        let result = check(&settings, Some(&elig), None, &request(duration));
        assert_eq!(
            result.as_ref().err().map(Refusal::rule),
            expected,
            "{duration}"
        );
        if let Ok(plan) = result {
            assert_eq!(plan.start, now());
            assert_eq!(plan.end, now() + duration);
            assert!(plan.needs_mfa);
            assert!(!plan.scheduled);
        }
    }
}

#[test]
fn over_the_cap_message_names_the_cap_and_the_role() {
    let elig = permanent_eligibility();
    let err = check(
        &RoleSettings::default(),
        Some(&elig),
        None,
        &request(TimeDelta::hours(9)),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ExpirationRule: 9h exceeds the 8h maximum activation for Security Reader; ask for 8h or less (--for 8h)"
    );
}

#[test]
fn not_eligible_is_refused_by_the_eligibility_rule() {
    let err = check(
        &RoleSettings::default(),
        None,
        None,
        &request(TimeDelta::hours(1)),
    )
    .unwrap_err();
    assert_eq!(err.rule(), Rule::EligibilityRule);
}

#[test]
fn justification_and_ticket_failures_are_reported_together() {
    let settings = RoleSettings {
        require_ticket: true,
        ..RoleSettings::default()
    };
    let elig = permanent_eligibility();
    let req = ActivationRequest {
        justification: None,
        ticket_number: Some("INC1234".into()),
        ..request(TimeDelta::hours(9))
    };
    let err = check(&settings, Some(&elig), None, &req).unwrap_err();
    assert_eq!(
        err.rules(),
        vec![
            Rule::ExpirationRule,
            Rule::JustificationRule,
            Rule::TicketingRule
        ]
    );
}

#[test]
fn justification_not_required_may_be_left_out() {
    let settings = RoleSettings {
        require_justification: false,
        require_mfa: false,
        ..RoleSettings::default()
    };
    let elig = permanent_eligibility();
    let req = ActivationRequest {
        justification: None,
        ..request(TimeDelta::hours(1))
    };
    let plan = check(&settings, Some(&elig), None, &req).unwrap();
    assert!(!plan.needs_mfa);
}

#[test]
fn an_active_role_cannot_be_activated_again_and_the_message_gives_its_end() {
    let elig = permanent_eligibility();
    let end = now() + TimeDelta::hours(3);
    let active = assignment(
        AssignmentKind::Active,
        Origin::Activated,
        now() - TimeDelta::hours(1),
        Some(end),
    );
    let err = check(
        &RoleSettings::default(),
        Some(&elig),
        Some(&active),
        &request(TimeDelta::hours(1)),
    )
    .unwrap_err();
    assert_eq!(err.rule(), Rule::RoleAssignmentExists);
    assert!(err.to_string().contains("2026-11-26 12:00 UTC"), "{err}");
    assert!(err.to_string().contains("3h left"), "{err}");
}

#[test]
fn activation_never_outlasts_the_eligibility() {
    let elig_end = now() + TimeDelta::hours(2);
    let elig = assignment(
        AssignmentKind::Eligible,
        Origin::Assigned,
        now() - TimeDelta::days(1),
        Some(elig_end),
    );
    let plan = check(
        &RoleSettings::default(),
        Some(&elig),
        None,
        &request(TimeDelta::hours(8)),
    )
    .unwrap();
    assert_eq!(plan.end, elig_end);
    assert!(plan.clamped_to_eligibility);

    let nearly_over = assignment(
        AssignmentKind::Eligible,
        Origin::Assigned,
        now() - TimeDelta::days(1),
        Some(now() + TimeDelta::minutes(4)),
    );
    let err = check(
        &RoleSettings::default(),
        Some(&nearly_over),
        None,
        &request(TimeDelta::hours(1)),
    )
    .unwrap_err();
    assert_eq!(err.rule(), Rule::EligibilityRule);
}

#[test]
fn a_scheduled_start_must_fall_inside_the_eligibility_and_not_in_the_past() {
    let elig = assignment(
        AssignmentKind::Eligible,
        Origin::Assigned,
        now() - TimeDelta::days(1),
        Some(now() + TimeDelta::days(1)),
    );
    let mut req = request(TimeDelta::hours(1));
    req.start = Some(now() + TimeDelta::hours(2));
    let plan = check(&RoleSettings::default(), Some(&elig), None, &req).unwrap();
    assert!(plan.scheduled);
    assert_eq!(plan.end, now() + TimeDelta::hours(3));

    req.start = Some(now() + TimeDelta::days(2));
    assert_eq!(
        check(&RoleSettings::default(), Some(&elig), None, &req)
            .unwrap_err()
            .rule(),
        Rule::EligibilityRule
    );
    req.start = Some(now() - TimeDelta::hours(1));
    assert_eq!(
        check(&RoleSettings::default(), Some(&elig), None, &req)
            .unwrap_err()
            .rule(),
        Rule::ExpirationRule
    );
}

#[test]
fn deactivation_within_five_minutes_is_too_short() {
    let role = role();
    let start = now() - TimeDelta::minutes(4);
    let a = assignment(
        AssignmentKind::Active,
        Origin::Activated,
        start,
        Some(start + TimeDelta::hours(8)),
    );
    let err = check_deactivation(&role, Some(&a), now()).unwrap_err();
    assert_eq!(err.rule(), Rule::ActiveDurationTooShort);
    assert!(err.to_string().contains("09:01 UTC"), "{err}");
    assert!(check_deactivation(&role, Some(&a), start + TimeDelta::minutes(5)).is_ok());
}

#[test]
fn deactivation_needs_an_own_activation() {
    let role = role();
    assert_eq!(
        check_deactivation(&role, None, now()).unwrap_err().rule(),
        Rule::RoleAssignmentDoesNotExist
    );
    let assigned = assignment(
        AssignmentKind::Active,
        Origin::Assigned,
        now() - TimeDelta::days(1),
        None,
    );
    assert_eq!(
        check_deactivation(&role, Some(&assigned), now())
            .unwrap_err()
            .rule(),
        Rule::RoleAssignmentDoesNotExist
    );
    let scheduled = assignment(
        AssignmentKind::Active,
        Origin::Activated,
        now() + TimeDelta::hours(1),
        Some(now() + TimeDelta::hours(2)),
    );
    assert!(
        check_deactivation(&role, Some(&scheduled), now()).is_ok(),
        "a scheduled one can be cancelled"
    );
}
