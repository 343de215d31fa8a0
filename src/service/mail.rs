//! Queuing the e-mails of an event by the role's notification matrix, and reading an inbox.

use super::{CopyIds, Ctx, ServiceError, ServiceResult, SessionToken};
use crate::clock::Time;
use crate::notify::recipients::for_row;
use crate::notify::templates::{self, Message, MessageFacts};
use crate::notify::{Email, EmailEvent};
use crate::policy::model::Principal;
use crate::policy::notification::{NotifyEvent, NotifyRecipient, NotifyRow};
use crate::policy::settings::RoleSettings;

/// One message to the recipients of one row of a role's notification matrix.
pub(super) struct Outgoing<'a> {
    /// The matrix row that governs it.
    pub row: NotifyRow,
    /// What it is about (decides whether "critical emails only" keeps it).
    pub event: EmailEvent,
    /// The row's default recipients for this message.
    pub defaults: &'a [Principal],
    /// Subject and body.
    pub message: Message,
    /// The role concerned.
    pub role_id: &'a str,
    /// The request concerned.
    pub request_id: Option<&'a str>,
    /// When it is sent (policy time; reminders use their threshold time).
    pub time: Time,
}

/// Queues one message for the row's recipients, in the caller's transaction. The approver row
/// of activations goes to designated approvers only, as in Entra.
pub(super) fn deliver(
    ctx: &Ctx<'_>,
    settings: &RoleSettings,
    out: Outgoing<'_>,
) -> ServiceResult<usize> {
    let mut setting = settings.notifications.get(out.row).clone();
    if out.row == NotifyRow::new(NotifyEvent::Activation, NotifyRecipient::Approver) {
        setting.additional_recipients.clear();
    }
    let recipients = for_row(&setting, out.event.is_critical(), out.defaults, |addr| {
        ctx.db.user_by_upn(addr).ok().flatten().map(|u| u.principal)
    });
    let (subject, body) = out.message;
    queue(
        ctx,
        recipients.into_iter().map(|r| (r.user_id, r.address)),
        out.event,
        (&subject, &body),
        (out.role_id, out.request_id),
        out.time,
    )
}

/// Queues one message to each (account, address) at `time`, about a role and maybe a
/// request; how many were queued. Without its licence PIM sends no e-mail (as in Entra).
pub(super) fn queue(
    ctx: &Ctx<'_>,
    to: impl IntoIterator<Item = (Option<String>, String)>,
    event: EmailEvent,
    (subject, body): (&str, &str),
    (role_id, request_id): (&str, Option<&str>),
    time: Time,
) -> ServiceResult<usize> {
    if ctx.tenant.licence == crate::policy::model::Licence::Free {
        return Ok(0);
    }
    let mut n = 0;
    let ids = CopyIds::new();
    for (recipient_id, address) in to {
        ctx.db.insert_email(&Email {
            id: ids.next(),
            time,
            recipient_id,
            to: address,
            subject: subject.to_owned(),
            body: body.to_owned(),
            event,
            role_id: Some(role_id.to_owned()),
            request_id: request_id.map(str::to_owned),
            read_at: None,
        })?;
        n += 1;
    }
    Ok(n)
}

/// Queues the admin alert and the assignee/requestor notice of an assignment or activation.
/// Returns how many messages were queued.
pub(super) fn send(
    ctx: &Ctx<'_>,
    settings: &RoleSettings,
    event: NotifyEvent,
    facts: &MessageFacts<'_>,
) -> ServiceResult<usize> {
    let (admin, notice) = match event {
        NotifyEvent::Activation => (
            (
                templates::role_activation_alert(facts),
                EmailEvent::RoleActivationAlert,
            ),
            (
                templates::requestor_notice(facts),
                EmailEvent::RequestorNotice,
            ),
        ),
        NotifyEvent::EligibleAssignment | NotifyEvent::ActiveAssignment => (
            (
                templates::role_assignment_alert(facts),
                EmailEvent::RoleAssignmentAlert,
            ),
            (
                templates::assignee_notice(facts),
                EmailEvent::AssigneeNotice,
            ),
        ),
    };
    let admins = ctx.admins()?;
    let subject_person = ctx.readers_of(facts.principal)?;
    let mut queued = 0;
    for (recipient, defaults, (message, email_event)) in [
        (NotifyRecipient::Admin, admins.as_slice(), admin),
        (
            NotifyRecipient::Requestor,
            subject_person.as_slice(),
            notice,
        ),
    ] {
        queued += deliver(
            ctx,
            settings,
            Outgoing {
                row: NotifyRow::new(event, recipient),
                event: email_event,
                defaults,
                message,
                role_id: &facts.role.id,
                request_id: Some(facts.request_id),
                time: ctx.now,
            },
        )?;
    }
    Ok(queued)
}

impl super::Service {
    /// The signed-in account's messages, newest first.
    pub fn inbox(
        &mut self,
        token: &SessionToken,
        unread_only: bool,
        limit: i64,
    ) -> ServiceResult<Vec<Email>> {
        self.read(|ctx| {
            let me = ctx.actor(token)?;
            Ok(ctx.db.inbox(&me.principal.id, unread_only, limit)?)
        })
    }

    /// How many messages the account has not opened.
    pub fn unread_count(&mut self, token: &SessionToken) -> ServiceResult<i64> {
        self.read(|ctx| {
            let me = ctx.actor(token)?;
            Ok(ctx.db.unread_count(&me.principal.id)?)
        })
    }

    /// Opens one of the account's messages and marks it read.
    pub fn open_email(&mut self, token: &SessionToken, id: &str) -> ServiceResult<Email> {
        self.write(|ctx| {
            let me = ctx.actor(token)?;
            let email = ctx.db.email_for(&me.principal.id, id)?.ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "no message '{}' in your inbox",
                    crate::policy::text::sanitize(id)
                ))
            })?;
            ctx.db.mark_read(&me.principal.id, id, ctx.now)?;
            // As it now stands: read (since now, unless it was before).
            Ok(Email {
                read_at: email.read_at.or(Some(ctx.now)),
                ..email
            })
        })
    }

    /// One page of the mail an export writes, oldest first: every message for a Global or
    /// Privileged Role Administrator (external addresses included), the account's own
    /// otherwise. The flag says which. Nothing is marked read.
    pub fn mail_export_page(
        &mut self,
        token: &SessionToken,
        after: i64,
        limit: i64,
    ) -> ServiceResult<(bool, Vec<(i64, Email)>)> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let all = ctx.is_admin(&me.id)?;
            let who = (!all).then_some(me.id.as_str());
            Ok((all, ctx.db.mail_page(who, after, limit)?))
        })
    }
}
