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
use crate::store;

mod fix;

pub use fix::{AlertFixed, FixInput, FixStep};

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
    /// The affected items now (empty: not firing); the first few of them when the alert was
    /// read with others (see [`SAMPLE`]), every one from [`super::Service::alert`].
    pub incidents: Vec<Incident>,
    /// How many items are affected in all.
    pub affected: usize,
    /// Dismissed, and the affected items have not changed since.
    pub dismissed: bool,
    /// Which items are affected, in short: a dismissal holds while it stays the same.
    #[serde(skip)]
    fingerprint: String,
}

impl AlertView {
    /// Firing and not dismissed.
    pub fn active(&self) -> bool {
        self.config.enabled && self.affected > 0 && !self.dismissed
    }

    /// `off`, `ok`, `dismissed` or `firing`.
    pub fn state(&self) -> &'static str {
        if !self.config.enabled {
            "off"
        } else if self.affected == 0 {
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

/// Items listed per alert when every alert is read at once.
pub const SAMPLE: i64 = 20;

/// Every alert now, listing `limit` items of each (`None`: all), with the total and
/// fingerprint of all of them.
fn compute(ctx: &super::Ctx<'_>, limit: Option<i64>) -> ServiceResult<Vec<AlertView>> {
    compute_marking(ctx, limit, None)
}

/// [`compute`], with the fingerprint of `marking` taken whether or not it was dismissed before
/// (the others' only when a dismissal is stored to compare it with).
fn compute_marking(
    ctx: &super::Ctx<'_>,
    limit: Option<i64>,
    marking: Option<AlertId>,
) -> ServiceResult<Vec<AlertView>> {
    let mut configs = Vec::new();
    let mut dismissals = Vec::new();
    for id in AlertId::ALL {
        configs.push((id, ctx.db.alert_config(id)?));
        dismissals.push((id, ctx.db.alert_dismissal(id)?));
    }
    let stored = |id: AlertId| {
        dismissals
            .iter()
            .find(|(d, _)| *d == id)
            .and_then(|(_, f)| f.clone())
    };
    let days = |which: AlertId| {
        configs
            .iter()
            .find(|(id, _)| *id == which)
            .map_or(30, |(_, c)| c.days)
    };
    let listing = store::alerts::Listing {
        limit,
        unused_days: days(AlertId::RedundantAssignment),
        stale_days: days(AlertId::StaleSignIn),
        frequent_count: configs
            .iter()
            .find(|(id, c)| *id == AlertId::SequentialActivation && c.enabled)
            .map(|(_, c)| c.count),
        fingerprints: AlertId::ALL
            .into_iter()
            .filter(|&id| marking == Some(id) || stored(id).is_some())
            .collect(),
    };
    let mut facts = ctx.db.alert_facts(ctx.now, listing)?;
    facts.licence = Some(ctx.tenant.licence);
    let mut out = Vec::new();
    for (id, config) in configs {
        let (incidents, affected, print) = if config.enabled {
            let mut incidents = evaluate(id, &config, &facts, ctx.now);
            match facts.summaries.iter().find(|(s, _)| *s == id) {
                Some((_, (n, print))) => {
                    // A sample comes in the index's order.
                    incidents.sort_by(|a, b| a.text.cmp(&b.text));
                    let print = hex(&Sha256::digest(print.as_bytes()));
                    (incidents, usize::try_from(*n).unwrap_or(0), print)
                }
                None => {
                    let print = fingerprint(&incidents);
                    let n = incidents.len();
                    if let Some(limit) = limit {
                        incidents.truncate(usize::try_from(limit).unwrap_or(0));
                    }
                    (incidents, n, print)
                }
            }
        } else {
            (Vec::new(), 0, String::new())
        };
        let dismissed = affected > 0 && stored(id).is_some_and(|f| f == print);
        out.push(AlertView {
            id,
            severity: id.severity(),
            title: id.title(),
            impact: id.impact(),
            fix: id.fix(),
            config,
            incidents,
            affected,
            dismissed,
            fingerprint: print,
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
            compute(ctx, Some(SAMPLE))
        })
    }

    /// One alert with every affected item.
    pub fn alert(&mut self, token: &SessionToken, id: AlertId) -> ServiceResult<AlertView> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            if !ctx.is_audit_reader(&me.id)? {
                return Err(readers_only());
            }
            compute(ctx, None)?
                .into_iter()
                .find(|v| v.id == id)
                .ok_or_else(|| ServiceError::NotFound("no such alert".into()))
        })
    }

    /// Dismisses an alert until its affected items change.
    pub fn dismiss_alert(&mut self, token: &SessionToken, id: AlertId) -> ServiceResult<AlertView> {
        self.write(|ctx| {
            let (me, attempt) = ctx.attempt(token, activity::Activity::AlertDismissed)?;
            let attempt = attempt.detail("alert", id.graph_name());
            ctx.require_admin(&me.id, &attempt, "dismissing alerts")?;
            let view = compute_marking(ctx, Some(SAMPLE), Some(id))?
                .into_iter()
                .find(|v| v.id == id)
                .ok_or_else(|| ServiceError::NotFound("no such alert".into()))?;
            if view.affected == 0 {
                return Err(ServiceError::Invalid(format!(
                    "the alert \"{}\" is not firing; there is nothing to dismiss",
                    id.title()
                )));
            }
            ctx.db
                .dismiss_alert(id, &view.fingerprint, ctx.now, &me.id)?;
            ctx.audit(attempt.detail("items", view.affected))?;
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
            let before = ctx.db.alert_config(id)?;
            let after = AlertConfig {
                enabled: patch.enabled.unwrap_or(before.enabled),
                days: patch.days.unwrap_or(before.days),
                count: patch.count.unwrap_or(before.count),
                percent: patch.percent.unwrap_or(before.percent),
                window_secs: patch.window_secs.unwrap_or(before.window_secs),
            };
            let attempt = AuditEntry::new(activity::Activity::AlertSettings, ctx.now)
                .by(&me)
                .detail("alert", id.graph_name())
                .detail("before", before)
                .detail("after", after);
            ctx.require_admin(&me.id, &attempt, "changing alert settings")?;
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
            ctx.db.set_alert_config(id, &after)?;
            ctx.audit(attempt)?;
            compute(ctx, Some(SAMPLE))?
                .into_iter()
                .find(|v| v.id == id)
                .ok_or_else(|| ServiceError::NotFound("no such alert".into()))
        })
    }
}
