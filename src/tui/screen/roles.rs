//! The admin side: the role catalogue (searchable), and one role's settings and assignments.

use ratatui::crossterm::event::KeyEvent;

use crate::service::{RoleOverview, SettingsView};
use crate::store::assignments::AssignmentRow;
use crate::tui::keymap::Action;
use crate::tui::msg::{Msg, Sub};
use crate::tui::widgets::TextField;

use super::navigate;
use crate::tui::msg::{AdminMsg, LifecycleMsg};

/// One open role.
#[derive(Debug, Clone)]
pub struct RoleDetail {
    /// Its settings.
    pub view: SettingsView,
    /// Which assignment list.
    pub sub: Sub,
    /// Eligible, active and expired assignments: every current one, and the expired ones
    /// loaded so far (newest first; more load as the selection reaches the end).
    pub rows: [Vec<AssignmentRow>; 3],
    /// How many expired assignments there are in all.
    pub expired_total: usize,
    /// Selection per list.
    pub selected: [usize; 3],
    /// The first row shown per list: only the rows that fit are drawn, and the window moves
    /// only when the selection leaves it.
    pub offsets: [std::cell::Cell<usize>; 3],
}

impl RoleDetail {
    /// How many assignments each list has in all.
    pub fn counts(&self) -> [usize; 3] {
        [
            self.rows[0].len(),
            self.rows[1].len(),
            self.expired_total.max(self.rows[2].len()),
        ]
    }

    /// Whether expired assignments remain to be loaded.
    pub fn more_expired(&self) -> bool {
        self.rows[2].len() < self.expired_total
    }

    /// The selected assignment.
    pub fn selected_row(&self) -> Option<&AssignmentRow> {
        let i = self.sub.index();
        self.rows[i].get(self.selected[i])
    }
}

/// Roles tab state.
#[derive(Debug, Clone)]
pub struct RolesState {
    /// The catalogue with counts.
    pub overview: Vec<RoleOverview>,
    /// Selection in the filtered catalogue.
    pub selected: usize,
    /// Where the catalogue is scrolled to.
    pub scroll: crate::tui::widgets::Scroll,
    /// Search text.
    pub search: TextField,
    /// Typing into the search field.
    pub searching: bool,
    /// The open role.
    pub detail: Option<RoleDetail>,
    /// The tab the open role was opened from (a group's entry from Groups), where Esc returns.
    pub back_to: Option<crate::tui::msg::Tab>,
}

impl Default for RolesState {
    fn default() -> Self {
        Self {
            overview: Vec::new(),
            selected: 0,
            scroll: Default::default(),
            search: TextField::new(60).placeholder("type / to search"),
            searching: false,
            detail: None,
            back_to: None,
        }
    }
}

impl RolesState {
    /// The catalogue filtered by the search text.
    pub fn filtered(&self) -> Vec<&RoleOverview> {
        let needle = self.search.value().to_lowercase();
        self.overview
            .iter()
            .filter(|r| {
                needle.is_empty()
                    || r.role.display_name.to_lowercase().contains(&needle)
                    || r.role.slug.contains(&needle)
            })
            .collect()
    }

    /// Keeps selections inside their lists after a reload.
    pub fn clamp(&mut self) {
        self.selected = self.selected.min(self.filtered().len().saturating_sub(1));
        if let Some(d) = &mut self.detail {
            for sub in Sub::ALL {
                let i = sub.index();
                d.selected[i] = d.selected[i].min(d.rows[i].len().saturating_sub(1));
            }
        }
    }

    /// While searching, keys go to the search field.
    pub fn search_key(&mut self, key: &KeyEvent) {
        match crate::tui::keymap::resolve(&[crate::tui::keymap::Context::Search], key) {
            Some(Action::Submit) => self.searching = false,
            Some(Action::Back) => {
                self.searching = false;
                self.search.set("");
            }
            _ => {
                self.search.handle_key(*key);
                self.selected = 0;
            }
        }
    }

    /// Handles an action on the catalogue or the open role.
    pub fn handle(&mut self, action: Action) -> Option<Msg> {
        if let Some(d) = &mut self.detail {
            let i = d.sub.index();
            if navigate(&mut d.selected[i], d.rows[i].len(), action, 10) {
                if d.sub == Sub::Expired
                    && d.selected[i] + 1 == d.rows[i].len()
                    && d.more_expired()
                    && matches!(action, Action::Down | Action::PageDown | Action::Bottom)
                {
                    return Some(Msg::Admin(AdminMsg::MoreExpired));
                }
                return None;
            }
            return match action {
                Action::Back => {
                    self.detail = None;
                    self.back_to.take().map(Msg::SwitchTab)
                }
                Action::Left => {
                    d.sub = d.sub.step(-1);
                    None
                }
                Action::Right => {
                    d.sub = d.sub.step(1);
                    None
                }
                Action::Edit => Some(Msg::Admin(AdminMsg::OpenEditSettings)),
                Action::Add => Some(Msg::Admin(AdminMsg::OpenAddAssignment)),
                Action::Update if d.selected_row().is_some() && d.sub != Sub::Expired => {
                    Some(Msg::Admin(AdminMsg::OpenUpdate))
                }
                Action::Remove if d.selected_row().is_some() && d.sub != Sub::Expired => {
                    Some(Msg::Admin(AdminMsg::ConfirmRemove))
                }
                Action::Extend if d.selected_row().is_some() && d.sub != Sub::Expired => {
                    Some(Msg::Lifecycle(LifecycleMsg::OpenAdminLifecycle(
                        crate::service::Ask::Extend,
                    )))
                }
                Action::Renew if d.selected_row().is_some() && d.sub == Sub::Expired => Some(
                    Msg::Lifecycle(LifecycleMsg::OpenAdminLifecycle(crate::service::Ask::Renew)),
                ),
                _ => None,
            };
        }
        let len = self.filtered().len();
        if navigate(&mut self.selected, len, action, 10) {
            return None;
        }
        match action {
            Action::Search => {
                self.searching = true;
                None
            }
            Action::Open => self
                .filtered()
                .get(self.selected)
                .map(|r| Msg::Admin(AdminMsg::OpenRole(r.role.id.clone()))),
            _ => None,
        }
    }
}
