//! The audit log against its anchor: deleted newest entries, an emptied log, an older copy
//! put back and hand-edited assignments are all found; changes are refused until an
//! administrator re-anchors; checkpoints kept elsewhere; backup and restore as known rollbacks.

use crate::common::Pim;

fn sql(pim: &Pim, batch: &str) {
    pim.sql().execute_batch(batch).unwrap();
}

/// A change is refused with the anchor's message and changes nothing.
#[track_caller]
fn changes_are_refused(pim: &Pim) {
    let before = (pim.snapshot(), pim.audit_count());
    let refused = pim
        .make_eligible(None, "Global Reader", "pimuser")
        .fails(1, "does not match its anchor");
    assert_eq!(
        refused.stderr.matches("does not match its anchor").count(),
        1,
        "said once, as the reason for the refusal: {}",
        refused.stderr
    );
    assert_eq!((pim.snapshot(), pim.audit_count()), before);
    let read = pim.run(&["status"]).ok();
    assert!(
        read.stderr
            .contains("warning: the audit log does not match its anchor"),
        "reads go on with a warning: {}",
        read.stderr
    );
}

#[test]
fn deleting_the_newest_entries_is_found() {
    let pim = Pim::sqlite_with_history();
    let head = pim.audit_count();
    sql(
        &pim,
        &format!(
            "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq > {};",
            head - 2
        ),
    );
    let run = pim.run(&["audit", "verify"]).fails(
        1,
        &format!(
            "ends at entry #{}, but entry #{head} had been written",
            head - 2
        ),
    );
    assert!(run.stdout.contains("Hash chain: intact"), "{}", run.stdout);
    let json = pim.run(&["audit", "verify", "--json"]).json();
    assert_eq!(json["intact"], false);
    assert_eq!(json["anchor"]["problem"], "truncated");
    changes_are_refused(&pim);
}

#[test]
fn an_emptied_log_is_found() {
    let pim = Pim::sqlite_with_history();
    sql(&pim, "DROP TRIGGER audit_no_delete; DELETE FROM audit;");
    pim.run(&["audit", "verify"])
        .fails(1, "the audit log is empty, but");
    changes_are_refused(&pim);
}

#[test]
fn an_older_copy_put_back_is_found() {
    let pim = Pim::sqlite_with_history();
    // A copy by hand is of the file and its write-ahead log, where the latest changes may be.
    let wal = |db: &std::path::Path| db.with_extension("db-wal");
    let old = pim.dir.path().join("old.db");
    std::fs::copy(&pim.db, &old).unwrap();
    if wal(&pim.db).exists() {
        std::fs::copy(wal(&pim.db), wal(&old)).unwrap();
    }
    let user = pim.upn("pimuser");
    pim.run(&["unassign", "Security Reader", &user, "--type", "eligible"])
        .fails(3, "ActiveDurationTooShort");
    let _ = std::fs::remove_file(pim.db.with_extension("db-shm"));
    let _ = std::fs::remove_file(wal(&pim.db));
    std::fs::copy(&old, &pim.db).unwrap();
    if wal(&old).exists() {
        std::fs::copy(wal(&old), wal(&pim.db)).unwrap();
    }
    pim.run(&["audit", "verify"])
        .fails(1, "an older copy of the database was put back");
    // Replacing the anchor with one of another database is no way out either.
    let other = Pim::sqlite();
    let mut other = other;
    other.lab();
    std::fs::copy(
        other.db.with_extension("db.anchor"),
        pim.db.with_extension("db.anchor"),
    )
    .unwrap();
    pim.run(&["audit", "verify"])
        .fails(1, "the anchor belongs to another database");
}

#[test]
fn a_hand_edited_or_inserted_assignment_is_named() {
    let pim = Pim::sqlite_with_history();
    pim.run(&["audit", "verify"]).ok();
    sql(
        &pim,
        "UPDATE assignments SET kind = 'active' WHERE kind = 'eligible';",
    );
    let run = pim
        .run(&["audit", "verify"])
        .fails(1, "is not what the audited operations made it");
    assert!(
        run.stderr
            .contains("Security Reader for pimuser@pimlab.onmicrosoft.com"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("type is active, the log says eligible"),
        "{}",
        run.stderr
    );
    sql(
        &pim,
        "UPDATE assignments SET kind = 'eligible' WHERE role_id = '5d6b6bb7-de71-4623-b4af-96380a352509';
         INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, created_at)
         SELECT 'smuggled', '62e90394-69f5-4237-9190-012177145e10', id, 'active', 'assigned', 0, 0
         FROM users WHERE upn LIKE 'approver@%';",
    );
    let run = pim.run(&["audit", "verify", "--json"]);
    assert_eq!(run.code, 1);
    let mismatches = run.json()["assignments"]["mismatches"].clone();
    assert_eq!(mismatches.as_array().unwrap().len(), 1, "{mismatches}");
    assert_eq!(mismatches[0]["assignment_id"], "smuggled");
    assert_eq!(mismatches[0]["role"], "Global Administrator");
    assert!(
        mismatches[0]["problems"][0]
            .as_str()
            .unwrap()
            .contains("no audited operation made it")
    );
}

#[test]
fn a_checkpoint_kept_elsewhere_proves_the_log_still_extends_it() {
    let pim = Pim::sqlite_with_history();
    let cp = pim
        .run(&["audit", "checkpoint"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    assert!(cp.starts_with("pimcp1:"), "{cp}");
    let json = pim.run(&["audit", "checkpoint", "--json"]).ok().json();
    // The same head; only the time it was taken (to the second, last field) may differ.
    let head = |c: &str| c.rsplit_once(':').map(|(head, _)| head.to_owned());
    assert_eq!(
        head(json["checkpoint"].as_str().unwrap()),
        head(&cp),
        "{json}"
    );
    pim.run(&[
        "settings",
        "set",
        "Security Reader",
        "--require-ticket",
        "off",
    ])
    .ok();
    let run = pim.run(&["audit", "verify", "--checkpoint", &cp]).ok();
    assert!(
        run.stdout.contains("the log still extends entry #"),
        "{}",
        run.stdout
    );
    pim.run(&["audit", "verify", "--checkpoint", "pimcp1:nonsense"])
        .fails(2, "is not a checkpoint");
    // Someone rewrites the log and its anchor to hide the settings change: the chain and the
    // anchor agree again, but the checkpoint taken before does not.
    let seq: i64 = json["seq"].as_i64().unwrap();
    sql(
        &pim,
        &format!(
            "DROP TRIGGER audit_no_update; UPDATE audit SET hash = 'forged' || hash WHERE seq = {seq};"
        ),
    );
    pim.run(&["audit", "verify", "--checkpoint", &cp])
        .fails(1, "is not the one the checkpoint saw");
}

#[test]
fn only_an_administrator_reanchors_and_the_break_is_recorded() {
    let pim = Pim::sqlite_with_history();
    sql(
        &pim,
        "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit);",
    );
    let reason = "Disk restored from the nightly snapshot; see INC-77";
    pim.run_as(
        Some("nobody@pimlab.onmicrosoft.com"),
        &["audit", "reanchor", "--reason", reason],
    )
    .fails(4, "not signed in");
    pim.login("pimuser").ok();
    let user = pim.upn("pimuser");
    pim.run_as(Some(&user), &["audit", "reanchor", "--reason", reason])
        .fails(3, "AdminRequestRule");
    let admin = pim.upn("admin");
    pim.run_as(Some(&admin), &["audit", "reanchor", "--reason", " "])
        .fails(2, "--reason");
    let done = pim
        .run_as(Some(&admin), &["audit", "reanchor", "--reason", reason])
        .ok();
    assert!(
        done.stdout.contains("Recorded in the audit log"),
        "{}",
        done.stdout
    );
    pim.run(&["audit", "verify"]).ok();
    let entry = pim.run(&["audit", "--json", "--limit", "1"]).ok().json();
    assert_eq!(entry[0]["activity"], "Re-anchor audit log");
    assert_eq!(entry[0]["justification"], reason);
    assert!(
        entry[0]["details"]["problem"]
            .as_str()
            .unwrap()
            .contains("entry #")
    );
    let again = pim
        .run_as(Some(&admin), &["audit", "reanchor", "--reason", reason])
        .ok();
    assert!(
        again.stdout.contains("nothing to accept"),
        "{}",
        again.stdout
    );
}

#[test]
fn a_backup_is_consistent_while_others_write_and_restores_as_a_known_rollback() {
    let pim = Pim::sqlite_with_history();
    let backup = pim.dir.path().join("backup.db");
    // Another terminal keeps changing settings while the backup runs.
    let writer = {
        let mut c = pim.command(None, &[]);
        let script = format!(
            "for i in 1 2 3 4 5 6 7 8; do {pim} settings set 'Security Reader' --require-ticket on >/dev/null; {pim} settings set 'Security Reader' --require-ticket off >/dev/null; done",
            pim = env!("CARGO_BIN_EXE_pim")
        );
        c.args(["--version"]);
        let mut sh = std::process::Command::new("sh");
        sh.arg("-c").arg(script);
        for (k, v) in c.get_envs() {
            if let Some(v) = v {
                sh.env(k, v);
            }
        }
        sh.spawn().unwrap()
    };
    let run = pim.run(&["backup", backup.to_str().unwrap()]).ok();
    assert!(run.stdout.contains("Keep the key too"), "{}", run.stdout);
    let mut writer = writer;
    assert!(writer.wait().unwrap().success());
    pim.run(&["backup", backup.to_str().unwrap()])
        .fails(1, "already exists");
    let copy = pim
        .command(
            None,
            &[
                "--db",
                backup.to_str().unwrap(),
                "audit",
                "verify",
                "--json",
            ],
        )
        .output()
        .unwrap();
    let copy: serde_json::Value = serde_json::from_slice(&copy.stdout).unwrap();
    assert!(copy["verified"].as_i64().unwrap() > 5, "{copy}");
    assert!(
        copy["first_bad"].is_null(),
        "the copy's chain is whole: {copy}"
    );

    let notes = pim.dir.path().join("notes.txt");
    std::fs::write(&notes, "not a database").unwrap();
    let before = pim.snapshot();
    pim.run(&["restore", notes.to_str().unwrap()])
        .fails(1, "is not a PIM Console database");
    assert_eq!(pim.snapshot(), before);

    let user = pim.upn("pimuser");
    pim.login("pimuser").ok();
    pim.run_as(Some(&user), &["restore", backup.to_str().unwrap()])
        .fails(3, "AdminRequestRule");
    let admin = pim.upn("admin");
    let done = pim
        .run_as(
            Some(&admin),
            &["restore", backup.to_str().unwrap(), "--json"],
        )
        .ok()
        .json();
    let aside = done["kept_aside"].as_str().unwrap();
    assert!(std::path::Path::new(aside).exists());
    let verify = pim.run_as(Some(&admin), &["audit", "verify"]).ok();
    assert!(
        verify.stdout.starts_with("The audit log is intact"),
        "{}",
        verify.stdout
    );
    let last = pim
        .run_as(Some(&admin), &["audit", "--json", "--limit", "1"])
        .ok()
        .json();
    assert_eq!(last[0]["activity"], "Restore database from backup");
    assert_eq!(last[0]["actor"], admin.as_str());
}

#[test]
fn a_backup_elsewhere_needs_its_key_and_a_damaged_database_is_replaced() {
    let pim = Pim::sqlite_with_history();
    let backup = pim.dir.path().join("backup.db");
    pim.run(&["backup", backup.to_str().unwrap()]).ok();
    let elsewhere = Pim::sqlite();
    let target = elsewhere.db.to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        let mut all = vec!["--db", &target];
        all.extend_from_slice(args);
        elsewhere.run(&all)
    };
    run(&["restore", backup.to_str().unwrap()]).fails(1, "need the key of the database");
    assert!(!elsewhere.db.exists(), "nothing was created");
    std::fs::copy(
        pim.db.with_extension("db.key"),
        backup.with_extension("db.key"),
    )
    .unwrap();
    run(&["restore", backup.to_str().unwrap()]).ok();
    // The restored accounts sign in with their old authenticators.
    let code = pim.code("pimuser", 0);
    elsewhere
        .run_stdin(
            &[
                "--db",
                &target,
                "login",
                "--user",
                &pim.upn("pimuser"),
                "--password-stdin",
                "--otp",
                &code,
            ],
            &format!("{}\n", pim.password("pimuser")),
        )
        .ok();
    // A damaged database is replaced without a sign-in (nobody could sign in to it), kept aside.
    std::fs::write(&elsewhere.db, b"SQLite format 3\0 and then garbage").unwrap();
    let damaged = run(&["status"]);
    assert_eq!(damaged.code, 1, "{}", damaged.stderr);
    assert!(
        !damaged.stderr.contains("SELECT"),
        "no SQL in messages: {}",
        damaged.stderr
    );
    let restored = run(&["restore", backup.to_str().unwrap()]).ok();
    assert!(
        restored.stderr.contains("cannot be opened"),
        "{}",
        restored.stderr
    );
    run(&["audit", "verify"]).ok();
}
