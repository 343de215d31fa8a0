//! The activation pane's three stages (validate, activate with the code, see it active), and
//! deactivating.

use crate::service::ServiceError;

use super::app::{App, Screen};
use super::msg::Msg;
use super::popup::activate::{Stage, Step, Target};
use super::popup::{ActivatePopup, Popup, Tone};

/// A stage's one-line outcome: the rules that refused, or that it failed.
fn short_reason(e: &ServiceError) -> String {
    match e {
        ServiceError::Refused(r) => {
            let rules: Vec<&str> = r.rules().iter().map(|r| r.as_str()).collect();
            format!("refused by {}", rules.join(", "))
        }
        _ => "failed".into(),
    }
}

impl App {
    pub(super) fn open_activate(&mut self, role_ids: &[String]) {
        let Screen::Main(m) = &self.screen else {
            return;
        };
        let Some(status) = m.my.status.as_ref() else {
            return;
        };
        let targets: Vec<Target> = role_ids
            .iter()
            .filter_map(|id| {
                status
                    .eligible
                    .iter()
                    .chain(status.group_eligible.iter())
                    .find(|e| e.row.role.id == *id)
            })
            .map(|e| Target {
                role: e.row.role.clone(),
                settings: e.settings.clone(),
                eligible_until: e.row.assignment.end,
            })
            .collect();
        if targets.is_empty() {
            return;
        }
        let reasons = self
            .session()
            .and_then(|(svc, token)| svc.recent_reasons(&token).ok())
            .unwrap_or_default();
        let popup = ActivatePopup::new(targets, reasons);
        self.popups.push(Popup::Activate(Box::new(popup)));
    }

    pub(super) fn activation_popup(&mut self) -> Option<&mut ActivatePopup> {
        match self.popups.last_mut() {
            Some(Popup::Activate(p)) => Some(p),
            _ => None,
        }
    }

    pub(super) fn activate_validate(&mut self, inputs: Vec<crate::service::ActivateInput>) {
        let tz = self.tz;
        let Some((svc, token)) = self.session() else {
            return;
        };
        let result = svc.validate_activations(&token, &inputs);
        let Some(p) = self.activation_popup() else {
            return;
        };
        match result {
            Ok(previews) => {
                p.error = None;
                let cut = if previews.iter().any(|v| v.clamped) {
                    " (cut to the end of your eligibility)"
                } else {
                    ""
                };
                let (Some(start), Some(end)) = (
                    previews.iter().map(|v| v.start).min(),
                    previews.iter().map(|v| v.end).max(),
                ) else {
                    return;
                };
                let whose = if previews.len() == 1 {
                    "the role's settings"
                } else {
                    "each role's settings"
                };
                p.steps[0] = Step::Passed(format!(
                    "meets {whose}: {} until {}{cut}",
                    tz.hm(start),
                    tz.format(end)
                ));
                if previews.iter().any(|v| v.needs_mfa) {
                    p.to_code();
                } else {
                    p.steps[1] = Step::Running;
                    self.pending.push_back(Msg::ActivateCommit(inputs));
                }
            }
            Err(e) => {
                p.steps[0] = Step::Failed(short_reason(&e));
                p.back_to_form(Some(e.to_string()));
            }
        }
    }

    pub(super) fn activate_commit(&mut self, inputs: Vec<crate::service::ActivateInput>) {
        let tz = self.tz;
        if let Some(p) = self.activation_popup() {
            p.stage = Stage::Working;
            p.steps[1] = Step::Running;
        }
        let Some((svc, token)) = self.session() else {
            return;
        };
        let result = svc.activate_many(&token, inputs);
        let Some(p) = self.activation_popup() else {
            return;
        };
        match result {
            Ok(outcomes) => {
                use crate::service::ActivationOutcome;
                let mut active = Vec::new();
                let mut pending = Vec::new();
                for o in &outcomes {
                    match o {
                        ActivationOutcome::Active(done) => active.push(done),
                        ActivationOutcome::Pending(view) => pending.push(view),
                    }
                }
                let mut said = Vec::new();
                if let Some(end) = active
                    .iter()
                    .map(|d| d.assignment.end.unwrap_or(d.assignment.start))
                    .max()
                {
                    said.push(if active.len() == 1 {
                        format!("active until {}", tz.format(end))
                    } else {
                        format!("{} roles active until {}", active.len(), tz.format(end))
                    });
                }
                if !pending.is_empty() {
                    let mut who: Vec<&str> = pending
                        .iter()
                        .flat_map(|v| v.approvers.iter().map(|a| a.upn.as_str()))
                        .collect();
                    who.sort_unstable();
                    who.dedup();
                    let to = if who.is_empty() {
                        "the approvers".to_owned()
                    } else {
                        who.join(", ")
                    };
                    let what: Vec<&str> = pending
                        .iter()
                        .map(|v| v.role.display_name.as_str())
                        .collect();
                    said.push(format!("{} sent for approval to {to}", what.join(", ")));
                }
                p.steps[1] = Step::Passed(said.join("; "));
                p.error = None;
                if active.is_empty() {
                    p.steps[2] =
                        Step::Passed("pending approval: follow it in Approvals (5)".into());
                    p.stage = Stage::Done;
                    self.status = Some(("Your request waits for an approver.".into(), Tone::Info));
                    self.reload();
                } else {
                    p.steps[2] = Step::Running;
                    let ids = active.iter().map(|d| d.role.id.clone()).collect();
                    self.pending.push_back(Msg::ActivateRefresh(ids));
                }
            }
            Err(ServiceError::Auth(a)) => {
                p.steps[1] = Step::Failed("MFA failed".into());
                p.to_code();
                p.error = Some(a.to_string());
                if matches!(a, crate::service::AuthFailure::Locked { .. }) {
                    p.back_to_form(Some(a.to_string()));
                }
            }
            Err(e) => {
                p.steps[1] = Step::Failed(short_reason(&e));
                p.back_to_form(Some(e.to_string()));
            }
        }
    }

    pub(super) fn activate_refresh(&mut self, role_ids: &[String]) {
        self.reload();
        let now = self.now();
        let missing: Vec<String> = match &self.screen {
            Screen::Main(m) => role_ids
                .iter()
                .filter(|id| {
                    !m.my.status.as_ref().is_some_and(|s| {
                        s.active
                            .iter()
                            .chain(s.group_active.iter())
                            .any(|a| a.role.id == **id && a.assignment.is_current(now))
                    })
                })
                .cloned()
                .collect(),
            _ => role_ids.to_vec(),
        };
        let name = match self.activation_popup() {
            Some(p) => {
                p.steps[2] = if missing.is_empty() && p.targets.len() == 1 {
                    Step::Passed(format!("{} is in your active roles", p.names()))
                } else if missing.is_empty() {
                    Step::Passed("all are in your active roles".into())
                } else {
                    Step::Failed("not every role shows as active yet".into())
                };
                p.stage = Stage::Done;
                p.names()
            }
            None => return,
        };
        if let Screen::Main(m) = &mut self.screen {
            // Show where the activation landed: a group's membership stays on Groups.
            if m.my.sub != super::msg::Sub::Groups {
                m.my.sub = super::msg::Sub::Active;
            }
            m.my.marked.clear();
        }
        let verb = if role_ids.len() == 1 { "is" } else { "are" };
        self.status = Some((format!("{name} {verb} active."), Tone::Success));
    }

    pub(super) fn deactivate(&mut self, role: &str) {
        let Some((svc, token)) = self.session() else {
            return;
        };
        match svc.deactivate(&token, role) {
            Ok((_, r)) => {
                self.status = Some((format!("Deactivated {}.", r.display_name), Tone::Success));
                self.reload();
            }
            Err(e) => self.popups.push(Popup::message(
                "Not deactivated",
                e.to_string(),
                Tone::Error,
            )),
        }
    }
}
