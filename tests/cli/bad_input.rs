//! Bad input: each case gets its exit code and message, and the database does not change (a
//! policy refusal adds only its audit entry).

use crate::common::Pim;

struct Setup {
    pim: Pim,
    user: String,
    admin: String,
}

fn setup() -> Setup {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    pim.make_eligible(Some(&admin), "Security Reader", "pimuser")
        .ok();
    pim.login("pimuser").ok();
    Setup { pim, user, admin }
}

/// Runs one bad command and checks code, message, and that only a refusal's audit row appeared.
#[track_caller]
fn refused_without_change(s: &Setup, as_upn: &str, args: &[&str], code: i32, needle: &str) {
    let (before, audit_before) = (s.pim.snapshot(), s.pim.audit_count());
    s.pim.run_as(Some(as_upn), args).fails(code, needle);
    assert_eq!(s.pim.snapshot(), before, "state changed after {args:?}");
    let expected_audit = if code == 3 {
        audit_before + 1
    } else {
        audit_before
    };
    assert_eq!(
        s.pim.audit_count(),
        expected_audit,
        "audit rows after {args:?}"
    );
}

#[test]
fn bad_durations() {
    let s = setup();
    let code = s.pim.code("pimuser", 1);
    for (duration, exit, needle) in [
        ("0", 2, "'0' is not a duration"),
        ("-1h", 2, "'-1h' is negative"),
        (
            "25h",
            3,
            "refused: ExpirationRule: 25h exceeds the 8h maximum activation for Security Reader",
        ),
        ("9999999999h", 2, "'9999999999h' is too long"),
        ("abc", 2, "'abc' is not a duration"),
    ] {
        let arg = format!("--for={duration}");
        refused_without_change(
            &s,
            &s.user,
            &[
                "activate",
                "Security Reader",
                &arg,
                "--reason",
                "r",
                "--otp",
                &code,
            ],
            exit,
            needle,
        );
    }
    // The code survived every refusal: policy is checked before MFA.
    s.pim
        .run_as(
            Some(&s.user),
            &[
                "activate",
                "Security Reader",
                "--for",
                "1h",
                "--reason",
                "r",
                "--otp",
                &code,
            ],
        )
        .ok();
}

#[test]
fn bad_justifications() {
    let s = setup();
    let long = "x".repeat(10 * 1024);
    for (reason, exit, needle) in [
        (
            "",
            3,
            "refused: JustificationRule: Security Reader requires a justification",
        ),
        ("   ", 3, "refused: JustificationRule"),
        (long.as_str(), 2, "10240 characters long; at most 500"),
        (
            "ok\x1b]0;x\x07",
            2,
            "control character or terminal escape (\\u{1b} at character 3)",
        ),
    ] {
        refused_without_change(
            &s,
            &s.user,
            &[
                "activate",
                "Security Reader",
                "--for",
                "1h",
                "--reason",
                reason,
            ],
            exit,
            needle,
        );
    }
}

#[test]
fn unknown_names_and_malformed_values() {
    let s = setup();
    refused_without_change(
        &s,
        &s.user,
        &["activate", "No Such Role", "--for", "1h", "--reason", "r"],
        2,
        "no role named 'No Such Role'",
    );
    refused_without_change(
        &s,
        &s.admin,
        &[
            "assign",
            "Security Reader",
            "ghost@pimlab.onmicrosoft.com",
            "--type",
            "eligible",
            "--permanent",
        ],
        2,
        "no user 'ghost@pimlab.onmicrosoft.com'",
    );
    refused_without_change(
        &s,
        &s.admin,
        &[
            "assign",
            "Security Reader",
            &s.user,
            "--type",
            "eligible",
            "--end",
            "tomorrow",
        ],
        2,
        "not an RFC 3339 time",
    );
    refused_without_change(
        &s,
        &s.admin,
        &["assign", "Security Reader", &s.user, "--type", "eligible"],
        2,
        "say how long",
    );
    refused_without_change(
        &s,
        &s.admin,
        &[
            "settings",
            "set",
            "Security Reader",
            "--max-activation",
            "24h30m",
        ],
        3,
        "ExpirationRule: an activation maximum of 24h 30m (P1DT30M) is not allowed",
    );
    refused_without_change(
        &s,
        &s.admin,
        &[
            "settings",
            "set",
            "Security Reader",
            "--expire-active-after",
            "400d",
        ],
        2,
        "is not an expiry Entra takes",
    );
    refused_without_change(
        &s,
        &s.admin,
        &[
            "settings",
            "set",
            "Security Reader",
            "--notify-additional",
            "activation-admin=not-an-address",
        ],
        3,
        "NotificationRule",
    );
    refused_without_change(
        &s,
        &s.admin,
        &["settings", "set", "Security Reader"],
        2,
        "nothing to change",
    );
    refused_without_change(
        &s,
        &s.user,
        &["settings", "set", "Security Reader", "--require-mfa", "off"],
        3,
        "AdminRequestRule",
    );
}

#[test]
fn sql_metacharacters_are_stored_literally() {
    let s = setup();
    let name = "Robert'); DROP TABLE users;-- \" OR 1=1 %_";
    s.pim
        .run_as(
            Some(&s.admin),
            &[
                "users",
                "add",
                "o'brien+x@pimlab.onmicrosoft.com",
                "--display-name",
                name,
            ],
        )
        .ok();
    let users = s
        .pim
        .run_as(Some(&s.admin), &["users", "list", "--json"])
        .ok()
        .json();
    let found = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["upn"] == "o'brien+x@pimlab.onmicrosoft.com")
        .unwrap();
    assert_eq!(found["display_name"], name);
    assert_eq!(
        users.as_array().unwrap().len(),
        4,
        "the users table is still there, with every user"
    );
    let searched = s
        .pim
        .run_as(
            Some(&s.admin),
            &["users", "list", "--search", "%_", "--json"],
        )
        .ok()
        .json();
    assert_eq!(
        searched.as_array().unwrap().len(),
        1,
        "% and _ match literally"
    );
}

#[test]
fn wrong_codes_fail_with_exit_4_and_are_counted() {
    let s = setup();
    let before = s.pim.snapshot();
    s.pim
        .run_as(
            Some(&s.user),
            &[
                "activate",
                "Security Reader",
                "--for",
                "1h",
                "--reason",
                "r",
                "--otp",
                "000000",
            ],
        )
        .fails(4, "authentication failed: the code is not valid");
    let failures: i64 = s
        .pim
        .tables()
        .conn()
        .one(
            "SELECT failed_attempts FROM users WHERE upn = ?1",
            pim_console::args![&s.user],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failures, 1);
    let after = s.pim.snapshot();
    assert_eq!(
        before
            .iter()
            .filter(|r| r.starts_with("assignments"))
            .count(),
        after
            .iter()
            .filter(|r| r.starts_with("assignments"))
            .count()
    );
}
