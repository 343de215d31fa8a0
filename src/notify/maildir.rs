//! E-mails as RFC 5322 messages, and their Maildir file names, so a mail client can open the
//! lab's mail. Header values are made single-line and non-ASCII text is RFC 2047 encoded.

use super::{Email, FROM};

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A header value on one line: controls become spaces; non-ASCII becomes an encoded word.
pub fn header_value(value: &str) -> String {
    let flat: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.is_ascii() {
        flat
    } else {
        format!("=?UTF-8?B?{}?=", base64(flat.as_bytes()))
    }
}

/// The message as an RFC 5322 document (LF line ends, as Maildir files keep them).
pub fn rfc5322(e: &Email) -> String {
    let mut out = String::new();
    let mut header = |name: &str, value: &str| {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(&header_value(value));
        out.push('\n');
    };
    header("Message-ID", &format!("<{}@pim-console.local>", e.id));
    header("Date", &e.time.to_rfc2822());
    header("From", FROM);
    header("To", &e.to);
    header("Subject", &e.subject);
    header("MIME-Version", "1.0");
    header("Content-Type", "text/plain; charset=utf-8");
    header("Content-Transfer-Encoding", "8bit");
    header("X-PIM-Event", e.event.as_str());
    if let Some(r) = &e.request_id {
        header("X-PIM-Request-ID", r);
    }
    out.push('\n');
    for line in e.body.lines() {
        let line: String = line
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The Maildir sub-folder and file name: unread messages go to `new/`, read ones to `cur/`
/// with the Seen flag.
pub fn file_name(e: &Email) -> (&'static str, String) {
    let base = format!("{}.{}.pim-console", e.time.timestamp(), e.id);
    if e.read_at.is_some() {
        ("cur", format!("{base}:2,S"))
    } else {
        ("new", base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_examples() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn header_values_are_single_line_and_encoded() {
        assert_eq!(
            header_value("PIM: Pim User has the Security Reader role"),
            "PIM: Pim User has the Security Reader role"
        );
        assert_eq!(header_value("a\r\nBcc: evil@x.com"), "a  Bcc: evil@x.com");
        assert_eq!(header_value("PIM: Zoë"), "=?UTF-8?B?UElNOiBab8Or?=");
    }
}
