//! Role settings: one row per role, its approvers, and its nine notification rows.

use super::sql::{Conn, args};

use super::convert::{corrupt, opt_time, secs};
use super::{StoreError, StoreResult};
use crate::clock::Time;
use crate::policy::model::Principal;
use crate::policy::notification::{NotificationSetting, NotifyRow, split_recipients};
use crate::policy::settings::{ExpireAfter, RoleSettings};

/// Settings with who changed them last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSettings {
    /// The settings.
    pub settings: RoleSettings,
    /// When last changed (policy time); `None` while still Entra's defaults.
    pub updated_at: Option<Time>,
    /// UPN of who changed them last.
    pub updated_by: Option<String>,
}

fn expire(days: i64) -> StoreResult<ExpireAfter> {
    ExpireAfter::from_days(days).ok_or_else(|| corrupt("expiry limit", &days.to_string()))
}

/// Loads a role's settings.
pub fn load(conn: Conn<'_>, role_id: &str) -> StoreResult<StoredSettings> {
    let row = conn
        .row("SELECT s.max_activation_secs, s.require_mfa, s.require_justification, s.require_ticket,
                    s.require_approval, s.allow_permanent_eligible, s.expire_eligible_days,
                    s.allow_permanent_active, s.expire_active_days, s.require_mfa_on_active,
                    s.require_justification_on_active, s.updated_at, u.upn,
                    s.require_mfa_on_eligible, s.require_justification_on_eligible, s.auth_context
             FROM role_settings s LEFT JOIN users u ON u.id = s.updated_by
             WHERE s.role_id = ?1", args![role_id], |r| {
                Ok((
                    r.get::<i64>(0)?,
                    [r.get::<bool>(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
                    r.get::<i64>(6)?,
                    r.get::<bool>(7)?,
                    r.get::<i64>(8)?,
                    [r.get::<bool>(9)?, r.get(10)?, r.get(13)?, r.get(14)?],
                    r.get::<Option<i64>>(11)?,
                    r.get::<Option<String>>(12)?,
                    r.get::<Option<String>>(15)?,
                ))
            })?
        .ok_or_else(|| StoreError::Corrupt(format!("role {role_id} has no settings row")))?;
    let (
        max,
        [mfa, just, ticket, approval, perm_elig],
        elig_days,
        perm_active,
        active_days,
        [mfa_active, just_active, mfa_eligible, just_eligible],
        at,
        by,
        auth_context,
    ) = row;
    let mut settings = RoleSettings {
        max_activation: chrono::TimeDelta::seconds(max),
        require_mfa: mfa,
        auth_context,
        require_justification: just,
        require_ticket: ticket,
        require_approval: approval,
        approvers: approvers(conn, role_id)?,
        allow_permanent_eligible: perm_elig,
        expire_eligible_after: expire(elig_days)?,
        allow_permanent_active: perm_active,
        expire_active_after: expire(active_days)?,
        require_mfa_on_active: mfa_active,
        require_justification_on_active: just_active,
        require_mfa_on_eligible: mfa_eligible,
        require_justification_on_eligible: just_eligible,
        notifications: Default::default(),
    };
    load_notifications(conn, role_id, &mut settings)?;
    Ok(StoredSettings {
        settings,
        updated_at: opt_time(at),
        updated_by: by,
    })
}

fn approvers(conn: Conn<'_>, role_id: &str) -> StoreResult<Vec<Principal>> {
    conn.rows(
        "SELECT u.id, u.upn, u.display_name FROM role_approvers a JOIN users u ON u.id = a.user_id
         WHERE a.role_id = ?1 ORDER BY u.upn COLLATE NOCASE",
        args![role_id],
        |r| {
            Ok(Principal {
                id: r.get(0)?,
                upn: r.get(1)?,
                display_name: r.get(2)?,
            })
        },
    )
}

fn load_notifications(
    conn: Conn<'_>,
    role_id: &str,
    settings: &mut RoleSettings,
) -> StoreResult<()> {
    let rows = conn.rows(
        "SELECT rule_id, default_recipients, additional_recipients, critical_only
         FROM role_notifications WHERE role_id = ?1",
        args![role_id],
        |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<bool>(1)?,
                r.get::<String>(2)?,
                r.get::<bool>(3)?,
            ))
        },
    )?;
    for (rule_id, default_recipients, additional, critical_only) in rows {
        let row =
            NotifyRow::parse(&rule_id).ok_or_else(|| corrupt("notification rule", &rule_id))?;
        settings.notifications.set(
            row,
            NotificationSetting {
                default_recipients,
                additional_recipients: split_recipients(&additional),
                critical_only,
            },
        );
    }
    Ok(())
}

/// Writes a role's settings (all fields, approvers and the nine notification rows).
pub fn save(
    conn: Conn<'_>,
    role_id: &str,
    s: &RoleSettings,
    updated_by: Option<&str>,
    at: Option<Time>,
) -> StoreResult<()> {
    conn.exec("INSERT INTO role_settings (role_id, max_activation_secs, require_mfa, require_justification,
             require_ticket, require_approval, allow_permanent_eligible, expire_eligible_days,
             allow_permanent_active, expire_active_days, require_mfa_on_active,
             require_justification_on_active, updated_at, updated_by,
             require_mfa_on_eligible, require_justification_on_eligible, auth_context)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
         ON CONFLICT (role_id) DO UPDATE SET
             max_activation_secs = excluded.max_activation_secs, require_mfa = excluded.require_mfa,
             require_justification = excluded.require_justification, require_ticket = excluded.require_ticket,
             require_approval = excluded.require_approval,
             allow_permanent_eligible = excluded.allow_permanent_eligible,
             expire_eligible_days = excluded.expire_eligible_days,
             allow_permanent_active = excluded.allow_permanent_active,
             expire_active_days = excluded.expire_active_days,
             require_mfa_on_active = excluded.require_mfa_on_active,
             require_justification_on_active = excluded.require_justification_on_active,
             require_mfa_on_eligible = excluded.require_mfa_on_eligible,
             require_justification_on_eligible = excluded.require_justification_on_eligible,
             auth_context = excluded.auth_context,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by", args![
            role_id,
            s.max_activation.num_seconds(),
            s.require_mfa,
            s.require_justification,
            s.require_ticket,
            s.require_approval,
            s.allow_permanent_eligible,
            s.expire_eligible_after.days(),
            s.allow_permanent_active,
            s.expire_active_after.days(),
            s.require_mfa_on_active,
            s.require_justification_on_active,
            at.map(secs),
            updated_by,
            s.require_mfa_on_eligible,
            s.require_justification_on_eligible,
            s.auth_context
        ])?;
    conn.exec(
        "DELETE FROM role_approvers WHERE role_id = ?1",
        args![role_id],
    )?;
    for p in &s.approvers {
        conn.exec(
            "INSERT INTO role_approvers (role_id, user_id) VALUES (?1, ?2)",
            args![role_id, p.id],
        )?;
    }
    for (row, n) in s.notifications.iter() {
        conn.exec("INSERT INTO role_notifications (role_id, rule_id, default_recipients, additional_recipients, critical_only)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (role_id, rule_id) DO UPDATE SET default_recipients = excluded.default_recipients,
                 additional_recipients = excluded.additional_recipients, critical_only = excluded.critical_only", args![role_id, row.rule_id(), n.default_recipients, n.additional_recipients.join(";"), n.critical_only])?;
    }
    Ok(())
}
