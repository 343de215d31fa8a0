//! A role that requires an authentication context, from the command line: its setting, its
//! Graph rule, and activation with the password and a fresh code again.

use crate::common::Pim;

const ROLE: &str = "Security Reader";

fn lab() -> Pim {
    let mut pim = Pim::new();
    pim.lab();
    for who in ["admin", "pimuser"] {
        pim.login(who).ok();
    }
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    pim.run_as(
        Some(&admin),
        &[
            "assign",
            ROLE,
            &user,
            "--type",
            "eligible",
            "--permanent",
            "--reason",
            "lab",
        ],
    )
    .ok();
    pim
}

#[test]
fn a_context_replaces_mfa_and_activation_asks_for_the_password_again() {
    let pim = lab();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    let (a, u) = (Some(admin.as_str()), Some(user.as_str()));
    let before = pim.snapshot();
    pim.run_as(
        a,
        &["settings", "set", ROLE, "--require-auth-context", "c1"],
    )
    .fails(
        3,
        "MfaAndAcrsConflict: MFA and authentication context c1 cannot both be required",
    );
    pim.run_as(
        a,
        &["settings", "set", ROLE, "--require-auth-context", "c100"],
    )
    .fails(2, "c1 to c99");
    assert_eq!(pim.snapshot(), before);
    pim.run_as(
        a,
        &[
            "settings",
            "set",
            ROLE,
            "--require-mfa",
            "off",
            "--require-auth-context",
            "c1",
        ],
    )
    .ok();
    let shown = pim
        .run_as(a, &["settings", "show", ROLE, "--json"])
        .ok()
        .json();
    assert_eq!(shown["activation"]["require_auth_context"], "c1");
    assert_eq!(shown["activation"]["require_mfa"], false);
    let exported = pim.run_as(a, &["settings", "export", ROLE]).ok().json();
    let rule = exported["value"][0]["rules"]
        .as_array()
        .or_else(|| exported["rules"].as_array())
        .unwrap()
        .iter()
        .find(|r| r["id"] == "AuthenticationContext_EndUser_Assignment")
        .unwrap()
        .clone();
    assert_eq!(rule["isEnabled"], true);
    assert_eq!(rule["claimValue"], "c1");

    // Without the password (and no terminal to ask on): exit 4, nothing changed.
    let before = pim.snapshot();
    let code = pim.code("pimuser", 1);
    let args = [
        "activate",
        ROLE,
        "--for",
        "1h",
        "--reason",
        "incident 42",
        "--otp",
        &code,
    ];
    pim.run_as(u, &args).fails(
        4,
        "AuthenticationContextRule: activating Security Reader requires authentication context c1",
    );
    assert_eq!(pim.snapshot(), before);
    // With it, piped, and the code: active.
    let mut with_password = args.to_vec();
    with_password.push("--password-stdin");
    let run = pim.run_stdin(
        &[&["--as", user.as_str()][..], &with_password[..]].concat(),
        &format!("{}\n", pim.password("pimuser")),
    );
    let run = run.ok();
    assert!(
        run.stdout.contains("Security Reader is active until"),
        "{}",
        run.stdout
    );
}
