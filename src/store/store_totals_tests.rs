//! The alert totals and lists the triggers keep, against a recount, however the assignments change.

use super::tests::{at_version, upgraded};
use super::*;
use rusqlite::{OptionalExtension, params};

/// One change to the assignments table, as any code path (or a hand edit) could make it.
#[derive(Debug, Clone)]
enum Change {
    Add {
        role: usize,
        eligible: bool,
        created: i64,
        end: Option<i64>,
        used: Option<i64>,
    },
    End(usize),
    Convert(usize),
    MoveRole(usize, usize),
    Delete(usize),
    /// A new end, or none (permanent), as an extension or a renewal makes it.
    SetEnd(usize, Option<i64>),
    /// An active assignment's origin flips, assigned to activated or back (a hand edit).
    Reorigin(usize),
}

fn change() -> impl proptest::strategy::Strategy<Value = Change> {
    use proptest::prelude::*;
    let day = 86_400i64;
    prop_oneof![
        4 => (0..4usize, any::<bool>(), 0..60 * day, proptest::option::of(0..90 * day),
              proptest::option::of(0..70 * day))
            .prop_map(|(role, eligible, created, end, used)| Change::Add { role, eligible, created, end, used }),
        1 => (0..40usize).prop_map(Change::End),
        1 => (0..40usize).prop_map(Change::Convert),
        1 => (0..40usize, 0..4usize).prop_map(|(i, r)| Change::MoveRole(i, r)),
        1 => (0..40usize).prop_map(Change::Delete),
        1 => (0..40usize, proptest::option::of(0..90 * day)).prop_map(|(i, e)| Change::SetEnd(i, e)),
        1 => (0..40usize).prop_map(Change::Reorigin),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The unused-roles and permanent-active counts kept by triggers agree, count and
    /// fingerprint, with counting every matching row, whatever inserts, ends, conversions,
    /// moves between roles, new ends, changes of origin and deletions came before.
    #[test]
    fn unused_roles_kept_by_triggers_agree_with_counting_every_row(
        changes in proptest::collection::vec(change(), 1..60),
        now_day in 30i64..80,
    ) {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        conn.execute_batch(
            "INSERT INTO roles (id, display_name, slug, description, privileged) VALUES
                 ('p1', 'Priv One', 'priv-one', '', 1), ('p2', 'Priv Two', 'priv-two', '', 1),
                 ('n1', 'Plain', 'plain', '', 0);
             INSERT INTO users (id, upn, display_name, password_hash, created_at, object_type)
                 VALUES ('grp', 'grp@contoso.onmicrosoft.com', 'Group', 'x', 0, 'group');
             INSERT INTO groups (id, role_assignable, created_at) VALUES ('grp', 1, 0);
             INSERT INTO roles (id, display_name, slug, description, privileged, group_id, group_access)
                 VALUES ('gm', 'Group (member)', 'group-member', '', 0, 'grp', 'member');",
        )
        .unwrap();
        // The last is a group's membership, which the permanent-active alert leaves out.
        let roles = ["p1", "p2", "n1", "gm"];
        let nth = |i: usize| -> Option<i64> {
            conn.query_row("SELECT rowid FROM assignments ORDER BY rowid LIMIT 1 OFFSET ?1", [i as i64], |r| r.get(0))
                .optional()
                .unwrap()
        };
        for (k, c) in changes.iter().enumerate() {
            match *c {
                Change::Add { role, eligible, created, end, used } => {
                    // One person per assignment, so no change below meets the one-current rule.
                    conn.execute(
                        "INSERT INTO users (id, upn, display_name, password_hash, created_at)
                         VALUES (?1, ?1 || '@contoso.onmicrosoft.com', ?1, 'x', 0)",
                        [format!("u{k}")],
                    )
                    .unwrap();
                    conn.execute(
                        "INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, end_at,
                             created_at, last_activated_at)
                         VALUES (?1, ?2, ?7, ?3, 'assigned', ?4, ?5, ?4, ?6)",
                        params![format!("a{k}"), roles[role], if eligible { "eligible" } else { "active" },
                                created, end.map(|e| created + e), used, format!("u{k}")],
                    )
                    .unwrap();
                }
                Change::End(i) => if let Some(id) = nth(i) {
                    conn.execute("UPDATE assignments SET ended_at = 1, end_reason = 'removed' WHERE rowid = ?1", [id]).unwrap();
                },
                Change::Convert(i) => if let Some(id) = nth(i) {
                    conn.execute(
                        "UPDATE assignments SET kind = CASE kind WHEN 'eligible' THEN 'active' ELSE 'eligible' END
                         WHERE rowid = ?1 AND origin = 'assigned'",
                        [id],
                    )
                    .unwrap();
                },
                Change::MoveRole(i, r) => if let Some(id) = nth(i) {
                    conn.execute("UPDATE assignments SET role_id = ?2 WHERE rowid = ?1", params![id, roles[r]])
                        .unwrap();
                },
                Change::Delete(i) => if let Some(id) = nth(i) {
                    conn.execute("DELETE FROM assignments WHERE rowid = ?1", [id]).unwrap();
                },
                Change::SetEnd(i, end) => if let Some(id) = nth(i) {
                    conn.execute("UPDATE assignments SET end_at = created_at + ?2 WHERE rowid = ?1", params![id, end])
                        .unwrap();
                },
                Change::Reorigin(i) => if let Some(id) = nth(i) {
                    conn.execute(
                        "UPDATE assignments SET origin = CASE origin WHEN 'assigned' THEN 'activated' ELSE 'assigned' END
                         WHERE rowid = ?1 AND kind = 'active'",
                        [id],
                    )
                    .unwrap();
                },
            }
        }
        // The permanent active ones, kept per role by triggers, against counting every row.
        for fingerprint in [true, false] {
            let kept = alerts::permanent_summary(conn.into(), fingerprint).unwrap();
            let counted = alerts::summary(conn.into(), alerts::PERMANENT, "a.rowid", &[], fingerprint).unwrap();
            proptest::prop_assert_eq!(kept, counted);
        }
        let now = now_day * 86_400;
        let since = now - 30 * 86_400;
        let kept = alerts::unused_summary(conn.into(), now, since).unwrap();
        let counted = alerts::summary(
            conn.into(),
            alerts::UNUSED,
            "a.rowid",
            crate::store::sql::named! {":now": now, ":since": since},
            true,
        )
        .unwrap();
        proptest::prop_assert_eq!(kept, counted);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The sweep's one-statement question agrees with running its queries: something is past
    /// its end or due a reminder exactly when they find a row.
    #[test]
    fn anything_due_agrees_with_the_sweeps_own_queries(
        rows in proptest::collection::vec(
            (any_origin(), 0i64..40, proptest::option::of(0i64..40), proptest::bool::ANY,
             proptest::bool::ANY, proptest::bool::ANY),
            0..12,
        ),
        now_day in 0i64..40,
    ) {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        conn.execute_batch(
            "INSERT INTO roles (id, display_name, slug, description, privileged)
                 VALUES ('r1', 'Role', 'role', '', 0);",
        )
        .unwrap();
        let day = 86_400;
        for (k, (origin, created, end, ended, r14, r1)) in rows.iter().enumerate() {
            conn.execute(
                "INSERT INTO users (id, upn, display_name, password_hash, created_at)
                 VALUES (?1, ?1 || '@contoso.onmicrosoft.com', ?1, 'x', 0)",
                [format!("u{k}")],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, end_at,
                     created_at, ended_at, end_reason, reminded_14d, reminded_1d)
                 VALUES (?1, 'r1', ?2, 'active', ?3, ?4, ?5, ?4, ?6, ?7, ?8, ?9)",
                params![
                    format!("a{k}"), format!("u{k}"), origin, created * day,
                    end.map(|e| (created + 1 + e) * day),
                    ended.then_some(1), ended.then_some("removed"),
                    r14.then_some(1), r1.then_some(1)
                ],
            )
            .unwrap();
        }
        let now = crate::clock::from_unix(now_day * day);
        let leads = [(14 * day, "reminded_14d"), (day, "reminded_1d")];
        let asked = assignments::any_due(conn.into(), now, leads).unwrap();
        let found = !assignments::due_for_expiry(conn.into(), now, 1).unwrap().is_empty()
            || leads.iter().any(|(lead, column)| {
                !assignments::due_reminders(conn.into(), column, *lead, now, 1).unwrap().is_empty()
            });
        proptest::prop_assert_eq!(asked, found);
    }
}

fn any_origin() -> impl proptest::strategy::Strategy<Value = &'static str> {
    proptest::prop_oneof![
        proptest::strategy::Just("assigned"),
        proptest::strategy::Just("activated")
    ]
}

#[test]
fn a_version_5_database_gets_its_alert_totals_and_lists_filled_on_upgrade() {
    let (_dir, path, conn) = at_version(
        5,
        "INSERT INTO roles (id, display_name, slug, description, privileged) VALUES
             ('p1', 'Priv', 'priv', '', 1);
         INSERT INTO users (id, upn, display_name, password_hash, created_at) VALUES
             ('u1', 'u1@contoso.onmicrosoft.com', 'U1', 'x', 0),
             ('u2', 'u2@contoso.onmicrosoft.com', 'U2', 'x', 0);
         INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, created_at)
             VALUES ('e1', 'p1', 'u1', 'eligible', 'assigned', 0, 0),
                    ('e2', 'p1', 'u2', 'eligible', 'assigned', 0, 0);
         INSERT INTO assignments (id, role_id, principal_id, kind, origin, activated_from, start_at,
                 end_at, created_at, ended_at, end_reason)
             VALUES ('x1', 'p1', 'u1', 'active', 'activated', 'e1', 100, 200, 100, 200, 'expired'),
                    ('x2', 'p1', 'u1', 'active', 'activated', 'e1', 500, 600, 500, 600, 'expired');
         INSERT INTO audit (seq, id, time, activity, result, details, prev_hash, hash) VALUES
             (1, 'a1', 0, 'Add eligible member to role in PIM completed (permanent)', 'success',
              '{\"assignment_id\":\"e1\"}', 'p', 'h1'),
             (2, 'a2', 0, 'Add eligible member to role in PIM requested (permanent)', 'failure',
              '{\"assignment_id\":\"e2\"}', 'h1', 'h2');",
    );
    let store = upgraded(&path, conn);
    let conn = store.conn();
    let last = |id: &str| -> Option<i64> {
        conn.query_row(
            "SELECT last_activated_at FROM assignments WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(last("e1"), Some(500), "the newest activation");
    assert_eq!(last("e2"), None, "never activated");
    let unaudited: Vec<String> = conn
        .prepare("SELECT assignment_id FROM assignments_unaudited ORDER BY 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        unaudited,
        ["e2", "x1", "x2"],
        "only a successful entry counts as PIM's record"
    );
    let totals: (i64, i64) = conn
        .query_row(
            "SELECT items, rowid_sum FROM eligible_totals WHERE role_id = 'p1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let rowids: i64 = conn
        .query_row(
            "SELECT sum(rowid) FROM assignments WHERE kind = 'eligible'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(totals, (2, rowids));
    conn.execute(
        "INSERT INTO audit_text (audit_text, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .unwrap();
}

#[test]
fn a_version_7_database_gets_its_permanent_active_totals_on_upgrade() {
    let (_dir, path, conn) = at_version(
        7,
        "INSERT INTO roles (id, display_name, slug, description, privileged) VALUES
             ('p1', 'Priv', 'priv', '', 1), ('n1', 'Plain', 'plain', '', 0);
         INSERT INTO users (id, upn, display_name, password_hash, created_at) VALUES
             ('u1', 'u1@contoso.onmicrosoft.com', 'U1', 'x', 0),
             ('u2', 'u2@contoso.onmicrosoft.com', 'U2', 'x', 0),
             ('u3', 'u3@contoso.onmicrosoft.com', 'U3', 'x', 0);
         INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, end_at, created_at,
                 ended_at, end_reason)
             VALUES ('s1', 'p1', 'u1', 'active', 'assigned', 0, NULL, 0, NULL, NULL),
                    ('s2', 'p1', 'u2', 'active', 'assigned', 0, NULL, 0, NULL, NULL),
                    ('s3', 'n1', 'u3', 'active', 'assigned', 0, NULL, 0, NULL, NULL),
                    ('t1', 'n1', 'u1', 'active', 'assigned', 0, 900, 0, NULL, NULL),
                    ('g1', 'n1', 'u2', 'active', 'assigned', 0, NULL, 0, 50, 'removed');",
    );
    let store = upgraded(&path, conn);
    let conn = store.conn();
    let kept = alerts::permanent_summary(conn.into(), true).unwrap();
    let counted = alerts::summary(conn.into(), alerts::PERMANENT, "a.rowid", &[], true).unwrap();
    assert_eq!(
        kept.0, 3,
        "the three standing ones, not the time-bound or the removed"
    );
    assert_eq!(kept, counted);
}

/// How SQLite reads each table of a role's holders query.
fn holders_plan(conn: &Connection) -> Vec<String> {
    let sql = format!("EXPLAIN QUERY PLAN {}", assignments::holders_sql());
    let mut stmt = conn.prepare(&sql).unwrap();
    stmt.query_map(
        rusqlite::named_params! {":role": "p1", ":role2": "p1", ":now": 10},
        |r| r.get::<_, String>(3),
    )
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn a_roles_holders_are_read_from_the_index_alone_after_an_upgrade_from_version_8() {
    let (_dir, path, conn) = at_version(
        8,
        "INSERT INTO roles (id, display_name, slug, description, privileged) VALUES
             ('p1', 'Priv', 'priv', '', 1);
         INSERT INTO users (id, upn, display_name, password_hash, created_at) VALUES
             ('u1', 'u1@contoso.onmicrosoft.com', 'U1', 'x', 0),
             ('u2', 'u2@contoso.onmicrosoft.com', 'U2', 'x', 0);
         INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, end_at, created_at)
             VALUES ('a1', 'p1', 'u1', 'active', 'assigned', 0, NULL, 0),
                    ('a2', 'p1', 'u2', 'eligible', 'assigned', 0, NULL, 0);",
    );
    let before = holders_plan(&conn);
    assert!(
        !before
            .iter()
            .any(|step| step.contains("COVERING INDEX assignments_current_counts")),
        "version 8 reads each assignment's row: {before:?}"
    );
    let store = upgraded(&path, conn);
    let after = holders_plan(store.conn());
    let assignment_reads: Vec<&String> = after
        .iter()
        .filter(|step| step.starts_with("SEARCH a ") || step.starts_with("SEARCH m "))
        .collect();
    assert_eq!(assignment_reads.len(), 3, "{after:?}");
    assert!(
        assignment_reads.iter().all(|step| step
            .contains("USING COVERING INDEX assignments_current_counts (role_id=? AND kind=?)")),
        "{after:?}"
    );
    let held =
        assignments::holders(store.conn().into(), &["p1"], crate::clock::from_unix(10)).unwrap();
    assert_eq!(
        held.iter().map(|p| p.upn.as_str()).collect::<Vec<_>>(),
        ["u1@contoso.onmicrosoft.com"],
        "the active holder, not the eligible one"
    );
}
