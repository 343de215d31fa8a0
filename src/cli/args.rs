//! The command line: fixed command names and flags (see the README), parsed by clap. Values are
//! parsed here (durations, times, switches) so that bad input is a usage error (exit 2) before
//! anything touches the database.

use std::path::PathBuf;

use chrono::TimeDelta;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::clock::Time;
use crate::policy::duration::parse_duration;
use crate::policy::model::AssignmentKind;

/// PIM Console: Microsoft Entra Privileged Identity Management in the terminal, offline.
///
/// Run without a command to open the console.
#[derive(Debug, Parser)]
#[command(name = "pim", version, propagate_version = true, max_term_width = 100)]
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

/// Every command.
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
}

/// `pim scenario …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ScenarioCommand {
    /// The built-in scenarios and their steps
    List(JsonFlag),
    /// Build a fresh lab and play a scenario's steps, narrating; --to stops before a step
    Run(ScenarioRunArgs),
    /// Play a scenario headless on a throwaway lab; exit 1 naming the first step whose
    /// expectations fail
    Check {
        /// A built-in scenario's name, or a TOML file
        scenario: String,
    },
}

/// `pim scenario run`.
#[derive(Debug, Args)]
pub struct ScenarioRunArgs {
    /// A built-in scenario's name, or a TOML file
    pub scenario: String,
    /// Stop before this step (its id, e.g. phase-4), so a class starts there
    #[arg(long, value_name = "STEP")]
    pub to: Option<String>,
    /// Wait for Enter before each step
    #[arg(long)]
    pub pause: bool,
    /// Replace the lab already in the database (lab tenants only)
    #[arg(long)]
    pub replace: bool,
}

/// `pim completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: ShellArg,
}

/// The shells completions are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    /// Bash 4.4 or newer
    Bash,
    /// Zsh
    Zsh,
    /// Fish
    Fish,
    /// Elvish
    Elvish,
    /// PowerShell
    Powershell,
}

/// `pim man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write pim.1 and a page for every command (pim-activate.1, …) into this directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `pim doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// The system clock is right: accept it though the database has seen a later time
    #[arg(long)]
    pub accept_clock: bool,
}

/// `pim backup FILE` and `pim restore FILE`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file
    pub file: PathBuf,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// `--json` alone.
#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print one JSON document instead of text
    #[arg(long)]
    pub json: bool,
}

/// `pim status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON
    #[arg(long, conflicts_with = "short")]
    pub json: bool,
    /// One line for a shell prompt, e.g. `GA 1h12m SR 7h` (nothing when no role is active)
    #[arg(long)]
    pub short: bool,
}

/// `pim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Role name, slug or template id
    pub role: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Role name, slug or template id
    pub role: String,
    /// Activate the role first (when it is not active yet)
    #[arg(long)]
    pub activate: bool,
    /// With --activate: for how long
    #[arg(long = "for", value_parser = parse_delta, value_name = "DURATION", requires = "activate")]
    pub duration: Option<TimeDelta>,
    /// With --activate: why
    #[arg(long, value_name = "TEXT", requires = "activate")]
    pub reason: Option<String>,
    /// With --activate: ticket number
    #[arg(long, value_name = "N", requires = "activate")]
    pub ticket_number: Option<String>,
    /// With --activate: ticket system
    #[arg(long, value_name = "S", requires = "activate")]
    pub ticket_system: Option<String>,
    /// With --activate: a fresh code from your authenticator (asked for when needed)
    #[arg(long, value_name = "CODE", requires = "activate")]
    pub otp: Option<String>,
    /// How long the command has to end after SIGTERM before SIGKILL
    #[arg(long, value_parser = parse_delta, value_name = "DURATION", default_value = "10s")]
    pub grace: TimeDelta,
    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// `pim lab`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LabArgs {
    /// Rebuild an existing lab from scratch (everything in it is lost)
    #[arg(long)]
    pub reset: bool,
    /// Print the accounts as JSON
    #[arg(long)]
    pub json: bool,
    /// The lab's authenticator
    #[command(subcommand)]
    pub command: Option<LabCommand>,
}

/// `pim lab …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum LabCommand {
    /// Add a big synthetic tenant to the lab (users, assignments, audit history), reproducibly
    Seed(SeedArgs),
    /// Make things happen that a lab cannot otherwise show
    #[command(subcommand)]
    Simulate(SimulateCommand),
    /// A lab account's QR code, to add it to a real phone's authenticator app
    Qr {
        /// The account (its UPN)
        upn: String,
        /// Print JSON (secret and otpauth URI)
        #[arg(long)]
        json: bool,
    },
    /// Each lab account's current code and its seconds left, like a phone
    Authenticator {
        /// Keep printing a new set of codes every 30 seconds (Ctrl-C stops)
        #[arg(long)]
        watch: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// `pim lab seed`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Users to add
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub users: u64,
    /// Current assignments to add (each with its audit entry)
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=10_000_000))]
    pub assignments: u64,
    /// Audit entries in all (the assignments' included)
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=100_000_000))]
    pub audit: u64,
    /// The random seed: the same numbers and seed give the same tenant
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim lab simulate …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum SimulateCommand {
    /// Write a permanent active assignment the way a tool outside PIM would (for the "Roles
    /// are being assigned outside of PIM" alert)
    OutsideAssignment {
        /// Role name, slug or template id
        role: String,
        /// The user
        upn: String,
    },
}

/// `pim init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The tenant's domain, e.g. contoso.onmicrosoft.com
    #[arg(long)]
    pub domain: Option<String>,
    /// The tenant's display name
    #[arg(long)]
    pub name: Option<String>,
    /// The first Global Administrator's user name
    #[arg(long = "admin", value_name = "UPN")]
    pub admin_upn: Option<String>,
    /// The first Global Administrator's display name
    #[arg(long)]
    pub admin_name: Option<String>,
    /// Read the administrator's password from standard input
    #[arg(long)]
    pub password_stdin: bool,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your user name, e.g. pimuser@pimlab.onmicrosoft.com
    #[arg(long, value_name = "UPN")]
    pub user: Option<String>,
    /// Read the password from standard input
    #[arg(long)]
    pub password_stdin: bool,
    /// The current code from your authenticator
    #[arg(long, value_name = "CODE")]
    pub otp: Option<String>,
}

/// `pim logout`.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Sign out every account signed in on this database
    #[arg(long)]
    pub all: bool,
}

/// `pim users …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum UsersCommand {
    /// Add a user and print their authenticator enrolment
    Add(UserAddArgs),
    /// List users
    List(UserListArgs),
    /// Lift a lockout
    Unlock {
        /// The user
        upn: String,
    },
    /// Set a new password for an account (generated unless given); it is unlocked and signed out
    ResetPassword {
        /// The user
        upn: String,
        /// Read the new password from standard input (otherwise one is generated)
        #[arg(long)]
        password_stdin: bool,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
    /// Make an account register its authenticator again (prints the new one to hand over)
    ResetMfa {
        /// The user
        upn: String,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
    /// Stop an account from signing in (its sessions end)
    Disable {
        /// The user
        upn: String,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
    /// Let a disabled account sign in again
    Enable {
        /// The user
        upn: String,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
}

/// `pim users add`.
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// User name in the tenant's domain
    pub upn: String,
    /// Display name, e.g. "Pim User"
    #[arg(long)]
    pub display_name: String,
    /// Read the password from standard input (otherwise one is generated)
    #[arg(long)]
    pub password_stdin: bool,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim users list`.
#[derive(Debug, Args)]
pub struct UserListArgs {
    /// Only users whose name or UPN contains this
    #[arg(long)]
    pub search: Option<String>,
    /// At most this many
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    pub limit: i64,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim roles`.
#[derive(Debug, Args)]
pub struct RolesArgs {
    /// Only roles whose name contains this
    #[arg(long)]
    pub search: Option<String>,
    /// Print JSON
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

/// `pim settings …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum SettingsCommand {
    /// Show every setting of a role
    Show {
        /// Role name, slug or template id
        role: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Change settings of a role (needs an active Global or Privileged Role Administrator role)
    Set(Box<SettingsSetArgs>),
    /// Print roles' policies as Microsoft Graph unifiedRoleManagementPolicy JSON
    Export {
        /// Roles (name, slug or template id)
        roles: Vec<String>,
        /// Every role of the catalogue
        #[arg(long, conflicts_with = "roles")]
        all: bool,
        /// The output is JSON either way
        #[arg(long)]
        json: bool,
    },
    /// Apply a Graph policy file (a policy, a list of policies, a list-rules response, rules, or
    /// one rule as a PATCH body), all or nothing
    Import {
        /// The file (`-` for standard input)
        file: PathBuf,
        /// The role, when the file does not say (rules without their policy)
        #[arg(long)]
        role: Option<String>,
        /// Check everything and say what would change, changing nothing
        #[arg(long)]
        dry_run: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show where a Graph policy file and the tenant differ, rule by rule
    Diff {
        /// The file (`-` for standard input)
        file: PathBuf,
        /// The role, when the file does not say
        #[arg(long)]
        role: Option<String>,
        /// Exit 1 when they differ (like `git diff --exit-code`)
        #[arg(long)]
        exit_code: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// `pim settings set`.
#[derive(Debug, Args)]
pub struct SettingsSetArgs {
    /// Role name, slug or template id (under `pim groups settings set`: the group's name)
    pub role: String,
    /// Activation maximum duration (30m to 24h, whole minutes, e.g. 8h or 1h45m)
    #[arg(long, value_parser = parse_delta, value_name = "DURATION")]
    pub max_activation: Option<TimeDelta>,
    /// On activation, require Azure MFA
    #[arg(long, value_parser = parse_switch, value_name = "on|off")]
    pub require_mfa: Option<Switch>,
    /// On activation, require a Conditional Access authentication context instead of MFA
    /// (c1 to c99: password and a fresh code again; off: none)
    #[arg(long, value_parser = parse_auth_context, value_name = "c1..c99|off")]
    pub require_auth_context: Option<AuthContextArg>,
    /// Require justification on activation
    #[arg(long, value_parser = parse_switch, value_name = "on|off")]
    pub require_justification: Option<Switch>,
    /// Require ticket information on activation
    #[arg(long, value_parser = parse_switch, value_name = "on|off")]
    pub require_ticket: Option<Switch>,
    /// Require approval to activate
    #[arg(long, value_parser = parse_switch, value_name = "on|off")]
    pub require_approval: Option<Switch>,
    /// Approvers (comma-separated UPNs; empty for the default approvers)
    #[arg(long, value_name = "UPN,…")]
    pub approvers: Option<String>,
    /// Allow permanent eligible assignment
    #[arg(long, value_parser = parse_switch, value_name = "on|off")]
    pub allow_permanent_eligible: Option<Switch>,
    /// Expire eligible assignments after (15d, 1month, 3months, 6months, 1year, or whole days up to 365d)
    #[arg(long, value_name = "DURATION")]
    pub expire_eligible_after: Option<String>,
    /// Allow permanent active assignment
    #[arg(long, value_parser = parse_switch, value_name = "on|off")]
    pub allow_permanent_active: Option<Switch>,
    /// Expire active assignments after (15d, 1month, 3months, 6months, 1year, or whole days up to 365d)
    #[arg(long, value_name = "DURATION")]
    pub expire_active_after: Option<String>,
    /// Require Azure MFA on active assignment
    #[arg(long, value_parser = parse_switch, value_name = "on|off")]
    pub require_mfa_on_active: Option<Switch>,
    /// Require justification on active assignment
    #[arg(long, value_parser = parse_switch, value_name = "on|off")]
    pub require_justification_on_active: Option<Switch>,
    /// Require Azure MFA on eligible assignment (Graph's Enablement_Admin_Eligibility; not in the portal)
    #[arg(long, value_parser = parse_switch, value_name = "on|off")]
    pub require_mfa_on_eligible: Option<Switch>,
    /// Require justification on eligible assignment (Graph only, as above)
    #[arg(long, value_parser = parse_switch, value_name = "on|off")]
    pub require_justification_on_eligible: Option<Switch>,
    /// A notification row's default recipients, e.g. activation-admin=off (repeatable)
    #[arg(long, value_name = "ROW=on|off")]
    pub notify_default: Vec<String>,
    /// A notification row's additional recipients, e.g. eligible-admin="soc@contoso.com;ops@contoso.com"
    #[arg(long, value_name = "ROW=ADDR;…")]
    pub notify_additional: Vec<String>,
    /// A notification row's "critical emails only", e.g. activation-requestor=on
    #[arg(long, value_name = "ROW=on|off")]
    pub notify_critical_only: Vec<String>,
    /// Print the new settings as JSON
    #[arg(long)]
    pub json: bool,
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

/// How long an assignment lasts.
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

/// `pim assign`.
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// Role name, slug or template id
    pub role: String,
    /// The user
    #[arg(required_unless_present = "group", conflicts_with = "group")]
    pub upn: Option<String>,
    /// Assign the role to a role-assignable group instead: its active members hold it
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Eligible (may activate) or active (holds the role)
    #[arg(long = "type", value_enum)]
    pub kind: KindArg,
    /// How long
    #[command(flatten)]
    pub window: WindowArgs,
    /// Start later (RFC 3339); default now
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub start: Option<Time>,
    /// Justification
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Your current authenticator code, when the role requires MFA on active assignment
    #[arg(long, value_name = "CODE")]
    pub otp: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
    /// Check every rule and say what would happen, changing nothing and asking for no code
    #[arg(long)]
    pub dry_run: bool,
}

/// `pim assignments`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AssignmentsArgs {
    /// Only this role
    #[arg(long)]
    pub role: Option<String>,
    /// Only this user
    #[arg(long, value_name = "UPN")]
    pub user: Option<String>,
    /// Expired assignments instead of current ones
    #[arg(long, conflicts_with = "history")]
    pub expired: bool,
    /// Everything, including removed and expired
    #[arg(long)]
    pub history: bool,
    /// At most this many
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    pub limit: i64,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Change an assignment
    #[command(subcommand)]
    pub command: Option<AssignmentsCommand>,
}

/// `pim assignments update`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum AssignmentsCommand {
    /// Change an assignment's type and/or expiry
    Update(UpdateArgs),
    /// Print the current assignments as Graph roleEligibilitySchedule and
    /// roleAssignmentSchedule objects
    Export(ExportAssignmentsArgs),
    /// Apply Graph schedule requests (adminAssign, adminRemove, adminUpdate, adminExtend,
    /// adminRenew) or a CSV (role,upn,type,start,end,duration,justification): checked in full
    /// first, then all or nothing
    Import(ImportAssignmentsArgs),
}

/// `pim assignments export`.
#[derive(Debug, Args)]
pub struct ExportAssignmentsArgs {
    /// Only this role
    #[arg(long)]
    pub role: Option<String>,
    /// Only this user
    #[arg(long, value_name = "UPN")]
    pub user: Option<String>,
    /// Only eligible or only active assignments
    #[arg(long = "type", value_enum)]
    pub kind: Option<KindArg>,
}

/// `pim assignments import`.
#[derive(Debug, Args)]
pub struct ImportAssignmentsArgs {
    /// The file (`-` reads standard input): Graph JSON, or CSV when it ends in .csv or with
    /// --csv
    pub file: PathBuf,
    /// Read the file as CSV
    #[arg(long)]
    pub csv: bool,
    /// Check every row and print what each would do, changing nothing and asking for no code
    #[arg(long)]
    pub dry_run: bool,
    /// Leave alone a new assignment the user already has (instead of refusing the file), so
    /// that the same file can be applied again
    #[arg(long)]
    pub skip_existing: bool,
    /// The justification of rows that give none (Graph schedules carry none)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// A fresh code from your authenticator, when a role needs MFA on assignment
    #[arg(long, value_name = "CODE")]
    pub otp: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim assignments update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Role name, slug or template id
    pub role: String,
    /// The user
    pub upn: String,
    /// The new type
    #[arg(long = "type", value_enum)]
    pub kind: Option<KindArg>,
    /// The new expiry (counted from now)
    #[command(flatten)]
    pub window: WindowArgs,
    /// Which assignment, when the user has both types
    #[arg(long)]
    pub id: Option<String>,
    /// Justification
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Your current authenticator code, when needed
    #[arg(long, value_name = "CODE")]
    pub otp: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
    /// Check every rule and say what would happen, changing nothing and asking for no code
    #[arg(long)]
    pub dry_run: bool,
}

/// `pim unassign`.
#[derive(Debug, Args)]
pub struct UnassignArgs {
    /// Role name, slug or template id
    pub role: String,
    /// The user
    pub upn: String,
    /// Which type, when the user has both
    #[arg(long = "type", value_enum)]
    pub kind: Option<KindArg>,
    /// Which assignment, by id
    #[arg(long)]
    pub id: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
    /// Check every rule and say what would happen, changing nothing and asking for no code
    #[arg(long)]
    pub dry_run: bool,
}

/// `pim activate`.
#[derive(Debug, Args)]
pub struct ActivateArgs {
    /// Role names, slugs or template ids: several are checked first and activated together
    /// with one code, all or none
    #[arg(
        required_unless_present = "bundle",
        conflicts_with = "bundle",
        value_name = "ROLE"
    )]
    pub roles: Vec<String>,
    /// Activate the roles of a saved bundle (`pim bundle list`); --for and --reason override
    /// its own
    #[arg(long, value_name = "NAME")]
    pub bundle: Option<String>,
    /// How long (up to each role's maximum), e.g. 8h or 1h30m
    #[arg(long = "for", value_parser = parse_delta, value_name = "DURATION")]
    pub duration: Option<TimeDelta>,
    /// Why you need it
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Ticket number
    #[arg(long, value_name = "N")]
    pub ticket_number: Option<String>,
    /// Ticket system
    #[arg(long, value_name = "S")]
    pub ticket_system: Option<String>,
    /// Start later (RFC 3339)
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub start: Option<Time>,
    /// A fresh code from your authenticator (asked for when needed and not given)
    #[arg(long, value_name = "CODE")]
    pub otp: Option<String>,
    /// Read your password from standard input, for a role that requires an authentication
    /// context (asked for on a terminal when needed and not given)
    #[arg(long)]
    pub password_stdin: bool,
    /// Print the result as JSON (one role: one object; several or a bundle:
    /// `{"activations": [...]}`)
    #[arg(long)]
    pub json: bool,
    /// Check every rule and say what would happen, changing nothing and asking for no code
    #[arg(long)]
    pub dry_run: bool,
}

/// `pim bundle`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum BundleCommand {
    /// Save (or replace) a bundle of roles to activate together
    Save(BundleSaveArgs),
    /// List your bundles
    List(JsonFlag),
    /// Delete one of your bundles
    Delete(BundleNameArgs),
}

/// `pim bundle save`.
#[derive(Debug, Args)]
pub struct BundleSaveArgs {
    /// The bundle's name (letters, digits, '.', '_', '-')
    pub name: String,
    /// Its roles: names, slugs or template ids
    #[arg(required = true, value_name = "ROLE")]
    pub roles: Vec<String>,
    /// Duration used when `pim activate --bundle` has no --for
    #[arg(long = "for", value_parser = parse_delta, value_name = "DURATION")]
    pub duration: Option<TimeDelta>,
    /// Reason used when `pim activate --bundle` has no --reason
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim bundle delete`.
#[derive(Debug, Args)]
pub struct BundleNameArgs {
    /// The bundle's name
    pub name: String,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim deactivate`.
#[derive(Debug, Args)]
pub struct DeactivateArgs {
    /// Role name, slug or template id
    pub role: String,
}

/// `pim inbox`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct InboxArgs {
    /// Only unread messages
    #[arg(long)]
    pub unread: bool,
    /// At most this many
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    pub limit: i64,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Open a message
    #[command(subcommand)]
    pub command: Option<InboxCommand>,
}

/// `pim inbox show`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum InboxCommand {
    /// Show one message in full and mark it read
    Show {
        /// The message id (or a unique prefix)
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// `pim audit`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    /// Which entries
    #[command(flatten)]
    pub filter: AuditFilterArgs,
    /// Entries older than this sequence number (next page)
    #[arg(long, value_name = "SEQ")]
    pub before: Option<i64>,
    /// At most this many
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=100_000))]
    pub limit: i64,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Check the hash chain
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
}

/// The filters of `pim audit` and `pim audit export`.
#[derive(Debug, Args, Clone)]
pub struct AuditFilterArgs {
    /// Entries by or about this user
    #[arg(long, value_name = "UPN")]
    pub user: Option<String>,
    /// Entries about this role
    #[arg(long)]
    pub role: Option<String>,
    /// Activity name contains this (e.g. "PIM activation")
    #[arg(long, value_name = "TEXT")]
    pub activity: Option<String>,
    /// Since a time (RFC 3339) or for a period back (e.g. 24h)
    #[arg(long, value_name = "TIME|DURATION")]
    pub since: Option<String>,
    /// Justification, ticket or details contain this
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    /// Only failures: refusals, wrong codes, lockouts
    #[arg(long)]
    pub failures: bool,
}

/// `pim audit export`.
#[derive(Debug, Args)]
pub struct AuditExportArgs {
    /// Which entries
    #[command(flatten)]
    pub filter: AuditFilterArgs,
    /// csv (RFC 4180, safe to open in a spreadsheet), json (one document) or jsonl (one
    /// entry per line); by default from the --output name
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Write to this file (created 0600) instead of standard output
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `pim audit export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated values, one entry per row
    Csv,
    /// One JSON document: {"value": [...]}
    Json,
    /// JSON Lines: one entry per line
    Jsonl,
}

/// `pim audit verify|checkpoint|reanchor|export`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum AuditCommand {
    /// Export entries as Graph directoryAudit-like records (with their sequence and hash) in
    /// CSV, JSON or JSON Lines; takes the same filters as `pim audit`
    Export(AuditExportArgs),
    /// Check the log: its hash chain, its anchor (deleted or rolled-back entries), and every
    /// current assignment against what the log recorded; exits 1 naming what is wrong
    Verify {
        /// Also prove the log still extends a checkpoint taken earlier (`pim audit checkpoint`)
        #[arg(long, value_name = "TEXT")]
        checkpoint: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Print a short checkpoint of the log's head to keep somewhere else
    Checkpoint(JsonFlag),
    /// Accept the log as it stands after its anchor broke (administrators; recorded in the log)
    Reanchor {
        /// What was found and why the log is accepted
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// `pim clock`.
#[derive(Debug, Args)]
pub struct ClockArgs {
    /// Print JSON
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do (default: show)
    #[command(subcommand)]
    pub command: Option<ClockCommand>,
}

/// `pim clock …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ClockCommand {
    /// Show the lab time and real time
    Show,
    /// Move the lab clock forward, e.g. 13d or 6d1h
    Advance {
        /// How far
        #[arg(value_parser = parse_delta)]
        by: TimeDelta,
    },
    /// Put the lab clock at a time (RFC 3339)
    Set {
        /// The time
        #[arg(value_parser = parse_time)]
        to: Time,
    },
    /// Back to real time
    Reset,
}

/// `pim requests`.
#[derive(Debug, Args)]
pub struct RequestsArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The request id (or a unique prefix), from `pim requests`
    #[arg(required_unless_present_all = ["role", "user"])]
    pub id: Option<String>,
    /// Instead of the id: the pending request about this role…
    #[arg(long, conflicts_with = "id", requires = "user")]
    pub role: Option<String>,
    /// …and this user
    #[arg(long, value_name = "UPN", conflicts_with = "id", requires = "role")]
    pub user: Option<String>,
    /// Your justification for approving
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Extensions and renewals: a different type
    #[arg(long = "type", value_enum)]
    pub kind: Option<KindArg>,
    /// Renewals: a different start (RFC 3339)
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub start: Option<Time>,
    /// Extensions and renewals: a different end
    #[command(flatten)]
    pub window: WindowArgs,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim deny`.
#[derive(Debug, Args)]
pub struct DenyArgs {
    /// The request id (or a unique prefix), from `pim requests`
    #[arg(required_unless_present_all = ["role", "user"])]
    pub id: Option<String>,
    /// Instead of the id: the pending request about this role…
    #[arg(long, conflicts_with = "id", requires = "user")]
    pub role: Option<String>,
    /// …and this user
    #[arg(long, value_name = "UPN", conflicts_with = "id", requires = "role")]
    pub user: Option<String>,
    /// Your justification for denying
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim cancel`.
#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The request id (or a unique prefix), from `pim requests`
    pub id: String,
}

/// `pim extend`.
#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// Role name, slug or template id
    pub role: String,
    /// Why the assignment should last longer
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Which assignment, when there are both types
    #[arg(long = "type", value_enum)]
    pub kind: Option<KindArg>,
    /// Administrators: extend this user's assignment directly
    #[arg(long, value_name = "UPN")]
    pub user: Option<String>,
    /// Administrators: the new end (`--for` counts from the current end)
    #[command(flatten)]
    pub window: WindowArgs,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
    /// Check every rule and say what would happen, changing nothing and asking for no code
    #[arg(long)]
    pub dry_run: bool,
}

/// `pim renew`.
#[derive(Debug, Args)]
pub struct RenewArgs {
    /// Role name, slug or template id
    pub role: String,
    /// Why the assignment should be renewed
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Which assignment, when there are both types
    #[arg(long = "type", value_enum)]
    pub kind: Option<KindArg>,
    /// Administrators: renew this user's assignment directly
    #[arg(long, value_name = "UPN")]
    pub user: Option<String>,
    /// Administrators: start later (RFC 3339); default now
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub start: Option<Time>,
    /// Administrators: the new end (`--for` counts from the start)
    #[command(flatten)]
    pub window: WindowArgs,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
    /// Check every rule and say what would happen, changing nothing and asking for no code
    #[arg(long)]
    pub dry_run: bool,
}

/// `pim mail …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum MailCommand {
    /// Write messages as RFC 5322 files into a Maildir (administrators: all mail; others: their own)
    Export {
        /// The Maildir (created with cur/, new/ and tmp/ when missing)
        #[arg(long, value_name = "DIR")]
        maildir: PathBuf,
    },
}

/// `pim alerts`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AlertsArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Dismiss, configure or look closer
    #[command(subcommand)]
    pub command: Option<AlertsCommand>,
}

/// `pim alerts …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum AlertsCommand {
    /// One alert with every affected item, its settings and the fix
    Show {
        /// The alert (slug such as permanent-active, or its Graph name)
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Dismiss a firing alert until its affected items change
    Dismiss {
        /// The alert
        id: String,
    },
    /// Change an alert's settings
    Set(AlertSetArgs),
    /// Apply an alert's fix to every item it lists, each change through its own rules
    Fix(AlertFixArgs),
}

/// `pim alerts fix`.
#[derive(Debug, Args)]
pub struct AlertFixArgs {
    /// The alert (no-mfa, permanent-active, unused-roles, outside-pim or stale-accounts)
    pub id: String,
    /// Permanent active assignments become active for this long instead of eligible
    #[arg(long = "for", value_parser = parse_delta, value_name = "DURATION")]
    pub duration: Option<TimeDelta>,
    /// Show what would change, changing nothing
    #[arg(long)]
    pub dry_run: bool,
    /// A fresh code from your authenticator (asked for when a change needs one)
    #[arg(long, value_name = "CODE")]
    pub otp: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim alerts set`.
#[derive(Debug, Args)]
pub struct AlertSetArgs {
    /// The alert
    pub id: String,
    /// Evaluate the alert at all
    #[arg(long, value_parser = parse_switch, value_name = "on|off")]
    pub enabled: Option<Switch>,
    /// Days (unused roles: 0-100; stale accounts: 1-365)
    #[arg(long)]
    pub days: Option<i64>,
    /// Count (Global Administrators: 2-100; activations: 2-100)
    #[arg(long)]
    pub count: Option<i64>,
    /// Percentage of Global Administrators (0-100)
    #[arg(long)]
    pub percent: Option<i64>,
    /// Timeframe for frequent activations, e.g. 1h
    #[arg(long, value_parser = parse_delta, value_name = "DURATION")]
    pub window: Option<TimeDelta>,
}

/// `pim licence`.
#[derive(Debug, Args)]
pub struct LicenceArgs {
    /// Print JSON
    #[arg(long, global = true)]
    pub json: bool,
    /// Change it
    #[command(subcommand)]
    pub command: Option<LicenceCommand>,
}

/// `pim licence set`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum LicenceCommand {
    /// Switch the licence (lab tenants only)
    Set {
        /// p2 (PIM on) or free (PIM off)
        #[arg(value_enum)]
        licence: LicenceArg,
        /// Switch to Free although it removes every eligible assignment
        #[arg(long)]
        yes: bool,
    },
}

/// A licence on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LicenceArg {
    /// Microsoft Entra ID P2: PIM works
    P2,
    /// Microsoft Entra ID Free: no PIM
    Free,
}

/// `pim reviews …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ReviewsCommand {
    /// Start a review of a role's assignments (administrators)
    Create(ReviewCreateArgs),
    /// The reviews you may see (as a reviewer, a member or an administrator)
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// One review with each assignment under it, its recommendation and decision
    Show {
        /// The review's id (or a unique prefix)
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Approve or deny one person's access under a review (reviewers)
    Decide(ReviewDecideArgs),
}

/// `pim reviews create`.
#[derive(Debug, Args)]
pub struct ReviewCreateArgs {
    /// The role whose assignments are reviewed
    #[arg(long, required_unless_present = "group", conflicts_with = "group")]
    pub role: Option<String>,
    /// A group's members and owners (PIM for Groups)
    #[arg(long)]
    pub group: Option<String>,
    /// Who reviews (UPNs, comma-separated)
    #[arg(
        long,
        value_delimiter = ',',
        required_unless_present = "self_review",
        conflicts_with = "self_review"
    )]
    pub reviewer: Vec<String>,
    /// Each member reviews their own access
    #[arg(long = "self")]
    pub self_review: bool,
    /// How long the review runs (1d to 180d), e.g. 7d
    #[arg(long = "for", value_parser = parse_delta, value_name = "DURATION")]
    pub duration: TimeDelta,
    /// Comes back: weekly, monthly or quarterly
    #[arg(long, value_parser = ["weekly", "monthly", "quarterly"])]
    pub recurrence: Option<String>,
    /// Remove denied assignments when the review ends
    #[arg(long)]
    pub auto_apply: bool,
    /// With --auto-apply, what happens where nobody decided: keep (no change), remove, approve,
    /// or recommendation (take Entra's)
    #[arg(long, value_parser = ["keep", "remove", "approve", "recommendation"], default_value = "keep", requires = "auto_apply")]
    pub if_no_response: String,
    /// Its name (default: "Review of ROLE")
    #[arg(long)]
    pub name: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `pim reviews decide`.
#[derive(Debug, Args)]
pub struct ReviewDecideArgs {
    /// The review's id (or a unique prefix)
    pub id: String,
    /// Whose access
    pub upn: String,
    /// approve or deny
    #[arg(value_parser = ["approve", "deny"])]
    pub decision: String,
    /// Why
    #[arg(long)]
    pub reason: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Membership or ownership, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AccessArg {
    /// Member of the group (holds the roles assigned to it)
    Member,
    /// Owner of the group
    Owner,
}

impl From<AccessArg> for crate::policy::model::Access {
    fn from(a: AccessArg) -> Self {
        match a {
            AccessArg::Member => Self::Member,
            AccessArg::Owner => Self::Owner,
        }
    }
}

/// `pim groups …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum GroupsCommand {
    /// Add a security group (administrators)
    Add {
        /// The group's name (unique among users, groups and roles)
        name: String,
        /// Directory roles may be assigned to it (fixed once created, as in Entra)
        #[arg(long)]
        role_assignable: bool,
        /// What it is for
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Every group with its eligible and active members and owners
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// A group's eligible and active members and owners, and the roles assigned to it
    Members {
        /// The group
        name: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Make a user an eligible or active member or owner of a group (administrators)
    Assign(GroupAssignArgs),
    /// Remove a user's membership or ownership of a group (administrators)
    Unassign(GroupUnassignArgs),
    /// Activate your eligible membership or ownership of a group
    Activate(GroupActivateArgs),
    /// End your activated membership or ownership of a group
    Deactivate {
        /// The group
        name: String,
        /// Membership or ownership
        #[arg(long, value_enum)]
        access: AccessArg,
    },
    /// A group's PIM settings for membership or for ownership
    #[command(subcommand)]
    Settings(GroupSettingsCommand),
}

/// `pim groups assign`.
#[derive(Debug, Args)]
pub struct GroupAssignArgs {
    /// The group
    pub name: String,
    /// The user
    pub upn: String,
    /// Membership or ownership
    #[arg(long, value_enum)]
    pub access: AccessArg,
    /// Eligible (may activate) or active (holds it)
    #[arg(long = "type", value_enum)]
    pub kind: KindArg,
    /// How long
    #[command(flatten)]
    pub window: WindowArgs,
    /// Start later (RFC 3339); default now
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub start: Option<Time>,
    /// Justification
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Your current authenticator code, when the group requires MFA on active assignment
    #[arg(long, value_name = "CODE")]
    pub otp: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
    /// Check every rule and say what would happen, changing nothing and asking for no code
    #[arg(long)]
    pub dry_run: bool,
}

/// `pim groups unassign`.
#[derive(Debug, Args)]
pub struct GroupUnassignArgs {
    /// The group
    pub name: String,
    /// The user
    pub upn: String,
    /// Membership or ownership
    #[arg(long, value_enum)]
    pub access: AccessArg,
    /// Which type, when the user has both
    #[arg(long = "type", value_enum)]
    pub kind: Option<KindArg>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
    /// Check every rule and say what would happen, changing nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `pim groups activate`.
#[derive(Debug, Args)]
pub struct GroupActivateArgs {
    /// The group
    pub name: String,
    /// Membership or ownership
    #[arg(long, value_enum)]
    pub access: AccessArg,
    /// How long (up to the group's maximum), e.g. 2h
    #[arg(long = "for", value_parser = parse_delta, value_name = "DURATION")]
    pub duration: TimeDelta,
    /// Why you need it
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Ticket number
    #[arg(long, value_name = "N")]
    pub ticket_number: Option<String>,
    /// Ticket system
    #[arg(long, value_name = "S")]
    pub ticket_system: Option<String>,
    /// Start later (RFC 3339)
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub start: Option<Time>,
    /// A fresh code from your authenticator (asked for when needed and not given)
    #[arg(long, value_name = "CODE")]
    pub otp: Option<String>,
    /// Read your password from standard input, when the group requires an authentication
    /// context
    #[arg(long)]
    pub password_stdin: bool,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
    /// Check every rule and say what would happen, changing nothing and asking for no code
    #[arg(long)]
    pub dry_run: bool,
}

/// `pim groups settings …`.
#[derive(Debug, Subcommand)]
pub enum GroupSettingsCommand {
    /// Show the settings of a group's membership or ownership
    Show {
        /// The group
        name: String,
        /// Membership or ownership
        #[arg(long, value_enum)]
        access: AccessArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Print the policy as Microsoft Graph JSON (scopeType Group); `pim settings import` reads
    /// it back
    Export {
        /// The group
        name: String,
        /// Membership or ownership
        #[arg(long, value_enum)]
        access: AccessArg,
    },
    /// Change them (the same flags as `pim settings set`)
    Set {
        /// Membership or ownership
        #[arg(long, value_enum)]
        access: AccessArg,
        /// The group and the settings
        #[command(flatten)]
        set: Box<SettingsSetArgs>,
    },
}
