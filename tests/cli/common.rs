//! Running the real `pim` binary on a temp database with its own state directory, and reading
//! the lab's accounts and codes the way a user would.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use pim_console::args;
use pim_console::auth::totp::code_at;
use pim_console::store::pg::PgTarget;
use pim_console::store::pg::sql::PgConn;
use pim_console::store::pg::testing::{APP_ROLE, cluster, on_postgres};
use pim_console::store::sql::Conn;
use serde_json::Value;

/// One finished run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails(self, code: i32, needle: &str) -> Run {
        assert_eq!(
            self.code, code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.contains(needle),
            "expected {needle:?} in stderr:\n{}",
            self.stderr
        );
        self
    }
}

/// A temp directory with a database (an SQLite file in it, or with `PIM_TEST_BACKEND=postgres`
/// a PostgreSQL database of its own on the test cluster) and a private state directory.
pub struct Pim {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub accounts: Vec<Value>,
    /// Whether the database is on PostgreSQL.
    pub pg: bool,
}

impl Pim {
    /// A new database on the backend this run tests.
    pub fn new() -> Pim {
        if on_postgres() {
            let cluster = cluster().expect("PIM_TEST_BACKEND=postgres needs PostgreSQL here");
            Pim {
                dir: tempfile::tempdir().unwrap(),
                db: PathBuf::from(cluster.pim_db()),
                accounts: Vec::new(),
                pg: true,
            }
        } else {
            Self::sqlite()
        }
    }

    /// A new database on a PostgreSQL cluster of the test's own.
    pub fn on_cluster(cluster: &pim_console::store::pg::testing::Cluster) -> Pim {
        Pim {
            dir: tempfile::tempdir().unwrap(),
            db: PathBuf::from(cluster.pim_db()),
            accounts: Vec::new(),
            pg: true,
        }
    }

    /// A new SQLite file, whatever the run: for what only a file has (its permissions, its
    /// key and anchor beside it, damage done to it, backups).
    pub fn sqlite() -> Pim {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("lab.db");
        Pim {
            dir,
            db,
            accounts: Vec::new(),
            pg: false,
        }
    }

    /// The database's tables, read or changed directly as an outsider would (`sqlite3`,
    /// `psql`), on either backend.
    pub fn tables(&self) -> Tables {
        if self.pg {
            let url = self.db.to_str().unwrap();
            let (target, _) = PgTarget::parse(url).unwrap();
            let target = target.with_password(APP_ROLE.1);
            let client = target.connect().unwrap();
            let conn = PgConn::new(client, target.shown.clone());
            conn.client()
                .batch_execute("SET search_path = pim")
                .unwrap();
            Tables::Pg(Box::new(conn))
        } else {
            // As pim's own connections: closing it leaves the write-ahead log where it is.
            let conn = rusqlite::Connection::open(&self.db).unwrap();
            conn.set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                true,
            )
            .unwrap();
            Tables::Sqlite(conn)
        }
    }

    /// A command ready to run as `as_upn` (or the default session).
    pub fn command(&self, as_upn: Option<&str>, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pim"));
        c.args(args)
            .env("PIM_DB", &self.db)
            .env("PGPASSWORD", APP_ROLE.1)
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("TZ", "UTC")
            .env_remove("PIM_AS")
            .stdin(Stdio::null());
        if let Some(u) = as_upn {
            c.env("PIM_AS", u);
        }
        c
    }

    /// Runs `pim ARGS` as `as_upn`.
    pub fn run_as(&self, as_upn: Option<&str>, args: &[&str]) -> Run {
        Run::from(self.command(as_upn, args).output().unwrap())
    }

    /// Runs `pim ARGS` with the default session.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_as(None, args)
    }

    /// Runs `pim ARGS` feeding `input` on stdin.
    pub fn run_stdin(&self, args: &[&str], input: &str) -> Run {
        Run::from(self.spawn_stdin(args, input).wait_with_output().unwrap())
    }

    /// Starts `pim ARGS` feeding `input` on stdin, without waiting for it.
    pub fn spawn_stdin(&self, args: &[&str], input: &str) -> std::process::Child {
        let mut child = self
            .command(None, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child
    }

    /// `pim assign ROLE WHO --type eligible --permanent` as `as_upn` (or the default session).
    pub fn make_eligible(&self, as_upn: Option<&str>, role: &str, who: &str) -> Run {
        let upn = self.upn(who);
        self.run_as(
            as_upn,
            &[
                "assign",
                role,
                &upn,
                "--type",
                "eligible",
                "--permanent",
                "--reason",
                "lab",
            ],
        )
    }

    /// A lab with some history, in an SQLite file whatever the run: the admin signed in (the
    /// default session), pimuser eligible for Security Reader, and a settings change.
    pub fn sqlite_with_history() -> Pim {
        Self::history(Pim::sqlite())
    }

    fn history(mut pim: Pim) -> Pim {
        pim.lab();
        pim.login("admin").ok();
        pim.make_eligible(None, "Security Reader", "pimuser").ok();
        pim.run(&[
            "settings",
            "set",
            "Security Reader",
            "--require-ticket",
            "on",
        ])
        .ok();
        pim
    }

    /// A database holding a real (not lab) tenant, Contoso, made with `pim init`.
    pub fn standard_tenant() -> Pim {
        let pim = Pim::new();
        pim.run_stdin(
            &[
                "init",
                "--domain",
                "contoso.onmicrosoft.com",
                "--name",
                "Contoso",
                "--admin",
                "alice@contoso.onmicrosoft.com",
                "--admin-name",
                "Alice",
                "--password-stdin",
            ],
            "correct horse battery staple\n",
        )
        .ok();
        pim
    }

    /// `pim lab --json`, remembering the accounts.
    pub fn lab(&mut self) -> Value {
        let doc = self.run(&["lab", "--json"]).ok().json();
        self.accounts = doc["accounts"].as_array().unwrap().clone();
        doc
    }

    /// `pim lab --reset --json` as the lab's admin (signed in first), remembering the new
    /// accounts.
    pub fn lab_reset(&mut self) -> Value {
        self.login("admin").ok();
        let admin = self.upn("admin");
        let doc = self
            .run_as(Some(&admin), &["lab", "--reset", "--json"])
            .ok()
            .json();
        self.accounts = doc["accounts"].as_array().unwrap().clone();
        doc
    }

    pub fn upn(&self, who: &str) -> String {
        format!("{who}@pimlab.onmicrosoft.com")
    }

    fn account(&self, who: &str) -> &Value {
        let upn = self.upn(who);
        self.accounts
            .iter()
            .find(|a| a["upn"] == upn.as_str())
            .unwrap_or_else(|| panic!("no account {upn}"))
    }

    pub fn password(&self, who: &str) -> String {
        self.account(who)["password"].as_str().unwrap().to_owned()
    }

    pub fn secret(&self, who: &str) -> String {
        self.account(who)["totp_secret"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The code the user's authenticator shows `steps` periods from now.
    pub fn code(&self, who: &str, steps: i64) -> String {
        use pim_console::clock::{Clock, SystemClock};
        // The authenticator is a real device: it reads the real clock, as the engine's TOTP does.
        let now = SystemClock.now().timestamp();
        code_at(&self.secret(who), now + steps * 30).unwrap()
    }

    /// `pim login` with the current code.
    pub fn login(&self, who: &str) -> Run {
        let code = self.code(who, 0);
        self.run_stdin(
            &[
                "login",
                "--user",
                &self.upn(who),
                "--password-stdin",
                "--otp",
                &code,
            ],
            &format!("{}\n", self.password(who)),
        )
    }

    /// Opens the SQLite file directly, as a curious (or hostile) user with sqlite3 would
    /// (tests of what only a file has; [`Pim::tables`] works on either backend).
    pub fn sql(&self) -> rusqlite::Connection {
        assert!(
            !self.pg,
            "this test reads an SQLite file: make its Pim with Pim::sqlite()"
        );
        rusqlite::Connection::open(&self.db).unwrap()
    }

    /// Every row of the state tables, to prove that something changed nothing.
    pub fn snapshot(&self) -> Vec<String> {
        let tables = self.tables();
        let conn = tables.conn();
        let mut out = Vec::new();
        for table in [
            "tenant",
            "users",
            "sessions",
            "role_settings",
            "role_approvers",
            "role_notifications",
            "assignments",
            "requests",
            "emails",
            "groups",
            "roles",
        ] {
            let mut rows = conn
                .rows(&format!("SELECT * FROM {table}"), args![], |r| {
                    let mut cells = Vec::new();
                    while let Some(cell) = r.cell(cells.len())? {
                        cells.push(cell);
                    }
                    Ok(format!("{table}: {}", cells.join(" | ")))
                })
                .unwrap();
            rows.sort();
            out.extend(rows);
        }
        out
    }

    /// Everything the database holds, to show that something left it exactly as it was: the
    /// SQLite file's bytes and its write-ahead log's (where the latest commits are), or every
    /// row of every table of pim's on PostgreSQL.
    pub fn contents(&self) -> Vec<u8> {
        if !self.pg {
            let mut bytes = std::fs::read(&self.db).unwrap();
            bytes.extend(std::fs::read(self.db.with_extension("db-wal")).unwrap_or_default());
            return bytes;
        }
        let tables = self.tables();
        let conn = tables.conn();
        let names: Vec<String> = conn
            .rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'pim' ORDER BY 1",
                args![],
                |r| r.get(0),
            )
            .unwrap();
        let mut out = Vec::new();
        for table in names {
            let rows = conn
                .rows(&format!("SELECT * FROM {table}"), args![], |r| {
                    let mut cells = Vec::new();
                    while let Some(cell) = r.cell(cells.len())? {
                        cells.push(cell);
                    }
                    Ok(format!("{table}: {}\n", cells.join(" | ")))
                })
                .unwrap();
            let mut rows = rows;
            rows.sort();
            out.extend(rows.concat().into_bytes());
        }
        out
    }

    pub fn audit_count(&self) -> i64 {
        self.tables()
            .conn()
            .value("SELECT count(*) FROM audit", args![])
            .unwrap()
    }
}

/// A direct connection to a test's database, on either backend.
pub enum Tables {
    Sqlite(rusqlite::Connection),
    Pg(Box<PgConn>),
}

impl Tables {
    pub fn conn(&self) -> Conn<'_> {
        match self {
            Tables::Sqlite(c) => Conn::Sqlite(c),
            Tables::Pg(c) => Conn::Pg(c),
        }
    }
}
