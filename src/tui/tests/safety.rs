//! Terminal text safety: text written straight into the database (bypassing the engine's input
//! checks) with escape sequences or bidi overrides is shown inert, never interpreted.

use ratatui::crossterm::event::KeyCode;

use super::*;
use crate::policy::text::is_forbidden;

const HOSTILE_NAME: &str = "Mallory\x1b]0;pwned\x07\x1b[2J\u{202E}resU mip";
const HOSTILE_REASON: &str = "fine\x1b[31m red \u{9b}2J\u{2066}hidden\u{2069}";

fn assert_inert(t: &Terminal<TestBackend>) {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            assert!(
                !sym.chars().any(is_forbidden),
                "cell ({x},{y}) holds {sym:?}"
            );
        }
    }
}

#[test]
fn hostile_names_justifications_and_subjects_are_shown_inert() {
    let mut h = Harness::lab();
    h.make_eligible("Security Reader");
    let conn = rusqlite::Connection::open(&h.app.db).unwrap();
    conn.execute(
        "UPDATE users SET display_name = ?1 WHERE upn = 'pimuser@pimlab.onmicrosoft.com'",
        [HOSTILE_NAME],
    )
    .unwrap();
    conn.execute(
        "UPDATE assignments SET justification = ?1 WHERE kind = 'eligible'",
        [HOSTILE_REASON],
    )
    .unwrap();
    conn.execute(
        "UPDATE emails SET subject = ?1, body = ?1",
        [HOSTILE_REASON],
    )
    .unwrap();
    conn.execute_batch("DROP TRIGGER audit_no_update").unwrap();
    conn.execute("UPDATE audit SET justification = ?1, activity = ?1 WHERE seq = (SELECT max(seq) FROM audit)", [HOSTILE_REASON])
        .unwrap();
    drop(conn);

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
