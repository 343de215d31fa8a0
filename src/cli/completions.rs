//! `pim completions SHELL` and `pim man`: shell completion that asks pim for candidates while
//! the user types (so role names and UPNs come from the database), and manual pages.
//!
//! The completion script calls `COMPLETE=<shell> pim -- <words>`; [`complete_if_asked`] answers
//! that before anything else runs.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Arg, Command, CommandFactory};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};

use super::args::{CompletionsArgs, ManArgs, ShellArg};
use super::{Cli, CliError, CliResult};

/// The database completion reads names from: `PIM_DB`, or the default.
fn database() -> PathBuf {
    std::env::var_os("PIM_DB").map_or_else(super::default_db, PathBuf::from)
}

fn candidates(names: Vec<(String, String)>) -> Vec<CompletionCandidate> {
    names
        .into_iter()
        .map(|(value, help)| {
            let help =
                crate::policy::text::clip(&crate::policy::text::sanitize(&help), 60).into_owned();
            CompletionCandidate::new(crate::policy::text::sanitize(&value).into_owned())
                .help((!help.is_empty()).then(|| help.into()))
        })
        .collect()
}

fn role_names() -> Vec<CompletionCandidate> {
    candidates(crate::store::names::roles(&database()))
}

fn upns() -> Vec<CompletionCandidate> {
    candidates(crate::store::names::upns(&database()))
}

fn group_names() -> Vec<CompletionCandidate> {
    candidates(crate::store::names::groups(&database()))
}

/// Adds the database's names to every argument that takes a role, a group or an existing
/// account.
fn with_names(cmd: Command) -> Command {
    if cmd.get_name() == "groups" {
        return with_group_names(cmd);
    }
    let new_account = cmd.get_name() == "add";
    cmd.mut_args(|a: Arg| match a.get_id().as_str() {
        "role" | "roles" => a.add(ArgValueCandidates::new(role_names)),
        "group" => a.add(ArgValueCandidates::new(group_names)),
        "upn" if new_account => a,
        "upn" | "user" | "as_upn" => a.add(ArgValueCandidates::new(upns)),
        _ => a,
    })
    .mut_subcommands(with_names)
}

/// Under `pim groups`, the group comes first (`name`, or `role` in `settings set`); a new
/// group's name is the user's to choose.
fn with_group_names(cmd: Command) -> Command {
    let new_group = cmd.get_name() == "add";
    cmd.mut_args(|a: Arg| match a.get_id().as_str() {
        "name" if new_group => a,
        "name" | "role" => a.add(ArgValueCandidates::new(group_names)),
        "upn" | "as_upn" => a.add(ArgValueCandidates::new(upns)),
        _ => a,
    })
    .mut_subcommands(with_group_names)
}

/// The command line with completion candidates.
pub fn command() -> Command {
    // Each subcommand's arguments are built only when it runs (starting pim stays fast);
    // completion and manual pages walk them all, so build them all here.
    let mut cmd = Cli::command();
    cmd.build();
    with_names(cmd)
}

/// Answers the completion script's question and exits, when this run is one.
pub fn complete_if_asked() {
    clap_complete::CompleteEnv::with_factory(command).complete();
}

fn shell(s: ShellArg) -> &'static dyn EnvCompleter {
    match s {
        ShellArg::Bash => &Bash,
        ShellArg::Zsh => &Zsh,
        ShellArg::Fish => &Fish,
        ShellArg::Elvish => &Elvish,
        ShellArg::Powershell => &Powershell,
    }
}

/// Writes program-made bytes (a script, a manual page) to standard output; a reader that
/// went away ends the program quietly.
fn write_raw(bytes: &[u8]) -> CliResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(CliError::error(format!("writing the output failed: {e}"))),
    }
}

/// `pim completions SHELL`: the script calls this very program (by the path it was run as,
/// when that is a path) to complete.
pub fn completions(a: &CompletionsArgs) -> CliResult {
    let argv0: OsString = std::env::args_os().next().unwrap_or_else(|| "pim".into());
    let program = PathBuf::from(&argv0);
    let completer = if program.components().count() > 1 {
        std::path::absolute(&program).unwrap_or(program)
    } else {
        program
    };
    let mut buf = Vec::new();
    shell(a.shell)
        .write_registration(
            "COMPLETE",
            "pim",
            "pim",
            &completer.to_string_lossy(),
            &mut buf,
        )
        .map_err(|e| CliError::error(format!("writing the script failed: {e}")))?;
    write_raw(&buf)
}

/// `pim man [--dir DIR]`.
pub fn man(a: &ManArgs) -> CliResult {
    let mut cmd = Cli::command();
    cmd.build();
    match &a.dir {
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .map_err(|e| CliError::error(format!("writing the manual failed: {e}")))?;
            write_raw(&buf)
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| CliError::error(format!("cannot create {}: {e}", dir.display())))?;
            clap_mangen::generate_to(cmd, dir).map_err(|e| {
                CliError::error(format!("writing to {} failed: {e}", dir.display()))
            })?;
            let pages = std::fs::read_dir(dir).map_or(0, |d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".1"))
                    .count()
            });
            outln!("Wrote {pages} manual pages to {}.", dir.display());
            Ok(())
        }
    }
}
