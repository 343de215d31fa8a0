//! My roles: Eligible, Active and Expired, with live countdowns.

use chrono::TimeDelta;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph};

use super::{Column, safe, table, theme};
use crate::policy::duration::{format_duration, format_left};
use crate::policy::model::{AssignmentKind, Origin};
use crate::tui::app::App;
use crate::tui::msg::Sub;
use crate::tui::screen::main::MainState;

const ELIGIBLE: [Column; 4] = [
    Column::new("Role", Constraint::Fill(3), 18, 0),
    Column::new("Eligible until", Constraint::Length(22), 22, 3),
    Column::new("Max activation", Constraint::Length(14), 14, 2),
    Column::new("Needs", Constraint::Fill(2), 10, 1),
];
const ACTIVE: [Column; 5] = [
    Column::new("Role", Constraint::Fill(3), 18, 0),
    Column::new("How", Constraint::Length(9), 9, 3),
    Column::new("Start", Constraint::Length(5), 5, 4),
    Column::new("End", Constraint::Length(20), 20, 2),
    Column::new("Time left", Constraint::Length(16), 12, 1),
];
const GROUPS: [Column; 5] = [
    Column::new("Group", Constraint::Fill(3), 16, 0),
    Column::new("Access", Constraint::Length(6), 6, 3),
    Column::new("State", Constraint::Length(9), 9, 1),
    Column::new("End", Constraint::Length(20), 20, 4),
    Column::new("Time left", Constraint::Length(16), 12, 2),
];
const EXPIRED: [Column; 4] = [
    Column::new("Role", Constraint::Fill(3), 18, 0),
    Column::new("Type", Constraint::Length(9), 9, 2),
    Column::new("Ended", Constraint::Length(22), 20, 1),
    Column::new("How", Constraint::Length(11), 10, 3),
];

/// An active assignment's time left, styled as it runs out.
fn time_left(
    a: &crate::policy::model::Assignment,
    now: crate::clock::Time,
) -> (String, ratatui::style::Style) {
    match a.end {
        _ if a.is_scheduled(now) => ("scheduled".to_owned(), theme::muted()),
        None => ("permanent".to_owned(), ratatui::style::Style::new()),
        Some(end) if end <= now => ("expired".to_owned(), theme::muted()),
        Some(end) if end - now < SOON => (countdown(end - now), theme::warn()),
        Some(end) => (countdown(end - now), theme::ok()),
    }
}

/// Under this much time left, a countdown shows seconds and turns yellow.
pub const SOON: TimeDelta = TimeDelta::minutes(10);

/// `7h 42m left`, or `4m 12s left` near the end.
pub fn countdown(left: TimeDelta) -> String {
    if left < SOON {
        format!(
            "{}m {:02}s left",
            left.num_minutes(),
            left.num_seconds() % 60
        )
    } else {
        format_left(left)
    }
}

/// The `Eligible · Active · Expired` switcher, each list with its count.
pub fn sub_tabs(current: Sub, lists: &[(Sub, usize)]) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for &(sub, count) in lists {
        let text = format!(" {} ({count}) ", sub.title());
        spans.push(Span::styled(
            text,
            if sub == current {
                theme::selected()
            } else {
                theme::muted()
            },
        ));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled("←→", theme::key()));
    Line::from(spans)
}

/// Draws My roles.
pub fn render(frame: &mut Frame, area: Rect, app: &App, m: &MainState) {
    let my = &m.my;
    let lists: Vec<(Sub, usize)> = Sub::MINE.iter().map(|&s| (s, my.len(s))).collect();
    let counts = [my.len(Sub::Eligible)];
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        " My roles · Microsoft Entra roles and groups ",
        theme::title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [tabs, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let mut top = vec![sub_tabs(my.sub, &lists)];
    if my.marked.is_empty() && my.sub == Sub::Eligible && counts[0] > 1 {
        top.push(Line::from(Span::styled(
            " Space marks several roles to activate together with one code",
            theme::muted(),
        )));
    } else if !my.marked.is_empty() {
        top.push(Line::from(vec![
            Span::styled(format!(" {} marked", my.marked.len()), theme::focused()),
            Span::styled(
                " · a activates them together with one code · Space unmarks",
                theme::muted(),
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(top), tabs);
    let Some(status) = &my.status else { return };
    let now = app.now();
    let selected = my.selected[my.sub.index()];
    let (cols, rows, empty): (&[Column], Vec<Vec<Cell>>, &str) = match my.sub {
        Sub::Eligible => (
            &ELIGIBLE,
            status
                .eligible
                .iter()
                .map(|e| {
                    let st = &e.settings;
                    let needs = st.activation_needs();
                    let mark = match (my.marked.is_empty(), my.is_marked(&e.row.role.id)) {
                        (true, _) => "",
                        (false, true) => "● ",
                        (false, false) => "  ",
                    };
                    // Already active: said here, before its activation pane opens.
                    let active = status
                        .active
                        .iter()
                        .any(|a| a.role.id == e.row.role.id && a.assignment.is_current(now));
                    let name = match status.via_group(&e.row) {
                        Some(g) => {
                            format!("{mark}{} (via {})", safe(&e.row.role.display_name), safe(g))
                        }
                        None => format!("{mark}{}", safe(&e.row.role.display_name)),
                    };
                    vec![
                        if active {
                            Cell::from(Line::from(vec![
                                Span::raw(name),
                                Span::styled(" (active)", theme::ok()),
                            ]))
                        } else {
                            Cell::from(name)
                        },
                        Cell::from(
                            e.row
                                .assignment
                                .end
                                .map_or("permanent".into(), |t| app.tz.format(t)),
                        ),
                        Cell::from(format_duration(st.max_activation)),
                        Cell::from(needs.join(", ")),
                    ]
                })
                .collect(),
            "No eligible roles. An administrator can make you eligible for a role (phase 3).",
        ),
        Sub::Active => (
            &ACTIVE,
            status
                .active
                .iter()
                .map(|r| {
                    let a = &r.assignment;
                    let (left, style) = time_left(a, now);
                    let via = status.via_group(r);
                    let name = match via {
                        Some(g) => format!("{} ({})", safe(&r.role.display_name), safe(g)),
                        None => safe(&r.role.display_name).into_owned(),
                    };
                    vec![
                        Cell::from(name),
                        Cell::from(match (via, a.origin) {
                            (Some(_), _) => "via group",
                            (None, Origin::Activated) => "activated",
                            (None, Origin::Assigned) => "assigned",
                        }),
                        Cell::from(app.tz.hm(a.start)),
                        Cell::from(a.end.map_or("permanent".into(), |t| app.tz.format(t))),
                        Cell::from(Span::styled(left, style)),
                    ]
                })
                .collect(),
            "No active roles. Activate an eligible one: ← then a.",
        ),
        Sub::Groups => (
            &GROUPS,
            status
                .group_active
                .iter()
                .chain(status.group_eligible.iter().map(|e| &e.row))
                .map(|r| {
                    let a = &r.assignment;
                    let (state, (left, style)) = match (a.kind, a.origin) {
                        (AssignmentKind::Eligible, _) => {
                            ("eligible", ("-".to_owned(), ratatui::style::Style::new()))
                        }
                        (AssignmentKind::Active, Origin::Activated) => {
                            ("activated", time_left(a, now))
                        }
                        (AssignmentKind::Active, Origin::Assigned) => {
                            ("assigned", time_left(a, now))
                        }
                    };
                    vec![
                        Cell::from(
                            safe(r.role.group_name().unwrap_or(&r.role.display_name)).into_owned(),
                        ),
                        Cell::from(r.role.group.as_ref().map_or("", |g| g.access.as_str())),
                        Cell::from(state),
                        Cell::from(a.end.map_or("permanent".into(), |t| app.tz.format(t))),
                        Cell::from(Span::styled(left, style)),
                    ]
                })
                .collect(),
            "No group memberships. An administrator can make you an eligible member of a group (pim groups assign).",
        ),
        Sub::Expired => (
            &EXPIRED,
            my.expired
                .iter()
                .map(|r| {
                    let a = &r.assignment;
                    vec![
                        Cell::from(safe(&r.role.display_name).into_owned()),
                        Cell::from(a.kind.label()),
                        Cell::from(a.end.map_or("-".into(), |t| app.tz.format(t))),
                        Cell::from(if a.origin == Origin::Activated {
                            "activation"
                        } else {
                            "assignment"
                        }),
                    ]
                })
                .collect(),
            "Nothing expired recently. r renews an expired assignment (up to 30 days after).",
        ),
    };
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(
                format!(" {empty}"),
                theme::muted(),
            ))),
            list,
        );
        return;
    }
    let table = table(cols, rows, list.width);
    let mut state = my.scrolls[my.sub.index()].state(selected);
    frame.render_stateful_widget(table, list, &mut state);
    my.scrolls[my.sub.index()].remember(&state);
}
