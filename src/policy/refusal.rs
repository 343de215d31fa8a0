//! Refusals as values: every "no" names the Entra rule it mirrors and says what would pass.

use std::fmt;

use serde::Serialize;

/// The rule behind a refusal, named as Entra/Graph names it so people can look it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Rule {
    /// Durations, permanence and expiry limits (`Expiration_*` policy rules).
    ExpirationRule,
    /// A justification is required or unusable.
    JustificationRule,
    /// Ticket information is required.
    TicketingRule,
    /// Multi-factor authentication is required and was not given.
    MfaRule,
    /// The user is not (or not yet, or no longer) eligible.
    EligibilityRule,
    /// The assignment or activation already exists.
    RoleAssignmentExists,
    /// A request for the same role is already waiting for a decision.
    PendingRoleAssignmentRequest,
    /// The assignment or activation to act on does not exist.
    RoleAssignmentDoesNotExist,
    /// Removing or deactivating within 5 minutes of creation.
    ActiveDurationTooShort,
    /// The caller lacks an active administrator role for an admin operation.
    AdminRequestRule,
    /// At least one permanent, active Global Administrator assignment of an enabled account
    /// must remain, or nobody could administer the tenant once the others expire.
    LastGlobalAdministratorRule,
    /// Approval settings (approvers, approval flow).
    ApprovalRule,
    /// PIM features need Microsoft Entra ID P2.
    LicenseRule,
    /// The simulated clock exists only on lab tenants.
    LabOnly,
    /// The notification settings of a role.
    NotificationRule,
    /// An alert's fix applies only while the alert lists something, and only to the alerts
    /// that have one (Graph's `isRemediatable`).
    AlertRemediationRule,
    /// On activation a role requires either MFA or an authentication context, not both.
    MfaAndAcrsConflict,
    /// The authentication context a role requires on activation (Graph's
    /// `AuthenticationContext_EndUser_Assignment`): a valid one, and its step-up given.
    AuthenticationContextRule,
    /// Access reviews: who may review what, and while the review runs.
    AccessReviewRule,
    /// Groups as principals: directory roles go only to role-assignable groups, and a group's
    /// membership or ownership only to users.
    RoleAssignableGroupRule,
}

impl Rule {
    /// The rule's name as printed in messages and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::ExpirationRule => "ExpirationRule",
            Rule::JustificationRule => "JustificationRule",
            Rule::TicketingRule => "TicketingRule",
            Rule::MfaRule => "MfaRule",
            Rule::EligibilityRule => "EligibilityRule",
            Rule::RoleAssignmentExists => "RoleAssignmentExists",
            Rule::PendingRoleAssignmentRequest => "PendingRoleAssignmentRequest",
            Rule::RoleAssignmentDoesNotExist => "RoleAssignmentDoesNotExist",
            Rule::ActiveDurationTooShort => "ActiveDurationTooShort",
            Rule::AdminRequestRule => "AdminRequestRule",
            Rule::LastGlobalAdministratorRule => "LastGlobalAdministratorRule",
            Rule::ApprovalRule => "ApprovalRule",
            Rule::LicenseRule => "LicenseRule",
            Rule::LabOnly => "LabOnly",
            Rule::NotificationRule => "NotificationRule",
            Rule::AlertRemediationRule => "AlertRemediationRule",
            Rule::MfaAndAcrsConflict => "MfaAndAcrsConflict",
            Rule::AuthenticationContextRule => "AuthenticationContextRule",
            Rule::AccessReviewRule => "AccessReviewRule",
            Rule::RoleAssignableGroupRule => "RoleAssignableGroupRule",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One failed rule and the sentence explaining it (what failed, what would pass).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The rule that failed.
    pub rule: Rule,
    /// What failed and what would pass, in the user's words.
    pub message: String,
}

/// A policy refusal: one or more violations, reported together so the user can fix all of
/// them at once (Graph reports "The following policy rules failed: [...]" the same way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// Never empty.
    pub violations: Vec<Violation>,
}

impl Refusal {
    /// A refusal with a single violation.
    pub fn new(rule: Rule, message: impl Into<String>) -> Self {
        Self {
            violations: vec![Violation {
                rule,
                message: message.into(),
            }],
        }
    }

    /// The first (most important) rule that failed.
    pub fn rule(&self) -> Rule {
        self.violations
            .first()
            .map_or(Rule::ExpirationRule, |v| v.rule)
    }

    /// Every rule that failed, in order.
    pub fn rules(&self) -> Vec<Rule> {
        self.violations.iter().map(|v| v.rule).collect()
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}: {}", v.rule, v.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

/// Collects violations while several independent rules are checked.
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// Records a failed rule.
    pub fn push(&mut self, rule: Rule, message: impl Into<String>) {
        self.0.push(Violation {
            rule,
            message: message.into(),
        });
    }

    /// Adds every violation of another refusal.
    pub fn extend(&mut self, refusal: Refusal) {
        self.0.extend(refusal.violations);
    }

    /// `Ok(())` when nothing failed, otherwise the refusal listing every failure.
    pub fn finish(self) -> Result<(), Refusal> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Refusal { violations: self.0 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_prints_each_rule_with_its_message() {
        let mut v = Violations::default();
        v.push(Rule::ExpirationRule, "9h exceeds the 8h maximum");
        v.push(Rule::JustificationRule, "give --reason");
        let refusal = v.finish().unwrap_err();
        assert_eq!(refusal.rule(), Rule::ExpirationRule);
        assert_eq!(
            refusal.to_string(),
            "ExpirationRule: 9h exceeds the 8h maximum\nJustificationRule: give --reason"
        );
        assert!(Violations::default().finish().is_ok());
    }
}
