//! Arguments of `pim alerts`.

use super::*;

// `pim alerts`. Its help is the subcommand's own line.
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

// `pim alerts …`.
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

// `pim alerts fix`. Its help is the subcommand's own line.
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

// `pim alerts set`. Its help is the subcommand's own line.
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
