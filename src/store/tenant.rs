//! The tenant row: domain, kind, licence and the lab clock's offset.

use super::sql::{Conn, args};

use super::StoreResult;
use super::convert::{bad_value, secs, time};
use crate::clock::lab_offset;
use crate::policy::model::{Licence, Tenant, TenantKind};

/// The tenant, if one has been created.
pub fn get(conn: Conn<'_>) -> StoreResult<Option<Tenant>> {
    conn.row(
        "SELECT id, domain, display_name, kind, licence, clock_offset, created_at FROM tenant",
        args![],
        |r| {
            let kind: String = r.get(3)?;
            let licence: String = r.get(4)?;
            Ok(Tenant {
                id: r.get(0)?,
                domain: r.get(1)?,
                display_name: r.get(2)?,
                kind: TenantKind::parse(&kind).ok_or_else(|| bad_value("tenant kind", &kind))?,
                licence: Licence::parse(&licence).ok_or_else(|| bad_value("licence", &licence))?,
                clock_offset: lab_offset(r.get(5)?).unwrap_or_default(),
                created_at: time(r.get(6)?),
            })
        },
    )
}

/// Creates the tenant row.
pub fn insert(conn: Conn<'_>, t: &Tenant) -> StoreResult<()> {
    conn.exec(
        "INSERT INTO tenant (id, domain, display_name, kind, licence, clock_offset, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        args![
            t.id,
            t.domain,
            t.display_name,
            t.kind.as_str(),
            t.licence.as_str(),
            t.clock_offset.num_seconds(),
            secs(t.created_at)
        ],
    )?;
    Ok(())
}

/// The lab clock's offset as stored, in seconds (a damaged value reads as zero in [`get`]).
pub fn stored_clock_offset(conn: Conn<'_>) -> StoreResult<Option<i64>> {
    conn.row("SELECT clock_offset FROM tenant", args![], |r| r.get(0))
}

/// Moves the lab clock.
pub fn set_clock_offset(conn: Conn<'_>, offset_secs: i64) -> StoreResult<()> {
    conn.exec("UPDATE tenant SET clock_offset = ?1", args![offset_secs])?;
    Ok(())
}

/// Changes the licence.
pub fn set_licence(conn: Conn<'_>, licence: Licence) -> StoreResult<()> {
    conn.exec("UPDATE tenant SET licence = ?1", args![licence.as_str()])?;
    Ok(())
}

/// Empties every table but the audit log (append-only, it records the reset and goes on) and
/// the file's own facts, for `pim lab --reset`.
pub fn wipe(conn: Conn<'_>) -> StoreResult<()> {
    conn.batch(
        "DELETE FROM emails;
         DELETE FROM review_items;
         DELETE FROM review_reviewers;
         DELETE FROM reviews;
         DELETE FROM assignments_unaudited;
         DELETE FROM bundles;
         DELETE FROM alert_dismissals;
         DELETE FROM alert_settings;
         DELETE FROM assignments;
         DELETE FROM requests;
         DELETE FROM role_notifications;
         DELETE FROM role_approvers;
         DELETE FROM role_settings;
         DELETE FROM roles;
         DELETE FROM groups;
         DELETE FROM sessions;
         DELETE FROM users;
         DELETE FROM tenant;",
    )?;
    Ok(())
}
