//! The signed-in user's own commands: `pim activate`, `pim deactivate`, bundles,
//! `pim inbox`.

use serde_json::{Value, json};

use super::args::{ActivateArgs, BundleCommand, DeactivateArgs, InboxArgs, InboxCommand};
use super::assign::assignment_json;
use super::output::{Table, json, local, rfc3339, safe};
use super::{CliError, CliResult, Env, dry_footer, dry_header, dry_json, dry_or_real};
use crate::policy::duration::{format_duration, format_left};
use crate::service::{ActivateInput, ActivationOutcome};
use crate::store::OpenMode;

/// `pim activate ROLE… --for DURATION …` and `pim activate --bundle NAME`.
pub fn activate(env: &Env, a: ActivateArgs) -> CliResult {
    let how = a.how;
    let token = env.token()?;
    let mut svc = env.open_to_change(OpenMode::Existing)?;
    let (roles, duration, reason, several) = match &a.bundle {
        Some(name) => {
            let b = svc.bundle(&token, name)?;
            let duration = a.duration.or(b.duration).ok_or_else(|| {
                CliError::usage(format!(
                    "bundle '{}' keeps no duration; give --for DURATION (e.g. --for 1h)",
                    b.name
                ))
            })?;
            let roles = b.roles.into_iter().map(|r| r.id).collect();
            (roles, duration, how.reason.or(b.justification), true)
        }
        None => {
            let duration = a
                .duration
                .ok_or_else(|| CliError::usage("give --for DURATION (e.g. --for 1h)"))?;
            let several = a.roles.len() > 1;
            (a.roles, duration, how.reason, several)
        }
    };
    let inputs: Vec<ActivateInput> = roles
        .into_iter()
        .map(|role| ActivateInput {
            role,
            duration,
            start: how.start,
            justification: reason.clone(),
            ticket_number: how.ticket_number.clone(),
            ticket_system: how.ticket_system.clone(),
            otp: None,
            password: None,
        })
        .collect();
    // An authentication context asks for the password again: piped, or typed when asked.
    let mut password = if how.password_stdin {
        Some(super::read_stdin_line()?)
    } else {
        None
    };
    let (outcomes, preview) = dry_or_real(&mut svc, how.dry_run, how.otp, |svc, otp| {
        let attempt = |svc: &mut crate::service::Service, password: Option<String>| {
            let mut with_code = inputs.clone();
            if let Some(first) = with_code.first_mut() {
                first.otp.clone_from(&otp);
                first.password = password;
            }
            svc.activate_many(&token, with_code)
        };
        super::with_password_again(&mut password, "--password-stdin", |p| attempt(svc, p))
    })?;
    let now = svc.clock()?.now;
    if how.json {
        let doc = match (several, outcomes.as_slice()) {
            (false, [only]) => outcome_json(only, now),
            _ => {
                json!({"activations": outcomes.iter().map(|o| outcome_json(o, now)).collect::<Vec<_>>()})
            }
        };
        return json(&dry_json(doc, &preview));
    }
    dry_header(&preview);
    for o in &outcomes {
        print_outcome(o, now, preview.is_some());
    }
    dry_footer(&preview);
    Ok(())
}

/// One activation's JSON: the request and the assignment, or the pending request.
fn outcome_json(o: &ActivationOutcome, now: crate::clock::Time) -> Value {
    match o {
        ActivationOutcome::Active(done) => json!({
            "request": super::requests::request_object(&done.request, &done.role.display_name, &done.principal.upn),
            "assignment": assignment_json(&done.assignment, &done.role.display_name, &done.principal.upn, now),
            "cut_to_eligibility_end": done.clamped,
        }),
        ActivationOutcome::Pending(view) => json!({
            "request": super::requests::request_json(view),
            "approvers": view.approvers.iter().map(|p| p.upn.as_str()).collect::<Vec<_>>(),
        }),
    }
}

/// One activation in words.
fn print_outcome(o: &ActivationOutcome, now: crate::clock::Time, dry: bool) {
    let done = match o {
        ActivationOutcome::Active(done) => done,
        ActivationOutcome::Pending(view) => return print_pending(view, dry),
    };
    let end = done.assignment.end.unwrap_or(done.assignment.start);
    if done.assignment.start > now {
        outln!(
            "{} is scheduled: active from {} until {}.",
            done.role.display_name,
            local(done.assignment.start),
            local(end)
        );
    } else {
        outln!(
            "{} is active until {} ({}).",
            done.role.display_name,
            local(end),
            format_left(end - now)
        );
    }
    if done.clamped {
        outln!("The end was cut to the end of your eligibility.");
    }
    if !dry {
        outln!(
            "Request {} · administrators were notified.",
            done.request.id
        );
    }
}

fn print_pending(view: &crate::service::RequestView, dry: bool) {
    let r = &view.request;
    let approvers: Vec<&str> = view.approvers.iter().map(|p| p.upn.as_str()).collect();
    outln!(
        "{} requires approval: request {} was sent to {} and waits for a decision until {}.",
        view.role.display_name,
        r.id,
        if approvers.is_empty() {
            "its approvers (none available right now)".to_owned()
        } else {
            approvers.join(", ")
        },
        r.expires_at.map_or_else(String::new, local)
    );
    if !dry {
        outln!(
            "Follow it with `pim requests`; withdraw it with `pim cancel {}`.",
            r.id
        );
    }
}

/// One message as the inbox's JSON shows it.
fn email_json(e: &crate::notify::Email) -> Value {
    json!({
        "id": e.id,
        "time": rfc3339(e.time),
        "to": e.to,
        "subject": e.subject,
        "body": e.body,
        "event": e.event,
        "read": e.read_at.is_some(),
    })
}

/// `pim bundle save|list|delete`.
pub fn bundle(env: &Env, command: BundleCommand) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    match command {
        BundleCommand::Save(b) => {
            let saved =
                svc.save_bundle(&token, &b.name, &b.roles, b.duration, b.reason.as_deref())?;
            if b.json {
                return json(&bundle_json(&saved));
            }
            outln!(
                "Saved bundle {}: {}.",
                safe(&saved.name),
                role_names(&saved)
            );
            for name in &saved.not_eligible {
                outln!(
                    "Note: you are not eligible for {name} now; activating the bundle will be refused until you are."
                );
            }
            outln!(
                "Activate it with: pim activate --bundle {}",
                safe(&saved.name)
            );
        }
        BundleCommand::List(f) => {
            let all = svc.bundles(&token)?;
            if f.json {
                return json(&json!({"bundles": all.iter().map(bundle_json).collect::<Vec<_>>()}));
            }
            if all.is_empty() {
                outln!(
                    "No bundles. Save one with: pim bundle save NAME ROLE… [--for D] [--reason T]"
                );
                return Ok(());
            }
            let mut t = Table::new(&["NAME", "ROLES", "FOR", "REASON"]);
            for b in &all {
                t.row(vec![
                    b.name.clone(),
                    role_names(b),
                    b.duration.map_or_else(|| "-".into(), format_duration),
                    b.justification.clone().unwrap_or_else(|| "-".into()),
                ]);
            }
            t.print();
        }
        BundleCommand::Delete(b) => {
            svc.delete_bundle(&token, &b.name)?;
            if b.json {
                return json(&json!({"deleted": b.name}));
            }
            outln!("Deleted bundle {}.", safe(&b.name));
        }
    }
    Ok(())
}

fn role_names(b: &crate::service::BundleView) -> String {
    b.roles
        .iter()
        .map(|r| r.display_name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn bundle_json(b: &crate::service::BundleView) -> Value {
    json!({
        "name": b.name,
        "roles": b.roles.iter().map(|r| r.display_name.as_str()).collect::<Vec<_>>(),
        "duration": b.duration.map(crate::policy::duration::format_iso),
        "justification": b.justification,
        "not_eligible": b.not_eligible,
    })
}

/// `pim deactivate ROLE`.
pub fn deactivate(env: &Env, a: &DeactivateArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open_to_change(OpenMode::Existing)?;
    let (assignment, role) = svc.deactivate(&token, &a.role)?;
    match assignment.end_reason {
        Some(crate::policy::model::EndReason::Canceled) => {
            outln!(
                "Cancelled the scheduled activation of {}.",
                role.display_name
            )
        }
        _ => outln!("Deactivated {}.", role.display_name),
    }
    Ok(())
}

/// `pim inbox [--unread] [--json]` and `pim inbox show ID`.
pub fn inbox(env: &Env, a: InboxArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    if let Some(InboxCommand::Show { id, json: as_json }) = a.command {
        let all = svc.inbox(&token, false, 10_000)?;
        let matches: Vec<_> = all.iter().filter(|e| e.id.starts_with(id.trim())).collect();
        let email = match matches.as_slice() {
            [one] => svc.open_email(&token, &one.id)?,
            [] => {
                return Err(CliError::usage(format!(
                    "no message '{}' in your inbox",
                    safe(&id)
                )));
            }
            _ => {
                return Err(CliError::usage(format!(
                    "'{}' matches several messages; give more of the id",
                    safe(&id)
                )));
            }
        };
        if as_json {
            let mut v = email_json(&email);
            v["from"] = json!(crate::notify::FROM);
            return json(&v);
        }
        outln!("From:    {}", crate::notify::FROM);
        outln!("To:      {}", safe(&email.to));
        outln!("Date:    {}", local(email.time));
        outln!("Subject: {}\n", safe(&email.subject));
        for line in email.body.lines() {
            outln!("{}", safe(line));
        }
        return Ok(());
    }
    let mail = svc.inbox(&token, a.unread, a.limit)?;
    if a.json {
        return json(&mail.iter().map(email_json).collect::<Vec<_>>());
    }
    if mail.is_empty() {
        outln!("No messages.");
        return Ok(());
    }
    let mut t = Table::new(&["", "Received", "Subject", "Id"]);
    for e in &mail {
        t.row(vec![
            if e.read_at.is_none() {
                "*".into()
            } else {
                " ".into()
            },
            local(e.time),
            e.subject.clone(),
            e.id[..8].to_owned(),
        ]);
    }
    t.print();
    outln!("\n* unread · read one with: pim inbox show ID");
    Ok(())
}
