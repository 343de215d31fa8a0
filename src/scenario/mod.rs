//! Scenario packs: a lab story as a TOML file (a title, the accounts it needs, and steps: who
//! acts, the pim command they run, clock moves, narration for the presenter, and what must be
//! true afterwards). This module reads and checks a file completely before anything runs; a
//! mistake is reported with the file, the line and what would do. [`run`] plays one.

use std::path::Path;

use chrono::TimeDelta;
use serde::Deserialize;
use toml::Spanned;

use crate::policy::alerts::AlertId;
use crate::policy::duration::parse_duration;

pub mod run;

/// The lab's own accounts, by short name.
pub const LAB_ACCOUNTS: [&str; 3] = ["admin", "pimuser", "approver"];

/// The built-in packs: (name, TOML).
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "tutorial",
        include_str!("../../assets/scenarios/tutorial.toml"),
    ),
    (
        "approval",
        include_str!("../../assets/scenarios/approval.toml"),
    ),
    (
        "extend-renew",
        include_str!("../../assets/scenarios/extend-renew.toml"),
    ),
    (
        "expiry-emails",
        include_str!("../../assets/scenarios/expiry-emails.toml"),
    ),
    ("alerts", include_str!("../../assets/scenarios/alerts.toml")),
    (
        "licence",
        include_str!("../../assets/scenarios/licence.toml"),
    ),
    (
        "access-review",
        include_str!("../../assets/scenarios/access-review.toml"),
    ),
    ("groups", include_str!("../../assets/scenarios/groups.toml")),
];

/// Top-level commands a step may not run: the runner signs the accounts in itself, and a
/// scenario does not nest (`pim lab` itself is refused too, but not `pim lab simulate`, `qr`
/// or `authenticator`).
const NOT_IN_A_STEP: [&str; 5] = ["login", "logout", "scenario", "completions", "man"];

/// A mistake in a scenario file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file (or the built-in pack's name).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong and what would do.
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// An account a scenario adds to the lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Short name: the UPN's part before `@`.
    pub name: String,
    /// Display name.
    pub display_name: String,
}

/// What must be true after a step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// The command's exit code (0 when not said).
    pub exit: i32,
    /// Whose roles `active` and `eligible` are about (the step's actor when not said).
    pub who: Option<String>,
    /// Exactly these roles are active for `who` (display names).
    pub active: Option<Vec<String>>,
    /// Exactly these roles are eligible for `who`.
    pub eligible: Option<Vec<String>>,
    /// E-mails received during the step: (account, subject).
    pub emails: Vec<(String, String)>,
    /// Alerts firing after the step.
    pub alerts: Vec<AlertId>,
    /// The command's output (standard output or error) contains this.
    pub output: Option<String>,
}

/// One step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Its id, for `--to`.
    pub id: String,
    /// Its heading.
    pub title: String,
    /// The line it starts on.
    pub line: usize,
    /// Who acts (an account's short name).
    pub actor: Option<String>,
    /// What the presenter says.
    pub say: Option<String>,
    /// How far the lab clock moves first.
    pub clock: Option<TimeDelta>,
    /// The pim command's words (without `pim`); `{code}` is the actor's next code.
    pub run: Option<Vec<String>>,
    /// What must hold afterwards.
    pub expect: Expect,
}

/// A checked scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Its name (the built-in pack's, or the file's stem).
    pub name: String,
    /// Its title.
    pub title: String,
    /// What it shows.
    pub summary: Option<String>,
    /// Accounts it adds to the lab.
    pub accounts: Vec<Account>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// The index of the step with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }

    /// Every account the steps act as or look at, lab ones included, each once.
    pub fn accounts_used(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |n: &str| {
            if !out.iter().any(|o| o == n) {
                out.push(n.to_owned());
            }
        };
        for s in &self.steps {
            if let Some(a) = &s.actor {
                add(a);
            }
            if let Some(w) = &s.expect.who {
                add(w);
            }
            for (w, _) in &s.expect.emails {
                add(w);
            }
            if s.clock.is_some() || !s.expect.alerts.is_empty() {
                add("admin");
            }
        }
        out
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    title: Spanned<String>,
    summary: Option<String>,
    #[serde(default)]
    account: Vec<RawAccount>,
    #[serde(default)]
    step: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    name: Spanned<String>,
    display_name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: Spanned<String>,
    title: String,
    actor: Option<Spanned<String>>,
    say: Option<String>,
    clock: Option<Spanned<String>>,
    run: Option<Spanned<String>>,
    expect: Option<Spanned<RawExpect>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    exit: Option<Spanned<i64>>,
    who: Option<Spanned<String>>,
    active: Option<Spanned<Vec<String>>>,
    eligible: Option<Spanned<Vec<String>>>,
    emails: Option<Spanned<Vec<String>>>,
    alerts: Option<Spanned<Vec<String>>>,
    output: Option<String>,
}

/// The built-in pack of this name, or the file at this path.
pub fn load(name_or_file: &str) -> Result<Scenario, FileError> {
    if let Some((name, text)) = BUILT_IN.iter().find(|(n, _)| *n == name_or_file) {
        return parse(name, text, name);
    }
    let path = Path::new(name_or_file);
    let shown = crate::policy::text::sanitize(name_or_file).into_owned();
    let looks_like_a_file = name_or_file.contains(['/', '.']);
    let text = std::fs::read_to_string(path).map_err(|e| FileError {
        file: shown.clone(),
        line: None,
        message: if looks_like_a_file {
            format!("cannot be read: {e}")
        } else {
            format!(
                "is neither a built-in scenario ({}) nor a file",
                BUILT_IN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    })?;
    if text.len() > 1024 * 1024 {
        return Err(FileError {
            file: shown,
            line: None,
            message: "is larger than 1 MiB; that is not a scenario".into(),
        });
    }
    let stem = path.file_stem().map_or_else(
        || "scenario".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    parse(&stem, &text, &shown)
}

fn line_of(text: &str, offset: usize) -> usize {
    1 + text
        .as_bytes()
        .get(..offset.min(text.len()))
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
}

/// Reads and checks a scenario: TOML syntax, known fields, known accounts, commands pim
/// understands, expectations that can be met.
pub fn parse(name: &str, text: &str, file: &str) -> Result<Scenario, FileError> {
    let at = |offset: usize, message: String| FileError {
        file: file.to_owned(),
        line: Some(line_of(text, offset)),
        message,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| FileError {
        file: file.to_owned(),
        line: e.span().map(|s| line_of(text, s.start)),
        message: e
            .message()
            .lines()
            .next()
            .unwrap_or("not a scenario file")
            .to_owned(),
    })?;
    if raw.step.is_empty() {
        return Err(at(
            raw.title.span().start,
            "the scenario has no [[step]]".into(),
        ));
    }
    let mut accounts: Vec<Account> = Vec::new();
    for a in raw.account {
        let n = a.name.get_ref();
        let ok = !n.is_empty()
            && n.len() <= 40
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !ok || LAB_ACCOUNTS.contains(&n.as_str()) || accounts.iter().any(|x| &x.name == n) {
            return Err(at(
                a.name.span().start,
                format!(
                    "account name '{}' must be new (not {}), unique, and letters, digits, '.' or '-'",
                    crate::policy::text::sanitize(n),
                    LAB_ACCOUNTS.join(", ")
                ),
            ));
        }
        accounts.push(Account {
            name: n.clone(),
            display_name: a.display_name,
        });
    }
    let known = |n: &str| LAB_ACCOUNTS.contains(&n) || accounts.iter().any(|a| a.name == n);
    let account_error = |n: &str| {
        let mut all: Vec<&str> = LAB_ACCOUNTS.to_vec();
        all.extend(accounts.iter().map(|a| a.name.as_str()));
        format!(
            "'{}' is not an account of this scenario; use one of {} (or add it with [[account]])",
            crate::policy::text::sanitize(n),
            all.join(", ")
        )
    };
    let roles: Vec<String> = crate::service::catalogue()
        .map(|r| r.into_iter().map(|r| r.display_name).collect())
        .unwrap_or_default();
    let mut steps: Vec<Step> = Vec::new();
    for raw_step in raw.step {
        let line = line_of(text, raw_step.span().start);
        let s = raw_step.into_inner();
        let id = s.id.get_ref().trim().to_owned();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || steps.iter().any(|x| x.id == id)
        {
            return Err(at(
                s.id.span().start,
                format!(
                    "step id '{}' must be unique and letters, digits, '-' or '_' (it is what --to names)",
                    crate::policy::text::sanitize(&id)
                ),
            ));
        }
        let actor = match s.actor {
            Some(a) if !known(a.get_ref()) => {
                return Err(at(a.span().start, account_error(a.get_ref())));
            }
            Some(a) => Some(a.into_inner()),
            None => None,
        };
        let clock = match s.clock {
            Some(c) => Some(
                parse_duration(c.get_ref())
                    .map_err(|e| at(c.span().start, format!("clock: {e}")))?,
            ),
            None => None,
        };
        let run = match s.run {
            Some(r) => Some(command(r.get_ref()).map_err(|m| at(r.span().start, m))?),
            None => None,
        };
        if run.is_some() && actor.is_none() {
            return Err(FileError {
                file: file.to_owned(),
                line: Some(line),
                message: format!(
                    "step '{id}' runs a command but names no actor; add actor = \"admin\" (or another account)"
                ),
            });
        }
        let mut expect = Expect::default();
        if let Some(e) = s.expect {
            let e_at = e.span().start;
            let e = e.into_inner();
            if let Some(x) = e.exit {
                if !(0..=4).contains(x.get_ref()) {
                    return Err(at(
                        x.span().start,
                        format!("exit {} is not one pim uses (0 to 4)", x.get_ref()),
                    ));
                }
                if run.is_none() && *x.get_ref() != 0 {
                    return Err(at(
                        x.span().start,
                        "this step runs no command, so nothing can exit with that; add run = \"…\""
                            .into(),
                    ));
                }
                expect.exit = i32::try_from(*x.get_ref()).unwrap_or(0);
            }
            if let Some(w) = e.who {
                if !known(w.get_ref()) {
                    return Err(at(w.span().start, account_error(w.get_ref())));
                }
                expect.who = Some(w.into_inner());
            }
            if (e.active.is_some() || e.eligible.is_some())
                && expect.who.is_none()
                && actor.is_none()
            {
                return Err(at(
                    e_at,
                    "active and eligible are about an account; add who = \"pimuser\" (or an actor)"
                        .into(),
                ));
            }
            for (field, list) in [("active", &e.active), ("eligible", &e.eligible)] {
                if let Some(list) = list {
                    for r in list.get_ref() {
                        if !roles.iter().any(|x| x == r) {
                            return Err(at(
                                list.span().start,
                                format!(
                                    "{field}: '{}' is not a role in the catalogue (pim roles lists them, by display name)",
                                    crate::policy::text::sanitize(r)
                                ),
                            ));
                        }
                    }
                }
            }
            expect.active = e.active.map(Spanned::into_inner);
            expect.eligible = e.eligible.map(Spanned::into_inner);
            if let Some(list) = e.emails {
                for m in list.get_ref() {
                    let Some((who, subject)) = m.split_once(": ") else {
                        return Err(at(
                            list.span().start,
                            format!(
                                "emails: '{}' is not \"account: subject\", e.g. \"admin: PIM: Pim User has the Security Reader role\"",
                                crate::policy::text::sanitize(m)
                            ),
                        ));
                    };
                    if !known(who) {
                        return Err(at(
                            list.span().start,
                            format!("emails: {}", account_error(who)),
                        ));
                    }
                    if !subject.starts_with("PIM: ") {
                        return Err(at(
                            list.span().start,
                            format!(
                                "emails: every PIM e-mail's subject starts with \"PIM: \"; '{}' never will",
                                crate::policy::text::sanitize(subject)
                            ),
                        ));
                    }
                    expect.emails.push((who.to_owned(), subject.to_owned()));
                }
            }
            if let Some(list) = e.alerts {
                for a in list.get_ref() {
                    let id = AlertId::parse(a).ok_or_else(|| {
                        at(
                            list.span().start,
                            format!(
                                "alerts: '{}' is not an alert; use {}",
                                crate::policy::text::sanitize(a),
                                AlertId::ALL.map(AlertId::slug).join(", ")
                            ),
                        )
                    })?;
                    expect.alerts.push(id);
                }
            }
            expect.output = e.output;
        }
        steps.push(Step {
            id,
            title: s.title,
            line,
            actor,
            say: s.say,
            clock,
            run,
            expect,
        });
    }
    Ok(Scenario {
        name: name.to_owned(),
        title: raw.title.into_inner(),
        summary: raw.summary,
        accounts,
        steps,
    })
}

/// A step's command as words, checked against pim's own command line.
fn command(text: &str) -> Result<Vec<String>, String> {
    let words =
        shlex::split(text).ok_or_else(|| "run: the command's quotes do not close".to_owned())?;
    let words: Vec<String> = match words.first().map(String::as_str) {
        Some("pim") => words[1..].to_vec(),
        _ => words,
    };
    let Some(first) = words.first() else {
        return Err("run: give a pim command, such as \"status\"".into());
    };
    let lab_itself = first == "lab"
        && !matches!(
            words.get(1).map(String::as_str),
            Some("simulate" | "qr" | "authenticator")
        );
    if lab_itself || NOT_IN_A_STEP.contains(&first.as_str()) {
        return Err(format!(
            "run: `pim {first}` cannot be a step; the runner builds the lab and signs the accounts in itself"
        ));
    }
    if words
        .iter()
        .any(|w| w == "--db" || w.starts_with("--db=") || w == "--as" || w.starts_with("--as="))
    {
        return Err(
            "run: leave --db and --as out; the runner uses the scenario's lab and the step's actor"
                .into(),
        );
    }
    let check: Vec<String> = words
        .iter()
        .map(|w| w.replace("{code}", "123456").replace("{request}", "0000"))
        .collect();
    <crate::cli::Cli as clap::Parser>::try_parse_from(
        std::iter::once("pim".to_owned()).chain(check),
    )
    .map_err(|e| {
        let text = e.to_string();
        let first = text
            .lines()
            .next()
            .unwrap_or("not a pim command")
            .trim_start_matches("error: ")
            .to_owned();
        format!("run: `pim {}`: {first}", words.join(" "))
    })?;
    Ok(words)
}

#[cfg(test)]
mod tests;
