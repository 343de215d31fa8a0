//! The real console in a pseudo-terminal: sign in with a computed code, activate an eligible
//! role with MFA, see it active, quit, and find the terminal restored.

use std::process::Command;
use std::time::{Duration, Instant};

use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

use crate::common::Pim;

const DOWN: &str = "\x1b[B";

/// The console's pty and a terminal emulator fed with everything it printed, so assertions
/// read the screen as a person would see it, not the stream of partial redraws.
struct Term {
    pty: PtySession,
    screen: vt100::Parser,
}

impl Term {
    fn pump(&mut self) {
        while let Some(c) = self.pty.try_read() {
            // The reader hands out bytes as chars.
            self.screen.process(&[c as u32 as u8]);
        }
    }

    /// Waits until the screen shows `needle`.
    #[track_caller]
    fn wait_for(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.pump();
            let text = self.screen.screen().contents();
            if text.contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} never appeared; the screen shows:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types keys.
    fn keys(&mut self, s: &str) {
        self.pty.send(s).unwrap();
        self.pty.flush().unwrap();
    }

    fn control(&mut self, c: char) {
        self.pty.send_control(c).unwrap();
        self.pty.flush().unwrap();
    }
}

/// Runs the console under `sh`, which sets the pty's size first and, afterwards, prints the
/// exit code and whether the terminal settings are back to what they were.
fn console(pim: &Pim) -> Term {
    let script = format!(
        "stty rows 30 cols 100; S=$(stty -g); '{}' --db '{}'; echo EXIT=$?; \\
         if [ \"$(stty -g)\" = \"$S\" ]; then echo TERMINAL=RESTORED; else echo TERMINAL=CHANGED; fi",
        env!("CARGO_BIN_EXE_pim"),
        pim.db.display()
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &script])
        .env("HOME", pim.dir.path())
        .env("XDG_STATE_HOME", pim.dir.path().join("state"))
        .env("TERM", "xterm-256color")
        .env("TZ", "UTC")
        .env("PGPASSWORD", pim_console::store::pg::testing::APP_ROLE.1)
        .env_remove("PIM_AS");
    let pty = spawn_with_options(cmd, Options::new().timeout_ms(Some(20_000))).unwrap();
    Term {
        pty,
        screen: vt100::Parser::new(30, 100, 0),
    }
}

/// Expects exit code 0 and terminal settings identical to those before the console ran.
fn assert_restored(t: &mut Term) {
    t.wait_for("EXIT=");
    t.wait_for("TERMINAL=");
    let text = t.screen.screen().contents();
    assert!(text.contains("EXIT=0"), "{text}");
    assert!(
        text.contains("TERMINAL=RESTORED"),
        "raw mode and the rest are undone:\n{text}"
    );
    assert!(
        !t.screen.screen().alternate_screen(),
        "back on the main screen"
    );
    assert!(
        !t.screen.screen().hide_cursor(),
        "the cursor is visible again"
    );
}

#[test]
fn sign_in_activate_see_it_active_quit_and_the_terminal_is_restored() {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    let user = pim.upn("pimuser");
    pim.make_eligible(None, "Security Reader", "pimuser").ok();

    let mut t = console(&pim);
    t.wait_for("Sign in to PIM Lab");
    t.keys(&user);
    t.keys("\t");
    t.keys(&pim.password("pimuser"));
    t.keys("\r");
    t.wait_for("6-digit code");
    t.keys(&pim.code("pimuser", 0));
    t.keys("\r");
    t.wait_for("Eligible (1)");
    t.wait_for("Security Reader");
    t.keys("a");
    t.wait_for("Activate – Security Reader");
    t.keys(DOWN);
    t.keys("Reviewing sign-in logs");
    t.keys("\r");
    t.wait_for("Additional verification required");
    t.keys(&pim.code("pimuser", 1));
    t.keys("\r");
    t.wait_for("Security Reader is in your active roles");
    t.keys("\r");
    t.wait_for("Active (1)");
    t.wait_for("left");
    t.keys("q");
    assert_restored(&mut t);

    let status = pim.run_as(Some(&user), &["status", "--json"]);
    assert_eq!(
        status.code, 4,
        "the console's session is its own; the CLI is not signed in as pimuser"
    );
    let active: i64 = pim
        .tables()
        .conn()
        .value(
            "SELECT count(*) FROM assignments WHERE kind = 'active' AND origin = 'activated' AND ended_at IS NULL",
            pim_console::args![],
        )
        .unwrap();
    assert_eq!(active, 1);
}

#[test]
fn ctrl_c_leaves_the_console_and_restores_the_terminal() {
    let mut pim = Pim::new();
    pim.lab();
    let mut t = console(&pim);
    t.wait_for("Sign in to PIM Lab");
    t.control('c');
    assert_restored(&mut t);
}

#[test]
fn first_run_offers_the_lab_and_creates_it() {
    let pim = Pim::new();
    let mut t = console(&pim);
    t.wait_for("Create the training lab");
    t.keys("\r");
    t.wait_for("Training lab created");
    t.keys("\r");
    t.wait_for("Sign in to PIM Lab");
    t.control('q');
    assert_restored(&mut t);
    let users: i64 = pim
        .tables()
        .conn()
        .value("SELECT count(*) FROM users", pim_console::args![])
        .unwrap();
    assert_eq!(users, 3, "the lab's three accounts");
}

#[test]
fn the_first_run_screen_starts_a_class_at_phase_4_from_a_scenario() {
    let pim = Pim::new();
    let mut t = console(&pim);
    t.wait_for("Play a scenario");
    t.keys(DOWN);
    t.keys("\r");
    t.wait_for("Build the lab as a story leaves it");
    t.keys("\r");
    t.wait_for("where should it stop?");
    for _ in 0..4 {
        t.keys(DOWN);
    }
    t.wait_for("▸ before phase-4");
    t.keys("\r");
    t.wait_for("Scenario played");
    t.wait_for("Next: Phase 4");
    t.keys("\r");
    t.wait_for("Training lab created");
    t.keys("\r");
    t.wait_for("Sign in to PIM Lab");
    t.keys("q");
    let _ = t.pty.send_control('q');
    t.wait_for("EXIT=");
    // The lab is where phase 3 left it.
    let eligible: i64 = pim
        .tables()
        .conn()
        .value(
            "SELECT count(*) FROM assignments a JOIN users u ON u.id = a.principal_id
             WHERE u.upn = ?1 AND a.kind = 'eligible' AND a.ended_at IS NULL",
            pim_console::args![pim.upn("pimuser")],
        )
        .unwrap();
    assert_eq!(eligible, 1);
}
