//! My roles: the signed-in user's Eligible, Active and Expired assignments.

use crate::policy::model::Origin;
use crate::service::Status;
use crate::store::assignments::AssignmentRow;
use crate::tui::keymap::Action;
use crate::tui::msg::{Msg, Sub};

use super::navigate;
use crate::tui::msg::LifecycleMsg;

/// My roles state.
#[derive(Debug, Clone)]
pub struct MyRolesState {
    /// Which list.
    pub sub: Sub,
    /// Selection per list (by [`Sub::index`]).
    pub selected: [usize; 4],
    /// Where each list is scrolled to (by [`Sub::index`]).
    pub scrolls: [crate::tui::widgets::Scroll; 4],
    /// Eligible and active roles.
    pub status: Option<Status>,
    /// Recently expired assignments.
    pub expired: Vec<AssignmentRow>,
    /// Eligible roles marked (Space) to activate together, by role id, in marking order.
    pub marked: Vec<String>,
}

impl Default for MyRolesState {
    fn default() -> Self {
        Self {
            sub: Sub::Eligible,
            selected: [0; 4],
            scrolls: Default::default(),
            status: None,
            expired: Vec::new(),
            marked: Vec::new(),
        }
    }
}

impl MyRolesState {
    /// Rows in the current list.
    pub fn len(&self, sub: Sub) -> usize {
        match (sub, &self.status) {
            (Sub::Eligible, Some(s)) => s.eligible.len(),
            (Sub::Active, Some(s)) => s.active.len(),
            (Sub::Expired, _) => self.expired.len(),
            (Sub::Groups, Some(s)) => s.group_active.len() + s.group_eligible.len(),
            _ => 0,
        }
    }

    /// The selected row of the Groups list: active memberships first, then eligible ones.
    pub fn selected_group(&self) -> Option<&AssignmentRow> {
        let s = self.status.as_ref()?;
        let i = self.selected[Sub::Groups.index()];
        s.group_active.get(i).or_else(|| {
            s.group_eligible
                .get(i - s.group_active.len())
                .map(|e| &e.row)
        })
    }

    /// The selected assignment of the current list.
    pub fn selected_row(&self) -> Option<&AssignmentRow> {
        let i = self.selected[self.sub.index()];
        match (self.sub, &self.status) {
            (Sub::Eligible, Some(s)) => s.eligible.get(i).map(|e| &e.row),
            (Sub::Active, Some(s)) => s.active.get(i),
            (Sub::Expired, _) => self.expired.get(i),
            (Sub::Groups, _) => self.selected_group(),
            _ => None,
        }
    }

    /// Keeps selections inside their lists after a reload.
    pub fn clamp(&mut self) {
        for sub in Sub::MINE {
            let len = self.len(sub);
            self.selected[sub.index()] = self.selected[sub.index()].min(len.saturating_sub(1));
        }
        // A mark stays only while its role is still eligible.
        let eligible: Vec<&str> = self
            .status
            .iter()
            .flat_map(|s| s.eligible.iter().map(|e| e.row.role.id.as_str()))
            .collect();
        self.marked.retain(|id| eligible.contains(&id.as_str()));
    }

    /// Whether an eligible role is marked.
    pub fn is_marked(&self, role_id: &str) -> bool {
        self.marked.iter().any(|m| m == role_id)
    }

    /// Handles an action.
    pub fn handle(&mut self, action: Action) -> Option<Msg> {
        let i = self.sub.index();
        let len = self.len(self.sub);
        if navigate(&mut self.selected[i], len, action, 10) {
            return None;
        }
        let status = self.status.as_ref()?;
        match action {
            Action::Left => self.sub = self.sub.step_in(&Sub::MINE, -1),
            Action::Right => self.sub = self.sub.step_in(&Sub::MINE, 1),
            Action::Mark if self.sub == Sub::Eligible => {
                let id = status.eligible.get(self.selected[i])?.row.role.id.clone();
                if self.is_marked(&id) {
                    self.marked.retain(|m| *m != id);
                } else {
                    self.marked.push(id);
                }
                // Marking moves on, like a file manager.
                self.selected[i] = (self.selected[i] + 1).min(len.saturating_sub(1));
            }
            Action::Activate if self.sub == Sub::Eligible => {
                if !self.marked.is_empty() {
                    return Some(Msg::OpenActivate(self.marked.clone()));
                }
                let e = status.eligible.get(self.selected[i])?;
                return Some(Msg::OpenActivate(vec![e.row.role.id.clone()]));
            }
            Action::Extend if self.sub != Sub::Expired && self.selected_row().is_some() => {
                return Some(Msg::Lifecycle(LifecycleMsg::OpenAskLifecycle(
                    crate::service::Ask::Extend,
                )));
            }
            Action::Renew if self.sub == Sub::Expired && self.selected_row().is_some() => {
                return Some(Msg::Lifecycle(LifecycleMsg::OpenAskLifecycle(
                    crate::service::Ask::Renew,
                )));
            }
            Action::Deactivate if self.sub == Sub::Active => {
                let a = status.active.get(self.selected[i])?;
                if a.assignment.origin == Origin::Activated {
                    return Some(Msg::ConfirmDeactivate(
                        a.role.id.clone(),
                        a.role.display_name.clone(),
                    ));
                }
            }
            // A group's membership or ownership: activate an eligible one, deactivate an
            // activated one (each by its catalogue id).
            Action::Activate if self.sub == Sub::Groups => {
                let row = self.selected_group()?;
                if row.assignment.kind == crate::policy::model::AssignmentKind::Eligible {
                    return Some(Msg::OpenActivate(vec![row.role.id.clone()]));
                }
            }
            Action::Deactivate if self.sub == Sub::Groups => {
                let row = self.selected_group()?;
                if row.assignment.origin == Origin::Activated {
                    return Some(Msg::ConfirmDeactivate(
                        row.role.id.clone(),
                        row.role.display_name.clone(),
                    ));
                }
            }
            _ => {}
        }
        None
    }
}
