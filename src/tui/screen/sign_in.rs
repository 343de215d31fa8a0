//! The sign-in screen: user name and password, then the code (or, for an account without a
//! confirmed authenticator, the enrolment with its QR code and a first code).

use ratatui::crossterm::event::KeyEvent;

use crate::policy::model::{Principal, Tenant};
use crate::service::Enrolment;
use crate::tui::keymap::{Action, Context, resolve};
use crate::tui::msg::Msg;
use crate::tui::widgets::TextField;

/// Which step of signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// User name and password.
    Credentials,
    /// The authenticator code.
    Code,
    /// Set up the authenticator, then confirm with a first code.
    Enrol(Box<Enrolment>),
}

/// Sign-in state.
#[derive(Debug, Clone)]
pub struct SignInState {
    /// The tenant (title; lab or not).
    pub tenant: Tenant,
    /// Lab accounts listed beside the form (empty on standard tenants).
    pub lab_accounts: Vec<Principal>,
    /// Where we are.
    pub step: Step,
    /// User name.
    pub upn: TextField,
    /// Password (masked).
    pub password: TextField,
    /// The 6-digit code.
    pub code: TextField,
    /// 0: user name, 1: password.
    pub focus: usize,
    /// The last failure, in words.
    pub error: Option<String>,
    /// Which lab account Ctrl-n filled in last.
    next_account: usize,
}

impl SignInState {
    /// Keys of this screen.
    pub const CONTEXTS: &[Context] = &[Context::SignIn];

    /// A fresh form.
    pub fn new(tenant: Tenant, lab_accounts: Vec<Principal>) -> Self {
        Self {
            tenant,
            lab_accounts,
            step: Step::Credentials,
            upn: TextField::new(113).placeholder("name@domain"),
            password: TextField::new(256).masked(),
            code: TextField::new(8).placeholder("6 digits"),
            focus: 0,
            error: None,
            next_account: 0,
        }
    }

    /// Back to the first step, keeping the user name.
    pub fn start_over(&mut self) {
        self.step = Step::Credentials;
        self.password.set("");
        self.code.set("");
        self.focus = 1;
    }

    /// Handles a key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> Option<Msg> {
        let action = resolve(Self::CONTEXTS, key);
        match (action, &self.step) {
            (Some(Action::Quit), _) => Some(Msg::Quit),
            (Some(Action::Authenticator), _) => Some(Msg::ShowAuthenticator),
            (Some(Action::Pick), _) => {
                self.fill_next_account();
                None
            }
            (Some(Action::Back), Step::Credentials) => {
                self.password.set("");
                self.error = None;
                None
            }
            (Some(Action::Back), _) => {
                self.start_over();
                None
            }
            (Some(Action::NextField | Action::PrevField), Step::Credentials) => {
                self.focus = 1 - self.focus;
                None
            }
            (Some(Action::Submit), Step::Credentials) if self.focus == 0 => {
                self.focus = 1;
                None
            }
            (Some(Action::Submit), Step::Credentials) => Some(Msg::SubmitPassword),
            (Some(Action::Submit), _) => Some(Msg::SubmitCode),
            _ => {
                let field = match (&self.step, self.focus) {
                    (Step::Credentials, 0) => &mut self.upn,
                    (Step::Credentials, _) => &mut self.password,
                    _ => &mut self.code,
                };
                field.handle_key(*key);
                None
            }
        }
    }

    /// Pasted text goes to the focused field.
    pub fn paste(&mut self, text: &str) {
        match (&self.step, self.focus) {
            (Step::Credentials, 0) => self.upn.paste(text.trim()),
            (Step::Credentials, _) => self.password.paste(text),
            _ => self.code.paste(text.trim()),
        }
    }

    fn fill_next_account(&mut self) {
        if self.lab_accounts.is_empty() || self.step != Step::Credentials {
            return;
        }
        let p = &self.lab_accounts[self.next_account % self.lab_accounts.len()];
        self.upn.set(&p.upn);
        self.next_account += 1;
        self.focus = 1;
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;

    #[test]
    fn tab_moves_between_user_name_and_password() {
        let tenant = Tenant {
            id: "t".into(),
            domain: "pimlab.onmicrosoft.com".into(),
            display_name: "PIM Lab".into(),
            kind: crate::policy::model::TenantKind::Lab,
            licence: crate::policy::model::Licence::P2,
            clock_offset: chrono::TimeDelta::zero(),
            created_at: chrono::DateTime::UNIX_EPOCH,
        };
        let mut s = SignInState::new(tenant, Vec::new());
        for c in "abc".chars() {
            s.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        s.handle_key(&KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        for c in "pw".chars() {
            s.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert_eq!(s.upn.value(), "abc");
        assert_eq!(s.password.value(), "pw");
        assert!(matches!(
            s.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Msg::SubmitPassword)
        ));
    }
}
