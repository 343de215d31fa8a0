//! Arguments of requests and their decisions: requests, approve, deny, cancel, extend, renew.

use super::*;

// `pim requests`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct RequestsArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

// `pim approve`. Its help is the subcommand's own line.
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

// `pim deny`. Its help is the subcommand's own line.
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

// `pim cancel`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The request id (or a unique prefix), from `pim requests`
    pub id: String,
}

// `pim extend`. Its help is the subcommand's own line.
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

// `pim renew`. Its help is the subcommand's own line.
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
