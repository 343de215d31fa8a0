//! Audit activity names. PIM operations use Entra's own names (Service "PIM", category
//! RoleManagement) so people who know Entra's audit log recognise them; sign-in and lab events
//! use names in the same style.

use crate::policy::model::{Access, Assignment, AssignmentKind};

/// A user activated a role.
pub const ACTIVATION_COMPLETED: &str = "Add member to role completed (PIM activation)";
/// A user asked to activate (recorded when the request is refused).
pub const ACTIVATION_REQUESTED: &str = "Add member to role requested (PIM activation)";
/// A user deactivated a role.
pub const DEACTIVATED: &str = "Remove member from role completed (PIM deactivate)";
/// An activation's end time passed.
pub const ACTIVATION_EXPIRED: &str = "Remove member from role (PIM activation expired)";
/// An activation ended because its eligibility was removed.
pub const ACTIVATION_REVOKED: &str = "Remove member from role completed (PIM activation revoked)";
/// A role setting changed.
pub const SETTINGS_UPDATED: &str = "Update role setting in PIM";
/// A successful sign-in.
pub const SIGN_IN: &str = "User signed in";
/// A failed password or code at sign-in.
pub const SIGN_IN_FAILED: &str = "User sign-in failed";
/// A sign-in attempt on a locked account.
pub const SIGN_IN_BLOCKED: &str = "User sign-in blocked (account locked)";
/// The failure that locked the account.
pub const ACCOUNT_LOCKED: &str = "User account locked";
/// An administrator unlocked an account.
pub const ACCOUNT_UNLOCKED: &str = "Unlock user account";
/// A wrong, missing or replayed code at activation or active assignment.
pub const MFA_FAILED: &str = "MFA verification failed";
/// A sign-out.
pub const SIGN_OUT: &str = "User signed out";
/// An administrator set a new password for an account.
pub const PASSWORD_RESET: &str = "Reset user password";
/// An administrator required an account to register its authenticator again.
pub const MFA_RESET: &str = "Require re-register multifactor authentication";
/// An administrator disabled an account.
pub const ACCOUNT_DISABLED: &str = "Disable account";
/// An administrator enabled an account.
pub const ACCOUNT_ENABLED: &str = "Enable account";
/// A user was created.
pub const USER_ADDED: &str = "Add user";
/// A user confirmed their authenticator app.
pub const MFA_REGISTERED: &str = "User registered security info";
/// A tenant was created.
pub const TENANT_CREATED: &str = "Create tenant";
/// The tenant's licence changed.
pub const LICENCE_CHANGED: &str = "Update tenant licence";
/// An alert was dismissed.
pub const ALERT_DISMISSED: &str = "Disable PIM Alert";
/// An alert's settings changed.
pub const ALERT_SETTINGS: &str = "Update PIM alert setting";
/// An administrator applied an alert's fix (Graph's `remediate`); each change it made is
/// audited under its own name as well.
pub const ALERT_REMEDIATED: &str = "Remediate PIM alert";
/// An access review was created.
pub const REVIEW_CREATED: &str = "Create access review";
/// A reviewer approved or denied an assignment under review.
pub const REVIEW_DECIDED: &str = "Record access review decision";
/// An access review ended and its results were applied.
pub const REVIEW_COMPLETED: &str = "Complete access review";
/// An assignment denied in an access review was removed at its end.
pub const REVIEW_REMOVED: &str = "Remove member from role (access review result)";
/// A training lab was rebuilt (`pim lab --reset`).
pub const LAB_RESET: &str = "Reset training lab";
/// An administrator accepted the audit log as it stands after a break of its anchor.
pub const AUDIT_REANCHORED: &str = "Re-anchor audit log";
/// A consistent copy of the database was written.
pub const DATABASE_BACKED_UP: &str = "Back up database";
/// The database was replaced by a backup (a known rollback).
pub const DATABASE_RESTORED: &str = "Restore database from backup";
/// The owner of the database accepted a system clock behind the newest time it had seen.
pub const CLOCK_ACCEPTED: &str = "Accept system clock";
/// `pim exec` started a command under a role.
pub const EXEC_STARTED: &str = "Run command with role started (PIM exec)";
/// A command run under a role ended (by itself, or stopped when the role ended).
pub const EXEC_ENDED: &str = "Run command with role ended (PIM exec)";
/// A lab administrator simulated a role assignment written outside PIM.
pub const OUTSIDE_ASSIGNMENT_SIMULATED: &str = "Simulate role assignment outside PIM (lab)";
/// A security group was added (PIM for Groups).
pub const GROUP_ADDED: &str = "Add group";

/// The lab clock was moved.
pub const CLOCK_MOVED: &str = "Lab clock moved";

fn word(permanent: bool) -> &'static str {
    if permanent { "permanent" } else { "timebound" }
}

/// `Add eligible member to role in PIM completed (permanent)` and its siblings.
pub fn assignment_added(kind: AssignmentKind, permanent: bool, completed: bool) -> String {
    let state = if completed { "completed" } else { "requested" };
    match kind {
        AssignmentKind::Eligible => format!(
            "Add eligible member to role in PIM {state} ({})",
            word(permanent)
        ),
        AssignmentKind::Active => {
            format!("Add member to role in PIM {state} ({})", word(permanent))
        }
    }
}

/// `Remove eligible member from role in PIM completed (timebound)` and siblings; used for
/// removal by an administrator and for recorded expiry (with details saying which).
pub fn assignment_removed(a: &Assignment, completed: bool) -> String {
    let state = if completed { "completed" } else { "requested" };
    match a.kind {
        AssignmentKind::Eligible => {
            format!(
                "Remove eligible member from role in PIM {state} ({})",
                a.duration_word()
            )
        }
        AssignmentKind::Active => format!(
            "Remove member from role in PIM {state} ({})",
            a.duration_word()
        ),
    }
}

/// `Update eligible member in role in PIM completed (timebound)` and siblings, named by the
/// assignment's new type and window.
pub fn assignment_updated(kind: AssignmentKind, permanent: bool, completed: bool) -> String {
    let state = if completed { "completed" } else { "requested" };
    match kind {
        AssignmentKind::Eligible => format!(
            "Update eligible member in role in PIM {state} ({})",
            word(permanent)
        ),
        AssignmentKind::Active => {
            format!("Update member in role in PIM {state} ({})", word(permanent))
        }
    }
}

/// Entra words a group's PIM activities as a role's, with the access and "group" in place of
/// "member" and "role": `Add member to role completed (PIM activation)` becomes `Add member to
/// group completed (PIM activation)` for membership and `Add owner to group completed (PIM
/// activation)` for ownership; `Update role setting in PIM` becomes `Update group setting in
/// PIM`.
pub fn for_group(activity: &str, access: Access) -> String {
    let who = access.as_str();
    activity
        .replace(" member to role", &format!(" {who} to group"))
        .replace(" member from role", &format!(" {who} from group"))
        .replace(" member in role", &format!(" {who} in group"))
        .replace("role setting", "group setting")
}

#[cfg(test)]
mod group_tests {
    use super::*;

    #[test]
    fn group_activities_name_the_group_and_the_access() {
        assert_eq!(
            for_group(ACTIVATION_COMPLETED, Access::Member),
            "Add member to group completed (PIM activation)"
        );
        assert_eq!(
            for_group(DEACTIVATED, Access::Owner),
            "Remove owner from group completed (PIM deactivate)"
        );
        assert_eq!(
            for_group(
                &assignment_added(AssignmentKind::Eligible, true, true),
                Access::Owner
            ),
            "Add eligible owner to group in PIM completed (permanent)"
        );
        assert_eq!(
            for_group(SETTINGS_UPDATED, Access::Member),
            "Update group setting in PIM"
        );
        // Activities that name no role stay as they are.
        assert_eq!(for_group(SIGN_IN, Access::Member), SIGN_IN);
    }
}
