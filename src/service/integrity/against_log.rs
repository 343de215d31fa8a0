//! Every current assignment against the audit log: the state its newest successful entry
//! recorded must be the state it has now, and nothing may exist that no audited operation made.

use sha2::{Digest, Sha256};

use super::{AssignmentCheck, AssignmentMismatch};
use crate::audit::state::{AssignmentState, StateFields};
use crate::service::ServiceResult;
use crate::store::{self, repo::prelude::*};

/// Every current assignment against the state its newest audit entry recorded.
pub(super) fn check_assignments(db: &dyn Repos) -> ServiceResult<AssignmentCheck> {
    let mut out = AssignmentCheck::default();
    db.for_each_current(&mut |a| {
        out.checked += 1;
        check_one(db, &a, &mut out)
    })?;
    Ok(out)
}

/// One assignment against the state its newest audit entry recorded, looked up.
fn check_one(
    db: &dyn Repos,
    a: &crate::policy::model::Assignment,
    out: &mut AssignmentCheck,
) -> store::StoreResult<()> {
    let found = AssignmentState::of(a);
    let problems = match db.latest_state(&a.id)? {
        None => vec![
            "no audited operation made it (it was written into the database directly)".to_owned(),
        ],
        Some((_, None)) => {
            out.unrecorded += 1;
            Vec::new()
        }
        Some((_, Some(logged))) => logged.differences(&found),
    };
    if !problems.is_empty() {
        let role = db
            .role(&a.role_id)?
            .map_or_else(|| a.role_id.clone(), |r| r.display_name);
        let user = db
            .user_by_id(&a.principal_id)?
            .map_or_else(|| a.principal_id.clone(), |u| u.principal.upn);
        out.mismatches.push(AssignmentMismatch {
            assignment_id: a.id.clone(),
            role,
            user,
            problems,
        });
    }
    Ok(())
}

/// A state, in short (its JSON's digest): what the log recorded and what the table holds
/// compare as these, so a long log is checked in the same pass that verifies its chain.
type StateDigest = [u8; 16];

/// A short fingerprint of a state: each field in turn, texts with their lengths.
fn digest(state: StateFields<'_>) -> StateDigest {
    let mut h = Sha256::new();
    for text in [state.role_id, state.principal_id, state.kind] {
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.update(state.start.to_le_bytes());
    match state.end {
        Some(end) => {
            h.update([1]);
            h.update(end.to_le_bytes());
        }
        None => h.update([0]),
    }
    h.update([u8::from(state.ended)]);
    let full = h.finalize();
    let mut out = [0; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// The part of an entry's details the assignment check reads.
#[derive(serde::Deserialize)]
struct Logged<'a> {
    #[serde(borrow, default)]
    assignment_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    state: Option<AssignmentState>,
}

/// The assignment an entry's details are about and the state they record. Read straight into
/// the two fields wanted; details that do not fit that shape (a state this version cannot
/// read, a repeated key) are read loosely, a state that does not parse counting as none.
fn logged(details: &str) -> Option<(std::borrow::Cow<'_, str>, Option<AssignmentState>)> {
    match serde_json::from_str::<Logged<'_>>(details) {
        Ok(Logged {
            assignment_id: Some(id),
            state,
        }) => Some((id, state)),
        Ok(_) => None,
        Err(_) => {
            let v = serde_json::from_str::<serde_json::Value>(details).ok()?;
            let id = v.get("assignment_id")?.as_str()?.to_owned();
            let state = v
                .get("state")
                .and_then(|s| serde_json::from_value::<AssignmentState>(s.clone()).ok());
            Some((std::borrow::Cow::Owned(id), state))
        }
    }
}

/// What the chain's pass saw of the current assignments: each one's own state, and the state
/// its newest successful entry recorded with that entry's number (`None`: no entry;
/// `Some((_, None))`: an entry from before states were recorded).
#[derive(Default)]
pub(super) struct Seen {
    /// Keyed with a fast hash: a big tenant's pass looks up an id for every entry about an
    /// assignment (a million in a long log), and the ids are the database's own.
    current: std::collections::HashMap<
        String,
        (StateDigest, Option<LoggedAt>),
        foldhash::fast::RandomState,
    >,
}

/// The number of the newest entry about an assignment, and the state it recorded.
type LoggedAt = (i64, Option<StateDigest>);

impl Seen {
    pub(super) fn load(db: &dyn Repos) -> ServiceResult<Self> {
        let mut current = std::collections::HashMap::default();
        db.for_each_current_state(&mut |id, state| {
            current.insert(id.to_owned(), (digest(state), None));
        })?;
        Ok(Seen { current })
    }

    /// Entry `seq`'s details (entries arrive from several readers in any order: the newest
    /// one about an assignment wins).
    pub(super) fn entry(seen: &std::sync::Mutex<Self>, seq: i64, details: &str) {
        let Some((id, state)) = logged(details) else {
            return;
        };
        let Ok(mut seen) = seen.lock() else { return };
        // Only the newest entry about a current assignment is kept, so only its state is
        // digested (most entries are about assignments since ended, or older than one seen).
        if let Some((_, logged)) = seen.current.get_mut(id.as_ref())
            && logged.as_ref().is_none_or(|(at, _)| *at < seq)
        {
            *logged = Some((seq, state.as_ref().map(|s| digest(s.fields()))));
        }
    }

    /// The check: agreeing assignments counted, the others looked up one by one for the
    /// report's words.
    pub(super) fn finish(self, db: &dyn Repos) -> ServiceResult<AssignmentCheck> {
        let mut out = AssignmentCheck {
            checked: i64::try_from(self.current.len()).unwrap_or(i64::MAX),
            ..AssignmentCheck::default()
        };
        let mut differ = std::collections::HashSet::new();
        for (id, (found, logged)) in &self.current {
            match logged {
                Some((_, None)) => out.unrecorded += 1,
                Some((_, Some(l))) if l == found => {}
                _ => {
                    differ.insert(id.as_str());
                }
            }
        }
        if !differ.is_empty() {
            // In the table's order, as a lookup of each would report them.
            db.for_each_current(&mut |a| {
                if differ.contains(a.id.as_str()) {
                    check_one(db, &a, &mut out)?;
                }
                Ok(())
            })?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(kind: &str, end: Option<i64>) -> AssignmentState {
        AssignmentState {
            role_id: "r".into(),
            principal_id: "p".into(),
            kind: kind.into(),
            start: 10,
            end,
            ended: false,
        }
    }

    fn details(state: &AssignmentState) -> String {
        serde_json::json!({"assignment_id": "a1", "state": state}).to_string()
    }

    #[test]
    fn the_newest_entry_about_an_assignment_wins_in_whatever_order_readers_report() {
        let now = state("active", Some(99));
        let older = state("eligible", None);
        let mut seen = Seen::default();
        seen.current
            .insert("a1".into(), (digest(now.fields()), None));
        let seen = std::sync::Mutex::new(seen);
        // A later stretch's reader reports first, an earlier stretch's after it.
        Seen::entry(&seen, 7, &details(&now));
        Seen::entry(&seen, 3, &details(&older));
        let (found, logged) = seen.lock().unwrap().current["a1"];
        assert_eq!(logged, Some((7, Some(found))));
        // An entry the fast reading cannot take (a state of another shape) counts as none.
        Seen::entry(&seen, 9, r#"{"assignment_id": "a1", "state": {"type": 5}}"#);
        assert_eq!(seen.lock().unwrap().current["a1"].1, Some((9, None)));
        // Other assignments and details without one are passed over.
        Seen::entry(&seen, 10, r#"{"assignment_id": "other"}"#);
        Seen::entry(&seen, 11, r#"{"role": "x"}"#);
        assert_eq!(seen.lock().unwrap().current.len(), 1);
        assert_eq!(seen.lock().unwrap().current["a1"].1, Some((9, None)));
    }
}
