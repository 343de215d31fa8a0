//! Scenario files: every built-in pack reads, and each kind of mistake is named with its line.

use super::*;

fn error(text: &str) -> FileError {
    parse("t", text, "t.toml").unwrap_err()
}

const HEAD: &str = "title = \"T\"\n";

#[test]
fn every_built_in_pack_reads() {
    for (name, _) in BUILT_IN {
        let s = load(name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&s.name, name);
        assert!(!s.steps.is_empty());
    }
    let t = load("tutorial").unwrap();
    let at = t.position("phase-4").unwrap();
    assert_eq!(t.steps[at].actor.as_deref(), Some("pimuser"));
    assert!(t.steps.iter().any(|s| s.clock.is_some()));
}

#[test]
fn a_step_reads_with_its_line_actor_command_and_expectations() {
    let s = parse(
        "t",
        &format!(
            "{HEAD}\n[[step]]\nid = \"one\"\ntitle = \"One\"\nactor = \"pimuser\"\nclock = \"10m\"\nrun = 'activate \"Security Reader\" --for 1h --reason \"a b\" --otp {{code}}'\nexpect = {{ exit = 0, active = [\"Security Reader\"], emails = [\"admin: PIM: x\"], alerts = [\"no-mfa\"] }}\n"
        ),
        "t.toml",
    )
    .unwrap();
    let step = &s.steps[0];
    assert_eq!(step.line, 3);
    assert_eq!(step.clock, Some(TimeDelta::minutes(10)));
    assert_eq!(
        step.run.as_deref().unwrap(),
        [
            "activate",
            "Security Reader",
            "--for",
            "1h",
            "--reason",
            "a b",
            "--otp",
            "{code}"
        ]
    );
    assert_eq!(
        step.expect.emails,
        [("admin".to_owned(), "PIM: x".to_owned())]
    );
    assert_eq!(step.expect.alerts, [AlertId::NoMfaOnRoleActivation]);
    assert_eq!(s.accounts_used(), ["pimuser", "admin"]);
}

#[test]
fn each_kind_of_mistake_is_named_with_its_line() {
    let step = |body: &str| format!("{HEAD}[[step]]\nid = \"s\"\ntitle = \"S\"\n{body}\n");
    let cases: Vec<(String, usize, &str)> = vec![
        (
            "title = \"T\"\n[[step]]\nid = \"s\"\n".into(),
            2,
            "missing field `title`",
        ),
        (
            step("actor = \"admin\"\nrun = \"status\"\ncolour = \"red\""),
            7,
            "unknown field `colour`",
        ),
        (
            step("actor = \"mallory\"\nrun = \"status\""),
            5,
            "'mallory' is not an account of this scenario",
        ),
        (
            step("actor = \"admin\"\nrun = \"frobnicate\""),
            6,
            "run: `pim frobnicate`",
        ),
        (
            step("actor = \"admin\"\nrun = \"activate --bogus\""),
            6,
            "unexpected argument '--bogus'",
        ),
        (
            step("actor = \"admin\"\nrun = \"login --user x\""),
            6,
            "cannot be a step",
        ),
        (
            step("actor = \"admin\"\nrun = \"lab --reset\""),
            6,
            "cannot be a step",
        ),
        (
            step("actor = \"admin\"\nrun = \"status --as pimuser@x\""),
            6,
            "leave --db and --as out",
        ),
        (
            step("actor = \"admin\"\nrun = \"status 'open\""),
            6,
            "quotes do not close",
        ),
        (step("run = \"status\""), 2, "names no actor"),
        (
            step("clock = \"soon\""),
            5,
            "clock: 'soon' is not a duration",
        ),
        (
            step("actor = \"admin\"\nrun = \"status\"\nexpect = { exit = 9 }"),
            7,
            "exit 9 is not one pim uses",
        ),
        (
            step("expect = { exit = 3 }"),
            5,
            "this step runs no command",
        ),
        (
            step("actor = \"admin\"\nexpect = { active = [\"Securty Reader\"] }"),
            6,
            "'Securty Reader' is not a role",
        ),
        (
            step("actor = \"admin\"\nexpect = { emails = [\"mallory: PIM: x\"] }"),
            6,
            "'mallory' is not an account",
        ),
        (
            step("actor = \"admin\"\nexpect = { emails = [\"admin: Hello\"] }"),
            6,
            "starts with \"PIM: \"",
        ),
        (
            step("actor = \"admin\"\nexpect = { emails = [\"no colon\"] }"),
            6,
            "is not \"account: subject\"",
        ),
        (
            step("actor = \"admin\"\nexpect = { alerts = [\"fire\"] }"),
            6,
            "'fire' is not an alert",
        ),
        (step("expect = { active = [] }"), 5, "add who ="),
        (
            format!(
                "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[[step]]\nid = \"a\"\ntitle = \"B\"\n"
            ),
            6,
            "must be unique",
        ),
        (
            format!(
                "{HEAD}[[account]]\nname = \"admin\"\ndisplay_name = \"X\"\n[[step]]\nid = \"a\"\ntitle = \"A\"\n"
            ),
            3,
            "account name 'admin' must be new",
        ),
        (HEAD.into(), 1, "has no [[step]]"),
        ("title = \"T\"\n[[step\n".into(), 2, ""),
    ];
    let mut wrong = Vec::new();
    for (text, line, needle) in cases {
        let e = error(&text);
        if e.line != Some(line) || !e.message.contains(needle) {
            wrong.push(format!("want line {line} {needle:?}; got {e}"));
        }
        assert!(
            e.to_string()
                .starts_with(&format!("t.toml:{}: ", e.line.unwrap_or(0))),
            "{e}"
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn an_extra_account_can_act() {
    let s = parse(
        "t",
        &format!("{HEAD}[[account]]\nname = \"alice\"\ndisplay_name = \"Alice\"\n[[step]]\nid = \"a\"\ntitle = \"A\"\nactor = \"alice\"\nrun = \"status\"\n"),
        "t.toml",
    )
    .unwrap();
    assert_eq!(s.accounts[0].name, "alice");
    assert_eq!(s.accounts_used(), ["alice"]);
}

#[test]
fn a_name_that_is_neither_pack_nor_file_lists_the_packs() {
    let e = load("nope").unwrap_err();
    assert!(e.message.contains("tutorial, approval"), "{e}");
    let e = load("./missing.toml").unwrap_err();
    assert!(e.message.starts_with("cannot be read"), "{e}");
}
