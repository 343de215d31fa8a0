//! Role policies as Graph JSON: export, import into a fresh lab, export again byte for byte;
//! each rule alone as a PATCH body; Microsoft's own example; bad files refused with the rule
//! and field and nothing changed; drift with `--exit-code`.

use serde_json::{Value, json};

use crate::common::Pim;

fn admin_lab() -> Pim {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    pim
}

fn write(pim: &Pim, name: &str, doc: &Value) -> String {
    let path = pim.dir.path().join(name);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path.to_str().unwrap().to_owned()
}

/// A lab whose Security Reader policy differs from Entra's defaults in every tab.
fn customised() -> Pim {
    let pim = admin_lab();
    pim.run(&[
        "settings",
        "set",
        "Security Reader",
        "--max-activation",
        "1h45m",
        "--require-ticket",
        "on",
        "--require-approval",
        "on",
        "--approvers",
        &pim.upn("approver"),
        "--expire-eligible-after",
        "270d",
        "--allow-permanent-active",
        "off",
        "--require-mfa-on-eligible",
        "on",
        "--notify-default",
        "activation-admin=off",
        "--notify-additional",
        "activation-admin=soc@contoso.com",
        "--notify-critical-only",
        "eligible-assignee=on",
    ])
    .ok();
    pim
}

#[test]
fn export_import_into_a_fresh_lab_and_export_again_is_byte_identical() {
    let a = customised();
    let exported = a.run(&["settings", "export", "--all"]).ok().stdout;
    let b = admin_lab();
    let file = write(
        &b,
        "policies.json",
        &serde_json::from_str(&exported).unwrap(),
    );
    let diff = b.run(&["settings", "diff", &file, "--exit-code"]);
    assert_eq!(diff.code, 1, "{}", diff.stdout);
    let line = diff
        .stdout
        .lines()
        .find(|l| l.contains("Expiration_EndUser_Assignment"))
        .unwrap_or_default();
    assert!(
        line.contains("maximumDuration")
            && line.contains("\"PT1H45M\"")
            && line.contains("\"PT8H\""),
        "{}",
        diff.stdout
    );
    b.run(&["settings", "import", &file]).ok();
    let again = b.run(&["settings", "export", "--all"]).ok().stdout;
    assert_eq!(again, exported);
    let none = b.run(&["settings", "diff", &file, "--exit-code"]).ok();
    assert!(none.stdout.contains("No drift"), "{}", none.stdout);
    let audit = b
        .run(&[
            "audit",
            "--json",
            "--activity",
            "Update role setting in PIM",
            "--limit",
            "1",
        ])
        .ok()
        .json();
    assert_eq!(audit[0]["role"], "Security Reader");
    assert_eq!(audit[0]["details"]["source"], "import");
}

#[test]
fn each_rule_alone_as_a_patch_body_applies_only_itself() {
    let a = customised();
    let policy = a
        .run(&["settings", "export", "Security Reader"])
        .ok()
        .json();
    let b = admin_lab();
    for rule in policy["rules"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let file = write(&b, "rule.json", rule);
        // Without a role the rule is not applied anywhere.
        b.run(&["settings", "import", &file])
            .fails(2, "give --role ROLE");
        let done = b
            .run(&[
                "settings",
                "import",
                &file,
                "--role",
                "Security Reader",
                "--json",
            ])
            .ok()
            .json();
        assert_eq!(done["roles"][0]["role"], "Security Reader", "{id}");
        let now = b
            .run(&["settings", "export", "Security Reader"])
            .ok()
            .json();
        let same = now["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap();
        assert_eq!(same, rule, "{id} applied as it was");
    }
    let now = b
        .run(&["settings", "export", "Security Reader"])
        .ok()
        .json();
    assert_eq!(now["rules"], policy["rules"], "all 17 rules one by one");
}

#[test]
fn microsofts_example_response_imports_as_entras_defaults() {
    let pim = customised();
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/list-rules-directoryrole-response.json"
    );
    pim.run(&["settings", "import", example, "--role", "security-reader"])
        .ok();
    let shown = pim
        .run(&["settings", "show", "Security Reader", "--json"])
        .ok()
        .json();
    let defaults = pim
        .run(&["settings", "show", "Global Reader", "--json"])
        .ok()
        .json();
    for tab in ["activation", "assignment", "notifications"] {
        assert_eq!(shown[tab], defaults[tab], "{tab}");
    }
}

#[test]
fn bad_files_are_refused_with_the_rule_and_field_and_change_nothing() {
    let pim = customised();
    let policy = pim
        .run(&["settings", "export", "Security Reader"])
        .ok()
        .json();
    let rules = policy["rules"].as_array().unwrap().clone();
    let with = |index: usize, field: &str, value: Value| {
        let mut doc = policy.clone();
        let mut rule = rules[index].clone();
        let mut at = &mut rule;
        let parts: Vec<&str> = field.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            at = match p.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*p],
            };
        }
        at[parts[parts.len() - 1]] = value;
        doc["rules"][index] = rule;
        doc
    };
    let cases = [
        (
            with(10, "maximumDuration", json!("PT25H")),
            3,
            "ExpirationRule: Security Reader: Expiration_EndUser_Assignment.maximumDuration",
        ),
        (
            with(0, "maximumDuration", json!("P400D")),
            3,
            "Expiration_Admin_Eligibility.maximumDuration: P400D is not whole days from P1D to P365D",
        ),
        (
            with(10, "maximumDuration", json!("eight hours")),
            2,
            "Expiration_EndUser_Assignment.maximumDuration: 'eight hours' is not an ISO 8601 duration",
        ),
        (
            with(10, "id", json!("Expiration_Everyone")),
            2,
            "Expiration_Everyone.id: is not one of the 17 rule ids",
        ),
        (
            with(12, "setting.approvalMode", json!("Serial")),
            3,
            "ApprovalRule: Security Reader: Approval_EndUser_Assignment.setting.approvalMode",
        ),
        (
            with(
                12,
                "setting.approvalStages.0.primaryApprovers",
                json!([{"@odata.type": "#microsoft.graph.singleUser", "userId": "7b1e9c3a-0000-0000-0000-000000000000", "description": "ghost@pimlab.onmicrosoft.com"}]),
            ),
            2,
            "primaryApprovers: no user with id 7b1e9c3a-0000-0000-0000-000000000000 (or UPN ghost@pimlab.onmicrosoft.com)",
        ),
        (
            with(13, "isEnabled", json!(true)),
            2,
            "AuthenticationContext_EndUser_Assignment.claimValue",
        ),
        (
            // The role still requires MFA on activation: both at once is Entra's conflict.
            {
                let mut doc = with(13, "isEnabled", json!(true));
                doc["rules"][13]["claimValue"] = json!("c1");
                doc
            },
            3,
            "MfaAndAcrsConflict",
        ),
        (
            with(2, "notificationRecipients", json!(["not-an-address"])),
            2,
            "'not-an-address' is not an e-mail address",
        ),
    ];
    for (doc, code, needle) in cases {
        let file = write(&pim, "bad.json", &doc);
        let before = (pim.snapshot(), pim.audit_count());
        let run = pim.run(&["settings", "import", &file]).fails(code, needle);
        let audits = if code == 3 { 1 } else { 0 };
        assert_eq!(pim.snapshot(), before.0, "{needle}: {}", run.stderr);
        assert_eq!(pim.audit_count(), before.1 + audits, "{needle}");
    }
    // Two roles in one file, the second one bad: the first is not applied either.
    let mut good = policy.clone();
    good["id"] = json!("DirectoryRole_x_f2ef992c-3afb-46b9-b7cf-a126ee74c451");
    let bad = with(10, "maximumDuration", json!("PT25H"));
    let file = write(&pim, "two.json", &json!({"value": [good, bad]}));
    let before = pim.snapshot();
    pim.run(&["settings", "import", &file])
        .fails(3, "25h (P1DT1H)");
    assert_eq!(pim.snapshot(), before);
    let not_json = pim.dir.path().join("broken.json");
    std::fs::write(&not_json, "{\"rules\": [").unwrap();
    pim.run(&["settings", "import", not_json.to_str().unwrap()])
        .fails(2, "broken.json:1:");
}

#[test]
fn a_dry_run_changes_nothing_and_only_administrators_import() {
    let a = customised();
    let exported = a.run(&["settings", "export", "--all"]).ok().json();
    let b = admin_lab();
    let file = write(&b, "all.json", &exported);
    let db = b.contents();
    let (before, audits) = (b.snapshot(), b.audit_count());
    let dry = b.run(&["settings", "import", &file, "--dry-run"]).ok();
    assert!(
        dry.stdout.contains("Security Reader: would change"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("nothing was changed"), "{}", dry.stdout);
    assert_eq!((b.snapshot(), b.audit_count()), (before, audits));
    assert_eq!(b.contents(), db, "the file is byte for byte the same");
    b.login("pimuser").ok();
    let user = b.upn("pimuser");
    b.run_as(Some(&user), &["settings", "import", &file])
        .fails(3, "AdminRequestRule");
}
