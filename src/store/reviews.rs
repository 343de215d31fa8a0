//! Access reviews: a review of a role's assignments, its reviewers, and one item per
//! assignment under review with its recommendation, decision and outcome.

use super::sql::{Conn, Row, args};

use super::StoreResult;
use super::convert::{opt_secs, opt_time, secs, time};
use crate::clock::Time;
use crate::policy::model::Principal;

/// A stored review (without its items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    /// GUID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The role reviewed.
    pub role_id: String,
    /// Each member reviews their own access.
    pub self_review: bool,
    /// When it started.
    pub start: Time,
    /// When it ends.
    pub end: Time,
    /// `weekly`, `monthly` or `quarterly`; `None` for once.
    pub recurrence: Option<String>,
    /// Denied assignments are removed at the end.
    pub auto_apply: bool,
    /// What the end does without a decision: `keep`, `remove`, `approve` or `recommendation`.
    pub no_response: String,
    /// Who created it.
    pub created_by: Option<String>,
    /// The halfway reminder went out.
    pub reminded_at: Option<Time>,
    /// It ended and its results were applied.
    pub completed_at: Option<Time>,
}

/// One assignment under review.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ItemRow {
    /// The assignment.
    pub assignment_id: String,
    /// Whose it is.
    pub principal: Principal,
    /// `eligible` or `active`.
    pub kind: String,
    /// Entra's recommendation: `approve` or `deny`.
    pub recommendation: String,
    /// Why, in words.
    pub recommendation_reason: String,
    /// `approve` or `deny`, once decided.
    pub decision: Option<String>,
    /// Who decided (UPN).
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<Time>,
    /// The reviewer's reason.
    pub reason: Option<String>,
    /// What the end did: `removed`, `kept` or `unchanged`.
    pub outcome: Option<String>,
}

const REVIEW: &str = "id, name, role_id, self_review, start_at, end_at, recurrence, auto_apply,
    created_by, reminded_at, completed_at, no_response";

fn review_row(r: &Row<'_>) -> StoreResult<ReviewRow> {
    Ok(ReviewRow {
        id: r.get(0)?,
        name: r.get(1)?,
        role_id: r.get(2)?,
        self_review: r.get(3)?,
        start: time(r.get(4)?),
        end: time(r.get(5)?),
        recurrence: r.get(6)?,
        auto_apply: r.get(7)?,
        created_by: r.get(8)?,
        reminded_at: opt_time(r.get(9)?),
        completed_at: opt_time(r.get(10)?),
        no_response: r.get(11)?,
    })
}

/// Stores a new review with its reviewers.
pub fn insert(conn: Conn<'_>, r: &ReviewRow, reviewers: &[Principal]) -> StoreResult<()> {
    conn.exec(// Made when it starts (a recurring series makes the next one as the last one ends).
        &format!(
            "INSERT INTO reviews ({REVIEW}, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?5)"
        ), args![
            r.id,
            r.name,
            r.role_id,
            r.self_review,
            secs(r.start),
            secs(r.end),
            r.recurrence,
            r.auto_apply,
            r.created_by,
            opt_secs(r.reminded_at),
            opt_secs(r.completed_at),
            r.no_response
        ])?;
    for p in reviewers {
        conn.exec(
            "INSERT INTO review_reviewers (review_id, user_id) VALUES (?1, ?2)",
            args![r.id, p.id],
        )?;
    }
    Ok(())
}

/// Stores one item.
pub fn insert_item(
    conn: Conn<'_>,
    review_id: &str,
    assignment_id: &str,
    principal_id: &str,
    recommendation: (&str, &str),
) -> StoreResult<()> {
    conn.exec(
        "INSERT INTO review_items (review_id, assignment_id, principal_id, recommendation,
             recommendation_reason) VALUES (?1, ?2, ?3, ?4, ?5)",
        args![
            review_id,
            assignment_id,
            principal_id,
            recommendation.0,
            recommendation.1
        ],
    )?;
    Ok(())
}

/// Every review, newest first.
pub fn list(conn: Conn<'_>) -> StoreResult<Vec<ReviewRow>> {
    conn.rows(
        &format!("SELECT {REVIEW} FROM reviews ORDER BY start_at DESC, id"),
        args![],
        review_row,
    )
}

/// The review with this id, or the only one whose id starts with it.
pub fn find(conn: Conn<'_>, id: &str) -> StoreResult<Vec<ReviewRow>> {
    let rows: Vec<ReviewRow> = conn.rows(
        &format!(
            "SELECT {REVIEW} FROM reviews WHERE substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT 2"
        ),
        args![id],
        review_row,
    )?;
    Ok(match rows.iter().find(|r| r.id == id) {
        Some(exact) => vec![exact.clone()],
        None => rows,
    })
}

/// A review's reviewers, by UPN.
pub fn reviewers(conn: Conn<'_>, review_id: &str) -> StoreResult<Vec<Principal>> {
    conn.rows("SELECT u.id, u.upn, u.display_name FROM review_reviewers r JOIN users u ON u.id = r.user_id
         WHERE r.review_id = ?1 ORDER BY u.upn COLLATE NOCASE", args![review_id], |r| {
        Ok(Principal {
            id: r.get(0)?,
            upn: r.get(1)?,
            display_name: r.get(2)?,
        })
    })
}

/// A review's items, by UPN.
pub fn items(conn: Conn<'_>, review_id: &str) -> StoreResult<Vec<ItemRow>> {
    conn.rows(
        "SELECT i.assignment_id, u.id, u.upn, u.display_name, a.kind, i.recommendation,
                i.recommendation_reason, i.decision, d.upn, i.decided_at, i.reason, i.outcome
         FROM review_items i JOIN users u ON u.id = i.principal_id
         JOIN assignments a ON a.id = i.assignment_id
         LEFT JOIN users d ON d.id = i.decided_by
         WHERE i.review_id = ?1 ORDER BY u.upn COLLATE NOCASE, a.kind",
        args![review_id],
        |r| {
            Ok(ItemRow {
                assignment_id: r.get(0)?,
                principal: Principal {
                    id: r.get(1)?,
                    upn: r.get(2)?,
                    display_name: r.get(3)?,
                },
                kind: r.get(4)?,
                recommendation: r.get(5)?,
                recommendation_reason: r.get(6)?,
                decision: r.get(7)?,
                decided_by: r.get(8)?,
                decided_at: opt_time(r.get(9)?),
                reason: r.get(10)?,
                outcome: r.get(11)?,
            })
        },
    )
}

/// Records a decision on an undecided item; false when it was decided already.
pub fn decide(
    conn: Conn<'_>,
    review_id: &str,
    assignment_id: &str,
    approve: bool,
    by: &str,
    at: Time,
    reason: &str,
) -> StoreResult<bool> {
    let n = conn.exec(
        "UPDATE review_items SET decision = ?3, decided_by = ?4, decided_at = ?5, reason = ?6
         WHERE review_id = ?1 AND assignment_id = ?2 AND decision IS NULL",
        args![
            review_id,
            assignment_id,
            if approve { "approve" } else { "deny" },
            by,
            secs(at),
            reason
        ],
    )?;
    Ok(n == 1)
}

/// What the end did with an item.
pub fn set_outcome(
    conn: Conn<'_>,
    review_id: &str,
    assignment_id: &str,
    outcome: &str,
) -> StoreResult<()> {
    conn.exec(
        "UPDATE review_items SET outcome = ?3 WHERE review_id = ?1 AND assignment_id = ?2",
        args![review_id, assignment_id, outcome],
    )?;
    Ok(())
}

/// Marks the halfway reminder sent (once).
pub fn mark_reminded(conn: Conn<'_>, id: &str, at: Time) -> StoreResult<bool> {
    Ok(conn.exec(
        "UPDATE reviews SET reminded_at = ?2 WHERE id = ?1 AND reminded_at IS NULL",
        args![id, secs(at)],
    )? == 1)
}

/// Marks a review ended and applied (once).
pub fn mark_completed(conn: Conn<'_>, id: &str, at: Time) -> StoreResult<bool> {
    Ok(conn.exec(
        "UPDATE reviews SET completed_at = ?2 WHERE id = ?1 AND completed_at IS NULL",
        args![id, secs(at)],
    )? == 1)
}

/// Open reviews whose end or halfway point has passed at `now`.
pub fn due(conn: Conn<'_>, now: Time) -> StoreResult<Vec<ReviewRow>> {
    conn.rows(
        &format!(
            "SELECT {REVIEW} FROM reviews WHERE completed_at IS NULL
           AND (end_at <= ?1 OR (reminded_at IS NULL AND start_at + (end_at - start_at) / 2 <= ?1))
         ORDER BY end_at"
        ),
        args![secs(now)],
        review_row,
    )
}

/// Whether any review is due (see [`due`]), on the index of open reviews.
pub fn any_due(conn: Conn<'_>, now: Time) -> StoreResult<bool> {
    conn.one("SELECT EXISTS (SELECT 1 FROM reviews INDEXED BY reviews_open WHERE completed_at IS NULL
           AND (end_at <= ?1 OR (reminded_at IS NULL AND start_at + (end_at - start_at) / 2 <= ?1)))", args![secs(now)], |r| r.get(0))
}

/// When a person last signed in, and when they last activated a role (for the recommendation).
pub fn last_seen(
    conn: Conn<'_>,
    principal_id: &str,
    role_id: &str,
) -> StoreResult<(Option<Time>, Option<Time>)> {
    let row = conn.row(
        "SELECT (SELECT last_sign_in FROM users WHERE id = ?1),
                (SELECT max(start_at) FROM assignments
                 WHERE principal_id = ?1 AND role_id = ?2 AND origin = 'activated')",
        args![principal_id, role_id],
        |r| Ok((r.get::<Option<i64>>(0)?, r.get::<Option<i64>>(1)?)),
    )?;
    Ok(row.map_or((None, None), |(a, b)| (opt_time(a), opt_time(b))))
}

/// How many items of running reviews wait for `user_id`'s decision at `now` (the console's
/// tab count, without loading the reviews).
pub fn waiting_for(conn: Conn<'_>, user_id: &str, now: Time) -> StoreResult<i64> {
    conn.one(
        "SELECT count(*) FROM reviews r JOIN review_items i ON i.review_id = r.id
         WHERE r.completed_at IS NULL AND r.end_at > ?2 AND i.decision IS NULL
           AND ((r.self_review = 1 AND i.principal_id = ?1)
             OR (r.self_review = 0 AND i.principal_id <> ?1
                 AND EXISTS (SELECT 1 FROM review_reviewers v
                             WHERE v.review_id = r.id AND v.user_id = ?1)))",
        args![user_id, secs(now)],
        |r| r.get(0),
    )
}
