//! Keys as data. Every key the console reacts to is a row of the keymap ([`bindings`]): the context it works
//! in, the keys, the action, and the words shown in the footer and the `?` help, so what the
//! screen says and what the keys do cannot drift apart.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. Screens push the contexts they are in, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Everywhere on the main screen.
    Global,
    /// Any list.
    List,
    /// My roles.
    MyRoles,
    /// The role catalogue.
    Roles,
    /// One role's settings and assignments.
    RoleDetail,
    /// The audit log.
    Audit,
    /// The inbox.
    Inbox,
    /// Requests to approve or deny, and the account's own.
    Approvals,
    /// Security alerts.
    Alerts,
    /// Access reviews.
    Reviews,
    /// Groups (PIM for Groups).
    Groups,
    /// A form in a popup.
    Form,
    /// A yes/no question.
    Confirm,
    /// A message or detail view.
    Message,
    /// The sign-in screen.
    SignIn,
    /// The first-run screen.
    FirstRun,
    /// The lab authenticator panel.
    Authenticator,
    /// A list to choose from (the scenarios).
    Picker,
    /// The accounts list.
    Accounts,
    /// Choosing the members of a new assignment (typing searches).
    Members,
    /// A search field that has the keyboard.
    Search,
    /// A form of several pages (the settings editor): Tab past the last field turns the page.
    Pages,
    /// The duration slider's shortcuts.
    Duration,
    /// Editing the text of a field that has the keyboard.
    Typing,
    /// Keys that work everywhere, even while typing.
    Always,
}

impl Context {
    /// The heading in the help.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Lists",
            Context::MyRoles => "My roles",
            Context::Roles => "Roles",
            Context::RoleDetail => "A role",
            Context::Audit => "Audit",
            Context::Inbox => "Inbox",
            Context::Approvals => "Approvals",
            Context::Alerts => "Alerts",
            Context::Reviews => "Reviews",
            Context::Groups => "Groups",
            Context::Form => "Forms",
            Context::Confirm => "Questions",
            Context::Message => "Messages",
            Context::SignIn => "Sign-in",
            Context::FirstRun => "First run",
            Context::Authenticator => "Lab authenticator",
            Context::Picker => "Choosing",
            Context::Accounts => "Accounts",
            Context::Members => "Choosing members",
            Context::Search => "Searching",
            Context::Pages => "Settings editor",
            Context::Duration => "Duration",
            Context::Typing => "Typing in a field",
            Context::Always => "Always",
        }
    }
}

/// What a key resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Leave the console.
    Quit,
    /// Open the key help.
    Help,
    /// Next tab.
    NextTab,
    /// Previous tab.
    PrevTab,
    /// Tab by number (1-based).
    GoTab(u8),
    /// Move up.
    Up,
    /// Move down.
    Down,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Previous sub-list or value.
    Left,
    /// Next sub-list or value.
    Right,
    /// Open the selected row.
    Open,
    /// Close or go back.
    Back,
    /// Activate the selected eligible role.
    Activate,
    /// Deactivate the selected active role.
    Deactivate,
    /// Edit the role's settings.
    Edit,
    /// Add an assignment.
    Add,
    /// Update the selected assignment.
    Update,
    /// Remove the selected assignment.
    Remove,
    /// Search or filter by text.
    Search,
    /// Filter by fields.
    Filter,
    /// Load older entries.
    More,
    /// Sign out.
    SignOut,
    /// The lab's built-in authenticator.
    Authenticator,
    /// Next field.
    NextField,
    /// Previous field.
    PrevField,
    /// Toggle a switch.
    Toggle,
    /// Submit the form.
    Submit,
    /// Yes.
    Yes,
    /// No.
    No,
    /// Fill in the next lab account.
    Pick,
    /// Ask for (or, as an administrator, make) an extension.
    Extend,
    /// Ask for (or, as an administrator, make) a renewal.
    Renew,
    /// Approve the selected request.
    Approve,
    /// Deny the selected request.
    Deny,
    /// Cancel the selected request.
    CancelRequest,
    /// Dismiss the selected alert.
    Dismiss,
    /// Apply the selected alert's fix (shown first).
    Fix,
    /// The selected alert's settings.
    Settings,
    /// Mark or unmark a row, to act on several at once.
    Mark,
    /// Fill a field with an earlier entry (the next one on each press).
    Recall,
    /// The accounts, with their lockouts (administrators).
    Accounts,
    /// Unlock the selected account.
    Unlock,
    /// Set the duration to this many hours.
    Hours(u8),
    /// Set the duration to the role's maximum.
    Longest,
    /// Move the cursor one character left.
    CursorLeft,
    /// Move the cursor one character right.
    CursorRight,
    /// Move the cursor to the start of the field.
    CursorStart,
    /// Move the cursor to the end of the field.
    CursorEnd,
    /// Delete the character before the cursor.
    DeleteBack,
    /// Delete the character under the cursor.
    DeleteForward,
    /// Delete everything before the cursor.
    DeleteToStart,
    /// Delete the word before the cursor.
    DeleteWord,
}

/// A key as bindings name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A character without Ctrl or Alt.
    Char(char),
    /// A special key.
    Code(KeyCode),
    /// Ctrl plus a letter.
    Ctrl(char),
}

impl Key {
    fn matches(self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        match self {
            Key::Char(c) => !ctrl && !alt && ev.code == KeyCode::Char(c),
            Key::Ctrl(c) => ctrl && ev.code == KeyCode::Char(c),
            Key::Code(code) => !ctrl && ev.code == code,
        }
    }
}

/// One row of the keymap.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where it applies.
    pub context: Context,
    /// The keys (any of them).
    pub keys: &'static [Key],
    /// How the keys are written in hints.
    pub label: &'static str,
    /// What they do.
    pub action: Action,
    /// The words in the footer and help.
    pub hint: &'static str,
    /// Shown in the footer (everything is in the help).
    pub footer: bool,
}

mod bindings;

pub use bindings::bindings;

/// The action of a key in the given contexts (most specific first), if any.
pub fn resolve(contexts: &[Context], ev: &KeyEvent) -> Option<Action> {
    contexts.iter().find_map(|ctx| {
        bindings()
            .filter(|b| b.context == *ctx)
            .find(|b| b.keys.iter().any(|k| k.matches(ev)))
            .map(|b| {
                // ← on a "←→" binding means the opposite of →.
                if b.action == Action::Right
                    && matches!(ev.code, KeyCode::Left | KeyCode::Char('h'))
                {
                    Action::Left
                } else {
                    b.action
                }
            })
    })
}

/// The duration slider's shortcuts as its note says them: `1 2 4 8 h · m max`.
pub fn duration_note() -> String {
    let of = |wanted: fn(Action) -> bool| {
        bindings()
            .filter(|b| b.context == Context::Duration && wanted(b.action))
            .map(|b| b.label)
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "{} h · {} max",
        of(|a| matches!(a, Action::Hours(_))),
        of(|a| a == Action::Longest)
    )
}

/// Footer hints for the given contexts: `(keys, words)`, most specific first.
pub fn hints(contexts: &[Context]) -> Vec<(&'static str, &'static str)> {
    hints_without(contexts, &[])
}

/// Footer hints, leaving out the actions that do nothing where the screen is (e.g. renew
/// outside the Expired list).
pub fn hints_without(contexts: &[Context], idle: &[Action]) -> Vec<(&'static str, &'static str)> {
    contexts
        .iter()
        .flat_map(|ctx| {
            bindings().filter(move |b| b.context == *ctx && b.footer && !idle.contains(&b.action))
        })
        .map(|b| (b.label, b.hint))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use Action as A;
    use Context as C;

    fn every_key_event(k: Key) -> KeyEvent {
        match k {
            Key::Char(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            Key::Ctrl(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
            Key::Code(code) => KeyEvent::new(code, KeyModifiers::NONE),
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let mut seen = HashSet::new();
        for b in bindings() {
            for k in b.keys {
                assert!(
                    seen.insert((b.context, format!("{k:?}"))),
                    "{k:?} twice in {:?}",
                    b.context
                );
            }
        }
    }

    #[test]
    fn every_binding_resolves_to_its_action() {
        for b in bindings() {
            for k in b.keys {
                let got = resolve(&[b.context], &every_key_event(*k));
                let expected = if b.action == A::Right
                    && matches!(k, Key::Code(KeyCode::Left) | Key::Char('h'))
                {
                    A::Left
                } else {
                    b.action
                };
                assert_eq!(got, Some(expected), "{k:?} in {:?}", b.context);
            }
        }
    }

    #[test]
    fn the_specific_context_wins_over_the_global_one() {
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(
            resolve(&[C::MyRoles, C::List, C::Global], &enter),
            Some(A::Activate)
        );
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(resolve(&[C::Message, C::Global], &q), Some(A::Back));
        assert_eq!(
            resolve(&[C::MyRoles, C::List, C::Global], &q),
            Some(A::Quit)
        );
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(
            resolve(&[C::MyRoles, C::Global], &ctrl_q),
            None,
            "Ctrl+q is not q"
        );
    }

    #[test]
    fn footer_hints_come_from_the_table() {
        let h = hints(&[C::MyRoles, C::Global]);
        assert!(h.contains(&("a", "activate")));
        assert!(h.contains(&("?", "help")));
        assert!(
            !h.iter().any(|(_, w)| *w == "next tab"),
            "not in the footer"
        );
    }
}
