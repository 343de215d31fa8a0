//! `pim`: parses the command line, then runs the command (the CLI) or, without one, the
//! console. The two are siblings over one engine; this is where one of them is picked.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use pim_console::cli::{self, Cli, CliError};
use pim_console::tui::{self, ConsoleError};

fn main() -> ExitCode {
    cli::completions::complete_if_asked();
    let args = Cli::parse();
    let code = match args.command {
        Some(command) => cli::run(args.db, args.as_upn, command),
        None => cli::finish(console(args.db.unwrap_or_else(cli::default_db))),
    };
    ExitCode::from(code)
}

/// The console on the database `db`, its failures worded and numbered as the CLI's are.
fn console(db: PathBuf) -> Result<(), CliError> {
    cli::check_address(&db)?;
    match tui::run(db) {
        Ok(()) => Ok(()),
        Err(ConsoleError::NoTerminal) => Err(CliError::usage(
            "the console needs a terminal (standard input and output are not one); use a command instead, see `pim --help`",
        )),
        Err(ConsoleError::Service(e)) => Err(e.into()),
        // The context says what the console was doing, then the system's reason.
        Err(ConsoleError::Terminal(e)) => {
            Err(CliError::error(format!("the terminal failed: {e:#}")))
        }
    }
}
