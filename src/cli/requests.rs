//! Requests that wait for a decision: `pim requests`, `pim approve`, `pim deny`, `pim cancel`,
//! and asking for (or, as an administrator, making) an extension or renewal: `pim extend`,
//! `pim renew`.

use serde_json::{Value, json};

use super::args::{ApproveArgs, CancelArgs, DenyArgs, ExtendArgs, RenewArgs, RequestsArgs};
use super::assign::{assignment_json, done_json, window};
use super::output::{Table, end_text, json, local, rfc3339};
use super::{CliError, CliResult, Env, dry_footer, dry_header, dry_json, dry_or_real};
use crate::policy::request::{RequestAction, RequestStatus};
use crate::service::Preview;
use crate::service::{Ask, AssignmentDone, Decided, Decision, RequestView};
use crate::store::OpenMode;

/// The JSON form of a request in a list.
/// A request as every command's JSON shows it: Graph's action and status names, Graph's
/// `ticketInfo`, and every field present (`null` when empty), with its role and user.
pub(super) fn request_object(
    r: &crate::policy::request::Request,
    role: &str,
    principal: &str,
) -> serde_json::Map<String, Value> {
    let ticket = r.ticket.as_ref();
    let v = json!({
        "id": r.id,
        "action": r.action,
        "status": r.status,
        "role": role,
        "principal": principal,
        "type": r.kind,
        "justification": r.justification,
        "ticketInfo": {
            "ticketNumber": ticket.map(|t| t.number.as_str()),
            "ticketSystem": ticket.map(|t| t.system.as_str()),
        },
        "created": rfc3339(r.created_at),
        "start": r.start.map(rfc3339),
        "end": r.end.map(rfc3339),
        "duration": r.duration.map(crate::policy::duration::format_iso),
        "expires": r.expires_at.map(rfc3339),
        "completed": r.completed_at.map(rfc3339),
        "decision_reason": r.decision_reason,
    });
    match v {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

pub(super) fn request_json(v: &RequestView) -> Value {
    let mut map = request_object(&v.request, &v.role.display_name, &v.principal.upn);
    map.insert(
        "approvers".into(),
        json!(
            v.approvers
                .iter()
                .map(|p| p.upn.as_str())
                .collect::<Vec<_>>()
        ),
    );
    map.insert("can_decide".into(), json!(v.can_decide));
    map.insert("mine".into(), json!(v.mine));
    Value::Object(map)
}

/// `pim requests [--json]`.
pub fn requests(env: &Env, a: &RequestsArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    let list = svc.requests(&token)?;
    if a.json {
        return json(&list.iter().map(request_json).collect::<Vec<_>>());
    }
    let to_decide: Vec<&RequestView> = list.iter().filter(|v| v.can_decide).collect();
    let mine: Vec<&RequestView> = list.iter().filter(|v| v.mine && !v.can_decide).collect();
    let others: Vec<&RequestView> = list.iter().filter(|v| !v.mine && !v.can_decide).collect();
    outln!("To approve or deny");
    if to_decide.is_empty() {
        outln!("  none");
    } else {
        let mut t = Table::new(&["  Id", "User", "Role", "Asks to", "Reason", "Decide by"]);
        for v in &to_decide {
            t.row(vec![
                format!("  {}", &v.request.id[..8]),
                v.principal.upn.clone(),
                v.role.display_name.clone(),
                v.asks(),
                short(v.request.justification.as_deref().unwrap_or("-")),
                v.request.expires_at.map_or_else(|| "-".into(), local),
            ]);
        }
        t.print();
        outln!("\nDecide with: pim approve ID --reason \"...\"  or  pim deny ID --reason \"...\"");
    }
    outln!("\nYour requests");
    if mine.is_empty() {
        outln!("  none");
    } else {
        let mut t = Table::new(&["  Id", "Role", "Asks to", "Status", "Asked", "Decision"]);
        for v in &mine {
            let r = &v.request;
            t.row(vec![
                format!("  {}", &r.id[..8]),
                v.role.display_name.clone(),
                v.asks(),
                r.status.as_str().to_owned(),
                local(r.created_at),
                short(r.decision_reason.as_deref().unwrap_or("-")),
            ]);
        }
        t.print();
        if mine.iter().any(|v| v.request.status.is_pending()) {
            outln!("\nWithdraw a pending one with: pim cancel ID");
        }
    }
    if !others.is_empty() {
        outln!("\nOther pending requests (an administrator may cancel them: pim cancel ID)");
        let mut t = Table::new(&["  Id", "User", "Role", "Asks to", "Approvers", "Decide by"]);
        for v in &others {
            let who: Vec<&str> = v.approvers.iter().map(|p| p.upn.as_str()).collect();
            t.row(vec![
                format!("  {}", &v.request.id[..8]),
                v.principal.upn.clone(),
                v.role.display_name.clone(),
                v.asks(),
                who.join(", "),
                v.request.expires_at.map_or_else(|| "-".into(), local),
            ]);
        }
        t.print();
    }
    Ok(())
}

/// A one-line cell of at most 40 characters.
fn short(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > 40 {
        format!("{}…", flat.chars().take(39).collect::<String>())
    } else {
        flat
    }
}

fn decided_json(d: &Decided, now: crate::clock::Time) -> Value {
    json!({
        "request": request_object(&d.request, &d.role.display_name, &d.principal.upn),
        "assignment": d.assignment.as_ref().map(|a| assignment_json(a, &d.role.display_name, &d.principal.upn, now)),
    })
}

/// The request an approve or deny names: by id (or a prefix), or as the pending request about
/// a role and a user that the caller may decide.
fn which_request(
    svc: &mut crate::service::Service,
    token: &crate::service::SessionToken,
    id: Option<&str>,
    role: Option<&str>,
    user: Option<&str>,
) -> Result<String, CliError> {
    if let Some(id) = id {
        return Ok(svc.resolve_request(token, id)?);
    }
    let (Some(role), Some(user)) = (role, user) else {
        return Err(CliError::usage(
            "give the request id, or --role ROLE --user UPN",
        ));
    };
    let role = role.trim();
    let found: Vec<String> = svc
        .requests(token)?
        .into_iter()
        .filter(|v| {
            v.can_decide
                && v.request.status.is_pending()
                && (v.role.display_name.eq_ignore_ascii_case(role)
                    || v.role.slug == role
                    || v.role.id == role)
                && v.principal.upn.eq_ignore_ascii_case(user.trim())
        })
        .map(|v| v.request.id)
        .collect();
    let wanted = crate::policy::text::sanitize(role);
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(CliError::usage(format!(
            "no pending request of {} for {} that you can decide; `pim requests` lists them",
            crate::policy::text::sanitize(user),
            wanted
        ))),
        _ => Err(CliError::usage(format!(
            "{} requests of {} for {} wait; give the id (`pim requests` lists them)",
            found.len(),
            crate::policy::text::sanitize(user),
            wanted
        ))),
    }
}

/// `pim approve ID --reason T [--type] [--start] [--for|--end|--permanent]`.
pub fn approve(env: &Env, a: ApproveArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open_to_change(OpenMode::Existing)?;
    let id = which_request(
        &mut svc,
        &token,
        a.id.as_deref(),
        a.role.as_deref(),
        a.user.as_deref(),
    )?;
    let decision = Decision {
        approve: true,
        reason: a.reason,
        start: a.start,
        window: window(&a.window),
        kind: a.kind.map(Into::into),
    };
    let done = svc.decide(&token, &id, decision)?;
    let now = svc.clock()?.now;
    if a.json {
        return json(&decided_json(&done, now));
    }
    outln!(
        "Approved request {} of {} ({}).",
        &done.request.id[..8],
        done.principal.upn,
        done.role.display_name
    );
    if let Some(x) = &done.assignment {
        let what = match done.request.action {
            RequestAction::SelfActivate if x.start > now => "The activation is scheduled",
            RequestAction::SelfActivate => "The role is active",
            _ => "The assignment now runs",
        };
        outln!(
            "{what}: {} from {} until {}.",
            x.kind.as_str(),
            local(x.start),
            end_text(x.end)
        );
    }
    outln!("The requestor and any other approvers were notified.");
    Ok(())
}

/// `pim deny ID --reason T`.
pub fn deny(env: &Env, a: DenyArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open_to_change(OpenMode::Existing)?;
    let id = which_request(
        &mut svc,
        &token,
        a.id.as_deref(),
        a.role.as_deref(),
        a.user.as_deref(),
    )?;
    let decision = Decision {
        approve: false,
        reason: a.reason,
        start: None,
        window: None,
        kind: None,
    };
    let done = svc.decide(&token, &id, decision)?;
    if a.json {
        let now = svc.clock()?.now;
        return json(&decided_json(&done, now));
    }
    outln!(
        "Denied request {} of {} ({}). The requestor and any other approvers were notified.",
        &done.request.id[..8],
        done.principal.upn,
        done.role.display_name
    );
    Ok(())
}

/// `pim cancel ID`.
pub fn cancel(env: &Env, a: &CancelArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    let id = svc.resolve_request(&token, &a.id)?;
    let r = svc.cancel_request(&token, &id)?;
    let what = if r.status == RequestStatus::Canceled && r.action == RequestAction::SelfActivate {
        "activation request"
    } else {
        "request"
    };
    outln!("Cancelled {what} {}.", &r.id[..8]);
    Ok(())
}

fn done_text(verb: &str, d: &AssignmentDone) {
    outln!(
        "{verb} {}'s {} assignment of {}: now until {}.",
        d.principal.upn,
        d.assignment.kind.as_str(),
        d.role.display_name,
        end_text(d.assignment.end)
    );
}

fn pending_text(v: &RequestView, as_json: bool, preview: &Option<Preview>) -> CliResult {
    if as_json {
        return json(&dry_json(json!({ "request": request_json(v) }), preview));
    }
    dry_header(preview);
    let words = if v.request.action == RequestAction::SelfRenew {
        "a renewal"
    } else {
        "an extension"
    };
    outln!(
        "Asked for {words} of your {} assignment of {} (request {}).",
        v.request.kind.as_str(),
        v.role.display_name,
        &v.request.id[..8]
    );
    if preview.is_none() {
        outln!(
            "A Global or Privileged Role Administrator decides; `pim requests` follows it, `pim cancel {}` withdraws it.",
            &v.request.id[..8]
        );
    }
    dry_footer(preview);
    Ok(())
}

/// Flags only administrators use, refused without `--user`.
fn admin_only(user: Option<&String>, given: &[(bool, &str)]) -> CliResult {
    if user.is_none()
        && let Some((_, flag)) = given.iter().find(|(on, _)| *on)
    {
        return Err(CliError::usage(format!(
            "{flag} is for administrators acting on a user's assignment; add --user UPN, or leave it out to ask for one"
        )));
    }
    Ok(())
}

/// `pim extend ROLE --reason T [--type]`, or as an administrator `--user UPN [--for|--end]`.
pub fn extend(env: &Env, a: ExtendArgs) -> CliResult {
    let w = window(&a.window);
    admin_only(a.user.as_ref(), &[(w.is_some(), "--for/--end/--permanent")])?;
    let token = env.token()?;
    let mut svc = env.open_to_change(OpenMode::Existing)?;
    let kind = a.kind.map(Into::into);
    if let Some(upn) = &a.user {
        let (done, preview) = dry_or_real(&mut svc, a.dry_run, None, |svc, _| {
            svc.admin_extend(&token, &a.role, upn, kind, w, &a.reason)
        })?;
        let now = svc.clock()?.now;
        if a.json {
            return json(&dry_json(done_json(&done, now), &preview));
        }
        dry_header(&preview);
        done_text("Extended", &done);
        dry_footer(&preview);
        return Ok(());
    }
    let (v, preview) = dry_or_real(&mut svc, a.dry_run, None, |svc, _| {
        svc.request_lifecycle(&token, &a.role, kind, Ask::Extend, &a.reason)
    })?;
    pending_text(&v, a.json, &preview)
}

/// `pim renew ROLE --reason T [--type]`, or as an administrator `--user UPN [--start] [--for|--end]`.
pub fn renew(env: &Env, a: RenewArgs) -> CliResult {
    let w = window(&a.window);
    admin_only(
        a.user.as_ref(),
        &[
            (w.is_some(), "--for/--end/--permanent"),
            (a.start.is_some(), "--start"),
        ],
    )?;
    let token = env.token()?;
    let mut svc = env.open_to_change(OpenMode::Existing)?;
    let kind = a.kind.map(Into::into);
    if let Some(upn) = &a.user {
        let (done, preview) = dry_or_real(&mut svc, a.dry_run, None, |svc, _| {
            svc.admin_renew(&token, &a.role, upn, kind, a.start, w, &a.reason)
        })?;
        let now = svc.clock()?.now;
        if a.json {
            return json(&dry_json(done_json(&done, now), &preview));
        }
        dry_header(&preview);
        done_text("Renewed", &done);
        dry_footer(&preview);
        return Ok(());
    }
    let (v, preview) = dry_or_real(&mut svc, a.dry_run, None, |svc, _| {
        svc.request_lifecycle(&token, &a.role, kind, Ask::Renew, &a.reason)
    })?;
    pending_text(&v, a.json, &preview)
}
