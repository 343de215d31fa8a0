//! `pim login`, `pim logout`, `pim whoami` and `pim users …`.

use serde_json::json;

use std::io::IsTerminal;

use super::args::{LoginArgs, LogoutArgs, UsersCommand};
use super::output::{Table, json, local, rfc3339, safe};
use super::tenant::print_enrolment;
use super::{CliError, CliResult, Env, prompt_line, prompt_password, read_stdin_line};
use crate::policy::duration::format_left;
use crate::policy::text::count;
use crate::store::OpenMode;

/// `pim login`.
pub fn login(env: &Env, args: LoginArgs) -> CliResult {
    let mut svc = env.open(OpenMode::Existing)?;
    let upn = match args.user {
        Some(u) => u,
        None => prompt_line("User name: ", "--user UPN")?,
    };
    let password = if args.password_stdin {
        read_stdin_line()?
    } else {
        prompt_password("Password: ", "--password-stdin")?
    };
    let prompted = args.otp.is_none();
    let code = match args.otp {
        Some(c) => c,
        None if !std::io::stdin().is_terminal() => {
            return Err(CliError::usage(
                "no terminal to ask for the code; give --otp CODE",
            ));
        }
        None => {
            // Check the password first, so an account that must register its authenticator
            // sees the QR code before it is asked for a code.
            if let Some(e) = svc.check_password(&upn, &password)?.enrolment {
                outln!("Your account needs an authenticator app before you can sign in.");
                print_enrolment(&upn, &e);
            }
            prompt_line("Code from your authenticator: ", "--otp CODE")?
        }
    };
    let mut signed = svc.sign_in(&upn, &password, &code);
    // At the prompt, a wrong or already used code is asked again (each counts as a failure).
    let mut tries = 1;
    while prompted && tries < super::CODE_TRIES {
        match &signed {
            Err(crate::service::ServiceError::Auth(
                e @ (crate::service::AuthFailure::WrongCode { .. }
                | crate::service::AuthFailure::ReplayedCode { .. }),
            )) => {
                errln!("{e}");
                let code = prompt_line("Code from your authenticator: ", "--otp CODE")?;
                tries += 1;
                signed = svc.sign_in(&upn, &password, &code);
            }
            _ => break,
        }
    }
    let signed = signed?;
    let mut sessions = env.sessions()?;
    sessions.add(&signed.principal.upn, &signed.token, signed.expires)?;
    outln!(
        "Signed in as {} ({}) until {}.",
        safe(&signed.principal.display_name),
        signed.principal.upn,
        local(signed.expires)
    );
    let status = svc.status(&signed.token)?;
    if status.active.is_empty() && status.eligible.is_empty() {
        outln!("You have no roles.");
    } else {
        outln!(
            "Roles: {} active, {} eligible (pim status shows them).",
            status.active.len(),
            status.eligible.len()
        );
    }
    Ok(())
}

/// `pim logout [--all]`.
pub fn logout(env: &Env, args: &LogoutArgs) -> CliResult {
    let mut sessions = env.sessions()?;
    let targets: Vec<String> = if args.all {
        sessions.accounts().0.into_iter().map(|(u, _)| u).collect()
    } else {
        vec![sessions.token(env.as_upn.as_deref())?.0]
    };
    let mut svc = env.open(OpenMode::Existing).ok();
    for upn in targets {
        if let Some(entry) = sessions.remove(&upn)?
            && let Some(svc) = svc.as_mut()
        {
            let _ = svc.sign_out(&crate::service::SessionToken(entry.token));
        }
        outln!("Signed out {upn}.");
    }
    Ok(())
}

/// `pim whoami [--json]`.
pub fn whoami(env: &Env, as_json: bool) -> CliResult {
    let sessions = env.sessions()?;
    let (upn, token) = sessions.token(env.as_upn.as_deref())?;
    let mut svc = env.open(OpenMode::Existing)?;
    let status = svc.status(&token)?;
    let (accounts, default) = sessions.accounts();
    let expires = accounts
        .iter()
        .find(|(u, _)| *u == upn)
        .map(|(_, e)| e.expires);
    let active: Vec<_> = status
        .active
        .iter()
        .filter(|r| r.assignment.is_live(status.now))
        .map(|r| (r.role.display_name.clone(), r.assignment.end))
        .collect();
    if as_json {
        return json(&json!({
            "upn": status.principal.upn,
            "display_name": status.principal.display_name,
            "id": status.principal.id,
            "session_expires": expires.map(rfc3339),
            "signed_in": accounts.iter().map(|(u, _)| u.clone()).collect::<Vec<_>>(),
            "default": default,
            "active_roles": active.iter().map(|(r, e)| json!({"role": r, "end": e.map(rfc3339)})).collect::<Vec<_>>(),
        }));
    }
    outln!(
        "{} ({})",
        safe(&status.principal.display_name),
        status.principal.upn
    );
    if let Some(e) = expires {
        outln!("Signed in until {}.", local(e));
    }
    if active.is_empty() {
        outln!("No active roles.");
    }
    for (role, end) in &active {
        match end {
            None => outln!("Active: {role} (permanent)"),
            Some(e) => outln!(
                "Active: {role} until {} ({})",
                local(*e),
                format_left(*e - status.now)
            ),
        }
    }
    if accounts.len() > 1 {
        let others: Vec<_> = accounts
            .iter()
            .map(|(u, _)| u.as_str())
            .filter(|u| *u != upn)
            .collect();
        outln!(
            "Also signed in: {} (pick one with --as UPN)",
            others.join(", ")
        );
    }
    Ok(())
}

/// `pim users add|list|unlock`.
pub fn users(env: &Env, command: UsersCommand) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    match command {
        UsersCommand::Add(args) => {
            let password = if args.password_stdin {
                Some(read_stdin_line()?)
            } else {
                None
            };
            let new = svc.add_user(&token, &args.upn, &args.display_name, password.as_deref())?;
            if args.json {
                return json(&json!({
                    "id": new.principal.id,
                    "upn": new.principal.upn,
                    "display_name": new.principal.display_name,
                    "password": new.generated_password,
                    "totp_secret": new.enrolment.secret,
                    "otpauth_uri": new.enrolment.uri,
                }));
            }
            outln!(
                "Added {} ({}).",
                safe(&new.principal.display_name),
                new.principal.upn
            );
            if let Some(p) = &new.generated_password {
                outln!("Password (shown only now): {p}");
            }
            outln!();
            print_enrolment(&new.principal.upn, &new.enrolment);
            outln!("The first sign-in with a code confirms the authenticator.");
            Ok(())
        }
        UsersCommand::List(args) => {
            let users = svc.users(&token, args.search.as_deref(), args.limit, 0)?;
            if args.json {
                return json(&users);
            }
            let mut t = Table::new(&[
                "UPN",
                "Display name",
                "State",
                "MFA",
                "Locked",
                "Last sign-in",
            ]);
            for u in &users {
                t.row(vec![
                    u.principal.upn.clone(),
                    u.principal.display_name.clone(),
                    if u.enabled { "enabled" } else { "DISABLED" }.into(),
                    if u.mfa_registered {
                        "registered"
                    } else {
                        "pending"
                    }
                    .into(),
                    lock_text(u),
                    u.last_sign_in.map_or_else(|| "never".into(), local),
                ]);
            }
            t.print();
            Ok(())
        }
        UsersCommand::Unlock { upn } => {
            let p = svc.unlock_user(&token, &upn)?;
            outln!("Unlocked {}.", p.upn);
            Ok(())
        }
        UsersCommand::ResetPassword {
            upn,
            password_stdin,
            json: as_json,
        } => {
            let given = if password_stdin {
                Some(read_stdin_line()?)
            } else {
                None
            };
            let done = svc.reset_password(&token, &upn, given.as_deref())?;
            if as_json {
                return json(&done);
            }
            outln!(
                "Set a new password for {} and signed them out ({}).",
                done.principal.upn,
                count(done.sessions_ended as u32, "session", "sessions")
            );
            if let Some(p) = &done.generated_password {
                outln!("New password (shown only now): {p}");
            }
            Ok(())
        }
        UsersCommand::ResetMfa { upn, json: as_json } => {
            let done = svc.reset_mfa(&token, &upn)?;
            if as_json {
                return json(&json!({
                    "upn": done.principal.upn,
                    "totp_secret": done.enrolment.secret,
                    "otpauth_uri": done.enrolment.uri,
                    "sessions_ended": done.sessions_ended,
                }));
            }
            outln!(
                "{} must register an authenticator again: the old one no longer works, and they were signed out ({}).",
                done.principal.upn,
                count(done.sessions_ended as u32, "session", "sessions")
            );
            outln!("Hand over this one, or let them scan it at their next sign-in:\n");
            print_enrolment(&done.principal.upn, &done.enrolment);
            Ok(())
        }
        UsersCommand::Disable { upn, json: as_json } => {
            account_state(svc.set_account_enabled(&token, &upn, false)?, as_json)
        }
        UsersCommand::Enable { upn, json: as_json } => {
            account_state(svc.set_account_enabled(&token, &upn, true)?, as_json)
        }
    }
}

fn lock_text(u: &crate::service::UserSummary) -> String {
    let times = match u.lockouts {
        0 | 1 => String::new(),
        n => format!(" (locked {n} times in a row)"),
    };
    match u.locked_until {
        Some(t) => format!("until {}{times}", local(t)),
        None if u.lockouts > 0 => format!("-{times}"),
        None => "-".into(),
    }
}

fn account_state(s: crate::service::AccountState, as_json: bool) -> CliResult {
    if as_json {
        return json(&s);
    }
    let state = if s.enabled { "enabled" } else { "disabled" };
    if !s.changed {
        outln!("{} was already {state}.", s.principal.upn);
    } else if s.enabled {
        outln!("Enabled {}: they can sign in again.", s.principal.upn);
    } else {
        outln!(
            "Disabled {}: they cannot sign in, and were signed out ({}).",
            s.principal.upn,
            count(s.sessions_ended as u32, "session", "sessions")
        );
    }
    Ok(())
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::error(e.to_string())
    }
}
