//! The admin side's intents: open a role, edit its settings, add, update and remove
//! assignments. Accounts without an active administrator role are told which role to activate
//! before they fill in a form the engine would refuse.

use crate::policy::model::{AssignmentKind, Origin};
use crate::service::{RemoveInput, Service, ServiceError, SessionToken};
use crate::store::assignments::Which;

use super::app::{App, Screen};
use super::msg::{Msg, Sub};
use super::popup::{AssignPopup, Popup, SettingsPopup, Tone, UpdatePopup};
use super::screen::roles::RoleDetail;
use crate::tui::msg::AdminMsg;

/// Loads one role's settings and assignment lists, keeping the previous selection.
pub fn load_detail(
    svc: &mut Service,
    token: &SessionToken,
    role_id: &str,
    previous: Option<RoleDetail>,
) -> Result<RoleDetail, ServiceError> {
    let view = svc.role_settings(token, role_id)?;
    // Every current assignment (a tenant holds what it holds); expired ones a page at a time,
    // as many as were loaded before.
    let current = svc.assignments(token, Some(role_id), None, Which::Current, i64::MAX, 0)?;
    let loaded = previous.as_ref().map_or(0, |p| p.rows[2].len());
    let page = i64::try_from(loaded.max(EXPIRED_PAGE)).unwrap_or(i64::MAX);
    let expired = svc.assignments(token, Some(role_id), None, Which::Expired, page, 0)?;
    let expired_total =
        usize::try_from(svc.count_assignments(token, Some(role_id), None, Which::Expired)?)
            .unwrap_or(0);
    let (eligible, active): (Vec<_>, Vec<_>) = current
        .into_iter()
        .partition(|r| r.assignment.kind == AssignmentKind::Eligible);
    let (sub, selected, offsets) = previous.map_or_else(
        || (Sub::Eligible, [0; 3], Default::default()),
        |p| (p.sub, p.selected, p.offsets),
    );
    Ok(RoleDetail {
        view,
        sub,
        rows: [eligible, active, expired],
        expired_total,
        selected,
        offsets,
    })
}

/// Expired assignments loaded at a time.
const EXPIRED_PAGE: usize = 200;

/// The next page of the open role's expired assignments.
pub fn more_expired(
    svc: &mut Service,
    token: &SessionToken,
    d: &mut RoleDetail,
) -> Result<(), ServiceError> {
    let offset = i64::try_from(d.rows[2].len()).unwrap_or(i64::MAX);
    let page = i64::try_from(EXPIRED_PAGE).unwrap_or(200);
    let role = d.view.role.id.clone();
    let more = svc.assignments(token, Some(&role), None, Which::Expired, page, offset)?;
    d.rows[2].extend(more);
    Ok(())
}

impl App {
    /// Acts on an admin-side intent.
    pub(super) fn update_admin(&mut self, msg: AdminMsg) {
        match msg {
            AdminMsg::OpenRole(id) => {
                if let Screen::Main(m) = &mut self.screen {
                    m.roles.back_to = None;
                }
                self.open_role(&id);
            }
            AdminMsg::OpenGroup(group, access) => self.open_group(&group, access),
            AdminMsg::MoreExpired => {
                let (Some(svc), Screen::Main(m)) = (self.svc.as_mut(), &mut self.screen) else {
                    return;
                };
                if let Some(d) = m.roles.detail.as_mut()
                    && let Err(e) = more_expired(svc, &m.session, d)
                {
                    self.fail(e);
                }
            }
            AdminMsg::OpenEditSettings => {
                if let Some(detail) = self.admin_detail("change role settings") {
                    let popup =
                        SettingsPopup::new(detail.view.role.clone(), detail.view.settings.clone());
                    self.popups.push(Popup::Settings(Box::new(popup)));
                }
            }
            AdminMsg::SaveSettings {
                role,
                patch,
                approvers,
            } => self.save_settings(&role, patch, approvers),
            AdminMsg::OpenAddAssignment => {
                if let Some(detail) = self.manager_detail("add assignments") {
                    let popup =
                        AssignPopup::new(detail.view.role.clone(), detail.view.settings.clone());
                    self.popups.push(Popup::Assign(Box::new(popup)));
                    self.update(Msg::Admin(AdminMsg::SearchUsers(String::new())));
                }
            }
            AdminMsg::SearchUsers(text) => self.search_users(&text),
            AdminMsg::Assign(inputs) => self.assign(inputs),
            AdminMsg::OpenUpdate => {
                if let Some(row) = self
                    .manager_detail("update assignments")
                    .and_then(|d| d.selected_row().cloned())
                {
                    if row.assignment.origin == Origin::Activated {
                        self.status = Some((
                            "That is the user's own activation: it ends by itself, or remove it with x.".into(),
                            Tone::Info,
                        ));
                    } else {
                        self.popups
                            .push(Popup::Update(Box::new(UpdatePopup::new(row))));
                    }
                }
            }
            AdminMsg::UpdateAssignment(input) => self.update_assignment(input),
            AdminMsg::ConfirmRemove => {
                if let Some(row) = self
                    .manager_detail("remove assignments")
                    .and_then(|d| d.selected_row().cloned())
                {
                    let a = &row.assignment;
                    self.popups.push(Popup::Confirm {
                        title: "Remove assignment".into(),
                        question: format!(
                            "Remove {}'s {} assignment of {}?{}",
                            row.principal.upn,
                            a.kind.label(),
                            row.role.display_name,
                            if a.kind == AssignmentKind::Eligible {
                                " Activations made from it end too."
                            } else {
                                ""
                            }
                        ),
                        on_yes: Msg::Admin(AdminMsg::RemoveAssignment(RemoveInput {
                            role: a.role_id.clone(),
                            upn: row.principal.upn.clone(),
                            kind: Some(a.kind),
                            assignment_id: Some(a.id.clone()),
                        })),
                    });
                }
            }
            AdminMsg::RemoveAssignment(input) => self.remove(input),
        }
    }

    /// The open role, if the account may change it; otherwise says which role to activate.
    /// [`Self::admin_detail`] for managing assignments: a group's active owners may manage
    /// its members and owners (the engine checks again).
    pub(super) fn manager_detail(&mut self, what: &str) -> Option<RoleDetail> {
        let group_entry = match &self.screen {
            Screen::Main(m) => m
                .roles
                .detail
                .as_ref()
                .filter(|d| d.view.role.group.is_some())
                .map(|d| d.view.role.id.clone()),
            _ => None,
        };
        if let Some(role) = group_entry
            && let Some((svc, token)) = self.session()
            && svc.manages(&token, &role).unwrap_or(false)
            && let Screen::Main(m) = &self.screen
        {
            return m.roles.detail.clone();
        }
        self.admin_detail(what)
    }

    pub(super) fn admin_detail(&mut self, what: &str) -> Option<RoleDetail> {
        let Screen::Main(m) = &self.screen else {
            return None;
        };
        let detail = m.roles.detail.clone()?;
        if m.caps.admin {
            return Some(detail);
        }
        let hint = if m.caps.eligible_admin_roles.is_empty() {
            "Ask an administrator: only active Global Administrators and Privileged Role Administrators can.".to_owned()
        } else {
            format!(
                "You are eligible for {}: activate it in My roles (1), then come back.",
                m.caps.eligible_admin_roles.join(" and ")
            )
        };
        self.popups.push(Popup::message(
            "Read only",
            format!("To {what} you need an active Global Administrator or Privileged Role Administrator role.\n{hint}"),
            Tone::Info,
        ));
        None
    }

    /// A group's member or owner entry, opened as a role page on the Roles tab; Esc comes back
    /// to the Groups tab.
    fn open_group(&mut self, group: &str, access: crate::policy::model::Access) {
        let (Some(svc), Screen::Main(m)) = (self.svc.as_mut(), &mut self.screen) else {
            return;
        };
        let role = match svc.group_access(group, access) {
            Ok(role) => role,
            Err(e) => return self.fail(e),
        };
        m.tab = super::msg::Tab::Roles;
        m.roles.back_to = Some(super::msg::Tab::Groups);
        self.open_role(&role.id);
        self.reload();
    }

    fn open_role(&mut self, id: &str) {
        let (Some(svc), Screen::Main(m)) = (self.svc.as_mut(), &mut self.screen) else {
            return;
        };
        match load_detail(svc, &m.session, id, None) {
            Ok(d) => m.roles.detail = Some(d),
            Err(e) => self.fail(e),
        }
    }

    fn save_settings(
        &mut self,
        role: &str,
        patch: crate::policy::settings::SettingsPatch,
        approvers: Option<Vec<String>>,
    ) {
        let Some((svc, token)) = self.session() else {
            return;
        };
        match svc.update_settings(&token, role, patch, approvers) {
            Ok((view, changes)) => {
                self.popups.pop();
                self.status = Some((
                    format!(
                        "Updated {} setting(s) of {}.",
                        changes.len(),
                        view.role.display_name
                    ),
                    Tone::Success,
                ));
                self.reload();
            }
            Err(e) => {
                if let Some(Popup::Settings(p)) = self.popups.last_mut() {
                    p.error = Some(e.to_string());
                }
            }
        }
    }

    fn search_users(&mut self, text: &str) {
        let Some((svc, token)) = self.session() else {
            return;
        };
        let found = svc.users(
            &token,
            (!text.trim().is_empty()).then_some(text.trim()),
            50,
            0,
        );
        if let (Ok(users), Some(Popup::Assign(p))) = (found, self.popups.last_mut()) {
            p.results = users;
            p.cursor = p.cursor.min(p.results.len().saturating_sub(1));
        }
    }

    fn assign(&mut self, inputs: Vec<crate::service::AssignInput>) {
        let Some((svc, token)) = self.session() else {
            return;
        };
        let mut done = Vec::new();
        let mut failed = Vec::new();
        for input in inputs {
            let upn = input.upn.clone();
            match svc.assign(&token, input) {
                Ok(_) => done.push(upn),
                Err(e) => failed.push(format!("{upn}: {e}")),
            }
        }
        if let Some(Popup::Assign(p)) = self.popups.last_mut() {
            p.chosen.retain(|c| !done.contains(&c.upn));
            if failed.is_empty() {
                self.popups.pop();
            } else {
                p.error = Some(failed.join("\n"));
            }
        }
        if !done.is_empty() {
            self.status = Some((format!("Assigned to {}.", done.join(", ")), Tone::Success));
        }
        self.reload();
    }

    fn update_assignment(&mut self, input: crate::service::UpdateInput) {
        let Some((svc, token)) = self.session() else {
            return;
        };
        match svc.update_assignment(&token, input) {
            Ok(done) => {
                self.popups.pop();
                self.status = Some((
                    format!(
                        "Updated {}'s assignment: now {}.",
                        done.principal.upn,
                        done.assignment.kind.label()
                    ),
                    Tone::Success,
                ));
                self.reload();
            }
            Err(e) => {
                if let Some(Popup::Update(p)) = self.popups.last_mut() {
                    p.error = Some(e.to_string());
                }
            }
        }
    }

    fn remove(&mut self, input: RemoveInput) {
        let Some((svc, token)) = self.session() else {
            return;
        };
        match svc.remove_assignment(&token, input) {
            Ok(done) => {
                let extra = if done.ended_activations > 0 {
                    " Its activations ended too."
                } else {
                    ""
                };
                self.status = Some((
                    format!(
                        "Removed {}'s {} assignment.{extra}",
                        done.principal.upn,
                        done.assignment.kind.label()
                    ),
                    Tone::Success,
                ));
                self.reload();
            }
            Err(e) => self
                .popups
                .push(Popup::message("Not removed", e.to_string(), Tone::Error)),
        }
    }
}
