//! `pim reviews`: an access review from the command line, start to applied end.

use crate::common::Pim;

const ROLE: &str = "Security Reader";

#[test]
fn a_seven_day_review_removes_a_stale_assignment_at_its_end() {
    let mut pim = Pim::new();
    pim.lab();
    for who in ["admin", "pimuser", "approver"] {
        pim.login(who).ok();
    }
    let (admin, user, approver) = (pim.upn("admin"), pim.upn("pimuser"), pim.upn("approver"));
    let (a, u, r) = (
        Some(admin.as_str()),
        Some(user.as_str()),
        Some(approver.as_str()),
    );
    pim.run_as(
        a,
        &[
            "assign",
            ROLE,
            &user,
            "--type",
            "eligible",
            "--permanent",
            "--reason",
            "lab",
        ],
    )
    .ok();
    // Nobody may review a role nobody holds, or with no reviewer named.
    let before = pim.snapshot();
    pim.run_as(
        a,
        &[
            "reviews",
            "create",
            "--role",
            "Exchange Administrator",
            "--self",
            "--for",
            "7d",
        ],
    )
    .fails(3, "AccessReviewRule: nobody holds Exchange Administrator");
    pim.run_as(a, &["reviews", "create", "--role", ROLE, "--for", "7d"])
        .fails(2, "--reviewer");
    pim.run_as(
        a,
        &[
            "reviews", "create", "--group", "Helpdesk", "--self", "--for", "7d",
        ],
    )
    .fails(2, "no group 'Helpdesk'");
    pim.run_as(
        u,
        &["reviews", "create", "--role", ROLE, "--self", "--for", "7d"],
    )
    .fails(3, "AdminRequestRule");
    assert_eq!(pim.snapshot(), before);

    let v = pim
        .run_as(
            a,
            &[
                "reviews",
                "create",
                "--role",
                ROLE,
                "--reviewer",
                &approver,
                "--for",
                "7d",
                "--auto-apply",
                "--name",
                "Quarterly SR",
                "--json",
            ],
        )
        .ok()
        .json();
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(v["items"][0]["upn"], user.as_str());
    assert_eq!(v["items"][0]["recommendation"], "approve");
    let list = pim.run_as(r, &["reviews", "list"]).ok().stdout;
    assert!(
        list.contains("Quarterly SR") && list.contains("0 of 1"),
        "{list}"
    );
    // The member is no reviewer; the reviewer decides once.
    pim.run_as(
        u,
        &[
            "reviews",
            "decide",
            &id[..8],
            &user,
            "approve",
            "--reason",
            "mine",
        ],
    )
    .fails(3, "only the review's reviewers decide");
    let out = pim
        .run_as(
            r,
            &[
                "reviews",
                "decide",
                &id[..8],
                &user,
                "deny",
                "--reason",
                "left the team",
            ],
        )
        .ok()
        .stdout;
    assert!(
        out.contains("Recorded: deny for pimuser@pimlab.onmicrosoft.com"),
        "{out}"
    );
    pim.run_as(
        r,
        &[
            "reviews",
            "decide",
            &id[..8],
            &user,
            "approve",
            "--reason",
            "oops",
        ],
    )
    .fails(3, "decided already");
    // The lab clock ends it: the denied eligibility is removed, everyone hears.
    pim.run_as(a, &["clock", "advance", "8d"]).ok();
    let shown = pim
        .run_as(a, &["reviews", "show", &id, "--json"])
        .ok()
        .json();
    assert_eq!(shown["status"], "completed");
    assert_eq!(shown["items"][0]["outcome"], "removed");
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert_eq!(status["eligible"].as_array().unwrap().len(), 0);
    let inbox = pim.run_as(r, &["inbox", "--json"]).ok().json();
    let subjects: Vec<&str> = inbox
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert!(
        subjects.contains(
            &"PIM: Access review \"Quarterly SR\" of the Security Reader role has started"
        ),
        "{subjects:?}"
    );
    assert!(
        subjects
            .contains(&"PIM: Access review \"Quarterly SR\" of the Security Reader role has ended"),
        "{subjects:?}"
    );
    pim.run_as(
        r,
        &[
            "reviews",
            "decide",
            &id[..8],
            &user,
            "deny",
            "--reason",
            "late",
        ],
    )
    .fails(3, "ended");
    let audit = pim
        .run_as(
            a,
            &["audit", "--activity", "access review result", "--json"],
        )
        .ok()
        .json();
    assert_eq!(audit.as_array().unwrap().len(), 1);
    let verify = pim.run_as(a, &["audit", "verify", "--json"]).ok().json();
    assert_eq!(verify["intact"], true, "{verify}");
}
