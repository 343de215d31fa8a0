//! Prompts at a terminal: a wrong or already used code is asked again (up to three codes, each
//! counted towards the lockout), and a code spent signing in is said to be so.

use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

use crate::common::Pim;

/// `pim ARGS` in a pseudo-terminal, with the test's environment, as `as_upn`; a shell
/// prints `EXIT=code` after it.
fn pty(pim: &Pim, as_upn: Option<&str>, args: &[&str]) -> PtySession {
    let cmd = pim.command(as_upn, args);
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_pim"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let mut real = std::process::Command::new("sh");
    real.args(["-c", &format!("{}; echo EXIT=$?", quoted.join(" "))]);
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => real.env(k, v),
            None => real.env_remove(k),
        };
    }
    spawn_with_options(real, Options::new().timeout_ms(Some(15_000))).unwrap()
}

#[test]
fn a_wrong_code_at_the_prompt_is_asked_again() {
    let mut pim = Pim::new();
    pim.lab();
    let upn = pim.upn("pimuser");
    let mut p = pty(&pim, None, &["login", "--user", &upn]);
    p.exp_string("Password: ").unwrap();
    p.send_line(&pim.password("pimuser")).unwrap();
    p.exp_string("Code from your authenticator: ").unwrap();
    p.send_line("000000").unwrap();
    p.exp_string("the code is not valid").unwrap();
    p.exp_string("Code from your authenticator: ").unwrap();
    p.send_line(&pim.code("pimuser", 0)).unwrap();
    p.exp_string("Signed in as Pim User").unwrap();
    p.exp_string("EXIT=0").unwrap();
    // The failure was counted.
    let failures: i64 = pim
        .tables()
        .conn()
        .one(
            "SELECT failed_attempts FROM users WHERE upn = ?1",
            pim_console::args![&upn],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failures, 0, "a sign-in resets the count");
    let audited: i64 = pim
        .tables()
        .conn()
        .one(
            "SELECT count(*) FROM audit WHERE result = 'failure' AND target = ?1",
            pim_console::args![&upn],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1, "the wrong code is audited");
}

#[test]
fn the_code_that_signed_you_in_is_named_and_the_next_one_is_asked_for() {
    let mut pim = Pim::new();
    pim.lab();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    pim.login("admin").ok();
    pim.make_eligible(Some(&admin), "Security Reader", "pimuser")
        .ok();
    // The very code that signs in, kept: the clock may pass into the next 30 s by the prompt.
    let used = pim.code("pimuser", 0);
    pim.run_stdin(
        &["login", "--user", &user, "--password-stdin", "--otp", &used],
        &format!("{}\n", pim.password("pimuser")),
    )
    .ok();
    let mut p = pty(
        &pim,
        Some(&user),
        &[
            "activate",
            "Security Reader",
            "--for",
            "1h",
            "--reason",
            "review",
        ],
    );
    p.exp_string("needs a fresh code").unwrap();
    p.exp_string("Code: ").unwrap();
    p.send_line(&used).unwrap();
    p.exp_string("that code just signed you in and cannot be used twice; wait for the next code")
        .unwrap();
    p.exp_string("Code: ").unwrap();
    p.send_line(&pim.code("pimuser", 1)).unwrap();
    p.exp_string("Security Reader is active until").unwrap();
    p.exp_string("EXIT=0").unwrap();
}

#[test]
fn three_wrong_codes_end_the_command() {
    let mut pim = Pim::new();
    pim.lab();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    pim.login("admin").ok();
    pim.make_eligible(Some(&admin), "Security Reader", "pimuser")
        .ok();
    pim.login("pimuser").ok();
    let before = pim.snapshot();
    let mut p = pty(
        &pim,
        Some(&user),
        &[
            "activate",
            "Security Reader",
            "--for",
            "1h",
            "--reason",
            "review",
        ],
    );
    for _ in 0..3 {
        p.exp_string("Code: ").unwrap();
        p.send_line("000000").unwrap();
    }
    p.exp_string("the code is not valid").unwrap();
    p.exp_string("EXIT=4").unwrap();
    let after = pim.snapshot();
    let active: Vec<&String> = after
        .iter()
        .filter(|r| r.starts_with("assignments:"))
        .collect();
    assert_eq!(
        active.len(),
        before
            .iter()
            .filter(|r| r.starts_with("assignments:"))
            .count(),
        "nothing was activated"
    );
}

#[test]
fn exec_activates_a_role_with_an_authentication_context_asking_for_the_password_again() {
    let mut pim = Pim::new();
    pim.lab();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    pim.login("admin").ok();
    pim.run_as(
        Some(&admin),
        &[
            "settings",
            "set",
            "Security Reader",
            "--require-mfa",
            "off",
            "--require-auth-context",
            "c1",
        ],
    )
    .ok();
    pim.make_eligible(Some(&admin), "Security Reader", "pimuser")
        .ok();
    pim.login("pimuser").ok();
    let mut p = pty(
        &pim,
        Some(&user),
        &[
            "exec",
            "Security Reader",
            "--activate",
            "--for",
            "1h",
            "--reason",
            "INC0042",
            "--",
            "sh",
            "-c",
            "echo RAN-WITH-ROLE",
        ],
    );
    p.exp_string("requires authentication context c1: enter your password again.")
        .unwrap();
    p.exp_string("Password: ").unwrap();
    p.send_line(&pim.password("pimuser")).unwrap();
    p.exp_string("needs a fresh code from your authenticator.")
        .unwrap();
    p.exp_string("Code: ").unwrap();
    p.send_line(&pim.code("pimuser", 1)).unwrap();
    p.exp_string("RAN-WITH-ROLE").unwrap();
    p.exp_string("EXIT=0").unwrap();
}
