//! The command line: fixed command names and flags (see the README), parsed by clap. Values are
//! parsed here (durations, times, switches) so that bad input is a usage error (exit 2) before
//! anything touches the database.

use std::path::PathBuf;

use chrono::TimeDelta;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::clock::Time;
use crate::policy::duration::parse_duration;
use crate::policy::model::AssignmentKind;

mod alerts;
mod audit;
mod db;
mod groups;
mod me;
mod requests;
mod reviews;
mod roles;
mod tenant;

pub use alerts::*;
pub use audit::*;
pub use db::*;
pub use groups::*;
pub use me::*;
pub use requests::*;
pub use reviews::*;
pub use roles::*;
pub use tenant::*;

/// PIM Console: Microsoft Entra Privileged Identity Management in the terminal, offline.
///
/// Run without a command to open the console.
#[derive(Debug, Parser)]
#[command(name = "pim", version, max_term_width = 100)]
pub struct Cli {
    /// The database file [default: <data dir>/pim/pim.db]
    #[arg(long, global = true, env = "PIM_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Act as this signed-in account (when several are signed in)
    #[arg(long = "as", global = true, env = "PIM_AS", value_name = "UPN")]
    pub as_upn: Option<String>,
    /// What to do; without one, the console opens
    #[command(subcommand)]
    pub command: Option<Command>,
}

// Every command.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Create the training lab (admin@, pimuser@, approver@) and print its accounts
    Lab(LabArgs),
    /// Create a new empty tenant with its first Global Administrator
    Init(InitArgs),
    /// Sign in (password, then a code from your authenticator)
    Login(LoginArgs),
    /// Sign out
    Logout(LogoutArgs),
    /// Show who you are signed in as
    Whoami(JsonFlag),
    /// Manage accounts
    #[command(subcommand)]
    Users(UsersCommand),
    /// List the role catalogue
    Roles(RolesArgs),
    /// Show or change a role's settings (its PIM policy)
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Assign a role to a user (eligible or active)
    Assign(AssignArgs),
    /// List assignments, or update one
    Assignments(AssignmentsArgs),
    /// Remove a user's assignment of a role
    Unassign(UnassignArgs),
    /// Activate one or more of your eligible roles (all or none, one code)
    Activate(ActivateArgs),
    /// Deactivate one of your activated roles
    Deactivate(DeactivateArgs),
    /// Your eligible and active roles with time left
    Status(StatusArgs),
    /// Your saved sets of roles, activated together with `pim activate --bundle NAME`
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Exit 0 when a role is active for you now, 3 when not (for scripts)
    Check(CheckArgs),
    /// Run a command only while a role is active; it is stopped when the role ends
    Exec(ExecArgs),
    /// Requests waiting for a decision (yours to decide, and your own)
    Requests(RequestsArgs),
    /// Approve a request (approvers; give your reason)
    Approve(ApproveArgs),
    /// Deny a request (approvers; give your reason)
    Deny(DenyArgs),
    /// Withdraw a pending request, or a scheduled activation before it starts
    Cancel(CancelArgs),
    /// Ask to extend an assignment ending within 14 days (administrators: extend one directly)
    Extend(ExtendArgs),
    /// Ask to renew an assignment that expired up to 30 days ago (administrators: renew directly)
    Renew(RenewArgs),
    /// Your e-mail (PIM notifications)
    Inbox(InboxArgs),
    /// Export e-mail as files a mail client can open
    #[command(subcommand)]
    Mail(MailCommand),
    /// PIM security alerts, and their settings
    Alerts(AlertsArgs),
    /// Access reviews of a role's assignments
    #[command(subcommand)]
    Reviews(ReviewsCommand),
    /// PIM for Groups: security groups whose membership and ownership are eligible or active
    #[command(subcommand)]
    Groups(GroupsCommand),
    /// The tenant's licence (labs can switch to Free to see PIM turn off)
    Licence(LicenceArgs),
    /// The audit log, or `verify` to check its hash chain
    Audit(AuditArgs),
    /// The lab's simulated clock
    Clock(ClockArgs),
    /// Write a consistent copy of the database (administrators); others may keep working
    Backup(BackupArgs),
    /// Replace the database with a backup, keeping the current one aside (administrators)
    Restore(BackupArgs),
    /// Check permissions, anchor, chain, integrity, keys and clocks in one screen
    Doctor(DoctorArgs),
    /// Scenario packs: lab stories that build a fresh lab and play its steps, narrating
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Print a shell completion script (role names and UPNs come from the database)
    Completions(CompletionsArgs),
    /// Print the manual page (pim.1), or write every page to a directory
    Man(ManArgs),
    /// Databases for teams: set up PostgreSQL for pim
    #[command(subcommand)]
    Db(DbCommand),
}

// `--json` alone.
#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print one JSON document instead of text
    #[arg(long)]
    pub json: bool,
}

/// An on/off switch value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switch(pub bool);

/// Parses `on`/`off` (also true/false, yes/no, 1/0).
pub fn parse_switch(s: &str) -> Result<Switch, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(Switch(true)),
        "off" | "false" | "no" | "0" => Ok(Switch(false)),
        _ => Err(format!("'{s}' is not on or off")),
    }
}

/// `--require-auth-context`: a claim value, or `None` for off.
#[derive(Debug, Clone)]
pub struct AuthContextArg(pub Option<String>);

/// Parses `c1`..`c99` or `off`.
pub fn parse_auth_context(s: &str) -> Result<AuthContextArg, String> {
    if matches!(s.trim().to_ascii_lowercase().as_str(), "off" | "none") {
        return Ok(AuthContextArg(None));
    }
    crate::policy::settings::parse_auth_context(s).map(|c| AuthContextArg(Some(c)))
}

/// Parses a duration (`8h`, `1h30m`, `PT8H`).
pub fn parse_delta(s: &str) -> Result<TimeDelta, String> {
    parse_duration(s).map_err(|e| e.to_string())
}

/// Parses an RFC 3339 time (`2026-11-26T17:00:00Z`).
pub fn parse_time(s: &str) -> Result<Time, String> {
    crate::policy::duration::parse_time(s)
}

/// Eligible or active, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// May activate
    Eligible,
    /// Holds the role
    Active,
}

impl From<KindArg> for AssignmentKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Eligible => AssignmentKind::Eligible,
            KindArg::Active => AssignmentKind::Active,
        }
    }
}

// How long an assignment lasts.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct WindowArgs {
    /// No end date
    #[arg(long)]
    pub permanent: bool,
    /// Lasts this long from its start (e.g. 30d)
    #[arg(long = "for", value_parser = parse_delta, value_name = "DURATION")]
    pub for_: Option<TimeDelta>,
    /// Ends at this time (RFC 3339)
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub end: Option<Time>,
}

#[cfg(test)]
mod help_tests {
    use clap::CommandFactory;

    /// Every command's help starts with what it does (an argument struct's own comment once
    /// replaced it with "`pim assign`").
    #[test]
    fn every_command_says_what_it_does() {
        fn walk(cmd: &clap::Command, path: &str, bad: &mut Vec<String>) {
            for sub in cmd.get_subcommands() {
                let path = format!("{path} {}", sub.get_name());
                let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
                if about.is_empty() || about.starts_with('`') {
                    bad.push(format!("{path}: {about:?}"));
                }
                walk(sub, &path, bad);
            }
        }
        let mut cli = super::Cli::command();
        cli.build();
        let mut bad = Vec::new();
        walk(&cli, "pim", &mut bad);
        bad.retain(|b| !b.starts_with("pim help"));
        assert!(bad.is_empty(), "{bad:#?}");
    }
}
