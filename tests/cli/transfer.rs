//! `pim assignments export` and `pim assignments import`: Graph schedules out, Graph schedule
//! requests or a CSV in, checked in full first and applied all or nothing.

use serde_json::{Value, json};

use crate::common::{Pim, Run};

const ATTRIBUTE_DEFINITION_ADMIN: &str = "8424c6f0-a189-499e-bbd0-26c1753c96d4";
const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";

struct Lab {
    pim: Pim,
    admin: String,
}

/// A lab with the admin signed in and three more accounts: alice, bob, carol.
fn lab() -> Lab {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    let admin = pim.upn("admin");
    for who in ["alice", "bob", "carol"] {
        pim.run_as(
            Some(&admin),
            &["users", "add", &pim.upn(who), "--display-name", who],
        )
        .ok();
    }
    Lab { pim, admin }
}

impl Lab {
    fn admin(&self, args: &[&str]) -> Run {
        self.pim.run_as(Some(&self.admin), args)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.pim.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn user_id(&self, who: &str) -> String {
        let v = self.admin(&["users", "list", "--json"]).ok().json();
        v.as_array()
            .unwrap()
            .iter()
            .find(|u| u["upn"] == self.pim.upn(who))
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .unwrap()
    }

    /// (role, upn, type, end) of every current assignment, sorted.
    fn assignments(&self) -> Vec<(String, String, String, Option<String>)> {
        let v = self
            .admin(&["assignments", "--json", "--limit", "1000"])
            .ok()
            .json();
        let mut out: Vec<_> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["role"].as_str().unwrap().to_owned(),
                    a["principal"].as_str().unwrap().to_owned(),
                    a["type"].as_str().unwrap().to_owned(),
                    a["end"].as_str().map(str::to_owned),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Runs an import that must fail with `code`, naming `needles`, with nothing changed.
    #[track_caller]
    fn rejected(&self, args: &[&str], code: i32, needles: &[&str]) -> Run {
        let before = (self.pim.snapshot(), self.pim.audit_count());
        let run = self.admin(args);
        assert_eq!(run.code, code, "{args:?}:\n{}{}", run.stdout, run.stderr);
        let all = format!("{}{}", run.stdout, run.stderr);
        for n in needles {
            assert!(all.contains(n), "{n:?} not in:\n{all}");
        }
        assert!(
            (self.pim.snapshot(), self.pim.audit_count()) == before,
            "{args:?} changed something"
        );
        run
    }
}

#[test]
fn a_team_is_assigned_from_a_csv_and_one_bad_row_applies_nothing() {
    let l = lab();
    let good = "role,upn,type,start,end,duration,justification\n\
        Security Reader,alice@pimlab.onmicrosoft.com,eligible,,,,\"onboarding, team \"\"A\"\"\"\n\
        security-reader,bob@pimlab.onmicrosoft.com,Eligible,,,90d,onboarding\n\
        Exchange Administrator,carol@pimlab.onmicrosoft.com,active,,,P30D,migration\n";
    // Phase 2 of the walkthrough: Security Reader's active assignments must end, within 180
    // days. The fourth row asks for more.
    l.admin(&[
        "settings",
        "set",
        "Security Reader",
        "--allow-permanent-active",
        "off",
    ])
    .ok();
    let bad =
        format!("{good}Security Reader,carol@pimlab.onmicrosoft.com,active,,,400d,too long\n");
    let path = l.file("team.csv", &bad);
    let run = l.rejected(
        &["assignments", "import", &path],
        3,
        &[
            "row 4 (line 5): refused: ExpirationRule",
            "Nothing was changed: 1 of 4 rows",
        ],
    );
    assert!(
        run.stdout
            .contains("row 1 (line 2): would assign Security Reader to alice@")
    );
    assert!(l.assignments().iter().all(|a| !a.1.starts_with("alice")));

    let path = l.file("team.csv", good);
    let audit = l.pim.audit_count();
    let run = l.admin(&["assignments", "import", &path]).ok();
    assert!(
        run.stdout
            .contains("Applied 3 change(s) in one transaction"),
        "{}",
        run.stdout
    );
    let all = l.assignments();
    for (role, who, kind) in [
        ("Security Reader", "alice", "eligible"),
        ("Security Reader", "bob", "eligible"),
        ("Exchange Administrator", "carol", "active"),
    ] {
        assert!(
            all.iter()
                .any(|a| a.0 == role && a.1 == l.pim.upn(who) && a.2 == kind),
            "{role} {who} {kind}: {all:?}"
        );
    }
    // The same audit entries as three `pim assign`s, and the same e-mails.
    let added: i64 = l
        .pim
        .tables()
        .conn()
        .one("SELECT count(*) FROM audit WHERE seq > ?1 AND activity LIKE 'Add %member to role%' AND result = 'success'", pim_console::args![audit], |r| r.get(0))
        .unwrap();
    assert_eq!(added, 3);
    let justification: String = l
        .pim
        .tables()
        .conn()
        .one("SELECT a.justification FROM assignments a JOIN users u ON u.id = a.principal_id WHERE u.upn LIKE 'alice@%'", pim_console::args![], |r| r.get(0))
        .unwrap();
    assert_eq!(justification, "onboarding, team \"A\"");
    let inbox = l.admin(&["inbox", "--json"]).ok().json();
    assert!(
        inbox
            .to_string()
            .contains("alice is permanently eligible for the Security Reader role"),
        "{inbox}"
    );

    // Applying the same file again: refused row by row, unless told to skip what is there.
    l.rejected(
        &["assignments", "import", &path],
        3,
        &["RoleAssignmentExists"],
    );
    let run = l
        .admin(&["assignments", "import", &path, "--skip-existing"])
        .ok();
    assert_eq!(
        run.stdout.matches("skipped: already there").count(),
        3,
        "{}",
        run.stdout
    );
}

#[test]
fn a_csv_that_cannot_be_read_names_each_problem_and_changes_nothing() {
    let l = lab();
    let cases: &[(&str, &[&str])] = &[
        (
            "role,upn,type,start,end,duration,justification\n\
             Security Reader,alice@pimlab.onmicrosoft.com,owner,,,,x\n\
             Security Reader,bob@pimlab.onmicrosoft.com,eligible,,2027-01-01T00:00:00Z,30d,x\n\
             Security Reader,carol@pimlab.onmicrosoft.com,eligible,tomorrow,,,x\n",
            &[
                "row 1 (line 2): type: 'owner' is neither eligible nor active",
                "row 2 (line 3): end: and duration are both given",
                "row 3 (line 4): start: 'tomorrow' is not an RFC 3339 time",
                "3 problems",
            ],
        ),
        ("role,user,type\nx,y,eligible\n", &["column 'user'"]),
        (
            "role,upn,type,start,end,duration,justification\n",
            &["no rows"],
        ),
        (
            "role,upn,type\nSecurity Reader,alice@pimlab.onmicrosoft.com,eligible,extra\n",
            &["has 4 cells but the header names 3"],
        ),
    ];
    for (text, needles) in cases {
        let path = l.file("bad.csv", text);
        l.rejected(&["assignments", "import", &path], 2, needles);
    }
    // Names that do not exist are found by the check, row by row.
    let path = l.file(
        "names.csv",
        "role,upn,type\nNo Such Role,alice@pimlab.onmicrosoft.com,eligible\nSecurity Reader,nobody@pimlab.onmicrosoft.com,eligible\n",
    );
    l.rejected(
        &["assignments", "import", &path],
        2,
        &[
            "row 1 (line 2): error: no role named 'No Such Role'",
            "row 2 (line 3): error: no user",
        ],
    );
}

#[test]
fn graph_requests_are_applied_as_graph_would() {
    let l = lab();
    let alice = l.user_id("alice");
    // Microsoft's example of an eligibility request (its justification names another role
    // than its id, Attribute Definition Administrator), for a lab user.
    let eligibility = json!({
        "@odata.type": "#microsoft.graph.unifiedRoleEligibilityScheduleRequest",
        "action": "adminAssign",
        "justification": "Assign Attribute Assignment Admin eligibility to restricted user",
        "roleDefinitionId": ATTRIBUTE_DEFINITION_ADMIN,
        "directoryScopeId": "/",
        "principalId": alice,
        "scheduleInfo": {
            "startDateTime": null,
            "expiration": {"type": "AfterDateTime", "endDateTime": "2030-04-10T00:00:00Z"}
        }
    });
    // A Graph JSON batch: the URL says which endpoint; a UPN is taken as principalId.
    let batch = json!({"requests": [
        {"id": "1", "method": "POST", "url": "/roleManagement/directory/roleEligibilityScheduleRequests", "body": eligibility},
        {"id": "2", "method": "POST", "url": "/roleManagement/directory/roleAssignmentScheduleRequests",
         "headers": {"Content-Type": "application/json"},
         "body": {"action": "AdminAssign", "roleDefinitionId": SECURITY_READER, "directoryScopeId": "/",
                  "principalId": l.pim.upn("bob"), "justification": "audit week",
                  "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "P7D"}}}}
    ]});
    let path = l.file("batch.json", &batch.to_string());
    let v = l
        .admin(&["assignments", "import", &path, "--json"])
        .ok()
        .json();
    assert_eq!(v["applied"], true);
    assert_eq!(v["rows"][0]["result"], "done");
    assert_eq!(v["rows"][0]["action"], "adminAssign");
    assert_eq!(v["rows"][1]["type"], "active");
    let all = l.assignments();
    assert!(
        all.contains(&(
            "Attribute Definition Administrator".into(),
            l.pim.upn("alice"),
            "eligible".into(),
            Some("2030-04-10T00:00:00Z".into())
        )),
        "{all:?}"
    );

    // Update, extend and remove in one file, the second row seeing the first.
    let changes = json!({"value": [
        {"@odata.type": "#microsoft.graph.unifiedRoleAssignmentScheduleRequest",
         "action": "adminUpdate", "roleDefinitionId": SECURITY_READER, "principalId": l.pim.upn("bob"),
         "justification": "two weeks", "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "P14D"}}},
        {"@odata.type": "#microsoft.graph.unifiedRoleAssignmentScheduleRequest",
         "action": "adminExtend", "roleDefinitionId": SECURITY_READER, "principalId": l.pim.upn("bob"),
         "justification": "one more week", "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "P21D"}}},
        {"@odata.type": "#microsoft.graph.unifiedRoleEligibilityScheduleRequest",
         "action": "AdminRemove", "roleDefinitionId": ATTRIBUTE_DEFINITION_ADMIN, "directoryScopeId": "/", "principalId": alice}
    ]});
    // Removal waits 5 minutes after the assignment, as in Entra.
    let path = l.file("changes.json", &changes.to_string());
    l.rejected(
        &["assignments", "import", &path],
        3,
        &["item 3: refused: ActiveDurationTooShort"],
    );
    l.admin(&["clock", "advance", "6m"]).ok();
    let run = l.admin(&["assignments", "import", &path]).ok();
    assert!(
        run.stdout
            .contains("item 1: updated Security Reader for bob@"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("item 2: extended the Active assignment"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("item 3: removed the Eligible assignment of Attribute Definition Administrator from alice@"), "{}", run.stdout);
    assert!(!l.assignments().iter().any(|a| a.1 == l.pim.upn("alice")));
}

#[test]
fn graph_files_that_pim_cannot_apply_are_refused_with_the_item_and_field() {
    let l = lab();
    let bob = l.pim.upn("bob");
    let body = |extra: Value| {
        let mut v = json!({"@odata.type": "#microsoft.graph.unifiedRoleEligibilityScheduleRequest",
            "action": "adminAssign", "roleDefinitionId": SECURITY_READER, "principalId": bob});
        if let (Value::Object(o), Value::Object(x)) = (&mut v, extra) {
            o.extend(x);
        }
        v
    };
    let cases: Vec<(Value, &[&str])> = vec![
        (
            json!({"action": "adminAssign", "roleDefinitionId": SECURITY_READER, "principalId": bob}),
            &[
                "item 1: does not say whether it is for an eligible or an active assignment",
                "@odata.type",
            ],
        ),
        (
            body(json!({"action": "selfActivate"})),
            &["item 1: action: 'selfActivate'", "pim activate"],
        ),
        (
            body(json!({"directoryScopeId": "/administrativeUnits/1"})),
            &["directoryScopeId", "tenant-wide"],
        ),
        (
            body(
                json!({"scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "8h"}}}),
            ),
            &["scheduleInfo.expiration.duration: '8h' is not an ISO 8601 duration"],
        ),
        (
            body(
                json!({"scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "P1Y"}}}),
            ),
            &["months or years"],
        ),
        (
            body(json!({"scheduleInfo": {"expiration": {"type": "afterDateTime"}}})),
            &["scheduleInfo.expiration.endDateTime: is needed"],
        ),
        (
            body(json!({"principalId": null})),
            &["principalId: is missing"],
        ),
        (body(json!({"isValidationOnly": true})), &["--dry-run"]),
        (json!([]), &["no requests"]),
        (json!("text"), &["no JSON object"]),
    ];
    for (doc, needles) in cases {
        let path = l.file("bad.json", &doc.to_string());
        l.rejected(&["assignments", "import", &path], 2, needles);
    }
    let path = l.file("broken.json", "{\"value\": [");
    l.rejected(&["assignments", "import", &path], 2, &["not valid JSON"]);
}

#[test]
fn a_dry_run_prints_each_row_and_changes_nothing() {
    let l = lab();
    // Active assignments of Security Reader require MFA: the check says a code would be asked.
    l.admin(&[
        "settings",
        "set",
        "Security Reader",
        "--require-mfa-on-active",
        "on",
    ])
    .ok();
    let path = l.file(
        "team.csv",
        "role,upn,type,duration,justification\n\
         Security Reader,alice@pimlab.onmicrosoft.com,active,7d,audit\n\
         Security Reader,bob@pimlab.onmicrosoft.com,active,7d,audit\n",
    );
    let before = (l.pim.snapshot(), l.pim.audit_count());
    let bytes = l.pim.contents();
    let run = l.admin(&["assignments", "import", &path, "--dry-run"]).ok();
    assert!(
        run.stdout.starts_with("Dry run: nothing was changed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("row 2 (line 3): would assign Security Reader to bob@")
    );
    assert!(
        run.stdout
            .contains("A fresh code from the authenticator would be asked for.")
    );
    assert_eq!((l.pim.snapshot(), l.pim.audit_count()), before);
    assert_eq!(l.pim.contents(), bytes);

    // Applying needs one code, for both rows; without one nothing is applied.
    let run = l.admin(&["assignments", "import", &path]);
    assert_eq!(run.code, 4, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("code"), "{}", run.stderr);
    assert_eq!(l.pim.snapshot(), before.0);
    let code = l.pim.code("admin", 1);
    l.admin(&["assignments", "import", &path, "--otp", &code])
        .ok();
    let active = l
        .assignments()
        .into_iter()
        .filter(|a| a.0 == "Security Reader" && a.2 == "active")
        .count();
    assert_eq!(active, 2);
}

#[test]
fn export_then_import_into_a_fresh_lab_gives_the_same_assignments() {
    let l = lab();
    let path = l.file(
        "team.csv",
        "role,upn,type,start,end,duration,justification\n\
         Security Reader,alice@pimlab.onmicrosoft.com,eligible,,,,team\n\
         Exchange Administrator,bob@pimlab.onmicrosoft.com,eligible,,2030-01-01T00:00:00Z,,team\n\
         Global Reader,carol@pimlab.onmicrosoft.com,active,,2029-06-30T12:00:00Z,,audit\n",
    );
    l.admin(&["assignments", "import", &path]).ok();
    let exported = l.admin(&["assignments", "export"]).ok().stdout;
    let doc: Value = serde_json::from_str(&exported).unwrap();
    let first = &doc["value"][0];
    for field in [
        "@odata.type",
        "principalId",
        "roleDefinitionId",
        "scheduleInfo",
        "principal",
        "roleDefinition",
    ] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    let eligible = l
        .admin(&["assignments", "export", "--type", "eligible"])
        .ok()
        .json();
    assert!(
        eligible["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("roleEligibilitySchedules(principal(),roleDefinition())")
    );
    assert!(
        eligible["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["@odata.type"] == "#microsoft.graph.unifiedRoleEligibilitySchedule")
    );

    // A fresh lab with the same people (other object ids): the UPNs carry the file over.
    let other = lab();
    let file = other.file("export.json", &exported);
    // Graph schedules carry no justification; this lab requires one for active assignments.
    other.rejected(
        &["assignments", "import", &file],
        3,
        &["JustificationRule", "RoleAssignmentExists"],
    );
    let run = other
        .admin(&[
            "assignments",
            "import",
            &file,
            "--skip-existing",
            "--reason",
            "moved from the first lab",
        ])
        .ok();
    assert!(
        run.stdout.contains("skipped: already there"),
        "the lab's own admin: {}",
        run.stdout
    );
    assert_eq!(other.assignments(), l.assignments());
}

#[test]
fn groups_and_their_roles_move_to_another_lab_in_graphs_pim_for_groups_shape() {
    let l = lab();
    let alice = l.pim.upn("alice");
    l.admin(&["groups", "add", "Helpdesk Admins", "--role-assignable"])
        .ok();
    l.admin(&[
        "groups",
        "assign",
        "Helpdesk Admins",
        &alice,
        "--access",
        "member",
        "--type",
        "eligible",
        "--for",
        "30d",
        "--reason",
        "rota",
    ])
    .ok();
    l.admin(&[
        "assign",
        "Security Reader",
        "--group",
        "Helpdesk Admins",
        "--type",
        "eligible",
        "--permanent",
        "--reason",
        "tier 1",
    ])
    .ok();
    let exported = l.admin(&["assignments", "export"]).ok().json();
    let items = exported["value"].as_array().unwrap();
    let membership = items
        .iter()
        .find(|s| s["accessId"] == "member")
        .expect("the membership is exported");
    assert_eq!(
        membership["@odata.type"],
        "#microsoft.graph.privilegedAccessGroupEligibilitySchedule"
    );
    assert_eq!(membership["group"]["displayName"], "Helpdesk Admins");
    assert_eq!(membership["principal"]["userPrincipalName"], alice.as_str());
    let role = items
        .iter()
        .find(|s| s["roleDefinitionId"] == SECURITY_READER)
        .expect("the group's role is exported");
    assert_eq!(role["principal"]["@odata.type"], "#microsoft.graph.group");

    // Another lab with a group of the same name (another id): names carry the file over.
    let other = lab();
    other
        .admin(&["groups", "add", "Helpdesk Admins", "--role-assignable"])
        .ok();
    let file = other.file("export.json", &exported.to_string());
    other
        .admin(&["assignments", "import", &file, "--skip-existing"])
        .ok();
    let members = other
        .admin(&["groups", "members", "Helpdesk Admins", "--json"])
        .ok()
        .json();
    assert_eq!(members["access"][0]["principal"], alice.as_str());
    assert_eq!(members["access"][0]["type"], "eligible");
    assert_eq!(members["roles"][0]["role"], "Security Reader");
    assert_eq!(members["roles"][0]["type"], "eligible");
}
