//! `pim settings export|import|diff`: role policies as Microsoft Graph JSON files.

use std::io::Read;
use std::path::Path;

use serde_json::{Value, json};

use super::output::{Table, json};
use super::{CliError, CliResult};
use crate::policy::graph::{PolicyDocument, documents};
use crate::policy::text::{clip, sanitize};
use crate::service::{Service, SessionToken};

/// The largest file read (a tenant's every policy is well under a megabyte).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a JSON file (`-` for standard input), refusing what is too big or not JSON with the
/// line and column.
pub fn read_json(file: &Path) -> Result<Value, CliError> {
    let shown = file.display().to_string();
    let text = read_text(file, "a policy file")?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::usage(format!(
            "{shown}:{}:{}: not valid JSON ({})",
            e.line(),
            e.column(),
            clip(&sanitize(&e.to_string()), 120)
        ))
    })
}

/// Reads a text file (or standard input for `-`) of at most 16 MiB; `what` names what a
/// larger file is not.
pub fn read_text(file: &Path, what: &str) -> Result<String, CliError> {
    let shown = file.display().to_string();
    let mut text = String::new();
    let read = if shown == "-" {
        std::io::stdin()
            .take(MAX_FILE_BYTES + 1)
            .read_to_string(&mut text)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_string(&mut text))
    };
    read.map_err(|e| CliError::usage(format!("reading {shown}: {e}")))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(CliError::usage(format!(
            "{shown} is larger than {} MiB; that is not {what}",
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    Ok(text)
}

fn policy_documents(file: &Path) -> Result<Vec<PolicyDocument>, CliError> {
    let doc = read_json(file)?;
    documents(&doc).map_err(|e| CliError::usage(format!("{}: {e}", file.display())))
}

/// `pim settings export [ROLE…|--all]`: one role's policy object, or Graph's list of them.
pub fn export(svc: &mut Service, token: &SessionToken, roles: &[String], all: bool) -> CliResult {
    if roles.is_empty() && !all {
        return Err(CliError::usage(
            "name the roles to export, or give --all for every role",
        ));
    }
    let exported = svc.export_policies(token, roles)?;
    match exported.as_slice() {
        [one] if !all => json(&one.policy),
        many => json(&json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/roleManagementPolicies(rules())",
            "value": many.iter().map(|p| p.policy.clone()).collect::<Vec<_>>(),
        })),
    }
}

/// `pim settings import FILE [--role ROLE] [--dry-run]`.
pub fn import(
    svc: &mut Service,
    token: &SessionToken,
    file: &Path,
    role: Option<&str>,
    dry_run: bool,
    as_json: bool,
) -> CliResult {
    let docs = policy_documents(file)?;
    let done = svc.import_policies(token, &docs, role, dry_run)?;
    if as_json {
        return json(&json!({"dry_run": dry_run, "roles": done}));
    }
    let changed = done.iter().filter(|r| !r.changes.is_empty()).count();
    for r in done.iter().filter(|r| !r.changes.is_empty()) {
        outln!(
            "{}: {} {}:",
            r.role,
            if dry_run { "would change" } else { "changed" },
            crate::policy::text::count(r.changes.len() as u32, "setting", "settings")
        );
        for c in &r.changes {
            outln!("  {}: {} → {}", c.field, c.before, c.after);
        }
    }
    outln!(
        "{} {} of {} in the file; the others already hold what it says{}.",
        if dry_run { "Would update" } else { "Updated" },
        crate::policy::text::count(changed as u32, "role", "roles"),
        done.len(),
        if dry_run {
            " (--dry-run: nothing was changed)"
        } else {
            ""
        }
    );
    Ok(())
}

/// `pim settings diff FILE [--role ROLE] [--exit-code]`.
pub fn diff(
    svc: &mut Service,
    token: &SessionToken,
    file: &Path,
    role: Option<&str>,
    exit_code: bool,
    as_json: bool,
) -> CliResult {
    let docs = policy_documents(file)?;
    let drift = svc.policy_drift(token, &docs, role)?;
    if as_json {
        json(&drift)?;
    } else if drift.is_empty() {
        outln!("No drift: the tenant holds what {} says.", file.display());
    } else {
        let mut t = Table::new(&["Role", "Rule", "Field", "File", "Tenant"]);
        let shown = |v: &Value| clip(&v.to_string(), 60).into_owned();
        for d in &drift {
            t.row(vec![
                d.role.clone(),
                d.rule.clone(),
                d.field.clone(),
                shown(&d.file),
                shown(&d.tenant),
            ]);
        }
        t.print();
    }
    if exit_code && !drift.is_empty() {
        return Err(CliError {
            code: 1,
            message: String::new(),
        });
    }
    Ok(())
}
