//! The role catalogue.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreResult;
use crate::policy::model::Role;

fn from_row(r: &Row<'_>) -> rusqlite::Result<Role> {
    Ok(Role {
        id: r.get(0)?,
        display_name: r.get(1)?,
        slug: r.get(2)?,
        description: r.get(3)?,
        privileged: r.get(4)?,
    })
}

/// Adds a role.
pub fn insert(conn: &Connection, role: &Role) -> StoreResult<()> {
    super::cached_exec(
        conn,
        "INSERT INTO roles (id, display_name, slug, description, privileged) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            role.id,
            role.display_name,
            role.slug,
            role.description,
            role.privileged
        ],
    )?;
    Ok(())
}

/// Every role, by name.
pub fn all(conn: &Connection) -> StoreResult<Vec<Role>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, display_name, slug, description, privileged FROM roles ORDER BY display_name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A role by template id.
pub fn get(conn: &Connection, id: &str) -> StoreResult<Option<Role>> {
    Ok(conn
        .query_row(
            "SELECT id, display_name, slug, description, privileged FROM roles WHERE id = ?1",
            [id],
            from_row,
        )
        .optional()?)
}

/// A role named by display name (any case), template id or slug.
pub fn resolve(conn: &Connection, name: &str) -> StoreResult<Option<Role>> {
    let name = name.trim();
    Ok(conn
        .query_row(
            "SELECT id, display_name, slug, description, privileged FROM roles
             WHERE display_name = ?1 COLLATE NOCASE OR lower(id) = lower(?1) OR slug = lower(?1)",
            [name],
            from_row,
        )
        .optional()?)
}
