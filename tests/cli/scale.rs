//! `pim lab seed`: a big synthetic tenant, reproducible, chained into the audit log, labs only.

use crate::common::Pim;

fn seeded(seed: &str) -> (Pim, serde_json::Value) {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    let done = pim
        .run(&[
            "lab",
            "seed",
            "--users",
            "40",
            "--assignments",
            "150",
            "--audit",
            "600",
            "--seed",
            seed,
            "--json",
        ])
        .ok()
        .json();
    (pim, done)
}

/// Each assignment as (user, role, kind, permanent), in a stable order.
fn assignments(pim: &Pim) -> Vec<(String, String, String, bool)> {
    let tables = pim.tables();
    let conn = tables.conn();
    conn.rows(
        "SELECT u.upn, r.display_name, a.kind, a.end_at IS NULL FROM assignments a
         JOIN users u ON u.id = a.principal_id JOIN roles r ON r.id = a.role_id
         WHERE a.ended_at IS NULL ORDER BY 1, 2, 3",
        pim_console::args![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .unwrap()
}

#[test]
fn a_seeded_lab_is_big_reproducible_and_its_chain_verifies() {
    let (pim, done) = seeded("7");
    assert_eq!(done["users"], 40);
    assert_eq!(done["assignments"], 150);
    let users: i64 = pim
        .tables()
        .conn()
        .one("SELECT count(*) FROM users", pim_console::args![], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(users, 43, "the three lab accounts and forty seeded ones");
    let current = assignments(&pim);
    // The lab's own Global Administrator and the seeded 150.
    assert_eq!(current.len(), 151);
    let kinds = |k: &str| current.iter().filter(|a| a.2 == k).count();
    assert!(
        kinds("eligible") > 60 && kinds("active") > 20,
        "{current:?}"
    );
    let permanent = current.iter().filter(|a| a.3).count();
    assert!(
        permanent > 20 && permanent < 130,
        "a mix of permanent and time-bound"
    );
    assert!(pim.audit_count() >= 600, "{}", pim.audit_count());
    let verify = pim.run(&["audit", "verify", "--json"]).ok().json();
    assert_eq!(verify["intact"], true, "{verify}");

    // The seed indexes its entries' words in bulk: every seeded entry is found by text
    // search, exactly as the search's own text check finds them, and the index is whole.
    let tables = pim.tables();
    let conn = tables.conn();
    let word = |sql: &str| -> i64 { conn.one(sql, pim_console::args![], |r| r.get(0)).unwrap() };
    let with_ticket = word("SELECT count(*) FROM audit WHERE justification LIKE '%(INC0%'");
    let indexed = word(if pim.pg {
        "SELECT count(*) FROM audit WHERE words @@ to_tsquery('simple', 'INC0:*')"
    } else {
        "SELECT count(*) FROM audit_text WHERE audit_text MATCH 'INC0*'"
    });
    assert!(with_ticket > 5, "{with_ticket}");
    assert_eq!(indexed, with_ticket);
    if !pim.pg {
        conn.exec(
            "INSERT INTO audit_text (audit_text, rank) VALUES ('integrity-check', 1)",
            pim_console::args![],
        )
        .unwrap();
    }
    assert_eq!(
        word("SELECT count(*) FROM meta WHERE key = 'audit_text_deferred'"),
        0,
        "nothing is left deferred"
    );
    let justification: String = conn
        .one(
            "SELECT justification FROM audit WHERE justification LIKE '%(INC%' ORDER BY seq DESC LIMIT 1",
            pim_console::args![],
            |r| r.get(0),
        )
        .unwrap();
    let at = justification.find("(INC").unwrap() + 1;
    let ticket: String = justification[at..].chars().take(10).collect();
    let found = pim.run(&["audit", "--text", &ticket, "--json"]).ok().json();
    assert!(!found.as_array().unwrap().is_empty(), "{ticket}: {found}");

    // A seeded account signs in with the password it was given.
    let upn = done["first_upn"].as_str().unwrap();
    assert_eq!(upn, "user000003@pimlab.onmicrosoft.com");
    let listed = pim.run(&["users", "list", "--json"]).ok().stdout;
    assert!(listed.contains("user000042@pimlab.onmicrosoft.com"));

    // The same numbers and seed make the same tenant; another seed another.
    let (again, _) = seeded("7");
    assert_eq!(assignments(&again), current);
    let (other, _) = seeded("8");
    assert_ne!(assignments(&other), current);
}

#[test]
fn seeding_is_for_lab_administrators_only() {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("pimuser").ok();
    let before = (pim.snapshot(), pim.audit_count());
    let pimuser = pim.upn("pimuser");
    pim.run_as(Some(&pimuser), &["lab", "seed", "--users", "5"])
        .fails(3, "Global Administrator");
    assert_eq!((pim.snapshot(), pim.audit_count()), before);

    // Assignments go to seeded accounts, never to the lab's own.
    pim.login("admin").ok();
    let before = (pim.snapshot(), pim.audit_count());
    pim.run(&["lab", "seed", "--assignments", "5"])
        .fails(2, "add some with --users N");
    assert_eq!((pim.snapshot(), pim.audit_count()), before);

    let standard = Pim::standard_tenant();
    let before = (standard.snapshot(), standard.audit_count());
    standard
        .run(&["lab", "seed", "--users", "5"])
        .fails(1, "not a training lab; `pim lab seed` only adds to labs");
    assert_eq!((standard.snapshot(), standard.audit_count()), before);
}
