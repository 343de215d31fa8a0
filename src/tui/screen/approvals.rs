//! The Approvals tab (requests to decide first, then the account's own requests) and the
//! Alerts tab.

use crate::service::{AlertView, RequestView};
use crate::tui::keymap::Action;
use crate::tui::msg::Msg;

use super::navigate;

/// Approvals tab state.
#[derive(Debug, Clone, Default)]
pub struct ApprovalsState {
    /// Requests to decide, then the account's own (as the engine orders them).
    pub list: Vec<RequestView>,
    /// Selection.
    pub selected: usize,
}

impl ApprovalsState {
    /// How many wait for this account's decision.
    pub fn to_decide(&self) -> usize {
        self.list.iter().filter(|v| v.can_decide).count()
    }

    /// What the tab counts: requests to decide, and the account's own still waiting.
    pub fn waiting(&self) -> usize {
        self.list
            .iter()
            .filter(|v| v.can_decide || (v.mine && v.request.status.is_pending()))
            .count()
    }

    /// The selected request.
    pub fn current(&self) -> Option<&RequestView> {
        self.list.get(self.selected)
    }

    /// Handles an action.
    pub fn handle(&mut self, action: Action) -> Option<Msg> {
        if navigate(&mut self.selected, self.list.len(), action, 10) {
            return None;
        }
        let v = self.current()?;
        let id = v.request.id.clone();
        match action {
            Action::Open => Some(Msg::OpenRequest(self.selected)),
            Action::Approve if v.can_decide => Some(Msg::OpenDecide { id, approve: true }),
            Action::Deny if v.can_decide => Some(Msg::OpenDecide { id, approve: false }),
            Action::CancelRequest if v.request.status.is_pending() => {
                Some(Msg::ConfirmCancelRequest(id))
            }
            _ => None,
        }
    }
}

/// Alerts tab state.
#[derive(Debug, Clone, Default)]
pub struct AlertsState {
    /// Every alert, most severe first.
    pub list: Vec<AlertView>,
    /// Selection.
    pub selected: usize,
    /// The account may not read alerts (the reason, from the engine).
    pub denied: Option<String>,
    /// Computed at least once (at sign-in, for the tab's count; then on the tab).
    pub loaded: bool,
    /// When they were last computed (real time): at most once a second, however many
    /// changes arrive.
    pub computed_at: Option<crate::clock::Time>,
    /// Something changed since: the next tick computes them again.
    pub stale: bool,
}

impl AlertsState {
    /// Alerts firing and not dismissed.
    pub fn active(&self) -> usize {
        self.list.iter().filter(|a| a.active()).count()
    }

    /// Handles an action.
    pub fn handle(&mut self, action: Action) -> Option<Msg> {
        if navigate(&mut self.selected, self.list.len(), action, 10) {
            return None;
        }
        let a = self.list.get(self.selected)?;
        match action {
            Action::Open => Some(Msg::OpenAlert(self.selected)),
            Action::Dismiss if a.active() => Some(Msg::ConfirmDismissAlert(a.id)),
            Action::Fix => Some(Msg::PreviewAlertFix(a.id)),
            Action::Settings => Some(Msg::OpenAlertSettings(a.id)),
            _ => None,
        }
    }
}
