//! `pim audit [filters]`, `pim audit verify|checkpoint|reanchor`.

use serde_json::{Value, json};

use super::args::{AuditArgs, AuditCommand, AuditFilterArgs, parse_delta, parse_time};
use super::output::{json, local, rfc3339, safe};
use super::{CliError, CliResult, Env};
use crate::audit::anchor::{AnchorState, Checkpoint};
use crate::audit::chain::ChainFault;
use crate::audit::{AuditRecord, AuditResult};
use crate::policy::text::{clip, count};
use crate::service::AuditQuery;
use crate::service::Verified;
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

/// The audit query the filters ask for (`--since` as a time, or a period back from the lab's
/// now).
pub(super) fn query(
    svc: &mut crate::service::Service,
    f: &AuditFilterArgs,
    before: Option<i64>,
    limit: i64,
) -> Result<AuditQuery, CliError> {
    let since = match f.since.as_deref() {
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
    Ok(AuditQuery {
        user: f.user.clone(),
        role: f.role.clone(),
        activity: f.activity.clone(),
        since,
        text: f.text.clone(),
        failures_only: f.failures,
        before_seq: before,
        limit,
    })
}

/// `pim audit`.
pub fn audit(env: &Env, a: AuditArgs) -> CliResult {
    match a.command {
        Some(AuditCommand::Verify { checkpoint, json }) => {
            return verify(env, checkpoint.as_deref(), json);
        }
        Some(AuditCommand::Checkpoint(flag)) => return checkpoint(env, flag.json),
        Some(AuditCommand::Reanchor { reason, json }) => return reanchor(env, &reason, json),
        Some(AuditCommand::Export(e)) => return super::audit_export::export(env, &e),
        None => {}
    }
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    let q = query(&mut svc, &a.filter, a.before, a.limit)?;
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

fn fault_words(fault: &ChainFault) -> &'static str {
    match fault {
        ChainFault::ContentChanged { .. } => {
            "its content does not match its hash: it was changed after it was written"
        }
        ChainFault::BrokenLink { .. } => {
            "it does not link to the entry before it: entries were removed or reordered"
        }
        ChainFault::Gap { .. } => "entries before it are missing: the sequence skips",
    }
}

fn verify(env: &Env, checkpoint: Option<&str>, as_json: bool) -> CliResult {
    let checkpoint = checkpoint
        .map(|text| {
            Checkpoint::parse(text).ok_or_else(|| {
                CliError::usage(format!(
                    "'{}' is not a checkpoint; they look like pimcp1:9f3a2b1c:1234:0123…cdef:20261202T101500Z (from `pim audit checkpoint`)",
                    clip(text, 80)
                ))
            })
        })
        .transpose()?;
    let mut svc = env.open_quietly(OpenMode::Existing)?;
    // A bar on a terminal for a log long enough to take a while; nothing in a pipe or JSON.
    let bar = super::output::progress_bar("Verifying the audit log", 0, as_json);
    let v = svc.verify_audit(checkpoint.as_ref(), &mut |_, done, total| {
        bar.set_length(u64::try_from(total).unwrap_or(0));
        bar.set_position(u64::try_from(done).unwrap_or(0));
    });
    bar.finish_and_clear();
    let v = v?;
    if as_json {
        json(&verify_json(&v))?;
    } else {
        print_verified(&v);
    }
    if v.is_intact() {
        return Ok(());
    }
    Err(CliError {
        code: 1,
        message: verify_problems(&v).join("\n"),
    })
}

fn verify_json(v: &Verified) -> Value {
    json!({
        "intact": v.is_intact(),
        "verified": v.verified,
        "head": v.head,
        "first_bad": v.fault.as_ref().map(|(fault, entry)| {
            let r = &entry.record;
            json!({"seq": r.seq, "id": r.id, "time": rfc3339(r.time), "activity": r.activity, "fault": fault})
        }),
        "anchor": v.anchor,
        "anchor_file": v.anchor_path.as_ref().map(|p| p.display().to_string()),
        "assignments": v.assignments,
        "checkpoint": v.checkpoint.as_ref().map(|(cp, outcome)| json!({
            "checkpoint": cp.to_string(),
            "seq": cp.seq,
            "time": rfc3339(cp.time),
            "extended": outcome.is_ok(),
            "problem": outcome.as_ref().err(),
        })),
    })
}

fn print_verified(v: &Verified) {
    if v.is_intact() {
        outln!(
            "The audit log is intact: {} verified.",
            count(v.verified, "entry", "entries")
        );
    }
    if v.fault.is_none() {
        outln!(
            "Hash chain: intact, {} verified (head {}).",
            count(v.verified, "entry", "entries"),
            &v.head[..16.min(v.head.len())]
        );
    }
    match &v.anchor {
        AnchorState::Matches { anchored, head } if anchored == head => {
            outln!("Anchor: the log ends at the anchored entry #{anchored}.");
        }
        AnchorState::Matches { anchored, head } => {
            outln!("Anchor: the log extends the anchored entry #{anchored} (newest #{head}).")
        }
        AnchorState::NotYetAnchored { .. } => {
            outln!("Anchor: none yet (this log predates anchoring); the next change writes it.");
        }
        AnchorState::Fresh => outln!("Anchor: none yet (a new database)."),
        AnchorState::Broken { .. } => {}
    }
    let a = &v.assignments;
    if a.mismatches.is_empty() {
        let older = if a.unrecorded > 0 {
            format!(
                "; {} made before this database recorded states not checked",
                count(a.unrecorded, "assignment", "assignments")
            )
        } else {
            String::new()
        };
        let checked = a.checked - a.unrecorded;
        outln!(
            "Assignments: {} {} what the audited operations made {}{older}.",
            count(checked, "current assignment", "current assignments"),
            if checked == 1 { "is" } else { "are" },
            if checked == 1 { "it" } else { "them" }
        );
    }
    if let Some((cp, Ok(()))) = &v.checkpoint {
        outln!(
            "Checkpoint: the log still extends entry #{} as it was at {}.",
            cp.seq,
            local(cp.time)
        );
    }
}

fn verify_problems(v: &Verified) -> Vec<String> {
    let mut out = Vec::new();
    if let Some((fault, entry)) = &v.fault {
        let r = &entry.record;
        out.push(format!(
            "error: the audit log has been tampered with at entry #{} ({}, {}): {}. The {} before it verify.",
            r.seq,
            local(r.time),
            safe(&r.activity),
            fault_words(fault),
            count(v.verified, "entry", "entries")
        ));
    }
    if let AnchorState::Broken { problem } = &v.anchor {
        let file = v
            .anchor_path
            .as_ref()
            .map_or_else(String::new, |p| format!(" ({})", p.display()));
        out.push(format!(
            "error: the audit log does not match its anchor{file}: {problem}. If the cause is known (a restore done by hand), an administrator can accept the log with `pim audit reanchor --reason TEXT`."
        ));
    }
    for m in &v.assignments.mismatches {
        out.push(format!(
            "error: assignment {} ({} for {}) is not what the audited operations made it: {}.",
            m.assignment_id,
            safe(&m.role),
            safe(&m.user),
            m.problems.join("; ")
        ));
    }
    if let Some((cp, Err(why))) = &v.checkpoint {
        out.push(format!(
            "error: the log does not extend the checkpoint of {} (entry #{}): {why}.",
            local(cp.time),
            cp.seq
        ));
    }
    out
}

fn checkpoint(env: &Env, as_json: bool) -> CliResult {
    let mut svc = env.open(OpenMode::Existing)?;
    let cp = svc.checkpoint()?;
    if as_json {
        return json(&json!({
            "checkpoint": cp.to_string(),
            "seq": cp.seq,
            "hash": cp.hash,
            "database": cp.database,
            "time": rfc3339(cp.time),
        }));
    }
    outln!("{cp}");
    errln!(
        "Keep this line somewhere else (a ticket, a wiki); `pim audit verify --checkpoint '{cp}'` proves the log still extends entry #{} as it is now.",
        cp.seq
    );
    Ok(())
}

fn reanchor(env: &Env, reason: &str, as_json: bool) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    let done = svc.reanchor(&token, reason)?;
    if as_json {
        return json(&done);
    }
    match &done.problem {
        Some(p) => outln!(
            "Recorded in the audit log: {p}.\nThe anchor now stands at entry #{}.",
            done.anchor.seq
        ),
        None => outln!(
            "The log already matched its anchor; nothing to accept. The anchor stands at entry #{}.",
            done.anchor.seq
        ),
    }
    Ok(())
}
