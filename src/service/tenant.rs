//! Creating a tenant: the training lab (`pim lab`) and an empty tenant with its first Global
//! Administrator (`pim init`). Both load the built-in role catalogue with Entra's default
//! settings and audit what they create.

use chrono::TimeDelta;

use serde::Serialize;

use super::catalogue::catalogue;
use super::{AuthFailure, Ctx, Guard, ServiceError, ServiceResult, SessionToken, new_id};
use crate::audit::{AuditEntry, activity};
use crate::auth::password::check_password_policy;
use crate::auth::session::generate_password;
use crate::auth::totp::generate_secret;
use crate::clock::Time;
use crate::policy::model::{
    Assignment, AssignmentKind, GLOBAL_ADMINISTRATOR, Licence, Origin, Principal, Tenant,
    TenantKind,
};
use crate::policy::request::{Request, RequestAction, RequestStatus};
use crate::policy::settings::RoleSettings;
use crate::policy::text::{check_display_name, check_domain, check_upn};
use crate::store::repo::prelude::*;
use crate::store::users::UserRecord;

/// The lab's domain.
pub const LAB_DOMAIN: &str = "pimlab.onmicrosoft.com";

/// An account made at tenant creation, with its secrets (shown once, never stored in clear).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatedAccount {
    /// User principal name.
    pub upn: String,
    /// Display name.
    pub display_name: String,
    /// The password.
    pub password: String,
    /// Base32 TOTP secret (SHA1, 6 digits, 30 s).
    pub totp_secret: String,
    /// The secret as an authenticator app's `otpauth://` URI (what the QR code holds).
    pub otpauth_uri: String,
    /// Roles assigned at creation.
    #[serde(skip)]
    pub roles: Vec<String>,
}

/// The result of `pim lab`.
#[derive(Debug, Clone)]
pub struct LabCreated {
    /// The tenant.
    pub tenant: Tenant,
    /// admin@, pimuser@, approver@.
    pub accounts: Vec<CreatedAccount>,
    /// A previous lab was replaced.
    pub reset: bool,
}

/// The result of `pim init`.
#[derive(Debug, Clone)]
pub struct TenantCreated {
    /// The tenant.
    pub tenant: Tenant,
    /// Its first Global Administrator.
    pub admin: CreatedAccount,
}

/// One account's current code in the lab's built-in authenticator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatorCode {
    /// The account.
    pub principal: Principal,
    /// The code now (real time), `None` before an authenticator exists.
    pub code: Option<String>,
    /// Seconds until the code changes.
    pub seconds_left: u64,
}

/// An account to create, hashed before the transaction so the write lock is held briefly.
struct Seed {
    account: CreatedAccount,
    record: UserRecord,
    global_admin: bool,
}

/// Namespace of the ids a training lab is made with.
const LAB_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f1c_4a52_0e1a_4c7e_9a3e_5b2f_2c1d_9e10);

/// The id of a lab's tenant or account: the same in every lab (`kind` and the name make it),
/// so that what one lab exports (policies naming their tenant and approvers by id) imports
/// into another lab byte for byte, as a class needs. Other tenants' ids are random.
fn lab_id(kind: &str, name: &str) -> String {
    uuid::Uuid::new_v5(&LAB_NAMESPACE, format!("{kind}:{name}").as_bytes()).to_string()
}

impl super::Service {
    fn seed(
        &self,
        upn: &str,
        display_name: &str,
        password: String,
        global_admin: bool,
        now: Time,
    ) -> ServiceResult<Seed> {
        self.seed_with_id(new_id(), upn, display_name, password, global_admin, now)
    }

    fn seed_with_id(
        &self,
        id: String,
        upn: &str,
        display_name: &str,
        password: String,
        global_admin: bool,
        now: Time,
    ) -> ServiceResult<Seed> {
        let secret = generate_secret()
            .map_err(|e| ServiceError::Conflict(format!("no randomness available: {e}")))?;
        let hash = self
            .passwords
            .hash(&password)
            .map_err(|e| ServiceError::Conflict(format!("password hashing failed: {e}")))?;
        Ok(Seed {
            record: UserRecord::new_account(
                Principal {
                    id: id.clone(),
                    upn: upn.to_owned(),
                    display_name: display_name.to_owned(),
                },
                hash,
                self.sealer.seal(&secret, &id)?,
                Some(now),
                now,
            ),
            account: CreatedAccount {
                upn: upn.to_owned(),
                display_name: display_name.to_owned(),
                password,
                otpauth_uri: crate::auth::totp::otpauth_uri(&secret, upn).unwrap_or_default(),
                totp_secret: secret,
                roles: if global_admin {
                    vec!["Global Administrator".into()]
                } else {
                    Vec::new()
                },
            },
            global_admin,
        })
    }

    /// Creates the training lab (`pim lab`): tenant `pimlab.onmicrosoft.com`, admin@ as
    /// permanent active Global Administrator, pimuser@ and approver@ with no roles, random
    /// passwords and TOTP secrets. Refuses to touch a database holding any other tenant.
    /// An existing lab is rebuilt only with `reset`, by a signed-in Global or Privileged Role
    /// Administrator of it (`token`): everything but the audit log is replaced, and the log
    /// records who rebuilt it.
    pub fn create_lab(
        &mut self,
        reset: bool,
        token: Option<&SessionToken>,
    ) -> ServiceResult<LabCreated> {
        // A lab is made to be used, and often copied: it ends whole in its file.
        self.store.fold_on_close();
        let now = self.clock.now();
        let password = || {
            generate_password()
                .map_err(|e| ServiceError::Conflict(format!("no randomness available: {e}")))
        };
        let mut seeds = Vec::new();
        for (local, name, admin) in [
            ("admin", "Lab Admin", true),
            ("pimuser", "Pim User", false),
            ("approver", "Lab Approver", false),
        ] {
            let upn = format!("{local}@{LAB_DOMAIN}");
            let id = lab_id("user", &upn);
            seeds.push(self.seed_with_id(id, &upn, name, password()?, admin, now)?);
        }
        let tenant = Tenant {
            id: lab_id("tenant", LAB_DOMAIN),
            domain: LAB_DOMAIN.into(),
            display_name: "PIM Lab".into(),
            kind: TenantKind::Lab,
            licence: Licence::P2,
            clock_offset: TimeDelta::zero(),
            created_at: now,
        };
        let replaced = self.transact(Guard::Anchored, |tx, real, sealer| {
            let replaced = match tx.tenant()? {
                None => false,
                Some(existing) if existing.kind != TenantKind::Lab => {
                    return Err(ServiceError::Conflict(format!(
                        "this database holds the tenant {} ({}), not a training lab; `pim lab` never touches it. Give another database with --db",
                        existing.domain, existing.display_name
                    )));
                }
                Some(_) if !reset => {
                    return Err(ServiceError::Conflict(
                        "a training lab already exists in this database; `pim lab --reset` rebuilds it (everything in it but the audit log is lost; a Global or Privileged Role Administrator of the lab must be signed in)".into(),
                    ));
                }
                Some(_) => {
                    let token = token.ok_or(ServiceError::Auth(AuthFailure::NotSignedIn))?;
                    let ctx = Ctx::new(tx, real, sealer)?;
                    let (actor, attempt) = ctx.attempt(token, activity::Activity::LabReset)?;
                    let attempt = attempt
                        .detail("previous_tenant", &ctx.tenant.id)
                        .detail("lab_time", ctx.now);
                    ctx.require_admin(&actor.id, &attempt, "rebuilding the lab (`pim lab --reset`)")?;
                    ctx.audit(attempt)?;
                    tx.wipe_tenant()?;
                    true
                }
            };
            populate(tx, &tenant, &seeds, now)?;
            Ok(replaced)
        })?;
        Ok(LabCreated {
            tenant,
            accounts: seeds.into_iter().map(|s| s.account).collect(),
            reset: replaced,
        })
    }

    /// The tenant, for titles and the first-run check.
    pub fn tenant(&mut self) -> ServiceResult<Tenant> {
        self.read(|ctx| Ok(ctx.tenant.clone()))
    }

    /// The lab's accounts, listed on the sign-in screen so a class knows whom to sign in as.
    /// Empty on standard tenants, where account names are not shown before sign-in.
    pub fn lab_accounts(&mut self) -> ServiceResult<Vec<Principal>> {
        self.read(|ctx| {
            if ctx.tenant.kind != TenantKind::Lab {
                return Ok(Vec::new());
            }
            Ok(ctx
                .db
                .list_users(None, 50, 0)?
                .into_iter()
                .map(|u| u.principal)
                .collect())
        })
    }

    /// The lab's built-in authenticator: every lab account's current code, like a phone, so a
    /// lab needs none. Refused on standard tenants.
    pub fn authenticator(&mut self) -> ServiceResult<Vec<AuthenticatorCode>> {
        self.read(|ctx| {
            if ctx.tenant.kind != TenantKind::Lab {
                return Err(ServiceError::Refused(crate::policy::Refusal::new(
                    crate::policy::Rule::LabOnly,
                    "the built-in authenticator exists only on training lab tenants; use an authenticator app",
                )));
            }
            let real = ctx.real.timestamp();
            Ok(ctx.db.list_users(None, 50, 0)?
                .into_iter()
                .map(|u| AuthenticatorCode {
                    code: u
                        .totp_sealed
                        .as_deref()
                        .and_then(|s| ctx.sealer.open(s, &u.principal.id).ok())
                        .and_then(|s| crate::auth::totp::code_at(&s, real)),
                    principal: u.principal,
                    seconds_left: crate::auth::totp::seconds_left(real),
                })
                .collect())
        })
    }

    /// A lab account's authenticator enrolment (secret, `otpauth://` URI, QR code), so a
    /// student can add it to a real phone (lab tenants only, like the lab authenticator).
    pub fn lab_enrolment(&mut self, upn: &str) -> ServiceResult<super::Enrolment> {
        self.read(|ctx| {
            if ctx.tenant.kind != TenantKind::Lab {
                return Err(ServiceError::Refused(crate::policy::Refusal::new(
                    crate::policy::Rule::LabOnly,
                    "lab accounts' QR codes exist only on training lab tenants; an account enrols at its first sign-in",
                )));
            }
            let user = ctx.user(upn)?;
            let secret = ctx.secret(&user)?.ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "{} has no authenticator yet; it gets one at its first sign-in",
                    user.principal.upn
                ))
            })?;
            Ok(super::Enrolment::for_secret(&secret, &user.principal.upn))
        })
    }

    /// Writes a permanent active assignment the way a tool outside PIM would (lab tenants,
    /// administrators): no request, no PIM audit entry of its own, so the "Roles are being
    /// assigned outside of PIM" alert sees it. The simulation itself is recorded, without
    /// naming the assignment as PIM's.
    pub fn simulate_outside_assignment(
        &mut self,
        token: &SessionToken,
        role: &str,
        upn: &str,
    ) -> ServiceResult<Assignment> {
        self.write(|ctx| {
            let actor = ctx.actor(token)?.principal;
            let role = ctx.role(role)?;
            let who = ctx.user(upn)?.principal;
            let attempt = AuditEntry::new(activity::Activity::OutsideAssignmentSimulated, ctx.now)
                .by(&actor)
                .role(&role)
                .target(&who);
            if ctx.tenant.kind != TenantKind::Lab {
                return Err(ctx.refuse(
                    attempt,
                    crate::policy::Refusal::new(
                        crate::policy::Rule::LabOnly,
                        "assignments outside PIM can be simulated only on a training lab tenant",
                    ),
                ));
            }
            ctx.require_admin(&actor.id, &attempt, "simulating an assignment outside PIM")?;
            let assignment = Assignment {
                id: new_id(),
                role_id: role.id.clone(),
                principal_id: who.id.clone(),
                kind: AssignmentKind::Active,
                origin: Origin::Assigned,
                activated_from: None,
                start: ctx.now,
                end: None,
                justification: None,
                ticket: None,
                created_at: ctx.now,
                created_by: None,
                ended_at: None,
                end_reason: None,
            };
            ctx.db.insert_assignment(&assignment, None)?;
            ctx.audit(attempt.detail("simulated_assignment", &assignment.id))?;
            Ok(assignment)
        })
    }

    /// Creates an empty tenant with its first Global Administrator (`pim init`).
    pub fn init_tenant(
        &mut self,
        domain: &str,
        display_name: &str,
        admin_upn: &str,
        admin_name: &str,
        admin_password: &str,
    ) -> ServiceResult<TenantCreated> {
        let domain = check_domain(domain).map_err(ServiceError::Invalid)?;
        let display_name = check_display_name(display_name).map_err(ServiceError::Invalid)?;
        let admin_upn = check_upn(admin_upn, &domain).map_err(ServiceError::Invalid)?;
        let admin_name = check_display_name(admin_name).map_err(ServiceError::Invalid)?;
        check_password_policy(admin_password).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        self.store.fold_on_close();
        let now = self.clock.now();
        let seed = self.seed(
            &admin_upn,
            &admin_name,
            admin_password.to_owned(),
            true,
            now,
        )?;
        let tenant = Tenant {
            id: new_id(),
            domain,
            display_name,
            kind: TenantKind::Standard,
            licence: Licence::P2,
            clock_offset: TimeDelta::zero(),
            created_at: now,
        };
        let seeds = [seed];
        self.transact(Guard::Anchored, |tx, _, _| {
            if let Some(existing) = tx.tenant()? {
                return Err(ServiceError::Conflict(format!(
                    "this database already holds the tenant {}; give another database with --db",
                    existing.domain
                )));
            }
            populate(tx, &tenant, &seeds, now)
        })?;
        let [seed] = seeds;
        Ok(TenantCreated {
            tenant,
            admin: seed.account,
        })
    }
}

/// Writes the tenant, the catalogue with default settings, the accounts and the Global
/// Administrator assignment, each audited.
fn populate(tx: &dyn Repos, tenant: &Tenant, seeds: &[Seed], now: Time) -> ServiceResult<()> {
    let audit = |e: AuditEntry| super::record(tx, e, now);
    tx.insert_tenant(tenant)?;
    audit(
        AuditEntry::new(activity::Activity::TenantCreated, now)
            .detail("domain", &tenant.domain)
            .detail("kind", tenant.kind),
    )?;
    let roles = catalogue()?;
    let defaults = RoleSettings::default();
    for role in &roles {
        tx.insert_role(role)?;
        tx.save_settings(&role.id, &defaults, None, None)?;
    }
    let ga = roles
        .iter()
        .find(|r| r.id == GLOBAL_ADMINISTRATOR)
        .ok_or_else(|| {
            ServiceError::Conflict("the role catalogue lacks Global Administrator".into())
        })?;
    let creator = seeds
        .iter()
        .find(|s| s.global_admin)
        .map(|s| &s.record.principal);
    for seed in seeds {
        tx.insert_user(&seed.record)?;
        let mut entry =
            AuditEntry::new(activity::Activity::UserAdded, now).target(&seed.record.principal);
        if let Some(c) = creator {
            entry = entry.by(c);
        }
        audit(entry)?;
    }
    for seed in seeds.iter().filter(|s| s.global_admin) {
        let p = &seed.record.principal;
        let request_id = new_id();
        let assignment = Assignment {
            id: new_id(),
            role_id: ga.id.clone(),
            principal_id: p.id.clone(),
            kind: AssignmentKind::Active,
            origin: Origin::Assigned,
            activated_from: None,
            start: now,
            end: None,
            justification: Some("Tenant creator".into()),
            ticket: None,
            created_at: now,
            created_by: None,
            ended_at: None,
            end_reason: None,
        };
        tx.insert_request(&Request {
            id: request_id.clone(),
            action: RequestAction::AdminAssign,
            status: RequestStatus::Provisioned,
            role_id: ga.id.clone(),
            principal_id: p.id.clone(),
            kind: AssignmentKind::Active,
            justification: assignment.justification.clone(),
            ticket: None,
            start: Some(now),
            end: None,
            created_at: now,
            created_by: None,
            completed_at: Some(now),
            target_assignment_id: Some(assignment.id.clone()),
            duration: None,
            source_assignment_id: None,
            decided_by: None,
            decision_reason: None,
            expires_at: None,
        })?;
        tx.insert_assignment(&assignment, Some(&request_id))?;
        audit(
            AuditEntry::new(
                activity::assignment_added(AssignmentKind::Active, true, true),
                now,
            )
            .role(ga)
            .target(p)
            .justification(assignment.justification.as_deref())
            .detail("assignment_id", &assignment.id)
            .detail("request_id", &request_id),
        )?;
    }
    Ok(())
}
