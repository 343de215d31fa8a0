//! Access reviews of a role's assignments: created by an administrator for named reviewers (or
//! each member for their own access), decided item by item while the review runs, and ended by
//! the lab clock like any expiry: denied assignments are removed when results apply by
//! themselves, a recurring review starts its next one, and reviewers and administrators are
//! e-mailed at the start, halfway and at the end.

use chrono::{Months, TimeDelta};
use serde::Serialize;

use super::{Ctx, ServiceError, ServiceResult, SessionToken, new_id};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::notify::EmailEvent;
use crate::policy::assignment::admin_required;
use crate::policy::duration::{format_duration, format_utc};
use crate::policy::model::{AssignmentKind, EndReason, Origin, Principal, Role};
use crate::policy::{Refusal, Rule};
use crate::store::{self, reviews::ReviewRow};

/// How often a review comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Recurrence {
    /// Every week.
    Weekly,
    /// Every month.
    Monthly,
    /// Every three months.
    Quarterly,
}

impl Recurrence {
    /// Stored and command-line form.
    pub fn as_str(self) -> &'static str {
        match self {
            Recurrence::Weekly => "weekly",
            Recurrence::Monthly => "monthly",
            Recurrence::Quarterly => "quarterly",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Weekly, Self::Monthly, Self::Quarterly]
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// When the next review starts, from this one's start.
    fn next(self, from: Time) -> Time {
        match self {
            Recurrence::Weekly => from + TimeDelta::days(7),
            Recurrence::Monthly => from.checked_add_months(Months::new(1)).unwrap_or(from),
            Recurrence::Quarterly => from.checked_add_months(Months::new(3)).unwrap_or(from),
        }
    }
}

/// What the end of a review does with an assignment nobody decided on (Entra's "If reviewers
/// don't respond").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoResponse {
    /// No change (Entra's default).
    #[default]
    Keep,
    /// Remove access.
    Remove,
    /// Approve access.
    Approve,
    /// Take the recommendation.
    Recommendation,
}

impl NoResponse {
    /// Stored and command-line form.
    pub fn as_str(self) -> &'static str {
        match self {
            NoResponse::Keep => "keep",
            NoResponse::Remove => "remove",
            NoResponse::Approve => "approve",
            NoResponse::Recommendation => "recommendation",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Keep,
            Self::Remove,
            Self::Approve,
            Self::Recommendation,
        ]
        .into_iter()
        .find(|n| n.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

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
    let role = store::roles::get(ctx.conn, &r.role_id)?
        .ok_or_else(|| ServiceError::NotFound(format!("no role {}", r.role_id)))?;
    let items = store::reviews::items(ctx.conn, &r.id)?;
    Ok(ReviewView {
        id: r.id.clone(),
        name: r.name.clone(),
        role,
        reviewers: store::reviews::reviewers(ctx.conn, &r.id)?,
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
    let (signed_in, activated) = store::reviews::last_seen(ctx.conn, principal_id, role_id)?;
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
    let held: Vec<_> = store::assignments::list(ctx.conn, &filter, ctx.now)?
        .into_iter()
        .filter(|a| a.assignment.origin == Origin::Assigned)
        .collect();
    store::reviews::insert(ctx.conn, row, reviewers)?;
    for a in &held {
        let rec = recommend(ctx, &a.principal.id, &row.role_id)?;
        store::reviews::insert_item(
            ctx.conn,
            &row.id,
            &a.assignment.id,
            &a.principal.id,
            (rec.0, &rec.1),
        )?;
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

/// Who hears of a review: its reviewers (each member, in a self-review) and the
/// administrators; with `undecided_only`, only reviewers with items left to decide.
fn recipients(
    ctx: &Ctx<'_>,
    v: &ReviewView,
    undecided_only: bool,
) -> ServiceResult<Vec<Principal>> {
    let open = |upn: &str| {
        v.items
            .iter()
            .any(|i| i.decision.is_none() && (!v.self_review || i.principal.upn == upn))
    };
    let mut out: Vec<Principal> = if v.self_review {
        v.items.iter().map(|i| i.principal.clone()).collect()
    } else {
        v.reviewers.clone()
    };
    if undecided_only {
        out.retain(|p| open(&p.upn));
    } else {
        out.extend(ctx.admins()?);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}

fn mail(
    ctx: &Ctx<'_>,
    v: &ReviewView,
    to: &[Principal],
    event: EmailEvent,
    message: (&str, &str),
    at: Time,
) -> ServiceResult<()> {
    let to = to.iter().map(|p| (Some(p.id.clone()), p.upn.clone()));
    super::mail::queue(ctx, to, event, message, (&v.role.id, None), at)?;
    Ok(())
}

/// Finds one review by id, a unique prefix of it, or its name (the newest running review of
/// that name first: a recurring series shares one).
fn find(ctx: &Ctx<'_>, id: &str) -> ServiceResult<ReviewRow> {
    let mut found = store::reviews::find(ctx.conn, id.trim())?;
    if found.is_empty() {
        let mut named: Vec<ReviewRow> = store::reviews::list(ctx.conn)?
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

/// The sweep's part: sends halfway reminders and ends reviews whose end has passed.
pub(super) fn sweep(ctx: &Ctx<'_>) -> ServiceResult<()> {
    for r in store::reviews::due(ctx.conn, ctx.now)? {
        if r.end <= ctx.now {
            complete(ctx, &r)?;
        } else if store::reviews::mark_reminded(ctx.conn, &r.id, ctx.now)? {
            let v = view(ctx, &r)?;
            let left = v.items.iter().filter(|i| i.decision.is_none()).count();
            let subject = format!(
                "PIM: Reminder: access review \"{}\" of the {} ends {}",
                v.name,
                v.role.phrase(),
                format_utc(v.end)
            );
            let body = format!(
                "The access review \"{}\" is half over: {left} of {} assignments still wait for a decision.\n\nDecide with: pim reviews decide {} UPN approve|deny --reason TEXT\n",
                v.name,
                v.items.len(),
                v.id
            );
            mail(
                ctx,
                &v,
                &recipients(ctx, &v, true)?,
                EmailEvent::ReviewReminder,
                (&subject, &body),
                r.start + (r.end - r.start) / 2,
            )?;
        }
    }
    Ok(())
}

/// Ends a review at its end time: applies denials when results apply by themselves, reports,
/// and starts the next review of a recurring series.
fn complete(ctx: &Ctx<'_>, r: &ReviewRow) -> ServiceResult<()> {
    if !store::reviews::mark_completed(ctx.conn, &r.id, ctx.now)? {
        return Ok(());
    }
    let v = view(ctx, r)?;
    let (mut removed, mut kept, mut unchanged) = (0, 0, 0);
    let unanswered = NoResponse::parse(&r.no_response).unwrap_or_default();
    for item in &v.items {
        // Without a decision, the review's rule for silence decides (applied like a decision).
        let decision = item.decision.as_deref().or(match unanswered {
            NoResponse::Keep => None,
            NoResponse::Remove => Some("deny"),
            NoResponse::Approve => Some("approve"),
            NoResponse::Recommendation => Some(item.recommendation.as_str()),
        });
        let outcome = match decision {
            Some("deny") if r.auto_apply && remove(ctx, &v, item)? => {
                removed += 1;
                "removed"
            }
            Some("approve") => {
                kept += 1;
                "kept"
            }
            // Reviewers who did not respond: no change (Entra's default).
            _ => {
                unchanged += 1;
                "unchanged"
            }
        };
        store::reviews::set_outcome(ctx.conn, &r.id, &item.assignment_id, outcome)?;
    }
    ctx.audit(
        AuditEntry::new(activity::Activity::ReviewCompleted, ctx.now)
            .role(&v.role)
            .detail("review_id", &v.id)
            .detail("name", &v.name)
            .detail("removed", removed)
            .detail("kept", kept)
            .detail("unchanged", unchanged)
            .detail("auto_apply", r.auto_apply),
    )?;
    let subject = format!(
        "PIM: Access review \"{}\" of the {} has ended",
        v.name,
        v.role.phrase()
    );
    let applied = if r.auto_apply {
        format!("{removed} denied assignment(s) were removed.")
    } else {
        "Results were not applied by themselves: remove denied assignments with pim unassign."
            .into()
    };
    let body = format!(
        "The access review \"{}\" ended {}.\n\nApproved: {kept}. Denied or without a decision left as they were: {unchanged}. {applied}\n\nResults: pim reviews show {}\n",
        v.name,
        format_utc(r.end),
        v.id
    );
    mail(
        ctx,
        &v,
        &recipients(ctx, &v, false)?,
        EmailEvent::ReviewEnded,
        (&subject, &body),
        r.end,
    )?;
    if let Some(rec) = r.recurrence.as_deref().and_then(Recurrence::parse) {
        let start = rec.next(r.start).max(r.end);
        let next = ReviewRow {
            id: new_id(),
            start,
            end: start + (r.end - r.start),
            reminded_at: None,
            completed_at: None,
            ..r.clone()
        };
        let reviewers = store::reviews::reviewers(ctx.conn, &r.id)?;
        let started = start_review(ctx, &next, &reviewers)?;
        ctx.audit(
            AuditEntry::new(activity::Activity::ReviewCreated, ctx.now)
                .role(&started.role)
                .detail("review_id", &started.id)
                .detail("name", &started.name)
                .detail("recurrence", rec.as_str())
                .detail("items", started.items.len()),
        )?;
    }
    Ok(())
}

/// Removes a denied assignment (and the activations made from it), unless it is the last
/// permanent active Global Administrator or already gone. True when removed.
fn remove(ctx: &Ctx<'_>, v: &ReviewView, item: &ReviewItem) -> ServiceResult<bool> {
    let Some(a) = store::assignments::get(ctx.conn, &item.assignment_id)? else {
        return Ok(false);
    };
    if a.ended_at.is_some() || super::assign::is_last_global_admin(ctx, &a)? {
        return Ok(false);
    }
    if !store::assignments::end(ctx.conn, &a.id, ctx.now, EndReason::Removed)? {
        return Ok(false);
    }
    if a.kind == AssignmentKind::Eligible {
        super::assign::end_activations(
            ctx,
            &a,
            &v.role,
            &item.principal,
            None,
            EndReason::Revoked,
        )?;
    }
    ctx.audit(
        AuditEntry::new(activity::Activity::ReviewRemoved, ctx.now)
            .role(&v.role)
            .target(&item.principal)
            .justification(item.reason.as_deref())
            .detail("assignment_id", &a.id)
            .detail("review_id", &v.id)
            .detail("decided_by", item.decided_by.as_deref()),
    )?;
    Ok(true)
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
            if !ctx.is_admin(&me.id)? {
                return Err(ctx.refuse(attempt, admin_required("creating access reviews")));
            }
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
            if store::assignments::count(ctx.conn, &filter, ctx.now)? == 0 {
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
            let n = store::reviews::waiting_for(ctx.conn, &me.id, ctx.now)?;
            Ok(usize::try_from(n).unwrap_or(0))
        })
    }

    /// The reviews the signed-in account may see, newest first.
    pub fn reviews(&mut self, token: &SessionToken) -> ServiceResult<Vec<ReviewView>> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let mut out = Vec::new();
            for r in store::reviews::list(ctx.conn)? {
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
                store::reviews::decide(
                    ctx.conn,
                    &v.id,
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
