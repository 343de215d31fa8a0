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
mod groups;
mod lists;
mod my_roles;
mod popups;
mod reference;
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

/// A table column: its heading, its width rule, the narrowest it is useful at, and its rank
/// (0 matters most). When the terminal is narrow, columns go in reverse rank order rather than
/// every column shrinking: a role's name keeps its width, a time column goes.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The heading.
    pub heading: &'static str,
    /// The width rule when shown.
    pub width: ratatui::layout::Constraint,
    /// The narrowest useful width.
    pub min: u16,
    /// 0 is kept longest.
    pub rank: u8,
}

impl Column {
    /// A column.
    pub const fn new(
        heading: &'static str,
        width: ratatui::layout::Constraint,
        min: u16,
        rank: u8,
    ) -> Self {
        Self {
            heading,
            width,
            min,
            rank,
        }
    }
}

/// The indices of the columns that fit in `width` (the selection mark and one space between
/// columns included), in their order.
pub fn fitting(cols: &[Column], width: u16) -> Vec<usize> {
    let mut by_rank: Vec<usize> = (0..cols.len()).collect();
    by_rank.sort_by_key(|&i| cols[i].rank);
    let mut used: u16 = 2;
    let mut keep = Vec::new();
    for i in by_rank {
        let need = cols[i].min + u16::from(!keep.is_empty());
        if keep.is_empty() || used + need <= width {
            used += need;
            keep.push(i);
        }
    }
    keep.sort_unstable();
    keep
}

/// A table of `rows` (cells in `cols` order) that keeps the columns fitting `width`: its
/// header and rows a cell from the left border (where the selection mark goes).
pub fn table<'a>(
    cols: &[Column],
    rows: Vec<Vec<ratatui::widgets::Cell<'a>>>,
    width: u16,
) -> ratatui::widgets::Table<'a> {
    use ratatui::widgets::{HighlightSpacing, Row, Table};
    let keep = fitting(cols, width);
    let pick = |cells: Vec<ratatui::widgets::Cell<'a>>| -> Vec<ratatui::widgets::Cell<'a>> {
        cells
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, c)| c)
            .collect()
    };
    let body: Vec<Row<'a>> = rows.into_iter().map(|r| Row::new(pick(r))).collect();
    Table::new(body, keep.iter().map(|&i| cols[i].width))
        .header(Row::new(keep.iter().map(|&i| cols[i].heading)).style(theme::heading()))
        .row_highlight_style(theme::selected())
        .highlight_symbol("▸ ")
        .highlight_spacing(HighlightSpacing::Always)
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
            super::msg::Tab::Reviews => approvals::reviews(frame, body, app, m),
            super::msg::Tab::Groups => groups::render(frame, body, m),
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
