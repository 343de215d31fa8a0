//! `pim status`: the signed-in account's roles (direct or through a group) and group
//! memberships, in full or as one line for a shell prompt.

use serde_json::{Value, json};

use super::args::StatusArgs;
use super::output::{Table, end_text, json, local, rfc3339, safe};
use super::{CliError, CliResult, Env};
use crate::policy::duration::{format_duration, format_left};
use crate::store::OpenMode;

/// `pim status [--json]`.
pub fn status(env: &Env, args: &StatusArgs) -> CliResult {
    if args.short {
        return short_status(env);
    }
    let as_json = args.json;
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    let s = svc.status(&token)?;
    let now = s.now;
    let (live, scheduled): (Vec<_>, Vec<_>) =
        s.active.iter().partition(|r| r.assignment.is_live(now));
    if as_json {
        let via = |r: &crate::store::assignments::AssignmentRow, v: &mut Value| {
            if let Some(g) = s.via_group(r) {
                v["via_group"] = json!(g);
            }
        };
        let active = |rows: &[&crate::store::assignments::AssignmentRow]| -> Vec<Value> {
            rows.iter()
                .map(|r| {
                    let mut v = json!({
                        "role": r.role.display_name,
                        "start": rfc3339(r.assignment.start),
                        "end": r.assignment.end.map(rfc3339),
                        "kind": r.assignment.origin,
                    });
                    via(r, &mut v);
                    v
                })
                .collect()
        };
        let group = |r: &crate::store::assignments::AssignmentRow| {
            let (name, access) = group_of(r);
            json!({"group": name, "access": access, "start": rfc3339(r.assignment.start),
                   "end": r.assignment.end.map(rfc3339), "kind": r.assignment.origin})
        };
        return json(&json!({
            "user": s.principal.upn,
            "eligible": s.eligible.iter().map(|e| {
                let mut v = json!({
                    "role": e.row.role.display_name,
                    "end": e.row.assignment.end.map(rfc3339),
                    "max_activation": crate::policy::duration::format_iso(e.settings.max_activation),
                });
                via(&e.row, &mut v);
                v
            }).collect::<Vec<_>>(),
            "active": active(&live),
            "scheduled": active(&scheduled),
            "groups": {
                "eligible": s.group_eligible.iter().map(|e| {
                    let mut v = group(&e.row);
                    v["max_activation"] = json!(crate::policy::duration::format_iso(e.settings.max_activation));
                    v
                }).collect::<Vec<_>>(),
                "active": s.group_active.iter().map(group).collect::<Vec<_>>(),
            },
        }));
    }
    outln!("{} ({})", safe(&s.principal.display_name), s.principal.upn);
    outln!("\nActive roles");
    if live.is_empty() && scheduled.is_empty() {
        outln!("  none");
    } else {
        let mut t = Table::new(&["  Role", "How", "Start", "End", "Time left"]);
        for r in live.iter().chain(scheduled.iter()) {
            let a = &r.assignment;
            t.row(vec![
                format!("  {}", r.role.display_name),
                match s.via_group(r) {
                    _ if a.is_scheduled(now) => "scheduled".into(),
                    Some(g) => format!("via group {}", safe(g)),
                    None => a.origin.as_str().to_owned(),
                },
                local(a.start),
                end_text(a.end),
                a.time_left(now).map_or_else(|| "-".into(), format_left),
            ]);
        }
        t.print();
    }
    outln!("\nEligible roles");
    if s.eligible.is_empty() {
        outln!("  none");
    } else {
        let mut t = Table::new(&["  Role", "Eligible until", "Max activation", "Needs"]);
        for e in &s.eligible {
            let st = &e.settings;
            let needs = st.activation_needs();
            t.row(vec![
                match s.via_group(&e.row) {
                    Some(g) => format!("  {} (via group {})", e.row.role.display_name, safe(g)),
                    None => format!("  {}", e.row.role.display_name),
                },
                end_text(e.row.assignment.end),
                format_duration(st.max_activation),
                if needs.is_empty() {
                    "-".into()
                } else {
                    needs.join(", ")
                },
            ]);
        }
        t.print();
        outln!("\nActivate one with: pim activate ROLE --for 1h --reason \"...\"");
    }
    if !s.group_eligible.is_empty() || !s.group_active.is_empty() {
        outln!("\nGroups");
        let mut t = Table::new(&["  Group", "Access", "State", "End", "Time left"]);
        for r in &s.group_active {
            let (name, access) = group_of(r);
            let a = &r.assignment;
            t.row(vec![
                format!("  {}", safe(name)),
                access.into(),
                if a.is_scheduled(now) {
                    "scheduled".into()
                } else {
                    format!("active ({})", a.origin.as_str())
                },
                end_text(a.end),
                a.time_left(now).map_or_else(|| "-".into(), format_left),
            ]);
        }
        for e in &s.group_eligible {
            let (name, access) = group_of(&e.row);
            t.row(vec![
                format!("  {}", safe(name)),
                access.into(),
                "eligible".into(),
                end_text(e.row.assignment.end),
                "-".into(),
            ]);
        }
        t.print();
        if !s.group_eligible.is_empty() {
            outln!(
                "\nActivate with: pim groups activate GROUP --access member --for 1h --reason \"...\""
            );
        }
    }
    Ok(())
}

/// The group's name and the access ("member", "owner") of a group membership row.
fn group_of(r: &crate::store::assignments::AssignmentRow) -> (&str, &'static str) {
    let access = r
        .role
        .group
        .as_ref()
        .map_or("member", |g| g.access.as_str());
    let name = r.role.group_name().unwrap_or(&r.role.display_name);
    (name, access)
}

/// `pim status --short`: one line for a shell prompt, each live role as its initials and the
/// time it has left (`GA 1h12m SR 7h`, `GA perm`), nothing when none is active. Fast and read
/// only: no sweep, no warnings; not signed in is exit 4 with nothing printed.
fn short_status(env: &Env) -> CliResult {
    let quiet = |code| CliError {
        code,
        message: String::new(),
    };
    let token = env
        .sessions()
        .ok()
        .and_then(|s| s.optional_token(env.as_upn.as_deref()))
        .ok_or_else(|| quiet(4))?;
    let mut svc =
        crate::service::Service::open(&env.db, OpenMode::Existing).map_err(|_| quiet(1))?;
    let s = svc.status(&token).map_err(|e| quiet(e.exit_code()))?;
    let parts: Vec<String> = s
        .active
        .iter()
        .filter(|r| r.assignment.is_live(s.now))
        .map(|r| {
            let left = r.assignment.time_left(s.now).map_or_else(
                || "perm".to_owned(),
                |d| format_duration(d).replace(' ', ""),
            );
            format!("{} {left}", initials(&r.role.display_name))
        })
        .collect();
    if !parts.is_empty() {
        outln!("{}", parts.join(" "));
    }
    Ok(())
}

/// "Global Administrator" → "GA".
fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_name_a_role_in_a_prompt() {
        assert_eq!(initials("Global Administrator"), "GA");
        assert_eq!(initials("Security Reader"), "SR");
        assert_eq!(initials("  exchange   recipient administrator "), "ERA");
        assert_eq!(initials("Rôle (custom)"), "R");
        assert_eq!(initials(""), "");
    }
}
