//! The README's walkthroughs, run as written: every ```sh block marked
//! `<!-- terminal: NAME -->` is played in that terminal (its own exports and working directory,
//! shared by all terminals), each command in a pseudo-terminal as a person would type it.
//! Where pim asks for a password or a code, the account's password (read from the `pim lab`
//! output the README itself printed) or its next authenticator code is typed. A command must
//! exit 0 unless a comment on it or right after it says `(exit code N)`.

use std::collections::HashMap;
use std::path::Path;

use pim_console::auth::totp::code_at;
use rexpect::reader::{Options, ReadUntil, Regex};
use rexpect::session::spawn_with_options;

use crate::common::Pim;

/// One command of a block: what to run, on which README line, and the exit code it must give.
struct Line {
    text: String,
    at: usize,
    exit: i32,
}

/// The marked blocks, in order: (terminal, commands).
fn blocks(readme: &str) -> Vec<(String, Vec<Line>)> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(name) = lines[i]
            .trim()
            .strip_prefix("<!-- terminal: ")
            .and_then(|r| r.strip_suffix(" -->"))
        else {
            i += 1;
            continue;
        };
        assert_eq!(
            lines[i + 1],
            "```sh",
            "README line {}: a marker precedes a sh block",
            i + 1
        );
        let mut j = i + 2;
        let mut commands: Vec<Line> = Vec::new();
        while lines[j] != "```" {
            let raw = lines[j];
            let trimmed = raw.trim_start();
            if trimmed.starts_with('#') {
                // A comment line annotates the command before it.
                if let (Some(code), Some(last)) = (exit_of(trimmed), commands.last_mut()) {
                    last.exit = code;
                }
                j += 1;
                continue;
            }
            if trimmed.is_empty() {
                j += 1;
                continue;
            }
            let at = j + 1;
            let mut text = raw.to_owned();
            // Continued lines, and here-documents, are one command.
            while text.ends_with('\\') {
                j += 1;
                text.push('\n');
                text.push_str(lines[j]);
            }
            if let Some(tag) = heredoc(&text) {
                loop {
                    j += 1;
                    text.push('\n');
                    text.push_str(lines[j]);
                    if lines[j] == tag {
                        break;
                    }
                }
            }
            let exit = exit_of(&text).unwrap_or(0);
            commands.push(Line { text, at, exit });
            j += 1;
        }
        out.push((name.to_owned(), commands));
        i = j + 1;
    }
    out
}

fn exit_of(text: &str) -> Option<i32> {
    let at = text.find("(exit code ")?;
    text[at + 11..].split(')').next()?.trim().parse().ok()
}

fn heredoc(text: &str) -> Option<String> {
    let at = text.find("<<")?;
    let tag: String = text[at + 2..]
        .trim_start_matches(['\'', '"'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!tag.is_empty()).then_some(tag)
}

/// A lab account as the README's `pim lab` printed it.
#[derive(Clone)]
struct Account {
    password: String,
    secret: String,
}

/// Accounts printed by `pim lab` (the newest lab's win), read from a command's output.
fn read_accounts(output: &str, into: &mut HashMap<String, Account>) {
    let lines: Vec<&str> = output.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        let Some(upn) = t.split_whitespace().next().filter(|w| w.contains('@')) else {
            continue;
        };
        let field = |name: &str| {
            lines
                .get(i + 1..i + 4)
                .into_iter()
                .flatten()
                .find_map(|x| x.trim().strip_prefix(name).map(|v| v.trim().to_owned()))
        };
        if let (Some(password), Some(secret)) = (field("password"), field("TOTP secret")) {
            into.insert(upn.to_owned(), Account { password, secret });
        }
    }
}

/// Hands out each account's codes once each, as the engine requires, waiting when needed.
struct Codes {
    last: HashMap<String, i64>,
}

impl Codes {
    /// Codes are spent per authenticator (an account of each lab has its own secret).
    fn next(&mut self, secret: &str) -> String {
        use pim_console::clock::{Clock, SystemClock};
        loop {
            let now = SystemClock.now().timestamp();
            let step = now / 30;
            let candidate = self
                .last
                .get(secret)
                .map_or(step - 1, |l| (l + 1).max(step - 1));
            if candidate <= step + 1 {
                self.last.insert(secret.to_owned(), candidate);
                return code_at(secret, candidate * 30).unwrap();
            }
            std::thread::sleep(std::time::Duration::from_secs(
                u64::try_from((candidate - 1) * 30 - now)
                    .unwrap_or(1)
                    .max(1),
            ));
        }
    }
}

/// A terminal: its exported variables.
#[derive(Default, Clone)]
struct Terminal {
    env: HashMap<String, String>,
}

#[test]
fn the_readme_walkthroughs_run_as_written() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let blocks = blocks(&readme);
    assert!(blocks.len() > 20, "the walkthroughs are marked");
    let pim = Pim::new();
    let dir = pim.dir.path().join("work");
    std::fs::create_dir(&dir).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_pim"))
        .parent()
        .unwrap()
        .to_owned();
    let template = pim.command(None, &[]);
    let mut base: HashMap<String, String> = template
        .get_envs()
        .filter_map(|(k, v)| {
            Some((
                k.to_string_lossy().into_owned(),
                v?.to_string_lossy().into_owned(),
            ))
        })
        .collect();
    base.remove("PIM_DB");
    base.insert(
        "PATH".into(),
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    base.insert("TERM".into(), "dumb".into());
    let mut terminals: HashMap<String, Terminal> = HashMap::new();
    let mut accounts: HashMap<String, Account> = HashMap::new();
    let mut codes = Codes {
        last: HashMap::new(),
    };
    for (name, commands) in blocks {
        for line in commands {
            let term = terminals.entry(name.clone()).or_default();
            let mut cmd = std::process::Command::new("bash");
            cmd.current_dir(&dir);
            cmd.env_clear();
            for (k, v) in base.iter().chain(term.env.iter()) {
                cmd.env(k, v);
            }
            // Run the line as typed; then report the exit code and the variables it exported.
            cmd.args([
                "--norc",
                "--noprofile",
                "-c",
                &format!(
                    "{}\nrc=$?; echo; echo \"__EXIT=$rc __PIM_DB=${{PIM_DB:-}} __PIM_AS=${{PIM_AS:-}} __END\"",
                    line.text
                ),
            ]);
            let mut p = spawn_with_options(cmd, Options::new().timeout_ms(Some(120_000))).unwrap();
            let as_upn = term.env.get("PIM_AS").cloned();
            let login_user = line
                .text
                .split_whitespace()
                .skip_while(|w| *w != "--user")
                .nth(1)
                .map(str::to_owned);
            let mut transcript = String::new();
            let (exit, db, upn) = loop {
                let (before, found) = p
                    .exp_any(vec![
                        ReadUntil::String("Password: ".into()),
                        ReadUntil::String("Code from your authenticator: ".into()),
                        ReadUntil::String("Code: ".into()),
                        ReadUntil::Regex(regex_end()),
                    ])
                    .unwrap_or_else(|e| {
                        panic!("README line {}: {}\n{e}\n{transcript}", line.at, line.text)
                    });
                transcript.push_str(&before);
                transcript.push_str(&found);
                let who = login_user
                    .clone()
                    .or_else(|| as_upn.clone())
                    .unwrap_or_default();
                let account = || {
                    accounts.get(&who).cloned().unwrap_or_else(|| {
                        panic!(
                            "README line {}: no password or secret known for {who:?}",
                            line.at
                        )
                    })
                };
                if found == "Password: " {
                    p.send_line(&account().password).unwrap();
                } else if found.starts_with("Code") {
                    let a = account();
                    p.send_line(&codes.next(&a.secret)).unwrap();
                } else {
                    let parts: Vec<&str> = found.split_whitespace().collect();
                    let get = |k: &str| {
                        parts
                            .iter()
                            .find_map(|x| x.strip_prefix(k))
                            .unwrap_or("")
                            .to_owned()
                    };
                    break (
                        get("__EXIT=").parse::<i32>().unwrap(),
                        get("__PIM_DB="),
                        get("__PIM_AS="),
                    );
                }
            };
            read_accounts(&transcript, &mut accounts);
            assert_eq!(
                exit, line.exit,
                "README line {}: `{}` exited {exit}, expected {}:\n{transcript}",
                line.at, line.text, line.exit
            );
            let term = terminals.get_mut(&name).unwrap();
            for (k, v) in [("PIM_DB", db), ("PIM_AS", upn)] {
                if v.is_empty() {
                    term.env.remove(k);
                } else {
                    term.env.insert(k.to_owned(), v);
                }
            }
        }
    }
}

fn regex_end() -> Regex {
    Regex::new(r"__EXIT=\d+ __PIM_DB=\S* __PIM_AS=\S* __END").unwrap()
}
