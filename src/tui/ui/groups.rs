//! The Groups tab (admin side): every group with its eligible and active members and owners.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph};

use super::{Column, safe, table, theme};
use crate::policy::model::Access;
use crate::tui::screen::main::MainState;

const GROUPS: [Column; 5] = [
    Column::new("Group", Constraint::Fill(1), 16, 0),
    Column::new("Roles", Constraint::Length(5), 5, 2),
    Column::new("Members (elig./active)", Constraint::Length(22), 9, 1),
    Column::new("Owners (elig./active)", Constraint::Length(21), 9, 3),
    Column::new("", Constraint::Length(15), 15, 4),
];

/// Draws the Groups tab.
pub fn render(frame: &mut Frame, area: Rect, m: &MainState) {
    let g = &m.groups;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Groups · PIM for Groups ", theme::title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [top, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let pick = |access: Access| {
        Span::styled(
            format!(" {} ", access.title()),
            if g.access == access {
                theme::selected()
            } else {
                theme::muted()
            },
        )
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Enter opens ", theme::muted()),
            pick(Access::Member),
            Span::raw(" "),
            pick(Access::Owner),
            Span::styled(" ←→", theme::key()),
            Span::styled("  (assignments, settings, n to add)", theme::muted()),
        ])),
        top,
    );
    if g.list.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                " No groups yet. Add one: pim groups add NAME [--role-assignable]",
                theme::muted(),
            )),
            list,
        );
        return;
    }
    let rows: Vec<Vec<Cell>> = g
        .list
        .iter()
        .map(|s| {
            vec![
                Cell::from(safe(&s.group.principal.display_name).into_owned()),
                Cell::from(s.roles.to_string()),
                Cell::from(format!("{} / {}", s.eligible_members, s.active_members)),
                Cell::from(format!("{} / {}", s.eligible_owners, s.active_owners)),
                Cell::from(if s.group.role_assignable {
                    "role-assignable"
                } else {
                    ""
                }),
            ]
        })
        .collect();
    let table = table(&GROUPS, rows, list.width);
    let mut state = g.scroll.state(g.selected);
    frame.render_stateful_widget(table, list, &mut state);
    g.scroll.remember(&state);
}
