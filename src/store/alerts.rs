//! What the security alerts look at, and their settings and dismissals.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreResult;
use super::convert::{opt_time, secs, time};
use crate::clock::Time;
use crate::policy::alerts::{AlertConfig, AlertFacts, AlertId};
use crate::policy::model::{GLOBAL_ADMINISTRATOR, Principal, Role};

/// "Current": not ended and not past its end.
const CURRENT: &str = "a.ended_at IS NULL AND (a.end_at IS NULL OR a.end_at > :now)";

fn principal_role(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<(Principal, Role)> {
    Ok((
        Principal {
            id: r.get(at)?,
            upn: r.get(at + 1)?,
            display_name: r.get(at + 2)?,
        },
        Role {
            id: r.get(at + 3)?,
            display_name: r.get(at + 4)?,
            slug: r.get(at + 5)?,
            description: String::new(),
            privileged: r.get(at + 6)?,
        },
    ))
}

const PR: &str = "u.id, u.upn, u.display_name, r.id, r.display_name, r.slug, r.privileged";

/// Gathers every fact the alerts need at `now` (activations of the last 30 days).
pub fn facts(conn: &Connection, now: Time) -> StoreResult<AlertFacts> {
    let n = secs(now);
    let mut f = AlertFacts::default();
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.display_name, r.slug, r.description, r.privileged FROM roles r
         JOIN role_settings s ON s.role_id = r.id WHERE s.require_mfa = 0 ORDER BY r.display_name",
    )?;
    f.roles_without_mfa = stmt
        .query_map([], |r| {
            Ok(Role {
                id: r.get(0)?,
                display_name: r.get(1)?,
                slug: r.get(2)?,
                description: r.get(3)?,
                privileged: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let count = |extra: &str| -> StoreResult<i64> {
        Ok(super::cached_row(
            conn,
            &format!(
                "SELECT count(*) FROM assignments a WHERE a.origin = 'assigned' AND {CURRENT} {extra}"
            ),
            rusqlite::named_params! {":now": n, ":ga": GLOBAL_ADMINISTRATOR},
            |r| r.get(0),
        )?)
    };
    f.all_assignments = count("AND (:ga IS NOT NULL OR 1)")?;
    f.global_admin_assignments = count("AND a.role_id = :ga")?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT DISTINCT u.id, u.upn, u.display_name FROM assignments a JOIN users u ON u.id = a.principal_id
         WHERE a.origin = 'assigned' AND a.role_id = :ga AND {CURRENT} ORDER BY u.upn"
    ))?;
    f.global_admins = stmt
        .query_map(
            rusqlite::named_params! {":now": n, ":ga": GLOBAL_ADMINISTRATOR},
            |r| {
                Ok(Principal {
                    id: r.get(0)?,
                    upn: r.get(1)?,
                    display_name: r.get(2)?,
                })
            },
        )?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PR}, a.created_at,
                (SELECT max(x.start_at) FROM assignments x WHERE x.principal_id = a.principal_id AND x.role_id = a.role_id
                   AND x.origin = 'activated' AND x.start_at <= :now)
         FROM assignments a JOIN users u ON u.id = a.principal_id JOIN roles r ON r.id = a.role_id
         WHERE a.kind = 'eligible' AND r.privileged = 1 AND {CURRENT} ORDER BY u.upn, r.display_name"
    ))?;
    f.eligible_privileged = stmt
        .query_map(rusqlite::named_params! {":now": n}, |r| {
            let (p, role) = principal_role(r, 0)?;
            Ok((p, role, time(r.get(7)?), opt_time(r.get(8)?)))
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT DISTINCT u.id, u.upn, u.display_name, u.last_sign_in, u.created_at
         FROM assignments a JOIN users u ON u.id = a.principal_id JOIN roles r ON r.id = a.role_id
         WHERE a.origin = 'assigned' AND r.privileged = 1 AND u.enabled = 1 AND {CURRENT} ORDER BY u.upn"
    ))?;
    f.privileged_members = stmt
        .query_map(rusqlite::named_params! {":now": n}, |r| {
            Ok((
                Principal {
                    id: r.get(0)?,
                    upn: r.get(1)?,
                    display_name: r.get(2)?,
                },
                opt_time(r.get(3)?),
                time(r.get(4)?),
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PR}, a.start_at FROM assignments a JOIN users u ON u.id = a.principal_id JOIN roles r ON r.id = a.role_id
         WHERE a.origin = 'activated' AND a.start_at <= :now AND a.start_at > :now - 30 * 86400 ORDER BY a.start_at"
    ))?;
    f.recent_activations = stmt
        .query_map(rusqlite::named_params! {":now": n}, |r| {
            let (p, role) = principal_role(r, 0)?;
            Ok((p, role, time(r.get(7)?)))
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PR}, a.id FROM assignments a JOIN users u ON u.id = a.principal_id JOIN roles r ON r.id = a.role_id
         WHERE {CURRENT} AND NOT EXISTS (SELECT 1 FROM audit WHERE audit.subject_id = a.id) ORDER BY u.upn"
    ))?;
    f.outside_pim = stmt
        .query_map(rusqlite::named_params! {":now": n}, |r| {
            let (p, role) = principal_role(r, 0)?;
            Ok((p, role, r.get(7)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PR} FROM assignments a JOIN users u ON u.id = a.principal_id JOIN roles r ON r.id = a.role_id
         WHERE a.kind = 'active' AND a.origin = 'assigned' AND a.end_at IS NULL AND {CURRENT} ORDER BY u.upn"
    ))?;
    f.permanent_active = stmt
        .query_map(rusqlite::named_params! {":now": n}, |r| {
            principal_role(r, 0)
        })?
        .collect::<Result<_, _>>()?;
    Ok(f)
}

/// An alert's stored settings (defaults when never changed).
pub fn config(conn: &Connection, id: AlertId) -> StoreResult<AlertConfig> {
    let stored: Option<(bool, String)> = conn
        .query_row(
            "SELECT enabled, config FROM alert_settings WHERE alert_id = ?1",
            [id.graph_name()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match stored {
        None => AlertConfig::default_for(id),
        Some((enabled, json)) => AlertConfig {
            enabled,
            ..serde_json::from_str(&json).unwrap_or(AlertConfig::default_for(id))
        },
    })
}

/// Stores an alert's settings.
pub fn set_config(conn: &Connection, id: AlertId, cfg: &AlertConfig) -> StoreResult<()> {
    super::cached_exec(
        conn,
        "INSERT INTO alert_settings (alert_id, enabled, config) VALUES (?1, ?2, ?3)
         ON CONFLICT (alert_id) DO UPDATE SET enabled = excluded.enabled, config = excluded.config",
        params![
            id.graph_name(),
            cfg.enabled,
            serde_json::to_string(cfg).unwrap_or_default()
        ],
    )?;
    Ok(())
}

/// The fingerprint of the affected items when the alert was dismissed.
pub fn dismissal(conn: &Connection, id: AlertId) -> StoreResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT fingerprint FROM alert_dismissals WHERE alert_id = ?1",
            [id.graph_name()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Dismisses an alert for as long as its affected items stay the same.
pub fn dismiss(
    conn: &Connection,
    id: AlertId,
    fingerprint: &str,
    at: Time,
    by: &str,
) -> StoreResult<()> {
    super::cached_exec(
        conn,
        "INSERT INTO alert_dismissals (alert_id, fingerprint, dismissed_at, dismissed_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (alert_id) DO UPDATE SET fingerprint = excluded.fingerprint, dismissed_at = excluded.dismissed_at,
             dismissed_by = excluded.dismissed_by",
        params![id.graph_name(), fingerprint, secs(at), by],
    )?;
    Ok(())
}
