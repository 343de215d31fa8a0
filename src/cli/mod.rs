//! The scriptable face: parses arguments, calls the service, prints text or JSON, and maps every
//! answer to an exit code (0 ok, 1 error, 2 usage, 3 refused by policy, 4 authentication).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use crate::service::{AuthFailure, Preview, Service, ServiceError, SessionToken};
use crate::store::OpenMode;

/// Prints a line on standard output through [`output::write_out`]: sanitised, and a closed
/// pipe ends the program quietly instead of panicking.
macro_rules! outln {
    () => { $crate::cli::output::write_out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::output::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints on standard error through [`output::write_err`]: sanitised, never panics.
macro_rules! err {
    ($($arg:tt)*) => { $crate::cli::output::write_err(format_args!($($arg)*)) };
}

/// [`err!`] with a line break.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::cli::output::write_err(format_args!("{}\n", format_args!($($arg)*))) };
}

mod alerts;
pub mod args;
mod assign;
mod audit;
mod audit_export;
pub mod completions;
mod db;
mod exec;
mod groups;
mod integrity;
mod me;
pub mod output;
mod policies;
mod requests;
mod reviews;
mod roles;
mod scenario;
pub mod sessions;
mod signin;
mod status;
mod tenant;
mod transfer;

pub use args::Cli;
use args::Command;
use sessions::Sessions;

/// A failed command: its exit code and the message for stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// Process exit code.
    pub code: u8,
    /// What went wrong and what to do, already prefixed.
    pub message: String,
}

impl CliError {
    /// Exit 1.
    pub fn error(msg: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: format!("error: {}", msg.into()),
        }
    }

    /// Exit 2.
    pub fn usage(msg: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: format!("error: {}", msg.into()),
        }
    }

    /// Exit 4.
    pub fn auth(msg: impl Into<String>) -> Self {
        Self {
            code: 4,
            message: format!("authentication failed: {}", msg.into()),
        }
    }
}

impl From<ServiceError> for CliError {
    fn from(e: ServiceError) -> Self {
        let code = e.exit_code();
        let message = match &e {
            ServiceError::Refused(r) => r
                .to_string()
                .lines()
                .map(|l| format!("refused: {}", output::safe(l)))
                .collect::<Vec<_>>()
                .join("\n"),
            ServiceError::Auth(AuthFailure::CodeRequired { .. }) => {
                format!("authentication failed: {e} (--otp CODE)")
            }
            ServiceError::Auth(_) => format!("authentication failed: {e}"),
            _ => format!("error: {}", output::safe(&e.to_string())),
        };
        Self { code, message }
    }
}

/// Shorthand for command results.
pub type CliResult = Result<(), CliError>;

/// What every command needs: where the database is and whom to act as.
pub struct Env {
    /// The database file.
    pub db: PathBuf,
    /// `--as`.
    pub as_upn: Option<String>,
}

impl Env {
    /// Opens the engine on the database, saying first on stderr what is wrong with it (a
    /// broken audit anchor, a missing key): reads go on, changes are refused by the engine.
    pub fn open(&self, mode: OpenMode) -> Result<Service, CliError> {
        let mut svc = self.open_quietly(mode)?;
        for warning in svc.health() {
            errln!("warning: {warning}");
        }
        Ok(svc)
    }

    /// [`Env::open`] for a command that changes the tenant: its change checks the audit log
    /// against its anchor under the write lock and refuses with the reason, so there is no
    /// warning about the anchor first (see [`Service::health_for_change`]).
    pub fn open_to_change(&self, mode: OpenMode) -> Result<Service, CliError> {
        let mut svc = self.open_quietly(mode)?;
        for warning in svc.health_for_change() {
            errln!("warning: {warning}");
        }
        Ok(svc)
    }

    /// [`Env::open`] for the commands whose job is to report what is wrong (`audit verify`,
    /// `doctor`): they say it themselves.
    pub fn open_quietly(&self, mode: OpenMode) -> Result<Service, CliError> {
        // A big database's upgrade takes seconds: say so on a terminal while it runs.
        let mut spinner: Option<indicatif::ProgressBar> = None;
        let opened = Service::open_with(&self.db, mode, &mut |u| {
            let bar = spinner.get_or_insert_with(|| {
                let bar = output::progress_spinner(false);
                bar.enable_steady_tick(std::time::Duration::from_millis(100));
                bar
            });
            bar.set_message(format!(
                "Upgrading the database from schema version {} to {} (step {} of {})…",
                u.from,
                u.target,
                u.to - u.from,
                u.target - u.from
            ));
        });
        if let Some(bar) = spinner {
            bar.finish_and_clear();
        }
        let mut svc = opened.map_err(CliError::from)?;
        svc.on_warning(|w| errln!("warning: {w}"));
        Ok(svc)
    }

    /// The sessions file of this database.
    pub fn sessions(&self) -> Result<Sessions, CliError> {
        Sessions::load(&self.db)
    }

    /// The session to act with.
    pub fn token(&self) -> Result<SessionToken, CliError> {
        Ok(self.sessions()?.token(self.as_upn.as_deref())?.1)
    }
}

/// `<data dir>/pim/pim.db`.
pub fn default_db() -> PathBuf {
    directories::ProjectDirs::from("", "", "pim")
        .map(|d| d.data_dir().join("pim.db"))
        .unwrap_or_else(|| PathBuf::from("pim.db"))
}

/// Runs one command on the database `db` (the default one when `None`), acting as `as_upn`;
/// returns the exit code.
pub fn run(db: Option<PathBuf>, as_upn: Option<String>, command: Command) -> u8 {
    let env = Env {
        db: db.unwrap_or_else(default_db),
        as_upn,
    };
    if !matches!(
        command,
        Command::Db(_) | Command::Completions(_) | Command::Man(_)
    ) && let Err(e) = check_address(&env.db)
    {
        return finish(Err(e));
    }
    finish(dispatch(&env, command))
}

/// Refuses a PostgreSQL address with a password in it (it would stay in the shell's history).
pub fn check_address(db: &std::path::Path) -> CliResult {
    if let Some(url) = db.to_str().filter(|u| crate::store::pg::is_url(u)) {
        db::target(url)?;
    }
    Ok(())
}

/// Says what went wrong, if anything, on stderr; the exit code.
pub fn finish(result: CliResult) -> u8 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            if !e.message.is_empty() {
                errln!("{}", e.message);
            }
            e.code
        }
    }
}

fn dispatch(env: &Env, command: Command) -> CliResult {
    match command {
        Command::Lab(a) => tenant::lab(env, &a),
        Command::Init(a) => tenant::init(env, a),
        Command::Clock(a) => tenant::clock(env, a),
        Command::Login(a) => signin::login(env, a),
        Command::Logout(a) => signin::logout(env, &a),
        Command::Whoami(a) => signin::whoami(env, a.json),
        Command::Users(c) => signin::users(env, c),
        Command::Roles(a) => roles::roles(env, &a),
        Command::Settings(c) => roles::settings(env, c),
        Command::Assign(a) => assign::assign(env, a),
        Command::Assignments(a) => assign::assignments(env, a),
        Command::Unassign(a) => assign::unassign(env, a),
        Command::Activate(a) => me::activate(env, a),
        Command::Deactivate(a) => me::deactivate(env, &a),
        Command::Status(a) => status::status(env, &a),
        Command::Bundle(a) => me::bundle(env, a),
        Command::Check(a) => exec::check(env, &a),
        Command::Completions(a) => completions::completions(&a),
        Command::Scenario(a) => scenario::scenario(env, a),
        Command::Man(a) => completions::man(&a),
        Command::Exec(a) => exec::exec(env, a),
        Command::Inbox(a) => me::inbox(env, a),
        Command::Requests(a) => requests::requests(env, &a),
        Command::Approve(a) => requests::approve(env, a),
        Command::Deny(a) => requests::deny(env, a),
        Command::Cancel(a) => requests::cancel(env, &a),
        Command::Extend(a) => requests::extend(env, a),
        Command::Renew(a) => requests::renew(env, a),
        Command::Mail(c) => alerts::mail(env, c),
        Command::Alerts(a) => alerts::alerts(env, a),
        Command::Reviews(r) => reviews::reviews(env, r),
        Command::Groups(g) => groups::groups(env, g),
        Command::Licence(a) => alerts::licence(env, &a),
        Command::Audit(a) => audit::audit(env, a),
        Command::Backup(a) => integrity::backup(env, &a),
        Command::Restore(a) => integrity::restore(env, &a),
        Command::Doctor(a) => integrity::doctor(env, &a),
        Command::Db(c) => db::db(c),
    }
}

/// Reads a secret from standard input (one line, newline removed, nothing else touched).
pub fn read_stdin_line() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::error(format!("reading standard input: {e}")))?;
    while line.ends_with(['\n', '\r']) {
        line.pop();
    }
    Ok(line)
}

/// Asks for a password without echo; only on a terminal.
pub fn prompt_password(prompt: &str, flag: &str) -> Result<String, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(format!(
            "no terminal to ask for the password; pipe it with {flag}"
        )));
    }
    rpassword::prompt_password(prompt)
        .map_err(|e| CliError::error(format!("reading the password: {e}")))
}

/// Runs `attempt` with the password given so far; when the role turns out to require an
/// authentication context and none was given, asks for the password at the terminal (the
/// reason first), keeps it in `password` for later attempts, and runs `attempt` again.
pub(crate) fn with_password_again<T>(
    password: &mut Option<String>,
    flag: &str,
    mut attempt: impl FnMut(Option<String>) -> Result<T, crate::service::ServiceError>,
) -> Result<T, crate::service::ServiceError> {
    use crate::service::{AuthFailure, ServiceError};
    match attempt(password.clone()) {
        Err(ServiceError::Auth(AuthFailure::PasswordRequired { what, claim }))
            if password.is_none() && std::io::stdin().is_terminal() =>
        {
            errln!("{what} requires authentication context {claim}: enter your password again.");
            let typed = prompt_password("Password: ", flag).map_err(|e| {
                ServiceError::Invalid(e.message.trim_start_matches("error: ").to_owned())
            })?;
            *password = Some(typed);
            attempt(password.clone())
        }
        other => other,
    }
}

/// Asks for one line (a code, a name); only on a terminal.
pub fn prompt_line(prompt: &str, flag: &str) -> Result<String, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(format!(
            "no terminal to ask for it; give {flag}"
        )));
    }
    err!("{prompt}");
    let _ = std::io::stderr().flush();
    read_stdin_line()
}

/// Runs `call` for real (asking for a code when one is needed, as [`with_code_prompt`]), or
/// with `--dry-run` as a preflight: every rule checked, nothing changed, no code asked for.
pub fn dry_or_real<T>(
    svc: &mut Service,
    dry_run: bool,
    code: Option<String>,
    mut call: impl FnMut(&mut Service, Option<String>) -> Result<T, ServiceError>,
) -> Result<(T, Option<Preview>), CliError> {
    if dry_run {
        let (result, preview) = svc.preflight(|s| call(s, code.clone()));
        return result.map(|v| (v, Some(preview))).map_err(CliError::from);
    }
    with_code_prompt(code, |c| call(svc, c)).map(|v| (v, None))
}

/// Before a dry run's usual output: what it is.
pub fn dry_header(preview: &Option<Preview>) {
    if preview.is_some() {
        outln!(
            "Dry run: nothing was changed and no code was asked for. This is what would happen:"
        );
    }
}

/// After a dry run's usual output: the code that would be asked for, and who would hear of it.
pub fn dry_footer(preview: &Option<Preview>) {
    let Some(p) = preview else { return };
    if p.mfa_required {
        outln!("A fresh code from the authenticator would be asked for.");
    }
    if p.would_notify.is_empty() {
        outln!("Nobody would be e-mailed.");
    } else {
        outln!("Would e-mail:");
        for (to, subject) in &p.would_notify {
            outln!("  {to}: {subject}");
        }
    }
}

/// A dry run's JSON: the usual document with `dry_run`, `mfa_required` and `would_notify`.
pub fn dry_json(mut doc: serde_json::Value, preview: &Option<Preview>) -> serde_json::Value {
    if let (Some(p), serde_json::Value::Object(map)) = (preview, &mut doc) {
        map.insert("dry_run".into(), true.into());
        map.insert("mfa_required".into(), p.mfa_required.into());
        map.insert(
            "would_notify".into(),
            p.would_notify
                .iter()
                .map(|(to, subject)| serde_json::json!({"to": to, "subject": subject}))
                .collect(),
        );
    }
    doc
}

/// How many codes a person may type at one prompt before the command gives up (each wrong
/// one counts towards the lockout like any).
pub const CODE_TRIES: usize = 3;

/// Runs `call` with `code`; if the service asks for an MFA code that was not given and a
/// person is at the terminal, asks for it and runs `call` again, asking once more after a
/// wrong or already used code, up to [`CODE_TRIES`] codes.
pub fn with_code_prompt<T>(
    code: Option<String>,
    mut call: impl FnMut(Option<String>) -> Result<T, ServiceError>,
) -> Result<T, CliError> {
    let first = call(code.clone());
    if code.is_some() || !std::io::stdin().is_terminal() {
        return first.map_err(CliError::from);
    }
    let mut result = first;
    let mut typed = 0;
    loop {
        match &result {
            Err(ServiceError::Auth(AuthFailure::CodeRequired { what })) if typed == 0 => {
                errln!("MFA: {what} needs a fresh code from your authenticator.");
            }
            Err(ServiceError::Auth(
                e @ (AuthFailure::WrongCode { .. } | AuthFailure::ReplayedCode { .. }),
            )) if typed > 0 && typed < CODE_TRIES => errln!("{e}"),
            _ => return result.map_err(CliError::from),
        }
        let code = prompt_line("Code: ", "--otp CODE")?;
        typed += 1;
        result = call(Some(code));
    }
}
