//! Sign-in, replay and lockout scenarios.

use super::*;
use crate::audit::activity;

#[test]
fn lab_creation_makes_the_tenant_the_catalogue_and_an_intact_audit_chain() {
    let mut lab = Lab::new();
    assert_eq!(lab.count("roles"), 27);
    assert_eq!(lab.count("role_settings"), 27);
    assert_eq!(lab.count("users"), 3);
    let admin = lab.sign_in("admin");
    let status = lab.svc.status(&admin).unwrap();
    assert_eq!(status.active.len(), 1);
    assert_eq!(status.active[0].role.display_name, "Global Administrator");
    assert!(status.active[0].assignment.end.is_none());
    let v = lab.verify();
    assert!(v.fault.is_none());
    assert!(v.verified >= 5);
}

#[test]
fn a_second_lab_is_refused_without_reset_and_rebuilt_with_it() {
    let mut lab = Lab::new();
    let err = lab.svc.create_lab(false, None).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains("--reset"), "{err}");
    let entries = lab.count("audit");
    let admin = lab.sign_in("admin");
    let rebuilt = lab.svc.create_lab(true, Some(&admin)).unwrap();
    assert!(rebuilt.reset);
    assert_eq!(lab.count("users"), 3);
    assert_ne!(rebuilt.accounts[0].password, lab.accounts[0].password);
    assert!(lab.verify().fault.is_none());
    assert!(
        lab.count("audit") > entries + 1,
        "the log goes on across the reset"
    );
    let resets = lab.audit_rows(crate::audit::activity::Activity::LabReset);
    assert_eq!(resets.len(), 1);
    assert_eq!(resets[0].actor.as_deref(), Some(lab.upn("admin").as_str()));
}

#[test]
fn sign_in_needs_password_and_code_and_the_code_is_then_spent() {
    let mut lab = Lab::new();
    let (upn, pw) = (lab.upn("pimuser"), lab.account("pimuser").password.clone());
    let code = lab.code("pimuser", 0);
    let wrong = lab
        .svc
        .sign_in(&upn, "not the password", &code)
        .unwrap_err();
    assert!(
        matches!(wrong, ServiceError::Auth(AuthFailure::WrongCredentials)),
        "{wrong}"
    );
    lab.svc.sign_in(&upn, &pw, &code).unwrap();
    let replay = lab.svc.sign_in(&upn, &pw, &code).unwrap_err();
    assert!(
        matches!(replay, ServiceError::Auth(AuthFailure::ReplayedCode { .. })),
        "{replay}"
    );
    assert_eq!(replay.exit_code(), 4);
    let older = lab.code("pimuser", -1);
    assert!(matches!(
        lab.svc.sign_in(&upn, &pw, &older).unwrap_err(),
        ServiceError::Auth(AuthFailure::ReplayedCode { .. })
    ));
    lab.svc.sign_in(&upn, &pw, &lab.code("pimuser", 1)).unwrap();
    assert_eq!(lab.audit_rows(activity::Activity::SignIn).len(), 2);
}

#[test]
fn unknown_users_get_the_same_answer_as_wrong_passwords_and_are_audited() {
    let mut lab = Lab::new();
    let err = lab
        .svc
        .sign_in("nobody@pimlab.onmicrosoft.com", "x", "123456")
        .unwrap_err();
    assert!(matches!(
        err,
        ServiceError::Auth(AuthFailure::WrongCredentials)
    ));
    let rows = lab.audit_rows(activity::Activity::SignInFailed);
    assert_eq!(
        rows.last().unwrap().target.as_deref(),
        Some("nobody@pimlab.onmicrosoft.com")
    );
}

#[test]
fn five_failures_across_two_terminals_lock_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let mut one = Lab::shared(dir.path());
    let mut two = one.terminal();
    let (upn, pw) = (one.upn("pimuser"), one.account("pimuser").password.clone());
    for i in 0..4 {
        let svc = if i % 2 == 0 { &mut one.svc } else { &mut two };
        let err = svc.sign_in(&upn, &pw, "000000").unwrap_err();
        assert!(
            matches!(err, ServiceError::Auth(AuthFailure::WrongCode { .. })),
            "{err}"
        );
    }
    let fifth = two.sign_in(&upn, &pw, "000000").unwrap_err();
    assert!(
        matches!(fifth, ServiceError::Auth(AuthFailure::Locked { .. })),
        "{fifth}"
    );
    let good = one.code("pimuser", 0);
    let still = one.svc.sign_in(&upn, &pw, &good).unwrap_err();
    assert!(
        matches!(still, ServiceError::Auth(AuthFailure::Locked { .. })),
        "locked even with a right code"
    );
    assert_eq!(one.audit_rows(activity::Activity::AccountLocked).len(), 1);
    assert_eq!(one.audit_rows(activity::Activity::SignInBlocked).len(), 1);
    one.wait(crate::auth::lockout::LOCK_DURATION);
    one.svc.sign_in(&upn, &pw, &one.code("pimuser", 0)).unwrap();
}

#[test]
fn a_hostile_password_hash_is_refused_quickly_and_audited() {
    let mut lab = Lab::new();
    let upn = lab.upn("pimuser");
    lab.svc
        .store
        .conn()
        .exec("UPDATE users SET password_hash = '$argon2id$v=19$m=65536,t=4294967295,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc' WHERE upn = ?1", crate::args![&upn])
        .unwrap();
    let started = std::time::Instant::now();
    let err = lab.svc.sign_in(&upn, "whatever", "123456").unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(
        matches!(err, ServiceError::Auth(AuthFailure::HashRejected)),
        "{err}"
    );
    let rows = lab.audit_rows(activity::Activity::SignInFailed);
    assert!(rows.last().unwrap().details.contains("out-of-bounds"));
}

#[test]
fn sessions_expire_on_real_time_and_sign_out_ends_them() {
    let mut lab = Lab::new();
    let token = lab.sign_in("pimuser");
    lab.svc.status(&token).unwrap();
    lab.advance(TimeDelta::days(3));
    assert!(
        lab.svc.status(&token).is_ok(),
        "moving the lab clock does not sign anyone out"
    );
    lab.wait(crate::auth::session::SESSION_LIFETIME);
    let err = lab.svc.status(&token).unwrap_err();
    assert!(matches!(err, ServiceError::Auth(AuthFailure::NotSignedIn)));
    let token = lab.sign_in("pimuser");
    lab.svc.sign_out(&token).unwrap();
    assert!(lab.svc.status(&token).is_err());
}
