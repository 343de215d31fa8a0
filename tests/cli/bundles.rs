//! Several roles at once: `pim activate ROLE ROLE…` checks every role, asks for one code and
//! activates all or none; bundles keep such sets per account (`pim bundle save|list|delete`,
//! `pim activate --bundle NAME`).

use serde_json::Value;

use crate::common::{Pim, Run};

struct Lab {
    pim: Pim,
    user: String,
}

/// A lab with pimuser signed in and eligible for Security Reader and Exchange Administrator.
fn lab() -> Lab {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    pim.login("pimuser").ok();
    let admin = pim.upn("admin");
    for role in ["Security Reader", "Exchange Administrator"] {
        pim.make_eligible(Some(&admin), role, "pimuser").ok();
    }
    let user = pim.upn("pimuser");
    Lab { pim, user }
}

impl Lab {
    fn user(&self, args: &[&str]) -> Run {
        self.pim.run_as(Some(&self.user), args)
    }

    fn active(&self) -> Vec<String> {
        let v = self.user(&["status", "--json"]).ok().json();
        let mut roles: Vec<String> = v["active"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["role"].as_str().unwrap().to_owned())
            .collect();
        roles.sort();
        roles
    }

    /// Runs a command that must be refused with `code`, and checks that nothing changed but
    /// the audit log.
    #[track_caller]
    fn refused(&self, args: &[&str], code: i32, needles: &[&str]) -> Run {
        let before = self.pim.snapshot();
        let run = self.user(args);
        assert_eq!(run.code, code, "{args:?}: {}{}", run.stdout, run.stderr);
        for n in needles {
            assert!(run.stderr.contains(n), "{n:?} not in:\n{}", run.stderr);
        }
        let after = self.pim.snapshot();
        let changed: Vec<&String> = after.iter().filter(|r| !before.contains(r)).collect();
        assert!(
            changed.is_empty() && after.len() == before.len(),
            "{args:?} changed rows: {}",
            changed.len()
        );
        run
    }
}

#[test]
fn several_roles_activate_together_with_one_code() {
    let l = lab();
    let code = l.pim.code("pimuser", 1);
    let v = l
        .user(&[
            "activate",
            "Security Reader",
            "exchange-administrator",
            "--for",
            "2h",
            "--reason",
            "incident 42",
            "--otp",
            &code,
            "--json",
        ])
        .ok()
        .json();
    let all = v["activations"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["request"]["role"], "Security Reader");
    assert_eq!(all[1]["request"]["role"], "Exchange Administrator");
    for a in all {
        assert_eq!(a["request"]["justification"], "incident 42");
        assert_eq!(a["assignment"]["kind"], "activated");
    }
    assert_eq!(l.active(), ["Exchange Administrator", "Security Reader"]);
    // Both completed, from the one code given.
    let checks: i64 = l
        .pim
        .tables()
        .conn()
        .one("SELECT count(*) FROM audit WHERE activity = 'Add member to role completed (PIM activation)'", pim_console::args![], |r| r.get(0))
        .unwrap();
    assert_eq!(checks, 2);
}

#[test]
fn one_refused_role_activates_none_and_every_failure_is_named() {
    let l = lab();
    let code = l.pim.code("pimuser", 1);
    // Exchange Administrator and Security Reader both cap at 8h: each is named.
    let run = l.refused(
        &[
            "activate",
            "Security Reader",
            "Exchange Administrator",
            "--for",
            "9h",
            "--reason",
            "x",
            "--otp",
            &code,
        ],
        3,
        &[
            "ExpirationRule",
            "Security Reader",
            "Exchange Administrator",
        ],
    );
    assert_eq!(
        run.stderr.matches("ExpirationRule").count(),
        2,
        "{}",
        run.stderr
    );
    // One role the account is not eligible for stops the others.
    l.refused(
        &[
            "activate",
            "Security Reader",
            "Global Reader",
            "--for",
            "1h",
            "--reason",
            "x",
            "--otp",
            &code,
        ],
        3,
        &["EligibilityRule", "Global Reader"],
    );
    // A wrong code activates none of them (it counts as a failed sign-in attempt).
    let wrong = l.user(&[
        "activate",
        "Security Reader",
        "Exchange Administrator",
        "--for",
        "1h",
        "--reason",
        "x",
        "--otp",
        "000000",
    ]);
    assert_eq!(wrong.code, 4, "{}", wrong.stderr);
    assert!(wrong.stderr.contains("code"), "{}", wrong.stderr);
    assert!(l.active().is_empty());
    // A role named twice, or a role that does not exist: a usage error before any check.
    let audit = l.pim.audit_count();
    l.refused(
        &[
            "activate",
            "security-reader",
            "Security Reader",
            "--for",
            "1h",
            "--reason",
            "x",
        ],
        2,
        &["named twice"],
    );
    l.refused(
        &[
            "activate",
            "Security Reader",
            "No Such Role",
            "--for",
            "1h",
            "--reason",
            "x",
        ],
        2,
        &["no role named 'No Such Role'"],
    );
    assert_eq!(l.pim.audit_count(), audit);
    assert!(l.active().is_empty());
    // The code was never spent: it still activates both.
    l.user(&[
        "activate",
        "Security Reader",
        "Exchange Administrator",
        "--for",
        "1h",
        "--reason",
        "x",
        "--otp",
        &code,
    ])
    .ok();
    assert_eq!(l.active(), ["Exchange Administrator", "Security Reader"]);
}

#[test]
fn several_roles_can_be_tried_first() {
    let l = lab();
    let before = (l.pim.snapshot(), l.pim.audit_count());
    let bytes = l.pim.contents();
    let run = l
        .user(&[
            "activate",
            "Security Reader",
            "Exchange Administrator",
            "--for",
            "1h",
            "--reason",
            "x",
            "--dry-run",
        ])
        .ok();
    assert!(run.stdout.contains("Dry run"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Security Reader is active until"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Exchange Administrator is active until"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("A fresh code from the authenticator would be asked for.")
    );
    assert_eq!((l.pim.snapshot(), l.pim.audit_count()), before);
    assert_eq!(l.pim.contents(), bytes);
}

#[test]
fn bundles_are_saved_listed_used_and_deleted_per_account() {
    let l = lab();
    l.user(&["bundle", "list"]).ok();
    let run = l
        .user(&[
            "bundle",
            "save",
            "incident",
            "Security Reader",
            "exchange-administrator",
            "--for",
            "2h",
            "--reason",
            "incident response",
        ])
        .ok();
    assert!(
        run.stdout
            .contains("Saved bundle incident: Security Reader, Exchange Administrator.")
    );
    // A bundle may name a role the account is not eligible for yet: it says so.
    let run = l.user(&["bundle", "save", "reader", "Global Reader"]).ok();
    assert!(
        run.stdout.contains("not eligible for Global Reader"),
        "{}",
        run.stdout
    );
    let v: Value = l.user(&["bundle", "list", "--json"]).ok().json();
    let b = &v["bundles"][0];
    assert_eq!(b["name"], "incident");
    assert_eq!(
        b["roles"],
        serde_json::json!(["Security Reader", "Exchange Administrator"])
    );
    assert_eq!(b["duration"], "PT2H");
    assert_eq!(b["justification"], "incident response");
    assert_eq!(
        v["bundles"][1]["not_eligible"],
        serde_json::json!(["Global Reader"])
    );
    let text = l.user(&["bundle", "list"]).ok().stdout;
    assert!(
        text.contains("incident") && text.contains("incident response"),
        "{text}"
    );

    // Bad bundles change nothing.
    l.refused(
        &["bundle", "save", "bad name", "Security Reader"],
        2,
        &["bundle name"],
    );
    l.refused(
        &["bundle", "save", "x", "No Such Role"],
        2,
        &["no role named"],
    );
    l.refused(
        &["bundle", "save", "x", "Security Reader", "security-reader"],
        2,
        &["named twice"],
    );
    // An over-cap duration is the activation rule's refusal (exit 3), told at saving.
    l.refused(
        &["bundle", "save", "x", "Security Reader", "--for", "9h"],
        3,
        &[
            "ExpirationRule",
            "the 8h maximum activation for Security Reader",
            "--for 8h",
        ],
    );
    l.refused(&["bundle", "save", "x"], 2, &["ROLE"]);
    l.refused(
        &["activate", "--bundle", "nope", "--for", "1h"],
        2,
        &["no bundle named 'nope'"],
    );
    l.refused(
        &["activate", "--bundle", "reader"],
        2,
        &["keeps no duration"],
    );
    l.refused(
        &["activate", "Security Reader", "--bundle", "incident"],
        2,
        &["cannot be used with"],
    );

    // Another account does not see them.
    l.pim.login("approver").ok();
    let approver = l.pim.upn("approver");
    let v = l
        .pim
        .run_as(Some(&approver), &["bundle", "list", "--json"])
        .ok()
        .json();
    assert_eq!(v["bundles"], serde_json::json!([]));
    l.pim
        .run_as(Some(&approver), &["activate", "--bundle", "incident"])
        .fails(2, "no bundle named");

    // The bundle's duration and reason are used; the names are case-insensitive.
    let code = l.pim.code("pimuser", 1);
    let v = l
        .user(&["activate", "--bundle", "INCIDENT", "--otp", &code, "--json"])
        .ok()
        .json();
    let all = v["activations"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["request"]["justification"], "incident response");
    let start =
        chrono::DateTime::parse_from_rfc3339(all[0]["assignment"]["start"].as_str().unwrap())
            .unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(all[0]["assignment"]["end"].as_str().unwrap())
        .unwrap();
    assert_eq!(end - start, chrono::TimeDelta::hours(2));
    assert_eq!(l.active(), ["Exchange Administrator", "Security Reader"]);

    // Saving again replaces; delete removes.
    l.user(&[
        "bundle",
        "save",
        "incident",
        "Security Reader",
        "--for",
        "1h",
    ])
    .ok();
    let v = l.user(&["bundle", "list", "--json"]).ok().json();
    assert_eq!(
        v["bundles"][0]["roles"],
        serde_json::json!(["Security Reader"])
    );
    assert_eq!(v["bundles"][0]["justification"], Value::Null);
    let v = l
        .user(&["bundle", "delete", "incident", "--json"])
        .ok()
        .json();
    assert_eq!(v["deleted"], "incident");
    l.refused(&["bundle", "delete", "incident"], 2, &["no bundle named"]);
    let v = l.user(&["bundle", "list", "--json"]).ok().json();
    assert_eq!(v["bundles"].as_array().unwrap().len(), 1);
}

#[test]
fn a_lab_reset_clears_the_bundles_with_their_accounts() {
    let l = lab();
    l.user(&["bundle", "save", "ops", "Security Reader"]).ok();
    let admin = l.pim.upn("admin");
    l.pim.run_as(Some(&admin), &["lab", "--reset"]).ok();
    let count: i64 = l
        .pim
        .tables()
        .conn()
        .one("SELECT count(*) FROM bundles", pim_console::args![], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(count, 0);
}
