//! A form: labelled fields (text, switch, choice, duration slider) with a focus ring. Keys go
//! to the focused text field first; navigation comes from the keymap's Form context.

use chrono::TimeDelta;
use ratatui::crossterm::event::KeyEvent;

use super::{Choice, DurationSlider, TextField};
use crate::tui::keymap::{Action, Context, resolve};

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Free text.
    Text(TextField),
    /// On/off.
    Switch(bool),
    /// One of several.
    Choice(Choice),
    /// A duration in steps.
    Slider(DurationSlider),
}

/// One labelled field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Identifies the field to its owner.
    pub id: &'static str,
    /// The label.
    pub label: String,
    /// The value.
    pub input: Input,
    /// A note shown after the value ("required", "up to 8h").
    pub note: Option<String>,
    /// Not shown and skipped by the focus ring.
    pub hidden: bool,
}

impl Field {
    /// A field.
    pub fn new(id: &'static str, label: impl Into<String>, input: Input) -> Self {
        Self {
            id,
            label: label.into(),
            input,
            note: None,
            hidden: false,
        }
    }

    /// With a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent {
    /// Enter: the owner submits.
    Submit,
    /// Esc: the owner closes or goes back.
    Cancel,
    /// PgDn: next tab of a tabbed form.
    NextTab,
    /// PgUp: previous tab.
    PrevTab,
    /// A value changed.
    Edited,
    /// Focus moved or nothing happened.
    Moved,
}

/// Fields and focus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The fields in order.
    pub fields: Vec<Field>,
    /// Index of the focused field.
    pub focus: usize,
}

impl Form {
    /// A form focused on its first visible field.
    pub fn new(fields: Vec<Field>) -> Self {
        let mut f = Self { fields, focus: 0 };
        if f.fields.first().is_some_and(|x| x.hidden) {
            f.move_focus(1);
        }
        f
    }

    fn move_focus(&mut self, delta: i32) {
        let n = self.fields.len() as i32;
        for step in 1..=n {
            let i = (self.focus as i32 + delta * step).rem_euclid(n) as usize;
            if !self.fields[i].hidden {
                self.focus = i;
                return;
            }
        }
    }

    /// Focuses a field by id.
    pub fn focus_on(&mut self, id: &str) {
        if let Some(i) = self.fields.iter().position(|f| f.id == id && !f.hidden) {
            self.focus = i;
        }
    }

    /// The focused field.
    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    /// Handles a key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> FormEvent {
        let action = resolve(&[Context::Form], key);
        if let Some(Input::Text(t)) = self.fields.get_mut(self.focus).map(|f| &mut f.input) {
            let navigation = matches!(
                action,
                Some(
                    Action::NextField
                        | Action::PrevField
                        | Action::Submit
                        | Action::Back
                        | Action::NextTab
                        | Action::PrevTab
                )
            );
            if !navigation {
                return if t.handle_key(*key) {
                    FormEvent::Edited
                } else {
                    FormEvent::Moved
                };
            }
        }
        match action {
            Some(Action::NextField) => self.move_focus(1),
            Some(Action::PrevField) => self.move_focus(-1),
            Some(Action::Submit) => return FormEvent::Submit,
            Some(Action::Back) => return FormEvent::Cancel,
            Some(Action::NextTab) => return FormEvent::NextTab,
            Some(Action::PrevTab) => return FormEvent::PrevTab,
            Some(a @ (Action::Left | Action::Right | Action::Toggle)) => {
                let delta = if a == Action::Left { -1 } else { 1 };
                match self.fields.get_mut(self.focus).map(|f| &mut f.input) {
                    Some(Input::Switch(on)) => *on = !*on,
                    Some(Input::Choice(c)) => c.step(delta),
                    Some(Input::Slider(s)) => s.step(delta),
                    _ => return FormEvent::Moved,
                }
                return FormEvent::Edited;
            }
            _ => {}
        }
        FormEvent::Moved
    }

    /// Pasted text goes to a focused text field.
    pub fn paste(&mut self, text: &str) {
        if let Some(Input::Text(t)) = self.fields.get_mut(self.focus).map(|f| &mut f.input) {
            t.paste(text);
        }
    }

    fn get(&self, id: &str) -> Option<&Input> {
        self.fields.iter().find(|f| f.id == id).map(|f| &f.input)
    }

    /// A field by id, for changing it.
    pub fn field_mut(&mut self, id: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.id == id)
    }

    /// A text field's value ("" if absent).
    pub fn text(&self, id: &str) -> String {
        match self.get(id) {
            Some(Input::Text(t)) => t.value(),
            _ => String::new(),
        }
    }

    /// A switch's value.
    pub fn switch(&self, id: &str) -> bool {
        matches!(self.get(id), Some(Input::Switch(true)))
    }

    /// A choice's index.
    pub fn choice(&self, id: &str) -> usize {
        match self.get(id) {
            Some(Input::Choice(c)) => c.index(),
            _ => 0,
        }
    }

    /// A slider's value.
    pub fn slider(&self, id: &str) -> TimeDelta {
        match self.get(id) {
            Some(Input::Slider(s)) => s.value(),
            _ => TimeDelta::zero(),
        }
    }

    /// Shows or hides a field.
    pub fn set_hidden(&mut self, id: &str, hidden: bool) {
        if let Some(f) = self.field_mut(id) {
            f.hidden = hidden;
        }
        if self.fields.get(self.focus).is_some_and(|f| f.hidden) {
            self.move_focus(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn focus_skips_hidden_fields_and_text_takes_typing() {
        let mut f = Form::new(vec![
            Field::new("a", "A", Input::Text(TextField::new(10))),
            Field::new("b", "B", Input::Switch(false)),
            Field::new("c", "C", Input::Switch(false)),
        ]);
        f.set_hidden("b", true);
        f.handle_key(&key(KeyCode::Char(' ')));
        assert_eq!(f.text("a"), " ", "space types into a text field");
        assert_eq!(f.handle_key(&key(KeyCode::Tab)), FormEvent::Moved);
        assert_eq!(f.focused().unwrap().id, "c");
        assert_eq!(f.handle_key(&key(KeyCode::Char(' '))), FormEvent::Edited);
        assert!(f.switch("c"));
        assert_eq!(f.handle_key(&key(KeyCode::Enter)), FormEvent::Submit);
        assert_eq!(f.handle_key(&key(KeyCode::Esc)), FormEvent::Cancel);
    }
}
