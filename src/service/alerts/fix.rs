//! Alert fixes (Graph's `remediate`): what each fixable alert changes, shown first with
//! `--dry-run`, then applied through the normal rules, each change audited.

use serde::Serialize;

use crate::audit::activity;
use crate::policy::Refusal;
use crate::policy::Rule;
use crate::policy::alerts::{AlertId, evaluate};
use crate::service::{ServiceError, ServiceResult, SessionToken};
use crate::store;

use super::*;

/// What `pim alerts fix` may change beyond an alert's own remedy.
#[derive(Debug, Clone, Default)]
pub struct FixInput {
    /// Permanent active assignments become active for this long (from now) instead of eligible.
    pub active_for: Option<chrono::TimeDelta>,
    /// A fresh code, when a change needs one (one code covers the whole fix).
    pub otp: Option<String>,
}

/// One item an alert listed and what its fix did with it.
#[derive(Debug, Clone, Serialize)]
pub struct FixStep {
    /// The item, as the alert lists it.
    pub item: String,
    /// The change made (in a dry run: that would be made).
    pub change: String,
    /// Why it was left as it is: the refusal of the rule that kept it.
    pub refused: Option<String>,
}

/// What fixing an alert did.
#[derive(Debug, Clone, Serialize)]
pub struct AlertFixed {
    /// The alert.
    pub alert: AlertId,
    /// Each listed item in turn.
    pub steps: Vec<FixStep>,
    /// How many items the alert lists afterwards.
    pub still_affected: usize,
}

/// An item a fix changes.
enum Target {
    /// A role to require MFA on.
    Role(crate::policy::model::Role),
    /// An assignment to make eligible or time-bound.
    Permanent(crate::policy::model::Principal, crate::policy::model::Role),
    /// A stale account to take out of its privileged roles.
    Stale(crate::policy::model::Principal),
    /// An assignment to remove: the eligible one, or this one by id.
    Remove(
        crate::policy::model::Principal,
        crate::policy::model::Role,
        Option<String>,
    ),
}

/// Every item `id` lists now (all of them, not a sample), with what its fix would change.
fn fix_targets(ctx: &crate::service::Ctx<'_>, id: AlertId) -> ServiceResult<Vec<(String, Target)>> {
    use std::collections::HashMap;
    let config = ctx.db.alert_config(id)?;
    if !config.enabled {
        return Ok(Vec::new());
    }
    let listing = store::alerts::Listing {
        limit: None,
        unused_days: ctx.db.alert_config(AlertId::RedundantAssignment)?.days,
        stale_days: ctx.db.alert_config(AlertId::StaleSignIn)?.days,
        frequent_count: Some(ctx.db.alert_config(AlertId::SequentialActivation)?)
            .filter(|c| c.enabled)
            .map(|c| c.count),
        fingerprints: Vec::new(),
    };
    let mut facts = ctx.db.alert_facts(ctx.now, listing)?;
    facts.licence = Some(ctx.tenant.licence);
    let incidents = evaluate(id, &config, &facts, ctx.now);
    let pair = |p: &crate::policy::model::Principal, r: &crate::policy::model::Role| {
        format!("{}:{}", p.id, r.id)
    };
    let mut targets: HashMap<String, Target> = match id {
        AlertId::NoMfaOnRoleActivation => facts
            .roles_without_mfa
            .into_iter()
            .map(|r| (r.id.clone(), Target::Role(r)))
            .collect(),
        AlertId::PermanentActiveAssignments => facts
            .permanent_active
            .into_iter()
            .map(|(p, r)| (pair(&p, &r), Target::Permanent(p, r)))
            .collect(),
        AlertId::RedundantAssignment => facts
            .eligible_privileged
            .into_iter()
            .map(|(p, r, _, _)| (pair(&p, &r), Target::Remove(p, r, None)))
            .collect(),
        AlertId::RolesAssignedOutsidePim => facts
            .outside_pim
            .into_iter()
            .map(|(p, r, a)| (a.clone(), Target::Remove(p, r, Some(a))))
            .collect(),
        AlertId::StaleSignIn => facts
            .privileged_members
            .into_iter()
            .map(|(p, _, _)| (p.id.clone(), Target::Stale(p)))
            .collect(),
        _ => HashMap::new(),
    };
    Ok(incidents
        .into_iter()
        .filter_map(|i| targets.remove(&i.key).map(|t| (i.text, t)))
        .collect())
}

/// The refusal of a fix that does not apply.
fn not_fixable(id: AlertId, why: &str) -> Refusal {
    Refusal::new(
        Rule::AlertRemediationRule,
        format!("\"{}\" {why}", id.title()),
    )
}

impl crate::service::Service {
    /// Applies an alert's fix to every item it lists, each change through its own rules (a
    /// change a rule refuses is left, and said why, while the others go ahead), in one
    /// transaction, audited as the fix and as each change.
    pub fn fix_alert(
        &mut self,
        token: &SessionToken,
        id: AlertId,
        input: FixInput,
    ) -> ServiceResult<AlertFixed> {
        use crate::policy::model::AssignmentKind;
        use crate::service::assign::{RemoveInput, UpdateInput, Window, remove_tx, update_tx};
        self.write(|ctx| {
            let (me, attempt) = ctx.attempt(token, activity::Activity::AlertRemediated)?;
            let attempt = attempt.detail("alert", id.graph_name());
            ctx.require_admin(&me.id, &attempt, "fixing alerts")?;
            if !id.remediable() {
                let why = format!(
                    "has no automatic fix; what to do: {} (alerts with one: {})",
                    id.fix(),
                    AlertId::ALL
                        .into_iter()
                        .filter(|a| a.remediable())
                        .map(AlertId::slug)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return Err(ctx.refuse(attempt, not_fixable(id, &why)));
            }
            let targets = fix_targets(ctx, id)?;
            if targets.is_empty() {
                return Err(ctx.refuse(
                    attempt,
                    not_fixable(
                        id,
                        "is not firing: it lists nothing to fix (`pim alerts` shows which fire)",
                    ),
                ));
            }
            let reason = Some(format!("Fixing the alert \"{}\"", id.title()));
            let time = crate::policy::duration::format_utc;
            let mut steps = Vec::new();
            for (item, target) in targets {
                let outcome = match target {
                    Target::Role(role) => crate::service::settings::update_settings_tx(
                        ctx,
                        token,
                        &role.id,
                        crate::policy::settings::SettingsPatch {
                            require_mfa: Some(true),
                            ..Default::default()
                        },
                        None,
                    )
                    .map(|_| "now requires MFA on activation".to_owned()),
                    Target::Permanent(p, role) => {
                        let settings = ctx.settings(&role.id)?;
                        let (kind, window) = match input.active_for {
                            Some(d) => (None, Window::For(d)),
                            None if settings.allow_permanent_eligible => {
                                (Some(AssignmentKind::Eligible), Window::Permanent)
                            }
                            None => (
                                Some(AssignmentKind::Eligible),
                                Window::For(settings.expire_eligible_after.duration()),
                            ),
                        };
                        update_tx(
                            ctx,
                            token,
                            &UpdateInput {
                                role: role.id.clone(),
                                upn: p.upn.clone(),
                                assignment_id: None,
                                kind,
                                window: Some(window),
                                justification: reason.clone(),
                                otp: input.otp.clone(),
                            },
                            reason.clone(),
                        )
                        .map(|done| {
                            let until = done.assignment.end.map_or_else(
                                || "permanently".to_owned(),
                                |e| format!("until {}", time(e)),
                            );
                            format!("now {} {until}", done.assignment.kind.as_str())
                        })
                    }
                    Target::Stale(p) => {
                        let filter = store::assignments::Filter {
                            role_id: None,
                            principal_id: Some(&p.id),
                            kind: None,
                            which: store::assignments::Which::Current,
                            limit: i64::MAX,
                            offset: 0,
                        };
                        let held: Vec<_> = ctx
                            .db
                            .list_assignments(&filter, ctx.now)?
                            .into_iter()
                            .filter(|a| {
                                a.role.privileged
                                    && a.assignment.origin == crate::policy::model::Origin::Assigned
                            })
                            .collect();
                        let mut removed = Vec::new();
                        let mut kept = Vec::new();
                        for a in held {
                            let input = RemoveInput {
                                role: a.role.id.clone(),
                                upn: p.upn.clone(),
                                kind: None,
                                assignment_id: Some(a.assignment.id.clone()),
                            };
                            let what =
                                format!("{} ({})", a.role.display_name, a.assignment.kind.as_str());
                            match remove_tx(ctx, token, &input) {
                                Ok(_) => removed.push(what),
                                Err(ServiceError::Refused(r)) => kept.push(format!("{what}: {r}")),
                                Err(e) => return Err(e),
                            }
                        }
                        let change = if removed.is_empty() {
                            "left as it is".to_owned()
                        } else {
                            format!("removed from {}", removed.join(", "))
                        };
                        if kept.is_empty() {
                            Ok(change)
                        } else {
                            steps.push(FixStep {
                                item,
                                change,
                                refused: Some(kept.join("; ")),
                            });
                            continue;
                        }
                    }
                    Target::Remove(p, role, assignment_id) => remove_tx(
                        ctx,
                        token,
                        &RemoveInput {
                            role: role.id.clone(),
                            upn: p.upn.clone(),
                            kind: assignment_id.is_none().then_some(AssignmentKind::Eligible),
                            assignment_id,
                        },
                    )
                    .map(|done| format!("{} assignment removed", done.assignment.kind.as_str())),
                };
                match outcome {
                    Ok(change) => steps.push(FixStep {
                        item,
                        change,
                        refused: None,
                    }),
                    Err(ServiceError::Refused(r)) => steps.push(FixStep {
                        item,
                        change: "left as it is".into(),
                        refused: Some(r.to_string()),
                    }),
                    Err(e) => return Err(e),
                }
            }
            let changed = steps.iter().filter(|s| s.refused.is_none()).count();
            ctx.audit(
                attempt
                    .detail("items", steps.len())
                    .detail("changed", changed),
            )?;
            let still_affected = compute(ctx, Some(0))?
                .into_iter()
                .find(|v| v.id == id)
                .map_or(0, |v| v.affected);
            Ok(AlertFixed {
                alert: id,
                steps,
                still_affected,
            })
        })
    }
}
