//! Crashes at every durable write point: with `PIM_FAULT=N` (debug builds) the process aborts
//! at the N-th point it reaches (inside the transaction, at commit, around the anchor's atomic
//! replacement). For an assignment, an activation, an approval and a sweep, each N from 1 until
//! the operation completes: after the abort the database opens, the chain and the anchor
//! verify, and the operation happened completely or not at all. (Release builds have no fault
//! points, so these tests exist only in debug builds, as `cargo test` makes them.)

#![cfg(all(unix, debug_assertions))]

use std::os::unix::process::ExitStatusExt;
use std::path::Path;

use crate::common::Pim;

/// Rows of each state table and the audit log: before, after a complete run, after a crash.
fn counts(pim: &Pim) -> Vec<i64> {
    let conn = pim.sql();
    ["assignments", "requests", "emails", "audit"]
        .iter()
        .map(|t| {
            conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        })
        .collect()
}

/// The files a database's state is in: the write-ahead log is kept between processes, so the
/// latest changes may be there rather than in `lab.db`.
const FILES: [&str; 4] = ["lab.db", "lab.db-wal", "lab.db.key", "lab.db.anchor"];

fn keep(pim: &Pim, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in FILES {
        let _ = std::fs::remove_file(to.join(f));
        if pim.dir.path().join(f).exists() {
            std::fs::copy(pim.dir.path().join(f), to.join(f)).unwrap();
        }
    }
}

fn put_back(pim: &Pim, from: &Path) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(pim.dir.path().join(format!("lab.db{suffix}")));
    }
    for f in FILES {
        if from.join(f).exists() {
            std::fs::copy(from.join(f), pim.dir.path().join(f)).unwrap();
        }
    }
}

/// Runs `args` as `who` from the kept state with each fault point in turn, checking what is
/// left after each crash, until a run completes.
fn crash_everywhere(pim: &Pim, who: &str, args: &[&str]) {
    let kept = pim.dir.path().join("kept");
    keep(pim, &kept);
    let before = counts(pim);
    let as_upn = pim.upn(who);
    let complete = {
        let run = pim.run_as(Some(&as_upn), args);
        assert_eq!(run.code, 0, "{args:?} without a fault: {}", run.stderr);
        counts(pim)
    };
    assert_ne!(before, complete, "{args:?} changes something");
    for n in 1..200 {
        put_back(pim, &kept);
        let out = pim
            .command(Some(&as_upn), args)
            .env("PIM_FAULT", n.to_string())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            assert!(n > 1, "{args:?} reached no fault point");
            assert_eq!(counts(pim), complete);
            return;
        }
        assert_eq!(
            out.status.signal(),
            Some(6),
            "{args:?} with fault {n} ended otherwise: {stderr}"
        );
        let point = stderr
            .lines()
            .find_map(|l| l.strip_prefix("pim: fault injected at "))
            .unwrap_or("?")
            .to_owned();
        let verify = pim.run(&["audit", "verify"]);
        assert_eq!(
            verify.code, 0,
            "{args:?}, crash {n} at {point}: the log does not verify:\n{}{}",
            verify.stdout, verify.stderr
        );
        let doctor = pim.run(&["doctor"]);
        assert_eq!(
            doctor.code, 0,
            "{args:?}, crash {n} at {point}:\n{}",
            doctor.stdout
        );
        let now = counts(pim);
        assert!(
            now == before || now == complete,
            "{args:?}, crash {n} at {point}: half done: before {before:?}, complete {complete:?}, found {now:?}"
        );
    }
    panic!("{args:?} never completed");
}

fn prepared() -> Pim {
    let mut pim = Pim::sqlite();
    pim.lab();
    pim.login("admin").ok();
    pim.login("pimuser").ok();
    pim.login("approver").ok();
    let admin = pim.upn("admin");
    let user = pim.upn("pimuser");
    let approver = pim.upn("approver");
    let a = Some(admin.as_str());
    pim.run_as(
        a,
        &["settings", "set", "Security Reader", "--require-mfa", "off"],
    )
    .ok();
    pim.run_as(
        a,
        &[
            "settings",
            "set",
            "Global Reader",
            "--require-mfa",
            "off",
            "--require-approval",
            "on",
            "--approvers",
            &approver,
        ],
    )
    .ok();
    for role in ["Security Reader", "Global Reader"] {
        pim.run_as(
            a,
            &[
                "assign",
                role,
                &user,
                "--type",
                "eligible",
                "--for",
                "20d",
                "--reason",
                "crash tests",
            ],
        )
        .ok();
    }
    pim
}

#[test]
fn an_assignment_survives_a_crash_at_every_point() {
    let pim = prepared();
    let approver = pim.upn("approver");
    let args = [
        "assign",
        "Security Reader",
        &approver,
        "--type",
        "eligible",
        "--permanent",
    ];
    crash_everywhere(&pim, "admin", &args);
}

#[test]
fn an_activation_survives_a_crash_at_every_point() {
    let pim = prepared();
    crash_everywhere(
        &pim,
        "pimuser",
        &[
            "activate",
            "Security Reader",
            "--for",
            "1h",
            "--reason",
            "crash test",
        ],
    );
}

#[test]
fn an_approval_survives_a_crash_at_every_point() {
    let pim = prepared();
    let user = pim.upn("pimuser");
    let asked = pim
        .run_as(
            Some(&user),
            &[
                "activate",
                "Global Reader",
                "--for",
                "1h",
                "--reason",
                "please",
                "--json",
            ],
        )
        .ok()
        .json();
    let id = asked["request"]["id"].as_str().unwrap().to_owned();
    crash_everywhere(&pim, "approver", &["approve", &id, "--reason", "fine"]);
}

#[test]
fn a_sweep_survives_a_crash_at_every_point() {
    let pim = prepared();
    // Moving the lab clock three weeks passes the 14-day and 1-day reminders and the expiry of
    // both eligibilities: the sweep records all of it in the same transaction.
    crash_everywhere(&pim, "admin", &["clock", "advance", "21d"]);
}

/// Every index of the assignments and the log, as SQLite holds them.
fn indexes(pim: &Pim) -> Vec<(String, Option<String>)> {
    let conn = pim.sql();
    let mut st = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index'
               AND tbl_name IN ('assignments', 'audit') ORDER BY name",
        )
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Whether the schema as it stands is marked as checked (opens then skip the table check).
fn marked_checked(pim: &Pim) -> bool {
    let conn = pim.sql();
    let cookie: i64 = conn
        .query_row("PRAGMA schema_version", [], |r| r.get(0))
        .unwrap();
    let mark: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_checked'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    mark == cookie.to_string()
}

#[test]
fn a_seed_sets_its_indexes_aside_only_inside_its_own_transaction() {
    let mut pim = Pim::sqlite();
    pim.lab();
    pim.login("admin").ok();
    let admin = pim.upn("admin");
    let kept = pim.dir.path().join("kept");
    keep(&pim, &kept);
    let before = (counts(&pim), indexes(&pim));
    assert!(before.1.len() > 10, "{:?}", before.1);
    let args = [
        "lab",
        "seed",
        "--users",
        "2",
        "--assignments",
        "4",
        "--audit",
        "8",
    ];
    let complete = {
        pim.run_as(Some(&admin), &args).ok();
        counts(&pim)
    };
    assert_eq!(indexes(&pim), before.1, "built again as they were");
    assert!(
        marked_checked(&pim),
        "the tables stay marked checked, so opens skip the check"
    );
    for n in 1..400 {
        put_back(&pim, &kept);
        let out = pim
            .command(Some(&admin), &args)
            .env("PIM_FAULT", n.to_string())
            .output()
            .unwrap();
        if out.status.success() {
            assert!(n > 10, "the seed reached only {n} fault points");
            assert_eq!((counts(&pim), indexes(&pim)), (complete, before.1));
            return;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.signal(), Some(6), "fault {n}: {stderr}");
        // Whatever the crash interrupted, every index is there, as it was.
        assert_eq!(indexes(&pim), before.1, "crash {n}: {stderr}");
        let verify = pim.run(&["audit", "verify"]);
        assert_eq!(
            verify.code, 0,
            "crash {n}: {}{}",
            verify.stdout, verify.stderr
        );
        // The users may have been added; the assignments are all there or none.
        let now = counts(&pim);
        assert!(
            now[0] == before.0[0] || now[0] == complete[0],
            "crash {n}: {now:?} (before {:?}, complete {complete:?})",
            before.0
        );
    }
    panic!("the seed never completed");
}
