//! Phases 1–5 of the walkthrough exactly as the README shows them, with two "terminals" (PIM_AS)
//! on one database and TOTP codes computed from the printed secrets.

use crate::common::Pim;

#[test]
fn phases_one_to_five_as_the_readme_shows_them() {
    let mut pim = Pim::new();
    pim.lab();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    let (a, u) = (Some(admin.as_str()), Some(user.as_str()));

    // Phase 1: the user signs in and has no roles.
    pim.login("pimuser").ok();
    let status = pim.run_as(u, &["status"]).ok();
    assert!(
        status.stdout.contains("Active roles\n  none"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("Eligible roles\n  none"),
        "{}",
        status.stdout
    );

    // Phase 2: the admin configures Security Reader.
    pim.login("admin").ok();
    let show = pim.run_as(a, &["settings", "show", "Security Reader"]).ok();
    assert!(
        show.stdout
            .contains("Activation maximum duration                   8h"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout
            .contains("Allow permanent active assignment             on")
    );
    pim.run_as(
        a,
        &[
            "settings",
            "set",
            "Security Reader",
            "--max-activation",
            "8h",
            "--require-mfa",
            "on",
            "--require-justification",
            "on",
            "--allow-permanent-eligible",
            "on",
            "--allow-permanent-active",
            "off",
        ],
    )
    .ok();
    let settings = pim
        .run_as(a, &["settings", "show", "security-reader", "--json"])
        .ok()
        .json();
    assert_eq!(settings["assignment"]["allow_permanent_active"], false);
    assert_eq!(settings["activation"]["max_activation"], "PT8H");
    pim.run_as(a, &["assign", "Security Reader", &user, "--type", "active", "--permanent", "--reason", "test"]).fails(
        3,
        "refused: ExpirationRule: permanent active assignment is not allowed for Security Reader; give --end or --for up to 180 days",
    );

    // Phase 3: the admin makes pimuser eligible; the admins get an e-mail.
    pim.run_as(
        a,
        &[
            "assign",
            "Security Reader",
            &user,
            "--type",
            "eligible",
            "--permanent",
            "--reason",
            "PIM lab",
        ],
    )
    .ok();
    let list = pim
        .run_as(a, &["assignments", "--role", "Security Reader", "--json"])
        .ok()
        .json();
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["principal"], user.as_str());
    assert_eq!(rows[0]["type"], "eligible");
    assert_eq!(rows[0]["end"], serde_json::Value::Null);
    let inbox = pim.run_as(a, &["inbox", "--json"]).ok().json();
    assert_eq!(
        inbox[0]["subject"],
        "PIM: Pim User is permanently eligible for the Security Reader role"
    );
    assert_eq!(inbox[0]["event"], "roleAssignmentAlert");
    assert_eq!(inbox[0]["to"], admin.as_str());

    // Phase 4: the user's view shows the role without a restart; activation is capped and needs MFA.
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert_eq!(status["eligible"][0]["role"], "Security Reader");
    pim.run_as(u, &["activate", "Security Reader", "--for", "9h", "--reason", "Reviewing sign-in logs"])
        .fails(3, "refused: ExpirationRule: 9h exceeds the 8h maximum activation for Security Reader; ask for 8h or less");
    pim.run_as(
        u,
        &[
            "activate",
            "Security Reader",
            "--for",
            "8h",
            "--reason",
            "Reviewing sign-in logs",
        ],
    )
    .fails(
        4,
        "MfaRule: activating Security Reader requires multi-factor authentication",
    );
    let fresh = pim.code("pimuser", 1);
    let reason = "Reviewing sign-in logs for compliance audit, ticket INC1234";
    let done = pim
        .run_as(
            u,
            &[
                "activate",
                "Security Reader",
                "--for",
                "8h",
                "--reason",
                reason,
                "--otp",
                &fresh,
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(done["request"]["action"], "selfActivate");
    assert_eq!(done["request"]["status"], "Provisioned");
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    let active = &status["active"][0];
    assert_eq!(active["role"], "Security Reader");
    assert_eq!(active["kind"], "activated");
    let start = chrono::DateTime::parse_from_rfc3339(active["start"].as_str().unwrap()).unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(active["end"].as_str().unwrap()).unwrap();
    assert_eq!(end - start, chrono::TimeDelta::hours(8));
    let inbox = pim.run_as(a, &["inbox", "--json"]).ok().json();
    let subjects: Vec<&str> = inbox
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [
            "PIM: Pim User has the Security Reader role",
            "PIM: Pim User is permanently eligible for the Security Reader role"
        ]
    );
    let mine = pim.run_as(u, &["inbox", "--json"]).ok().json();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .any(|m| m["subject"] == "PIM: Your Security Reader role is activated")
    );

    // Phase 5: the admin updates, is held off by the 5-minute floor, moves the lab clock, removes.
    pim.run_as(
        a,
        &[
            "assignments",
            "update",
            "Security Reader",
            &user,
            "--type",
            "active",
            "--for",
            "7d",
            "--reason",
            "On call this week",
        ],
    )
    .ok();
    pim.run_as(a, &["unassign", "Security Reader", &user])
        .fails(3, "refused: ActiveDurationTooShort");
    pim.run_as(a, &["clock", "advance", "10m"]).ok();
    pim.run_as(a, &["unassign", "Security Reader", &user]).ok();
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert!(status["active"].as_array().unwrap().is_empty());
    assert!(status["eligible"].as_array().unwrap().is_empty());

    let audit = pim
        .run_as(a, &["audit", "--json", "--limit", "200"])
        .ok()
        .json();
    let activities: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["activity"].as_str().unwrap(),
                r["result"].as_str().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("Update role setting in PIM", "success"),
        ("Add member to role in PIM requested (permanent)", "failure"),
        (
            "Add eligible member to role in PIM completed (permanent)",
            "success",
        ),
        ("Add member to role requested (PIM activation)", "failure"),
        ("Add member to role completed (PIM activation)", "success"),
        (
            "Update member in role in PIM completed (timebound)",
            "success",
        ),
        (
            "Remove member from role completed (PIM activation revoked)",
            "success",
        ),
        (
            "Remove member from role in PIM requested (timebound)",
            "failure",
        ),
        ("Lab clock moved", "success"),
        (
            "Remove member from role in PIM completed (timebound)",
            "success",
        ),
    ] {
        assert!(
            activities.contains(&expected),
            "missing {expected:?} in {activities:#?}"
        );
    }
    let activation = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["activity"] == "Add member to role completed (PIM activation)")
        .unwrap();
    assert_eq!(activation["justification"], reason);
    assert_eq!(activation["actor"], user.as_str());
    let verify = pim.run(&["audit", "verify"]).ok();
    assert!(
        verify.stdout.starts_with("The audit log is intact"),
        "{}",
        verify.stdout
    );
}

#[test]
fn the_lab_refuses_to_touch_other_databases_and_rebuilds_only_with_reset() {
    let mut pim = Pim::new();
    pim.lab();
    pim.run(&["lab"]).fails(1, "pim lab --reset");
    let before = pim.secret("admin");
    pim.lab_reset();
    assert_ne!(pim.secret("admin"), before);

    let other = Pim::sqlite();
    std::fs::write(&other.db, "not a database").unwrap();
    other
        .run(&["lab"])
        .fails(1, "is not a PIM Console database");
    assert_eq!(
        std::fs::read_to_string(&other.db).unwrap(),
        "not a database"
    );

    let standard = Pim::standard_tenant();
    standard
        .run(&["lab", "--reset"])
        .fails(1, "not a training lab");
    standard
        .run(&["clock", "advance", "1d"])
        .fails(4, "not signed in");
}

#[cfg(unix)]
#[test]
fn the_database_and_session_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mut pim = Pim::sqlite();
    pim.lab();
    pim.login("pimuser").ok();
    let mode = std::fs::metadata(&pim.db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let sessions = pim.dir.path().join("state/pim/sessions");
    let all: Vec<_> = std::fs::read_dir(&sessions)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for f in &all {
        assert_eq!(
            std::fs::metadata(f).unwrap().permissions().mode() & 0o777,
            0o600,
            "{}",
            f.display()
        );
    }
    let files: Vec<_> = all
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(
        std::fs::metadata(&sessions).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let token_hashes: i64 = pim
        .sql()
        .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(token_hashes, 1);
    let stored: String = pim
        .sql()
        .query_row("SELECT token_hash FROM sessions", [], |r| r.get(0))
        .unwrap();
    let file = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        !file.contains(&stored),
        "the file holds the token, the database only its hash"
    );
}

#[test]
fn without_a_terminal_the_console_exits_2_with_a_message() {
    let pim = Pim::new();
    let run = pim.run(&[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("terminal"), "{}", run.stderr);
}

#[test]
fn the_lab_authenticator_prints_the_codes_an_app_would_show() {
    let mut pim = Pim::new();
    pim.lab();
    let codes = pim.run(&["lab", "authenticator", "--json"]).ok().json();
    let admin = codes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["upn"] == "admin@pimlab.onmicrosoft.com")
        .unwrap();
    let shown = admin["code"].as_str().unwrap();
    assert!(
        shown == pim.code("admin", 0) || shown == pim.code("admin", -1),
        "the code of now (or of a moment ago)"
    );
    let text = pim.run(&["lab", "authenticator"]).ok();
    assert!(
        text.stdout.contains("pimuser@pimlab.onmicrosoft.com"),
        "{}",
        text.stdout
    );

    let standard = Pim::standard_tenant();
    standard.run(&["lab", "authenticator"]).fails(3, "LabOnly");
}
