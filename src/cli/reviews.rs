//! `pim reviews`: access reviews of a role's assignments.

use serde_json::{Value, json};

use super::args::{ReviewCreateArgs, ReviewDecideArgs, ReviewsCommand};
use super::output::{Table, json, local, rfc3339, safe};
use super::{CliError, CliResult, Env};
use crate::service::{NoResponse, Recurrence, ReviewInput, ReviewItem, ReviewView, Reviewers};
use crate::store::OpenMode;

fn item_json(i: &ReviewItem) -> Value {
    json!({
        "assignment_id": i.assignment_id,
        "upn": i.principal.upn,
        "type": i.kind,
        "recommendation": i.recommendation,
        "recommendation_reason": i.recommendation_reason,
        "decision": i.decision,
        "decided_by": i.decided_by,
        "decided_at": i.decided_at.map(rfc3339),
        "reason": i.reason,
        "outcome": i.outcome,
    })
}

fn review_json(v: &ReviewView) -> Value {
    json!({
        "id": v.id,
        "name": v.name,
        "role": {"id": v.role.id, "display_name": v.role.display_name},
        "reviewers": v.reviewers.iter().map(|p| p.upn.clone()).collect::<Vec<_>>(),
        "self_review": v.self_review,
        "start": rfc3339(v.start),
        "end": rfc3339(v.end),
        "recurrence": v.recurrence,
        "auto_apply": v.auto_apply,
        "if_no_response": v.no_response,
        "status": v.status,
        "items": v.items.iter().map(item_json).collect::<Vec<_>>(),
    })
}

fn decided(v: &ReviewView) -> String {
    let n = v.items.iter().filter(|i| i.decision.is_some()).count();
    format!("{n} of {}", v.items.len())
}

fn who_reviews(v: &ReviewView) -> String {
    if v.self_review {
        "each member, their own access".into()
    } else {
        v.reviewers
            .iter()
            .map(|p| safe(&p.upn).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn print_review(v: &ReviewView) {
    outln!(
        "{} · {} ({}) · {}",
        safe(&v.name),
        safe(&v.role.display_name),
        &v.id,
        v.status
    );
    outln!("Runs {} to {}", local(v.start), local(v.end));
    outln!("Reviewers: {}", who_reviews(v));
    outln!(
        "Recurrence: {} · results {}",
        v.recurrence.as_deref().unwrap_or("once"),
        if v.auto_apply {
            format!(
                "applied at the end (denied assignments removed; without a decision: {})",
                v.no_response
            )
        } else {
            "not applied by themselves".into()
        }
    );
    outln!("Decided: {}\n", decided(v));
    let mut t = Table::new(&["User", "Type", "Recommendation", "Decision", "Outcome"]);
    for i in &v.items {
        let decision = match (&i.decision, &i.decided_by) {
            (Some(d), Some(by)) => format!(
                "{d} by {} ({})",
                safe(by),
                safe(i.reason.as_deref().unwrap_or(""))
            ),
            _ => "-".into(),
        };
        t.row(vec![
            safe(&i.principal.upn).into_owned(),
            i.kind.clone(),
            format!("{} ({})", i.recommendation, safe(&i.recommendation_reason)),
            decision,
            i.outcome.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    t.print();
}

/// `pim reviews …`.
pub fn reviews(env: &Env, command: ReviewsCommand) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    match command {
        ReviewsCommand::Create(a) => create(&mut svc, &token, a),
        ReviewsCommand::List { json: as_json } => {
            let list = svc.reviews(&token)?;
            if as_json {
                return json(&list.iter().map(review_json).collect::<Vec<_>>());
            }
            if list.is_empty() {
                outln!(
                    "No access reviews. Start one: pim reviews create --role ROLE --reviewer UPN --for 7d"
                );
                return Ok(());
            }
            let mut t = Table::new(&["Id", "Name", "Role", "Status", "Ends", "Decided"]);
            for v in &list {
                t.row(vec![
                    v.id.chars().take(8).collect(),
                    safe(&v.name).into_owned(),
                    safe(&v.role.display_name).into_owned(),
                    v.status.into(),
                    local(v.end),
                    decided(v),
                ]);
            }
            t.print();
            Ok(())
        }
        ReviewsCommand::Show { id, json: as_json } => {
            let v = svc.review(&token, &id)?;
            if as_json {
                return json(&review_json(&v));
            }
            print_review(&v);
            Ok(())
        }
        ReviewsCommand::Decide(a) => decide(&mut svc, &token, a),
    }
}

fn create(
    svc: &mut crate::service::Service,
    token: &crate::service::SessionToken,
    a: ReviewCreateArgs,
) -> CliResult {
    // A group's review is of its membership: the group's member entry in the catalogue.
    let role = match (a.role, a.group) {
        (Some(role), _) => role,
        (None, Some(group)) => {
            svc.group_access(&group, crate::policy::model::Access::Member)?
                .id
        }
        (None, None) => return Err(CliError::usage("name a role (--role) or a group (--group)")),
    };
    let input = ReviewInput {
        role,
        reviewers: if a.self_review {
            Reviewers::SelfReview
        } else {
            Reviewers::Users(a.reviewer)
        },
        duration: a.duration,
        recurrence: a.recurrence.as_deref().and_then(Recurrence::parse),
        auto_apply: a.auto_apply,
        no_response: NoResponse::parse(&a.if_no_response).unwrap_or_default(),
        name: a.name,
    };
    let v = svc.create_review(token, input)?;
    if a.json {
        return json(&review_json(&v));
    }
    outln!(
        "Started \"{}\" of {}: {} assignment(s) under review until {}.",
        safe(&v.name),
        safe(&v.role.display_name),
        v.items.len(),
        local(v.end)
    );
    outln!(
        "Reviewers: {} (e-mailed, with the administrators).",
        who_reviews(&v)
    );
    outln!("Review {} · pim reviews show {}", v.id, v.id);
    Ok(())
}

fn decide(
    svc: &mut crate::service::Service,
    token: &crate::service::SessionToken,
    a: ReviewDecideArgs,
) -> CliResult {
    let item = svc.decide_review(token, &a.id, &a.upn, a.decision == "approve", &a.reason)?;
    if a.json {
        return json(&item_json(&item));
    }
    outln!(
        "Recorded: {} for {}'s {} assignment (Entra recommended {}).",
        item.decision.as_deref().unwrap_or("-"),
        safe(&item.principal.upn),
        item.kind,
        item.recommendation
    );
    Ok(())
}
