//! The activation pane: duration (capped at the role's maximum), reason, ticket when required,
//! then the MFA code when required, and the three stages Validating → Activating → Refreshing
//! with each stage's real outcome. A refusal names its rule and keeps the form filled.

use chrono::TimeDelta;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

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

/// The pane.
#[derive(Debug, Clone)]
pub struct ActivatePopup {
    /// The role.
    pub role: Role,
    /// Its settings (the form's shape: cap, reason, ticket, MFA).
    pub settings: RoleSettings,
    /// The eligibility's end, if time-bound.
    pub eligible_until: Option<Time>,
    /// Duration, reason, ticket.
    pub form: Form,
    /// The code field.
    pub code: TextField,
    /// Where we are.
    pub stage: Stage,
    /// Validating, Activating, Refreshing.
    pub steps: [Step; 3],
    /// The last refusal or failure, in words.
    pub error: Option<String>,
}

impl ActivatePopup {
    /// A pane for an eligible role, its duration set to the role's maximum.
    pub fn new(role: Role, settings: RoleSettings, eligible_until: Option<Time>) -> Self {
        let max = settings.max_activation;
        let slider =
            DurationSlider::new(max, MAX_ACTIVATION_STEP.min(max), max, MAX_ACTIVATION_STEP);
        let required = |on: bool| if on { "required" } else { "optional" };
        let mut form = Form::new(vec![
            Field::new("duration", "Duration", Input::Slider(slider))
                .note("←→ 30m · 1 2 4 8 h · m max"),
            Field::new(
                "reason",
                "Reason",
                Input::Text(TextField::new(500).placeholder("why you need the role")),
            )
            .note(required(settings.require_justification)),
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
        form.set_hidden("ticket_number", !settings.require_ticket);
        form.set_hidden("ticket_system", !settings.require_ticket);
        Self {
            role,
            settings,
            eligible_until,
            form,
            code: TextField::new(8).placeholder("6 digits"),
            stage: Stage::Form,
            steps: [Step::Pending, Step::Pending, Step::Pending],
            error: None,
        }
    }

    /// The keymap contexts of the current stage.
    pub fn contexts(&self) -> Vec<Context> {
        match self.stage {
            Stage::Done | Stage::Working => vec![Context::Message],
            _ => vec![Context::Form],
        }
    }

    /// The request as the form stands.
    pub fn input(&self, with_code: bool) -> ActivateInput {
        let text = |id| Some(self.form.text(id));
        ActivateInput {
            role: self.role.id.clone(),
            duration: self.form.slider("duration"),
            start: None,
            justification: text("reason"),
            ticket_number: if self.settings.require_ticket {
                text("ticket_number")
            } else {
                None
            },
            ticket_system: if self.settings.require_ticket {
                text("ticket_system")
            } else {
                None
            },
            otp: with_code.then(|| self.code.value()),
        }
    }

    fn preset(&mut self, key: &KeyEvent) -> bool {
        if self.form.focused().map(|f| f.id) != Some("duration") {
            return false;
        }
        let hours = match key.code {
            KeyCode::Char(c @ ('1' | '2' | '4' | '8')) => i64::from(c.to_digit(10).unwrap_or(1)),
            KeyCode::Char('m') => 24,
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
                Some(Action::Submit) => Outcome::Emit(Msg::ActivateCommit(self.input(true))),
                Some(Action::Back) => {
                    self.back_to_form(None);
                    self.steps = [Step::Pending, Step::Pending, Step::Pending];
                    Outcome::Consumed
                }
                _ => {
                    self.code.handle_key(*key);
                    Outcome::Consumed
                }
            },
            Stage::Form => {
                if self.preset(key) {
                    return Outcome::Consumed;
                }
                match self.form.handle_key(key) {
                    FormEvent::Submit => {
                        self.error = None;
                        self.steps = [Step::Running, Step::Pending, Step::Pending];
                        self.stage = Stage::Working;
                        Outcome::Emit(Msg::ActivateValidate(self.input(false)))
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
            Stage::Code => self.code.paste(text.trim()),
            Stage::Form => self.form.paste(text),
            _ => {}
        }
    }
}
