//! Assignments held through a group: a role assigned to a group, carried by a user's live
//! active membership of it, and the activations a member made from a group's eligibility.

use super::super::sql::{Conn, args, named};

use super::{AssignmentRow, COLUMNS, JOINED, MEMBER_LIVE, from_row_at, joined_row};
use crate::clock::Time;
use crate::policy::model::Assignment;
use crate::store::StoreResult;
use crate::store::convert::secs;

/// A role assignment a user holds through a group: the group's assignment (its principal is
/// the group) and the user's live active membership that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThroughGroup {
    /// The role's assignment to the group.
    pub row: AssignmentRow,
    /// The user's active membership of the group.
    pub membership: Assignment,
}

impl ThroughGroup {
    /// When the user started holding it: the later of the two starts.
    pub fn start(&self) -> Time {
        self.row.assignment.start.max(self.membership.start)
    }

    /// The group's assignment as the user holds it: from the later of the two starts to the
    /// earlier of the two ends.
    pub fn held(self) -> AssignmentRow {
        let (start, end) = (self.start(), self.end());
        let mut row = self.row;
        row.assignment.start = start;
        row.assignment.end = end;
        row
    }

    /// When the user stops holding it: the earlier of the two ends (`None`: permanent).
    pub fn end(&self) -> Option<Time> {
        match (self.row.assignment.end, self.membership.end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The current role assignments (eligible and active) of every group the user is a live
/// active member of, at `now`.
pub fn through_groups(conn: Conn<'_>, user_id: &str, now: Time) -> StoreResult<Vec<ThroughGroup>> {
    let member = COLUMNS.replace("a.", "m.");
    let sql = format!(
        "SELECT {COLUMNS}, {JOINED}, {member} FROM assignments m
         JOIN roles gr ON gr.id = m.role_id AND gr.group_access = 'member'
         JOIN assignments a ON a.principal_id = gr.group_id AND a.ended_at IS NULL
              AND (a.end_at IS NULL OR a.end_at > :now)
         JOIN roles r ON r.id = a.role_id
         JOIN users u ON u.id = a.principal_id
         WHERE m.principal_id = :p AND m.kind = 'active' AND {MEMBER_LIVE}
         ORDER BY r.display_name, u.upn"
    );
    conn.rows(&sql, named! {":p": user_id, ":now": secs(now)}, |r| {
        Ok(ThroughGroup {
            row: joined_row(r)?,
            membership: from_row_at(r, 25)?,
        })
    })
}

/// A user's not-ended activations made from eligibilities of a group (the role assigned to the
/// group as eligible, activated by the user as its member).
pub fn activations_through_group(
    conn: Conn<'_>,
    user_id: &str,
    group_id: &str,
) -> StoreResult<Vec<AssignmentRow>> {
    let sql = format!(
        "SELECT {COLUMNS}, {JOINED} FROM assignments a
         JOIN assignments e ON e.id = a.activated_from AND e.principal_id = ?2
         JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.principal_id
         WHERE a.principal_id = ?1 AND a.origin = 'activated' AND a.ended_at IS NULL"
    );
    conn.rows(&sql, args![user_id, group_id], joined_row)
}
