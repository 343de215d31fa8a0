//! Requests (Graph's schedule requests): the record of every assignment change and activation.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreResult;
use super::convert::{bad_value, opt_secs, opt_time, secs, time};
use crate::clock::Time;
use crate::policy::model::{AssignmentKind, Ticket};
use crate::policy::request::{Request, RequestAction, RequestStatus};

const COLUMNS: &str =
    "id, action, status, role_id, principal_id, kind, justification, ticket_number,
    ticket_system, start_at, end_at, created_at, created_by, completed_at, target_assignment_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Request> {
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
    })
}

/// Records a request.
pub fn insert(conn: &Connection, q: &Request) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO requests (id, action, status, role_id, principal_id, kind, justification, ticket_number,
             ticket_system, start_at, end_at, created_at, created_by, completed_at, target_assignment_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
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
            q.target_assignment_id
        ],
    )?;
    Ok(())
}

/// A request by id.
pub fn get(conn: &Connection, id: &str) -> StoreResult<Option<Request>> {
    let sql = format!("SELECT {COLUMNS} FROM requests WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], from_row).optional()?)
}

/// Settles a request.
pub fn set_status(conn: &Connection, id: &str, status: RequestStatus, at: Time) -> StoreResult<()> {
    conn.execute(
        "UPDATE requests SET status = ?2, completed_at = ?3 WHERE id = ?1",
        params![id, status.as_str(), secs(at)],
    )?;
    Ok(())
}

/// Links a request to the assignment it created.
pub fn set_target(conn: &Connection, id: &str, assignment_id: &str) -> StoreResult<()> {
    conn.execute(
        "UPDATE requests SET target_assignment_id = ?2 WHERE id = ?1",
        params![id, assignment_id],
    )?;
    Ok(())
}
