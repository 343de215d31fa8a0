//! Queuing the e-mails of an event by the role's notification matrix, and reading an inbox.

use super::{Ctx, ServiceError, ServiceResult, SessionToken, new_id};
use crate::notify::recipients::for_row;
use crate::notify::templates::{self, Message, MessageFacts};
use crate::notify::{Email, EmailEvent};
use crate::policy::notification::{NotifyEvent, NotifyRecipient, NotifyRow};
use crate::policy::settings::RoleSettings;
use crate::store;

/// Queues the admin alert and the assignee/requestor notice of an event, in the caller's
/// transaction. Returns how many messages were queued.
pub(super) fn send(
    ctx: &Ctx<'_>,
    settings: &RoleSettings,
    event: NotifyEvent,
    facts: &MessageFacts<'_>,
) -> ServiceResult<usize> {
    type Template = fn(&MessageFacts<'_>) -> Message;
    let (admin, notice): ((Template, EmailEvent), (Template, EmailEvent)) = match event {
        NotifyEvent::Activation => (
            (
                templates::role_activation_alert,
                EmailEvent::RoleActivationAlert,
            ),
            (templates::requestor_notice, EmailEvent::RequestorNotice),
        ),
        NotifyEvent::EligibleAssignment | NotifyEvent::ActiveAssignment => (
            (
                templates::role_assignment_alert,
                EmailEvent::RoleAssignmentAlert,
            ),
            (templates::assignee_notice, EmailEvent::AssigneeNotice),
        ),
    };
    let admins = ctx.admins()?;
    let subject_person = [facts.principal.clone()];
    let mut queued = 0;
    for (recipient_kind, defaults, (template, email_event)) in [
        (NotifyRecipient::Admin, admins.as_slice(), admin),
        (
            NotifyRecipient::Requestor,
            subject_person.as_slice(),
            notice,
        ),
    ] {
        let setting = settings
            .notifications
            .get(NotifyRow::new(event, recipient_kind));
        let recipients = for_row(setting, email_event.is_critical(), defaults, |addr| {
            store::users::by_upn(ctx.conn, addr)
                .ok()
                .flatten()
                .map(|u| u.principal)
        });
        let (subject, body) = template(facts);
        for r in recipients {
            store::mail::insert(
                ctx.conn,
                &Email {
                    id: new_id(),
                    time: ctx.now,
                    recipient_id: r.user_id,
                    to: r.address,
                    subject: subject.clone(),
                    body: body.clone(),
                    event: email_event,
                    role_id: Some(facts.role.id.clone()),
                    request_id: Some(facts.request_id.to_owned()),
                    read_at: None,
                },
            )?;
            queued += 1;
        }
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
            Ok(store::mail::inbox(
                ctx.conn,
                &me.principal.id,
                unread_only,
                limit,
            )?)
        })
    }

    /// How many messages the account has not opened.
    pub fn unread_count(&mut self, token: &SessionToken) -> ServiceResult<i64> {
        self.read(|ctx| {
            let me = ctx.actor(token)?;
            Ok(store::mail::unread_count(ctx.conn, &me.principal.id)?)
        })
    }

    /// Opens one of the account's messages and marks it read.
    pub fn open_email(&mut self, token: &SessionToken, id: &str) -> ServiceResult<Email> {
        self.write(|ctx| {
            let me = ctx.actor(token)?;
            let email = store::mail::get_for(ctx.conn, &me.principal.id, id)?.ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "no message '{}' in your inbox",
                    crate::policy::text::sanitize(id)
                ))
            })?;
            store::mail::mark_read(ctx.conn, &me.principal.id, id, ctx.now)?;
            Ok(email)
        })
    }
}
