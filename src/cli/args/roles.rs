//! Arguments of the admin's role commands: roles, settings, assign, assignments, unassign.

use super::*;

// `pim roles`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct RolesArgs {
    /// Only roles whose name contains this
    #[arg(long)]
    pub search: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

// `pim settings …`.
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

// `pim settings set`. Its help is the subcommand's own line.
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

// `pim assign`. Its help is the subcommand's own line.
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
    /// The assignment's type, window and reason
    #[command(flatten)]
    pub how: AssignmentOptions,
}

// How an assignment is made (`pim assign`, `pim groups assign`).
#[derive(Debug, Args)]
pub struct AssignmentOptions {
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
    /// Your current authenticator code, when the role (or group) requires MFA on active assignment
    #[arg(long, value_name = "CODE")]
    pub otp: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
    /// Check every rule and say what would happen, changing nothing and asking for no code
    #[arg(long)]
    pub dry_run: bool,
}

// `pim assignments`. Its help is the subcommand's own line.
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

// `pim assignments update`.
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

// `pim assignments export`. Its help is the subcommand's own line.
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

// `pim assignments import`. Its help is the subcommand's own line.
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

// `pim assignments update`. Its help is the subcommand's own line.
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

// `pim unassign`. Its help is the subcommand's own line.
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use crate::policy::settings::SettingField;

    #[test]
    fn every_setting_has_its_flag_on_settings_set() {
        let mut cli = super::Cli::command();
        cli.build();
        let set = cli
            .find_subcommand("settings")
            .and_then(|s| s.find_subcommand("set"))
            .expect("pim settings set");
        let flags: Vec<&str> = set.get_arguments().filter_map(|a| a.get_long()).collect();
        for f in SettingField::ALL {
            assert!(flags.contains(&f.flag()), "--{} for {f:?}", f.flag());
        }
    }
}
