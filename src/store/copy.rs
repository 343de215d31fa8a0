//! `pim db copy`: a whole tenant from one database to another, either backend to either, row
//! for row: the audit log keeps its numbers and hashes, so its chain verifies where it lands.
//! What each backend derives for itself (SQLite's row ids and text index, PostgreSQL's
//! identity and generated columns, the totals triggers keep) is left for the target to derive
//! as the rows arrive (SQLite's text index once the log is in).

use super::sql::{Conn, Param, Value};
use super::{StoreError, StoreResult};

/// The tables a tenant is, parents before children, each in an order that keeps its own
/// references (an activation after the eligibility it came from) and its log's numbers.
const TABLES: [(&str, &str); 17] = [
    ("tenant", "id"),
    ("users", "created_at, id"),
    ("groups", "created_at, id"),
    ("roles", "id"),
    ("role_approvers", "role_id, user_id"),
    ("role_notifications", "role_id, rule_id"),
    ("role_settings", "role_id"),
    ("requests", "created_at, id"),
    ("assignments", "created_at, id"),
    ("emails", "created_at, id"),
    ("audit", "seq"),
    ("alert_settings", "alert_id"),
    ("alert_dismissals", "alert_id"),
    ("bundles", "user_id, name"),
    ("reviews", "created_at, id"),
    ("review_reviewers", "review_id, user_id"),
    ("review_items", "review_id, assignment_id"),
];

/// The columns of `table` that hold data (not generated, not an identity the backend numbers).
fn columns(conn: Conn<'_>, table: &str) -> StoreResult<Vec<String>> {
    let sql = if conn.is_pg() {
        "SELECT column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = ?1
           AND is_generated = 'NEVER' AND is_identity = 'NO'
         ORDER BY ordinal_position"
    } else {
        "SELECT name FROM pragma_table_xinfo(?1) WHERE hidden = 0 ORDER BY cid"
    };
    conn.rows(sql, crate::args![table], |r| r.get(0))
}

/// Puts the key that seals the accounts' secrets into a PostgreSQL target (where it lives in
/// the database; a file's goes beside it).
///
/// # Errors
/// The database's error.
pub fn set_seal_key(to: Conn<'_>, key_text: &str) -> StoreResult<()> {
    to.exec("UPDATE seal_key SET key_text = ?1", crate::args![key_text])?;
    Ok(())
}

/// How many rows a copy of the source would move.
///
/// # Errors
/// The source's errors.
pub fn rows_to_copy(from: Conn<'_>) -> StoreResult<u64> {
    let mut total = 0;
    for (table, _) in TABLES {
        let n: i64 = from.value(&format!("SELECT count(*) FROM {table}"), crate::args![])?;
        total += u64::try_from(n).unwrap_or(0);
    }
    Ok(total)
}

/// Copies every table of the tenant in `from` into `to`, which must hold no tenant, inside
/// the caller's transaction on `to`; `progress` hears (rows done, rows). Returns the rows
/// copied.
///
/// # Errors
/// A target that already holds a tenant, or either database's error.
pub fn copy(from: Conn<'_>, to: Conn<'_>, progress: &mut dyn FnMut(u64, u64)) -> StoreResult<u64> {
    for table in ["tenant", "users", "audit"] {
        let n: i64 = to.value(&format!("SELECT count(*) FROM {table}"), crate::args![])?;
        if n > 0 {
            return Err(StoreError::Corrupt(format!(
                "the target already holds a tenant ({n} rows in {table}); copy into a new file or a database set up with `pim db init` and nothing else"
            )));
        }
    }
    let total = rows_to_copy(from)?;
    let mut done = 0;
    progress(done, total);
    for (table, order) in TABLES {
        let theirs = columns(to, table)?;
        let cols: Vec<String> = columns(from, table)?
            .into_iter()
            .filter(|c| theirs.contains(c))
            .collect();
        if cols.is_empty() {
            continue;
        }
        let list = cols.join(", ");
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        let insert = format!("INSERT INTO {table} ({list}) VALUES ({})", marks.join(", "));
        let mut failed = None;
        from.stream(
            &format!("SELECT {list} FROM {table} ORDER BY {order}"),
            crate::args![],
            &mut |row| {
                let values = (0..cols.len())
                    .map(|i| row.value(i))
                    .collect::<StoreResult<Vec<Value<'static>>>>()?;
                let args: Vec<&dyn Param> = values.iter().map(|v| v as &dyn Param).collect();
                if let Err(e) = to.exec(&insert, &args) {
                    failed = Some(e);
                    return Ok(false);
                }
                done += 1;
                if done % 2048 == 0 {
                    progress(done, total);
                }
                Ok(true)
            },
        )?;
        if let Some(e) = failed {
            return Err(e);
        }
    }
    // SQLite's text index of the log, in one statement now that the whole log is in.
    super::audit::index_all_text(to)?;
    progress(done, total);
    Ok(done)
}
