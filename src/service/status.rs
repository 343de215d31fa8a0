//! The signed-in user's roles: eligible and active, direct or through a group, and their
//! memberships of groups.

use super::{ServiceResult, SessionToken};
use crate::clock::Time;
use crate::policy::model::{AssignmentKind, Principal};
use crate::store::assignments::{AssignmentRow, Filter, Which};

/// An eligibility with the settings that shape its activation form.
#[derive(Debug, Clone)]
pub struct EligibleRole {
    /// The eligibility.
    pub row: AssignmentRow,
    /// Its role's settings (maximum duration, MFA, justification, ticket, approval).
    pub settings: crate::policy::settings::RoleSettings,
}

/// The signed-in user's roles.
#[derive(Debug, Clone)]
pub struct Status {
    /// Who.
    pub principal: Principal,
    /// Policy time of the snapshot.
    pub now: Time,
    /// Current eligibilities for directory roles, direct or through a group (then the row's
    /// principal is the group and its end is cut to the membership's).
    pub eligible: Vec<EligibleRole>,
    /// Live and scheduled active directory roles (assigned and activated), direct or through
    /// a group, like `eligible`.
    pub active: Vec<AssignmentRow>,
    /// Current eligible membership and ownership of groups.
    pub group_eligible: Vec<EligibleRole>,
    /// Live and scheduled active membership and ownership of groups.
    pub group_active: Vec<AssignmentRow>,
}

impl Status {
    /// The group a role row is held through, when it is not the user's own assignment.
    pub fn via_group<'r>(&self, row: &'r AssignmentRow) -> Option<&'r str> {
        (row.principal.id != self.principal.id).then_some(row.principal.display_name.as_str())
    }
}

impl super::Service {
    /// The signed-in user's eligible and active roles.
    pub fn status(&mut self, token: &SessionToken) -> ServiceResult<Status> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let list = |kind| {
                let filter = Filter {
                    role_id: None,
                    principal_id: Some(&me.id),
                    kind: Some(kind),
                    which: Which::Current,
                    limit: 1000,
                    offset: 0,
                };
                ctx.db.list_assignments(&filter, ctx.now)
            };
            let (via_eligible, via_active) = super::groups::via_groups(ctx, &me.id)?;
            let (mut eligible, mut group_eligible) = (Vec::new(), Vec::new());
            for row in list(AssignmentKind::Eligible)?.into_iter().chain(
                via_eligible
                    .into_iter()
                    .map(crate::store::assignments::ThroughGroup::held),
            ) {
                let settings = ctx.settings(&row.role.id)?;
                let into = if row.role.group.is_some() {
                    &mut group_eligible
                } else {
                    &mut eligible
                };
                into.push(EligibleRole { row, settings });
            }
            let (mut group_active, mut active): (Vec<_>, Vec<_>) = list(AssignmentKind::Active)?
                .into_iter()
                .partition(|r| r.role.group.is_some());
            active.extend(
                via_active
                    .into_iter()
                    .map(crate::store::assignments::ThroughGroup::held),
            );
            eligible.sort_by(|a, b| a.row.role.display_name.cmp(&b.row.role.display_name));
            group_eligible.sort_by(|a, b| a.row.role.display_name.cmp(&b.row.role.display_name));
            active.sort_by(|a, b| a.role.display_name.cmp(&b.role.display_name));
            group_active.sort_by(|a, b| a.role.display_name.cmp(&b.role.display_name));
            Ok(Status {
                principal: me,
                now: ctx.now,
                eligible,
                active,
                group_eligible,
                group_active,
            })
        })
    }
}
