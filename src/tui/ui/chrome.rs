//! The frame around every screen: header, tabs, status line and key hints.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{safe, theme};
use crate::policy::duration::format_duration;
use crate::tui::app::{App, Screen};
use crate::tui::keymap::hints_without;
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
        (Tab::Approvals, m.approvals.waiting() as i64),
        (Tab::Alerts, m.alerts.active() as i64),
        (Tab::Reviews, m.reviews.to_decide() as i64),
    ];
    tabs(frame, l3, m.tab, &badges);
}

/// The tabs, with a count after those that have something waiting. Narrow terminals get the
/// tabs closer together, then the other tabs as their key and count only (the current one
/// keeps its name), so every tab and every count stays on screen.
fn tabs(frame: &mut Frame, area: Rect, current: Tab, badges: &[(Tab, i64)]) {
    let titles = |level: u8| -> Vec<(String, bool)> {
        Tab::ALL
            .iter()
            .enumerate()
            .map(|(i, tab)| {
                let count = badges.iter().find(|(t, _)| t == tab).map_or(0, |(_, n)| *n);
                let badge = if count > 0 {
                    format!(" ({count})")
                } else {
                    String::new()
                };
                let name = match level {
                    _ if *tab == current => format!(" {}", tab.title()),
                    0 | 1 => format!(" {}", tab.title()),
                    2 => format!(
                        " {}",
                        match tab.title() {
                            "My roles" => "Mine",
                            "Approvals" => "Appr",
                            other => other,
                        }
                    ),
                    _ => String::new(),
                };
                let pad = if level == 0 { " " } else { "" };
                (format!("{pad}{}{name}{badge}{pad}", i + 1), *tab == current)
            })
            .collect()
    };
    let width = |t: &[(String, bool)], gap: usize| -> usize {
        1 + t
            .iter()
            .map(|(s, _)| s.chars().count() + gap)
            .sum::<usize>()
    };
    let (list, gap) = [(0u8, 1usize), (1, 2), (2, 1), (3, 2)]
        .into_iter()
        .map(|(level, gap)| (titles(level), gap))
        .find(|(t, gap)| width(t, *gap) <= usize::from(area.width))
        .unwrap_or_else(|| (titles(3), 1));
    let mut spans = vec![Span::raw(" ")];
    for (title, is_current) in list {
        spans.push(Span::styled(
            title,
            if is_current {
                theme::tab_active()
            } else {
                theme::muted()
            },
        ));
        spans.push(Span::raw(" ".repeat(gap)));
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

/// The keys that work here, from the keymap: help first, then the most specific; as many
/// whole hints as fit (none is cut in half).
pub fn footer(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    let all = hints_without(&app.contexts(), &app.idle_actions());
    let help = all.iter().filter(|(k, _)| *k == "?");
    for (key, hint) in help.chain(all.iter().filter(|(k, _)| *k != "?")) {
        let text = format!(" {hint}  ");
        let width = key.chars().count() + text.trim_end().chars().count();
        if used + width > usize::from(area.width) {
            // The rest are less specific; `?` lists them all.
            break;
        }
        used += key.chars().count() + text.chars().count();
        spans.push(Span::styled(*key, theme::key()));
        spans.push(Span::styled(text, theme::muted()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
