//! The first-run screen: no database (or no tenant) yet. Offers the training lab, a new tenant,
//! or quitting.

use ratatui::crossterm::event::KeyEvent;

use crate::tui::keymap::{Action, Context, resolve};
use crate::tui::msg::Msg;

/// The choices, in order.
pub const CHOICES: [(&str, &str); 4] = [
    (
        "Create the training lab",
        "pimlab.onmicrosoft.com: admin@, pimuser@ and approver@, for phases 1–5",
    ),
    (
        "Play a scenario",
        "the lab as a story leaves it: the tutorial up to phase 4, approvals, alerts, …",
    ),
    (
        "Create a tenant",
        "an empty tenant with its first Global Administrator",
    ),
    ("Quit", "leave without creating anything"),
];

/// First-run state.
#[derive(Debug, Clone, Default)]
pub struct FirstRunState {
    /// The highlighted choice.
    pub selected: usize,
    /// What went wrong last, if anything.
    pub error: Option<String>,
}

impl FirstRunState {
    /// Keys of this screen.
    pub const CONTEXTS: &[Context] = &[Context::FirstRun];

    /// Handles a key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> Option<Msg> {
        match resolve(Self::CONTEXTS, key)? {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(CHOICES.len() - 1),
            Action::Open => {
                return Some(match self.selected {
                    0 => Msg::CreateLab,
                    1 => Msg::OpenScenarios,
                    2 => Msg::OpenTenantForm,
                    _ => Msg::Quit,
                });
            }
            Action::Quit => return Some(Msg::Quit),
            _ => {}
        }
        None
    }
}
