//! The Approvals, Alerts and Reviews tabs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Wrap};

use super::{Column, safe, table, theme};
use crate::policy::alerts::Severity;
use crate::policy::request::RequestStatus;
use crate::tui::app::App;
use crate::tui::screen::main::MainState;

fn one_line(s: &str) -> String {
    safe(s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Requests to decide (marked ▶), then the account's own.
pub fn approvals(frame: &mut Frame, area: Rect, app: &App, m: &MainState) {
    let a = &m.approvals;
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" Approvals · {} waiting for you ", a.to_decide()),
        theme::title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if a.list.is_empty() {
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(Span::styled(" No requests.", theme::muted())),
                Line::from(""),
                Line::from(Span::styled(
                    " Requests you can approve or deny show here, with your own requests:",
                    theme::muted(),
                )),
                Line::from(Span::styled(
                    " activations of roles that require approval, extensions and renewals.",
                    theme::muted(),
                )),
            ])
            .wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }
    let rows: Vec<Vec<Cell>> = a
        .list
        .iter()
        .map(|v| {
            let r = &v.request;
            let status_style = match r.status {
                RequestStatus::PendingApproval | RequestStatus::PendingAdminDecision => {
                    theme::warn()
                }
                RequestStatus::Denied | RequestStatus::TimedOut => theme::error(),
                RequestStatus::Canceled | RequestStatus::Revoked => theme::muted(),
                _ => theme::ok(),
            };
            vec![
                Cell::from(if v.can_decide { "▶" } else { " " }),
                Cell::from(v.principal.upn.split('@').next().unwrap_or("").to_owned()),
                Cell::from(safe(&v.role.display_name).into_owned()),
                Cell::from(v.asks()),
                Cell::from(Span::styled(r.status.label(), status_style)),
                Cell::from(one_line(r.justification.as_deref().unwrap_or("-"))),
                Cell::from(app.tz.short(r.created_at)),
            ]
        })
        .collect();
    const REQUESTS: [Column; 7] = [
        Column::new("", Constraint::Length(1), 1, 0),
        Column::new("User", Constraint::Length(8), 8, 1),
        Column::new("Role", Constraint::Fill(3), 14, 0),
        Column::new("Asks to", Constraint::Length(15), 15, 2),
        Column::new("Status", Constraint::Length(9), 9, 3),
        Column::new("Reason", Constraint::Fill(2), 10, 5),
        Column::new("Asked", Constraint::Length(11), 11, 4),
    ];
    let table = table(&REQUESTS, rows, inner.width);
    let mut state = a.scroll.state(a.selected);
    frame.render_stateful_widget(table, inner, &mut state);
    a.scroll.remember(&state);
}

/// Every alert, most severe first, with its state and how many items it affects.
pub fn alerts(frame: &mut Frame, area: Rect, _app: &App, m: &MainState) {
    let a = &m.alerts;
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" Alerts · {} need attention ", a.active()),
        theme::title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(reason) = &a.denied {
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {}", safe(reason)), theme::muted()))
                .wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }
    let [list, detail] =
        Layout::vertical([Constraint::Length(10), Constraint::Min(1)]).areas(inner);
    let rows: Vec<Vec<Cell>> = a
        .list
        .iter()
        .map(|v| {
            let severity = match v.severity {
                Severity::High => theme::error(),
                Severity::Medium => theme::warn(),
                Severity::Low => theme::muted(),
            };
            let state_style = if v.active() {
                theme::error()
            } else {
                theme::muted()
            };
            vec![
                Cell::from(Span::styled(v.severity.as_str(), severity)),
                Cell::from(Span::styled(v.state(), state_style)),
                Cell::from(if v.affected == 0 {
                    String::new()
                } else {
                    v.affected.to_string()
                }),
                Cell::from(v.title),
            ]
        })
        .collect();
    // The count column fits the biggest count: a big tenant's alerts have thousands of items.
    let digits = a
        .list
        .iter()
        .map(|v| v.affected.to_string().len())
        .max()
        .unwrap_or(1);
    let count_width = u16::try_from(digits).unwrap_or(u16::MAX).max(3);
    let columns: [Column; 4] = [
        Column::new("Severity", Constraint::Length(8), 8, 2),
        Column::new("State", Constraint::Length(9), 9, 1),
        Column::new("#", Constraint::Length(count_width + 1), count_width, 3),
        Column::new("Alert", Constraint::Fill(1), 20, 0),
    ];
    let table = table(&columns, rows, list.width);
    let mut state = a.scroll.state(a.selected);
    frame.render_stateful_widget(table, list, &mut state);
    a.scroll.remember(&state);
    let Some(v) = a.list.get(a.selected) else {
        return;
    };
    let mut lines = vec![
        Line::from(Span::styled(format!(" Fix: {}", v.fix), theme::muted())),
        Line::from(Span::styled(
            format!(" Settings: {}", v.settings_text()),
            theme::muted(),
        )),
    ];
    for i in v.incidents.iter().take(usize::from(detail.height)) {
        lines.push(Line::from(format!(" - {}", safe(&i.text))));
    }
    if v.affected > v.incidents.len() {
        lines.push(Line::from(Span::styled(
            format!(
                " … and {} more (Enter lists them all)",
                v.affected - v.incidents.len()
            ),
            theme::muted(),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::default().borders(Borders::TOP))
            .wrap(Wrap { trim: false }),
        detail,
    );
}

/// The Reviews tab: every assignment under an access review this account may see, those it
/// may decide first, with the recommendation and the decision.
pub fn reviews(frame: &mut Frame, area: Rect, app: &App, m: &MainState) {
    let r = &m.reviews;
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" Access reviews · {} to decide ", r.to_decide()),
        theme::title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if r.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                " No access reviews for you. Administrators start them: pim reviews create --role ROLE --reviewer UPN --for 7d",
                theme::muted(),
            ))
            .wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }
    let [list, detail] = Layout::vertical([Constraint::Min(3), Constraint::Length(4)]).areas(inner);
    let rows: Vec<Vec<Cell>> = r
        .rows
        .iter()
        .map(|row| {
            let decision = match (&row.item.decision, &row.item.decided_by) {
                (Some(d), Some(by)) => format!("{d} ({})", one_line(by)),
                _ if row.can_decide => "yours to decide".into(),
                _ => "-".into(),
            };
            let state = if row.review.status == "active" {
                "running".to_owned()
            } else {
                row.item
                    .outcome
                    .clone()
                    .unwrap_or_else(|| "completed".into())
            };
            vec![
                Cell::from(one_line(&row.review.name)),
                Cell::from(state),
                Cell::from(one_line(&row.item.principal.upn)),
                Cell::from(row.item.kind.clone()),
                Cell::from(Span::styled(
                    row.item.recommendation.clone(),
                    if row.item.recommendation == "deny" {
                        theme::warn()
                    } else {
                        theme::muted()
                    },
                )),
                Cell::from(Span::styled(
                    decision,
                    if row.can_decide {
                        theme::focused()
                    } else {
                        theme::muted()
                    },
                )),
            ]
        })
        .collect();
    let columns: [Column; 6] = [
        Column::new("Review", Constraint::Fill(1), 14, 2),
        Column::new("State", Constraint::Length(9), 9, 3),
        Column::new("User", Constraint::Length(31), 16, 0),
        Column::new("Type", Constraint::Length(8), 8, 4),
        Column::new("Recommends", Constraint::Length(10), 10, 5),
        Column::new("Decision", Constraint::Fill(1), 12, 1),
    ];
    let table = table(&columns, rows, list.width);
    let mut state = r.scroll.state(r.selected);
    frame.render_stateful_widget(table, list, &mut state);
    r.scroll.remember(&state);
    if let Some(row) = r.rows.get(r.selected) {
        let lines = vec![
            Line::from(Span::styled(
                format!(
                    " {} · {} {} · {} · recommends {}: {}",
                    one_line(&row.review.role.display_name),
                    if row.review.status == "active" {
                        "ends"
                    } else {
                        "ended"
                    },
                    app.tz.format(row.review.end),
                    one_line(&row.item.principal.upn),
                    row.item.recommendation,
                    one_line(&row.item.recommendation_reason)
                ),
                theme::muted(),
            )),
            Line::from(Span::styled(
                if row.can_decide {
                    " a approves, d denies (with a reason); Enter shows the whole review"
                } else {
                    " Enter shows the whole review"
                },
                theme::muted(),
            )),
        ];
        frame.render_widget(
            Paragraph::new(lines)
                .block(Block::default().borders(Borders::TOP))
                .wrap(Wrap { trim: false }),
            detail,
        );
    }
}
