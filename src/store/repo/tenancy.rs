//! The tenant and the database itself: its identity, the lab clock, the newest real time seen.

use super::Sqlite;
use crate::clock::Time;
use crate::policy::model::*;
use crate::store::StoreResult;
use crate::store::meta;
use crate::store::tenant;

/// The tenant and the database itself: its identity, the lab clock, the newest real time seen.
pub trait Tenancy {
    /// The tenant, if one has been created.
    fn tenant(&self) -> StoreResult<Option<Tenant>>;
    /// Creates the tenant row.
    fn insert_tenant(&self, t: &Tenant) -> StoreResult<()>;
    /// The lab clock's offset as stored, in seconds (a damaged value reads as zero in [`get`]).
    fn stored_clock_offset(&self) -> StoreResult<Option<i64>>;
    /// Moves the lab clock.
    fn set_clock_offset(&self, offset_secs: i64) -> StoreResult<()>;
    /// Changes the licence.
    fn set_licence(&self, licence: Licence) -> StoreResult<()>;
    /// Empties every table but the audit log (append-only, it records the reset and goes on) and
    /// the file's own facts, for `pim lab --reset`.
    fn wipe_tenant(&self) -> StoreResult<()>;
    /// The database's identity, made when it was created (or upgraded to schema version 3).
    fn database_id(&self) -> StoreResult<String>;
    /// Gives the database an identity (a restored older backup takes the identity of the
    /// database it replaces).
    fn set_database_id(&self, id: &str) -> StoreResult<()>;
    /// The newest real time any command recorded, if any.
    fn real_time_mark(&self) -> StoreResult<Option<Time>>;
    /// Raises the real-time mark to `real` (never lowers it).
    fn raise_real_time_mark(&self, real: Time) -> StoreResult<()>;
    /// Puts the real-time mark at `real` (the database owner accepting a clock that went back).
    fn set_real_time_mark(&self, real: Time) -> StoreResult<()>;
}

impl<T: Sqlite + ?Sized> Tenancy for T {
    fn tenant(&self) -> StoreResult<Option<Tenant>> {
        tenant::get(self.sqlite())
    }
    fn insert_tenant(&self, t: &Tenant) -> StoreResult<()> {
        tenant::insert(self.sqlite(), t)
    }
    fn stored_clock_offset(&self) -> StoreResult<Option<i64>> {
        tenant::stored_clock_offset(self.sqlite())
    }
    fn set_clock_offset(&self, offset_secs: i64) -> StoreResult<()> {
        tenant::set_clock_offset(self.sqlite(), offset_secs)
    }
    fn set_licence(&self, licence: Licence) -> StoreResult<()> {
        tenant::set_licence(self.sqlite(), licence)
    }
    fn wipe_tenant(&self) -> StoreResult<()> {
        tenant::wipe(self.sqlite())
    }
    fn database_id(&self) -> StoreResult<String> {
        meta::database_id(self.sqlite())
    }
    fn set_database_id(&self, id: &str) -> StoreResult<()> {
        meta::set_database_id(self.sqlite(), id)
    }
    fn real_time_mark(&self) -> StoreResult<Option<Time>> {
        meta::real_time_mark(self.sqlite())
    }
    fn raise_real_time_mark(&self, real: Time) -> StoreResult<()> {
        meta::raise_real_time_mark(self.sqlite(), real)
    }
    fn set_real_time_mark(&self, real: Time) -> StoreResult<()> {
        meta::set_real_time_mark(self.sqlite(), real)
    }
}
