//! The store's seam: what the service needs from a database, as repository traits
//! (tenant, directory, catalogue, assignments, requests, reviews, mail, audit log, alerts),
//! and the transaction they run in as a value ([`Tx`]). The service sees only these; the table
//! modules beside this one implement them once, for SQLite and PostgreSQL alike (through
//! [`super::sql::Conn`]), and no `rusqlite` or `postgres` type crosses the seam.
//! Method names are unique across the traits, so `db.assignment(id)` reads the same through
//! `&dyn Repos` whichever trait it comes from.

use rusqlite::{Connection, Transaction};

use super::StoreResult;
use super::sql::Conn;

mod alerts;
mod assignments;
mod audit_log;
mod catalogue;
mod directory;
mod mail;
mod requests;
mod reviews;
mod tenancy;

pub use self::{
    alerts::Alerts, assignments::Assignments, audit_log::AuditLog, catalogue::Catalogue,
    directory::Directory, mail::Mail, requests::Requests, reviews::Reviews, tenancy::Tenancy,
};

/// Every repository at once: what a use case holds for the length of its transaction.
pub trait Repos:
    Tenancy + Directory + Catalogue + Assignments + Requests + Reviews + Mail + AuditLog + Alerts
{
}

impl<T> Repos for T where
    T: Tenancy
        + Directory
        + Catalogue
        + Assignments
        + Requests
        + Reviews
        + Mail
        + AuditLog
        + Alerts
        + ?Sized
{
}

/// An open transaction, as a value: its repositories through [`Repos`], then [`Tx::commit`].
/// Dropped without committing, it rolls back.
pub struct Tx<'c> {
    inner: Transaction<'c>,
    /// Told when a write transaction commits.
    committed: Option<&'c std::cell::Cell<bool>>,
}

impl<'c> Tx<'c> {
    pub(super) fn new(
        inner: Transaction<'c>,
        committed: Option<&'c std::cell::Cell<bool>>,
    ) -> Self {
        Self { inner, committed }
    }

    /// Makes the transaction's changes durable.
    pub fn commit(self) -> StoreResult<()> {
        self.inner.commit()?;
        if let Some(flag) = self.committed {
            flag.set(true);
        }
        Ok(())
    }
}

/// What the repositories run their statements on: an open transaction, or a connection for
/// reads outside one, on either backend.
pub(super) trait Sqlite {
    fn sqlite(&self) -> Conn<'_>;
}

impl Sqlite for Tx<'_> {
    fn sqlite(&self) -> Conn<'_> {
        Conn::Sqlite(&self.inner)
    }
}

impl Sqlite for super::Store {
    fn sqlite(&self) -> Conn<'_> {
        Conn::Sqlite(&self.conn)
    }
}

impl Sqlite for Connection {
    fn sqlite(&self) -> Conn<'_> {
        Conn::Sqlite(self)
    }
}

impl Sqlite for Conn<'_> {
    fn sqlite(&self) -> Conn<'_> {
        *self
    }
}

/// The repository traits, to call their methods on a `&dyn Repos` or a [`Tx`].
pub mod prelude {
    pub use super::super::{Database as _, Transaction as _};
    pub use super::{
        Alerts as _, Assignments as _, AuditLog as _, Catalogue as _, Directory as _, Mail as _,
        Repos, Requests as _, Reviews as _, Tenancy as _,
    };
}
