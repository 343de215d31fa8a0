//! Arguments of the signed-in user's own commands: status, check, exec, activate, bundles,
//! deactivate, inbox and mail.

use super::*;

// `pim status`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON
    #[arg(long, conflicts_with = "short")]
    pub json: bool,
    /// One line for a shell prompt, e.g. `GA 1h12m SR 7h` (nothing when no role is active)
    #[arg(long)]
    pub short: bool,
}

// `pim check`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Role name, slug or template id
    pub role: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

// `pim exec`. Its help is the subcommand's own line.
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

// `pim activate`. Its help is the subcommand's own line.
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
    /// The request's reason, ticket, start and code
    #[command(flatten)]
    pub how: ActivationOptions,
}

// How an activation is asked for (`pim activate`, `pim groups activate`).
#[derive(Debug, Args)]
pub struct ActivationOptions {
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

// `pim bundle`.
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

// `pim bundle save`. Its help is the subcommand's own line.
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

// `pim bundle delete`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct BundleNameArgs {
    /// The bundle's name
    pub name: String,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

// `pim deactivate`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct DeactivateArgs {
    /// Role name, slug or template id
    pub role: String,
}

// `pim inbox`. Its help is the subcommand's own line.
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

// `pim inbox show`.
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

// `pim mail …`.
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
