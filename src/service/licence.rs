//! The tenant's licence (labs only): switching to Free turns PIM off as a licence expiry does
//! in Entra, removing eligible assignments; switching back to P2 turns it on again.

use super::{ServiceError, ServiceResult, SessionToken};
use crate::audit::activity;
use crate::policy::model::{Licence, Tenant, TenantKind};

/// What a licence change did.
#[derive(Debug, Clone)]
pub struct LicenceChange {
    /// The tenant, with its new licence.
    pub tenant: Tenant,
    /// Eligible assignments removed (switching to Free).
    pub removed_eligible: usize,
    /// Activations ended with them.
    pub ended_activations: usize,
}

impl super::Service {
    /// Sets the tenant's licence (lab tenants only; administrators only). With the Free licence
    /// PIM is off: no eligible or time-bound assignments, no activation.
    /// Switching to Free removes the eligible assignments: unless `confirmed`, a switch that
    /// would remove any is refused as a usage error saying how many, and changes nothing.
    pub fn set_licence(
        &mut self,
        token: &SessionToken,
        licence: Licence,
        confirmed: bool,
    ) -> ServiceResult<LicenceChange> {
        self.write(|ctx| {
            let (actor, attempt) = ctx.attempt(token, activity::Activity::LicenceChanged)?;
            let attempt = attempt
                .detail("before", ctx.tenant.licence.as_str())
                .detail("after", licence.as_str());
            if ctx.tenant.kind != TenantKind::Lab {
                return Err(ctx.refuse(
                    attempt,
                    crate::policy::Refusal::new(
                        crate::policy::Rule::LabOnly,
                        "the licence can only be changed on a training lab tenant",
                    ),
                ));
            }
            ctx.require_admin(&actor.id, &attempt, "changing the licence")?;
            // As when a P2 licence expires in Entra: eligible assignments go, permanent
            // assignments stay.
            let to_free = licence == Licence::Free && ctx.tenant.licence != Licence::Free;
            if to_free && !confirmed {
                let n = super::assign::current_eligible(ctx)?.len();
                if n > 0 {
                    return Err(ServiceError::Invalid(format!(
                        "switching to Free removes all {n} eligible assignment(s) and the activations made from them, as a licence expiry does in Entra (permanent assignments stay; switching back to P2 does not restore them); confirm with --yes"
                    )));
                }
            }
            let (removed_eligible, ended_activations) =
                if to_free {
                    super::assign::remove_all_eligible(
                        ctx,
                        &actor,
                        "the tenant's licence changed to Free (as a licence expiry does)",
                    )?
                } else {
                    (0, 0)
                };
            ctx.db.set_licence(licence)?;
            ctx.audit(
                attempt
                    .detail("removed_eligible", removed_eligible)
                    .detail("ended_activations", ended_activations),
            )?;
            Ok(LicenceChange {
                tenant: Tenant {
                    licence,
                    ..ctx.tenant.clone()
                },
                removed_eligible,
                ended_activations,
            })
        })
    }
}
