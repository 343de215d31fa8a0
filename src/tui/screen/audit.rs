//! The Audit and Inbox tabs: newest first, one page at a time.

use ratatui::crossterm::event::KeyEvent;

use crate::audit::AuditRecord;
use crate::notify::Email;
use crate::service::AuditQuery;
use crate::tui::keymap::{Action, Context, resolve};
use crate::tui::msg::Msg;
use crate::tui::widgets::TextField;

use super::navigate;

/// Entries loaded per page.
pub const PAGE: i64 = 200;

/// Audit tab state.
#[derive(Debug, Clone)]
pub struct AuditState {
    /// Loaded entries, newest first.
    pub rows: Vec<AuditRecord>,
    /// Selection.
    pub selected: usize,
    /// Where the list is scrolled to.
    pub scroll: crate::tui::widgets::Scroll,
    /// The filters in force.
    pub query: AuditQuery,
    /// The whole log (resource audit) or only the user's own (my audit).
    pub everyone: bool,
    /// Text search field.
    pub search: TextField,
    /// Typing into the search field.
    pub searching: bool,
    /// No older entries to load.
    pub exhausted: bool,
}

impl Default for AuditState {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            selected: 0,
            scroll: Default::default(),
            query: AuditQuery {
                limit: PAGE,
                ..AuditQuery::default()
            },
            everyone: false,
            search: TextField::new(200).placeholder("type / to search justifications"),
            searching: false,
            exhausted: false,
        }
    }
}

impl AuditState {
    /// While searching, keys go to the search field; Enter applies it.
    pub fn search_key(&mut self, key: &KeyEvent) -> Option<Msg> {
        match resolve(&[Context::Search], key) {
            Some(Action::Submit) => {
                self.searching = false;
                let text = self.search.value();
                let query = AuditQuery {
                    text: (!text.trim().is_empty()).then(|| text.trim().to_owned()),
                    ..self.query.clone()
                };
                Some(Msg::ApplyAuditFilter(query))
            }
            Some(Action::Back) => {
                self.searching = false;
                None
            }
            _ => {
                self.search.handle_key(*key);
                None
            }
        }
    }

    /// Handles an action.
    pub fn handle(&mut self, action: Action) -> Option<Msg> {
        if navigate(&mut self.selected, self.rows.len(), action, 10) {
            if self.selected + 1 == self.rows.len()
                && !self.exhausted
                && matches!(action, Action::Down | Action::PageDown | Action::Bottom)
            {
                return Some(Msg::MoreAudit);
            }
            return None;
        }
        match action {
            Action::Open if !self.rows.is_empty() => Some(Msg::OpenAuditEntry(self.selected)),
            Action::Search => {
                self.searching = true;
                None
            }
            Action::Filter => Some(Msg::OpenAuditFilter),
            Action::More if !self.exhausted => Some(Msg::MoreAudit),
            _ => None,
        }
    }
}

/// Inbox tab state.
#[derive(Debug, Clone, Default)]
pub struct InboxState {
    /// Messages, newest first.
    pub mail: Vec<Email>,
    /// Selection.
    pub selected: usize,
    /// Where the list is scrolled to.
    pub scroll: crate::tui::widgets::Scroll,
}

impl InboxState {
    /// Handles an action.
    pub fn handle(&mut self, action: Action) -> Option<Msg> {
        if navigate(&mut self.selected, self.mail.len(), action, 10) {
            return None;
        }
        match action {
            Action::Open => self
                .mail
                .get(self.selected)
                .map(|m| Msg::OpenEmail(m.id.clone())),
            _ => None,
        }
    }
}
