//! PIM for Groups: security groups whose membership and ownership are managed like roles.
//! Each group has a member entry and an owner entry in the role catalogue, with their own
//! settings; assigning, activating, deactivating, expiry, approval, extension and reviews go
//! through the roles' use cases unchanged. A role assigned to a role-assignable group is held
//! by whoever holds active membership of the group, for as long as both last.

use serde::Serialize;

use super::{ServiceError, ServiceResult, SessionToken, new_id};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::policy::model::{Access, GroupAccess, Principal, Role};
use crate::policy::settings::RoleSettings;
use crate::policy::text::{check_free_text, check_group_name};
use crate::store::assignments::{AssignmentRow, Filter, ThroughGroup, Which};
use crate::store::groups::{GroupRecord, GroupSummary};

/// `pim groups add`.
#[derive(Debug, Clone)]
pub struct NewGroup {
    /// The group's name, unique among users, groups and roles (any case).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Directory roles may be assigned to it (fixed at creation, as in Entra).
    pub role_assignable: bool,
}

/// A group's eligible and active members and owners, and the roles assigned to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMembers {
    /// The group.
    pub group: GroupRecord,
    /// Current membership and ownership assignments (eligible and active), owners first.
    pub access: Vec<AssignmentRow>,
    /// Current role assignments to the group.
    pub roles: Vec<AssignmentRow>,
}

/// A role a user holds, or may activate, through a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViaGroup {
    /// The role.
    pub role: String,
    /// The group.
    pub group: String,
    /// When the user stops holding it (the earlier of the group's assignment and the
    /// membership); `None` while both are permanent.
    pub end: Option<Time>,
}

/// Longest group description.
const MAX_DESCRIPTION_CHARS: usize = 1024;

/// The catalogue entry of a group's access.
pub(super) fn access_role(group: &GroupRecord, access: Access) -> Role {
    Role {
        id: new_id(),
        display_name: format!("{} of {}", access.title(), group.principal.display_name),
        slug: format!("group-{}-{}", group.principal.id, access.as_str()),
        description: format!(
            "{} of the group {}, managed by PIM for Groups",
            access.title(),
            group.principal.display_name
        ),
        privileged: false,
        group: Some(GroupAccess {
            group_id: group.principal.id.clone(),
            access,
        }),
    }
}

/// Ends a user's activations made through a group whose active membership just ended, each
/// audited (`actor` `None`: the engine). Returns how many.
pub(super) fn end_activations_through(
    ctx: &super::Ctx<'_>,
    membership_role: &Role,
    user: &Principal,
    actor: Option<&Principal>,
) -> ServiceResult<usize> {
    let Some(GroupAccess {
        group_id,
        access: Access::Member,
    }) = &membership_role.group
    else {
        return Ok(0);
    };
    let mut ended = 0;
    for row in ctx.db.activations_through_group(&user.id, group_id)? {
        let a = &row.assignment;
        if ctx
            .db
            .end_assignment(&a.id, ctx.now, crate::policy::model::EndReason::Revoked)?
        {
            let mut entry = AuditEntry::new(activity::Activity::ActivationRevoked, ctx.now);
            if let Some(actor) = actor {
                entry = entry.by(actor);
            }
            ctx.audit(
                entry
                    .role(&row.role)
                    .target(user)
                    .detail("assignment_id", &a.id)
                    .detail(
                        "reason",
                        format!(
                            "its membership of {} ended",
                            crate::policy::text::sanitize(&membership_role.display_name)
                        ),
                    ),
            )?;
            ended += 1;
        }
    }
    Ok(ended)
}

/// The user's current assignment of a role of `kind` through a group, as the user holds it
/// (see [`ThroughGroup::held`]); the longest-lasting when several groups carry it.
pub(super) fn through_group(
    ctx: &super::Ctx<'_>,
    user_id: &str,
    role_id: &str,
    kind: crate::policy::model::AssignmentKind,
) -> ServiceResult<Option<crate::policy::model::Assignment>> {
    Ok(ctx
        .db
        .through_groups(user_id, ctx.now)?
        .into_iter()
        .filter(|t| {
            t.row.role.id == role_id && t.row.assignment.kind == kind && t.start() <= ctx.now
        })
        .max_by_key(|t| t.end().map_or(i64::MAX, |e| e.timestamp()))
        .map(|t| t.held().assignment))
}

/// The roles a user holds or may activate through groups, split (eligible, active).
pub(super) fn via_groups(
    ctx: &super::Ctx<'_>,
    user_id: &str,
) -> ServiceResult<(Vec<ThroughGroup>, Vec<ThroughGroup>)> {
    let all = ctx.db.through_groups(user_id, ctx.now)?;
    Ok(all
        .into_iter()
        .partition(|t| t.row.assignment.kind == crate::policy::model::AssignmentKind::Eligible))
}

impl super::Service {
    /// Adds a security group, with default PIM settings for its membership and ownership.
    pub fn add_group(
        &mut self,
        token: &SessionToken,
        input: NewGroup,
    ) -> ServiceResult<GroupRecord> {
        let name = check_group_name(&input.name).map_err(ServiceError::Invalid)?;
        let description = match input.description.as_deref() {
            None => String::new(),
            Some(d) => check_free_text("description", d, MAX_DESCRIPTION_CHARS)
                .map_err(|e| ServiceError::Invalid(e.to_string()))?
                .unwrap_or_default(),
        };
        self.write(|ctx| {
            let (actor, attempt) = ctx.attempt(token, activity::Activity::GroupAdded)?;
            let attempt = attempt.target_name(&name);
            ctx.require_admin(&actor.id, &attempt, "adding groups")?;
            if ctx.db.group_name_taken(&name)? {
                return Err(ServiceError::Conflict(format!(
                    "the name '{}' is taken by a user, group or role; choose another",
                    crate::policy::text::sanitize(&name)
                )));
            }
            let group = GroupRecord {
                principal: Principal {
                    id: new_id(),
                    upn: name.clone(),
                    display_name: name.clone(),
                },
                description: description.clone(),
                role_assignable: input.role_assignable,
                created_at: ctx.now,
            };
            ctx.db.insert_group(&group, Some(&actor.id))?;
            let defaults = RoleSettings::default();
            for access in [Access::Member, Access::Owner] {
                let role = access_role(&group, access);
                ctx.db.insert_role(&role)?;
                ctx.db.save_settings(&role.id, &defaults, None, None)?;
            }
            ctx.audit(
                AuditEntry::new(activity::Activity::GroupAdded, ctx.now)
                    .by(&actor)
                    .target(&group.principal)
                    .detail("role_assignable", group.role_assignable),
            )?;
            Ok(group)
        })
    }

    /// Every group with how many hold its access now. Any signed-in account.
    pub fn groups(&mut self, token: &SessionToken) -> ServiceResult<Vec<GroupSummary>> {
        self.read(|ctx| {
            ctx.actor(token)?;
            Ok(ctx.db.list_groups(ctx.now)?)
        })
    }

    /// A group's current members and owners (eligible and active) and its roles. Any
    /// signed-in account.
    pub fn group_members(
        &mut self,
        token: &SessionToken,
        name: &str,
    ) -> ServiceResult<GroupMembers> {
        self.read(|ctx| {
            ctx.actor(token)?;
            let group = ctx.group(name)?;
            let mut access = Vec::new();
            for a in [Access::Owner, Access::Member] {
                let role = group_role(ctx, &group, a)?;
                access.extend(list_current(ctx, Some(&role.id), None)?);
            }
            let roles = list_current(ctx, None, Some(&group.principal.id))?;
            Ok(GroupMembers {
                group,
                access,
                roles,
            })
        })
    }

    /// Whether the signed-in account may manage a role's assignments: an administrator, or an
    /// active owner of the group whose membership or ownership it is.
    pub fn manages(&mut self, token: &SessionToken, role: &str) -> ServiceResult<bool> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let role = ctx.role(role)?;
            ctx.manages(&me.id, &role)
        })
    }

    /// The catalogue entry of a group's membership or ownership: what `pim groups assign`,
    /// `activate`, `deactivate` and `settings` pass on to the roles' use cases.
    pub fn group_access(&mut self, name: &str, access: Access) -> ServiceResult<Role> {
        self.read(|ctx| {
            let group = ctx.group(name)?;
            group_role(ctx, &group, access)
        })
    }
}

fn group_role(ctx: &super::Ctx<'_>, group: &GroupRecord, access: Access) -> ServiceResult<Role> {
    ctx.db
        .role_of_group(&group.principal.id, access)?
        .ok_or_else(|| {
            ServiceError::Conflict(format!(
                "the group {} has no {} entry in the catalogue",
                crate::policy::text::sanitize(&group.principal.display_name),
                access.as_str()
            ))
        })
}

/// Every current assignment of a role or a principal (a group holds few).
fn list_current(
    ctx: &super::Ctx<'_>,
    role_id: Option<&str>,
    principal_id: Option<&str>,
) -> ServiceResult<Vec<AssignmentRow>> {
    let filter = Filter {
        role_id,
        principal_id,
        kind: None,
        which: Which::Current,
        limit: i64::MAX,
        offset: 0,
    };
    Ok(ctx.db.list_assignments(&filter, ctx.now)?)
}
