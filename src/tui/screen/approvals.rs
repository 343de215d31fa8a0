//! The Approvals tab (requests to decide first, then the account's own requests) and the
//! Alerts tab.

use crate::service::{AlertView, RequestView};
use crate::tui::keymap::Action;
use crate::tui::msg::Msg;

use super::navigate;
use crate::tui::msg::LifecycleMsg;

/// Approvals tab state.
#[derive(Debug, Clone, Default)]
pub struct ApprovalsState {
    /// Requests to decide, then the account's own (as the engine orders them).
    pub list: Vec<RequestView>,
    /// Selection.
    pub selected: usize,
    /// Where the list is scrolled to.
    pub scroll: crate::tui::widgets::Scroll,
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
            Action::Open => Some(Msg::Lifecycle(LifecycleMsg::OpenRequest(self.selected))),
            Action::Approve if v.can_decide => Some(Msg::Lifecycle(LifecycleMsg::OpenDecide {
                id,
                approve: true,
            })),
            Action::Deny if v.can_decide => Some(Msg::Lifecycle(LifecycleMsg::OpenDecide {
                id,
                approve: false,
            })),
            Action::CancelRequest if v.request.status.is_pending() => {
                Some(Msg::Lifecycle(LifecycleMsg::ConfirmCancelRequest(id)))
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
    /// Where the list is scrolled to.
    pub scroll: crate::tui::widgets::Scroll,
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
            Action::Open => Some(Msg::Lifecycle(LifecycleMsg::OpenAlert(self.selected))),
            Action::Dismiss if a.active() => {
                Some(Msg::Lifecycle(LifecycleMsg::ConfirmDismissAlert(a.id)))
            }
            Action::Fix => Some(Msg::Lifecycle(LifecycleMsg::PreviewAlertFix(a.id))),
            Action::Settings => Some(Msg::Lifecycle(LifecycleMsg::OpenAlertSettings(a.id))),
            _ => None,
        }
    }
}

/// One row of the Reviews tab: an assignment under a review the account may see.
#[derive(Debug, Clone)]
pub struct ReviewRow {
    /// Its review.
    pub review: std::sync::Arc<crate::service::ReviewView>,
    /// The item.
    pub item: crate::service::ReviewItem,
    /// This account may decide on it now.
    pub can_decide: bool,
}

/// Reviews tab state.
#[derive(Debug, Clone, Default)]
pub struct ReviewsState {
    /// Items to decide first, then the rest, by review (loaded on the tab).
    pub rows: Vec<ReviewRow>,
    /// Selection.
    pub selected: usize,
    /// Where the list is scrolled to.
    pub scroll: crate::tui::widgets::Scroll,
    /// Decisions waiting for this account (counted on every refresh, for the tab).
    pub waiting: usize,
}

impl ReviewsState {
    /// Builds the rows: what `me` may decide first.
    pub fn load(
        &mut self,
        reviews: Vec<crate::service::ReviewView>,
        me: &crate::policy::model::Principal,
    ) {
        let mut rows = Vec::new();
        for v in reviews {
            let v = std::sync::Arc::new(v);
            for item in &v.items {
                let active = v.status == "active" && item.decision.is_none();
                let can_decide = active
                    && if v.self_review {
                        item.principal.id == me.id
                    } else {
                        v.reviewers.iter().any(|p| p.id == me.id) && item.principal.id != me.id
                    };
                rows.push(ReviewRow {
                    review: std::sync::Arc::clone(&v),
                    item: item.clone(),
                    can_decide,
                });
            }
        }
        rows.sort_by_key(|r| (!r.can_decide, r.review.status != "active"));
        self.waiting = rows.iter().filter(|r| r.can_decide).count();
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// How many wait for this account's decision.
    pub fn to_decide(&self) -> usize {
        self.waiting
    }

    /// Handles an action.
    pub fn handle(&mut self, action: Action) -> Option<Msg> {
        if navigate(&mut self.selected, self.rows.len(), action, 10) {
            return None;
        }
        let r = self.rows.get(self.selected)?;
        let decide = |approve| {
            Msg::Lifecycle(LifecycleMsg::OpenReviewDecision {
                id: r.review.id.clone(),
                upn: r.item.principal.upn.clone(),
                approve,
            })
        };
        match action {
            Action::Open => Some(Msg::Lifecycle(LifecycleMsg::OpenReview(self.selected))),
            Action::Approve if r.can_decide => Some(decide(true)),
            Action::Deny if r.can_decide => Some(decide(false)),
            _ => None,
        }
    }
}
