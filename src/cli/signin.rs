//! `pim login`, `pim logout`, `pim whoami` and `pim users …`.

use serde_json::json;

use super::args::{LoginArgs, LogoutArgs, UsersCommand};
use super::output::{Table, json, local, rfc3339, safe};
use super::tenant::print_enrolment;
use super::{CliError, CliResult, Env, prompt_line, prompt_password, read_stdin_line};
use crate::policy::duration::format_left;
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
    let code = match args.otp {
        Some(c) => c,
        None => prompt_line("Code from your authenticator: ", "--otp CODE")?,
    };
    let signed = svc.sign_in(&upn, &password, &code)?;
    let mut sessions = env.sessions()?;
    sessions.add(&signed.principal.upn, &signed.token, signed.expires)?;
    println!(
        "Signed in as {} ({}) until {}.",
        safe(&signed.principal.display_name),
        signed.principal.upn,
        local(signed.expires)
    );
    let status = svc.status(&signed.token)?;
    if status.active.is_empty() && status.eligible.is_empty() {
        println!("You have no roles.");
    } else {
        println!(
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
        println!("Signed out {upn}.");
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
    println!(
        "{} ({})",
        safe(&status.principal.display_name),
        status.principal.upn
    );
    if let Some(e) = expires {
        println!("Signed in until {}.", local(e));
    }
    if active.is_empty() {
        println!("No active roles.");
    }
    for (role, end) in &active {
        match end {
            None => println!("Active: {role} (permanent)"),
            Some(e) => println!(
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
        println!(
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
            println!(
                "Added {} ({}).",
                safe(&new.principal.display_name),
                new.principal.upn
            );
            if let Some(p) = &new.generated_password {
                println!("Password (shown only now): {p}");
            }
            println!();
            print_enrolment(&new.principal.upn, &new.enrolment);
            println!("The first sign-in with a code confirms the authenticator.");
            Ok(())
        }
        UsersCommand::List(args) => {
            let users = svc.users(&token, args.search.as_deref(), args.limit, 0)?;
            if args.json {
                return json(&users);
            }
            let mut t = Table::new(&["UPN", "Display name", "MFA", "Locked", "Last sign-in"]);
            for u in &users {
                t.row(vec![
                    u.principal.upn.clone(),
                    u.principal.display_name.clone(),
                    if u.mfa_registered {
                        "registered"
                    } else {
                        "pending"
                    }
                    .into(),
                    u.locked_until
                        .map_or_else(|| "-".into(), |t| format!("until {}", local(t))),
                    u.last_sign_in.map_or_else(|| "never".into(), local),
                ]);
            }
            t.print();
            Ok(())
        }
        UsersCommand::Unlock { upn } => {
            let p = svc.unlock_user(&token, &upn)?;
            println!("Unlocked {}.", p.upn);
            Ok(())
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::error(e.to_string())
    }
}
