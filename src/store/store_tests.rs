//! Opening, migrating and refusing files.

use super::*;
use crate::audit::AuditEntry;
use crate::audit::chain::ChainFault;
use crate::store::repo::prelude::*;
use rusqlite::{OptionalExtension, params};

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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pim.db");
    drop(Store::open(&path, OpenMode::Create).unwrap());
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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pim.db");
    drop(Store::open(&path, OpenMode::Create).unwrap());
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
    audit::append(store.conn(), entry, "id-1".into()).unwrap();
    assert!(
        store
            .conn()
            .execute("UPDATE audit SET activity = 'x'", [])
            .is_err()
    );
    assert!(store.conn().execute("DELETE FROM audit", []).is_err());
    assert_eq!(
        audit::verify(store.conn(), &mut |_| {}, &|_, _| {})
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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    let conn = Connection::open(&path).unwrap();
    migrate::create_at_version(&conn, 1).unwrap();
    conn.execute_batch(
        "INSERT INTO tenant (id, domain, display_name, kind, created_at) VALUES ('t', 'old.onmicrosoft.com', 'Old', 'lab', 0);
         INSERT INTO audit (seq, id, time, activity, result, details, prev_hash, hash)
         VALUES (1, 'a', 0, 'Create tenant', 'success', '{\"assignment_id\":\"x1\"}', 'p', 'h');",
    )
    .unwrap();
    drop(conn);
    // pim wrote version 1 files owner-only too.
    files::set_mode(&path, files::FILE_MODE).unwrap();
    let store = Store::open(&path, OpenMode::Existing).unwrap();
    let version: i64 = store
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(
        tenant::get(store.conn()).unwrap().unwrap().domain,
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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    let conn = Connection::open(&path).unwrap();
    migrate::create_at_version(&conn, 2).unwrap();
    conn.execute_batch(
        "INSERT INTO users (id, upn, display_name, password_hash, totp_secret, created_at)
         VALUES ('u1', 'a@old.onmicrosoft.com', 'A', 'x', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 0);",
    )
    .unwrap();
    drop(conn);
    files::set_mode(&path, files::FILE_MODE).unwrap();
    let store = Store::open(&path, OpenMode::Existing).unwrap();
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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pim.db");
    drop(Store::open(&path, OpenMode::Create).unwrap());
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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    let conn = Connection::open(&path).unwrap();
    migrate::create_at_version(&conn, 3).unwrap();
    conn.execute_batch(
        "INSERT INTO roles (id, display_name, slug, description, privileged)
         VALUES ('r1', 'Role One', 'role-one', 'd', 0);
         INSERT INTO role_settings (role_id, max_activation_secs, require_mfa, require_justification,
             require_ticket, require_approval, allow_permanent_eligible, expire_eligible_days,
             allow_permanent_active, expire_active_days, require_mfa_on_active,
             require_justification_on_active)
         VALUES ('r1', 5400, 0, 1, 1, 0, 0, 90, 1, 15, 1, 0);",
    )
    .unwrap();
    drop(conn);
    files::set_mode(&path, files::FILE_MODE).unwrap();
    let store = Store::open(&path, OpenMode::Existing).unwrap();
    let s = settings::load(store.conn(), "r1").unwrap().settings;
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
    settings::save(store.conn(), "r1", &odd, None, None).unwrap();
    assert_eq!(settings::load(store.conn(), "r1").unwrap().settings, odd);
}

fn person(id: &str) -> crate::policy::model::Principal {
    crate::policy::model::Principal {
        id: id.into(),
        upn: format!("{id}@contoso.onmicrosoft.com"),
        display_name: id.to_uppercase(),
    }
}

/// Sequence numbers of a page, newest first.
fn page(conn: &Connection, f: &audit::Filter<'_>) -> Vec<i64> {
    audit::list(conn, f)
        .unwrap()
        .iter()
        .map(|r| r.seq)
        .collect()
}

#[test]
fn audit_search_finds_words_and_word_beginnings_in_every_text_field() {
    let store = Store::open_in_memory().unwrap();
    let (alice, bob) = (person("alice"), person("bob"));
    let t = crate::clock::from_unix(0);
    let entries = [
        AuditEntry::new(crate::audit::activity::Activity::ActivationCompleted, t)
            .by(&alice)
            .target(&bob),
        AuditEntry::new(crate::audit::activity::Activity::ActivationCompleted, t)
            .by(&bob)
            .justification(Some("Rotating the mail flow certificate")),
        AuditEntry::new(crate::audit::activity::Activity::ActivationCompleted, t).ticket(Some(
            &crate::policy::model::Ticket {
                number: "INC0042123".into(),
                system: "ServiceNow".into(),
            },
        )),
        AuditEntry::new(crate::audit::activity::Activity::ActivationCompleted, t)
            .detail("reason", "100% of 50_000 done"),
    ];
    for (i, e) in entries.into_iter().enumerate() {
        audit::append(store.conn(), e, format!("id-{i}")).unwrap();
    }
    let search = |text: &str| {
        page(
            store.conn(),
            &audit::Filter {
                text: Some(text),
                limit: 50,
                ..Default::default()
            },
        )
    };
    assert_eq!(search("bob@contoso"), vec![2, 1], "actor and target");
    assert_eq!(search("certif"), vec![2], "a word's beginning");
    assert_eq!(search("mail flow"), vec![2], "words in a row");
    assert_eq!(search("flow mail"), Vec::<i64>::new(), "in that order");
    assert_eq!(search("inc0042"), vec![3], "tickets, in any case");
    assert_eq!(search("100%"), vec![4], "LIKE's wildcards match literally");
    assert_eq!(search("50_0"), vec![4]);
    assert_eq!(search("%"), vec![4], "punctuation alone still searches");
    assert_eq!(search("nothing"), Vec::<i64>::new());
}

#[test]
fn a_users_entries_as_actor_and_target_are_merged_in_order_once_each() {
    let store = Store::open_in_memory().unwrap();
    let (alice, bob, carol) = (person("alice"), person("bob"), person("carol"));
    let t = crate::clock::from_unix(0);
    // seq 1..=8: who acted on whom.
    let pairs = [
        (&alice, &bob),
        (&bob, &bob),
        (&carol, &alice),
        (&bob, &carol),
        (&carol, &carol),
        (&carol, &bob),
        (&alice, &alice),
        (&bob, &alice),
    ];
    for (i, (by, on)) in pairs.into_iter().enumerate() {
        let e = AuditEntry::new(crate::audit::activity::Activity::ActivationCompleted, t)
            .by(by)
            .target(on);
        audit::append(store.conn(), e, format!("id-{i}")).unwrap();
    }
    let f = |limit, before_seq| audit::Filter {
        user: Some("bob"),
        limit,
        before_seq,
        ..Default::default()
    };
    assert_eq!(page(store.conn(), &f(50, None)), vec![8, 6, 4, 2, 1]);
    assert_eq!(page(store.conn(), &f(2, None)), vec![8, 6]);
    assert_eq!(page(store.conn(), &f(2, Some(6))), vec![4, 2]);
    let mut oldest_first = Vec::new();
    audit::for_each(store.conn(), &f(50, None), &mut |e| {
        oldest_first.push(e.record.seq);
        true
    })
    .unwrap();
    assert_eq!(oldest_first, vec![1, 2, 4, 6, 8]);
    // Another user's own view ("My audit") narrowed to bob: entries involving both.
    let both = audit::Filter {
        involving: Some("alice"),
        user: Some("bob"),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(page(store.conn(), &both), vec![8, 1]);
}

fn anchor_at(seq: i64) -> crate::audit::anchor::Anchor {
    crate::audit::anchor::Anchor {
        database_id: "ab12".into(),
        seq,
        hash: format!("{seq:064x}"),
        written: crate::clock::from_unix(1_800_000_000),
    }
}

#[test]
fn the_anchor_moves_in_place_and_a_torn_slot_falls_back_to_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.db.anchor");
    // An anchor as earlier versions wrote it reads, and is replaced whole.
    files::write_atomic_private(&path, anchor_at(3).to_text().as_bytes()).unwrap();
    assert_eq!(anchor::read(&path).unwrap().unwrap().unwrap().seq, 3);
    anchor::write(&path, &anchor_at(4)).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().len(), 1024);
    anchor::write(&path, &anchor_at(7)).unwrap();
    assert_eq!(anchor::read(&path).unwrap().unwrap().unwrap().seq, 7);
    // A crash tears the next write (slot of seq 8, the first): the other slot still reads.
    let mut bytes = fs::read(&path).unwrap();
    bytes[40..60].fill(b'x');
    fs::write(&path, &bytes).unwrap();
    assert_eq!(anchor::read(&path).unwrap().unwrap().unwrap().seq, 7);
    // Moving back (a restore) rewrites both slots, so the newer one cannot win.
    anchor::write(&path, &anchor_at(9)).unwrap();
    anchor::write(&path, &anchor_at(2)).unwrap();
    assert_eq!(anchor::read(&path).unwrap().unwrap().unwrap().seq, 2);
    // Both slots spoiled: not an anchor.
    fs::write(&path, vec![b'x'; 1024]).unwrap();
    assert_eq!(anchor::read(&path).unwrap(), Err(()));
}

#[test]
fn verify_finds_the_first_bad_entry_of_a_long_log_hashed_in_batches() {
    let store = Store::open_in_memory().unwrap();
    let t = crate::clock::from_unix(0);
    for i in 0..5000 {
        let e = AuditEntry::new(crate::audit::activity::Activity::ActivationCompleted, t)
            .justification(Some(&format!("n{i}")));
        audit::append(store.conn(), e, format!("id-{i}")).unwrap();
    }
    let check = || audit::verify(store.conn(), &mut |_| {}, &|_, _| {}).unwrap();
    let intact = check();
    assert_eq!((intact.verified, intact.fault.is_none()), (5000, true));
    let conn = store.conn();
    conn.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();
    // A later gap and an earlier edit: the edit is reported, as the first.
    conn.execute("DELETE FROM audit WHERE seq = 4100", [])
        .unwrap();
    conn.execute("UPDATE audit SET justification = 'x' WHERE seq = 3000", [])
        .unwrap();
    let v = check();
    assert_eq!(v.verified, 2999);
    let (fault, entry) = v.fault.unwrap();
    assert_eq!(fault, ChainFault::ContentChanged { seq: 3000 });
    assert_eq!(entry.record.seq, 3000);
    assert_eq!(Some(v.head), audit::hash_at(conn, 2999).unwrap());
    // Put the edit back: now the gap is the first fault.
    conn.execute(
        "UPDATE audit SET justification = 'n2999' WHERE seq = 3000",
        [],
    )
    .unwrap();
    let v = check();
    assert_eq!(v.verified, 4099);
    assert_eq!(
        v.fault.unwrap().0,
        ChainFault::Gap {
            expected: 4100,
            found: 4101
        }
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

/// One change to the assignments table, as any code path (or a hand edit) could make it.
#[derive(Debug, Clone)]
enum Change {
    Add {
        role: usize,
        eligible: bool,
        created: i64,
        end: Option<i64>,
        used: Option<i64>,
    },
    End(usize),
    Convert(usize),
    MoveRole(usize, usize),
    Delete(usize),
}

fn change() -> impl proptest::strategy::Strategy<Value = Change> {
    use proptest::prelude::*;
    let day = 86_400i64;
    prop_oneof![
        4 => (0..3usize, any::<bool>(), 0..60 * day, proptest::option::of(0..90 * day),
              proptest::option::of(0..70 * day))
            .prop_map(|(role, eligible, created, end, used)| Change::Add { role, eligible, created, end, used }),
        1 => (0..40usize).prop_map(Change::End),
        1 => (0..40usize).prop_map(Change::Convert),
        1 => (0..40usize, 0..3usize).prop_map(|(i, r)| Change::MoveRole(i, r)),
        1 => (0..40usize).prop_map(Change::Delete),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The unused-roles count kept by triggers and subtraction agrees, count and fingerprint,
    /// with counting every matching row, whatever inserts, ends, conversions, moves between
    /// roles and deletions came before.
    #[test]
    fn unused_roles_kept_by_triggers_agree_with_counting_every_row(
        changes in proptest::collection::vec(change(), 1..60),
        now_day in 30i64..80,
    ) {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        conn.execute_batch(
            "INSERT INTO roles (id, display_name, slug, description, privileged) VALUES
                 ('p1', 'Priv One', 'priv-one', '', 1), ('p2', 'Priv Two', 'priv-two', '', 1),
                 ('n1', 'Plain', 'plain', '', 0);",
        )
        .unwrap();
        let roles = ["p1", "p2", "n1"];
        let nth = |i: usize| -> Option<i64> {
            conn.query_row("SELECT rowid FROM assignments ORDER BY rowid LIMIT 1 OFFSET ?1", [i as i64], |r| r.get(0))
                .optional()
                .unwrap()
        };
        for (k, c) in changes.iter().enumerate() {
            match *c {
                Change::Add { role, eligible, created, end, used } => {
                    // One person per assignment, so no change below meets the one-current rule.
                    conn.execute(
                        "INSERT INTO users (id, upn, display_name, password_hash, created_at)
                         VALUES (?1, ?1 || '@contoso.onmicrosoft.com', ?1, 'x', 0)",
                        [format!("u{k}")],
                    )
                    .unwrap();
                    conn.execute(
                        "INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, end_at,
                             created_at, last_activated_at)
                         VALUES (?1, ?2, ?7, ?3, 'assigned', ?4, ?5, ?4, ?6)",
                        params![format!("a{k}"), roles[role], if eligible { "eligible" } else { "active" },
                                created, end.map(|e| created + e), used, format!("u{k}")],
                    )
                    .unwrap();
                }
                Change::End(i) => if let Some(id) = nth(i) {
                    conn.execute("UPDATE assignments SET ended_at = 1, end_reason = 'removed' WHERE rowid = ?1", [id]).unwrap();
                },
                Change::Convert(i) => if let Some(id) = nth(i) {
                    conn.execute(
                        "UPDATE assignments SET kind = CASE kind WHEN 'eligible' THEN 'active' ELSE 'eligible' END
                         WHERE rowid = ?1",
                        [id],
                    )
                    .unwrap();
                },
                Change::MoveRole(i, r) => if let Some(id) = nth(i) {
                    conn.execute("UPDATE assignments SET role_id = ?2 WHERE rowid = ?1", params![id, roles[r]])
                        .unwrap();
                },
                Change::Delete(i) => if let Some(id) = nth(i) {
                    conn.execute("DELETE FROM assignments WHERE rowid = ?1", [id]).unwrap();
                },
            }
        }
        let now = now_day * 86_400;
        let since = now - 30 * 86_400;
        let kept = alerts::unused_summary(conn, now, since).unwrap();
        let counted = alerts::summary(
            conn,
            alerts::UNUSED,
            "a.rowid",
            rusqlite::named_params! {":now": now, ":since": since},
            true,
        )
        .unwrap();
        proptest::prop_assert_eq!(kept, counted);
    }
}

#[test]
fn verify_in_stretches_on_several_readers_finds_what_one_reader_finds() {
    let dir = tempfile::tempdir().unwrap();
    let built = dir.path().join("built.db");
    let store = Store::open(&built, OpenMode::Create).unwrap();
    let t = crate::clock::from_unix(0);
    for i in 0..5000 {
        let mut e = AuditEntry::new(crate::audit::activity::Activity::ActivationCompleted, t)
            .justification(Some(&format!("n{i}")));
        if i % 7 == 0 {
            e = e.detail("assignment_id", format!("a{}", i % 40));
        }
        audit::append(store.conn(), e, format!("id-{i}")).unwrap();
    }
    // With two helpers the log is read in twelve stretches: 1..=416, 417..=833, and so on.
    let cases: &[(&str, &str)] = &[
        ("intact", ""),
        (
            "last of a stretch deleted",
            "DELETE FROM audit WHERE seq = 416",
        ),
        (
            "first of a stretch deleted",
            "DELETE FROM audit WHERE seq = 417",
        ),
        (
            "a stretch's first link broken",
            "UPDATE audit SET prev_hash = hash WHERE seq = 834",
        ),
        // Rewritten whole, its own hash right: only its link to the entry before is wrong.
        ("a stretch's first entry forged", "FORGE 834"),
        (
            "an edit late and a gap later",
            "UPDATE audit SET justification = 'x' WHERE seq = 4000; DELETE FROM audit WHERE seq = 4500",
        ),
        (
            "a gap early and an edit later",
            "DELETE FROM audit WHERE seq = 100; UPDATE audit SET justification = 'x' WHERE seq = 3000",
        ),
        (
            "a whole stretch gone",
            "DELETE FROM audit WHERE seq BETWEEN 834 AND 1250",
        ),
        (
            "the one before the head deleted",
            "DELETE FROM audit WHERE seq = 4999",
        ),
        (
            "an entry numbered 0",
            "INSERT INTO audit SELECT 0, 'extra', time, actor_id, actor, activity, role_id, role, target_id, target, justification, ticket_number, ticket_system, result, details, prev_hash, hash, real_time FROM audit WHERE seq = 1",
        ),
    ];
    for (i, (what, tamper)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("case{i}.db"));
        store
            .conn()
            .execute("VACUUM INTO ?1", [path.to_str().unwrap()])
            .unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;",
        )
        .unwrap();
        match tamper.strip_prefix("FORGE ") {
            Some(seq) => {
                let seq: i64 = seq.parse().unwrap();
                let entry = audit::get(&conn, seq).unwrap().unwrap();
                let prev = "0".repeat(64);
                let hash = crate::audit::chain::chain_hash(&prev, &entry.record);
                conn.execute(
                    "UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
                    params![seq, prev, hash],
                )
                .unwrap();
            }
            None => conn.execute_batch(tamper).unwrap(),
        }
        let run = |helpers: usize| {
            let subjects = std::sync::Mutex::new(Vec::new());
            let mut told = 0;
            let v = audit::verify_with(&conn, helpers, &mut |n| told = told.max(n), &|seq, d| {
                subjects.lock().unwrap().push((seq, d.to_owned()));
            })
            .unwrap();
            let mut subjects = subjects.into_inner().unwrap();
            subjects.sort();
            (v, subjects)
        };
        let (one, one_subjects) = run(0);
        let (many, many_subjects) = run(2);
        assert_eq!(many, one, "{what}");
        if one.fault.is_none() {
            assert_eq!(many_subjects, one_subjects, "{what}");
            assert_eq!(one_subjects.len(), 715, "{what}");
        }
        assert_eq!(i == 0, one.fault.is_none(), "{what}: {:?}", one.fault);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The sweep's one-statement question agrees with running its queries: something is past
    /// its end or due a reminder exactly when they find a row.
    #[test]
    fn anything_due_agrees_with_the_sweeps_own_queries(
        rows in proptest::collection::vec(
            (any_origin(), 0i64..40, proptest::option::of(0i64..40), proptest::bool::ANY,
             proptest::bool::ANY, proptest::bool::ANY),
            0..12,
        ),
        now_day in 0i64..40,
    ) {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        conn.execute_batch(
            "INSERT INTO roles (id, display_name, slug, description, privileged)
                 VALUES ('r1', 'Role', 'role', '', 0);",
        )
        .unwrap();
        let day = 86_400;
        for (k, (origin, created, end, ended, r14, r1)) in rows.iter().enumerate() {
            conn.execute(
                "INSERT INTO users (id, upn, display_name, password_hash, created_at)
                 VALUES (?1, ?1 || '@contoso.onmicrosoft.com', ?1, 'x', 0)",
                [format!("u{k}")],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, end_at,
                     created_at, ended_at, end_reason, reminded_14d, reminded_1d)
                 VALUES (?1, 'r1', ?2, 'active', ?3, ?4, ?5, ?4, ?6, ?7, ?8, ?9)",
                params![
                    format!("a{k}"), format!("u{k}"), origin, created * day,
                    end.map(|e| (created + 1 + e) * day),
                    ended.then_some(1), ended.then_some("removed"),
                    r14.then_some(1), r1.then_some(1)
                ],
            )
            .unwrap();
        }
        let now = crate::clock::from_unix(now_day * day);
        let leads = [(14 * day, "reminded_14d"), (day, "reminded_1d")];
        let asked = assignments::any_due(conn, now, leads).unwrap();
        let found = !assignments::due_for_expiry(conn, now, 1).unwrap().is_empty()
            || leads.iter().any(|(lead, column)| {
                !assignments::due_reminders(conn, column, *lead, now, 1).unwrap().is_empty()
            });
        proptest::prop_assert_eq!(asked, found);
    }
}

fn any_origin() -> impl proptest::strategy::Strategy<Value = &'static str> {
    proptest::prop_oneof![
        proptest::strategy::Just("assigned"),
        proptest::strategy::Just("activated")
    ]
}

#[test]
fn a_checked_schema_is_marked_and_a_hand_edit_still_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pim.db");
    drop(Store::open(&path, OpenMode::Create).unwrap());
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

#[test]
fn a_version_5_database_gets_its_alert_totals_and_lists_filled_on_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    let conn = Connection::open(&path).unwrap();
    migrate::create_at_version(&conn, 5).unwrap();
    conn.execute_batch(
        "INSERT INTO roles (id, display_name, slug, description, privileged) VALUES
             ('p1', 'Priv', 'priv', '', 1);
         INSERT INTO users (id, upn, display_name, password_hash, created_at) VALUES
             ('u1', 'u1@contoso.onmicrosoft.com', 'U1', 'x', 0),
             ('u2', 'u2@contoso.onmicrosoft.com', 'U2', 'x', 0);
         INSERT INTO assignments (id, role_id, principal_id, kind, origin, start_at, created_at)
             VALUES ('e1', 'p1', 'u1', 'eligible', 'assigned', 0, 0),
                    ('e2', 'p1', 'u2', 'eligible', 'assigned', 0, 0);
         INSERT INTO assignments (id, role_id, principal_id, kind, origin, activated_from, start_at,
                 end_at, created_at, ended_at, end_reason)
             VALUES ('x1', 'p1', 'u1', 'active', 'activated', 'e1', 100, 200, 100, 200, 'expired'),
                    ('x2', 'p1', 'u1', 'active', 'activated', 'e1', 500, 600, 500, 600, 'expired');
         INSERT INTO audit (seq, id, time, activity, result, details, prev_hash, hash) VALUES
             (1, 'a1', 0, 'Add eligible member to role in PIM completed (permanent)', 'success',
              '{\"assignment_id\":\"e1\"}', 'p', 'h1'),
             (2, 'a2', 0, 'Add eligible member to role in PIM requested (permanent)', 'failure',
              '{\"assignment_id\":\"e2\"}', 'h1', 'h2');",
    )
    .unwrap();
    drop(conn);
    files::set_mode(&path, files::FILE_MODE).unwrap();
    let store = Store::open(&path, OpenMode::Existing).unwrap();
    let conn = store.conn();
    let last = |id: &str| -> Option<i64> {
        conn.query_row(
            "SELECT last_activated_at FROM assignments WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(last("e1"), Some(500), "the newest activation");
    assert_eq!(last("e2"), None, "never activated");
    let unaudited: Vec<String> = conn
        .prepare("SELECT assignment_id FROM assignments_unaudited ORDER BY 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        unaudited,
        ["e2", "x1", "x2"],
        "only a successful entry counts as PIM's record"
    );
    let totals: (i64, i64) = conn
        .query_row(
            "SELECT items, rowid_sum FROM eligible_totals WHERE role_id = 'p1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let rowids: i64 = conn
        .query_row(
            "SELECT sum(rowid) FROM assignments WHERE kind = 'eligible'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(totals, (2, rowids));
    conn.execute(
        "INSERT INTO audit_text (audit_text, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .unwrap();
}
