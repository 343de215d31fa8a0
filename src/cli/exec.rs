//! `pim check ROLE` and `pim exec ROLE -- CMD`: scripts that need a role, and commands that
//! run only while it lasts.

use serde_json::json;

use super::args::{CheckArgs, ExecArgs};
use super::output::{end_text, json, rfc3339};
use super::{CliError, CliResult, Env, with_code_prompt};
use crate::policy::duration::format_left;
use crate::service::{ActivateInput, ActivationOutcome, ServiceError};
use crate::store::OpenMode;

/// `pim check ROLE`: exit 0 when the role is active for the signed-in account, 3 when not.
pub fn check(env: &Env, a: &CheckArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    match svc.held_role(&token, &a.role) {
        Ok(held) => {
            if a.json {
                return json(&json!({
                    "role": held.role.display_name,
                    "active": true,
                    "end": held.assignment.end.map(rfc3339),
                }));
            }
            match held.assignment.time_left(held.now) {
                Some(left) => outln!(
                    "{} is active until {} ({}).",
                    held.role.display_name,
                    end_text(held.assignment.end),
                    format_left(left)
                ),
                None => outln!("{} is active, permanently.", held.role.display_name),
            }
            Ok(())
        }
        Err(ServiceError::Refused(r)) if a.json => {
            json(&json!({"role": a.role, "active": false, "reason": r.to_string()}))?;
            Err(CliError {
                code: 3,
                message: String::new(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// `pim exec ROLE [--activate …] -- CMD [ARGS…]`.
#[cfg(unix)]
pub fn exec(env: &Env, a: ExecArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    if a.activate && svc.held_role(&token, &a.role).is_err() {
        let input = ActivateInput {
            role: a.role.clone(),
            duration: a.duration.ok_or_else(|| {
                CliError::usage("--activate needs --for DURATION (and --reason TEXT)")
            })?,
            start: None,
            justification: a.reason.clone(),
            ticket_number: a.ticket_number.clone(),
            ticket_system: a.ticket_system.clone(),
            otp: None,
            password: None,
        };
        // An authentication context asks for the password again, typed at the terminal (the
        // command owns standard input, so there is no --password-stdin here).
        let mut password: Option<String> = None;
        let outcome = with_code_prompt(a.otp.clone(), |otp| {
            super::with_password_again(&mut password, "a terminal", |password| {
                svc.activate(
                    &token,
                    ActivateInput {
                        otp: otp.clone(),
                        password,
                        ..input.clone()
                    },
                )
            })
        })?;
        if let ActivationOutcome::Pending(view) = outcome {
            return Err(CliError {
                code: 3,
                message: format!(
                    "refused: ApprovalRule: {} needs approval first; request {} waits for its approvers, so nothing was run",
                    view.role.display_name, view.request.id
                ),
            });
        }
    }
    let held = svc.held_role(&token, &a.role)?;
    supervise::run(&mut svc, &token, &held, &a.command, a.grace)
}

/// `pim exec` needs Unix process groups.
#[cfg(not(unix))]
pub fn exec(_env: &Env, _a: ExecArgs) -> CliResult {
    Err(CliError::usage("pim exec needs a Unix system"))
}

#[cfg(unix)]
mod supervise {
    //! Runs the command in its own process group in the terminal's foreground, and watches the
    //! role: every change another terminal commits (`PRAGMA data_version`) and every second.
    //! When the role ends, the group gets SIGTERM, then SIGKILL after the grace period.

    use std::io::IsTerminal;
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    use std::process::{Child, Command, ExitStatus};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use chrono::TimeDelta;
    use nix::sys::signal::{SigSet, Signal, killpg};
    use nix::unistd::{Pid, getpgrp, tcgetpgrp, tcsetpgrp};
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

    use super::super::{CliError, CliResult};
    use crate::service::{ExecEnd, Held, Service, SessionToken};

    /// How often the role is looked at without a change to notice.
    const EVERY: Duration = Duration::from_secs(1);
    /// How often the command's end is looked for.
    const TICK: Duration = Duration::from_millis(100);

    pub fn run(
        svc: &mut Service,
        token: &SessionToken,
        held: &Held,
        command: &[String],
        grace: TimeDelta,
    ) -> CliResult {
        let program = command
            .first()
            .map(|p| {
                std::path::Path::new(p)
                    .file_name()
                    .map_or_else(|| p.clone(), |n| n.to_string_lossy().into_owned())
            })
            .unwrap_or_default();
        svc.exec_started(token, held, &program)?;
        let mut child = Command::new(&command[0])
            .args(&command[1..])
            .env("PIM_ROLE", &held.role.display_name)
            .env(
                "PIM_ROLE_END",
                held.assignment.end.map(super::rfc3339).unwrap_or_default(),
            )
            .process_group(0)
            .spawn()
            .map_err(|e| {
                // As shells report it: 127 not found, 126 found but not runnable.
                let code = if e.kind() == std::io::ErrorKind::NotFound {
                    127
                } else {
                    126
                };
                let _ = svc.exec_ended(held, &program, &ExecEnd::Exited(i32::from(code)));
                CliError {
                    code,
                    message: format!("cannot run {}: {e}", command[0]),
                }
            })?;
        let group = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
        // Hand the terminal over only when pim has it (not when run in the background).
        let terminal = std::io::stdin().is_terminal()
            && tcgetpgrp(std::io::stdin()).is_ok_and(|fg| fg == getpgrp());
        if terminal {
            let _ = tcsetpgrp(std::io::stdin(), group);
            let _ = killpg(group, Signal::SIGCONT);
        }
        let (status, ended) = watch(svc, held, &mut child, group, grace);
        if terminal {
            take_terminal_back();
        }
        let code = status.map_or(1, |s| exit_code(&s));
        let end = match &ended {
            Some(why) => ExecEnd::RoleEnded(why.clone()),
            None => ExecEnd::Exited(code),
        };
        let _ = svc.exec_ended(held, &program, &end);
        if let Some(why) = ended {
            errln!(
                "pim: {} ended ({why}); {program} was stopped.",
                held.role.display_name
            );
        }
        if code == 0 {
            Ok(())
        } else {
            Err(CliError {
                code: u8::try_from(code).unwrap_or(1),
                message: String::new(),
            })
        }
    }

    /// Waits for the command, ending it when the role ends; returns its status and, when pim
    /// stopped it, why. SIGINT, SIGTERM and SIGHUP sent to pim itself are passed on to the
    /// command's group (with a terminal, Ctrl-C reaches the command directly).
    fn watch(
        svc: &mut Service,
        held: &Held,
        child: &mut Child,
        group: Pid,
        grace: TimeDelta,
    ) -> (Option<ExitStatus>, Option<String>) {
        let received = Arc::new(AtomicUsize::new(0));
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            let _ = signal_hook::flag::register_usize(
                sig,
                Arc::clone(&received),
                usize::try_from(sig).unwrap_or(0),
            );
        }
        let mut current = held.clone();
        let mut version = svc.store().data_version().ok();
        let mut looked = Instant::now();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return (Some(status), None);
            }
            let sig = received.swap(0, Ordering::SeqCst);
            if let Some(sig) = i32::try_from(sig)
                .ok()
                .and_then(|s| Signal::try_from(s).ok())
            {
                let _ = killpg(group, sig);
            }
            std::thread::sleep(TICK);
            let now_version = svc.store().data_version().ok();
            if now_version == version && looked.elapsed() < EVERY {
                continue;
            }
            version = now_version;
            looked = Instant::now();
            match svc.still_held(&current) {
                Ok(Ok(now)) => current = now,
                Ok(Err(why)) => return (stop(child, group, grace), Some(why)),
                // Busy or unreadable for a moment: looked at again next time.
                Err(_) => {}
            }
        }
    }

    /// SIGTERM to the group, SIGKILL after the grace period.
    fn stop(child: &mut Child, group: Pid, grace: TimeDelta) -> Option<ExitStatus> {
        let _ = killpg(group, Signal::SIGTERM);
        let deadline = Instant::now() + grace.to_std().unwrap_or(Duration::from_secs(10));
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(TICK);
        }
        let _ = killpg(group, Signal::SIGKILL);
        child.wait().ok()
    }

    /// Makes pim's own group the terminal's foreground again; SIGTTOU is blocked meanwhile, as
    /// a shell does, or the kernel would stop pim for touching the terminal from behind.
    fn take_terminal_back() {
        let mut ttou = SigSet::empty();
        ttou.add(Signal::SIGTTOU);
        if ttou.thread_block().is_ok() {
            let _ = tcsetpgrp(std::io::stdin(), getpgrp());
            let _ = ttou.thread_unblock();
        }
    }

    /// The command's exit code, or 128 + the signal that ended it (as shells report it).
    fn exit_code(s: &ExitStatus) -> i32 {
        s.code()
            .or_else(|| s.signal().map(|sig| 128 + sig))
            .unwrap_or(1)
    }
}
