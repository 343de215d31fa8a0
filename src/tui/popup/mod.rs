//! Popups are an enum that owns its state (forms included). The top popup takes every key
//! first and is drawn last. A confirm popup carries the intent it will send.

use ratatui::crossterm::event::KeyEvent;

use crate::audit::AuditRecord;
use crate::notify::Email;
use crate::service::{AuditQuery, AuthenticatorCode, CreatedAccount};
use crate::tui::keymap::{Action, Context, resolve};
use crate::tui::msg::LifecycleMsg;
use crate::tui::msg::Msg;
use crate::tui::widgets::{Field, Form, FormEvent, Input, TextField};

pub mod activate;
pub mod assign;
pub mod lifecycle;
pub mod settings;

pub use activate::ActivatePopup;
pub use assign::{AssignPopup, UpdatePopup};
pub use lifecycle::LifecyclePopup;
pub use settings::SettingsPopup;

/// What a popup did with a key.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Handled; nothing for the app.
    Consumed,
    /// Close this popup.
    Close,
    /// Close this popup and show a note in the status line.
    CloseWith(String),
    /// Send an intent; the popup stays.
    Emit(Msg),
    /// Close this popup and send an intent.
    CloseEmit(Msg),
}

/// How a message looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Neutral.
    Info,
    /// Something worked.
    Success,
    /// Something failed or was refused.
    Error,
}

/// Every popup.
#[derive(Debug, Clone)]
pub enum Popup {
    /// The key help for the contexts underneath.
    Help {
        /// The contexts whose keys are listed.
        contexts: Vec<Context>,
        /// Scroll offset.
        scroll: u16,
    },
    /// A message.
    Message {
        /// Title.
        title: String,
        /// Lines of text.
        lines: Vec<String>,
        /// How it looks.
        tone: Tone,
        /// Scroll offset.
        scroll: u16,
    },
    /// A yes/no question that sends `on_yes` when answered yes.
    Confirm {
        /// Title.
        title: String,
        /// The question.
        question: String,
        /// What yes does.
        on_yes: Msg,
    },
    /// The lab accounts just created (passwords and secrets shown once).
    LabAccounts(Vec<CreatedAccount>),
    /// The lab's authenticator.
    Authenticator(Box<AuthPanel>),
    /// Choose a scenario, then where it stops.
    Scenarios(Box<ScenarioPicker>),
    /// One request in full; `a`, `d` and `c` act on it as in the list.
    Request {
        /// The request.
        view: Box<crate::service::RequestView>,
        /// Its description.
        lines: Vec<String>,
        /// Scroll offset.
        scroll: u16,
    },
    /// The accounts, with their lockouts; `u` unlocks one.
    Accounts(Vec<crate::service::UserSummary>, usize),
    /// An account's authenticator enrolment: its QR code and secret.
    Enrolment {
        /// Title.
        title: String,
        /// What it is and what to do, before the code.
        intro: Vec<String>,
        /// The enrolment.
        enrolment: Box<crate::service::Enrolment>,
    },
    /// One e-mail.
    Email(Box<Email>, u16),
    /// One audit entry.
    AuditEntry(Box<AuditRecord>, u16),
    /// Activate an eligible role.
    Activate(Box<ActivatePopup>),
    /// Edit a role's settings.
    Settings(Box<SettingsPopup>),
    /// Add assignments.
    Assign(Box<AssignPopup>),
    /// Update an assignment.
    Update(Box<UpdatePopup>),
    /// Create a tenant.
    Tenant(Box<Form>, Option<String>),
    /// Filter the audit log.
    AuditFilter(Box<Form>),
    /// Approve, deny, ask for or make an extension or renewal, or an alert's settings.
    Lifecycle(Box<LifecyclePopup>),
}

impl Popup {
    /// A neutral message.
    pub fn message(title: impl Into<String>, text: impl Into<String>, tone: Tone) -> Popup {
        Popup::Message {
            title: title.into(),
            lines: text.into().lines().map(str::to_owned).collect(),
            tone,
            scroll: 0,
        }
    }

    /// The tenant creation form.
    pub fn tenant_form() -> Popup {
        let text = |max, hint| Input::Text(TextField::new(max).placeholder(hint));
        Popup::Tenant(
            Box::new(Form::new(vec![
                Field::new("domain", "Domain", text(253, "contoso.onmicrosoft.com")),
                Field::new("name", "Tenant name", text(256, "Contoso")),
                Field::new(
                    "admin",
                    "Global Administrator",
                    text(113, "alice@contoso.onmicrosoft.com"),
                ),
                Field::new("admin_name", "Their display name", text(256, "Alice")),
                Field::new(
                    "password",
                    "Password",
                    Input::Text(TextField::new(256).masked()),
                )
                .note("12+ characters"),
                Field::new(
                    "confirm",
                    "Password again",
                    Input::Text(TextField::new(256).masked()),
                ),
            ])),
            None,
        )
    }

    /// The audit filter form, filled with the filters in force.
    pub fn audit_filter(q: &AuditQuery) -> Popup {
        let text = |v: &Option<String>, hint| {
            Input::Text(
                TextField::new(200)
                    .with_value(v.as_deref().unwrap_or(""))
                    .placeholder(hint),
            )
        };
        Popup::AuditFilter(Box::new(Form::new(vec![
            Field::new(
                "activity",
                "Activity contains",
                text(&q.activity, "e.g. PIM activation"),
            ),
            Field::new("role", "Role", text(&q.role, "e.g. Security Reader")),
            Field::new(
                "user",
                "User (actor or target)",
                text(&q.user, "e.g. pimuser@pimlab.onmicrosoft.com"),
            ),
            Field::new("text", "Justification contains", text(&q.text, "")),
            Field::new("failures", "Failures only", Input::Switch(q.failures_only)),
        ])))
    }

    /// The keymap contexts while this popup is on top.
    pub fn contexts(&self) -> Vec<Context> {
        match self {
            Popup::Authenticator(_) => vec![Context::Authenticator],
            Popup::Scenarios(_) => vec![Context::Picker],
            Popup::Accounts(..) => vec![Context::Accounts],
            Popup::Request { .. } => vec![Context::Message, Context::Approvals],
            Popup::Confirm { .. } => vec![Context::Confirm],
            Popup::Activate(p) => p.contexts(),
            Popup::Settings(p) => p.contexts(),
            Popup::Assign(p) => p.contexts(),
            Popup::Update(p) => p.contexts(),
            Popup::Lifecycle(p) => p.contexts(),
            Popup::Tenant(..) | Popup::AuditFilter(_) => vec![Context::Form],
            _ => vec![Context::Message],
        }
    }

    /// Handles a key; the popup is modal.
    pub fn handle_key(&mut self, key: &KeyEvent) -> Outcome {
        match self {
            Popup::Activate(p) => p.handle_key(key),
            Popup::Settings(p) => p.handle_key(key),
            Popup::Assign(p) => p.handle_key(key),
            Popup::Update(p) => p.handle_key(key),
            Popup::Lifecycle(p) => p.handle_key(key),
            Popup::Tenant(form, error) => tenant_key(form, error, key),
            Popup::AuditFilter(form) => filter_key(form, key),
            Popup::Confirm { on_yes, .. } => match resolve(&[Context::Confirm], key) {
                Some(Action::Yes) => Outcome::CloseEmit(on_yes.clone()),
                Some(Action::No) => Outcome::Close,
                _ => Outcome::Consumed,
            },
            Popup::Help { scroll, .. }
            | Popup::Message { scroll, .. }
            | Popup::Email(_, scroll)
            | Popup::AuditEntry(_, scroll) => match resolve(&[Context::Message], key) {
                Some(Action::Back) => Outcome::Close,
                Some(Action::Up) => {
                    *scroll = scroll.saturating_sub(1);
                    Outcome::Consumed
                }
                Some(Action::Down) => {
                    *scroll = scroll.saturating_add(1);
                    Outcome::Consumed
                }
                _ => Outcome::Consumed,
            },
            Popup::Authenticator(p) => p.handle_key(key),
            Popup::Scenarios(p) => p.handle_key(key),
            Popup::Request { view, scroll, .. } => {
                let id = view.request.id.clone();
                match resolve(&[Context::Message, Context::Approvals], key) {
                    Some(Action::Back) => Outcome::Close,
                    Some(Action::Up) => {
                        *scroll = scroll.saturating_sub(1);
                        Outcome::Consumed
                    }
                    Some(Action::Down) => {
                        *scroll = scroll.saturating_add(1);
                        Outcome::Consumed
                    }
                    Some(Action::Approve) if view.can_decide => {
                        Outcome::CloseEmit(Msg::Lifecycle(LifecycleMsg::OpenDecide {
                            id,
                            approve: true,
                        }))
                    }
                    Some(Action::Deny) if view.can_decide => {
                        Outcome::CloseEmit(Msg::Lifecycle(LifecycleMsg::OpenDecide {
                            id,
                            approve: false,
                        }))
                    }
                    Some(Action::CancelRequest) if view.request.status.is_pending() => {
                        Outcome::CloseEmit(Msg::Lifecycle(LifecycleMsg::ConfirmCancelRequest(id)))
                    }
                    _ => Outcome::Consumed,
                }
            }
            Popup::Accounts(list, selected) => match resolve(&[Context::Accounts], key) {
                Some(Action::Up) => {
                    *selected = selected.saturating_sub(1);
                    Outcome::Consumed
                }
                Some(Action::Down) => {
                    *selected = (*selected + 1).min(list.len().saturating_sub(1));
                    Outcome::Consumed
                }
                Some(Action::Unlock) => match list.get(*selected) {
                    Some(u) => Outcome::Emit(Msg::Unlock(u.principal.upn.clone())),
                    None => Outcome::Consumed,
                },
                Some(Action::Back) => Outcome::Close,
                _ => Outcome::Consumed,
            },
            Popup::LabAccounts(_) | Popup::Enrolment { .. } => {
                match resolve(&[Context::Message], key) {
                    Some(Action::Back) => Outcome::Close,
                    _ => Outcome::Consumed,
                }
            }
        }
    }

    /// Pasted text goes to the popup's focused field.
    pub fn paste(&mut self, text: &str) -> Outcome {
        match self {
            Popup::Activate(p) => p.paste(text),
            Popup::Settings(p) => p.paste(text),
            Popup::Assign(p) => return p.paste(text),
            Popup::Update(p) => p.form.paste(text),
            Popup::Lifecycle(p) => p.paste(text),
            Popup::Tenant(form, _) | Popup::AuditFilter(form) => form.paste(text),
            _ => {}
        }
        Outcome::Consumed
    }
}

fn tenant_key(form: &mut Form, error: &mut Option<String>, key: &KeyEvent) -> Outcome {
    match form.handle_key(key) {
        FormEvent::Submit => {
            if form.text("password") != form.text("confirm") {
                *error = Some("the two passwords differ".into());
                form.focus_on("confirm");
                return Outcome::Consumed;
            }
            Outcome::Emit(Msg::CreateTenant {
                domain: form.text("domain"),
                name: form.text("name"),
                admin_upn: form.text("admin"),
                admin_name: form.text("admin_name"),
                password: form.text("password"),
            })
        }
        FormEvent::Cancel => Outcome::Close,
        _ => Outcome::Consumed,
    }
}

fn filter_key(form: &mut Form, key: &KeyEvent) -> Outcome {
    match form.handle_key(key) {
        FormEvent::Submit => {
            let opt = |id| {
                let v = form.text(id);
                (!v.trim().is_empty()).then(|| v.trim().to_owned())
            };
            Outcome::CloseEmit(Msg::ApplyAuditFilter(AuditQuery {
                activity: opt("activity"),
                role: opt("role"),
                user: opt("user"),
                text: opt("text"),
                failures_only: form.switch("failures"),
                limit: crate::tui::screen::audit::PAGE,
                ..AuditQuery::default()
            }))
        }
        FormEvent::Cancel => Outcome::Close,
        _ => Outcome::Consumed,
    }
}

/// The lab authenticator: every lab account's current code, like a phone; Enter shows the
/// selected account's QR code to add it to a real phone.
#[derive(Debug, Clone)]
pub struct AuthPanel {
    /// The codes, refreshed every second.
    pub codes: Vec<AuthenticatorCode>,
    /// The selected account.
    pub selected: usize,
    /// The QR code shown, if one.
    pub qr: Option<Box<crate::service::Enrolment>>,
}

impl AuthPanel {
    /// The panel on the codes, first account selected.
    pub fn new(codes: Vec<AuthenticatorCode>) -> Self {
        Self {
            codes,
            selected: 0,
            qr: None,
        }
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Outcome {
        match resolve(&[Context::Authenticator], key) {
            Some(Action::Up) if self.qr.is_none() => {
                self.selected = self.selected.saturating_sub(1);
                Outcome::Consumed
            }
            Some(Action::Down) if self.qr.is_none() => {
                self.selected = (self.selected + 1).min(self.codes.len().saturating_sub(1));
                Outcome::Consumed
            }
            Some(Action::Open) if self.qr.is_none() => match self.codes.get(self.selected) {
                Some(c) => Outcome::Emit(Msg::ShowLabQr(c.principal.upn.clone())),
                None => Outcome::Consumed,
            },
            Some(Action::Back) if self.qr.is_some() => {
                self.qr = None;
                Outcome::Consumed
            }
            Some(Action::Back) => Outcome::Close,
            _ => Outcome::Consumed,
        }
    }
}

/// The scenarios, then, for the chosen one, where to stop: after every step, or before one of
/// them (so a class starts there).
#[derive(Debug, Clone)]
pub struct ScenarioPicker {
    /// The built-in scenarios.
    pub scenarios: Vec<crate::scenario::Scenario>,
    /// The highlighted scenario.
    pub selected: usize,
    /// Once a scenario is chosen: the highlighted stop (0: play every step; n: stop before
    /// step n).
    pub stop: Option<usize>,
}

impl ScenarioPicker {
    /// The built-in scenarios (those that read; all do, the tests see to it).
    pub fn new() -> Self {
        Self {
            scenarios: crate::scenario::BUILT_IN
                .iter()
                .filter_map(|(name, _)| crate::scenario::load(name).ok())
                .collect(),
            selected: 0,
            stop: None,
        }
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Outcome {
        let steps = self
            .scenarios
            .get(self.selected)
            .map_or(0, |s| s.steps.len());
        match (resolve(&[Context::Picker], key), self.stop) {
            (Some(Action::Up), None) => self.selected = self.selected.saturating_sub(1),
            (Some(Action::Down), None) => {
                self.selected = (self.selected + 1).min(self.scenarios.len().saturating_sub(1));
            }
            (Some(Action::Top), None) => self.selected = 0,
            (Some(Action::Bottom), None) => self.selected = self.scenarios.len().saturating_sub(1),
            (Some(Action::Top), Some(_)) => self.stop = Some(0),
            (Some(Action::Bottom), Some(_)) => self.stop = Some(steps.saturating_sub(1)),
            (Some(Action::Open), None) => self.stop = Some(0),
            (Some(Action::Back), None) => return Outcome::Close,
            (Some(Action::Up), Some(i)) => self.stop = Some(i.saturating_sub(1)),
            (Some(Action::Down), Some(i)) => self.stop = Some((i + 1).min(steps.saturating_sub(1))),
            (Some(Action::Open), Some(i)) => {
                let name = self.scenarios[self.selected].name.clone();
                return Outcome::CloseEmit(Msg::PlayScenario(name, (i > 0).then_some(i)));
            }
            (Some(Action::Back), Some(_)) => self.stop = None,
            _ => {}
        }
        Outcome::Consumed
    }
}

impl Default for ScenarioPicker {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod picker_tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::ScenarioPicker;

    #[test]
    fn home_and_end_reach_the_first_and_last_scenario_and_stop() {
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        let mut p = ScenarioPicker::new();
        let last = p.scenarios.len() - 1;
        p.handle_key(&key(KeyCode::End));
        assert_eq!(p.selected, last);
        p.handle_key(&key(KeyCode::Home));
        assert_eq!(p.selected, 0);
        p.handle_key(&key(KeyCode::Enter));
        assert_eq!(p.stop, Some(0));
        p.handle_key(&key(KeyCode::End));
        assert_eq!(p.stop, Some(p.scenarios[0].steps.len() - 1));
        p.handle_key(&key(KeyCode::Home));
        assert_eq!(p.stop, Some(0));
    }
}
