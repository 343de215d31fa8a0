//! The lifecycle popups' texts: an assignment in one line, an alert, an alert fix's steps and
//! a review, as the console shows them.

use crate::service::AlertView;
use crate::store::assignments::AssignmentRow;

use super::app::App;

pub(super) fn assignment_line(row: &AssignmentRow, app: &App) -> String {
    format!(
        "{} · {} {} · {}",
        row.principal.upn,
        row.assignment.kind.label(),
        row.role.display_name,
        row.assignment
            .end
            .map_or("permanent".to_owned(), |t| format!(
                "{} {}",
                if t <= app.now() { "ended" } else { "ends" },
                app.tz.format(t)
            ))
    )
}

/// An alert in full: state, settings, why, the fix, and every affected item.
pub(super) fn alert_text(a: &AlertView) -> String {
    let mut lines = vec![
        format!(
            "Severity: {} · {} · {} affected",
            a.severity.as_str(),
            a.state(),
            a.affected
        ),
        format!("Settings: {}", a.settings_text()),
        String::new(),
        "Why it matters".into(),
        format!("  {}", a.impact),
        String::new(),
        "How to fix it".into(),
        format!("  {}", a.fix),
        String::new(),
        "Affected".into(),
    ];
    if a.incidents.is_empty() {
        lines.push("  nothing".into());
    }
    lines.extend(a.incidents.iter().map(|i| format!("  - {}", i.text)));
    if a.affected > a.incidents.len() {
        lines.push(format!(
            "  … and {} more: pim alerts show {} lists them all",
            a.affected - a.incidents.len(),
            a.id.slug()
        ));
    }
    lines.push(String::new());
    lines.push(if a.id.remediable() {
        "On the list: f fixes it (shown first), x dismisses it, s changes its settings.".into()
    } else {
        "On the list: x dismisses it, s changes its settings.".into()
    });
    lines.join("\n")
}

/// Items a fix popup lists before "… and N more".
const FIX_LINES: usize = 12;

/// A fix's items and what happens to each, for a popup: what would change (`preview`) or what
/// changed.
pub(super) fn fix_text(fixed: &crate::service::AlertFixed, preview: bool) -> String {
    let changed = fixed.steps.iter().filter(|s| s.refused.is_none()).count();
    let mut lines = vec![format!(
        "{}: {changed} of {} {}.",
        fixed.alert.title(),
        fixed.steps.len(),
        if preview { "would change" } else { "changed" }
    )];
    lines.push(String::new());
    for s in fixed.steps.iter().take(FIX_LINES) {
        lines.push(match &s.refused {
            None => format!("  - {}: {}", s.item, s.change),
            Some(why) => format!("  - {}: left ({why})", s.item),
        });
    }
    if fixed.steps.len() > FIX_LINES {
        lines.push(format!(
            "  … and {} more: pim alerts fix {} --dry-run lists them all",
            fixed.steps.len() - FIX_LINES,
            fixed.alert.slug()
        ));
    }
    lines.join("\n")
}

/// One review in full, for its popup.
pub(super) fn review_text(v: &crate::service::ReviewView, tz: super::app::Tz) -> String {
    let mut lines = vec![
        format!("{} · {} · {}", v.role.display_name, v.status, v.id),
        format!("Runs {} to {}", tz.format(v.start), tz.format(v.end)),
        format!(
            "Reviewers: {}",
            if v.self_review {
                "each member, their own access".to_owned()
            } else {
                v.reviewers
                    .iter()
                    .map(|p| p.upn.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        format!(
            "Recurrence: {} · results {}",
            v.recurrence.as_deref().unwrap_or("once"),
            if v.auto_apply {
                "applied at the end"
            } else {
                "not applied by themselves"
            }
        ),
        String::new(),
    ];
    for i in &v.items {
        let decision = match (&i.decision, &i.decided_by) {
            (Some(d), Some(by)) => format!("{d} by {by} ({})", i.reason.as_deref().unwrap_or("")),
            _ => "not decided".into(),
        };
        lines.push(format!(
            "  - {} ({}): recommends {} ({}); {}{}",
            i.principal.upn,
            i.kind,
            i.recommendation,
            i.recommendation_reason,
            decision,
            i.outcome
                .as_deref()
                .map(|o| format!("; {o}"))
                .unwrap_or_default()
        ));
    }
    lines.join("\n")
}
