//! The Notification tab: 3 events × 3 recipient kinds = the 9 rows of Entra's matrix, each with
//! default recipients, additional recipients and "critical emails only".

use serde::Serialize;

use super::change::{Change, on_off};
use super::refusal::{Refusal, Rule, Violations};

/// Most additional addresses one row may carry.
pub const MAX_ADDITIONAL_RECIPIENTS: usize = 100;

/// The three events that send e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NotifyEvent {
    /// Members are assigned as eligible to this role.
    EligibleAssignment,
    /// Members are assigned as active to this role.
    ActiveAssignment,
    /// Eligible members activate this role.
    Activation,
}

/// The three kinds of recipient of each event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NotifyRecipient {
    /// Privileged Role and Global Administrators.
    Admin,
    /// The assignee (assignment events) or the requestor (activation).
    Requestor,
    /// The approvers.
    Approver,
}

/// One row of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NotifyRow {
    /// Which event.
    pub event: NotifyEvent,
    /// Which recipient kind.
    pub recipient: NotifyRecipient,
}

impl NotifyRow {
    /// All nine rows in the editor's order.
    pub const ALL: [NotifyRow; 9] = {
        use NotifyEvent::*;
        use NotifyRecipient::*;
        [
            NotifyRow::new(EligibleAssignment, Admin),
            NotifyRow::new(EligibleAssignment, Requestor),
            NotifyRow::new(EligibleAssignment, Approver),
            NotifyRow::new(ActiveAssignment, Admin),
            NotifyRow::new(ActiveAssignment, Requestor),
            NotifyRow::new(ActiveAssignment, Approver),
            NotifyRow::new(Activation, Admin),
            NotifyRow::new(Activation, Requestor),
            NotifyRow::new(Activation, Approver),
        ]
    };

    /// A row.
    pub const fn new(event: NotifyEvent, recipient: NotifyRecipient) -> Self {
        Self { event, recipient }
    }

    /// Position in [`NotifyRow::ALL`].
    pub fn index(self) -> usize {
        let e = match self.event {
            NotifyEvent::EligibleAssignment => 0,
            NotifyEvent::ActiveAssignment => 1,
            NotifyEvent::Activation => 2,
        };
        let r = match self.recipient {
            NotifyRecipient::Admin => 0,
            NotifyRecipient::Requestor => 1,
            NotifyRecipient::Approver => 2,
        };
        e * 3 + r
    }

    /// The Graph rule id, e.g. `Notification_Admin_Admin_Eligibility`.
    pub fn rule_id(self) -> &'static str {
        const IDS: [&str; 9] = [
            "Notification_Admin_Admin_Eligibility",
            "Notification_Requestor_Admin_Eligibility",
            "Notification_Approver_Admin_Eligibility",
            "Notification_Admin_Admin_Assignment",
            "Notification_Requestor_Admin_Assignment",
            "Notification_Approver_Admin_Assignment",
            "Notification_Admin_EndUser_Assignment",
            "Notification_Requestor_EndUser_Assignment",
            "Notification_Approver_EndUser_Assignment",
        ];
        IDS[self.index()]
    }

    /// The CLI's short name, e.g. `eligible-admin`, `activation-requestor`.
    pub fn slug(self) -> &'static str {
        const SLUGS: [&str; 9] = [
            "eligible-admin",
            "eligible-assignee",
            "eligible-approver",
            "active-admin",
            "active-assignee",
            "active-approver",
            "activation-admin",
            "activation-requestor",
            "activation-approver",
        ];
        SLUGS[self.index()]
    }

    /// The section heading of the Notification tab.
    pub fn event_label(self) -> &'static str {
        match self.event {
            NotifyEvent::EligibleAssignment => "Members assigned as eligible",
            NotifyEvent::ActiveAssignment => "Members assigned as active",
            NotifyEvent::Activation => "Eligible members activate",
        }
    }

    /// The row's "Type" column, as Entra words it.
    pub fn type_label(self) -> &'static str {
        match (self.event, self.recipient) {
            (NotifyEvent::Activation, NotifyRecipient::Admin) => "Role activation alert",
            (_, NotifyRecipient::Admin) => "Role assignment alert",
            (NotifyEvent::Activation, NotifyRecipient::Requestor) => {
                "Notification to activated user (requestor)"
            }
            (_, NotifyRecipient::Requestor) => "Notification to the assigned user (assignee)",
            (NotifyEvent::Activation, NotifyRecipient::Approver) => {
                "Request to approve an activation"
            }
            (_, NotifyRecipient::Approver) => {
                "Request to approve a role assignment renewal/extension"
            }
        }
    }

    /// The default recipient column's wording.
    pub fn default_recipient_label(self) -> &'static str {
        match (self.event, self.recipient) {
            (_, NotifyRecipient::Admin) => "Admin",
            (NotifyEvent::Activation, NotifyRecipient::Requestor) => "Requestor",
            (_, NotifyRecipient::Requestor) => "Assignee",
            (_, NotifyRecipient::Approver) => "Approver",
        }
    }

    /// Finds a row by slug or Graph rule id (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|r| {
            r.slug().eq_ignore_ascii_case(s)
                || r.rule_id().eq_ignore_ascii_case(s)
                || (r.recipient == NotifyRecipient::Requestor
                    && r.event != NotifyEvent::Activation
                    && s.eq_ignore_ascii_case(&r.slug().replace("assignee", "requestor")))
        })
    }
}

/// The settings of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationSetting {
    /// Send to the row's default recipients.
    pub default_recipients: bool,
    /// Extra addresses that also receive the row's e-mail.
    pub additional_recipients: Vec<String>,
    /// Send only e-mails that need immediate action.
    pub critical_only: bool,
}

impl Default for NotificationSetting {
    /// Entra's default for every row: default recipients on, nobody extra, all e-mails.
    fn default() -> Self {
        Self {
            default_recipients: true,
            additional_recipients: Vec::new(),
            critical_only: false,
        }
    }
}

/// A change to one row; `None` leaves a column as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationPatch {
    /// The row.
    pub row: NotifyRow,
    /// New default-recipients switch.
    pub default_recipients: Option<bool>,
    /// New additional recipients (replaces the list; empty clears it).
    pub additional_recipients: Option<Vec<String>>,
    /// New critical-only switch.
    pub critical_only: Option<bool>,
}

/// All nine rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct NotificationMatrix {
    rows: [NotificationSetting; 9],
}

impl NotificationMatrix {
    /// The setting of one row.
    pub fn get(&self, row: NotifyRow) -> &NotificationSetting {
        &self.rows[row.index()]
    }

    /// Replaces one row (used when loading from the store).
    pub fn set(&mut self, row: NotifyRow, setting: NotificationSetting) {
        self.rows[row.index()] = setting;
    }

    /// Rows with their settings, in the editor's order.
    pub fn iter(&self) -> impl Iterator<Item = (NotifyRow, &NotificationSetting)> {
        NotifyRow::ALL.into_iter().map(|r| (r, self.get(r)))
    }

    /// Applies row patches, refusing (and changing nothing) if any address is invalid.
    pub fn apply(&mut self, patches: &[NotificationPatch]) -> Result<(), Refusal> {
        let mut violations = Violations::default();
        for p in patches {
            let addresses = p.additional_recipients.as_deref().unwrap_or_default();
            if addresses.len() > MAX_ADDITIONAL_RECIPIENTS {
                violations.push(
                    Rule::NotificationRule,
                    format!(
                        "{} takes at most {MAX_ADDITIONAL_RECIPIENTS} additional recipients",
                        p.row.slug()
                    ),
                );
                continue;
            }
            for addr in addresses.iter().filter(|a| !is_email_address(a)) {
                violations.push(
                    Rule::NotificationRule,
                    format!(
                        "'{}' in {} is not an e-mail address; give addresses like ops@contoso.com separated by ';'",
                        super::text::clip(&super::text::sanitize(addr), 80),
                        p.row.slug()
                    ),
                );
            }
        }
        violations.finish()?;
        for p in patches {
            let row = &mut self.rows[p.row.index()];
            if let Some(v) = p.default_recipients {
                row.default_recipients = v;
            }
            if let Some(v) = &p.additional_recipients {
                row.additional_recipients = v.clone();
            }
            if let Some(v) = p.critical_only {
                row.critical_only = v;
            }
        }
        Ok(())
    }

    /// Changed columns between two matrices.
    pub fn diff(&self, after: &NotificationMatrix) -> Vec<Change> {
        let mut changes = Vec::new();
        for row in NotifyRow::ALL {
            let (b, a) = (self.get(row), after.get(row));
            let name = |col: &str| format!("{} / {} / {col}", row.event_label(), row.type_label());
            if b.default_recipients != a.default_recipients {
                changes.push(Change {
                    field: name("Default recipients"),
                    before: on_off(b.default_recipients).into(),
                    after: on_off(a.default_recipients).into(),
                });
            }
            if b.additional_recipients != a.additional_recipients {
                changes.push(Change {
                    field: name("Additional recipients"),
                    before: b.additional_recipients.join("; "),
                    after: a.additional_recipients.join("; "),
                });
            }
            if b.critical_only != a.critical_only {
                changes.push(Change {
                    field: name("Critical emails only"),
                    before: on_off(b.critical_only).into(),
                    after: on_off(a.critical_only).into(),
                });
            }
        }
        changes
    }
}

/// Splits a `;`-separated address list (also accepts `,`), dropping empty entries and
/// duplicates. Validation happens in [`NotificationMatrix::apply`].
pub fn split_recipients(list: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in list.split([';', ',']) {
        let addr = part.trim();
        if !addr.is_empty() && !out.iter().any(|a| a.eq_ignore_ascii_case(addr)) {
            out.push(addr.to_owned());
        }
    }
    out
}

/// A deliberately plain address check: `local@domain.tld`, printable ASCII, no spaces.
pub fn is_email_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    let domain_ok = domain.len() <= 253
        && domain.contains('.')
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_rows_with_graph_ids_and_slugs() {
        let ids: Vec<_> = NotifyRow::ALL.iter().map(|r| r.rule_id()).collect();
        assert_eq!(ids.len(), 9);
        for (i, row) in NotifyRow::ALL.into_iter().enumerate() {
            assert_eq!(row.index(), i);
            assert_eq!(NotifyRow::parse(row.slug()), Some(row));
            assert_eq!(NotifyRow::parse(&row.rule_id().to_lowercase()), Some(row));
        }
        assert_eq!(
            NotifyRow::parse("activation-admin").unwrap().type_label(),
            "Role activation alert"
        );
        assert_eq!(
            NotifyRow::parse("eligible-requestor").unwrap().slug(),
            "eligible-assignee"
        );
        assert_eq!(NotifyRow::parse("nope"), None);
    }

    #[test]
    fn recipients_are_split_and_validated() {
        assert_eq!(
            split_recipients("ops@contoso.com; soc@contoso.com;;OPS@contoso.com"),
            vec!["ops@contoso.com", "soc@contoso.com"]
        );
        assert!(is_email_address("first.last+pim@sub.contoso.com"));
        for bad in [
            "",
            "x",
            "a@b",
            "a b@c.com",
            "@c.com",
            "a@.com",
            "a@c..com",
            "a@c.com\u{1b}",
        ] {
            assert!(!is_email_address(bad), "{bad:?}");
        }
    }

    #[test]
    fn an_invalid_address_changes_no_row() {
        let mut m = NotificationMatrix::default();
        let row = NotifyRow::parse("activation-admin").unwrap();
        let err = m
            .apply(&[
                NotificationPatch {
                    row,
                    default_recipients: Some(false),
                    additional_recipients: None,
                    critical_only: None,
                },
                NotificationPatch {
                    row,
                    default_recipients: None,
                    additional_recipients: Some(vec!["not-an-address".into()]),
                    critical_only: None,
                },
            ])
            .unwrap_err();
        assert_eq!(err.rule(), Rule::NotificationRule);
        assert_eq!(m, NotificationMatrix::default());
    }
}
