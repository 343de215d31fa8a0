//! `pim assignments import` and `export`: many assignment changes from one file, each through
//! the same rules, e-mails and audit as `pim assign`, `pim unassign`, `pim assignments
//! update`, `pim extend` and `pim renew`, checked in full first and applied all or none; and
//! the tenant's assignments as Graph schedules.

use serde_json::Value;

use super::assign::{
    AssignInput, AssignmentDone, RemoveInput, UpdateInput, Window, assign_tx, justification,
    remove_tx, update_tx,
};
use super::lifecycle::{DirectChange, extend_tx, renew_tx};
use super::mfa::{Purpose, verify_code};
use super::{Ctx, Preview, ServiceError, ServiceResult, SessionToken};
use crate::audit::activity;
use crate::policy::model::AssignmentKind;
use crate::policy::schedules::{Expiration, ImportRow, RowAction, schedule};
use crate::store::assignments::Which;

/// How one row went.
#[derive(Debug)]
pub enum RowResult {
    /// Done (or, in a check, would be done).
    Done(Box<AssignmentDone>),
    /// Not an administrator's change (an activation in an exported schedule): left out.
    Skipped(String),
    /// Refused, not found or invalid.
    Failed(ServiceError),
}

/// One row's outcome.
#[derive(Debug)]
pub struct RowOutcome {
    /// Where it is in the file.
    pub label: String,
    /// What it asked for.
    pub action: RowAction,
    /// Eligible or active.
    pub kind: AssignmentKind,
    /// The role as the file names it.
    pub role: String,
    /// The user as the file names them.
    pub principal: String,
    /// How it went.
    pub result: RowResult,
}

/// What an import did, or would do.
#[derive(Debug)]
pub struct ImportReport {
    /// Every row, in file order.
    pub rows: Vec<RowOutcome>,
    /// Whether the changes were made (false for a dry run and for a file with a failing row).
    pub applied: bool,
    /// What the check found besides: a code needed, the e-mails.
    pub preview: Preview,
}

impl ImportReport {
    /// Rows that failed.
    pub fn failures(&self) -> impl Iterator<Item = (&RowOutcome, &ServiceError)> {
        self.rows.iter().filter_map(|r| match &r.result {
            RowResult::Failed(e) => Some((r, e)),
            _ => None,
        })
    }
}

fn window(e: Expiration) -> Option<Window> {
    match e {
        Expiration::Unspecified => None,
        Expiration::Never => Some(Window::Permanent),
        Expiration::At(t) => Some(Window::Until(t)),
        Expiration::After(d) => Some(Window::For(d)),
    }
}

/// The UPN of the row's user: by object id, else by UPN, else by the UPN the item carries.
fn upn_of(ctx: &Ctx<'_>, row: &ImportRow) -> ServiceResult<String> {
    if let Some(u) = ctx.db.user_by_id(&row.principal)? {
        return Ok(u.principal.upn);
    }
    for upn in std::iter::once(&row.principal).chain(row.principal_upn.as_ref()) {
        if let Some(u) = ctx.db.user_by_upn(upn)? {
            return Ok(u.principal.upn);
        }
    }
    // A role assigned to a group names the group (by object id, or by name from another lab).
    for name in std::iter::once(&row.principal).chain(row.principal_upn.as_ref()) {
        if let Some(g) = ctx.db.resolve_group(name)? {
            return Ok(g.principal.upn);
        }
    }
    Err(ServiceError::NotFound(format!(
        "no user with the id or UPN '{}'; `pim users list` lists them",
        crate::policy::text::sanitize(&row.principal)
    )))
}

/// How an import runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Check only.
    pub dry_run: bool,
    /// A new assignment the user already has is left alone instead of refused (so a file can
    /// be applied again).
    pub skip_existing: bool,
}

/// Runs one row in the open transaction.
fn run_row(ctx: &Ctx<'_>, token: &SessionToken, row: &ImportRow, o: ImportOptions) -> RowResult {
    if row.activation {
        return RowResult::Skipped(
            "an activation, not an assignment: the user activates the role again".into(),
        );
    }
    match apply(ctx, token, row) {
        Ok(done) => RowResult::Done(Box::new(done)),
        Err(ServiceError::Refused(r))
            if o.skip_existing
                && row.action == RowAction::Assign
                && r.rules() == [crate::policy::Rule::RoleAssignmentExists] =>
        {
            RowResult::Skipped(format!("already there: {}", r.violations[0].message))
        }
        Err(e) => RowResult::Failed(e),
    }
}

fn apply(ctx: &Ctx<'_>, token: &SessionToken, row: &ImportRow) -> ServiceResult<AssignmentDone> {
    let upn = upn_of(ctx, row)?;
    let role = ctx.role(&row.role)?.id;
    let reason = justification(row.justification.as_deref())?;
    match row.action {
        RowAction::Assign => {
            // An exported schedule that began in the past starts now in this tenant.
            let start = row.start.filter(|s| !row.from_schedule || *s > ctx.now);
            let input = AssignInput {
                role,
                upn,
                kind: row.kind,
                start,
                window: window(row.expiration).unwrap_or(Window::Permanent),
                justification: row.justification.clone(),
                otp: None,
            };
            assign_tx(ctx, token, &input, reason)
        }
        RowAction::Remove => remove_tx(
            ctx,
            token,
            &RemoveInput {
                role,
                upn,
                kind: Some(row.kind),
                assignment_id: None,
            },
        ),
        RowAction::Update => {
            // Graph updates the schedule of the endpoint's type: find it.
            let (who, _) = ctx.principal(&upn)?;
            let id = ctx
                .db
                .open_of_kind(&who.id, &role, row.kind)?
                .filter(|a| a.is_current(ctx.now))
                .map(|a| a.id);
            let input = UpdateInput {
                role,
                upn,
                assignment_id: id,
                kind: Some(row.kind),
                window: window(row.expiration),
                justification: row.justification.clone(),
                otp: None,
            };
            update_tx(ctx, token, &input, reason)
        }
        RowAction::Extend | RowAction::Renew => {
            let change = DirectChange {
                role,
                upn,
                kind: Some(row.kind),
                start: row.start,
                window: window(row.expiration),
                reason,
            };
            if row.action == RowAction::Extend {
                extend_tx(ctx, token, &change)
            } else {
                renew_tx(ctx, token, &change)
            }
        }
    }
}

fn outcomes(rows: &[ImportRow], results: Vec<RowResult>) -> Vec<RowOutcome> {
    rows.iter()
        .zip(results)
        .map(|(row, result)| RowOutcome {
            label: row.label.clone(),
            action: row.action,
            kind: row.kind,
            role: row.role.clone(),
            principal: row.principal.clone(),
            result,
        })
        .collect()
}

/// Which pass of an import is running: every row is checked first (nothing written), then
/// applied in one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportPhase {
    /// Checking each row against the rules.
    Checking,
    /// Applying the rows.
    Applying,
}

impl super::Service {
    /// Checks every row of a file (in one transaction that is rolled back, so a row sees the
    /// rows before it), then, unless `dry_run` or a row fails, applies them all in one
    /// transaction. A code is asked for once when any row needs one.
    pub fn import_assignments(
        &mut self,
        token: &SessionToken,
        rows: &[ImportRow],
        options: ImportOptions,
        otp: Option<&str>,
        progress: &mut dyn FnMut(ImportPhase, usize, usize),
    ) -> ServiceResult<ImportReport> {
        let total = rows.len();
        let (checked, preview) = self.preflight(|s| {
            s.write(|ctx| {
                ctx.actor(token)?;
                Ok(rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        progress(ImportPhase::Checking, i, total);
                        run_row(ctx, token, r, options)
                    })
                    .collect::<Vec<_>>())
            })
        });
        let checked = checked?;
        let failed = checked.iter().any(|r| matches!(r, RowResult::Failed(_)));
        if options.dry_run || failed {
            return Ok(ImportReport {
                rows: outcomes(rows, checked),
                applied: false,
                preview,
            });
        }
        let needs_code = preview.mfa_required;
        let done = self.write(|ctx| {
            if needs_code {
                let actor = ctx.actor(token)?;
                let purpose = Purpose {
                    what: format!("importing {} assignment changes", rows.len()),
                    failure_activity: activity::Activity::MfaFailed,
                    role: None,
                };
                verify_code(ctx, &actor, otp, &purpose)?;
            }
            let mut results = Vec::with_capacity(rows.len());
            for (i, row) in rows.iter().enumerate() {
                progress(ImportPhase::Applying, i, total);
                match run_row(ctx, token, row, options) {
                    RowResult::Failed(e) => {
                        return Err(ServiceError::Conflict(format!(
                            "{}: {e}; it passed the check a moment ago, so something changed meanwhile; nothing was applied",
                            row.label
                        )));
                    }
                    other => results.push(other),
                }
            }
            Ok(results)
        })?;
        Ok(ImportReport {
            rows: outcomes(rows, done),
            applied: true,
            preview,
        })
    }

    /// The current assignments (eligible, active and activations) as Graph schedules, by
    /// role, user and type; administrators and audit readers see everyone's, others their own.
    pub fn export_assignments(
        &mut self,
        token: &SessionToken,
        role: Option<&str>,
        upn: Option<&str>,
        kind: Option<AssignmentKind>,
    ) -> ServiceResult<Vec<Value>> {
        const PAGE: i64 = 1000;
        let mut all = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.assignments(token, role, upn, Which::Current, PAGE, offset)?;
            let n = page.len();
            all.extend(
                page.into_iter()
                    .filter(|r| kind.is_none_or(|k| r.assignment.kind == k)),
            );
            if i64::try_from(n).unwrap_or(0) < PAGE {
                break;
            }
            offset += PAGE;
        }
        all.sort_by(|a, b| {
            (
                &a.role.display_name,
                &a.principal.upn,
                a.assignment.kind.as_str(),
                a.assignment.start,
            )
                .cmp(&(
                    &b.role.display_name,
                    &b.principal.upn,
                    b.assignment.kind.as_str(),
                    b.assignment.start,
                ))
        });
        Ok(all
            .iter()
            .map(|r| schedule(&r.assignment, &r.role, &r.principal))
            .collect())
    }
}
