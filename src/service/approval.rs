//! Requests that wait for a decision: activations of roles that require approval, and
//! extension or renewal requests. Approvers decide (the first decision settles it), the
//! requestor can cancel, and a request nobody decides within 24 hours expires.

use serde::Serialize;

use super::mail::{Outgoing, deliver};
use super::{Ctx, ServiceError, ServiceResult, SessionToken};
use crate::audit::AuditEntry;
use crate::audit::activity::{Activity, Flow, Stage};
use crate::clock::Time;
use crate::notify::EmailEvent;
use crate::notify::lifecycle as mails;
use crate::notify::templates::MessageFacts;
use crate::policy::lifecycle::action_words;
use crate::policy::model::{AssignmentKind, Principal, Role};
use crate::policy::notification::{NotifyEvent, NotifyRecipient, NotifyRow};
use crate::policy::request::{Request, RequestAction, RequestStatus};
use crate::policy::settings::RoleSettings;
use crate::store;

/// A request with the names a list shows and who may decide it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    /// The request.
    pub request: Request,
    /// Its role.
    pub role: Role,
    /// Who it is for.
    pub principal: Principal,
    /// Who may approve or deny it now.
    pub approvers: Vec<Principal>,
    /// The viewer may approve or deny it.
    pub can_decide: bool,
    /// It is the viewer's own request.
    pub mine: bool,
}

impl RequestView {
    /// What was asked, in words: `activate for 2h`, `extend eligible`, `renew active`.
    pub fn asks(&self) -> String {
        let r = &self.request;
        match r.action {
            RequestAction::SelfActivate => match r.duration {
                Some(d) => format!(
                    "activate for {}",
                    crate::policy::duration::format_duration(d)
                ),
                None => "activate".into(),
            },
            RequestAction::SelfExtend => format!("extend {}", r.kind.as_str()),
            RequestAction::SelfRenew => format!("renew {}", r.kind.as_str()),
            other => other.as_str().to_owned(),
        }
    }
}

/// The activity names of each request kind: (requested, approved, denied, canceled, expired).
pub(super) fn activities(action: RequestAction, kind: AssignmentKind) -> [Activity; 5] {
    let flow = match action {
        RequestAction::SelfActivate => Flow::Activation,
        RequestAction::SelfRenew => Flow::Renew(kind),
        _ => Flow::Extend(kind),
    };
    [
        Stage::Requested,
        Stage::Approved,
        Stage::Denied,
        Stage::Canceled,
        Stage::Expired,
    ]
    .map(|stage| Activity::Request { flow, stage })
}

/// The approvers of a request, without its requestor: the role's chosen approvers for
/// activations when there are any, otherwise every active Privileged Role / Global
/// Administrator. The flag says whether they are the default approvers.
pub(super) fn approvers_for(
    ctx: &Ctx<'_>,
    settings: &RoleSettings,
    request: &Request,
) -> ServiceResult<(Vec<Principal>, bool)> {
    let chosen = request.action == RequestAction::SelfActivate && !settings.approvers.is_empty();
    let all = if chosen {
        settings.approvers.clone()
    } else {
        ctx.admins()?
    };
    Ok((
        all.into_iter()
            .filter(|p| p.id != request.principal_id)
            .collect(),
        !chosen,
    ))
}

/// The notification row of a request's approvers and of its subject.
pub(super) fn event_of(request: &Request) -> NotifyEvent {
    match (request.action, request.kind) {
        (RequestAction::SelfActivate, _) => NotifyEvent::Activation,
        (_, AssignmentKind::Eligible) => NotifyEvent::EligibleAssignment,
        (_, AssignmentKind::Active) => NotifyEvent::ActiveAssignment,
    }
}

/// Message facts describing a request.
pub(super) fn facts<'a>(
    request: &'a Request,
    role: &'a Role,
    principal: &'a Principal,
    now: Time,
) -> MessageFacts<'a> {
    let start = request.start.unwrap_or(now);
    MessageFacts {
        role,
        principal,
        actor: None,
        kind: request.kind,
        start,
        // An activation waiting for approval asks for a duration: its window ends that long
        // after its start.
        end: request
            .end
            .or_else(|| request.duration.and_then(|d| start.checked_add_signed(d))),
        now,
        justification: request.justification.as_deref(),
        ticket: request.ticket.as_ref(),
        request_id: &request.id,
    }
}

/// Queues one message to a row's default recipients.
pub(super) fn notify(
    ctx: &Ctx<'_>,
    settings: &RoleSettings,
    request: &Request,
    recipient: NotifyRecipient,
    defaults: &[Principal],
    event: EmailEvent,
    message: crate::notify::templates::Message,
) -> ServiceResult<usize> {
    notify_at(
        ctx, settings, request, recipient, defaults, event, message, ctx.now,
    )
}

/// [`notify`] dated at `time` (a request that timed out is told at its deadline).
#[expect(
    clippy::too_many_arguments,
    reason = "notify's message and recipients, and when it is dated"
)]
pub(super) fn notify_at(
    ctx: &Ctx<'_>,
    settings: &RoleSettings,
    request: &Request,
    recipient: NotifyRecipient,
    defaults: &[Principal],
    event: EmailEvent,
    message: crate::notify::templates::Message,
    time: Time,
) -> ServiceResult<usize> {
    deliver(
        ctx,
        settings,
        Outgoing {
            row: NotifyRow::new(event_of(request), recipient),
            event,
            defaults,
            message,
            role_id: &request.role_id,
            request_id: Some(&request.id),
            time,
        },
    )
}

/// Loads a request with its role and principal.
pub(super) fn load(ctx: &Ctx<'_>, id: &str) -> ServiceResult<(Request, Role, Principal)> {
    let missing = || {
        ServiceError::NotFound(format!(
            "no request '{}'; `pim requests` lists them",
            crate::policy::text::sanitize(id)
        ))
    };
    let request = ctx.db.request(id.trim())?.ok_or_else(missing)?;
    let role = ctx.db.role(&request.role_id)?.ok_or_else(missing)?;
    let principal = ctx
        .db
        .user_by_id(&request.principal_id)?
        .ok_or_else(missing)?
        .principal;
    Ok((request, role, principal))
}

/// Expires the pending requests whose 24 hours have run out (run by the sweep).
pub(super) fn expire_pending(ctx: &Ctx<'_>) -> ServiceResult<()> {
    for request in ctx.db.expired_pending(ctx.now)? {
        let Some(expires) = request.expires_at else {
            continue;
        };
        if !ctx
            .db
            .settle_request(&request.id, RequestStatus::TimedOut, expires, None, None)?
        {
            continue;
        }
        let role = ctx.db.role(&request.role_id)?;
        let principal = ctx
            .db
            .user_by_id(&request.principal_id)?
            .map(|u| u.principal);
        let (Some(role), Some(principal)) = (role, principal) else {
            continue;
        };
        let [_, _, _, _, expired] = activities(request.action, request.kind);
        ctx.audit(
            AuditEntry::new(expired, expires)
                .role(&role)
                .target(&principal)
                .failed()
                .detail("request_id", &request.id)
                .detail("reason", "nobody approved or denied it within 24 hours"),
        )?;
        let settings = ctx.settings(&role.id)?;
        let (approvers, _) = approvers_for(ctx, &settings, &request)?;
        let f = facts(&request, &role, &principal, expires);
        let verb = action_words(request.action);
        let me = [principal.clone()];
        notify_at(
            ctx,
            &settings,
            &request,
            NotifyRecipient::Requestor,
            &me,
            EmailEvent::RequestExpired,
            mails::request_expired(&f, verb, true),
            expires,
        )?;
        notify_at(
            ctx,
            &settings,
            &request,
            NotifyRecipient::Approver,
            &approvers,
            EmailEvent::RequestExpired,
            mails::request_expired(&f, verb, false),
            expires,
        )?;
    }
    Ok(())
}

impl super::Service {
    /// The full id of the request a typed id names: itself, or the one request it is a
    /// prefix of (at least 4 characters).
    pub fn resolve_request(&mut self, token: &SessionToken, typed: &str) -> ServiceResult<String> {
        let typed = typed.trim();
        self.read(|ctx| {
            ctx.actor(token)?;
            let hits = if typed.len() < 4 {
                Vec::new()
            } else {
                ctx.db.request_ids_with_prefix(typed, 2)?
            };
            match hits.as_slice() {
                [one] => Ok(one.clone()),
                [] => Err(ServiceError::NotFound(format!(
                    "no request '{}'; `pim requests` lists them",
                    crate::policy::text::sanitize(typed)
                ))),
                _ => Err(ServiceError::Invalid(format!(
                    "'{}' names several requests; give more of the id",
                    crate::policy::text::sanitize(typed)
                ))),
            }
        })
    }

    /// Pending requests the signed-in account may decide or made (and, for a Global or
    /// Privileged Role Administrator, every pending request: they may cancel any), newest
    /// first; then its own recent requests.
    pub fn requests(&mut self, token: &SessionToken) -> ServiceResult<Vec<RequestView>> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let admin = ctx.is_admin(&me.id)?;
            let mut out: Vec<RequestView> = Vec::new();
            for request in ctx.db.list_requests(store::requests::Scope::Pending, 500)? {
                if request.expires_at.is_some_and(|e| e <= ctx.now) {
                    continue;
                }
                let (request, role, principal) = load(ctx, &request.id)?;
                let settings = ctx.settings(&role.id)?;
                let (approvers, _) = approvers_for(ctx, &settings, &request)?;
                let can_decide = approvers.iter().any(|p| p.id == me.id);
                let mine = principal.id == me.id;
                if can_decide || mine || admin {
                    out.push(RequestView {
                        request,
                        role,
                        principal,
                        approvers,
                        can_decide,
                        mine,
                    });
                }
            }
            for request in ctx
                .db
                .list_requests(store::requests::Scope::Of(&me.id), 50)?
            {
                if out.iter().any(|v| v.request.id == request.id) {
                    continue;
                }
                let (request, role, principal) = load(ctx, &request.id)?;
                out.push(RequestView {
                    request,
                    role,
                    principal,
                    approvers: Vec::new(),
                    can_decide: false,
                    mine: true,
                });
            }
            Ok(out)
        })
    }
}
