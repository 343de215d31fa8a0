//! Role settings: reading them (any signed-in account) and changing them (only with an active
//! Global Administrator or Privileged Role Administrator role), audited with before and after.

use super::{ServiceResult, SessionToken};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::policy::model::Role;
use crate::policy::settings::{Change, RoleSettings, SettingsPatch, apply_patch};

/// A role's settings with their provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsView {
    /// The role.
    pub role: Role,
    /// Its settings.
    pub settings: RoleSettings,
    /// When last changed; `None` while Entra's defaults.
    pub updated_at: Option<Time>,
    /// Who changed them last.
    pub updated_by: Option<String>,
}

/// A role with how many current eligible and active assignments it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleOverview {
    /// The role.
    pub role: Role,
    /// Current eligible assignments.
    pub eligible: i64,
    /// Current active assignments (assigned and activated).
    pub active: i64,
}

impl super::Service {
    /// The catalogue with assignment counts, for the admin side's role list.
    pub fn role_overview(&mut self, token: &SessionToken) -> ServiceResult<Vec<RoleOverview>> {
        self.read(|ctx| {
            ctx.actor(token)?;
            let counts = ctx.db.current_counts(ctx.now)?;
            Ok(ctx
                .db
                .roles()?
                .into_iter()
                .map(|role| {
                    let count = |kind: &str| {
                        counts
                            .iter()
                            .find(|(r, k, _)| *r == role.id && k == kind)
                            .map_or(0, |c| c.2)
                    };
                    RoleOverview {
                        eligible: count("eligible"),
                        active: count("active"),
                        role,
                    }
                })
                .collect())
        })
    }

    /// The role catalogue (no sign-in needed: it is Microsoft's public list).
    pub fn roles(&mut self) -> ServiceResult<Vec<Role>> {
        self.read(|ctx| Ok(ctx.db.roles()?))
    }

    /// One role's settings.
    pub fn role_settings(
        &mut self,
        token: &SessionToken,
        role: &str,
    ) -> ServiceResult<SettingsView> {
        self.read(|ctx| {
            ctx.actor(token)?;
            let role = ctx.role(role)?;
            let stored = ctx.db.load_settings(&role.id)?;
            Ok(SettingsView {
                role,
                settings: stored.settings,
                updated_at: stored.updated_at,
                updated_by: stored.updated_by,
            })
        })
    }

    /// Changes a role's settings. `approvers` (UPNs) replaces the approver list when given.
    /// Returns the new settings and the fields that changed (empty: nothing to do, nothing
    /// audited).
    pub fn update_settings(
        &mut self,
        token: &SessionToken,
        role: &str,
        patch: SettingsPatch,
        approvers: Option<Vec<String>>,
    ) -> ServiceResult<(SettingsView, Vec<Change>)> {
        self.write(|ctx| update_settings_tx(ctx, token, role, patch, approvers))
    }
}

/// [`super::Service::update_settings`] inside a transaction (an alert's fix changes several
/// roles in one).
pub(super) fn update_settings_tx(
    ctx: &super::Ctx<'_>,
    token: &SessionToken,
    role: &str,
    mut patch: SettingsPatch,
    approvers: Option<Vec<String>>,
) -> ServiceResult<(SettingsView, Vec<Change>)> {
    let actor = ctx.actor(token)?.principal;
    let role = ctx.role(role)?;
    if let Some(upns) = approvers {
        let mut resolved = Vec::new();
        for upn in upns.iter().filter(|u| !u.trim().is_empty()) {
            let p = ctx.user(upn)?.principal;
            if !resolved
                .iter()
                .any(|r: &crate::policy::model::Principal| r.id == p.id)
            {
                resolved.push(p);
            }
        }
        patch.approvers = Some(resolved);
    }
    let attempt = AuditEntry::new(activity::Activity::SettingsUpdated, ctx.now)
        .by(&actor)
        .role(&role);
    ctx.require_admin(&actor.id, &attempt, "changing role settings")?;
    let before = ctx.db.load_settings(&role.id)?;
    let (after, changes) =
        apply_patch(&before.settings, &patch).map_err(|r| ctx.refuse(attempt.clone(), r))?;
    if changes.is_empty() {
        return Ok((
            SettingsView {
                role,
                settings: before.settings,
                updated_at: before.updated_at,
                updated_by: before.updated_by,
            },
            changes,
        ));
    }
    ctx.db
        .save_settings(&role.id, &after, Some(&actor.id), Some(ctx.now))?;
    ctx.audit(attempt.detail("changes", &changes))?;
    Ok((
        SettingsView {
            role,
            settings: after,
            updated_at: Some(ctx.now),
            updated_by: Some(actor.upn.clone()),
        },
        changes,
    ))
}
