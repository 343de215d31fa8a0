//! `pim scenario list|run|check`: the teaching lab's stories, told in a terminal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::args::{ScenarioCommand, ScenarioRunArgs};
use super::output::{json, progress};
use super::sessions::Sessions;
use super::{CliError, CliResult, Env, prompt_line};
use crate::policy::duration::format_duration;
use crate::scenario::run::{Observer, Played, RunError, database_files, play};
use crate::scenario::{BUILT_IN, FileError, Scenario, Step, load};
use crate::service::Service;
use crate::store::OpenMode;

/// `pim scenario …`.
pub fn scenario(env: &Env, command: ScenarioCommand) -> CliResult {
    match command {
        ScenarioCommand::List(f) => list(f.json),
        ScenarioCommand::Run(a) => run(env, &a),
        ScenarioCommand::Check { scenario } => check(&scenario),
    }
}

fn file_error(e: &FileError) -> CliError {
    CliError::usage(format!("{e}; nothing was run"))
}

fn list(as_json: bool) -> CliResult {
    let all: Vec<Scenario> = BUILT_IN
        .iter()
        .map(|(name, _)| load(name).map_err(|e| file_error(&e)))
        .collect::<Result<_, _>>()?;
    if as_json {
        return json(&json!({"scenarios": all.iter().map(|s| json!({
            "name": s.name,
            "title": s.title,
            "summary": s.summary.as_deref().map(str::trim),
            "steps": s.steps.iter().map(|st| json!({"id": st.id, "title": st.title})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()}));
    }
    for s in &all {
        outln!("{}  {}", s.name, s.title);
        let ids: Vec<&str> = s.steps.iter().map(|st| st.id.as_str()).collect();
        outln!("    steps: {}", ids.join(", "));
    }
    outln!(
        "\nPlay one: pim scenario run NAME [--to STEP] [--pause]; a TOML file of your own works too."
    );
    Ok(())
}

/// Tells a presenter what happens.
struct Narrator {
    pause: bool,
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A command as it would be typed: words with spaces quoted.
fn typed(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.contains(' ') || w.is_empty() {
                format!("\"{w}\"")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Observer for Narrator {
    fn step(&mut self, index: usize, total: usize, step: &Step) {
        outln!("\n[{}/{total}] {}  ({})", index + 1, step.title, step.id);
        if let Some(say) = &step.say {
            outln!("{}", indent(say.trim()));
        }
    }

    fn proceed(&mut self) -> bool {
        if !self.pause || !std::io::stdin().is_terminal() {
            return true;
        }
        matches!(
            prompt_line("  Enter runs this step, q stops here: ", "--pause"),
            Ok(answer) if !answer.trim().eq_ignore_ascii_case("q")
        )
    }

    fn clock(&mut self, by: chrono::TimeDelta) {
        outln!("  (the lab clock moves {} ahead)", format_duration(by));
    }

    fn command(&mut self, upn: &str, words: &[String]) {
        let who = upn.split('@').next().unwrap_or(upn);
        outln!("  {who}$ pim {}", typed(words));
    }

    fn output(&mut self, _code: i32, stdout: &str, stderr: &str) {
        let text = format!("{stdout}{stderr}");
        if !text.trim().is_empty() {
            outln!("{}", indent(&text));
        }
    }

    fn waiting(&mut self, upn: &str, seconds: u64) {
        outln!("  (waiting {seconds}s for {upn}'s next authenticator code)");
    }

    fn held(&mut self, what: &str) {
        outln!("  ✓ {what}");
    }
}

/// Only counts (for `check`), with a progress line on a terminal.
struct Counter {
    total: usize,
}

impl Observer for Counter {
    fn step(&mut self, index: usize, total: usize, step: &Step) {
        self.total = total;
        progress(&format!("Checking step {}/{total}: {}", index + 1, step.id));
    }

    fn waiting(&mut self, upn: &str, seconds: u64) {
        progress(&format!(
            "Waiting {seconds}s for {upn}'s next authenticator code"
        ));
    }
}

fn run(env: &Env, a: &ScenarioRunArgs) -> CliResult {
    let scenario = load(&a.scenario).map_err(|e| file_error(&e))?;
    let to = match &a.to {
        None => None,
        Some(id) => Some(scenario.position(id).ok_or_else(|| {
            CliError::usage(format!(
                "{} has no step '{}'; its steps are {}",
                scenario.name,
                crate::policy::text::sanitize(id),
                scenario
                    .steps
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?),
    };
    make_room(&env.db, a.replace)?;
    outln!(
        "Scenario: {} ({} steps)",
        scenario.title,
        scenario.steps.len()
    );
    if let Some(s) = &scenario.summary {
        outln!("{}", indent(s.trim()));
    }
    outln!("Building a fresh lab in {}.", env.db.display());
    let mut narrator = Narrator { pause: a.pause };
    let played = play(&env.db, &scenario, to, &mut narrator).map_err(|e| run_error(&e))?;
    finish(env, &scenario, &played);
    Ok(())
}

/// A database at `db` is replaced only when asked and only when it holds a lab.
fn make_room(db: &Path, replace: bool) -> CliResult {
    if db.to_str().is_some_and(crate::store::pg::is_url) {
        return make_room_on_server(db, replace);
    }
    if !db.exists() {
        return Ok(());
    }
    if !replace {
        return Err(CliError::error(format!(
            "{} already exists; `--replace` rebuilds it from the scenario (a lab only: everything in it is lost), or give another database with --db",
            db.display()
        )));
    }
    let mut svc = Service::open(db, OpenMode::Existing)?;
    let tenant = svc.tenant()?;
    if tenant.kind != crate::policy::model::TenantKind::Lab {
        return Err(CliError::error(format!(
            "{} holds the tenant {}, not a training lab; a scenario never replaces it",
            db.display(),
            tenant.domain
        )));
    }
    drop(svc);
    if let Ok(sessions) = Sessions::load(db) {
        sessions.discard();
    }
    for f in database_files(db) {
        if f.exists() {
            std::fs::remove_file(&f)
                .map_err(|e| CliError::error(format!("cannot remove {}: {e}", f.display())))?;
        }
    }
    Ok(())
}

/// [`make_room`] on PostgreSQL: a database without a tenant is room enough. One with a lab is
/// not emptied: its audit log is append-only there, for pim's role and the owner alike, so a
/// scenario gets a database of its own instead.
fn make_room_on_server(db: &Path, replace: bool) -> CliResult {
    let mut svc = Service::open(db, OpenMode::Existing)?;
    let tenant = match svc.tenant() {
        Ok(t) => t,
        Err(crate::service::ServiceError::NoTenant) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let shown = crate::store::pg::PgTarget::parse(&db.to_string_lossy())
        .map(|(t, _)| t.shown)
        .unwrap_or_default();
    if tenant.kind != crate::policy::model::TenantKind::Lab {
        return Err(CliError::error(format!(
            "{shown} holds the tenant {}, not a training lab; a scenario never replaces it",
            tenant.domain
        )));
    }
    Err(CliError::error(if !replace {
        format!(
            "{shown} already holds the tenant {}; a scenario builds a fresh lab in a database of its own (createdb, then `pim db init URL`), or `--replace` for a lab in an SQLite file",
            tenant.domain
        )
    } else {
        format!(
            "{shown} holds the tenant {}, and on PostgreSQL a scenario never replaces a tenant (its audit log cannot be deleted there); give it a new database (createdb, then `pim db init URL`)",
            tenant.domain
        )
    }))
}

fn run_error(e: &RunError) -> CliError {
    CliError::error(format!("the scenario stopped at {e}"))
}

fn finish(env: &Env, scenario: &Scenario, played: &Played) {
    outln!(
        "\nThe lab's accounts (passwords and authenticator secrets; `pim lab qr UPN` draws a QR code):"
    );
    for k in &played.accounts {
        outln!("  {}  {}", k.upn, k.display_name);
        outln!("    password     {}", k.password);
        outln!("    TOTP secret  {}", k.secret);
    }
    let signed: Vec<String> = scenario
        .accounts_used()
        .iter()
        .map(|n| format!("{n}@{}", crate::service::LAB_DOMAIN))
        .collect();
    if !signed.is_empty() {
        outln!(
            "\nSigned in on this machine: {} (PIM_AS picks one; the console signs in on its own).",
            signed.join(", ")
        );
    }
    if std::env::var_os("PIM_DB").is_none() && env.db != super::default_db() {
        outln!(
            "export PIM_DB={} so every command uses this lab.",
            env.db.display()
        );
    }
    match played.stopped_before.and_then(|i| scenario.steps.get(i)) {
        Some(next) => {
            outln!("\nStopped before step {}: {}.", next.id, next.title);
            if let Some(say) = &next.say {
                outln!("{}", indent(say.trim()));
            }
            if let (Some(actor), Some(words)) = (&next.actor, &next.run) {
                let code = if words.iter().any(|w| w.contains("{code}")) {
                    " ({code}: the account's current authenticator code)"
                } else {
                    ""
                };
                outln!("  It is {actor}'s turn: pim {}{code}", typed(words));
            }
        }
        None => outln!("\nAll {} steps played.", played.steps_run),
    }
}

/// A private throwaway directory for a check's lab.
fn scratch() -> Result<PathBuf, CliError> {
    use crate::clock::Clock;
    let stamp = crate::clock::SystemClock
        .now()
        .timestamp_nanos_opt()
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("pim-scenario-{}-{stamp}", std::process::id()));
    crate::store::files::create_dir_private(&dir).map_err(|e| CliError::error(e.to_string()))?;
    Ok(dir)
}

fn check(name: &str) -> CliResult {
    let scenario = load(name).map_err(|e| file_error(&e))?;
    let dir = scratch()?;
    let db = dir.join("scenario.db");
    let mut counter = Counter { total: 0 };
    let result = play(&db, &scenario, None, &mut counter);
    progress("");
    if let Ok(sessions) = Sessions::load(&db) {
        sessions.discard();
    }
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(played) => {
            outln!("{}: all {} steps passed.", scenario.name, played.steps_run);
            Ok(())
        }
        Err(e) => Err(CliError::error(format!("{}: {e}", scenario.name))),
    }
}
