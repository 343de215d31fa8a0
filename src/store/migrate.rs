//! Schema versions: `PRAGMA user_version` counts the migrations applied, `PRAGMA application_id`
//! marks the file as ours. Migrations are append-only and run in one transaction.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::{StoreError, StoreResult};

/// "PIMC": identifies a PIM Console database in the SQLite header.
pub const APPLICATION_ID: i32 = 0x5049_4D43;

/// Every migration, in order. Never edit or remove one that has shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("sql/0001_init.sql"),
    include_str!("sql/0002_lifecycle.sql"),
    include_str!("sql/0003_trust.sql"),
    include_str!("sql/0004_policy.sql"),
    include_str!("sql/0005_bundles.sql"),
    include_str!("sql/0006_scale.sql"),
    include_str!("sql/0007_breadth.sql"),
    include_str!("sql/0008_permanent.sql"),
    include_str!("sql/0009_holders.sql"),
    include_str!("sql/0010_text_batches.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn header(conn: &Connection) -> rusqlite::Result<(i32, i64, i64)> {
    let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    Ok((app, version, objects))
}

fn check(path: &Path, (app, version, objects): (i32, i64, i64)) -> StoreResult<bool> {
    if app != APPLICATION_ID && !(app == 0 && version == 0 && objects == 0) {
        return Err(StoreError::Foreign(path.to_path_buf()));
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(version < SCHEMA_VERSION)
}

/// Refuses a database of another program or of a newer pim, reading only (nothing is written
/// to a file that is not ours).
pub fn check_identity(conn: &Connection, path: &Path) -> StoreResult<()> {
    let found = header(conn).map_err(|e| super::classify(e, path))?;
    check(path, found).map(|_| ())
}

/// A schema migration about to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upgrade {
    /// The version it brings the database to.
    pub to: i64,
    /// The version the database had when opened.
    pub from: i64,
    /// The version this build writes.
    pub target: i64,
}

/// Brings the database to [`SCHEMA_VERSION`], or refuses it. Takes the write lock only when
/// there is something to do, and re-checks under the lock (another terminal may have migrated).
/// `upgrading` hears of each migration before it runs.
pub fn migrate(
    conn: &mut Connection,
    path: &Path,
    upgrading: &mut dyn FnMut(Upgrade),
) -> StoreResult<()> {
    let classify = |e: rusqlite::Error| super::classify(e, path);
    if !check(path, header(conn).map_err(classify)?)? {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = header(&tx)?;
    let due = check(path, found)?;
    let upgraded = due && found.1 > 0;
    if due {
        let from = usize::try_from(found.1).unwrap_or(0);
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(from) {
            // A new database is created, not upgraded: nothing to tell.
            if from > 0 {
                upgrading(Upgrade {
                    to: i as i64 + 1,
                    from: found.1,
                    target: SCHEMA_VERSION,
                });
            }
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        check_every_table(&tx, path)?;
        // Later opens skip the table check while the schema is untouched since (any change to
        // it, by hand included, moves SQLite's schema cookie).
        mark_checked(&tx)?;
    }
    tx.commit()?;
    if upgraded {
        // An upgrade rewrites tables: the file is brought up to date with it, not left behind
        // the write-ahead log.
        super::fold_now(conn)?;
    }
    Ok(())
}

/// The tables of the current schema, with a column each that the newest migrations added.
const EXPECTED: &[(&str, &str)] = &[
    ("tenant", "clock_offset"),
    ("users", "object_type"),
    ("sessions", "token_hash"),
    ("roles", "group_access"),
    ("role_settings", "auth_context"),
    ("role_approvers", "user_id"),
    ("role_notifications", "rule_id"),
    ("requests", "expires_at"),
    ("assignments", "reminded_1d"),
    ("emails", "read_at"),
    ("audit", "real_time"),
    ("alert_settings", "config"),
    ("alert_dismissals", "fingerprint"),
    ("meta", "value"),
    ("bundles", "role_ids"),
    ("audit_text", "details"),
    ("counters", "value"),
    ("eligible_totals", "rowid_mix"),
    ("reviews", "completed_at"),
    ("review_reviewers", "user_id"),
    ("review_items", "outcome"),
    ("groups", "role_assignable"),
    ("permanent_totals", "rowid_mix"),
];

/// Refuses a database whose version says it is current but whose tables are not what this
/// pim wrote (edited by hand, or damaged), before any query trips over it with SQL in the
/// message.
pub fn check_tables(conn: &Connection, path: &Path) -> StoreResult<()> {
    // A schema without the mark (or without `meta` at all) gets the whole check.
    if marked_checked(conn).unwrap_or(false) {
        return Ok(());
    }
    check_every_table(conn, path)
}

/// Marks the schema as it stands now as checked: opens skip the table check until it changes.
pub(super) fn mark_checked(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_checked', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [schema_cookie(conn)?.to_string()],
    )
    .map(|_| ())
}

/// Whether the schema as it stands now is marked checked.
pub(super) fn marked_checked(conn: &Connection) -> rusqlite::Result<bool> {
    let checked: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_checked'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(checked == Some(schema_cookie(conn)?.to_string()))
}

/// SQLite's count of changes to the schema.
fn schema_cookie(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA schema_version", [], |r| r.get(0))
}

/// The check itself: every expected table and column is there.
fn check_every_table(conn: &Connection, path: &Path) -> StoreResult<()> {
    // Every table's columns in one statement, rather than one look per table.
    let mut stmt = conn
        .prepare(
            "SELECT m.name, p.name FROM sqlite_schema m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table'",
        )
        .map_err(|e| super::classify(e, path))?;
    let present: std::collections::HashSet<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| super::classify(e, path))?;
    let missing: Vec<String> = EXPECTED
        .iter()
        .filter(|(t, c)| !present.contains(&((*t).to_owned(), (*c).to_owned())))
        .map(|(t, c)| format!("{t}.{c}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(StoreError::Corrupt(format!(
        "{} has a schema this pim does not know (missing: {}); it was edited by hand or damaged. `pim doctor` checks it; `pim restore BACKUP` puts a backup in its place",
        path.display(),
        missing.join(", ")
    )))
}

/// Applies only the first `n` migrations to an empty database: how a file written by an
/// earlier version looks, for upgrade tests.
#[cfg(test)]
pub fn create_at_version(conn: &Connection, n: usize) -> rusqlite::Result<()> {
    for sql in &MIGRATIONS[..n] {
        conn.execute_batch(sql)?;
    }
    conn.pragma_update(None, "user_version", n as i64)?;
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    Ok(())
}
