//! Access reviews, their reviewers and their decisions.

use super::Sqlite;
use crate::clock::Time;
use crate::policy::model::*;
use crate::store::StoreResult;
use crate::store::reviews::{self, ItemRow, ReviewRow};

/// Access reviews, their reviewers and their decisions.
pub trait Reviews {
    /// Stores a new review with its reviewers.
    fn insert_review(&self, r: &ReviewRow, reviewers: &[Principal]) -> StoreResult<()>;
    /// Stores one item.
    fn insert_review_item(
        &self,
        review_id: &str,
        assignment_id: &str,
        principal_id: &str,
        recommendation: (&str, &str),
    ) -> StoreResult<()>;
    /// Every review, newest first.
    fn list_reviews(&self) -> StoreResult<Vec<ReviewRow>>;
    /// The review with this id, or the only one whose id starts with it.
    fn find_reviews(&self, id: &str) -> StoreResult<Vec<ReviewRow>>;
    /// A review's reviewers, by UPN.
    fn reviewers(&self, review_id: &str) -> StoreResult<Vec<Principal>>;
    /// A review's items, by UPN.
    fn review_items(&self, review_id: &str) -> StoreResult<Vec<ItemRow>>;
    /// Records a decision on an undecided item; false when it was decided already.
    fn decide_review_item(
        &self,
        review_id: &str,
        assignment_id: &str,
        approve: bool,
        by: &str,
        at: Time,
        reason: &str,
    ) -> StoreResult<bool>;
    /// What the end did with an item.
    fn set_review_outcome(
        &self,
        review_id: &str,
        assignment_id: &str,
        outcome: &str,
    ) -> StoreResult<()>;
    /// Marks the halfway reminder sent (once).
    fn mark_review_reminded(&self, id: &str, at: Time) -> StoreResult<bool>;
    /// Marks a review ended and applied (once).
    fn mark_review_completed(&self, id: &str, at: Time) -> StoreResult<bool>;
    /// Open reviews whose end or halfway point has passed at `now`.
    fn due_reviews(&self, now: Time) -> StoreResult<Vec<ReviewRow>>;
    /// Whether any review is due (see [`due`]), on the index of open reviews.
    fn any_review_due(&self, now: Time) -> StoreResult<bool>;
    /// When a person last signed in, and when they last activated a role (for the recommendation).
    fn last_seen(
        &self,
        principal_id: &str,
        role_id: &str,
    ) -> StoreResult<(Option<Time>, Option<Time>)>;
    /// How many items of running reviews wait for `user_id`'s decision at `now` (the console's
    /// tab count, without loading the reviews).
    fn reviews_waiting_for(&self, user_id: &str, now: Time) -> StoreResult<i64>;
}

impl<T: Sqlite + ?Sized> Reviews for T {
    fn insert_review(&self, r: &ReviewRow, reviewers: &[Principal]) -> StoreResult<()> {
        reviews::insert(self.sqlite(), r, reviewers)
    }
    fn insert_review_item(
        &self,
        review_id: &str,
        assignment_id: &str,
        principal_id: &str,
        recommendation: (&str, &str),
    ) -> StoreResult<()> {
        reviews::insert_item(
            self.sqlite(),
            review_id,
            assignment_id,
            principal_id,
            recommendation,
        )
    }
    fn list_reviews(&self) -> StoreResult<Vec<ReviewRow>> {
        reviews::list(self.sqlite())
    }
    fn find_reviews(&self, id: &str) -> StoreResult<Vec<ReviewRow>> {
        reviews::find(self.sqlite(), id)
    }
    fn reviewers(&self, review_id: &str) -> StoreResult<Vec<Principal>> {
        reviews::reviewers(self.sqlite(), review_id)
    }
    fn review_items(&self, review_id: &str) -> StoreResult<Vec<ItemRow>> {
        reviews::items(self.sqlite(), review_id)
    }
    fn decide_review_item(
        &self,
        review_id: &str,
        assignment_id: &str,
        approve: bool,
        by: &str,
        at: Time,
        reason: &str,
    ) -> StoreResult<bool> {
        reviews::decide(
            self.sqlite(),
            review_id,
            assignment_id,
            approve,
            by,
            at,
            reason,
        )
    }
    fn set_review_outcome(
        &self,
        review_id: &str,
        assignment_id: &str,
        outcome: &str,
    ) -> StoreResult<()> {
        reviews::set_outcome(self.sqlite(), review_id, assignment_id, outcome)
    }
    fn mark_review_reminded(&self, id: &str, at: Time) -> StoreResult<bool> {
        reviews::mark_reminded(self.sqlite(), id, at)
    }
    fn mark_review_completed(&self, id: &str, at: Time) -> StoreResult<bool> {
        reviews::mark_completed(self.sqlite(), id, at)
    }
    fn due_reviews(&self, now: Time) -> StoreResult<Vec<ReviewRow>> {
        reviews::due(self.sqlite(), now)
    }
    fn any_review_due(&self, now: Time) -> StoreResult<bool> {
        reviews::any_due(self.sqlite(), now)
    }
    fn last_seen(
        &self,
        principal_id: &str,
        role_id: &str,
    ) -> StoreResult<(Option<Time>, Option<Time>)> {
        reviews::last_seen(self.sqlite(), principal_id, role_id)
    }
    fn reviews_waiting_for(&self, user_id: &str, now: Time) -> StoreResult<i64> {
        reviews::waiting_for(self.sqlite(), user_id, now)
    }
}
