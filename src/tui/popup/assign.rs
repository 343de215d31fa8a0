//! Add assignment (pick members with search-as-you-type, then type and window) and Update
//! assignment (type and expiry). The forms only collect input; the engine checks it.

use ratatui::crossterm::event::KeyEvent;

use crate::policy::duration::{parse_duration, parse_time};
use crate::policy::model::{AssignmentKind, Principal, Role};
use crate::policy::settings::RoleSettings;
use crate::service::{AssignInput, UpdateInput, UserSummary, Window};
use crate::store::assignments::AssignmentRow;
use crate::tui::keymap::{Action, Context, resolve};
use crate::tui::msg::Msg;
use crate::tui::widgets::{Choice, Field, Form, FormEvent, Input, TextField};

use super::Outcome;
use crate::tui::msg::AdminMsg;

/// `30d` or `2026-12-31T17:00:00Z` → a window; blank → none given.
pub fn parse_end(text: &str) -> Result<Option<Window>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(time) = parse_time(t) {
        return Ok(Some(Window::Until(time)));
    }
    parse_duration(t)
        .map(|d| Some(Window::For(d)))
        .map_err(|_| {
            format!("'{t}' is neither a duration (30d, 8h) nor a time (2026-12-31T17:00:00Z)")
        })
}

fn kind_choice(kind: AssignmentKind) -> Input {
    Input::Choice(Choice::new(
        vec!["Eligible", "Active"],
        usize::from(kind == AssignmentKind::Active),
    ))
}

fn kind_of(form: &Form) -> AssignmentKind {
    if form.choice("type") == 1 {
        AssignmentKind::Active
    } else {
        AssignmentKind::Eligible
    }
}

fn window_fields(permanent: bool) -> Vec<Field> {
    vec![
        Field::new("permanent", "Permanent (no end)", Input::Switch(permanent)),
        Field::new(
            "end",
            "Ends",
            Input::Text(
                TextField::new(40).placeholder("30d, 6months=180d, or 2026-12-31T17:00:00Z"),
            ),
        ),
        Field::new("reason", "Justification", Input::Text(TextField::new(500))),
        Field::new(
            "code",
            "MFA code",
            Input::Text(
                TextField::new(8).placeholder("if the role requires MFA on active assignment"),
            ),
        ),
    ]
}

/// The window the form describes.
fn window(form: &Form) -> Result<Window, String> {
    if form.switch("permanent") {
        return Ok(Window::Permanent);
    }
    parse_end(&form.text("end"))?
        .ok_or_else(|| "give an end (e.g. 30d) or switch Permanent on".to_owned())
}

fn blank_none(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

/// Which step of adding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignStep {
    /// Select members.
    Members,
    /// Assignment type and window.
    Settings,
}

/// Add assignments.
#[derive(Debug, Clone)]
pub struct AssignPopup {
    /// The role.
    pub role: Role,
    /// Its settings (what the form can tell about limits).
    pub settings: RoleSettings,
    /// Where we are.
    pub step: AssignStep,
    /// Search text.
    pub search: TextField,
    /// Matching users.
    pub results: Vec<UserSummary>,
    /// Highlighted result.
    pub cursor: usize,
    /// Selected members.
    pub chosen: Vec<Principal>,
    /// Type, window, justification, code.
    pub form: Form,
    /// The last refusal, in words.
    pub error: Option<String>,
}

impl AssignPopup {
    /// A new form for the role.
    pub fn new(role: Role, settings: RoleSettings) -> Self {
        let mut fields = vec![
            Field::new(
                "type",
                "Assignment type",
                kind_choice(AssignmentKind::Eligible),
            ),
            Field::new(
                "start",
                "Starts",
                Input::Text(TextField::new(40).placeholder("now, or 2026-12-01T09:00:00Z")),
            ),
        ];
        fields.extend(window_fields(settings.allow_permanent_eligible));
        let mut form = Form::new(fields);
        form.set_hidden("end", settings.allow_permanent_eligible);
        Self {
            role,
            settings,
            step: AssignStep::Members,
            search: TextField::new(100).placeholder("type a name or UPN"),
            results: Vec::new(),
            cursor: 0,
            chosen: Vec::new(),
            form,
            error: None,
        }
    }

    /// Keys of the current step.
    pub fn contexts(&self) -> Vec<Context> {
        match self.step {
            AssignStep::Members => vec![Context::Members],
            AssignStep::Settings => vec![Context::Form],
        }
    }

    fn toggle(&mut self) {
        if let Some(u) = self.results.get(self.cursor) {
            match self.chosen.iter().position(|p| p.id == u.principal.id) {
                Some(i) => {
                    self.chosen.remove(i);
                }
                None => self.chosen.push(u.principal.clone()),
            }
        }
    }

    /// The requests the form describes, one per member.
    pub fn inputs(&self) -> Result<Vec<AssignInput>, String> {
        let window = window(&self.form)?;
        let start_text = self.form.text("start");
        let start = match start_text.trim() {
            "" | "now" => None,
            t => Some(parse_time(t).map_err(|e| format!("Starts: {e}"))?),
        };
        Ok(self
            .chosen
            .iter()
            .map(|p| AssignInput {
                role: self.role.id.clone(),
                upn: p.upn.clone(),
                kind: kind_of(&self.form),
                start,
                window,
                justification: blank_none(self.form.text("reason")),
                otp: blank_none(self.form.text("code")),
            })
            .collect())
    }

    /// Handles a key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> Outcome {
        match self.step {
            AssignStep::Members => self.members_key(key),
            AssignStep::Settings => self.settings_key(key),
        }
    }

    fn members_key(&mut self, key: &KeyEvent) -> Outcome {
        match resolve(&[Context::Members], key) {
            Some(Action::Up) => self.cursor = self.cursor.saturating_sub(1),
            Some(Action::Down) => {
                self.cursor = (self.cursor + 1).min(self.results.len().saturating_sub(1))
            }
            Some(Action::Toggle) => self.toggle(),
            Some(Action::Back) => return Outcome::Close,
            Some(Action::Submit) => {
                if self.chosen.is_empty() {
                    self.toggle();
                }
                if self.chosen.is_empty() {
                    self.error = Some("select at least one member (Space)".into());
                } else {
                    self.error = None;
                    self.step = AssignStep::Settings;
                }
            }
            _ => {
                let before = self.search.value();
                self.search.handle_key(*key);
                if self.search.value() != before {
                    self.cursor = 0;
                    return Outcome::Emit(Msg::Admin(AdminMsg::SearchUsers(self.search.value())));
                }
            }
        }
        Outcome::Consumed
    }

    fn settings_key(&mut self, key: &KeyEvent) -> Outcome {
        let before = kind_of(&self.form);
        let event = self.form.handle_key(key);
        let kind = kind_of(&self.form);
        if kind != before
            && let Some(Field {
                input: Input::Switch(on),
                ..
            }) = self.form.field_mut("permanent")
        {
            *on = match kind {
                AssignmentKind::Eligible => self.settings.allow_permanent_eligible,
                AssignmentKind::Active => self.settings.allow_permanent_active,
            };
        }
        self.form.set_hidden("end", self.form.switch("permanent"));
        match event {
            FormEvent::Submit => match self.inputs() {
                Ok(inputs) => {
                    self.error = None;
                    Outcome::Emit(Msg::Admin(AdminMsg::Assign(inputs)))
                }
                Err(e) => {
                    self.error = Some(e);
                    Outcome::Consumed
                }
            },
            FormEvent::Cancel => {
                self.step = AssignStep::Members;
                Outcome::Consumed
            }
            _ => Outcome::Consumed,
        }
    }

    /// Pasted text goes to the search or the focused field.
    pub fn paste(&mut self, text: &str) -> Outcome {
        match self.step {
            AssignStep::Members => {
                self.search.paste(text.trim());
                Outcome::Emit(Msg::Admin(AdminMsg::SearchUsers(self.search.value())))
            }
            AssignStep::Settings => {
                self.form.paste(text);
                Outcome::Consumed
            }
        }
    }
}

/// Update one assignment.
#[derive(Debug, Clone)]
pub struct UpdatePopup {
    /// The assignment as it is.
    pub row: AssignmentRow,
    /// Type, window, justification, code.
    pub form: Form,
    /// The last refusal, in words.
    pub error: Option<String>,
}

impl UpdatePopup {
    /// A form on an existing assignment.
    pub fn new(row: AssignmentRow) -> Self {
        let mut fields = vec![Field::new(
            "type",
            "Assignment type",
            kind_choice(row.assignment.kind),
        )];
        fields.extend(window_fields(row.assignment.end.is_none()));
        let mut form = Form::new(fields);
        form.set_hidden("end", row.assignment.end.is_none());
        Self {
            row,
            form,
            error: None,
        }
    }

    /// Keys of the form.
    pub fn contexts(&self) -> Vec<Context> {
        vec![Context::Form]
    }

    /// Handles a key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> Outcome {
        let event = self.form.handle_key(key);
        self.form.set_hidden("end", self.form.switch("permanent"));
        match event {
            FormEvent::Submit => {
                let window = match (
                    self.form.switch("permanent"),
                    parse_end(&self.form.text("end")),
                ) {
                    (true, _) => Some(Window::Permanent),
                    (false, Ok(w)) => w,
                    (false, Err(e)) => {
                        self.error = Some(e);
                        return Outcome::Consumed;
                    }
                };
                let a = &self.row.assignment;
                let kind = kind_of(&self.form);
                let unchanged_window =
                    window.is_none() || (window == Some(Window::Permanent) && a.end.is_none());
                if kind == a.kind && unchanged_window {
                    self.error =
                        Some("nothing to change: pick another type, or give a new end".into());
                    return Outcome::Consumed;
                }
                Outcome::Emit(Msg::Admin(AdminMsg::UpdateAssignment(UpdateInput {
                    role: a.role_id.clone(),
                    upn: self.row.principal.upn.clone(),
                    assignment_id: Some(a.id.clone()),
                    kind: Some(kind),
                    window,
                    justification: blank_none(self.form.text("reason")),
                    otp: blank_none(self.form.text("code")),
                })))
            }
            FormEvent::Cancel => Outcome::Close,
            _ => Outcome::Consumed,
        }
    }
}
