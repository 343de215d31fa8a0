//! Edit role settings: the Activation, Assignment and Notification tabs of Entra's editor. On
//! Update, only the fields that differ from the stored settings are sent; the engine validates
//! them and names the rule of any refusal, and the form stays as typed.

use ratatui::crossterm::event::KeyEvent;

use crate::policy::model::Role;
use crate::policy::notification::{NotificationPatch, NotifyRow, split_recipients};
use crate::policy::settings::{
    ExpireAfter, MAX_ACTIVATION_STEP, MAX_MAX_ACTIVATION, MIN_MAX_ACTIVATION, RoleSettings,
    SettingField, SettingsPatch,
};
use crate::tui::keymap::Context;
use crate::tui::msg::Msg;
use crate::tui::widgets::{Choice, DurationSlider, Field, Form, FormEvent, Input, TextField};

use super::Outcome;
use crate::tui::msg::AdminMsg;

/// The editor's tabs.
pub const TABS: [&str; 3] = ["Activation", "Assignment", "Notification"];

/// The editor.
#[derive(Debug, Clone)]
pub struct SettingsPopup {
    /// The role.
    pub role: Role,
    /// The settings as stored when the editor opened.
    pub original: RoleSettings,
    /// The visible tab.
    pub tab: usize,
    /// One form per tab.
    pub forms: [Form; 3],
    /// The last refusal, in words.
    pub error: Option<String>,
}

/// The dropdown's choices, with a value set through Graph (such as 270 days) kept in its
/// place among them rather than snapped to a choice.
fn expiry_options(current: ExpireAfter) -> Vec<ExpireAfter> {
    let mut options = ExpireAfter::CHOICES.to_vec();
    if !options.contains(&current) {
        options.push(current);
        options.sort();
    }
    options
}

fn expiry(e: ExpireAfter) -> Input {
    let options = expiry_options(e);
    let index = options.iter().position(|x| *x == e).unwrap_or(0);
    let labels: Vec<String> = options.iter().map(|o| o.label()).collect();
    Input::Choice(Choice::new(labels, index))
}

fn activation_form(s: &RoleSettings) -> Form {
    let slider = DurationSlider::new(
        s.max_activation,
        MIN_MAX_ACTIVATION,
        MAX_MAX_ACTIVATION,
        MAX_ACTIVATION_STEP,
    );
    let approvers: Vec<&str> = s.approvers.iter().map(|p| p.upn.as_str()).collect();
    Form::new(vec![
        Field::new(
            SettingField::MaxActivation.id(),
            SettingField::MaxActivation.label(),
            Input::Slider(slider),
        ),
        Field::new(
            SettingField::RequireMfa.id(),
            SettingField::RequireMfa.label(),
            Input::Switch(s.require_mfa),
        ),
        Field::new(
            SettingField::AuthContext.id(),
            SettingField::AuthContext.label(),
            Input::Text(
                TextField::new(3)
                    .with_value(s.auth_context.as_deref().unwrap_or(""))
                    .placeholder("c1 to c99 (MFA off); empty: none"),
            ),
        ),
        Field::new(
            SettingField::RequireJustification.id(),
            SettingField::RequireJustification.label(),
            Input::Switch(s.require_justification),
        ),
        Field::new(
            SettingField::RequireTicket.id(),
            SettingField::RequireTicket.label(),
            Input::Switch(s.require_ticket),
        ),
        Field::new(
            SettingField::RequireApproval.id(),
            SettingField::RequireApproval.label(),
            Input::Switch(s.require_approval),
        ),
        Field::new(
            SettingField::Approvers.id(),
            SettingField::Approvers.label(),
            Input::Text(
                TextField::new(2000)
                    .with_value(&approvers.join(", "))
                    .placeholder("UPNs, comma-separated; none: PRA and GA"),
            ),
        ),
    ])
}

fn assignment_form(s: &RoleSettings) -> Form {
    Form::new(vec![
        Field::new(
            SettingField::AllowPermanentEligible.id(),
            SettingField::AllowPermanentEligible.label(),
            Input::Switch(s.allow_permanent_eligible),
        ),
        Field::new(
            SettingField::ExpireEligibleAfter.id(),
            SettingField::ExpireEligibleAfter.label(),
            expiry(s.expire_eligible_after),
        ),
        Field::new(
            SettingField::AllowPermanentActive.id(),
            SettingField::AllowPermanentActive.label(),
            Input::Switch(s.allow_permanent_active),
        ),
        Field::new(
            SettingField::ExpireActiveAfter.id(),
            SettingField::ExpireActiveAfter.label(),
            expiry(s.expire_active_after),
        ),
        Field::new(
            SettingField::RequireMfaOnActive.id(),
            SettingField::RequireMfaOnActive.label(),
            Input::Switch(s.require_mfa_on_active),
        ),
        Field::new(
            SettingField::RequireJustificationOnActive.id(),
            SettingField::RequireJustificationOnActive.label(),
            Input::Switch(s.require_justification_on_active),
        ),
    ])
}

const ROW_IDS: [[&str; 3]; 9] = [
    ["n0d", "n0a", "n0c"],
    ["n1d", "n1a", "n1c"],
    ["n2d", "n2a", "n2c"],
    ["n3d", "n3a", "n3c"],
    ["n4d", "n4a", "n4c"],
    ["n5d", "n5a", "n5c"],
    ["n6d", "n6a", "n6c"],
    ["n7d", "n7a", "n7c"],
    ["n8d", "n8a", "n8c"],
];

fn notification_form(s: &RoleSettings) -> Form {
    let mut fields = Vec::new();
    for (i, (row, n)) in s.notifications.iter().enumerate() {
        let [d, a, c] = ROW_IDS[i];
        fields.push(Field::new(
            d,
            row.default_recipient_label(),
            Input::Switch(n.default_recipients),
        ));
        fields.push(Field::new(
            a,
            "Additional recipients",
            Input::Text(TextField::new(4000).with_value(&n.additional_recipients.join("; "))),
        ));
        fields.push(Field::new(
            c,
            "Critical emails only",
            Input::Switch(n.critical_only),
        ));
    }
    Form::new(fields)
}

impl SettingsPopup {
    /// An editor on the stored settings.
    pub fn new(role: Role, settings: RoleSettings) -> Self {
        Self {
            forms: [
                activation_form(&settings),
                assignment_form(&settings),
                notification_form(&settings),
            ],
            role,
            original: settings,
            tab: 0,
            error: None,
        }
    }

    /// Keys of the editor.
    pub fn contexts(&self) -> Vec<Context> {
        vec![Context::Form]
    }

    /// The changes the form holds, as a patch (only differing fields) and new approvers.
    pub fn patch(&self) -> (SettingsPatch, Option<Vec<String>>) {
        let (a, b, n) = (&self.forms[0], &self.forms[1], &self.forms[2]);
        let o = &self.original;
        let differs = |new: bool, old: bool| (new != old).then_some(new);
        let expire = |i: usize, old: ExpireAfter| {
            let options = expiry_options(old);
            let new = options[i.min(options.len() - 1)];
            (new != old).then_some(new)
        };
        let mut notifications = Vec::new();
        for (i, (_, old)) in o.notifications.iter().enumerate() {
            let [d, add, c] = ROW_IDS[i];
            let additional = split_recipients(&n.text(add));
            let patch = NotificationPatch {
                row: NotifyRow::ALL[i],
                default_recipients: differs(n.switch(d), old.default_recipients),
                additional_recipients: (additional != old.additional_recipients)
                    .then_some(additional),
                critical_only: differs(n.switch(c), old.critical_only),
            };
            if patch.default_recipients.is_some()
                || patch.additional_recipients.is_some()
                || patch.critical_only.is_some()
            {
                notifications.push(patch);
            }
        }
        let patch = SettingsPatch {
            max_activation: (a.slider(SettingField::MaxActivation.id()) != o.max_activation)
                .then(|| a.slider(SettingField::MaxActivation.id())),
            require_mfa: differs(a.switch(SettingField::RequireMfa.id()), o.require_mfa),
            auth_context: {
                let typed = a.text(SettingField::AuthContext.id()).trim().to_lowercase();
                let typed = (!typed.is_empty()).then_some(typed);
                (typed != o.auth_context).then_some(typed)
            },
            require_justification: differs(
                a.switch(SettingField::RequireJustification.id()),
                o.require_justification,
            ),
            require_ticket: differs(a.switch(SettingField::RequireTicket.id()), o.require_ticket),
            require_approval: differs(
                a.switch(SettingField::RequireApproval.id()),
                o.require_approval,
            ),
            approvers: None,
            allow_permanent_eligible: differs(
                b.switch(SettingField::AllowPermanentEligible.id()),
                o.allow_permanent_eligible,
            ),
            expire_eligible_after: expire(
                b.choice(SettingField::ExpireEligibleAfter.id()),
                o.expire_eligible_after,
            ),
            allow_permanent_active: differs(
                b.switch(SettingField::AllowPermanentActive.id()),
                o.allow_permanent_active,
            ),
            expire_active_after: expire(
                b.choice(SettingField::ExpireActiveAfter.id()),
                o.expire_active_after,
            ),
            require_mfa_on_active: differs(
                b.switch(SettingField::RequireMfaOnActive.id()),
                o.require_mfa_on_active,
            ),
            require_justification_on_active: differs(
                b.switch(SettingField::RequireJustificationOnActive.id()),
                o.require_justification_on_active,
            ),
            require_mfa_on_eligible: None,
            require_justification_on_eligible: None,
            notifications,
        };
        let typed: Vec<String> = a
            .text(SettingField::Approvers.id())
            .split([',', ';', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase)
            .collect();
        let old: Vec<String> = o.approvers.iter().map(|p| p.upn.to_lowercase()).collect();
        (patch, (typed != old).then_some(typed))
    }

    /// Handles a key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> Outcome {
        let form = &mut self.forms[self.tab];
        let last = form.focus + 1 == form.fields.len();
        let first = form.focus == 0;
        let page_key = crate::tui::keymap::resolve(&[Context::Pages], key);
        let next_field = page_key == Some(crate::tui::keymap::Action::NextField);
        let prev_field = page_key == Some(crate::tui::keymap::Action::PrevField);
        if next_field && last {
            self.tab = (self.tab + 1) % 3;
            self.forms[self.tab].focus = 0;
            return Outcome::Consumed;
        }
        if prev_field && first {
            self.tab = (self.tab + 2) % 3;
            let n = self.forms[self.tab].fields.len();
            self.forms[self.tab].focus = n.saturating_sub(1);
            return Outcome::Consumed;
        }
        match form.handle_key(key) {
            FormEvent::Submit => {
                let (patch, approvers) = self.patch();
                if patch.is_empty() && approvers.is_none() {
                    return Outcome::CloseWith("No change: the settings are as they were.".into());
                }
                self.error = None;
                Outcome::Emit(Msg::Admin(AdminMsg::SaveSettings {
                    role: self.role.id.clone(),
                    patch,
                    approvers,
                }))
            }
            FormEvent::Cancel => Outcome::Close,
            FormEvent::NextTab => {
                self.tab = (self.tab + 1) % 3;
                Outcome::Consumed
            }
            FormEvent::PrevTab => {
                self.tab = (self.tab + 2) % 3;
                Outcome::Consumed
            }
            _ => Outcome::Consumed,
        }
    }

    /// Pasted text goes to the focused field.
    pub fn paste(&mut self, text: &str) {
        self.forms[self.tab].paste(text);
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    use super::*;

    fn role() -> Role {
        Role {
            id: "r".into(),
            display_name: "Security Reader".into(),
            slug: "security-reader".into(),
            description: String::new(),
            privileged: true,
            group: None,
        }
    }

    #[test]
    fn only_changed_fields_are_sent() {
        let mut p = SettingsPopup::new(role(), RoleSettings::default());
        assert!(p.patch().0.is_empty());
        p.tab = 1;
        p.forms[1].focus_on(SettingField::AllowPermanentActive.id());
        p.handle_key(&KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE));
        let (patch, approvers) = p.patch();
        assert_eq!(patch.allow_permanent_active, Some(false));
        assert_eq!(patch.require_mfa, None);
        assert!(patch.notifications.is_empty());
        assert_eq!(approvers, None);
    }

    #[test]
    fn tab_past_the_last_field_moves_to_the_next_tab() {
        let mut p = SettingsPopup::new(role(), RoleSettings::default());
        let fields = p.forms[0].fields.len();
        for _ in 0..fields {
            p.handle_key(&KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        }
        assert_eq!(p.tab, 1);
    }
}
