//! `pim alerts fix`: an alert's fix from the command line, its dry run, and its refusals.

use crate::common::Pim;

fn lab() -> Pim {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    pim
}

#[test]
fn an_assignment_made_outside_pim_is_removed_by_the_fix_shown_first_by_a_dry_run() {
    let pim = lab();
    let user = pim.upn("pimuser");
    pim.run(&[
        "lab",
        "simulate",
        "outside-assignment",
        "Security Reader",
        &user,
    ])
    .ok();
    // Entra refuses removing an active assignment in its first five minutes; the fix does too,
    // and a refused attempt leaves the alert listing it.
    let refused = pim.run(&["alerts", "fix", "outside-pim"]).ok().stdout;
    assert!(refused.contains("ActiveDurationTooShort"), "{refused}");
    assert!(
        refused.contains("0 of 1 changed; the alert still lists 1."),
        "{refused}"
    );
    pim.run(&["clock", "advance", "6m"]).ok();
    let before = pim.snapshot();
    let dry = pim
        .run(&["alerts", "fix", "outside-pim", "--dry-run", "--json"])
        .ok()
        .json();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["alert"], "RolesAssignedOutsidePimAlert");
    assert_eq!(dry["changed"], 1);
    assert_eq!(dry["still_affected"], 0);
    let step = &dry["steps"][0];
    assert!(
        step["item"]
            .as_str()
            .unwrap()
            .starts_with("pimuser@pimlab.onmicrosoft.com holds Security Reader"),
        "{dry}"
    );
    assert_eq!(pim.snapshot(), before, "a dry run changes nothing");

    let out = pim.run(&["alerts", "fix", "outside-pim"]).ok().stdout;
    assert!(
        out.contains(
            "Fixing \"Roles are being assigned outside of Privileged Identity Management\""
        ),
        "{out}"
    );
    assert!(
        out.contains("changed  pimuser@pimlab.onmicrosoft.com holds Security Reader"),
        "{out}"
    );
    assert!(
        out.contains("1 of 1 changed; the alert lists nothing now."),
        "{out}"
    );
    let list = pim.run(&["alerts", "--json"]).ok().json();
    let outside = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["slug"] == "outside-pim")
        .unwrap();
    assert_eq!(outside["state"], "ok");
    let audit = pim
        .run(&["audit", "--activity", "Remediate PIM alert", "--json"])
        .ok()
        .json();
    let changed: Vec<&serde_json::Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["details"]["changed"])
        .collect();
    assert_eq!(
        changed,
        [1, 0],
        "newest first: the fix, and the attempt refused before it"
    );
    let verify = pim.run(&["audit", "verify", "--json"]).ok().json();
    assert_eq!(verify["intact"], true, "{verify}");
}

#[test]
fn the_last_global_administrator_is_left_and_said_why() {
    let pim = lab();
    let out = pim.run(&["alerts", "fix", "permanent-active"]).ok().stdout;
    assert!(
        out.contains("left     admin@pimlab.onmicrosoft.com holds Global Administrator as active, permanently: LastGlobalAdministratorRule:"),
        "{out}"
    );
    assert!(
        out.contains("0 of 1 changed; the alert still lists 1."),
        "{out}"
    );
}

#[test]
fn a_fix_that_does_not_apply_is_refused_and_changes_nothing() {
    let pim = lab();
    pim.login("pimuser").ok();
    let admin = pim.upn("admin");
    let a = Some(admin.as_str());
    let before = pim.snapshot();
    pim.run_as(a, &["alerts", "fix", "no-mfa"])
        .fails(3, "AlertRemediationRule: \"Roles don't require multifactor authentication for activation\" is not firing");
    pim.run_as(a, &["alerts", "fix", "too-many-global-admins", "--dry-run"])
        .fails(3, "has no automatic fix");
    pim.run_as(a, &["alerts", "fix", "no-such-alert"])
        .fails(2, "no alert 'no-such-alert'");
    pim.run_as(a, &["alerts", "fix", "permanent-active", "--for", "soon"])
        .fails(2, "soon");
    pim.run_as(
        Some(&pim.upn("pimuser")),
        &["alerts", "fix", "permanent-active"],
    )
    .fails(3, "AdminRequestRule");
    let after: Vec<String> = pim
        .snapshot()
        .into_iter()
        .filter(|row| !row.starts_with("sessions"))
        .collect();
    let before: Vec<String> = before
        .into_iter()
        .filter(|row| !row.starts_with("sessions"))
        .collect();
    assert_eq!(after, before);
}
