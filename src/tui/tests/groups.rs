//! PIM for Groups in the console: the user's Groups list on My roles (activate, the role
//! through the group, deactivate) and the admin's Groups tab opening a group's member entry.

use ratatui::crossterm::event::KeyCode;

use super::render::snap;
use super::*;
use crate::policy::model::{Access, AssignmentKind};
use crate::service::{AssignInput, NewGroup, Window};
use crate::tui::msg::{Sub, Tab};

const GROUP: &str = "Helpdesk Admins";

/// Helpdesk Admins holds Security Reader; pimuser is an eligible member; activating the
/// membership asks no code (MFA off) so the story is the console's.
fn arrange(h: &Harness) {
    let admin = h.session("admin", 0);
    let mut svc = h.engine();
    svc.add_group(
        &admin,
        NewGroup {
            name: GROUP.into(),
            description: None,
            role_assignable: true,
        },
    )
    .unwrap();
    let member = svc.group_access(GROUP, Access::Member).unwrap().id;
    let patch = crate::policy::settings::SettingsPatch {
        require_mfa: Some(false),
        ..Default::default()
    };
    svc.update_settings(&admin, &member, patch, None).unwrap();
    for (role, upn, kind) in [
        ("Security Reader", GROUP.to_owned(), AssignmentKind::Active),
        (
            member.as_str(),
            h.account("pimuser").upn.clone(),
            AssignmentKind::Eligible,
        ),
    ] {
        svc.assign(
            &admin,
            AssignInput {
                role: role.into(),
                upn,
                kind,
                start: None,
                window: Window::Permanent,
                justification: Some("helpdesk".into()),
                otp: None,
            },
        )
        .unwrap();
    }
}

#[test]
fn a_member_activates_a_group_and_holds_its_role_through_it() {
    let mut h = Harness::lab();
    arrange(&h);
    h.sign_in_keys("pimuser", 1);
    h.key(KeyCode::Right);
    h.key(KeyCode::Right);
    assert_eq!(h.main().my.sub, Sub::Groups);
    snap("my_roles_groups_eligible", &h.draw(80, 24));

    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Tab);
    h.text("INC0042 queue");
    h.key(KeyCode::Enter);
    let text = screen_text(&h.draw(80, 24));
    assert!(
        text.contains("Member of Helpdesk Admins is in your active roles"),
        "{text}"
    );
    h.key(KeyCode::Esc);
    assert_eq!(
        h.main().my.sub,
        Sub::Groups,
        "stays where the activation was made"
    );
    snap("my_roles_groups_active", &h.draw(80, 24));

    // The role through the group, on Active.
    h.key(KeyCode::Left);
    let text = screen_text(&h.draw(100, 24));
    assert!(text.contains("Security Reader (Helpdesk Admins)"), "{text}");
    assert!(text.contains("via group"), "{text}");

    // Deactivating the membership (after Entra's five minutes) ends the role with it.
    h.wait(chrono::TimeDelta::minutes(6));
    h.key(KeyCode::Right);
    h.key(KeyCode::Char('d'));
    let text = screen_text(&h.draw(80, 24));
    assert!(
        text.contains("Deactivate Member of Helpdesk Admins now?"),
        "{text}"
    );
    h.key(KeyCode::Char('y'));
    let status = h.main().my.status.as_ref().unwrap();
    assert!(status.group_active.is_empty(), "{:?}", status.group_active);
    assert!(status.active.is_empty(), "{:?}", status.active);
}

#[test]
fn the_admin_opens_a_groups_membership_from_the_groups_tab_and_comes_back() {
    let mut h = Harness::lab();
    arrange(&h);
    h.sign_in_keys("admin", 1);
    h.key(KeyCode::Char('8'));
    assert_eq!(h.main().tab, Tab::Groups);
    snap("admin_groups", &h.draw(100, 24));

    h.key(KeyCode::Enter);
    assert_eq!(h.main().tab, Tab::Roles);
    let d = h.main().roles.detail.as_ref().unwrap();
    assert_eq!(d.view.role.display_name, "Member of Helpdesk Admins");
    assert_eq!(d.rows[0].len(), 1, "pimuser's eligible membership");
    let text = screen_text(&h.draw(100, 24));
    assert!(
        text.contains("Groups › Member of Helpdesk Admins"),
        "{text}"
    );
    h.key(KeyCode::Esc);
    assert_eq!(h.main().tab, Tab::Groups, "Esc goes back to the groups");

    // → picks ownership.
    h.key(KeyCode::Right);
    h.key(KeyCode::Enter);
    let d = h.main().roles.detail.as_ref().unwrap();
    assert_eq!(d.view.role.display_name, "Owner of Helpdesk Admins");
    assert!(d.rows[0].is_empty() && d.rows[1].is_empty());
}

#[test]
fn an_active_owner_adds_members_from_the_groups_tab_but_not_settings() {
    let mut h = Harness::lab();
    arrange(&h);
    let admin = h.session("admin", 1);
    let mut svc = h.engine();
    let owner = svc.group_access(GROUP, Access::Owner).unwrap().id;
    svc.assign(
        &admin,
        AssignInput {
            role: owner,
            upn: h.account("approver").upn.clone(),
            kind: AssignmentKind::Active,
            start: None,
            window: Window::For(chrono::TimeDelta::days(1)),
            justification: Some("owner".into()),
            otp: None,
        },
    )
    .unwrap();
    h.sign_in_keys("approver", 1);
    h.key(KeyCode::Char('8'));
    h.key(KeyCode::Enter);
    let d = h.main().roles.detail.as_ref().unwrap();
    assert_eq!(
        d.rows[0].len(),
        1,
        "the owner sees the group's eligible member"
    );
    h.key(KeyCode::Char('n'));
    assert!(
        matches!(
            h.app.popups.last(),
            Some(crate::tui::popup::Popup::Assign(_))
        ),
        "{:?}",
        h.app.popups.last()
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('e'));
    let text = screen_text(&h.draw(100, 30));
    assert!(text.contains("Read only"), "{text}");
}
