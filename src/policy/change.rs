//! A setting's change in display form, shared by role settings and their notification rows
//! (so neither module needs the other's).

use serde::Serialize;

/// One field that changed, with both values in display form (audited as before/after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The field's label.
    pub field: String,
    /// The value before.
    pub before: String,
    /// The value after.
    pub after: String,
}

/// "on" / "off", how switches are shown.
pub fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}
