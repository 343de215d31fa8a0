//! `pim roles` and `pim settings show|set`.

use serde_json::{Value, json};

use super::args::{RolesArgs, SettingsCommand, SettingsSetArgs};
use super::output::{Table, json, local, rfc3339, safe};
use super::{CliError, CliResult, Env};
use crate::policy::duration::format_iso;
use crate::policy::notification::{NotificationPatch, NotifyRow, split_recipients};
use crate::policy::settings::{
    ExpireAfter, RoleSettings, Section, SettingField, SettingsPatch, on_off,
};
use crate::service::SettingsView;
use crate::store::OpenMode;

/// `pim roles [--search] [--json]`.
pub fn roles(env: &Env, args: &RolesArgs) -> CliResult {
    let mut svc = env.open(OpenMode::Existing)?;
    let needle = args.search.as_deref().map(str::to_lowercase);
    let roles: Vec<_> = svc
        .roles()?
        .into_iter()
        .filter(|r| {
            needle
                .as_deref()
                .is_none_or(|n| r.display_name.to_lowercase().contains(n))
        })
        .collect();
    if args.json {
        return json(&roles);
    }
    let mut t = Table::new(&["Role", "Template ID", "Privileged", "Name in commands"]);
    for r in &roles {
        t.row(vec![
            r.display_name.clone(),
            r.id.clone(),
            if r.privileged { "yes" } else { "-" }.into(),
            r.slug.clone(),
        ]);
    }
    t.print();
    Ok(())
}

/// `pim settings show|set`.
pub fn settings(env: &Env, command: SettingsCommand) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    match command {
        SettingsCommand::Export { roles, all, .. } => {
            super::policies::export(&mut svc, &token, &roles, all)
        }
        SettingsCommand::Import {
            file,
            role,
            dry_run,
            json: as_json,
        } => super::policies::import(&mut svc, &token, &file, role.as_deref(), dry_run, as_json),
        SettingsCommand::Diff {
            file,
            role,
            exit_code,
            json: as_json,
        } => super::policies::diff(&mut svc, &token, &file, role.as_deref(), exit_code, as_json),
        SettingsCommand::Show {
            role,
            json: as_json,
        } => {
            let view = svc.role_settings(&token, &role)?;
            if as_json {
                json(&settings_json(&view))
            } else {
                print_settings(&view)
            }
        }
        SettingsCommand::Set(args) => {
            let (patch, approvers) = patch_from(&args)?;
            let (view, changes) = svc.update_settings(&token, &args.role, patch, approvers)?;
            if args.json {
                let mut doc = settings_json(&view);
                doc["changes"] = serde_json::to_value(&changes).unwrap_or(Value::Null);
                return json(&doc);
            }
            if changes.is_empty() {
                outln!(
                    "No change: {} already has these settings.",
                    view.role.display_name
                );
            } else {
                outln!("Updated the settings of {}:", view.role.display_name);
                for c in &changes {
                    outln!("  {}: {} → {}", c.field, safe(&c.before), safe(&c.after));
                }
            }
            Ok(())
        }
    }
}

fn split_row(value: &str, flag: &str) -> Result<(NotifyRow, String), CliError> {
    let (row, rest) = value.split_once('=').ok_or_else(|| {
        CliError::usage(format!("{flag} takes ROW=VALUE, e.g. activation-admin=off"))
    })?;
    let row = NotifyRow::parse(row).ok_or_else(|| {
        let rows: Vec<_> = NotifyRow::ALL.iter().map(|r| r.slug()).collect();
        CliError::usage(format!(
            "'{}' is not a notification row; use one of {}",
            safe(row),
            rows.join(", ")
        ))
    })?;
    Ok((row, rest.to_owned()))
}

fn switch(value: &str, flag: &str) -> Result<bool, CliError> {
    super::args::parse_switch(value)
        .map(|s| s.0)
        .map_err(|e| CliError::usage(format!("{flag}: {e}")))
}

fn expire(value: Option<&String>) -> Result<Option<ExpireAfter>, CliError> {
    value
        .map(|v| {
            ExpireAfter::parse(v).map_err(|r| CliError::usage(r.violations[0].message.clone()))
        })
        .transpose()
}

/// The patch of one notification row, added on first use.
fn row_patch(patches: &mut Vec<NotificationPatch>, row: NotifyRow) -> &mut NotificationPatch {
    let i = match patches.iter().position(|p| p.row == row) {
        Some(i) => i,
        None => {
            patches.push(NotificationPatch {
                row,
                default_recipients: None,
                additional_recipients: None,
                critical_only: None,
            });
            patches.len() - 1
        }
    };
    &mut patches[i]
}

/// Builds the patch from the flags; an empty patch is a usage error.
fn patch_from(a: &SettingsSetArgs) -> Result<(SettingsPatch, Option<Vec<String>>), CliError> {
    let mut notifications: Vec<NotificationPatch> = Vec::new();
    for v in &a.notify_default {
        let (row, value) = split_row(v, "--notify-default")?;
        row_patch(&mut notifications, row).default_recipients =
            Some(switch(&value, "--notify-default")?);
    }
    for v in &a.notify_additional {
        let (row, value) = split_row(v, "--notify-additional")?;
        row_patch(&mut notifications, row).additional_recipients = Some(split_recipients(&value));
    }
    for v in &a.notify_critical_only {
        let (row, value) = split_row(v, "--notify-critical-only")?;
        row_patch(&mut notifications, row).critical_only =
            Some(switch(&value, "--notify-critical-only")?);
    }
    let on = |s: Option<super::args::Switch>| s.map(|s| s.0);
    let patch = SettingsPatch {
        max_activation: a.max_activation,
        require_mfa: on(a.require_mfa),
        auth_context: a.require_auth_context.clone().map(|c| c.0),
        require_justification: on(a.require_justification),
        require_ticket: on(a.require_ticket),
        require_approval: on(a.require_approval),
        approvers: None,
        allow_permanent_eligible: on(a.allow_permanent_eligible),
        expire_eligible_after: expire(a.expire_eligible_after.as_ref())?,
        allow_permanent_active: on(a.allow_permanent_active),
        expire_active_after: expire(a.expire_active_after.as_ref())?,
        require_mfa_on_active: on(a.require_mfa_on_active),
        require_justification_on_active: on(a.require_justification_on_active),
        require_mfa_on_eligible: on(a.require_mfa_on_eligible),
        require_justification_on_eligible: on(a.require_justification_on_eligible),
        notifications,
    };
    let approvers = a.approvers.as_deref().map(|list| {
        list.split([',', ';'])
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    });
    if patch.is_empty() && approvers.is_none() {
        return Err(CliError::usage(
            "nothing to change; give at least one setting (see `pim settings set --help`)",
        ));
    }
    Ok((patch, approvers))
}

fn settings_json(v: &SettingsView) -> Value {
    let s = &v.settings;
    json!({
        "role": {"id": v.role.id, "display_name": v.role.display_name},
        "activation": {
            "max_activation": format_iso(s.max_activation),
            "require_mfa": s.require_mfa,
            "require_auth_context": s.auth_context,
            "require_justification": s.require_justification,
            "require_ticket": s.require_ticket,
            "require_approval": s.require_approval,
            "approvers": s.approvers.iter().map(|p| p.upn.clone()).collect::<Vec<_>>(),
        },
        "assignment": {
            "allow_permanent_eligible": s.allow_permanent_eligible,
            "expire_eligible_after": format!("P{}D", s.expire_eligible_after.days()),
            "allow_permanent_active": s.allow_permanent_active,
            "expire_active_after": format!("P{}D", s.expire_active_after.days()),
            "require_mfa_on_active": s.require_mfa_on_active,
            "require_justification_on_active": s.require_justification_on_active,
            "require_mfa_on_eligible": s.require_mfa_on_eligible,
            "require_justification_on_eligible": s.require_justification_on_eligible,
        },
        "notifications": s.notifications.iter().map(|(row, n)| json!({
            "row": row.slug(),
            "rule_id": row.rule_id(),
            "type": row.type_label(),
            "default_recipients": n.default_recipients,
            "additional_recipients": n.additional_recipients,
            "critical_only": n.critical_only,
        })).collect::<Vec<_>>(),
        "updated_at": v.updated_at.map(rfc3339),
        "updated_by": v.updated_by,
    })
}

fn print_settings(v: &SettingsView) -> CliResult {
    let s: &RoleSettings = &v.settings;
    outln!("{} ({}): role settings", v.role.display_name, v.role.id);
    match (&v.updated_at, &v.updated_by) {
        (Some(at), Some(by)) => outln!("Last updated {} by {by}", local(*at)),
        _ => outln!("Entra's defaults (never changed)"),
    }
    let line = |label: &str, value: String| outln!("  {label:<45} {value}");
    for (section, title) in [
        (Section::Activation, "Activation"),
        (Section::Assignment, "Assignment"),
    ] {
        outln!("\n{title}");
        for f in SettingField::ALL.iter().filter(|f| f.section() == section) {
            let label = if f.graph_only() {
                format!("{} (Graph)", f.label())
            } else {
                f.label().to_owned()
            };
            line(&label, f.show(s));
        }
    }
    outln!("\nNotification");
    let mut t = Table::new(&[
        "  Row",
        "Type",
        "Default recipients",
        "Additional recipients",
        "Critical only",
    ]);
    for (row, n) in s.notifications.iter() {
        t.row(vec![
            format!("  {}", row.slug()),
            row.type_label().into(),
            format!(
                "{} {}",
                row.default_recipient_label(),
                on_off(n.default_recipients)
            ),
            if n.additional_recipients.is_empty() {
                "-".into()
            } else {
                n.additional_recipients.join("; ")
            },
            on_off(n.critical_only).into(),
        ]);
    }
    t.print();
    Ok(())
}
