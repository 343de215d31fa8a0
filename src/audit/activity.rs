//! Audit activity names. PIM operations use Entra's own names (Service "PIM", category
//! RoleManagement) so people who know Entra's audit log recognise them; sign-in and lab events
//! use names in the same style.

use crate::policy::model::{Access, Assignment, AssignmentKind};

/// Everything the audit log records, by Entra's activity names ([`Activity::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// A user activated a role.
    ActivationCompleted,
    /// A user asked to activate (recorded when the request is refused).
    ActivationRequested,
    /// A user deactivated a role.
    Deactivated,
    /// An activation's end time passed.
    ActivationExpired,
    /// An activation ended because its eligibility was removed.
    ActivationRevoked,
    /// A role setting changed.
    SettingsUpdated,
    /// A successful sign-in.
    SignIn,
    /// A failed password or code at sign-in.
    SignInFailed,
    /// A sign-in attempt on a locked account.
    SignInBlocked,
    /// The failure that locked the account.
    AccountLocked,
    /// An administrator unlocked an account.
    AccountUnlocked,
    /// A wrong, missing or replayed code at activation or active assignment.
    MfaFailed,
    /// A sign-out.
    SignOut,
    /// An administrator set a new password for an account.
    PasswordReset,
    /// An administrator required an account to register its authenticator again.
    MfaReset,
    /// An administrator disabled an account.
    AccountDisabled,
    /// An administrator enabled an account.
    AccountEnabled,
    /// A user was created.
    UserAdded,
    /// A user confirmed their authenticator app.
    MfaRegistered,
    /// A tenant was created.
    TenantCreated,
    /// The tenant's licence changed.
    LicenceChanged,
    /// An alert was dismissed.
    AlertDismissed,
    /// An alert's settings changed.
    AlertSettings,
    /// An administrator applied an alert's fix (Graph's `remediate`); each change it made is
    /// audited under its own name as well.
    AlertRemediated,
    /// An access review was created.
    ReviewCreated,
    /// A reviewer approved or denied an assignment under review.
    ReviewDecided,
    /// An access review ended and its results were applied.
    ReviewCompleted,
    /// An assignment denied in an access review was removed at its end.
    ReviewRemoved,
    /// A training lab was rebuilt (`pim lab --reset`).
    LabReset,
    /// An administrator accepted the audit log as it stands after a break of its anchor.
    AuditReanchored,
    /// A consistent copy of the database was written.
    DatabaseBackedUp,
    /// The database was replaced by a backup (a known rollback).
    DatabaseRestored,
    /// The owner of the database accepted a system clock behind the newest time it had seen.
    ClockAccepted,
    /// `pim exec` started a command under a role.
    ExecStarted,
    /// A command run under a role ended (by itself, or stopped when the role ended).
    ExecEnded,
    /// A lab administrator simulated a role assignment written outside PIM.
    OutsideAssignmentSimulated,
    /// A security group was added (PIM for Groups).
    GroupAdded,
    /// The lab clock was moved.
    ClockMoved,
    /// An administrator assigned (or, `completed: false`, tried to assign) a role:
    /// `Add eligible member to role in PIM completed (permanent)` and its siblings.
    AssignmentAdded {
        /// Eligible or active.
        kind: AssignmentKind,
        /// Without an end.
        permanent: bool,
        /// Done, or only asked (a refusal).
        completed: bool,
    },
    /// An administrator removed an assignment, or its expiry was recorded:
    /// `Remove eligible member from role in PIM completed (timebound)` and siblings.
    AssignmentRemoved {
        /// Eligible or active.
        kind: AssignmentKind,
        /// Without an end.
        permanent: bool,
        /// Done, or only asked.
        completed: bool,
    },
    /// An administrator changed an assignment's type or window, named by what it becomes:
    /// `Update eligible member in role in PIM completed (timebound)` and siblings.
    AssignmentUpdated {
        /// Eligible or active.
        kind: AssignmentKind,
        /// Without an end.
        permanent: bool,
        /// Done, or only asked.
        completed: bool,
    },
    /// A request that waits for a decision (an activation that needs approval, an extension or
    /// a renewal), at one of its stages.
    Request {
        /// What is asked for.
        flow: Flow,
        /// Where it is.
        stage: Stage,
    },
}

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Activating a role that requires approval.
    Activation,
    /// Extending an assignment of this type.
    Extend(AssignmentKind),
    /// Renewing an expired assignment of this type.
    Renew(AssignmentKind),
}

/// Where a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Sent.
    Requested,
    /// Approved.
    Approved,
    /// Denied.
    Denied,
    /// Withdrawn.
    Canceled,
    /// Nobody decided in time.
    Expired,
    /// Carried out after approval.
    Completed,
}

impl Stage {
    fn word(self) -> &'static str {
        match self {
            Stage::Requested => "requested",
            Stage::Approved => "approved",
            Stage::Denied => "denied",
            Stage::Canceled => "canceled",
            Stage::Expired => "expired",
            Stage::Completed => "completed",
        }
    }
}

fn word(permanent: bool) -> &'static str {
    if permanent { "permanent" } else { "timebound" }
}

impl Activity {
    /// Entra's name for it. For a group's membership or ownership (`group`), Entra words the
    /// same activities with the access and "group": `Add member to group completed (PIM
    /// activation)`, `Add owner to group completed (PIM activation)`, `Update group setting in
    /// PIM`.
    pub fn name(self, group: Option<Access>) -> String {
        let (who, what) = match group {
            None => ("member", "role"),
            Some(a) => (a.as_str(), "group"),
        };
        let state = |completed: bool| if completed { "completed" } else { "requested" };
        let eligible = |kind: AssignmentKind| match kind {
            AssignmentKind::Eligible => "eligible ",
            AssignmentKind::Active => "",
        };
        match self {
            Self::ActivationCompleted => format!("Add {who} to {what} completed (PIM activation)"),
            Self::ActivationRequested => format!("Add {who} to {what} requested (PIM activation)"),
            Self::Deactivated => format!("Remove {who} from {what} completed (PIM deactivate)"),
            Self::ActivationExpired => format!("Remove {who} from {what} (PIM activation expired)"),
            Self::ActivationRevoked => {
                format!("Remove {who} from {what} completed (PIM activation revoked)")
            }
            Self::SettingsUpdated => format!("Update {what} setting in PIM"),
            Self::ReviewRemoved => format!("Remove {who} from {what} (access review result)"),
            Self::AssignmentAdded {
                kind,
                permanent,
                completed,
            } => format!(
                "Add {}{who} to {what} in PIM {} ({})",
                eligible(kind),
                state(completed),
                word(permanent)
            ),
            Self::AssignmentRemoved {
                kind,
                permanent,
                completed,
            } => format!(
                "Remove {}{who} from {what} in PIM {} ({})",
                eligible(kind),
                state(completed),
                word(permanent)
            ),
            Self::AssignmentUpdated {
                kind,
                permanent,
                completed,
            } => format!(
                "Update {}{who} in {what} in PIM {} ({})",
                eligible(kind),
                state(completed),
                word(permanent)
            ),
            Self::Request {
                flow: Flow::Activation,
                stage,
            } => match stage {
                Stage::Requested => {
                    format!("Add {who} to {what} approval requested (PIM activation)")
                }
                Stage::Canceled => format!("Add {who} to {what} canceled (PIM activation)"),
                other => format!(
                    "Add {who} to {what} request {} (PIM activation)",
                    other.word()
                ),
            },
            Self::Request {
                flow: Flow::Extend(kind) | Flow::Renew(kind),
                stage,
            } => {
                let verb = if matches!(
                    self,
                    Self::Request {
                        flow: Flow::Renew(_),
                        ..
                    }
                ) {
                    "Renew"
                } else {
                    "Extend"
                };
                format!(
                    "{verb} {}{who} in {what} in PIM {}",
                    eligible(kind),
                    stage.word()
                )
            }
            Self::SignIn => "User signed in".into(),
            Self::SignInFailed => "User sign-in failed".into(),
            Self::SignInBlocked => "User sign-in blocked (account locked)".into(),
            Self::AccountLocked => "User account locked".into(),
            Self::AccountUnlocked => "Unlock user account".into(),
            Self::MfaFailed => "MFA verification failed".into(),
            Self::SignOut => "User signed out".into(),
            Self::PasswordReset => "Reset user password".into(),
            Self::MfaReset => "Require re-register multifactor authentication".into(),
            Self::AccountDisabled => "Disable account".into(),
            Self::AccountEnabled => "Enable account".into(),
            Self::UserAdded => "Add user".into(),
            Self::MfaRegistered => "User registered security info".into(),
            Self::TenantCreated => "Create tenant".into(),
            Self::LicenceChanged => "Update tenant licence".into(),
            Self::AlertDismissed => "Disable PIM Alert".into(),
            Self::AlertSettings => "Update PIM alert setting".into(),
            Self::AlertRemediated => "Remediate PIM alert".into(),
            Self::ReviewCreated => "Create access review".into(),
            Self::ReviewDecided => "Record access review decision".into(),
            Self::ReviewCompleted => "Complete access review".into(),
            Self::LabReset => "Reset training lab".into(),
            Self::AuditReanchored => "Re-anchor audit log".into(),
            Self::DatabaseBackedUp => "Back up database".into(),
            Self::DatabaseRestored => "Restore database from backup".into(),
            Self::ClockAccepted => "Accept system clock".into(),
            Self::ExecStarted => "Run command with role started (PIM exec)".into(),
            Self::ExecEnded => "Run command with role ended (PIM exec)".into(),
            Self::OutsideAssignmentSimulated => "Simulate role assignment outside PIM (lab)".into(),
            Self::GroupAdded => "Add group".into(),
            Self::ClockMoved => "Lab clock moved".into(),
        }
    }
}

impl std::fmt::Display for Activity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name(None))
    }
}

/// `Add eligible member to role in PIM completed (permanent)` and its siblings.
pub fn assignment_added(kind: AssignmentKind, permanent: bool, completed: bool) -> Activity {
    Activity::AssignmentAdded {
        kind,
        permanent,
        completed,
    }
}

/// `Remove eligible member from role in PIM completed (timebound)` and siblings; used for
/// removal by an administrator and for recorded expiry (with details saying which).
pub fn assignment_removed(a: &Assignment, completed: bool) -> Activity {
    Activity::AssignmentRemoved {
        kind: a.kind,
        permanent: a.is_permanent(),
        completed,
    }
}

/// `Update eligible member in role in PIM completed (timebound)` and siblings, named by the
/// assignment's new type and window.
pub fn assignment_updated(kind: AssignmentKind, permanent: bool, completed: bool) -> Activity {
    Activity::AssignmentUpdated {
        kind,
        permanent,
        completed,
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn group_activities_name_the_group_and_the_access() {
        assert_eq!(
            Activity::ActivationCompleted.name(Some(Access::Member)),
            "Add member to group completed (PIM activation)"
        );
        assert_eq!(
            Activity::Deactivated.name(Some(Access::Owner)),
            "Remove owner from group completed (PIM deactivate)"
        );
        assert_eq!(
            assignment_added(AssignmentKind::Eligible, true, true).name(Some(Access::Owner)),
            "Add eligible owner to group in PIM completed (permanent)"
        );
        assert_eq!(
            Activity::SettingsUpdated.name(Some(Access::Member)),
            "Update group setting in PIM"
        );
        // Activities that name no role stay as they are.
        assert_eq!(
            Activity::SignIn.name(Some(Access::Member)),
            "User signed in"
        );
    }
}
