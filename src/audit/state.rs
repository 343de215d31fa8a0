//! What an assignment was when the audit log last recorded it. Every successful audit entry
//! about an assignment carries its state as it stands after the change, so the assignments
//! table can be checked against the log: a row edited by hand, or inserted without an audited
//! operation, no longer matches the state its last entry recorded.

use serde::{Deserialize, Serialize};

use crate::clock::{from_unix, to_unix};
use crate::policy::model::Assignment;

/// The audited facts of an assignment (times as Unix seconds, as stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentState {
    /// Role template id.
    pub role_id: String,
    /// User id.
    pub principal_id: String,
    /// `eligible` or `active`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When it starts granting.
    pub start: i64,
    /// When it stops granting; `None` when permanent.
    pub end: Option<i64>,
    /// It was ended (removed, deactivated, expired, …).
    pub ended: bool,
}

/// An [`AssignmentState`]'s fields borrowed from where they are held (a row being read), for a
/// pass over many that keeps none of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateFields<'a> {
    /// Role template id.
    pub role_id: &'a str,
    /// User id.
    pub principal_id: &'a str,
    /// `eligible` or `active`.
    pub kind: &'a str,
    /// When it starts granting.
    pub start: i64,
    /// When it stops granting; `None` when permanent.
    pub end: Option<i64>,
    /// It was ended.
    pub ended: bool,
}

impl AssignmentState {
    /// Its fields, borrowed.
    pub fn fields(&self) -> StateFields<'_> {
        StateFields {
            role_id: &self.role_id,
            principal_id: &self.principal_id,
            kind: &self.kind,
            start: self.start,
            end: self.end,
            ended: self.ended,
        }
    }

    /// The state of an assignment as it stands.
    pub fn of(a: &Assignment) -> Self {
        Self {
            role_id: a.role_id.clone(),
            principal_id: a.principal_id.clone(),
            kind: a.kind.as_str().to_owned(),
            start: to_unix(a.start),
            end: a.end.map(to_unix),
            ended: a.ended_at.is_some(),
        }
    }

    /// How `found` (the database) differs from this (the log), field by field, in words.
    pub fn differences(&self, found: &AssignmentState) -> Vec<String> {
        if self == found {
            return Vec::new();
        }
        let time = |t: i64| crate::policy::duration::format_utc(from_unix(t));
        let end = |e: Option<i64>| e.map_or_else(|| "permanent".to_owned(), time);
        let mut out = Vec::new();
        let mut field = |name: &str, logged: String, stored: String| {
            if logged != stored {
                out.push(format!("{name} is {stored}, the log says {logged}"));
            }
        };
        field("role", self.role_id.clone(), found.role_id.clone());
        field(
            "user",
            self.principal_id.clone(),
            found.principal_id.clone(),
        );
        field("type", self.kind.clone(), found.kind.clone());
        field("start", time(self.start), time(found.start));
        field("end", end(self.end), end(found.end));
        let live = |ended: bool| if ended { "ended" } else { "current" }.to_owned();
        field("state", live(self.ended), live(found.ended));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(end: Option<i64>) -> AssignmentState {
        AssignmentState {
            role_id: "r".into(),
            principal_id: "u".into(),
            kind: "active".into(),
            start: 1_795_000_000,
            end,
            ended: false,
        }
    }

    #[test]
    fn differences_name_each_field_that_changed() {
        let logged = state(Some(1_795_086_400));
        assert!(logged.differences(&logged).is_empty());
        let stretched = state(Some(1_826_622_400));
        let diff = logged.differences(&stretched);
        assert_eq!(diff.len(), 1);
        assert!(diff[0].starts_with("end is 2027-"), "{diff:?}");
        let permanent = state(None);
        assert!(logged.differences(&permanent)[0].contains("end is permanent"));
    }

    #[test]
    fn the_state_round_trips_through_json() {
        let s = state(None);
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.contains("\"type\":\"active\""), "{text}");
        assert_eq!(serde_json::from_str::<AssignmentState>(&text).unwrap(), s);
    }
}
