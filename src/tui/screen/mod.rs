//! Screen states and their key handling: each screen turns keys into state changes or
//! intents (`Msg`); none of them calls the service.

pub mod approvals;
pub mod audit;
pub mod first_run;
pub mod groups;
pub mod main;
pub mod my_roles;
pub mod roles;
pub mod sign_in;

use crate::tui::keymap::Action;

/// Moves a list selection for a navigation action; returns whether it was one.
pub fn navigate(selected: &mut usize, len: usize, action: Action, page: usize) -> bool {
    let last = len.saturating_sub(1);
    *selected = match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (*selected + 1).min(last),
        Action::PageUp => selected.saturating_sub(page),
        Action::PageDown => (*selected + page).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return false,
    };
    true
}
