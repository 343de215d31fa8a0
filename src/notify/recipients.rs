//! Who receives a message, from one row of a role's notification matrix.

use crate::policy::model::Principal;
use crate::policy::notification::NotificationSetting;

/// At most this many recipients per event (Entra sends to the first 1000).
pub const MAX_RECIPIENTS: usize = 1000;

/// One recipient: an address, and the account it belongs to if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The account, when the address is a user's UPN.
    pub user_id: Option<String>,
    /// The address.
    pub address: String,
}

/// The recipients of one row: the default recipients when switched on, then the additional
/// addresses (linked to accounts when they are UPNs), without duplicates, at most
/// [`MAX_RECIPIENTS`]. A row set to "critical emails only" receives only critical messages.
pub fn for_row(
    setting: &NotificationSetting,
    critical: bool,
    defaults: &[Principal],
    account_of: impl Fn(&str) -> Option<Principal>,
) -> Vec<Recipient> {
    if setting.critical_only && !critical {
        return Vec::new();
    }
    let mut out: Vec<Recipient> = Vec::new();
    let mut add = |r: Recipient| {
        if out.len() < MAX_RECIPIENTS
            && !out
                .iter()
                .any(|o| o.address.eq_ignore_ascii_case(&r.address))
        {
            out.push(r);
        }
    };
    if setting.default_recipients {
        for p in defaults {
            add(Recipient {
                user_id: Some(p.id.clone()),
                address: p.upn.clone(),
            });
        }
    }
    for addr in &setting.additional_recipients {
        add(Recipient {
            user_id: account_of(addr).map(|p| p.id),
            address: addr.clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(n: u32) -> Principal {
        Principal {
            id: format!("id{n}"),
            upn: format!("user{n}@pimlab.onmicrosoft.com"),
            display_name: format!("User {n}"),
        }
    }

    fn setting(
        default_recipients: bool,
        additional: &[&str],
        critical_only: bool,
    ) -> NotificationSetting {
        NotificationSetting {
            default_recipients,
            additional_recipients: additional.iter().map(|s| s.to_string()).collect(),
            critical_only,
        }
    }

    #[test]
    fn defaults_then_additional_without_duplicates() {
        let r = for_row(
            &setting(
                true,
                &["ops@contoso.com", "USER1@pimlab.onmicrosoft.com"],
                false,
            ),
            false,
            &[p(1), p(2)],
            |_| None,
        );
        let addrs: Vec<_> = r.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(
            addrs,
            [
                "user1@pimlab.onmicrosoft.com",
                "user2@pimlab.onmicrosoft.com",
                "ops@contoso.com"
            ]
        );
    }

    #[test]
    fn default_recipients_off_leaves_only_additional_linked_to_accounts() {
        let r = for_row(
            &setting(false, &["user9@pimlab.onmicrosoft.com"], false),
            false,
            &[p(1)],
            |a| (a == "user9@pimlab.onmicrosoft.com").then(|| p(9)),
        );
        assert_eq!(
            r,
            vec![Recipient {
                user_id: Some("id9".into()),
                address: "user9@pimlab.onmicrosoft.com".into()
            }]
        );
    }

    #[test]
    fn critical_only_drops_notices_but_keeps_critical_messages() {
        let s = setting(true, &[], true);
        assert!(for_row(&s, false, &[p(1)], |_| None).is_empty());
        assert_eq!(for_row(&s, true, &[p(1)], |_| None).len(), 1);
    }

    #[test]
    fn at_most_a_thousand_recipients() {
        let many: Vec<Principal> = (0..1500).map(p).collect();
        assert_eq!(
            for_row(&setting(true, &[], false), false, &many, |_| None).len(),
            MAX_RECIPIENTS
        );
    }
}
