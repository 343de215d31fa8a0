//! Drawing. Render functions read the state and draw; the only mutable state they touch is
//! ratatui's table scroll state, built per frame.
//!
//! ```text
//! ┌ header: product · tenant · account · active roles · lab clock ┐
//! │ tabs: 1 My roles  2 Roles  3 Audit  4 Inbox (n)               │
//! │ body: the tab's lists and detail                              │
//! │ status: what just happened                                    │
//! └ footer: the keys that work here (from the keymap)             ┘
//! popups draw last, over everything
//! ```

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::{App, Screen};
use crate::policy::text::{is_unsafe_to_show, sanitize};

mod approvals;
mod chrome;
mod forms;
mod lists;
mod my_roles;
mod popups;
mod roles;
mod start;
pub mod theme;

/// A QR code as lines of upper half blocks with explicit colours (dark #000000 on light
/// #ffffff, quiet zone included), so it reads on light and dark terminal themes alike.
pub fn qr_lines(code: &crate::auth::qr::Qr, indent: usize) -> Vec<Line<'static>> {
    use ratatui::style::{Color, Style};
    use ratatui::text::Span;
    let colour = |dark: bool| {
        Color::Indexed(if dark {
            crate::auth::qr::DARK
        } else {
            crate::auth::qr::LIGHT
        })
    };
    code.cells()
        .into_iter()
        .map(|row| {
            let mut spans = vec![Span::raw(" ".repeat(indent))];
            let mut run = String::new();
            let mut style = None;
            for (upper, lower) in row {
                let s = Style::new().fg(colour(upper)).bg(colour(lower));
                if style.is_some_and(|prev| prev != s) {
                    spans.push(Span::styled(std::mem::take(&mut run), style.unwrap_or(s)));
                }
                style = Some(s);
                run.push('▀');
            }
            if let Some(s) = style {
                spans.push(Span::styled(run, s));
            }
            Line::from(spans)
        })
        .collect()
}

/// The smallest terminal the console draws into.
pub const MIN_SIZE: (u16, u16) = (40, 10);

/// Stored text made inert for the terminal.
pub fn safe(s: &str) -> Cow<'_, str> {
    sanitize(s)
}

/// Draws the whole console.
pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = format!(
            "Make the terminal larger: PIM Console needs {}×{}.",
            MIN_SIZE.0, MIN_SIZE.1
        );
        frame.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(if matches!(app.screen, Screen::Main(_)) {
            3
        } else {
            1
        }),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    chrome::header(frame, header, app);
    match &app.screen {
        Screen::FirstRun(s) => start::first_run(frame, body, app, s),
        Screen::SignIn(s) => start::sign_in(frame, body, app, s),
        Screen::Main(m) => match m.tab {
            super::msg::Tab::MyRoles => my_roles::render(frame, body, app, m),
            super::msg::Tab::Roles => roles::render(frame, body, app, m),
            super::msg::Tab::Audit => lists::audit(frame, body, app, m),
            super::msg::Tab::Inbox => lists::inbox(frame, body, app, m),
            super::msg::Tab::Approvals => approvals::approvals(frame, body, app, m),
            super::msg::Tab::Alerts => approvals::alerts(frame, body, app, m),
        },
    }
    chrome::status(frame, status, app);
    chrome::footer(frame, footer, app);
    for popup in &app.popups {
        popups::render(frame, area, app, popup);
    }
    guard(frame.buffer_mut());
}

/// The last line of defence behind [`safe`]: no cell reaches the terminal holding a control,
/// bidirectional override or zero-width character. Stored text is escaped visibly where it is
/// drawn; anything that slipped past shows as `�` instead of acting on the terminal.
pub fn guard(buf: &mut ratatui::buffer::Buffer) {
    for cell in &mut buf.content {
        if cell.symbol().chars().any(is_unsafe_to_show) {
            cell.set_symbol("\u{FFFD}");
        }
    }
}

/// A centred rectangle of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    area.centered(
        Constraint::Length(w.min(area.width)),
        Constraint::Length(h.min(area.height)),
    )
}

/// Lines of plain text.
pub fn lines(text: &str) -> Vec<Line<'static>> {
    text.lines()
        .map(|l| Line::from(safe(l).into_owned()))
        .collect()
}
