//! Approvals, extend and renew, expiry reminders with `pim clock advance`, alerts, the licence
//! gate and the Maildir export, through the real binary with several terminals (PIM_AS).

use serde_json::Value;

use crate::common::Pim;

const ROLE: &str = "Security Reader";

/// A lab with everyone signed in and pimuser eligible for Security Reader for `days`.
fn lab_with_eligibility(days: &str) -> Pim {
    let mut pim = Pim::new();
    pim.lab();
    for who in ["admin", "pimuser", "approver"] {
        pim.login(who).ok();
    }
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    pim.run_as(
        Some(&admin),
        &[
            "assign", ROLE, &user, "--type", "eligible", "--for", days, "--reason", "lab",
        ],
    )
    .ok();
    pim
}

fn requests(pim: &Pim, who: &str) -> Vec<Value> {
    let upn = pim.upn(who);
    let doc = pim.run_as(Some(&upn), &["requests", "--json"]).ok().json();
    doc.as_array().unwrap().clone()
}

fn subjects(pim: &Pim, who: &str) -> Vec<String> {
    let upn = pim.upn(who);
    let doc = pim.run_as(Some(&upn), &["inbox", "--json"]).ok().json();
    doc.as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap().to_owned())
        .collect()
}

fn activities(pim: &Pim) -> Vec<String> {
    let tables = pim.tables();
    let conn = tables.conn();
    conn.rows(
        "SELECT activity FROM audit ORDER BY seq",
        pim_console::args![],
        |r| r.get(0),
    )
    .unwrap()
}

/// pimuser asks to activate for 2h (with a code when `mfa`); returns the request id.
fn ask(pim: &Pim, mfa: bool) -> String {
    let user = pim.upn("pimuser");
    let code = pim.code("pimuser", 1);
    let mut args = vec![
        "activate",
        ROLE,
        "--for",
        "2h",
        "--reason",
        "incident 42",
        "--json",
    ];
    if mfa {
        args.extend(["--otp", &code]);
    }
    let out = pim.run_as(Some(&user), &args).ok().json();
    assert_eq!(out["request"]["status"], "PendingApproval");
    assert_eq!(out["approvers"][0], pim.upn("approver").as_str());
    out["request"]["id"].as_str().unwrap().to_owned()
}

#[test]
fn an_approval_walks_through_two_terminals() {
    let pim = lab_with_eligibility("20d");
    let (admin, user, approver) = (pim.upn("admin"), pim.upn("pimuser"), pim.upn("approver"));
    let (a, u, p) = (
        Some(admin.as_str()),
        Some(user.as_str()),
        Some(approver.as_str()),
    );
    pim.run_as(
        a,
        &[
            "settings",
            "set",
            ROLE,
            "--require-approval",
            "on",
            "--approvers",
            &approver,
        ],
    )
    .ok();

    let id = ask(&pim, true);
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert_eq!(
        status["active"],
        serde_json::json!([]),
        "nothing before approval"
    );
    let listed = requests(&pim, "approver");
    assert_eq!(listed.len(), 1);
    let r = &listed[0];
    for (field, want) in [
        ("id", id.as_str()),
        ("action", "selfActivate"),
        ("status", "PendingApproval"),
        ("role", ROLE),
        ("principal", user.as_str()),
        ("justification", "incident 42"),
    ] {
        assert_eq!(r[field], want, "{field}");
    }
    assert!(r["created"].as_str().unwrap().ends_with('Z'));
    assert_eq!(r["can_decide"], true);
    let seen = requests(&pim, "admin");
    assert_eq!(
        seen[0]["id"],
        id.as_str(),
        "an administrator sees every pending request"
    );
    assert_eq!(
        seen[0]["can_decide"], false,
        "but decides only as an approver"
    );
    let text = pim.run_as(a, &["requests"]).ok();
    assert!(
        text.stdout.contains("Other pending requests"),
        "{}",
        text.stdout
    );
    assert!(
        subjects(&pim, "approver")
            .iter()
            .any(|s| s == "PIM: Pim User requests approval to activate Security Reader")
    );

    // The requestor cannot approve their own request: refused, named, nothing changed.
    let before = pim.snapshot();
    let short = &id[..8];
    pim.run_as(u, &["approve", short, "--reason", "mine"])
        .fails(
            3,
            "refused: ApprovalRule: approvers can't approve or deny their own requests",
        );
    assert_eq!(pim.snapshot(), before);
    pim.run_as(p, &["approve", short]).fails(2, "--reason");
    assert_eq!(pim.snapshot(), before);

    let out = pim
        .run_as(p, &["approve", short, "--reason", "ticket checked"])
        .ok();
    assert!(out.stdout.contains("Approved request"), "{}", out.stdout);
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert_eq!(status["active"][0]["role"], ROLE);
    assert_eq!(status["active"][0]["kind"], "activated");
    // The first decision settled it: a second one is refused.
    pim.run_as(a, &["deny", &id, "--reason", "too late"])
        .fails(3, "already");
    let mine = subjects(&pim, "pimuser");
    assert!(
        mine.iter()
            .any(|s| s == "PIM: Your request to activate Security Reader was approved"),
        "{mine:?}"
    );
    let log = activities(&pim);
    for name in [
        "Add member to role approval requested (PIM activation)",
        "Add member to role request approved (PIM activation)",
    ] {
        assert!(log.iter().any(|l| l == name), "{name}");
    }

    // A code is good once; the later requests of this story go without the MFA prompt.
    pim.run_as(a, &["settings", "set", ROLE, "--require-mfa", "off"])
        .ok();

    // Denied.
    pim.run_as(a, &["clock", "advance", "5m"]).ok();
    pim.run_as(u, &["deactivate", ROLE]).ok();
    let id = ask(&pim, false);
    pim.run_as(p, &["deny", &id, "--reason", "not during the freeze"])
        .ok();
    let r = requests(&pim, "pimuser");
    let denied = r.iter().find(|x| x["id"] == id.as_str()).unwrap();
    assert_eq!(denied["status"], "Denied");
    assert_eq!(denied["decision_reason"], "not during the freeze");
    assert!(
        activities(&pim)
            .iter()
            .any(|l| l == "Add member to role request denied (PIM activation)")
    );

    // Cancelled by the requestor.
    let id = ask(&pim, false);
    pim.run_as(u, &["cancel", &id]).ok();
    pim.run_as(p, &["approve", &id, "--reason", "ok"])
        .fails(3, "ApprovalRule");

    // Not decided within 24 hours: expired.
    let id = ask(&pim, false);
    pim.run_as(a, &["clock", "advance", "24h1m"]).ok();
    let r = requests(&pim, "pimuser");
    assert_eq!(
        r.iter().find(|x| x["id"] == id.as_str()).unwrap()["status"],
        "TimedOut"
    );
    assert!(
        requests(&pim, "approver").is_empty(),
        "nothing left to decide"
    );
    pim.run_as(p, &["approve", &id, "--reason", "sorry"])
        .fails(3, "ApprovalRule");
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert_eq!(status["active"], serde_json::json!([]));
}

/// Reminder messages in the database: (to, subject, unix time).
fn reminders(pim: &Pim) -> Vec<(String, String, i64)> {
    let tables = pim.tables();
    let conn = tables.conn();
    conn.rows(
        "SELECT to_addr, subject, created_at FROM emails
         WHERE event IN ('expiryReminder', 'expiredNotice') ORDER BY created_at, to_addr",
        pim_console::args![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

#[test]
fn the_three_expiry_emails_arrive_once_at_their_simulated_times() {
    let pim = lab_with_eligibility("20d");
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    let (a, u) = (Some(admin.as_str()), Some(user.as_str()));
    let assigned_at: i64 = pim
        .tables()
        .conn()
        .one(
            "SELECT start_at FROM assignments WHERE kind = 'eligible'",
            pim_console::args![],
            |r| r.get(0),
        )
        .unwrap();
    pim.run_as(a, &["clock", "advance", "5d23h"]).ok();
    pim.run_as(u, &["status"]).ok();
    assert!(reminders(&pim).is_empty(), "14 days and 1 hour left");
    // 6d1h in all, as a class would type it.
    pim.run_as(a, &["clock", "advance", "2h"]).ok();
    for _ in 0..3 {
        pim.run_as(u, &["status"]).ok();
        pim.run_as(a, &["inbox"]).ok();
    }
    let sent = reminders(&pim);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(
        subjects(&pim, "pimuser")
            .iter()
            .filter(|s| *s == "PIM: Your Security Reader role expires in 14 days")
            .count(),
        1
    );
    assert_eq!(
        subjects(&pim, "admin")
            .iter()
            .filter(|s| *s == "PIM: Pim User's Security Reader role expires in 14 days")
            .count(),
        1
    );
    let day = 86_400;
    assert!(sent.iter().all(|(_, _, t)| *t == assigned_at + 6 * day));

    // The console was not running when the other two thresholds passed: one jump catches up.
    pim.run_as(a, &["clock", "advance", "14d"]).ok();
    pim.run_as(u, &["status"]).ok();
    pim.run_as(u, &["status"]).ok();
    let sent = reminders(&pim);
    assert_eq!(sent.len(), 6, "{sent:?}");
    assert!(sent[2].1.contains("expires in 1 day") && sent[2].2 == assigned_at + 19 * day);
    assert!(sent[4].1.contains("has expired") && sent[4].2 == assigned_at + 20 * day);
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert_eq!(status["eligible"], serde_json::json!([]));
}

#[test]
fn extend_within_14_days_and_renew_within_30_days() {
    let pim = lab_with_eligibility("20d");
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    let (a, u) = (Some(admin.as_str()), Some(user.as_str()));
    let before = pim.snapshot();
    pim.run_as(u, &["extend", ROLE, "--reason", "project runs on"])
        .fails(
            3,
            "refused: ExpirationRule: the eligible assignment of Security Reader ends at",
        );
    assert_eq!(pim.snapshot(), before);

    pim.run_as(a, &["clock", "advance", "7d"]).ok();
    let out = pim
        .run_as(
            u,
            &["extend", ROLE, "--reason", "project runs on", "--json"],
        )
        .ok()
        .json();
    let id = out["request"]["id"].as_str().unwrap().to_owned();
    assert_eq!(out["request"]["action"], "selfExtend");
    assert_eq!(out["request"]["status"], "PendingAdminDecision");
    pim.run_as(u, &["extend", ROLE, "--reason", "again"])
        .fails(3, "PendingRoleAssignmentRequest");
    assert!(
        subjects(&pim, "admin")
            .iter()
            .any(|s| s == "PIM: Pim User requests to extend the Security Reader role")
    );
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    let end_before = chrono_secs(status["eligible"][0]["end"].as_str().unwrap());
    let done = pim
        .run_as(
            a,
            &[
                "approve",
                &id,
                "--reason",
                "for the quarter",
                "--for",
                "30d",
                "--json",
            ],
        )
        .ok()
        .json();
    let new_end = done["assignment"]["end"].as_str().unwrap();
    assert_eq!(
        chrono_secs(new_end),
        end_before + 30 * 86_400,
        "counted from the current end"
    );
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert_eq!(status["eligible"][0]["end"], new_end);

    // Expired 30 days ago at most: renewable; the admin renews directly for 90 days.
    pim.run_as(a, &["clock", "advance", "45d"]).ok();
    pim.run_as(u, &["status", "--json"]).ok();
    let out = pim
        .run_as(
            u,
            &["renew", ROLE, "--reason", "back on the project", "--json"],
        )
        .ok()
        .json();
    assert_eq!(out["request"]["action"], "selfRenew");
    let id = out["request"]["id"].as_str().unwrap().to_owned();
    pim.run_as(a, &["deny", &id, "--reason", "not yet"]).ok();
    pim.run_as(u, &["renew", ROLE, "--for", "5d", "--reason", "x"])
        .fails(2, "--user");
    pim.run_as(
        a,
        &[
            "renew",
            ROLE,
            "--user",
            &user,
            "--for",
            "90d",
            "--reason",
            "approved by the lead",
        ],
    )
    .ok();
    let status = pim.run_as(u, &["status", "--json"]).ok().json();
    assert_eq!(status["eligible"][0]["role"], ROLE);

    // Long past the 30 days: refused.
    let pim = lab_with_eligibility("1d");
    let admin = pim.upn("admin");
    let user = pim.upn("pimuser");
    pim.run_as(Some(&admin), &["clock", "advance", "32d"]).ok();
    pim.run_as(Some(&user), &["renew", ROLE, "--reason", "late"])
        .fails(3, "refused: ExpirationRule");
}

fn chrono_secs(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

#[test]
fn the_maildir_export_reads_back_with_a_standard_parser() {
    let pim = lab_with_eligibility("20d");
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    let dir = pim.dir.path().join("Mail");
    let dir_s = dir.to_str().unwrap();
    let out = pim
        .run_as(Some(&admin), &["mail", "export", "--maildir", dir_s])
        .ok();
    assert!(out.stdout.contains("Wrote 2 messages"), "{}", out.stdout);
    let again = pim
        .run_as(Some(&admin), &["mail", "export", "--maildir", dir_s])
        .ok();
    assert!(
        again.stdout.contains("Wrote 0 messages"),
        "{}",
        again.stdout
    );
    assert!(
        dir.join("tmp").read_dir().unwrap().next().is_none(),
        "tmp/ left empty"
    );
    // A mail client reads one and moves it to cur/ with its flags, Dovecot-style with the size
    // in the name: the next export still recognises it.
    let first = dir.join("new").read_dir().unwrap().next().unwrap().unwrap();
    let name = first.file_name().to_string_lossy().into_owned();
    let size = first.metadata().unwrap().len();
    std::fs::rename(
        first.path(),
        dir.join("cur")
            .join(format!("{name},S={size},W={size}:2,S")),
    )
    .unwrap();
    let third = pim
        .run_as(Some(&admin), &["mail", "export", "--maildir", dir_s])
        .ok();
    assert!(
        third.stdout.contains("Wrote 0 messages"),
        "{}",
        third.stdout
    );
    std::fs::rename(
        dir.join("cur")
            .join(format!("{name},S={size},W={size}:2,S")),
        dir.join("new").join(&name),
    )
    .unwrap();

    let inbox = pim.run_as(Some(&user), &["inbox", "--json"]).ok().json();
    let mut parsed = Vec::new();
    for entry in dir.join("new").read_dir().unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let mail = mailparse::parse_mail(&bytes).unwrap();
        let header = |name: &str| {
            use mailparse::MailHeaderMap;
            mail.headers.get_first_value(name).unwrap()
        };
        assert_eq!(
            header("From"),
            "Microsoft Security <MSSecurity-noreply@microsoft.com>"
        );
        assert!(mailparse::dateparse(&header("Date")).is_ok());
        parsed.push((header("To"), header("Subject"), mail.get_body().unwrap()));
    }
    parsed.sort();
    assert_eq!(parsed.len(), 2);
    assert_eq!(parsed[1].0, user);
    assert_eq!(parsed[1].1, inbox[0]["subject"].as_str().unwrap());
    assert_eq!(
        parsed[1].2.trim_end(),
        inbox[0]["body"].as_str().unwrap().trim_end()
    );
    assert_eq!(parsed[0].0, admin);

    // Someone else exports only their own mail.
    let own = pim.dir.path().join("Own");
    pim.run_as(
        Some(&user),
        &["mail", "export", "--maildir", own.to_str().unwrap()],
    )
    .ok();
    assert_eq!(own.join("new").read_dir().unwrap().count(), 1);
}

#[test]
fn alerts_and_the_licence_gate() {
    let pim = lab_with_eligibility("20d");
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    let (a, u) = (Some(admin.as_str()), Some(user.as_str()));
    let list = pim.run_as(a, &["alerts", "--json"]).ok().json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 8);
    let firing: Vec<&str> = list
        .iter()
        .filter(|x| x["active"] == true)
        .map(|x| x["slug"].as_str().unwrap())
        .collect();
    assert_eq!(firing, ["permanent-active"]);
    let permanent = &list
        .iter()
        .find(|x| x["slug"] == "permanent-active")
        .unwrap();
    assert_eq!(
        permanent["affected"][0],
        "admin@pimlab.onmicrosoft.com holds Global Administrator as active, permanently"
    );
    pim.run_as(u, &["alerts"]).fails(3, "AdminRequestRule");
    pim.run_as(a, &["alerts", "dismiss", "permanent-active"])
        .ok();
    let list = pim.run_as(a, &["alerts", "--json"]).ok().json();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|x| x["active"] == false)
    );
    pim.run_as(a, &["alerts", "set", "stale-accounts", "--days", "400"])
        .fails(2, "between 1 and 365");

    pim.run_as(u, &["licence", "set", "free"])
        .fails(3, "AdminRequestRule");
    // Switching to Free removes the eligible assignment: only when confirmed.
    let before = pim.snapshot();
    pim.run_as(a, &["licence", "set", "free"])
        .fails(2, "removes all 1 eligible assignment(s)");
    assert_eq!(pim.snapshot(), before);
    let v = pim
        .run_as(a, &["licence", "set", "free", "--yes", "--json"])
        .ok()
        .json();
    assert_eq!(v["removed_eligible"], 1);
    let before = pim.snapshot();
    let code = pim.code("pimuser", 1);
    pim.run_as(
        u,
        &[
            "activate", ROLE, "--for", "1h", "--reason", "x", "--otp", &code,
        ],
    )
    .fails(3, "refused: LicenseRule");
    pim.run_as(
        a,
        &[
            "assign",
            "Global Reader",
            &user,
            "--type",
            "eligible",
            "--for",
            "10d",
        ],
    )
    .fails(3, "refused: LicenseRule");
    assert_eq!(pim.snapshot(), before);
    let list = pim.run_as(a, &["alerts", "--json"]).ok().json();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|x| x["slug"] == "no-p2-licence" && x["active"] == true)
    );
    pim.run_as(a, &["licence", "set", "p2"]).ok();
    // Back on P2: what the licence expiry removed stays removed until assigned again.
    pim.run_as(
        u,
        &[
            "activate", ROLE, "--for", "1h", "--reason", "x", "--otp", &code,
        ],
    )
    .fails(3, "EligibilityRule");
    pim.make_eligible(a, ROLE, "pimuser").ok();
    pim.run_as(
        u,
        &[
            "activate", ROLE, "--for", "1h", "--reason", "x", "--otp", &code,
        ],
    )
    .ok();
}
