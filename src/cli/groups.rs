//! `pim groups …`: PIM for Groups. Adding and listing groups is its own; assigning,
//! activating, deactivating and settings hand the group's member or owner entry to the same
//! commands roles use, so every flag, check and message is theirs.

use serde_json::{Value, json};

use super::args::{
    ActivateArgs, AssignArgs, DeactivateArgs, GroupSettingsCommand, GroupsCommand, SettingsCommand,
    UnassignArgs,
};
use super::output::{Table, end_text, json, local, rfc3339, safe};
use super::{CliResult, Env};
use crate::policy::model::Access;
use crate::service::{NewGroup, Service};
use crate::store::OpenMode;
use crate::store::assignments::AssignmentRow;
use crate::store::groups::GroupRecord;

/// `pim groups …`.
pub fn groups(env: &Env, command: GroupsCommand) -> CliResult {
    match command {
        GroupsCommand::Add {
            name,
            role_assignable,
            description,
            json: as_json,
        } => add(env, name, role_assignable, description, as_json),
        GroupsCommand::List { json: as_json } => list(env, as_json),
        GroupsCommand::Members {
            name,
            json: as_json,
        } => members(env, &name, as_json),
        GroupsCommand::Assign(a) => {
            let role = entry(env, &a.name, a.access.into())?;
            super::assign::assign(
                env,
                AssignArgs {
                    role,
                    upn: Some(a.upn),
                    group: None,
                    how: a.how,
                },
            )
        }
        GroupsCommand::Unassign(a) => {
            let role = entry(env, &a.name, a.access.into())?;
            super::assign::unassign(
                env,
                UnassignArgs {
                    role,
                    upn: a.upn,
                    kind: a.kind,
                    id: None,
                    json: a.json,
                    dry_run: a.dry_run,
                },
            )
        }
        GroupsCommand::Activate(a) => {
            let role = entry(env, &a.name, a.access.into())?;
            super::me::activate(
                env,
                ActivateArgs {
                    roles: vec![role],
                    bundle: None,
                    duration: Some(a.duration),
                    how: a.how,
                },
            )
        }
        GroupsCommand::Deactivate { name, access } => {
            let role = entry(env, &name, access.into())?;
            super::me::deactivate(env, &DeactivateArgs { role })
        }
        GroupsCommand::Settings(GroupSettingsCommand::Show {
            name,
            access,
            json: as_json,
        }) => {
            let role = entry(env, &name, access.into())?;
            super::roles::settings(
                env,
                SettingsCommand::Show {
                    role,
                    json: as_json,
                },
            )
        }
        GroupsCommand::Settings(GroupSettingsCommand::Export { name, access }) => {
            let role = entry(env, &name, access.into())?;
            super::roles::settings(
                env,
                SettingsCommand::Export {
                    roles: vec![role],
                    all: false,
                    json: true,
                },
            )
        }
        GroupsCommand::Settings(GroupSettingsCommand::Set { access, mut set }) => {
            set.role = entry(env, &set.role, access.into())?;
            super::roles::settings(env, SettingsCommand::Set(set))
        }
    }
}

/// The id of a group's member or owner entry in the catalogue.
fn entry(env: &Env, name: &str, access: Access) -> Result<String, super::CliError> {
    let mut svc = env.open(OpenMode::Existing)?;
    Ok(svc.group_access(name, access)?.id)
}

fn group_json(g: &GroupRecord) -> Value {
    json!({
        "id": g.principal.id,
        "name": g.principal.display_name,
        "description": g.description,
        "role_assignable": g.role_assignable,
        "created": rfc3339(g.created_at),
    })
}

fn add(
    env: &Env,
    name: String,
    role_assignable: bool,
    description: Option<String>,
    as_json: bool,
) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    let g = svc.add_group(
        &token,
        NewGroup {
            name,
            description,
            role_assignable,
        },
    )?;
    if as_json {
        return json(&group_json(&g));
    }
    outln!(
        "Added the group {}{}.",
        safe(&g.principal.display_name),
        if g.role_assignable {
            " (role-assignable)"
        } else {
            ""
        }
    );
    outln!(
        "Make someone eligible: pim groups assign \"{}\" UPN --access member --type eligible --for 30d --reason \"...\"",
        safe(&g.principal.display_name)
    );
    Ok(())
}

fn list(env: &Env, as_json: bool) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    let groups = svc.groups(&token)?;
    if as_json {
        return json(
            &groups
                .iter()
                .map(|s| {
                    let mut v = group_json(&s.group);
                    v["members"] =
                        json!({"eligible": s.eligible_members, "active": s.active_members});
                    v["owners"] = json!({"eligible": s.eligible_owners, "active": s.active_owners});
                    v["roles"] = json!(s.roles);
                    v
                })
                .collect::<Vec<_>>(),
        );
    }
    if groups.is_empty() {
        outln!("No groups. Add one: pim groups add NAME [--role-assignable]");
        return Ok(());
    }
    let mut t = Table::new(&[
        "Group",
        "Role-assignable",
        "Members (eligible/active)",
        "Owners (eligible/active)",
        "Roles",
    ]);
    for s in &groups {
        t.row(vec![
            safe(&s.group.principal.display_name).into_owned(),
            if s.group.role_assignable { "yes" } else { "no" }.into(),
            format!("{} / {}", s.eligible_members, s.active_members),
            format!("{} / {}", s.eligible_owners, s.active_owners),
            s.roles.to_string(),
        ]);
    }
    t.print();
    Ok(())
}

fn members(env: &Env, name: &str, as_json: bool) -> CliResult {
    let token = env.token()?;
    let mut svc: Service = env.open(OpenMode::Existing)?;
    svc.catch_up();
    let m = svc.group_members(&token, name)?;
    let now = svc.clock()?.now;
    let access_of = |r: &AssignmentRow| {
        r.role
            .group
            .as_ref()
            .map_or("member", |g| g.access.as_str())
    };
    if as_json {
        let mut doc = group_json(&m.group);
        doc["access"] = m
            .access
            .iter()
            .map(|r| {
                let mut v = super::assign::assignment_json(
                    &r.assignment,
                    &r.role.display_name,
                    &r.principal.upn,
                    now,
                );
                v["access"] = json!(access_of(r));
                v
            })
            .collect();
        doc["roles"] = m
            .roles
            .iter()
            .map(|r| {
                super::assign::assignment_json(
                    &r.assignment,
                    &r.role.display_name,
                    &r.principal.upn,
                    now,
                )
            })
            .collect();
        return json(&doc);
    }
    outln!(
        "{}{}",
        safe(&m.group.principal.display_name),
        if m.group.role_assignable {
            " (role-assignable)"
        } else {
            ""
        }
    );
    outln!("\nMembers and owners");
    if m.access.is_empty() {
        outln!("  none");
    } else {
        let mut t = Table::new(&["  User", "Access", "Type", "Start", "End"]);
        for r in &m.access {
            let a = &r.assignment;
            t.row(vec![
                format!("  {}", safe(&r.principal.upn)),
                access_of(r).into(),
                super::assign::type_label(a).into(),
                local(a.start),
                end_text(a.end),
            ]);
        }
        t.print();
    }
    outln!("\nRoles assigned to the group");
    if m.roles.is_empty() {
        outln!("  none");
    } else {
        let mut t = Table::new(&["  Role", "Type", "Start", "End"]);
        for r in &m.roles {
            let a = &r.assignment;
            t.row(vec![
                format!("  {}", safe(&r.role.display_name)),
                a.kind.label().into(),
                local(a.start),
                end_text(a.end),
            ]);
        }
        t.print();
    }
    Ok(())
}
