//! Drawing popups: a cleared, bordered box over the screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::reference::{audit_lines, help_lines};
use super::{centered, forms, lines, safe, theme};
use crate::tui::app::App;
use crate::tui::popup::{Popup, Tone};

/// Draws a bordered box of at most `size`, no taller than its content needs.
/// An enrolment: what it is, the QR code in its own colours, the secret.
fn enrolment(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    intro: &[String],
    e: &crate::service::Enrolment,
) {
    let mut body: Vec<Line<'static>> = intro
        .iter()
        .map(|l| Line::from(safe(l).into_owned()))
        .collect();
    body.push(Line::from(""));
    let width = e.qr.as_ref().map_or(40, |q| q.side() + 4);
    if let Some(code) = &e.qr {
        let rows = code.cells().len();
        if usize::from(area.width) < code.side() + 4
            || usize::from(area.height) < rows + intro.len() + 6
        {
            // A QR code that wraps or is cut does not scan.
            body.push(Line::from(Span::styled(
                format!(
                    "Make the terminal at least {}×{} to show the QR code; or use the secret or the otpauth URI (pim lab qr UPN).",
                    code.side() + 4,
                    rows + intro.len() + 6
                ),
                theme::warn(),
            )));
        } else {
            body.extend(super::qr_lines(code, 0));
        }
    }
    body.push(Line::from(format!("Secret: {}", e.secret)));
    body.push(Line::from(Span::styled("Esc: close", theme::muted())));
    let height = body.len() + 2;
    let width = width.max(
        intro
            .iter()
            .map(|l| l.chars().count() + 2)
            .max()
            .unwrap_or(0),
    );
    boxed(
        frame,
        area,
        title,
        Tone::Success,
        body,
        0,
        (
            u16::try_from(width).unwrap_or(u16::MAX),
            u16::try_from(height).unwrap_or(u16::MAX),
        ),
    );
}

fn boxed(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    tone: Tone,
    body: Vec<Line<'static>>,
    scroll: u16,
    size: (u16, u16),
) {
    // A cell of margin inside the border, so wrapped lines keep the margin of the first.
    let inner_width = usize::from(size.0.min(area.width).saturating_sub(4)).max(1);
    let needed: usize = body
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_width))
        .sum();
    let height = u16::try_from(needed + 2).unwrap_or(u16::MAX).min(size.1);
    let rect = centered(area, size.0, height);
    let visible = usize::from(rect.height.saturating_sub(2)).max(1);
    // Never scrolled past the end; when it does not all fit, the title says where it is.
    let scroll = scroll.min(u16::try_from(needed.saturating_sub(visible)).unwrap_or(u16::MAX));
    let title = if needed > visible {
        let first = usize::from(scroll) + 1;
        format!(
            "{title} · ↑↓ lines {first}–{} of {needed}",
            (first + visible - 1).min(needed)
        )
    } else {
        title.to_owned()
    };
    let style = match tone {
        Tone::Error => theme::error(),
        Tone::Success => theme::ok(),
        Tone::Info => theme::title(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .padding(ratatui::widgets::Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), style));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(body)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        rect,
    );
}

/// A form's box turns red while it shows an error.
fn form_tone(error: &Option<String>) -> Tone {
    if error.is_some() {
        Tone::Error
    } else {
        Tone::Info
    }
}

/// Draws one popup.
pub fn render(frame: &mut Frame, area: Rect, app: &App, popup: &Popup) {
    let w = usize::from(area.width.min(110)).saturating_sub(4);
    match popup {
        Popup::Help { contexts, scroll } => boxed(
            frame,
            area,
            "Keys",
            Tone::Info,
            help_lines(contexts),
            *scroll,
            (76, 30),
        ),
        Popup::Message {
            title,
            lines: text,
            tone,
            scroll,
        } => {
            let body: Vec<Line> = text
                .iter()
                .map(|l| Line::from(safe(l).into_owned()))
                .collect();
            // The box grows with wrapped lines up to the screen's height.
            boxed(frame, area, title, *tone, body, *scroll, (80, 40));
        }
        Popup::Confirm {
            title, question, ..
        } => {
            // A question may list what it would do, a line each.
            let mut body: Vec<Line> = question
                .split('\n')
                .map(|l| Line::from(safe(l).into_owned()))
                .collect();
            let size = if body.len() > 1 { (80, 40) } else { (70, 7) };
            body.push(Line::from(""));
            body.push(Line::from(vec![
                Span::styled("y", theme::key()),
                Span::raw(" yes   "),
                Span::styled("n", theme::key()),
                Span::raw(" no"),
            ]));
            boxed(frame, area, title, Tone::Info, body, 0, size);
        }
        Popup::LabAccounts(accounts) => {
            let mut body = vec![
                Line::from(
                    "The training lab is ready. Passwords and authenticator secrets are shown",
                ),
                Line::from(
                    "only now; Ctrl-a on the sign-in screen shows each account's current code.",
                ),
                Line::from(""),
            ];
            for a in accounts {
                let roles = if a.roles.is_empty() {
                    "no roles".to_owned()
                } else {
                    format!("{} (active, permanent)", a.roles.join(", "))
                };
                body.push(Line::from(Span::styled(
                    format!("{}  ·  {}", a.upn, roles),
                    theme::focused(),
                )));
                body.push(Line::from(format!(
                    "  password {}   secret {}",
                    a.password, a.totp_secret
                )));
            }
            body.push(Line::from(""));
            body.push(Line::from(Span::styled(
                "Enter continues to sign-in.",
                theme::muted(),
            )));
            boxed(
                frame,
                area,
                "Training lab created",
                Tone::Success,
                body,
                0,
                (84, 16),
            );
        }
        Popup::Authenticator(panel) => match &panel.qr {
            Some(e) => enrolment(
                frame,
                area,
                &format!(
                    "Authenticator – {}",
                    safe(
                        &panel
                            .codes
                            .get(panel.selected)
                            .map_or(String::new(), |c| c.principal.upn.clone())
                    )
                ),
                &["Scan with an authenticator app on a phone (or type the secret).".to_owned()],
                e,
            ),
            None => {
                let mut body = vec![
                    Line::from(Span::styled(
                        "Lab authenticator: the code each account's app would show now.",
                        theme::muted(),
                    )),
                    Line::from(""),
                ];
                for (i, c) in panel.codes.iter().enumerate() {
                    let code = c
                        .code
                        .as_deref()
                        .map_or("------".to_owned(), |c| format!("{} {}", &c[..3], &c[3..]));
                    let bar: String = (0..15)
                        .map(|i| if i * 2 < c.seconds_left { '█' } else { '░' })
                        .collect();
                    let mark = if i == panel.selected { "▸ " } else { "  " };
                    body.push(Line::from(vec![
                        Span::raw(format!("{mark}{:<32}", safe(&c.principal.upn))),
                        Span::styled(code, theme::title()),
                        Span::styled(format!("  {bar} {:>2}s", c.seconds_left), theme::muted()),
                    ]));
                }
                body.push(Line::from(""));
                body.push(Line::from(Span::styled(
                    "↑↓ account · Enter its QR code, to add it to a real phone · Esc close",
                    theme::muted(),
                )));
                boxed(
                    frame,
                    area,
                    "Authenticator",
                    Tone::Info,
                    body,
                    0,
                    (90, u16::try_from(panel.codes.len() + 7).unwrap_or(20)),
                );
            }
        },
        Popup::Request {
            view,
            lines: text,
            scroll,
        } => {
            let mut body: Vec<Line> = text
                .iter()
                .map(|l| Line::from(safe(l).into_owned()))
                .collect();
            let mut keys: Vec<&str> = Vec::new();
            if view.can_decide {
                keys.extend(["a approve", "d deny"]);
            }
            if view.request.status.is_pending() {
                keys.push("c cancel");
            }
            keys.push("Esc close");
            body.push(Line::from(""));
            body.push(Line::from(Span::styled(keys.join(" · "), theme::muted())));
            boxed(frame, area, "Request", Tone::Info, body, *scroll, (80, 40));
        }
        Popup::Accounts(list, selected) => {
            let now = app.real_now();
            let mut body = vec![Line::from(Span::styled(
                format!("{:<40} {:<9} {}", "  Account", "Sign-in", "Lockout"),
                theme::heading(),
            ))];
            for (i, u) in list.iter().enumerate() {
                let lock = match u.locked_until.filter(|t| *t > now) {
                    Some(t) => format!("locked until {}", app.tz.format(t)),
                    None if u.lockouts > 0 => format!("{} lockout(s), not locked now", u.lockouts),
                    None => String::new(),
                };
                let mark = if i == *selected { "▸ " } else { "  " };
                let line = format!(
                    "{mark}{:<38} {:<9} {lock}",
                    safe(&u.principal.upn),
                    if u.enabled { "enabled" } else { "disabled" }
                );
                body.push(Line::from(Span::styled(
                    line,
                    if i == *selected {
                        theme::selected()
                    } else if lock.starts_with("locked") {
                        theme::warn()
                    } else {
                        ratatui::style::Style::new()
                    },
                )));
            }
            body.push(Line::from(""));
            body.push(Line::from(Span::styled(
                "u unlocks the selected account (as pim users unlock UPN) · Esc closes",
                theme::muted(),
            )));
            let height = u16::try_from(body.len() + 2).unwrap_or(20);
            boxed(frame, area, "Accounts", Tone::Info, body, 0, (96, height));
        }
        Popup::Scenarios(p) => {
            let mut body: Vec<Line<'static>> = Vec::new();
            match p.stop {
                None => {
                    body.push(Line::from(Span::styled(
                        "Build the lab as a story leaves it; its steps run as the real pim.",
                        theme::muted(),
                    )));
                    body.push(Line::from(""));
                    for (i, s) in p.scenarios.iter().enumerate() {
                        let mark = if i == p.selected { "▸ " } else { "  " };
                        let style = if i == p.selected {
                            theme::selected()
                        } else {
                            ratatui::style::Style::new()
                        };
                        body.push(Line::from(Span::styled(
                            format!("{mark}{:<14} {}", s.name, safe(&s.title)),
                            style,
                        )));
                    }
                }
                Some(stop) => {
                    let s = &p.scenarios[p.selected];
                    body.push(Line::from(Span::styled(
                        format!("{}: where should it stop?", safe(&s.title)),
                        theme::focused(),
                    )));
                    body.push(Line::from(""));
                    for i in 0..s.steps.len() {
                        let text = if i == 0 {
                            format!("after every step ({} steps)", s.steps.len())
                        } else {
                            format!("before {}: {}", s.steps[i].id, safe(&s.steps[i].title))
                        };
                        let mark = if i == stop { "▸ " } else { "  " };
                        let style = if i == stop {
                            theme::selected()
                        } else {
                            ratatui::style::Style::new()
                        };
                        body.push(Line::from(Span::styled(format!("{mark}{text}"), style)));
                    }
                }
            }
            let height = u16::try_from(body.len() + 2).unwrap_or(20);
            boxed(
                frame,
                area,
                "Play a scenario",
                Tone::Info,
                body,
                0,
                (84, height),
            );
        }
        Popup::Enrolment {
            title,
            intro,
            enrolment: e,
        } => enrolment(frame, area, title, intro, e),
        Popup::Email(e, scroll) => {
            let mut body = vec![
                Line::from(format!("From:    {}", crate::notify::FROM)),
                Line::from(format!("To:      {}", safe(&e.to))),
                Line::from(format!("Date:    {}", app.tz.format(e.time))),
                Line::from(Span::styled(
                    format!("Subject: {}", safe(&e.subject)),
                    theme::focused(),
                )),
                Line::from(""),
            ];
            body.extend(lines(&e.body));
            boxed(frame, area, "Message", Tone::Info, body, *scroll, (90, 30));
        }
        Popup::AuditEntry(r, scroll) => boxed(
            frame,
            area,
            &format!("Audit entry #{}", r.seq),
            Tone::Info,
            audit_lines(r, app),
            *scroll,
            (90, 26),
        ),
        Popup::Activate(p) => {
            let tone = form_tone(&p.error);
            boxed(
                frame,
                area,
                &if p.targets.len() == 1 {
                    format!("Activate – {}", safe(&p.names()))
                } else {
                    format!("Activate {} roles", p.targets.len())
                },
                tone,
                forms::activate(p, app, 76),
                0,
                (80, 22),
            );
        }
        Popup::Settings(p) => {
            let tone = form_tone(&p.error);
            boxed(
                frame,
                area,
                &format!("Edit role setting – {}", safe(&p.role.display_name)),
                tone,
                forms::settings(p, w),
                0,
                (110, 34),
            );
        }
        Popup::Assign(p) => boxed(
            frame,
            area,
            &format!("Add assignments – {}", safe(&p.role.display_name)),
            Tone::Info,
            forms::assign(p, 80),
            0,
            (86, 22),
        ),
        Popup::Update(p) => boxed(
            frame,
            area,
            &format!("Update assignment – {}", safe(&p.row.role.display_name)),
            Tone::Info,
            forms::update(p, app, 76),
            0,
            (80, 16),
        ),
        Popup::Tenant(form, error) => boxed(
            frame,
            area,
            "Create a tenant",
            Tone::Info,
            forms::plain(form, error, 76),
            0,
            (80, 14),
        ),
        Popup::Lifecycle(p) => {
            let tone = form_tone(&p.error);
            let mut body: Vec<Line> = p
                .intro
                .iter()
                .map(|l| Line::from(format!(" {}", safe(l))))
                .collect();
            body.push(Line::from(""));
            body.extend(forms::plain(&p.form, &p.error, 76));
            boxed(frame, area, &safe(&p.title), tone, body, 0, (80, 20));
        }
        Popup::AuditFilter(form) => boxed(
            frame,
            area,
            "Filter the audit log",
            Tone::Info,
            forms::plain(form, &None, 76),
            0,
            (80, 12),
        ),
    }
}
