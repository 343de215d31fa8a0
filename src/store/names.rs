//! Names for shell completion: the role catalogue, the groups and the enabled accounts' UPNs, read from
//! the database file (or server) directly, read-only, without a sign-in, a migration or a warning. Any
//! problem (no database yet, an old or damaged one, busy) gives no names: completion must
//! never get in the way.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

fn open(path: &Path) -> Option<Connection> {
    // Only a database pim would open itself (there, ours, private).
    super::files::check_file(path).ok()??;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    conn.busy_timeout(std::time::Duration::from_millis(200))
        .ok()?;
    Some(conn)
}

/// The names on a PostgreSQL server, given half a second to answer.
fn pg_strings(url: &str, sql: &str) -> Option<Vec<(String, String)>> {
    use super::sql::{Conn, args};
    let (target, _) = super::pg::PgTarget::parse(url).ok()?;
    let target = target.with_connect_timeout(std::time::Duration::from_millis(500));
    let conn = super::pg::sql::PgConn::new(target.connect().ok()?, target.shown.clone());
    conn.batch(&format!("SET search_path = {}", super::pg::SCHEMA))
        .ok()?;
    Conn::Pg(&conn)
        .rows(sql, args![], |r| Ok((r.get(0)?, r.get(1)?)))
        .ok()
}

fn strings(path: &Path, sql: &str) -> Vec<(String, String)> {
    if let Some(url) = path.to_str().filter(|p| super::pg::is_url(p)) {
        return pg_strings(url, sql).unwrap_or_default();
    }
    let Some(conn) = open(path) else {
        return Vec::new();
    };
    let Ok(mut stmt) = conn.prepare_cached(sql) else {
        return Vec::new();
    };
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map(|rows| rows.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

/// Roles by their slugs (one word for the shell: `security-reader`, which every command takes
/// as the role), with their display names.
pub fn roles(path: &Path) -> Vec<(String, String)> {
    strings(
        path,
        "SELECT slug, display_name FROM roles WHERE group_id IS NULL ORDER BY slug LIMIT 1000",
    )
}

/// Enabled accounts' UPNs with their display names, by UPN.
pub fn upns(path: &Path) -> Vec<(String, String)> {
    strings(
        path,
        "SELECT upn, display_name FROM users WHERE enabled = 1 AND object_type = 'user' ORDER BY upn LIMIT 10000",
    )
}

/// Groups by name, with their descriptions.
pub fn groups(path: &Path) -> Vec<(String, String)> {
    strings(
        path,
        "SELECT u.display_name, g.description FROM groups g JOIN users u ON u.id = g.id
         ORDER BY u.display_name LIMIT 1000",
    )
}
