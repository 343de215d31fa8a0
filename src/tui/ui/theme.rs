//! Every style the console uses, in one place. Colour carries meaning only where the text says
//! the same thing (errors, expiring soon); nothing depends on colour alone.

use ratatui::style::{Color, Modifier, Style};

/// Titles and the product name.
pub fn title() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// Secondary text.
pub fn muted() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// The selected row of a focused list.
pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// Refusals and failures.
pub fn error() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// Success.
pub fn ok() -> Style {
    Style::new().fg(Color::Green)
}

/// Something ends soon.
pub fn warn() -> Style {
    Style::new().fg(Color::Yellow)
}

/// Keys in hints.
pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// The active tab.
pub fn tab_active() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

/// Column headings.
pub fn heading() -> Style {
    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

/// A focused form field's label.
pub fn focused() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}
