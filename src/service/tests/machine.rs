//! A property-based state machine: random sequences of what administrators and users do, from
//! two terminals on one database file with a test clock, checking after every step the
//! invariants of reliability.md §5:
//! - one winner when both terminals try the same thing;
//! - no active grant without an audited cause, and the assignments are the fold of the log
//!   (every current row is the state its last audit entry recorded, and every assignment the
//!   log says is current exists as recorded);
//! - the audit chain and its anchor verify;
//! - at least one permanent, active Global Administrator of an enabled account remains;
//! - an activation never outlasts its eligibility or the role's maximum.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::TimeDelta;
use proptest::prelude::*;

use super::*;
use crate::audit::anchor::AnchorState;
use crate::audit::state::AssignmentState;
use crate::policy::model::{AssignmentKind, GLOBAL_ADMINISTRATOR};
use crate::policy::settings::SettingsPatch;

const ROLES: [&str; 3] = ["Security Reader", "Global Reader", "Global Administrator"];
const PEOPLE: [&str; 3] = ["admin", "pimuser", "approver"];

/// One thing someone does, on terminal 0 or 1.
#[derive(Debug, Clone)]
enum Op {
    Assign {
        terminal: usize,
        who: usize,
        role: usize,
        eligible: bool,
        days: Option<i64>,
    },
    Update {
        terminal: usize,
        who: usize,
        role: usize,
        eligible: bool,
        days: Option<i64>,
    },
    Remove {
        terminal: usize,
        who: usize,
        role: usize,
    },
    Activate {
        who: usize,
        role: usize,
        hours: i64,
    },
    Deactivate {
        terminal: usize,
        who: usize,
        role: usize,
    },
    SetEnabled {
        terminal: usize,
        who: usize,
        enabled: bool,
    },
    Wait {
        minutes: i64,
    },
    AdvanceLab {
        hours: i64,
    },
    Sweep {
        terminal: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let t = 0..2usize;
    let who = 0..3usize;
    let role = 0..3usize;
    let days = prop_oneof![Just(None), (1..40i64).prop_map(Some)];
    prop_oneof![
        3 => (t.clone(), who.clone(), role.clone(), any::<bool>(), days.clone()).prop_map(
            |(terminal, who, role, eligible, days)| Op::Assign {
                terminal,
                who,
                role,
                eligible,
                days
            }
        ),
        2 => (t.clone(), who.clone(), role.clone(), any::<bool>(), days).prop_map(
            |(terminal, who, role, eligible, days)| Op::Update {
                terminal,
                who,
                role,
                eligible,
                days
            }
        ),
        2 => (t.clone(), who.clone(), role.clone())
            .prop_map(|(terminal, who, role)| Op::Remove { terminal, who, role }),
        5 => (who.clone(), role.clone(), 1..10i64)
            .prop_map(|(who, role, hours)| Op::Activate { who, role, hours }),
        2 => (t.clone(), who.clone(), role.clone())
            .prop_map(|(terminal, who, role)| Op::Deactivate { terminal, who, role }),
        1 => (t.clone(), who, prop::bool::weighted(0.7)).prop_map(|(terminal, who, enabled)| {
            Op::SetEnabled {
                terminal,
                who,
                enabled,
            }
        }),
        2 => (1..600i64).prop_map(|minutes| Op::Wait { minutes }),
        1 => (1..400i64).prop_map(|hours| Op::AdvanceLab { hours }),
        1 => t.prop_map(|terminal| Op::Sweep { terminal }),
    ]
}

/// Two terminals (two engines) on one database file, sharing a test clock.
struct Machine {
    terminals: [Service; 2],
    clock: Arc<TestClock>,
    accounts: Vec<CreatedAccount>,
    _dir: tempfile::TempDir,
    _place: super::Place,
}

impl Machine {
    fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let first = Lab::shared(dir.path());
        let clock = first.clock.clone();
        let second = first.terminal();
        let mut m = Machine {
            terminals: [first.svc, second],
            clock,
            accounts: first.accounts,
            _dir: dir,
            _place: first.place,
        };
        let admin = m.session("admin");
        for role in ROLES {
            let patch = SettingsPatch {
                require_mfa: Some(false),
                ..Default::default()
            };
            m.terminals[0]
                .update_settings(&admin, role, patch, None)
                .unwrap();
        }
        // Start with people who can activate, so races and expiries happen.
        for (who, role) in [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1)] {
            let input = AssignInput {
                role: ROLES[role].into(),
                upn: m.upn(who),
                kind: AssignmentKind::Eligible,
                start: None,
                window: Window::For(TimeDelta::days(20)),
                justification: Some("machine".into()),
                otp: None,
            };
            m.terminals[0].assign(&admin, input).unwrap();
        }
        m
    }

    fn upn(&self, who: usize) -> String {
        self.accounts
            .iter()
            .find(|a| a.upn.starts_with(&format!("{}@", PEOPLE[who])))
            .unwrap()
            .upn
            .clone()
    }

    /// A session made directly (the machine is about assignments, not about codes).
    fn session(&self, who: &str) -> SessionToken {
        let upn = format!("{who}@pimlab.onmicrosoft.com");
        direct_session(&self.terminals[0], &upn, self.clock.now())
    }

    fn window(days: Option<i64>) -> Window {
        days.map_or(Window::Permanent, |d| Window::For(TimeDelta::days(d)))
    }

    fn kind(eligible: bool) -> AssignmentKind {
        if eligible {
            AssignmentKind::Eligible
        } else {
            AssignmentKind::Active
        }
    }

    /// Runs one step. Refusals and bad input are fine (the engine said no); anything else
    /// that fails is a bug.
    fn step(&mut self, op: &Op) {
        let admin = self.session("admin");
        let result: ServiceResult<()> = match op.clone() {
            Op::Assign {
                terminal,
                who,
                role,
                eligible,
                days,
            } => {
                let input = AssignInput {
                    role: ROLES[role].into(),
                    upn: self.upn(who),
                    kind: Self::kind(eligible),
                    start: None,
                    window: Self::window(days),
                    justification: Some("machine".into()),
                    otp: None,
                };
                self.terminals[terminal].assign(&admin, input).map(|_| ())
            }
            Op::Update {
                terminal,
                who,
                role,
                eligible,
                days,
            } => {
                let input = UpdateInput {
                    role: ROLES[role].into(),
                    upn: self.upn(who),
                    assignment_id: None,
                    kind: Some(Self::kind(eligible)),
                    window: Some(Self::window(days)),
                    justification: Some("machine".into()),
                    otp: None,
                };
                self.terminals[terminal]
                    .update_assignment(&admin, input)
                    .map(|_| ())
            }
            Op::Remove {
                terminal,
                who,
                role,
            } => {
                let input = RemoveInput {
                    role: ROLES[role].into(),
                    upn: self.upn(who),
                    kind: None,
                    assignment_id: None,
                };
                self.terminals[terminal]
                    .remove_assignment(&admin, input)
                    .map(|_| ())
            }
            Op::Activate { who, role, hours } => return self.race(who, role, hours),
            Op::Deactivate {
                terminal,
                who,
                role,
            } => {
                let token = self.session(PEOPLE[who]);
                self.terminals[terminal]
                    .deactivate(&token, ROLES[role])
                    .map(|_| ())
            }
            Op::SetEnabled {
                terminal,
                who,
                enabled,
            } => {
                let upn = self.upn(who);
                self.terminals[terminal]
                    .set_account_enabled(&admin, &upn, enabled)
                    .map(|_| ())
            }
            Op::Wait { minutes } => {
                self.clock.advance(TimeDelta::minutes(minutes));
                Ok(())
            }
            Op::AdvanceLab { hours } => self.terminals[0]
                .advance_clock(&admin, TimeDelta::hours(hours))
                .map(|_| ()),
            Op::Sweep { terminal } => self.terminals[terminal].sweep(),
        };
        match result {
            Ok(())
            | Err(
                ServiceError::Refused(_)
                | ServiceError::Invalid(_)
                | ServiceError::NotFound(_)
                | ServiceError::Auth(_),
            ) => {}
            Err(e) => panic!("{op:?} failed: {e}"),
        }
    }

    /// Both terminals try the same activation: at most one wins, and the other is told why.
    fn race(&mut self, who: usize, role: usize, hours: i64) {
        let token = self.session(PEOPLE[who]);
        let input = ActivateInput {
            role: ROLES[role].into(),
            duration: TimeDelta::hours(hours),
            start: None,
            justification: Some("machine".into()),
            ticket_number: None,
            ticket_system: None,
            otp: None,
            password: None,
        };
        let first = self.terminals[0].activate(&token, input.clone());
        let second = self.terminals[1].activate(&token, input);
        let won =
            |r: &ServiceResult<ActivationOutcome>| matches!(r, Ok(ActivationOutcome::Active(_)));
        assert!(
            !(won(&first) && won(&second)),
            "two terminals both activated {} for {}",
            ROLES[role],
            PEOPLE[who]
        );
        for r in [&first, &second] {
            if let Err(e) = r
                && !matches!(
                    e,
                    ServiceError::Refused(_) | ServiceError::Auth(_) | ServiceError::NotFound(_)
                )
            {
                panic!("activation failed: {e}");
            }
        }
        if won(&first) {
            let e = second
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(
                e.contains("RoleAssignmentExists") || e.contains("already"),
                "{e}"
            );
        }
    }

    /// The invariants, checked from the second terminal (what another terminal sees).
    fn check(&mut self) {
        let svc = &mut self.terminals[1];
        let v = svc.verify_audit(None, &mut |_, _, _| {}).unwrap();
        assert!(v.fault.is_none(), "chain: {:?}", v.fault);
        assert!(
            matches!(v.anchor, AnchorState::Matches { .. }),
            "anchor: {:?}",
            v.anchor
        );
        assert!(
            v.assignments.mismatches.is_empty(),
            "assignments against the log: {:?}",
            v.assignments.mismatches
        );
        let now = svc.clock().unwrap().now;
        let conn = svc.store.conn();
        let folded = fold_log(conn);
        let mut current = HashMap::new();
        conn.for_each_current(&mut |a| {
            current.insert(a.id.clone(), AssignmentState::of(&a));
            Ok(())
        })
        .unwrap();
        let logged_current: HashMap<_, _> = folded.into_iter().filter(|(_, s)| !s.ended).collect();
        assert_eq!(
            current, logged_current,
            "the assignments are the fold of the log"
        );
        let keepers = conn
            .permanent_active_holders(GLOBAL_ADMINISTRATOR, now)
            .unwrap();
        assert!(
            !keepers.is_empty(),
            "no permanent active Global Administrator is left"
        );
        let bad: i64 = conn
            .one(
                "SELECT count(*) FROM assignments a JOIN assignments e ON e.id = a.activated_from
                 WHERE a.ended_at IS NULL AND a.origin = 'activated'
                   AND (a.end_at IS NULL OR (e.end_at IS NOT NULL AND a.end_at > e.end_at)
                        OR a.end_at - a.start_at > 86400)",
                crate::args![],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            bad, 0,
            "an activation outlasts its eligibility or the maximum"
        );
    }
}

/// Replays the log: for each assignment, the state its newest successful entry recorded.
fn fold_log(conn: crate::store::sql::Conn<'_>) -> HashMap<String, AssignmentState> {
    let rows: Vec<(String, String)> = conn
        .rows("SELECT subject_id, details FROM audit WHERE subject_id IS NOT NULL AND result = 'success' ORDER BY seq", crate::args![], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let mut out = HashMap::new();
    for (id, details) in rows {
        let v: serde_json::Value = serde_json::from_str(&details).unwrap();
        let state = serde_json::from_value(v["state"].clone())
            .unwrap_or_else(|e| panic!("entry about {id} records no state ({e}): {details}"));
        out.insert(id, state);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn the_invariants_hold_after_every_step(ops in proptest::collection::vec(op(), 1..40)) {
        let mut m = Machine::new();
        m.check();
        for op in &ops {
            m.step(op);
            m.check();
        }
    }
}
