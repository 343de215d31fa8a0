//! The first-run and sign-in screens.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{centered, safe, theme};
use crate::tui::app::App;
use crate::tui::screen::first_run::{CHOICES, FirstRunState};
use crate::tui::screen::sign_in::{SignInState, Step};

/// No database or tenant yet.
pub fn first_run(frame: &mut Frame, area: Rect, app: &App, s: &FirstRunState) {
    let box_area = centered(area, 84, 16);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Welcome to PIM Console ", theme::title()));
    let mut lines = vec![
        Line::from(format!("No PIM tenant in {} yet.", app.db.display())),
        Line::from(""),
    ];
    for (i, (choice, what)) in CHOICES.iter().enumerate() {
        let style = if i == s.selected {
            theme::selected()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(Span::styled(
            format!(" {} {choice} ", if i == s.selected { "▸" } else { " " }),
            style,
        )));
        lines.push(Line::from(Span::styled(
            format!("     {what}"),
            theme::muted(),
        )));
    }
    if let Some(e) = &s.error {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            safe(e).into_owned(),
            theme::error(),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        box_area,
    );
}

fn field_line(label: &str, focused: bool, value: Line<'static>) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!("{label:<11}"),
        if focused {
            theme::focused()
        } else {
            theme::muted()
        },
    )];
    spans.extend(value.spans);
    Line::from(spans)
}

/// User name and password, then the code or the enrolment.
pub fn sign_in(frame: &mut Frame, area: Rect, app: &App, s: &SignInState) {
    let lab = !s.lab_accounts.is_empty();
    let [form_area, side] = if lab && area.width >= 90 {
        Layout::horizontal([Constraint::Min(50), Constraint::Length(40)]).areas(area)
    } else {
        [area, Rect::default()]
    };
    let title = format!(" Sign in to {} ", safe(&s.tenant.display_name));
    // Two cells of margin inside the border: labels, values and wrapped text line up.
    let block = Block::default()
        .borders(Borders::ALL)
        .padding(ratatui::widgets::Padding::horizontal(2))
        .title(Span::styled(title, theme::title()));
    let width = usize::from(form_area.width.saturating_sub(18)).min(60);
    let mut lines = vec![Line::from("")];
    match &s.step {
        Step::Credentials => {
            lines.push(field_line(
                "User name",
                s.focus == 0,
                s.upn.line(s.focus == 0, width),
            ));
            lines.push(field_line(
                "Password",
                s.focus == 1,
                s.password.line(s.focus == 1, width),
            ));
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "Enter continues. MFA is required to sign in.",
                theme::muted(),
            )));
        }
        Step::Code => {
            lines.push(field_line("User name", false, Line::from(s.upn.value())));
            lines.push(field_line("Code", true, s.code.line(true, 8)));
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "Type the 6-digit code your authenticator shows.",
                theme::muted(),
            )));
        }
        Step::Enrol(e) => {
            lines.push(Line::from(
                "Set up your authenticator app first (More information required): scan the QR code, or type the secret, then enter the code it shows.",
            ));
            if let Some(code) = &e.qr {
                lines.extend(super::qr_lines(code, 0));
            }
            lines.push(field_line("Secret", false, Line::from(e.secret.clone())));
            lines.push(field_line("Code", true, s.code.line(true, 8)));
        }
    }
    if let Some(err) = &s.error {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            safe(err).into_owned(),
            theme::error(),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        form_area,
    );
    if lab && side.width > 0 {
        lab_side(frame, side, app, s);
    } else if lab {
        let hint = Line::from(Span::styled(
            " Lab: Ctrl-n fills a lab account · Ctrl-a shows their codes",
            theme::muted(),
        ));
        let bottom = Rect {
            y: form_area.bottom().saturating_sub(2),
            height: 1,
            x: form_area.x + 1,
            width: form_area.width.saturating_sub(2),
        };
        frame.render_widget(Paragraph::new(hint), bottom);
    }
}

fn lab_side(frame: &mut Frame, area: Rect, _app: &App, s: &SignInState) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Lab accounts ", theme::title()));
    let mut lines = Vec::new();
    for p in &s.lab_accounts {
        lines.push(Line::from(format!(" {}", safe(&p.display_name))));
        lines.push(Line::from(Span::styled(
            format!(" {}", p.upn),
            theme::muted(),
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " Ctrl-n fills one in;",
        theme::muted(),
    )));
    lines.push(Line::from(Span::styled(
        " Ctrl-a shows their codes.",
        theme::muted(),
    )));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
