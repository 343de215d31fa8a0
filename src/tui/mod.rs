//! The console: a full-screen ratatui app on the same service functions as the CLI (no rules
//! of its own, no SQL). `run` owns the terminal and always gives it back: on quit, on error,
//! on panic, on Ctrl-C.

use anyhow::Context;
use std::io::{IsTerminal, stdout};
use std::path::PathBuf;
use std::time::Duration;

use ratatui::crossterm::event::{
    self, DisableBracketedPaste, EnableBracketedPaste, Event, KeyEventKind,
};
use ratatui::crossterm::execute;

mod activation_flow;
pub mod admin;
pub mod app;
pub mod keymap;
pub mod lifecycle;
mod lifecycle_text;
pub mod msg;
pub mod popup;
pub mod screen;
mod signin_flow;
pub mod ui;
pub mod update;
pub mod widgets;

pub use app::{App, Tz};

#[cfg(test)]
mod tests;

/// Why the console could not run.
#[derive(Debug)]
pub enum ConsoleError {
    /// Standard input or output is not a terminal.
    NoTerminal,
    /// The database could not be opened.
    Service(crate::service::ServiceError),
    /// The terminal failed: what the console was doing, and the system's error.
    Terminal(anyhow::Error),
}

/// Opens the console on the database at `db` and runs it until the user quits.
pub fn run(db: PathBuf) -> Result<(), ConsoleError> {
    if !stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(ConsoleError::NoTerminal);
    }
    let mut app = App::open(db, Tz::Local).map_err(ConsoleError::Service)?;
    let mut terminal = ratatui::try_init()
        .context("switching the terminal to the console's screen")
        .map_err(ConsoleError::Terminal)?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste);
        previous(info);
    }));
    let _ = execute!(stdout(), EnableBracketedPaste);
    let result = event_loop(&mut terminal, &mut app);
    // A class's session ends with the database whole in its file, should anyone copy it.
    if let Some(svc) = &app.svc {
        svc.store().fold_on_close();
    }
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        ratatui::crossterm::cursor::Show
    );
    ratatui::restore();
    result
        .context("drawing the console or reading the keyboard")
        .map_err(ConsoleError::Terminal)
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> std::io::Result<()> {
    app.reload();
    while !app.quit {
        terminal.draw(|f| ui::render(f, app))?;
        if app.run_pending() {
            continue;
        }
        if event::poll(Duration::from_millis(250))? {
            match event::read()? {
                Event::Key(k) if k.kind == KeyEventKind::Press => app.on_key(k),
                Event::Paste(text) => app.on_paste(&text),
                _ => {}
            }
        }
        app.tick();
    }
    Ok(())
}
