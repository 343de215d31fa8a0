//! Scenario packs: every built-in pack plays and holds its expectations; a class starts at a
//! step; a bad file is refused before anything runs; a failing expectation names its step.

use crate::common::Pim;

const PACKS: [&str; 8] = [
    "tutorial",
    "approval",
    "extend-renew",
    "expiry-emails",
    "alerts",
    "licence",
    "access-review",
    "groups",
];

#[test]
fn every_built_in_pack_holds_its_expectations() {
    let pim = Pim::new();
    let list = pim.run(&["scenario", "list", "--json"]).ok().json();
    let names: Vec<&str> = list["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, PACKS);
    for name in PACKS {
        let run = pim.run(&["scenario", "check", name]).ok();
        assert!(
            run.stdout.contains("steps passed"),
            "{name}: {}",
            run.stdout
        );
    }
    assert!(
        !pim.db.exists(),
        "a check never touches the user's database"
    );
}

#[test]
fn a_class_starts_at_phase_4() {
    let pim = Pim::new();
    let run = pim
        .run(&["scenario", "run", "tutorial", "--to", "phase-4"])
        .ok();
    assert!(!run.stdout.contains("[5/7]"), "phase 4 is not played");
    assert!(
        run.stdout.contains("Stopped before step phase-4"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("It is pimuser's turn: pim activate"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("password"),
        "the class gets the accounts"
    );
    // The lab is where phase 3 left it: pimuser eligible, nothing active, the admins e-mailed.
    let user = pim.upn("pimuser");
    let status = pim.run_as(Some(&user), &["status", "--json"]).ok().json();
    assert_eq!(status["eligible"][0]["role"], "Security Reader");
    assert_eq!(status["active"], serde_json::json!([]));
    let settings = pim
        .run_as(
            Some(&pim.upn("admin")),
            &["settings", "show", "Security Reader", "--json"],
        )
        .ok()
        .json();
    assert_eq!(
        settings["assignment"]["allow_permanent_active"], false,
        "{settings}"
    );

    // The same database again: only when asked, and only a lab.
    let before = pim.contents();
    pim.run(&["scenario", "run", "tutorial", "--to", "phase-4"])
        .fails(1, "--replace");
    assert_eq!(pim.contents(), before);
    if pim.pg {
        // On PostgreSQL the audit log cannot be deleted, so a scenario never replaces a lab.
        pim.run(&["scenario", "run", "tutorial", "--replace"])
            .fails(1, "on PostgreSQL a scenario never replaces a tenant");
        assert_eq!(pim.contents(), before);
        return;
    }
    pim.run(&["scenario", "run", "tutorial", "--replace"]).ok();
    let status = pim.run_as(Some(&user), &["status", "--json"]).ok().json();
    assert_eq!(
        status["eligible"],
        serde_json::json!([]),
        "phase 5 removed it"
    );
    pim.run(&["scenario", "run", "tutorial", "--to", "phase-9"])
        .fails(2, "its steps are phase-1, phase-2");
}

#[test]
fn a_scenario_never_replaces_a_real_tenant() {
    let pim = Pim::standard_tenant();
    let before = pim.contents();
    pim.run(&["scenario", "run", "tutorial", "--replace"])
        .fails(1, "not a training lab");
    assert_eq!(pim.contents(), before);
}

#[test]
fn a_bad_file_is_refused_before_anything_runs_and_a_failing_step_is_named() {
    let pim = Pim::new();
    let bad = pim.dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "title = \"Bad\"\n\n[[step]]\nid = \"one\"\ntitle = \"One\"\nactor = \"pimuser\"\nrun = \"activate --frobnicate\"\n",
    )
    .unwrap();
    let run = pim
        .run(&["scenario", "run", bad.to_str().unwrap()])
        .fails(2, "bad.toml:7: run: `pim activate --frobnicate`");
    assert!(run.stderr.contains("nothing was run"), "{}", run.stderr);
    assert!(!pim.db.exists());

    let failing = pim.dir.path().join("failing.toml");
    std::fs::write(
        &failing,
        "title = \"Failing\"\n\n[[step]]\nid = \"look\"\ntitle = \"Look\"\nactor = \"pimuser\"\nrun = \"status\"\n\n[[step]]\nid = \"wrong\"\ntitle = \"Wrong\"\nactor = \"pimuser\"\nrun = \"status\"\nexpect = { active = [\"Security Reader\"] }\n",
    )
    .unwrap();
    pim.run(&["scenario", "check", failing.to_str().unwrap()])
        .fails(1, "step 2 (wrong, line 9): expected pimuser's active roles [\"Security Reader\"], found []");
}
