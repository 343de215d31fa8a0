//! The activation pane, for one role or several marked in My roles: duration (capped at the
//! smallest maximum of the roles), reason (Ctrl-r offers the reasons given before), ticket when
//! required, then one MFA code when any role requires it, and the three stages Validating →
//! Activating → Refreshing with each stage's real outcome. Several roles are activated all or
//! none. A refusal names its role and rule and keeps the form filled.

use chrono::TimeDelta;
use ratatui::crossterm::event::KeyEvent;

use crate::clock::Time;
use crate::policy::model::Role;
use crate::policy::settings::{MAX_ACTIVATION_STEP, RoleSettings};
use crate::service::ActivateInput;
use crate::tui::keymap::{Action, Context, resolve};
use crate::tui::msg::Msg;
use crate::tui::widgets::{DurationSlider, Field, Form, FormEvent, Input, TextField};

use super::Outcome;

/// How far the request got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Filling in the form.
    Form,
    /// Waiting for the MFA code.
    Code,
    /// A stage is running.
    Working,
    /// Active; any key closes.
    Done,
}

/// One stage's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Not reached.
    Pending,
    /// Running now.
    Running,
    /// Passed, with what it found.
    Passed(String),
    /// Failed, with why.
    Failed(String),
}

/// One role the pane activates.
#[derive(Debug, Clone)]
pub struct Target {
    /// The role.
    pub role: Role,
    /// Its settings (cap, reason, ticket, MFA).
    pub settings: RoleSettings,
    /// The eligibility's end, if time-bound.
    pub eligible_until: Option<Time>,
}

/// The pane.
#[derive(Debug, Clone)]
pub struct ActivatePopup {
    /// The roles, in the order they were marked (one when none were).
    pub targets: Vec<Target>,
    /// Duration, reason, ticket.
    pub form: Form,
    /// The code field.
    pub code: TextField,
    /// The password, entered again for a role that requires an authentication context.
    pub password: TextField,
    /// In the code stage, the password field has the keys (Tab switches).
    pub on_password: bool,
    /// Where we are.
    pub stage: Stage,
    /// Validating, Activating, Refreshing.
    pub steps: [Step; 3],
    /// The last refusal or failure, in words.
    pub error: Option<String>,
    /// Reasons given before, newest first (Ctrl-r in the reason field).
    pub reasons: Vec<String>,
    /// Which earlier reason the field shows, if one.
    recalled: Option<usize>,
}

impl ActivatePopup {
    /// A pane for eligible roles (at least one), its duration set to the smallest of their
    /// maximums; a reason or ticket is asked for when any of them requires it.
    pub fn new(targets: Vec<Target>, reasons: Vec<String>) -> Self {
        let max = targets
            .iter()
            .map(|t| t.settings.max_activation)
            .min()
            .unwrap_or(MAX_ACTIVATION_STEP);
        let justification = targets.iter().any(|t| t.settings.require_justification);
        let ticket = targets.iter().any(|t| t.settings.require_ticket);
        let slider =
            DurationSlider::new(max, MAX_ACTIVATION_STEP.min(max), max, MAX_ACTIVATION_STEP);
        let mut reason_note = if justification {
            "required"
        } else {
            "optional"
        }
        .to_owned();
        if !reasons.is_empty() {
            reason_note.push_str(" · C-r earlier reasons");
        }
        let mut form = Form::new(vec![
            Field::new("duration", "Duration", Input::Slider(slider))
                .note(format!("←→ 30m · {}", crate::tui::keymap::duration_note())),
            Field::new(
                "reason",
                "Reason",
                Input::Text(TextField::new(500).placeholder("why you need the role")),
            )
            .note(reason_note),
            Field::new(
                "ticket_number",
                "Ticket number",
                Input::Text(TextField::new(100)),
            )
            .note("required"),
            Field::new(
                "ticket_system",
                "Ticket system",
                Input::Text(TextField::new(100)),
            )
            .note("required"),
        ]);
        form.set_hidden("ticket_number", !ticket);
        form.set_hidden("ticket_system", !ticket);
        Self {
            targets,
            form,
            code: TextField::new(8).placeholder("6 digits"),
            password: TextField::new(256).masked(),
            on_password: false,
            stage: Stage::Form,
            steps: [Step::Pending, Step::Pending, Step::Pending],
            error: None,
            reasons,
            recalled: None,
        }
    }

    /// "Security Reader", or "Security Reader, Exchange Administrator".
    pub fn names(&self) -> String {
        self.targets
            .iter()
            .map(|t| t.role.display_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The authentication context one of the roles requires, if any: the code stage then asks
    /// for the password again too.
    pub fn auth_context(&self) -> Option<&str> {
        self.targets
            .iter()
            .find_map(|t| t.settings.auth_context.as_deref())
    }

    /// Enters the code stage (the password first when a context asks for it).
    pub fn to_code(&mut self) {
        self.stage = Stage::Code;
        self.code.set("");
        self.password.set("");
        self.on_password = self.auth_context().is_some();
    }

    /// Whether any of the roles requires a ticket.
    fn ticket(&self) -> bool {
        self.targets.iter().any(|t| t.settings.require_ticket)
    }

    /// The keymap contexts of the current stage.
    pub fn contexts(&self) -> Vec<Context> {
        match self.stage {
            Stage::Done | Stage::Working => vec![Context::Message],
            _ => vec![Context::Form],
        }
    }

    /// The requests as the form stands, one per role (the code rides on the first).
    pub fn inputs(&self, with_code: bool) -> Vec<ActivateInput> {
        let text = |id| Some(self.form.text(id));
        let ticket = self.ticket();
        self.targets
            .iter()
            .enumerate()
            .map(|(i, t)| ActivateInput {
                role: t.role.id.clone(),
                duration: self.form.slider("duration"),
                start: None,
                justification: text("reason"),
                ticket_number: if ticket { text("ticket_number") } else { None },
                ticket_system: if ticket { text("ticket_system") } else { None },
                otp: (with_code && i == 0).then(|| self.code.value()),
                password: (with_code && i == 0 && self.auth_context().is_some())
                    .then(|| self.password.value()),
            })
            .collect()
    }

    /// Ctrl-r in the reason field: the next reason given before.
    fn recall(&mut self, key: &KeyEvent) -> bool {
        if resolve(&[Context::Form], key) != Some(Action::Recall)
            || self.form.focused().map(|f| f.id) != Some("reason")
            || self.reasons.is_empty()
        {
            return false;
        }
        let next = self.recalled.map_or(0, |i| (i + 1) % self.reasons.len());
        self.recalled = Some(next);
        if let Some(Input::Text(t)) = self.form.field_mut("reason").map(|f| &mut f.input) {
            t.set(&self.reasons[next]);
        }
        true
    }

    fn preset(&mut self, key: &KeyEvent) -> bool {
        if self.form.focused().map(|f| f.id) != Some("duration") {
            return false;
        }
        let hours = match resolve(&[Context::Duration], key) {
            Some(Action::Hours(h)) => i64::from(h),
            Some(Action::Longest) => 24,
            _ => return false,
        };
        if let Some(Input::Slider(s)) = self.form.field_mut("duration").map(|f| &mut f.input) {
            s.set(TimeDelta::hours(hours));
        }
        true
    }

    /// Starts over from the first stage, keeping what was typed.
    pub fn back_to_form(&mut self, error: Option<String>) {
        self.stage = Stage::Form;
        self.error = error;
        self.code.set("");
        self.password.set("");
    }

    /// Handles a key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> Outcome {
        match self.stage {
            Stage::Working => Outcome::Consumed,
            Stage::Done => match resolve(&[Context::Message], key) {
                Some(Action::Back) => Outcome::Close,
                _ => Outcome::Consumed,
            },
            Stage::Code => match resolve(&[Context::Form], key) {
                // With a password to enter again, Enter on it moves on to the code.
                Some(Action::Submit) if self.on_password => {
                    self.on_password = false;
                    Outcome::Consumed
                }
                Some(Action::Submit) => Outcome::Emit(Msg::ActivateCommit(self.inputs(true))),
                Some(Action::Back) => {
                    self.back_to_form(None);
                    self.steps = [Step::Pending, Step::Pending, Step::Pending];
                    Outcome::Consumed
                }
                Some(Action::NextField | Action::PrevField) if self.auth_context().is_some() => {
                    self.on_password = !self.on_password;
                    Outcome::Consumed
                }
                _ if self.on_password => {
                    self.password.handle_key(*key);
                    Outcome::Consumed
                }
                _ => {
                    self.code.handle_key(*key);
                    Outcome::Consumed
                }
            },
            Stage::Form => {
                if self.preset(key) || self.recall(key) {
                    return Outcome::Consumed;
                }
                match self.form.handle_key(key) {
                    FormEvent::Submit => {
                        self.error = None;
                        self.steps = [Step::Running, Step::Pending, Step::Pending];
                        self.stage = Stage::Working;
                        Outcome::Emit(Msg::ActivateValidate(self.inputs(false)))
                    }
                    FormEvent::Cancel => Outcome::Close,
                    _ => Outcome::Consumed,
                }
            }
        }
    }

    /// Pasted text goes to the focused field.
    pub fn paste(&mut self, text: &str) {
        match self.stage {
            Stage::Code if self.on_password => self.password.paste(text),
            Stage::Code => self.code.paste(text.trim()),
            Stage::Form => self.form.paste(text),
            _ => {}
        }
    }
}
