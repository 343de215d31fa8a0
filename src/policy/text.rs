//! Free text people type (justifications, ticket fields, display names): what is refused at the
//! door, and how stored text is made inert before it reaches a terminal.
//!
//! Both halves exist because a database can be written by something other than this program:
//! input is checked once, and every display sanitises again.

use std::borrow::Cow;

use thiserror::Error;

/// Longest justification accepted, in characters.
pub const MAX_JUSTIFICATION_CHARS: usize = 500;
/// Longest ticket number or ticket system name, in characters.
pub const MAX_TICKET_CHARS: usize = 100;
/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 256;
/// Longest user principal name anything looks up or records, in characters (a valid one is
/// at most 64 + 1 + 253 bytes of ASCII; anything longer names no account).
pub const MAX_UPN_CHARS: usize = 256;

/// Why a piece of free text was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// Control characters and terminal escapes could rewrite someone's screen.
    #[error(
        "the {field} contains a control character or terminal escape ({found} at character {position}); remove it"
    )]
    Forbidden {
        /// Which field, in words.
        field: &'static str,
        /// The offending character, escaped.
        found: String,
        /// 1-based character position.
        position: usize,
    },
    /// Longer than the field allows.
    #[error("the {field} is {length} characters long; at most {max} are allowed")]
    TooLong {
        /// Which field, in words.
        field: &'static str,
        /// Its length in characters.
        length: usize,
        /// The limit.
        max: usize,
    },
}

/// True for characters that must never be stored or printed as they are: C0/C1 controls, DEL,
/// and the bidirectional overrides behind "Trojan Source" (CVE-2021-42574).
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that are harmless to store but must not reach a screen as they are, because
/// they are invisible (zero-width spaces and joiners, the byte-order mark, soft hyphen) or
/// move text (line and paragraph separators): a name could hide behind them.
fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
    )
}

/// True for every character that display replaces with its visible escape: the forbidden
/// ones (controls, C1, bidirectional overrides) and the hidden ones (zero-width and friends).
pub fn is_unsafe_to_show(c: char) -> bool {
    is_forbidden(c) || is_hidden(c)
}

/// Characters that take no visible space; text made only of these counts as blank.
fn is_invisible(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Checks free text: `Ok(None)` when blank (nothing visible), `Ok(Some(trimmed))` when usable.
pub fn check_free_text(
    field: &'static str,
    input: &str,
    max_chars: usize,
) -> Result<Option<String>, TextError> {
    if let Some((index, c)) = input.chars().enumerate().find(|(_, c)| is_forbidden(*c)) {
        return Err(TextError::Forbidden {
            field,
            found: c.escape_unicode().to_string(),
            position: index + 1,
        });
    }
    if input.chars().all(is_invisible) {
        return Ok(None);
    }
    let trimmed = input.trim();
    let length = trimmed.chars().count();
    if length > max_chars {
        return Err(TextError::TooLong {
            field,
            length,
            max: max_chars,
        });
    }
    Ok(Some(trimmed.to_owned()))
}

/// Makes stored text safe to print: controls, C1, bidirectional overrides and zero-width
/// characters become their visible escape (`\u{1b}`, `\u{202e}`), so a hostile justification
/// shows up as text instead of acting on the terminal or hiding in it.
pub fn sanitize(input: &str) -> Cow<'_, str> {
    escape_where(input, is_unsafe_to_show)
}

/// [`sanitize`] for whole lines of output: the same, except that line breaks stay line breaks.
pub fn sanitize_lines(input: &str) -> Cow<'_, str> {
    escape_where(input, |c| c != '\n' && is_unsafe_to_show(c))
}

fn escape_where(input: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !input.chars().any(&escape) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len() + 8);
    for c in input.chars() {
        if escape(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text cut to at most `max` characters, saying how much was left out, for recording what
/// someone typed when it may be of any size (a failed sign-in's user name).
pub fn clip(input: &str, max: usize) -> Cow<'_, str> {
    match input.char_indices().nth(max) {
        None => Cow::Borrowed(input),
        Some((cut, _)) => {
            let left_out = input[cut..].chars().count();
            Cow::Owned(format!("{}… ({left_out} more characters)", &input[..cut]))
        }
    }
}

/// A count with its noun: `1 attempt`, `2 attempts`, `0 entries`.
pub fn count(n: impl Into<i128>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Checks a tenant domain (`contoso.onmicrosoft.com`): DNS labels of letters, digits and
/// hyphens, at least two labels. Returns it lower-cased.
pub fn check_domain(input: &str) -> Result<String, String> {
    let d = input.trim().to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if d.len() <= 253 && d.contains('.') && d.split('.').all(label_ok) {
        Ok(d)
    } else {
        Err(format!(
            "'{}' is not a domain name; use something like contoso.onmicrosoft.com",
            sanitize(input)
        ))
    }
}

/// Checks a user principal name in the tenant's domain: a local part of letters, digits and
/// `. _ - ' +` (no `:`, which would break authenticator labels), at most 64 characters, then
/// `@domain`. Returns it lower-cased.
pub fn check_upn(input: &str, domain: &str) -> Result<String, String> {
    let upn = input.trim().to_ascii_lowercase();
    let Some((local, at_domain)) = upn.split_once('@') else {
        return Err(format!(
            "'{}' is not a user name; use the form name@{domain}",
            sanitize(input)
        ));
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-'+".contains(c));
    if !local_ok {
        return Err(format!(
            "'{}' is not a valid user name: use letters, digits and . _ - ' + before the @ (at most 64)",
            sanitize(input)
        ));
    }
    if !at_domain.eq_ignore_ascii_case(domain) {
        return Err(format!(
            "'{}' is not in this tenant's domain; user names end in @{domain}",
            sanitize(input)
        ));
    }
    Ok(upn)
}

/// Checks a display name: visible text of at most 256 characters, no escapes.
pub fn check_display_name(input: &str) -> Result<String, String> {
    match check_free_text("display name", input, MAX_DISPLAY_NAME_CHARS) {
        Ok(Some(name)) => Ok(name),
        Ok(None) => Err("a display name is needed, e.g. \"Pim User\"".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Checks a group's name: visible text of at most 256 characters, no escapes, and no `@` (a
/// name with one is a user's).
pub fn check_group_name(input: &str) -> Result<String, String> {
    let name = match check_free_text("group name", input, MAX_DISPLAY_NAME_CHARS) {
        Ok(Some(name)) => name,
        Ok(None) => return Err("a group name is needed, e.g. \"Helpdesk Admins\"".into()),
        Err(e) => return Err(e.to_string()),
    };
    if name.contains('@') {
        return Err(format!(
            "a group name cannot contain '@' (that names a user): '{}'",
            sanitize(&name)
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_counts_as_nothing() {
        for blank in ["", "   ", "\u{200B}\u{200B}", " \u{FEFF} "] {
            assert_eq!(
                check_free_text("justification", blank, 500),
                Ok(None),
                "{blank:?}"
            );
        }
    }

    #[test]
    fn usable_text_is_trimmed() {
        assert_eq!(
            check_free_text("justification", "  Reviewing sign-in logs  ", 500),
            Ok(Some("Reviewing sign-in logs".into()))
        );
    }

    #[test]
    fn escapes_and_controls_are_refused_with_their_position() {
        let err = check_free_text("justification", "ok\x1b]0;x\x07", 500).unwrap_err();
        assert_eq!(
            err,
            TextError::Forbidden {
                field: "justification",
                found: "\\u{1b}".into(),
                position: 3
            }
        );
        for bad in ["a\nb", "\r", "\u{9b}2J", "x\u{202E}y", "\u{2066}", "nul\0"] {
            assert!(
                check_free_text("justification", bad, 500).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_length_limit_is_in_characters() {
        let at_limit = "é".repeat(500);
        assert!(check_free_text("justification", &at_limit, 500).is_ok());
        let over = "a".repeat(10 * 1024);
        assert_eq!(
            check_free_text("justification", &over, 500),
            Err(TextError::TooLong {
                field: "justification",
                length: 10 * 1024,
                max: 500
            })
        );
    }

    #[test]
    fn user_names_and_domains() {
        let d = "pimlab.onmicrosoft.com";
        assert_eq!(
            check_upn(" PimUser@PIMLAB.onmicrosoft.com ", d),
            Ok("pimuser@pimlab.onmicrosoft.com".into())
        );
        for bad in [
            "pimuser",
            "@pimlab.onmicrosoft.com",
            "a:b@pimlab.onmicrosoft.com",
            "x@other.com",
            "a b@pimlab.onmicrosoft.com",
            "'; DROP TABLE users;--@pimlab.onmicrosoft.com",
        ] {
            assert!(check_upn(bad, d).is_err(), "{bad}");
        }
        assert_eq!(
            check_domain("Contoso.OnMicrosoft.com"),
            Ok("contoso.onmicrosoft.com".into())
        );
        for bad in ["contoso", "-a.com", "a..com", "a_b.com", ""] {
            assert!(check_domain(bad).is_err(), "{bad}");
        }
        assert!(check_display_name("  ").is_err());
        assert!(check_display_name("Pim\u{202E}User").is_err());
        assert_eq!(check_display_name(" Pim User "), Ok("Pim User".into()));
    }

    #[test]
    fn clipping_keeps_short_text_and_says_what_it_cut() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("abcdef", 3), "abc… (3 more characters)");
        assert_eq!(clip("ééé", 2), "éé… (1 more characters)");
    }

    #[test]
    fn counts_say_one_thing_or_many() {
        assert_eq!(count(1u32, "attempt", "attempts"), "1 attempt");
        assert_eq!(count(4u32, "attempt", "attempts"), "4 attempts");
        assert_eq!(count(0i64, "entry", "entries"), "0 entries");
    }

    #[test]
    fn sanitize_makes_escapes_visible_and_inert() {
        assert_eq!(sanitize("plain"), "plain");
        assert_eq!(sanitize("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize("x\u{202E}y"), "x\\u{202e}y");
        assert!(!sanitize("\x07\u{9b}").chars().any(is_forbidden));
        assert_eq!(sanitize("ad\u{200B}min"), "ad\\u{200b}min");
        assert_eq!(sanitize("a\u{FEFF}\u{2066}"), "a\\u{feff}\\u{2066}");
        assert_eq!(sanitize("a\nb"), "a\\u{a}b");
        assert_eq!(sanitize_lines("a\nb\x1b"), "a\nb\\u{1b}");
        assert_eq!(sanitize("Zoë ünïcode"), "Zoë ünïcode");
    }
}
