//! Drawing forms: the generic field list, the activation pane with its stages, the settings
//! editor's tabs and notification matrix, and the assignment forms.

use ratatui::text::{Line, Span};

use super::{safe, theme};
use crate::tui::app::App;
use crate::tui::popup::activate::{ActivatePopup, Stage, Step};
use crate::tui::popup::assign::{AssignPopup, AssignStep, UpdatePopup};
use crate::tui::popup::settings::{SettingsPopup, TABS};
use crate::tui::widgets::{Form, Input, switch};

/// One line per visible field: label, value, note.
pub fn form_lines(form: &Form, label_width: usize, value_width: usize) -> Vec<Line<'static>> {
    field_lines(form, label_width, value_width, true)
}

/// Like [`form_lines`]; `active` false draws no focus (the form is waiting on something else).
pub fn field_lines(
    form: &Form,
    label_width: usize,
    value_width: usize,
    active: bool,
) -> Vec<Line<'static>> {
    form.fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.hidden)
        .map(|(i, f)| {
            let focused = active && i == form.focus;
            let marker = if focused { "▸" } else { " " };
            let mut spans = vec![Span::styled(
                format!("{marker} {:<label_width$} ", f.label),
                if focused {
                    theme::focused()
                } else {
                    ratatui::style::Style::new()
                },
            )];
            let value = match &f.input {
                Input::Text(t) => t.line(focused, value_width),
                Input::Switch(on) => Line::from(Span::styled(
                    switch(*on).to_owned(),
                    if focused {
                        theme::selected()
                    } else {
                        ratatui::style::Style::new()
                    },
                )),
                Input::Choice(c) => c.line(focused),
                Input::Slider(s) => s.line(focused, value_width.saturating_sub(18).clamp(4, 24)),
            };
            spans.extend(value.spans);
            if let Some(note) = &f.note {
                spans.push(Span::styled(format!("  {note}"), theme::muted()));
            }
            Line::from(spans)
        })
        .collect()
}

fn error_lines(error: &Option<String>) -> Vec<Line<'static>> {
    error
        .iter()
        .flat_map(|e| {
            e.lines()
                .map(|l| Line::from(Span::styled(safe(l).into_owned(), theme::error())))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn step_line(name: &str, step: &Step) -> Line<'static> {
    let (mark, style, text) = match step {
        Step::Pending => ("·", theme::muted(), String::new()),
        Step::Running => ("…", theme::warn(), "running".to_owned()),
        Step::Passed(t) => ("✓", theme::ok(), t.clone()),
        Step::Failed(t) => ("✗", theme::error(), t.clone()),
    };
    Line::from(vec![
        Span::styled(format!(" {mark} {name:<11}"), style),
        Span::styled(safe(&text).into_owned(), style),
    ])
}

/// The activation pane.
pub fn activate(p: &ActivatePopup, app: &App, width: usize) -> Vec<Line<'static>> {
    let eligible = |until: Option<crate::clock::Time>| {
        until.map_or("permanently".to_owned(), |t| {
            format!("until {}", app.tz.format(t))
        })
    };
    let mut lines: Vec<Line<'static>> = match p.targets.as_slice() {
        [only] => vec![Line::from(Span::styled(
            format!(
                " Eligible {} · maximum {}",
                eligible(only.eligible_until),
                crate::policy::duration::format_duration(only.settings.max_activation)
            ),
            theme::muted(),
        ))],
        all => {
            let mut l = vec![Line::from(Span::styled(
                " Together, with one code; all are activated or none:",
                theme::muted(),
            ))];
            l.extend(all.iter().map(|t| {
                Line::from(Span::styled(
                    format!(
                        "  • {} · eligible {} · maximum {}",
                        safe(&t.role.display_name),
                        eligible(t.eligible_until),
                        crate::policy::duration::format_duration(t.settings.max_activation)
                    ),
                    theme::muted(),
                ))
            }));
            l
        }
    };
    lines.push(Line::from(""));
    lines.extend(field_lines(
        &p.form,
        9,
        width.saturating_sub(40),
        p.stage == Stage::Form,
    ));
    if p.stage == Stage::Code || matches!(p.steps[1], Step::Failed(_)) && p.stage != Stage::Form {
        lines.push(Line::from(""));
        let marker = |on: bool| if on { "▸ " } else { "  " };
        let style = |on: bool| if on { theme::focused() } else { theme::muted() };
        match p.auth_context() {
            Some(claim) => {
                lines.push(Line::from(Span::styled(
                    format!(
                        " Additional verification required: authentication context {}",
                        safe(claim)
                    ),
                    theme::focused(),
                )));
                lines.push(Line::from(Span::styled(
                    " Your password again, then a fresh code (Tab switches)",
                    theme::muted(),
                )));
                let mut password = vec![Span::styled(
                    format!("{}Password                      ", marker(p.on_password)),
                    style(p.on_password),
                )];
                password.extend(p.password.line(p.on_password, 30).spans);
                lines.push(Line::from(password));
            }
            None => lines.push(Line::from(Span::styled(
                " Additional verification required: MFA",
                theme::focused(),
            ))),
        }
        let on_code = !p.on_password;
        let mut code = vec![Span::styled(
            format!("{}Code from your authenticator ", marker(on_code)),
            style(on_code),
        )];
        code.extend(p.code.line(on_code, 8).spans);
        lines.push(Line::from(code));
    }
    lines.push(Line::from(""));
    lines.push(step_line("Validating", &p.steps[0]));
    lines.push(step_line("Activating", &p.steps[1]));
    lines.push(step_line("Refreshing", &p.steps[2]));
    if !matches!(p.stage, Stage::Done) {
        lines.extend(error_lines(&p.error));
    }
    lines.push(Line::from(""));
    let hint = match p.stage {
        Stage::Form => " Enter activates · Esc cancels",
        Stage::Code => " Enter confirms the code · Esc goes back to the form",
        Stage::Working => " working…",
        Stage::Done => " Done. Enter or Esc closes.",
    };
    lines.push(Line::from(Span::styled(hint, theme::muted())));
    lines
}

/// The settings editor.
pub fn settings(p: &SettingsPopup, width: usize) -> Vec<Line<'static>> {
    let mut tabs = vec![Span::raw(" ")];
    for (i, t) in TABS.iter().enumerate() {
        tabs.push(Span::styled(
            format!(" {t} "),
            if i == p.tab {
                theme::tab_active()
            } else {
                theme::muted()
            },
        ));
        tabs.push(Span::raw(" "));
    }
    tabs.push(Span::styled(" PgUp/PgDn", theme::key()));
    let mut lines = vec![Line::from(tabs), Line::from("")];
    if p.tab == 2 {
        lines.extend(notification_matrix(&p.forms[2], width));
    } else {
        let label = width.saturating_sub(30).min(44);
        lines.extend(form_lines(
            &p.forms[p.tab],
            label,
            width.saturating_sub(label + 6),
        ));
    }
    lines.extend(error_lines(&p.error));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " Enter: Update · Space/←→ change · past the last field: next tab",
        theme::muted(),
    )));
    lines
}

/// The matrix's row names, short enough for one line each.
fn short_type(row: crate::policy::notification::NotifyRow) -> &'static str {
    use crate::policy::notification::{NotifyEvent, NotifyRecipient};
    match (row.event, row.recipient) {
        (NotifyEvent::Activation, NotifyRecipient::Admin) => "Role activation alert",
        (_, NotifyRecipient::Admin) => "Role assignment alert",
        (NotifyEvent::Activation, NotifyRecipient::Requestor) => "Notification to the requestor",
        (_, NotifyRecipient::Requestor) => "Notification to the assignee",
        (NotifyEvent::Activation, NotifyRecipient::Approver) => "Request to approve an activation",
        (_, NotifyRecipient::Approver) => "Request to approve renewal/extension",
    }
}

fn notification_matrix(form: &Form, width: usize) -> Vec<Line<'static>> {
    let extra = width.saturating_sub(84).clamp(10, 40);
    // Type, default (15), additional recipients (extra + 2), critical only (8): the type gives
    // way first on a narrow terminal, so that a row stays on one line.
    let type_w = width.saturating_sub(3 + 15 + extra + 2 + 9).clamp(12, 36);
    let fit = |s: &str| -> String {
        if s.chars().count() <= type_w {
            s.to_owned()
        } else {
            let mut cut: String = s.chars().take(type_w - 1).collect();
            cut.push('…');
            cut
        }
    };
    let mut lines = vec![Line::from(Span::styled(
        format!(
            " {:<w$}   {:<14} {:<e$} {}",
            "Type",
            "Default",
            if extra >= 21 {
                "Additional recipients"
            } else {
                "Additional"
            },
            if width >= 84 {
                "Critical only"
            } else {
                "Critical"
            },
            w = type_w,
            e = extra + 1,
        ),
        theme::heading(),
    ))];
    for (row, chunk) in crate::policy::notification::NotifyRow::ALL
        .iter()
        .zip(form.fields.chunks(3))
    {
        if row.recipient == crate::policy::notification::NotifyRecipient::Admin {
            lines.push(Line::from(Span::styled(
                format!(" {}", row.event_label()),
                theme::muted(),
            )));
        }
        let base = form
            .fields
            .iter()
            .position(|f| f.id == chunk[0].id)
            .unwrap_or(0);
        let cell = |k: usize| -> Vec<Span<'static>> {
            let focused = form.focus == base + k;
            match &chunk[k].input {
                Input::Switch(on) => vec![Span::styled(
                    format!(
                        "{} {}",
                        switch(*on),
                        if k == 0 {
                            chunk[0].label.clone()
                        } else {
                            String::new()
                        }
                    ),
                    if focused {
                        theme::selected()
                    } else {
                        ratatui::style::Style::new()
                    },
                )],
                Input::Text(t) => t.line(focused, extra).spans,
                _ => Vec::new(),
            }
        };
        let mut spans = vec![Span::raw(format!(
            "   {:<w$} ",
            fit(short_type(*row)),
            w = type_w
        ))];
        let default = cell(0);
        let used: usize = default.iter().map(|s| s.content.chars().count()).sum();
        spans.extend(default);
        spans.push(Span::raw(" ".repeat(15usize.saturating_sub(used))));
        let additional = cell(1);
        let used: usize = additional.iter().map(|s| s.content.chars().count()).sum();
        spans.extend(additional);
        spans.push(Span::raw(
            " ".repeat((extra + 2).saturating_sub(used).max(1)),
        ));
        spans.extend(cell(2));
        lines.push(Line::from(spans));
    }
    lines
}

/// The add-assignment form.
pub fn assign(p: &AssignPopup, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match p.step {
        AssignStep::Members => {
            lines.push(Line::from(Span::styled(
                " Step 1 of 2 · Select members",
                theme::focused(),
            )));
            let mut search = vec![Span::raw(" Search: ")];
            search.extend(p.search.line(true, width.saturating_sub(12)).spans);
            lines.push(Line::from(search));
            lines.push(Line::from(""));
            for (i, u) in p.results.iter().enumerate().take(8) {
                let chosen = p.chosen.iter().any(|c| c.id == u.principal.id);
                let style = if i == p.cursor {
                    theme::selected()
                } else {
                    ratatui::style::Style::new()
                };
                lines.push(Line::from(Span::styled(
                    format!(
                        " {} {}  {}",
                        if chosen { "[x]" } else { "[ ]" },
                        safe(&u.principal.display_name),
                        u.principal.upn
                    ),
                    style,
                )));
            }
            if p.results.is_empty() {
                lines.push(Line::from(Span::styled(" Nobody matches.", theme::muted())));
            }
            lines.push(Line::from(""));
            let chosen: Vec<String> = p.chosen.iter().map(|c| c.upn.clone()).collect();
            lines.push(Line::from(format!(
                " Selected: {}",
                if chosen.is_empty() {
                    "none".to_owned()
                } else {
                    chosen.join(", ")
                }
            )));
            lines.push(Line::from(Span::styled(
                " ↑↓ move · Space selects · Enter: Next · Esc cancels",
                theme::muted(),
            )));
        }
        AssignStep::Settings => {
            let who: Vec<String> = p.chosen.iter().map(|c| c.upn.clone()).collect();
            lines.push(Line::from(Span::styled(
                format!(" Step 2 of 2 · Assignment settings for {}", who.join(", ")),
                theme::focused(),
            )));
            let s = &p.settings;
            lines.push(Line::from(Span::styled(
                format!(
                    " {} permanent eligible (else up to {}), {} permanent active (else up to {})",
                    if s.allow_permanent_eligible {
                        "Allows"
                    } else {
                        "No"
                    },
                    s.expire_eligible_after.label(),
                    if s.allow_permanent_active {
                        "allows"
                    } else {
                        "no"
                    },
                    s.expire_active_after.label()
                ),
                theme::muted(),
            )));
            lines.push(Line::from(""));
            lines.extend(form_lines(&p.form, 20, width.saturating_sub(26)));
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                " Enter: Assign · Space/←→ change · Esc: back to members",
                theme::muted(),
            )));
        }
    }
    lines.extend(error_lines(&p.error));
    lines
}

/// The update form.
pub fn update(p: &UpdatePopup, app: &App, width: usize) -> Vec<Line<'static>> {
    let a = &p.row.assignment;
    let mut lines = vec![
        Line::from(format!(
            " {} · {}",
            safe(&p.row.principal.display_name),
            p.row.principal.upn
        )),
        Line::from(Span::styled(
            format!(
                " Now: {} · {}",
                a.kind.label(),
                a.end.map_or("permanent".to_owned(), |t| format!(
                    "until {}",
                    app.tz.format(t)
                ))
            ),
            theme::muted(),
        )),
        Line::from(""),
    ];
    lines.extend(form_lines(&p.form, 20, width.saturating_sub(26)));
    lines.extend(error_lines(&p.error));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " Enter: Update · Esc cancels · a new end counts from now",
        theme::muted(),
    )));
    lines
}

/// A plain form with its error.
pub fn plain(form: &Form, error: &Option<String>, width: usize) -> Vec<Line<'static>> {
    let mut lines = form_lines(form, 24, width.saturating_sub(30));
    lines.extend(error_lines(error));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " Enter submits · Esc cancels",
        theme::muted(),
    )));
    lines
}
