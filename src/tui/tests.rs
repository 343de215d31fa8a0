//! Console tests without a terminal: key sequences through the keymap and `update`, asserting
//! state, popups and what the engine recorded; render snapshots on `TestBackend`.

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, Screen, Tz};
use crate::auth::password::PasswordHasher;
use crate::auth::totp::code_at;
use crate::clock::{Clock, TestClock, Time};
use crate::service::{CreatedAccount, Service, SessionToken};
use crate::store::{OpenMode, Store};

mod activation;
mod flows;
mod groups;
mod lifecycle;
mod render;
mod safety;
mod start;

/// 2026-11-26 09:00 UTC, a Thursday.
pub fn start() -> Time {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

/// A lab database on disk, a shared test clock, and a console on it.
pub struct Harness {
    pub app: App,
    pub clock: Arc<TestClock>,
    pub accounts: Vec<CreatedAccount>,
    /// Keeps the database directory alive for the test.
    _dir: tempfile::TempDir,
}

/// An engine on the database at `path`: an SQLite file, or a PostgreSQL address (with
/// `PIM_TEST_BACKEND=postgres`), its anchors kept beside the harness's other files.
fn service(path: &std::path::Path, clock: &Arc<TestClock>, mode: OpenMode) -> Service {
    try_service(path, clock, mode).unwrap()
}

/// [`service`], or why the database could not be opened (a server that is down).
fn try_service(
    path: &std::path::Path,
    clock: &Arc<TestClock>,
    mode: OpenMode,
) -> Result<Service, crate::service::ServiceError> {
    let store: Box<dyn crate::store::Database> = match path.to_str() {
        Some(url) if crate::store::pg::is_url(url) => {
            let (target, _) = crate::store::pg::PgTarget::parse(url)?;
            // The test databases share one identity (a template's): anchors go by database,
            // beside the cluster's data (a directory removed with it when the tests end).
            let cluster = crate::store::pg::testing::cluster()
                .expect("a database on PostgreSQL needs the test cluster");
            let anchors = cluster.dir.join("anchors").join(target.dbname());
            crate::store::files::create_dir_private(&anchors)?;
            Box::new(crate::store::pg::testing::open_pim_db(url, &anchors)?)
        }
        _ => Box::new(Store::open(path, mode)?),
    };
    Ok(Service::on(
        store,
        clock.clone(),
        PasswordHasher::fast_for_tests(),
    ))
}

/// Where a harness's lab goes: a file in `dir`, or a PostgreSQL database when the run is on it.
fn place(dir: &std::path::Path) -> std::path::PathBuf {
    if crate::store::pg::testing::on_postgres() {
        let cluster = crate::store::pg::testing::cluster()
            .expect("PIM_TEST_BACKEND=postgres needs PostgreSQL here");
        cluster.pim_db().into()
    } else {
        dir.join("lab.db")
    }
}

impl Harness {
    /// A lab and a console on its sign-in screen.
    pub fn lab() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let path = place(dir.path());
        Self::lab_at(dir, path)
    }

    /// [`Harness::lab`] in an SQLite file whatever the run (for what only a file allows: an
    /// outsider rewriting the audit log).
    pub fn lab_on_file() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lab.db");
        Self::lab_at(dir, path)
    }

    /// A lab on a PostgreSQL cluster of the test's own (one it may stop and start), with the
    /// console told how to reopen it on the test clock.
    pub fn lab_on_server(cluster: &crate::store::pg::testing::Cluster) -> Harness {
        let mut h = Self::lab_at(tempfile::tempdir().unwrap(), cluster.pim_db().into());
        let (path, clock) = (h.app.db.clone(), h.clock.clone());
        h.app.on_reopen(Box::new(move || {
            try_service(&path, &clock, OpenMode::Existing)
        }));
        h
    }

    fn lab_at(dir: tempfile::TempDir, path: std::path::PathBuf) -> Harness {
        let clock = Arc::new(TestClock::new(start()));
        let mut svc = service(&path, &clock, OpenMode::Create);
        let accounts = svc.create_lab(false, None).unwrap().accounts;
        let app = App::with_service(Some(svc), path, Tz::Utc);
        Harness {
            app,
            clock,
            accounts,
            _dir: dir,
        }
    }

    /// Another console on the same database and clock: the other terminal.
    pub fn second_terminal(&self) -> App {
        App::with_service(
            Some(service(&self.app.db, &self.clock, OpenMode::Existing)),
            self.app.db.clone(),
            Tz::Utc,
        )
    }

    /// The other terminal as a harness of its own (same database, clock and accounts).
    pub fn other_terminal(&self) -> Harness {
        Harness {
            app: self.second_terminal(),
            clock: self.clock.clone(),
            accounts: self.accounts.clone(),
            _dir: tempfile::tempdir().unwrap(),
        }
    }

    /// An engine on the same database, for arranging facts and checking effects.
    pub fn engine(&self) -> Service {
        service(&self.app.db, &self.clock, OpenMode::Existing)
    }

    pub fn account(&self, who: &str) -> &CreatedAccount {
        self.accounts
            .iter()
            .find(|a| a.upn.starts_with(&format!("{who}@")))
            .unwrap()
    }

    /// The code `who`'s authenticator shows `steps` periods from now.
    pub fn code(&self, who: &str, steps: i64) -> String {
        code_at(
            &self.account(who).totp_secret,
            self.clock.now().timestamp() + steps * 30,
        )
        .unwrap()
    }

    /// Signs `who` in through the engine (not the keys), returning the session.
    pub fn session(&self, who: &str, steps: i64) -> SessionToken {
        let a = self.account(who);
        self.engine()
            .sign_in(&a.upn, &a.password, &self.code(who, steps))
            .unwrap()
            .token
    }

    /// Makes pimuser eligible for a role, as the admin, through the engine.
    pub fn make_eligible(&self, role: &str) {
        let admin = self.session("admin", 0);
        let input = crate::service::AssignInput {
            role: role.into(),
            upn: self.account("pimuser").upn.clone(),
            kind: crate::policy::model::AssignmentKind::Eligible,
            start: None,
            window: crate::service::Window::Permanent,
            justification: Some("lab".into()),
            otp: None,
        };
        self.engine().assign(&admin, input).unwrap();
    }

    pub fn key(&mut self, code: KeyCode) {
        self.app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        while self.app.run_pending() {}
    }

    pub fn ctrl(&mut self, c: char) {
        self.app
            .on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }

    pub fn text(&mut self, s: &str) {
        for c in s.chars() {
            self.app
                .on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    /// Signs `who` in with the keys, using the authenticator's code `steps` periods ahead.
    pub fn sign_in_keys(&mut self, who: &str, steps: i64) {
        let (upn, password) = (
            self.account(who).upn.clone(),
            self.account(who).password.clone(),
        );
        self.text(&upn);
        self.key(KeyCode::Tab);
        self.text(&password);
        self.key(KeyCode::Enter);
        let code = self.code(who, steps);
        self.text(&code);
        self.key(KeyCode::Enter);
        assert!(
            matches!(self.app.screen, Screen::Main(_)),
            "signed in as {who}: status {:?}",
            self.app.status
        );
    }

    /// Lets a second pass: real (and so policy) time moves, and the console ticks.
    pub fn wait(&mut self, d: TimeDelta) {
        self.clock.advance(d);
        self.app.tick();
        while self.app.run_pending() {}
    }

    pub fn main(&self) -> &super::screen::main::MainState {
        match &self.app.screen {
            Screen::Main(m) => m,
            _ => panic!("not signed in"),
        }
    }

    /// Draws the console into a test terminal.
    pub fn draw(&self, w: u16, h: u16) -> Terminal<TestBackend> {
        draw(&self.app, w, h)
    }
}

/// Draws an app into a test terminal of `w`×`h`.
pub fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| super::ui::render(f, app)).unwrap();
    t
}

/// The whole screen as text.
pub fn screen_text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
