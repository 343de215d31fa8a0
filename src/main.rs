//! `pim`: parses the command line and hands over to the CLI (or, without a command, the console).

use std::process::ExitCode;

use clap::Parser;
use pim_console::cli::{self, Cli};

fn main() -> ExitCode {
    cli::completions::complete_if_asked();
    ExitCode::from(cli::run(Cli::parse()))
}
