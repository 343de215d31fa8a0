use super::testing::cluster;
use super::*;

fn target(url: &str) -> PgTarget {
    PgTarget::parse(url).expect("a valid address").0
}

#[test]
fn addresses_in_libpq_form_are_read() {
    let t = target("postgres://alice@db.example.org:6543/pim?sslmode=verify-full");
    assert_eq!(
        (t.host().as_str(), t.port(), t.user(), t.dbname()),
        ("db.example.org", 6543, "alice", "pim")
    );
    assert_eq!(t.ssl, SslMode::VerifyFull);
    assert_eq!(t.shown, "alice@db.example.org:6543/pim");

    let s = target("postgresql:///classroom?host=/run/pg&user=pim_app");
    assert_eq!(
        (s.host().as_str(), s.user(), s.dbname()),
        ("/run/pg", "pim_app", "classroom")
    );
    assert_eq!(s.ssl, SslMode::Prefer);
    assert_eq!(s.url(), "postgresql:///classroom?host=/run/pg&user=pim_app");
    let p =
        target("postgresql:///my%20db?host=/run/my%20pg&port=5433&user=pim_app&sslmode=disable");
    assert_eq!(p.dbname(), "my db");
    assert_eq!(
        p.url(),
        "postgresql:///my%20db?host=/run/my%20pg&port=5433&user=pim_app&sslmode=disable"
    );
    assert_eq!(target(&p.url()).dbname(), "my db");
    assert!(is_url("PostgreSQL://x/y") && is_url("postgres://h/d") && !is_url("lab.db"));
}

#[test]
fn a_bad_sslmode_or_address_is_refused_by_name() {
    let e = PgTarget::parse("postgres://h/d?sslmode=sometimes")
        .unwrap_err()
        .to_string();
    assert!(e.contains("sslmode=sometimes is not one of disable"), "{e}");
    let e = PgTarget::parse("postgres://h:notaport/d")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a PostgreSQL address"), "{e}");
}

#[test]
fn the_url_given_back_never_carries_a_password() {
    let t = target("postgres://alice:s3cret@db.example.org/pim?sslmode=require");
    assert!(!t.url().contains("s3cret") && !t.shown.contains("s3cret"));
    assert_eq!(
        t.url(),
        "postgresql://alice@db.example.org:5432/pim?sslmode=require"
    );
    assert_eq!(format!("{t:?}"), "alice@db.example.org:5432/pim");
}

#[test]
fn password_file_lines_match_like_libpq() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pgpass");
    std::fs::write(
        &file,
        "# comment\nother:5432:pim:alice:wrong\ndb.example.org:*:pim:alice:pa\\:ss\nlocalhost:5432:*:bob:sock\n",
    )
    .unwrap();
    let open = |mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    open(0o600);
    let t = target("postgres://alice@db.example.org:7000/pim");
    assert_eq!(password_from_file(&file, &t).as_deref(), Some("pa:ss"));
    let s = target("postgresql:///anything?host=/run/pg&user=bob");
    assert_eq!(password_from_file(&file, &s).as_deref(), Some("sock"));
    let none = target("postgres://carol@db.example.org/pim");
    assert_eq!(password_from_file(&file, &none), None);
    open(0o644);
    assert_eq!(
        password_from_file(&file, &t),
        None,
        "a file others can read is ignored"
    );
}

#[test]
fn an_unreachable_server_is_named_with_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("postgresql:///pim?host={}&user=pim", dir.path().display());
    let e = target(&url).connect().err().unwrap().to_string();
    assert!(e.starts_with("PostgreSQL at pim@pim (socket in"), "{e}");
    assert!(e.contains("No such file") || e.contains("connect"), "{e}");
    let e = target("postgres://pim@127.0.0.1:1/pim?sslmode=disable")
        .connect()
        .err()
        .unwrap()
        .to_string();
    assert!(e.starts_with("PostgreSQL at pim@127.0.0.1:1/pim:"), "{e}");
    assert!(e.to_lowercase().contains("refused"), "{e}");
}

/// Every table and pim's meta of a database, to show that a refusal changed nothing.
fn shape(c: &mut postgres::Client) -> Vec<String> {
    c.query(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
         UNION ALL SELECT 'meta ' || key || '=' || value FROM pim.meta
         ORDER BY 1",
        &[],
    )
    .or_else(|_| {
        c.query(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables
             WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
            &[],
        )
    })
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn init_makes_the_schema_and_a_role_that_can_only_add_to_the_audit_log() {
    let Some(c) = cluster() else { return };
    let db = c.fresh_db();
    let owner = target(&c.url(&db));
    let made = init(&owner, &format!("{db}_app"), "pw-1").unwrap();
    assert_eq!(made.schema_version, PG_SCHEMA_VERSION);
    assert!(made.url.contains(&format!("user={db}_app")), "{}", made.url);

    let mut as_app = target(&made.url);
    as_app.config.password("wrong");
    let e = as_app.connect().err().unwrap().to_string();
    assert!(
        e.contains(&format!(
            "password authentication failed for user \"{db}_app\""
        )),
        "{e}"
    );
    as_app.config.password("pw-1");
    let mut app = as_app.connect().unwrap();
    let role: String = app.query_one("SELECT current_user", &[]).unwrap().get(0);
    assert_eq!(role, format!("{db}_app"));
    app.batch_execute(
        "INSERT INTO audit (seq, id, time, activity, result, details, prev_hash, hash)
         VALUES (1, 'a1', 0, 'Add member to role', 'success', '{\"assignment_id\":\"x\"}', '', 'h')",
    )
    .unwrap();
    let subject: String = app
        .query_one("SELECT subject_id FROM audit WHERE id = 'a1'", &[])
        .unwrap()
        .get(0);
    assert_eq!(subject, "x");
    for change in [
        "UPDATE audit SET result = 'failure'",
        "DELETE FROM audit",
        "TRUNCATE audit",
    ] {
        let e = app.batch_execute(change).unwrap_err();
        assert_eq!(
            e.code(),
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{change}: {e}"
        );
    }
    let mut su = c.superuser(&db).unwrap();
    let e = su
        .batch_execute("UPDATE pim.audit SET result = 'failure'")
        .unwrap_err();
    let e = pg_reason(&e);
    assert!(e.contains("append-only"), "even the owner: {e}");
    let n: i64 = su
        .query_one(
            "SELECT count(*) FROM pim.audit WHERE result = 'success'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    // pim's role may not make tables of its own or touch other schemas.
    assert!(
        app.batch_execute("CREATE TABLE public.mine (x int)")
            .is_err()
    );
}

#[test]
fn init_runs_once_and_changes_nothing_when_refused() {
    let Some(c) = cluster() else { return };
    let db = c.fresh_db();
    let owner = target(&c.url(&db));
    init(&owner, &format!("{db}_app"), "pw").unwrap();
    let mut su = c.superuser(&db).unwrap();
    let before = shape(&mut su);
    let e = init(&owner, &format!("{db}_other"), "pw")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("set up for pim already (schema version 1)"),
        "{e}"
    );
    assert_eq!(shape(&mut su), before);

    su.batch_execute("UPDATE pim.meta SET value = '99' WHERE key = 'schema_version'")
        .unwrap();
    let e = init(&owner, &format!("{db}_other"), "pw")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("schema version 99, written by a newer PIM Console"),
        "{e}"
    );

    su.batch_execute("UPDATE pim.meta SET value = 'someone-else' WHERE key = 'application'")
        .unwrap();
    let e = init(&owner, &format!("{db}_other"), "pw")
        .unwrap_err()
        .to_string();
    assert!(e.contains("belongs to another program"), "{e}");
    let other: bool = su
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&format!("{db}_other")],
        )
        .unwrap()
        .get(0);
    assert!(!other, "no role was made by a refused init");
}

#[test]
fn init_refuses_a_database_that_belongs_to_someone_else() {
    let Some(c) = cluster() else { return };
    let db = c.fresh_db();
    let mut su = c.superuser(&db).unwrap();
    su.batch_execute("CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (1)")
        .unwrap();
    let before = shape(&mut su);
    let e = init(&target(&c.url(&db)), "pim_app", "pw")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("already holds 1 tables of another program"),
        "{e}"
    );
    assert!(
        e.starts_with(&format!("PostgreSQL at postgres@{db} (socket in")),
        "{e}"
    );
    assert_eq!(shape(&mut su), before);
    let e = init(&target(&c.url(&db)), "Robert'); DROP", "pw")
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not a role name pim makes"), "{e}");
}

#[test]
fn a_change_committed_on_one_connection_is_heard_on_another() {
    use crate::store::Database;
    let Some(c) = cluster() else { return };
    let url = c.pim_db();
    let anchors = tempfile::tempdir().unwrap();
    let open = || super::testing::open_pim_db(&url, anchors.path()).unwrap();
    let (mut one, two) = (open(), open());
    let seen = two.data_version().unwrap();
    assert_eq!(two.data_version().unwrap(), seen, "nothing changed yet");
    let tx = one.write().unwrap();
    tx.set_real_time_mark(crate::clock::from_unix(1_900_000_000))
        .unwrap();
    tx.commit().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(
        two.data_version().unwrap() > seen,
        "the other connection heard of it"
    );
    let now = two.data_version().unwrap();
    // Its own changes and empty transactions tell no one.
    one.write().unwrap().commit().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(two.data_version().unwrap(), now);
}
