//! PIM for Groups on the test clock: membership made eligible, activated and expiring; a role
//! held and activated through a group; and every refusal, changing nothing.

use super::*;
use crate::policy::Rule;
use crate::policy::model::{Access, AssignmentKind, EndReason};
use crate::policy::settings::SettingsPatch;
use crate::service::NewGroup;

const GROUP: &str = "Helpdesk Admins";

fn add_group(lab: &mut Lab, admin: &SessionToken, name: &str, role_assignable: bool) {
    lab.svc
        .add_group(
            admin,
            NewGroup {
                name: name.into(),
                description: Some("Tier 1".into()),
                role_assignable,
            },
        )
        .unwrap();
}

fn assign(
    lab: &mut Lab,
    admin: &SessionToken,
    role: &str,
    upn: &str,
    kind: AssignmentKind,
    window: Window,
) -> ServiceResult<AssignmentDone> {
    lab.svc.assign(
        admin,
        AssignInput {
            role: role.into(),
            upn: upn.into(),
            kind,
            start: None,
            window,
            justification: Some("helpdesk rota".into()),
            otp: None,
        },
    )
}

/// The catalogue id of the group's member (or owner) entry, with MFA off on activation so the
/// story is about the lifecycle, not the authenticator.
fn entry(lab: &mut Lab, admin: &SessionToken, access: Access) -> String {
    let id = lab.svc.group_access(GROUP, access).unwrap().id;
    let patch = SettingsPatch {
        require_mfa: Some(false),
        ..Default::default()
    };
    lab.svc.update_settings(admin, &id, patch, None).unwrap();
    id
}

fn activate(lab: &mut Lab, user: &SessionToken, role: &str, hours: i64) -> Activated {
    let input = ActivateInput {
        role: role.into(),
        ..lab.activation(hours, Some("INC0042 ticket queue"), None)
    };
    lab.svc.activate(user, input).unwrap().active().unwrap()
}

fn roles_of(status: &Status) -> Vec<(String, Option<String>)> {
    status
        .active
        .iter()
        .filter(|r| r.assignment.is_live(status.now))
        .map(|r| {
            (
                r.role.display_name.clone(),
                status.via_group(r).map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn an_activated_membership_carries_the_groups_role_until_it_expires() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let pimuser = lab.upn("pimuser");
    add_group(&mut lab, &admin, GROUP, true);
    let member = entry(&mut lab, &admin, Access::Member);
    assign(
        &mut lab,
        &admin,
        "Security Reader",
        GROUP,
        AssignmentKind::Active,
        Window::Permanent,
    )
    .unwrap();
    assign(
        &mut lab,
        &admin,
        &member,
        &pimuser,
        AssignmentKind::Eligible,
        Window::For(TimeDelta::days(30)),
    )
    .unwrap();
    let user = lab.sign_in("pimuser");

    // Eligible for the membership: no role yet.
    let s = lab.svc.status(&user).unwrap();
    assert!(roles_of(&s).is_empty(), "{:?}", roles_of(&s));
    assert_eq!(s.group_eligible.len(), 1);
    assert_eq!(
        s.group_eligible[0].row.role.display_name,
        "Member of Helpdesk Admins"
    );

    let done = activate(&mut lab, &user, &member, 2);
    assert_eq!(done.role.group_name(), Some(GROUP));
    let s = lab.svc.status(&user).unwrap();
    assert_eq!(
        roles_of(&s),
        [("Security Reader".to_owned(), Some(GROUP.to_owned()))]
    );
    assert_eq!(s.group_active.len(), 1);
    // The role through the group ends when the membership does.
    assert_eq!(s.active[0].assignment.end, done.assignment.end);
    // Holding it through the group counts wherever holding it counts.
    assert_eq!(
        lab.audit_rows("Add member to group completed (PIM activation)")
            .len(),
        1
    );
    let mail: Vec<String> = lab
        .svc
        .inbox(&user, false, 10)
        .unwrap()
        .into_iter()
        .map(|e| e.subject)
        .collect();
    assert!(
        mail.contains(
            &"PIM: Your Member role in the group Helpdesk Admins is activated".to_owned()
        ),
        "{mail:?}"
    );

    lab.advance(TimeDelta::hours(2) + TimeDelta::minutes(1));
    let s = lab.svc.status(&user).unwrap();
    assert!(roles_of(&s).is_empty(), "{:?}", roles_of(&s));
    assert!(s.group_active.is_empty());
    assert_eq!(s.group_eligible.len(), 1, "the eligibility stays");
    assert_eq!(
        lab.audit_rows("Remove member from group (PIM activation expired)")
            .len(),
        1
    );
    let v = lab.verify();
    assert!(v.fault.is_none(), "{:?}", v.fault);
    assert!(v.assignments.mismatches.is_empty(), "{:?}", v.assignments);
}

#[test]
fn a_role_eligible_through_a_group_is_activated_by_members_and_ends_with_the_membership() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let pimuser = lab.upn("pimuser");
    add_group(&mut lab, &admin, GROUP, true);
    let member = entry(&mut lab, &admin, Access::Member);
    let patch = SettingsPatch {
        require_mfa: Some(false),
        ..Default::default()
    };
    lab.svc
        .update_settings(&admin, "Security Reader", patch, None)
        .unwrap();
    assign(
        &mut lab,
        &admin,
        "Security Reader",
        GROUP,
        AssignmentKind::Eligible,
        Window::Permanent,
    )
    .unwrap();
    assign(
        &mut lab,
        &admin,
        &member,
        &pimuser,
        AssignmentKind::Active,
        Window::For(TimeDelta::hours(3)),
    )
    .unwrap();
    let user = lab.sign_in("pimuser");
    let s = lab.svc.status(&user).unwrap();
    assert_eq!(s.eligible.len(), 1);
    assert_eq!(s.via_group(&s.eligible[0].row), Some(GROUP));

    // Activated for 8h, it is cut to the membership's end, 3h away.
    let done = activate(&mut lab, &user, "Security Reader", 8);
    assert_eq!(done.principal.upn, pimuser);
    assert_ne!(done.assignment.principal_id, s.eligible[0].row.principal.id);
    assert!(done.clamped, "cut to the membership's end");
    let membership_end = s.eligible[0].row.assignment.end;
    assert_eq!(done.assignment.end, membership_end);

    // Removing the membership ends the activation made through it, audited.
    lab.advance(TimeDelta::minutes(10));
    let removed = lab
        .svc
        .remove_assignment(
            &admin,
            RemoveInput {
                role: member.clone(),
                upn: pimuser.clone(),
                kind: Some(AssignmentKind::Active),
                assignment_id: None,
            },
        )
        .unwrap();
    assert_eq!(removed.ended_activations, 1);
    let a = lab
        .svc
        .store
        .assignment(&done.assignment.id)
        .unwrap()
        .unwrap();
    assert_eq!(a.end_reason, Some(EndReason::Revoked));
    let revoked = lab.audit_rows("Remove member from role completed (PIM activation revoked)");
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].target.as_deref(), Some(pimuser.as_str()));
    assert!(
        lab.audit_rows("Remove member from group in PIM completed (timebound)")
            .len()
            == 1
    );
    let s = lab.svc.status(&user).unwrap();
    assert!(s.eligible.is_empty() && roles_of(&s).is_empty());
}

#[test]
fn a_role_through_a_group_makes_its_members_administrators() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let pimuser = lab.upn("pimuser");
    add_group(&mut lab, &admin, GROUP, true);
    let member = entry(&mut lab, &admin, Access::Member);
    assign(
        &mut lab,
        &admin,
        "Privileged Role Administrator",
        GROUP,
        AssignmentKind::Active,
        Window::Permanent,
    )
    .unwrap();
    let user = lab.sign_in("pimuser");
    let try_assign = |lab: &mut Lab| {
        let approver = lab.upn("approver");
        assign(
            lab,
            &user,
            "Reports Reader",
            &approver,
            AssignmentKind::Eligible,
            Window::Permanent,
        )
    };
    let before = try_assign(&mut lab).unwrap_err();
    assert!(matches!(before, ServiceError::Refused(_)), "{before:?}");
    assign(
        &mut lab,
        &admin,
        &member,
        &pimuser,
        AssignmentKind::Active,
        Window::For(TimeDelta::days(1)),
    )
    .unwrap();
    try_assign(&mut lab).unwrap();
}

#[test]
fn bad_group_input_is_refused_and_changes_nothing() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let pimuser = lab.upn("pimuser");
    add_group(&mut lab, &admin, GROUP, true);
    add_group(&mut lab, &admin, "Plain", false);
    let member = entry(&mut lab, &admin, Access::Member);
    let before = (lab.state(), lab.count("groups"), lab.count("roles"));

    // A name that clashes with a group (any case), a role or a user; blank; an '@'.
    for name in [
        "helpdesk admins",
        "Security Reader",
        pimuser.as_str(),
        "  ",
        "ops@team",
        "bad\u{1b}[2Jname",
    ] {
        let err = lab
            .svc
            .add_group(
                &admin,
                NewGroup {
                    name: name.into(),
                    description: None,
                    role_assignable: false,
                },
            )
            .unwrap_err();
        assert!(
            matches!(err, ServiceError::Conflict(_) | ServiceError::Invalid(_)),
            "{name:?}: {err:?}"
        );
    }
    // Directory roles only to role-assignable groups; a membership only to users.
    for (role, principal) in [("Security Reader", "Plain"), (member.as_str(), "Plain")] {
        let err = assign(
            &mut lab,
            &admin,
            role,
            principal,
            AssignmentKind::Active,
            Window::Permanent,
        )
        .unwrap_err();
        let ServiceError::Refused(r) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(r.rule(), Rule::RoleAssignableGroupRule, "{r}");
    }
    // Unknown group, unknown member.
    let err = lab
        .svc
        .group_access("No Such Group", Access::Member)
        .unwrap_err();
    assert!(
        err.to_string().contains("no group 'No Such Group'"),
        "{err}"
    );
    let err = assign(
        &mut lab,
        &admin,
        &member,
        "ghost@pimlab.onmicrosoft.com",
        AssignmentKind::Eligible,
        Window::Permanent,
    )
    .unwrap_err();
    assert!(err.to_string().contains("no user 'ghost@"), "{err}");
    // Only administrators add groups.
    let user = lab.sign_in("pimuser");
    let err = lab
        .svc
        .add_group(
            &user,
            NewGroup {
                name: "Mine".into(),
                description: None,
                role_assignable: true,
            },
        )
        .unwrap_err();
    assert!(matches!(err, ServiceError::Refused(_)), "{err:?}");
    let sessions = lab.count("sessions");
    let after = (lab.state(), lab.count("groups"), lab.count("roles"));
    // Only the new session differs.
    assert_eq!(
        (before.0[..4].to_vec(), before.1, before.2),
        (after.0[..4].to_vec(), after.1, after.2)
    );
    assert_eq!(after.0[4], sessions);
    // A group is a principal, never an account: it cannot sign in and is not listed as a user.
    assert!(lab.svc.store.user_by_upn(GROUP).unwrap().is_none());
}

#[test]
fn a_groups_permanent_owner_is_not_a_directory_role_alert_but_a_groups_permanent_role_is() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let approver = lab.upn("approver");
    add_group(&mut lab, &admin, GROUP, true);
    let owner = lab.svc.group_access(GROUP, Access::Owner).unwrap().id;
    let permanent = |lab: &mut Lab| {
        lab.svc
            .alert(
                &admin,
                crate::policy::alerts::AlertId::PermanentActiveAssignments,
            )
            .unwrap()
            .affected
    };
    let before = permanent(&mut lab);
    assign(
        &mut lab,
        &admin,
        &owner,
        &approver,
        AssignmentKind::Active,
        Window::Permanent,
    )
    .unwrap();
    assert_eq!(
        permanent(&mut lab),
        before,
        "PIM for Groups has no such alert"
    );
    assign(
        &mut lab,
        &admin,
        "Global Reader",
        GROUP,
        AssignmentKind::Active,
        Window::Permanent,
    )
    .unwrap();
    assert_eq!(
        permanent(&mut lab),
        before + 1,
        "a directory role held by a group is"
    );
}

#[test]
fn a_role_given_to_a_group_is_announced_to_its_active_members_not_to_a_mailbox_nobody_reads() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let pimuser = lab.upn("pimuser");
    add_group(&mut lab, &admin, GROUP, true);
    let member = entry(&mut lab, &admin, Access::Member);
    assign(
        &mut lab,
        &admin,
        &member,
        &pimuser,
        AssignmentKind::Active,
        Window::For(TimeDelta::days(1)),
    )
    .unwrap();
    let done = assign(
        &mut lab,
        &admin,
        "Reports Reader",
        GROUP,
        AssignmentKind::Eligible,
        Window::Permanent,
    )
    .unwrap();
    let to: Vec<String> = lab
        .svc
        .store
        .conn()
        .rows(
            "SELECT to_addr FROM emails WHERE event = 'assigneeNotice' AND request_id = ?1",
            crate::args![done.request.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(to, [pimuser]);
}

#[test]
fn an_active_owner_manages_the_groups_membership_but_nothing_else() {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let (approver, pimuser) = (lab.upn("approver"), lab.upn("pimuser"));
    add_group(&mut lab, &admin, GROUP, true);
    let member = entry(&mut lab, &admin, Access::Member);
    let owner = lab.svc.group_access(GROUP, Access::Owner).unwrap().id;
    let user = lab.sign_in("pimuser");
    let make_member = |lab: &mut Lab| {
        assign(
            lab,
            &user,
            &member,
            &approver,
            AssignmentKind::Eligible,
            Window::For(TimeDelta::days(30)),
        )
    };
    let before = lab.state();
    let err = make_member(&mut lab).unwrap_err();
    assert!(matches!(err, ServiceError::Refused(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("AdminRequestRule: managing the members and owners of Helpdesk Admins needs an active Global Administrator or Privileged Role Administrator role, or active ownership of the group"),
        "{err}"
    );
    assert_eq!(lab.state(), before);
    assign(
        &mut lab,
        &admin,
        &owner,
        &pimuser,
        AssignmentKind::Active,
        Window::For(TimeDelta::days(1)),
    )
    .unwrap();
    make_member(&mut lab).unwrap();
    // Owning the group is not administering the tenant.
    let err = assign(
        &mut lab,
        &user,
        "Reports Reader",
        &approver,
        AssignmentKind::Eligible,
        Window::Permanent,
    )
    .unwrap_err();
    assert!(matches!(err, ServiceError::Refused(_)), "{err:?}");
}

#[test]
fn an_administrator_by_both_roles_directly_and_through_a_group_is_told_once_and_holds_each_role_once()
 {
    let mut lab = Lab::new();
    let admin = lab.sign_in("admin");
    let admin_upn = lab.upn("admin");
    add_group(&mut lab, &admin, GROUP, true);
    let member = entry(&mut lab, &admin, Access::Member);
    // The lab's Global Administrator also holds Privileged Role Administrator directly, and
    // again as an active member of a group that holds it.
    for (role, who, window) in [
        (
            "Privileged Role Administrator",
            admin_upn.as_str(),
            Window::Permanent,
        ),
        ("Privileged Role Administrator", GROUP, Window::Permanent),
        (
            member.as_str(),
            admin_upn.as_str(),
            Window::For(TimeDelta::days(1)),
        ),
    ] {
        assign(&mut lab, &admin, role, who, AssignmentKind::Active, window).unwrap();
    }
    let conn = lab.svc.store.conn();
    let admin_id = conn
        .value::<String>(
            "SELECT id FROM users WHERE upn = ?1",
            crate::args![admin_upn.as_str()],
        )
        .unwrap();
    let held =
        crate::store::assignments::active_role_ids(conn, &admin_id, lab.clock.now()).unwrap();
    let mut once = held.clone();
    once.dedup();
    assert_eq!(held, once, "each role once, in order: {held:?}");
    for role in crate::policy::model::ADMIN_ROLES {
        assert_eq!(held.iter().filter(|r| *r == role).count(), 1, "{held:?}");
    }
    let admins = crate::store::assignments::holders(
        conn,
        &crate::policy::model::ADMIN_ROLES,
        lab.clock.now(),
    )
    .unwrap();
    assert_eq!(
        admins.iter().filter(|p| p.upn == admin_upn).count(),
        1,
        "{admins:?}"
    );

    lab.make_eligible(&admin, "Security Reader");
    let user = lab.sign_in("pimuser");
    let before = lab.svc.inbox(&admin, false, 100).unwrap().len();
    let fresh = lab.code("pimuser", 1);
    lab.svc
        .activate(&user, lab.activation(1, Some("rota"), Some(fresh)))
        .unwrap();
    let inbox = lab.svc.inbox(&admin, false, 100).unwrap();
    assert_eq!(inbox.len(), before + 1, "one alert, not one per way in");
    assert_eq!(
        inbox[0].subject,
        "PIM: Pim User has the Security Reader role"
    );
}
