//! The promises under pressure: the last administrator, the lab guard, the anchored audit log,
//! hostile sizes and clocks.

use super::*;
use crate::policy::Rule;
use crate::policy::model::AssignmentKind;
use chrono::TimeZone;

fn refusal(err: ServiceError) -> (Rule, String) {
    match err {
        ServiceError::Refused(r) => (r.rule(), r.to_string()),
        other => panic!("expected a refusal, got {other}"),
    }
}

/// Makes `who` a Global Administrator (active) for `window`, as the admin.
fn make_global_admin(lab: &mut Lab, admin: &SessionToken, who: &str, window: Window) {
    let upn = lab.upn(who);
    lab.svc
        .assign(
            admin,
            AssignInput {
                role: "Global Administrator".into(),
                upn,
                kind: AssignmentKind::Active,
                start: None,
                window,
                justification: Some("second administrator".into()),
                otp: None,
            },
        )
        .unwrap();
}

fn remove_admin_ga(lab: &mut Lab, token: &SessionToken) -> ServiceResult<AssignmentDone> {
    let upn = lab.upn("admin");
    lab.svc.remove_assignment(
        token,
        RemoveInput {
            role: "Global Administrator".into(),
            upn,
            kind: None,
            assignment_id: None,
        },
    )
}

fn make_admin_ga_time_bound(lab: &mut Lab, token: &SessionToken) -> ServiceResult<AssignmentDone> {
    let upn = lab.upn("admin");
    lab.svc.update_assignment(
        token,
        UpdateInput {
            role: "Global Administrator".into(),
            upn,
            assignment_id: None,
            kind: None,
            window: Some(Window::For(TimeDelta::days(30))),
            justification: Some("tidy up".into()),
            otp: None,
        },
    )
}

#[test]
fn a_time_bound_second_global_admin_does_not_free_the_last_permanent_one() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    make_global_admin(
        &mut lab,
        &admin,
        "approver",
        Window::For(TimeDelta::days(30)),
    );
    lab.wait(TimeDelta::minutes(10));
    let before = lab.state();
    let (rule, message) = refusal(remove_admin_ga(&mut lab, &admin).unwrap_err());
    assert_eq!(rule, Rule::LastGlobalAdministratorRule);
    assert!(
        message.contains("make another account a permanent active Global Administrator first"),
        "{message}"
    );
    let (rule, _) = refusal(make_admin_ga_time_bound(&mut lab, &admin).unwrap_err());
    assert_eq!(rule, Rule::LastGlobalAdministratorRule);
    assert_eq!(lab.state(), before);
}

#[test]
fn a_second_permanent_global_admin_lets_the_first_go() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    make_global_admin(&mut lab, &admin, "approver", Window::Permanent);
    lab.wait(TimeDelta::minutes(10));
    let done = make_admin_ga_time_bound(&mut lab, &admin).unwrap();
    assert!(done.assignment.end.is_some());
    // Now approver@ holds the last permanent one: it cannot be removed by anyone.
    let approver = lab.sign_in("approver");
    let upn = lab.upn("approver");
    let err = lab
        .svc
        .remove_assignment(
            &approver,
            RemoveInput {
                role: "Global Administrator".into(),
                upn,
                kind: None,
                assignment_id: None,
            },
        )
        .unwrap_err();
    assert_eq!(refusal(err).0, Rule::LastGlobalAdministratorRule);
}

#[test]
fn rebuilding_the_lab_needs_a_signed_in_administrator() {
    let mut lab = Lab::new();
    let before = lab.state();
    let err = lab.svc.create_lab(true, None).unwrap_err();
    assert_eq!(err.exit_code(), 4, "{err}");
    let user = lab.sign_in("pimuser");
    let state = lab.state();
    let err = lab.svc.create_lab(true, Some(&user)).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    let (rule, message) = refusal(err);
    assert_eq!(rule, Rule::AdminRequestRule);
    assert!(message.contains("pim lab --reset"), "{message}");
    assert_eq!(lab.state(), state);
    assert_ne!(state, before, "the user's sign-in is the only change");
    let refused = lab.audit_rows(crate::audit::activity::Activity::LabReset);
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].result, crate::audit::AuditResult::Failure);
}

#[test]
fn only_lab_administrators_move_the_clock_and_only_within_a_century() {
    let mut lab = Lab::new();
    let user = lab.sign_in("pimuser");
    let err = lab
        .svc
        .advance_clock(&user, TimeDelta::days(1))
        .unwrap_err();
    assert_eq!(refusal(err).0, Rule::AdminRequestRule);
    assert_eq!(lab.svc.clock().unwrap().offset, TimeDelta::zero());

    let admin = lab.admin_session();
    let far = Utc.with_ymd_and_hms(9000, 1, 1, 0, 0, 0).unwrap();
    let err = lab.svc.set_clock(&admin, far).unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(err.to_string().contains("nothing changed"), "{err}");
    lab.advance(TimeDelta::days(36_000));
    let err = lab
        .svc
        .advance_clock(&admin, TimeDelta::days(1_000))
        .unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    assert_eq!(lab.svc.clock().unwrap().offset, TimeDelta::days(36_000));

    let moved = lab.audit_rows(crate::audit::activity::Activity::ClockMoved);
    let last = moved.last().unwrap();
    assert!(last.details.contains("\"before\""), "{}", last.details);
    assert!(last.details.contains("\"after\""), "{}", last.details);
    assert_eq!(last.real_time, Some(last.time), "moved from real time");
    lab.sign_in("approver");
    let after = lab.audit_rows(crate::audit::activity::Activity::SignIn);
    let after = after.last().unwrap();
    assert_eq!(
        after.time - after.real_time.unwrap(),
        TimeDelta::days(36_000)
    );
}

#[test]
fn a_damaged_clock_offset_reads_as_real_time_and_reset_repairs_it() {
    let mut lab = Lab::new();
    lab.svc
        .store
        .conn()
        .exec(
            "UPDATE tenant SET clock_offset = ?1",
            crate::args![i64::MAX],
        )
        .unwrap();
    let state = lab.svc.clock().unwrap();
    assert_eq!(state.offset, TimeDelta::zero());
    let user = lab.sign_in("pimuser");
    lab.svc.status(&user).unwrap();
    let admin = lab.admin_session();
    lab.svc.reset_clock(&admin).unwrap();
    let stored: i64 = lab
        .svc
        .store
        .conn()
        .one("SELECT clock_offset FROM tenant", crate::args![], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(stored, 0);
}

#[test]
fn disabling_the_last_permanent_global_admin_is_refused_and_others_are_signed_out() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let admin_upn = lab.upn("admin");
    let before = lab.state();
    let err = lab
        .svc
        .set_account_enabled(&admin, &admin_upn, false)
        .unwrap_err();
    assert_eq!(refusal(err).0, Rule::LastGlobalAdministratorRule);
    assert_eq!(lab.state(), before);

    let user = lab.sign_in("pimuser");
    let upn = lab.upn("pimuser");
    let done = lab.svc.set_account_enabled(&admin, &upn, false).unwrap();
    assert!(done.changed && !done.enabled);
    assert_eq!(done.sessions_ended, 1);
    assert!(matches!(
        lab.svc.status(&user),
        Err(ServiceError::Auth(AuthFailure::NotSignedIn))
    ));
    let (password, code) = (
        lab.account("pimuser").password.clone(),
        lab.code("pimuser", 1),
    );
    assert!(matches!(
        lab.svc.sign_in(&upn, &password, &code),
        Err(ServiceError::Auth(AuthFailure::Disabled))
    ));
    let again = lab.svc.set_account_enabled(&admin, &upn, false).unwrap();
    assert!(!again.changed);
    assert!(
        lab.svc
            .set_account_enabled(&admin, &upn, true)
            .unwrap()
            .changed
    );
    lab.wait(TimeDelta::seconds(30));
    lab.sign_in("pimuser");
    let rows = lab.audit_rows(crate::audit::activity::Activity::AccountDisabled);
    assert_eq!(rows.len(), 2, "the refusal and the change");
}

#[test]
fn a_password_reset_replaces_the_password_unlocks_and_signs_out() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let user = lab.sign_in("pimuser");
    let upn = lab.upn("pimuser");
    let old = lab.account("pimuser").password.clone();
    for _ in 0..5 {
        let _ = lab.svc.sign_in(&upn, "wrong password!", "000000");
    }
    let done = lab
        .svc
        .reset_password(&admin, &upn, Some("a brand new passphrase"))
        .unwrap();
    assert!(done.generated_password.is_none());
    assert_eq!(done.sessions_ended, 1);
    assert!(lab.svc.status(&user).is_err());
    lab.wait(TimeDelta::seconds(30));
    let code = lab.code("pimuser", 0);
    assert!(matches!(
        lab.svc.sign_in(&upn, &old, &code),
        Err(ServiceError::Auth(AuthFailure::WrongCredentials))
    ));
    lab.svc
        .sign_in(&upn, "a brand new passphrase", &code)
        .expect("the new password works and the lock is lifted");
    let err = lab
        .svc
        .reset_password(&admin, &upn, Some("short"))
        .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let generated = lab.svc.reset_password(&admin, &upn, None).unwrap();
    assert!(generated.generated_password.is_some());
}

#[test]
fn an_mfa_reset_needs_the_new_authenticator_and_old_codes_stop_working() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let upn = lab.upn("pimuser");
    let done = lab.svc.reset_mfa(&admin, &upn).unwrap();
    let password = lab.account("pimuser").password.clone();
    let old_code = lab.code("pimuser", 0);
    assert!(lab.svc.sign_in(&upn, &password, &old_code).is_err());
    let ok = lab.svc.check_password(&upn, &password).unwrap();
    assert_eq!(
        ok.enrolment.map(|e| e.secret),
        Some(done.enrolment.secret.clone()),
        "the next sign-in shows the new authenticator"
    );
    let code = code_at(&done.enrolment.secret, lab.clock.now().timestamp()).unwrap();
    lab.svc.sign_in(&upn, &password, &code).unwrap();
    assert_eq!(
        lab.audit_rows(crate::audit::activity::Activity::MfaReset)
            .len(),
        1
    );
}

#[test]
fn a_user_administrator_cannot_reset_an_administrator() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let upn = lab.upn("approver");
    lab.svc
        .assign(
            &admin,
            AssignInput {
                role: "User Administrator".into(),
                upn,
                kind: AssignmentKind::Active,
                start: None,
                window: Window::Permanent,
                justification: Some("helpdesk".into()),
                otp: None,
            },
        )
        .unwrap();
    let helpdesk = lab.sign_in("approver");
    let admin_upn = lab.upn("admin");
    let err = lab
        .svc
        .reset_password(&helpdesk, &admin_upn, None)
        .unwrap_err();
    assert_eq!(refusal(err).0, Rule::AdminRequestRule);
    let user_upn = lab.upn("pimuser");
    lab.svc.reset_password(&helpdesk, &user_upn, None).unwrap();
}

#[test]
fn a_clock_that_went_back_stops_sign_in_and_activation_until_it_catches_up() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    lab.wait(TimeDelta::hours(2));
    // Any change records the newest real time seen.
    lab.svc
        .update_settings(&admin, "security-reader", Default::default(), None)
        .unwrap();
    lab.svc.sign_out(&admin).unwrap();
    let upn = lab.upn("approver");
    let password = lab.account("approver").password.clone();
    // Someone sets the system clock back by an hour.
    lab.clock.advance(-TimeDelta::hours(1));
    let code = lab.code("approver", 0);
    let before = lab.state();
    let err = lab.svc.sign_in(&upn, &password, &code).unwrap_err();
    assert!(matches!(err, ServiceError::ClockBehind { .. }), "{err}");
    assert_eq!(err.exit_code(), 1);
    assert!(
        err.to_string().contains("the clock went back by 1h"),
        "{err}"
    );
    let err = lab
        .svc
        .activate(&user, lab.activation(1, Some("reason"), None))
        .unwrap_err();
    assert!(matches!(err, ServiceError::ClockBehind { .. }), "{err}");
    assert_eq!(lab.state(), before, "nothing but audit rows");
    let refused = lab.audit_rows(crate::audit::activity::Activity::SignInFailed);
    assert!(refused.last().unwrap().details.contains("clock went back"));
    // A small step back (NTP) is fine; once the clock is past the mark again, all is well.
    lab.clock.advance(TimeDelta::minutes(56));
    let code = lab.code("approver", 0);
    lab.svc.sign_in(&upn, &password, &code).unwrap();
}

#[test]
fn a_restore_says_what_it_is_doing_step_by_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::on_file(&dir.path().join("lab.db"));
    let admin = lab.sign_in("admin");
    let copy = dir.path().join("copy.db");
    lab.svc.backup(&admin, &copy, &mut |_, _| {}).unwrap();
    let mut steps = Vec::new();
    lab.svc
        .restore(&admin, &copy, &mut |s| steps.push(s))
        .unwrap();
    assert_eq!(steps.first(), Some(&crate::service::RestoreStep::Checking));
    assert_eq!(steps.last(), Some(&crate::service::RestoreStep::CopyingIn));
    let mut aside = steps.iter().filter_map(|s| match s {
        crate::service::RestoreStep::KeepingAside { done, total } => Some((*done, *total)),
        _ => None,
    });
    let (done, total) = aside.next_back().expect("the copy aside is reported");
    assert!(total > 0 && done == total, "{done} of {total}");
}
