//! What the security alerts look at, and their settings and dismissals.

use super::sql::{Conn, Param, Row, args, named};

use super::StoreResult;
use super::convert::{opt_time, secs, time};
use crate::clock::Time;
use crate::policy::alerts::{AlertConfig, AlertFacts, AlertId};
use crate::policy::model::{GLOBAL_ADMINISTRATOR, Principal, Role};

/// "Current": not ended and not past its end.
const CURRENT: &str = "a.ended_at IS NULL AND (a.end_at IS NULL OR a.end_at > :now)";

fn principal_role(r: &Row<'_>, at: usize) -> StoreResult<(Principal, Role)> {
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
            group: None,
        },
    ))
}

const PR: &str = "u.id, u.upn, u.display_name, r.id, r.display_name, r.slug, r.privileged";

/// What the big alerts list: every item, or the first few of each (their totals and
/// fingerprints are always of every item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Items listed per alert; `None` for all.
    pub limit: Option<i64>,
    /// "Administrators aren't using their privileged roles": days without activation.
    pub unused_days: i64,
    /// "Potential stale accounts": days without sign-in.
    pub stale_days: i64,
    /// "Roles are being activated too frequently": how many activations of one role by one
    /// person make an incident (`None`: the alert is off, and no activation is read). Only
    /// the activations of people and roles with at least this many in the last 30 days are
    /// listed; fewer can never make an incident.
    pub frequent_count: Option<i64>,
    /// The alerts whose fingerprint is wanted (to compare with a dismissal, or to dismiss);
    /// the others are only counted.
    pub fingerprints: Vec<AlertId>,
}

/// How many items a query selects and a fingerprint of which: sums over their row ids, so an
/// index that holds exactly the items answers it without reading a row.
pub(super) fn summary(
    conn: Conn<'_>,
    from_where: &str,
    rowid: &str,
    params: &[(&str, &dyn Param)],
    fingerprint: bool,
) -> StoreResult<(i64, String)> {
    if !fingerprint {
        let sql = format!("SELECT count(*) {from_where}");
        let n: i64 = conn.one(&sql, params, |r| r.get(0))?;
        return Ok((n, String::new()));
    }
    let sql = format!(
        "SELECT count(*), coalesce(sum({rowid}), 0), coalesce(sum(({rowid} * 2654435761) % 4294967311), 0) {from_where}"
    );
    let (n, a, b): (i64, i64, i64) =
        conn.one(&sql, params, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok((n, items_print(n, a, b)))
}

/// The fingerprint of `n` items from their two row-id sums.
fn items_print(n: i64, a: i64, b: i64) -> String {
    format!("{n}:{a}:{b}")
}

/// "Administrators aren't using their privileged roles": eligible assignments of privileged
/// roles held for `unused_days` and not activated within them.
pub(super) const UNUSED: &str = "FROM assignments a WHERE a.ended_at IS NULL AND a.kind = 'eligible'
     AND a.role_id IN (SELECT id FROM roles WHERE privileged = 1)
     AND a.created_at <= :since AND (a.end_at IS NULL OR a.end_at > :now)
     AND (a.last_activated_at IS NULL OR a.last_activated_at < :since OR a.last_activated_at > :now)";

/// The items of [`UNUSED`] as every current eligible
/// assignment of a privileged role (kept in `eligible_totals` by triggers) less the few that
/// were created, expired or activated within the window, each found on its own index: the
/// alert costs what changed lately, not the number of eligible administrators.
pub(super) fn unused_summary(conn: Conn<'_>, now: i64, since: i64) -> StoreResult<(i64, String)> {
    let (n, a, b): (i64, i64, i64) = conn.one(
        "WITH privileged AS (SELECT id FROM roles WHERE privileged = 1),
         -- Three disjoint parts, each summed on its own index (no set of row ids to build):
         -- created within the window; older but past their end; older, not past their end,
         -- and activated within the window.
         gone (items, sum_a, sum_b) AS (
             SELECT count(*), coalesce(sum(a.rowid), 0),
                    coalesce(sum((a.rowid * 2654435761) % 4294967311), 0)
             FROM assignments a INDEXED BY assignments_eligible_use
             WHERE a.ended_at IS NULL AND a.kind = 'eligible'
               AND a.role_id IN (SELECT id FROM privileged) AND a.created_at > :since
             UNION ALL
             SELECT count(*), coalesce(sum(a.rowid), 0),
                    coalesce(sum((a.rowid * 2654435761) % 4294967311), 0)
             FROM assignments a INDEXED BY assignments_current_counts
             WHERE a.ended_at IS NULL AND a.kind = 'eligible'
               AND a.role_id IN (SELECT id FROM privileged) AND a.end_at <= :now AND a.created_at <= :since
             UNION ALL
             SELECT count(*), coalesce(sum(a.rowid), 0),
                    coalesce(sum((a.rowid * 2654435761) % 4294967311), 0)
             FROM assignments a INDEXED BY assignments_eligible_recent
             WHERE a.ended_at IS NULL AND a.kind = 'eligible'
               AND a.last_activated_at >= :since AND a.last_activated_at <= :now
               AND a.role_id IN (SELECT id FROM privileged) AND a.created_at <= :since
               AND (a.end_at IS NULL OR a.end_at > :now)
         )
         SELECT t.items - g.items, t.sum_a - g.sum_a, t.sum_b - g.sum_b
         FROM (SELECT coalesce(sum(items), 0) AS items, coalesce(sum(rowid_sum), 0) AS sum_a,
                      coalesce(sum(rowid_mix), 0) AS sum_b
               FROM eligible_totals WHERE role_id IN (SELECT id FROM privileged)) t,
              (SELECT sum(items) AS items, sum(sum_a) AS sum_a, sum(sum_b) AS sum_b FROM gone) g",
        named! {":now": now, ":since": since},
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok((n, items_print(n, a, b)))
}

/// "There are permanent active assignments": those of directory roles (PIM for Groups has no
/// such alert), counted row by row.
pub(super) const PERMANENT: &str = "FROM assignments a INDEXED BY assignments_permanent_active
         WHERE a.ended_at IS NULL AND a.end_at IS NULL
         AND a.kind = 'active' AND a.origin = 'assigned'
         AND a.role_id NOT IN (SELECT id FROM roles WHERE group_id IS NOT NULL)";

/// The items of "There are permanent active assignments" from the per-role totals the
/// triggers of `permanent_totals` keep (SQLite): one row per role, however many standing
/// administrators the tenant has. The same count and fingerprint as [`summary`] over the rows.
pub(super) fn permanent_summary(conn: Conn<'_>, fingerprint: bool) -> StoreResult<(i64, String)> {
    let (n, a, b): (i64, i64, i64) = conn.one(
        "SELECT coalesce(sum(items), 0), coalesce(sum(rowid_sum), 0), coalesce(sum(rowid_mix), 0)
         FROM permanent_totals WHERE role_id IN (SELECT id FROM roles WHERE group_id IS NULL)",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok((
        n,
        if fingerprint {
            items_print(n, a, b)
        } else {
            String::new()
        },
    ))
}

/// Gathers every fact the alerts need at `now`. The alerts whose items can be many (unused
/// roles, stale accounts, permanent active assignments) are counted on their own indexes and
/// listed as `listing` asks; nothing here reads every assignment.
pub fn facts(conn: Conn<'_>, now: Time, listing: Listing) -> StoreResult<AlertFacts> {
    let n = secs(now);
    let limit = listing.limit.unwrap_or(i64::MAX);
    let wanted = |id: AlertId| listing.fingerprints.contains(&id);
    // Every item in order; or the first few as the index has them, without sorting them all.
    let order = |by: &str| {
        if listing.limit.is_none() {
            format!("ORDER BY {by}")
        } else {
            String::new()
        }
    };
    let mut f = AlertFacts {
        roles_without_mfa: conn.rows("SELECT r.id, r.display_name, r.slug, r.description, r.privileged, r.group_id, r.group_access
         FROM roles r JOIN role_settings s ON s.role_id = r.id
         WHERE s.require_mfa = 0 AND s.auth_context IS NULL AND r.group_id IS NULL ORDER BY r.display_name", args![], |r| super::roles::role_at(r, 0))?,
        ..AlertFacts::default()
    };

    // The counter holds every not-ended one; those past their end the sweep has not yet
    // recorded are few, and found on their own index.
    f.all_assignments = conn.one(
        "SELECT (SELECT value FROM counters WHERE name = 'current_assigned')
              - (SELECT count(*) FROM assignments a
                 WHERE a.ended_at IS NULL AND a.origin = 'assigned' AND a.end_at <= ?1)",
        args![n],
        |r| r.get(0),
    )?;
    f.global_admin_assignments = conn.one(&format!(
            "SELECT count(*) FROM assignments a WHERE a.origin = 'assigned' AND a.role_id = ?2 AND {}",
            CURRENT.replace(":now", "?1")
        ), args![n, GLOBAL_ADMINISTRATOR], |r| r.get(0))?;
    f.global_admins = conn.rows(&format!(
        "SELECT DISTINCT u.id, u.upn, u.display_name FROM assignments a JOIN users u ON u.id = a.principal_id
         WHERE a.origin = 'assigned' AND a.role_id = :ga AND {CURRENT} ORDER BY u.upn"
    ), named! {":now": n, ":ga": GLOBAL_ADMINISTRATOR}, |r| {
                Ok(Principal {
                    id: r.get(0)?,
                    upn: r.get(1)?,
                    display_name: r.get(2)?,
                })
            })?;

    // Eligible assignments of privileged roles not activated for `unused_days`.
    let since = n - listing.unused_days * 86_400;
    f.summaries.push((
        AlertId::RedundantAssignment,
        unused_summary(conn, n, since)?,
    ));
    f.eligible_privileged = conn.rows(&format!(
        "SELECT {PR}, a.created_at, CASE WHEN a.last_activated_at <= :now THEN a.last_activated_at END
         {} {} LIMIT :limit",
        UNUSED.replacen(
            "FROM assignments a",
            "FROM assignments a JOIN users u ON u.id = a.principal_id JOIN roles r ON r.id = a.role_id",
            1
        ),
        order("u.upn, r.display_name")
    ), named! {":now": n, ":since": since, ":limit": limit}, |r| {
                let (p, role) = principal_role(r, 0)?;
                Ok((p, role, time(r.get(7)?), opt_time(r.get(8)?)))
            })?;

    // Enabled members of privileged roles not signed in for `stale_days`.
    let since = n - listing.stale_days * 86_400;
    let stale =
        "FROM users u WHERE u.enabled = 1 AND coalesce(u.last_sign_in, u.created_at) < :since
         AND EXISTS (SELECT 1 FROM assignments a JOIN roles r ON r.id = a.role_id
                     WHERE a.principal_id = u.id AND a.ended_at IS NULL AND a.origin = 'assigned'
                       AND r.privileged = 1 AND (a.end_at IS NULL OR a.end_at > :now))";
    let p = named! {":now": n, ":since": since};
    f.summaries.push((
        AlertId::StaleSignIn,
        summary(conn, stale, "u.rowid", p, wanted(AlertId::StaleSignIn))?,
    ));
    f.privileged_members = conn.rows(&format!(
        "SELECT u.id, u.upn, u.display_name, u.last_sign_in, u.created_at {stale} {} LIMIT :limit",
        order("u.upn")
    ), named! {":now": n, ":since": since, ":limit": limit}, |r| {
                Ok((
                    Principal {
                        id: r.get(0)?,
                        upn: r.get(1)?,
                        display_name: r.get(2)?,
                    },
                    opt_time(r.get(3)?),
                    time(r.get(4)?),
                ))
            })?;

    // Activations of the last 30 days of each person and role activated at least the
    // alert's count of times in them, found on the activations' own index (which holds who
    // and which role): grows with activity, not tenant, and reads only the few repeated.
    if let Some(count) = listing.frequent_count {
        f.recent_activations = conn.rows(&format!(
            "SELECT {PR}, a.start_at FROM assignments a JOIN users u ON u.id = a.principal_id JOIN roles r ON r.id = a.role_id
             WHERE a.origin = 'activated' AND a.start_at <= :now AND a.start_at > :now - 30 * 86400
               AND (a.principal_id, a.role_id) IN (
                   SELECT principal_id, role_id FROM assignments
                   WHERE origin = 'activated' AND start_at <= :now AND start_at > :now - 30 * 86400
                   GROUP BY principal_id, role_id HAVING count(*) >= :count)
             ORDER BY a.start_at, a.rowid"
        ), named! {":now": n, ":count": count}, |r| {
                let (p, role) = principal_role(r, 0)?;
                Ok((p, role, time(r.get(7)?)))
            })?;
    }

    // Current assignments no audited operation made (kept listed by triggers). SQLite walks
    // the short list first when told to (CROSS JOIN); PostgreSQL plans that itself.
    let join = if conn.is_pg() { "JOIN" } else { "CROSS JOIN" };
    f.outside_pim = conn.rows(&format!(
        "SELECT {PR}, a.id FROM assignments_unaudited x {join} assignments a ON a.id = x.assignment_id
         JOIN users u ON u.id = a.principal_id JOIN roles r ON r.id = a.role_id
         WHERE {CURRENT} ORDER BY u.upn"
    ), named! {":now": n}, |r| {
            let (p, role) = principal_role(r, 0)?;
            Ok((p, role, r.get(7)?))
        })?;

    // Permanent active assignments of directory roles, counted from their totals.
    let wanted_permanent = wanted(AlertId::PermanentActiveAssignments);
    f.summaries.push((
        AlertId::PermanentActiveAssignments,
        if conn.is_pg() {
            summary(conn, PERMANENT, "a.rowid", &[], wanted_permanent)?
        } else {
            permanent_summary(conn, wanted_permanent)?
        },
    ));
    f.permanent_active = conn.rows(
        &format!(
            "SELECT {PR} {} {} LIMIT ?1",
            PERMANENT.replacen(
                "WHERE",
                "JOIN users u ON u.id = a.principal_id JOIN roles r ON r.id = a.role_id WHERE",
                1
            ),
            order("u.upn, r.display_name")
        ),
        args![limit],
        |r| principal_role(r, 0),
    )?;
    Ok(f)
}

/// An alert's stored settings (defaults when never changed).
pub fn config(conn: Conn<'_>, id: AlertId) -> StoreResult<AlertConfig> {
    let stored: Option<(bool, String)> = conn.row(
        "SELECT enabled, config FROM alert_settings WHERE alert_id = ?1",
        args![id.graph_name()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(match stored {
        None => AlertConfig::default_for(id),
        Some((enabled, json)) => AlertConfig {
            enabled,
            ..serde_json::from_str(&json).unwrap_or(AlertConfig::default_for(id))
        },
    })
}

/// Stores an alert's settings.
pub fn set_config(conn: Conn<'_>, id: AlertId, cfg: &AlertConfig) -> StoreResult<()> {
    conn.exec(
        "INSERT INTO alert_settings (alert_id, enabled, config) VALUES (?1, ?2, ?3)
         ON CONFLICT (alert_id) DO UPDATE SET enabled = excluded.enabled, config = excluded.config",
        args![
            id.graph_name(),
            cfg.enabled,
            serde_json::to_string(cfg).unwrap_or_default()
        ],
    )?;
    Ok(())
}

/// The fingerprint of the affected items when the alert was dismissed.
pub fn dismissal(conn: Conn<'_>, id: AlertId) -> StoreResult<Option<String>> {
    conn.row(
        "SELECT fingerprint FROM alert_dismissals WHERE alert_id = ?1",
        args![id.graph_name()],
        |r| r.get(0),
    )
}

/// Dismisses an alert for as long as its affected items stay the same.
pub fn dismiss(
    conn: Conn<'_>,
    id: AlertId,
    fingerprint: &str,
    at: Time,
    by: &str,
) -> StoreResult<()> {
    conn.exec("INSERT INTO alert_dismissals (alert_id, fingerprint, dismissed_at, dismissed_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (alert_id) DO UPDATE SET fingerprint = excluded.fingerprint, dismissed_at = excluded.dismissed_at,
             dismissed_by = excluded.dismissed_by", args![id.graph_name(), fingerprint, secs(at), by])?;
    Ok(())
}
