//! The admin side: the catalogue, and one role's settings (read view) and assignments.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, TableState};

use super::my_roles::{countdown, sub_tabs};
use super::{Column, safe, table, theme};
use crate::policy::duration::format_duration;
use crate::policy::model::{AssignmentKind, Origin};
use crate::policy::settings::{RoleSettings, on_off};
use crate::tui::app::App;
use crate::tui::msg::Sub;
use crate::tui::screen::main::MainState;
use crate::tui::screen::roles::RoleDetail;

/// Draws the Roles tab.
pub fn render(frame: &mut Frame, area: Rect, app: &App, m: &MainState) {
    match &m.roles.detail {
        Some(d) => detail(frame, area, app, m, d),
        None => catalogue(frame, area, m),
    }
}

fn catalogue(frame: &mut Frame, area: Rect, m: &MainState) {
    let r = &m.roles;
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        " Roles · Microsoft Entra roles ",
        theme::title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [search, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let mut spans = vec![Span::styled(
        " Search: ",
        if r.searching {
            theme::focused()
        } else {
            theme::muted()
        },
    )];
    spans.extend(
        r.search
            .line(r.searching, usize::from(search.width.saturating_sub(12)))
            .spans,
    );
    frame.render_widget(Paragraph::new(Line::from(spans)), search);
    let rows: Vec<Vec<Cell>> = r
        .filtered()
        .iter()
        .map(|o| {
            vec![
                Cell::from(safe(&o.role.display_name).into_owned()),
                Cell::from(if o.role.privileged { "Privileged" } else { "" }),
                Cell::from(o.eligible.to_string()),
                Cell::from(o.active.to_string()),
            ]
        })
        .collect();
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(" No role matches the search.", theme::muted())),
            list,
        );
        return;
    }
    const CATALOGUE: [Column; 4] = [
        Column::new("Role", Constraint::Fill(1), 20, 0),
        Column::new("", Constraint::Length(10), 10, 3),
        Column::new("Eligible", Constraint::Length(8), 8, 1),
        Column::new("Active", Constraint::Length(6), 6, 2),
    ];
    let table = table(&CATALOGUE, rows, list.width);
    let mut state = r.scroll.state(r.selected);
    frame.render_stateful_widget(table, list, &mut state);
    r.scroll.remember(&state);
}

/// The settings read view: every field, grouped as the editor's tabs.
fn settings_lines(s: &RoleSettings) -> Vec<Line<'static>> {
    let approvers = crate::policy::settings::approvers_text(&s.approvers);
    let changed_rows = s
        .notifications
        .iter()
        .filter(|(_, n)| {
            !n.default_recipients || n.critical_only || !n.additional_recipients.is_empty()
        })
        .count();
    let row = |label: &'static str, text: String| {
        Line::from(vec![
            Span::styled(format!(" {label:<13}"), theme::muted()),
            Span::raw(text),
        ])
    };
    vec![
        row(
            "Activation",
            format!(
                "max {} · MFA {} · justification {} · ticket {} · approval {}",
                format_duration(s.max_activation),
                on_off(s.require_mfa),
                on_off(s.require_justification),
                on_off(s.require_ticket),
                on_off(s.require_approval)
            ),
        ),
        row("", format!("approvers: {}", safe(&approvers))),
        row(
            "Assignment",
            format!(
                "eligible: permanent {}, else expire after {}",
                on_off(s.allow_permanent_eligible),
                s.expire_eligible_after.label()
            ),
        ),
        row(
            "",
            format!(
                "active: permanent {}, else expire after {}",
                on_off(s.allow_permanent_active),
                s.expire_active_after.label()
            ),
        ),
        row(
            "",
            format!(
                "on active assignment: MFA {} · justification {}",
                on_off(s.require_mfa_on_active),
                on_off(s.require_justification_on_active)
            ),
        ),
        row(
            "Notification",
            if changed_rows == 0 {
                "9 e-mail rows, Entra's defaults (e shows them)".to_owned()
            } else {
                format!("9 e-mail rows, {changed_rows} changed from the defaults (e shows them)")
            },
        ),
    ]
}

fn detail(frame: &mut Frame, area: Rect, app: &App, m: &MainState, d: &RoleDetail) {
    let role = &d.view.role;
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(
            " {} › {} ",
            if role.group.is_some() {
                "Groups"
            } else {
                "Roles"
            },
            safe(&role.display_name)
        ),
        theme::title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let banner = !m.caps.admin;
    let [info, settings, tabs, list] = Layout::vertical([
        Constraint::Length(if banner { 2 } else { 1 }),
        Constraint::Length(8),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    let mut info_lines = vec![Line::from(Span::styled(
        format!(" {} · {}", role.id, safe(&role.description)),
        theme::muted(),
    ))];
    if banner {
        let which = if m.caps.eligible_admin_roles.is_empty() {
            "an administrator role".to_owned()
        } else {
            m.caps.eligible_admin_roles.join(" or ")
        };
        info_lines.push(Line::from(Span::styled(
            format!(" Read only: activate {which} to change settings or assignments."),
            theme::warn(),
        )));
    }
    frame.render_widget(Paragraph::new(info_lines), info);
    let mut s_lines = settings_lines(&d.view.settings);
    if let (Some(at), Some(by)) = (d.view.updated_at, &d.view.updated_by) {
        s_lines.push(Line::from(Span::styled(
            format!(" Updated {} by {by}", app.tz.format(at)),
            theme::muted(),
        )));
    }
    let s_block = Block::default()
        .borders(Borders::TOP)
        .title(Span::styled(" Settings (e to edit) ", theme::muted()));
    frame.render_widget(Paragraph::new(s_lines).block(s_block), settings);
    let counts = d.counts();
    let lists: Vec<(Sub, usize)> = Sub::ALL.iter().map(|&s| (s, counts[s.index()])).collect();
    frame.render_widget(Paragraph::new(sub_tabs(d.sub, &lists)), tabs);
    assignments(frame, list, app, d);
}

fn assignments(frame: &mut Frame, area: Rect, app: &App, d: &RoleDetail) {
    let i = d.sub.index();
    let now = app.now();
    // Only the rows that fit are built: a role with thousands of assignments draws as fast as
    // one with three. The window follows the selection.
    let fit = usize::from(area.height.saturating_sub(1)).max(1);
    let selected = d.selected[i];
    let mut offset = d.offsets[i].get().min(d.rows[i].len().saturating_sub(1));
    if selected < offset {
        offset = selected;
    } else if selected >= offset + fit {
        offset = selected + 1 - fit;
    }
    d.offsets[i].set(offset);
    let rows: Vec<Vec<Cell>> = d.rows[i]
        .iter()
        .skip(offset)
        .take(fit)
        .map(|r| {
            let a = &r.assignment;
            let kind = match (a.kind, a.origin) {
                (AssignmentKind::Eligible, _) => "Eligible",
                (AssignmentKind::Active, Origin::Assigned) => "Active",
                (AssignmentKind::Active, Origin::Activated) => "Activated",
            };
            let left = match a.end {
                _ if a.is_scheduled(now) => "scheduled".to_owned(),
                None => "permanent".to_owned(),
                Some(end) if end > now => countdown(end - now),
                Some(_) => "expired".to_owned(),
            };
            vec![
                Cell::from(safe(&r.principal.display_name).into_owned()),
                Cell::from(r.principal.upn.clone()),
                Cell::from(kind),
                Cell::from(a.end.map_or("permanent".into(), |t| app.tz.format(t))),
                Cell::from(left),
            ]
        })
        .collect();
    if rows.is_empty() {
        let text = format!(
            " No {} assignments. n adds one.",
            d.sub.title().to_lowercase()
        );
        frame.render_widget(Paragraph::new(Span::styled(text, theme::muted())), area);
        return;
    }
    const MEMBERS: [Column; 5] = [
        Column::new("Member", Constraint::Fill(2), 14, 0),
        Column::new("User name", Constraint::Fill(3), 16, 3),
        Column::new("Type", Constraint::Length(9), 9, 1),
        Column::new("End", Constraint::Length(20), 20, 4),
        Column::new("Left", Constraint::Length(14), 12, 2),
    ];
    let table = table(&MEMBERS, rows, area.width);
    let mut state = TableState::default().with_selected(Some(selected - offset));
    frame.render_stateful_widget(table, area, &mut state);
}
