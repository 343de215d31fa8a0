//! Two processes activating the same role at the same moment: exactly one wins, the other gets
//! a clear refusal, nobody sees "database is locked".

use std::process::Stdio;

use crate::common::Pim;

#[test]
fn two_processes_activating_the_same_role_leave_exactly_one_activation() {
    let mut pim = Pim::new();
    pim.lab();
    pim.login("admin").ok();
    let (admin, user) = (pim.upn("admin"), pim.upn("pimuser"));
    let roles = [
        "Security Reader",
        "Global Reader",
        "Reports Reader",
        "Security Operator",
        "Directory Readers",
    ];
    for role in roles {
        // MFA off so the race is about the database, not about who holds the fresher code.
        pim.run_as(
            Some(&admin),
            &["settings", "set", role, "--require-mfa", "off"],
        )
        .ok();
        pim.run_as(
            Some(&admin),
            &["assign", role, &user, "--type", "eligible", "--permanent"],
        )
        .ok();
    }
    pim.login("pimuser").ok();
    for role in roles {
        let spawn = || {
            pim.command(
                Some(&user),
                &["activate", role, "--for", "1h", "--reason", "race"],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        };
        let (one, two) = (spawn(), spawn());
        let outs = [
            one.wait_with_output().unwrap(),
            two.wait_with_output().unwrap(),
        ];
        let mut codes: Vec<i32> = outs.iter().map(|o| o.status.code().unwrap()).collect();
        codes.sort();
        let stderr: Vec<String> = outs
            .iter()
            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            .collect();
        assert_eq!(codes, [0, 3], "{role}: {stderr:?}");
        let loser = stderr.iter().find(|e| !e.is_empty()).unwrap();
        assert!(
            loser.contains("refused: RoleAssignmentExists: ")
                && loser.contains("already active until"),
            "{loser}"
        );
        assert!(stderr.iter().all(|e| !e.contains("locked")), "{stderr:?}");
        let current: i64 = pim
            .tables()
            .conn()
            .one(
                "SELECT count(*) FROM assignments a JOIN roles r ON r.id = a.role_id
                 WHERE r.display_name = ?1 AND a.kind = 'active' AND a.ended_at IS NULL",
                pim_console::args![role],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(current, 1, "{role}");
    }
}
