//! `pim groups`: PIM for Groups from the command line, the way the lab walks it: a
//! role-assignable group holding Security Reader, pimuser an eligible member who activates the
//! membership with a real code, holds the role through the group, and loses both at expiry.

use crate::common::Pim;

const GROUP: &str = "Helpdesk Admins";

#[test]
fn an_eligible_member_activates_holds_the_groups_role_and_loses_it_at_expiry() {
    let mut pim = Pim::new();
    pim.lab();
    for who in ["admin", "pimuser"] {
        pim.login(who).ok();
    }
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    let (a, u) = (Some(admin.as_str()), Some(user.as_str()));
    let added = pim
        .run_as(
            a,
            &[
                "groups",
                "add",
                GROUP,
                "--role-assignable",
                "--description",
                "Tier 1",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(added["name"], GROUP);
    assert_eq!(added["role_assignable"], true);
    let out = pim
        .run_as(
            a,
            &[
                "assign",
                "Security Reader",
                "--group",
                GROUP,
                "--type",
                "active",
                "--permanent",
                "--reason",
                "tier 1 reads",
            ],
        )
        .ok();
    assert!(
        out.stdout
            .contains("Assigned Security Reader to the group Helpdesk Admins"),
        "{}",
        out.stdout
    );
    pim.run_as(
        a,
        &[
            "groups", "assign", GROUP, &user, "--access", "member", "--type", "eligible", "--for",
            "30d", "--reason", "on call",
        ],
    )
    .ok();
    let list = pim.run_as(a, &["groups", "list", "--json"]).ok().json();
    assert_eq!(list[0]["members"]["eligible"], 1);
    assert_eq!(list[0]["roles"], 1);
    let members = pim
        .run_as(u, &["groups", "members", GROUP, "--json"])
        .ok()
        .json();
    assert_eq!(members["access"][0]["access"], "member");
    assert_eq!(members["access"][0]["principal"], user.as_str());
    assert_eq!(members["roles"][0]["role"], "Security Reader");

    // The membership requires MFA by default: a real authenticator code.
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert_eq!(status["active"].as_array().unwrap().len(), 0);
    assert_eq!(status["groups"]["eligible"][0]["group"], GROUP);
    pim.run_as(
        u,
        &[
            "groups",
            "activate",
            GROUP,
            "--access",
            "member",
            "--for",
            "2h",
            "--reason",
            "INC0042 queue",
            "--otp",
            &pim.code("pimuser", 1),
        ],
    )
    .ok();
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert_eq!(status["active"][0]["role"], "Security Reader");
    assert_eq!(status["active"][0]["via_group"], GROUP);
    assert_eq!(status["groups"]["active"][0]["kind"], "activated");
    assert_eq!(
        status["active"][0]["end"],
        status["groups"]["active"][0]["end"]
    );
    let text = pim.run_as(u, &["status"]).ok().stdout;
    assert!(text.contains("via group Helpdesk Admins"), "{text}");
    // pim exec runs a command under the role held through the group.
    let ran = pim
        .run_as(
            u,
            &[
                "exec",
                "Security Reader",
                "--",
                "sh",
                "-c",
                "echo RAN-UNDER-ROLE",
            ],
        )
        .ok();
    assert!(ran.stdout.contains("RAN-UNDER-ROLE"), "{}", ran.stdout);
    let inbox = pim.run_as(u, &["inbox", "--json"]).ok().json();
    let subjects: Vec<&str> = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["subject"].as_str())
        .collect();
    assert!(
        subjects.contains(&"PIM: Your Member role in the group Helpdesk Admins is activated"),
        "{subjects:?}"
    );

    pim.run_as(a, &["clock", "advance", "2h1m"]).ok();
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert_eq!(status["active"].as_array().unwrap().len(), 0, "{status}");
    assert_eq!(status["groups"]["active"].as_array().unwrap().len(), 0);
    let audit = pim
        .run_as(a, &["audit", "--json", "--limit", "100"])
        .ok()
        .json();
    let activities: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["activity"].as_str())
        .collect();
    for expected in [
        "Add group",
        "Add member to role in PIM completed (permanent)",
        "Add eligible member to group in PIM completed (timebound)",
        "Add member to group completed (PIM activation)",
        "Remove member from group (PIM activation expired)",
    ] {
        assert!(activities.contains(&expected), "{expected}: {activities:?}");
    }
    pim.run_as(a, &["audit", "verify"]).ok();
}

#[test]
fn group_settings_and_reviews_use_the_roles_flags() {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    let admin = pim.upn("admin");
    let user = pim.upn("pimuser");
    let a = Some(admin.as_str());
    pim.run_as(a, &["groups", "add", GROUP]).ok();
    let set = pim
        .run_as(
            a,
            &[
                "groups",
                "settings",
                "set",
                GROUP,
                "--access",
                "owner",
                "--max-activation",
                "2h",
                "--require-approval",
                "on",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(set["role"]["display_name"], "Owner of Helpdesk Admins");
    let shown = pim
        .run_as(
            a,
            &[
                "groups", "settings", "show", GROUP, "--access", "owner", "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(shown["activation"]["max_activation"], "PT2H", "{shown}");
    assert_eq!(shown["activation"]["require_approval"], true);
    let member = pim
        .run_as(
            a,
            &[
                "groups", "settings", "show", GROUP, "--access", "member", "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(
        member["activation"]["max_activation"], "PT8H",
        "the member policy is its own"
    );
    // Over the owner policy's cap: refused with the rule, nothing changed.
    pim.run_as(
        a,
        &[
            "groups",
            "assign",
            GROUP,
            &user,
            "--access",
            "owner",
            "--type",
            "eligible",
            "--permanent",
            "--reason",
            "owner",
        ],
    )
    .ok();
    pim.login("pimuser").ok();
    let before = pim.snapshot();
    pim.run_as(
        Some(user.as_str()),
        &[
            "groups",
            "activate",
            GROUP,
            "--access",
            "owner",
            "--for",
            "3h",
            "--reason",
            "x",
            "--otp",
            &pim.code("pimuser", 1),
        ],
    )
    .fails(
        3,
        "ExpirationRule: 3h exceeds the 2h maximum activation for Owner of Helpdesk Admins",
    );
    assert_eq!(before, pim.snapshot());
    // A review of the group's membership.
    pim.run_as(
        a,
        &[
            "groups",
            "assign",
            GROUP,
            &user,
            "--access",
            "member",
            "--type",
            "eligible",
            "--permanent",
            "--reason",
            "member",
        ],
    )
    .ok();
    let review = pim
        .run_as(
            a,
            &[
                "reviews", "create", "--group", GROUP, "--self", "--for", "7d", "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(
        review["role"]["display_name"], "Member of Helpdesk Admins",
        "{review}"
    );
    assert_eq!(review["items"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_group_input_is_refused_with_nothing_changed() {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    let admin = pim.upn("admin");
    let user = pim.upn("pimuser");
    let a = Some(admin.as_str());
    pim.run_as(a, &["groups", "add", GROUP, "--role-assignable"])
        .ok();
    pim.run_as(a, &["groups", "add", "Plain"]).ok();
    let before = pim.snapshot();
    pim.run_as(a, &["groups", "add", "helpdesk ADMINS"])
        .fails(1, "the name 'helpdesk ADMINS' is taken");
    pim.run_as(a, &["groups", "add", "Global Administrator"])
        .fails(1, "is taken by a user, group or role");
    pim.run_as(a, &["groups", "add", "ops@example.com"])
        .fails(2, "cannot contain '@'");
    pim.run_as(a, &["groups", "members", "Nope"])
        .fails(2, "no group 'Nope'");
    pim.run_as(
        a,
        &[
            "groups",
            "assign",
            "Nope",
            &user,
            "--access",
            "member",
            "--type",
            "eligible",
            "--permanent",
            "--reason",
            "x",
        ],
    )
    .fails(2, "no group 'Nope'");
    pim.run_as(
        a,
        &[
            "groups",
            "assign",
            GROUP,
            "ghost@pimlab.onmicrosoft.com",
            "--access",
            "member",
            "--type",
            "eligible",
            "--permanent",
            "--reason",
            "x",
        ],
    )
    .fails(2, "no user 'ghost@pimlab.onmicrosoft.com'");
    pim.run_as(
        a,
        &[
            "assign",
            "Security Reader",
            "--group",
            "Plain",
            "--type",
            "active",
            "--permanent",
            "--reason",
            "x",
        ],
    )
    .fails(
        3,
        "RoleAssignableGroupRule: Plain was not created role-assignable",
    );
    pim.run_as(
        a,
        &[
            "groups", "activate", GROUP, "--access", "member", "--for", "1h",
        ],
    )
    .fails(3, "EligibilityRule");
    assert_eq!(before, pim.snapshot());
}

#[test]
fn a_groups_policy_round_trips_through_graph_json() {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    let admin = pim.upn("admin");
    let a = Some(admin.as_str());
    pim.run_as(a, &["groups", "add", GROUP]).ok();
    let mut policy = pim
        .run_as(
            a,
            &["groups", "settings", "export", GROUP, "--access", "member"],
        )
        .ok()
        .json();
    assert_eq!(policy["scopeType"], "Group");
    let group_id = policy["scopeId"].as_str().unwrap().to_owned();
    assert!(
        policy["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Group_{group_id}_"))
    );
    // Change the activation maximum to 2h and import the policy back.
    for rule in policy["rules"].as_array_mut().unwrap() {
        if rule["id"] == "Expiration_EndUser_Assignment" {
            rule["maximumDuration"] = "PT2H".into();
        }
    }
    let file = pim.dir.path().join("group-policy.json");
    std::fs::write(&file, policy.to_string()).unwrap();
    pim.run_as(a, &["settings", "import", file.to_str().unwrap()])
        .ok();
    let member = pim
        .run_as(
            a,
            &[
                "groups", "settings", "show", GROUP, "--access", "member", "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(member["activation"]["max_activation"], "PT2H");
    // Graph's own shape: a policy assignment scoped to the group, naming the owner access.
    let assignment = serde_json::json!({
        "scopeId": group_id,
        "scopeType": "Group",
        "roleDefinitionId": "owner",
        "policy": {"rules": [{
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "id": "Expiration_EndUser_Assignment",
            "isExpirationRequired": true,
            "maximumDuration": "PT1H",
            "target": {"caller": "EndUser", "operations": ["All"], "level": "Assignment"}
        }]}
    });
    std::fs::write(&file, assignment.to_string()).unwrap();
    pim.run_as(a, &["settings", "import", file.to_str().unwrap()])
        .ok();
    let owner = pim
        .run_as(
            a,
            &[
                "groups", "settings", "show", GROUP, "--access", "owner", "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(owner["activation"]["max_activation"], "PT1H");
    let member = pim
        .run_as(
            a,
            &[
                "groups", "settings", "show", GROUP, "--access", "member", "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(member["activation"]["max_activation"], "PT2H", "untouched");
}
