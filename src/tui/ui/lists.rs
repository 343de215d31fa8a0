//! The Audit and Inbox tabs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use super::{Column, safe, table, theme};
use crate::audit::AuditResult;
use crate::tui::app::App;
use crate::tui::screen::main::MainState;

/// Draws the audit log, newest first.
pub fn audit(frame: &mut Frame, area: Rect, app: &App, m: &MainState) {
    let a = &m.audit;
    let title = if a.everyone {
        " Resource audit · all PIM activity "
    } else {
        " My audit · your own activity "
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme::title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [filters, list] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let q = &a.query;
    let mut parts: Vec<String> = Vec::new();
    if let Some(v) = &q.activity {
        parts.push(format!("activity “{}”", safe(v)));
    }
    if let Some(v) = &q.role {
        parts.push(format!("role {}", safe(v)));
    }
    if let Some(v) = &q.user {
        parts.push(format!("user {}", safe(v)));
    }
    if q.failures_only {
        parts.push("failures only".into());
    }
    let mut spans = vec![Span::styled(
        " Search: ",
        if a.searching {
            theme::focused()
        } else {
            theme::muted()
        },
    )];
    spans.extend(a.search.line(a.searching, 30).spans);
    if !parts.is_empty() {
        spans.push(Span::styled(
            format!("  filters: {}", parts.join(", ")),
            theme::warn(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), filters);
    let rows: Vec<Vec<Cell>> = a
        .rows
        .iter()
        .map(|r| {
            let result = match r.result {
                AuditResult::Success => Span::styled("ok", theme::ok()),
                AuditResult::Failure => Span::styled("FAILED", theme::error()),
            };
            let by = r
                .actor
                .as_deref()
                .map_or("system", |a| a.split('@').next().unwrap_or(a));
            vec![
                Cell::from(app.tz.short(r.time)),
                Cell::from(result),
                Cell::from(safe(&r.activity).into_owned()),
                Cell::from(safe(r.role.as_deref().unwrap_or("")).into_owned()),
                Cell::from(safe(by).into_owned()),
            ]
        })
        .collect();
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(" No entries match.", theme::muted())),
            list,
        );
        return;
    }
    const AUDIT: [Column; 5] = [
        Column::new("Time", Constraint::Length(11), 11, 1),
        Column::new("Result", Constraint::Length(6), 6, 2),
        Column::new("Activity", Constraint::Fill(4), 20, 0),
        Column::new("Role", Constraint::Fill(2), 12, 3),
        Column::new("By", Constraint::Fill(1), 8, 4),
    ];
    let table = table(&AUDIT, rows, list.width);
    let mut state = a.scroll.state(a.selected);
    frame.render_stateful_widget(table, list, &mut state);
    a.scroll.remember(&state);
}

/// Draws the inbox, newest first, unread marked.
pub fn inbox(frame: &mut Frame, area: Rect, app: &App, m: &MainState) {
    let i = &m.inbox;
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" Inbox · {} ", m.caps.principal.upn),
        theme::title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if i.mail.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(" No messages.", theme::muted())),
            inner,
        );
        return;
    }
    let rows: Vec<Row> = i
        .mail
        .iter()
        .map(|e| {
            let unread = e.read_at.is_none();
            let style = if unread {
                ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::BOLD)
            } else {
                theme::muted()
            };
            Row::new(vec![
                Cell::from(if unread { "●" } else { " " }),
                Cell::from(app.tz.format(e.time)),
                Cell::from(safe(&e.subject).into_owned()),
            ])
            .style(style)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(20),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(["", "Received", "Subject"]).style(theme::heading()))
    .row_highlight_style(theme::selected())
    .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    let mut state = i.scroll.state(i.selected);
    frame.render_stateful_widget(table, inner, &mut state);
    i.scroll.remember(&state);
}
