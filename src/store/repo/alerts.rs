//! What the security alerts are computed from, their settings and dismissals.

use super::Sqlite;
use crate::clock::Time;
use crate::policy::alerts::{AlertConfig, AlertFacts, AlertId};
use crate::store::StoreResult;
use crate::store::alerts::{self, Listing};

/// What the security alerts are computed from, their settings and dismissals.
pub trait Alerts {
    /// Gathers every fact the alerts need at `now`. The alerts whose items can be many (unused
    /// roles, stale accounts, permanent active assignments) are counted on their own indexes and
    /// listed as `listing` asks; nothing here reads every assignment.
    fn alert_facts(&self, now: Time, listing: Listing) -> StoreResult<AlertFacts>;
    /// An alert's stored settings (defaults when never changed).
    fn alert_config(&self, id: AlertId) -> StoreResult<AlertConfig>;
    /// Stores an alert's settings.
    fn set_alert_config(&self, id: AlertId, cfg: &AlertConfig) -> StoreResult<()>;
    /// The fingerprint of the affected items when the alert was dismissed.
    fn alert_dismissal(&self, id: AlertId) -> StoreResult<Option<String>>;
    /// Dismisses an alert for as long as its affected items stay the same.
    fn dismiss_alert(&self, id: AlertId, fingerprint: &str, at: Time, by: &str) -> StoreResult<()>;
}

impl<T: Sqlite + ?Sized> Alerts for T {
    fn alert_facts(&self, now: Time, listing: Listing) -> StoreResult<AlertFacts> {
        alerts::facts(self.sqlite(), now, listing)
    }
    fn alert_config(&self, id: AlertId) -> StoreResult<AlertConfig> {
        alerts::config(self.sqlite(), id)
    }
    fn set_alert_config(&self, id: AlertId, cfg: &AlertConfig) -> StoreResult<()> {
        alerts::set_config(self.sqlite(), id, cfg)
    }
    fn alert_dismissal(&self, id: AlertId) -> StoreResult<Option<String>> {
        alerts::dismissal(self.sqlite(), id)
    }
    fn dismiss_alert(&self, id: AlertId, fingerprint: &str, at: Time, by: &str) -> StoreResult<()> {
        alerts::dismiss(self.sqlite(), id, fingerprint, at, by)
    }
}
