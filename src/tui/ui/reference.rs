//! The text of the popups that show reference rather than ask: the `?` key list, built from
//! the keymap, and one audit entry in full.

use ratatui::text::{Line, Span};

use super::{lines, safe, theme};
use crate::tui::app::App;
use crate::tui::keymap::{Context, bindings};

/// The keys of `contexts` (and the global keys where they apply), from the keymap.
pub(super) fn help_lines(contexts: &[Context]) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(
        "Keys that work here (Ctrl-c always quits)",
        theme::muted(),
    ))];
    let mut shown: Vec<Context> = contexts.to_vec();
    if !shown.contains(&Context::Global)
        && shown.iter().any(|c| {
            matches!(
                c,
                Context::MyRoles
                    | Context::Roles
                    | Context::RoleDetail
                    | Context::Audit
                    | Context::Inbox
            )
        })
    {
        shown.push(Context::Global);
    }
    for ctx in shown {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(ctx.title(), theme::heading())));
        for b in bindings().filter(|b| b.context == ctx) {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<10}", b.label), theme::key()),
                Span::raw(b.hint),
            ]));
        }
    }
    out
}

/// One audit entry, every field and its details pretty-printed; text from the database is
/// made safe to print.
pub(super) fn audit_lines(r: &crate::audit::AuditRecord, app: &App) -> Vec<Line<'static>> {
    let field = |k: &str, v: Option<&str>| {
        Line::from(vec![
            Span::styled(format!("{k:<14}"), theme::muted()),
            Span::raw(safe(v.unwrap_or("-")).into_owned()),
        ])
    };
    let mut out = vec![field("Time", Some(&app.tz.format(r.time)))];
    if let Some(real) = r
        .real_time
        .filter(|real| (*real - r.time).num_seconds().abs() >= 60)
    {
        out.push(field("Real time", Some(&app.tz.format(real))));
    }
    out.extend([
        field("Activity", Some(&r.activity)),
        field("Result", Some(r.result.as_str())),
        field("By", r.actor.as_deref()),
        field("Role", r.role.as_deref()),
        field("Target", r.target.as_deref()),
        field("Justification", r.justification.as_deref()),
        field("Ticket", r.ticket_number.as_deref()),
        field("Ticket system", r.ticket_system.as_deref()),
        field("Entry id", Some(&r.id)),
        Line::from(""),
        Line::from(Span::styled("Details", theme::heading())),
    ]);
    let pretty = serde_json::from_str::<serde_json::Value>(&r.details)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| r.details.clone());
    out.extend(lines(&pretty));
    out
}
