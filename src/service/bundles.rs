//! Saved role bundles: an account's named sets of roles activated together with one code
//! (`pim bundle save|list|delete`, `pim activate --bundle`), and the reasons it gave before,
//! offered again when it activates.

use chrono::TimeDelta;
use serde::Serialize;

use super::{ServiceError, ServiceResult, SessionToken};
use crate::policy::model::{AssignmentKind, Role};
use crate::policy::text::{MAX_JUSTIFICATION_CHARS, check_free_text};
use crate::store;
use crate::store::bundles::Bundle;

/// Most bundles one account keeps.
pub const MAX_BUNDLES: i64 = 100;
/// Most roles in one bundle.
pub const MAX_BUNDLE_ROLES: usize = 50;
/// Longest bundle name.
pub const MAX_BUNDLE_NAME: usize = 64;
/// How many earlier reasons are offered.
const RECENT_REASONS: usize = 10;

/// A bundle with its roles resolved.
#[derive(Debug, Clone, Serialize)]
pub struct BundleView {
    /// Its name.
    pub name: String,
    /// Its roles, in order.
    #[serde(skip)]
    pub roles: Vec<Role>,
    /// Default duration.
    #[serde(skip)]
    pub duration: Option<TimeDelta>,
    /// Default reason.
    pub justification: Option<String>,
    /// Roles of the bundle the account is not eligible for now.
    #[serde(skip)]
    pub not_eligible: Vec<String>,
}

/// A bundle name: letters, digits, `.`, `_` and `-`, so that it is one word in a shell.
pub fn check_name(name: &str) -> ServiceResult<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_BUNDLE_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !name.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(ServiceError::Invalid(format!(
            "a bundle name is 1 to {MAX_BUNDLE_NAME} letters, digits, '.', '_' or '-' (not starting with '-'), such as 'incident' or 'exchange-ops'"
        )))
    }
}

fn view(ctx: &super::Ctx<'_>, user_id: &str, b: Bundle) -> ServiceResult<BundleView> {
    let eligible: Vec<String> =
        ctx.db
            .current_role_ids(user_id, AssignmentKind::Eligible, ctx.now)?;
    let mut roles = Vec::with_capacity(b.role_ids.len());
    for id in &b.role_ids {
        roles.push(ctx.db.resolve_role(id)?.ok_or_else(|| {
            store::StoreError::Corrupt(format!("bundle '{}' names an unknown role", b.name))
        })?);
    }
    let not_eligible = roles
        .iter()
        .filter(|r| !eligible.contains(&r.id))
        .map(|r| r.display_name.clone())
        .collect();
    Ok(BundleView {
        name: b.name,
        roles,
        duration: b.duration,
        justification: b.justification,
        not_eligible,
    })
}

impl super::Service {
    /// Saves (or replaces) a bundle of the signed-in account's: roles by name, slug or
    /// template id, each once; an optional default duration and reason.
    pub fn save_bundle(
        &mut self,
        token: &SessionToken,
        name: &str,
        roles: &[String],
        duration: Option<TimeDelta>,
        justification: Option<&str>,
    ) -> ServiceResult<BundleView> {
        check_name(name)?;
        if roles.is_empty() || roles.len() > MAX_BUNDLE_ROLES {
            return Err(ServiceError::Invalid(format!(
                "a bundle holds 1 to {MAX_BUNDLE_ROLES} roles"
            )));
        }
        if duration.is_some_and(|d| d <= TimeDelta::zero()) {
            return Err(ServiceError::Invalid(
                "a bundle's duration is a length of time, such as 2h".into(),
            ));
        }
        let justification = justification
            .map(|t| check_free_text("reason", t, MAX_JUSTIFICATION_CHARS))
            .transpose()
            .map_err(|e| ServiceError::Invalid(e.to_string()))?
            .flatten();
        self.write(|ctx| {
            let me = ctx.actor(token)?.principal;
            let mut ids: Vec<String> = Vec::with_capacity(roles.len());
            let mut too_long = crate::policy::refusal::Violations::default();
            for r in roles {
                let role = ctx.role(r)?;
                if ids.contains(&role.id) {
                    return Err(ServiceError::Invalid(format!(
                        "{} is named twice; name each role once",
                        role.display_name
                    )));
                }
                // The same rule activation applies, told now rather than at every use.
                let max = ctx.settings(&role.id)?.max_activation;
                if let Some(d) = duration.filter(|d| *d > max) {
                    use crate::policy::duration::format_duration;
                    too_long.push(
                        crate::policy::Rule::ExpirationRule,
                        format!(
                            "{} exceeds the {} maximum activation for {}; give {} or less (--for {})",
                            format_duration(d),
                            format_duration(max),
                            role.display_name,
                            format_duration(max),
                            format_duration(max).replace(' ', "")
                        ),
                    );
                }
                ids.push(role.id);
            }
            too_long.finish().map_err(ServiceError::Refused)?;
            let replacing = ctx.db.bundle(&me.id, name)?.is_some();
            if !replacing && ctx.db.bundle_count(&me.id)? >= MAX_BUNDLES {
                return Err(ServiceError::Invalid(format!(
                    "you have {MAX_BUNDLES} bundles, the most one account keeps; delete one with `pim bundle delete NAME`"
                )));
            }
            let bundle = Bundle {
                name: name.to_owned(),
                role_ids: ids,
                duration,
                justification: justification.clone(),
                saved_at: ctx.now,
            };
            ctx.db.save_bundle(&me.id, &bundle)?;
            view(ctx, &me.id, bundle)
        })
    }

    /// The signed-in account's bundles.
    pub fn bundles(&mut self, token: &SessionToken) -> ServiceResult<Vec<BundleView>> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            ctx.db
                .bundles(&me.id)?
                .into_iter()
                .map(|b| view(ctx, &me.id, b))
                .collect()
        })
    }

    /// One of the signed-in account's bundles.
    pub fn bundle(&mut self, token: &SessionToken, name: &str) -> ServiceResult<BundleView> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let b = ctx.db.bundle(&me.id, name)?.ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "you have no bundle named '{}'; `pim bundle list` lists yours",
                    crate::policy::text::sanitize(name)
                ))
            })?;
            view(ctx, &me.id, b)
        })
    }

    /// Deletes one of the signed-in account's bundles.
    pub fn delete_bundle(&mut self, token: &SessionToken, name: &str) -> ServiceResult<()> {
        self.write(|ctx| {
            let me = ctx.actor(token)?.principal;
            if ctx.db.delete_bundle(&me.id, name)? {
                Ok(())
            } else {
                Err(ServiceError::NotFound(format!(
                    "you have no bundle named '{}'; `pim bundle list` lists yours",
                    crate::policy::text::sanitize(name)
                )))
            }
        })
    }

    /// Reasons the signed-in account gave before, newest first, each once: its bundles'
    /// reasons and its own recent requests' justifications.
    pub fn recent_reasons(&mut self, token: &SessionToken) -> ServiceResult<Vec<String>> {
        self.read(|ctx| {
            let me = ctx.actor(token)?.principal;
            let mut out: Vec<String> = Vec::new();
            let earlier = ctx.db.recent_justifications(&me.id, 50)?;
            let saved = ctx
                .db
                .bundles(&me.id)?
                .into_iter()
                .filter_map(|b| b.justification);
            for reason in earlier.into_iter().chain(saved) {
                if out.len() >= RECENT_REASONS {
                    break;
                }
                if !reason.trim().is_empty() && !out.contains(&reason) {
                    out.push(reason);
                }
            }
            Ok(out)
        })
    }
}
