//! Role policies in and out as Microsoft Graph JSON (`pim settings export|import|diff`):
//! export any roles' policies; import a file all-or-nothing in one transaction after checking
//! every rule of every role first, audited as "Update role setting in PIM"; and the drift
//! between a file and the tenant, rule by rule.

use serde::Serialize;
use serde_json::Value;

use super::{Ctx, ServiceError, ServiceResult, SessionToken};
use crate::audit::{AuditEntry, activity};
use crate::policy::assignment::admin_required;
use crate::policy::graph::{self, ApproverRef, PolicyDocument, RuleError};
use crate::policy::model::{Principal, Role};
use crate::policy::refusal::{Refusal, Rule, Violations};
use crate::policy::settings::{Change, RoleSettings, apply_patch};

/// One role's policy as the tenant holds it.
#[derive(Debug, Clone)]
pub struct ExportedPolicy {
    /// The role.
    pub role: Role,
    /// The Graph policy object, rules expanded.
    pub policy: Value,
}

/// What an import did (or, dry, would do) to one role.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyImport {
    /// The role's name.
    pub role: String,
    /// Its template id.
    pub role_id: String,
    /// The settings that change.
    pub changes: Vec<Change>,
}

/// One field where a file and the tenant differ.
#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    /// The role's name.
    pub role: String,
    /// The rule id.
    pub rule: String,
    /// The field within the rule.
    pub field: String,
    /// What the file says.
    pub file: Value,
    /// What the tenant holds.
    pub tenant: Value,
}

/// A role's settings after a file's rules are applied, or why they cannot be.
struct Planned {
    role: Role,
    before: RoleSettings,
    after: RoleSettings,
    changes: Vec<Change>,
    rules: Vec<Value>,
}

/// Which rule a refusal of a rule error is under.
fn rule_of(e: &RuleError) -> Rule {
    match e.rule.split('_').next() {
        Some("Approval") => Rule::ApprovalRule,
        Some("Notification") => Rule::NotificationRule,
        Some("AuthenticationContext") => Rule::MfaRule,
        _ => Rule::ExpirationRule,
    }
}

/// Every problem of a file, worded with where it is: malformed parts (usage) or values beyond
/// Entra's limits (policy refusals). Malformed wins: the file must be fixed first.
#[derive(Default)]
struct Problems {
    malformed: Vec<String>,
    refused: Violations,
    any_refused: bool,
}

impl Problems {
    fn rule_errors(&mut self, role: &str, errors: Vec<RuleError>) {
        for e in errors {
            if e.beyond_limits {
                self.any_refused = true;
                self.refused.push(rule_of(&e), format!("{role}: {e}"));
            } else {
                self.malformed.push(format!("{role}: {e}"));
            }
        }
    }

    fn into_result(self) -> ServiceResult<()> {
        if !self.malformed.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "the file cannot be imported; nothing was changed:\n{}",
                self.malformed.join("\n")
            )));
        }
        if self.any_refused {
            return Err(ServiceError::Refused(
                self.refused
                    .finish()
                    .err()
                    .unwrap_or_else(|| Refusal::new(Rule::ExpirationRule, "refused")),
            ));
        }
        Ok(())
    }
}

/// Finds an approver named in a file: by id in this tenant, else by the UPN pim writes in the
/// description (a file from another tenant).
fn approver(ctx: &Ctx<'_>, r: &ApproverRef) -> ServiceResult<Option<Principal>> {
    if let Some(u) = ctx.db.user_by_id(&r.user_id)? {
        return Ok(Some(u.principal));
    }
    let upn = r.description.as_deref().unwrap_or(&r.user_id);
    if upn.chars().count() > crate::policy::text::MAX_UPN_CHARS {
        return Ok(None);
    }
    Ok(ctx.db.user_by_upn(upn)?.map(|u| u.principal))
}

/// Plans every document: resolves roles and approvers and applies the rules to the current
/// settings, collecting every problem before anything is written.
fn plan(
    ctx: &Ctx<'_>,
    docs: &[PolicyDocument],
    role_flag: Option<&str>,
) -> ServiceResult<Vec<Planned>> {
    let mut problems = Problems::default();
    let mut planned: Vec<Planned> = Vec::new();
    for doc in docs {
        let named = role_flag.or(doc.role.as_deref());
        let Some(name) = named else {
            problems.malformed.push(format!(
                "{} does not say which role it is for; give --role ROLE",
                doc.place
            ));
            continue;
        };
        let Some(role) = resolve_target(ctx, name)? else {
            problems.malformed.push(format!(
                "{}: no role '{}' in this tenant (`pim roles` lists them); give --role ROLE",
                doc.place,
                crate::policy::text::clip(&crate::policy::text::sanitize(name), 60)
            ));
            continue;
        };
        if planned.iter().any(|p| p.role.id == role.id) {
            problems.malformed.push(format!(
                "{}: {} appears twice in the file",
                doc.place, role.display_name
            ));
            continue;
        }
        let imported = match graph::import(&doc.rules) {
            Ok(i) => i,
            Err(errors) => {
                problems.rule_errors(&role.display_name, errors);
                continue;
            }
        };
        let mut patch = imported.patch;
        if let Some(refs) = &imported.approvers {
            let mut found = Vec::new();
            for r in refs {
                match approver(ctx, r)? {
                    Some(p) if !found.iter().any(|f: &Principal| f.id == p.id) => found.push(p),
                    Some(_) => {}
                    None => problems.malformed.push(format!(
                        "{}: Approval_EndUser_Assignment.setting.approvalStages.0.primaryApprovers: no user with id {} (or UPN {}) in this tenant",
                        role.display_name,
                        crate::policy::text::clip(&crate::policy::text::sanitize(&r.user_id), 60),
                        crate::policy::text::clip(
                            &crate::policy::text::sanitize(r.description.as_deref().unwrap_or("-")),
                            60
                        )
                    )),
                }
            }
            patch.approvers = Some(found);
        }
        let before = ctx.db.load_settings(&role.id)?.settings;
        match apply_patch(&before, &patch) {
            Ok((after, changes)) => planned.push(Planned {
                role,
                before,
                after,
                changes,
                rules: doc.rules.clone(),
            }),
            Err(refusal) => {
                problems.any_refused = true;
                for v in refusal.violations {
                    problems
                        .refused
                        .push(v.rule, format!("{}: {}", role.display_name, v.message));
                }
            }
        }
    }
    problems.into_result()?;
    Ok(planned)
}

impl super::Service {
    /// `pim settings export`: the Graph policies of the named roles (all roles when none is
    /// named), in catalogue order. Any signed-in account may read them.
    pub fn export_policies(
        &mut self,
        token: &SessionToken,
        roles: &[String],
    ) -> ServiceResult<Vec<ExportedPolicy>> {
        self.read(|ctx| {
            ctx.actor(token)?;
            let roles = if roles.is_empty() {
                ctx.db.roles()?
            } else {
                roles
                    .iter()
                    .map(|r| ctx.role(r))
                    .collect::<ServiceResult<_>>()?
            };
            roles
                .into_iter()
                .map(|role| {
                    let settings = ctx.settings(&role.id)?;
                    let policy = match &role.group {
                        Some(g) => graph::group_policy(&g.group_id, &role.id, &settings),
                        None => graph::policy(&ctx.tenant.id, &role.id, &settings),
                    };
                    Ok(ExportedPolicy { role, policy })
                })
                .collect()
        })
    }

    /// `pim settings import`: applies every policy of the file, all-or-nothing in one
    /// transaction, each changed role audited as "Update role setting in PIM". Everything is
    /// checked first; any problem changes nothing. With `dry_run`, says what would change.
    pub fn import_policies(
        &mut self,
        token: &SessionToken,
        docs: &[PolicyDocument],
        role_flag: Option<&str>,
        dry_run: bool,
    ) -> ServiceResult<Vec<PolicyImport>> {
        let run = |ctx: &Ctx<'_>| -> ServiceResult<Vec<PolicyImport>> {
            let (actor, attempt) = ctx.attempt(token, activity::Activity::SettingsUpdated)?;
            let attempt = attempt.detail("source", "import");
            if !ctx.is_admin(&actor.id)? {
                let refusal = admin_required("importing role settings");
                return Err(if dry_run {
                    ServiceError::Refused(refusal)
                } else {
                    ctx.refuse(attempt, refusal)
                });
            }
            let planned = match plan(ctx, docs, role_flag) {
                Ok(p) => p,
                Err(ServiceError::Refused(r)) if !dry_run => return Err(ctx.refuse(attempt, r)),
                Err(e) => return Err(e),
            };
            let mut out = Vec::new();
            for p in planned {
                if !dry_run && !p.changes.is_empty() {
                    ctx.db
                        .save_settings(&p.role.id, &p.after, Some(&actor.id), Some(ctx.now))?;
                    ctx.audit(
                        AuditEntry::new(activity::Activity::SettingsUpdated, ctx.now)
                            .by(&actor)
                            .role(&p.role)
                            .detail("changes", &p.changes)
                            .detail("source", "import"),
                    )?;
                }
                out.push(PolicyImport {
                    role: p.role.display_name,
                    role_id: p.role.id,
                    changes: p.changes,
                });
            }
            Ok(out)
        };
        if dry_run {
            self.read(run)
        } else {
            self.write(run)
        }
    }

    /// `pim settings diff`: each field where the file's rules and the tenant's differ, for the
    /// rules the file speaks of. The file's side is read the way an import would take it.
    pub fn policy_drift(
        &mut self,
        token: &SessionToken,
        docs: &[PolicyDocument],
        role_flag: Option<&str>,
    ) -> ServiceResult<Vec<Drift>> {
        self.read(|ctx| {
            ctx.actor(token)?;
            let mut out = Vec::new();
            for p in plan(ctx, docs, role_flag)? {
                let wanted_ids: Vec<&str> = p
                    .rules
                    .iter()
                    .filter_map(|r| r.get("id").and_then(Value::as_str))
                    .collect();
                let file: Vec<Value> = graph::rules(&p.after)
                    .into_iter()
                    .filter(|r| {
                        r.get("id")
                            .and_then(Value::as_str)
                            .is_some_and(|id| wanted_ids.contains(&id))
                    })
                    .collect();
                let tenant = graph::rules(&p.before);
                for (rule, field, f, t) in graph::differences(&file, &tenant) {
                    out.push(Drift {
                        role: p.role.display_name.clone(),
                        rule,
                        field,
                        file: f,
                        tenant: t,
                    });
                }
            }
            Ok(out)
        })
    }
}

/// The role a policy names: a role (name, slug or id), a group entry by id, or a PIM for Groups
/// policy assignment's `GROUP-ID/member` or `GROUP-ID/owner`.
fn resolve_target(
    ctx: &super::Ctx<'_>,
    name: &str,
) -> ServiceResult<Option<crate::policy::model::Role>> {
    if let Some((group, access)) = name.rsplit_once('/')
        && let Some(access) = crate::policy::model::Access::parse(access)
    {
        return Ok(ctx.db.role_of_group(group, access)?);
    }
    Ok(ctx.db.resolve_role(name)?)
}
