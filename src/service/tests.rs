//! Service scenarios on a test clock: one user story each, with the audit rows asserted.

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};

use super::*;
use crate::auth::totp::code_at;
use crate::clock::{TestClock, Time};

mod activation;
mod admin;
mod alerts;
mod context;
mod fixes;
mod groups;
mod lifecycle;
mod machine;
mod notices;
mod reviews;
mod signin;
mod trust;

/// A session for `upn` written straight into the store at real time `real` (for tests about
/// something other than signing in).
pub(super) fn direct_session(svc: &Service, upn: &str, real: Time) -> SessionToken {
    let token = crate::auth::session::new_token().unwrap();
    let conn = svc.store.conn();
    let user = conn.user_by_upn(upn).unwrap().unwrap();
    conn.insert_session(
        &token_hash(&token),
        &user.principal.id,
        real,
        real + crate::auth::session::SESSION_LIFETIME,
    )
    .unwrap();
    SessionToken(token)
}

/// Where a test's lab lives: in memory, in a file, or (`PIM_TEST_BACKEND=postgres`) in a
/// PostgreSQL database of its own on the test cluster, with this host's anchors in a
/// directory of its own.
pub(super) enum Place {
    Memory,
    File(std::path::PathBuf),
    Pg {
        url: String,
        anchors: tempfile::TempDir,
    },
}

impl Place {
    /// Where a test runs that does not care: memory, or PostgreSQL when the run is on it.
    fn any() -> Place {
        if crate::store::pg::testing::on_postgres() {
            Self::postgres()
        } else {
            Place::Memory
        }
    }

    /// A place a second engine can open too: a temp file, or PostgreSQL when the run is on it.
    fn shared(dir: &std::path::Path) -> Place {
        if crate::store::pg::testing::on_postgres() {
            Self::postgres()
        } else {
            Place::File(dir.join("lab.db"))
        }
    }

    fn postgres() -> Place {
        let cluster = crate::store::pg::testing::cluster()
            .expect("PIM_TEST_BACKEND=postgres needs PostgreSQL here");
        Place::Pg {
            url: cluster.pim_db(),
            anchors: tempfile::tempdir().unwrap(),
        }
    }

    /// A new connection to it (another terminal, when it is shared).
    pub fn open(&self) -> Box<dyn Database> {
        match self {
            Place::Memory => Box::new(Store::open_in_memory().unwrap()),
            Place::File(path) => Box::new(Store::open(path, OpenMode::Create).unwrap()),
            Place::Pg { url, anchors } => {
                Box::new(crate::store::pg::testing::open_pim_db(url, anchors.path()).unwrap())
            }
        }
    }
}

/// A lab on a test clock with cheap password hashing.
pub(super) struct Lab {
    pub svc: Service,
    pub clock: Arc<TestClock>,
    pub accounts: Vec<CreatedAccount>,
    pub place: Place,
}

pub(super) fn start() -> crate::clock::Time {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

impl Lab {
    pub fn new() -> Lab {
        Self::at(Place::any())
    }

    /// A lab a second engine can open ([`Lab::terminal`]): in a file in `dir`, or on
    /// PostgreSQL when the run is on it.
    pub fn shared(dir: &std::path::Path) -> Lab {
        Self::at(Place::shared(dir))
    }

    /// A lab in an SQLite file (for what only a file has: backups, its permissions).
    pub fn on_file(path: &std::path::Path) -> Lab {
        Self::at(Place::File(path.to_path_buf()))
    }

    fn at(place: Place) -> Lab {
        let clock = Arc::new(TestClock::new(start()));
        let mut svc = Service::on(
            place.open(),
            clock.clone(),
            PasswordHasher::fast_for_tests(),
        );
        let accounts = svc.create_lab(false, None).unwrap().accounts;
        Lab {
            svc,
            clock,
            accounts,
            place,
        }
    }

    /// Another engine on the same database and clock: another terminal, or another host.
    pub fn terminal(&self) -> Service {
        Service::on(
            self.place.open(),
            self.clock.clone(),
            PasswordHasher::fast_for_tests(),
        )
    }

    pub fn account(&self, who: &str) -> &CreatedAccount {
        self.accounts
            .iter()
            .find(|a| a.upn.starts_with(&format!("{who}@")))
            .unwrap()
    }

    pub fn upn(&self, who: &str) -> String {
        self.account(who).upn.clone()
    }

    /// The code the user's authenticator shows `steps` periods from now.
    pub fn code(&self, who: &str, steps: i64) -> String {
        let t = self.clock.now().timestamp() + steps * 30;
        code_at(&self.account(who).totp_secret, t).unwrap()
    }

    /// Signs in with the current code.
    pub fn sign_in(&mut self, who: &str) -> SessionToken {
        let (upn, password, code) = (
            self.upn(who),
            self.account(who).password.clone(),
            self.code(who, 0),
        );
        self.svc.sign_in(&upn, &password, &code).unwrap().token
    }

    /// A session for the lab's admin made directly in the store, so a test can move the lab
    /// clock without spending a TOTP step the scenario itself needs.
    pub fn admin_session(&mut self) -> SessionToken {
        let admin = self.upn("admin");
        direct_session(&self.svc, &admin, self.clock.now())
    }

    /// Moves the lab clock (policy time only), as the lab's admin.
    pub fn advance(&mut self, d: TimeDelta) -> ClockState {
        let admin = self.admin_session();
        self.svc.advance_clock(&admin, d).unwrap()
    }

    /// `pim audit verify` without a checkpoint.
    pub fn verify(&mut self) -> Verified {
        self.svc.verify_audit(None, &mut |_, _, _| {}).unwrap()
    }

    /// Moves real (and so policy) time.
    pub fn wait(&self, d: TimeDelta) {
        self.clock.advance(d);
    }

    /// Audit entries with this activity, oldest first.
    pub fn audit_rows(&mut self, activity: impl ToString) -> Vec<crate::audit::AuditRecord> {
        let activity = activity.to_string();
        let tx = self.svc.store.read().unwrap();
        let filter = crate::store::audit::Filter {
            activity: Some(&activity),
            limit: 10_000,
            ..Default::default()
        };
        let mut rows = tx.list_audit(&filter).unwrap();
        rows.retain(|r| r.activity == activity);
        rows.reverse();
        rows
    }

    pub fn count(&self, table: &str) -> i64 {
        self.svc
            .store
            .conn()
            .one(
                &format!("SELECT count(*) FROM {table}"),
                crate::args![],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// Rows of every state table, to prove a refusal changed nothing but the audit log.
    pub fn state(&self) -> Vec<i64> {
        [
            "assignments",
            "requests",
            "emails",
            "users",
            "sessions",
            "role_settings",
        ]
        .iter()
        .map(|t| self.count(t))
        .collect()
    }

    /// Makes pimuser eligible for Security Reader (permanent), as the admin.
    pub fn make_eligible(&mut self, admin: &SessionToken, role: &str) -> AssignmentDone {
        let upn = self.upn("pimuser");
        self.svc
            .assign(
                admin,
                AssignInput {
                    role: role.into(),
                    upn,
                    kind: crate::policy::model::AssignmentKind::Eligible,
                    start: None,
                    window: Window::Permanent,
                    justification: Some("lab".into()),
                    otp: None,
                },
            )
            .unwrap()
    }

    /// Makes pimuser eligible for Security Reader for `days`, as the admin.
    pub fn eligible_for(&mut self, admin: &SessionToken, days: i64) {
        let input = AssignInput {
            role: "Security Reader".into(),
            upn: self.upn("pimuser"),
            kind: crate::policy::model::AssignmentKind::Eligible,
            start: None,
            window: Window::For(TimeDelta::days(days)),
            justification: Some("project".into()),
            otp: None,
        };
        self.svc.assign(admin, input).unwrap();
    }

    /// A lab where pimuser is eligible for Security Reader and both accounts are signed in:
    /// (admin, pimuser).
    pub fn with_eligible_user() -> (Lab, SessionToken, SessionToken) {
        let mut lab = Lab::new();
        let admin = lab.sign_in("admin");
        lab.make_eligible(&admin, "Security Reader");
        let user = lab.sign_in("pimuser");
        (lab, admin, user)
    }

    pub fn activation(
        &self,
        hours: i64,
        reason: Option<&str>,
        otp: Option<String>,
    ) -> ActivateInput {
        ActivateInput {
            role: "Security Reader".into(),
            duration: TimeDelta::hours(hours),
            start: None,
            justification: reason.map(Into::into),
            ticket_number: None,
            ticket_system: None,
            otp,
            password: None,
        }
    }
}
