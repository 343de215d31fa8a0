//! Security groups for PIM for Groups: the group itself (a principal row that can never sign
//! in, plus its own row), and counts of who holds its membership and ownership.

use super::sql::{Conn, Row, args, named};

use super::StoreResult;
use super::convert::{secs, time};
use crate::clock::Time;
use crate::policy::model::Principal;

/// A group as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    /// Object id, and the name (in both `upn` and `display_name`: a group has no sign-in name).
    pub principal: Principal,
    /// Free text.
    pub description: String,
    /// Created as role-assignable: directory roles may be assigned to it.
    pub role_assignable: bool,
    /// Creation time (policy time).
    pub created_at: Time,
}

/// A group with how many hold its access now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSummary {
    /// The group.
    pub group: GroupRecord,
    /// Current eligible members.
    pub eligible_members: i64,
    /// Current active members (assigned or activated).
    pub active_members: i64,
    /// Current eligible owners.
    pub eligible_owners: i64,
    /// Current active owners.
    pub active_owners: i64,
    /// Current role assignments to the group.
    pub roles: i64,
}

const COLUMNS: &str = "u.id, u.upn, u.display_name, g.description, g.role_assignable, g.created_at";

fn from_row(r: &Row<'_>) -> StoreResult<GroupRecord> {
    Ok(GroupRecord {
        principal: Principal {
            id: r.get(0)?,
            upn: r.get(1)?,
            display_name: r.get(2)?,
        },
        description: r.get(3)?,
        role_assignable: r.get(4)?,
        created_at: time(r.get(5)?),
    })
}

/// Adds a group: its principal row (disabled, with no usable password) and its own row.
pub fn insert(conn: Conn<'_>, g: &GroupRecord, created_by: Option<&str>) -> StoreResult<()> {
    conn.exec(
        "INSERT INTO users (id, upn, display_name, enabled, password_hash, created_at, object_type)
         VALUES (?1, ?2, ?3, 0, '!', ?4, 'group')",
        args![
            g.principal.id,
            g.principal.upn,
            g.principal.display_name,
            secs(g.created_at)
        ],
    )?;
    conn.exec(
        "INSERT INTO groups (id, description, role_assignable, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        args![
            g.principal.id,
            g.description,
            g.role_assignable,
            created_by,
            secs(g.created_at)
        ],
    )?;
    Ok(())
}

/// A group by name (any case) or object id.
pub fn resolve(conn: Conn<'_>, name: &str) -> StoreResult<Option<GroupRecord>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM groups g JOIN users u ON u.id = g.id
         WHERE u.upn = ?1 COLLATE NOCASE OR lower(g.id) = lower(?1)"
    );
    conn.row(&sql, args![name.trim()], from_row)
}

/// A group by object id.
pub fn get(conn: Conn<'_>, id: &str) -> StoreResult<Option<GroupRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM groups g JOIN users u ON u.id = g.id WHERE g.id = ?1");
    conn.row(&sql, args![id], from_row)
}

/// Whether a new group may not take this name: a principal (user, or group: its name is its
/// `upn`) or a role already answers to it.
pub fn name_taken(conn: Conn<'_>, name: &str) -> StoreResult<bool> {
    conn.one(
        "SELECT EXISTS (SELECT 1 FROM users WHERE upn = ?1 COLLATE NOCASE)
             OR EXISTS (SELECT 1 FROM roles WHERE group_id IS NULL
                 AND (display_name = ?1 COLLATE NOCASE OR slug = lower(?1)))",
        args![name],
        |r| r.get(0),
    )
}

/// Every group by name, with how many hold its access at `now`.
pub fn list(conn: Conn<'_>, now: Time) -> StoreResult<Vec<GroupSummary>> {
    let count = |access: &str, kind: &str| {
        format!(
            "(SELECT count(*) FROM roles gr JOIN assignments a ON a.role_id = gr.id
              WHERE gr.group_id = g.id AND gr.group_access = '{access}' AND a.kind = '{kind}'
                AND a.ended_at IS NULL AND (a.end_at IS NULL OR a.end_at > :now))"
        )
    };
    let sql = format!(
        "SELECT {COLUMNS}, {}, {}, {}, {},
            (SELECT count(*) FROM assignments a WHERE a.principal_id = g.id
              AND a.ended_at IS NULL AND (a.end_at IS NULL OR a.end_at > :now))
         FROM groups g JOIN users u ON u.id = g.id ORDER BY u.display_name COLLATE NOCASE",
        count("member", "eligible"),
        count("member", "active"),
        count("owner", "eligible"),
        count("owner", "active"),
    );
    conn.rows(&sql, named! {":now": secs(now)}, |r| {
        Ok(GroupSummary {
            group: from_row(r)?,
            eligible_members: r.get(6)?,
            active_members: r.get(7)?,
            eligible_owners: r.get(8)?,
            active_owners: r.get(9)?,
            roles: r.get(10)?,
        })
    })
}

/// How many groups there are.
pub fn count(conn: Conn<'_>) -> StoreResult<i64> {
    conn.one("SELECT count(*) FROM groups", args![], |r| r.get(0))
}
