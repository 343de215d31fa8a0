//! Roles, their settings, and users' saved activation bundles.

use super::Sqlite;
use crate::clock::Time;
use crate::policy::model::*;
use crate::policy::settings::RoleSettings;
use crate::store::StoreResult;
use crate::store::bundles::{self, Bundle};
use crate::store::roles;
use crate::store::settings::{self, StoredSettings};

/// Roles, their settings, and users' saved activation bundles.
pub trait Catalogue {
    /// Adds a role.
    fn insert_role(&self, role: &Role) -> StoreResult<()>;
    /// Every directory role, by name (not the groups' member and owner entries).
    fn roles(&self) -> StoreResult<Vec<Role>>;
    /// A role by template id.
    fn role(&self, id: &str) -> StoreResult<Option<Role>>;
    /// A role named by display name (any case), template id or slug. A group's member or owner
    /// entry answers to its id only: by name, groups are named through `pim groups`.
    fn resolve_role(&self, name: &str) -> StoreResult<Option<Role>>;
    /// A group's member or owner entry.
    fn role_of_group(&self, group_id: &str, access: Access) -> StoreResult<Option<Role>>;
    /// Loads a role's settings.
    fn load_settings(&self, role_id: &str) -> StoreResult<StoredSettings>;
    /// Writes a role's settings (all fields, approvers and the nine notification rows).
    fn save_settings(
        &self,
        role_id: &str,
        s: &RoleSettings,
        updated_by: Option<&str>,
        at: Option<Time>,
    ) -> StoreResult<()>;
    /// Saves (or replaces) a bundle of `user_id`'s.
    fn save_bundle(&self, user_id: &str, b: &Bundle) -> StoreResult<()>;
    /// One bundle of `user_id`'s by name (case-insensitive).
    fn bundle(&self, user_id: &str, name: &str) -> StoreResult<Option<Bundle>>;
    /// Every bundle of `user_id`'s, by name.
    fn bundles(&self, user_id: &str) -> StoreResult<Vec<Bundle>>;
    /// How many bundles `user_id` has.
    fn bundle_count(&self, user_id: &str) -> StoreResult<i64>;
    /// Deletes a bundle; whether there was one.
    fn delete_bundle(&self, user_id: &str, name: &str) -> StoreResult<bool>;
}

impl<T: Sqlite + ?Sized> Catalogue for T {
    fn insert_role(&self, role: &Role) -> StoreResult<()> {
        roles::insert(self.sqlite(), role)
    }
    fn roles(&self) -> StoreResult<Vec<Role>> {
        roles::all(self.sqlite())
    }
    fn role(&self, id: &str) -> StoreResult<Option<Role>> {
        roles::get(self.sqlite(), id)
    }
    fn resolve_role(&self, name: &str) -> StoreResult<Option<Role>> {
        roles::resolve(self.sqlite(), name)
    }
    fn role_of_group(&self, group_id: &str, access: Access) -> StoreResult<Option<Role>> {
        roles::of_group(self.sqlite(), group_id, access)
    }
    fn load_settings(&self, role_id: &str) -> StoreResult<StoredSettings> {
        settings::load(self.sqlite(), role_id)
    }
    fn save_settings(
        &self,
        role_id: &str,
        s: &RoleSettings,
        updated_by: Option<&str>,
        at: Option<Time>,
    ) -> StoreResult<()> {
        settings::save(self.sqlite(), role_id, s, updated_by, at)
    }
    fn save_bundle(&self, user_id: &str, b: &Bundle) -> StoreResult<()> {
        bundles::save(self.sqlite(), user_id, b)
    }
    fn bundle(&self, user_id: &str, name: &str) -> StoreResult<Option<Bundle>> {
        bundles::get(self.sqlite(), user_id, name)
    }
    fn bundles(&self, user_id: &str) -> StoreResult<Vec<Bundle>> {
        bundles::list(self.sqlite(), user_id)
    }
    fn bundle_count(&self, user_id: &str) -> StoreResult<i64> {
        bundles::count(self.sqlite(), user_id)
    }
    fn delete_bundle(&self, user_id: &str, name: &str) -> StoreResult<bool> {
        bundles::delete(self.sqlite(), user_id, name)
    }
}
