//! The admin side's groups (PIM for Groups): each group with who holds its membership and
//! ownership. Enter opens the group's member (or, after →, owner) entry as a role page, with
//! its assignments, settings and add form.

use crate::policy::model::Access;
use crate::store::groups::GroupSummary;
use crate::tui::keymap::Action;
use crate::tui::msg::Msg;

use super::navigate;
use crate::tui::msg::AdminMsg;

/// Groups tab state.
#[derive(Debug, Clone)]
pub struct GroupsState {
    /// Every group with its counts.
    pub list: Vec<GroupSummary>,
    /// Selection.
    pub selected: usize,
    /// Where the list is scrolled to.
    pub scroll: crate::tui::widgets::Scroll,
    /// Which access Enter opens.
    pub access: Access,
}

impl Default for GroupsState {
    fn default() -> Self {
        Self {
            list: Vec::new(),
            selected: 0,
            scroll: Default::default(),
            access: Access::Member,
        }
    }
}

impl GroupsState {
    /// Keeps the selection inside the list after a reload.
    pub fn clamp(&mut self) {
        self.selected = self.selected.min(self.list.len().saturating_sub(1));
    }

    /// Handles an action.
    pub fn handle(&mut self, action: Action) -> Option<Msg> {
        if navigate(&mut self.selected, self.list.len(), action, 10) {
            return None;
        }
        match action {
            Action::Left => self.access = Access::Member,
            Action::Right => self.access = Access::Owner,
            Action::Open => {
                let g = self.list.get(self.selected)?;
                return Some(Msg::Admin(AdminMsg::OpenGroup(
                    g.group.principal.id.clone(),
                    self.access,
                )));
            }
            _ => {}
        }
        None
    }
}
