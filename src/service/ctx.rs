//! What a use case sees inside its transaction: its repositories, policy and real time, the
//! tenant, and the checks every use case shares (who is acting, which role, user, group or
//! principal a name means, what they hold, refusals audited).

use super::*;

/// What a use case sees inside its transaction.
pub(crate) struct Ctx<'t> {
    /// The open transaction's repositories.
    pub db: &'t dyn Repos,
    /// Policy time: real time plus the lab clock's offset.
    pub now: Time,
    /// Real time, for TOTP, sessions and lockouts.
    pub real: Time,
    /// The tenant.
    pub tenant: Tenant,
    /// Seals and opens TOTP secrets.
    pub sealer: &'t Sealer,
    /// The newest real time this database had seen before this transaction.
    pub real_mark: Option<Time>,
    /// In a preflight (`--dry-run`): set when an MFA code would have been asked for; no code
    /// is asked or spent.
    pub preflight: Option<&'t std::cell::Cell<bool>>,
    /// The account whose fresh code this transaction already verified: one code covers every
    /// step of one command (a bulk import's rows), and is spent once.
    pub verified: std::cell::RefCell<Option<String>>,
}

impl<'t> Ctx<'t> {
    /// Policy time at real time `real`, outside any transaction.
    pub(super) fn policy_now(db: &dyn Repos, real: Time) -> ServiceResult<Time> {
        let tenant = db.tenant()?.ok_or(ServiceError::NoTenant)?;
        Ok(real + tenant.clock_offset)
    }

    pub(super) fn new(db: &'t dyn Repos, real: Time, sealer: &'t Sealer) -> ServiceResult<Self> {
        let tenant = db.tenant()?.ok_or(ServiceError::NoTenant)?;
        Ok(Self {
            db,
            now: real + tenant.clock_offset,
            real,
            tenant,
            sealer,
            real_mark: db.real_time_mark()?,
            preflight: None,
            verified: std::cell::RefCell::new(None),
        })
    }

    /// Refuses (and audits, as `activity_name` by `who`) what must not run on a clock that went
    /// back: signing in and activating would reuse time that has already been used.
    pub fn ensure_clock_forward(
        &self,
        activity_name: crate::audit::activity::Activity,
        who: Option<&Principal>,
    ) -> ServiceResult<()> {
        let Some(mark) = self.real_mark.filter(|m| *m - self.real > CLOCK_TOLERANCE) else {
            return Ok(());
        };
        let mut entry = AuditEntry::new(activity_name, self.now)
            .failed()
            .detail("reason", "the system clock went back")
            .detail("newest_time_seen", mark);
        if let Some(p) = who {
            entry = entry.by(p).target(p);
        }
        self.audit(entry)?;
        Err(ServiceError::ClockBehind {
            real: self.real,
            mark,
        })
    }

    /// An account's TOTP secret, opened with the database's key (`None` before it has one).
    /// A missing key is an error of the installation (exit 1); a secret that does not open
    /// (damaged, or copied from another account) fails the sign-in and is audited.
    pub fn secret(&self, user: &UserRecord) -> ServiceResult<Option<Zeroizing<String>>> {
        let Some(sealed) = user.totp_sealed.as_deref() else {
            return Ok(None);
        };
        match self.sealer.open(sealed, &user.principal.id) {
            Ok(secret) => Ok(Some(secret)),
            Err(Unsealed::KeyMissing(_)) => Err(ServiceError::Store(self.sealer.missing())),
            Err(Unsealed::DoesNotOpen) => {
                self.audit(
                    AuditEntry::new(crate::audit::activity::Activity::MfaFailed, self.now)
                        .target(&user.principal)
                        .failed()
                        .detail("reason", "the stored authenticator secret does not open"),
                )?;
                Err(ServiceError::Auth(AuthFailure::SecretUnreadable))
            }
        }
    }

    /// The signed-in user behind a session token (real-time expiry).
    pub fn actor(&self, token: &SessionToken) -> ServiceResult<UserRecord> {
        let (user_id, _) = self
            .db
            .session(&token_hash(&token.0), self.real)?
            .ok_or(ServiceError::Auth(AuthFailure::NotSignedIn))?;
        let user = self
            .db
            .user_by_id(&user_id)?
            .ok_or(ServiceError::Auth(AuthFailure::NotSignedIn))?;
        if !user.enabled {
            return Err(ServiceError::Auth(AuthFailure::Disabled));
        }
        Ok(user)
    }

    /// Who is acting, and the audit entry of what they attempt (by them, now): the first step
    /// of a use case, before its checks.
    pub fn attempt(
        &self,
        token: &SessionToken,
        activity: crate::audit::activity::Activity,
    ) -> ServiceResult<(Principal, AuditEntry)> {
        let actor = self.actor(token)?.principal;
        let entry = AuditEntry::new(activity, self.now).by(&actor);
        Ok((actor, entry))
    }

    /// A role by name, slug or template id; or a group's member or owner entry by its id, or
    /// as `GROUP/member` or `GROUP/owner` (the group by name or id, as Graph's PIM for Groups
    /// names it by `groupId` and `accessId`).
    pub fn role(&self, name: &str) -> ServiceResult<Role> {
        if let Some((group, access)) = name.rsplit_once('/')
            && let Some(access) = crate::policy::model::Access::parse(access)
            && let Some(g) = self.db.resolve_group(group)?
            && let Some(role) = self.db.role_of_group(&g.principal.id, access)?
        {
            return Ok(role);
        }
        self.db.resolve_role(name)?.ok_or_else(|| {
            ServiceError::NotFound(format!(
                "no role named '{}'; `pim roles` lists them",
                crate::policy::text::sanitize(name)
            ))
        })
    }

    /// A user by UPN.
    pub fn user(&self, upn: &str) -> ServiceResult<UserRecord> {
        self.db.user_by_upn(upn)?.ok_or_else(|| {
            ServiceError::NotFound(format!(
                "no user '{}'; `pim users list` lists them",
                crate::policy::text::sanitize(upn)
            ))
        })
    }

    /// Who an assignment names: a user by UPN, or a group by name (`Some` group record).
    pub fn principal(
        &self,
        name: &str,
    ) -> ServiceResult<(Principal, Option<store::groups::GroupRecord>)> {
        // A user's UPN has an '@' (checked when the account is made); a group's name never does.
        if name.contains('@') {
            return Ok((self.user(name)?.principal, None));
        }
        match self.db.resolve_group(name)? {
            Some(g) => Ok((g.principal.clone(), Some(g))),
            None => Err(ServiceError::NotFound(format!(
                "no user or group '{}'; `pim users list` and `pim groups list` list them",
                crate::policy::text::sanitize(name)
            ))),
        }
    }

    /// A group by name or object id.
    pub fn group(&self, name: &str) -> ServiceResult<store::groups::GroupRecord> {
        self.db.resolve_group(name)?.ok_or_else(|| {
            ServiceError::NotFound(format!(
                "no group '{}'; `pim groups list` lists them",
                crate::policy::text::sanitize(name)
            ))
        })
    }

    /// Who reads a principal's e-mail: the user, or a group's live active members (a group
    /// has no mailbox of its own here).
    pub fn readers_of(&self, p: &Principal) -> ServiceResult<Vec<Principal>> {
        if self.db.group(&p.id)?.is_none() {
            return Ok(vec![p.clone()]);
        }
        match self
            .db
            .role_of_group(&p.id, crate::policy::model::Access::Member)?
        {
            Some(member) => Ok(self.db.holders(&[member.id.as_str()], self.now)?),
            None => Ok(Vec::new()),
        }
    }

    /// A role's settings.
    pub fn settings(&self, role_id: &str) -> ServiceResult<RoleSettings> {
        Ok(self.db.load_settings(role_id)?.settings)
    }

    /// Roles the user holds live now.
    pub fn active_roles(&self, user_id: &str) -> ServiceResult<Vec<String>> {
        Ok(self.db.active_role_ids(user_id, self.now)?)
    }

    /// Holds an active Global Administrator or Privileged Role Administrator role now.
    pub fn is_admin(&self, user_id: &str) -> ServiceResult<bool> {
        Ok(self
            .active_roles(user_id)?
            .iter()
            .any(|r| ADMIN_ROLES.contains(&r.as_str())))
    }

    /// May manage `role`'s assignments: an active Global or Privileged Role Administrator, or,
    /// for a group's membership or ownership, an active owner of the group (as in Entra, a
    /// group's owners manage its PIM assignments).
    pub fn manages(&self, user_id: &str, role: &Role) -> ServiceResult<bool> {
        if self.is_admin(user_id)? {
            return Ok(true);
        }
        let Some(g) = &role.group else {
            return Ok(false);
        };
        let Some(owner) = self
            .db
            .role_of_group(&g.group_id, crate::policy::model::Access::Owner)?
        else {
            return Ok(false);
        };
        Ok(self.active_roles(user_id)?.contains(&owner.id))
    }

    /// Refuses, audited as `attempt`, unless `user_id` holds an active Global Administrator or
    /// Privileged Role Administrator role: the check every administrator's use case starts
    /// with (`what` says what needs it).
    pub fn require_admin(
        &self,
        user_id: &str,
        attempt: &AuditEntry,
        what: &str,
    ) -> ServiceResult<()> {
        if self.is_admin(user_id)? {
            Ok(())
        } else {
            Err(self.refuse(
                attempt.clone(),
                crate::policy::assignment::admin_required(what),
            ))
        }
    }

    /// May read the whole audit log.
    pub fn is_audit_reader(&self, user_id: &str) -> ServiceResult<bool> {
        Ok(self
            .active_roles(user_id)?
            .iter()
            .any(|r| AUDIT_READER_ROLES.contains(&r.as_str())))
    }

    /// May add users.
    pub fn is_user_admin(&self, user_id: &str) -> ServiceResult<bool> {
        Ok(self
            .active_roles(user_id)?
            .iter()
            .any(|r| ADMIN_ROLES.contains(&r.as_str()) || r == USER_ADMINISTRATOR))
    }

    /// Everyone who receives admin alerts now.
    pub fn admins(&self) -> ServiceResult<Vec<Principal>> {
        Ok(self.db.holders(&ADMIN_ROLES, self.now)?)
    }

    /// Appends an audit entry in this transaction. A successful entry about an assignment
    /// records the assignment's state as it now stands (see `audit::state`), which `pim audit
    /// verify` checks the assignments table against.
    pub fn audit(&self, entry: AuditEntry) -> ServiceResult<()> {
        record(self.db, entry, self.real)
    }

    /// Records a refusal in the audit log and returns it as the error to propagate.
    pub fn refuse(&self, entry: AuditEntry, refusal: crate::policy::Refusal) -> ServiceError {
        match self.audit(entry.refused(&refusal)) {
            Ok(()) => ServiceError::Refused(refusal),
            Err(e) => e,
        }
    }

    /// Audits a refusal that came back from a shared step as an error; other errors pass.
    pub fn refuse_error(&self, entry: &AuditEntry, e: ServiceError) -> ServiceError {
        match e {
            ServiceError::Refused(r) => self.refuse(entry.clone(), r),
            other => other,
        }
    }
}
