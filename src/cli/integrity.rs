//! `pim backup`, `pim restore` (and `pim doctor`): looking after the database file itself.

use serde_json::json;

use super::args::{BackupArgs, DoctorArgs};
use super::output::json;
use super::{CliError, CliResult, Env};
use crate::policy::duration::format_utc;
use crate::service::{Check, RestoreStep, Restored, Service, ServiceError, Verdict};
use crate::store::OpenMode;

/// `pim backup FILE`.
pub fn backup(env: &Env, a: &BackupArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    let bar = super::output::progress_bar("Backing up (pages)", 0, a.json);
    let done = svc.backup(&token, &a.file, &mut |done, total| {
        bar.set_length(u64::try_from(total).unwrap_or(0));
        bar.set_position(u64::try_from(done).unwrap_or(0));
    });
    bar.finish_and_clear();
    let done = done?;
    if a.json {
        return json(&done);
    }
    outln!(
        "Backed up {} to {} ({} audit entries), checked after writing.",
        env.db.display(),
        done.file.display(),
        done.entries
    );
    if let Some(key) = &done.key_file {
        outln!(
            "Keep the key too: {}. The backup does not hold it, and without it nobody can sign in to a restored copy. Keep it somewhere else than the backup.",
            key.display()
        );
    }
    Ok(())
}

/// Whether a database that failed to open is beyond signing in to (so a restore may replace
/// it without a sign-in): missing, not a database, or damaged. Another program's database, a
/// newer pim's, or one with loose permissions is not replaced.
fn unopenable(e: &ServiceError) -> bool {
    matches!(e, ServiceError::Store(s) if s.is_damage())
}

/// `pim restore FILE`.
pub fn restore(env: &Env, a: &BackupArgs) -> CliResult {
    let opened = Service::open(&env.db, OpenMode::Existing);
    let token = match &opened {
        Ok(_) => Some(env.token()?),
        Err(_) => None,
    };
    // What it is doing, on a terminal: checking a big backup and copying take seconds each.
    let bar = super::output::progress_spinner(a.json);
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    let mut step = |s: RestoreStep| match s {
        RestoreStep::Checking => bar.set_message("Checking the backup…"),
        RestoreStep::KeepingAside { done, total } => bar.set_message(format!(
            "Keeping the current database aside: {done} of {total} pages…"
        )),
        RestoreStep::CopyingIn => bar.set_message("Putting the backup in place…"),
    };
    let restored = match (opened, token) {
        (Ok(mut svc), Some(token)) => {
            svc.on_warning(|w| errln!("warning: {w}"));
            svc.restore(&token, &a.file, &mut step)
        }
        (Err(e), _) if unopenable(&e) => {
            bar.suspend(|| {
                errln!(
                    "The database cannot be opened ({e}); nobody can sign in to it, so it is replaced without a sign-in and kept aside."
                );
            });
            Service::restore_unopenable(&env.db, &a.file, &e.to_string(), &mut step).map(|r| r.1)
        }
        (Err(e), _) => Err(e),
        (Ok(_), None) => Err(ServiceError::Auth(crate::service::AuthFailure::NotSignedIn)),
    };
    bar.finish_and_clear();
    print_restored(env, &restored?, a.json)
}

fn print_restored(env: &Env, r: &Restored, as_json: bool) -> Result<(), CliError> {
    if as_json {
        return json(&json!({
            "file": r.file.display().to_string(),
            "database": env.db.display().to_string(),
            "kept_aside": r.aside.as_ref().map(|p| p.display().to_string()),
            "tenant": r.tenant,
            "restored_head": r.restored_head,
            "replaced_head": r.replaced_head,
        }));
    }
    outln!(
        "Restored {} ({}) from {}.",
        env.db.display(),
        r.tenant,
        r.file.display()
    );
    if let Some(aside) = &r.aside {
        outln!("The database it replaced is kept at {}.", aside.display());
    }
    outln!(
        "The restore is recorded in the audit log after entry #{}, and the anchor moved there: `pim audit verify` shows a known rollback, not tampering. Everyone signed in after the backup was taken signs in again.",
        r.restored_head
    );
    Ok(())
}

/// `pim doctor [--json] [--accept-clock]`.
pub fn doctor(env: &Env, a: &DoctorArgs) -> CliResult {
    if a.accept_clock {
        let mut svc = env.open_quietly(OpenMode::Existing)?;
        match svc.accept_clock()? {
            Some(mark) => outln!(
                "Accepted the system clock: the newest time seen was {}; it is now the current time. Recorded in the audit log.",
                format_utc(mark)
            ),
            None => outln!(
                "The system clock is not behind anything this database has seen; nothing to accept."
            ),
        }
    }
    let (mut checks, _svc) = Service::doctor(&env.db);
    checks.push(session_check(env));
    let problems = checks
        .iter()
        .filter(|c| c.verdict == Verdict::Problem)
        .count();
    if a.json {
        json(
            &json!({"healthy": problems == 0, "database": env.db.display().to_string(), "checks": checks}),
        )?;
    } else {
        for c in &checks {
            let mark = match c.verdict {
                Verdict::Ok => "ok     ",
                Verdict::Note => "note   ",
                Verdict::Problem => "PROBLEM",
            };
            outln!("{mark}  {:<16} {}", c.name, c.detail);
        }
    }
    if problems == 0 {
        if !a.json {
            outln!("\nNothing is wrong.");
        }
        return Ok(());
    }
    Err(CliError::error(format!(
        "{problems} {} to put right (see above)",
        if problems == 1 { "problem" } else { "problems" }
    )))
}

fn session_check(env: &Env) -> Check {
    match env.sessions() {
        Ok(s) => Check {
            name: "Sessions",
            verdict: Verdict::Ok,
            detail: format!(
                "{} ({} signed in)",
                s.path().display(),
                s.accounts().0.len()
            ),
        },
        Err(e) => Check {
            name: "Sessions",
            verdict: Verdict::Problem,
            detail: e.message.trim_start_matches("error: ").to_owned(),
        },
    }
}
