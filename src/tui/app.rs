//! The console's state and its routing: keys go to the top popup first, then the screen;
//! intents go to `update`; a tick keeps the screen live (another terminal's changes within a
//! second, countdowns, expiry on screen).

use std::collections::VecDeque;
use std::path::PathBuf;

use chrono::{Local, TimeDelta};
use ratatui::crossterm::event::KeyEvent;

use crate::clock::Time;
use crate::policy::model::Tenant;
use crate::service::{AuthFailure, Service, ServiceError};
use crate::store::OpenMode;

use super::keymap::Context;
use super::msg::Msg;
use super::popup::{Outcome, Popup, Tone};
use super::screen::first_run::FirstRunState;
use super::screen::main::MainState;
use super::screen::sign_in::SignInState;

/// How times are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tz {
    /// The machine's local time zone.
    Local,
    /// UTC (tests, and servers set to UTC).
    Utc,
}

impl Tz {
    /// `2026-11-26 10:04 +01:00` (or `UTC`).
    pub fn format(self, t: Time) -> String {
        match self {
            Tz::Utc => t.format("%Y-%m-%d %H:%M UTC").to_string(),
            Tz::Local => {
                let s = t
                    .with_timezone(&Local)
                    .format("%Y-%m-%d %H:%M %:z")
                    .to_string();
                s.strip_suffix("+00:00")
                    .map_or(s.clone(), |b| format!("{b}UTC"))
            }
        }
    }

    /// `11-26 10:04` in this zone, for narrow columns.
    pub fn short(self, t: Time) -> String {
        match self {
            Tz::Utc => t.format("%m-%d %H:%M").to_string(),
            Tz::Local => t.with_timezone(&Local).format("%m-%d %H:%M").to_string(),
        }
    }

    /// `10:04` in this zone.
    pub fn hm(self, t: Time) -> String {
        match self {
            Tz::Utc => t.format("%H:%M").to_string(),
            Tz::Local => t.with_timezone(&Local).format("%H:%M").to_string(),
        }
    }
}

/// Which screen.
#[derive(Debug, Clone)]
pub enum Screen {
    /// No database or no tenant yet.
    FirstRun(FirstRunState),
    /// Signing in.
    SignIn(Box<SignInState>),
    /// Signed in.
    Main(Box<MainState>),
}

/// The console.
pub struct App {
    /// The engine; `None` until a database exists.
    pub svc: Option<Service>,
    /// The database file.
    pub db: PathBuf,
    /// The screen.
    pub screen: Screen,
    /// Open popups, top last.
    pub popups: Vec<Popup>,
    /// A note for the status line.
    pub status: Option<(String, Tone)>,
    /// Set when the console should close.
    pub quit: bool,
    /// How times are shown.
    pub tz: Tz,
    /// The lab clock's offset from real time.
    pub offset: TimeDelta,
    /// Intents to run after the next frame (activation stages, so each one is seen).
    pub pending: VecDeque<Msg>,
    /// What is wrong with the database (a broken audit anchor, a missing key), shown on the
    /// status line whenever nothing else is.
    pub health: Vec<String>,
    data_version: Option<i64>,
    last_poll: Option<Time>,
    /// How to open the engine again when the server went away (tests give one on their
    /// clock); by default, as the console was started.
    reopen: Option<Reopen>,
}

/// Opens the engine again after the connection to the server was lost.
pub type Reopen = Box<dyn Fn() -> Result<Service, ServiceError>>;

impl App {
    /// A console on the database at `db`: the first-run screen when there is no database or no
    /// tenant, otherwise sign-in.
    pub fn open(db: PathBuf, tz: Tz) -> Result<App, ServiceError> {
        let on_server = db.to_str().is_some_and(crate::store::pg::is_url);
        let svc = if on_server || db.exists() {
            Some(Service::open(&db, OpenMode::Existing)?)
        } else {
            None
        };
        Ok(Self::with_service(svc, db, tz))
    }

    /// A console on an engine (tests give one with a test clock).
    pub fn with_service(svc: Option<Service>, db: PathBuf, tz: Tz) -> App {
        let mut app = App {
            svc,
            db,
            screen: Screen::FirstRun(FirstRunState::default()),
            popups: Vec::new(),
            status: None,
            quit: false,
            tz,
            offset: TimeDelta::zero(),
            pending: VecDeque::new(),
            health: Vec::new(),
            data_version: None,
            last_poll: None,
            reopen: None,
        };
        app.to_sign_in();
        app
    }

    /// Real time now (the engine's clock).
    pub fn real_now(&self) -> Time {
        self.svc
            .as_ref()
            .map_or(chrono::DateTime::UNIX_EPOCH, Service::real_now)
    }

    /// Policy time now: real time plus the lab clock's offset.
    pub fn now(&self) -> Time {
        self.real_now() + self.offset
    }

    /// Shows the sign-in screen if there is a tenant, the first-run screen otherwise.
    pub fn to_sign_in(&mut self) {
        let Some(svc) = self.svc.as_mut() else {
            self.screen = Screen::FirstRun(FirstRunState::default());
            return;
        };
        self.health = svc.health();
        match svc.tenant() {
            Ok(tenant) => {
                let accounts = svc.lab_accounts().unwrap_or_default();
                self.offset = tenant.clock_offset;
                self.screen = Screen::SignIn(Box::new(SignInState::new(tenant, accounts)));
            }
            Err(ServiceError::NoTenant) => self.screen = Screen::FirstRun(FirstRunState::default()),
            Err(e) => {
                self.screen = Screen::FirstRun(FirstRunState {
                    selected: 0,
                    error: Some(e.to_string()),
                })
            }
        }
    }

    /// The tenant shown in the header, when known.
    pub fn tenant(&self) -> Option<&Tenant> {
        match &self.screen {
            Screen::SignIn(s) => Some(&s.tenant),
            Screen::Main(m) => Some(&m.tenant),
            Screen::FirstRun(_) => None,
        }
    }

    /// The keymap contexts in force, for the footer and the help.
    pub fn contexts(&self) -> Vec<Context> {
        if let Some(p) = self.popups.last() {
            return p.contexts();
        }
        match &self.screen {
            Screen::FirstRun(_) => FirstRunState::CONTEXTS.to_vec(),
            Screen::SignIn(_) => SignInState::CONTEXTS.to_vec(),
            Screen::Main(m) => m.contexts(),
        }
    }

    /// Actions that do nothing where the screen is (left out of the footer).
    pub fn idle_actions(&self) -> Vec<crate::tui::keymap::Action> {
        match (&self.screen, self.popups.is_empty()) {
            (Screen::Main(m), true) => m.idle_actions(),
            _ => Vec::new(),
        }
    }

    /// A key press. Ctrl-C always quits.
    pub fn on_key(&mut self, key: KeyEvent) {
        if super::keymap::resolve(&[Context::Always], &key) == Some(super::keymap::Action::Quit) {
            self.quit = true;
            return;
        }
        if let Some(top) = self.popups.last_mut() {
            let outcome = top.handle_key(&key);
            self.apply(outcome);
            return;
        }
        self.status = None;
        let msg = match &mut self.screen {
            Screen::FirstRun(s) => s.handle_key(&key),
            Screen::SignIn(s) => s.handle_key(&key),
            Screen::Main(m) => m.handle_key(&key),
        };
        if let Some(msg) = msg {
            self.update(msg);
        }
    }

    /// Pasted text (bracketed paste) goes to the focused field.
    pub fn on_paste(&mut self, text: &str) {
        if let Some(top) = self.popups.last_mut() {
            let outcome = top.paste(text);
            self.apply(outcome);
            return;
        }
        match &mut self.screen {
            Screen::SignIn(s) => s.paste(text),
            Screen::Main(m) => m.paste(text),
            Screen::FirstRun(_) => {}
        }
    }

    fn apply(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Consumed => {}
            Outcome::Close => {
                self.popups.pop();
            }
            Outcome::CloseWith(note) => {
                self.popups.pop();
                self.status = Some((note, Tone::Info));
            }
            Outcome::Emit(msg) => self.dispatch(msg),
            Outcome::CloseEmit(msg) => {
                self.popups.pop();
                self.dispatch(msg);
            }
        }
    }

    /// Runs an intent now, or after the next frame for the activation stages.
    fn dispatch(&mut self, msg: Msg) {
        if matches!(
            msg,
            Msg::ActivateValidate(_) | Msg::ActivateCommit(_) | Msg::ActivateRefresh(_)
        ) {
            self.pending.push_back(msg);
        } else {
            self.update(msg);
        }
    }

    /// Runs one deferred intent; true if there was one.
    pub fn run_pending(&mut self) -> bool {
        match self.pending.pop_front() {
            Some(msg) => {
                self.update(msg);
                true
            }
            None => false,
        }
    }

    /// Called every few hundred milliseconds: once a second, notices changes made by other
    /// terminals (`PRAGMA data_version`) and reloads what is on screen, records expiries that
    /// have come due, and refreshes the authenticator's codes.
    pub fn tick(&mut self) {
        self.poll();
        self.refresh_stale_alerts();
    }

    /// Looks for changes made elsewhere (about once a second) and reloads on one.
    fn poll(&mut self) {
        let real = self.real_now();
        if self
            .last_poll
            .is_some_and(|t| real - t < TimeDelta::milliseconds(900))
        {
            return;
        }
        self.last_poll = Some(real);
        let Some(svc) = self.svc.as_mut() else { return };
        if let Some(Popup::Authenticator(panel)) = self.popups.last_mut()
            && let Ok(fresh) = svc.authenticator()
        {
            panel.codes = fresh;
        }
        let version = match svc.store().data_version() {
            Ok(v) => Some(v),
            // On a server, an error here is the connection gone: open it again.
            Err(_) if self.on_server() => {
                self.reconnect();
                return;
            }
            Err(_) => None,
        };
        let changed = version.is_some() && version != self.data_version;
        self.data_version = version;
        let due = self.expiry_due();
        if due && let Some(svc) = self.svc.as_mut() {
            svc.catch_up();
        }
        if changed && let Some(svc) = self.svc.as_mut() {
            self.health = svc.health();
        }
        if changed {
            // What a success note says ("Security Reader is active.") may no longer hold
            // after another terminal's change: it goes rather than mislead.
            if matches!(self.status, Some((_, Tone::Success))) {
                self.status = None;
            }
        }
        if changed || due {
            self.reload();
        }
    }

    /// Whether the database is on a PostgreSQL server.
    pub fn on_server(&self) -> bool {
        self.db.to_str().is_some_and(crate::store::pg::is_url)
    }

    /// Sets how the engine is opened again after the server went away.
    pub fn on_reopen(&mut self, reopen: Reopen) {
        self.reopen = Some(reopen);
    }

    /// The server went away: says so and tries again (each poll, about once a second) until
    /// it answers, then reloads what is on screen. The sign-in lives in the database, so it
    /// holds across the gap.
    fn reconnect(&mut self) {
        let opened = match &self.reopen {
            Some(reopen) => reopen(),
            None => Service::open(&self.db, OpenMode::Existing),
        };
        match opened {
            Ok(svc) => {
                self.svc = Some(svc);
                self.data_version = None;
                self.status = Some(("Reconnected to the server.".into(), Tone::Success));
                self.reload();
            }
            Err(e) => {
                self.status = Some((
                    format!(
                        "Reconnecting… the server does not answer ({})",
                        crate::policy::text::sanitize(&e.to_string())
                    ),
                    Tone::Error,
                ));
            }
        }
    }

    /// A visible assignment has passed its end since it was loaded.
    fn expiry_due(&self) -> bool {
        let now = self.now();
        let Screen::Main(m) = &self.screen else {
            return false;
        };
        let mine =
            m.my.status
                .iter()
                .flat_map(|s| s.active.iter().chain(s.eligible.iter().map(|e| &e.row)));
        let role = m
            .roles
            .detail
            .iter()
            .flat_map(|d| d.rows[0].iter().chain(d.rows[1].iter()));
        mine.chain(role)
            .any(|r| r.assignment.end.is_some_and(|e| e <= now) && r.assignment.ended_at.is_none())
    }

    /// Shows a failure: an expired session returns to sign-in, anything else becomes a note.
    pub fn fail(&mut self, e: ServiceError) {
        if matches!(e, ServiceError::Auth(AuthFailure::NotSignedIn)) {
            self.popups.clear();
            self.to_sign_in();
            self.status = Some(("Your sign-in has ended; sign in again.".into(), Tone::Error));
        } else {
            self.status = Some((e.to_string(), Tone::Error));
        }
    }
}
