//! Reading assignments from a CSV whose header names its columns.

use crate::policy::duration::{parse_duration, parse_time};
use crate::policy::model::AssignmentKind;

use super::*;

/// Reads a CSV with a header naming its columns (`role,upn,type,start,end,duration,
/// justification`, in any order, plus an optional `action`: assign, remove, update, extend,
/// renew; assign when absent). Empty lines are skipped; every bad row is reported.
pub fn parse_csv(input: &str) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let whole = |message: String| {
        vec![RowError {
            label: "the file".into(),
            field: None,
            message,
        }]
    };
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    // The reader's own line count skips blank lines and CRLF, and its byte offset can stop
    // short in the line ends before a record: step over them (no record starts with one) and
    // count the lines before.
    let line_at = |p: Option<&csv::Position>| {
        let bytes = input.as_bytes();
        p.and_then(|p| usize::try_from(p.byte()).ok())
            .map_or(0, |b| {
                let mut start = b.min(bytes.len());
                while bytes.get(start).is_some_and(|c| matches!(c, b'\r' | b'\n')) {
                    start += 1;
                }
                1 + bytes[..start].iter().filter(|&&c| c == b'\n').count()
            })
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            whole(format!(
                "the header cannot be read: {}",
                shown(&e.to_string())
            ))
        })?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    let mut columns: Vec<usize> = Vec::new();
    for name in CSV_COLUMNS.iter().chain(&["action"]) {
        columns.push(header.iter().position(|h| h == name).unwrap_or(usize::MAX));
    }
    if let Some(unknown) = header
        .iter()
        .find(|h| !CSV_COLUMNS.contains(&h.as_str()) && h.as_str() != "action")
    {
        return Err(whole(format!(
            "the header names a column '{}' pim does not know; the columns are {},action",
            shown(unknown),
            CSV_COLUMNS.join(",")
        )));
    }
    for required in ["role", "upn", "type"] {
        if !header.iter().any(|h| h == required) {
            return Err(whole(format!(
                "the header has no '{required}' column; it reads {}",
                CSV_COLUMNS.join(",")
            )));
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut n = 0;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_at(e.position());
                errors.push(RowError {
                    label: format!("line {line}"),
                    field: None,
                    message: format!("cannot be read: {}", shown(&e.to_string())),
                });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        n += 1;
        if n > MAX_ROWS {
            return Err(whole(format!(
                "the file holds more than {MAX_ROWS} rows; import at most {MAX_ROWS} at a time"
            )));
        }
        let line = line_at(record.position());
        let label = format!("row {n} (line {line})");
        if record.len() > header.len() {
            errors.push(RowError {
                label,
                field: None,
                message: format!(
                    "has {} cells but the header names {}",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        let cell = |i: usize| -> Option<&str> {
            columns
                .get(i)
                .and_then(|&c| record.get(c))
                .filter(|s| !s.is_empty())
        };
        match csv_row(&cell, label.clone()) {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(e),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(whole("the file holds a header and no rows".into()));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn csv_row<'a>(
    cell: &dyn Fn(usize) -> Option<&'a str>,
    label: String,
) -> Result<ImportRow, RowError> {
    let err = |field: &str, message: String| RowError {
        label: label.clone(),
        field: Some(field.to_owned()),
        message,
    };
    let role = cell(0).ok_or_else(|| {
        err(
            "role",
            "is empty; give the role's name or template id".into(),
        )
    })?;
    let upn = cell(1).ok_or_else(|| err("upn", "is empty; give the user's UPN".into()))?;
    let kind = match cell(2).map(str::to_ascii_lowercase).as_deref() {
        Some("eligible") => AssignmentKind::Eligible,
        Some("active") => AssignmentKind::Active,
        Some(other) => {
            return Err(err(
                "type",
                format!("'{}' is neither eligible nor active", shown(other)),
            ));
        }
        None => return Err(err("type", "is empty; give eligible or active".into())),
    };
    let start = cell(3)
        .map(|s| parse_time(s).map_err(|e| err("start", e)))
        .transpose()?;
    let end = cell(4)
        .map(|s| parse_time(s).map_err(|e| err("end", e)))
        .transpose()?;
    let duration = cell(5)
        .map(|s| parse_duration(s).map_err(|e| err("duration", e.to_string())))
        .transpose()?;
    let expiration = match (end, duration) {
        (Some(_), Some(_)) => {
            return Err(err(
                "end",
                "and duration are both given; give one of them (or neither, for permanent)".into(),
            ));
        }
        (Some(t), None) => Expiration::At(t),
        (None, Some(d)) => Expiration::After(d),
        (None, None) => Expiration::Unspecified,
    };
    let action = match cell(7) {
        None => RowAction::Assign,
        Some(a) => RowAction::parse(a).ok_or_else(|| {
            err(
                "action",
                format!(
                    "'{}' is not one of assign, remove, update, extend, renew",
                    shown(a)
                ),
            )
        })?,
    };
    Ok(ImportRow {
        label,
        action,
        kind,
        role: role.to_owned(),
        principal: upn.to_owned(),
        principal_upn: None,
        start,
        expiration,
        justification: cell(6).map(str::to_owned),
        from_schedule: false,
        activation: false,
    })
}
