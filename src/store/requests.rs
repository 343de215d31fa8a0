//! Requests (Graph's schedule requests): the record of every assignment change and activation.

use super::sql::{Conn, Row, args};

use super::StoreResult;
use super::convert::{bad_value, opt_secs, opt_time, secs, time};
use crate::clock::Time;
use crate::policy::model::{AssignmentKind, Ticket};
use crate::policy::request::{Request, RequestAction, RequestStatus};

const COLUMNS: &str =
    "id, action, status, role_id, principal_id, kind, justification, ticket_number,
    ticket_system, start_at, end_at, created_at, created_by, completed_at, target_assignment_id,
    duration_secs, source_assignment_id, decided_by, decision_reason, expires_at";

fn from_row(r: &Row<'_>) -> StoreResult<Request> {
    let action: String = r.get(1)?;
    let status: String = r.get(2)?;
    let kind: String = r.get(5)?;
    let number: Option<String> = r.get(7)?;
    let system: Option<String> = r.get(8)?;
    Ok(Request {
        id: r.get(0)?,
        action: RequestAction::parse(&action)
            .ok_or_else(|| bad_value("request action", &action))?,
        status: RequestStatus::parse(&status)
            .ok_or_else(|| bad_value("request status", &status))?,
        role_id: r.get(3)?,
        principal_id: r.get(4)?,
        kind: AssignmentKind::parse(&kind).ok_or_else(|| bad_value("assignment kind", &kind))?,
        justification: r.get(6)?,
        ticket: match (number, system) {
            (None, None) => None,
            (n, s) => Some(Ticket {
                number: n.unwrap_or_default(),
                system: s.unwrap_or_default(),
            }),
        },
        start: opt_time(r.get(9)?),
        end: opt_time(r.get(10)?),
        created_at: time(r.get(11)?),
        created_by: r.get(12)?,
        completed_at: opt_time(r.get(13)?),
        target_assignment_id: r.get(14)?,
        duration: r.get::<Option<i64>>(15)?.map(chrono::TimeDelta::seconds),
        source_assignment_id: r.get(16)?,
        decided_by: r.get(17)?,
        decision_reason: r.get(18)?,
        expires_at: opt_time(r.get(19)?),
    })
}

/// Records a request.
pub fn insert(conn: Conn<'_>, q: &Request) -> StoreResult<()> {
    crate::fault::point("requests.insert");
    conn.exec(&format!(
            "INSERT INTO requests ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"
        ), args![
            q.id,
            q.action.as_str(),
            q.status.as_str(),
            q.role_id,
            q.principal_id,
            q.kind.as_str(),
            q.justification,
            q.ticket.as_ref().map(|t| &t.number),
            q.ticket.as_ref().map(|t| &t.system),
            opt_secs(q.start),
            opt_secs(q.end),
            secs(q.created_at),
            q.created_by,
            opt_secs(q.completed_at),
            q.target_assignment_id,
            q.duration.map(|d| d.num_seconds()),
            q.source_assignment_id,
            q.decided_by,
            q.decision_reason,
            opt_secs(q.expires_at)
        ])?;
    Ok(())
}

/// A request by id.
pub fn get(conn: Conn<'_>, id: &str) -> StoreResult<Option<Request>> {
    let sql = format!("SELECT {COLUMNS} FROM requests WHERE id = ?1");
    conn.row(&sql, args![id], from_row)
}

/// The ids starting with `prefix` (at most `limit`), for short ids typed by people.
pub fn ids_with_prefix(conn: Conn<'_>, prefix: &str, limit: i64) -> StoreResult<Vec<String>> {
    conn.rows(
        "SELECT id FROM requests WHERE substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT ?2",
        args![prefix, limit],
        |r| r.get(0),
    )
}

/// Settles a pending request. Returns false when it was no longer pending (another terminal
/// decided first).
pub fn settle(
    conn: Conn<'_>,
    id: &str,
    status: RequestStatus,
    at: Time,
    decided_by: Option<&str>,
    reason: Option<&str>,
) -> StoreResult<bool> {
    let n = conn.exec(
        "UPDATE requests SET status = ?2, completed_at = ?3, decided_by = ?4, decision_reason = ?5
         WHERE id = ?1 AND status IN ('PendingApproval', 'PendingAdminDecision')",
        args![id, status.as_str(), secs(at), decided_by, reason],
    )?;
    Ok(n == 1)
}

/// Sets a request's status (scheduled activations cancelled before their start).
pub fn set_status(conn: Conn<'_>, id: &str, status: RequestStatus, at: Time) -> StoreResult<()> {
    conn.exec(
        "UPDATE requests SET status = ?2, completed_at = ?3 WHERE id = ?1",
        args![id, status.as_str(), secs(at)],
    )?;
    Ok(())
}

/// Pending requests whose 24 hours have run out.
pub fn expired_pending(conn: Conn<'_>, now: Time) -> StoreResult<Vec<Request>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM requests
         WHERE status IN ('PendingApproval', 'PendingAdminDecision') AND expires_at <= ?1 ORDER BY expires_at"
    );
    conn.rows(&sql, args![secs(now)], from_row)
}

/// Whether any pending request has passed its expiry (the sweep has work).
pub fn any_expired_pending(conn: Conn<'_>, now: Time) -> StoreResult<bool> {
    conn.one(
        "SELECT EXISTS (SELECT 1 FROM requests
             WHERE status IN ('PendingApproval', 'PendingAdminDecision') AND expires_at <= ?1)",
        args![secs(now)],
        |r| r.get(0),
    )
}

/// The justifications a principal gave on its own requests, newest first (up to `limit`
/// requests looked at).
pub fn recent_justifications(
    conn: Conn<'_>,
    principal_id: &str,
    limit: i64,
) -> StoreResult<Vec<String>> {
    conn.rows(
        "SELECT justification FROM requests
         WHERE principal_id = ?1 AND created_by = ?1 AND justification IS NOT NULL
         ORDER BY created_at DESC, rowid DESC LIMIT ?2",
        args![principal_id, limit],
        |r| r.get(0),
    )
}

/// The pending request of a principal for a role and action family, if any.
pub fn pending_for(
    conn: Conn<'_>,
    principal_id: &str,
    role_id: &str,
    actions: &[RequestAction],
) -> StoreResult<Option<Request>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM requests
         WHERE principal_id = ?1 AND role_id = ?2 AND status IN ('PendingApproval', 'PendingAdminDecision')
         ORDER BY created_at DESC"
    );
    for r in conn.rows(&sql, args![principal_id, role_id], from_row)? {
        if actions.contains(&r.action) {
            return Ok(Some(r));
        }
    }
    Ok(None)
}

/// Which requests a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every pending request (administrators and approvers filter further).
    Pending,
    /// One principal's requests, newest first (pending and recent history).
    Of(&'a str),
}

/// Requests, newest first.
pub fn list(conn: Conn<'_>, scope: Scope<'_>, limit: i64) -> StoreResult<Vec<Request>> {
    let (sql, arg): (String, Option<&str>) = match scope {
        Scope::Pending => (
            format!(
                "SELECT {COLUMNS} FROM requests WHERE status IN ('PendingApproval', 'PendingAdminDecision')
                 AND (CAST(?1 AS TEXT) IS NULL OR 1 = 1) ORDER BY created_at DESC, rowid DESC LIMIT ?2"
            ),
            None,
        ),
        Scope::Of(p) => (
            format!(
                "SELECT {COLUMNS} FROM requests WHERE principal_id = ?1
                 AND action IN ('selfActivate', 'selfExtend', 'selfRenew') ORDER BY created_at DESC, rowid DESC LIMIT ?2"
            ),
            Some(p),
        ),
    };
    conn.rows(&sql, args![arg, limit], from_row)
}

/// Links a request to the assignment it created.
pub fn set_target(conn: Conn<'_>, id: &str, assignment_id: &str) -> StoreResult<()> {
    conn.exec(
        "UPDATE requests SET target_assignment_id = ?2 WHERE id = ?1",
        args![id, assignment_id],
    )?;
    Ok(())
}
