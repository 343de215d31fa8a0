//! `pim completions SHELL` and `pim man`: the bash script loads and completes commands, role
//! slugs and UPNs from the database; the manual pages render.

use std::process::Command;

use crate::common::Pim;

/// Runs a bash script with pim's test environment (database, state directory).
fn bash(pim: &Pim, script: &str) -> (i32, String, String) {
    let template = pim.command(None, &[]);
    let mut cmd = Command::new("bash");
    cmd.args(["--norc", "--noprofile", "-c", script]);
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Loads the completion script and asks it to complete `words` (the last one partial).
fn complete(pim: &Pim, words: &str) -> Vec<String> {
    let script = format!(
        "source <('{pim}' completions bash) || exit 9
         COMP_WORDS=({words}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_TYPE=9
         _clap_complete_pim pim \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        pim = env!("CARGO_BIN_EXE_pim"),
    );
    let (code, out, err) = bash(pim, &script);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_bash_script_loads_and_completes_from_the_database() {
    let mut pim = Pim::new();
    pim.lab();
    let (code, out, err) = bash(
        &pim,
        &format!(
            "source <('{}' completions bash) && complete -p pim",
            env!("CARGO_BIN_EXE_pim")
        ),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("-F _clap_complete_pim pim"), "{out}");

    assert_eq!(complete(&pim, "pim deact"), ["deactivate"]);
    assert_eq!(
        complete(&pim, "pim activate security-r"),
        ["security-reader"],
        "roles complete as slugs, one word for the shell"
    );
    assert_eq!(
        complete(&pim, "pim assign security-reader pimu"),
        ["pimuser@pimlab.onmicrosoft.com"]
    );
    assert_eq!(
        complete(&pim, "pim --as appr"),
        ["approver@pimlab.onmicrosoft.com"]
    );
    assert_eq!(
        complete(&pim, "pim audit export --format j"),
        ["json", "jsonl"]
    );
    // A new account's name is not one of the existing ones.
    assert!(complete(&pim, "pim users add adm").is_empty());
    // Groups complete by name where a group is named, never as roles.
    pim.login("admin").ok();
    let admin = pim.upn("admin");
    pim.run_as(
        Some(&admin),
        &["groups", "add", "Helpdesk", "--role-assignable"],
    )
    .ok();
    assert_eq!(complete(&pim, "pim groups activate Help"), ["Helpdesk"]);
    assert_eq!(
        complete(&pim, "pim assign security-reader --group H"),
        ["Helpdesk"]
    );
    assert!(complete(&pim, "pim activate group-").is_empty());
    assert!(complete(&pim, "pim groups add Help").is_empty());
}

#[test]
fn completion_without_a_database_offers_commands_and_no_names() {
    let pim = Pim::new();
    assert!(complete(&pim, "pim activate sec").is_empty());
    assert_eq!(complete(&pim, "pim stat"), ["status"]);
    assert!(!pim.db.exists(), "completion created no database");
}

#[test]
fn scripts_for_every_shell_and_the_manual() {
    let pim = Pim::new();
    for (shell, needle) in [
        ("bash", "complete -o"),
        ("zsh", "#compdef pim"),
        ("fish", "complete --keep-order --exclusive --command pim"),
        ("elvish", "set edit:completion:arg-completer[pim]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = pim.run(&["completions", shell]).ok();
        assert!(run.stdout.contains(needle), "{shell}: {}", run.stdout);
        assert!(
            run.stdout.contains(env!("CARGO_BIN_EXE_pim")),
            "{shell} calls this pim back"
        );
    }
    pim.run(&["completions", "tcsh"]).fails(2, "invalid value");

    let run = pim.run(&["man"]).ok();
    assert!(
        run.stdout.contains(".TH pim 1"),
        "{}",
        &run.stdout[..200.min(run.stdout.len())]
    );
    assert!(run.stdout.contains("activate"));
    let dir = pim.dir.path().join("man");
    let run = pim.run(&["man", "--dir", dir.to_str().unwrap()]).ok();
    assert!(run.stdout.starts_with("Wrote "), "{}", run.stdout);
    for page in [
        "pim.1",
        "pim-activate.1",
        "pim-assignments-import.1",
        "pim-audit-export.1",
    ] {
        assert!(dir.join(page).exists(), "{page}");
    }
    // Each page lists its command's own options (built only when asked for, as they run).
    let page = std::fs::read_to_string(dir.join("pim-activate.1")).unwrap();
    assert!(page.contains("reason"), "{page}");
    let page = std::fs::read_to_string(dir.join("pim-assignments-import.1")).unwrap();
    assert!(page.contains("dry"), "{page}");
}
