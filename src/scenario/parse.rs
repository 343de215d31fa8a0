//! Reading a scenario file: the TOML as written (with where each value sits, for errors that
//! name the line), then every check before anything runs: known fields, known accounts,
//! commands pim understands, expectations that can be met.

use serde::Deserialize;
use toml::Spanned;

use super::*;
use crate::policy::alerts::AlertId;
use crate::policy::duration::parse_duration;

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
