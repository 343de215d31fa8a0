//! Printing: local times with their zone, aligned tables, JSON documents. Every piece of stored
//! text passes through `sanitize` before it reaches the terminal.

use std::borrow::Cow;

use chrono::{Local, SecondsFormat};
use serde::Serialize;

use crate::clock::Time;
use crate::policy::text::sanitize;

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
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| super::CliError::error(format!("JSON output failed: {e}")))?;
    println!("{text}");
    Ok(())
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
        println!("{}", self.render());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
