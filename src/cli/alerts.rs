//! `pim alerts` (list, show, dismiss, set), `pim licence`, and `pim mail export`.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use super::args::{
    AlertFixArgs, AlertSetArgs, AlertsArgs, AlertsCommand, LicenceArg, LicenceArgs, LicenceCommand,
    MailCommand,
};
use super::output::{Table, json, safe};
use super::{CliError, CliResult, Env};
use crate::policy::alerts::AlertId;
use crate::policy::model::Licence;
use crate::service::{AlertConfigPatch, AlertView};
use crate::store::{OpenMode, files};

fn alert_id(s: &str) -> Result<AlertId, CliError> {
    AlertId::parse(s).ok_or_else(|| {
        let names: Vec<&str> = AlertId::ALL.iter().map(|a| a.slug()).collect();
        CliError::usage(format!(
            "no alert '{}'; the alerts are: {}",
            safe(s),
            names.join(", ")
        ))
    })
}

/// `firing (3)`, `dismissed`, `off`, `ok`.
fn state(v: &AlertView) -> String {
    match v.state() {
        "firing" => format!("firing ({})", v.affected),
        other => other.to_owned(),
    }
}

fn alert_json(v: &AlertView) -> Value {
    json!({
        "id": v.id.graph_name(),
        "slug": v.id.slug(),
        "title": v.title,
        "severity": v.severity,
        "state": v.state(),
        "active": v.active(),
        "impact": v.impact,
        "fix": v.fix,
        "settings": v.config,
        "affected": v.incidents.iter().map(|i| i.text.as_str()).collect::<Vec<_>>(),
        "affected_count": v.affected,
    })
}

/// `pim alerts [--json]` and its subcommands.
pub fn alerts(env: &Env, a: AlertsArgs) -> CliResult {
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    match a.command {
        None => {
            let list = svc.alerts(&token)?;
            if a.json {
                return json(&list.iter().map(alert_json).collect::<Vec<_>>());
            }
            let mut t = Table::new(&["Severity", "State", "Alert", "Name"]);
            for v in &list {
                t.row(vec![
                    v.severity.as_str().into(),
                    state(v),
                    v.title.into(),
                    v.id.slug().into(),
                ]);
            }
            t.print();
            outln!(
                "\nDetails and the fix: pim alerts show NAME · dismiss: pim alerts dismiss NAME"
            );
            Ok(())
        }
        Some(AlertsCommand::Show { id, json: as_json }) => {
            let v = svc.alert(&token, alert_id(&id)?)?;
            if as_json {
                return json(&alert_json(&v));
            }
            outln!(
                "{} ({}, {} severity)",
                v.title,
                v.id.slug(),
                v.severity.as_str()
            );
            outln!("State:    {}", state(&v));
            outln!("Settings: {}", v.settings_text());
            outln!("\nWhy it matters\n  {}", v.impact);
            outln!("\nHow to fix it\n  {}", v.fix);
            outln!("\nAffected");
            if v.incidents.is_empty() {
                outln!("  nothing");
            }
            for i in &v.incidents {
                outln!("  - {}", safe(&i.text));
            }
            Ok(())
        }
        Some(AlertsCommand::Dismiss { id }) => {
            let v = svc.dismiss_alert(&token, alert_id(&id)?)?;
            outln!(
                "Dismissed \"{}\"; it returns when its affected items change.",
                v.title
            );
            Ok(())
        }
        Some(AlertsCommand::Set(s)) => set(&mut svc, &token, &s),
        Some(AlertsCommand::Fix(f)) => fix(&mut svc, &token, f),
    }
}

/// `pim alerts fix`: each listed item with what was (or would be) done, or the rule that kept it.
fn fix(
    svc: &mut crate::service::Service,
    token: &crate::service::SessionToken,
    f: AlertFixArgs,
) -> CliResult {
    let id = alert_id(&f.id)?;
    let (fixed, preview) = super::dry_or_real(svc, f.dry_run, f.otp, |svc, otp| {
        svc.fix_alert(
            token,
            id,
            crate::service::FixInput {
                active_for: f.duration,
                otp,
            },
        )
    })?;
    let changed = fixed.steps.iter().filter(|s| s.refused.is_none()).count();
    if f.json {
        let doc = json!({
            "alert": id.graph_name(),
            "slug": id.slug(),
            "steps": fixed.steps.iter().map(|s| json!({
                "item": s.item,
                "change": s.change,
                "changed": s.refused.is_none(),
                "refused": s.refused,
            })).collect::<Vec<_>>(),
            "changed": changed,
            "still_affected": fixed.still_affected,
        });
        return json(&super::dry_json(doc, &preview));
    }
    super::dry_header(&preview);
    let dry = preview.is_some();
    outln!("Fixing \"{}\" ({}):", id.title(), id.slug());
    for s in &fixed.steps {
        match &s.refused {
            None => outln!(
                "  {}  {}: {}",
                if dry { "change " } else { "changed" },
                safe(&s.item),
                safe(&s.change)
            ),
            Some(why) => outln!("  left     {}: {}", safe(&s.item), safe(why)),
        }
    }
    let left = match (fixed.still_affected, dry) {
        (0, false) => "lists nothing now".to_owned(),
        (0, true) => "would then list nothing".to_owned(),
        (n, false) => format!("still lists {n}"),
        (n, true) => format!("would still list {n}"),
    };
    outln!(
        "{changed} of {} {}; the alert {left}.",
        fixed.steps.len(),
        if dry { "would change" } else { "changed" },
    );
    super::dry_footer(&preview);
    Ok(())
}

fn set(
    svc: &mut crate::service::Service,
    token: &crate::service::SessionToken,
    s: &AlertSetArgs,
) -> CliResult {
    let id = alert_id(&s.id)?;
    let patch = AlertConfigPatch {
        enabled: s.enabled.map(|x| x.0),
        days: s.days,
        count: s.count,
        percent: s.percent,
        window_secs: s.window.map(|w| w.num_seconds()),
    };
    if patch == AlertConfigPatch::default() {
        return Err(CliError::usage(
            "nothing to change; give --enabled, --days, --count, --percent or --window",
        ));
    }
    let v = svc.configure_alert(token, id, patch)?;
    outln!(
        "{}: {}, {}.",
        v.title,
        if v.config.enabled { "on" } else { "off" },
        v.settings_text()
    );
    Ok(())
}

/// `pim licence [--json]` and `pim licence set p2|free`.
pub fn licence(env: &Env, a: &LicenceArgs) -> CliResult {
    let mut svc = env.open(OpenMode::Existing)?;
    let mut change = None;
    let tenant = match &a.command {
        None => svc.tenant()?,
        Some(LicenceCommand::Set { licence, yes }) => {
            let token = env.token()?;
            let l = match licence {
                LicenceArg::P2 => Licence::P2,
                LicenceArg::Free => Licence::Free,
            };
            let c = svc.set_licence(&token, l, *yes)?;
            let tenant = c.tenant.clone();
            change = Some(c);
            tenant
        }
    };
    let (removed, ended) = change
        .as_ref()
        .map_or((0, 0), |c| (c.removed_eligible, c.ended_activations));
    if a.json {
        return json(&json!({
            "tenant": tenant.domain,
            "licence": tenant.licence.as_str(),
            "removed_eligible": removed,
            "ended_activations": ended,
        }));
    }
    if removed > 0 {
        outln!(
            "Removed {removed} eligible assignment(s) and ended {ended} activation(s) made from them."
        );
    }
    match tenant.licence {
        Licence::P2 => outln!(
            "{}: Microsoft Entra ID P2. Privileged Identity Management is on.",
            tenant.domain
        ),
        Licence::Free => outln!(
            "{}: Microsoft Entra ID Free. Privileged Identity Management is off: only permanent active assignments can be made, nothing can be activated, and PIM sends no e-mail. `pim licence set p2` turns it back on.",
            tenant.domain
        ),
    }
    Ok(())
}

/// The base names of the messages already in a Maildir: without the `:2,…` flags a mail
/// client adds when it reads or flags a message, and without the `,S=…`/`,W=…` size fields
/// some (Dovecot) add to the name.
fn existing(dir: &Path) -> Result<HashSet<String>, CliError> {
    let mut out = HashSet::new();
    for sub in ["new", "cur"] {
        let entries = std::fs::read_dir(dir.join(sub))
            .map_err(|e| CliError::error(format!("reading {}: {e}", dir.join(sub).display())))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let base = name.split([':', ',']).next().unwrap_or(&name).to_owned();
            out.insert(base);
        }
    }
    Ok(out)
}

fn create_maildir(dir: &Path) -> CliResult {
    if dir.exists() && !dir.is_dir() {
        return Err(CliError::usage(format!(
            "{} exists and is not a directory",
            dir.display()
        )));
    }
    for sub in ["tmp", "new", "cur"] {
        files::create_dir_private(&dir.join(sub)).map_err(|e| CliError::error(e.to_string()))?;
    }
    Ok(())
}

/// Writes one file the Maildir way: into `tmp/`, flushed, then renamed into place.
fn deliver(dir: &Path, sub: &str, name: &str, text: &str) -> CliResult {
    let tmp = dir.join("tmp").join(name);
    let fail = |e: std::io::Error| CliError::error(format!("writing {}: {e}", tmp.display()));
    let mut file = files::create_file_private(&tmp).map_err(|e| CliError::error(e.to_string()))?;
    file.write_all(text.as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&tmp, dir.join(sub).join(name)).map_err(fail)?;
    Ok(())
}

/// `pim mail export --maildir DIR`.
pub fn mail(env: &Env, c: MailCommand) -> CliResult {
    let MailCommand::Export { maildir } = c;
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    create_maildir(&maildir)?;
    let mut have = existing(&maildir)?;
    let (mut written, mut skipped, mut after) = (0usize, 0usize, 0i64);
    let everyone = loop {
        let (all, page) = svc.mail_export_page(&token, after, 500)?;
        let Some((last, _)) = page.last() else {
            break all;
        };
        after = *last;
        for (_, email) in &page {
            let (sub, name) = crate::notify::maildir::file_name(email);
            let base = name.split([':', ',']).next().unwrap_or(&name).to_owned();
            if have.contains(&base) {
                skipped += 1;
                continue;
            }
            deliver(
                &maildir,
                sub,
                &name,
                &crate::notify::maildir::rfc5322(email),
            )?;
            have.insert(base);
            written += 1;
        }
    };
    outln!(
        "Wrote {written} message{} to {} ({} already there). {}",
        if written == 1 { "" } else { "s" },
        maildir.display(),
        skipped,
        if everyone {
            "As an administrator you exported every account's mail."
        } else {
            "Only your own mail is exported."
        }
    );
    Ok(())
}
