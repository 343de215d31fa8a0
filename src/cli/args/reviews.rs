//! Arguments of `pim reviews`.

use super::*;

// `pim reviews …`.
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

// `pim reviews create`. Its help is the subcommand's own line.
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

// `pim reviews decide`. Its help is the subcommand's own line.
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
