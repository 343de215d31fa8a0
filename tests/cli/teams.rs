//! PostgreSQL for teams: `pim db init` on a throwaway cluster, and the addresses pim refuses.

use pim_console::store::pg::testing::cluster;

use crate::common::Pim;

/// The tables and schemas of a database, to show a refusal changed nothing (roles are the
/// cluster's, shared with tests running beside this one: those are checked by name).
fn shape(c: &mut postgres::Client) -> Vec<String> {
    c.query(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
         UNION ALL SELECT 'schema ' || schema_name FROM information_schema.schemata
         ORDER BY 1",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

fn role_exists(c: &mut postgres::Client, role: &str) -> bool {
    c.query_one(
        "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
        &[&role],
    )
    .unwrap()
    .get(0)
}

#[test]
fn db_init_sets_up_a_database_once_and_prints_how_to_connect() {
    let Some(c) = cluster() else { return };
    let db = c.fresh_db();
    let pim = Pim::new();
    let url = c.url(&db);
    let role = format!("{db}_app");
    let out = pim.run(&["db", "init", &url, "--role", &role]).ok();
    assert!(
        out.stdout
            .contains(&format!("Set up pim (schema version 1) in postgres@{db}")),
        "{}",
        out.stdout
    );
    let password = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Its password (shown once): "))
        .expect("the password is shown once")
        .to_owned();
    let app_url = format!("postgresql:///{db}?host={}&user={role}", c.dir.display());
    assert!(
        out.stdout.contains(&format!("export PIM_DB='{app_url}'")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(&format!("localhost:5432:{db}:{role}:PASSWORD")),
        "{}",
        out.stdout
    );

    // The printed password is the role's.
    let mut app = postgres::Config::new()
        .host_path(&c.dir)
        .user(&role)
        .dbname(&db)
        .password(&password)
        .connect(postgres::NoTls)
        .unwrap();
    let version: String = app
        .query_one("SELECT value FROM meta WHERE key = 'schema_version'", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, "1");

    // Run again: refused, exit 1, nothing changed.
    let mut su = c.superuser(&db).unwrap();
    let before = shape(&mut su);
    let another = format!("{db}_another");
    pim.run(&["db", "init", &url, "--role", &another]).fails(
        1,
        "it is set up for pim already (schema version 1); `pim db init` runs once per database",
    );
    assert_eq!(shape(&mut su), before);
    assert!(!role_exists(&mut su, &another));
}

#[test]
fn db_init_json_and_a_password_of_ones_own() {
    let Some(c) = cluster() else { return };
    let db = c.fresh_db();
    let pim = Pim::new();
    let role = format!("{db}_app");
    let out = pim
        .run_stdin(
            &[
                "db",
                "init",
                &c.url(&db),
                "--role",
                &role,
                "--password-stdin",
                "--json",
            ],
            "a-long-classroom-pw\n",
        )
        .ok();
    let doc = out.json();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["role"], role.as_str());
    assert!(
        doc["password"].is_null(),
        "a password the owner chose is not echoed"
    );
    assert_eq!(
        doc["url"],
        format!("postgresql:///{db}?host={}&user={role}", c.dir.display()).as_str()
    );
    postgres::Config::new()
        .host_path(&c.dir)
        .user(&role)
        .dbname(&db)
        .password("a-long-classroom-pw")
        .connect(postgres::NoTls)
        .unwrap();
}

#[test]
fn wrong_passwords_and_missing_servers_are_named_and_change_nothing() {
    let Some(c) = cluster() else { return };
    let db = c.fresh_db();
    let owner = format!("{db}_owner");
    let mut su = c.superuser("postgres").unwrap();
    su.batch_execute(&format!(
        "CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD 'owner-pw'; ALTER DATABASE {db} OWNER TO {owner}"
    ))
    .unwrap();
    let mut in_db = c.superuser(&db).unwrap();
    let before = shape(&mut in_db);
    let url = format!("postgresql:///{db}?host={}&user={owner}", c.dir.display());
    let pim = Pim::new();
    let out = pim
        .command(None, &["db", "init", &url])
        .env("PGPASSWORD", "not-it")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "error: PostgreSQL at {owner}@{db} (socket in {})",
            c.dir.display()
        )) && err.contains(&format!(
            "password authentication failed for user \"{owner}\""
        )),
        "{err}"
    );
    assert_eq!(shape(&mut in_db), before);
    assert!(!role_exists(&mut in_db, "pim_app"));

    let gone = tempfile::tempdir().unwrap();
    pim.run(&[
        "db",
        "init",
        &format!("postgresql:///pim?host={}&user=pim", gone.path().display()),
    ])
    .fails(
        1,
        &format!(
            "error: PostgreSQL at pim@pim (socket in {})",
            gone.path().display()
        ),
    );
}

#[test]
fn addresses_with_passwords_or_bad_modes_are_refused_before_connecting() {
    let pim = Pim::new();
    pim.run(&["db", "init", "postgres://owner:hunter2@db.example.org/pim"])
        .fails(2, "carries a password, which would stay in your shell's history; put it in PGPASSWORD or ~/.pgpass");
    let run = pim.run(&[
        "db",
        "init",
        "postgres://owner@db.example.org/pim?sslmode=maybe",
    ]);
    assert!(!run.stderr.contains("hunter2"));
    run.fails(
        2,
        "sslmode=maybe is not one of disable, allow, prefer, require, verify-ca, verify-full",
    );
    pim.run(&[
        "status",
        "--db",
        "postgres://owner:hunter2@db.example.org/pim",
    ])
    .fails(2, "carries a password");
}

#[test]
fn commands_on_an_unreachable_server_name_it_and_leave_nothing_behind() {
    let pim = Pim::new();
    let gone = tempfile::tempdir().unwrap();
    let url = format!(
        "postgresql:///pim?host={}&user=pim_app",
        gone.path().display()
    );
    let run = pim
        .command(None, &["lab"])
        .env("PIM_DB", &url)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains(&format!(
            "error: PostgreSQL at pim_app@pim (socket in {})",
            gone.path().display()
        )),
        "{err}"
    );
    assert!(!pim.db.exists());
    assert_eq!(std::fs::read_dir(gone.path()).unwrap().count(), 0);
}

#[test]
fn a_database_not_set_up_for_pim_is_refused_with_what_to_do() {
    let Some(c) = cluster() else { return };
    let db = c.fresh_db();
    let pim = Pim::new();
    let mut su = c.superuser(&db).unwrap();
    let before = shape(&mut su);
    let run = pim
        .command(None, &["lab"])
        .env("PIM_DB", c.url(&db))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains(
            "it is not set up for pim (no schema pim); its owner runs `pim db init URL` once first"
        ),
        "{err}"
    );
    assert_eq!(shape(&mut su), before, "nothing was created");
}

#[test]
fn the_server_going_away_mid_activation_leaves_nothing_half_done() {
    use std::io::{BufRead, BufReader};
    let Some(c) = pim_console::store::pg::testing::Cluster::own_durable() else {
        return;
    };
    let mut pim = Pim::on_cluster(&c);
    pim.lab();
    pim.login("admin").ok();
    let user = pim.upn("pimuser");
    pim.make_eligible(None, "Security Reader", "pimuser").ok();
    pim.login("pimuser").ok();
    let (before, audits) = (pim.contents(), pim.audit_count());

    // The activation stops inside its transaction, just before the assignment is written,
    // and the server goes down (immediate: as a crash or a pulled cable would).
    let code = pim.code("pimuser", 1);
    let activate = [
        "activate",
        "Security Reader",
        "--for",
        "1h",
        "--reason",
        "INC-7",
        "--otp",
        &code,
    ];
    let mut child = pim
        .command(Some(&user), &activate)
        .env("PIM_FAULT_PAUSE", "assignments.insert")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "pim: paused at assignments.insert");
    c.pg_ctl(false);
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(status.code(), Some(1), "{rest}");
    assert!(
        rest.contains("error: PostgreSQL at pim_test_app@")
            && rest.contains(&format!("(socket in {})", c.dir.display())),
        "names the server: {rest}"
    );

    // Back up: nothing of the activation is there, not even the code it spent.
    c.pg_ctl(true);
    assert_eq!(pim.contents(), before);
    assert_eq!(pim.audit_count(), audits);
    pim.run(&["audit", "verify"]).ok();
    pim.run_as(Some(&user), &activate).ok();
}

#[test]
fn a_tenant_moves_from_a_file_to_a_server_and_back_with_its_log_intact() {
    let Some(c) = cluster() else { return };
    let mut file = Pim::sqlite();
    file.lab();
    file.login("admin").ok();
    file.make_eligible(None, "Security Reader", "pimuser").ok();
    let entries = file.audit_count();
    let from = file.db.display().to_string();
    let url = c.pim_db();

    let out = file
        .run(&["db", "copy", "--from", &from, "--to", &url, "--json"])
        .ok()
        .json();
    assert_eq!(out["audit_verified"], entries);
    assert_eq!(out["assignments_checked"], 2, "admin's and pimuser's");
    assert!(out["rows"].as_u64().unwrap() > 100, "{out}");

    // On the server the same people sign in with the same password and authenticator.
    let server = Pim {
        dir: tempfile::tempdir().unwrap(),
        db: url.clone().into(),
        accounts: file.accounts.clone(),
        pg: true,
    };
    server.login("pimuser").ok();
    let status = server.run(&["status", "--json"]).ok().json();
    assert_eq!(status["eligible"][0]["role"], "Security Reader");
    server.run(&["audit", "verify"]).ok();

    // And back to a new file, which verifies too.
    let back = file.dir.path().join("back.db");
    let back_s = back.display().to_string();
    let out = server
        .run(&["db", "copy", "--from", &url, "--to", &back_s, "--json"])
        .ok()
        .json();
    assert_eq!(
        out["audit_verified"],
        entries + 1,
        "pimuser's sign-in on the server too"
    );
    let again = Pim {
        dir: tempfile::tempdir().unwrap(),
        db: back.clone(),
        accounts: file.accounts.clone(),
        pg: false,
    };
    again.run(&["audit", "verify"]).ok();
    // Its text index holds the whole log (copied rows do not go through the batches).
    let (through, newest, found): (i64, i64, i64) = again
        .sql()
        .query_row(
            "SELECT (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'audit_text_through'),
                    (SELECT max(seq) FROM audit),
                    (SELECT count(*) FROM audit_text WHERE audit_text MATCH 'pimlab')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(through, newest);
    assert!(found > 0, "the index finds the accounts by name");

    // A target with a tenant, or a file that exists, is refused with nothing changed.
    let before = server.contents();
    file.run(&["db", "copy", "--from", &from, "--to", &url])
        .fails(
            1,
            "the target already holds the tenant pimlab.onmicrosoft.com",
        );
    assert_eq!(server.contents(), before);
    let bytes = std::fs::read(&back).unwrap();
    server
        .run(&["db", "copy", "--from", &url, "--to", &back_s])
        .fails(1, "already exists");
    assert_eq!(std::fs::read(&back).unwrap(), bytes);
    file.run(&["db", "copy", "--from", &from, "--to", &from])
        .fails(2, "the source and the target are the same database");
}

#[test]
fn tls_up_to_verify_full_checks_who_answers_and_names_what_failed() {
    let Some(c) = pim_console::store::pg::testing::Cluster::own_tls() else {
        return;
    };
    let ca = c.tls.clone().unwrap().display().to_string();
    let mut pim = Pim::on_cluster(&c);
    pim.lab();
    let (target, _) = pim_console::store::pg::PgTarget::parse(pim.db.to_str().unwrap()).unwrap();
    let db = target.dbname().to_owned();
    let over_tcp = |host: &str, mode: &str, root: &str| {
        format!(
            "postgres://pim_test_app@{host}:{}/{db}?sslmode={mode}&sslrootcert={root}",
            c.port
        )
    };
    let doctor = |url: &str| {
        let out = pim
            .command(None, &["doctor", "--json"])
            .env("PIM_DB", url)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    // The certificate names localhost, signed by the cluster's authority.
    for (host, mode) in [
        ("localhost", "verify-full"),
        ("127.0.0.1", "verify-ca"),
        ("127.0.0.1", "require"),
        ("127.0.0.1", "prefer"),
    ] {
        let (code, out) = doctor(&over_tcp(host, mode, &ca));
        assert_eq!(code, Some(0), "{host} {mode}: {out}");
    }
    // At 127.0.0.1 the certificate does not name the host; with another authority it is not
    // trusted at all; without any authority there is nothing to check it with.
    let (code, out) = doctor(&over_tcp("127.0.0.1", "verify-full", &ca));
    assert_eq!(code, Some(1));
    assert!(
        out.contains(&format!(
            "PostgreSQL at pim_test_app@127.0.0.1:{}/{db}",
            c.port
        )) && out.contains("certificate not valid for name"),
        "{out}"
    );
    let other = pim.dir.path().join("other-ca.crt");
    std::fs::copy(c.dir.join("server.crt"), &other).unwrap();
    let (code, out) = doctor(&over_tcp(
        "localhost",
        "verify-full",
        &other.display().to_string(),
    ));
    assert_eq!(code, Some(1));
    assert!(out.contains("UnknownIssuer"), "{out}");
    let (code, out) = doctor(&format!(
        "postgres://pim_test_app@localhost:{}/{db}?sslmode=verify-ca",
        c.port
    ));
    assert_eq!(code, Some(1));
    assert!(
        out.contains("checking the server's certificate needs a trusted authority"),
        "{out}"
    );
}

#[test]
fn checkpoints_hold_on_a_server_and_a_newer_schema_is_refused_untouched() {
    let Some(c) = cluster() else { return };
    let mut pim = Pim::on_cluster(c);
    pim.lab();
    pim.login("admin").ok();
    let json = pim.run(&["audit", "checkpoint", "--json"]).ok().json();
    let cp = json["checkpoint"].as_str().unwrap().to_owned();
    pim.run(&[
        "settings",
        "set",
        "Security Reader",
        "--require-ticket",
        "on",
    ])
    .ok();
    let run = pim.run(&["audit", "verify", "--checkpoint", &cp]).ok();
    assert!(
        run.stdout.contains("the log still extends entry #"),
        "{}",
        run.stdout
    );

    // The database's owner (the only one who can) turns the append-only trigger off and
    // rewrites the entry the checkpoint saw: the checkpoint kept elsewhere notices.
    let (target, _) = pim_console::store::pg::PgTarget::parse(pim.db.to_str().unwrap()).unwrap();
    let mut su = c.superuser(target.dbname()).unwrap();
    su.batch_execute(&format!(
        "ALTER TABLE pim.audit DISABLE TRIGGER audit_no_update;
         UPDATE pim.audit SET hash = 'forged' || hash WHERE seq = {};
         ALTER TABLE pim.audit ENABLE TRIGGER audit_no_update;",
        json["seq"]
    ))
    .unwrap();
    pim.run(&["audit", "verify", "--checkpoint", &cp])
        .fails(1, "is not the one the checkpoint saw");

    // A schema a newer pim wrote: refused, and left as it was.
    su.batch_execute("UPDATE pim.meta SET value = '2' WHERE key = 'schema_version'")
        .unwrap();
    let before = pim.contents();
    pim.run(&["status"]).fails(
        1,
        "it holds pim's schema version 2, written by a newer PIM Console (this pim understands up to 1); use a newer pim",
    );
    assert_eq!(pim.contents(), before);
}
