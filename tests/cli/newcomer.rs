//! The newcomer's path and the JSON a script reads: one rule for empty values, Graph's names,
//! and messages that say what to do next.

use serde_json::Value;

use crate::common::Pim;

#[test]
fn request_json_has_graph_names_ticket_info_and_every_field() {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    pim.login("pimuser").ok();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    pim.make_eligible(Some(&admin), "Security Reader", "pimuser")
        .ok();
    pim.run_as(
        Some(&admin),
        &[
            "settings",
            "set",
            "Security Reader",
            "--require-ticket",
            "on",
            "--require-approval",
            "on",
        ],
    )
    .ok();
    let code = pim.code("pimuser", 1);
    let v = pim
        .run_as(
            Some(&user),
            &[
                "activate",
                "Security Reader",
                "--for",
                "2h",
                "--reason",
                "audit",
                "--ticket-number",
                "INC42",
                "--ticket-system",
                "ServiceNow",
                "--otp",
                &code,
                "--json",
            ],
        )
        .ok()
        .json();
    let r = &v["request"];
    assert_eq!(r["action"], "selfActivate");
    assert_eq!(r["status"], "PendingApproval");
    assert_eq!(
        r["ticketInfo"],
        serde_json::json!({"ticketNumber": "INC42", "ticketSystem": "ServiceNow"})
    );
    let fields = |r: &Value| -> Vec<String> {
        let mut k: Vec<String> = r.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    // The same request listed: the same fields, empty ones null rather than absent.
    let listed = pim.run_as(Some(&user), &["requests", "--json"]).ok().json();
    let mine = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == r["id"])
        .unwrap();
    for key in fields(r) {
        assert!(
            mine.get(&key).is_some(),
            "{key} missing from pim requests --json"
        );
    }
    assert!(mine["completed"].is_null() && mine["decision_reason"].is_null());
    // An assignment's request has the same fields, ticketInfo with nulls.
    let done = pim
        .run_as(
            Some(&admin),
            &[
                "assign",
                "Global Reader",
                &user,
                "--type",
                "eligible",
                "--permanent",
                "--reason",
                "x",
                "--json",
            ],
        )
        .ok()
        .json();
    let mut with_view = fields(&done["request"]);
    with_view.extend(["approvers", "can_decide", "mine"].map(String::from));
    with_view.sort();
    assert_eq!(with_view, fields(r), "a listed request adds who decides it");
    assert_eq!(done["request"]["ticketInfo"]["ticketNumber"], Value::Null);
}

#[test]
fn a_message_can_be_read_as_json() {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    let admin = pim.upn("admin");
    pim.make_eligible(Some(&admin), "Security Reader", "pimuser")
        .ok();
    let list = pim.run_as(Some(&admin), &["inbox", "--json"]).ok().json();
    let id = list[0]["id"].as_str().unwrap();
    let v = pim
        .run_as(Some(&admin), &["inbox", "show", &id[..8], "--json"])
        .ok()
        .json();
    assert_eq!(v["id"], id);
    assert_eq!(v["read"], true, "showing it marks it read");
    assert!(v["subject"].as_str().unwrap().starts_with("PIM: "));
    assert!(
        v["from"]
            .as_str()
            .unwrap()
            .contains("MSSecurity-noreply@microsoft.com")
    );
}

#[test]
fn a_lab_account_can_be_added_to_a_real_phone() {
    let mut pim = Pim::new();
    let doc = pim.lab();
    let pimuser = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["upn"] == pim.upn("pimuser"))
        .unwrap()
        .clone();
    let uri = pimuser["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/PIM%20Console:pimuser%40pimlab.onmicrosoft.com?"));
    assert!(uri.contains(&format!(
        "secret={}",
        pimuser["totp_secret"].as_str().unwrap()
    )));

    // Any time later, without signing in: the QR code, drawn plain into a pipe.
    let run = pim.run(&["lab", "qr", &pim.upn("pimuser")]).ok();
    assert!(run.stdout.contains(uri), "{}", run.stdout);
    let rows: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains(['█', '▀', '▄']))
        .collect();
    let (w, h) = (
        rows.iter().map(|r| r.chars().count()).max().unwrap() + 8,
        rows.len() * 2 + 8,
    );
    let dark = |x: usize, y: usize| -> bool {
        let Some(row) = y.checked_sub(4).map(|y| y / 2).and_then(|r| rows.get(r)) else {
            return false;
        };
        let upper = (y - 4).is_multiple_of(2);
        match x.checked_sub(4).and_then(|x| row.chars().nth(x)) {
            Some('█') => true,
            Some('▀') => upper,
            Some('▄') => !upper,
            _ => false,
        }
    };
    let scale = 4;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w * scale, h * scale, |x, y| {
        if dark(x / scale, y / scale) { 0 } else { 255 }
    });
    let decoded: Vec<String> = img
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, t)| t))
        .collect();
    assert_eq!(decoded, [uri]);
    let v = pim
        .run(&["lab", "qr", &pim.upn("pimuser"), "--json"])
        .ok()
        .json();
    assert_eq!(v["otpauth_uri"], uri);
    pim.run(&["lab", "qr", "nobody@pimlab.onmicrosoft.com"])
        .fails(2, "no user");
}

#[test]
fn an_assignment_outside_pim_can_be_demonstrated() {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    pim.login("pimuser").ok();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    let args = [
        "lab",
        "simulate",
        "outside-assignment",
        "Exchange Administrator",
        user.as_str(),
    ];
    let before = pim.snapshot();
    pim.run_as(Some(&user), &args).fails(3, "AdminRequestRule");
    assert_eq!(pim.snapshot(), before);
    let run = pim.run_as(Some(&admin), &args).ok();
    assert!(run.stdout.contains("outside PIM"), "{}", run.stdout);
    let alerts = pim.run_as(Some(&admin), &["alerts", "--json"]).ok().json();
    let outside = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["slug"] == "outside-pim")
        .unwrap();
    assert_eq!(outside["active"], true);
    assert!(
        outside.to_string().contains("Exchange Administrator"),
        "{outside}"
    );
    // The log knows nothing made it: verify says so, as for a real write outside PIM.
    pim.run_as(Some(&admin), &["audit", "verify"])
        .fails(1, "written into the database directly");
    // Entra's 5-minute floor, then PIM removes it and the alert clears.
    pim.run_as(Some(&admin), &["clock", "advance", "6m"]).ok();
    pim.run_as(
        Some(&admin),
        &[
            "unassign",
            "Exchange Administrator",
            &user,
            "--type",
            "active",
        ],
    )
    .ok();
    pim.run_as(Some(&admin), &["audit", "verify"]).ok();
}

#[test]
fn pim_lab_on_an_existing_lab_says_what_to_do() {
    let mut pim = Pim::new();
    pim.lab();
    let before = pim.snapshot();
    let run = pim
        .run(&["lab"])
        .fails(1, "a training lab already exists in");
    // Deleting a file starts over; on a server, a new database does.
    let fresh = if pim.pg {
        "give the class a new database (createdb, then `pim db init URL`)"
    } else {
        "rm "
    };
    for hint in [
        "pim login --user admin@pimlab.onmicrosoft.com",
        "pim lab --reset",
        fresh,
    ] {
        assert!(run.stderr.contains(hint), "{hint}: {}", run.stderr);
    }
    assert_eq!(pim.snapshot(), before);
}

#[test]
fn a_flag_the_command_lacks_is_refused_without_suggesting_version() {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    pim.make_eligible(None, "Security Reader", "pimuser").ok();
    let before = pim.snapshot();
    // `unassign` takes no reason. "--reason" is close enough to "--version" for clap to offer
    // it, which would tell a user to type the flag that prints pim's version.
    let run = pim
        .run(&[
            "unassign",
            "Security Reader",
            "pimuser@pimlab.onmicrosoft.com",
            "--type",
            "eligible",
            "--reason",
            "lab done",
        ])
        .fails(2, "unexpected argument '--reason' found");
    assert!(!run.stderr.contains("--version"), "{}", run.stderr);
    assert_eq!(pim.snapshot(), before);
    // `pim --version` is the one place the version is asked for.
    pim.run(&["--version"]).ok();
}

#[test]
fn durations_over_the_cap_are_policy_and_unreadable_ones_usage_everywhere() {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    pim.login("pimuser").ok();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    pim.make_eligible(Some(&admin), "Security Reader", "pimuser")
        .ok();
    pim.run_as(
        Some(&admin),
        &[
            "settings",
            "set",
            "Security Reader",
            "--allow-permanent-active",
            "off",
        ],
    )
    .ok();
    let u = Some(user.as_str());
    let a = Some(admin.as_str());
    let cases: Vec<(Option<&str>, Vec<&str>, i32, &str)> = vec![
        (
            u,
            vec![
                "activate",
                "Security Reader",
                "--for",
                "9h",
                "--reason",
                "x",
            ],
            3,
            "(--for 8h)",
        ),
        (
            u,
            vec![
                "activate",
                "Security Reader",
                "--for",
                "9hours",
                "--reason",
                "x",
            ],
            2,
            "not a duration",
        ),
        (
            u,
            vec!["activate", "Security Reader", "--for", "1h"],
            3,
            "--reason TEXT",
        ),
        (
            u,
            vec![
                "activate",
                "Security Reader",
                "Global Reader",
                "--for",
                "9h",
                "--reason",
                "x",
            ],
            3,
            "ExpirationRule",
        ),
        (
            u,
            vec![
                "exec",
                "Security Reader",
                "--activate",
                "--for",
                "9h",
                "--reason",
                "x",
                "--",
                "true",
            ],
            3,
            "(--for 8h)",
        ),
        (
            u,
            vec!["bundle", "save", "b", "Security Reader", "--for", "9h"],
            3,
            "(--for 8h)",
        ),
        (
            u,
            vec!["bundle", "save", "b", "Security Reader", "--for", "nine"],
            2,
            "not a duration",
        ),
        (
            a,
            vec![
                "assign",
                "Security Reader",
                &user,
                "--type",
                "active",
                "--for",
                "400d",
                "--reason",
                "x",
            ],
            3,
            "--for up to 180d",
        ),
        (
            a,
            vec![
                "assign",
                "Security Reader",
                &user,
                "--type",
                "active",
                "--for",
                "4 hundred",
            ],
            2,
            "not a duration",
        ),
        (
            u,
            vec!["activate", "Security Reader", "--for=-1h", "--reason", "x"],
            2,
            "negative",
        ),
    ];
    for (who, args, code, needle) in cases {
        let before = pim.snapshot();
        let run = pim.run_as(who, &args);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(needle),
            "{args:?}: {needle:?} not in {}",
            run.stderr
        );
        assert_eq!(pim.snapshot(), before, "{args:?}");
    }
}
