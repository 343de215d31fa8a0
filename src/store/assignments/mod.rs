//! Role assignments, current and historic. "Live" is always computed against the `now` passed
//! in (`start <= now < end`, not ended), never read from a stored flag.

use super::sql::{Conn, Row, args, named};

use super::convert::{bad_value, opt_secs, opt_time, secs, time};
use super::{StoreError, StoreResult};
use crate::clock::Time;
use crate::policy::model::{
    Assignment, AssignmentKind, EndReason, Origin, Principal, Role, Ticket,
};

mod listing;
mod through;

pub use listing::{Filter, Which, count, current_counts, list};
pub use through::{ThroughGroup, activations_through_group, through_groups};

const COLUMNS: &str =
    "a.id, a.role_id, a.principal_id, a.kind, a.origin, a.activated_from, a.start_at,
    a.end_at, a.justification, a.ticket_number, a.ticket_system, a.created_at, a.created_by,
    a.ended_at, a.end_reason";

/// SQL for "grants at ?now".
const LIVE: &str =
    "a.ended_at IS NULL AND a.start_at <= :now AND (a.end_at IS NULL OR a.end_at > :now)";

/// [`LIVE`] for a group membership named `m`.
const MEMBER_LIVE: &str =
    "m.ended_at IS NULL AND m.start_at <= :now AND (m.end_at IS NULL OR m.end_at > :now)";

fn from_row(r: &Row<'_>) -> StoreResult<Assignment> {
    from_row_at(r, 0)
}

/// An assignment from [`COLUMNS`] starting at column `at`.
fn from_row_at(r: &Row<'_>, at: usize) -> StoreResult<Assignment> {
    let kind: String = r.get(at + 3)?;
    let origin: String = r.get(at + 4)?;
    let ticket_number: Option<String> = r.get(at + 9)?;
    let ticket_system: Option<String> = r.get(at + 10)?;
    let end_reason: Option<String> = r.get(at + 14)?;
    Ok(Assignment {
        id: r.get(at)?,
        role_id: r.get(at + 1)?,
        principal_id: r.get(at + 2)?,
        kind: AssignmentKind::parse(&kind).ok_or_else(|| bad_value("assignment kind", &kind))?,
        origin: Origin::parse(&origin).ok_or_else(|| bad_value("assignment origin", &origin))?,
        activated_from: r.get(at + 5)?,
        start: time(r.get(at + 6)?),
        end: opt_time(r.get(at + 7)?),
        justification: r.get(at + 8)?,
        ticket: match (ticket_number, ticket_system) {
            (None, None) => None,
            (n, s) => Some(Ticket {
                number: n.unwrap_or_default(),
                system: s.unwrap_or_default(),
            }),
        },
        created_at: time(r.get(at + 11)?),
        created_by: r.get(at + 12)?,
        ended_at: opt_time(r.get(at + 13)?),
        end_reason: end_reason
            .map(|s| EndReason::parse(&s).ok_or_else(|| bad_value("end reason", &s)))
            .transpose()?,
    })
}

/// An assignment with the names a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    /// The assignment.
    pub assignment: Assignment,
    /// Its role.
    pub role: Role,
    /// Its principal.
    pub principal: Principal,
}

const JOINED: &str = "r.id, r.display_name, r.slug, r.description, r.privileged, r.group_id, \
     r.group_access, u.id, u.upn, u.display_name";

fn joined_row(r: &Row<'_>) -> StoreResult<AssignmentRow> {
    Ok(AssignmentRow {
        assignment: from_row(r)?,
        role: super::roles::role_at(r, 15)?,
        principal: Principal {
            id: r.get(22)?,
            upn: r.get(23)?,
            display_name: r.get(24)?,
        },
    })
}

/// Adds an assignment.
pub fn insert(conn: Conn<'_>, a: &Assignment, request_id: Option<&str>) -> StoreResult<()> {
    crate::fault::point("assignments.insert");
    conn.exec("INSERT INTO assignments (id, role_id, principal_id, kind, origin, activated_from, start_at, end_at,
             justification, ticket_number, ticket_system, created_at, created_by, request_id, ended_at, end_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)", args![
            a.id,
            a.role_id,
            a.principal_id,
            a.kind.as_str(),
            a.origin.as_str(),
            a.activated_from,
            secs(a.start),
            opt_secs(a.end),
            a.justification,
            a.ticket.as_ref().map(|t| &t.number),
            a.ticket.as_ref().map(|t| &t.system),
            secs(a.created_at),
            a.created_by,
            request_id,
            opt_secs(a.ended_at),
            a.end_reason.map(EndReason::as_str)
        ])?;
    Ok(())
}

/// An assignment by id.
pub fn get(conn: Conn<'_>, id: &str) -> StoreResult<Option<Assignment>> {
    let sql = format!("SELECT {COLUMNS} FROM assignments a WHERE a.id = ?1");
    conn.row(&sql, args![id], from_row)
}

/// The principal's not-ended assignment of one kind for a role. It may already be past its end
/// if no sweep has run; callers check `is_current(now)`.
pub fn open_of_kind(
    conn: Conn<'_>,
    principal_id: &str,
    role_id: &str,
    kind: AssignmentKind,
) -> StoreResult<Option<Assignment>> {
    // The kind is written into the statement: as a parameter it would make SQLite plan the
    // statement again whenever it changed (partial indexes depend on it).
    let sql = format!(
        "SELECT {COLUMNS} FROM assignments a
         WHERE a.principal_id = ?1 AND a.role_id = ?2 AND a.kind = '{}' AND a.ended_at IS NULL",
        kind.as_str()
    );
    conn.row(&sql, args![principal_id, role_id], from_row)
}

/// Marks an assignment ended. Returns false if it had already ended (another terminal won).
pub fn end(conn: Conn<'_>, id: &str, at: Time, reason: EndReason) -> StoreResult<bool> {
    crate::fault::point("assignments.end");
    let n = conn.exec(
        "UPDATE assignments SET ended_at = ?2, end_reason = ?3 WHERE id = ?1 AND ended_at IS NULL",
        args![id, secs(at), reason.as_str()],
    )?;
    Ok(n == 1)
}

/// Changes the type and end of an assignment in place, at `now`. A new end re-arms the
/// expiry reminders whose threshold is still ahead; those already behind count as sent.
pub fn update_window(
    conn: Conn<'_>,
    id: &str,
    kind: AssignmentKind,
    end: Option<Time>,
    justification: Option<&str>,
    now: Time,
) -> StoreResult<()> {
    crate::fault::point("assignments.update");
    let rearm = |column: &str, lead: i64| {
        format!(
            "{column} = CASE WHEN end_at IS NOT DISTINCT FROM ?3 THEN {column} \
             WHEN ?3 IS NOT NULL AND ?3 - {lead} > ?5 THEN NULL ELSE coalesce({column}, ?5) END"
        )
    };
    conn.exec(
        &format!(
            "UPDATE assignments SET kind = ?2, {}, {}, end_at = ?3, \
             justification = coalesce(?4, justification) WHERE id = ?1",
            rearm("reminded_14d", 14 * 86_400),
            rearm("reminded_1d", 86_400)
        ),
        args![id, kind.as_str(), opt_secs(end), justification, secs(now)],
    )?;
    Ok(())
}

/// Not-ended assignments whose end has passed: the sweep's work list, oldest end first.
pub fn due_for_expiry(conn: Conn<'_>, now: Time, limit: i64) -> StoreResult<Vec<AssignmentRow>> {
    let sql = format!(
        "SELECT {COLUMNS}, {JOINED} FROM assignments a
         JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.principal_id
         WHERE a.ended_at IS NULL AND a.end_at IS NOT NULL AND a.end_at <= ?1
         ORDER BY a.end_at LIMIT ?2"
    );
    conn.rows(&sql, args![secs(now), limit], joined_row)
}

/// Whether any assignment is past its end or due a reminder (`leads`: each reminder's lead in
/// seconds and its column), in one statement on the partial indexes that hold exactly those:
/// the same conditions as [`due_for_expiry`] and [`due_reminders`] without reading a row, so a
/// command with nothing due pays one lookup per index.
pub fn any_due(conn: Conn<'_>, now: Time, leads: [(i64, &str); 2]) -> StoreResult<bool> {
    let reminder = |column: &str, n: usize| {
        let (column, index) = match column {
            "reminded_14d" => ("reminded_14d", "assignments_remind_14d"),
            _ => ("reminded_1d", "assignments_remind_1d"),
        };
        format!(
            "EXISTS (SELECT 1 FROM assignments a INDEXED BY {index}
                     WHERE a.ended_at IS NULL AND a.origin = 'assigned' AND a.end_at IS NOT NULL
                       AND a.{column} IS NULL AND a.end_at <= ?1 + ?{n} AND a.end_at - ?{n} > a.created_at)"
        )
    };
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM assignments a INDEXED BY assignments_due
                        WHERE a.ended_at IS NULL AND a.end_at IS NOT NULL AND a.end_at <= ?1)
             OR {} OR {}",
        reminder(leads[0].1, 2),
        reminder(leads[1].1, 3)
    );
    conn.one(&sql, args![secs(now), leads[0].0, leads[1].0], |r| r.get(0))
}

/// Not-ended activations made from an eligibility.
pub fn activations_from(conn: Conn<'_>, eligibility_id: &str) -> StoreResult<Vec<Assignment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM assignments a WHERE a.activated_from = ?1 AND a.ended_at IS NULL"
    );
    conn.rows(&sql, args![eligibility_id], from_row)
}

/// Who holds the role `:role` or `:role2` live at `:now`: directly, or as an active member of
/// a group the role is actively assigned to. Both read the assignments from
/// `assignments_current_counts` alone (schema 9). Someone may come twice (both ways, or both
/// roles): the caller keeps each once, which costs less than a sorted UNION.
pub(in crate::store) fn holders_sql() -> String {
    format!(
        "SELECT u.id, u.upn, u.display_name FROM assignments a JOIN users u ON u.id = a.principal_id
         WHERE a.role_id IN (:role, :role2) AND a.kind = 'active' AND u.enabled = 1 AND {LIVE}
         UNION ALL
         SELECT u.id, u.upn, u.display_name FROM assignments a
         JOIN roles gr ON gr.group_id = a.principal_id AND gr.group_access = 'member'
         JOIN assignments m ON m.role_id = gr.id AND m.kind = 'active' AND {MEMBER_LIVE}
         JOIN users u ON u.id = m.principal_id AND u.enabled = 1
         WHERE a.role_id IN (:role, :role2) AND a.kind = 'active' AND {LIVE}"
    )
}

/// Everyone holding one of `role_ids` live at `now`, once each, by UPN: two roles to a query
/// (the administrators' roles are two).
pub fn holders(conn: Conn<'_>, role_ids: &[&str], now: Time) -> StoreResult<Vec<Principal>> {
    let mut out: Vec<Principal> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let sql = holders_sql();
    for pair in role_ids.chunks(2) {
        let (role, role2) = (pair[0], pair.get(1).copied().unwrap_or(pair[0]));
        let rows = conn.rows(
            &sql,
            named! {":role": role, ":role2": role2, ":now": secs(now)},
            |r| {
                Ok(Principal {
                    id: r.get(0)?,
                    upn: r.get(1)?,
                    display_name: r.get(2)?,
                })
            },
        )?;
        for p in rows {
            if seen.insert(p.id.clone()) {
                out.push(p);
            }
        }
    }
    out.sort_by_key(|p| p.upn.to_lowercase());
    Ok(out)
}

/// Role ids the principal holds live (active, either origin) at `now`.
pub fn active_role_ids(conn: Conn<'_>, principal_id: &str, now: Time) -> StoreResult<Vec<String>> {
    // Directly, or through a live active membership of a group the role is actively assigned to.
    // A role held both ways comes twice and is kept once here: cheaper than a sorted UNION,
    // which builds a temporary table for a handful of rows.
    let sql = format!(
        "SELECT a.role_id FROM assignments a WHERE a.principal_id = :p AND a.kind = 'active' AND {LIVE}
         UNION ALL
         SELECT a.role_id FROM assignments m
         JOIN roles gr ON gr.id = m.role_id AND gr.group_access = 'member'
         JOIN assignments a ON a.principal_id = gr.group_id AND a.kind = 'active' AND {LIVE}
         WHERE m.principal_id = :p AND m.kind = 'active' AND {MEMBER_LIVE}"
    );
    let mut ids: Vec<String> =
        conn.rows(&sql, named! {":p": principal_id, ":now": secs(now)}, |r| {
            r.get(0)
        })?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The roles a principal holds current (not ended, not past their end) assignments of `kind`
/// for.
pub fn current_role_ids(
    conn: Conn<'_>,
    principal_id: &str,
    kind: AssignmentKind,
    now: Time,
) -> StoreResult<Vec<String>> {
    conn.rows(
        "SELECT DISTINCT role_id FROM assignments WHERE principal_id = :p AND kind = :k
         AND ended_at IS NULL AND (end_at IS NULL OR end_at > :now)",
        named! {":p": principal_id, ":k": kind.as_str(), ":now": secs(now)},
        |r| r.get(0),
    )
}

/// The live, permanent, active (admin-assigned) assignments of a role held by enabled
/// accounts, as (assignment id, principal id): what keeps a tenant administrable.
pub fn permanent_active_holders(
    conn: Conn<'_>,
    role_id: &str,
    now: Time,
) -> StoreResult<Vec<(String, String)>> {
    let sql = format!(
        "SELECT a.id, a.principal_id FROM assignments a JOIN users u ON u.id = a.principal_id
         WHERE a.role_id = :role AND a.kind = 'active' AND a.origin = 'assigned'
           AND a.end_at IS NULL AND u.enabled = 1 AND {LIVE}"
    );
    conn.rows(&sql, named! {":role": role_id, ":now": secs(now)}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

/// Calls `each` for every assignment that has not ended, oldest first, streaming (the whole
/// table is never in memory).
pub fn for_each_current(
    conn: Conn<'_>,
    mut each: impl FnMut(Assignment) -> StoreResult<()>,
) -> StoreResult<()> {
    let sql = format!(
        "SELECT {COLUMNS} FROM assignments a WHERE a.ended_at IS NULL ORDER BY a.created_at"
    );
    conn.each(&sql, args![], &mut |row| {
        each(from_row(row)?)?;
        Ok(true)
    })
}

/// Every current assignment's audited state (see [`crate::audit::state`]) with its id, in the
/// table's own order (no index to follow, no sort, only the columns the state holds), borrowed
/// from the row being read: for a pass that looks at each once and keeps what it needs.
pub fn for_each_current_state(
    conn: Conn<'_>,
    mut each: impl FnMut(&str, crate::audit::state::StateFields<'_>),
) -> StoreResult<()> {
    conn.each(
        "SELECT id, role_id, principal_id, kind, start_at, end_at FROM assignments NOT INDEXED
         WHERE ended_at IS NULL",
        args![],
        &mut |row| {
            let text = |i: usize| -> StoreResult<&str> {
                std::str::from_utf8(row.text_bytes(i)?.unwrap_or_default()).map_err(|_| {
                    StoreError::Corrupt(format!("column {i} of an assignment is not UTF-8"))
                })
            };
            each(
                text(0)?,
                crate::audit::state::StateFields {
                    role_id: text(1)?,
                    principal_id: text(2)?,
                    kind: text(3)?,
                    start: row.get(4)?,
                    end: row.get(5)?,
                    ended: false,
                },
            );
            Ok(true)
        },
    )
}

/// The principal's most recently expired admin assignment of a role (optionally of one kind).
pub fn latest_expired(
    conn: Conn<'_>,
    principal_id: &str,
    role_id: &str,
    kind: Option<AssignmentKind>,
) -> StoreResult<Option<Assignment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM assignments a
         WHERE a.principal_id = ?1 AND a.role_id = ?2 AND a.origin = 'assigned' AND a.end_reason = 'expired'
           AND (CAST(?3 AS TEXT) IS NULL OR a.kind = ?3)
         ORDER BY a.end_at DESC LIMIT 1"
    );
    conn.row(
        &sql,
        args![principal_id, role_id, kind.map(AssignmentKind::as_str)],
        from_row,
    )
}

/// Admin assignments whose `lead`-before-the-end reminder is due at `now` and not yet sent
/// (`column` is `reminded_14d` or `reminded_1d`), excluding those made already inside the
/// window. Oldest threshold first.
pub fn due_reminders(
    conn: Conn<'_>,
    column: &str,
    lead_secs: i64,
    now: Time,
    limit: i64,
) -> StoreResult<Vec<AssignmentRow>> {
    let column = match column {
        "reminded_14d" => "reminded_14d",
        _ => "reminded_1d",
    };
    let sql = format!(
        "SELECT {COLUMNS}, {JOINED} FROM assignments a
         JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.principal_id
         WHERE a.ended_at IS NULL AND a.origin = 'assigned' AND a.end_at IS NOT NULL AND a.{column} IS NULL
           AND a.end_at - ?2 <= ?1 AND a.end_at - ?2 > a.created_at
         ORDER BY a.end_at LIMIT ?3"
    );
    conn.rows(&sql, args![secs(now), lead_secs, limit], joined_row)
}

/// Records that a reminder was sent (once: only if it was not yet).
pub fn mark_reminded(conn: Conn<'_>, id: &str, column: &str, at: Time) -> StoreResult<bool> {
    let column = match column {
        "reminded_14d" => "reminded_14d",
        _ => "reminded_1d",
    };
    let n = conn.exec(
        &format!("UPDATE assignments SET {column} = ?2 WHERE id = ?1 AND {column} IS NULL"),
        args![id, secs(at)],
    )?;
    Ok(n == 1)
}

/// The request an assignment was made by.
pub fn request_of(conn: Conn<'_>, id: &str) -> StoreResult<Option<String>> {
    Ok(conn
        .row(
            "SELECT request_id FROM assignments WHERE id = ?1",
            args![id],
            |r| r.get::<Option<String>>(0),
        )?
        .flatten())
}
