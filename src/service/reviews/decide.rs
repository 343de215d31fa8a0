//! A reviewer's decision on one person's access under review: who may decide (the named
//! reviewers, or each member in a self-review, never on their own access otherwise), only
//! while the review runs, and each assignment once.

use super::{ReviewItem, find, refused, view};
use crate::audit::{AuditEntry, activity};
use crate::policy::duration::format_utc;
use crate::service::{ServiceError, ServiceResult, SessionToken};

impl crate::service::Service {
    /// A reviewer's decision on one person's assignment under review.
    pub fn decide_review(
        &mut self,
        token: &SessionToken,
        id: &str,
        upn: &str,
        approve: bool,
        reason: &str,
    ) -> ServiceResult<ReviewItem> {
        let reason = crate::policy::text::check_free_text("reason", reason, 500)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?
            .ok_or_else(|| {
                ServiceError::Invalid("give a reason for the decision (--reason TEXT)".into())
            })?;
        self.write(|ctx| {
            let me = ctx.actor(token)?.principal;
            let r = find(ctx, id)?;
            let v = view(ctx, &r)?;
            let who = ctx.user(upn)?.principal;
            let attempt = AuditEntry::new(activity::Activity::ReviewDecided, ctx.now)
                .by(&me)
                .role(&v.role)
                .target(&who)
                .justification(Some(&reason))
                .detail("review_id", &v.id)
                .detail("decision", if approve { "approve" } else { "deny" });
            if r.completed_at.is_some() || ctx.now >= r.end {
                return Err(ctx.refuse(
                    attempt,
                    refused(format!(
                        "the review \"{}\" ended {}; decisions are taken while it runs",
                        v.name,
                        format_utc(r.end)
                    )),
                ));
            }
            let mut mine = v.items.iter().filter(|i| i.principal.id == who.id);
            let Some(item) = mine.next() else {
                return Err(ctx.refuse(
                    attempt,
                    refused(format!(
                        "{} has no assignment of {} under this review",
                        who.upn, v.role.display_name
                    )),
                ));
            };
            let reviewer = v.reviewers.iter().any(|p| p.id == me.id);
            if v.self_review {
                if me.id != who.id {
                    return Err(ctx.refuse(
                        attempt,
                        refused("in a self-review each member decides on their own access only"),
                    ));
                }
            } else if !reviewer {
                return Err(ctx.refuse(
                    attempt,
                    refused(format!(
                        "only the review's reviewers decide ({})",
                        v.reviewers
                            .iter()
                            .map(|p| p.upn.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ));
            } else if me.id == who.id {
                return Err(ctx.refuse(
                    attempt,
                    refused("a reviewer does not review their own access (unless the review is a self-review)"),
                ));
            }
            let mut decided = Vec::new();
            for i in std::iter::once(item).chain(mine) {
                if let Some(by) = &i.decided_by {
                    return Err(ctx.refuse(
                        attempt,
                        refused(format!(
                            "{}'s {} assignment was decided already ({} by {by}); each is decided once",
                            who.upn,
                            i.kind,
                            i.decision.as_deref().unwrap_or("decided")
                        )),
                    ));
                }
                ctx.db.decide_review_item(&v.id,
                    &i.assignment_id,
                    approve,
                    &me.id,
                    ctx.now,
                    &reason,
                )?;
                decided.push(i.assignment_id.clone());
            }
            ctx.audit(attempt.detail("assignments", &decided))?;
            let after = view(ctx, &r)?;
            after
                .items
                .into_iter()
                .find(|i| i.principal.id == who.id)
                .ok_or_else(|| ServiceError::NotFound("the item went away".into()))
        })
    }
}
