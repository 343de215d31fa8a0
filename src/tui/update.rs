//! Acting on intents: `update` routes every message; it and the flows beside it (`admin`,
//! `lifecycle`, `signin_flow`, `activation_flow`) are the only places the console calls the
//! service. After each change the visible data is reloaded from the engine (a local SQLite
//! read is cheap), never patched.

use crate::service::{Service, ServiceError, SessionToken};
use crate::store::assignments::Which;

use super::app::{App, Screen};
use super::msg::{Msg, Tab};
use super::popup::{Popup, Tone};
use super::screen::audit::PAGE;

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
