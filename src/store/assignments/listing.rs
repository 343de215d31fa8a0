//! Pages of assignments by role, principal, kind and whether they are current, and the
//! per-role counts the Roles list shows. Only the filters given go into the SQL, so each
//! query walks the index it needs.

use super::super::sql::{Conn, args};
use crate::store::sql::Value;

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
fn conditions(f: &Filter<'_>, now: Time) -> (String, Vec<(&'static str, Value<'static>)>) {
    let mut wheres = vec![match f.which {
        Which::Current => "a.ended_at IS NULL AND (a.end_at IS NULL OR a.end_at > :now)",
        Which::Expired => "(a.end_reason = 'expired' OR (a.ended_at IS NULL AND a.end_at <= :now))",
        Which::All => "(CAST(:now AS BIGINT) IS NULL OR 1 = 1)",
    }];
    let mut params = vec![(":now", Value::Int(secs(now)))];
    let text = |s: &str| Value::Text(s.to_owned().into());
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
pub fn list(conn: Conn<'_>, f: &Filter<'_>, now: Time) -> StoreResult<Vec<AssignmentRow>> {
    let (wheres, mut params) = conditions(f, now);
    params.push((":limit", Value::Int(f.limit)));
    params.push((":offset", Value::Int(f.offset)));
    let sql = format!(
        "SELECT {COLUMNS}, {JOINED} FROM assignments a
         JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.principal_id
         WHERE {wheres}
         ORDER BY a.created_at DESC, a.rowid DESC LIMIT :limit OFFSET :offset"
    );
    conn.rows(&sql, &crate::store::bind(&params), joined_row)
}

/// How many assignments a [`Filter`] selects in all, its page aside.
pub fn count(conn: Conn<'_>, f: &Filter<'_>, now: Time) -> StoreResult<i64> {
    let (wheres, params) = conditions(f, now);
    let sql = format!("SELECT count(*) FROM assignments a WHERE {wheres}");
    conn.value(&sql, &crate::store::bind(&params))
}

/// Current (live or scheduled) assignments per role and kind: `(role_id, kind, count)`.
pub fn current_counts(conn: Conn<'_>, now: Time) -> StoreResult<Vec<(String, String, i64)>> {
    conn.rows(
        "SELECT a.role_id, a.kind, count(*) FROM assignments a
         WHERE a.ended_at IS NULL AND (a.end_at IS NULL OR a.end_at > ?1)
         GROUP BY a.role_id, a.kind",
        args![secs(now)],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}
