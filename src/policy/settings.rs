//! Role settings (Entra's "PIM policy"): the fields of the Activation, Assignment and
//! Notification tabs, Entra's defaults, and how a change is validated and described.

use chrono::TimeDelta;
use serde::Serialize;

use super::duration::format_duration;
use super::model::Principal;
use super::notification::{NotificationMatrix, NotificationPatch};
use super::refusal::{Refusal, Rule, Violations};

/// Shortest activation maximum Entra allows.
pub const MIN_MAX_ACTIVATION: TimeDelta = TimeDelta::minutes(30);
/// Longest activation maximum Entra allows.
pub const MAX_MAX_ACTIVATION: TimeDelta = TimeDelta::hours(24);
/// The portal's slider moves the activation maximum in steps of this size (Graph takes any
/// whole number of minutes in range, as Microsoft's own `PT1H45M` example does).
pub const MAX_ACTIVATION_STEP: TimeDelta = TimeDelta::minutes(30);

/// "Expire … assignments after" of the Assignment tab: a number of days. The portal offers
/// five choices ([`ExpireAfter::CHOICES`]); Graph takes any whole number of days within
/// Entra's limit of a year (tenant-management tools keep values such as `P270D`), and pim keeps
/// and shows such a value as it is rather than snap it to a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ExpireAfter(u16);

impl ExpireAfter {
    /// 15 days (P15D).
    pub const DAYS_15: ExpireAfter = ExpireAfter(15);
    /// 1 month (P30D).
    pub const MONTH_1: ExpireAfter = ExpireAfter(30);
    /// 3 months (P90D).
    pub const MONTHS_3: ExpireAfter = ExpireAfter(90);
    /// 6 months (P180D).
    pub const MONTHS_6: ExpireAfter = ExpireAfter(180);
    /// 1 year (P365D).
    pub const YEAR_1: ExpireAfter = ExpireAfter(365);
    /// The portal's choices, shortest first.
    pub const CHOICES: [ExpireAfter; 5] = [
        ExpireAfter::DAYS_15,
        ExpireAfter::MONTH_1,
        ExpireAfter::MONTHS_3,
        ExpireAfter::MONTHS_6,
        ExpireAfter::YEAR_1,
    ];
    /// The longest limit Entra takes.
    pub const MAX_DAYS: i64 = 365;

    /// Length in days, as Graph stores it.
    pub fn days(self) -> i64 {
        i64::from(self.0)
    }

    /// The limit as a duration.
    pub fn duration(self) -> TimeDelta {
        TimeDelta::days(self.days())
    }

    /// The dropdown's wording for its choices, `270 days` for any other value.
    pub fn label(self) -> String {
        match self.0 {
            15 => "15 days".into(),
            30 => "1 month".into(),
            90 => "3 months".into(),
            180 => "6 months".into(),
            365 => "1 year".into(),
            1 => "1 day".into(),
            n => format!("{n} days"),
        }
    }

    /// A limit of this many days, within Entra's 1 to 365.
    pub fn from_days(days: i64) -> Option<Self> {
        u16::try_from(days)
            .ok()
            .filter(|d| (1..=365).contains(d))
            .map(ExpireAfter)
    }

    /// Accepts a whole number of days up to a year as a duration (`15d`, `P90D`, `270d`) or
    /// the dropdown's words (`1 month`, `6months`, `1year`).
    pub fn parse(input: &str) -> Result<Self, Refusal> {
        let words: String = input.to_ascii_lowercase().split_whitespace().collect();
        let by_words = match words.as_str() {
            "15days" => Some(ExpireAfter::DAYS_15),
            "1month" | "1mo" => Some(ExpireAfter::MONTH_1),
            "3months" | "3mo" => Some(ExpireAfter::MONTHS_3),
            "6months" | "6mo" => Some(ExpireAfter::MONTHS_6),
            "1year" | "1y" | "12months" => Some(ExpireAfter::YEAR_1),
            _ => None,
        };
        let by_duration = || {
            super::duration::parse_duration(input)
                .ok()
                .filter(|d| d.num_seconds() % 86_400 == 0)
                .and_then(|d| Self::from_days(d.num_days()))
        };
        by_words.or_else(by_duration).ok_or_else(|| {
            Refusal::new(
                Rule::ExpirationRule,
                format!(
                    "'{}' is not an expiry Entra takes; give whole days up to a year: 15d, 30d (1 month), 90d (3 months), 180d (6 months), 365d (1 year), or any number of days such as 270d",
                    super::text::clip(&super::text::sanitize(input), 40)
                ),
            )
        })
    }
}

/// Every setting of one role. Field names follow the Entra admin center's labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleSettings {
    /// Activation maximum duration (30 min to 24 h, 30-minute steps).
    pub max_activation: TimeDelta,
    /// On activation, require Azure MFA.
    pub require_mfa: bool,
    /// On activation, require a Microsoft Entra Conditional Access authentication context
    /// (its claim value, `c1` to `c99`) instead of MFA (Graph's
    /// `AuthenticationContext_EndUser_Assignment`). Offline it is a stronger step-up: the
    /// password and a fresh code, both entered again at activation.
    pub auth_context: Option<String>,
    /// Require justification on activation.
    pub require_justification: bool,
    /// Require ticket information on activation.
    pub require_ticket: bool,
    /// Require approval to activate.
    pub require_approval: bool,
    /// Selected approvers; empty means Privileged Role / Global Administrators approve.
    pub approvers: Vec<Principal>,
    /// Allow permanent eligible assignment.
    pub allow_permanent_eligible: bool,
    /// Expire eligible assignments after.
    pub expire_eligible_after: ExpireAfter,
    /// Allow permanent active assignment.
    pub allow_permanent_active: bool,
    /// Expire active assignments after.
    pub expire_active_after: ExpireAfter,
    /// Require Azure MFA on active assignment (of the admin making it).
    pub require_mfa_on_active: bool,
    /// Require justification on active assignment.
    pub require_justification_on_active: bool,
    /// Require Azure MFA on eligible assignment (Graph only: `Enablement_Admin_Eligibility`;
    /// the admin center does not show it).
    pub require_mfa_on_eligible: bool,
    /// Require justification on eligible assignment (Graph only, as above).
    pub require_justification_on_eligible: bool,
    /// The Notification tab.
    pub notifications: NotificationMatrix,
}

impl RoleSettings {
    /// What an activation must bring, in words: `MFA` (or `password+MFA` for an
    /// authentication context), `reason`, `ticket`, `approval`.
    pub fn activation_needs(&self) -> Vec<&'static str> {
        [
            (self.require_mfa, "MFA"),
            (self.auth_context.is_some(), "password+MFA"),
            (self.require_justification, "reason"),
            (self.require_ticket, "ticket"),
            (self.require_approval, "approval"),
        ]
        .into_iter()
        .filter_map(|(on, word)| on.then_some(word))
        .collect()
    }
}

impl Default for RoleSettings {
    /// Entra's defaults for a fresh policy (`list-rules` example response).
    fn default() -> Self {
        Self {
            max_activation: TimeDelta::hours(8),
            require_mfa: true,
            auth_context: None,
            require_justification: true,
            require_ticket: false,
            require_approval: false,
            approvers: Vec::new(),
            allow_permanent_eligible: true,
            expire_eligible_after: ExpireAfter::YEAR_1,
            allow_permanent_active: true,
            expire_active_after: ExpireAfter::MONTHS_6,
            require_mfa_on_active: false,
            require_justification_on_active: true,
            require_mfa_on_eligible: false,
            require_justification_on_eligible: false,
            notifications: NotificationMatrix::default(),
        }
    }
}

/// A requested change: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsPatch {
    /// New activation maximum.
    pub max_activation: Option<TimeDelta>,
    /// New MFA-on-activation switch.
    pub require_mfa: Option<bool>,
    /// New authentication context requirement (`Some(None)` turns it off).
    pub auth_context: Option<Option<String>>,
    /// New justification switch.
    pub require_justification: Option<bool>,
    /// New ticket switch.
    pub require_ticket: Option<bool>,
    /// New approval switch.
    pub require_approval: Option<bool>,
    /// New approver list (replaces the old one).
    pub approvers: Option<Vec<Principal>>,
    /// New permanent-eligible switch.
    pub allow_permanent_eligible: Option<bool>,
    /// New eligible expiry limit.
    pub expire_eligible_after: Option<ExpireAfter>,
    /// New permanent-active switch.
    pub allow_permanent_active: Option<bool>,
    /// New active expiry limit.
    pub expire_active_after: Option<ExpireAfter>,
    /// New MFA-on-active-assignment switch.
    pub require_mfa_on_active: Option<bool>,
    /// New justification-on-active-assignment switch.
    pub require_justification_on_active: Option<bool>,
    /// New MFA-on-eligible-assignment switch (Graph only).
    pub require_mfa_on_eligible: Option<bool>,
    /// New justification-on-eligible-assignment switch (Graph only).
    pub require_justification_on_eligible: Option<bool>,
    /// Changes to notification rows.
    pub notifications: Vec<NotificationPatch>,
}

impl SettingsPatch {
    /// True when the patch asks for nothing.
    pub fn is_empty(&self) -> bool {
        *self == SettingsPatch::default()
    }
}

pub use super::change::{Change, on_off};

/// The approvers as every face shows them.
pub fn approvers_text(approvers: &[Principal]) -> String {
    if approvers.is_empty() {
        "default (Privileged Role and Global Administrators)".into()
    } else {
        approvers
            .iter()
            .map(|p| p.upn.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Checks an activation maximum against Entra's range: whole minutes from 30 minutes to 24
/// hours.
pub fn check_max_activation(d: TimeDelta) -> Result<(), Refusal> {
    let in_range = (MIN_MAX_ACTIVATION..=MAX_MAX_ACTIVATION).contains(&d);
    let whole_minutes = d.num_seconds() % 60 == 0;
    if in_range && whole_minutes {
        Ok(())
    } else {
        Err(Refusal::new(
            Rule::ExpirationRule,
            format!(
                "an activation maximum of {} ({}) is not allowed; choose whole minutes between 30m and 24h (e.g. 1h, 1h45m, 8h)",
                format_duration(d),
                super::duration::format_iso(d)
            ),
        ))
    }
}

/// Applies a patch: the new settings and the list of fields that really changed, or a refusal
/// naming every invalid value.
pub fn apply_patch(
    current: &RoleSettings,
    patch: &SettingsPatch,
) -> Result<(RoleSettings, Vec<Change>), Refusal> {
    let mut violations = Violations::default();
    if let Some(d) = patch.max_activation
        && let Err(r) = check_max_activation(d)
    {
        violations.extend(r);
    }
    if let Some(Some(claim)) = &patch.auth_context
        && let Err(why) = parse_auth_context(claim)
    {
        violations.extend(Refusal::new(Rule::AuthenticationContextRule, why));
    }
    let mut next = current.clone();
    if let Err(r) = next.notifications.apply(&patch.notifications) {
        violations.extend(r);
    }
    violations.finish()?;
    macro_rules! set {
        ($field:ident) => {
            if let Some(v) = &patch.$field {
                next.$field = v.clone();
            }
        };
    }
    set!(max_activation);
    set!(require_mfa);
    set!(require_justification);
    set!(require_ticket);
    set!(require_approval);
    set!(approvers);
    set!(allow_permanent_eligible);
    set!(expire_eligible_after);
    set!(allow_permanent_active);
    set!(expire_active_after);
    set!(require_mfa_on_active);
    set!(require_justification_on_active);
    set!(require_mfa_on_eligible);
    set!(require_justification_on_eligible);
    set!(auth_context);
    next.auth_context = next
        .auth_context
        .map(|c| parse_auth_context(&c).unwrap_or(c));
    if next.require_mfa
        && let Some(claim) = &next.auth_context
    {
        return Err(mfa_and_acrs(claim));
    }
    let changes = diff(current, &next);
    Ok((next, changes))
}

/// The refusal of MFA and an authentication context required together.
pub fn mfa_and_acrs(claim: &str) -> Refusal {
    Refusal::new(
        Rule::MfaAndAcrsConflict,
        format!(
            "MFA and authentication context {claim} cannot both be required on activation; turn MFA off to require the context (--require-mfa off), or leave the context off"
        ),
    )
}

/// Checks an authentication context's claim value as Entra numbers them: `c1` to `c99`.
pub fn parse_auth_context(s: &str) -> Result<String, String> {
    let claim = s.trim().to_ascii_lowercase();
    let number = claim.strip_prefix('c').and_then(|n| {
        (!n.starts_with('0') && n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit()))
            .then(|| n.parse::<u8>().ok())
            .flatten()
    });
    match number {
        Some(1..=99) => Ok(claim),
        _ => Err(format!(
            "'{}' is not an authentication context; Entra names them c1 to c99",
            super::text::clip(&super::text::sanitize(s), 20)
        )),
    }
}

/// How an authentication context requirement is shown: `off` or its claim value.
pub fn auth_context_text(claim: Option<&str>) -> String {
    claim.map_or_else(|| "off".to_owned(), str::to_owned)
}

#[path = "setting_field.rs"]
mod field;
pub use field::{Section, SettingField, diff};

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
