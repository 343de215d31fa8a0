//! `pim check`, `pim status --short` and `pim exec`: scripts that need a role, a prompt segment,
//! and a command that runs only while the role lasts and is stopped when it ends.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Pim, Run};

struct Lab {
    pim: Pim,
    admin: String,
    user: String,
}

/// A lab with both accounts signed in and pimuser eligible for Security Reader.
fn lab() -> Lab {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    pim.login("pimuser").ok();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    pim.make_eligible(Some(&admin), "Security Reader", "pimuser")
        .ok();
    Lab { pim, admin, user }
}

impl Lab {
    fn user(&self, args: &[&str]) -> Run {
        self.pim.run_as(Some(&self.user), args)
    }

    fn admin(&self, args: &[&str]) -> Run {
        self.pim.run_as(Some(&self.admin), args)
    }

    /// pimuser activates Security Reader for an hour with the next code.
    fn activate(&self) {
        let code = self.pim.code("pimuser", 1);
        self.user(&[
            "activate",
            "Security Reader",
            "--for",
            "1h",
            "--reason",
            "review",
            "--otp",
            &code,
        ])
        .ok();
    }

    /// `pim exec` as pimuser, started in the background with its output captured.
    fn spawn_exec(&self, args: &[&str]) -> Child {
        let mut all = vec!["exec", "Security Reader"];
        all.extend_from_slice(args);
        self.pim
            .command(Some(&self.user), &all)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// The details of the newest audit entry named `activity`.
    fn last_audit(&self, activity: &str) -> String {
        self.pim
            .tables()
            .conn()
            .one(
                "SELECT details FROM audit WHERE activity = ?1 ORDER BY seq DESC LIMIT 1",
                pim_console::args![activity],
                |r| r.get(0),
            )
            .unwrap_or_default()
    }
}

/// Waits up to `secs` for the child; fails the test (after killing it) when it is still running.
fn finish(mut child: Child, secs: u64) -> Run {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("pim exec still running after {secs}s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Waits until the command has started under the role (its start is audited before it runs).
fn started(l: &Lab) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while l
        .last_audit("Run command with role started (PIM exec)")
        .is_empty()
    {
        assert!(Instant::now() < deadline, "pim exec never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The command itself is spawned just after the audit entry.
    std::thread::sleep(Duration::from_millis(300));
}

#[test]
fn check_says_whether_a_role_is_active_for_scripts() {
    let l = lab();
    let run = l.user(&["check", "Security Reader"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("RoleAssignmentDoesNotExist"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("pim activate 'Security Reader'"),
        "{}",
        run.stderr
    );
    let run = l.user(&["check", "Security Reader", "--json"]);
    assert_eq!(run.code, 3);
    assert_eq!(run.json()["active"], false);

    l.activate();
    let run = l.user(&["check", "Security Reader"]).ok();
    assert!(
        run.stdout.contains("Security Reader is active until"),
        "{}",
        run.stdout
    );
    let v = l.user(&["check", "security-reader", "--json"]).ok().json();
    assert_eq!(v["active"], true);
    assert!(v["end"].as_str().unwrap().ends_with('Z'));

    let run = l.admin(&["check", "Global Administrator"]).ok();
    assert!(run.stdout.contains("active, permanently"), "{}", run.stdout);
    l.user(&["check", "No Such Role"]).fails(2, "no role named");
    l.pim
        .run_as(Some(&l.pim.upn("approver")), &["check", "Security Reader"])
        .fails(4, "");
}

#[test]
fn short_status_is_one_line_for_a_prompt() {
    let l = lab();
    let run = l.user(&["status", "--short"]).ok();
    assert_eq!(run.stdout, "", "nothing when no role is active");
    l.activate();
    let run = l.user(&["status", "--short"]).ok();
    assert!(
        run.stdout == "SR 59m\n" || run.stdout == "SR 1h\n",
        "{:?}",
        run.stdout
    );
    assert_eq!(l.admin(&["status", "--short"]).ok().stdout, "GA perm\n");

    // Read only: not even the sweep runs, and a terminal that is not signed in prints nothing.
    let before = (l.pim.snapshot(), l.pim.audit_count());
    let run = l
        .pim
        .run_as(Some(&l.pim.upn("approver")), &["status", "--short"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (4, "", "")
    );
    l.user(&["status", "--short"]).ok();
    assert_eq!((l.pim.snapshot(), l.pim.audit_count()), before);
}

#[test]
fn exec_without_the_role_runs_nothing() {
    let l = lab();
    let marker = l.pim.dir.path().join("ran");
    let before = l.pim.audit_count();
    let run = l.user(&[
        "exec",
        "Security Reader",
        "--",
        "touch",
        marker.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("RoleAssignmentDoesNotExist"),
        "{}",
        run.stderr
    );
    assert!(!marker.exists(), "the command ran without the role");
    assert_eq!(l.pim.audit_count(), before);
    // A command is needed, after `--`.
    l.user(&["exec", "Security Reader"]).fails(2, "");
}

#[test]
fn exec_passes_the_role_and_the_exit_status() {
    let l = lab();
    l.activate();
    let run = l.user(&[
        "exec",
        "Security Reader",
        "--",
        "sh",
        "-c",
        "echo \"$PIM_ROLE|$PIM_ROLE_END\"; exit 7",
    ]);
    assert_eq!(run.code, 7, "{}", run.stderr);
    let (role, end) = run.stdout.trim().split_once('|').unwrap();
    assert_eq!(role, "Security Reader");
    let v = l.user(&["check", "Security Reader", "--json"]).ok().json();
    assert_eq!(end, v["end"].as_str().unwrap());
    let started = l.last_audit("Run command with role started (PIM exec)");
    assert!(started.contains("\"program\":\"sh\""), "{started}");
    assert!(
        !started.contains("exit 7"),
        "arguments may hold secrets: {started}"
    );
    let ended = l.last_audit("Run command with role ended (PIM exec)");
    assert!(ended.contains("\"exited\":7"), "{ended}");

    // A program that is not there: 127, as a shell says, and the end is audited.
    let run = l.user(&["exec", "Security Reader", "--", "no-such-program-here"]);
    assert_eq!(run.code, 127, "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot run no-such-program-here"),
        "{}",
        run.stderr
    );
}

#[test]
fn exec_can_activate_first_with_one_code() {
    let l = lab();
    let code = l.pim.code("pimuser", 1);
    let run = l.user(&[
        "exec",
        "Security Reader",
        "--activate",
        "--for",
        "2h",
        "--reason",
        "nightly job",
        "--otp",
        &code,
        "--",
        "sh",
        "-c",
        "echo $PIM_ROLE",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().last(), Some("Security Reader"));
    l.user(&["check", "Security Reader"]).ok();
    // --for without --activate is a usage error.
    l.user(&["exec", "Security Reader", "--for", "1h", "--", "true"])
        .fails(2, "--activate");
}

#[test]
fn exec_stops_the_command_when_the_lab_clock_passes_the_end() {
    let l = lab();
    l.activate();
    let child = l.spawn_exec(&["--grace", "2s", "--", "sleep", "600"]);
    started(&l);
    l.admin(&["clock", "advance", "2h"]).ok();
    let run = finish(child, 15);
    assert_eq!(run.code, 128 + 15, "ended by SIGTERM: {}", run.stderr);
    assert!(
        run.stderr.contains("Security Reader ended (it expired at"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("sleep was stopped"), "{}", run.stderr);
    let ended = l.last_audit("Run command with role ended (PIM exec)");
    assert!(ended.contains("role_ended"), "{ended}");
    assert!(ended.contains("expired"), "{ended}");
}

#[test]
fn exec_stops_the_command_when_an_admin_removes_the_assignment() {
    let l = lab();
    let user = l.user.clone();
    l.admin(&[
        "assign",
        "Application Administrator",
        &user,
        "--type",
        "active",
        "--for",
        "1d",
        "--reason",
        "migration",
    ])
    .ok();
    // Removal is allowed 5 minutes after the assignment.
    l.admin(&["clock", "advance", "6m"]).ok();
    let child = l
        .pim
        .command(
            Some(&user),
            &[
                "exec",
                "Application Administrator",
                "--grace",
                "2s",
                "--",
                "sleep",
                "600",
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    started(&l);
    l.admin(&[
        "unassign",
        "Application Administrator",
        &user,
        "--type",
        "active",
    ])
    .ok();
    let run = finish(child, 15);
    assert_eq!(run.code, 128 + 15, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Application Administrator ended (it was deactivated or removed)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_command_that_ignores_sigterm_is_killed_after_the_grace() {
    let l = lab();
    l.activate();
    // The shell ignores SIGTERM, and so does the sleep it starts.
    let child = l.spawn_exec(&["--grace", "1s", "--", "sh", "-c", "trap '' TERM; sleep 600"]);
    started(&l);
    l.admin(&["clock", "advance", "2h"]).ok();
    let run = finish(child, 15);
    assert_eq!(run.code, 128 + 9, "ended by SIGKILL: {}", run.stderr);
}

#[test]
fn sigterm_to_pim_reaches_the_command() {
    let l = lab();
    l.activate();
    let child = l.spawn_exec(&["--", "sleep", "600"]);
    started(&l);
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let run = finish(child, 15);
    assert_eq!(run.code, 128 + 15, "{}", run.stderr);
    let ended = l.last_audit("Run command with role ended (PIM exec)");
    assert!(ended.contains("\"exited\":143"), "{ended}");
}

#[test]
fn the_command_has_the_terminal_and_the_shell_gets_it_back() {
    use rexpect::reader::Options;
    use rexpect::session::spawn_with_options;

    let l = lab();
    l.activate();
    // In a pseudo-terminal: the command reads a line from the terminal, then sleeps until the
    // role ends; afterwards the shell reads the terminal again, which it could not do had pim
    // left the terminal with the stopped command's group.
    let script = format!(
        "'{}' exec 'Security Reader' --grace 2s -- sh -c 'read l; echo got:$l; sleep 600'; \\
         echo EXIT=$?; read again; echo back:$again",
        env!("CARGO_BIN_EXE_pim"),
    );
    // The environment pim gets in every test (database, state directory, account).
    let cmd = l.pim.command(Some(&l.user), &[]);
    let mut sh = std::process::Command::new("sh");
    sh.args(["-c", &script]);
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    let mut pty = spawn_with_options(sh, Options::new().timeout_ms(Some(20_000))).unwrap();
    started(&l);
    pty.send_line("hello").unwrap();
    pty.exp_string("got:hello").unwrap();
    l.admin(&["clock", "advance", "2h"]).ok();
    pty.exp_string("sh was stopped").unwrap();
    pty.exp_string("EXIT=143").unwrap();
    pty.send_line("again").unwrap();
    pty.exp_string("back:again").unwrap();
}

#[test]
fn exec_activate_on_a_role_that_needs_approval_runs_nothing() {
    let l = lab();
    l.admin(&[
        "settings",
        "set",
        "Security Reader",
        "--require-approval",
        "on",
    ])
    .ok();
    let marker = l.pim.dir.path().join("ran");
    let code = l.pim.code("pimuser", 1);
    let run = l.user(&[
        "exec",
        "Security Reader",
        "--activate",
        "--for",
        "1h",
        "--reason",
        "needs a yes",
        "--otp",
        &code,
        "--",
        "touch",
        marker.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("needs approval first"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was run"), "{}", run.stderr);
    assert!(!marker.exists());
    // The request waits for the approvers, as with pim activate.
    let v = l.user(&["requests", "--json"]).ok().json();
    assert!(v.to_string().contains("PendingApproval"), "{v}");
}
