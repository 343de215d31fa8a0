//! PIM security alerts, computed from what the database holds: Entra's seven alerts for
//! Microsoft Entra roles, plus one of ours for the tutorial's warning about permanent active
//! assignments. Pure: the service gathers the facts, this decides what fires.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use super::duration::format_duration;
use super::model::{Licence, Principal, Role};
use crate::clock::Time;

/// The alerts, with Graph's ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AlertId {
    /// Roles don't require multi-factor authentication for activation.
    NoMfaOnRoleActivation,
    /// There are too many global administrators.
    TooManyGlobalAdmins,
    /// Eligible administrators aren't activating their privileged role.
    RedundantAssignment,
    /// Potential stale accounts in a privileged role.
    StaleSignIn,
    /// Roles are being activated too frequently.
    SequentialActivation,
    /// The organization doesn't have Microsoft Entra ID P2.
    InvalidLicense,
    /// Roles are being assigned outside of Privileged Identity Management.
    RolesAssignedOutsidePim,
    /// Permanent active assignments exist (ours, after the tutorial's warning).
    PermanentActiveAssignments,
}

/// How serious an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A preferable change.
    Low,
    /// A potential policy violation.
    Medium,
    /// A policy violation: act now.
    High,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl AlertId {
    /// Every alert, most severe first.
    pub const ALL: [AlertId; 8] = [
        AlertId::InvalidLicense,
        AlertId::RolesAssignedOutsidePim,
        AlertId::PermanentActiveAssignments,
        AlertId::NoMfaOnRoleActivation,
        AlertId::StaleSignIn,
        AlertId::SequentialActivation,
        AlertId::TooManyGlobalAdmins,
        AlertId::RedundantAssignment,
    ];

    /// Graph's name, e.g. `NoMfaOnRoleActivationAlert`.
    pub fn graph_name(self) -> &'static str {
        match self {
            AlertId::NoMfaOnRoleActivation => "NoMfaOnRoleActivationAlert",
            AlertId::TooManyGlobalAdmins => "TooManyGlobalAdminsAssignedToTenantAlert",
            AlertId::RedundantAssignment => "RedundantAssignmentAlert",
            AlertId::StaleSignIn => "StaleSignInAlert",
            AlertId::SequentialActivation => "SequentialActivationRenewalsAlert",
            AlertId::InvalidLicense => "InvalidLicenseAlert",
            AlertId::RolesAssignedOutsidePim => "RolesAssignedOutsidePimAlert",
            AlertId::PermanentActiveAssignments => "PermanentActiveAssignmentsAlert",
        }
    }

    /// Finds an alert by Graph name (with or without `Alert`) or a short slug, any case.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|a| {
            let g = a.graph_name().to_ascii_lowercase();
            g == s || g.trim_end_matches("alert") == s || a.slug() == s
        })
    }

    /// Short name for the command line.
    pub fn slug(self) -> &'static str {
        match self {
            AlertId::NoMfaOnRoleActivation => "no-mfa",
            AlertId::TooManyGlobalAdmins => "too-many-global-admins",
            AlertId::RedundantAssignment => "unused-roles",
            AlertId::StaleSignIn => "stale-accounts",
            AlertId::SequentialActivation => "frequent-activation",
            AlertId::InvalidLicense => "no-p2-licence",
            AlertId::RolesAssignedOutsidePim => "outside-pim",
            AlertId::PermanentActiveAssignments => "permanent-active",
        }
    }

    /// The portal's title.
    pub fn title(self) -> &'static str {
        match self {
            AlertId::NoMfaOnRoleActivation => {
                "Roles don't require multifactor authentication for activation"
            }
            AlertId::TooManyGlobalAdmins => "There are too many global administrators",
            AlertId::RedundantAssignment => "Administrators aren't using their privileged roles",
            AlertId::StaleSignIn => "Potential stale accounts in a privileged role",
            AlertId::SequentialActivation => "Roles are being activated too frequently",
            AlertId::InvalidLicense => {
                "The organization doesn't have Microsoft Entra ID P2 or Microsoft Entra ID Governance"
            }
            AlertId::RolesAssignedOutsidePim => {
                "Roles are being assigned outside of Privileged Identity Management"
            }
            AlertId::PermanentActiveAssignments => "Permanent active assignments exist",
        }
    }

    /// Graph's severity.
    pub fn severity(self) -> Severity {
        match self {
            AlertId::InvalidLicense | AlertId::RolesAssignedOutsidePim => Severity::High,
            AlertId::NoMfaOnRoleActivation
            | AlertId::StaleSignIn
            | AlertId::SequentialActivation
            | AlertId::PermanentActiveAssignments => Severity::Medium,
            AlertId::TooManyGlobalAdmins | AlertId::RedundantAssignment => Severity::Low,
        }
    }

    /// Whether `pim alerts fix` applies a remedy: require MFA on the listed roles, make the
    /// permanent active assignments eligible or time-bound, remove the unused eligible
    /// assignments or those made outside PIM, take stale accounts out of their privileged
    /// roles. The others ask for judgement (whom to remove, or a licence to buy).
    pub fn remediable(self) -> bool {
        matches!(
            self,
            AlertId::NoMfaOnRoleActivation
                | AlertId::PermanentActiveAssignments
                | AlertId::RedundantAssignment
                | AlertId::RolesAssignedOutsidePim
                | AlertId::StaleSignIn
        )
    }

    /// What to do about it.
    pub fn fix(self) -> &'static str {
        match self {
            AlertId::NoMfaOnRoleActivation => {
                "Require MFA on activation for every listed role (pim settings set ROLE --require-mfa on)."
            }
            AlertId::TooManyGlobalAdmins => {
                "Remove Global Administrator from accounts that don't absolutely need it; assign least-privileged roles instead."
            }
            AlertId::RedundantAssignment => "Remove eligible assignments their holders don't use.",
            AlertId::StaleSignIn => {
                "If these accounts no longer need access, remove them from their privileged roles."
            }
            AlertId::SequentialActivation => {
                "Make the activation maximum long enough for the work, and check these activations were the users' own."
            }
            AlertId::InvalidLicense => "Get Microsoft Entra ID P2 (in a lab: pim licence set p2).",
            AlertId::RolesAssignedOutsidePim => {
                "Review and remove these assignments; find what wrote to the database outside PIM."
            }
            AlertId::PermanentActiveAssignments => {
                "Make them eligible or time-bound, and untick \"Allow permanent active assignment\" in the role settings."
            }
        }
    }

    /// Why it matters.
    pub fn impact(self) -> &'static str {
        match self {
            AlertId::NoMfaOnRoleActivation => {
                "Without multi-factor authentication, compromised users can activate privileged roles."
            }
            AlertId::TooManyGlobalAdmins => {
                "If a Global Administrator is compromised, the attacker gains access to everything."
            }
            AlertId::RedundantAssignment => {
                "Privileged roles nobody uses are attack surface and hide unnoticed accounts."
            }
            AlertId::StaleSignIn => {
                "Unused accounts in privileged roles are easy to take over unnoticed."
            }
            AlertId::SequentialActivation => {
                "Many activations of one role by one user can be a sign of an attack."
            }
            AlertId::InvalidLicense => {
                "Without P2, PIM is off: no eligible or time-bound assignments and no activation."
            }
            AlertId::RolesAssignedOutsidePim => {
                "Assignments made outside PIM are not monitored and may indicate an active attack."
            }
            AlertId::PermanentActiveAssignments => {
                "A permanent active assignment grants admin powers all the time, with no MFA, justification or end."
            }
        }
    }

    /// Whether the alert has thresholds.
    pub fn configurable(self) -> bool {
        matches!(
            self,
            AlertId::TooManyGlobalAdmins
                | AlertId::RedundantAssignment
                | AlertId::StaleSignIn
                | AlertId::SequentialActivation
        )
    }
}

/// An alert's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertConfig {
    /// Evaluated at all.
    pub enabled: bool,
    /// Days (unused roles: 0–100; stale accounts: 1–365).
    pub days: i64,
    /// Count (Global Administrators 2–100; activations 2–100).
    pub count: i64,
    /// Percentage of Global Administrators among all role assignments (0–100).
    pub percent: i64,
    /// Timeframe for frequent activations, seconds.
    pub window_secs: i64,
}

impl AlertConfig {
    /// Defaults (Microsoft documents none; these follow the values seen in tenants).
    pub fn default_for(id: AlertId) -> Self {
        let base = AlertConfig {
            enabled: true,
            days: 0,
            count: 0,
            percent: 0,
            window_secs: 0,
        };
        match id {
            AlertId::TooManyGlobalAdmins => AlertConfig {
                count: 3,
                percent: 10,
                ..base
            },
            AlertId::RedundantAssignment | AlertId::StaleSignIn => AlertConfig { days: 30, ..base },
            AlertId::SequentialActivation => AlertConfig {
                count: 3,
                window_secs: 3600,
                ..base
            },
            _ => base,
        }
    }

    /// Checks a configuration against the portal's ranges; the message says what is allowed.
    pub fn validate(&self, id: AlertId) -> Result<(), String> {
        let check = |v: i64, lo: i64, hi: i64, what: &str| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!("{what} must be between {lo} and {hi}; {v} is not"))
            }
        };
        match id {
            AlertId::TooManyGlobalAdmins => {
                check(
                    self.count,
                    2,
                    100,
                    "the minimum number of Global Administrators",
                )?;
                check(
                    self.percent,
                    0,
                    100,
                    "the percentage of Global Administrators",
                )
            }
            AlertId::RedundantAssignment => check(self.days, 0, 100, "the number of days"),
            AlertId::StaleSignIn => check(self.days, 1, 365, "the number of days"),
            AlertId::SequentialActivation => {
                check(self.count, 2, 100, "the number of activations")?;
                check(self.window_secs, 1, 30 * 86_400, "the timeframe (seconds)")
            }
            _ => Ok(()),
        }
    }
}

/// One affected item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incident {
    /// Stable identity (for dismissals).
    pub key: String,
    /// What it is, in words.
    pub text: String,
}

/// What the database holds that the alerts look at.
#[derive(Debug, Clone, Default)]
pub struct AlertFacts {
    /// The tenant's licence, when known.
    pub licence: Option<Licence>,
    /// Roles whose activation needs no MFA.
    pub roles_without_mfa: Vec<Role>,
    /// Principals with a current Global Administrator assignment (eligible or active).
    pub global_admins: Vec<Principal>,
    /// Current Global Administrator assignments.
    pub global_admin_assignments: i64,
    /// Current role assignments of every role (admin assignments, not activations).
    pub all_assignments: i64,
    /// Current eligibilities in privileged roles: who, which, since when, last activation.
    pub eligible_privileged: Vec<(Principal, Role, Time, Option<Time>)>,
    /// Members of privileged roles: who, last sign-in, account creation.
    pub privileged_members: Vec<(Principal, Option<Time>, Time)>,
    /// Recent activations: who, which role, when (oldest first).
    pub recent_activations: Vec<(Principal, Role, Time)>,
    /// Current assignments no audited PIM operation created: who, which role, assignment id.
    pub outside_pim: Vec<(Principal, Role, String)>,
    /// Current permanent active assignments: who, which role.
    pub permanent_active: Vec<(Principal, Role)>,
    /// Alerts whose lists above may be a sample: how many items they have in all, and a
    /// fingerprint of which (counted where the facts are kept).
    pub summaries: Vec<(AlertId, (i64, String))>,
}

/// The affected items of one alert now; empty means it does not fire.
pub fn evaluate(id: AlertId, cfg: &AlertConfig, f: &AlertFacts, now: Time) -> Vec<Incident> {
    let item = |key: String, text: String| Incident { key, text };
    match id {
        AlertId::InvalidLicense => match f.licence {
            Some(Licence::Free) => vec![item(
                "licence".into(),
                "the tenant has the Free licence".into(),
            )],
            _ => Vec::new(),
        },
        AlertId::NoMfaOnRoleActivation => f
            .roles_without_mfa
            .iter()
            .map(|r| {
                item(
                    r.id.clone(),
                    format!("{} activates without MFA", r.display_name),
                )
            })
            .collect(),
        AlertId::TooManyGlobalAdmins => {
            let count = f.global_admins.len() as i64;
            let percent = if f.all_assignments == 0 {
                0
            } else {
                f.global_admin_assignments * 100 / f.all_assignments
            };
            if count >= cfg.count && percent >= cfg.percent {
                f.global_admins
                    .iter()
                    .map(|p| item(p.id.clone(), format!("{} is a Global Administrator ({count} of them; {percent}% of role assignments)", p.upn)))
                    .collect()
            } else {
                Vec::new()
            }
        }
        AlertId::RedundantAssignment => {
            let since = now - TimeDelta::days(cfg.days);
            f.eligible_privileged
                .iter()
                .filter(|(_, _, created, last)| *created <= since && last.is_none_or(|t| t < since))
                .map(|(p, r, _, last)| {
                    let when = last.map_or("never activated".to_owned(), |t| {
                        format!("last activated {} ago", format_duration(now - t))
                    });
                    item(
                        format!("{}:{}", p.id, r.id),
                        format!(
                            "{} has not activated {} in {} ({when})",
                            p.upn,
                            r.display_name,
                            crate::policy::text::count(cfg.days, "day", "days")
                        ),
                    )
                })
                .collect()
        }
        AlertId::StaleSignIn => {
            let since = now - TimeDelta::days(cfg.days);
            f.privileged_members
                .iter()
                .filter(|(_, last, created)| last.unwrap_or(*created) < since)
                .map(|(p, last, _)| {
                    let when = last.map_or("never signed in".to_owned(), |t| {
                        format!("last sign-in {} ago", format_duration(now - t))
                    });
                    item(p.id.clone(), format!("{} ({when})", p.upn))
                })
                .collect()
        }
        AlertId::SequentialActivation => frequent(cfg, &f.recent_activations),
        AlertId::RolesAssignedOutsidePim => f
            .outside_pim
            .iter()
            .map(|(p, r, id)| {
                item(
                    id.clone(),
                    format!(
                        "{} holds {} with no PIM record (assignment {id})",
                        p.upn, r.display_name
                    ),
                )
            })
            .collect(),
        AlertId::PermanentActiveAssignments => f
            .permanent_active
            .iter()
            .map(|(p, r)| {
                item(
                    format!("{}:{}", p.id, r.id),
                    format!("{} holds {} as active, permanently", p.upn, r.display_name),
                )
            })
            .collect(),
    }
}

/// Users who activated the same role at least `count` times within `window` (activations
/// oldest first). Each user and role's activations are walked once with a sliding window, so
/// a busy month costs what it holds, not its square.
fn frequent(cfg: &AlertConfig, activations: &[(Principal, Role, Time)]) -> Vec<Incident> {
    let window = TimeDelta::seconds(cfg.window_secs);
    let mut groups: std::collections::HashMap<(&str, &str), Vec<usize>> =
        std::collections::HashMap::new();
    for (i, (p, r, _)) in activations.iter().enumerate() {
        groups.entry((&p.id, &r.id)).or_default().push(i);
    }
    let mut found: Vec<(usize, Incident)> = Vec::new();
    for indices in groups.values() {
        let mut last = 0;
        for (j, &first) in indices.iter().enumerate() {
            last = last.max(j);
            let start = activations[first].2;
            while last + 1 < indices.len() && activations[indices[last + 1]].2 - start <= window {
                last += 1;
            }
            let n = (last - j + 1) as i64;
            if n >= cfg.count {
                let (p, r, _) = &activations[first];
                found.push((
                    first,
                    Incident {
                        key: format!("{}:{}", p.id, r.id),
                        text: format!(
                            "{} activated {} {n} times within {}",
                            p.upn,
                            r.display_name,
                            format_duration(window)
                        ),
                    },
                ));
                break;
            }
        }
    }
    // In the order the first offending activation happened.
    found.sort_by_key(|(first, _)| *first);
    found.into_iter().map(|(_, incident)| incident).collect()
}

#[cfg(test)]
#[path = "alerts_tests.rs"]
mod tests;
