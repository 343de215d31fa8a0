//! Acting on intents: the only place the console calls the service. After each change the
//! visible data is reloaded from the engine (a local SQLite read is cheap), never patched.

use crate::service::{Service, ServiceError, SessionToken};
use crate::store::OpenMode;
use crate::store::assignments::Which;

use super::app::{App, Screen};
use super::msg::{Msg, Tab};
use super::popup::activate::{Stage, Step, Target};
use super::popup::{ActivatePopup, Popup, Tone};
use super::screen::audit::PAGE;
use super::screen::main::MainState;
use super::screen::sign_in::Step as SignInStep;

/// A stage's one-line outcome: the rules that refused, or that it failed.
fn short_reason(e: &ServiceError) -> String {
    match e {
        ServiceError::Refused(r) => {
            let rules: Vec<&str> = r.rules().iter().map(|r| r.as_str()).collect();
            format!("refused by {}", rules.join(", "))
        }
        _ => "failed".into(),
    }
}

impl App {
    /// Acts on an intent.
    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Quit => self.quit = true,
            Msg::CreateLab => self.create_lab(),
            Msg::OpenScenarios => self.popups.push(Popup::Scenarios(Box::default())),
            Msg::PlayScenario(name, to) => self.play_scenario(&name, to),
            Msg::OpenTenantForm => self.popups.push(Popup::tenant_form()),
            Msg::CreateTenant {
                domain,
                name,
                admin_upn,
                admin_name,
                password,
            } => self.create_tenant(&domain, &name, &admin_upn, &admin_name, &password),
            Msg::SubmitPassword => self.submit_password(),
            Msg::SubmitCode => self.submit_code(),
            Msg::SignOut => self.sign_out(),
            Msg::SwitchTab(tab) => {
                if let Screen::Main(m) = &mut self.screen {
                    m.tab = tab;
                }
                self.reload();
            }
            Msg::Refresh => self.reload(),
            Msg::ShowHelp => {
                let contexts = self.contexts();
                self.popups.push(Popup::Help {
                    contexts,
                    scroll: 0,
                });
            }
            Msg::ShowAuthenticator => self.show_authenticator(),
            Msg::ShowLabQr(upn) => self.show_lab_qr(&upn),
            Msg::ShowAccounts => self.show_accounts(),
            Msg::Unlock(upn) => self.unlock(&upn),
            Msg::OpenActivate(role_ids) => self.open_activate(&role_ids),
            Msg::ActivateValidate(inputs) => self.activate_validate(inputs),
            Msg::ActivateCommit(inputs) => self.activate_commit(inputs),
            Msg::ActivateRefresh(role_ids) => self.activate_refresh(&role_ids),
            Msg::ConfirmDeactivate(role, name) => self.popups.push(Popup::Confirm {
                title: "Deactivate".into(),
                question: format!(
                    "Deactivate {} now? You can activate it again later.",
                    crate::policy::text::sanitize(&name)
                ),
                on_yes: Msg::Deactivate(role),
            }),
            Msg::Deactivate(role) => self.deactivate(&role),
            Msg::OpenAuditEntry(i) => {
                if let Screen::Main(m) = &self.screen
                    && let Some(r) = m.audit.rows.get(i)
                {
                    self.popups.push(Popup::AuditEntry(Box::new(r.clone()), 0));
                }
            }
            Msg::OpenAuditFilter => {
                if let Screen::Main(m) = &self.screen {
                    self.popups.push(Popup::audit_filter(&m.audit.query));
                }
            }
            Msg::ApplyAuditFilter(q) => {
                if let Screen::Main(m) = &mut self.screen {
                    m.audit.search.set(q.text.as_deref().unwrap_or(""));
                    m.audit.query = q;
                    m.audit.selected = 0;
                }
                self.reload();
            }
            Msg::MoreAudit => self.more_audit(),
            Msg::OpenEmail(id) => self.open_email(&id),
            Msg::Admin(m) => self.update_admin(m),
            Msg::Lifecycle(m) => self.update_lifecycle(m),
        }
    }

    /// The engine and the session, when signed in.
    pub(super) fn session(&mut self) -> Option<(&mut Service, SessionToken)> {
        let Screen::Main(m) = &self.screen else {
            return None;
        };
        let token = m.session.clone();
        self.svc.as_mut().map(|s| (s, token))
    }

    fn create_lab(&mut self) {
        let svc = match self.svc.take() {
            Some(s) => Ok(s),
            None => Service::open(&self.db, OpenMode::Create),
        };
        let result = svc.and_then(|mut s| {
            let created = s.create_lab(false, None);
            self.svc = Some(s);
            created
        });
        match result {
            Ok(created) => {
                self.to_sign_in();
                self.popups.push(Popup::LabAccounts(created.accounts));
            }
            Err(e) => self.first_run_error(e),
        }
    }

    /// Builds the lab by playing a scenario (its commands run as the real pim, in their own
    /// processes), then shows its accounts and where it stopped.
    fn play_scenario(&mut self, name: &str, to: Option<usize>) {
        let scenario = match crate::scenario::load(name) {
            Ok(s) => s,
            Err(e) => {
                self.first_run_error(ServiceError::Invalid(e.to_string()));
                return;
            }
        };
        // The engine reopens on the lab the scenario builds.
        self.svc = None;
        let played =
            crate::scenario::run::play(&self.db, &scenario, to, &mut crate::scenario::run::Quiet);
        self.svc = Service::open(&self.db, OpenMode::Existing).ok();
        match played {
            Ok(p) => {
                self.to_sign_in();
                let accounts = p
                    .accounts
                    .iter()
                    .map(|k| crate::service::CreatedAccount {
                        upn: k.upn.clone(),
                        display_name: k.display_name.clone(),
                        password: k.password.clone(),
                        otpauth_uri: crate::auth::totp::otpauth_uri(&k.secret, &k.upn)
                            .unwrap_or_default(),
                        totp_secret: k.secret.clone(),
                        roles: Vec::new(),
                    })
                    .collect();
                self.popups.push(Popup::LabAccounts(accounts));
                let mut lines = vec![format!(
                    "{}: {} of {} steps played.",
                    scenario.title,
                    p.steps_run,
                    scenario.steps.len()
                )];
                if let Some(next) = p.stopped_before.and_then(|i| scenario.steps.get(i)) {
                    lines.push(String::new());
                    lines.push(format!("Next: {}", next.title));
                    if let Some(say) = &next.say {
                        lines.push(say.trim().replace('\n', " "));
                    }
                    if let Some(actor) = &next.actor {
                        lines.push(String::new());
                        lines.push(format!(
                            "It is {actor}'s turn: sign in as {actor}@{}.",
                            crate::service::LAB_DOMAIN
                        ));
                    }
                }
                self.popups.push(Popup::Message {
                    title: "Scenario played".into(),
                    lines,
                    tone: Tone::Success,
                    scroll: 0,
                });
            }
            Err(e) => {
                self.to_sign_in();
                self.first_run_error(ServiceError::Invalid(format!(
                    "the scenario stopped at {e}"
                )));
            }
        }
    }

    fn first_run_error(&mut self, e: ServiceError) {
        if let Screen::FirstRun(s) = &mut self.screen {
            s.error = Some(e.to_string());
        } else {
            self.fail(e);
        }
    }

    fn create_tenant(
        &mut self,
        domain: &str,
        name: &str,
        admin: &str,
        admin_name: &str,
        password: &str,
    ) {
        let svc = match self.svc.take() {
            Some(s) => Ok(s),
            None => Service::open(&self.db, OpenMode::Create),
        };
        let result = svc.and_then(|mut s| {
            let created = s.init_tenant(domain, name, admin, admin_name, password);
            self.svc = Some(s);
            created
        });
        match result {
            Ok(created) => {
                self.popups.clear();
                self.to_sign_in();
                let e = crate::service::Enrolment::for_secret(
                    &created.admin.totp_secret,
                    &created.admin.upn,
                );
                self.popups.push(Popup::Enrolment {
                    title: "Tenant created".into(),
                    intro: vec![
                        format!(
                            "{} is the Global Administrator of {}.",
                            created.admin.upn, created.tenant.domain
                        ),
                        "Scan this with an authenticator app, or type the secret; then sign in."
                            .into(),
                    ],
                    enrolment: Box::new(e),
                });
            }
            Err(e) => {
                if let Some(Popup::Tenant(_, error)) = self.popups.last_mut() {
                    *error = Some(e.to_string());
                }
            }
        }
    }

    fn submit_password(&mut self) {
        let (Some(svc), Screen::SignIn(s)) = (self.svc.as_mut(), &mut self.screen) else {
            return;
        };
        match svc.check_password(&s.upn.value(), &s.password.value()) {
            Ok(ok) => {
                s.error = None;
                s.code.set("");
                s.step = match ok.enrolment {
                    Some(e) => SignInStep::Enrol(Box::new(e)),
                    None => SignInStep::Code,
                };
            }
            Err(e) => {
                s.error = Some(e.to_string());
                s.password.set("");
            }
        }
    }

    fn submit_code(&mut self) {
        let (Some(svc), Screen::SignIn(s)) = (self.svc.as_mut(), &mut self.screen) else {
            return;
        };
        let signed = match svc.sign_in(&s.upn.value(), &s.password.value(), &s.code.value()) {
            Ok(signed) => signed,
            Err(e) => {
                s.error = Some(e.to_string());
                s.code.set("");
                return;
            }
        };
        let tenant = s.tenant.clone();
        match svc.capabilities(&signed.token) {
            Ok(caps) => {
                self.screen = Screen::Main(Box::new(MainState::new(
                    signed.token,
                    caps,
                    tenant,
                    signed.expires,
                )));
                self.reload();
            }
            Err(e) => self.fail(e),
        }
    }

    fn sign_out(&mut self) {
        if let Some((svc, token)) = self.session() {
            let _ = svc.sign_out(&token);
        }
        self.popups.clear();
        self.to_sign_in();
        self.status = Some(("Signed out.".into(), Tone::Info));
    }

    fn show_accounts(&mut self) {
        let Some((svc, token)) = self.session() else {
            return;
        };
        match svc.users(&token, None, 1000, 0) {
            Ok(list) => self.popups.push(Popup::Accounts(list, 0)),
            Err(e) => self.fail(e),
        }
    }

    fn unlock(&mut self, upn: &str) {
        let Some((svc, token)) = self.session() else {
            return;
        };
        let done = svc.unlock_user(&token, upn);
        let fresh = svc.users(&token, None, 1000, 0);
        match done {
            Ok(p) => {
                self.status = Some((format!("Unlocked {}.", p.upn), Tone::Success));
                if let (Some(Popup::Accounts(list, _)), Ok(fresh)) = (self.popups.last_mut(), fresh)
                {
                    *list = fresh;
                }
            }
            Err(e) => self.status = Some((e.to_string(), Tone::Error)),
        }
    }

    fn show_lab_qr(&mut self, upn: &str) {
        let Some(svc) = self.svc.as_mut() else { return };
        match svc.lab_enrolment(upn) {
            Ok(e) => {
                if let Some(Popup::Authenticator(panel)) = self.popups.last_mut() {
                    panel.qr = Some(Box::new(e));
                }
            }
            Err(e) => self.status = Some((e.to_string(), Tone::Error)),
        }
    }

    fn show_authenticator(&mut self) {
        let Some(svc) = self.svc.as_mut() else { return };
        match svc.authenticator() {
            Ok(codes) => self.popups.push(Popup::Authenticator(Box::new(
                super::popup::AuthPanel::new(codes),
            ))),
            Err(e) => self.status = Some((e.to_string(), Tone::Error)),
        }
    }

    /// Reloads the header data and the visible tab from the engine.
    pub fn reload(&mut self) {
        if let Some(svc) = self.svc.as_mut()
            && let Ok(c) = svc.clock()
        {
            self.offset = c.offset;
        }
        if let Err(e) = self.reload_main() {
            self.fail(e);
        }
    }

    fn reload_main(&mut self) -> Result<(), ServiceError> {
        let (Some(svc), Screen::Main(m)) = (self.svc.as_mut(), &mut self.screen) else {
            return Ok(());
        };
        let token = m.session.clone();
        m.caps = svc.capabilities(&token)?;
        m.my.status = Some(svc.status(&token)?);
        m.unread = svc.unread_count(&token)?;
        m.approvals.list = svc.requests(&token)?;
        m.approvals.selected = m
            .approvals
            .selected
            .min(m.approvals.list.len().saturating_sub(1));
        match m.tab {
            Tab::MyRoles => {
                let me = m.caps.principal.upn.clone();
                m.my.expired = svc.assignments(&token, None, Some(&me), Which::Expired, 200, 0)?;
                m.my.clamp();
            }
            Tab::Roles => {
                m.roles.overview = svc.role_overview(&token)?;
                if let Some(id) = m.roles.detail.as_ref().map(|d| d.view.role.id.clone()) {
                    m.roles.detail = Some(super::admin::load_detail(
                        svc,
                        &token,
                        &id,
                        m.roles.detail.take(),
                    )?);
                }
                m.roles.clamp();
            }
            Tab::Audit => {
                let q = crate::service::AuditQuery {
                    before_seq: None,
                    ..m.audit.query.clone()
                };
                let (rows, everyone) = svc.audit_log(&token, &q)?;
                m.audit.exhausted = (rows.len() as i64) < q.limit;
                m.audit.rows = rows;
                m.audit.everyone = everyone;
                m.audit.selected = m.audit.selected.min(m.audit.rows.len().saturating_sub(1));
            }
            Tab::Inbox => {
                m.inbox.mail = svc.inbox(&token, false, 500)?;
                m.inbox.selected = m.inbox.selected.min(m.inbox.mail.len().saturating_sub(1));
            }
            Tab::Approvals | Tab::Alerts => {}
            Tab::Reviews => {
                let me = m.caps.principal.clone();
                m.reviews.load(svc.reviews(&token)?, &me);
            }
            Tab::Groups => {
                m.groups.list = svc.groups(&token)?;
                m.groups.clamp();
            }
        }
        // The tab's count, without loading every review's items.
        m.reviews.waiting = svc.review_decisions_waiting(&token)?;
        // Alerts look at the whole database: computed on their tab, and once at sign-in so
        // the tab shows its count; at most once a second, the rest left to the tick.
        if m.tab == Tab::Alerts || !m.alerts.loaded {
            m.alerts.stale = true;
            let real = svc.real_now();
            if m.alerts
                .computed_at
                .is_none_or(|t| real - t >= chrono::TimeDelta::seconds(1))
            {
                refresh_alerts(svc, &token, m)?;
            }
        }
        Ok(())
    }

    /// Computes the alerts the tab shows when a change left them stale and a second has passed
    /// since they were last computed (from the tick, not from a key).
    pub(super) fn refresh_stale_alerts(&mut self) {
        let (Some(svc), Screen::Main(m)) = (self.svc.as_mut(), &mut self.screen) else {
            return;
        };
        let real = svc.real_now();
        if !m.alerts.stale
            || m.alerts
                .computed_at
                .is_some_and(|t| real - t < chrono::TimeDelta::seconds(1))
        {
            return;
        }
        let token = m.session.clone();
        if let Err(e) = refresh_alerts(svc, &token, m) {
            self.fail(e);
        }
    }

    fn more_audit(&mut self) {
        let (Some(svc), Screen::Main(m)) = (self.svc.as_mut(), &mut self.screen) else {
            return;
        };
        let Some(last) = m.audit.rows.last() else {
            return;
        };
        let q = crate::service::AuditQuery {
            before_seq: Some(last.seq),
            limit: PAGE,
            ..m.audit.query.clone()
        };
        match svc.audit_log(&m.session, &q) {
            Ok((rows, _)) => {
                m.audit.exhausted = (rows.len() as i64) < PAGE;
                m.audit.rows.extend(rows);
            }
            Err(e) => self.fail(e),
        }
    }

    fn open_email(&mut self, id: &str) {
        let Some((svc, token)) = self.session() else {
            return;
        };
        match svc.open_email(&token, id) {
            Ok(email) => {
                self.popups.push(Popup::Email(Box::new(email), 0));
                self.reload();
            }
            Err(e) => self.fail(e),
        }
    }

    fn open_activate(&mut self, role_ids: &[String]) {
        let Screen::Main(m) = &self.screen else {
            return;
        };
        let Some(status) = m.my.status.as_ref() else {
            return;
        };
        let targets: Vec<Target> = role_ids
            .iter()
            .filter_map(|id| {
                status
                    .eligible
                    .iter()
                    .chain(status.group_eligible.iter())
                    .find(|e| e.row.role.id == *id)
            })
            .map(|e| Target {
                role: e.row.role.clone(),
                settings: e.settings.clone(),
                eligible_until: e.row.assignment.end,
            })
            .collect();
        if targets.is_empty() {
            return;
        }
        let reasons = self
            .session()
            .and_then(|(svc, token)| svc.recent_reasons(&token).ok())
            .unwrap_or_default();
        let popup = ActivatePopup::new(targets, reasons);
        self.popups.push(Popup::Activate(Box::new(popup)));
    }

    fn activation_popup(&mut self) -> Option<&mut ActivatePopup> {
        match self.popups.last_mut() {
            Some(Popup::Activate(p)) => Some(p),
            _ => None,
        }
    }

    fn activate_validate(&mut self, inputs: Vec<crate::service::ActivateInput>) {
        let tz = self.tz;
        let Some((svc, token)) = self.session() else {
            return;
        };
        let result = svc.validate_activations(&token, &inputs);
        let Some(p) = self.activation_popup() else {
            return;
        };
        match result {
            Ok(previews) => {
                p.error = None;
                let cut = if previews.iter().any(|v| v.clamped) {
                    " (cut to the end of your eligibility)"
                } else {
                    ""
                };
                let (Some(start), Some(end)) = (
                    previews.iter().map(|v| v.start).min(),
                    previews.iter().map(|v| v.end).max(),
                ) else {
                    return;
                };
                let whose = if previews.len() == 1 {
                    "the role's settings"
                } else {
                    "each role's settings"
                };
                p.steps[0] = Step::Passed(format!(
                    "meets {whose}: {} until {}{cut}",
                    tz.hm(start),
                    tz.format(end)
                ));
                if previews.iter().any(|v| v.needs_mfa) {
                    p.to_code();
                } else {
                    p.steps[1] = Step::Running;
                    self.pending.push_back(Msg::ActivateCommit(inputs));
                }
            }
            Err(e) => {
                p.steps[0] = Step::Failed(short_reason(&e));
                p.back_to_form(Some(e.to_string()));
            }
        }
    }

    fn activate_commit(&mut self, inputs: Vec<crate::service::ActivateInput>) {
        let tz = self.tz;
        if let Some(p) = self.activation_popup() {
            p.stage = Stage::Working;
            p.steps[1] = Step::Running;
        }
        let Some((svc, token)) = self.session() else {
            return;
        };
        let result = svc.activate_many(&token, inputs);
        let Some(p) = self.activation_popup() else {
            return;
        };
        match result {
            Ok(outcomes) => {
                use crate::service::ActivationOutcome;
                let mut active = Vec::new();
                let mut pending = Vec::new();
                for o in &outcomes {
                    match o {
                        ActivationOutcome::Active(done) => active.push(done),
                        ActivationOutcome::Pending(view) => pending.push(view),
                    }
                }
                let mut said = Vec::new();
                if let Some(end) = active
                    .iter()
                    .map(|d| d.assignment.end.unwrap_or(d.assignment.start))
                    .max()
                {
                    said.push(if active.len() == 1 {
                        format!("active until {}", tz.format(end))
                    } else {
                        format!("{} roles active until {}", active.len(), tz.format(end))
                    });
                }
                if !pending.is_empty() {
                    let mut who: Vec<&str> = pending
                        .iter()
                        .flat_map(|v| v.approvers.iter().map(|a| a.upn.as_str()))
                        .collect();
                    who.sort_unstable();
                    who.dedup();
                    let to = if who.is_empty() {
                        "the approvers".to_owned()
                    } else {
                        who.join(", ")
                    };
                    let what: Vec<&str> = pending
                        .iter()
                        .map(|v| v.role.display_name.as_str())
                        .collect();
                    said.push(format!("{} sent for approval to {to}", what.join(", ")));
                }
                p.steps[1] = Step::Passed(said.join("; "));
                p.error = None;
                if active.is_empty() {
                    p.steps[2] =
                        Step::Passed("pending approval: follow it in Approvals (5)".into());
                    p.stage = Stage::Done;
                    self.status = Some(("Your request waits for an approver.".into(), Tone::Info));
                    self.reload();
                } else {
                    p.steps[2] = Step::Running;
                    let ids = active.iter().map(|d| d.role.id.clone()).collect();
                    self.pending.push_back(Msg::ActivateRefresh(ids));
                }
            }
            Err(ServiceError::Auth(a)) => {
                p.steps[1] = Step::Failed("MFA failed".into());
                p.to_code();
                p.error = Some(a.to_string());
                if matches!(a, crate::service::AuthFailure::Locked { .. }) {
                    p.back_to_form(Some(a.to_string()));
                }
            }
            Err(e) => {
                p.steps[1] = Step::Failed(short_reason(&e));
                p.back_to_form(Some(e.to_string()));
            }
        }
    }

    fn activate_refresh(&mut self, role_ids: &[String]) {
        self.reload();
        let now = self.now();
        let missing: Vec<String> = match &self.screen {
            Screen::Main(m) => role_ids
                .iter()
                .filter(|id| {
                    !m.my.status.as_ref().is_some_and(|s| {
                        s.active
                            .iter()
                            .chain(s.group_active.iter())
                            .any(|a| a.role.id == **id && a.assignment.is_current(now))
                    })
                })
                .cloned()
                .collect(),
            _ => role_ids.to_vec(),
        };
        let name = match self.activation_popup() {
            Some(p) => {
                p.steps[2] = if missing.is_empty() && p.targets.len() == 1 {
                    Step::Passed(format!("{} is in your active roles", p.names()))
                } else if missing.is_empty() {
                    Step::Passed("all are in your active roles".into())
                } else {
                    Step::Failed("not every role shows as active yet".into())
                };
                p.stage = Stage::Done;
                p.names()
            }
            None => return,
        };
        if let Screen::Main(m) = &mut self.screen {
            // Show where the activation landed: a group's membership stays on Groups.
            if m.my.sub != super::msg::Sub::Groups {
                m.my.sub = super::msg::Sub::Active;
            }
            m.my.marked.clear();
        }
        let verb = if role_ids.len() == 1 { "is" } else { "are" };
        self.status = Some((format!("{name} {verb} active."), Tone::Success));
    }

    fn deactivate(&mut self, role: &str) {
        let Some((svc, token)) = self.session() else {
            return;
        };
        match svc.deactivate(&token, role) {
            Ok((_, r)) => {
                self.status = Some((format!("Deactivated {}.", r.display_name), Tone::Success));
                self.reload();
            }
            Err(e) => self.popups.push(Popup::message(
                "Not deactivated",
                e.to_string(),
                Tone::Error,
            )),
        }
    }
}

/// Computes the alerts now.
fn refresh_alerts(
    svc: &mut crate::service::Service,
    token: &crate::service::SessionToken,
    m: &mut super::screen::main::MainState,
) -> Result<(), ServiceError> {
    m.alerts.loaded = true;
    m.alerts.stale = false;
    m.alerts.computed_at = Some(svc.real_now());
    match svc.alerts(token) {
        Ok(list) => {
            m.alerts.list = list;
            m.alerts.denied = None;
            m.alerts.selected = m.alerts.selected.min(m.alerts.list.len().saturating_sub(1));
        }
        Err(ServiceError::Refused(r)) => {
            m.alerts.list.clear();
            m.alerts.denied = Some(r.to_string());
        }
        Err(e) => return Err(e),
    }
    Ok(())
}
