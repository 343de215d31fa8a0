//! Printing: local times with their zone, aligned tables, JSON documents. Everything the CLI
//! prints goes through [`write_out`] or [`write_err`], which sanitise it as a whole (stored text
//! is also sanitised where it is formatted), so nothing from the database reaches the terminal
//! raw; JSON escapes the same characters as `\uXXXX`. A reader that goes away (`pim roles |
//! head -1`) ends the program quietly.

use std::borrow::Cow;
use std::io::{self, Write};

use chrono::{Local, SecondsFormat};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use crate::clock::Time;
use crate::policy::text::{is_unsafe_to_show, sanitize, sanitize_lines};

/// Writes to standard output, sanitised. When the reader has gone (a closed pipe), the
/// program ends at once with exit code 0 and no message: there is nobody left to tell.
pub fn write_out(args: std::fmt::Arguments<'_>) {
    let text = args.to_string();
    let mut out = io::stdout().lock();
    if let Err(e) = out
        .write_all(sanitize_lines(&text).as_bytes())
        .and_then(|()| out.flush())
    {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        write_err(format_args!("error: writing the output failed: {e}\n"));
        std::process::exit(1);
    }
}

/// A progress line on standard error, when a person is watching: `\r`, the text, and an
/// erase to the end of the line (an empty text clears it). Only for the program's own words
/// and numbers: this is the one place that writes control sequences, so nothing stored may
/// reach it.
pub fn progress(text: &str) {
    use std::io::IsTerminal;
    if !io::stderr().is_terminal() {
        return;
    }
    let shown = sanitize(text);
    let _ = write!(io::stderr().lock(), "\r{shown}\x1b[K");
}

/// Prints a QR code: with its explicit colours on a terminal (so it reads on light and dark
/// themes alike), as plain block characters into a pipe or file. The colour escapes are the
/// program's own; nothing stored reaches them.
pub fn qr(code: &crate::auth::qr::Qr) {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() {
        write_out(format_args!("{}\n", code.plain()));
        return;
    }
    let mut out = io::stdout().lock();
    if let Err(e) = out
        .write_all(code.ansi().as_bytes())
        .and_then(|()| out.flush())
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// A progress bar on standard error when a person is watching it, hidden when standard error
/// is not a terminal or the output is JSON.
/// `len` is how much work there is, when known (0 until the work says).
pub fn progress_bar(what: &str, len: u64, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    // Nothing is drawn until the work says how much there is.
    indicatif::ProgressBar::new(len)
        .with_style(
            indicatif::ProgressStyle::with_template(
                "{msg} {wide_bar} {human_pos}/{human_len} ({eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        )
        .with_message(what.to_owned())
}

/// A spinner with a message on standard error while a person watches, hidden otherwise: for
/// work whose length is not known in advance.
pub fn progress_spinner(quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar
}

/// Writes to standard error, sanitised; a closed standard error is ignored.
pub fn write_err(args: std::fmt::Arguments<'_>) {
    let text = args.to_string();
    let _ = io::stderr()
        .lock()
        .write_all(sanitize_lines(&text).as_bytes());
}

/// A time as people read it: local time with the zone, `2026-11-26 10:04 +01:00` (or `UTC`).
pub fn local(t: Time) -> String {
    let s = t
        .with_timezone(&Local)
        .format("%Y-%m-%d %H:%M %:z")
        .to_string();
    match s.strip_suffix("+00:00") {
        Some(base) => format!("{base}UTC"),
        None => s,
    }
}

/// An optional end: a local time or "permanent".
pub fn end_text(end: Option<Time>) -> String {
    end.map_or_else(|| "permanent".to_owned(), local)
}

/// RFC 3339 UTC with seconds, the JSON form (`2026-11-26T10:04:00Z`).
pub fn rfc3339(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Prints one JSON document on stdout.
pub fn json<T: Serialize>(value: &T) -> Result<(), super::CliError> {
    let text =
        to_json(value).map_err(|e| super::CliError::error(format!("JSON output failed: {e}")))?;
    outln!("{text}");
    Ok(())
}

/// Pretty JSON in which every character display would escape (C1 controls, bidirectional
/// overrides, zero-width characters; serde already escapes C0) is written as `\uXXXX`, so the
/// document is plain to the eye and the same to a parser.
pub fn to_json<T: Serialize>(value: &T) -> serde_json::Result<String> {
    let mut buf = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut buf, SafeFormatter(PrettyFormatter::new()));
    value.serialize(&mut ser)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// One JSON value on one line, escaped as [`to_json`] escapes it (for JSON Lines and
/// streamed documents).
pub fn write_json_compact<W: io::Write, T: Serialize>(w: &mut W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, SafeFormatter(CompactFormatter));
    value.serialize(&mut ser).map_err(io::Error::other)
}

/// A serde_json formatter (pretty or compact) with hidden and control characters escaped.
struct SafeFormatter<F>(F);

impl<F: Formatter> Formatter for SafeFormatter<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe_to_show(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Stored text made safe for the terminal.
pub fn safe(s: &str) -> Cow<'_, str> {
    sanitize(s)
}

/// A plain text table with left-aligned columns.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headings.
    pub fn new(headers: &[&str]) -> Self {
        Self {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (cells are sanitised).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|c| sanitize(&c).into_owned())
                .collect(),
        );
    }

    /// The table as text, columns separated by two spaces.
    pub fn render(&self) -> String {
        let width = |i: usize| {
            self.rows
                .iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .chain(std::iter::once(self.headers[i].chars().count()))
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.headers.len()).map(width).collect();
        let line = |cells: &[String]| {
            let mut out = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    out.push_str(c);
                } else {
                    out.push_str(&format!("{c:<w$}  ", w = widths[i]));
                }
            }
            out.trim_end().to_owned()
        };
        let mut out = vec![line(&self.headers)];
        out.extend(self.rows.iter().map(|r| line(r)));
        out.join("\n")
    }

    /// Prints the table.
    pub fn print(&self) {
        outln!("{}", self.render());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_what_display_would_and_parses_back_the_same() {
        let hostile = "ad\u{202E}nim\u{9b}2J\u{200B}\x1b[31m😀";
        let text = to_json(&serde_json::json!({"name": hostile})).unwrap();
        assert!(text.contains("\\u202e"), "{text}");
        assert!(text.contains("\\u009b"), "{text}");
        assert!(text.contains("\\u200b"), "{text}");
        assert!(text.contains("\\u001b"), "{text}");
        assert!(text.contains('😀'), "ordinary text stays as it is: {text}");
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe_to_show(c)));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], hostile);
    }

    #[test]
    fn tables_align_and_sanitise() {
        let mut t = Table::new(&["Role", "End"]);
        t.row(vec!["Security Reader".into(), "permanent".into()]);
        t.row(vec!["X\x1b[2J".into(), "soon".into()]);
        assert_eq!(
            t.render(),
            "Role             End\nSecurity Reader  permanent\nX\\u{1b}[2J       soon"
        );
    }
}
