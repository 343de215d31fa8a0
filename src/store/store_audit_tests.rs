//! The audit log in the store: search, merged pages, the anchor file, and verification.

use super::*;
use crate::audit::AuditEntry;
use crate::audit::chain::ChainFault;
use rusqlite::params;

fn person(id: &str) -> crate::policy::model::Principal {
    crate::policy::model::Principal {
        id: id.into(),
        upn: format!("{id}@contoso.onmicrosoft.com"),
        display_name: id.to_uppercase(),
    }
}

/// Sequence numbers of a page, newest first.
fn page(conn: &Connection, f: &audit::Filter<'_>) -> Vec<i64> {
    audit::list(conn.into(), f)
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
        audit::append(store.conn().into(), e, format!("id-{i}")).unwrap();
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
        audit::append(store.conn().into(), e, format!("id-{i}")).unwrap();
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
    audit::for_each(store.conn().into(), &f(50, None), &mut |e| {
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
fn advancing_the_anchor_after_a_commit_never_moves_it_back_or_onto_another_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.db.anchor");
    let seq = || anchor::read(&path).unwrap().unwrap().unwrap().seq;
    anchor::advance(&path, &anchor_at(5)).unwrap();
    assert_eq!(seq(), 5, "a missing anchor is written");
    anchor::advance(&path, &anchor_at(8)).unwrap();
    assert_eq!(seq(), 8);
    // A terminal that committed #6 writes after the one that committed #8: #8 stays.
    anchor::advance(&path, &anchor_at(6)).unwrap();
    assert_eq!(seq(), 8);
    // Nor does an anchor of another database or a spoiled file get replaced this way.
    let mut other = anchor_at(20);
    other.database_id = "cd34".into();
    anchor::advance(&path, &other).unwrap();
    assert_eq!(seq(), 8);
    fs::write(&path, vec![b'x'; 1024]).unwrap();
    anchor::advance(&path, &anchor_at(9)).unwrap();
    assert_eq!(anchor::read(&path).unwrap(), Err(()));
}

#[test]
fn verify_finds_the_first_bad_entry_of_a_long_log_hashed_in_batches() {
    let store = Store::open_in_memory().unwrap();
    let t = crate::clock::from_unix(0);
    for i in 0..5000 {
        let e = AuditEntry::new(crate::audit::activity::Activity::ActivationCompleted, t)
            .justification(Some(&format!("n{i}")));
        audit::append(store.conn().into(), e, format!("id-{i}")).unwrap();
    }
    let check = || audit::verify(store.conn().into(), &mut |_| {}, &|_, _| {}).unwrap();
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
    assert_eq!(Some(v.head), audit::hash_at(conn.into(), 2999).unwrap());
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
        audit::append(store.conn().into(), e, format!("id-{i}")).unwrap();
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
                let entry = audit::get((&conn).into(), seq).unwrap().unwrap();
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
            let v = audit::verify_with(
                (&conn).into(),
                helpers,
                &mut |n| told = told.max(n),
                &|seq, d| {
                    subjects.lock().unwrap().push((seq, d.to_owned()));
                },
            )
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

/// The text index's newest entry (`meta`), and how many entries it finds by `word`.
fn text_index(conn: &Connection, word: &str) -> (i64, i64) {
    conn.query_row(
        "SELECT (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'audit_text_through'),
                (SELECT count(*) FROM audit_text WHERE audit_text MATCH ?1)",
        [format!("\"{word}\"")],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

fn fts_integrity(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO audit_text (audit_text, rank) VALUES ('integrity-check', 1)",
        [],
    )
}

#[test]
fn the_text_index_trails_the_log_by_a_batch_at_most_and_search_finds_entries_on_both_sides_alike() {
    let store = Store::open_in_memory().unwrap();
    let t = crate::clock::from_unix(0);
    let n = audit::TEXT_BATCH * 2 + 10;
    for i in 1..=n {
        let e = AuditEntry::new(crate::audit::activity::Activity::ActivationCompleted, t)
            .justification(Some(&format!("Rotating cert{i:03} at the café")));
        audit::append(store.conn().into(), e, format!("id-{i}")).unwrap();
    }
    // Two batches indexed, ten entries after them not yet.
    assert_eq!(
        text_index(store.conn(), "rotating"),
        (audit::TEXT_BATCH * 2, audit::TEXT_BATCH * 2)
    );
    let search = |text: &str| {
        page(
            store.conn(),
            &audit::Filter {
                text: Some(text),
                limit: 500,
                ..Default::default()
            },
        )
    };
    let (indexed, tail) = (5, n - 3);
    assert_eq!(search("cert005"), vec![indexed], "an indexed entry");
    assert_eq!(
        search(&format!("cert{tail}")),
        vec![tail],
        "one after the index"
    );
    // The same rules on both sides: a word's beginning, not its middle (which LIKE alone
    // would find), and accents as the index folds them.
    assert_eq!(search("ert005"), Vec::<i64>::new());
    assert_eq!(search(&format!("ert{tail}")), Vec::<i64>::new());
    assert_eq!(search("café").len(), usize::try_from(n).unwrap());
    assert_eq!(
        search("cert1").len(),
        39,
        "cert100 to cert138, both sides, newest first"
    );
    assert_eq!(search("cert1")[0], n);
    // A search reads; it leaves the database as it was.
    assert_eq!(
        text_index(store.conn(), "rotating").0,
        audit::TEXT_BATCH * 2
    );
    // While the index trails, SQLite's own check passes, and so does FTS5's check of the index
    // itself; only FTS5's comparison with the whole log (rank 1) objects (README, "Look after
    // the database").
    let check: String = store
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    store
        .conn()
        .execute(
            "INSERT INTO audit_text (audit_text) VALUES ('integrity-check')",
            [],
        )
        .unwrap();
    assert!(fts_integrity(store.conn()).is_err());

    audit::index_all_text(store.conn().into()).unwrap();
    assert_eq!(text_index(store.conn(), "rotating"), (n, n));
    fts_integrity(store.conn()).unwrap();
    assert_eq!(search(&format!("cert{tail}")), vec![tail]);
}

#[test]
fn a_bulk_append_leaves_the_text_index_alone_until_it_ends_then_indexes_it_all() {
    let store = Store::open_in_memory().unwrap();
    let t = crate::clock::from_unix(0);
    let n = audit::TEXT_BATCH * 3 + 1;
    audit::defer_text_index(store.conn().into()).unwrap();
    for i in 1..=n {
        let e = AuditEntry::new(crate::audit::activity::Activity::ActivationCompleted, t)
            .justification(Some("seeded history"));
        audit::append(store.conn().into(), e, format!("id-{i}")).unwrap();
    }
    assert_eq!(text_index(store.conn(), "seeded"), (0, 0));
    audit::index_deferred_text(store.conn().into()).unwrap();
    assert_eq!(text_index(store.conn(), "seeded"), (n, n));
    fts_integrity(store.conn()).unwrap();
    // Appends after the bulk batch again.
    for i in n + 1..=audit::TEXT_BATCH * 4 {
        let e = AuditEntry::new(crate::audit::activity::Activity::ActivationCompleted, t)
            .justification(Some("seeded history"));
        audit::append(store.conn().into(), e, format!("id-{i}")).unwrap();
    }
    assert_eq!(
        text_index(store.conn(), "seeded"),
        (audit::TEXT_BATCH * 4, audit::TEXT_BATCH * 4)
    );
}
