//! Terminal text safety: text written straight into the database (bypassing the engine's input
//! checks) with escape sequences or bidi overrides is shown inert, never interpreted.

use ratatui::crossterm::event::KeyCode;

use super::*;
use crate::policy::text::is_unsafe_to_show;

const HOSTILE_NAME: &str = "Mallory\x1b]0;pwned\x07\x1b[2J\u{202E}resU mip\u{200B}";
const HOSTILE_REASON: &str = "fine\x1b[31m red \u{9b}2J\u{2066}hidden\u{2069}\u{FEFF}";

fn assert_inert(t: &Terminal<TestBackend>) {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            assert!(
                !sym.chars().any(is_unsafe_to_show) && sym != "\u{FFFD}",
                "cell ({x},{y}) holds {sym:?}"
            );
        }
    }
}

#[test]
fn hostile_names_justifications_and_subjects_are_shown_inert() {
    // On a file, where an outsider can rewrite even the audit log.
    let mut h = Harness::lab_on_file();
    h.make_eligible("Security Reader");
    let engine = h.engine();
    let conn = engine.store().conn();
    conn.exec(
        "UPDATE users SET display_name = ?1 WHERE upn = 'pimuser@pimlab.onmicrosoft.com'",
        crate::args![HOSTILE_NAME],
    )
    .unwrap();
    conn.exec(
        "UPDATE assignments SET justification = ?1 WHERE kind = 'eligible'",
        crate::args![HOSTILE_REASON],
    )
    .unwrap();
    conn.exec(
        "UPDATE emails SET subject = ?1, body = ?1",
        crate::args![HOSTILE_REASON],
    )
    .unwrap();
    conn.batch("DROP TRIGGER audit_no_update").unwrap();
    conn.exec("UPDATE audit SET justification = ?1, activity = ?1 WHERE seq = (SELECT max(seq) FROM audit)", crate::args![HOSTILE_REASON])
        .unwrap();
    drop(engine);

    h.sign_in_keys("pimuser", 0);
    let t = h.draw(100, 30);
    assert_inert(&t);
    assert!(
        screen_text(&t).contains("Mallory\\u{1b}]0;pwned"),
        "{}",
        screen_text(&t)
    );
    h.key(KeyCode::Char('4'));
    assert_inert(&h.draw(100, 30));
    h.key(KeyCode::Enter);
    let t = h.draw(100, 30);
    assert_inert(&t);
    assert!(screen_text(&t).contains("\\u{1b}[31m"));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('3'));
    assert_inert(&h.draw(100, 30));
    h.key(KeyCode::Enter);
    assert_inert(&h.draw(100, 30));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('/'));
    h.text("security reader");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    let t = h.draw(100, 30);
    assert_inert(&t);
    assert!(
        screen_text(&t).contains("\\u{202e}"),
        "the override is visible as text"
    );
}

#[test]
fn the_guard_catches_text_drawn_without_sanitising() {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::text::Line;
    use ratatui::widgets::Widget;
    let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
    Line::from("ab\u{202E}cd\u{200B}e").render(buf.area, &mut buf);
    crate::tui::ui::guard(&mut buf);
    let text: String = buf.content.iter().map(|c| c.symbol()).collect();
    assert!(!text.chars().any(is_unsafe_to_show), "{text:?}");
    assert!(
        text.contains('\u{FFFD}'),
        "what slipped past is visible: {text:?}"
    );
}
