//! Activation scenarios: the walkthrough's phase 4 and its refusals.

use super::*;
use crate::audit::activity;
use crate::policy::Rule;

fn refused_rule(err: ServiceError) -> Rule {
    match err {
        ServiceError::Refused(r) => r.rule(),
        other => panic!("expected a refusal, got {other}"),
    }
}

#[test]
fn eligible_user_activates_with_mfa_and_admins_are_told() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    let fresh = lab.code("pimuser", 1);
    let done = lab
        .svc
        .activate(
            &user,
            lab.activation(8, Some("Reviewing sign-in logs"), Some(fresh)),
        )
        .unwrap()
        .active()
        .unwrap();
    assert_eq!(done.assignment.end, Some(start() + TimeDelta::hours(8)));
    let status = lab.svc.status(&user).unwrap();
    assert_eq!(status.active.len(), 1);
    assert_eq!(status.active[0].role.display_name, "Security Reader");
    let inbox = lab.svc.inbox(&admin, false, 50).unwrap();
    let subjects: Vec<_> = inbox.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "PIM: Pim User has the Security Reader role",
            "PIM: Pim User is permanently eligible for the Security Reader role"
        ]
    );
    let mine = lab.svc.inbox(&user, false, 50).unwrap();
    assert_eq!(
        mine[0].subject,
        "PIM: Your Security Reader role is activated"
    );
    let completed = lab.audit_rows(activity::Activity::ActivationCompleted);
    assert_eq!(completed.len(), 1);
    assert_eq!(
        completed[0].justification.as_deref(),
        Some("Reviewing sign-in logs")
    );
}

#[test]
fn over_the_cap_is_refused_before_the_code_so_the_code_stays_usable() {
    let (mut lab, _, user) = Lab::with_eligible_user();
    let fresh = lab.code("pimuser", 1);
    let before = lab.state();
    let err = lab
        .svc
        .activate(
            &user,
            lab.activation(9, Some("too long"), Some(fresh.clone())),
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert_eq!(
        err.to_string(),
        "ExpirationRule: 9h exceeds the 8h maximum activation for Security Reader; ask for 8h or less (--for 8h)"
    );
    assert_eq!(lab.state(), before, "nothing but the audit log changed");
    let refused = lab.audit_rows(activity::Activity::ActivationRequested);
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].result, crate::audit::AuditResult::Failure);
    assert!(
        lab.audit_rows(activity::Activity::MfaFailed).is_empty(),
        "no MFA failure counted"
    );
    lab.svc
        .activate(&user, lab.activation(8, Some("right length"), Some(fresh)))
        .unwrap();
}

#[test]
fn the_sign_in_code_cannot_be_replayed_to_activate() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.make_eligible(&admin, "Security Reader");
    let used = lab.code("pimuser", 0);
    let user = lab.sign_in("pimuser");
    let err = lab
        .svc
        .activate(&user, lab.activation(1, Some("x"), Some(used)))
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Auth(AuthFailure::ReplayedCode { .. })),
        "{err}"
    );
    assert!(lab.svc.status(&user).unwrap().active.is_empty());
    let missing = lab
        .svc
        .activate(&user, lab.activation(1, Some("x"), None))
        .unwrap_err();
    assert!(matches!(
        missing,
        ServiceError::Auth(AuthFailure::CodeRequired { .. })
    ));
    assert!(missing.to_string().starts_with("MfaRule:"), "{missing}");
}

#[test]
fn not_eligible_and_missing_justification_are_refused_with_their_rules() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let user = lab.sign_in("pimuser");
    let err = lab
        .svc
        .activate(&user, lab.activation(1, Some("x"), None))
        .unwrap_err();
    assert_eq!(refused_rule(err), Rule::EligibilityRule);
    lab.make_eligible(&admin, "Security Reader");
    let err = lab
        .svc
        .activate(&user, lab.activation(1, Some("   "), None))
        .unwrap_err();
    assert_eq!(refused_rule(err), Rule::JustificationRule);
}

#[test]
fn control_characters_in_the_justification_are_bad_input_and_change_nothing() {
    let (mut lab, _, user) = Lab::with_eligible_user();
    let before = (lab.state(), lab.count("audit"));
    let err = lab
        .svc
        .activate(
            &user,
            lab.activation(1, Some("ok\x1b]0;x\x07"), Some(lab.code("pimuser", 1))),
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("control character"), "{err}");
    assert_eq!((lab.state(), lab.count("audit")), before);
}

#[test]
fn activating_twice_is_refused_with_the_end_time() {
    let (mut lab, _, user) = Lab::with_eligible_user();
    lab.svc
        .activate(
            &user,
            lab.activation(2, Some("x"), Some(lab.code("pimuser", 1))),
        )
        .unwrap();
    let err = lab
        .svc
        .activate(&user, lab.activation(2, Some("again"), None))
        .unwrap_err();
    assert!(err.to_string().contains("RoleAssignmentExists"), "{err}");
    assert!(err.to_string().contains("2026-11-26 11:00 UTC"), "{err}");
}

#[test]
fn expiry_is_evaluated_on_read_and_recorded_once() {
    let (mut lab, _, user) = Lab::with_eligible_user();
    lab.svc
        .activate(
            &user,
            lab.activation(1, Some("x"), Some(lab.code("pimuser", 1))),
        )
        .unwrap();
    lab.wait(TimeDelta::hours(1));
    assert!(
        lab.svc.status(&user).unwrap().active.is_empty(),
        "now == end is no longer active"
    );
    assert!(
        lab.audit_rows(activity::Activity::ActivationExpired)
            .is_empty(),
        "no write has run yet"
    );
    lab.svc.unread_count(&user).unwrap();
    lab.advance(TimeDelta::minutes(1));
    lab.advance(TimeDelta::minutes(1));
    let expired = lab.audit_rows(activity::Activity::ActivationExpired);
    assert_eq!(expired.len(), 1);
    assert_eq!(
        expired[0].time,
        start() + TimeDelta::hours(1),
        "recorded at the real end time"
    );
}

#[test]
fn deactivation_is_refused_for_five_minutes_then_allowed() {
    let (mut lab, _, user) = Lab::with_eligible_user();
    lab.svc
        .activate(
            &user,
            lab.activation(1, Some("x"), Some(lab.code("pimuser", 1))),
        )
        .unwrap();
    let err = lab.svc.deactivate(&user, "security-reader").unwrap_err();
    assert_eq!(refused_rule(err), Rule::ActiveDurationTooShort);
    lab.wait(TimeDelta::minutes(5));
    lab.svc.deactivate(&user, "security-reader").unwrap();
    assert!(lab.svc.status(&user).unwrap().active.is_empty());
    assert_eq!(
        lab.audit_rows(activity::Activity::Deactivated)
            .iter()
            .filter(|r| r.result == crate::audit::AuditResult::Success)
            .count(),
        1
    );
}

#[test]
fn a_role_requiring_no_mfa_activates_without_a_code() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let patch = crate::policy::settings::SettingsPatch {
        require_mfa: Some(false),
        ..Default::default()
    };
    lab.svc
        .update_settings(&admin, "Security Reader", patch, None)
        .unwrap();
    lab.make_eligible(&admin, "Security Reader");
    let user = lab.sign_in("pimuser");
    lab.svc
        .activate(&user, lab.activation(1, Some("x"), None))
        .unwrap();
}

#[test]
fn notification_rows_switched_off_send_nothing_and_additional_recipients_receive() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let approver = lab.upn("approver");
    let patch = crate::policy::settings::SettingsPatch {
        notifications: vec![crate::policy::notification::NotificationPatch {
            row: crate::policy::notification::NotifyRow::parse("eligible-admin").unwrap(),
            default_recipients: Some(false),
            additional_recipients: Some(vec![approver.clone(), "soc@contoso.com".into()]),
            critical_only: None,
        }],
        ..Default::default()
    };
    lab.svc
        .update_settings(&admin, "Security Reader", patch, None)
        .unwrap();
    lab.make_eligible(&admin, "Security Reader");
    assert!(lab.svc.inbox(&admin, false, 10).unwrap().is_empty());
    let approver_token = lab.sign_in("approver");
    let got = lab.svc.inbox(&approver_token, false, 10).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].subject,
        "PIM: Pim User is permanently eligible for the Security Reader role"
    );
    let external: i64 = lab
        .svc
        .store
        .conn()
        .one(
            "SELECT count(*) FROM emails WHERE to_addr = 'soc@contoso.com'",
            crate::args![],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(external, 1);
}

#[test]
fn a_locked_account_is_told_before_a_code_is_asked() {
    let (mut lab, _admin, user) = Lab::with_eligible_user();
    for _ in 0..5 {
        let _ = lab
            .svc
            .activate(&user, lab.activation(1, Some("x"), Some("000000".into())));
    }
    let err = lab
        .svc
        .validate_activation(&user, &lab.activation(1, Some("x"), None))
        .unwrap_err();
    let ServiceError::Auth(AuthFailure::Locked { until }) = err else {
        panic!("{err}")
    };
    assert!(until > lab.svc.real_now());
    assert!(err.to_string().contains("locked until"), "{err}");
}
