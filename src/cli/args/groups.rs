//! Arguments of `pim groups` (PIM for Groups).

use super::*;

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

// `pim groups …`.
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

// `pim groups assign`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct GroupAssignArgs {
    /// The group
    pub name: String,
    /// The user
    pub upn: String,
    /// Membership or ownership
    #[arg(long, value_enum)]
    pub access: AccessArg,
    /// The assignment's type, window and reason
    #[command(flatten)]
    pub how: AssignmentOptions,
}

// `pim groups unassign`. Its help is the subcommand's own line.
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

// `pim groups activate`. Its help is the subcommand's own line.
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
    /// The request's reason, ticket, start and code
    #[command(flatten)]
    pub how: ActivationOptions,
}

// `pim groups settings …`.
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
