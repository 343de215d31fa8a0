//! The frame around every screen: header, tabs, status line and key hints.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{safe, theme};
use crate::policy::duration::format_duration;
use crate::tui::app::{App, Screen};
use crate::tui::keymap::hints;
use crate::tui::msg::Tab;
use crate::tui::popup::Tone;

/// Product, tenant, account, active roles, and the lab clock when it is moved.
pub fn header(frame: &mut Frame, area: Rect, app: &App) {
    let mut first = vec![Span::styled(" PIM Console", theme::title())];
    if let Some(t) = app.tenant() {
        first.push(Span::raw(format!(
            " · {} ({})",
            safe(&t.display_name),
            t.domain
        )));
    }
    if !app.offset.is_zero() {
        first.push(Span::styled(
            format!(
                " · lab clock {} ({}{})",
                app.tz.format(app.now()),
                if app.offset > chrono::TimeDelta::zero() {
                    "+"
                } else {
                    "-"
                },
                format_duration(app.offset.abs())
            ),
            theme::warn(),
        ));
    }
    let Screen::Main(m) = &app.screen else {
        frame.render_widget(Paragraph::new(Line::from(first)), area);
        return;
    };
    let [l1, l2, l3] = Layout::vertical([Constraint::Length(1); 3]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(first)), l1);
    let now = app.now();
    let mut second = vec![Span::styled(
        format!(
            " {} ({})",
            safe(&m.caps.principal.display_name),
            m.caps.principal.upn
        ),
        ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::BOLD),
    )];
    let active: Vec<String> =
        m.my.status
            .iter()
            .flat_map(|s| s.active.iter())
            .filter(|a| a.assignment.is_live(now))
            .map(|a| match a.assignment.end {
                None => safe(&a.role.display_name).into_owned(),
                Some(end) => format!(
                    "{} {}",
                    safe(&a.role.display_name),
                    format_duration(end - now)
                ),
            })
            .collect();
    second.push(Span::raw(" · active: "));
    second.push(if active.is_empty() {
        Span::styled("none", theme::muted())
    } else {
        Span::styled(active.join(", "), theme::ok())
    });
    frame.render_widget(Paragraph::new(Line::from(second)), l2);
    let badges = [
        (Tab::Inbox, m.unread),
        (Tab::Approvals, m.approvals.to_decide() as i64),
        (Tab::Alerts, m.alerts.active() as i64),
    ];
    tabs(frame, l3, m.tab, &badges);
}

/// The tabs, with a count after those that have something waiting.
fn tabs(frame: &mut Frame, area: Rect, current: Tab, badges: &[(Tab, i64)]) {
    let mut spans = vec![Span::raw(" ")];
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let count = badges.iter().find(|(t, _)| t == tab).map_or(0, |(_, n)| *n);
        let title = if count > 0 {
            format!(" {} {} ({count}) ", i + 1, tab.title())
        } else {
            format!(" {} {} ", i + 1, tab.title())
        };
        spans.push(Span::styled(
            title,
            if *tab == current {
                theme::tab_active()
            } else {
                theme::muted()
            },
        ));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The last note.
pub fn status(frame: &mut Frame, area: Rect, app: &App) {
    let Some((text, tone)) = &app.status else {
        if let Some(warning) = app.health.first() {
            frame.render_widget(
                Paragraph::new(Line::from(Span::styled(
                    format!(" ⚠ {}", safe(warning)),
                    theme::error(),
                ))),
                area,
            );
        }
        return;
    };
    let style = match tone {
        Tone::Error => theme::error(),
        Tone::Success => theme::ok(),
        Tone::Info => ratatui::style::Style::new(),
    };
    let first = text.lines().next().unwrap_or("");
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(format!(" {}", safe(first)), style))),
        area,
    );
}

/// The keys that work here, from the keymap.
pub fn footer(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = vec![Span::raw(" ")];
    let all = hints(&app.contexts());
    let help = all.iter().filter(|(k, _)| *k == "?");
    for (key, hint) in help.chain(all.iter().filter(|(k, _)| *k != "?")) {
        spans.push(Span::styled(*key, theme::key()));
        spans.push(Span::styled(format!(" {hint}  "), theme::muted()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
