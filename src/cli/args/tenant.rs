//! Arguments of the tenant's and the lab's commands: lab, init, scenarios, sign-in, users,
//! clock, licence, doctor, backup, completions and the manual.

use super::*;

// `pim scenario …`.
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

// `pim scenario run`. Its help is the subcommand's own line.
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

// `pim completions`. Its help is the subcommand's own line.
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

// `pim man`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write pim.1 and a page for every command (pim-activate.1, …) into this directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

// `pim doctor`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// The system clock is right: accept it though the database has seen a later time
    #[arg(long)]
    pub accept_clock: bool,
}

// `pim backup FILE` and `pim restore FILE`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file
    pub file: PathBuf,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

// `pim lab`. Its help is the subcommand's own line.
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

// `pim lab …`.
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

// `pim lab seed`. Its help is the subcommand's own line.
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

// `pim lab simulate …`.
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

// `pim init`. Its help is the subcommand's own line.
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

// `pim login`. Its help is the subcommand's own line.
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

// `pim logout`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Sign out every account signed in on this database
    #[arg(long)]
    pub all: bool,
}

// `pim users …`.
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

// `pim users add`. Its help is the subcommand's own line.
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

// `pim users list`. Its help is the subcommand's own line.
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

// `pim clock`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct ClockArgs {
    /// Print JSON
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do (default: show)
    #[command(subcommand)]
    pub command: Option<ClockCommand>,
}

// `pim clock …`.
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

// `pim licence`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct LicenceArgs {
    /// Print JSON
    #[arg(long, global = true)]
    pub json: bool,
    /// Change it
    #[command(subcommand)]
    pub command: Option<LicenceCommand>,
}

// `pim licence set`.
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
