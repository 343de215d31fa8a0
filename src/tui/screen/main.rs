//! The signed-in screen: tabs, and which keys work where.

use ratatui::crossterm::event::KeyEvent;

use crate::clock::Time;
use crate::policy::model::Tenant;
use crate::service::{Capabilities, SessionToken};
use crate::tui::keymap::{Action, Context, resolve};
use crate::tui::msg::{Msg, Tab};

use super::approvals::{AlertsState, ApprovalsState};
use super::audit::{AuditState, InboxState};
use super::my_roles::MyRolesState;
use super::roles::RolesState;

const TABS: usize = Tab::ALL.len();

/// Everything the signed-in screen shows.
#[derive(Debug, Clone)]
pub struct MainState {
    /// The session.
    pub session: SessionToken,
    /// What the account may do (from the engine).
    pub caps: Capabilities,
    /// The tenant.
    pub tenant: Tenant,
    /// When the session ends (real time).
    pub session_expires: Time,
    /// The visible tab.
    pub tab: Tab,
    /// My roles.
    pub my: MyRolesState,
    /// Roles (admin side).
    pub roles: RolesState,
    /// Audit.
    pub audit: AuditState,
    /// Inbox.
    pub inbox: InboxState,
    /// Approvals.
    pub approvals: ApprovalsState,
    /// Alerts.
    pub alerts: AlertsState,
    /// Access reviews.
    pub reviews: super::approvals::ReviewsState,
    /// Groups (admin side).
    pub groups: super::groups::GroupsState,
    /// Unread messages.
    pub unread: i64,
}

impl MainState {
    /// A freshly signed-in screen on My roles.
    pub fn new(
        session: SessionToken,
        caps: Capabilities,
        tenant: Tenant,
        session_expires: Time,
    ) -> Self {
        Self {
            session,
            caps,
            tenant,
            session_expires,
            tab: Tab::MyRoles,
            my: MyRolesState::default(),
            roles: RolesState::default(),
            audit: AuditState::default(),
            inbox: InboxState::default(),
            approvals: ApprovalsState::default(),
            alerts: AlertsState::default(),
            reviews: super::approvals::ReviewsState::default(),
            groups: super::groups::GroupsState::default(),
            unread: 0,
        }
    }

    /// The keymap contexts in force, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        let tab = match self.tab {
            Tab::MyRoles => Context::MyRoles,
            Tab::Roles if self.roles.detail.is_some() => Context::RoleDetail,
            Tab::Roles => Context::Roles,
            Tab::Audit => Context::Audit,
            Tab::Inbox => Context::Inbox,
            Tab::Approvals => Context::Approvals,
            Tab::Alerts => Context::Alerts,
            Tab::Reviews => Context::Reviews,
            Tab::Groups => Context::Groups,
        };
        vec![tab, Context::List, Context::Global]
    }

    /// Actions that do nothing where the screen is, left out of the footer.
    pub fn idle_actions(&self) -> Vec<Action> {
        use crate::tui::msg::Sub;
        let on_sub = |sub: Sub| match sub {
            Sub::Eligible => vec![Action::Deactivate, Action::Renew],
            Sub::Active => vec![Action::Activate, Action::Mark, Action::Renew],
            Sub::Groups => vec![Action::Mark, Action::Renew],
            Sub::Expired => vec![
                Action::Activate,
                Action::Mark,
                Action::Deactivate,
                Action::Extend,
            ],
        };
        match self.tab {
            Tab::MyRoles => on_sub(self.my.sub),
            Tab::Roles => match &self.roles.detail {
                Some(d) if d.sub == Sub::Expired => vec![Action::Extend, Action::Update],
                Some(_) => vec![Action::Renew],
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// A search field has the keyboard.
    pub fn typing(&self) -> bool {
        (self.tab == Tab::Roles && self.roles.searching)
            || (self.tab == Tab::Audit && self.audit.searching)
    }

    /// Handles a key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> Option<Msg> {
        if self.tab == Tab::Roles && self.roles.searching {
            self.roles.search_key(key);
            return None;
        }
        if self.tab == Tab::Audit && self.audit.searching {
            return self.audit.search_key(key);
        }
        let action = resolve(&self.contexts(), key)?;
        match action {
            Action::Quit => return Some(Msg::Quit),
            Action::Help => return Some(Msg::ShowHelp),
            Action::SignOut => return Some(Msg::SignOut),
            Action::Authenticator => return Some(Msg::ShowAuthenticator),
            Action::Accounts => return Some(Msg::ShowAccounts),
            Action::NextTab => {
                return Some(Msg::SwitchTab(Tab::ALL[(self.tab.index() + 1) % TABS]));
            }
            Action::PrevTab => {
                return Some(Msg::SwitchTab(
                    Tab::ALL[(self.tab.index() + TABS - 1) % TABS],
                ));
            }
            Action::GoTab(n) => {
                return Some(Msg::SwitchTab(Tab::ALL[usize::from(n).clamp(1, TABS) - 1]));
            }
            _ => {}
        }
        match self.tab {
            Tab::MyRoles => self.my.handle(action),
            Tab::Roles => self.roles.handle(action),
            Tab::Audit => self.audit.handle(action),
            Tab::Inbox => self.inbox.handle(action),
            Tab::Approvals => self.approvals.handle(action),
            Tab::Alerts => self.alerts.handle(action),
            Tab::Reviews => self.reviews.handle(action),
            Tab::Groups => self.groups.handle(action),
        }
    }

    /// Pasted text goes to a search field that has the keyboard.
    pub fn paste(&mut self, text: &str) {
        if self.tab == Tab::Roles && self.roles.searching {
            self.roles.search.paste(text);
        } else if self.tab == Tab::Audit && self.audit.searching {
            self.audit.search.paste(text);
        }
    }
}
