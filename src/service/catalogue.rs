//! The built-in role catalogue (Entra's roles with their template ids, from `assets/`), and
//! the slugs every command takes for a role.

use serde::Deserialize;

use super::{ServiceError, ServiceResult};
use crate::policy::model::Role;

/// The built-in role catalogue (Microsoft's permissions reference).
const CATALOGUE: &str = include_str!("../../assets/roles.json");

#[derive(Deserialize)]
struct Catalogue {
    roles: Vec<CatalogueRole>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CatalogueRole {
    display_name: String,
    template_id: String,
    privileged: bool,
    description: String,
}

/// "Security Reader" → "security-reader".
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// The built-in roles.
pub fn catalogue() -> ServiceResult<Vec<Role>> {
    let parsed: Catalogue = serde_json::from_str(CATALOGUE).map_err(|e| {
        ServiceError::Conflict(format!("the built-in role catalogue is unreadable: {e}"))
    })?;
    Ok(parsed
        .roles
        .into_iter()
        .map(|r| Role {
            slug: slug(&r.display_name),
            id: r.template_id,
            display_name: r.display_name,
            description: r.description,
            privileged: r.privileged,
            group: None,
        })
        .collect())
}
