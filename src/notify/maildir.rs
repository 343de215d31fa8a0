//! E-mails as RFC 5322 messages (built by `mail-builder`: RFC 2047 encoded words of at most
//! 75 characters, folded header lines; the body as 8bit UTF-8), and their Maildir
//! file names, so a mail client can open the lab's mail.

use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;
use mail_builder::mime::MimePart;

use super::{Email, FROM};

/// Text for one header line: control characters (a CR/LF would start a header of its own)
/// become spaces.
fn flat(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The message as an RFC 5322 document, with LF line ends as Maildir files keep them.
pub fn rfc5322(e: &Email) -> String {
    let body: String = e.body.lines().map(|line| flat(line) + "\n").collect();
    let mut message = MessageBuilder::new()
        .message_id(format!("{}@pim-console.local", e.id))
        .date(e.time.timestamp())
        // A constant, plain ASCII: as Microsoft's own notifications write it.
        .header("From", Raw::new(FROM))
        // A bare address, as before (UPNs and recipients' addresses are checked at input).
        .header("To", Raw::new(flat(&e.to)))
        .subject(flat(&e.subject))
        .header("X-PIM-Event", Text::new(e.event.as_str()))
        // UTF-8 text as it is (8bit), readable in the file, as every mail client takes it.
        .body(MimePart::new("text/plain", body).transfer_encoding("8bit"));
    if let Some(r) = &e.request_id {
        message = message.header("X-PIM-Request-ID", Text::new(flat(r)));
    }
    message
        .write_to_string()
        .unwrap_or_default()
        .replace("\r\n", "\n")
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
    use crate::clock::Time;
    use chrono::{TimeZone, Utc};

    fn email(subject: &str, body: &str) -> Email {
        let time: Time = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        Email {
            id: "0b7c0f4e-1d7e-4f4c-9d2e-3f1f5c1d2e3f".into(),
            time,
            to: "pimuser@pimlab.onmicrosoft.com".into(),
            recipient_id: None,
            subject: subject.into(),
            body: body.into(),
            event: super::super::EmailEvent::RequestorNotice,
            role_id: None,
            request_id: Some("r1\r\nBcc: evil@x.com".into()),
            read_at: None,
        }
    }

    #[test]
    fn a_message_reads_back_with_a_standard_parser() {
        use mailparse::MailHeaderMap;
        let subject = "PIM: Zoë Ångström-Łukasiewicz has the Privileged Role Administrator role in the group Ünïcödé Helpdesk";
        let text = rfc5322(&email(subject, "Hello Zoë,\n\nYour role is active."));
        let mail = mailparse::parse_mail(text.as_bytes()).unwrap();
        assert_eq!(mail.headers.get_first_value("Subject").unwrap(), subject);
        // Line breaks come back as the parser writes them.
        assert_eq!(
            mail.get_body().unwrap().replace("\r\n", "\n").trim_end(),
            "Hello Zoë,\n\nYour role is active."
        );
        assert_eq!(
            mail.headers.get_first_value("From").unwrap(),
            "Microsoft Security <MSSecurity-noreply@microsoft.com>"
        );
        // A CR/LF in a value cannot start a header of its own.
        assert!(mail.headers.get_first_value("Bcc").is_none());
        assert!(!text.contains('\r'), "LF line ends, as Maildir keeps them");
    }

    #[test]
    fn encoded_words_stay_within_rfc_2047s_75_characters() {
        let text = rfc5322(&email(&"PIM: Zoë ".repeat(20), "x"));
        let words: Vec<&str> = text
            .split_whitespace()
            .filter(|w| w.starts_with("=?"))
            .collect();
        assert!(words.len() > 1, "{text}");
        assert!(words.iter().all(|w| w.len() <= 75), "{words:?}");
        assert!(text.lines().all(|l| l.len() <= 78), "{text}");
    }
}
