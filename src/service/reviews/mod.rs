//! Access reviews of a role's assignments: created by an administrator for named reviewers (or
//! each member for their own access), decided item by item while the review runs, and ended by
//! the lab clock like any expiry: denied assignments are removed when results apply by
//! themselves, a recurring review starts its next one, and reviewers and administrators are
//! e-mailed at the start, halfway and at the end.

use chrono::TimeDelta;
use serde::Serialize;

use super::{Ctx, ServiceError, ServiceResult, SessionToken, new_id};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::notify::EmailEvent;
use crate::policy::duration::{format_duration, format_utc};
use crate::policy::model::{Origin, Principal, Role};
use crate::policy::{Refusal, Rule};
use crate::store::{self, reviews::ReviewRow};

mod decide;
mod end;
mod options;

pub(super) use end::sweep;
use end::{mail, recipients};
pub use options::{NoResponse, Recurrence};

/// Who reviews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reviewers {
    /// These accounts (UPNs).
    Users(Vec<String>),
    /// Each member reviews their own access.
    SelfReview,
}

/// `pim reviews create`.
#[derive(Debug, Clone)]
pub struct ReviewInput {
    /// The role reviewed (name, slug or id).
    pub role: String,
    /// Who reviews.
    pub reviewers: Reviewers,
    /// How long it runs.
    pub duration: TimeDelta,
    /// Comes back weekly, monthly or quarterly.
    pub recurrence: Option<Recurrence>,
    /// Denied assignments are removed at the end.
    pub auto_apply: bool,
    /// What the end does where nobody decided.
    pub no_response: NoResponse,
    /// Its name (default: "Review of ROLE").
    pub name: Option<String>,
}

/// One assignment under review, with its recommendation, decision and outcome.
pub type ReviewItem = store::reviews::ItemRow;

/// A review with its items.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    /// GUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// The role reviewed.
    pub role: Role,
    /// The reviewers (empty for a self-review).
    pub reviewers: Vec<Principal>,
    /// Each member reviews their own access.
    pub self_review: bool,
    /// When it started.
    pub start: Time,
    /// When it ends.
    pub end: Time,
    /// How often it comes back.
    pub recurrence: Option<String>,
    /// Results apply by themselves at the end.
    pub auto_apply: bool,
    /// What the end does where nobody decided.
    pub no_response: String,
    /// `active` or `completed`.
    pub status: &'static str,
    /// The assignments under review.
    pub items: Vec<ReviewItem>,
}

/// Days without a sign-in or an activation after which Entra recommends denying.
const RECOMMEND_DAYS: i64 = 30;

/// The shortest and longest a review runs.
const MIN_DURATION: TimeDelta = TimeDelta::days(1);
const MAX_DURATION: TimeDelta = TimeDelta::days(180);

fn refused(message: impl Into<String>) -> Refusal {
    Refusal::new(Rule::AccessReviewRule, message)
}

fn view(ctx: &Ctx<'_>, r: &ReviewRow) -> ServiceResult<ReviewView> {
    let role = ctx
        .db
        .role(&r.role_id)?
        .ok_or_else(|| ServiceError::NotFound(format!("no role {}", r.role_id)))?;
    let items = ctx.db.review_items(&r.id)?;
    Ok(ReviewView {
        id: r.id.clone(),
        name: r.name.clone(),
        role,
        reviewers: ctx.db.reviewers(&r.id)?,
        self_review: r.self_review,
        start: r.start,
        end: r.end,
        recurrence: r.recurrence.clone(),
        auto_apply: r.auto_apply,
        no_response: r.no_response.clone(),
        status: if r.completed_at.is_some() {
            "completed"
        } else {
            "active"
        },
        items,
    })
}

/// Entra's recommendation for one person's assignment of a role at `now`.
fn recommend(
    ctx: &Ctx<'_>,
    principal_id: &str,
    role_id: &str,
) -> ServiceResult<(&'static str, String)> {
    let (signed_in, activated) = ctx.db.last_seen(principal_id, role_id)?;
    let since = ctx.now - TimeDelta::days(RECOMMEND_DAYS);
    let recent = |t: Option<Time>| t.is_some_and(|t| t > since);
    Ok(if recent(signed_in) || recent(activated) {
        let what = match (signed_in, activated) {
            (_, Some(a)) if a > since => format!("activated {}", format_utc(a)),
            (Some(s), _) => format!("signed in {}", format_utc(s)),
            _ => "active lately".into(),
        };
        ("approve", format!("{what}, within {RECOMMEND_DAYS} days"))
    } else {
        (
            "deny",
            format!("no sign-in and no activation in {RECOMMEND_DAYS} days"),
        )
    })
}

/// Starts a review: stores it and its items (every current assignment of the role, not the
/// activations made from them), audits and e-mails it.
fn start_review(
    ctx: &Ctx<'_>,
    row: &ReviewRow,
    reviewers: &[Principal],
) -> ServiceResult<ReviewView> {
    let filter = store::assignments::Filter {
        role_id: Some(&row.role_id),
        principal_id: None,
        kind: None,
        which: store::assignments::Which::Current,
        limit: i64::MAX,
        offset: 0,
    };
    let held: Vec<_> = ctx
        .db
        .list_assignments(&filter, ctx.now)?
        .into_iter()
        .filter(|a| a.assignment.origin == Origin::Assigned)
        .collect();
    ctx.db.insert_review(row, reviewers)?;
    for a in &held {
        let rec = recommend(ctx, &a.principal.id, &row.role_id)?;
        ctx.db
            .insert_review_item(&row.id, &a.assignment.id, &a.principal.id, (rec.0, &rec.1))?;
    }
    let v = view(ctx, row)?;
    let who = if v.self_review {
        "each member, for their own access".to_owned()
    } else {
        v.reviewers
            .iter()
            .map(|p| p.upn.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let subject = format!(
        "PIM: Access review \"{}\" of the {} has started",
        v.name,
        v.role.phrase()
    );
    let body = format!(
        "The access review \"{}\" of the {} started {} and ends {}.\n\nReviewers: {who}.\nAssignments under review: {}.\n\nReview with: pim reviews show {}\nDecide with: pim reviews decide {} UPN approve|deny --reason TEXT\n",
        v.name,
        v.role.phrase(),
        format_utc(v.start),
        format_utc(v.end),
        v.items.len(),
        v.id,
        v.id
    );
    mail(
        ctx,
        &v,
        &recipients(ctx, &v, false)?,
        EmailEvent::ReviewStarted,
        (&subject, &body),
        v.start,
    )?;
    Ok(v)
}

/// Finds one review by id, a unique prefix of it, or its name (the newest running review of
/// that name first: a recurring series shares one).
fn find(ctx: &Ctx<'_>, id: &str) -> ServiceResult<ReviewRow> {
    let mut found = ctx.db.find_reviews(id.trim())?;
    if found.is_empty() {
        let mut named: Vec<ReviewRow> = ctx
            .db
            .list_reviews()?
            .into_iter()
            .filter(|r| r.name.eq_ignore_ascii_case(id.trim()))
            .collect();
        named.sort_by_key(|r| (r.completed_at.is_some(), std::cmp::Reverse(r.start)));
        found.extend(named.into_iter().take(1));
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(ServiceError::NotFound(format!(
            "no access review '{}'; `pim reviews list` shows them",
            crate::policy::text::clip(&crate::policy::text::sanitize(id), 40)
        ))),
        _ => Err(ServiceError::Invalid(format!(
            "'{}' starts more than one review's id; give more of it",
            crate::policy::text::clip(&crate::policy::text::sanitize(id), 40)
        ))),
    }
}

/// Whether `me` may see a review: administrators and audit readers, its reviewers, and the
/// members under review in a self-review.
fn may_see(ctx: &Ctx<'_>, me: &Principal, v: &ReviewView) -> ServiceResult<bool> {
    Ok(ctx.is_audit_reader(&me.id)?
        || v.reviewers.iter().any(|p| p.id == me.id)
        || (v.self_review && v.items.iter().any(|i| i.principal.id == me.id)))
}

impl super::Service {
    /// Creates an access review of a role's assignments (administrators).
    pub fn create_review(
        &mut self,
        token: &SessionToken,
        input: ReviewInput,
    ) -> ServiceResult<ReviewView> {
        let name = match input.name.as_deref() {
            Some(n) => Some(
                crate::policy::text::check_free_text("review name", n, 200)
                    .map_err(|e| ServiceError::Invalid(e.to_string()))?
                    .ok_or_else(|| ServiceError::Invalid("give the review a name".into()))?,
            ),
            None => None,
        };
        self.write(|ctx| {
            let me = ctx.actor(token)?.principal;
            let role = ctx.role(&input.role)?;
            let attempt = AuditEntry::new(activity::Activity::ReviewCreated, ctx.now)
                .by(&me)
                .role(&role);
            ctx.require_admin(&me.id, &attempt, "creating access reviews")?;
            if !(MIN_DURATION..=MAX_DURATION).contains(&input.duration) {
                return Err(ctx.refuse(
                    attempt,
                    refused(format!(
                        "a review runs from 1 day to 180 days, not {}",
                        format_duration(input.duration)
                    )),
                ));
            }
            if let Some(rec) = input.recurrence {
                let interval = rec.next(ctx.now) - ctx.now;
                if input.duration > interval {
                    return Err(ctx.refuse(
                        attempt,
                        refused(format!(
                            "a {} review runs at most {} (until the next one starts), not {}",
                            rec.as_str(),
                            format_duration(interval),
                            format_duration(input.duration)
                        )),
                    ));
                }
            }
            let (self_review, reviewers) = match &input.reviewers {
                Reviewers::SelfReview => (true, Vec::new()),
                Reviewers::Users(upns) => {
                    let mut out: Vec<Principal> = Vec::new();
                    for upn in upns.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
                        let p = ctx.user(upn)?.principal;
                        if !out.iter().any(|o| o.id == p.id) {
                            out.push(p);
                        }
                    }
                    if out.is_empty() {
                        return Err(ServiceError::Invalid(
                            "name at least one reviewer (--reviewer UPN), or --self".into(),
                        ));
                    }
                    (false, out)
                }
            };
            let filter = store::assignments::Filter {
                role_id: Some(&role.id),
                principal_id: None,
                kind: None,
                which: store::assignments::Which::Current,
                limit: 1,
                offset: 0,
            };
            if ctx.db.count_assignments(&filter, ctx.now)? == 0 {
                return Err(ctx.refuse(
                    attempt,
                    refused(format!(
                        "nobody holds {}: there is nothing to review",
                        role.display_name
                    )),
                ));
            }
            let row = ReviewRow {
                id: new_id(),
                name: name
                    .clone()
                    .unwrap_or_else(|| format!("Review of {}", role.display_name)),
                role_id: role.id.clone(),
                self_review,
                start: ctx.now,
                end: ctx.now + input.duration,
                recurrence: input.recurrence.map(|r| r.as_str().to_owned()),
                auto_apply: input.auto_apply,
                no_response: input.no_response.as_str().to_owned(),
                created_by: Some(me.id.clone()),
                reminded_at: None,
                completed_at: None,
            };
            let v = start_review(ctx, &row, &reviewers)?;
            ctx.audit(
                attempt
                    .detail("review_id", &v.id)
                    .detail("name", &v.name)
                    .detail("self_review", self_review)
                    .detail(
                        "reviewers",
                        reviewers.iter().map(|p| p.upn.clone()).collect::<Vec<_>>(),
                    )
                    .detail("end", v.end)
                    .detail("recurrence", v.recurrence.clone())
                    .detail("auto_apply", v.auto_apply)
                    .detail("no_response", &v.no_response)
                    .detail("items", v.items.len()),
            )?;
            Ok(v)
        })
    }

    /// How many decisions wait for the signed-in account in running reviews.
    pub fn review_decisions_waiting(&mut self, token: &SessionToken) -> ServiceResult<usize> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let n = ctx.db.reviews_waiting_for(&me.id, ctx.now)?;
            Ok(usize::try_from(n).unwrap_or(0))
        })
    }

    /// The reviews the signed-in account may see, newest first.
    pub fn reviews(&mut self, token: &SessionToken) -> ServiceResult<Vec<ReviewView>> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let mut out = Vec::new();
            for r in ctx.db.list_reviews()? {
                let v = view(ctx, &r)?;
                if may_see(ctx, &me, &v)? {
                    out.push(v);
                }
            }
            Ok(out)
        })
    }

    /// One review with its items.
    pub fn review(&mut self, token: &SessionToken, id: &str) -> ServiceResult<ReviewView> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let v = view(ctx, &find(ctx, id)?)?;
            if !may_see(ctx, &me, &v)? {
                return Err(ServiceError::Refused(refused(
                    "only its reviewers, the members in a self-review, administrators and audit readers see a review",
                )));
            }
            Ok(v)
        })
    }
}
