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
    _dir: tempfile::TempDir,
}

fn lab(seed: Option<SeedSpec>) -> Lab {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut svc = Service::open(&dir.path().join("lab.db"), OpenMode::Create).expect("a lab");
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
        group.finish();
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
