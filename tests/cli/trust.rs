//! The promises under pressure, as a user (or an attacker with a shell) would push on them:
//! lab and clock guards, the last administrator, hostile text, closed pipes, account resets.

use std::process::Stdio;

use crate::common::Pim;
use pim_console::policy::text::is_unsafe_to_show;

fn lab_signed_in() -> Pim {
    signed_in(Pim::new())
}

fn signed_in(mut pim: Pim) -> Pim {
    pim.lab();
    pim.login("admin").ok();
    pim
}

/// Runs one refused command and checks its code and message, and that the state tables did
/// not change.
#[track_caller]
fn refused(pim: &Pim, as_upn: Option<&str>, args: &[&str], code: i32, needle: &str) {
    let before = pim.snapshot();
    pim.run_as(as_upn, args).fails(code, needle);
    assert_eq!(pim.snapshot(), before, "state changed after {args:?}");
}

#[test]
fn lab_reset_and_the_clock_need_a_lab_administrator() {
    let mut pim = Pim::new();
    pim.lab();
    refused(&pim, None, &["lab", "--reset"], 4, "not signed in");
    refused(&pim, None, &["clock", "advance", "1d"], 4, "not signed in");
    pim.login("pimuser").ok();
    let user = pim.upn("pimuser");
    refused(
        &pim,
        Some(&user),
        &["lab", "--reset"],
        3,
        "AdminRequestRule",
    );
    for args in [
        &["clock", "advance", "1d"][..],
        &["clock", "set", "2030-01-01T00:00:00Z"],
        &["clock", "reset"],
    ] {
        refused(&pim, Some(&user), args, 3, "AdminRequestRule");
    }
    pim.login("admin").ok();
    let admin = pim.upn("admin");
    pim.run_as(Some(&admin), &["clock", "advance", "3d"]).ok();
    pim.run_as(Some(&user), &["logout"]).ok();
    let audit = pim.run_as(Some(&admin), &["audit", "--limit", "1"]).ok();
    assert!(
        audit.stdout.contains("User signed out") && audit.stdout.contains("(real time "),
        "{}",
        audit.stdout
    );
    let json = pim
        .run_as(Some(&admin), &["audit", "--json", "--limit", "1"])
        .ok()
        .json();
    assert!(json[0]["real_time"].is_string());
    assert_ne!(json[0]["real_time"], json[0]["time"]);
}

#[test]
fn the_lab_clock_stays_within_a_century_and_bad_times_change_nothing() {
    let pim = lab_signed_in();
    let admin = pim.upn("admin");
    for (args, needle) in [
        (&["clock", "set", "10099-01-01T00:00:00Z"][..], "RFC 3339"),
        (&["clock", "set", "9000-01-01T00:00:00Z"], "nothing changed"),
        (&["clock", "advance", "36501d"], "too long"),
        (
            &["clock", "set", "1900-01-01T00:00:00Z"],
            "outside the times pim accepts",
        ),
    ] {
        refused(&pim, Some(&admin), args, 2, needle);
    }
    pim.run_as(Some(&admin), &["clock", "advance", "36000d"])
        .ok();
    refused(
        &pim,
        Some(&admin),
        &["clock", "advance", "1000d"],
        2,
        "nothing changed",
    );
}

#[test]
fn a_damaged_clock_offset_does_not_stop_anything_and_reset_repairs_it() {
    let pim = lab_signed_in();
    pim.tables()
        .conn()
        .exec(
            "UPDATE tenant SET clock_offset = ?1",
            pim_console::args![i64::MAX],
        )
        .unwrap();
    let admin = pim.upn("admin");
    let shown = pim.run_as(Some(&admin), &["clock", "--json"]).ok().json();
    assert_eq!(shown["offset_seconds"], 0);
    pim.run_as(Some(&admin), &["status"]).ok();
    pim.run_as(Some(&admin), &["clock", "reset"]).ok();
    let stored: i64 = pim
        .tables()
        .conn()
        .one(
            "SELECT clock_offset FROM tenant",
            pim_console::args![],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0);
}

#[test]
fn the_last_permanent_global_admin_stays() {
    let pim = lab_signed_in();
    let admin = pim.upn("admin");
    let approver = pim.upn("approver");
    pim.run_as(
        Some(&admin),
        &[
            "assign",
            "Global Administrator",
            &approver,
            "--type",
            "active",
            "--for",
            "30d",
            "--reason",
            "cover",
        ],
    )
    .ok();
    pim.run_as(Some(&admin), &["clock", "advance", "10m"]).ok();
    for args in [
        &["unassign", "Global Administrator", &admin][..],
        &[
            "assignments",
            "update",
            "Global Administrator",
            &admin,
            "--for",
            "30d",
            "--reason",
            "tidy",
        ],
        &["users", "disable", &admin],
    ] {
        refused(
            &pim,
            Some(&admin),
            args,
            3,
            "LastGlobalAdministratorRule: this is the last permanent, active Global Administrator assignment",
        );
    }
    let run = pim.run_as(Some(&admin), &["unassign", "Global Administrator", &admin]);
    assert!(
        run.stderr
            .contains("make another account a permanent active Global Administrator first"),
        "{}",
        run.stderr
    );
}

#[test]
fn administrators_reset_disable_and_enable_accounts() {
    let pim = lab_signed_in();
    let admin = pim.upn("admin");
    let user = pim.upn("pimuser");
    pim.login("pimuser").ok();
    pim.run_as(Some(&user), &["users", "disable", &admin])
        .fails(3, "AdminRequestRule");
    let done = pim
        .run_as(Some(&admin), &["users", "disable", &user, "--json"])
        .ok()
        .json();
    assert_eq!(done["enabled"], false);
    assert_eq!(done["sessions_ended"], 1);
    pim.run_as(Some(&user), &["status"])
        .fails(4, "not signed in");
    let list = pim.run_as(Some(&admin), &["users", "list"]).ok();
    assert!(list.stdout.contains("DISABLED"), "{}", list.stdout);
    pim.run_as(Some(&admin), &["users", "enable", &user]).ok();

    let reset = pim
        .run_as(Some(&admin), &["users", "reset-password", &user, "--json"])
        .ok()
        .json();
    let password = reset["generated_password"].as_str().unwrap().to_owned();
    let mfa = pim
        .run_as(Some(&admin), &["users", "reset-mfa", &user, "--json"])
        .ok()
        .json();
    let secret = mfa["totp_secret"].as_str().unwrap();
    assert_ne!(secret, pim.secret("pimuser"));
    let now = {
        use pim_console::clock::{Clock, SystemClock};
        SystemClock.now().timestamp()
    };
    let code = pim_console::auth::totp::code_at(secret, now).unwrap();
    pim.run_stdin(
        &["login", "--user", &user, "--password-stdin", "--otp", &code],
        &format!("{password}\n"),
    )
    .ok();
    let audit = pim.run_as(Some(&admin), &["audit", "--user", &user]).ok();
    for activity in [
        "Disable account",
        "Enable account",
        "Reset user password",
        "Require re-register multifactor authentication",
    ] {
        assert!(
            audit.stdout.contains(activity),
            "{activity}: {}",
            audit.stdout
        );
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let pim = lab_signed_in();
    for args in [
        &["roles"][..],
        &["roles", "--json"],
        &["audit"],
        &["lab", "authenticator"],
    ] {
        let mut child = pim
            .command(None, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn text_from_the_database_is_never_printed_raw() {
    let pim = lab_signed_in();
    let admin = pim.upn("admin");
    let user = pim.upn("pimuser");
    pim.make_eligible(Some(&admin), "Security Reader", "pimuser")
        .ok();
    let hostile = "Pim\u{202E}resU\u{200B}\u{9b}2J\x1b]0;pwned\x07";
    let tables = pim.tables();
    let conn = tables.conn();
    conn.exec(
        "UPDATE users SET display_name = ?1 WHERE upn = ?2",
        pim_console::args![hostile, &user],
    )
    .unwrap();
    conn.exec(
        "UPDATE roles SET display_name = ?1 || display_name WHERE slug = 'security-reader'",
        pim_console::args!["\u{202E}"],
    )
    .unwrap();
    conn.exec(
        "UPDATE assignments SET justification = ?1",
        pim_console::args![hostile],
    )
    .unwrap();
    drop(tables);
    for args in [
        &["roles"][..],
        &["assignments"],
        &["users", "list"],
        &["settings", "show", "security-reader"],
        &["inbox"],
    ] {
        let run = pim.run_as(Some(&admin), args).ok();
        assert!(
            !run.stdout
                .chars()
                .any(|c| c != '\n' && is_unsafe_to_show(c)),
            "{args:?} printed raw text:\n{}",
            run.stdout
        );
        let json_args: Vec<&str> = args.iter().copied().chain(["--json"]).collect();
        let run = pim.run_as(Some(&admin), &json_args).ok();
        assert!(
            !run.stdout
                .chars()
                .any(|c| c != '\n' && is_unsafe_to_show(c)),
            "{json_args:?} printed raw text:\n{}",
            run.stdout
        );
        run.json();
    }
    let users = pim.run_as(Some(&admin), &["users", "list", "--json"]).ok();
    assert!(users.stdout.contains("\\u202e"), "{}", users.stdout);
    let names: Vec<String> = users
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["display_name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        names.iter().any(|n| n == hostile),
        "JSON parses back to the stored text"
    );
    let human = pim.run_as(Some(&admin), &["assignments"]).ok();
    assert!(human.stdout.contains("\\u{202e}"), "{}", human.stdout);
}

#[test]
fn a_huge_user_name_at_sign_in_leaves_a_small_audit_entry() {
    let pim = lab_signed_in();
    let huge = "x".repeat(120 * 1024);
    let before = pim.snapshot();
    pim.run_stdin(
        &[
            "login",
            "--user",
            &huge,
            "--password-stdin",
            "--otp",
            "123456",
        ],
        "whatever password\n",
    )
    .fails(4, "wrong user name or password");
    assert_eq!(pim.snapshot(), before);
    let (target, size): (String, i64) = pim
        .tables()
        .conn()
        .one(
            "SELECT target, length(target) + length(details) FROM audit ORDER BY seq DESC LIMIT 1",
            pim_console::args![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(size < 2_000, "the entry holds {size} characters");
    assert!(target.ends_with("more characters)"), "{target}");
}

#[test]
fn readers_answer_while_another_terminal_holds_the_write_lock() {
    let pim = lab_signed_in();
    let admin = pim.upn("admin");
    let user = pim.upn("pimuser");
    pim.run_as(
        Some(&admin),
        &[
            "assign",
            "Security Reader",
            &user,
            "--type",
            "eligible",
            "--for",
            "2d",
            "--reason",
            "short",
        ],
    )
    .ok();
    pim.login("pimuser").ok();
    // The eligibility's 1-day reminder and its expiry are due: a sweep has work to do.
    pim.run_as(Some(&admin), &["clock", "advance", "3d"]).ok();
    let tables = pim.tables();
    let writer = tables.conn();
    // Another terminal in the middle of a change: it holds the write lock.
    writer
        .batch(&if pim.pg {
            format!(
                "BEGIN; SELECT pg_advisory_xact_lock({})",
                pim_console::store::pg::WRITE_LOCK
            )
        } else {
            "BEGIN IMMEDIATE".to_owned()
        })
        .unwrap();
    for (who, args) in [
        (&user, &["status"][..]),
        (&user, &["inbox"]),
        (&admin, &["assignments"]),
        (&admin, &["audit", "--limit", "5"]),
        (&admin, &["requests"]),
        (&admin, &["alerts"]),
        (&admin, &["whoami"]),
    ] {
        let run = pim.run_as(Some(who), args);
        assert_eq!(run.code, 0, "{args:?} while locked: {}", run.stderr);
    }
    writer.batch("ROLLBACK").unwrap();
    // Once the lock is free, the next reader catches up: the expiry e-mail is there.
    let inbox = pim.run_as(Some(&user), &["inbox"]).ok();
    assert!(inbox.stdout.contains("expired"), "{}", inbox.stdout);
}

#[test]
fn a_copied_database_alone_yields_no_second_factor() {
    let mut pim = Pim::sqlite();
    let lab = pim.lab();
    pim.login("admin").ok();
    for account in lab["accounts"].as_array().unwrap() {
        let secret = account["totp_secret"].as_str().unwrap();
        for file in [pim.db.clone(), pim.db.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{} holds a TOTP secret in the clear",
                    file.display()
                );
            }
        }
    }
    // The thief copies the database file (only) and tries to sign in with the password.
    let thief = Pim::sqlite();
    std::fs::copy(&pim.db, &thief.db).unwrap();
    let code = pim.code("pimuser", 0);
    let run = thief
        .run_stdin(
            &[
                "login",
                "--user",
                &pim.upn("pimuser"),
                "--password-stdin",
                "--otp",
                &code,
            ],
            &format!("{}\n", pim.password("pimuser")),
        )
        .fails(
            1,
            "the key that seals this database's authenticator secrets is missing",
        );
    assert!(run.stderr.contains("lab.db.key"), "{}", run.stderr);
}

#[test]
fn a_sealed_secret_moved_to_another_account_does_not_open() {
    let pim = lab_signed_in();
    let user = pim.upn("pimuser");
    let approver = pim.upn("approver");
    // Someone with the file copies their own sealed secret over the victim's.
    pim.tables()
        .conn()
        .exec("UPDATE users SET totp_sealed = (SELECT totp_sealed FROM users WHERE upn = ?1) WHERE upn = ?2", pim_console::args![&user, &approver])
        .unwrap();
    let code = pim.code("pimuser", 0);
    pim.run_stdin(
        &[
            "login",
            "--user",
            &approver,
            "--password-stdin",
            "--otp",
            &code,
        ],
        &format!("{}\n", pim.password("approver")),
    )
    .fails(4, "cannot be read");
    let audit = pim.run(&["audit", "--failures", "--limit", "1"]).ok();
    assert!(
        audit
            .stdout
            .contains("stored authenticator secret does not open"),
        "{}",
        audit.stdout
    );
}

#[test]
fn a_clock_behind_the_newest_time_seen_is_refused_until_accepted() {
    let pim = lab_signed_in();
    let ahead = {
        use pim_console::clock::{Clock, SystemClock};
        SystemClock.now().timestamp() + 86_400
    };
    // The database saw a time a day ahead (a clock that ran fast, since put right).
    pim.tables()
        .conn()
        .exec(
            "UPDATE meta SET value = ?1 WHERE key = 'real_time_mark'",
            pim_console::args![ahead.to_string()],
        )
        .unwrap();
    let before = pim.snapshot();
    let code = pim.code("pimuser", 0);
    pim.run_stdin(
        &[
            "login",
            "--user",
            &pim.upn("pimuser"),
            "--password-stdin",
            "--otp",
            &code,
        ],
        &format!("{}\n", pim.password("pimuser")),
    )
    .fails(1, "the clock went back by");
    assert_eq!(pim.snapshot(), before);
    let doctor = pim.run(&["doctor"]).fails(1, "1 problem");
    assert!(
        doctor.stdout.contains("PROBLEM  Clocks"),
        "{}",
        doctor.stdout
    );
    let accepted = pim.run(&["doctor", "--accept-clock"]).ok();
    assert!(
        accepted.stdout.contains("Accepted the system clock"),
        "{}",
        accepted.stdout
    );
    assert!(
        accepted.stdout.contains("Nothing is wrong."),
        "{}",
        accepted.stdout
    );
    pim.run_stdin(
        &[
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
    let admin = pim.upn("admin");
    let audit = pim
        .run_as(
            Some(&admin),
            &["audit", "--activity", "Accept system clock"],
        )
        .ok();
    assert!(
        audit.stdout.contains("Accept system clock"),
        "{}",
        audit.stdout
    );
}

#[test]
fn doctor_reports_every_check_and_names_problems() {
    // The file's own checks (directory, permissions, SQLite's integrity): see `teams` for a
    // server's.
    let pim = signed_in(Pim::sqlite());
    let json = pim.run(&["doctor", "--json"]).ok().json();
    assert_eq!(json["healthy"], true);
    let names: Vec<&str> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for expected in [
        "Directory",
        "Database",
        "Key",
        "Anchor",
        "Schema",
        "Integrity",
        "Foreign keys",
        "Audit chain",
        "Audit anchor",
        "Assignments",
        "Clocks",
        "Sessions",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    pim.sql()
        .execute_batch("PRAGMA foreign_keys = OFF; UPDATE assignments SET principal_id = 'ghost';")
        .unwrap();
    let run = pim.run(&["doctor"]).fails(1, "problem");
    assert!(
        run.stdout.contains("PROBLEM  Foreign keys"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("PROBLEM  Assignments"),
        "{}",
        run.stdout
    );
}

#[test]
fn repeated_lockouts_last_longer_and_administrators_see_them() {
    let pim = lab_signed_in();
    let user = pim.upn("pimuser");
    let fail = |times: usize| {
        for _ in 0..times {
            pim.run_stdin(
                &[
                    "login",
                    "--user",
                    &user,
                    "--password-stdin",
                    "--otp",
                    "000000",
                ],
                "not the password\n",
            );
        }
    };
    let locked_for = || -> i64 {
        pim.tables()
            .conn()
            .one::<i64>(
                "SELECT locked_until FROM users WHERE upn = ?1",
                pim_console::args![&user],
                |r| r.get(0),
            )
            .unwrap()
            - pim_console::clock::Clock::now(&pim_console::clock::SystemClock).timestamp()
    };
    fail(5);
    let first = locked_for();
    assert!((14 * 60..=15 * 60).contains(&first), "{first}");
    // The lock runs out (its end is moved into the past), and five more failures lock again.
    pim.tables()
        .conn()
        .exec(
            "UPDATE users SET locked_until = 1 WHERE upn = ?1",
            pim_console::args![&user],
        )
        .unwrap();
    fail(5);
    let second = locked_for();
    assert!(
        (29 * 60..=30 * 60).contains(&second),
        "twice as long: {second}"
    );
    let list = pim.run(&["users", "list"]).ok();
    assert!(
        list.stdout.contains("locked 2 times in a row"),
        "{}",
        list.stdout
    );
    let json = pim.run(&["users", "list", "--json"]).ok().json();
    let row = json
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["upn"] == user.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["lockouts"], 2);
    pim.run(&["users", "unlock", &user]).ok();
    let after = pim.run(&["users", "list", "--json"]).ok().json();
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["upn"] == user.as_str() && u["lockouts"] == 0)
    );
}
