//! PostgreSQL, for tenants shared across machines: reading a `postgres://` address (with the
//! password from the standard places, never from the command line), connecting, and
//! `pim db init`, which creates pim's schema and a least-privileged role for pim to run as.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use postgres::config::Host;
use postgres::{Client, Config, NoTls};

use super::{StoreError, StoreResult};

pub mod sql;
mod store;
mod tls;
pub use store::{PgStore, WRITE_LOCK};
#[doc(hidden)]
pub mod testing;
#[cfg(test)]
mod tests;

/// The schema version this pim writes on PostgreSQL.
pub const PG_SCHEMA_VERSION: i64 = 1;

/// What `meta` holds under `application` in a database pim set up.
const APPLICATION: &str = "pim-console";

/// The schema pim's tables live in.
pub const SCHEMA: &str = "pim";

const MIGRATIONS: [&str; 1] = [include_str!("sql/0001_init.sql")];

/// Where this host keeps the anchors of the PostgreSQL databases it uses (one file each, named
/// by the database's identity): `$XDG_STATE_HOME/pim/anchors`, made 0700.
pub fn anchors_dir() -> StoreResult<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "pim").ok_or_else(|| StoreError::Io {
        context: "finding a home directory for the audit log's anchor".into(),
        source: std::io::Error::from(std::io::ErrorKind::NotFound),
    })?;
    let dir = dirs
        .state_dir()
        .unwrap_or_else(|| dirs.data_local_dir())
        .join("anchors");
    super::files::create_dir_private(&dir)?;
    Ok(dir)
}

/// Whether a `--db` value names a PostgreSQL database rather than an SQLite file.
pub fn is_url(db: &str) -> bool {
    let lower = db.to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// How the connection is protected, as libpq's `sslmode` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// No TLS.
    Disable,
    /// TLS when the server offers it (libpq's default).
    Prefer,
    /// TLS, without checking the certificate.
    Require,
    /// TLS with a certificate signed by a trusted authority.
    VerifyCa,
    /// As `VerifyCa`, and the certificate names the host.
    VerifyFull,
}

/// A PostgreSQL database to connect to.
#[derive(Clone)]
pub struct PgTarget {
    config: Config,
    ssl: SslMode,
    /// The authorities `verify-ca` and `verify-full` check the server with (`sslrootcert`).
    roots: Option<tls::Roots>,
    /// Where it is, for messages: `user@host:port/db`, never a password.
    pub shown: String,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// Where the password came from, or that there was none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// In the address itself.
    Address,
    /// `PGPASSWORD`.
    Environment,
    /// A line of the password file (`~/.pgpass` or `PGPASSFILE`).
    File(PathBuf),
    /// None: the server must not ask (peer or trust authentication, a client certificate).
    None,
}

impl PgTarget {
    /// Reads a libpq-style address (`postgres://user@host:port/db?sslmode=…`, or
    /// `postgresql:///db?host=/socket/dir`), filling in what libpq would: the user from
    /// `PGUSER` or the account, the database from the user, and the password from
    /// `PGPASSWORD` or the password file.
    pub fn parse(url: &str) -> StoreResult<(PgTarget, PasswordSource)> {
        let bad = |why: String| StoreError::Postgres {
            target: crate::policy::text::sanitize(url).into_owned(),
            what: why,
        };
        let (rest, ssl, roots) = take_sslmode(url).map_err(bad)?;
        let mut config =
            Config::from_str(&rest).map_err(|e| bad(format!("not a PostgreSQL address: {e}")))?;
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER")
                .ok()
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "postgres".into());
            config.user(&user);
        }
        if config.get_dbname().is_none() {
            let user = config.get_user().unwrap_or("postgres").to_owned();
            config.dbname(&user);
        }
        if config.get_hosts().is_empty() {
            config.host_path("/var/run/postgresql");
        }
        config.application_name("pim");
        if config.get_connect_timeout().is_none() {
            // A host that does not answer at all is given up on in seconds, not minutes.
            config.connect_timeout(std::time::Duration::from_secs(5));
        }
        config.ssl_mode(match ssl {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        });
        let mut target = PgTarget {
            shown: String::new(),
            config,
            ssl,
            roots,
        };
        target.shown = target.describe();
        let source = target.find_password();
        Ok((target, source))
    }

    /// Gives up connecting after `limit` (completion must not hang on a server that is away).
    pub fn with_connect_timeout(mut self, limit: std::time::Duration) -> Self {
        self.config.connect_timeout(limit);
        self
    }

    /// Sets the password to sign in with (tests; people use PGPASSWORD or the password file).
    pub fn with_password(mut self, password: &str) -> Self {
        self.config.password(password);
        self
    }

    /// The server's host (or socket directory), for messages and the password file.
    pub fn host(&self) -> String {
        match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        }
    }

    /// The host as a password file names it: a socket directory is `localhost`, as in libpq.
    pub fn pgpass_host(&self) -> String {
        match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(_)) | None => "localhost".to_owned(),
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(5432)
    }

    /// The user pim connects as.
    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or("postgres")
    }

    /// The database name.
    pub fn dbname(&self) -> &str {
        self.config.get_dbname().unwrap_or("postgres")
    }

    /// The same server and database as another user (no password carried over).
    pub fn as_user(&self, user: &str) -> PgTarget {
        let mut config = self.config.clone();
        config.user(user);
        config.password(Vec::<u8>::new());
        let mut t = PgTarget {
            config,
            ssl: self.ssl,
            roots: self.roots.clone(),
            shown: String::new(),
        };
        t.shown = t.describe();
        t
    }

    /// The address to give `pim --db`: no password in it.
    pub fn url(&self) -> String {
        let mut query: Vec<String> = Vec::new();
        let authority = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => format!("{}@{h}:{}", escape(self.user()), self.port()),
            Some(Host::Unix(p)) => {
                query.push(format!("host={}", escape(&p.display().to_string())));
                if self.port() != 5432 {
                    query.push(format!("port={}", self.port()));
                }
                query.push(format!("user={}", escape(self.user())));
                String::new()
            }
            None => String::new(),
        };
        if self.ssl != SslMode::Prefer {
            query.push(format!("sslmode={}", ssl_name(self.ssl)));
        }
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
        format!("postgresql://{authority}/{}{query}", escape(self.dbname()))
    }

    fn describe(&self) -> String {
        match self.config.get_hosts().first() {
            Some(Host::Unix(p)) => format!(
                "{}@{} (socket in {})",
                self.user(),
                self.dbname(),
                p.display()
            ),
            _ => format!(
                "{}@{}:{}/{}",
                self.user(),
                self.host(),
                self.port(),
                self.dbname()
            ),
        }
    }

    /// Fills in the password from `PGPASSWORD` or the password file, as libpq does, when the
    /// address has none.
    fn find_password(&mut self) -> PasswordSource {
        if self.config.get_password().is_some_and(|p| !p.is_empty()) {
            return PasswordSource::Address;
        }
        if let Ok(p) = std::env::var("PGPASSWORD") {
            self.config.password(p);
            return PasswordSource::Environment;
        }
        let file = std::env::var_os("PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass")));
        if let Some(file) = file
            && let Some(p) = password_from_file(&file, self)
        {
            self.config.password(p);
            return PasswordSource::File(file);
        }
        PasswordSource::None
    }

    /// Connects, or says which server could not be reached and why.
    pub fn connect(&self) -> StoreResult<Client> {
        let fail = |what: String| StoreError::Postgres {
            target: self.shown.clone(),
            what,
        };
        // A local socket never carries TLS (as in libpq): the operating system guards it.
        let local = matches!(self.config.get_hosts().first(), Some(Host::Unix(_)));
        let made = if self.ssl == SslMode::Disable || local {
            let mut config = self.config.clone();
            config.ssl_mode(postgres::config::SslMode::Disable);
            config.connect(NoTls)
        } else {
            let roots = self.roots.clone().or_else(|| {
                tls::Roots::default_file()
                    .filter(|p| p.is_file())
                    .map(tls::Roots::File)
            });
            let connector = tls::connector(self.ssl, roots.as_ref()).map_err(fail)?;
            self.config.connect(connector)
        };
        made.map_err(|e| fail(pg_reason(&e)))
    }
}

/// Percent-encodes what would end or change a part of an address.
fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' | '%' | '&' | '?' | '#' | '@' | ':' | '=' | '\'' | '"' => {
                format!("%{:02X}", c as u32)
            }
            c => c.to_string(),
        })
        .collect()
}

fn ssl_name(m: SslMode) -> &'static str {
    match m {
        SslMode::Disable => "disable",
        SslMode::Prefer => "prefer",
        SslMode::Require => "require",
        SslMode::VerifyCa => "verify-ca",
        SslMode::VerifyFull => "verify-full",
    }
}

/// Takes `sslmode` and `sslrootcert` out of the address (the client library knows only three
/// of libpq's five modes, and not the other) and reads them.
fn take_sslmode(url: &str) -> Result<(String, SslMode, Option<tls::Roots>), String> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), SslMode::Prefer, None));
    };
    let mut mode = SslMode::Prefer;
    let mut roots = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", v)) => {
                mode = match v {
                    "disable" => SslMode::Disable,
                    "allow" | "prefer" => SslMode::Prefer,
                    "require" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    other => {
                        return Err(format!(
                            "sslmode={} is not one of disable, allow, prefer, require, verify-ca, verify-full",
                            crate::policy::text::sanitize(other)
                        ));
                    }
                }
            }
            Some(("sslrootcert", "system")) => roots = Some(tls::Roots::System),
            Some(("sslrootcert", file)) => {
                roots = Some(tls::Roots::File(PathBuf::from(unescape(file))));
            }
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((rest, mode, roots))
}

/// Percent-decodes a query value (`%2F` is `/`).
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1..i + 3)) {
            (b'%', Some(hex)) => match std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 3;
                }
                None => {
                    out.push(b'%');
                    i += 1;
                }
            },
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The password a libpq password file gives this target: the first line whose host, port,
/// database and user match (`*` matches anything; `\:` and `\\` are escapes). Like libpq, a
/// file that others can read is ignored.
fn password_from_file(file: &Path, t: &PgTarget) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(file).ok()?;
    if meta.permissions().mode() & 0o077 != 0 {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let host = t.pgpass_host();
    let port = t.port().to_string();
    let wanted = [host.as_str(), port.as_str(), t.dbname(), t.user()];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = pgpass_fields(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(f, w)| f == "*" || f == w);
            matches.then(|| fields[4].clone())
        })
}

fn pgpass_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(n), Some(f)) = (chars.next(), out.last_mut()) {
                    f.push(n);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            c => {
                if let Some(f) = out.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    out
}

/// A server's error in words: its message, or what failed on the way to it.
fn pg_reason(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    let text = e.to_string();
    let source = std::error::Error::source(e).map(|s| s.to_string());
    match source {
        Some(s) if !text.contains(&s) => format!("{text}: {s}"),
        _ => text,
    }
}

/// What `pim db init` made.
#[derive(Debug, Clone)]
pub struct Initialized {
    /// The schema version written.
    pub schema_version: i64,
    /// The role pim runs as.
    pub role: String,
    /// Its password, shown once.
    pub password: String,
    /// The address to run pim with (no password in it).
    pub url: String,
}

/// `pim db init`: as the database's owner, creates pim's schema (in the `pim` schema) and a
/// role that may read and change pim's tables but only add to the audit log. Refused, with
/// nothing changed, on a database that already holds pim's schema or holds other tables.
pub fn init(target: &PgTarget, role: &str, password: &str) -> StoreResult<Initialized> {
    if !valid_role(role) {
        return Err(StoreError::Postgres {
            target: target.shown.clone(),
            what: format!(
                "{} is not a role name pim makes: use lower-case letters, digits and _ (at most 63, starting with a letter)",
                crate::policy::text::sanitize(role)
            ),
        });
    }
    let mut client = target.connect()?;
    let fail = |e: postgres::Error| StoreError::Postgres {
        target: target.shown.clone(),
        what: pg_reason(&e),
    };
    let mut tx = client.transaction().map_err(fail)?;
    refuse_unless_empty(&mut tx, target)?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA {SCHEMA}; SET LOCAL search_path = {SCHEMA};"
    ))
    .map_err(fail)?;
    for sql in MIGRATIONS {
        tx.batch_execute(sql).map_err(fail)?;
    }
    // The database's identity and the key that seals its TOTP secrets, made once here.
    let database_id = uuid::Uuid::new_v4().simple().to_string();
    let key =
        crate::auth::seal::SealKey::generate().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('application', $1), ('schema_version', $2), ('database_id', $3)",
        &[&APPLICATION, &PG_SCHEMA_VERSION.to_string(), &database_id],
    )
    .map_err(fail)?;
    tx.execute(
        "INSERT INTO seal_key (key_text) VALUES ($1)",
        &[&key.to_file_text(&database_id).as_str()],
    )
    .map_err(fail)?;
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&role],
        )
        .map_err(fail)?
        .get(0);
    let quoted_password = password.replace('\'', "''");
    let db = target.dbname().replace('"', "\"\"");
    let grants = format!(
        "{create} ROLE {role} LOGIN PASSWORD '{quoted_password}';
         REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC;
         GRANT CONNECT ON DATABASE \"{db}\" TO {role};
         GRANT USAGE ON SCHEMA {SCHEMA} TO {role};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {SCHEMA} TO {role};
         REVOKE UPDATE, DELETE, TRUNCATE ON {SCHEMA}.audit FROM {role};
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {role};
         ALTER ROLE {role} SET search_path = {SCHEMA};",
        create = if exists { "ALTER" } else { "CREATE" },
    );
    tx.batch_execute(&grants).map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok(Initialized {
        schema_version: PG_SCHEMA_VERSION,
        role: role.to_owned(),
        password: password.to_owned(),
        url: target.as_user(role).url(),
    })
}

/// Refuses a database that already has pim's schema (saying which version) or any other
/// tables of its own: pim never builds into someone else's database.
fn refuse_unless_empty(tx: &mut postgres::Transaction<'_>, target: &PgTarget) -> StoreResult<()> {
    let fail = |e: postgres::Error| StoreError::Postgres {
        target: target.shown.clone(),
        what: pg_reason(&e),
    };
    let has_pim: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'meta')",
            &[&SCHEMA],
        )
        .map_err(fail)?
        .get(0);
    if has_pim {
        let rows = tx
            .query(
                &format!("SELECT key, value FROM {SCHEMA}.meta WHERE key IN ('application', 'schema_version')"),
                &[],
            )
            .map_err(fail)?;
        let get = |k: &str| {
            rows.iter()
                .find(|r| r.get::<_, String>(0) == k)
                .map(|r| r.get::<_, String>(1))
        };
        if get("application").as_deref() != Some(APPLICATION) {
            return Err(StoreError::Postgres {
                target: target.shown.clone(),
                what: format!(
                    "its schema {SCHEMA} belongs to another program, not PIM Console; refusing to touch it"
                ),
            });
        }
        let version: i64 = get("schema_version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        return Err(if version > PG_SCHEMA_VERSION {
            StoreError::Postgres {
                target: target.shown.clone(),
                what: format!(
                    "it holds pim's schema version {version}, written by a newer PIM Console (this pim understands up to {PG_SCHEMA_VERSION}); use a newer pim"
                ),
            }
        } else {
            StoreError::Postgres {
                target: target.shown.clone(),
                what: format!(
                    "it is set up for pim already (schema version {version}); `pim db init` runs once per database"
                ),
            }
        });
    }
    let others: i64 = tx
        .query_one(
            "SELECT count(*) FROM information_schema.tables
             WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
            &[],
        )
        .map_err(fail)?
        .get(0);
    let schema_taken: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = $1)",
            &[&SCHEMA],
        )
        .map_err(fail)?
        .get(0);
    if others > 0 || schema_taken {
        return Err(StoreError::Postgres {
            target: target.shown.clone(),
            what: format!(
                "it already holds {others} tables of another program; pim sets itself up only in a database of its own (createdb pim)"
            ),
        });
    }
    Ok(())
}

fn valid_role(role: &str) -> bool {
    let mut chars = role.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && role.len() <= 63
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
