//! A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` into a temporary
//! directory, a server listening on a unix socket in that directory only, one per test
//! process, shared by its tests (each test takes a database of its own), and gone when the
//! process ends.
//!
//! `initdb` refuses to run as root, so as root the cluster runs as the `postgres` OS user (the
//! one Debian's `postgresql` package makes). Without PostgreSQL the tests that need it are
//! skipped with the reason printed, unless `PIM_REQUIRE_POSTGRES=1` (as CI sets) makes that a
//! failure.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The environment variable that turns a missing PostgreSQL into a failure.
pub const REQUIRE: &str = "PIM_REQUIRE_POSTGRES";

/// The environment variable that runs the engine's and the CLI's tests on PostgreSQL
/// (`PIM_TEST_BACKEND=postgres`) instead of SQLite.
pub const BACKEND: &str = "PIM_TEST_BACKEND";

/// Whether this test run is on PostgreSQL.
///
/// # Panics
/// When `PIM_TEST_BACKEND` names no backend.
pub fn on_postgres() -> bool {
    match std::env::var(BACKEND).as_deref() {
        Ok("postgres") => true,
        Ok("sqlite" | "") | Err(_) => false,
        Ok(other) => panic!("{BACKEND}={other}: use sqlite or postgres"),
    }
}

/// The role pim runs as in the test databases, and its password.
pub const APP_ROLE: (&str, &str) = ("pim_test_app", "pim-test-password");

/// A test database at `url` ([`Cluster::pim_db`]) opened as pim's role, this host's anchors in
/// `anchors`.
///
/// # Errors
/// As [`super::PgStore::open_target`].
pub fn open_pim_db(url: &str, anchors: &Path) -> crate::store::StoreResult<super::PgStore> {
    let (target, _) = super::PgTarget::parse(url)?;
    super::PgStore::open_target(&target.with_password(APP_ROLE.1), Some(anchors))
}

/// A running throwaway cluster.
#[derive(Debug)]
pub struct Cluster {
    /// The data directory, which also holds the server's socket.
    pub dir: PathBuf,
    bin: PathBuf,
    user: Option<(u32, u32)>,
    /// Kept open for the life of the process: when it closes, the keeper stops the server.
    keeper: Mutex<Option<ChildStdin>>,
    /// The template the test databases are copied from, made on first use.
    template: OnceLock<()>,
    /// How the server runs (`postgres -o`), for starting it again.
    options: String,
    /// Its port (the socket's name too).
    pub port: u16,
    /// With TLS on 127.0.0.1: the authority that signed its certificate (for `localhost`).
    pub tls: Option<PathBuf>,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT_DB: AtomicU64 = AtomicU64::new(0);

/// This process's cluster, started on first use; `None` (with the reason printed once) when
/// PostgreSQL is not installed here and `PIM_REQUIRE_POSTGRES` is not set.
///
/// # Panics
/// When PostgreSQL is missing or fails to start and `PIM_REQUIRE_POSTGRES=1`.
pub fn cluster() -> Option<&'static Cluster> {
    static SAID: OnceLock<()> = OnceLock::new();
    match CLUSTER.get_or_init(Cluster::start) {
        Ok(c) => Some(c),
        Err(why) => {
            let required = std::env::var(REQUIRE).is_ok_and(|v| v == "1");
            assert!(!required, "PostgreSQL is required ({REQUIRE}=1) but {why}");
            SAID.get_or_init(|| say_skipped(why));
            None
        }
    }
}

#[expect(clippy::print_stderr, reason = "tests say why they were skipped")]
fn say_skipped(why: &str) {
    eprintln!(
        "skipped: the PostgreSQL tests need a PostgreSQL server here: {why} (install Debian's postgresql)"
    );
}

impl Cluster {
    fn start() -> Result<Cluster, String> {
        Self::start_with(false, false)
    }

    fn start_with(durable: bool, tls: bool) -> Result<Cluster, String> {
        let bin = find_bin()
            .ok_or("initdb and postgres were not found (PATH, /usr/lib/postgresql/*/bin)")?;
        let user = if nix::unistd::geteuid().is_root() {
            let pg = nix::unistd::User::from_name("postgres")
                .ok()
                .flatten()
                .ok_or("pim's tests run as root and initdb refuses root, but there is no postgres OS user to run it as")?;
            Some((pg.uid.as_raw(), pg.gid.as_raw()))
        } else {
            None
        };
        let dir = std::env::temp_dir().join(format!(
            "pim-pg-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "-D",
            ])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        as_user(&mut initdb, user);
        let out = initdb
            .output()
            .map_err(|e| format!("initdb could not run: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        // The superuser signs in by trust over the socket; every other role needs its password,
        // so tests can check what a wrong one does.
        let mut hba = String::from("local all postgres trust\nlocal all all scram-sha-256\n");
        let (port, ca) = if tls {
            hba.push_str("host all all 127.0.0.1/32 scram-sha-256\n");
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| format!("no free port: {e}"))?
                .port();
            (port, Some(make_certificates(&dir, user)?))
        } else {
            (5432, None)
        };
        std::fs::write(dir.join("pg_hba.conf"), hba)
            .map_err(|e| format!("could not write pg_hba.conf: {e}"))?;
        let mut options = server_options(&dir, durable);
        if tls {
            options = format!(
                "{} -p {port} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key",
                options.replace(" -c listen_addresses=''", "")
            );
        }
        // The keeper starts the server, and stops it (fast shutdown) and removes the cluster
        // when its stdin closes: that is, when this process ends, however it ends. In between
        // a test may stop and start the server itself ([`Cluster::pg_ctl`]).
        let script = r#"
            "$1/pg_ctl" -D "$2" -l "$2/server.log" -o "$3" -w -s start >/dev/null 2>&1
            cat >/dev/null
            "$1/pg_ctl" -D "$2" -m fast -w -s stop >/dev/null 2>&1
            rm -rf "$2"
        "#;
        let mut keeper = Command::new("sh");
        keeper
            .args(["-c", script, "keeper"])
            .arg(&bin)
            .arg(&dir)
            .arg(&options)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        as_user(&mut keeper, user);
        let mut child = keeper
            .spawn()
            .map_err(|e| format!("the server could not start: {e}"))?;
        let stdin = child.stdin.take();
        // The child is reaped by nobody; it outlives the handle on purpose.
        std::mem::forget(child);
        let cluster = Cluster {
            dir,
            bin,
            user,
            keeper: Mutex::new(stdin),
            template: OnceLock::new(),
            options: options.clone(),
            port,
            tls: ca,
        };
        cluster.wait_ready(Duration::from_secs(30))?;
        Ok(cluster)
    }

    fn wait_ready(&self, limit: Duration) -> Result<(), String> {
        let began = Instant::now();
        loop {
            match self.superuser("postgres") {
                Ok(_) => return Ok(()),
                Err(e) if began.elapsed() > limit => {
                    let log =
                        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
                    return Err(format!(
                        "the server did not accept connections: {e}; its log: {}",
                        log.trim()
                    ));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// The address of a database on this cluster, as the superuser `postgres`.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgresql:///{db}?host={}&port={}&user=postgres",
            self.dir.display(),
            self.port
        )
    }

    /// A connection as the superuser.
    ///
    /// # Errors
    /// When the server does not answer.
    pub fn superuser(&self, db: &str) -> Result<postgres::Client, postgres::Error> {
        postgres::Config::new()
            .host_path(&self.dir)
            .port(self.port)
            .user("postgres")
            .dbname(db)
            .connect(postgres::NoTls)
    }

    /// A new empty database of this cluster's own, for one test; returns its name.
    ///
    /// # Panics
    /// When the server refuses (a broken cluster fails the test that asked).
    pub fn fresh_db(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        let mut c = self
            .superuser("postgres")
            .expect("connect to the test cluster");
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        name
    }

    /// A new database set up for pim (as `pim db init` leaves it), for one test: its address
    /// as pim's role, without the password ([`APP_ROLE`]). Made from a template set up once
    /// per process, so each costs a file copy.
    ///
    /// # Panics
    /// When the server refuses (a broken cluster fails the test that asked).
    pub fn pim_db(&self) -> String {
        self.template.get_or_init(|| {
            let mut c = self
                .superuser("postgres")
                .expect("connect to the test cluster");
            c.batch_execute("CREATE DATABASE pim_template")
                .expect("create the template");
            drop(c);
            let (owner, _) =
                super::PgTarget::parse(&self.url("pim_template")).expect("the template's address");
            super::init(&owner, APP_ROLE.0, APP_ROLE.1).expect("set the template up for pim");
        });
        let name = format!(
            "p{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        let mut c = self
            .superuser("postgres")
            .expect("connect to the test cluster");
        c.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE pim_template"))
            .expect("create a test database from the template");
        format!(
            "postgresql:///{name}?host={}{}&user={}",
            self.dir.display(),
            if self.port == 5432 {
                String::new()
            } else {
                format!("&port={}", self.port)
            },
            APP_ROLE.0
        )
    }

    /// Runs one of the cluster's programs (`pg_ctl`, `psql`…) as the cluster's OS user.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(self.bin.join(program));
        as_user(&mut c, self.user);
        c
    }

    /// A cluster of the caller's own, not shared with other tests: for a test that stops
    /// the server under pim. `None` as [`cluster`] gives none.
    ///
    /// # Panics
    /// As [`cluster`].
    pub fn own() -> Option<Cluster> {
        Self::own_with(false)
    }

    /// [`Cluster::own`] with the server waiting for the disk on every commit, as a real one
    /// does: for tests that stop it (a commit it acknowledged survives) and for benchmarks
    /// against SQLite's `synchronous=FULL`.
    pub fn own_durable() -> Option<Cluster> {
        Self::own_with(true)
    }

    /// [`Cluster::own_durable`] listening on 127.0.0.1 (its [`Cluster::port`]) with TLS, its
    /// certificate (for `localhost` only) signed by the authority in [`Cluster::tls`].
    pub fn own_tls() -> Option<Cluster> {
        Self::own_with_tls(true, true)
    }

    fn own_with(durable: bool) -> Option<Cluster> {
        Self::own_with_tls(durable, false)
    }

    fn own_with_tls(durable: bool, tls: bool) -> Option<Cluster> {
        match Cluster::start_with(durable, tls) {
            Ok(c) => Some(c),
            Err(why) => {
                let required = std::env::var(REQUIRE).is_ok_and(|v| v == "1");
                assert!(!required, "PostgreSQL is required ({REQUIRE}=1) but {why}");
                say_skipped(&why);
                None
            }
        }
    }

    /// Stops the server at once, as a crash or a pulled cable would (`immediate`), or starts
    /// it again; waits until it has.
    ///
    /// # Panics
    /// When `pg_ctl` fails.
    pub fn pg_ctl(&self, start: bool) {
        let mut c = self.command("pg_ctl");
        c.arg("-D").arg(&self.dir).args(["-w", "-s"]);
        if start {
            c.arg("-l")
                .arg(self.dir.join("server.log"))
                .arg("-o")
                .arg(&self.options)
                .arg("start");
        } else {
            c.args(["-m", "immediate", "stop"]);
        }
        let out = c.output().expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "pg_ctl {}: {}",
            if start { "start" } else { "stop" },
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops the server now (the end of the process would anyway).
    pub fn stop(&self) {
        if let Ok(mut k) = self.keeper.lock()
            && let Some(mut stdin) = k.take()
        {
            let _ = stdin.flush();
        }
    }
}

/// An authority, and a certificate for `localhost` it signed, made with `openssl` in the
/// cluster's directory (as its OS user: the server reads only a key of its own).
fn make_certificates(dir: &Path, user: Option<(u32, u32)>) -> Result<PathBuf, String> {
    let steps: [&[&str]; 4] = [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=pim test authority",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
        &["x509", "-in", "server.crt", "-noout"],
    ];
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n")
        .map_err(|e| format!("could not write san.ext: {e}"))?;
    for args in steps {
        let mut c = Command::new("openssl");
        c.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
        as_user(&mut c, user);
        c.current_dir(dir);
        let out = c
            .output()
            .map_err(|e| format!("openssl could not run: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "openssl failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .map_err(|e| format!("could not protect server.key: {e}"))?;
    }
    Ok(dir.join("ca.crt"))
}

/// How the test servers run: on a socket in their directory only, without waiting for the
/// disk (a throwaway cluster needs no durability).
fn server_options(dir: &Path, durable: bool) -> String {
    let speed = if durable {
        ""
    } else {
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    };
    format!(
        "-k {} -c listen_addresses='' -c max_connections=200{speed}",
        dir.display()
    )
}

fn as_user(c: &mut Command, user: Option<(u32, u32)>) {
    if let Some((uid, gid)) = user {
        c.uid(uid).gid(gid);
        // The postgres user cannot read root's home or working directory.
        c.current_dir("/").env("HOME", "/");
    }
}

fn find_bin() -> Option<PathBuf> {
    let has = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if has(&d) {
                return Some(d);
            }
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|d| has(d))
        .collect();
    versions.sort();
    versions.pop()
}
