//! The role catalogue.

use super::sql::{Conn, Row, args};

use super::StoreResult;
use crate::policy::model::{Access, GroupAccess, Role};

/// The columns [`from_row`] reads, on a `roles` row named `r`.
pub(crate) const COLUMNS: &str =
    "r.id, r.display_name, r.slug, r.description, r.privileged, r.group_id, r.group_access";

/// A role from [`COLUMNS`] starting at column `at`.
pub(crate) fn role_at(r: &Row<'_>, at: usize) -> StoreResult<Role> {
    let group_id: Option<String> = r.get(at + 5)?;
    let access: Option<String> = r.get(at + 6)?;
    Ok(Role {
        id: r.get(at)?,
        display_name: r.get(at + 1)?,
        slug: r.get(at + 2)?,
        description: r.get(at + 3)?,
        privileged: r.get(at + 4)?,
        group: group_id
            .zip(access.as_deref().and_then(Access::parse))
            .map(|(group_id, access)| GroupAccess { group_id, access }),
    })
}

fn from_row(r: &Row<'_>) -> StoreResult<Role> {
    role_at(r, 0)
}

/// Adds a role.
pub fn insert(conn: Conn<'_>, role: &Role) -> StoreResult<()> {
    conn.exec("INSERT INTO roles (id, display_name, slug, description, privileged, group_id, group_access)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", args![
            role.id,
            role.display_name,
            role.slug,
            role.description,
            role.privileged,
            role.group.as_ref().map(|g| &g.group_id),
            role.group.as_ref().map(|g| g.access.as_str())
        ])?;
    Ok(())
}

/// Every directory role, by name (not the groups' member and owner entries).
pub fn all(conn: Conn<'_>) -> StoreResult<Vec<Role>> {
    conn.rows(&format!(
        "SELECT {COLUMNS} FROM roles r WHERE r.group_id IS NULL ORDER BY r.display_name COLLATE NOCASE"
    ), args![], from_row)
}

/// A role by template id.
pub fn get(conn: Conn<'_>, id: &str) -> StoreResult<Option<Role>> {
    conn.row(
        &format!("SELECT {COLUMNS} FROM roles r WHERE r.id = ?1"),
        args![id],
        from_row,
    )
}

/// A role named by display name (any case), template id or slug. A group's member or owner
/// entry answers to its id only: by name, groups are named through `pim groups`.
pub fn resolve(conn: Conn<'_>, name: &str) -> StoreResult<Option<Role>> {
    let name = name.trim();
    conn
        .row(&format!(
                "SELECT {COLUMNS} FROM roles r
                 WHERE lower(r.id) = lower(?1)
                    OR (r.group_id IS NULL AND (r.display_name = ?1 COLLATE NOCASE OR r.slug = lower(?1)))
                 ORDER BY r.group_id IS NOT NULL LIMIT 1"
            ), args![name], from_row)
}

/// A group's member or owner entry.
pub fn of_group(conn: Conn<'_>, group_id: &str, access: Access) -> StoreResult<Option<Role>> {
    conn.row(
        &format!("SELECT {COLUMNS} FROM roles r WHERE r.group_id = ?1 AND r.group_access = ?2"),
        args![group_id, access.as_str()],
        from_row,
    )
}
