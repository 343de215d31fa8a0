//! `pim audit [filters]` and `pim audit verify`.

use serde_json::{Value, json};

use super::args::{AuditArgs, AuditCommand, parse_delta, parse_time};
use super::output::{json, local, rfc3339, safe};
use super::{CliError, CliResult, Env};
use crate::audit::chain::ChainFault;
use crate::audit::{AuditRecord, AuditResult};
use crate::policy::text::count;
use crate::service::AuditQuery;
use crate::store::OpenMode;

fn record_json(r: &AuditRecord) -> Value {
    json!({
        "seq": r.seq,
        "id": r.id,
        "time": rfc3339(r.time),
        "real_time": r.real_time.map(rfc3339),
        "actor": r.actor,
        "activity": r.activity,
        "role": r.role,
        "target": r.target,
        "justification": r.justification,
        "ticket_number": r.ticket_number,
        "ticket_system": r.ticket_system,
        "result": r.result,
        "details": serde_json::from_str::<Value>(&r.details).unwrap_or(Value::String(r.details.clone())),
    })
}

/// `pim audit`.
pub fn audit(env: &Env, a: AuditArgs) -> CliResult {
    if let Some(AuditCommand::Verify(flag)) = a.command {
        return verify(env, flag.json);
    }
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    let since = match a.since.as_deref() {
        None => None,
        Some(s) => Some(match parse_time(s) {
            Ok(t) => t,
            Err(_) => {
                let back = parse_delta(s).map_err(|_| {
                    CliError::usage(format!("--since takes a time (2026-11-26T09:00:00Z) or a period back (24h); not '{}'", safe(s)))
                })?;
                svc.clock()?.now - back
            }
        }),
    };
    let q = AuditQuery {
        user: a.user,
        role: a.role,
        activity: a.activity,
        since,
        text: a.text,
        failures_only: a.failures,
        before_seq: a.before,
        limit: a.limit,
    };
    let (rows, everyone) = svc.audit_log(&token, &q)?;
    if a.json {
        return json(&rows.iter().map(record_json).collect::<Vec<_>>());
    }
    if !everyone {
        outln!(
            "My audit (entries by or about you; the full log needs an active administrator or reader role)\n"
        );
    }
    if rows.is_empty() {
        outln!("No entries.");
        return Ok(());
    }
    for r in &rows {
        print_record(r);
    }
    if rows.len() as i64 == q.limit
        && let Some(last) = rows.last()
    {
        outln!("More: pim audit --before {}", last.seq);
    }
    Ok(())
}

fn print_record(r: &AuditRecord) {
    let result = match r.result {
        AuditResult::Success => "success",
        AuditResult::Failure => "FAILURE",
    };
    let real = r
        .real_time
        .filter(|real| (*real - r.time).num_seconds().abs() >= 60)
        .map(|real| format!(" (real time {})", local(real)))
        .unwrap_or_default();
    outln!(
        "#{:<5} {}{real}  {result}  {}",
        r.seq,
        local(r.time),
        safe(&r.activity)
    );
    let mut parts = Vec::new();
    if let Some(a) = &r.actor {
        parts.push(format!("by {}", safe(a)));
    }
    if let Some(role) = &r.role {
        parts.push(format!("role {}", safe(role)));
    }
    if let Some(t) = &r.target {
        parts.push(format!("target {}", safe(t)));
    }
    if let Some(j) = &r.justification {
        parts.push(format!("\"{}\"", safe(j)));
    }
    if let Some(n) = &r.ticket_number {
        parts.push(format!(
            "ticket {} {}",
            safe(n),
            safe(r.ticket_system.as_deref().unwrap_or(""))
        ));
    }
    if !parts.is_empty() {
        outln!("       {}", parts.join(" · "));
    }
    if r.result == AuditResult::Failure
        && let Ok(Value::Object(d)) = serde_json::from_str::<Value>(&r.details)
        && let Some(reason) = d.get("reason").and_then(Value::as_str)
    {
        outln!("       {}", safe(reason).replace('\n', "; "));
    }
}

fn verify(env: &Env, as_json: bool) -> CliResult {
    let mut svc = env.open(OpenMode::Existing)?;
    let v = svc.verify_audit()?;
    let Some((fault, entry)) = v.fault else {
        if as_json {
            return json(&json!({"intact": true, "verified": v.verified, "head": v.head}));
        }
        outln!(
            "The audit log is intact: {} verified.",
            count(v.verified, "entry", "entries")
        );
        outln!("Head hash: {}", v.head);
        return Ok(());
    };
    let r = &entry.record;
    let what = match fault {
        ChainFault::ContentChanged { .. } => {
            "its content does not match its hash: it was changed after it was written"
        }
        ChainFault::BrokenLink { .. } => {
            "it does not link to the entry before it: entries were removed or reordered"
        }
        ChainFault::Gap { .. } => "entries before it are missing: the sequence skips",
    };
    if as_json {
        json(&json!({
            "intact": false,
            "verified": v.verified,
            "first_bad": {"seq": r.seq, "id": r.id, "time": rfc3339(r.time), "activity": r.activity, "fault": fault},
        }))?;
    }
    Err(CliError::error(format!(
        "the audit log has been tampered with at entry #{} ({}, {}): {what}. The {} before it verify.",
        r.seq,
        local(r.time),
        safe(&r.activity),
        count(v.verified, "entry", "entries")
    )))
}
