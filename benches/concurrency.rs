//! Activations per second with 1, 4 and 16 clients at once, on SQLite (a file, one connection
//! per client, as terminals on one machine) and on PostgreSQL (a throwaway local server that
//! waits for the disk on every commit, one connection per client, as hosts of a class). Each client is its own account, eligible for
//! the same thirty roles (MFA off), and activates each once; all start together.
//! `cargo bench --bench concurrency` prints the table the README shows. PostgreSQL is skipped
//! (and said so) when it is not installed.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use pim_console::auth::password::PasswordHasher;
use pim_console::auth::totp::code_at;
use pim_console::clock::{Clock, SystemClock};
use pim_console::policy::model::AssignmentKind;
use pim_console::policy::settings::SettingsPatch;
use pim_console::service::{ActivateInput, AssignInput, SeedSpec, Service, Window};
use pim_console::store::OpenMode;
use pim_console::store::pg::testing::{Cluster, open_pim_db};

const ROLES_PER_CLIENT: usize = 30;
const CLIENTS: [usize; 3] = [1, 4, 16];

/// Where the tenant is, and how a client opens its own engine on it.
#[derive(Clone)]
enum Place {
    File(std::path::PathBuf),
    Server {
        url: String,
        anchors: std::path::PathBuf,
    },
}

impl Place {
    fn open(&self) -> Service {
        match self {
            Place::File(path) => Service::open(path, OpenMode::Create).expect("the lab file"),
            Place::Server { url, anchors } => {
                let store = open_pim_db(url, anchors).expect("the server");
                Service::on(
                    Box::new(store),
                    Arc::new(SystemClock),
                    PasswordHasher::production(),
                )
            }
        }
    }
}

/// A lab with `clients` seeded accounts, each eligible for the same roles (MFA off); the
/// accounts' UPNs, their password and authenticator secret, and the roles.
fn prepare(place: &Place, clients: usize) -> (Vec<String>, String, String, Vec<String>) {
    let mut svc = place.open();
    let created = svc.create_lab(false, None).expect("the lab");
    let now = SystemClock.now().timestamp();
    let a = &created.accounts[0];
    let code = code_at(&a.totp_secret, now).expect("a code");
    let admin = svc
        .sign_in(&a.upn, &a.password, &code)
        .expect("admin")
        .token;
    let spec = SeedSpec {
        users: u64::try_from(clients).unwrap_or(1),
        assignments: 0,
        audit: 0,
        seed: 1,
    };
    let seeded = svc
        .seed_lab(&admin, spec, &mut |_, _| {})
        .expect("the accounts");
    let first = seeded.first_upn.expect("seeded accounts");
    let number: usize = first[4..10].parse().expect("a seeded UPN");
    let upns: Vec<String> = (0..clients)
        .map(|i| format!("user{:06}{}", number + i, &first[10..]))
        .collect();
    let secret = svc.lab_enrolment(&upns[0]).expect("the secret").secret;
    let roles: Vec<String> = svc
        .roles()
        .expect("the catalogue")
        .into_iter()
        .filter(|r| r.group.is_none() && r.display_name != "Global Administrator")
        .take(ROLES_PER_CLIENT)
        .map(|r| r.display_name)
        .collect();
    for role in &roles {
        let patch = SettingsPatch {
            require_mfa: Some(false),
            ..SettingsPatch::default()
        };
        svc.update_settings(&admin, role, patch, None)
            .expect("MFA off");
        for upn in &upns {
            let input = AssignInput {
                role: role.clone(),
                upn: upn.clone(),
                kind: AssignmentKind::Eligible,
                start: None,
                window: Window::Permanent,
                justification: Some("benchmark".into()),
                otp: None,
            };
            svc.assign(&admin, input).expect("eligible");
        }
    }
    (upns, seeded.password, secret, roles)
}

/// Runs `clients` clients at once; the activations and the wall time they took.
fn run(place: &Place, clients: usize) -> (usize, Duration) {
    let (upns, password, secret, roles) = prepare(place, clients);
    let start = Arc::new(Barrier::new(clients + 1));
    let workers: Vec<_> = upns
        .into_iter()
        .map(|upn| {
            let (place, password, secret, roles, start) = (
                place.clone(),
                password.clone(),
                secret.clone(),
                roles.clone(),
                start.clone(),
            );
            std::thread::spawn(move || {
                let mut svc = place.open();
                let code = code_at(&secret, SystemClock.now().timestamp()).expect("a code");
                let me = svc
                    .sign_in(&upn, &password, &code)
                    .expect("signed in")
                    .token;
                start.wait();
                for role in &roles {
                    let input = ActivateInput {
                        role: role.clone(),
                        duration: TimeDelta::hours(1),
                        start: None,
                        justification: Some("benchmark".into()),
                        ticket_number: None,
                        ticket_system: None,
                        otp: None,
                        password: None,
                    };
                    svc.activate(&me, input).expect("activated");
                }
                roles.len()
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let done: usize = workers
        .into_iter()
        .map(|w| w.join().expect("a client"))
        .sum();
    (done, began.elapsed())
}

#[expect(clippy::print_stdout, reason = "the benchmark's table")]
fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it as a quick check.
    let quick = !std::env::args().any(|a| a == "--bench");
    let clients: &[usize] = if quick { &[2] } else { &CLIENTS };
    println!("backend     clients  activations  seconds  per second");
    let dir = tempfile::tempdir().expect("a temporary directory");
    for &n in clients {
        let place = Place::File(dir.path().join(format!("lab-{n}.db")));
        let (done, took) = run(&place, n);
        report("SQLite", n, done, took);
    }
    let Some(cluster) = Cluster::own_durable() else {
        println!("PostgreSQL    (skipped: not installed here)");
        return;
    };
    let anchors = dir.path().join("anchors");
    std::fs::create_dir_all(&anchors).expect("the anchors' directory");
    for &n in clients {
        let place = Place::Server {
            url: cluster.pim_db(),
            anchors: anchors.join(n.to_string()),
        };
        std::fs::create_dir_all(anchors.join(n.to_string())).expect("an anchors' directory");
        let (done, took) = run(&place, n);
        report("PostgreSQL", n, done, took);
    }
}

#[expect(clippy::print_stdout, reason = "the benchmark's table")]
fn report(backend: &str, clients: usize, done: usize, took: Duration) {
    let secs = took.as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "a rate for people")]
    let rate = done as f64 / secs;
    println!("{backend:<11} {clients:>7}  {done:>11}  {secs:>7.2}  {rate:>10.0}");
}
