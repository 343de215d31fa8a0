//! `pim alerts fix`: each remediable alert's fix through the normal rules, its dry run, and
//! the fixes refused.

use super::*;
use crate::policy::Rule;
use crate::policy::alerts::AlertId;
use crate::policy::model::AssignmentKind;
use crate::policy::settings::SettingsPatch;
use crate::service::{AlertFixed, FixInput};

fn fix(lab: &mut Lab, who: &SessionToken, id: AlertId) -> ServiceResult<AlertFixed> {
    lab.svc.fix_alert(who, id, FixInput::default())
}

fn mfa(lab: &mut Lab, role: &str) -> bool {
    let admin = lab.admin_session();
    lab.svc
        .role_settings(&admin, role)
        .unwrap()
        .settings
        .require_mfa
}

/// The chain holds and every assignment is what the log says it is.
fn intact(lab: &mut Lab) -> bool {
    let v = lab.verify();
    v.fault.is_none() && v.assignments.mismatches.is_empty()
}

fn no_mfa(lab: &mut Lab, admin: &SessionToken, role: &str) {
    lab.svc
        .update_settings(
            admin,
            role,
            SettingsPatch {
                require_mfa: Some(false),
                ..Default::default()
            },
            None,
        )
        .unwrap();
}

fn firing(lab: &mut Lab, admin: &SessionToken, id: AlertId) -> usize {
    let v = lab.svc.alert(admin, id).unwrap();
    if v.config.enabled { v.affected } else { 0 }
}

fn assign(lab: &mut Lab, admin: &SessionToken, role: &str, who: &str, kind: AssignmentKind) {
    let upn = lab.upn(who);
    lab.svc
        .assign(
            admin,
            AssignInput {
                role: role.into(),
                upn,
                kind,
                start: None,
                window: Window::Permanent,
                justification: Some("standing access".into()),
                otp: None,
            },
        )
        .unwrap();
}

#[test]
fn no_mfa_is_fixed_by_requiring_mfa_on_every_listed_role_and_a_dry_run_changes_nothing() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    no_mfa(&mut lab, &admin, "Security Reader");
    no_mfa(&mut lab, &admin, "Global Reader");
    assert_eq!(firing(&mut lab, &admin, AlertId::NoMfaOnRoleActivation), 2);

    // The dry run says what would change and changes nothing, audit log included.
    let before = (lab.state(), lab.count("audit"));
    let (dry, preview) = lab
        .svc
        .preflight(|s| s.fix_alert(&admin, AlertId::NoMfaOnRoleActivation, FixInput::default()));
    let dry = dry.unwrap();
    assert_eq!(dry.steps.len(), 2);
    assert!(dry.steps.iter().all(|s| s.refused.is_none()), "{dry:?}");
    assert_eq!(dry.still_affected, 0);
    assert!(!preview.mfa_required);
    assert_eq!((lab.state(), lab.count("audit")), before);
    assert!(!mfa(&mut lab, "Security Reader"));

    let done = fix(&mut lab, &admin, AlertId::NoMfaOnRoleActivation).unwrap();
    let items: Vec<&str> = done.steps.iter().map(|s| s.item.as_str()).collect();
    assert_eq!(
        items,
        [
            "Global Reader activates without MFA",
            "Security Reader activates without MFA"
        ]
    );
    assert_eq!(done.steps[0].change, "now requires MFA on activation");
    assert_eq!(done.still_affected, 0);
    assert!(mfa(&mut lab, "Security Reader") && mfa(&mut lab, "Global Reader"));
    assert_eq!(firing(&mut lab, &admin, AlertId::NoMfaOnRoleActivation), 0);
    // Each change under its own name, and the fix itself.
    let updates = lab.audit_rows(crate::audit::activity::Activity::SettingsUpdated);
    assert_eq!(updates.len(), 4, "two turned off, two turned on by the fix");
    let fixes = lab.audit_rows(crate::audit::activity::Activity::AlertRemediated);
    assert_eq!(fixes.len(), 1);
    assert!(
        fixes[0]
            .details
            .contains("\"alert\":\"NoMfaOnRoleActivationAlert\"")
    );
    assert!(
        fixes[0].details.contains("\"changed\":2"),
        "{}",
        fixes[0].details
    );
    assert!(intact(&mut lab));
}

#[test]
fn permanent_active_assignments_become_eligible_or_time_bound_and_the_last_admin_stays() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    assign(
        &mut lab,
        &admin,
        "Security Reader",
        "pimuser",
        AssignmentKind::Active,
    );
    assert_eq!(
        firing(&mut lab, &admin, AlertId::PermanentActiveAssignments),
        2
    );

    let done = fix(&mut lab, &admin, AlertId::PermanentActiveAssignments).unwrap();
    assert_eq!(done.steps.len(), 2);
    let admin_step = done
        .steps
        .iter()
        .find(|s| s.item.starts_with("admin@"))
        .unwrap();
    let refused = admin_step.refused.as_deref().unwrap();
    assert!(
        refused.starts_with("LastGlobalAdministratorRule: "),
        "{refused}"
    );
    let user_step = done
        .steps
        .iter()
        .find(|s| s.item.starts_with("pimuser@"))
        .unwrap();
    assert_eq!(user_step.refused, None);
    assert_eq!(user_step.change, "now eligible permanently");
    assert_eq!(done.still_affected, 1, "the last Global Administrator");
    let user = lab.sign_in("pimuser");
    let status = lab.svc.status(&user).unwrap();
    assert_eq!(status.eligible.len(), 1);
    assert!(status.active.is_empty());

    // With a time instead: active, ending then.
    assign(
        &mut lab,
        &admin,
        "Global Reader",
        "approver",
        AssignmentKind::Active,
    );
    let done = lab
        .svc
        .fix_alert(
            &admin,
            AlertId::PermanentActiveAssignments,
            FixInput {
                active_for: Some(TimeDelta::hours(8)),
                otp: None,
            },
        )
        .unwrap();
    let step = done
        .steps
        .iter()
        .find(|s| s.item.starts_with("approver@"))
        .unwrap();
    let end = crate::policy::duration::format_utc(lab.clock.now() + TimeDelta::hours(8));
    assert_eq!(step.change, format!("now active until {end}"));
    assert!(intact(&mut lab));
}

#[test]
fn unused_eligible_assignments_of_privileged_roles_are_removed() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    lab.make_eligible(&admin, "Security Administrator");
    lab.make_eligible(&admin, "Security Reader");
    assert_eq!(firing(&mut lab, &admin, AlertId::RedundantAssignment), 0);
    lab.advance(TimeDelta::days(31));
    let listed = firing(&mut lab, &admin, AlertId::RedundantAssignment);
    assert!(listed >= 1, "{listed}");
    let done = fix(&mut lab, &admin, AlertId::RedundantAssignment).unwrap();
    assert_eq!(done.steps.len(), listed);
    assert!(
        done.steps
            .iter()
            .all(|s| s.change == "eligible assignment removed")
    );
    assert_eq!(done.still_affected, 0);
    let user = lab.sign_in("pimuser");
    let status = lab.svc.status(&user).unwrap();
    let held: Vec<&str> = status
        .eligible
        .iter()
        .map(|e| e.row.role.display_name.as_str())
        .collect();
    assert!(!held.contains(&"Security Administrator"), "{held:?}");
    assert!(intact(&mut lab));
}

#[test]
fn fixes_that_do_not_apply_are_refused_naming_the_rule_and_change_nothing() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let user = lab.sign_in("pimuser");
    let before = lab.state();
    // Not firing.
    let err = fix(&mut lab, &admin, AlertId::NoMfaOnRoleActivation).unwrap_err();
    let ServiceError::Refused(r) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(r.rule(), Rule::AlertRemediationRule);
    assert!(r.to_string().contains("is not firing"), "{r}");
    // An alert with no fix to apply.
    let err = fix(&mut lab, &admin, AlertId::TooManyGlobalAdmins).unwrap_err();
    let ServiceError::Refused(r) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(r.rule(), Rule::AlertRemediationRule);
    let text = r.to_string();
    assert!(text.contains("has no automatic fix"), "{text}");
    assert!(
        text.contains("permanent-active") && text.contains("no-mfa"),
        "{text}"
    );
    // Someone without an administrator role.
    let err = fix(&mut lab, &user, AlertId::PermanentActiveAssignments).unwrap_err();
    let ServiceError::Refused(r) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(r.rule(), Rule::AdminRequestRule);
    assert_eq!(lab.state(), before, "nothing but the audit log changed");
    let refusals = lab.audit_rows(crate::audit::activity::Activity::AlertRemediated);
    assert_eq!(refusals.len(), 3, "each refusal audited");
    assert!(
        refusals
            .iter()
            .all(|r| r.result == crate::audit::AuditResult::Failure)
    );
}

#[test]
fn stale_accounts_are_taken_out_of_their_privileged_roles_but_the_last_administrator_stays() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    assign(
        &mut lab,
        &admin,
        "Global Reader",
        "approver",
        AssignmentKind::Active,
    );
    lab.make_eligible(&admin, "Security Administrator");
    lab.advance(TimeDelta::days(31));
    let listed = firing(&mut lab, &admin, AlertId::StaleSignIn);
    assert!(listed >= 2, "{listed}");
    let done = fix(&mut lab, &admin, AlertId::StaleSignIn).unwrap();
    let step = |who: &str| {
        done.steps
            .iter()
            .find(|s| s.item.starts_with(who))
            .unwrap_or_else(|| panic!("{who}: {:?}", done.steps))
    };
    let approver = step("approver@");
    assert_eq!(approver.refused, None);
    assert_eq!(approver.change, "removed from Global Reader (active)");
    let user = step("pimuser@");
    assert_eq!(
        user.change,
        "removed from Security Administrator (eligible)"
    );
    let last = step("admin@");
    assert!(
        last.refused
            .as_deref()
            .is_some_and(|r| r.contains("LastGlobalAdministratorRule")),
        "{last:?}"
    );
    assert_eq!(done.still_affected, 1, "only the last Global Administrator");
    assert!(intact(&mut lab));
}
