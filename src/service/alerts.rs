//! Security alerts: computed on request from the database (no background scan to miss),
//! visible to audit readers, dismissed and configured by administrators, audited.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{ServiceError, ServiceResult, SessionToken};
use crate::audit::{AuditEntry, activity};
use crate::auth::session::hex;
use crate::policy::Refusal;
use crate::policy::Rule;
use crate::policy::alerts::{AlertConfig, AlertId, Incident, Severity, evaluate};
use crate::policy::assignment::admin_required;
use crate::store;

/// One alert with its state.
#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    /// Which alert.
    pub id: AlertId,
    /// How serious.
    pub severity: Severity,
    /// The portal's title.
    pub title: &'static str,
    /// Why it matters.
    pub impact: &'static str,
    /// What to do.
    pub fix: &'static str,
    /// Its settings.
    pub config: AlertConfig,
    /// The affected items now (empty: not firing).
    pub incidents: Vec<Incident>,
    /// Dismissed, and the affected items have not changed since.
    pub dismissed: bool,
}

impl AlertView {
    /// Firing and not dismissed.
    pub fn active(&self) -> bool {
        self.config.enabled && !self.incidents.is_empty() && !self.dismissed
    }

    /// `off`, `ok`, `dismissed` or `firing`.
    pub fn state(&self) -> &'static str {
        if !self.config.enabled {
            "off"
        } else if self.incidents.is_empty() {
            "ok"
        } else if self.dismissed {
            "dismissed"
        } else {
            "firing"
        }
    }

    /// The thresholds in force, in words.
    pub fn settings_text(&self) -> String {
        let c = &self.config;
        match self.id {
            AlertId::TooManyGlobalAdmins => format!(
                "more than {} Global Administrators and more than {}% of all role assignments",
                c.count - 1,
                c.percent
            ),
            AlertId::RedundantAssignment => format!("no activation for {} days", c.days),
            AlertId::StaleSignIn => format!("no sign-in for {} days", c.days),
            AlertId::SequentialActivation => format!(
                "{} activations of one role within {}",
                c.count,
                crate::policy::duration::format_duration(chrono::TimeDelta::seconds(c.window_secs))
            ),
            _ => "no thresholds".into(),
        }
    }
}

/// Changes to an alert's settings; `None` keeps a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertConfigPatch {
    /// On or off.
    pub enabled: Option<bool>,
    /// Days.
    pub days: Option<i64>,
    /// Count.
    pub count: Option<i64>,
    /// Percentage.
    pub percent: Option<i64>,
    /// Timeframe in seconds.
    pub window_secs: Option<i64>,
}

fn fingerprint(incidents: &[Incident]) -> String {
    let mut keys: Vec<&str> = incidents.iter().map(|i| i.key.as_str()).collect();
    keys.sort_unstable();
    hex(&Sha256::digest(keys.join("\n").as_bytes()))
}

fn compute(ctx: &super::Ctx<'_>) -> ServiceResult<Vec<AlertView>> {
    let mut facts = store::alerts::facts(ctx.conn, ctx.now)?;
    facts.licence = Some(ctx.tenant.licence);
    let mut out = Vec::new();
    for id in AlertId::ALL {
        let config = store::alerts::config(ctx.conn, id)?;
        let incidents = if config.enabled {
            evaluate(id, &config, &facts, ctx.now)
        } else {
            Vec::new()
        };
        let dismissed = !incidents.is_empty()
            && store::alerts::dismissal(ctx.conn, id)?
                .is_some_and(|f| f == fingerprint(&incidents));
        out.push(AlertView {
            id,
            severity: id.severity(),
            title: id.title(),
            impact: id.impact(),
            fix: id.fix(),
            config,
            incidents,
            dismissed,
        });
    }
    Ok(out)
}

fn readers_only() -> ServiceError {
    ServiceError::Refused(Refusal::new(
        Rule::AdminRequestRule,
        "alerts are visible with an active Global Administrator, Privileged Role Administrator, Global Reader, Security Administrator or Security Reader role",
    ))
}

impl super::Service {
    /// Every alert, with its affected items now.
    pub fn alerts(&mut self, token: &SessionToken) -> ServiceResult<Vec<AlertView>> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            if !ctx.is_audit_reader(&me.id)? {
                return Err(readers_only());
            }
            compute(ctx)
        })
    }

    /// Dismisses an alert until its affected items change.
    pub fn dismiss_alert(&mut self, token: &SessionToken, id: AlertId) -> ServiceResult<AlertView> {
        self.write(|ctx| {
            let me = ctx.actor(token)?.principal;
            let attempt = AuditEntry::new(activity::ALERT_DISMISSED, ctx.now)
                .by(&me)
                .detail("alert", id.graph_name());
            if !ctx.is_admin(&me.id)? {
                return Err(ctx.refuse(attempt, admin_required("dismissing alerts")));
            }
            let view = compute(ctx)?
                .into_iter()
                .find(|v| v.id == id)
                .ok_or_else(|| ServiceError::NotFound("no such alert".into()))?;
            if view.incidents.is_empty() {
                return Err(ServiceError::Invalid(format!(
                    "the alert \"{}\" is not firing; there is nothing to dismiss",
                    id.title()
                )));
            }
            store::alerts::dismiss(ctx.conn, id, &fingerprint(&view.incidents), ctx.now, &me.id)?;
            ctx.audit(attempt.detail("items", view.incidents.len()))?;
            Ok(AlertView {
                dismissed: true,
                ..view
            })
        })
    }

    /// Changes an alert's settings (on/off and thresholds within the portal's ranges).
    pub fn configure_alert(
        &mut self,
        token: &SessionToken,
        id: AlertId,
        patch: AlertConfigPatch,
    ) -> ServiceResult<AlertView> {
        self.write(|ctx| {
            let me = ctx.actor(token)?.principal;
            let before = store::alerts::config(ctx.conn, id)?;
            let after = AlertConfig {
                enabled: patch.enabled.unwrap_or(before.enabled),
                days: patch.days.unwrap_or(before.days),
                count: patch.count.unwrap_or(before.count),
                percent: patch.percent.unwrap_or(before.percent),
                window_secs: patch.window_secs.unwrap_or(before.window_secs),
            };
            let attempt = AuditEntry::new(activity::ALERT_SETTINGS, ctx.now)
                .by(&me)
                .detail("alert", id.graph_name())
                .detail("before", before)
                .detail("after", after);
            if !ctx.is_admin(&me.id)? {
                return Err(ctx.refuse(attempt, admin_required("changing alert settings")));
            }
            if !id.configurable()
                && (patch.days.is_some()
                    || patch.count.is_some()
                    || patch.percent.is_some()
                    || patch.window_secs.is_some())
            {
                return Err(ServiceError::Invalid(format!(
                    "the alert \"{}\" has no thresholds; only --enabled applies",
                    id.title()
                )));
            }
            after.validate(id).map_err(ServiceError::Invalid)?;
            store::alerts::set_config(ctx.conn, id, &after)?;
            ctx.audit(attempt)?;
            compute(ctx)?
                .into_iter()
                .find(|v| v.id == id)
                .ok_or_else(|| ServiceError::NotFound("no such alert".into()))
        })
    }
}
