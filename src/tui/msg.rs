//! Intents: what a key (through a screen or popup) asks the app to do. Only `App::update` acts
//! on them, and it does so by calling the service.

use crate::policy::settings::SettingsPatch;
use crate::service::{ActivateInput, AssignInput, AuditQuery, RemoveInput, UpdateInput};

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
}

impl Tab {
    /// In order.
    pub const ALL: [Tab; 4] = [Tab::MyRoles, Tab::Roles, Tab::Audit, Tab::Inbox];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::MyRoles => "My roles",
            Tab::Roles => "Roles",
            Tab::Audit => "Audit",
            Tab::Inbox => "Inbox",
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
}

impl Sub {
    /// In order.
    pub const ALL: [Sub; 3] = [Sub::Eligible, Sub::Active, Sub::Expired];

    /// Title.
    pub fn title(self) -> &'static str {
        match self {
            Sub::Eligible => "Eligible",
            Sub::Active => "Active",
            Sub::Expired => "Expired",
        }
    }

    /// Position.
    pub fn index(self) -> usize {
        Sub::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The neighbour in a direction, stopping at the ends.
    pub fn step(self, delta: i32) -> Sub {
        let i = (self.index() as i32 + delta).clamp(0, 2) as usize;
        Sub::ALL[i]
    }
}

/// An intent.
#[derive(Debug, Clone)]
pub enum Msg {
    /// Leave.
    Quit,
    /// First run: create the training lab.
    CreateLab,
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
    /// Open the activation pane for an eligible role.
    OpenActivate(String),
    /// Stage 1: check the request against the role's rules.
    ActivateValidate(ActivateInput),
    /// Stage 2: activate (with the code when MFA is required).
    ActivateCommit(ActivateInput),
    /// Stage 3: reload and confirm the role shows as active.
    ActivateRefresh(String),
    /// Ask before deactivating.
    ConfirmDeactivate(String),
    /// Deactivate a role.
    Deactivate(String),
    /// Open a role's detail (by id).
    OpenRole(String),
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
}
