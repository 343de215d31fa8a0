//! A single-line text field: typing, cursor movement, paste, optional masking. Control
//! characters and terminal escapes never get in (they are refused at the engine too).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::policy::text::is_forbidden;
use crate::tui::keymap::{Action, Context, resolve};

/// How many terminal cells a character takes (two for wide CJK and emoji).
fn cells(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The characters `start..end` to show in `width` cells: as many before the cursor as fit,
/// with the cursor's cell (a space at the end) last, then as many after it as still fit.
fn window(shown: &[char], cursor: usize, width: usize) -> (usize, usize) {
    let mut used = shown.get(cursor).map_or(1, |c| cells(*c).max(1));
    let mut start = cursor;
    while start > 0 && used + cells(shown[start - 1]) <= width {
        used += cells(shown[start - 1]);
        start -= 1;
    }
    let mut end = (cursor + 1).min(shown.len());
    while end < shown.len() && used + cells(shown[end]) <= width {
        used += cells(shown[end]);
        end += 1;
    }
    (start, end)
}

/// The field's content and cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextField {
    value: Vec<char>,
    cursor: usize,
    masked: bool,
    max_chars: usize,
    placeholder: &'static str,
    /// Characters the last paste could not take (over the limit), until the next edit.
    cut: usize,
}

impl TextField {
    /// An empty field accepting up to `max_chars` characters.
    pub fn new(max_chars: usize) -> Self {
        Self {
            value: Vec::new(),
            cursor: 0,
            masked: false,
            max_chars,
            placeholder: "",
            cut: 0,
        }
    }

    /// Shows `•` instead of the characters (passwords).
    pub fn masked(mut self) -> Self {
        self.masked = true;
        self
    }

    /// Grey text shown while empty.
    pub fn placeholder(mut self, text: &'static str) -> Self {
        self.placeholder = text;
        self
    }

    /// Starts with a value.
    pub fn with_value(mut self, value: &str) -> Self {
        self.set(value);
        self
    }

    /// The text.
    pub fn value(&self) -> String {
        self.value.iter().collect()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Replaces the text, cursor at the end.
    pub fn set(&mut self, value: &str) {
        self.value = value
            .chars()
            .filter(|c| !is_forbidden(*c))
            .take(self.max_chars)
            .collect();
        self.cursor = self.value.len();
    }

    /// Inserts pasted text at the cursor (controls such as newlines become spaces); what goes
    /// over the limit is cut, and the field says so.
    pub fn paste(&mut self, text: &str) {
        let room = self.max_chars.saturating_sub(self.value.len());
        let total = text.chars().count();
        for c in text.chars().take(room) {
            let c = if is_forbidden(c) { ' ' } else { c };
            self.insert(c);
        }
        self.cut = total.saturating_sub(room);
    }

    /// Characters the last paste left out, if any.
    pub fn cut(&self) -> usize {
        self.cut
    }

    fn insert(&mut self, c: char) {
        if self.value.len() < self.max_chars {
            self.value.insert(self.cursor, c);
            self.cursor += 1;
        }
    }

    /// Handles an editing key (the keymap's [`Context::Typing`] rows) or a typed character;
    /// returns false for keys it does not use (Tab, Enter, Esc, ↑↓, other Ctrl keys). Any key
    /// ends the note about a cut paste.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        self.cut = 0;
        // An editing key with a modifier (Ctrl-←, Shift-Backspace) edits as the key alone.
        let bare = KeyEvent::new(key.code, KeyModifiers::NONE);
        let action = resolve(&[Context::Typing], &key).or_else(|| match key.code {
            KeyCode::Char(_) => None,
            _ => resolve(&[Context::Typing], &bare),
        });
        match (action, key.code) {
            (Some(action), _) => self.edit(action),
            (None, KeyCode::Char(c))
                if !key.modifiers.contains(KeyModifiers::CONTROL) && !is_forbidden(c) =>
            {
                self.insert(c);
                true
            }
            _ => false,
        }
    }

    /// Carries out one editing action; false for an action that is not editing.
    fn edit(&mut self, action: Action) -> bool {
        match action {
            Action::DeleteToStart => {
                self.value.drain(..self.cursor);
                self.cursor = 0;
            }
            Action::DeleteWord => {
                let mut start = self.cursor;
                while start > 0 && self.value[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && self.value[start - 1] != ' ' {
                    start -= 1;
                }
                self.value.drain(start..self.cursor);
                self.cursor = start;
            }
            Action::DeleteBack => {
                if self.cursor > 0 {
                    self.cursor -= 1;
                    self.value.remove(self.cursor);
                }
            }
            Action::DeleteForward => {
                if self.cursor < self.value.len() {
                    self.value.remove(self.cursor);
                }
            }
            Action::CursorLeft => self.cursor = self.cursor.saturating_sub(1),
            Action::CursorRight => self.cursor = (self.cursor + 1).min(self.value.len()),
            Action::CursorStart => self.cursor = 0,
            Action::CursorEnd => self.cursor = self.value.len(),
            _ => return false,
        }
        true
    }

    /// The field as a line of at most `width` cells (a wide character takes two), scrolled so
    /// the cursor stays visible; the cursor is drawn as a reversed cell when focused.
    pub fn line(&self, focused: bool, width: usize) -> Line<'static> {
        if self.value.is_empty() && !focused {
            let mut room = width.max(1);
            let shown: String = self
                .placeholder
                .chars()
                .take_while(|c| {
                    let w = cells(*c);
                    let fits = w <= room;
                    room = room.saturating_sub(w);
                    fits
                })
                .collect();
            return Line::from(Span::styled(
                shown,
                Style::new().add_modifier(Modifier::DIM),
            ));
        }
        let shown: Vec<char> = if self.masked {
            vec!['•'; self.value.len()]
        } else {
            self.value.clone()
        };
        let (start, end) = window(&shown, self.cursor, width.max(2));
        let before: String = shown[start..self.cursor.min(end)].iter().collect();
        if !focused {
            return Line::from(shown[start..end].iter().collect::<String>());
        }
        let at: String = shown.get(self.cursor).map_or(" ".into(), |c| c.to_string());
        let after: String = shown
            .get(self.cursor + 1..end)
            .map_or(String::new(), |s| s.iter().collect());
        let mut spans = vec![
            Span::raw(before),
            Span::styled(at, Style::new().add_modifier(Modifier::REVERSED)),
            Span::raw(after),
        ];
        // Long free text counts its characters against the limit while it is typed.
        if self.max_chars >= 300 && !self.masked {
            spans.push(Span::styled(
                format!(" {}/{}", self.value.len(), self.max_chars),
                Style::new().add_modifier(Modifier::DIM),
            ));
        }
        if self.cut > 0 {
            spans.push(Span::styled(
                format!(
                    " pasted text cut: {} characters over the {}-character limit",
                    self.cut, self.max_chars
                ),
                Style::new().fg(ratatui::style::Color::Yellow),
            ));
        }
        Line::from(spans)
    }
}

#[cfg(test)]
mod width_tests {
    use super::*;

    fn cells_of(line: &Line<'_>) -> usize {
        line.spans
            .iter()
            .flat_map(|s| s.content.chars())
            .map(cells)
            .sum()
    }

    #[test]
    fn wide_characters_are_measured_in_cells() {
        let f = TextField::new(100).with_value("日本語のテキストです");
        // Ten characters of two cells each; eight cells show four of them and the cursor.
        let line = f.line(true, 9);
        assert!(cells_of(&line) <= 9, "{line:?}");
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(text.ends_with("です "), "{text:?}");
        let unfocused = f.line(false, 9);
        assert!(cells_of(&unfocused) <= 9, "{unfocused:?}");
        // ASCII keeps one cell per character, the cursor at the right edge.
        let a = TextField::new(100).with_value("abcdefghijklmnop");
        let text: String = a
            .line(true, 6)
            .spans
            .iter()
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(text, "lmnop ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_editing_and_limits() {
        let mut f = TextField::new(5);
        for c in "hello world".chars() {
            f.handle_key(key(KeyCode::Char(c)));
        }
        assert_eq!(f.value(), "hello");
        f.handle_key(key(KeyCode::Left));
        f.handle_key(key(KeyCode::Backspace));
        assert_eq!(f.value(), "helo");
        f.handle_key(key(KeyCode::Home));
        f.handle_key(key(KeyCode::Delete));
        assert_eq!(f.value(), "elo");
        assert!(!f.handle_key(key(KeyCode::Enter)));
        f.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(f.value(), "elo", "nothing before the cursor at home");
    }

    #[test]
    fn every_typing_key_of_the_keymap_edits_and_modifiers_do_not_get_in_the_way() {
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        let mut f = TextField::new(100);
        f.paste("open the door");
        assert!(f.handle_key(ctrl('w')));
        assert_eq!(f.value(), "open the ");
        assert!(f.handle_key(KeyEvent::new(KeyCode::Left, KeyModifiers::CONTROL)));
        assert!(f.handle_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::SHIFT)));
        assert_eq!(f.value(), "open th ");
        f.handle_key(key(KeyCode::End));
        f.handle_key(key(KeyCode::Char('!')));
        assert_eq!(f.value(), "open th !");
        assert!(f.handle_key(ctrl('u')));
        assert_eq!(f.value(), "");
        assert!(!f.handle_key(ctrl('x')), "other Ctrl keys are the screen's");
        // The keymap's rows for typing are exactly the editing actions this field carries out.
        for b in crate::tui::keymap::bindings().filter(|b| b.context == Context::Typing) {
            let mut f = TextField::new(10);
            f.paste("ab cd");
            f.handle_key(key(KeyCode::Left));
            assert!(f.edit(b.action), "{:?} edits", b.action);
        }
    }

    #[test]
    fn escapes_never_get_in_and_paste_is_flattened() {
        let mut f = TextField::new(100);
        f.handle_key(key(KeyCode::Char('\u{1b}')));
        f.paste("a\nb\x1b[2Jc");
        assert_eq!(f.value(), "a b [2Jc");
    }

    #[test]
    fn a_long_paste_is_cut_and_says_so_and_long_text_counts() {
        let mut f = TextField::new(500);
        f.paste(&"x".repeat(5000));
        assert_eq!(f.value().len(), 500);
        assert_eq!(f.cut(), 4500);
        let shown = f.line(true, 40).to_string();
        assert!(shown.contains("500/500"), "{shown}");
        assert!(
            shown.contains("pasted text cut: 4500 characters over the 500-character limit"),
            "{shown}"
        );
        assert!(
            shown.starts_with(&"x".repeat(39)),
            "the end, where the cursor is: {shown}"
        );
        f.handle_key(key(KeyCode::Backspace));
        assert_eq!(f.cut(), 0, "the note goes with the next edit");
        assert!(f.line(true, 40).to_string().contains("499/500"));
        assert!(
            !TextField::new(8).line(true, 8).to_string().contains('/'),
            "short fields need no count"
        );
    }

    #[test]
    fn masked_fields_show_dots() {
        let f = TextField::new(20).masked().with_value("secret");
        assert_eq!(f.line(false, 20).to_string(), "••••••");
    }
}
