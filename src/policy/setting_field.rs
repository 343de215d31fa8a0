//! Every role setting described once ([`SettingField`]): label, console field, CLI flag, Graph
//! rule and how its value reads, and the change list between two settings built from it.

use super::{Change, RoleSettings, approvers_text, auth_context_text, on_off};
use crate::policy::duration::format_duration;

/// Where a setting sits: the portal's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Activation.
    Activation,
    /// Assignment.
    Assignment,
}

/// Every role setting, described once: its label (the portal's words), the console editor's
/// field, the `pim settings set` flag, the Graph rule that carries it, and its value as every
/// face shows it. The CLI, the console, the audit diff and the checks below read this table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingField {
    /// Activation maximum duration.
    MaxActivation,
    /// MFA on activation.
    RequireMfa,
    /// An authentication context on activation (instead of MFA).
    AuthContext,
    /// Justification on activation.
    RequireJustification,
    /// Ticket information on activation.
    RequireTicket,
    /// Approval to activate.
    RequireApproval,
    /// Who approves.
    Approvers,
    /// Permanent eligible assignment allowed.
    AllowPermanentEligible,
    /// How long eligible assignments may last.
    ExpireEligibleAfter,
    /// Permanent active assignment allowed.
    AllowPermanentActive,
    /// How long active assignments may last.
    ExpireActiveAfter,
    /// MFA on active assignment.
    RequireMfaOnActive,
    /// Justification on active assignment.
    RequireJustificationOnActive,
    /// MFA on eligible assignment (Graph only).
    RequireMfaOnEligible,
    /// Justification on eligible assignment (Graph only).
    RequireJustificationOnEligible,
}

impl SettingField {
    /// Every field, in the portal's order.
    pub const ALL: [SettingField; 15] = [
        Self::MaxActivation,
        Self::RequireMfa,
        Self::AuthContext,
        Self::RequireJustification,
        Self::RequireTicket,
        Self::RequireApproval,
        Self::Approvers,
        Self::AllowPermanentEligible,
        Self::ExpireEligibleAfter,
        Self::AllowPermanentActive,
        Self::ExpireActiveAfter,
        Self::RequireMfaOnActive,
        Self::RequireJustificationOnActive,
        Self::RequireMfaOnEligible,
        Self::RequireJustificationOnEligible,
    ];

    /// The label, as the portal words it.
    pub fn label(self) -> &'static str {
        match self {
            Self::MaxActivation => "Activation maximum duration",
            Self::RequireMfa => "On activation, require Azure MFA",
            Self::AuthContext => "On activation, require authentication context",
            Self::RequireJustification => "Require justification on activation",
            Self::RequireTicket => "Require ticket information on activation",
            Self::RequireApproval => "Require approval to activate",
            Self::Approvers => "Approvers",
            Self::AllowPermanentEligible => "Allow permanent eligible assignment",
            Self::ExpireEligibleAfter => "Expire eligible assignments after",
            Self::AllowPermanentActive => "Allow permanent active assignment",
            Self::ExpireActiveAfter => "Expire active assignments after",
            Self::RequireMfaOnActive => "Require Azure MFA on active assignment",
            Self::RequireJustificationOnActive => "Require justification on active assignment",
            Self::RequireMfaOnEligible => "Require Azure MFA on eligible assignment",
            Self::RequireJustificationOnEligible => "Require justification on eligible assignment",
        }
    }

    /// The console editor's field id.
    pub fn id(self) -> &'static str {
        match self {
            Self::MaxActivation => "max",
            Self::RequireMfa => "mfa",
            Self::AuthContext => "acrs",
            Self::RequireJustification => "justification",
            Self::RequireTicket => "ticket",
            Self::RequireApproval => "approval",
            Self::Approvers => "approvers",
            Self::AllowPermanentEligible => "perm_eligible",
            Self::ExpireEligibleAfter => "expire_eligible",
            Self::AllowPermanentActive => "perm_active",
            Self::ExpireActiveAfter => "expire_active",
            Self::RequireMfaOnActive => "mfa_active",
            Self::RequireJustificationOnActive => "just_active",
            Self::RequireMfaOnEligible => "mfa_eligible",
            Self::RequireJustificationOnEligible => "just_eligible",
        }
    }

    /// The `pim settings set` flag.
    pub fn flag(self) -> &'static str {
        match self {
            Self::MaxActivation => "max-activation",
            Self::RequireMfa => "require-mfa",
            Self::AuthContext => "require-auth-context",
            Self::RequireJustification => "require-justification",
            Self::RequireTicket => "require-ticket",
            Self::RequireApproval => "require-approval",
            Self::Approvers => "approvers",
            Self::AllowPermanentEligible => "allow-permanent-eligible",
            Self::ExpireEligibleAfter => "expire-eligible-after",
            Self::AllowPermanentActive => "allow-permanent-active",
            Self::ExpireActiveAfter => "expire-active-after",
            Self::RequireMfaOnActive => "require-mfa-on-active",
            Self::RequireJustificationOnActive => "require-justification-on-active",
            Self::RequireMfaOnEligible => "require-mfa-on-eligible",
            Self::RequireJustificationOnEligible => "require-justification-on-eligible",
        }
    }

    /// The Graph rule (`unifiedRoleManagementPolicyRule` id) that carries it.
    pub fn graph_rule(self) -> &'static str {
        match self {
            Self::MaxActivation => "Expiration_EndUser_Assignment",
            Self::AuthContext => "AuthenticationContext_EndUser_Assignment",
            Self::RequireMfa | Self::RequireJustification | Self::RequireTicket => {
                "Enablement_EndUser_Assignment"
            }
            Self::RequireApproval | Self::Approvers => "Approval_EndUser_Assignment",
            Self::AllowPermanentEligible | Self::ExpireEligibleAfter => {
                "Expiration_Admin_Eligibility"
            }
            Self::AllowPermanentActive | Self::ExpireActiveAfter => "Expiration_Admin_Assignment",
            Self::RequireMfaOnActive | Self::RequireJustificationOnActive => {
                "Enablement_Admin_Assignment"
            }
            Self::RequireMfaOnEligible | Self::RequireJustificationOnEligible => {
                "Enablement_Admin_Eligibility"
            }
        }
    }

    /// The portal's tab it is on.
    pub fn section(self) -> Section {
        match self {
            Self::MaxActivation
            | Self::RequireMfa
            | Self::AuthContext
            | Self::RequireJustification
            | Self::RequireTicket
            | Self::RequireApproval
            | Self::Approvers => Section::Activation,
            _ => Section::Assignment,
        }
    }

    /// Set only through Graph (the portal has no switch for it).
    pub fn graph_only(self) -> bool {
        matches!(
            self,
            Self::RequireMfaOnEligible | Self::RequireJustificationOnEligible
        )
    }

    /// An on/off field's value.
    pub fn switch(self, s: &RoleSettings) -> Option<bool> {
        Some(match self {
            Self::RequireMfa => s.require_mfa,
            Self::RequireJustification => s.require_justification,
            Self::RequireTicket => s.require_ticket,
            Self::RequireApproval => s.require_approval,
            Self::AllowPermanentEligible => s.allow_permanent_eligible,
            Self::AllowPermanentActive => s.allow_permanent_active,
            Self::RequireMfaOnActive => s.require_mfa_on_active,
            Self::RequireJustificationOnActive => s.require_justification_on_active,
            Self::RequireMfaOnEligible => s.require_mfa_on_eligible,
            Self::RequireJustificationOnEligible => s.require_justification_on_eligible,
            _ => return None,
        })
    }

    /// Its value as every face shows it.
    pub fn show(self, s: &RoleSettings) -> String {
        if let Some(on) = self.switch(s) {
            return on_off(on).into();
        }
        match self {
            Self::MaxActivation => format_duration(s.max_activation),
            Self::AuthContext => auth_context_text(s.auth_context.as_deref()),
            Self::Approvers => approvers_text(&s.approvers),
            Self::ExpireEligibleAfter => s.expire_eligible_after.label(),
            Self::ExpireActiveAfter => s.expire_active_after.label(),
            _ => String::new(),
        }
    }
}

/// The fields that differ between two settings, labelled as every face labels them.
pub fn diff(before: &RoleSettings, after: &RoleSettings) -> Vec<Change> {
    let mut changes: Vec<Change> = SettingField::ALL
        .iter()
        .filter_map(|f| {
            let (b, a) = (f.show(before), f.show(after));
            (b != a).then(|| Change {
                field: f.label().into(),
                before: b,
                after: a,
            })
        })
        .collect();
    changes.extend(before.notifications.diff(&after.notifications));
    changes
}
