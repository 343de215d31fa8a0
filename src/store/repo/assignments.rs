//! Assignments: eligible and active, assigned and activated, current and ended.

use super::Sqlite;
use crate::clock::Time;
use crate::policy::model::*;
use crate::store::StoreResult;
use crate::store::assignments::{self, AssignmentRow, ThroughGroup};

/// Assignments: eligible and active, assigned and activated, current and ended.
pub trait Assignments {
    /// Adds an assignment.
    fn insert_assignment(&self, a: &Assignment, request_id: Option<&str>) -> StoreResult<()>;
    /// An assignment by id.
    fn assignment(&self, id: &str) -> StoreResult<Option<Assignment>>;
    /// The principal's not-ended assignment of one kind for a role. It may already be past its end
    /// if no sweep has run; callers check `is_current(now)`.
    fn open_of_kind(
        &self,
        principal_id: &str,
        role_id: &str,
        kind: AssignmentKind,
    ) -> StoreResult<Option<Assignment>>;
    /// Marks an assignment ended. Returns false if it had already ended (another terminal won).
    fn end_assignment(&self, id: &str, at: Time, reason: EndReason) -> StoreResult<bool>;
    /// Changes the type and end of an assignment in place, at `now`. A new end re-arms the
    /// expiry reminders whose threshold is still ahead; those already behind count as sent.
    fn update_window(
        &self,
        id: &str,
        kind: AssignmentKind,
        end: Option<Time>,
        justification: Option<&str>,
        now: Time,
    ) -> StoreResult<()>;
    /// Not-ended assignments whose end has passed: the sweep's work list, oldest end first.
    fn due_for_expiry(&self, now: Time, limit: i64) -> StoreResult<Vec<AssignmentRow>>;
    /// Whether any assignment is past its end or due a reminder (`leads`: each reminder's lead in
    /// seconds and its column), in one statement on the partial indexes that hold exactly those:
    /// the same conditions as [`due_for_expiry`] and [`due_reminders`] without reading a row, so a
    /// command with nothing due pays one lookup per index.
    fn any_assignment_due(&self, now: Time, leads: [(i64, &str); 2]) -> StoreResult<bool>;
    /// Not-ended activations made from an eligibility.
    fn activations_from(&self, eligibility_id: &str) -> StoreResult<Vec<Assignment>>;
    /// Everyone holding one of `role_ids` live at `now`, once each, by UPN.
    fn holders(&self, role_ids: &[&str], now: Time) -> StoreResult<Vec<Principal>>;
    /// Role ids the principal holds live (active, either origin) at `now`.
    fn active_role_ids(&self, principal_id: &str, now: Time) -> StoreResult<Vec<String>>;
    /// The roles a principal holds current (not ended, not past their end) assignments of `kind`
    /// for.
    fn current_role_ids(
        &self,
        principal_id: &str,
        kind: AssignmentKind,
        now: Time,
    ) -> StoreResult<Vec<String>>;
    /// The live, permanent, active (admin-assigned) assignments of a role held by enabled
    /// accounts, as (assignment id, principal id): what keeps a tenant administrable.
    fn permanent_active_holders(
        &self,
        role_id: &str,
        now: Time,
    ) -> StoreResult<Vec<(String, String)>>;
    /// Calls `each` for every assignment that has not ended, oldest first, streaming (the whole
    /// table is never in memory).
    fn for_each_current(
        &self,
        each: &mut dyn FnMut(Assignment) -> StoreResult<()>,
    ) -> StoreResult<()>;
    /// Every current assignment's audited state (see [`crate::audit::state`]) with its id, in
    /// the table's own order (no index to follow, no sort, only the columns the state holds),
    /// borrowed from the row being read: for a pass that looks at each once.
    fn for_each_current_state(
        &self,
        each: &mut dyn FnMut(&str, crate::audit::state::StateFields<'_>),
    ) -> StoreResult<()>;
    /// Lists assignments with role and principal names, newest first, one page.
    fn list_assignments(
        &self,
        f: &assignments::Filter<'_>,
        now: Time,
    ) -> StoreResult<Vec<AssignmentRow>>;
    /// How many assignments a [`Filter`] selects in all, its page aside.
    fn count_assignments(&self, f: &assignments::Filter<'_>, now: Time) -> StoreResult<i64>;
    /// Current (live or scheduled) assignments per role and kind: `(role_id, kind, count)`.
    fn current_counts(&self, now: Time) -> StoreResult<Vec<(String, String, i64)>>;
    /// The principal's most recently expired admin assignment of a role (optionally of one kind).
    fn latest_expired(
        &self,
        principal_id: &str,
        role_id: &str,
        kind: Option<AssignmentKind>,
    ) -> StoreResult<Option<Assignment>>;
    /// Admin assignments whose `lead`-before-the-end reminder is due at `now` and not yet sent
    /// (`column` is `reminded_14d` or `reminded_1d`), excluding those made already inside the
    /// window. Oldest threshold first.
    fn due_reminders(
        &self,
        column: &str,
        lead_secs: i64,
        now: Time,
        limit: i64,
    ) -> StoreResult<Vec<AssignmentRow>>;
    /// Records that a reminder was sent (once: only if it was not yet).
    fn mark_assignment_reminded(&self, id: &str, column: &str, at: Time) -> StoreResult<bool>;
    /// The request an assignment was made by.
    fn request_of(&self, id: &str) -> StoreResult<Option<String>>;
    /// The current role assignments (eligible and active) of every group the user is a live
    /// active member of, at `now`.
    fn through_groups(&self, user_id: &str, now: Time) -> StoreResult<Vec<ThroughGroup>>;
    /// A user's not-ended activations made from eligibilities of a group (the role assigned to the
    /// group as eligible, activated by the user as its member).
    fn activations_through_group(
        &self,
        user_id: &str,
        group_id: &str,
    ) -> StoreResult<Vec<AssignmentRow>>;
}

impl<T: Sqlite + ?Sized> Assignments for T {
    fn insert_assignment(&self, a: &Assignment, request_id: Option<&str>) -> StoreResult<()> {
        assignments::insert(self.sqlite(), a, request_id)
    }
    fn assignment(&self, id: &str) -> StoreResult<Option<Assignment>> {
        assignments::get(self.sqlite(), id)
    }
    fn open_of_kind(
        &self,
        principal_id: &str,
        role_id: &str,
        kind: AssignmentKind,
    ) -> StoreResult<Option<Assignment>> {
        assignments::open_of_kind(self.sqlite(), principal_id, role_id, kind)
    }
    fn end_assignment(&self, id: &str, at: Time, reason: EndReason) -> StoreResult<bool> {
        assignments::end(self.sqlite(), id, at, reason)
    }
    fn update_window(
        &self,
        id: &str,
        kind: AssignmentKind,
        end: Option<Time>,
        justification: Option<&str>,
        now: Time,
    ) -> StoreResult<()> {
        assignments::update_window(self.sqlite(), id, kind, end, justification, now)
    }
    fn due_for_expiry(&self, now: Time, limit: i64) -> StoreResult<Vec<AssignmentRow>> {
        assignments::due_for_expiry(self.sqlite(), now, limit)
    }
    fn any_assignment_due(&self, now: Time, leads: [(i64, &str); 2]) -> StoreResult<bool> {
        assignments::any_due(self.sqlite(), now, leads)
    }
    fn activations_from(&self, eligibility_id: &str) -> StoreResult<Vec<Assignment>> {
        assignments::activations_from(self.sqlite(), eligibility_id)
    }
    fn holders(&self, role_ids: &[&str], now: Time) -> StoreResult<Vec<Principal>> {
        assignments::holders(self.sqlite(), role_ids, now)
    }
    fn active_role_ids(&self, principal_id: &str, now: Time) -> StoreResult<Vec<String>> {
        assignments::active_role_ids(self.sqlite(), principal_id, now)
    }
    fn current_role_ids(
        &self,
        principal_id: &str,
        kind: AssignmentKind,
        now: Time,
    ) -> StoreResult<Vec<String>> {
        assignments::current_role_ids(self.sqlite(), principal_id, kind, now)
    }
    fn permanent_active_holders(
        &self,
        role_id: &str,
        now: Time,
    ) -> StoreResult<Vec<(String, String)>> {
        assignments::permanent_active_holders(self.sqlite(), role_id, now)
    }
    fn for_each_current(
        &self,
        each: &mut dyn FnMut(Assignment) -> StoreResult<()>,
    ) -> StoreResult<()> {
        assignments::for_each_current(self.sqlite(), each)
    }
    fn for_each_current_state(
        &self,
        each: &mut dyn FnMut(&str, crate::audit::state::StateFields<'_>),
    ) -> StoreResult<()> {
        assignments::for_each_current_state(self.sqlite(), each)
    }
    fn list_assignments(
        &self,
        f: &assignments::Filter<'_>,
        now: Time,
    ) -> StoreResult<Vec<AssignmentRow>> {
        assignments::list(self.sqlite(), f, now)
    }
    fn count_assignments(&self, f: &assignments::Filter<'_>, now: Time) -> StoreResult<i64> {
        assignments::count(self.sqlite(), f, now)
    }
    fn current_counts(&self, now: Time) -> StoreResult<Vec<(String, String, i64)>> {
        assignments::current_counts(self.sqlite(), now)
    }
    fn latest_expired(
        &self,
        principal_id: &str,
        role_id: &str,
        kind: Option<AssignmentKind>,
    ) -> StoreResult<Option<Assignment>> {
        assignments::latest_expired(self.sqlite(), principal_id, role_id, kind)
    }
    fn due_reminders(
        &self,
        column: &str,
        lead_secs: i64,
        now: Time,
        limit: i64,
    ) -> StoreResult<Vec<AssignmentRow>> {
        assignments::due_reminders(self.sqlite(), column, lead_secs, now, limit)
    }
    fn mark_assignment_reminded(&self, id: &str, column: &str, at: Time) -> StoreResult<bool> {
        assignments::mark_reminded(self.sqlite(), id, column, at)
    }
    fn request_of(&self, id: &str) -> StoreResult<Option<String>> {
        assignments::request_of(self.sqlite(), id)
    }
    fn through_groups(&self, user_id: &str, now: Time) -> StoreResult<Vec<ThroughGroup>> {
        assignments::through_groups(self.sqlite(), user_id, now)
    }
    fn activations_through_group(
        &self,
        user_id: &str,
        group_id: &str,
    ) -> StoreResult<Vec<AssignmentRow>> {
        assignments::activations_through_group(self.sqlite(), user_id, group_id)
    }
}
