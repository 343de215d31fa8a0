//! Render snapshots of every screen and popup at 80×24 on a fixed clock (GUIDs redacted), a
//! small and a tiny size, and the styles that carry meaning.

use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;

use super::*;
use crate::policy::model::Principal;
use crate::service::AuthenticatorCode;
use crate::tui::popup::Popup;

const GUID: &str = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

pub(super) fn snap(name: &str, t: &Terminal<TestBackend>) {
    insta::with_settings!({
        filters => vec![(GUID, "[guid]")],
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, t.backend());
    });
}

/// The position of the first cell where `needle` starts.
fn find(t: &Terminal<TestBackend>, needle: &str) -> Option<(u16, u16)> {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        let row: Vec<String> = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_owned())
            .collect();
        let text: String = row.concat();
        if let Some(byte) = text.find(needle) {
            let mut col = 0usize;
            let mut seen = 0usize;
            for (i, s) in row.iter().enumerate() {
                if seen >= byte {
                    col = i;
                    break;
                }
                seen += s.len();
            }
            return Some((u16::try_from(col).unwrap(), y));
        }
    }
    None
}

fn fg(t: &Terminal<TestBackend>, at: (u16, u16)) -> Option<Color> {
    t.backend().buffer()[at].fg.into()
}

#[test]
fn first_run_screen() {
    let app = App::with_service(None, "lab.db".into(), Tz::Utc);
    snap("first_run", &draw(&app, 80, 24));
}

#[test]
fn sign_in_screens() {
    let mut h = Harness::lab();
    snap("sign_in_80x24", &h.draw(80, 24));
    snap("sign_in_100x30_with_lab_accounts", &h.draw(100, 30));
    h.text("pimuser@pimlab.onmicrosoft.com");
    h.key(KeyCode::Tab);
    let pw = h.account("pimuser").password.clone();
    h.text(&pw);
    h.key(KeyCode::Enter);
    snap("sign_in_code", &h.draw(80, 24));
}

#[test]
fn enrolment_at_first_sign_in() {
    let mut h = Harness::lab();
    let admin = h.session("admin", 0);
    h.engine()
        .add_user(
            &admin,
            "newhire@pimlab.onmicrosoft.com",
            "New Hire",
            Some("correct horse battery"),
        )
        .unwrap();
    // A fixed secret, so the QR code in the snapshot stays the same.
    let engine = h.engine();
    let conn = engine.store().conn();
    let id: String = conn
        .one(
            "SELECT id FROM users WHERE upn = 'newhire@pimlab.onmicrosoft.com'",
            crate::args![],
            |r| r.get(0),
        )
        .unwrap();
    let sealed = h
        .engine()
        .store()
        .sealer()
        .seal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", &id)
        .unwrap();
    conn.exec(
        "UPDATE users SET totp_sealed = ?1 WHERE id = ?2",
        crate::args![sealed, id],
    )
    .unwrap();
    h.text("newhire@pimlab.onmicrosoft.com");
    h.key(KeyCode::Tab);
    h.text("correct horse battery");
    h.key(KeyCode::Enter);
    snap("sign_in_enrolment_100x40", &h.draw(100, 40));
}

#[test]
fn my_roles_screens_and_the_activation_pane() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.sign_in_keys("pimuser", 0);
    snap("my_roles_eligible", &h.draw(80, 24));
    h.key(KeyCode::Char('a'));
    snap("activate_form", &h.draw(80, 24));
    h.key(KeyCode::Enter);
    let t = h.draw(80, 24);
    snap("activate_refused", &t);
    let at = find(&t, "JustificationRule").expect("the rule is on screen");
    assert_eq!(fg(&t, at), Some(Color::Red), "refusals are red");
    h.key(KeyCode::Down);
    h.text("Reviewing sign-in logs");
    h.key(KeyCode::Enter);
    snap("activate_code", &h.draw(80, 24));
    let fresh = h.code("pimuser", 1);
    h.text(&fresh);
    h.key(KeyCode::Enter);
    snap("activate_done", &h.draw(80, 24));
    h.key(KeyCode::Enter);
    snap("my_roles_active", &h.draw(80, 24));
    snap("my_roles_active_60x15", &h.draw(60, 15));
    h.wait(TimeDelta::hours(7) + TimeDelta::minutes(55));
    let t = h.draw(80, 24);
    let at = find(&t, "5m 00s left").expect("countdown with seconds near the end");
    assert_eq!(fg(&t, at), Some(Color::Yellow), "ending soon is yellow");
}

#[test]
fn the_admin_side() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.sign_in_keys("admin", 1);
    h.key(KeyCode::Char('2'));
    snap("roles_catalogue", &h.draw(80, 24));
    h.key(KeyCode::Char('/'));
    h.text("security reader");
    h.key(KeyCode::Enter);
    snap("roles_search", &h.draw(80, 24));
    h.key(KeyCode::Enter);
    snap("role_detail", &h.draw(80, 24));
    h.key(KeyCode::Char('e'));
    snap("settings_activation", &h.draw(80, 24));
    h.key(KeyCode::PageDown);
    snap("settings_assignment", &h.draw(80, 24));
    h.key(KeyCode::PageDown);
    snap("settings_notification_110x30", &h.draw(110, 30));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('n'));
    h.text("appr");
    snap("assign_members", &h.draw(80, 24));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Enter);
    snap("assign_settings", &h.draw(80, 24));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    assert!(h.app.popups.is_empty());
    h.key(KeyCode::Char('u'));
    snap("update_assignment", &h.draw(80, 24));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('x'));
    snap("confirm_remove", &h.draw(80, 24));
}

#[test]
fn a_read_only_account_sees_the_banner() {
    let mut h = Harness::lab();
    h.sign_in_keys("pimuser", 0);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Enter);
    snap("role_detail_read_only", &h.draw(80, 24));
}

#[test]
fn audit_inbox_and_their_popups() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.sign_in_keys("admin", 1);
    h.key(KeyCode::Char('3'));
    snap("audit", &h.draw(80, 24));
    h.key(KeyCode::Enter);
    snap("audit_entry", &h.draw(80, 24));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('f'));
    snap("audit_filter", &h.draw(80, 24));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('4'));
    snap("inbox", &h.draw(80, 24));
    h.key(KeyCode::Enter);
    snap("email", &h.draw(80, 24));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('?'));
    snap("help", &h.draw(80, 24));
}

#[test]
fn popups_with_secrets_use_fixed_data() {
    let mut h = Harness::lab();
    let who = |n: &str| Principal {
        id: n.into(),
        upn: format!("{n}@pimlab.onmicrosoft.com"),
        display_name: n.into(),
    };
    h.app.popups.push(Popup::Authenticator(Box::new(
        crate::tui::popup::AuthPanel::new(vec![
            AuthenticatorCode {
                principal: who("admin"),
                code: Some("123456".into()),
                seconds_left: 17,
            },
            AuthenticatorCode {
                principal: who("pimuser"),
                code: Some("654321".into()),
                seconds_left: 17,
            },
        ]),
    )));
    snap("authenticator", &h.draw(80, 24));
    h.app.popups.clear();
    h.app.popups.push(Popup::LabAccounts(vec![CreatedAccount {
        upn: "admin@pimlab.onmicrosoft.com".into(),
        display_name: "Lab Admin".into(),
        password: "Kq7m-Rt4x-Hv9p-Wz3c".into(),
        totp_secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into(),
        otpauth_uri: String::new(),
        roles: vec!["Global Administrator".into()],
    }]));
    snap("lab_accounts", &h.draw(80, 24));
    h.app.popups.clear();
    h.app.popups.push(Popup::tenant_form());
    snap("tenant_form", &h.draw(80, 24));
}

#[test]
fn tiny_terminals_get_a_message_not_a_panic() {
    let mut h = Harness::lab();
    h.sign_in_keys("admin", 0);
    for (w, h_) in [(1, 1), (10, 3), (39, 24), (80, 9), (40, 10)] {
        let _ = draw(&h.app, w, h_);
    }
    h.key(KeyCode::Char('e'));
    let t = draw(&h.app, 30, 8);
    assert!(
        screen_text(&t).contains("Make the terminal"),
        "{}",
        screen_text(&t)
    );
    snap("too_small_30x8", &t);
}

#[test]
fn several_marked_roles_in_one_activation_pane() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.wait(TimeDelta::seconds(30));
    h.make_eligible("Exchange Administrator");
    h.wait(TimeDelta::seconds(30));
    h.sign_in_keys("pimuser", 0);
    snap("my_roles_mark_hint", &h.draw(80, 24));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char(' '));
    snap("my_roles_marked", &h.draw(80, 24));
    h.key(KeyCode::Char('a'));
    snap("activate_several", &h.draw(80, 24));
}

/// The screen as a camera sees it under a terminal theme: each cell's glyph and its colours
/// as grey levels, the theme's defaults where the console sets none.
fn camera(t: &Terminal<TestBackend>, theme: (u8, u8)) -> Vec<Vec<(char, u8, u8)>> {
    let grey = |c: Color, default: u8| match c {
        Color::Reset => default,
        Color::Indexed(crate::auth::qr::DARK) | Color::Black => 0,
        Color::Indexed(crate::auth::qr::LIGHT) | Color::White => 255,
        Color::Rgb(r, g, b) => ((u16::from(r) + u16::from(g) + u16::from(b)) / 3) as u8,
        _ => 128,
    };
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| {
                    let cell = &buf[(x, y)];
                    let glyph = cell.symbol().chars().next().unwrap_or(' ');
                    (glyph, grey(cell.fg, theme.0), grey(cell.bg, theme.1))
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_lab_accounts_qr_code_scans_on_light_and_dark_terminals() {
    use crate::auth::qr::scan;
    let mut h = Harness::lab();
    h.ctrl('a');
    let Some(Popup::Authenticator(panel)) = h.app.popups.last() else {
        panic!("{:?}", h.app.popups.last())
    };
    let at = panel
        .codes
        .iter()
        .position(|c| c.principal.upn.starts_with("pimuser@"))
        .unwrap();
    for _ in 0..at {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    let Some(Popup::Authenticator(panel)) = h.app.popups.last() else {
        panic!("{:?}", h.app.popups.last())
    };
    let uri = panel.qr.as_ref().expect("the QR code is shown").uri.clone();
    assert!(
        uri.contains(&format!("secret={}", h.account("pimuser").totp_secret)),
        "{uri}"
    );
    let t = h.draw(100, 40);
    for theme in [scan::LIGHT_THEME, scan::DARK_THEME] {
        assert_eq!(
            scan::decode(&camera(&t, theme)).as_deref(),
            Some(uri.as_str()),
            "theme {theme:?}"
        );
    }
    // Too small a terminal says so rather than drawing a code that cannot scan.
    let small = screen_text(&h.draw(60, 20));
    assert!(small.contains("Make the terminal at least"), "{small}");
    h.key(KeyCode::Esc);
    let Some(Popup::Authenticator(panel)) = h.app.popups.last() else {
        panic!()
    };
    assert!(panel.qr.is_none(), "Esc goes back to the codes");
}

#[test]
fn the_enrolment_qr_at_first_sign_in_scans_on_light_and_dark_terminals() {
    use crate::auth::qr::scan;
    let mut h = Harness::lab();
    let admin = h.session("admin", 0);
    let new = h
        .engine()
        .add_user(
            &admin,
            "newhire@pimlab.onmicrosoft.com",
            "New Hire",
            Some("correct horse battery"),
        )
        .unwrap();
    // First sign-in: the account registers its authenticator (More information required).
    h.text("newhire@pimlab.onmicrosoft.com");
    h.key(KeyCode::Tab);
    h.text("correct horse battery");
    h.key(KeyCode::Enter);
    let t = h.draw(100, 50);
    for theme in [scan::LIGHT_THEME, scan::DARK_THEME] {
        assert_eq!(
            scan::decode(&camera(&t, theme)).as_deref(),
            Some(new.enrolment.uri.as_str()),
            "theme {theme:?}"
        );
    }
}

#[test]
fn narrow_terminals_keep_names_tabs_and_whole_keys() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    h.sign_in_keys("pimuser", 0);
    for width in [60, 40] {
        let text = screen_text(&h.draw(width, 20));
        assert!(
            text.contains("Security Reader"),
            "{width}: the role's name stays:\n{text}"
        );
        let tabs = text.lines().nth(2).unwrap();
        for n in ["1", "2", "3", "4", "5", "6"] {
            assert!(tabs.contains(n), "{width}: tab {n} is on screen: {tabs:?}");
        }
        let footer = text.lines().last().unwrap().trim_end();
        for word in footer.split_whitespace() {
            assert!(
                [
                    "?",
                    "help",
                    "←→",
                    "eligible/active/groups/expired",
                    "a",
                    "activate",
                    "Space",
                    "mark",
                    "several",
                    "t",
                    "extend",
                    "q",
                    "quit"
                ]
                .contains(&word),
                "{width}: no key is cut: {footer:?}"
            );
        }
    }
    snap("my_roles_eligible_40x12", &h.draw(40, 12));
}

#[test]
fn the_settings_editor_at_60_columns() {
    let mut h = Harness::lab();
    h.sign_in_keys("admin", 0);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('/'));
    h.text("security reader");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('e'));
    // 4h of at most 24h: the knob is a sixth of the way along, not at the start.
    for _ in 0..8 {
        h.key(KeyCode::Left);
    }
    let text = screen_text(&h.draw(60, 30));
    let slider = text.lines().find(|l| l.contains('●')).unwrap();
    let bar: String = slider
        .chars()
        .skip_while(|c| *c != '━' && *c != '●')
        .take_while(|c| matches!(c, '━' | '●' | '─'))
        .collect();
    let knob = bar.chars().position(|c| c == '●').unwrap();
    assert!(knob > 0 && knob < bar.chars().count() / 2, "{slider}");
    assert!(slider.contains(" 4h "), "{slider}");
    h.key(KeyCode::PageDown);
    h.key(KeyCode::PageDown);
    let text = screen_text(&h.draw(60, 30));
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("[x]") || l.contains("[ ]"))
        .collect();
    assert_eq!(rows.len(), 9, "each notification row on one line:\n{text}");
    for r in rows {
        assert!(
            r.matches('[').count() >= 2,
            "default and critical-only on the row's line: {r}"
        );
    }
}
