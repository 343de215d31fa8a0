//! Reading the audit log. Audit readers (Global/Privileged Role Administrator,
//! Global Reader, Security Administrator, Security Reader) see everything ("Resource audit");
//! other accounts see the entries they acted in or were the target of ("My audit").

use super::{ServiceResult, SessionToken};
use crate::audit::{AuditRecord, AuditResult};
use crate::clock::Time;
use crate::store::{self, audit::Filter};

/// Filters of `pim audit`.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Entries this user acted in or was the target of.
    pub user: Option<String>,
    /// Entries about this role.
    pub role: Option<String>,
    /// Activity name contains.
    pub activity: Option<String>,
    /// At or after.
    pub since: Option<Time>,
    /// Justification, ticket or details contain.
    pub text: Option<String>,
    /// Only failures (refusals, wrong codes, lockouts).
    pub failures_only: bool,
    /// Older than this entry (paging).
    pub before_seq: Option<i64>,
    /// Page size.
    pub limit: i64,
}

/// Runs `f` with the store filter a query asks for, limited to the caller's own entries unless
/// it may read the whole log (the flag says which).
fn with_filter<T>(
    ctx: &super::Ctx<'_>,
    token: &SessionToken,
    q: &AuditQuery,
    f: impl FnOnce(&Filter<'_>, bool) -> ServiceResult<T>,
) -> ServiceResult<T> {
    let me = ctx.actor(token)?.principal;
    let all = ctx.is_audit_reader(&me.id)?;
    let role = q.role.as_deref().map(|r| ctx.role(r)).transpose()?;
    let user = q.user.as_deref().map(|u| ctx.user(u)).transpose()?;
    let filter = Filter {
        involving: (!all).then_some(me.id.as_str()),
        user: user.as_ref().map(|u| u.principal.id.as_str()),
        role_id: role.as_ref().map(|r| r.id.as_str()),
        activity: q.activity.as_deref(),
        since: q.since,
        text: q.text.as_deref(),
        result: q.failures_only.then_some(AuditResult::Failure),
        before_seq: q.before_seq,
        limit: q.limit,
    };
    f(&filter, all)
}

impl super::Service {
    /// Entries newest first, and whether the caller sees everyone's (`true`) or only their own.
    pub fn audit_log(
        &mut self,
        token: &SessionToken,
        q: &AuditQuery,
    ) -> ServiceResult<(Vec<AuditRecord>, bool)> {
        self.read(|ctx| {
            with_filter(ctx, token, q, |filter, all| {
                Ok((ctx.db.list_audit(filter)?, all))
            })
        })
    }

    /// Every entry the query selects, oldest first, handed to `each` one at a time from one
    /// consistent snapshot (`q.limit` caps how many); `each` returns false to stop. The same
    /// entries as [`Self::audit_log`] shows this account. How many were handed over.
    pub fn audit_each(
        &mut self,
        token: &SessionToken,
        q: &AuditQuery,
        each: &mut dyn FnMut(&store::audit::StoredAudit) -> bool,
    ) -> ServiceResult<u64> {
        self.read(|ctx| {
            with_filter(ctx, token, q, |filter, _| {
                Ok(ctx.db.for_each_audit(filter, &mut |e| each(&e))?)
            })
        })
    }
}
