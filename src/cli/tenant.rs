//! `pim lab`, `pim init` and `pim clock`.

use serde_json::json;

use super::args::{ClockArgs, ClockCommand, InitArgs, LabArgs};
use super::output::{json, local, rfc3339};
use super::{CliResult, Env, prompt_line, prompt_password, read_stdin_line};
use crate::policy::duration::format_duration;
use crate::service::{ClockState, CreatedAccount, Enrolment};
use crate::store::OpenMode;

/// `pim lab authenticator [--watch] [--json]`.
fn authenticator(env: &Env, watch: bool, as_json: bool) -> CliResult {
    let mut svc = env.open(OpenMode::Existing)?;
    loop {
        let codes = svc.authenticator()?;
        if as_json {
            let list: Vec<_> = codes
                .iter()
                .map(|c| json!({"upn": c.principal.upn, "code": c.code, "seconds_left": c.seconds_left}))
                .collect();
            json(&list)?;
        } else {
            let left = codes.first().map_or(30, |c| c.seconds_left);
            outln!("Codes now (valid for {left}s more):");
            for c in &codes {
                let code = c
                    .code
                    .as_deref()
                    .map_or("------".to_owned(), |c| format!("{} {}", &c[..3], &c[3..]));
                outln!("  {:<36} {code}", c.principal.upn);
            }
        }
        if !watch {
            return Ok(());
        }
        let left = codes.first().map_or(30, |c| c.seconds_left);
        std::thread::sleep(std::time::Duration::from_secs(left.max(1)));
        outln!();
    }
}

/// `pim lab [--reset] [--json]` and `pim lab authenticator`.
pub fn lab(env: &Env, args: &LabArgs) -> CliResult {
    match &args.command {
        Some(super::args::LabCommand::Authenticator { watch, json }) => {
            return authenticator(env, *watch, *json);
        }
        Some(super::args::LabCommand::Seed(a)) => return seed(env, a),
        Some(super::args::LabCommand::Qr { upn, json: as_json }) => {
            let mut svc = env.open(OpenMode::Existing)?;
            let e = svc.lab_enrolment(upn)?;
            if *as_json {
                return json(&json!({"upn": upn, "totp_secret": e.secret, "otpauth_uri": e.uri}));
            }
            print_enrolment(upn, &e);
            return Ok(());
        }
        Some(super::args::LabCommand::Simulate(
            super::args::SimulateCommand::OutsideAssignment { role, upn },
        )) => {
            let token = env.token()?;
            let mut svc = env.open(OpenMode::Existing)?;
            let a = svc.simulate_outside_assignment(&token, role, upn)?;
            outln!(
                "Wrote a permanent active assignment of {} for {} outside PIM (id {}).",
                crate::policy::text::sanitize(role),
                crate::policy::text::sanitize(upn),
                a.id
            );
            outln!(
                "`pim alerts` now shows \"Roles are being assigned outside of Privileged Identity Management\";"
            );
            outln!(
                "`pim audit verify` reports the assignment as not recorded by PIM, as it would a real one."
            );
            outln!(
                "Remove it with: pim unassign '{}' {} --type active",
                crate::policy::text::sanitize(role),
                crate::policy::text::sanitize(upn)
            );
            return Ok(());
        }
        None => {}
    }
    let mut svc = env.open(OpenMode::Create)?;
    if !args.reset
        && let Ok(t) = svc.tenant()
        && t.kind == crate::policy::model::TenantKind::Lab
    {
        let db = env.db.display();
        let delete = if env.db.to_str().is_some_and(crate::store::pg::is_url) {
            "or give the class a new database (createdb, then `pim db init URL`)".to_owned()
        } else {
            format!("or delete it: rm {db} {db}.key {db}.anchor")
        };
        return Err(super::CliError::error(format!(
            "a training lab already exists in {db}.\n  Use it: pim login --user admin@{domain} (its passwords were printed when it was made; `pim lab authenticator` shows the accounts' codes and `pim lab qr UPN` their QR codes).\n  Start over: `pim lab --reset` as its signed-in administrator (the audit log is kept), {delete}",
            domain = t.domain
        )));
    }
    let token = if args.reset {
        env.sessions()?.optional_token(env.as_upn.as_deref())
    } else {
        None
    };
    let created = svc.create_lab(args.reset, token.as_ref())?;
    if args.json {
        return json(&json!({
            "tenant": {
                "domain": created.tenant.domain,
                "display_name": created.tenant.display_name,
                "kind": created.tenant.kind,
            },
            "database": env.db.display().to_string(),
            "accounts": created.accounts,
        }));
    }
    let verb = if created.reset { "Rebuilt" } else { "Created" };
    outln!(
        "{verb} the training lab {} ({}) in {}.\n",
        created.tenant.display_name,
        created.tenant.domain,
        env.db.display()
    );
    outln!("Passwords and authenticator secrets are shown only now; keep them.\n");
    for a in &created.accounts {
        print_account(a);
    }
    outln!("Add each secret to an authenticator app (TOTP, SHA1, 6 digits, 30 s): scan its QR");
    outln!(
        "code with `pim lab qr UPN`, or get codes in a terminal with: oathtool --totp -b SECRET\n"
    );
    if std::env::var_os("PIM_DB").is_none() && env.db != super::default_db() {
        outln!(
            "Tip: export PIM_DB={} so every command uses this lab.",
            env.db.display()
        );
    }
    outln!("Next: pim login --user {}", created.accounts[0].upn);
    Ok(())
}

/// `pim lab seed`.
fn seed(env: &Env, a: &super::args::SeedArgs) -> CliResult {
    let mut svc = env.open(OpenMode::Existing)?;
    svc.check_seedable()?;
    let token = env.token()?;
    let bar = super::output::progress_bar("Seeding the lab", 0, a.json);
    let spec = crate::service::SeedSpec {
        users: a.users,
        assignments: a.assignments,
        audit: a.audit,
        seed: a.seed,
    };
    let done = svc.seed_lab(&token, spec, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let done = done?;
    if a.json {
        return json(&done);
    }
    outln!(
        "Added {} users, {} assignments and {} audit entries (seed {}).",
        done.users,
        done.assignments,
        done.audit,
        a.seed
    );
    if let Some(upn) = &done.first_upn {
        outln!(
            "The seeded accounts ({upn} and on) share the password {} and one authenticator secret; `pim lab qr {upn}` shows it.",
            done.password
        );
    }
    Ok(())
}

fn print_account(a: &CreatedAccount) {
    let roles = if a.roles.is_empty() {
        "no roles".to_owned()
    } else {
        format!("{} (active, permanent)", a.roles.join(", "))
    };
    outln!("  {}  {}  {roles}", a.upn, a.display_name);
    outln!("    password     {}", a.password);
    outln!("    TOTP secret  {}", a.totp_secret);
    outln!("    otpauth URI  {}\n", a.otpauth_uri);
}

/// Prints an authenticator enrolment: secret, URI and QR code.
pub fn print_enrolment(upn: &str, e: &Enrolment) {
    outln!("Authenticator for {upn} (scan the QR code, or type the secret):");
    outln!("  secret  {}", e.secret);
    outln!("  URI     {}\n", e.uri);
    if let Some(qr) = &e.qr {
        super::output::qr(qr);
    }
}

fn value(given: Option<String>, prompt: &str, flag: &str) -> Result<String, super::CliError> {
    match given {
        Some(v) => Ok(v),
        None => prompt_line(prompt, flag),
    }
}

/// `pim init`.
pub fn init(env: &Env, args: InitArgs) -> CliResult {
    let domain = value(
        args.domain,
        "Tenant domain (e.g. contoso.onmicrosoft.com): ",
        "--domain",
    )?;
    let name = value(args.name, "Tenant display name: ", "--name")?;
    let admin = value(
        args.admin_upn,
        &format!("First Global Administrator (name@{domain}): "),
        "--admin",
    )?;
    let admin_name = value(args.admin_name, "Their display name: ", "--admin-name")?;
    let password = if args.password_stdin {
        read_stdin_line()?
    } else {
        let first = prompt_password("Password (at least 12 characters): ", "--password-stdin")?;
        let again = prompt_password("Password again: ", "--password-stdin")?;
        if first != again {
            return Err(super::CliError::usage(
                "the two passwords differ; nothing was created",
            ));
        }
        first
    };
    let mut svc = env.open(OpenMode::Create)?;
    let created = svc.init_tenant(&domain, &name, &admin, &admin_name, &password)?;
    let enrolment = Enrolment::for_secret(&created.admin.totp_secret, &created.admin.upn);
    if args.json {
        return json(&json!({
            "tenant": {"domain": created.tenant.domain, "display_name": created.tenant.display_name, "kind": created.tenant.kind},
            "admin": {"upn": created.admin.upn, "display_name": created.admin.display_name, "totp_secret": enrolment.secret, "otpauth_uri": enrolment.uri},
        }));
    }
    outln!(
        "Created the tenant {} ({}) in {}.",
        created.tenant.display_name,
        created.tenant.domain,
        env.db.display()
    );
    outln!(
        "{} is its Global Administrator (active, permanent).\n",
        created.admin.upn
    );
    print_enrolment(&created.admin.upn, &enrolment);
    outln!("Next: pim login --user {}", created.admin.upn);
    Ok(())
}

/// `pim clock [show|advance|set|reset]`.
pub fn clock(env: &Env, args: ClockArgs) -> CliResult {
    let mut svc = env.open(OpenMode::Existing)?;
    let state = match args.command.unwrap_or(ClockCommand::Show) {
        ClockCommand::Show => svc.clock()?,
        ClockCommand::Advance { by } => svc.advance_clock(&env.token()?, by)?,
        ClockCommand::Set { to } => svc.set_clock(&env.token()?, to)?,
        ClockCommand::Reset => svc.reset_clock(&env.token()?)?,
    };
    print_clock(&state, args.json)
}

fn print_clock(s: &ClockState, as_json: bool) -> CliResult {
    if as_json {
        return json(&json!({
            "now": rfc3339(s.now),
            "real": rfc3339(s.real),
            "offset_seconds": s.offset.num_seconds(),
            "lab": s.lab,
        }));
    }
    let secs = s.offset.num_seconds();
    let relation = match secs {
        0 => "real time".to_owned(),
        s if s > 0 => format!(
            "{} ahead of real time",
            format_duration(chrono::TimeDelta::seconds(s))
        ),
        s => format!(
            "{} behind real time",
            format_duration(chrono::TimeDelta::seconds(-s))
        ),
    };
    outln!("Lab time:  {} ({relation})", local(s.now));
    outln!("Real time: {}", local(s.real));
    if !s.lab {
        outln!("This tenant is not a lab: its clock is real time and cannot be moved.");
    }
    Ok(())
}
