//! Each alert at and just below its threshold.

use chrono::{TimeDelta, TimeZone, Utc};

use super::*;

fn now() -> Time {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

fn p(n: usize) -> Principal {
    Principal {
        id: format!("u{n}"),
        upn: format!("user{n}@pimlab.onmicrosoft.com"),
        display_name: format!("User {n}"),
    }
}

fn role(name: &str) -> Role {
    Role {
        id: name.to_lowercase(),
        display_name: name.into(),
        slug: name.to_lowercase(),
        description: String::new(),
        privileged: true,
        group: None,
    }
}

fn fires(id: AlertId, f: &AlertFacts) -> usize {
    evaluate(id, &AlertConfig::default_for(id), f, now()).len()
}

#[test]
fn too_many_global_admins_needs_both_the_count_and_the_percentage() {
    let mut f = AlertFacts {
        global_admins: (0..3).map(p).collect(),
        global_admin_assignments: 3,
        all_assignments: 30,
        ..Default::default()
    };
    assert_eq!(
        fires(AlertId::TooManyGlobalAdmins, &f),
        3,
        "3 admins, 10%: at both thresholds"
    );
    f.all_assignments = 31;
    assert_eq!(
        fires(AlertId::TooManyGlobalAdmins, &f),
        0,
        "9%: just below the percentage"
    );
    f.all_assignments = 20;
    f.global_admins.pop();
    f.global_admin_assignments = 2;
    assert_eq!(
        fires(AlertId::TooManyGlobalAdmins, &f),
        0,
        "2 admins: just below the count"
    );
}

#[test]
fn unused_roles_at_and_below_the_days() {
    let created = now() - TimeDelta::days(60);
    let f = |last: Option<Time>| AlertFacts {
        eligible_privileged: vec![(p(1), role("Security Reader"), created, last)],
        ..Default::default()
    };
    assert_eq!(
        fires(AlertId::RedundantAssignment, &f(None)),
        1,
        "never activated"
    );
    assert_eq!(
        fires(
            AlertId::RedundantAssignment,
            &f(Some(now() - TimeDelta::days(30) - TimeDelta::seconds(1)))
        ),
        1
    );
    assert_eq!(
        fires(
            AlertId::RedundantAssignment,
            &f(Some(now() - TimeDelta::days(30)))
        ),
        0,
        "exactly 30 days ago is within"
    );
    let fresh = AlertFacts {
        eligible_privileged: vec![(
            p(1),
            role("Security Reader"),
            now() - TimeDelta::days(29),
            None,
        )],
        ..Default::default()
    };
    assert_eq!(
        fires(AlertId::RedundantAssignment, &fresh),
        0,
        "eligible for less than 30 days"
    );
}

#[test]
fn stale_accounts_at_and_below_the_days() {
    let created = now() - TimeDelta::days(100);
    let f = |last: Option<Time>| AlertFacts {
        privileged_members: vec![(p(1), last, created)],
        ..Default::default()
    };
    assert_eq!(fires(AlertId::StaleSignIn, &f(None)), 1);
    assert_eq!(
        fires(
            AlertId::StaleSignIn,
            &f(Some(now() - TimeDelta::days(30) - TimeDelta::seconds(1)))
        ),
        1
    );
    assert_eq!(
        fires(AlertId::StaleSignIn, &f(Some(now() - TimeDelta::days(30)))),
        0
    );
}

#[test]
fn frequent_activation_at_and_below_the_count_and_window() {
    let r = role("Security Reader");
    let at = |mins: i64| (p(1), r.clone(), now() + TimeDelta::minutes(mins));
    let three = AlertFacts {
        recent_activations: vec![at(0), at(30), at(60)],
        ..Default::default()
    };
    assert_eq!(
        fires(AlertId::SequentialActivation, &three),
        1,
        "3 within the hour (inclusive)"
    );
    let spread = AlertFacts {
        recent_activations: vec![at(0), at(30), at(61)],
        ..Default::default()
    };
    assert_eq!(
        fires(AlertId::SequentialActivation, &spread),
        0,
        "the third falls outside the hour"
    );
    let two = AlertFacts {
        recent_activations: vec![at(0), at(1)],
        ..Default::default()
    };
    assert_eq!(fires(AlertId::SequentialActivation, &two), 0);
}

#[test]
fn simple_alerts_fire_on_any_item() {
    assert_eq!(
        fires(
            AlertId::InvalidLicense,
            &AlertFacts {
                licence: Some(Licence::Free),
                ..Default::default()
            }
        ),
        1
    );
    assert_eq!(
        fires(
            AlertId::InvalidLicense,
            &AlertFacts {
                licence: Some(Licence::P2),
                ..Default::default()
            }
        ),
        0
    );
    assert_eq!(
        fires(
            AlertId::NoMfaOnRoleActivation,
            &AlertFacts {
                roles_without_mfa: vec![role("Global Reader")],
                ..Default::default()
            }
        ),
        1
    );
    assert_eq!(
        fires(AlertId::NoMfaOnRoleActivation, &AlertFacts::default()),
        0
    );
    let outside = AlertFacts {
        outside_pim: vec![(p(1), role("Global Administrator"), "a1".into())],
        ..Default::default()
    };
    assert_eq!(fires(AlertId::RolesAssignedOutsidePim, &outside), 1);
    let permanent = AlertFacts {
        permanent_active: vec![(p(1), role("Global Administrator"))],
        ..Default::default()
    };
    assert_eq!(fires(AlertId::PermanentActiveAssignments, &permanent), 1);
}

#[test]
fn names_and_ranges() {
    for id in AlertId::ALL {
        assert_eq!(AlertId::parse(id.graph_name()), Some(id));
        assert_eq!(AlertId::parse(id.slug()), Some(id));
        assert!(AlertConfig::default_for(id).validate(id).is_ok(), "{id:?}");
    }
    let bad = AlertConfig {
        days: 0,
        ..AlertConfig::default_for(AlertId::StaleSignIn)
    };
    assert!(bad.validate(AlertId::StaleSignIn).is_err());
}

/// The alert as first written: for each activation, count the same user's same role within
/// the window after it (quadratic, plainly right).
fn frequent_by_hand(cfg: &AlertConfig, acts: &[(Principal, Role, Time)]) -> Vec<Incident> {
    let window = TimeDelta::seconds(cfg.window_secs);
    let mut out: Vec<Incident> = Vec::new();
    for (i, (p, r, t)) in acts.iter().enumerate() {
        let n = acts[i..]
            .iter()
            .filter(|(q, s, u)| q.id == p.id && s.id == r.id && *u - *t <= window)
            .count() as i64;
        let key = format!("{}:{}", p.id, r.id);
        if n >= cfg.count && !out.iter().any(|o| o.key == key) {
            out.push(Incident {
                key,
                text: format!(
                    "{} activated {} {n} times within {}",
                    p.upn,
                    r.display_name,
                    format_duration(window)
                ),
            });
        }
    }
    out
}

#[test]
fn frequent_activation_in_one_pass_agrees_with_counting_each_by_hand() {
    let roles = [role("Security Reader"), role("Global Reader")];
    let cfg = AlertConfig::default_for(AlertId::SequentialActivation);
    let mut seed = 7u64;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) % n
    };
    let mut fired = 0;
    for _ in 0..50 {
        let mut minute = 0;
        let acts: Vec<(Principal, Role, Time)> = (0..120)
            .map(|_| {
                minute += i64::try_from(next(40)).unwrap();
                let who = usize::try_from(next(4)).unwrap();
                let which = roles[usize::try_from(next(2)).unwrap()].clone();
                (p(who), which, now() + TimeDelta::minutes(minute))
            })
            .collect();
        let f = AlertFacts {
            recent_activations: acts.clone(),
            ..Default::default()
        };
        let found = evaluate(AlertId::SequentialActivation, &cfg, &f, now());
        assert_eq!(found, frequent_by_hand(&cfg, &acts));
        fired += usize::from(!found.is_empty());
    }
    assert!(fired > 10, "the cases exercise the alert: {fired}");
}
