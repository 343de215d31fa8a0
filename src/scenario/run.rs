//! Playing a scenario: a fresh lab, its accounts signed in, then each step as a person would
//! do it (the pim command run as the step's actor, in its own process), its expectations
//! checked against the engine afterwards. What happens is told to an [`Observer`]: the
//! console and `pim scenario run` narrate, `pim scenario check` only counts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{Scenario, Step};
use crate::auth::totp::code_at;
use crate::cli::sessions::Sessions;
use crate::clock::{Clock, SystemClock};
use crate::service::{CreatedAccount, LAB_DOMAIN as TENANT_LAB_DOMAIN, Service, SessionToken};
use crate::store::OpenMode;

/// What a run reports as it goes.
pub trait Observer {
    /// A step begins (`index` from 0).
    fn step(&mut self, _index: usize, _total: usize, _step: &Step) {}
    /// Whether to go on with the step just announced (`--pause` waits here).
    fn proceed(&mut self) -> bool {
        true
    }
    /// The lab clock moved.
    fn clock(&mut self, _by: chrono::TimeDelta) {}
    /// A command is about to run as `upn`.
    fn command(&mut self, _upn: &str, _words: &[String]) {}
    /// What it printed, and its exit code.
    fn output(&mut self, _code: i32, _stdout: &str, _stderr: &str) {}
    /// The runner waits for an account's next authenticator code.
    fn waiting(&mut self, _upn: &str, _seconds: u64) {}
    /// An expectation held.
    fn held(&mut self, _what: &str) {}
}

/// An observer that says nothing.
pub struct Quiet;

impl Observer for Quiet {}

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The lab could not be made or an account signed in.
    Setup(String),
    /// A step's expectation did not hold.
    Step {
        /// Its position, from 0.
        index: usize,
        /// Its id.
        id: String,
        /// Its line in the file.
        line: usize,
        /// What was expected and what was found.
        message: String,
    },
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Setup(m) => write!(f, "{m}"),
            RunError::Step {
                index,
                id,
                line,
                message,
            } => write!(f, "step {} ({id}, line {line}): {message}", index + 1),
        }
    }
}

/// An account as the run knows it.
#[derive(Debug, Clone)]
pub struct Known {
    /// Its UPN.
    pub upn: String,
    /// Its display name.
    pub display_name: String,
    /// Its password.
    pub password: String,
    /// Its authenticator secret.
    pub secret: String,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Played {
    /// Every account of the lab, with its password and secret, lab ones first.
    pub accounts: Vec<Known>,
    /// How many steps ran.
    pub steps_run: usize,
    /// The step it stopped before (`--to`), if any.
    pub stopped_before: Option<usize>,
}

/// Hands out each account's authenticator codes, each once, never reusing a 30-second step
/// and never older than the one before (as the engine requires); waits when an account has
/// used the codes the clock allows.
struct Codes {
    last: HashMap<String, i64>,
}

impl Codes {
    fn next(&mut self, k: &Known, obs: &mut dyn Observer) -> String {
        loop {
            let now = SystemClock.now().timestamp();
            let step = now / 30;
            // The previous step's code is accepted for the rest of this one: taken only while
            // enough of it is left that the check cannot fall into the next (then it would be
            // two steps old and refused).
            let oldest = if now % 30 < 20 { step - 1 } else { step };
            let candidate = self
                .last
                .get(&k.upn)
                .map_or(oldest, |l| (l + 1).max(oldest));
            if candidate <= step + 1 {
                self.last.insert(k.upn.clone(), candidate);
                return code_at(&k.secret, candidate * 30).unwrap_or_default();
            }
            let wait = (candidate - 1) * 30 - now;
            obs.waiting(&k.upn, u64::try_from(wait.max(1)).unwrap_or(1));
            std::thread::sleep(std::time::Duration::from_secs(
                u64::try_from(wait.max(1)).unwrap_or(1),
            ));
        }
    }
}

/// Plays `scenario` on a new lab at `db` (which must not exist), up to the step at index `to`
/// (not played) or to the end.
pub fn play(
    db: &Path,
    scenario: &Scenario,
    to: Option<usize>,
    obs: &mut dyn Observer,
) -> Result<Played, RunError> {
    let setup = |e: String| RunError::Setup(e);
    let mut svc = Service::open(db, OpenMode::Create).map_err(|e| setup(e.to_string()))?;
    let lab = svc
        .create_lab(false, None)
        .map_err(|e| setup(e.to_string()))?;
    let mut accounts: Vec<Known> = lab.accounts.iter().map(known).collect();
    let mut codes = Codes {
        last: HashMap::new(),
    };
    let mut sessions = Sessions::load(db).map_err(|e| setup(e.message))?;
    let mut tokens: HashMap<String, SessionToken> = HashMap::new();
    let upn_of = |name: &str| format!("{name}@{TENANT_LAB_DOMAIN}");
    let mut sign_in = |svc: &mut Service,
                       k: &Known,
                       codes: &mut Codes,
                       obs: &mut dyn Observer|
     -> Result<SessionToken, RunError> {
        let code = codes.next(k, obs);
        let signed = svc
            .sign_in(&k.upn, &k.password, &code)
            .map_err(|e| setup(format!("signing in {}: {e}", k.upn)))?;
        sessions
            .add(&k.upn, &signed.token, signed.expires)
            .map_err(|e| setup(e.message))?;
        Ok(signed.token)
    };
    let used = scenario.accounts_used();
    let admin = accounts[0].clone();
    if !scenario.accounts.is_empty() || used.iter().any(|u| u == "admin") {
        let t = sign_in(&mut svc, &admin, &mut codes, obs)?;
        tokens.insert("admin".into(), t);
    }
    for a in &scenario.accounts {
        let admin_token = tokens
            .get("admin")
            .cloned()
            .ok_or_else(|| setup("no administrator".into()))?;
        let password = crate::auth::session::generate_password()
            .map_err(|e| setup(format!("no randomness available: {e}")))?;
        let new = svc
            .add_user(
                &admin_token,
                &upn_of(&a.name),
                &a.display_name,
                Some(&password),
            )
            .map_err(|e| setup(format!("adding {}: {e}", a.name)))?;
        accounts.push(Known {
            upn: new.principal.upn,
            display_name: a.display_name.clone(),
            password,
            secret: new.enrolment.secret,
        });
    }
    for name in &used {
        if tokens.contains_key(name) {
            continue;
        }
        let k =
            find(&accounts, &upn_of(name)).ok_or_else(|| setup(format!("no account {name}")))?;
        let t = sign_in(&mut svc, &k, &mut codes, obs)?;
        tokens.insert(name.clone(), t);
    }
    let total = scenario.steps.len();
    let end = to.unwrap_or(total).min(total);
    let exe = std::env::current_exe().map_err(|e| setup(format!("cannot find pim itself: {e}")))?;
    for (index, step) in scenario.steps.iter().enumerate().take(end) {
        obs.step(index, total, step);
        if !obs.proceed() {
            return Ok(Played {
                accounts,
                steps_run: index,
                stopped_before: Some(index),
            });
        }
        let fail = |message: String| RunError::Step {
            index,
            id: step.id.clone(),
            line: step.line,
            message,
        };
        let inboxes = inbox_ids(&mut svc, &tokens, step);
        if let Some(by) = step.clock {
            let token = tokens
                .get("admin")
                .ok_or_else(|| fail("no administrator".into()))?;
            svc.advance_clock(token, by)
                .map_err(|e| fail(format!("moving the clock: {e}")))?;
            obs.clock(by);
        }
        let mut output = String::new();
        if let Some(words) = &step.run {
            let actor = step.actor.as_deref().unwrap_or("admin");
            let k = find(&accounts, &upn_of(actor))
                .ok_or_else(|| fail(format!("no account {actor}")))?;
            let mut args: Vec<String> = Vec::with_capacity(words.len());
            for w in words {
                let mut w = w.clone();
                if w.contains("{code}") {
                    w = w.replace("{code}", &codes.next(&k, obs));
                }
                if w.contains("{request}") {
                    let token = tokens
                        .get(actor)
                        .ok_or_else(|| fail(format!("{actor} is not signed in")))?;
                    let id = newest_request(&mut svc, token).ok_or_else(|| {
                        fail(format!(
                            "{{request}}: no pending request {actor} can decide"
                        ))
                    })?;
                    w = w.replace("{request}", &id);
                }
                args.push(w);
            }
            obs.command(&k.upn, &args);
            let out = Command::new(&exe)
                .args(&args)
                .env("PIM_DB", db)
                .env("PIM_AS", &k.upn)
                .env_remove("COMPLETE")
                .stdin(Stdio::null())
                .output()
                .map_err(|e| fail(format!("running pim: {e}")))?;
            let code = out.status.code().unwrap_or(-1);
            let (stdout, stderr) = (
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
            obs.output(code, &stdout, &stderr);
            if code != step.expect.exit {
                return Err(fail(format!(
                    "expected exit {}, got {code}: {}",
                    step.expect.exit,
                    first_line(&stderr).unwrap_or_else(|| first_line(&stdout).unwrap_or_default())
                )));
            }
            obs.held(&format!("exit {code}"));
            output = format!("{stdout}{stderr}");
        }
        check(&mut svc, &tokens, step, &inboxes, &output, obs).map_err(fail)?;
    }
    Ok(Played {
        accounts,
        steps_run: end,
        stopped_before: to.filter(|t| *t < total),
    })
}

/// The newest pending request the account may decide, or else its own newest pending one.
fn newest_request(svc: &mut Service, token: &SessionToken) -> Option<String> {
    let list = svc.requests(token).ok()?;
    let pending = list.iter().filter(|v| v.request.status.is_pending());
    pending
        .clone()
        .filter(|v| v.can_decide)
        .max_by_key(|v| v.request.created_at)
        .or_else(|| {
            pending
                .filter(|v| v.mine)
                .max_by_key(|v| v.request.created_at)
        })
        .map(|v| v.request.id.clone())
}

fn known(a: &CreatedAccount) -> Known {
    Known {
        upn: a.upn.clone(),
        display_name: a.display_name.clone(),
        password: a.password.clone(),
        secret: a.totp_secret.clone(),
    }
}

fn find(accounts: &[Known], upn: &str) -> Option<Known> {
    accounts.iter().find(|a| a.upn == upn).cloned()
}

fn first_line(text: &str) -> Option<String> {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .map(str::to_owned)
}

/// The ids of the messages each account the step expects mail for has now.
fn inbox_ids(
    svc: &mut Service,
    tokens: &HashMap<String, SessionToken>,
    step: &Step,
) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    for (who, _) in &step.expect.emails {
        if out.contains_key(who) {
            continue;
        }
        let ids = tokens
            .get(who)
            .and_then(|t| svc.inbox(t, false, 100_000).ok())
            .map(|m| m.into_iter().map(|e| e.id).collect())
            .unwrap_or_default();
        out.insert(who.clone(), ids);
    }
    out
}

/// Checks a step's expectations after it ran.
fn check(
    svc: &mut Service,
    tokens: &HashMap<String, SessionToken>,
    step: &Step,
    before: &HashMap<String, Vec<String>>,
    output: &str,
    obs: &mut dyn Observer,
) -> Result<(), String> {
    let e = &step.expect;
    if let Some(text) = &e.output {
        if !output.contains(text.as_str()) {
            return Err(format!(
                "expected the output to contain {text:?}; it was:\n{}",
                output.trim_end()
            ));
        }
        obs.held(&format!("output has {text:?}"));
    }
    let who = e.who.as_deref().or(step.actor.as_deref());
    if let (Some(who), true) = (who, e.active.is_some() || e.eligible.is_some()) {
        let token = tokens
            .get(who)
            .ok_or_else(|| format!("{who} is not signed in"))?;
        let status = svc.status(token).map_err(|err| err.to_string())?;
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v.dedup();
            v
        };
        if let Some(want) = &e.active {
            let got = sorted(
                status
                    .active
                    .iter()
                    .filter(|r| r.assignment.is_live(status.now))
                    .map(|r| r.role.display_name.clone())
                    .collect(),
            );
            if got != sorted(want.clone()) {
                return Err(format!(
                    "expected {who}'s active roles {want:?}, found {got:?}"
                ));
            }
            obs.held(&format!("{who} active: {}", list(want)));
        }
        if let Some(want) = &e.eligible {
            let got = sorted(
                status
                    .eligible
                    .iter()
                    .map(|r| r.row.role.display_name.clone())
                    .collect(),
            );
            if got != sorted(want.clone()) {
                return Err(format!(
                    "expected {who}'s eligible roles {want:?}, found {got:?}"
                ));
            }
            obs.held(&format!("{who} eligible: {}", list(want)));
        }
    }
    for (who, subject) in &e.emails {
        let token = tokens
            .get(who)
            .ok_or_else(|| format!("{who} is not signed in"))?;
        let mail = svc
            .inbox(token, false, 100_000)
            .map_err(|err| err.to_string())?;
        let old = before.get(who).cloned().unwrap_or_default();
        let new: Vec<&str> = mail
            .iter()
            .filter(|m| !old.contains(&m.id))
            .map(|m| m.subject.as_str())
            .collect();
        if !new.contains(&subject.as_str()) {
            return Err(format!(
                "expected {who} to receive {subject:?}; the step brought {}",
                if new.is_empty() {
                    "no e-mail".to_owned()
                } else {
                    format!("{new:?}")
                }
            ));
        }
        obs.held(&format!("{who} got {subject:?}"));
    }
    if !e.alerts.is_empty() {
        let token = tokens.get("admin").ok_or("admin is not signed in")?;
        let alerts = svc.alerts(token).map_err(|err| err.to_string())?;
        for want in &e.alerts {
            let firing = alerts.iter().any(|a| a.id == *want && a.affected > 0);
            if !firing {
                return Err(format!(
                    "expected the alert {} to fire; it does not",
                    want.slug()
                ));
            }
            obs.held(&format!("alert {} fires", want.slug()));
        }
    }
    Ok(())
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// The files a database is made of, which a replaced lab removes.
pub fn database_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal", ".key", ".anchor"]
        .iter()
        .map(|suffix| {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        })
        .collect()
}
