//! `pim assignments export` and `pim assignments import`: the tenant's assignments as Graph
//! schedules, and many assignment changes from a Graph JSON or CSV file at once.

use std::path::Path;

use serde_json::{Value, json};

use super::args::{ExportAssignmentsArgs, ImportAssignmentsArgs};
use super::assign::done_json;
use super::output::{end_text, json, local};
use super::policies::read_text;
use super::{CliError, CliResult, Env, with_code_prompt};
use crate::policy::schedules::{ImportRow, RowAction, RowError, parse_csv, parse_json};
use crate::service::{ImportOptions, ImportReport, RowResult, ServiceError};
use crate::store::OpenMode;

/// `pim assignments export`.
pub fn export(env: &Env, a: &ExportAssignmentsArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    let kind = a.kind.map(Into::into);
    let value = svc.export_assignments(&token, a.role.as_deref(), a.user.as_deref(), kind)?;
    let mut doc = serde_json::Map::new();
    if let Some(k) = kind {
        let set = match k {
            crate::policy::model::AssignmentKind::Eligible => "roleEligibilitySchedules",
            crate::policy::model::AssignmentKind::Active => "roleAssignmentSchedules",
        };
        doc.insert(
            "@odata.context".into(),
            json!(format!(
                "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/{set}(principal(),roleDefinition())"
            )),
        );
    }
    doc.insert("value".into(), Value::Array(value));
    json(&Value::Object(doc))
}

/// Reads the rows of a file: CSV by `--csv` or a `.csv` name, Graph JSON otherwise.
fn rows(file: &Path, csv: bool) -> Result<Vec<ImportRow>, CliError> {
    let shown = file.display().to_string();
    let text = read_text(file, "an assignments file")?;
    let as_csv = csv
        || file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let parsed = if as_csv {
        parse_csv(&text)
    } else {
        let doc: Value = serde_json::from_str(&text).map_err(|e| {
            CliError::usage(format!(
                "{shown}:{}:{}: not valid JSON ({}); a CSV file needs --csv or a .csv name",
                e.line(),
                e.column(),
                crate::policy::text::clip(&crate::policy::text::sanitize(&e.to_string()), 120)
            ))
        })?;
        parse_json(&doc)
    };
    parsed.map_err(|errors| {
        let list: Vec<String> = errors.iter().map(RowError::to_string).collect();
        CliError::usage(format!(
            "{shown}: nothing was changed; {} to fix:\n  {}",
            if list.len() == 1 {
                "one problem".to_owned()
            } else {
                format!("{} problems", list.len())
            },
            list.join("\n  ")
        ))
    })
}

/// "assigned Security Reader to alice@… as Eligible, permanent", and the like.
fn done_text(action: RowAction, d: &crate::service::AssignmentDone, applied: bool) -> String {
    let a = &d.assignment;
    let window = if a.start > d.request.created_at {
        format!("from {} until {}", local(a.start), end_text(a.end))
    } else if a.end.is_none() {
        "permanent".to_owned()
    } else {
        format!("until {}", end_text(a.end))
    };
    let (role, upn, kind) = (&d.role.display_name, &d.principal.upn, a.kind.label());
    let verb = verb(action, applied);
    match action {
        RowAction::Assign => format!("{verb} {role} to {upn} as {kind}, {window}"),
        RowAction::Remove => format!("{verb} the {kind} assignment of {role} from {upn}"),
        RowAction::Update => format!("{verb} {role} for {upn}: {kind}, {window}"),
        RowAction::Extend | RowAction::Renew => {
            format!("{verb} the {kind} assignment of {role} for {upn}, {window}")
        }
    }
}

fn verb(action: RowAction, done: bool) -> &'static str {
    match (action, done) {
        (RowAction::Assign, true) => "assigned",
        (RowAction::Assign, false) => "would assign",
        (RowAction::Remove, true) => "removed",
        (RowAction::Remove, false) => "would remove",
        (RowAction::Update, true) => "updated",
        (RowAction::Update, false) => "would update",
        (RowAction::Extend, true) => "extended",
        (RowAction::Extend, false) => "would extend",
        (RowAction::Renew, true) => "renewed",
        (RowAction::Renew, false) => "would renew",
    }
}

/// `pim assignments import FILE [--csv] [--dry-run]`.
pub fn import(env: &Env, a: &ImportAssignmentsArgs) -> CliResult {
    let mut rows = rows(&a.file, a.csv)?;
    if let Some(reason) = &a.reason {
        for row in rows.iter_mut().filter(|r| r.justification.is_none()) {
            row.justification = Some(reason.clone());
        }
    }
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    // A bar on a terminal for big files: every row is checked, then applied.
    let bar = super::output::progress_bar("Checking rows", rows.len() as u64, a.json);
    let report = with_code_prompt(a.otp.clone(), |otp| {
        let options = ImportOptions {
            dry_run: a.dry_run,
            skip_existing: a.skip_existing,
        };
        let shown = bar.clone();
        let result = svc.import_assignments(
            &token,
            &rows,
            options,
            otp.as_deref(),
            &mut |phase, done, total| {
                shown.set_message(match phase {
                    crate::service::ImportPhase::Checking => "Checking rows",
                    crate::service::ImportPhase::Applying => "Applying rows",
                });
                shown.set_length(total as u64);
                shown.set_position(done as u64);
            },
        );
        bar.finish_and_clear();
        result
    });
    let report = report?;
    let now = svc.clock()?.now;
    let code = exit_code(&report);
    if a.json {
        print_json(&report, a.dry_run, now)?;
    } else {
        print_text(&report, a.dry_run);
    }
    match code {
        0 => Ok(()),
        code => Err(CliError {
            code,
            message: String::new(),
        }),
    }
}

/// 0 when every row passed; 2 when a row names something that does not exist or is not
/// valid; 3 when the rows are well formed but a rule refuses one.
fn exit_code(report: &ImportReport) -> u8 {
    report
        .failures()
        .map(|(_, e)| match e {
            ServiceError::Refused(_) => 3,
            other => other.exit_code(),
        })
        .min_by_key(|c| match c {
            2 => 0,
            3 => 1,
            _ => 2,
        })
        .unwrap_or(0)
}

fn print_text(report: &ImportReport, dry_run: bool) {
    if dry_run {
        outln!("Dry run: nothing was changed and no code was asked for. Row by row:");
    }
    let failed = report.failures().count();
    for row in &report.rows {
        let line = match &row.result {
            RowResult::Done(d) => format!(
                "{}: {}",
                row.label,
                done_text(row.action, d, report.applied)
            ),
            RowResult::Skipped(why) => format!("{}: skipped: {why}", row.label),
            RowResult::Failed(ServiceError::Refused(r)) => {
                format!(
                    "{}: refused: {}",
                    row.label,
                    r.to_string().replace('\n', "; ")
                )
            }
            RowResult::Failed(e) => format!("{}: error: {e}", row.label),
        };
        outln!("{line}");
    }
    let total = report.rows.len();
    if failed > 0 {
        outln!(
            "Nothing was changed: {failed} of {total} rows would fail. Fix {} and import the file again.",
            if failed == 1 { "it" } else { "them" }
        );
        return;
    }
    let skipped = report
        .rows
        .iter()
        .filter(|r| matches!(r.result, RowResult::Skipped(_)))
        .count();
    let changes = total - skipped;
    let skipped_note = if skipped > 0 {
        format!(" ({skipped} skipped)")
    } else {
        String::new()
    };
    if report.applied {
        let emails: usize = report
            .rows
            .iter()
            .filter_map(|r| match &r.result {
                RowResult::Done(d) => Some(d.emails),
                _ => None,
            })
            .sum();
        outln!(
            "Applied {changes} change(s) in one transaction{skipped_note} · {emails} e-mail(s) queued."
        );
        return;
    }
    if report.preview.mfa_required {
        outln!("A fresh code from the authenticator would be asked for.");
    }
    let n = report.preview.would_notify.len();
    outln!(
        "All {total} rows would pass: {changes} change(s){skipped_note}, {n} e-mail(s). Run it again without --dry-run to apply."
    );
}

fn print_json(report: &ImportReport, dry_run: bool, now: crate::clock::Time) -> CliResult {
    let rows: Vec<Value> = report
        .rows
        .iter()
        .map(|row| {
            let mut v = json!({
                "item": row.label,
                "action": row.action.graph(),
                "type": row.kind,
                "role": row.role,
                "principal": row.principal,
            });
            let extra = match &row.result {
                RowResult::Done(d) => json!({"result": if report.applied { "done" } else { "ok" }, "change": done_json(d, now)}),
                RowResult::Skipped(why) => json!({"result": "skipped", "message": why}),
                RowResult::Failed(ServiceError::Refused(r)) => json!({
                    "result": "refused",
                    "rules": r.rules().iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "message": r.to_string(),
                }),
                RowResult::Failed(e) => json!({"result": "error", "message": e.to_string()}),
            };
            if let (Value::Object(o), Value::Object(x)) = (&mut v, extra) {
                o.extend(x);
            }
            v
        })
        .collect();
    json(&json!({
        "dry_run": dry_run,
        "applied": report.applied,
        "mfa_required": report.preview.mfa_required,
        "would_notify": report.preview.would_notify.iter().map(|(to, subject)| json!({"to": to, "subject": subject})).collect::<Vec<_>>(),
        "rows": rows,
    }))
}
