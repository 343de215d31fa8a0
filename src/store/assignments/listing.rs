//! Pages of assignments by role, principal, kind and whether they are current, and the
//! per-role counts the Roles list shows. Only the filters given go into the SQL, so each
//! query walks the index it needs.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::{AssignmentRow, COLUMNS, JOINED, joined_row};
use crate::clock::Time;
use crate::policy::model::AssignmentKind;
use crate::store::StoreResult;
use crate::store::convert::secs;

/// Which assignments a list asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Live or scheduled.
    Current,
    /// Ended by expiry (for renewals and the Expired tab).
    Expired,
    /// Everything, history included.
    All,
}

/// A filtered page of assignments, newest first.
#[derive(Debug, Clone)]
pub struct Filter<'a> {
    /// Only this role.
    pub role_id: Option<&'a str>,
    /// Only this principal.
    pub principal_id: Option<&'a str>,
    /// Only this kind.
    pub kind: Option<AssignmentKind>,
    /// Current, expired or all.
    pub which: Which,
    /// Page size.
    pub limit: i64,
    /// Page start.
    pub offset: i64,
}

/// The WHERE clause of a [`Filter`] and its parameters. Only the filters given are in the SQL,
/// so SQLite can walk the role's or the principal's index in order and stop at the page's
/// end (a `(:x IS NULL OR col = :x)` shape would scan the whole table and sort it).
fn conditions(f: &Filter<'_>, now: Time) -> (String, Vec<(&'static str, Value)>) {
    let mut wheres = vec![match f.which {
        Which::Current => "a.ended_at IS NULL AND (a.end_at IS NULL OR a.end_at > :now)",
        Which::Expired => "(a.end_reason = 'expired' OR (a.ended_at IS NULL AND a.end_at <= :now))",
        Which::All => "(:now IS NULL OR 1)",
    }];
    let mut params = vec![(":now", Value::Integer(secs(now)))];
    let text = |s: &str| Value::Text(s.to_owned());
    if let Some(role) = f.role_id {
        wheres.push("a.role_id = :role");
        params.push((":role", text(role)));
    }
    if let Some(p) = f.principal_id {
        wheres.push("a.principal_id = :p");
        params.push((":p", text(p)));
    }
    if let Some(kind) = f.kind {
        wheres.push("a.kind = :kind");
        params.push((":kind", text(kind.as_str())));
    }
    (wheres.join(" AND "), params)
}

/// Lists assignments with role and principal names, newest first, one page.
pub fn list(conn: &Connection, f: &Filter<'_>, now: Time) -> StoreResult<Vec<AssignmentRow>> {
    let (wheres, mut params) = conditions(f, now);
    params.push((":limit", Value::Integer(f.limit)));
    params.push((":offset", Value::Integer(f.offset)));
    let sql = format!(
        "SELECT {COLUMNS}, {JOINED} FROM assignments a
         JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.principal_id
         WHERE {wheres}
         ORDER BY a.created_at DESC, a.rowid DESC LIMIT :limit OFFSET :offset"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(crate::store::bind(&params).as_slice(), joined_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many assignments a [`Filter`] selects in all, its page aside.
pub fn count(conn: &Connection, f: &Filter<'_>, now: Time) -> StoreResult<i64> {
    let (wheres, params) = conditions(f, now);
    let sql = format!("SELECT count(*) FROM assignments a WHERE {wheres}");
    let mut stmt = conn.prepare_cached(&sql)?;
    Ok(stmt.query_row(crate::store::bind(&params).as_slice(), |r| r.get(0))?)
}

/// Current (live or scheduled) assignments per role and kind: `(role_id, kind, count)`.
pub fn current_counts(conn: &Connection, now: Time) -> StoreResult<Vec<(String, String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.role_id, a.kind, count(*) FROM assignments a
         WHERE a.ended_at IS NULL AND (a.end_at IS NULL OR a.end_at > ?1)
         GROUP BY a.role_id, a.kind",
    )?;
    let rows = stmt.query_map([secs(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
