//! `pim lab seed`: a big tenant, reproducibly, in a lab. Synthetic users, assignments (eligible
//! and active, permanent and time-bound, ends spread over the coming months) and audit history,
//! written through the store like any change, so the audit chain and `pim audit verify` hold,
//! in batches that each move the anchor.

use chrono::TimeDelta;
use serde::Serialize;

use super::{ServiceError, ServiceResult, SessionToken};
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::policy::model::{Assignment, AssignmentKind, Origin, Principal, Role, TenantKind};
use crate::store::users::UserRecord;

/// How much to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSpec {
    /// Users.
    pub users: u64,
    /// Current assignments.
    pub assignments: u64,
    /// Audit entries in all (those of the assignments included).
    pub audit: u64,
    /// The random seed: the same spec and seed give the same tenant.
    pub seed: u64,
}

/// What was added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seeded {
    /// Users added.
    pub users: u64,
    /// Assignments added.
    pub assignments: u64,
    /// Audit entries added.
    pub audit: u64,
    /// The seeded accounts' shared password.
    pub password: String,
    /// The first seeded account, for trying it.
    pub first_upn: Option<String>,
}

/// Rows written per transaction: each is committed, anchored and reported.
const BATCH: u64 = 20_000;

/// A seeded account's UPN: `user` and six digits in the lab's domain.
fn is_seeded(upn: &str) -> bool {
    upn.strip_suffix(crate::service::LAB_DOMAIN)
        .and_then(|u| u.strip_suffix('@'))
        .and_then(|u| u.strip_prefix("user"))
        .is_some_and(|n| n.len() >= 6 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// SplitMix64: small, fast and the same everywhere, so a seed always makes the same tenant.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A seeded account's id: derived from the seed and its number, so reruns agree.
fn user_id(seed: u64, n: u64) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("pim-seed:{seed}:user:{n}").as_bytes(),
    )
    .to_string()
}

/// How often each role is drawn, as in a real tenant: a handful of Global and Privileged Role
/// Administrators (about ten of each in a hundred thousand assignments; every activation
/// e-mails the active ones), Security Reader (the role labs delegate most) twice as often as
/// the rest.
fn role_weights(roles: &[Role]) -> Vec<u64> {
    let mut total = 0;
    roles
        .iter()
        .map(|r| {
            total += match r.display_name.as_str() {
                _ if crate::policy::model::ADMIN_ROLES.contains(&r.id.as_str()) => 3,
                "Security Reader" => 2_000,
                _ => 1_000,
            };
            total
        })
        .collect()
}

/// A role drawn by [`role_weights`] (cumulative).
fn pick_role<'a>(roles: &'a [Role], cumulative: &[u64], rng: &mut Rng) -> &'a Role {
    let draw = rng.below(cumulative.last().copied().unwrap_or(1));
    let at = cumulative.partition_point(|&c| c <= draw);
    &roles[at.min(roles.len() - 1)]
}

const REASONS: [&str; 8] = [
    "Investigating sign-in anomalies",
    "Quarterly access review",
    "Rotating the mail flow certificate",
    "Reviewing audit logs for compliance",
    "On-call: production incident",
    "Onboarding a new department",
    "Conditional Access policy change",
    "Helpdesk escalation from the service desk",
];

/// Why a tenant that is not a lab is not seeded.
fn not_a_lab(tenant: &crate::policy::model::Tenant) -> ServiceError {
    ServiceError::Conflict(format!(
        "this database holds the tenant {} ({}), not a training lab; `pim lab seed` only adds to labs",
        tenant.domain, tenant.display_name
    ))
}

impl super::Service {
    /// Refuses a database that is not a lab before anyone is asked to sign in (seeding
    /// checks it again in its transaction).
    pub fn check_seedable(&mut self) -> ServiceResult<()> {
        let tenant = self.tenant()?;
        if tenant.kind == TenantKind::Lab {
            Ok(())
        } else {
            Err(not_a_lab(&tenant))
        }
    }

    /// Adds `spec` to a lab (signed-in Global or Privileged Role Administrators only), reporting
    /// (done, total) rows as it goes.
    pub fn seed_lab(
        &mut self,
        token: &SessionToken,
        spec: SeedSpec,
        progress: &mut dyn FnMut(u64, u64),
    ) -> ServiceResult<Seeded> {
        let password = format!("Seed-{:04x}-Lab-Pass", spec.seed % 0xFFFF);
        let hash = self
            .passwords
            .hash(&password)
            .map_err(|e| ServiceError::Conflict(format!("password hashing failed: {e}")))?;
        let secret = crate::auth::totp::generate_secret()
            .map_err(|e| ServiceError::Conflict(format!("no randomness available: {e}")))?;
        // Who may, and where things stand.
        let (admin, roles, first_user) = self.write(|ctx| {
            let actor = ctx.actor(token)?.principal;
            if ctx.tenant.kind != TenantKind::Lab {
                return Err(not_a_lab(&ctx.tenant));
            }
            if !ctx.is_admin(&actor.id)? {
                return Err(ServiceError::Refused(
                    crate::policy::assignment::admin_required("seeding the lab"),
                ));
            }
            let roles = ctx.db.roles()?;
            let first = ctx.db.user_count()?;
            Ok((actor, roles, u64::try_from(first).unwrap_or(0)))
        })?;
        if roles.is_empty() {
            return Err(ServiceError::Conflict("the lab has no roles".into()));
        }
        let weights = role_weights(&roles);
        // Each batch touches pages all over the log's indexes: a larger cache while seeding
        // keeps them from being read and written again and again.
        let cache = self.store.set_cache_kib(SEED_CACHE_KIB)?;
        let plan = Plan {
            spec,
            admin: &admin,
            roles: &roles,
            weights: &weights,
            first_user,
            hash: &hash,
            secret: &secret,
        };
        let seeded = self.seed_batches(plan, progress);
        self.store.set_cache_kib(cache)?;
        seeded.map(|(made, history)| Seeded {
            users: spec.users,
            assignments: made,
            audit: made + history + spec.users.div_ceil(BATCH),
            password,
            first_upn: (spec.users > 0)
                .then(|| format!("user{:06}@{}", first_user, crate::service::LAB_DOMAIN)),
        })
    }

    /// The batches of [`Self::seed_lab`]: how many assignments and history entries were made.
    fn seed_batches(
        &mut self,
        plan: Plan<'_>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> ServiceResult<(u64, u64)> {
        let Plan {
            spec,
            admin,
            roles,
            weights,
            first_user,
            hash,
            secret,
        } = plan;
        let total = spec.users + spec.assignments + spec.audit.max(spec.assignments);
        let mut done = 0;
        progress(done, total);
        let mut rng = Rng(spec.seed ^ 0x5EED);
        let domain = crate::service::LAB_DOMAIN;
        let upn = |n: u64| format!("user{:06}@{domain}", first_user + n);
        // Users.
        let mut n = 0;
        while n < spec.users {
            let end = (n + BATCH).min(spec.users);
            self.write(|ctx| {
                for i in n..end {
                    let id = user_id(spec.seed, first_user + i);
                    let sealed = ctx.sealer.seal(secret, &id)?;
                    ctx.db.insert_user(&UserRecord::new_account(
                        Principal {
                            id,
                            upn: upn(i),
                            display_name: format!("User {:06}", first_user + i),
                        },
                        hash.to_owned(),
                        sealed,
                        Some(ctx.now),
                        ctx.now,
                    ))?;
                }
                ctx.audit(
                    AuditEntry::new(activity::Activity::UserAdded, ctx.now)
                        .by(admin)
                        .detail("seeded_users", end - n),
                )
            })?;
            done += end - n;
            progress(done, total);
            n = end;
        }
        // Who the assignments go to: seeded users only, so the lab's own accounts keep the
        // roles the walkthrough gives them.
        let people: Vec<Principal> = self.read(|ctx| {
            let mut out = Vec::new();
            let mut offset = 0;
            loop {
                let page = ctx.db.list_users(Some("user"), 10_000, offset)?;
                let len = page.len();
                out.extend(
                    page.into_iter()
                        .map(|u| u.principal)
                        .filter(|p| is_seeded(&p.upn)),
                );
                if len < 10_000 {
                    break;
                }
                offset += 10_000;
            }
            Ok(out)
        })?;
        if people.is_empty() && spec.assignments + spec.audit > 0 {
            return Err(ServiceError::Invalid(
                "assignments and audit history go to seeded users: add some with --users N".into(),
            ));
        }
        // Assignments, each with its audit entry, then the history: one transaction, so the
        // indexes every row lands at a random place in can be set aside for it and built once
        // at its end (a failed seed rolls back whole, indexes and all). Other terminals wait
        // for it to finish.
        self.write(|ctx| {
            let set_aside = ctx.db.set_aside_for_bulk()?;
            let mut made = 0;
            let mut tries = 0;
            while made < spec.assignments && tries < spec.assignments * 4 + 100 {
                let want = (spec.assignments - made).min(BATCH);
                ctx.db.defer_text_index()?;
                let mut added = 0;
                let mut attempted = 0;
                while added < want && attempted < want * 4 {
                    attempted += 1;
                    let who = &people[usize::try_from(rng.below(people.len() as u64)).unwrap_or(0)];
                    let role = pick_role(roles, weights, &mut rng);
                    let kind = if rng.chance(70) {
                        AssignmentKind::Eligible
                    } else {
                        AssignmentKind::Active
                    };
                    let taken = ctx.db.open_of_kind(&who.id, &role.id, kind)?;
                    if taken.is_some() {
                        continue;
                    }
                    let permanent = rng.chance(40);
                    let days = match kind {
                        AssignmentKind::Eligible => 15 + rng.below(350),
                        AssignmentKind::Active => 15 + rng.below(165),
                    };
                    let start =
                        ctx.now - TimeDelta::days(i64::try_from(rng.below(200)).unwrap_or(0));
                    let end = (!permanent)
                        .then(|| ctx.now + TimeDelta::days(i64::try_from(days).unwrap_or(30)));
                    let a = Assignment {
                        // Time-ordered, so a hundred thousand of them append to the id index
                        // instead of rewriting it all in every batch.
                        id: uuid::Uuid::now_v7().to_string(),
                        role_id: role.id.clone(),
                        principal_id: who.id.clone(),
                        kind,
                        origin: Origin::Assigned,
                        activated_from: None,
                        start,
                        end,
                        justification: Some(
                            REASONS[usize::try_from(rng.below(REASONS.len() as u64)).unwrap_or(0)]
                                .to_owned(),
                        ),
                        ticket: None,
                        created_at: start,
                        created_by: Some(admin.id.clone()),
                        ended_at: None,
                        end_reason: None,
                    };
                    ctx.db.insert_assignment(&a, None)?;
                    ctx.audit(
                        AuditEntry::new(
                            activity::assignment_added(kind, end.is_none(), true),
                            ctx.now,
                        )
                        .by(admin)
                        .role(role)
                        .target(who)
                        .justification(a.justification.as_deref())
                        .detail("assignment_id", &a.id)
                        .detail("start", a.start)
                        .detail("end", a.end)
                        .detail("seeded", true),
                    )?;
                    added += 1;
                }
                ctx.db.index_deferred_text()?;
                made += added;
                tries += attempted;
                done += added;
                progress(done, total);
                if added == 0 {
                    break;
                }
            }
            // History: the rest of the audit entries, spread over the past six months.
            let history = spec.audit.saturating_sub(made);
            let span = TimeDelta::days(180).num_seconds();
            let mut written = 0;
            while written < history {
                let end = (written + BATCH).min(history);
                ctx.db.defer_text_index()?;
                for i in written..end {
                    let who = &people[usize::try_from(rng.below(people.len() as u64)).unwrap_or(0)];
                    let role = pick_role(roles, weights, &mut rng);
                    let ago = span
                        - span * i64::try_from(i).unwrap_or(0)
                            / i64::try_from(history).unwrap_or(1).max(1);
                    let at: Time = ctx.now - TimeDelta::seconds(ago);
                    ctx.audit(history_entry(&mut rng, at, who, role).detail("seeded", true))?;
                }
                ctx.db.index_deferred_text()?;
                // The last step waits for the indexes below.
                done += end - written;
                if end < history {
                    progress(done, total);
                }
                written = end;
            }
            ctx.db.build_again(set_aside)?;
            progress(done, total);
            Ok((made, history))
        })
    }
}

/// One entry of the seeded history at `at`: sign-ins, activations requested, completed,
/// refused and expired, in a realistic mix.
fn history_entry(rng: &mut Rng, at: Time, who: &Principal, role: &Role) -> AuditEntry {
    let reason = REASONS[usize::try_from(rng.below(REASONS.len() as u64)).unwrap_or(0)];
    let ticket = format!("INC{:07}", rng.below(10_000_000));
    match rng.below(10) {
        0..=3 => AuditEntry::new(activity::Activity::SignIn, at)
            .by(who)
            .target(who),
        4..=5 => AuditEntry::new(activity::Activity::ActivationRequested, at)
            .by(who)
            .role(role)
            .target(who)
            .justification(Some(&format!("{reason} ({ticket})")))
            .detail("duration", "PT4H"),
        6..=7 => AuditEntry::new(activity::Activity::ActivationCompleted, at)
            .by(who)
            .role(role)
            .target(who)
            .justification(Some(&format!("{reason} ({ticket})")))
            .detail("end", at + TimeDelta::hours(4)),
        8 => AuditEntry::new(activity::Activity::ActivationRequested, at)
            .by(who)
            .role(role)
            .target(who)
            .failed()
            .detail("rule", "ExpirationRule")
            .detail(
                "reason",
                format!(
                    "ExpirationRule: 9h exceeds the 8h maximum activation for {}",
                    role.display_name
                ),
            ),
        _ => AuditEntry::new(activity::Activity::ActivationExpired, at)
            .role(role)
            .target(who),
    }
}

/// What the batches work from.
#[derive(Clone, Copy)]
struct Plan<'a> {
    spec: SeedSpec,
    admin: &'a Principal,
    roles: &'a [Role],
    weights: &'a [u64],
    first_user: u64,
    hash: &'a str,
    secret: &'a str,
}

/// The page cache while seeding (KiB). With the randomly placed indexes set aside, what a
/// seed touches again and again is the right edge of its tables and the unique indexes every
/// insert checks; this holds those and keeps the seed, with the sort that builds the indexes
/// again, within the memory budget (33 MB peak at 10k/100k/1M).
const SEED_CACHE_KIB: i64 = 12_000;
