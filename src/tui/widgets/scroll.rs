//! A list's scroll position, kept in the model between frames: moving the selection up a long
//! list moves the window only when the selection leaves it, instead of the window being worked
//! out again from the top every frame.

use std::cell::Cell;

use ratatui::widgets::TableState;

/// The first row a list shows. Drawing reads and updates it (drawing borrows the model
/// immutably, hence the cell).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scroll {
    offset: Cell<usize>,
}

impl Scroll {
    /// The table state to draw with: the kept window and the selection.
    pub fn state(&self, selected: usize) -> TableState {
        TableState::default()
            .with_offset(self.offset.get())
            .with_selected(Some(selected))
    }

    /// Keeps the window the table settled on.
    pub fn remember(&self, state: &TableState) {
        self.offset.set(state.offset());
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::{Row, Table};

    use super::*;

    #[test]
    fn the_window_moves_only_when_the_selection_leaves_it() {
        let rows: Vec<Row> = (0..20).map(|i| Row::new(vec![i.to_string()])).collect();
        let table = Table::new(rows, [ratatui::layout::Constraint::Length(3)]);
        let mut terminal = Terminal::new(TestBackend::new(5, 5)).unwrap();
        let scroll = Scroll::default();
        let mut draw = |selected| {
            terminal
                .draw(|f| {
                    let mut state = scroll.state(selected);
                    f.render_stateful_widget(table.clone(), f.area(), &mut state);
                    scroll.remember(&state);
                })
                .unwrap();
        };
        draw(12);
        assert_eq!(
            scroll.offset.get(),
            8,
            "down to row 12: it is the last of five"
        );
        draw(10);
        assert_eq!(scroll.offset.get(), 8, "up two: still in the window");
        draw(7);
        assert_eq!(scroll.offset.get(), 7, "above it: the window follows");
    }
}
