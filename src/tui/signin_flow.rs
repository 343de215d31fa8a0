//! The first run and signing in and out: creating the lab or a tenant, playing a scenario,
//! the password then the code, and the session's end.

use crate::service::{Service, ServiceError};
use crate::store::OpenMode;

use super::app::{App, Screen};
use super::popup::{Popup, Tone};
use super::screen::main::MainState;
use super::screen::sign_in::Step as SignInStep;

impl App {
    pub(super) fn create_lab(&mut self) {
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
    pub(super) fn play_scenario(&mut self, name: &str, to: Option<usize>) {
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

    pub(super) fn first_run_error(&mut self, e: ServiceError) {
        if let Screen::FirstRun(s) = &mut self.screen {
            s.error = Some(e.to_string());
        } else {
            self.fail(e);
        }
    }

    pub(super) fn create_tenant(
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

    pub(super) fn submit_password(&mut self) {
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

    pub(super) fn submit_code(&mut self) {
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

    pub(super) fn sign_out(&mut self) {
        if let Some((svc, token)) = self.session() {
            let _ = svc.sign_out(&token);
        }
        self.popups.clear();
        self.to_sign_in();
        self.status = Some(("Signed out.".into(), Tone::Info));
    }
}
