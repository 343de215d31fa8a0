//! `pim assign`, `pim assignments [update]` and `pim unassign`.

use serde_json::{Value, json};

use super::args::{
    AssignArgs, AssignmentsArgs, AssignmentsCommand, UnassignArgs, UpdateArgs, WindowArgs,
};
use super::output::{Table, end_text, json, local, rfc3339, safe};
use super::{CliError, CliResult, Env, dry_footer, dry_header, dry_json, dry_or_real};
use crate::clock::Time;
use crate::policy::duration::format_left;
use crate::policy::model::{Assignment, AssignmentKind, Origin};
use crate::service::{AssignInput, AssignmentDone, RemoveInput, UpdateInput, Window};
use crate::store::OpenMode;
use crate::store::assignments::{AssignmentRow, Which};

pub(super) fn window(w: &WindowArgs) -> Option<Window> {
    if w.permanent {
        Some(Window::Permanent)
    } else if let Some(d) = w.for_ {
        Some(Window::For(d))
    } else {
        w.end.map(Window::Until)
    }
}

/// An assignment's state at `now`, in words.
pub fn state(a: &Assignment, now: Time) -> &'static str {
    match a.end_reason {
        Some(r) => r.as_str(),
        None if a.is_scheduled(now) => "scheduled",
        None if a.is_live(now) => "current",
        None => "expired",
    }
}

/// The JSON form of an assignment.
pub fn assignment_json(a: &Assignment, role: &str, upn: &str, now: Time) -> Value {
    json!({
        "id": a.id,
        "role": role,
        "role_id": a.role_id,
        "principal": upn,
        "principal_id": a.principal_id,
        "type": a.kind,
        "kind": a.origin,
        "start": rfc3339(a.start),
        "end": a.end.map(rfc3339),
        "state": state(a, now),
        "justification": a.justification,
        "created": rfc3339(a.created_at),
        "ended": a.ended_at.map(rfc3339),
    })
}

pub(super) fn done_json(d: &AssignmentDone, now: Time) -> Value {
    json!({
        "request": super::requests::request_object(&d.request, &d.role.display_name, &d.principal.upn),
        "assignment": assignment_json(&d.assignment, &d.role.display_name, &d.principal.upn, now),
        "emails": d.emails,
        "ended_activations": d.ended_activations,
    })
}

pub(super) fn type_label(a: &Assignment) -> &'static str {
    match (a.kind, a.origin) {
        (AssignmentKind::Eligible, _) => "Eligible",
        (AssignmentKind::Active, Origin::Assigned) => "Active (assigned)",
        (AssignmentKind::Active, Origin::Activated) => "Active (activated)",
    }
}

fn window_words(a: &Assignment) -> String {
    match a.end {
        None => "permanent".into(),
        Some(end) => format!("from {} until {}", local(a.start), local(end)),
    }
}

/// `pim assign`.
pub fn assign(env: &Env, a: AssignArgs) -> CliResult {
    let how = a.how;
    let window = window(&how.window).ok_or_else(|| {
        CliError::usage("say how long: --permanent, --for DURATION or --end TIME")
    })?;
    let token = env.token()?;
    let mut svc = env.open_to_change(OpenMode::Existing)?;
    let input = AssignInput {
        role: a.role,
        upn: a.upn.or(a.group).unwrap_or_default(),
        kind: how.kind.into(),
        start: how.start,
        window,
        justification: how.reason,
        otp: None,
    };
    let (done, preview) = dry_or_real(&mut svc, how.dry_run, how.otp, |svc, otp| {
        svc.assign(
            &token,
            AssignInput {
                otp,
                ..input.clone()
            },
        )
    })?;
    let now = svc.clock()?.now;
    if how.json {
        return json(&dry_json(done_json(&done, now), &preview));
    }
    dry_header(&preview);
    // A group has no sign-in name: its name stands in both places.
    let to = if done.principal.upn == done.principal.display_name {
        format!("the group {}", safe(&done.principal.display_name))
    } else {
        format!(
            "{} ({})",
            safe(&done.principal.display_name),
            done.principal.upn
        )
    };
    outln!(
        "Assigned {} to {to} as {}, {}.",
        done.role.display_name,
        done.assignment.kind.label(),
        window_words(&done.assignment)
    );
    if preview.is_none() {
        outln!(
            "Request {} · {} e-mail(s) queued.",
            done.request.id,
            done.emails
        );
    }
    dry_footer(&preview);
    Ok(())
}

/// `pim assignments [--role] [--user] [--expired|--history] [--json]` and `… update`.
pub fn assignments(env: &Env, a: AssignmentsArgs) -> CliResult {
    match a.command {
        Some(AssignmentsCommand::Update(u)) => return update(env, u),
        Some(AssignmentsCommand::Export(e)) => return super::transfer::export(env, &e),
        Some(AssignmentsCommand::Import(i)) => return super::transfer::import(env, &i),
        None => {}
    }
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    let which = match (a.expired, a.history) {
        (true, _) => Which::Expired,
        (_, true) => Which::All,
        _ => Which::Current,
    };
    let rows = svc.assignments(
        &token,
        a.role.as_deref(),
        a.user.as_deref(),
        which,
        a.limit,
        0,
    )?;
    let now = svc.clock()?.now;
    if a.json {
        let list: Vec<Value> = rows
            .iter()
            .map(|r| assignment_json(&r.assignment, &r.role.display_name, &r.principal.upn, now))
            .collect();
        return json(&list);
    }
    print_rows(&rows, now);
    Ok(())
}

fn print_rows(rows: &[AssignmentRow], now: Time) {
    if rows.is_empty() {
        outln!("No assignments.");
        return;
    }
    let mut t = Table::new(&["Role", "User", "Type", "State", "Start", "End", "Time left"]);
    for r in rows {
        let a = &r.assignment;
        t.row(vec![
            r.role.display_name.clone(),
            r.principal.upn.clone(),
            type_label(a).into(),
            state(a, now).into(),
            local(a.start),
            end_text(a.end),
            a.time_left(now).map_or_else(|| "-".into(), format_left),
        ]);
    }
    t.print();
}

fn update(env: &Env, u: UpdateArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    let new_window = window(&u.window);
    if u.kind.is_none() && new_window.is_none() {
        return Err(CliError::usage(
            "nothing to change; give --type and/or one of --permanent, --for DURATION, --end TIME",
        ));
    }
    let input = UpdateInput {
        role: u.role,
        upn: u.upn,
        assignment_id: u.id,
        kind: u.kind.map(Into::into),
        window: new_window,
        justification: u.reason,
        otp: None,
    };
    let (done, preview) = dry_or_real(&mut svc, u.dry_run, u.otp, |svc, otp| {
        svc.update_assignment(
            &token,
            UpdateInput {
                otp,
                ..input.clone()
            },
        )
    })?;
    let now = svc.clock()?.now;
    if u.json {
        return json(&dry_json(done_json(&done, now), &preview));
    }
    dry_header(&preview);
    outln!(
        "Updated {}'s assignment of {}: now {}, {}.",
        done.principal.upn,
        done.role.display_name,
        done.assignment.kind.label(),
        window_words(&done.assignment)
    );
    if done.ended_activations > 0 {
        outln!(
            "{} activation(s) made from the old eligibility ended.",
            done.ended_activations
        );
    }
    dry_footer(&preview);
    Ok(())
}

/// `pim unassign ROLE UPN [--type] [--id]`.
pub fn unassign(env: &Env, a: UnassignArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open_to_change(OpenMode::Existing)?;
    let input = RemoveInput {
        role: a.role,
        upn: a.upn,
        kind: a.kind.map(Into::into),
        assignment_id: a.id,
    };
    let (done, preview) = dry_or_real(&mut svc, a.dry_run, None, |svc, _| {
        svc.remove_assignment(&token, input.clone())
    })?;
    if a.json {
        let now = svc.clock()?.now;
        return json(&dry_json(done_json(&done, now), &preview));
    }
    dry_header(&preview);
    outln!(
        "Removed {}'s {} assignment of {}.",
        done.principal.upn,
        done.assignment.kind.label(),
        done.role.display_name
    );
    if done.ended_activations > 0 {
        outln!(
            "{} activation(s) made from it ended too.",
            done.ended_activations
        );
    }
    dry_footer(&preview);
    Ok(())
}
