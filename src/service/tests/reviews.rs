//! Access reviews on the test clock: decisions, the end applying them, self-reviews, recurring
//! reviews, e-mails, and every refusal.

use super::*;
use crate::policy::Rule;
use crate::service::{Recurrence, ReviewInput, Reviewers};

fn review(role: &str, reviewers: Reviewers, auto_apply: bool) -> ReviewInput {
    ReviewInput {
        role: role.into(),
        reviewers,
        duration: TimeDelta::days(7),
        recurrence: None,
        auto_apply,
        no_response: crate::service::NoResponse::Keep,
        name: None,
    }
}

fn subjects(lab: &Lab, event: &str) -> Vec<(String, String)> {
    lab.svc
        .store
        .conn()
        .rows(
            "SELECT to_addr, subject FROM emails WHERE event = ?1 ORDER BY to_addr",
            crate::args![event],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn refusal(err: ServiceError) -> String {
    let ServiceError::Refused(r) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(r.rule(), Rule::AccessReviewRule, "{r}");
    r.to_string()
}

#[test]
fn a_denied_assignment_is_removed_when_the_review_ends_with_its_emails_and_audit() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    let approver = lab.upn("approver");
    let v = lab
        .svc
        .create_review(
            &admin,
            review(
                "Security Reader",
                Reviewers::Users(vec![approver.clone()]),
                true,
            ),
        )
        .unwrap();
    assert_eq!(v.name, "Review of Security Reader");
    assert_eq!(v.items.len(), 1);
    let item = &v.items[0];
    assert_eq!(item.principal.upn, lab.upn("pimuser"));
    // pimuser signed in just now (Lab::with_eligible_user): Entra would keep it.
    assert_eq!(item.recommendation, "approve", "{item:?}");
    let started = subjects(&lab, "accessReviewStarted");
    let to: Vec<&str> = started.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(to, [lab.upn("admin").as_str(), approver.as_str()]);
    assert_eq!(
        started[0].1,
        "PIM: Access review \"Review of Security Reader\" of the Security Reader role has started"
    );

    // Halfway: the reviewer with decisions left is reminded, once.
    lab.advance(TimeDelta::days(4));
    lab.advance(TimeDelta::hours(1));
    let reminders = subjects(&lab, "accessReviewReminder");
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].0, approver);

    let reviewer = lab.sign_in("approver");
    let decided = lab
        .svc
        .decide_review(
            &reviewer,
            &v.id[..8],
            &lab.upn("pimuser"),
            false,
            "left the team",
        )
        .unwrap();
    assert_eq!(decided.decision.as_deref(), Some("deny"));
    assert_eq!(decided.decided_by.as_deref(), Some(approver.as_str()));

    lab.advance(TimeDelta::days(3));
    let after = lab.svc.review(&admin, &v.id).unwrap();
    assert_eq!(after.status, "completed");
    assert_eq!(after.items[0].outcome.as_deref(), Some("removed"));
    assert!(lab.svc.status(&user).unwrap().eligible.is_empty());
    assert_eq!(
        lab.audit_rows(crate::audit::activity::Activity::ReviewRemoved)
            .len(),
        1
    );
    let completed = lab.audit_rows(crate::audit::activity::Activity::ReviewCompleted);
    assert!(
        completed[0].details.contains("\"removed\":1"),
        "{}",
        completed[0].details
    );
    assert_eq!(subjects(&lab, "accessReviewEnded").len(), 2);
    let v = lab.verify();
    assert!(v.fault.is_none() && v.assignments.mismatches.is_empty());
}

#[test]
fn a_self_review_is_decided_by_each_member_and_results_wait_without_auto_apply() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    let v = lab
        .svc
        .create_review(
            &admin,
            review("Security Reader", Reviewers::SelfReview, false),
        )
        .unwrap();
    // Only the member decides on their own access.
    let other = lab.sign_in("approver");
    assert_eq!(lab.svc.review_decisions_waiting(&user).unwrap(), 1);
    assert_eq!(lab.svc.review_decisions_waiting(&other).unwrap(), 0);
    assert_eq!(
        lab.svc.review_decisions_waiting(&admin).unwrap(),
        0,
        "not under review"
    );
    let text = refusal(
        lab.svc
            .decide_review(&other, &v.id, &lab.upn("pimuser"), true, "fine")
            .unwrap_err(),
    );
    assert!(text.contains("own access only"), "{text}");
    lab.svc
        .decide_review(
            &user,
            &v.id,
            &lab.upn("pimuser"),
            false,
            "I no longer need it",
        )
        .unwrap();
    assert_eq!(lab.svc.review_decisions_waiting(&user).unwrap(), 0);
    lab.advance(TimeDelta::days(8));
    let after = lab.svc.review(&admin, &v.id).unwrap();
    assert_eq!(after.items[0].decision.as_deref(), Some("deny"));
    assert_eq!(
        after.items[0].outcome.as_deref(),
        Some("unchanged"),
        "results not applied by themselves"
    );
    assert_eq!(lab.svc.status(&user).unwrap().eligible.len(), 1);
}

#[test]
fn a_weekly_review_starts_the_next_one_when_it_ends() {
    let (mut lab, admin, _user) = Lab::with_eligible_user();
    let input = ReviewInput {
        recurrence: Some(Recurrence::Weekly),
        duration: TimeDelta::days(5),
        name: Some("Weekly SR review".into()),
        ..review(
            "Security Reader",
            Reviewers::Users(vec![lab.upn("approver")]),
            true,
        )
    };
    let first = lab.svc.create_review(&admin, input).unwrap();
    lab.advance(TimeDelta::days(6));
    let all = lab.svc.reviews(&admin).unwrap();
    assert_eq!(all.len(), 2);
    let next = all.iter().find(|r| r.id != first.id).unwrap();
    assert_eq!(next.status, "active");
    assert_eq!(next.name, "Weekly SR review");
    assert_eq!(next.start, first.start + TimeDelta::days(7));
    assert_eq!(next.end - next.start, TimeDelta::days(5));
    assert_eq!(next.items.len(), 1, "the assignments as they stand then");
}

#[test]
fn reviews_that_break_the_rules_are_refused_and_change_nothing() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    let approver = lab.upn("approver");
    let reviewer = lab.sign_in("approver");
    let before = lab.state();
    let count = |lab: &Lab| lab.count("reviews");
    // A role nobody holds.
    let text = refusal(
        lab.svc
            .create_review(
                &admin,
                review("Exchange Administrator", Reviewers::SelfReview, true),
            )
            .unwrap_err(),
    );
    assert!(
        text.contains("nobody holds Exchange Administrator"),
        "{text}"
    );
    // An unknown reviewer.
    let err = lab
        .svc
        .create_review(
            &admin,
            review(
                "Security Reader",
                Reviewers::Users(vec!["ghost@pimlab.onmicrosoft.com".into()]),
                true,
            ),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("ghost@pimlab.onmicrosoft.com"),
        "{err}"
    );
    // Longer than a weekly cycle.
    let input = ReviewInput {
        recurrence: Some(Recurrence::Weekly),
        duration: TimeDelta::days(10),
        ..review("Security Reader", Reviewers::SelfReview, true)
    };
    assert!(refusal(lab.svc.create_review(&admin, input).unwrap_err()).contains("weekly"));
    // Not an administrator.
    let err = lab
        .svc
        .create_review(
            &user,
            review("Security Reader", Reviewers::SelfReview, true),
        )
        .unwrap_err();
    assert!(err.to_string().starts_with("AdminRequestRule"), "{err}");
    assert_eq!((lab.state(), count(&lab)), (before.clone(), 0));

    // A reviewer reviewing their own access, a second decision, a decision after the end.
    let admin_upn = lab.upn("admin");
    let v = lab
        .svc
        .create_review(
            &admin,
            review(
                "Global Administrator",
                Reviewers::Users(vec![admin_upn.clone(), approver.clone()]),
                true,
            ),
        )
        .unwrap();
    let text = refusal(
        lab.svc
            .decide_review(&admin, &v.id, &admin_upn, true, "still needed")
            .unwrap_err(),
    );
    assert!(text.contains("does not review their own access"), "{text}");
    lab.svc
        .decide_review(&reviewer, &v.id, &admin_upn, true, "still needed")
        .unwrap();
    let text = refusal(
        lab.svc
            .decide_review(&reviewer, &v.id, &admin_upn, false, "changed my mind")
            .unwrap_err(),
    );
    assert!(
        text.contains("decided already (approve by approver@"),
        "{text}"
    );
    let sr = lab
        .svc
        .create_review(
            &admin,
            review(
                "Security Reader",
                Reviewers::Users(vec![approver.clone()]),
                true,
            ),
        )
        .unwrap();
    lab.advance(TimeDelta::days(8));
    let text = refusal(
        lab.svc
            .decide_review(&reviewer, &sr.id, &lab.upn("pimuser"), false, "late")
            .unwrap_err(),
    );
    assert!(text.contains("ended"), "{text}");
    // Nobody decided on pimuser: no change.
    let after = lab.svc.review(&admin, &sr.id).unwrap();
    assert_eq!(after.items[0].outcome.as_deref(), Some("unchanged"));
    assert_eq!(lab.svc.status(&user).unwrap().eligible.len(), 1);
}

#[test]
fn without_a_decision_the_review_takes_its_rule_for_silence() {
    let (mut lab, admin, user) = Lab::with_eligible_user();
    // approver never signed in: Entra recommends removing an eligibility nobody uses.
    let upn = lab.upn("approver");
    lab.svc
        .assign(
            &admin,
            AssignInput {
                role: "Security Reader".into(),
                upn: upn.clone(),
                kind: crate::policy::model::AssignmentKind::Eligible,
                start: None,
                window: Window::Permanent,
                justification: Some("lab".into()),
                otp: None,
            },
        )
        .unwrap();
    let input = ReviewInput {
        no_response: crate::service::NoResponse::Recommendation,
        ..review(
            "Security Reader",
            Reviewers::Users(vec![lab.upn("admin")]),
            true,
        )
    };
    let v = lab.svc.create_review(&admin, input).unwrap();
    let rec = |who: &str| {
        v.items
            .iter()
            .find(|i| i.principal.upn == who)
            .unwrap()
            .recommendation
            .clone()
    };
    assert_eq!(rec(&lab.upn("pimuser")), "approve", "signed in today");
    assert_eq!(rec(&upn), "deny", "never signed in, never activated");
    lab.advance(TimeDelta::days(8));
    let after = lab.svc.review(&admin, &v.id).unwrap();
    let outcome = |who: &str| {
        after
            .items
            .iter()
            .find(|i| i.principal.upn == who)
            .unwrap()
            .outcome
            .clone()
    };
    assert_eq!(outcome(&lab.upn("pimuser")).as_deref(), Some("kept"));
    assert_eq!(outcome(&upn).as_deref(), Some("removed"));
    assert_eq!(lab.svc.status(&user).unwrap().eligible.len(), 1);
}
