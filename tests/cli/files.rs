//! The database, its sessions and exported mail are ours alone: loose permissions, links,
//! open directories and other owners are refused with the fix; what pim creates is private
//! whatever the umask; two sign-ins at once both land.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::Pim;

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

fn set_mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

#[test]
fn a_database_others_could_read_is_refused_by_every_command() {
    let mut pim = Pim::sqlite();
    pim.lab();
    pim.login("admin").ok();
    let shown = pim.db.display().to_string();
    for loose in [0o644, 0o660, 0o664, 0o640] {
        set_mode(&pim.db, loose);
        for args in [
            &["status"][..],
            &["roles"],
            &["audit", "verify"],
            &["clock"],
        ] {
            let run = pim.run(args).fails(1, &shown);
            assert!(
                run.stderr.contains(&format!("chmod 600 {shown}")),
                "{loose:o} {args:?}: {}",
                run.stderr
            );
        }
        assert_eq!(mode(&pim.db), loose, "pim does not change it by itself");
    }
    set_mode(&pim.db, 0o600);
    pim.run(&["status"]).ok();
}

#[test]
fn an_open_directory_a_link_or_another_owner_is_refused() {
    let mut pim = Pim::sqlite();
    pim.lab();
    let dir = pim.dir.path().to_path_buf();
    set_mode(&dir, 0o777);
    pim.run(&["roles"]).fails(1, "other users can write to");
    set_mode(&dir, 0o1777);
    pim.run(&["roles"]).ok();
    set_mode(&dir, 0o700);

    let link = dir.join("link.db");
    std::os::unix::fs::symlink(&pim.db, &link).unwrap();
    let run = pim
        .command(None, &["--db", link.to_str().unwrap(), "roles"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("symbolic link"));

    if rustix::process::geteuid().is_root() {
        rustix::fs::chown(&pim.db, Some(rustix::process::Uid::from_raw(4242)), None).unwrap();
        pim.run(&["roles"])
            .fails(1, "belongs to another user (uid 4242)");
    }
}

#[test]
fn loose_session_files_are_refused() {
    let mut pim = Pim::sqlite();
    pim.lab();
    pim.login("pimuser").ok();
    let sessions = pim.dir.path().join("state/pim/sessions");
    let file = std::fs::read_dir(&sessions)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    set_mode(&file, 0o644);
    pim.run(&["status"]).fails(1, "chmod 600");
    set_mode(&file, 0o600);
    set_mode(&sessions, 0o777);
    pim.run(&["status"]).fails(1, "other users can write to");
    set_mode(&sessions, 0o700);
    pim.run(&["status"]).ok();
}

#[test]
fn what_pim_creates_is_private_whatever_the_umask() {
    let mut pim = Pim::sqlite();
    pim.db = pim.dir.path().join("deeper/lab.db");
    let umask0 = |pim: &Pim, args: &str| {
        let script = format!("umask 000; exec {} {args}", env!("CARGO_BIN_EXE_pim"));
        let c = pim.command(None, &[]);
        let mut sh = std::process::Command::new("sh");
        sh.arg("-c").arg(script);
        for (k, v) in c.get_envs() {
            match v {
                Some(v) => sh.env(k, v),
                None => sh.env_remove(k),
            };
        }
        sh.output().unwrap()
    };
    let out = umask0(&pim, "lab --json");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    pim.accounts = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["accounts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(mode(&pim.db), 0o600);
    assert_eq!(mode(pim.db.parent().unwrap()), 0o700);
    pim.login("admin").ok();
    let maildir = pim.dir.path().join("mail/pim");
    let out = umask0(
        &pim,
        &format!("mail export --maildir {}", maildir.display()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for sub in ["", "tmp", "new", "cur"] {
        assert_eq!(mode(&maildir.join(sub)), 0o700, "{sub}");
    }
    for f in std::fs::read_dir(maildir.join("new")).unwrap() {
        assert_eq!(mode(&f.unwrap().path()), 0o600);
    }
    for f in std::fs::read_dir(pim.db.parent().unwrap()).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
    }
}

#[test]
fn sign_ins_at_the_same_moment_are_all_kept() {
    let mut pim = Pim::sqlite();
    pim.lab();
    pim.login("admin").ok();
    let admin = pim.upn("admin");
    let mut people: Vec<(String, String, String)> = Vec::new();
    for i in 0..6 {
        let upn = format!("crowd{i}@pimlab.onmicrosoft.com");
        let added = pim
            .run_stdin(
                &[
                    "--as",
                    &admin,
                    "users",
                    "add",
                    &upn,
                    "--display-name",
                    &format!("Crowd {i}"),
                    "--password-stdin",
                    "--json",
                ],
                "a long enough password\n",
            )
            .ok()
            .json();
        let secret = added["totp_secret"].as_str().unwrap().to_owned();
        people.push((upn, "a long enough password".into(), secret));
    }
    let now = {
        use pim_console::clock::{Clock, SystemClock};
        SystemClock.now().timestamp()
    };
    let children: Vec<_> = people
        .iter()
        .map(|(upn, password, secret)| {
            let code = pim_console::auth::totp::code_at(secret, now).unwrap();
            pim.spawn_stdin(
                &["login", "--user", upn, "--password-stdin", "--otp", &code],
                &format!("{password}\n"),
            )
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let signed_in = pim.run(&["whoami", "--json"]).ok().json();
    let list = signed_in["signed_in"].as_array().unwrap();
    assert_eq!(list.len(), 7, "{signed_in}");
}

/// Whether `lab.db` alone, as a copy by hand would take it, names the lab's first account.
fn the_file_alone_holds(pim: &Pim, upn: &str) -> bool {
    let copy = pim.dir.path().join("copied.db");
    let _ = std::fs::remove_file(&copy);
    std::fs::copy(&pim.db, &copy).unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    conn.query_row("SELECT count(*) FROM users WHERE upn = ?1", [upn], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap()
        == 1
}

#[test]
fn a_new_or_rebuilt_lab_is_whole_in_its_file_but_a_small_change_may_wait_in_the_log() {
    let mut pim = Pim::sqlite();
    let first = pim.lab();
    let admin = first["accounts"][0]["upn"].as_str().unwrap().to_owned();
    assert!(the_file_alone_holds(&pim, &admin));
    // A small change stays in the write-ahead log for a while: the file alone lacks it.
    pim.login("admin").ok();
    pim.run(&[
        "users",
        "add",
        "newcomer@pimlab.onmicrosoft.com",
        "--display-name",
        "Newcomer",
    ])
    .ok();
    assert!(!the_file_alone_holds(
        &pim,
        "newcomer@pimlab.onmicrosoft.com"
    ));
    // A backup reads through the log.
    let backup = pim.dir.path().join("backup.db");
    pim.run(&["backup", backup.to_str().unwrap()]).ok();
    let conn = rusqlite::Connection::open(&backup).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM users WHERE upn = 'newcomer@pimlab.onmicrosoft.com'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    // Folded by another program (as sqlite3 does when it closes), the file holds it too.
    rusqlite::Connection::open(&pim.db)
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    assert!(the_file_alone_holds(
        &pim,
        "newcomer@pimlab.onmicrosoft.com"
    ));
    // Rebuilding the lab (the newcomer goes) leaves it whole in the file again.
    let doc = pim
        .run_as(Some(&admin), &["lab", "--reset", "--json"])
        .ok()
        .json();
    let admin = doc["accounts"][0]["upn"].as_str().unwrap().to_owned();
    assert!(the_file_alone_holds(&pim, &admin));
    assert!(!the_file_alone_holds(
        &pim,
        "newcomer@pimlab.onmicrosoft.com"
    ));
}
