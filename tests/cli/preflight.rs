//! `--dry-run`: every policy check runs and pim says what would happen, or the refusal with
//! its rule; nothing changes (the database file is byte for byte the same, no audit row) and
//! no MFA code is asked for or spent.

use crate::common::Pim;

struct Lab {
    pim: Pim,
    admin: String,
    user: String,
}

fn lab() -> Lab {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    pim.login("pimuser").ok();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    pim.run_as(
        Some(&admin),
        &[
            "assign",
            "Security Reader",
            &user,
            "--type",
            "eligible",
            "--for",
            "10d",
            "--reason",
            "lab",
        ],
    )
    .ok();
    Lab { pim, admin, user }
}

/// Runs a dry run and checks that nothing at all changed.
#[track_caller]
fn dry(l: &Lab, as_upn: &str, args: &[&str], code: i32) -> crate::common::Run {
    let before = (l.pim.snapshot(), l.pim.audit_count());
    let bytes = l.pim.contents();
    let mut all = args.to_vec();
    all.push("--dry-run");
    let run = l.pim.run_as(Some(as_upn), &all);
    assert_eq!(run.code, code, "{args:?}: {}{}", run.stdout, run.stderr);
    assert_eq!(
        (l.pim.snapshot(), l.pim.audit_count()),
        before,
        "{args:?} changed something"
    );
    assert_eq!(l.pim.contents(), bytes, "{args:?}");
    run
}

#[test]
fn every_change_command_can_be_tried_first() {
    let l = lab();
    let (a, u) = (l.admin.as_str(), l.user.as_str());
    let approver = l.pim.upn("approver");
    let run = dry(
        &l,
        a,
        &[
            "assign",
            "Global Reader",
            &approver,
            "--type",
            "eligible",
            "--permanent",
            "--reason",
            "x",
        ],
        0,
    );
    assert!(
        run.stdout.starts_with("Dry run: nothing was changed"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Would e-mail:"), "{}", run.stdout);
    dry(
        &l,
        a,
        &[
            "assignments",
            "update",
            "Security Reader",
            u,
            "--for",
            "20d",
            "--reason",
            "x",
        ],
        0,
    );
    l.pim.run_as(Some(a), &["clock", "advance", "10m"]).ok();
    dry(&l, a, &["unassign", "Security Reader", u], 0);
    let run = dry(
        &l,
        u,
        &["extend", "Security Reader", "--reason", "longer"],
        0,
    );
    assert!(
        run.stdout.contains("Asked for an extension"),
        "{}",
        run.stdout
    );
    dry(
        &l,
        a,
        &[
            "extend",
            "Security Reader",
            "--user",
            u,
            "--for",
            "30d",
            "--reason",
            "x",
        ],
        0,
    );
    let json = dry(
        &l,
        u,
        &[
            "activate",
            "Security Reader",
            "--for",
            "2h",
            "--reason",
            "look",
            "--json",
        ],
        0,
    )
    .json();
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["mfa_required"], true);
    assert_eq!(json["assignment"]["role"], "Security Reader");
    let subjects: Vec<&str> = json["would_notify"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert!(
        subjects
            .iter()
            .any(|s| s.contains("Your Security Reader role is activated")),
        "{subjects:?}"
    );
    l.pim.run_as(Some(a), &["clock", "advance", "11d"]).ok();
    dry(
        &l,
        a,
        &[
            "renew",
            "Security Reader",
            "--user",
            u,
            "--for",
            "30d",
            "--reason",
            "x",
        ],
        0,
    );
}

#[test]
fn a_dry_run_names_the_refusal_and_leaves_no_trace() {
    let l = lab();
    let run = dry(
        &l,
        &l.user,
        &[
            "activate",
            "Security Reader",
            "--for",
            "9h",
            "--reason",
            "x",
        ],
        3,
    );
    assert!(
        run.stderr
            .contains("ExpirationRule: 9h exceeds the 8h maximum"),
        "{}",
        run.stderr
    );
    l.pim.login("approver").ok();
    let approver = l.pim.upn("approver");
    let run = dry(
        &l,
        &approver,
        &[
            "assign",
            "Security Reader",
            &approver,
            "--type",
            "active",
            "--for",
            "1d",
        ],
        3,
    );
    assert!(run.stderr.contains("AdminRequestRule"), "{}", run.stderr);
}

#[test]
fn a_dry_run_spends_no_code() {
    let l = lab();
    let code = l.pim.code("pimuser", 1);
    dry(
        &l,
        &l.user,
        &[
            "activate",
            "Security Reader",
            "--for",
            "1h",
            "--reason",
            "x",
            "--otp",
            &code,
        ],
        0,
    );
    l.pim
        .run_as(
            Some(&l.user),
            &[
                "activate",
                "Security Reader",
                "--for",
                "1h",
                "--reason",
                "x",
                "--otp",
                &code,
            ],
        )
        .ok();
}
