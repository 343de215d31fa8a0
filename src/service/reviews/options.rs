//! A review's options: how often it comes back, and what its end does where nobody decided.

use chrono::{Months, TimeDelta};
use serde::Serialize;

use crate::clock::Time;

/// How often a review comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Recurrence {
    /// Every week.
    Weekly,
    /// Every month.
    Monthly,
    /// Every three months.
    Quarterly,
}

impl Recurrence {
    /// Stored and command-line form.
    pub fn as_str(self) -> &'static str {
        match self {
            Recurrence::Weekly => "weekly",
            Recurrence::Monthly => "monthly",
            Recurrence::Quarterly => "quarterly",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Weekly, Self::Monthly, Self::Quarterly]
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// When the next review starts, from this one's start.
    pub(super) fn next(self, from: Time) -> Time {
        match self {
            Recurrence::Weekly => from + TimeDelta::days(7),
            Recurrence::Monthly => from.checked_add_months(Months::new(1)).unwrap_or(from),
            Recurrence::Quarterly => from.checked_add_months(Months::new(3)).unwrap_or(from),
        }
    }
}

/// What the end of a review does with an assignment nobody decided on (Entra's "If reviewers
/// don't respond").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoResponse {
    /// No change (Entra's default).
    #[default]
    Keep,
    /// Remove access.
    Remove,
    /// Approve access.
    Approve,
    /// Take the recommendation.
    Recommendation,
}

impl NoResponse {
    /// Stored and command-line form.
    pub fn as_str(self) -> &'static str {
        match self {
            NoResponse::Keep => "keep",
            NoResponse::Remove => "remove",
            NoResponse::Approve => "approve",
            NoResponse::Recommendation => "recommendation",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Keep,
            Self::Remove,
            Self::Approve,
            Self::Recommendation,
        ]
        .into_iter()
        .find(|n| n.as_str().eq_ignore_ascii_case(s.trim()))
    }
}
