//! Listing assignments: who may see whose, and pages of them with true counts.

use super::super::{Ctx, ServiceError, ServiceResult, SessionToken};
use crate::store::assignments::{AssignmentRow, Filter, Which};

impl crate::service::Service {
    /// Assignments, newest first. Administrators and audit readers see everyone's; other
    /// accounts see their own.
    pub fn assignments(
        &mut self,
        token: &SessionToken,
        role: Option<&str>,
        upn: Option<&str>,
        which: Which,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<Vec<AssignmentRow>> {
        self.read(|ctx| {
            let (role_id, principal_id) = visible(ctx, token, role, upn)?;
            let filter = listing(role_id.as_deref(), principal_id.as_deref(), which);
            Ok(ctx.db.list_assignments(
                &Filter {
                    limit,
                    offset,
                    ..filter
                },
                ctx.now,
            )?)
        })
    }

    /// How many assignments [`Self::assignments`] would list in all, pages aside.
    pub fn count_assignments(
        &mut self,
        token: &SessionToken,
        role: Option<&str>,
        upn: Option<&str>,
        which: Which,
    ) -> ServiceResult<i64> {
        self.read(|ctx| {
            let (role_id, principal_id) = visible(ctx, token, role, upn)?;
            let filter = listing(role_id.as_deref(), principal_id.as_deref(), which);
            Ok(ctx.db.count_assignments(&filter, ctx.now)?)
        })
    }
}

/// A listing's filter, its page aside.
fn listing<'a>(
    role_id: Option<&'a str>,
    principal_id: Option<&'a str>,
    which: Which,
) -> Filter<'a> {
    Filter {
        role_id,
        principal_id,
        kind: None,
        which,
        limit: 0,
        offset: 0,
    }
}

/// The role and principal a listing asks for, as ids, narrowed to the caller's own
/// assignments unless they may see everyone's.
fn visible(
    ctx: &Ctx<'_>,
    token: &SessionToken,
    role: Option<&str>,
    upn: Option<&str>,
) -> ServiceResult<(Option<String>, Option<String>)> {
    let me = ctx.actor(token)?;
    let role = role.map(|r| ctx.role(r)).transpose()?;
    let who = upn.map(|u| ctx.principal(u)).transpose()?;
    // A group's owners see who holds its membership and ownership.
    let sees_all = ctx.is_audit_reader(&me.principal.id)?
        || match &role {
            Some(r) if r.group.is_some() => ctx.manages(&me.principal.id, r)?,
            _ => false,
        };
    let principal_id = match (&who, sees_all) {
        (Some((w, _)), true) => Some(w.id.clone()),
        (Some((w, _)), false) if w.id != me.principal.id => {
            return Err(ServiceError::Refused(
                crate::policy::assignment::admin_required("seeing other users' assignments"),
            ));
        }
        (_, true) => None,
        (_, false) => Some(me.principal.id.clone()),
    };
    Ok((role.map(|r| r.id), principal_id))
}
