//! The keymap's rows: every key the console reacts to, in the context where it works, with
//! the words the footer and the help show for it. The main screen's keys and those of popups,
//! forms and the screens before sign-in are kept in two tables; [`bindings`] reads both.

use super::{Action, Binding, Context, Key};

mod input;
mod screens;

/// One row of the keymap, built in a const table.
pub(super) const fn b(
    context: Context,
    keys: &'static [Key],
    label: &'static str,
    action: Action,
    hint: &'static str,
    footer: bool,
) -> Binding {
    Binding {
        context,
        keys,
        label,
        action,
        hint,
        footer,
    }
}

/// Every row of the keymap: the main screen's, then those of popups, forms and sign-in.
pub fn bindings() -> impl Iterator<Item = &'static Binding> {
    screens::SCREENS.iter().chain(input::INPUT.iter())
}
