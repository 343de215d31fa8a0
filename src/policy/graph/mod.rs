//! Role settings as Microsoft Graph has them: the 17 rules of a `unifiedRoleManagementPolicy`
//! (`Expiration_*`, `Enablement_*`, `Approval_EndUser_Assignment`,
//! `AuthenticationContext_EndUser_Assignment`, the nine `Notification_*`), with Graph's rule
//! ids, `@odata.type`s, field names and ISO 8601 durations, in the order Graph lists them.
//!
//! Pure: settings to rules and rules to a settings patch. What pim does not do (multi-stage or
//! escalating approval, authentication context, group approvers) is refused on import with
//! the rule and field, never silently dropped, so an export imports back exactly.

use std::fmt;

use chrono::TimeDelta;
use serde_json::{Map, Value, json};

use super::duration::{format_iso, parse_duration};
use super::model::Principal;
use super::notification::{NotificationPatch, NotifyRecipient, NotifyRow, is_email_address};
use super::settings::{ExpireAfter, RoleSettings, SettingsPatch, check_max_activation};

const EXPIRATION: &str = "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule";
const ENABLEMENT: &str = "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule";
const APPROVAL: &str = "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule";
const AUTH_CONTEXT: &str = "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule";
const NOTIFICATION: &str = "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule";
const SINGLE_USER: &str = "#microsoft.graph.singleUser";

/// The 17 rule ids, in the order Graph's `list rules` returns them.
pub const RULE_IDS: [&str; 17] = [
    "Expiration_Admin_Eligibility",
    "Enablement_Admin_Eligibility",
    "Notification_Admin_Admin_Eligibility",
    "Notification_Requestor_Admin_Eligibility",
    "Notification_Approver_Admin_Eligibility",
    "Expiration_Admin_Assignment",
    "Enablement_Admin_Assignment",
    "Notification_Admin_Admin_Assignment",
    "Notification_Requestor_Admin_Assignment",
    "Notification_Approver_Admin_Assignment",
    "Expiration_EndUser_Assignment",
    "Enablement_EndUser_Assignment",
    "Approval_EndUser_Assignment",
    "AuthenticationContext_EndUser_Assignment",
    "Notification_Admin_EndUser_Assignment",
    "Notification_Requestor_EndUser_Assignment",
    "Notification_Approver_EndUser_Assignment",
];

/// Why a rule from a file cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The rule id (or where in the file, when there is none).
    pub rule: String,
    /// The field, in Graph's words (`maximumDuration`, `setting.approvalMode`).
    pub field: String,
    /// What is wrong and what would be taken.
    pub message: String,
    /// Outside Entra's limits (a policy refusal) rather than malformed.
    pub beyond_limits: bool,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.rule, self.message)
        } else {
            write!(f, "{}.{}: {}", self.rule, self.field, self.message)
        }
    }
}

/// An approver named in a file, to be found in this tenant by id, or else by the UPN in its
/// description (how pim's exports move between tenants).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApproverRef {
    /// Graph's `userId`.
    pub user_id: String,
    /// Graph's `description` (pim writes the UPN there).
    pub description: Option<String>,
}

/// What a set of imported rules asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Every setting the rules speak of (approvers are resolved by the caller).
    pub patch: SettingsPatch,
    /// The approvers, when the approval rule is among the rules.
    pub approvers: Option<Vec<ApproverRef>>,
}

fn target(caller: &str, level: &str) -> Value {
    json!({
        "caller": caller,
        "operations": ["all"],
        "level": level,
        "inheritableSettings": [],
        "enforcedSettings": [],
    })
}

/// `caller` and `level` of a rule id: `Expiration_EndUser_Assignment` → (EndUser, Assignment).
fn caller_level(id: &str) -> (&str, &str) {
    let mut parts = id.rsplit('_');
    let level = parts.next().unwrap_or("");
    let caller = parts.next().unwrap_or("");
    (caller, level)
}

fn enabled(flags: &[(bool, &str)]) -> Value {
    Value::Array(
        flags
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| Value::String((*name).to_owned()))
            .collect(),
    )
}

fn notification(row: NotifyRow, s: &RoleSettings) -> Value {
    let n = s.notifications.get(row);
    let recipient = match row.recipient {
        NotifyRecipient::Admin => "Admin",
        NotifyRecipient::Requestor => "Requestor",
        NotifyRecipient::Approver => "Approver",
    };
    json!({
        "notificationType": "Email",
        "recipientType": recipient,
        "notificationLevel": if n.critical_only { "Critical" } else { "All" },
        "isDefaultRecipientsEnabled": n.default_recipients,
        "notificationRecipients": n.additional_recipients,
    })
}

fn approver(p: &Principal) -> Value {
    json!({"@odata.type": SINGLE_USER, "userId": p.id, "description": p.upn})
}

/// The body of one rule (without `@odata.type`, `id` and `target`).
fn body(id: &str, s: &RoleSettings) -> (&'static str, Value) {
    if let Some(row) = NotifyRow::ALL.into_iter().find(|r| r.rule_id() == id) {
        return (NOTIFICATION, notification(row, s));
    }
    match id {
        "Expiration_Admin_Eligibility" => (
            EXPIRATION,
            json!({
                "isExpirationRequired": !s.allow_permanent_eligible,
                "maximumDuration": format_iso(s.expire_eligible_after.duration()),
            }),
        ),
        "Expiration_Admin_Assignment" => (
            EXPIRATION,
            json!({
                "isExpirationRequired": !s.allow_permanent_active,
                "maximumDuration": format_iso(s.expire_active_after.duration()),
            }),
        ),
        "Expiration_EndUser_Assignment" => (
            EXPIRATION,
            json!({"isExpirationRequired": true, "maximumDuration": format_iso(s.max_activation)}),
        ),
        "Enablement_Admin_Eligibility" => (
            ENABLEMENT,
            json!({"enabledRules": enabled(&[
                (s.require_mfa_on_eligible, "MultiFactorAuthentication"),
                (s.require_justification_on_eligible, "Justification"),
            ])}),
        ),
        "Enablement_Admin_Assignment" => (
            ENABLEMENT,
            json!({"enabledRules": enabled(&[
                (s.require_mfa_on_active, "MultiFactorAuthentication"),
                (s.require_justification_on_active, "Justification"),
            ])}),
        ),
        "Enablement_EndUser_Assignment" => (
            ENABLEMENT,
            json!({"enabledRules": enabled(&[
                (s.require_mfa, "MultiFactorAuthentication"),
                (s.require_justification, "Justification"),
                (s.require_ticket, "Ticketing"),
            ])}),
        ),
        "Approval_EndUser_Assignment" => (
            APPROVAL,
            json!({"setting": {
                "isApprovalRequired": s.require_approval,
                "isApprovalRequiredForExtension": false,
                "isRequestorJustificationRequired": true,
                "approvalMode": "SingleStage",
                "approvalStages": [{
                    "approvalStageTimeOutInDays": 1,
                    "isApproverJustificationRequired": true,
                    "escalationTimeInMinutes": 0,
                    "isEscalationEnabled": false,
                    "primaryApprovers": s.approvers.iter().map(approver).collect::<Vec<_>>(),
                    "escalationApprovers": [],
                }],
            }}),
        ),
        _ => (
            AUTH_CONTEXT,
            json!({"isEnabled": s.auth_context.is_some(), "claimValue": s.auth_context}),
        ),
    }
}

/// One rule as Graph writes it.
pub fn rule(id: &str, s: &RoleSettings) -> Value {
    let (odata, body) = body(id, s);
    let (caller, level) = caller_level(id);
    let mut out = Map::new();
    out.insert("@odata.type".into(), odata.into());
    out.insert("id".into(), id.into());
    if let Value::Object(fields) = body {
        out.extend(fields);
    }
    out.insert("target".into(), target(caller, level));
    Value::Object(out)
}

/// All 17 rules of a role's settings, in Graph's order.
pub fn rules(s: &RoleSettings) -> Vec<Value> {
    RULE_IDS.iter().map(|id| rule(id, s)).collect()
}

/// The `unifiedRoleManagementPolicy` of a role, rules expanded. Its id,
/// `DirectoryRole_{tenant id}_{role template id}`, names the role, so a file of policies can be
/// imported without saying which role each one is for.
pub fn policy(tenant_id: &str, role_id: &str, s: &RoleSettings) -> Value {
    json!({
        "id": format!("DirectoryRole_{tenant_id}_{role_id}"),
        "displayName": "DirectoryRole",
        "description": "DirectoryRole",
        "isOrganizationDefault": false,
        "scopeId": "/",
        "scopeType": "DirectoryRole",
        "rules": rules(s),
    })
}

/// The policy of a group's membership or ownership (PIM for Groups), as Graph scopes it: to
/// the group (`scopeType` `Group`, `scopeId` the group's id). Its id,
/// `Group_{group id}_{entry id}`, names the group's member or owner entry.
pub fn group_policy(group_id: &str, entry_id: &str, s: &RoleSettings) -> Value {
    json!({
        "id": format!("Group_{group_id}_{entry_id}"),
        "displayName": "Group",
        "description": "Group",
        "isOrganizationDefault": false,
        "scopeId": group_id,
        "scopeType": "Group",
        "rules": rules(s),
    })
}

fn is_guid(s: &str) -> bool {
    s.len() == 36 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// The role template id (or a group entry's id) a pim policy id names
/// (`DirectoryRole_{tenant}_{role}`, `Group_{group}_{entry}`), if it is one.
pub fn role_of_policy_id(id: &str) -> Option<&str> {
    let rest = id
        .strip_prefix("DirectoryRole_")
        .or_else(|| id.strip_prefix("Group_"))?;
    let (_, role) = rest.rsplit_once('_')?;
    is_guid(role).then_some(role)
}

/// How a Graph policy assignment of PIM for Groups names its target: `GROUP-ID/member` or
/// `GROUP-ID/owner` (its `scopeId` and `roleDefinitionId`).
pub fn group_target(v: &Value) -> Option<String> {
    if v.get("scopeType").and_then(Value::as_str) != Some("Group") {
        return None;
    }
    let group = v.get("scopeId").and_then(Value::as_str)?;
    let access = v.get("roleDefinitionId").and_then(Value::as_str)?;
    matches!(access, "member" | "owner").then(|| format!("{group}/{access}"))
}

/// One role's rules found in a file: the role when the file says (a pim policy id, or a
/// policy assignment's `roleDefinitionId`), and where in the file, for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    /// The role the file names, if it does.
    pub role: Option<String>,
    /// The rules.
    pub rules: Vec<Value>,
    /// Where in the file (`policy 2 of 3`), for messages.
    pub place: String,
}

fn is_rule(v: &Value) -> bool {
    v.get("@odata.type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.ends_with("Rule"))
        || v.get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| RULE_IDS.contains(&id))
}

fn policy_document(v: &Value, place: String) -> Option<PolicyDocument> {
    if let Some(policy) = v.get("policy").filter(|p| p.is_object()) {
        let rules = policy.get("rules")?.as_array()?.clone();
        let role = group_target(v).or_else(|| {
            v.get("roleDefinitionId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        return Some(PolicyDocument { role, rules, place });
    }
    let rules = v.get("rules")?.as_array()?.clone();
    let role = v
        .get("id")
        .and_then(Value::as_str)
        .and_then(role_of_policy_id)
        .map(str::to_owned);
    Some(PolicyDocument { role, rules, place })
}

/// Finds the policies in a JSON document, in every shape Graph users have: a policy with its
/// `rules`; a policy assignment with its `policy`; a list of either (`{"value": [...]}`, as
/// Graph lists them, or a bare array); a `list rules` response or an array of rules; or one
/// rule as a PATCH body. Rules without a policy name no role: the caller says which.
pub fn documents(doc: &Value) -> Result<Vec<PolicyDocument>, String> {
    let items: Vec<Value> = match doc {
        Value::Array(items) => items.clone(),
        Value::Object(o) => match o.get("value") {
            Some(Value::Array(items)) => items.clone(),
            _ => vec![doc.clone()],
        },
        _ => return Err("the file holds no JSON object or list".into()),
    };
    if items.is_empty() {
        return Err("the file holds no rules and no policies".into());
    }
    if items.iter().all(is_rule) {
        return Ok(vec![PolicyDocument {
            role: None,
            rules: items,
            place: "the file".into(),
        }]);
    }
    let total = items.len();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let place = if total == 1 {
                "the policy".to_owned()
            } else {
                format!("policy {} of {total}", i + 1)
            };
            policy_document(item, place.clone()).ok_or_else(|| {
                format!(
                    "{place} is neither a policy with rules, a policy assignment, nor a rule of a role's policy"
                )
            })
        })
        .collect()
}

mod import;

pub use import::import;

/// Each field that differs between two rule lists, as (rule id, field path, left, right);
/// only rules present in `left` are compared (a file that speaks of one rule drifts only
/// there).
pub fn differences(left: &[Value], right: &[Value]) -> Vec<(String, String, Value, Value)> {
    let mut out = Vec::new();
    for l in left {
        let Some(id) = l.get("id").and_then(Value::as_str) else {
            continue;
        };
        let r = right
            .iter()
            .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
            .cloned()
            .unwrap_or(Value::Null);
        let mut paths = Vec::new();
        flatten("", l, &mut paths);
        flatten("", &r, &mut paths);
        paths.sort();
        paths.dedup();
        for path in paths {
            if path == "target" || path.starts_with("target.") {
                continue;
            }
            let (a, b) = (at(l, &path), at(&r, &path));
            if a != b {
                out.push((id.to_owned(), path, a, b));
            }
        }
    }
    out
}

/// Leaf paths of a value (`setting.approvalStages.0.primaryApprovers`): objects are entered,
/// and so is the one approval stage; other lists are leaves, so a list of approvers or
/// recipients differs as a whole.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, child, out);
            }
        }
        Value::Array(items) if prefix.ends_with("approvalStages") => {
            for (i, child) in items.iter().enumerate() {
                flatten(&format!("{prefix}.{i}"), child, out);
            }
        }
        _ if !prefix.is_empty() => out.push(prefix.to_owned()),
        _ => {}
    }
}

fn at(v: &Value, path: &str) -> Value {
    path.split('.')
        .try_fold(v, |v, key| match key.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(key),
        })
        .cloned()
        .unwrap_or(Value::Null)
}

#[cfg(test)]
#[path = "../graph_tests.rs"]
mod tests;
