//! The lifecycle's intents: approve, deny and cancel requests, ask for or make extensions and
//! renewals, and look after the alerts. Each one calls the service and reloads.

use crate::policy::model::Origin;
use crate::policy::request::RequestAction;
use crate::service::{Ask, FixInput, RequestView};
use crate::store::assignments::AssignmentRow;

use super::app::{App, Screen};
use super::lifecycle_text::{alert_text, assignment_line, fix_text, review_text};
use super::msg::Msg;
use super::popup::lifecycle::Purpose;
use super::popup::{LifecyclePopup, Popup, Tone};
use crate::tui::msg::LifecycleMsg;

fn ask_words(ask: Ask) -> (&'static str, &'static str) {
    match ask {
        Ask::Extend => ("Extend", "extension"),
        Ask::Renew => ("Renew", "renewal"),
    }
}

impl App {
    /// Acts on a lifecycle intent.
    pub(super) fn update_lifecycle(&mut self, msg: LifecycleMsg) {
        match msg {
            LifecycleMsg::OpenRequest(i) => {
                if let Some(v) = self.main().and_then(|m| m.approvals.list.get(i)).cloned() {
                    let lines = self.request_text(&v).lines().map(str::to_owned).collect();
                    self.popups.push(Popup::Request {
                        view: Box::new(v),
                        lines,
                        scroll: 0,
                    });
                }
            }
            LifecycleMsg::OpenDecide { id, approve } => self.open_decide(&id, approve),
            LifecycleMsg::Decide { id, decision } => {
                let approve = decision.approve;
                let Some((svc, token)) = self.session() else {
                    return;
                };
                let result = svc.decide(&token, &id, decision);
                self.after_form(result.map(|d| {
                    format!(
                        "{} {}'s request for {}; they were told.",
                        if approve { "Approved" } else { "Denied" },
                        d.principal.upn,
                        d.role.display_name
                    )
                }));
            }
            LifecycleMsg::ConfirmCancelRequest(id) => self.popups.push(Popup::Confirm {
                title: "Cancel request".into(),
                question: "Withdraw this request? Its approvers are no longer asked.".into(),
                on_yes: Msg::Lifecycle(LifecycleMsg::CancelRequest(id)),
            }),
            LifecycleMsg::CancelRequest(id) => {
                let Some((svc, token)) = self.session() else {
                    return;
                };
                match svc.cancel_request(&token, &id) {
                    Ok(_) => {
                        self.status = Some(("Request cancelled.".into(), Tone::Success));
                        self.reload();
                    }
                    Err(e) => self.popups.push(Popup::message(
                        "Not cancelled",
                        e.to_string(),
                        Tone::Error,
                    )),
                }
            }
            LifecycleMsg::OpenAskLifecycle(ask) => self.open_ask(ask),
            LifecycleMsg::AskLifecycle {
                role,
                kind,
                ask,
                reason,
            } => {
                let Some((svc, token)) = self.session() else {
                    return;
                };
                let result = svc.request_lifecycle(&token, &role, Some(kind), ask, &reason);
                self.after_form(result.map(|v| {
                    format!(
                        "Asked for the {} of {}; follow it in Approvals (5).",
                        ask_words(ask).1,
                        v.role.display_name
                    )
                }));
            }
            LifecycleMsg::OpenAdminLifecycle(ask) => self.open_admin(ask),
            LifecycleMsg::AdminLifecycle {
                ask,
                role,
                upn,
                kind,
                start,
                window,
                reason,
            } => {
                let Some((svc, token)) = self.session() else {
                    return;
                };
                let result = match ask {
                    Ask::Extend => {
                        svc.admin_extend(&token, &role, &upn, Some(kind), window, &reason)
                    }
                    Ask::Renew => {
                        svc.admin_renew(&token, &role, &upn, Some(kind), start, window, &reason)
                    }
                };
                let tz = self.tz;
                self.after_form(result.map(|d| {
                    format!(
                        "{}ed {}'s assignment: until {}.",
                        ask_words(ask).0,
                        d.principal.upn,
                        d.assignment
                            .end
                            .map_or("permanent".to_owned(), |t| tz.format(t))
                    )
                }));
            }
            LifecycleMsg::OpenAlert(i) => {
                if let Some(a) = self.main().and_then(|m| m.alerts.list.get(i)).cloned() {
                    // The list holds the first few items of each alert; the popup lists all.
                    let full = if a.affected > a.incidents.len() {
                        self.session()
                            .and_then(|(svc, token)| svc.alert(&token, a.id).ok())
                    } else {
                        None
                    };
                    let text = alert_text(full.as_ref().unwrap_or(&a));
                    self.popups.push(Popup::message(a.title, text, Tone::Info));
                }
            }
            LifecycleMsg::ConfirmDismissAlert(id) => self.popups.push(Popup::Confirm {
                title: "Dismiss alert".into(),
                question: format!(
                    "Dismiss \"{}\"? It comes back when its affected items change.",
                    id.title()
                ),
                on_yes: Msg::Lifecycle(LifecycleMsg::DismissAlert(id)),
            }),
            LifecycleMsg::DismissAlert(id) => {
                let Some((svc, token)) = self.session() else {
                    return;
                };
                match svc.dismiss_alert(&token, id) {
                    Ok(v) => {
                        self.status = Some((format!("Dismissed \"{}\".", v.title), Tone::Success));
                        self.alerts_now();
                        self.reload();
                    }
                    Err(e) => self.popups.push(Popup::message(
                        "Not dismissed",
                        e.to_string(),
                        Tone::Error,
                    )),
                }
            }
            LifecycleMsg::OpenReview(i) => {
                if let Some(row) = self.main().and_then(|m| m.reviews.rows.get(i)).cloned() {
                    let text = review_text(&row.review, self.tz);
                    self.popups
                        .push(Popup::message(row.review.name.clone(), text, Tone::Info));
                }
            }
            LifecycleMsg::OpenReviewDecision { id, upn, approve } => {
                let intro = self
                    .main()
                    .and_then(|m| {
                        m.reviews
                            .rows
                            .iter()
                            .find(|r| r.review.id == id && r.item.principal.upn == upn)
                    })
                    .map(|r| {
                        vec![
                            format!(
                                "{} · {}'s {} assignment",
                                r.review.role.display_name, upn, r.item.kind
                            ),
                            format!(
                                "Entra recommends {}: {}",
                                r.item.recommendation, r.item.recommendation_reason
                            ),
                        ]
                    })
                    .unwrap_or_default();
                let title = format!("{} access", if approve { "Approve" } else { "Deny" });
                let popup =
                    LifecyclePopup::new(title, intro, Purpose::ReviewDecision { id, upn, approve });
                self.popups.push(Popup::Lifecycle(Box::new(popup)));
            }
            LifecycleMsg::DecideReview {
                id,
                upn,
                approve,
                reason,
            } => {
                let Some((svc, token)) = self.session() else {
                    return;
                };
                let result = svc.decide_review(&token, &id, &upn, approve, &reason);
                self.after_form(result.map(|i| {
                    format!(
                        "Recorded: {} for {}'s {} assignment.",
                        i.decision.as_deref().unwrap_or("-"),
                        i.principal.upn,
                        i.kind
                    )
                }));
            }
            LifecycleMsg::PreviewAlertFix(id) => {
                let Some((svc, token)) = self.session() else {
                    return;
                };
                // The same fix as a preflight: every rule checked, nothing changed.
                let (preview, checks) =
                    svc.preflight(|s| s.fix_alert(&token, id, FixInput::default()));
                match preview {
                    Ok(fixed) if checks.mfa_required => self.popups.push(Popup::message(
                        "Fix needs a code",
                        format!(
                            "{}\n\nSome of these changes need a fresh code from your authenticator: run `pim alerts fix {} --otp CODE` in a terminal.",
                            fix_text(&fixed, true),
                            id.slug()
                        ),
                        Tone::Info,
                    )),
                    Ok(fixed) => self.popups.push(Popup::Confirm {
                        title: "Fix alert".into(),
                        question: format!("{}\n\nApply the fix?", fix_text(&fixed, true)),
                        on_yes: Msg::Lifecycle(LifecycleMsg::FixAlert(id)),
                    }),
                    Err(e) => {
                        self.popups
                            .push(Popup::message("Nothing to fix", e.to_string(), Tone::Error));
                    }
                }
            }
            LifecycleMsg::FixAlert(id) => {
                let Some((svc, token)) = self.session() else {
                    return;
                };
                match svc.fix_alert(&token, id, FixInput::default()) {
                    Ok(fixed) => {
                        let changed = fixed.steps.iter().filter(|s| s.refused.is_none()).count();
                        self.status = Some((
                            format!(
                                "Fixed \"{}\": {changed} of {} changed.",
                                id.title(),
                                fixed.steps.len()
                            ),
                            Tone::Success,
                        ));
                        if changed < fixed.steps.len() {
                            self.popups.push(Popup::message(
                                "Fixed in part",
                                fix_text(&fixed, false),
                                Tone::Info,
                            ));
                        }
                        self.alerts_now();
                        self.reload();
                    }
                    Err(e) => {
                        self.popups
                            .push(Popup::message("Not fixed", e.to_string(), Tone::Error));
                    }
                }
            }
            LifecycleMsg::OpenAlertSettings(id) => {
                if let Some(a) = self
                    .main()
                    .and_then(|m| m.alerts.list.iter().find(|a| a.id == id))
                {
                    let popup = LifecyclePopup::alert_settings(id, &a.config);
                    self.popups.push(Popup::Lifecycle(Box::new(popup)));
                }
            }
            LifecycleMsg::SaveAlertSettings(id, patch) => {
                let Some((svc, token)) = self.session() else {
                    return;
                };
                let result = svc.configure_alert(&token, id, patch);
                self.alerts_now();
                self.after_form(result.map(|v| format!("Saved the settings of \"{}\".", v.title)));
            }
        }
    }

    /// The admin's own change to an alert shows at once, whenever they were last computed.
    fn alerts_now(&mut self) {
        if let Screen::Main(m) = &mut self.screen {
            m.alerts.computed_at = None;
        }
    }

    fn main(&self) -> Option<&super::screen::main::MainState> {
        match &self.screen {
            Screen::Main(m) => Some(m),
            _ => None,
        }
    }

    /// Closes the form and says what happened, or shows the refusal in the form.
    fn after_form(&mut self, result: Result<String, crate::service::ServiceError>) {
        match result {
            Ok(note) => {
                if matches!(self.popups.last(), Some(Popup::Lifecycle(_))) {
                    self.popups.pop();
                }
                self.status = Some((note, Tone::Success));
                self.reload();
            }
            Err(e) => match self.popups.last_mut() {
                Some(Popup::Lifecycle(p)) => p.error = Some(e.to_string()),
                _ => self.fail(e),
            },
        }
    }

    fn request_text(&self, v: &RequestView) -> String {
        let r = &v.request;
        let tz = self.tz;
        let mut lines = vec![
            format!(
                "{} asks to {} {}",
                v.principal.upn,
                v.asks(),
                v.role.display_name
            ),
            String::new(),
            format!(
                "Status:        {} ({})",
                r.status.label(),
                r.status.as_str()
            ),
            format!("Asked:         {}", tz.format(r.created_at)),
            format!(
                "Justification: {}",
                r.justification.as_deref().unwrap_or("-")
            ),
        ];
        if let Some(t) = &r.ticket {
            lines.push(format!("Ticket:        {} ({})", t.number, t.system));
        }
        if let Some(s) = r.start {
            lines.push(format!("Start:         {}", tz.format(s)));
        }
        if r.action != RequestAction::SelfActivate {
            lines.push(format!(
                "Current end:   {}",
                r.end.map_or("permanent".to_owned(), |t| tz.format(t))
            ));
        }
        if let Some(e) = r.expires_at.filter(|_| r.status.is_pending()) {
            lines.push(format!("Decide by:     {}", tz.format(e)));
        }
        if !v.approvers.is_empty() {
            let who: Vec<&str> = v.approvers.iter().map(|p| p.upn.as_str()).collect();
            lines.push(format!("Approvers:     {}", who.join(", ")));
        }
        if let Some(reason) = &r.decision_reason {
            lines.push(format!("Decision:      {reason}"));
        }
        lines.push(format!("Request id:    {}", r.id));
        if v.can_decide {
            lines.push(String::new());
            lines.push("On the list: a approves, d denies.".into());
        }
        lines.join("\n")
    }

    fn open_decide(&mut self, id: &str, approve: bool) {
        let Some(v) = self
            .main()
            .and_then(|m| m.approvals.list.iter().find(|v| v.request.id == id))
            .cloned()
        else {
            return;
        };
        let change = match v.request.action {
            RequestAction::SelfExtend => Some((Ask::Extend, v.request.kind)),
            RequestAction::SelfRenew => Some((Ask::Renew, v.request.kind)),
            _ => None,
        };
        let title = format!(
            "{} request · {}",
            if approve { "Approve" } else { "Deny" },
            v.role.display_name
        );
        let intro = vec![
            format!(
                "{} asks to {} · {}",
                v.principal.upn,
                v.asks(),
                v.role.display_name
            ),
            format!(
                "Their reason: {}",
                v.request.justification.as_deref().unwrap_or("-")
            ),
        ];
        let purpose = Purpose::Decide {
            id: id.to_owned(),
            approve,
            change: change.filter(|_| approve),
        };
        self.popups
            .push(Popup::Lifecycle(Box::new(LifecyclePopup::new(
                title, intro, purpose,
            ))));
    }

    fn open_ask(&mut self, ask: Ask) {
        let Some(row) = self.main().and_then(|m| m.my.selected_row()).cloned() else {
            return;
        };
        if row.assignment.origin == Origin::Activated {
            self.status = Some((
                "That is an activation: activate the role again instead. Extensions and renewals are for assignments.".into(),
                Tone::Info,
            ));
            return;
        }
        let note = match ask {
            Ask::Extend => {
                "An extension can be asked for within 14 days of the end; an administrator decides."
            }
            Ask::Renew => {
                "A renewal can be asked for up to 30 days after the end; an administrator decides."
            }
        };
        let purpose = Purpose::Ask {
            role: row.role.id.clone(),
            kind: row.assignment.kind,
            ask,
        };
        self.push_form(ask, &row, note, purpose);
    }

    /// Opens the form of an extension or renewal of `row`, with a line about the assignment.
    fn push_form(&mut self, ask: Ask, row: &AssignmentRow, note: &str, purpose: Purpose) {
        let intro = vec![assignment_line(row, self), note.to_owned()];
        let title = format!("{} · {}", ask_words(ask).0, row.role.display_name);
        self.popups
            .push(Popup::Lifecycle(Box::new(LifecyclePopup::new(
                title, intro, purpose,
            ))));
    }

    fn open_admin(&mut self, ask: Ask) {
        let selected = self
            .main()
            .and_then(|m| m.roles.detail.as_ref())
            .and_then(|d| d.selected_row())
            .map(|r| r.assignment.origin);
        if selected == Some(Origin::Activated) {
            self.status = Some((
                "That is the user's own activation; extend the assignment it came from.".into(),
                Tone::Info,
            ));
            return;
        }
        let what = format!("{} assignments", ask_words(ask).0.to_lowercase());
        let Some(row) = self
            .manager_detail(&what)
            .and_then(|d| d.selected_row().cloned())
        else {
            return;
        };
        let note = match ask {
            Ask::Extend => "The new end counts from the current end; it is never earlier.",
            Ask::Renew => "The renewal counts from its start.",
        };
        let purpose = Purpose::Admin {
            role: row.role.id.clone(),
            upn: row.principal.upn.clone(),
            kind: row.assignment.kind,
            ask,
        };
        self.push_form(ask, &row, note, purpose);
    }
}
