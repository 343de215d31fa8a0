//! The engine's hot paths, in process, on the three-account lab and on a seeded big tenant:
//! activation (MFA off), status, an audit page, audit text search, alerts and verify.
//! `cargo bench --bench engine`; the big tenant's size comes from `PIM_BENCH_SCALE`
//! (`USERS,ASSIGNMENTS,AUDIT`, default `2000,20000,200000`; `bench/compare.sh` measures
//! whole processes at 10k/100k/1M against the disk's floor).

use std::time::{Duration, Instant};

use chrono::TimeDelta;
use criterion::{Criterion, criterion_group, criterion_main};
use pim_console::auth::totp::code_at;
use pim_console::clock::{Clock, SystemClock};
use pim_console::policy::model::AssignmentKind;
use pim_console::policy::settings::SettingsPatch;
use pim_console::service::{
    ActivateInput, AssignInput, AuditQuery, SeedSpec, Service, SessionToken, Window,
};
use pim_console::store::OpenMode;

const ROLE: &str = "Security Reader";

struct Lab {
    svc: Service,
    admin: SessionToken,
    user: SessionToken,
    path: std::path::PathBuf,
    admin_upn: String,
    admin_password: String,
    admin_secret: String,
    _dir: tempfile::TempDir,
}

fn lab(seed: Option<SeedSpec>) -> Lab {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("lab.db");
    let mut svc = Service::open(&path, OpenMode::Create).expect("a lab");
    let created = svc.create_lab(false, None).expect("the lab");
    let now = SystemClock.now().timestamp();
    let mut sign_in = |i: usize| {
        let a = &created.accounts[i];
        let code = code_at(&a.totp_secret, now).expect("a code");
        svc.sign_in(&a.upn, &a.password, &code)
            .expect("signed in")
            .token
    };
    let (admin, user) = (sign_in(0), sign_in(1));
    let patch = SettingsPatch {
        require_mfa: Some(false),
        ..SettingsPatch::default()
    };
    svc.update_settings(&admin, ROLE, patch, None)
        .expect("MFA off");
    svc.assign(
        &admin,
        AssignInput {
            role: ROLE.into(),
            upn: "pimuser@pimlab.onmicrosoft.com".into(),
            kind: AssignmentKind::Eligible,
            start: None,
            window: Window::Permanent,
            justification: Some("benchmark".into()),
            otp: None,
        },
    )
    .expect("eligible");
    if let Some(spec) = seed {
        svc.seed_lab(&admin, spec, &mut |_, _| {}).expect("seeded");
    }
    Lab {
        svc,
        admin,
        user,
        path,
        admin_upn: created.accounts[0].upn.clone(),
        admin_password: created.accounts[0].password.clone(),
        admin_secret: created.accounts[0].totp_secret.clone(),
        _dir: dir,
    }
}

fn scale() -> SeedSpec {
    let parsed: Vec<u64> = std::env::var("PIM_BENCH_SCALE")
        .unwrap_or_default()
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let [users, assignments, audit] = parsed[..] else {
        return SeedSpec {
            users: 2_000,
            assignments: 20_000,
            audit: 200_000,
            seed: 1,
        };
    };
    SeedSpec {
        users,
        assignments,
        audit,
        seed: 1,
    }
}

fn engine(c: &mut Criterion) {
    for (name, seed) in [("3 accounts", None), ("big tenant", Some(scale()))] {
        let mut lab = lab(seed);
        let mut group = c.benchmark_group(name);
        group.sample_size(20);
        group.bench_function("activate (MFA off)", |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let input = ActivateInput {
                        role: ROLE.into(),
                        duration: TimeDelta::hours(1),
                        start: None,
                        justification: Some("benchmark".into()),
                        ticket_number: None,
                        ticket_system: None,
                        otp: None,
                        password: None,
                    };
                    let t = Instant::now();
                    lab.svc.activate(&lab.user, input).expect("activated");
                    spent += t.elapsed();
                    // Deactivation waits five minutes after an activation: move the lab clock.
                    lab.svc
                        .advance_clock(&lab.admin, TimeDelta::minutes(6))
                        .expect("clock");
                    lab.svc.deactivate(&lab.user, ROLE).expect("deactivated");
                }
                spent
            });
        });
        group.bench_function("status", |b| {
            b.iter(|| lab.svc.status(&lab.user).expect("status"));
        });
        let page = AuditQuery {
            limit: 50,
            ..AuditQuery::default()
        };
        group.bench_function("audit page", |b| {
            b.iter(|| lab.svc.audit_log(&lab.admin, &page).expect("audit"));
        });
        let search = AuditQuery {
            text: Some("INC0042".into()),
            limit: 50,
            ..AuditQuery::default()
        };
        group.bench_function("audit text search", |b| {
            b.iter(|| lab.svc.audit_log(&lab.admin, &search).expect("search"));
        });
        group.bench_function("alerts", |b| {
            b.iter(|| lab.svc.alerts(&lab.admin).expect("alerts"));
        });
        group.sample_size(10);
        group.bench_function("audit verify", |b| {
            b.iter(|| {
                lab.svc
                    .verify_audit(None, &mut |_, _, _| {})
                    .expect("verified")
            });
        });
        console(&mut group, name, &lab);
        group.finish();
    }
}

/// The console on the lab's file: a first frame, tab switches, and a key on a role page
/// (Security Reader, the seed's biggest role), each with the frame it leads to. Signing in is
/// timed once and printed (a code is good once, so it cannot be repeated).
#[expect(
    clippy::print_stdout,
    reason = "the sign-in's one timing, beside criterion's"
)]
fn console(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    lab: &Lab,
) {
    use pim_console::tui::{App, Tz};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let frame = |app: &App| {
        let mut t = Terminal::new(TestBackend::new(120, 40)).expect("a terminal");
        t.draw(|f| pim_console::tui::ui::render(f, app))
            .expect("drawn");
    };
    let open = || {
        let svc = Service::open(&lab.path, OpenMode::Existing).expect("opened");
        App::with_service(Some(svc), lab.path.clone(), Tz::Utc)
    };
    group.bench_function("console first frame", |b| {
        b.iter(|| frame(&open()));
    });
    let mut app = open();
    let key = |app: &mut App, code: KeyCode| {
        app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        while app.run_pending() {}
    };
    let text = |app: &mut App, s: &str| {
        for c in s.chars() {
            key(app, KeyCode::Char(c));
        }
    };
    // The engine signed the admin in with this period's code: the console uses the next one.
    let next = SystemClock.now().timestamp() + 30;
    text(&mut app, &lab.admin_upn);
    key(&mut app, KeyCode::Tab);
    text(&mut app, &lab.admin_password);
    let t = Instant::now();
    key(&mut app, KeyCode::Enter);
    frame(&app);
    let password = t.elapsed();
    text(&mut app, &code_at(&lab.admin_secret, next).expect("a code"));
    let t = Instant::now();
    key(&mut app, KeyCode::Enter);
    frame(&app);
    let code = t.elapsed();
    assert!(
        matches!(app.screen, pim_console::tui::app::Screen::Main(_)),
        "the console signed in"
    );
    println!(
        "{name}/console sign-in (once): password to the code's prompt {:.1} ms, \
         code to the first screen {:.1} ms, each with its frame",
        password.as_secs_f64() * 1000.0,
        code.as_secs_f64() * 1000.0
    );
    // A key and the frame it leads to, then another key back and its frame.
    let there_and_back = |app: &mut App, there: KeyCode, back: KeyCode| {
        key(app, there);
        frame(app);
        key(app, back);
        frame(app);
    };
    group.bench_function("console: tab 2 (Roles) and back to 1, with frames", |b| {
        b.iter(|| there_and_back(&mut app, KeyCode::Char('2'), KeyCode::Char('1')));
    });
    // Alerts are computed at most once a second: most switches show the last ones.
    group.bench_function("console: tab 6 (Alerts) and back to 1, with frames", |b| {
        b.iter(|| there_and_back(&mut app, KeyCode::Char('6'), KeyCode::Char('1')));
    });
    key(&mut app, KeyCode::Char('2'));
    key(&mut app, KeyCode::Char('/'));
    text(&mut app, "security reader");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    let pim_console::tui::app::Screen::Main(m) = &app.screen else {
        unreachable!("signed in above")
    };
    let rows = m
        .roles
        .detail
        .as_ref()
        .map_or(0, |d| d.counts().iter().sum());
    assert!(rows > 0, "the role page is open");
    group.bench_function("console: down and up on a role page, with frames", |b| {
        b.iter(|| there_and_back(&mut app, KeyCode::Down, KeyCode::Up));
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);
