//! Small forms of the lifecycle: approve or deny a request, ask for an extension or renewal,
//! extend or renew directly as an administrator, and an alert's settings. The forms only
//! collect input; the engine checks it (a missing reason is its refusal, not ours).

use ratatui::crossterm::event::KeyEvent;

use crate::policy::alerts::{AlertConfig, AlertId};
use crate::policy::duration::{format_duration, parse_duration, parse_time};
use crate::policy::model::AssignmentKind;
use crate::service::{AlertConfigPatch, Ask, Decision};
use crate::tui::keymap::Context;
use crate::tui::msg::Msg;
use crate::tui::widgets::{Choice, Field, Form, FormEvent, Input, TextField};

use super::Outcome;
use super::assign::parse_end;
use crate::tui::msg::LifecycleMsg;

/// What the form is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// Approve or deny a request; `change` lets an approver change an extension or renewal.
    Decide {
        /// Request id.
        id: String,
        /// Approve or deny.
        approve: bool,
        /// The request is an extension or renewal (type and end may change).
        change: Option<(Ask, AssignmentKind)>,
    },
    /// A user asks to extend or renew their assignment.
    Ask {
        /// Role id.
        role: String,
        /// Which assignment.
        kind: AssignmentKind,
        /// Extend or renew.
        ask: Ask,
    },
    /// An administrator extends or renews directly.
    Admin {
        /// Role id.
        role: String,
        /// The user.
        upn: String,
        /// Which assignment.
        kind: AssignmentKind,
        /// Extend or renew.
        ask: Ask,
    },
    /// An alert's settings.
    AlertSettings(AlertId),
    /// A decision on one person's access under an access review.
    ReviewDecision {
        /// The review.
        id: String,
        /// Whose access.
        upn: String,
        /// Approve or deny.
        approve: bool,
    },
}

/// A titled form with a few lines of context above it.
#[derive(Debug, Clone)]
pub struct LifecyclePopup {
    /// Title of the box.
    pub title: String,
    /// What the form is about, shown above it.
    pub intro: Vec<String>,
    /// What submitting does.
    pub purpose: Purpose,
    /// The fields.
    pub form: Form,
    /// The last refusal or input error.
    pub error: Option<String>,
}

fn reason(label: &str) -> Field {
    Field::new("reason", label, Input::Text(TextField::new(500))).note("required")
}

fn end_field(label: &str, note: &str) -> Field {
    Field::new(
        "end",
        label,
        Input::Text(TextField::new(40).placeholder("30d, or 2026-12-31T17:00:00Z")),
    )
    .note(note.to_owned())
}

fn start_field() -> Field {
    Field::new(
        "start",
        "Starts",
        Input::Text(TextField::new(40).placeholder("now, or 2026-12-01T09:00:00Z")),
    )
    .note("blank: now")
}

fn kind_choice(kind: AssignmentKind) -> Input {
    Input::Choice(Choice::new(
        vec!["Eligible", "Active"],
        usize::from(kind == AssignmentKind::Active),
    ))
}

fn number(id: &'static str, label: &str, value: i64, range: &str) -> Field {
    Field::new(
        id,
        label,
        Input::Text(TextField::new(6).with_value(&value.to_string())),
    )
    .note(range.to_owned())
}

impl LifecyclePopup {
    /// A form for `purpose`, with `intro` lines describing its subject.
    pub fn new(title: impl Into<String>, intro: Vec<String>, purpose: Purpose) -> Self {
        let fields = match &purpose {
            Purpose::Decide {
                approve: true,
                change: Some((ask, kind)),
                ..
            } => {
                let mut f = vec![
                    reason("Your justification"),
                    Field::new("type", "Assignment type", kind_choice(*kind)),
                ];
                match ask {
                    Ask::Extend => f.push(end_field("Extend by", "blank: as long again")),
                    Ask::Renew => {
                        f.push(start_field());
                        f.push(end_field("Renew for", "blank: as long again"));
                    }
                }
                f
            }
            Purpose::Decide { .. } => vec![reason("Your justification")],
            Purpose::Ask { .. } => vec![reason("Justification")],
            Purpose::Admin { ask, .. } => {
                let mut f = vec![reason("Justification")];
                match ask {
                    Ask::Extend => f.push(end_field("Extend by", "blank: as long again")),
                    Ask::Renew => {
                        f.push(start_field());
                        f.push(end_field("Renew for", "blank: as long again"));
                    }
                }
                f
            }
            Purpose::AlertSettings(id) => alert_fields(*id),
            Purpose::ReviewDecision { .. } => vec![reason("Your reason")],
        };
        Self {
            title: title.into(),
            intro,
            purpose,
            form: Form::new(fields),
            error: None,
        }
    }

    /// An alert's settings form, filled with the settings in force.
    pub fn alert_settings(id: AlertId, config: &AlertConfig) -> Self {
        let mut p = Self::new(
            format!("Alert settings · {}", id.title()),
            vec![id.impact().to_owned()],
            Purpose::AlertSettings(id),
        );
        if let Some(Field {
            input: Input::Switch(on),
            ..
        }) = p.form.field_mut("enabled")
        {
            *on = config.enabled;
        }
        let window = format_duration(chrono::TimeDelta::seconds(config.window_secs));
        for (field, value) in [
            ("days", config.days.to_string()),
            ("count", config.count.to_string()),
            ("percent", config.percent.to_string()),
            ("window", window),
        ] {
            if let Some(Field {
                input: Input::Text(t),
                ..
            }) = p.form.field_mut(field)
            {
                t.set(&value);
            }
        }
        p
    }

    /// Keys of the form.
    pub fn contexts(&self) -> Vec<Context> {
        vec![Context::Form]
    }

    /// Handles a key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> Outcome {
        match self.form.handle_key(key) {
            FormEvent::Submit => match self.submit() {
                Ok(msg) => {
                    self.error = None;
                    Outcome::Emit(msg)
                }
                Err(e) => {
                    self.error = Some(e);
                    Outcome::Consumed
                }
            },
            FormEvent::Cancel => Outcome::Close,
            _ => Outcome::Consumed,
        }
    }

    /// Pasted text goes to the focused field.
    pub fn paste(&mut self, text: &str) {
        self.form.paste(text);
    }

    fn kind(&self, fallback: AssignmentKind) -> AssignmentKind {
        match self.form.fields.iter().any(|f| f.id == "type") {
            true if self.form.choice("type") == 1 => AssignmentKind::Active,
            true => AssignmentKind::Eligible,
            false => fallback,
        }
    }

    /// The start field's time, when the form has one and it is not blank.
    fn start(&self) -> Result<Option<crate::clock::Time>, String> {
        if !self.form.fields.iter().any(|f| f.id == "start") {
            return Ok(None);
        }
        match self.form.text("start").trim() {
            "" | "now" => Ok(None),
            t => parse_time(t).map(Some),
        }
    }

    /// The intent the form describes, or what is wrong with the input.
    fn submit(&self) -> Result<Msg, String> {
        let reason = self.form.text("reason");
        Ok(match &self.purpose {
            Purpose::Decide {
                id,
                approve,
                change,
            } => Msg::Lifecycle(LifecycleMsg::Decide {
                id: id.clone(),
                decision: Decision {
                    approve: *approve,
                    reason,
                    start: self.start()?,
                    window: if change.is_some() {
                        parse_end(&self.form.text("end"))?
                    } else {
                        None
                    },
                    kind: change
                        .map(|(_, k)| self.kind(k))
                        .filter(|k| Some(*k) != change.map(|(_, was)| was)),
                },
            }),
            Purpose::Ask { role, kind, ask } => Msg::Lifecycle(LifecycleMsg::AskLifecycle {
                role: role.clone(),
                kind: *kind,
                ask: *ask,
                reason,
            }),
            Purpose::Admin {
                role,
                upn,
                kind,
                ask,
            } => Msg::Lifecycle(LifecycleMsg::AdminLifecycle {
                ask: *ask,
                role: role.clone(),
                upn: upn.clone(),
                kind: *kind,
                start: self.start()?,
                window: parse_end(&self.form.text("end"))?,
                reason,
            }),
            Purpose::AlertSettings(id) => {
                Msg::Lifecycle(LifecycleMsg::SaveAlertSettings(*id, self.alert_patch()?))
            }
            Purpose::ReviewDecision { id, upn, approve } => {
                Msg::Lifecycle(LifecycleMsg::DecideReview {
                    id: id.clone(),
                    upn: upn.clone(),
                    approve: *approve,
                    reason,
                })
            }
        })
    }

    fn alert_patch(&self) -> Result<AlertConfigPatch, String> {
        let has = |f: &str| self.form.fields.iter().any(|x| x.id == f);
        let whole = |f: &str| -> Result<Option<i64>, String> {
            if !has(f) {
                return Ok(None);
            }
            let t = self.form.text(f);
            t.trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| format!("'{}' is not a whole number", t.trim()))
        };
        let window = if has("window") {
            let t = self.form.text("window");
            Some(
                parse_duration(t.trim())
                    .map_err(|e| e.to_string())?
                    .num_seconds(),
            )
        } else {
            None
        };
        Ok(AlertConfigPatch {
            enabled: Some(self.form.switch("enabled")),
            days: whole("days")?,
            count: whole("count")?,
            percent: whole("percent")?,
            window_secs: window,
        })
    }
}

/// The settings an alert has: always on/off, then its thresholds.
fn alert_fields(id: AlertId) -> Vec<Field> {
    let mut f = vec![Field::new("enabled", "Alert on", Input::Switch(true))];
    match id {
        AlertId::TooManyGlobalAdmins => {
            f.push(number("count", "Minimum number of admins", 3, "2–100"));
            f.push(number("percent", "Percentage of admins", 10, "0–100%"));
        }
        AlertId::RedundantAssignment => {
            f.push(number("days", "Days without activation", 30, "0–100"));
        }
        AlertId::StaleSignIn => {
            f.push(number("days", "Days without sign-in", 30, "1–365"));
        }
        AlertId::SequentialActivation => {
            f.push(number("count", "Number of activations", 3, "2–100"));
            f.push(
                Field::new(
                    "window",
                    "Within",
                    Input::Text(TextField::new(12).with_value("1h")),
                )
                .note("a timeframe, e.g. 1h"),
            );
        }
        _ => {}
    }
    f
}
