//! Opening, migrating and refusing files.

use super::*;

#[test]
fn migrates_from_empty_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pim.db");
    let store = Store::open(&path, OpenMode::Create).unwrap();
    let version: i64 = store
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let app: i32 = store
        .conn()
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, APPLICATION_ID);
    drop(store);
    let again = Store::open(&path, OpenMode::Existing).unwrap();
    let mode: String = again
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = again
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    let sync: i64 = again
        .conn()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
}

#[cfg(unix)]
#[test]
fn new_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/pim.db");
    Store::open(&path, OpenMode::Create).unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = fs::metadata(path.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
}

#[test]
fn a_missing_file_is_not_created_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.db");
    assert!(matches!(
        Store::open(&path, OpenMode::Existing),
        Err(StoreError::Missing(_))
    ));
    assert!(!path.exists());
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    fs::write(&path, "my precious notes, not a database at all").unwrap();
    let err = Store::open(&path, OpenMode::Create).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase(_)), "{err}");
    assert!(err.to_string().contains("refusing to touch it"));
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "my precious notes, not a database at all"
    );
}

#[test]
fn another_programs_sqlite_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let other = Connection::open(&path).unwrap();
    other
        .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');")
        .unwrap();
    drop(other);
    let err = Store::open(&path, OpenMode::Create).unwrap_err();
    assert!(matches!(err, StoreError::Foreign(_)), "{err}");
    let other = Connection::open(&path).unwrap();
    let body: String = other
        .query_row("SELECT body FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(body, "keep me");
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pim.db");
    let store = Store::open(&path, OpenMode::Create).unwrap();
    store
        .conn()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(store);
    let err = Store::open(&path, OpenMode::Existing).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
    assert!(err.to_string().contains("newer PIM Console"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_database_others_can_reach_is_refused_and_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, path) = new_database();
    for mode in [0o666, 0o644, 0o660, 0o664, 0o640] {
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let err = Store::open(&path, OpenMode::Existing).unwrap_err();
        assert!(matches!(err, StoreError::Unsafe { .. }), "{err}");
        assert!(err.to_string().contains("chmod 600"), "{mode:o}: {err}");
        let after = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(after, mode, "pim never changes the file's mode by itself");
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let err = Store::open(&path, OpenMode::Existing).unwrap_err();
    assert!(
        err.to_string().contains("other users can write to"),
        "{err}"
    );
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
    let link = dir.path().join("link.db");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let err = Store::open(&link, OpenMode::Existing).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    Store::open(&path, OpenMode::Existing).unwrap();
}

#[cfg(unix)]
#[test]
fn a_database_owned_by_another_user_is_refused() {
    use std::os::unix::fs::MetadataExt;
    let (_dir, path) = new_database();
    let me = fs::metadata(&path).unwrap().uid();
    if me != 0 {
        // Giving a file away needs root; the check is exercised where the tests run as root.
        return;
    }
    rustix::fs::chown(&path, Some(rustix::process::Uid::from_raw(4242)), None).unwrap();
    let err = Store::open(&path, OpenMode::Existing).unwrap_err();
    assert!(
        err.to_string()
            .contains("belongs to another user (uid 4242)"),
        "{err}"
    );
}

#[test]
fn foreign_keys_are_enforced() {
    let store = Store::open_in_memory().unwrap();
    let err = store
        .conn()
        .execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('h', 'no-such-user', 0, 1)",
            [],
        )
        .unwrap_err();
    assert_eq!(
        err.sqlite_error_code(),
        Some(ErrorCode::ConstraintViolation)
    );
}

#[test]
fn the_audit_table_refuses_updates_and_deletes() {
    let store = Store::open_in_memory().unwrap();
    let entry = crate::audit::AuditEntry::new(
        crate::audit::activity::Activity::TenantCreated,
        crate::clock::from_unix(0),
    );
    audit::append(store.conn().into(), entry, "id-1".into()).unwrap();
    assert!(
        store
            .conn()
            .execute("UPDATE audit SET activity = 'x'", [])
            .is_err()
    );
    assert!(store.conn().execute("DELETE FROM audit", []).is_err());
    assert_eq!(
        audit::verify(store.conn().into(), &mut |_| {}, &|_, _| {})
            .unwrap()
            .verified,
        1
    );
}

#[test]
fn a_failed_transaction_leaves_nothing_behind() {
    let mut store = Store::open_in_memory().unwrap();
    {
        let tx = store.write().unwrap();
        let entry = crate::audit::AuditEntry::new(
            crate::audit::activity::Activity::TenantCreated,
            crate::clock::from_unix(0),
        );
        tx.append_audit(entry, "id-1".into()).unwrap();
        // dropped without commit: rolled back
    }
    let n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn a_version_1_database_is_upgraded_with_its_data() {
    let (_dir, path, conn) = at_version(
        1,
        "INSERT INTO tenant (id, domain, display_name, kind, created_at) VALUES ('t', 'old.onmicrosoft.com', 'Old', 'lab', 0);
         INSERT INTO audit (seq, id, time, activity, result, details, prev_hash, hash)
         VALUES (1, 'a', 0, 'Create tenant', 'success', '{\"assignment_id\":\"x1\"}', 'p', 'h');",
    );
    let store = upgraded(&path, conn);
    let version: i64 = store
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(
        tenant::get(store.conn().into()).unwrap().unwrap().domain,
        "old.onmicrosoft.com"
    );
    let subject: String = store
        .conn()
        .query_row("SELECT subject_id FROM audit WHERE seq = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(subject, "x1", "the generated column reads old rows too");
    let found: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_text WHERE audit_text MATCH '\"tenant\"'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, 0, "activity names are not searched as text");
    let found: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_text WHERE audit_text MATCH '\"x1\"'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, 1, "older entries are searchable after the upgrade");
}

#[test]
fn a_failing_migration_leaves_the_old_version() {
    let mut conn = Connection::open_in_memory().unwrap();
    migrate::create_at_version(&conn, 1).unwrap();
    conn.execute_batch("CREATE TABLE alert_settings (x)")
        .unwrap();
    let err =
        migrate::migrate(&mut conn, std::path::Path::new(":memory:"), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("alert_settings"), "{err}");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
    let cols: i64 = conn
        .query_row(
            "SELECT count(*) FROM pragma_table_info('requests') WHERE name = 'duration_secs'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(cols, 0, "the partial upgrade rolled back");
}

#[cfg(unix)]
#[test]
fn secrets_of_an_older_database_are_sealed_on_open_and_the_clear_copy_erased() {
    let (_dir, path, conn) = at_version(
        2,
        "INSERT INTO users (id, upn, display_name, password_hash, totp_secret, created_at)
         VALUES ('u1', 'a@old.onmicrosoft.com', 'A', 'x', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 0);",
    );
    let store = upgraded(&path, conn);
    let (plain, sealed): (Option<String>, Option<Vec<u8>>) = store
        .conn()
        .query_row(
            "SELECT totp_secret, totp_sealed FROM users WHERE id = 'u1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(plain, None);
    let opened = store.sealer().open(&sealed.unwrap(), "u1").unwrap();
    assert_eq!(opened.as_str(), "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    let key = keys::key_path(&path);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    drop(store);
    let bytes = fs::read(&path).unwrap();
    assert!(
        !bytes
            .windows(32)
            .any(|w| w == b"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
        "no clear copy is left in the file"
    );
}

#[test]
fn without_its_key_a_database_opens_but_cannot_seal_or_open_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pim.db");
    let store = Store::open(&path, OpenMode::Create).unwrap();
    let sealed = store.sealer().seal("SECRET", "u1").unwrap();
    store
        .conn()
        .execute(
            "INSERT INTO users (id, upn, display_name, password_hash, totp_sealed, created_at)
             VALUES ('u1', 'a@x.onmicrosoft.com', 'A', 'x', ?1, 0)",
            [&sealed],
        )
        .unwrap();
    drop(store);
    let key = keys::key_path(&path);
    let kept = fs::read(&key).unwrap();
    fs::remove_file(&key).unwrap();
    let store = Store::open(&path, OpenMode::Existing).unwrap();
    assert!(!key.exists(), "no new key replaces the lost one");
    assert!(matches!(
        store.sealer().open(&sealed, "u1"),
        Err(keys::Unsealed::KeyMissing(Some(_)))
    ));
    let err = store.sealer().seal("X", "u2").unwrap_err();
    assert!(err.to_string().contains(".key"), "{err}");
    drop(store);
    fs::write(&key, kept).unwrap();
    files::set_mode(&key, files::FILE_MODE).unwrap();
    let other = dir.path().join("other.db");
    drop(Store::open(&other, OpenMode::Create).unwrap());
    fs::copy(keys::key_path(&other), &key).unwrap();
    let err = Store::open(&path, OpenMode::Existing).unwrap_err();
    assert!(err.to_string().contains("key of another database"), "{err}");
}

#[test]
fn a_schema_edited_by_hand_is_refused_without_sql_in_the_message() {
    let (_dir, path) = new_database();
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE alert_dismissals").unwrap();
    drop(conn);
    let err = Store::open(&path, OpenMode::Existing).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("a schema this pim does not know"), "{text}");
    assert!(text.contains("alert_dismissals.fingerprint"), "{text}");
    assert!(!text.to_uppercase().contains("SELECT"), "{text}");
}

#[cfg(unix)]
#[test]
fn role_settings_keep_their_values_through_the_version_4_rebuild() {
    let (_dir, path, conn) = at_version(
        3,
        "INSERT INTO roles (id, display_name, slug, description, privileged)
         VALUES ('r1', 'Role One', 'role-one', 'd', 0);
         INSERT INTO role_settings (role_id, max_activation_secs, require_mfa, require_justification,
             require_ticket, require_approval, allow_permanent_eligible, expire_eligible_days,
             allow_permanent_active, expire_active_days, require_mfa_on_active,
             require_justification_on_active)
         VALUES ('r1', 5400, 0, 1, 1, 0, 0, 90, 1, 15, 1, 0);",
    );
    let store = upgraded(&path, conn);
    let s = settings::load(store.conn().into(), "r1").unwrap().settings;
    assert_eq!(s.max_activation, chrono::TimeDelta::minutes(90));
    assert!(!s.require_mfa && s.require_justification && s.require_ticket);
    assert_eq!(s.expire_eligible_after.days(), 90);
    assert_eq!(s.expire_active_after.days(), 15);
    assert!(s.require_mfa_on_active && !s.require_justification_on_active);
    assert!(!s.require_mfa_on_eligible && !s.require_justification_on_eligible);
    let odd = crate::policy::settings::RoleSettings {
        max_activation: chrono::TimeDelta::minutes(105),
        expire_eligible_after: crate::policy::settings::ExpireAfter::from_days(270).unwrap(),
        ..s
    };
    settings::save(store.conn().into(), "r1", &odd, None, None).unwrap();
    assert_eq!(
        settings::load(store.conn().into(), "r1").unwrap().settings,
        odd
    );
}

#[test]
fn an_upgrade_tells_each_migration_before_it_runs_and_a_new_database_tells_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let conn = Connection::open(&path).unwrap();
    migrate::create_at_version(&conn, 4).unwrap();
    drop(conn);
    files::set_mode(&path, files::FILE_MODE).unwrap();
    let mut told = Vec::new();
    Store::open_with(&path, OpenMode::Existing, &mut |u| told.push(u)).unwrap();
    let steps: Vec<(i64, i64, i64)> = told.iter().map(|u| (u.from, u.to, u.target)).collect();
    assert_eq!(
        steps,
        (5..=SCHEMA_VERSION)
            .map(|to| (4, to, SCHEMA_VERSION))
            .collect::<Vec<_>>()
    );
    let mut told = Vec::new();
    Store::open_with(&path, OpenMode::Existing, &mut |u| told.push(u)).unwrap();
    assert!(told.is_empty(), "already upgraded");
    let fresh = dir.path().join("new.db");
    Store::open_with(&fresh, OpenMode::Create, &mut |u| told.push(u)).unwrap();
    assert!(told.is_empty(), "created, not upgraded");
}

#[test]
fn a_checked_schema_is_marked_and_a_hand_edit_still_found() {
    let (_dir, path) = new_database();
    let conn = Connection::open(&path).unwrap();
    let mark: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_checked'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let cookie: i64 = conn
        .query_row("PRAGMA schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mark, cookie.to_string(), "the check passed and was marked");
    // A column gone by hand moves the cookie: the whole check runs again and refuses it.
    conn.execute_batch("ALTER TABLE alert_dismissals DROP COLUMN fingerprint")
        .unwrap();
    drop(conn);
    let err = Store::open(&path, OpenMode::Existing)
        .unwrap_err()
        .to_string();
    assert!(err.contains("alert_dismissals.fingerprint"), "{err}");
}

/// The write-ahead log's size in pages (0 when there is none).
fn log_pages(path: &Path) -> u64 {
    log_size(path).map_or(0, |n| {
        n.saturating_sub(log_bytes(0)) / (log_bytes(1) - log_bytes(0))
    })
}

/// A database file made at schema `version` and holding `rows`, still open on a connection of
/// its own (the file lasts as long as the directory, the first value).
pub(super) fn at_version(version: usize, rows: &str) -> (tempfile::TempDir, PathBuf, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("v{version}.db"));
    let conn = Connection::open(&path).unwrap();
    migrate::create_at_version(&conn, version).unwrap();
    conn.execute_batch(rows).unwrap();
    (dir, path, conn)
}

/// Closes `conn` and opens its file as pim does, which upgrades it to the current schema (the
/// file owner-only, as every version of pim wrote it).
pub(super) fn upgraded(path: &Path, conn: Connection) -> Store {
    drop(conn);
    files::set_mode(path, files::FILE_MODE).unwrap();
    Store::open(path, OpenMode::Existing).unwrap()
}

/// A new database in a directory of its own, closed again.
fn new_database() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pim.db");
    drop(Store::open(&path, OpenMode::Create).unwrap());
    (dir, path)
}

/// One process's change of about `pages` pages, through a store opened for it.
fn change_in_its_own_process(path: &Path, n: usize, pages: usize) {
    let mut store = Store::open(path, OpenMode::Existing).unwrap();
    let tx = store.write().unwrap();
    tx.raw()
        .exec(
            "INSERT INTO meta (key, value) VALUES (?1, hex(randomblob(?2)))",
            crate::args![format!("filler-{n}"), (pages * 2000) as i64],
        )
        .unwrap();
    tx.commit().unwrap();
}

#[test]
fn the_log_is_kept_between_processes_and_folded_by_the_writer_that_passes_the_limit() {
    let (_dir, path) = new_database();
    let mut most = 0;
    for n in 0..40 {
        change_in_its_own_process(&path, n, 20);
        let pages = log_pages(&path);
        most = most.max(pages);
        // Never more than the limit plus the one change that passed it.
        assert!(
            pages <= FOLD_PAGES + 30,
            "the log holds {pages} pages after change {n}"
        );
    }
    assert!(
        most > 20,
        "a small change stays in the log, not copied again"
    );
    // Every change is there, whether in the log or already in the file.
    let store = Store::open(&path, OpenMode::Existing).unwrap();
    let kept: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM meta WHERE key LIKE 'filler-%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 40);
}

#[test]
fn a_reader_never_folds_the_log_however_long_it_is() {
    let (_dir, path) = new_database();
    // A writer that ends without folding (as a crash would leave it), past the limit.
    {
        let raw = Connection::open(&path).unwrap();
        configure(&raw).unwrap();
        raw.execute(
            "INSERT INTO meta (key, value) VALUES ('filler', hex(randomblob(?1)))",
            [(FOLD_PAGES as i64 + 50) * 2000],
        )
        .unwrap();
    }
    let before = (fs::read(&path).unwrap(), log_pages(&path));
    assert!(before.1 > FOLD_PAGES);
    let reader = Store::open(&path, OpenMode::Existing).unwrap();
    let n: i64 = reader
        .conn()
        .query_row("SELECT count(*) FROM meta", [], |r| r.get(0))
        .unwrap();
    assert!(n > 0);
    drop(reader);
    assert_eq!(
        (fs::read(&path).unwrap(), log_pages(&path)),
        before,
        "the reader wrote nothing"
    );
    // The next writer folds it, and what was in the log is in the file.
    change_in_its_own_process(&path, 0, 1);
    assert_eq!(log_pages(&path), 0);
    let raw =
        Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let filler: i64 = raw
        .query_row(
            "SELECT count(*) FROM meta WHERE key IN ('filler', 'filler-0')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(filler, 2);
}

#[test]
fn folding_leaves_a_busy_log_to_a_later_writer_instead_of_waiting() {
    let (_dir, path) = new_database();
    // Another terminal in the middle of a read holds the log where it is.
    let other = Store::open(&path, OpenMode::Existing).unwrap();
    other.conn().execute_batch("BEGIN").unwrap();
    let _: i64 = other
        .conn()
        .query_row("SELECT count(*) FROM meta", [], |r| r.get(0))
        .unwrap();
    change_in_its_own_process(&path, 0, FOLD_PAGES as usize + 10);
    assert!(
        log_pages(&path) > FOLD_PAGES,
        "left for later, not waited on"
    );
    other.conn().execute_batch("COMMIT").unwrap();
    drop(other);
    change_in_its_own_process(&path, 1, 1);
    assert_eq!(log_pages(&path), 0, "the next writer folded it");
}

#[test]
fn a_console_that_changed_something_folds_the_log_whatever_its_length_when_it_closes() {
    let (_dir, path) = new_database();
    change_in_its_own_process(&path, 0, 2);
    assert!(log_pages(&path) > 0, "a small change stays in the log");
    // A console that only read leaves it where it is.
    let reader = Store::open(&path, OpenMode::Existing).unwrap();
    reader.fold_on_close();
    drop(reader);
    assert!(log_pages(&path) > 0);
    let mut console = Store::open(&path, OpenMode::Existing).unwrap();
    console.fold_on_close();
    let tx = console.write().unwrap();
    tx.raw()
        .exec(
            "INSERT INTO meta (key, value) VALUES ('console', 'x')",
            crate::args![],
        )
        .unwrap();
    tx.commit().unwrap();
    drop(console);
    assert_eq!(log_pages(&path), 0, "folded on close");
}

#[test]
fn a_version_9_database_keeps_its_text_index_and_batches_it_from_then_on() {
    let (_dir, path, conn) = at_version(
        9,
        "INSERT INTO audit (seq, id, time, activity, result, details, prev_hash, hash, justification)
         VALUES (1, 'a', 0, 'Create tenant', 'success', '{}', 'p', 'h1', 'first words'),
                (2, 'b', 0, 'Create tenant', 'success', '{}', 'h1', 'h2', 'second words');",
    );
    let store = upgraded(&path, conn);
    let (through, found, trigger): (i64, i64, i64) = store
        .conn()
        .query_row(
            "SELECT (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'audit_text_through'),
                    (SELECT count(*) FROM audit_text WHERE audit_text MATCH '\"words\"'),
                    (SELECT count(*) FROM sqlite_schema WHERE name = 'audit_text_append')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (through, found, trigger),
        (2, 2, 0),
        "the index held both entries, and says so; no trigger adds to it one by one"
    );
}
