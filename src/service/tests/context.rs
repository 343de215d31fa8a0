//! A role that requires an authentication context: settings (never beside MFA), activation with
//! the password and a fresh code again, and the alerts.

use super::*;
use crate::policy::Rule;
use crate::policy::alerts::AlertId;
use crate::policy::settings::SettingsPatch;
use crate::service::AuthFailure;

fn require_context(
    lab: &mut Lab,
    admin: &SessionToken,
    mfa: Option<bool>,
    claim: &str,
) -> ServiceResult<()> {
    lab.svc
        .update_settings(
            admin,
            "Security Reader",
            SettingsPatch {
                require_mfa: mfa,
                auth_context: Some(Some(claim.into())),
                ..Default::default()
            },
            None,
        )
        .map(|_| ())
}

fn failures(lab: &Lab, who: &str) -> i64 {
    lab.svc
        .store
        .conn()
        .one(
            "SELECT failed_attempts FROM users WHERE upn = ?1",
            crate::args![lab.upn(who)],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_context_is_refused_beside_mfa_and_an_unknown_one_is_refused() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let before = lab.state();
    let err = require_context(&mut lab, &admin, None, "c1").unwrap_err();
    let ServiceError::Refused(r) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(r.rule(), Rule::MfaAndAcrsConflict);
    assert!(r.to_string().contains("--require-mfa off"), "{r}");
    let err = require_context(&mut lab, &admin, Some(false), "c0").unwrap_err();
    let ServiceError::Refused(r) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(r.rule(), Rule::AuthenticationContextRule);
    assert!(r.to_string().contains("c1 to c99"), "{r}");
    assert_eq!(lab.state(), before, "nothing changed");

    require_context(&mut lab, &admin, Some(false), "C3").unwrap();
    let s = lab
        .svc
        .role_settings(&admin, "Security Reader")
        .unwrap()
        .settings;
    assert_eq!(s.auth_context.as_deref(), Some("c3"));
    assert!(!s.require_mfa);
    // Turning MFA back on while the context stands is the same conflict.
    let err = lab
        .svc
        .update_settings(
            &admin,
            "Security Reader",
            SettingsPatch {
                require_mfa: Some(true),
                ..Default::default()
            },
            None,
        )
        .unwrap_err();
    assert!(err.to_string().starts_with("MfaAndAcrsConflict: "), "{err}");
    // A role with a context is not a role without MFA for the alert.
    let no_mfa = lab
        .svc
        .alert(&admin, AlertId::NoMfaOnRoleActivation)
        .unwrap();
    assert!(
        no_mfa
            .incidents
            .iter()
            .all(|i| !i.text.starts_with("Security Reader")),
        "{:?}",
        no_mfa.incidents
    );
}

#[test]
fn activating_asks_for_the_password_and_a_fresh_code_again() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    require_context(&mut lab, &admin, Some(false), "c1").unwrap();
    let before = lab.state();
    let audit_before = lab.count("audit");

    // The dry run says a code would be asked for, and asks for no password.
    let input = lab_activation(&lab, None, None);
    let (dry, preview) = lab.svc.preflight(|s| s.activate(&user, input));
    assert!(dry.is_ok(), "{dry:?}");
    assert!(preview.mfa_required);

    // Without the password: told what is needed, nothing changed, nothing counted.
    let input = lab_activation(&lab, Some(lab.code("pimuser", 1)), None);
    let err = lab.svc.activate(&user, input).unwrap_err();
    let ServiceError::Auth(AuthFailure::PasswordRequired { claim, .. }) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(claim, "c1");
    assert!(err.to_string().starts_with("AuthenticationContextRule: activating Security Reader requires authentication context c1"), "{err}");
    assert_eq!(
        (lab.state(), lab.count("audit")),
        (before.clone(), audit_before)
    );

    // A wrong password counts, like a wrong code, and is audited.
    let input = lab_activation(&lab, Some(lab.code("pimuser", 1)), Some("not it"));
    let err = lab.svc.activate(&user, input).unwrap_err();
    assert!(
        matches!(err, ServiceError::Auth(AuthFailure::WrongPassword)),
        "{err:?}"
    );
    assert_eq!(failures(&lab, "pimuser"), 1);
    let failed = lab.audit_rows(crate::audit::activity::Activity::MfaFailed);
    assert!(
        failed
            .last()
            .unwrap()
            .details
            .contains("wrong password (authentication context c1)")
    );

    // The password and a fresh code: active.
    let password = lab.account("pimuser").password.clone();
    let input = lab_activation(&lab, Some(lab.code("pimuser", 1)), Some(&password));
    let done = lab.svc.activate(&user, input).unwrap();
    assert!(matches!(done, ActivationOutcome::Active(_)), "{done:?}");
    assert_eq!(failures(&lab, "pimuser"), 0, "a success clears the count");
}

fn lab_activation(lab: &Lab, otp: Option<String>, password: Option<&str>) -> ActivateInput {
    ActivateInput {
        password: password.map(Into::into),
        ..lab.activation(1, Some("incident 42"), otp)
    }
}
