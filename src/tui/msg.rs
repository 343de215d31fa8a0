//! Intents: what a key (through a screen or popup) asks the app to do. Only `App::update` acts
//! on them, and it does so by calling the service.

use crate::clock::Time;
use crate::policy::alerts::AlertId;
use crate::policy::model::AssignmentKind;
use crate::policy::settings::SettingsPatch;
use crate::service::{
    ActivateInput, AlertConfigPatch, Ask, AssignInput, AuditQuery, Decision, RemoveInput,
    UpdateInput, Window,
};

/// Which main tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The user side.
    MyRoles,
    /// The admin side: catalogue, settings, assignments.
    Roles,
    /// My audit / resource audit.
    Audit,
    /// E-mail.
    Inbox,
    /// Requests to decide, and the account's own requests.
    Approvals,
    /// Security alerts.
    Alerts,
    /// Access reviews.
    Reviews,
    /// Groups (PIM for Groups), admin side.
    Groups,
}

impl Tab {
    /// In order.
    pub const ALL: [Tab; 8] = [
        Tab::MyRoles,
        Tab::Roles,
        Tab::Audit,
        Tab::Inbox,
        Tab::Approvals,
        Tab::Alerts,
        Tab::Reviews,
        Tab::Groups,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::MyRoles => "My roles",
            Tab::Roles => "Roles",
            Tab::Audit => "Audit",
            Tab::Inbox => "Inbox",
            Tab::Approvals => "Approvals",
            Tab::Alerts => "Alerts",
            Tab::Reviews => "Reviews",
            Tab::Groups => "Groups",
        }
    }

    /// Position, 0-based.
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// The sub-lists of My roles and of a role's assignments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sub {
    /// Eligible assignments.
    Eligible,
    /// Active assignments.
    Active,
    /// Expired assignments.
    Expired,
    /// Group memberships and ownerships (My roles only).
    Groups,
}

impl Sub {
    /// A role's lists, in order.
    pub const ALL: [Sub; 3] = [Sub::Eligible, Sub::Active, Sub::Expired];

    /// My roles' lists, in order.
    pub const MINE: [Sub; 4] = [Sub::Eligible, Sub::Active, Sub::Groups, Sub::Expired];

    /// Title.
    pub fn title(self) -> &'static str {
        match self {
            Sub::Eligible => "Eligible",
            Sub::Active => "Active",
            Sub::Expired => "Expired",
            Sub::Groups => "Groups",
        }
    }

    /// Where its selection is kept (a role's three lists first, then Groups).
    pub fn index(self) -> usize {
        match self {
            Sub::Eligible => 0,
            Sub::Active => 1,
            Sub::Expired => 2,
            Sub::Groups => 3,
        }
    }

    /// The neighbour in a direction among `order`, stopping at the ends.
    pub fn step_in(self, order: &[Sub], delta: i32) -> Sub {
        let at = order.iter().position(|s| *s == self).unwrap_or(0) as i32;
        let last = order.len().saturating_sub(1) as i32;
        order[(at + delta).clamp(0, last) as usize]
    }

    /// The neighbour among a role's lists.
    pub fn step(self, delta: i32) -> Sub {
        self.step_in(&Sub::ALL, delta)
    }
}

/// An intent.
#[derive(Debug, Clone)]
pub enum Msg {
    /// Leave.
    Quit,
    /// First run: create the training lab.
    CreateLab,
    /// Choose a scenario to build the lab from.
    OpenScenarios,
    /// Build the lab by playing a scenario (by name), stopping before a step (by index).
    PlayScenario(String, Option<usize>),
    /// First run: open the tenant form.
    OpenTenantForm,
    /// First run: create a tenant.
    CreateTenant {
        /// Domain.
        domain: String,
        /// Display name.
        name: String,
        /// First Global Administrator.
        admin_upn: String,
        /// Their name.
        admin_name: String,
        /// Their password.
        password: String,
    },
    /// Sign-in: check the password.
    SubmitPassword,
    /// Sign-in: check the code and start the session.
    SubmitCode,
    /// End the session.
    SignOut,
    /// Show a tab.
    SwitchTab(Tab),
    /// Reload what is on screen.
    Refresh,
    /// Open the key help.
    ShowHelp,
    /// Open the lab's authenticator.
    ShowAuthenticator,
    /// The accounts and their lockouts (administrators).
    ShowAccounts,
    /// Unlock an account (by UPN).
    Unlock(String),
    /// Show a lab account's QR code in the authenticator panel.
    ShowLabQr(String),
    /// Open the activation pane for an eligible role.
    OpenActivate(Vec<String>),
    /// Stage 1: check the request against the role's rules.
    ActivateValidate(Vec<ActivateInput>),
    /// Stage 2: activate (with the code when MFA is required).
    ActivateCommit(Vec<ActivateInput>),
    /// Stage 3: reload and confirm the role shows as active.
    ActivateRefresh(Vec<String>),
    /// Ask before deactivating: the role (name or id) and the name to show.
    ConfirmDeactivate(String, String),
    /// Deactivate a role.
    Deactivate(String),
    /// Open one audit entry.
    OpenAuditEntry(usize),
    /// Open the audit filter form.
    OpenAuditFilter,
    /// Apply audit filters.
    ApplyAuditFilter(AuditQuery),
    /// Load older audit entries.
    MoreAudit,
    /// Open an e-mail (and mark it read).
    OpenEmail(String),
    /// The admin side: roles, their settings and assignments.
    Admin(AdminMsg),
    /// Requests, decisions, extensions, alerts and reviews.
    Lifecycle(LifecycleMsg),
}

/// Intents of the admin side (handled in `tui/admin.rs`).
#[derive(Debug, Clone)]
pub enum AdminMsg {
    /// Open a role's detail (by id).
    OpenRole(String),
    /// Open a group's member or owner entry as a role page (group id), from the Groups tab.
    OpenGroup(String, crate::policy::model::Access),
    /// Open the settings editor of the open role.
    OpenEditSettings,
    /// Save settings.
    SaveSettings {
        /// Role id.
        role: String,
        /// The changed fields.
        patch: SettingsPatch,
        /// New approvers, when changed.
        approvers: Option<Vec<String>>,
    },
    /// Open the add-assignment form of the open role.
    OpenAddAssignment,
    /// Search users for the member picker.
    SearchUsers(String),
    /// Assign to each member.
    Assign(Vec<AssignInput>),
    /// Open the update form of the selected assignment.
    OpenUpdate,
    /// Update an assignment.
    UpdateAssignment(UpdateInput),
    /// Ask before removing the selected assignment.
    ConfirmRemove,
    /// Remove an assignment.
    RemoveAssignment(RemoveInput),
    /// The next page of the open role's expired assignments.
    MoreExpired,
}

impl From<AdminMsg> for Msg {
    fn from(m: AdminMsg) -> Self {
        Msg::Admin(m)
    }
}

/// Intents of requests, decisions, extensions, alerts and reviews (handled in
/// `tui/lifecycle.rs`).
#[derive(Debug, Clone)]
pub enum LifecycleMsg {
    /// Show one request in full (index in the Approvals list).
    OpenRequest(usize),
    /// Open the approve (true) or deny form of a request.
    OpenDecide {
        /// Request id.
        id: String,
        /// Approve or deny.
        approve: bool,
    },
    /// Approve or deny a request.
    Decide {
        /// Request id.
        id: String,
        /// The decision.
        decision: Decision,
    },
    /// Ask before cancelling a request.
    ConfirmCancelRequest(String),
    /// Cancel a request.
    CancelRequest(String),
    /// Open the form to ask for an extension or renewal of the selected assignment (My roles).
    OpenAskLifecycle(Ask),
    /// Ask for an extension or renewal.
    AskLifecycle {
        /// Role id.
        role: String,
        /// Which assignment type.
        kind: AssignmentKind,
        /// Extend or renew.
        ask: Ask,
        /// Why.
        reason: String,
    },
    /// Open the form to extend or renew the selected assignment directly (admin side).
    OpenAdminLifecycle(Ask),
    /// Extend or renew an assignment directly.
    AdminLifecycle {
        /// Extend or renew.
        ask: Ask,
        /// Role id.
        role: String,
        /// The user.
        upn: String,
        /// Which assignment type.
        kind: AssignmentKind,
        /// Renewals: a later start.
        start: Option<Time>,
        /// The new end (default when none).
        window: Option<Window>,
        /// Why.
        reason: String,
    },
    /// Show one alert in full (index in the Alerts list).
    OpenAlert(usize),
    /// Ask before dismissing an alert.
    ConfirmDismissAlert(AlertId),
    /// Dismiss an alert.
    DismissAlert(AlertId),
    /// Show one access review in full (index in the Reviews list).
    OpenReview(usize),
    /// Ask for the reason of a review decision.
    OpenReviewDecision {
        /// The review.
        id: String,
        /// Whose access.
        upn: String,
        /// Approve or deny.
        approve: bool,
    },
    /// Record a review decision.
    DecideReview {
        /// The review.
        id: String,
        /// Whose access.
        upn: String,
        /// Approve or deny.
        approve: bool,
        /// Why.
        reason: String,
    },
    /// Show what an alert's fix would change, and ask before applying it.
    PreviewAlertFix(AlertId),
    /// Apply an alert's fix.
    FixAlert(AlertId),
    /// Open an alert's settings.
    OpenAlertSettings(AlertId),
    /// Save an alert's settings.
    SaveAlertSettings(AlertId, AlertConfigPatch),
}

impl From<LifecycleMsg> for Msg {
    fn from(m: LifecycleMsg) -> Self {
        Msg::Lifecycle(m)
    }
}
