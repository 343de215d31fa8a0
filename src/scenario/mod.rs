//! Scenario packs: a lab story as a TOML file (a title, the accounts it needs, and steps: who
//! acts, the pim command they run, clock moves, narration for the presenter, and what must be
//! true afterwards). This module reads and checks a file completely before anything runs; a
//! mistake is reported with the file, the line and what would do. [`run`] plays one.

use std::path::Path;

use chrono::TimeDelta;

use crate::policy::alerts::AlertId;

mod parse;
pub mod run;

pub use parse::parse;

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

#[cfg(test)]
mod tests;
