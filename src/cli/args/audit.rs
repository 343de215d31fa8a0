//! Arguments of `pim audit` and its export.

use super::*;

// `pim audit`. Its help is the subcommand's own line.
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

// The filters of `pim audit` and `pim audit export`.
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

// `pim audit export`. Its help is the subcommand's own line.
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

// `pim audit verify|checkpoint|reanchor|export`.
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
