//! Editing or deleting audit rows with plain SQL is found by `pim audit verify`, which names
//! the first bad entry.

use crate::common::Pim;

fn lab_with_history() -> Pim {
    let pim = Pim::sqlite_with_history();
    pim.run(&["audit", "verify"]).ok();
    pim
}

#[test]
fn the_triggers_stop_a_plain_update_or_delete() {
    let pim = lab_with_history();
    let conn = pim.sql();
    let err = conn
        .execute(
            "UPDATE audit SET justification = 'forged' WHERE seq = 3",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(conn.execute("DELETE FROM audit WHERE seq = 3", []).is_err());
}

#[test]
fn an_edited_entry_is_named() {
    let pim = lab_with_history();
    let target: i64 = pim
        .sql()
        .query_row(
            "SELECT seq FROM audit WHERE activity LIKE 'Add eligible member%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    pim.sql()
        .execute_batch(&format!(
            "DROP TRIGGER audit_no_update; UPDATE audit SET justification = 'nothing to see' WHERE seq = {target};"
        ))
        .unwrap();
    let run = pim
        .run(&["audit", "verify"])
        .fails(1, &format!("tampered with at entry #{target} "));
    assert!(
        run.stderr.contains("changed after it was written"),
        "{}",
        run.stderr
    );
    let json = pim.run(&["audit", "verify", "--json"]);
    assert_eq!(json.code, 1);
    assert_eq!(json.json()["first_bad"]["seq"], target);
}

#[test]
fn a_deleted_entry_is_found_at_the_next_one() {
    let pim = lab_with_history();
    pim.sql()
        .execute_batch("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 4;")
        .unwrap();
    pim.run(&["audit", "verify"])
        .fails(1, "tampered with at entry #5 ");
}

#[test]
fn a_recomputed_hash_without_the_chain_is_still_caught() {
    let pim = lab_with_history();
    // Someone edits a row and writes a new hash over it, but cannot fix every later link
    // without recomputing the whole chain.
    pim.sql()
        .execute_batch("DROP TRIGGER audit_no_update; UPDATE audit SET activity = 'Nothing happened', hash = prev_hash WHERE seq = 2;")
        .unwrap();
    pim.run(&["audit", "verify"])
        .fails(1, "tampered with at entry #2 ");
}
