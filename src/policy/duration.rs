//! The product's duration syntax (`30m`, `8h`, `1h30m`, `14d`, `PT8H`, `P15D`) and how durations
//! and times are shown to people.
//!
//! The parser is strict on purpose: a typo must never turn into a surprising activation window.

use chrono::{Datelike, TimeDelta};
use thiserror::Error;

/// The longest duration anything in the product accepts (100 years); longer is certainly a typo.
pub const MAX_DAYS: i64 = 36_500;

/// Why a duration string was not accepted. Each message says what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DurationError {
    /// Nothing was given.
    #[error("a duration is needed; use forms like 30m, 8h, 1h30m, 14d or PT8H")]
    Empty,
    /// A minus sign.
    #[error("'{0}' is negative; durations are lengths of time, like 30m, 8h or 14d")]
    Negative(String),
    /// Does not follow either syntax.
    #[error("'{0}' is not a duration; use forms like 30m, 8h, 1h30m, 14d or PT8H")]
    Malformed(String),
    /// Months and years have no fixed length.
    #[error(
        "'{0}' uses months or years, which have no fixed length; give days instead (P30D, 365d)"
    )]
    Calendar(String),
    /// Adds up to nothing.
    #[error("'{0}' is zero; give a length of time such as 30m or 8h")]
    Zero(String),
    /// Beyond [`MAX_DAYS`].
    #[error("'{0}' is too long; the longest duration accepted is {MAX_DAYS} days")]
    TooLong(String),
}

/// Parses a duration in the compact (`1h30m`) or ISO 8601 (`PT1H30M`) form. Zero, negative and
/// absurdly long values are refused here, before any rule sees them.
pub fn parse_duration(input: &str) -> Result<TimeDelta, DurationError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DurationError::Empty);
    }
    if s.len() > 40 {
        // No duration pim accepts is this long; keep the message short too.
        let shown = super::text::clip(&super::text::sanitize(s), 20).into_owned();
        return Err(DurationError::Malformed(shown));
    }
    if s.starts_with('-') {
        return Err(DurationError::Negative(s.to_owned()));
    }
    let seconds = if s.starts_with(['P', 'p']) {
        parse_iso(s)?
    } else {
        parse_compact(s)?
    };
    if seconds == 0 {
        return Err(DurationError::Zero(s.to_owned()));
    }
    if seconds > MAX_DAYS * 86_400 {
        return Err(DurationError::TooLong(s.to_owned()));
    }
    Ok(TimeDelta::seconds(seconds))
}

/// `1d2h30m`: number-unit pairs, units d/h/m/s, each at most once, largest first.
fn parse_compact(s: &str) -> Result<i64, DurationError> {
    let units = [
        ('w', 604_800),
        ('d', 86_400),
        ('h', 3_600),
        ('m', 60),
        ('s', 1),
    ];
    let malformed = || DurationError::Malformed(s.to_owned());
    let mut total: i64 = 0;
    let mut next_unit = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            return Err(malformed());
        }
        let (number, tail) = rest.split_at(digits);
        let unit = tail
            .chars()
            .next()
            .ok_or_else(malformed)?
            .to_ascii_lowercase();
        let position = units[next_unit..]
            .iter()
            .position(|(u, _)| *u == unit)
            .ok_or_else(malformed)?;
        let factor = units[next_unit + position].1;
        next_unit += position + 1;
        total =
            add_scaled(total, number, factor).ok_or_else(|| DurationError::TooLong(s.into()))?;
        rest = &tail[unit.len_utf8()..];
    }
    Ok(total)
}

/// `P[nW][nD][T[nH][nM][nS]]`; years and months are refused as ambiguous.
fn parse_iso(s: &str) -> Result<i64, DurationError> {
    let malformed = || DurationError::Malformed(s.to_owned());
    let body = &s[1..];
    let (date, time) = match body.split_once(['T', 't']) {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return Err(malformed()),
        None => (body, None),
    };
    if date.is_empty() && time.is_none() {
        return Err(malformed());
    }
    if date.contains(['Y', 'y', 'M', 'm']) {
        return Err(DurationError::Calendar(s.to_owned()));
    }
    let mut total = iso_part(s, date, &[('W', 604_800), ('D', 86_400)])?;
    if let Some(time) = time {
        let part = iso_part(s, time, &[('H', 3_600), ('M', 60), ('S', 1)])?;
        total = total
            .checked_add(part)
            .ok_or_else(|| DurationError::TooLong(s.into()))?;
    }
    Ok(total)
}

fn iso_part(whole: &str, part: &str, units: &[(char, i64)]) -> Result<i64, DurationError> {
    let malformed = || DurationError::Malformed(whole.to_owned());
    let mut total: i64 = 0;
    let mut next_unit = 0;
    let mut rest = part;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let (number, tail) = rest.split_at(digits);
        let unit = tail
            .chars()
            .next()
            .ok_or_else(malformed)?
            .to_ascii_uppercase();
        if digits == 0 {
            return Err(malformed());
        }
        let position = units[next_unit..]
            .iter()
            .position(|(u, _)| *u == unit)
            .ok_or_else(malformed)?;
        let factor = units[next_unit + position].1;
        next_unit += position + 1;
        total = add_scaled(total, number, factor)
            .ok_or_else(|| DurationError::TooLong(whole.into()))?;
        rest = &tail[1..];
    }
    Ok(total)
}

/// `total + number * factor` with overflow reported as `None`. More than 12 digits is always
/// beyond [`MAX_DAYS`], so longer numbers are refused before parsing.
fn add_scaled(total: i64, number: &str, factor: i64) -> Option<i64> {
    if number.len() > 12 {
        return None;
    }
    let n: i64 = number.parse().ok()?;
    total.checked_add(n.checked_mul(factor)?)
}

/// A duration the way the console and CLI print it: `8h`, `1h 30m`, `14d`, `2d 3h`, `45s`.
/// Seconds are dropped once the duration reaches a minute; at most two units are shown; days are
/// used from 48 hours on, so activation windows read in hours (`24h`, `25h`).
pub fn format_duration(d: TimeDelta) -> String {
    let secs = d.num_seconds().max(0);
    if secs < 60 {
        return format!("{secs}s");
    }
    let day = if secs >= 2 * 86_400 { 86_400 } else { i64::MAX };
    let parts = [
        (secs / day, "d"),
        (secs % day / 3_600, "h"),
        (secs % 3_600 / 60, "m"),
    ];
    let shown: Vec<String> = parts
        .iter()
        .skip_while(|(n, _)| *n == 0)
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    shown.join(" ")
}

/// Time remaining, as in `7h 42m left`.
pub fn format_left(d: TimeDelta) -> String {
    format!("{} left", format_duration(d))
}

/// ISO 8601 duration (`PT8H`, `P15D`, `PT1H30M`), the form Graph uses in JSON.
pub fn format_iso(d: TimeDelta) -> String {
    let secs = d.num_seconds().max(0);
    let (days, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    );
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if h > 0 || m > 0 || s > 0 || days == 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || (h == 0 && m == 0) {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

/// Parses an RFC 3339 time (`2026-11-26T17:00:00Z`, any offset) into UTC. Times before 1970
/// or after 9999 are refused: nothing in PIM happens then, and they are certainly typos.
pub fn parse_time(s: &str) -> Result<crate::clock::Time, String> {
    let shown = super::text::clip(&super::text::sanitize(s), 64).into_owned();
    let t = chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| {
            format!("'{shown}' is not an RFC 3339 time; use a form like 2026-11-26T17:00:00Z")
        })?;
    if t.timestamp() < 0 || t.year() > 9999 {
        return Err(format!(
            "'{shown}' is outside the times pim accepts (1970 to 9999)"
        ));
    }
    Ok(t)
}

/// A time as the engine's messages print it: `2026-11-26 10:09 UTC`. Messages stay in UTC so
/// they read the same in every terminal; screens convert to local time.
pub fn format_utc(t: crate::clock::Time) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms_parse_to_the_right_length() {
        let cases = [
            ("30m", 30 * 60),
            ("8h", 8 * 3600),
            ("1h30m", 5400),
            ("14d", 14 * 86_400),
            ("6d1h", 6 * 86_400 + 3600),
            ("PT8H", 8 * 3600),
            ("P15D", 15 * 86_400),
            ("PT1H30M", 5400),
            ("P1DT2H", 86_400 + 7200),
            ("pt30m", 1800),
            (" 2h ", 7200),
            ("90s", 90),
            ("2w", 14 * 86_400),
        ];
        for (input, secs) in cases {
            assert_eq!(
                parse_duration(input),
                Ok(TimeDelta::seconds(secs)),
                "{input}"
            );
        }
    }

    #[test]
    fn bad_durations_are_refused_with_a_reason() {
        assert_eq!(parse_duration(""), Err(DurationError::Empty));
        assert!(matches!(
            parse_duration("0"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(parse_duration("0h"), Err(DurationError::Zero(_))));
        assert!(matches!(
            parse_duration("-1h"),
            Err(DurationError::Negative(_))
        ));
        assert!(matches!(
            parse_duration("abc"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("8"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("1e9h"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("30m1h"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("1h1h"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("P1M"),
            Err(DurationError::Calendar(_))
        ));
        assert!(matches!(
            parse_duration("P1Y"),
            Err(DurationError::Calendar(_))
        ));
        assert!(matches!(
            parse_duration("PT"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("P"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("９h"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("9999999999h"),
            Err(DurationError::TooLong(_))
        ));
        assert!(matches!(
            parse_duration("99999999999999999999999h"),
            Err(DurationError::TooLong(_))
        ));
        assert!(matches!(
            parse_duration("36501d"),
            Err(DurationError::TooLong(_))
        ));
    }

    #[test]
    fn durations_are_shown_in_two_units_at_most() {
        assert_eq!(format_duration(TimeDelta::hours(8)), "8h");
        assert_eq!(format_duration(TimeDelta::minutes(90)), "1h 30m");
        assert_eq!(format_duration(TimeDelta::minutes(462)), "7h 42m");
        assert_eq!(format_duration(TimeDelta::days(14)), "14d");
        assert_eq!(format_duration(TimeDelta::seconds(45)), "45s");
        assert_eq!(format_duration(TimeDelta::seconds(86_400 + 61)), "24h 1m");
        assert_eq!(format_duration(TimeDelta::hours(25)), "25h");
        assert_eq!(format_duration(TimeDelta::hours(49)), "2d 1h");
        assert_eq!(format_left(TimeDelta::minutes(462)), "7h 42m left");
    }

    #[test]
    fn times_parse_in_rfc_3339_between_1970_and_9999() {
        assert_eq!(
            parse_time("2026-11-26T18:00:00+01:00")
                .unwrap()
                .to_rfc3339(),
            "2026-11-26T17:00:00+00:00"
        );
        for bad in [
            "2026-11-26",
            "1969-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "10099-01-01T00:00:00Z",
            "tomorrow",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        let long = "9".repeat(100_000);
        assert!(parse_time(&long).unwrap_err().len() < 200);
    }

    #[test]
    fn iso_form_round_trips() {
        for s in ["PT8H", "P15D", "PT1H30M", "P1DT2H", "PT30M", "P365D"] {
            assert_eq!(format_iso(parse_duration(s).unwrap()), s);
        }
    }
}
