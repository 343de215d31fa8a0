//! What `pim check`, `pim status --short` and `pim exec` ask of the engine: whether the
//! signed-in account holds a role right now (read only), and the audit entries of a command run
//! under a role, when it starts and when it ends.

use serde::Serialize;

use super::{ServiceError, ServiceResult, SessionToken};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::policy::model::{Assignment, AssignmentKind, Principal, Role};
use crate::policy::{Refusal, Rule};
use crate::store::assignments::{Filter, Which};

/// A role the account holds now.
#[derive(Debug, Clone)]
pub struct Held {
    /// The role.
    pub role: Role,
    /// The account.
    pub principal: Principal,
    /// The live active assignment (activated or assigned).
    pub assignment: Assignment,
    /// Policy time when it was looked at.
    pub now: Time,
}

/// How a command run under a role ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecEnd {
    /// The command ended by itself with this status.
    Exited(i32),
    /// The role ended (why), and pim stopped the command.
    RoleEnded(String),
}

impl super::Service {
    /// Whether the signed-in account holds `role` active now; a refusal (exit 3) naming what
    /// to do when it does not. Reads only.
    pub fn held_role(&mut self, token: &SessionToken, role: &str) -> ServiceResult<Held> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let role = ctx.role(role)?;
            live_active(ctx, &role, &me)?.ok_or_else(|| {
                ServiceError::Refused(Refusal::new(
                    Rule::RoleAssignmentDoesNotExist,
                    format!(
                        "{} is not active for {}; activate it with `pim activate '{}' --for DURATION --reason TEXT`",
                        role.display_name, me.upn, role.display_name
                    ),
                ))
            })
        })
    }

    /// Whether the account behind `held` still holds its role (whatever became of its sign-in,
    /// which may end while a command runs): the role as it stands now, or why it does not.
    pub fn still_held(&mut self, held: &Held) -> ServiceResult<Result<Held, String>> {
        self.read(|ctx| {
            let enabled = ctx
                .db
                .user_by_id(&held.principal.id)?
                .is_some_and(|u| u.enabled);
            if !enabled {
                return Ok(Err(format!("{} was disabled", held.principal.upn)));
            }
            Ok(match live_active(ctx, &held.role, &held.principal)? {
                Some(now) => Ok(now),
                None => Err(match held.assignment.end {
                    Some(end) if ctx.now >= end => {
                        format!("it expired at {}", crate::policy::duration::format_utc(end))
                    }
                    _ => "it was deactivated or removed".to_owned(),
                }),
            })
        })
    }

    /// Audits the start of a command run under a role (`program`: its name, never its
    /// arguments, which may hold secrets).
    pub fn exec_started(
        &mut self,
        token: &SessionToken,
        held: &Held,
        program: &str,
    ) -> ServiceResult<()> {
        self.write(|ctx| {
            let me = ctx.actor(token)?.principal;
            ctx.audit(
                AuditEntry::new(activity::Activity::ExecStarted, ctx.now)
                    .by(&me)
                    .role(&held.role)
                    .target(&me)
                    .detail("program", program)
                    .detail("role_end", held.assignment.end),
            )
        })
    }

    /// Audits the end of a command run under a role (by the account that started it: its
    /// sign-in may have ended while the command ran).
    pub fn exec_ended(&mut self, held: &Held, program: &str, end: &ExecEnd) -> ServiceResult<()> {
        self.write_open(|ctx| {
            ctx.audit(
                AuditEntry::new(activity::Activity::ExecEnded, ctx.now)
                    .by(&held.principal)
                    .role(&held.role)
                    .target(&held.principal)
                    .detail("program", program)
                    .detail("end", end),
            )
        })
    }
}

/// The account's live active assignment of `role`, if any.
fn live_active(ctx: &super::Ctx<'_>, role: &Role, who: &Principal) -> ServiceResult<Option<Held>> {
    let filter = Filter {
        role_id: Some(&role.id),
        principal_id: Some(&who.id),
        kind: Some(AssignmentKind::Active),
        which: Which::Current,
        limit: 10,
        offset: 0,
    };
    let direct = ctx
        .db
        .list_assignments(&filter, ctx.now)?
        .into_iter()
        .map(|r| r.assignment)
        .find(|a| a.is_live(ctx.now));
    // Or through a group: held until the earlier of the group's assignment and the membership.
    let found = match direct {
        Some(a) => Some(a),
        None => super::groups::through_group(ctx, &who.id, &role.id, AssignmentKind::Active)?,
    };
    Ok(found.map(|assignment| Held {
        role: role.clone(),
        principal: who.clone(),
        assignment,
        now: ctx.now,
    }))
}
