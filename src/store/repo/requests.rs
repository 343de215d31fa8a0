//! Requests: activations, assignments and their approvals.

use super::Sqlite;
use crate::clock::Time;
use crate::policy::request::{Request, RequestAction, RequestStatus};
use crate::store::StoreResult;
use crate::store::requests::{self, Scope};

/// Requests: activations, assignments and their approvals.
pub trait Requests {
    /// Records a request.
    fn insert_request(&self, q: &Request) -> StoreResult<()>;
    /// A request by id.
    fn request(&self, id: &str) -> StoreResult<Option<Request>>;
    /// The ids starting with `prefix` (at most `limit`), for short ids typed by people.
    fn request_ids_with_prefix(&self, prefix: &str, limit: i64) -> StoreResult<Vec<String>>;
    /// Settles a pending request. Returns false when it was no longer pending (another terminal
    /// decided first).
    fn settle_request(
        &self,
        id: &str,
        status: RequestStatus,
        at: Time,
        decided_by: Option<&str>,
        reason: Option<&str>,
    ) -> StoreResult<bool>;
    /// Sets a request's status (scheduled activations cancelled before their start).
    fn set_request_status(&self, id: &str, status: RequestStatus, at: Time) -> StoreResult<()>;
    /// Pending requests whose 24 hours have run out.
    fn expired_pending(&self, now: Time) -> StoreResult<Vec<Request>>;
    /// Whether any pending request has passed its expiry (the sweep has work).
    fn any_expired_pending(&self, now: Time) -> StoreResult<bool>;
    /// The justifications a principal gave on its own requests, newest first (up to `limit`
    /// requests looked at).
    fn recent_justifications(&self, principal_id: &str, limit: i64) -> StoreResult<Vec<String>>;
    /// The pending request of a principal for a role and action family, if any.
    fn pending_for(
        &self,
        principal_id: &str,
        role_id: &str,
        actions: &[RequestAction],
    ) -> StoreResult<Option<Request>>;
    /// Requests, newest first.
    fn list_requests(&self, scope: Scope<'_>, limit: i64) -> StoreResult<Vec<Request>>;
    /// Links a request to the assignment it created.
    fn set_request_target(&self, id: &str, assignment_id: &str) -> StoreResult<()>;
}

impl<T: Sqlite + ?Sized> Requests for T {
    fn insert_request(&self, q: &Request) -> StoreResult<()> {
        requests::insert(self.sqlite(), q)
    }
    fn request(&self, id: &str) -> StoreResult<Option<Request>> {
        requests::get(self.sqlite(), id)
    }
    fn request_ids_with_prefix(&self, prefix: &str, limit: i64) -> StoreResult<Vec<String>> {
        requests::ids_with_prefix(self.sqlite(), prefix, limit)
    }
    fn settle_request(
        &self,
        id: &str,
        status: RequestStatus,
        at: Time,
        decided_by: Option<&str>,
        reason: Option<&str>,
    ) -> StoreResult<bool> {
        requests::settle(self.sqlite(), id, status, at, decided_by, reason)
    }
    fn set_request_status(&self, id: &str, status: RequestStatus, at: Time) -> StoreResult<()> {
        requests::set_status(self.sqlite(), id, status, at)
    }
    fn expired_pending(&self, now: Time) -> StoreResult<Vec<Request>> {
        requests::expired_pending(self.sqlite(), now)
    }
    fn any_expired_pending(&self, now: Time) -> StoreResult<bool> {
        requests::any_expired_pending(self.sqlite(), now)
    }
    fn recent_justifications(&self, principal_id: &str, limit: i64) -> StoreResult<Vec<String>> {
        requests::recent_justifications(self.sqlite(), principal_id, limit)
    }
    fn pending_for(
        &self,
        principal_id: &str,
        role_id: &str,
        actions: &[RequestAction],
    ) -> StoreResult<Option<Request>> {
        requests::pending_for(self.sqlite(), principal_id, role_id, actions)
    }
    fn list_requests(&self, scope: Scope<'_>, limit: i64) -> StoreResult<Vec<Request>> {
        requests::list(self.sqlite(), scope, limit)
    }
    fn set_request_target(&self, id: &str, assignment_id: &str) -> StoreResult<()> {
        requests::set_target(self.sqlite(), id, assignment_id)
    }
}
